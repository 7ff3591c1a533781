//! Files riskgate writes: locked, atomic, never inputs (src/write/).

mod writers;
