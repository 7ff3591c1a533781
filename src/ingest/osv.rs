//! OSV-Scanner JSON (`osv-scanner --format json`), from the tool's documented output schema
//! (docs/output.md of google/osv-scanner) and its real outputs. OSV-Scanner is written in Go and
//! writes `null` for empty lists; every list here reads `null` as empty.
//!
//! `results` is a generic key (bandit and semgrep write it too), so the format is recognised
//! only when the top level holds nothing but OSV-Scanner's keys and every result names its
//! `source` and its `packages`.
//!
//! One finding per vulnerability group (OSV-Scanner groups ids that are aliases of each other)
//! and package; severity from the group's `max_severity` score, else the advisory's.

use super::{nonempty, null_is_empty, InputError, Parsed, Probe, ReportFormat, Source};
use crate::model::cvss::base_score;
use crate::model::finding::push_finding;
use crate::model::finding::ScanKind;
use crate::model::finding::{Finding, Kind, Package, PackageClass, Severity};
use serde::Deserialize;
use serde_json::Value;

pub struct OsvScanner;

#[derive(Deserialize)]
struct Report {
    #[serde(deserialize_with = "null_is_empty")]
    results: Vec<OResult>,
}

/// Every top-level key OSV-Scanner writes.
const KEYS: &[&str] = &["results", "experimental_config"];

#[derive(Deserialize)]
struct OResult {
    #[serde(alias = "packageSource")]
    source: OSource,
    #[serde(deserialize_with = "null_is_empty")]
    packages: Vec<OPackage>,
}

#[derive(Deserialize)]
struct OSource {
    path: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct OPackage {
    package: PkgInfo,
    #[serde(default, deserialize_with = "null_is_empty")]
    vulnerabilities: Vec<Osv>,
    #[serde(default, deserialize_with = "null_is_empty")]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct PkgInfo {
    name: String,
    version: Option<String>,
    ecosystem: Option<String>,
}

#[derive(Deserialize)]
struct Osv {
    id: String,
    #[serde(default, deserialize_with = "null_is_empty")]
    aliases: Vec<String>,
    summary: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    severity: Vec<OSeverity>,
    #[serde(default, deserialize_with = "null_is_empty")]
    affected: Vec<Value>,
    database_specific: Option<Value>,
    published: Option<String>,
}

#[derive(Deserialize)]
struct OSeverity {
    #[serde(rename = "type")]
    kind: Option<String>,
    score: Option<String>,
}

#[derive(Deserialize)]
struct Group {
    #[serde(default, deserialize_with = "null_is_empty")]
    ids: Vec<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    aliases: Vec<String>,
    max_severity: Option<String>,
}

fn osv_severity(v: &Osv) -> (Severity, Option<f64>) {
    let score = v
        .severity
        .iter()
        .filter(|s| {
            s.kind
                .as_deref()
                .is_some_and(|k| k.starts_with("CVSS_V3") || k.starts_with("CVSS_V4"))
        })
        .filter_map(|s| base_score(s.score.as_deref()?))
        .reduce(f64::max);
    if let Some(s) = score {
        return (Severity::from_score(s), Some(s));
    }
    let word = v
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(Value::as_str);
    (word.map(Severity::parse).unwrap_or(Severity::Unknown), None)
}

/// The first `fixed` event of the advisory's ranges for this package.
fn fixed_version(v: &Osv, pkg: &str) -> Option<String> {
    v.affected
        .iter()
        .filter(|a| {
            a.pointer("/package/name")
                .and_then(Value::as_str)
                .is_none_or(|n| n == pkg)
        })
        .flat_map(|a| {
            a.get("ranges")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .flat_map(|r| {
            r.get("events")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .find_map(|e| e.get("fixed").and_then(Value::as_str).map(String::from))
}

impl ReportFormat for OsvScanner {
    const NAME: &'static str = "osv-scanner";
    const TITLE: &'static str = "OSV-Scanner JSON";

    fn detect(p: &Probe) -> bool {
        p.has("results") && p.keys().all(|k| KEYS.contains(&k))
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        let report: Report = src.parse_json("OSV-Scanner JSON")?;
        let mut out = Parsed::new(src, Self::NAME);
        let mut docker = false;
        for r in report.results {
            let path = nonempty(r.source.path.as_deref());
            docker |= r.source.kind.as_deref() == Some("docker");
            for p in r.packages {
                let class = p
                    .package
                    .ecosystem
                    .as_deref()
                    .map(|e| PackageClass::from_type(e.split(':').next().unwrap_or(e)));
                // Without groups (older versions) every advisory stands alone.
                let groups: Vec<Group> = if p.groups.is_empty() {
                    p.vulnerabilities
                        .iter()
                        .map(|v| Group {
                            ids: vec![v.id.clone()],
                            aliases: v.aliases.clone(),
                            max_severity: None,
                        })
                        .collect()
                } else {
                    p.groups
                };
                for g in groups {
                    let Some(first) = g.ids.first() else { continue };
                    let members: Vec<&Osv> = p
                        .vulnerabilities
                        .iter()
                        .filter(|v| g.ids.contains(&v.id))
                        .collect();
                    let mut f = Finding::new(first.clone(), Kind::Vulnerability, Self::NAME);
                    f.aliases = g
                        .ids
                        .iter()
                        .skip(1)
                        .cloned()
                        .chain(g.aliases.iter().cloned())
                        .collect();
                    f.aliases
                        .extend(members.iter().flat_map(|v| v.aliases.iter().cloned()));
                    let group_score = g
                        .max_severity
                        .as_deref()
                        .and_then(|s| s.trim().parse::<f64>().ok());
                    let (sev, cvss) = match group_score {
                        Some(s) => (Severity::from_score(s), Some(s)),
                        None => members
                            .iter()
                            .map(|v| osv_severity(v))
                            .max_by(|a, b| a.0.cmp(&b.0))
                            .unwrap_or((Severity::Unknown, None)),
                    };
                    f.severity = sev;
                    f.cvss = cvss;
                    f.package = Some(Package {
                        name: p.package.name.clone().into(),
                        version: nonempty(p.package.version.as_deref()).map(Into::into),
                        class,
                        purl: None,
                        ecosystem: nonempty(p.package.ecosystem.as_deref()).map(Into::into),
                    });
                    f.fixed_version = members
                        .iter()
                        .find_map(|v| fixed_version(v, &p.package.name))
                        .map(Into::into);
                    if class != Some(PackageClass::Os) {
                        f.location.path = path.clone().map(Into::into);
                    }
                    f.title = members
                        .iter()
                        .find_map(|v| nonempty(v.summary.as_deref()))
                        .map(Into::into);
                    f.published = members
                        .iter()
                        .find_map(|v| nonempty(v.published.as_deref()))
                        .map(Into::into);
                    push_finding(&mut out.findings, f);
                }
            }
        }
        out.meta.kinds.push(if docker {
            ScanKind::ContainerScanning
        } else {
            ScanKind::DependencyScanning
        });
        Ok(out)
    }
}
