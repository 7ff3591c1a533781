//! Fetching what `check --image` needs from an OCI registry (with `oci-client`, the client
//! sigstore uses) or from an OCI image layout on disk, then verifying it. This is the only
//! network I/O riskgate does, and only when `--image` is given.
//!
//! Per image, in order and only as the policy needs: the manifest (by tag or digest; an index
//! resolves to its linux/amd64 entry for the config), the config blob (`forbid_root_user`, base
//! labels), cosign's `sha256-<hex>.sig` tag and its payload blobs (key signatures), the `.att`
//! tag (key-signed attestations), the referrers (Sigstore bundles as cosign v3 attaches them,
//! via the referrers API or its `sha256-<hex>` tag fallback: always when keyless signers are
//! configured, otherwise only when cosign's tags hold nothing), and the base image's config (its
//! age and layers). Digest + key signature costs 3 operations.
//!
//! Must never: allow when a registry could not be asked. Unreachable, refused, unauthorised or
//! missing is an error (exit 2); content that does not match its digest is an `integrity`
//! failure (a block). Credentials are never printed.

mod attach;
mod policy;
mod policy_layout;
mod referrers;
mod registry;

pub use attach::{attach, attestations, attestations_and_bundles, registry_hosts};
pub use policy::{cache_root, fetch_policy, push_policy, PolicyPin, PolicyTrust, POLICY_ARTIFACT};
pub use policy_layout::{fetch as fetch_policy_layout, plan as policy_layout_plan, LayoutPlan};
use registry::*;
pub use registry::{credentials, env_credential_hosts, parse_challenge, realm_allows, Challenge};

use crate::model::date::Timestamp;
use crate::model::facts::{BaseFacts, Evidence, ImageFacts};
use crate::policy::glob::Globs;
use crate::verify::{self, Signer, SignerKind, Signers};
use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How to reach registries.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Extra CA certificates (PEM) to trust, for registries with a private CA.
    pub ca_certs: Vec<Vec<u8>>,
    /// Hosts (`host:port`) to reach over plain HTTP besides loopback ones.
    pub insecure: Vec<String>,
    /// The bound on one image's whole fetch, every request and retry included
    /// (`--registry-timeout`).
    pub timeout: Duration,
    /// `images.allowed_registries`: an image outside them is never fetched (no request, no
    /// credentials), only refused.
    pub allowed_registries: Globs,
    /// The product's `images` globs: likewise.
    pub product_images: Globs,
}

/// `--registry-timeout`'s default, in seconds: also what commands without the option use.
pub const DEFAULT_TIMEOUT_SECS: u64 = 20;

impl RegistryOptions {
    /// The options for reaching registries from the `--registry-ca` files (read here: each
    /// unreadable one is listed), the `--insecure-registry` hosts and `--registry-timeout`
    /// (0: not given, [`DEFAULT_TIMEOUT_SECS`]). The allow-lists are left empty (allow any).
    pub fn read(
        ca_files: &[PathBuf],
        insecure: &[String],
        timeout_secs: u64,
    ) -> Result<RegistryOptions, Vec<String>> {
        let mut ca_certs = Vec::new();
        let mut errors = Vec::new();
        for p in ca_files {
            match crate::ingest::source::read_file(p) {
                Ok(b) => ca_certs.push(b),
                Err(e) => errors.push(format!("cannot read --registry-ca {}: {e}", p.display())),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let secs = if timeout_secs == 0 {
            DEFAULT_TIMEOUT_SECS
        } else {
            timeout_secs
        };
        Ok(RegistryOptions {
            ca_certs,
            insecure: insecure.to_vec(),
            timeout: Duration::from_secs(secs),
            ..Default::default()
        })
    }
}

/// The largest manifest (or index) riskgate reads: what registries themselves accept.
pub const MAX_MANIFEST: u64 = 4 << 20;
/// The largest config blob or signature payload.
pub const MAX_SMALL_BLOB: u64 = 4 << 20;
/// The largest attestation or bundle layer (SBOM attestations run to tens of MB).
pub const MAX_LAYER: u64 = 64 << 20;

/// What the policy asks about images, hence what to fetch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub key_signatures: bool,
    /// Always look at the referrers (keyless signers are configured). Otherwise they are looked
    /// at only when cosign's tags hold nothing for a key to verify.
    pub bundles: bool,
    pub attestations: bool,
    pub config: bool,
    pub base: bool,
}

/// Why an image could not be checked (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageError {
    pub reference: String,
    pub message: String,
    pub help: Option<String>,
}

