//! `accept --from-report FILE`: the findings of a riskgate json report (the one CI wrote), so a
//! developer can record acceptances without the scanners' files. The findings keep the report's
//! fingerprints (acceptances of code findings name them) and the risk CI decided, which is a
//! floor for what is recorded: this machine may lack the threat intel CI had. Nothing here is
//! trusted: the acceptance is validated against the local policy now, and CI re-decides every
//! finding from its own scanner reports.

use crate::ingest::{self, InputError};
use crate::model::finding::{Finding, Kind, Location, Package, PackageClass, Severity};
use crate::model::outcome::RiskLevel;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Deserialize)]
struct Report {
    version: u32,
    #[serde(rename = "verdict")]
    _verdict: serde::de::IgnoredAny,
    findings: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    kind: Kind,
    #[serde(default)]
    tools: Vec<String>,
    title: Option<String>,
    severity: String,
    cvss: Option<f64>,
    risk: RiskLevel,
    package: Option<Pkg>,
    fixed_version: Option<String>,
    location: Loc,
    target: Option<String>,
    fingerprint: String,
}

#[derive(Deserialize)]
struct Pkg {
    name: String,
    version: Option<String>,
    class: Option<PackageClass>,
    purl: Option<String>,
}

#[derive(Deserialize)]
struct Loc {
    path: Option<String>,
    line: Option<u32>,
    layer_digest: Option<String>,
}

/// The report's findings and, by fingerprint, the risk CI decided for each.
pub struct FromReport {
    pub findings: Vec<Finding>,
    pub risk: HashMap<String, RiskLevel>,
}

pub fn read(path: &Path) -> Result<FromReport, InputError> {
    let src = ingest::Source::read(path)?;
    let shown = path.display().to_string();
    let r: Report = serde_json::from_slice(src.json()).map_err(|e| InputError::Invalid {
        path: shown.clone(),
        message: format!("is not a riskgate json report: {e}"),
        help: Some("pass the report `riskgate check --format json` wrote in CI".into()),
    })?;
    if r.version != super::decisions::READS_VERSION {
        return Err(InputError::Invalid {
            path: shown,
            message: format!("unsupported riskgate report version {}", r.version),
            help: Some(format!(
                "this riskgate reads version {}",
                super::decisions::READS_VERSION
            )),
        });
    }
    let mut risk = HashMap::with_capacity(r.findings.len());
    let findings = r
        .findings
        .into_iter()
        .map(|i| {
            risk.insert(i.fingerprint.clone(), i.risk);
            let mut f = Finding::new(i.id, i.kind, "riskgate-report");
            f.aliases = i.aliases;
            if !i.tools.is_empty() {
                f.tools = i.tools.into_iter().map(Into::into).collect();
            }
            f.title = i.title.map(Into::into);
            f.severity = Severity::parse(&i.severity);
            f.cvss = i.cvss;
            f.package = i.package.map(|p| Package {
                name: p.name.into(),
                version: p.version.map(Into::into),
                class: p.class,
                purl: p.purl.map(Into::into),
                ecosystem: None,
            });
            f.fix_available = i.fixed_version.as_ref().map(|_| true);
            f.fixed_version = i.fixed_version.map(Into::into);
            f.location = Location {
                path: i.location.path.map(Into::into),
                line: i.location.line,
                layer_digest: i.location.layer_digest.map(Into::into),
                resource: None,
            };
            f.target = i.target.map(Into::into);
            // CI's identity of the finding, as its acceptances must name it
            f.fingerprint = i.fingerprint.into();
            f
        })
        .collect();
    Ok(FromReport { findings, risk })
}
