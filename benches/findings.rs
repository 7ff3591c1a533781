//! Throughput and peak memory of `riskgate findings --format json` and of `riskgate check` in
//! every output format on a generated Trivy report of 100 MB (`RISKGATE_BENCH_MB=1024` for the
//! 1 GB case; `RISKGATE_BENCH_ENTRIES=lean` for entries of ~350 bytes, the fields a gate reads
//! and little else, in one of eight image layers, where real Trivy entries are 1.3-4.6 KB: the
//! worst case for memory per byte of input).
//!
//! Run with `cargo bench --bench findings`. Prints MB/s (one process, one core: riskgate does not
//! parallelise a single report) and, where `/usr/bin/time` exists, the peak resident memory as a
//! multiple of the input size (issue 13 asks for under 2.5x under `check`). Not a test: nothing
//! here asserts a speed.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

mod common;

fn target_bytes() -> usize {
    let mb: usize = std::env::var("RISKGATE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    mb * 1024 * 1024
}

fn lean() -> bool {
    std::env::var("RISKGATE_BENCH_ENTRIES").is_ok_and(|v| v == "lean")
}

fn generate(path: &PathBuf, target: usize, lean: bool) {
    let mut out = String::with_capacity(target + (1 << 20));
    out.push_str(r#"{"SchemaVersion":2,"CreatedAt":"2026-11-01T10:00:00Z","ArtifactName":"registry.acme.example/payments/api:1.4.2","ArtifactType":"container_image","Metadata":{"DiffIDs":["sha256:aaaa","sha256:bbbb"]},"Results":["#);
    let mut n = 0usize;
    let mut result = 0usize;
    while out.len() < target {
        if result > 0 {
            out.push(',');
        }
        let class = if result.is_multiple_of(2) {
            "os-pkgs"
        } else {
            "lang-pkgs"
        };
        let _ = write!(
            out,
            r#"{{"Target":"target-{result}","Class":"{class}","Type":"debian","Vulnerabilities":["#
        );
        for i in 0..500 {
            if i > 0 {
                out.push(',');
            }
            let sev = ["LOW", "MEDIUM", "HIGH", "CRITICAL", "UNKNOWN"][n % 5];
            if lean {
                let _ = write!(
                    out,
                    r#"{{"VulnerabilityID":"CVE-2024-{n:05}","PkgName":"pkg{p}","PkgIdentifier":{{"PURL":"pkg:deb/debian/pkg{p}@1.{i}.0?arch=amd64"}},"InstalledVersion":"1.{i}.0","FixedVersion":"1.{i}.1","Status":"fixed","Layer":{{"DiffID":"sha256:{l:064x}"}},"Severity":"{sev}","Title":"pkg{p}: a flaw in the parser"}}"#,
                    p = n % 3000,
                    // One of the image's layers, as in a real report (Metadata.DiffIDs).
                    l = n % 8,
                );
                n += 1;
                continue;
            }
            let _ = write!(
                out,
                r#"{{"VulnerabilityID":"CVE-2024-{n:05}","PkgID":"pkg{p}@1.{i}.0","PkgName":"pkg{p}","PkgPath":"usr/lib/pkg{p}/package.json","PkgIdentifier":{{"PURL":"pkg:deb/debian/pkg{p}@1.{i}.0?arch=amd64","UID":"{n:016x}"}},"InstalledVersion":"1.{i}.0","FixedVersion":"1.{i}.1","Status":"fixed","Layer":{{"Digest":"sha256:{n:064x}","DiffID":"sha256:{n:064x}"}},"SeveritySource":"nvd","PrimaryURL":"https://avd.aquasec.com/nvd/cve-2024-{n:05}","DataSource":{{"ID":"debian","Name":"Debian Security Tracker","URL":"https://salsa.debian.org/security-tracker-team/security-tracker"}},"Title":"pkg{p}: a \"quoted\" flaw in the parser","Description":"A flaw was found in pkg{p}. An attacker could send a crafted request\nthat causes excessive memory use, leading to a denial of service. This issue affects versions before 1.{i}.1 and is tracked upstream.","Severity":"{sev}","CweIDs":["CWE-400"],"VendorSeverity":{{"debian":1,"nvd":3}},"CVSS":{{"nvd":{{"V3Vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H","V3Score":7.5}}}},"References":["https://security-tracker.debian.org/tracker/CVE-2024-{n:05}","https://nvd.nist.gov/vuln/detail/CVE-2024-{n:05}","https://github.com/example/pkg{p}/issues/{i}"],"PublishedDate":"2024-03-01T10:15:00Z","LastModifiedDate":"2024-04-01T10:15:00Z"}}"#,
                p = n % 3000,
            );
            n += 1;
        }
        out.push_str("]}");
        result += 1;
    }
    out.push_str("]}");
    std::fs::write(path, out).expect("write generated report");
}

fn main() {
    common::raw_parse_child();
    let target = target_bytes();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let lean = lean();
    let suffix = if lean { "-lean" } else { "" };
    let path = dir.join(format!("trivy-{}mb{suffix}.json", target >> 20));
    if std::fs::metadata(&path)
        .map(|m| m.len() < target as u64)
        .unwrap_or(true)
    {
        generate(&path, target, lean);
    }
    let size = std::fs::metadata(&path).unwrap().len() as f64;
    let mb = size / 1e6;
    let entries = if lean {
        "lean entries of ~350 bytes"
    } else {
        "entries of ~1.5 KB"
    };
    println!("input: {mb:.1} MB Trivy JSON, {entries}");
    let raw = common::raw_parse_process(&path, 3);
    let in_process = common::raw_parse(&path, 3);
    println!(
        "baseline: a raw typed serde_json parse of the fields a gate needs: {raw:.3} s as a \
         process of its own ({in_process:.3} s in this one)"
    );
    let bin = env!("CARGO_BIN_EXE_riskgate");
    let check = |format: &'static str| -> Vec<&'static str> {
        // The built-in policy; exit 1 (blocked) is the expected verdict here.
        vec!["check", "--now", "2026-11-23T12:00:00Z", "--format", format]
    };
    let mut commands: Vec<Vec<&str>> = vec![vec!["findings", "--format", "json"]];
    // Every output format of check: each streams, so each should cost about what json does.
    for f in common::FORMATS {
        commands.push(check(f));
    }
    let runs = if target > (256 << 20) { 1 } else { 3 };
    let report = path.to_str().expect("a UTF-8 bench path");
    for args in &commands {
        let args: Vec<&str> = args.iter().copied().chain(["--report", report]).collect();
        let best = common::time_best(bin, &args, runs);
        let name = format!("{} --format {}", args[0], args[args.len() - 3]);
        println!(
            "riskgate {name}: best of {runs} {best:.3} s, {:.0} MB/s, {:.1}x the raw parse",
            mb / best,
            best / raw
        );
        if let Some(kb) = common::peak_rss_kb(bin, &args) {
            println!(
                "riskgate {name}: peak RSS {:.0} MB ({:.2}x input)",
                kb / 1024.0,
                kb * 1024.0 / size
            );
        }
    }
    std::io::stdout().flush().ok();
}
