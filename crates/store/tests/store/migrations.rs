//! Migrations apply to an empty database of each kind, are idempotent, and load the
//! reference regions.

use jiujin_store::entity::region;
use jiujin_store::testing::TestDb;
use sea_orm::{EntityTrait, PaginatorTrait};

#[tokio::test(flavor = "multi_thread")]
async fn migrations_apply_to_an_empty_database_of_each_kind_and_load_the_regions() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let applied = store.applied_migrations().await.unwrap();
        assert_eq!(
            applied,
            [
                "m0001_registry",
                "m0002_access",
                "m0003_phone_index",
                "m0004_audit",
                "m0005_tokens",
                "m0006_name_index",
                "m0007_web_import",
                "m0008_policy_payouts",
                "m0009_notices",
                "m0010_person_facts",
                "m0011_jobs",
                "m0012_gig_and_fairs",
                "m0013_wanted_kind",
                "m0014_service_contacts",
                "m0015_training",
                "m0016_brokers",
                "m0017_support",
                "m0018_difficulty",
                "m0019_startups",
                "m0020_household_index",
                "m0021_wages",
                "m0022_monitoring",
                "m0023_counter_storage",
                "m0024_labor_brands"
            ],
            "{}",
            db.label
        );
        // 38 + 1,031 + 11,270 Chongqing divisions and 34 provinces (重庆 is one of them).
        let n = region::Entity::find().count(store.conn()).await.unwrap();
        assert_eq!(n, 38 + 1_031 + 11_270 + 34, "{}", db.label);
        // Running again changes nothing.
        store.migrate().await.unwrap();
        assert_eq!(store.applied_migrations().await.unwrap().len(), 24);
        assert_eq!(region::Entity::find().count(store.conn()).await.unwrap(), n);
        // PostgreSQL leaves room in the counters' pages for in-place (HOT) updates.
        if db.label == "postgres" {
            let options: Option<Vec<String>> = sea_orm::ConnectionTrait::query_one(
                store.conn(),
                sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Postgres,
                    "SELECT reloptions FROM pg_class WHERE relname = 'mon_counts'",
                ),
            )
            .await
            .unwrap()
            .unwrap()
            .try_get("", "reloptions")
            .unwrap();
            assert!(options.unwrap_or_default().contains(&"fillfactor=70".to_string()), "{}", db.label);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_remembers_its_key_and_refuses_another() {
    for db in TestDb::all().await {
        let store = db.store().await;
        store.verify_key_check("aaaa", "k1").await.unwrap();
        store.verify_key_check("aaaa", "k1").await.unwrap();
        let e = store.verify_key_check("bbbb", "k2").await.unwrap_err();
        assert!(e.to_string().contains("密钥"), "{}: {e}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_lease_is_held_by_one_holder_until_released_or_expired() {
    use chrono::Duration;
    use jiujin_store::locks::BatchLock;
    for db in TestDb::all().await {
        let store = db.store().await;
        let a = BatchLock::try_acquire(&store, "push", Duration::minutes(5)).await.unwrap().expect("free");
        assert!(BatchLock::try_acquire(&store, "push", Duration::minutes(5)).await.unwrap().is_none(), "{}", db.label);
        assert!(
            BatchLock::try_acquire(&store, "warnings", Duration::minutes(5)).await.unwrap().is_some(),
            "other kinds are independent"
        );
        assert!(a.renew(&store, Duration::minutes(10)).await.unwrap());
        a.release(&store).await.unwrap();
        let b = BatchLock::try_acquire(&store, "push", Duration::seconds(-1)).await.unwrap().expect("released");
        // `b` expired at once (a holder that died): the next contender takes over.
        let c = BatchLock::try_acquire(&store, "push", Duration::minutes(5)).await.unwrap();
        assert!(c.is_some(), "{}: an expired lease is taken over", db.label);
        assert!(!b.renew(&store, Duration::minutes(5)).await.unwrap(), "the old holder has lost it");
    }
}
