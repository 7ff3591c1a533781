//! Writing acceptances: `riskgate accept` appends one entry, `riskgate approve` adds the
//! `approved_by` line of one. Both edit the file's text, so comments, order and formatting stay
//! as people wrote them; the caller re-validates the new text before anything is written.

use crate::model::date::Date;
use crate::policy::acceptances::Acceptance;
use crate::policy::levels::RiskLevel;

/// A new acceptance, as `riskgate accept` records it.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub id: String,
    pub finding: &'a str,
    pub package: Option<&'a str>,
    /// For code findings: where they are (their files, and their fingerprints).
    pub paths: Vec<String>,
    pub fingerprints: Vec<String>,
    /// A code finding accepted anywhere in the product (`accept --anywhere`).
    pub anywhere: bool,
    pub kind: Option<crate::model::finding::Kind>,
    pub product: &'a str,
    pub risk: RiskLevel,
    pub reason: &'a str,
    pub requested_by: &'a str,
    /// Who the request is addressed to (never an approval: `riskgate approve` records that).
    pub requested_approver: Option<&'a str>,
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

pub use crate::policy::yaml::scalar;

/// The file's text with `e` appended to its `acceptances` list, in the indentation the list
/// already uses, right after the list's last line (other top-level keys may follow it). An empty
/// file becomes a new acceptances file; a file without the key, or with `acceptances: []` or
/// `null`, gets a block list. `None` when the list is written in a form that cannot be appended
/// to as text (a flow list with entries, `acceptances: [{...}]`).
///
/// The edit is textual; it is kept only when the text it gives reads back as meant: every entry
/// that was there, then this one, last. Anything the text scan could misread (a multi-line
/// quoted scalar with `acceptances:` at the start of one of its lines, say) gives `None`, and
/// `accept` refuses rather than writing a file that says something else.
pub fn append(text: &str, e: &Entry) -> Option<String> {
    use crate::policy::yaml::YamlFile;
    /// The list's shape only: what the edit must keep (the entries are validated elsewhere).
    #[derive(serde::Deserialize)]
    struct Shape {
        #[serde(default)]
        acceptances: Option<Vec<Id>>,
    }
    #[derive(serde::Deserialize)]
    struct Id {
        id: Option<String>,
    }
    let ids = |t: &str| {
        YamlFile::parse::<Shape>("acceptances".into(), t.to_string())
            .ok()
            .map(|(s, _)| s.acceptances.unwrap_or_default())
    };
    let before = ids(text).map(|l| l.len());
    let out = append_text(text, e)?;
    let after = ids(&out)?;
    let last_is_new = after
        .last()
        .is_some_and(|a| a.id.as_deref() == Some(e.id.as_str()));
    let one_more = before.is_none_or(|n| after.len() == n + 1);
    (last_is_new && one_more).then_some(out)
}

