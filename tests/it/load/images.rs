//! `check --image` and `--artifact` end to end: real registries (Debian's docker-registry on
//! 127.0.0.1, plain, with basic auth, with TLS from a private CA), real images built with umoci
//! and pushed with skopeo, cosign-format signatures made with the sigstore crate, and the real
//! Sigstore bundles in tests/fixtures/sigstore. See tests/it/load/harness.rs.

use super::harness::{self, Auth, Registry};
use crate::common::{fixture, riskgate, run, scratch, Cli, Run};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const SLSA: &str = "https://slsa.dev/provenance/v1";

struct World {
    dir: crate::common::Scratch, // a static: lives until the test process exits
    reg: Registry,
    layout: PathBuf,
    policy: PathBuf,
    app: String,
    rootapp: String,
    base_diff_ids: Vec<String>,
    wrong: sigstore::crypto::signing_key::SigStoreKeyPair,
    good: sigstore::crypto::signing_key::SigStoreKeyPair,
}

const IMAGES: &str = r#"
images:
  allowed_registries: ["127.0.0.1:*/payments/**"]
  require_digest: true
  signatures:
    - key: keys/release.pub
  attestations: ["https://slsa.dev/provenance/v1"]
  base_images: { allowed: ["127.0.0.1:*/base/**"], max_age_days: 365 }
  forbid_root_user: true
"#;

fn world() -> Option<&'static World> {
    static W: OnceLock<Option<World>> = OnceLock::new();
    W.get_or_init(|| {
        if !harness::available() {
            return None;
        }
        let dir = scratch("images");
        let reg = Registry::start(&dir.join("plain"), Auth::None, false);
        let build = dir.join("build");
        std::fs::create_dir_all(&build).expect("mkdir");
        let layout = harness::build_images(&build, &format!("{}/base/busybox:1", reg.addr));
        let app = harness::layout_digest(&layout, "app");
        let rootapp = harness::layout_digest(&layout, "rootapp");
        reg.push(&layout, "base", "base/busybox:1");
        for (tag, dest) in [
            ("app", "payments/api:1.0"),
            ("rootapp", "payments/api:root"),
            ("app", "payments/unsigned:1.0"),
            ("app", "payments/wrongkey:1.0"),
            ("app", "other/api:1.0"),
            ("app", "payments/bundled:1.0"),
        ] {
            reg.push(&layout, tag, dest);
        }
        let (good, good_pub) = harness::keypair();
        let (wrong, _) = harness::keypair();
        let sigs = |repo: &str,
                    digest: &str,
                    key: &sigstore::crypto::signing_key::SigStoreKeyPair,
                    att: bool| {
            let n = format!("{repo}-{}", &digest[7..19]);
            let l = harness::artifact_layout(
                &dir.join("sig").join(&n),
                &[harness::signature_layer(
                    key,
                    &format!("{}/{repo}", reg.addr),
                    digest,
                )],
            );
            reg.push(&l, "t", &format!("{repo}:{}.sig", digest.replace(':', "-")));
            if att {
                let l = harness::artifact_layout(
                    &dir.join("att").join(&n),
                    &[harness::attestation_layer(key, digest, SLSA)],
                );
                reg.push(&l, "t", &format!("{repo}:{}.att", digest.replace(':', "-")));
            }
        };
        sigs("payments/api", &app, &good, true);
        sigs("payments/api", &rootapp, &good, true);
        sigs("payments/wrongkey", &app, &wrong, true);
        sigs("other/api", &app, &good, true);
        // cosign v3 style: signature and provenance as Sigstore bundles in the referrers.
        let size = std::fs::metadata(blob(&layout, &app))
            .expect("manifest")
            .len() as usize;
        harness::push_referrers(
            &reg,
            "payments/bundled",
            &app,
            size,
            &[
                harness::key_bundle(&good, &app, riskgate::verify::COSIGN_SIGN_PREDICATE),
                harness::key_bundle(&good, &app, SLSA),
            ],
        );
        let policy = policy_dir(&dir.join("policy"), IMAGES, &good_pub);
        let base_cfg: Value = {
            let m: Value = serde_json::from_slice(
                &std::fs::read(blob(&layout, &harness::layout_digest(&layout, "base")))
                    .expect("manifest"),
            )
            .expect("json");
            serde_json::from_slice(
                &std::fs::read(blob(
                    &layout,
                    m["config"]["digest"].as_str().expect("config"),
                ))
                .expect("config"),
            )
            .expect("json")
        };
        let base_diff_ids = base_cfg["rootfs"]["diff_ids"]
            .as_array()
            .expect("diff_ids")
            .iter()
            .map(|d| d.as_str().expect("str").to_string())
            .collect();
        Some(World {
            dir,
            reg,
            layout,
            policy,
            app,
            rootapp,
            base_diff_ids,
            wrong,
            good,
        })
    })
    .as_ref()
}

fn blob(layout: &Path, digest: &str) -> PathBuf {
    layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"))
}