const ACCEPT: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];
const SIMPLESIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
const SIG_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
const CERT_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
const DSSE: &str = "application/vnd.dsse.envelope.v1+json";
const BUNDLE: &str = "application/vnd.dev.sigstore.bundle";
const BASE_NAME: &str = "org.opencontainers.image.base.name";
const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Vec<Descriptor>,
    #[serde(default)]
    manifests: Vec<Descriptor>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[derive(Deserialize, Clone, Default)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    artifact_type: Option<String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    platform: Option<Platform>,
}

#[derive(Deserialize, Clone, Default)]
struct Platform {
    architecture: String,
    os: String,
}

impl Manifest {
    fn is_index(&self) -> bool {
        !self.manifests.is_empty() && self.config.is_none()
    }
}

#[derive(Deserialize, Default)]
struct Config {
    created: Option<String>,
    #[serde(default)]
    config: ConfigInner,
    #[serde(default)]
    rootfs: RootFs,
}
#[derive(Deserialize, Default)]
struct ConfigInner {
    #[serde(rename = "User")]
    user: Option<String>,
    #[serde(rename = "Labels")]
    labels: Option<BTreeMap<String, String>>,
}
#[derive(Deserialize, Default)]
struct RootFs {
    #[serde(default)]
    diff_ids: Vec<String>,
}

fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    serde_json::from_slice(bytes).ok()
}

/// A parsed `--image`: a registry reference or `oci:DIR[:TAG]` / `oci:DIR@sha256:...`.
enum Target {
    Registry(Reference),
    Layout { dir: PathBuf, at: Option<String> },
}

fn parse_target(given: &str) -> Result<Target, String> {
    if let Some(rest) = given.strip_prefix("oci:") {
        if let Some((dir, d)) = rest.split_once('@') {
            return Ok(Target::Layout {
                dir: dir.into(),
                at: Some(d.to_string()),
            });
        }
        if Path::new(rest).is_dir() {
            return Ok(Target::Layout {
                dir: rest.into(),
                at: None,
            });
        }
        return match rest.rsplit_once(':') {
            Some((dir, tag)) => Ok(Target::Layout {
                dir: dir.into(),
                at: Some(tag.to_string()),
            }),
            None => Err(format!("{rest} is not a directory")),
        };
    }
    given
        .parse::<Reference>()
        .map(Target::Registry)
        .map_err(|e| format!("not an image reference: {e}"))
}

/// Everything needed to check one image, fetched.
#[derive(Default)]
struct Fetched {
    facts: ImageFacts,
    /// (source, payload, signature annotation, has a certificate annotation)
    simple: Vec<(String, Vec<u8>, Option<String>, bool)>,
    /// (source, DSSE envelope)
    envelopes: Vec<(String, Vec<u8>)>,
    /// (source, bundle JSON)
    bundles: Vec<(String, Vec<u8>)>,
}

