//! Issue 19's case: `riskgate check` on a Trivy report of 20,000 real vulnerability entries
//! (about 63 MB) with 2,000 acceptances under the example organisation's policy, in every output
//! format, each against a raw typed serde_json parse of the same file; then the same at 200,000
//! entries (about 630 MB) for the cost's linearity.
//!
//! The entries are the real ones in `tests/fixtures/trivy/` (Trivy 0.4x output for Debian,
//! Ubuntu, Alpine, CentOS, AlmaLinux, distroless, npm, pip, Maven, gems, Go), repeated with fresh
//! vulnerability ids; one in ten findings, MEDIUM ones spread evenly, has an acceptance approved by
//! the risk owner.
//!
//! Run with `cargo bench --bench gate` (`RISKGATE_BENCH_BIG=0` skips the 200,000 case). Prints
//! times (best of 3), ratios and peak memory. Not a test: nothing here asserts a speed.

use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod common;

/// One acceptance per this many findings (2,000 for 20,000, as in issue 19).
const ACCEPTED_PER: usize = 10;

/// A real entry and the result it came from.
struct Entry {
    target: String,
    class: String,
    kind: String,
    vuln: Value,
}

fn fixtures(root: &Path) -> Vec<Entry> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures/trivy"))
        .expect("tests/fixtures/trivy")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(doc) = serde_json::from_slice::<Value>(&std::fs::read(&f).expect("read fixture"))
        else {
            continue;
        };
        for r in doc["Results"].as_array().into_iter().flatten() {
            for v in r["Vulnerabilities"].as_array().into_iter().flatten() {
                let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
                out.push(Entry {
                    target: s("Target"),
                    class: s("Class"),
                    kind: s("Type"),
                    vuln: v.clone(),
                });
            }
        }
    }
    assert!(
        out.len() >= 20,
        "real Trivy entries in tests/fixtures/trivy"
    );
    out
}

/// Copies the directory `from` to `to`, whole.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for e in std::fs::read_dir(from).expect("read the directory") {
        let e = e.expect("a directory entry");
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy a file");
        }
    }
}

/// Writes the report and the acceptances file for `n` findings; returns their paths. The
/// acceptances are those of an organisation of their own, `org-{n}/`: the example's policy and
/// CODEOWNERS with this acceptances file, so that (under `approvals: code_review`) the risk
/// owner's approvals are proven by the CODEOWNERS line requiring their review, as in the
/// example; a file outside that repository proves nothing, and no acceptance would hold.
fn generate(root: &Path, dir: &Path, entries: &[Entry], n: usize) -> (PathBuf, PathBuf) {
    let report = dir.join(format!("trivy-order-{n}.json"));
    let org = dir.join(format!("org-{n}"));
    let accs = org.join("acceptances.yaml");
    if !org.join("policy").is_dir() {
        copy_dir(&root.join("examples/policy"), &org.join("policy"));
        std::fs::copy(root.join("examples/CODEOWNERS"), org.join("CODEOWNERS"))
            .expect("copy CODEOWNERS");
    }
    if report.exists() && sorted_copy(&report).exists() && accs.exists() {
        return (report, accs);
    }
    let mut results: Vec<Value> = Vec::new();
    let mut yaml = String::from("version: 1\nacceptances:\n");
    let is_medium = |i: usize| entries[i % entries.len()].vuln["Severity"] == "MEDIUM";
    let total = (0..n).filter(|&i| is_medium(i)).count().max(1);
    let wanted = n / ACCEPTED_PER;
    let mut medium = 0usize;
    // One result per 500 entries, each with the target, class and type of its first entry.
    for chunk_start in (0..n).step_by(500) {
        let first = &entries[chunk_start % entries.len()];
        let mut vulns = Vec::new();
        for i in chunk_start..(chunk_start + 500).min(n) {
            let e = &entries[i % entries.len()];
            let mut v = e.vuln.clone();
            let id = format!("CVE-2099-{:06}", i + 100_000);
            v["VulnerabilityID"] = Value::String(id.clone());
            if v["Severity"] == "MEDIUM" {
                // Spread evenly: `wanted` acceptances over the `total` MEDIUM entries.
                if (medium + 1) * wanted / total > medium * wanted / total {
                    let pkg = v["PkgName"].as_str().unwrap_or_default();
                    let _ = write!(
                        yaml,
                        "  - id: ACC-{i:06}\n    finding: {id}\n    package: {pkg:?}\n    \
                         product: payments-api\n    risk: medium\n    reason: Reviewed for the bench.\n    \
                         requested_by: alice@acme.example\n    approved_by: dana@acme.example\n    \
                         created: 2026-11-01\n    expires: 2027-01-15\n"
                    );
                }
                medium += 1;
            }
            vulns.push(v);
        }
        results.push(serde_json::json!({
            "Target": first.target, "Class": first.class, "Type": first.kind,
            "Vulnerabilities": vulns,
        }));
    }
    // The top-level keys in the order Trivy writes them (`serde_json::json!` would sort them,
    // putting Results before SchemaVersion); the sorted copy is measured too.
    let mut doc = String::from(
        "{\"SchemaVersion\":2,\"CreatedAt\":\"2026-11-23T10:00:00Z\",\
         \"ArtifactName\":\"registry.acme.example/payments/api:1.4.2\",\
         \"ArtifactType\":\"container_image\",\"Results\":",
    );
    doc.push_str(&serde_json::to_string(&results).expect("json"));
    doc.push('}');
    let sorted: Value = serde_json::from_str(&doc).expect("the report is JSON");
    std::fs::write(&report, doc).expect("write report");
    std::fs::write(
        sorted_copy(&report),
        serde_json::to_vec(&sorted).expect("json"),
    )
    .expect("write sorted report");
    std::fs::write(&accs, yaml).expect("write acceptances");
    (report, accs)
}

