//! The one finding model every input format is normalised into.
//!
//! A `Finding` is a finding's identity (id, package, location) plus what the scanners said about
//! it (severity, fix, title). Deduplication merges findings with the same identity reported by
//! several tools or several reports; it never drops one.

pub use super::findings::{dedup, push_finding, share_text};
pub use compact_str::CompactString;

/// The tools that reported a finding: one, until dedup merges reports of it from several.
pub type Tools = smallvec::SmallVec<[CompactString; 1]>;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A scanner's severity, normalised. `Unknown` means the scanner gave none; the guardrails decide
/// what it counts as (`risk.unknown_severity`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Unknown,
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Reads the severity words scanners use (`CRITICAL`, `High`, `moderate`, `info`, `negligible`...).
    pub fn parse(s: &str) -> Severity {
        match s.trim().to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" | "important" => Severity::High,
            "medium" | "moderate" => Severity::Medium,
            "low" | "minor" => Severity::Low,
            "none" | "info" | "informational" | "negligible" => Severity::None,
            _ => Severity::Unknown,
        }
    }

    /// CVSS qualitative rating scale (also used for SARIF `security-severity`).
    pub fn from_score(score: f64) -> Severity {
        if !score.is_finite() {
            Severity::Unknown
        } else if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score >= 0.1 {
            Severity::Low
        } else {
            Severity::None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Vulnerability,
    Misconfiguration,
    Secret,
    Weakness,
    License,
}

impl Kind {
    /// Findings in the product's own code or configuration (a rule at a place), as opposed to
    /// a package's vulnerability or license: what is accepted where it is.
    pub fn is_code(self) -> bool {
        matches!(self, Kind::Weakness | Kind::Secret | Kind::Misconfiguration)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Vulnerability => "vulnerability",
            Kind::Misconfiguration => "misconfiguration",
            Kind::Secret => "secret",
            Kind::Weakness => "weakness",
            Kind::License => "license",
        }
    }
}

/// What a report is a scan of, derived from its content (SPEC §7): what `require_reports` asks
/// for. Declared in the order of the names, so sorted kinds read alphabetically.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ScanKind {
    ContainerScanning,
    /// Dynamic scans: GitLab DAST, API fuzzing and coverage fuzzing.
    Dast,
    DependencyScanning,
    Iac,
    LicenseScanning,
    Sast,
    SecretDetection,
    /// VEX statements: not a scan, and never required.
    Vex,
}

impl ScanKind {
    /// The kinds of scan that report findings of kind `k`.
    pub fn finding(k: Kind) -> &'static [ScanKind] {
        match k {
            Kind::Vulnerability => &[
                ScanKind::ContainerScanning,
                ScanKind::DependencyScanning,
                ScanKind::Dast,
            ],
            Kind::Weakness => &[ScanKind::Sast, ScanKind::Dast],
            Kind::Secret => &[ScanKind::SecretDetection],
            Kind::Misconfiguration => &[ScanKind::Iac],
            Kind::License => &[ScanKind::LicenseScanning],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScanKind::ContainerScanning => "container_scanning",
            ScanKind::Dast => "dast",
            ScanKind::DependencyScanning => "dependency_scanning",
            ScanKind::Iac => "iac",
            ScanKind::LicenseScanning => "license_scanning",
            ScanKind::Sast => "sast",
            ScanKind::SecretDetection => "secret_detection",
            ScanKind::Vex => "vex",
        }
    }
}

/// Kinds compare with their names (`kinds == ["sast"]`), as reports and policies write them.
impl PartialEq<&str> for ScanKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for ScanKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scanner's own word on a finding's state, in Trivy's vocabulary (which Grype's fix states
/// map onto): what the vendor's advisory says of the package in this distribution.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    Affected,
    Fixed,
    NotAffected,
    UnderInvestigation,
    WillNotFix,
    FixDeferred,
    EndOfLife,
}

