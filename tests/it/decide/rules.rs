//! Table-driven tests of the pure decision core (`riskgate::decide`): every gate, every risk
//! action, every coverage rule of SPEC §3.3, separation of duties, expiry at the boundary, risk
//! rising after acceptance, VEX, unowned findings and SLA. Policies are parsed from YAML exactly
//! as users write them; KEV lookups use the real CISA catalog from tests/fixtures.

use riskgate::decide::{Decision, Engine, Inputs, ReviewProofs, Status, Verdict};
use riskgate::ingest::epss::Epss;
use riskgate::ingest::kev::Kev;
use riskgate::ingest::vex::{GatedImage, ProductId, VexProduct};
use riskgate::ingest::{Source, VexStatement, VexStatus};
use riskgate::model::date::{Date, Timestamp};
use riskgate::model::finding::{
    dedup, Finding, Kind, Package, PackageClass, ScannerSuppression, Severity,
};
use riskgate::policy::acceptances::Acceptance;
use riskgate::policy::guardrails::Guardrails;
use riskgate::policy::levels::RiskLevel;
use riskgate::policy::ownership::Ownership;
use riskgate::policy::yaml::YamlFile;
use std::collections::BTreeMap;

const OWNERSHIP: &str = r#"
version: 1
reviewed: 2026-10-01
teams:
  payments-dev: { members: [alice@acme.example, bob@acme.example] }
  platform: { members: [pat@acme.example] }
  appsec: { members: [sam@acme.example] }
  ghost: { members: [] }
roles:
  security: [appsec, bob@acme.example]
  governance: [carol@acme.example]
layers:
  - { name: os-packages, owner: platform, match: { package_class: os } }
  - { name: infrastructure, owner: platform, match: { path: ["infra/**", "**/*.tf"] } }
products:
  payments-api:
    team: payments-dev
    risk_owner: dana@acme.example
    delegates: [erin@acme.example]
    criticality: high
    exposure: internet
    data: confidential
    reviewed: 2026-09-15
    layers:
      - { name: legacy, owner: ghost, match: { path: ["legacy/**"] } }
  ledger-batch:
    team: payments-dev
    risk_owner: dana@acme.example
    criticality: critical
    exposure: isolated
    data: restricted
    reviewed: 2026-09-15
"#;

const GUARDRAILS: &str = r#"
version: 1
risk:
  unknown_severity: medium
  rules:
    - when: { kev: true }
      set: critical
    - when: { epss: ">=0.5" }
      raise: 1
    - when: { exposure: isolated, fix_available: false }
      lower: 1
    - when: { kind: secret }
      floor: high
levels:
  none:     { gate: pass }
  low:      { gate: warn,   sla_days: 180 }
  medium:   { gate: accept, approver: team,       max_days: 90, sla_days: 90 }
  high:     { gate: accept, approver: risk_owner, max_days: 30, sla_days: 30 }
  critical: { gate: accept, approver: security,   max_days: 14, sla_days: 7 }
never_accept:
  - { kev: true, exposure: internet, fix_available: true }
  - { id: "LEAK-*" }
ownership: { max_age_days: 180, unowned: block }
# The approvals these tables record are proven by code review (Run::review), unless a test says
# otherwise; see approvals_need_proof.
acceptances: { approvals: code_review }
sla: { overdue: block }
"#;

fn own() -> Ownership {
    YamlFile::parse::<Ownership>("ownership.yaml".into(), OWNERSHIP.into())
        .unwrap()
        .0
}

fn guard(text: &str) -> Guardrails {
    YamlFile::parse::<Guardrails>("guardrails.yaml".into(), text.into())
        .unwrap()
        .0
}

fn now() -> Timestamp {
    Timestamp::parse("2026-11-23T12:00:00Z").unwrap()
}

/// A library vulnerability in payments-dev's code.
fn lib(id: &str, sev: Severity) -> Finding {
    let mut f = Finding::new(id, Kind::Vulnerability, "trivy");
    f.severity = sev;
    f.package = Some(Package {
        name: "jquery".into(),
        version: Some("3.3.9".into()),
        class: Some(PackageClass::Library),
        purl: Some("pkg:npm/jquery@3.3.9".into()),
        ecosystem: None,
    });
    f.fixed_version = Some("3.4.0".into());
    f.location.path = Some("package-lock.json".into());
    f.target = Some("registry.acme.example/payments/api@sha256:aa".into());
    f.canonicalise();
    f
}

/// An OS package vulnerability (owned by platform through the os-packages layer).
fn os(id: &str, sev: Severity) -> Finding {
    let mut f = Finding::new(id, Kind::Vulnerability, "grype");
    f.severity = sev;
    f.package = Some(Package {
        name: "libssl1.1".into(),
        version: Some("1.1.1c-r0".into()),
        class: Some(PackageClass::Os),
        purl: Some("pkg:apk/alpine/libssl1.1@1.1.1c-r0".into()),
        ecosystem: None,
    });
    f.canonicalise();
    f
}

