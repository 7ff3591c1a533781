//! Living with the gate (issue 20): `.riskgate/` found from a subdirectory, `init`, `validate`
//! on the default acceptances, the grouped human report with its one command per group,
//! `--quiet` and colour, bulk `accept` (from the scanners' reports and from CI's json report),
//! unused acceptances judged only with a report of their kind, SARIF `suppressions`, and
//! messages that say what they mean.

use crate::common::{copy_policy, fixture, riskgate, root, scratch, Cli, Run, EXAMPLE_REPORTS};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const CHECKOV: &str = "sarif/checkov-3.3.30-terraform.sarif";
const SEMGREP: &str = "sarif/semgrep-1.185.0-python.sarif";

/// A repository (a `.git` directory) with a `.riskgate/` written by `riskgate init`, and a
/// subdirectory `src/deep` to run from.
fn repo(name: &str) -> (crate::common::Scratch, PathBuf) {
    let dir = scratch(name);
    std::fs::create_dir(dir.join(".git")).unwrap();
    let deep = dir.join("src/deep");
    std::fs::create_dir_all(&deep).unwrap();
    riskgate()
        .current_dir(&deep)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .args([
            "init",
            "--product",
            "payments-api",
            "--member",
            "alice@acme.example",
            "--risk-owner",
            "dana@acme.example",
            "--security",
            "sam@acme.example",
            "--ci",
            "none",
        ])
        .run()
        .exits(0);
    (dir, deep)
}

fn at(dir: &Path) -> Command {
    let mut c = riskgate();
    c.current_dir(dir);
    c
}

#[test]
fn the_riskgate_directory_is_found_from_a_subdirectory_and_init_never_overwrites() {
    let (dir, deep) = repo("discover");
    for f in ["ownership.yaml", "guardrails.yaml", "acceptances.yaml"] {
        assert!(dir.join(".riskgate").join(f).is_file(), "{f}");
    }
    // validate, check and accept all use ../../.riskgate and its acceptances file
    let r = at(&deep).arg("validate").run().exits(0);
    assert_eq!(
        r.stdout.trim(),
        "policy in ../../.riskgate and acceptances in ../../.riskgate/acceptances.yaml are valid"
    );
    let npm = root().join("examples/reports/trivy-npm.json");
    let r = at(&deep)
        .args([
            "check",
            "--now",
            "2026-11-23",
            "--format",
            "json",
            "--report",
        ])
        .arg(&npm)
        .run()
        .exits(1);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["policy"], "../../.riskgate");
    assert_eq!(v["product"], "payments-api", "the register's one product");
    let jq = &v["findings"][0];
    assert_eq!(jq["owner"]["team"], "payments-api-dev");
    assert_eq!(jq["required_approver"], "team");
    let r = at(&deep)
        .args(["accept", "CVE-2019-11358", "--by", "alice@acme.example"])
        .args([
            "--reason",
            "internal admin page only",
            "--now",
            "2026-11-23",
        ])
        .arg("--report")
        .arg(&npm)
        .run()
        .exits(0);
    assert!(
        r.stdout
            .contains("ACC-0001 recorded in ../../.riskgate/acceptances.yaml"),
        "{}",
        r.stdout
    );
    at(&deep)
        .args(["check", "--now", "2026-11-23", "--report"])
        .arg(&npm)
        .run()
        .exits(0);

    // CODEOWNERS written (there was none): the risk owner and security review .riskgate/
    let co = std::fs::read_to_string(dir.join("CODEOWNERS")).unwrap();
    assert!(
        co.contains("/.riskgate/ dana@acme.example sam@acme.example\n"),
        "{co}"
    );
    assert!(
        co.contains("/CODEOWNERS dana@acme.example sam@acme.example\n"),
        "{co}"
    );
    // a second init writes nothing
    let before = std::fs::read_to_string(dir.join(".riskgate/acceptances.yaml")).unwrap();
    let r = at(&dir).args(["init", "--ci", "github"]).run().exits(2);
    assert!(r.stderr.contains("not overwriting"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(!dir.join(".github").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join(".riskgate/acceptances.yaml")).unwrap(),
        before
    );
}

