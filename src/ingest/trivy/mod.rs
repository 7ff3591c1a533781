//! Trivy JSON (`trivy ... --format json`, SchemaVersion 2): vulnerabilities, misconfigurations
//! (status FAIL only), secrets and licenses. Also Trivy's Kubernetes report (`trivy k8s`, with
//! `ClusterName` and its findings per resource) and the top-level array Trivy wrote before 0.20.
//! The hot path for large reports: raw structs borrow from the file and skip everything
//! riskgate does not use (descriptions, references).

use super::{nonempty, null_is_empty, ts, InputError, Parsed, Probe, ReportFormat, Source};
use crate::model::finding::push_finding;
use crate::model::finding::ScanKind;
use crate::model::finding::{
    Finding, Kind, Package, PackageClass, ScanStatus, ScannerSuppression, Severity,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;

mod stream;

pub struct Trivy;

type Str<'a> = Option<Cow<'a, str>>;

/// `trivy k8s --format json`: findings per resource, under `Resources` (`--report all`, Trivy
/// 0.39 and later) or split into `Vulnerabilities` and `Misconfigurations` (earlier releases).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct K8sReport<'a> {
    #[serde(borrow)]
    cluster_name: Str<'a>,
    #[serde(borrow, default, deserialize_with = "null_is_empty")]
    resources: Vec<Resource<'a>>,
    #[serde(borrow, default, deserialize_with = "null_is_empty")]
    vulnerabilities: Vec<Resource<'a>>,
    #[serde(borrow, default, deserialize_with = "null_is_empty")]
    misconfigurations: Vec<Resource<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Resource<'a> {
    #[serde(borrow)]
    namespace: Str<'a>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default, deserialize_with = "null_is_empty")]
    results: Vec<TResult<'a>>,
    #[serde(borrow)]
    error: Str<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata<'a> {
    #[serde(rename = "DiffIDs", borrow)]
    diff_ids: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default, deserialize_with = "null_is_empty")]
    repo_digests: Vec<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TResult<'a> {
    #[serde(borrow)]
    target: Cow<'a, str>,
    #[serde(borrow)]
    class: Str<'a>,
    #[serde(rename = "Type", borrow)]
    kind: Str<'a>,
    /// Read one entry at a time ([`each`]): a 1 GB report never holds all its raw entries and
    /// all its findings at once.
    #[serde(borrow)]
    vulnerabilities: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    misconfigurations: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    secrets: Option<Vec<Secret<'a>>>,
    #[serde(borrow)]
    licenses: Option<Vec<License<'a>>>,
    /// Findings Trivy suppressed (`--show-suppressed`: `.trivyignore`, VEX): kept, and weighed
    /// by the guardrails (`scanner_suppressions`).
    #[serde(
        rename = "ExperimentalModifiedFindings",
        borrow,
        default,
        deserialize_with = "null_is_empty"
    )]
    modified: Vec<Modified<'a>>,
}

