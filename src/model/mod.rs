//! The data every layer shares: the finding model, dates and times, CVSS scores, digests, and
//! the facts loading and verification establish about what is deployed.

pub mod code;
pub mod cvss;
pub mod date;
pub mod digest;
pub mod facts;
pub mod finding;
pub mod findings;
pub mod intel;
pub mod outcome;
pub mod record;
pub mod vex;

use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads a run may use, from `--threads` (0: not given).
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Most threads a run uses unless told: past four, writing the report is the limit.
const MAX_THREADS: usize = 4;

/// Sets the threads a run may use (`--threads`; 0: as many as the machine has, at most four).
pub fn set_threads(n: usize) {
    THREADS.store(n, Ordering::Relaxed);
}

/// The threads a run may use for work that is split (reading reports beside the policy,
/// deciding, rendering reports): what `--threads` said, else the machine's cores, at most four.
/// The output never depends on it.
pub fn threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS)),
        // a thread per finding would be no faster and could exhaust the machine
        n => n.min(64),
    }
}
