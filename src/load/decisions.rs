//! Past decisions for `riskgate org`: riskgate json reports (`check --format json`), given as
//! files or directories of them. Each file is read once and parsed in one pass; its findings go
//! to the caller one at a time as they are parsed, borrowed from the file's text, so the
//! organisation's million findings are never held at once.
//!
//! A report is a claim like any other input: a file that is not a riskgate report (a scanner's
//! own output in the same artifact folder, a truncated upload, a list whose length disagrees with
//! its own summary) is refused with its position, never read as a product without findings.

use crate::ingest::{InputError, Source};
use crate::model::date::Timestamp;
use crate::model::outcome::Verdict;
use crate::model::record::{AcceptanceRecord, DecisionRecord, FindingRecord, ImageRecord};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// The version of the report's shape this riskgate reads (`report::json::REPORT_VERSION`).
pub(crate) const READS_VERSION: u32 = 1;

const FORMAT: &str = "riskgate json report";

/// The report files named by `paths`: files as given, directories walked (sorted, without
/// following symbolic links to directories) for `*.json`. An empty result is an error: an
/// organisation's view over no reports would say everything is fine.
pub fn report_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| InputError::io(&p.display().to_string(), e))?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(InputError::Invalid {
            path: paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            message: "no riskgate json report (*.json) found".into(),
            help: Some(
                "collect each product pipeline's `riskgate check --format json --output riskgate.json` as an artifact and pass the files or their folder".into(),
            ),
        });
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let shown = dir.display().to_string();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| InputError::io(&shown, e))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|e| InputError::io(&shown, e))?;
    entries.sort();
    for p in entries {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        let meta = std::fs::symlink_metadata(&p)
            .map_err(|e| InputError::io(&p.display().to_string(), e))?;
        if meta.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads one report, handing each finding to `sink` as it is parsed.
pub fn read_report<'s, F>(src: &'s Source, sink: F) -> Result<DecisionRecord, InputError>
where
    F: FnMut(FindingRecord<'s>),
{
    let mut de = serde_json::Deserializer::from_slice(src.json());
    let head = Top { sink }
        .deserialize(&mut de)
        .and_then(|h| de.end().map(|()| h))
        .map_err(|e| InputError::json(src, FORMAT, &e))?;
    let invalid = |message: String, help: &str| InputError::Invalid {
        path: src.path.clone(),
        message,
        help: Some(help.into()),
    };
    let not_ours =
        "pass riskgate json reports (`riskgate check --format json`), not scanner reports";
    let missing: Vec<&str> = [
        ("version", head.version.is_none()),
        ("verdict", head.verdict.is_none()),
        ("evaluated_at", head.evaluated_at.is_none()),
        ("policy", head.policy.is_none()),
        ("summary", head.summary.is_none()),
        ("findings", head.findings.is_none()),
    ]
    .into_iter()
    .filter_map(|(k, m)| m.then_some(k))
    .collect();
    let (
        Some(version),
        Some(verdict),
        Some(evaluated_at),
        Some(policy),
        Some(summary),
        Some(findings),
    ) = (
        head.version,
        head.verdict,
        head.evaluated_at,
        head.policy,
        head.summary,
        head.findings,
    )
    else {
        return Err(invalid(
            format!(
                "not a riskgate json report: it has no {}",
                missing.join(", ")
            ),
            not_ours,
        ));
    };
    if version != READS_VERSION {
        return Err(invalid(
            format!("a riskgate json report of version {version}; this riskgate reads version {READS_VERSION}"),
            "run `riskgate org` with the riskgate release that wrote the reports, or a newer one",
        ));
    }
    if summary.findings != findings {
        return Err(invalid(
            format!(
                "its summary counts {} finding(s) but it lists {findings}: the report was edited or cut short",
                summary.findings
            ),
            "use the report exactly as `riskgate check` wrote it",
        ));
    }
    Ok(DecisionRecord {
        path: src.path.clone(),
        product: head.product.flatten(),
        evaluated_at,
        verdict,
        policy,
        images: head.images.unwrap_or_default(),
        acceptances: head.acceptances.unwrap_or_default(),
        findings,
    })
}

/// The top-level fields read; each may appear once.
#[derive(Default)]
struct Head {
    version: Option<u32>,
    verdict: Option<Verdict>,
    product: Option<Option<String>>,
    evaluated_at: Option<Timestamp>,
    policy: Option<String>,
    summary: Option<SummaryRecord>,
    findings: Option<usize>,
    images: Option<Vec<ImageRecord>>,
    acceptances: Option<Vec<AcceptanceRecord>>,
}

#[derive(Deserialize)]
struct SummaryRecord {
    findings: usize,
}

struct Top<F> {
    sink: F,
}

impl<'de, F: FnMut(FindingRecord<'de>)> DeserializeSeed<'de> for Top<F> {
    type Value = Head;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Head, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(FindingRecord<'de>)> Visitor<'de> for Top<F> {
    type Value = Head;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a riskgate json report (an object with verdict, summary and findings)")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Head, A::Error> {
        use serde::de::Error;
        let mut h = Head::default();
        fn once<T, E: Error>(slot: &mut Option<T>, key: &str, v: T) -> Result<(), E> {
            if slot.replace(v).is_some() {
                return Err(E::custom(format!("duplicate key `{key}`")));
            }
            Ok(())
        }
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "version" => once(&mut h.version, &key, map.next_value()?)?,
                "verdict" => once(&mut h.verdict, &key, map.next_value()?)?,
                "product" => once(&mut h.product, &key, map.next_value()?)?,
                "evaluated_at" => once(&mut h.evaluated_at, &key, map.next_value()?)?,
                "policy" => once(&mut h.policy, &key, map.next_value()?)?,
                "summary" => once(&mut h.summary, &key, map.next_value()?)?,
                "images" => once(&mut h.images, &key, map.next_value()?)?,
                "acceptances" => once(&mut h.acceptances, &key, map.next_value()?)?,
                "findings" => {
                    if h.findings.is_some() {
                        return Err(A::Error::custom("duplicate key `findings`"));
                    }
                    let n = map.next_value_seed(Findings {
                        sink: &mut self.sink,
                    })?;
                    h.findings = Some(n);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(h)
    }
}

/// The `findings` array: each element parsed and handed on; the value is how many there were.
struct Findings<'f, F> {
    sink: &'f mut F,
}

impl<'de, F: FnMut(FindingRecord<'de>)> DeserializeSeed<'de> for Findings<'_, F> {
    type Value = usize;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(FindingRecord<'de>)> Visitor<'de> for Findings<'_, F> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of findings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut n = 0;
        while let Some(f) = seq.next_element::<FindingRecord<'de>>()? {
            (self.sink)(f);
            n += 1;
        }
        Ok(n)
    }
}
