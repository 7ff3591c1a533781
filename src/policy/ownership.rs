//! The ownership register (`ownership.yaml`): teams, roles, layers, products.
//!
//! Validation resolves every reference (a layer's owner, a product's team, the security and
//! governance roles) and refuses what it cannot: a finding must never sit unowned because of a
//! typo in the register.

use super::glob::Globs;
use super::levels::{Criticality, DataClass, Exposure, LayerKind};
use super::yaml::{key, Problem, YamlFile};
use crate::model::code::Code;
use crate::model::date::DateText;
use crate::model::finding::{Kind, PackageClass};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ownership {
    pub version: u32,
    pub reviewed: Option<DateText>,
    /// Who is called when a team does not act: the organisation's executive sponsor (a person,
    /// a team of the register, or any contact such as a pager alias). Unowned and overdue
    /// findings and stale ownership name it, unless the team has its own.
    pub escalation: Option<String>,
    #[serde(default)]
    pub teams: BTreeMap<String, Team>,
    #[serde(default)]
    pub roles: Roles,
    #[serde(default)]
    pub layers: Vec<LayerRule>,
    #[serde(default)]
    pub products: BTreeMap<String, Product>,
    /// Per person (e-mail address): code-host handles and signing identities.
    #[serde(default)]
    pub people: BTreeMap<String, Person>,
}

/// How a person is known elsewhere: their code-host handles (for CODEOWNERS) and the identities
/// their acceptance signatures are checked against.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub github: Option<String>,
    pub gitlab: Option<String>,
    /// Cosign-compatible public keys (PEM), inline.
    #[serde(default)]
    pub keys: Vec<String>,
    /// Keyless (Sigstore) identities: OIDC issuer and subject.
    #[serde(default)]
    pub keyless: Vec<KeylessIdentity>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeylessIdentity {
    pub issuer: String,
    pub subject: String,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    #[serde(default)]
    pub members: Vec<String>,
    pub contact: Option<String>,
    /// Who is called when this team does not act on its findings (its head of engineering);
    /// the organisation's `escalation` otherwise.
    pub escalation: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    /// Teams or people acting as the security function.
    #[serde(default)]
    pub security: Vec<String>,
    /// Teams or people who approve what exceeds security's guardrail.
    #[serde(default)]
    pub governance: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LayerRule {
    pub name: String,
    pub owner: String,
    #[serde(rename = "match")]
    pub matcher: LayerMatch,
    /// The owner contests this layer: who disputes it, and since when. Findings still route to
    /// `owner`; every check warns and `org report` lists it, with the escalation contact, until
    /// it is settled and the key removed.
    pub disputed: Option<String>,
}

/// Conditions on a finding; all that are given must hold.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LayerMatch {
    pub layer: Option<LayerKind>,
    pub package_class: Option<PackageClass>,
    pub path: Option<Globs>,
    pub kind: Option<Kind>,
    pub tool: Option<String>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub team: String,
    pub risk_owner: Option<String>,
    #[serde(default)]
    pub delegates: Vec<String>,
    pub criticality: Criticality,
    pub exposure: Exposure,
    pub data: DataClass,
    #[serde(default)]
    pub repos: Globs,
    #[serde(default)]
    pub images: Globs,
    pub reviewed: Option<DateText>,
    #[serde(default)]
    pub layers: Vec<LayerRule>,
    /// Ownership of the product is contested: who disputes what, and since when. Warned about
    /// by every check and listed by `org report`, with the escalation contact, until settled.
    pub disputed: Option<String>,
}

impl Ownership {
    /// Whether `id` names a known person (a member of some team, a risk owner, a delegate, or a
    /// person listed in a role).
    pub fn is_person(&self, id: &str) -> bool {
        self.people().contains(id)
    }

    pub fn people(&self) -> BTreeSet<&str> {
        let mut p: BTreeSet<&str> = self
            .teams
            .values()
            .flat_map(|t| t.members.iter().map(String::as_str))
            .collect();
        for prod in self.products.values() {
            p.extend(prod.risk_owner.as_deref());
            p.extend(prod.delegates.iter().map(String::as_str));
        }
        for r in self.roles.security.iter().chain(&self.roles.governance) {
            if !self.teams.contains_key(r) {
                p.insert(r.as_str());
            }
        }
        p.extend(self.people.keys().map(String::as_str));
        p
    }

    /// What makes a product's ownership data unusable, in words: a team without members, a risk
    /// owner nobody else in the register knows (not a team member, not under `people:`, not in a
    /// role). `check` warns with these; `validate --strict` refuses them.
    pub fn product_problems(&self, name: &str) -> Vec<String> {
        self.product_problems_at(name)
            .into_iter()
            .map(|(_, m)| m)
            .collect()
    }

