//! The decision core: rules, properties, gradual rollout (src/decide/).

mod props;
mod rollout;
mod rules;
