//! Reading reports: every format, the real corpus, hostile inputs (src/ingest/).

mod corpus;
mod fixtures;
mod formats;
mod hostile_inputs;
