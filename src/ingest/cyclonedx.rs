//! CycloneDX JSON: SBOMs with vulnerabilities (Trivy, Grype) and VEX documents.
//!
//! Each vulnerability becomes one finding per affected component. When its `analysis.state` says
//! it does not apply (`not_affected`, `false_positive`, `resolved`) it also becomes an unsigned
//! VEX statement about the components its refs resolve to: a claim the guardrails weigh, never
//! a finding dropped. A document of analyses only (no components, every vulnerability analysed)
//! is a VEX document: statements only, and refused as `--report`.

use super::vex::{ProductId, VexProduct};
use super::{
    grype::first_line, nonempty, null_is_empty, ts, InputError, Parsed, Probe, ReportFormat,
    Source, VexStatement, VexStatus,
};
use crate::model::finding::push_finding;
use crate::model::finding::ScanKind;
use crate::model::finding::{Finding, Kind, Package, PackageClass, Severity};
use serde::Deserialize;
use std::collections::HashMap;

pub struct CycloneDx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    spec_version: Option<String>,
    metadata: Option<Metadata>,
    #[serde(default, deserialize_with = "null_is_empty")]
    components: Vec<Component>,
    /// Absent in a BOM that is only an inventory (Trivy's `--format cyclonedx` without
    /// `--scanners vuln`): that is not a scan, and is refused.
    #[serde(default)]
    vulnerabilities: Option<Vec<Vuln>>,
}

#[derive(Deserialize)]
struct Metadata {
    timestamp: Option<String>,
    component: Option<Component>,
    #[serde(default, deserialize_with = "null_is_empty")]
    authors: Vec<Author>,
}

#[derive(Deserialize)]
struct Author {
    name: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize)]
struct Component {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Vuln {
    id: Option<String>,
    source: Option<VSource>,
    #[serde(default, deserialize_with = "null_is_empty")]
    ratings: Vec<Rating>,
    analysis: Option<Analysis>,
    #[serde(default, deserialize_with = "null_is_empty")]
    affects: Vec<Affects>,
    description: Option<String>,
    recommendation: Option<String>,
    published: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    references: Vec<Reference>,
}

#[derive(Deserialize)]
struct VSource {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Rating {
    source: Option<VSource>,
    score: Option<f64>,
    severity: Option<String>,
    method: Option<String>,
}

#[derive(Deserialize)]
struct Analysis {
    state: Option<String>,
    justification: Option<String>,
}

#[derive(Deserialize)]
struct Affects {
    #[serde(rename = "ref")]
    reference: String,
}

#[derive(Deserialize)]
struct Reference {
    id: Option<String>,
}

fn index<'a>(components: &'a [Component], out: &mut HashMap<&'a str, &'a Component>) {
    for c in components {
        if let Some(r) = &c.bom_ref {
            out.insert(r.as_str(), c);
        }
        index(&c.components, out);
    }
}

/// The rating that speaks for the vulnerability: the one from the vulnerability's own source,
/// else the first with a severity word, else a CVSS score.
fn severity(v: &Vuln) -> (Severity, Option<f64>) {
    let own = v.source.as_ref().and_then(|s| s.name.as_deref());
    let cvss = v
        .ratings
        .iter()
        .filter(|r| r.method.as_deref().is_some_and(|m| m.starts_with("CVSS")))
        .filter_map(|r| r.score)
        .reduce(f64::max);
    let pick = v
        .ratings
        .iter()
        .filter(|r| r.severity.is_some())
        .find(|r| own.is_some() && r.source.as_ref().and_then(|s| s.name.as_deref()) == own)
        .or_else(|| v.ratings.iter().find(|r| r.severity.is_some()));
    match pick
        .and_then(|r| r.severity.as_deref())
        .map(Severity::parse)
    {
        Some(s) if s != Severity::Unknown => (s, cvss),
        _ => (
            cvss.map(Severity::from_score).unwrap_or(Severity::Unknown),
            cvss,
        ),
    }
}

impl ReportFormat for CycloneDx {
    const NAME: &'static str = "cyclonedx";
    const TITLE: &'static str = "CycloneDX JSON (vulnerabilities or VEX)";
    const DECISIVE: bool = true;
    const VEX: bool = true;

