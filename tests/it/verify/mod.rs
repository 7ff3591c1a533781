//! Signatures, attestations and trust (src/verify/).

mod decisions;
mod keyless;
mod trust;
