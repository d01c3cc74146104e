//! How a registration or a change becomes timeline rows. Both the single-record path
//! (sea-orm) and the bulk import path (prepared statements / COPY) build their event
//! rows here, so the timeline looks the same whichever way a change arrived.

use jiujin_domain::registry::{diff, Change, EventKind, PersonState};
use jiujin_domain::RegionCode;

/// The columns of one `person_events` row that depend on the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub kind: EventKind,
    pub status: Option<i16>,
    pub work_region: Option<i64>,
    pub work_province: Option<i16>,
    pub industry: Option<String>,
    pub insurance: Option<i32>,
    pub flags: Option<i32>,
    /// JSON list of `Change`s, for events that are not a full snapshot.
    pub changes: Option<String>,
}

fn status_columns(kind: EventKind, s: &PersonState, changes: Option<String>) -> EventRow {
    EventRow {
        kind,
        status: Some(s.status.code()),
        work_region: s.work_region.map(RegionCode::as_i64),
        work_province: s.work_province,
        industry: s.industry.clone(),
        insurance: None,
        flags: None,
        changes,
    }
}

fn json(changes: &[Change]) -> Option<String> {
    serde_json::to_string(changes).ok()
}

/// The 登记 event: the initial status, place, insurance and flags.
pub fn registration(s: &PersonState) -> EventRow {
    EventRow {
        insurance: Some(s.insurance.bits() as i32),
        flags: Some(s.flags.bits() as i32),
        ..status_columns(EventKind::Registered, s, None)
    }
}

/// The events recording the move from `old` to `new`; empty when nothing changed.
pub fn changes(old: &PersonState, new: &PersonState) -> Vec<EventRow> {
    let set = diff(old, new);
    let mut rows = Vec::new();
    if !set.status.is_empty() {
        rows.push(status_columns(EventKind::StatusChanged, new, json(&set.status)));
    }
    if !set.insurance.is_empty() {
        rows.push(EventRow {
            kind: EventKind::InsuranceChanged,
            status: None,
            work_region: None,
            work_province: None,
            industry: None,
            insurance: Some(new.insurance.bits() as i32),
            flags: None,
            changes: json(&set.insurance),
        });
    }
    if !set.flags.is_empty() {
        rows.push(EventRow {
            kind: EventKind::FlagsChanged,
            status: None,
            work_region: None,
            work_province: None,
            industry: None,
            insurance: None,
            flags: Some(new.flags.bits() as i32),
            changes: json(&set.flags),
        });
    }
    if !set.details.is_empty() {
        rows.push(EventRow {
            kind: EventKind::DetailsChanged,
            status: None,
            work_region: None,
            work_province: None,
            industry: None,
            insurance: None,
            flags: None,
            changes: json(&set.details),
        });
    }
    rows
}

/// The part of a person's state that events carry, folded from a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Projection {
    pub status: Option<i16>,
    pub status_since: Option<chrono::NaiveDate>,
    pub work_region: Option<i64>,
    pub work_province: Option<i16>,
    pub industry: Option<String>,
    pub insurance: i32,
    pub flags: i32,
}

impl Projection {
    /// Applies one event (in timeline order).
    pub fn apply(&mut self, kind: EventKind, date: chrono::NaiveDate, row: &EventRow) {
        match kind {
            EventKind::Registered | EventKind::StatusChanged => {
                if kind == EventKind::Registered || self.status != row.status {
                    self.status_since = Some(date);
                }
                self.status = row.status;
                self.work_region = row.work_region;
                self.work_province = row.work_province;
                self.industry = row.industry.clone();
                if let Some(i) = row.insurance {
                    self.insurance = i;
                }
                if let Some(f) = row.flags {
                    self.flags = f;
                }
            }
            EventKind::InsuranceChanged => self.insurance = row.insurance.unwrap_or(self.insurance),
            EventKind::FlagsChanged => self.flags = row.flags.unwrap_or(self.flags),
            EventKind::DetailsChanged => {}
        }
    }
}
