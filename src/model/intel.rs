//! Threat intel as the decision core reads it: CISA KEV entries and FIRST EPSS scores, looked up
//! by CVE id. Reading the catalog and the CSV is ingestion's (`ingest::kev`, `ingest::epss`).

use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct KevEntry {
    pub date_added: Option<String>,
    pub ransomware: bool,
}

/// CVE id (upper case) → catalog entry.
#[derive(Debug, Clone, Default)]
pub struct Kev {
    pub version: Option<String>,
    pub(crate) entries: HashMap<String, KevEntry>,
}

impl Kev {
    pub fn get(&self, cve: &str) -> Option<&KevEntry> {
        self.entries.get(&cve.to_ascii_uppercase())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpssScore {
    pub probability: f64,
    pub percentile: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct Epss {
    pub model_version: Option<String>,
    pub score_date: Option<String>,
    pub(crate) scores: HashMap<String, EpssScore>,
}

impl Epss {
    pub fn get(&self, cve: &str) -> Option<EpssScore> {
        self.scores.get(&cve.to_ascii_uppercase()).copied()
    }

    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }
}
