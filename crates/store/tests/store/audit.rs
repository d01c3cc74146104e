//! The audit log: appended entries verify; an altered, deleted or last-deleted entry
//! is named by its number; concurrent writers keep the numbers gap-free; a change
//! to a person writes exactly one entry in its own transaction, and a failed change
//! none.

use chrono::{Duration, Utc};
use jiujin_domain::access::Role;
use jiujin_domain::audit::AuditAction;
use jiujin_domain::registry::{EmploymentStatus, EventSource};
use jiujin_store::audit::{self, Actor, AuditEntry, AuditFilter, Breach, Broken, Context};
use jiujin_store::registry::apply_change;
use jiujin_store::testing::TestDb;
use jiujin_store::{Scope, Store};
use sea_orm::{ConnectionTrait, TransactionTrait};

use super::{date, import, region, row, state, tester};

fn entry(n: u64) -> AuditEntry {
    let web = n.is_multiple_of(2);
    AuditEntry {
        actor: if web {
            Actor { user_id: Some(7), username: "wanzhou".into(), role: Some(Role::DistrictStaff) }
        } else {
            Actor::command_line(Some("ops"))
        },
        action: if web { AuditAction::PersonRead } else { AuditAction::UserPasswd },
        entity: "person".into(),
        entity_id: web.then(|| n.to_string()),
        detail: serde_json::json!({ "n": n, "text": "“引号”与\\斜杠" }),
        address: web.then(|| "127.0.0.1".to_string()),
        user_agent: web.then(|| "Mozilla/5.0".to_string()),
    }
}

async fn append_many(store: &Store, n: u64) {
    let txn = store.conn().begin().await.unwrap();
    for i in 1..=n {
        assert_eq!(audit::append(&txn, &entry(i)).await.unwrap(), i);
    }
    txn.commit().await.unwrap();
}

async fn sql(store: &Store, text: &str) {
    store.conn().execute_unprepared(text).await.unwrap();
}