/// A valid acceptance in payments-api (requested by alice, of payments-dev); `extra` is YAML
/// whose keys replace the defaults.
fn acc(id: &str, finding: &str, risk: &str, extra: &str) -> Acceptance {
    let base = format!(
        "id: {id}\nfinding: {finding}\nproduct: payments-api\nrisk: {risk}\nreason: test\n\
         requested_by: alice@acme.example\ncreated: 2026-11-20\nexpires: 2026-12-01\n"
    );
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_saphyr::from_str(&base).unwrap();
    if !extra.is_empty() {
        let over: serde_json::Map<String, serde_json::Value> =
            serde_saphyr::from_str(extra).unwrap();
        map.extend(over);
    }
    serde_json::from_value(serde_json::Value::Object(map)).unwrap()
}

struct Run {
    own: Ownership,
    guard: Guardrails,
    product: Option<&'static str>,
    kev: Option<Kev>,
    epss: Option<Epss>,
    vex: Vec<VexStatement>,
    first_seen: Option<BTreeMap<String, Date>>,
    now: Timestamp,
    images: Vec<GatedImage>,
    /// What CODEOWNERS proves of each approver (every one, by default).
    review: ReviewProofs,
}

impl Run {
    fn new() -> Run {
        Run {
            own: own(),
            guard: guard(GUARDRAILS),
            product: Some("payments-api"),
            kev: None,
            epss: None,
            vex: Vec::new(),
            first_seen: None,
            now: now(),
            images: Vec::new(),
            review: [
                "dana@acme.example",
                "erin@acme.example",
                "sam@acme.example",
                "bob@acme.example",
                "carol@acme.example",
                "pat@acme.example",
            ]
            .into_iter()
            .map(|p| (p.to_string(), Ok(format!("CODEOWNERS:1 requires {p}"))))
            .collect(),
        }
    }

    fn decide<R>(
        &self,
        findings: &[Finding],
        accs: &[Acceptance],
        check: impl FnOnce(&Decision) -> R,
    ) -> R {
        let mut engine = Engine::new(&self.own, &self.guard, self.product).unwrap();
        engine.review = Some(&self.review);
        // What loading does: each acceptance's signature verified once, as facts.
        let signatures = riskgate::verify::signing::verify_all(accs, &self.own, None);
        let inputs = Inputs {
            findings,
            vex: &self.vex,
            kev: self.kev.as_ref(),
            epss: self.epss.as_ref(),
            acceptances: accs,
            first_seen: self.first_seen.as_ref(),
            now: self.now,
            images: &[],
            artifacts: &[],
            base_layers: None,
            baseline: None,
            reports: &[],
            gated_images: &self.images,
            signatures: &signatures,
        };
        let d = engine.decide(&inputs);
        check(&d)
    }

    /// Status of the single finding, and the problems of the first acceptance tried on it.
    fn one(&self, f: Finding, accs: &[Acceptance]) -> (Status, Vec<String>) {
        self.decide(&[f], accs, |d| {
            let x = &d.findings[0];
            (
                x.status,
                x.tried
                    .first()
                    .map(|t| t.problems.clone())
                    .unwrap_or_default(),
            )
        })
    }
}

fn real_kev() -> Kev {
    Kev::load(&crate::common::fixture(
        "kev/known_exploited_vulnerabilities.json",
    ))
    .unwrap()
}

#[test]
fn each_gate() {
    let r = Run::new();
    let cases = [
        (Severity::None, Status::Passed),
        (Severity::Low, Status::Warned),
        (Severity::Medium, Status::Blocked), // accept, nothing recorded
        (Severity::High, Status::Blocked),
        (Severity::Critical, Status::Blocked),
    ];
    for (sev, want) in cases {
        assert_eq!(r.one(lib("CVE-2019-11358", sev), &[]).0, want, "{sev}");
    }
    // gate block: cannot be accepted even by a perfect acceptance
    let g = GUARDRAILS.replace(
        "medium:   { gate: accept, approver: team,       max_days: 90, sla_days: 90 }",
        "medium:   { gate: block }",
    );
    let r = Run {
        guard: guard(&g),
        ..Run::new()
    };
    let (s, p) = r.one(
        lib("CVE-2019-11358", Severity::Medium),
        &[acc("A-1", "CVE-2019-11358", "medium", "")],
    );
    assert_eq!(s, Status::Blocked);
    assert!(p.iter().any(|p| p.contains("gate block")), "{p:?}");
}

