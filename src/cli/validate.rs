//! `riskgate validate`: lint the policy and the acceptances file with the same defaults as
//! `check` (the `.riskgate/` found from here up to the repository's root, the acceptances file
//! beside it), every problem reported with its line.

use super::*;

pub(super) fn validate(
    args: GateArgs,
    acceptances: Option<PathBuf>,
    now: Option<String>,
    strict: bool,
) -> ExitCode {
    // a policy from a registry: fetched (or from the cache) and checked, then its copy
    let (dir, shown) = match load::locate_policy(&args) {
        Ok(load::PolicyLocation {
            dir: Some(dir),
            source,
            ..
        }) => {
            let shown = source.unwrap_or_else(|| dir.display().to_string());
            (dir, shown)
        }
        Ok(_) => {
            return fail(UsageError::new(
                format!(
                    "nothing to validate: no --policy given and {}",
                    load::Discovery::here().searched()
                ),
                Some(
                    "run `riskgate init --product NAME` at the repository's root to write a starter .riskgate/, or pass --policy DIR".into(),
                ),
            ))
        }
        Err(e) => return fail(e),
    };
    let today = match now.as_deref().map(crate::model::date::Timestamp::parse) {
        None => load::clock(),
        Some(Some(t)) => t,
        Some(None) => {
            return fail(UsageError::new(
                "--now is not a date or an RFC 3339 timestamp",
                None,
            ))
        }
    }
    .date();
    // the same default as check and accept: the acceptances file beside the policy found
    let acceptances = acceptances.or_else(load::existing_default_acceptances);
    match crate::load::read_policy(&dir, acceptances.as_deref()) {
        Ok(p) => {
            let mut errs = load::LoadErrors::default();
            load::policy_files(&p, &dir, &mut errs);
            if !errs.is_empty() {
                return fail(errs);
            }
            let warnings: Vec<_> = p
                .warnings
                .iter()
                .cloned()
                .chain(p.dated_warnings(today))
                .collect();
            if strict && !warnings.is_empty() {
                let problems = warnings
                    .into_iter()
                    .map(|mut w| {
                        w.severity = miette::Severity::Error;
                        w
                    })
                    .collect();
                return fail(crate::policy::yaml::Problems { problems });
            }
            for w in warnings {
                eprintln!("{:?}", Report::new(w));
            }
            match &acceptances {
                Some(a) => println!(
                    "policy in {shown} and acceptances in {} are valid",
                    a.display()
                ),
                None => println!("policy in {shown} is valid (no acceptances file)"),
            }
            ExitCode::from(EXIT_ALLOW)
        }
        Err(problems) => fail(problems),
    }
}
