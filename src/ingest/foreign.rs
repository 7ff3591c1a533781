//! Files riskgate does not read, recognised so the error can name the tool and the output
//! option it does read. Nothing here ever turns a file into findings: every match is a refusal.

use super::detect::Probe;

/// A tool's output riskgate does not read, and what to run instead.
pub struct Foreign {
    pub what: &'static str,
    pub instead: &'static str,
}

/// checkov's JSON, an object or an array of them (one per framework).
const CHECKOV: Foreign = Foreign {
    what: "checkov's JSON output",
    instead: "run `checkov -o sarif` (it writes results_sarif.sarif)",
};

/// For govulncheck's JSON, in any of its three shapes.
const GOVULNCHECK_SARIF: &str = "run `govulncheck -format sarif ./... > govulncheck.sarif`";

const fn foreign(what: &'static str, instead: &'static str) -> Option<Foreign> {
    Some(Foreign { what, instead })
}

/// Names the tool behind `bytes` (a UTF-8 document that is not one of the formats riskgate
/// reads), when it is recognisable.
pub fn identify(bytes: &[u8]) -> Option<Foreign> {
    let text = trim_start(bytes);
    if text.first() == Some(&b'<') {
        return xml(text);
    }
    if let Some(probe) = Probe::scan(text) {
        if let Some(f) = object(&probe) {
            return Some(f);
        }
        // Several JSON documents, one per line: a stream, not a report.
        if json_lines(text) {
            return stream(&probe);
        }
        return None;
    }
    if let Some(first) = Probe::scan_array(text) {
        return first.as_ref().and_then(array_element);
    }
    table(text)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    b.get(start..).unwrap_or_default()
}

fn has_all(p: &Probe, keys: &[&str]) -> bool {
    keys.iter().all(|k| p.has(k))
}

fn object(p: &Probe) -> Option<Foreign> {
    if has_all(p, &["generated_at", "metrics", "results"]) {
        return foreign(
            "bandit's JSON output",
            "run bandit with SARIF output: `pip install 'bandit[sarif]'` then `bandit -r . -f sarif -o bandit.sarif`",
        );
    }
    if has_all(p, &["results", "errors"])
        && (p.has("paths") || p.has("version") || p.has("skipped_rules") || p.keys().count() == 2)
    {
        return foreign(
            "semgrep's JSON output",
            "run `semgrep scan --sarif --output semgrep.sarif`",
        );
    }
    if p.has("check_type") && p.has("results") || p.has("checkov_version") {
        return Some(CHECKOV);
    }
    if p.has("kics_version") || has_all(p, &["queries", "total_counter"]) {
        return foreign(
            "KICS's JSON output",
            "run `kics scan --report-formats sarif --output-path .`",
        );
    }
    if has_all(p, &["Vulns", "Modules"]) || p.has("config") && p.keys().count() == 1 {
        return foreign("govulncheck's JSON output", GOVULNCHECK_SARIF);
    }
    if p.has("advisories") && (p.has("actions") || p.has("muted")) {
        return foreign(
            "an npm audit report of format version 1 (npm 6)",
            "riskgate reads `npm audit --json` of npm 7 and later (auditReportVersion 2); upgrade npm or run `npx npm@10 audit --json`",
        );
    }
    if p.value("apiVersion")
        .is_some_and(|v| v.contains("aquasecurity.github.io"))
        || p.keys().any(|k| k.ends_with(".aquasecurity.github.io"))
    {
        return foreign(
            "a Trivy Operator custom resource",
            "scan the cluster with `trivy k8s --format json --report all` (or each image with `trivy image --format json`)",
        );
    }
    if p.has("dependencies") && (p.has("reportSchema") || p.has("scanInfo")) {
        return foreign(
            "OWASP Dependency-Check's JSON output",
            "run dependency-check with `--format SARIF`",
        );
    }
    if p.has("vulnerabilities") && p.has("packageManager") && p.has("ok") {
        return foreign(
            "Snyk's JSON output",
            "run `snyk test --sarif-file-output=snyk.sarif`",
        );
    }
    if p.value("@programName").is_some_and(|v| v.contains("ZAP")) {
        return foreign(
            "OWASP ZAP's JSON report",
            "generate ZAP's SARIF report (template `sarif-json`), or use GitLab's DAST report",
        );
    }
    if p.has("spdxVersion") || p.has("SPDXID") {
        return foreign(
            "an SPDX SBOM (a list of packages, not findings)",
            "scan the SBOM and give riskgate the scan: `trivy sbom --format json sbom.spdx.json` or `grype sbom:sbom.spdx.json -o json`",
        );
    }
    if p.has("Findings") && p.keys().count() == 1 {
        return foreign(
            "an AWS Security Finding Format (ASFF) export",
            "give riskgate the scanner's own JSON or SARIF output (for Trivy, `--format json`)",
        );
    }
    if has_all(p, &["detector", "manifests"]) || has_all(p, &["detector", "version", "job"]) {
        return foreign(
            "a GitHub dependency snapshot (packages, not findings)",
            "give riskgate the scan itself (for Trivy, `--format json`)",
        );
    }
    if p.keys()
        .all(|k| k == "vulnerabilities" || k == "misconfigurations")
    {
        return foreign(
            "a list of finding ids without their packages or locations (`trivy k8s --report summary` style)",
            "run `trivy k8s --format json --report all`",
        );
    }
    if p.has("error") && p.keys().count() == 1 {
        return foreign(
            "an error object, not a report (`npm audit` writes one when the audit could not run)",
            "the scan did not run: fix what the error says and re-run the scanner",
        );
    }
    if has_all(p, &["SourceMetadata", "DetectorName"]) || p.has("stringsFound") {
        return foreign(
            "trufflehog's JSON output",
            "riskgate does not read trufflehog; use a secret scanner with SARIF output, e.g. `gitleaks detect --report-format sarif`",
        );
    }
    None
}

