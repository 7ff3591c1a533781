//! `riskgate validate`: the example policy is valid; every kind of mistake is pointed at by
//! file:line:col, and all of them are reported in one run.

use crate::common::*;
use std::fs;

fn policy_copy(name: &str, edit: impl Fn(&str, &str) -> String) -> Scratch {
    let dir = scratch(&format!("validate-{name}"));
    for f in ["ownership.yaml", "guardrails.yaml"] {
        let text = fs::read_to_string(root().join("examples/policy").join(f)).unwrap();
        fs::write(dir.join(f), edit(f, &text)).unwrap();
    }
    dir
}

#[test]
fn the_example_policy_and_acceptances_are_valid() {
    let r = riskgate()
        .args([
            "validate",
            "--policy",
            "examples/policy",
            "--acceptances",
            "examples/acceptances.yaml",
        ])
        .current_dir(root())
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("are valid"), "{}", r.stdout);
}

#[test]
fn every_problem_is_reported_with_its_position() {
    let dir = policy_copy("many", |f, t| {
        match f {
        "ownership.yaml" => t.replace("team: checkout-dev\n", "team: checkout-devs\n"),
        _ => t
            .replace("levels: { medium: { approver: risk_owner } }", "levels: { high: { approver: team, max_days: 60 }, critical: { require_signature: false } }")
            .replace("  none:     { gate: pass }\n", ""),
    }
    });
    let acc = dir.join("acceptances.yaml");
    fs::write(
        &acc,
        "version: 1\nacceptances:\n  - id: A1\n    finding: CVE-2023-*\n    product: payments-apii\n    risk: high\n    reason: r\n    requested_by: mallory@evil.example\n    created: 2026-11-20\n    expires: 2026-11-01\n  - id: A1\n    finding: CVE-1\n    product: payments-api\n    risk: low\n    reason: r\n    requested_by: alice@acme.example\n    versions: \"not semver\"\n    created: 2026-11-20\n    expires: 2026-12-01\n",
    )
    .unwrap();
    let r = riskgate()
        .args(["validate", "--policy"])
        .arg(&dir)
        .arg("--acceptances")
        .arg(&acc)
        .run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    // The whole diagnostic: each problem with its code, position, source line and help.
    let shown = r.stderr.replace(&dir.display().to_string(), "<policy>");
    insta::assert_snapshot!(shown);
}

/// Each kind of problem carries its own code (`model::code::Code`), which is what scripts match.
#[test]
fn each_kind_of_problem_has_its_code() {
    let whole = |text: &'static str| move |_: &str| text.to_string();
    type Edit = Box<dyn Fn(&str) -> String>;
    let cases: [(&str, Edit, &str); 10] = [
        (
            "syntax",
            Box::new(whole("version: 1\nteams: [a\n")),
            "riskgate::policy::syntax",
        ),
        (
            "alias",
            Box::new(whole("version: 1\nx: &a 1\ny: *a\n")),
            "riskgate::policy::yaml_feature",
        ),
        (
            "tag",
            Box::new(whole("version: 1\nteams: !!map {}\n")),
            "riskgate::policy::yaml_feature",
        ),
        (
            "merge",
            Box::new(whole("version: 1\nteams:\n  <<: {}\n")),
            "riskgate::policy::yaml_feature",
        ),
        (
            "docs",
            Box::new(whole("version: 1\n---\nversion: 1\n")),
            "riskgate::policy::yaml_feature",
        ),
        (
            "dup",
            Box::new(whole("version: 1\nversion: 1\n")),
            "riskgate::policy::duplicate_key",
        ),
        (
            "field",
            Box::new(whole("version: 1\nteamz: {}\n")),
            "riskgate::policy::schema",
        ),
        (
            "version",
            Box::new(whole("version: 2\n")),
            "riskgate::policy::schema",
        ),
        ("empty", Box::new(whole("\n")), "riskgate::policy::syntax"),
        (
            "name",
            Box::new(|t: &str| t.replace("team: checkout-dev\n", "team: checkout-devs\n")),
            "riskgate::policy::name",
        ),
    ];
    for (name, edit, code) in cases {
        let dir = policy_copy(name, |f, t| {
            if f == "ownership.yaml" {
                edit(t)
            } else {
                t.to_string()
            }
        });
        let r = riskgate()
            .args(["validate", "--policy"])
            .arg(&dir)
            .run()
            .exits(2);
        assert!(
            r.stderr.contains(&format!("Error: {code}")),
            "{name}: expected {code} in:\n{}",
            r.stderr
        );
    }
}

#[test]
fn unknown_keys_aliases_and_missing_files_fail_closed() {
    let dir = policy_copy("typo", |f, t| {
        if f == "guardrails.yaml" {
            t.replace("sla:\n  overdue: block", "sla:\n  overdeu: block")
        } else {
            t.to_string()
        }
    });
    let r = riskgate().args(["validate", "--policy"]).arg(&dir).run();
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("guardrails.yaml:32:")
            && r.stderr
                .contains("unknown field `overdeu`, expected `overdue`"),
        "{}",
        r.stderr
    );

    let dir = policy_copy("alias", |f, t| {
        if f == "ownership.yaml" {
            t.replace(
                "  security: [appsec]",
                "  security: &s [appsec]\n  governance2: *s",
            )
        } else {
            t.to_string()
        }
    });
    let r = riskgate().args(["validate", "--policy"]).arg(&dir).run();
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("aliases are not allowed"), "{}", r.stderr);

    let r = riskgate()
        .args(["validate", "--policy", "/nonexistent-policy-dir"])
        .run();
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
}

