//! FIRST EPSS scores (CSV, optionally gzipped, with or without the `#model_version` line), as a
//! lookup by CVE id.

use super::{InputError, Source};
pub use crate::model::intel::{Epss, EpssScore};
use std::io::Read;
use std::path::Path;

/// The most a gzipped EPSS file may inflate to.
const MAX_INFLATED: u64 = 256 << 20;

impl Epss {
    pub fn load(path: &Path) -> Result<Epss, InputError> {
        Epss::parse(&Source::read(path)?)
    }

    pub fn parse(src: &Source) -> Result<Epss, InputError> {
        let text = if src.bytes.starts_with(&[0x1f, 0x8b]) {
            // A gzip bomb must not be inflated whole: FIRST's full CSV is about 12 MB.
            let cap = MAX_INFLATED.min(super::source::max_input());
            let mut out = String::new();
            flate2::read::MultiGzDecoder::new(src.bytes.as_slice())
                .take(cap.saturating_add(1))
                .read_to_string(&mut out)
                .map_err(|e| {
                    InputError::invalid(
                        &src.path,
                        format!("cannot decompress gzipped EPSS file: {e}"),
                    )
                })?;
            if out.len() as u64 > cap {
                return Err(InputError::Invalid {
                    path: src.path.clone(),
                    message: format!(
                        "the gzipped EPSS file inflates to more than {}; FIRST's full daily CSV is about 12 MB",
                        super::source::human_size(cap)
                    ),
                    help: Some("--epss takes FIRST's daily EPSS CSV (epss_scores-YYYY-MM-DD.csv[.gz])".into()),
                });
            }
            out
        } else {
            String::from_utf8(src.bytes.clone()).map_err(|_| {
                InputError::invalid(
                    &src.path,
                    "EPSS file is not UTF-8 text (expected FIRST's CSV)",
                )
            })?
        };
        let mut epss = Epss::default();
        let mut header_seen = false;
        for (n, raw) in text.lines().enumerate() {
            let line_no = n + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(meta) = line.strip_prefix('#') {
                for kv in meta.split(',') {
                    match kv.split_once(':') {
                        Some(("model_version", v)) => epss.model_version = Some(v.to_string()),
                        Some(("score_date", v)) => epss.score_date = Some(v.to_string()),
                        _ => {}
                    }
                }
                continue;
            }
            if !header_seen {
                let cols: Vec<&str> = line.split(',').map(str::trim).collect();
                if cols.first() != Some(&"cve") || cols.get(1) != Some(&"epss") {
                    return Err(InputError::Invalid {
                        path: src.path.clone(),
                        message: format!("line {line_no}: expected the EPSS header `cve,epss,percentile`, found `{}`", truncate(line)),
                        help: Some("--epss takes FIRST's daily EPSS CSV (epss_scores-YYYY-MM-DD.csv[.gz])".into()),
                    });
                }
                header_seen = true;
                continue;
            }
            let mut cols = line.split(',').map(str::trim);
            let (cve, p, pct) = (cols.next(), cols.next(), cols.next());
            let probability = p
                .and_then(|p| p.parse::<f64>().ok())
                .filter(|p| (0.0..=1.0).contains(p));
            match (cve, probability) {
                (Some(cve), Some(probability)) if cve.starts_with("CVE-") => {
                    let percentile = pct.and_then(|p| p.parse::<f64>().ok());
                    epss.scores.insert(cve.to_ascii_uppercase(), EpssScore { probability, percentile });
                }
                _ => {
                    return Err(InputError::invalid(
                        &src.path,
                        format!("line {line_no}: expected `CVE-YYYY-NNNN,probability(0..1),percentile`, found `{}`", truncate(line)),
                    ))
                }
            }
        }
        if !header_seen {
            return Err(InputError::invalid(
                &src.path,
                "no EPSS header `cve,epss,percentile` found",
            ));
        }
        Ok(epss)
    }
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_with_and_without_model_line_and_gzipped() {
        let body = "cve,epss,percentile\nCVE-2021-44228,0.94358,0.99957\nCVE-2019-1549,0.01,0.5\n";
        let with = format!("#model_version:v2025.03.14,score_date:2026-09-03T12:55:00Z\n{body}");
        let e = Epss::parse(&Source::from_bytes("e.csv", with.clone().into_bytes())).unwrap();
        assert_eq!(e.model_version.as_deref(), Some("v2025.03.14"));
        assert_eq!(e.get("cve-2021-44228").unwrap().probability, 0.94358);
        let e = Epss::parse(&Source::from_bytes("e.csv", body.as_bytes().to_vec())).unwrap();
        assert_eq!(e.len(), 2);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, with.as_bytes()).unwrap();
        let e = Epss::parse(&Source::from_bytes("e.csv.gz", gz.finish().unwrap())).unwrap();
        assert_eq!(e.get("CVE-2019-1549").unwrap().percentile, Some(0.5));
    }

    #[test]
    fn refuses_other_csv_and_bad_rows() {
        let err = Epss::parse(&Source::from_bytes("x.csv", b"a,b\n1,2\n".to_vec())).unwrap_err();
        assert!(
            err.to_string().contains("line 1: expected the EPSS header"),
            "{err}"
        );
        let err = Epss::parse(&Source::from_bytes(
            "x.csv",
            b"cve,epss,percentile\nCVE-1,1.7,0.2\n".to_vec(),
        ))
        .unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
