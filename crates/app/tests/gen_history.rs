//! A generated history imported end to end into SQLite: the base file with its first
//! day, then each month's file with its own date. Nothing is rejected, every row of a
//! month updates its person with events of that date, and each person's final state
//! is the last row written for them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use jiujin_app::gen::{generate, generate_history, history_start, GenOptions};
use jiujin_app::registry::export::export_workers;
use jiujin_app::registry::import::{import_workers, ImportReport, ImportRequest};
use jiujin_app::Keys;
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{validate_row, EventKind, HeaderMap, PersonRecord, RowContext};
use jiujin_store::entity::person_event;
use jiujin_store::testing::TestDb;
use jiujin_store::{Scope, Store};
use sea_orm::EntityTrait;

fn keys() -> Keys {
    Keys::from_master(&[7u8; 32])
}

fn tester() -> jiujin_store::audit::Context {
    jiujin_store::audit::Context::local(jiujin_store::audit::Actor::command_line(Some("test")))
}

async fn import(store: &Store, path: &Path, as_of: NaiveDate) -> ImportReport {
    import_workers(
        store,
        &keys(),
        ImportRequest {
            path,
            rejects: None,
            scope: Scope::City,
            as_of,
            actor: Some("test".into()),
            by: tester(),
            batch_size: 500,
            cancel: None,
            progress: None,
        },
    )
    .await
    .unwrap()
}

/// Every row of a file, validated on `today`, by identity number.
fn records(path: &Path, today: NaiveDate) -> Vec<(String, PersonRecord)> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let map = HeaderMap::from_headers(&header).unwrap();
    let ctx = RowContext { refdata: RefData::embedded().unwrap(), today };
    r.records()
        .map(|row| {
            let row: Vec<String> = row.unwrap().iter().map(str::to_string).collect();
            let rec = validate_row(&ctx, &map, &row).unwrap_or_else(|e| panic!("{row:?}: {e:?}"));
            (rec.id_number.to_string(), rec)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_imported_history_is_accepted_whole_and_ends_in_the_last_rows_written() {
    // July 2024 to March 2026: two returns (January 2025, February 2026) with their
    // departures, the last month imported on the data date (before the 15th).
    let end = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap();
    let months = 21;
    let first = history_start(end, months).unwrap();
    assert_eq!(first, NaiveDate::from_ymd_opt(2024, 6, 1).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let refdata = RefData::embedded().unwrap();
    let opts = GenOptions { workers: 3_000, seed: 21, out_dir: dir.path().to_path_buf(), as_of: first };
    let base = generate(&opts, refdata, &|_| {}).unwrap().files[0].0.clone();
    let files = generate_history(&base, dir.path(), end, months, 21, refdata, &|_| {}).unwrap();
    assert_eq!(files.len(), months as usize);
    assert_eq!(files.last().unwrap().as_of, end);

    let db = TestDb::sqlite();
    let store = db.store().await;
    store.verify_key_check(keys().check_value(), "test").await.unwrap();
    let r = import(&store, &base, first).await;
    assert_eq!((r.counts.inserted, r.counts.rejected), (3_000, 0), "{:?}", r.first_rejects);

    let mut last: HashMap<String, PersonRecord> = records(&base, end).into_iter().collect();
    let mut dates = BTreeSet::from([first]);
    for f in &files {
        let r = import(&store, &f.path, f.as_of).await;
        let c = r.counts;
        assert_eq!(c.rejected, 0, "{}: {:?}", f.path.display(), r.first_rejects);
        assert_eq!((c.inserted, c.updated, c.unchanged), (0, f.rows, 0), "{}", f.path.display());
        for (id, rec) in records(&f.path, f.as_of) {
            last.insert(id, rec);
        }
        dates.insert(f.as_of);
    }

    // Every event is dated the base file's day or a month's import date, and the
    // return month brings many status changes.
    let events = person_event::Entity::find().all(store.conn()).await.unwrap();
    let event_dates: BTreeSet<NaiveDate> = events.iter().map(|e| e.event_date).collect();
    assert!(event_dates.is_subset(&dates), "{event_dates:?} not in {dates:?}");
    let status_changes =
        |d: NaiveDate| events.iter().filter(|e| e.event_date == d && e.kind == EventKind::StatusChanged.code()).count();
    let jan = files.iter().find(|f| f.month == NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()).unwrap();
    let oct = files.iter().find(|f| f.month == NaiveDate::from_ymd_opt(2024, 10, 1).unwrap()).unwrap();
    assert!(
        status_changes(jan.as_of) > 2 * status_changes(oct.as_of),
        "{} vs {}",
        status_changes(jan.as_of),
        status_changes(oct.as_of)
    );
    let feb = files.iter().find(|f| f.month == NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()).unwrap();
    assert!(status_changes(feb.as_of) > 2 * status_changes(oct.as_of), "the second return month");

    // The registry now holds, for every person, the last row written for them.
    let out = dir.path().join("export.csv");
    let n = export_workers(&store, &keys(), Scope::City, &out, None, &tester()).await.unwrap();
    assert_eq!(n, 3_000);
    let exported: HashMap<String, PersonRecord> = records(&out, end).into_iter().collect();
    assert_eq!(exported.len(), last.len());
    for (id, rec) in &last {
        assert_eq!(exported.get(id), Some(rec), "{id}");
    }
}
