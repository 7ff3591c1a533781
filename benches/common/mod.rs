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
    parse_runs(path, runs, false)
}

fn parse_runs(path: &Path, runs: usize, leak: bool) -> f64 {
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
        if leak {
            // as riskgate exits: what was parsed is not freed
            std::mem::forget(r);
            std::mem::forget(bytes);
        }
    }
    best
}

/// Set in the environment of a bench binary run again as the raw parse's own process.
const RAW_CHILD: &str = "RISKGATE_BENCH_RAW_PARSE";

/// The same raw parse as a whole process of its own (this bench binary, run again), timed as
/// `riskgate` is: start, read, parse, exit (best of `runs`). Issue 19's goal is set against it;
/// the in-process [`raw_parse`] is faster, as its process is already running.
pub fn raw_parse_process(path: &Path, runs: usize) -> f64 {
    let exe = std::env::current_exe().expect("the bench binary");
    let mut best = f64::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let status = Command::new(&exe)
            .env(RAW_CHILD, path)
            .stdout(Stdio::null())
            .status()
            .expect("run the raw parse");
        assert!(status.success(), "raw parse of {path:?}: {status}");
        best = best.min(start.elapsed().as_secs_f64());
    }
    best
}

/// First thing in a bench's `main`: in the process [`raw_parse_process`] starts, parse once and
/// exit (as riskgate does, without freeing what was parsed).
pub fn raw_parse_child() {
    if let Some(p) = std::env::var_os(RAW_CHILD) {
        parse_runs(Path::new(&p), 1, true);
        std::process::exit(0);
    }
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
