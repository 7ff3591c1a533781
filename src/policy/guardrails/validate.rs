//! Validating guardrails.yaml: every problem with its position, and the rule that a product
//! override may only tighten the organisation's guardrail.

use super::*;
use crate::model::code::Code;
use crate::model::date::DateText;

impl Guardrails {
    /// Checks the file; `products` are the names in the ownership register.
    pub fn validate(&self, file: &YamlFile, products: &[&str]) -> Vec<Problem> {
        let mut out = Vec::new();
        file.check_version(&mut out, self.version);
        for l in RiskLevel::ALL {
            if !self.levels.contains_key(&l) {
                out.push(file.problem(
                    Code::PolicyGuardrail,
                    "levels",
                    format!("level `{l}` is missing from `levels`"),
                    Some("every level none|low|medium|high|critical needs a gate".into()),
                ));
            }
        }
        for (l, cfg) in &self.levels {
            let p = key(&["levels", l.as_str()]);
            if cfg.gate == Gate::Accept {
                if cfg.approver.is_none() {
                    out.push(file.problem(
                        Code::PolicyGuardrail,
                        &p,
                        format!("level `{l}` has gate `accept` but no `approver`"),
                        Some("say who may accept: team, risk_owner, security or governance".into()),
                    ));
                }
                if cfg.max_days.is_none() {
                    out.push(file.problem(
                        Code::PolicyGuardrail,
                        &p,
                        format!("level `{l}` has gate `accept` but no `max_days`"),
                        Some("every exception is time-bound".into()),
                    ));
                }
            }
            if cfg.max_days == Some(0) {
                out.push(file.problem(
                    Code::PolicyGuardrail,
                    &format!("{p}.max_days"),
                    "max_days must be at least 1",
                    None,
                ));
            }
        }
        for (i, r) in self.risk.rules.iter().enumerate() {
            if r.action().is_none() {
                out.push(file.problem(
                    Code::PolicyGuardrail,
                    &format!("risk.rules.{i}"),
                    "a risk rule needs exactly one of `set`, `raise`, `lower`, `floor`",
                    None,
                ));
            }
            check_when(&mut out, file, &format!("risk.rules.{i}.when"), &r.when);
            if r.when.enforce_from.is_some() {
                out.push(file.problem(Code::PolicyGuardrail,
                    &format!("risk.rules.{i}.when.enforce_from"),
                    "enforce_from applies to rules that block, not to risk rules",
                    Some("use it on a level, a never_accept entry, require_reports, ownership, sla, images or artifacts".into()),
                ));
            }
        }
        // Every enforce_from is a date.
        let mut dates: Vec<(String, &DateText)> = Vec::new();
        for (l, cfg) in &self.levels {
            dates.extend(
                cfg.enforce_from
                    .as_ref()
                    .map(|d| (format!("{}.enforce_from", key(&["levels", l.as_str()])), d)),
            );
        }
        let mut nevers: Vec<(String, &When)> = self
            .never_accept
            .iter()
            .enumerate()
            .map(|(i, w)| (format!("never_accept.{i}"), w))
            .collect();
        let mut required: Vec<(String, &RequiredReport)> = self
            .require_reports
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("require_reports.{i}"), r))
            .collect();
        for (name, o) in &self.products {
            let p = key(&["products", name]);
            nevers.extend(
                o.never_accept
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (format!("{p}.never_accept.{i}"), w)),
            );
            required.extend(
                o.require_reports
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (format!("{p}.require_reports.{i}"), r)),
            );
        }
        for (at, w) in &nevers {
            dates.extend(
                w.enforce_from
                    .as_ref()
                    .map(|d| (format!("{at}.enforce_from"), d)),
            );
        }
        for (at, r) in &required {
            if r.kind == ReportKind::Vex {
                out.push(file.problem(Code::PolicyGuardrail,
                    &format!("{at}.kind"),
                    "`vex` is not a scan: VEX statements are claims, never required",
                    Some("require the scans (sast, dependency_scanning, container_scanning, dast...)".into()),
                ));
            }
            dates.extend(
                r.enforce_from
                    .as_ref()
                    .map(|d| (format!("{at}.enforce_from"), d)),
            );
        }
        for (at, d) in [
            (
                "ownership.enforce_from",
                self.ownership.enforce_from.as_ref(),
            ),
            ("sla.enforce_from", self.sla.enforce_from.as_ref()),
            (
                "images.enforce_from",
                self.images.as_ref().and_then(|i| i.enforce_from.as_ref()),
            ),
            (
                "artifacts.enforce_from",
                self.artifacts
                    .as_ref()
                    .and_then(|a| a.enforce_from.as_ref()),
            ),
        ] {
            dates.extend(d.map(|d| (at.to_string(), d)));
        }
        for (at, d) in dates {
            file.check_date(&mut out, &at, d);
        }
        for (i, w) in self.never_accept.iter().enumerate() {
            check_when(&mut out, file, &format!("never_accept.{i}"), w);
        }
        if let Some(img) = &self.images {
            file.check_globs(
                &mut out,
                "images.allowed_registries",
                &img.allowed_registries,
            );
            check_signers(&mut out, file, "images.signatures", &img.signatures);
            if !img.attestations.is_empty() && img.signatures.is_empty() {
                out.push(file.problem(
                    Code::PolicyGuardrail,
                    "images.attestations",
                    "attestations must be signed, but `images.signatures` names no signer",
                    Some("list the keys or keyless identities that sign attestations".into()),
                ));
            }
            if let Some(b) = &img.base_images {
                file.check_globs(&mut out, "images.base_images.allowed", &b.allowed);
            }
            if let Some(p) = &img.provenance {
                check_provenance(&mut out, file, "images", p, img.signatures.is_empty());
            }
        }
        check_signers(&mut out, file, "vex.trusted", &self.vex.trusted);
        if let Some(a) = &self.artifacts {
            check_signers(&mut out, file, "artifacts.signatures", &a.signatures);
            if let Some(p) = &a.provenance {
                check_provenance(&mut out, file, "artifacts", p, a.signatures.is_empty());
            }
            if a.signatures.is_empty() {
                out.push(
                    file.problem(
                        Code::PolicyGuardrail,
                        "artifacts",
                        "`artifacts` names no signature to require",
                        Some(
                            "add `signatures: [{ key: keys/release.pub }]` or remove `artifacts`"
                                .into(),
                        ),
                    ),
                );
            }
        }
        for (name, o) in &self.products {
            let p = key(&["products", name]);
            if !products.contains(&name.as_str()) {
                out.push(file.problem(
                    Code::PolicyName,
                    &p,
                    format!("override for unknown product `{name}`"),
                    did_you_mean(name, products),
                ));
            }
            for (l, lo) in &o.levels {
                let lp = format!("{p}.levels.{l}");
                let Some(base) = self.levels.get(l) else {
                    continue;
                };
                let loosen = |field: &str, what: String| {
                    file.problem(Code::PolicyGuardrail, &format!("{lp}.{field}"), format!("product override loosens the organisation's guardrail: {what}"), Some("product overrides may only tighten (stricter gate, higher approver, shorter durations)".into()))
                };
                if let Some(g) = lo.gate {
                    if g < base.gate {
                        out.push(loosen(
                            "gate",
                            format!(
                                "gate `{}` is weaker than `{}`",
                                g.as_str(),
                                base.gate.as_str()
                            ),
                        ));
                    }
                }
                if let (Some(a), Some(b)) = (lo.approver, base.approver) {
                    if a < b {
                        out.push(loosen(
                            "approver",
                            format!("approver `{a}` grants more autonomy than `{b}`"),
                        ));
                    }
                }
                for (field, mine, theirs) in [
                    ("max_days", lo.max_days, base.max_days),
                    ("sla_days", lo.sla_days, base.sla_days),
                ] {
                    match (mine, theirs) {
                        (Some(m), Some(t)) if m > t => {
                            out.push(loosen(field, format!("{field} {m} is longer than {t}")))
                        }
                        (Some(m), None) if field == "sla_days" => out.push(loosen(
                            field,
                            format!("sla_days {m} where the organisation sets none"),
                        )),
                        _ => {}
                    }
                }
                if base.require_signature && lo.require_signature == Some(false) {
                    out.push(loosen(
                        "require_signature",
                        "drops require_signature".into(),
                    ));
                }
                // An override may turn a `warn` level into `accept` (stricter): the level it makes
                // needs everything an accept level needs, or its acceptances would last forever.
                let eff = self.level(name, *l);
                if eff.gate == Gate::Accept && eff.approver.is_none() {
                    out.push(file.problem(
                        Code::PolicyGuardrail,
                        &lp,
                        format!("level `{l}` has gate `accept` but no `approver`"),
                        None,
                    ));
                }
                if eff.gate == Gate::Accept && eff.max_days.is_none() {
                    out.push(file.problem(Code::PolicyGuardrail,
                        &lp,
                        format!("level `{l}` has gate `accept` but no `max_days`: its acceptances would never have to end"),
                        Some("give the override a max_days".into()),
                    ));
                }
            }
            for (i, w) in o.never_accept.iter().enumerate() {
                check_when(&mut out, file, &format!("{p}.never_accept.{i}"), w);
            }
        }
        out
    }
}

