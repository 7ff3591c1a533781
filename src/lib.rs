//! riskgate: a CI/CD security gate that enforces the shared security ownership model.
//!
//! Data flows one way: inputs ([`ingest`], [`policy`]) → findings ([`finding`]) → decisions
//! ([`decide`], pure: no I/O, no clock) → reports ([`report`]). The binary (`main.rs`, [`cli`])
//! only wires these together and maps the verdict to an exit code.

pub mod artifact;
pub mod cli;
pub mod cli_workflow;
pub mod cvss;
pub mod date;
pub mod decide;
pub mod decision_log;
pub mod finding;
#[doc(hidden)]
pub mod fuzzing;
pub mod gate;
pub mod image;
pub mod ingest;
pub mod keyless;
pub mod policy;
pub mod report;
pub mod signing;
pub mod verify;
pub mod workflow;
pub mod write;
