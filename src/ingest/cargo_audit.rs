//! `cargo audit --json` (rustsec's report format). Written from the documented report structure
//! (rustsec `Report`: `vulnerabilities.list[]` with `advisory`, `versions`, `package`, and
//! `warnings`); cargo-audit cannot fetch its advisory database here, so no real sample was made.
//!
//! Vulnerabilities become findings; warnings (unmaintained, unsound, yanked) become findings of
//! severity `low` with kind `vulnerability` only when they carry an advisory.

use super::{nonempty, null_is_empty, InputError, Parsed, Probe, ReportFormat, Source};
use crate::model::cvss::base_score;
use crate::model::finding::push_finding;
use crate::model::finding::ScanKind;
use crate::model::finding::{Finding, Kind, Package, PackageClass, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct CargoAudit;

#[derive(Deserialize)]
struct Report {
    vulnerabilities: Vulns,
    #[serde(default)]
    warnings: BTreeMap<String, Vec<Warning>>,
}

#[derive(Deserialize)]
struct Vulns {
    #[serde(default, deserialize_with = "null_is_empty")]
    list: Vec<Vuln>,
}

#[derive(Deserialize)]
struct Vuln {
    advisory: Advisory,
    versions: Option<Versions>,
    package: Pkg,
}

#[derive(Deserialize)]
struct Warning {
    kind: Option<String>,
    advisory: Option<Advisory>,
    package: Pkg,
}

#[derive(Deserialize)]
struct Advisory {
    id: String,
    title: Option<String>,
    date: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    aliases: Vec<String>,
    cvss: Option<String>,
    informational: Option<String>,
}

#[derive(Deserialize)]
struct Versions {
    #[serde(default, deserialize_with = "null_is_empty")]
    patched: Vec<String>,
}

#[derive(Deserialize)]
struct Pkg {
    name: String,
    version: Option<String>,
}

fn finding(adv: &Advisory, pkg: &Pkg) -> Finding {
    let mut f = Finding::new(adv.id.clone(), Kind::Vulnerability, CargoAudit::NAME);
    f.aliases = adv.aliases.clone();
    f.cvss = adv.cvss.as_deref().and_then(base_score);
    f.severity = f
        .cvss
        .map(Severity::from_score)
        .unwrap_or(Severity::Unknown);
    f.package = Some(Package {
        name: pkg.name.clone().into(),
        version: nonempty(pkg.version.as_deref()).map(Into::into),
        class: Some(PackageClass::Library),
        purl: pkg
            .version
            .as_ref()
            .map(|v| format!("pkg:cargo/{}@{v}", pkg.name).into()),
        ecosystem: Some("crates.io".into()),
    });
    f.location.path = Some("Cargo.lock".into());
    f.title = nonempty(adv.title.as_deref()).map(Into::into);
    f.published = nonempty(adv.date.as_deref()).map(Into::into);
    f
}

impl ReportFormat for CargoAudit {
    const NAME: &'static str = "cargo-audit";
    const TITLE: &'static str = "cargo audit --json";

    fn detect(p: &Probe) -> bool {
        p.has("vulnerabilities") && (p.has("lockfile") || p.has("database")) && !p.has("version")
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        let report: Report = src.parse_json("cargo audit JSON")?;
        let mut out = Parsed::new(src, Self::NAME);
        out.meta.kinds.push(ScanKind::DependencyScanning);
        for v in &report.vulnerabilities.list {
            let mut f = finding(&v.advisory, &v.package);
            f.fixed_version = v
                .versions
                .as_ref()
                .and_then(|vs| vs.patched.first().map(Into::into));
            f.fix_available = v.versions.as_ref().map(|vs| !vs.patched.is_empty());
            push_finding(&mut out.findings, f);
        }
        for (kind, list) in &report.warnings {
            for w in list {
                let Some(adv) = &w.advisory else { continue };
                let mut f = finding(adv, &w.package);
                if f.severity == Severity::Unknown {
                    f.severity = Severity::Low;
                }
                let what = adv
                    .informational
                    .as_deref()
                    .or(w.kind.as_deref())
                    .unwrap_or(kind);
                f.title = Some(format!("{what}: {}", f.title.unwrap_or_default()).into());
                push_finding(&mut out.findings, f);
            }
        }
        Ok(out)
    }
}
