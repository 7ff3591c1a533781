//! The CISA Known Exploited Vulnerabilities catalog, as a lookup by CVE id.

use super::{detect::Probe, InputError, Source};
pub use crate::model::intel::{Kev, KevEntry};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Catalog {
    #[serde(rename = "catalogVersion")]
    catalog_version: Option<String>,
    vulnerabilities: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(rename = "dateAdded")]
    date_added: Option<String>,
    #[serde(rename = "knownRansomwareCampaignUse")]
    ransomware: Option<String>,
}

pub(crate) fn looks_like_kev(p: &Probe) -> bool {
    p.has("catalogVersion") && p.has("vulnerabilities")
}

impl Kev {
    pub fn load(path: &Path) -> Result<Kev, InputError> {
        Kev::parse(&Source::read(path)?)
    }

    pub fn parse(src: &Source) -> Result<Kev, InputError> {
        if !Probe::scan(src.json()).as_ref().is_some_and(looks_like_kev) {
            serde_json::from_slice::<serde::de::IgnoredAny>(src.json())
                .map_err(|e| InputError::json(src, "KEV catalog", &e))?;
            return Err(InputError::Invalid {
                path: src.path.clone(),
                message: "not a CISA KEV catalog (expected `catalogVersion` and `vulnerabilities`)"
                    .into(),
                help: Some("--kev takes known_exploited_vulnerabilities.json from CISA".into()),
            });
        }
        let cat: Catalog = src.parse_json("KEV catalog")?;
        let entries = cat
            .vulnerabilities
            .into_iter()
            .map(|e| {
                (
                    e.cve_id.trim().to_ascii_uppercase(),
                    KevEntry {
                        date_added: e.date_added,
                        ransomware: e.ransomware.as_deref() == Some("Known"),
                    },
                )
            })
            .collect();
        Ok(Kev {
            version: cat.catalog_version,
            entries,
        })
    }
}
