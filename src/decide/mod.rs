//! The decision core: findings + policy + acceptances + threat intel → a status per finding and a
//! verdict for the run. Pure: no I/O, no clock (`now` is an input), no randomness. The same inputs
//! always give the same [`Decision`].
//!
//! Per finding, in this order (SPEC §4): VEX `not_affected`/`fixed` → suppressed; the level's gate
//! `pass` → passed, `warn` → warned; `never_accept` or gate `block` → blocked; gate `accept` →
//! accepted when an acceptance covers it, else blocked. Then unowned findings at a gated level
//! follow `ownership.unowned`, and findings past their SLA and not accepted follow `sla.overdue`.
//!
//! Must never: loop over findings × acceptances (acceptances and VEX statements are indexed by
//! finding id), or let anything it could not evaluate turn into an allow.

pub mod coverage;
pub mod images;
pub mod owner;
pub mod when;

/// Under `acceptances.approvals: code_review`, by approver: the CODEOWNERS line that makes their
/// review required for the acceptances file and the policy, or why nothing does.
pub type ReviewProofs = BTreeMap<String, Result<String, String>>;

/// How far a report's timestamp may lie after `now` (clocks of runners differ a little).
pub const CLOCK_SKEW_SECS: i64 = 15 * 60;

use crate::ingest::epss::Epss;
use crate::ingest::kev::Kev;
use crate::ingest::vex::{GatedImage, PackageRef, Scope};
use crate::ingest::{VexStatement, VexStatus};
use crate::model::date::{Date, Timestamp};
use crate::model::finding::{Finding, Severity};
use crate::policy::acceptances::Acceptance;
use crate::policy::guardrails::{Action, Guardrails, LevelCfg, PrGate, ScannerSuppressions};
use crate::policy::levels::{ApproverRole, Enforcement, Gate, LayerKind, RiskLevel};
use crate::policy::ownership::{Ownership, Product};
use owner::{Owner, OwnerIndex};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use when::{Cond, Facts};

/// An `enforce_from` date, parsed (validation refuses one that is not a date).
pub fn enforce(d: &Option<String>) -> Option<Date> {
    d.as_deref().and_then(Date::parse)
}

/// Why a finding blocks: the rule, and the date it is enforced from when that is still to come.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cause {
    rule: String,
    pending: Option<Date>,
}

fn cause(rule: impl Into<String>, from: Option<Date>, today: Date) -> Cause {
    Cause {
        rule: rule.into(),
        pending: from.filter(|d| *d > today),
    }
}

/// What happened to one finding.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Blocked,
    /// Would be blocked by a rule whose `enforce_from` date has not come: reported, not blocking.
    WouldBlock,
    Accepted,
    Warned,
    Passed,
    /// A trusted VEX statement says it does not apply.
    Suppressed,
    /// The scanner suppressed it (an ignore rule, `# nosec`), and the guardrails honour that at
    /// its level (`scanner_suppressions`).
    SuppressedByScanner,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Blocked,
        Status::WouldBlock,
        Status::Accepted,
        Status::Warned,
        Status::Passed,
        Status::Suppressed,
        Status::SuppressedByScanner,
    ];

    /// Suppressed, by VEX or by the scanner: not decided, not shown as a result.
    pub fn is_suppressed(self) -> bool {
        matches!(self, Status::Suppressed | Status::SuppressedByScanner)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Blocked => "blocked",
            Status::WouldBlock => "would_block",
            Status::Accepted => "accepted",
            Status::Warned => "warned",
            Status::Passed => "passed",
            Status::Suppressed => "suppressed",
            Status::SuppressedByScanner => "suppressed_by_scanner",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allow,
    Block,
}

/// The run's policy, resolved for one product: everything the engine needs, compiled once.
pub struct Engine<'p> {
    pub ownership: &'p Ownership,
    pub guardrails: &'p Guardrails,
    /// `None` when the register has no entry for this run (the built-in default policy).
    pub product_name: Option<&'p str>,
    pub product: Option<&'p Product>,
    owners: OwnerIndex<'p>,
    rules: Vec<(usize, Action, Cond<'p>)>,
    never: Vec<(String, Cond<'p>, Option<Date>)>,
    levels: [LevelCfg; 5],
    security: HashSet<&'p str>,
    governance: HashSet<&'p str>,
    /// What CODEOWNERS proves of approvers (`acceptances.approvals: code_review`).
    pub review: Option<&'p ReviewProofs>,
    /// The highest level an unsigned VEX statement (or a scanner's suppression, in `team`
    /// mode) may suppress.
    unsigned_vex: RiskLevel,
    /// The product's `images:` globs from the register.
    product_images: Option<globset::GlobSet>,
}

/// Everything a run decides on besides the policy.
pub struct Inputs<'a> {
    /// Deduplicated findings ([`crate::model::finding::dedup`]).
    pub findings: &'a [Finding],
    pub vex: &'a [VexStatement],
    pub kev: Option<&'a Kev>,
    pub epss: Option<&'a Epss>,
    pub acceptances: &'a [Acceptance],
    /// First-seen dates by fingerprint (`--state`); without it no `due` date is computed.
    pub first_seen: Option<&'a BTreeMap<String, Date>>,
    pub now: Timestamp,
    /// `--image` facts, fetched and verified.
    pub images: &'a [crate::model::facts::ImageFacts],
    /// `--artifact` facts, hashed and verified.
    pub artifacts: &'a [crate::model::facts::ArtifactFacts],
    /// The DiffIDs of the base images of `images`: findings in them are in layer `base`, and
    /// findings in other known layers in layer `app`. `None` when no base is known.
    pub base_layers: Option<&'a HashSet<String>>,
    /// Fingerprints of the findings of the target branch (`--baseline`); `None` without one.
    pub baseline: Option<&'a HashSet<String>>,
    /// The reports of the run: what each is a scan of and when it ran (`require_reports`).
    pub reports: &'a [crate::ingest::InputInfo],
    /// The images the run gates (`--image`, else those the reports say they scanned): what
    /// `pkg:oci/...` VEX products are matched against.
    pub gated_images: &'a [GatedImage],
    /// What verification established about each acceptance's signature, by position.
    pub signatures: &'a [crate::model::facts::AcceptanceSignature],
}

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskStep {
    /// `severity` or `risk.rules[N]`.
    pub rule: String,
    /// The rule's condition as written, or the severity and the tools that gave it.
    pub when: String,
    /// `set critical`, `raise 1`...; empty for the severity step.
    pub action: String,
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
    pub risk_steps: Vec<RiskStep>,
    pub owner: Owner<'a>,
    pub level: LevelCfg,
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
    pub suppressed_by: Option<Suppression<'a>>,
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
    pub reasons: Vec<String>,
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
}

