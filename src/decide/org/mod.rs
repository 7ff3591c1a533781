//! The organisation's view (`riskgate org`): the latest decision of every product, summed by the
//! team that owns each finding and by product, against the register. Remediation performance
//! (SLA compliance), open risk, expiring acceptances, unowned findings, stale ownership and
//! pipelines that stopped gating, each naming whom to escalate to.
//!
//! Pure, like the rest of the core: the reports were read and their findings handed to a
//! [`Tally`] one at a time by loading; the clock was read by the command.

mod tally;
mod who;

pub use tally::{is_open, Brief, Counts, Tally};
pub use who::{who, WhoRow, WhoView};

use crate::model::date::{Date, Timestamp};
use crate::model::outcome::{RiskLevel, Verdict};
use crate::model::record::{DecisionRecord, ImageRecord};
use crate::policy::guardrails::Guardrails;
use crate::policy::ownership::{stale, Ownership};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// A report and what its findings added up to.
pub struct Read {
    pub record: DecisionRecord,
    pub tally: Tally,
}

/// What the view is computed against.
pub struct OrgCfg<'p> {
    pub ownership: &'p Ownership,
    pub guardrails: &'p Guardrails,
    pub now: Timestamp,
    /// Where the register came from (a directory, `oci://...@sha256:...`), for the report.
    pub policy: &'p str,
}

/// The latest report of each product (by `evaluated_at`, then path, so ties resolve the same way
/// on every run), and what was set aside.
struct Latest {
    by_product: BTreeMap<String, Read>,
    superseded: usize,
    warnings: Vec<String>,
}

fn latest(reads: Vec<Read>) -> Latest {
    let mut by_product: BTreeMap<String, Read> = BTreeMap::new();
    let mut superseded = 0;
    let mut warnings = Vec::new();
    for r in reads {
        let Some(p) = r.record.product.clone() else {
            warnings.push(format!(
                "{}: the run gated no product of the register, so its {} finding(s) belong to nobody and are not counted; give `check` a --product",
                r.record.path, r.record.findings
            ));
            continue;
        };
        match by_product.get(&p) {
            None => {
                by_product.insert(p, r);
            }
            Some(have) => {
                superseded += 1;
                let newer = (r.record.evaluated_at, &r.record.path)
                    > (have.record.evaluated_at, &have.record.path);
                if have.record.evaluated_at == r.record.evaluated_at {
                    let used = if newer {
                        &r.record.path
                    } else {
                        &have.record.path
                    };
                    warnings.push(format!(
                        "{} and {} are both runs of {p} at {}; {used} is used",
                        have.record.path, r.record.path, r.record.evaluated_at
                    ));
                }
                if newer {
                    by_product.insert(p, r);
                }
            }
        }
    }
    Latest {
        by_product,
        superseded,
        warnings,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "riskgate org report")]
