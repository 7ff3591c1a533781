//! Speed of the decision core: 200,000 findings against 20,000 acceptances with the example
//! organisation's policy. Acceptances are indexed by finding id, so the cost grows with findings
//! plus acceptances, not their product.
//!
//! Run with `cargo bench --bench decide`. Prints the time of `Engine::decide` (best of 3) and of
//! rendering the json report. Not a test: nothing here asserts a speed.

use riskgate::decide::{Engine, Inputs};
use riskgate::model::date::Timestamp;
use riskgate::model::finding::{dedup, Finding, Kind, Package, PackageClass, Severity};
use riskgate::policy::acceptances::Acceptance;
use riskgate::policy::levels::RiskLevel;
use riskgate::report::{json, View};
use std::path::PathBuf;
use std::time::Instant;

const FINDINGS: usize = 200_000;
const ACCEPTANCES: usize = 20_000;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let policy =
        riskgate::load::read_policy(&root.join("examples/policy"), None).expect("example policy");
    let sev = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
    let raw: Vec<Finding> = (0..FINDINGS)
        .map(|n| {
            let mut f = Finding::new(
                format!("CVE-2024-{:06}", n % 50_000),
                Kind::Vulnerability,
                "trivy",
            );
            f.severity = sev[n % 4];
            f.package = Some(Package {
                name: format!("pkg{}", n % 3000).into(),
                version: Some(format!("1.{}.0", n % 97).into()),
                class: Some(if n % 2 == 0 {
                    PackageClass::Os
                } else {
                    PackageClass::Library
                }),
                purl: None,
                ecosystem: None,
            });
            f.location.path = Some(format!("app/{}/package-lock.json", n % 500).into());
            f
        })
        .collect();
    let findings = dedup(raw);
    let accs: Vec<Acceptance> = (0..ACCEPTANCES)
        .map(|n| Acceptance {
            id: format!("ACC-{n:06}"),
            finding: format!("CVE-2024-{:06}", (n * 7) % 50_000),
            package: None,
            versions: None,
            paths: Default::default(),
            images: Default::default(),
            fingerprints: Vec::new(),
            anywhere: false,
            kind: None,
            product: "payments-api".into(),
            risk: RiskLevel::High,
            reason: "bench".into(),
            requested_by: "alice@acme.example".into(),
            requested_approver: None,
            approved_by: Some("dana@acme.example".into()),
            created: riskgate::model::date::DateText::new("2026-11-01"),
            expires: riskgate::model::date::DateText::new("2026-11-20"),
            ticket: None,
            signature: None,
            unknown: Default::default(),
        })
        .collect();
    let engine = Engine::new(&policy.ownership, &policy.guardrails, Some("payments-api")).unwrap();
    let inputs = Inputs {
        findings: &findings,
        vex: &[],
        kev: None,
        epss: None,
        acceptances: &accs,
        first_seen: None,
        now: Timestamp::parse("2026-11-10").unwrap(),
        images: &[],
        artifacts: &[],
        base_layers: None,
        baseline: None,
        reports: &[],
        gated_images: &[],
        signatures: &[],
    };
    let mut best = f64::MAX;
    let mut decision = None;
    for _ in 0..3 {
        let t = Instant::now();
        let d = engine.decide(&inputs);
        best = best.min(t.elapsed().as_secs_f64());
        decision = Some(d);
    }
    let Some(d) = decision else { return };
    let accepted = d.count(riskgate::decide::Status::Accepted);
    println!(
        "decide: {} findings x {} acceptances in {:.3} s (best of 3), {:.0} findings/s; {} accepted",
        findings.len(),
        accs.len(),
        best,
        findings.len() as f64 / best,
        accepted
    );
    let view = View {
        decision: &d,
        engine: &engine,
        policy_source: "examples/policy",
        acceptances_file: None,
        reports: &[],
        rerun: String::new(),
        policy_warnings: Vec::new(),
        explain_upcoming: false,
        notice: None,
        quiet: false,
    };
    let t = Instant::now();
    let mut out = Vec::with_capacity(256 << 20);
    json::render(&mut out, &view).unwrap();
    println!(
        "json report: {:.1} MB in {:.3} s",
        out.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
}