/// Raw suppressed entries of one type, with their suppression.
type Suppressed<'a> = Vec<(&'a RawValue, Option<Box<ScannerSuppression>>)>;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Modified<'a> {
    #[serde(rename = "Type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    status: Str<'a>,
    #[serde(borrow)]
    statement: Str<'a>,
    #[serde(borrow)]
    source: Str<'a>,
    #[serde(borrow)]
    finding: &'a RawValue,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Vuln<'a> {
    #[serde(rename = "VulnerabilityID", borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "VendorIDs", borrow)]
    vendor_ids: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    pkg_name: Str<'a>,
    #[serde(borrow)]
    pkg_path: Str<'a>,
    #[serde(borrow)]
    pkg_identifier: Option<PkgIdentifier<'a>>,
    #[serde(borrow)]
    installed_version: Str<'a>,
    #[serde(borrow)]
    fixed_version: Str<'a>,
    #[serde(borrow)]
    status: Str<'a>,
    #[serde(borrow)]
    layer: Option<Layer<'a>>,
    #[serde(borrow)]
    severity: Str<'a>,
    #[serde(borrow)]
    severity_source: Str<'a>,
    #[serde(borrow)]
    title: Str<'a>,
    #[serde(rename = "CVSS", borrow)]
    cvss: Option<HashMap<Cow<'a, str>, Cvss>>,
    #[serde(borrow)]
    published_date: Str<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PkgIdentifier<'a> {
    #[serde(rename = "PURL", borrow)]
    purl: Str<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Layer<'a> {
    #[serde(borrow)]
    digest: Str<'a>,
    #[serde(rename = "DiffID", borrow)]
    diff_id: Str<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Cvss {
    v3_score: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Misconf<'a> {
    #[serde(rename = "ID", borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "AVDID", borrow)]
    avd_id: Str<'a>,
    #[serde(borrow)]
    title: Str<'a>,
    #[serde(borrow)]
    message: Str<'a>,
    #[serde(borrow)]
    severity: Str<'a>,
    #[serde(borrow)]
    status: Str<'a>,
    #[serde(borrow)]
    cause_metadata: Option<CauseMetadata<'a>>,
    #[serde(borrow)]
    layer: Option<Layer<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CauseMetadata<'a> {
    #[serde(borrow)]
    resource: Str<'a>,
    start_line: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Secret<'a> {
    #[serde(rename = "RuleID", borrow)]
    rule_id: Cow<'a, str>,
    #[serde(borrow)]
    severity: Str<'a>,
    #[serde(borrow)]
    title: Str<'a>,
    start_line: Option<u32>,
    #[serde(borrow)]
    layer: Option<Layer<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct License<'a> {
    #[serde(borrow)]
    severity: Str<'a>,
    #[serde(borrow)]
    pkg_name: Str<'a>,
    #[serde(borrow)]
    file_path: Str<'a>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    category: Str<'a>,
}

fn s(v: &Str<'_>) -> Option<String> {
    nonempty(v.as_deref())
}

fn layer_id(l: &Option<Layer<'_>>) -> Option<std::sync::Arc<str>> {
    l.as_ref()
        .and_then(|l| s(&l.diff_id).or_else(|| s(&l.digest)))
        .map(Into::into)
}

/// How the results of one report are read: what was scanned and where the results sit.
struct Scope<'r> {
    /// The format's name in error messages.
    format: &'static str,
    /// An image scan: OS packages are known, `container_scanning` is what it provides.
    image: bool,
    target: Option<&'r str>,
    /// The Kubernetes resource the results belong to (`namespace/Kind/name`).
    resource: Option<&'r str>,
}

impl<'r> Scope<'r> {
    /// A report's scope (SchemaVersion 2): its artifact, and whether that is an image.
    fn report(artifact_name: &'r Str<'_>, artifact_type: &Str<'_>) -> Scope<'r> {
        Scope {
            format: Trivy::TITLE,
            image: artifact_type.as_deref() == Some("container_image"),
            target: artifact_name
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty()),
            resource: None,
        }
    }
}

/// Whether the first element of a top-level array is a Trivy result of before 0.20.
pub fn is_legacy(first: &Probe) -> bool {
    first.has("Target") && (first.has("Vulnerabilities") || first.has("Type"))
}

const LEGACY: &str = "Trivy JSON (before 0.20, a top-level array)";

/// Trivy before 0.20: the report is the array of results, without SchemaVersion or metadata.
pub fn parse_legacy(src: &Source) -> Result<Parsed, InputError> {
    let results: Vec<TResult> = src.parse_json(LEGACY)?;
    let mut out = Parsed::new(src, Trivy::NAME);
    let image = results
        .iter()
        .any(|r| class_of(&r.class, &r.kind) == "os-pkgs");
    let scope = Scope {
        format: LEGACY,
        image,
        target: None,
        resource: None,
    };
    if image {
        out.meta.kinds.push(ScanKind::ContainerScanning);
    }
    read_results(src, &mut out, results, &scope)?;
    if !image {
        out.meta.kinds.push(ScanKind::DependencyScanning);
    }
    out.meta.kinds.sort();
    out.meta.kinds.dedup();
    Ok(out)
}

/// A result's Class; Trivy before 0.20 wrote none, and its Type (an OS or a lockfile type)
/// says which it is. Takes the two fields, not the result, so the result's lists can still be
/// moved out while the class is borrowed.
fn class_of<'a>(class: &'a Str<'_>, kind: &Str<'_>) -> &'a str {
    match class.as_deref() {
        Some(c) => c,
        None => match kind.as_deref().map(PackageClass::from_type) {
            Some(PackageClass::Os) => "os-pkgs",
            Some(PackageClass::Library) => "lang-pkgs",
            None => "",
        },
    }
}

/// `trivy k8s --format json`, told from an image or filesystem report by its `ClusterName`.
pub struct TrivyK8s;

impl ReportFormat for TrivyK8s {
    const NAME: &'static str = Trivy::NAME;
    const TITLE: &'static str = Trivy::TITLE;
    const DECISIVE: bool = true;

