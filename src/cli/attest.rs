//! Signed decisions: `check --attest` (write, sign, and with `--attach` attach the decision to
//! the image) and `riskgate verify` (at deploy: is there a decision that allowed this digest?).

use super::*;
use crate::model::date::Timestamp;
use crate::model::facts::VSA_PREDICATE;
use crate::report::attestation::{statement, PolicyRef, Subject};
use crate::verify::attestation::{self as vsa, Expect};

/// The policy's digest: sha256 over the sorted `{file: sha256}` map of the policy files the run
/// read, named relative to the policy directory (the built-in policy: its guardrails.yaml).
/// What `verify --policy-digest` compares. For a policy from a registry, its manifest digest.
pub(super) fn policy_digest(loaded: &load::Loaded, inputs: &[(String, String)]) -> String {
    // a policy from a registry: its manifest's digest, which names every file's
    if let Some(d) = &loaded.policy_digest {
        return d.clone();
    }
    let builtin = format!("{}/", crate::policy::BUILTIN);
    let dir = format!("{}/", loaded.policy_source.trim_end_matches('/'));
    let prefix = if loaded.policy_source == crate::policy::BUILTIN {
        builtin.as_str()
    } else {
        dir.as_str()
    };
    let files: std::collections::BTreeMap<&str, &str> = inputs
        .iter()
        .filter_map(|(p, d)| Some((p.strip_prefix(prefix)?, d.as_str())))
        .collect();
    let bytes = serde_json::to_vec(&files).unwrap_or_default();
    crate::model::digest::sha256(&bytes)
}

/// `check --attest`: the signed decision, written and (with `--attach`) attached. `None` when
/// all went well (or nothing was asked); the exit code when it did not.
pub(super) fn write(
    view: &View,
    loaded: &load::Loaded,
    args: &GateArgs,
    attest: &AttestArgs,
) -> Option<ExitCode> {
    if attest.attest.is_none() && attest.attest_predicate.is_none() {
        return None;
    }
    let error =
        |msg: String, help: Option<&str>| Some(fail(UsageError::new(msg, help.map(String::from))));
    let mut subjects = Vec::new();
    for given in &args.images {
        let digest = loaded
            .images
            .iter()
            .find(|i| &i.reference == given)
            .and_then(|i| i.digest.as_deref())
            .or_else(|| crate::model::digest::pinned(given));
        match digest {
            Some(d) => subjects.push(Subject { name: given, digest: d }),
            None => {
                return error(
                    format!("--attest: the digest of {given} is not known"),
                    Some("give the image by digest (registry/repository@sha256:...), or check it under guardrails.yaml `images`"),
                )
            }
        }
    }
    for a in &loaded.artifacts {
        subjects.push(Subject {
            name: &a.path,
            digest: &a.digest,
        });
    }
    if subjects.is_empty() {
        return error(
            "--attest: a decision is about a digest, and this run gates no --image or --artifact"
                .into(),
            Some("add the --image (or --artifact) the decision is for"),
        );
    }
    let inputs = check::inputs_read(loaded);
    let digest = policy_digest(loaded, &inputs);
    let policy = PolicyRef {
        uri: &loaded.policy_source,
        digest: &digest,
    };
    let st = statement(view, &subjects, &policy, &inputs, args.now.is_some());
    if let Some(out) = &attest.attest_predicate {
        let predicate = serde_json::to_value(&st)
            .map(|mut v| v["predicate"].take())
            .and_then(|p| serde_json::to_vec_pretty(&p));
        let written = predicate
            .map_err(std::io::Error::other)
            .and_then(|p| crate::write::replace_with(out, |w| w.write_all(&p)));
        if let Err(e) = written {
            return error(format!("cannot write {}: {e}", out.display()), None);
        }
        eprintln!(
            "decision predicate written to {} (policy {digest}); sign it with `cosign attest --type {VSA_PREDICATE} --predicate {}`",
            out.display(),
            out.display()
        );
    }
    let (Some(out), Some(key_path)) = (&attest.attest, &attest.attest_key) else {
        return None;
    };
    let key = match crate::ingest::source::read_file(key_path) {
        Ok(k) => k,
        Err(e) => {
            return error(
                format!("cannot read --attest-key {}: {e}", key_path.display()),
                None,
            )
        }
    };
    let password = match workflow::password() {
        Ok(p) => p,
        Err(code) => return Some(code),
    };
    let st = serde_json::to_vec(&st).unwrap_or_default();
    let envelope = match vsa::sign(&st, &key, &password) {
        Ok(e) => e,
        Err(e) => return error(format!("--attest-key {}: {e}", key_path.display()), None),
    };
    if let Err(e) = crate::write::replace_with(out, |w| w.write_all(&envelope)) {
        return error(format!("cannot write {}: {e}", out.display()), None);
    }
    eprintln!(
        "signed decision written to {} (policy {digest})",
        out.display()
    );
    if attest.attach {
        let opts = match crate::load::image::RegistryOptions::read(
            &args.registry_ca,
            &args.insecure_registries,
            args.registry_timeout,
        ) {
            Ok(o) => o,
            Err(e) => return error(e.join("; "), None),
        };
        let run_hosts = crate::load::image::registry_hosts(&args.images);
        for s in subjects
            .iter()
            .filter(|s| args.images.iter().any(|i| i == s.name))
        {
            let attached = crate::load::image::attach(
                s.name,
                s.digest,
                &envelope,
                VSA_PREDICATE,
                &run_hosts,
                &opts,
            );
            match attached {
                Ok(to) => eprintln!("signed decision attached to {} as {to}", s.name),
                Err(e) => {
                    return error(
                        format!("--attach {}: {}", e.reference, e.message),
                        e.help.as_deref(),
                    )
                }
            }
        }
    }
    None
}

