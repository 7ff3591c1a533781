//! The `human` report: the verdict first, then what blocks, grouped by the team that owns it,
//! each with its risk, why it blocks, and who can unblock it and how; then what only warns.

use super::View;
use crate::decide::{Decided, Judged, Status, Verdict};
use crate::policy::levels::{ApproverRole, Gate};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// At most this many warned, accepted or suppressed findings are listed one per line; the json
/// report has all of them.
const LIST_LIMIT: usize = 20;

pub fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    let d = v.decision;
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
            "BLOCK {product}: {} of {} finding{} block{} the deploy{also}",
            blocked.len(),
            d.findings.len(),
            plural(d.findings.len()),
            if blocked.len() == 1 { "s" } else { "" }
        )?,
        Verdict::Allow => writeln!(
            w,
            "ALLOW {product}: nothing blocks the deploy ({} finding{})",
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

    // Blocked, grouped by owner (unowned last).
    let mut groups: BTreeMap<(bool, &str), Vec<&Decided>> = BTreeMap::new();
    for f in &blocked {
        groups
            .entry((f.owner.team.is_none(), f.owner.team.unwrap_or("")))
            .or_default()
            .push(f);
    }
    for ((unowned, team), mut list) in groups {
        list.sort_by(|a, b| {
            b.risk
                .cmp(&a.risk)
                .then_with(|| a.finding.id.cmp(&b.finding.id))
                .then_with(|| a.finding.fingerprint.cmp(&b.finding.fingerprint))
        });
        writeln!(w)?;
        if unowned {
            writeln!(
                w,
                "Blocked, unowned ({} finding{}):",
                list.len(),
                plural(list.len())
            )?;
        } else {
            let contact = list[0]
                .owner
                .contact
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            writeln!(
                w,
                "Blocked, owned by {team}{contact} ({} finding{}):",
                list.len(),
                plural(list.len())
            )?;
        }
        for f in list {
            blocked_entry(w, v, f)?;
        }
    }

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
            let why = f.reasons.last().map(String::as_str).unwrap_or("");
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
    let idle: Vec<_> = d
        .acceptances
        .iter()
        .filter(|u| u.covers.is_empty() && !u.problems.is_empty())
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
                f.reasons.last().map(String::as_str).unwrap_or("")
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

fn blocked_entry(w: &mut dyn Write, v: &View, d: &Decided) -> io::Result<()> {
    let f = d.finding;
    writeln!(w)?;
    let mut head = format!("  {}  {}", f.id, d.risk);
    if let Some(p) = &f.package {
        head.push_str(&format!(
            "  {} {}",
            p.name,
            p.version.as_deref().unwrap_or("")
        ));
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
    writeln!(w, "{}", head.trim_end())?;
    if let Some(t) = &f.title {
        writeln!(w, "    {:<8}{}", "what", t)?;
    }
    let mut risk = d.risk_steps.iter().map(|s| s.describe());
    if let Some(first) = risk.next() {
        writeln!(w, "    {:<8}{first}", "risk")?;
    }
    for r in risk {
        writeln!(w, "    {:<8}{r}", "")?;
    }
    let mut why = d.reasons.iter();
    if let Some(first) = why.next() {
        writeln!(w, "    {:<8}{first}", "why")?;
    }
    for r in why {
        writeln!(w, "    {:<8}{r}", "")?;
    }
    for t in d.tried.iter().filter(|t| t.in_scope && !t.covers()) {
        writeln!(
            w,
            "    {:<8}{} ({}) does not cover it:",
            "",
            t.acceptance.id,
            v.acceptance_at(t.index)
        )?;
        for p in &t.problems {
            writeln!(w, "    {:<8}  - {p}", "")?;
        }
    }
    if let Some(fix) = &f.fixed_version {
        let name = f.package.as_ref().map(|p| p.name.as_str()).unwrap_or("it");
        writeln!(w, "    {:<8}upgrade {name} to {fix}", "fix")?;
    }
    match (d.level.gate, &d.never_accept, d.required_approver) {
        (Gate::Accept, None, Some(role)) => {
            let days = d
                .level
                .max_days
                .map(|n| format!(" for at most {n} days"))
                .unwrap_or_default();
            let sig = if d.level.require_signature {
                ", signed"
            } else {
                ""
            };
            let who = if role == ApproverRole::Team {
                format!(
                    "a member of {} may accept it",
                    d.owner.team.unwrap_or("the owning team")
                )
            } else {
                format!("{role} ({}) may approve an acceptance", v.holders(d, role))
            };
            writeln!(w, "    {:<8}{who}{days}{sig}:", "unblock")?;
            if let Some(cmd) = v.unblock_command(d) {
                writeln!(w, "    {:<8}{cmd}", "")?;
            }
        }
        (_, Some(_), _) | (Gate::Block, _, _) => {
            writeln!(w, "    {:<8}cannot be accepted: remediate it", "unblock")?;
        }
        _ => {}
    }
    Ok(())
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