    fn detect(p: &Probe) -> bool {
        p.has("ClusterName")
            && (p.has("Resources") || p.has("Vulnerabilities") || p.has("Misconfigurations"))
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        parse_k8s(src)
    }
}

fn parse_k8s(src: &Source) -> Result<Parsed, InputError> {
    let report: K8sReport = src.parse_json("Trivy Kubernetes JSON")?;
    let mut out = Parsed::new(src, Trivy::NAME);
    out.meta.target = s(&report.cluster_name).map(|c| format!("cluster {c}"));
    let resources = report
        .resources
        .into_iter()
        .chain(report.vulnerabilities)
        .chain(report.misconfigurations);
    let mut errors = Vec::new();
    for r in resources {
        let name = match s(&r.namespace) {
            Some(ns) => format!("{ns}/{}/{}", r.kind, r.name),
            None => format!("{}/{}", r.kind, r.name),
        };
        if let Some(e) = s(&r.error) {
            errors.push(format!("{name}: {}", first_line(&e)));
        }
        let scope = Scope {
            format: "Trivy Kubernetes JSON",
            image: false,
            target: Some(&name),
            resource: Some(&name),
        };
        read_results(src, &mut out, r.results, &scope)?;
    }
    if !errors.is_empty() {
        // A resource Trivy could not scan is a part of the cluster nobody looked at.
        out.meta.failed = true;
        out.meta.failure = Some(format!(
            "Trivy could not scan {} resource(s): {}",
            errors.len(),
            errors.join("; ")
        ));
    }
    out.meta.kinds.sort();
    out.meta.kinds.dedup();
    Ok(out)
}