pub struct OrgView {
    pub version: u32,
    #[schemars(with = "String")]
    pub generated_at: Timestamp,
    /// The register and guardrails the view was computed against.
    pub policy: String,
    /// The organisation's escalation contact (`escalation` in ownership.yaml).
    pub escalation: Option<String>,
    pub reports: ReportsRead,
    /// Every finding of the latest reports, owned or not.
    pub totals: Totals,
    /// Every team of the register, and any team a report names that the register no longer has.
    pub teams: BTreeMap<String, TeamRow>,
    /// Every product with a report: its latest one.
    pub products: BTreeMap<String, ProductRow>,
    /// Products of the register whose latest report is missing or older than
    /// `org.report_max_age_days`.
    pub no_recent_report: Vec<MissingReport>,
    /// Register entries not reviewed within `ownership.max_age_days`, disputed, or otherwise
    /// unusable.
    pub stale_ownership: Vec<StaleEntry>,
    /// Active acceptances expiring within `acceptances.warn_before_days`, soonest first.
    pub expiring_acceptances: Vec<AcceptanceRow>,
    /// Every active (unexpired) acceptance of the latest reports, by expiry.
    pub acceptances: Vec<AcceptanceRow>,
    pub unowned: Vec<Listed>,
    pub overdue: Vec<Listed>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReportsRead {
    /// Report files read.
    pub read: usize,
    /// Reports used: the latest of each product.
    pub used: usize,
    /// Older reports of a product that has a later one.
    pub superseded: usize,
    /// Reports of runs that gated no product (not counted).
    pub without_product: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Totals {
    #[serde(flatten)]
    pub counts: Counts,
    pub sla_compliance: Option<f64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TeamRow {
    #[serde(flatten)]
    pub counts: Counts,
    /// `within_sla / with_due`; null when none of its findings has a due date.
    pub sla_compliance: Option<f64>,
    pub contact: Option<String>,
    /// Whom to call when the team does not act: its own escalation, else the organisation's.
    pub escalation: Option<String>,
    /// Whether the register has this team.
    pub registered: bool,
    /// The products it is the team of.
    pub products: Vec<String>,
    /// Of the acceptances expiring soon, those covering findings it owns.
    pub expiring_acceptances: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProductRow {
    /// The product's team in the register; null when the register no longer has the product.
    pub team: Option<String>,
    pub risk_owner: Option<String>,
    pub registered: bool,
    /// The report used (its latest).
    pub report: String,
    #[schemars(with = "String")]
    pub evaluated_at: Timestamp,
    pub verdict: Verdict,
    pub policy: String,
    pub images: Vec<ImageRecord>,
    #[serde(flatten)]
    pub counts: Counts,
    pub sla_compliance: Option<f64>,
    /// Days between the report's run and the view.
    pub report_age_days: i64,
    /// Why the report is out of date, when it is: older than `org.report_max_age_days`, or run
    /// before the register (or the product's entry) was last reviewed.
    pub stale: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MissingReport {
    pub product: String,
    pub team: String,
    pub risk_owner: Option<String>,
    pub escalation: Option<String>,
    /// When its latest report ran; null when there is none.
    #[schemars(with = "Option<String>")]
    pub last_evaluated_at: Option<Timestamp>,
    pub reason: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StaleEntry {
    /// `the ownership register`, `product payments-api`.
    pub entry: String,
    pub reason: String,
    pub escalation: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AcceptanceRow {
    pub product: String,
    pub id: String,
    pub finding: String,
    pub risk: RiskLevel,
    /// The team owning what it covers (else the product's team).
    pub team: Option<String>,
    pub requested_by: String,
    /// Who approved it; null when it was within the team's autonomy (or is pending).
    pub approved_by: Option<String>,
    #[schemars(with = "String")]
    pub expires: Date,
    pub days_left: i64,
    /// Why it did not hold in the product's latest run (pending approval, unproven, too
    /// long...); empty when it was in force.
    pub problems: Vec<String>,
}

/// A finding in a list, with its product and whom to escalate to.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Listed {
    pub product: String,
    #[serde(flatten)]
    pub finding: Brief,
    pub escalation: Option<String>,
}

/// The view: the latest report of every product, against the register, as of `cfg.now`.
pub fn org_view(cfg: &OrgCfg, reads: Vec<Read>) -> OrgView {
    let own = cfg.ownership;
    let today = cfg.now.date();
    let read = reads.len();
    let without_product = reads.iter().filter(|r| r.record.product.is_none()).count();
    let Latest {
        by_product,
        superseded,
        mut warnings,
    } = latest(reads);
    let mut teams: BTreeMap<String, TeamRow> = BTreeMap::new();
    for name in own.teams.keys() {
        team_row(&mut teams, own, name);
    }
    for (name, p) in &own.products {
        team_row(&mut teams, own, &p.team);
        if let Some(t) = teams.get_mut(&p.team) {
            t.products.push(name.clone());
        }
    }
    let mut totals = Counts::default();
    let mut products = BTreeMap::new();
    let mut acceptances = Vec::new();
    let mut unowned = Vec::new();
    let mut overdue = Vec::new();
    let warn_before = i64::from(cfg.guardrails.acceptances.warn_before_days);
    let max_age = i64::from(cfg.guardrails.org.report_max_age_days);
    for (name, r) in by_product {
        let entry = own.products.get(&name);
        let product_team = entry.map(|p| p.team.as_str());
        let rec = r.record;
        let tally = r.tally;
        if entry.is_none() {
            warnings.push(format!(
                "{}: product {name} is not in the register; its findings are counted under the teams the report names",
                rec.path
            ));
        }
        for (team, c) in &tally.by_team {
            team_row(&mut teams, own, team);
            if let Some(t) = teams.get_mut(team) {
                t.counts.add(c);
            }
        }
        if let Some(t) = product_team.and_then(|t| teams.get_mut(t)) {
            t.counts.unowned += tally.product.unowned;
        }
        totals.add(&tally.product);
        let escalate_unowned = own.escalation(product_team).map(str::to_string);
        unowned.extend(tally.unowned.into_iter().map(|b| Listed {
            product: name.clone(),
            finding: b,
            escalation: escalate_unowned.clone(),
        }));
        overdue.extend(tally.overdue.into_iter().map(|b| {
            let esc = own
                .escalation(b.team.as_deref().or(product_team))
                .map(str::to_string);
            Listed {
                product: name.clone(),
                finding: b,
                escalation: esc,
            }
        }));
        for a in rec.acceptances.iter().filter(|a| a.product == name) {
            let Some(expires) = a.expiry() else { continue };
            let days_left = expires.days_since(today);
            if days_left <= 0 {
                continue;
            }
            acceptances.push(AcceptanceRow {
                product: name.clone(),
                id: a.id.clone(),
                finding: a.finding.clone(),
                risk: a.risk,
                team: tally
                    .accepted_team
                    .get(&a.id)
                    .cloned()
                    .or_else(|| product_team.map(str::to_string)),
                requested_by: a.requested_by.clone(),
                approved_by: a.approved_by.clone(),
                expires,
                days_left,
                problems: a.problems.clone(),
            });
        }
        let age = today.days_since(rec.evaluated_at.date());
        let mut stale_why = Vec::new();
        if age > max_age {
            stale_why.push(format!(
                "its latest report is {age} days old (org.report_max_age_days is {max_age})"
            ));
        }
        let reviewed = [
            own.reviewed
                .as_ref()
                .and_then(|d| d.date())
                .map(|d| ("the register", d)),
            entry
                .and_then(|p| p.reviewed.as_ref())
                .and_then(|d| d.date())
                .map(|d| ("its register entry", d)),
        ];
        if let Some((what, on)) = reviewed.into_iter().flatten().max_by_key(|(_, d)| *d) {
            if rec.evaluated_at.date() < on {
                stale_why.push(format!(
                    "its latest report ran on {}, before {what} was reviewed on {on}: owners may have changed since",
                    rec.evaluated_at.date()
                ));
            }
        }
        products.insert(
            name.clone(),
            ProductRow {
                team: product_team.map(str::to_string),
                risk_owner: entry.and_then(|p| p.risk_owner.clone()),
                registered: entry.is_some(),
                report: rec.path,
                evaluated_at: rec.evaluated_at,
                verdict: rec.verdict,
                policy: rec.policy,
                images: rec.images,
                sla_compliance: tally.product.sla_compliance(),
                counts: tally.product,
                report_age_days: age,
                stale: stale_why,
            },
        );
    }
    let mut no_recent_report = Vec::new();
    for (name, p) in &own.products {
        let last = products.get(name).map(|r| r.evaluated_at);
        let reason = match last {
            None => "no report of it was given".to_string(),
            Some(t) if today.days_since(t.date()) > max_age => format!(
                "its latest report is {} days old (org.report_max_age_days is {max_age})",
                today.days_since(t.date())
            ),
            Some(_) => continue,
        };
        no_recent_report.push(MissingReport {
            product: name.clone(),
            team: p.team.clone(),
            risk_owner: p.risk_owner.clone(),
            escalation: own.escalation(Some(&p.team)).map(str::to_string),
            last_evaluated_at: last,
            reason,
        });
    }
    acceptances.sort_by(|a, b| (a.expires, &a.product, &a.id).cmp(&(b.expires, &b.product, &b.id)));
    let expiring_acceptances: Vec<AcceptanceRow> = acceptances
        .iter()
        .filter(|a| a.days_left <= warn_before)
        .cloned()
        .collect();
    for a in &expiring_acceptances {
        if let Some(t) = a.team.as_deref().and_then(|t| teams.get_mut(t)) {
            t.expiring_acceptances += 1;
        }
    }
    for t in teams.values_mut() {
        t.sla_compliance = t.counts.sla_compliance();
    }
    let urgency = |l: &Listed| (std::cmp::Reverse(l.finding.risk), l.finding.due);
    unowned.sort_by(|a, b| urgency(a).cmp(&urgency(b)).then(a.product.cmp(&b.product)));
    overdue.sort_by(|a, b| {
        (a.finding.due, std::cmp::Reverse(a.finding.risk), &a.product).cmp(&(
            b.finding.due,
            std::cmp::Reverse(b.finding.risk),
            &b.product,
        ))
    });
    OrgView {
        version: 1,
        generated_at: cfg.now,
        policy: cfg.policy.to_string(),
        escalation: own.escalation.clone(),
        reports: ReportsRead {
            read,
            used: products.len(),
            superseded,
            without_product,
        },
        totals: Totals {
            sla_compliance: totals.sla_compliance(),
            counts: totals,
        },
        teams,
        products,
        no_recent_report,
        stale_ownership: stale_ownership(own, cfg.guardrails, today),
        expiring_acceptances,
        acceptances,
        unowned,
        overdue,
        warnings,
    }
}

/// The row of `name`, added empty when it has none yet: a team of the register, or one a report
/// names that the register does not have.
fn team_row(teams: &mut BTreeMap<String, TeamRow>, own: &Ownership, name: &str) {
    if !teams.contains_key(name) {
        let team = own.teams.get(name);
        teams.insert(
            name.to_string(),
            TeamRow {
                counts: Counts::default(),
                sla_compliance: None,
                contact: team.and_then(|t| t.contact.clone()),
                escalation: own.escalation(Some(name)).map(str::to_string),
                registered: team.is_some(),
                products: Vec::new(),
                expiring_acceptances: 0,
            },
        );
    }
}

/// The register's entries that are out of date or unusable, each with whom to escalate to.
fn stale_ownership(own: &Ownership, g: &Guardrails, today: Date) -> Vec<StaleEntry> {
    let max = g.ownership.max_age_days;
    let mut out = Vec::new();
    let esc = |team: Option<&str>| own.escalation(team).map(str::to_string);
    let disputed = |d: crate::policy::ownership::Dispute| StaleEntry {
        escalation: esc(Some(d.team)),
        entry: d.entry,
        reason: d.reason,
    };
    out.extend(own.layer_disputes().into_iter().map(disputed));
    if let Some(reason) = stale("the ownership register", own.reviewed.as_ref(), today, max) {
        out.push(StaleEntry {
            entry: "the ownership register".into(),
            reason,
            escalation: esc(None),
        });
    }
    for (name, p) in &own.products {
        let entry = format!("product {name}");
        let mut reasons: Vec<String> = stale(&entry, p.reviewed.as_ref(), today, max)
            .into_iter()
            .collect();
        reasons.extend(own.product_problems(name));
        reasons.extend(own.no_risk_owner(name));
        for reason in reasons {
            out.push(StaleEntry {
                entry: entry.clone(),
                reason,
                escalation: esc(Some(&p.team)),
            });
        }
        out.extend(own.product_disputes(name).into_iter().map(disputed));
    }
    out
}
