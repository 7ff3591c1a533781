//! The policy as an OCI artifact: `riskgate policy push` packs a policy directory (one layer
//! per file, named by its `org.opencontainers.image.title`) under riskgate's own artifact type
//! and signs it cosign-style (a simple signing payload under the `sha256-<hex>.sig` tag);
//! `--policy oci://REF@sha256:...` fetches it into a cache keyed by digest, and every run, from
//! the network or the cache, checks the manifest's digest, every file's digest and, with
//! `--policy-key`, the signature before the policy is read (or, with `--policy-identity`, a
//! keyless signature: a Sigstore bundle in its referrers, as `cosign sign` v3 attaches it,
//! verified offline for the platform team's OIDC identity). The cache saves only the network:
//! what is in it is checked as if it had just been fetched.

use super::*;
use sigstore::crypto::CosignVerificationKey;

/// The manifest's `artifactType` of a riskgate policy.
pub const POLICY_ARTIFACT: &str = "application/vnd.riskgate.policy.v1";
const POLICY_CONFIG: &str = "application/vnd.riskgate.policy.config.v1+json";
const POLICY_FILE: &str = "application/vnd.riskgate.policy.file.v1";
pub(super) const TITLE: &str = "org.opencontainers.image.title";

/// Who a published policy must be signed by.
pub enum PolicyTrust {
    /// The platform team's cosign key (`--policy-key`): a simple signing payload under `.sig`.
    Key(CosignVerificationKey),
    /// Its keyless identity (`--policy-identity`), and the trusted root's bytes
    /// (`--policy-trusted-root`): a Sigstore bundle among the policy's referrers.
    Keyless { signer: Signer, root: Vec<u8> },
}

impl PolicyTrust {
    pub(super) fn keyless(&self) -> bool {
        matches!(self, PolicyTrust::Keyless { .. })
    }
}

/// A fetched, checked policy: where its files are and what it is.
pub struct PolicyPin {
    /// `oci://registry/repository@sha256:...`: how reports name it.
    pub source: String,
    pub digest: String,
    /// The checked copy in the cache, read like a local policy directory.
    pub dir: PathBuf,
    /// When it was given by tag: the tag (the report says which digest it resolved to).
    pub tag: Option<String>,
}

