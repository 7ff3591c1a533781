//! Writing acceptances: `riskgate accept` appends one entry, `riskgate approve` adds the
//! `approved_by` line of one. Both edit the file's text, so comments, order and formatting stay
//! as people wrote them; the caller re-validates the new text before anything is written.

use crate::date::Date;
use crate::policy::acceptances::Acceptance;
use crate::policy::levels::RiskLevel;

/// A new acceptance, as `riskgate accept` records it.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub id: String,
    pub finding: &'a str,
    pub package: Option<&'a str>,
    pub product: &'a str,
    pub risk: RiskLevel,
    pub reason: &'a str,
    pub requested_by: &'a str,
    pub approved_by: Option<&'a str>,
    pub created: Date,
    pub expires: Date,
    pub ticket: Option<&'a str>,
}

/// `ACC-NNNN`, one above the highest number used in the file (ids of other shapes are skipped).
pub fn next_id(existing: &[Acceptance]) -> String {
    let max = existing
        .iter()
        .filter_map(|a| a.id.strip_prefix("ACC-"))
        .filter_map(|n| n.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("ACC-{:04}", max + 1)
}

/// A YAML scalar: plain when that reads back as the same string, else double-quoted (JSON
/// string syntax is valid YAML).
pub fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@._/+-".contains(&b))
        && s.as_bytes()[0].is_ascii_alphabetic()
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    }
}

/// The file's text with `e` appended to its `acceptances` list, in the indentation the list
/// already uses. An empty or missing file becomes a new acceptances file.
pub fn append(text: &str, e: &Entry) -> String {
    let mut out = if text.trim().is_empty() {
        "version: 1\nacceptances:\n".to_string()
    } else {
        let mut t = String::with_capacity(text.len() + 512);
        for line in text.split_inclusive('\n') {
            // an empty inline list becomes a block list the entry can join
            let trimmed = line.trim_end();
            if trimmed.starts_with("acceptances:")
                && trimmed["acceptances:".len()..].trim().starts_with("[]")
            {
                t.push_str("acceptances:\n");
            } else {
                t.push_str(line);
            }
        }
        if !t.ends_with('\n') {
            t.push('\n');
        }
        if !t.ends_with("acceptances:\n") {
            t.push('\n');
        }
        t
    };
    let indent = text
        .lines()
        .find(|l| l.trim_start().starts_with("- id:"))
        .map(|l| l.len() - l.trim_start().len())
        .unwrap_or(2);
    let pad = " ".repeat(indent);
    let field = |out: &mut String, k: &str, v: &str| {
        out.push_str(&format!("{pad}  {k}: {v}\n"));
    };
    out.push_str(&format!("{pad}- id: {}\n", scalar(&e.id)));
    field(&mut out, "finding", &scalar(e.finding));
    if let Some(p) = e.package {
        field(&mut out, "package", &scalar(p));
    }
    field(&mut out, "product", &scalar(e.product));
    field(&mut out, "risk", e.risk.as_str());
    field(
        &mut out,
        "reason",
        &serde_json::to_string(e.reason).unwrap_or_default(),
    );
    field(&mut out, "requested_by", &scalar(e.requested_by));
    if let Some(a) = e.approved_by {
        field(&mut out, "approved_by", &scalar(a));
    }
    field(&mut out, "created", &e.created.to_string());
    field(&mut out, "expires", &e.expires.to_string());
    if let Some(t) = e.ticket {
        field(&mut out, "ticket", &scalar(t));
    }
    out
}

/// The text with `key: value` inserted after line `after` (1-based), indented like that line.
pub fn insert_after(text: &str, after: usize, key: &str, value: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut done = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        out.push_str(line);
        if i + 1 == after {
            if !line.ends_with('\n') {
                out.push('\n');
            }
            // `- requested_by: x` (first key of an item) indents its siblings past the dash
            let lead = line.len() - line.trim_start().len();
            let body = line.trim_start();
            let indent = if body.starts_with("- ") {
                lead + 2
            } else {
                lead
            };
            out.push_str(&format!("{}{key}: {value}\n", " ".repeat(indent)));
            done = true;
        }
    }
    done.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry<'static> {
        Entry {
            id: "ACC-0002".into(),
            finding: "CVE-2019-11358",
            package: Some("jquery"),
            product: "payments-api",
            risk: RiskLevel::Medium,
            reason: "Only the admin page uses it: \"no\" user input.",
            requested_by: "alice@acme.example",
            approved_by: None,
            created: Date::parse("2026-11-23").unwrap(),
            expires: Date::parse("2027-01-22").unwrap(),
            ticket: Some("PAY-7"),
        }
    }

    #[test]
    fn appending_keeps_comments_and_indentation() {
        let text =
            "# keep me\nversion: 1\nacceptances:\n    - id: ACC-0001 # first\n      finding: X\n";
        let out = append(text, &entry());
        assert!(out.starts_with(text), "{out}");
        assert!(
            out.contains("\n    - id: ACC-0002\n      finding: CVE-2019-11358\n"),
            "{out}"
        );
        assert!(
            out.contains("      reason: \"Only the admin page uses it: \\\"no\\\" user input.\"\n"),
            "{out}"
        );
        let v: serde_yaml::Value = serde_yaml::from_str(&out).unwrap();
        assert_eq!(v["acceptances"][1]["reason"].as_str(), Some(entry().reason));
    }

    #[test]
    fn empty_lists_and_files_are_handled() {
        let out = append("version: 1\nacceptances: []   # none yet\n", &entry());
        let v: serde_yaml::Value = serde_yaml::from_str(&out).unwrap();
        assert_eq!(v["acceptances"][0]["id"].as_str(), Some("ACC-0002"));
        let out = append("", &entry());
        let v: serde_yaml::Value = serde_yaml::from_str(&out).unwrap();
        assert_eq!(v["version"].as_u64(), Some(1));
        assert_eq!(v["acceptances"][0]["created"].as_str(), Some("2026-11-23"));
    }

    #[test]
    fn scalars_that_would_change_meaning_are_quoted() {
        assert_eq!(scalar("alice@acme.example"), "alice@acme.example");
        assert_eq!(scalar("no"), "\"no\"");
        assert_eq!(scalar("31D4607A"), "\"31D4607A\"");
        assert_eq!(scalar("pkg:npm/jquery"), "\"pkg:npm/jquery\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
    }

    #[test]
    fn approved_by_goes_under_requested_by() {
        let text =
            "acceptances:\n  - id: A\n    requested_by: alice@x # who\n    created: 2026-01-01\n";
        let out = insert_after(text, 3, "approved_by", "dana@x").unwrap();
        assert_eq!(out, "acceptances:\n  - id: A\n    requested_by: alice@x # who\n    approved_by: dana@x\n    created: 2026-01-01\n");
        let out =
            insert_after("acceptances:\n  - requested_by: a\n", 2, "approved_by", "d").unwrap();
        assert!(out.ends_with("  - requested_by: a\n    approved_by: d\n"));
        assert!(insert_after("x\n", 5, "k", "v").is_none());
    }
}
