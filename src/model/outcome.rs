//! What a decision says: a finding's risk level and status, and the run's verdict. The words
//! every report writes, and the org view reads back from past runs' json reports.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `none < low < medium < high < critical`.
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
pub enum RiskLevel {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 5] = [
        RiskLevel::None,
        RiskLevel::Low,
        RiskLevel::Medium,
        RiskLevel::High,
        RiskLevel::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::None => "none",
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<RiskLevel> {
        RiskLevel::ALL.into_iter().find(|l| l.as_str() == s.trim())
    }

    /// Moves up (`n > 0`) or down the scale, clamped to `none..critical`.
    pub fn shift(self, n: i64) -> RiskLevel {
        let i = (self as i64 + n).clamp(0, 4);
        RiskLevel::ALL[i as usize]
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to one finding.
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
pub enum Status {
    Blocked,
    /// Would be blocked by a rule whose `enforce_from` date has not come: reported, not blocking.
    WouldBlock,
    Accepted,
    Warned,
    Passed,
    /// A trusted VEX statement says it does not apply.
    Suppressed,
    /// The scanner suppressed it (an ignore rule, `# nosec`), and the guardrails honour that at
    /// its level (`scanner_suppressions`).
    SuppressedByScanner,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Blocked,
        Status::WouldBlock,
        Status::Accepted,
        Status::Warned,
        Status::Passed,
        Status::Suppressed,
        Status::SuppressedByScanner,
    ];

    /// Suppressed, by VEX or by the scanner: not decided, not shown as a result.
    pub fn is_suppressed(self) -> bool {
        matches!(self, Status::Suppressed | Status::SuppressedByScanner)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Blocked => "blocked",
            Status::WouldBlock => "would_block",
            Status::Accepted => "accepted",
            Status::Warned => "warned",
            Status::Passed => "passed",
            Status::Suppressed => "suppressed",
            Status::SuppressedByScanner => "suppressed_by_scanner",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allow,
    Block,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Block => "block",
        }
    }
}
