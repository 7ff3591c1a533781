//! The guardrails (`guardrails.yaml`): how risk is derived, what each level requires, what can
//! never be accepted, and per-product overrides.
//!
//! Must never: let a product override loosen the organisation's guardrail. An override that
//! grants more autonomy, a longer `max_days` or `sla_days`, a weaker gate or drops
//! `require_signature` is an error, not a silent clamp.

mod validate;

use super::glob::{Globs, IdGlob};
use super::levels::{
    ApproverRole, Criticality, DataClass, Enforcement, Exposure, Gate, LayerKind, OneOrMany,
    RiskLevel,
};
use super::ownership::did_you_mean;
use super::yaml::{key, Problem, YamlFile};
use crate::model::date::DateText;
use crate::model::finding::{Kind, PackageClass, ScanStatus};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Guardrails {
    pub version: u32,
    #[serde(default)]
    pub risk: RiskCfg,
    pub levels: BTreeMap<RiskLevel, LevelCfg>,
    #[serde(default)]
    pub never_accept: Vec<When>,
    #[serde(default)]
    pub ownership: OwnershipCfg,
    #[serde(default)]
    pub acceptances: AcceptancesCfg,
    #[serde(default)]
    pub sla: SlaCfg,
    #[serde(default)]
    pub products: BTreeMap<String, ProductOverride>,
    /// What a container image about to be deployed (`check --image`) must satisfy.
    pub images: Option<ImagesCfg>,
    /// What a build artifact about to be deployed (`check --artifact`) must satisfy.
    pub artifacts: Option<ArtifactsCfg>,
    /// A Sigstore `trusted_root.json` (relative to the policy directory) for keyless signatures
    /// on images, artifacts and, unless `acceptances.trusted_root` names another, acceptances.
    pub trusted_root: Option<String>,
    /// How a pull request run (`check --baseline`) gates.
    #[serde(default)]
    pub pull_requests: PullRequestsCfg,
    /// Scans every check must have among its reports (products may add more).
    #[serde(default)]
    pub require_reports: Vec<RequiredReport>,
    /// Whose VEX statements suppress findings, and up to which level.
    #[serde(default)]
    pub vex: VexCfg,
    /// What a suppression made in the scanner (SARIF `suppressions`, `# nosec`, Trivy's and
    /// Grype's ignore files) counts for: `team` (default: like an unsigned VEX statement, up to
    /// `vex.unsigned`), `honour` (at any level) or `ignore` (never; the finding is decided).
    #[serde(default)]
    pub scanner_suppressions: ScannerSuppressions,
    /// What the organisation's view (`riskgate org report`) flags.
    #[serde(default)]
    pub org: OrgCfg,
}

/// `org:` in guardrails.yaml: what `riskgate org report` calls out of date.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgCfg {
    /// A product of the register whose latest report is older than this (or that has none) is
    /// listed under "no recent report": its pipeline has not run the gate lately.
    #[serde(default = "default_report_age")]
    pub report_max_age_days: u32,
}

fn default_report_age() -> u32 {
    30
}

impl Default for OrgCfg {
    fn default() -> Self {
        OrgCfg {
            report_max_age_days: default_report_age(),
        }
    }
}

/// Trust in VEX statements. A statement signed by one of `trusted` suppresses at any level; an
/// unsigned one (or one no trusted signer verifies) only up to `unsigned`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VexCfg {
    /// Signers whose VEX (OpenVEX in a DSSE envelope or Sigstore bundle, or any VEX document
    /// with a Sigstore bundle beside it, `FILE.sigstore.json`) is believed at any level.
    #[serde(default)]
    pub trusted: Vec<SignatureRule>,
    /// The highest risk level an unsigned statement may suppress. Default: the highest level
    /// within the owning team's autonomy (gate pass or warn, or approver `team`).
    pub unsigned: Option<RiskLevel>,
    /// Also read the VEX attestations attached to each `--image` in its registry (cosign's
    /// `.att` tag), under the same trust rules as `--vex` files.
    #[serde(default)]
    pub from_registry: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScannerSuppressions {
    #[default]
    Team,
    Honour,
    Ignore,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PullRequestsCfg {
    #[serde(default)]
    pub gate: PrGate,
}

/// `all`: every finding gates, as on the branch. `new_only`: findings the `--baseline` (the
/// target branch) already has are reported but do not block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrGate {
    #[default]
    All,
    NewOnly,
}

