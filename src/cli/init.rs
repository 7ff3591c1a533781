//! `riskgate init`: a starter `.riskgate/` at the repository's root — an ownership register
//! with this repository's product and team, guardrails documented line by line, an empty
//! acceptances file — and the CI job for the platform the repository uses. It never overwrites:
//! when any file it would write exists, it writes nothing (exit 2). It checks what it wrote
//! with the loader `check` uses, and prints the CODEOWNERS lines that make the risk owner's and
//! security's review required for changes to the policy and the acceptances.

use super::*;
use crate::policy::yaml::scalar;
use std::path::Path;

/// The starter guardrails (`policies/starter/guardrails.yaml`), commented line by line.
pub const STARTER_GUARDRAILS: &str = include_str!("../../policies/starter/guardrails.yaml");

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The product's name [default: the repository's name]
    #[arg(long, value_name = "NAME")]
    pub product: Option<String>,
    /// The team that runs it and remediates its findings [default: PRODUCT-dev]
    #[arg(long, value_name = "NAME")]
    pub team: Option<String>,
    /// A member of the team (repeatable) [default: git config user.email]
    #[arg(long = "member", value_name = "ID")]
    pub members: Vec<String>,
    /// The product's risk owner: its product owner or engineering manager
    #[arg(long, value_name = "ID")]
    pub risk_owner: Option<String>,
    /// Who holds the security role (repeatable): people, or team names
    #[arg(long = "security", value_name = "ID")]
    pub security: Vec<String>,
    /// The CI job to write [default: detected from .github/, .gitlab-ci.yml or the remote]
    #[arg(long, value_enum)]
    pub ci: Option<CiPlatform>,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum CiPlatform {
    /// `.github/workflows/riskgate.yml`, with the riskgate action.
    Github,
    /// The GitLab CI/CD component, to include in `.gitlab-ci.yml` (printed: that file is yours).
    Gitlab,
    /// No CI file.
    None,
}

pub(super) fn init(a: &InitArgs) -> ExitCode {
    let here = load::Discovery::here();
    let root = here.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let dir = root.join(".riskgate");
    let remote = git(&root, &["config", "--get", "remote.origin.url"]);
    let repo = remote.as_deref().and_then(repo_of);
    let product = match a.product.clone().or_else(|| {
        repo.as_deref()
            .and_then(|r| r.rsplit('/').next())
            .map(str::to_string)
            .or_else(|| {
                std::fs::canonicalize(&root)
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            })
    }) {
        Some(p) if valid_name(&p) => p,
        Some(p) => {
            return fail(UsageError::new(
                format!(
                    "`{p}` is not a product name riskgate can use (letters, digits, `-`, `_`, `.`)"
                ),
                Some("pass --product NAME".into()),
            ))
        }
        None => {
            return fail(UsageError::new(
                "cannot tell the product's name",
                Some("pass --product NAME".into()),
            ))
        }
    };
    let team = a.team.clone().unwrap_or_else(|| format!("{product}-dev"));
    if !valid_name(&team) {
        return fail(UsageError::new(
            format!("`{team}` is not a team name riskgate can use"),
            None,
        ));
    }
    let mut members = a.members.clone();
    if members.is_empty() {
        members.extend(git(&root, &["config", "user.email"]));
    }
    let ci = a.ci.unwrap_or_else(|| detect_ci(&root, remote.as_deref()));
    let mut files: Vec<(PathBuf, String)> = vec![
        (
            dir.join("ownership.yaml"),
            ownership(&product, &team, &members, a, repo.as_deref()),
        ),
        (dir.join("guardrails.yaml"), STARTER_GUARDRAILS.to_string()),
        (
            dir.join("acceptances.yaml"),
            "# The product's recorded risk decisions: `riskgate accept` appends to this list, and\n\
             # `riskgate approve` records approvals. Every entry expires.\n\
             version: 1\nacceptances: []\n"
                .to_string(),
        ),
    ];
    if ci == CiPlatform::Github {
        files.push((
            root.join(".github/workflows/riskgate.yml"),
            GITHUB_WORKFLOW.to_string(),
        ));
    }
    // CODEOWNERS: written when the repository has none and the reviewers are known; else the
    // lines to add are printed
    let owners = codeowners_owners(a);
    let codeowners = codeowners_lines(ci, &owners);
    let has_codeowners = crate::policy::codeowners::LOCATIONS
        .iter()
        .any(|l| root.join(l).exists());
    let write_codeowners = !has_codeowners && !owners.is_empty();
    if write_codeowners {
        let at = if ci == CiPlatform::Github {
            ".github/CODEOWNERS"
        } else {
            "CODEOWNERS"
        };
        files.push((root.join(at), codeowners.clone()));
    }
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return fail(UsageError::new(
            format!(
                "not overwriting {}: nothing was written",
                existing.join(", ")
            ),
            Some(
                "move them away to start again, or edit them (`riskgate validate` checks them)"
                    .into(),
            ),
        ));
    }
    // What is written must be what `check` reads without an error.
    let own = files[0].1.clone();
    if let Err(p) = crate::policy::Policy::assemble(
        crate::policy::yaml::YamlFile::parse("ownership.yaml".into(), own),
        crate::policy::yaml::YamlFile::parse("guardrails.yaml".into(), STARTER_GUARDRAILS.into()),
        None,
    ) {
        return fail(p);
    }
    for (path, text) in &files {
        let dir = path.parent().unwrap_or(Path::new("."));
        if let Err(e) =
            std::fs::create_dir_all(dir).and_then(|_| crate::write::replace(path, text.as_bytes()))
        {
            return fail(UsageError::new(
                format!("cannot write {}: {e}", path.display()),
                None,
            ));
        }
        println!("wrote {}", path.display());
    }
    println!();
    println!("Next:");
    let mut n = 1;
    let mut step = |s: String| {
        println!("  {n}. {s}");
        n += 1;
    };
    if members.is_empty() {
        step(format!(
            "add the members of {team} to teams.{team}.members in {}",
            files[0].0.display()
        ));
    }
    if a.risk_owner.is_none() {
        step(format!(
            "name the product's risk owner (its product owner or engineering manager): products.{product}.risk_owner"
        ));
    }
    if a.security.is_empty() {
        step("name who holds the security role: roles.security (a team or people)".into());
    }
    if repo.is_none() {
        step(format!(
            "list this repository under products.{product}.repos (host/owner/name), so CI finds the product"
        ));
    }
    if !write_codeowners {
        step(format!(
            "add these lines to {}, so the risk owner and security review every change to the policy, the acceptances and the CI (`riskgate codeowners` prints them from the register, with handles):",
            if has_codeowners { "your CODEOWNERS" } else { "a CODEOWNERS file" }
        ));
        for l in codeowners.lines().filter(|l| !l.starts_with('#')) {
            println!("       {l}");
        }
    } else {
        step("require code-owner review on the default branch (GitHub: branch protection \"Require review from Code Owners\"; GitLab: \"Code owner approval\"), so CODEOWNERS is enforced".into());
    }
    match ci {
        CiPlatform::Github => step(
            "review .github/workflows/riskgate.yml: list your scanners' reports under `reports`"
                .into(),
        ),
        CiPlatform::Gitlab => {
            step("add the riskgate component to .gitlab-ci.yml:".into());
            for l in GITLAB_INCLUDE.lines() {
                println!("       {l}");
            }
        }
        CiPlatform::None => step(
            "run the gate in CI: the GitHub action or the GitLab component (README, \"CI\")".into(),
        ),
    }
    step("check the result: riskgate validate, then riskgate check --report SCANNER-REPORT".into());
    ExitCode::from(EXIT_ALLOW)
}

