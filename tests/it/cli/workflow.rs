//! The acceptance workflow end to end on the example organisation: a request in a PR, the gate
//! reporting it as awaiting approval, the approval, the gate allowing it; and every refusal,
//! which must leave the acceptances file byte for byte as it was.

use crate::common::{riskgate, root, run, scratch, Cli, Run, Scratch};
use std::path::{Path, PathBuf};
use std::process::Command;

fn workdir(name: &str) -> Scratch {
    let d = scratch(&format!("wf-{name}"));
    // The example's repository (acceptances, CODEOWNERS and policy side by side).
    crate::common::example_repo(&d);
    d
}

/// `riskgate <cmd> ...` with the example's inputs and the acceptances file in `dir`.
/// The example's policy stands for the copy in `dir` (see [`workdir`]).
fn cmd(dir: &Path, policy: &Path, args: &[&str]) -> Command {
    let mut c = riskgate();
    c.current_dir(root()).args(args);
    if policy == self::policy() && dir.join("policy").is_dir() {
        c.arg("--policy").arg(dir.join("policy"));
    } else {
        c.arg("--policy").arg(policy);
    }
    c.arg("--acceptances").arg(dir.join("acceptances.yaml"));
    c.args(["--product", "payments-api", "--now", "2026-11-23"]);
    c
}

fn with_reports(mut c: Command) -> Command {
    for r in [
        "examples/reports/trivy-npm.json",
        "examples/reports/trivy-image.json",
        "examples/reports/trivy-secrets.json",
        "examples/reports/grype-ruby.json",
        "examples/reports/fortify.sarif",
    ] {
        c.args(["--report", r]);
    }
    c
}

fn policy() -> PathBuf {
    root().join("examples/policy")
}

fn json_finding(r: &Run, id: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .cloned()
        .unwrap()
}

const FORTIFY: &str = "31D4607A-A3FF-447C-908A-CA2BBE4CE4B7";

