//! `riskgate org report` and `riskgate org who` over a generated organisation: a register of
//! teams and products, each product gated by `riskgate check` on a real scanner report of
//! tests/fixtures (twice for some: the older run must not count), with SLA state and
//! acceptances recorded by `riskgate accept`. The view's numbers are checked against a count
//! made here, independently, from the same json reports.

use super::super::common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const NOW: &str = "2026-11-23";

const OWNERSHIP: &str = r##"version: 1
reviewed: 2026-10-01
escalation: cto@org.example
teams:
  alpha:
    members: [a1@org.example, a2@org.example]
    contact: "#alpha"
    escalation: head-alpha@org.example
  beta:
    members: [b1@org.example]
    contact: "#beta"
  platform:
    members: [p1@org.example]
    contact: "#platform"
    escalation: head-platform@org.example
  ghost:
    members: []
  appsec:
    members: [s1@org.example]
roles:
  security: [appsec]
layers:
  - name: os-packages
    owner: platform
    match: { package_class: os }
    disputed: "platform says distroless images are the product team's (2026-11-02)"
products:
  p01-alpine:  { team: alpha, risk_owner: ro1@org.example, criticality: high, exposure: internet, data: confidential, reviewed: 2026-09-01 }
  p02-npm:     { team: alpha, risk_owner: ro1@org.example, criticality: medium, exposure: internal, data: internal, reviewed: 2026-09-01 }
  p03-ruby:    { team: beta, risk_owner: ro2@org.example, criticality: medium, exposure: internal, data: internal, reviewed: 2026-09-01 }
  p04-debian:  { team: beta, risk_owner: ro2@org.example, criticality: low, exposure: isolated, data: internal, reviewed: 2026-09-01, disputed: "beta says it is platform's since the migration" }
  p05-pip:     { team: ghost, risk_owner: ro3@org.example, criticality: medium, exposure: internal, data: internal, reviewed: 2026-12-01 }
  p06-sarif:   { team: alpha, risk_owner: ro1@org.example, criticality: medium, exposure: internet, data: internal, reviewed: 2026-09-01 }
  p07-gitlab:  { team: beta, criticality: medium, exposure: internal, data: internal, reviewed: 2026-09-01 }
  p08-silent:  { team: beta, risk_owner: ro2@org.example, criticality: low, exposure: internal, data: internal, reviewed: 2026-09-01 }
people:
  ro1@org.example: {}
  ro2@org.example: {}
  ro3@org.example: {}
"##;

const GUARDRAILS: &str = r#"version: 1
levels:
  none:     { gate: pass }
  low:      { gate: warn,   sla_days: 180 }
  medium:   { gate: accept, approver: team,       max_days: 90, sla_days: 90 }
  high:     { gate: accept, approver: risk_owner, max_days: 30, sla_days: 30 }
  critical: { gate: accept, approver: security,   max_days: 14, sla_days: 7 }
ownership: { max_age_days: 180, unowned: block }
acceptances: { warn_before_days: 30 }
sla: { overdue: block }
org: { report_max_age_days: 30 }
"#;

/// Each product's scanner report, and whether its SLA state is kept (first seen months ago).
const PRODUCTS: &[(&str, &str, bool)] = &[
    ("p01-alpine", "trivy/alpine-310.json", true),
    ("p02-npm", "trivy/npm.json", true),
    ("p03-ruby", "grype/chainguard-ruby-test.json", false),
    ("p04-debian", "trivy/debian-buster.json", true),
    ("p05-pip", "trivy/pip.json", true),
    (
        "p06-sarif",
        "sarif/sarifsdk-FortifyFpr-FortifyTest.fpr.sarif",
        false,
    ),
    ("p07-gitlab", "gitlab/trivy-npm.gitlab.json", true),
];

struct Org {
    dir: Scratch,
    policy: PathBuf,
    decisions: PathBuf,
    /// The report of each product that must count (its latest).
    latest: BTreeMap<String, PathBuf>,
}

fn check(org_policy: &Path, product: &str, report: &Path, now: &str, extra: &[&str]) -> Value {
    let mut c = riskgate();
    c.arg("check")
        .arg("--policy")
        .arg(org_policy)
        .args([
            "--product",
            product,
            "--now",
            now,
            "--format",
            "json",
            "--report",
        ])
        .arg(report)
        .args(extra);
    let r = c.run();
    assert!(r.code == 0 || r.code == 1, "check {product}: {}", r.stderr);
    serde_json::from_str(&r.stdout).expect("json report")
}

