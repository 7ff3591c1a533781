//! What loading and verification established about images and artifacts about to be deployed:
//! digests, what each signature verified as, the config's user, the base image. The decision
//! core reads these facts; it never fetches or verifies anything itself.

use serde::Serialize;

/// The predicate type of cosign v3's image signature bundles.
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// The in-toto statement type of riskgate's decisions.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate type of a SLSA Verification Summary: what a riskgate decision is.
pub const VSA_PREDICATE: &str = "https://slsa.dev/verification_summary/v1";
/// DSSE's payload type for in-toto statements.
pub const IN_TOTO_PAYLOAD: &str = "application/vnd.in-toto+json";
/// The `verifier.id` of riskgate's decisions, which a deploy checks.
pub const VERIFIER_ID: &str = "https://github.com/riskgate/riskgate";

/// One piece of signature evidence found for an image or artifact, after verification.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Evidence {
    /// Where it was found (`tag sha256-<hex>.sig`, `referrer sha256:...`, a bundle file).
    pub source: String,
    /// The in-toto predicate type for attestations; `None` for a plain signature.
    pub predicate_type: Option<String>,
    /// The signer (from the policy) that verified it.
    pub verified_by: Option<String>,
    /// Why no signer verified it.
    pub problems: Vec<String>,
    /// What a verified SLSA provenance says of the build.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// What a verified SLSA provenance (v1, or v0.2) says: who built it, from which source, at which
/// ref. Guardrails `provenance:` rules match these, so that provenance from any workflow of any
/// branch does not pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Provenance {
    /// `runDetails.builder.id` (v0.2: `builder.id`).
    pub builder_id: Option<String>,
    /// The source repository, without scheme or `git+` (`github.com/acme/payments-api`).
    pub repository: Option<String>,
    /// The source ref (`refs/heads/main`, `refs/tags/v1.2.0`).
    pub git_ref: Option<String>,
}

impl Evidence {
    pub fn is_signature(&self) -> bool {
        self.predicate_type
            .as_deref()
            .is_none_or(|p| p == COSIGN_SIGN_PREDICATE)
    }
}

/// The base image, from the image's `org.opencontainers.image.base.*` annotations or labels.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct BaseFacts {
    pub name: Option<String>,
    pub digest: Option<String>,
    /// The base image config's `created`, as written.
    pub created: Option<String>,
    /// `created` as an instant, when it is one (parsed in loading).
    #[serde(skip)]
    pub created_at: Option<crate::model::date::Timestamp>,
    /// The base image's layer DiffIDs: findings in them are in layer `base`.
    #[serde(skip)]
    pub layers: Vec<String>,
}

/// What was established about one `--image`.
#[derive(Debug, Clone, Default)]
pub struct ImageFacts {
    /// As given on the command line.
    pub reference: String,
    /// `registry/repository` (or `oci:DIR` for a layout), what registry globs match.
    pub name: String,
    /// Given by digest rather than by tag alone.
    pub pinned: bool,
    /// The manifest (or index) digest the reference resolved to.
    pub digest: Option<String>,
    /// Content that did not match its digest; any entry blocks.
    pub integrity: Vec<String>,
    /// The config's `User` (`Some("")` when it names none, i.e. root); `None` when not fetched.
    pub user: Option<String>,
    pub signatures: Vec<Evidence>,
    /// Where signatures were looked for, for the "none found" reason.
    pub looked_in: Vec<String>,
    pub base: Option<BaseFacts>,
    /// Registry operations this image cost (manifests, blobs, referrers).
    pub requests: u32,
    /// Why it was not fetched at all (outside the allow-lists): only those checks apply.
    pub skipped: Option<String>,
}

/// What was established about one `--artifact`.
#[derive(Debug, Clone, Default)]
pub struct ArtifactFacts {
    pub path: String,
    pub digest: String,
    /// The bundle file tried, if one was found.
    pub bundle: Option<String>,
    pub signatures: Vec<Evidence>,
}

/// What verification established about one acceptance's signature (loading checks it, once,
/// against the keys and keyless identities `people:` lists): whether it is the approver's, and
/// whether it is the requester's. `Err` says why not (`it is not signed`, a bad signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptanceSignature {
    pub by_approver: Result<(), String>,
    pub by_requester: Result<(), String>,
}

impl Default for AcceptanceSignature {
    fn default() -> Self {
        let unchecked = || Err("its signature was not checked".to_string());
        AcceptanceSignature {
            by_approver: unchecked(),
            by_requester: unchecked(),
        }
    }
}

/// One input report, as the gate and the reports list it.
#[derive(Debug, Clone)]
pub struct InputInfo {
    pub path: String,
    pub format: &'static str,
    pub count: usize,
    pub created: Option<crate::model::date::Timestamp>,
    /// What it is a scan of (`ReportMeta::kinds`).
    pub kinds: Vec<crate::model::finding::ScanKind>,
    /// What the reader had to assume to read it (`ReportMeta::notes`).
    pub notes: Vec<String>,
}

/// Under `acceptances.approvals: code_review`, by approver: the CODEOWNERS line that makes their
/// review required for the acceptances file and the policy, or why nothing does.
pub type ReviewProofs = std::collections::BTreeMap<String, Result<String, String>>;