#[test]
fn request_then_approve_then_the_gate_allows_it() {
    let dir = workdir("cycle");
    let before = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    let r = run(&mut with_reports(cmd(
        &dir,
        &policy(),
        &[
            "accept",
            FORTIFY,
            "--by",
            "alice@acme.example",
            "--reason",
            "The query is built from an enum.",
            "--ticket",
            "PAY-77",
        ],
    )));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("ACC-0014 recorded"), "{}", r.stdout);
    assert!(r.stdout.contains("pending request: medium risk needs approval by risk_owner (dana@acme.example, erin@acme.example)"), "{}", r.stdout);
    let after = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    assert!(
        after.starts_with(&before),
        "the existing text, comments included, is kept as it was"
    );
    // A weakness: recorded where it is (its file and fingerprint), and what kind it is.
    assert!(after.ends_with(&format!("  - id: ACC-0014\n    finding: \"{FORTIFY}\"\n    paths: [\"Helpers/InvoiceHelper.cs\"]\n    fingerprints: [\"25caf3ae1b046549ad7b77deb09a606f\"]\n    kind: weakness\n    product: payments-api\n    risk: medium\n    reason: \"The query is built from an enum.\"\n    requested_by: alice@acme.example\n    created: 2026-11-23\n    expires: 2027-02-21\n    ticket: PAY-77\n")), "{after}");

    // the gate: blocked, awaiting approval
    let r = run(&mut with_reports(cmd(
        &dir,
        &policy(),
        &["check", "--format", "json"],
    )));
    assert_eq!(r.code, 1);
    let f = json_finding(&r, FORTIFY);
    assert_eq!(f["status"], "blocked");
    assert!(f["reasons"][0].as_str().unwrap().starts_with("awaiting approval by risk_owner (dana@acme.example, erin@acme.example): ACC-0014 is a pending request"), "{f}");

    // the requester is the requester, and nobody approves their own request; a team member is not the risk owner
    for (by, want) in [
        (
            "alice@acme.example",
            "is the requester, and nobody approves their own request",
        ),
        (
            "bob@acme.example",
            "bob@acme.example does not hold the role risk_owner",
        ),
        (
            "nobody@acme.example",
            "unknown person `nobody@acme.example`",
        ),
    ] {
        let r = run(&mut cmd(
            &dir,
            &policy(),
            &["approve", "ACC-0014", "--by", by],
        ));
        assert_eq!(r.code, 2, "{by}");
        assert!(r.stderr.contains(want), "{by}: {}", r.stderr);
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap(),
        after,
        "refusals leave the file untouched"
    );

    let r = run(&mut cmd(
        &dir,
        &policy(),
        &["approve", "ACC-0014", "--by", "erin@acme.example"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let approved = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    assert!(approved.contains("    requested_by: alice@acme.example\n    approved_by: erin@acme.example\n    created: 2026-11-23\n"), "{approved}");
    let r = run(&mut cmd(
        &dir,
        &policy(),
        &["approve", "ACC-0014", "--by", "dana@acme.example"],
    ));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("already approved by erin@acme.example"),
        "{}",
        r.stderr
    );

    let r = run(&mut with_reports(cmd(
        &dir,
        &policy(),
        &["check", "--format", "json"],
    )));
    let f = json_finding(&r, FORTIFY);
    assert_eq!(
        (f["status"].as_str(), f["acceptance"].as_str()),
        (Some("accepted"), Some("ACC-0014"))
    );
}

#[test]
fn within_the_team_autonomy_it_takes_effect_at_once() {
    // checkout-web keeps the organisation's guardrail: medium is the team's to accept
    let dir = workdir("autonomy");
    std::fs::write(
        dir.join("acceptances.yaml"),
        "version: 1\nacceptances: []\n",
    )
    .unwrap();
    let mut c = riskgate();
    c.current_dir(root()).args([
        "accept",
        "CVE-2019-11358",
        "--by",
        "chris@acme.example",
        "--reason",
        "admin page only",
        "--days",
        "30",
    ]);
    c.arg("--acceptances").arg(dir.join("acceptances.yaml"));
    c.args([
        "--policy",
        "examples/policy",
        "--product",
        "checkout-web",
        "--now",
        "2026-11-23",
        "--report",
        "examples/reports/trivy-npm.json",
    ]);
    let r = run(&mut c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("ACC-0001 recorded"), "{}", r.stdout);
    assert!(
        r.stdout.contains("accepted until 2026-12-23"),
        "{}",
        r.stdout
    );
    let text = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    assert!(
        text.contains("package: jquery\n    kind: vulnerability\n    product: checkout-web\n"),
        "{text}"
    );
    let mut c = riskgate();
    c.current_dir(root()).args([
        "check",
        "--format",
        "json",
        "--policy",
        "examples/policy",
        "--product",
        "checkout-web",
        "--now",
        "2026-11-23",
        "--report",
        "examples/reports/trivy-npm.json",
    ]);
    c.arg("--acceptances").arg(dir.join("acceptances.yaml"));
    let r = run(&mut c);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(json_finding(&r, "CVE-2019-11358")["status"], "accepted");
}

#[test]
fn refusals_leave_the_file_untouched() {
    let dir = workdir("refusals");
    let before = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    // a policy where bob (payments-dev) is also in the security role
    let sec_dir = workdir("refusals-policy");
    let sec = crate::common::copy_policy(&sec_dir);
    let own = std::fs::read_to_string(policy().join("ownership.yaml")).unwrap();
    std::fs::write(
        sec.join("ownership.yaml"),
        own.replace("security: [appsec]", "security: [appsec, bob@acme.example]"),
    )
    .unwrap();
    let cases: Vec<(PathBuf, Vec<&str>, &str)> = vec![
        (policy(), vec!["CVE-2000-0001", "--by", "alice@acme.example"], "CVE-2000-0001 is not among the findings"),
        (policy(), vec!["CVE-2019-1551", "--package", "libssl1.1", "--by", "alice@acme.example"], "alice@acme.example is not a member of platform, the team that owns CVE-2019-1551"),
        (policy(), vec!["CVE-2019-1551", "--package", "libssl1.1", "--by", "pat@acme.example", "--days", "91"], "91 days is longer than max_days 90 for level medium"),
        (policy(), vec!["CVE-2019-1551", "--by", "pat@acme.example", "--days", "0"], "--days 0: an acceptance lasts at least one day"),
        (policy(), vec!["CVE-2019-1551", "CVE-2000-0001", "--by", "pat@acme.example", "--days", "91"], "3 problems, nothing recorded:\n  |   - CVE-2000-0001 is not among the findings"),
        (policy(), vec!["mysecret", "--by", "bob@acme.example", "--approver", "bob@acme.example"], "is the requester, and nobody approves their own request"),
        (policy(), vec!["mysecret", "--by", "bob@acme.example", "--approver", "dana@acme.example"], "dana@acme.example does not hold the role security"),
        (sec.clone(), vec!["mysecret", "--by", "alice@acme.example", "--approver", "bob@acme.example"], "bob@acme.example is a member of the owning team payments-dev: security approval must come from outside the team"),
        (policy(), vec!["CVE-2019-11358", "--by", "mallory@evil.example"], "unknown person `mallory@evil.example`"),
    ];
    for (pol, args, want) in cases {
        let mut all = vec!["accept"];
        all.extend(&args);
        all.extend(["--reason", "because"]);
        let r = run(&mut with_reports(cmd(&dir, &pol, &all)));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert!(
            r.stderr.contains(want),
            "{args:?}: want {want:?} in\n{}",
            r.stderr
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap(),
            before,
            "{args:?} changed the file"
        );
    }
}

#[test]
fn never_accept_is_refused() {
    // jQuery's CVE added to the real KEV catalog: KEV + internet + fix available is never_accept
    let dir = workdir("never");
    let before = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    let mut kev: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::common::fixture(
            "kev/known_exploited_vulnerabilities.json",
        ))
        .unwrap(),
    )
    .unwrap();
    kev["vulnerabilities"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"cveID": "CVE-2019-11358", "dateAdded": "2026-11-22"}));
    std::fs::write(dir.join("kev.json"), kev.to_string()).unwrap();
    let mut c = with_reports(cmd(
        &dir,
        &policy(),
        &[
            "accept",
            "CVE-2019-11358",
            "--by",
            "alice@acme.example",
            "--reason",
            "x",
        ],
    ));
    c.arg("--kev").arg(dir.join("kev.json"));
    let r = run(&mut c);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("matches never_accept[0]"), "{}", r.stderr);
    assert!(r.stderr.contains("upgrade to 3.4.0"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap(),
        before
    );
}