fn append_text(text: &str, e: &Entry) -> Option<String> {
    if text.trim().is_empty() {
        let mut out = "version: 1\nacceptances:\n".to_string();
        push_entry(&mut out, e, 2);
        return Some(out);
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len() + 512);
    let Some(key) = lines
        .iter()
        .position(|l| top_level_key(l) == Some("acceptances"))
    else {
        // The new key goes at the end of the (first) document: before a `...` or `---` that
        // ends it, else text after it would start a second document.
        let end = document_end(&lines);
        for l in lines.get(..end).unwrap_or_default() {
            out.push_str(l);
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("acceptances:\n");
        push_entry(&mut out, e, 2);
        for l in lines.get(end..).unwrap_or_default() {
            out.push_str(l);
        }
        return Some(out);
    };
    let value = lines.get(key).map_or("", |l| after_key(l));
    let block = match value {
        "" => true,
        "[]" | "null" | "~" => false,
        _ => return None,
    };
    // The list runs until the next top-level key or document marker.
    let end = lines
        .iter()
        .enumerate()
        .skip(key + 1)
        .find(|(_, l)| top_level_key(l).is_some() || is_marker(l))
        .map_or(lines.len(), |(i, _)| i);
    let items = lines.get(key + 1..end).unwrap_or_default();
    let indent = items
        .iter()
        .find(|l| l.trim_start().starts_with("- "))
        .map_or(2, |l| l.len() - l.trim_start().len());
    for (i, line) in lines.iter().enumerate() {
        if i == key && !block {
            out.push_str("acceptances:\n");
        } else {
            out.push_str(line);
        }
        if i + 1 == end {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            push_entry(&mut out, e, indent);
        }
    }
    Some(out)
}

/// Whether a line is a document marker (`---` or `...`, alone or before a space or comment).
fn is_marker(line: &str) -> bool {
    let l = line.trim_end_matches(['\n', '\r']);
    ["---", "..."].iter().any(|m| {
        l.strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    })
}

/// The index of the line that ends the first document: a `...`, or a `---` after the document's
/// content began (a leading `---` opens it); the number of lines when neither comes.
fn document_end(lines: &[&str]) -> usize {
    let mut content = false;
    for (i, l) in lines.iter().enumerate() {
        if is_marker(l) {
            if l.starts_with("...") || content {
                return i;
            }
            content = true;
            continue;
        }
        let t = l.trim();
        if !t.is_empty() && !t.starts_with('#') && !t.starts_with('%') {
            content = true;
        }
    }
    lines.len()
}

/// The key of a line that starts a top-level mapping entry (`acceptances:`, `"version": 1`).
fn top_level_key(line: &str) -> Option<&str> {
    let first = line.chars().next()?;
    if first.is_whitespace() || matches!(first, '#' | '-' | '[' | '{' | '%') {
        return None;
    }
    let (k, _) = line.split_once(':')?;
    Some(k.trim().trim_matches(['"', '\'']))
}

/// What follows `key:` on its line, without a trailing comment.
fn after_key(line: &str) -> &str {
    let rest = line.split_once(':').map_or("", |(_, r)| r);
    let rest = match rest.find(" #") {
        Some(i) => rest.get(..i).unwrap_or(rest),
        None => rest,
    };
    let rest = rest.trim();
    if rest.starts_with('#') {
        ""
    } else {
        rest
    }
}

fn push_entry(out: &mut String, e: &Entry, indent: usize) {
    let pad = " ".repeat(indent);
    let field = |out: &mut String, k: &str, v: &str| {
        out.push_str(&format!("{pad}  {k}: {v}\n"));
    };
    out.push_str(&format!("{pad}- id: {}\n", scalar(&e.id)));
    field(out, "finding", &scalar(e.finding));
    if let Some(p) = e.package {
        field(out, "package", &scalar(p));
    }
    let list = |items: &[String]| serde_json::to_string(items).unwrap_or_else(|_| "[]".into());
    if !e.paths.is_empty() {
        field(out, "paths", &list(&e.paths));
    }
    if !e.fingerprints.is_empty() {
        field(out, "fingerprints", &list(&e.fingerprints));
    }
    if e.anywhere {
        field(out, "anywhere", "true");
    }
    if let Some(k) = e.kind {
        field(out, "kind", k.as_str());
    }
    field(out, "product", &scalar(e.product));
    field(out, "risk", e.risk.as_str());
    field(
        out,
        "reason",
        &serde_json::to_string(e.reason).unwrap_or_default(),
    );
    field(out, "requested_by", &scalar(e.requested_by));
    if let Some(a) = e.requested_approver {
        field(out, "requested_approver", &scalar(a));
    }
    field(out, "created", &e.created.to_string());
    field(out, "expires", &e.expires.to_string());
    if let Some(t) = e.ticket {
        field(out, "ticket", &scalar(t));
    }
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
            paths: Vec::new(),
            fingerprints: Vec::new(),
            anywhere: false,
            kind: None,
            product: "payments-api",
            risk: RiskLevel::Medium,
            reason: "Only the admin page uses it: \"no\" user input.",
            requested_by: "alice@acme.example",
            requested_approver: None,
            created: Date::parse("2026-11-23").unwrap(),
            expires: Date::parse("2027-01-22").unwrap(),
            ticket: Some("PAY-7"),
        }
    }

    #[test]
    fn appending_keeps_comments_and_indentation() {
        let text =
            "# keep me\nversion: 1\nacceptances:\n    - id: ACC-0001 # first\n      finding: X\n";
        let out = append(text, &entry()).unwrap();
        assert!(out.starts_with(text), "{out}");
        assert!(
            out.contains("\n    - id: ACC-0002\n      finding: CVE-2019-11358\n"),
            "{out}"
        );
        assert!(
            out.contains("      reason: \"Only the admin page uses it: \\\"no\\\" user input.\"\n"),
            "{out}"
        );
        let v: serde_json::Value = serde_saphyr::from_str(&out).unwrap();
        assert_eq!(v["acceptances"][1]["reason"].as_str(), Some(entry().reason));
    }

    #[test]
    fn empty_lists_and_files_are_handled() {
        let out = append("version: 1\nacceptances: []   # none yet\n", &entry()).unwrap();
        let v: serde_json::Value = serde_saphyr::from_str(&out).unwrap();
        assert_eq!(v["acceptances"][0]["id"].as_str(), Some("ACC-0002"));
        let out = append("", &entry()).unwrap();
        let v: serde_json::Value = serde_saphyr::from_str(&out).unwrap();
        assert_eq!(v["version"].as_u64(), Some(1));
        assert_eq!(v["acceptances"][0]["created"].as_str(), Some("2026-11-23"));
    }

    #[test]
    fn the_list_need_not_be_last_nor_present() {
        // found by the acceptances_edit fuzz target: a file with no `acceptances` key
        let out = append("version: 1\n  # a comment\n", &entry()).unwrap();
        let v: serde_json::Value = serde_saphyr::from_str(&out).unwrap();
        assert_eq!(v["acceptances"][0]["id"].as_str(), Some("ACC-0002"));
        // a list followed by another key: the entry joins the list, not the key after it
        let text = "acceptances:\n- id: ACC-0001\n  finding: X\n\nversion: 1\n";
        let out = append(text, &entry()).unwrap();
        let v: serde_json::Value = serde_saphyr::from_str(&out).unwrap();
        assert_eq!(
            v["acceptances"][1]["id"].as_str(),
            Some("ACC-0002"),
            "{out}"
        );
        assert_eq!(v["version"].as_u64(), Some(1));
        let out = append("version: 1\nacceptances: null\n", &entry()).unwrap();
        let v: serde_json::Value = serde_saphyr::from_str(&out).unwrap();
        assert_eq!(v["acceptances"][0]["id"].as_str(), Some("ACC-0002"));
        // a flow list with entries cannot be appended to as text
        assert!(append("version: 1\nacceptances: [{id: A}]\n", &entry()).is_none());
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
