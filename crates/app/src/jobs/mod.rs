//! Employers, job postings, matching and push (SPEC §3, §4).

pub mod import;
