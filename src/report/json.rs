//! The `json` report (SPEC §8): one object, schema `riskgate schema report`. Every other
//! machine-readable format is derived from the same decision; this one carries all of it.

use super::View;
use crate::decide::{Decided, Judged, Status, Suppression, Verdict};
use crate::model::date::{Date, Timestamp};
use crate::model::facts::{BaseFacts, Evidence};
use crate::model::finding::{Kind, PackageClass, Severity};
use crate::policy::levels::{ApproverRole, RiskLevel};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Version of the report's shape; bumped on any incompatible change.
pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize, JsonSchema)]
#[schemars(title = "riskgate report")]
pub struct Report<'a> {
    pub version: u32,
    pub verdict: Verdict,
    /// The product gated; null when the register has none for this run.
    pub product: Option<&'a str>,
    #[schemars(with = "String")]
    pub evaluated_at: Timestamp,
    /// The policy directory, or `builtin:policies/default`.
    pub policy: &'a str,
    pub summary: Summary,
    pub inputs: Vec<Input<'a>>,
    /// Written one at a time as the report is serialised, never collected: a run with a
    /// million findings does not hold a second copy of them.
    #[schemars(with = "Vec<FindingOut<'static>>")]
    pub findings: Findings<'a>,
    pub acceptances: Vec<AcceptanceOut<'a>>,
    /// Each `--image`, what was found and every rule applied to it.
    pub images: Vec<ImageOut<'a>>,
    /// Each `--artifact`, its digest, bundle and every rule applied to it.
    pub artifacts: Vec<ArtifactOut<'a>>,
    /// Rules about the run rather than one finding: `require_reports`, `acceptances.unused`.
    pub rules: Vec<RuleOut<'a>>,
    /// Things worth a look that do not block: stale ownership, acceptances expiring soon.
    pub warnings: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct ImageOut<'a> {
    /// As given to `--image`.
    pub reference: &'a str,
    /// The manifest (or index) digest it resolved to; null when it could not be trusted.
    pub digest: Option<&'a str>,
    /// `blocked` when any check failed.
    pub status: &'static str,
    pub pinned: bool,
    /// The config's user (`""` when it names none); null when not read.
    pub user: Option<&'a str>,
    pub base: Option<&'a BaseFacts>,
    /// Every signature and attestation found, and what verified it.
    pub signatures: &'a [Evidence],
    /// Registry operations (manifests, blobs, referrers) this image cost.
    pub registry_requests: u32,
    pub checks: Vec<CheckOut<'a>>,
}

#[derive(Serialize, JsonSchema)]
pub struct ArtifactOut<'a> {
    pub path: &'a str,
    pub digest: &'a str,
    /// The Sigstore bundle tried; null when none was found.
    pub bundle: Option<&'a str>,
    pub status: &'static str,
    pub signatures: &'a [Evidence],
    pub checks: Vec<CheckOut<'a>>,
}

#[derive(Serialize, JsonSchema)]
pub struct RuleOut<'a> {
    /// `require_reports[0]`, `products.NAME.require_reports[0]`, `acceptances.unused`.
    pub rule: &'a str,
    /// The report kind or acceptance id it is about.
    pub subject: &'a str,
    pub status: Status,
    pub reason: &'a str,
    pub owner: OwnerOut<'a>,
    #[schemars(with = "Option<String>")]
    pub enforce_from: Option<Date>,
    pub fix: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct CheckOut<'a> {
    /// `registry`, `product`, `digest`, `integrity`, `signature`, `attestation`, `base_image`,
    /// `base_age`, `root_user`.
    pub rule: &'static str,
    /// `passed`, `blocked`, or `would_block` before `enforce_from`.
    pub status: &'static str,
    #[schemars(with = "Option<String>")]
    pub enforce_from: Option<Date>,
    pub reason: &'a str,
    /// Who must fix it: the product's team, or the base image's owner for base rules.
    pub owner: OwnerOut<'a>,
    pub fix: Option<&'a str>,
}

