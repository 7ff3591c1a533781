//! The option groups of the gate's commands: each command takes only the groups it reads, so its
//! `--help` lists what it uses (approve: the policy; accept and export: the policy and the
//! findings; check and explain: everything), and [`gate_args`] joins them for the loader.

use crate::load::GateArgs;
use std::path::PathBuf;

/// Where the policy is and what is being decided: every command that runs the gate takes these.
#[derive(clap::Args, Debug, Clone, Default)]
#[command(next_help_heading = "Policy")]
pub struct PolicyArgs {
    /// Directory with ownership.yaml and guardrails.yaml, or a published policy:
    /// oci://REF@sha256:... (a registry) or oci:DIR@sha256:... (an OCI image layout)
    /// [default: the .riskgate/ found here or above, up to the repository's root, else the
    /// built-in default policy]
    #[arg(long, value_name = "DIR")]
    pub policy: Option<PathBuf>,
    /// The product being deployed [default: the product whose `repos` match GITHUB_REPOSITORY
    /// or CI_PROJECT_PATH]
    #[arg(long, value_name = "NAME")]
    pub product: Option<String>,
    /// The product's acceptances [default: .riskgate/acceptances.yaml when it exists]
    #[arg(long, value_name = "FILE")]
    pub acceptances: Option<PathBuf>,
    /// Evaluate as of this instant instead of the clock (RFC 3339 or YYYY-MM-DD)
    #[arg(long, value_name = "RFC3339|DATE")]
    pub now: Option<String>,
    /// The key (cosign format) a policy from a registry (`--policy oci://REF@sha256:...`) must
    /// be signed with; checked before the policy is read
    #[arg(long, value_name = "KEY")]
    pub policy_key: Option<PathBuf>,
    /// Or the platform team's keyless identity a published policy must be signed by: an OIDC
    /// issuer and a subject regular expression (a Sigstore bundle among the policy's referrers,
    /// as `cosign sign` v3 attaches it); needs --policy-trusted-root
    #[arg(long, num_args = 2, value_names = ["ISSUER", "SUBJECT_REGEX"], conflicts_with = "policy_key")]
    pub policy_identity: Option<Vec<String>>,
    /// The Sigstore trusted root (`trusted_root.json`) a keyless policy signature is verified
    /// against, offline
    #[arg(long, value_name = "FILE", requires = "policy_identity")]
    pub policy_trusted_root: Option<PathBuf>,
    /// Accept `--policy oci://REF:TAG`, which can be moved (a warning names the digest it
    /// resolved to)
    #[arg(long)]
    pub policy_allow_tag: bool,
}

/// The findings and what is known about them: scanner reports, threat intel, VEX.
#[derive(clap::Args, Debug, Clone, Default)]
#[command(next_help_heading = "Findings")]
pub struct ScanArgs {
    /// A scanner report (format detected from content); `-` reads standard input. Repeatable.
    #[arg(long = "report", value_name = "FILE")]
    pub reports: Vec<PathBuf>,
    /// The CISA KEV catalog (known_exploited_vulnerabilities.json)
    #[arg(long, value_name = "FILE")]
    pub kev: Option<PathBuf>,
    /// FIRST EPSS scores (CSV, optionally gzipped)
    #[arg(long, value_name = "FILE")]
    pub epss: Option<PathBuf>,
    /// A VEX document (OpenVEX, CycloneDX VEX, CSAF VEX). Repeatable.
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<PathBuf>,
}