fn array_element(p: &Probe) -> Option<Foreign> {
    if p.has("check_name") && p.has("fingerprint") && p.has("location") {
        return foreign(
            "a GitLab Code Quality report (a rendering for the merge request widget)",
            "give riskgate the scanner's own JSON or SARIF output",
        );
    }
    if p.has("RuleID") && (p.has("Secret") || p.has("Match") || p.has("StartLine"))
        || p.has("offender") && p.has("rule")
    {
        return foreign(
            "gitleaks's JSON output",
            "run `gitleaks detect --report-format sarif --report-path gitleaks.sarif`",
        );
    }
    if p.has("stringsFound") || p.has("rule") && p.has("secret") && p.has("path") {
        return foreign(
            "trufflehog3's JSON output",
            "riskgate does not read trufflehog3; use a secret scanner with SARIF output, e.g. `gitleaks detect --report-format sarif`",
        );
    }
    if p.has("check_type") && p.has("results") {
        return Some(CHECKOV);
    }
    if p.has("apiVersion") && (p.has("report") || p.has("kind")) {
        return foreign(
            "a list of Trivy Operator custom resources",
            "scan the cluster with `trivy k8s --format json --report all`",
        );
    }
    if p.has("config") || p.has("osv") || p.has("finding") {
        return foreign("govulncheck's JSON output", GOVULNCHECK_SARIF);
    }
    None
}

/// The first line of a stream of JSON documents, one per line (trufflehog v3, govulncheck).
fn stream(first: &Probe) -> Option<Foreign> {
    if let Some(f) = object(first) {
        return Some(f);
    }
    if first.has("config") || first.has("progress") || first.has("osv") || first.has("finding") {
        return foreign("govulncheck's JSON stream", GOVULNCHECK_SARIF);
    }
    foreign(
        "a stream of JSON documents, one per line (JSON Lines)",
        "riskgate reads one JSON document per report file; check the scanner's output format option",
    )
}

/// Whether the text holds more than one JSON document on separate lines.
fn json_lines(text: &[u8]) -> bool {
    let mut docs = serde_json::Deserializer::from_slice(text).into_iter::<serde::de::IgnoredAny>();
    matches!((docs.next(), docs.next()), (Some(Ok(_)), Some(Ok(_))))
}

fn xml(text: &[u8]) -> Option<Foreign> {
    let head = String::from_utf8_lossy(text.get(..4096).unwrap_or(text)).to_ascii_lowercase();
    if head.contains("cyclonedx.org/schema/bom") {
        return foreign(
            "a CycloneDX BOM in XML",
            "riskgate reads CycloneDX JSON: convert it with `cyclonedx convert --input-file bom.xml --output-format json --output-file bom.json` or ask the tool for JSON",
        );
    }
    if head.contains("<!doctype html") || head.contains("<html") {
        return foreign(
            "an HTML report",
            "ask the scanner for JSON or SARIF output (for Trivy, `--format json`)",
        );
    }
    if head.contains("<testsuites") || head.contains("<testsuite") {
        return foreign(
            "a JUnit XML report",
            "give riskgate the scanner's JSON or SARIF output, not its JUnit rendering",
        );
    }
    foreign(
        "an XML document",
        "riskgate reads JSON reports; ask the scanner for JSON or SARIF output",
    )
}

/// Human-readable tables some scanners print by default.
fn table(text: &[u8]) -> Option<Foreign> {
    let head = String::from_utf8_lossy(text.get(..8192).unwrap_or(text));
    if head.contains("Total: ") && (head.contains("│") || head.contains("====")) {
        return foreign(
            "Trivy's table output",
            "run Trivy with `--format json --output trivy.json`",
        );
    }
    if head.starts_with("NAME") && head.contains("INSTALLED") && head.contains("VULNERABILITY") {
        return foreign(
            "Grype's table output",
            "run Grype with `-o json --file grype.json`",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::identify;

    fn what(s: &str) -> Option<&'static str> {
        identify(s.as_bytes()).map(|f| f.what)
    }

    #[test]
    fn names_the_tools_it_does_not_read() {
        assert_eq!(
            what(r#"{"errors":[],"generated_at":"x","metrics":{},"results":[]}"#),
            Some("bandit's JSON output")
        );
        assert_eq!(
            what(r#"{"errors":[],"results":[]}"#),
            Some("semgrep's JSON output")
        );
        assert_eq!(
            what(r#"[{"RuleID":"aws","Secret":"x","File":"a"}]"#),
            Some("gitleaks's JSON output")
        );
        assert_eq!(
            what(
                r#"{"a":1}
{"b":2}"#
            ),
            Some("a stream of JSON documents, one per line (JSON Lines)")
        );
        assert_eq!(
            what("<?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\">"),
            Some("a CycloneDX BOM in XML")
        );
        assert_eq!(
            what("alpine:3.10 (alpine 3.10.9)\n=====\nTotal: 3 (HIGH: 1)\n"),
            Some("Trivy's table output")
        );
        assert_eq!(what(r#"{"unrelated": true}"#), None);
    }
}