impl ScanStatus {
    /// Trivy's `Status` values; `unknown` and anything else is no status.
    pub fn parse(s: &str) -> Option<ScanStatus> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "affected" => ScanStatus::Affected,
            "fixed" => ScanStatus::Fixed,
            "not_affected" => ScanStatus::NotAffected,
            "under_investigation" => ScanStatus::UnderInvestigation,
            "will_not_fix" => ScanStatus::WillNotFix,
            "fix_deferred" => ScanStatus::FixDeferred,
            "end_of_life" => ScanStatus::EndOfLife,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Affected => "affected",
            ScanStatus::Fixed => "fixed",
            ScanStatus::NotAffected => "not_affected",
            ScanStatus::UnderInvestigation => "under_investigation",
            ScanStatus::WillNotFix => "will_not_fix",
            ScanStatus::FixDeferred => "fix_deferred",
            ScanStatus::EndOfLife => "end_of_life",
        }
    }
}

/// Whether a package came with the operating system (apk, deb, rpm...) or is an application library.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PackageClass {
    Os,
    Library,
}

impl PackageClass {
    /// Classifies by package type / purl type / ecosystem name.
    pub fn from_type(t: &str) -> PackageClass {
        match t.to_ascii_lowercase().as_str() {
            "apk" | "deb" | "dpkg" | "rpm" | "alpm" | "alpine" | "debian" | "ubuntu" | "redhat"
            | "centos" | "rocky" | "alma" | "amazon" | "oracle" | "photon" | "suse"
            | "opensuse" | "opensuse.leap" | "sles" | "wolfi" | "chainguard" | "cbl-mariner"
            | "azurelinux" | "fedora" | "linux-kernel" | "portage" | "nix" => PackageClass::Os,
            _ => PackageClass::Library,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PackageClass::Os => "os",
            PackageClass::Library => "library",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Package {
    pub name: CompactString,
    pub version: Option<CompactString>,
    pub class: Option<PackageClass>,
    pub purl: Option<Box<str>>,
    /// Shared by the findings of one report section (Trivy's result type, OSV's ecosystem).
    pub ecosystem: Option<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Location {
    pub path: Option<Box<str>>,
    pub line: Option<u32>,
    /// The image layer (DiffID or digest) the finding sits in, when the scanner says. Shared
    /// ([`share_text`]), as the target is.
    pub layer_digest: Option<Arc<str>>,
    /// What the finding sits in beyond a file: a Kubernetes resource (`namespace/Kind/name`),
    /// a DAST endpoint (`GET https://host/path [param]`). Part of the finding's identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Box<str>>,
}

/// One finding, normalised. Short text (ids, tool names, package names and versions) is a
/// `CompactString`, held inline up to 24 bytes; longer text a `Box<str>`; what many findings
/// repeat (targets, layers, ecosystems) an `Arc<str>` they share. A lean Trivy entry of 350
/// bytes had twelve heap strings of its own (issue 13's memory bound).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub id: CompactString,
    pub aliases: Vec<String>,
    pub kind: Kind,
    /// Nearly always one: held inline ([`Tools`]).
    pub tools: Tools,
    pub severity: Severity,
    pub cvss: Option<f64>,
    pub package: Option<Package>,
    pub fixed_version: Option<CompactString>,
    /// `Some(false)` when the scanner says no fix exists (`wont-fix`, `not-fixed`); `None` when unknown.
    pub fix_available: Option<bool>,
    /// What the scanner itself says of the finding's state (Trivy's `Status`, Grype's fix
    /// state). A fact for guardrail rules (`when: {status: ...}`), never a suppression by itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ScanStatus>,
    pub location: Location,
    pub target: Option<Arc<str>>,
    pub title: Option<Box<str>>,
    pub published: Option<CompactString>,
    pub fingerprint: Box<str>,
    /// A suppression the scanner recorded (SARIF `suppressions`, an ignore rule): a claim the
    /// guardrails weigh (`scanner_suppressions`), never a suppression by itself. Boxed: rare.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scanner_suppression: Option<Box<ScannerSuppression>>,
}

/// What a scanner says about a result it suppressed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct ScannerSuppression {
    /// The tool that suppressed it.
    pub tool: String,
    /// How: `inSource` (`# nosec`, `// NOSONAR`), `external` (a baseline or ignore file), or the
    /// scanner's own word (`ignored`).
    pub kind: String,
    /// The justification the suppression gives, if any.
    pub justification: Option<String>,
}

/// Whether an identifier is a vulnerability database's (CVE, GHSA, OSV's ecosystems,
/// distributions' advisories): what a finding of kind vulnerability is named by, as opposed to a
/// rule id.
pub fn is_vulnerability_id(id: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "CVE-",
        "GHSA-",
        "GO-",
        "PYSEC-",
        "RUSTSEC-",
        "OSV-",
        "GSD-",
        "MAL-",
        "DLA-",
        "DSA-",
        "DTSA-",
        "RHSA-",
        "RHBA-",
        "RHEA-",
        "ALSA-",
        "RLSA-",
        "ELSA-",
        "USN-",
        "ALAS",
        "SUSE-",
        "openSUSE-",
        "CGA-",
        "BIT-",
        "SNYK-",
        "NSWG-",
        "HSEC-",
        "PSF-",
        "RXSA-",
        "MGASA-",
        "ALPINE-",
        "LBSEC-",
        "UVI-",
        "JLSEC-",
        "EEF-",
        "CURL-",
        "DRUPAL-",
        "OESA-",
    ];
    PREFIXES.iter().any(|p| {
        id.len() > p.len()
            && id
                .as_bytes()
                .get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes()))
    })
}

