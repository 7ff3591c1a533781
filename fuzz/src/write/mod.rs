//! Only the acceptances editor of riskgate's output layer (the rest writes files).

#[path = "../../../src/write/acceptances.rs"]
pub mod acceptances;