/// `riskgate verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The image (registry/repository@sha256:..., a tag, or oci:DIR[:TAG]) or the file about to
    /// be deployed
    #[arg(value_name = "IMAGE|FILE")]
    pub target: String,
    /// The gate's public key (cosign format): only decisions it signed count
    #[arg(long, value_name = "KEY", required_unless_present = "identity")]
    pub key: Option<PathBuf>,
    /// Or the gate's keyless identity: only decisions in Sigstore bundles whose Fulcio
    /// certificate names this OIDC issuer and a subject matching the regular expression count
    /// (e.g. `https://token.actions.githubusercontent.com
    /// '^https://github.com/acme/platform/.github/workflows/gate.yml@refs/heads/main$'`)
    #[arg(long, num_args = 2, value_names = ["ISSUER", "SUBJECT_REGEX"], conflicts_with = "key", requires = "trusted_root")]
    pub identity: Option<Vec<String>>,
    /// The Sigstore trusted root (`trusted_root.json`) keyless decisions are verified against,
    /// offline
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub trusted_root: Option<PathBuf>,
    /// A signed decision (a DSSE envelope from `check --attest`; with --identity, a Sigstore
    /// bundle) to check instead of those attached to the image (offline for an image given by
    /// digest); for a file, where its decision is. Repeatable.
    #[arg(long = "attestation", value_name = "FILE")]
    pub attestations: Vec<PathBuf>,
    /// The policy the decision must have been taken under (the digest `check --attest` prints)
    #[arg(long, value_name = "sha256:HEX")]
    pub policy_digest: Option<String>,
    /// The oldest decision accepted: `7d`, `12h`, `30m`
    #[arg(long, value_name = "DURATION", value_parser = vsa::parse_duration)]
    pub max_age: Option<i64>,
    /// Judge freshness as of this instant instead of the clock (for reproductions)
    #[arg(long, value_name = "RFC3339|DATE")]
    pub now: Option<String>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