/// examples/policy with the test registry's repositories as payments-api's images, `images`
/// (and whatever else) appended to guardrails.yaml, and the release key under keys/.
fn policy_dir(dir: &Path, extra: &str, public_key: &str) -> PathBuf {
    std::fs::create_dir_all(dir.join("keys")).expect("mkdir");
    let src = crate::common::root().join("examples/policy");
    let own = std::fs::read_to_string(src.join("ownership.yaml")).expect("ownership");
    let own = own.replace(
        r#"images: ["registry.acme.example/payments/**"]"#,
        r#"images: ["127.0.0.1:*/payments/**"]"#,
    );
    assert!(own.contains("127.0.0.1:*/payments/**"));
    std::fs::write(dir.join("ownership.yaml"), own).expect("write");
    // The example's guardrails without its own trusted root, images and artifacts sections
    // (from its "# Sigstore" comment to `products:`), then the test's.
    let g = std::fs::read_to_string(src.join("guardrails.yaml")).expect("guardrails");
    let (head, rest) = g
        .split_once("# Sigstore's public-good")
        .expect("example sections");
    let products = rest.find("\nproducts:").expect("products");
    std::fs::write(
        dir.join("guardrails.yaml"),
        format!("{head}{}{extra}", &rest[products + 1..]),
    )
    .expect("write");
    std::fs::write(dir.join("keys/release.pub"), public_key).expect("key");
    std::fs::copy(src.join("keys/vex.pub"), dir.join("keys/vex.pub")).expect("vex key");
    dir.to_path_buf()
}

/// `riskgate check` on payments-api as of 2026-11-23 with `policy`.
fn gate(policy: &Path) -> Command {
    let mut c = riskgate();
    c.args([
        "check",
        "--product",
        "payments-api",
        "--now",
        "2026-11-23",
        "--policy",
    ])
    .arg(policy);
    c
}

fn check(policy: &Path, args: &[&str]) -> (Run, Value) {
    let r = run(gate(policy).args(["--format", "json"]).args(args));
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r, v)
}

/// The image's check of `rule`: (status, reason, owner team).
fn rule(v: &Value, rule: &str) -> (String, String, String) {
    let c = v["images"][0]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} check in {v:#}"));
    (
        c["status"].as_str().unwrap_or("").into(),
        c["reason"].as_str().unwrap_or("").into(),
        c["owner"]["team"].as_str().unwrap_or("").into(),
    )
}