impl<'p> Engine<'p> {
    /// Resolves the policy for `product` (a name in the register, or `None` for a run without
    /// one). Fails only on a glob that does not compile, which validation already refuses.
    pub fn new(
        ownership: &'p Ownership,
        guardrails: &'p Guardrails,
        product_name: Option<&'p str>,
    ) -> Result<Engine<'p>, String> {
        let product = match product_name {
            None => None,
            Some(n) => Some(
                ownership
                    .products
                    .get(n)
                    .ok_or_else(|| format!("unknown product `{n}`"))?,
            ),
        };
        let owners = OwnerIndex::new(ownership, product)?;
        let mut rules = Vec::with_capacity(guardrails.risk.rules.len());
        for (i, r) in guardrails.risk.rules.iter().enumerate() {
            let action = r
                .action()
                .ok_or_else(|| format!("risk.rules[{i}] needs exactly one action"))?;
            rules.push((i, action, Cond::new(&r.when)?));
        }
        let mut never = Vec::new();
        for (i, w) in guardrails.never_accept.iter().enumerate() {
            never.push((
                format!("never_accept[{i}]"),
                Cond::new(w)?,
                enforce(&w.enforce_from),
            ));
        }
        if let Some(n) = product_name {
            if let Some(o) = guardrails.products.get(n) {
                for (i, w) in o.never_accept.iter().enumerate() {
                    never.push((
                        format!("products.{n}.never_accept[{i}]"),
                        Cond::new(w)?,
                        enforce(&w.enforce_from),
                    ));
                }
            }
        }
        let name = product_name.unwrap_or("");
        let levels = RiskLevel::ALL.map(|l| guardrails.level(name, l));
        let security = ownership.role_members(&ownership.roles.security).collect();
        let governance = ownership
            .role_members(&ownership.roles.governance)
            .collect();
        let unsigned_vex = guardrails
            .vex
            .unsigned
            .unwrap_or_else(|| team_autonomy(&levels));
        let product_images = product
            .filter(|p| !p.images.is_empty())
            .map(|p| coverage::globset(&p.images));
        Ok(Engine {
            ownership,
            guardrails,
            product_name,
            product,
            owners,
            rules,
            never,
            levels,
            security,
            governance,
            review: None,
            unsigned_vex,
            product_images,
        })
    }

    /// The level settings in force for this product.
    pub fn level(&self, l: RiskLevel) -> &LevelCfg {
        &self.levels[l as usize]
    }

    /// Whether `who` holds `role` for a finding owned by `team`.
    pub fn holds(&self, who: &str, role: ApproverRole, team: Option<&str>) -> bool {
        match role {
            ApproverRole::Team => team.is_some_and(|t| self.ownership.is_team_member(t, who)),
            ApproverRole::RiskOwner => self.product.is_some_and(|p| {
                p.risk_owner.as_deref() == Some(who) || p.delegates.iter().any(|d| d == who)
            }),
            ApproverRole::Security => self.security.contains(who),
            ApproverRole::Governance => self.governance.contains(who),
        }
    }

    /// Whether `who` holds `role` or a higher one (a higher role may do what a lower one may).
    pub fn holds_at_least(&self, who: &str, role: ApproverRole, team: Option<&str>) -> bool {
        [
            ApproverRole::Team,
            ApproverRole::RiskOwner,
            ApproverRole::Security,
            ApproverRole::Governance,
        ]
        .into_iter()
        .filter(|r| *r >= role)
        .any(|r| self.holds(who, r, team))
    }

    /// Who may approve what (SPEC §3.3 points 4 and 5): the one rule `accept`, `approve`,
    /// `explain` and `check` all apply. `approver` holds `role` or a higher one for a finding
    /// owned by `team`, is not the requester, comes from outside the owning team when the role
    /// is security or governance, and, as the product's delegate, does not approve a request of
    /// the risk owner they act for. Every failure, in words; empty when they may.
    pub fn approval_problems(
        &self,
        approver: &str,
        requester: &str,
        role: ApproverRole,
        team: Option<&str>,
    ) -> Vec<String> {
        let mut p = Vec::new();
        if approver == requester {
            p.push(format!(
                "{approver} is the requester, and nobody approves their own request above the team's guardrail"
            ));
        }
        if !self.holds_at_least(approver, role, team) {
            let h = self.holders(role, team);
            p.push(format!(
                "{approver} does not hold the role {role} ({})",
                if h.is_empty() {
                    "nobody holds it".to_string()
                } else {
                    h.join(", ")
                }
            ));
        }
        if role >= ApproverRole::Security
            && team.is_some_and(|t| self.ownership.is_team_member(t, approver))
        {
            p.push(format!(
                "{approver} is a member of the owning team {}: {role} approval must come from outside the team",
                team.unwrap_or_default()
            ));
        }
        if let Some(product) = self.product {
            let delegate = product.delegates.iter().any(|d| d == approver);
            let owner = product.risk_owner.as_deref() == Some(requester);
            // A delegate acts for the risk owner: approving the risk owner's own request would
            // be the risk owner approving themselves. Security or governance may.
            let higher = [ApproverRole::Security, ApproverRole::Governance]
                .into_iter()
                .filter(|r| *r >= role)
                .any(|r| self.holds(approver, r, team));
            if delegate && owner && !higher {
                p.push(format!(
                    "{approver} is a delegate of the risk owner {requester}, who requested it: a delegate does not approve the request of the person they act for"
                ));
            }
        }
        p
    }

    /// The people who hold `role` (exactly) for a finding owned by `team`, sorted.
    pub fn holders(&self, role: ApproverRole, team: Option<&str>) -> Vec<&'p str> {
        let mut v: Vec<&str> = match role {
            ApproverRole::Team => team
                .and_then(|t| self.ownership.teams.get(t))
                .map(|t| t.members.iter().map(String::as_str).collect())
                .unwrap_or_default(),
            ApproverRole::RiskOwner => self
                .product
                .map(|p| {
                    p.risk_owner
                        .iter()
                        .chain(&p.delegates)
                        .map(String::as_str)
                        .collect()
                })
                .unwrap_or_default(),
            ApproverRole::Security => self.security.iter().copied().collect(),
            ApproverRole::Governance => self.governance.iter().copied().collect(),
        };
        if role != ApproverRole::RiskOwner {
            v.sort_unstable();
        }
        v.dedup();
        v
    }

    /// The finding's facts for `when` conditions.
    pub fn facts<'a>(&self, f: &'a Finding, inputs: &Inputs<'a>) -> Facts<'a>
    where
        'p: 'a,
    {
        // Every CVE among the finding's ids and aliases counts: a GHSA whose vendor ids are
        // [CVE-A, CVE-B] is in KEV when either is, and its EPSS is the higher of the two.
        let cves = || f.ids().filter(|i| crate::model::finding::is_cve(i));
        Facts {
            finding: f,
            kev: inputs
                .kev
                .is_some_and(|k| cves().any(|c| k.get(c).is_some())),
            epss: inputs.epss.and_then(|e| {
                cves()
                    .filter_map(|c| e.get(c).map(|s| s.probability))
                    .reduce(f64::max)
            }),
            product: self.product,
            layer: inputs.base_layers.and_then(|base| {
                let l = f.location.layer_digest.as_deref()?;
                Some(if base.contains(l) {
                    LayerKind::Base
                } else {
                    LayerKind::App
                })
            }),
        }
    }

    /// The finding's risk level and how it was derived (SPEC §3.2).
    pub fn risk(&self, facts: &Facts) -> (RiskLevel, Vec<RiskStep>) {
        let f = facts.finding;
        let start = match f.severity {
            Severity::Unknown => self.guardrails.risk.unknown_severity,
            Severity::None => RiskLevel::None,
            Severity::Low => RiskLevel::Low,
            Severity::Medium => RiskLevel::Medium,
            Severity::High => RiskLevel::High,
            Severity::Critical => RiskLevel::Critical,
        };
        let mut steps = vec![RiskStep {
            rule: "severity".into(),
            when: if f.severity == Severity::Unknown {
                "no severity from the scanner, counted as risk.unknown_severity".into()
            } else {
                format!("severity {} ({})", f.severity, f.tools.join(", "))
            },
            action: String::new(),
            from: start,
            to: start,
        }];
        let mut level = start;
        for (i, action, cond) in &self.rules {
            if !cond.holds(facts, level) {
                continue;
            }
            let to = match *action {
                Action::Set(l) => l,
                Action::Raise(n) => level.shift(i64::from(n)),
                Action::Lower(n) => level.shift(-i64::from(n)),
                Action::Floor(l) => level.max(l),
            };
            let what = match *action {
                Action::Set(l) => format!("set {l}"),
                Action::Raise(n) => format!("raise {n}"),
                Action::Lower(n) => format!("lower {n}"),
                Action::Floor(l) => format!("floor {l}"),
            };
            steps.push(RiskStep {
                rule: format!("risk.rules[{i}]"),
                when: cond.to_string(),
                action: what,
                from: level,
                to,
            });
            level = to;
        }
        (level, steps)
    }

    /// The first `never_accept` entry the finding matches, as written.
    /// The first `never_accept` entry the finding matches, as written, with its `enforce_from`.
    pub fn never_accept(&self, facts: &Facts, risk: RiskLevel) -> Option<(String, Option<Date>)> {
        self.never
            .iter()
            .find(|(_, c, _)| c.holds(facts, risk))
            .map(|(at, c, from)| (format!("{at} {c}"), *from))
    }

    /// Decides every finding and the verdict.
    pub fn decide<'a>(&'a self, inputs: &Inputs<'a>) -> Decision<'a>
    where
        'p: 'a,
    {
        let today = inputs.now.date();
        let acc_index = coverage::index(inputs.acceptances);
        let prepared: Vec<coverage::Prepared<'a>> = inputs
            .acceptances
            .iter()
            .enumerate()
            .map(|(i, a)| {
                coverage::Prepared::new(a, inputs.signatures.get(i).cloned().unwrap_or_default())
            })
            .collect();
        let vex_index = vex_index(inputs.vex);
        let mut uses: Vec<AcceptanceUse<'a>> = inputs
            .acceptances
            .iter()
            .enumerate()
            .map(|(i, a)| coverage::standalone(self, i, a, inputs.now, self.warn_before()))
            .collect();
        let mut findings = Vec::with_capacity(inputs.findings.len());
        for f in inputs.findings {
            let d = self.decide_one(f, inputs, &prepared, &acc_index, &vex_index, today);
            for t in &d.tried {
                let u = &mut uses[t.index];
                u.named += 1;
                if t.covers() {
                    u.covers.push(&f.fingerprint);
                    u.covers_code |= f.kind.is_code();
                } else if t.in_scope {
                    u.in_scope += 1;
                    for p in &t.problems {
                        if !u.problems.contains(p) {
                            u.problems.push(p.clone());
                        }
                    }
                }
            }
            findings.push(d);
        }
        for u in &mut uses {
            if !u.covers.is_empty() || u.in_scope > 0 {
                continue;
            }
            let a = u.acceptance;
            u.problems.push(if u.named == 0 {
                format!("names {}, which is not among this run's findings", a.finding)
            } else {
                format!(
                    "names {}, but its package, paths or images match none of the {} finding(s) with that id",
                    a.finding, u.named
                )
            });
        }
        let mut warnings = Vec::new();
        for u in uses.iter() {
            if u.expiring_soon {
                if let (Some(e), Some(n)) = (u.expires, u.days_left) {
                    warnings.push(format!(
                        "acceptance {} expires on {e} (in {n} day{})",
                        u.acceptance.id,
                        if n == 1 { "" } else { "s" }
                    ));
                }
            }
        }
        for u in uses.iter().filter(|u| u.covers_code) {
            let a = u.acceptance;
            if !a.anywhere && a.paths.is_empty() && a.fingerprints.is_empty() && a.images.is_empty()
            {
                warnings.push(format!(
                    "acceptance {} covers {} anywhere in {}: it records no location (paths, fingerprints), so the same flaw written anywhere else is covered too; accept it where it is, or set `anywhere: true` if that is meant",
                    a.id, a.finding, a.product
                ));
            }
        }
        warnings.extend(self.stale_ownership(today));
        let images = self.judge_images(inputs);
        let artifacts = self.judge_artifacts(inputs);
        let mut rules = self.required_reports(inputs);
        rules.extend(self.unused_acceptances(&uses));
        warnings.extend(self.budgets(inputs));
        let verdict = if findings.iter().any(|d| d.status == Status::Blocked)
            || images.iter().chain(&artifacts).any(Judged::blocked)
            || rules.iter().any(|r| r.status == Status::Blocked)
        {
            Verdict::Block
        } else {
            Verdict::Allow
        };
        Decision {
            verdict,
            product: self.product_name,
            now: inputs.now,
            findings,
            acceptances: uses,
            images,
            artifacts,
            rules,
            warnings,
        }
    }

    /// `require_reports` (the organisation's, then the product's): each kind must come from a
    /// report of this run, recent enough when `max_age_hours` says so.
    fn required_reports<'a>(&'a self, inputs: &Inputs<'a>) -> Vec<RuleEntry<'a>> {
        let g = self.guardrails;
        let own: Vec<(String, &crate::policy::guardrails::RequiredReport)> =
            g.require_reports
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("require_reports[{i}]"), r))
                .chain(
                    self.product_name
                        .and_then(|n| g.products.get(n).map(|o| (n, o)))
                        .into_iter()
                        .flat_map(|(n, o)| {
                            o.require_reports.iter().enumerate().map(move |(i, r)| {
                                (format!("products.{n}.require_reports[{i}]"), r)
                            })
                        }),
                )
                .collect();
        let today = inputs.now.date();
        own.into_iter()
            .map(|(rule, req)| {
                let kind = req.kind.as_str();
                let matching: Vec<&crate::ingest::InputInfo> = inputs
                    .reports
                    .iter()
                    .filter(|r| r.kinds.contains(&kind))
                    .collect();
                let fix = Some(format!(
                    "run the {kind} scan in this pipeline and pass its report with --report"
                ));
                let failed = if matching.is_empty() {
                    Some(format!("required {kind} report missing"))
                } else if let Some(max) = req.max_age_hours {
                    let ahead = matching
                        .iter()
                        .filter_map(|r| r.created)
                        .filter(|t| t.unix() > inputs.now.unix() + CLOCK_SKEW_SECS)
                        .max();
                    match matching.iter().filter_map(|r| r.created).max() {
                        // A report "scanned" in the future would pass any age check forever.
                        _ if ahead.is_some() => ahead.map(|t| format!(
                            "required {kind} report says it was scanned at {t}, after now ({}): its age cannot be known",
                            inputs.now
                        )),
                        None => Some(format!(
                            "required {kind} report has no timestamp, so its age (max_age_hours {max}) is unknown"
                        )),
                        Some(newest) => {
                            let hours = (inputs.now.unix() - newest.unix()) / 3600;
                            (hours > i64::from(max)).then(|| {
                                format!(
                                    "required {kind} report is {hours} hours old (scanned {newest}), more than max_age_hours {max}"
                                )
                            })
                        }
                    }
                } else {
                    None
                };
                let paths: Vec<&str> = matching.iter().map(|r| r.path.as_str()).collect();
                let pending = enforce(&req.enforce_from).filter(|d| *d > today);
                let (status, reason) = match failed {
                    None => (Status::Passed, format!("{kind}: {}", paths.join(", "))),
                    Some(why) if pending.is_some() => (Status::WouldBlock, why),
                    Some(why) => (Status::Blocked, why),
                };
                RuleEntry {
                    rule,
                    subject: kind.to_string(),
                    status,
                    reason,
                    owner: self.owners.for_layer(None),
                    enforce_from: if status == Status::WouldBlock { pending } else { None },
                    fix: (status != Status::Passed).then_some(fix).flatten(),
                }
            })
            .collect()
    }

    /// Acceptances of this product that cover no finding of the run and are not about one.
    fn unused_acceptances<'a>(&'a self, uses: &[AcceptanceUse<'a>]) -> Vec<RuleEntry<'a>> {
        let Some(product) = self.product_name else {
            return Vec::new();
        };
        uses.iter()
            .filter(|u| u.acceptance.product == product && u.covers.is_empty() && u.in_scope == 0)
            .map(|u| {
                let a = u.acceptance;
                let block = self.guardrails.acceptances.unused == Enforcement::Block;
                RuleEntry {
                    rule: "acceptances.unused".into(),
                    subject: a.id.clone(),
                    status: if block {
                        Status::Blocked
                    } else {
                        Status::Warned
                    },
                    reason: format!(
                        "acceptance {} covers no finding in this run ({})",
                        a.id,
                        u.problems.join("; ")
                    ),
                    owner: self.owners.for_layer(None),
                    enforce_from: None,
                    fix: Some(format!("remove {} from the acceptances file", a.id)),
                }
            })
            .collect()
    }

    /// `acceptances.max_open_per_team`: teams with more open (unexpired) acceptances, counted by
    /// the requester's team, across the acceptances file.
    fn budgets(&self, inputs: &Inputs) -> Vec<String> {
        let Some(max) = self.guardrails.acceptances.max_open_per_team else {
            return Vec::new();
        };
        let today = inputs.now.date();
        let mut open: BTreeMap<&str, usize> = BTreeMap::new();
        for a in inputs.acceptances {
            if Date::parse(&a.expires).is_some_and(|e| e >= today) {
                let team = self
                    .ownership
                    .teams
                    .iter()
                    .find(|(_, t)| t.members.contains(&a.requested_by))
                    .map(|(n, _)| n.as_str())
                    .unwrap_or("(requester in no team)");
                *open.entry(team).or_default() += 1;
            }
        }
        open.into_iter()
            .filter(|(_, n)| *n > max as usize)
            .map(|(team, n)| {
                format!(
                    "team {team} has {n} open acceptances, more than acceptances.max_open_per_team {max}"
                )
            })
            .collect()
    }

    fn judge<'a>(
        &'a self,
        checks: Vec<images::Check>,
        enforce_from: &Option<String>,
        today: Date,
    ) -> Vec<JudgedCheck<'a>> {
        let pending = enforce(enforce_from).filter(|d| *d > today);
        checks
            .into_iter()
            .map(|check| JudgedCheck {
                pending: if check.passed { None } else { pending },
                owner: self.owners.for_layer(match check.owner {
                    images::CheckOwner::Product => None,
                    images::CheckOwner::Base => Some(LayerKind::Base),
                }),
                check,
            })
            .collect()
    }

    fn judge_images<'a>(&'a self, inputs: &Inputs<'a>) -> Vec<Judged<'a>> {
        let none = Default::default();
        let cfg = self.guardrails.images.as_ref().unwrap_or(&none);
        let product_images = self.product.map(|p| p.images.as_slice()).unwrap_or(&[]);
        inputs
            .images
            .iter()
            .map(|f| Judged {
                target: &f.reference,
                digest: f.digest.as_deref(),
                checks: self.judge(
                    images::check_image(cfg, product_images, self.product_name, f, inputs.now),
                    &cfg.enforce_from,
                    inputs.now.date(),
                ),
                image: Some(f),
                artifact: None,
            })
            .collect()
    }

    fn judge_artifacts<'a>(&'a self, inputs: &Inputs<'a>) -> Vec<Judged<'a>> {
        let none = Default::default();
        let cfg = self.guardrails.artifacts.as_ref().unwrap_or(&none);
        inputs
            .artifacts
            .iter()
            .map(|f| Judged {
                target: &f.path,
                digest: Some(&f.digest),
                checks: self.judge(
                    images::check_artifact(cfg, f),
                    &cfg.enforce_from,
                    inputs.now.date(),
                ),
                image: None,
                artifact: Some(f),
            })
            .collect()
    }

    fn warn_before(&self) -> u32 {
        self.guardrails.acceptances.warn_before_days
    }

    fn decide_one<'a>(
        &'a self,
        f: &'a Finding,
        inputs: &Inputs<'a>,
        prepared: &[coverage::Prepared<'a>],
        acc_index: &HashMap<String, Vec<usize>>,
        vex_index: &HashMap<String, Vec<usize>>,
        today: Date,
    ) -> Decided<'a>
    where
        'p: 'a,
    {
        let facts = self.facts(f, inputs);
        let (risk, risk_steps) = self.risk(&facts);
        let owner = self.owners.owner(f, facts.layer);
        let level = self.level(risk).clone();
        let mut d = Decided {
            finding: f,
            kev: facts.kev,
            epss: facts.epss,
            risk,
            risk_steps,
            owner,
            level: level.clone(),
            status: Status::Blocked,
            required_approver: None,
            never_accept: None,
            acceptance: None,
            approval: None,
            tried: Vec::new(),
            suppressed_by: None,
            scanner_suppression: f.scanner_suppression.as_deref(),
            first_seen: None,
            due: None,
            overdue: false,
            existing: inputs.baseline.map(|b| b.contains(&f.fingerprint)),
            enforce_from: None,
            reasons: Vec::new(),
        };
        let level_from = enforce(&level.enforce_from);
        // Built only when a block is recorded: most findings never need it.
        let level_rule = || format!("levels.{risk}");
        let mut causes: Vec<Cause> = Vec::new();
        match self.vex_outcome(f, risk, inputs, vex_index) {
            VexOutcome::Suppressed(s) => {
                d.reasons.push(format!(
                    "VEX {} in {}{} ({})",
                    s.status,
                    s.document,
                    s.justification
                        .map(|j| format!(": {j}"))
                        .unwrap_or_default(),
                    s.trusted
                ));
                d.suppressed_by = Some(s);
                d.status = Status::Suppressed;
                return d;
            }
            VexOutcome::Untrusted(why) => d.reasons.push(why),
            VexOutcome::None => {}
        }
        if let Some(sup) = f.scanner_suppression.as_deref() {
            let mode = self.guardrails.scanner_suppressions;
            let honoured = match mode {
                ScannerSuppressions::Honour => Some("scanner_suppressions is honour".to_string()),
                ScannerSuppressions::Team if risk <= self.unsigned_vex => Some(format!(
                    "a team decision, honoured up to {} (scanner_suppressions: team)",
                    self.unsigned_vex
                )),
                _ => None,
            };
            let what = format!(
                "suppressed by {} ({}{})",
                sup.tool,
                sup.kind,
                sup.justification
                    .as_deref()
                    .map(|j| format!(": {j}"))
                    .unwrap_or_default()
            );
            match honoured {
                Some(trusted) => {
                    d.reasons.push(format!("{what}; {trusted}"));
                    d.suppressed_by = Some(Suppression {
                        source: "scanner",
                        document: &sup.tool,
                        status: &sup.kind,
                        justification: sup.justification.as_deref(),
                        trusted,
                    });
                    d.status = Status::SuppressedByScanner;
                    return d;
                }
                None => d.reasons.push(match mode {
                    ScannerSuppressions::Ignore => {
                        format!("{what}: not honoured (scanner_suppressions is ignore)")
                    }
                    _ => format!(
                        "{what}: not honoured for {risk}; a scanner's suppression is the team's decision and counts only up to {} (scanner_suppressions: team, vex.unsigned)",
                        self.unsigned_vex
                    ),
                }),
            }
        }
        // A never_accept entry not yet enforced does not stop acceptances; see the end.
        let mut upcoming_never = None;
        if let Some((n, from)) = self.never_accept(&facts, risk) {
            match from.filter(|date| *date > today) {
                Some(date) => upcoming_never = Some((n, date)),
                None => d.never_accept = Some(n),
            }
        }
        // Acceptances naming this finding are tried whatever the gate, so reports can say why
        // each one does or does not cover it.
        let ctx = coverage::Ctx {
            engine: self,
            finding: f,
            risk,
            level: &level,
            owner_team: d.owner.team,
            never_accept: d.never_accept.as_deref(),
            now: inputs.now,
        };
        d.tried = coverage::candidates(acc_index, f)
            .into_iter()
            .map(|i| {
                let o = coverage::check(&ctx, &prepared[i]);
                Tried {
                    index: i,
                    acceptance: prepared[i].acceptance,
                    in_scope: o.in_scope,
                    problems: o.problems,
                    pending: o.pending,
                    proof: o.proof,
                }
            })
            .collect();
        match level.gate {
            Gate::Pass => {
                d.status = Status::Passed;
                d.reasons.push(format!("level {risk}: gate pass"));
            }
            Gate::Warn => {
                d.status = Status::Warned;
                d.reasons.push(format!("level {risk}: gate warn"));
            }
            Gate::Block => {
                d.status = Status::Blocked;
                causes.push(cause(level_rule(), level_from, today));
                d.reasons
                    .push(format!("level {risk}: gate block (cannot be accepted)"));
            }
            Gate::Accept => {
                if let Some(n) = &d.never_accept {
                    d.status = Status::Blocked;
                    causes.push(cause(level_rule(), level_from, today));
                    d.reasons
                        .push(format!("matches {n}: cannot be accepted, only remediated"));
                } else {
                    d.required_approver = level.approver;
                    match d.tried.iter().find(|t| t.covers()) {
                        Some(t) => {
                            d.status = Status::Accepted;
                            d.acceptance = Some(t.acceptance);
                            d.approval = t.proof.clone();
                            let a = t.acceptance;
                            d.reasons.push(format!(
                                "accepted by {} (requested by {}{}, expires {}; {})",
                                a.id,
                                a.requested_by,
                                a.approved_by
                                    .as_deref()
                                    .map(|p| format!(", approved by {p}"))
                                    .unwrap_or_default(),
                                a.expires,
                                t.proof.as_deref().unwrap_or("no proof recorded")
                            ));
                            if a.anywhere {
                                d.reasons.push(format!(
                                    "{} covers {} anywhere in the product (anywhere: true)",
                                    a.id, a.finding
                                ));
                            }
                        }
                        None => {
                            d.status = Status::Blocked;
                            causes.push(cause(level_rule(), level_from, today));
                            let who = level.approver.map(|r| r.as_str()).unwrap_or("nobody");
                            let about: Vec<&str> = d
                                .tried
                                .iter()
                                .filter(|t| t.in_scope)
                                .map(|t| t.acceptance.id.as_str())
                                .collect();
                            if let (Some(t), Some(role)) =
                                (d.tried.iter().find(|t| t.pending), level.approver)
                            {
                                d.reasons.push(format!(
                                    "awaiting approval by {role} ({}): {} is a pending request",
                                    self.holders(role, d.owner.team).join(", "),
                                    t.acceptance.id
                                ));
                            } else {
                                d.reasons.push(if about.is_empty() {
                                format!(
                                    "level {risk} needs an acceptance approved by {who}; none is recorded for it"
                                )
                            } else {
                                format!(
                                    "level {risk} needs an acceptance approved by {who}; {} {} not cover it",
                                    about.join(", "),
                                    if about.len() == 1 { "does" } else { "do" }
                                )
                            });
                            }
                        }
                    }
                }
            }
        }
        // Unowned findings at a gated level.
        if d.owner.team.is_none() && level.gate >= Gate::Accept {
            let why = match self.product_name {
                None => "no product in the ownership register for this run".to_string(),
                Some(_) => d
                    .owner
                    .note
                    .clone()
                    .unwrap_or_else(|| "no owner could be determined".into()),
            };
            match self.guardrails.ownership.unowned {
                Enforcement::Block => {
                    d.status = Status::Blocked;
                    causes.push(cause(
                        "ownership.unowned",
                        enforce(&self.guardrails.ownership.enforce_from),
                        today,
                    ));
                    d.reasons
                        .push(format!("unowned ({why}): ownership.unowned is block"));
                }
                Enforcement::Warn => d
                    .reasons
                    .push(format!("unowned ({why}): ownership.unowned is warn")),
            }
        }
        // SLA.
        if let Some(seen) = inputs.first_seen {
            let first = seen.get(&f.fingerprint).copied().unwrap_or(today);
            d.first_seen = Some(first);
            if let Some(days) = level.sla_days {
                let due = first.add_days(i64::from(days));
                d.due = Some(due);
                if today > due && matches!(d.status, Status::Blocked | Status::Warned) {
                    d.overdue = true;
                    let why =
                        format!("past its SLA: due {due} ({days} days from first seen {first})");
                    match self.guardrails.sla.overdue {
                        Enforcement::Block => {
                            d.status = Status::Blocked;
                            causes.push(cause(
                                "sla.overdue",
                                enforce(&self.guardrails.sla.enforce_from),
                                today,
                            ));
                            d.reasons.push(format!("{why}; sla.overdue is block"));
                        }
                        Enforcement::Warn => d.reasons.push(format!("{why}; sla.overdue is warn")),
                    }
                }
            }
        }
        // Warn, then enforce: a block whose every rule is enforced only from a later date is
        // `would_block`; an accepted finding that a later never_accept entry will refuse too.
        if d.status == Status::Blocked
            && !causes.is_empty()
            && causes.iter().all(|c| c.pending.is_some())
        {
            let when = causes.iter().filter_map(|c| c.pending).min();
            let rules: Vec<&str> = causes.iter().map(|c| c.rule.as_str()).collect();
            d.status = Status::WouldBlock;
            d.enforce_from = when;
            if let Some(w) = when {
                d.reasons.push(format!(
                    "would block from {w}: {} {} not enforced until then (enforce_from)",
                    rules.join(", "),
                    if rules.len() == 1 { "is" } else { "are" }
                ));
            }
        } else if let (Some((n, date)), Status::Accepted) = (&upcoming_never, d.status) {
            d.status = Status::WouldBlock;
            d.enforce_from = Some(*date);
            d.reasons.push(format!(
                "matches {n}, enforced from {date}: from then no acceptance covers it and it blocks"
            ));
        }
        // Pull requests: with `gate: new_only`, what the target branch already has does not
        // block; it is reported, keeps its SLA, and blocks on the branch itself.
        if d.existing == Some(true)
            && d.status == Status::Blocked
            && self.guardrails.pull_requests.gate == PrGate::NewOnly
        {
            d.status = Status::Warned;
            d.reasons.push(
                "already on the target branch (--baseline); pull_requests.gate is new_only, so only new findings block"
                    .into(),
            );
        }
        d
    }

    /// Stale ownership data: the register or this product not reviewed within `max_age_days`.
    pub fn stale_ownership(&self, today: Date) -> Vec<String> {
        let max = self.guardrails.ownership.max_age_days;
        let mut out = Vec::new();
        let mut check = |what: String, reviewed: Option<&String>| {
            out.extend(crate::policy::ownership::stale(
                &what,
                reviewed.map(String::as_str),
                today,
                max,
            ))
        };
        if self.product.is_some() {
            check(
                "the ownership register".into(),
                self.ownership.reviewed.as_ref(),
            );
        }
        if let (Some(n), Some(p)) = (self.product_name, self.product) {
            check(format!("product {n}"), p.reviewed.as_ref());
            out.extend(self.ownership.product_problems(n));
            if p.risk_owner.is_none() {
                out.push(format!(
                    "product {n} has no risk owner: findings above the team's autonomy cannot be accepted"
                ));
            }
        }
        out
    }
}

