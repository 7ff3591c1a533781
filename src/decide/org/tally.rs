//! One report's findings, counted as they are read: by owning team and for the product, with
//! the findings the view lists (unowned, overdue, the id `org who` asks about) kept.

use crate::model::date::Date;
use crate::model::outcome::{RiskLevel, Status};
use crate::model::record::FindingRecord;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Counts of findings, by what the gate decided. `open` is every finding not suppressed (by VEX
/// or the scanner) or passed: what still needs remediation or carries an accepted risk.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Counts {
    /// Every finding, whatever its status.
    pub findings: usize,
    pub open: usize,
    pub blocked: usize,
    pub would_block: usize,
    pub accepted: usize,
    pub warned: usize,
    /// Suppressed by a trusted VEX statement or by the scanner.
    pub suppressed: usize,
    /// Open and past the SLA due date, as of the report's own run or of today, whichever says so
    /// (an accepted finding is not overdue while its acceptance holds).
    pub overdue: usize,
    /// Open findings with an SLA due date (`check --state`).
    pub with_due: usize,
    /// Of those, not overdue.
    pub within_sla: usize,
    /// Findings nobody owns. Counted, for a team, over the products it is the team of.
    pub unowned: usize,
    /// Open findings per risk level (every level present).
    pub open_by_risk: BTreeMap<RiskLevel, usize>,
}

impl Counts {
    pub(super) fn add(&mut self, o: &Counts) {
        self.findings += o.findings;
        self.open += o.open;
        self.blocked += o.blocked;
        self.would_block += o.would_block;
        self.accepted += o.accepted;
        self.warned += o.warned;
        self.suppressed += o.suppressed;
        self.overdue += o.overdue;
        self.with_due += o.with_due;
        self.within_sla += o.within_sla;
        self.unowned += o.unowned;
        for (l, n) in &o.open_by_risk {
            *self.open_by_risk.entry(*l).or_default() += n;
        }
    }

    fn count(&mut self, status: Status, risk: RiskLevel, sla: Sla) {
        self.findings += 1;
        match status {
            Status::Blocked => self.blocked += 1,
            Status::WouldBlock => self.would_block += 1,
            Status::Accepted => self.accepted += 1,
            Status::Warned => self.warned += 1,
            Status::Suppressed | Status::SuppressedByScanner => self.suppressed += 1,
            Status::Passed => {}
        }
        if is_open(status) {
            self.open += 1;
            *self.open_by_risk.entry(risk).or_default() += 1;
        }
        match sla {
            Sla::None => {}
            Sla::Within => {
                self.with_due += 1;
                self.within_sla += 1;
            }
            Sla::Overdue => {
                self.with_due += 1;
                self.overdue += 1;
            }
        }
    }

    /// The share of open findings with a due date that are within it; `None` without any.
    pub fn sla_compliance(&self) -> Option<f64> {
        (self.with_due > 0).then(|| self.within_sla as f64 / self.with_due as f64)
    }
}

impl Default for Counts {
    fn default() -> Counts {
        Counts {
            findings: 0,
            open: 0,
            blocked: 0,
            would_block: 0,
            accepted: 0,
            warned: 0,
            suppressed: 0,
            overdue: 0,
            with_due: 0,
            within_sla: 0,
            unowned: 0,
            open_by_risk: RiskLevel::ALL.iter().map(|l| (*l, 0)).collect(),
        }
    }
}

/// Not suppressed or passed: still to remediate, or an accepted risk.
pub fn is_open(s: Status) -> bool {
    !matches!(
        s,
        Status::Passed | Status::Suppressed | Status::SuppressedByScanner
    )
}

#[derive(Clone, Copy)]
enum Sla {
    None,
    Within,
    Overdue,
}

/// One finding named in a list of the view (unowned, overdue, or matching `org who`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Brief {
    pub id: String,
    pub aliases: Vec<String>,
    pub title: Option<String>,
    pub risk: RiskLevel,
    pub status: Status,
    /// The owning team; null when unowned.
    pub team: Option<String>,
    pub layer: Option<String>,
    pub package: Option<String>,
    pub version: Option<String>,
    pub target: Option<String>,
    pub path: Option<String>,
    #[schemars(with = "Option<String>")]
    pub due: Option<Date>,
    pub overdue: bool,
    pub acceptance: Option<String>,
}

/// What one report's findings add up to, built while the report is read.
#[derive(Debug, Default)]
pub struct Tally {
    /// Owned findings, by owning team.
    pub(super) by_team: BTreeMap<String, Counts>,
    /// Every finding of the report.
    pub(super) product: Counts,
    pub(super) unowned: Vec<Brief>,
    pub(super) overdue: Vec<Brief>,
    /// The team owning the (first) finding each acceptance covered.
    pub(super) accepted_team: HashMap<String, String>,
    /// Findings that carry the id `org who` asks about.
    pub(super) hits: Vec<Brief>,
}

impl Tally {
    /// Counts one finding, as of `today`; keeps it when it carries `who` (an id or alias).
    pub fn add(&mut self, f: &FindingRecord, today: Date, who: Option<&str>) {
        let open = is_open(f.status);
        let overdue = open
            && (f.overdue || (f.status != Status::Accepted && f.due.is_some_and(|d| today > d)));
        let sla = match f.due {
            Some(_) if open && overdue => Sla::Overdue,
            Some(_) if open => Sla::Within,
            _ => Sla::None,
        };
        self.product.count(f.status, f.risk, sla);
        let team = f.owner.team.as_deref();
        match team {
            Some(t) => match self.by_team.get_mut(t) {
                Some(c) => c.count(f.status, f.risk, sla),
                None => {
                    let mut c = Counts::default();
                    c.count(f.status, f.risk, sla);
                    self.by_team.insert(t.to_string(), c);
                }
            },
            None => self.product.unowned += 1,
        }
        if let (Some(a), Some(t)) = (&f.acceptance, team) {
            if !self.accepted_team.contains_key(&**a) {
                self.accepted_team.insert(a.to_string(), t.to_string());
            }
        }
        let unowned = team.is_none() && open;
        let hit = who.is_some_and(|id| f.is(id));
        if unowned || overdue || hit {
            let b = brief(f, overdue);
            if hit {
                self.hits.push(b.clone());
            }
            if overdue {
                self.overdue.push(b.clone());
            }
            if unowned {
                self.unowned.push(b);
            }
        }
    }
}

fn brief(f: &FindingRecord, overdue: bool) -> Brief {
    let s = |t: &Option<crate::model::record::Text>| t.as_deref().map(str::to_string);
    Brief {
        id: f.id.to_string(),
        aliases: f.aliases.iter().map(|a| a.to_string()).collect(),
        title: s(&f.title),
        risk: f.risk,
        status: f.status,
        team: s(&f.owner.team),
        layer: s(&f.owner.layer),
        package: f.package.as_ref().map(|p| p.name.to_string()),
        version: f.package.as_ref().and_then(|p| s(&p.version)),
        target: s(&f.target),
        path: s(&f.location.path),
        due: f.due,
        overdue,
        acceptance: s(&f.acceptance),
    }
}
