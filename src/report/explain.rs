//! `riskgate explain ID`: everything riskgate knows about one finding — who owns it and why, how
//! its risk was derived, which acceptances were tried and why each does or does not cover it,
//! and who may accept it for how long.

use super::View;
use crate::decide::Decided;
use crate::policy::levels::{ApproverRole, Gate};
use std::io::{self, Write};

/// The findings of the run with `id` among their ids (case-insensitive).
pub fn matching<'v, 'a>(v: &'v View<'a>, id: &str) -> Vec<&'v Decided<'a>> {
    v.decision
        .findings
        .iter()
        .filter(|d| d.finding.ids().any(|i| i.eq_ignore_ascii_case(id.trim())))
        .collect()
}

pub fn render(w: &mut dyn Write, v: &View, found: &[&Decided]) -> io::Result<()> {
    for (n, d) in found.iter().enumerate() {
        if n > 0 {
            writeln!(w)?;
        }
        one(w, v, d)?;
    }
    Ok(())
}

fn one(w: &mut dyn Write, v: &View, d: &Decided) -> io::Result<()> {
    let f = d.finding;
    let mut head = f.id.clone();
    if let Some(p) = &f.package {
        head.push_str(&format!(
            " in {} {}",
            p.name,
            p.version.as_deref().unwrap_or("")
        ));
    }
    writeln!(w, "{}", head.trim_end())?;
    let row = |w: &mut dyn Write, k: &str, val: &str| {
        writeln!(w, "{}", format!("  {k:<16}{val}").trim_end())
    };
    if !f.aliases.is_empty() {
        row(w, "aliases", &f.aliases.join(", "))?;
    }
    if let Some(t) = &f.title {
        row(w, "title", t)?;
    }
    row(
        w,
        "kind",
        &format!("{} (reported by {})", f.kind.as_str(), f.tools.join(", ")),
    )?;
    let mut loc = f.location.path.as_deref().unwrap_or("-").to_string();
    if let Some(l) = f.location.line {
        loc.push_str(&format!(":{l}"));
    }
    if let Some(t) = &f.target {
        loc.push_str(&format!(" in {t}"));
    }
    row(w, "location", &loc)?;
    row(w, "fingerprint", &f.fingerprint)?;
    row(w, "status", d.status.as_str())?;
    for r in &d.reasons {
        row(w, "", r)?;
    }

    let owner = match (d.owner.team, d.owner.layer) {
        (Some(t), Some(l)) => format!("{t} (layer rule `{l}` matched)"),
        (Some(t), None) => format!("{t} (the product's team; no layer rule matched)"),
        (None, _) => format!(
            "none: {}",
            d.owner
                .note
                .as_deref()
                .unwrap_or("no product in the ownership register for this run")
        ),
    };
    row(w, "owner", &owner)?;

    row(w, "risk", d.risk.as_str())?;
    for s in d.risk_steps.iter() {
        row(w, "", &format!("- {}", s.describe()))?;
    }
    let kev = if d.kev {
        "in CISA KEV"
    } else {
        "not in KEV (or no --kev given)"
    };
    let epss = d
        .epss
        .map(|e| format!("EPSS {e:.5}"))
        .unwrap_or_else(|| "no EPSS score (or no --epss given)".into());
    row(w, "intel", &format!("{kev}; {epss}"))?;

    let l = &d.level;
    let mut level = format!("{}: gate {}", d.risk, l.gate.as_str());
    if let Some(a) = l.approver {
        level.push_str(&format!(", approver {a}"));
    }
    if let Some(m) = l.max_days {
        level.push_str(&format!(", max_days {m}"));
    }
    if let Some(s) = l.sla_days {
        level.push_str(&format!(", sla_days {s}"));
    }
    if l.require_signature {
        level.push_str(", require_signature");
    }
    if let Some(from) = &l.enforce_from {
        level.push_str(&format!(", enforced from {from}"));
    }
    row(w, "level", &level)?;
    match &d.never_accept {
        Some(n) => row(w, "never_accept", &format!("matches {n}"))?,
        None => row(w, "never_accept", "no entry matches")?,
    }
    if let Some(s) = &d.suppressed_by {
        row(
            w,
            if s.source == "vex" {
                "vex"
            } else {
                "suppressed"
            },
            &format!(
                "{} in {}{}; {}",
                s.status,
                s.document,
                s.justification
                    .map(|j| format!(" ({j})"))
                    .unwrap_or_default(),
                s.trusted
            ),
        )?;
    }
    match (d.first_seen, d.due) {
        (Some(fs), Some(due)) => row(
            w,
            "sla",
            &format!(
                "first seen {fs}, due {due}{}",
                if d.overdue { " (overdue)" } else { "" }
            ),
        )?,
        (Some(fs), None) => row(
            w,
            "sla",
            &format!("first seen {fs}; no sla_days at this level"),
        )?,
        _ => row(
            w,
            "sla",
            "no due date (pass --state to track first-seen dates)",
        )?,
    }

    if d.tried.is_empty() {
        row(w, "acceptances", "none names this finding")?;
    } else {
        row(w, "acceptances", "")?;
        for t in &d.tried {
            let at = v.acceptance_at(t.index);
            if t.covers() {
                writeln!(w, "    {} ({at}): covers it", t.acceptance.id)?;
            } else {
                writeln!(w, "    {} ({at}): does not cover it", t.acceptance.id)?;
                for p in &t.problems {
                    writeln!(w, "      - {p}")?;
                }
            }
        }
    }

    let may = match (l.gate, &d.never_accept, l.approver) {
        (Gate::Pass | Gate::Warn, _, _) => "nobody needs to: this level does not block".to_string(),
        (Gate::Block, _, _) => "nobody: the level's gate is block".to_string(),
        (_, Some(_), _) => "nobody: it matches never_accept".to_string(),
        (Gate::Accept, None, Some(role)) => {
            let who = if role == ApproverRole::Team {
                format!(
                    "a member of the owning team {} ({})",
                    d.owner.team.unwrap_or("-"),
                    v.holders(d, role)
                )
            } else {
                format!(
                    "requested by a member of the owning team {} ({}), approved by {role} ({}) or a higher role, who is not the requester",
                    d.owner.team.unwrap_or("-"),
                    v.holders(d, ApproverRole::Team),
                    v.holders(d, role)
                )
            };
            let until = l
                .max_days
                .map(|m| {
                    format!(
                        "; for at most {m} days (until {} if accepted today)",
                        v.decision.now.date().add_days(i64::from(m))
                    )
                })
                .unwrap_or_default();
            let sig = if l.require_signature {
                "; the approver must sign it"
            } else {
                ""
            };
            format!("{who}{until}{sig}")
        }
        (Gate::Accept, None, None) => "nobody: the level names no approver".to_string(),
    };
    row(w, "who may accept", &may)?;
    if let Some(cmd) = v.unblock_command(d) {
        row(w, "unblock", &cmd)?;
    }
    Ok(())
}