fn checks<'a>(j: &'a Judged<'a>) -> Vec<CheckOut<'a>> {
    j.checks
        .iter()
        .map(|c| CheckOut {
            rule: c.check.rule,
            status: c.status().as_str(),
            enforce_from: c.pending,
            reason: &c.check.reason,
            owner: OwnerOut {
                team: c.owner.team,
                layer: c.owner.layer,
                escalation: None,
            },
            fix: c.check.fix.as_deref(),
        })
        .collect()
}

#[derive(Serialize, JsonSchema)]
pub struct Summary {
    pub findings: usize,
    /// Count of findings per status (every status present).
    pub by_status: BTreeMap<&'static str, usize>,
    /// Count of findings per risk level (every level present).
    pub by_risk: BTreeMap<&'static str, usize>,
    /// Count of blocked findings per owning team (`unowned` for findings without one).
    pub blocked_by_team: BTreeMap<String, usize>,
}

#[derive(Serialize, JsonSchema)]
pub struct Input<'a> {
    pub path: &'a str,
    pub format: &'a str,
    pub findings: usize,
    /// When the report says the scan ran.
    #[schemars(with = "Option<String>")]
    pub created: Option<Timestamp>,
}

#[derive(Serialize, JsonSchema)]
pub struct FindingOut<'a> {
    pub id: &'a str,
    pub aliases: &'a [String],
    pub kind: Kind,
    #[schemars(with = "Vec<String>")]
    pub tools: &'a [crate::model::finding::CompactString],
    pub title: Option<&'a str>,
    pub severity: Severity,
    pub cvss: Option<f64>,
    pub risk: RiskLevel,
    /// How the risk was derived: the severity mapping, then each rule that applied.
    pub risk_reasons: Vec<String>,
    pub kev: bool,
    pub epss: Option<f64>,
    pub package: Option<PackageOut<'a>>,
    pub fixed_version: Option<&'a str>,
    pub location: LocationOut<'a>,
    pub target: Option<&'a str>,
    pub owner: OwnerOut<'a>,
    pub status: Status,
    /// The role whose holder may accept this finding; null when it cannot be accepted.
    pub required_approver: Option<ApproverRole>,
    /// The id of the acceptance that covers it.
    pub acceptance: Option<&'a str>,
    /// The `never_accept` entry it matches.
    pub never_accept: Option<&'a str>,
    #[schemars(with = "Vec<String>")]
    pub reasons: &'a crate::decide::Reasons,
    /// First-seen date (needs `--state`).
    #[schemars(with = "Option<String>")]
    pub first_seen: Option<Date>,
    /// SLA due date (needs `--state`); absent rather than guessed.
    #[schemars(with = "Option<String>")]
    pub due: Option<Date>,
    pub overdue: bool,
    /// Whether the target branch (`--baseline`) already has it; null without a baseline.
    pub existing: Option<bool>,
    /// For `would_block`: when the rule that would block it is enforced from.
    #[schemars(with = "Option<String>")]
    pub enforce_from: Option<Date>,
    pub suppressed_by: Option<SuppressionOut<'a>>,
    /// What proved the covering acceptance's approval (`signature by ... verified`,
    /// `code review: .github/CODEOWNERS:3 requires @dana`, `within the team's autonomy: ...`).
    pub approval: Option<&'a str>,
    /// A suppression the scanner recorded (whether honoured or not: see `status`, `reasons`).
    pub scanner_suppression: Option<&'a crate::model::finding::ScannerSuppression>,
    /// The command that would record an acceptance for it, when it is blocked and acceptable.
    pub unblock: Option<String>,
    pub fingerprint: &'a str,
}