/// What only a deploy decision reads: SLA state, the target branch, images and artifacts.
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Deploy")]
pub struct DeployArgs {
    /// First-seen dates of findings, for SLA due dates (JSON written by --update-state)
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Record first-seen dates of this run's findings in the --state file
    #[arg(long, requires = "state")]
    pub update_state: bool,
    /// The target branch's findings, for a pull request: a riskgate json report or a scanner
    /// report of the target branch. Findings it has are `existing`; with guardrails.yaml
    /// `pull_requests: { gate: new_only }` they do not block.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// A container image about to be deployed: registry/repo:tag, registry/repo@sha256:...,
    /// or oci:DIR[:TAG] (an OCI image layout). Checked against guardrails.yaml `images`.
    /// Repeatable.
    #[arg(long = "image", value_name = "REF")]
    pub images: Vec<String>,
    /// A build artifact about to be deployed, with its Sigstore bundle beside it
    /// (FILE.sigstore.json or FILE.sigstore) or given as FILE=BUNDLE. Repeatable.
    #[arg(long = "artifact", value_name = "FILE[=BUNDLE]")]
    pub artifacts: Vec<String>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// How to reach registries: every command that reads or writes one takes these.
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Registry")]
pub struct RegistryArgs {
    /// Trust this CA certificate (PEM) for registry TLS, besides the system's. With it, loopback
    /// registries are reached over TLS too. Repeatable.
    #[arg(long = "registry-ca", value_name = "FILE")]
    pub registry_ca: Vec<PathBuf>,
    /// Reach this registry (host:port) over plain HTTP. Loopback registries are, unless
    /// --registry-ca is given. Repeatable.
    #[arg(long = "insecure-registry", value_name = "HOST")]
    pub insecure_registries: Vec<String>,
    /// Seconds to wait for a registry before giving up, 1 to 3600 (each request is tried at most
    /// 3 times)
    #[arg(long, value_name = "SECS", default_value_t = crate::load::image::DEFAULT_TIMEOUT_SECS,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub registry_timeout: u64,
}

impl RegistryArgs {
    /// The options the registry client takes; the CA files are read here.
    pub fn options(&self) -> Result<crate::load::image::RegistryOptions, String> {
        crate::load::image::RegistryOptions::read(
            &self.registry_ca,
            &self.insecure_registries,
            self.registry_timeout,
        )
        .map_err(|e| e.join("; "))
    }
}

/// Signing the decision (`check --attest`).
#[derive(clap::Args, Debug, Clone, Default)]
#[command(next_help_heading = "Signed decision")]
pub struct AttestArgs {
    /// Write the decision as a signed in-toto statement (a SLSA Verification Summary about the
    /// digests of the --image and --artifact gated) to FILE, as a DSSE envelope
    #[arg(long, value_name = "FILE", requires = "attest_key")]
    pub attest: Option<PathBuf>,
    /// The cosign private key that signs the decision (password from COSIGN_PASSWORD)
    #[arg(long, value_name = "KEY")]
    pub attest_key: Option<PathBuf>,
    /// Also attach the signed decision to each --image in its registry, as cosign attaches
    /// attestations (the `sha256-<hex>.att` tag)
    #[arg(long, requires = "attest")]
    pub attach: bool,
    /// Write the decision's predicate (the Verification Summary, unsigned) to FILE, for a
    /// keyless signature in CI: `cosign attest --type https://slsa.dev/verification_summary/v1
    /// --predicate FILE IMAGE@DIGEST`; deploys check it with `verify --identity`
    #[arg(long, value_name = "FILE")]
    pub attest_predicate: Option<PathBuf>,
}

/// One gate run's inputs from the groups a command takes.
pub(super) fn gate_args(
    p: PolicyArgs,
    scan: Option<ScanArgs>,
    deploy: Option<DeployArgs>,
) -> GateArgs {
    let mut g = GateArgs {
        policy: p.policy,
        product: p.product,
        acceptances: p.acceptances,
        now: p.now,
        policy_key: p.policy_key,
        policy_identity: p.policy_identity,
        policy_trusted_root: p.policy_trusted_root,
        policy_allow_tag: p.policy_allow_tag,
        ..GateArgs::default()
    };
    if let Some(s) = scan {
        g.reports = s.reports;
        g.kev = s.kev;
        g.epss = s.epss;
        g.vex = s.vex;
    }
    if let Some(d) = deploy {
        g.state = d.state;
        g.update_state = d.update_state;
        g.baseline = d.baseline;
        g.images = d.images;
        g.artifacts = d.artifacts;
        g.registry_ca = d.registry.registry_ca;
        g.insecure_registries = d.registry.insecure_registries;
        g.registry_timeout = d.registry.registry_timeout;
    }
    g
}
