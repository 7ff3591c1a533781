//! The decision log (`check --decision-log FILE`): an append-only ledger, one JSON line per run
//! recording what was decided and exactly which inputs it was decided on (the sha256 of every
//! file as it was read for the decision), chained: each line carries the sha256 of the exact
//! bytes of the line before it, and of itself, so `riskgate log verify` finds any edited,
//! inserted, reordered or removed line. Lines are written in one canonical form (keys sorted, no
//! spaces), so a byte changed anywhere, a duplicated key or added whitespace is found too.
//! Appends take the log's lock ([`crate::write::lock`]): concurrent runs chain one after the
//! other. A torn last line (a write cut off) is reported, and no run chains after it until it
//! is repaired. Removing lines from the end leaves a shorter valid chain; keep the head hash
//! that `verify` prints somewhere else (a CI log, a ticket) to detect that.

use serde_json::{json, Map, Value};
use std::path::Path;

pub use crate::model::digest::sha256_hex;

/// The line for `record` (an object) after a log whose last line is `prev_line`.
pub fn line(mut record: Map<String, Value>, prev_line: Option<&str>) -> String {
    record.insert(
        "prev".into(),
        match prev_line {
            Some(p) => json!(format!("sha256:{}", sha256_hex(p.as_bytes()))),
            None => Value::Null,
        },
    );
    record.remove("line_sha256");
    let body = Value::Object(record.clone()).to_string();
    record.insert(
        "line_sha256".into(),
        json!(format!("sha256:{}", sha256_hex(body.as_bytes()))),
    );
    Value::Object(record).to_string()
}

/// Why the log cannot be appended to or does not verify: the line, and what is wrong.
fn torn(lineno: usize) -> (usize, String) {
    (
        lineno,
        "the line is incomplete (no newline at its end): a write was cut off".into(),
    )
}

