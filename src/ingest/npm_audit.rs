//! `npm audit --json` (auditReportVersion 2, npm 7 and later). Written from npm's documented
//! output; the npm registry reachable here refuses the audit endpoint, so no real sample could be
//! made (its real error output is kept in tests/data and must not pass as a clean audit).
//!
//! Each advisory object in a package's `via` is one finding; string entries in `via` only point
//! at another vulnerable package, whose own entry carries the advisory. npm audit does not report
//! the installed version, only the vulnerable range.

use super::{nonempty, null_is_empty, InputError, Parsed, Probe, ReportFormat, Source};
use crate::model::finding::push_finding;
use crate::model::finding::ScanKind;
use crate::model::finding::{Finding, Kind, Package, PackageClass, Severity};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

pub struct NpmAudit;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    audit_report_version: u32,
    #[serde(default)]
    vulnerabilities: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    name: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    via: Vec<Value>,
    #[serde(default, deserialize_with = "null_is_empty")]
    nodes: Vec<String>,
    fix_available: Option<Value>,
}

#[derive(Deserialize)]
struct Advisory {
    source: Option<Value>,
    title: Option<String>,
    url: Option<String>,
    severity: Option<String>,
    range: Option<String>,
    cvss: Option<Cvss>,
}

#[derive(Deserialize)]
struct Cvss {
    score: Option<f64>,
}

impl ReportFormat for NpmAudit {
    const NAME: &'static str = "npm-audit";
    const TITLE: &'static str = "npm audit --json (v2)";
    const DECISIVE: bool = true;

    fn detect(p: &Probe) -> bool {
        p.has("auditReportVersion")
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        let report: Report = src.parse_json("npm audit JSON")?;
        if report.audit_report_version != 2 {
            return Err(InputError::Invalid {
                path: src.path.clone(),
                message: format!(
                    "npm auditReportVersion {} is not supported",
                    report.audit_report_version
                ),
                help: Some(
                    "riskgate reads `npm audit --json` from npm 7 or later (auditReportVersion 2)"
                        .into(),
                ),
            });
        }
        let mut out = Parsed::new(src, Self::NAME);
        out.meta.kinds.push(ScanKind::DependencyScanning);
        for (key, e) in report.vulnerabilities {
            let name = e.name.clone().unwrap_or(key);
            for via in &e.via {
                if !via.is_object() {
                    continue;
                }
                let adv: Advisory = serde_json::from_value(via.clone()).map_err(|err| {
                    InputError::invalid(
                        &src.path,
                        format!("vulnerabilities.{name}.via: unexpected advisory shape: {err}"),
                    )
                })?;
                let ghsa = adv
                    .url
                    .as_deref()
                    .and_then(|u| u.rsplit('/').next())
                    .filter(|s| s.starts_with("GHSA-"));
                let source = match &adv.source {
                    Some(Value::Number(n)) => Some(n.to_string()),
                    Some(Value::String(s)) => Some(s.clone()),
                    _ => None,
                };
                let Some(id) = ghsa
                    .map(String::from)
                    .or_else(|| source.as_ref().map(|s| format!("npm:{s}")))
                else {
                    return Err(InputError::invalid(
                        &src.path,
                        format!("vulnerabilities.{name}: advisory without url or source"),
                    ));
                };
                let mut f = Finding::new(id, Kind::Vulnerability, Self::NAME);
                f.aliases.extend(source.map(|s| format!("npm:{s}")));
                f.cvss = adv.cvss.as_ref().and_then(|c| c.score).filter(|s| *s > 0.0);
                f.severity = Severity::parse(adv.severity.as_deref().unwrap_or(""));
                f.package = Some(Package {
                    name: name.clone().into(),
                    version: None,
                    class: Some(PackageClass::Library),
                    purl: None,
                    ecosystem: Some("npm".into()),
                });
                f.location.path = e.nodes.first().cloned().map(Into::into);
                f.fix_available = match &e.fix_available {
                    Some(Value::Bool(b)) => Some(*b),
                    Some(Value::Object(o)) => {
                        if o.get("name").and_then(Value::as_str) == Some(name.as_str()) {
                            f.fixed_version =
                                o.get("version").and_then(Value::as_str).map(Into::into);
                        }
                        Some(true)
                    }
                    _ => None,
                };
                f.title = nonempty(adv.title.as_deref()).map(|t| {
                    match &adv.range {
                        Some(r) => format!("{t} (vulnerable: {r})"),
                        None => t,
                    }
                    .into()
                });
                push_finding(&mut out.findings, f);
            }
        }
        Ok(out)
    }
}