/// Whether an identifier names a CVE (the id KEV and EPSS are keyed by).
pub fn is_cve(id: &str) -> bool {
    id.len() > 4
        && id
            .as_bytes()
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"CVE-"))
}

/// Trims `./` and leading `/` so the same file reported by two tools compares equal.
pub fn normalise_path(p: &str) -> String {
    // Leading blanks, `./` and `/` in any order (`/./app.py`, `./ /app.py`), until none is left:
    // normalising a normalised path changes nothing, so dedup is idempotent (a fuzz finding).
    let mut p = p.trim();
    loop {
        let next = p.trim_start_matches('/').trim_start();
        let next = next.strip_prefix("./").unwrap_or(next);
        if next == p {
            return p.trim_end().to_string();
        }
        p = next;
    }
}

impl Finding {
    /// A finding with its identity and nothing else; formats fill in the rest.
    pub fn new(
        id: impl Into<CompactString>,
        kind: Kind,
        tool: impl Into<CompactString>,
    ) -> Finding {
        Finding {
            id: id.into(),
            kind,
            tools: smallvec::smallvec![tool.into()],
            ..Finding::vacant()
        }
    }

    /// A finding with nothing in it and nothing allocated: what a merged duplicate leaves
    /// behind in dedup, and the base of [`Finding::new`].
    pub(crate) fn vacant() -> Finding {
        Finding {
            id: CompactString::const_new(""),
            aliases: Vec::new(),
            kind: Kind::Vulnerability,
            tools: Tools::new(),
            severity: Severity::Unknown,
            cvss: None,
            package: None,
            fixed_version: None,
            fix_available: None,
            status: None,
            location: Location::default(),
            target: None,
            title: None,
            published: None,
            fingerprint: Box::default(),
            scanner_suppression: None,
        }
    }

