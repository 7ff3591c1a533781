//! Keyless (Sigstore) signatures: a Sigstore bundle (v0.1–v0.3, as `cosign sign-blob --bundle`,
//! cosign v3 or PEP 740 tooling write them, with Rekor v1 or Rekor v2 log entries) is verified
//! offline against a trusted root file (`trusted_root.json`, the Sigstore public-good one or your
//! own), and its signing certificate must name an expected OIDC issuer and a subject matching a
//! regular expression.
//!
//! The verification is sigstore-rust's (`sigstore-verify`): the certificate chains to a Fulcio
//! CA of the trusted root at every verified time, its SCT is signed by a CT log of the trusted
//! root, the signature (message, or DSSE over an in-toto statement whose subject is the
//! artifact's digest) verifies with the certificate's key, the log entry's inclusion proof and
//! signed checkpoint (Rekor v2) or signed entry timestamp (Rekor v1) verify with the trusted
//! root's Rekor keys, RFC 3161 timestamps with its timestamp authorities, and the entry is
//! consistent with the bundle. Nothing is fetched: the trusted root is the only trust material.

use sigstore_verify::trust_root::TrustedRoot;
use sigstore_verify::types::{Bundle, Sha256Hash};
use sigstore_verify::{VerificationPolicy, Verifier};

/// A `trusted_root.json` (Sigstore's format: Fulcio CAs, CT logs, Rekor logs, timestamp
/// authorities), checked as a verifier would use it.
pub fn trusted_root(json: &[u8]) -> Result<TrustedRoot, String> {
    let text =
        std::str::from_utf8(json).map_err(|e| format!("not a trusted root JSON file: {e}"))?;
    let root =
        TrustedRoot::from_json(text).map_err(|e| format!("not a trusted root JSON file: {e}"))?;
    if root.certificate_authorities.is_empty() || root.ctlogs.is_empty() {
        return Err("the trusted root names no certificate authority or no CT log".into());
    }
    Verifier::new(&root).map_err(|e| format!("the trusted root is not usable: {e}"))?;
    Ok(root)
}

/// Issuer equality and a subject regular expression over the certificate's SAN (its email
/// address or URI: what Fulcio writes for every OIDC issuer but GitHub's user accounts).
pub struct IdentityPolicy {
    pub issuer: String,
    pub subject: regex::Regex,
}

/// Verifies `bundle_json` over `artifact`, offline, for the identity.
pub fn verify(
    artifact: &[u8],
    bundle_json: &[u8],
    root: TrustedRoot,
    policy: &IdentityPolicy,
) -> Result<(), String> {
    use sha2::Digest as _;
    verify_digest(
        sha2::Sha256::digest(artifact).into(),
        bundle_json,
        root,
        policy,
    )
}

/// Verifies `bundle_json` over an artifact known by its sha256 digest (an image manifest's), offline,
/// for the identity. A DSSE bundle verifies when one of its subjects carries the digest.
pub fn verify_digest(
    digest: [u8; 32],
    bundle_json: &[u8],
    root: TrustedRoot,
    policy: &IdentityPolicy,
) -> Result<(), String> {
    let text =
        std::str::from_utf8(bundle_json).map_err(|e| format!("not a Sigstore bundle: {e}"))?;
    let bundle = Bundle::from_json(text).map_err(|e| format!("not a Sigstore bundle: {e}"))?;
    let verifier = Verifier::new(&root).map_err(|e| format!("trusted root: {e}"))?;
    // The issuer is checked by the verifier; the subject, a regular expression, here, on the
    // identity of the certificate the verifier checked.
    let wanted = VerificationPolicy::any_identity().require_issuer(policy.issuer.as_str());
    let result = verifier
        .verify(Sha256Hash::new(digest), &bundle, &wanted)
        .map_err(|e| e.to_string())?;
    match result.identity() {
        Some(id) if policy.subject.is_match(id.as_str()) => Ok(()),
        Some(id) => Err(format!(
            "the signing certificate's SubjectAltName does not match {}: it is {id}",
            policy.subject.as_str()
        )),
        None => Err(
            "the signing certificate has no SubjectAltName email address or URI to match".into(),
        ),
    }
}
