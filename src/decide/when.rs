//! `when` conditions of risk rules and `never_accept` entries, compiled once per run.

use crate::model::finding::Finding;
use crate::policy::guardrails::{Cmp, When};
use crate::policy::levels::{LayerKind, OneOrMany, RiskLevel};
use crate::policy::ownership::Product;
use std::fmt::{self, Write};

/// What a condition may test about one finding: the finding itself, threat intel about it, the
/// product it ships in and the image layer it sits in.
pub struct Facts<'a> {
    pub finding: &'a Finding,
    pub kev: bool,
    pub epss: Option<f64>,
    pub product: Option<&'a Product>,
    pub layer: Option<LayerKind>,
}

/// A `when` of the policy (its `id` glob was compiled when the file was read; ids compare
/// case-insensitively, as acceptances compare them: `cve-2022-1111` in a report is
/// CVE-2022-1111 to never_accept too).
pub struct Cond<'p> {
    pub when: &'p When,
}

impl<'p> Cond<'p> {
    /// Fails on an `id` that is not a glob (validation refuses it first): a condition that
    /// cannot be evaluated never silently holds or fails.
    pub fn new(when: &'p When) -> Result<Cond<'p>, String> {
        match when.id.as_ref().and_then(|g| g.error()) {
            Some(e) => Err(e.to_string()),
            None => Ok(Cond { when }),
        }
    }

    /// Whether every listed condition holds. A condition on a fact nobody supplied (EPSS for a
    /// finding without a score, exposure without a product) does not hold.
    pub fn holds(&self, f: &Facts, risk: RiskLevel) -> bool {
        let w = self.when;
        let finding = f.finding;
        let class = finding.package.as_ref().and_then(|p| p.class);
        w.kev.is_none_or(|k| k == f.kev)
            && w.epss
                .as_ref()
                .is_none_or(|c| f.epss.is_some_and(|e| c.holds(e)))
            && w.fix_available
                .is_none_or(|want| finding.fix_available == Some(want))
            && w.exposure
                .as_ref()
                .is_none_or(|x| f.product.is_some_and(|p| x.contains(&p.exposure)))
            && w.criticality
                .as_ref()
                .is_none_or(|x| f.product.is_some_and(|p| x.contains(&p.criticality)))
            && w.data
                .as_ref()
                .is_none_or(|x| f.product.is_some_and(|p| x.contains(&p.data)))
            && w.kind.as_ref().is_none_or(|k| k.contains(&finding.kind))
            && w.package_class.is_none_or(|c| class == Some(c))
            && w.layer.is_none_or(|l| f.layer == Some(l))
            && w.tool.as_ref().is_none_or(|t| {
                finding
                    .tools
                    .iter()
                    .any(|have| t.contains(&have.to_string()))
            })
            && w.status
                .as_ref()
                .is_none_or(|x| finding.status.is_some_and(|s| x.contains(&s)))
            && w.id
                .as_ref()
                .is_none_or(|g| finding.ids().any(|i| g.is_match(i)))
            && w.risk.as_ref().is_none_or(|c| c.holds(risk))
    }
}

/// `{kev: true, exposure: internet}`: the condition as it was written, for reasons in reports.
impl fmt::Display for Cond<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.when;
        let mut parts: Vec<String> = Vec::new();
        if let Some(k) = w.kev {
            parts.push(format!("kev: {k}"));
        }
        if let Some(c) = &w.epss {
            parts.push(format!("epss: {}", cmp_text(c)));
        }
        if let Some(v) = w.fix_available {
            parts.push(format!("fix_available: {v}"));
        }
        if let Some(x) = &w.exposure {
            parts.push(format!("exposure: {}", many(x, name)));
        }
        if let Some(x) = &w.criticality {
            parts.push(format!("criticality: {}", many(x, name)));
        }
        if let Some(x) = &w.data {
            parts.push(format!("data: {}", many(x, name)));
        }
        if let Some(x) = &w.kind {
            parts.push(format!("kind: {}", many(x, |k| k.as_str().to_string())));
        }
        if let Some(c) = w.package_class {
            parts.push(format!("package_class: {}", c.as_str()));
        }
        if let Some(l) = w.layer {
            parts.push(format!("layer: {}", name(&l)));
        }
        if let Some(t) = &w.tool {
            parts.push(format!("tool: {}", many(t, Clone::clone)));
        }
        if let Some(x) = &w.status {
            parts.push(format!("status: {}", many(x, |s| s.as_str().to_string())));
        }
        if let Some(g) = &w.id {
            parts.push(format!("id: {g}"));
        }
        if let Some(c) = &w.risk {
            parts.push(format!("risk: {}{}", c.text_op, c.value));
        }
        f.write_char('{')?;
        f.write_str(&parts.join(", "))?;
        f.write_char('}')
    }
}

fn cmp_text(c: &Cmp<f64>) -> String {
    format!("{}{}", c.text_op, c.value)
}

fn many<T>(x: &OneOrMany<T>, show: impl Fn(&T) -> String) -> String {
    match x {
        OneOrMany::One(v) => show(v),
        OneOrMany::Many(vs) => format!("[{}]", vs.iter().map(show).collect::<Vec<_>>().join(", ")),
    }
}

/// The name a value has in the policy files (its serde name: `internet`, `base`).
pub fn name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
