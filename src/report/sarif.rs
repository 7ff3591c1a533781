//! `sarif`: SARIF 2.1.0 for GitHub code scanning. One result per non-suppressed finding and per
//! failed image/artifact check; one rule per id, with help text (owner, why, how to unblock) and
//! `security-severity` from the risk level; `partialFingerprints` from riskgate's fingerprint,
//! which is stable across runs and tools. The level follows the status: blocked → error,
//! warned → warning, accepted → note, passed and suppressed → none.
//!
//! Decisions taken are SARIF `suppressions` (§3.27.23), as SARIF consumers read them: an
//! accepted finding carries one of kind `external`, status `accepted`, whose justification names
//! the acceptance, its approver, expiry and reason; a finding suppressed by trusted VEX or by a
//! scanner suppression that the guardrails honour carries one too; a scanner's suppression the
//! guardrails refused is carried with status `rejected`, so the result stays open.

use super::items::{checks_and_rules, finding_item, Item};
use super::parallel::{pretty_at, split_at, write_array, Hole};
use super::View;
use crate::decide::Decided;
use crate::decide::Status;
use crate::policy::levels::RiskLevel;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::io::{self, Write};

fn level(s: Status) -> &'static str {
    match s {
        Status::Blocked => "error",
        Status::Warned | Status::WouldBlock => "warning",
        Status::Accepted => "note",
        Status::Passed | Status::Suppressed | Status::SuppressedByScanner => "none",
    }
}

/// GitHub's scale: ≥9 critical, ≥7 high, ≥4 medium, >0 low.
fn security_severity(r: Option<RiskLevel>) -> &'static str {
    match r {
        Some(RiskLevel::Critical) => "9.5",
        Some(RiskLevel::High) => "8.0",
        Some(RiskLevel::Medium) => "5.5",
        Some(RiskLevel::Low) => "3.0",
        Some(RiskLevel::None) => "0.0",
        // A failed image or artifact check blocks the deploy: as serious as high.
        None => "8.0",
    }
}

/// One rule per id, described by the first entry with that id.
#[derive(Serialize)]
struct Rule {
    id: String,
    name: String,
    #[serde(rename = "shortDescription")]
    short: Text,
    #[serde(rename = "fullDescription")]
    full: Text,
    help: Help,
    #[serde(rename = "defaultConfiguration")]
    config: Config,
    properties: RuleProps,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Config {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProps {
    #[serde(rename = "security-severity")]
    severity: &'static str,
    tags: [&'static str; 2],
}

fn rule(it: &Item) -> Rule {
    let help = format!(
        "{}\n\nOwner: {}\nWhy: {}{}",
        it.title,
        it.owner,
        it.why,
        it.unblock
            .as_ref()
            .map(|u| format!("\nUnblock: {u}"))
            .unwrap_or_default()
    );
    let kind = it.finding.map_or("deployment", |d| d.finding.kind.as_str());
    Rule {
        id: it.rule_id.clone(),
        name: it.rule_id.clone(),
        short: Text {
            text: it.title.clone(),
        },
        full: Text {
            text: it.title.clone(),
        },
        help: Help {
            markdown: help.replace('\n', "  \n"),
            text: help,
        },
        config: Config {
            level: level(it.status),
        },
        properties: RuleProps {
            severity: security_severity(it.risk),
            tags: ["security", kind],
        },
    }
}

#[derive(Serialize)]
struct SarifResult<'a> {
    #[serde(rename = "ruleId")]
    rule_id: String,
    #[serde(rename = "ruleIndex")]
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(rename = "partialFingerprints")]
    fingerprints: Fingerprints,
    properties: ResultProps,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[Location<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression; 1]>,
}

/// SARIF `suppression` (§3.34).
#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

/// The decision on a finding as a SARIF suppression, when one was taken (or refused).
fn suppression(it: &Item<'_>) -> Option<[Suppression; 1]> {
    let d = it.finding?;
    let s = match d.status {
        Status::Accepted => {
            let a = d.acceptance?;
            let approver = match (&a.approved_by, &d.approval) {
                (Some(by), Some(proof)) => format!("approved by {by} ({proof})"),
                (Some(by), None) => format!("approved by {by}"),
                (None, _) => format!("accepted by {} within the team's guardrail", a.requested_by),
            };
            Suppression {
                kind: "external",
                status: "accepted",
                justification: format!(
                    "riskgate acceptance {}: {approver}, until {}: {}",
                    a.id, a.expires, a.reason
                ),
            }
        }
        Status::Suppressed | Status::SuppressedByScanner => {
            let by = d.suppressed_by.as_ref()?;
            let kind = if by.source == "scanner" && by.status == "inSource" {
                "inSource"
            } else {
                "external"
            };
            let why = by
                .justification
                .map(|j| format!(": {j}"))
                .unwrap_or_default();
            Suppression {
                kind,
                status: "accepted",
                justification: format!(
                    "{} {} in {} ({}){why}",
                    by.source, by.status, by.document, by.trusted
                ),
            }
        }
        _ => {
            let by = d.scanner_suppression?;
            let why = by
                .justification
                .as_deref()
                .map(|j| format!(" ({j})"))
                .unwrap_or_default();
            Suppression {
                kind: if by.kind == "inSource" { "inSource" } else { "external" },
                status: "rejected",
                justification: format!(
                    "{}'s {} suppression{why} is not honoured at risk {}: a developer's decision, above what guardrails.yaml `scanner_suppressions` lets stand",
                    by.tool, by.kind, d.risk
                ),
            }
        }
    };
    Some([s])
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "riskgateFingerprint/v1")]
    v1: String,
}

#[derive(Serialize)]
struct ResultProps {
    status: &'static str,
    owner: String,
    risk: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    existing: Option<bool>,
}

