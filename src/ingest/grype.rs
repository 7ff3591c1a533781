//! Grype JSON (`grype -o json`): matches with artifact locations, fix state, and related
//! vulnerabilities as aliases (a GHSA match lists its CVE there).

use super::{nonempty, null_is_empty, ts, InputError, Parsed, Probe, ReportFormat, Source};
use crate::model::finding::push_finding;
use crate::model::finding::ScanKind;
use crate::model::finding::{
    Finding, Kind, Package, PackageClass, ScanStatus, ScannerSuppression, Severity,
};
use serde::Deserialize;

pub struct Grype;

#[derive(Deserialize)]
struct Report {
    matches: Option<Vec<Match>>,
    /// Matches an ignore rule of grype's config suppressed: kept, and weighed by the guardrails.
    #[serde(rename = "ignoredMatches", default, deserialize_with = "null_is_empty")]
    ignored_matches: Vec<Ignored>,
    source: Option<GSource>,
    descriptor: Option<Descriptor>,
}

#[derive(Deserialize)]
struct GSource {
    #[serde(rename = "type")]
    kind: Option<String>,
    target: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Descriptor {
    name: Option<String>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Ignored {
    #[serde(flatten)]
    m: Match,
    #[serde(default, deserialize_with = "null_is_empty")]
    applied_ignore_rules: Vec<IgnoreRule>,
}

#[derive(Deserialize)]
struct IgnoreRule {
    reason: Option<String>,
    #[serde(rename = "vex-status")]
    vex_status: Option<String>,
    #[serde(rename = "vex-justification")]
    vex_justification: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Match {
    vulnerability: Vuln,
    #[serde(default, deserialize_with = "null_is_empty")]
    related_vulnerabilities: Vec<Related>,
    artifact: Artifact,
}

#[derive(Deserialize)]
struct Vuln {
    id: String,
    severity: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    cvss: Vec<GCvss>,
    fix: Option<Fix>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct GCvss {
    metrics: Option<Metrics>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metrics {
    base_score: Option<f64>,
}

#[derive(Deserialize)]
struct Fix {
    #[serde(default, deserialize_with = "null_is_empty")]
    versions: Vec<String>,
    state: Option<String>,
}

#[derive(Deserialize)]
struct Related {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    name: String,
    version: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    locations: Vec<GLocation>,
    purl: Option<String>,
    language: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GLocation {
    path: Option<String>,
    #[serde(rename = "layerID")]
    layer_id: Option<String>,
}

impl ReportFormat for Grype {
    const NAME: &'static str = "grype";
    const TITLE: &'static str = "Grype JSON";
    const DECISIVE: bool = true;

    fn detect(p: &Probe) -> bool {
        p.has("matches") && (p.has("source") || p.has("descriptor") || p.has("distro"))
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        let report: Report = src.parse_json("Grype JSON")?;
        let mut out = Parsed::new(src, Self::NAME);
        let tool = report
            .descriptor
            .as_ref()
            .and_then(|d| nonempty(d.name.as_deref()))
            .unwrap_or_else(|| Self::NAME.into());
        out.meta.created = ts(report
            .descriptor
            .as_ref()
            .and_then(|d| d.timestamp.as_deref()));
        if let Some(source) = &report.source {
            let image = source.kind.as_deref() == Some("image");
            out.meta.kinds.push(if image {
                ScanKind::ContainerScanning
            } else {
                ScanKind::DependencyScanning
            });
            out.meta.target = match &source.target {
                Some(serde_json::Value::String(s)) if s != "unknown" => Some(s.clone()),
                Some(serde_json::Value::Object(o)) => o
                    .get("userInput")
                    .and_then(|v| v.as_str())
                    .map(String::from),
                _ => None,
            };
            if let Some(serde_json::Value::Object(o)) = &source.target {
                if let Some(d) = o.get("repoDigests").and_then(|l| l.as_array()) {
                    out.meta.repo_digests = d
                        .iter()
                        .filter_map(|d| d.as_str().map(String::from))
                        .collect();
                }
                if let Some(layers) = o.get("layers").and_then(|l| l.as_array()) {
                    out.meta.diff_ids = layers
                        .iter()
                        .filter_map(|l| l.get("digest").and_then(|d| d.as_str()).map(String::from))
                        .collect();
                }
            }
        }
        let ignored = report.ignored_matches.into_iter().map(|i| {
            let rule = i.applied_ignore_rules.first();
            let why: Vec<&str> = rule
                .into_iter()
                .flat_map(|r| [r.reason.as_deref(), r.vex_justification.as_deref()])
                .flatten()
                .filter(|s| !s.trim().is_empty())
                .collect();
            let suppression = ScannerSuppression {
                tool: tool.clone(),
                kind: rule
                    .and_then(|r| nonempty(r.vex_status.as_deref()))
                    .unwrap_or_else(|| "ignored".into()),
                justification: (!why.is_empty()).then(|| why.join(", ")),
            };
            (i.m, Some(Box::new(suppression)))
        });
        let matches: Vec<(Match, Option<Box<ScannerSuppression>>)> = report
            .matches
            .into_iter()
            .flatten()
            .map(|m| (m, None))
            .chain(ignored)
            .collect();
        for (m, suppression) in matches {
            let v = m.vulnerability;
            let a = m.artifact;
            let mut f = Finding::new(v.id, Kind::Vulnerability, tool.clone());
            f.aliases = m
                .related_vulnerabilities
                .into_iter()
                .map(|r| r.id)
                .collect();
            f.severity = Severity::parse(v.severity.as_deref().unwrap_or(""));
            f.cvss = v
                .cvss
                .iter()
                .filter_map(|c| c.metrics.as_ref()?.base_score)
                .reduce(f64::max);
            let class = a.kind.as_deref().map(PackageClass::from_type);
            let first = a.locations.first();
            f.location.path = match class {
                Some(PackageClass::Os) => None,
                _ => first
                    .and_then(|l| nonempty(l.path.as_deref()))
                    .map(Into::into),
            };
            f.location.layer_digest = first
                .and_then(|l| nonempty(l.layer_id.as_deref()))
                .map(Into::into);
            f.package = Some(Package {
                name: a.name.into(),
                version: nonempty(a.version.as_deref()).map(Into::into),
                class,
                purl: nonempty(a.purl.as_deref()).map(Into::into),
                ecosystem: nonempty(a.language.as_deref())
                    .or_else(|| nonempty(a.kind.as_deref()))
                    .map(Into::into),
            });
            if let Some(fix) = v.fix {
                f.fixed_version = fix.versions.into_iter().next().map(Into::into);
                f.status = match fix.state.as_deref() {
                    Some("fixed") => Some(ScanStatus::Fixed),
                    Some("not-fixed") => Some(ScanStatus::Affected),
                    Some("wont-fix") => Some(ScanStatus::WillNotFix),
                    _ => None,
                };
                f.fix_available = match fix.state.as_deref() {
                    Some("fixed") => Some(true),
                    Some("not-fixed" | "wont-fix") => Some(false),
                    _ => None,
                };
            }
            f.target = out.meta.target.clone().map(Into::into);
            f.title = v.description.map(|d| first_line(&d)).map(Into::into);
            f.scanner_suppression = suppression;
            push_finding(&mut out.findings, f);
        }
        Ok(out)
    }
}

/// The first line of a description, capped, for use as a title.
pub(crate) fn first_line(d: &str) -> String {
    let line = d.lines().next().unwrap_or("").trim();
    match line.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", line.get(..i).unwrap_or(line)),
        None => line.to_string(),
    }
}
