//! The real binary on the example organisation (`examples/`) and on real scanner outputs:
//! verdicts, statuses, owners, exit codes, snapshots of the human and json reports, and the
//! fail-closed paths (exit 2).

use crate::common::{fixture, riskgate, root, run, scratch, Cli, Scratch};
use serde_json::Value;
use std::process::Command;

const REPORTS: &[&str] = crate::common::EXAMPLE_REPORTS;

/// `riskgate <cmd> --policy examples/policy --product payments-api --acceptances ... --report ...
/// --now 2026-11-23`, run from the repository root (so paths in the output are stable).
fn example(cmd: &str) -> Command {
    example_at(cmd, "2026-11-23")
}

fn example_at(cmd: &str, now: &str) -> Command {
    let mut c = riskgate();
    c.current_dir(root()).arg(cmd);
    c.args(["--policy", "examples/policy", "--product", "payments-api"]);
    c.args(["--acceptances", "examples/acceptances.yaml", "--now", now]);
    for r in REPORTS {
        c.args(["--report", r]);
    }
    c
}

fn json(cmd: &mut Command) -> (i32, Value) {
    let r = run(cmd.args(["--format", "json"]));
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    (
        r.code,
        serde_json::from_str(&r.stdout).expect("json report"),
    )
}

fn finding<'a>(report: &'a Value, id: &str, package: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id && f["package"]["name"] == package)
        .unwrap_or_else(|| panic!("no finding {id} in {package}"))
}

fn tmp(name: &str) -> Scratch {
    scratch(&format!("check-{name}"))
}

#[test]
fn the_example_blocks_with_owners_and_reasons() {
    let (code, r) = json(&mut example("check"));
    assert_eq!(code, 1);
    assert_eq!(r["verdict"], "block");
    assert_eq!(r["product"], "payments-api");
    assert_eq!(r["evaluated_at"], "2026-11-23T00:00:00Z");
    assert_eq!(r["summary"]["findings"], 10);
    assert_eq!(r["summary"]["by_status"]["blocked"], 7);
    assert_eq!(r["summary"]["by_status"]["accepted"], 3);
    assert_eq!(r["summary"]["blocked_by_team"]["platform"], 3);
    assert_eq!(r["summary"]["blocked_by_team"]["payments-dev"], 4);

    let jq = finding(&r, "CVE-2019-11358", "jquery");
    assert_eq!(jq["status"], "accepted");
    assert_eq!(jq["acceptance"], "ACC-0001");
    assert_eq!(jq["owner"]["team"], "payments-dev");
    assert_eq!(jq["owner"]["layer"], Value::Null);

    let ssl = finding(&r, "CVE-2019-1549", "libssl1.1");
    assert_eq!(
        (ssl["status"].as_str(), ssl["acceptance"].as_str()),
        (Some("accepted"), Some("ACC-0003"))
    );
    assert_eq!(ssl["owner"]["team"], "platform");
    assert_eq!(ssl["owner"]["layer"], "os-packages");

    let self_approved = finding(&r, "CVE-2019-1551", "libssl1.1");
    assert_eq!(self_approved["status"], "blocked");
    assert_eq!(self_approved["required_approver"], "risk_owner");
    let unblock = self_approved["unblock"].as_str().unwrap();
    assert!(unblock.starts_with("riskgate accept CVE-2019-1551 --product payments-api --package libssl1.1 --days 90 --by \"<pat@acme.example or quinn@acme.example>\" --approver dana@acme.example"), "{unblock}");

    // the internet-facing product raises high to critical, which ACC-0007 was not approved for
    let uri = finding(&r, "CVE-2023-28755", "uri");
    assert_eq!(uri["risk"], "critical");
    assert_eq!(uri["severity"], "high");
    assert_eq!(
        uri["risk_reasons"][1],
        "risk.rules[2] when {exposure: internet, risk: >=high} raise 1: high → critical"
    );
    assert_eq!(uri["required_approver"], "security");

    let accs = r["acceptances"].as_array().unwrap();
    let by_id = |id: &str| accs.iter().find(|a| a["id"] == id).unwrap();
    assert_eq!(by_id("ACC-0001")["covers"].as_array().unwrap().len(), 1);
    assert_eq!(by_id("ACC-0001")["line"], 9);
    assert!(by_id("ACC-0004")["expiring_soon"].as_bool().unwrap());
    let problems = |id: &str| {
        by_id(id)["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(problems("ACC-0005").iter().any(|p| p.contains(
        "approved_by pat@acme.example is the requester, and nobody approves their own request"
    )));
    assert!(problems("ACC-0006")
        .iter()
        .any(|p| p.contains("lasts 212 days, longer than max_days 90")));
    assert!(problems("ACC-0007")
        .iter()
        .any(|p| p.contains("recorded at risk high, but the risk is now critical")));
    assert!(problems("ACC-0008")
        .iter()
        .any(|p| p == "expired on 2026-11-01"));
    assert!(problems("ACC-0009")
        .iter()
        .any(|p| p.contains("approved_by bob@acme.example does not hold the role risk_owner")));
    assert!(problems("ACC-0010")
        .iter()
        .any(|p| p == "level critical requires sam@acme.example's signature: it is not signed"));
    assert!(problems("ACC-0012")
        .iter()
        .any(|p| p.contains("not among this run's findings")));
    assert!(problems("ACC-0013")
        .iter()
        .any(|p| p == "not valid before 2026-12-01"));
}