#[test]
fn each_risk_action_is_recorded() {
    let mut r = Run::new();
    // set: KEV (CVE-2021-44228 is in the real catalog)
    r.kev = Some(real_kev());
    let (risk, steps) = r.decide(&[lib("CVE-2021-44228", Severity::Low)], &[], |d| {
        (d.findings[0].risk, d.findings[0].risk_steps.clone())
    });
    assert_eq!(risk, RiskLevel::Critical);
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1].rule, "risk.rules[0]");
    assert_eq!(steps[1].action, "set critical");
    assert_eq!(
        (steps[1].from, steps[1].to),
        (RiskLevel::Low, RiskLevel::Critical)
    );

    // raise: EPSS from a CSV in FIRST's format
    let csv = "#model_version:v2025.03.14,score_date:2026-11-22T12:55:00Z\ncve,epss,percentile\nCVE-2019-11358,0.61234,0.98\n";
    r.kev = None;
    r.epss = Some(Epss::parse(&Source::from_bytes("epss.csv", csv.as_bytes().to_vec())).unwrap());
    let (risk, steps) = r.decide(&[lib("CVE-2019-11358", Severity::Medium)], &[], |d| {
        (d.findings[0].risk, d.findings[0].risk_steps.clone())
    });
    assert_eq!(risk, RiskLevel::High);
    assert!(
        steps[1]
            .describe()
            .contains("{epss: >=0.5} raise 1: medium → high"),
        "{}",
        steps[1].describe()
    );

    // lower: isolated product, no fix
    let mut f = lib("CVE-2019-11358", Severity::High);
    f.fix_available = Some(false);
    let r = Run {
        product: Some("ledger-batch"),
        ..Run::new()
    };
    assert_eq!(
        r.decide(&[f.clone()], &[], |d| d.findings[0].risk),
        RiskLevel::Medium
    );
    // ...but not when the fix availability is unknown: a condition on a missing fact does not hold
    f.fix_available = None;
    assert_eq!(r.decide(&[f], &[], |d| d.findings[0].risk), RiskLevel::High);

    // floor: secrets are at least high
    let mut s = Finding::new("aws-access-key-id", Kind::Secret, "trivy");
    s.severity = Severity::Low;
    s.location.path = Some("deploy.sh".into());
    s.canonicalise();
    let r = Run::new();
    assert_eq!(r.decide(&[s], &[], |d| d.findings[0].risk), RiskLevel::High);

    // unknown severity counts as risk.unknown_severity; clamping at the top
    assert_eq!(
        r.decide(&[lib("X-1", Severity::Unknown)], &[], |d| d.findings[0]
            .risk),
        RiskLevel::Medium
    );
    let g = GUARDRAILS.replace("raise: 1", "raise: 9");
    let mut r = Run {
        guard: guard(&g),
        ..Run::new()
    };
    r.epss = Some(
        Epss::parse(&Source::from_bytes(
            "epss.csv",
            "cve,epss,percentile\nCVE-2019-11358,0.9,0.99\n"
                .as_bytes()
                .to_vec(),
        ))
        .unwrap(),
    );
    assert_eq!(
        r.decide(&[lib("CVE-2019-11358", Severity::Medium)], &[], |d| d
            .findings[0]
            .risk),
        RiskLevel::Critical
    );
}

#[test]
fn each_coverage_rule() {
    let r = Run::new();
    let f = || lib("CVE-2019-11358", Severity::Medium);
    // the base acceptance covers
    assert_eq!(
        r.one(f(), &[acc("A-1", "CVE-2019-11358", "medium", "")]),
        (Status::Accepted, vec![])
    );
    // by alias, case-insensitive
    let mut g = f();
    g.aliases.push("GHSA-6c3j-c64m-qhgq".into());
    assert_eq!(
        r.one(g, &[acc("A-1", "ghsa-6c3j-c64m-qhgq", "medium", "")])
            .0,
        Status::Accepted
    );

    let table: &[(&str, &str)] = &[
        // 1. scope
        ("product: ledger-batch", "recorded for product ledger-batch"),
        ("package: lodash", "package `lodash` does not match jquery"),
        ("package: pkg:npm/jque", "does not match"),
        ("versions: \"<3.0.0\"", "does not satisfy `<3.0.0`"),
        ("paths: [\"src/**\"]", "matches none of"),
        (
            "images: [\"registry.acme.example/checkout/**\"]",
            "matches none of",
        ),
        // 2. time
        ("created: 2026-11-24", "not valid before 2026-11-24"),
        ("expires: 2026-11-23", "expired on 2026-11-23"),
        (
            "created: 2026-08-01\nexpires: 2026-12-01",
            "lasts 122 days, longer than max_days 90",
        ),
        // 3. risk
        (
            "risk: low",
            "recorded at risk low, but the risk is now medium",
        ),
        // 4. authority: medium is the team's, and requested_by must be on the owning team
        (
            "requested_by: pat@acme.example",
            "is not a member of the owning team payments-dev",
        ),
    ];
    for (extra, want) in table {
        let (s, p) = r.one(f(), &[acc("A-1", "CVE-2019-11358", "medium", extra)]);
        assert_eq!(s, Status::Blocked, "{extra}");
        assert!(
            p.iter().any(|p| p.contains(want)),
            "{extra}: want {want:?} in {p:?}"
        );
    }
    // selectors that do match
    for extra in [
        "package: pkg:npm/jquery",
        "versions: \">=3.0, <3.4.0\"",
        "paths: [\"*.json\"]",
        "images: [\"registry.acme.example/payments/**\"]",
        "requested_by: dana@acme.example", // a higher role may do what the team may
    ] {
        assert_eq!(
            r.one(f(), &[acc("A-1", "CVE-2019-11358", "medium", extra)])
                .0,
            Status::Accepted,
            "{extra}"
        );
    }
    // 6. never_accept (an id glob) blocks whatever is recorded
    let (s, p) = r.one(
        lib("LEAK-7", Severity::Medium),
        &[acc("A-1", "LEAK-7", "medium", "")],
    );
    assert_eq!(s, Status::Blocked);
    assert!(
        p.iter().any(|p| p.contains("never_accept[1] {id: LEAK-*}")),
        "{p:?}"
    );
    // 7. signature: a team level that requires one needs the requester's signature (the CLI tests sign)
    let g = GUARDRAILS.replace("sla_days: 90 }", "sla_days: 90, require_signature: true }");
    let r2 = Run {
        guard: guard(&g),
        ..Run::new()
    };
    let (s, p) = r2.one(f(), &[acc("A-1", "CVE-2019-11358", "medium", "")]);
    assert_eq!(s, Status::Blocked);
    assert!(
        p.iter()
            .any(|p| p.contains("requires alice@acme.example's signature: it is not signed")),
        "{p:?}"
    );
}

