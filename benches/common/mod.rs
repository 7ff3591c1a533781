//! What the benches that run the `riskgate` binary share: the raw-parse floor and peak memory.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Every output format of `check`, json first (the others are compared with it).
pub const FORMATS: [&str; 7] = [
    "json",
    "human",
    "sarif",
    "junit",
    "codequality",
    "markdown",
    "github",
];

/// The floor riskgate cannot go below: reading the file and a typed serde_json parse of the
/// fields a gate reads, borrowed, nothing written (best of `runs`, in this process).
pub fn raw_parse(path: &Path, runs: usize) -> f64 {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Report<'a> {
        #[serde(borrow, rename = "Results")]
        results: Vec<Result<'a>>,
    }
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Result<'a> {
        #[serde(borrow, rename = "Target")]
        target: std::borrow::Cow<'a, str>,
        #[serde(borrow, rename = "Vulnerabilities", default)]
        vulns: Vec<Vuln<'a>>,
    }
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Vuln<'a> {
        #[serde(borrow, rename = "VulnerabilityID")]
        id: std::borrow::Cow<'a, str>,
        #[serde(borrow, rename = "PkgName")]
        pkg: std::borrow::Cow<'a, str>,
        #[serde(borrow, rename = "InstalledVersion")]
        version: std::borrow::Cow<'a, str>,
        #[serde(borrow, rename = "FixedVersion", default)]
        fixed: Option<std::borrow::Cow<'a, str>>,
        #[serde(borrow, rename = "Severity")]
        severity: std::borrow::Cow<'a, str>,
        #[serde(borrow, rename = "Title", default)]
        title: Option<std::borrow::Cow<'a, str>>,
    }
    let mut best = f64::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let bytes = std::fs::read(path).expect("read");
        let r: Report = serde_json::from_slice(&bytes).expect("parse");
        let n: usize = r.results.iter().map(|x| x.vulns.len()).sum();
        assert!(n > 0);
        best = best.min(start.elapsed().as_secs_f64());
    }
    best
}

/// Best wall time of `runs` runs of `bin args` (stdout discarded); exit 0 or 1 expected.
pub fn time_best(bin: &str, args: &[&str], runs: usize) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let status = Command::new(bin)
            .args(args)
            .stdout(Stdio::null())
            .status()
            .expect("run riskgate");
        assert!(matches!(status.code(), Some(0 | 1)), "{args:?}: {status}");
        best = best.min(start.elapsed().as_secs_f64());
    }
    best
}

/// Peak resident memory of one run in KiB, from GNU time (None where it is not installed).
pub fn peak_rss_kb(bin: &str, args: &[&str]) -> Option<f64> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(bin)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stderr)
        .trim()
        .lines()
        .last()?
        .parse()
        .ok()
}
