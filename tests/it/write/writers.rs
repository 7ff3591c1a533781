//! Issue 15, the files riskgate writes, with real concurrent processes: acceptances written by
//! `accept` and `approve` racing each other, decision-log appends racing each other, a torn
//! log line, outputs naming inputs, and an acceptances file that is a symlink.

use crate::common::{example_repo, riskgate, root, run, scratch, Cli, Scratch, EXAMPLE_REPORTS};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const FORTIFY: &str = "31D4607A-A3FF-447C-908A-CA2BBE4CE4B7";

fn tmp(name: &str) -> Scratch {
    scratch(&format!("writers-{name}"))
}

/// `riskgate <args>` on the example repository in `dir`, with the example's reports.
fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = riskgate();
    c.current_dir(root()).args(args);
    c.arg("--policy").arg(dir.join("policy"));
    c.arg("--acceptances").arg(dir.join("acceptances.yaml"));
    c.args(["--product", "payments-api", "--now", "2026-11-23"]);
    c
}

fn with_reports(mut c: Command) -> Command {
    for r in EXAMPLE_REPORTS {
        c.args(["--report", r]);
    }
    c
}

fn ids(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("acceptances.yaml")).expect("read");
    let v: serde_json::Value = serde_saphyr::from_str(&text).expect("valid YAML");
    v["acceptances"]
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn concurrent_accepts_and_approves_lose_nothing() {
    let dir = tmp("race");
    example_repo(&dir);
    let before = ids(&dir).len();
    let mut reported = 0;
    let mut approvals: Vec<String> = Vec::new();
    for round in 0..8 {
        // Two requests at once, for two findings.
        let spawn = |finding: &str| {
            with_reports(cmd(
                &dir,
                &[
                    "accept",
                    finding,
                    "--by",
                    "alice@acme.example",
                    "--reason",
                    "race",
                ],
            ))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
        };
        // ...while the previous round's second request is approved (approve racing accept).
        let racing_approval = (round > 0).then(|| {
            let pending = ids(&dir).into_iter().rev().nth(1).expect("an entry");
            let c = cmd(&dir, &["approve", &pending, "--by", "dana@acme.example"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            (pending, c)
        });
        let a = spawn(FORTIFY);
        let b = spawn("CVE-2019-11358");
        if let Some((pending, c)) = racing_approval {
            let out = c.wait_with_output().expect("wait");
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            approvals.push(pending);
        }
        for child in [a, b] {
            let out = child.wait_with_output().expect("wait");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.code() == Some(0) && stdout.contains("recorded in"),
                "round {round}: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            reported += 1;
        }
        // Two approvers of the newest request at once: one approves, the other is told.
        let last = ids(&dir).last().cloned().expect("an entry");
        let spawn = |by: &str| {
            cmd(&dir, &["approve", &last, "--by", by])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        };
        let outs: Vec<_> = [spawn("dana@acme.example"), spawn("erin@acme.example")]
            .into_iter()
            .map(|c| c.wait_with_output().expect("wait"))
            .collect();
        let approved = outs.iter().filter(|o| o.status.code() == Some(0)).count();
        assert_eq!(approved, 1, "round {round}: exactly one approval lands");
        let refused = outs
            .iter()
            .find(|o| o.status.code() == Some(2))
            .expect("the other is refused");
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("is already approved by"),
            "{}",
            String::from_utf8_lossy(&refused.stderr)
        );
    }
    let after = ids(&dir);
    assert_eq!(
        after.len(),
        before + reported,
        "every reported acceptance is in the file"
    );
    let mut unique = after.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), after.len(), "ids are unique: {after:?}");
    // No temporary files left, and the lock file is the only addition.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".acceptances.yaml.lock",
            "CODEOWNERS",
            "acceptances.yaml",
            "policy"
        ]
    );
}