#[derive(Serialize)]
struct Location<'a> {
    #[serde(rename = "physicalLocation")]
    physical: Physical<'a>,
}

#[derive(Serialize)]
struct Physical<'a> {
    #[serde(rename = "artifactLocation")]
    artifact: Artifact<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct Artifact<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
struct Region {
    #[serde(rename = "startLine")]
    start_line: u32,
}

fn result(it: Item<'_>, rule_index: usize) -> SarifResult<'_> {
    let suppressions = suppression(&it);
    let locations = it.path.or(it.target).map(|uri| {
        [Location {
            physical: Physical {
                artifact: Artifact { uri },
                region: match (it.line, it.path) {
                    (Some(line), Some(_)) => Some(Region {
                        start_line: line.max(1),
                    }),
                    _ => None,
                },
            },
        }]
    });
    SarifResult {
        rule_index,
        level: level(it.status),
        message: Text { text: it.message() },
        fingerprints: Fingerprints { v1: it.fingerprint },
        properties: ResultProps {
            status: it.status.as_str(),
            risk: it.risk.map(|r| r.as_str()),
            existing: it.existing,
            owner: it.owner,
        },
        locations,
        suppressions,
        rule_id: it.rule_id,
    }
}

/// One entry of the results: a finding (its entry built when it is written, on the thread that
/// writes it), or a failed check or a rule about the run (few, built first).
enum Entry<'a, 'o> {
    Finding(&'a Decided<'a>),
    Other(&'o Item<'a>),
}

impl<'a> Entry<'a, '_> {
    fn rule_id(&self) -> &str {
        match self {
            Entry::Finding(x) => &x.finding.id,
            Entry::Other(it) => &it.rule_id,
        }
    }

    fn with_item<T>(&self, v: &'a View<'a>, f: impl FnOnce(&Item<'_>) -> T) -> T {
        match self {
            Entry::Finding(x) => f(&finding_item(v, x)),
            Entry::Other(it) => f(it),
        }
    }
}

/// A suppressed finding again, with how it was suppressed, in the run's properties (as before
/// they were results too).
fn suppressed(d: &Decided) -> serde_json::Value {
    json!({
        "id": d.finding.id,
        "status": d.status.as_str(),
        "fingerprint": d.finding.fingerprint,
        "by": d.suppressed_by.as_ref().map(|s| json!({
            "source": s.source,
            "document": s.document,
            "kind": s.status,
            "justification": s.justification,
            "trusted": s.trusted,
        })),
    })
}

#[derive(Serialize)]
struct Doc {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
struct Run {
    tool: Tool,
    #[serde(rename = "automationDetails")]
    automation: Automation,
    results: Hole,
    invocations: [Invocation; 1],
    properties: RunProps,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Hole,
}

#[derive(Serialize)]
struct Automation {
    id: String,
}

#[derive(Serialize)]
struct Invocation {
    #[serde(rename = "executionSuccessful")]
    successful: bool,
    #[serde(rename = "toolExecutionNotifications")]
    notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
struct RunProps {
    verdict: crate::decide::Verdict,
    evaluated_at: String,
    suppressed: Hole,
}

pub fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    let d = v.decision;
    let others: Vec<Item> = checks_and_rules(v, |_| true).collect();
    let entries: Vec<Entry> = d
        .findings
        .iter()
        .map(Entry::Finding)
        .chain(others.iter().map(Entry::Other))
        .collect();
    // One rule per id, in first-seen order; the first entry's text describes it.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut firsts: Vec<&Entry> = Vec::new();
    for e in &entries {
        if !index.contains_key(e.rule_id()) {
            index.insert(e.rule_id(), firsts.len());
            firsts.push(e);
        }
    }
    let doc = Doc {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "riskgate",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: Hole,
                },
            },
            automation: Automation {
                id: format!("riskgate/{}/", d.product.unwrap_or("default")),
            },
            results: Hole,
            invocations: [Invocation {
                successful: true,
                notifications: v
                    .warnings()
                    .into_iter()
                    .map(|x| Notification {
                        level: "warning",
                        message: Text { text: x },
                    })
                    .collect(),
            }],
            properties: RunProps {
                verdict: d.verdict,
                evaluated_at: d.now.to_string(),
                suppressed: Hole,
            },
        }],
    };
    // The document without rules, results and suppressed findings, and those written where
    // they go as they are rendered: doc > runs[0] (depth 3) > tool > driver (depth 5).
    let frame = serde_json::to_vec_pretty(&doc)?;
    let (head, rest) = split_at(&frame, "rules", 5)?;
    let (middle, rest) = split_at(rest, "results", 3)?;
    let (props, tail) = split_at(rest, "suppressed", 4)?;
    let mut out = io::BufWriter::with_capacity(1 << 16, w);
    out.write_all(head)?;
    write_array(&mut out, &firsts, 5, &|_, e, buf| {
        e.with_item(v, |it| pretty_at(buf, 6, &rule(it)))
    })?;
    out.write_all(middle)?;
    write_array(&mut out, &entries, 3, &|_, e, buf| {
        let i = index.get(e.rule_id()).copied().unwrap_or(0);
        match e {
            Entry::Finding(x) => pretty_at(buf, 4, &result(finding_item(v, x), i)),
            Entry::Other(it) => pretty_at(buf, 4, &result((*it).clone(), i)),
        }
    })?;
    out.write_all(props)?;
    let hidden: Vec<&Decided> = d
        .findings
        .iter()
        .filter(|x| x.status.is_suppressed())
        .collect();
    write_array(&mut out, &hidden, 4, &|_, x, buf| {
        pretty_at(buf, 5, &suppressed(x))
    })?;
    out.write_all(tail)?;
    out.write_all(b"\n")?;
    out.flush()
}
