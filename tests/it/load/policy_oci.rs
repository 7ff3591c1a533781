//! The policy from a registry, end to end on a real registry (Debian's docker-registry on
//! 127.0.0.1): `riskgate policy push` publishes and signs it, `check --policy oci://REF@sha256:`
//! gates against it pinned by digest and verified before use, from a cache keyed by digest that
//! makes reruns offline and is checked as if just fetched.

use super::harness::{self, Auth, Registry};
use crate::common::{check_with, riskgate, scratch, Cli, Run, EXAMPLE_REPORTS};
use serde_json::Value;
use std::path::Path;

/// The example's gate, as json, against `policy`.
fn gate(policy: &Path) -> std::process::Command {
    let mut c = check_with(policy, EXAMPLE_REPORTS);
    c.args(["--now", "2026-11-23", "--format", "json"]);
    c
}

fn check(policy: &str, key: &Path, cache: &Path, extra: &[&str]) -> Run {
    gate(Path::new(policy))
        .env("RISKGATE_CACHE_DIR", cache)
        .arg("--policy-key")
        .arg(key)
        .args(extra)
        .run()
}

/// The example policy in `dir`, without the product repository's CODEOWNERS (outside the
/// policy directory); its guardrails.yaml text.
fn example_policy(dir: &Path) -> (std::path::PathBuf, String) {
    let policy = crate::common::copy_policy(&dir.join("policy"));
    let g = std::fs::read_to_string(policy.join("guardrails.yaml")).unwrap();
    let g: String = g
        .lines()
        .filter(|l| !l.trim_start().starts_with("codeowners:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(policy.join("guardrails.yaml"), &g).unwrap();
    (policy, g)
}

/// Every blob file of the registry's storage whose content is `content`.
fn stored_blob(data: &Path, content: &[u8]) -> std::path::PathBuf {
    let hex = riskgate::model::digest::sha256_hex(content);
    data.join("docker/registry/v2/blobs/sha256")
        .join(&hex[..2])
        .join(&hex)
        .join("data")
}

#[test]
fn a_policy_pushed_signed_and_pinned_by_digest_gates_like_the_directory() {
    if !harness::available() {
        return;
    }
    let dir = scratch("policy-oci");
    let reg = Registry::start(&dir.join("registry"), Auth::None, false);
    crate::common::keygen(&dir, &["platform", "other"]);
    let (policy, g) = example_policy(&dir);

    let r = riskgate()
        .env("COSIGN_PASSWORD", "")
        .args(["policy", "push"])
        .arg(&policy)
        .arg(format!("{}/security/riskgate-policy:2026-12", reg.addr))
        .arg("--sign-key")
        .arg(dir.join("platform.key"))
        .run()
        .exits(0);
    let digest = r.stdout.trim().to_string();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{}",
        r.stdout
    );
    let pinned = format!("oci://{}/security/riskgate-policy@{digest}", reg.addr);
    let platform = dir.join("platform.pub");
    let cache = dir.join("cache");

    // the same decision as from the directory, and the report names the policy by digest
    let from_oci = check(&pinned, &platform, &cache, &[]).exits(1);
    let local = gate(&policy).run().exits(1);
    let a: Value = serde_json::from_str(&from_oci.stdout).unwrap();
    let b: Value = serde_json::from_str(&local.stdout).unwrap();
    assert_eq!(a["summary"], b["summary"]);
    assert_eq!(a["policy"], pinned.as_str(), "{}", from_oci.stdout);

    // validate reads it the same way
    let r = riskgate()
        .env("RISKGATE_CACHE_DIR", &cache)
        .args(["validate", "--policy", &pinned, "--policy-key"])
        .arg(&platform)
        .run()
        .exits(0);
    assert_eq!(
        r.stdout.trim(),
        format!("policy in {pinned} is valid (no acceptances file)")
    );

    // a tag is refused unless allowed, and then the digest it resolved to is named
    let tagged = format!("oci://{}/security/riskgate-policy:2026-12", reg.addr);
    let r = check(&tagged, &platform, &cache, &[]).exits(2);
    assert!(r.stderr.contains("pinned by digest"), "{}", r.stderr);
    let r = check(&tagged, &platform, &cache, &["--policy-allow-tag"]).exits(1);
    assert!(
        r.stderr.contains(&format!("resolved to {digest}")),
        "{}",
        r.stderr
    );

    // another key: exit 2 before the policy is read
    let r = check(
        &pinned,
        &dir.join("other.pub"),
        &dir.join("cache-other"),
        &[],
    )
    .exits(2);
    assert!(
        r.stderr.contains("no signature verifies with --policy-key"),
        "{}",
        r.stderr
    );

    // what a tamperer would like: criticals pass
    let tampered = g.replace("critical: { gate: accept", "critical: { gate: pass");
    assert_ne!(tampered, g);

    // a cached file changed: fetched again and checked, so the run is unchanged
    let cached = cache
        .join("policies")
        .join(digest.replace(':', "-"))
        .join("files/guardrails.yaml");
    std::fs::write(&cached, &tampered).unwrap();
    check(&pinned, &platform, &cache, &[]).exits(1);

    // the registry's copy of guardrails.yaml rewritten in its storage: an integrity failure
    let blob = stored_blob(&dir.join("registry/data"), g.as_bytes());
    assert!(blob.is_file(), "{}", blob.display());
    std::fs::write(&blob, &tampered).unwrap();
    let r = check(&pinned, &platform, &dir.join("cache-fresh"), &[]).exits(2);
    assert!(
        r.stderr.contains("integrity") || r.stderr.contains("has digest"),
        "{}",
        r.stderr
    );

    // offline: the registry is gone, the cache (checked again) still gates
    reg.stop();
    check(&pinned, &platform, &cache, &[]).exits(1);
    // and a changed cache with no registry to refetch from is exit 2, not a silent pass
    std::fs::write(&cached, &tampered).unwrap();
    let r = check(&pinned, &platform, &cache, &["--registry-timeout", "3"]).exits(2);
    assert!(!r.stdout.contains("\"verdict\""), "{}", r.stdout);
}

/// The run's REGISTRY_USERNAME/REGISTRY_PASSWORD are for its images' registry: the policy's
/// registry gets them only when REGISTRY_HOSTS lists it.
#[test]
fn the_policy_registry_gets_credentials_only_when_listed() {
    if !harness::available() {
        return;
    }
    let dir = scratch("policy-oci-auth");
    let reg = Registry::start(
        &dir.join("registry"),
        Auth::Basic("ci-bot", "s3cret"),
        false,
    );
    let (policy, _) = example_policy(&dir);
    // pushing names one registry: the credentials go to it
    let r = riskgate()
        .env("REGISTRY_USERNAME", "ci-bot")
        .env("REGISTRY_PASSWORD", "s3cret")
        .args(["policy", "push"])
        .arg(&policy)
        .arg(format!("{}/security/policy:1", reg.addr))
        .run()
        .exits(0);
    let pinned = format!("oci://{}/security/policy@{}", reg.addr, r.stdout.trim());
    let run = |hosts: Option<&str>| {
        let mut c = gate(Path::new(&pinned));
        c.env("RISKGATE_CACHE_DIR", dir.join("cache"))
            .env("REGISTRY_USERNAME", "ci-bot")
            .env("REGISTRY_PASSWORD", "s3cret")
            .args(["--registry-timeout", "5"]);
        if let Some(h) = hosts {
            c.env("REGISTRY_HOSTS", h);
        }
        c.run()
    };
    let r = run(None).exits(2);
    assert!(!r.stderr.contains("s3cret"), "{}", r.stderr);
    run(Some(&reg.addr)).exits(1);
}

/// `policy push POLICY TO --sign-key DIR/platform.key`, which must succeed.
fn push_signed(dir: &Path, policy: &Path, to: &str) -> Run {
    riskgate()
        .env("COSIGN_PASSWORD", "")
        .args(["policy", "push"])
        .arg(policy)
        .arg(to)
        .arg("--sign-key")
        .arg(dir.join("platform.key"))
        .run()
        .exits(0)
}

/// `policy push DIR oci:LAYOUT:TAG` writes a real OCI image layout; `--policy
/// oci:LAYOUT@sha256:...` gates from it with the checks of a registry's policy: the digest
/// pinned, every file's digest, the signature with --policy-key. No registry is needed.
#[test]
fn a_policy_in_an_oci_layout_is_pinned_signed_and_checked() {
    let dir = scratch("policy-layout");
    crate::common::keygen(&dir, &["platform", "other"]);
    let (policy, g) = example_policy(&dir);
    let layout = dir.join("layout");
    let r = push_signed(&dir, &policy, &format!("oci:{}:2026-12", layout.display()));
    let digest = r.stdout.trim().to_string();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{}",
        r.stdout
    );
    let pinned = format!("oci:{}@{digest}", layout.display());
    assert!(
        r.stderr.contains(&format!("gate with --policy {pinned}")),
        "{}",
        r.stderr
    );
    // an OCI image layout as the spec has it: the layout file, the index naming the tag and the
    // signature, and every blob under its digest
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let names: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["annotations"]["org.opencontainers.image.ref.name"].as_str())
        .collect();
    let sig_tag = format!("{}.sig", digest.replace(':', "-"));
    assert_eq!(names, vec!["2026-12", sig_tag.as_str()]);
    assert!(layout.join("oci-layout").is_file());
    assert!(layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"))
        .is_file());

    let platform = dir.join("platform.pub");
    let cache = dir.join("cache");
    let from_layout = check(&pinned, &platform, &cache, &[]).exits(1);
    let local = gate(&policy).run().exits(1);
    let a: Value = serde_json::from_str(&from_layout.stdout).unwrap();
    let b: Value = serde_json::from_str(&local.stdout).unwrap();
    assert_eq!(a["summary"], b["summary"]);
    assert_eq!(a["policy"], pinned.as_str());

    // a tag: refused unless allowed, then the digest it resolved to is named
    let tagged = format!("oci:{}:2026-12", layout.display());
    let r = check(&tagged, &platform, &cache, &[]).exits(2);
    assert!(r.stderr.contains("must be pinned"), "{}", r.stderr);
    let r = check(&tagged, &platform, &cache, &["--policy-allow-tag"]).exits(1);
    assert!(
        r.stderr.contains(&format!("resolved to {digest}")),
        "{}",
        r.stderr
    );
    // another key
    let r = check(&pinned, &dir.join("other.pub"), &dir.join("c2"), &[]).exits(2);
    assert!(
        r.stderr.contains("no signature verifies with --policy-key"),
        "{}",
        r.stderr
    );
    // a file of the layout rewritten: an integrity failure, never the tampered policy
    let tampered = g.replace("critical: { gate: accept", "critical: { gate: pass");
    assert_ne!(tampered, g);
    let hex = riskgate::model::digest::sha256_hex(g.as_bytes());
    std::fs::write(layout.join("blobs/sha256").join(&hex), &tampered).unwrap();
    let r = check(&pinned, &platform, &dir.join("c3"), &[]).exits(2);
    assert!(r.stderr.contains("integrity failure"), "{}", r.stderr);
    assert!(!r.stdout.contains("\"verdict\""), "{}", r.stdout);
    // a digest the layout does not have
    let other = format!("oci:{}@sha256:{}", layout.display(), "0".repeat(64));
    let r = check(&other, &platform, &dir.join("c4"), &[]).exits(2);
    assert!(r.stderr.contains("is missing"), "{}", r.stderr);
}

