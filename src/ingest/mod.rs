//! Ingestion: scanner reports and threat intel in, normalised findings and VEX statements out.
//!
//! One module per input format, each behind [`ReportFormat`]. The format of a file is detected
//! from its content (its top-level JSON keys), never from its name. Every file is read once and
//! parsed once; raw format structs borrow from the file's bytes where they can.
//!
//! Must never: panic on input, guess a format, or turn an unreadable file into "no findings".

// Input text is hostile: no byte slicing or indexing that can panic on it (issue 13).
#![deny(clippy::string_slice, clippy::indexing_slicing)]

mod cargo_audit;
mod csaf;
mod cyclonedx;
mod detect;
pub mod epss;
mod error;
mod foreign;
mod gitlab;
mod grype;
pub mod kev;
mod npm_audit;
mod openvex;
mod osv;
mod sarif;
pub mod source;
mod trivy;
pub use crate::model::vex;

pub use error::InputError;
pub use vex::{VexStatement, VexStatus};

use crate::model::date::Timestamp;
use crate::model::finding::Finding;
use detect::Probe;
use serde::Serialize;
use std::path::Path;

/// The formats `--report` understands, in the words the error messages use: the titles of
/// [`FORMATS`], in order.
pub fn understood() -> String {
    let mut titles: Vec<&str> = FORMATS.iter().map(|f| f.title).collect();
    titles.dedup();
    titles.join(", ")
}

/// A file's bytes and the name it is known by in diagnostics.
pub struct Source {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl Source {
    /// Reads a file, refusing directories, special files (FIFOs, devices), files over the size
    /// cap, empty files and text in encodings other than UTF-8, with pointed errors.
    /// `-` is standard input, which can be read once per run.
    pub fn read(path: &Path) -> Result<Source, InputError> {
        if path.as_os_str() == STDIN {
            return read_stdin();
        }
        let shown = path.display().to_string();
        let bytes = source::read_file(path).map_err(|e| InputError::read(&shown, e))?;
        Source::checked(shown, bytes)
    }

    /// Refuses what cannot be a report whatever its format: nothing but whitespace, or text in
    /// UTF-16/UTF-32 (which every JSON parser would call malformed).
    fn checked(path: String, bytes: Vec<u8>) -> Result<Source, InputError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(InputError::Empty { path });
        }
        if let Some(enc) = source::foreign_encoding(&bytes) {
            return Err(InputError::Invalid {
                message: format!("the file is {enc} text; riskgate reads UTF-8"),
                help: Some(format!(
                    "convert it with `iconv -f {enc} -t UTF-8 {path} > report.json`; in PowerShell, write files with `-Encoding utf8` (`>` writes UTF-16)"
                )),
                path,
            });
        }
        Ok(Source { path, bytes })
    }

    pub fn from_bytes(path: impl Into<String>, bytes: Vec<u8>) -> Source {
        Source {
            path: path.into(),
            bytes,
        }
    }

    /// The bytes after a UTF-8 byte-order mark, if any.
    pub fn json(&self) -> &[u8] {
        self.bytes
            .strip_prefix(b"\xef\xbb\xbf")
            .unwrap_or(&self.bytes)
    }

    /// Deserialises the whole file, turning serde's error into a diagnostic that points at it.
    pub fn parse_json<'a, T: serde::Deserialize<'a>>(
        &'a self,
        format: &str,
    ) -> Result<T, InputError> {
        serde_json::from_slice(self.json()).map_err(|e| InputError::json(self, format, &e))
    }
}

/// The path that names standard input (`--report -`).
pub const STDIN: &str = "-";

/// The sha256 of what was read from standard input, once it has been read (for the decision log,
/// which records the digest of every input).
static STDIN_SHA256: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();

pub fn stdin_sha256() -> Option<&'static [u8; 32]> {
    STDIN_SHA256.get()
}

fn read_stdin() -> Result<Source, InputError> {
    let shown = "standard input";
    if STDIN_SHA256.get().is_some() {
        return Err(InputError::invalid(
            shown,
            "standard input was already read for an earlier `-`; it can be given once",
        ));
    }
    let bytes = source::read_stdin().map_err(|e| InputError::read(shown, e))?;
    let _ = STDIN_SHA256.set(<sha2::Sha256 as sha2::Digest>::digest(&bytes).into());
    Source::checked(shown.to_string(), bytes)
}

