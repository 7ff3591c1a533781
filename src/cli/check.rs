//! `riskgate check`: decide, write every report format asked for (never over an input), the
//! step summary, the decision log and the SLA state.

use super::*;

pub(super) fn check(
    args: &GateArgs,
    formats: &[OutFormat],
    outputs: &[PathBuf],
    decision_log: Option<&std::path::Path>,
    attest: &AttestArgs,
) -> ExitCode {
    if outputs.len() > formats.len().max(1) {
        return fail(UsageError::new(
            "more --output than --format",
            Some("each --output takes the --format at the same position".into()),
        ));
    }
    let formats = if formats.is_empty() {
        vec![OutFormat::Human]
    } else {
        formats.to_vec()
    };
    let to_stdout = formats.len() - outputs.len().min(formats.len())
        + outputs.iter().filter(|o| o.as_os_str() == "-").count();
    if to_stdout > 1 {
        return fail(UsageError::new(
            "only one --format can go to standard output",
            Some("give an --output for each extra --format".into()),
        ));
    }
    let attest_out = [
        ("--attest", attest.attest.as_deref()),
        ("--attest-predicate", attest.attest_predicate.as_deref()),
    ];
    if decision_log.is_some() || attest_out.iter().any(|(_, p)| p.is_some()) {
        // They record the digest of every input, taken as it is read.
        crate::ingest::source::record_digests();
    }
    if let Err(e) = outputs_are_not_inputs(args, outputs, decision_log, &attest_out) {
        return fail(e);
    }
    // The state file is read and rewritten: hold its lock across both.
    let _state_lock = match (&args.state, args.update_state) {
        (Some(p), true) => match crate::write::lock(p, crate::write::LOCK_WAIT) {
            Ok(l) => Some(l),
            Err(e) => return fail(UsageError::new(e, None)),
        },
        _ => None,
    };
    with_decision(args, |view, loaded| {
        if let Some(n) = &view.notice {
            if !formats.contains(&OutFormat::Human) {
                eprintln!("note: {n}");
            }
        }
        for (i, f) in formats.iter().enumerate() {
            let to_stdout = outputs.get(i).is_none_or(|p| p.as_os_str() == "-");
            let paint = report::human::Paint::new(to_stdout && colour_wanted());
            let render = |w: &mut dyn Write| match f {
                OutFormat::Human => report::human::render_painted(w, view, paint),
                OutFormat::Json => report::json::render(w, view),
                OutFormat::Sarif => report::sarif::render(w, view),
                OutFormat::Junit => report::junit::render(w, view),
                OutFormat::Codequality => report::codequality::render(w, view),
                OutFormat::Markdown => report::markdown::render(w, view),
                OutFormat::Github => report::github::render(w, view),
            };
            let code = match outputs.get(i) {
                Some(path) if path.as_os_str() != "-" => write_file(path, render),
                _ => write_out(render),
            };
            if code != ExitCode::from(EXIT_ALLOW) {
                return code;
            }
        }
        // In GitHub Actions the summary of the job shows the markdown report.
        if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
            let appended = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&summary)
                .and_then(|mut f| {
                    let mut buf = Vec::new();
                    report::markdown::render(&mut buf, view)?;
                    f.write_all(&buf)
                });
            if let Err(e) = appended {
                eprintln!(
                    "error: cannot append to GITHUB_STEP_SUMMARY {}: {e}",
                    std::path::Path::new(&summary).display()
                );
                return ExitCode::from(EXIT_ERROR);
            }
        }
        if let Some(log) = decision_log {
            match decision_record(view, loaded) {
                Ok(record) => {
                    if let Err(e) = crate::write::decision_log::append(log, record) {
                        eprintln!("error: cannot write {}: {e}", log.display());
                        return ExitCode::from(EXIT_ERROR);
                    }
                }
                Err(e) => {
                    eprintln!("error: cannot hash the inputs for the decision log: {e}");
                    return ExitCode::from(EXIT_ERROR);
                }
            }
        }
        if let Some(code) = super::attest::write(view, loaded, args, attest) {
            return code;
        }
        if args.update_state {
            if let (Some(path), Some(prev)) = (&args.state, &loaded.first_seen) {
                if let Err(e) = crate::write::write_state(
                    path,
                    &loaded.findings,
                    prev,
                    view.decision.now.date(),
                ) {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    return ExitCode::from(EXIT_ERROR);
                }
            }
        }
        match view.decision.verdict {
            Verdict::Allow => ExitCode::from(EXIT_ALLOW),
            Verdict::Block => ExitCode::from(EXIT_BLOCK),
        }
    })
}

