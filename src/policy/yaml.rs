//! Loading the YAML files people write, with source positions for every value.
//!
//! One YAML parser: serde-saphyr does the typed parse (and reports unknown keys and wrong types
//! with a position), and a first pass over the events of the parser it is built on
//! (granit-parser, which it re-exports, so the two cannot disagree on what the text says)
//! records where each value sits, keyed by its path (`products.payments-api.team`), so checks
//! that run after parsing (an unknown team, a product override that loosens a guardrail) can
//! point at the line too.
//!
//! Refused before any typed parse: aliases (no config needs them, and they are how alias bombs
//! work), merge keys, tags, duplicate keys (at both lines), nesting deeper than [`MAX_DEPTH`],
//! several documents in one file, and non-UTF-8 text. The typed parse refuses them again under
//! its own budget (serde-saphyr's `Options`), so neither pass alone is trusted with them.

// A Problem carries its file's text for the diagnostic; it is built once, on the cold path of a
// bad file, so its size on the error side of a Result costs nothing that matters.
#![allow(clippy::result_large_err)]

use super::glob::{Globs, IdGlob};
use crate::model::code::Code;
use crate::model::date::{Date, DateText};
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::de::DeserializeOwned;
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, ScanError, Span};
use serde_saphyr::MessageFormatter;
use std::collections::HashMap;
use thiserror::Error;

/// Deepest nesting accepted; the files riskgate reads need about six levels.
pub const MAX_DEPTH: usize = 32;

/// One problem in a file the user wrote, pointed at by line and column. An error or a warning
/// (`severity`), which is why `Diagnostic` is written out rather than derived: the derive only
/// knows a severity fixed per type.
#[derive(Debug, Error, Clone)]
#[error("{}", self.located())]
pub struct Problem {
    /// What kind of problem it is (`riskgate::policy::duplicate_key`): what scripts match on.
    pub code: Code,
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    src: NamedSource<String>,
    span: SourceSpan,
    label: String,
    pub help: Option<String>,
    pub severity: miette::Severity,
}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        (self.line > 0).then_some(&self.src as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        (self.line > 0).then(|| {
            Box::new(std::iter::once(miette::LabeledSpan::new_with_span(
                Some(self.label.clone()),
                self.span,
            ))) as Box<dyn Iterator<Item = miette::LabeledSpan>>
        })
    }
}

/// The problems that warn rather than fail (unless `--strict`): ownership that needs review,
/// an acceptance that covers its finding anywhere, one that expired or soon will.
pub fn is_warning(code: Code) -> bool {
    matches!(
        code,
        Code::PolicyOwnership | Code::AcceptanceBroad | Code::AcceptanceExpiry
    )
}

/// Every problem found in one run of `validate` or in loading the policy.
#[derive(Debug, Error, Diagnostic)]
#[error("{}", summary(.problems))]
#[diagnostic(code(riskgate::policy::invalid))]
pub struct Problems {
    #[related]
    pub problems: Vec<Problem>,
}

fn summary(problems: &[Problem]) -> String {
    let errors = problems
        .iter()
        .filter(|p| p.severity == miette::Severity::Error)
        .count();
    let mut files: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    files.sort();
    files.dedup();
    format!("{errors} error(s) in {}", files.join(", "))
}

impl Problems {
    pub fn has_errors(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.severity == miette::Severity::Error)
    }
}

/// A loaded YAML file: its text and where each value is.
#[derive(Debug, Clone)]
pub struct YamlFile {
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
    spans: HashMap<String, (usize, usize, usize)>, // path → (line, col, byte length)
    /// (line, 0-based col) of each value and key → its path as people read it
    /// (`acceptances[1].risk`; for a key, the mapping it is in): what a parse error names.
    shown: HashMap<(usize, usize), String>,
}

/// The key of a value in [`YamlFile`]'s index: path segments joined with `.`.
pub fn key(parts: &[&str]) -> String {
    parts.join(".")
}

enum Frame {
    Map {
        path: String,
        shown: String,
        key: Option<String>,
        /// The keys seen so far, with their 1-based line and column: a key twice is an error.
        seen: HashMap<String, (usize, usize)>,
    },
    Seq {
        path: String,
        shown: String,
        next: usize,
    },
}

