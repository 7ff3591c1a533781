//! CODEOWNERS, as GitHub and GitLab read it: which owners a change to a path needs.
//!
//! Patterns follow gitignore rules: a pattern with a `/` at the start or in the middle is
//! anchored at the repository root, one without matches at any depth, a trailing `/` means a
//! directory and everything below it, `*` stays within one path segment and `**` crosses them.
//! GitHub applies the last matching line. GitLab does so per section (`[Section]`), and every
//! section whose last match names owners requires one of them; optional sections (`^[Section]`)
//! require nobody, and a section header may carry default owners for its lines without any.
//!
//! Used only under `acceptances.approvals: code_review`, where the repository's review rules
//! are what proves an approval (SPEC §9).

use super::glob;
use globset::GlobMatcher;

/// Where GitHub and GitLab look for the file, relative to the repository root, in the order
/// they look (the first that exists is used).
pub const LOCATIONS: &[&str] = &[
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

#[derive(Debug)]
struct Rule {
    line: usize,
    pattern: String,
    matcher: Vec<GlobMatcher>,
    owners: Vec<String>,
    section: usize,
}

#[derive(Debug)]
struct Section {
    optional: bool,
}

/// A parsed CODEOWNERS file.
#[derive(Debug)]
pub struct Codeowners {
    /// How reports name it (`.github/CODEOWNERS`).
    pub path: String,
    rules: Vec<Rule>,
    sections: Vec<Section>,
}

/// The rule that decides who owns a path in one section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    pub line: usize,
    pub pattern: String,
    pub owners: Vec<String>,
}

fn is_owner(word: &str) -> bool {
    word.starts_with('@') || word.contains('@')
}

/// The globs a CODEOWNERS pattern stands for; `None` when it does not compile.
fn matchers(pattern: &str) -> Option<Vec<GlobMatcher>> {
    let p = pattern.replace("\\#", "#").replace("\\ ", " ");
    let anchored = p.starts_with('/') || p.trim_end_matches('/').contains('/');
    let body = p.trim_start_matches('/');
    let dir_only = body.ends_with('/');
    let body = body.trim_end_matches('/');
    let base = if body.is_empty() {
        "**".to_string()
    } else if anchored {
        body.to_string()
    } else {
        format!("**/{body}")
    };
    let mut globs = vec![format!("{base}/**")];
    if !dir_only {
        globs.push(base);
    }
    globs
        .iter()
        .map(|g| {
            glob::compile(
                g,
                glob::Syntax {
                    literal_separator: true,
                    ..glob::Syntax::default()
                },
            )
            .ok()
        })
        .collect()
}

impl Codeowners {
    /// Parses the file's text. Lines that do not parse (a pattern that does not compile) are
    /// skipped: they protect nothing, which is what GitHub does with them too.
    pub fn parse(path: impl Into<String>, text: &str) -> Codeowners {
        let mut rules = Vec::new();
        let mut sections = vec![Section { optional: false }];
        let mut defaults: Vec<String> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let optional = line.starts_with("^[");
            if optional || line.starts_with('[') {
                // [Section name][N] @default owners
                let rest = line.trim_start_matches('^');
                let Some(close) = rest.find(']') else {
                    continue;
                };
                let after = rest.get(close + 1..).unwrap_or("");
                let after = match after.strip_prefix('[') {
                    Some(a) => a.split_once(']').map_or("", |(_, r)| r),
                    None => after,
                };
                defaults = after
                    .split_whitespace()
                    .filter(|w| is_owner(w))
                    .map(String::from)
                    .collect();
                sections.push(Section { optional });
                continue;
            }
            let line = match line.find(" #") {
                Some(c) => line.get(..c).unwrap_or(line),
                None => line,
            };
            let mut words = line.split_whitespace();
            let Some(pattern) = words.next() else {
                continue;
            };
            let mut owners: Vec<String> = words.filter(|w| is_owner(w)).map(String::from).collect();
            if owners.is_empty() && sections.len() > 1 {
                owners = defaults.clone();
            }
            let Some(matcher) = matchers(pattern) else {
                continue;
            };
            rules.push(Rule {
                line: i + 1,
                pattern: pattern.to_string(),
                matcher,
                owners,
                section: sections.len() - 1,
            });
        }
        Codeowners {
            path: path.into(),
            rules,
            sections,
        }
    }

    /// The rules that require a review of a change to `path` (relative to the repository root):
    /// the last match of each required section that names owners.
    pub fn owners(&self, path: &str) -> Vec<Owned> {
        let path = path.trim_start_matches("./").trim_start_matches('/');
        let mut out = Vec::new();
        for (s, section) in self.sections.iter().enumerate() {
            if section.optional {
                continue;
            }
            let last = self
                .rules
                .iter()
                .rfind(|r| r.section == s && r.matcher.iter().any(|m| m.is_match(path)));
            if let Some(r) = last.filter(|r| !r.owners.is_empty()) {
                out.push(Owned {
                    line: r.line,
                    pattern: r.pattern.clone(),
                    owners: r.owners.clone(),
                });
            }
        }
        out
    }
}