fn build_org() -> Org {
    let dir = scratch("org");
    let policy = dir.join("policy");
    std::fs::create_dir_all(&policy).unwrap();
    std::fs::write(policy.join("ownership.yaml"), OWNERSHIP).unwrap();
    std::fs::write(policy.join("guardrails.yaml"), GUARDRAILS).unwrap();
    let decisions = dir.join("decisions");
    std::fs::create_dir_all(decisions.join("old")).unwrap();
    let mut latest = BTreeMap::new();
    for (product, fixture_rel, state) in PRODUCTS {
        let report = fixture(fixture_rel);
        let state_file = dir.join(format!("{product}.state.json"));
        let acc = dir.join(format!("{product}.acceptances.yaml"));
        std::fs::write(&acc, "version: 1\nacceptances: []\n").unwrap();
        let mut extra: Vec<String> = vec!["--acceptances".into(), acc.display().to_string()];
        if *state {
            // First seen in June: by November, what has a short SLA is past it.
            let s = state_file.display().to_string();
            check(
                &policy,
                product,
                &report,
                "2026-06-01",
                &["--state", &s, "--update-state"],
            );
            extra.extend(["--state".into(), s]);
        }
        let extra_ref: Vec<&str> = extra.iter().map(String::as_str).collect();
        // An older run, superseded by the latest: it must not count.
        let old = check(&policy, product, &report, "2026-10-01", &extra_ref);
        let old_path = decisions.join("old").join(format!("{product}.json"));
        std::fs::write(&old_path, serde_json::to_vec_pretty(&old).unwrap()).unwrap();
        // The team accepts one blocked finding within its autonomy (medium, approver team).
        let first = check(&policy, product, &report, NOW, &extra_ref);
        if let Some(f) = first["findings"].as_array().unwrap().iter().find(|f| {
            f["status"] == "blocked"
                && f["required_approver"] == "team"
                && f["owner"]["team"].is_string()
        }) {
            let by = match f["owner"]["team"].as_str().unwrap() {
                "alpha" => "a1@org.example",
                "beta" => "b1@org.example",
                _ => "p1@org.example",
            };
            let mut c = riskgate();
            c.args([
                "accept",
                f["id"].as_str().unwrap(),
                "--by",
                by,
                "--reason",
                "not reachable",
                "--days",
                "20",
            ]);
            if let Some(p) = f["package"]["name"].as_str() {
                c.args(["--package", p]);
            }
            c.arg("--policy")
                .arg(&policy)
                .args(["--product", product, "--now", NOW]);
            c.arg("--acceptances")
                .arg(&acc)
                .arg("--report")
                .arg(&report);
            let r = c.run();
            assert_eq!(r.code, 0, "accept in {product}: {}{}", r.stdout, r.stderr);
        }
        let last = check(&policy, product, &report, NOW, &extra_ref);
        let path = decisions.join(format!("{product}.json"));
        std::fs::write(&path, serde_json::to_vec_pretty(&last).unwrap()).unwrap();
        latest.insert(product.to_string(), path);
    }
    Org {
        dir,
        policy,
        decisions,
        latest,
    }
}

fn org(o: &Org, args: &[&str]) -> Run {
    let mut c = riskgate();
    c.arg("org")
        .args(args)
        .arg("--policy")
        .arg(&o.policy)
        .arg("--decisions")
        .arg(&o.decisions)
        .args(["--now", NOW]);
    c.run()
}

/// The `key` of each object in the array `list`.
fn field(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap().to_string())
        .collect()
}

fn open(status: &str) -> bool {
    !matches!(status, "passed" | "suppressed" | "suppressed_by_scanner")
}

#[derive(Default, Debug, PartialEq)]
struct Expect {
    open: u64,
    blocked: u64,
    accepted: u64,
    would_block: u64,
    overdue: u64,
    unowned: u64,
    with_due: u64,
    within: u64,
}

