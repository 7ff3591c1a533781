//! `markdown`: a compact summary for `$GITHUB_STEP_SUMMARY` and merge request comments: the
//! verdict, counts, a table of what blocks with owner and unblock command, and acceptances that
//! expire soon. The json report has everything else.

use super::items::{items_where, statuses};
use super::View;
use crate::decide::{Status, Verdict};
use std::io::{self, Write};

/// At most this many blocked rows; the rest are counted.
const ROWS: usize = 30;

/// Makes text safe inside a table cell.
pub(crate) fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Inline code that survives backticks in the text.
fn code(s: &str) -> String {
    if s.contains('`') {
        format!("`` {} ``", cell(s))
    } else {
        format!("`{}`", cell(s))
    }
}

pub fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    let d = v.decision;
    let product = d.product.unwrap_or("(no product)");
    let blocked = statuses(v).filter(|s| *s == Status::Blocked).count();
    let verdict = match d.verdict {
        Verdict::Block => "BLOCK",
        Verdict::Allow => "ALLOW",
    };
    writeln!(w, "### riskgate: {verdict} {product}")?;
    writeln!(w)?;
    let counts: Vec<String> = Status::ALL
        .iter()
        .map(|s| format!("{} {}", d.count(*s), s.as_str()))
        .collect();
    let targets = d.images.len() + d.artifacts.len();
    let failing = d
        .images
        .iter()
        .chain(&d.artifacts)
        .filter(|j| j.blocked())
        .count();
    let mut line = format!(
        "**{}** of {} findings block the deploy ({})",
        d.count(Status::Blocked),
        d.findings.len(),
        counts.join(", ")
    );
    if targets > 0 {
        line.push_str(&format!(
            "; {failing} of {targets} images/artifacts fail a check"
        ));
    }
    let new = d
        .findings
        .iter()
        .filter(|f| f.existing == Some(false))
        .count();
    if d.findings.iter().any(|f| f.existing.is_some()) {
        line.push_str(&format!(
            "; {new} new since the baseline, {} existing",
            d.findings.len() - new
        ));
    }
    writeln!(w, "{line}. Evaluated at {}.", d.now)?;
    if blocked > 0 {
        writeln!(w)?;
        writeln!(w, "| What | Risk | Owner | Why | Unblock |")?;
        writeln!(w, "|---|---|---|---|---|")?;
        for it in items_where(v, |s| s == Status::Blocked).take(ROWS) {
            let what = match &it.package {
                Some(p) => format!("{} in {}", code(&it.rule_id), code(p)),
                None => match it.target {
                    Some(t) if it.finding.is_none() => {
                        format!("{} {}", code(&it.rule_id), code(t))
                    }
                    _ => code(&it.rule_id),
                },
            };
            writeln!(
                w,
                "| {what} | {} | {} | {} | {} |",
                it.risk.map(|r| r.as_str()).unwrap_or("-"),
                cell(&it.owner),
                cell(&it.why),
                it.unblock
                    .as_deref()
                    .map(code)
                    .unwrap_or_else(|| "-".into())
            )?;
        }
        if blocked > ROWS {
            writeln!(w)?;
            writeln!(
                w,
                "…and {} more blocked (see the json report).",
                blocked - ROWS
            )?;
        }
    }
    let expiring: Vec<_> = d.acceptances.iter().filter(|u| u.expiring_soon).collect();
    if !expiring.is_empty() {
        writeln!(w)?;
        writeln!(w, "**Acceptances expiring soon**")?;
        writeln!(w)?;
        for u in expiring {
            writeln!(
                w,
                "- {} ({}) expires on {} — {}",
                code(&u.acceptance.id),
                code(&u.acceptance.finding),
                u.acceptance.expires,
                match u.days_left {
                    Some(1) => "in 1 day".to_string(),
                    Some(n) => format!("in {n} days"),
                    None => "date unreadable".into(),
                }
            )?;
        }
    }
    Ok(())
}