#[test]
fn concurrent_decision_log_appends_chain_one_after_the_other() {
    let dir = tmp("log");
    example_repo(&dir);
    let log = dir.join("decisions.jsonl");
    let children: Vec<_> = (0..6)
        .map(|_| {
            let mut c = with_reports(cmd(&dir, &["check", "--format", "json"]));
            c.arg("--decision-log")
                .arg(&log)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let r = riskgate().args(["log", "verify"]).arg(&log).run();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("6 entries"), "{}", r.stdout);
    // Each record names the inputs it read, hashed as read: reports, policy, acceptances.
    let first = std::fs::read_to_string(&log).expect("read");
    let rec: serde_json::Value =
        serde_json::from_str(first.lines().next().expect("line")).expect("json");
    let files = rec["files"].as_object().expect("files");
    assert!(
        files.keys().any(|k| k.ends_with("trivy-npm.json")),
        "{files:?}"
    );
    assert!(
        files.keys().any(|k| k.ends_with("guardrails.yaml")),
        "{files:?}"
    );
    assert!(
        files.keys().any(|k| k.ends_with("keys/vex.pub")),
        "keys count too: {files:?}"
    );
    assert!(files.keys().any(|k| k.ends_with("CODEOWNERS")), "{files:?}");
}

#[test]
fn a_torn_log_line_is_reported_and_not_chained_after() {
    let dir = tmp("torn");
    example_repo(&dir);
    let log = dir.join("decisions.jsonl");
    let check = || {
        let mut c = with_reports(cmd(&dir, &["check", "--format", "json"]));
        c.arg("--decision-log").arg(&log);
        run(&mut c)
    };
    assert_eq!(check().code, 1);
    assert_eq!(check().code, 1);
    // A write cut off halfway (a full disk, a killed runner).
    let text = std::fs::read_to_string(&log).expect("read");
    let whole = text.len();
    let cut = &text[..whole - 40];
    std::fs::write(&log, cut).expect("write");
    let r = riskgate().args(["log", "verify"]).arg(&log).run();
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("decisions.jsonl:2: the line is incomplete"),
        "{}",
        r.stderr
    );
    let r = check();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("line 2 of")
            && r.stderr.contains("nothing was appended")
            && r.stderr.contains("truncate -s"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&log).expect("read"),
        cut,
        "the log is left as it was"
    );
}

#[test]
fn an_output_that_is_an_input_is_refused_before_anything_is_written() {
    let dir = tmp("outputs");
    example_repo(&dir);
    let report = dir.join("trivy.json");
    std::fs::copy(root().join("examples/reports/trivy-npm.json"), &report).expect("copy");
    let original = std::fs::read(&report).expect("read");
    let accs = dir.join("acceptances.yaml").display().to_string();
    let log = dir.join("log.jsonl").display().to_string();
    let report_s = report.display().to_string();
    for (what, output) in [
        ("--report", report_s.as_str()),
        ("the acceptances file", accs.as_str()),
        ("--decision-log", log.as_str()),
    ] {
        let mut c = cmd(
            &dir,
            &["check", "--report", &report_s, "--decision-log", &log],
        );
        c.args(["--format", "json", "--output", output]);
        let r = run(&mut c);
        assert_eq!(r.code, 2, "{what}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("writing it would destroy an input of this run")
                || r.stderr.contains("one would overwrite the other"),
            "{what}: {}",
            r.stderr
        );
    }
    assert_eq!(std::fs::read(&report).expect("read"), original);
    assert!(!Path::new(&log).exists(), "nothing was written");
}

#[cfg(unix)]
#[test]
fn an_acceptances_file_that_is_a_symlink_stays_one() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp("symlink");
    example_repo(&dir);
    let real = dir.join("real-acceptances.yaml");
    std::fs::rename(dir.join("acceptances.yaml"), &real).expect("mv");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::os::unix::fs::symlink("real-acceptances.yaml", dir.join("acceptances.yaml")).expect("ln");
    let r = run(&mut with_reports(cmd(
        &dir,
        &[
            "accept",
            FORTIFY,
            "--by",
            "alice@acme.example",
            "--reason",
            "link",
        ],
    )));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let meta = std::fs::symlink_metadata(dir.join("acceptances.yaml")).expect("meta");
    assert!(meta.file_type().is_symlink(), "the link is still a link");
    assert!(std::fs::read_to_string(&real)
        .expect("read")
        .contains("reason: \"link\""));
    assert_eq!(
        std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn a_full_disk_leaves_the_decision_log_as_it_was() {
    // A real full file system: a 256 KiB tmpfs (mounting one needs root; without, skipped).
    let dir = tmp("full");
    example_repo(&dir);
    let mnt = dir.join("mnt");
    std::fs::create_dir_all(&mnt).expect("mkdir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let log = mnt.join("decisions.jsonl");
    let check = || {
        let mut c = with_reports(cmd(&dir, &["check", "--format", "json"]));
        c.arg("--decision-log").arg(&log);
        run(&mut c)
    };
    assert_eq!(check().code, 1);
    let good = std::fs::read(&log).expect("read");
    // Fill the rest of the file system, leaving less than a line.
    let filler = mnt.join("filler");
    let free = 256 * 1024 - good.len() - 8 * 1024;
    let _ = std::fs::write(&filler, vec![0u8; free]);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&filler)
        .expect("open");
    while std::io::Write::write_all(&mut f, &[0u8; 512]).is_ok() {}
    drop(f);
    let r = check();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot write") && r.stderr.contains("No space left"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read(&log).expect("read"),
        good,
        "no half line is left behind"
    );
    // Space again: the log goes on, and verifies.
    std::fs::remove_file(&filler).expect("rm");
    assert_eq!(check().code, 1);
    let v = riskgate().args(["log", "verify"]).arg(&log).run();
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    assert!(v.stdout.contains("2 entries"), "{}", v.stdout);
}