#[test]
fn org_report_counts_match_an_independent_count_of_the_latest_reports() {
    let o = build_org();
    let r = org(&o, &["report", "--format", "json"]).exits(0);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    // The independent count: every finding of each product's latest report, under the team
    // that owns it; unowned ones under the product's team.
    let own: register::Register = register::register();
    let mut teams: BTreeMap<String, Expect> = BTreeMap::new();
    let mut products: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (product, path) in &o.latest {
        let rep: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let ptab = products.entry(product.clone()).or_default();
        for f in rep["findings"].as_array().unwrap() {
            let status = f["status"].as_str().unwrap();
            let team = match f["owner"]["team"].as_str() {
                Some(t) => t.to_string(),
                None => {
                    teams.entry(own.team_of(product)).or_default().unowned += 1;
                    if open(status) {
                        ptab.0 += 1;
                    }
                    if status == "blocked" {
                        ptab.1 += 1;
                    }
                    continue;
                }
            };
            let e = teams.entry(team).or_default();
            if open(status) {
                e.open += 1;
                ptab.0 += 1;
                if !f["due"].is_null() {
                    e.with_due += 1;
                    if f["overdue"] == true {
                        e.overdue += 1;
                    } else {
                        e.within += 1;
                    }
                }
            }
            match status {
                "blocked" => {
                    e.blocked += 1;
                    ptab.1 += 1;
                }
                "accepted" => e.accepted += 1,
                "would_block" => e.would_block += 1,
                _ => {}
            }
        }
    }
    let got = v["teams"].as_object().unwrap();
    // Every team of the register is there, counted or not.
    let names: BTreeSet<&str> = got.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        BTreeSet::from(["alpha", "appsec", "beta", "ghost", "platform"])
    );
    let mut some_overdue = false;
    let mut some_accepted = false;
    for (name, t) in got {
        let want = teams.remove(name).unwrap_or_default();
        let have = Expect {
            open: t["open"].as_u64().unwrap(),
            blocked: t["blocked"].as_u64().unwrap(),
            accepted: t["accepted"].as_u64().unwrap(),
            would_block: t["would_block"].as_u64().unwrap(),
            overdue: t["overdue"].as_u64().unwrap(),
            unowned: t["unowned"].as_u64().unwrap(),
            with_due: t["with_due"].as_u64().unwrap(),
            within: t["within_sla"].as_u64().unwrap(),
        };
        assert_eq!(have, want, "team {name}");
        some_overdue |= want.overdue > 0;
        some_accepted |= want.accepted > 0;
        match t["sla_compliance"].as_f64() {
            Some(f) => assert!((f - want.within as f64 / want.with_due as f64).abs() < 1e-9),
            None => assert_eq!(
                want.with_due, 0,
                "team {name}: null compliance with due dates"
            ),
        }
    }
    assert!(teams.is_empty(), "teams the view left out: {teams:?}");
    assert!(
        some_overdue && some_accepted,
        "the organisation exercises SLA and acceptances"
    );
    // ghost has no members: its product's findings are unowned, and counted as its.
    assert!(got["ghost"]["unowned"].as_u64().unwrap() > 0);
    assert_eq!(got["platform"]["products"], serde_json::json!([]));
    assert!(
        got["platform"]["open"].as_u64().unwrap() > 0,
        "OS packages are platform's"
    );
    assert_eq!(got["alpha"]["escalation"], "head-alpha@org.example");
    assert_eq!(got["beta"]["escalation"], "cto@org.example");
    // Products: the latest run of each, p08 has none.
    let prods = v["products"].as_object().unwrap();
    assert_eq!(prods.len(), PRODUCTS.len());
    for (name, (open_n, blocked_n)) in &products {
        let p = &prods[name];
        assert_eq!(p["evaluated_at"], "2026-11-23T00:00:00Z", "{name}");
        assert_eq!(p["open"].as_u64().unwrap(), *open_n, "{name} open");
        assert_eq!(p["blocked"].as_u64().unwrap(), *blocked_n, "{name} blocked");
        assert_eq!(p["team"], own.team_of(name).as_str());
    }
    assert_eq!(v["reports"]["read"], 2 * PRODUCTS.len());
    assert_eq!(v["reports"]["superseded"], PRODUCTS.len());
    let missing = field(&v["no_recent_report"], "product");
    assert_eq!(missing, ["p08-silent"]);
    // p05's entry was reviewed after its last run; p07 has no risk owner.
    assert!(prods["p05-pip"]["stale"][0]
        .as_str()
        .unwrap()
        .contains("before its register entry was reviewed on 2026-12-01"));
    let stale = field(&v["stale_ownership"], "reason");
    assert!(
        stale
            .iter()
            .any(|s| s.contains("p07-gitlab has no risk owner")),
        "{stale:?}"
    );
    assert!(
        v["stale_ownership"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["entry"] == "layer os-packages"
                && s["reason"]
                    .as_str()
                    .unwrap()
                    .contains("is disputed: platform says")
                && s["escalation"] == "head-platform@org.example"),
        "{stale:?}"
    );
    assert!(
        stale
            .iter()
            .any(|s| s.contains("product p04-debian is disputed")),
        "{stale:?}"
    );
    assert!(
        stale
            .iter()
            .any(|s| s.contains("team `ghost` has no members")),
        "{stale:?}"
    );
    // Every acceptance recorded (20 days) expires within warn_before_days (30).
    let expiring = v["expiring_acceptances"].as_array().unwrap();
    assert!(!expiring.is_empty());
    assert!(expiring
        .iter()
        .all(|a| a["days_left"] == 20 && a["requested_by"].is_string()));
    // The totals are the sum over every finding, owned or not.
    let total_open: u64 = products.values().map(|p| p.0).sum();
    assert_eq!(v["totals"]["open"].as_u64().unwrap(), total_open);
    // Deterministic: the same inputs and --now give the same bytes.
    let again = org(&o, &["report", "--format", "json"]).exits(0);
    assert_eq!(again.stdout, r.stdout);
    // (.ci/run validates the view against `riskgate schema org`.)
}