pub(super) fn write_file(
    path: &std::path::Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> ExitCode {
    let res = crate::write::replace_with(path, f);
    match res {
        Ok(()) => ExitCode::from(EXIT_ALLOW),
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// One decision-log record: what was decided, on exactly which inputs.
/// Refuses (before anything is read or written) an `--output`, the step summary or the decision
/// log that is the same file as an input of the run, or as another output: writing it would
/// destroy the input, or make this run's record describe a file it overwrote.
fn outputs_are_not_inputs(
    args: &GateArgs,
    outputs: &[PathBuf],
    decision_log: Option<&std::path::Path>,
    attest: &[(&str, Option<&std::path::Path>)],
) -> Result<(), UsageError> {
    use crate::write::identity;
    let mut inputs: Vec<(String, PathBuf)> = Vec::new();
    let mut add = |what: &str, p: &std::path::Path| {
        if p.as_os_str() != crate::ingest::STDIN {
            inputs.push((format!("{what} {}", p.display()), identity(p)));
        }
    };
    for r in &args.reports {
        add("--report", r);
    }
    for v in &args.vex {
        add("--vex", v);
        add(
            "--vex bundle",
            &PathBuf::from(format!("{}.sigstore.json", v.display())),
        );
    }
    for (what, p) in [
        ("--kev", &args.kev),
        ("--epss", &args.epss),
        ("--state", &args.state),
        ("--baseline", &args.baseline),
    ] {
        if let Some(p) = p {
            add(what, p);
        }
    }
    let acceptances = args
        .acceptances
        .clone()
        .unwrap_or_else(load::default_acceptances);
    add("the acceptances file", &acceptances);
    if let Some(dir) = args.policy.clone().or_else(crate::load::default_policy_dir) {
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    add("the policy file", &p);
                }
            }
        }
    }
    // Under code_review, CODEOWNERS is what proves approvals: never an output either.
    let root = load::Discovery::here().root.clone();
    for loc in crate::policy::codeowners::LOCATIONS {
        add("CODEOWNERS", std::path::Path::new(loc));
        if let Some(r) = &root {
            add("CODEOWNERS", &r.join(loc));
        }
    }
    for a in &args.artifacts {
        add(
            "--artifact",
            std::path::Path::new(a.split('=').next().unwrap_or(a)),
        );
    }
    let mut written: Vec<(String, PathBuf)> = Vec::new();
    let summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty());
    let outs = outputs
        .iter()
        .filter(|o| o.as_os_str() != "-")
        .map(|o| (format!("--output {}", o.display()), o.as_path()))
        .chain(decision_log.map(|l| (format!("--decision-log {}", l.display()), l)))
        .chain(
            attest
                .iter()
                .filter_map(|(flag, a)| a.map(|a| (format!("{flag} {}", a.display()), a))),
        )
        .chain(summary.as_ref().map(|s| {
            let p = std::path::Path::new(s);
            (format!("GITHUB_STEP_SUMMARY {}", p.display()), p)
        }));
    for (what, p) in outs {
        let id = identity(p);
        if let Some((input, _)) = inputs.iter().find(|(_, i)| *i == id) {
            return Err(UsageError::new(
                format!("{what} is {input}: writing it would destroy an input of this run"),
                Some("write reports and logs to files of their own".into()),
            ));
        }
        if let Some((other, _)) = written.iter().find(|(_, i)| *i == id) {
            return Err(UsageError::new(
                format!("{what} is also {other}: one would overwrite the other"),
                None,
            ));
        }
        written.push((what, id));
    }
    Ok(())
}

