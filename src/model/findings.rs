//! Lists of findings, as large reports make them: appended without doubling past need, sharing
//! the text many findings repeat, and deduplicated and ordered in place (issue 13's memory
//! bound: a run holds its findings until the report is written).

use super::finding::Finding;
use std::collections::{HashMap, HashSet};

/// The hashing of the sets and maps a run fills once per finding (shared text, the dedup index,
/// the decisions' interner): foldhash, seeded per process, where std's SipHash was a twentieth
/// of `check`. Nothing iterates them, so their order never reaches a report.
pub type Hashing = foldhash::fast::RandomState;

/// A set hashed with [`Hashing`].
pub type FastSet<T> = HashSet<T, Hashing>;
use std::sync::Arc;

/// Appends to a list of findings that may be large. Past 65,536 entries the list grows by a
/// sixteenth instead of doubling: doubling leaves up to half of it spare (a `Finding` is 352
/// bytes) at the moment every finding's strings are also held, and growing a large
/// allocation remaps it without copying (issue 13's memory bound).
pub fn push_finding(list: &mut Vec<Finding>, f: Finding) {
    if list.len() == list.capacity() && list.capacity() >= 1 << 16 {
        list.reserve_exact(list.capacity() / 16);
    }
    list.push(f);
}

/// Makes findings that sit in the same image layer, on the same target or in the same
/// ecosystem share its text (a layer digest is 71 bytes, an image reference about as long): an
/// image has a handful of layers and thousands of findings.
pub fn share_text(findings: &mut [Finding]) {
    let mut held: FastSet<Arc<str>> = FastSet::default();
    for f in findings.iter_mut() {
        if let Some(l) = f.location.layer_digest.as_mut() {
            share(&mut held, l);
        }
        if let Some(t) = f.target.as_mut() {
            share(&mut held, t);
        }
        if let Some(e) = f.package.as_mut().and_then(|p| p.ecosystem.as_mut()) {
            share(&mut held, e);
        }
    }
}

/// Makes `v` the copy `held` already has of its value, else adds `v` to `held`: what the
/// findings (here) and the decisions (`decide::Interner`) of a run share.
pub fn share<T: ?Sized + Eq + std::hash::Hash>(held: &mut FastSet<Arc<T>>, v: &mut Arc<T>) {
    match held.get(v) {
        Some(h) => *v = Arc::clone(h),
        None => {
            held.insert(Arc::clone(v));
        }
    }
}

/// Canonicalises, merges findings with the same identity, and sorts deterministically:
/// severity (highest first), then id, package, path, line.
pub fn dedup(mut findings: Vec<Finding>) -> Vec<Finding> {
    // In place: the findings are the run's largest allocation (a Finding is 352 bytes), and
    // merging into a second vector, then sorting into a third, held two or three copies of them
    // at once (issue 13). Keyed by the fingerprint's 128 bits, not its text.
    share_text(&mut findings);
    let mut index: HashMap<u128, usize, Hashing> =
        HashMap::with_capacity_and_hasher(findings.len(), Hashing::default());
    // `findings[..kept]` are distinct; `findings[kept..i]` are emptied duplicates.
    let mut kept = 0usize;
    let keys = canonicalise_all(&mut findings);
    for (i, key) in keys.into_iter().enumerate() {
        let Some(f) = findings.get_mut(i) else { break };
        match index.get(&key) {
            Some(&j) => {
                let dup = std::mem::replace(f, Finding::vacant());
                if let Some(first) = findings.get_mut(j) {
                    first.absorb(dup);
                }
            }
            None => {
                index.insert(key, kept);
                findings.swap(kept, i);
                kept += 1;
            }
        }
    }
    drop(index);
    findings.truncate(kept);
    // Sorted by position rather than in place: moving 400-byte findings through the sort's
    // merges was a tenth of `check` (perf). Fingerprints are unique here, so no two keys are
    // equal and an unstable sort gives the one order.
    let cmp = |a: &Finding, b: &Finding| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| pkg_key(a).cmp(&pkg_key(b)))
            .then_with(|| a.location.path.cmp(&b.location.path))
            .then_with(|| a.location.line.cmp(&b.location.line))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    };
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_unstable_by(|&i, &j| match (findings.get(i), findings.get(j)) {
        (Some(a), Some(b)) => cmp(a, b),
        _ => std::cmp::Ordering::Equal,
    });
    // `order[k]` is the finding that belongs at `k`; where each finding goes, then each swap
    // puts one finding in its place (every finding moves at most once).
    let mut dest = vec![0usize; order.len()];
    for (k, &i) in order.iter().enumerate() {
        if let Some(d) = dest.get_mut(i) {
            *d = k;
        }
    }
    drop(order);
    for i in 0..dest.len() {
        while let Some(&d) = dest.get(i) {
            if d == i || d >= dest.len() {
                break;
            }
            findings.swap(i, d);
            dest.swap(i, d);
        }
    }
    findings
}

/// Fewer findings than this are canonicalised on one thread.
const PARALLEL_FROM: usize = 4096;

/// [`Finding::canonicalise`] of every finding (each on its own: its fingerprint is a sha256 of
/// its identity), in contiguous parts on up to [`super::threads`] threads; their keys in order.
fn canonicalise_all(findings: &mut [Finding]) -> Vec<u128> {
    let threads = if findings.len() < PARALLEL_FROM {
        1
    } else {
        super::threads()
    };
    if threads < 2 {
        return findings.iter_mut().map(Finding::canonicalise).collect();
    }
    let per = findings.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = findings
            .chunks_mut(per)
            .map(|part| {
                scope.spawn(move || {
                    part.iter_mut()
                        .map(Finding::canonicalise)
                        .collect::<Vec<u128>>()
                })
            })
            .collect();
        let mut keys = Vec::with_capacity(parts.len() * per);
        for p in parts {
            match p.join() {
                Ok(k) => keys.extend(k),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        keys
    })
}

fn pkg_key(f: &Finding) -> (&str, &str) {
    f.package
        .as_ref()
        .map(|p| (p.name.as_str(), p.version.as_deref().unwrap_or("")))
        .unwrap_or(("", ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run holds every finding until its report is written: the struct's size is most of the
    /// memory a report of small entries costs (issue 13's bound of 2.5x the input).
    #[test]
    fn a_finding_stays_small() {
        let size = std::mem::size_of::<Finding>();
        eprintln!("Finding: {size} bytes");
        assert!(size <= 352, "Finding grew to {size} bytes");
    }

    #[test]
    fn findings_in_one_layer_share_its_digest() {
        let mut a = Finding::new(
            "CVE-2024-1",
            crate::model::finding::Kind::Vulnerability,
            "trivy",
        );
        a.location.layer_digest = Some(Arc::from("sha256:aa"));
        let mut b = a.clone();
        b.location.layer_digest = Some(Arc::from("sha256:aa"));
        let mut list = vec![a, b];
        share_text(&mut list);
        let (x, y) = (
            &list[0].location.layer_digest,
            &list[1].location.layer_digest,
        );
        assert!(matches!((x, y), (Some(x), Some(y)) if Arc::ptr_eq(x, y)));
    }
}