    fn detect(p: &Probe) -> bool {
        p.value("bomFormat") == Some("CycloneDX")
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        let bom: Bom = src.parse_json("CycloneDX JSON")?;
        if !bom
            .spec_version
            .as_deref()
            .is_some_and(|v| v.starts_with("1."))
        {
            return Err(InputError::Invalid {
                path: src.path.clone(),
                message: format!(
                    "CycloneDX specVersion {:?} is not supported",
                    bom.spec_version.unwrap_or_default()
                ),
                help: Some("riskgate reads CycloneDX 1.x JSON".into()),
            });
        }
        let Some(vulnerabilities) = bom.vulnerabilities else {
            return Err(InputError::Invalid {
                path: src.path.clone(),
                message: "this CycloneDX BOM has no `vulnerabilities`: it is an inventory of components, not the result of a vulnerability scan".into(),
                help: Some("scan it and pass the scan (`trivy sbom --format json bom.cdx.json`, `grype sbom:bom.cdx.json -o json`), or write the BOM with vulnerabilities (`trivy ... --format cyclonedx --scanners vuln`)".into()),
            });
        };
        let mut out = Parsed::new(src, Self::NAME);
        out.meta.created = ts(bom.metadata.as_ref().and_then(|m| m.timestamp.as_deref()));
        let subject = bom.metadata.as_ref().and_then(|m| m.component.as_ref());
        out.meta.target = subject.and_then(|c| nonempty(c.name.as_deref()));
        let mut refs = HashMap::new();
        index(&bom.components, &mut refs);
        if let Some(c) = subject {
            if let Some(r) = &c.bom_ref {
                refs.insert(r.as_str(), c);
            }
        }
        let image = subject.and_then(|c| c.kind.as_deref()) == Some("container");
        let subject_ref = subject.and_then(|c| c.bom_ref.as_deref());
        let author = bom.metadata.as_ref().and_then(|m| {
            let names: Vec<&str> = m
                .authors
                .iter()
                .filter_map(|a| a.name.as_deref().or(a.email.as_deref()))
                .collect();
            (!names.is_empty()).then(|| names.join(", "))
        });
        // A document of analyses only (no components, every vulnerability analysed) is VEX: its
        // statements, and no findings. In a scan report an analysis is a claim about a finding,
        // which stays a finding for the guardrails to weigh the claim against (`vex:`).
        let vex_only = bom.components.is_empty()
            && vulnerabilities
                .iter()
                .all(|v| v.analysis.as_ref().is_some_and(|a| a.state.is_some()));
        let mut findings = 0usize;
        for v in &vulnerabilities {
            let Some(id) = nonempty(v.id.as_deref()) else {
                return Err(InputError::invalid(
                    &src.path,
                    "a CycloneDX vulnerability has no `id`",
                ));
            };
            let status = v
                .analysis
                .as_ref()
                .and_then(|a| a.state.as_deref())
                .and_then(VexStatus::parse);
            let aliases: Vec<String> = v
                .references
                .iter()
                .filter_map(|r| nonempty(r.id.as_deref()))
                .collect();
            if let Some(status) = status {
                // Each ref on its own: a component's purl, the BOM's own subject (the product),
                // a purl written as the ref; anything else names nothing.
                let products = v
                    .affects
                    .iter()
                    .map(|a| {
                        let r = a.reference.as_str();
                        let id = match refs.get(r) {
                            Some(c) => match (&c.purl, subject_ref == Some(r)) {
                                (Some(p), _) => ProductId::Purl(p.clone()),
                                (None, true) => c
                                    .name
                                    .as_deref()
                                    .map(ProductId::from_text)
                                    .unwrap_or_else(|| ProductId::Unresolved(r.to_string())),
                                (None, false) => ProductId::Unresolved(r.to_string()),
                            },
                            None if r.starts_with("pkg:") => ProductId::Purl(r.to_string()),
                            None => ProductId::Unresolved(r.to_string()),
                        };
                        VexProduct::of(id)
                    })
                    .collect();
                out.vex.push(VexStatement {
                    vulnerability: std::iter::once(id.clone())
                        .chain(aliases.iter().cloned())
                        .collect(),
                    products,
                    status,
                    justification: v.analysis.as_ref().and_then(|a| a.justification.clone()),
                    document: src.path.clone(),
                    author: author.clone(),
                    signed_by: None,
                    unverified: None,
                });
            }
            if vex_only {
                continue;
            }
            let (sev, cvss) = severity(v);
            let affects: Vec<Option<&Component>> = if v.affects.is_empty() {
                vec![None]
            } else {
                v.affects
                    .iter()
                    .map(|a| refs.get(a.reference.as_str()).copied())
                    .collect()
            };
            for comp in affects {
                let mut f = Finding::new(id.clone(), Kind::Vulnerability, Self::NAME);
                f.aliases = aliases.clone();
                f.severity = sev;
                f.cvss = cvss;
                if let Some(c) = comp.filter(|c| c.name.is_some()) {
                    let ptype = c
                        .purl
                        .as_deref()
                        .and_then(|p| p.strip_prefix("pkg:"))
                        .and_then(|p| p.split('/').next());
                    f.package = Some(Package {
                        name: c.name.clone().unwrap_or_default().into(),
                        version: nonempty(c.version.as_deref()).map(Into::into),
                        class: ptype.map(PackageClass::from_type),
                        purl: c.purl.clone().map(Into::into),
                        ecosystem: ptype.map(Into::into),
                    });
                    if ptype.map(PackageClass::from_type) == Some(PackageClass::Os) {
                        f.location.path = None;
                    }
                }
                f.fixed_version = v
                    .recommendation
                    .as_deref()
                    .and_then(|r| r.strip_prefix("Upgrade "))
                    .and_then(|r| r.rsplit_once(" to "))
                    .map(|(_, ver)| ver.trim().into());
                f.target = out.meta.target.clone().map(Into::into);
                f.title = v.description.as_deref().map(first_line).map(Into::into);
                f.published = nonempty(v.published.as_deref()).map(Into::into);
                push_finding(&mut out.findings, f);
                findings += 1;
            }
        }
        if findings > 0 || !bom.components.is_empty() {
            out.meta.kinds.push(if image {
                ScanKind::ContainerScanning
            } else {
                ScanKind::DependencyScanning
            });
        }
        if !out.vex.is_empty() {
            out.meta.kinds.push(ScanKind::Vex);
        }
        Ok(out)
    }
}