    /// [`Ownership::product_problems`], each with the key of the product's entry it is about
    /// (`team`, `risk_owner`), for diagnostics that point at the value meant.
    pub fn product_problems_at(&self, name: &str) -> Vec<(&'static str, String)> {
        let Some(p) = self.products.get(name) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if self
            .teams
            .get(&p.team)
            .is_some_and(|t| t.members.is_empty())
        {
            out.push(("team", format!(
                "product `{name}`'s team `{}` has no members: nobody can remediate or accept its findings",
                p.team
            )));
        }
        if let Some(o) = &p.risk_owner {
            let known = self.teams.values().any(|t| t.members.contains(o))
                || self.people.contains_key(o)
                || self
                    .roles
                    .security
                    .iter()
                    .chain(&self.roles.governance)
                    .any(|r| r == o);
            if !known {
                out.push(("risk_owner", format!(
                    "risk owner `{o}` of product `{name}` is not a known person (in no team, not under `people:`, in no role)"
                )));
            }
        }
        out
    }

    /// Disputes recorded on the register's own layers (they apply to every product).
    pub fn layer_disputes(&self) -> Vec<Dispute<'_>> {
        self.layers
            .iter()
            .filter_map(|l| Dispute::of_layer(format!("layer {}", l.name), l))
            .collect()
    }

    /// Disputes recorded on `product` and on its own layers.
    pub fn product_disputes(&self, product: &str) -> Vec<Dispute<'_>> {
        let Some(p) = self.products.get(product) else {
            return Vec::new();
        };
        let entry = format!("product {product}");
        let own = p.disputed.as_ref().map(|d| Dispute {
            reason: format!("ownership of product {product} is disputed: {d}"),
            entry: entry.clone(),
            team: p.team.as_str(),
        });
        own.into_iter()
            .chain(
                p.layers
                    .iter()
                    .filter_map(|l| Dispute::of_layer(format!("{entry}, layer {}", l.name), l)),
            )
            .collect()
    }

    /// Why `product` has no risk owner, when it has none (`check` and `org report` warn with it).
    pub fn no_risk_owner(&self, product: &str) -> Option<String> {
        self.products
            .get(product)
            .filter(|p| p.risk_owner.is_none())
            .map(|_| {
                format!(
                    "product {product} has no risk owner: findings above the team's autonomy cannot be accepted"
                )
            })
    }

    /// Members of a role entry list (team names expand to their members).
    pub fn role_members<'a>(&'a self, entries: &'a [String]) -> impl Iterator<Item = &'a str> + 'a {
        entries.iter().flat_map(move |e| match self.teams.get(e) {
            Some(t) => t.members.iter().map(String::as_str).collect::<Vec<_>>(),
            None => vec![e.as_str()],
        })
    }

    /// Whom to escalate to about `team`'s findings (or, for `None`, about findings nobody owns):
    /// the team's own escalation contact, else the organisation's.
    pub fn escalation(&self, team: Option<&str>) -> Option<&str> {
        team.and_then(|t| self.teams.get(t))
            .and_then(|t| t.escalation.as_deref())
            .or(self.escalation.as_deref())
    }

    pub fn is_team_member(&self, team: &str, who: &str) -> bool {
        self.teams
            .get(team)
            .is_some_and(|t| t.members.iter().any(|m| m == who))
    }

    /// Checks references and dates; returns every problem found.
    pub fn validate(&self, file: &YamlFile) -> Vec<Problem> {
        let mut out = Vec::new();
        file.check_version(&mut out, self.version);
        if let Some(r) = &self.reviewed {
            file.check_date(&mut out, "reviewed", r);
        }
        let team_names: Vec<&str> = self.teams.keys().map(String::as_str).collect();
        for (role, entries) in [
            ("security", &self.roles.security),
            ("governance", &self.roles.governance),
        ] {
            for (i, e) in entries.iter().enumerate() {
                if !self.teams.contains_key(e) && !e.contains('@') {
                    out.push(file.problem(
                        Code::PolicyName,
                        &key(&["roles", role, &i.to_string()]),
                        format!("`{e}` is neither a team nor a person (an e-mail address)"),
                        did_you_mean(e, &team_names),
                    ));
                }
            }
        }
        let escalations = std::iter::once((key(&["escalation"]), self.escalation.as_deref()))
            .chain(self.teams.iter().map(|(n, t)| {
                (
                    format!("{}.escalation", key(&["teams", n])),
                    t.escalation.as_deref(),
                )
            }));
        for (at, e) in escalations {
            if e.is_some_and(|e| e.trim().is_empty()) {
                out.push(file.problem(
                    Code::PolicyName,
                    &at,
                    "an escalation contact cannot be empty",
                    Some("name a person (an e-mail address), a team, or a pager alias, or remove the key".into()),
                ));
            }
        }
        let check_layers = |out: &mut Vec<Problem>, base: &str, layers: &[LayerRule]| {
            for (i, l) in layers.iter().enumerate() {
                let p = format!("{base}.{i}");
                if !self.teams.contains_key(&l.owner) {
                    out.push(file.problem(
                        Code::PolicyName,
                        &format!("{p}.owner"),
                        format!("unknown team `{}`", l.owner),
                        did_you_mean(&l.owner, &team_names),
                    ));
                }
                if let Some(globs) = &l.matcher.path {
                    file.check_globs(out, &format!("{p}.match.path"), globs);
                }
                if let Some(d) = &l.disputed {
                    out.push(file.problem(
                        Code::PolicyOwnership,
                        &format!("{p}.disputed"),
                        format!("layer `{}` (owned by {}) is disputed: {d}", l.name, l.owner),
                        Some(
                            "settle it with the escalation contact, then remove `disputed`".into(),
                        ),
                    ));
                }
            }
        };
        check_layers(&mut out, "layers", &self.layers);
        for (who, person) in &self.people {
            if !who.contains('@') {
                out.push(file.problem(
                    Code::PolicyName,
                    &key(&["people", who]),
                    format!("`{who}` is not a person (an e-mail address)"),
                    None,
                ));
            }
            for (i, k) in person.keys.iter().enumerate() {
                if !k.trim_start().starts_with("-----BEGIN PUBLIC KEY-----") {
                    out.push(file.problem(
                        Code::PolicyKey,
                        &format!("{}.keys.{i}", key(&["people", who])),
                        "expected a PEM public key (-----BEGIN PUBLIC KEY-----)",
                        None,
                    ));
                }
            }
        }
        for (name, prod) in &self.products {
            let p = key(&["products", name]);
            if !self.teams.contains_key(&prod.team) {
                out.push(file.problem(
                    Code::PolicyName,
                    &format!("{p}.team"),
                    format!("unknown team `{}`", prod.team),
                    did_you_mean(&prod.team, &team_names),
                ));
            }
            if let Some(r) = &prod.reviewed {
                file.check_date(&mut out, &format!("{p}.reviewed"), r);
            }
            file.check_globs(&mut out, &format!("{p}.repos"), &prod.repos);
            file.check_globs(&mut out, &format!("{p}.images"), &prod.images);
            match &prod.risk_owner {
                None => out.push(file.problem(Code::PolicyOwnership, &p, format!("product `{name}` has no risk owner"), Some("findings above the team's autonomy cannot be accepted until one is named".into()))),
                Some(o) if !o.contains('@') => out.push(file.problem(Code::PolicyName, &format!("{p}.risk_owner"), format!("risk owner `{o}` is not a person (an e-mail address)"), None)),
                _ => {}
            }
            check_layers(&mut out, &format!("{p}.layers"), &prod.layers);
            if let Some(d) = &prod.disputed {
                out.push(file.problem(
                    Code::PolicyOwnership,
                    &format!("{p}.disputed"),
                    format!("ownership of product `{name}` is disputed: {d}"),
                    Some("settle it with the escalation contact, then remove `disputed`".into()),
                ));
            }
            for (key, problem) in self.product_problems_at(name) {
                out.push(file.problem(
                    Code::PolicyOwnership,
                    &format!("{p}.{key}"),
                    problem,
                    Some("fix the register: findings need people to own them".into()),
                ));
            }
        }
        out
    }
}

