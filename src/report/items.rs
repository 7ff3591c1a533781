//! The decision flattened into the entries CI platforms show: one per non-suppressed finding and
//! one per failed image or artifact check. `sarif`, `junit`, `codequality`, `markdown` and
//! `github` are all rendered from this list, so they cannot disagree.

use super::View;
use crate::decide::{Decided, Judged, Status};
use crate::policy::levels::RiskLevel;

/// One entry: a finding, or an image/artifact check that failed.
#[derive(Clone)]
pub struct Item<'a> {
    /// The finding id (`CVE-...`), or `riskgate/image/<rule>` / `riskgate/artifact/<rule>`.
    pub rule_id: String,
    /// A one-line title for the rule: the scanner's title, or the check's name.
    pub title: String,
    pub status: Status,
    /// The finding's risk; image and artifact checks have none.
    pub risk: Option<RiskLevel>,
    pub path: Option<&'a str>,
    pub line: Option<u32>,
    /// Where it is when it has no file: the scan target or the image reference.
    pub target: Option<&'a str>,
    /// `package@version`, when it is about a package.
    pub package: Option<String>,
    pub owner: String,
    /// Why it has its status.
    pub why: String,
    /// The command or change that would unblock it.
    pub unblock: Option<String>,
    /// Stable across runs.
    pub fingerprint: String,
    pub existing: Option<bool>,
    pub finding: Option<&'a Decided<'a>>,
}

impl Item<'_> {
    /// The whole message in one line: what, risk, status, owner, why, how to unblock.
    pub fn message(&self) -> String {
        let mut m = self.rule_id.clone();
        if let Some(p) = &self.package {
            m.push_str(&format!(" in {p}"));
        }
        if let Some(r) = self.risk {
            m.push_str(&format!(" ({r} risk)"));
        }
        m.push_str(&format!(
            ": {}. Owner: {}. {}",
            self.status.as_str(),
            self.owner,
            self.why
        ));
        if let Some(u) = &self.unblock {
            m.push_str(&format!(". Unblock: {u}"));
        }
        m
    }

    /// Where it is, for platforms that need a path: the file, else the target, else `fallback`.
    pub fn path_or<'b>(&'b self, fallback: &'b str) -> &'b str {
        self.path.or(self.target).unwrap_or(fallback)
    }
}

/// Every entry of the run, findings first (in the decision's order), then failed checks, then
/// the rules about the run. Lazy: each entry is built as it is consumed and dropped after, so a
/// writer that streams holds one at a time.
pub fn items<'a>(v: &'a View<'a>) -> impl Iterator<Item = Item<'a>> + 'a {
    items_where(v, |_| true)
}

/// [`items`] with only the entries whose status `keep` accepts, filtered before any is built.
pub fn items_where<'a>(
    v: &'a View<'a>,
    keep: impl Fn(Status) -> bool + Copy + 'a,
) -> impl Iterator<Item = Item<'a>> + 'a {
    entries(v, move |s| !s.is_suppressed() && keep(s))
}

/// [`items`] and the suppressed findings too (by VEX or by the scanner), in the decision's
/// order: for formats that carry suppressions as such (SARIF `suppressions`).
pub fn items_with_suppressed<'a>(v: &'a View<'a>) -> impl Iterator<Item = Item<'a>> + 'a {
    entries(v, |_| true)
}

fn entries<'a>(
    v: &'a View<'a>,
    keep: impl Fn(Status) -> bool + Copy + 'a,
) -> impl Iterator<Item = Item<'a>> + 'a {
    v.decision
        .findings
        .iter()
        .filter(move |f| keep(f.status))
        .map(move |x| finding_item(v, x))
        .chain(checks_and_rules(v, keep))
}

/// The entry of one finding.
pub fn finding_item<'a>(v: &'a View<'a>, x: &'a Decided<'a>) -> Item<'a> {
    let f = x.finding;
    Item {
        rule_id: f.id.to_string(),
        title: f.title.as_deref().unwrap_or(&f.id).to_string(),
        status: x.status,
        risk: Some(x.risk),
        path: f.location.path.as_deref(),
        line: f.location.line,
        target: f.target.as_deref(),
        package: f.package.as_ref().map(|p| match &p.version {
            Some(ver) => format!("{}@{ver}", p.name),
            None => p.name.to_string(),
        }),
        owner: super::owner_words(&x.owner),
        why: x.reasons.join("; "),
        unblock: v.unblock_command(x).or_else(|| {
            f.fixed_version
                .as_ref()
                .map(|fix| format!("upgrade to {fix}"))
        }),
        fingerprint: f.fingerprint.to_string(),
        existing: x.existing,
        finding: Some(x),
    }
}

/// The entries after the findings: failed image and artifact checks, then the rules about the
/// run whose status `keep` accepts (their number does not grow with the findings).
pub fn checks_and_rules<'a>(
    v: &'a View<'a>,
    keep: impl Fn(Status) -> bool + Copy + 'a,
) -> impl Iterator<Item = Item<'a>> + 'a {
    let d = v.decision;
    let judged = move |kind: &'static str, list: &'a [Judged<'a>]| {
        list.iter().flat_map(move |j| {
            j.checks
                .iter()
                .filter(move |c| !c.check.passed && keep(Status::Blocked))
                .map(move |c| Item {
                    rule_id: format!("riskgate/{kind}/{}", c.check.rule),
                    title: format!("{kind} check `{}`", c.check.rule),
                    status: Status::Blocked,
                    risk: None,
                    path: None,
                    line: None,
                    target: Some(j.target),
                    package: None,
                    owner: super::owner_words(&c.owner),
                    why: format!("{}: {}", j.target, c.check.reason),
                    unblock: c.check.fix.clone(),
                    fingerprint: crate::model::digest::sha256(
                        format!("{kind}\0{}\0{}", j.target, c.check.rule).as_bytes(),
                    ),
                    existing: None,
                    finding: None,
                })
        })
    };
    let rules = d
        .rules
        .iter()
        .filter(move |r| r.status != Status::Passed && keep(r.status))
        .map(|r| Item {
            rule_id: format!("riskgate/{}", r.rule),
            title: format!("{} ({})", r.rule, r.subject),
            status: r.status,
            risk: None,
            path: None,
            line: None,
            target: None,
            package: None,
            owner: super::owner_words(&r.owner),
            why: r.reason.clone(),
            unblock: r.fix.clone(),
            fingerprint: crate::model::digest::sha256(
                format!("rule\0{}\0{}", r.rule, r.subject).as_bytes(),
            ),
            existing: None,
            finding: None,
        });
    judged("image", &d.images)
        .chain(judged("artifact", &d.artifacts))
        .chain(rules)
}

/// The status of each entry [`items`] yields, in its order, without building the entries: for
/// writers that print counts before the list.
pub fn statuses<'a>(v: &'a View<'a>) -> impl Iterator<Item = Status> + 'a {
    let d = v.decision;
    let failed = |list: &'a [Judged<'a>]| {
        list.iter()
            .flat_map(|j| j.checks.iter().filter(|c| !c.check.passed))
            .map(|_| Status::Blocked)
    };
    d.findings
        .iter()
        .map(|f| f.status)
        .filter(|s| !s.is_suppressed())
        .chain(failed(&d.images))
        .chain(failed(&d.artifacts))
        .chain(
            d.rules
                .iter()
                .map(|r| r.status)
                .filter(|s| *s != Status::Passed),
        )
}