/// The layout is a real one: skopeo copies it into a registry unchanged, and the policy gates
/// from there by the same digest.
#[test]
fn skopeo_publishes_a_policy_layout_to_a_registry_unchanged() {
    if !harness::available() {
        return;
    }
    let dir = scratch("policy-layout-skopeo");
    crate::common::keygen(&dir, &["platform"]);
    let (policy, _) = example_policy(&dir);
    let layout = dir.join("layout");
    let digest = push_signed(&dir, &policy, &format!("oci:{}:v1", layout.display()))
        .stdout
        .trim()
        .to_string();
    let reg = Registry::start(&dir.join("registry"), Auth::None, false);
    let sig_tag = format!("{}.sig", digest.replace(':', "-"));
    for tag in ["v1", sig_tag.as_str()] {
        let out = std::process::Command::new("skopeo")
            .args(["copy", "--dest-tls-verify=false", "--preserve-digests"])
            .arg(format!("oci:{}:{tag}", layout.display()))
            .arg(format!("docker://{}/security/policy:{tag}", reg.addr))
            .output()
            .expect("skopeo");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let pinned = format!("oci://{}/security/policy@{digest}", reg.addr);
    check(&pinned, &dir.join("platform.pub"), &dir.join("cache"), &[]).exits(1);
}

/// `--policy-identity ISSUER SUBJECT --policy-trusted-root FILE`: a policy signed keyless (a
/// Sigstore bundle in its referrers, as `cosign sign` v3 attaches it). No keyless signature of
/// a riskgate policy can be made here (Fulcio cannot be reached), so a real keyless bundle of
/// something else (cosign v3's signature of the kubewarden-controller image) is attached: it
/// verifies for its signer but signs another digest, so the policy is refused; without any
/// bundle it is refused as unsigned; and the flags are checked before anything is fetched.
#[test]
fn a_policy_signed_keyless_is_checked_against_its_referrers() {
    if !harness::available() {
        return;
    }
    let dir = scratch("policy-keyless");
    let reg = Registry::start(&dir.join("registry"), Auth::None, false);
    let (policy, _) = example_policy(&dir);
    let r = riskgate()
        .args(["policy", "push"])
        .arg(&policy)
        .arg(format!("{}/security/riskgate-policy:keyless", reg.addr))
        .run()
        .exits(0);
    let digest = r.stdout.trim().to_string();
    let pinned = format!("oci://{}/security/riskgate-policy@{digest}", reg.addr);
    let root = crate::common::fixture("sigstore/trusted_root.prod.json");
    let gh = "https://token.actions.githubusercontent.com";
    let kubewarden = r"^https://github\.com/kubewarden/kubewarden-controller/\.github/workflows/.+@refs/tags/v1\.34\.0$";
    let keyless = |cache: &str, subject: &str| {
        gate(Path::new(&pinned))
            .env("RISKGATE_CACHE_DIR", dir.join(cache))
            .args(["--policy-identity", gh, subject, "--policy-trusted-root"])
            .arg(&root)
            .run()
    };

    // not signed at all
    let r = keyless("c1", kubewarden).exits(2);
    assert!(r.stderr.contains("not signed keyless"), "{}", r.stderr);

    // a real keyless bundle in the referrers, about another artifact
    let manifest = crate::common::sh(std::process::Command::new("curl").args([
        "-sSf",
        "-H",
        "Accept: application/vnd.oci.image.manifest.v1+json",
        &format!(
            "http://{}/v2/security/riskgate-policy/manifests/{digest}",
            reg.addr
        ),
    ]));
    let bundle = std::fs::read(crate::common::fixture("sigstore/bundle_v03.json")).unwrap();
    harness::push_referrers(
        &reg,
        "security/riskgate-policy",
        &digest,
        manifest.len(),
        &[bundle],
    );
    let r = keyless("c2", kubewarden).exits(2);
    assert!(
        r.stderr
            .contains("no bundle verifies for --policy-identity")
            && r.stderr.contains("does not match any subject"),
        "{}",
        r.stderr
    );
    let r = keyless("c3", r"^https://github\.com/acme/").exits(2);
    assert!(r.stderr.contains("no bundle verifies"), "{}", r.stderr);

    // the flags: an identity without a trusted root, with a key, a bad regex, a file that is
    // not a trusted root, and an identity for a local policy directory
    let p = pinned.as_str();
    let root = root.to_str().unwrap();
    let not_root = crate::common::fixture("sigstore/bundle_v03.json");
    let not_root = not_root.to_str().unwrap();
    let local = policy.to_str().unwrap();
    for (given, extra) in [
        (p, vec!["--policy-identity", gh, ".+"]),
        (
            p,
            vec!["--policy-identity", gh, ".+", "--policy-key", "k.pub"],
        ),
        (
            p,
            vec!["--policy-identity", gh, "(", "--policy-trusted-root", root],
        ),
        (
            p,
            vec![
                "--policy-identity",
                gh,
                ".+",
                "--policy-trusted-root",
                not_root,
            ],
        ),
        (
            local,
            vec!["--policy-identity", gh, ".+", "--policy-trusted-root", root],
        ),
    ] {
        let r = gate(Path::new(given)).args(&extra).run();
        assert_eq!(r.code, 2, "{extra:?}: {}{}", r.stdout, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
}

/// The same for a policy in an OCI layout: its referrers are the layout's `sha256-<hex>` tag
/// (what cosign and skopeo write), an index of bundle manifests.
#[test]
fn a_policy_layout_signed_keyless_is_checked_against_its_referrers_tag() {
    use riskgate::model::digest::sha256;
    let dir = scratch("policy-layout-keyless");
    let (policy, _) = example_policy(&dir);
    let layout = dir.join("layout");
    let r = riskgate()
        .args(["policy", "push"])
        .arg(&policy)
        .arg(format!("oci:{}:keyless", layout.display()))
        .run()
        .exits(0);
    let digest = r.stdout.trim().to_string();
    let pinned = format!("oci:{}@{digest}", layout.display());
    let gh = "https://token.actions.githubusercontent.com";
    let root = crate::common::fixture("sigstore/trusted_root.prod.json");
    let keyless = |cache: &str| {
        gate(Path::new(&pinned))
            .env("RISKGATE_CACHE_DIR", dir.join(cache))
            .args(["--policy-identity", gh, ".+", "--policy-trusted-root"])
            .arg(&root)
            .run()
    };
    let r = keyless("c1").exits(2);
    assert!(r.stderr.contains("not signed keyless"), "{}", r.stderr);

    // the referrers tag: an index of one bundle manifest (a real keyless bundle of another image)
    let put = |bytes: &[u8]| -> String {
        let d = sha256(bytes);
        let hex = d.trim_start_matches("sha256:");
        std::fs::write(layout.join("blobs/sha256").join(hex), bytes).unwrap();
        d
    };
    let manifest_size = std::fs::read(
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:")),
    )
    .unwrap()
    .len();
    const BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
    let bundle = std::fs::read(crate::common::fixture("sigstore/bundle_v03.json")).unwrap();
    let empty = put(b"{}");
    let m = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": BUNDLE,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2, "digest": empty},
        "layers": [{"mediaType": BUNDLE, "size": bundle.len(), "digest": put(&bundle)}],
        "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": manifest_size, "digest": digest},
    }))
    .unwrap();
    let idx = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": m.len(), "digest": put(&m), "artifactType": BUNDLE}],
    }))
    .unwrap();
    let mut index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    index["manifests"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.index.v1+json", "size": idx.len(), "digest": put(&idx),
            "annotations": {"org.opencontainers.image.ref.name": digest.replace(':', "-")},
        }));
    std::fs::write(layout.join("index.json"), index.to_string()).unwrap();
    let r = keyless("c2").exits(2);
    assert!(
        r.stderr
            .contains("no bundle verifies for --policy-identity")
            && r.stderr.contains("does not match any subject"),
        "{}",
        r.stderr
    );
}