/// Contested ownership, recorded as `disputed:` on a product or a layer.
#[derive(Debug, Clone)]
pub struct Dispute<'a> {
    /// `product payments-api`, `layer os-packages`, `product payments-api, layer infra`.
    pub entry: String,
    pub reason: String,
    /// The team whose escalation contact settles it (the product's, or the layer's owner).
    pub team: &'a str,
}

impl<'a> Dispute<'a> {
    fn of_layer(entry: String, l: &'a LayerRule) -> Option<Dispute<'a>> {
        let d = l.disputed.as_ref()?;
        Some(Dispute {
            entry,
            reason: format!("layer {} (owned by {}) is disputed: {d}", l.name, l.owner),
            team: l.owner.as_str(),
        })
    }
}

/// "did you mean `x`?" for the closest known name, when one is close.
/// Whether an entry of the register (the register itself, a product) is stale on `today`: why,
/// or `None` when it was reviewed within `max_age_days`. The one rule `check` and `validate`
/// both apply.
pub fn stale(
    what: &str,
    reviewed: Option<&DateText>,
    today: crate::model::date::Date,
    max_age_days: u32,
) -> Option<String> {
    let max = i64::from(max_age_days);
    match reviewed.and_then(DateText::date) {
        Some(r) if today.days_since(r) > max => Some(format!(
            "{what} was last reviewed on {r}, {} days ago (ownership.max_age_days is {max})",
            today.days_since(r)
        )),
        Some(_) => None,
        None => Some(format!("{what} has no `reviewed` date")),
    }
}

pub fn did_you_mean(word: &str, known: &[&str]) -> Option<String> {
    let best = known
        .iter()
        .map(|k| (strsim::levenshtein(word, k), *k))
        .min()?;
    let limit = (word.len().max(3)) / 3;
    if best.0 <= limit.max(1) {
        Some(format!("did you mean `{}`?", best.1))
    } else if known.is_empty() {
        None
    } else {
        Some(format!("known: {}", known.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("paymets-api", &["payments-api", "checkout"]).as_deref(),
            Some("did you mean `payments-api`?")
        );
        assert_eq!(
            did_you_mean("zzz", &["payments-api"]).as_deref(),
            Some("known: payments-api")
        );
    }
}
