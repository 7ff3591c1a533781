//! `riskgate org report` and `riskgate org who`: many products' json reports and the register,
//! read and summed by the pure core (`decide::org`). Exit 0 with the view; `org who` exits 1
//! when no product's latest report has the id (like grep); 2 when an input cannot be read.

use super::{fail, EXIT_ALLOW, EXIT_BLOCK, EXIT_ERROR};
use crate::decide::org::{self, OrgCfg, Read, Tally};
use crate::ingest::Source;
use crate::load::{self, decisions, GateArgs};
use miette::Report;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the register is and which decisions to read: what both `org` commands take.
#[derive(clap::Args, Debug, Clone)]
pub struct OrgArgs {
    /// The policy directory with the ownership register (default: .riskgate/), or a policy in
    /// a registry, oci://REF@sha256:...
    #[arg(long, value_name = "DIR")]
    pub policy: Option<PathBuf>,
    /// The key a policy from a registry must be signed with.
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
    /// Accept --policy oci://REF:TAG (a warning names the digest it resolved to).
    #[arg(long)]
    pub policy_allow_tag: bool,
    /// riskgate json reports (`check --format json`), or directories of them (walked for
    /// *.json). The latest report of each product (by evaluated_at) is used. Repeatable.
    #[arg(long = "decisions", value_name = "FILE|DIR", required = true)]
    pub decisions: Vec<PathBuf>,
    /// Compute the view as of this instant instead of the clock (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "RFC3339|DATE")]
    pub now: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum OrgCommand {
    /// SLA compliance and open risk by team and product, expiring acceptances, unowned and
    /// overdue findings, stale ownership and products without a recent report.
    Report {
        #[command(flatten)]
        args: OrgArgs,
        /// html: one self-contained page with charts; markdown; json (`riskgate schema org`).
        #[arg(long, value_enum, default_value_t = OrgFormat::Markdown)]
        format: OrgFormat,
        /// Write it here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Who must act on a vulnerability: every product whose latest report has it (by id or
    /// alias), with the owning team and contact, risk owner, escalation, status, risk and SLA.
    Who {
        /// A vulnerability id or alias (CVE, GHSA, RHSA...), or a rule id.
        #[arg(value_name = "ID")]
        id: String,
        #[command(flatten)]
        args: OrgArgs,
        /// table: aligned columns for people; json (`riskgate schema org-who`).
        #[arg(long, value_enum, default_value_t = super::ListFormat::Table)]
        format: super::ListFormat,
    },
}

#[derive(Copy, Clone, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum OrgFormat {
    Html,
    Markdown,
    Json,
}

pub fn run(cmd: &OrgCommand) -> ExitCode {
    match cmd {
        OrgCommand::Report {
            args,
            format,
            output,
        } => report(args, *format, output.as_deref()),
        OrgCommand::Who { id, args, format } => who(id, args, *format),
    }
}

/// The policy, the clock and every report, each report's findings counted as it is parsed.
fn read_all(
    args: &OrgArgs,
    who: Option<&str>,
    output: Option<&Path>,
) -> Result<(load::Loaded, Vec<Read>), ExitCode> {
    let gate = GateArgs {
        policy: args.policy.clone(),
        policy_key: args.policy_key.clone(),
        policy_identity: args.policy_identity.clone(),
        policy_trusted_root: args.policy_trusted_root.clone(),
        policy_allow_tag: args.policy_allow_tag,
        now: args.now.clone(),
        ..GateArgs::default()
    };
    let loaded = load::load(&gate, false).map_err(fail)?;
    let files = decisions::report_files(&args.decisions).map_err(fail)?;
    if let Some(out) = output {
        let target = crate::write::identity(out);
        if let Some(f) = files.iter().find(|f| crate::write::identity(f) == target) {
            return Err(fail(load::UsageError::new(
                format!(
                    "--output {} is one of the reports read ({})",
                    out.display(),
                    f.display()
                ),
                Some("write the view outside the folders given to --decisions".into()),
            )));
        }
    }
    let today = loaded.now.date();
    let mut reads = Vec::with_capacity(files.len());
    let mut failed = false;
    for f in &files {
        let res = Source::read(f).and_then(|src| {
            let mut tally = Tally::default();
            let record = decisions::read_report(&src, |finding| tally.add(&finding, today, who))?;
            Ok(Read { record, tally })
        });
        match res {
            Ok(r) => reads.push(r),
            Err(e) => {
                eprintln!("{:?}", Report::new(e));
                failed = true;
            }
        }
    }
    if failed {
        eprintln!("error: some reports could not be read; no view was computed");
        return Err(ExitCode::from(EXIT_ERROR));
    }
    Ok((loaded, reads))
}

fn cfg(loaded: &load::Loaded) -> OrgCfg<'_> {
    OrgCfg {
        ownership: &loaded.policy.ownership,
        guardrails: &loaded.policy.guardrails,
        now: loaded.now,
        policy: &loaded.policy_source,
    }
}

fn report(args: &OrgArgs, format: OrgFormat, output: Option<&Path>) -> ExitCode {
    let (loaded, reads) = match read_all(args, None, output) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let cfg = cfg(&loaded);
    let view = org::org_view(&cfg, reads);
    for w in &view.warnings {
        eprintln!("warning: {w}");
    }
    let render = |w: &mut dyn Write| match format {
        OrgFormat::Json => crate::report::org::json(w, &view),
        OrgFormat::Markdown => crate::report::org::markdown(w, &view),
        OrgFormat::Html => crate::report::org_html::render(w, &view),
    };
    match output {
        Some(p) if p.as_os_str() != "-" => super::check::write_file(p, render),
        _ => super::write_out(render),
    }
}

fn who(id: &str, args: &OrgArgs, format: super::ListFormat) -> ExitCode {
    let (loaded, reads) = match read_all(args, Some(id), None) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let cfg = cfg(&loaded);
    let view = org::who(&cfg, id, reads);
    let found = !view.products.is_empty();
    let code = super::write_out(|w| match format {
        super::ListFormat::Table => crate::report::org::who_table(w, &view),
        super::ListFormat::Json => crate::report::org::who_json(w, &view),
    });
    if code != ExitCode::from(EXIT_ALLOW) {
        return code;
    }
    ExitCode::from(if found { EXIT_ALLOW } else { EXIT_BLOCK })
}
