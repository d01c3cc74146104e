//! Pure domain types and logic of jiujin: identity numbers, regions, the registry's
//! records and vocabularies, money, the policy rules (library, dated parameters,
//! evaluation with reasons) and Chinese job search. Nothing here does I/O, async or
//! database work; every other crate builds on these types.

pub mod access;
pub mod audit;
pub mod brands;
pub mod brokers;
pub mod identity;
pub mod jobs;
pub mod matching;
pub mod money;
pub mod monitoring;
pub mod policy;
pub mod refdata;
pub mod region;
pub mod registry;
pub mod search;
pub mod services;
pub mod startups;
pub mod support;
pub mod training;
pub mod wages;

pub use money::Fen;
pub use region::{RegionCode, RegionLevel};
