//! The `riskgate` binary: parse arguments, run, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // In CI logs (no terminal) long diagnostics must stay greppable: no wrapping, no colour.
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let _ = miette::set_hook(Box::new(|_| {
            Box::new(
                miette::MietteHandlerOpts::new()
                    .wrap_lines(false)
                    .color(false)
                    .unicode(false)
                    .build(),
            )
        }));
    }
    let cli = match riskgate::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are successes; every usage error is "could not decide".
            return if e.use_stderr() {
                ExitCode::from(riskgate::cli::EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    riskgate::cli::run(cli)
}
