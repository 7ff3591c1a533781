//! riskgate: a CI/CD security gate that enforces the shared security ownership model.
//!
//! Data flows one way: inputs ([`ingest`], [`policy`]) → findings ([`finding`]) → decisions
//! ([`decide`], pure: no I/O, no clock) → reports ([`report`]). The binary (`main.rs`, [`cli`])
//! only wires these together and maps the verdict to an exit code.

/// Every message to standard error goes through this `eprintln!`, which shadows the standard
/// one: that one panics when standard error is closed (`2>&-`, or a pipe whose reader has gone),
/// turning a gate's exit code into a panic's 101. A message nobody can read is dropped instead.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
pub mod decide;
#[doc(hidden)]
pub mod fuzzing;
pub mod ingest;
pub mod load;
pub mod model;
pub mod policy;
pub mod report;
pub mod verify;
pub mod write;
