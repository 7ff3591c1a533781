//! Guardrails people can adopt and trust: required reports (missing, empty-but-valid, too old),
//! warn-then-enforce (`enforce_from`, `would_block`, `--explain-upcoming`), and exception hygiene
//! (unused acceptances, budgets, stale ownership), on the example organisation.

use crate::common::{check_with, riskgate, root, run, scratch, Cli, Run, Scratch};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> Scratch {
    scratch(&format!("rollout-{name}"))
}

/// The example policy with `edit` applied to guardrails.yaml.
fn policy(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let p = crate::common::copy_policy(&dir.join("policy"));
    let g = std::fs::read_to_string(p.join("guardrails.yaml")).expect("read");
    std::fs::write(p.join("guardrails.yaml"), edit(g)).expect("write");
    p
}

fn gate(policy: &Path, reports: &[&str], extra: &[&str]) -> (Run, Value) {
    let mut c = check_with(policy, reports);
    c.args([
        "--acceptances",
        "examples/acceptances.yaml",
        "--format",
        "json",
    ]);
    if !extra.contains(&"--now") {
        c.args(["--now", "2026-11-23"]);
    }
    c.args(extra);
    let r = run(&mut c);
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r, v)
}

fn rule<'a>(v: &'a Value, subject: &str) -> &'a Value {
    v["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["subject"] == subject)
        .unwrap_or_else(|| panic!("no rule about {subject}: {:#}", v["rules"]))
}

fn finding<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

/// Every accept level enforced only from `date`.
fn levels_from(g: String, date: &str) -> String {
    g.replace(
        "{ gate: accept,",
        &format!("{{ enforce_from: {date}, gate: accept,"),
    )
}