pub(super) fn verify(a: &VerifyArgs) -> ExitCode {
    let usage =
        |msg: String, help: Option<&str>| fail(UsageError::new(msg, help.map(String::from)));
    let trust = match (&a.key, &a.identity, &a.trusted_root) {
        (Some(k), _, _) => match load::public_key(k) {
            Ok(k) => Trust::Key(k),
            Err(e) => return usage(format!("--key: {e}"), None),
        },
        (None, Some(id), Some(root)) => {
            let [issuer, subject] = id.as_slice() else {
                return usage("--identity takes an issuer and a subject".into(), None);
            };
            let subject = match regex::Regex::new(subject) {
                Ok(r) => r,
                Err(e) => return usage(format!("--identity subject `{subject}`: {e}"), None),
            };
            let root = match crate::ingest::source::read_file(root)
                .map_err(|e| e.to_string())
                .and_then(|b| crate::verify::keyless::trusted_root(&b).map(|_| b))
            {
                Ok(b) => b,
                Err(e) => return usage(format!("--trusted-root {}: {e}", root.display()), None),
            };
            let issuer = issuer.clone();
            Trust::Keyless(
                crate::verify::keyless::IdentityPolicy { issuer, subject },
                root,
            )
        }
        _ => return usage("give --key, or --identity with --trusted-root".into(), None),
    };
    if let Some(d) = &a.policy_digest {
        if crate::model::digest::digest_bytes(d).is_err() {
            return usage(
                format!("--policy-digest `{d}` is not sha256:<64 hex digits>"),
                None,
            );
        }
    }
    let now = match a.now.as_deref() {
        None => load::clock(),
        Some(s) => match Timestamp::parse(s) {
            Some(t) => t,
            None => {
                return usage(
                    format!("--now `{s}` is not an RFC 3339 timestamp or a date"),
                    None,
                )
            }
        },
    };
    // The digest: of the file; of the image as given by digest; else as the registry names it.
    // Decisions: the --attestation files when given (offline for a digest), else those attached.
    let local = std::path::Path::new(&a.target);
    let pinned = crate::model::digest::pinned(&a.target).map(str::to_string);
    let (digest, mut envelopes) = if local.is_file() {
        match crate::ingest::source::read_file(local) {
            Ok(b) => (crate::model::digest::sha256(&b), Vec::new()),
            Err(e) => return usage(format!("cannot read {}: {e}", local.display()), None),
        }
    } else if let (Some(d), false) = (&pinned, a.attestations.is_empty()) {
        (d.clone(), Vec::new())
    } else {
        let opts = match a.registry.options() {
            Ok(o) => o,
            Err(e) => return usage(e, None),
        };
        // keyless decisions are Sigstore bundles, which cosign attaches in the referrers
        let found = match trust {
            Trust::Key(_) => crate::load::image::attestations(&a.target, None, &opts),
            Trust::Keyless(..) => {
                crate::load::image::attestations_and_bundles(&a.target, None, &opts)
                    .map(|(d, _, bundles)| (d, bundles))
            }
        };
        match found {
            Ok((d, found)) if a.attestations.is_empty() => (d, found),
            Ok((d, _)) => (d, Vec::new()),
            Err(e) => return usage(format!("{}: {}", e.reference, e.message), e.help.as_deref()),
        }
    };
    if let Some(d) = pinned.filter(|d| *d != digest) {
        return usage(format!("{} resolves to {digest}, not {d}", a.target), None);
    }
    for p in &a.attestations {
        match crate::ingest::source::read_file(p) {
            Ok(b) => envelopes.push((p.display().to_string(), b)),
            Err(e) => {
                return usage(
                    format!("cannot read --attestation {}: {e}", p.display()),
                    None,
                )
            }
        }
    }
    let expect = Expect {
        digest: &digest,
        policy_digest: a.policy_digest.as_deref(),
        max_age: a.max_age,
        now,
    };
    let mut refused = Vec::new();
    for (source, env) in &envelopes {
        let checked = match &trust {
            Trust::Key(key) => vsa::check(env, key, &expect),
            Trust::Keyless(id, root) => vsa::check_keyless(env, root, id, &expect),
        };
        match checked {
            Ok(p) => {
                println!(
                    "PASSED: {} ({digest}) was allowed by the gate at {} ({} ago), product {}, policy {}; decision from {source}",
                    a.target,
                    p.time_verified,
                    vsa::human_age(now.unix() - p.time_verified.unix()),
                    p.product.as_deref().unwrap_or("(none)"),
                    p.policy_digest,
                );
                return ExitCode::from(EXIT_ALLOW);
            }
            Err(why) => refused.push(format!("{source}: {why}")),
        }
    }
    println!("FAILED: no signed decision allows {} ({digest})", a.target);
    if refused.is_empty() {
        println!("  no decision was found (is it attached? was the image gated with `check --attest --attach`?)");
    }
    for r in refused {
        println!("  {r}");
    }
    ExitCode::from(EXIT_BLOCK)
}

