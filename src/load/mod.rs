//! Loading everything a `check` (or `explain`) decides on: the policy, the product, the reports,
//! threat intel, VEX and the SLA state. All I/O of a gate run happens here, before the pure core
//! runs; every problem is collected and reported, and any of them means exit 2.

pub mod artifact;
pub mod decisions;
mod files;
pub mod from_report;
pub mod image;
mod trust;

use crate::model::code::Code;
use crate::model::finding::ScanKind;
pub use files::{
    default_policy_dir, policy_files, public_key, read_builtin_policy, read_policy, read_yaml,
    Discovery, PolicyFiles,
};
use files::{read_baseline, read_state};
use trust::{acceptance_signatures, gated_images, load_vex, registry_vex, review_proofs};

use crate::ingest::vex::GatedImage;
use crate::ingest::{self, epss::Epss, kev::Kev, InputError, VexStatement};
use crate::model::date::{Date, Timestamp};
use crate::model::facts::InputInfo;
use crate::model::facts::{ArtifactFacts, ImageFacts};
use crate::model::finding::{dedup, Finding};
use crate::policy::ownership::{did_you_mean, Ownership};
use crate::policy::{self, Policy};
use crate::verify::{Signer, SignerKind, Signers};
use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Everything a gate run reads, whichever command asked for it. The command line fills it from
/// the argument groups in `cli` (each command takes only the groups it uses).
#[derive(Debug, Clone, Default)]
pub struct GateArgs {
    pub policy: Option<PathBuf>,
    /// `accept --from-report`: the findings of a riskgate json report, instead of scanner reports.
    pub from_report: Option<PathBuf>,
    pub product: Option<String>,
    pub reports: Vec<PathBuf>,
    pub acceptances: Option<PathBuf>,
    pub kev: Option<PathBuf>,
    pub epss: Option<PathBuf>,
    pub vex: Vec<PathBuf>,
    pub state: Option<PathBuf>,
    pub update_state: bool,
    pub now: Option<String>,
    pub baseline: Option<PathBuf>,
    pub images: Vec<String>,
    pub artifacts: Vec<String>,
    pub registry_ca: Vec<PathBuf>,
    pub insecure_registries: Vec<String>,
    pub explain_upcoming: bool,
    /// `check --quiet`: the human report is the verdict and counts only.
    pub quiet: bool,
    pub registry_timeout: u64,
    /// The key a policy from a registry (`--policy oci://...`) must be signed with.
    pub policy_key: Option<PathBuf>,
    /// Or the keyless identity (issuer, subject regular expression) it must be signed by, and
    /// the trusted root that signature is verified against.
    pub policy_identity: Option<Vec<String>>,
    pub policy_trusted_root: Option<PathBuf>,
    /// Accept `--policy oci://REF:TAG` (the report names the digest it resolved to).
    pub policy_allow_tag: bool,
}

/// A problem with how riskgate was asked to run (exit 2), with what to do about it.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(riskgate::usage))]
pub struct UsageError {
    pub message: String,
    #[help]
    pub help: Option<String>,
}

impl UsageError {
    pub fn new(message: impl Into<String>, help: Option<String>) -> UsageError {
        UsageError {
            message: message.into(),
            help,
        }
    }
}

/// Everything that went wrong while loading, in one diagnostic.
#[derive(Debug, Default, Error, Diagnostic)]
#[error("could not load the inputs ({} problem(s)); nothing was decided", .related.len())]
#[diagnostic(code(riskgate::inputs))]
pub struct LoadErrors {
    #[related]
    pub related: Vec<Box<dyn Diagnostic + Send + Sync>>,
}

impl LoadErrors {
    pub fn is_empty(&self) -> bool {
        self.related.is_empty()
    }

    fn push(&mut self, d: impl Diagnostic + Send + Sync + 'static) {
        self.related.push(Box::new(d));
    }
}