#[test]
fn the_decision_log_is_chained_and_verified() {
    let dir = workdir("log");
    let log = dir.join("decisions.jsonl");
    for _ in 0..3 {
        let mut c = with_reports(cmd(&dir, &policy(), &["check"]));
        c.arg("--decision-log").arg(&log);
        assert_eq!(run(&mut c).code, 1);
    }
    let r = riskgate().args(["log", "verify"]).arg(&log).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("3 entries, chain intact"), "{}", r.stdout);
    let text = std::fs::read_to_string(&log).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["verdict"], "block");
    assert_eq!(first["prev"], serde_json::Value::Null);
    assert!(first["files"]["examples/reports/trivy-npm.json"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert!(first["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["id"] == "mysecret"));
    // every single-line edit is found
    let lines: Vec<&str> = text.lines().collect();
    for i in 0..lines.len() {
        let mut edited: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        edited[i] = edited[i].replacen("\"block\"", "\"allow\"", 1);
        std::fs::write(&log, edited.join("\n") + "\n").unwrap();
        let r = riskgate().args(["log", "verify"]).arg(&log).run();
        assert_eq!(r.code, 1, "edit of line {} not found", i + 1);
        assert!(
            r.stderr.contains(&format!("decisions.jsonl:{}:", i + 1)),
            "{}",
            r.stderr
        );
    }
    // removing the first line is found too
    std::fs::write(&log, lines[1..].join("\n") + "\n").unwrap();
    let r = riskgate().args(["log", "verify"]).arg(&log).run();
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("lines before it were removed"),
        "{}",
        r.stderr
    );
}

#[test]
fn exports_carry_only_covering_acceptances_in_the_scanners_own_fields() {
    let dir = workdir("export");
    let r = run(&mut with_reports(cmd(
        &dir,
        &policy(),
        &["export", "--format", "trivyignore"],
    )));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_saphyr::from_str(&r.stdout).unwrap();
    let vulns = v["vulnerabilities"].as_array().unwrap();
    // the three covering acceptances of the example, and nothing expired or unapproved
    let ids: Vec<(&str, &str)> = vulns
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap(),
                e["statement"].as_str().unwrap().split(':').next().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("CVE-2019-11358", "ACC-0001"),
            ("CVE-2019-1549", "ACC-0003"),
            ("CVE-2019-1549", "ACC-0004")
        ]
    );
    // Trivy's documented fields only (id, paths, purls, expired_at, statement)
    for e in vulns {
        for k in e.as_object().unwrap().keys() {
            assert!(
                ["id", "paths", "purls", "expired_at", "statement"].contains(&k.as_str()),
                "{k:?}"
            );
        }
    }
    assert_eq!(vulns[0]["expired_at"].as_str(), Some("2027-01-15"));
    assert_eq!(vulns[0]["purls"][0].as_str(), Some("pkg:npm/jquery"));
    assert_eq!(
        vulns[2]["purls"][0].as_str(),
        Some("pkg:apk/alpine/libcrypto1.1")
    );
    assert!(
        v["secrets"].as_array().unwrap().is_empty(),
        "ACC-0008/0010 do not cover their secrets"
    );

    let r = run(&mut with_reports(cmd(
        &dir,
        &policy(),
        &["export", "--format", "grype"],
    )));
    let v: serde_json::Value = serde_saphyr::from_str(&r.stdout).unwrap();
    let rules = v["ignore"].as_array().unwrap();
    assert_eq!(rules.len(), 3);
    assert_eq!(rules[1]["package"]["name"].as_str(), Some("libssl1.1"));
    assert_eq!(rules[1]["package"]["version"].as_str(), Some("1.1.1c-r0"));
}

