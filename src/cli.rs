//! Command-line interface: argument parsing and wiring. No decisions are made here.

use crate::finding::{dedup, Finding};
use crate::ingest;
use crate::report;
use clap::{Parser, Subcommand, ValueEnum};
use miette::{Diagnostic, Report};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "riskgate",
    version,
    about = "Allow or block a deploy, finding by finding, and say who owns each finding and who can unblock it."
)]
pub struct Cli {
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
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Lint the policy files (and an acceptances file), reporting every problem with its line.
    Validate {
        /// The directory holding ownership.yaml and guardrails.yaml (default: .riskgate/).
        #[arg(long, value_name = "DIR")]
        policy: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        acceptances: Option<PathBuf>,
    },
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    Table,
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
        Command::Validate {
            policy,
            acceptances,
        } => {
            let Some(dir) = policy.or_else(crate::policy::default_dir) else {
                eprintln!("error: no --policy given and no .riskgate/ownership.yaml here");
                return ExitCode::from(EXIT_ERROR);
            };
            match crate::policy::Policy::load(&dir, acceptances.as_deref()) {
                Ok(p) => {
                    for w in p.warnings {
                        eprintln!("{:?}", Report::new(w));
                    }
                    println!("policy in {} is valid", dir.display());
                    ExitCode::from(EXIT_ALLOW)
                }
                Err(problems) => fail(problems),
            }
        }
    }
}