fn check_when(out: &mut Vec<Problem>, file: &YamlFile, p: &str, w: &When) {
    if let Some(g) = &w.id {
        file.check_glob(out, &format!("{p}.id"), g);
    }
}

fn check_signers(out: &mut Vec<Problem>, file: &YamlFile, base: &str, rules: &[SignatureRule]) {
    for (i, r) in rules.iter().enumerate() {
        let p = format!("{base}.{i}");
        match (&r.key, &r.keyless) {
            (Some(_), None) => {}
            (None, Some(k)) => {
                if let Err(e) = regex::Regex::new(&k.subject) {
                    out.push(file.problem(
                        Code::PolicyPattern,
                        &format!("{p}.keyless.subject"),
                        format!("the subject is not a regular expression: {e}"),
                        None,
                    ));
                }
            }
            _ => out.push(file.problem(
                Code::PolicyGuardrail,
                &p,
                "a signer needs exactly one of `key` and `keyless`",
                Some("for example `- key: keys/release.pub`".into()),
            )),
        }
    }
}

/// `provenance:` rules: globs that compile, at least one of them, and signers for the provenance.
fn check_provenance(
    out: &mut Vec<Problem>,
    file: &YamlFile,
    at: &str,
    p: &super::ProvenanceCfg,
    unsigned: bool,
) {
    for (k, g) in [
        ("builders", &p.builders),
        ("repositories", &p.repositories),
        ("refs", &p.refs),
    ] {
        file.check_globs(out, &format!("{at}.provenance.{k}"), g);
    }
    if p.builders.is_empty() && p.repositories.is_empty() && p.refs.is_empty() {
        out.push(file.problem(
            Code::PolicyGuardrail,
            &format!("{at}.provenance"),
            "`provenance` names no builder, repository or ref to require",
            Some("for example `provenance: { repositories: [github.com/acme/*], refs: [refs/heads/main] }`".into()),
        ));
    }
    if unsigned {
        out.push(file.problem(
            Code::PolicyGuardrail,
            &format!("{at}.provenance"),
            format!("provenance must be signed, but `{at}.signatures` names no signer"),
            Some("list the keys or keyless identities that sign the provenance".into()),
        ));
    }
}
