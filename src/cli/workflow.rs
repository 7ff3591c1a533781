//! `riskgate accept` and `riskgate approve`: the acceptance workflow's commands. They decide
//! with the same core as `check`, refuse what the named people may not do (exit 2, file
//! untouched), and otherwise edit the acceptances file's text (see [`crate::write::acceptances`]).

use crate::cli::{fail, with_decision, EXIT_ALLOW};
use crate::decide::{Decided, Engine};
use crate::load::{self, GateArgs, UsageError};
use crate::model::date::Date;
use crate::policy::acceptances::AcceptancesFile;
use crate::policy::levels::{ApproverRole, Gate};
use crate::policy::ownership::did_you_mean;
use crate::policy::yaml::YamlFile;
use crate::policy::Policy;
use crate::write::acceptances::{self, Entry};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub struct AcceptArgs<'a> {
    /// The findings' ids or aliases: one entry per finding (per package for a vulnerability).
    pub ids: &'a [String],
    pub reason: &'a str,
    pub by: &'a str,
    pub approver: Option<&'a str>,
    pub days: Option<u32>,
    pub expires: Option<&'a str>,
    pub package: Option<&'a str>,
    pub ticket: Option<&'a str>,
    pub sign_key: Option<&'a Path>,
    /// Cover a code finding anywhere in the product, not only where it is now.
    pub anywhere: bool,
}

/// The acceptances file to write: `--acceptances`, else `.riskgate/acceptances.yaml`.
fn target(inputs: &GateArgs) -> PathBuf {
    inputs
        .acceptances
        .clone()
        .unwrap_or_else(load::default_acceptances)
}

fn refuse(message: impl Into<String>, help: Option<String>) -> ExitCode {
    fail(UsageError::new(message, help))
}

/// What a refusal is about, as its diagnostic code says: `riskgate::authority` (the person may
/// not do it), `riskgate::guardrail` (the policy does not allow it), `riskgate::not_found` (no
/// such finding or acceptance), `riskgate::usage` (how it was asked).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct Refusal {
    kind: &'static str,
    message: String,
    help: Option<String>,
}

impl miette::Diagnostic for Refusal {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(format!("riskgate::{}", self.kind)))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
}

