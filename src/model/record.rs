//! A past run's decision as its json report recorded it (`check --format json`, SPEC §8): what
//! `riskgate org` reads back. Only the fields the organisation's view needs; the report may carry
//! more (newer riskgate versions add fields), and those are skipped. The fields read are required
//! where the report always writes them, so a file that is not a riskgate report, or one cut short,
//! is refused rather than read as zero findings.

use super::date::{Date, Timestamp};
use super::outcome::{RiskLevel, Status, Verdict};
use serde::Deserialize;
use std::borrow::Cow;

/// Everything of one report but its findings, which are handed over one at a time as the file
/// is read (a million findings are never held at once).
#[derive(Debug, Clone)]
pub struct DecisionRecord {
    /// The file it was read from.
    pub path: String,
    /// The product gated; `None` when the run had none.
    pub product: Option<String>,
    pub evaluated_at: Timestamp,
    pub verdict: Verdict,
    /// The policy the run used (a directory, `builtin:...`, or `oci://...@sha256:...`).
    pub policy: String,
    pub images: Vec<ImageRecord>,
    pub acceptances: Vec<AcceptanceRecord>,
    /// Findings the report lists (counted while reading; equal to its `summary.findings`).
    pub findings: usize,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize, schemars::JsonSchema)]
pub struct ImageRecord {
    pub reference: String,
    pub digest: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AcceptanceRecord {
    pub id: String,
    pub finding: String,
    /// The product it was recorded for (an acceptances file may hold other products' too).
    pub product: String,
    pub risk: RiskLevel,
    pub requested_by: String,
    pub approved_by: Option<String>,
    /// As the acceptances file wrote it; [`AcceptanceRecord::expiry`] is the date it names.
    pub expires: String,
    /// Fingerprints of the findings it covered in that run.
    #[serde(default)]
    pub covers: Vec<String>,
    #[serde(default)]
    pub problems: Vec<String>,
}

impl AcceptanceRecord {
    pub fn expiry(&self) -> Option<Date> {
        Date::parse(&self.expires)
    }
}

/// One finding of a report, borrowed from the file's text where it has no escapes.
#[derive(Debug, Clone, Deserialize)]
pub struct FindingRecord<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow, default)]
    pub aliases: Vec<Text<'a>>,
    #[serde(borrow, default)]
    pub title: Option<Text<'a>>,
    pub risk: RiskLevel,
    pub status: Status,
    #[serde(borrow)]
    pub owner: OwnerRecord<'a>,
    #[serde(borrow, default)]
    pub package: Option<PackageRecord<'a>>,
    #[serde(borrow, default)]
    pub target: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub location: LocationRecord<'a>,
    #[serde(default)]
    pub due: Option<Date>,
    #[serde(default)]
    pub overdue: bool,
    /// The id of the acceptance that covered it.
    #[serde(borrow, default)]
    pub acceptance: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub fingerprint: Option<Text<'a>>,
}

/// A string of the report, borrowed from the file's text when it has no escapes (serde borrows
/// a `Cow` only when it is the whole field, hence the newtype).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl FindingRecord<'_> {
    /// Whether `id` is this finding's id or one of its aliases (case-insensitively).
    pub fn is(&self, id: &str) -> bool {
        std::iter::once(&self.id)
            .chain(&self.aliases)
            .any(|a| a.eq_ignore_ascii_case(id))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct OwnerRecord<'a> {
    /// The team that owns it (its layer's owner); `None` when it was unowned.
    #[serde(borrow)]
    pub team: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub layer: Option<Text<'a>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PackageRecord<'a> {
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow, default)]
    pub version: Option<Text<'a>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LocationRecord<'a> {
    #[serde(borrow, default)]
    pub path: Option<Text<'a>>,
    #[serde(default)]
    pub line: Option<u32>,
}
