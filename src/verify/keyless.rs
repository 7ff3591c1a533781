//! Keyless (Sigstore) signatures: a Sigstore bundle (v0.1–v0.3, as `cosign sign-blob --bundle`
//! or PEP 740 tooling write them) is verified offline against a trusted root file
//! (`trusted_root.json`, the Sigstore public-good one or your own), and its signing certificate
//! must name an expected OIDC issuer and a subject matching a regular expression.
//!
//! What is checked (by the `sigstore` crate's bundle verifier): the certificate chains to a
//! Fulcio CA of the trusted root at the time it was issued, its SCT is signed by a CT log of the
//! trusted root, the signature (message or DSSE over an in-toto statement whose subject is the
//! artifact's digest) verifies with the certificate's key, and the transparency log entry is
//! consistent with the bundle and was integrated while the certificate was valid. Not checked:
//! the Rekor signature on the log entry (sigstore 0.15 does not take Rekor keys into bundle
//! verification); riskgate says so in its README.

use base64::Engine as _;
use sigstore::bundle::verify::policy::{
    OIDCIssuer, PolicyError, PolicyResult, SingleX509ExtPolicy,
};
use sigstore::bundle::verify::{blocking::Verifier, VerificationPolicy};
use sigstore::bundle::Bundle;
use sigstore::trust::ManualTrustRoot;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::ext::pkix::{name::GeneralName, SubjectAltName};

const OTHERNAME_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7");

/// The Fulcio CAs and CT log keys of a `trusted_root.json`.
pub fn trusted_root(json: &[u8]) -> Result<ManualTrustRoot<'static>, String> {
    let v: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| format!("not a trusted root JSON file: {e}"))?;
    let b64 = |s: &serde_json::Value| -> Result<Vec<u8>, String> {
        let s = s.as_str().ok_or("expected base64 text")?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|e| format!("bad base64: {e}"))
    };
    let mut root = ManualTrustRoot::default();
    for ca in v["certificateAuthorities"].as_array().into_iter().flatten() {
        for c in ca["certChain"]["certificates"]
            .as_array()
            .into_iter()
            .flatten()
        {
            root.fulcio_certs.push(b64(&c["rawBytes"])?.into());
        }
    }
    for (field, map) in [
        ("ctlogs", &mut root.ctfe_keys),
        ("tlogs", &mut root.rekor_keys),
    ] {
        for log in v[field].as_array().into_iter().flatten() {
            let id = log["logId"]["keyId"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            map.insert(id, b64(&log["publicKey"]["rawBytes"])?);
        }
    }
    if root.fulcio_certs.is_empty() || root.ctfe_keys.is_empty() {
        return Err("the trusted root names no certificate authority or no CT log".into());
    }
    Ok(root)
}

/// Issuer equality and a subject regular expression over the certificate's SAN.
pub struct IdentityPolicy {
    pub issuer: String,
    pub subject: regex::Regex,
}

impl VerificationPolicy for IdentityPolicy {
    fn verify(&self, cert: &x509_cert::Certificate) -> PolicyResult {
        OIDCIssuer::new(&self.issuer).verify(cert)?;
        let (_, san): (bool, SubjectAltName) = match cert.tbs_certificate().get_extension() {
            Ok(Some(r)) => r,
            _ => return Err(PolicyError::ExtensionNotFound),
        };
        let names: Vec<&str> = san
            .0
            .iter()
            .filter_map(|n| match n {
                GeneralName::Rfc822Name(s) => Some(s.as_str()),
                GeneralName::UniformResourceIdentifier(s) => Some(s.as_str()),
                GeneralName::OtherName(o) if o.type_id == OTHERNAME_OID => {
                    std::str::from_utf8(o.value.value()).ok()
                }
                _ => None,
            })
            .collect();
        if names.iter().any(|n| self.subject.is_match(n)) {
            Ok(())
        } else {
            Err(PolicyError::ExtensionCheckFailed {
                extension: "SubjectAltName".into(),
                expected: self.subject.as_str().to_string(),
                actual: names.join(", "),
            })
        }
    }
}

/// Verifies `bundle_json` over `artifact`, offline, for the identity.
pub fn verify(
    artifact: &[u8],
    bundle_json: &[u8],
    root: ManualTrustRoot<'static>,
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
    root: ManualTrustRoot<'static>,
    policy: &IdentityPolicy,
) -> Result<(), String> {
    let bundle: Bundle =
        serde_json::from_slice(bundle_json).map_err(|e| format!("not a Sigstore bundle: {e}"))?;
    let verifier =
        Verifier::new(Default::default(), root).map_err(|e| format!("trusted root: {e}"))?;
    verifier
        .verify_digest_with(
            sigstore::bundle::verify::ArtifactDigest::Sha256(digest),
            bundle,
            policy,
            true,
        )
        .map_err(|e| e.to_string())
}
