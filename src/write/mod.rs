//! Writing the files riskgate changes — the acceptances file (`accept`, `approve`), the SLA
//! state (`--update-state`), the decision log, report outputs — so that nothing is lost:
//!
//! - an advisory lock (`flock` on a sibling `.NAME.lock`) held across the whole
//!   read-modify-write, so two writers take turns instead of one overwriting the other;
//! - a unique temporary file in the same directory, fsynced, then renamed over the file (the
//!   symlink's target when the path is a link, so the link stays a link), and the directory
//!   fsynced: a reader sees the old file or the new one, never half of one;
//! - the file's mode (and, where permitted, owner) kept.
//!
//! Must never: report a write as done that did not land.

pub mod acceptances;
pub mod decision_log;
pub mod oci_layout;

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a writer waits for another to finish before giving up (exit 2).
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// The path a write lands on: a symlink's final target (followed even when it dangles), else
/// the path itself.
pub fn resolve(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&p) {
                Ok(t) if t.is_absolute() => p = t,
                Ok(t) => p = p.parent().map_or(t.clone(), |d| d.join(&t)),
                Err(_) => return p,
            },
            _ => return p,
        }
    }
    p
}

fn sibling(target: &Path, prefix: &str, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "riskgate".into());
    let dir = target.parent().unwrap_or(Path::new(""));
    dir.join(format!("{prefix}{name}{suffix}"))
}

fn parent_dir(target: &Path) -> &Path {
    match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// An advisory lock on a file riskgate writes, released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
    /// The lock file (`.NAME.lock` beside the target).
    pub path: PathBuf,
}

/// Takes the lock of `path`, waiting up to `wait` for another writer to finish. The directory
/// is created when missing (a first `accept` creates `.riskgate/`).
pub fn lock(path: &Path, wait: Duration) -> Result<Lock, String> {
    let target = resolve(path);
    let dir = parent_dir(&target);
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let lock_path = sibling(&target, ".", ".lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open the lock file {}: {e}", lock_path.display()))?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => {
                return Ok(Lock {
                    _file: file,
                    path: lock_path,
                })
            }
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "another riskgate is writing {} (it has held {} for {} s); nothing was written, try again",
                    path.display(),
                    lock_path.display(),
                    wait.as_secs()
                ))
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(format!("cannot lock {}: {e}", lock_path.display()))
            }
        }
    }
}

/// A temporary file of its own in `dir`, created exclusively.
fn temp_in(target: &Path) -> io::Result<(PathBuf, File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let pid = std::process::id();
    loop {
        let n = N.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let p = sibling(target, ".", &format!(".{pid}.{n}.{nanos}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Replaces the contents of `path` with `bytes`, atomically and durably (see the module docs).
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_with(path, |w| w.write_all(bytes))
}

/// [`replace`] with the contents streamed by `fill` (a report is never held whole to be written).
pub fn replace_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let target = resolve(path);
    let old = std::fs::metadata(&target).ok();
    let (tmp, f) = temp_in(&target)?;
    let written = (|| {
        let mut w = io::BufWriter::new(f);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        if let Some(m) = &old {
            f.set_permissions(m.permissions())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                // Keeping the owner needs the right to chown; without it the file is the writer's.
                let _ = std::os::unix::fs::fchown(&f, Some(m.uid()), Some(m.gid()));
            }
        }
        f.sync_all()?;
        std::fs::rename(&tmp, &target)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(parent_dir(&target))
}

/// Appends `bytes` to `path` (created when missing) and makes them durable. A failed append (a
/// full disk) is cut back off, so the file is left as it was rather than with half a line.
pub fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = resolve(path);
    let existed = target.exists();
    let mut f = OpenOptions::new().create(true).append(true).open(&target)?;
    let before = f.metadata()?.len();
    if let Err(e) = f.write_all(bytes).and_then(|_| f.sync_data()) {
        let _ = f.set_len(before).and_then(|_| f.sync_data());
        return Err(e);
    }
    if !existed {
        sync_dir(parent_dir(&target))?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// The file a path names, for telling whether two paths are one file: the resolved path,
/// canonical when it exists, else its directory's canonical path joined with its name.
pub fn identity(path: &Path) -> PathBuf {
    let target = resolve(path);
    if let Ok(c) = std::fs::canonicalize(&target) {
        return c;
    }
    let dir = parent_dir(&target);
    match (std::fs::canonicalize(dir), target.file_name()) {
        (Ok(d), Some(n)) => d.join(n),
        _ => target,
    }
}

/// Writes the state file: this run's findings with their first-seen dates (today for new ones).
/// Findings no longer reported are dropped, so the file does not grow forever.
pub fn write_state(
    path: &Path,
    findings: &[crate::model::finding::Finding],
    previous: &std::collections::BTreeMap<String, crate::model::date::Date>,
    today: crate::model::date::Date,
) -> std::io::Result<()> {
    let first_seen: std::collections::BTreeMap<String, String> = findings
        .iter()
        .map(|f| {
            let d = previous.get(&*f.fingerprint).copied().unwrap_or(today);
            (f.fingerprint.to_string(), d.to_string())
        })
        .collect();
    let state = crate::load::StateFile {
        version: 1,
        first_seen,
    };
    let mut text = serde_json::to_string_pretty(&state).map_err(std::io::Error::other)?;
    text.push('\n');
    replace(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("riskgate-write-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("mkdir");
        d
    }

    #[cfg(unix)]
    #[test]
    fn replace_keeps_links_and_modes() {
        use std::os::unix::fs::PermissionsExt;
        let d = tmp("links");
        let real = d.join("real.yaml");
        std::fs::write(&real, "old").expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let link = d.join("acceptances.yaml");
        std::os::unix::fs::symlink("real.yaml", &link).expect("symlink");
        replace(&link, b"new").expect("replace");
        assert!(std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "new");
        let mode = std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(identity(&link), identity(&real));
        // nothing left behind but the file and the link
        let mut names: Vec<String> = std::fs::read_dir(&d)
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["acceptances.yaml", "real.yaml"]);
    }

    #[test]
    fn a_second_lock_waits_then_fails() {
        let d = tmp("lock");
        let p = d.join("state.json");
        let first = lock(&p, LOCK_WAIT).expect("first");
        let e = lock(&p, Duration::from_millis(100)).expect_err("held");
        assert!(e.contains("another riskgate is writing"), "{e}");
        drop(first);
        lock(&p, Duration::from_millis(100)).expect("free again");
    }
}