/// Whether changes to every one of `files` (paths relative to the repository root) need a
/// review by someone named `handles` (`@dana-acme`, `dana@acme.example`), and the file itself
/// needs some review (else a pull request could rewrite it). `Ok`: the proof, naming the
/// CODEOWNERS line that makes the first file (the acceptances file) need the review; `Err`: why
/// not, with the line to add.
pub fn requires_review(
    c: &Codeowners,
    files: &[String],
    handles: &[String],
    who: &str,
) -> Result<String, String> {
    let Some(first_handle) = handles.first() else {
        return Err(format!(
            "{who} has no github or gitlab handle under `people:` in ownership.yaml, so no CODEOWNERS line can name them"
        ));
    };
    let own_file = c.path.as_str();
    if c.owners(own_file).is_empty() {
        return Err(format!(
            "{own_file} names no owner for itself, so a pull request could rewrite it; add `/{own_file} <owners>`"
        ));
    }
    let mut proof = None;
    for f in files {
        let rules = c.owners(f);
        let hit = rules.iter().find(|r| {
            r.owners
                .iter()
                .any(|o| handles.iter().any(|h| o.eq_ignore_ascii_case(h)))
        });
        match hit {
            Some(r) => {
                if proof.is_none() {
                    let h = r
                        .owners
                        .iter()
                        .find(|o| handles.iter().any(|h| o.eq_ignore_ascii_case(h)))
                        .map_or(first_handle.as_str(), String::as_str);
                    proof = Some(format!("{own_file}:{} requires {h}", r.line));
                }
            }
            None => {
                let now = match rules.first() {
                    Some(r) => format!("{own_file}:{} names {}", r.line, r.owners.join(" ")),
                    None => format!("no line of {own_file} owns it"),
                };
                return Err(format!(
                    "{own_file} does not require {who}'s review of /{f} ({now}); add `/{f} {first_handle}`"
                ));
            }
        }
    }
    proof.ok_or_else(|| "nothing to review".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GITHUB: &str = "\
# the platform reviews everything by default
*                        @acme/platform
/.riskgate/              @dana-acme @sam-appsec
/.riskgate/keys/*.pub    @sam-appsec
docs/                    @acme/writers
*.md                     # no owner: anyone
/.github/CODEOWNERS      @acme/platform-leads
";

    fn owners(c: &Codeowners, path: &str) -> Vec<(usize, Vec<String>)> {
        c.owners(path)
            .into_iter()
            .map(|o| (o.line, o.owners))
            .collect()
    }

    #[test]
    fn github_last_match_wins() {
        let c = Codeowners::parse(".github/CODEOWNERS", GITHUB);
        assert_eq!(
            owners(&c, ".riskgate/acceptances.yaml"),
            vec![(3, vec!["@dana-acme".into(), "@sam-appsec".into()])]
        );
        assert_eq!(
            owners(&c, ".riskgate/keys/vex.pub"),
            vec![(4, vec!["@sam-appsec".into()])]
        );
        assert_eq!(
            owners(&c, "src/main.rs"),
            vec![(2, vec!["@acme/platform".into()])]
        );
        // a later line without owners un-owns
        assert_eq!(owners(&c, "README.md"), vec![]);
        // unanchored directory pattern: at any depth
        assert_eq!(
            owners(&c, "a/docs/x.txt"),
            vec![(5, vec!["@acme/writers".into()])]
        );
        // `*` does not cross `/` in an anchored pattern
        assert_eq!(
            owners(&c, ".riskgate/keys/old/x.pub"),
            vec![(3, vec!["@dana-acme".into(), "@sam-appsec".into()])]
        );
    }

    #[test]
    fn review_proofs_name_the_line_or_the_line_to_add() {
        let c = Codeowners::parse(".github/CODEOWNERS", GITHUB);
        let files = [
            ".riskgate/acceptances.yaml".to_string(),
            ".riskgate/guardrails.yaml".to_string(),
        ];
        let dana = ["@dana-acme".to_string(), "dana@acme.example".to_string()];
        assert_eq!(
            requires_review(&c, &files, &dana, "dana@acme.example"),
            Ok(".github/CODEOWNERS:3 requires @dana-acme".into())
        );
        let keys = [
            ".riskgate/acceptances.yaml".to_string(),
            ".riskgate/keys/vex.pub".to_string(),
        ];
        let e = requires_review(&c, &keys, &dana, "dana@acme.example").unwrap_err();
        assert!(e.contains("does not require dana@acme.example's review of /.riskgate/keys/vex.pub (.github/CODEOWNERS:4 names @sam-appsec); add `/.riskgate/keys/vex.pub @dana-acme`"), "{e}");
        let e = requires_review(&c, &files, &[], "erin@acme.example").unwrap_err();
        assert!(e.contains("no github or gitlab handle"), "{e}");
        let open = Codeowners::parse("CODEOWNERS", "/.riskgate/ @dana-acme\n");
        let e = requires_review(&open, &files, &dana, "dana").unwrap_err();
        assert!(e.contains("names no owner for itself"), "{e}");
    }

    #[test]
    fn gitlab_sections() {
        let c = Codeowners::parse(
            "CODEOWNERS",
            "\
.riskgate/ @dana
[Security][2] @sam
.riskgate/acceptances.yaml
^[Docs] @writers
.riskgate/ @writers
",
        );
        assert_eq!(
            owners(&c, ".riskgate/acceptances.yaml"),
            vec![(1, vec!["@dana".into()]), (3, vec!["@sam".into()])],
            "each required section adds its owners; optional sections none"
        );
        assert_eq!(
            owners(&c, ".riskgate/ownership.yaml"),
            vec![(1, vec!["@dana".into()])]
        );
    }
}
