//! SARIF 2.1.0 from any tool: rule by `ruleId` or rule index, severity from
//! `properties.security-severity` (taking precedence) else the result's or rule's level,
//! locations through the run's artifacts table, results with accepted suppressions skipped,
//! several runs per file.
//!
//! What a result is (vulnerability, misconfiguration, secret, weakness) and what scan the run
//! provides come from, in order: the rule's and result's tags, a CVE/GHSA id, and the table of
//! known producers ([`PRODUCERS`]); a producer that writes one level for every result
//! (checkov's `error`) gets its severity from `security-severity` or stays `unknown`.

use super::{
    grype::first_line, nonempty, null_is_empty, ts, InputError, Parsed, Probe, ReportFormat, Source,
};
use crate::model::finding::push_finding;
use crate::model::finding::{
    is_cve, Finding, Kind, Package, PackageClass, ScanKind, ScannerSuppression, Severity,
};
use serde::Deserialize;
use serde_json::Value;

pub struct Sarif;

#[derive(Deserialize)]
struct Log {
    version: Option<String>,
    /// SARIF §3.13.4: null when the tool could not run at all, empty when no run was made.
    #[serde(default)]
    runs: Option<Vec<Run>>,
}

#[derive(Deserialize)]
struct Run {
    tool: Tool,
    #[serde(default)]
    results: Option<Vec<SResult>>,
    #[serde(default, deserialize_with = "null_is_empty")]
    artifacts: Vec<Artifact>,
    #[serde(default, deserialize_with = "null_is_empty")]
    invocations: Vec<Invocation>,
    properties: Option<Value>,
}

#[derive(Deserialize)]
struct Tool {
    driver: Driver,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: String,
    information_uri: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    rules: Vec<Rule>,
}

/// A SARIF producer riskgate knows: what its results are and what scan a run of it provides.
struct Producer {
    /// Matched against the lower-cased driver name and informationUri.
    names: &'static [&'static str],
    kind: Kind,
    report: ScanKind,
    /// It writes one level for every result (checkov: `error`), so the level says nothing of
    /// severity.
    uniform_level: bool,
}

const fn producer(
    names: &'static [&'static str],
    kind: Kind,
    report: ScanKind,
    uniform_level: bool,
) -> Producer {
    Producer {
        names,
        kind,
        report,
        uniform_level,
    }
}

/// Known SARIF producers, by driver name or informationUri.
const PRODUCERS: &[Producer] = &[
    producer(
        &["checkov", "prisma cloud", "prismacloud"],
        Kind::Misconfiguration,
        ScanKind::Iac,
        true,
    ),
    producer(
        &[
            "tfsec",
            "kics",
            "terrascan",
            "kube-linter",
            "kubesec",
            "hadolint",
            "dockle",
            "trivy config",
            "defsec",
            "cfn-lint",
            "cfn_nag",
            "tflint",
            "snyk iac",
        ],
        Kind::Misconfiguration,
        ScanKind::Iac,
        false,
    ),
    producer(
        &[
            "gitleaks",
            "trufflehog",
            "detect-secrets",
            "ggshield",
            "gitguardian",
            "secretlint",
            "nosey parker",
            "noseyparker",
            "talisman",
        ],
        Kind::Secret,
        ScanKind::SecretDetection,
        false,
    ),
    producer(
        &[
            "grype",
            "trivy",
            "osv-scanner",
            "govulncheck",
            "dependency-check",
            "snyk open source",
            "npm audit",
            "cargo-audit",
            "pip-audit",
            "clair",
            "anchore",
        ],
        Kind::Vulnerability,
        ScanKind::DependencyScanning,
        false,
    ),
    producer(
        &[
            "codeql",
            "semgrep",
            "bandit",
            "fortify",
            "brakeman",
            "gosec",
            "spotbugs",
            "flawfinder",
            "njsscan",
            "nodejsscan",
            "mobsfscan",
            "eslint",
            "sonarqube",
            "snyk code",
            "pmd",
            "cppcheck",
            "bearer",
            "horusec",
            "devskim",
            "psalm",
            "phpstan",
            "checkmarx",
            "veracode",
            "coverity",
            "shellcheck",
            "infer",
            "clippy",
        ],
        Kind::Weakness,
        ScanKind::Sast,
        false,
    ),
];