/// One refused request, labelled by what it is about.
type Why = (&'static str, String);

fn refuse_as(kind: &'static str, message: impl Into<String>, help: Option<String>) -> ExitCode {
    fail(Refusal {
        kind,
        message: message.into(),
        help,
    })
}

fn refuse_authority(message: impl Into<String>) -> ExitCode {
    refuse_as("authority", message, None)
}

/// One acceptance about to be written: the findings it covers (one id, one package).
struct Planned<'v, 'a> {
    id: &'v str,
    found: Vec<&'v Decided<'a>>,
    package: Option<String>,
}

pub fn accept(inputs: &GateArgs, a: &AcceptArgs) -> ExitCode {
    if a.reason.trim().is_empty() {
        return refuse(
            "--reason is empty: an acceptance records why the risk is acceptable",
            Some("for example --reason \"only reachable from the admin network\"".into()),
        );
    }
    if a.days == Some(0) {
        return refuse(
            "--days 0: an acceptance lasts at least one day",
            Some("give --days N (at most the level's max_days) or --expires YYYY-MM-DD".into()),
        );
    }
    if a.ids.is_empty() {
        return refuse(
            "name the findings to accept: riskgate accept ID [ID...]",
            None,
        );
    }
    let path = target(inputs);
    // Held from reading the file to writing it: a concurrent accept or approve waits its turn.
    let _lock = match crate::write::lock(&path, crate::write::LOCK_WAIT) {
        Ok(l) => l,
        Err(e) => return refuse(e, None),
    };
    let mut load = inputs.clone();
    load.acceptances = path.exists().then(|| path.clone());
    with_decision(&load, |view, loaded| {
        let engine = view.engine;
        let Some(product) = view.decision.product else {
            return refuse(
                "cannot record an acceptance without a product",
                Some(
                    "pass --product, or run with a policy whose register names this repository"
                        .into(),
                ),
            );
        };
        if !engine.ownership.is_person(a.by) {
            let people: Vec<&str> = engine.ownership.people().into_iter().collect();
            return refuse_as(
                "authority",
                format!("unknown person `{}`", a.by),
                did_you_mean(a.by, &people),
            );
        }
        let today = loaded.now.date();
        // `None`: each entry lasts its level's max_days
        let expires = match (a.days, a.expires) {
            (Some(d), _) => Some(today.add_days(i64::from(d))),
            (None, Some(e)) => match Date::parse(e) {
                Some(d) if d.days_since(today) > 0 => Some(d),
                Some(d) => {
                    return refuse(
                        format!("--expires {d} is not after today ({today})"),
                        Some("the acceptance's last valid day is the day before --expires".into()),
                    )
                }
                None => return refuse(format!("--expires {e:?} is not a date (YYYY-MM-DD)"), None),
            },
            (None, None) => None,
        };
        let mut plans: Vec<Planned> = Vec::new();
        let mut problems: Vec<Why> = Vec::new();
        let mut skipped: Vec<String> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for id in a.ids {
            if !seen.insert(id.to_ascii_lowercase()) {
                continue;
            }
            match plan(view, a, id) {
                Ok((mut p, s)) => {
                    plans.append(&mut p);
                    skipped.extend(s);
                }
                Err(e) => problems.push(e),
            }
        }
        let existing = loaded.acceptances();
        let first = next_number(existing);
        let mut entries: Vec<(Entry, ApproverRole, crate::policy::guardrails::LevelCfg)> =
            Vec::new();
        for (n, p) in plans.iter().enumerate() {
            match entry(
                view,
                loaded,
                a,
                p,
                product,
                today,
                expires,
                first + n as u32,
            ) {
                Ok(e) => entries.push(e),
                Err(e) => problems.push(e),
            }
        }
        if !problems.is_empty() {
            return refuse_all(problems);
        }
        let old = if path.exists() {
            let read = crate::ingest::source::read_file(&path).map_err(|e| e.to_string());
            match read.and_then(|b| String::from_utf8(b).map_err(|_| "is not UTF-8 text".into())) {
                Ok(t) => t,
                Err(e) => return refuse(format!("cannot read {}: {e}", path.display()), None),
            }
        } else {
            String::new()
        };
        let mut new = old;
        for (i, (entry, role, _)) in entries.iter().enumerate() {
            let Some(t) = acceptances::append(&new, entry) else {
                return refuse(
                    format!("cannot append to {}: its `acceptances` list is written inline", path.display()),
                    Some("write the list as a block (one `- id: ...` entry per item) and run accept again".into()),
                );
            };
            new = t;
            if let Some(key) = a.sign_key {
                if *role > ApproverRole::Team {
                    return refuse(
                        format!("{} risk is approved by {role}: the approver signs, with `riskgate approve {} --by ... --sign-key`", entry.risk, entry.id),
                        None,
                    );
                }
                match sign_entry(&new, existing.len() + i, key, a.by, engine.ownership, &path) {
                    Ok(t) => new = t,
                    Err(code) => return code,
                }
            }
        }
        if let Err(code) =
            write_checked(&path, &new, &loaded.policy, existing.len() + entries.len())
        {
            return code;
        }
        for (entry, role, level) in &entries {
            report_entry(engine, &path, entry, *role, level, product);
        }
        for s in skipped {
            println!("not accepted: {s}");
        }
        ExitCode::from(EXIT_ALLOW)
    })
}

/// Several refusals at once: every id's problem, so one run says all that is wrong.
fn refuse_all(problems: Vec<Why>) -> ExitCode {
    match problems.as_slice() {
        [(kind, one)] => refuse_as(kind, one.clone(), None),
        _ => {
            let kind = problems.first().map(|(k, _)| *k).unwrap_or("usage");
            let kind = if problems.iter().all(|(k, _)| *k == kind) {
                kind
            } else {
                "refused"
            };
            let list: Vec<String> = problems.into_iter().map(|(_, m)| m).collect();
            refuse_as(
                kind,
                format!(
                    "{} problems, nothing recorded:\n  - {}",
                    list.len(),
                    list.join("\n  - ")
                ),
                None,
            )
        }
    }
}

/// The number of the next `ACC-NNNN` (one above the highest used).
fn next_number(existing: &[crate::policy::acceptances::Acceptance]) -> u32 {
    existing
        .iter()
        .filter_map(|a| a.id.strip_prefix("ACC-"))
        .filter_map(|n| n.parse::<u32>().ok())
        .max()
        .unwrap_or(0)
        + 1
}

/// The entries one id makes: one per package it is in (one for code findings), of the findings
/// whose owning team `--by` may request for. Those owned by a team the requester is not in are
/// left out, and said so (second value); none at all is a refusal.
#[allow(clippy::type_complexity)]
fn plan<'v, 'a>(
    view: &'v crate::report::View<'a>,
    a: &AcceptArgs,
    id: &'v str,
) -> Result<(Vec<Planned<'v, 'a>>, Vec<String>), Why> {
    let engine = view.engine;
    let named: Vec<&Decided> = crate::report::explain::matching(view, id);
    if named.is_empty() {
        return Err(("not_found", format!(
            "{id} is not among the findings of the given reports (pass the reports with --report, or CI's json report with --from-report)"
        )));
    }
    let in_package: Vec<&Decided> = named
        .iter()
        .copied()
        .filter(|d| {
            a.package.is_none_or(|sel| {
                d.finding.package.as_ref().is_some_and(|p| {
                    crate::decide::coverage::package_matches(sel, &p.name, p.purl.as_deref())
                })
            })
        })
        .collect();
    if in_package.is_empty() {
        return Err((
            "not_found",
            format!(
                "no finding {id} is in package `{}` (packages with it: {})",
                a.package.unwrap_or(""),
                packages(&named)
            ),
        ));
    }
    let (mine, theirs): (Vec<&Decided>, Vec<&Decided>) = in_package
        .into_iter()
        .partition(|d| engine.holds_at_least(a.by, ApproverRole::Team, d.owner.team));
    let theirs_words = |list: &[&Decided]| -> Vec<String> {
        list.iter()
            .map(|d| {
                let team = d.owner.team.unwrap_or("(no owning team)");
                let members = engine.holders(ApproverRole::Team, d.owner.team).join(", ");
                format!(
                    "{} is not a member of {team}, the team that owns {id}{}; its members request it ({members})",
                    a.by,
                    d.finding
                        .package
                        .as_ref()
                        .map(|p| format!(" in {}", p.name))
                        .unwrap_or_default()
                )
            })
            .collect()
    };
    if mine.is_empty() {
        let mut w = theirs_words(&theirs);
        w.dedup();
        return Err(("authority", w.join("; ")));
    }
    let mut skipped = theirs_words(&theirs);
    skipped.dedup();
    // one entry per package; code findings (no package) in one entry
    let mut by_package: std::collections::BTreeMap<Option<&str>, Vec<&Decided>> =
        std::collections::BTreeMap::new();
    for d in mine {
        by_package
            .entry(d.finding.package.as_ref().map(|p| p.name.as_str()))
            .or_default()
            .push(d);
    }
    let plans = by_package
        .into_iter()
        .map(|(pkg, found)| Planned {
            id,
            package: a.package.map(str::to_string).or(pkg.map(str::to_string)),
            found,
        })
        .collect();
    Ok((plans, skipped))
}

/// Checks one planned entry against the guardrails and builds it.
#[allow(clippy::too_many_arguments)]
fn entry<'e>(
    view: &'e crate::report::View,
    loaded: &'e load::Loaded,
    a: &'e AcceptArgs,
    p: &'e Planned,
    product: &'e str,
    today: Date,
    expires: Option<Date>,
    number: u32,
) -> Result<(Entry<'e>, ApproverRole, crate::policy::guardrails::LevelCfg), Why> {
    let engine = view.engine;
    let id = match &p.package {
        Some(pkg) => format!("{} in {pkg}", p.id),
        None => p.id.to_string(),
    };
    // the strictest of the findings it would cover decides, and never less than the risk the
    // report's run decided (`--from-report`: CI may have had threat intel this run lacks)
    let Some(worst) = p.found.iter().max_by_key(|d| d.risk) else {
        return Err(("not_found", format!("{id}: no finding to accept")));
    };
    let risk = p
        .found
        .iter()
        .filter_map(|d| loaded.reported_risk.get(&*d.finding.fingerprint))
        .copied()
        .chain(std::iter::once(worst.risk))
        .max()
        .unwrap_or(worst.risk);
    let level = engine.level(risk).clone();
    let team = worst.owner.team;
    if let Some(n) = p.found.iter().find_map(|d| d.never_accept.as_deref()) {
        let fix = worst
            .finding
            .fixed_version
            .as_ref()
            .map(|v| format!(" (upgrade to {v})"))
            .unwrap_or_default();
        return Err((
            "guardrail",
            format!("{id} matches {n}: it cannot be accepted, only remediated{fix}"),
        ));
    }
    let role = match (level.gate, level.approver) {
        (Gate::Accept, Some(role)) => role,
        (Gate::Block, _) => {
            return Err((
                "guardrail",
                format!("level {risk} has gate block: {id} cannot be accepted"),
            ))
        }
        (Gate::Pass | Gate::Warn, _) => {
            return Err((
                "usage",
                format!(
                    "nothing to accept: level {risk} does not block ({id} only warns or passes)"
                ),
            ))
        }
        (Gate::Accept, None) => {
            return Err(("guardrail", format!("level {risk} names no approver")))
        }
    };
    let Some(max) = level.max_days else {
        return Err(("guardrail", format!("level {risk} has no max_days")));
    };
    let expires = expires.unwrap_or_else(|| today.add_days(i64::from(max)));
    let days = expires.days_since(today);
    if days > i64::from(max) {
        return Err((
            "guardrail",
            format!(
                "{id}: {days} days is longer than max_days {max} for level {risk} (at most --days {max})"
            ),
        ));
    }
    if let Some(ap) = a.approver {
        check_approver(engine, ap, a.by, role, &[team]).map_err(|e| ("authority", e))?;
    }
    // A request addressed to the approver: only `riskgate approve` (signed, or under code
    // review) records an approval.
    let requested_approver = if role == ApproverRole::Team {
        None
    } else {
        a.approver
    };
    // Code findings are accepted where they are: their files and fingerprints, unless
    // `--anywhere` says the whole product is meant.
    let code = p.found.iter().all(|d| d.finding.kind.is_code());
    let (mut paths, mut fingerprints) = (Vec::new(), Vec::new());
    if code && !a.anywhere {
        for d in &p.found {
            paths.extend(d.finding.location.path.as_deref().map(String::from));
            fingerprints.push(d.finding.fingerprint.to_string());
        }
        paths.sort();
        paths.dedup();
        fingerprints.sort();
    }
    Ok((
        Entry {
            paths,
            fingerprints,
            anywhere: code && a.anywhere,
            kind: p.found.first().map(|d| d.finding.kind),
            id: format!("ACC-{number:04}"),
            finding: &worst.finding.id,
            package: p.package.as_deref(),
            product,
            risk,
            reason: a.reason,
            requested_by: a.by,
            requested_approver,
            created: today,
            expires,
            ticket: a.ticket,
        },
        role,
        level,
    ))
}