/// The same report with its keys sorted (`jq -S`, a re-serialised report): Results comes before
/// SchemaVersion, so the report cannot be streamed as it is parsed.
fn sorted_copy(report: &Path) -> PathBuf {
    report.with_extension("sorted.json")
}

/// `riskgate check` of `report` under the example policy, with the bench's acceptances.
fn check_args<'a>(
    policy: &'a str,
    accs: &'a str,
    format: &'a str,
    report: &'a str,
) -> [&'a str; 13] {
    [
        "check",
        "--policy",
        policy,
        "--product",
        "payments-api",
        "--acceptances",
        accs,
        "--now",
        "2026-11-23T12:00:00Z",
        "--format",
        format,
        "--report",
        report,
    ]
}

/// The same decision in Rego (`benches/rego/gate.rego`), evaluated by regorus when
/// `benches/rego` is built (`cargo build --release --manifest-path benches/rego/Cargo.toml`):
/// its evaluation alone (the inputs parsed before the clock starts, as issue 19 measured OPA)
/// against riskgate's whole process, and the statuses each decided.
fn rego(root: &Path, bin: &str, args: &[&str; 13], runs: usize) {
    let rego = root.join("benches/rego/target/release/riskgate-rego-bench");
    if !rego.exists() {
        println!(
            "(Rego: not built; cargo build --release --manifest-path benches/rego/Cargo.toml)"
        );
        return;
    }
    // check --policy P --product X --acceptances A --now T --format json --report R
    let (policy, product, accs, now, report) = (args[2], args[4], args[6], args[8], args[12]);
    let mut best = f64::MAX;
    let mut decided = String::new();
    for _ in 0..runs.max(3) {
        let out = std::process::Command::new(&rego)
            .args([report, accs, policy, product, &now[..10]])
            .output()
            .expect("run the Rego bench");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let secs: f64 = lines.next().and_then(|l| l.parse().ok()).expect("seconds");
        best = best.min(secs);
        decided = lines.next().unwrap_or_default().to_string();
    }
    let ours = common::time_best(bin, args, runs);
    let out = std::process::Command::new(bin)
        .args(args)
        .output()
        .expect("run riskgate");
    let summary = serde_json::from_slice::<Value>(&out.stdout)
        .map(|v| v["summary"]["by_status"].to_string())
        .unwrap_or_default();
    println!(
        "Rego (regorus) evaluation alone {best:.3} s: check --format json, whole process, \
         {ours:.3} s is {:.1}x faster\n  Rego decided {decided}\n  riskgate decided {summary}",
        best / ours
    );
}

fn main() {
    common::raw_parse_child();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let entries = fixtures(&root);
    let bin = env!("CARGO_BIN_EXE_riskgate");
    let big = std::env::var("RISKGATE_BENCH_BIG").map_or(true, |v| v != "0");
    let sizes: &[usize] = if big { &[20_000, 200_000] } else { &[20_000] };
    let mut json_times = Vec::new();
    for &n in sizes {
        let (report, accs) = generate(&root, &dir, &entries, n);
        let policy = accs.with_file_name("policy");
        let policy = policy.to_str().expect("UTF-8 path");
        let size = std::fs::metadata(&report).expect("report").len() as f64;
        let runs = if n > 50_000 { 1 } else { 3 };
        let in_process = common::raw_parse(&report, 3);
        let raw = common::raw_parse_process(&report, runs.max(3));
        println!(
            "\n{n} findings ({:.1} MB Trivy JSON, {} acceptances): raw typed parse {raw:.3} s \
             as a process of its own ({in_process:.3} s in this one)",
            size / 1e6,
            std::fs::read_to_string(&accs)
                .expect("acceptances")
                .matches("- id:")
                .count()
        );
        let sorted = sorted_copy(&report);
        let (report, sorted, accs) = (
            report.to_str().expect("UTF-8"),
            sorted.to_str().expect("UTF-8"),
            accs.to_str().expect("UTF-8"),
        );
        for format in common::FORMATS {
            let args = check_args(policy, accs, format, report);
            let t = common::time_best(bin, &args, runs);
            if format == "json" {
                json_times.push(t);
            }
            let rss = common::peak_rss_kb(bin, &args)
                .map(|kb| format!(", peak RSS {:.0} MB", kb / 1024.0))
                .unwrap_or_default();
            println!(
                "check --format {format:<11} {t:.3} s ({:.1}x the raw parse, {:.2}x json){rss}",
                t / raw,
                t / json_times[json_times.len() - 1]
            );
        }
        let t = common::time_best(bin, &check_args(policy, accs, "json", sorted), runs);
        println!(
            "check --format json, keys sorted {t:.3} s ({:.1}x the raw parse)",
            t / raw
        );
        if n <= 20_000 {
            // (regorus holds the whole input as its values: at 200,000 that is gigabytes)
            rego(&root, bin, &check_args(policy, accs, "json", report), runs);
        }
    }
    if let [small, large] = json_times[..] {
        println!(
            "\nlinearity: check --format json at 200,000 is {:.1}x its time at 20,000",
            large / small
        );
    }
}
