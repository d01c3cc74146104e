//! Store tests, run on SQLite always and on PostgreSQL when `JIUJIN_TEST_PG` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod audit;
mod bulk;
mod migrations;
mod monitoring;
mod records;
mod registry;

use chrono::NaiveDate;
use jiujin_domain::identity::Sex;
use jiujin_domain::registry::{EmploymentStatus, GroupFlags, InsuranceSet, PersonState, ServiceNeeds};
use jiujin_domain::RegionCode;
use jiujin_store::registry::bulk::{BulkImport, PersonRow, RowOutcome, RunInfo, RunStatus};
use jiujin_store::Store;

/// The actor of the tests' changes.
pub fn tester() -> jiujin_store::audit::Context {
    jiujin_store::audit::Context::local(jiujin_store::audit::Actor::command_line(Some("test")))
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn region(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// A plausible state for person number `n` with hukou in `hukou`.
pub fn state(n: u32, hukou: &str) -> PersonState {
    PersonState {
        name: format!("测试{n}"),
        birth_date: date("1980-01-01"),
        sex: Sex::Male,
        phone_digest: Some([n as u8; 16]),
        hukou_region: region(hukou),
        residence_region: None,
        household_no: Some(format!("H{n}")),
        status: EmploymentStatus::OutsideEmployed,
        work_region: None,
        work_province: Some(44),
        industry: Some("E".into()),
        occupation: Some("焊工".into()),
        occupation_name: Some("焊工".into()),
        skill_level: None,
        expected_wage: None,
        wanted_kind: None,
        flags: GroupFlags::empty(),
        insurance: InsuranceSet::parse_list("养老,医疗").unwrap(),
        needs: ServiceNeeds::empty(),
        unemployed_since: None,
    }
}

/// A storable row: the hash, cipher and digest are fakes (the store does not care).
pub fn row(row_no: u64, key: u8, s: PersonState, digest: u8) -> PersonRow {
    PersonRow {
        row_no,
        id_hmac: [key; 16],
        id_cipher: vec![key; 40],
        phone_hmac: s.phone_digest,
        phone_cipher: Some(vec![1; 39]),
        state: s,
        digest: [digest; 16],
    }
}

pub async fn import(store: &Store, rows: Vec<PersonRow>) -> Vec<(u64, RowOutcome)> {
    import_expecting(store, rows, 0).await
}

/// Imports `rows` announcing `expected_rows` (large enough → an initial load).
pub async fn import_expecting(store: &Store, rows: Vec<PersonRow>, expected_rows: u64) -> Vec<(u64, RowOutcome)> {
    import_on(store, rows, expected_rows, date("2025-06-01")).await
}

/// The same, dated `as_of` (the date of the events it writes).
pub async fn import_on(
    store: &Store,
    rows: Vec<PersonRow>,
    expected_rows: u64,
    as_of: NaiveDate,
) -> Vec<(u64, RowOutcome)> {
    let mut imp = BulkImport::start(
        store,
        RunInfo {
            kind: "workers".into(),
            file_name: "t.csv".into(),
            file_sha256: String::new(),
            as_of,
            actor: Some("test".into()),
            expected_rows,
        },
    )
    .await
    .unwrap();
    let mut out = imp.apply(store, rows).await.unwrap();
    out.retain(|(_, o)| *o != RowOutcome::Deferred);
    out.extend(imp.complete(store).await.unwrap());
    imp.finish(store, RunStatus::Done, Default::default(), None).await.unwrap();
    out.sort_by_key(|(r, _)| *r);
    out
}
