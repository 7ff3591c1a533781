//! riskgate's signed decisions: signing the statement as a DSSE envelope with a cosign key
//! (`check --attest-key`), and checking one at deploy (`riskgate verify`): signed by a trusted
//! key, about exactly this digest, a SLSA Verification Summary from riskgate that says PASSED,
//! fresh, under the expected policy, on the system clock.
//!
//! A decision signed keyless is checked too ([`check_keyless`]: a Sigstore bundle whose DSSE
//! envelope holds the statement, as `cosign attest --predicate` makes in CI with ambient OIDC),
//! against a trusted root and an OIDC identity. riskgate itself signs only with a key: keyless
//! signing needs Fulcio and Rekor, which cannot be reached here.

use super::{dsse_payload_with_key, pae, B64};
use crate::model::date::Timestamp;
use crate::model::facts::{IN_TOTO_PAYLOAD, VERIFIER_ID, VSA_PREDICATE};
use base64::Engine as _;
use serde::Deserialize;
use sigstore::crypto::signing_key::SigStoreKeyPair;
use sigstore::crypto::{CosignVerificationKey, SigningScheme};

/// `msg` signed with an encrypted cosign private key (ECDSA P-256, SHA-256): the raw signature.
pub fn sign_raw(msg: &[u8], key_pem: &[u8], password: &[u8]) -> Result<Vec<u8>, String> {
    let pair = SigStoreKeyPair::from_encrypted_pem(key_pem, password)
        .map_err(|e| format!("cannot open the private key (wrong password?): {e}"))?;
    let signer = pair
        .to_sigstore_signer(&SigningScheme::ECDSA_P256_SHA256_ASN1)
        .map_err(|e| e.to_string())?;
    signer.sign(msg).map_err(|e| e.to_string())
}

/// The statement signed as a DSSE envelope (JSON) with an encrypted cosign private key.
pub fn sign(statement: &[u8], key_pem: &[u8], password: &[u8]) -> Result<Vec<u8>, String> {
    let sig = sign_raw(&pae(IN_TOTO_PAYLOAD, statement), key_pem, password)?;
    let envelope = serde_json::json!({
        "payloadType": IN_TOTO_PAYLOAD,
        "payload": B64.encode(statement),
        "signatures": [{ "keyid": "", "sig": B64.encode(sig) }],
    });
    serde_json::to_vec(&envelope).map_err(|e| e.to_string())
}

/// What a deploy expects of a decision.
pub struct Expect<'a> {
    /// The image's or artifact's digest, `sha256:<hex>`.
    pub digest: &'a str,
    /// The policy the decision must have used, `sha256:<hex>`.
    pub policy_digest: Option<&'a str>,
    /// The oldest `timeVerified` accepted, in seconds before `now`.
    pub max_age: Option<i64>,
    pub now: Timestamp,
}

