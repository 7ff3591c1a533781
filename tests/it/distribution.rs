//! How riskgate reaches a pipeline, end to end on this machine:
//!
//! - the GitHub Action's install step (ci/install.sh) against a release served over real HTTP on
//!   127.0.0.1: an archive made by the release's own packaging script (ci/package.sh) from this
//!   build, and its SHA256SUMS. A right checksum installs; a wrong one, a missing line, a failed
//!   attestation or a download from a plain-HTTP host fail closed.
//! - the Dockerfile, built with buildah (no Docker engine) on a busybox base made with umoci; the
//!   image's config and the binary unpacked from it are checked, and riskgate checks the image.
//!
//! One part is a stand-in: `gh attestation verify` needs GitHub's attestation API, which cannot
//! be reached here, so a `gh` script on PATH records how it was called and answers as told. The
//! real verification runs only on GitHub (see the README).
//!
//! Without curl, strip, buildah or umoci the tests print "skipped" and pass, unless
//! RISKGATE_REQUIRE_REGISTRY is set (CI sets it), when they fail.

use crate::common::{riskgate, root, run, scratch, sh, Cli, Scratch};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn tempdir(name: &str) -> Scratch {
    scratch(&format!("dist-{name}"))
}

/// This build's binary, stripped (the release's archives hold stripped binaries too).
fn stripped_binary(dir: &Path) -> PathBuf {
    let bin = dir.join("riskgate");
    std::fs::copy(env!("CARGO_BIN_EXE_riskgate"), &bin).expect("copy binary");
    sh(Command::new("strip").arg(&bin));
    bin
}

/// A static file server on 127.0.0.1 (GET only, one connection at a time), for the tests'
/// lifetime. Returns its base URL.
fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().expect("clone"));
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let file = dir.join(path.trim_start_matches('/'));
            let safe = !path.contains("..");
            let _ = match std::fs::read(&file).ok().filter(|_| safe && file.is_file()) {
                Some(body) => conn
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|_| conn.write_all(&body)),
                None => conn.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn host_target() -> (&'static str, &'static str) {
    match std::env::consts::ARCH {
        "aarch64" => ("aarch64-unknown-linux-musl", "ARM64"),
        _ => ("x86_64-unknown-linux-musl", "X64"),
    }
}

struct Install {
    code: i32,
    stderr: String,
    dest: PathBuf,
    github_output: String,
    github_path: String,
    gh_calls: String,
}

