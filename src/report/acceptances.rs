//! `riskgate acceptances`: the recorded acceptances and their state on a given day.

use crate::model::date::Timestamp;
use crate::policy::acceptances::Acceptance;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Debug, Clone, Serialize)]
pub struct Row<'a> {
    pub id: &'a str,
    pub product: &'a str,
    pub finding: &'a str,
    pub package: Option<&'a str>,
    pub risk: &'static str,
    pub requested_by: &'a str,
    pub approved_by: Option<&'a str>,
    pub created: &'a str,
    pub expires: &'a str,
    pub days_left: Option<i64>,
    /// `active`, `expiring` (within the warning window), `expired` or `not_yet_valid`.
    pub state: &'static str,
    pub ticket: Option<&'a str>,
}

pub fn rows(acc: &[Acceptance], now: Timestamp, warn_before: u32) -> Vec<Row<'_>> {
    let mut out: Vec<Row> = acc
        .iter()
        .map(|a| {
            let t = a.timing(now, warn_before);
            Row {
                id: &a.id,
                product: &a.product,
                finding: &a.finding,
                package: a.package.as_deref(),
                risk: a.risk.as_str(),
                requested_by: &a.requested_by,
                approved_by: a.approved_by.as_deref(),
                created: a.created.as_str(),
                expires: a.expires.as_str(),
                days_left: t.days_left,
                state: t.state(),
                ticket: a.ticket.as_deref(),
            }
        })
        .collect();
    out.sort_by(|a, b| (a.expires, a.id).cmp(&(b.expires, b.id)));
    out
}

pub fn table(w: &mut dyn Write, rows: &[Row]) -> io::Result<()> {
    let header = [
        "ID",
        "STATE",
        "EXPIRES",
        "DAYS",
        "PRODUCT",
        "FINDING",
        "RISK",
        "REQUESTED",
        "APPROVED",
    ];
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                r.state.to_string(),
                r.expires.to_string(),
                r.days_left.map(|d| d.to_string()).unwrap_or_default(),
                r.product.to_string(),
                match r.package {
                    Some(p) => format!("{} ({p})", r.finding),
                    None => r.finding.to_string(),
                },
                r.risk.to_string(),
                r.requested_by.to_string(),
                r.approved_by.unwrap_or("-").to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for c in &cells {
        for (i, v) in c.iter().enumerate() {
            widths[i] = widths[i].max(v.chars().count());
        }
    }
    let line = |w: &mut dyn Write, vals: &[&str]| -> io::Result<()> {
        let mut s = String::new();
        for (i, v) in vals.iter().enumerate() {
            s.push_str(&format!("{v:<width$}  ", width = widths[i]));
        }
        writeln!(w, "{}", s.trim_end())
    };
    line(w, &header)?;
    for c in &cells {
        let refs: Vec<&str> = c.iter().map(String::as_str).collect();
        line(w, &refs)?;
    }
    writeln!(w)?;
    writeln!(w, "{} acceptance(s)", rows.len())
}

pub fn json(w: &mut dyn Write, rows: &[Row]) -> io::Result<()> {
    #[derive(Serialize)]
    struct Out<'a> {
        acceptances: &'a [Row<'a>],
    }
    super::write_json(w, &Out { acceptances: rows })
}
