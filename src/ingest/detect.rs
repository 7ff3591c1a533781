//! Format detection from content: the top-level keys of a JSON object.
//!
//! The scanner walks the top level of the document only, skipping nested values byte by byte
//! (strings with escapes, brackets by depth) without building them, so detection costs one cheap
//! pass even on a 100 MB report. Short scalar values are kept (`"bomFormat": "CycloneDX"`).
//! It never validates the JSON: the typed parse that follows does, with a pointed error.

/// The top-level keys of a JSON object, in document order, with short scalar values.
#[derive(Debug, Default)]
pub struct Probe {
    entries: Vec<(String, Option<String>)>,
}

impl Probe {
    /// Scans `bytes`; `None` when the top level is not a JSON object. A truncated document
    /// yields the keys seen before the cut, so a cut-off Trivy report is still known as Trivy
    /// and its parse error can say "truncated Trivy JSON".
    pub fn scan(bytes: &[u8]) -> Option<Probe> {
        Probe::scan_until(bytes, |_| false)
    }

    /// Like [`Probe::scan`], but stops as soon as `decisive` says the keys seen so far settle the
    /// format, so a 100 MB report whose identifying keys come first is not walked twice.
    pub fn scan_until(bytes: &[u8], decisive: impl Fn(&Probe) -> bool) -> Option<Probe> {
        let mut s = Scanner { b: bytes, i: 0 };
        s.ws();
        if s.peek()? != b'{' {
            return None;
        }
        s.i += 1;
        let mut probe = Probe::default();
        probe.walk(&mut s, &decisive);
        Some(probe)
    }

    fn walk(&mut self, s: &mut Scanner<'_>, decisive: &dyn Fn(&Probe) -> bool) -> Option<()> {
        let probe = self;
        loop {
            s.ws();
            match s.peek()? {
                b'}' => return Some(()),
                b',' => {
                    s.i += 1;
                    continue;
                }
                b'"' => {}
                _ => return Some(()),
            }
            if decisive(probe) {
                return Some(());
            }
            let key = s.string()?;
            s.ws();
            if s.peek()? != b':' {
                return Some(());
            }
            s.i += 1;
            s.ws();
            let value = s.value()?;
            probe.entries.push((key, value));
        }
    }

    /// For a document whose top level is an array: the keys of its first element when that is
    /// an object (`Some(None)` for an empty array, `None` when the top level is not an array).
    /// Legacy Trivy, gitleaks and trufflehog3 write arrays.
    pub fn scan_array(bytes: &[u8]) -> Option<Option<Probe>> {
        let mut s = Scanner { b: bytes, i: 0 };
        s.ws();
        if s.peek()? != b'[' {
            return None;
        }
        s.i += 1;
        s.ws();
        match s.peek() {
            Some(b']') => Some(None),
            Some(b'{') => {
                s.i += 1;
                let mut probe = Probe::default();
                probe.walk(&mut s, &|_| false);
                Some(Some(probe))
            }
            _ => Some(Some(Probe::default())),
        }
    }

    /// The keys seen, in document order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// A short scalar value (string contents without quotes, or a number/bool literal).
    pub fn value(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_deref())
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }

    /// Reads a string starting at `"`, returning its raw contents (escapes kept as written).
    fn string(&mut self) -> Option<String> {
        let start = self.i + 1;
        let end = self.skip_string()?;
        Some(String::from_utf8_lossy(self.b.get(start..end - 1)?).into_owned())
    }

    /// Skips a string starting at `"`; returns the index after the closing quote.
    fn skip_string(&mut self) -> Option<usize> {
        self.i += 1;
        loop {
            let rest = self.b.get(self.i..)?;
            // memchr's vector search: most of a report's bytes are inside strings, and a
            // byte-at-a-time search here was a tenth of `check` when the decisive key comes last.
            let p = memchr::memchr2(b'"', b'\\', rest)?;
            self.i += p;
            if self.peek()? == b'\\' {
                self.i += 2;
            } else {
                self.i += 1;
                return Some(self.i);
            }
        }
    }

    /// Skips one value; returns its text when it is a short scalar.
    fn value(&mut self) -> Option<Option<String>> {
        match self.peek()? {
            b'"' => {
                let start = self.i;
                let end = self.skip_string()?;
                if end - start <= 256 {
                    Some(Some(
                        String::from_utf8_lossy(self.b.get(start + 1..end - 1)?).into_owned(),
                    ))
                } else {
                    Some(None)
                }
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                self.i += 1;
                                return Some(None);
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                let start = self.i;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']') || c.is_ascii_whitespace() {
                        break;
                    }
                    self.i += 1;
                }
                Some(Some(
                    String::from_utf8_lossy(self.b.get(start..self.i)?).into_owned(),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Probe;

    #[test]
    fn reads_top_level_keys_and_short_values_only() {
        let p = Probe::scan(br#" {"a": {"nested": "x", "b": [1, "]}"]}, "bomFormat": "CycloneDX", "n": 2, "s": "q\"uote"} "#).unwrap();
        assert!(p.has("a") && p.has("bomFormat") && !p.has("nested") && !p.has("b"));
        assert_eq!(p.value("bomFormat"), Some("CycloneDX"));
        assert_eq!(p.value("n"), Some("2"));
        assert_eq!(p.value("s"), Some("q\\\"uote"));
    }

    #[test]
    fn refuses_non_objects_and_survives_truncation() {
        assert!(Probe::scan(b"[1,2]").is_none());
        assert!(Probe::scan(b"").is_none());
        // truncated inside a value: the keys before the cut are kept
        let p = Probe::scan(br#"{"SchemaVersion": 2, "Results": [ {"#).unwrap();
        assert!(p.has("SchemaVersion") && !p.has("Results"));
    }
}
