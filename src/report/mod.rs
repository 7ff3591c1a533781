//! Rendering: one module per output format, each a function from a computed value to a writer.
//! Renderers never decide anything: the verdict is computed once, in `decide`.

pub mod acceptances;
pub mod attestation;
pub mod codequality;
pub mod explain;
pub mod export;
pub mod github;
pub mod human;
pub mod items;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod org;
pub mod org_html;
pub mod parallel;
pub mod sarif;
pub mod table;

use crate::decide::{Decided, Decision, Engine, Status};
use crate::model::finding::Finding;
use crate::policy::levels::{ApproverRole, Gate};
use crate::policy::yaml::YamlFile;
use serde::Serialize;
use std::io::{self, Write};

/// `findings --format json`: `{"findings": [...]}` in the deterministic order of [`crate::model::finding::dedup`].
pub fn findings_json(w: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    #[derive(Serialize)]
    struct Out<'a> {
        findings: &'a [Finding],
    }
    write_json(w, &Out { findings })
}

pub use crate::ingest::InputInfo;

/// A decision with what the renderers need to explain it.
pub struct View<'a> {
    pub decision: &'a Decision<'a>,
    pub engine: &'a Engine<'a>,
    pub policy_source: &'a str,
    pub acceptances_file: Option<&'a YamlFile>,
    pub reports: &'a [InputInfo],
    /// This run's inputs as command-line arguments, appended to the commands reports suggest.
    pub rerun: String,
    /// Warnings from loading the policy (stale data, products without risk owner).
    pub policy_warnings: Vec<String>,
    /// `check --explain-upcoming`: the human report ends with what would block once pending
    /// `enforce_from` dates pass.
    pub explain_upcoming: bool,
    /// What the run must say first: it is on the built-in policy because no `.riskgate/` was
    /// found, and what to do about it.
    pub notice: Option<String>,
    /// The human report: verdict and counts only (`check --quiet`).
    pub quiet: bool,
}

impl View<'_> {
    /// The line of acceptance number `i` in its file.
    pub fn acceptance_line(&self, i: usize) -> Option<usize> {
        self.acceptances_file
            .and_then(|f| f.line_of(&format!("acceptances.{i}")))
    }

    /// `file:line` of acceptance number `i`, for messages.
    pub fn acceptance_at(&self, i: usize) -> String {
        match (self.acceptances_file, self.acceptance_line(i)) {
            (Some(f), Some(l)) => format!("{}:{l}", f.path),
            (Some(f), None) => f.path.clone(),
            _ => String::new(),
        }
    }

    /// Every warning of the run, policy warnings first, deduplicated in order.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for w in self.policy_warnings.iter().chain(&self.decision.warnings) {
            // a decision's warning that the policy's said already, with its position
            let said = out.iter().any(|o| {
                o == w
                    || o.strip_suffix(w.as_str())
                        .is_some_and(|p| p.ends_with(": "))
            });
            if !said {
                out.push(w.clone());
            }
        }
        out
    }

    /// Who holds `role` for this finding, in words: `dana@acme.example, erin@acme.example`.
    pub fn holders(&self, d: &Decided, role: ApproverRole) -> String {
        let h = self.engine.holders(role, d.owner.team);
        if h.is_empty() {
            "nobody holds this role".into()
        } else {
            h.join(", ")
        }
    }

    /// The `riskgate accept` command that would unblock a blocked, acceptable finding.
    pub fn unblock_command(&self, d: &Decided) -> Option<String> {
        let p = d.finding.package.as_ref().map(|p| p.name.as_str());
        self.accept_command(d, &[d.finding.id.as_str()], p)
    }

    /// The one `riskgate accept ID...` command for findings that need what `d` needs (the same
    /// owning team, approver role and level): the requesters named when the team has members.
    pub fn accept_command(
        &self,
        d: &Decided,
        ids: &[&str],
        package: Option<&str>,
    ) -> Option<String> {
        if d.status != Status::Blocked || d.level.gate != Gate::Accept || d.never_accept.is_some() {
            return None;
        }
        let role = d.required_approver?;
        let product = self.decision.product?;
        let mut cmd = String::from("riskgate accept");
        for id in ids {
            cmd.push(' ');
            cmd.push_str(&shell_quote(id));
        }
        cmd.push_str(&format!(" --product {product}"));
        if let Some(p) = package {
            cmd.push_str(&format!(" --package {}", shell_quote(p)));
        }
        if let Some(days) = d.level.max_days {
            cmd.push_str(&format!(" --days {days}"));
        }
        cmd.push_str(&format!(" --by {}", self.one_of(ApproverRole::Team, d)));
        if role > ApproverRole::Team {
            cmd.push_str(&format!(" --approver {}", self.one_of(role, d)));
        }
        cmd.push_str(" --reason \"<why this risk is acceptable>\"");
        if !self.rerun.is_empty() {
            cmd.push(' ');
            cmd.push_str(&self.rerun);
        }
        Some(cmd)
    }

    /// A command-line word for "one of the people holding `role`": the person when there is
    /// one, `"<alice@... or bob@...>"` when there are several, what is missing when nobody does.
    fn one_of(&self, role: ApproverRole, d: &Decided) -> String {
        let h = self.engine.holders(role, d.owner.team);
        match h.as_slice() {
            [] if role == ApproverRole::Team => format!(
                "\"<member of {}>\"",
                d.owner.team.unwrap_or("the owning team")
            ),
            [] => format!("\"<a {role}>\""),
            [one] => shell_quote(one),
            // the risk owner first, then delegates
            [one, ..] if role == ApproverRole::RiskOwner => shell_quote(one),
            many => format!("\"<{}>\"", many.join(" or ")),
        }
    }
}

/// An owner in words: `platform (layer os-packages)`, `payments-dev`, or why there is none.
pub fn owner_words(o: &crate::decide::owner::Owner) -> String {
    match (o.team, o.layer) {
        (Some(t), Some(l)) => format!("{t} (layer {l})"),
        (Some(t), None) => t.to_string(),
        (None, _) => o.note.clone().unwrap_or_else(|| "unowned".into()),
    }
}

/// Quotes a command-line word for a POSIX shell when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@=+,%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Pretty JSON of `value` and a newline into `w`, through a buffer of its own: serde writes in
/// small pieces, and each piece sent through `dyn Write` is a call that cannot be inlined (a
/// tenth of `check --format json` went there).
pub fn write_json(w: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    let mut buf = io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer_pretty(&mut buf, value)?;
    buf.write_all(b"\n")?;
    buf.flush()
}