#[test]
fn non_semver_versions_match_only_exactly() {
    let r = Run::new();
    let f = || os("CVE-2019-1551", Severity::Medium);
    let base = "requested_by: pat@acme.example\n";
    assert_eq!(
        r.one(
            f(),
            &[acc(
                "A",
                "CVE-2019-1551",
                "medium",
                &format!("{base}versions: \"1.1.1c-r0\"")
            )]
        )
        .0,
        Status::Accepted
    );
    let (s, p) = r.one(
        f(),
        &[acc(
            "A",
            "CVE-2019-1551",
            "medium",
            &format!("{base}versions: \"<1.1.1d\""),
        )],
    );
    assert_eq!(s, Status::Blocked);
    assert!(p[0].contains("not semver"), "{p:?}");
}

#[test]
fn approvals_need_proof() {
    let high = || lib("CVE-2019-11358", Severity::High);
    let approved = || {
        acc(
            "A-1",
            "CVE-2019-11358",
            "high",
            "approved_by: dana@acme.example",
        )
    };
    // code_review: the CODEOWNERS line is the proof, and reports say so.
    let mut r = Run::new();
    let (status, approval) = r.decide(&[high()], &[approved()], |d| {
        (d.findings[0].status, d.findings[0].approval.clone())
    });
    assert_eq!(status, Status::Accepted);
    assert_eq!(
        approval.as_deref(),
        Some("code review: CODEOWNERS:1 requires dana@acme.example")
    );
    // code_review, and CODEOWNERS does not require dana's review: the approval is a claim.
    r.review.insert(
        "dana@acme.example".into(),
        Err(
            "CODEOWNERS does not require dana@acme.example's review of /.riskgate/acceptances.yaml"
                .into(),
        ),
    );
    let (s, p) = r.one(high(), &[approved()]);
    assert_eq!(s, Status::Blocked);
    assert_eq!(
        p,
        vec!["approved_by dana@acme.example is not proven: CODEOWNERS does not require dana@acme.example's review of /.riskgate/acceptances.yaml"]
    );
    // signature (the default): an unsigned approval proves nothing.
    r.guard = guard(&GUARDRAILS.replace("acceptances: { approvals: code_review }", ""));
    let (s, p) = r.one(high(), &[approved()]);
    assert_eq!(s, Status::Blocked);
    assert!(
        p[0].starts_with("approved_by dana@acme.example is a claim nothing proves: it carries no signature by dana@acme.example (acceptances.approvals is signature)"),
        "{p:?}"
    );
    // The team's own levels need no approver, and say why they are accepted.
    let medium = lib("CVE-2019-11358", Severity::Medium);
    let approval = r.decide(
        &[medium],
        &[acc("A-2", "CVE-2019-11358", "medium", "")],
        |d| d.findings[0].approval.clone(),
    );
    assert_eq!(
        approval.as_deref(),
        Some(
            "within the team's autonomy: requested by alice@acme.example, a member of payments-dev"
        )
    );
}

#[test]
fn separation_of_duties() {
    let r = Run::new();
    let high = || lib("CVE-2019-11358", Severity::High);
    let crit = || lib("CVE-2019-11358", Severity::Critical);
    // (case, finding, recorded risk, acceptance fields, expected problem or None when it covers)
    type Case = (
        &'static str,
        fn() -> Finding,
        &'static str,
        &'static str,
        Option<&'static str>,
    );
    let table: &[Case] = &[
        // (case, finding, risk, extra, expected problem or None when it covers)
        ("risk owner approves high", high, "high", "approved_by: dana@acme.example", None),
        ("delegate acts as risk owner", high, "high", "approved_by: erin@acme.example", None),
        ("security may do what the risk owner may", high, "high", "approved_by: sam@acme.example", None),
        ("high needs an approver", high, "high", "", Some("not approved: level high needs approval by risk_owner (dana@acme.example, erin@acme.example)")),
        // bob is on the owning team and in the security role: the owning-team rule applies
        // from security up, so he may approve high as security...
        ("security-role member of the team approves high", high, "high", "approved_by: bob@acme.example", None),
        ("self-approval above the team", high, "high", "requested_by: dana@acme.example\napproved_by: dana@acme.example", Some("approved_by dana@acme.example is the requester")),
        ("risk owner approving critical", crit, "critical", "approved_by: dana@acme.example", Some("does not hold the role security")),
        // ...but not critical, which needs security from outside the team
        ("security approver from the owning team", crit, "critical", "approved_by: bob@acme.example", Some("member of the owning team payments-dev: security approval must come from outside the team")),
        ("security from outside the team", crit, "critical", "approved_by: sam@acme.example", None),
        ("governance may approve critical", crit, "critical", "approved_by: carol@acme.example", None),
    ];
    for (case, f, risk, extra, want) in table {
        let (s, p) = r.one(f(), &[acc("A-1", "CVE-2019-11358", risk, extra)]);
        match want {
            None => assert_eq!((s, p.clone()), (Status::Accepted, vec![]), "{case}"),
            Some(w) => {
                assert_eq!(s, Status::Blocked, "{case}");
                assert!(
                    p.iter().any(|p| p.contains(w)),
                    "{case}: want {w:?} in {p:?}"
                );
            }
        }
    }
}

