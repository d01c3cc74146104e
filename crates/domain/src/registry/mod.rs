//! The real-name registry (实名制信息库, SPEC §2): a person's record and vocabularies,
//! the worker import template, row validation with Chinese reasons, and the diff that
//! turns a changed record into timeline events.

mod diff;
mod phone;
mod record;
mod template;
pub mod unemployment;
pub mod validate;
mod vocab;

pub use diff::{diff, Change, ChangeSet};
pub use phone::{Phone, PhoneError};
pub use record::{PersonRecord, PersonState};
pub use template::{header_row, Cells, Column, HeaderError, HeaderMap, COLUMNS};
pub use validate::{validate_row, FieldError, RowContext};
pub use vocab::{
    EmploymentStatus, EventKind, EventSource, Flag, FlagSet, GroupFlag, GroupFlags, Insurance, InsuranceSet,
    ServiceNeed, ServiceNeeds, SkillLevel, UnknownFlag,
};

/// Age from which a person is registered as a worker (劳动年龄下限).
pub const MIN_WORKING_AGE: u32 = 16;

/// Age in whole years on `on`.
pub fn age_on(birth: chrono::NaiveDate, on: chrono::NaiveDate) -> u32 {
    use chrono::Datelike;
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}
