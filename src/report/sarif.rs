//! `sarif`: SARIF 2.1.0 for GitHub code scanning. One result per non-suppressed finding and per
//! failed image/artifact check; one rule per id, with help text (owner, why, how to unblock) and
//! `security-severity` from the risk level; `partialFingerprints` from riskgate's fingerprint,
//! which is stable across runs and tools. The level follows the status: blocked → error,
//! warned → warning, accepted → note, passed → none.

use super::items::{items, Item};
use super::View;
use crate::decide::Status;
use crate::policy::levels::RiskLevel;
use serde_json::{json, Value};
use std::collections::BTreeMap;
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

fn rule(it: &Item) -> Value {
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
    json!({
        "id": it.rule_id,
        "name": it.rule_id,
        "shortDescription": { "text": it.title },
        "fullDescription": { "text": it.title },
        "help": { "text": help, "markdown": help.replace('\n', "  \n") },
        "defaultConfiguration": { "level": level(it.status) },
        "properties": {
            "security-severity": security_severity(it.risk),
            "tags": ["security", kind],
        }
    })
}

fn result(it: &Item, rule_index: usize) -> Value {
    let mut r = json!({
        "ruleId": it.rule_id,
        "ruleIndex": rule_index,
        "level": level(it.status),
        "message": { "text": it.message() },
        "partialFingerprints": { "riskgateFingerprint/v1": it.fingerprint },
        "properties": {
            "status": it.status.as_str(),
            "owner": it.owner,
            "risk": it.risk.map(|r| r.as_str()),
        }
    });
    if let Some(e) = it.existing {
        r["properties"]["existing"] = json!(e);
    }
    if let Some(path) = it.path.or(it.target) {
        let mut loc = json!({ "artifactLocation": { "uri": path } });
        if let (Some(line), Some(_)) = (it.line, it.path) {
            loc["region"] = json!({ "startLine": line.max(1) });
        }
        r["locations"] = json!([{ "physicalLocation": loc }]);
    }
    r
}

pub fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    let list = items(v);
    // One rule per id, in first-seen order; the first entry's text describes it.
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for it in &list {
        if !index.contains_key(it.rule_id.as_str()) {
            index.insert(&it.rule_id, rules.len());
            rules.push(rule(it));
        }
    }
    let results: Vec<Value> = list
        .iter()
        .map(|it| result(it, index[it.rule_id.as_str()]))
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "riskgate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "automationDetails": { "id": format!("riskgate/{}/", v.decision.product.unwrap_or("default")) },
            "results": results,
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": v.warnings().iter().map(|x| json!({
                    "level": "warning",
                    "message": { "text": x },
                })).collect::<Vec<Value>>(),
            }],
            "properties": {
                "verdict": v.decision.verdict,
                "evaluated_at": v.decision.now.to_string(),
                // Suppressed findings are not results (SPEC §8), but they are not hidden either.
                "suppressed": v.decision.findings.iter().filter(|d| d.status.is_suppressed()).map(|d| json!({
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
                })).collect::<Vec<Value>>(),
            }
        }]
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}