#[test]
fn team_autonomy_belongs_to_the_owning_team() {
    let r = Run::new();
    // an OS package is platform's: payments-dev's alice may not accept it, platform's pat may
    let (s, p) = r.one(
        os("CVE-2019-1551", Severity::Medium),
        &[acc("A", "CVE-2019-1551", "medium", "")],
    );
    assert_eq!(s, Status::Blocked);
    assert!(p[0].contains("owning team platform"), "{p:?}");
    let (s, _) = r.one(
        os("CVE-2019-1551", Severity::Medium),
        &[acc(
            "A",
            "CVE-2019-1551",
            "medium",
            "requested_by: pat@acme.example",
        )],
    );
    assert_eq!(s, Status::Accepted);
}

#[test]
fn expiry_at_the_boundary() {
    let mut r = Run::new();
    let a = [acc(
        "A",
        "CVE-2019-11358",
        "medium",
        "created: 2026-11-23\nexpires: 2026-11-24",
    )];
    let f = || lib("CVE-2019-11358", Severity::Medium);
    for (at, want) in [
        ("2026-11-22T23:59:59Z", Status::Blocked), // before created
        ("2026-11-23T00:00:00Z", Status::Accepted), // created <= now
        ("2026-11-23T23:59:59Z", Status::Accepted), // now < expires
        ("2026-11-24T00:00:00Z", Status::Blocked), // expired
    ] {
        r.now = Timestamp::parse(at).unwrap();
        assert_eq!(r.one(f(), &a).0, want, "{at}");
    }
}

#[test]
fn risk_rising_after_acceptance_stops_the_cover() {
    let mut r = Run::new();
    let a = [acc("A", "CVE-2021-44228", "medium", "")];
    assert_eq!(
        r.one(lib("CVE-2021-44228", Severity::Medium), &a).0,
        Status::Accepted
    );
    // the CVE is in KEV: risk becomes critical, and KEV + internet + fix is never acceptable
    r.kev = Some(real_kev());
    let d = r.decide(&[lib("CVE-2021-44228", Severity::Medium)], &a, |d| {
        d.findings[0].clone().reasons
    });
    assert!(
        d.iter()
            .any(|x| x
                .contains("never_accept[0] {kev: true, fix_available: true, exposure: internet}")),
        "{d:?}"
    );
    let (s, p) = r.one(lib("CVE-2021-44228", Severity::Medium), &a);
    assert_eq!(s, Status::Blocked);
    assert!(
        p.iter()
            .any(|p| p.contains("recorded at risk medium, but the risk is now critical")),
        "{p:?}"
    );
}

fn stmt(status: VexStatus, products: Vec<VexProduct>, doc: &str) -> VexStatement {
    VexStatement {
        vulnerability: vec!["CVE-2019-11358".into()],
        products,
        status,
        justification: Some("vulnerable_code_not_in_execute_path".into()),
        document: doc.into(),
        author: Some("dev@acme.example".into()),
        signed_by: None,
        unverified: None,
    }
}

fn purl(p: &str) -> VexProduct {
    VexProduct::of(ProductId::Purl(p.into()))
}

#[test]
fn vex_suppresses_unless_contradicted() {
    let mut r = Run::new();
    r.vex = vec![stmt(
        VexStatus::NotAffected,
        vec![purl("pkg:npm/jquery@3.3.9")],
        "a.vex.json",
    )];
    // Unsigned, within the team's autonomy (medium: approver team): suppressed.
    let d = r.decide(&[lib("CVE-2019-11358", Severity::Medium)], &[], |d| {
        (
            d.findings[0].status,
            d.findings[0]
                .suppressed_by
                .as_ref()
                .map(|s| (s.document.to_string(), s.trusted.clone())),
            d.verdict,
        )
    });
    assert_eq!(
        d,
        (
            Status::Suppressed,
            Some((
                "a.vex.json".into(),
                "unsigned, trusted up to medium (vex.unsigned)".into()
            )),
            Verdict::Allow
        )
    );
    // another package: not suppressed
    r.vex = vec![stmt(
        VexStatus::NotAffected,
        vec![purl("pkg:npm/lodash")],
        "a.vex.json",
    )];
    assert_eq!(
        r.one(lib("CVE-2019-11358", Severity::Medium), &[]).0,
        Status::Blocked
    );
    // an `affected` statement elsewhere wins
    r.vex = vec![
        stmt(
            VexStatus::NotAffected,
            vec![purl("pkg:npm/jquery")],
            "a.vex.json",
        ),
        stmt(
            VexStatus::Affected,
            vec![purl("pkg:npm/jquery")],
            "b.vex.json",
        ),
    ];
    assert_eq!(
        r.one(lib("CVE-2019-11358", Severity::Medium), &[]).0,
        Status::Blocked
    );
}

