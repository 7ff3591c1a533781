//! Inputs that must never become an allow, a hang or a panic: foreign files that look like a
//! format, special files, oversized and compressed-bomb inputs, other text encodings, and
//! failed scans. Each asserts exit 2 and the message a user would act on.

use crate::common::{fixture, riskgate, scratch, scratch_file, Cli, ScratchFile};
use std::time::{Duration, Instant};

fn tmp(name: &str, content: &[u8]) -> ScratchFile {
    scratch_file(name, content)
}

fn findings(path: &std::path::Path) -> crate::common::Run {
    riskgate().arg("findings").arg("--report").arg(path).run()
}

fn refused(path: &std::path::Path, expect: &[&str]) {
    let r = findings(path);
    assert_eq!(r.code, 2, "{}: {}{}", path.display(), r.stdout, r.stderr);
    for e in expect {
        assert!(
            r.stderr.contains(e),
            "{}: expected {e:?} in:\n{}",
            path.display(),
            r.stderr
        );
    }
}

#[test]
fn a_generic_results_key_is_not_a_clean_osv_scan() {
    refused(
        &tmp("results.json", br#"{"results":[{"foo":1}]}"#),
        &["missing field `source`"],
    );
    refused(
        &tmp("results2.json", br#"{"results":[],"errors":[]}"#),
        &["semgrep"],
    );
    refused(
        &fixture("corpus/defectdojo/bandit/one_vuln.json"),
        &[
            "bandit's JSON output, which riskgate does not read",
            "bandit -r . -f sarif",
        ],
    );
    // and a required report is not satisfied by one
    let r = riskgate()
        .args(["check", "--now", "2026-11-23T12:00:00Z", "--report"])
        .arg(fixture("corpus/defectdojo/bandit/no_vuln.json"))
        .run();
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn special_files_are_refused_without_hanging() {
    refused(
        std::path::Path::new("/dev/zero"),
        &["character device", "regular file"],
    );
    let fifo_dir = scratch("fifo");
    let fifo = fifo_dir.join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped the FIFO case: mkfifo is not available");
        return;
    }
    let started = Instant::now();
    let mut child = riskgate()
        .arg("findings")
        .arg("--report")
        .arg(&fifo)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("riskgate hangs on a FIFO given as --report");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("FIFO (named pipe)"), "{err}");
    // a FIFO as a policy file
    let dir = scratch("fifo-policy");
    let own = dir.join("ownership.yaml");
    let _ = std::fs::remove_file(&own);
    std::process::Command::new("mkfifo")
        .arg(&own)
        .status()
        .unwrap();
    std::fs::write(dir.join("guardrails.yaml"), "version: 1\n").unwrap();
    let r = riskgate().args(["validate", "--policy"]).arg(&dir).run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("FIFO"), "{}", r.stderr);
    let _ = std::fs::remove_file(&fifo);
    let _ = std::fs::remove_file(&own);
}

#[test]
fn inputs_over_the_size_cap_are_refused() {
    let big = tmp("big.json", &vec![b' '; 4096]);
    let r = riskgate()
        .args(["--max-input-size", "1KiB", "findings", "--report"])
        .arg(&big)
        .run();
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("larger than the input size cap of 1 KiB"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--max-input-size"), "{}", r.stderr);
    // the same cap holds on standard input
    let r = crate::common::run_with_stdin(
        riskgate().args(["--max-input-size", "1KiB", "findings", "--report", "-"]),
        &vec![b' '; 4096],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("larger than the input size cap"),
        "{}",
        r.stderr
    );
    // and from the environment
    let r = riskgate()
        .env("RISKGATE_MAX_INPUT_SIZE", "2KiB")
        .args(["findings", "--report"])
        .arg(&big)
        .run();
    assert!(r.stderr.contains("cap of 2 KiB"), "{}", r.stderr);
    let r = riskgate()
        .args(["--max-input-size", "lots", "findings", "--report"])
        .arg(&big)
        .run();
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not a size"), "{}", r.stderr);
}

#[test]
fn an_epss_gzip_bomb_is_not_inflated_whole() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(b"cve,epss,percentile\n").unwrap();
    let line = b"CVE-2024-00001,0.5,0.5\n";
    for _ in 0..(4 << 20) / line.len() {
        gz.write_all(line).unwrap();
    }
    let bomb = tmp("epss.csv.gz", &gz.finish().unwrap());
    let r = riskgate()
        .args([
            "--max-input-size",
            "1MiB",
            "check",
            "--now",
            "2026-11-23T12:00:00Z",
            "--epss",
        ])
        .arg(&bomb)
        .arg("--report")
        .arg(fixture("trivy/alpine-310.json"))
        .run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("inflates to more than 1 MiB"),
        "{}",
        r.stderr
    );
}

