//! The ordered vocabularies of the policy files: risk levels, approver roles, gates, and the
//! product attributes risk rules can test.

use serde::{Deserialize, Serialize};
use std::fmt;

pub use crate::model::outcome::RiskLevel;

/// `team < risk_owner < security < governance`: a higher role may do what a lower one may.
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
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ApproverRole {
    Team,
    RiskOwner,
    Security,
    Governance,
}

impl ApproverRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ApproverRole::Team => "team",
            ApproverRole::RiskOwner => "risk_owner",
            ApproverRole::Security => "security",
            ApproverRole::Governance => "governance",
        }
    }
}

impl fmt::Display for ApproverRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a level does to a finding: `pass < warn < accept < block` in strictness.
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
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    Pass,
    Warn,
    Accept,
    Block,
}

impl Gate {
    pub fn as_str(self) -> &'static str {
        match self {
            Gate::Pass => "pass",
            Gate::Warn => "warn",
            Gate::Accept => "accept",
            Gate::Block => "block",
        }
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
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    Isolated,
    Internal,
    Internet,
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
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    Low,
    Medium,
    High,
    Critical,
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
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DataClass {
    Public,
    Internal,
    Confidential,
    Restricted,
}

/// `block` or `warn`, for rules that can be softened to a warning.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Enforcement {
    #[default]
    Block,
    Warn,
}

/// A layer of the image a finding sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LayerKind {
    Base,
    App,
}

/// One value or a list of values (`exposure: internet` or `exposure: [internet, internal]`).
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: PartialEq> OneOrMany<T> {
    pub fn contains(&self, v: &T) -> bool {
        match self {
            OneOrMany::One(x) => x == v,
            OneOrMany::Many(xs) => xs.contains(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifting_clamps() {
        assert_eq!(RiskLevel::High.shift(1), RiskLevel::Critical);
        assert_eq!(RiskLevel::Critical.shift(3), RiskLevel::Critical);
        assert_eq!(RiskLevel::Low.shift(-5), RiskLevel::None);
        assert!(
            ApproverRole::Team < ApproverRole::RiskOwner
                && ApproverRole::Security < ApproverRole::Governance
        );
        assert!(Gate::Warn < Gate::Accept);
    }
}
