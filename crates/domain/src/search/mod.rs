//! Chinese job search (SPEC §4): a query is segmented; its places, occupations, board,
//! kind of work and "near home" words become structured filters, and the rest are text
//! terms matched against an in-memory inverted index of the open postings. Pure: the
//! app builds a `SearchIndex` from the database and keeps it in step.
//!
//! - `analyzer.rs`: jieba with the job board's and the reference data's words; which
//!   words are places and occupations.
//! - `query.rs`: a query string to a `Query` and its Chinese description.
//! - `index.rs`: `SearchIndex` (build, upsert, remove, search) and the ranking.

pub mod analyzer;
pub mod index;
pub mod query;

#[cfg(test)]
mod tests;

pub use analyzer::{Analyzer, OccupationRef, Place};
pub use index::{Field, Filters, Hit, JobDoc, MatchedTerm, Nearness, SearchIndex, SearchResults};
pub use query::Query;
