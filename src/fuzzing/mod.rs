//! What the fuzz targets (`fuzz/`) run, one function per target, and what `cargo test` replays
//! on every seed and past crash input (`tests/it/fuzz_replay.rs`). Each function takes arbitrary
//! bytes, must never panic, and checks the properties the code promises on whatever it accepts.
//!
//! This module and everything it reaches (`ingest`, `policy`, `workflow`, `finding`, `date`,
//! `cvss`) is the input layer: `fuzz/src/lib.rs` compiles exactly these files as a crate of their
//! own, so the input layer cannot come to depend on the decision core, the network or crypto.

use crate::ingest::epss::Epss;
use crate::ingest::kev::Kev;
use crate::ingest::{parse_report, Source};
use crate::model::date::{Date, Timestamp};
use crate::model::finding::dedup;
use crate::policy::acceptances::AcceptancesFile;
use crate::policy::guardrails::Guardrails;
use crate::policy::ownership::Ownership;
use crate::policy::yaml::YamlFile;
use crate::policy::BUILTIN_OWNERSHIP;
use crate::write::acceptances::{append, insert_after, Entry};

/// One fuzz target: arbitrary bytes in, a panic when a property fails.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name: what `fuzz/run.sh` builds and `tests/it/fuzz_replay.rs` replays.
pub const TARGETS: &[(&str, Target)] = &[
    ("report", report),
    ("policy", policy),
    ("threat_intel", threat_intel),
    ("timestamp", timestamp),
    ("acceptances_edit", acceptances_edit),
];

/// Report ingestion and deduplication: a report that parses dedups to findings that are
/// already canonical (deduplicating again changes nothing) and have fingerprints.
pub fn report(data: &[u8]) {
    let src = Source::from_bytes("fuzz.json", data.to_vec());
    let Ok(parsed) = parse_report(&src) else {
        return;
    };
    let once = dedup(parsed.findings);
    let fingerprints: Vec<String> = once.iter().map(|f| f.fingerprint.to_string()).collect();
    assert!(
        fingerprints.iter().all(|f| f.len() == 32),
        "fingerprint shape"
    );
    let twice = dedup(once);
    let again: Vec<String> = twice.iter().map(|f| f.fingerprint.to_string()).collect();
    assert_eq!(fingerprints, again, "dedup is idempotent");
}

/// The three policy files: each text as ownership.yaml, guardrails.yaml and an acceptances
/// file, parsed with positions and validated against the built-in policy.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The built-in register, parsed once for the whole run rather than once per input.
    static BUILTIN: std::sync::OnceLock<Ownership> = std::sync::OnceLock::new();
    let own = BUILTIN.get_or_init(|| {
        match YamlFile::parse::<Ownership>("ownership.yaml".into(), BUILTIN_OWNERSHIP.into()) {
            Ok((own, _)) => own,
            Err(e) => panic!("the built-in ownership register does not parse: {e}"),
        }
    });
    if let Ok((o, f)) = YamlFile::parse::<Ownership>("ownership.yaml".into(), text.into()) {
        let _ = o.validate(&f);
    }
    if let Ok((g, f)) = YamlFile::parse::<Guardrails>("guardrails.yaml".into(), text.into()) {
        let products: Vec<&str> = own.products.keys().map(String::as_str).collect();
        let _ = g.validate(&f, &products);
    }
    if let Ok((a, f)) = YamlFile::parse::<AcceptancesFile>("acceptances.yaml".into(), text.into()) {
        let _ = a.validate(&f, own);
    }
}

/// The CISA KEV catalog and FIRST EPSS CSV (plain or gzipped).
pub fn threat_intel(data: &[u8]) {
    let src = Source::from_bytes("fuzz", data.to_vec());
    if let Ok(kev) = Kev::parse(&src) {
        let _ = kev.len();
    }
    if let Ok(epss) = Epss::parse(&src) {
        let _ = epss.len();
    }
}

/// Dates and timestamps: whatever parses prints as RFC 3339 UTC and parses back to itself.
pub fn timestamp(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(t) = Timestamp::parse(text) {
        let shown = t.to_string();
        assert_eq!(Timestamp::parse(&shown), Some(t), "{shown} round-trips");
    }
    if let Some(d) = Date::parse(text) {
        assert_eq!(Date::parse(&d.to_string()), Some(d), "date round-trips");
    }
}

/// The acceptances text editor (`riskgate accept` / `approve`): appending an entry to a file
/// that parses gives a file that parses, with one more acceptance, the new one last; adding an
/// `approved_by` line after it keeps the file parsing.
pub fn acceptances_edit(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok((before, _)) = YamlFile::parse::<AcceptancesFile>("a.yaml".into(), text.into()) else {
        return;
    };
    let day = Date::from_ymd(2026, 12, 1).unwrap_or_else(|| unreachable!("a valid date"));
    let entry = Entry {
        id: "ACC-9999".into(),
        finding: "CVE-2024-0001",
        package: Some("openssl"),
        // Paths with YAML's and JSON's special characters: the edit must read back as written.
        paths: vec!["src/a: b.py".into(), "\"q\"#x".into()],
        fingerprints: vec!["0123456789abcdef0123456789abcdef".into()],
        anywhere: false,
        kind: Some(crate::model::finding::Kind::Weakness),
        product: "payments-api",
        risk: crate::policy::levels::RiskLevel::Low,
        reason: "fuzz: \"quoted\" reason: with colon",
        requested_by: "dev@example.com",
        requested_approver: None,
        created: day,
        expires: day,
        ticket: None,
    };
    // A list written inline cannot be appended to as text; `accept` says so.
    let Some(edited) = append(text, &entry) else {
        return;
    };
    let parsed = YamlFile::parse::<AcceptancesFile>("a.yaml".into(), edited.clone());
    let Ok((after, file)) = parsed else {
        panic!("appending to a valid acceptances file broke it:\n{edited}");
    };
    assert_eq!(after.acceptances.len(), before.acceptances.len() + 1);
    let last = after.acceptances.last();
    assert_eq!(
        last.map(|a| a.id.as_str()),
        Some("ACC-9999"),
        "the new entry is the last one"
    );
    assert_eq!(
        last.map(|a| &a.paths[..]),
        Some(&entry.paths[..]),
        "paths read back as written"
    );
    let index = after.acceptances.len() - 1;
    let line = file.line_of(&format!("acceptances.{index}.requested_by"));
    let approved = line.and_then(|l| insert_after(&edited, l, "approved_by", "risk@example.com"));
    if let Some(with) = approved {
        assert!(
            YamlFile::parse::<AcceptancesFile>("a.yaml".into(), with.clone()).is_ok(),
            "adding approved_by broke the file:\n{with}"
        );
    }
}
