//! The `human` report: the verdict first, then what blocks, grouped by the team that owns it,
//! each with its risk, why it blocks, and who can unblock it and how; then what only warns.

use super::View;
use crate::decide::{Decided, Judged, Status, Verdict};
use crate::model::outcome::RiskLevel;
use crate::policy::levels::{ApproverRole, Gate};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// At most this many warned, accepted or suppressed findings are listed one per line; the json
/// report has all of them.
const LIST_LIMIT: usize = 20;

/// ANSI colour for a terminal, or none.
#[derive(Clone, Copy, Debug, Default)]
pub struct Paint(bool);

impl Paint {
    pub fn new(on: bool) -> Paint {
        Paint(on)
    }

    fn wrap(self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }

    fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }

    fn verdict(self, v: Verdict) -> String {
        match v {
            Verdict::Block => self.wrap("1;31", "BLOCK"),
            Verdict::Allow => self.wrap("1;32", "ALLOW"),
        }
    }

    fn risk(self, r: RiskLevel) -> String {
        let code = match r {
            RiskLevel::Critical => "1;31",
            RiskLevel::High => "31",
            RiskLevel::Medium => "33",
            _ => "2",
        };
        self.wrap(code, r.as_str())
    }
}

pub fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    render_painted(w, v, Paint::default())
}