#[test]
fn vex_scope_table() {
    let mut r = Run::new();
    r.images = vec![GatedImage::parse(
        "registry.acme.example/payments/api:1.4",
        Some("sha256:aaaa"),
    )
    .unwrap()];
    let name = |n: &str| VexProduct::of(ProductId::Name(n.into()));
    let within = |image: &str, sub: &str| VexProduct {
        id: ProductId::Purl(image.into()),
        subcomponents: vec![ProductId::Purl(sub.into())],
    };
    let cases: Vec<(&str, Vec<VexProduct>, Status)> = vec![
        ("the package", vec![purl("pkg:npm/jquery@3.3.9")], Status::Suppressed),
        ("the package, any version", vec![purl("pkg:npm/jquery")], Status::Suppressed),
        ("another version", vec![purl("pkg:npm/jquery@3.5.0")], Status::Blocked),
        ("another type", vec![purl("pkg:pypi/jquery")], Status::Blocked),
        ("the gated image by digest", vec![purl("pkg:oci/api@sha256%3Aaaaa")], Status::Suppressed),
        ("another digest", vec![purl("pkg:oci/api@sha256%3Abbbb")], Status::Blocked),
        (
            "a different image",
            vec![purl("pkg:oci/other-image@sha256%3Acccc?repository_url=registry.acme.example/other/image")],
            Status::Blocked,
        ),
        (
            "the gated repository",
            vec![purl("pkg:oci/api?repository_url=registry.acme.example/payments/api")],
            Status::Suppressed,
        ),
        ("the product by name", vec![name("payments-api")], Status::Suppressed),
        ("another product's name", vec![name("other-product-xyz")], Status::Blocked),
        ("no products", vec![], Status::Blocked),
        (
            "an unrelated purl and a plain name",
            vec![purl("pkg:npm/lodash"), name("other-product-xyz")],
            Status::Blocked,
        ),
        (
            "an unresolved ref",
            vec![VexProduct::of(ProductId::Unresolved("urn:cdx:x/1#jquery".into()))],
            Status::Blocked,
        ),
        (
            "the package inside the gated image",
            vec![within("pkg:oci/api@sha256%3Aaaaa", "pkg:npm/jquery")],
            Status::Suppressed,
        ),
        (
            "the package inside another image",
            vec![within("pkg:oci/other@sha256%3Acccc", "pkg:npm/jquery")],
            Status::Blocked,
        ),
        (
            "another package inside the gated image",
            vec![within("pkg:oci/api@sha256%3Aaaaa", "pkg:npm/lodash")],
            Status::Blocked,
        ),
    ];
    for (what, products, want) in cases {
        r.vex = vec![stmt(VexStatus::NotAffected, products, "a.vex.json")];
        assert_eq!(
            r.one(lib("CVE-2019-11358", Severity::Medium), &[]).0,
            want,
            "{what}"
        );
    }
}

#[test]
fn unsigned_vex_is_trusted_only_within_the_teams_autonomy() {
    let mut r = Run::new();
    r.vex = vec![stmt(
        VexStatus::NotAffected,
        vec![purl("pkg:npm/jquery")],
        "pr.vex.json",
    )];
    // Critical: above the team's autonomy (medium), so the unsigned statement does not suppress.
    let (status, reasons) = r.decide(&[lib("CVE-2019-11358", Severity::Critical)], &[], |d| {
        (d.findings[0].status, d.findings[0].reasons.clone())
    });
    assert_eq!(status, Status::Blocked);
    assert!(
        reasons.iter().any(|x| x.contains(
            "VEX not_affected by dev@acme.example in pr.vex.json not trusted for critical: unsigned statements suppress up to medium (vex.unsigned)"
        ) && x.contains("needs a statement signed by a vex.trusted signer")),
        "{reasons:?}"
    );
    // Signed by a trusted signer: any level.
    r.vex[0].signed_by = Some("key keys/vex.pub".into());
    let s = r.decide(&[lib("CVE-2019-11358", Severity::Critical)], &[], |d| {
        (
            d.findings[0].status,
            d.findings[0]
                .suppressed_by
                .as_ref()
                .map(|s| s.trusted.clone()),
        )
    });
    assert_eq!(
        s,
        (
            Status::Suppressed,
            Some("signed by key keys/vex.pub (vex.trusted)".into())
        )
    );
    // vex.unsigned lowers (or raises) the bar.
    r.vex[0].signed_by = None;
    r.guard = guard(&format!("{GUARDRAILS}vex: {{ unsigned: low }}\n"));
    assert_eq!(
        r.one(lib("CVE-2019-11358", Severity::Medium), &[]).0,
        Status::Blocked
    );
    r.guard = guard(&format!("{GUARDRAILS}vex: {{ unsigned: critical }}\n"));
    assert_eq!(
        r.one(lib("CVE-2019-11358", Severity::Critical), &[]).0,
        Status::Suppressed
    );
}

#[test]
fn scanner_suppressions_are_team_decisions() {
    let suppressed = |sev: Severity| {
        let mut f = lib("CVE-2019-11358", sev);
        f.scanner_suppression = Some(Box::new(ScannerSuppression {
            tool: "semgrep".into(),
            kind: "inSource".into(),
            justification: Some("nosemgrep".into()),
        }));
        f
    };
    let mut r = Run::new();
    let (s, reasons) = r.decide(&[suppressed(Severity::Medium)], &[], |d| {
        (d.findings[0].status, d.findings[0].reasons.clone())
    });
    assert_eq!(s, Status::SuppressedByScanner, "{reasons:?}");
    let (s, reasons) = r.decide(&[suppressed(Severity::Critical)], &[], |d| {
        (d.findings[0].status, d.findings[0].reasons.clone())
    });
    assert_eq!(s, Status::Blocked);
    assert!(
        reasons.iter().any(|x| x
            .contains("suppressed by semgrep (inSource: nosemgrep): not honoured for critical")),
        "{reasons:?}"
    );
    r.guard = guard(&format!("{GUARDRAILS}scanner_suppressions: honour\n"));
    assert_eq!(
        r.one(suppressed(Severity::Critical), &[]).0,
        Status::SuppressedByScanner
    );
    r.guard = guard(&format!("{GUARDRAILS}scanner_suppressions: ignore\n"));
    assert_eq!(r.one(suppressed(Severity::Low), &[]).0, Status::Warned);
}