/// Where fetched policies are kept: RISKGATE_CACHE_DIR, else $XDG_CACHE_HOME/riskgate, else
/// ~/.cache/riskgate.
pub fn cache_root() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("RISKGATE_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("riskgate")))
        .or_else(|| env("HOME").map(|d| d.join(".cache/riskgate")))
        .unwrap_or_else(|| std::env::temp_dir().join("riskgate-cache"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PolicyManifest {
    pub(super) artifact_type: Option<String>,
    pub(super) config: Descriptor,
    pub(super) layers: Vec<Descriptor>,
}

/// A layer title that is a plain relative path inside the policy directory.
fn safe_title(t: &str) -> Option<&Path> {
    let p = Path::new(t);
    let plain = !t.is_empty()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    plain.then_some(p)
}

/// Checks a cached (or just written) policy copy: the manifest's digest, each file's, and the
/// signature when a signer is given. The manifest's files, and only those, are in `dir`.
pub(super) fn check_copy(
    dir: &Path,
    digest: &str,
    trust: Option<&PolicyTrust>,
) -> Result<(), String> {
    let manifest = std::fs::read(dir.join("manifest.json"))
        .map_err(|e| format!("the cached manifest cannot be read: {e}"))?;
    if verify::sha256(&manifest) != digest {
        return Err(format!(
            "the cached manifest of {digest} has digest {}: the cache was changed",
            verify::sha256(&manifest)
        ));
    }
    let m: PolicyManifest = serde_json::from_slice(&manifest)
        .map_err(|e| format!("the manifest is not an OCI image manifest: {e}"))?;
    if m.artifact_type.as_deref() != Some(POLICY_ARTIFACT) && m.config.media_type != POLICY_CONFIG {
        return Err(format!(
            "it is not a riskgate policy (artifactType {}, expected {POLICY_ARTIFACT})",
            m.artifact_type.as_deref().unwrap_or("none")
        ));
    }
    for l in &m.layers {
        let title = l.annotations.get(TITLE).map(String::as_str).unwrap_or("");
        let rel = safe_title(title).ok_or_else(|| {
            format!("a layer is named `{title}`, not a relative path in the policy")
        })?;
        let bytes =
            std::fs::read(dir.join("files").join(rel)).map_err(|e| format!("{title}: {e}"))?;
        if verify::sha256(&bytes) != l.digest {
            return Err(format!(
                "{title} has digest {}, not {} as the manifest says: it was changed",
                verify::sha256(&bytes),
                l.digest
            ));
        }
    }
    if let Some(PolicyTrust::Keyless { signer, root }) = trust {
        return check_bundles(dir, digest, signer, root);
    }
    if let Some(PolicyTrust::Key(key)) = trust {
        let sigs: Vec<(String, String)> = std::fs::read(dir.join("signatures.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let mut why = Vec::new();
        let ok = sigs.iter().any(|(payload, sig)| {
            match verify::simple_signing(payload.as_bytes(), sig, key, digest) {
                Ok(()) => true,
                Err(e) => {
                    why.push(e);
                    false
                }
            }
        });
        if !ok {
            return Err(if why.is_empty() {
                "it is not signed (no signature under its .sig tag)".into()
            } else {
                format!(
                    "no signature verifies with --policy-key: {}",
                    why.join("; ")
                )
            });
        }
    }
    Ok(())
}

/// The keyless check of a cached copy: one of its Sigstore bundles (`bundles.json`) verifies
/// for the identity and signs exactly this digest (cosign's signature statement, or a message
/// signature over the manifest).
fn check_bundles(dir: &Path, digest: &str, signer: &Signer, root: &[u8]) -> Result<(), String> {
    let bundles: Vec<(String, String)> = std::fs::read(dir.join("bundles.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let signers = Signers {
        signers: std::slice::from_ref(signer),
        trusted_root: Some(root),
    };
    let mut why = Vec::new();
    for (source, bundle) in &bundles {
        match verify::bundle(bundle.as_bytes(), digest, None, &signers) {
            Ok(v)
                if v.predicate_type
                    .as_deref()
                    .is_none_or(|p| p == verify::COSIGN_SIGN_PREDICATE) =>
            {
                return Ok(())
            }
            Ok(v) => why.push(format!(
                "{source}: a {} attestation, not a signature",
                v.predicate_type.unwrap_or_default()
            )),
            Err(e) => why.push(format!("{source}: {}", e.join("; "))),
        }
    }
    Err(if why.is_empty() {
        "it is not signed keyless (no Sigstore bundle among its referrers)".into()
    } else {
        format!(
            "no bundle verifies for --policy-identity: {}",
            why.join("; ")
        )
    })
}

/// Fetches (or finds in the cache) and checks the policy `given` (`registry/repo@sha256:...`).
pub fn fetch_policy(
    given: &str,
    trust: Option<&PolicyTrust>,
    allow_tag: bool,
    opts: &RegistryOptions,
) -> Result<PolicyPin, Fatal> {
    let r: Reference = given.parse().map_err(|e| {
        (
            format!("oci://{given} is not an image reference: {e}"),
            None,
        )
    })?;
    let name = format!("{}/{}", r.registry(), r.repository());
    if r.digest().is_none() && !allow_tag {
        return Err((
            format!("--policy oci://{given} names a tag, which can be moved: the policy must be pinned by digest"),
            Some(format!("use oci://{name}@sha256:<digest> (`riskgate policy push` prints it), or --policy-allow-tag")),
        ));
    }
    let root = cache_root().join("policies");
    let pin = |digest: String, dir: PathBuf| PolicyPin {
        source: format!("oci://{name}@{digest}"),
        tag: r
            .digest()
            .is_none()
            .then(|| r.tag().unwrap_or("latest").to_string()),
        digest,
        dir,
    };
    if let Some(d) = r.digest() {
        let dir = root.join(d.replace(':', "-"));
        if dir.join("manifest.json").is_file() && check_copy(&dir, d, trust).is_ok() {
            return Ok(pin(d.to_string(), dir));
        }
    }
    let hosts = vec![r.resolve_registry().to_string()];
    // The run's REGISTRY_USERNAME/REGISTRY_PASSWORD are for its images' registry: the policy's
    // registry gets them only when REGISTRY_HOSTS lists it (or from the docker config).
    let (rt, mut net) = connect(&hosts, opts)?;
    net.env_hosts = env_credential_hosts(&[]);
    let at = r.digest().or(r.tag()).unwrap_or("latest").to_string();
    let fetched = rt.block_on(async {
        tokio::time::timeout(opts.timeout, async {
            let n = AtomicU32::new(0);
            let repo = open_registry(&net, r.clone(), true, &n).await?;
            let (manifest, digest) = match fetch(opts.timeout, || repo.manifest(&at, &n)).await? {
                Ok(m) => m,
                Err(Answer::Missing) => {
                    return Err((
                        format!("oci://{given}: no such policy in the registry"),
                        None,
                    ))
                }
                Err(Answer::Integrity(m)) => return Err((format!("oci://{given}: {m}"), None)),
            };
            let m: PolicyManifest = serde_json::from_slice(&manifest).map_err(|e| {
                (
                    format!("oci://{given}: not an OCI image manifest: {e}"),
                    None,
                )
            })?;
            let mut files = Vec::new();
            for l in &m.layers {
                match fetch(opts.timeout, || repo.blob(&l.digest, MAX_LAYER, &n)).await? {
                    Ok(b) => files.push((l.annotations.get(TITLE).cloned().unwrap_or_default(), b)),
                    Err(Answer::Missing) => {
                        return Err((
                            format!("oci://{given}: layer {} is missing", l.digest),
                            None,
                        ))
                    }
                    Err(Answer::Integrity(m)) => {
                        return Err((format!("oci://{given}: integrity failure: {m}"), None))
                    }
                }
            }
            let mut sigs = Vec::new();
            let mut bundles = Vec::new();
            if trust.is_some_and(PolicyTrust::keyless) {
                let mut integrity = Vec::new();
                let found = referrers::bundles(&repo, &digest, opts.timeout, &n, &mut integrity);
                bundles = found.await?;
                if let Some(m) = integrity.first() {
                    return Err((format!("oci://{given}: integrity failure: {m}"), None));
                }
            } else if trust.is_some() {
                let tag = format!("{}.sig", digest.replace(':', "-"));
                if let Ok((b, _)) = fetch(opts.timeout, || repo.manifest(&tag, &n)).await? {
                    let sm: Manifest = parse(&b).unwrap_or_default();
                    for l in sm.layers.iter().filter(|l| l.media_type == SIMPLESIGNING) {
                        if let (Some(sig), Ok(p)) = (
                            l.annotations.get(SIG_ANNOTATION),
                            fetch(opts.timeout, || repo.blob(&l.digest, MAX_SMALL_BLOB, &n))
                                .await?,
                        ) {
                            sigs.push((String::from_utf8_lossy(&p).into_owned(), sig.clone()));
                        }
                    }
                }
            }
            Ok((manifest, digest, files, sigs, bundles))
        })
        .await
        .map_err(|_| {
            (
                format!(
                    "oci://{given}: not fetched within {} s",
                    opts.timeout.as_secs()
                ),
                None,
            )
        })?
    });
    let (manifest, digest, files, sigs, bundles) = fetched?;
    let dir = root.join(digest.replace(':', "-"));
    write_copy(&root, &dir, &manifest, &files, &sigs, &bundles).map_err(|e| {
        (
            format!("cannot write the policy cache {}: {e}", root.display()),
            Some("set RISKGATE_CACHE_DIR to a writable directory".into()),
        )
    })?;
    check_copy(&dir, &digest, trust).map_err(|e| (format!("oci://{given}: {e}"), None))?;
    Ok(pin(digest, dir))
}

/// Writes the copy into a new directory beside `dir` and renames it into place, so a reader
/// never sees half a copy; an existing copy is replaced.
pub(super) fn write_copy(
    root: &Path,
    dir: &Path,
    manifest: &[u8],
    files: &[(String, Vec<u8>)],
    sigs: &[(String, String)],
    bundles: &[(String, Vec<u8>)],
) -> std::io::Result<()> {
    std::fs::create_dir_all(root)?;
    let tmp = root.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        dir.file_name().and_then(|n| n.to_str()).unwrap_or("policy")
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("files"))?;
    std::fs::write(tmp.join("manifest.json"), manifest)?;
    std::fs::write(
        tmp.join("signatures.json"),
        serde_json::to_vec(sigs).unwrap_or_default(),
    )?;
    // Sigstore bundles are JSON text; one that is not UTF-8 verifies nothing and is dropped.
    let bundles: Vec<(&str, &str)> = bundles
        .iter()
        .filter_map(|(s, b)| Some((s.as_str(), std::str::from_utf8(b).ok()?)))
        .collect();
    std::fs::write(
        tmp.join("bundles.json"),
        serde_json::to_vec(&bundles).unwrap_or_default(),
    )?;
    for (title, bytes) in files {
        let Some(rel) = safe_title(title) else {
            continue; // refused by the check that follows
        };
        let p = tmp.join("files").join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(p, bytes)?;
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&tmp, dir)
}

/// `riskgate policy push`: every file of `dir` (hidden ones aside) as one layer each, under
/// riskgate's artifact type; signed with `sign` (an encrypted cosign key and its password) as
/// cosign signs images. Returns the manifest's digest.
pub fn push_policy(
    dir: &Path,
    given: &str,
    sign: Option<(&[u8], &[u8])>,
    opts: &RegistryOptions,
) -> Result<String, Fatal> {
    let r: Reference = given
        .parse()
        .map_err(|e| (format!("{given} is not an image reference: {e}"), None))?;
    let (layers, config, manifest) = policy_artifact(dir)?;
    let host = r.resolve_registry().to_string();
    let (rt, net) = connect(std::slice::from_ref(&host), opts)?;
    let auth = credentials(&host, &net.env_hosts);
    let pushed = |e: OciDistributionError| match classify(e, &host) {
        Fetch::Transient(m, h) | Fetch::Failed(m, h) => (m, h),
        Fetch::Missing | Fetch::Integrity(_) => (format!("{given}: the push failed"), None),
    };
    rt.block_on(async {
        let n = AtomicU32::new(0);
        open_registry(&net, r.clone(), true, &n).await?;
        net.client
            .push(&r, &layers, config, &auth, Some(manifest))
            .await
            .map_err(pushed)?;
        let digest = net
            .client
            .fetch_manifest_digest(&r, &auth)
            .await
            .map_err(pushed)?;
        if let Some((key, password)) = sign {
            let (layer, config) = signature(
                &format!("{}/{}", r.registry(), r.repository()),
                &digest,
                key,
                password,
            )?;
            let sig_ref = Reference::with_tag(
                host.clone(),
                r.repository().to_string(),
                format!("{}.sig", digest.replace(':', "-")),
            );
            net.client
                .push(&sig_ref, &[layer], config, &auth, None)
                .await
                .map_err(pushed)?;
        }
        Ok(digest)
    })
}

/// The policy directory as an OCI artifact: every file (hidden ones aside) as one layer, named by
/// its path, under riskgate's artifact and config types.
#[allow(clippy::type_complexity)]
pub(super) fn policy_artifact(
    dir: &Path,
) -> Result<
    (
        Vec<oci_client::client::ImageLayer>,
        oci_client::client::Config,
        oci_client::manifest::OciImageManifest,
    ),
    Fatal,
> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| (format!("cannot read {}: {e}", d.display()), None))?;
        for e in entries.flatten() {
            let p = e.path();
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .replace('\\', "/");
                let bytes = crate::ingest::source::read_file(&p)
                    .map_err(|e| (format!("cannot read {}: {e}", p.display()), None))?;
                files.push((rel, bytes));
            }
        }
    }
    files.sort();
    for need in ["ownership.yaml", "guardrails.yaml"] {
        if !files.iter().any(|(f, _)| f == need) {
            return Err((
                format!(
                    "{} has no {need}: it is not a policy directory",
                    dir.display()
                ),
                None,
            ));
        }
    }
    let layers: Vec<oci_client::client::ImageLayer> = files
        .into_iter()
        .map(|(title, bytes)| {
            oci_client::client::ImageLayer::new(
                bytes,
                POLICY_FILE.to_string(),
                Some(BTreeMap::from([(TITLE.to_string(), title)])),
            )
        })
        .collect();
    let config = oci_client::client::Config::new(b"{}".to_vec(), POLICY_CONFIG.to_string(), None);
    let mut manifest = oci_client::manifest::OciImageManifest::build(&layers, &config, None);
    manifest.artifact_type = Some(POLICY_ARTIFACT.to_string());
    Ok((layers, config, manifest))
}

/// The layer and config of cosign's signature of `digest` (of `name`), signed with `key`.
pub(super) fn signature(
    name: &str,
    digest: &str,
    key: &[u8],
    password: &[u8],
) -> Result<(oci_client::client::ImageLayer, oci_client::client::Config), Fatal> {
    use base64::Engine as _;
    let payload = signing_payload(name, digest);
    let sig = verify::attestation::sign_raw(&payload, key, password)
        .map_err(|e| (format!("--sign-key: {e}"), None))?;
    let layer = oci_client::client::ImageLayer::new(
        payload,
        SIMPLESIGNING.to_string(),
        Some(BTreeMap::from([(
            SIG_ANNOTATION.to_string(),
            base64::engine::general_purpose::STANDARD.encode(sig),
        )])),
    );
    let config = oci_client::client::Config::new(
        b"{}".to_vec(),
        "application/vnd.oci.image.config.v1+json".to_string(),
        None,
    );
    Ok((layer, config))
}

/// cosign's simple signing payload for `digest` of `name` (`registry/repository`).
fn signing_payload(name: &str, digest: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "critical": {
            "identity": { "docker-reference": name },
            "image": { "docker-manifest-digest": digest },
            "type": "cosign container image signature",
        },
        "optional": null,
    }))
    .unwrap_or_default()
}