    /// Every identifier of this finding: its id then its aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    pub fn cve(&self) -> Option<&str> {
        self.ids().find(|i| is_cve(i))
    }

    /// Puts the finding in canonical form: the id becomes the CVE when one of the ids is a CVE
    /// (so GHSA and CVE reports of one flaw meet), aliases sorted and deduplicated, paths
    /// normalised, and the fingerprint computed from the identity. Returns the fingerprint's
    /// 128 bits, which dedup keys its index by.
    pub fn canonicalise(&mut self) -> u128 {
        if self.id.trim().len() != self.id.len() {
            self.id = self.id.trim().into();
        }
        if !is_cve(&self.id) {
            let mut cves: Vec<&String> = self.aliases.iter().filter(|a| is_cve(a)).collect();
            cves.sort();
            if let Some(cve) = cves.first().map(|c| CompactString::from(c.as_str())) {
                let old = std::mem::replace(&mut self.id, cve);
                self.aliases.push(old.into());
            }
        }
        let id = self.id.clone();
        self.aliases.retain(|a| !a.trim().is_empty() && *a != id);
        self.aliases.sort();
        self.aliases.dedup();
        self.tools.sort();
        self.tools.dedup();
        if let Some(p) = &self.location.path {
            let n = normalise_path(p);
            self.location.path = if n.is_empty() { None } else { Some(n.into()) };
        }
        if self
            .fixed_version
            .as_deref()
            .is_some_and(|v| v.trim().is_empty())
        {
            self.fixed_version = None;
        }
        if self.fixed_version.is_some() && self.fix_available.is_none() {
            self.fix_available = Some(true);
        }
        let digest = self.identity_digest();
        self.fingerprint = hex::encode(digest).into();
        u128::from_be_bytes(digest)
    }

    /// The identity used for deduplication, hashed as it is read (no key is built). OS
    /// packages are one per image, so their file path (which differs between scanners: Trivy
    /// names the image, Grype the package database) is not part of it; a library's path is (the
    /// same library can be vendored twice).
    fn identity_digest(&self) -> [u8; 16] {
        // Each part ends in a NUL, as the key riskgate always hashed (fingerprints are stable).
        fn part(h: &mut Sha256, s: &str) {
            h.update(s.as_bytes());
            h.update([0u8]);
        }
        let mut h = Sha256::new();
        part(&mut h, self.kind.as_str());
        part(&mut h, &self.id);
        let os = matches!(
            self.package.as_ref().and_then(|p| p.class),
            Some(PackageClass::Os)
        );
        if let Some(p) = &self.package {
            part(&mut h, &p.name);
            h.update(p.version.as_deref().unwrap_or("").as_bytes());
        }
        h.update([0u8]);
        // Only when present, so the fingerprints of findings without one do not change.
        if let Some(r) = &self.location.resource {
            part(&mut h, r);
        }
        if !os {
            part(&mut h, self.location.path.as_deref().unwrap_or(""));
            if let Some(l) = self.location.line {
                h.update(l.to_string().as_bytes());
            }
        }
        let mut digest = [0u8; 16];
        digest.copy_from_slice(&h.finalize()[..16]);
        digest
    }

    /// Folds another report of the same finding into this one. Where tools disagree on severity
    /// the higher one is kept (a gate errs towards caution); other facts fill gaps, and where
    /// both give one the least is kept (see [`least`]), so merging is order-independent.
    pub(crate) fn absorb(&mut self, other: Finding) {
        self.tools.extend(other.tools);
        self.tools.sort();
        self.tools.dedup();
        self.aliases.extend(other.aliases);
        self.aliases.sort();
        self.aliases.dedup();
        if other.severity > self.severity {
            self.severity = other.severity;
        }
        self.cvss = match (self.cvss, other.cvss) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if let (Some(mine), Some(theirs)) = (&mut self.package, other.package) {
            mine.purl = least(mine.purl.take(), theirs.purl);
            mine.ecosystem = least(mine.ecosystem.take(), theirs.ecosystem);
            mine.class = least(mine.class, theirs.class);
        }
        self.fixed_version = least(self.fixed_version.take(), other.fixed_version);
        self.fix_available = match (self.fix_available, other.fix_available) {
            (Some(a), Some(b)) => Some(a || b),
            (a, b) => a.or(b),
        };
        // OS packages are one per image whatever path each scanner names (see identity_digest).
        self.location.path = least(self.location.path.take(), other.location.path);
        self.location.line = least(self.location.line, other.location.line);
        self.location.layer_digest = least(
            self.location.layer_digest.take(),
            other.location.layer_digest,
        );
        self.location.resource = least(self.location.resource.take(), other.location.resource);
        self.status = least(self.status.take(), other.status);
        self.target = least(self.target.take(), other.target);
        self.title = least(self.title.take(), other.title);
        self.published = least(self.published.take(), other.published);
        // Suppressed only when every report of it is: one tool's unsuppressed result stands.
        self.scanner_suppression =
            match (self.scanner_suppression.take(), other.scanner_suppression) {
                (Some(a), Some(b)) => Some(a.min(b)),
                _ => None,
            };
    }
}

