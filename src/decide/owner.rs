//! Who owns a finding: the first matching layer of the product, then of the register's default
//! layers, else the product's team (SPEC §3.1). A finding is unowned when no team can be named or
//! the team named has no members (nobody would remediate it).

use crate::model::finding::Finding;
use crate::policy::levels::LayerKind;
use crate::policy::ownership::{LayerRule, Ownership, Product};
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Owner<'a> {
    pub team: Option<&'a str>,
    /// The layer rule that routed the finding (`os-packages`), or `None` for the product's team.
    pub layer: Option<&'a str>,
    #[serde(skip)]
    pub contact: Option<&'a str>,
    /// Whom to call when the owner does not act: the owning team's escalation contact, else
    /// the organisation's (for an unowned finding: its product team's, else the organisation's).
    #[serde(skip)]
    pub escalation: Option<&'a str>,
    /// Why ownership resolved as it did, when it did not resolve cleanly.
    #[serde(skip)]
    pub note: Option<String>,
}

pub struct OwnerIndex<'p> {
    ownership: &'p Ownership,
    product: Option<&'p Product>,
    layers: Vec<&'p LayerRule>,
}

impl<'p> OwnerIndex<'p> {
    pub fn new(ownership: &'p Ownership, product: Option<&'p Product>) -> Result<Self, String> {
        let rules = product
            .map(|p| p.layers.as_slice())
            .unwrap_or(&[])
            .iter()
            .chain(&ownership.layers);
        let mut layers = Vec::new();
        for rule in rules {
            // Compiled when the register was read; one that did not compile is refused here
            // too (validation refuses it first), so a layer never routes on half its paths.
            if let Some((_, e)) = rule.matcher.path.as_ref().and_then(|g| g.errors().first()) {
                return Err(format!("layer {}: {e}", rule.name));
            }
            layers.push(rule);
        }
        Ok(OwnerIndex {
            ownership,
            product,
            layers,
        })
    }

    /// The owner of an image rule about layer `layer` (the base image's rules) or about the
    /// whole image (`None`): the first layer rule that matches on the layer alone, else the
    /// product's team.
    pub fn for_layer(&self, layer: Option<LayerKind>) -> Owner<'_> {
        let Some(product) = self.product else {
            return Owner::default();
        };
        let hit = layer.and_then(|want| {
            self.layers.iter().find(|l| {
                let m = &l.matcher;
                m.layer == Some(want)
                    && m.package_class.is_none()
                    && m.kind.is_none()
                    && m.tool.is_none()
                    && m.path.is_none()
            })
        });
        self.resolve(
            hit.map_or(product.team.as_str(), |l| l.owner.as_str()),
            hit.map(|l| l.name.as_str()),
        )
    }

    /// The owner of a finding sitting in image layer `layer` (when known).
    pub fn owner<'a>(&'a self, f: &'a Finding, layer: Option<LayerKind>) -> Owner<'a> {
        // Without a product there is nobody to route to: layers name teams of a product's stack.
        let Some(product) = self.product else {
            return Owner {
                escalation: self.ownership.escalation.as_deref(),
                ..Owner::default()
            };
        };
        let hit = self.layers.iter().find(|l| matches(l, f, layer));
        let (team, layer_name) = match hit {
            Some(l) => (l.owner.as_str(), Some(l.name.as_str())),
            None => (product.team.as_str(), None),
        };
        self.resolve(team, layer_name)
    }

    fn resolve<'a>(&'a self, team: &'a str, layer_name: Option<&'a str>) -> Owner<'a> {
        let own = self.ownership;
        match own.teams.get(team) {
            Some(t) if !t.members.is_empty() => Owner {
                team: Some(team),
                layer: layer_name,
                contact: t.contact.as_deref(),
                escalation: own.escalation(Some(team)),
                note: None,
            },
            Some(_) => Owner {
                team: None,
                layer: layer_name,
                contact: None,
                escalation: own.escalation(Some(team)),
                note: Some(format!("team {team} has no members")),
            },
            None => Owner {
                team: None,
                layer: layer_name,
                contact: None,
                escalation: own.escalation(self.product.map(|p| p.team.as_str())),
                note: Some(format!("team {team} is not in the register")),
            },
        }
    }
}

fn matches(l: &LayerRule, f: &Finding, layer: Option<LayerKind>) -> bool {
    let m = &l.matcher;
    m.layer.is_none_or(|want| layer == Some(want))
        && m.package_class
            .is_none_or(|c| f.package.as_ref().and_then(|p| p.class) == Some(c))
        && m.kind.is_none_or(|k| f.kind == k)
        && m.tool
            .as_ref()
            .is_none_or(|t| f.tools.iter().any(|have| have.eq_ignore_ascii_case(t)))
        && m.path
            .as_ref()
            .is_none_or(|g| f.location.path.as_deref().is_some_and(|p| g.is_match(p)))
}
