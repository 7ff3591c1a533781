//! riskgate's input layer, compiled on its own for the fuzz targets (see Cargo.toml). The
//! module tree mirrors the crate root's so that `crate::` paths inside the sources resolve.
#![allow(dead_code, unused_imports)]

#[path = "../../src/fuzzing/mod.rs"]
pub mod fuzzing;
#[path = "../../src/ingest/mod.rs"]
pub mod ingest;
#[path = "../../src/model/mod.rs"]
pub mod model;
#[path = "../../src/policy/mod.rs"]
pub mod policy;
pub mod write;