#[test]
fn human_and_json_reports_snapshot() {
    let r = run(&mut example("check"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r
        .stdout
        .starts_with("BLOCK payments-api: 7 of 10 findings block the deploy\n"));
    insta::assert_snapshot!("example_human", r.stdout);
    let r = run(example("check").args(["--format", "json"]));
    insta::assert_snapshot!("example_json", r.stdout);
}

/// Every other output format on the example, whole: a change to any writer shows as a diff.
/// (SARIF, JUnit and Code Quality are also validated against their schemas in `.ci/run`.)
#[test]
fn every_output_format_snapshot() {
    for format in ["sarif", "junit", "codequality", "markdown", "github"] {
        let r = example("check").args(["--format", format]).run().exits(1);
        insta::assert_snapshot!(format!("example_{format}"), r.stdout);
    }
}

#[test]
fn reports_are_identical_across_runs_and_input_order() {
    let a = run(example("check").args(["--format", "json"])).stdout;
    let b = run(example("check").args(["--format", "json"])).stdout;
    assert_eq!(a, b);
    let mut c = riskgate();
    c.current_dir(root()).args([
        "check",
        "--now",
        "2026-11-23",
        "--acceptances",
        "examples/acceptances.yaml",
        "--product",
        "payments-api",
        "--policy",
        "examples/policy",
        "--format",
        "json",
    ]);
    for r in REPORTS.iter().rev() {
        c.args(["--report", r]);
    }
    let reversed = run(&mut c).stdout;
    // `inputs` and the suggested `riskgate accept` commands list the reports in the order given;
    // everything decided is the same
    let strip = |s: &str| {
        let mut v: Value = serde_json::from_str(s).unwrap();
        v["inputs"] = Value::Null;
        for f in v["findings"].as_array_mut().unwrap() {
            f["unblock"] = Value::Null;
        }
        v.to_string()
    };
    assert_eq!(strip(&a), strip(&reversed));
}

#[test]
fn several_formats_in_one_run() {
    let dir = tmp("formats");
    let out = dir.join("report.json");
    let r = run(example("check")
        .args([
            "--format", "human", "--output", "-", "--format", "json", "--output",
        ])
        .arg(&out));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.starts_with("BLOCK payments-api"), "{}", r.stdout);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["verdict"], "block");
    let r = run(example("check").args(["--format", "json", "--format", "human"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("only one --format can go to standard output"),
        "{}",
        r.stderr
    );
}

#[test]
fn explain_shows_owner_risk_and_every_acceptance_tried() {
    let r = run(example("explain").arg("cve-2019-1551"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = &r.stdout;
    assert!(
        out.contains("CVE-2019-1551 in libssl1.1 1.1.1c-r0"),
        "{out}"
    );
    assert!(
        out.contains("owner           platform (layer rule `os-packages` matched)"),
        "{out}"
    );
    assert!(
        out.contains("ACC-0005 (examples/acceptances.yaml:63): does not cover it"),
        "{out}"
    );
    assert!(
        out.contains("- approved_by pat@acme.example is the requester, and nobody approves their own request"),
        "{out}"
    );
    assert!(
        out.contains("for at most 90 days (until 2027-02-21 if accepted today)"),
        "{out}"
    );
    insta::assert_snapshot!("explain_cve_2019_1551", out);

    let r = run(example("explain").arg("CVE-2000-0001"));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("CVE-2000-0001 is not among the findings of the given reports"),
        "{}",
        r.stderr
    );
}

#[test]
fn acceptances_listing() {
    let base = |extra: &[&str]| {
        let mut c = riskgate();
        c.current_dir(root()).args([
            "acceptances",
            "--policy",
            "examples/policy",
            "--acceptances",
            "examples/acceptances.yaml",
            "--now",
            "2026-11-23",
        ]);
        c.args(extra);
        run(&mut c)
    };
    let r = base(&["--expiring", "14", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let ids: Vec<&str> = v["acceptances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["ACC-0004", "ACC-0012", "ACC-0011", "ACC-0010", "ACC-0007"]
    );
    assert!(v["acceptances"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["state"] == "expiring"));
    let r = base(&[]);
    assert!(r.stdout.contains("ACC-0008  expired"), "{}", r.stdout);
    assert!(r.stdout.contains("ACC-0013  not_yet_valid"), "{}", r.stdout);
    assert!(r.stdout.contains("13 acceptance(s)"), "{}", r.stdout);
}

#[test]
fn schemas_are_json_schemas_that_forbid_unknown_keys() {
    for (file, title) in [
        ("ownership", "Ownership"),
        ("guardrails", "Guardrails"),
        ("acceptances", "AcceptancesFile"),
        ("report", "riskgate report"),
    ] {
        let r = riskgate().args(["schema", file]).run();
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["title"], title);
        assert!(v["$schema"].as_str().unwrap().contains("json-schema.org"));
        if file != "report" {
            assert_eq!(
                v["additionalProperties"], false,
                "{file}: unknown keys must be refused"
            );
        }
    }
    let r = riskgate().args(["schema", "acceptances"]).run();
    assert!(
        r.stdout.contains("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        "dates carry their pattern"
    );
}

#[test]
fn product_comes_from_the_ci_repository() {
    let mut c2 = riskgate();
    c2.current_dir(root()).args([
        "check",
        "--policy",
        "examples/policy",
        "--now",
        "2026-11-23",
    ]);
    c2.args(["--report", REPORTS[0]])
        .env("GITHUB_REPOSITORY", "acme/payments-api");
    let (code, v) = json(&mut c2);
    assert_eq!(v["product"], "payments-api");
    assert_eq!(
        code, 1,
        "no acceptances given: jquery medium needs the risk owner"
    );
    let mut c3 = riskgate();
    c3.current_dir(root()).args([
        "check",
        "--policy",
        "examples/policy",
        "--now",
        "2026-11-23",
    ]);
    c3.args(["--report", REPORTS[0]])
        .env("CI_PROJECT_PATH", "acme/unknown");
    let r = run(&mut c3);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("no product's `repos` match acme/unknown or gitlab.com/acme/unknown"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("pass --product NAME (known: checkout-web, ledger-batch, payments-api)"),
        "{}",
        r.stderr
    );
}

#[test]
fn exposure_changes_the_decision() {
    // the same report for an internal product: high stays high (no internet raise)
    let mut c = riskgate();
    c.current_dir(root()).args([
        "check",
        "--policy",
        "examples/policy",
        "--product",
        "checkout-web",
        "--now",
        "2026-11-23",
    ]);
    c.args(["--report", "examples/reports/grype-ruby.json"]);
    let (code, v) = json(&mut c);
    assert_eq!(code, 1);
    assert_eq!(finding(&v, "CVE-2023-28755", "uri")["risk"], "high");
    assert_eq!(
        finding(&v, "CVE-2023-28755", "uri")["required_approver"],
        "risk_owner"
    );
    assert_eq!(
        finding(&v, "CVE-2023-28755", "uri")["owner"]["team"],
        "checkout-dev"
    );
}

#[test]
fn vex_documents_suppress_with_their_justification() {
    // The example's VEX, signed by appsec's key (vex.trusted): suppresses.
    let mut c = crate::common::example_check(&["examples/reports/trivy-npm.json"]);
    c.args(["--vex", "examples/vex/jquery.openvex.dsse.json"]);
    let (_, v) = json(&mut c);
    let f = finding(&v, "CVE-2019-11358", "jquery");
    assert_eq!(f["status"], "suppressed");
    assert_eq!(
        f["suppressed_by"]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(f["suppressed_by"]["status"], "not_affected");
    assert_eq!(
        f["suppressed_by"]["trusted"],
        "signed by key keys/vex.pub (vex.trusted)"
    );
    // The same document unsigned, as a pull request could add it: the finding is medium, above
    // what payments-dev decides alone (medium needs the risk owner there), so it still gates.
    let mut c = crate::common::example_check(&["examples/reports/trivy-npm.json"]);
    c.args(["--vex", "examples/vex/jquery.openvex.json"]);
    let (code, v) = json(&mut c);
    assert_eq!(code, 1);
    let f = finding(&v, "CVE-2019-11358", "jquery");
    assert_eq!(f["status"], "blocked");
    assert!(f["reasons"][0]
        .as_str()
        .unwrap()
        .contains("not trusted for medium: unsigned statements suppress up to low (vex.unsigned); needs a statement signed by key keys/vex.pub"));
}

#[test]
fn kev_entry_raises_the_risk_and_stops_an_old_acceptance() {
    // What happens when CISA adds jQuery's CVE to KEV: the real catalog plus one entry.
    let dir = tmp("kev");
    let mut kev: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("kev/known_exploited_vulnerabilities.json")).unwrap(),
    )
    .unwrap();
    kev["vulnerabilities"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "cveID": "CVE-2019-11358", "vendorProject": "jQuery", "product": "jQuery",
            "vulnerabilityName": "jQuery Prototype Pollution", "dateAdded": "2026-11-22",
            "knownRansomwareCampaignUse": "Unknown"
        }));
    let kev_path = dir.join("kev.json");
    std::fs::write(&kev_path, kev.to_string()).unwrap();
    let (code, v) = json(example("check").arg("--kev").arg(&kev_path));
    assert_eq!(code, 1);
    let jq = finding(&v, "CVE-2019-11358", "jquery");
    assert_eq!(jq["kev"], true);
    assert_eq!(jq["risk"], "critical");
    assert_eq!(jq["status"], "blocked");
    assert!(jq["never_accept"]
        .as_str()
        .unwrap()
        .starts_with("never_accept[0]"));
    assert_eq!(
        jq["unblock"],
        Value::Null,
        "never_accept cannot be unblocked by an acceptance"
    );
}

#[test]
fn sla_state_is_written_and_read() {
    let dir = tmp("state");
    let state = dir.join("state.json");
    let r = run(example("check").arg("--state").arg(&state));
    assert_eq!(
        r.code, 2,
        "a missing state file without --update-state is an error"
    );
    let r = run(example("check")
        .arg("--state")
        .arg(&state)
        .arg("--update-state"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(s["version"], 1);
    assert_eq!(s["first_seen"].as_object().unwrap().len(), 10);
    assert!(s["first_seen"]
        .as_object()
        .unwrap()
        .values()
        .all(|d| d == "2026-11-23"));
    let (_, v) = json(example("check").arg("--state").arg(&state));
    let f = finding(&v, "CVE-2019-1551", "libssl1.1");
    assert_eq!(
        (f["first_seen"].as_str(), f["due"].as_str()),
        (Some("2026-11-23"), Some("2027-02-21"))
    );
    assert_eq!(f["overdue"], false);
    // 100 days later it is past its 90-day SLA
    let (code, v) = json(example_at("check", "2027-03-03").arg("--state").arg(&state));
    assert_eq!(code, 1);
    let f = finding(&v, "CVE-2019-1551", "libssl1.1");
    assert_eq!(f["overdue"], true);
    assert!(
        f["reasons"].as_array().unwrap().iter().any(|r| r
            .as_str()
            .unwrap()
            .starts_with("past its SLA: due 2027-02-21")),
        "{f}"
    );
    std::fs::write(
        &state,
        "{\"version\": 1, \"first_seen\": {\"x\": \"soon\"}}",
    )
    .unwrap();
    let r = run(example("check").arg("--state").arg(&state));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`soon` is not a date"), "{}", r.stderr);
}

#[test]
fn builtin_policy_without_a_register_blocks_serious_unowned_findings() {
    let dir = tmp("builtin");
    let mut c = riskgate();
    c.current_dir(&dir)
        .args(["check", "--now", "2026-11-23", "--report"]);
    c.arg(root().join("examples/reports/trivy-secrets.json"));
    c.arg("--report")
        .arg(root().join("examples/reports/trivy-npm.json"));
    // the human report says first that no .riskgate/ was found, and what to do
    let human = run(&mut c);
    let first = human.stdout.lines().next().unwrap_or("");
    assert!(
        first.starts_with("note: no .riskgate/ here")
            && first.contains("riskgate init --product NAME"),
        "{first}"
    );
    // other formats say it on standard error
    let r = run(c.args(["--format", "json"]));
    assert!(r.stderr.starts_with("note: no .riskgate/"), "{}", r.stderr);
    let (code, v): (i32, Value) = (r.code, serde_json::from_str(&r.stdout).expect("json"));
    assert_eq!(code, 1);
    assert_eq!(v["policy"], "builtin:policies/default");
    assert_eq!(v["product"], Value::Null);
    let secret = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "aws-access-key-id")
        .unwrap();
    assert_eq!(secret["status"], "blocked");
    assert_eq!(secret["owner"]["team"], Value::Null);
    assert!(secret["reasons"].as_array().unwrap().iter().any(|r| r
        .as_str()
        .unwrap()
        .contains("unowned (no product in the ownership register for this run)")));
    assert_eq!(
        finding(&v, "CVE-2019-11358", "jquery")["status"],
        "warned",
        "medium warns by default"
    );
}

#[test]
fn bad_inputs_fail_closed_with_exit_2() {
    let dir = tmp("bad");
    let truncated = dir.join("trivy-truncated.json");
    let text = std::fs::read_to_string(root().join(REPORTS[0])).unwrap();
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--product".into(), "paymets-api".into()],
            "did you mean `payments-api`?",
        ),
        (
            vec!["--product".into(), "payments-api".into()],
            "nothing to check: no --report, --image or --artifact given",
        ),
        (
            vec!["--now".into(), "yesterday".into()],
            "--now \"yesterday\" is not a date",
        ),
        (
            vec!["--report".into(), truncated.display().to_string()],
            "trivy-truncated.json",
        ),
        (
            vec![
                "--acceptances".into(),
                "examples/invalid/acceptances.yaml".into(),
            ],
            "examples/invalid/acceptances.yaml:",
        ),
        (vec!["--kev".into(), REPORTS[0].into()], "--kev"),
        (
            vec!["--vex".into(), REPORTS[0].into()],
            "--vex expects a VEX document",
        ),
    ];
    for (extra, want) in cases {
        // the example's inputs, with the case's flag in place of the example's own
        let mut c = riskgate();
        c.current_dir(root())
            .args(["check", "--policy", "examples/policy"]);
        let flag = extra[0].as_str();
        for (f, v) in [
            ("--product", "payments-api"),
            ("--now", "2026-11-23"),
            ("--acceptances", "examples/acceptances.yaml"),
        ] {
            if f != flag {
                c.args([f, v]);
            }
        }
        if !(flag == "--product" && extra[1] == "payments-api") {
            c.args(["--report", REPORTS[0]]);
        }
        c.args(&extra);
        let r = run(&mut c);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert!(
            r.stdout.is_empty(),
            "{extra:?}: nothing decided, nothing printed"
        );
        assert!(
            r.stderr.contains(want),
            "{extra:?}: want {want:?} in\n{}",
            r.stderr
        );
    }
    // a scan that says it failed is not a clean scan
    let failed = dir.join("gl-failed.json");
    let mut gl: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("gitlab/trivy-npm.gitlab.json")).unwrap(),
    )
    .unwrap();
    gl["scan"]["status"] = "failure".into();
    std::fs::write(&failed, gl.to_string()).unwrap();
    let r = run(example("check").arg("--report").arg(&failed));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("the scanner reports that its scan failed"),
        "{}",
        r.stderr
    );
}