/// VEX statements by vulnerability id (lower case).
fn vex_index(vex: &[VexStatement]) -> HashMap<String, Vec<usize>> {
    coverage::id_index(
        vex.iter()
            .enumerate()
            .flat_map(|(i, s)| s.vulnerability.iter().map(move |v| (i, v.as_str()))),
    )
}

/// The highest level within the team's autonomy: from `none` up, every level the team may
/// let through on its own (gate pass or warn, or accepted with approver `team`).
fn team_autonomy(levels: &[LevelCfg; 5]) -> RiskLevel {
    let mut top = RiskLevel::None;
    for l in RiskLevel::ALL {
        let c = &levels[l as usize];
        let own = matches!(c.gate, Gate::Pass | Gate::Warn)
            || (c.gate == Gate::Accept && c.approver == Some(ApproverRole::Team));
        if !own {
            break;
        }
        top = l;
    }
    top
}

/// What VEX says of a finding.
enum VexOutcome<'a> {
    None,
    Suppressed(Suppression<'a>),
    /// A statement would suppress it but is not trusted at its level: why.
    Untrusted(String),
}

impl<'p> Engine<'p> {
    /// The VEX statement that suppresses this finding, if any: a `not_affected` or `fixed`
    /// statement about one of its ids and its package, in what this run gates, not contradicted
    /// by an `affected` statement in any document, and trusted at the finding's level (signed
    /// by a `vex.trusted` signer, or unsigned and the risk within `vex.unsigned`). When several
    /// suppress, a signed one is cited first, then the first document by name.
    fn vex_outcome<'a>(
        &'a self,
        f: &'a Finding,
        risk: RiskLevel,
        inputs: &Inputs<'a>,
        index: &HashMap<String, Vec<usize>>,
    ) -> VexOutcome<'a>
    where
        'p: 'a,
    {
        let hits = coverage::candidates(index, f);
        if hits.is_empty() {
            return VexOutcome::None;
        }
        let pkg = f.package.as_ref();
        let pkg = PackageRef {
            purl: pkg.and_then(|p| p.purl.as_deref()),
            name: pkg.map(|p| p.name.as_str()),
            version: pkg.and_then(|p| p.version.as_deref()),
        };
        let is_image = |name: &str| {
            self.product_images
                .as_ref()
                .is_some_and(|g| g.is_match(name))
        };
        let scope = Scope {
            product: self.product_name,
            is_product_image: Some(&is_image),
            images: inputs.gated_images,
        };
        let matching: Vec<&VexStatement> = hits
            .into_iter()
            .map(|i| &inputs.vex[i])
            .filter(|s| s.applies(&pkg, &scope))
            .collect();
        // A document that says `affected` for the same package overrides a suppression: a gate
        // errs towards caution when statements disagree.
        if matching.iter().any(|s| s.status == VexStatus::Affected) {
            return VexOutcome::None;
        }
        let mut suppressing: Vec<&VexStatement> = matching
            .into_iter()
            .filter(|s| s.status.suppresses())
            .collect();
        suppressing.sort_by(|a, b| {
            (a.signed_by.is_none(), &a.document).cmp(&(b.signed_by.is_none(), &b.document))
        });
        let Some(s) = suppressing.first() else {
            return VexOutcome::None;
        };
        let trusted = match &s.signed_by {
            Some(signer) => Some(format!("signed by {signer} (vex.trusted)")),
            None if risk <= self.unsigned_vex => Some(format!(
                "unsigned, trusted up to {} (vex.unsigned)",
                self.unsigned_vex
            )),
            None => None,
        };
        match trusted {
            Some(trusted) => VexOutcome::Suppressed(Suppression {
                source: "vex",
                document: &s.document,
                status: s.status.as_str(),
                justification: s.justification.as_deref(),
                trusted,
            }),
            None => {
                let signers: Vec<String> = self
                    .guardrails
                    .vex
                    .trusted
                    .iter()
                    .map(|r| r.label())
                    .collect();
                let by = s.author.as_deref().unwrap_or("an unnamed author");
                VexOutcome::Untrusted(format!(
                    "VEX {} by {by} in {} not trusted for {risk}: unsigned statements suppress up to {} (vex.unsigned){}; needs a statement signed by {}",
                    s.status.as_str(),
                    s.document,
                    self.unsigned_vex,
                    s.unverified
                        .as_deref()
                        .map(|w| format!(", and its signature did not verify ({w})"))
                        .unwrap_or_default(),
                    if signers.is_empty() {
                        "a vex.trusted signer (guardrails.yaml lists none)".to_string()
                    } else {
                        signers.join(" or ")
                    }
                ))
            }
        }
    }
}
