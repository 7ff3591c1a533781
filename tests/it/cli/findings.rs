//! `riskgate findings` as a user runs it, and every bad input failing closed with exit 2.

use crate::common::*;
use std::fs;

fn tmp(name: &str, content: &[u8]) -> ScratchFile {
    scratch_file(name, content)
}

#[test]
fn table_and_json_from_several_real_reports() {
    let r = riskgate()
        .args(["findings", "--report"])
        .arg(fixture("trivy/alpine-310.json"))
        .arg("--report")
        .arg(fixture("grype/chainguard-ruby-test.json"))
        .arg("--report")
        .arg(fixture("trivy/secrets.json"))
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("SEVERITY  ID"), "{}", r.stdout);
    assert!(
        lines[1].starts_with("critical  aws-access-key-id"),
        "most severe first: {}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("8 findings: 1 critical, 3 high, 4 medium"),
        "{}",
        r.stdout
    );

    let r = riskgate()
        .args(["findings", "--format", "json", "--report"])
        .arg(fixture("gitlab/trivy-alpine-310.gitlab.json"))
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let fs = v["findings"].as_array().unwrap();
    assert_eq!(fs.len(), 4);
    assert_eq!(fs[0]["id"], "CVE-2019-1549");
    assert_eq!(fs[0]["package"]["class"], "os");
    assert_eq!(fs[0]["fingerprint"].as_str().unwrap().len(), 32);
}

#[test]
fn json_output_is_deterministic_and_independent_of_report_order() {
    let a = fixture("trivy/alpine-310.json");
    let b = fixture("grype/keycloak-test.json");
    let c = fixture("sarif/trivy-alpine-310.sarif");
    let one = riskgate()
        .args(["findings", "--format", "json", "--report"])
        .arg(&a)
        .arg("--report")
        .arg(&b)
        .arg("--report")
        .arg(&c)
        .run();
    let two = riskgate()
        .args(["findings", "--format", "json", "--report"])
        .arg(&c)
        .arg("--report")
        .arg(&b)
        .arg("--report")
        .arg(&a)
        .run();
    assert_eq!(one.code, 0);
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn a_valid_empty_report_is_no_findings_and_exit_0() {
    let r = riskgate()
        .args(["findings", "--format", "json", "--report"])
        .arg(fixture("grype/TestEmptyJsonPresenter.json"))
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "{\n  \"findings\": []\n}");
}

fn fails(path: &std::path::Path, expect: &[&str]) {
    let r = riskgate().args(["findings", "--report"]).arg(path).run();
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stdout.is_empty(),
        "nothing on stdout on failure: {}",
        r.stdout
    );
    for e in expect {
        assert!(r.stderr.contains(e), "expected {e:?} in:\n{}", r.stderr);
    }
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn bad_inputs_fail_closed_with_pointed_errors() {
    let full = fs::read(fixture("trivy/alpine-310.json")).unwrap();
    fails(
        &tmp("truncated.json", &full[..full.len() / 2]),
        &["truncated Trivy JSON", "line"],
    );
    fails(
        &tmp(
            "malformed.json",
            br#"{"SchemaVersion": 2, "Results": [ {"Target": "x",, } ]}"#,
        ),
        &["malformed Trivy JSON", "line 1 column"],
    );
    fails(
        &tmp("wrongtype.json", br#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": 42}]}]}"#),
        &["does not have the expected shape", "invalid type: integer `42`, expected a string", "line 1 column"],
    );
    fails(&tmp("empty.json", b""), &["is empty", "Re-run the scanner"]);
    fails(&tmp("blank.json", b"  \n\n"), &["is empty"]);
    fails(
        &tmp("unknown.json", br#"{"hello": "world"}"#),
        &[
            "unrecognised input format",
            "Trivy JSON",
            "SARIF 2.1.0",
            "OSV-Scanner",
        ],
    );
    fails(
        &tmp("array.json", b"[1, 2, 3]"),
        &["unrecognised input format"],
    );
    fails(
        &tmp("notjson.txt", b"this is not json"),
        &["malformed JSON", "line 1 column 2"],
    );
    fails(
        &tmp("sarif1.sarif", br#"{"version": "1.0.0", "runs": []}"#),
        &["SARIF version", "2.1.0"],
    );
    fails(
        &tmp("trivy1.json", br#"{"SchemaVersion": 1, "Results": []}"#),
        &["SchemaVersion", "not supported"],
    );
    // keys sorted, SchemaVersion left out: known as Trivy by its artifact, and refused
    fails(
        &tmp(
            "trivy-no-version.json",
            br#"{"ArtifactName": "x", "ArtifactType": "filesystem", "Results": []}"#,
        ),
        &["SchemaVersion None is not supported"],
    );
    fails(&scratch("a-directory"), &["is a directory"]);
    fails(
        std::path::Path::new("/nonexistent/report.json"),
        &["cannot read /nonexistent/report.json"],
    );
    // what npm audit really prints when the registry refuses the audit: not a clean audit
    fails(
        &data("npm-audit-error-405.json"),
        &["unrecognised input format"],
    );
    // CISA KEV given as a report
    fails(
        &fixture("kev/known_exploited_vulnerabilities.json"),
        &["--kev"],
    );
}

#[test]
fn every_bad_report_is_reported_not_only_the_first() {
    let (e1, e2) = (tmp("e1.json", b""), tmp("e2.json", b"{\"x\": 1}"));
    let r = riskgate()
        .args(["findings", "--report"])
        .arg(&*e1)
        .arg("--report")
        .arg(fixture("trivy/npm.json"))
        .arg("--report")
        .arg(&*e2)
        .run();
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("e1.json is empty") && r.stderr.contains("e2.json: unrecognised"),
        "{}",
        r.stderr
    );
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_eq!(riskgate().args(["findings"]).run().code, 2);
    assert_eq!(
        riskgate()
            .args(["findings", "--report", "x", "--format", "yaml"])
            .run()
            .code,
        2
    );
    assert_eq!(riskgate().args(["--help"]).run().code, 0);
}