/// Where two reports of one finding both give a fact and disagree, the least value is kept, so
/// the merged finding does not depend on the order the reports were given in.
fn least<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Positions by the ids they name (lower case), each position once per id; `pairs` come in
/// ascending position order.
pub fn id_index<'a>(
    pairs: impl IntoIterator<Item = (usize, &'a str)>,
) -> HashMap<String, Vec<usize>> {
    let mut m: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, id) in pairs {
        let list = m.entry(id.trim().to_ascii_lowercase()).or_default();
        if list.last() != Some(&i) {
            list.push(i);
        }
    }
    m
}

/// Positions in an id index (acceptances or VEX statements by lower-case id) of the entries
/// naming one of the finding's ids, in ascending order.
pub fn candidates(index: &HashMap<String, Vec<usize>>, f: &Finding) -> Vec<usize> {
    let mut out: Vec<usize> = f
        .ids()
        .filter_map(|id| index.get(&id.to_ascii_lowercase()))
        .flatten()
        .copied()
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn path_normalisation_is_a_fixed_point() {
        for (given, want) in [
            ("/./app.py", "app.py"),
            ("./ /app.py", "app.py"),
            (" ././/src/a.rs ", "src/a.rs"),
            ("src/./a.rs", "src/./a.rs"),
            (".", "."),
            ("", ""),
        ] {
            let once = super::normalise_path(given);
            assert_eq!(once, want, "{given:?}");
            assert_eq!(super::normalise_path(&once), once, "{given:?}");
        }
    }

    #[test]
    fn cve_ids_are_recognised_without_slicing_text() {
        assert!(super::is_cve("CVE-2021-44228"));
        assert!(super::is_cve("cve-2021-44228"));
        for id in ["CVE-", "CVEé-1", "éCVE-1", "GHSA-aaaa-bbbb-cccc", "", "CV"] {
            assert!(!super::is_cve(id), "{id}");
        }
    }

    use super::*;

    fn vuln(id: &str, tool: &str, path: &str) -> Finding {
        let mut f = Finding::new(id, Kind::Vulnerability, tool);
        f.package = Some(Package {
            name: "uri".into(),
            version: Some("0.10.1".into()),
            class: Some(PackageClass::Library),
            ..Package::default()
        });
        f.location.path = Some(path.into());
        f
    }

    #[test]
    fn ghsa_with_cve_alias_meets_the_cve() {
        let mut a = vuln("GHSA-hv5j-3h9f-99c2", "grype", "/usr/lib/uri.gemspec");
        a.aliases.push("CVE-2023-28755".into());
        a.severity = Severity::High;
        let mut b = vuln("CVE-2023-28755", "trivy", "usr/lib/uri.gemspec");
        b.severity = Severity::Medium;
        let out = dedup(vec![a, b]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].id, "CVE-2023-28755");
        assert_eq!(out[0].aliases, vec!["GHSA-hv5j-3h9f-99c2"]);
        assert_eq!(out[0].tools.as_slice(), ["grype", "trivy"]);
        assert_eq!(out[0].severity, Severity::High);
    }

    #[test]
    fn same_library_at_two_paths_stays_two_findings() {
        let out = dedup(vec![
            vuln("CVE-1", "t", "a/package-lock.json"),
            vuln("CVE-1", "t", "b/package-lock.json"),
        ]);
        assert_eq!(out.len(), 2);
        assert_ne!(out[0].fingerprint, out[1].fingerprint);
    }

    #[test]
    fn severity_words_and_scores() {
        assert_eq!(Severity::parse("MODERATE"), Severity::Medium);
        assert_eq!(Severity::parse("Negligible"), Severity::None);
        assert_eq!(Severity::parse("bogus"), Severity::Unknown);
        assert_eq!(Severity::from_score(9.0), Severity::Critical);
        assert_eq!(Severity::from_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_score(0.0), Severity::None);
        assert_eq!(Severity::from_score(f64::NAN), Severity::Unknown);
    }
}
