//! The real-report corpus (`tests/fixtures/corpus`, sources in SOURCES.md): DefectDojo's parser
//! test files and OSV-Scanner's own test data, every format riskgate reads and many it refuses.
//!
//! Two kinds of assertion: expectations that come from somewhere else (the counts DefectDojo's
//! parser tests assert, what each tool's refusal must name), and one snapshot of what riskgate
//! reads from every file (format, scan kinds, count, and the first findings' ids, kinds,
//! packages, locations and resources), so any change to how a real file is read shows in review.

use riskgate::ingest::{parse_report, InputError, Parsed, Source};
use riskgate::model::finding::{dedup, Finding};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    crate::common::fixture("corpus")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.file_name().is_some_and(|n| n != "SOURCES.md") {
            out.push(p);
        }
    }
}

fn read(rel: &str) -> Result<(Parsed, Vec<Finding>), InputError> {
    let src = Source::read(&corpus().join(rel))?;
    let mut parsed = parse_report(&src)?;
    let findings = dedup(std::mem::take(&mut parsed.findings));
    Ok((parsed, findings))
}

fn count(rel: &str) -> usize {
    match read(rel) {
        Ok((_, f)) => f.len(),
        Err(e) => panic!("{rel}: {e}"),
    }
}

fn refusal(rel: &str) -> String {
    match read(rel) {
        Ok((p, f)) => panic!("{rel} was read as {} with {} findings", p.format, f.len()),
        Err(e) => {
            use miette::Diagnostic;
            let help = e.help().map(|h| h.to_string()).unwrap_or_default();
            format!("{e} {help}")
        }
    }
}

/// Counts DefectDojo's own parser tests assert for these files, where riskgate's identity of a
/// finding is the same as DefectDojo's (riskgate groups OSV aliases and merges duplicates DefectDojo
/// keeps, so those files are asserted separately below).
#[test]
fn counts_agree_with_defectdojos_parser_tests() {
    let expected = [
        ("defectdojo/trivy/legacy_many_vulns.json", 93),
        ("defectdojo/trivy/scheme_2_many_vulns.json", 5),
        ("defectdojo/trivy/misconfigurations_and_secrets.json", 5),
        ("defectdojo/trivy/kubernetes.json", 20),
        ("defectdojo/trivy/license_scheme.json", 19),
        ("defectdojo/trivy/issue_9170.json", 37),
        ("defectdojo/trivy/issue_10991.json", 37),
        ("defectdojo/trivy/all_statuses.json", 8),
        ("defectdojo/trivy/cvssv4_severity_source.json", 3),
        ("defectdojo/gitlab_dast/gitlab_dast_many_vul_v14.json", 10),
        ("defectdojo/gitlab_dast/gitlab_dast_many_vul_v15.json", 10),
        ("defectdojo/gitlab_sast/gl-sast-report-confidence_v15.json", 8),
        ("defectdojo/gitlab_sast/gl-sast-report-cwe_v14.json", 3),
        ("defectdojo/gitlab_container_scan/issue6639_v15.json", 98),
        ("defectdojo/gitlab_container_scan/gl-container-scanning-report-5-vuln_v15.json", 5),
        ("defectdojo/gitlab_dep_scan/gl-dependency-scanning-report-2-vuln-missing-component_v15.json", 2),
        ("defectdojo/gitlab_secret_detection_report/gitlab_secret_detection_report_3_vuln_v15.json", 3),
        ("defectdojo/anchore_grype/many_vulns4.json", 9),
        ("defectdojo/anchore_grype/check_all_fields.json", 5),
        ("defectdojo/anchore_grype/issue_9618.json", 35),
        ("defectdojo/osv_scanner/some_findings.json", 1),
    ];
    for (rel, n) in expected {
        assert_eq!(count(rel), n, "{rel}");
    }
}

#[test]
fn files_where_riskgate_and_defectdojo_count_differently_for_a_reason() {
    // OSV-Scanner groups ids that are aliases of one flaw: 66 advisories, 37 flaws.
    assert_eq!(count("defectdojo/osv_scanner/many_findings.json"), 37);
    // 467 SAST entries; DefectDojo folds them to 219 by its own hash. riskgate keeps one per
    // rule, file and line: none of the 467 is lost to the empty `dependency` they carry.
    let (_, f) = read("defectdojo/gitlab_sast/gl-sast-report-many-vuln_v15.json").unwrap();
    assert_eq!(f.len(), 467);
    assert!(f
        .iter()
        .all(|f| f.location.path.is_some() && f.location.line.is_some()));
}

#[test]
fn kubernetes_findings_sit_in_their_resource() {
    let (p, f) = read("defectdojo/trivy/kubernetes.json").unwrap();
    assert_eq!(p.format, "trivy");
    let resources: std::collections::BTreeSet<&str> = f
        .iter()
        .filter_map(|f| f.location.resource.as_deref())
        .collect();
    assert!(resources.len() > 1, "{resources:?}");
    assert!(f
        .iter()
        .all(|f| f.location.resource.is_some()
            && f.target.as_deref() == f.location.resource.as_deref()));
    assert!(
        resources.iter().all(|r| r.split('/').count() == 3),
        "{resources:?}"
    );
}

