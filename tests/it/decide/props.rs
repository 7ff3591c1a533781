//! Properties of the decision core over generated findings and acceptances, with the example
//! organisation's policy (`examples/policy`):
//! - adding a well-formed acceptance never turns an allowed finding (or run) into a blocked one;
//! - raising a finding's severity never turns a block into an allow;
//! - the json report is the same across runs and whatever the order of the findings.

use proptest::prelude::*;
use riskgate::decide::{Decision, Engine, Inputs, Status, Verdict};
use riskgate::model::date::Timestamp;
use riskgate::model::finding::{dedup, Finding, Kind, Package, PackageClass, Severity};
use riskgate::policy::acceptances::Acceptance;
use riskgate::policy::levels::RiskLevel;
use riskgate::policy::Policy;
use riskgate::report::{json, View};
use std::sync::OnceLock;

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| {
        riskgate::load::read_policy(&crate::common::root().join("examples/policy"), None).unwrap()
    })
}

const IDS: &[&str] = &[
    "CVE-2019-11358",
    "CVE-2019-1551",
    "CVE-2023-28755",
    "mysecret",
    "GHSA-aaaa-bbbb-cccc",
];
const PACKAGES: &[&str] = &["jquery", "libssl1.1", "uri"];
const PEOPLE: &[&str] = &[
    "alice@acme.example",
    "bob@acme.example",
    "pat@acme.example",
    "sam@acme.example",
    "dana@acme.example",
    "erin@acme.example",
    "carol@acme.example",
];

fn severity() -> impl Strategy<Value = Severity> {
    prop_oneof![
        Just(Severity::Unknown),
        Just(Severity::None),
        Just(Severity::Low),
        Just(Severity::Medium),
        Just(Severity::High),
        Just(Severity::Critical),
    ]
}

fn finding() -> impl Strategy<Value = Finding> {
    (
        0..IDS.len(),
        severity(),
        0..PACKAGES.len(),
        any::<bool>(),
        0..3usize,
        any::<bool>(),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(id, sev, pkg, os, path, grype, fix)| {
            let mut f = Finding::new(
                IDS[id],
                Kind::Vulnerability,
                if grype { "grype" } else { "trivy" },
            );
            f.severity = sev;
            f.package = Some(Package {
                name: PACKAGES[pkg].into(),
                version: Some(["3.3.9", "1.1.1c-r0", "0.10.1"][pkg].into()),
                class: Some(if os {
                    PackageClass::Os
                } else {
                    PackageClass::Library
                }),
                purl: None,
                ecosystem: None,
            });
            f.location.path =
                Some(["package-lock.json", "infra/main.tf", "src/Gemfile.lock"][path].into());
            f.fix_available = fix;
            f
        })
}

fn level() -> impl Strategy<Value = RiskLevel> {
    (0..5usize).prop_map(|i| RiskLevel::ALL[i])
}

fn acceptance() -> impl Strategy<Value = Acceptance> {
    (
        0..IDS.len(),
        proptest::option::of(0..PACKAGES.len()),
        level(),
        0..PEOPLE.len(),
        proptest::option::of(0..PEOPLE.len()),
        -60i64..10,
        1i64..120,
        0..1000u32,
    )
        .prop_map(|(id, pkg, risk, req, appr, start, days, n)| {
            let created = now().date().add_days(start);
            Acceptance {
                id: format!("ACC-{n:04}"),
                finding: IDS[id].into(),
                package: pkg.map(|p| PACKAGES[p].to_string()),
                versions: None,
                paths: Default::default(),
                images: Default::default(),
                fingerprints: Vec::new(),
                anywhere: false,
                kind: None,
                product: "payments-api".into(),
                risk,
                reason: "generated".into(),
                requested_by: PEOPLE[req].into(),
                requested_approver: None,
                approved_by: appr.map(|a| PEOPLE[a].to_string()),
                created: created.into(),
                expires: created.add_days(days).into(),
                ticket: None,
                signature: None,
                unknown: Default::default(),
            }
        })
}