pub fn render_painted(w: &mut dyn Write, v: &View, paint: Paint) -> io::Result<()> {
    let d = v.decision;
    if let Some(n) = &v.notice {
        writeln!(w, "{} {n}", paint.bold("note:"))?;
    }
    let blocked: Vec<&Decided> = d
        .findings
        .iter()
        .filter(|f| f.status == Status::Blocked)
        .collect();
    let product = d.product.unwrap_or("(no product)");
    let targets: Vec<&Judged> = d.images.iter().chain(&d.artifacts).collect();
    let failing = targets.iter().filter(|j| j.blocked()).count();
    let failing_rules = d
        .rules
        .iter()
        .filter(|r| r.status == Status::Blocked)
        .count();
    let mut also = if failing > 0 {
        format!(
            "; {failing} of {} image{}/artifact{} {}",
            targets.len(),
            plural(targets.len()),
            plural(targets.len()),
            if failing == 1 {
                "fails its checks"
            } else {
                "fail their checks"
            }
        )
    } else {
        String::new()
    };
    if failing_rules > 0 {
        also.push_str(&format!(
            "; {failing_rules} run check{} fail{}",
            plural(failing_rules),
            if failing_rules == 1 { "s" } else { "" }
        ));
    }
    match d.verdict {
        Verdict::Block => writeln!(
            w,
            "{} {product}: {} of {} finding{} block{} the deploy{also}",
            paint.verdict(Verdict::Block),
            blocked.len(),
            d.findings.len(),
            plural(d.findings.len()),
            if blocked.len() == 1 { "s" } else { "" }
        )?,
        Verdict::Allow => writeln!(
            w,
            "{} {product}: nothing blocks the deploy ({} finding{})",
            paint.verdict(Verdict::Allow),
            d.findings.len(),
            plural(d.findings.len())
        )?,
    }
    let counts: Vec<String> = Status::ALL
        .iter()
        .map(|s| format!("{} {}", d.count(*s), s.as_str()))
        .collect();
    writeln!(
        w,
        "  {} · evaluated at {} · policy {}",
        counts.join(", "),
        d.now,
        v.policy_source
    )?;
    if v.quiet {
        return Ok(());
    }

    for j in &targets {
        judged(w, j)?;
    }
    let rules: Vec<_> = d
        .rules
        .iter()
        .filter(|r| r.status != Status::Passed)
        .collect();
    if !rules.is_empty() {
        writeln!(w)?;
        writeln!(w, "Run checks:")?;
        for r in rules {
            let label = match r.status {
                Status::Blocked => "FAIL ",
                Status::WouldBlock => "LATER",
                _ => "WARN ",
            };
            writeln!(w, "  {label} {}: {}", r.rule, r.reason)?;
            writeln!(w, "        owner: {}", super::owner_words(&r.owner))?;
            if let Some(d) = r.enforce_from {
                writeln!(w, "        enforced from {d}")?;
            }
            if let Some(fix) = &r.fix {
                writeln!(w, "        fix:   {fix}")?;
            }
        }
    }

    blocked_groups(w, v, &blocked, paint)?;

    let rest =
        |s: Status| -> Vec<&Decided> { d.findings.iter().filter(|f| f.status == s).collect() };
    let accepted = rest(Status::Accepted);
    if !accepted.is_empty() {
        writeln!(w)?;
        writeln!(w, "Accepted ({}):", accepted.len())?;
        for f in accepted.iter().take(LIST_LIMIT) {
            let a = f.acceptance.map(|a| a.id.as_str()).unwrap_or("?");
            let until = f.acceptance.map(|a| a.expires.as_str()).unwrap_or("?");
            let proof = f
                .approval
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            writeln!(w, "  {}  by {a} until {until}{proof}", one_line(f))?;
        }
        more(w, accepted.len())?;
    }
    let would = rest(Status::WouldBlock);
    if !would.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "Would block once enforced ({}, not blocking yet):",
            would.len()
        )?;
        for f in would.iter().take(LIST_LIMIT) {
            writeln!(
                w,
                "  {}  owner {}  from {}",
                one_line(f),
                super::owner_words(&f.owner),
                f.enforce_from.map(|d| d.to_string()).unwrap_or_default()
            )?;
        }
        more(w, would.len())?;
    }
    let warned = rest(Status::Warned);
    if !warned.is_empty() {
        writeln!(w)?;
        writeln!(w, "Warned ({}, not blocking):", warned.len())?;
        for f in warned.iter().take(LIST_LIMIT) {
            let extra = f
                .reasons
                .iter()
                .find(|r| {
                    r.starts_with("unowned")
                        || r.starts_with("past its SLA")
                        || r.starts_with("already on the target branch")
                })
                .map(|r| format!("  [{r}]"))
                .unwrap_or_default();
            writeln!(
                w,
                "  {}  owner {}{extra}",
                one_line(f),
                super::owner_words(&f.owner)
            )?;
        }
        more(w, warned.len())?;
    }
    for (status, title) in [
        (Status::Suppressed, "Suppressed by VEX"),
        (Status::SuppressedByScanner, "Suppressed by the scanner"),
    ] {
        let suppressed = rest(status);
        if suppressed.is_empty() {
            continue;
        }
        writeln!(w)?;
        writeln!(w, "{title} ({}):", suppressed.len())?;
        for f in suppressed.iter().take(LIST_LIMIT) {
            let why = f.reasons.last().unwrap_or("");
            writeln!(w, "  {}  {why}", one_line(f))?;
        }
        more(w, suppressed.len())?;
    }
    let warnings = v.warnings();
    if !warnings.is_empty() {
        writeln!(w)?;
        writeln!(w, "Warnings:")?;
        for x in &warnings {
            writeln!(w, "  {x}")?;
        }
    }
    // Those tried on a blocked finding were explained under it.
    let explained: std::collections::BTreeSet<usize> = blocked
        .iter()
        .flat_map(|f| f.tried.iter().filter(|t| t.in_scope).map(|t| t.index))
        .collect();
    let idle: Vec<_> = d
        .acceptances
        .iter()
        .filter(|u| u.covers.is_empty() && !u.problems.is_empty())
        .filter(|u| !explained.contains(&u.index))
        // those `acceptances.unused` judged (listed under Run checks) or did not judge
        .filter(|u| {
            !d.rules
                .iter()
                .any(|r| r.rule == "acceptances.unused" && r.subject == u.acceptance.id)
        })
        .collect();
    if !idle.is_empty() {
        writeln!(w)?;
        writeln!(w, "Acceptances that cover nothing ({}):", idle.len())?;
        for u in idle {
            writeln!(w, "  {} ({}):", u.acceptance.id, v.acceptance_at(u.index))?;
            for p in &u.problems {
                writeln!(w, "    - {p}")?;
            }
        }
    }
    if v.explain_upcoming {
        upcoming(w, v)?;
    }
    Ok(())
}

