//! Signed decisions end to end, on a real registry (Debian's docker-registry on 127.0.0.1) and
//! real images: `check --attest --attach` writes a DSSE-signed SLSA Verification Summary and
//! attaches it under cosign's `.att` tag; `riskgate verify` admits the image only for a fresh
//! PASSED decision by the gate's key about exactly its digest, under the expected policy, on
//! the system clock. Keys come from `riskgate keygen`.

use super::harness::{self, Auth, Registry};
use crate::common::{fixture, riskgate, scratch, Cli, Run, Scratch};
use base64::Engine as _;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A report with no findings: the built-in policy allows it.
const CLEAN: &str = "trivy/cargo.lock.json";
/// A report whose findings the built-in policy blocks.
const BLOCKING: &str = "trivy/debian-buster.json";

struct World {
    dir: Scratch,
    reg: Registry,
    app: String,
    rootapp: String,
}

impl World {
    fn image(&self, repo: &str, digest: &str) -> String {
        format!("{}/{repo}@{digest}", self.reg.addr)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

fn world() -> Option<World> {
    if !harness::available() {
        return None;
    }
    let dir = scratch("attest");
    let reg = Registry::start(&dir.join("registry"), Auth::None, false);
    let build = dir.join("build");
    std::fs::create_dir_all(&build).expect("mkdir");
    let layout = harness::build_images(&build, &format!("{}/base/busybox:1", reg.addr));
    let app = harness::layout_digest(&layout, "app");
    let rootapp = harness::layout_digest(&layout, "rootapp");
    reg.push(&layout, "app", "payments/api:1.0");
    reg.push(&layout, "rootapp", "payments/root:1.0");
    crate::common::keygen(&dir, &["gate", "other"]);
    // the gate's repository: the built-in policy, with the registry's images allowed
    let policy = dir.join("repo/.riskgate");
    std::fs::create_dir_all(&policy).expect("mkdir");
    let root = crate::common::root().join("policies/default");
    std::fs::copy(root.join("ownership.yaml"), policy.join("ownership.yaml")).expect("copy");
    let g = std::fs::read_to_string(root.join("guardrails.yaml")).expect("read");
    std::fs::write(
        policy.join("guardrails.yaml"),
        g + "images:\n  allowed_registries: [\"127.0.0.1:*/payments/**\"]\n  require_digest: true\n",
    )
    .expect("write");
    Some(World {
        dir,
        reg,
        app,
        rootapp,
    })
}

/// `riskgate check` on `report` for `image`, signing the decision into `out`.
fn gate(w: &World, report: &str, image: &str, out: &str, extra: &[&str]) -> Run {
    riskgate()
        .current_dir(w.path("repo"))
        .env("COSIGN_PASSWORD", "")
        .arg("check")
        .arg("--report")
        .arg(fixture(report))
        .args(["--image", image, "--attest"])
        .arg(w.path(out))
        .arg("--attest-key")
        .arg(w.path("gate.key"))
        .args(extra)
        .run()
}

fn verify(w: &World, image: &str, key: &str, extra: &[&str]) -> Run {
    riskgate()
        .args(["verify", image, "--key"])
        .arg(w.path(&format!("{key}.pub")))
        .args(extra)
        .run()
}

fn statement(envelope: &Path) -> Value {
    let env: Value = serde_json::from_slice(&std::fs::read(envelope).expect("read")).expect("json");
    let payload = base64::engine::general_purpose::STANDARD
        .decode(env["payload"].as_str().expect("payload"))
        .expect("base64");
    serde_json::from_slice(&payload).expect("statement")
}

#[test]
fn a_signed_decision_admits_exactly_its_image() {
    let Some(w) = world() else { return };
    let app = w.image("payments/api", &w.app);
    let r = gate(&w, CLEAN, &app, "pass.json", &["--attach"]).exits(0);
    assert!(
        r.stderr.contains("signed decision attached to"),
        "{}",
        r.stderr
    );
    let policy = r
        .stderr
        .split("(policy ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .expect("the policy digest is printed")
        .to_string();

    // what the statement says
    let st = statement(&w.path("pass.json"));
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        st["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    assert_eq!(st["subject"][0]["digest"]["sha256"], w.app[7..]);
    let p = &st["predicate"];
    assert_eq!(p["verificationResult"], "PASSED");
    assert_eq!(p["verifier"]["id"], "https://github.com/riskgate/riskgate");
    assert_eq!(
        p["resourceUri"],
        format!("{}/payments/api@{}", w.reg.addr, w.app)
    );
    assert_eq!(p["policy"]["uri"], ".riskgate");
    assert_eq!(
        format!(
            "sha256:{}",
            p["policy"]["digest"]["sha256"].as_str().unwrap()
        ),
        policy
    );
    assert_eq!(p["riskgate"]["clock"], "system");
    assert_eq!(p["verifiedLevels"][0], "RISKGATE_VERDICT_ALLOW");
    let inputs = p["inputAttestations"].as_array().expect("inputs");
    assert!(
        inputs
            .iter()
            .any(|i| i["uri"].as_str().unwrap().ends_with("cargo.lock.json")),
        "{inputs:?}"
    );

    // from the registry, by digest and by tag
    let r = verify(
        &w,
        &app,
        "gate",
        &["--max-age", "1h", "--policy-digest", &policy],
    )
    .exits(0);
    assert!(r.stdout.starts_with("PASSED"), "{}", r.stdout);
    verify(&w, &format!("{}/payments/api:1.0", w.reg.addr), "gate", &[]).exits(0);
    // offline, from the file
    verify(
        &w,
        &app,
        "gate",
        &["--attestation", w.path("pass.json").to_str().unwrap()],
    )
    .exits(0);

    // another image: nothing attached, and the file is about another digest
    let root = w.image("payments/root", &w.rootapp);
    let r = verify(&w, &root, "gate", &[]).exits(1);
    assert!(r.stdout.contains("no decision was found"), "{}", r.stdout);
    let r = verify(
        &w,
        &root,
        "gate",
        &["--attestation", w.path("pass.json").to_str().unwrap()],
    )
    .exits(1);
    assert!(
        r.stdout.contains("is about another artifact"),
        "{}",
        r.stdout
    );
    // another key
    let r = verify(&w, &app, "other", &[]).exits(1);
    assert!(
        r.stdout.contains("no signature of the envelope verifies"),
        "{}",
        r.stdout
    );
    // too old, as of two days later
    let later = riskgate_now_plus_days(2);
    let r = verify(&w, &app, "gate", &["--max-age", "1d", "--now", &later]).exits(1);
    assert!(r.stdout.contains("older than --max-age"), "{}", r.stdout);
    // another policy
    let zero = format!("sha256:{}", "0".repeat(64));
    let r = verify(&w, &app, "gate", &["--policy-digest", &zero]).exits(1);
    assert!(r.stdout.contains("decided under policy"), "{}", r.stdout);

    // one byte of the signed statement changed
    let mut env: Value =
        serde_json::from_slice(&std::fs::read(w.path("pass.json")).unwrap()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut payload = b64.decode(env["payload"].as_str().unwrap()).unwrap();
    let at = payload.windows(6).position(|x| x == b"PASSED").unwrap();
    payload[at + 5] = b'E';
    env["payload"] = Value::String(b64.encode(&payload));
    std::fs::write(w.path("tampered.json"), env.to_string()).unwrap();
    let r = verify(
        &w,
        &app,
        "gate",
        &["--attestation", w.path("tampered.json").to_str().unwrap()],
    )
    .exits(1);
    assert!(
        r.stdout.contains("no signature of the envelope verifies"),
        "{}",
        r.stdout
    );
}

#[test]
fn blocked_or_pinned_decisions_do_not_admit() {
    let Some(w) = world() else { return };
    let root = w.image("payments/root", &w.rootapp);
    // a blocked run still signs (and attaches) what it decided: FAILED
    gate(&w, BLOCKING, &root, "fail.json", &["--attach"]).exits(1);
    assert_eq!(
        statement(&w.path("fail.json"))["predicate"]["verificationResult"],
        "FAILED"
    );
    let r = verify(&w, &root, "gate", &[]).exits(1);
    assert!(
        r.stdout.contains("FAILED (verificationResult), not PASSED"),
        "{}",
        r.stdout
    );

    // a pinned clock is recorded, and refused at deploy
    let app = w.image("payments/api", &w.app);
    gate(&w, CLEAN, &app, "pinned.json", &["--now", "2026-11-23"]).exits(0);
    assert_eq!(
        statement(&w.path("pinned.json"))["predicate"]["riskgate"]["clock"],
        "pinned"
    );
    let r = verify(
        &w,
        &app,
        "gate",
        &["--attestation", w.path("pinned.json").to_str().unwrap()],
    )
    .exits(1);
    assert!(r.stdout.contains("pinned clock"), "{}", r.stdout);

    // a second attachment keeps the first: the FAILED one stays, the new PASSED one admits
    gate(&w, CLEAN, &root, "pass2.json", &["--attach"]).exits(0);
    let r = verify(&w, &root, "gate", &[]).exits(0);
    assert!(r.stdout.starts_with("PASSED"), "{}", r.stdout);

    // what cannot be evaluated is exit 2: no such registry, a bad key, no digest to decide on
    let r = verify(&w, "127.0.0.1:9/payments/api@sha256:0000000000000000000000000000000000000000000000000000000000000000", "gate", &["--registry-timeout", "5"]);
    r.exits(2);
    std::fs::write(w.path("bad.pub"), "not a key").unwrap();
    verify(&w, &app, "bad", &[]).exits(2);
    let r = riskgate()
        .current_dir(w.path("repo"))
        .env("COSIGN_PASSWORD", "")
        .args(["check", "--report"])
        .arg(fixture(CLEAN))
        .arg("--attest")
        .arg(w.path("none.json"))
        .arg("--attest-key")
        .arg(w.path("gate.key"))
        .run()
        .exits(2);
    assert!(
        r.stderr.contains("gates no --image or --artifact"),
        "{}",
        r.stderr
    );
    assert!(!w.path("none.json").exists());
}

/// Today plus `days`, as `--now` takes it.
fn riskgate_now_plus_days(days: u64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + days * 86_400;
    // RFC 3339 from unix seconds: via the date command, which every test machine has
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