#[test]
fn unowned_findings_follow_ownership_unowned() {
    // a layer routing to a team without members leaves the finding unowned
    let r = Run::new();
    let mut f = lib("CVE-2019-11358", Severity::Low);
    f.location.path = Some("legacy/app.js".into());
    f.canonicalise();
    let (s, _) = r.one(f.clone(), &[]);
    assert_eq!(s, Status::Warned, "low is not a gated level");
    let mut g = f.clone();
    g.severity = Severity::Medium;
    let reasons = r.decide(&[g.clone()], &[], |d| d.findings[0].reasons.clone());
    assert!(
        reasons
            .iter()
            .any(|x| x.contains("unowned (team ghost has no members)")),
        "{reasons:?}"
    );
    // without a product (the built-in policy) everything is unowned; warn keeps the gate's own status
    let r = Run {
        product: None,
        guard: guard(&GUARDRAILS.replace("unowned: block", "unowned: warn")),
        ..Run::new()
    };
    let d = r.decide(&[lib("CVE-2019-11358", Severity::Medium)], &[], |d| {
        (
            d.findings[0].status,
            d.findings[0].owner.team.map(String::from),
            d.findings[0].reasons.clone(),
        )
    });
    assert_eq!(d.0, Status::Blocked);
    assert_eq!(d.1, None);
    assert!(d.2.iter().any(|x| x.contains("ownership.unowned is warn")));
}

#[test]
fn ownership_layers_route_findings() {
    let r = Run::new();
    let mut tf = Finding::new("AVD-AWS-0086", Kind::Misconfiguration, "trivy");
    tf.severity = Severity::Low;
    tf.location.path = Some("infra/main.tf".into());
    tf.canonicalise();
    let owners = r.decide(
        &[
            os("CVE-2019-1551", Severity::Low),
            tf,
            lib("CVE-2019-11358", Severity::Low),
        ],
        &[],
        |d| {
            d.findings
                .iter()
                .map(|x| {
                    (
                        x.finding.id.clone(),
                        x.owner.team.map(String::from),
                        x.owner.layer.map(String::from),
                    )
                })
                .collect::<Vec<_>>()
        },
    );
    assert!(
        owners.contains(&(
            "CVE-2019-1551".into(),
            Some("platform".into()),
            Some("os-packages".into())
        )),
        "{owners:?}"
    );
    assert!(
        owners.contains(&(
            "AVD-AWS-0086".into(),
            Some("platform".into()),
            Some("infrastructure".into())
        )),
        "{owners:?}"
    );
    assert!(
        owners.contains(&("CVE-2019-11358".into(), Some("payments-dev".into()), None)),
        "{owners:?}"
    );
}

#[test]
fn sla_due_dates_come_only_from_state() {
    let mut r = Run::new();
    let f = lib("CVE-2019-11358", Severity::Low);
    assert_eq!(
        r.decide(std::slice::from_ref(&f), &[], |d| d.findings[0].due),
        None,
        "no state, no guess"
    );
    let mut seen = BTreeMap::new();
    seen.insert(
        f.fingerprint.to_string(),
        Date::parse("2026-01-01").unwrap(),
    );
    r.first_seen = Some(seen);
    let d = r.decide(std::slice::from_ref(&f), &[], |d| {
        (
            d.findings[0].status,
            d.findings[0].due,
            d.findings[0].overdue,
        )
    });
    assert_eq!(
        d,
        (Status::Blocked, Date::parse("2026-06-30"), true),
        "low: 180 days, overdue blocks"
    );
    r.guard = guard(&GUARDRAILS.replace("overdue: block", "overdue: warn"));
    assert_eq!(r.one(f.clone(), &[]).0, Status::Warned);
    // a new finding (not in the state) is first seen today
    r.first_seen = Some(BTreeMap::new());
    assert_eq!(
        r.decide(&[f], &[], |d| d.findings[0].due),
        Date::parse("2027-05-22")
    );
}

#[test]
fn override_that_loosens_is_refused() {
    let g = format!("{GUARDRAILS}products:\n  payments-api:\n    levels: {{ high: {{ approver: team, max_days: 60 }} }}\n");
    let (gr, file) = YamlFile::parse::<Guardrails>("guardrails.yaml".into(), g).unwrap();
    let problems = gr.validate(&file, &["payments-api"]);
    let msgs: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("approver `team` grants more autonomy than `risk_owner`")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("max_days 60 is longer than 30")),
        "{msgs:?}"
    );
    // tightening is fine, and takes effect
    let g = format!("{GUARDRAILS}products:\n  payments-api:\n    levels: {{ medium: {{ approver: risk_owner }} }}\n");
    let (gr, file) = YamlFile::parse::<Guardrails>("guardrails.yaml".into(), g).unwrap();
    assert!(gr.validate(&file, &["payments-api"]).is_empty());
    let r = Run {
        guard: gr,
        ..Run::new()
    };
    let (s, p) = r.one(
        lib("CVE-2019-11358", Severity::Medium),
        &[acc("A", "CVE-2019-11358", "medium", "")],
    );
    assert_eq!(s, Status::Blocked);
    assert!(p[0].contains("needs approval by risk_owner"), "{p:?}");
}

