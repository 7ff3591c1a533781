//! A product's acceptances (`.riskgate/acceptances.yaml`): recorded, time-bound risk decisions.
//!
//! Validation here is about the file's meaning on its own (dates, people, products, selectors);
//! whether an acceptance covers a finding is decided in `decide`, against the run's findings.

use super::levels::RiskLevel;
use super::ownership::{did_you_mean, Ownership};
use super::yaml::{Problem, YamlFile};
use crate::date::Date;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptancesFile {
    pub version: u32,
    #[serde(default)]
    pub acceptances: Vec<Acceptance>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    pub id: String,
    /// An id or one of its aliases; no wildcards.
    pub finding: String,
    pub package: Option<String>,
    pub versions: Option<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub images: Vec<String>,
    pub product: String,
    pub risk: RiskLevel,
    pub reason: String,
    pub requested_by: String,
    pub approved_by: Option<String>,
    pub created: String,
    pub expires: String,
    pub ticket: Option<String>,
    pub signature: Option<String>,
}

impl AcceptancesFile {
    pub fn validate(&self, file: &YamlFile, ownership: &Ownership) -> Vec<Problem> {
        let mut out = Vec::new();
        if self.version != 1 {
            out.push(file.problem(
                "version",
                format!("unsupported version {}", self.version),
                Some("this riskgate reads `version: 1`".into()),
            ));
        }
        let products: Vec<&str> = ownership.products.keys().map(String::as_str).collect();
        let people: Vec<&str> = ownership.people().into_iter().collect();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, a) in self.acceptances.iter().enumerate() {
            let p = format!("acceptances.{i}");
            let at = |field: &str| format!("{p}.{field}");
            if let Some(first) = seen.insert(a.id.as_str(), i) {
                out.push(file.problem(
                    &at("id"),
                    format!(
                        "duplicate acceptance id `{}` (first used by entry {})",
                        a.id,
                        first + 1
                    ),
                    None,
                ));
            }
            if a.finding.contains(['*', '?', '[', '{']) {
                out.push(file.problem(
                    &at("finding"),
                    format!("`{}`: wildcards are not allowed in `finding`", a.finding),
                    Some("accept one finding id (or one of its aliases) per entry".into()),
                ));
            }
            if a.finding.trim().is_empty() {
                out.push(file.problem(&at("finding"), "empty finding id", None));
            }
            if !ownership.products.contains_key(&a.product) {
                out.push(file.problem(
                    &at("product"),
                    format!("unknown product `{}`", a.product),
                    did_you_mean(&a.product, &products),
                ));
            }
            if a.reason.trim().is_empty() {
                out.push(file.problem(&at("reason"), "an acceptance needs a reason", None));
            }
            if !ownership.is_person(&a.requested_by) {
                out.push(file.problem(
                    &at("requested_by"),
                    format!("unknown person `{}`", a.requested_by),
                    did_you_mean(&a.requested_by, &people),
                ));
            }
            if let Some(ap) = &a.approved_by {
                if !ownership.is_person(ap) {
                    out.push(file.problem(
                        &at("approved_by"),
                        format!("unknown person `{ap}`"),
                        did_you_mean(ap, &people),
                    ));
                }
            }
            let created = Date::parse(&a.created);
            let expires = Date::parse(&a.expires);
            if created.is_none() {
                out.push(file.problem(
                    &at("created"),
                    format!("`{}` is not a date", a.created),
                    Some("expected YYYY-MM-DD".into()),
                ));
            }
            if expires.is_none() {
                out.push(file.problem(
                    &at("expires"),
                    format!("`{}` is not a date", a.expires),
                    Some("expected YYYY-MM-DD".into()),
                ));
            }
            if let (Some(c), Some(e)) = (created, expires) {
                if e <= c {
                    out.push(file.problem(
                        &at("expires"),
                        format!("expires {e} is not after created {c}"),
                        None,
                    ));
                }
            }
            if let Some(v) = &a.versions {
                if let Err(e) = semver::VersionReq::parse(v) {
                    out.push(file.problem(
                        &at("versions"),
                        format!("`{v}` is not a semver requirement: {e}"),
                        Some("for example \"<0.17.0\" or \">=1.2, <1.4\"".into()),
                    ));
                }
            }
            for (field, globs) in [("paths", &a.paths), ("images", &a.images)] {
                for (j, g) in globs.iter().enumerate() {
                    if let Err(e) = globset::Glob::new(g) {
                        out.push(file.problem(
                            &format!("{p}.{field}.{j}"),
                            format!("bad glob `{g}`: {}", e.kind()),
                            None,
                        ));
                    }
                }
            }
        }
        out
    }
}
