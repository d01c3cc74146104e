//! Employers, job postings, matching and push (SPEC §3, §4).

pub mod board;
pub mod import;
pub mod matching;
pub mod push;
