//! Monitoring (SPEC §8), the pure part. `targets`: the yearly targets the seeds set,
//! loaded from `data/targets/targets.toml` with the sentence each comes from. `tally`:
//! the dashboards' counts as deltas of person events.

pub mod progress;
pub mod risk;
pub mod tally;
pub mod targets;
