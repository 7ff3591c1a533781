//! Signatures, attestations and trust (src/verify/).

mod keyless;
mod trust;