#[test]
fn dast_findings_keep_their_endpoint() {
    let (p, f) = read("defectdojo/gitlab_dast/gitlab_dast_many_vul_v15.json").unwrap();
    assert!(p.meta.kinds.iter().any(|k| *k == "dast"));
    for x in &f {
        let r = x.location.resource.as_deref().unwrap();
        let (method, url) = r.split_once(' ').unwrap();
        assert!(
            ["GET", "POST", "DELETE"].contains(&method) && url.starts_with("http"),
            "{r}"
        );
    }
}

#[test]
fn trivy_status_is_kept() {
    use riskgate::model::finding::ScanStatus;
    let (_, f) = read("defectdojo/trivy/all_statuses.json").unwrap();
    let statuses: std::collections::BTreeSet<ScanStatus> =
        f.iter().filter_map(|f| f.status).collect();
    for s in [
        ScanStatus::Affected,
        ScanStatus::Fixed,
        ScanStatus::WillNotFix,
        ScanStatus::FixDeferred,
        ScanStatus::EndOfLife,
    ] {
        assert!(statuses.contains(&s), "{s:?} missing from {statuses:?}");
    }
}

#[test]
fn osv_scanner_nulls_are_empty_lists() {
    // OSV-Scanner's own test data: `"aliases": null` (a Go nil slice).
    assert!(
        std::fs::read_to_string(corpus().join("osv-scanner/results-some.json"))
            .unwrap()
            .contains("\"aliases\": null")
    );
    assert_eq!(count("osv-scanner/results-some.json"), 1);
    assert_eq!(count("osv-scanner/results-empty.json"), 0);
}

#[test]
fn sarif_without_rule_ids_and_known_producers() {
    let (p, f) = read("defectdojo/sarif/gitleaks_7.5.0.sarif").unwrap();
    assert_eq!(p.meta.kinds, ["secret_detection"]);
    assert!(f
        .iter()
        .all(|f| f.id.starts_with("gitleaks-") && f.kind.as_str() == "secret"));
    assert!(
        p.meta.notes.iter().any(|n| n.contains("name no rule")),
        "{:?}",
        p.meta.notes
    );
    let (p, _) = read("defectdojo/sarif/codeQL-output.sarif").unwrap();
    assert_eq!(p.meta.kinds, ["sast"]);
}

#[test]
fn tools_riskgate_does_not_read_are_named_with_what_to_run_instead() {
    let cases = [
        ("defectdojo/bandit/no_vuln.json", "bandit", "-f sarif"),
        ("defectdojo/semgrep/empty.json", "semgrep", "--sarif"),
        ("defectdojo/semgrep/one_finding.json", "semgrep", "--sarif"),
        (
            "defectdojo/checkov/checkov-report-0-vuln.json",
            "checkov",
            "-o sarif",
        ),
        (
            "defectdojo/checkov/checkov-report-multiple-check_type.json",
            "checkov",
            "-o sarif",
        ),
        ("defectdojo/kics/no_findings.json", "KICS", "sarif"),
        (
            "defectdojo/gitleaks/gitleaks8_many.json",
            "gitleaks",
            "--report-format sarif",
        ),
        (
            "defectdojo/gitleaks/data_one.json",
            "gitleaks",
            "--report-format sarif",
        ),
        ("defectdojo/trufflehog/v3_git.json", "trufflehog", "SARIF"),
        (
            "defectdojo/trufflehog3/many_vulns_current.json",
            "trufflehog3",
            "SARIF",
        ),
        (
            "defectdojo/govulncheck/no_vulns_new_version.json",
            "govulncheck",
            "-format sarif",
        ),
        ("defectdojo/npm_audit/one_vuln.json", "npm audit", "npm 7"),
        (
            "defectdojo/trivy_operator/vulnerabilityreport_single_vuln.json",
            "Trivy Operator",
            "trivy k8s",
        ),
        (
            "defectdojo/cyclonedx/jake.xml",
            "CycloneDX BOM in XML",
            "--output-format json",
        ),
        (
            "defectdojo/gitlab_dast/empty_with_error.json",
            "JSON Lines",
            "one JSON document",
        ),
    ];
    for (rel, tool, instead) in cases {
        let msg = refusal(rel);
        assert!(msg.contains(tool) && msg.contains(instead), "{rel}: {msg}");
    }
    // Cut or clean-but-unnamed files: refused, never a clean scan.
    for rel in [
        "defectdojo/trivy/legacy_no_vuln.json",             // `null`
        "defectdojo/gitleaks/no_findings.json",             // `null`
        "defectdojo/trufflehog3/zero_vulns.json",           // `[]`
        "defectdojo/gitlab_dast/gitlab_dast_zero_vul.json", // a cut without version
        "defectdojo/anchore_grype/anchore_grype_epss_problem.json", // a cut: only `matches`
        "defectdojo/gitlab_api_fuzzing/gitlab_api_fuzzing_invalid.json",
        "defectdojo/openvex/openvex_not_a_document.json",
        "defectdojo/osv_scanner/no_findings.json", // an empty file
    ] {
        refusal(rel);
    }
}

