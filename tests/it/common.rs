//! Helpers shared by the integration tests: where the fixtures are, and running the real binary.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<rel>`: the real scanner outputs (tests/fixtures/SOURCES.md says where each is from).
pub fn fixture(rel: &str) -> PathBuf {
    let p = root().join("tests/fixtures").join(rel);
    assert!(p.exists(), "missing fixture {}", p.display());
    p
}

/// A scratch directory for one test, removed when the test ends (also when it fails).
/// Derefs to its path, so `dir.join("x")` reads as for a `PathBuf`.
pub struct Scratch(tempfile::TempDir);

/// A new, empty scratch directory; `name` shows in its path to tell runs apart. The path is
/// lowercase (pid and a counter, not tempfile's mixed-case letters): buildah and skopeo take it
/// as part of an image reference.
pub fn scratch(name: &str) -> Scratch {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let base = format!(
        "riskgate-{}-{}-{n}",
        name.to_lowercase(),
        std::process::id()
    );
    // left by an earlier process with the same pid
    let _ = std::fs::remove_dir_all(std::env::temp_dir().join(&base));
    Scratch(
        tempfile::Builder::new()
            .prefix(&base)
            .rand_bytes(0)
            .tempdir()
            .expect("scratch directory"),
    )
}

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        self.0.path()
    }
}

impl AsRef<std::path::Path> for Scratch {
    fn as_ref(&self) -> &std::path::Path {
        self.0.path()
    }
}

impl AsRef<std::ffi::OsStr> for Scratch {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.path().as_os_str()
    }
}

/// A file with `content` in a scratch directory of its own, removed with it.
pub struct ScratchFile {
    _dir: Scratch,
    path: PathBuf,
}

pub fn scratch_file(name: &str, content: &[u8]) -> ScratchFile {
    let dir = scratch("file");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write scratch file");
    ScratchFile { _dir: dir, path }
}

impl std::ops::Deref for ScratchFile {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.path
    }
}

impl AsRef<std::path::Path> for ScratchFile {
    fn as_ref(&self) -> &std::path::Path {
        &self.path
    }
}

impl AsRef<std::ffi::OsStr> for ScratchFile {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.path.as_os_str()
    }
}

pub fn data(rel: &str) -> PathBuf {
    root().join("tests/data").join(rel)
}

pub fn riskgate() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_riskgate"));
    c.env_remove("GITHUB_REPOSITORY")
        .env_remove("CI_PROJECT_PATH")
        .env_remove("GITHUB_STEP_SUMMARY");
    c.env("NO_COLOR", "1");
    c
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The test builder, as zizmor's: `riskgate().args([..]).run()`, then assertions on the
/// [`Run`]'s exit code and output.
pub trait Cli {
    /// Runs the command to its end.
    fn run(&mut self) -> Run;
    /// Runs it with `input` on standard input.
    fn run_with_stdin(&mut self, input: &[u8]) -> Run;
}

impl Cli for Command {
    fn run(&mut self) -> Run {
        run(self)
    }
    fn run_with_stdin(&mut self, input: &[u8]) -> Run {
        run_with_stdin(self, input)
    }
}

