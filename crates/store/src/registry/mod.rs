//! Registry storage: reading persons and their timelines through a `Scope`, writing
//! single changes as events plus the projected current state in one transaction, the
//! likely-duplicates list, and the bulk import paths.

pub mod bulk;
mod convert;
pub mod events;
pub mod indexes;
pub mod names;
pub(crate) mod queries;
pub mod uploads;

pub use crate::inline::answered as inline_reads;
pub use convert::{state_from_model, StoredPerson};
pub use queries::{
    apply_change, create_person, fold_events, household_members, likely_duplicates, likely_duplicates_sql,
    list_persons, person, person_count, person_lines, persons_after, persons_by_ids, persons_with_timelines,
    prefix_upper_bound, review_duplicate, timeline, verify_projection, Created, DuplicatePair, InsuranceFilter,
    NewPerson, Page, PersonFilter, PersonLine, PersonPage, ProjectionMismatch, TimelineChange, TimelineEntry,
    COUNT_CAP,
};