#[derive(Serialize, JsonSchema)]
pub struct PackageOut<'a> {
    pub name: &'a str,
    pub version: Option<&'a str>,
    pub class: Option<PackageClass>,
    pub purl: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct LocationOut<'a> {
    pub path: Option<&'a str>,
    pub line: Option<u32>,
    /// `base` or `app` when the image's layers are known.
    pub layer: Option<&'a str>,
    pub layer_digest: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct OwnerOut<'a> {
    /// The team that must remediate it; null when unowned.
    pub team: Option<&'a str>,
    /// The ownership layer that routed it (`os-packages`); null for the product's own team.
    pub layer: Option<&'a str>,
    /// Whom to call when the owner does not act (ownership.yaml `escalation`, the team's or
    /// the organisation's); absent when the register names none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct SuppressionOut<'a> {
    /// `vex` (a VEX statement) or `scanner` (the scanner's own suppression).
    pub source: &'a str,
    /// The VEX document, or the tool that suppressed it.
    pub document: &'a str,
    /// The VEX status, or the scanner's kind of suppression (`inSource`, `external`, `ignored`).
    pub status: &'a str,
    pub justification: Option<&'a str>,
    /// Why it is believed (a verified signer, or the level unsigned claims are trusted to).
    pub trusted: &'a str,
}

#[derive(Serialize, JsonSchema)]
pub struct AcceptanceOut<'a> {
    pub id: &'a str,
    pub finding: &'a str,
    pub product: &'a str,
    pub risk: RiskLevel,
    pub requested_by: &'a str,
    pub approved_by: Option<&'a str>,
    pub created: &'a str,
    pub expires: &'a str,
    /// Line of the entry in the acceptances file.
    pub line: Option<usize>,
    /// Fingerprints of the findings it covers in this run.
    pub covers: Vec<&'a str>,
    /// Why it does not cover findings it names, and what is wrong with it on its own.
    pub problems: &'a [String],
    pub days_left: Option<i64>,
    pub expiring_soon: bool,
}

impl<'a> Report<'a> {
    pub fn new(v: &'a View<'a>) -> Report<'a> {
        let d = v.decision;
        let mut by_status: BTreeMap<&'static str, usize> =
            Status::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        let mut by_risk: BTreeMap<&'static str, usize> =
            RiskLevel::ALL.iter().map(|l| (l.as_str(), 0)).collect();
        let mut blocked_by_team: BTreeMap<String, usize> = BTreeMap::new();
        for f in &d.findings {
            *by_status.entry(f.status.as_str()).or_default() += 1;
            *by_risk.entry(f.risk.as_str()).or_default() += 1;
            if f.status == Status::Blocked {
                *blocked_by_team
                    .entry(f.owner.team.unwrap_or("unowned").to_string())
                    .or_default() += 1;
            }
        }
        Report {
            version: REPORT_VERSION,
            verdict: d.verdict,
            product: d.product,
            evaluated_at: d.now,
            policy: v.policy_source,
            summary: Summary {
                findings: d.findings.len(),
                by_status,
                by_risk,
                blocked_by_team,
            },
            inputs: v
                .reports
                .iter()
                .map(|r| Input {
                    path: &r.path,
                    format: r.format,
                    findings: r.count,
                    created: r.created,
                })
                .collect(),
            findings: Findings(Some(v)),
            acceptances: d
                .acceptances
                .iter()
                .map(|u| {
                    let a = u.acceptance;
                    AcceptanceOut {
                        id: &a.id,
                        finding: &a.finding,
                        product: &a.product,
                        risk: a.risk,
                        requested_by: &a.requested_by,
                        approved_by: a.approved_by.as_deref(),
                        created: a.created.as_str(),
                        expires: a.expires.as_str(),
                        line: v.acceptance_line(u.index),
                        covers: u.covers.clone(),
                        problems: &u.problems,
                        days_left: u.days_left,
                        expiring_soon: u.expiring_soon,
                    }
                })
                .collect(),
            images: d
                .images
                .iter()
                .filter_map(|j| {
                    let f = j.image?;
                    Some(ImageOut {
                        reference: j.target,
                        digest: j.digest,
                        status: j.status().as_str(),
                        pinned: f.pinned,
                        user: f.user.as_deref(),
                        base: f.base.as_ref(),
                        signatures: &f.signatures,
                        registry_requests: f.requests,
                        checks: checks(j),
                    })
                })
                .collect(),
            artifacts: d
                .artifacts
                .iter()
                .filter_map(|j| {
                    let f = j.artifact?;
                    Some(ArtifactOut {
                        path: j.target,
                        digest: &f.digest,
                        bundle: f.bundle.as_deref(),
                        status: j.status().as_str(),
                        signatures: &f.signatures,
                        checks: checks(j),
                    })
                })
                .collect(),
            rules: d
                .rules
                .iter()
                .map(|r| RuleOut {
                    rule: &r.rule,
                    subject: &r.subject,
                    status: r.status,
                    reason: &r.reason,
                    owner: OwnerOut {
                        team: r.owner.team,
                        layer: r.owner.layer,
                        escalation: None,
                    },
                    enforce_from: r.enforce_from,
                    fix: r.fix.as_deref(),
                })
                .collect(),
            warnings: v.warnings(),
        }
    }
}

