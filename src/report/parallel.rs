//! Writing a report's entries rendered on several threads, in order, in bounded memory.
//!
//! Rendering the entries of a large report (escaping, formatting, the reasons and commands each
//! finding carries) is most of what a gate run does once the decision is made, and each entry is
//! rendered from the decision alone. So the entries are split into chunks, the chunks rendered
//! on up to [`crate::model::threads`] threads (chunk `i` by thread `i % n`) and written in their order as
//! they come: the bytes are the same as rendering them one after the other, and no more than
//! two chunks per thread are held at once, however many findings there are.

use serde_json::ser::Formatter;
use std::io::{self, Write};
use std::sync::mpsc;

/// Entries per chunk: large enough that handing a chunk over costs nothing next to rendering
/// it, small enough that the chunks in flight stay a few megabytes.
const CHUNK: usize = 256;

/// Appends the bytes of item number `i` to the buffer.
pub type Render<'r, T> = dyn Fn(usize, &T, &mut Vec<u8>) -> io::Result<()> + Sync + 'r;

/// Writes `render(i, item)` of every item to `out`, in order. `render` appends the bytes of
/// item `i` to the buffer it is given. Below two chunks, or on one core, no thread is started.
pub fn write_rendered<T: Sync>(
    out: &mut dyn Write,
    items: &[T],
    render: &Render<'_, T>,
) -> io::Result<()> {
    let chunks = items.len().div_ceil(CHUNK);
    let threads = crate::model::threads().min(chunks);
    let chunk = |c: usize| -> io::Result<Vec<u8>> {
        let start = c * CHUNK;
        let mut buf = Vec::new();
        for (i, item) in items.iter().enumerate().skip(start).take(CHUNK) {
            render(i, item, &mut buf)?;
        }
        Ok(buf)
    };
    if threads < 2 {
        for c in 0..chunks {
            out.write_all(&chunk(c)?)?;
        }
        return Ok(());
    }
    std::thread::scope(|scope| {
        let mut rendered = Vec::with_capacity(threads);
        for t in 0..threads {
            // two chunks ahead per thread: one being written, one ready
            let (tx, rx) = mpsc::sync_channel(2);
            rendered.push(rx);
            let chunk = &chunk;
            scope.spawn(move || {
                for c in (t..chunks).step_by(threads) {
                    let failed = match chunk(c) {
                        Ok(buf) => tx.send(Ok(buf)).is_err(),
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            true
                        }
                    };
                    // the writer stopped (an error) or this thread failed: nothing more to do
                    if failed {
                        return;
                    }
                }
            });
        }
        for c in 0..chunks {
            let buf = rendered[c % threads]
                .recv()
                .map_err(|_| io::Error::other("a report thread stopped"))??;
            out.write_all(&buf)?;
        }
        Ok(())
    })
}

/// An array of a pretty JSON document left empty, for [`split_at`] to find and its entries to
/// be written there with [`write_array`]: the rest of the document (what does not grow with the
/// findings) is serialised whole, the entries as they are rendered.
pub struct Hole;

impl serde::Serialize for Hole {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(std::iter::empty::<()>())
    }
}

/// `frame` up to where the entries of its array `key` go, and after them: `key` is a [`Hole`]
/// of an object at `depth` of the pretty document `frame`, so its line is a newline, the
/// indentation of that depth and `"key": []`. No string of the document can look so: a string
/// holds no raw newline and no unescaped quote.
pub fn split_at<'f>(frame: &'f [u8], key: &str, depth: usize) -> io::Result<(&'f [u8], &'f [u8])> {
    let mut line = Vec::with_capacity(key.len() + 2 * depth + 8);
    entry_start(&mut line, true, depth);
    line.extend_from_slice(format!("\"{key}\": []").as_bytes());
    let at = memchr::memmem::find(frame, &line)
        .ok_or_else(|| io::Error::other(format!("no `{key}` at depth {depth} in the report")))?
        + line.len()
        - 2;
    Ok((&frame[..at], &frame[at + 2..]))
}