/// What `accept` says of each entry it recorded.
fn report_entry(
    engine: &Engine,
    path: &Path,
    entry: &Entry,
    role: ApproverRole,
    level: &crate::policy::guardrails::LevelCfg,
    product: &str,
) {
    let risk = entry.risk;
    let expires = entry.expires;
    let what = match entry.package {
        Some(p) => format!("{} in {p}", entry.finding),
        None => entry.finding.to_string(),
    };
    if role > ApproverRole::Team {
        let holders = engine.holders(role, None).join(", ");
        let to = entry
            .requested_approver
            .map(|p| format!(", addressed to {p}"))
            .unwrap_or_default();
        println!(
            "{} recorded in {} as a pending request{to}: {risk} risk needs approval by {role} ({holders}), for {what}",
            entry.id,
            path.display()
        );
        let how = match engine.guardrails.acceptances.approvals {
            crate::policy::guardrails::Approvals::CodeReview => {
                " (in the pull request they review; CODEOWNERS makes their review required)"
            }
            crate::policy::guardrails::Approvals::Signature => " --sign-key KEY",
        };
        println!(
            "  approve with: riskgate approve {} --by {}{how}",
            entry.id,
            entry.requested_approver.unwrap_or("<approver>")
        );
    } else {
        println!(
            "{} recorded in {}: {risk} risk accepted until {expires} (the last day is {}), for {what}",
            entry.id,
            path.display(),
            expires.add_days(-1)
        );
    }
    if !entry.fingerprints.is_empty() {
        println!(
            "  it covers {} where it is now ({}); the same flaw elsewhere needs its own acceptance (or --anywhere)",
            entry.finding,
            entry.paths.join(", ")
        );
    } else if entry.anywhere {
        println!(
            "  it covers {} anywhere in {product} (--anywhere), and reports say so",
            entry.finding
        );
    }
    if level.require_signature {
        println!("  level {risk} requires the approver's signature before it covers the finding");
    }
}

