//! VEX statements (OpenVEX, CycloneDX VEX, CSAF VEX), normalised.
//!
//! A statement says a vulnerability does or does not affect some products. Only `not_affected`
//! and `fixed` suppress a finding. Product matching is by package URL: a statement about
//! `pkg:apk/alpine/libssl3@3.0.8-r3` suppresses that package at that version, a purl without a
//! version suppresses every version. A statement whose products are not package URLs (a product
//! name or a CycloneDX ref) is about the product the document was issued for, which is the product
//! being gated, so it applies to every finding with that vulnerability id.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    NotAffected,
    Fixed,
    Affected,
    UnderInvestigation,
}

impl VexStatus {
    pub fn parse(s: &str) -> Option<VexStatus> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "not_affected" | "false_positive" | "known_not_affected" => {
                Some(VexStatus::NotAffected)
            }
            "fixed" | "first_fixed" | "resolved" | "resolved_with_pedigree" => {
                Some(VexStatus::Fixed)
            }
            "affected" | "exploitable" | "known_affected" => Some(VexStatus::Affected),
            "under_investigation" | "in_triage" => Some(VexStatus::UnderInvestigation),
            _ => None,
        }
    }

    pub fn suppresses(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Fixed => "fixed",
            VexStatus::Affected => "affected",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VexStatement {
    /// The vulnerability id and its aliases as the document gives them.
    pub vulnerability: Vec<String>,
    /// Package URLs the statement is about; empty when the document names the product only.
    pub purls: Vec<String>,
    pub status: VexStatus,
    pub justification: Option<String>,
    /// The document (file) the statement came from.
    pub document: String,
}

/// A purl split into the parts compared for VEX: `type/namespace/name` and the version.
/// Qualifiers (`?arch=...`) and subpaths are ignored; percent-encoding is decoded for `@`/`:`.
pub fn purl_key(purl: &str) -> Option<(String, Option<String>)> {
    let p = purl.trim();
    let rest = p.strip_prefix("pkg:")?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (path, version) = match rest.rsplit_once('@') {
        Some((path, version)) => (path, Some(decode(version))),
        None => (rest, None),
    };
    Some((decode(path).to_ascii_lowercase(), version))
}

fn decode(s: &str) -> String {
    s.replace("%40", "@")
        .replace("%3A", ":")
        .replace("%3a", ":")
        .replace("%2B", "+")
        .replace("%2b", "+")
}

impl VexStatement {
    /// Whether the statement speaks about a package with this purl (or, lacking one, name and
    /// version). Statements without package URLs speak about every package.
    pub fn matches_package(
        &self,
        purl: Option<&str>,
        name: Option<&str>,
        version: Option<&str>,
    ) -> bool {
        if self.purls.is_empty() {
            return true;
        }
        let want = purl.and_then(purl_key);
        self.purls
            .iter()
            .filter_map(|p| purl_key(p))
            .any(|(path, ver)| {
                if path.starts_with("oci/") {
                    // an image-level statement without subcomponents: about the image being gated
                    return true;
                }
                let path_ok = match &want {
                    Some((wp, _)) => *wp == path,
                    None => name
                        .is_some_and(|n| path.rsplit('/').next() == Some(&n.to_ascii_lowercase())),
                };
                let ver_ok = match (&ver, want.as_ref().and_then(|w| w.1.as_deref()).or(version)) {
                    (None, _) => true,
                    (Some(v), Some(have)) => v == have,
                    (Some(_), None) => false,
                };
                path_ok && ver_ok
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(purls: &[&str]) -> VexStatement {
        VexStatement {
            vulnerability: vec!["CVE-1".into()],
            purls: purls.iter().map(|s| s.to_string()).collect(),
            status: VexStatus::NotAffected,
            justification: None,
            document: "d".into(),
        }
    }

    #[test]
    fn purl_matching_ignores_qualifiers_and_respects_versions() {
        let s = st(&["pkg:apk/alpine/libssl3@3.0.8-r3"]);
        assert!(s.matches_package(
            Some("pkg:apk/alpine/libssl3@3.0.8-r3?arch=x86_64&distro=3.17"),
            None,
            None
        ));
        assert!(!s.matches_package(Some("pkg:apk/alpine/libssl3@3.0.9-r0"), None, None));
        assert!(!s.matches_package(Some("pkg:apk/alpine/libcrypto3@3.0.8-r3"), None, None));
        assert!(s.matches_package(None, Some("libssl3"), Some("3.0.8-r3")));
        assert!(
            st(&["pkg:golang/github.com/docker/distribution"]).matches_package(
                Some("pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible"),
                None,
                None
            )
        );
        assert!(st(&[]).matches_package(None, None, None));
        assert!(st(&["pkg:golang/x@v1.0.0%2Bincompatible"]).matches_package(
            Some("pkg:golang/x@v1.0.0+incompatible"),
            None,
            None
        ));
    }

    #[test]
    fn statuses() {
        assert_eq!(
            VexStatus::parse("not_affected"),
            Some(VexStatus::NotAffected)
        );
        assert_eq!(VexStatus::parse("resolved"), Some(VexStatus::Fixed));
        assert_eq!(
            VexStatus::parse("in_triage"),
            Some(VexStatus::UnderInvestigation)
        );
        assert_eq!(VexStatus::parse("exploitable"), Some(VexStatus::Affected));
        assert!(!VexStatus::Affected.suppresses());
        assert_eq!(VexStatus::parse("maybe"), None);
    }
}
