//! Reading reports: every format, the real corpus, hostile inputs (src/ingest/).

mod corpus;
mod formats;
mod hostile_inputs;