/// An image or artifact: what it resolved to, then each check; failures with owner and fix.
fn judged(w: &mut dyn Write, j: &Judged) -> io::Result<()> {
    writeln!(w)?;
    let what = if j.image.is_some() {
        "Image"
    } else {
        "Artifact"
    };
    let verdict = match j.status() {
        Status::Blocked => "BLOCKED",
        Status::WouldBlock => "would block once enforced",
        _ => "ok",
    };
    writeln!(
        w,
        "{what} {} ({}): {verdict}",
        j.target,
        j.digest.unwrap_or("digest unknown")
    )?;
    for c in &j.checks {
        if c.check.passed {
            writeln!(w, "  ok    {:<11} {}", c.check.rule, c.check.reason)?;
            continue;
        }
        match c.pending {
            None => writeln!(w, "  FAIL  {:<11} {}", c.check.rule, c.check.reason)?,
            Some(d) => writeln!(
                w,
                "  LATER {:<11} {} (enforced from {d})",
                c.check.rule, c.check.reason
            )?,
        }
        writeln!(w, "        owner: {}", super::owner_words(&c.owner))?;
        if let Some(fix) = &c.check.fix {
            writeln!(w, "        fix:   {fix}")?;
        }
    }
    Ok(())
}

/// `--explain-upcoming`: everything `would_block`, by the date it starts to block.
fn upcoming(w: &mut dyn Write, v: &View) -> io::Result<()> {
    let d = v.decision;
    let mut by_date: BTreeMap<crate::model::date::Date, Vec<String>> = BTreeMap::new();
    for f in d.findings.iter().filter(|f| f.status == Status::WouldBlock) {
        if let Some(date) = f.enforce_from {
            by_date.entry(date).or_default().push(format!(
                "{}  owner {}  ({})",
                one_line(f),
                super::owner_words(&f.owner),
                f.reasons.last().unwrap_or("")
            ));
        }
    }
    for r in d.rules.iter().filter(|r| r.status == Status::WouldBlock) {
        if let Some(date) = r.enforce_from {
            by_date.entry(date).or_default().push(format!(
                "{}: {}  owner {}",
                r.rule,
                r.reason,
                super::owner_words(&r.owner)
            ));
        }
    }
    for j in d.images.iter().chain(&d.artifacts) {
        for c in &j.checks {
            if let (false, Some(date)) = (c.check.passed, c.pending) {
                by_date.entry(date).or_default().push(format!(
                    "{} {}: {}  owner {}",
                    j.target,
                    c.check.rule,
                    c.check.reason,
                    super::owner_words(&c.owner)
                ));
            }
        }
    }
    writeln!(w)?;
    if by_date.is_empty() {
        writeln!(
            w,
            "Upcoming enforcement: nothing is waiting for an enforce_from date."
        )?;
        return Ok(());
    }
    writeln!(
        w,
        "Upcoming enforcement (what blocks once each date passes):"
    )?;
    for (date, list) in by_date {
        writeln!(w, "  from {date} ({}):", list.len())?;
        for x in list {
            writeln!(w, "    {x}")?;
        }
    }
    Ok(())
}

/// What unblocks a blocked finding: the key blocked findings are grouped by under their team.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Unblock {
    /// An acceptance approved by `role` (most demanding first), for at most `days`.
    Accept {
        role: std::cmp::Reverse<ApproverRole>,
        days: Option<u32>,
        signed: bool,
    },
    /// Nothing but remediation: gate block or never_accept.
    Remediate,
}

