//! Real production Sigstore bundles from tests/fixtures/sigstore, verified offline against
//! the public-good trusted root: the right identity passes; a wrong subject, a wrong issuer, a
//! changed artifact, or the staging root fail. Bundles made by cosign v3 and logged in Rekor v2 (from
//! sigstore-rust's test data) verify offline too, and a changed proof, checkpoint or timestamp fails.

use riskgate::verify::keyless::{trusted_root, verify, IdentityPolicy};

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(crate::common::fixture(rel)).unwrap()
}

fn policy(issuer: &str, subject: &str) -> IdentityPolicy {
    IdentityPolicy {
        issuer: issuer.into(),
        subject: regex::Regex::new(subject).unwrap(),
    }
}

const GH: &str = "https://token.actions.githubusercontent.com";

fn check(artifact: &str, bundle: &str, p: &IdentityPolicy) -> Result<(), String> {
    let root = trusted_root(&read("sigstore/trusted_root.prod.json")).unwrap();
    verify(&read(artifact), &read(bundle), root, p)
}

#[test]
fn message_signature_bundle_from_github_actions() {
    let a = "sigstore/pypi_attestation_models-0.0.4a2.tar.gz";
    let b = "sigstore/pypi_attestation_models-0.0.4a2.tar.gz.sigstore";
    let ok = policy(
        GH,
        r"^https://github\.com/trailofbits/pypi-attestation-models/\.github/workflows/release\.yml@refs/tags/v.*$",
    );
    check(a, b, &ok).unwrap();
    let e = check(a, b, &policy(GH, r"^https://github\.com/acme/.*$")).unwrap_err();
    assert!(e.contains("SubjectAltName"), "{e}");
    let e = check(a, b, &policy("https://gitlab.com", ".*")).unwrap_err();
    assert!(e.to_lowercase().contains("issuer"), "{e}");
    // a changed artifact
    let root = trusted_root(&read("sigstore/trusted_root.prod.json")).unwrap();
    let mut changed = read(a);
    changed[100] ^= 1;
    assert!(verify(&changed, &read(b), root, &ok).is_err());
    // the staging root does not vouch for production certificates
    let staging = trusted_root(&read("sigstore/trusted_root.staging.json")).unwrap();
    assert!(verify(&read(a), &read(b), staging, &ok).is_err());
}

#[test]
fn dsse_bundles_from_github_gitlab_and_circleci() {
    check(
        "sigstore/pypi_attestations-0.0.19.tar.gz",
        "sigstore/pypi_attestations-0.0.19.tar.gz.publish.attestation.sigstore.json",
        &policy(GH, r"^https://github\.com/trailofbits/pypi-attestations/\.github/workflows/release\.yml@refs/tags/v0\.0\.19$"),
    )
    .unwrap();
    check(
        "sigstore/gitlab_oidc_project-0.0.3.tar.gz",
        "sigstore/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation.sigstore.json",
        &policy("https://gitlab.com", r"^https://gitlab\.com/facutuesca/gitlab-oidc-project//\.gitlab-ci\.yml@refs/heads/main$"),
    )
    .unwrap();
    check(
        "sigstore/circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl",
        "sigstore/circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl.publish.attestation.sigstore.json",
        &policy("https://oidc.circleci.com", ".+"),
    )
    .unwrap();
    // the GitLab bundle does not verify the CircleCI wheel
    let e = check(
        "sigstore/circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl",
        "sigstore/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation.sigstore.json",
        &policy("https://gitlab.com", ".+"),
    )
    .unwrap_err();
    assert!(!e.is_empty());
}

const GITHUB_OAUTH: &str = "https://github.com/login/oauth";

/// A bundle with one field of its JSON replaced (the bundle stays well formed).
fn tampered(bundle: &str, edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&read(bundle)).unwrap();
    edit(&mut v);
    serde_json::to_vec(&v).unwrap()
}

/// Flips one bit of a base64 field's decoded bytes, in the middle.
fn flip_b64(v: &mut serde_json::Value) {
    flip_b64_at(v, |len| len / 2)
}

/// Flips one bit of a base64 field's decoded bytes, at `at(len)`.
fn flip_b64_at(v: &mut serde_json::Value, at: fn(usize) -> usize) {
    use base64::Engine as _;
    let e = base64::engine::general_purpose::STANDARD;
    let mut bytes = e.decode(v.as_str().unwrap()).unwrap();
    let i = at(bytes.len());
    bytes[i] ^= 1;
    *v = serde_json::Value::String(e.encode(bytes));
}