#[test]
fn init_writes_the_ci_job_of_the_platform_it_detects() {
    let dir = scratch("init-github");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join(".github")).unwrap();
    let r = at(&dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .args(["init", "--product", "api", "--member", "a@x.example"])
        .run()
        .exits(0);
    let wf = std::fs::read_to_string(dir.join(".github/workflows/riskgate.yml")).unwrap();
    // no reviewers known: no CODEOWNERS written, its lines printed
    assert!(!dir.join(".github/CODEOWNERS").exists());
    assert!(
        r.stdout.contains("/.riskgate/ <risk owner> <security>"),
        "{}",
        r.stdout
    );
    assert!(wf.contains("uses: riskgate/riskgate@"), "{wf}");
    assert!(wf.contains("upload-sarif"), "{wf}");
    // what is missing is said, in order: risk owner, security, repos, CODEOWNERS
    assert!(r.stdout.contains("products.api.risk_owner"), "{}", r.stdout);
    assert!(r.stdout.contains("roles.security"), "{}", r.stdout);
    assert!(r.stdout.contains("CODEOWNERS"), "{}", r.stdout);
    // the starter guardrails are documented line by line and valid; validate warns about the
    // missing risk owner, pointing at the product
    let g = std::fs::read_to_string(dir.join(".riskgate/guardrails.yaml")).unwrap();
    assert!(
        g.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count()
            > 20
    );
    let r = at(&dir).arg("validate").run().exits(0);
    assert!(r.stderr.contains("has no risk owner"), "{}", r.stderr);

    // GitLab: the component's include is printed, .gitlab-ci.yml is not touched
    let gl = scratch("init-gitlab");
    std::fs::create_dir_all(gl.join(".git")).unwrap();
    std::fs::write(gl.join(".gitlab-ci.yml"), "stages: [test]\n").unwrap();
    let r = at(&gl)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .args(["init", "--product", "api", "--member", "a@x.example"])
        .run()
        .exits(0);
    assert!(
        r.stdout.contains("component: $CI_SERVER_FQDN/"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(gl.join(".gitlab-ci.yml")).unwrap(),
        "stages: [test]\n"
    );
}

#[test]
fn validate_reads_the_default_acceptances_and_reports_every_problem() {
    let (dir, deep) = repo("validate-default");
    std::fs::write(
        dir.join(".riskgate/acceptances.yaml"),
        "version: 1\nacceptances:\n  - id: ACC-0001\n    finding: CVE-2019-11358\n    product: payments-api\n    risk: medium\n    reason: admin page only\n    requested_by: alice@acme.example\n    approvd_by: dana@acme.example\n    created: 2026-11-01\n    expires: 2027-02-30\n",
    )
    .unwrap();
    let r = at(&deep).arg("validate").run().exits(2);
    assert!(
        r.stderr.contains(
            "../../.riskgate/acceptances.yaml:9:17: acceptances[0]: unknown field `approvd_by`"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `approved_by`?"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("../../.riskgate/acceptances.yaml:11:14: `2027-02-30` is not a date"),
        "{}",
        r.stderr
    );
    // check refuses the same file
    at(&deep)
        .args(["check", "--report"])
        .arg(root().join("examples/reports/trivy-npm.json"))
        .run()
        .exits(2);
    // outside any .riskgate/: what to do
    let empty = scratch("validate-none");
    let r = at(&empty).arg("validate").run().exits(2);
    assert!(
        r.stderr.contains("riskgate init --product NAME"),
        "{}",
        r.stderr
    );
}

/// `check` on the example organisation, as the README runs it, from the repository's root.
fn example() -> Command {
    let mut c = crate::common::example_check(EXAMPLE_REPORTS);
    c.args(["--acceptances", "examples/acceptances.yaml"]);
    c
}

fn example_human(extra: &[&str]) -> Run {
    example().args(extra).run()
}

#[test]
fn the_human_report_groups_what_blocks_with_one_command_naming_its_people() {
    let r = example_human(&[]).exits(1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let blocked_start = lines
        .iter()
        .position(|l| l.starts_with("Blocked, "))
        .expect("blocked section");
    let blocked_end = lines
        .iter()
        .position(|l| l.starts_with("Every detail of a finding"))
        .expect("end of the blocked section");
    let section = &lines[blocked_start..blocked_end];
    // 7 blocked findings in 4 groups of 2 teams: two lines per finding, a title, a command and
    // a blank line per group, a title and a blank line per team
    let groups = section
        .iter()
        .filter(|l| l.trim_start().starts_with("unblock:"))
        .count();
    assert_eq!(groups, 4, "{}", r.stdout);
    assert!(
        section.len() <= 7 * 2 + 4 * 3 + 2 * 2,
        "{} lines:\n{}",
        section.len(),
        section.join("\n")
    );
    assert!(
        lines.len() < 60,
        "{} lines (128 before grouping):\n{}",
        lines.len(),
        r.stdout
    );
    // each group says once who may approve and who may request, and its command lists its ids
    assert!(r.stdout.contains(
        "  3 findings need an acceptance approved by security (sam@acme.example), for at most 14 days, signed; requested by alice@acme.example or bob@acme.example:"
    ), "{}", r.stdout);
    let cmd = section
        .iter()
        .find(|l| l.contains("riskgate accept CVE-2023-28755 aws-access-key-id mysecret "))
        .expect("one command for the security group");
    assert!(
        cmd.contains(
            "--by \"<alice@acme.example or bob@acme.example>\" --approver sam@acme.example"
        ),
        "{cmd}"
    );
    assert_eq!(
        r.stdout.matches("riskgate accept").count(),
        groups,
        "each command once"
    );
    // acceptances explained under a blocked finding are not listed again as idle
    let idle = r
        .stdout
        .split("Acceptances that cover nothing")
        .nth(1)
        .unwrap_or("");
    assert!(!idle.contains("ACC-0007"), "{idle}");
    assert!(
        !idle.contains("ACC-0012"),
        "listed under Run checks: {idle}"
    );
    assert!(r
        .stdout
        .contains("acceptances.unused: acceptance ACC-0012 covers no finding"));

    // --quiet: the verdict and the counts
    let q = example_human(&["--quiet"]).exits(1);
    assert_eq!(q.stdout.lines().count(), 2, "{}", q.stdout);
    assert!(q
        .stdout
        .starts_with("BLOCK payments-api: 7 of 10 findings block the deploy"));
}

#[test]
fn colour_follows_the_terminal_conventions() {
    let plain = example_human(&[]).stdout;
    assert!(!plain.contains('\x1b'), "no colour into a pipe");
    let run = |env: &[(&str, &str)]| {
        let mut c = riskgate();
        c.env_remove("NO_COLOR").current_dir(root()).args([
            "check",
            "--policy",
            "examples/policy",
            "--product",
            "payments-api",
            "--now",
            "2026-11-23",
            "--report",
            "examples/reports/trivy-secrets.json",
        ]);
        for (k, v) in env {
            c.env(k, v);
        }
        c.run().exits(1).stdout
    };
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.starts_with("\x1b[1;31mBLOCK\x1b[0m payments-api"),
        "{forced:?}"
    );
    assert!(forced.contains("\x1b[1;31mcritical\x1b[0m"), "{forced:?}");
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\x1b'));
    assert!(!run(&[("CLICOLOR", "0")]).contains('\x1b'));
    // colour never goes into a file
    let out = scratch("colour");
    let mut c = riskgate();
    c.env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .current_dir(root())
        .args([
            "check",
            "--policy",
            "examples/policy",
            "--product",
            "payments-api",
        ])
        .args(["--report", "examples/reports/trivy-secrets.json", "-o"])
        .arg(out.join("r.txt"));
    c.run().exits(1);
    assert!(!std::fs::read_to_string(out.join("r.txt"))
        .unwrap()
        .contains('\x1b'));
}

/// The example policy with one change to guardrails.yaml (and the infrastructure layer gone,
/// so that payments-dev owns every checkov finding).
fn policy_with(dir: &Path, from: &str, to: &str) -> PathBuf {
    let p = copy_policy(dir);
    let g = std::fs::read_to_string(p.join("guardrails.yaml")).unwrap();
    assert!(g.contains(from), "{from}");
    std::fs::write(p.join("guardrails.yaml"), g.replace(from, to)).unwrap();
    let o = std::fs::read_to_string(p.join("ownership.yaml")).unwrap();
    let layer = "  - name: infrastructure\n    owner: platform\n    match: { path: [\"infra/**\", \"**/*.tf\", \"charts/**\"] }\n";
    assert!(o.contains(layer));
    std::fs::write(p.join("ownership.yaml"), o.replace(layer, "")).unwrap();
    p
}

#[test]
fn unused_acceptances_are_judged_only_with_a_report_of_their_kind() {
    let dir = scratch("hygiene");
    let pol = policy_with(
        &dir,
        "  warn_before_days: 14\n",
        "  warn_before_days: 14\n  unused: block\n",
    );
    let json = |reports: &[&str]| -> (i32, Value) {
        let mut c = riskgate();
        c.current_dir(root()).arg("check").arg("--policy").arg(&pol);
        c.args([
            "--product",
            "payments-api",
            "--acceptances",
            "examples/acceptances.yaml",
        ]);
        c.args(["--now", "2026-11-23", "--format", "json"]);
        for r in reports {
            c.args(["--report", r]);
        }
        let r = c.run();
        (r.code, serde_json::from_str(&r.stdout).expect("json"))
    };
    let rule = |v: &Value, id: &str| -> Value {
        v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "acceptances.unused" && r["subject"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    // one SARIF of the SAST job: the dependency and secret acceptances are not judged
    let (_, v) = json(&["examples/reports/fortify.sarif"]);
    let r = rule(&v, "ACC-0012");
    assert_eq!(r["status"], "passed", "{r}");
    assert_eq!(
        r["reason"],
        "acceptance ACC-0012 not judged: it is about a vulnerability, and this run had no container_scanning, dependency_scanning or dast report"
    );
    assert_eq!(rule(&v, "ACC-0008")["status"], "passed");
    assert!(!v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["status"] == "blocked"));
    // the dependency scan judges the acceptance of a CVE it does not report: unused blocks
    let (code, v) = json(&["examples/reports/trivy-npm.json"]);
    assert_eq!(code, 1);
    let r = rule(&v, "ACC-0012");
    assert_eq!(r["status"], "blocked", "{r}");
    assert!(r["reason"].as_str().unwrap().contains("covers no finding"));
    // and still says nothing of the secrets it did not scan for
    assert_eq!(rule(&v, "ACC-0008")["status"], "passed");
}

#[test]
fn one_command_accepts_every_checkov_finding_and_the_gate_then_allows() {
    let dir = scratch("bulk");
    let pol = policy_with(
        &dir,
        "scanner_suppressions: team\n",
        "scanner_suppressions: team\n",
    );
    let acc = dir.join("acceptances.yaml");
    std::fs::write(&acc, "version: 1\nacceptances: []\n").unwrap();
    let checkov = fixture(CHECKOV);
    let check = |extra: &[&str]| {
        let mut c = riskgate();
        c.current_dir(root()).arg("check").arg("--policy").arg(&pol);
        // checkout-web: its team accepts medium risk itself
        c.args([
            "--product",
            "checkout-web",
            "--now",
            "2026-11-23",
            "--acceptances",
        ]);
        c.arg(&acc).arg("--report").arg(&checkov).args(extra);
        c.run()
    };
    let r = check(&[]).exits(1);
    let commands: Vec<&str> = r
        .stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("unblock: "))
        .collect();
    assert_eq!(commands.len(), 1, "{}", r.stdout);
    let ids = commands[0]
        .strip_prefix("riskgate accept ")
        .and_then(|c| c.split(" --").next())
        .unwrap();
    assert_eq!(ids.split(' ').count(), 27, "{ids}");
    // the printed command, as a developer runs it: the placeholders filled in
    let cmd = commands[0]
        .replacen("riskgate", env!("CARGO_BIN_EXE_riskgate"), 1)
        .replace(
            "\"<chris@acme.example or dee@acme.example>\"",
            "chris@acme.example",
        )
        .replace(
            "\"<why this risk is acceptable>\"",
            "'demo stack, torn down nightly'",
        )
        + " --now 2026-11-23";
    let out = Command::new("sh")
        .arg("-c")
        .arg(&cmd)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{cmd}\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches(" recorded in ").count(), 27, "{stdout}");
    let text = std::fs::read_to_string(&acc).unwrap();
    assert_eq!(text.matches("- id: ACC-").count(), 27);
    assert!(text.contains("- id: ACC-0027\n"));
    let mut v = riskgate();
    v.current_dir(root())
        .arg("validate")
        .arg("--policy")
        .arg(&pol)
        .arg("--acceptances")
        .arg(&acc);
    v.args(["--now", "2026-11-23"]).run().exits(0);
    let r = check(&[]).exits(0);
    assert!(r.stdout.starts_with("ALLOW checkout-web"), "{}", r.stdout);
}

#[test]
fn accept_from_ci_json_report_needs_no_scanner_files() {
    let dir = scratch("from-report");
    let report = dir.join("riskgate.json");
    // CI's run, with the KEV catalog raising nothing here but recording the risk it decided
    crate::common::example_check(EXAMPLE_REPORTS)
        .args(["--format", "json", "--output"])
        .arg(&report)
        .run()
        .exits(1);
    let acc = dir.join("acceptances.yaml");
    let mut a = riskgate();
    a.current_dir(root())
        .args(["accept", "CVE-2019-1551", "--by", "pat@acme.example"])
        .args([
            "--approver",
            "dana@acme.example",
            "--reason",
            "no RSA keys in use",
        ])
        .args(["--policy", "examples/policy", "--product", "payments-api"])
        .args(["--now", "2026-11-23", "--from-report"])
        .arg(&report)
        .arg("--acceptances")
        .arg(&acc);
    let r = a.run().exits(0);
    // one entry per package the vulnerability is in
    assert!(
        r.stdout.contains("for CVE-2019-1551 in libcrypto1.1"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("for CVE-2019-1551 in libssl1.1"),
        "{}",
        r.stdout
    );
    let text = std::fs::read_to_string(&acc).unwrap();
    assert_eq!(text.matches("finding: CVE-2019-1551").count(), 2, "{text}");
    assert!(text.contains("package: libcrypto1.1") && text.contains("package: libssl1.1"));
    assert!(text.contains("requested_approver: dana@acme.example"));
    // `accept CVE-2019-1551 --by pat@... --reason x --policy examples/policy`
    let refused = || {
        let mut c = riskgate();
        c.current_dir(root())
            .args(["accept", "CVE-2019-1551", "--by", "pat@acme.example"])
            .args(["--reason", "x", "--policy", "examples/policy"]);
        c
    };
    // with scanner reports too it is refused: one source of findings
    refused()
        .arg("--from-report")
        .arg(&report)
        .args(["--report", "examples/reports/trivy-npm.json"])
        .run()
        .exits(2);
    // a file that is not a riskgate report
    let mut bad = refused();
    bad.args(["--product", "payments-api", "--from-report"])
        .arg("examples/reports/trivy-npm.json");
    let r = bad.run().exits(2);
    assert!(
        r.stderr.contains("is not a riskgate json report"),
        "{}",
        r.stderr
    );
}

#[test]
fn sarif_carries_the_decisions_taken_as_suppressions() {
    let mut c = example();
    c.args(["--format", "sarif", "--report"])
        .arg(fixture(SEMGREP));
    let r = c.run().exits(1);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let accepted: Vec<&Value> = results
        .iter()
        .filter(|x| x["properties"]["status"] == "accepted")
        .collect();
    assert_eq!(accepted.len(), 3);
    for a in &accepted {
        let s = &a["suppressions"];
        assert_eq!(s.as_array().unwrap().len(), 1, "{a}");
        assert_eq!(s[0]["kind"], "external");
        assert_eq!(s[0]["status"], "accepted");
        let j = s[0]["justification"].as_str().unwrap();
        assert!(j.starts_with("riskgate acceptance ACC-000"), "{j}");
        assert!(j.contains("approved by") && j.contains("until"), "{j}");
    }
    // semgrep's `# nosemgrep` on a high finding is a developer's decision above the team's
    // autonomy: the result stays open, its suppression carried as rejected
    let eval = results
        .iter()
        .find(|x| x["ruleId"] == "python-eval")
        .expect("python-eval");
    assert_eq!(eval["level"], "error");
    assert_eq!(eval["suppressions"][0]["kind"], "inSource");
    assert_eq!(eval["suppressions"][0]["status"], "rejected");
    // blocked results carry no suppression; semgrep's titles are the rules' messages
    let blocked = results
        .iter()
        .filter(|x| x["properties"]["status"] == "blocked");
    assert!(blocked
        .filter(|x| x["ruleId"] != "python-eval")
        .all(|x| x.get("suppressions").is_none()));
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let pickle = rules
        .iter()
        .find(|x| x["id"] == "python-pickle-loads")
        .unwrap();
    assert_eq!(
        pickle["shortDescription"]["text"],
        "pickle.loads on untrusted data executes arbitrary code"
    );
}

#[test]
fn messages_say_what_they_mean() {
    let base = |args: &[&str]| {
        let mut c = riskgate();
        c.current_dir(root())
            .args(args)
            .args(["--policy", "examples/policy", "--product", "payments-api"])
            .args([
                "--now",
                "2026-11-23",
                "--report",
                "examples/reports/trivy-image.json",
            ]);
        c.run()
    };
    let r = base(&[
        "accept",
        "CVE-2019-1551",
        "--by",
        "pat@acme.example",
        "--reason",
        "x",
        "--days",
        "0",
    ])
    .exits(2);
    assert!(
        r.stderr
            .contains("--days 0: an acceptance lasts at least one day"),
        "{}",
        r.stderr
    );
    let r = base(&[
        "accept",
        "CVE-2019-1551",
        "--by",
        "pat@acme.example",
        "--reason",
        " ",
    ])
    .exits(2);
    assert!(r.stderr.contains("--reason is empty"), "{}", r.stderr);
    assert!(
        !r.stderr.contains(".yaml:"),
        "no position in a file: {}",
        r.stderr
    );
    // refusals are labelled by what they are about
    let r = base(&[
        "accept",
        "CVE-2019-1551",
        "--package",
        "libssl1.1",
        "--by",
        "alice@acme.example",
        "--reason",
        "x",
    ])
    .exits(2);
    assert!(r.stderr.contains("riskgate::authority"), "{}", r.stderr);
    let r = base(&[
        "accept",
        "CVE-2000-0001",
        "--by",
        "pat@acme.example",
        "--reason",
        "x",
    ])
    .exits(2);
    assert!(r.stderr.contains("riskgate::not_found"), "{}", r.stderr);
    // explain says who may request, as accept enforces it
    let r = base(&["explain", "CVE-2019-1551"]).exits(0);
    assert!(
        r.stdout.contains("requested by a member of the owning team platform (pat@acme.example, quinn@acme.example), approved by risk_owner"),
        "{}",
        r.stdout
    );
    // a missing file is named without a position
    let r = riskgate()
        .current_dir(root())
        .args([
            "check",
            "--policy",
            "examples/policy",
            "--product",
            "payments-api",
        ])
        .args([
            "--acceptances",
            "nonexist.yaml",
            "--report",
            "examples/reports/trivy-npm.json",
        ])
        .run()
        .exits(2);
    assert!(
        r.stderr.contains("nonexist.yaml: cannot read"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(":0:0"), "{}", r.stderr);
    // a risk owner nobody knows is pointed at the risk_owner line
    let dir = scratch("messages");
    let pol = copy_policy(&dir);
    let o = std::fs::read_to_string(pol.join("ownership.yaml")).unwrap();
    std::fs::write(
        pol.join("ownership.yaml"),
        o.replace(
            "risk_owner: frank@acme.example",
            "risk_owner: nobody@acme.example",
        ),
    )
    .unwrap();
    let r = riskgate()
        .arg("validate")
        .arg("--policy")
        .arg(&pol)
        .run()
        .exits(0);
    let line = o
        .lines()
        .position(|l| l.contains("risk_owner: frank@acme.example"))
        .unwrap()
        + 1;
    assert!(
        r.stderr.contains(&format!(
            "ownership.yaml:{line}:17: risk owner `nobody@acme.example`"
        )),
        "{}",
        r.stderr
    );
}
