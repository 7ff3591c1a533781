//! Real production Sigstore bundles from tests/fixtures/sigstore, verified offline against
//! the public-good trusted root: the right identity passes; a wrong subject, a wrong issuer, a
//! changed artifact, or the staging root fail.

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
