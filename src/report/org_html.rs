//! `org report --format html`: one self-contained page. Inline CSS and inline SVG charts, no
//! script and nothing fetched (a Content-Security-Policy says so to the browser), so it opens
//! offline, from a CI artifact or an e-mail, and prints. Every chart draws one mark per team of
//! the json's `teams` (`<g class="mark" data-team="...">`), zero or not, so a team cannot drop
//! out of the picture by having nothing measured.

use super::junit::xml_escape as esc;
use super::org::{percent, risk_mix};
use crate::decide::org::{Listed, OrgView, TeamRow};
use crate::model::outcome::RiskLevel;
use std::fmt::Write as _;
use std::io::{self, Write};

/// At most this many rows in each list of findings; the json has them all.
const ROWS: usize = 100;
/// The expiring-acceptances chart looks this many days ahead.
const HORIZON_DAYS: i64 = 90;

const WIDTH: f64 = 900.0;
const LABEL: f64 = 190.0;
const ROW: f64 = 26.0;

fn risk_colour(l: RiskLevel) -> &'static str {
    match l {
        RiskLevel::Critical => "#9f1239",
        RiskLevel::High => "#ea580c",
        RiskLevel::Medium => "#ca8a04",
        RiskLevel::Low => "#2563eb",
        RiskLevel::None => "#9ca3af",
    }
}

