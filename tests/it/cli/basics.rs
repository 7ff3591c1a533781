//! What people expect of any CLI: help for every option of every command, only the options a
//! command reads, `--version` with the commit, completions, a man page, `-o`, `--report -`.

use crate::common::Cli;

use crate::common::{riskgate, root, run, scratch, Scratch, EXAMPLE_REPORTS};
use clap::CommandFactory;

/// Every command, with its path of subcommand names.
fn commands() -> Vec<(String, clap::Command)> {
    fn walk(prefix: &str, cmd: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands() {
            let name = format!("{prefix} {}", sub.get_name()).trim().to_string();
            out.push((name.clone(), sub.clone()));
            walk(&name, sub, out);
        }
    }
    let mut out = Vec::new();
    walk("", &riskgate::cli::Cli::command(), &mut out);
    out
}

#[test]
fn every_option_of_every_command_has_help() {
    let mut missing = Vec::new();
    let all = commands();
    assert!(all.len() >= 16, "{} commands", all.len());
    for (name, cmd) in &all {
        if cmd.get_about().is_none() {
            missing.push(format!("riskgate {name} (the command)"));
        }
        for arg in cmd.get_arguments() {
            if arg.get_help().is_none() {
                missing.push(format!("riskgate {name} {}", arg.get_id()));
            }
        }
    }
    assert!(missing.is_empty(), "no --help text: {missing:#?}");
}

#[test]
fn commands_list_only_the_options_they_read() {
    let help = |args: &[&str]| {
        let r = riskgate().args(args).arg("--help").run();
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let approve = help(&["approve"]);
    for flag in ["--report", "--image", "--baseline", "--state", "--kev"] {
        assert!(!approve.contains(flag), "approve lists {flag}:\n{approve}");
    }
    assert!(approve.contains("--acceptances") && approve.contains("--sign-key"));
    let export = help(&["export"]);
    for flag in [
        "--image",
        "--baseline",
        "--state",
        "--registry-ca",
        "--explain-upcoming",
    ] {
        assert!(!export.contains(flag), "export lists {flag}:\n{export}");
    }
    assert!(export.contains("--report") && export.contains("--vex"));
    let accept = help(&["accept"]);
    assert!(!accept.contains("--image") && accept.contains("--report"));
    let check = help(&["check"]);
    for flag in [
        "--image",
        "--baseline",
        "--explain-upcoming",
        "-o, --output",
        "--report",
    ] {
        assert!(check.contains(flag), "check lacks {flag}:\n{check}");
    }
    // the groups have headings, so a long option list stays readable
    for heading in ["Policy:", "Findings:", "Deploy:"] {
        assert!(check.contains(heading), "check lacks {heading}");
    }
}

#[test]
fn version_names_the_commit() {
    let r = riskgate().arg("--version").run();
    assert_eq!(r.code, 0);
    let line = r.stdout.trim();
    let want = format!("riskgate {} (", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(&want) && line.ends_with(')'), "{line}");
    let commit = &line[want.len()..line.len() - 1];
    assert!(
        commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()),
        "{commit}"
    );
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef riskgate"),
        ("fish", "complete -c riskgate"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion"),
    ] {
        let r = riskgate().args(["completions", shell]).run();
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains(marker), "{shell}");
        assert!(
            r.stdout.contains("explain-upcoming"),
            "{shell} misses check's options"
        );
    }
    let r = riskgate().arg("completions").arg("tcsh").run();
    assert_eq!(r.code, 2);

    let r = riskgate().arg("man").run();
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains(".TH riskgate 1"), "{}", &r.stdout[..200]);
    assert!(r.stdout.contains("accept") && r.stdout.contains("check"));
    let dir = tempdir();
    let r = riskgate().arg("man").arg("--dir").arg(&dir).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let check = std::fs::read_to_string(dir.join("riskgate-check.1")).expect("riskgate-check.1");
    assert!(
        check.contains("\\-\\-explain\\-upcoming"),
        "check page lacks its options"
    );
    assert!(dir.join("riskgate-log-verify.1").exists());
}

fn tempdir() -> Scratch {
    scratch("basics")
}

/// `--report -` reads standard input and decides exactly as the file would; `-o` is `--output`.
#[test]
fn report_from_standard_input_and_short_output() {
    let dir = tempdir();
    let out_file = dir.join("via-file.json");
    let out_stdin = dir.join("via-stdin.json");
    let mut from_files = crate::common::example_check(EXAMPLE_REPORTS);
    from_files.args(["--format", "json", "-o"]).arg(&out_file);
    assert_eq!(run(&mut from_files).code, 1);

    // the same run, with the npm report on standard input
    let npm = std::fs::read(root().join(EXAMPLE_REPORTS[0])).expect("npm report");
    let mut c = crate::common::example_check(&["-"]);
    for r in &EXAMPLE_REPORTS[1..] {
        c.args(["--report", r]);
    }
    c.args(["--format", "json", "-o"]).arg(&out_stdin);
    assert_eq!(crate::common::run_with_stdin(&mut c, &npm).code, 1);
    let a: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_file).expect("file report")).expect("json");
    let b: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_stdin).expect("stdin report")).expect("json");
    assert_eq!(a["verdict"], b["verdict"]);
    assert_eq!(a["summary"], b["summary"]);
    assert_eq!(
        a["findings"].as_array().map(Vec::len),
        b["findings"].as_array().map(Vec::len)
    );

    // standard input can be given once; twice is a usage error, not an empty second report
    let twice = crate::common::run_with_stdin(&mut crate::common::example_check(&["-", "-"]), &npm);
    assert_eq!(twice.code, 2);
    assert!(
        twice.stderr.contains("can be given once"),
        "{}",
        twice.stderr
    );
}

/// Inputs that once panicked (exit 101) are usage errors (exit 2) with a message.
#[test]
fn hostile_flag_values_are_refused_not_panicked_on() {
    let mut c = crate::common::example_check(&[EXAMPLE_REPORTS[0]]);
    c.args(["--registry-timeout", "18446744073709551615"]);
    let r = run(&mut c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--registry-timeout"), "{}", r.stderr);

    let mut c = crate::common::check_with(
        std::path::Path::new("examples/policy"),
        &[EXAMPLE_REPORTS[0]],
    );
    c.args(["--now", "2026-11-23T10:00:00+€1"]);
    let r = run(&mut c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--now"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}
