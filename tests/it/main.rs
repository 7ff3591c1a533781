//! The integration tests: one binary (one link of the sigstore-sized library, not twenty), its
//! modules mirroring `src/` so a test sits beside what it tests in the same place of the tree.
//! `common` holds the CLI runner (`riskgate().args(..)` then `run`), fixtures and tool checks.

mod cli;
mod common;
mod decide;
mod distribution;
mod fuzz_replay;
mod ingest;
mod load;
mod structure;
mod verify;
mod write;