/// Writes `items` as the pretty array a value at `depth` is: `[]`, or each item rendered by
/// `render` (with [`pretty_at`] `depth + 1`) on a line of its own, on several threads
/// ([`write_rendered`]).
pub fn write_array<T: Sync>(
    out: &mut dyn Write,
    items: &[T],
    depth: usize,
    render: &Render<'_, T>,
) -> io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    write_rendered(out, items, &|i, item, buf| {
        entry_start(buf, i == 0, depth + 1);
        render(i, item, buf)
    })?;
    let mut end = Vec::with_capacity(2 * depth + 2);
    entry_start(&mut end, true, depth);
    end.push(b']');
    out.write_all(&end)
}

/// `value` serialised into `buf` as the pretty document has it at `depth`.
pub fn pretty_at(buf: &mut Vec<u8>, depth: usize, value: &impl serde::Serialize) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(buf, Pretty::at(depth));
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// serde_json's `PrettyFormatter` (two spaces) starting at a depth, so a value rendered on its
/// own is, byte for byte, what the pretty serialisation of the whole document has at that depth.
pub struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    pub fn at(level: usize) -> Pretty {
        Pretty {
            level,
            has_value: false,
        }
    }
}

/// A newline and the indentation of `level`: what comes before each entry of a pretty array
/// or object at that depth (`,` first for all but the first).
pub fn entry_start(buf: &mut Vec<u8>, first: bool, level: usize) {
    buf.extend_from_slice(if first { b"\n" } else { b",\n" });
    for _ in 0..level {
        buf.extend_from_slice(b"  ");
    }
}

fn indent<W: ?Sized + Write>(w: &mut W, level: usize) -> io::Result<()> {
    for _ in 0..level {
        w.write_all(b"  ")?;
    }
    Ok(())
}

impl Pretty {
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            indent(w, self.level)?;
        }
        w.write_all(bracket)
    }

    fn entry<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        indent(w, self.level)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.entry(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.entry(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_at_a_depth_is_the_pretty_document_at_that_depth() {
        let doc = serde_json::json!({"a": {"b": [1, {"c": [], "d": {}}, "x\ny"], "e": null}});
        let whole =
            serde_json::to_string_pretty(&serde_json::json!({ "outer": [doc.clone()] })).unwrap();
        let mut buf = Vec::new();
        serde::Serializer::collect_seq(
            &mut serde_json::Serializer::with_formatter(&mut buf, Pretty::at(2)),
            std::iter::empty::<u8>(),
        )
        .unwrap();
        assert_eq!(buf, b"[]");
        let mut part = Vec::new();
        entry_start(&mut part, true, 2);
        serde::Serialize::serialize(
            &doc,
            &mut serde_json::Serializer::with_formatter(&mut part, Pretty::at(2)),
        )
        .unwrap();
        let part = String::from_utf8(part).unwrap();
        assert!(whole.contains(&part), "{whole}\n---\n{part}");
    }

    #[test]
    fn entries_are_written_in_order_whatever_the_threads() {
        let items: Vec<usize> = (0..CHUNK * 9 + 7).collect();
        let mut out = Vec::new();
        write_rendered(&mut out, &items, &|i, n, buf| {
            assert_eq!(i, *n);
            buf.extend_from_slice(format!("{n},").as_bytes());
            Ok(())
        })
        .unwrap();
        let want: String = items.iter().map(|n| format!("{n},")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn a_render_error_stops_the_writing() {
        let items: Vec<usize> = (0..CHUNK * 8).collect();
        let mut out = Vec::new();
        let e = write_rendered(&mut out, &items, &|i, _, buf| {
            if i == CHUNK * 5 + 3 {
                return Err(io::Error::other("boom"));
            }
            buf.push(b'.');
            Ok(())
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "boom");
        assert_eq!(out.len(), CHUNK * 5, "the chunks before the failed one");
    }
}