#[test]
fn required_reports_missing_empty_and_too_old() {
    let d = tmp("required");
    let p = policy(&d, |g| {
        levels_from(g, "2027-06-01")
            + "require_reports:\n  - { kind: container_scanning }\n  - { kind: dependency_scanning }\n"
    });
    // Only a dependency scan: the container scan is missing and blocks, owned by the product team.
    let (r, v) = gate(&p, &["examples/reports/trivy-npm.json"], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let cs = rule(&v, "container_scanning");
    assert_eq!(cs["status"], "blocked");
    assert_eq!(cs["reason"], "required container_scanning report missing");
    assert_eq!(cs["owner"]["team"], "payments-dev");
    assert_eq!(rule(&v, "dependency_scanning")["status"], "passed");
    // A valid scan with no findings (Grype's real empty report) satisfies a requirement.
    let empty = crate::common::fixture("grype/TestEmptyJsonPresenter.json");
    let (r, v) = gate(
        &p,
        &[
            "examples/reports/trivy-image.json",
            empty.to_str().expect("utf8"),
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(rule(&v, "dependency_scanning")["status"], "passed");
    assert!(rule(&v, "dependency_scanning")["reason"]
        .as_str()
        .expect("reason")
        .contains("TestEmptyJsonPresenter.json"));

    // SAST at most 24 hours old. The real Fortify SARIF carries no timestamp: its age is unknown,
    // which blocks. The same report with an invocation end time (added here) is judged by it.
    let p = policy(&d, |g| {
        levels_from(g, "2027-06-01") + "require_reports:\n  - { kind: sast, max_age_hours: 24 }\n"
    });
    let (r, v) = gate(&p, &["examples/reports/fortify.sarif"], &[]);
    assert_eq!(r.code, 1);
    assert!(rule(&v, "sast")["reason"]
        .as_str()
        .expect("reason")
        .contains("has no timestamp"));
    let mut sarif: Value = serde_json::from_slice(
        &std::fs::read(root().join("examples/reports/fortify.sarif")).expect("sarif"),
    )
    .expect("json");
    // A report "scanned" in 2099 must not pass an age check forever.
    for (when, code, status) in [
        ("2026-11-20T08:00:00Z", 1, "blocked"),
        ("2026-11-22T12:00:00Z", 0, "passed"),
        ("2099-01-01T00:00:00Z", 1, "future"),
    ] {
        sarif["runs"][0]["invocations"] =
            serde_json::json!([{ "executionSuccessful": true, "endTimeUtc": when }]);
        let f = d.join("fortify-timed.sarif");
        std::fs::write(&f, sarif.to_string()).expect("write");
        let (r, v) = gate(&p, &[f.to_str().expect("utf8")], &[]);
        assert_eq!(r.code, code, "{when}: {}", r.stderr);
        if status == "future" {
            assert_eq!(rule(&v, "sast")["status"], "blocked");
            let why = rule(&v, "sast")["reason"]
                .as_str()
                .expect("reason")
                .to_string();
            assert!(
                why.contains("scanned at 2099-01-01T00:00:00Z, after now"),
                "{why}"
            );
            continue;
        }
        assert_eq!(rule(&v, "sast")["status"], status, "{when}");
        if status == "blocked" {
            assert_eq!(
                rule(&v, "sast")["reason"],
                "required sast report is 64 hours old (scanned 2026-11-20T08:00:00Z), more than max_age_hours 24"
            );
        }
    }
}

#[test]
fn enforce_from_warns_first_then_blocks() {
    let d = tmp("enforce");
    let reports = crate::common::EXAMPLE_REPORTS;
    // Every accept level enforced from next year: what would block is would_block, exit 0.
    let later = policy(&d.join("later"), |g| levels_from(g, "2027-01-01"));
    let (r, v) = gate(&later, reports, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["verdict"], "allow");
    assert_eq!(v["summary"]["by_status"]["would_block"], 7);
    assert_eq!(v["summary"]["by_status"]["blocked"], 0);
    let f = finding(&v, "aws-access-key-id");
    assert_eq!(f["status"], "would_block");
    assert_eq!(f["enforce_from"], "2027-01-01");
    // Every format shows it: human lists it, SARIF as a warning, github as ::warning.
    let mut c = check_with(&later, reports);
    c.args(["--now", "2026-11-23"]).args([
        "--acceptances",
        "examples/acceptances.yaml",
        "--explain-upcoming",
    ]);
    let h = run(&mut c);
    assert_eq!(h.code, 0, "{}", h.stderr);
    assert!(h.stdout.starts_with("ALLOW payments-api"), "{}", h.stdout);
    assert!(
        h.stdout.contains("0 blocked, 7 would_block"),
        "{}",
        h.stdout
    );
    assert!(h
        .stdout
        .contains("Would block once enforced (7, not blocking yet):"));
    assert!(
        h.stdout.contains(
            "Upcoming enforcement (what blocks once each date passes):\n  from 2027-01-01 (7):"
        ),
        "{}",
        h.stdout
    );
    let mut c = check_with(&later, reports);
    c.args(["--now", "2026-11-23"]).args([
        "--acceptances",
        "examples/acceptances.yaml",
        "--format",
        "github",
    ]);
    let gh = run(&mut c);
    assert!(
        gh.stdout.contains(
            "::warning file=deploy.sh,line=3,title=riskgate%3A aws-access-key-id would_block::"
        ),
        "{}",
        gh.stdout
    );
    // The date passed: the same findings block.
    let (r, v) = gate(&later, reports, &["--now", "2027-01-02"]);
    assert_eq!(r.code, 1);
    assert_eq!(v["summary"]["by_status"]["would_block"], 0);
    // Enforced already (a past date): blocks today.
    let past = policy(&d.join("past"), |g| levels_from(g, "2026-01-01"));
    let (r, _) = gate(&past, reports, &[]);
    assert_eq!(r.code, 1);

    // A required report and a never_accept entry, both enforced later.
    let p = policy(&d.join("rules"), |g| {
        let g = levels_from(g, "2027-01-01").replace(
            "  - { kev: true, exposure: internet, fix_available: true }",
            "  - { kev: true, exposure: internet, fix_available: true }\n  - { id: \"CVE-2019-1549\", enforce_from: 2027-03-01 }",
        );
        g + "require_reports:\n  - { kind: sast, enforce_from: 2027-02-01 }\n"
    });
    let (r, v) = gate(&p, &REPORTS_NO_SAST, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sast = rule(&v, "sast");
    assert_eq!(sast["status"], "would_block");
    assert_eq!(sast["enforce_from"], "2027-02-01");
    // ACC-0004 covers CVE-2019-1549 today; from 2027-03-01 never_accept refuses it.
    let accepted = finding(&v, "CVE-2019-1549");
    assert_eq!(accepted["status"], "would_block", "{accepted:#}");
    assert_eq!(accepted["enforce_from"], "2027-03-01");
    let (r, v) = gate(&p, &REPORTS_NO_SAST, &["--now", "2027-02-15"]);
    assert_eq!(r.code, 1, "the SAST requirement is enforced now");
    assert_eq!(rule(&v, "sast")["status"], "blocked");

    // A date that is not a date is a policy error, pointed at its line.
    let bad = policy(&d.join("bad"), |g| {
        g.replace(
            "  overdue: block",
            "  overdue: block\n  enforce_from: next-year",
        )
    });
    let (r, _) = gate(&bad, reports, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("`next-year` is not a date"),
        "{}",
        r.stderr
    );
}

const REPORTS_NO_SAST: [&str; 4] = [
    "examples/reports/trivy-npm.json",
    "examples/reports/trivy-image.json",
    "examples/reports/trivy-secrets.json",
    "examples/reports/grype-ruby.json",
];

#[test]
fn unused_acceptances_warn_or_block_and_budgets_name_the_team() {
    let d = tmp("hygiene");
    let warn = policy(&d.join("warn"), |g| levels_from(g, "2027-01-01"));
    let (r, v) = gate(&warn, crate::common::EXAMPLE_REPORTS, &[]);
    assert_eq!(r.code, 0, "unused acceptances only warn by default");
    let acc = rule(&v, "ACC-0012");
    assert_eq!(acc["rule"], "acceptances.unused");
    assert_eq!(acc["status"], "warned");
    assert!(acc["reason"]
        .as_str()
        .expect("reason")
        .contains("covers no finding in this run"));
    assert_eq!(acc["fix"], "remove ACC-0012 from the acceptances file");
    // Acceptances of other products are not this run's to judge.
    assert!(v["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .all(|r| r["subject"] != "ACC-0003"));

    let block = policy(&d.join("block"), |g| {
        levels_from(g, "2027-01-01").replace(
            "  warn_before_days: 14",
            "  warn_before_days: 14\n  unused: block\n  max_open_per_team: 2",
        )
    });
    let (r, v) = gate(&block, crate::common::EXAMPLE_REPORTS, &[]);
    assert_eq!(r.code, 1);
    assert_eq!(rule(&v, "ACC-0012")["status"], "blocked");
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains(
            "team payments-dev has 6 open acceptances, more than acceptances.max_open_per_team 2"
        ),
        "{warnings}"
    );
}

#[test]
fn stale_ownership_warns_in_check_and_fails_validate_strict() {
    let d = tmp("stale");
    let p = crate::common::copy_policy(&d.join("policy"));
    let own = std::fs::read_to_string(p.join("ownership.yaml")).expect("read");
    std::fs::write(
        p.join("ownership.yaml"),
        own.replace(
            "members: [chris@acme.example, dee@acme.example]",
            "members: []",
        )
        .replace("  frank@acme.example: { github: frank-acme }", ""),
    )
    .expect("write");
    let mut c = crate::common::riskgate();
    c.current_dir(root())
        .arg("check")
        .arg("--policy")
        .arg(&p)
        .args([
            "--product",
            "checkout-web",
            "--now",
            "2026-11-23",
            "--report",
            "examples/reports/trivy-npm.json",
            "--format",
            "json",
        ]);
    let r = run(&mut c);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    let w = v["warnings"].to_string();
    assert!(w.contains("team `checkout-dev` has no members"), "{w}");
    assert!(
        w.contains(
            "risk owner `frank@acme.example` of product `checkout-web` is not a known person"
        ),
        "{w}"
    );
    let mut c = crate::common::riskgate();
    c.arg("validate")
        .arg("--policy")
        .arg(&p)
        .args(["--now", "2026-09-01"]);
    let r = run(&mut c);
    assert_eq!(r.code, 0, "warnings only: {}", r.stderr);
    let r = run(c.arg("--strict"));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("has no members"), "{}", r.stderr);
}

#[test]
fn unowned_blocks_wait_for_ownership_enforce_from() {
    // The built-in default policy has no register: high and critical findings are unowned and
    // block. With the levels enforced from mid-2027 and ownership.enforce_from from January,
    // they are would_block until January, then blocked by the unowned rule alone.
    let d = tmp("unowned");
    let p = d.join("policy");
    std::fs::create_dir_all(&p).expect("mkdir");
    let g = std::fs::read_to_string(root().join("policies/default/guardrails.yaml")).expect("read");
    std::fs::write(
        p.join("guardrails.yaml"),
        levels_from(g, "2027-06-01").replace(
            "  unowned: block",
            "  unowned: block\n  enforce_from: 2027-01-01",
        ),
    )
    .expect("write");
    std::fs::copy(
        root().join("policies/default/ownership.yaml"),
        p.join("ownership.yaml"),
    )
    .expect("copy");
    let run_at = |now: &str| {
        let mut c = crate::common::riskgate();
        c.current_dir(root())
            .arg("check")
            .arg("--policy")
            .arg(&p)
            .args([
                "--report",
                "examples/reports/trivy-secrets.json",
                "--now",
                now,
                "--format",
                "json",
            ]);
        let r = run(&mut c);
        let v: Value = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
        (r.code, v)
    };
    let (code, v) = run_at("2026-11-23");
    assert_eq!(code, 0);
    let f = finding(&v, "aws-access-key-id");
    assert_eq!(f["status"], "would_block");
    assert!(
        f["reasons"].to_string().contains("ownership.unowned"),
        "{f:#}"
    );
    let (code, v) = run_at("2027-01-01");
    assert_eq!(code, 1);
    assert_eq!(finding(&v, "aws-access-key-id")["status"], "blocked");
}

#[test]
fn a_dast_scan_can_be_required_and_vex_cannot() {
    let d = tmp("dast");
    let p = policy(&d.join("with"), |g| {
        format!("{g}\nrequire_reports:\n  - kind: dast\n")
    });
    let dast =
        crate::common::fixture("corpus/defectdojo/gitlab_dast/gitlab_dast_many_vul_v15.json");
    let (r, v) = gate(&p, &[dast.to_str().expect("utf8")], &[]);
    assert_ne!(r.code, 2, "{}", r.stderr);
    assert_eq!(rule(&v, "dast")["status"], "passed", "{v}");
    let (_, v) = gate(&p, crate::common::EXAMPLE_REPORTS, &[]);
    assert_eq!(rule(&v, "dast")["status"], "blocked");
    let p = policy(&d.join("vex"), |g| {
        format!("{g}\nrequire_reports:\n  - kind: vex\n")
    });
    let r = riskgate().args(["validate", "--policy"]).arg(&p).run();
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`vex` is not a scan"), "{}", r.stderr);
}