#[test]
fn signed_attested_pinned_image_allows() {
    let Some(w) = world() else { return };
    let image = format!("{}/payments/api@{}", w.reg.addr, w.app);
    let (r, v) = check(&w.policy, &["--image", &image]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(v["verdict"], "allow");
    let img = &v["images"][0];
    assert_eq!(img["digest"], w.app.as_str());
    assert_eq!(img["status"], "passed");
    assert_eq!(img["user"], "1000");
    assert_eq!(
        img["base"]["name"],
        format!("{}/base/busybox:1", w.reg.addr)
    );
    assert_eq!(img["base"]["created"], "2026-06-01T00:00:00Z");
    for r in [
        "registry",
        "product",
        "digest",
        "signature",
        "attestation",
        "base_image",
        "base_age",
        "root_user",
    ] {
        assert_eq!(rule(&v, r).0, "passed", "{r}: {v:#}");
    }
    assert!(rule(&v, "signature").1.contains("key keys/release.pub"));
    assert!(rule(&v, "base_age").1.contains("175 days"));
    // The human report says the same.
    let mut c = gate(&w.policy);
    c.args(["--image", &image]);
    let h = run(&mut c);
    assert_eq!(h.code, 0);
    assert!(
        h.stdout.contains(&format!("Image {image} ({}): ok", w.app)),
        "{}",
        h.stdout
    );
}

#[test]
fn bundles_in_the_referrers_sign_and_attest_and_many_images_are_checked_in_one_run() {
    let Some(w) = world() else { return };
    let a = &w.reg.addr;
    let bundled = format!("{a}/payments/bundled@{}", w.app);
    let unsigned = format!("{a}/payments/unsigned@{}", w.app);
    let signed = format!("{a}/payments/api@{}", w.app);
    let (r, v) = check(
        &w.policy,
        &[
            "--image", &bundled, "--image", &unsigned, "--image", &signed,
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let imgs = v["images"].as_array().expect("images");
    let status: Vec<(&str, &str)> = imgs
        .iter()
        .map(|i| {
            (
                i["reference"].as_str().unwrap_or(""),
                i["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        status,
        [
            (bundled.as_str(), "passed"),
            (unsigned.as_str(), "blocked"),
            (signed.as_str(), "passed")
        ]
    );
    let sources: Vec<&str> = imgs[0]["signatures"]
        .as_array()
        .expect("signatures")
        .iter()
        .map(|s| s["source"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(sources.len(), 2);
    assert!(
        sources.iter().all(|s| s.starts_with("referrer sha256:")),
        "{sources:?}"
    );
    assert_eq!(imgs[0]["signatures"][1]["predicate_type"], SLSA);
}

#[test]
fn unsigned_wrong_key_unpinned_disallowed_and_root_each_block_for_their_reason() {
    let Some(w) = world() else { return };
    let a = &w.reg.addr;
    let cases: [(String, &str, &str); 5] = [
        (
            format!("{a}/payments/unsigned@{}", w.app),
            "signature",
            "no signature found (looked in tag sha256-",
        ),
        (
            format!("{a}/payments/wrongkey@{}", w.app),
            "signature",
            "does not verify with this key",
        ),
        (
            format!("{a}/payments/api:1.0"),
            "digest",
            "given by tag, not pinned by digest",
        ),
        (
            format!("{a}/other/api@{}", w.app),
            "registry",
            "is not in an allowed registry",
        ),
        (
            format!("{a}/payments/api@{}", w.rootapp),
            "root_user",
            "runs as root (the config names no user)",
        ),
    ];
    for (image, failing, reason) in cases {
        let (r, v) = check(&w.policy, &["--image", &image]);
        assert_eq!(r.code, 1, "{image}: {}{}", r.stdout, r.stderr);
        assert_eq!(v["verdict"], "block");
        assert_eq!(v["images"][0]["status"], "blocked");
        let (status, why, team) = rule(&v, failing);
        assert_eq!(status, "blocked", "{image}");
        assert!(why.contains(reason), "{image}: {why}");
        assert_eq!(team, "payments-dev", "{image}");
        let blocked: Vec<&str> = v["images"][0]["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["status"] == "blocked")
            .map(|c| c["rule"].as_str().unwrap_or(""))
            .collect();
        let expect: &[&str] = match failing {
            // The wrong key also signed the attestation, and the other repository is not one
            // of payments-api's images either.
            "signature" if image.contains("wrongkey") => &["signature", "attestation"],
            "signature" => &["signature", "attestation"],
            "registry" => &["registry", "product"],
            f => std::slice::from_ref(match f {
                "digest" => &"digest",
                _ => &"root_user",
            }),
        };
        assert_eq!(blocked, expect, "{image}: {v:#}");
    }
    // The unpinned one says exactly what to deploy instead.
    let (_, v) = check(&w.policy, &["--image", &format!("{a}/payments/api:1.0")]);
    let fix = v["images"][0]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["rule"] == "digest")
        .expect("digest")["fix"]
        .clone();
    assert_eq!(fix, format!("deploy {a}/payments/api@{}", w.app));
}

#[test]
fn stale_base_blocks_and_is_owned_by_the_platform_team() {
    let Some(w) = world() else { return };
    let key = std::fs::read_to_string(w.policy.join("keys/release.pub")).expect("key");
    let p = policy_dir(
        &w.dir.join("policy-stale"),
        &IMAGES.replace("max_age_days: 365", "max_age_days: 90"),
        &key,
    );
    let (r, v) = check(
        &p,
        &["--image", &format!("{}/payments/api@{}", w.reg.addr, w.app)],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let (status, why, team) = rule(&v, "base_age");
    assert_eq!(status, "blocked");
    assert!(
        why.contains("was built 175 days ago, more than max_age_days 90"),
        "{why}"
    );
    assert_eq!(team, "platform");
    let c = v["images"][0]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["rule"] == "base_age")
        .expect("check")
        .clone();
    assert_eq!(c["owner"]["layer"], "base-image");
}

#[test]
fn tampered_registry_content_is_an_integrity_block() {
    let Some(w) = world() else { return };
    let reg = Registry::start(&w.dir.join("tamper"), Auth::None, false);
    reg.push(&w.layout, "app", "payments/api:1.0");
    // Change the manifest bytes the registry stores under the image's digest.
    let hex = w.app.trim_start_matches("sha256:");
    let data = reg.dir.join(format!(
        "data/docker/registry/v2/blobs/sha256/{}/{hex}/data",
        &hex[..2]
    ));
    let bytes = std::fs::read(&data).expect("stored manifest");
    assert!(String::from_utf8_lossy(&bytes).contains("busybox:1"));
    std::fs::write(
        &data,
        String::from_utf8(bytes)
            .expect("utf8")
            .replace("busybox:1", "busybox:2"),
    )
    .expect("tamper");
    for image in [
        format!("{}/payments/api@{}", reg.addr, w.app),
        format!("{}/payments/api:1.0", reg.addr),
    ] {
        let (r, v) = check(&w.policy, &["--image", &image]);
        assert_eq!(r.code, 1, "{image}: {}{}", r.stdout, r.stderr);
        let (status, why, _) = rule(&v, "integrity");
        assert_eq!(status, "blocked");
        assert!(why.contains("does not match its digest"), "{why}");
    }
    reg.stop();
}

#[test]
fn requests_per_image_and_a_stopped_registry_is_exit_2() {
    let Some(w) = world() else { return };
    let reg = Registry::start(&w.dir.join("count"), Auth::None, false);
    reg.push(&w.layout, "app", "payments/api:1.0");
    let sig = harness::artifact_layout(
        &w.dir.join("count-sig"),
        &[harness::signature_layer(&w.good, "x", &w.app)],
    );
    reg.push(
        &sig,
        "t",
        &format!("payments/api:{}.sig", w.app.replace(':', "-")),
    );
    let key = std::fs::read_to_string(w.policy.join("keys/release.pub")).expect("key");
    let p = policy_dir(
        &w.dir.join("policy-count"),
        "\nimages:\n  require_digest: true\n  signatures: [{ key: keys/release.pub }]\n",
        &key,
    );
    let image = format!("{}/payments/api@{}", reg.addr, w.app);
    let before = reg.requests().len();
    let (r, v) = check(&p, &["--image", &image]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Digest + signature: the manifest, the .sig manifest, the signature payload.
    assert_eq!(v["images"][0]["registry_requests"], 3);
    let http = reg.requests().len() - before;
    // Read anonymously, nothing is probed: a registry that wants a token says so on the first
    // request (issue 19: at most 3 requests for digest + one key signature).
    assert_eq!(http, 3, "{http} HTTP requests: {:#?}", reg.requests());
    eprintln!("digest + signature: 3 registry operations, {http} HTTP requests");
    reg.stop();
    let (r, _) = check(&p, &["--image", &image, "--registry-timeout", "2"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("cannot reach the registry"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "no report when nothing was decided");
}

#[test]
fn basic_auth_registry_needs_credentials_and_never_prints_them() {
    let Some(w) = world() else { return };
    let reg = Registry::start(
        &w.dir.join("auth"),
        Auth::Basic("ci-bot", "s3cret-pa55"),
        false,
    );
    reg.push(&w.layout, "app", "payments/api:1.0");
    let key = std::fs::read_to_string(w.policy.join("keys/release.pub")).expect("key");
    let sig = harness::artifact_layout(
        &w.dir.join("auth-sig"),
        &[harness::signature_layer(&w.good, "x", &w.app)],
    );
    reg.push(
        &sig,
        "t",
        &format!("payments/api:{}.sig", w.app.replace(':', "-")),
    );
    let p = policy_dir(
        &w.dir.join("policy-auth"),
        "\nimages:\n  signatures: [{ key: keys/release.pub }]\n  forbid_root_user: true\n",
        &key,
    );
    let image = format!("{}/payments/api@{}", reg.addr, w.app);

    let (r, _) = check(&p, &["--image", &image]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("refused access"), "{}", r.stderr);

    // two images of one repository: riskgate probes /v2/ once in the run for where credentials
    // may go, and authenticates once (oci-client's own probe), not once per image (issue 19)
    let tagged = format!("{}/payments/api:1.0", reg.addr);
    let before = reg.requests().len();
    let mut c = gate(&p);
    c.args(["--format", "json"])
        .args(["--image", &image, "--image", &tagged])
        .env("REGISTRY_USERNAME", "ci-bot")
        .env("REGISTRY_PASSWORD", "s3cret-pa55")
        .env("DOCKER_CONFIG", w.dir.join("no-such-dir"));
    let r = run(&mut c);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("s3cret") && !r.stderr.contains("s3cret"));
    let probes = reg.requests()[before..]
        .iter()
        .filter(|l| l.contains("\"GET /v2/ "))
        .count();
    assert_eq!(probes, 2, "{:#?}", &reg.requests()[before..]);

    // The Docker config file, as `docker login` writes it.
    let cfg = w.dir.join("docker-config");
    std::fs::create_dir_all(&cfg).expect("mkdir");
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("ci-bot:s3cret-pa55");
    std::fs::write(
        cfg.join("config.json"),
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, reg.addr),
    )
    .expect("write");
    let mut c = gate(&p);
    c.args(["--image", &image]).env("DOCKER_CONFIG", &cfg);
    let r = run(&mut c);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // A wrong password in the config is refused, not ignored.
    std::fs::write(
        cfg.join("config.json"),
        format!(
            r#"{{"auths":{{"{}":{{"username":"ci-bot","password":"nope"}}}}}}"#,
            reg.addr
        ),
    )
    .expect("write");
    let r = run(gate(&p)
        .args(["--image", &image])
        .env("DOCKER_CONFIG", &cfg));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("nope"));
    reg.stop();
}

#[test]
fn tls_registry_with_a_private_ca() {
    let Some(w) = world() else { return };
    let reg = Registry::start(&w.dir.join("tls"), Auth::None, true);
    reg.push(&w.layout, "app", "payments/api:1.0");
    let key = std::fs::read_to_string(w.policy.join("keys/release.pub")).expect("key");
    let p = policy_dir(
        &w.dir.join("policy-tls"),
        "\nimages:\n  forbid_root_user: true\n",
        &key,
    );
    let image = format!("{}/payments/api:1.0", reg.addr);
    let ca = reg.ca.clone().expect("ca");
    let (r, v) = check(
        &p,
        &[
            "--image",
            &image,
            "--registry-ca",
            ca.to_str().expect("utf8"),
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(v["images"][0]["digest"], w.app.as_str());
    // With another CA, the registry's certificate is not trusted: exit 2, not an allow.
    let other = harness::make_ca(&w.dir.join("other-ca"), "another CA");
    let (r, _) = check(
        &p,
        &[
            "--image",
            &image,
            "--registry-ca",
            other.to_str().expect("utf8"),
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.to_lowercase().contains("certificate"),
        "{}",
        r.stderr
    );
    reg.stop();
}

#[test]
fn oci_layout_on_disk() {
    let Some(w) = world() else { return };
    let key = std::fs::read_to_string(w.policy.join("keys/release.pub")).expect("key");
    let p = policy_dir(
        &w.dir.join("policy-layout"),
        "\nimages:\n  forbid_root_user: true\n  require_digest: true\n",
        &key,
    );
    // A layout is named oci:DIR; the product lists where its layouts are built.
    let own = std::fs::read_to_string(p.join("ownership.yaml")).expect("read");
    std::fs::write(
        p.join("ownership.yaml"),
        own.replace(
            r#"["127.0.0.1:*/payments/**"]"#,
            r#"["127.0.0.1:*/payments/**", "oci:**"]"#,
        ),
    )
    .expect("write");
    let l = w.layout.display();
    let (r, v) = check(&p, &["--image", &format!("oci:{l}@{}", w.app)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(v["images"][0]["user"], "1000");
    let (r, v) = check(&p, &["--image", &format!("oci:{l}:rootapp")]);
    assert_eq!(r.code, 1);
    assert_eq!(rule(&v, "root_user").0, "blocked");
    assert_eq!(rule(&v, "digest").0, "blocked");
    let (r, _) = check(&p, &["--image", &format!("oci:{l}:nosuchtag")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not found"), "{}", r.stderr);
}

#[test]
fn findings_in_base_image_layers_belong_to_the_base_layer_owner() {
    let Some(w) = world() else { return };
    // The real Trivy report of fluentd, its layer DiffIDs replaced by the test image's: the gem
    // finding's layer becomes the base's only layer, the OS finding's an app layer.
    let mut t: Value = serde_json::from_slice(
        &std::fs::read(fixture("trivy/fluentd-gems.json")).expect("fixture"),
    )
    .expect("json");
    let gem_layer = "sha256:75e43d55939745950bc3f8fad56c5834617c4339f0f54755e69a0dd5372624e9";
    let text = serde_json::to_string(&t)
        .expect("json")
        .replace(gem_layer, &w.base_diff_ids[0]);
    t = serde_json::from_str(&text).expect("json");
    let report = w.dir.join("fluentd-rebased.json");
    std::fs::write(&report, serde_json::to_vec(&t).expect("json")).expect("write");
    let key = std::fs::read_to_string(w.policy.join("keys/release.pub")).expect("key");
    let p = policy_dir(
        &w.dir.join("policy-layers"),
        "\nimages:\n  forbid_root_user: true\n",
        &key,
    );
    let gem = |v: &Value| -> Value {
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["package"]["class"] == "library")
            .expect("gem finding")["owner"]
            .clone()
    };
    let (_, without) = check(&p, &["--report", report.to_str().expect("utf8")]);
    assert_eq!(gem(&without)["team"], "payments-dev");
    assert_eq!(gem(&without)["layer"], Value::Null);
    let (r, with) = check(
        &p,
        &[
            "--report",
            report.to_str().expect("utf8"),
            "--image",
            &format!("{}/payments/api@{}", w.reg.addr, w.app),
        ],
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert_eq!(gem(&with)["team"], "platform", "{:#}", with["findings"]);
    assert_eq!(gem(&with)["layer"], "base-image");
    let _ = (&w.rootapp, &w.wrong);
}

// ---- keyless and artifacts: the real bundles, no registry needed ----

fn keyless_signers(issuer: &str, subject: &str) -> Vec<riskgate::verify::Signer> {
    vec![riskgate::verify::Signer {
        label: format!("keyless {issuer} {subject}"),
        kind: riskgate::verify::SignerKind::Keyless(riskgate::verify::keyless::IdentityPolicy {
            issuer: issuer.into(),
            subject: regex::Regex::new(subject).expect("regex"),
        }),
    }]
}

#[test]
fn cosign_v3_image_bundle_verifies_offline_for_the_right_identity_only() {
    let bundle = std::fs::read(fixture("sigstore/bundle_v03.json")).expect("bundle");
    let root = std::fs::read(fixture("sigstore/trusted_root.prod.json")).expect("root");
    let digest = "sha256:c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172";
    let gh = "https://token.actions.githubusercontent.com";
    let right = keyless_signers(
        gh,
        r"^https://github\.com/kubewarden/kubewarden-controller/\.github/workflows/.+@refs/tags/v1\.34\.0$",
    );
    let s = riskgate::verify::Signers {
        signers: &right,
        trusted_root: Some(&root),
    };
    let v = riskgate::verify::bundle(&bundle, digest, None, &s).expect("verifies");
    assert_eq!(
        v.predicate_type.as_deref(),
        Some(riskgate::verify::COSIGN_SIGN_PREDICATE)
    );
    let wrong = keyless_signers(gh, r"^https://github\.com/acme/.+$");
    let s = riskgate::verify::Signers {
        signers: &wrong,
        trusted_root: Some(&root),
    };
    let e = riskgate::verify::bundle(&bundle, digest, None, &s).expect_err("wrong identity");
    assert!(e[0].contains("SubjectAltName"), "{e:?}");
    let other = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    let s = riskgate::verify::Signers {
        signers: &right,
        trusted_root: Some(&root),
    };
    assert!(
        riskgate::verify::bundle(&bundle, other, None, &s).is_err(),
        "another image's digest"
    );
    let staging = std::fs::read(fixture("sigstore/trusted_root.staging.json")).expect("root");
    let s = riskgate::verify::Signers {
        signers: &right,
        trusted_root: Some(&staging),
    };
    assert!(
        riskgate::verify::bundle(&bundle, digest, None, &s).is_err(),
        "staging root"
    );
}

fn artifact_policy(dir: &Path, signatures: &str, public_key: &str) -> PathBuf {
    let root = fixture("sigstore/trusted_root.prod.json");
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::copy(root, dir.join("trusted_root.json")).expect("copy");
    policy_dir(
        dir,
        &format!("\ntrusted_root: trusted_root.json\nartifacts:\n  signatures:\n{signatures}"),
        public_key,
    )
}

/// A Rekor v2 bundle through the CLI: `check --artifact FILE=BUNDLE` against the staging
/// trusted root that holds its log, for the signer's identity only.
#[test]
fn artifacts_logged_in_rekor_v2_pass_for_their_signer() {
    let dir = scratch("artifacts-rekor2");
    let (_, public) = harness::keypair();
    let policy = |name: &str, subject: &str| {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::copy(
            fixture("sigstore/trusted_root.staging-2026-07.json"),
            d.join("trusted_root.json"),
        )
        .expect("copy");
        let signer = format!(
            "    - keyless: {{ issuer: \"https://github.com/login/oauth\", subject: \"{subject}\" }}\n"
        );
        policy_dir(
            &d,
            &format!("\ntrusted_root: trusted_root.json\nartifacts:\n  signatures:\n{signer}"),
            &public,
        )
    };
    let file = fixture("sigstore/signed-package-2.1.0-hb0f4dca_0.conda");
    let arg = format!(
        "{}={}",
        file.display(),
        fixture("sigstore/conda-attestation-rekor2.sigstore.json").display()
    );
    let (r, v) = check(&policy("ok", "^jku@goto[.]fi$"), &["--artifact", &arg]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(v["artifacts"][0]["status"], "passed");
    let (r, v) = check(
        &policy("other", "^someone@acme[.]example$"),
        &["--artifact", &arg],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let reason = v["artifacts"][0]["checks"][0]["reason"]
        .as_str()
        .expect("reason");
    assert!(reason.contains("SubjectAltName does not match"), "{reason}");
}

#[test]
fn artifacts_keyless_real_bundle_and_key_signed_bundle() {
    let dir = scratch("artifacts");
    let (pair, public) = harness::keypair();
    let gitlab = "    - keyless: { issuer: \"https://gitlab.com\", subject: \"^https://gitlab.com/facutuesca/gitlab-oidc-project//.gitlab-ci.yml@refs/heads/main$\" }\n";
    let p = artifact_policy(&dir.join("p1"), gitlab, &public);
    let file = fixture("sigstore/gitlab_oidc_project-0.0.3.tar.gz");
    let with_bundle = format!(
        "{}={}",
        file.display(),
        fixture("sigstore/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation.sigstore.json")
            .display()
    );
    let (r, v) = check(&p, &["--artifact", &with_bundle]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(v["artifacts"][0]["status"], "passed");
    assert!(v["artifacts"][0]["signatures"][0]["verified_by"]
        .as_str()
        .expect("signer")
        .starts_with("keyless https://gitlab.com"));

    // The same bundle, another project's identity: blocks.
    let other = "    - keyless: { issuer: \"https://gitlab.com\", subject: \"^https://gitlab.com/acme/\" }\n";
    let (r, v) = check(
        &artifact_policy(&dir.join("p2"), other, &public),
        &["--artifact", &with_bundle],
    );
    assert_eq!(r.code, 1);
    assert!(v["artifacts"][0]["checks"][0]["reason"]
        .as_str()
        .expect("reason")
        .contains("no signature verifies"));

    // A key-signed bundle (cosign sign-blob --key --bundle, v0.3 message signature) beside a file.
    let keyp = artifact_policy(&dir.join("p3"), "    - key: keys/release.pub\n", &public);
    let art = dir.join("payments-api-1.4.2.tar.gz");
    std::fs::write(&art, b"release contents\n").expect("write");
    let bytes = std::fs::read(&art).expect("read");
    use base64::Engine as _;
    use sha2::Digest as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let bundle = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "release"}, "tlogEntries": []},
        "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": b64(&sha2::Sha256::digest(&bytes))}, "signature": b64(&harness::sign(&pair, &bytes))}
    });
    std::fs::write(
        dir.join("payments-api-1.4.2.tar.gz.sigstore.json"),
        bundle.to_string(),
    )
    .expect("write");
    let a = art.to_str().expect("utf8");
    let (r, v) = check(&keyp, &["--artifact", a]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(v["artifacts"][0]["bundle"], format!("{a}.sigstore.json"));
    // Changed after signing: blocks.
    std::fs::write(&art, b"release contents, patched\n").expect("write");
    let (r, v) = check(&keyp, &["--artifact", a]);
    assert_eq!(r.code, 1);
    assert!(v["artifacts"][0]["checks"][0]["reason"]
        .as_str()
        .expect("r")
        .contains("message digest is not this file's"));
    // No bundle: blocks. No file: exit 2.
    std::fs::remove_file(dir.join("payments-api-1.4.2.tar.gz.sigstore.json")).expect("rm");
    let (r, v) = check(&keyp, &["--artifact", a]);
    assert_eq!(r.code, 1);
    assert!(v["artifacts"][0]["checks"][0]["reason"]
        .as_str()
        .expect("r")
        .contains("no Sigstore bundle found"));
    let (r, _) = check(
        &keyp,
        &[
            "--artifact",
            dir.join("missing.tar.gz").to_str().expect("utf8"),
        ],
    );
    assert_eq!(r.code, 2);
}

#[test]
fn image_checks_before_images_enforce_from_would_block() {
    let Some(w) = world() else { return };
    let key = std::fs::read_to_string(w.policy.join("keys/release.pub")).expect("key");
    let p = policy_dir(
        &w.dir.join("policy-later"),
        &format!("{IMAGES}  enforce_from: 2027-01-01\n"),
        &key,
    );
    let image = format!("{}/payments/unsigned@{}", w.reg.addr, w.app);
    let (r, v) = check(&p, &["--image", &image]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(v["images"][0]["status"], "would_block");
    let (status, _, _) = rule(&v, "signature");
    assert_eq!(status, "would_block");
    let r = riskgate()
        .args(["check", "--product", "payments-api", "--now", "2027-01-01"])
        .args(["--format", "json", "--policy"])
        .arg(&p)
        .args(["--image", &image])
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["images"][0]["status"], "blocked");
}

/// The SLSA provenance of sigstore-js's release (tests/fixtures/sigstore/npm_slsa_bundle_v03.json),
/// as GitHub Actions writes it: the predicate, to be re-signed for a test image.
fn real_provenance() -> Value {
    use base64::Engine as _;
    let b: Value = serde_json::from_slice(
        &std::fs::read(fixture("sigstore/npm_slsa_bundle_v03.json")).expect("bundle"),
    )
    .expect("json");
    let payload = base64::engine::general_purpose::STANDARD
        .decode(b["dsseEnvelope"]["payload"].as_str().expect("payload"))
        .expect("base64");
    let st: Value = serde_json::from_slice(&payload).expect("statement");
    assert_eq!(st["predicateType"], SLSA);
    st["predicate"].clone()
}

#[test]
fn provenance_must_describe_the_expected_repository_ref_and_builder() {
    let Some(w) = world() else { return };
    let main = real_provenance();
    // the same workflow run from another branch: signed by the same key, and not enough
    let mut feature = main.clone();
    feature["buildDefinition"]["externalParameters"]["workflow"]["ref"] =
        "refs/heads/feature".into();
    let repo = "payments/prov";
    let digest = &w.app;
    w.reg.push(&w.layout, "app", &format!("{repo}:1.0"));
    let push = |name: &str, layers: Vec<(&'static str, Vec<u8>, Value)>, tag: &str| {
        let l = harness::artifact_layout(&w.dir.join("prov").join(name), &layers);
        w.reg.push(&l, "t", &format!("{repo}:{tag}"));
    };
    let tag = digest.replace(':', "-");
    push(
        "sig",
        vec![harness::signature_layer(
            &w.good,
            &format!("{}/{repo}", w.reg.addr),
            digest,
        )],
        &format!("{tag}.sig"),
    );
    push(
        "att-feature",
        vec![harness::attestation_layer_with(
            &w.good, digest, SLSA, feature,
        )],
        &format!("{tag}.att"),
    );
    let rules = "  provenance:\n    builders: [\"https://github.com/actions/runner/*\"]\n    repositories: [github.com/sigstore/sigstore-js]\n    refs: [refs/heads/main]\n";
    let policy = policy_dir(
        &w.dir.join("policy-prov"),
        &format!("{IMAGES}{rules}"),
        &std::fs::read_to_string(w.policy.join("keys/release.pub")).expect("key"),
    );
    let image = format!("{}/{repo}@{digest}", w.reg.addr);
    let (r, v) = check(&policy, &["--image", &image]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let (status, reason, _) = rule(&v, "provenance");
    assert_eq!(status, "blocked", "{v:#}");
    assert!(
        reason.contains("from github.com/sigstore/sigstore-js at refs/heads/feature"),
        "{reason}"
    );
    // the provenance of the main branch's run: passes
    push(
        "att-main",
        vec![harness::attestation_layer_with(&w.good, digest, SLSA, main)],
        &format!("{tag}.att"),
    );
    let (r, v) = check(&policy, &["--image", &image]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let (status, reason, _) = rule(&v, "provenance");
    assert_eq!(status, "passed");
    assert_eq!(
        reason,
        "built by https://github.com/actions/runner/github-hosted from github.com/sigstore/sigstore-js at refs/heads/main"
    );
    // a policy that names no build, or whose provenance nobody signs, is refused
    let r = riskgate()
        .args(["validate", "--policy"])
        .arg(policy_dir(
            &w.dir.join("policy-prov-empty"),
            &format!("{IMAGES}  provenance: {{}}\n"),
            "unused",
        ))
        .run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("names no builder, repository or ref"),
        "{}",
        r.stderr
    );
}

#[test]
fn vex_attached_to_the_image_suppresses_under_the_same_trust_rules() {
    let Some(w) = world() else { return };
    let vex: Value = serde_json::from_slice(
        &std::fs::read(crate::common::root().join("examples/vex/jquery.openvex.json")).unwrap(),
    )
    .unwrap();
    const OPENVEX: &str = "https://openvex.dev/ns/v0.2.0";
    let digest = &w.app;
    let tag = digest.replace(':', "-");
    // one repository per case: signed by the trusted key; by another key; about another image
    let cases = [
        ("payments/vexed", &w.good, digest.as_str()),
        ("payments/vexwrong", &w.wrong, digest.as_str()),
        ("payments/vexother", &w.good, w.rootapp.as_str()),
    ];
    for (repo, key, about) in cases {
        w.reg.push(&w.layout, "app", &format!("{repo}:1.0"));
        let l = harness::artifact_layout(
            &w.dir.join("vex").join(repo.replace('/', "-")).join("sig"),
            &[harness::signature_layer(
                &w.good,
                &format!("{}/{repo}", w.reg.addr),
                digest,
            )],
        );
        w.reg.push(&l, "t", &format!("{repo}:{tag}.sig"));
        let l = harness::artifact_layout(
            &w.dir.join("vex").join(repo.replace('/', "-")).join("att"),
            &[
                harness::attestation_layer(&w.good, digest, SLSA),
                harness::attestation_layer_with(key, about, OPENVEX, vex.clone()),
            ],
        );
        w.reg.push(&l, "t", &format!("{repo}:{tag}.att"));
    }
    // cosign v3 (`attest --new-bundle-format`): the VEX as a Sigstore bundle in the referrers,
    // signed by the trusted key, and by another
    let size = std::fs::metadata(
        w.layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:")),
    )
    .unwrap()
    .len() as usize;
    for (repo, key) in [
        ("payments/vexbundled", &w.good),
        ("payments/vexbundledwrong", &w.wrong),
    ] {
        w.reg.push(&w.layout, "app", &format!("{repo}:1.0"));
        harness::push_referrers(
            &w.reg,
            repo,
            digest,
            size,
            &[
                harness::key_bundle(&w.good, digest, riskgate::verify::COSIGN_SIGN_PREDICATE),
                harness::key_bundle_with(key, digest, OPENVEX, vex.clone()),
            ],
        );
    }
    let key = std::fs::read_to_string(w.policy.join("keys/release.pub")).unwrap();
    let policy = |name: &str, from_registry: bool| {
        let p = policy_dir(&w.dir.join(name), IMAGES, &key);
        let g = std::fs::read_to_string(p.join("guardrails.yaml")).unwrap();
        let trusted = "vex:\n  trusted:\n    - key: keys/vex.pub";
        assert!(g.contains(trusted));
        let vex = format!(
            "vex:\n  from_registry: {from_registry}\n  trusted:\n    - key: keys/release.pub"
        );
        std::fs::write(p.join("guardrails.yaml"), g.replace(trusted, &vex)).unwrap();
        p
    };
    let (on, off) = (policy("policy-vex", true), policy("policy-vex-off", false));
    let report = crate::common::root().join("examples/reports/trivy-npm.json");
    let jquery = |p: &Path, repo: &str| {
        let image = format!("{}/{repo}@{digest}", w.reg.addr);
        let (r, v) = check(
            p,
            &["--image", &image, "--report", report.to_str().unwrap()],
        );
        assert!(r.code <= 1, "{}{}", r.stdout, r.stderr);
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "CVE-2019-11358" && f["package"]["name"] == "jquery")
            .cloned()
            .unwrap_or_else(|| panic!("no jquery finding: {v:#}"))
    };
    let f = jquery(&on, "payments/vexed");
    assert_eq!(f["status"], "suppressed", "{f:#}");
    assert_eq!(
        f["suppressed_by"]["trusted"],
        "signed by key keys/release.pub (vex.trusted)"
    );
    // signed by a key vex.trusted does not name: an unsigned claim, not enough for medium
    assert_eq!(jquery(&on, "payments/vexwrong")["status"], "blocked");
    // a VEX attestation about another image says nothing of this one
    assert_eq!(jquery(&on, "payments/vexother")["status"], "blocked");
    // and without vex.from_registry the registry's VEX is not read
    assert_eq!(jquery(&off, "payments/vexed")["status"], "blocked");
    // a Sigstore bundle in the referrers, under the same rules
    let f = jquery(&on, "payments/vexbundled");
    assert_eq!(f["status"], "suppressed", "{f:#}");
    assert_eq!(
        f["suppressed_by"]["trusted"],
        "signed by key keys/release.pub (vex.trusted)"
    );
    assert_eq!(jquery(&on, "payments/vexbundledwrong")["status"], "blocked");
    assert_eq!(jquery(&off, "payments/vexbundled")["status"], "blocked");
}