/// The loaded inputs of one gate run.
pub struct Loaded {
    pub policy: Policy,
    /// `accept --from-report`: the risk the report's run decided, by fingerprint.
    pub reported_risk: std::collections::HashMap<String, crate::model::outcome::RiskLevel>,
    /// The policy directory as given, or [`policy::BUILTIN`].
    pub policy_source: String,
    /// The digest of a policy from a registry (its manifest's).
    pub policy_digest: Option<String>,
    pub acceptances_path: Option<PathBuf>,
    pub product: Option<String>,
    /// What each report held, for the report's `inputs` list.
    pub inputs: Vec<InputInfo>,
    pub findings: Vec<Finding>,
    pub vex: Vec<VexStatement>,
    pub kev: Option<Kev>,
    pub epss: Option<Epss>,
    pub first_seen: Option<BTreeMap<String, Date>>,
    pub now: Timestamp,
    /// `acceptances.trusted_root` of the guardrails (else `trusted_root`), read.
    pub trusted_root: Option<Vec<u8>>,
    /// `--image` facts, fetched and verified.
    pub images: Vec<ImageFacts>,
    /// `--artifact` facts, hashed and verified.
    pub artifacts: Vec<ArtifactFacts>,
    /// The layers of the images' base images, when any is known.
    pub base_layers: Option<HashSet<String>>,
    /// Fingerprints of the `--baseline` findings.
    pub baseline: Option<HashSet<String>>,
    /// The images the run gates, for VEX: the `--image`s (verified digests) when any is given,
    /// else the images the reports say they scanned.
    pub gated_images: Vec<GatedImage>,
    /// Under `acceptances.approvals: code_review`: what CODEOWNERS says of each approver.
    pub review: Option<crate::model::facts::ReviewProofs>,
    /// Each acceptance's signature, verified (by position in the acceptances file).
    pub signatures: Vec<crate::model::facts::AcceptanceSignature>,
}

impl Loaded {
    pub fn acceptances(&self) -> &[crate::policy::acceptances::Acceptance] {
        self.policy
            .acceptances
            .as_ref()
            .map(|(a, _)| a.acceptances.as_slice())
            .unwrap_or(&[])
    }
}

/// The SLA state file: when each finding (by fingerprint) was first seen.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateFile {
    pub version: u32,
    pub first_seen: BTreeMap<String, String>,
}

/// The acceptances file of a product repository, by convention: `acceptances.yaml` beside the
/// `.riskgate/ownership.yaml` found from here up to the repository's root.
pub fn default_acceptances() -> PathBuf {
    files::Discovery::here().acceptances()
}

/// [`default_acceptances`] when it exists.
pub fn existing_default_acceptances() -> Option<PathBuf> {
    let p = default_acceptances();
    p.exists().then_some(p)
}