/// Appends `record` to the log at `path`, chained to the exact bytes of its last line, under the
/// log's lock. Refuses to chain after a last line that is torn or not a log line.
pub fn append(path: &Path, record: Map<String, Value>) -> Result<(), String> {
    let _lock = crate::write::lock(path, crate::write::LOCK_WAIT)?;
    let old = match std::fs::read(crate::write::resolve(path)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let text =
        String::from_utf8(old).map_err(|_| format!("{} is not UTF-8 text", path.display()))?;
    let lines = text.split_terminator('\n').count();
    let repair = || {
        format!(
            "nothing was appended to {}: check it with `riskgate log verify {}`, then cut the log back to its last complete line (for example `truncate -s {} {}`) and keep the removed bytes with the incident",
            path.display(),
            path.display(),
            text.rfind('\n').map_or(0, |i| i + 1),
            path.display()
        )
    };
    if !text.is_empty() && !text.ends_with('\n') {
        let (n, why) = torn(lines);
        return Err(format!(
            "line {n} of {}: {why}; {}",
            path.display(),
            repair()
        ));
    }
    let prev = text.lines().next_back();
    if let Some(p) = prev {
        if let Err((_, why)) = check_line(p, None) {
            return Err(format!(
                "line {lines} of {} is not a decision log line ({why}); {}",
                path.display(),
                repair()
            ));
        }
    }
    let mut line = line(record, prev);
    line.push('\n');
    crate::write::append(path, line.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// One line on its own: a JSON object in canonical form whose `line_sha256` matches, and, when
/// `prev` is given, whose `prev` is the sha256 of those exact bytes.
fn check_line(l: &str, prev: Option<Option<&str>>) -> Result<(), (usize, String)> {
    let Ok(Value::Object(mut obj)) = serde_json::from_str::<Value>(l) else {
        return Err((0, "not a JSON object".into()));
    };
    if serde_json::to_string(&obj).ok().as_deref() != Some(l) {
        return Err((
            0,
            "the line is not as riskgate wrote it (spacing, key order or a duplicated key changed)"
                .into(),
        ));
    }
    let Some(Value::String(claimed)) = obj.remove("line_sha256") else {
        return Err((0, "no line_sha256".into()));
    };
    let body = Value::Object(obj.clone()).to_string();
    if claimed != format!("sha256:{}", sha256_hex(body.as_bytes())) {
        return Err((
            0,
            "the line was changed after it was written (its sha256 does not match)".into(),
        ));
    }
    if let Some(prev) = prev {
        let want = prev.map(|p| format!("sha256:{}", sha256_hex(p.as_bytes())));
        let got = obj.get("prev").and_then(Value::as_str).map(String::from);
        if got != want {
            return Err((
                0,
                match want {
                    None => "the first line names a previous line: lines before it were removed".into(),
                    Some(_) => "it does not follow the line before it: a line was removed, inserted or changed".into(),
                },
            ));
        }
    }
    Ok(())
}

/// Checks every line of a log: it is complete, in canonical form, its own hash matches, and it
/// names the exact bytes of the line before. Returns the number of entries and the head (the
/// sha256 of the last line's bytes), or the first problem with its line.
pub fn verify(text: &str) -> Result<(usize, String), (usize, String)> {
    let mut prev: Option<&str> = None;
    let mut n = 0;
    let complete = text.is_empty() || text.ends_with('\n');
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    for (i, l) in lines.iter().enumerate() {
        let lineno = i + 1;
        if !complete && lineno == lines.len() {
            return Err(torn(lineno));
        }
        if l.trim().is_empty() {
            return Err((lineno, "empty line".into()));
        }
        check_line(l, Some(prev)).map_err(|(_, why)| (lineno, why))?;
        prev = Some(l);
        n += 1;
    }
    let head = prev.map_or_else(String::new, |l| {
        format!("sha256:{}", sha256_hex(l.as_bytes()))
    });
    Ok((n, head))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(n: usize) -> String {
        let mut text = String::new();
        let mut last: Option<String> = None;
        for i in 0..n {
            let mut m = Map::new();
            m.insert("run".into(), json!(i));
            m.insert(
                "verdict".into(),
                json!(if i % 2 == 0 { "allow" } else { "block" }),
            );
            let l = line(m, last.as_deref());
            text.push_str(&l);
            text.push('\n');
            last = Some(l);
        }
        text
    }

    #[test]
    fn a_torn_or_reformatted_line_is_found() {
        let text = log(3);
        let cut = &text[..text.len() - 10];
        assert_eq!(verify(cut).unwrap_err().0, 3);
        assert!(verify(cut).unwrap_err().1.contains("incomplete"));
        // the same object, spaced: same content, other bytes
        let spaced = text.replacen("\"run\":", "\"run\": ", 1);
        assert!(verify(&spaced)
            .unwrap_err()
            .1
            .contains("not as riskgate wrote it"));
        // a duplicated key keeps serde's value but not the bytes
        let dup = text.replacen("{\"line_sha256\"", "{\"run\":0,\"line_sha256\"", 1);
        assert!(verify(&dup).is_err());
        // the head pins the bytes of the last line
        let (_, head) = verify(&text).unwrap();
        let last = text.lines().last().unwrap();
        assert_eq!(head, format!("sha256:{}", sha256_hex(last.as_bytes())));
    }

    #[test]
    fn a_written_log_verifies() {
        let (n, head) = verify(&log(5)).unwrap();
        assert_eq!(n, 5);
        assert!(head.starts_with("sha256:"));
    }

    #[test]
    fn every_single_line_edit_or_removal_is_found() {
        let text = log(5);
        let lines: Vec<&str> = text.lines().collect();
        for i in 0..lines.len() {
            // change one character of line i
            let mut edited: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            edited[i] = edited[i].replacen("\"run\":", "\"run\": ", 1);
            edited[i] = edited[i]
                .replace("allow", "alloW")
                .replace("block", "blocK");
            let t = edited.join("\n");
            assert!(verify(&t).is_err(), "edit of line {} not found", i + 1);
            // remove line i (except the last: see the module docs)
            if i + 1 < lines.len() {
                let mut removed: Vec<&str> = lines.clone();
                removed.remove(i);
                assert_eq!(
                    verify(&removed.join("\n")).unwrap_err().0,
                    i + 1,
                    "removal of line {}",
                    i + 1
                );
            }
        }
        // swapping two lines
        let mut swapped: Vec<&str> = lines.clone();
        swapped.swap(1, 2);
        assert!(verify(&swapped.join("\n")).is_err());
    }
}
