//! A product's acceptances (`.riskgate/acceptances.yaml`): recorded, time-bound risk decisions.
//!
//! Validation here is about the file's meaning on its own (dates, people, products, selectors);
//! whether an acceptance covers a finding is decided in `decide`, against the run's findings.

use super::glob::Globs;
use super::levels::RiskLevel;
use super::ownership::{did_you_mean, Ownership};
use super::yaml::{Problem, YamlFile};
use crate::model::code::Code;
use crate::model::date::{Date, DateText, Timestamp};
use crate::model::finding::Finding;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptancesFile {
    pub version: u32,
    #[serde(default)]
    pub acceptances: Vec<Acceptance>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, schemars::JsonSchema)]
pub struct Acceptance {
    pub id: String,
    /// An id or one of its aliases; no wildcards.
    pub finding: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<String>,
    #[serde(default, skip_serializing_if = "Globs::is_empty")]
    pub paths: Globs,
    #[serde(default, skip_serializing_if = "Globs::is_empty")]
    pub images: Globs,
    /// Fingerprints of the findings it is about (`riskgate accept` records them for code
    /// findings): a new finding of the same rule elsewhere is not covered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fingerprints: Vec<String>,
    /// Meant to cover the finding anywhere in the product, with no location selector: said
    /// explicitly (`accept --anywhere`), and shown as such.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anywhere: bool,
    /// What kind of finding it was accepted for (`riskgate accept` records it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::model::finding::Kind>,
    pub product: String,
    pub risk: RiskLevel,
    pub reason: String,
    pub requested_by: String,
    /// Who the request is addressed to (`accept --approver`): a request, never an approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_approver: Option<String>,
    /// Who approved it: counts only when proven (a signature, or code review; SPEC §9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    pub created: DateText,
    pub expires: DateText,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// Base64 signature of the acceptance's canonical JSON by the approver's key (see
    /// `riskgate keygen` and `approve --sign-key`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Keys riskgate does not know, refused by [`AcceptancesFile::validate`] with their
    /// positions: a typo (`approvd_by`) is reported with every other problem of the file.
    #[serde(flatten, skip_serializing)]
    #[schemars(skip)]
    pub unknown: UnknownKeys,
}

/// The keys of an entry that are not fields of it (captured, then refused).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnknownKeys(pub Vec<String>);

impl<'de> Deserialize<'de> for UnknownKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m: BTreeMap<String, serde::de::IgnoredAny> = BTreeMap::deserialize(d)?;
        Ok(UnknownKeys(m.into_keys().collect()))
    }
}

/// The fields an acceptance has, for "did you mean" on an unknown key.
const FIELDS: &[&str] = &[
    "id",
    "finding",
    "package",
    "versions",
    "paths",
    "images",
    "fingerprints",
    "anywhere",
    "kind",
    "product",
    "risk",
    "reason",
    "requested_by",
    "requested_approver",
    "approved_by",
    "created",
    "expires",
    "ticket",
    "signature",
];

/// Where an acceptance stands in time at one instant: what the gate, `validate` and
/// `riskgate acceptances` all report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub created: Option<Date>,
    pub expires: Option<Date>,
    /// Days from the instant's date to `expires` (0 or less once expired).
    pub days_left: Option<i64>,
    /// `now >= expires`.
    pub expired: bool,
    /// `now < created`.
    pub not_yet_valid: bool,
    /// Not expired, and expiring within the warning window.
    pub expiring: bool,
}

impl Timing {
    /// One word for listings: `expired`, `not_yet_valid`, `expiring` or `active`, in that order
    /// of precedence.
    pub fn state(&self) -> &'static str {
        if self.expired {
            "expired"
        } else if self.not_yet_valid {
            "not_yet_valid"
        } else if self.expiring {
            "expiring"
        } else {
            "active"
        }
    }
}

