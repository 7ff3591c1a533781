//! riskgate: a CI/CD security gate that enforces the shared security ownership model.
//!
//! Data flows one way: inputs ([`ingest`], [`policy`]) → findings ([`finding`]) → decisions
//! ([`decide`], pure: no I/O, no clock) → reports ([`report`]). The binary (`main.rs`, [`cli`])
//! only wires these together and maps the verdict to an exit code.

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
