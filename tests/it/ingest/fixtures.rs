//! The normalised findings of every scanner fixture, one snapshot per folder of
//! `tests/fixtures` (sources in tests/fixtures/SOURCES.md): each finding and VEX statement as
//! riskgate reads it, one JSON line each, with every field (titles cut at 80 characters), or
//! the refusal's code and message. A change to how any real file is read shows here in review,
//! field by field, where the corpus snapshot shows the first three findings of a file.

use riskgate::ingest::{parse_report, Source};
use riskgate::model::finding::dedup;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Folders of `tests/fixtures` that hold no scanner reports.
const NOT_REPORTS: [&str; 4] = ["kev", "scanned", "schemas", "sigstore"];

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.file_name().is_some_and(|n| n != "SOURCES.md") {
            out.push(p);
        }
    }
}

/// Nulls and empty lists say nothing; dropped so a line shows what the file says.
fn prune(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null() && x.as_array().is_none_or(|a| !a.is_empty()));
            m.values_mut().for_each(prune);
        }
        Value::Array(a) => a.iter_mut().for_each(prune),
        _ => {}
    }
}

fn line(value: impl serde::Serialize) -> String {
    let mut v = serde_json::to_value(value).unwrap();
    prune(&mut v);
    if let Some(Value::String(t)) = v.get_mut("title") {
        if let Some((cut, _)) = t.char_indices().nth(80) {
            t.truncate(cut);
            t.push('…');
        }
    }
    v.to_string()
}

fn read(path: &Path) -> String {
    use miette::Diagnostic;
    let parsed = Source::read(path).and_then(|src| parse_report(&src));
    match parsed {
        Err(e) => {
            let code = e.code().map(|c| c.to_string()).unwrap_or_default();
            format!("  refused {code}: {e}\n")
        }
        Ok(mut p) => {
            let findings = dedup(std::mem::take(&mut p.findings));
            let mut out = format!(
                "  {} · {} finding(s) · {} VEX statement(s)\n",
                p.format,
                findings.len(),
                p.vex.len()
            );
            for f in &findings {
                writeln!(out, "  {}", line(f)).unwrap();
            }
            for s in &p.vex {
                writeln!(out, "  vex {}", line(s)).unwrap();
            }
            out
        }
    }
}

#[test]
fn every_fixture_reads_as_recorded() {
    let root = crate::common::fixture("");
    let mut all = Vec::new();
    walk(&root, &mut all);
    let prefix = format!("{}/", root.display().to_string().trim_end_matches('/'));
    let mut by_folder: BTreeMap<String, String> = BTreeMap::new();
    for path in &all {
        let rel = path.strip_prefix(&root).unwrap();
        let folder = rel.parent().unwrap().to_string_lossy().replace('/', "__");
        if folder.is_empty() || NOT_REPORTS.iter().any(|n| rel.starts_with(n)) {
            continue;
        }
        let out = by_folder.entry(folder).or_default();
        let name = rel.file_name().unwrap().to_string_lossy();
        writeln!(out, "{name}").unwrap();
        out.push_str(&read(path).replace(&prefix, ""));
    }
    assert!(by_folder.len() > 30, "{:?}", by_folder.keys());
    for (folder, out) in by_folder {
        insta::with_settings!({ snapshot_suffix => folder, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("findings", out);
        });
    }
}
