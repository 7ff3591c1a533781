//! The commands as a user runs them: the binary, its exit codes and what it prints (src/cli/).

mod basics;
mod check;
mod ci;
mod findings;
mod org;
mod validate;
mod workflow;
