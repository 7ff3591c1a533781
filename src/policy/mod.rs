//! The files people write: the ownership register, the guardrails, and a product's acceptances.
//! Each is loaded with positions ([`yaml`]) and validated in a second pass that collects every
//! problem, not just the first.

pub mod yaml;
