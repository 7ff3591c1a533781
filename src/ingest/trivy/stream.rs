//! Trivy's report read in one pass: each vulnerability becomes a finding as it is parsed, so the
//! file is scanned once and no entry is held beyond its own parse (before, every entry was first
//! captured as a slice of the file and then parsed again: a pass over the whole report).
//!
//! A finding needs what comes before it in the file as Trivy writes it: the report's
//! `SchemaVersion`, `ArtifactName` and `ArtifactType`, then each result's `Target`, `Class` and
//! `Type`. Where a file puts them after (JSON does not order keys), that part is kept as slices
//! and read afterwards by [`super::read_results`], so every key order reads the same findings.

use super::{
    class_of, vuln_finding, License, Metadata, Modified, ResultAt, Scope, Secret, Str, TResult,
    Vuln,
};
use crate::model::finding::Finding;
use crate::model::finding::{push_finding, share_text};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer as _};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// The report's top-level fields, its results (their vulnerabilities already read into
/// `findings` where they could be) and those findings.
pub(super) struct OnePass<'de> {
    pub schema_version: Option<u32>,
    pub created_at: Str<'de>,
    pub artifact_name: Str<'de>,
    pub artifact_type: Str<'de>,
    pub metadata: Option<Metadata<'de>>,
    pub results: Option<Vec<TResult<'de>>>,
    pub findings: Vec<Finding>,
}

#[derive(Deserialize)]
enum ReportKey {
    SchemaVersion,
    CreatedAt,
    ArtifactName,
    ArtifactType,
    Metadata,
    Results,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
enum ResultKey {
    Target,
    Class,
    Type,
    Vulnerabilities,
    Misconfigurations,
    Secrets,
    Licenses,
    ExperimentalModifiedFindings,
    #[serde(other)]
    Other,
}

/// Parses the whole report (the file must hold nothing after it). Text that is UTF-8 as a whole
/// (checked at once, fast) is parsed as text, so the parser does not check each string again
/// (a twentieth of a large `check`); anything else is parsed as bytes, whose error names where
/// the bad byte is.
pub(super) fn parse(json: &[u8]) -> Result<OnePass<'_>, serde_json::Error> {
    match std::str::from_utf8(json) {
        Ok(text) => whole(serde_json::Deserializer::from_str(text)),
        Err(_) => whole(serde_json::Deserializer::from_slice(json)),
    }
}

fn whole<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
) -> Result<OnePass<'de>, serde_json::Error> {
    let report = de.deserialize_map(ReportVisitor)?;
    de.end()?;
    Ok(report)
}

/// A second occurrence of a key the derived structs would also refuse.
fn once<T, E: de::Error>(slot: &Option<T>, name: &'static str) -> Result<(), E> {
    match slot {
        Some(_) => Err(E::duplicate_field(name)),
        None => Ok(()),
    }
}

struct ReportVisitor;

