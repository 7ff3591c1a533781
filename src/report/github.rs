//! `github`: workflow commands (`::error file=...,line=...,title=...::message`) that GitHub
//! Actions turns into annotations on the pull request's files. Blocked entries are errors, warned
//! ones warnings; accepted, passed and suppressed findings make no annotation.

use super::items::items_where;
use super::View;
use crate::decide::Status;
use std::io::{self, Write};

/// Escapes a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    let shown = |s| matches!(s, Status::Blocked | Status::Warned | Status::WouldBlock);
    for it in items_where(v, shown) {
        let cmd = match it.status {
            Status::Blocked => "error",
            Status::Warned | Status::WouldBlock => "warning",
            _ => continue,
        };
        let mut props = Vec::new();
        if let Some(p) = it.path {
            props.push(format!("file={}", property(p)));
            if let Some(l) = it.line {
                props.push(format!("line={l}"));
            }
        }
        props.push(format!(
            "title={}",
            property(&format!("riskgate: {} {}", it.rule_id, it.status.as_str()))
        ));
        writeln!(w, "::{cmd} {}::{}", props.join(","), data(&it.message()))?;
    }
    // Warnings about the run (acceptances expiring soon, budgets, stale ownership).
    for x in v.warnings() {
        writeln!(w, "::warning title=riskgate::{}", data(&x))?;
    }
    Ok(())
}
