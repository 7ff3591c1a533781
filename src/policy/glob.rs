//! Glob patterns of the policy files, compiled once, when the file is read: the one place
//! riskgate turns a pattern into a matcher. A pattern that does not compile is kept with its
//! error, so validation reports every bad one in the file (with its position) and matching never
//! sees it; the decision core only ever matches.

use globset::{GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;

/// How a pattern is compiled.
#[derive(Debug, Clone, Copy, Default)]
pub struct Syntax {
    /// `CVE-*` matches `cve-2024-1`: ids compare case-insensitively everywhere.
    pub case_insensitive: bool,
    /// `*` stops at `/` (CODEOWNERS); otherwise it matches across directories.
    pub literal_separator: bool,
}

/// Compiles one pattern, or says why it is not one (`bad glob `[`: unclosed character class`).
pub fn compile(pattern: &str, syntax: Syntax) -> Result<GlobMatcher, String> {
    builder(pattern, syntax).map(|g| g.compile_matcher())
}

fn builder(pattern: &str, syntax: Syntax) -> Result<globset::Glob, String> {
    GlobBuilder::new(pattern)
        .case_insensitive(syntax.case_insensitive)
        .literal_separator(syntax.literal_separator)
        .build()
        .map_err(|e| format!("bad glob `{pattern}`: {}", e.kind()))
}

/// A list of patterns (`paths:`, `images:`, `allowed_registries:`), compiled into one set.
#[derive(Clone, Default)]
pub struct Globs {
    texts: Vec<String>,
    set: GlobSet,
    /// By position in `texts`: the patterns that did not compile, and why.
    errors: Vec<(usize, String)>,
}

impl Globs {
    pub fn new(texts: Vec<String>) -> Globs {
        let mut b = GlobSetBuilder::new();
        let mut errors = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            match builder(t, Syntax::default()) {
                Ok(g) => {
                    b.add(g);
                }
                Err(e) => errors.push((i, e)),
            }
        }
        let set = b.build().unwrap_or_else(|e| {
            errors.push((0, format!("the patterns do not compile together: {e}")));
            GlobSet::empty()
        });
        Globs { texts, set, errors }
    }

    /// Whether any pattern matches.
    pub fn is_match(&self, s: &str) -> bool {
        self.set.is_match(s)
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The patterns that did not compile: (index, why).
    pub fn errors(&self) -> &[(usize, String)] {
        &self.errors
    }
}

/// The patterns as written.
impl std::ops::Deref for Globs {
    type Target = [String];
    fn deref(&self) -> &[String] {
        &self.texts
    }
}

impl From<Vec<String>> for Globs {
    fn from(v: Vec<String>) -> Globs {
        Globs::new(v)
    }
}

impl PartialEq for Globs {
    fn eq(&self, other: &Globs) -> bool {
        self.texts == other.texts
    }
}

impl std::fmt::Debug for Globs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.texts.fmt(f)
    }
}

impl<'de> Deserialize<'de> for Globs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Globs, D::Error> {
        Vec::<String>::deserialize(d).map(Globs::new)
    }
}

impl Serialize for Globs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.texts.serialize(s)
    }
}

impl schemars::JsonSchema for Globs {
    fn schema_name() -> Cow<'static, str> {
        "Globs".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Vec<String>>::json_schema(g)
    }
}

/// One id pattern (`when.id: CVE-2024-*`), matched case-insensitively.
#[derive(Clone)]
pub struct IdGlob {
    text: String,
    matcher: Result<GlobMatcher, String>,
}

impl IdGlob {
    pub fn new(text: String) -> IdGlob {
        let matcher = compile(
            &text,
            Syntax {
                case_insensitive: true,
                ..Syntax::default()
            },
        );
        IdGlob { text, matcher }
    }

    /// Whether the pattern matches `id` (a pattern that did not compile matches nothing;
    /// validation refuses it).
    pub fn is_match(&self, id: &str) -> bool {
        self.matcher.as_ref().is_ok_and(|m| m.is_match(id))
    }

    pub fn error(&self) -> Option<&str> {
        self.matcher.as_ref().err().map(String::as_str)
    }
}

impl std::fmt::Display for IdGlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::fmt::Debug for IdGlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text.fmt(f)
    }
}

impl<'de> Deserialize<'de> for IdGlob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IdGlob, D::Error> {
        String::deserialize(d).map(IdGlob::new)
    }
}

impl schemars::JsonSchema for IdGlob {
    fn schema_name() -> Cow<'static, str> {
        "IdGlob".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_every_bad_pattern_and_match_with_the_good_ones() {
        let g = Globs::new(vec![
            "src/**".into(),
            "[".into(),
            "lib/*.rs".into(),
            "{".into(),
        ]);
        assert!(g.is_match("src/a/b.rs") && g.is_match("lib/x.rs") && !g.is_match("x"));
        let bad: Vec<usize> = g.errors().iter().map(|(i, _)| *i).collect();
        assert_eq!(bad, [1, 3]);
        assert!(
            g.errors()[0].1.starts_with("bad glob `[`"),
            "{:?}",
            g.errors()
        );
        assert!(!Globs::default().is_match(""));
    }

    #[test]
    fn ids_match_case_insensitively_and_separators_are_literal_only_when_asked() {
        assert!(IdGlob::new("CVE-2024-*".into()).is_match("cve-2024-1"));
        assert!(!IdGlob::new("[".into()).is_match("["));
        let star = |sep| {
            compile(
                "docs/*",
                Syntax {
                    literal_separator: sep,
                    ..Syntax::default()
                },
            )
            .unwrap()
            .is_match("docs/a/b")
        };
        assert!(star(false) && !star(true));
    }
}
