//! The reports CI platforms show (sarif, junit, codequality, markdown, github), the step summary,
//! pull-request mode (`--baseline` with `pull_requests.gate: new_only`), and the GitHub Action's
//! shell step run locally with the GitHub environment variables. Schema validation of the SARIF
//! output against tests/fixtures/schemas/sarif-2.1.0.json and XML parsing of the JUnit output run in
//! .ci/run (check-jsonschema, Python's XML parser).

use crate::common::{riskgate, root, run, scratch, Run, Scratch};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const REPORTS: &[&str] = crate::common::EXAMPLE_REPORTS;

fn example(reports: &[&str]) -> Command {
    let mut c = crate::common::example_check(reports);
    c.args(["--acceptances", "examples/acceptances.yaml"]);
    c
}

fn tmp(name: &str) -> Scratch {
    scratch(&format!("ci-{name}"))
}

fn out(format: &str) -> Run {
    let r = run(example(REPORTS).args(["--format", format]));
    assert_eq!(r.code, 1, "{format}: {}", r.stderr);
    r
}

fn json_report() -> Value {
    serde_json::from_str(&out("json").stdout).expect("json")
}

#[test]
fn sarif_has_one_result_per_unsuppressed_finding_with_stable_fingerprints() {
    let report = json_report();
    let sarif: Value = serde_json::from_str(&out("sarif").stdout).expect("sarif");
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    let results = run0["results"].as_array().expect("results");
    let findings = report["findings"].as_array().expect("findings");
    let unsuppressed: Vec<&Value> = findings
        .iter()
        .filter(|f| f["status"] != "suppressed")
        .collect();
    // Findings first, then the run checks that did not pass (the example's two unused
    // acceptances, warned).
    let rules: Vec<&Value> = report["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter(|r| r["status"] != "passed")
        .collect();
    assert_eq!(rules.len(), 2);
    assert_eq!(results.len(), unsuppressed.len() + rules.len());
    for (r, rule) in results[unsuppressed.len()..].iter().zip(&rules) {
        assert_eq!(
            r["ruleId"],
            format!("riskgate/{}", rule["rule"].as_str().expect("rule"))
        );
        assert_eq!(r["level"], "warning");
    }
    // The run's warnings (acceptances expiring soon...) are tool notifications.
    let notes = run0["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(notes.iter().any(|n| n["message"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("acceptance ACC-0004 expires on 2026-12-01"))));
    for (r, f) in results.iter().zip(&unsuppressed) {
        assert_eq!(r["ruleId"], f["id"]);
        assert_eq!(
            r["partialFingerprints"]["riskgateFingerprint/v1"],
            f["fingerprint"]
        );
        let want = match f["status"].as_str() {
            Some("blocked") => "error",
            Some("warned") => "warning",
            Some("accepted") => "note",
            _ => "none",
        };
        assert_eq!(r["level"], want, "{}", f["id"]);
        let rule =
            &run0["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().expect("index") as usize];
        assert_eq!(rule["id"], f["id"]);
        let sev: f64 = rule["properties"]["security-severity"]
            .as_str()
            .expect("security-severity")
            .parse()
            .expect("number");
        match f["risk"].as_str() {
            Some("critical") => assert!(sev >= 9.0),
            Some("high") => assert!((7.0..9.0).contains(&sev)),
            Some("medium") => assert!((4.0..7.0).contains(&sev)),
            _ => assert!(sev < 4.0),
        }
        assert!(rule["help"]["text"]
            .as_str()
            .expect("help")
            .contains("Owner: "));
    }
    // The secret in deploy.sh line 3 is located there.
    let secret = results
        .iter()
        .find(|r| r["ruleId"] == "aws-access-key-id")
        .expect("secret");
    let loc = &secret["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "deploy.sh");
    assert_eq!(loc["region"]["startLine"], 3);
    assert!(secret["message"]["text"]
        .as_str()
        .expect("text")
        .contains("Unblock: riskgate accept aws-access-key-id"));
    // The same findings in another report order give the same fingerprints.
    let mut rev: Vec<&str> = REPORTS.to_vec();
    rev.reverse();
    let again: Value = serde_json::from_str(&run(example(&rev).args(["--format", "sarif"])).stdout)
        .expect("sarif");
    let fps = |s: &Value| -> Vec<String> {
        let mut v: Vec<String> = s["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["partialFingerprints"].to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(fps(&sarif), fps(&again));
}

#[test]
fn junit_codequality_and_github_annotations() {
    let report = json_report();
    let count = |s: &str| -> usize {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["status"] == s)
            .count()
    };
    let junit = out("junit").stdout;
    let cases = junit.matches("<testcase ").count();
    let failures = junit.matches("<failure ").count();
    let rules = report["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter(|r| r["status"] != "passed")
        .count();
    assert_eq!(
        cases,
        report["findings"].as_array().expect("f").len() + rules
    );
    assert_eq!(failures, count("blocked"));
    assert!(junit.contains(&format!(r#"tests="{cases}" failures="{failures}""#)));
    assert!(
        junit.contains("&lt;alice@acme.example or bob@acme.example&gt;"),
        "escaped"
    );

    let cq: Value = serde_json::from_str(&out("codequality").stdout).expect("json");
    let issues = cq.as_array().expect("array");
    assert_eq!(
        issues.len(),
        count("blocked") + count("warned") + count("accepted") + rules
    );
    let mut fps = std::collections::HashSet::new();
    for i in issues {
        for field in ["description", "check_name", "fingerprint", "severity"] {
            assert!(
                i[field].as_str().is_some_and(|s| !s.is_empty()),
                "{field}: {i}"
            );
        }
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&i["severity"].as_str().expect("severity")));
        assert!(i["location"]["path"].as_str().is_some());
        assert!(i["location"]["lines"]["begin"]
            .as_u64()
            .is_some_and(|l| l >= 1));
        assert!(
            fps.insert(i["fingerprint"].to_string()),
            "fingerprints are unique"
        );
    }

    let gh = out("github").stdout;
    let errors: Vec<&str> = gh.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), count("blocked"));
    assert!(gh
        .lines()
        .all(|l| l.starts_with("::error ") || l.starts_with("::warning ")));
    assert!(
        errors.iter().any(|l| l.starts_with(
            "::error file=deploy.sh,line=3,title=riskgate%3A aws-access-key-id blocked::"
        )),
        "{gh}"
    );
    assert!(errors
        .iter()
        .any(|l| l.starts_with("::error file=Helpers/InvoiceHelper.cs,line=57,")));
    // No raw newline can end an annotation early.
    assert!(gh.lines().all(|l| l.contains("::")));
}

#[test]
fn several_outputs_in_one_run_and_the_step_summary_is_appended() {
    let d = tmp("outputs");
    let summary = d.join("summary.md");
    std::fs::write(&summary, "previous step\n").expect("write");
    let mut c = example(REPORTS);
    c.env("GITHUB_STEP_SUMMARY", &summary);
    for (f, name) in [
        ("sarif", "r.sarif"),
        ("junit", "r.xml"),
        ("codequality", "cq.json"),
        ("markdown", "r.md"),
    ] {
        c.args(["--format", f, "--output"]).arg(d.join(name));
    }
    c.args(["--format", "human"]);
    let r = run(&mut c);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("BLOCK payments-api: 7 of 10 findings"),
        "{}",
        r.stdout
    );
    for name in ["r.sarif", "r.xml", "cq.json", "r.md"] {
        assert!(
            std::fs::metadata(d.join(name)).expect(name).len() > 100,
            "{name}"
        );
    }
    let s = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        s.starts_with("previous step\n### riskgate: BLOCK payments-api\n"),
        "{s}"
    );
    assert!(
        s.contains(
            "| `CVE-2019-1551` in `libssl1.1@1.1.1c-r0` | medium | platform (layer os-packages) |"
        ),
        "{s}"
    );
    assert!(s.contains("- `ACC-0004` (`CVE-2019-1549`) expires on 2026-12-01 — in 8 days"));
    assert_eq!(s.matches("### riskgate").count(), 1);
    assert_eq!(
        std::fs::read_to_string(d.join("r.md")).expect("md"),
        s["previous step\n".len()..]
    );
}

/// examples/policy with `pull_requests: { gate: ... }` appended.
fn pr_policy(d: &Path, gate: &str) -> PathBuf {
    let p = crate::common::copy_policy(&d.join(format!("policy-{gate}")));
    let g = std::fs::read_to_string(p.join("guardrails.yaml")).expect("read");
    std::fs::write(
        p.join("guardrails.yaml"),
        format!("{g}pull_requests: {{ gate: {gate} }}\n"),
    )
    .expect("write");
    p
}

fn pr_run(policy: &Path, reports: &[&str], baseline: &Path) -> (i32, Value) {
    let mut c = riskgate();
    c.current_dir(root())
        .args([
            "check",
            "--product",
            "payments-api",
            "--acceptances",
            "examples/acceptances.yaml",
        ])
        .args(["--now", "2026-11-23", "--format", "json", "--policy"])
        .arg(policy)
        .arg("--baseline")
        .arg(baseline);
    for r in reports {
        c.args(["--report", r]);
    }
    let r = run(&mut c);
    (
        r.code,
        serde_json::from_str(&r.stdout).unwrap_or(Value::Null),
    )
}

#[test]
fn pull_requests_new_only_blocks_only_what_the_target_branch_does_not_have() {
    let d = tmp("baseline");
    // The target branch: the same scans without the SAST report (a riskgate json report).
    let target = run(example(&REPORTS[..4]).args(["--format", "json"]));
    assert_eq!(target.code, 1);
    let baseline = d.join("target.json");
    std::fs::write(&baseline, &target.stdout).expect("write");

    let (code, v) = pr_run(&pr_policy(&d, "new_only"), REPORTS, &baseline);
    assert_eq!(code, 1, "the new SAST finding blocks");
    let findings = v["findings"].as_array().expect("findings");
    let blocked: Vec<&str> = findings
        .iter()
        .filter(|f| f["status"] == "blocked")
        .map(|f| f["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(blocked, ["31D4607A-A3FF-447C-908A-CA2BBE4CE4B7"]);
    for f in findings {
        let new = f["id"] == "31D4607A-A3FF-447C-908A-CA2BBE4CE4B7";
        assert_eq!(f["existing"], !new, "{}", f["id"]);
    }
    let existing_blocker = findings
        .iter()
        .find(|f| f["id"] == "aws-access-key-id")
        .expect("secret");
    assert_eq!(existing_blocker["status"], "warned");
    assert!(existing_blocker["reasons"]
        .to_string()
        .contains("already on the target branch (--baseline); pull_requests.gate is new_only"));

    // Without the new finding: the PR passes, with the old blockers reported as warnings.
    let (code, _) = pr_run(&pr_policy(&d, "new_only"), &REPORTS[..4], &baseline);
    assert_eq!(code, 0);
    // The default (`all`): a baseline changes nothing but the `existing` flags.
    let (code, v) = pr_run(&pr_policy(&d, "all"), &REPORTS[..4], &baseline);
    assert_eq!(code, 1);
    assert_eq!(v["findings"][0]["existing"], true);

    // A scanner report works as a baseline too (fingerprints are computed the same way).
    let (code, v) = pr_run(
        &pr_policy(&d, "new_only"),
        &REPORTS[2..3],
        Path::new("examples/reports/trivy-secrets.json"),
    );
    assert_eq!(code, 0, "{v:#}");
    // A broken baseline is exit 2, not a pass.
    std::fs::write(d.join("broken.json"), "{\"version\": 1, \"verdict\": ").expect("write");
    let (code, _) = pr_run(&pr_policy(&d, "new_only"), REPORTS, &d.join("broken.json"));
    assert_eq!(code, 2);
}

/// The GitHub Action's run step (`ci/github-action.sh`), run as the composite action runs it:
/// inputs as INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY pointing at files.
fn action(d: &Path, fail_on_block: &str, reports: &str) -> (Run, String, String) {
    let output = d.join("github_output");
    let summary = d.join("step_summary.md");
    let _ = std::fs::remove_file(&output);
    let _ = std::fs::remove_file(&summary);
    let bin = Path::new(env!("CARGO_BIN_EXE_riskgate"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let r = run(Command::new("bash")
        .arg(root().join("ci/github-action.sh"))
        .current_dir(root())
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", d)
        .env("GITHUB_REPOSITORY", "acme/payments-api")
        .env("INPUT_POLICY", "examples/policy")
        .env("INPUT_PRODUCT", "")
        .env("INPUT_REPORTS", reports)
        .env("INPUT_ACCEPTANCES", "examples/acceptances.yaml")
        .env("INPUT_IMAGES", "")
        .env("INPUT_ARTIFACTS", "")
        .env("INPUT_KEV", "")
        .env("INPUT_EPSS", "")
        .env("INPUT_VEX", "")
        .env("INPUT_BASELINE", "")
        .env("RISKGATE_NOW", "2026-11-23")
        .env("INPUT_FAIL_ON_BLOCK", fail_on_block)
        .env("INPUT_SARIF_OUTPUT", d.join("riskgate.sarif"))
        .env("INPUT_JSON_OUTPUT", d.join("riskgate.json")));
    (
        r,
        std::fs::read_to_string(&output).unwrap_or_default(),
        std::fs::read_to_string(&summary).unwrap_or_default(),
    )
}

#[test]
fn the_github_action_step_runs_the_gate_and_sets_its_outputs() {
    let d = tmp("action");
    let all = REPORTS.join("\n");
    let (r, outputs, summary) = action(&d, "true", &all);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(outputs.contains("verdict=block\n"), "{outputs}");
    assert!(outputs.contains("blocked=7\n"), "{outputs}");
    assert!(
        outputs.contains(&format!("report={}\n", d.join("riskgate.json").display())),
        "{outputs}"
    );
    assert!(
        outputs.contains(&format!("sarif={}\n", d.join("riskgate.sarif").display())),
        "{outputs}"
    );
    assert!(
        summary.starts_with("### riskgate: BLOCK payments-api"),
        "{summary}"
    );
    assert!(
        r.stdout.contains("::error file=deploy.sh,line=3,"),
        "annotations: {}",
        r.stdout
    );
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("riskgate.sarif")).expect("sarif"))
            .expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    // fail-on-block: false reports the block but lets the job pass.
    let (r, outputs, _) = action(&d, "false", &all);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(outputs.contains("verdict=block\n"));
    // Could not decide is never softened.
    let (r, outputs, _) = action(&d, "false", "examples/reports/no-such-report.json");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(outputs.contains("verdict=error\n"), "{outputs}");
}

/// The GitLab component's job (templates/riskgate.yml, its second YAML document): its script run
/// with POSIX sh as the image runs it, with the variables GitLab interpolates from the inputs
/// (array inputs arrive as JSON).
#[test]
fn the_gitlab_component_job_script_runs_the_gate_and_writes_the_widget_reports() {
    let d = tmp("gitlab");
    let text = std::fs::read_to_string(root().join("templates/riskgate.yml")).expect("component");
    let docs: Vec<serde_json::Value> = serde_saphyr::from_str_multiple(&text).expect("yaml");
    assert_eq!(docs.len(), 2, "a component is its spec, then its jobs");
    let inputs = &docs[0]["spec"]["inputs"];
    for array in ["reports", "images", "artifacts", "vex"] {
        assert_eq!(inputs[array]["type"], "array", "{array}");
    }
    assert_eq!(inputs["fail_on_block"]["type"], "boolean");
    let job = &docs[1]["$[[ inputs.job_name ]]"];
    assert_eq!(job["image"]["name"], "$[[ inputs.image ]]");
    let script: Vec<&str> = job["script"]
        .as_array()
        .expect("script")
        .iter()
        .map(|l| l.as_str().expect("line"))
        .collect();
    assert_eq!(job["artifacts"]["reports"]["junit"], "riskgate-junit.xml");
    assert_eq!(
        job["artifacts"]["reports"]["codequality"],
        "gl-code-quality-report.json"
    );
    let bin = Path::new(env!("CARGO_BIN_EXE_riskgate"))
        .parent()
        .expect("bin")
        .to_path_buf();
    let ex = |p: &str| root().join(p).display().to_string();
    let reports: Vec<String> = REPORTS.iter().map(|r| ex(r)).collect();
    let mut c = Command::new("sh");
    c.args(["-c", &script.join("\n")]).current_dir(&d);
    for v in [
        "RISKGATE_KEV",
        "RISKGATE_EPSS",
        "RISKGATE_BASELINE",
        "RISKGATE_POLICY_KEY",
        "RISKGATE_ATTEST",
        "RISKGATE_ATTEST_KEY",
        "RISKGATE_ATTEST_PREDICATE",
    ] {
        c.env(v, "");
    }
    c.env("RISKGATE_ATTACH", "false");
    for v in ["RISKGATE_IMAGES", "RISKGATE_ARTIFACTS", "RISKGATE_VEX"] {
        c.env(v, "[]");
    }
    c.env("CI_PROJECT_DIR", &d)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("CI_PROJECT_PATH", "acme/payments-api")
        .env("RISKGATE_PRODUCT", "payments-api")
        .env("RISKGATE_POLICY", ex("examples/policy"))
        .env("RISKGATE_ACCEPTANCES", ex("examples/acceptances.yaml"))
        .env(
            "RISKGATE_REPORTS",
            serde_json::to_string(&reports).expect("json"),
        )
        .env("RISKGATE_NOW", "2026-11-23")
        .env("RISKGATE_FAIL_ON_BLOCK", "true");
    let r = run(&mut c);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("BLOCK payments-api: 7 of 10 findings"),
        "{}",
        r.stdout
    );
    let junit = std::fs::read_to_string(d.join("riskgate-junit.xml")).expect("junit");
    assert_eq!(junit.matches("<failure ").count(), 7);
    let cq: Value = serde_json::from_str(
        &std::fs::read_to_string(d.join("gl-code-quality-report.json")).expect("cq"),
    )
    .expect("json");
    // 10 findings and the 2 unused acceptances.
    assert_eq!(cq.as_array().expect("issues").len(), 12);
    assert!(d.join("riskgate.json").exists() && d.join("riskgate.md").exists());
    // A RISKGATE_REPORTS set by hand, separated by white space (the old template's form).
    let r = run(c.env("RISKGATE_REPORTS", reports.join("\n  ")));
    assert_eq!(r.code, 1, "{}", r.stderr);
    // fail_on_block false lets a block pass; a bad input still fails.
    let r = run(c.env("RISKGATE_FAIL_ON_BLOCK", "false"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(c.env(
        "RISKGATE_REPORTS",
        format!("[\"{}\"]", ex("examples/reports/missing.json")),
    ));
    assert_eq!(r.code, 2, "{}", r.stderr);
    // A list it cannot split safely is refused, not guessed at.
    let r = run(c.env("RISKGATE_REPORTS", r#"["a,b.json"]"#));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("not a list of plain strings"),
        "{}",
        r.stderr
    );
}