fn sla_colour(f: Option<f64>) -> &'static str {
    match f {
        Some(f) if f >= 0.9 => "#15803d",
        Some(f) if f >= 0.7 => "#ca8a04",
        Some(_) => "#b91c1c",
        None => "#d1d5db",
    }
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; margin: 2rem auto; max-width: 1000px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #e5e7eb; padding-bottom: .25rem; }
.meta { color: #4b5563; margin: 0 0 1rem; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
.card { border: 1px solid #e5e7eb; border-radius: 6px; padding: .5rem .9rem; min-width: 8rem; }
.card b { display: block; font-size: 1.4rem; }
.card.bad b { color: #b91c1c; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
th { background: #f9fafb; }
td.d { white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
svg.chart { width: 100%; height: auto; display: block; }
svg text { font: 12px system-ui, sans-serif; fill: #111827; }
svg .axis { stroke: #9ca3af; stroke-width: 1; }
svg .track { fill: #f3f4f6; }
.legend span { display: inline-block; margin-right: 1rem; }
.legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -1px; }
.note { color: #6b7280; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } svg, table, tr { break-inside: avoid; } }
"#;

pub fn render(w: &mut dyn Write, v: &OrgView) -> io::Result<()> {
    let mut h = String::with_capacity(64 * 1024);
    page(&mut h, v).map_err(|_| io::Error::other("formatting the page failed"))?;
    w.write_all(h.as_bytes())
}

fn page(h: &mut String, v: &OrgView) -> std::fmt::Result {
    let t = &v.totals;
    writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        h,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    )?;
    writeln!(
        h,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        h,
        "<title>riskgate: the organisation's view, {}</title>",
        v.generated_at.date()
    )?;
    writeln!(h, "<style>{STYLE}</style>\n</head>\n<body>")?;
    writeln!(h, "<h1>Security ownership: the organisation's view</h1>")?;
    writeln!(
        h,
        "<p class=\"meta\">As of {} &middot; the latest report of {} product(s) ({} read, {} superseded) &middot; register <code>{}</code>{}</p>",
        v.generated_at,
        v.reports.used,
        v.reports.read,
        v.reports.superseded,
        esc(&v.policy),
        v.escalation
            .as_deref()
            .map(|e| format!(" &middot; escalation: {}", esc(e)))
            .unwrap_or_default()
    )?;
    writeln!(h, "<div class=\"cards\">")?;
    let card = |h: &mut String, label: &str, value: String, bad: bool| {
        writeln!(
            h,
            "<div class=\"card{}\"><b>{value}</b>{label}</div>",
            if bad { " bad" } else { "" }
        )
    };
    card(h, "SLA compliance", percent(t.sla_compliance), false)?;
    card(h, "open findings", t.counts.open.to_string(), false)?;
    card(
        h,
        "blocked",
        t.counts.blocked.to_string(),
        t.counts.blocked > 0,
    )?;
    card(
        h,
        "overdue",
        t.counts.overdue.to_string(),
        t.counts.overdue > 0,
    )?;
    card(
        h,
        "unowned",
        t.counts.unowned.to_string(),
        t.counts.unowned > 0,
    )?;
    card(
        h,
        "acceptances expiring soon",
        v.expiring_acceptances.len().to_string(),
        false,
    )?;
    card(
        h,
        "products without a recent report",
        v.no_recent_report.len().to_string(),
        !v.no_recent_report.is_empty(),
    )?;
    writeln!(h, "</div>")?;

    writeln!(h, "<h2>SLA compliance by team</h2>")?;
    writeln!(h, "<p class=\"note\">Share of each team's open findings with an SLA due date that are within it (findings it owns, over every product).</p>")?;
    sla_chart(h, v)?;
    writeln!(h, "<h2>Open risk by team and level</h2>")?;
    legend(h)?;
    risk_chart(h, v)?;
    writeln!(
        h,
        "<h2>Acceptances expiring in the next {HORIZON_DAYS} days</h2>"
    )?;
    writeln!(h, "<p class=\"note\">Each dot is an acceptance at the day it expires, coloured by its risk; a team's row is empty when none of its acceptances expires in that time.</p>")?;
    expiry_chart(h, v)?;

    writeln!(h, "<h2>Teams</h2>\n<table>\n<tr><th>team</th><th class=\"n\">SLA</th><th class=\"n\">open</th><th>open risk</th><th class=\"n\">blocked</th><th class=\"n\">would block</th><th class=\"n\">accepted</th><th class=\"n\">overdue</th><th class=\"n\">unowned</th><th>contact</th><th>escalation</th></tr>")?;
    for (name, r) in &v.teams {
        let c = &r.counts;
        writeln!(
            h,
            "<tr><td>{}{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            if r.registered { "" } else { " <span class=\"note\">(not in the register)</span>" },
            percent(r.sla_compliance),
            c.open,
            esc(&risk_mix(c)),
            c.blocked,
            c.would_block,
            c.accepted,
            c.overdue,
            c.unowned,
            opt(&r.contact),
            opt(&r.escalation)
        )?;
    }
    writeln!(h, "</table>")?;

    writeln!(h, "<h2>Products</h2>\n<table>\n<tr><th>product</th><th>team</th><th>risk owner</th><th>verdict</th><th>evaluated</th><th class=\"n\">open</th><th class=\"n\">blocked</th><th class=\"n\">overdue</th><th class=\"n\">unowned</th><th class=\"n\">SLA</th><th>out of date</th></tr>")?;
    for (name, p) in &v.products {
        let c = &p.counts;
        writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"d\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(name),
            opt(&p.team),
            opt(&p.risk_owner),
            p.verdict.as_str(),
            p.evaluated_at.date(),
            c.open,
            c.blocked,
            c.overdue,
            c.unowned,
            percent(p.sla_compliance),
            esc(&p.stale.join("; "))
        )?;
    }
    writeln!(h, "</table>")?;

    if !v.no_recent_report.is_empty() {
        writeln!(h, "<h2>Products with no recent report</h2>\n<table>\n<tr><th>product</th><th>team</th><th>risk owner</th><th>why</th><th>escalation</th></tr>")?;
        for m in &v.no_recent_report {
            writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&m.product),
                esc(&m.team),
                opt(&m.risk_owner),
                esc(&m.reason),
                opt(&m.escalation)
            )?;
        }
        writeln!(h, "</table>")?;
    }
    if !v.stale_ownership.is_empty() {
        writeln!(h, "<h2>Stale ownership</h2>\n<table>\n<tr><th>entry</th><th>why</th><th>escalation</th></tr>")?;
        for s in &v.stale_ownership {
            writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&s.entry),
                esc(&s.reason),
                opt(&s.escalation)
            )?;
        }
        writeln!(h, "</table>")?;
    }
    findings(h, "Unowned findings", &v.unowned)?;
    findings(h, "Overdue findings", &v.overdue)?;
    if !v.expiring_acceptances.is_empty() {
        writeln!(h, "<h2>Acceptances expiring soon</h2>\n<table>\n<tr><th>expires</th><th class=\"n\">in</th><th>product</th><th>acceptance</th><th>finding</th><th>risk</th><th>team</th><th>requested by</th><th>approved by</th></tr>")?;
        for a in &v.expiring_acceptances {
            writeln!(
                h,
                "<tr><td class=\"d\">{}</td><td class=\"n\">{} d</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                a.expires,
                a.days_left,
                esc(&a.product),
                esc(&a.id),
                esc(&a.finding),
                a.risk,
                opt(&a.team),
                esc(&a.requested_by),
                match (&a.approved_by, a.problems.first()) {
                    (_, Some(p)) => format!("not in force: {}", esc(p)),
                    (Some(by), None) => esc(by),
                    (None, None) => "within the team's autonomy".into(),
                }
            )?;
        }
        writeln!(h, "</table>")?;
    }
    if !v.warnings.is_empty() {
        writeln!(h, "<h2>Warnings</h2>\n<ul>")?;
        for x in &v.warnings {
            writeln!(h, "<li>{}</li>", esc(x))?;
        }
        writeln!(h, "</ul>")?;
    }
    writeln!(
        h,
        "<p class=\"note\">Generated by riskgate {} (<code>riskgate org report</code>); the json format has every row.</p>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    )
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(esc).unwrap_or_else(|| "—".into())
}

fn findings(h: &mut String, title: &str, list: &[Listed]) -> std::fmt::Result {
    if list.is_empty() {
        return Ok(());
    }
    writeln!(h, "<h2>{title} ({})</h2>\n<table>\n<tr><th>product</th><th>finding</th><th>risk</th><th>status</th><th>team</th><th>due</th><th>escalation</th></tr>", list.len())?;
    for l in list.iter().take(ROWS) {
        let f = &l.finding;
        writeln!(
            h,
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&l.product),
            esc(&f.id),
            f.package
                .as_deref()
                .map(|p| format!(" <span class=\"note\">in {}</span>", esc(p)))
                .unwrap_or_default(),
            f.risk,
            f.status.as_str(),
            opt(&f.team),
            f.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            opt(&l.escalation)
        )?;
    }
    if list.len() > ROWS {
        writeln!(
            h,
            "<tr><td colspan=\"7\" class=\"note\">…and {} more (the json format lists them all)</td></tr>",
            list.len() - ROWS
        )?;
    }
    writeln!(h, "</table>")
}

fn legend(h: &mut String) -> std::fmt::Result {
    write!(h, "<p class=\"legend\">")?;
    for l in RiskLevel::ALL.iter().rev() {
        write!(
            h,
            "<span><i style=\"background:{}\"></i>{l}</span>",
            risk_colour(*l)
        )?;
    }
    writeln!(h, "</p>")
}

/// The opening of a chart with one row per team, and the team's label of each row.
fn open_chart(h: &mut String, id: &str, title: &str, rows: usize) -> std::fmt::Result {
    let height = ROW * rows.max(1) as f64 + 30.0;
    writeln!(
        h,
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        esc(title),
        esc(title)
    )
}

fn label(h: &mut String, y: f64, name: &str) -> std::fmt::Result {
    write!(
        h,
        "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        LABEL - 8.0,
        y + ROW / 2.0 + 4.0,
        esc(name)
    )
}

fn teams(v: &OrgView) -> impl Iterator<Item = (usize, (&String, &TeamRow))> {
    v.teams.iter().enumerate()
}

fn sla_chart(h: &mut String, v: &OrgView) -> std::fmt::Result {
    open_chart(h, "chart-sla", "SLA compliance by team", v.teams.len())?;
    let span = WIDTH - LABEL - 120.0;
    for (i, (name, r)) in teams(v) {
        let y = i as f64 * ROW + 4.0;
        let share = r.sla_compliance.unwrap_or(0.0).clamp(0.0, 1.0);
        write!(h, "<g class=\"mark\" data-team=\"{}\">", esc(name))?;
        label(h, y, name)?;
        write!(
            h,
            "<rect class=\"track\" x=\"{LABEL}\" y=\"{:.1}\" width=\"{span:.1}\" height=\"{:.1}\"/>",
            y + 3.0,
            ROW - 8.0
        )?;
        write!(
            h,
            "<rect x=\"{LABEL}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: {} ({} of {} within SLA)</title></rect>",
            y + 3.0,
            span * share,
            ROW - 8.0,
            sla_colour(r.sla_compliance),
            esc(name),
            percent(r.sla_compliance),
            r.counts.within_sla,
            r.counts.with_due
        )?;
        writeln!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            LABEL + span + 8.0,
            y + ROW / 2.0 + 4.0,
            match r.sla_compliance {
                Some(_) => format!(
                    "{} ({}/{})",
                    percent(r.sla_compliance),
                    r.counts.within_sla,
                    r.counts.with_due
                ),
                None => "no due dates".into(),
            }
        )?;
    }
    writeln!(h, "</svg>")
}