#[test]
fn codeowners_names_the_risk_owner_and_security_by_handle() {
    let r = riskgate()
        .current_dir(root())
        .args([
            "codeowners",
            "--policy",
            "examples/policy",
            "--product",
            "payments-api",
        ])
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.ends_with(
            "/.riskgate/ @dana-acme @erin-acme @sam-appsec carol@acme.example\n\
             /.github/workflows/ @dana-acme @erin-acme @sam-appsec carol@acme.example\n\
             /.github/CODEOWNERS @dana-acme @erin-acme @sam-appsec carol@acme.example\n"
        ),
        "{}",
        r.stdout
    );
    let r = riskgate()
        .current_dir(root())
        .args([
            "codeowners",
            "--policy",
            "examples/policy",
            "--product",
            "payments-api",
            "--gitlab",
        ])
        .run();
    assert!(
        r.stdout
            .contains("# no gitlab handle in ownership.yaml `people:` for: erin@acme.example"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.ends_with(
            "/.riskgate/ @dana erin@acme.example @sam carol@acme.example\n/.gitlab-ci.yml @dana erin@acme.example @sam carol@acme.example\n/CODEOWNERS @dana erin@acme.example @sam carol@acme.example\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("erin@acme.example, carol@acme.example"),
        "{}",
        r.stdout
    );
}

/// A copy of the example policy where `who` has the public key `pubkey` under `people:`.
fn policy_with_key(dir: &Path, who: &str, pubkey: &str) -> PathBuf {
    let pol = crate::common::copy_policy(&dir.join("policy"));
    let mut own = std::fs::read_to_string(policy().join("ownership.yaml")).unwrap();
    let pem: String = pubkey.lines().map(|l| format!("        {l}\n")).collect();
    own = own
        .lines()
        .filter(|l| !l.starts_with(&format!("  {who}:")))
        .collect::<Vec<_>>()
        .join("\n");
    own.push_str(&format!("\n  {who}:\n    keys:\n      - |\n{pem}"));
    std::fs::write(pol.join("ownership.yaml"), own).unwrap();
    pol
}

fn keygen(dir: &Path, name: &str) -> String {
    let r = riskgate()
        .env("COSIGN_PASSWORD", "correct horse")
        .args(["keygen", "--out"])
        .arg(dir.join(name))
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let key = std::fs::read_to_string(dir.join(format!("{name}.key"))).unwrap();
    assert!(
        key.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"),
        "{key}"
    );
    std::fs::read_to_string(dir.join(format!("{name}.pub"))).unwrap()
}

#[test]
fn signed_acceptances_cover_and_tampering_or_the_wrong_key_does_not() {
    let dir = workdir("signed");
    let sam_pub = keygen(&dir, "sam");
    let _dana_pub = keygen(&dir, "dana");
    let pol = policy_with_key(&dir, "sam@acme.example", &sam_pub);
    let secret = |c: &mut Command| {
        c.args(["--report", "examples/reports/trivy-secrets.json"]);
    };
    // bob (payments-dev) requests; critical needs security (sam) and sam's signature
    let mut c = cmd(
        &dir,
        &pol,
        &[
            "accept",
            "mysecret",
            "--by",
            "bob@acme.example",
            "--reason",
            "staging credential",
        ],
    );
    secret(&mut c);
    let r = run(&mut c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("ACC-0014"), "{}", r.stdout);
    let status = |dir: &Path| {
        let mut c = cmd(dir, &pol, &["check", "--format", "json"]);
        secret(&mut c);
        let r = run(&mut c);
        json_finding(&r, "mysecret")
    };
    assert_eq!(status(&dir)["status"], "blocked");
    // signing with dana's key as sam is refused, file untouched
    let before = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    let mut c = cmd(
        &dir,
        &pol,
        &[
            "approve",
            "ACC-0014",
            "--by",
            "sam@acme.example",
            "--sign-key",
            &dir.join("dana.key").display().to_string(),
        ],
    );
    c.env("COSIGN_PASSWORD", "correct horse");
    let r = run(&mut c);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("is not one of sam@acme.example's keys"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap(),
        before
    );
    // a wrong password is refused
    let mut c = cmd(
        &dir,
        &pol,
        &[
            "approve",
            "ACC-0014",
            "--by",
            "sam@acme.example",
            "--sign-key",
            &dir.join("sam.key").display().to_string(),
        ],
    );
    c.env("COSIGN_PASSWORD", "wrong");
    assert_eq!(run(&mut c).code, 2);
    // sam approves and signs: covered
    let mut c = cmd(
        &dir,
        &pol,
        &[
            "approve",
            "ACC-0014",
            "--by",
            "sam@acme.example",
            "--sign-key",
            &dir.join("sam.key").display().to_string(),
        ],
    );
    c.env("COSIGN_PASSWORD", "correct horse");
    let r = run(&mut c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let f = status(&dir);
    assert_eq!(
        (f["status"].as_str(), f["acceptance"].as_str()),
        (Some("accepted"), Some("ACC-0014"))
    );
    // one field changed after signing: no longer covers
    let signed = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    std::fs::write(
        dir.join("acceptances.yaml"),
        signed.replace("expires: 2026-12-07", "expires: 2026-12-06"),
    )
    .unwrap();
    let f = status(&dir);
    assert_eq!(f["status"], "blocked");
    assert!(f["reasons"].to_string().contains("ACC-0014"), "{f}");
    // a signature made with dana's key over the same acceptance does not make it sam's
    std::fs::write(dir.join("acceptances.yaml"), &signed).unwrap();
    let text: riskgate::policy::acceptances::AcceptancesFile =
        serde_saphyr::from_str(&signed).unwrap();
    let mut acc = text.acceptances.last().unwrap().clone();
    acc.signature = None;
    let dana_sig = riskgate::verify::signing::sign(
        &acc,
        &std::fs::read(dir.join("dana.key")).unwrap(),
        b"correct horse",
    )
    .unwrap();
    let sam_sig = signed
        .lines()
        .find(|l| l.trim_start().starts_with("signature:"))
        .unwrap()
        .trim()
        .trim_start_matches("signature:")
        .trim()
        .to_string();
    std::fs::write(
        dir.join("acceptances.yaml"),
        signed.replace(&sam_sig, &dana_sig),
    )
    .unwrap();
    assert_eq!(
        status(&dir)["status"],
        "blocked",
        "dana's signature is not sam's"
    );
    std::fs::write(
        dir.join("acceptances.yaml"),
        signed.replace("expires: 2026-12-07", "expires: 2026-12-06"),
    )
    .unwrap();
    let r = {
        let mut c = cmd(&dir, &pol, &["explain", "mysecret"]);
        secret(&mut c);
        run(&mut c)
    };
    assert!(
        r.stdout
            .contains("the signature does not verify with sam@acme.example's key"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_team_level_that_requires_a_signature_is_signed_by_the_requester() {
    let dir = workdir("team-signed");
    std::fs::write(
        dir.join("acceptances.yaml"),
        "version: 1\nacceptances: []\n",
    )
    .unwrap();
    let chris_pub = keygen(&dir, "chris");
    let pol = policy_with_key(&dir, "chris@acme.example", &chris_pub);
    // checkout-web tightens medium: a signature is required
    let g = std::fs::read_to_string(pol.join("guardrails.yaml")).unwrap();
    std::fs::write(
        pol.join("guardrails.yaml"),
        format!("{g}  checkout-web:\n    levels: {{ medium: {{ require_signature: true }} }}\n"),
    )
    .unwrap();
    let key = dir.join("chris.key").display().to_string();
    let run_in = |args: &[&str]| {
        let mut c = riskgate();
        c.current_dir(root())
            .args(args)
            .env("COSIGN_PASSWORD", "correct horse");
        c.arg("--policy")
            .arg(&pol)
            .arg("--acceptances")
            .arg(dir.join("acceptances.yaml"));
        c.args([
            "--product",
            "checkout-web",
            "--now",
            "2026-11-23",
            "--report",
            "examples/reports/trivy-npm.json",
        ]);
        run(&mut c)
    };
    let r = run_in(&[
        "accept",
        "CVE-2019-11358",
        "--by",
        "chris@acme.example",
        "--reason",
        "admin only",
        "--sign-key",
        &key,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    assert!(text.contains("    signature: "), "{text}");
    let r = run_in(&["check", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(json_finding(&r, "CVE-2019-11358")["status"], "accepted");
    // dee (also checkout-dev) cannot sign with chris's key
    std::fs::write(
        dir.join("acceptances.yaml"),
        "version: 1\nacceptances: []\n",
    )
    .unwrap();
    let r = run_in(&[
        "accept",
        "CVE-2019-11358",
        "--by",
        "dee@acme.example",
        "--reason",
        "x",
        "--sign-key",
        &key,
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("is not one of dee@acme.example's keys"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap(),
        "version: 1\nacceptances: []\n"
    );
}

#[test]
fn keyless_acceptance_signatures_are_checked_against_the_trusted_root() {
    // No Fulcio here to make a keyless signature over an acceptance, so this checks the refusals:
    // a real production bundle (over another artifact) pasted as the signature does not verify
    // for the approver's identity, and without a trusted root nothing keyless verifies.
    let dir = workdir("keyless");
    let pol = crate::common::copy_policy(&dir.join("policy"));
    // Without the example's trusted root first.
    let g = std::fs::read_to_string(policy().join("guardrails.yaml"))
        .unwrap()
        .replace("trusted_root: trusted_root.json\n", "");
    let own = std::fs::read_to_string(policy().join("ownership.yaml")).unwrap();
    std::fs::write(
        pol.join("ownership.yaml"),
        own.replace(
            "  sam@acme.example: { github: sam-appsec, gitlab: sam }",
            "  sam@acme.example:\n    github: sam-appsec\n    keyless:\n      - { issuer: \"https://token.actions.githubusercontent.com\", subject: \"https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19\" }",
        ),
    )
    .unwrap();
    let bundle = std::fs::read_to_string(crate::common::fixture(
        "sigstore/pypi_attestations-0.0.19.tar.gz.publish.attestation.sigstore.json",
    ))
    .unwrap();
    let acc = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    let acc = acc.replace(
        "    ticket: SEC-301\n",
        &format!(
            "    ticket: SEC-301\n    signature: '{}'\n",
            bundle.trim().replace('\'', "''")
        ),
    );
    std::fs::write(dir.join("acceptances.yaml"), acc).unwrap();
    let explain = |pol: &Path| {
        let mut c = cmd(&dir, pol, &["explain", "aws-access-key-id"]);
        c.args(["--report", "examples/reports/trivy-secrets.json"]);
        run(&mut c)
    };
    std::fs::write(pol.join("guardrails.yaml"), &g).unwrap();
    let r = explain(&pol);
    assert!(
        r.stdout.contains("guardrails.yaml names no trusted_root"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    std::fs::copy(
        crate::common::fixture("sigstore/trusted_root.prod.json"),
        pol.join("trusted_root.json"),
    )
    .unwrap();
    std::fs::write(
        pol.join("guardrails.yaml"),
        g.replace(
            "  warn_before_days: 14",
            "  warn_before_days: 14\n  trusted_root: trusted_root.json",
        ),
    )
    .unwrap();
    let r = explain(&pol);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "the Sigstore bundle does not verify for sam@acme.example's keyless identity"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("status          blocked"), "{}", r.stdout);
    // the bytes a keyless signature must cover
    let mut c = riskgate();
    c.current_dir(root()).args([
        "canonical",
        "ACC-0001",
        "--policy",
        "examples/policy",
        "--acceptances",
        "examples/acceptances.yaml",
    ]);
    let r = run(&mut c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("{\"approved_by\":\"dana@acme.example\",\"created\":\"2026-11-01\",\"expires\":\"2027-01-15\",\"finding\":\"CVE-2019-11358\",\"id\":\"ACC-0001\","), "{}", r.stdout);
    assert!(!r.stdout.contains("signature"));
}

#[test]
fn an_approver_named_at_accept_is_asked_not_recorded_as_approving() {
    // Issue 14: `accept X --by alice --approver dana`, run by alice, used to write
    // `approved_by: dana` and report the risk accepted. Now it is a request addressed to dana.
    let dir = workdir("claimed");
    let r = run(&mut with_reports(cmd(
        &dir,
        &policy(),
        &[
            "accept",
            FORTIFY,
            "--by",
            "alice@acme.example",
            "--approver",
            "dana@acme.example",
            "--reason",
            "The query is built from an enum.",
        ],
    )));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("ACC-0014 recorded in")
            && r.stdout
                .contains("as a pending request, addressed to dana@acme.example"),
        "{}",
        r.stdout
    );
    let text = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    let entry = text.split("- id: ACC-0014").nth(1).expect("entry");
    assert!(
        entry.contains("requested_approver: dana@acme.example"),
        "{entry}"
    );
    assert!(!entry.contains("approved_by"), "{entry}");
    let r = run(&mut with_reports(cmd(
        &dir,
        &policy(),
        &["check", "--format", "json"],
    )));
    assert_eq!(r.code, 1);
    let f = json_finding(&r, FORTIFY);
    assert_eq!(f["status"], "blocked");
    assert!(
        f["reasons"][0]
            .as_str()
            .unwrap()
            .contains("ACC-0014 is a pending request"),
        "{f}"
    );
}

#[test]
fn a_delegate_does_not_approve_the_request_of_the_risk_owner() {
    let dir = workdir("delegate");
    // dana (payments-api's risk owner) is in no team; make her a requester of payments-dev.
    let own_path = dir.join("policy/ownership.yaml");
    let own = std::fs::read_to_string(&own_path).unwrap();
    std::fs::write(
        &own_path,
        own.replace(
            "members: [alice@acme.example, bob@acme.example]",
            "members: [alice@acme.example, bob@acme.example, dana@acme.example]",
        ),
    )
    .unwrap();
    let r = run(&mut with_reports(cmd(
        &dir,
        &policy(),
        &[
            "accept",
            FORTIFY,
            "--by",
            "dana@acme.example",
            "--reason",
            "enum only",
        ],
    )));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&mut cmd(
        &dir,
        &policy(),
        &["approve", "ACC-0014", "--by", "erin@acme.example"],
    ));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("erin@acme.example is a delegate of the risk owner dana@acme.example, who requested it: a delegate does not approve the request of the person they act for"),
        "{}",
        r.stderr
    );
    // Written by hand, the gate says the same.
    let text = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    let text = text.replace(
        "    requested_by: dana@acme.example\n",
        "    requested_by: dana@acme.example\n    approved_by: erin@acme.example\n",
    );
    std::fs::write(dir.join("acceptances.yaml"), text).unwrap();
    let r = run(&mut with_reports(cmd(
        &dir,
        &policy(),
        &["check", "--format", "json"],
    )));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let acc = v["acceptances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "ACC-0014")
        .unwrap()
        .clone();
    assert!(
        acc["problems"]
            .to_string()
            .contains("a delegate does not approve the request of the person they act for"),
        "{acc}"
    );
    assert_eq!(json_finding(&r, FORTIFY)["status"], "blocked");
}

#[test]
fn approve_and_check_agree_on_who_owns_the_finding() {
    // `approve` checked separation of duties against the product's team, `check` against the
    // team that owns the finding (platform, for OS packages): a platform member holding security
    // could approve a platform-owned critical finding that `check` then rejected. `approve` does
    // not read the reports, so it now checks against every team that can own one of the
    // product's findings (its team and every layer's owner), and refuses the platform member.
    let dir = workdir("agree");
    let own_path = dir.join("policy/ownership.yaml");
    let own = std::fs::read_to_string(&own_path).unwrap();
    std::fs::write(
        &own_path,
        own.replace("security: [appsec]", "security: [appsec, pat@acme.example]"),
    )
    .unwrap();
    let text = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    let text = format!(
        "{text}\n  - id: ACC-0099\n    finding: aws-access-key-id\n    product: payments-api\n    risk: critical\n    reason: rotated\n    requested_by: alice@acme.example\n    created: 2026-11-20\n    expires: 2026-12-01\n"
    );
    std::fs::write(dir.join("acceptances.yaml"), text).unwrap();
    let r = run(&mut cmd(
        &dir,
        &policy(),
        &["approve", "ACC-0099", "--by", "pat@acme.example"],
    ));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("pat@acme.example is a member of the owning team platform: security approval must come from outside the team"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_lines_riskgate_codeowners_prints_prove_approvals_under_code_review() {
    // A product repository as users have it: .riskgate/ with the policy and acceptances, the
    // gate's CI, and .github/CODEOWNERS made of what `riskgate codeowners` prints. No
    // `acceptances.codeowners`: riskgate finds the file at the repository root, as GitHub does.
    let work = workdir("codeowners-repo");
    let repo = work.join("payments-api");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let dot = crate::common::copy_policy(&repo.join(".riskgate"));
    let g = std::fs::read_to_string(dot.join("guardrails.yaml")).unwrap();
    let abs = format!(
        "  codeowners: {}\n",
        root().join("examples/CODEOWNERS").display()
    );
    std::fs::write(dot.join("guardrails.yaml"), g.replace(&abs, "")).unwrap();
    std::fs::copy(
        root().join("examples/acceptances.yaml"),
        dot.join("acceptances.yaml"),
    )
    .unwrap();
    let lines = riskgate()
        .current_dir(&repo)
        .args(["codeowners", "--product", "payments-api"])
        .run();
    assert_eq!(lines.code, 0, "{}", lines.stderr);
    std::fs::create_dir_all(repo.join(".github")).unwrap();
    std::fs::write(
        repo.join(".github/CODEOWNERS"),
        format!("* @acme/payments-dev\n{}", lines.stdout),
    )
    .unwrap();
    let check = || {
        let mut c = riskgate();
        c.current_dir(&repo).args([
            "check",
            "--product",
            "payments-api",
            "--now",
            "2026-11-23",
            "--format",
            "json",
        ]);
        for r in crate::common::EXAMPLE_REPORTS {
            c.arg("--report").arg(root().join(r));
        }
        c
    };
    let r = run(&mut check());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.stderr);
    let jquery = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "CVE-2019-11358")
        .unwrap()
        .clone();
    assert_eq!(jquery["status"], "accepted", "{jquery}");
    assert_eq!(
        jquery["approval"],
        "code review: .github/CODEOWNERS:5 requires @dana-acme"
    );

    // A pull request that also takes dana off the policy's line: her approval is no longer
    // proven, and the problem names the line to add.
    let text = std::fs::read_to_string(repo.join(".github/CODEOWNERS")).unwrap();
    std::fs::write(
        repo.join(".github/CODEOWNERS"),
        text.replace("/.riskgate/ @dana-acme ", "/.riskgate/ "),
    )
    .unwrap();
    let r = run(&mut check());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.stderr);
    let acc = v["acceptances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "ACC-0001")
        .unwrap()
        .clone();
    assert!(
        acc["problems"].to_string().contains("approved_by dana@acme.example is not proven: .github/CODEOWNERS does not require dana@acme.example's review of /.riskgate/acceptances.yaml (.github/CODEOWNERS:5 names @erin-acme @sam-appsec carol@acme.example); add `/.riskgate/acceptances.yaml @dana-acme`"),
        "{acc}"
    );
    // No CODEOWNERS at all.
    std::fs::remove_file(repo.join(".github/CODEOWNERS")).unwrap();
    let r = run(&mut check());
    assert!(r.stdout.contains("has no CODEOWNERS (.github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS, .gitlab/CODEOWNERS)"), "{}", r.stdout);
}

/// Bandit's SARIF (`bandit -f sarif`) with B602 (subprocess with shell=True) at `places`.
fn bandit_sarif(dir: &Path, places: &[(&str, u32)]) -> String {
    let results: Vec<serde_json::Value> = places
        .iter()
        .map(|(file, line)| {
            serde_json::json!({
                "ruleId": "B602", "level": "warning",
                "message": {"text": "subprocess call with shell=True identified, security issue."},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": file}, "region": {"startLine": line}}}],
                "properties": {"issue_severity": "MEDIUM", "issue_confidence": "HIGH"}
            })
        })
        .collect();
    let sarif = serde_json::json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{"tool": {"driver": {"name": "Bandit", "rules": [{"id": "B602", "name": "subprocess_popen_with_shell_equals_true"}]}},
                  "invocations": [{"executionSuccessful": true, "endTimeUtc": "2026-11-22T10:00:00Z"}],
                  "results": results}]
    });
    let p = dir.join(format!("bandit-{}.sarif", places.len()));
    std::fs::write(&p, sarif.to_string()).unwrap();
    p.display().to_string()
}

#[test]
fn a_code_finding_is_accepted_where_it_is() {
    // Issue 14: `riskgate accept B602 ...` wrote no location, so a new subprocess.call(...,
    // shell=True) in another file of the product was covered by it.
    let dir = workdir("code");
    let one = bandit_sarif(&dir, &[("app/tasks.py", 41)]);
    let mut accept = cmd(
        &dir,
        &policy(),
        &[
            "accept",
            "B602",
            "--by",
            "alice@acme.example",
            "--approver",
            "dana@acme.example",
            "--reason",
            "the command is a constant",
        ],
    );
    let r = run(accept.args(["--report", &one]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("it covers B602 where it is now (app/tasks.py)"),
        "{}",
        r.stdout
    );
    let text = std::fs::read_to_string(dir.join("acceptances.yaml")).unwrap();
    let entry = text
        .split("- id: ACC-0014")
        .nth(1)
        .expect("entry")
        .to_string();
    assert!(
        entry.contains("    paths: [\"app/tasks.py\"]\n    fingerprints: [\""),
        "{entry}"
    );
    assert!(entry.contains("    kind: weakness\n"), "{entry}");
    let r = run(&mut cmd(
        &dir,
        &policy(),
        &["approve", "ACC-0014", "--by", "dana@acme.example"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);

    // The same rule in a new file: the acceptance is not about it.
    let two = bandit_sarif(&dir, &[("app/tasks.py", 41), ("app/admin.py", 7)]);
    let check = |report: &str| {
        let r =
            run(cmd(&dir, &policy(), &["check", "--format", "json"]).args(["--report", report]));
        serde_json::from_str::<serde_json::Value>(&r.stdout).expect(&r.stderr)
    };
    let v = check(&two);
    let at = |v: &serde_json::Value, file: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["location"]["path"] == file)
            .cloned()
            .expect(file)
    };
    assert_eq!(at(&v, "app/tasks.py")["status"], "accepted");
    let new = at(&v, "app/admin.py");
    assert_eq!(new["status"], "blocked");
    assert!(
        new["reasons"][0]
            .as_str()
            .unwrap()
            .contains("none is recorded for it"),
        "{new}"
    );

    // Hand-written without a location, it covers both, and the run warns.
    let before = text.split("  - id: ACC-0014").next().expect("head");
    let wide = before.trim_end().to_string()
        + "\n  - id: ACC-0014\n    finding: B602\n    product: payments-api\n    risk: medium\n    reason: constant\n    requested_by: alice@acme.example\n    approved_by: dana@acme.example\n    created: 2026-11-23\n    expires: 2027-01-01\n";
    std::fs::write(dir.join("acceptances.yaml"), &wide).unwrap();
    let v = check(&two);
    assert_eq!(at(&v, "app/admin.py")["status"], "accepted");
    assert!(
        v["warnings"].to_string().contains(
            "acceptance ACC-0014 covers B602 anywhere in payments-api: it records no location"
        ),
        "{}",
        v["warnings"]
    );
    // `validate` warns too when the entry says it is a code finding.
    std::fs::write(
        dir.join("acceptances.yaml"),
        wide.replace(
            "    reason: constant\n",
            "    reason: constant\n    kind: weakness\n",
        ),
    )
    .unwrap();
    let r = riskgate()
        .args(["validate", "--policy"])
        .arg(dir.join("policy"))
        .arg("--acceptances")
        .arg(dir.join("acceptances.yaml"))
        .run();
    assert!(
        (r.stdout.clone() + &r.stderr).contains("ACC-0014 accepts a weakness finding with no location (`paths`, `fingerprints`): it covers B602 anywhere in payments-api"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    // Said explicitly, it is shown as such and does not warn.
    std::fs::write(
        dir.join("acceptances.yaml"),
        wide.replace(
            "    reason: constant\n",
            "    reason: constant\n    anywhere: true\n",
        ),
    )
    .unwrap();
    let v = check(&two);
    assert!(!v["warnings"].to_string().contains("records no location"));
    assert!(at(&v, "app/admin.py")["reasons"]
        .to_string()
        .contains("ACC-0014 covers B602 anywhere in the product (anywhere: true)"));
}