/// Loads every input, reporting all problems at once.
/// `gate`: a check or explain run, which needs reports and a product. Otherwise only the policy,
/// the acceptances and the clock are loaded (`riskgate acceptances`).
pub fn load(args: &GateArgs, gate: bool) -> Result<Loaded, LoadErrors> {
    let read = || {
        args.reports
            .iter()
            .map(|p| ingest::load_report(p))
            .collect::<Vec<_>>()
    };
    if crate::model::threads() < 2 || args.reports.is_empty() {
        return load_with(args, gate, read);
    }
    // The reports are read and parsed on a thread of their own while this one reads the policy
    // and the acceptances (a YAML parse of a fifth of a large `check`): neither needs the other,
    // and what each found is taken in the same order as before, so the errors and the report
    // do not depend on which finished first. Reports stay one at a time, so no more than one
    // report's bytes are held at once.
    std::thread::scope(|scope| {
        let reports = scope.spawn(read);
        load_with(args, gate, move || match reports.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    })
}

fn load_with(
    args: &GateArgs,
    gate: bool,
    reports_read: impl FnOnce() -> Vec<Result<ingest::Parsed, InputError>>,
) -> Result<Loaded, LoadErrors> {
    let mut errs = LoadErrors::default();
    let now = match &args.now {
        Some(t) => match Timestamp::parse(t) {
            Some(t) => t,
            None => {
                errs.push(UsageError::new(
                    format!("--now {t:?} is not a date or an RFC 3339 timestamp"),
                    Some("for example --now 2026-11-23 or --now 2026-11-23T10:00:00Z".into()),
                ));
                Timestamp::from_unix(0)
            }
        },
        None => clock(),
    };
    let acceptances_path = args
        .acceptances
        .clone()
        .or_else(existing_default_acceptances);
    let located = match locate_policy(args) {
        Ok(l) => l,
        Err(e) => {
            errs.push(e);
            return Err(errs);
        }
    };
    let (policy_dir, policy_digest, oci_source) = (located.dir, located.digest, located.source);
    let (policy, policy_source) = match policy_dir.clone() {
        Some(dir) => (
            read_policy(&dir, acceptances_path.as_deref()),
            dir.display().to_string(),
        ),
        None => (
            read_builtin_policy(acceptances_path.as_deref()),
            policy::BUILTIN.to_string(),
        ),
    };
    let policy = match policy {
        Ok(p) => Some(p),
        Err(problems) => {
            errs.push(problems);
            None
        }
    };
    let product = match &policy {
        Some(_) if !gate => None,
        Some(p) => match resolve_product(&p.ownership, args.product.as_deref()) {
            Ok(name) => name,
            Err(e) => {
                errs.push(e);
                None
            }
        },
        None => None,
    };
    if gate
        && args.reports.is_empty()
        && args.from_report.is_none()
        && args.images.is_empty()
        && args.artifacts.is_empty()
    {
        errs.push(UsageError::new(
            "nothing to check: no --report, --image or --artifact given",
            Some("pass the scanner reports of this build with --report FILE (repeatable), and what is deployed with --image REF or --artifact FILE".into()),
        ));
    }
    let mut reports = Vec::with_capacity(args.reports.len());
    for read in reports_read() {
        match read {
            Ok(r) if r.meta.failed => errs.push(InputError::Invalid {
                message: match &r.meta.failure {
                    Some(why) => format!("{why}, so its findings are incomplete"),
                    None => {
                        "the scanner reports that its scan failed, so its findings are incomplete"
                            .into()
                    }
                },
                path: r.path,
                help: Some("fix the scan and run the gate on a complete report".into()),
            }),
            // A VEX document is statements about findings, not a scan: given as a report it
            // would suppress without going through --vex.
            Ok(r) if matches!(r.format, "openvex" | "csaf") || r.meta.kinds == [ScanKind::Vex] => {
                errs.push(InputError::Invalid {
                    message: format!("this is a {} VEX document, not a scan report", r.format),
                    path: r.path,
                    help: Some("pass VEX documents with --vex".into()),
                })
            }
            Ok(r) => reports.push(r),
            Err(e) => errs.push(e),
        }
    }
    let kev = args.kev.as_deref().and_then(|p| match Kev::load(p) {
        Ok(k) => Some(k),
        Err(e) => {
            errs.push(e);
            None
        }
    });
    let epss = args.epss.as_deref().and_then(|p| match Epss::load(p) {
        Ok(k) => Some(k),
        Err(e) => {
            errs.push(e);
            None
        }
    });
    let baseline = args
        .baseline
        .as_deref()
        .and_then(|p| match read_baseline(p) {
            Ok(b) => Some(b),
            Err(e) => {
                errs.push(e);
                None
            }
        });
    let first_seen = match &args.state {
        None => None,
        Some(p) => match read_state(p, args.update_state) {
            Ok(s) => Some(s),
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    let Some(policy) = policy else {
        return Err(errs);
    };
    // where the files guardrails.yaml names are: the policy directory (for a policy from a
    // registry, its checked copy)
    let base = policy_dir.clone().unwrap_or_default();
    let g = &policy.guardrails;
    let PolicyFiles {
        sigstore_root,
        trusted_root,
        image_signers,
        artifact_signers,
        vex_signers,
    } = policy_files(&policy, &base, &mut errs);
    let mut vex = Vec::new();
    for p in &args.vex {
        let signers = Signers {
            signers: &vex_signers,
            trusted_root: sigstore_root.as_deref(),
        };
        match load_vex(p, &signers) {
            Ok(mut v) => vex.append(&mut v),
            Err(e) => errs.push(e),
        }
    }
    if !args.artifacts.is_empty() && g.artifacts.is_none() {
        errs.push(UsageError::new(
            "--artifact given, but guardrails.yaml has no `artifacts` section to check it against",
            Some("add `artifacts: { signatures: [...] }` to guardrails.yaml".into()),
        ));
    }
    if !args.images.is_empty() && g.images.is_none() {
        errs.push(UsageError::new(
            "--image given, but guardrails.yaml has no `images` section to check it against",
            Some("add an `images:` section (SPEC §6) to guardrails.yaml".into()),
        ));
    }
    let mut artifacts = Vec::new();
    for a in &args.artifacts {
        match crate::load::artifact::check(
            a,
            &Signers {
                signers: &artifact_signers,
                trusted_root: sigstore_root.as_deref(),
            },
        ) {
            Ok(f) => artifacts.push(f),
            Err(e) => errs.push(e),
        }
    }
    if !errs.related.is_empty() {
        return Err(errs);
    }
    // The network, last: only once everything else is known to be in order.
    let images = match g.images.as_ref().filter(|_| !args.images.is_empty()) {
        None => Vec::new(),
        Some(cfg) => {
            let base = match crate::load::image::RegistryOptions::read(
                &args.registry_ca,
                &args.insecure_registries,
                args.registry_timeout,
            ) {
                Ok(b) => b,
                // a CA that cannot be read: exit 2, and no registry is asked without it
                Err(list) => {
                    for e in list {
                        errs.push(UsageError::new(e, None));
                    }
                    return Err(errs);
                }
            };
            let opts = crate::load::image::RegistryOptions {
                allowed_registries: cfg.allowed_registries.clone(),
                product_images: product
                    .as_deref()
                    .and_then(|n| policy.ownership.products.get(n))
                    .map(|p| p.images.clone())
                    .unwrap_or_default(),
                ..base
            };
            let has_key = image_signers
                .iter()
                .any(|s| matches!(s.kind, SignerKind::Key(_)));
            let has_keyless = image_signers
                .iter()
                .any(|s| matches!(s.kind, SignerKind::Keyless(_)));
            let layered = reports.iter().any(|r| !r.meta.diff_ids.is_empty());
            let needs = crate::load::image::Needs {
                key_signatures: has_key && !cfg.signatures.is_empty(),
                bundles: has_keyless,
                attestations: has_key && !cfg.attestations.is_empty(),
                config: cfg.forbid_root_user || cfg.base_images.is_some(),
                base: cfg
                    .base_images
                    .as_ref()
                    .is_some_and(|b| b.max_age_days.is_some())
                    || layered,
            };
            match crate::load::image::gather(
                &args.images,
                &opts,
                needs,
                &Signers {
                    signers: &image_signers,
                    trusted_root: sigstore_root.as_deref(),
                },
            ) {
                Ok(f) if g.vex.from_registry => {
                    let signers = Signers {
                        signers: &vex_signers,
                        trusted_root: sigstore_root.as_deref(),
                    };
                    match registry_vex(&f, &opts, &signers) {
                        Ok(mut v) => vex.append(&mut v),
                        Err(e) => errs.push(e),
                    }
                    f
                }
                Ok(f) => f,
                Err(list) => {
                    for e in list {
                        errs.push(UsageError::new(
                            format!("--image {}: {}", e.reference, e.message),
                            e.help,
                        ));
                    }
                    Vec::new()
                }
            }
        }
    };
    let base_layers: Option<HashSet<String>> = images
        .iter()
        .filter_map(|i| i.base.as_ref())
        .filter(|b| !b.layers.is_empty())
        .map(|b| b.layers.iter().cloned().collect::<HashSet<String>>())
        .reduce(|mut a, b| {
            a.extend(b);
            a
        });
    if !errs.related.is_empty() {
        return Err(errs);
    }
    let inputs = reports
        .iter()
        .map(|r| InputInfo {
            path: r.path.clone(),
            format: r.format,
            count: r.findings.len(),
            created: r.meta.created,
            kinds: r.meta.kinds.clone(),
            notes: r.meta.notes.clone(),
        })
        .collect();
    let gated_images = gated_images(&images, &reports);
    let signatures = acceptance_signatures(&policy, trusted_root.as_deref());
    let review = review_proofs(
        &policy,
        args.policy.clone().or_else(default_policy_dir).as_deref(),
        acceptances_path.as_deref(),
    );
    let mut all = Vec::new();
    let mut reported_risk = std::collections::HashMap::new();
    if let Some(p) = &args.from_report {
        match from_report::read(p) {
            Ok(r) => {
                all = r.findings;
                reported_risk = r.risk;
            }
            Err(e) => errs.push(e),
        }
    }
    for r in &mut reports {
        // Moved, not appended: `append` would copy them and leave each report's buffer
        // allocated beside the copy (two findings' worth of memory, issue 13).
        let mut found = std::mem::take(&mut r.findings);
        if all.is_empty() {
            all = found;
        } else {
            all.append(&mut found);
        }
        vex.append(&mut r.vex);
    }
    let mut findings = dedup(all);
    // Held until the report is written: the list has the spare capacity it grew by while it
    // was read (up to a sixteenth past 65,536, half below; `push_finding`) and the room of
    // the duplicates dedup merged (a `Finding` is 352 bytes; issue 13's memory bound).
    // Shrinking a large allocation remaps it in place: nothing is copied.
    findings.shrink_to_fit();
    if let Some((accs, file)) = &policy.acceptances {
        for (i, ids) in crate::policy::acceptances::shared_aliases(&findings, &accs.acceptances) {
            let Some(a) = accs.acceptances.get(i) else {
                continue;
            };
            errs.push(file.problem(Code::AcceptanceInvalid,
                &format!("acceptances.{i}.finding"),
                format!(
                    "acceptance {} names {}, an alias shared by {} distinct vulnerabilities of this run ({}): one acceptance may cover one vulnerability",
                    a.id,
                    a.finding,
                    ids.len(),
                    ids.join(", ")
                ),
                Some(format!(
                    "write one acceptance per vulnerability, naming its own id ({}), each with its own risk and reason",
                    ids.iter().map(|id| format!("riskgate accept {id} ...")).collect::<Vec<_>>().join("; ")
                )),
            ));
        }
    }
    if !errs.related.is_empty() {
        return Err(errs);
    }
    vex.sort_by(|a, b| {
        (&a.document, &a.vulnerability, &a.products).cmp(&(
            &b.document,
            &b.vulnerability,
            &b.products,
        ))
    });
    Ok(Loaded {
        policy,
        reported_risk,
        policy_source: oci_source.unwrap_or(policy_source),
        policy_digest,
        acceptances_path,
        product,
        inputs,
        findings,
        vex,
        kev,
        epss,
        first_seen,
        now,
        trusted_root,
        images,
        artifacts,
        base_layers,
        baseline,
        gated_images,
        review,
        signatures,
    })
}

/// `--policy oci://REF`: fetched (or found in the cache) and checked, with `--policy-key`.
/// Where the policy is: the directory given (or `.riskgate/`), none for the built-in one, or,
/// for `--policy oci://REF@sha256:...`, the checked copy of the artifact (with its digest and
/// `oci://` source; a tag warns with the digest it resolved to). The one reading of `--policy`
/// that `check`, `validate` and `org` share.
pub struct PolicyLocation {
    pub dir: Option<PathBuf>,
    pub digest: Option<String>,
    /// `oci://REF@sha256:...` for a policy from a registry.
    pub source: Option<String>,
}

/// Who the published policy must be signed by: `--policy-key`, or `--policy-identity` with
/// `--policy-trusted-root`.
fn policy_trust(args: &GateArgs) -> Result<Option<image::PolicyTrust>, UsageError> {
    let usage = |m: String| UsageError::new(m, None);
    match (&args.policy_key, &args.policy_identity, &args.policy_trusted_root) {
        (Some(_), Some(_), _) => Err(usage(
            "give --policy-key or --policy-identity, not both".into(),
        )),
        (Some(p), None, _) => public_key(p)
            .map(|k| Some(image::PolicyTrust::Key(k)))
            .map_err(|e| usage(format!("--policy-key: {e}"))),
        (None, Some(id), Some(root)) => {
            let [issuer, subject] = id.as_slice() else {
                return Err(usage("--policy-identity takes an issuer and a subject".into()));
            };
            let subject = regex::Regex::new(subject)
                .map_err(|e| usage(format!("--policy-identity subject `{subject}`: {e}")))?;
            let root = ingest::source::read_file(root)
                .map_err(|e| e.to_string())
                .and_then(|b| crate::verify::keyless::trusted_root(&b).map(|_| b))
                .map_err(|e| usage(format!("--policy-trusted-root {}: {e}", root.display())))?;
            let signer = crate::verify::Signer {
                label: format!("keyless {issuer} {}", subject.as_str()),
                kind: crate::verify::SignerKind::Keyless(crate::verify::keyless::IdentityPolicy {
                    issuer: issuer.clone(),
                    subject,
                }),
            };
            Ok(Some(image::PolicyTrust::Keyless { signer, root }))
        }
        (None, Some(_), None) => Err(usage(
            "--policy-identity needs --policy-trusted-root (the Sigstore trusted_root.json it is verified against)".into(),
        )),
        (None, None, Some(_)) => Err(usage(
            "--policy-trusted-root is for --policy-identity".into(),
        )),
        (None, None, None) => Ok(None),
    }
}

pub fn locate_policy(args: &GateArgs) -> Result<PolicyLocation, UsageError> {
    let dir = args.policy.clone().or_else(default_policy_dir);
    let given = dir.as_ref().and_then(|p| p.to_str());
    // `oci://REF@sha256:...` (a registry) or `oci:LAYOUT@sha256:...` (an OCI image layout)
    let published = given.and_then(|p| p.strip_prefix("oci:"));
    let Some(rest) = published else {
        if args.policy_key.is_some() || args.policy_identity.is_some() {
            return Err(UsageError::new(
                "--policy-key and --policy-identity check a published policy, and --policy is not oci://... or oci:DIR@...",
                None,
            ));
        }
        return Ok(PolicyLocation {
            dir,
            digest: None,
            source: None,
        });
    };
    let key = policy_trust(args)?;
    let pin = match rest.strip_prefix("//") {
        Some(reference) => {
            let opts = image::RegistryOptions::read(
                &args.registry_ca,
                &args.insecure_registries,
                args.registry_timeout,
            )
            .map_err(|e| UsageError::new(e.join("; "), None))?;
            image::fetch_policy(reference, key.as_ref(), args.policy_allow_tag, &opts)
        }
        None => image::fetch_policy_layout(rest, key.as_ref(), args.policy_allow_tag),
    }
    .map_err(|(m, h)| UsageError::new(m, h))?;
    if let Some(tag) = &pin.tag {
        eprintln!(
            "warning: --policy oci:{rest}: tag `{tag}` resolved to {}; pin it by digest",
            pin.digest
        );
    }
    Ok(PolicyLocation {
        dir: Some(pin.dir.join("files")),
        digest: Some(pin.digest),
        source: Some(pin.source),
    })
}

/// The system clock, read only here (the core takes `now` as an input).
pub fn clock() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Timestamp::from_unix(secs)
}

/// The product of this run: `--product`, else the one product whose `repos` match the CI
/// repository. A register without products (the built-in policy) gives `None`: findings are then
/// unowned and `ownership.unowned` decides.
pub fn resolve_product(own: &Ownership, given: Option<&str>) -> Result<Option<String>, UsageError> {
    let known: Vec<&str> = own.products.keys().map(String::as_str).collect();
    if let Some(name) = given {
        if own.products.contains_key(name) {
            return Ok(Some(name.to_string()));
        }
        return Err(UsageError::new(
            format!("unknown product `{name}`: it is not in the ownership register"),
            did_you_mean(name, &known).or(Some("the register has no products".into())),
        ));
    }
    if own.products.is_empty() {
        return Ok(None);
    }
    let repos = ci_repositories();
    let hits: Vec<&str> = own
        .products
        .iter()
        .filter(|(_, p)| repos.iter().any(|r| p.repos.is_match(r)))
        .map(|(n, _)| n.as_str())
        .collect();
    match hits.as_slice() {
        [one] => Ok(Some(one.to_string())),
        // Outside CI (no repository to match), a register of one product is about that product.
        [] if repos.is_empty() && known.len() == 1 => Ok(known.first().map(|k| k.to_string())),
        [] => Err(UsageError::new(
            if repos.is_empty() {
                "which product is this? No --product given, and neither GITHUB_REPOSITORY nor CI_PROJECT_PATH is set".to_string()
            } else {
                format!(
                    "which product is this? No --product given, and no product's `repos` match {}",
                    repos.join(" or ")
                )
            },
            Some(format!("pass --product NAME (known: {})", known.join(", "))),
        )),
        many => Err(UsageError::new(
            format!(
                "several products match this repository ({}); pass --product",
                many.join(", ")
            ),
            None,
        )),
    }
}

/// The CI repository as `owner/name` and as `host/owner/name`.
fn ci_repositories() -> Vec<String> {
    let mut out = Vec::new();
    for (var, host_var, default_host) in [
        ("GITHUB_REPOSITORY", "GITHUB_SERVER_URL", "github.com"),
        ("CI_PROJECT_PATH", "CI_SERVER_HOST", "gitlab.com"),
    ] {
        let Ok(repo) = std::env::var(var) else {
            continue;
        };
        let repo = repo.trim().trim_matches('/');
        if repo.is_empty() {
            continue;
        }
        let host = std::env::var(host_var).unwrap_or_else(|_| default_host.to_string());
        let host = host
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/');
        out.push(repo.to_string());
        out.push(format!("{host}/{repo}"));
    }
    out
}