/// Who a deploy trusts to have signed the decision.
enum Trust {
    Key(sigstore::crypto::CosignVerificationKey),
    /// The identity, and the trusted root's bytes.
    Keyless(crate::verify::keyless::IdentityPolicy, Vec<u8>),
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Push the policy directory DIR to REF (registry/repository:tag, or an OCI image layout
    /// oci:DIR[:TAG]) as an OCI artifact and print its digest: what pipelines give as
    /// `--policy oci://REF@sha256:...` (or `--policy oci:DIR@sha256:...`).
    Push {
        /// The policy directory: ownership.yaml, guardrails.yaml and the files they name
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Where to push it: registry/repository:tag, or oci:DIR[:TAG] (an OCI image layout,
        /// created when absent; `skopeo copy` moves it to a registry unchanged)
        #[arg(value_name = "REF")]
        reference: String,
        /// Sign it with this cosign private key (password from COSIGN_PASSWORD), as cosign
        /// signs images: pipelines check it with --policy-key
        #[arg(long, value_name = "KEY")]
        sign_key: Option<PathBuf>,
        #[command(flatten)]
        registry: RegistryArgs,
    },
}

pub(super) fn policy(c: &PolicyCommand) -> ExitCode {
    let PolicyCommand::Push {
        dir,
        reference,
        sign_key,
        registry,
    } = c;
    let usage = |msg: String, help: Option<String>| fail(UsageError::new(msg, help));
    // a policy with errors is not published
    if let Err(problems) = crate::load::read_policy(dir, None) {
        if problems.has_errors() {
            return fail(problems);
        }
    }
    let key = match sign_key {
        None => None,
        Some(p) => match crate::ingest::source::read_file(p) {
            Ok(k) => match workflow::password() {
                Ok(pw) => Some((k, pw)),
                Err(code) => return code,
            },
            Err(e) => return usage(format!("cannot read --sign-key {}: {e}", p.display()), None),
        },
    };
    let opts = match registry.options() {
        Ok(o) => o,
        Err(e) => return usage(e, None),
    };
    let sign = key.as_ref().map(|(k, pw)| (k.as_slice(), pw.as_slice()));
    let layout = reference
        .strip_prefix("oci:")
        .filter(|r| !r.starts_with("//"));
    let pushed = match layout {
        Some(l) => crate::load::image::policy_layout_plan(dir, l, sign).and_then(|plan| {
            let digest = crate::write::oci_layout::write(&plan).map_err(|e| (e, None))?;
            Ok((digest, format!("oci:{}", plan.dir.display())))
        }),
        None => crate::load::image::push_policy(dir, reference, sign, &opts).map(|digest| {
            let name = reference
                .rsplit_once(':')
                .filter(|(_, t)| !t.contains('/'))
                .map_or(reference.as_str(), |(n, _)| n);
            (digest, format!("oci://{name}"))
        }),
    };
    match pushed {
        Ok((digest, name)) => {
            let gate = format!("{name}@{digest}");
            println!("{digest}");
            eprintln!(
                "pushed {} as {reference}{}; gate with --policy {gate}",
                dir.display(),
                if sign.is_some() { ", signed" } else { "" }
            );
            ExitCode::from(EXIT_ALLOW)
        }
        Err((m, h)) => usage(m, h),
    }
}
