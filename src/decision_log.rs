//! The decision log (`check --decision-log FILE`): one JSON line per run recording what was
//! decided and exactly which inputs it was decided on (sha256 of every file), chained: each line
//! carries the sha256 of the line before it and of itself, so `riskgate log verify` finds any
//! edited, inserted, reordered or removed line. Removing lines from the end leaves a shorter valid
//! chain; keep the head hash that `verify` prints somewhere else (a CI log, a ticket) to detect that.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `sha256:<hex>` of a file, or why it could not be read.
pub fn file_digest(path: &Path) -> Result<String, String> {
    std::fs::read(path)
        .map(|b| format!("sha256:{}", sha256_hex(&b)))
        .map_err(|e| format!("{}: {e}", path.display()))
}

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

/// Appends `record` to the log at `path`, chained to its last line.
pub fn append(path: &Path, record: Map<String, Value>) -> std::io::Result<()> {
    let old = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let prev = old.lines().rev().find(|l| !l.trim().is_empty());
    let mut text = line(record, prev);
    text.push('\n');
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    if !old.is_empty() && !old.ends_with('\n') {
        f.write_all(b"\n")?;
    }
    f.write_all(text.as_bytes())
}

/// Checks every line of a log: it parses, its own hash matches, and it names the line before.
/// Returns the number of entries and the head line's hash, or the first problem with its line.
pub fn verify(text: &str) -> Result<(usize, String), (usize, String)> {
    let mut prev: Option<&str> = None;
    let mut n = 0;
    let mut head = String::new();
    for (i, l) in text.lines().enumerate() {
        let lineno = i + 1;
        if l.trim().is_empty() {
            return Err((lineno, "empty line".into()));
        }
        let Ok(Value::Object(mut obj)) = serde_json::from_str::<Value>(l) else {
            return Err((lineno, "not a JSON object".into()));
        };
        let Some(Value::String(claimed)) = obj.remove("line_sha256") else {
            return Err((lineno, "no line_sha256".into()));
        };
        let body = Value::Object(obj.clone()).to_string();
        let actual = format!("sha256:{}", sha256_hex(body.as_bytes()));
        if claimed != actual {
            return Err((
                lineno,
                "the line was changed after it was written (its sha256 does not match)".into(),
            ));
        }
        let want_prev = prev.map(|p| format!("sha256:{}", sha256_hex(p.as_bytes())));
        let got_prev = obj.get("prev").and_then(Value::as_str).map(String::from);
        if got_prev != want_prev {
            return Err((
                lineno,
                match want_prev {
                    None => "the first line names a previous line: lines before it were removed".into(),
                    Some(_) => "it does not follow the line before it: a line was removed, inserted or changed".into(),
                },
            ));
        }
        prev = Some(l);
        head = actual;
        n += 1;
    }
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