fn packages(found: &[&Decided]) -> String {
    let mut v: Vec<&str> = found
        .iter()
        .filter_map(|d| d.finding.package.as_ref().map(|p| p.name.as_str()))
        .collect();
    v.sort_unstable();
    v.dedup();
    v.join(", ")
}

/// Authority and separation of duties for an approver (SPEC §3.3 points 4 and 5), by the one
/// rule `check` applies too ([`Engine::approval_problems`]), for every team that may own what
/// is approved.
fn check_approver(
    engine: &Engine,
    approver: &str,
    requester: &str,
    role: ApproverRole,
    teams: &[Option<&str>],
) -> Result<(), String> {
    if role == ApproverRole::Team {
        return Err(
            "no approval needed: this level is within the owning team's autonomy".to_string(),
        );
    }
    if !engine.ownership.is_person(approver) {
        return Err(format!("unknown person `{approver}`"));
    }
    for team in teams {
        if let Some(first) = engine
            .approval_problems(approver, requester, role, *team)
            .into_iter()
            .next()
        {
            return Err(first);
        }
    }
    Ok(())
}

fn write_checked(path: &Path, text: &str, policy: &Policy, want: usize) -> Result<(), ExitCode> {
    let shown = path.display().to_string();
    // Positions are in the text about to be written, not in the file as it is on disk.
    let (acc, file) = YamlFile::parse::<AcceptancesFile>(
        format!("{shown} (with the new entries, not written)"),
        text.to_string(),
    )
    .map_err(fail)?;
    let errors: Vec<_> = acc
        .validate(&file, &policy.ownership)
        .into_iter()
        .filter(|p| p.severity == miette::Severity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(fail(crate::policy::yaml::Problems { problems: errors }));
    }
    if acc.acceptances.len() != want {
        return Err(refuse(
            format!("cannot add the entry to {shown} without rewriting it: `acceptances` must be the file's last key"),
            None,
        ));
    }
    crate::write::replace(path, text.as_bytes())
        .map_err(|e| refuse(format!("cannot write {shown}: {e}"), None))
}

