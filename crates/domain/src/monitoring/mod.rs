//! Monitoring (SPEC §8), the pure part. `targets`: the yearly targets the seeds set,
//! loaded from `data/targets/targets.toml` with the sentence each comes from. `tally`:
//! the dashboards' counts as deltas of person events. `figure`: one figure of them as
//! a sum over counters, to list the people behind it. `records`: the targets counted
//! from business records (training, stations, fairs …) and how.

pub mod figure;
pub mod progress;
pub mod records;
pub mod risk;
pub mod tally;
pub mod targets;