impl Unblock {
    fn of(d: &Decided) -> Unblock {
        match (d.level.gate, &d.never_accept, d.required_approver) {
            (Gate::Accept, None, Some(role)) => Unblock::Accept {
                role: std::cmp::Reverse(role),
                days: d.level.max_days,
                signed: d.level.require_signature,
            },
            _ => Unblock::Remediate,
        }
    }
}

/// Blocked findings by owning team (unowned last), then by what would unblock them: each group
/// says once who may act and the one command that would unblock all of it; each finding takes
/// two lines (what and where; why no acceptance covers it and the fix).
fn blocked_groups(
    w: &mut dyn Write,
    v: &View,
    blocked: &[&Decided],
    paint: Paint,
) -> io::Result<()> {
    let mut teams: BTreeMap<(bool, &str), BTreeMap<Unblock, Vec<&Decided>>> = BTreeMap::new();
    for f in blocked {
        teams
            .entry((f.owner.team.is_none(), f.owner.team.unwrap_or("")))
            .or_default()
            .entry(Unblock::of(f))
            .or_default()
            .push(f);
    }
    for ((unowned, team), groups) in teams {
        let n: usize = groups.values().map(Vec::len).sum();
        writeln!(w)?;
        let title = if unowned {
            format!("Blocked, unowned ({n} finding{}):", plural(n))
        } else {
            let contact = groups
                .values()
                .flatten()
                .find_map(|f| f.owner.contact)
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            format!(
                "Blocked, owned by {team}{contact} ({n} finding{}):",
                plural(n)
            )
        };
        writeln!(w, "{}", paint.bold(&title))?;
        for (unblock, mut list) in groups {
            list.sort_by(|a, b| {
                b.risk
                    .cmp(&a.risk)
                    .then_with(|| a.finding.id.cmp(&b.finding.id))
                    .then_with(|| a.finding.fingerprint.cmp(&b.finding.fingerprint))
            });
            writeln!(w)?;
            writeln!(w, "  {}", group_title(v, &unblock, list[0], list.len()))?;
            for f in &list {
                entry(w, v, f, paint)?;
            }
            if unblock != Unblock::Remediate {
                // each id once, in the order listed (one id in two packages is one word)
                let mut seen = std::collections::BTreeSet::new();
                let ids: Vec<&str> = list
                    .iter()
                    .map(|f| f.finding.id.as_str())
                    .filter(|id| seen.insert(*id))
                    .collect();
                match v.accept_command(list[0], &ids, None) {
                    Some(cmd) => writeln!(w, "    {} {cmd}", paint.bold("unblock:"))?,
                    None => writeln!(
                        w,
                        "    {} no product is known for this run, so nothing can be accepted: pass --product, or list this repository under a product's `repos` in ownership.yaml",
                        paint.bold("unblock:")
                    )?,
                }
            }
        }
    }
    if !blocked.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            paint.dim("Every detail of a finding (risk steps, each acceptance tried, who may approve): riskgate explain ID, with the same flags")
        )?;
    }
    Ok(())
}

