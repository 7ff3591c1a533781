//! The `findings --format table` view: aligned columns, most severe first.

use crate::model::finding::Finding;
use std::io::{self, Write};

const MAX_COL: usize = 48;

fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_COL) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

pub fn render(w: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    let header = [
        "SEVERITY", "ID", "KIND", "PACKAGE", "VERSION", "FIXED", "LOCATION", "TOOLS",
    ];
    let rows: Vec<[String; 8]> = findings
        .iter()
        .map(|f| {
            let pkg = f.package.as_ref();
            let loc = match (&f.location.path, f.location.line) {
                (Some(p), Some(l)) => format!("{p}:{l}"),
                (Some(p), None) => p.to_string(),
                (None, _) => f.target.as_deref().unwrap_or_default().to_string(),
            };
            [
                f.severity.to_string(),
                f.id.to_string(),
                f.kind.as_str().to_string(),
                pkg.map(|p| p.name.to_string()).unwrap_or_default(),
                pkg.and_then(|p| p.version.as_deref())
                    .unwrap_or_default()
                    .to_string(),
                f.fixed_version.as_deref().unwrap_or_default().to_string(),
                loc,
                f.tools.join(","),
            ]
            .map(|c| clip(&c))
        })
        .collect();
    let rows: Vec<Vec<String>> = rows.into_iter().map(Vec::from).collect();
    columns(w, &header, &rows)?;
    let mut counts = [0usize; 6];
    for f in findings {
        counts[f.severity as usize] += 1;
    }
    writeln!(
        w,
        "\n{} findings: {} critical, {} high, {} medium, {} low, {} none, {} unknown",
        findings.len(),
        counts[5],
        counts[4],
        counts[3],
        counts[2],
        counts[1],
        counts[0]
    )
}

/// Rows under a header, in columns aligned to their widest cell (trailing spaces trimmed).
pub fn columns(w: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |w: &mut dyn Write, cells: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
        let mut out = String::new();
        for (c, width) in cells.zip(&widths) {
            out.push_str(c);
            out.push_str(&" ".repeat(width.saturating_sub(c.chars().count()) + 2));
        }
        writeln!(w, "{}", out.trim_end())
    };
    line(w, &mut header.iter().copied())?;
    for r in rows {
        line(w, &mut r.iter().map(String::as_str))?;
    }
    Ok(())
}
