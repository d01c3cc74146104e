//! Employers, job postings, matching and push (SPEC §3, §4).

pub mod board;
pub mod export;
pub mod import;
pub mod matching;
pub mod push;
pub mod quality;
