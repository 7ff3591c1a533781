//! Errors about input files, as diagnostics that name the file, the position and what was
//! expected. Large files are not embedded in the diagnostic; the position is in the message.

use super::{understood, Source};
use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// Files above this size are not attached to diagnostics as source code.
const MAX_SNIPPET_SOURCE: usize = 1 << 20;

#[derive(Debug, Error, Diagnostic)]
pub enum InputError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(riskgate::input::unreadable))]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{path} is a directory, not a report file")]
    #[diagnostic(
        code(riskgate::input::directory),
        help("pass each report file with its own --report")
    )]
    Directory { path: String },

    #[error("{path} is empty")]
    #[diagnostic(
        code(riskgate::input::empty),
        help("a scanner that failed can leave an empty file behind; an empty report is not a clean scan. Re-run the scanner.")
    )]
    Empty { path: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(Box<SyntaxError>),

    #[error("{path}: unrecognised input format")]
    #[diagnostic(code(riskgate::input::unknown_format))]
    Unknown {
        path: String,
        #[help]
        help: String,
    },

    #[error("{path}: this is {what}, which riskgate does not read")]
    #[diagnostic(code(riskgate::input::unsupported_tool))]
    Foreign {
        path: String,
        what: &'static str,
        #[help]
        help: String,
    },

    #[error("{path}: {message}")]
    #[diagnostic(code(riskgate::input::invalid))]
    Invalid {
        path: String,
        message: String,
        #[help]
        help: Option<String>,
    },
}

/// Malformed, truncated or wrongly shaped JSON, pointed at by line and column.
#[derive(Debug, Error, Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(code(riskgate::input::syntax))]
pub struct SyntaxError {
    pub path: String,
    pub message: String,
    #[source_code]
    src: Option<NamedSource<String>>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

impl InputError {
    pub fn io(path: &str, source: std::io::Error) -> InputError {
        InputError::Io {
            path: path.to_string(),
            source,
        }
    }

    /// A file that could not be read within bounds ([`super::source::read_file`]).
    pub fn read(path: &str, e: super::source::ReadError) -> InputError {
        use super::source::ReadError;
        match e {
            ReadError::Io(source) => InputError::io(path, source),
            ReadError::Directory => InputError::Directory {
                path: path.to_string(),
            },
            other => InputError::invalid(path, other.to_string()),
        }
    }

    pub fn invalid(path: &str, message: impl Into<String>) -> InputError {
        InputError::Invalid {
            path: path.to_string(),
            message: message.into(),
            help: None,
        }
    }

    /// Converts a serde_json error into a diagnostic pointing at the line and column.
    pub fn json(src: &Source, format: &str, e: &serde_json::Error) -> InputError {
        Self::json_at(src, format, e, e.line(), e.column())
    }

    /// [`InputError::json`] for an error in a part of the file parsed on its own (`part`, a
    /// slice of the file's bytes): the position is moved to where the part sits in the file.
    pub fn json_in(src: &Source, part: &str, format: &str, e: &serde_json::Error) -> InputError {
        let text = src.json();
        let base = (part.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        if base > text.len() || e.line() == 0 {
            return Self::json(src, format, e);
        }
        let within = offset_of(part.as_bytes(), e.line(), e.column());
        let at = (base + within).min(text.len());
        let before = text.get(..at).unwrap_or_default();
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let col = at
            - before
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        Self::json_at(src, format, e, line, col)
    }

    fn json_at(
        src: &Source,
        format: &str,
        e: &serde_json::Error,
        line: usize,
        col: usize,
    ) -> InputError {
        use serde_json::error::Category;
        let inner = e.to_string();
        // serde_json appends " at line L column C"; keep our own wording of the position.
        let what = inner
            .rsplit_once(" at line ")
            .map(|(w, _)| w.to_string())
            .unwrap_or(inner);
        let (message, label, help) = match e.classify() {
            Category::Eof => (
                format!("truncated {format}: the file ends early ({what}) at line {line} column {col}"),
                "file ends here".to_string(),
                Some("the file was cut short; was the scanner interrupted or the artifact upload incomplete?".into()),
            ),
            Category::Syntax => (
                format!("malformed {format}: {what} at line {line} column {col}"),
                "here".to_string(),
                Some(format!("riskgate understands: {}", understood())),
            ),
            Category::Data => (
                format!("{format} report does not have the expected shape: {what} at line {line} column {col}"),
                "unexpected value".to_string(),
                None,
            ),
            Category::Io => (format!("cannot read {format}: {what}"), String::new(), None),
        };
        let text = src.json();
        let (src_code, span) = if text.len() <= MAX_SNIPPET_SOURCE && line > 0 {
            let offset = offset_of(text, line, col);
            (
                Some(NamedSource::new(
                    &src.path,
                    String::from_utf8_lossy(text).into_owned(),
                )),
                Some(SourceSpan::from((offset, 0))),
            )
        } else {
            (None, None)
        };
        InputError::Syntax(Box::new(SyntaxError {
            path: src.path.clone(),
            message,
            src: src_code,
            span,
            label,
            help,
        }))
    }
}

/// Byte offset of a 1-based line and column (serde_json columns count bytes).
fn offset_of(text: &[u8], line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text
            .get(start..)
            .and_then(|t| t.iter().position(|&b| b == b'\n'))
        {
            Some(p) => start += p + 1,
            None => return text.len(),
        }
    }
    (start + col.saturating_sub(1)).min(text.len())
}
