//! `codequality`: GitLab Code Quality JSON (an array of issues with `description`, `check_name`,
//! `fingerprint`, `severity` and `location.path` + `location.lines.begin`), so findings show in
//! the merge request widget. Blocked, warned and accepted findings and failed image/artifact
//! checks are issues; passed and suppressed findings are not.

use super::items::items_where;
use super::View;
use crate::decide::Status;
use crate::policy::levels::RiskLevel;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// GitLab's severities: info, minor, major, critical, blocker.
fn severity(status: Status, risk: Option<RiskLevel>) -> &'static str {
    if status == Status::Accepted {
        return "info";
    }
    match risk {
        None => "blocker",
        Some(RiskLevel::Critical) => "blocker",
        Some(RiskLevel::High) => "critical",
        Some(RiskLevel::Medium) => "major",
        Some(RiskLevel::Low) => "minor",
        Some(RiskLevel::None) => "info",
    }
}

/// The issues, written one at a time as they are built.
struct Issues<'a>(&'a View<'a>);

impl Serialize for Issues<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let keep = |s| matches!(s, Status::Blocked | Status::Warned | Status::Accepted);
        s.collect_seq(items_where(self.0, keep).map(|i| Issue {
            description: i.message(),
            severity: severity(i.status, i.risk),
            location: Location {
                path: i.path.or(i.target).unwrap_or("riskgate"),
                lines: Lines {
                    begin: i.line.unwrap_or(1).max(1),
                },
            },
            check_name: i.rule_id,
            fingerprint: i.fingerprint,
        }))
    }
}

pub fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    super::write_json(w, &Issues(v))
}
