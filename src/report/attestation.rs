//! The decision as a signed statement the deploy can check: an in-toto Statement v1 whose
//! predicate is a SLSA Verification Summary (`https://slsa.dev/verification_summary/v1`), about
//! the digests of the images and artifacts the run gated. `check --attest` writes it (signed by
//! `verify::attestation::sign`), `riskgate verify` and admission controllers read it.
//!
//! The predicate's standard fields are what Kyverno and policy-controller conditions look at
//! (`verificationResult`, `verifier.id`, `timeVerified`, `policy.digest`); riskgate's own
//! details sit under `riskgate` (verdict, counts, acceptances used, whether the clock was pinned).

use super::View;
use crate::decide::{Status, Verdict};
use crate::model::facts::{STATEMENT_TYPE, VERIFIER_ID, VSA_PREDICATE};
use serde_json::{json, Value};

/// What a decision is about: an image (its reference) or an artifact (its file name), by digest.
pub struct Subject<'a> {
    pub name: &'a str,
    /// `sha256:<hex>`.
    pub digest: &'a str,
}

/// Where the policy came from and its digest (`sha256:<hex>`).
pub struct PolicyRef<'a> {
    pub uri: &'a str,
    pub digest: &'a str,
}

fn sha256_of(digest: &str) -> Value {
    json!({ "sha256": digest.strip_prefix("sha256:").unwrap_or(digest) })
}

/// The statement. `inputs` are every file the decision read, with its `sha256:` digest;
/// `clock_pinned` says whether `--now` replaced the clock (a deploy refuses such decisions).
pub fn statement(
    view: &View,
    subjects: &[Subject],
    policy: &PolicyRef,
    inputs: &[(String, String)],
    clock_pinned: bool,
) -> Value {
    let d = view.decision;
    let passed = d.verdict == Verdict::Allow;
    let highest_accepted = d
        .findings
        .iter()
        .filter(|f| f.status == Status::Accepted)
        .map(|f| f.risk)
        .max();
    let mut levels = vec![format!(
        "RISKGATE_VERDICT_{}",
        if passed { "ALLOW" } else { "BLOCK" }
    )];
    if let Some(r) = highest_accepted {
        levels.push(format!(
            "RISKGATE_ACCEPTED_RISK_{}",
            r.as_str().to_ascii_uppercase()
        ));
    }
    let counts = d.counts();
    let mut used: Vec<&str> = d
        .acceptances
        .iter()
        .filter(|u| !u.covers.is_empty())
        .map(|u| u.acceptance.id.as_str())
        .collect();
    used.sort_unstable();
    used.dedup();
    json!({
        "_type": STATEMENT_TYPE,
        "subject": subjects.iter().map(|s| json!({
            "name": s.name,
            "digest": sha256_of(s.digest),
        })).collect::<Vec<_>>(),
        "predicateType": VSA_PREDICATE,
        "predicate": {
            "verifier": {
                "id": VERIFIER_ID,
                "version": { "riskgate": env!("CARGO_PKG_VERSION") },
            },
            "timeVerified": d.now.to_string(),
            "resourceUri": subjects.first().map(|s| resource_uri(s)).unwrap_or_default(),
            "policy": { "uri": policy.uri, "digest": sha256_of(policy.digest) },
            "inputAttestations": inputs.iter().map(|(uri, digest)| json!({
                "uri": uri,
                "digest": sha256_of(digest),
            })).collect::<Vec<_>>(),
            "verificationResult": if passed { "PASSED" } else { "FAILED" },
            "verifiedLevels": levels,
            "riskgate": {
                "product": d.product,
                "verdict": if passed { "allow" } else { "block" },
                "counts": counts,
                "highest_accepted_risk": highest_accepted.map(|r| r.as_str()),
                "acceptances_used": used,
                "clock": if clock_pinned { "pinned" } else { "system" },
            },
        },
    })
}

/// `name@sha256:...` for an image given by tag or digest; the file name for an artifact.
fn resource_uri(s: &Subject) -> String {
    let name = s.name.split('@').next().unwrap_or(s.name);
    // a tag after the last `/` is not part of the repository
    let repo = match name.rfind(':') {
        Some(i) if !name[i..].contains('/') => &name[..i],
        _ => name,
    };
    format!("{repo}@{}", s.digest)
}
