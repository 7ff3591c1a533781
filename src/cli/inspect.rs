//! Commands that show rather than decide: `explain` (one finding's decision, step by step) and
//! `acceptances` (the acceptances file as a table, with what expires when).

use super::*;

pub(super) fn explain(id: &str, args: &GateArgs) -> ExitCode {
    with_decision(args, |view, loaded| {
        if let Some(n) = &view.notice {
            eprintln!("note: {n}");
        }
        let found = report::explain::matching(view, id);
        if found.is_empty() {
            let mut known: Vec<&str> = loaded.findings.iter().map(|f| f.id.as_str()).collect();
            known.dedup();
            return fail(UsageError::new(
                format!("{id} is not among the findings of the given reports"),
                Some(format!(
                    "{} finding(s) in the inputs{}",
                    loaded.findings.len(),
                    ownership_hint(&known)
                )),
            ));
        }
        write_out(|w| report::explain::render(w, view, &found))
    })
}

fn ownership_hint(known: &[&str]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        let shown: Vec<&str> = known.iter().take(8).copied().collect();
        format!(
            ", for example {}{}",
            shown.join(", "),
            if known.len() > 8 { ", ..." } else { "" }
        )
    }
}

pub(super) fn list_acceptances(
    expiring: Option<u32>,
    policy: Option<PathBuf>,
    acceptances: Option<PathBuf>,
    now: Option<String>,
    format: ListFormat,
) -> ExitCode {
    let args = GateArgs {
        policy,
        acceptances: acceptances.or_else(load::existing_default_acceptances),
        now,
        ..GateArgs::default()
    };
    if args.acceptances.is_none() {
        return fail(UsageError::new(
            "no acceptances file: give --acceptances FILE (default .riskgate/acceptances.yaml)",
            None,
        ));
    }
    let loaded = match load::load(&args, false) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let warn_before = expiring.unwrap_or(loaded.policy.guardrails.acceptances.warn_before_days);
    let rows = report::acceptances::rows(loaded.acceptances(), loaded.now, warn_before);
    let rows: Vec<_> = match expiring {
        None => rows,
        Some(n) => rows
            .into_iter()
            .filter(|r| {
                r.days_left.is_some_and(|d| (0..=i64::from(n)).contains(&d)) && r.state != "expired"
            })
            .collect(),
    };
    write_out(|w| match format {
        ListFormat::Table => report::acceptances::table(w, &rows),
        ListFormat::Json => report::acceptances::json(w, &rows),
    })
}