/// Rules for container images (SPEC §6).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImagesCfg {
    /// Globs on `registry/repository` (for example `registry.acme.example/**`); empty allows any.
    #[serde(default)]
    pub allowed_registries: Globs,
    /// The image must be given by digest (`name@sha256:...`), not by tag alone.
    #[serde(default)]
    pub require_digest: bool,
    /// At least one must verify (cosign-compatible).
    #[serde(default)]
    pub signatures: Vec<SignatureRule>,
    /// in-toto predicate types that must be attached and signed by one of `signatures`.
    #[serde(default)]
    pub attestations: Vec<String>,
    /// What a verified SLSA provenance must say of the build: a provenance from another
    /// builder, repository or ref does not count.
    pub provenance: Option<ProvenanceCfg>,
    pub base_images: Option<BaseImagesCfg>,
    /// The image config must name a user other than root.
    #[serde(default)]
    pub forbid_root_user: bool,
    /// Before this date failed image checks are `would_block`.
    pub enforce_from: Option<DateText>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaseImagesCfg {
    /// Globs on the base image name (`org.opencontainers.image.base.name`); empty allows any.
    #[serde(default)]
    pub allowed: Globs,
    /// The base image's `created` may be at most this many days old.
    pub max_age_days: Option<u32>,
}

/// Rules for build artifacts.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArtifactsCfg {
    /// At least one must verify a Sigstore bundle beside the file (`FILE.sigstore.json`).
    #[serde(default)]
    pub signatures: Vec<SignatureRule>,
    /// What a verified SLSA provenance bundle of the file must say of its build.
    pub provenance: Option<ProvenanceCfg>,
    /// Before this date failed artifact checks are `would_block`.
    pub enforce_from: Option<DateText>,
}

/// The build a SLSA provenance must describe; each list, when given, must match (globs).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceCfg {
    /// `runDetails.builder.id` (v0.2: `builder.id`), e.g.
    /// `https://github.com/actions/runner/github-hosted`.
    #[serde(default)]
    pub builders: Globs,
    /// The source repository without scheme, e.g. `github.com/acme/*`.
    #[serde(default)]
    pub repositories: Globs,
    /// The source ref, e.g. `refs/heads/main`, `refs/tags/v*`.
    #[serde(default)]
    pub refs: Globs,
}

/// A signer: a cosign public key file (relative to the policy directory) or a keyless
/// identity (OIDC issuer and a regular expression on the certificate's subject).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureRule {
    pub key: Option<String>,
    pub keyless: Option<KeylessRule>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeylessRule {
    pub issuer: String,
    pub subject: String,
}