fn known_producer(driver: &Driver) -> Option<&'static Producer> {
    let name = driver.name.to_ascii_lowercase();
    let uri = driver
        .information_uri
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    // Trivy's SARIF carries vulnerabilities and misconfigurations in one run, told apart by
    // their tags; its name alone says "vulnerability" (the tags are read first).
    PRODUCERS.iter().find(|p| {
        p.names.iter().any(|n| {
            name == *n || name.starts_with(&format!("{n} ")) || uri.contains(&n.replace(' ', ""))
        })
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: Option<String>,
    name: Option<String>,
    short_description: Option<Text>,
    default_configuration: Option<Config>,
    properties: Option<Value>,
}

#[derive(Deserialize)]
struct Text {
    text: Option<String>,
}

#[derive(Deserialize)]
struct Config {
    level: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: Option<bool>,
    end_time_utc: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

/// A notification about the tool's run; `level: error` means it did not run as it should.
#[derive(Deserialize)]
struct Notification {
    level: Option<String>,
    message: Option<Text>,
}

#[derive(Deserialize)]
struct Artifact {
    location: Option<ArtifactLocation>,
}

#[derive(Deserialize)]
struct ArtifactLocation {
    uri: Option<String>,
    index: Option<usize>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SResult {
    rule_id: Option<String>,
    rule_index: Option<usize>,
    rule: Option<RuleRef>,
    level: Option<String>,
    kind: Option<String>,
    message: Option<Text>,
    #[serde(default, deserialize_with = "null_is_empty")]
    locations: Vec<SLocation>,
    suppressions: Option<Vec<Suppression>>,
    properties: Option<Value>,
}

#[derive(Deserialize)]
struct RuleRef {
    id: Option<String>,
    index: Option<usize>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SLocation {
    physical_location: Option<Physical>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Option<ArtifactLocation>,
    region: Option<Region>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: Option<u32>,
}

#[derive(Deserialize)]
struct Suppression {
    kind: Option<String>,
    status: Option<String>,
    justification: Option<String>,
}

fn security_severity(props: Option<&Value>) -> Option<f64> {
    match props?.get("security-severity")? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn tags(props: Option<&Value>) -> Vec<String> {
    props
        .and_then(|p| p.get("tags"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_ascii_lowercase))
                .collect()
        })
        .unwrap_or_default()
}

fn level_severity(level: &str) -> Severity {
    match level {
        "error" => Severity::High,
        "warning" => Severity::Medium,
        "note" => Severity::Low,
        "none" => Severity::None,
        _ => Severity::Unknown,
    }
}

fn uri_path(uri: &str) -> String {
    uri.strip_prefix("file://").unwrap_or(uri).to_string()
}

/// Package and version from the messages Trivy and Grype write into SARIF results.
fn package_from_message(msg: &str) -> Option<(String, String, Option<String>)> {
    if let Some(rest) = msg.strip_prefix("Package: ") {
        let mut lines = rest.lines();
        let name = lines.next()?.trim().to_string();
        let version = lines
            .next()?
            .strip_prefix("Installed Version: ")?
            .trim()
            .to_string();
        return Some((name, version, None));
    }
    // Grype: "A low vulnerability in rpm package: package-1, version 1.1.1 was found in ..."
    let (_, rest) = msg.split_once(" vulnerability in ")?;
    let (ptype, rest) = rest.split_once(" package: ")?;
    let (name, rest) = rest.split_once(", version ")?;
    let version = rest.split_whitespace().next()?;
    Some((
        name.to_string(),
        version.to_string(),
        Some(ptype.to_string()),
    ))
}

impl ReportFormat for Sarif {
    const NAME: &'static str = "sarif";
    const TITLE: &'static str = "SARIF 2.1.0";

    fn detect(p: &Probe) -> bool {
        p.has("runs")
            && (p.has("version") || p.value("$schema").is_some_and(|s| s.contains("sarif")))
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        let log: Log = src.parse_json("SARIF")?;
        if log.version.as_deref() != Some("2.1.0") {
            return Err(InputError::Invalid {
                path: src.path.clone(),
                message: format!(
                    "SARIF version {:?} is not supported",
                    log.version.unwrap_or_default()
                ),
                help: Some("riskgate reads SARIF 2.1.0".into()),
            });
        }
        let mut out = Parsed::new(src, Self::NAME);
        let mut suppressed = 0usize;
        let mut unnamed = 0usize;
        let Some(runs) = log.runs else {
            out.meta.failed = true;
            out.meta.failure =
                Some("the log's `runs` is null or absent: the tool could not run".into());
            return Ok(out);
        };
        for run in runs {
            let tool = run.tool.driver.name.to_ascii_lowercase();
            let producer = known_producer(&run.tool.driver);
            let rules = &run.tool.driver.rules;
            // SARIF 2.1.0 §3.14.23: an absent or null `results` means the run produced no
            // results (it did not complete), not that it found nothing.
            if run.results.is_none() {
                out.meta.failed = true;
                out.meta.failure = Some(format!(
                    "run of {} has no `results` (null or absent: the tool did not produce results)",
                    run.tool.driver.name
                ));
            }
            for inv in &run.invocations {
                if inv.execution_successful == Some(false) {
                    out.meta.failed = true;
                }
                if let Some(n) = inv
                    .tool_execution_notifications
                    .iter()
                    .find(|n| n.level.as_deref() == Some("error"))
                {
                    out.meta.failed = true;
                    out.meta.failure = Some(format!(
                        "{} reported an error during the run: {}",
                        run.tool.driver.name,
                        n.message
                            .as_ref()
                            .and_then(|m| m.text.as_deref())
                            .unwrap_or("(no message)")
                    ));
                }
                if let Some(t) = ts(inv.end_time_utc.as_deref()) {
                    out.meta.created = out.meta.created.max(Some(t));
                }
            }
            let image_run = run
                .properties
                .as_ref()
                .is_some_and(|p| p.get("imageName").is_some() || p.get("imageID").is_some());
            if image_run {
                out.meta.target = run
                    .properties
                    .as_ref()
                    .and_then(|p| p.get("imageName"))
                    .and_then(Value::as_str)
                    .map(String::from);
            }
            let mut run_kinds = Vec::new();
            for r in run.results.into_iter().flatten() {
                if matches!(
                    r.kind.as_deref(),
                    Some("pass" | "notApplicable" | "informational")
                ) {
                    continue;
                }
                // An empty array means "considered, not suppressed". Only an accepted
                // suppression (SARIF §3.35.3: `accepted`, or no status) is one: `rejected`,
                // `underReview` and anything misspelt are not. It is kept on the finding for
                // the guardrails to weigh (`scanner_suppressions`), never dropped here.
                let suppression = r
                    .suppressions
                    .iter()
                    .flatten()
                    .find(|s| matches!(s.status.as_deref(), None | Some("accepted")));
                if suppression.is_some() {
                    suppressed += 1;
                }
                let idx = r.rule_index.or(r.rule.as_ref().and_then(|x| x.index));
                let rule = idx.and_then(|i| rules.get(i)).or_else(|| {
                    let id = r
                        .rule_id
                        .as_deref()
                        .or(r.rule.as_ref().and_then(|x| x.id.as_deref()))?;
                    rules.iter().find(|x| x.id.as_deref() == Some(id))
                });
                let mut id = match r
                    .rule_id
                    .clone()
                    .or_else(|| r.rule.as_ref().and_then(|x| x.id.clone()))
                    .or_else(|| rule.and_then(|x| x.id.clone()))
                {
                    Some(id) if !id.trim().is_empty() => id,
                    // SARIF lets a result name no rule (gitleaks 7 writes none): a stable id
                    // from the tool and the message, so the same result meets itself again.
                    _ => {
                        unnamed += 1;
                        let text = r
                            .message
                            .as_ref()
                            .and_then(|m| m.text.as_deref())
                            .unwrap_or("");
                        let digest = <sha2::Sha256 as sha2::Digest>::digest(
                            format!("{tool}\0{text}").as_bytes(),
                        );
                        format!(
                            "{tool}-{}",
                            hex::encode(digest.get(..6).unwrap_or_default())
                        )
                    }
                };
                let rule_props = rule.and_then(|x| x.properties.as_ref());
                let all_tags: Vec<String> = tags(rule_props)
                    .into_iter()
                    .chain(tags(r.properties.as_ref()))
                    .collect();
                let message = r
                    .message
                    .as_ref()
                    .and_then(|m| m.text.clone())
                    .unwrap_or_default();
                let pkg = package_from_message(&message);
                let has = |t: &str| all_tags.iter().any(|x| x == t);
                let kind = if is_cve(&id)
                    || id.starts_with("GHSA-")
                    || has("vulnerability")
                    || pkg.is_some()
                {
                    Kind::Vulnerability
                } else if has("secret") || has("secrets") {
                    Kind::Secret
                } else if has("misconfiguration") || has("iac") || has("infrastructure") {
                    Kind::Misconfiguration
                } else if let Some(p) = producer {
                    p.kind
                } else {
                    Kind::Weakness
                };
                let mut f = Finding::new(id.clone(), kind, tool.clone());
                f.scanner_suppression = suppression.map(|s| {
                    Box::new(ScannerSuppression {
                        tool: tool.clone(),
                        kind: s.kind.clone().unwrap_or_else(|| "external".into()),
                        justification: nonempty(s.justification.as_deref()),
                    })
                });
                f.severity = match security_severity(r.properties.as_ref())
                    .or_else(|| security_severity(rule_props))
                {
                    Some(score) => {
                        f.cvss = Some(score);
                        Severity::from_score(score)
                    }
                    // One level for every result: it says nothing of severity.
                    None if producer.is_some_and(|p| p.uniform_level) => Severity::Unknown,
                    None => {
                        let level = r
                            .level
                            .clone()
                            .or_else(|| {
                                rule.and_then(|x| x.default_configuration.as_ref()?.level.clone())
                            })
                            .unwrap_or_else(|| "warning".into()); // SARIF §3.27.10: the default level
                        level_severity(&level)
                    }
                };
                let phys = r
                    .locations
                    .first()
                    .and_then(|l| l.physical_location.as_ref());
                let art = phys.and_then(|p| p.artifact_location.as_ref());
                f.location.path = art.and_then(|a| {
                    a.uri
                        .as_deref()
                        .map(uri_path)
                        .or_else(|| {
                            let i = a.index?;
                            run.artifacts
                                .get(i)?
                                .location
                                .as_ref()?
                                .uri
                                .as_deref()
                                .map(uri_path)
                        })
                        .map(Into::into)
                });
                f.location.line = phys
                    .and_then(|p| p.region.as_ref()?.start_line)
                    .filter(|l| *l > 0);
                if let Some((name, version, ptype)) = pkg {
                    if let Some(stripped) = id.strip_suffix(&format!("-{name}")) {
                        id = stripped.to_string();
                        f.id = id.clone().into();
                    }
                    let class = match (ptype.as_deref(), rule.and_then(|x| x.name.as_deref())) {
                        (Some(t), _) => Some(PackageClass::from_type(t)),
                        (_, Some("OsPackageVulnerability")) => Some(PackageClass::Os),
                        (_, Some("LanguageSpecificPackageVulnerability")) => {
                            Some(PackageClass::Library)
                        }
                        _ => None,
                    };
                    f.package = Some(Package {
                        name: name.into(),
                        version: Some(version.into()),
                        class,
                        ..Package::default()
                    });
                    // scanners put a placeholder region on package findings
                    f.location.line = None;
                    if class == Some(PackageClass::Os) {
                        f.location.path = None;
                    }
                }
                // The rule's short description, unless it only restates the rule's id
                // (semgrep writes `Semgrep Finding: <rule id>`): then the result's message.
                f.title = rule
                    .and_then(|x| {
                        nonempty(x.short_description.as_ref().and_then(|d| d.text.as_deref()))
                    })
                    .filter(|t| !restates(t, &f.id))
                    .or_else(|| nonempty(Some(first_line(&message))))
                    .map(|t| first_line(&t).into());
                f.target = out.meta.target.clone().map(Into::into);
                run_kinds.push(f.kind);
                push_finding(&mut out.findings, f);
            }
            let vulns = run_kinds
                .iter()
                .filter(|k| **k == Kind::Vulnerability)
                .count();
            if image_run {
                out.meta.kinds.push(ScanKind::ContainerScanning);
            } else if let Some(p) = producer {
                // Trivy writes vulnerabilities and misconfigurations under one name.
                let config_only =
                    !run_kinds.is_empty() && run_kinds.iter().all(|k| *k == Kind::Misconfiguration);
                out.meta
                    .kinds
                    .push(if p.kind == Kind::Vulnerability && config_only {
                        ScanKind::Iac
                    } else {
                        p.report
                    });
            } else if vulns > 0 && vulns == run_kinds.len() {
                out.meta.kinds.push(ScanKind::DependencyScanning);
            } else {
                out.meta.kinds.push(ScanKind::Sast);
            }
            if run_kinds.contains(&Kind::Secret) {
                out.meta.kinds.push(ScanKind::SecretDetection);
            }
        }
        out.meta.suppressed = suppressed;
        if unnamed > 0 {
            out.meta.notes.push(format!(
                "{unnamed} SARIF result(s) name no rule (no ruleId, rule or rule index): their ids are derived from the tool and the message text"
            ));
        }
        out.meta.kinds.sort();
        out.meta.kinds.dedup();
        Ok(out)
    }
}

/// Whether a rule's description says no more than its id (`Semgrep Finding: python.x.y`).
fn restates(text: &str, id: &str) -> bool {
    let t = text.trim();
    !id.is_empty()
        && t.len() >= id.len()
        && t.to_ascii_lowercase().contains(&id.to_ascii_lowercase())
        && t.len() - id.len() <= 24
}