/// Fetches and verifies each image, concurrently. Errors (exit 2) are collected for all.
pub fn gather(
    given: &[String],
    opts: &RegistryOptions,
    needs: Needs,
    signers: &Signers,
) -> Result<Vec<ImageFacts>, Vec<ImageError>> {
    if given.is_empty() {
        return Ok(Vec::new());
    }
    let mut hosts = Vec::new();
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    let mut refused = Vec::new();
    for g in given {
        match parse_target(g) {
            Ok(Target::Registry(r)) => {
                // The allow-lists come first: an image they refuse is never asked for, so
                // nothing (credentials least of all) goes to its registry.
                let name = format!("{}/{}", r.registry(), r.repository());
                // An empty list allows any image.
                let outside = [&opts.allowed_registries, &opts.product_images]
                    .into_iter()
                    .any(|g| !g.is_empty() && !g.is_match(&name));
                if outside {
                    refused.push(ImageFacts {
                        reference: g.clone(),
                        pinned: r.digest().is_some(),
                        skipped: Some(format!(
                            "{name} is outside the allowed registries or the product's images, so it was not fetched"
                        )),
                        name,
                        ..Default::default()
                    });
                    continue;
                }
                hosts.push(r.resolve_registry().to_string());
                targets.push((g.clone(), Target::Registry(r)));
            }
            Ok(t) => targets.push((g.clone(), t)),
            Err(message) => errors.push(ImageError {
                reference: g.clone(),
                message,
                help: Some(
                    "give registry/repository:tag, registry/repository@sha256:..., or oci:DIR[:TAG]"
                        .into(),
                ),
            }),
        }
    }
    let (rt, net) = match connect(&hosts, opts) {
        Ok(c) => c,
        Err((message, help)) => {
            errors.push(ImageError {
                reference: given.join(" "),
                message,
                help,
            });
            return Err(errors);
        }
    };
    let fetched = rt.block_on(futures_util::future::join_all(targets.into_iter().map(
        |(g, t)| {
            let net = &net;
            async move {
                // --registry-timeout bounds the whole fetch of one image, retries included.
                let r = match tokio::time::timeout(opts.timeout, fetch_one(&g, t, net, needs, opts)).await {
                    Ok(r) => r,
                    Err(_) => Err((
                        format!(
                            "{g}: not fetched within {} s (--registry-timeout bounds one image's whole fetch, every request and retry included)",
                            opts.timeout.as_secs()
                        ),
                        Some("check that the registry is up and answers; raise --registry-timeout for a slow one".into()),
                    )),
                };
                (g, r)
            }
        },
    )));
    drop(rt);
    let mut out = refused;
    for (g, r) in fetched {
        match r {
            Ok(f) => out.push(verify_fetched(f, signers)),
            Err((message, help)) => errors.push(ImageError {
                reference: g,
                message,
                help,
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The registry client, its HTTP client and the I/O runtime for reaching `hosts`: which of them
/// are plain HTTP and which may get REGISTRY_USERNAME/REGISTRY_PASSWORD.
fn connect(
    hosts: &[String],
    opts: &RegistryOptions,
) -> Result<(tokio::runtime::Runtime, Net), Fatal> {
    let insecure = insecure_hosts(opts, hosts.iter().cloned());
    let env_hosts = env_credential_hosts(hosts);
    let (client, http) = make_client(opts, insecure.clone())
        .and_then(|c| Ok((c, make_http(opts)?)))
        .map_err(|e| {
            (
                format!("cannot set up the registry client: {e}"),
                Some("check the --registry-ca files are PEM certificates".into()),
            )
        })?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (format!("cannot start the I/O runtime: {e}"), None))?;
    Ok((
        rt,
        Net {
            client,
            http,
            insecure,
            env_hosts,
            probes: Default::default(),
            authorized: Default::default(),
        },
    ))
}

type FetchResult = Result<Fetched, (String, Option<String>)>;

async fn fetch_one(
    given: &str,
    target: Target,
    net: &Net,
    needs: Needs,
    opts: &RegistryOptions,
) -> FetchResult {
    let timeout = opts.timeout;
    let n = AtomicU32::new(0);
    let (repo, at, name, pinned) = match target {
        Target::Registry(r) => {
            let at = r.digest().or(r.tag()).unwrap_or("latest").to_string();
            let name = format!("{}/{}", r.registry(), r.repository());
            let pinned = r.digest().is_some();
            let repo = open_registry(net, r, true, &n).await?;
            (repo, at, name, pinned)
        }
        Target::Layout { dir, at } => {
            let (refs, only) = layout_refs(&dir).map_err(|m| (m, None))?;
            let pinned = at.as_deref().is_some_and(|a| a.starts_with("sha256:"));
            let at = match at.or(only) {
                Some(a) => a,
                None => {
                    return Err((
                        format!("{} holds several images; name one with :TAG", dir.display()),
                        None,
                    ))
                }
            };
            let name = format!("oci:{}", dir.display());
            (Repo::Layout { dir, refs }, at, name, pinned)
        }
    };
    let mut out = Fetched {
        facts: ImageFacts {
            reference: given.to_string(),
            name,
            pinned,
            ..Default::default()
        },
        ..Default::default()
    };
    let not_found = |what: &str| {
        (
            format!("{what} not found"),
            Some(
                "check the name, tag and digest; an image that is not there cannot be checked"
                    .into(),
            ),
        )
    };
    // The manifest (or index) the reference names.
    let (bytes, digest) = match fetch(timeout, || repo.manifest(&at, &n)).await? {
        Ok(m) => m,
        Err(Answer::Missing) => return Err(not_found(given)),
        Err(Answer::Integrity(m)) => {
            out.facts.integrity.push(m);
            out.facts.requests = n.load(Ordering::Relaxed);
            return Ok(out);
        }
    };
    out.facts.digest = Some(digest.clone());
    let top: Manifest = parse(&bytes).ok_or_else(|| {
        (
            format!("{given}: the manifest is not OCI or Docker v2 JSON"),
            None,
        )
    })?;
    let mut annotations = top.annotations.clone();
    let image_manifest = if top.is_index() && (needs.config || needs.base) {
        let entry = top
            .manifests
            .iter()
            .find(|m| {
                m.platform
                    .as_ref()
                    .is_some_and(|p| p.os == "linux" && p.architecture == "amd64")
            })
            .or(top.manifests.first())
            .cloned();
        match entry {
            None => None,
            Some(e) => match fetch(timeout, || repo.manifest(&e.digest, &n)).await? {
                Ok((b, _)) => {
                    let m: Option<Manifest> = parse(&b);
                    if let Some(m) = &m {
                        for (k, v) in &m.annotations {
                            annotations.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                    m
                }
                Err(Answer::Integrity(m)) => {
                    out.facts.integrity.push(m);
                    None
                }
                Err(Answer::Missing) => return Err(not_found(&e.digest)),
            },
        }
    } else {
        Some(top)
    };
    // The config: user and labels.
    let mut labels = BTreeMap::new();
    if needs.config || needs.base {
        match image_manifest.as_ref().and_then(|m| m.config.clone()) {
            Some(c) => match fetch(timeout, || repo.blob(&c.digest, MAX_SMALL_BLOB, &n)).await? {
                Ok(b) => {
                    let cfg: Config = parse(&b).unwrap_or_default();
                    out.facts.user = Some(cfg.config.user.unwrap_or_default());
                    labels = cfg.config.labels.unwrap_or_default();
                }
                Err(Answer::Integrity(m)) => out.facts.integrity.push(m),
                Err(Answer::Missing) => return Err(not_found(&c.digest)),
            },
            None => out.facts.user = None,
        }
    }
    // Key-signed signatures and attestations: cosign's tag scheme.
    let tag = digest.replace(':', "-");
    for (wanted, suffix) in [(needs.key_signatures, "sig"), (needs.attestations, "att")] {
        if !wanted {
            continue;
        }
        let t = format!("{tag}.{suffix}");
        if suffix == "sig" {
            out.facts.looked_in.push(format!("tag {t}"));
        }
        let m = match fetch(timeout, || repo.manifest(&t, &n)).await? {
            Ok((b, _)) => parse::<Manifest>(&b).unwrap_or_default(),
            Err(Answer::Missing) => continue,
            Err(Answer::Integrity(m)) => {
                out.facts.integrity.push(m);
                continue;
            }
        };
        for l in &m.layers {
            let body = match fetch(timeout, || repo.blob(&l.digest, MAX_SMALL_BLOB, &n)).await? {
                Ok(b) => b,
                Err(Answer::Integrity(m)) => {
                    out.facts.integrity.push(m);
                    continue;
                }
                Err(Answer::Missing) => return Err(not_found(&l.digest)),
            };
            let source = format!("tag {t}");
            if l.media_type == SIMPLESIGNING {
                out.simple.push((
                    source,
                    body,
                    l.annotations.get(SIG_ANNOTATION).cloned(),
                    l.annotations.contains_key(CERT_ANNOTATION),
                ));
            } else if l.media_type == DSSE {
                out.envelopes.push((source, body));
            }
        }
    }
    // Sigstore bundles (cosign v3): referrers of the image.
    let tags_empty = (needs.key_signatures && out.simple.is_empty())
        || (needs.attestations && out.envelopes.is_empty());
    if needs.bundles || tags_empty {
        out.facts.looked_in.push(format!("referrers of {digest}"));
        let found = referrers::bundles(&repo, &digest, timeout, &n, &mut out.facts.integrity);
        out.bundles.extend(found.await?);
    }
    // The base image: named by annotations (or labels), its config read for age and layers.
    let base_name = annotations
        .get(BASE_NAME)
        .or(labels.get(BASE_NAME))
        .cloned();
    let base_digest = annotations
        .get(BASE_DIGEST)
        .or(labels.get(BASE_DIGEST))
        .cloned();
    if base_name.is_some() || base_digest.is_some() {
        let mut base = BaseFacts {
            name: base_name.clone(),
            digest: base_digest.clone(),
            ..Default::default()
        };
        if needs.base {
            if let Some(cfg) = fetch_base(
                &repo,
                base_name.as_deref(),
                base_digest.as_deref(),
                &n,
                opts,
                net,
            )
            .await?
            {
                base.created_at = cfg.created.as_deref().and_then(Timestamp::parse);
                base.created = cfg.created;
                base.layers = cfg.rootfs.diff_ids;
            }
        }
        out.facts.base = Some(base);
    }
    out.facts.requests = n.load(Ordering::Relaxed);
    Ok(out)
}

/// The base image's config: from the same registry client (the base may live in another
/// repository or registry), or from the same layout by digest.
async fn fetch_base(
    repo: &Repo,
    name: Option<&str>,
    digest: Option<&str>,
    n: &AtomicU32,
    opts: &RegistryOptions,
    net: &Net,
) -> Result<Option<Config>, (String, Option<String>)> {
    let timeout = opts.timeout;
    let base_repo = match repo {
        Repo::Layout { .. } => None,
        Repo::Registry { reference, .. } => {
            let Some(name) = name else { return Ok(None) };
            let r: Reference = match name.parse() {
                Ok(r) => r,
                Err(_) => return Ok(None),
            };
            let host = r.resolve_registry().to_string();
            // The image's labels name the base: the run's credentials go to it only when it is
            // on the image's own registry. Another loopback registry needs its own plain-HTTP
            // exception.
            let same = host == reference.resolve_registry();
            let mut net = net.clone();
            if !same && is_loopback(&host) {
                net.insecure = insecure_hosts(opts, [host]);
                net.client = make_client(opts, net.insecure.clone())
                    .map_err(|e| (format!("base image: {e}"), None))?;
            }
            Some(open_registry(&net, r, same, n).await?)
        }
    };
    let repo = base_repo.as_ref().unwrap_or(repo);
    let at = match (digest, repo) {
        (Some(d), _) => d.to_string(),
        (None, Repo::Registry { reference, .. }) => reference.tag().unwrap_or("latest").to_string(),
        (None, Repo::Layout { .. }) => return Ok(None),
    };
    let bytes = match fetch(timeout, || repo.manifest(&at, n))
        .await
        .map_err(base_image)?
    {
        Ok((b, _)) => b,
        Err(Answer::Missing) | Err(Answer::Integrity(_)) => return Ok(None),
    };
    let Some(m) = parse::<Manifest>(&bytes) else {
        return Ok(None);
    };
    let m = if m.is_index() {
        let Some(e) = m.manifests.first() else {
            return Ok(None);
        };
        match fetch(timeout, || repo.manifest(&e.digest, n))
            .await
            .map_err(base_image)?
        {
            Ok((b, _)) => parse::<Manifest>(&b).unwrap_or_default(),
            Err(_) => return Ok(None),
        }
    } else {
        m
    };
    let Some(c) = m.config else { return Ok(None) };
    match fetch(timeout, || repo.blob(&c.digest, MAX_SMALL_BLOB, n))
        .await
        .map_err(base_image)?
    {
        Ok(b) => Ok(parse(&b)),
        Err(_) => Ok(None),
    }
}

fn base_image((m, h): Fatal) -> Fatal {
    (format!("base image: {m}"), h)
}

/// A layout's `index.json`: ref names to digests, and the one manifest when there is one.
fn layout_refs(dir: &Path) -> Result<(BTreeMap<String, String>, Option<String>), String> {
    let p = dir.join("index.json");
    let bytes = std::fs::read(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    let idx: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{} is not an OCI image index: {e}", p.display()))?;
    let mut refs = BTreeMap::new();
    for m in &idx.manifests {
        if let Some(name) = m.annotations.get("org.opencontainers.image.ref.name") {
            refs.insert(name.clone(), m.digest.clone());
        }
    }
    let only = match idx.manifests.as_slice() {
        [one] => Some(one.digest.clone()),
        _ => None,
    };
    Ok((refs, only))
}

/// Verifies what was fetched against the signers, recording every outcome as evidence.
fn verify_fetched(f: Fetched, signers: &Signers) -> ImageFacts {
    let mut facts = f.facts;
    let Some(digest) = facts.digest.clone() else {
        return facts;
    };
    let keys: Vec<&Signer> = signers
        .signers
        .iter()
        .filter(|s| matches!(s.kind, SignerKind::Key(_)))
        .collect();
    for (source, payload, sig, has_cert) in f.simple {
        let mut e = Evidence {
            source,
            predicate_type: None,
            verified_by: None,
            problems: Vec::new(),
            provenance: None,
        };
        match sig {
            None => e
                .problems
                .push("the layer has no signature annotation".into()),
            Some(sig) => {
                for k in &keys {
                    if let SignerKind::Key(key) = &k.kind {
                        match verify::simple_signing(&payload, &sig, key, &digest) {
                            Ok(()) => {
                                e.verified_by = Some(k.label.clone());
                                break;
                            }
                            Err(why) => e.problems.push(format!("{}: {why}", k.label)),
                        }
                    }
                }
                if e.verified_by.is_none() && has_cert {
                    e.problems.push(
                        "it is a keyless signature in cosign's legacy format; riskgate verifies keyless images from Sigstore bundles (cosign v3)".into(),
                    );
                }
                if keys.is_empty() && !has_cert {
                    e.problems.push("no key is configured".into());
                }
            }
        }
        facts.signatures.push(e);
    }
    for (source, env) in f.envelopes {
        let mut e = Evidence {
            source,
            predicate_type: None,
            verified_by: None,
            problems: Vec::new(),
            provenance: None,
        };
        for k in &keys {
            if let SignerKind::Key(key) = &k.kind {
                match verify::dsse_payload_with_key(&env, key, &digest) {
                    Ok((pt, statement)) => {
                        e.predicate_type = Some(pt);
                        e.verified_by = Some(k.label.clone());
                        e.provenance = verify::provenance(&statement);
                        break;
                    }
                    Err(why) => e.problems.push(format!("{}: {why}", k.label)),
                }
            }
        }
        if e.predicate_type.is_none() {
            e.predicate_type = verify::envelope_claimed_predicate(&env);
        }
        facts.signatures.push(e);
    }
    for (source, b) in f.bundles {
        let mut e = verify::evidence(source, verify::bundle(&b, &digest, None, signers));
        if e.predicate_type.is_none() && e.verified_by.is_none() {
            e.predicate_type = verify::bundle_claimed_predicate(&b);
        }
        facts.signatures.push(e);
    }
    facts
}

#[cfg(test)]
mod tests;