/// A decision that passed every check: what it says, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passed {
    pub time_verified: Timestamp,
    pub policy_digest: String,
    pub product: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Statement {
    predicate: Predicate,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Predicate {
    verifier: Verifier,
    time_verified: String,
    policy: Policy,
    verification_result: String,
    riskgate: Option<Own>,
}
#[derive(Deserialize)]
struct Verifier {
    id: String,
}
#[derive(Deserialize)]
struct Policy {
    digest: std::collections::BTreeMap<String, String>,
}
#[derive(Deserialize)]
struct Own {
    clock: String,
    product: Option<String>,
}

/// Whether `envelope` is a decision a deploy may trust (see the module's doc); the reason
/// when it is not. A decision for another digest, by another key or changed by one byte fails
/// at the signature or subject check, before its content is read.
pub fn check(
    envelope: &[u8],
    key: &CosignVerificationKey,
    expect: &Expect,
) -> Result<Passed, String> {
    let (predicate_type, payload) = dsse_payload_with_key(envelope, key, expect.digest)?;
    check_statement(&predicate_type, &payload, expect)
}

/// Whether the Sigstore bundle `bundle_json` holds a decision a deploy may trust: it verifies
/// offline against the trusted root for the gate's OIDC identity (certificate chain, SCT, log
/// entry, timestamps; see [`super::keyless`]), its DSSE statement is about exactly this digest,
/// and the statement passes the same checks as a key-signed one.
pub fn check_keyless(
    bundle_json: &[u8],
    root: &[u8],
    identity: &super::keyless::IdentityPolicy,
    expect: &Expect,
) -> Result<Passed, String> {
    let b = super::read_bundle(bundle_json).map_err(|e| {
        format!(
            "{e}: a keyless decision is a Sigstore bundle, a DSSE envelope is checked with --key"
        )
    })?;
    let Some(env) = b.dsse_envelope else {
        return Err("the bundle holds a signature, not an attestation (no dsseEnvelope)".into());
    };
    let digest = crate::model::digest::digest_bytes(expect.digest)?;
    super::keyless::verify_digest(
        digest,
        bundle_json,
        super::keyless::trusted_root(root)?,
        identity,
    )?;
    let payload = super::b64(&env.payload)?;
    let predicate_type = super::statement_for(&payload, expect.digest)?;
    check_statement(&predicate_type, &payload, expect)
}

/// The checks of a verified statement's content: a riskgate verification summary that says
/// PASSED, on the system clock, fresh, under the expected policy.
fn check_statement(
    predicate_type: &str,
    payload: &[u8],
    expect: &Expect,
) -> Result<Passed, String> {
    if predicate_type != VSA_PREDICATE {
        return Err(format!(
            "it is a {predicate_type} attestation, not a decision ({VSA_PREDICATE})"
        ));
    }
    let st: Statement = serde_json::from_slice(payload)
        .map_err(|e| format!("the signed statement is not a verification summary: {e}"))?;
    let p = st.predicate;
    if p.verifier.id != VERIFIER_ID {
        return Err(format!(
            "it was verified by {}, not riskgate ({VERIFIER_ID})",
            p.verifier.id
        ));
    }
    if p.verification_result != "PASSED" {
        return Err(format!(
            "the gate decided {} (verificationResult), not PASSED",
            p.verification_result
        ));
    }
    let Some(own) = p.riskgate else {
        return Err("it does not say whether the gate's clock was pinned".into());
    };
    if own.clock != "system" {
        return Err(format!(
            "the gate ran with a pinned clock (--now; clock `{}`): a decision for a deploy is taken on the system clock",
            own.clock
        ));
    }
    let t = Timestamp::parse(&p.time_verified)
        .ok_or_else(|| format!("timeVerified `{}` is not a timestamp", p.time_verified))?;
    let age = expect.now.unix() - t.unix();
    // a few minutes of clock skew between the gate and the deploy
    if age < -300 {
        return Err(format!(
            "it was verified at {t}, after now ({}): the clocks disagree or the decision is forged",
            expect.now
        ));
    }
    if let Some(max) = expect.max_age {
        if age > max {
            return Err(format!(
                "it was verified at {t}, {} ago, older than --max-age ({})",
                human_age(age),
                human_age(max)
            ));
        }
    }
    let policy_digest = p
        .policy
        .digest
        .get("sha256")
        .map(|h| format!("sha256:{h}"))
        .unwrap_or_default();
    if let Some(want) = expect.policy_digest {
        if policy_digest != want {
            return Err(format!(
                "it was decided under policy {}, not {want}",
                if policy_digest.is_empty() {
                    "(none named)"
                } else {
                    &policy_digest
                }
            ));
        }
    }
    Ok(Passed {
        time_verified: t,
        policy_digest,
        product: own.product,
    })
}

/// `3d 4h`, `2h 5m`, `40s`.
pub fn human_age(secs: i64) -> String {
    let s = secs.max(0);
    let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// `7d`, `12h`, `30m`, `90s` (or a bare number of seconds) in seconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (e.g. 7d, 12h, 30m)"))?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => {
            return Err(format!(
                "`{s}`: unknown unit `{unit}` (use s, m, h, d or w)"
            ))
        }
    };
    n.checked_mul(mult)
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("`{s}` is not a positive duration"))
}
