//! Reading input files with bounds: only regular files (or standard input, once), never more
//! than the input size cap, and text encodings riskgate does not read named rather than
//! misparsed. Every file the gate reads as a claim (reports, VEX, threat intel, policy files,
//! baselines) comes through here, so a FIFO, `/dev/zero` or a 100 GB file cannot hang the
//! gate or exhaust memory.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The default cap on one input file: large enough for real reports (the biggest Trivy image
/// reports seen are a few hundred MB), small enough that a runaway input fails fast.
pub const DEFAULT_MAX_INPUT: u64 = 2 << 30;

static MAX_INPUT: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT);

/// Sets the cap on the size of one input file (`--max-input-size`) for this process.
pub fn set_max_input(bytes: u64) {
    MAX_INPUT.store(bytes.max(1), Ordering::Relaxed);
}

/// The cap on the size of one input file, in bytes.
pub fn max_input() -> u64 {
    MAX_INPUT.load(Ordering::Relaxed)
}

/// Why an input could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    Directory,
    /// A FIFO, socket or device: reading it could block forever or never end.
    NotRegular(&'static str),
    TooLarge {
        limit: u64,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::Directory => f.write_str("is a directory, not a file"),
            ReadError::NotRegular(what) => write!(
                f,
                "is a {what}, not a regular file; riskgate reads inputs only from regular files (or `-` for standard input)"
            ),
            ReadError::TooLarge { limit } => write!(
                f,
                "is larger than the input size cap of {}; raise it with --max-input-size (or RISKGATE_MAX_INPUT_SIZE) if the file is real",
                human_size(*limit)
            ),
        }
    }
}

/// `2 GiB`, `512 MiB`, `1000 bytes`.
pub fn human_size(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {unit}", n / size);
        }
    }
    format!("{n} bytes")
}

/// Parses a size written as `2147483648`, `2GiB`, `500MB`, `64k` (binary multiples: a cap,
/// not a disk size).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size (e.g. 2GiB, 500MiB, 1048576)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{s}` (use KiB, MiB, GiB)"
            ))
        }
    };
    n.checked_mul(mult)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{s}` is not a usable size"))
}

/// The sha256 of every file this process read through [`read_file`], by the path it was given,
/// taken from the bytes as they were read: what the decision log records, so a file changed (or
/// overwritten by an output) after it was read is never what the record says was decided on.
static READ: std::sync::Mutex<Vec<(String, [u8; 32])>> = std::sync::Mutex::new(Vec::new());

/// Whether [`read_file`] records digests: only a run that writes a decision record (the decision
/// log, a signed decision) needs them, and hashing a 100 MB report was a twentieth of `check`.
static RECORDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on, record the sha256 of every file read ([`files_read`]). Called before anything
/// is read by the commands that write a decision record.
pub fn record_digests() {
    RECORDING.store(true, std::sync::atomic::Ordering::SeqCst);
}

fn record(path: &Path, bytes: &[u8]) {
    if !RECORDING.load(std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let digest: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(bytes).into();
    if let Ok(mut r) = READ.lock() {
        r.push((path.display().to_string(), digest));
    }
}

/// `(path, sha256)` of every file read so far, in the order read (a file read twice, twice).
pub fn files_read() -> Vec<(String, [u8; 32])> {
    READ.lock().map(|r| r.clone()).unwrap_or_default()
}

/// Reads a regular file whole, refusing anything that is not one and anything over the cap,
/// and records its digest ([`files_read`]).
pub fn read_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let bytes = read_regular(path)?;
    record(path, &bytes);
    Ok(bytes)
}

fn read_regular(path: &Path) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(ReadError::Directory);
    }
    if !ft.is_file() {
        return Err(ReadError::NotRegular(special_kind(&ft)));
    }
    let limit = max_input();
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    read_capped(file, limit, meta.len())
}

/// Reads standard input whole, up to the cap, and records its digest as `-`.
pub fn read_stdin() -> Result<Vec<u8>, ReadError> {
    let bytes = read_capped(std::io::stdin().lock(), max_input(), 0)?;
    record(Path::new("-"), &bytes);
    Ok(bytes)
}

fn read_capped(r: impl Read, limit: u64, hint: u64) -> Result<Vec<u8>, ReadError> {
    // The file can grow between stat and read: the cap holds on what is read, not on the stat.
    let mut bytes = Vec::with_capacity(usize::try_from(hint.min(limit)).unwrap_or(0));
    r.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

#[cfg(unix)]
fn special_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "FIFO (named pipe)"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_char_device() {
        "character device"
    } else if ft.is_block_device() {
        "block device"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "special file"
}

/// A text encoding riskgate does not read, recognised from a byte-order mark or from the NUL
/// bytes that UTF-16/UTF-32 put into ASCII text (PowerShell's `>` writes UTF-16LE).
pub fn foreign_encoding(bytes: &[u8]) -> Option<&'static str> {
    const BOMS: [(&[u8], &str); 4] = [
        (b"\x00\x00\xfe\xff", "UTF-32BE"),
        (b"\xff\xfe\x00\x00", "UTF-32LE"),
        (b"\xfe\xff", "UTF-16BE"),
        (b"\xff\xfe", "UTF-16LE"),
    ];
    if let Some((_, name)) = BOMS.iter().find(|(bom, _)| bytes.starts_with(bom)) {
        return Some(name);
    }
    match bytes {
        [0, 0, 0, c, ..] if *c != 0 => Some("UTF-32BE"),
        [c, 0, 0, 0, ..] if *c != 0 => Some("UTF-32LE"),
        [0, c, ..] if *c != 0 => Some("UTF-16BE"),
        [c, 0, ..] if *c != 0 => Some("UTF-16LE"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("500 MB"), Ok(500 << 20));
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert!(parse_size("0").is_err());
        assert!(parse_size("2 parsecs").is_err());
        assert!(parse_size("99999999999999999999").is_err());
        assert!(parse_size("16777216TiB").is_err());
        assert_eq!(human_size(2 << 30), "2 GiB");
        assert_eq!(human_size(1000), "1000 bytes");
    }

    #[test]
    fn encodings_are_named() {
        assert_eq!(foreign_encoding(b"\xff\xfe{\x00"), Some("UTF-16LE"));
        assert_eq!(foreign_encoding(b"{\x00\"\x00"), Some("UTF-16LE"));
        assert_eq!(foreign_encoding(b"\x00{\x00\""), Some("UTF-16BE"));
        assert_eq!(foreign_encoding(b"{\x00\x00\x00"), Some("UTF-32LE"));
        assert_eq!(foreign_encoding(b"\xef\xbb\xbf{}"), None);
        assert_eq!(foreign_encoding(b"{}"), None);
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused_without_reading() {
        let err = read_file(Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("character device"), "{err}");
    }
}
