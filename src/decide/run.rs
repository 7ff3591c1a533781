//! Rules about the run rather than one finding: required reports, unused acceptances, budgets,
//! stale ownership, and the images and artifacts judged against their checks.

use super::*;
use crate::model::date::DateText;

impl<'p> Engine<'p> {
    /// `require_reports` (the organisation's, then the product's): each kind must come from a
    /// report of this run, recent enough when `max_age_hours` says so.
    pub(super) fn required_reports<'a>(&'a self, inputs: &Inputs<'a>) -> Vec<RuleEntry<'a>> {
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
                let matching: Vec<&crate::model::facts::InputInfo> = inputs
                    .reports
                    .iter()
                    .filter(|r| r.kinds.contains(&req.kind))
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
    /// Judged only when this run had a report of a kind that reports what it accepts (its
    /// recorded `kind`, else a vulnerability id's): gating one SARIF file says nothing of the
    /// acceptances of the dependency scan.
    pub(super) fn unused_acceptances<'a>(
        &'a self,
        uses: &[AcceptanceUse<'a>],
        reports: &[crate::model::facts::InputInfo],
    ) -> Vec<RuleEntry<'a>> {
        use crate::model::finding::{is_vulnerability_id, Kind, ScanKind};
        let Some(product) = self.product_name else {
            return Vec::new();
        };
        let had: std::collections::BTreeSet<ScanKind> = reports
            .iter()
            .flat_map(|r| r.kinds.iter().copied())
            .collect();
        uses.iter()
            .filter(|u| u.acceptance.product == product && u.covers.is_empty() && u.in_scope == 0)
            .map(|u| {
                let a = u.acceptance;
                let kind = a
                    .kind
                    .or_else(|| is_vulnerability_id(&a.finding).then_some(Kind::Vulnerability));
                let unjudged = match kind {
                    None => Some(format!(
                        "acceptance {} not judged: it records no `kind`, so this run cannot tell whether it had the report that would show {}",
                        a.id, a.finding
                    )),
                    Some(k) if !ScanKind::finding(k).iter().any(|s| had.contains(s)) => {
                        let names: Vec<&str> =
                            ScanKind::finding(k).iter().map(|s| s.as_str()).collect();
                        Some(format!(
                            "acceptance {} not judged: it is about a {}, and this run had no {} report",
                            a.id,
                            k.as_str(),
                            match names.split_last() {
                                Some((last, [])) => last.to_string(),
                                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                                None => String::new(),
                            }
                        ))
                    }
                    Some(_) => None,
                };
                if let Some(reason) = unjudged {
                    return RuleEntry {
                        rule: "acceptances.unused".into(),
                        subject: a.id.clone(),
                        status: Status::Passed,
                        reason,
                        owner: self.owners.for_layer(None),
                        enforce_from: None,
                        fix: None,
                    };
                }
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
    pub(super) fn budgets(&self, inputs: &Inputs) -> Vec<String> {
        let Some(max) = self.guardrails.acceptances.max_open_per_team else {
            return Vec::new();
        };
        let today = inputs.now.date();
        let mut open: BTreeMap<&str, usize> = BTreeMap::new();
        for a in inputs.acceptances {
            if a.expires.date().is_some_and(|e| e >= today) {
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

    pub(super) fn judge<'a>(
        &'a self,
        checks: Vec<images::Check>,
        enforce_from: &Option<crate::model::date::DateText>,
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

    pub(super) fn judge_images<'a>(&'a self, inputs: &Inputs<'a>) -> Vec<Judged<'a>> {
        let none = Default::default();
        let cfg = self.guardrails.images.as_ref().unwrap_or(&none);
        let none_images = Default::default();
        let product_images = self.product.map(|p| &p.images).unwrap_or(&none_images);
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

    pub(super) fn judge_artifacts<'a>(&'a self, inputs: &Inputs<'a>) -> Vec<Judged<'a>> {
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

    /// Stale ownership data: the register or this product not reviewed within `max_age_days`.
    pub fn stale_ownership(&self, today: Date) -> Vec<String> {
        let max = self.guardrails.ownership.max_age_days;
        let own = self.ownership;
        let mut out = Vec::new();
        let mut check = |what: String, reviewed: Option<&DateText>, team: Option<&str>| {
            out.extend(
                crate::policy::ownership::stale(&what, reviewed, today, max).map(|why| {
                    match own.escalation(team) {
                        Some(e) => format!("{why}; escalate to {e}"),
                        None => why,
                    }
                }),
            )
        };
        if self.product.is_some() {
            check("the ownership register".into(), own.reviewed.as_ref(), None);
        }
        if let (Some(n), Some(p)) = (self.product_name, self.product) {
            check(
                format!("product {n}"),
                p.reviewed.as_ref(),
                Some(p.team.as_str()),
            );
            for d in own
                .product_disputes(n)
                .into_iter()
                .chain(own.layer_disputes())
            {
                out.push(match own.escalation(Some(d.team)) {
                    Some(e) => format!("{}; escalate to {e}", d.reason),
                    None => d.reason,
                });
            }
            out.extend(self.ownership.product_problems(n));
            out.extend(own.no_risk_owner(n));
        }
        out
    }
}