fn ownership(
    product: &str,
    team: &str,
    members: &[String],
    a: &InitArgs,
    repo: Option<&str>,
) -> String {
    let list = |v: &[String]| v.iter().map(|m| scalar(m)).collect::<Vec<_>>().join(", ");
    let mut s = String::new();
    s.push_str(
        "# ownership.yaml: who owns this product, who remediates, who decides on its risk.\n",
    );
    s.push_str("# Written by `riskgate init`; `riskgate schema ownership` gives every key.\n");
    s.push_str("version: 1\n");
    let today = load::clock().date();
    s.push_str(&format!(
        "reviewed: {today}               # confirm the owners, then update this date\n"
    ));
    s.push_str("teams:\n");
    s.push_str(&format!(
        "  {team}:                     # the team that runs the product remediates its findings\n"
    ));
    s.push_str(&format!("    members: [{}]\n", list(members)));
    s.push_str("roles:\n");
    if a.security.is_empty() {
        s.push_str(
            "  security: []                 # who approves critical risk: a team or people\n",
        );
    } else {
        s.push_str(&format!("  security: [{}]\n", list(&a.security)));
    }
    s.push_str("products:\n");
    s.push_str(&format!("  {product}:\n"));
    s.push_str(&format!("    team: {team}\n"));
    match &a.risk_owner {
        Some(o) => s.push_str(&format!(
            "    risk_owner: {}          # decides on risk above the team's autonomy\n",
            scalar(o)
        )),
        None => s.push_str(
            "    # risk_owner: owner@example.com   # the product owner or engineering manager\n",
        ),
    }
    s.push_str("    criticality: medium          # low, medium, high or critical: how much the business depends on it\n");
    s.push_str(
        "    exposure: internal           # internet, internal or isolated: risk rules read it\n",
    );
    s.push_str("    data: internal               # the most sensitive data it handles: public, internal, confidential, restricted\n");
    if let Some(r) = repo {
        s.push_str(&format!("    repos: [{}]\n", scalar(r)));
    }
    s.push_str(&format!("    reviewed: {today}\n"));
    // people riskgate would not know otherwise: the risk owner and security's people
    let people: Vec<&String> = a
        .risk_owner
        .iter()
        .chain(a.security.iter().filter(|p| p.contains('@')))
        .filter(|p| !members.contains(p))
        .collect();
    if !people.is_empty() {
        s.push_str("people:                          # handles for CODEOWNERS: { github: NAME, gitlab: NAME }\n");
        for p in people {
            s.push_str(&format!("  {}: {{}}\n", scalar(p)));
        }
    }
    s
}

