//! `riskgate verify --identity ISSUER SUBJECT --trusted-root FILE`: decisions signed keyless
//! (a Sigstore bundle whose DSSE envelope holds the statement, as `cosign attest` makes in CI).
//!
//! No keyless riskgate decision can be made here (Fulcio and Rekor cannot be reached), so the
//! real keyless bundles of tests/fixtures/sigstore stand in: they verify for their signer's
//! identity and are then refused for what they are (another attestation, or a plain
//! signature), while a wrong identity, another digest or another instance's root is refused at
//! the signature. What a decision must then say is checked by the same code as
//! for key-signed decisions (tests/it/load/attest.rs).

use crate::common::{fixture, riskgate, run, Run};

fn verify(target: &str, issuer: &str, subject: &str, root: &str, bundle: &str) -> Run {
    run(riskgate()
        .arg("verify")
        .arg(target)
        .args(["--identity", issuer, subject, "--trusted-root"])
        .arg(fixture(root))
        .arg("--attestation")
        .arg(fixture(bundle)))
}

const GH: &str = "https://token.actions.githubusercontent.com";
const KUBEWARDEN: &str = "ghcr.io/kubewarden/kubewarden-controller@sha256:c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172";
const KW_SIGNER: &str = r"^https://github\.com/kubewarden/kubewarden-controller/\.github/workflows/.+@refs/tags/v1\.34\.0$";

