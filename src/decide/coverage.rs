//! Whether an acceptance covers a finding: SPEC §3.3 points 1–7, each failure in words.
//!
//! Acceptances are indexed by the id they name (lower case), so a finding only ever meets the
//! acceptances that name one of its ids or aliases.

use super::{AcceptanceUse, Engine};
use crate::model::date::Timestamp;
use crate::model::facts::AcceptanceSignature;
use crate::model::finding::Finding;
use crate::policy::acceptances::Acceptance;
use crate::policy::guardrails::{Approvals, LevelCfg};
use crate::policy::levels::{ApproverRole, Gate, RiskLevel};

pub use crate::model::finding::{candidates, id_index};
pub use crate::policy::acceptances::{index, shared_aliases};

/// What the coverage check needs to know about the finding.
pub struct Ctx<'e, 'a> {
    pub engine: &'e Engine<'a>,
    pub finding: &'a Finding,
    pub risk: RiskLevel,
    pub level: &'e LevelCfg,
    pub owner_team: Option<&'a str>,
    pub never_accept: Option<&'e str>,
    pub now: Timestamp,
}

/// The outcome of trying one acceptance on one finding.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Its selectors (product, package, paths, images) match the finding: it is about this
    /// finding, whether or not it covers it.
    pub in_scope: bool,
    /// Every reason it does not cover the finding; empty when it covers.
    pub problems: Vec<String>,
    /// It lacks only the approval its level needs: a pending request.
    pub pending: bool,
    /// What proves its approval (`signature by dana@... verified`, `code review: ...`), when
    /// its authority holds.
    pub proof: Option<String>,
}

/// An acceptance made ready to be tried on many findings (its dates were parsed and its globs
/// compiled when the file was read) with what verification established of its signature.
pub struct Prepared<'a> {
    pub acceptance: &'a Acceptance,
    /// What verification established about its signature, by signer: the approver, then the
    /// requester (team levels).
    signature: [Result<(), String>; 2],
}

