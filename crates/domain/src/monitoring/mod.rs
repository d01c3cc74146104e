//! Monitoring (SPEC §8), the pure part. `targets`: the yearly targets the seeds set,
//! loaded from `data/targets/targets.toml` with the sentence each comes from.

pub mod targets;