fn risk_chart(h: &mut String, v: &OrgView) -> std::fmt::Result {
    open_chart(
        h,
        "chart-risk",
        "Open risk by team and level",
        v.teams.len(),
    )?;
    let span = WIDTH - LABEL - 80.0;
    let max = v
        .teams
        .values()
        .map(|r| r.counts.open)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    for (i, (name, r)) in teams(v) {
        let y = i as f64 * ROW + 4.0;
        write!(h, "<g class=\"mark\" data-team=\"{}\">", esc(name))?;
        label(h, y, name)?;
        let mut x = LABEL;
        for l in RiskLevel::ALL.iter().rev() {
            let n = r.counts.open_by_risk.get(l).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let wdt = span * n as f64 / max;
            write!(
                h,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{wdt:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: {n} {l}</title></rect>",
                y + 3.0,
                ROW - 8.0,
                risk_colour(*l),
                esc(name)
            )?;
            x += wdt;
        }
        writeln!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            x + 6.0,
            y + ROW / 2.0 + 4.0,
            r.counts.open
        )?;
    }
    writeln!(h, "</svg>")
}

fn expiry_chart(h: &mut String, v: &OrgView) -> std::fmt::Result {
    let rows = v.teams.len();
    open_chart(
        h,
        "chart-expiry",
        "Acceptances expiring, by team and day",
        rows,
    )?;
    let span = WIDTH - LABEL - 40.0;
    let bottom = rows.max(1) as f64 * ROW + 4.0;
    // Weekly ticks along the bottom.
    for week in 0..=HORIZON_DAYS / 7 {
        let x = LABEL + span * (week * 7) as f64 / HORIZON_DAYS as f64;
        write!(
            h,
            "<line class=\"axis\" x1=\"{x:.1}\" y1=\"4\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke-dasharray=\"2 3\"/>"
        )?;
        if week % 2 == 0 {
            write!(
                h,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                bottom + 16.0,
                v.generated_at.date().add_days(week * 7)
            )?;
        }
    }
    writeln!(h)?;
    for (i, (name, _)) in teams(v) {
        let y = i as f64 * ROW + 4.0;
        write!(h, "<g class=\"mark\" data-team=\"{}\">", esc(name))?;
        label(h, y, name)?;
        let mut n = 0;
        for a in v
            .acceptances
            .iter()
            .filter(|a| a.team.as_deref() == Some(name.as_str()) && a.days_left <= HORIZON_DAYS)
        {
            n += 1;
            write!(
                h,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{}\" fill-opacity=\"0.8\"><title>{} {} ({}, {}) expires {}</title></circle>",
                LABEL + span * a.days_left as f64 / HORIZON_DAYS as f64,
                y + ROW / 2.0,
                risk_colour(a.risk),
                esc(&a.product),
                esc(&a.id),
                esc(&a.finding),
                a.risk,
                a.expires
            )?;
        }
        writeln!(
            h,
            "<line class=\"axis\" x1=\"{LABEL}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/><desc>{n} acceptance(s)</desc></g>",
            y + ROW - 2.0,
            LABEL + span,
            y + ROW - 2.0
        )?;
    }
    writeln!(h, "</svg>")
}