/// The password for private keys: COSIGN_PASSWORD (as cosign reads it), which may be empty.
pub(super) fn password() -> Result<Vec<u8>, ExitCode> {
    std::env::var("COSIGN_PASSWORD")
        .map(String::into_bytes)
        .map_err(|_| {
            refuse(
                "set COSIGN_PASSWORD to the private key's password (it may be empty)",
                None,
            )
        })
}

/// Signs entry number `index` of the acceptances text as `who` (the requester at `accept`, the
/// approver at `approve`), checking the key is theirs, and returns the text with a `signature:`
/// line added to the entry after its `expires`.
fn sign_entry(
    text: &str,
    index: usize,
    key: &Path,
    who: &str,
    own: &crate::policy::ownership::Ownership,
    path: &Path,
) -> Result<String, ExitCode> {
    let shown = path.display().to_string();
    let (acc, file) =
        YamlFile::parse::<AcceptancesFile>(shown.clone(), text.to_string()).map_err(fail)?;
    let Some(entry) = acc.acceptances.get(index) else {
        return Err(refuse(
            format!("cannot find the new entry in {shown}"),
            None,
        ));
    };
    let pw = password()?;
    let pem = std::fs::read(key)
        .map_err(|e| refuse(format!("cannot read {}: {e}", key.display()), None))?;
    let sig = crate::verify::signing::sign(entry, &pem, &pw).map_err(|e| refuse(e, None))?;
    let mut signed = entry.clone();
    signed.signature = Some(sig.clone());
    if let Err(e) = crate::verify::signing::signed_by(&signed, own, who, None) {
        return Err(refuse(
            format!(
                "{} is not one of {who}'s keys in ownership.yaml: {e}",
                key.display()
            ),
            Some(format!("add the public key to `people: {who}: keys:`")),
        ));
    }
    let last = file
        .line_of(&format!("acceptances.{index}.expires"))
        .ok_or_else(|| refuse(format!("cannot edit {shown}"), None))?;
    acceptances::insert_after(text, last, "signature", &sig)
        .ok_or_else(|| refuse(format!("cannot edit {shown}"), None))
}