fn now() -> Timestamp {
    Timestamp::parse("2026-11-23T08:00:00Z").unwrap()
}

fn decide<R>(
    findings: &[Finding],
    accs: &[Acceptance],
    f: impl FnOnce(&Decision, &Engine) -> R,
) -> R {
    let p = policy();
    let engine = Engine::new(&p.ownership, &p.guardrails, Some("payments-api")).unwrap();
    let d = engine.decide(&Inputs {
        findings,
        vex: &[],
        kev: None,
        epss: None,
        acceptances: accs,
        first_seen: None,
        now: now(),
        images: &[],
        artifacts: &[],
        base_layers: None,
        baseline: None,
        reports: &[],
        gated_images: &[],
        signatures: &[],
    });
    f(&d, &engine)
}

fn statuses(findings: &[Finding], accs: &[Acceptance]) -> (Verdict, Vec<(String, Status)>) {
    decide(findings, accs, |d, _| {
        (
            d.verdict,
            d.findings
                .iter()
                .map(|x| (x.finding.fingerprint.to_string(), x.status))
                .collect(),
        )
    })
}

fn report(findings: &[Finding], accs: &[Acceptance]) -> String {
    decide(findings, accs, |d, engine| {
        let view = View {
            decision: d,
            engine,
            policy_source: "examples/policy",
            acceptances_file: None,
            reports: &[],
            rerun: String::new(),
            policy_warnings: Vec::new(),
            explain_upcoming: false,
            notice: None,
            quiet: false,
        };
        let mut out = Vec::new();
        json::render(&mut out, &view).unwrap();
        String::from_utf8(out).unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn adding_an_acceptance_never_blocks_what_was_allowed(
        raw in proptest::collection::vec(finding(), 0..12),
        accs in proptest::collection::vec(acceptance(), 0..6),
        extra in acceptance(),
    ) {
        let findings = dedup(raw);
        let (v1, s1) = statuses(&findings, &accs);
        let mut more = accs.clone();
        more.push(extra);
        let (v2, s2) = statuses(&findings, &more);
        prop_assert!(!(v1 == Verdict::Allow && v2 == Verdict::Block));
        for ((fp, a), (_, b)) in s1.iter().zip(&s2) {
            prop_assert!(!(*a != Status::Blocked && *b == Status::Blocked), "{fp}: {a:?} -> {b:?}");
        }
    }

    #[test]
    fn raising_a_severity_never_allows_what_was_blocked(
        raw in proptest::collection::vec(finding(), 1..12),
        accs in proptest::collection::vec(acceptance(), 0..8),
        pick in any::<prop::sample::Index>(),
        up in 1usize..5,
    ) {
        let before = dedup(raw.clone());
        let (v1, _) = statuses(&before, &accs);
        let mut raised = raw;
        let i = pick.index(raised.len());
        let ladder = [Severity::None, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];
        let at = ladder.iter().position(|s| *s == raised[i].severity).unwrap_or(2);
        raised[i].severity = ladder[(at + up).min(4)];
        let (v2, _) = statuses(&dedup(raised), &accs);
        prop_assert!(!(v1 == Verdict::Block && v2 == Verdict::Allow));
    }

    #[test]
    fn the_report_does_not_depend_on_run_or_input_order(
        raw in proptest::collection::vec(finding(), 0..12),
        accs in proptest::collection::vec(acceptance(), 0..6),
        seed in any::<u64>(),
    ) {
        let a = report(&dedup(raw.clone()), &accs);
        let b = report(&dedup(raw.clone()), &accs);
        prop_assert_eq!(&a, &b);
        let mut shuffled = raw;
        // a deterministic shuffle from the seed
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let c = report(&dedup(shuffled), &accs);
        prop_assert_eq!(a, c);
    }
}
