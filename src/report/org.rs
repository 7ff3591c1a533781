//! The organisation's view (`riskgate org report`) as json (`riskgate schema org`) and markdown,
//! and `org who` as a table or json. The html page is in [`super::org_html`].

use super::markdown::cell;
use super::table::columns;
use crate::decide::org::{Counts, OrgView, WhoView};
use crate::model::outcome::RiskLevel;
use std::io::{self, Write};

/// At most this many rows in each markdown list; the json has them all.
const ROWS: usize = 50;

pub fn json(w: &mut dyn Write, v: &OrgView) -> io::Result<()> {
    super::write_json(w, v)
}

pub fn schema() -> schemars::Schema {
    schemars::schema_for!(OrgView)
}

pub fn who_schema() -> schemars::Schema {
    schemars::schema_for!(WhoView)
}

/// `62%`, or `n/a` without findings that have a due date.
pub fn percent(f: Option<f64>) -> String {
    match f {
        Some(f) => format!("{:.0}%", (f * 100.0).floor()),
        None => "n/a".into(),
    }
}

/// `2 critical, 5 high` of the open findings (levels with none left out).
pub fn risk_mix(c: &Counts) -> String {
    let parts: Vec<String> = RiskLevel::ALL
        .iter()
        .rev()
        .filter_map(|l| {
            let n = c.open_by_risk.get(l).copied().unwrap_or(0);
            (n > 0).then(|| format!("{n} {l}"))
        })
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(cell).unwrap_or_else(|| "—".into())
}

pub fn markdown(w: &mut dyn Write, v: &OrgView) -> io::Result<()> {
    let t = &v.totals;
    writeln!(w, "# Security ownership: the organisation's view\n")?;
    writeln!(
        w,
        "As of {}, from the latest report of {} product(s) ({} report(s) read, {} superseded), against `{}`.\n",
        v.generated_at,
        v.reports.used,
        v.reports.read,
        v.reports.superseded,
        cell(&v.policy)
    )?;
    writeln!(
        w,
        "**{}** open finding(s) ({}): **{}** blocked, {} would block, {} accepted, **{}** overdue, **{}** unowned. SLA compliance **{}**.\n",
        t.counts.open,
        risk_mix(&t.counts),
        t.counts.blocked,
        t.counts.would_block,
        t.counts.accepted,
        t.counts.overdue,
        t.counts.unowned,
        percent(t.sla_compliance)
    )?;
    if let Some(e) = &v.escalation {
        writeln!(w, "Escalation: {}.\n", cell(e))?;
    }
    writeln!(w, "## Teams\n")?;
    writeln!(w, "| team | SLA compliance | open | open risk | blocked | would block | accepted | overdue | unowned (its products) | expiring acceptances | escalation |")?;
    writeln!(w, "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")?;
    for (name, r) in &v.teams {
        let c = &r.counts;
        writeln!(
            w,
            "| {}{} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(name),
            if r.registered {
                ""
            } else {
                " (not in the register)"
            },
            percent(r.sla_compliance),
            c.open,
            risk_mix(c),
            c.blocked,
            c.would_block,
            c.accepted,
            c.overdue,
            c.unowned,
            r.expiring_acceptances,
            opt(&r.escalation)
        )?;
    }
    writeln!(w, "\n## Products\n")?;
    writeln!(w, "| product | team | risk owner | verdict | evaluated | open | blocked | overdue | unowned | SLA compliance | out of date |")?;
    writeln!(w, "|---|---|---|---|---|---:|---:|---:|---:|---:|---|")?;
    for (name, p) in &v.products {
        let c = &p.counts;
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(name),
            opt(&p.team),
            opt(&p.risk_owner),
            p.verdict.as_str(),
            p.evaluated_at.date(),
            c.open,
            c.blocked,
            c.overdue,
            c.unowned,
            percent(p.sla_compliance),
            if p.stale.is_empty() {
                String::new()
            } else {
                cell(&p.stale.join("; "))
            }
        )?;
    }
    if !v.no_recent_report.is_empty() {
        writeln!(w, "\n## Products with no recent report\n")?;
        writeln!(w, "| product | team | risk owner | why | escalation |")?;
        writeln!(w, "|---|---|---|---|---|")?;
        for m in v.no_recent_report.iter().take(ROWS) {
            writeln!(
                w,
                "| {} | {} | {} | {} | {} |",
                cell(&m.product),
                cell(&m.team),
                opt(&m.risk_owner),
                cell(&m.reason),
                opt(&m.escalation)
            )?;
        }
        more(w, v.no_recent_report.len())?;
    }
    if !v.stale_ownership.is_empty() {
        writeln!(w, "\n## Stale ownership\n")?;
        writeln!(w, "| entry | why | escalation |")?;
        writeln!(w, "|---|---|---|")?;
        for s in v.stale_ownership.iter().take(ROWS) {
            writeln!(
                w,
                "| {} | {} | {} |",
                cell(&s.entry),
                cell(&s.reason),
                opt(&s.escalation)
            )?;
        }
        more(w, v.stale_ownership.len())?;
    }
    for (title, list) in [
        ("Unowned findings", &v.unowned),
        ("Overdue findings", &v.overdue),
    ] {
        if list.is_empty() {
            continue;
        }
        writeln!(w, "\n## {title} ({})\n", list.len())?;
        writeln!(
            w,
            "| product | finding | risk | status | team | due | escalation |"
        )?;
        writeln!(w, "|---|---|---|---|---|---|---|")?;
        for l in list.iter().take(ROWS) {
            let f = &l.finding;
            writeln!(
                w,
                "| {} | {}{} | {} | {} | {} | {} | {} |",
                cell(&l.product),
                cell(&f.id),
                f.package
                    .as_deref()
                    .map(|p| format!(" in {}", cell(p)))
                    .unwrap_or_default(),
                f.risk,
                f.status.as_str(),
                opt(&f.team),
                f.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                opt(&l.escalation)
            )?;
        }
        more(w, list.len())?;
    }
    if !v.expiring_acceptances.is_empty() {
        writeln!(
            w,
            "\n## Acceptances expiring soon ({})\n",
            v.expiring_acceptances.len()
        )?;
        writeln!(
            w,
            "| expires | in | product | acceptance | finding | risk | team | requested by | approved by |"
        )?;
        writeln!(w, "|---|---:|---|---|---|---|---|---|---|")?;
        for a in v.expiring_acceptances.iter().take(ROWS) {
            writeln!(
                w,
                "| {} | {} d | {} | {} | {} | {} | {} | {} | {} |",
                a.expires,
                a.days_left,
                cell(&a.product),
                cell(&a.id),
                cell(&a.finding),
                a.risk,
                opt(&a.team),
                cell(&a.requested_by),
                match (&a.approved_by, a.problems.first()) {
                    (_, Some(p)) => format!("not in force: {}", cell(p)),
                    (Some(by), None) => cell(by),
                    (None, None) => "within the team's autonomy".into(),
                }
            )?;
        }
        more(w, v.expiring_acceptances.len())?;
    }
    if !v.warnings.is_empty() {
        writeln!(w, "\n## Warnings\n")?;
        for x in &v.warnings {
            writeln!(w, "- {}", cell(x))?;
        }
    }
    Ok(())
}