#[test]
fn utf16_reports_are_named_not_called_malformed() {
    let json = r#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": []}"#;
    let mut le = vec![0xff, 0xfe];
    le.extend(json.encode_utf16().flat_map(u16::to_le_bytes));
    refused(
        &tmp("utf16le.json", &le),
        &["UTF-16LE", "iconv -f UTF-16LE -t UTF-8"],
    );
    // PowerShell without a BOM
    let be: Vec<u8> = json.encode_utf16().flat_map(u16::to_be_bytes).collect();
    refused(&tmp("utf16be.json", &be), &["UTF-16BE"]);
}

#[test]
fn cluster_resources_trivy_could_not_scan_fail_the_scan() {
    let report = br#"{"ClusterName":"prod","Resources":[
        {"Namespace":"default","Kind":"Deployment","Name":"api","Results":[]},
        {"Namespace":"default","Kind":"Deployment","Name":"web","Error":"unable to pull image"}]}"#;
    let k8s = tmp("k8s.json", report);
    let r = riskgate()
        .args(["check", "--now", "2026-11-23T12:00:00Z", "--report"])
        .arg(&*k8s)
        .run();
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            "Trivy could not scan 1 resource(s): default/Deployment/web: unable to pull image"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn checkov_sarif_is_infrastructure_as_code_of_unknown_severity() {
    // As checkov's own SARIF writer (checkov/common/output/sarif.py) writes a run without the
    // Prisma Cloud severities: level `error` for every failed check.
    let sarif = br#"{"$schema":"https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json",
      "version":"2.1.0","runs":[{"tool":{"driver":{"name":"Checkov","version":"3.2.0",
        "informationUri":"https://checkov.io","organization":"prisma_cloud","rules":[
          {"id":"CKV_AWS_20","name":"S3 Bucket has an ACL defined which allows public READ access.",
           "shortDescription":{"text":"S3 Bucket has an ACL defined which allows public READ access."},
           "defaultConfiguration":{"level":"error"}}]}},
      "results":[{"ruleId":"CKV_AWS_20","ruleIndex":0,"level":"error",
        "message":{"text":"S3 Bucket has an ACL defined which allows public READ access."},
        "locations":[{"physicalLocation":{"artifactLocation":{"uri":"main.tf"},
          "region":{"startLine":1,"endLine":10}}}]}]}]}"#;
    let path = tmp("checkov.sarif", sarif);
    let r = riskgate()
        .args(["findings", "--format", "json", "--report"])
        .arg(&path)
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["kind"], "misconfiguration");
    assert_eq!(f["severity"], "unknown");
    // and it provides the iac scan
    let src = riskgate::ingest::Source::read(&path).unwrap();
    let parsed = riskgate::ingest::parse_report(&src).unwrap();
    assert_eq!(parsed.meta.kinds, ["iac"]);
}

#[test]
fn trivy_before_0_20_is_read_and_unknown_arrays_are_not() {
    let r = riskgate()
        .args(["findings", "--format", "json", "--report"])
        .arg(fixture("corpus/defectdojo/trivy/legacy_many_vulns.json"))
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    refused(&tmp("empty-array.json", b"[]"), &["empty JSON array"]);
    refused(&tmp("null.json", b"null"), &["JSON value `null`"]);
    refused(
        &tmp("numbers.json", b"[1, 2, 3]"),
        &["unrecognised input format"],
    );
}

#[test]
fn a_vex_document_given_as_a_report_is_refused() {
    let r = riskgate()
        .args(["check", "--now", "2026-11-23T12:00:00Z", "--report"])
        .arg(fixture("trivy/alpine-310.json"))
        .arg("--report")
        .arg(fixture("openvex/vex-v0.2.0.json"))
        .run();
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("openvex VEX document, not a scan report"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--vex"), "{}", r.stderr);
}

#[test]
fn only_accepted_sarif_suppressions_suppress() {
    let log = |status: &str| {
        format!(
            r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"CodeQL"}}}},"results":[
              {{"ruleId":"py/sql-injection","level":"error","message":{{"text":"m"}},
                "properties":{{"security-severity":"9.8"}},
                "suppressions":[{{"kind":"inSource"{status}}}]}}]}}]}}"#
        )
    };
    for (status, suppressed) in [
        ("", true),
        (r#","status":"accepted""#, true),
        (r#","status":"rejected""#, false),
        (r#","status":"underReview""#, false),
        (r#","status":"Rejected""#, false), // misspelt: not an accepted suppression
    ] {
        let p = tmp("suppressed.sarif", log(status).as_bytes());
        let parsed =
            riskgate::ingest::parse_report(&riskgate::ingest::Source::read(&p).unwrap()).unwrap();
        assert_eq!(
            parsed.findings.len(),
            1,
            "{status}: a suppressed result is kept"
        );
        assert_eq!(
            parsed.findings[0].scanner_suppression.is_some(),
            suppressed,
            "{status}"
        );
        assert_eq!(parsed.meta.suppressed, usize::from(suppressed), "{status}");
    }
}
