//! Signed acceptances with cosign-compatible keys (the `sigstore` crate): `riskgate keygen`
//! writes an encrypted private key and a public key in cosign's formats; a signature covers the
//! acceptance's canonical JSON (every field but `signature`, keys sorted, absent fields left out)
//! and is checked against the keys `ownership.yaml` lists under `people:` for the approver.

use crate::policy::acceptances::Acceptance;
use crate::policy::ownership::Ownership;
use base64::Engine as _;
use sigstore::crypto::signing_key::SigStoreKeyPair;
use sigstore::crypto::{CosignVerificationKey, Signature, SigningScheme};
use std::collections::BTreeMap;

/// The bytes a signature covers.
pub fn canonical(a: &Acceptance) -> Vec<u8> {
    let v = match serde_json::to_value(a) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => return Vec::new(),
    };
    let sorted: BTreeMap<String, serde_json::Value> =
        v.into_iter().filter(|(k, _)| k != "signature").collect();
    serde_json::to_vec(&sorted).unwrap_or_default()
}

/// A new ECDSA P-256 key pair: (encrypted private key PEM, public key PEM), as cosign writes them.
pub fn keygen(password: &[u8]) -> Result<(String, String), String> {
    let signer = SigningScheme::ECDSA_P256_SHA256_ASN1
        .create_signer()
        .map_err(|e| e.to_string())?;
    let pair = signer.to_sigstore_keypair().map_err(|e| e.to_string())?;
    let private = pair
        .private_key_to_encrypted_pem(password)
        .map_err(|e| e.to_string())?;
    let public = pair.public_key_to_pem().map_err(|e| e.to_string())?;
    Ok((private.to_string(), public))
}

/// Signs the acceptance with an encrypted private key (cosign format); returns base64.
pub fn sign(a: &Acceptance, key_pem: &[u8], password: &[u8]) -> Result<String, String> {
    let pair = SigStoreKeyPair::from_encrypted_pem(key_pem, password)
        .map_err(|e| format!("cannot open the private key (wrong password?): {e}"))?;
    let signer = pair
        .to_sigstore_signer(&SigningScheme::ECDSA_P256_SHA256_ASN1)
        .map_err(|e| e.to_string())?;
    let sig = signer.sign(&canonical(a)).map_err(|e| e.to_string())?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sig))
}

/// Whether `a.signature` is `who`'s: a base64 signature that verifies with one of their keys
/// under `people:`, or a Sigstore bundle (JSON, from `cosign sign-blob --bundle` over the output
/// of `riskgate canonical`) whose certificate names one of their `keyless:` identities, verified
/// offline against `trusted_root` (the bytes of a `trusted_root.json`).
pub fn signed_by(
    a: &Acceptance,
    own: &Ownership,
    who: &str,
    trusted_root: Option<&[u8]>,
) -> Result<(), String> {
    let Some(sig) = a.signature.as_deref() else {
        return Err("it is not signed".into());
    };
    let person = own.people.get(who);
    let msg = canonical(a);
    if sig.trim_start().starts_with('{') {
        let ids = person.map(|p| p.keyless.as_slice()).unwrap_or(&[]);
        if ids.is_empty() {
            return Err(format!(
                "it carries a Sigstore bundle, and {who} has no `keyless:` identity under `people:`"
            ));
        }
        let Some(root) = trusted_root else {
            return Err(
                "it carries a Sigstore bundle, and guardrails.yaml names no trusted_root (or acceptances.trusted_root)"
                    .into(),
            );
        };
        let mut last = String::new();
        for id in ids {
            let policy = crate::verify::keyless::IdentityPolicy {
                issuer: id.issuer.clone(),
                subject: regex::Regex::new(&format!("^{}$", regex::escape(&id.subject)))
                    .map_err(|e| e.to_string())?,
            };
            let root = crate::verify::keyless::trusted_root(root)?;
            match crate::verify::keyless::verify(&msg, sig.as_bytes(), root, &policy) {
                Ok(()) => return Ok(()),
                Err(e) => last = e,
            }
        }
        return Err(format!(
            "the Sigstore bundle does not verify for {who}'s keyless identity: {last}"
        ));
    }
    let keys = person.map(|p| p.keys.as_slice()).unwrap_or(&[]);
    if keys.is_empty() {
        return Err(format!(
            "{who} has no key under `people:` in ownership.yaml"
        ));
    }
    for k in keys {
        let Ok(key) = CosignVerificationKey::try_from_pem(k.as_bytes()) else {
            continue;
        };
        if key
            .verify_signature(Signature::Base64Encoded(sig.trim().as_bytes()), &msg)
            .is_ok()
        {
            return Ok(());
        }
    }
    Err(format!(
        "the signature does not verify with {who}'s key (the acceptance was changed after signing, or someone else signed it)"
    ))
}

/// Verifies each acceptance's signature, once, for its approver and its requester, against the
/// keys and keyless identities `people:` lists: facts for the decision core, which does no
/// crypto.
pub fn verify_all(
    acceptances: &[Acceptance],
    own: &Ownership,
    trusted_root: Option<&[u8]>,
) -> Vec<crate::model::facts::AcceptanceSignature> {
    acceptances
        .iter()
        .map(|a| crate::model::facts::AcceptanceSignature {
            by_approver: match &a.approved_by {
                Some(who) => signed_by(a, own, who, trusted_root),
                None => Err("no approver is recorded".into()),
            },
            by_requester: signed_by(a, own, &a.requested_by, trusted_root),
        })
        .collect()
}
