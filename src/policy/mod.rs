//! The files people write: the ownership register, the guardrails, and a product's acceptances.
//! Each is loaded with positions ([`yaml`]) and validated in a second pass that collects every
//! problem, not just the first.

pub mod acceptances;
pub mod codeowners;
pub mod glob;
pub mod guardrails;
pub mod levels;
pub mod ownership;
pub mod yaml;

use crate::model::code::Code;
use yaml::{Problem, Problems, YamlFile};

/// One parsed file and its positions, or the problem that stopped it.
pub type Parsed<T> = Result<(T, YamlFile), Problem>;

/// The policy of a run: the three files, parsed, validated together.
pub struct Policy {
    pub ownership: ownership::Ownership,
    pub ownership_file: YamlFile,
    pub guardrails: guardrails::Guardrails,
    pub guardrails_file: YamlFile,
    pub acceptances: Option<(acceptances::AcceptancesFile, YamlFile)>,
    /// Warnings found while validating (stale data, products without risk owner...).
    pub warnings: Vec<Problem>,
}

impl Policy {
    /// The built-in default policy (`policies/default`, embedded in the binary), with the
    /// acceptances file when one was read.
    pub fn builtin(
        acceptances: Option<Parsed<acceptances::AcceptancesFile>>,
    ) -> Result<Policy, Problems> {
        let own = YamlFile::parse::<ownership::Ownership>(
            format!("{BUILTIN}/ownership.yaml"),
            BUILTIN_OWNERSHIP.to_string(),
        );
        let guard = YamlFile::parse::<guardrails::Guardrails>(
            format!("{BUILTIN}/guardrails.yaml"),
            BUILTIN_GUARDRAILS.to_string(),
        );
        Self::assemble(own, guard, acceptances)
    }

    /// The policy from its parsed files (each read by the loading layer, or a problem), every
    /// problem of every file collected before failing.
    pub fn assemble(
        own: Parsed<ownership::Ownership>,
        guard: Parsed<guardrails::Guardrails>,
        acc: Option<Parsed<acceptances::AcceptancesFile>>,
    ) -> Result<Policy, Problems> {
        let mut problems = Vec::new();
        let (own, guard) = match (own, guard) {
            (Ok(o), Ok(g)) => (o, g),
            (o, g) => {
                problems.extend(o.err());
                problems.extend(g.err());
                if let Some(Err(e)) = acc {
                    problems.push(e);
                }
                return Err(Problems { problems });
            }
        };
        problems.extend(own.0.validate(&own.1));
        let products: Vec<&str> = own.0.products.keys().map(String::as_str).collect();
        problems.extend(guard.0.validate(&guard.1, &products));
        let acc = match acc {
            None => None,
            Some(Ok(a)) => {
                problems.extend(a.0.validate(&a.1, &own.0));
                Some(a)
            }
            Some(Err(e)) => {
                problems.push(e);
                None
            }
        };
        let (errors, warnings): (Vec<Problem>, Vec<Problem>) = problems
            .into_iter()
            .partition(|p| p.severity == miette::Severity::Error);
        if !errors.is_empty() {
            let mut all = errors;
            all.extend(warnings);
            return Err(Problems { problems: all });
        }
        Ok(Policy {
            ownership: own.0,
            ownership_file: own.1,
            guardrails: guard.0,
            guardrails_file: guard.1,
            acceptances: acc,
            warnings,
        })
    }
}

/// How the built-in policy is named in diagnostics and reports.
pub const BUILTIN: &str = "builtin:policies/default";
pub const BUILTIN_GUARDRAILS: &str = include_str!("../../policies/default/guardrails.yaml");
pub const BUILTIN_OWNERSHIP: &str = include_str!("../../policies/default/ownership.yaml");

impl Policy {
    /// Warnings that depend on the day: the register or a product not reviewed within
    /// `ownership.max_age_days`, and acceptances that expire within `warn_before_days`.
    pub fn dated_warnings(&self, today: crate::model::date::Date) -> Vec<Problem> {
        let max = self.guardrails.ownership.max_age_days;
        let f = &self.ownership_file;
        let mut out = Vec::new();
        let mut stale =
            |path: &str, what: String, reviewed: Option<&crate::model::date::DateText>| {
                if let Some(why) = ownership::stale(&what, reviewed, today, max) {
                    out.push(f.problem(
                        Code::PolicyOwnership,
                        path,
                        why,
                        Some("confirm the owners and update `reviewed`".into()),
                    ));
                }
            };
        stale(
            "reviewed",
            "the ownership register".into(),
            self.ownership.reviewed.as_ref(),
        );
        for (name, p) in &self.ownership.products {
            stale(
                &format!("products.{name}.reviewed"),
                format!("product {name}"),
                p.reviewed.as_ref(),
            );
        }
        if let Some((acc, file)) = &self.acceptances {
            let window = self.guardrails.acceptances.warn_before_days;
            for (i, a) in acc.acceptances.iter().enumerate() {
                let t = a.timing(today.start(), window);
                let (Some(e), Some(left)) = (t.expires, t.days_left) else {
                    continue;
                };
                if t.expired {
                    out.push(file.problem(
                        Code::AcceptanceExpiry,
                        &format!("acceptances.{i}.expires"),
                        format!("acceptance {} expired on {e}", a.id),
                        Some("remove it, or renew it with a new decision".into()),
                    ));
                } else if t.expiring {
                    out.push(file.problem(
                        Code::AcceptanceExpiry,
                        &format!("acceptances.{i}.expires"),
                        format!("acceptance {} expires on {e} (in {left} days)", a.id),
                        None,
                    ));
                }
            }
        }
        out
    }
}