/// Every file the run read (reports, VEX, threat intel, policy files, acceptances, baseline,
/// state, keys, trusted roots, CODEOWNERS, bundles) with its `sha256:` digest, from the bytes as
/// they were read for the decision: never re-read, so an output written over an input cannot
/// change it. The built-in policy counts as a file.
pub(super) fn inputs_read(loaded: &load::Loaded) -> Vec<(String, String)> {
    use crate::write::decision_log::sha256_hex;
    let mut files = Vec::new();
    if loaded.policy_source == crate::policy::BUILTIN {
        files.push((
            format!("{}/guardrails.yaml", crate::policy::BUILTIN),
            format!(
                "sha256:{}",
                sha256_hex(crate::policy::BUILTIN_GUARDRAILS.as_bytes())
            ),
        ));
    }
    for (path, digest) in crate::ingest::source::files_read() {
        files.push((path, format!("sha256:{}", hex::encode(digest))));
    }
    // by path, the last read of a file winning (as the decision log's map always did)
    files.reverse();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    files
}

fn decision_record(
    view: &View,
    loaded: &load::Loaded,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    use crate::decide::Status;
    use serde_json::json;
    let files: serde_json::Map<String, serde_json::Value> = inputs_read(loaded)
        .into_iter()
        .map(|(path, digest)| (path, json!(digest)))
        .collect();
    let mut images = serde_json::Map::new();
    for i in &loaded.images {
        images.insert(i.reference.clone(), json!(i.digest));
    }
    for a in &loaded.artifacts {
        images.insert(a.path.clone(), json!(a.digest));
    }
    let d = view.decision;
    let counts = d.counts();
    let blocked: Vec<serde_json::Value> = d
        .findings
        .iter()
        .filter(|f| f.status == Status::Blocked)
        .map(|f| json!({"id": f.finding.id, "fingerprint": f.finding.fingerprint}))
        .collect();
    let accepted: Vec<serde_json::Value> = d
        .findings
        .iter()
        .filter_map(|f| {
            f.acceptance.map(|a| {
                json!({"id": f.finding.id, "fingerprint": f.finding.fingerprint, "acceptance": a.id})
            })
        })
        .collect();
    let mut m = serde_json::Map::new();
    m.insert("evaluated_at".into(), json!(d.now.to_string()));
    m.insert("product".into(), json!(d.product));
    m.insert("policy".into(), json!(loaded.policy_source));
    m.insert("riskgate".into(), json!(env!("CARGO_PKG_VERSION")));
    m.insert("files".into(), serde_json::Value::Object(files));
    if !images.is_empty() {
        m.insert("deployed".into(), serde_json::Value::Object(images));
    }
    m.insert("verdict".into(), json!(d.verdict.as_str()));
    m.insert("counts".into(), json!(counts));
    m.insert("blocked".into(), json!(blocked));
    m.insert("accepted".into(), json!(accepted));
    Ok(m)
}

/// Colour on a terminal, as the conventions say (no-color.org, bixense.com/clicolors):
/// `NO_COLOR` (non-empty) turns it off, `CLICOLOR_FORCE` (not `0`) turns it on anywhere,
/// `CLICOLOR=0` turns it off.
fn colour_wanted() -> bool {
    use std::io::IsTerminal;
    let set = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if set("NO_COLOR").is_some() {
        return false;
    }
    if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
        return true;
    }
    if set("CLICOLOR").is_some_and(|v| v == "0") {
        return false;
    }
    std::io::stdout().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}
