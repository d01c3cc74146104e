//! Sessions: the lookup in front of every request, read on SQLite through rusqlite on
//! the worker thread (`inline`), must answer exactly what sqlx answers.

use chrono::{Duration, Utc};
use jiujin_domain::access::Role;
use jiujin_store::access::{create_session, create_user, disable_user, session_account, Binding};
use jiujin_store::testing::TestDb;
use jiujin_store::Store;

use super::{region, tester};

/// The inline session read (multi-thread runtime) and sqlx (current-thread runtime)
/// agree for a live session, an unknown token, an expired one, an idle one and one
/// whose account was disabled; and the inline path is the one taken.
#[test]
fn inline_session_lookup_agrees_with_sqlx() {
    let db = TestDb::sqlite();
    let multi = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let single = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let now = Utc::now();
    let store = multi.block_on(async {
        let store = db.store().await;
        let binding = Binding { region: Some(region("500101")), ..Default::default() };
        let a = create_user(&store, "wz", "hash", Role::DistrictStaff, &binding, &tester()).await.unwrap();
        let b = create_user(&store, "kz", "hash", Role::CityStaff, &Binding::default(), &tester()).await.unwrap();
        create_session(&store, "live", &a, "csrf-a", now + Duration::hours(8), &tester()).await.unwrap();
        create_session(&store, "expired", &a, "csrf-x", now - Duration::seconds(1), &tester()).await.unwrap();
        create_session(&store, "disabled", &b, "csrf-b", now + Duration::hours(8), &tester()).await.unwrap();
        assert!(disable_user(&store, "kz", &tester()).await.unwrap());
        store
    });
    let other = single.block_on(Store::connect(&db.url)).unwrap();
    let idle = Duration::minutes(30);
    let before = jiujin_store::registry::inline_reads();
    // `expired` is deleted by whichever path reads it first, so each path asks once.
    for (token, live) in [("live", true), ("nobody", false), ("disabled", false)] {
        let a = multi.block_on(session_account(&store, token, now, idle)).unwrap();
        let b = single.block_on(session_account(&other, token, now, idle)).unwrap();
        assert_eq!(a.is_some(), live, "{token}");
        assert_eq!(a, b, "{token}");
    }
    assert_eq!(multi.block_on(session_account(&store, "expired", now, idle)).unwrap(), None);
    let (account, csrf) = multi.block_on(session_account(&store, "live", now, idle)).unwrap().unwrap();
    assert_eq!((account.username.as_str(), csrf.as_str()), ("wz", "csrf-a"));
    assert_eq!(account.role, Role::DistrictStaff);
    assert_eq!(account.region, Some(region("500101")));
    // Idle for longer than the limit: ended, on both paths.
    let later = now + Duration::minutes(31);
    assert_eq!(multi.block_on(session_account(&store, "live", later, idle)).unwrap(), None);
    assert_eq!(single.block_on(session_account(&other, "live", later, idle)).unwrap(), None);
    assert!(jiujin_store::registry::inline_reads() - before >= 5, "the inline path was taken");
}
