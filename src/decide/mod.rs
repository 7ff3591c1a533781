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
mod decision;
mod finding;
pub mod images;
pub mod org;
pub mod owner;
mod run;
pub mod when;

pub use decision::*;
use finding::{team_autonomy, vex_index};

pub use crate::model::facts::ReviewProofs;

/// How far a report's timestamp may lie after `now` (clocks of runners differ a little).
pub const CLOCK_SKEW_SECS: i64 = 15 * 60;

/// Fewer findings than this are decided on one thread: starting threads would cost more.
const PARALLEL_FROM: usize = 4096;

use crate::model::date::{Date, Timestamp};
use crate::model::finding::{Finding, Severity};
use crate::model::intel::{Epss, Kev};
use crate::model::vex::{GatedImage, PackageRef, Scope, VexStatement, VexStatus};
use crate::policy::acceptances::Acceptance;
use crate::policy::guardrails::{Action, Guardrails, LevelCfg, PrGate, ScannerSuppressions};
use crate::policy::levels::{ApproverRole, Enforcement, Gate, LayerKind, RiskLevel};
use crate::policy::ownership::{Ownership, Product};
use owner::{Owner, OwnerIndex};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use when::{Cond, Facts};

/// An `enforce_from` date (validation refuses one that is not a date).
pub fn enforce(d: &Option<crate::model::date::DateText>) -> Option<Date> {
    d.as_ref().and_then(|d| d.date())
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
    pub reports: &'a [crate::model::facts::InputInfo],
    /// The images the run gates (`--image`, else those the reports say they scanned): what
    /// `pkg:oci/...` VEX products are matched against.
    pub gated_images: &'a [GatedImage],
    /// What verification established about each acceptance's signature, by position.
    pub signatures: &'a [crate::model::facts::AcceptanceSignature],
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
            action: "".into(),
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
                rule: format!("risk.rules[{i}]").into(),
                when: cond.to_string(),
                action: what.into(),
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
        // Each finding is decided from the run's facts alone, so the findings are decided in
        // contiguous parts on up to [`crate::model::threads`] threads and the parts joined in order: the same
        // decisions as one after another (an interner per part shares less, nothing else).
        let decide_part = |part: &'a [Finding], out: &mut Vec<Decided<'a>>| {
            let mut shared = Interner::default();
            for f in part {
                let mut d = self.decide_one(f, inputs, &prepared, &acc_index, &vex_index, today);
                shared.share(&mut d);
                out.push(d);
            }
        };
        let n = inputs.findings.len();
        let threads = if n < PARALLEL_FROM {
            1
        } else {
            crate::model::threads()
        };
        let mut findings = Vec::with_capacity(n);
        if threads < 2 {
            decide_part(inputs.findings, &mut findings);
        } else {
            std::thread::scope(|scope| {
                let mut parts = inputs.findings.chunks(n.div_ceil(threads));
                let first = parts.next().unwrap_or_default();
                let rest: Vec<_> = parts
                    .map(|part| {
                        scope.spawn(move || {
                            let mut out = Vec::with_capacity(part.len());
                            decide_part(part, &mut out);
                            out
                        })
                    })
                    .collect();
                decide_part(first, &mut findings);
                for h in rest {
                    match h.join() {
                        Ok(part) => findings.extend(part),
                        Err(panic) => std::panic::resume_unwind(panic),
                    }
                }
            });
        }
        for (f, d) in inputs.findings.iter().zip(&findings) {
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
        rules.extend(self.unused_acceptances(&uses, inputs.reports));
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
}