impl Run {
    /// Asserts the exit code, showing both outputs when it differs; returns the run.
    #[track_caller]
    pub fn exits(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit {} (expected {code})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run riskgate");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// [`run`] with `input` on standard input (written from a thread, so a large input cannot
/// deadlock against the output).
pub fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn riskgate");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("wait");
    let _ = writer.join();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs a helper tool and returns its standard output; panics with its output if it fails.
pub fn sh(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether the commands in `tools` (and `/bin/busybox`, when `busybox`) are here, for tests
/// that drive real tools. Without them the test prints "skipped" and passes, unless
/// RISKGATE_REQUIRE_REGISTRY is set (CI sets it): then it fails, naming what to install.
pub fn tools_available(what: &str, tools: &[&str], busybox: bool, install: &str) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .stdout(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .chain(
            (busybox && !std::path::Path::new("/bin/busybox").exists()).then_some("busybox-static"),
        )
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("RISKGATE_REQUIRE_REGISTRY").is_some() {
        panic!("{what} need {missing:?}: apt-get install {install}");
    }
    eprintln!("skipped: {missing:?} not installed (apt-get install {install})");
    false
}

/// An OCI image layout `dir/LAYOUT` holding one image, `LAYOUT:TAG`: a busybox rootfs (Debian's
/// busybox-static as /bin/busybox and /bin/sh), made with umoci, no registry and no engine.
pub fn busybox_layout(dir: &std::path::Path, layout: &str, tag: &str) -> PathBuf {
    let u = |args: &[&str]| sh(Command::new("umoci").current_dir(dir).args(args));
    let image = format!("{layout}:{tag}");
    let bundle = format!("{tag}.bundle");
    u(&["init", "--layout", layout]);
    u(&["new", "--image", &image]);
    u(&["unpack", "--rootless", "--image", &image, &bundle]);
    let bin = dir.join(&bundle).join("rootfs/bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::fs::copy("/bin/busybox", bin.join("busybox")).expect("busybox");
    std::os::unix::fs::symlink("busybox", bin.join("sh")).expect("symlink");
    u(&["repack", "--image", &image, &bundle]);
    dir.join(layout)
}

/// A copy of examples/policy (YAML files, keys/, trusted_root.json) in `dest`.
pub fn copy_policy(dest: &std::path::Path) -> PathBuf {
    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read_dir") {
            let e = e.expect("entry");
            let target = to.join(e.file_name());
            if e.file_type().expect("type").is_dir() {
                copy_dir(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), target).expect("copy");
            }
        }
    }
    copy_dir(&root().join("examples/policy"), dest);
    // Its CODEOWNERS stays the example's (examples/ is the repository of examples/acceptances.yaml).
    let g = dest.join("guardrails.yaml");
    let text = std::fs::read_to_string(&g).expect("guardrails");
    let abs = root().join("examples/CODEOWNERS");
    std::fs::write(
        &g,
        text.replace(
            "codeowners: ../CODEOWNERS",
            &format!("codeowners: {}", abs.display()),
        ),
    )
    .expect("write");
    dest.to_path_buf()
}

/// The example's repository in `dest`: acceptances.yaml, CODEOWNERS and policy/ side by side, as
/// in examples/, so approvals proven by code review (`acceptances.approvals: code_review`) hold
/// for an acceptances file written there. Returns the policy directory.
pub fn example_repo(dest: &std::path::Path) -> PathBuf {
    std::fs::create_dir_all(dest).expect("mkdir");
    std::fs::copy(
        root().join("examples/acceptances.yaml"),
        dest.join("acceptances.yaml"),
    )
    .expect("copy");
    std::fs::copy(root().join("examples/CODEOWNERS"), dest.join("CODEOWNERS")).expect("copy");
    let policy = copy_policy(&dest.join("policy"));
    let g = policy.join("guardrails.yaml");
    let text = std::fs::read_to_string(&g).expect("guardrails");
    let abs = format!(
        "codeowners: {}",
        root().join("examples/CODEOWNERS").display()
    );
    std::fs::write(&g, text.replace(&abs, "codeowners: ../CODEOWNERS")).expect("write");
    policy
}

/// The example's reports (examples/reports), in the README's order.
pub const EXAMPLE_REPORTS: &[&str] = &[
    "examples/reports/trivy-npm.json",
    "examples/reports/trivy-image.json",
    "examples/reports/trivy-secrets.json",
    "examples/reports/grype-ruby.json",
    "examples/reports/fortify.sarif",
];

/// `riskgate check --policy examples/policy --product payments-api --now 2026-11-23` with
/// `reports`, run from the repository root (so paths in the output are stable).
pub fn example_check(reports: &[&str]) -> Command {
    let mut c = check_with(std::path::Path::new("examples/policy"), reports);
    c.args(["--now", "2026-11-23"]);
    c
}

/// [`example_check`] with another policy directory.
/// `riskgate keygen --out DIR/NAME` for each name, with an empty COSIGN_PASSWORD.
pub fn keygen(dir: &std::path::Path, names: &[&str]) {
    for name in names {
        let r = riskgate()
            .env("COSIGN_PASSWORD", "")
            .args(["keygen", "--out"])
            .arg(dir.join(name))
            .run();
        assert_eq!(r.code, 0, "keygen {name}: {}", r.stderr);
    }
}

pub fn check_with(policy: &std::path::Path, reports: &[&str]) -> Command {
    let mut c = riskgate();
    c.current_dir(root())
        .arg("check")
        .arg("--policy")
        .arg(policy);
    c.args(["--product", "payments-api"]);
    for r in reports {
        c.args(["--report", r]);
    }
    c
}

/// A new ECDSA P-256 key pair as cosign makes them, and its public key PEM.
pub fn keypair() -> (sigstore::crypto::signing_key::SigStoreKeyPair, String) {
    use sigstore::crypto::SigningScheme;
    let signer = SigningScheme::ECDSA_P256_SHA256_ASN1
        .create_signer()
        .expect("signer");
    let pair = signer.to_sigstore_keypair().expect("pair");
    let public = pair.public_key_to_pem().expect("pem");
    (pair, public)
}

/// A DSSE envelope over an in-toto statement whose predicate is `predicate` (an OpenVEX
/// document), about `subject_digest`, signed with `pair`: what `cosign attest-blob --key
/// --type openvex` writes.
pub fn dsse_attestation(
    pair: &sigstore::crypto::signing_key::SigStoreKeyPair,
    predicate_type: &str,
    predicate: &serde_json::Value,
    subject_digest: &str,
) -> Vec<u8> {
    use base64::Engine as _;
    use sigstore::crypto::SigningScheme;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let statement = serde_json::to_vec(&serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "image", "digest": {"sha256": subject_digest.trim_start_matches("sha256:")}}],
        "predicateType": predicate_type,
        "predicate": predicate,
    }))
    .expect("json");
    let pt = "application/vnd.in-toto+json";
    let sig = pair
        .to_sigstore_signer(&SigningScheme::ECDSA_P256_SHA256_ASN1)
        .expect("signer")
        .sign(&riskgate::verify::pae(pt, &statement))
        .expect("sign");
    serde_json::to_vec_pretty(&serde_json::json!({
        "payloadType": pt, "payload": b64(&statement), "signatures": [{"keyid": "", "sig": b64(&sig)}]
    }))
    .expect("json")
}
