//! The commands as a user runs them: the binary, its exit codes and what it prints (src/cli/).

mod basics;
mod check;
mod ci;
mod day_to_day;
mod findings;
mod org;
mod validate;
mod workflow;
