//! Loading a run: images from layouts and a real registry, credentials (src/load/).

mod attest;
pub mod harness;
mod images;
mod policy_oci;
mod registry_credentials;