#[test]
fn a_keyless_bundle_verifies_for_its_identity_and_is_refused_unless_it_is_a_decision() {
    // cosign v3's image signature: a DSSE bundle about the image, signed in GitHub Actions.
    let r = verify(
        KUBEWARDEN,
        GH,
        KW_SIGNER,
        "sigstore/trusted_root.prod.json",
        "sigstore/bundle_v03.json",
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("FAILED: no signed decision allows"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("it is a https://sigstore.dev/cosign/sign/v1 attestation, not a decision"),
        "{}",
        r.stdout
    );
    // another workflow's identity: refused at the certificate
    let r = verify(
        KUBEWARDEN,
        GH,
        r"^https://github\.com/acme/",
        "sigstore/trusted_root.prod.json",
        "sigstore/bundle_v03.json",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("SubjectAltName does not match"),
        "{}",
        r.stdout
    );
    // another image's digest, and the staging root: refused at the signature
    let other = KUBEWARDEN.replace("c811d58d", "0000000d");
    for (target, root) in [
        (other.as_str(), "sigstore/trusted_root.prod.json"),
        (KUBEWARDEN, "sigstore/trusted_root.staging.json"),
    ] {
        let r = verify(target, GH, KW_SIGNER, root, "sigstore/bundle_v03.json");
        assert_eq!(r.code, 1, "{target} {root}: {}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains("not a decision"), "{}", r.stdout);
    }
}

#[test]
fn a_file_with_a_rekor_v2_attestation_and_a_plain_signature() {
    let oauth = "https://github.com/login/oauth";
    let conda = fixture("sigstore/signed-package-2.1.0-hb0f4dca_0.conda");
    let conda = conda.to_str().expect("utf8");
    let r = verify(
        conda,
        oauth,
        r"^jku@goto\.fi$",
        "sigstore/trusted_root.staging-2026-07.json",
        "sigstore/conda-attestation-rekor2.sigstore.json",
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("attestation, not a decision"),
        "{}",
        r.stdout
    );
    // the production root does not vouch for the staging instance's certificate and log
    let r = verify(
        conda,
        oauth,
        r"^jku@goto\.fi$",
        "sigstore/trusted_root.prod.json",
        "sigstore/conda-attestation-rekor2.sigstore.json",
    );
    assert_eq!(r.code, 1);
    assert!(!r.stdout.contains("not a decision"), "{}", r.stdout);
    // a message signature (cosign sign-blob) signs the file but decides nothing
    let blob = fixture("sigstore/cosign-v3-blob.txt");
    let r = verify(
        blob.to_str().expect("utf8"),
        oauth,
        ".+",
        "sigstore/trusted_root.prod.json",
        "sigstore/cosign-v3-blob.sigstore.json",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("holds a signature, not an attestation"),
        "{}",
        r.stdout
    );
}

#[test]
fn keyless_verification_needs_a_usable_identity_and_trusted_root() {
    // --identity without --trusted-root, a bad regex, a trusted root that is not one, and
    // --key with --identity: exit 2, before anything is read from a registry
    let root = fixture("sigstore/trusted_root.prod.json");
    let not_root = fixture("sigstore/bundle_v03.json");
    let cases: [Vec<&str>; 4] = [
        vec!["--identity", GH, ".+"],
        vec![
            "--identity",
            GH,
            "(",
            "--trusted-root",
            root.to_str().expect("utf8"),
        ],
        vec![
            "--identity",
            GH,
            ".+",
            "--trusted-root",
            not_root.to_str().expect("utf8"),
        ],
        vec![
            "--identity",
            GH,
            ".+",
            "--key",
            "k.pub",
            "--trusted-root",
            root.to_str().expect("utf8"),
        ],
    ];
    for args in cases {
        let r = run(riskgate().args(["verify", KUBEWARDEN]).args(&args));
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
}

/// `check --attest-predicate` writes the Verification Summary unsigned, for `cosign attest
/// --predicate` to sign keyless in CI. cosign wraps it in a statement about the digest; here
/// the test wraps it the same way and signs with a key (cosign's `--key` path), since no
/// keyless signature can be made: `verify` then admits the file, and a blocked run's
/// predicate is refused.
#[test]
fn the_predicate_for_cosign_round_trips_through_verify() {
    let dir = crate::common::scratch("attest-predicate");
    let art = dir.join("app.tar.gz");
    std::fs::write(&art, b"release contents\n").expect("write");
    let clean = dir.join("clean.json");
    std::fs::write(
        &clean,
        br#"{"SchemaVersion": 2, "ArtifactName": "app", "ArtifactType": "filesystem", "Results": []}"#,
    )
    .expect("write");
    let predicate = dir.join("decision.predicate.json");
    // The example policy, its release key replaced by the test's, and the file signed with it
    // (a cosign `sign-blob --key --bundle` bundle beside it).
    let (pair, public) = crate::common::keypair();
    let policy = crate::common::copy_policy(&dir.join("policy"));
    std::fs::write(policy.join("keys/release.pub"), &public).expect("write");
    {
        use base64::Engine as _;
        use sha2::Digest as _;
        use sigstore::crypto::SigningScheme;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let bytes = b"release contents\n";
        let sig = pair
            .to_sigstore_signer(&SigningScheme::ECDSA_P256_SHA256_ASN1)
            .expect("signer")
            .sign(bytes)
            .expect("sign");
        let bundle = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"publicKey": {"hint": "release"}, "tlogEntries": []},
            "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": b64(&sha2::Sha256::digest(bytes))}, "signature": b64(&sig)}
        });
        std::fs::write(dir.join("app.tar.gz.sigstore.json"), bundle.to_string()).expect("write");
    }
    let gate = |report: &std::path::Path| {
        run(riskgate()
            .args(["check", "--policy"])
            .arg(&policy)
            .args(["--product", "payments-api", "--acceptances"])
            .arg(crate::common::root().join("examples/acceptances.yaml"))
            .arg("--report")
            .arg(report)
            .arg("--artifact")
            .arg(&art)
            .arg("--attest-predicate")
            .arg(&predicate))
    };
    let key = dir.join("gate.pub");
    std::fs::write(&key, public).expect("write");
    use sha2::Digest as _;
    let digest = format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(b"release contents\n"))
    );
    let verify_with = |envelope: &[u8]| {
        let env = dir.join("decision.intoto.json");
        std::fs::write(&env, envelope).expect("write");
        run(riskgate()
            .arg("verify")
            .arg(&art)
            .arg("--key")
            .arg(&key)
            .arg("--attestation")
            .arg(&env))
    };
    let signed = |p: &std::path::Path| {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(p).expect("predicate")).expect("json");
        crate::common::dsse_attestation(
            &pair,
            "https://slsa.dev/verification_summary/v1",
            &v,
            &digest,
        )
    };

    let r = gate(&clean);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("cosign attest --type https://slsa.dev/verification_summary/v1"),
        "{}",
        r.stderr
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&predicate).expect("predicate")).expect("json");
    assert_eq!(v["verificationResult"], "PASSED");
    assert_eq!(v["riskgate"]["clock"], "system");
    assert_eq!(
        v["resourceUri"].as_str().map(|u| u.contains("app.tar.gz")),
        Some(true),
        "{v}"
    );
    let r = verify_with(&signed(&predicate));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("PASSED"), "{}", r.stdout);

    // a blocked run's predicate says FAILED, and verify refuses it
    let r = gate(&crate::common::fixture("trivy/debian-buster.json"));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let r = verify_with(&signed(&predicate));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("not PASSED"), "{}", r.stdout);

    // a DSSE envelope given to a keyless check is named for what it is
    let r = run(riskgate()
        .arg("verify")
        .arg(&art)
        .args(["--identity", GH, ".+", "--trusted-root"])
        .arg(fixture("sigstore/trusted_root.prod.json"))
        .arg("--attestation")
        .arg(dir.join("decision.intoto.json")));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("not a Sigstore bundle"), "{}", r.stdout);

    // the predicate file may not be an input of the run
    let r = run(riskgate()
        .args(["check", "--policy"])
        .arg(crate::common::root().join("examples/policy"))
        .args(["--product", "payments-api", "--report"])
        .arg(&clean)
        .arg("--attest-predicate")
        .arg(&clean));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("--attest-predicate"), "{}", r.stderr);
}