impl SignatureRule {
    /// How reports name this signer: `key keys/release.pub` or `keyless <issuer> <subject>`.
    pub fn label(&self) -> String {
        match (&self.key, &self.keyless) {
            (Some(k), _) => format!("key {k}"),
            (None, Some(k)) => format!("keyless {} {}", k.issuer, k.subject),
            (None, None) => "an empty signer".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskCfg {
    #[serde(default = "medium")]
    pub unknown_severity: RiskLevel,
    #[serde(default)]
    pub rules: Vec<RiskRule>,
}

fn medium() -> RiskLevel {
    RiskLevel::Medium
}

impl Default for RiskCfg {
    fn default() -> Self {
        RiskCfg {
            unknown_severity: RiskLevel::Medium,
            rules: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskRule {
    pub when: When,
    pub set: Option<RiskLevel>,
    pub raise: Option<u8>,
    pub lower: Option<u8>,
    pub floor: Option<RiskLevel>,
}

/// What a matching risk rule does to the level so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Set(RiskLevel),
    Raise(u8),
    Lower(u8),
    Floor(RiskLevel),
}

impl RiskRule {
    /// The rule's one action; `None` when it has none or several (a validation error).
    pub fn action(&self) -> Option<Action> {
        let acts: Vec<Action> = [
            self.set.map(Action::Set),
            self.raise.map(Action::Raise),
            self.lower.map(Action::Lower),
            self.floor.map(Action::Floor),
        ]
        .into_iter()
        .flatten()
        .collect();
        match acts.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// Conditions on a finding and its product; all that are given must hold.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub kev: Option<bool>,
    pub epss: Option<Cmp<f64>>,
    pub fix_available: Option<bool>,
    pub exposure: Option<OneOrMany<Exposure>>,
    pub criticality: Option<OneOrMany<Criticality>>,
    pub data: Option<OneOrMany<DataClass>>,
    pub kind: Option<OneOrMany<Kind>>,
    pub package_class: Option<PackageClass>,
    pub layer: Option<LayerKind>,
    pub tool: Option<OneOrMany<String>>,
    /// The scanner's own status of the finding (Trivy's `Status`): `not_affected`,
    /// `will_not_fix`, `fix_deferred`, `end_of_life`...
    pub status: Option<OneOrMany<ScanStatus>>,
    pub id: Option<IdGlob>,
    pub risk: Option<Cmp<RiskLevel>>,
    /// Only in `never_accept`: before this date the entry does not stop acceptances; what it
    /// would block is `would_block`.
    pub enforce_from: Option<DateText>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

/// A comparison such as `>=0.5` or `>=high`; a bare value means `==` for levels and `>=` for
/// numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cmp<T> {
    pub op: Op,
    pub value: T,
    pub text_op: &'static str,
}

impl<T: PartialOrd> Cmp<T> {
    pub fn holds(&self, x: T) -> bool {
        match self.op {
            Op::Lt => x < self.value,
            Op::Le => x <= self.value,
            Op::Eq => x == self.value,
            Op::Ge => x >= self.value,
            Op::Gt => x > self.value,
        }
    }
}

fn split_op(s: &str) -> (Option<(Op, &'static str)>, &str) {
    let s = s.trim();
    for (p, op) in [
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("==", Op::Eq),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
    ] {
        if let Some(rest) = s.strip_prefix(p) {
            return (Some((op, p)), rest.trim());
        }
    }
    (None, s)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Num(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for Cmp<f64> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Scalar::deserialize(d)? {
            Scalar::Num(n) => Ok(Cmp {
                op: Op::Ge,
                value: n,
                text_op: ">=",
            }),
            Scalar::Text(t) => {
                let (op, rest) = split_op(&t);
                let (op, text_op) = op.unwrap_or((Op::Ge, ">="));
                let value: f64 = rest.parse().map_err(|_| {
                    serde::de::Error::custom(format!(
                        "expected a comparison such as \">=0.5\", found {t:?}"
                    ))
                })?;
                if !(0.0..=1.0).contains(&value) {
                    return Err(serde::de::Error::custom(format!(
                        "EPSS is a probability between 0 and 1, found {value}"
                    )));
                }
                Ok(Cmp { op, value, text_op })
            }
        }
    }
}

impl<'de> Deserialize<'de> for Cmp<RiskLevel> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = String::deserialize(d)?;
        let (op, rest) = split_op(&t);
        let (op, text_op) = op.unwrap_or((Op::Eq, "=="));
        let value = RiskLevel::parse(rest).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a comparison such as \">=high\" on none|low|medium|high|critical, found {t:?}"))
        })?;
        Ok(Cmp { op, value, text_op })
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelCfg {
    pub gate: Gate,
    pub approver: Option<ApproverRole>,
    pub max_days: Option<u32>,
    pub sla_days: Option<u32>,
    #[serde(default)]
    pub require_signature: bool,
    /// Before this date (YYYY-MM-DD) what this level would block is `would_block`, not blocked.
    pub enforce_from: Option<DateText>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelOverride {
    pub gate: Option<Gate>,
    pub approver: Option<ApproverRole>,
    pub max_days: Option<u32>,
    pub sla_days: Option<u32>,
    pub require_signature: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductOverride {
    #[serde(default)]
    pub levels: BTreeMap<RiskLevel, LevelOverride>,
    #[serde(default)]
    pub never_accept: Vec<When>,
    /// Reports this product must also provide (added to the organisation's).
    #[serde(default)]
    pub require_reports: Vec<RequiredReport>,
}

/// A scan that must be among the inputs of every check (SPEC §7 kinds, derived from content).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredReport {
    pub kind: ReportKind,
    /// The report's own timestamp (Trivy CreatedAt, SARIF invocation end...) may be at most this
    /// many hours before `now`.
    pub max_age_hours: Option<u32>,
    /// Before this date a missing report is `would_block`, not blocked.
    pub enforce_from: Option<DateText>,
}

/// What a report is a scan of, derived from its content.
/// The scan kinds `require_reports` names (the same names reports are recognised as).
pub use crate::model::finding::ScanKind as ReportKind;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnershipCfg {
    #[serde(default = "default_max_age")]
    pub max_age_days: u32,
    #[serde(default)]
    pub unowned: Enforcement,
    /// Before this date an unowned finding that would block is `would_block`.
    pub enforce_from: Option<DateText>,
}

fn default_max_age() -> u32 {
    180
}

impl Default for OwnershipCfg {
    fn default() -> Self {
        OwnershipCfg {
            max_age_days: 180,
            unowned: Enforcement::Block,
            enforce_from: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptancesCfg {
    #[serde(default = "default_warn_before")]
    pub warn_before_days: u32,
    /// A Sigstore `trusted_root.json` (relative to the policy directory) for keyless acceptance
    /// signatures; without it only key-based signatures verify.
    pub trusted_root: Option<String>,
    /// An acceptance of this product that covers no finding of the run: `warn` (default) or
    /// `block`, so acceptance files do not grow forever.
    #[serde(default = "warn")]
    pub unused: Enforcement,
    /// Warn when a team has more open (unexpired) acceptances than this.
    pub max_open_per_team: Option<u32>,
    /// What proves an `approved_by` above the team's level: `signature` (default: the
    /// approver's signature over the acceptance) or `code_review` (the repository requires the
    /// approver's review of changes to the acceptances file and the policy, per CODEOWNERS; a
    /// signature still proves it too).
    #[serde(default)]
    pub approvals: Approvals,
    /// The repository's CODEOWNERS file (relative to the policy directory), for `code_review`;
    /// without it riskgate looks where GitHub and GitLab do, at the repository root.
    pub codeowners: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Approvals {
    #[default]
    Signature,
    CodeReview,
}

fn warn() -> Enforcement {
    Enforcement::Warn
}

fn default_warn_before() -> u32 {
    14
}

impl Default for AcceptancesCfg {
    fn default() -> Self {
        AcceptancesCfg {
            warn_before_days: 14,
            trusted_root: None,
            unused: Enforcement::Warn,
            max_open_per_team: None,
            approvals: Approvals::Signature,
            codeowners: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaCfg {
    #[serde(default)]
    pub overdue: Enforcement,
    /// Before this date an overdue finding that would block is `would_block`.
    pub enforce_from: Option<DateText>,
}

impl Guardrails {
    /// The level settings in force for a product: the organisation's, tightened by its override.
    pub fn level(&self, product: &str, level: RiskLevel) -> LevelCfg {
        let base = self.levels.get(&level).cloned().unwrap_or(LevelCfg {
            gate: Gate::Block,
            approver: None,
            max_days: None,
            sla_days: None,
            require_signature: false,
            enforce_from: None,
        });
        match self
            .products
            .get(product)
            .and_then(|p| p.levels.get(&level))
        {
            None => base,
            Some(o) => LevelCfg {
                gate: o.gate.unwrap_or(base.gate),
                approver: o.approver.or(base.approver),
                max_days: o.max_days.or(base.max_days),
                sla_days: o.sla_days.or(base.sla_days),
                require_signature: o.require_signature.unwrap_or(base.require_signature),
                enforce_from: base.enforce_from,
            },
        }
    }
}

impl schemars::JsonSchema for Cmp<f64> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EpssComparison".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A comparison on the EPSS probability, such as \">=0.5\"; a bare number means >=.",
            "oneOf": [
                { "type": "number", "minimum": 0, "maximum": 1 },
                { "type": "string", "pattern": "^\\s*(>=|<=|==|>|<|=)?\\s*(0(\\.[0-9]+)?|1(\\.0+)?|\\.[0-9]+)\\s*$" }
            ]
        })
    }
}

impl schemars::JsonSchema for Cmp<RiskLevel> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RiskComparison".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A comparison on the risk level so far, such as \">=high\"; a bare level means ==.",
            "type": "string",
            "pattern": "^\\s*(>=|<=|==|>|<|=)?\\s*(none|low|medium|high|critical)\\s*$"
        })
    }
}
