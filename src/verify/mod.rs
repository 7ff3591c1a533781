//! Signature verification for images and artifacts, offline: cosign's key-based image
//! signatures (simple signing payloads), DSSE envelopes (cosign attestations), and Sigstore
//! bundles (cosign v3 image signatures and attestations, `sign-blob --bundle`, PEP 740), each
//! checked against the signers `guardrails.yaml` names.
//!
//! Must never: accept a signature without also checking that what it signs is this image's or
//! this file's digest. A valid signature over another image is as good as none.

pub mod attestation;
pub mod keyless;
pub mod signing;

pub use crate::model::digest::{digest_bytes, sha256};
use crate::model::facts::Evidence;
pub use crate::model::facts::COSIGN_SIGN_PREDICATE;
use base64::Engine as _;
use keyless::IdentityPolicy;
use serde::Deserialize;
use sigstore::crypto::{CosignVerificationKey, Signature};

/// A signer made ready: its key parsed or its identity compiled.
pub struct Signer {
    /// How reports name it (`key keys/release.pub`, `keyless <issuer> <subject>`).
    pub label: String,
    pub kind: SignerKind,
}

pub enum SignerKind {
    Key(CosignVerificationKey),
    Keyless(IdentityPolicy),
}

/// The signers of a policy section, with the trusted root keyless ones need.
pub struct Signers<'a> {
    pub signers: &'a [Signer],
    pub trusted_root: Option<&'a [u8]>,
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn b64(s: &str) -> Result<Vec<u8>, String> {
    B64.decode(s.trim()).map_err(|e| format!("bad base64: {e}"))
}

#[derive(Deserialize)]
struct SimpleSigning {
    critical: Critical,
}
#[derive(Deserialize)]
struct Critical {
    image: CriticalImage,
    #[serde(rename = "type")]
    kind: String,
}
#[derive(Deserialize)]
struct CriticalImage {
    #[serde(rename = "docker-manifest-digest")]
    digest: String,
}