/// One entry of a result, parsed from its slice of the file; errors point into the file.
fn each<'a, T: Deserialize<'a>>(
    src: &Source,
    scope: &Scope<'_>,
    raw: &'a RawValue,
) -> Result<T, InputError> {
    serde_json::from_str(raw.get())
        .map_err(|e| InputError::json_in(src, raw.get(), scope.format, &e))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

impl ReportFormat for Trivy {
    const NAME: &'static str = "trivy";
    const TITLE: &'static str = "Trivy JSON";
    const DECISIVE: bool = true;

    fn detect(p: &Probe) -> bool {
        // Trivy writes SchemaVersion first; a file whose keys were sorted (`jq -S`, a
        // re-serialised report) has ArtifactName and ArtifactType before Results, and is known
        // by them rather than walked to its end. Its SchemaVersion is still checked by the parse.
        (p.has("SchemaVersion") && (p.has("Results") || p.has("ArtifactName")))
            || (p.has("ArtifactName") && p.has("ArtifactType"))
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        let report =
            stream::parse(src.json()).map_err(|e| InputError::json(src, Self::TITLE, &e))?;
        if report.schema_version != Some(2) {
            return Err(InputError::Invalid {
                path: src.path.clone(),
                message: format!(
                    "Trivy SchemaVersion {:?} is not supported",
                    report.schema_version
                ),
                help: Some(
                    "riskgate reads Trivy's JSON format version 2 (Trivy 0.20 and later), and the top-level array of earlier releases".into(),
                ),
            });
        }
        let mut out = Parsed::new(src, Self::NAME);
        out.meta.created = ts(report.created_at.as_deref());
        out.meta.target = s(&report.artifact_name);
        let scope = Scope::report(&report.artifact_name, &report.artifact_type);
        if let Some(m) = &report.metadata {
            out.meta.diff_ids = m.diff_ids.iter().flatten().map(|d| d.to_string()).collect();
            out.meta.repo_digests = m.repo_digests.iter().map(|d| d.to_string()).collect();
        }
        if scope.image {
            out.meta.kinds.push(ScanKind::ContainerScanning);
        }
        out.findings = report.findings;
        read_results(src, &mut out, report.results.unwrap_or_default(), &scope)?;
        out.meta.kinds.sort();
        out.meta.kinds.dedup();
        Ok(out)
    }
}

fn read_results(
    src: &Source,
    out: &mut Parsed,
    results: Vec<TResult<'_>>,
    scope: &Scope<'_>,
) -> Result<(), InputError> {
    let image = scope.image;
    for r in results {
        let class = class_of(&r.class, &r.kind);
        match class {
            "lang-pkgs" if !image => out.meta.kinds.push(ScanKind::DependencyScanning),
            "os-pkgs" => out.meta.kinds.push(ScanKind::ContainerScanning),
            "config" => out.meta.kinds.push(ScanKind::Iac),
            "secret" => out.meta.kinds.push(ScanKind::SecretDetection),
            "license" | "license-file" => out.meta.kinds.push(ScanKind::LicenseScanning),
            _ => {}
        }
        let at = ResultAt::new(class, &r.kind, &r.target, scope);
        let (target, finding_target, resource) = (&at.target, &at.finding_target, &at.resource);
        // Suppressed findings, by type, with what Trivy says of their suppression.
        let mut modified_vulns: Suppressed = Vec::new();
        let mut modified_misconfs: Suppressed = Vec::new();
        let mut modified_secrets: Suppressed = Vec::new();
        let mut modified_licenses: Suppressed = Vec::new();
        for m in &r.modified {
            let slot = match m.kind.as_ref() {
                "vulnerability" => &mut modified_vulns,
                "misconfiguration" => &mut modified_misconfs,
                "secret" => &mut modified_secrets,
                "license" => &mut modified_licenses,
                other => {
                    return Err(InputError::invalid(
                        &src.path,
                        format!(
                            "{}: a suppressed finding of unknown Type `{other}` in {}",
                            scope.format, r.target
                        ),
                    ))
                }
            };
            let why = [
                s(&m.statement),
                s(&m.source).map(|src| format!("source {src}")),
            ];
            let why: Vec<String> = why.into_iter().flatten().collect();
            slot.push((
                m.finding,
                Some(Box::new(ScannerSuppression {
                    tool: Trivy::NAME.into(),
                    kind: s(&m.status).unwrap_or_else(|| "ignored".into()),
                    justification: (!why.is_empty()).then(|| why.join(", ")),
                })),
            ));
        }
        let vulns = r
            .vulnerabilities
            .into_iter()
            .flatten()
            .map(|raw| (raw, None));
        for (raw, suppression) in vulns.chain(modified_vulns) {
            let v: Vuln = each(src, scope, raw)?;
            push_finding(&mut out.findings, vuln_finding(v, &at, suppression));
        }
        let misconfs = r
            .misconfigurations
            .into_iter()
            .flatten()
            .map(|raw| (raw, None));
        for (raw, suppression) in misconfs.chain(modified_misconfs) {
            let m: Misconf = each(src, scope, raw)?;
            if m.status.as_deref() != Some("FAIL") {
                continue;
            }
            let mut f = Finding::new(m.id.as_ref(), Kind::Misconfiguration, Trivy::NAME);
            f.aliases.extend(s(&m.avd_id));
            f.severity = Severity::parse(m.severity.as_deref().unwrap_or(""));
            f.location.path = target.clone().map(Into::into);
            f.location.line = m
                .cause_metadata
                .as_ref()
                .and_then(|c| c.start_line)
                .filter(|l| *l > 0);
            f.location.layer_digest = layer_id(&m.layer);
            f.target = finding_target.clone();
            f.location.resource = resource.clone().map(Into::into);
            f.title = s(&m.title).or_else(|| s(&m.message)).map(Into::into);
            if let Some(res) = m.cause_metadata.as_ref().and_then(|c| s(&c.resource)) {
                f.title = Some(format!("{} ({res})", f.title.unwrap_or_default()).into());
            }
            f.scanner_suppression = suppression;
            push_finding(&mut out.findings, f);
        }
        let mut secrets: Vec<(Secret, Option<Box<ScannerSuppression>>)> =
            r.secrets.into_iter().flatten().map(|s| (s, None)).collect();
        for (raw, suppression) in modified_secrets {
            secrets.push((each(src, scope, raw)?, suppression));
        }
        for (sec, suppression) in secrets {
            let mut f = Finding::new(sec.rule_id.as_ref(), Kind::Secret, Trivy::NAME);
            f.severity = Severity::parse(sec.severity.as_deref().unwrap_or(""));
            f.location.path = target.clone().map(Into::into);
            f.location.line = sec.start_line.filter(|l| *l > 0);
            f.location.layer_digest = layer_id(&sec.layer);
            f.target = finding_target.clone();
            f.location.resource = resource.clone().map(Into::into);
            f.title = s(&sec.title).map(Into::into);
            f.scanner_suppression = suppression;
            push_finding(&mut out.findings, f);
        }
        let mut licenses: Vec<(License, Option<Box<ScannerSuppression>>)> = r
            .licenses
            .into_iter()
            .flatten()
            .map(|l| (l, None))
            .collect();
        for (raw, suppression) in modified_licenses {
            licenses.push((each(src, scope, raw)?, suppression));
        }
        for (l, suppression) in licenses {
            let mut f = Finding::new(l.name.as_ref(), Kind::License, Trivy::NAME);
            f.severity = Severity::parse(l.severity.as_deref().unwrap_or(""));
            f.package = s(&l.pkg_name).map(|name| Package {
                name: name.into(),
                ..Package::default()
            });
            f.location.path = s(&l.file_path).or_else(|| target.clone()).map(Into::into);
            f.target = finding_target.clone();
            f.location.resource = resource.clone().map(Into::into);
            f.title = s(&l.category)
                .map(|c| format!("license {} ({c})", l.name))
                .map(Into::into);
            f.scanner_suppression = suppression;
            push_finding(&mut out.findings, f);
        }
    }
    Ok(())
}

/// Where one result's findings sit: what each of them carries.
struct ResultAt {
    pkg_class: Option<PackageClass>,
    ecosystem: Option<std::sync::Arc<str>>,
    /// The result's target.
    target: Option<String>,
    /// The target its findings name (the report's artifact, or the cluster resource).
    /// Shared by every finding of the result (an image reference is longer than a
    /// `CompactString` holds inline).
    finding_target: Option<std::sync::Arc<str>>,
    resource: Option<String>,
}

impl ResultAt {
    /// `class` as [`class_of`] reads it.
    fn new(class: &str, kind: &Str<'_>, target: &str, scope: &Scope<'_>) -> ResultAt {
        let pkg_class = match class {
            "os-pkgs" => Some(PackageClass::Os),
            "lang-pkgs" => Some(PackageClass::Library),
            _ => None,
        };
        let target = nonempty(Some(target));
        let resource = scope.resource.map(String::from);
        // In a cluster report the scan target is the resource; each result's target is an
        // image of it (or a manifest), which is where the finding is.
        let finding_target = if resource.is_some() {
            resource.clone()
        } else {
            scope.target.map(String::from).or_else(|| target.clone())
        }
        .map(Into::into);
        ResultAt {
            pkg_class,
            ecosystem: s(kind).map(Into::into),
            target,
            finding_target,
            resource,
        }
    }
}

/// One Trivy vulnerability entry as a finding.
fn vuln_finding(
    v: Vuln<'_>,
    at: &ResultAt,
    suppression: Option<Box<ScannerSuppression>>,
) -> Finding {
    let pkg_class = at.pkg_class;
    let mut f = Finding::new(v.id.as_ref(), Kind::Vulnerability, Trivy::NAME);
    f.aliases = v
        .vendor_ids
        .iter()
        .flatten()
        .map(|a| a.to_string())
        .collect();
    f.severity = Severity::parse(v.severity.as_deref().unwrap_or(""));
    f.cvss = v.cvss.as_ref().and_then(|m| {
        let pick = v
            .severity_source
            .as_deref()
            .and_then(|src| m.get(src))
            .or_else(|| m.get("nvd"));
        pick.and_then(|c| c.v3_score)
            .or_else(|| m.values().filter_map(|c| c.v3_score).reduce(f64::max))
    });
    f.package = Some(Package {
        name: s(&v.pkg_name).unwrap_or_default().into(),
        version: s(&v.installed_version).map(Into::into),
        class: pkg_class,
        purl: v
            .pkg_identifier
            .as_ref()
            .and_then(|p| s(&p.purl))
            .map(Into::into),
        ecosystem: at.ecosystem.clone(),
    });
    f.fixed_version = s(&v.fixed_version).map(Into::into);
    f.status = v.status.as_deref().and_then(ScanStatus::parse);
    f.fix_available = match v.status.as_deref() {
        Some("fixed") => Some(true),
        Some("affected" | "will_not_fix" | "fix_deferred" | "end_of_life") => Some(false),
        _ => None,
    };
    f.location.path = match pkg_class {
        Some(PackageClass::Os) if at.resource.is_none() => None,
        Some(PackageClass::Os) => at.target.clone(),
        _ => s(&v.pkg_path).or_else(|| at.target.clone()),
    }
    .map(Into::into);
    f.location.layer_digest = layer_id(&v.layer);
    f.target = at.finding_target.clone();
    f.location.resource = at.resource.clone().map(Into::into);
    f.title = s(&v.title).map(Into::into);
    f.published = s(&v.published_date).map(Into::into);
    f.scanner_suppression = suppression;
    f
}