/// Runs ci/install.sh the way action.yml does, with `gh` answering `gh_exit` (None: no gh).
fn install(work: &Path, base_url: &str, gh_exit: Option<i32>, tag: &str) -> Install {
    let case = work.join(tag);
    std::fs::create_dir_all(&case).expect("mkdir");
    let bin = case.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let log = case.join("gh.log");
    if let Some(code) = gh_exit {
        let gh = bin.join("gh");
        std::fs::write(
            &gh,
            format!(
                "#!/bin/sh\necho \"$@\" >> '{}'\nexit {code}\n",
                log.display()
            ),
        )
        .expect("gh");
        sh(Command::new("chmod").arg("+x").arg(&gh));
    }
    let out = case.join("github_output");
    let path_file = case.join("github_path");
    let dest = case.join("install");
    let (_, arch) = host_target();
    let r = run(Command::new("bash")
        .arg(root().join("ci/install.sh"))
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("RISKGATE_REPO", "acme/riskgate")
        .env("RISKGATE_BASE_URL", base_url)
        .env("RISKGATE_INSTALL_DIR", &dest)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", arch)
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_PATH", &path_file));
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    Install {
        code: r.code,
        stderr: r.stderr,
        dest,
        github_output: read(&out),
        github_path: read(&path_file),
        gh_calls: read(&log),
    }
}

fn sha256_file(p: &Path) -> String {
    sh(Command::new("sha256sum").arg(p))
        .split_whitespace()
        .next()
        .expect("digest")
        .to_string()
}

#[test]
fn action_installs_the_release_archive_and_fails_closed() {
    if !crate::common::tools_available(
        "the install test",
        &["curl", "strip", "sha256sum", "tar", "gzip"],
        false,
        "curl binutils",
    ) {
        return;
    }
    let work = tempdir("install");
    let version = env!("CARGO_PKG_VERSION");
    let (target, _) = host_target();
    let archive = format!("riskgate-{version}-{target}.tar.gz");
    let bin = stripped_binary(&work);

    // Two releases on one server: `good` as the release workflow writes it, `bad` with an
    // archive that does not match its SHA256SUMS line, `noline` whose SHA256SUMS omits it.
    let srv = work.join("srv");
    for rel in ["good", "bad", "noline"] {
        let dir = srv.join(rel);
        sh(Command::new("bash")
            .arg(root().join("ci/package.sh"))
            .arg(target)
            .arg(&bin)
            .arg(&dir));
        let digest = sha256_file(&dir.join(&archive));
        let sums = match rel {
            "good" => format!("{digest}  {archive}\n0000  riskgate-{version}-other.zip\n"),
            "bad" => format!("{}  {archive}\n", "0".repeat(64)),
            _ => format!("{digest}  riskgate-{version}-other.tar.gz\n"),
        };
        std::fs::write(dir.join("SHA256SUMS"), sums).expect("sums");
    }
    let url = serve(srv);

    let started = Instant::now();
    let ok = install(&work, &format!("{url}/good"), Some(0), "ok");
    let took = started.elapsed();
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    eprintln!("install from a release archive took {took:?}");
    let installed = ok.dest.join("bin/riskgate");
    let said = sh(Command::new(&installed).arg("--version"));
    assert!(said.starts_with(&format!("riskgate {version} (")), "{said}");
    assert_eq!(
        ok.github_path.trim(),
        ok.dest.join("bin").display().to_string()
    );
    assert!(!ok.github_output.contains("verdict=error"));
    // the attestation is asked of the release workflow of the action's own repository
    let call = ok.gh_calls.trim();
    assert!(
        call.starts_with("attestation verify ")
            && call.ends_with(&format!(
                "{archive} --repo acme/riskgate --signer-workflow acme/riskgate/.github/workflows/release.yml"
            )),
        "{call}"
    );

    // Every failure: exit 2, verdict=error, nothing installed.
    let closed = |i: &Install, why: &str| {
        assert_eq!(i.code, 2, "{why}: {}", i.stderr);
        assert!(i.stderr.contains(why), "{why}: {}", i.stderr);
        assert!(i.github_output.contains("verdict=error"), "{why}");
        assert!(
            !i.dest.join("bin/riskgate").exists(),
            "{why}: installed anyway"
        );
        assert!(i.github_path.is_empty(), "{why}: put on PATH anyway");
    };
    let bad = install(&work, &format!("{url}/bad"), Some(0), "bad");
    closed(&bad, "but SHA256SUMS says");
    assert!(
        bad.gh_calls.is_empty(),
        "a bad checksum is refused before anything else"
    );
    closed(
        &install(&work, &format!("{url}/noline"), Some(0), "noline"),
        &format!("SHA256SUMS has no line for {archive}"),
    );
    closed(
        &install(&work, &format!("{url}/good"), Some(1), "unattested"),
        "has no valid build-provenance attestation",
    );
    closed(
        &install(&work, &format!("{url}/good"), None, "nogh"),
        "gh is needed",
    );
    closed(
        &install(&work, &format!("{url}/missing"), Some(0), "missing"),
        "cannot download",
    );
    closed(
        &install(&work, "http://example.com/release", Some(0), "plain"),
        "not https",
    );
}

fn layout_config(layout: &Path) -> serde_json::Value {
    let blob = |d: &str| {
        let hex = d.strip_prefix("sha256:").expect("sha256");
        let mut s = String::new();
        std::fs::File::open(layout.join("blobs/sha256").join(hex))
            .and_then(|mut f| f.read_to_string(&mut s))
            .expect("blob");
        serde_json::from_str::<serde_json::Value>(&s).expect("json")
    };
    let index = std::fs::read_to_string(layout.join("index.json")).expect("index");
    let index: serde_json::Value = serde_json::from_str(&index).expect("json");
    let manifest = blob(index["manifests"][0]["digest"].as_str().expect("digest"));
    blob(manifest["config"]["digest"].as_str().expect("config"))
}

#[test]
fn dockerfile_builds_a_non_root_image_whose_binary_runs() {
    if !crate::common::tools_available(
        "the image test",
        &["buildah", "umoci", "strip"],
        true,
        "buildah umoci binutils busybox-static",
    ) {
        return;
    }
    let work = tempdir("image");
    // A base with a shell, made without a registry or an engine: busybox in an OCI layout.
    crate::common::busybox_layout(&work, "base", "1");
    let u = |args: &[&str]| sh(Command::new("umoci").current_dir(&work).args(args));

    // The build context the release workflow prepares: the Dockerfile and dist/linux-ARCH/.
    let ctx = work.join("ctx");
    let arch = match std::env::consts::ARCH {
        "aarch64" => "arm64",
        _ => "amd64",
    };
    std::fs::create_dir_all(ctx.join(format!("dist/linux-{arch}"))).expect("mkdir");
    let bin = stripped_binary(&work);
    std::fs::copy(&bin, ctx.join(format!("dist/linux-{arch}/riskgate"))).expect("copy");
    std::fs::copy(root().join("Dockerfile"), ctx.join("Dockerfile")).expect("Dockerfile");
    let buildah = || {
        let mut c = Command::new("buildah");
        c.arg("--storage-driver")
            .arg("vfs")
            .arg("--root")
            .arg(work.join("storage"))
            .arg("--runroot")
            .arg(work.join("run"));
        c
    };
    sh(buildah()
        .args(["bud", "--quiet", "--build-arg"])
        .arg(format!("BASE=oci:{}:1", work.join("base").display()))
        .args([
            "--build-arg",
            "VERSION=test",
            "-t",
            "localhost/riskgate:test",
        ])
        .arg(&ctx));
    sh(buildah()
        .args(["push", "--quiet", "localhost/riskgate:test"])
        .arg(format!("oci:{}:test", work.join("out").display())));

    let config = layout_config(&work.join("out"));
    let c = &config["config"];
    assert_eq!(c["User"], "65534:65534", "{config}");
    assert_eq!(
        c["Entrypoint"],
        serde_json::json!(["/usr/local/bin/riskgate"])
    );
    assert_eq!(
        c["Labels"]["org.opencontainers.image.licenses"],
        "Apache-2.0"
    );
    assert_eq!(c["Labels"]["org.opencontainers.image.version"], "test");

    u(&["unpack", "--rootless", "--image", "out:test", "unpacked"]);
    let inside = work.join("unpacked/rootfs/usr/local/bin/riskgate");
    let said = sh(Command::new(&inside).arg("--version"));
    assert!(
        said.starts_with(&format!("riskgate {} (", env!("CARGO_PKG_VERSION"))),
        "{said}"
    );

    // riskgate judges its own image: not root (the example forbids root users).
    let r = riskgate()
        .current_dir(root())
        .args([
            "check",
            "--policy",
            "examples/policy",
            "--product",
            "payments-api",
            "--now",
            "2026-11-23",
            "--format",
            "json",
            "--image",
        ])
        .arg(format!("oci:{}:test", work.join("out").display()))
        .run();
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.stderr);
    // an unsigned local image fails `signature`; it passes `root_user`
    let status = |rule: &str| {
        report["images"][0]["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["rule"] == rule)
            .map(|c| c["status"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(status("signature").as_deref(), Some("blocked"), "{report}");
    assert_eq!(status("root_user").as_deref(), Some("passed"), "{report}");
    assert_eq!(report["images"][0]["user"], "65534:65534");
}

/// The release workflow's own check of its archives (ci/verify-release.sh), on a real keyless
/// bundle: the GitLab-signed package in tests/fixtures/sigstore stands in for an archive.
#[test]
fn release_archives_are_verified_by_riskgate_itself() {
    let work = tempdir("verify");
    let archive = work.join("riskgate-1.0.0-x86_64-unknown-linux-musl.tar.gz");
    std::fs::copy(
        crate::common::fixture("sigstore/gitlab_oidc_project-0.0.3.tar.gz"),
        &archive,
    )
    .expect("copy");
    std::fs::copy(
        crate::common::fixture(
            "sigstore/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation.sigstore.json",
        ),
        work.join("riskgate-1.0.0-x86_64-unknown-linux-musl.tar.gz.sigstore.json"),
    )
    .expect("copy");
    let verify = |subject: &str| {
        run(Command::new("bash")
            .arg(root().join("ci/verify-release.sh"))
            .arg(env!("CARGO_BIN_EXE_riskgate"))
            .arg("https://gitlab.com")
            .arg(subject)
            .arg(&archive))
    };
    let signer =
        r"^https://gitlab\.com/facutuesca/gitlab-oidc-project//\.gitlab-ci\.yml@refs/heads/main$";
    let ok = verify(signer);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("ok    signature"), "{}", ok.stdout);
    assert!(!ok.stdout.contains("Warnings"), "{}", ok.stdout);

    // another identity (a fork's release workflow) does not verify
    let fork = verify(r"^https://gitlab\.com/someone-else/.+$");
    assert_eq!(fork.code, 1, "{}{}", fork.stdout, fork.stderr);
    assert!(
        fork.stdout.contains("SubjectAltName does not match"),
        "{}",
        fork.stdout
    );

    // an archive changed after signing does not verify
    let mut bytes = std::fs::read(&archive).expect("read");
    bytes[100] ^= 1;
    std::fs::write(&archive, bytes).expect("write");
    let tampered = verify(signer);
    assert_eq!(tampered.code, 1, "{}{}", tampered.stdout, tampered.stderr);
}