/// A cosign key-based image signature: `payload` is the simple signing JSON (the layer blob of
/// the `sha256-<hex>.sig` manifest), `sig_b64` its `dev.cosignproject.cosign/signature`
/// annotation. Ok when the signature verifies with `key` and the payload names `digest`.
pub fn simple_signing(
    payload: &[u8],
    sig_b64: &str,
    key: &CosignVerificationKey,
    digest: &str,
) -> Result<(), String> {
    let sig = b64(sig_b64)?;
    key.verify_signature(Signature::Raw(&sig), payload)
        .map_err(|_| "the signature does not verify with this key".to_string())?;
    let p: SimpleSigning = serde_json::from_slice(payload)
        .map_err(|e| format!("the signed payload is not a cosign simple signing payload: {e}"))?;
    if p.critical.kind != "cosign container image signature" {
        return Err(format!("the signed payload has type `{}`", p.critical.kind));
    }
    if p.critical.image.digest != digest {
        return Err(format!(
            "the signature is for {}, not this image",
            p.critical.image.digest
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "payloadType")]
    payload_type: String,
    payload: String,
    signatures: Vec<EnvelopeSig>,
}
#[derive(Deserialize)]
struct EnvelopeSig {
    sig: String,
}

#[derive(Deserialize)]
struct Statement {
    #[serde(rename = "predicateType")]
    predicate_type: String,
    subject: Vec<Subject>,
}
#[derive(Deserialize)]
struct Subject {
    digest: std::collections::BTreeMap<String, String>,
}

/// DSSE's pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The predicate type of an in-toto statement whose subjects include `digest`.
fn statement_for(payload: &[u8], digest: &str) -> Result<String, String> {
    let st: Statement = serde_json::from_slice(payload)
        .map_err(|e| format!("the signed payload is not an in-toto statement: {e}"))?;
    let hex = hex_of(digest);
    if !st
        .subject
        .iter()
        .any(|s| s.digest.get("sha256").is_some_and(|d| d == hex))
    {
        return Err(format!(
            "the statement ({}) is about another artifact, not {digest}",
            st.predicate_type
        ));
    }
    Ok(st.predicate_type)
}

/// A DSSE envelope (cosign attestation layer) signed by `key` over an in-toto statement about
/// `digest`: the statement's predicate type and bytes.
pub fn dsse_payload_with_key(
    envelope: &[u8],
    key: &CosignVerificationKey,
    digest: &str,
) -> Result<(String, Vec<u8>), String> {
    let env: Envelope =
        serde_json::from_slice(envelope).map_err(|e| format!("not a DSSE envelope: {e}"))?;
    let predicate = envelope_with_key(&env, key, digest)?;
    Ok((predicate, b64(&env.payload)?))
}

/// The envelope's signature over its PAE verifies with `key`, and its statement is about
/// `digest`: the statement's predicate type.
fn envelope_with_key(
    env: &Envelope,
    key: &CosignVerificationKey,
    digest: &str,
) -> Result<String, String> {
    let payload = b64(&env.payload)?;
    let msg = pae(&env.payload_type, &payload);
    let ok = env.signatures.iter().any(|s| {
        b64(&s.sig).is_ok_and(|sig| key.verify_signature(Signature::Raw(&sig), &msg).is_ok())
    });
    if !ok {
        return Err("no signature of the envelope verifies with this key".into());
    }
    statement_for(&payload, digest)
}

/// The predicate type an envelope claims, before (or without) verification, so a failure can
/// say what it was.
fn claimed_predicate(env: &Envelope) -> Option<String> {
    let payload = b64(&env.payload).ok()?;
    serde_json::from_slice::<Statement>(&payload)
        .ok()
        .map(|s| s.predicate_type)
}

/// [`claimed_predicate`] of a DSSE envelope given as JSON.
pub fn envelope_claimed_predicate(envelope: &[u8]) -> Option<String> {
    claimed_predicate(&serde_json::from_slice(envelope).ok()?)
}

/// [`claimed_predicate`] of a Sigstore bundle's DSSE envelope.
pub fn bundle_claimed_predicate(bundle_json: &[u8]) -> Option<String> {
    let b: KeyBundle = serde_json::from_slice(bundle_json).ok()?;
    claimed_predicate(b.dsse_envelope.as_ref()?)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyBundle {
    media_type: Option<String>,
    message_signature: Option<MessageSignature>,
    dsse_envelope: Option<Envelope>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageSignature {
    message_digest: Option<MessageDigest>,
    signature: String,
}
#[derive(Deserialize)]
struct MessageDigest {
    algorithm: String,
    digest: String,
}

/// What a verified bundle attests: a plain signature or an in-toto predicate type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub signer: String,
    /// `None` for a message signature; the statement's predicate type for DSSE.
    pub predicate_type: Option<String>,
    /// The build facts, when the verified statement is a SLSA provenance.
    pub provenance: Option<crate::model::facts::Provenance>,
}

/// A Sigstore bundle over the artifact with sha256 `digest` (`artifact` is its bytes, when
/// known, for message signatures made over the bytes), verified against each signer in turn.
/// Returns the first signer that verifies it, or every signer's reason.
pub fn bundle(
    bundle_json: &[u8],
    digest: &str,
    artifact: Option<&[u8]>,
    signers: &Signers,
) -> Result<Verified, Vec<String>> {
    let mut why = Vec::new();
    for s in signers.signers {
        let r = match &s.kind {
            SignerKind::Key(k) => bundle_with_key(bundle_json, digest, artifact, k),
            SignerKind::Keyless(policy) => match signers.trusted_root {
                None => Err("guardrails.yaml names no trusted_root for keyless signatures".into()),
                Some(root) => keyless_bundle(bundle_json, digest, root, policy),
            },
        };
        match r {
            Ok(predicate_type) => {
                return Ok(Verified {
                    signer: s.label.clone(),
                    provenance: predicate_type
                        .as_ref()
                        .and_then(|_| bundle_provenance(bundle_json)),
                    predicate_type,
                })
            }
            Err(e) => why.push(format!("{}: {e}", s.label)),
        }
    }
    if signers.signers.is_empty() {
        why.push("no signer is configured".into());
    }
    Err(why)
}

fn keyless_bundle(
    bundle_json: &[u8],
    digest: &str,
    root: &[u8],
    policy: &IdentityPolicy,
) -> Result<Option<String>, String> {
    let d = digest_bytes(digest)?;
    let root = keyless::trusted_root(root)?;
    keyless::verify_digest(d, bundle_json, root, policy)?;
    dsse_predicate(bundle_json, digest)
}

/// The predicate type of a bundle's DSSE statement (already verified), or `None` for a message
/// signature.
fn dsse_predicate(bundle_json: &[u8], digest: &str) -> Result<Option<String>, String> {
    let b: KeyBundle =
        serde_json::from_slice(bundle_json).map_err(|e| format!("not a Sigstore bundle: {e}"))?;
    match b.dsse_envelope {
        None => Ok(None),
        Some(env) => statement_for(&b64(&env.payload)?, digest).map(Some),
    }
}

/// A bundle whose verification material is a public key (`cosign sign-blob --key --bundle`,
/// `cosign attest --key --new-bundle-format`). Its transparency log entry, if any, is not
/// needed: the key is the trust anchor.
fn bundle_with_key(
    bundle_json: &[u8],
    digest: &str,
    artifact: Option<&[u8]>,
    key: &CosignVerificationKey,
) -> Result<Option<String>, String> {
    let b = read_bundle(bundle_json)?;
    match (b.message_signature, b.dsse_envelope) {
        (Some(m), None) => {
            let sig = b64(&m.signature)?;
            if let Some(md) = &m.message_digest {
                if md.algorithm != "SHA2_256" || hex::encode(b64(&md.digest)?) != hex_of(digest) {
                    return Err("the bundle's message digest is not this file's".into());
                }
            }
            let Some(bytes) = artifact else {
                return Err("a message signature needs the artifact's bytes".into());
            };
            key.verify_signature(Signature::Raw(&sig), bytes)
                .map_err(|_| "the signature does not verify with this key".to_string())?;
            Ok(None)
        }
        (None, Some(env)) => envelope_with_key(&env, key, digest).map(Some),
        _ => Err("the bundle has neither one messageSignature nor one dsseEnvelope".into()),
    }
}

/// A Sigstore bundle's JSON, refused unless it says it is one (its mediaType).
fn read_bundle(bundle_json: &[u8]) -> Result<KeyBundle, String> {
    let b: KeyBundle =
        serde_json::from_slice(bundle_json).map_err(|e| format!("not a Sigstore bundle: {e}"))?;
    if !b
        .media_type
        .as_deref()
        .is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.bundle"))
    {
        return Err("not a Sigstore bundle (no bundle mediaType)".into());
    }
    Ok(b)
}

fn hex_of(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

/// The SLSA provenance predicate types riskgate reads the build facts of.
pub const SLSA_PROVENANCE: [&str; 2] = [
    "https://slsa.dev/provenance/v1",
    "https://slsa.dev/provenance/v0.2",
];

/// `git+https://github.com/acme/x.git` → `github.com/acme/x`.
fn plain_repo(uri: &str) -> String {
    let u = uri.strip_prefix("git+").unwrap_or(uri);
    let u = u.split_once("://").map_or(u, |(_, rest)| rest);
    u.trim_end_matches('/').trim_end_matches(".git").to_string()
}

/// `git+https://github.com/acme/x@refs/heads/main` → (`github.com/acme/x`, `refs/heads/main`).
fn repo_at_ref(uri: &str) -> (Option<String>, Option<String>) {
    match uri.rsplit_once('@') {
        Some((repo, r)) if r.starts_with("refs/") => (Some(plain_repo(repo)), Some(r.to_string())),
        _ => (Some(plain_repo(uri)), None),
    }
}

/// The build facts of an in-toto statement with a SLSA provenance predicate (`None` for any
/// other predicate). Read only from a payload whose signature verified.
pub fn provenance(statement: &[u8]) -> Option<crate::model::facts::Provenance> {
    use serde_json::Value;
    let st: Value = serde_json::from_slice(statement).ok()?;
    let pt = st.get("predicateType")?.as_str()?;
    if !SLSA_PROVENANCE.contains(&pt) {
        return None;
    }
    let p = st.get("predicate")?;
    let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let mut out = crate::model::facts::Provenance::default();
    if pt.ends_with("/v1") {
        out.builder_id = s(p.pointer("/runDetails/builder/id"));
        let wf = p.pointer("/buildDefinition/externalParameters/workflow");
        if let Some(repo) = s(wf.and_then(|w| w.get("repository"))) {
            out.repository = Some(plain_repo(&repo));
            out.git_ref = s(wf.and_then(|w| w.get("ref")));
        } else if let Some(uri) = s(p.pointer("/buildDefinition/resolvedDependencies/0/uri")) {
            (out.repository, out.git_ref) = repo_at_ref(&uri);
        }
    } else {
        out.builder_id = s(p.pointer("/builder/id"));
        if let Some(uri) = s(p.pointer("/invocation/configSource/uri")) {
            (out.repository, out.git_ref) = repo_at_ref(&uri);
        }
    }
    Some(out)
}

/// [`provenance`] of a Sigstore bundle's DSSE statement.
fn bundle_provenance(bundle_json: &[u8]) -> Option<crate::model::facts::Provenance> {
    let b: KeyBundle = serde_json::from_slice(bundle_json).ok()?;
    provenance(&b64(&b.dsse_envelope?.payload).ok()?)
}

/// Evidence that a signer verified, or why none did.
pub fn evidence(source: String, r: Result<Verified, Vec<String>>) -> Evidence {
    match r {
        Ok(v) => Evidence {
            source,
            predicate_type: v.predicate_type,
            verified_by: Some(v.signer),
            problems: Vec::new(),
            provenance: v.provenance,
        },
        Err(problems) => Evidence {
            source,
            predicate_type: None,
            verified_by: None,
            problems,
            provenance: None,
        },
    }
}

/// A VEX document as given with `--vex`, opened: the document itself, and who signed it.
#[derive(Debug)]
pub struct OpenedVex {
    /// The VEX document: the file, or the predicate of the attestation it is.
    pub document: Vec<u8>,
    /// The trusted signer that verified it; `None` when unsigned or when none verified.
    pub signer: Option<String>,
    /// Why no trusted signer verified a signed document (empty when unsigned or verified).
    pub problems: Vec<String>,
    /// The sha256 subjects of the attestation (`sha256:<hex>`); empty for a plain document.
    pub subjects: Vec<String>,
}

/// Whether a predicate type is a VEX format riskgate reads.
/// A predicate type that is a VEX document (OpenVEX, CycloneDX VEX).
pub fn vex_predicate(t: &str) -> bool {
    t.starts_with("https://openvex.dev/ns") || t.starts_with("https://cyclonedx.org/vex")
}

#[derive(Deserialize)]
struct VexAttestation {
    #[serde(rename = "predicateType")]
    predicate_type: String,
    subject: Vec<Subject>,
    predicate: serde_json::Value,
}

/// Opens a `--vex` file: an OpenVEX (or CycloneDX VEX) attestation, as a DSSE envelope
/// (`cosign attest-blob --key`, `vexctl attest`) or a Sigstore bundle around one
/// (`--new-bundle-format`), or a plain VEX document with, optionally, a Sigstore bundle beside
/// it (`sidecar`, `cosign sign-blob --bundle FILE.sigstore.json`). The signature is checked
/// against `signers` (`vex.trusted`); a document no signer verifies is returned unsigned, with
/// the reasons. An attestation of something that is not VEX is an error.
pub fn open_vex(
    json: &[u8],
    sidecar: Option<&[u8]>,
    signers: &Signers,
) -> Result<OpenedVex, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        payload_type: Option<String>,
        media_type: Option<String>,
        dsse_envelope: Option<serde_json::Value>,
    }
    let probe: Option<Probe> = serde_json::from_slice(json).ok();
    let is_envelope = probe.as_ref().is_some_and(|p| p.payload_type.is_some());
    let is_bundle = probe.as_ref().is_some_and(|p| {
        p.media_type
            .as_deref()
            .is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.bundle"))
    });
    if !is_envelope && !is_bundle {
        let (signer, problems) = match sidecar {
            None => (None, Vec::new()),
            Some(b) => match bundle(b, &sha256(json), Some(json), signers) {
                Ok(v) => (Some(v.signer), Vec::new()),
                Err(why) => (None, why),
            },
        };
        return Ok(OpenedVex {
            document: json.to_vec(),
            signer,
            problems,
            subjects: Vec::new(),
        });
    }
    if is_bundle && probe.as_ref().is_some_and(|p| p.dsse_envelope.is_none()) {
        return Err("this Sigstore bundle holds a plain signature, not a VEX attestation: pass the VEX document with --vex and put the bundle beside it as FILE.sigstore.json".into());
    }
    let env: Envelope = if is_envelope {
        serde_json::from_slice(json).map_err(|e| format!("not a DSSE envelope: {e}"))?
    } else {
        let b: KeyBundle =
            serde_json::from_slice(json).map_err(|e| format!("not a Sigstore bundle: {e}"))?;
        b.dsse_envelope
            .ok_or("the Sigstore bundle has no dsseEnvelope")?
    };
    if env.payload_type != "application/vnd.in-toto+json" {
        return Err(format!(
            "the envelope's payload is `{}`, not an in-toto statement",
            env.payload_type
        ));
    }
    let payload = b64(&env.payload)?;
    let st: VexAttestation = serde_json::from_slice(&payload).map_err(|e| {
        format!("the envelope's payload is not an in-toto statement with a predicate: {e}")
    })?;
    if !vex_predicate(&st.predicate_type) {
        return Err(format!(
            "this attestation's predicate is {}, not VEX (https://openvex.dev/ns...)",
            st.predicate_type
        ));
    }
    // The signature is over the statement, whatever its subject: the subject's digest is what
    // the verifiers check the statement against.
    let digest = st
        .subject
        .iter()
        .find_map(|s| s.digest.get("sha256"))
        .map(|d| format!("sha256:{d}"))
        .ok_or("the VEX attestation has no sha256 subject")?;
    let mut problems = Vec::new();
    let mut signer = None;
    for s in signers.signers {
        let r = match (&s.kind, is_bundle) {
            (SignerKind::Key(k), false) => envelope_with_key(&env, k, &digest).map(|_| ()),
            (SignerKind::Key(k), true) => bundle_with_key(json, &digest, None, k).map(|_| ()),
            (SignerKind::Keyless(_), false) => Err(
                "a DSSE envelope carries no certificate; keyless signers need a Sigstore bundle"
                    .into(),
            ),
            (SignerKind::Keyless(policy), true) => match signers.trusted_root {
                None => Err("guardrails.yaml names no trusted_root for keyless signatures".into()),
                Some(root) => keyless_bundle(json, &digest, root, policy).map(|_| ()),
            },
        };
        match r {
            Ok(()) => {
                signer = Some(s.label.clone());
                break;
            }
            Err(e) => problems.push(format!("{}: {e}", s.label)),
        }
    }
    if signer.is_some() {
        problems.clear();
    } else if signers.signers.is_empty() {
        problems.push("vex.trusted names no signer".into());
    }
    let document = serde_json::to_vec(&st.predicate).map_err(|e| e.to_string())?;
    let subjects = st
        .subject
        .iter()
        .filter_map(|s| s.digest.get("sha256"))
        .map(|d| format!("sha256:{d}"))
        .collect();
    Ok(OpenedVex {
        document,
        signer,
        problems,
        subjects,
    })
}

#[cfg(test)]
mod provenance_tests {
    use super::provenance;
    use crate::model::facts::Provenance;

    fn of(predicate_type: &str, predicate: serde_json::Value) -> Option<Provenance> {
        let st = serde_json::json!({"predicateType": predicate_type, "predicate": predicate});
        provenance(&serde_json::to_vec(&st).unwrap())
    }

    #[test]
    fn v1_without_a_workflow_reads_the_first_resolved_dependency() {
        let p = of(
            "https://slsa.dev/provenance/v1",
            serde_json::json!({
                "buildDefinition": {"resolvedDependencies": [
                    {"uri": "git+https://gitlab.com/acme/api.git@refs/tags/v1.2.0"}]},
                "runDetails": {"builder": {"id": "https://gitlab.com/acme/runner"}}
            }),
        )
        .unwrap();
        assert_eq!(
            p.builder_id.as_deref(),
            Some("https://gitlab.com/acme/runner")
        );
        assert_eq!(p.repository.as_deref(), Some("gitlab.com/acme/api"));
        assert_eq!(p.git_ref.as_deref(), Some("refs/tags/v1.2.0"));
    }

    #[test]
    fn v0_2_reads_the_builder_and_config_source() {
        let p = of(
            "https://slsa.dev/provenance/v0.2",
            serde_json::json!({
                "builder": {"id": "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.9.0"},
                "invocation": {"configSource": {"uri": "git+https://github.com/acme/api@refs/heads/main", "entryPoint": ".github/workflows/release.yml"}}
            }),
        )
        .unwrap();
        assert!(p.builder_id.unwrap().contains("slsa-github-generator"));
        assert_eq!(p.repository.as_deref(), Some("github.com/acme/api"));
        assert_eq!(p.git_ref.as_deref(), Some("refs/heads/main"));
    }

    #[test]
    fn other_predicates_are_not_provenance() {
        assert_eq!(
            of(
                "https://slsa.dev/verification_summary/v1",
                serde_json::json!({})
            ),
            None
        );
    }
}