/// `3 need an acceptance approved by security (sam@acme.example), for at most 14 days, signed:`
fn group_title(v: &View, u: &Unblock, d: &Decided, n: usize) -> String {
    let (verb, noun) = if n == 1 {
        ("needs", "finding")
    } else {
        ("need", "findings")
    };
    match u {
        Unblock::Remediate => {
            let why = match &d.never_accept {
                Some(rule) => format!("never_accept ({rule})"),
                None => format!("level {} has gate block", d.risk),
            };
            format!("{n} {noun} cannot be accepted, only remediated: {why}")
        }
        Unblock::Accept { role, days, signed } => {
            let role = role.0;
            let days = days
                .map(|n| format!(", for at most {n} days"))
                .unwrap_or_default();
            let signed = if *signed { ", signed" } else { "" };
            let team = d.owner.team.unwrap_or("the owning team");
            let members = v.engine.holders(ApproverRole::Team, d.owner.team);
            let by = if members.is_empty() {
                format!("requested by a member of {team} (it has none: add `members` to teams.{team} in ownership.yaml)")
            } else {
                format!("requested by {}", members.join(" or "))
            };
            if role == ApproverRole::Team {
                return format!(
                    "{n} {noun}: {team} may accept {} itself{days}{signed}, {by}:",
                    if n == 1 { "it" } else { "them" }
                );
            }
            let holders = v.engine.holders(role, d.owner.team);
            let who = if holders.is_empty() {
                let fix = match role {
                    ApproverRole::RiskOwner => format!(
                        "name a `risk_owner` for products.{} in ownership.yaml",
                        v.decision.product.unwrap_or("PRODUCT")
                    ),
                    _ => format!("give `{role}` members in ownership.yaml"),
                };
                format!("{role}, but nobody holds that role ({fix})")
            } else {
                format!("{role} ({})", holders.join(", "))
            };
            format!("{n} {noun} {verb} an acceptance approved by {who}{days}{signed}; {by}:")
        }
    }
}

/// Two lines: id, risk, package and place; then the fix and why no acceptance covers it.
fn entry(w: &mut dyn Write, v: &View, d: &Decided, paint: Paint) -> io::Result<()> {
    let f = d.finding;
    let mut head = format!("    {}  {}", paint.bold(&f.id), paint.risk(d.risk));
    if let Some(p) = &f.package {
        head.push_str(&format!(
            "  {} {}",
            p.name,
            p.version.as_deref().unwrap_or("")
        ));
        head = head.trim_end().to_string();
    }
    if let Some(path) = &f.location.path {
        head.push_str(&format!("  {path}"));
        if let Some(l) = f.location.line {
            head.push_str(&format!(":{l}"));
        }
    }
    if let Some(layer) = d.owner.layer {
        head.push_str(&format!("  [layer {layer}]"));
    }
    if let Some(t) = &f.title {
        head.push_str(&format!("  {}", paint.dim(&clip(t, 72))));
    }
    writeln!(w, "{}", head.trim_end())?;
    let mut detail: Vec<String> = Vec::new();
    if let Some(fix) = &f.fixed_version {
        let name = f.package.as_ref().map(|p| p.name.as_str()).unwrap_or("it");
        detail.push(format!("fix: upgrade {name} to {fix}"));
    }
    let tried: Vec<String> = d
        .tried
        .iter()
        .filter(|t| t.in_scope && !t.covers())
        .map(|t| {
            format!(
                "{} ({}) does not cover it: {}",
                t.acceptance.id,
                v.acceptance_at(t.index),
                t.problems.join("; ")
            )
        })
        .collect();
    if tried.is_empty() {
        // why it blocks, when no acceptance explains it
        if let Some(r) = d.reasons.iter().find(|r| !r.contains("none is recorded")) {
            detail.push(r.to_string());
        }
    }
    detail.extend(tried);
    if !detail.is_empty() {
        writeln!(w, "      {}", detail.join(" · "))?;
    }
    Ok(())
}

/// At most `n` characters of `s`, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> String {
    let s = s.lines().next().unwrap_or("").trim();
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", s[..i].trim_end()),
        None => s.to_string(),
    }
}

/// `CVE-2019-1549  medium  libssl1.1 1.1.1c-r0`.
fn one_line(d: &Decided) -> String {
    let f = d.finding;
    let mut s = format!("{}  {}", f.id, d.risk);
    if let Some(p) = &f.package {
        s.push_str(&format!(
            "  {} {}",
            p.name,
            p.version.as_deref().unwrap_or("")
        ));
    } else if let Some(path) = &f.location.path {
        s.push_str(&format!("  {path}"));
    }
    s.trim_end().to_string()
}

fn more(w: &mut dyn Write, n: usize) -> io::Result<()> {
    if n > LIST_LIMIT {
        writeln!(w, "  ... and {} more (see --format json)", n - LIST_LIMIT)?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
