//! The 免申即享 run end to end against real databases (SQLite always, PostgreSQL when
//! `JIUJIN_TEST_PG` is set): proposals once per entitlement and period, also when a
//! run is repeated, interrupted and re-run, or two run at once; decisions inside the
//! caller's scope; approved payouts in the ledger once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;
use jiujin_app::policy::{run_batch, PolicyError, RunRequest, RunSummary};
use jiujin_app::registry::import::{import_workers, ImportRequest};
use jiujin_app::Keys;
use jiujin_domain::identity::IdNumber;
use jiujin_domain::policy::Library;
use jiujin_domain::RegionCode;
use jiujin_store::entity::{ledger_entry, payout, policy_run};
use jiujin_store::policy::{decide, payouts, Decision, PayoutFilter};
use jiujin_store::testing::TestDb;
use jiujin_store::{Scope, Store};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

mod facts;
mod registers;

const HEADER: &str = "姓名,公民身份号码,联系电话,户籍地区划代码,现居住地区划代码,就业状态,就业地区划代码,务工省份,行业,职业,技能等级,期望月薪,人员类别,参保险种,登记失业日期,服务需求,家庭户编号";

/// A test policy the registry alone can decide: 500 yuan a year per 低保 household.
const POLICY: &str = include_str!("../../../../tests/fixtures/test-dibao-allowance.toml");

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn region(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn tester() -> jiujin_store::audit::Context {
    jiujin_store::audit::Context::local(jiujin_store::audit::Actor::command_line(Some("test")))
}

fn library() -> Library {
    Library::load(&[("test-dibao-allowance.toml", POLICY)]).unwrap()
}

/// 万州: households A (two 低保 members) and B (one), one person without a household
/// number (低保), two not 低保. 开州: household C (three 低保 members), one not 低保.
/// One 开州 hukou living in 万州 (低保, household D): paid through 开州 only.
async fn city(db: &TestDb) -> Store {
    let store = db.store().await;
    let keys = Keys::from_master(&[5u8; 32]);
    store.verify_key_check(keys.check_value(), "test").await.unwrap();
    let rows = [
        ("万甲", "500101", "500101001001", "", "低保", "A"),
        ("万乙", "500101", "500101001001", "", "低保", "A"),
        ("万丙", "500101", "500101001002", "", "低保", "B"),
        ("万丁", "500101", "500101001002", "", "低保", ""),
        ("万戊", "500101", "500101001002", "", "", "E"),
        ("万己", "500101", "500101001001", "", "脱贫人口", "F"),
        ("开甲", "500154", "500154001001", "", "低保", "C"),
        ("开乙", "500154", "500154001001", "", "低保", "C"),
        ("开丙", "500154", "500154001001", "", "低保", "C"),
        ("开丁", "500154", "500154001001", "", "", "G"),
        ("开戊", "500154", "500154001001", "500101001001", "低保", "D"),
    ];
    let mut text = format!("{HEADER}\n");
    for (i, (name, addr, hukou, residence, flags, household)) in rows.iter().enumerate() {
        let id = IdNumber::from_parts(addr, date("1980-03-04"), 100 + i as u16).unwrap();
        text.push_str(&format!("{name},{id},,{hukou},{residence},失业,,,,,,,{flags},,,,{household}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.csv");
    std::fs::write(&file, text).unwrap();
    let req = ImportRequest {
        path: &file,
        rejects: None,
        scope: Scope::City,
        as_of: date("2025-06-01"),
        actor: None,
        by: tester(),
        batch_size: 100,
        cancel: None,
        progress: None,
    };
    assert_eq!(import_workers(&store, &keys, req).await.unwrap().counts.inserted, rows.len() as u64);
    store
}

async fn run(store: &Store, lib: &Library, at: &str, on: &str, page: u64) -> Result<RunSummary, PolicyError> {
    let req = RunRequest {
        library: lib,
        policies: jiujin_app::policy::Which::One("test-dibao-allowance"),
        region: region(at),
        date: date(on),
        by: tester(),
        page_size: page,
        cancel: None,
        progress: None,
    };
    run_batch(store, req).await
}

async fn count(store: &Store, at: &str) -> u64 {
    let (lo, hi) = region(at).subtree_range();
    payout::Entity::find().filter(payout::Column::Region.between(lo, hi)).count(store.conn()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_proposes_each_entitlement_once_even_when_repeated_or_concurrent() {
    for db in TestDb::all().await {
        let store = city(&db).await;
        let lib = library();
        let l = db.label;
        // 万州 by hukou: six persons; 低保 households A, B and 万丁 alone (no number).
        let first = run(&store, &lib, "500101", "2025-06-01", 2).await.unwrap();
        assert_eq!(first.status, "done", "{l}");
        assert_eq!(first.counts.evaluated, 6, "{l}: hukou only, not the 开州 resident");
        assert_eq!((first.counts.proposed, first.counts.already_proposed), (3, 1), "{l}: A's second member");
        assert_eq!(first.counts.not_eligible, 2, "{l}");
        let amounts: Vec<i64> =
            payout::Entity::find().all(store.conn()).await.unwrap().iter().map(|p| p.amount_fen).collect();
        assert_eq!(amounts, vec![50_000; 3], "{l}: 500 yuan each");
        // Again, and later in the same year: nothing new.
        for on in ["2025-06-01", "2025-11-30"] {
            let again = run(&store, &lib, "500101", on, 100).await.unwrap();
            assert_eq!((again.counts.proposed, again.counts.already_proposed), (0, 4), "{l} {on}");
        }
        assert_eq!(count(&store, "500101").await, 3, "{l}");
        // Two runs over 开州 at once: households C and D, each once.
        let (a, b) =
            tokio::join!(run(&store, &lib, "500154", "2025-06-01", 1), run(&store, &lib, "500154", "2025-06-01", 1));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.counts.proposed + b.counts.proposed, 2, "{l}: {a:?} {b:?}");
        assert_eq!(count(&store, "500154").await, 2, "{l}");
        // Outside the policy's dates: refused, nothing written.
        let err = run(&store, &lib, "500101", "2026-01-01", 100).await.unwrap_err();
        assert!(err.to_string().contains("不在有效期内"), "{l}: {err}");
        // An unknown policy, a policy without rules.
        let req = RunRequest {
            library: &lib,
            policies: jiujin_app::policy::Which::One("nope"),
            region: region("500101"),
            date: date("2025-06-01"),
            by: tester(),
            page_size: 10,
            cancel: None,
            progress: None,
        };
        assert!(matches!(run_batch(&store, req).await, Err(PolicyError::UnknownPolicy(_))), "{l}");
        let runs = policy_run::Entity::find().all(store.conn()).await.unwrap();
        assert_eq!(runs.len(), 5, "{l}: refused runs leave no record");
        assert!(runs.iter().all(|r| r.status == "done"), "{l}");
        let audited = jiujin_store::audit::list(&store, &Default::default(), 0, 100).await.unwrap();
        let n = audited.rows.iter().filter(|e| e.action == "policy.run").count();
        assert_eq!(n, 5, "{l}: one audit entry per run");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_run_leaves_whole_pages_and_a_rerun_completes_it() {
    for db in TestDb::all().await {
        let store = city(&db).await;
        let lib = library();
        let l = db.label;
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = cancel.clone();
        let after_first = move |_: &jiujin_store::policy::RunCounts| stop.store(true, Ordering::SeqCst);
        let req = RunRequest {
            library: &lib,
            policies: jiujin_app::policy::Which::One("test-dibao-allowance"),
            region: region("500101"),
            date: date("2025-06-01"),
            by: tester(),
            page_size: 2,
            cancel: Some(cancel),
            progress: Some(&after_first),
        };
        let cut = run_batch(&store, req).await.unwrap();
        assert_eq!(cut.status, "interrupted", "{l}");
        // One window of 2 ids: whole, and short of the district's 6 persons.
        assert!((1..=2).contains(&cut.counts.evaluated), "{l}: one whole window: {:?}", cut.counts);
        assert_eq!(count(&store, "500101").await, cut.counts.proposed, "{l}");
        let rest = run(&store, &lib, "500101", "2025-06-01", 2).await.unwrap();
        assert_eq!(rest.status, "done", "{l}");
        assert_eq!(rest.counts.evaluated, 6, "{l}");
        assert_eq!(count(&store, "500101").await, 3, "{l}: complete, and once each");
        assert_eq!(cut.counts.proposed + rest.counts.proposed, 3, "{l}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn decisions_stay_in_scope_and_approved_payouts_reach_the_ledger_once() {
    for db in TestDb::all().await {
        let store = city(&db).await;
        let lib = library();
        let l = db.label;
        run(&store, &lib, "500101", "2025-06-01", 100).await.unwrap();
        run(&store, &lib, "500154", "2025-06-01", 100).await.unwrap();
        let wanzhou = Scope::Region(region("500101"));
        let kaizhou = Scope::Region(region("500154"));
        let (mine, total, sum) = payouts(&store, wanzhou, &PayoutFilter::default(), 0, 50).await.unwrap();
        assert_eq!((mine.len(), total, sum), (3, 3, 150_000), "{l}");
        let (theirs, _, _) = payouts(&store, kaizhou, &PayoutFilter::default(), 0, 50).await.unwrap();
        assert_eq!(theirs.len(), 2, "{l}");
        // 万州 staff cannot decide 开州's payouts: nothing happens, nothing is logged.
        let their_ids: Vec<i64> = theirs.iter().map(|p| p.id).collect();
        assert_eq!(decide(&store, wanzhou, &their_ids, Decision::Approve, "核实无误", &tester()).await.unwrap(), 0);
        assert_eq!(ledger_entry::Entity::find().count(store.conn()).await.unwrap(), 0, "{l}");
        // Approve two, reject one.
        let ids: Vec<i64> = mine.iter().map(|p| p.id).collect();
        assert_eq!(decide(&store, wanzhou, &ids[..2], Decision::Approve, "核实无误", &tester()).await.unwrap(), 2);
        assert_eq!(decide(&store, wanzhou, &ids[2..], Decision::Reject, "已迁出", &tester()).await.unwrap(), 1);
        // Deciding again changes nothing: a payout reaches the ledger once.
        assert_eq!(decide(&store, wanzhou, &ids, Decision::Approve, "再次", &tester()).await.unwrap(), 0, "{l}");
        let ledger = jiujin_store::policy::ledger(&store, wanzhou).await.unwrap();
        assert_eq!(ledger.len(), 2, "{l}");
        assert!(ledger.iter().all(|(e, p)| e.amount_fen == p.amount_fen && p.status == "approved"), "{l}");
        assert!(jiujin_store::policy::ledger(&store, kaizhou).await.unwrap().is_empty(), "{l}");
        let f = PayoutFilter { status: Some("rejected".into()), ..Default::default() };
        let (rejected, _, _) = payouts(&store, wanzhou, &f, 0, 50).await.unwrap();
        assert_eq!(rejected.len(), 1, "{l}");
        assert_eq!(rejected[0].reason.as_deref(), Some("已迁出"), "{l}");
        // Persons read by ids stay inside the scope.
        let all_ids: Vec<i64> = mine.iter().chain(theirs.iter()).filter_map(|p| p.person_id).collect();
        let seen = jiujin_store::registry::persons_by_ids(&store, wanzhou, &all_ids).await.unwrap();
        // 万州's three payees, and 开戊 (开州 hukou, living in 万州); not household C.
        assert_eq!(seen.len(), 4, "{l}");
        let in_wanzhou = |r: RegionCode| r.short().starts_with("500101");
        assert!(
            seen.iter().all(|p| in_wanzhou(p.state.hukou_region) || p.state.residence_region.is_some_and(in_wanzhou)),
            "{l}"
        );
        // A worker sees only their own.
        let own = Scope::Person(mine[0].person_id.unwrap());
        assert_eq!(payouts(&store, own, &PayoutFilter::default(), 0, 50).await.unwrap().1, 1, "{l}");
        // The bank's file (full numbers) and the display copy (masked): approved only.
        let keys = Keys::from_master(&[5u8; 32]);
        let dir = tempfile::tempdir().unwrap();
        let (full, masked) = (dir.path().join("bank.csv"), dir.path().join("copy.csv"));
        let numbers = jiujin_app::registry::export::Numbers::Full;
        let (rows, total) =
            jiujin_app::policy::bank_file(&store, &keys, &lib, wanzhou, None, numbers, &full, &tester()).await.unwrap();
        assert_eq!((rows, total), (2, 100_000), "{l}");
        let numbers = jiujin_app::registry::export::Numbers::Masked;
        jiujin_app::policy::bank_file(&store, &keys, &lib, wanzhou, None, numbers, &masked, &tester()).await.unwrap();
        let (full, masked) = (std::fs::read_to_string(&full).unwrap(), std::fs::read_to_string(&masked).unwrap());
        assert_eq!(full.lines().count(), 3, "{l}: a header and two payouts: {full}");
        let approved_person = ledger[0].1.person_id.unwrap();
        let p = jiujin_store::registry::person(&store, Scope::City, approved_person).await.unwrap().unwrap();
        let number = keys.decrypt_id(&p.id_cipher).unwrap();
        assert!(full.contains(&number) && full.contains(&p.state.name), "{l}: the bank's file names the payee");
        assert!(!masked.contains(&number) && masked.contains("********"), "{l}: the display copy is masked");
        assert!(!full.contains("万戊") && !full.contains("开甲"), "{l}: approved, in scope, only");
        let audited = jiujin_store::audit::list(&store, &Default::default(), 0, 100).await.unwrap();
        assert_eq!(audited.rows.iter().filter(|e| e.action == "payout.decide").count(), 2, "{l}");
        let exports: Vec<_> = audited.rows.iter().filter(|e| e.action == "export.run").collect();
        assert_eq!(exports.len(), 2, "{l}: both files are audited");
        assert!(exports.iter().all(|e| e.detail["kind"] == "bank_file" && e.detail["file_sha256"].is_string()), "{l}");
        assert!(jiujin_store::audit::verify(&store).await.unwrap().broken.is_none(), "{l}: chain intact");
    }
}

/// What-if: a draft amount changes the budget and lists every beneficiary as a gainer
/// (raised) or a loser (cut to nothing); unknown parameters and wrong types are
/// refused; nothing is proposed.
#[tokio::test(flavor = "multi_thread")]
async fn what_if_compares_beneficiaries_and_budget_before_and_after_a_draft() {
    use jiujin_app::policy::what_if;
    for db in TestDb::all().await {
        let store = city(&db).await;
        let lib = library();
        let l = db.label;
        let on = date("2025-06-01");
        let w = what_if(&store, &lib, "test-dibao-allowance", region("500101"), on, ("amount", "800元"), &tester())
            .await
            .unwrap();
        assert_eq!(w.evaluated, 6, "{l}");
        assert_eq!((w.beneficiaries_before, w.budget_before_fen), (3, 150_000), "{l}");
        assert_eq!((w.beneficiaries_after, w.budget_after_fen), (3, 240_000), "{l}");
        assert_eq!((w.gainers.len(), w.losers.len()), (3, 0), "{l}");
        assert!(w.gainers.iter().all(|c| c.before_fen == Some(50_000) && c.after_fen == Some(80_000)), "{l}");
        let w = what_if(&store, &lib, "test-dibao-allowance", region("500000"), on, ("amount", "0元"), &tester())
            .await
            .unwrap();
        assert_eq!((w.beneficiaries_before, w.beneficiaries_after, w.budget_after_fen), (5, 0, 0), "{l}");
        assert_eq!(w.losers.len(), 5, "{l}: A, B, 万丁, C, D");
        for (name, value, expected) in [("nope", "1元", "没有参数“nope”"), ("amount", "2/3", "应为")] {
            let e = what_if(&store, &lib, "test-dibao-allowance", region("500101"), on, (name, value), &tester())
                .await
                .unwrap_err();
            assert!(e.to_string().contains(expected), "{l}: {e}");
        }
        assert_eq!(payout::Entity::find().count(store.conn()).await.unwrap(), 0, "{l}: a what-if writes no payout");
    }
}

/// Subscriptions: the first sync of a database is a baseline; then a changed policy
/// notifies the subscribers whose tag or target it matches, once; a new policy is
/// announced; a decided payout notifies the worker account of its person.
#[tokio::test(flavor = "multi_thread")]
async fn subscribers_hear_of_new_and_changed_policies_and_workers_of_their_payouts() {
    use jiujin_app::policy::sync_library;
    use jiujin_domain::access::Role;
    use jiujin_store::access::{create_user, Binding};
    use jiujin_store::notices::{inbox, mark_read, subscribe};
    for db in TestDb::all().await {
        let store = city(&db).await;
        let l = db.label;
        let staff = Binding { region: Some(region("500101")), ..Default::default() };
        let a = create_user(&store, "a", "h", Role::DistrictStaff, &staff, &tester()).await.unwrap();
        let b = create_user(&store, "b", "h", Role::CityStaff, &Binding::default(), &tester()).await.unwrap();
        assert!(subscribe(&store, a.id, "测试", "").await.unwrap());
        assert!(!subscribe(&store, a.id, "测试", "").await.unwrap(), "{l}: once");
        assert!(subscribe(&store, b.id, "", "employer").await.unwrap());
        let first = sync_library(&store, &library()).await.unwrap().unwrap();
        assert_eq!((first.added.len(), first.notices), (1, 0), "{l}: a baseline notifies nobody");
        // The amount changes: the tag's subscriber hears of it, the employer one not.
        let changed = POLICY.replace("value = \"500元\"", "value = \"600元\"");
        let lib = Library::load(&[("test-dibao-allowance.toml", changed.as_str())]).unwrap();
        let s = sync_library(&store, &lib).await.unwrap().unwrap();
        assert_eq!((s.changed.len(), s.notices), (1, 1), "{l}: {s:?}");
        let (notes, unread) = inbox(&store, a.id, 10).await.unwrap();
        assert_eq!(unread, 1, "{l}");
        assert!(
            notes[0].title.contains("政策调整") && notes[0].link.as_deref() == Some("/policies/test-dibao-allowance")
        );
        assert_eq!(inbox(&store, b.id, 10).await.unwrap().1, 0, "{l}: not for employers");
        assert_eq!(sync_library(&store, &lib).await.unwrap().unwrap().notices, 0, "{l}: nothing new the second time");
        // A new policy for employers reaches b.
        let other = POLICY
            .replace("test-dibao-allowance", "test-employer-award")
            .replace("target = \"个人\"", "target = \"用人单位\"")
            .replace("per = \"家庭户\"", "per = \"用人单位\"")
            .replace("test = \"low_income\"", "test = \"small_micro_enterprise\"");
        let lib = Library::load(&[
            ("test-dibao-allowance.toml", changed.as_str()),
            ("test-employer-award.toml", other.as_str()),
        ])
        .unwrap();
        let s = sync_library(&store, &lib).await.unwrap().unwrap();
        assert_eq!(s.added, vec!["test-employer-award".to_string()], "{l}");
        let (notes, _) = inbox(&store, b.id, 10).await.unwrap();
        assert!(notes.len() == 1 && notes[0].title.contains("新增政策"), "{l}: {notes:?}");
        // a's tag 测试 matches the new policy too: the change and the addition.
        assert_eq!(mark_read(&store, a.id).await.unwrap(), 2, "{l}");
        assert_eq!(inbox(&store, a.id, 10).await.unwrap().1, 0);

        // A worker account bound to a person hears of its payout's decision.
        run(&store, &library(), "500101", "2025-06-01", 100).await.unwrap();
        let (mine, _, _) = payouts(&store, Scope::City, &PayoutFilter::default(), 0, 10).await.unwrap();
        let person = mine[0].person_id.unwrap();
        let bound = Binding { person_id: Some(person), ..Default::default() };
        let w = create_user(&store, "w", "h", Role::Worker, &bound, &tester()).await.unwrap();
        decide(&store, Scope::City, &[mine[0].id], Decision::Approve, "核实无误", &tester()).await.unwrap();
        let (notes, unread) = inbox(&store, w.id, 10).await.unwrap();
        assert_eq!(unread, 1, "{l}");
        assert!(notes[0].body.contains("500 元") && notes[0].title.contains("批准"), "{l}: {notes:?}");
    }
}