/// What a report says about the scan itself (used for required-report checks and ownership).
pub use crate::model::facts::InputInfo;

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReportMeta {
    /// When the report says the scan ran.
    pub created: Option<Timestamp>,
    /// What was scanned: an image reference, a repository or directory.
    pub target: Option<String>,
    /// For image scans: the layer DiffIDs of the image, in order.
    pub diff_ids: Vec<String>,
    /// For image scans: the image's repository digests (`repo@sha256:...`), as the report says.
    pub repo_digests: Vec<String>,
    /// The scan kinds this report provides (container_scanning, dependency_scanning, sast...).
    pub kinds: Vec<crate::model::finding::ScanKind>,
    /// The report claims the scan failed (GitLab `scan.status: failure`, SARIF
    /// `executionSuccessful: false`).
    pub failed: bool,
    /// Why the report counts as a failed scan, when it says more than a status flag.
    pub failure: Option<String>,
    /// Results the tool itself marked as suppressed (SARIF suppressions), skipped but counted.
    pub suppressed: usize,
    /// What the reader had to assume to read the file, shown as warnings.
    pub notes: Vec<String>,
}

/// One parsed input file.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub path: String,
    pub format: &'static str,
    pub findings: Vec<Finding>,
    pub vex: Vec<VexStatement>,
    pub meta: ReportMeta,
}

impl Parsed {
    pub fn new(src: &Source, format: &'static str) -> Parsed {
        Parsed {
            path: src.path.clone(),
            format,
            findings: Vec::new(),
            vex: Vec::new(),
            meta: ReportMeta::default(),
        }
    }
}

/// One input format: how to recognise it from its top-level keys and how to read it. Adding a
/// format is a module implementing this and one line in [`FORMATS`]; nothing else names it.
pub trait ReportFormat {
    /// The short name shown in reports and errors (`trivy`, `sarif`...).
    const NAME: &'static str;
    /// How the format is named in the list of what riskgate understands.
    const TITLE: &'static str;
    /// Whether the keys that recognise it settle the format on their own, so detection may stop
    /// reading the top level as soon as they are seen (a 100 MB report is not walked twice).
    const DECISIVE: bool = false;
    /// Whether the format is a VEX document (accepted by `--vex`).
    const VEX: bool = false;
    /// Whether the top-level keys (and short scalar values) of a JSON object are this format's.
    /// Detectors recognise their own format positively and are disjoint: on every fixture of
    /// the repository at most one says yes (tested below).
    fn detect(probe: &Probe) -> bool;
    /// Reads the whole file.
    fn parse(src: &Source) -> Result<Parsed, InputError>;
}

/// One entry of the registry of formats.
pub struct Format {
    pub name: &'static str,
    pub title: &'static str,
    pub decisive: bool,
    pub vex: bool,
    detect: fn(&Probe) -> bool,
    parse: fn(&Source) -> Result<Parsed, InputError>,
}

const fn entry<F: ReportFormat>() -> Format {
    Format {
        name: F::NAME,
        title: F::TITLE,
        decisive: F::DECISIVE,
        vex: F::VEX,
        detect: F::detect,
        parse: F::parse,
    }
}

/// The registry: every report format riskgate reads, in the order they are listed to users.
pub const FORMATS: &[Format] = &[
    entry::<trivy::Trivy>(),
    entry::<trivy::TrivyK8s>(),
    entry::<grype::Grype>(),
    entry::<sarif::Sarif>(),
    entry::<cyclonedx::CycloneDx>(),
    entry::<openvex::OpenVex>(),
    entry::<csaf::Csaf>(),
    entry::<npm_audit::NpmAudit>(),
    entry::<cargo_audit::CargoAudit>(),
    entry::<osv::OsvScanner>(),
    entry::<gitlab::GitLab>(),
];

