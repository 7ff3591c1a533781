//! `junit`: JUnit XML for GitLab's test report widget and other CI test views. One test case per
//! non-suppressed finding and per failed image/artifact check: blocked ones are failures (with
//! owner, why and how to unblock), the others pass; suppressed findings are skipped cases.

use super::items::{items, statuses};
use super::View;
use crate::decide::Status;
use std::io::{self, Write};

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    let d = v.decision;
    let suppressed = || d.findings.iter().filter(|f| f.status.is_suppressed());
    let (mut listed, mut failures) = (0, 0);
    for s in statuses(v) {
        listed += 1;
        failures += usize::from(s == Status::Blocked);
    }
    let skipped = suppressed().count();
    let tests = listed + skipped;
    let product = xml_escape(d.product.unwrap_or("(no product)"));
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="riskgate" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}">"#
    )?;
    writeln!(
        w,
        r#"  <testsuite name="riskgate {product}" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}" timestamp="{}">"#,
        d.now
    )?;
    for it in items(v) {
        let name = match &it.package {
            Some(p) => format!("{} in {p}", it.rule_id),
            None => match it.target {
                Some(t) if it.finding.is_none() => format!("{} {t}", it.rule_id),
                _ => it.rule_id.clone(),
            },
        };
        let file = it
            .path
            .map(|p| format!(r#" file="{}""#, xml_escape(p)))
            .unwrap_or_default();
        writeln!(
            w,
            r#"    <testcase classname="{}" name="{}"{file}>"#,
            xml_escape(&it.owner),
            xml_escape(&name)
        )?;
        let message = xml_escape(&it.message());
        if it.status == Status::Blocked {
            writeln!(
                w,
                r#"      <failure type="blocked" message="{}">{message}</failure>"#,
                xml_escape(&it.why),
            )?;
        } else {
            writeln!(w, "      <system-out>{message}</system-out>")?;
        }
        writeln!(w, "    </testcase>")?;
    }
    for f in suppressed() {
        writeln!(
            w,
            r#"    <testcase classname="{}" name="{}"><skipped message="{}"/></testcase>"#,
            xml_escape(&super::owner_words(&f.owner)),
            xml_escape(&f.finding.id),
            xml_escape(&f.reasons.join("; "))
        )?;
    }
    let warnings = v.warnings();
    if !warnings.is_empty() {
        writeln!(
            w,
            "    <system-err>{}</system-err>",
            xml_escape(&warnings.join("\n"))
        )?;
    }
    writeln!(w, "  </testsuite>")?;
    writeln!(w, "</testsuites>")
}
