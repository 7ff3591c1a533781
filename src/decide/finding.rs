//! One finding through the pipeline (SPEC §4): VEX, then the level's gate, never_accept and the
//! acceptances that name it, then ownership, SLA, enforce_from and the pull-request gate.

use super::*;

impl<'p> Engine<'p> {
    pub(super) fn warn_before(&self) -> u32 {
        self.guardrails.acceptances.warn_before_days
    }

    pub(super) fn decide_one<'a>(
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
        let level = self.level(risk);
        let mut d = Decided {
            finding: f,
            kev: facts.kev,
            epss: facts.epss,
            risk,
            risk_steps: risk_steps.into(),
            owner: owner.into(),
            level,
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
            existing: inputs.baseline.map(|b| b.contains(&*f.fingerprint)),
            enforce_from: None,
            reasons: Reasons::default(),
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
                d.suppressed_by = Some(Box::new(s));
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
                    d.suppressed_by = Some(Box::new(Suppression {
                        source: "scanner",
                        document: &sup.tool,
                        status: &sup.kind,
                        justification: sup.justification.as_deref(),
                        trusted,
                    }));
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
            level,
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
                    d.reasons.push(format!(
                        "unowned ({why}): ownership.unowned is block{}",
                        escalate(d.owner.escalation)
                    ));
                }
                Enforcement::Warn => d.reasons.push(format!(
                    "unowned ({why}): ownership.unowned is warn{}",
                    escalate(d.owner.escalation)
                )),
            }
        }
        // SLA.
        if let Some(seen) = inputs.first_seen {
            let first = seen.get(&*f.fingerprint).copied().unwrap_or(today);
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
                            d.reasons.push(format!(
                                "{why}; sla.overdue is block{}",
                                escalate(d.owner.escalation)
                            ));
                        }
                        Enforcement::Warn => d.reasons.push(format!(
                            "{why}; sla.overdue is warn{}",
                            escalate(d.owner.escalation)
                        )),
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
                    ,
            );
        }
        d
    }
}

/// VEX statements by vulnerability id (lower case).
pub(super) fn vex_index(vex: &[VexStatement]) -> HashMap<String, Vec<usize>> {
    coverage::id_index(
        vex.iter()
            .enumerate()
            .flat_map(|(i, s)| s.vulnerability.iter().map(move |v| (i, v.as_str()))),
    )
}

/// The highest level within the team's autonomy: from `none` up, every level the team may
/// let through on its own (gate pass or warn, or accepted with approver `team`).
pub(super) fn team_autonomy(levels: &[LevelCfg; 5]) -> RiskLevel {
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
        // The product's `images:` globs from the register (none match nothing).
        let is_image = |name: &str| self.product.is_some_and(|p| p.images.is_match(name));
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

/// `; escalate to X (ownership escalation)`, for reasons that name whom to call.
fn escalate(to: Option<&str>) -> String {
    to.map(|e| format!("; escalate to {e}")).unwrap_or_default()
}