/// A SARIF run whose `results` are null or absent did not produce results (SARIF 2.1.0
/// §3.14.23), and a run with an error notification did not run as it should: both are failed
/// scans (exit 2, with why), never a clean one. An empty `results` array is a clean scan.
#[test]
fn sarif_runs_without_results_or_with_errors_are_failed_scans() {
    let dir = tmp("sarif-failed");
    let run_with = |name: &str, sarif_run: &str| {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!(r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"semgrep"}}}}{sarif_run}}}]}}"#),
        )
        .expect("write");
        riskgate()
            .current_dir(root())
            .args([
                "check",
                "--policy",
                "examples/policy",
                "--product",
                "payments-api",
            ])
            .args(["--now", "2026-11-23", "--report"])
            .arg(&path)
            .run()
    };
    let r = run_with("null.sarif", r#","results":null"#);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("has no `results`"), "{}", r.stderr);
    let r = run_with("absent.sarif", "");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("has no `results`"), "{}", r.stderr);
    let r = run_with(
        "error.sarif",
        r#","results":[],"invocations":[{"executionSuccessful":true,"toolExecutionNotifications":[{"level":"error","message":{"text":"out of memory"}}]}]"#,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("out of memory"), "{}", r.stderr);
    let r = run_with(
        "clean.sarif",
        r#","results":[],"invocations":[{"executionSuccessful":true,"toolExecutionNotifications":[{"level":"warning","message":{"text":"slow"}}]}]"#,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// A Trivy report of `n` real entries (`examples/reports/trivy-image.json`'s, repeated with fresh
/// ids), acceptances for one in fifty, and its `check` under the example policy.
fn many_findings(dir: &std::path::Path, n: usize) -> Command {
    let mut doc: Value = serde_json::from_slice(
        &std::fs::read(root().join("examples/reports/trivy-image.json")).unwrap(),
    )
    .unwrap();
    let results = doc["Results"].as_array_mut().unwrap();
    let entries: Vec<Value> = results
        .iter()
        .flat_map(|r| r["Vulnerabilities"].as_array().cloned().unwrap_or_default())
        .collect();
    assert!(!entries.is_empty());
    let mut yaml = String::from("version: 1\nacceptances:\n");
    let vulns: Vec<Value> = (0..n)
        .map(|i| {
            let mut v = entries[i % entries.len()].clone();
            let id = format!("CVE-2099-{:06}", i + 100_000);
            v["VulnerabilityID"] = Value::String(id.clone());
            if i % 50 == 0 {
                yaml.push_str(&format!(
                    "  - id: ACC-{i:06}\n    finding: {id}\n    product: payments-api\n    risk: medium\n    \
                     reason: Reviewed.\n    requested_by: alice@acme.example\n    \
                     created: 2026-11-01\n    expires: 2027-01-15\n"
                ));
            }
            v
        })
        .collect();
    results.truncate(1);
    results[0]["Vulnerabilities"] = Value::Array(vulns);
    let report = dir.join("trivy.json");
    std::fs::write(&report, serde_json::to_vec(&doc).unwrap()).unwrap();
    let accs = dir.join("acceptances.yaml");
    std::fs::write(&accs, yaml).unwrap();
    let mut c = riskgate();
    c.current_dir(root())
        .args([
            "check",
            "--policy",
            "examples/policy",
            "--product",
            "payments-api",
        ])
        .args(["--now", "2026-11-23"])
        .arg("--acceptances")
        .arg(&accs)
        .arg("--report")
        .arg(&report);
    c
}

/// Reports are read beside the policy, findings decided and json reports rendered on several
/// threads, in parts joined in order: every format is byte for byte the same on one thread and
/// on several, for more findings than one part holds.
#[test]
fn reports_are_the_same_on_one_thread_and_on_several() {
    let dir = scratch("threads");
    let n = 5_000;
    for format in ["json", "sarif", "junit", "human"] {
        let on = |threads: &str| {
            let r = many_findings(&dir, n)
                .args(["--format", format, "--threads", threads])
                .run();
            assert!(
                matches!(r.code, 0 | 1),
                "{format} on {threads}: {}",
                r.stderr
            );
            r.stdout
        };
        let one = on("1");
        for threads in ["2", "3", "4"] {
            assert!(
                one == on(threads),
                "{format}: one thread and {threads} differ"
            );
        }
        if format == "json" {
            let v: Value = serde_json::from_str(&one).unwrap();
            let findings = v["findings"].as_array().unwrap();
            assert_eq!(findings.len(), n);
            assert_eq!(v["summary"]["findings"], n);
            // each acceptance was matched against the findings of every part
            let accs = v["acceptances"].as_array().unwrap();
            assert_eq!(accs.len(), n / 50);
            assert!(accs
                .iter()
                .all(|a| a["problems"].as_array().is_some_and(|p| !p.is_empty())));
        }
    }
}