pub fn keygen(prefix: &Path) -> ExitCode {
    let pw = match password() {
        Ok(p) => p,
        Err(c) => return c,
    };
    let (key, public) = match crate::verify::signing::keygen(&pw) {
        Ok(k) => k,
        Err(e) => return refuse(format!("cannot generate a key: {e}"), None),
    };
    let key_path = prefix.with_extension("key");
    let pub_path = prefix.with_extension("pub");
    for p in [&key_path, &pub_path] {
        if p.exists() {
            return refuse(format!("{} exists; not overwriting it", p.display()), None);
        }
    }
    let write_private = || -> std::io::Result<()> {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        o.open(&key_path)?.write_all(key.as_bytes())
    };
    if let Err(e) = write_private().and_then(|_| std::fs::write(&pub_path, &public)) {
        return refuse(format!("cannot write the key pair: {e}"), None);
    }
    println!(
        "wrote {} (encrypted private key) and {}; add the public key to your `people:` entry in ownership.yaml:",
        key_path.display(),
        pub_path.display()
    );
    print!("{public}");
    ExitCode::from(EXIT_ALLOW)
}

pub fn approve(inputs: &GateArgs, id: &str, by: &str, sign_key: Option<&Path>) -> ExitCode {
    let path = target(inputs);
    let _lock = match crate::write::lock(&path, crate::write::LOCK_WAIT) {
        Ok(l) => l,
        Err(e) => return refuse(e, None),
    };
    let mut load = inputs.clone();
    load.acceptances = Some(path.clone());
    let loaded = match load::load(&load, false) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let accs = loaded.acceptances();
    let Some((index, a)) = accs.iter().enumerate().find(|(_, a)| a.id == id) else {
        let ids: Vec<&str> = accs.iter().map(|a| a.id.as_str()).collect();
        return refuse(
            format!("no acceptance {id} in {}", path.display()),
            did_you_mean(id, &ids),
        );
    };
    if let Some(ap) = &a.approved_by {
        return refuse(format!("{id} is already approved by {ap}"), None);
    }
    let own = &loaded.policy.ownership;
    let engine = match Engine::new(own, &loaded.policy.guardrails, Some(&a.product)) {
        Ok(e) => e,
        Err(m) => return refuse(m, None),
    };
    let level = engine.level(a.risk);
    let Some(role) = level.approver.filter(|_| level.gate == Gate::Accept) else {
        return refuse(format!("level {} cannot be accepted", a.risk), None);
    };
    // The team that owns the finding decides separation of duties. `approve` does not read the
    // reports, so it checks against every team that can own a finding of this product (its
    // team and each layer's owner): what it lets through, `check` lets through too.
    let mut teams: Vec<Option<&str>> = own
        .products
        .get(&a.product)
        .map(|p| p.team.as_str())
        .into_iter()
        .chain(
            own.products
                .get(&a.product)
                .into_iter()
                .flat_map(|p| p.layers.iter())
                .chain(own.layers.iter())
                .map(|l| l.owner.as_str()),
        )
        .map(Some)
        .collect();
    teams.sort_unstable();
    teams.dedup();
    if let Err(e) = check_approver(&engine, by, &a.requested_by, role, &teams) {
        return refuse_authority(e);
    }
    let Some((file_acc, file)) = &loaded.policy.acceptances else {
        return refuse("no acceptances file loaded", None);
    };
    let Some(line) = file.line_of(&format!("acceptances.{index}.requested_by")) else {
        return refuse(format!("cannot find the requested_by line of {id}"), None);
    };
    let Some(mut new) =
        acceptances::insert_after(&file.text, line, "approved_by", &acceptances::scalar(by))
    else {
        return refuse(format!("cannot edit {}", path.display()), None);
    };
    if let Some(key) = sign_key {
        if a.signature.is_some() {
            return refuse(format!("{id} already carries a signature"), None);
        }
        match sign_entry(&new, index, key, by, own, &path) {
            Ok(t) => new = t,
            Err(code) => return code,
        }
    }
    if let Err(code) = write_checked(&path, &new, &loaded.policy, file_acc.acceptances.len()) {
        return code;
    }
    println!("{id} approved by {by} ({role}) in {}", path.display());
    if level.require_signature {
        println!(
            "level {} requires the approver's signature before it covers the finding",
            a.risk
        );
    }
    ExitCode::from(EXIT_ALLOW)
}
