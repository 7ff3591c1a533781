//! What the core decides: a status per finding, checks on images and artifacts, rules about the
//! run, and the verdict. The types every report reads.

use super::*;

use crate::model::findings::{share, FastSet};
pub use crate::model::outcome::{Status, Verdict};
use std::sync::Arc;

/// A rule about the run rather than one finding: a required report, an unused acceptance.
#[derive(Debug, Clone)]
pub struct RuleEntry<'a> {
    /// `require_reports[0]`, `products.payments-api.require_reports[1]`, `acceptances.unused`.
    pub rule: String,
    /// What it is about: the report kind, the acceptance id.
    pub subject: String,
    /// `passed`, `blocked`, `would_block` or `warned`.
    pub status: Status,
    pub reason: String,
    pub owner: Owner<'a>,
    pub enforce_from: Option<Date>,
    pub fix: Option<String>,
}

/// One rule applied to an image or artifact, with who owns its failure.
#[derive(Debug, Clone)]
pub struct JudgedCheck<'a> {
    pub check: images::Check,
    pub owner: Owner<'a>,
    /// A failed check whose rules are enforced only from this later date (`would_block`).
    pub pending: Option<Date>,
}

impl JudgedCheck<'_> {
    /// `passed`, `blocked`, or `would_block` before the section's `enforce_from`.
    pub fn status(&self) -> Status {
        match (self.check.passed, self.pending) {
            (true, _) => Status::Passed,
            (false, None) => Status::Blocked,
            (false, Some(_)) => Status::WouldBlock,
        }
    }
}

/// An image or artifact and every rule applied to it.
#[derive(Debug, Clone)]
pub struct Judged<'a> {
    /// The `--image` reference or `--artifact` path.
    pub target: &'a str,
    pub digest: Option<&'a str>,
    pub checks: Vec<JudgedCheck<'a>>,
    pub image: Option<&'a crate::model::facts::ImageFacts>,
    pub artifact: Option<&'a crate::model::facts::ArtifactFacts>,
}

impl Judged<'_> {
    /// A failed check that is enforced.
    pub fn blocked(&self) -> bool {
        self.checks.iter().any(|c| c.status() == Status::Blocked)
    }

    /// `blocked`, `would_block` (only checks not yet enforced fail) or `passed`.
    pub fn status(&self) -> Status {
        if self.blocked() {
            Status::Blocked
        } else if self.checks.iter().any(|c| c.status() == Status::WouldBlock) {
            Status::WouldBlock
        } else {
            Status::Passed
        }
    }
}

/// What suppressed a finding: a VEX statement, or the scanner.
#[derive(Debug, Clone, Serialize)]
pub struct Suppression<'a> {
    /// `vex` or `scanner`.
    pub source: &'static str,
    /// The VEX document, or the tool that suppressed it.
    pub document: &'a str,
    /// The VEX status (`not_affected`, `fixed`), or the scanner's suppression kind (`inSource`,
    /// `external`, `ignored`).
    pub status: &'a str,
    pub justification: Option<&'a str>,
    /// Why it is believed: `signed by key keys/vex.pub`, or `unsigned, suppresses up to medium
    /// (vex.unsigned)`.
    pub trusted: String,
}

/// One step of a finding's risk derivation: the severity mapping, or a rule that applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RiskStep {
    /// `severity` or `risk.rules[N]`.
    pub rule: std::borrow::Cow<'static, str>,
    /// The rule's condition as written, or the severity and the tools that gave it.
    pub when: String,
    /// `set critical`, `raise 1`...; empty for the severity step.
    pub action: std::borrow::Cow<'static, str>,
    pub from: RiskLevel,
    pub to: RiskLevel,
}

impl RiskStep {
    /// `severity high (trivy): high` or `risk.rules[0] when {kev: true} set critical: high → critical`.
    pub fn describe(&self) -> String {
        if self.action.is_empty() {
            format!("{}: {}", self.when, self.to)
        } else {
            format!(
                "{} when {} {}: {} → {}",
                self.rule, self.when, self.action, self.from, self.to
            )
        }
    }
}

/// One acceptance that names this finding, and why it does or does not cover it.
#[derive(Debug, Clone)]
pub struct Tried<'a> {
    pub index: usize,
    pub acceptance: &'a Acceptance,
    /// Its selectors match this finding (it is about this finding, covering or not).
    pub in_scope: bool,
    pub problems: Vec<String>,
    /// A request that lacks only its approval.
    pub pending: bool,
    /// What proves its approval, when it has one.
    pub proof: Option<String>,
}

