//! riskgate's input layer, compiled on its own for the fuzz targets (see Cargo.toml). The
//! module tree mirrors the crate root's so that `crate::` paths inside the sources resolve.
#![allow(dead_code, unused_imports)]

#[path = "../../src/cvss.rs"]
pub mod cvss;
#[path = "../../src/date.rs"]
pub mod date;
#[path = "../../src/finding.rs"]
pub mod finding;
#[path = "../../src/fuzzing.rs"]
pub mod fuzzing;
#[path = "../../src/ingest/mod.rs"]
pub mod ingest;
#[path = "../../src/policy/mod.rs"]
pub mod policy;
#[path = "../../src/workflow.rs"]
pub mod workflow;