impl<'de> Visitor<'de> for ReportVisitor {
    type Value = OnePass<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Trivy JSON report (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OnePass<'de>, A::Error> {
        // Each `Option<Option<_>>`: outer None = not seen yet, so a duplicate is refused.
        let mut version: Option<Option<u32>> = None;
        let mut created: Option<Str<'de>> = None;
        let mut name: Option<Str<'de>> = None;
        let mut kind: Option<Str<'de>> = None;
        let mut metadata: Option<Option<Metadata<'de>>> = None;
        let mut results: Option<Option<Vec<TResult<'de>>>> = None;
        let mut findings = Vec::new();
        while let Some(key) = map.next_key::<ReportKey>()? {
            match key {
                ReportKey::SchemaVersion => {
                    once(&version, "SchemaVersion")?;
                    version = Some(map.next_value()?);
                }
                ReportKey::CreatedAt => {
                    once(&created, "CreatedAt")?;
                    created = Some(map.next_value::<Option<Cow<'de, str>>>()?);
                }
                ReportKey::ArtifactName => {
                    once(&name, "ArtifactName")?;
                    name = Some(map.next_value::<Option<Cow<'de, str>>>()?);
                }
                ReportKey::ArtifactType => {
                    once(&kind, "ArtifactType")?;
                    kind = Some(map.next_value::<Option<Cow<'de, str>>>()?);
                }
                ReportKey::Metadata => {
                    once(&metadata, "Metadata")?;
                    metadata = Some(map.next_value()?);
                }
                ReportKey::Results => {
                    once(&results, "Results")?;
                    // Streamed when what its findings carry is known by now; else read whole.
                    results = Some(match (&version, &name, &kind) {
                        (Some(_), Some(n), Some(k)) => {
                            let scope = Scope::report(n, k);
                            map.next_value_seed(Results {
                                scope: &scope,
                                findings: &mut findings,
                            })?
                        }
                        _ => map.next_value()?,
                    });
                }
                ReportKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(OnePass {
            schema_version: version.flatten(),
            created_at: created.flatten(),
            artifact_name: name.flatten(),
            artifact_type: kind.flatten(),
            metadata: metadata.flatten(),
            results: results.flatten(),
            findings,
        })
    }
}

/// `Results`: null or a list of results.
struct Results<'s, 'f> {
    scope: &'s Scope<'s>,
    findings: &'f mut Vec<Finding>,
}

impl<'de> DeserializeSeed<'de> for Results<'_, '_> {
    type Value = Option<Vec<TResult<'de>>>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Results<'_, '_> {
    type Value = Option<Vec<TResult<'de>>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of Trivy results")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(r) = seq.next_element_seed(OneResult {
            scope: self.scope,
            findings: &mut *self.findings,
        })? {
            out.push(r);
        }
        Ok(Some(out))
    }
}

/// One result: its vulnerabilities become findings as they are read when its `Target`,
/// `Class` and `Type` came first; the rest of it is kept for [`super::read_results`].
struct OneResult<'s, 'f> {
    scope: &'s Scope<'s>,
    findings: &'f mut Vec<Finding>,
}

impl<'de> DeserializeSeed<'de> for OneResult<'_, '_> {
    type Value = TResult<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OneResult<'_, '_> {
    type Value = TResult<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Trivy result (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TResult<'de>, A::Error> {
        let mut target: Option<Cow<'de, str>> = None;
        let mut class: Option<Str<'de>> = None;
        let mut kind: Option<Str<'de>> = None;
        let mut vulns: Option<Option<Vec<&'de RawValue>>> = None;
        let mut misconfs: Option<Option<Vec<&'de RawValue>>> = None;
        let mut secrets: Option<Option<Vec<Secret<'de>>>> = None;
        let mut licenses: Option<Option<Vec<License<'de>>>> = None;
        let mut modified: Option<Vec<Modified<'de>>> = None;
        while let Some(key) = map.next_key::<ResultKey>()? {
            match key {
                ResultKey::Target => {
                    once(&target, "Target")?;
                    target = Some(map.next_value::<Cow<'de, str>>()?);
                }
                ResultKey::Class => {
                    once(&class, "Class")?;
                    class = Some(map.next_value::<Option<Cow<'de, str>>>()?);
                }
                ResultKey::Type => {
                    once(&kind, "Type")?;
                    kind = Some(map.next_value::<Option<Cow<'de, str>>>()?);
                }
                ResultKey::Vulnerabilities => {
                    once(&vulns, "Vulnerabilities")?;
                    vulns = Some(match (&target, &class, &kind) {
                        (Some(t), Some(c), Some(k)) => {
                            let at = ResultAt::new(class_of(c, k), k, t, self.scope);
                            map.next_value_seed(Vulns {
                                at: &at,
                                findings: &mut *self.findings,
                            })?;
                            None
                        }
                        _ => map.next_value()?,
                    });
                }
                ResultKey::Misconfigurations => {
                    once(&misconfs, "Misconfigurations")?;
                    misconfs = Some(map.next_value()?);
                }
                ResultKey::Secrets => {
                    once(&secrets, "Secrets")?;
                    secrets = Some(map.next_value()?);
                }
                ResultKey::Licenses => {
                    once(&licenses, "Licenses")?;
                    licenses = Some(map.next_value()?);
                }
                ResultKey::ExperimentalModifiedFindings => {
                    once(&modified, "ExperimentalModifiedFindings")?;
                    modified = Some(
                        map.next_value::<Option<Vec<Modified<'de>>>>()?
                            .unwrap_or_default(),
                    );
                }
                ResultKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(TResult {
            target: target.ok_or_else(|| de::Error::missing_field("Target"))?,
            class: class.flatten(),
            kind: kind.flatten(),
            vulnerabilities: vulns.flatten(),
            misconfigurations: misconfs.flatten(),
            secrets: secrets.flatten(),
            licenses: licenses.flatten(),
            modified: modified.unwrap_or_default(),
        })
    }
}

/// `Vulnerabilities`: null or a list, each entry a finding as soon as it is parsed.
struct Vulns<'a, 'f> {
    at: &'a ResultAt,
    findings: &'f mut Vec<Finding>,
}

impl<'de> DeserializeSeed<'de> for Vulns<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Vulns<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of Trivy vulnerabilities")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let first = self.findings.len();
        while let Some(v) = seq.next_element::<Vuln<'de>>()? {
            push_finding(self.findings, vuln_finding(v, self.at, None));
        }
        // Shared as each result is read, so a large report never holds a copy per finding.
        if let Some(these) = self.findings.get_mut(first..) {
            share_text(these);
        }
        Ok(())
    }
}