/// CODEOWNERS owners for `.riskgate/`: the risk owner and security's people, as given (e-mail
/// addresses, which GitHub and GitLab take for their users).
fn codeowners_owners(a: &InitArgs) -> Vec<String> {
    a.risk_owner
        .iter()
        .chain(a.security.iter().filter(|s| s.contains('@')))
        .cloned()
        .collect()
}

/// The CODEOWNERS lines: the policy and acceptances, the CI that runs the gate, CODEOWNERS.
fn codeowners_lines(ci: CiPlatform, owners: &[String]) -> String {
    let who = if owners.is_empty() {
        "<risk owner> <security>".to_string()
    } else {
        owners.join(" ")
    };
    let (ci_path, self_path) = match ci {
        CiPlatform::Gitlab => ("/.gitlab-ci.yml", "/CODEOWNERS"),
        CiPlatform::Github => ("/.github/workflows/", "/.github/CODEOWNERS"),
        CiPlatform::None => ("/.github/workflows/", "/CODEOWNERS"),
    };
    format!(
        "# riskgate (written by `riskgate init`): changes to the policy and acceptances, to the CI that runs the gate,\n# and to this file need the risk owner's or security's review\n/.riskgate/ {who}\n{ci_path} {who}\n{self_path} {who}\n"
    )
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// `git -C ROOT ARGS` standard output, trimmed; none when git is missing or says nothing.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

/// `host/owner/name` of a remote URL (`git@github.com:acme/api.git`, `https://...`).
fn repo_of(url: &str) -> Option<String> {
    let u = url.trim().trim_end_matches('/').trim_end_matches(".git");
    let rest = if let Some(r) = u.split_once("://").map(|(_, r)| r) {
        let r = r.rsplit_once('@').map_or(r, |(_, h)| h);
        r.to_string()
    } else {
        // scp-like: user@host:owner/name
        let r = u.rsplit_once('@').map_or(u, |(_, h)| h);
        r.replacen(':', "/", 1)
    };
    let (host, path) = rest.split_once('/')?;
    let host = host.split(':').next().unwrap_or(host);
    (!host.is_empty() && path.contains('/') && !path.contains("//"))
        .then(|| format!("{host}/{path}"))
}

fn detect_ci(root: &Path, remote: Option<&str>) -> CiPlatform {
    let env = |k: &str| std::env::var_os(k).is_some();
    if env("GITHUB_ACTIONS") || root.join(".github").is_dir() {
        CiPlatform::Github
    } else if env("GITLAB_CI") || root.join(".gitlab-ci.yml").exists() {
        CiPlatform::Gitlab
    } else {
        match remote {
            Some(r) if r.contains("github") => CiPlatform::Github,
            Some(r) if r.contains("gitlab") => CiPlatform::Gitlab,
            _ => CiPlatform::None,
        }
    }
}

const GITHUB_WORKFLOW: &str = "\
# riskgate: allow or block the deploy, finding by finding (written by `riskgate init`).
name: riskgate
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  security-events: write   # upload the SARIF report to code scanning
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      # Run your scanners here and list their reports below (Trivy, Grype, SARIF, ...).
      - uses: riskgate/riskgate@v0.1.0   # pin by commit SHA
        id: riskgate
        with:
          reports: trivy.json
      - uses: github/codeql-action/upload-sarif@v4
        if: always()
        with:
          sarif_file: ${{ steps.riskgate.outputs.sarif }}
";

const GITLAB_INCLUDE: &str = "\
include:
  - component: $CI_SERVER_FQDN/riskgate/riskgate/riskgate@0.1.0
    inputs: { reports: [gl-container-scanning-report.json], fail_on_block: true }";

#[cfg(test)]
mod tests {
    use super::repo_of;

    #[test]
    fn remote_urls_name_host_owner_and_repository() {
        for (url, want) in [
            (
                "git@github.com:acme/payments-api.git",
                Some("github.com/acme/payments-api"),
            ),
            (
                "https://github.com/acme/payments-api",
                Some("github.com/acme/payments-api"),
            ),
            (
                "https://user:tok@gitlab.example:8443/g/sub/app.git",
                Some("gitlab.example/g/sub/app"),
            ),
            (
                "ssh://git@github.com/acme/api.git/",
                Some("github.com/acme/api"),
            ),
            ("/srv/git/app.git", None),
            ("", None),
        ] {
            assert_eq!(repo_of(url).as_deref(), want, "{url}");
        }
    }
}
