//! GitLab security reports (container scanning, dependency scanning, SAST, secret detection,
//! and the other analyzers that write the same schema).
//!
//! The id is the first CVE identifier, else the first identifier; all identifiers become
//! aliases. GitLab's schema has no per-finding package class: a container-scanning finding is an
//! OS package when the report names the operating system, a library otherwise.
//!
//! Where a finding is depends on the analyzer: a package (dependency and container scanning),
//! a file and line (SAST, secret detection: older SAST reports also carry an empty
//! `dependency`, which is not a package), an endpoint (DAST and API fuzzing: hostname, method,
//! path and parameter, part of the finding's identity), or a crash (coverage fuzzing).

use super::{nonempty, null_is_empty, ts, InputError, Parsed, Probe, ReportFormat, Source};
use crate::model::finding::push_finding;
use crate::model::finding::ScanKind;
use crate::model::finding::{Finding, Kind, Package, PackageClass, ScannerSuppression, Severity};
use serde::Deserialize;

pub struct GitLab;

#[derive(Deserialize)]
struct Report {
    version: Option<String>,
    scan: Option<Scan>,
    #[serde(default, deserialize_with = "null_is_empty")]
    vulnerabilities: Vec<Vuln>,
}

#[derive(Deserialize)]
struct Scan {
    #[serde(rename = "type")]
    kind: Option<String>,
    status: Option<String>,
    end_time: Option<String>,
    scanner: Option<Scanner>,
}

#[derive(Deserialize)]
struct Scanner {
    id: Option<String>,
}

#[derive(Deserialize)]
struct Vuln {
    id: Option<String>,
    category: Option<String>,
    name: Option<String>,
    message: Option<String>,
    severity: Option<String>,
    solution: Option<String>,
    location: Option<Location>,
    /// Required by every version of the schema.
    #[serde(deserialize_with = "null_is_empty")]
    identifiers: Vec<Identifier>,
    /// An analyzer's flags (`flagged-as-likely-false-positive`): the scanner's suppression.
    #[serde(default, deserialize_with = "null_is_empty")]
    flags: Vec<Flag>,
}

#[derive(Deserialize)]
struct Flag {
    #[serde(rename = "type")]
    kind: Option<String>,
    origin: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct Location {
    file: Option<String>,
    start_line: Option<u32>,
    image: Option<String>,
    operating_system: Option<String>,
    dependency: Option<Dependency>,
    // DAST and API fuzzing
    hostname: Option<String>,
    method: Option<String>,
    path: Option<String>,
    param: Option<String>,
    // coverage fuzzing
    crash_type: Option<String>,
    crash_state: Option<String>,
}

impl Location {
    /// `GET http://host/path [param]` for DAST findings, the crash for fuzzing findings.
    fn endpoint(&self) -> Option<String> {
        if let Some(url) = self.url() {
            let mut e = String::new();
            if let Some(m) = nonempty(self.method.as_deref()) {
                e.push_str(&m);
                e.push(' ');
            }
            e.push_str(&url);
            if let Some(param) = nonempty(self.param.as_deref()) {
                e.push_str(&format!(" [{param}]"));
            }
            return Some(e);
        }
        let crash = [self.crash_type.as_deref(), self.crash_state.as_deref()];
        let parts: Vec<String> = crash.iter().filter_map(|c| nonempty(*c)).collect();
        (!parts.is_empty()).then(|| parts.join(": "))
    }

    /// `http://host/path` of a DAST finding.
    fn url(&self) -> Option<String> {
        let host = nonempty(self.hostname.as_deref())?;
        let mut url = host.trim_end_matches('/').to_string();
        if let Some(p) = nonempty(self.path.as_deref()) {
            if !p.starts_with('/') {
                url.push('/');
            }
            url.push_str(&p);
        }
        Some(url)
    }

    /// The dependency, when it names a package (SAST reports of schema 2.x carry
    /// `dependency: {package: {}}` on code findings).
    fn package(&self) -> Option<(&Dependency, String)> {
        let dep = self.dependency.as_ref()?;
        let name = nonempty(dep.package.as_ref()?.name.as_deref())?;
        Some((dep, name))
    }
}

#[derive(Deserialize)]
struct Dependency {
    package: Option<Pkg>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct Pkg {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Identifier {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "text_or_number")]
    value: Option<String>,
}

/// Identifier values are strings in the schema; real reports also write CWE and plugin ids as
/// numbers (`"value": 89`).
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(match Option::<TextOrNumber>::deserialize(d)? {
        None => None,
        Some(TextOrNumber::Text(s)) => Some(s),
        Some(TextOrNumber::Number(n)) => Some(n.to_string()),
    })
}

fn known(s: Option<&str>) -> Option<String> {
    nonempty(s).filter(|s| !s.eq_ignore_ascii_case("unknown"))
}

impl ReportFormat for GitLab {
    const NAME: &'static str = "gitlab";
    const TITLE: &'static str = "GitLab security reports";