async fn scalar(store: &Store, text: &str) -> i64 {
    let row = store
        .conn()
        .query_one(sea_orm::Statement::from_string(store.backend(), text.to_string()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

fn broken(seq: u64, breach: Breach) -> Option<Broken> {
    Some(Broken { seq, breach })
}

#[tokio::test(flavor = "multi_thread")]
async fn appended_entries_verify_and_read_back_the_same_instant() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let empty = audit::verify(&store).await.unwrap();
        assert_eq!((empty.checked, empty.broken.clone()), (0, None), "{}", db.label);
        assert_eq!(empty.head_hash, audit::GENESIS);
        for i in 1..=12 {
            assert_eq!(audit::record(&store, &entry(i)).await.unwrap(), i, "{}", db.label);
        }
        let r = audit::verify(&store).await.unwrap();
        assert_eq!((r.checked, r.head_seq, r.broken), (12, 12, None), "{}", db.label);
        // Newest first, with what was written (the instant kept to the microsecond:
        // the hash covers it, and verify recomputed it from the row as read).
        let page = audit::list(&store, &AuditFilter::default(), 0, 5).await.unwrap();
        assert_eq!(page.total, 12);
        assert_eq!(page.rows.iter().map(|r| r.seq).collect::<Vec<_>>(), [12, 11, 10, 9, 8]);
        let top = &page.rows[0];
        assert_eq!((top.actor.as_str(), top.action.as_str()), ("wanzhou", "person.read"));
        assert_eq!((top.address.as_deref(), top.role_label()), (Some("127.0.0.1"), Some("区县经办")));
        assert_eq!(top.detail["text"], "“引号”与\\斜杠");
        assert_eq!(top.hash, r.head_hash);
        assert!(top.at.timestamp_subsec_nanos().is_multiple_of(1000), "microsecond precision");
        assert!((Utc::now() - top.at).num_seconds().abs() < 60);
        let cli = &page.rows[1];
        assert_eq!((cli.actor.as_str(), cli.role.as_deref(), cli.address.as_deref()), ("命令行:ops", None, None));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_auditor_filters_by_actor_action_object_and_date() {
    for db in TestDb::all().await {
        let store = db.store().await;
        append_many(&store, 10).await;
        let count = |f: AuditFilter| {
            let store = store.clone();
            async move { audit::list(&store, &f, 0, 100).await.unwrap() }
        };
        let by_actor = count(AuditFilter { actor: Some("wanzhou".into()), ..Default::default() }).await;
        assert_eq!(by_actor.total, 5, "{}", db.label);
        assert!(by_actor.rows.iter().all(|r| r.actor == "wanzhou"));
        let by_action = count(AuditFilter { action: Some(AuditAction::UserPasswd), ..Default::default() }).await;
        assert_eq!(by_action.total, 5);
        let one =
            count(AuditFilter { entity: Some("person".into()), entity_id: Some("4".into()), ..Default::default() })
                .await;
        assert_eq!(one.rows.iter().map(|r| r.seq).collect::<Vec<_>>(), [4]);
        let today = (Utc::now() + Duration::hours(8)).date_naive();
        let in_range = AuditFilter { from: Some(today), to: Some(today), ..Default::default() };
        assert_eq!(count(in_range).await.total, 10, "{}", db.label);
        let yesterday = today.pred_opt().unwrap();
        assert_eq!(count(AuditFilter { to: Some(yesterday), ..Default::default() }).await.total, 0);
        assert_eq!(count(AuditFilter { from: today.succ_opt(), ..Default::default() }).await.total, 0);
        // Paging.
        let p2 = audit::list(&store, &AuditFilter::default(), 1, 4).await.unwrap();
        assert_eq!(p2.rows.iter().map(|r| r.seq).collect::<Vec<_>>(), [6, 5, 4, 3]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_entry_changed_in_the_database_is_named_by_its_number() {
    for db in TestDb::all().await {
        let store = db.store().await;
        append_many(&store, 10).await;
        sql(&store, r#"UPDATE audit_log SET detail = '{"n":0}' WHERE seq = 5"#).await;
        let r = audit::verify(&store).await.unwrap();
        assert_eq!((r.checked, r.broken), (4, broken(5, Breach::Altered)), "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_hash_or_a_broken_link_is_named_by_its_number() {
    for db in TestDb::all().await {
        let store = db.store().await;
        append_many(&store, 6).await;
        sql(&store, "UPDATE audit_log SET hash = 'f00d' WHERE seq = 3").await;
        let r = audit::verify(&store).await.unwrap();
        assert_eq!(r.broken, broken(3, Breach::Altered), "{}", db.label);
        // Put the hash back (entry 4 remembers it): whole again.
        sql(&store, "UPDATE audit_log SET hash = (SELECT prev_hash FROM audit_log WHERE seq = 4) WHERE seq = 3").await;
        assert_eq!(audit::verify(&store).await.unwrap().broken, None, "{}", db.label);
        // What a forger who rewrote entry 3 with a fresh hash leaves behind: entry 4
        // no longer points at entry 3.
        sql(&store, "UPDATE audit_log SET prev_hash = 'f00d' WHERE seq = 4").await;
        let r = audit::verify(&store).await.unwrap();
        assert_eq!((r.checked, r.broken), (3, broken(4, Breach::Unlinked)), "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_entry_in_the_middle_is_named_as_missing() {
    for db in TestDb::all().await {
        let store = db.store().await;
        append_many(&store, 10).await;
        sql(&store, "DELETE FROM audit_log WHERE seq = 6").await;
        let r = audit::verify(&store).await.unwrap();
        assert_eq!((r.checked, r.broken), (5, broken(6, Breach::Missing)), "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_the_last_entry_or_winding_back_the_head_is_detected() {
    for db in TestDb::all().await {
        let store = db.store().await;
        append_many(&store, 10).await;
        sql(&store, "DELETE FROM audit_log WHERE seq = 10").await;
        let r = audit::verify(&store).await.unwrap();
        assert_eq!((r.checked, r.broken), (9, broken(10, Breach::Missing)), "{}", db.label);
        // Winding the head back over the deletion leaves its hash pointing elsewhere.
        sql(&store, "UPDATE audit_head SET seq = 9").await;
        let r = audit::verify(&store).await.unwrap();
        assert_eq!(r.broken, broken(9, Breach::HeadMismatch), "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn verification_streams_page_by_page_and_finds_a_gap_at_a_page_boundary() {
    for db in TestDb::all().await {
        let store = db.store().await;
        append_many(&store, 5_100).await;
        assert_eq!(audit::verify(&store).await.unwrap().checked, 5_100, "{}", db.label);
        sql(&store, "DELETE FROM audit_log WHERE seq = 5001").await;
        let r = audit::verify(&store).await.unwrap();
        assert_eq!((r.checked, r.broken), (5_000, broken(5_001, Breach::Missing)), "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_writers_keep_the_chain_whole_and_the_numbers_gap_free() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let mut tasks = Vec::new();
        for t in 0..8u64 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..50u64 {
                    audit::record(&store, &entry(t * 1000 + i)).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let r = audit::verify(&store).await.unwrap();
        assert_eq!((r.checked, r.head_seq, r.broken), (400, 400, None), "{}", db.label);
        let (n, lo, hi) = (
            scalar(&store, "SELECT COUNT(*) FROM audit_log").await,
            scalar(&store, "SELECT MIN(seq) FROM audit_log").await,
            scalar(&store, "SELECT MAX(seq) FROM audit_log").await,
        );
        assert_eq!((n, lo, hi), (400, 1, 400), "{}: gap-free", db.label);
    }
}

fn wanzhou_staff() -> Context {
    Context {
        actor: Actor { user_id: Some(3), username: "wanzhou".into(), role: Some(Role::DistrictStaff) },
        address: Some("10.0.0.8".into()),
        user_agent: Some("test-agent".into()),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_writes_one_entry_with_it_and_a_failed_or_empty_change_writes_none() {
    for db in TestDb::all().await {
        let store = db.store().await;
        import(&store, vec![row(2, 1, state(1, "500101001001"), 1)]).await;
        let id =
            jiujin_store::registry::list_persons(&store, Scope::City, &Default::default(), 0, 1).await.unwrap().rows[0]
                .id;
        let head = || async { audit::verify(&store).await.unwrap().head_seq };
        let before = head().await;
        let wanzhou = Scope::Region(region("500101"));
        let mut s = state(1, "500101001001");
        s.status = EmploymentStatus::Unemployed;
        s.work_province = None;
        let by = wanzhou_staff();
        let n = apply_change(&store, wanzhou, id, &s, None, date("2025-07-01"), EventSource::Staff, &by).await.unwrap();
        assert_eq!(n, Some(1), "{}", db.label);
        assert_eq!(head().await, before + 1, "{}: exactly one entry", db.label);
        let last = &audit::list(&store, &AuditFilter::default(), 0, 1).await.unwrap().rows[0];
        assert_eq!((last.action.as_str(), last.entity.as_str()), ("person.update", "person"));
        assert_eq!(last.entity_id, Some(id.to_string()));
        assert_eq!((last.actor.as_str(), last.address.as_deref()), ("wanzhou", Some("10.0.0.8")));
        let changes = last.detail["changes"].as_array().unwrap();
        let status = changes.iter().find(|c| c["field"] == "status").unwrap();
        assert_eq!((status["old"].as_str(), status["new"].as_str()), (Some("市外就业"), Some("失业")));
        let events_after = scalar(&store, "SELECT COUNT(*) FROM person_events").await;

        // The same state again changes nothing and records nothing.
        let n = apply_change(&store, wanzhou, id, &s, None, date("2025-07-02"), EventSource::Staff, &by).await.unwrap();
        assert_eq!((n, head().await), (Some(0), before + 1), "{}", db.label);
        // Outside the scope: absent, nothing recorded.
        let kaizhou = Scope::Region(region("500154"));
        let other = state(1, "500101001001");
        let n =
            apply_change(&store, kaizhou, id, &other, None, date("2025-07-02"), EventSource::Staff, &by).await.unwrap();
        assert_eq!((n, head().await), (None, before + 1));
        // A change that fails half-way (its events cannot be written) leaves no
        // entry and no trace of the change.
        sql(&store, "ALTER TABLE person_events RENAME TO person_events_away").await;
        let mut t = s.clone();
        t.name = "改名".into();
        let res = apply_change(&store, wanzhou, id, &t, None, date("2025-07-03"), EventSource::Staff, &by).await;
        assert!(res.is_err(), "{}", db.label);
        sql(&store, "ALTER TABLE person_events_away RENAME TO person_events").await;
        let r = audit::verify(&store).await.unwrap();
        assert_eq!((r.head_seq, r.broken), (before + 1, None), "{}: nothing appended", db.label);
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM person_events").await, events_after);
        let p = jiujin_store::registry::person(&store, Scope::City, id).await.unwrap().unwrap();
        assert_eq!(p.state.name, "测试1", "{}: the change rolled back", db.label);
        // The next change takes the next number: no gap was left.
        apply_change(&store, wanzhou, id, &t, None, date("2025-07-03"), EventSource::Staff, &tester()).await.unwrap();
        let r = audit::verify(&store).await.unwrap();
        assert_eq!((r.checked, r.head_seq, r.broken), (before + 2, before + 2, None), "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn entries_committed_together_are_chained_one_by_one() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let base = audit::verify(&store).await.unwrap().head_seq;
        audit::record(&store, &entry(1)).await.unwrap();
        let batch: Vec<AuditEntry> = (2..=6).map(entry).collect();
        let refs: Vec<&AuditEntry> = batch.iter().collect();
        let seqs = audit::record_many(&store, &refs).await.unwrap();
        assert_eq!(seqs, (base + 2..=base + 6).collect::<Vec<_>>(), "{}", db.label);
        assert_eq!(audit::record(&store, &entry(7)).await.unwrap(), base + 7);
        let r = audit::verify(&store).await.unwrap();
        assert_eq!((r.checked, r.head_seq, r.broken), (base + 7, base + 7, None), "{}", db.label);
        // An entry in the middle of a batch, altered, is named.
        let middle = base + 4;
        sql(&store, &format!("UPDATE audit_log SET actor = 'mallory' WHERE seq = {middle}")).await;
        assert_eq!(audit::verify(&store).await.unwrap().broken, broken(middle, Breach::Altered), "{}", db.label);
    }
}