/// Trivy's own golden outputs (integration/testdata): every vulnerability, failed
/// misconfiguration, secret and license entry becomes exactly one finding, counted here from
/// the JSON independently of riskgate's reader.
#[test]
fn every_entry_of_trivys_golden_outputs_becomes_a_finding() {
    use serde_json::Value;
    fn entries(results: &Value) -> usize {
        let list = |r: &Value, k: &str| r.get(k).and_then(Value::as_array).map_or(0, Vec::len);
        results.as_array().map_or(0, |rs| {
            rs.iter()
                .map(|r| {
                    let failed = r
                        .get("Misconfigurations")
                        .and_then(Value::as_array)
                        .map_or(0, |m| m.iter().filter(|m| m["Status"] == "FAIL").count());
                    // Suppressed findings (`--show-suppressed`) are kept, with their suppression.
                    list(r, "Vulnerabilities")
                        + list(r, "Secrets")
                        + list(r, "Licenses")
                        + list(r, "ExperimentalModifiedFindings")
                        + failed
                })
                .sum()
        })
    }
    let mut all = Vec::new();
    files(&corpus().join("trivy"), &mut all);
    let mut checked = 0;
    for p in &all {
        let Ok(v) = serde_json::from_slice::<Value>(&std::fs::read(p).unwrap()) else {
            continue;
        };
        let expected = if v.get("SchemaVersion").is_some() {
            entries(&v["Results"])
        } else if let Some(rs) = v.get("Resources").and_then(Value::as_array) {
            rs.iter().map(|r| entries(&r["Results"])).sum()
        } else {
            continue;
        };
        let src = Source::read(p).unwrap();
        let parsed = parse_report(&src).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(parsed.findings.len(), expected, "{}", p.display());
        checked += 1;
    }
    assert!(checked > 80, "only {checked} Trivy goldens checked");
}

/// What riskgate reads from every corpus file, as one reviewed snapshot.
#[test]
fn every_corpus_file_reads_as_recorded() {
    let mut all = Vec::new();
    files(&corpus(), &mut all);
    all.sort();
    assert!(all.len() > 150, "the corpus has {} files", all.len());
    let base = corpus();
    let mut out = String::new();
    for p in &all {
        let rel = p.strip_prefix(&base).unwrap().display().to_string();
        match read(&rel) {
            Ok((parsed, findings)) => {
                let _ = writeln!(
                    out,
                    "{rel}: {} {} finding(s), kinds [{}]{}",
                    parsed.format,
                    findings.len(),
                    parsed
                        .meta
                        .kinds
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if parsed.meta.failed {
                        ", FAILED SCAN"
                    } else {
                        ""
                    }
                );
                for f in findings.iter().take(3) {
                    let pkg = f
                        .package
                        .as_ref()
                        .map(|p| format!(" {}@{}", p.name, p.version.as_deref().unwrap_or("?")))
                        .unwrap_or_default();
                    let at = match (&f.location.path, f.location.line) {
                        (Some(p), Some(l)) => format!(" at {p}:{l}"),
                        (Some(p), None) => format!(" at {p}"),
                        _ => String::new(),
                    };
                    let res = f
                        .location
                        .resource
                        .as_deref()
                        .map(|r| format!(" in {r}"))
                        .unwrap_or_default();
                    let sup = f
                        .scanner_suppression
                        .as_ref()
                        .map(|s| format!(" [suppressed by {}: {}]", s.tool, s.kind))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "    {} {} {}{pkg}{at}{res}{sup}",
                        f.id,
                        f.kind.as_str(),
                        f.severity.as_str()
                    );
                }
            }
            Err(e) => {
                use miette::Diagnostic;
                let code = e.code().map(|c| c.to_string()).unwrap_or_default();
                let first = e.to_string();
                let first = first
                    .strip_prefix(&p.display().to_string())
                    .unwrap_or(&first);
                let _ = writeln!(
                    out,
                    "{rel}: refused {code}{}",
                    first.lines().next().unwrap_or("")
                );
            }
        }
    }
    // Control characters that real files carry (a NUL in a Java package version) stay visible.
    let out: String = out
        .chars()
        .flat_map(|c| match c {
            '\n' => vec!['\n'],
            c if c.is_control() => c.escape_default().collect(),
            c => vec![c],
        })
        .collect();
    insta::assert_snapshot!("corpus", out);
}
