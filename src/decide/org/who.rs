//! `org who ID`: every product whose latest report has a vulnerability, with who must act and
//! whom to call when they do not.

use super::tally::Brief;
use super::{latest, Latest, OrgCfg, Read};
use crate::model::date::{Date, Timestamp};
use crate::model::outcome::{RiskLevel, Status};
use crate::model::record::ImageRecord;
use schemars::JsonSchema;
use serde::Serialize;

/// `org who ID`: who must act on a vulnerability, product by product.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "riskgate org who")]
pub struct WhoView {
    pub id: String,
    #[schemars(with = "String")]
    pub generated_at: Timestamp,
    /// Every product whose latest report has it (by id or alias), most urgent first.
    pub products: Vec<WhoRow>,
    /// Products of the register with no report: whether they have it is not known.
    pub not_reported: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WhoRow {
    pub product: String,
    /// The team owning its most urgent finding with the id (null when unowned).
    pub team: Option<String>,
    pub contact: Option<String>,
    pub risk_owner: Option<String>,
    pub escalation: Option<String>,
    /// The most urgent finding's status and risk (blocked before accepted before suppressed).
    pub status: Status,
    pub risk: RiskLevel,
    /// The earliest SLA due date among them.
    #[schemars(with = "Option<String>")]
    pub due: Option<Date>,
    /// Every team owning one of them.
    pub teams: Vec<String>,
    pub images: Vec<ImageRecord>,
    #[schemars(with = "String")]
    pub evaluated_at: Timestamp,
    pub report: String,
    /// Each finding with the id (one per package, image or location).
    pub findings: Vec<Brief>,
}

/// How urgent a status is to whoever must act: lower first.
fn urgency(s: Status) -> u8 {
    match s {
        Status::Blocked => 0,
        Status::WouldBlock => 1,
        Status::Warned => 2,
        Status::Accepted => 3,
        Status::Passed => 4,
        Status::SuppressedByScanner => 5,
        Status::Suppressed => 6,
    }
}

pub fn who(cfg: &OrgCfg, id: &str, reads: Vec<Read>) -> WhoView {
    let own = cfg.ownership;
    let Latest {
        by_product,
        warnings,
        ..
    } = latest(reads);
    let not_reported = own
        .products
        .keys()
        .filter(|p| !by_product.contains_key(*p))
        .cloned()
        .collect();
    let mut rows = Vec::new();
    for (name, r) in by_product {
        let mut hits = r.tally.hits;
        hits.sort_by(|a, b| {
            (urgency(a.status), std::cmp::Reverse(a.risk), a.due).cmp(&(
                urgency(b.status),
                std::cmp::Reverse(b.risk),
                b.due,
            ))
        });
        let entry = own.products.get(&name);
        let Some(first) = hits.first() else { continue };
        let team = first.team.clone();
        let mut teams: Vec<String> = hits.iter().filter_map(|h| h.team.clone()).collect();
        teams.sort();
        teams.dedup();
        rows.push(WhoRow {
            contact: team
                .as_deref()
                .and_then(|t| own.teams.get(t))
                .and_then(|t| t.contact.clone()),
            escalation: own
                .escalation(team.as_deref().or(entry.map(|p| p.team.as_str())))
                .map(str::to_string),
            risk_owner: entry.and_then(|p| p.risk_owner.clone()),
            status: first.status,
            risk: first.risk,
            due: hits.iter().filter_map(|h| h.due).min(),
            team,
            teams,
            images: r.record.images,
            evaluated_at: r.record.evaluated_at,
            report: r.record.path,
            product: name,
            findings: hits,
        });
    }
    rows.sort_by(|a, b| {
        (urgency(a.status), std::cmp::Reverse(a.risk), &a.product).cmp(&(
            urgency(b.status),
            std::cmp::Reverse(b.risk),
            &b.product,
        ))
    });
    WhoView {
        id: id.to_string(),
        generated_at: cfg.now,
        products: rows,
        not_reported,
        warnings,
    }
}