/// The findings of a [`Report`], serialised lazily from the decision (none: left for
/// [`render`] to write in their place).
pub struct Findings<'a>(Option<&'a View<'a>>);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(v) => s.collect_seq(v.decision.findings.iter().map(|f| finding(v, f))),
            None => s.collect_seq(std::iter::empty::<()>()),
        }
    }
}

fn finding<'a>(v: &'a View<'a>, d: &'a Decided<'a>) -> FindingOut<'a> {
    let f = d.finding;
    FindingOut {
        id: &f.id,
        aliases: &f.aliases,
        kind: f.kind,
        tools: &f.tools,
        title: f.title.as_deref(),
        severity: f.severity,
        cvss: f.cvss,
        risk: d.risk,
        risk_reasons: d.risk_steps.iter().map(|s| s.describe()).collect(),
        kev: d.kev,
        epss: d.epss,
        package: f.package.as_ref().map(|p| PackageOut {
            name: &p.name,
            version: p.version.as_deref(),
            class: p.class,
            purl: p.purl.as_deref(),
        }),
        fixed_version: f.fixed_version.as_deref(),
        location: LocationOut {
            path: f.location.path.as_deref(),
            line: f.location.line,
            layer: None,
            layer_digest: f.location.layer_digest.as_deref(),
        },
        target: f.target.as_deref(),
        owner: OwnerOut {
            team: d.owner.team,
            layer: d.owner.layer,
            escalation: d.owner.escalation,
        },
        status: d.status,
        required_approver: d.required_approver,
        acceptance: d.acceptance.map(|a| a.id.as_str()),
        never_accept: d.never_accept.as_deref(),
        reasons: &d.reasons,
        first_seen: d.first_seen,
        due: d.due,
        overdue: d.overdue,
        existing: d.existing,
        enforce_from: d.enforce_from,
        suppressed_by: d
            .suppressed_by
            .as_deref()
            .map(|s: &Suppression| SuppressionOut {
                source: s.source,
                document: s.document,
                status: s.status,
                justification: s.justification,
                trusted: &s.trusted,
            }),
        approval: d.approval.as_deref(),
        scanner_suppression: d.scanner_suppression,
        unblock: v.unblock_command(d),
        fingerprint: &f.fingerprint,
    }
}

pub fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    use super::parallel::{pretty_at, split_at, write_array};
    // The report without its findings (what it holds grows with the acceptances and images, not
    // the findings), and the findings written where they go, as they are rendered.
    let mut report = Report::new(v);
    report.findings = Findings(None);
    let frame = serde_json::to_vec_pretty(&report)?;
    let (head, tail) = split_at(&frame, "findings", 1)?;
    let mut out = io::BufWriter::with_capacity(1 << 16, w);
    out.write_all(head)?;
    write_array(&mut out, &v.decision.findings, 1, &|_, d, buf| {
        pretty_at(buf, 2, &finding(v, d))
    })?;
    out.write_all(tail)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// `riskgate schema report`.
pub fn schema() -> schemars::Schema {
    schemars::schema_for!(Report<'static>)
}