    fn detect(p: &Probe) -> bool {
        p.has("vulnerabilities")
            && p.has("version")
            && (p.has("scan") || p.has("remediations") || p.has("dependency_files"))
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        let report: Report = src.parse_json("GitLab security report")?;
        if report.version.is_none() {
            return Err(InputError::invalid(
                &src.path,
                "GitLab security report without `version`",
            ));
        }
        let mut out = Parsed::new(src, Self::NAME);
        let scan_kind = report.scan.as_ref().and_then(|s| s.kind.clone());
        let tool = report
            .scan
            .as_ref()
            .and_then(|s| s.scanner.as_ref())
            .and_then(|s| nonempty(s.id.as_deref()))
            .unwrap_or_else(|| Self::NAME.into());
        if let Some(scan) = &report.scan {
            out.meta.created = ts(scan.end_time.as_deref());
            out.meta.failed = scan.status.as_deref() == Some("failure");
        }
        let mut categories: Vec<String> = report
            .vulnerabilities
            .iter()
            .filter_map(|v| nonempty(v.category.as_deref()))
            .collect();
        categories.sort();
        categories.dedup();
        for v in report.vulnerabilities {
            let category = v
                .category
                .clone()
                .or_else(|| scan_kind.clone())
                .unwrap_or_default();
            let kind = match category.as_str() {
                "container_scanning" | "dependency_scanning" | "cluster_image_scanning" => {
                    Kind::Vulnerability
                }
                "secret_detection" => Kind::Secret,
                _ => Kind::Weakness,
            };
            let values: Vec<String> = v
                .identifiers
                .iter()
                .filter_map(|i| nonempty(i.value.as_deref()))
                .collect();
            let cve = v
                .identifiers
                .iter()
                .find(|i| {
                    i.kind
                        .as_deref()
                        .is_some_and(|k| k.eq_ignore_ascii_case("cve"))
                })
                .and_then(|i| nonempty(i.value.as_deref()));
            let Some(id) = cve
                .or_else(|| values.first().cloned())
                .or_else(|| nonempty(v.id.as_deref()))
            else {
                return Err(InputError::invalid(
                    &src.path,
                    "a GitLab vulnerability has neither identifiers nor id",
                ));
            };
            let mut f = Finding::new(id, kind, tool.clone());
            f.scanner_suppression = v
                .flags
                .iter()
                .find(|fl| fl.kind.as_deref() == Some("flagged-as-likely-false-positive"))
                .map(|fl| {
                    Box::new(ScannerSuppression {
                        tool: nonempty(fl.origin.as_deref()).unwrap_or_else(|| tool.clone()),
                        kind: "flagged-as-likely-false-positive".into(),
                        justification: nonempty(fl.description.as_deref()),
                    })
                });
            f.aliases = values;
            f.severity = Severity::parse(v.severity.as_deref().unwrap_or(""));
            let loc = v.location.as_ref();
            if let Some((dep, name)) = loc.and_then(Location::package) {
                let os = category == "container_scanning"
                    && known(loc.and_then(|l| l.operating_system.as_deref())).is_some();
                f.package = Some(Package {
                    name: name.into(),
                    version: nonempty(dep.version.as_deref()).map(Into::into),
                    class: Some(if os {
                        PackageClass::Os
                    } else {
                        PackageClass::Library
                    }),
                    ..Package::default()
                });
                if !os {
                    f.location.path = known(loc.and_then(|l| l.file.as_deref())).map(Into::into);
                }
            } else if let Some(endpoint) = loc.and_then(Location::endpoint) {
                f.location.path = loc.and_then(Location::url).map(Into::into);
                f.location.resource = Some(endpoint.into());
            } else {
                f.location.path = known(loc.and_then(|l| l.file.as_deref())).map(Into::into);
                f.location.line = loc.and_then(|l| l.start_line).filter(|l| *l > 0);
            }
            f.fixed_version = v
                .solution
                .as_deref()
                .and_then(|s| s.strip_prefix("Upgrade "))
                .and_then(|s| s.rsplit_once(" to "))
                .map(|(_, ver)| ver.trim().into());
            f.target = known(loc.and_then(|l| l.image.as_deref())).map(Into::into);
            f.title = nonempty(v.name.as_deref())
                .or_else(|| nonempty(v.message.as_deref()))
                .map(Into::into);
            push_finding(&mut out.findings, f);
        }
        // Reports of schema 2.x have no `scan`: what was run shows in the findings' categories.
        let scan_kind = scan_kind.or_else(|| categories.first().cloned());
        let kind = match scan_kind.as_deref() {
            Some("container_scanning" | "cluster_image_scanning") => {
                Some(ScanKind::ContainerScanning)
            }
            Some("dependency_scanning") => Some(ScanKind::DependencyScanning),
            Some("sast") => Some(ScanKind::Sast),
            Some("secret_detection") => Some(ScanKind::SecretDetection),
            Some("dast" | "api_fuzzing" | "coverage_fuzzing") => Some(ScanKind::Dast),
            _ => None,
        };
        out.meta.kinds.extend(kind);
        Ok(out)
    }
}