impl Acceptance {
    pub fn timing(&self, now: Timestamp, warn_before: u32) -> Timing {
        let created = self.created.date();
        let expires = self.expires.date();
        let days_left = expires.map(|e| e.days_since(now.date()));
        let expired = expires.is_some_and(|e| now >= e.start());
        Timing {
            created,
            expires,
            days_left,
            expired,
            not_yet_valid: created.is_some_and(|c| now < c.start()),
            expiring: expires.is_some()
                && !expired
                && days_left.is_some_and(|d| d <= i64::from(warn_before)),
        }
    }
}

impl AcceptancesFile {
    pub fn validate(&self, file: &YamlFile, ownership: &Ownership) -> Vec<Problem> {
        let mut out = Vec::new();
        file.check_version(&mut out, self.version);
        let products: Vec<&str> = ownership.products.keys().map(String::as_str).collect();
        let people: Vec<&str> = ownership.people().into_iter().collect();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, a) in self.acceptances.iter().enumerate() {
            let p = format!("acceptances.{i}");
            let at = |field: &str| format!("{p}.{field}");
            for k in &a.unknown.0 {
                let quoted: Vec<String> = FIELDS.iter().map(|f| format!("`{f}`")).collect();
                out.push(
                    file.problem(
                        Code::PolicySchema,
                        &at(k),
                        format!("acceptances[{i}]: unknown field `{k}`"),
                        crate::policy::ownership::did_you_mean(k, FIELDS)
                            .or_else(|| Some(format!("expected one of {}", quoted.join(", ")))),
                    ),
                );
            }
            if let Some(first) = seen.insert(a.id.as_str(), i) {
                out.push(file.problem(
                    Code::AcceptanceInvalid,
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
                    Code::AcceptanceInvalid,
                    &at("finding"),
                    format!("`{}`: wildcards are not allowed in `finding`", a.finding),
                    Some("accept one finding id (or one of its aliases) per entry".into()),
                ));
            }
            if a.finding.trim().is_empty() {
                out.push(file.problem(
                    Code::AcceptanceInvalid,
                    &at("finding"),
                    "empty finding id",
                    None,
                ));
            }
            if !ownership.products.contains_key(&a.product) {
                out.push(file.problem(
                    Code::PolicyName,
                    &at("product"),
                    format!("unknown product `{}`", a.product),
                    did_you_mean(&a.product, &products),
                ));
            }
            if a.reason.trim().is_empty() {
                out.push(file.problem(
                    Code::AcceptanceInvalid,
                    &at("reason"),
                    "an acceptance needs a reason",
                    None,
                ));
            }
            if !ownership.is_person(&a.requested_by) {
                out.push(file.problem(
                    Code::PolicyName,
                    &at("requested_by"),
                    format!("unknown person `{}`", a.requested_by),
                    did_you_mean(&a.requested_by, &people),
                ));
            }
            for (key, who) in [
                ("approved_by", &a.approved_by),
                ("requested_approver", &a.requested_approver),
            ] {
                if let Some(ap) = who.as_deref().filter(|p| !ownership.is_person(p)) {
                    out.push(file.problem(
                        Code::PolicyName,
                        &at(key),
                        format!("unknown person `{ap}`"),
                        did_you_mean(ap, &people),
                    ));
                }
            }
            let created = file.check_date(&mut out, &at("created"), &a.created);
            let expires = file.check_date(&mut out, &at("expires"), &a.expires);
            if let (Some(c), Some(e)) = (created, expires) {
                if e <= c {
                    out.push(file.problem(
                        Code::PolicyDate,
                        &at("expires"),
                        format!("expires {e} is not after created {c}"),
                        None,
                    ));
                }
            }
            if let Some(v) = &a.versions {
                let exact = is_exact_version(v);
                if let (Err(e), false) = (semver::VersionReq::parse(v), exact) {
                    out.push(file.problem(Code::PolicyPattern,
                        &at("versions"),
                        format!("`{v}` is not a semver requirement: {e}"),
                        Some("a semver requirement such as \"<0.17.0\" or \">=1.2, <1.4\", or one exact version (\"1.1.1c-r0\")".into()),
                    ));
                }
            }
            file.check_globs(&mut out, &at("paths"), &a.paths);
            file.check_globs(&mut out, &at("images"), &a.images);
            for (j, fp) in a.fingerprints.iter().enumerate() {
                if fp.len() != 32 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
                    out.push(file.problem(Code::PolicyPattern,
                        &format!("{p}.fingerprints.{j}"),
                        format!("`{fp}` is not a finding fingerprint (32 hex digits, as reports show them)"),
                        None,
                    ));
                }
            }
            let located = !a.paths.is_empty() || !a.fingerprints.is_empty();
            if a.anywhere && located {
                out.push(file.problem(
                    Code::AcceptanceInvalid,
                    &at("anywhere"),
                    "`anywhere: true` with `paths` or `fingerprints`: say one or the other",
                    None,
                ));
            }
            if a.kind.is_some_and(|k| k.is_code()) && !located && !a.anywhere {
                out.push(file.problem(Code::AcceptanceBroad,
                    &at("finding"),
                    format!(
                        "{} accepts a {} finding with no location (`paths`, `fingerprints`): it covers {} anywhere in {}",
                        a.id,
                        a.kind.map(|k| k.as_str()).unwrap_or_default(),
                        a.finding,
                        a.product
                    ),
                    Some("record where it is (`riskgate accept` does), or set `anywhere: true` if that is meant".into()),
                ));
            }
        }
        out
    }
}