impl Tried<'_> {
    pub fn covers(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The decision on one finding.
#[derive(Debug, Clone)]
pub struct Decided<'a> {
    pub finding: &'a Finding,
    pub kev: bool,
    pub epss: Option<f64>,
    pub risk: RiskLevel,
    /// How the risk was derived: the severity mapping, then every rule that applied.
    /// Shared ([`Interner`]): findings of one severity from one tool derive alike.
    pub risk_steps: Arc<[RiskStep]>,
    /// Shared ([`Interner`]): a run has a handful of distinct owners.
    pub owner: Arc<Owner<'a>>,
    pub level: &'a LevelCfg,
    pub status: Status,
    /// Who may accept this finding; `None` when it cannot be accepted (gate pass/warn/block,
    /// never_accept).
    pub required_approver: Option<ApproverRole>,
    /// The `never_accept` entry it matches (as written, with its position).
    pub never_accept: Option<String>,
    /// The covering acceptance, when accepted.
    pub acceptance: Option<&'a Acceptance>,
    /// What proved the covering acceptance's approval.
    pub approval: Option<String>,
    pub tried: Vec<Tried<'a>>,
    /// Boxed: most findings are not suppressed, and the decisions are held for every finding.
    pub suppressed_by: Option<Box<Suppression<'a>>>,
    /// A scanner's suppression of this finding that was not honoured at its level.
    pub scanner_suppression: Option<&'a crate::model::finding::ScannerSuppression>,
    pub first_seen: Option<Date>,
    pub due: Option<Date>,
    pub overdue: bool,
    /// Whether the target branch (`--baseline`) already has it; `None` without a baseline.
    pub existing: Option<bool>,
    /// For `would_block`: the date the rule that would block it is enforced from.
    pub enforce_from: Option<Date>,
    /// Why the finding has its status, in words.
    pub reasons: Reasons,
}

/// Why a finding has its status, in words. Each distinct sentence is held once per run
/// ([`Interner`]): the same ones recur across thousands of findings (every unowned finding at
/// one level has the same two), and the decisions are held for every finding until the report
/// is written (issue 13's memory bound).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reasons(Arc<[Arc<str>]>);

impl Reasons {
    /// A finding has a few reasons, pushed while it is decided; the list is then shared.
    pub fn push(&mut self, reason: impl Into<Arc<str>>) {
        let mut v = self.0.to_vec();
        v.push(reason.into());
        self.0 = v.into();
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|r| &**r)
    }

    pub fn last(&self) -> Option<&str> {
        self.0.last().map(|r| &**r)
    }

    pub fn join(&self, sep: &str) -> String {
        self.0.join(sep)
    }
}

impl<'r> IntoIterator for &'r Reasons {
    type Item = &'r str;
    type IntoIter = std::iter::Map<std::slice::Iter<'r, Arc<str>>, fn(&Arc<str>) -> &str>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|r| &**r)
    }
}

impl Serialize for Reasons {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// One copy of each distinct reason and risk derivation of a run: what the decisions of many
/// findings share. Pure data, local to one `decide`.
#[derive(Default)]
pub(super) struct Interner<'a> {
    reasons: FastSet<Arc<str>>,
    lists: FastSet<Arc<[Arc<str>]>>,
    steps: FastSet<Arc<[RiskStep]>>,
    owners: FastSet<Arc<Owner<'a>>>,
}

impl<'a> Interner<'a> {
    /// Makes `d` share the reasons, risk steps and owner already held, and keeps its own for
    /// the findings after it.
    pub(super) fn share(&mut self, d: &mut Decided<'a>) {
        match self.lists.get(&d.reasons.0) {
            Some(held) => d.reasons.0 = Arc::clone(held),
            // A new list: its sentences shared one by one, then the list itself.
            None => {
                let own: Arc<[Arc<str>]> = d
                    .reasons
                    .0
                    .iter()
                    .map(|r| {
                        let mut r = Arc::clone(r);
                        share(&mut self.reasons, &mut r);
                        r
                    })
                    .collect();
                self.lists.insert(Arc::clone(&own));
                d.reasons.0 = own;
            }
        }
        share(&mut self.steps, &mut d.risk_steps);
        share(&mut self.owners, &mut d.owner);
    }
}

/// What became of one acceptance in this run.
#[derive(Debug, Clone)]
pub struct AcceptanceUse<'a> {
    pub index: usize,
    pub acceptance: &'a Acceptance,
    /// Fingerprints of the findings it covers.
    pub covers: Vec<&'a str>,
    /// It covers a finding in the product's code (a weakness, secret or misconfiguration).
    pub covers_code: bool,
    /// Why it does not cover the findings it is about, and anything wrong with it on its own.
    pub problems: Vec<String>,
    /// How many findings of this run carry the id it names.
    pub named: usize,
    /// How many of those its selectors match without it covering them.
    pub in_scope: usize,
    pub expires: Option<Date>,
    /// Days from `now` to `expires` (negative once expired).
    pub days_left: Option<i64>,
    pub expiring_soon: bool,
}

#[derive(Debug, Clone)]
pub struct Decision<'a> {
    pub verdict: Verdict,
    pub product: Option<&'a str>,
    pub now: Timestamp,
    pub findings: Vec<Decided<'a>>,
    pub acceptances: Vec<AcceptanceUse<'a>>,
    pub images: Vec<Judged<'a>>,
    pub artifacts: Vec<Judged<'a>>,
    /// Rules about the run: required reports, unused acceptances.
    pub rules: Vec<RuleEntry<'a>>,
    /// Things worth a look that do not block (stale ownership, acceptances expiring soon).
    pub warnings: Vec<String>,
}

impl Decision<'_> {
    pub fn count(&self, status: Status) -> usize {
        self.findings.iter().filter(|d| d.status == status).count()
    }

    /// The number of findings of each status, every status present (in one pass).
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut out: BTreeMap<&'static str, usize> =
            Status::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        for f in &self.findings {
            *out.entry(f.status.as_str()).or_default() += 1;
        }
        out
    }
}
