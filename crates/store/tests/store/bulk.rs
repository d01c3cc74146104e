//! The bulk import path: inserted / unchanged / updated / duplicate outcomes, events,
//! and the same behaviour on both databases.

use jiujin_domain::registry::{EmploymentStatus, EventKind};
use jiujin_store::entity::{person, person_event};
use jiujin_store::registry::bulk::RowOutcome;
use jiujin_store::registry::{timeline, verify_projection};
use jiujin_store::testing::TestDb;
use jiujin_store::Scope;
use sea_orm::{EntityTrait, PaginatorTrait};

use super::{import, region, row, state};

#[tokio::test(flavor = "multi_thread")]
async fn new_rows_are_inserted_with_a_registration_event_and_a_repeat_is_unchanged() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let rows = vec![row(2, 1, state(1, "500101001001"), 10), row(3, 2, state(2, "500154"), 20)];
        let out = import(&store, rows.clone()).await;
        assert_eq!(out, vec![(2, RowOutcome::Inserted), (3, RowOutcome::Inserted)], "{}", db.label);
        assert_eq!(person::Entity::find().count(store.conn()).await.unwrap(), 2);
        assert_eq!(person_event::Entity::find().count(store.conn()).await.unwrap(), 2);

        let out = import(&store, rows).await;
        assert_eq!(out, vec![(2, RowOutcome::Unchanged), (3, RowOutcome::Unchanged)], "{}", db.label);
        assert_eq!(person_event::Entity::find().count(store.conn()).await.unwrap(), 2, "no new events");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_row_updates_the_person_and_records_what_changed() {
    for db in TestDb::all().await {
        let store = db.store().await;
        import(&store, vec![row(2, 1, state(1, "500101"), 10)]).await;
        let mut s = state(1, "500101");
        s.status = EmploymentStatus::LocalEmployed;
        s.work_province = None;
        s.work_region = Some(region("500101001"));
        s.name = "测试改名".into();
        let out = import(&store, vec![row(2, 1, s, 11)]).await;
        assert_eq!(out, vec![(2, RowOutcome::Updated)], "{}", db.label);
        let p = person::Entity::find().one(store.conn()).await.unwrap().unwrap();
        assert_eq!(p.name, "测试改名");
        assert_eq!(p.status, EmploymentStatus::LocalEmployed.code());
        assert_eq!(p.status_since, super::date("2025-06-01"));
        let t = timeline(&store, Scope::City, p.id).await.unwrap().unwrap();
        let kinds: Vec<EventKind> = t.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![EventKind::Registered, EventKind::StatusChanged, EventKind::DetailsChanged],
            "{}",
            db.label
        );
        assert!(t[2].changes.iter().any(|c| c.label == "姓名" && c.new.as_deref() == Some("测试改名")));
        let (checked, bad) = verify_projection(&store, 10).await.unwrap();
        assert_eq!((checked, bad.len()), (1, 0), "{}: {bad:?}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_identity_twice_in_one_file_is_a_duplicate_of_the_first_row() {
    for db in TestDb::all().await {
        let store = db.store().await;
        // Within one batch and across batches of the same run.
        let out = import(
            &store,
            vec![row(5, 9, state(1, "500101"), 1), row(2, 9, state(2, "500101"), 2), row(3, 8, state(3, "500101"), 3)],
        )
        .await;
        assert_eq!(
            out,
            vec![(2, RowOutcome::Inserted), (3, RowOutcome::Inserted), (5, RowOutcome::Duplicate { first_row: 2 })],
            "{}",
            db.label
        );
        let p = person::Entity::find().all(store.conn()).await.unwrap();
        assert_eq!(p.len(), 2);
        assert!(p.iter().any(|p| p.name == "测试2"), "the earlier row wins");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_projection_altered_behind_the_timeline_is_reported() {
    for db in TestDb::all().await {
        let store = db.store().await;
        import(&store, vec![row(2, 1, state(1, "500101"), 10), row(3, 2, state(2, "500101"), 11)]).await;
        use sea_orm::ConnectionTrait;
        store.conn().execute_unprepared("UPDATE persons SET status = 5 WHERE name = '测试2'").await.unwrap();
        let (checked, bad) = verify_projection(&store, 10).await.unwrap();
        assert_eq!(checked, 2);
        assert_eq!(bad.len(), 1, "{}", db.label);
        assert_eq!(bad[0].stored.status, Some(5));
        assert_eq!(bad[0].folded.status, Some(EmploymentStatus::OutsideEmployed.code()));
    }
}

async fn index_names(store: &jiujin_store::Store) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = match store.backend() {
        sea_orm::DatabaseBackend::Postgres => "SELECT indexname AS n FROM pg_indexes WHERE tablename IN ('persons', 'person_events') ORDER BY 1",
        _ => "SELECT name AS n FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('persons', 'person_events') AND sql IS NOT NULL ORDER BY 1",
    };
    let rows = store.conn().query_all(Statement::from_string(store.backend(), sql.to_string())).await.unwrap();
    rows.iter().map(|r| r.try_get::<String>("", "n").unwrap()).filter(|n| !n.ends_with("_pkey")).collect()
}

const INDEXES: [&str; 8] = [
    "person_events_person",
    "persons_household",
    "persons_hukou_region",
    "persons_id_hmac",
    "persons_name_regions",
    "persons_phone_hmac",
    "persons_registered_unemployed",
    "persons_residence_region",
];

#[tokio::test(flavor = "multi_thread")]
async fn an_initial_load_defers_repeated_identities_and_rebuilds_the_indexes() {
    for db in TestDb::all().await {
        let store = db.store().await;
        assert_eq!(index_names(&store).await, INDEXES, "{}", db.label);
        let rows = vec![
            row(2, 7, state(1, "500101"), 1),
            row(3, 8, state(2, "500101"), 2),
            row(4, 7, state(3, "500101"), 3),
            row(5, 9, state(4, "500154"), 4),
        ];
        let out = super::import_expecting(&store, rows, 1_000_000).await;
        let mut out = out;
        out.sort_by_key(|(r, _)| *r);
        assert_eq!(
            out,
            vec![
                (2, RowOutcome::Inserted),
                (3, RowOutcome::Inserted),
                (4, RowOutcome::Duplicate { first_row: 2 }),
                (5, RowOutcome::Inserted)
            ],
            "{}",
            db.label
        );
        assert_eq!(index_names(&store).await, INDEXES, "{}: indexes are back", db.label);
        if store.backend() == sea_orm::DatabaseBackend::Postgres {
            // Column statistics for the planner right after the load (only ANALYZE
            // writes them; building the indexes sets the row count alone).
            use sea_orm::ConnectionTrait as _;
            let sql = "SELECT count(*)::float8 AS n FROM pg_stats \
                       WHERE schemaname = current_schema() AND tablename = 'persons' AND attname = 'hukou_region'";
            let row = store
                .conn()
                .query_one(sea_orm::Statement::from_string(sea_orm::DatabaseBackend::Postgres, sql))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.try_get::<f64>("", "n").unwrap(), 1.0, "{}: analysed", db.label);
        }
        assert_eq!(person::Entity::find().count(store.conn()).await.unwrap(), 3);
        assert_eq!(person_event::Entity::find().count(store.conn()).await.unwrap(), 3);
        let (checked, bad) = verify_projection(&store, 10).await.unwrap();
        assert_eq!((checked, bad.len()), (3, 0));
        // The same rows again: the table is no longer empty, so the normal path.
        let again = super::import_expecting(&store, vec![row(2, 7, state(1, "500101"), 1)], 1_000_000).await;
        assert_eq!(again, vec![(2, RowOutcome::Unchanged)]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_initial_load_killed_half_way_gets_its_indexes_back_at_the_next_start() {
    use jiujin_store::registry::bulk::BulkImport;
    for db in TestDb::all().await {
        let store = db.store().await;
        let mut imp = BulkImport::start(&store, big_run()).await.unwrap();
        assert!(imp.is_initial_load());
        imp.apply(&store, vec![row(2, 1, state(1, "500101"), 1), row(3, 2, state(2, "500101"), 2)]).await.unwrap();
        // The process dies here: no `complete`, no `finish`.
        drop(imp);
        // The persons indexes are down; the events index, appended in key order, stays.
        assert_eq!(index_names(&store).await, ["person_events_person"], "{}: indexes dropped", db.label);
        let reopened = db.store().await;
        assert_eq!(index_names(&reopened).await, INDEXES, "{}: rebuilt on start", db.label);
        // A re-run finds the committed rows and completes the rest.
        let out = super::import_expecting(
            &reopened,
            vec![row(2, 1, state(1, "500101"), 1), row(3, 2, state(2, "500101"), 2), row(4, 3, state(3, "500101"), 3)],
            1_000_000,
        )
        .await;
        assert_eq!(out, vec![(2, RowOutcome::Unchanged), (3, RowOutcome::Unchanged), (4, RowOutcome::Inserted)]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_whose_process_died_is_closed_as_interrupted_and_frees_its_leases() {
    use jiujin_store::entity::{batch_lock, import_run};
    use jiujin_store::locks::{holder_name, BatchLock};
    use jiujin_store::registry::bulk::{close_abandoned_runs, BulkImport, INITIAL_LOAD_LOCK};
    use sea_orm::sea_query::Expr;
    for db in TestDb::all().await {
        let store = db.store().await;
        let imp = BulkImport::start(&store, big_run()).await.unwrap();
        assert!(imp.is_initial_load());
        let run = imp.run_id();
        drop(imp);
        // While its process lives, the run stays running and keeps the load's lease.
        assert_eq!(close_abandoned_runs(&store).await.unwrap(), 0, "{}", db.label);
        let ttl = chrono::Duration::minutes(5);
        assert!(BatchLock::try_acquire(&store, INITIAL_LOAD_LOCK, ttl).await.unwrap().is_none());
        // The process dies: its leases now name a pid that does not run here.
        let me = holder_name();
        let (host, _) = me.rsplit_once(':').unwrap();
        let (host, _) = host.rsplit_once(':').unwrap();
        batch_lock::Entity::update_many()
            .col_expr(batch_lock::Column::Holder, Expr::value(format!("{host}:4294967295:1")))
            .exec(store.conn())
            .await
            .unwrap();
        assert_eq!(close_abandoned_runs(&store).await.unwrap(), 1, "{}", db.label);
        let status = import_run::Entity::find_by_id(run).one(store.conn()).await.unwrap().unwrap().status;
        assert_eq!(status, "interrupted", "{}", db.label);
        assert_eq!(close_abandoned_runs(&store).await.unwrap(), 0, "closed once");
        let lock = BatchLock::try_acquire(&store, INITIAL_LOAD_LOCK, ttl).await.unwrap();
        assert!(lock.is_some(), "{}: the dead holder's lease is taken at once", db.label);
    }
}

/// A run expecting enough rows to be an initial load on an empty table.
fn big_run() -> jiujin_store::registry::bulk::RunInfo {
    jiujin_store::registry::bulk::RunInfo {
        kind: "workers".into(),
        file_name: "big.csv".into(),
        file_sha256: String::new(),
        as_of: super::date("2025-06-01"),
        actor: None,
        expected_rows: 1_000_000,
    }
}