/// Detects the format of `src` from its content and parses it.
pub fn parse_report(src: &Source) -> Result<Parsed, InputError> {
    let decisive = |p: &Probe| FORMATS.iter().any(|f| f.decisive && (f.detect)(p));
    let probe = Probe::scan_until(src.json(), decisive);
    let found = probe
        .as_ref()
        .and_then(|p| FORMATS.iter().find(|f| (f.detect)(p)));
    if let Some(f) = found {
        return (f.parse)(src);
    }
    let mut empty_array = false;
    if probe.is_none() {
        match Probe::scan_array(src.json()) {
            Some(Some(first)) if trivy::is_legacy(&first) => return trivy::parse_legacy(src),
            Some(None) => empty_array = true,
            _ => {}
        }
    }
    if let Some(f) = foreign::identify(src.json()) {
        return Err(InputError::Foreign {
            path: src.path.clone(),
            what: f.what,
            help: f.instead.to_string(),
        });
    }
    // Tell a broken file from a well-formed file of a format we do not know.
    serde_json::from_slice::<serde::de::IgnoredAny>(src.json())
        .map_err(|e| InputError::json(src, "JSON", &e))?;
    // What old Trivy, gitleaks and trufflehog3 write for a clean scan.
    let unnamed = if empty_array {
        Some("an empty JSON array: Trivy before 0.20, gitleaks and trufflehog3 all write `[]`")
    } else if src.json().trim_ascii() == b"null" {
        Some("the JSON value `null`: Trivy before 0.20 and gitleaks write it for a clean scan")
    } else {
        None
    };
    if let Some(what) = unnamed {
        return Err(InputError::Unknown {
            path: src.path.clone(),
            help: format!(
                "the file is {what}, so it cannot show which scan ran or that it ran at all. \
                 Give riskgate a format that names its scan (Trivy's current JSON, SARIF)."
            ),
        });
    }
    if probe.as_ref().is_some_and(kev::looks_like_kev) {
        return Err(InputError::Unknown {
            path: src.path.clone(),
            help: "this is the CISA KEV catalog: pass it with --kev, not --report".into(),
        });
    }
    Err(InputError::Unknown {
        path: src.path.clone(),
        help: format!("riskgate understands: {}. Threat intel goes to --kev (CISA KEV JSON) and --epss (FIRST EPSS CSV).", understood()),
    })
}

/// Reads and parses a report file.
pub fn load_report(path: &Path) -> Result<Parsed, InputError> {
    parse_report(&Source::read(path)?)
}

/// Parses a VEX document given with `--vex` (OpenVEX, CycloneDX VEX or CSAF VEX). A file of
/// another format is refused: findings in a VEX slot would silently not be gated.
pub fn parse_vex(src: &Source) -> Result<Parsed, InputError> {
    let parsed = parse_report(src)?;
    if !FORMATS.iter().any(|f| f.vex && f.name == parsed.format) {
        return Err(InputError::Invalid {
            path: parsed.path,
            message: format!("--vex expects a VEX document, but this is a {} report", parsed.format),
            help: Some("pass scanner reports with --report; --vex takes OpenVEX, CycloneDX VEX or CSAF VEX".into()),
        });
    }
    Ok(parsed)
}

/// Parses an optional timestamp field, ignoring values that do not parse (a scanner's clock
/// format is not worth failing a gate over; the report-age check treats unknown as missing).
pub(crate) fn ts(s: Option<&str>) -> Option<Timestamp> {
    s.and_then(Timestamp::parse)
}

/// For list fields that Go tools write as `null` when empty (a nil slice without `omitempty`):
/// `null` and absent both mean the empty list.
pub(crate) fn null_is_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Ok(<Option<Vec<T>> as serde::Deserialize>::deserialize(d)?.unwrap_or_default())
}

/// Returns `Some(s)` when `s` has non-blank text.
pub(crate) fn nonempty<S: AsRef<str>>(s: Option<S>) -> Option<String> {
    s.and_then(|s| {
        let t = s.as_ref().trim();
        (!t.is_empty()).then(|| t.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::{Probe, FORMATS};
    use std::path::{Path, PathBuf};

    fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                json_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "json" || x == "sarif") {
                out.push(p);
            }
        }
    }

    /// The registry's detectors recognise their own format and no other's: on every JSON
    /// fixture of the repository (real reports of real tools, and the foreign ones riskgate
    /// refuses) at most one says yes, so the order of [`FORMATS`] decides nothing.
    #[test]
    fn detectors_are_disjoint_on_every_fixture() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for d in ["tests/fixtures", "examples"] {
            json_files(&root.join(d), &mut files);
        }
        assert!(files.len() > 100, "fixtures found: {}", files.len());
        let mut recognised = 0;
        for f in &files {
            let bytes = std::fs::read(f).expect("fixture");
            let Some(probe) = Probe::scan(&bytes) else {
                continue;
            };
            let hits: Vec<&str> = FORMATS
                .iter()
                .filter(|x| (x.detect)(&probe))
                .map(|x| x.name)
                .collect();
            assert!(hits.len() <= 1, "{}: {hits:?}", f.display());
            recognised += hits.len();
        }
        assert!(recognised > 60, "recognised: {recognised}");
    }

    #[test]
    fn every_format_is_listed_once_to_users() {
        let list = super::understood();
        for f in FORMATS {
            assert_eq!(list.matches(f.title).count(), 1, "{list}");
        }
        assert_eq!(
            FORMATS
                .iter()
                .filter(|f| f.vex)
                .map(|f| f.name)
                .collect::<Vec<_>>(),
            ["cyclonedx", "openvex", "csaf"]
        );
    }
}
