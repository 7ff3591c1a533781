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