impl<'a> Prepared<'a> {
    pub fn new(a: &'a Acceptance, signature: AcceptanceSignature) -> Prepared<'a> {
        Prepared {
            acceptance: a,
            signature: [signature.by_approver, signature.by_requester],
        }
    }
}

/// Tries an acceptance on the finding (SPEC §3.3 points 1–7), collecting every failure.
pub fn check(ctx: &Ctx, prepared: &Prepared) -> Outcome {
    let a = prepared.acceptance;
    let mut p = Vec::new();
    let f = ctx.finding;
    // 1. scope
    match ctx.engine.product_name {
        Some(name) if name == a.product => {}
        Some(name) => p.push(format!("recorded for product {}, not {name}", a.product)),
        None => p.push(format!(
            "recorded for product {}, but this run has no product",
            a.product
        )),
    }
    if let Some(sel) = &a.package {
        let pkg = f.package.as_ref();
        if !pkg.is_some_and(|pk| package_matches(sel, &pk.name, pk.purl.as_deref())) {
            p.push(match pkg {
                Some(pk) => format!("package `{sel}` does not match {}", pk.name),
                None => format!("limited to package `{sel}`, but the finding names no package"),
            });
        }
    }
    if !a.paths.is_empty() {
        match f.location.path.as_deref() {
            None => p.push(format!(
                "limited to paths {:?}, but the finding has no path",
                a.paths
            )),
            Some(path) if !a.paths.is_match(path) => {
                p.push(format!("path {path} matches none of {:?}", a.paths))
            }
            Some(_) => {}
        }
    }
    if !a.images.is_empty() {
        match f.target.as_deref() {
            None => p.push(format!(
                "limited to images {:?}, but the finding has no target",
                a.images
            )),
            Some(t) if !a.images.is_match(t) => {
                p.push(format!("target {t} matches none of {:?}", a.images))
            }
            Some(_) => {}
        }
    }
    if !a.fingerprints.is_empty()
        && !a
            .fingerprints
            .iter()
            .any(|fp| fp.eq_ignore_ascii_case(&f.fingerprint))
    {
        p.push(format!(
            "recorded for {} other finding(s) (fingerprints), not this one ({}): a finding that is new or moved needs its own acceptance",
            a.fingerprints.len(),
            f.fingerprint
        ));
    }
    let in_scope = p.is_empty();
    if let Some(req) = &a.versions {
        match f.package.as_ref().and_then(|pk| pk.version.as_deref()) {
            None => p.push(format!(
                "limited to versions `{req}`, but the finding has no installed version"
            )),
            Some(v) => {
                if let Err(why) = version_matches(req, v) {
                    p.push(why);
                }
            }
        }
    }
    // 2. time
    match (a.created.date(), a.expires.date()) {
        (Some(c), Some(e)) => {
            if ctx.now < c.start() {
                p.push(format!("not valid before {c}"));
            }
            if ctx.now >= e.start() {
                p.push(format!("expired on {e}"));
            }
            if let Some(max) = ctx.level.max_days {
                let days = e.days_since(c);
                if days > i64::from(max) {
                    p.push(format!(
                        "lasts {days} days, longer than max_days {max} for level {}",
                        ctx.risk
                    ));
                }
            }
        }
        _ => p.push("`created` or `expires` is not a date".into()),
    }
    // 3. risk
    if a.risk < ctx.risk {
        p.push(format!(
            "recorded at risk {}, but the risk is now {}: it must be accepted again at {}",
            a.risk, ctx.risk, ctx.risk
        ));
    }
    // 4. authority and 5. separation of duties
    let before = p.len();
    let mut unapproved = false;
    let mut proof = None;
    if ctx.level.gate == Gate::Accept {
        if let Some(role) = ctx.level.approver {
            unapproved = role > ApproverRole::Team && a.approved_by.is_none();
            let held = p.len();
            authority(ctx, a, role, &mut p);
            if p.len() == held {
                match prove(ctx, prepared, role) {
                    Ok(how) => proof = Some(how),
                    // A level that requires the signature says so itself (7. below).
                    Err(_) if ctx.level.require_signature && a.signature.is_none() => {}
                    Err(why) => p.push(why),
                }
            }
        }
    }
    let after_auth = p.len();
    // 6. never-accept
    if let Some(n) = ctx.never_accept {
        p.push(format!("matches {n}: cannot be accepted"));
    }
    if ctx.level.gate == Gate::Block {
        p.push(format!(
            "level {} has gate block: cannot be accepted",
            ctx.risk
        ));
    }
    // 7. signature: by whoever holds the authority checked in 4 (the approver, or the requester
    // for the team's own levels)
    if ctx.level.require_signature {
        let team_level = ctx.level.approver == Some(ApproverRole::Team);
        let signer = if team_level {
            Some(a.requested_by.as_str())
        } else {
            a.approved_by.as_deref()
        };
        match signer {
            None => p.push(format!(
                "level {} requires the approver's signature, and no approver is recorded",
                ctx.risk
            )),
            Some(who) => {
                let checked = if team_level {
                    &prepared.signature[1]
                } else {
                    &prepared.signature[0]
                };
                if let Err(e) = checked {
                    p.push(format!(
                        "level {} requires {who}'s signature: {e}",
                        ctx.risk
                    ));
                }
            }
        }
    }
    // pending: nothing wrong but the missing approval (and so the approver's missing signature)
    let only_signature_missing =
        p.len() == after_auth || (p.len() == after_auth + 1 && a.approved_by.is_none());
    let pending = unapproved && before == 0 && after_auth == 1 && only_signature_missing;
    Outcome {
        in_scope,
        problems: p,
        pending,
        proof,
    }
}

/// What proves the approval an acceptance claims (SPEC §9): for the team's own levels, the
/// requester's membership of the owning team; above them, the approver's signature, or under
/// `acceptances.approvals: code_review`, the CODEOWNERS line that requires their review.
fn prove(ctx: &Ctx, prepared: &Prepared, role: ApproverRole) -> Result<String, String> {
    let a = prepared.acceptance;
    let e = ctx.engine;
    if role == ApproverRole::Team {
        return Ok(format!(
            "within the team's autonomy: requested by {}, a member of {}",
            a.requested_by,
            ctx.owner_team.unwrap_or("the owning team")
        ));
    }
    let Some(approver) = a.approved_by.as_deref() else {
        return Err("not approved".into());
    };
    let signed = a.signature.as_ref().map(|_| prepared.signature[0].clone());
    if let Some(Ok(())) = signed {
        return Ok(format!("signature by {approver} verified"));
    }
    let code_review = e.guardrails.acceptances.approvals == Approvals::CodeReview;
    if code_review {
        return match e.review.and_then(|r| r.get(approver)) {
            Some(Ok(line)) => Ok(format!("code review: {line}")),
            Some(Err(why)) => Err(format!("approved_by {approver} is not proven: {why}")),
            None => Err(format!(
                "approved_by {approver} is not proven: the repository's CODEOWNERS was not read"
            )),
        };
    }
    Err(match signed {
        Some(Err(why)) => format!(
            "approved_by {approver} is not proven: {why} (acceptances.approvals is signature)"
        ),
        _ => format!(
            "approved_by {approver} is a claim nothing proves: it carries no signature by {approver} (acceptances.approvals is signature); {approver} approves with `riskgate approve {} --by {approver} --sign-key KEY`, or the guardrails declare `acceptances.approvals: code_review`",
            a.id
        ),
    })
}

fn authority(ctx: &Ctx, a: &Acceptance, role: ApproverRole, p: &mut Vec<String>) {
    let e = ctx.engine;
    let team = ctx.owner_team;
    if role == ApproverRole::Team {
        if !e.holds_at_least(&a.requested_by, role, team) {
            p.push(format!(
                "requested_by {} is not a member of the owning team {}",
                a.requested_by,
                team.unwrap_or("(no owning team)")
            ));
        }
        return;
    }
    let Some(approver) = a.approved_by.as_deref() else {
        p.push(format!(
            "not approved: level {} needs approval by {role}{}{}",
            ctx.risk,
            who(e, role, team),
            a.requested_approver
                .as_deref()
                .map(|r| format!("; the request is addressed to {r}"))
                .unwrap_or_default()
        ));
        return;
    };
    for problem in e.approval_problems(approver, &a.requested_by, role, team) {
        p.push(format!("approved_by {problem}"));
    }
}

/// ` (dana@acme.example, erin@acme.example)`: who holds a role, for messages.
fn who(e: &Engine, role: ApproverRole, team: Option<&str>) -> String {
    let h = e.holders(role, team);
    if h.is_empty() {
        " (nobody holds it)".into()
    } else {
        format!(" ({})", h.join(", "))
    }
}

/// The acceptance on its own: its dates relative to `now`, and whether it is for this product.
pub fn standalone<'a>(
    engine: &Engine,
    index: usize,
    a: &'a Acceptance,
    now: Timestamp,
    warn_before: u32,
) -> AcceptanceUse<'a> {
    let mut problems = Vec::new();
    let t = a.timing(now, warn_before);
    if engine.product_name.is_some_and(|n| n != a.product) {
        problems.push(format!(
            "recorded for product {}, not {}",
            a.product,
            engine.product_name.unwrap_or_default()
        ));
    }
    if let (true, Some(e)) = (t.expired, t.expires) {
        problems.push(format!("expired on {e}"));
    }
    if t.not_yet_valid {
        problems.push(format!("not valid before {}", a.created));
    }
    AcceptanceUse {
        index,
        acceptance: a,
        covers: Vec::new(),
        covers_code: false,
        problems,
        named: 0,
        in_scope: 0,
        expires: t.expires,
        days_left: t.days_left,
        expiring_soon: t.expiring,
    }
}

