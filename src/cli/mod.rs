//! Command-line interface: argument parsing and wiring. No decisions are made here.

use crate::decide::{Engine, Inputs, Verdict};
use crate::load::{self, GateArgs, UsageError};
use crate::model::finding::{dedup, Finding};

mod args;
mod attest;
mod check;
mod init;
mod inspect;
mod org;
mod validate;
pub mod workflow;

use crate::ingest;
use crate::report::{self, View};
use args::gate_args;
pub use args::{AttestArgs, DeployArgs, PolicyArgs, RegistryArgs, ScanArgs};
use check::check;
use clap::{Parser, Subcommand, ValueEnum};
use inspect::{explain, list_acceptances};
use miette::{Diagnostic, Report};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// `riskgate --version`: the crate version and the commit it was built from (see build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("RISKGATE_COMMIT"),
    ")"
);

#[derive(Parser, Debug)]
#[command(
    name = "riskgate",
    version = VERSION,
    about = "Allow or block a deploy, finding by finding, and say who owns each finding and who can unblock it."
)]
pub struct Cli {
    /// The largest input file riskgate reads (reports, VEX, threat intel, policy files,
    /// baselines), e.g. `4GiB`; a larger file is refused with exit 2 rather than read.
    #[arg(long, global = true, value_name = "SIZE", env = "RISKGATE_MAX_INPUT_SIZE",
          default_value = "2GiB", value_parser = crate::ingest::source::parse_size)]
    pub max_input_size: u64,
    /// Threads to use for reading reports beside the policy, deciding and rendering (0: the
    /// machine's cores, at most 4). The output is the same for any number.
    #[arg(
        long,
        global = true,
        value_name = "N",
        env = "RISKGATE_THREADS",
        default_value_t = 0
    )]
    pub threads: usize,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the normalised, deduplicated findings of scanner reports.
    Findings {
        /// A scanner report (format detected from content). Repeatable.
        #[arg(long = "report", required = true, value_name = "FILE")]
        reports: Vec<PathBuf>,
        /// How to print them.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Decide: allow or block the deploy, finding by finding. Exit 0 allow, 1 block, 2 could not decide.
    Check {
        #[command(flatten)]
        policy: PolicyArgs,
        #[command(flatten)]
        scan: ScanArgs,
        #[command(flatten)]
        deploy: DeployArgs,
        /// After the human report, list what would block once pending `enforce_from` dates pass
        #[arg(long)]
        explain_upcoming: bool,
        /// The human report says only the verdict and the counts
        #[arg(short, long, conflicts_with = "explain_upcoming")]
        quiet: bool,
        /// Report format; repeatable, paired in order with --output.
        #[arg(long = "format", value_enum, value_name = "FORMAT")]
        formats: Vec<OutFormat>,
        /// Where the matching --format goes (default, or `-`: standard output). Repeatable.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        outputs: Vec<PathBuf>,
        /// Append this run's decision, with the sha256 of every input, to a hash-chained
        /// JSON-lines log (`riskgate log verify FILE` checks it).
        #[arg(long, value_name = "FILE")]
        decision_log: Option<PathBuf>,
        #[command(flatten)]
        attest: AttestArgs,
    },
    /// At deploy: is there a signed decision that allowed exactly this image (or file)? Exit 0
    /// when a fresh PASSED decision by the gate's key (or keyless identity) is about its digest,
    /// 1 when none is, 2 when it cannot be told.
    Verify(attest::VerifyArgs),
    /// Publish the policy: `policy push DIR REF` packs ownership.yaml, guardrails.yaml and the
    /// files beside them as an OCI artifact, signs it with --sign-key, and prints its digest.
    Policy {
        #[command(subcommand)]
        command: attest::PolicyCommand,
    },
    /// The organisation's view over many products' json reports and the register: SLA
    /// compliance by team, open risk, expiring acceptances, unowned findings, stale ownership
    /// (`org report`); who owns a vulnerability and whom to escalate to (`org who ID`).
    Org {
        #[command(subcommand)]
        command: org::OrgCommand,
    },
    /// Work with decision logs.
    Log {
        #[command(subcommand)]
        command: LogCommand,
    },
    /// Explain one finding: owner, how its risk was derived, which acceptances were tried and why
    /// each does or does not cover it, who may accept it and for how long.
    Explain {
        /// The finding's id or one of its aliases (CVE, GHSA, rule id).
        #[arg(value_name = "FINDING-ID")]
        id: String,
        #[command(flatten)]
        policy: PolicyArgs,
        #[command(flatten)]
        scan: ScanArgs,
        #[command(flatten)]
        deploy: DeployArgs,
    },
    /// Record an acceptance of a finding in the acceptances file (appended; comments kept).
    /// Within the owning team's autonomy it takes effect at once; above it, it is a pending
    /// request until `riskgate approve`. Refuses (exit 2, file untouched) what the named people
    /// may not accept.
    Accept {
        /// The findings' ids or aliases, as the reports name them: one entry per finding (per
        /// package, for a vulnerability in several), one validation, one write.
        #[arg(value_name = "FINDING-ID", required = true)]
        ids: Vec<String>,
        /// The findings as CI saw them: the json report of its `riskgate check --format json`,
        /// instead of the scanners' files (CI re-decides everything from its own reports).
        #[arg(long, value_name = "FILE", conflicts_with = "reports")]
        from_report: Option<PathBuf>,
        /// Why the risk is acceptable (recorded, shown in reports and exports).
        #[arg(long)]
        reason: String,
        /// Who requests it: a member of the team that owns the finding (or a higher role).
        #[arg(long, value_name = "ID")]
        by: String,
        /// Who approves it, when the level needs an approver above the team.
        #[arg(long, value_name = "ID")]
        approver: Option<String>,
        /// How long it lasts [default: the level's max_days].
        #[arg(long, value_name = "N", conflicts_with = "expires")]
        days: Option<u32>,
        /// Last day it is valid is the day before this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        /// Limit it to one package (name or purl prefix) when several carry the finding.
        #[arg(long, value_name = "NAME|PURL")]
        package: Option<String>,
        /// A ticket reference to record.
        #[arg(long)]
        ticket: Option<String>,
        /// Sign the acceptance with this encrypted private key (levels within the team's
        /// autonomy that require a signature; above it the approver signs with `approve`).
        #[arg(long, value_name = "FILE")]
        sign_key: Option<PathBuf>,
        /// For a weakness, secret or misconfiguration: cover it anywhere in the product, not
        /// only in the files and places it is now (recorded as `anywhere: true`).
        #[arg(long)]
        anywhere: bool,
        #[command(flatten)]
        policy: PolicyArgs,
        #[command(flatten)]
        scan: ScanArgs,
    },
    /// Approve a pending acceptance: checks the approver holds the level's role and separation
    /// of duties, then records `approved_by`.
    Approve {
        /// The acceptance's id (ACC-NNNN).
        #[arg(value_name = "ACC-ID")]
        id: String,
        /// Who approves it.
        #[arg(long, value_name = "ID")]
        by: String,
        /// Sign the approved acceptance with this encrypted private key (from `riskgate keygen`
        /// or `cosign generate-key-pair`; password from COSIGN_PASSWORD).
        #[arg(long, value_name = "FILE")]
        sign_key: Option<PathBuf>,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Export the acceptances that cover findings in this run as scanner ignore files, so
    /// scanners honour the same decisions.
    Export {
        /// Which scanner's ignore file to write.
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[command(flatten)]
        policy: PolicyArgs,
        #[command(flatten)]
        scan: ScanArgs,
    },
    /// Print CODEOWNERS lines so that changes to the acceptances file need the risk owner's or
    /// security's review.
    Codeowners {
        /// Directory with ownership.yaml and guardrails.yaml [default: .riskgate/]
        #[arg(long, value_name = "DIR")]
        policy: Option<PathBuf>,
        /// The product whose acceptances file it is [default: from the CI repository]
        #[arg(long, value_name = "NAME")]
        product: Option<String>,
        /// The acceptances file's path in the repository.
        #[arg(
            long,
            value_name = "PATH",
            default_value = ".riskgate/acceptances.yaml"
        )]
        file: String,
        /// Name people by their GitLab handles instead of GitHub's.
        #[arg(long)]
        gitlab: bool,
    },
    /// Write a key pair for signing acceptances: PREFIX.key (encrypted with COSIGN_PASSWORD) and
    /// PREFIX.pub, in cosign's formats. Put the public key under your `people:` entry.
    Keygen {
        /// Path prefix of the two files written (PREFIX.key and PREFIX.pub).
        #[arg(long, value_name = "PREFIX")]
        out: PathBuf,
    },
    /// Print an acceptance's canonical JSON: the bytes its signature covers (sign them with
    /// `cosign sign-blob --bundle` for a keyless signature, and paste the bundle as `signature`).
    Canonical {
        /// The acceptance's id (ACC-NNNN).
        #[arg(value_name = "ACC-ID")]
        id: String,
        /// The acceptances file [default: .riskgate/acceptances.yaml]
        #[arg(long, value_name = "FILE")]
        acceptances: Option<PathBuf>,
        /// Directory with ownership.yaml and guardrails.yaml [default: .riskgate/]
        #[arg(long, value_name = "DIR")]
        policy: Option<PathBuf>,
    },
    /// List the recorded acceptances with their state (active, expiring, expired).
    Acceptances {
        /// Only acceptances that expire within this many days (and have not expired yet).
        #[arg(long, value_name = "DAYS")]
        expiring: Option<u32>,
        /// Directory with ownership.yaml and guardrails.yaml [default: .riskgate/]
        #[arg(long, value_name = "DIR")]
        policy: Option<PathBuf>,
        /// The acceptances file [default: .riskgate/acceptances.yaml]
        #[arg(long, value_name = "FILE")]
        acceptances: Option<PathBuf>,
        /// Judge expiry as of this instant instead of the clock (RFC 3339 or YYYY-MM-DD)
        #[arg(long, value_name = "RFC3339|DATE")]
        now: Option<String>,
        /// How to print them.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Print the JSON Schema of a file riskgate reads or writes.
    Schema {
        /// Which file.
        #[arg(value_enum)]
        file: SchemaFile,
    },
    /// Print a shell completion script: `riskgate completions bash > /etc/bash_completion.d/riskgate`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from these same definitions:
    /// `riskgate man > riskgate.1`; with --dir, one page per command.
    Man {
        /// Write riskgate.1 and riskgate-COMMAND.1 for every command into this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write a starter .riskgate/ at the repository's root (ownership, guardrails documented
    /// line by line, an empty acceptances file), the CI job for the platform detected and, when
    /// the repository has none, CODEOWNERS. Never overwrites: when a file exists, nothing is
    /// written (exit 2).
    Init(init::InitArgs),
    /// Lint the policy files (and an acceptances file), reporting every problem with its line.
    Validate {
        /// The directory holding ownership.yaml and guardrails.yaml (default: .riskgate/), or a
        /// policy in a registry, oci://REF@sha256:...
        #[arg(long, value_name = "DIR")]
        policy: Option<PathBuf>,
        /// The key a policy from a registry must be signed with.
        #[arg(long, value_name = "KEY")]
        policy_key: Option<PathBuf>,
        /// Or the platform team's keyless identity a published policy must be signed by: an OIDC
        /// issuer and a subject regular expression (a Sigstore bundle among the policy's referrers,
        /// as `cosign sign` v3 attaches it); needs --policy-trusted-root
        #[arg(long, num_args = 2, value_names = ["ISSUER", "SUBJECT_REGEX"], conflicts_with = "policy_key")]
        policy_identity: Option<Vec<String>>,
        /// The Sigstore trusted root (`trusted_root.json`) a keyless policy signature is verified
        /// against, offline
        #[arg(long, value_name = "FILE", requires = "policy_identity")]
        policy_trusted_root: Option<PathBuf>,
        /// Accept --policy oci://REF:TAG (a warning names the digest it resolved to).
        #[arg(long)]
        policy_allow_tag: bool,
        /// An acceptances file to check against the policy.
        #[arg(long, value_name = "FILE")]
        acceptances: Option<PathBuf>,
        /// Judge review dates and expiries as of this day instead of today.
        #[arg(long, value_name = "RFC3339|DATE")]
        now: Option<String>,
        /// Treat warnings (stale ownership, teams without members, unknown risk owners, expired
        /// or expiring acceptances) as errors: exit 2.
        #[arg(long)]
        strict: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum LogCommand {
    /// Check that no line of a decision log was edited, inserted, reordered or removed.
    Verify {
        /// The decision log (JSON lines written by `check --decision-log`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum OutFormat {
    /// The verdict, then blocked findings by owning team with the command that would unblock each.
    Human,
    /// Everything, as one JSON object (`riskgate schema report`).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// JUnit XML for test report widgets (GitLab, Jenkins...).
    Junit,
    /// GitLab Code Quality JSON.
    Codequality,
    /// A compact summary for $GITHUB_STEP_SUMMARY and merge request comments.
    Markdown,
    /// GitHub Actions workflow commands (inline annotations).
    Github,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    /// Trivy's .trivyignore.yaml
    Trivyignore,
    /// Grype's ignore rules (.grype.yaml)
    Grype,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum SchemaFile {
    /// ownership.yaml: teams, people, products, layers
    Ownership,
    /// guardrails.yaml: risk levels, gates, approvers, SLAs, image rules
    Guardrails,
    /// acceptances.yaml: the product's recorded exceptions
    Acceptances,
    /// the `check --format json` report
    Report,
    /// the `org report --format json` view
    Org,
    /// the `org who --format json` answer
    OrgWho,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    /// Aligned columns for people.
    Table,
    /// JSON for programs.
    Json,
}

/// Exit codes of SPEC §5.
pub const EXIT_ALLOW: u8 = 0;
pub const EXIT_BLOCK: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// A failure that prevents a decision; always exit 2.
pub fn fail(err: impl Diagnostic + Send + Sync + 'static) -> ExitCode {
    eprintln!("{:?}", Report::new(err));
    ExitCode::from(EXIT_ERROR)
}

/// Reads every report; all unreadable reports are reported, not just the first.
pub fn load_reports(paths: &[PathBuf]) -> Result<Vec<ingest::Parsed>, Vec<ingest::InputError>> {
    let mut ok = Vec::with_capacity(paths.len());
    let mut errs = Vec::new();
    for p in paths {
        match ingest::load_report(p) {
            Ok(r) => ok.push(r),
            Err(e) => errs.push(e),
        }
    }
    if errs.is_empty() {
        Ok(ok)
    } else {
        Err(errs)
    }
}

fn print_errors(errs: Vec<ingest::InputError>) -> ExitCode {
    for e in errs {
        eprintln!("{:?}", Report::new(e));
    }
    ExitCode::from(EXIT_ERROR)
}

fn write_out(f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> ExitCode {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    match f(&mut w).and_then(|_| w.flush()) {
        Ok(()) => ExitCode::from(EXIT_ALLOW),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_ALLOW),
        Err(e) => {
            eprintln!("error: cannot write output: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    crate::ingest::source::set_max_input(cli.max_input_size);
    crate::model::set_threads(cli.threads);
    match cli.command {
        Command::Findings { reports, format } => {
            let parsed = match load_reports(&reports) {
                Ok(p) => p,
                Err(errs) => return print_errors(errs),
            };
            let all: Vec<Finding> = parsed.into_iter().flat_map(|p| p.findings).collect();
            let findings = dedup(all);
            write_out(|w| match format {
                ListFormat::Table => report::table::render(w, &findings),
                ListFormat::Json => report::findings_json(w, &findings),
            })
        }
        Command::Check {
            policy,
            scan,
            deploy,
            explain_upcoming,
            quiet,
            formats,
            outputs,
            decision_log,
            attest,
        } => {
            let mut inputs = gate_args(policy, Some(scan), Some(deploy));
            inputs.explain_upcoming = explain_upcoming;
            inputs.quiet = quiet;
            check(
                &inputs,
                &formats,
                &outputs,
                decision_log.as_deref(),
                &attest,
            )
        }
        Command::Verify(a) => attest::verify(&a),
        Command::Policy { command } => attest::policy(&command),
        Command::Org { command } => org::run(&command),
        Command::Log {
            command: LogCommand::Verify { file },
        } => {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => {
                    return fail(UsageError::new(
                        format!("cannot read {}: {e}", file.display()),
                        None,
                    ))
                }
            };
            match crate::write::decision_log::verify(&text) {
                Ok((n, head)) => {
                    println!("{}: {n} entries, chain intact; head {head}", file.display());
                    ExitCode::from(EXIT_ALLOW)
                }
                Err((line, why)) => {
                    eprintln!("{}:{line}: {why}", file.display());
                    ExitCode::from(EXIT_BLOCK)
                }
            }
        }
        Command::Explain {
            id,
            policy,
            scan,
            deploy,
        } => explain(&id, &gate_args(policy, Some(scan), Some(deploy))),
        Command::Accept {
            ids,
            from_report,
            reason,
            by,
            approver,
            days,
            expires,
            package,
            ticket,
            sign_key,
            anywhere,
            policy,
            scan,
        } => crate::cli::workflow::accept(
            &GateArgs {
                from_report,
                ..gate_args(policy, Some(scan), None)
            },
            &crate::cli::workflow::AcceptArgs {
                ids: &ids,
                reason: &reason,
                by: &by,
                approver: approver.as_deref(),
                days,
                expires: expires.as_deref(),
                package: package.as_deref(),
                ticket: ticket.as_deref(),
                sign_key: sign_key.as_deref(),
                anywhere,
            },
        ),
        Command::Approve {
            id,
            by,
            sign_key,
            policy,
        } => crate::cli::workflow::approve(
            &gate_args(policy, None, None),
            &id,
            &by,
            sign_key.as_deref(),
        ),
        Command::Keygen { out } => crate::cli::workflow::keygen(&out),
        Command::Canonical {
            id,
            acceptances,
            policy,
        } => {
            let args = GateArgs {
                policy,
                acceptances: acceptances.or_else(|| Some(load::default_acceptances())),
                ..GateArgs::default()
            };
            let loaded = match load::load(&args, false) {
                Ok(l) => l,
                Err(e) => return fail(e),
            };
            match loaded.acceptances().iter().find(|a| a.id == id) {
                Some(a) => {
                    let bytes = crate::verify::signing::canonical(a);
                    write_out(|w| w.write_all(&bytes))
                }
                None => fail(UsageError::new(format!("no acceptance {id}"), None)),
            }
        }
        Command::Export {
            format,
            policy,
            scan,
        } => with_decision(&gate_args(policy, Some(scan), None), |view, _| {
            write_out(|w| match format {
                ExportFormat::Trivyignore => report::export::trivyignore(w, view),
                ExportFormat::Grype => report::export::grype(w, view),
            })
        }),
        Command::Codeowners {
            policy,
            product,
            file,
            gitlab,
        } => {
            let args = GateArgs {
                policy,
                product,
                ..GateArgs::default()
            };
            let loaded = match load::load(&args, false) {
                Ok(l) => l,
                Err(e) => return fail(e),
            };
            let own = &loaded.policy.ownership;
            let product = match load::resolve_product(own, args.product.as_deref()) {
                Ok(Some(p)) => p,
                Ok(None) => {
                    return fail(UsageError::new(
                        "the register has no products: nothing to own",
                        None,
                    ))
                }
                Err(e) => return fail(e),
            };
            write_out(|w| report::export::codeowners(w, own, &product, &file, gitlab))
        }
        Command::Acceptances {
            expiring,
            policy,
            acceptances,
            now,
            format,
        } => list_acceptances(expiring, policy, acceptances, now, format),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            write_out(|w| {
                clap_complete::generate(shell, &mut cmd, "riskgate", w);
                Ok(())
            })
        }
        Command::Man { dir } => {
            let cmd = <Cli as clap::CommandFactory>::command();
            match dir {
                None => write_out(|w| clap_mangen::Man::new(cmd).render(w)),
                Some(dir) => match std::fs::create_dir_all(&dir)
                    .and_then(|_| clap_mangen::generate_to(cmd, &dir))
                {
                    Ok(()) => ExitCode::from(EXIT_ALLOW),
                    Err(e) => fail(UsageError::new(
                        format!("cannot write manual pages into {}: {e}", dir.display()),
                        None,
                    )),
                },
            }
        }
        Command::Schema { file } => {
            let schema = match file {
                SchemaFile::Ownership => schemars::schema_for!(crate::policy::ownership::Ownership),
                SchemaFile::Guardrails => {
                    schemars::schema_for!(crate::policy::guardrails::Guardrails)
                }
                SchemaFile::Acceptances => {
                    schemars::schema_for!(crate::policy::acceptances::AcceptancesFile)
                }
                SchemaFile::Report => report::json::schema(),
                SchemaFile::Org => report::org::schema(),
                SchemaFile::OrgWho => report::org::who_schema(),
            };
            write_out(|w| {
                serde_json::to_writer_pretty(&mut *w, &schema)?;
                writeln!(w)
            })
        }
        Command::Init(a) => init::init(&a),
        Command::Validate {
            policy,
            policy_key,
            policy_identity,
            policy_trusted_root,
            policy_allow_tag,
            acceptances,
            now,
            strict,
        } => validate::validate(
            GateArgs {
                policy,
                policy_key,
                policy_identity,
                policy_trusted_root,
                policy_allow_tag,
                ..GateArgs::default()
            },
            acceptances,
            now,
            strict,
        ),
    }
}

/// This run's inputs as arguments for the commands reports suggest (`riskgate accept ...`).
fn rerun_args(a: &GateArgs) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut add = |flag: &str, p: &std::path::Path| {
        parts.push(format!(
            "{flag} {}",
            report::shell_quote(&p.display().to_string())
        ));
    };
    if let Some(p) = &a.policy {
        add("--policy", p);
    }
    if let Some(p) = &a.acceptances {
        add("--acceptances", p);
    }
    for p in &a.reports {
        add("--report", p);
    }
    if let Some(p) = &a.kev {
        add("--kev", p);
    }
    if let Some(p) = &a.epss {
        add("--epss", p);
    }
    for p in &a.vex {
        add("--vex", p);
    }
    parts.join(" ")
}

/// Runs the gate and hands the view to `then`, which renders and picks the exit code.
pub(crate) fn with_decision(
    args: &GateArgs,
    then: impl FnOnce(&View, &load::Loaded) -> ExitCode,
) -> ExitCode {
    let loaded = match load::load(args, true) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let mut engine = match Engine::new(
        &loaded.policy.ownership,
        &loaded.policy.guardrails,
        loaded.product.as_deref(),
    ) {
        Ok(e) => e,
        Err(msg) => return fail(UsageError::new(msg, None)),
    };
    engine.review = loaded.review.as_ref();
    let inputs = Inputs {
        findings: &loaded.findings,
        vex: &loaded.vex,
        kev: loaded.kev.as_ref(),
        epss: loaded.epss.as_ref(),
        acceptances: loaded.acceptances(),
        first_seen: loaded.first_seen.as_ref(),
        now: loaded.now,
        images: &loaded.images,
        artifacts: &loaded.artifacts,
        base_layers: loaded.base_layers.as_ref(),
        baseline: loaded.baseline.as_ref(),
        reports: &loaded.inputs,
        gated_images: &loaded.gated_images,
        signatures: &loaded.signatures,
    };
    let decision = engine.decide(&inputs);
    let view = View {
        decision: &decision,
        engine: &engine,
        policy_source: &loaded.policy_source,
        acceptances_file: loaded.policy.acceptances.as_ref().map(|(_, f)| f),
        reports: &loaded.inputs,
        rerun: rerun_args(args),
        policy_warnings: loaded
            .policy
            .warnings
            .iter()
            .map(|p| p.to_string())
            .chain(
                loaded
                    .inputs
                    .iter()
                    .flat_map(|i| i.notes.iter().map(move |n| format!("{}: {n}", i.path))),
            )
            .collect(),
        explain_upcoming: args.explain_upcoming,
        notice: (args.policy.is_none() && loaded.policy_source == crate::policy::BUILTIN).then(|| {
            format!(
                "{}: this run is on the built-in policy, under which no finding has an owner and none can be accepted. Run `riskgate init --product NAME` at the repository's root to write a starter .riskgate/, or pass --policy DIR",
                load::Discovery::here().searched()
            )
        }),
        quiet: args.quiet,
    };
    let code = then(&view, &loaded);
    // The process ends right after this: the operating system takes the memory back at once,
    // while freeing every finding's and decision's allocations one by one was a tenth of a
    // large `check` (perf, issue 19).
    std::mem::forget(view);
    std::mem::forget(decision);
    std::mem::forget(engine);
    std::mem::forget(loaded);
    code
}
