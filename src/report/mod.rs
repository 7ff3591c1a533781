//! Rendering: one module per output format, each a function from a computed value to a writer.
//! Renderers never decide anything: the verdict is computed once, in `decide`.

pub mod table;

use crate::finding::Finding;
use serde::Serialize;
use std::io::{self, Write};

/// `findings --format json`: `{"findings": [...]}` in the deterministic order of [`crate::finding::dedup`].
pub fn findings_json(w: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    #[derive(Serialize)]
    struct Out<'a> {
        findings: &'a [Finding],
    }
    serde_json::to_writer_pretty(&mut *w, &Out { findings })?;
    writeln!(w)
}