#[test]
fn stale_ownership_and_expiring_acceptances_warn_without_failing() {
    let r = riskgate()
        .current_dir(root())
        .args([
            "validate",
            "--policy",
            "examples/policy",
            "--acceptances",
            "examples/acceptances.yaml",
            "--now",
            "2026-11-23",
        ])
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("! examples/policy/ownership.yaml:57:15: product ledger-batch was last reviewed on 2026-03-01, 267 days ago (ownership.max_age_days is 180)"), "{}", r.stderr);
    assert!(r.stderr.contains("! examples/acceptances.yaml:59:14: acceptance ACC-0004 expires on 2026-12-01 (in 8 days)"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("acceptance ACC-0008 expired on 2026-11-01"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_invalid_example_points_at_every_problem() {
    // the risk typo is a parse error, so fix it first to see the meaning errors together
    let text = std::fs::read_to_string(root().join("examples/invalid/acceptances.yaml")).unwrap();
    let r = riskgate()
        .current_dir(root())
        .args([
            "validate",
            "--policy",
            "examples/policy",
            "--acceptances",
            "examples/invalid/acceptances.yaml",
        ])
        .run();
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("examples/invalid/acceptances.yaml:17:11: acceptances[1].risk: unknown variant `severe`"), "{}", r.stderr);
    let dir = scratch("invalid");
    let fixed = dir.join("acceptances.yaml");
    std::fs::write(&fixed, text.replace("risk: severe ", "risk: medium ")).unwrap();
    let r = riskgate()
        .current_dir(root())
        .args(["validate", "--policy", "examples/policy", "--acceptances"])
        .arg(&fixed)
        .run();
    assert_eq!(r.code, 2);
    for want in [
        "acceptances.yaml:6:14: `CVE-2019-*`: wildcards are not allowed in `finding`",
        "acceptances.yaml:7:14: unknown product `payments-apl`",
        "did you mean `payments-api`?",
        "acceptances.yaml:11:18: unknown person `mallory@evil.example`",
        "acceptances.yaml:13:14: expires 2026-11-01 is not after created 2026-11-20",
        "acceptances.yaml:14:9: duplicate acceptance id `ACC-0100` (first used by entry 1)",
    ] {
        assert!(r.stderr.contains(want), "want {want:?} in\n{}", r.stderr);
    }
}

#[test]
fn a_duplicated_key_is_an_error_not_last_wins() {
    // A second `critical:` level would silently replace the first (YAML keeps the last): a
    // policy that reads as strict would gate as loose. Refused, naming both lines.
    let dir = policy_copy("duplicate-level", |f, t| {
        if f == "guardrails.yaml" {
            t.replace(
                "levels:\n",
                "levels:\n  critical: { gate: accept, approver: team, max_days: 365 }\n",
            )
        } else {
            t.to_string()
        }
    });
    let r = riskgate().args(["validate", "--policy"]).arg(&dir).run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("duplicate key `critical` in `levels`: it is also at line 15, column 3"),
        "{}",
        r.stderr
    );
    // A second team of the same name, in the register.
    let dir = policy_copy("duplicate-team", |f, t| {
        if f == "ownership.yaml" {
            t.replace(
                "teams:\n",
                "teams:\n  appsec:\n    members: [mallory@evil.example]\n",
            )
        } else {
            t.to_string()
        }
    });
    let r = riskgate().args(["validate", "--policy"]).arg(&dir).run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("duplicate key `appsec` in `teams`"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_product_override_that_makes_an_accept_level_needs_max_days() {
    // `low` is `warn` for the organisation; payments-api makes it `accept` (stricter, allowed),
    // but without a max_days its acceptances would last forever.
    let dir = policy_copy("override-max-days", |f, t| {
        if f == "guardrails.yaml" {
            t.replace(
                "    levels: { medium: { approver: risk_owner } }",
                "    levels: { medium: { approver: risk_owner }, low: { gate: accept, approver: team } }",
            )
        } else {
            t.to_string()
        }
    });
    let r = riskgate().args(["validate", "--policy"]).arg(&dir).run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("level `low` has gate `accept` but no `max_days`: its acceptances would never have to end"),
        "{}",
        r.stderr
    );
}

/// A long, plain file is read whole: the typed parse's node budget grows with the text (only
/// aliases could make a small text expand, and they are refused).
#[test]
fn a_long_plain_acceptances_file_is_within_the_yaml_budget() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acceptances.yaml");
    // 300,000 nodes in 1.2 MB: over serde-saphyr's default of 250,000.
    let mut text = String::from(
        "version: 1\nacceptances:\n  - id: ACC-1\n    finding: CKV_AWS_1\n    product: payments-api\n    risk: low\n    reason: x\n    requested_by: alice@acme.example\n    created: 2026-11-01\n    expires: 2027-01-15\n    paths:\n",
    );
    for i in 0..300_000 {
        text.push_str(&format!("      - p{i}\n"));
    }
    std::fs::write(&path, text).unwrap();
    let r = riskgate()
        .args(["validate", "--policy", "examples/policy", "--acceptances"])
        .arg(&path)
        .current_dir(root())
        .run();
    assert!(!r.stderr.contains("budget"), "{}", r.stderr);
    assert!(
        r.code == 0 || r.stderr.contains("riskgate::"),
        "exit {}: {}",
        r.code,
        r.stderr
    );
}

/// Messages to a standard error nobody reads (a pipe whose reader has gone) are dropped: the
/// exit code stays the gate's (2 here), never a panic's 101.
#[test]
fn a_closed_stderr_does_not_turn_the_exit_code_into_a_panic() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = riskgate()
        .args([
            "check",
            "--policy",
            "examples/policy",
            "--report",
            "no-such-report.json",
        ])
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}