impl YamlFile {
    pub fn parse<T: DeserializeOwned>(
        path: String,
        text: String,
    ) -> Result<(T, YamlFile), Problem> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut file = YamlFile {
            path,
            text,
            line_starts,
            spans: HashMap::new(),
            shown: HashMap::new(),
        };
        file.index()?;
        if file.text.trim().is_empty() {
            return Err(file.problem_at(
                Code::PolicySyntax,
                1,
                0,
                0,
                "is empty".into(),
                "expected a YAML mapping with `version: 1`".into(),
            ));
        }
        let value: T = serde_saphyr::from_str_with_options(&file.text, options(file.text.len()))
            .map_err(|e| {
                // serde-saphyr's line and column are 1-based; problem_at takes a 0-based column.
                let (line, col) = e
                    .location()
                    .map(|l| (l.line() as usize, (l.column() as usize).saturating_sub(1)))
                    .filter(|(l, _)| *l > 0)
                    .unwrap_or((1, 0));
                let msg = message(e.without_snippet());
                let msg = match file.shown.get(&(line, col)) {
                    Some(at) if !at.is_empty() => format!("{at}: {msg}"),
                    _ => msg,
                };
                file.problem_at(Code::PolicySchema, line, col, 1, msg, "here".into())
            })?;
        Ok((value, file))
    }

    /// Records where each value sits, keyed by its path, and how each position's path reads;
    /// refuses aliases, merge keys, tags, duplicate keys, deep nesting, several documents.
    fn index(&mut self) -> Result<(), Problem> {
        let mut spans = HashMap::new();
        let mut shown_at = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut documents = 0;
        for ev in Parser::new_from_str(&self.text) {
            let (ev, span) = ev.map_err(|e: ScanError| {
                let m = e.marker();
                self.problem_at(
                    Code::PolicySyntax,
                    m.line(),
                    m.col(),
                    1,
                    format!("YAML syntax error: {}", e.info()),
                    "here".into(),
                )
            })?;
            let at = |s: &Span| {
                (
                    s.start.line(),
                    s.start.col(),
                    s.end.index().saturating_sub(s.start.index()),
                )
            };
            match ev {
                Event::DocumentStart(..) => {
                    documents += 1;
                    if documents > 1 {
                        let (l, c, _) = at(&span);
                        return Err(self.problem_at(
                            Code::PolicyYamlFeature,
                            l,
                            c,
                            3,
                            "several YAML documents in one file".into(),
                            "second document".into(),
                        ));
                    }
                }
                Event::Alias(_) => {
                    let (l, c, n) = at(&span);
                    return Err(self.problem_at(
                        Code::PolicyYamlFeature,
                        l,
                        c,
                        n.max(1),
                        "YAML aliases are not allowed in riskgate files".into(),
                        "alias".into(),
                    ));
                }
                Event::Scalar(_, _, _, Some(_))
                | Event::MappingStart(_, _, Some(_))
                | Event::SequenceStart(_, _, Some(_)) => {
                    let (l, c, n) = at(&span);
                    return Err(self.problem_at(
                        Code::PolicyYamlFeature,
                        l,
                        c,
                        n.max(1),
                        "YAML tags are not allowed in riskgate files".into(),
                        "tag".into(),
                    ));
                }
                Event::Scalar(value, style, ..) => {
                    let pos = at(&span);
                    let is_key = matches!(stack.last(), Some(Frame::Map { key: None, .. }));
                    if is_key && style == ScalarStyle::Plain && value == "<<" {
                        return Err(self.problem_at(
                            Code::PolicyYamlFeature,
                            pos.0,
                            pos.1,
                            2,
                            "YAML merge keys (`<<`) are not allowed in riskgate files".into(),
                            "merge key".into(),
                        ));
                    }
                    match stack.last_mut() {
                        Some(Frame::Map {
                            key,
                            seen,
                            path,
                            shown,
                        }) if key.is_none() => {
                            shown_at.insert((pos.0, pos.1), shown.clone());
                            // Last-wins would let a second `critical:` level, product override
                            // or team silently replace the first: refused, naming both lines.
                            if let Some((l, c)) = seen.get(value.as_ref()) {
                                let where_ = if path.is_empty() {
                                    "the top level".to_string()
                                } else {
                                    format!("`{path}`")
                                };
                                return Err(self.problem_at(Code::PolicyDuplicateKey,
                                    pos.0,
                                    pos.1,
                                    pos.2.max(1),
                                    format!(
                                        "duplicate key `{value}` in {where_}: it is also at line {l}, column {}; YAML would keep only the last one",
                                        c + 1
                                    ),
                                    format!("second `{value}` (the first is at line {l})"),
                                ));
                            }
                            seen.insert(value.to_string(), (pos.0, pos.1));
                            *key = Some(value.to_string());
                        }
                        _ => {
                            let (p, shown) = Self::value_path(&mut stack);
                            shown_at.insert((pos.0, pos.1), shown);
                            spans.insert(p, pos);
                        }
                    }
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    if stack.len() >= MAX_DEPTH {
                        let (l, c, _) = at(&span);
                        return Err(self.problem_at(
                            Code::PolicyYamlFeature,
                            l,
                            c,
                            1,
                            format!("nested deeper than {MAX_DEPTH} levels"),
                            "too deep".into(),
                        ));
                    }
                    let (p, shown) = Self::value_path(&mut stack);
                    let pos = at(&span);
                    shown_at.insert((pos.0, pos.1), shown.clone());
                    spans.insert(p.clone(), pos);
                    stack.push(if matches!(ev, Event::MappingStart(..)) {
                        Frame::Map {
                            path: p,
                            shown,
                            key: None,
                            seen: HashMap::new(),
                        }
                    } else {
                        Frame::Seq {
                            path: p,
                            shown,
                            next: 0,
                        }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                _ => {}
            }
        }
        self.spans = spans;
        self.shown = shown_at;
        Ok(())
    }

    /// The path of the value about to be read, advancing the enclosing frame: as the index keys
    /// it (`a.1.b`) and as people read it (`a[1].b`).
    fn value_path(stack: &mut [Frame]) -> (String, String) {
        match stack.last_mut() {
            None => (String::new(), String::new()),
            Some(Frame::Map {
                path, shown, key, ..
            }) => {
                let k = key.take().unwrap_or_default();
                (join(path, &k), join(shown, &k))
            }
            Some(Frame::Seq { path, shown, next }) => {
                *next += 1;
                let i = *next - 1;
                (join(path, &i.to_string()), format!("{shown}[{i}]"))
            }
        }
    }

    /// A problem at the value with this path, or at its nearest indexed ancestor. An error, or a
    /// warning for the codes that are warnings ([`is_warning`]).
    pub fn problem(
        &self,
        code: Code,
        path: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Problem {
        let mut p = path.to_string();
        let (line, col, len) = loop {
            if let Some(s) = self.spans.get(&p) {
                break *s;
            }
            match p.rfind('.') {
                Some(i) => p.truncate(i),
                None => break (1, 0, 0),
            }
        };
        let mut problem = self.problem_at(code, line, col, len, message.into(), "here".into());
        problem.help = help;
        if is_warning(code) {
            problem.severity = miette::Severity::Warning;
        }
        problem
    }

    /// `version: 1` is the only version this riskgate reads.
    pub fn check_version(&self, out: &mut Vec<Problem>, version: u32) {
        if version != 1 {
            out.push(self.problem(
                Code::PolicySchema,
                "version",
                format!("unsupported version {version}"),
                Some("this riskgate reads `version: 1`".into()),
            ));
        }
    }

    /// The date a `YYYY-MM-DD` value names, recording a problem at `path` when it names none.
    pub fn check_date(&self, out: &mut Vec<Problem>, path: &str, d: &DateText) -> Option<Date> {
        if d.date().is_none() {
            out.push(self.problem(
                Code::PolicyDate,
                path,
                format!("`{d}` is not a date"),
                Some("expected YYYY-MM-DD".into()),
            ));
        }
        d.date()
    }

    /// Records a problem at `{base}.{i}` for each pattern that did not compile.
    pub fn check_globs(&self, out: &mut Vec<Problem>, base: &str, globs: &Globs) {
        for (i, e) in globs.errors() {
            out.push(self.problem(Code::PolicyPattern, &format!("{base}.{i}"), e.clone(), None));
        }
    }

    /// Records a problem at `path` when the id pattern did not compile.
    pub fn check_glob(&self, out: &mut Vec<Problem>, path: &str, glob: &IdGlob) {
        if let Some(e) = glob.error() {
            out.push(self.problem(Code::PolicyPattern, path, e.to_string(), None));
        }
    }

    /// The 1-based line of a value, for reports that cite `file:line`.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        self.spans.get(path).map(|s| s.0)
    }

    fn problem_at(
        &self,
        code: Code,
        line: usize,
        col: usize,
        len: usize,
        message: String,
        label: String,
    ) -> Problem {
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let offset = self.text[start..]
            .char_indices()
            .nth(col)
            .map(|(i, _)| start + i)
            .unwrap_or(self.text.len());
        let end = self.text[offset..]
            .char_indices()
            .nth(len)
            .map(|(i, _)| offset + i)
            .unwrap_or(self.text.len());
        Problem {
            code,
            path: self.path.clone(),
            line,
            col: col + 1,
            message,
            src: NamedSource::new(&self.path, self.text.clone()),
            span: SourceSpan::from((offset, end - offset)),
            label,
            help: None,
            severity: miette::Severity::Error,
        }
    }
}

impl Problem {
    /// A problem with no position (the file could not be read at all).
    /// `file:line:col: message`, or `file: message` for a problem with no position (a file
    /// that cannot be read).
    fn located(&self) -> String {
        if self.line == 0 {
            format!("{}: {}", self.path, self.message)
        } else {
            format!("{}:{}:{}: {}", self.path, self.line, self.col, self.message)
        }
    }

    pub fn bare(path: &str, message: String) -> Problem {
        Problem {
            code: Code::InputUnreadable,
            path: path.to_string(),
            line: 0,
            col: 0,
            message,
            src: NamedSource::new(path, String::new()),
            span: SourceSpan::from((0, 0)),
            label: String::new(),
            help: None,
            severity: miette::Severity::Error,
        }
    }
}

/// A parse error in serde's own words (`unknown field `x`, expected `a` or `b``), which name
/// what was expected as serde_yaml did; other errors as serde-saphyr words them.
fn message(e: &serde_saphyr::Error) -> String {
    fn one_of(expected: &[&str]) -> String {
        let q: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
        match q.as_slice() {
            [] => "nothing".into(),
            [a] => a.clone(),
            [a, b] => format!("{a} or {b}"),
            _ => format!("one of {}", q.join(", ")),
        }
    }
    match e {
        serde_saphyr::Error::SerdeUnknownField {
            field, expected, ..
        } => format!("unknown field `{field}`, expected {}", one_of(expected)),
        serde_saphyr::Error::SerdeUnknownVariant {
            variant, expected, ..
        } => format!("unknown variant `{variant}`, expected {}", one_of(expected)),
        _ => serde_saphyr::DefaultMessageFormatter
            .format_message(e)
            .into_owned(),
    }
}

/// The typed parse's own limits: the same refusals as the event pass, enforced again. Aliases
/// are refused, so nothing expands: a file has at most about as many nodes and events as bytes,
/// and those budgets grow with the text (within the size cap on every input) rather than refuse
/// a long, plain file (20,000 acceptances are some 240,000 nodes; serde-saphyr's default stops
/// at 250,000).
fn options(text_len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budget.max_nodes.max(text_len);
    budget.max_events = budget.max_events.max(text_len.saturating_mul(2));
    budget.max_depth = MAX_DEPTH;
    budget.max_documents = 1;
    budget.max_aliases = 0;
    budget.max_anchors = 0;
    budget.max_merge_keys = 0;
    let mut o = serde_saphyr::Options::default();
    o.budget = Some(budget);
    o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    o.merge_keys = serde_saphyr::MergeKeyPolicy::Error;
    // YAML 1.2 booleans only (`yes` and `on` are strings), as the YAML 1.2 parser before it.
    o.strict_booleans = true;
    o
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A YAML scalar: plain when that reads back as the same string, else double-quoted (JSON
/// string syntax is valid YAML).
pub fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@._/+-".contains(&b))
        && s.as_bytes()[0].is_ascii_alphabetic()
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        version: u32,
        teams: std::collections::BTreeMap<String, Team>,
    }
    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Team {
        members: Vec<String>,
    }

    fn parse(text: &str) -> Result<(Doc, YamlFile), Problem> {
        YamlFile::parse("o.yaml".into(), text.into())
    }

    #[test]
    fn values_are_located_by_path() {
        let (_, f) = parse("version: 1\nteams:\n  dev:\n    members: [a@x, b@x]\n").unwrap();
        let p = f.problem(
            Code::PolicyName,
            "teams.dev.members.1",
            "unknown person `b@x`",
            None,
        );
        assert_eq!((p.line, p.col), (4, 20));
        assert_eq!(f.line_of("teams.dev"), Some(4));
        let p = f.problem(Code::PolicyName, "teams.dev.nothing.here", "x", None);
        assert_eq!(p.line, 4, "falls back to the nearest ancestor");
    }

    #[test]
    fn unknown_keys_and_wrong_types_point_at_the_line() {
        let e = parse("version: 1\nteams:\n  dev:\n    membres: [a]\n").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(
            e.message
                .contains("teams.dev: unknown field `membres`, expected `members`"),
            "{}",
            e.message
        );
        let e = parse("version: one\nteams: {}\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("invalid u32"), "{}", e.message);
        assert_eq!((e.line, e.col), (1, 10), "the column of the value, 1-based");
        let e = parse("version: 1\nteams: !!map {}\n").unwrap_err();
        assert!(e.message.contains("tags are not allowed"), "{}", e.message);
        let e = parse("version: 1\n<<: {teams: {}}\n").unwrap_err();
        assert!(e.message.contains("merge keys"), "{}", e.message);
        assert_eq!((e.line, e.col), (2, 1));
        // `yes` is a string in YAML 1.2, not a boolean
        let (d, _) = parse("version: 1\nteams:\n  dev:\n    members: [yes, 'no']\n").unwrap();
        assert_eq!(d.teams["dev"].members, ["yes", "no"]);
    }

    #[test]
    fn duplicate_keys_are_refused_at_both_lines() {
        let text = "version: 1\nlevels:\n  critical: { gate: block }\n  high: { gate: accept }\n  critical: { gate: pass }\n";
        let e = YamlFile::parse::<serde_json::Value>("g.yaml".into(), text.into()).unwrap_err();
        assert_eq!((e.line, e.col), (5, 3));
        assert!(
            e.message
                .contains("duplicate key `critical` in `levels`: it is also at line 3, column 3"),
            "{}",
            e.message
        );
        // the same key in two different mappings is fine
        let ok = "a: { x: 1 }\nb: { x: 2 }\n";
        assert!(YamlFile::parse::<serde_json::Value>("o.yaml".into(), ok.into()).is_ok());
        let top = "version: 1\nversion: 2\n";
        let e = YamlFile::parse::<serde_json::Value>("t.yaml".into(), top.into()).unwrap_err();
        assert!(e.message.contains("in the top level"), "{}", e.message);
    }

    #[test]
    fn alias_bombs_deep_nesting_and_several_documents_are_refused_quickly() {
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n";
        let e = parse(bomb).unwrap_err();
        assert!(
            e.message.contains("aliases are not allowed"),
            "{}",
            e.message
        );
        assert_eq!(e.line, 2);
        let deep = format!(
            "version: 1\nteams: {}{}\n",
            "[".repeat(100),
            "]".repeat(100)
        );
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nested deeper than 32"), "{}", e.message);
        let e = parse("version: 1\nteams: {}\n---\nversion: 1\n").unwrap_err();
        assert!(
            e.message.contains("several YAML documents"),
            "{}",
            e.message
        );
        let e = parse("version: 1\nteams: {a: [}\n").unwrap_err();
        assert!(e.message.contains("YAML syntax error"), "{}", e.message);
        let e = parse("").unwrap_err();
        assert!(e.message.contains("empty"));
    }
}