/// Whether an acceptance's `version` names one version rather than a range (`<3.4`, `^1`).
pub fn is_exact_version(req: &str) -> bool {
    let t = req.trim();
    !t.is_empty() && !t.contains(['<', '>', '^', '~', '*', ',', ' ', '|'])
}

/// `versions`: a semver requirement, matched with the `semver` crate. A version that is not
/// semver (`1.1.1c-r0`) matches only a requirement that names it exactly (`"1.1.1c-r0"` or
/// `"=1.1.1c-r0"`), never loosely.
pub fn version_matches(req: &str, installed: &str) -> Result<(), String> {
    let exact = req.trim().trim_start_matches('=').trim();
    if exact == installed.trim() {
        return Ok(());
    }
    let Ok(v) = semver::Version::parse(installed.trim().trim_start_matches('v')) else {
        return Err(format!(
            "installed version {installed} is not semver, so `versions: {req}` can only match it exactly"
        ));
    };
    match semver::VersionReq::parse(req) {
        Ok(r) if r.matches(&v) => Ok(()),
        Ok(_) => Err(format!(
            "installed version {installed} does not satisfy `{req}`"
        )),
        Err(_) => Err(format!("installed version {installed} is not `{req}`")),
    }
}

/// Acceptance positions by the finding id they name (lower case).
pub fn index(acceptances: &[Acceptance]) -> HashMap<String, Vec<usize>> {
    crate::model::finding::id_index(
        acceptances
            .iter()
            .enumerate()
            .map(|(i, a)| (i, a.finding.as_str())),
    )
}

/// Acceptances whose `finding` names an alias shared by several distinct vulnerabilities of
/// this run (findings with different primary ids, none of them the id it names): one
/// acceptance would cover them all. Each with the primary ids, sorted.
pub fn shared_aliases(
    findings: &[Finding],
    acceptances: &[Acceptance],
) -> Vec<(usize, Vec<String>)> {
    if acceptances.is_empty() {
        return Vec::new();
    }
    let idx = index(acceptances);
    let mut named: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    let mut primary: HashSet<usize> = HashSet::new();
    for f in findings {
        for i in crate::model::finding::candidates(&idx, f) {
            if acceptances
                .get(i)
                .is_some_and(|a| a.finding.trim().eq_ignore_ascii_case(&f.id))
            {
                primary.insert(i);
            }
            named.entry(i).or_default().insert(f.id.as_str());
        }
    }
    named
        .into_iter()
        .filter(|(i, ids)| ids.len() > 1 && !primary.contains(i))
        .map(|(i, ids)| (i, ids.into_iter().map(String::from).collect()))
        .collect()
}