#[test]
fn cosign_v3_bundle_with_a_timestamp_authority_verifies() {
    // cosign 3 `sign-blob --bundle`: v0.3 bundle, RFC 3161 timestamp and a Rekor v1 entry,
    // production Fulcio, an email identity.
    let (a, b) = (
        "sigstore/cosign-v3-blob.txt",
        "sigstore/cosign-v3-blob.sigstore.json",
    );
    check(a, b, &policy(GITHUB_OAUTH, r"^w\.vollprecht@gmail\.com$")).unwrap();
    let e = check(a, b, &policy(GITHUB_OAUTH, r"^someone@acme\.example$")).unwrap_err();
    assert!(
        e.contains("SubjectAltName does not match") && e.contains("it is w.vollprecht@gmail.com"),
        "{e}"
    );
    let e = check(a, b, &policy(GH, ".+")).unwrap_err();
    assert!(e.to_lowercase().contains("issuer"), "{e}");
    let root = trusted_root(&read("sigstore/trusted_root.prod.json")).unwrap();
    let sig = tampered(b, |v| flip_b64(&mut v["messageSignature"]["signature"]));
    let p = policy(GITHUB_OAUTH, ".+");
    assert!(
        verify(&read(a), &sig, root, &p).is_err(),
        "signature changed"
    );
}

#[test]
fn rekor_v2_entries_verify_by_inclusion_proof_and_signed_checkpoint() {
    // A message signature over an empty file, logged in Rekor v2 (hashedrekord 0.0.2: no SET,
    // an inclusion proof with a signed checkpoint, time from a timestamp authority), from the
    // staging instance's tuf-on-ci run; the staging trusted root of that time.
    let root_file = "sigstore/trusted_root.staging-2026-07.json";
    let b = "sigstore/rekor2_tuf_on_ci_empty_file.sigstore.json";
    let p = policy(
        GH,
        r"^https://github\.com/sigstore/root-signing-staging/\.github/workflows/custom-test\.yml@refs/heads/main$",
    );
    let root = || trusted_root(&read(root_file)).unwrap();
    verify(b"", &read(b), root(), &p).unwrap();
    assert!(verify(b"x", &read(b), root(), &p).is_err(), "another file");
    let wrong = policy(GH, r"^https://github\.com/acme/");
    assert!(verify(b"", &read(b), root(), &wrong)
        .unwrap_err()
        .contains("SubjectAltName"));
    // The older staging root does not know the Rekor v2 log that holds the entry.
    let old = trusted_root(&read("sigstore/trusted_root.staging.json")).unwrap();
    assert!(
        verify(b"", &read(b), old, &p).is_err(),
        "log unknown to the root"
    );
    // A changed checkpoint signature, inclusion proof or timestamp each fail.
    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit); 3] = [
        ("checkpoint", |v| {
            let e = &mut v["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
                ["checkpoint"]["envelope"];
            let text = e.as_str().unwrap().to_string();
            // the note's last line is "— origin signature"; change a byte of the signature
            let at = text.trim_end().len() - 4;
            let mut bytes = text.into_bytes();
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            *e = serde_json::Value::String(String::from_utf8(bytes).unwrap());
        }),
        ("inclusion proof", |v| {
            flip_b64(
                &mut v["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"][0],
            )
        }),
        // The TSA's signature, the last field of the token. (Its embedded certificates are
        // not what is trusted: the verifier uses the trusted root's, so they can change.)
        ("timestamp", |v| {
            flip_b64_at(
                &mut v["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
                    ["signedTimestamp"],
                |len| len - 2,
            )
        }),
    ];
    for (what, edit) in edits {
        let t = tampered(b, edit);
        assert!(verify(b"", &t, root(), &p).is_err(), "{what} changed");
    }
}

#[test]
fn rekor_v2_dsse_attestation_verifies_and_binds_the_artifact() {
    // A conda package's in-toto attestation (DSSE), logged in Rekor v2 on staging.
    let root = || trusted_root(&read("sigstore/trusted_root.staging-2026-07.json")).unwrap();
    let a = read("sigstore/signed-package-2.1.0-hb0f4dca_0.conda");
    let b = "sigstore/conda-attestation-rekor2.sigstore.json";
    let p = policy(GITHUB_OAUTH, r"^jku@goto\.fi$");
    verify(&a, &read(b), root(), &p).unwrap();
    let mut other = a.clone();
    other[10] ^= 1;
    assert!(
        verify(&other, &read(b), root(), &p).is_err(),
        "another file"
    );
    let sig = tampered(b, |v| {
        flip_b64(&mut v["dsseEnvelope"]["signatures"][0]["sig"])
    });
    assert!(
        verify(&a, &sig, root(), &p).is_err(),
        "DSSE signature changed"
    );
    // the production root does not vouch for staging certificates
    let prod = trusted_root(&read("sigstore/trusted_root.prod.json")).unwrap();
    assert!(verify(&a, &read(b), prod, &p).is_err(), "production root");
}