/// The register, read for the independent count (which team a product has).
mod register {
    pub struct Register(Vec<(String, String)>);
    pub fn register() -> Register {
        // `  p01-alpine:  { team: alpha, ...`
        Register(
            super::OWNERSHIP
                .lines()
                .filter_map(|l| {
                    let (name, rest) = l.trim().split_once(':')?;
                    let rest = rest.trim().strip_prefix("{ team: ")?;
                    Some((name.to_string(), rest.split(',').next()?.to_string()))
                })
                .collect(),
        )
    }
    impl Register {
        pub fn team_of(&self, product: &str) -> String {
            self.0
                .iter()
                .find(|(p, _)| p == product)
                .map(|(_, t)| t.clone())
                .unwrap_or_default()
        }
    }
}

#[test]
fn org_who_finds_exactly_the_products_that_carry_the_id_through_aliases() {
    let o = build_org();
    // An alias some finding carries, asked in lower case.
    let mut carriers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (product, path) in &o.latest {
        let rep: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        for f in rep["findings"].as_array().unwrap() {
            let ids = std::iter::once(&f["id"]).chain(f["aliases"].as_array().unwrap());
            for id in ids {
                carriers
                    .entry(id.as_str().unwrap().to_lowercase())
                    .or_default()
                    .insert(product.clone());
            }
        }
    }
    // An id that more than one product carries, and one that is only an alias somewhere.
    let (shared, want) = carriers
        .iter()
        .filter(|(_, p)| p.len() > 1)
        .max_by_key(|(_, p)| p.len())
        .expect("a shared vulnerability");
    let r = org(&o, &["who", shared, "--format", "json"]).exits(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["id"], shared.as_str());
    let got: BTreeSet<String> = field(&v["products"], "product").into_iter().collect();
    assert_eq!(&got, want, "{shared}");
    for p in v["products"].as_array().unwrap() {
        for k in [
            "team",
            "contact",
            "risk_owner",
            "escalation",
            "status",
            "risk",
        ] {
            assert!(p.get(k).is_some(), "{k} missing in {p}");
        }
        assert!(p["findings"].as_array().unwrap().iter().all(|f| {
            let ids: Vec<String> = std::iter::once(&f["id"])
                .chain(f["aliases"].as_array().unwrap())
                .map(|i| i.as_str().unwrap().to_lowercase())
                .collect();
            ids.contains(shared)
        }));
    }
    assert_eq!(v["not_reported"], serde_json::json!(["p08-silent"]));
    // An alias that is never a finding's own id still finds its products.
    let alias_only = o
        .latest
        .values()
        .flat_map(|p| {
            let rep: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            rep["findings"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|f| f["aliases"].as_array().unwrap().clone())
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .find(|a| {
            !o.latest.values().any(|p| {
                std::fs::read_to_string(p)
                    .unwrap()
                    .contains(&format!("\"id\": \"{a}\""))
            })
        });
    if let Some(a) = alias_only {
        let r = org(&o, &["who", &a.to_uppercase(), "--format", "json"]).exits(0);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        let got: BTreeSet<String> = field(&v["products"], "product").into_iter().collect();
        assert_eq!(&got, &carriers[&a.to_lowercase()], "alias {a}");
    }
    // The table names the owner, and an id nobody has exits 1.
    let t = org(&o, &["who", shared]).exits(0);
    assert!(
        t.stdout.contains("PRODUCT") && t.stdout.contains("ESCALATION"),
        "{}",
        t.stdout
    );
    let none = org(&o, &["who", "CVE-1999-0000"]).exits(1);
    assert!(none
        .stdout
        .contains("No product's latest report has CVE-1999-0000"));
}

#[test]
fn org_refuses_what_is_not_a_whole_riskgate_report() {
    let o = build_org();
    let good = std::fs::read_to_string(&o.latest["p02-npm"]).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "truncated.json",
            good[..good.len() / 2].to_string(),
            "truncated",
        ),
        (
            "scanner.json",
            std::fs::read_to_string(fixture("trivy/npm.json")).unwrap(),
            "not a riskgate json report",
        ),
        (
            "osv-shaped.json",
            r#"{"results": [{"foo": 1}]}"#.into(),
            "not a riskgate json report",
        ),
        (
            "edited.json",
            {
                let mut v: Value = serde_json::from_str(&good).unwrap();
                v["findings"].as_array_mut().unwrap().pop();
                serde_json::to_string(&v).unwrap()
            },
            "the report was edited or cut short",
        ),
        (
            "twice.json",
            good.replacen("\"findings\": [", "\"findings\": [], \"findings\": [", 1),
            "duplicate key `findings`",
        ),
        (
            "status.json",
            {
                let mut v: Value = serde_json::from_str(&good).unwrap();
                v["findings"][0]["status"] = "fine".into();
                serde_json::to_string_pretty(&v).unwrap()
            },
            "unknown variant `fine`",
        ),
    ];
    for (name, text, why) in cases {
        let d = o.dir.join(format!("bad-{name}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::copy(&o.latest["p01-alpine"], d.join("p01.json")).unwrap();
        std::fs::write(d.join(name), text).unwrap();
        let mut c = riskgate();
        c.args(["org", "report", "--format", "json", "--now", NOW])
            .arg("--policy")
            .arg(&o.policy)
            .arg("--decisions")
            .arg(&d);
        let r = c.run();
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(name) && r.stderr.contains(why),
            "{name}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{name}: a view was printed");
    }
    // No report at all is not an empty, healthy organisation.
    let empty = o.dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let mut c = riskgate();
    c.args(["org", "report", "--now", NOW])
        .arg("--policy")
        .arg(&o.policy)
        .arg("--decisions")
        .arg(&empty);
    let r = c.run().exits(2);
    assert!(r.stderr.contains("no riskgate json report"), "{}", r.stderr);
    // The output cannot overwrite one of the reports.
    let r = org(
        &o,
        &[
            "report",
            "--output",
            &o.latest["p01-alpine"].display().to_string(),
        ],
    )
    .exits(2);
    assert!(
        r.stderr.contains("is one of the reports read"),
        "{}",
        r.stderr
    );
}

/// The html page in a real headless browser (Debian's chromium): it renders with no console
/// error (no script, nothing fetched: the page's CSP would report any), and each chart draws
/// one mark per team. The screenshot is left at target/tmp/org-report.png to look at.
#[test]
fn org_html_renders_in_a_real_browser_with_one_mark_per_team() {
    if !tools_available("the org page test", &["chromium"], false, "chromium") {
        return;
    }
    let o = build_org();
    let page = o.dir.join("org.html");
    org(
        &o,
        &[
            "report",
            "--format",
            "html",
            "--output",
            &page.display().to_string(),
        ],
    )
    .exits(0);
    let json = org(&o, &["report", "--format", "json"]).exits(0);
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    let teams: Vec<&str> = v["teams"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // Cargo's scratch directory for integration tests (target/tmp), which outlives the test.
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("org-report.png");
    let url = format!("file://{}", page.display());
    let browser = |extra: &[&str]| {
        let mut c = std::process::Command::new("chromium");
        c.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1100,2400",
        ])
        .args(extra)
        .arg(&url)
        .env("HOME", &*o.dir);
        c.output().expect("run chromium")
    };
    let out = browser(&[&format!("--screenshot={}", shot.display())]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let png = std::fs::read(&shot).expect("screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a blank screenshot?"
    );
    let dom = browser(&["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    for chart in ["chart-sla", "chart-risk", "chart-expiry"] {
        let at = dom
            .find(&format!("id=\"{chart}\""))
            .unwrap_or_else(|| panic!("{chart} missing"));
        let svg = &dom[at..at + dom[at..].find("</svg>").unwrap()];
        let marks: Vec<&str> = svg
            .split("<g class=\"mark\" data-team=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        assert_eq!(marks, teams, "{chart}: one mark per team, in order");
    }
}

/// examples/decisions/ (what the README's `org` commands read) is what `check` writes today,
/// from the example's reports and SLA state (examples/state/, first seen on 2026-08-03).
#[test]
fn the_example_decisions_are_what_check_writes() {
    let dir = scratch("example-decisions");
    let state = dir.join("state.json");
    let mut first = check_with(Path::new("examples/policy"), EXAMPLE_REPORTS);
    first
        .args([
            "--acceptances",
            "examples/acceptances.yaml",
            "--now",
            "2026-08-03",
            "--update-state",
            "--state",
        ])
        .arg(&state);
    let r = first.run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        std::fs::read_to_string(root().join("examples/state/payments-api.json")).unwrap(),
        "examples/state/payments-api.json is stale"
    );
    let mut c = example_check(EXAMPLE_REPORTS);
    c.args([
        "--acceptances",
        "examples/acceptances.yaml",
        "--state",
        "examples/state/payments-api.json",
        "--format",
        "json",
    ]);
    let r = c.run().exits(1);
    assert_eq!(
        r.stdout,
        std::fs::read_to_string(root().join("examples/decisions/payments-api.json")).unwrap(),
        "examples/decisions/payments-api.json is stale"
    );
    let r = riskgate()
        .current_dir(root())
        .args([
            "check",
            "--policy",
            "examples/policy",
            "--product",
            "checkout-web",
            "--now",
            "2026-11-20",
            "--report",
            "examples/reports/trivy-npm.json",
            "--format",
            "json",
        ])
        .run()
        .exits(1);
    assert_eq!(
        r.stdout,
        std::fs::read_to_string(root().join("examples/decisions/checkout-web.json")).unwrap(),
        "examples/decisions/checkout-web.json is stale"
    );
}

/// `check` names whom to escalate to: the owning team's escalation contact for its overdue
/// findings, the organisation's for findings nobody owns; an empty contact is refused.
#[test]
fn check_names_the_escalation_of_unowned_and_overdue_findings() {
    let o = build_org();
    let reasons = |product: &str| -> Vec<(Value, String)> {
        let rep: Value =
            serde_json::from_slice(&std::fs::read(&o.latest[product]).unwrap()).unwrap();
        rep["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f.clone(), f["reasons"].to_string()))
            .collect()
    };
    // p05's team has no members: its findings are unowned, escalated to the organisation.
    let unowned: Vec<_> = reasons("p05-pip")
        .into_iter()
        .filter(|(f, _)| f["owner"]["team"].is_null() && f["status"] == "blocked")
        .collect();
    assert!(!unowned.is_empty());
    for (f, r) in &unowned {
        assert!(
            r.contains("ownership.unowned is block; escalate to cto@org.example"),
            "{r}"
        );
        assert_eq!(f["owner"]["escalation"], "cto@org.example");
    }
    // platform's overdue findings (OS packages) go to platform's own escalation contact.
    let overdue: Vec<_> = reasons("p01-alpine")
        .into_iter()
        .chain(reasons("p02-npm"))
        .filter(|(f, _)| f["overdue"] == true && f["owner"]["team"] == "platform")
        .collect();
    assert!(!overdue.is_empty(), "platform has overdue findings");
    for (_, r) in &overdue {
        assert!(r.contains("; escalate to head-platform@org.example"), "{r}");
    }
    // Disputed ownership: every check of the product warns, naming whom to escalate to.
    let rep: Value =
        serde_json::from_slice(&std::fs::read(&o.latest["p04-debian"]).unwrap()).unwrap();
    let warnings = rep["warnings"].to_string();
    assert!(
        warnings.contains("ownership of product p04-debian is disputed: beta says it is platform's since the migration; escalate to cto@org.example"),
        "{warnings}"
    );
    assert!(
        warnings.contains("layer os-packages (owned by platform) is disputed: platform says distroless images are the product team's (2026-11-02); escalate to head-platform@org.example"),
        "{warnings}"
    );
    // An empty escalation contact is a register error, with its position.
    let bad = o.dir.join("bad-policy");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("ownership.yaml"),
        OWNERSHIP.replace("escalation: cto@org.example", "escalation: \"\""),
    )
    .unwrap();
    std::fs::write(bad.join("guardrails.yaml"), GUARDRAILS).unwrap();
    let r = riskgate()
        .args(["validate", "--now", NOW, "--policy"])
        .arg(&bad)
        .run()
        .exits(2);
    assert!(
        r.stderr.contains("ownership.yaml:3:")
            && r.stderr.contains("an escalation contact cannot be empty"),
        "{}",
        r.stderr
    );
}