#[test]
fn verdict_and_acceptance_bookkeeping() {
    let r = Run::new();
    let findings = dedup(vec![
        lib("CVE-2019-11358", Severity::Medium),
        lib("CVE-2019-1551", Severity::Low),
    ]);
    let accs = [
        acc("A-1", "CVE-2019-11358", "medium", ""),
        acc("A-2", "CVE-2021-44228", "medium", ""),
        acc("A-3", "CVE-2019-11358", "medium", "package: lodash"),
    ];
    r.decide(&findings, &accs, |d| {
        assert_eq!(d.verdict, Verdict::Allow);
        assert_eq!(d.acceptances[0].covers.len(), 1);
        assert!(d.acceptances[1].problems[0].contains("not among this run's findings"));
        assert!(d.acceptances[2].problems[0].contains("match none of the 1 finding(s)"));
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("A-1 expires on 2026-12-01 (in 8 days)")),
            "{:?}",
            d.warnings
        );
    });
}

#[test]
fn scanner_status_is_a_guardrail_fact() {
    use riskgate::model::finding::ScanStatus;
    // The vendor will not fix it: lower the risk one step, as an organisation may decide.
    let g = GUARDRAILS.replace(
        "    - when: { kind: secret }",
        "    - when: { status: [will_not_fix, end_of_life] }\n      lower: 1\n    - when: { kind: secret }",
    );
    let r = Run {
        guard: guard(&g),
        ..Run::new()
    };
    let mut f = lib("CVE-2019-11358", Severity::High);
    assert_eq!(
        r.decide(&[f.clone()], &[], |d| d.findings[0].risk),
        RiskLevel::High
    );
    f.status = Some(ScanStatus::WillNotFix);
    let (risk, why) = r.decide(&[f.clone()], &[], |d| {
        (
            d.findings[0].risk,
            d.findings[0].risk_steps.last().map(|s| s.describe()),
        )
    });
    assert_eq!(risk, RiskLevel::Medium);
    assert!(why
        .unwrap()
        .contains("{status: [will_not_fix, end_of_life]} lower 1"));
    // not_affected from the scanner is a fact, never a suppression by itself
    f.status = Some(ScanStatus::NotAffected);
    assert_eq!(
        r.decide(&[f], &[], |d| d.findings[0].status),
        Status::Blocked
    );
    // a status riskgate does not know is a policy error, not a rule that never matches
    let bad = GUARDRAILS.replace("when: { kind: secret }", "when: { status: wont_fix }");
    assert!(YamlFile::parse::<Guardrails>("guardrails.yaml".into(), bad).is_err());
}

#[test]
fn every_cve_alias_counts_for_kev_epss_and_never_accept() {
    // A GHSA whose vendor ids are an unrelated CVE and Log4Shell: canonicalised, its id is the
    // lowest CVE (CVE-2021-0001), but Log4Shell is in KEV and must count.
    let mut f = Finding::new("GHSA-aaaa-bbbb-cccc", Kind::Vulnerability, "trivy");
    f.aliases = vec!["CVE-2021-0001".into(), "CVE-2021-44228".into()];
    f.severity = Severity::Low;
    f.package = lib("X", Severity::Low).package;
    f.location.path = Some("package-lock.json".into());
    f.fixed_version = Some("2.17.1".into());
    f.canonicalise();
    assert_eq!(f.id, "CVE-2021-0001");
    let mut r = Run::new();
    r.kev = Some(real_kev());
    let (risk, status, never) = r.decide(&[f.clone()], &[], |d| {
        (
            d.findings[0].risk,
            d.findings[0].status,
            d.findings[0].never_accept.clone(),
        )
    });
    assert_eq!(risk, RiskLevel::Critical, "KEV through an alias");
    assert_eq!(status, Status::Blocked);
    assert!(
        never.is_some(),
        "never_accept {{kev, internet, fix}} matches through the alias"
    );
    // EPSS: the highest score over the CVE aliases
    let csv = "cve,epss,percentile\nCVE-2021-0001,0.01,0.1\nCVE-2021-44228,0.97,0.99\n";
    let mut r = Run::new();
    r.epss = Some(Epss::parse(&Source::from_bytes("epss.csv", csv.as_bytes().to_vec())).unwrap());
    let steps = r.decide(&[f], &[], |d| d.findings[0].risk_steps.clone());
    assert!(
        steps
            .iter()
            .any(|s| s.describe().contains("{epss: >=0.5} raise 1")),
        "{steps:?}"
    );
    // never_accept ids compare case-insensitively, as acceptances do
    let g = GUARDRAILS.replace(r#"{ id: "LEAK-*" }"#, r#"{ id: "CVE-2022-1111" }"#);
    let r = Run {
        guard: guard(&g),
        ..Run::new()
    };
    let lower = lib("cve-2022-1111", Severity::Medium);
    let (status, never) = r.decide(&[lower], &[], |d| {
        (d.findings[0].status, d.findings[0].never_accept.clone())
    });
    assert_eq!(status, Status::Blocked);
    assert!(never.is_some());
}