/// `package` selector: a package name, or a purl prefix ending at a component boundary
/// (`pkg:npm/jquery` matches `pkg:npm/jquery@3.3.9`, not `pkg:npm/jquery-ui@1.0`).
pub fn package_matches(sel: &str, name: &str, purl: Option<&str>) -> bool {
    let sel = sel.trim();
    if sel.starts_with("pkg:") {
        return purl.is_some_and(|p| {
            p.strip_prefix(sel)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['@', '?', '#']))
        });
    }
    sel == name
}

pub use crate::policy::acceptances::{is_exact_version, version_matches};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_match_by_semver_or_exactly() {
        assert!(version_matches("<3.4.0", "3.3.9").is_ok());
        assert!(version_matches("<3.4.0", "3.4.0").is_err());
        assert!(version_matches(">=1.2, <1.4", "1.3.0").is_ok());
        assert!(version_matches("v0.7.0", "v0.7.0").is_ok());
        assert!(
            version_matches("<0.17.0", "v0.7.0").is_ok(),
            "go's v prefix"
        );
        // not semver: only an exact match
        assert!(version_matches("1.1.1c-r0", "1.1.1c-r0").is_ok());
        assert!(version_matches("=1.1.1c-r0", "1.1.1c-r0").is_ok());
        let e = version_matches("<1.1.1d", "1.1.1c-r0").unwrap_err();
        assert!(e.contains("not semver"), "{e}");
        assert!(is_exact_version("1.1.1c-r0"));
        assert!(!is_exact_version("<1.2"));
    }

    #[test]
    fn purl_prefixes_end_at_a_boundary() {
        let purl = Some("pkg:npm/jquery@3.3.9");
        assert!(package_matches("pkg:npm/jquery", "jquery", purl));
        assert!(package_matches("jquery", "jquery", None));
        assert!(!package_matches("pkg:npm/jque", "jquery", purl));
        assert!(!package_matches(
            "pkg:npm/jquery",
            "jquery-ui",
            Some("pkg:npm/jquery-ui@1.0")
        ));
        assert!(!package_matches("pkg:npm/jquery", "jquery", None));
    }
}