fn more(w: &mut dyn Write, n: usize) -> io::Result<()> {
    if n > ROWS {
        writeln!(
            w,
            "\n…and {} more (`--format json` lists them all).",
            n - ROWS
        )?;
    }
    Ok(())
}

pub fn who_json(w: &mut dyn Write, v: &WhoView) -> io::Result<()> {
    super::write_json(w, v)
}

pub fn who_table(w: &mut dyn Write, v: &WhoView) -> io::Result<()> {
    if v.products.is_empty() {
        writeln!(
            w,
            "No product's latest report has {} (as of {}).",
            v.id, v.generated_at
        )?;
    } else {
        writeln!(
            w,
            "{} is in {} product(s), by their latest reports (as of {}):\n",
            v.id,
            v.products.len(),
            v.generated_at
        )?;
        let dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
        let rows: Vec<Vec<String>> = v
            .products
            .iter()
            .map(|p| {
                let pkgs: Vec<String> = p
                    .findings
                    .iter()
                    .filter_map(|f| match (&f.package, &f.version) {
                        (Some(n), Some(ver)) => Some(format!("{n}@{ver}")),
                        (Some(n), None) => Some(n.clone()),
                        _ => f.path.clone().or_else(|| f.target.clone()),
                    })
                    .collect();
                vec![
                    p.product.clone(),
                    p.team.clone().unwrap_or_else(|| "UNOWNED".into()),
                    dash(&p.contact),
                    dash(&p.risk_owner),
                    dash(&p.escalation),
                    p.status.as_str().to_string(),
                    p.risk.to_string(),
                    p.due.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                    pkgs.join(", "),
                ]
            })
            .collect();
        columns(
            w,
            &[
                "PRODUCT",
                "TEAM",
                "CONTACT",
                "RISK OWNER",
                "ESCALATION",
                "STATUS",
                "RISK",
                "DUE",
                "WHERE",
            ],
            &rows,
        )?;
    }
    if !v.not_reported.is_empty() {
        writeln!(
            w,
            "\nNot known for {} product(s) without a report: {}",
            v.not_reported.len(),
            v.not_reported.join(", ")
        )?;
    }
    for x in &v.warnings {
        writeln!(w, "warning: {x}")?;
    }
    Ok(())
}
