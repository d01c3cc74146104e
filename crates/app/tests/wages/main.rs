//! Wage-arrears warnings end to end against real databases (SQLite always, PostgreSQL
//! when `JIUJIN_TEST_PG` is set): a project registered through the form, its roster,
//! days and payroll recorded from rows, the daily run raising, updating (not
//! duplicating), re-grading and resolving warnings, their handling and escalation,
//! the region scope of inspectors, complaints clustering and proven arrears putting
//! the employer on the 失信 list with its way off.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use jiujin_app::wages::{self, rows, ComplaintForm, ProjectForm, WageError};
use jiujin_domain::identity::{CreditCode, IdNumber};
use jiujin_domain::refdata::RefData;
use jiujin_domain::wages::rules::embedded;
use jiujin_domain::wages::{Check, Grade, WarningState};
use jiujin_domain::RegionCode;
use jiujin_store::testing::TestDb;
use jiujin_store::wages::{Step, WarningFilter};
use jiujin_store::{Scope, Store};
use sea_orm::ConnectionTrait;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn tester() -> jiujin_store::audit::Context {
    jiujin_store::audit::Context::local(jiujin_store::audit::Actor::command_line(Some("test")))
}

fn uscc(n: u8) -> String {
    let body = format!("MA{:06}", n);
    CreditCode::from_parts("91", "500101", &body).unwrap().as_str().to_string()
}

fn id(n: u16) -> String {
    IdNumber::from_parts("500101", date("1980-03-01"), n).unwrap().as_str().to_string()
}

fn s(x: &str) -> String {
    x.to_string()
}

fn wanzhou() -> Scope {
    Scope::Region(RegionCode::parse("500101").unwrap())
}

fn kaizhou() -> Scope {
    Scope::Region(RegionCode::parse("500154").unwrap())
}

async fn count(store: &Store, sql: &str) -> i64 {
    let r = store
        .conn()
        .query_one(sea_orm::Statement::from_string(store.backend(), format!("SELECT COUNT(*) AS n FROM {sql}")))
        .await
        .unwrap()
        .unwrap();
    r.try_get::<i64>("", "n").unwrap()
}

/// A project in 万州 (contract 2,000,000: no account or deposit required) with two
/// workers at 300 yuan a day, October's days, and a payroll paid on the 15 November
/// payday for one of them only.
async fn project(store: &Store, keys: &jiujin_app::Keys) -> i64 {
    let refdata = RefData::embedded().unwrap();
    let form = ProjectForm {
        code: s("GC-TEST-1"),
        name: s("万州测试安置房"),
        region: s("500101001"),
        address: s("高笋塘街道"),
        builder_code: uscc(1),
        builder_name: s("万州建设投资公司"),
        contractor_code: uscc(2),
        contractor_name: s("重庆测试建工"),
        contract_value: s("2000000"),
        contract_on: s("2026-01-01"),
        start_on: s("2026-01-10"),
        end_on: s("2027-06-30"),
        payday: s("15"),
        monthly_labor_cost: s(""),
        account_opened_on: s("2026-01-05"),
        notice_board_on: s("2026-01-10"),
    };
    // Outside the caller's region: refused, nothing written.
    let e = wages::register_project(store, refdata, kaizhou(), &form, &tester()).await.unwrap_err();
    assert!(matches!(&e, WageError::Invalid(m) if m[0].contains("不在您的管辖范围")), "{e}");
    let pid = wages::register_project(store, refdata, wanzhou(), &form, &tester()).await.unwrap();
    let roster: Vec<rows::RosterRow> = (1..=2)
        .map(|n| [id(n), format!("工人{n}"), s("木工班"), s(""), s("2026-09-01"), s(""), s("300"), s("1234")])
        .collect();
    let mut days: Vec<rows::DayRow> = Vec::new();
    for n in 1..=2 {
        for d in 1..=20 {
            days.push([id(n), format!("2026-10-{d:02}")]);
        }
    }
    let pay: Vec<rows::PayRow> = vec![
        [id(1), s("工人1"), s("2026-10"), s("6000"), s("6000"), s("2026-11-15"), s("1234"), s("是")],
        [id(2), s("工人2"), s("2026-10"), s("6000"), s("0"), s(""), s("1234"), s("是")],
    ];
    let entries: Vec<rows::EntryRow> = vec![
        [s("2026-11-10"), s("12000"), s("人工费用拨付"), s("BK1")],
        [s("2026-11-15"), s("-6000"), s("工资代发"), s("DF1")],
    ];
    let done = wages::record_rows(
        store,
        keys,
        wanzhou(),
        pid,
        &roster,
        &days,
        &pay,
        &entries,
        "测试",
        date("2026-11-20"),
        &tester(),
    )
    .await
    .unwrap();
    assert_eq!((done.roster, done.attendance, done.lines, done.entries), (2, 40, 2, 2));
    pid
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daily_run_raises_once_regrades_resolves_and_escalates() {
    let params = embedded();
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let keys = jiujin_app::Keys::from_master(&[7u8; 32]);
        let pid = project(&store, &keys).await;

        // The day of the payday: nothing is late yet.
        let r = wages::run(&store, &params, date("2026-11-15"), &tester()).await.unwrap();
        assert_eq!(r.counts.raised, 0, "{l}: {r:?}");

        let r = wages::run(&store, &params, date("2026-11-16"), &tester()).await.unwrap();
        assert_eq!(r.counts.raised, 1, "{l}: {r:?}");
        let live =
            jiujin_store::wages::warnings(&store, None, &WarningFilter { live: true, ..Default::default() }, 100)
                .await
                .unwrap();
        assert_eq!(live.len(), 1, "{l}");
        let w = &live[0];
        assert_eq!(
            (w.check_code.as_str(), w.grade, w.workers, w.amount.0),
            ("unpaid", Grade::Yellow.code(), 1, 600_000),
            "{l}"
        );
        assert!(w.summary.contains("逾期1天"), "{l}: {}", w.summary);
        assert!(w.responsible.contains("施工总承包单位"), "{l}");
        let first = w.id;

        // The same day again: updated, not duplicated.
        let r = wages::run(&store, &params, date("2026-11-16"), &tester()).await.unwrap();
        assert_eq!((r.counts.raised, r.counts.updated), (0, 1), "{l}");
        assert_eq!(count(&store, "wage_warnings").await, 1, "{l}");

        // Assigned the day it was raised: a yellow warning has 15 days.
        let range = wages::range(wanzhou()).unwrap();
        assert!(jiujin_store::wages::handle(
            &store,
            range,
            first,
            &Step::Assign(s("inspector1")),
            date("2026-11-16"),
            &tester()
        )
        .await
        .unwrap());
        wages::run(&store, &params, date("2026-11-29"), &tester()).await.unwrap();
        let w = jiujin_store::wages::warning(&store, None, first).await.unwrap().unwrap();
        assert_eq!((w.grade, w.escalation, w.state), (Grade::Yellow.code(), 0, WarningState::Assigned.code()), "{l}");
        // 15 days late: the same warning, now orange; orange has 7 days from the
        // assignment, so it is overdue at once and goes to the city.
        let r = wages::run(&store, &params, date("2026-11-30"), &tester()).await.unwrap();
        assert_eq!((r.counts.raised, r.counts.escalated), (0, 1), "{l}");
        let w = jiujin_store::wages::warning(&store, None, first).await.unwrap().unwrap();
        assert_eq!((w.grade, w.days_overdue, w.escalation), (Grade::Orange.code(), 15, 1), "{l}");
        // Another 7 days past that: the second level.
        wages::run(&store, &params, date("2026-11-30"), &tester()).await.unwrap();
        assert_eq!(jiujin_store::wages::warning(&store, None, first).await.unwrap().unwrap().escalation, 1, "{l}");
        wages::run(&store, &params, date("2026-12-01"), &tester()).await.unwrap();
        assert_eq!(jiujin_store::wages::warning(&store, None, first).await.unwrap().unwrap().escalation, 2, "{l}");
        let log = jiujin_store::wages::warning_log(&store, first).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|(_, _, a, _)| a.as_str()).collect();
        assert_eq!(actions, ["raise", "assign", "grade", "escalate", "escalate"], "{l}");

        // Paid: the next run resolves it.
        let pay: Vec<rows::PayRow> =
            vec![[id(2), s("工人2"), s("2026-10"), s("6000"), s("6000"), s("2026-12-09"), s("1234"), s("是")]];
        wages::record_rows(&store, &keys, wanzhou(), pid, &[], &[], &pay, &[], "补发", date("2026-12-09"), &tester())
            .await
            .unwrap();
        let r = wages::run(&store, &params, date("2026-12-09"), &tester()).await.unwrap();
        assert_eq!(r.counts.resolved, 1, "{l}: {r:?}");
        let w = jiujin_store::wages::warning(&store, None, first).await.unwrap().unwrap();
        assert_eq!(w.state, WarningState::Resolved.code(), "{l}");
        // A closed or resolved warning takes no more steps.
        assert!(!jiujin_store::wages::handle(
            &store,
            range,
            first,
            &Step::Work(s("核查")),
            date("2026-12-09"),
            &tester()
        )
        .await
        .unwrap());

        // The monthly counts kept with the days equal a recount from the days.
        let before = count(&store, "wage_attendance_months WHERE days = 20").await;
        assert_eq!(jiujin_store::wages::recount(&store).await.unwrap(), 2, "{l}");
        assert_eq!(count(&store, "wage_attendance_months WHERE days = 20").await, before, "{l}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn inspectors_see_and_work_only_their_region_and_a_closing_needs_its_note() {
    let params = embedded();
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let keys = jiujin_app::Keys::from_master(&[7u8; 32]);
        project(&store, &keys).await;
        wages::run(&store, &params, date("2026-11-16"), &tester()).await.unwrap();
        let all = jiujin_store::wages::warnings(&store, None, &WarningFilter { live: true, ..Default::default() }, 100)
            .await
            .unwrap();
        let w = all[0].id;
        let kz = wages::range(kaizhou()).unwrap();
        let seen = jiujin_store::wages::warnings(&store, kz, &WarningFilter { live: true, ..Default::default() }, 100)
            .await
            .unwrap();
        assert!(seen.is_empty(), "{l}: 开州 sees no 万州 warning");
        assert!(jiujin_store::wages::warning(&store, kz, w).await.unwrap().is_none(), "{l}");
        let e = jiujin_store::wages::handle(&store, kz, w, &Step::Work(s("x")), date("2026-11-16"), &tester()).await;
        assert!(matches!(e, Err(jiujin_store::StoreError::NotFound(_))), "{l}: {e:?}");
        assert!(wages::project_findings(&store, &params, kaizhou(), all[0].project_id.unwrap(), date("2026-11-16"))
            .await
            .is_err());
        assert!(wages::range(Scope::Person(1)).is_err(), "{l}: a worker sees no warnings");
        let wz = wages::range(wanzhou()).unwrap();
        jiujin_store::wages::handle(
            &store,
            wz,
            w,
            &Step::Close { note: s("已责令补发"), evidence: s("补发凭证") },
            date("2026-11-17"),
            &tester(),
        )
        .await
        .unwrap();
        let closed = jiujin_store::wages::warning(&store, wz, w).await.unwrap().unwrap();
        assert_eq!(closed.state, WarningState::Closed.code(), "{l}");
        assert_eq!(closed.end_evidence.as_deref(), Some("补发凭证"), "{l}");
        // Closed while the cause remains: the next run raises a new warning.
        let r = wages::run(&store, &params, date("2026-11-18"), &tester()).await.unwrap();
        assert_eq!(r.counts.raised, 1, "{l}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn attendance_for_someone_off_the_roster_is_refused_whole() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let keys = jiujin_app::Keys::from_master(&[7u8; 32]);
        let pid = project(&store, &keys).await;
        let before = count(&store, "wage_attendance").await;
        let days: Vec<rows::DayRow> = vec![[id(1), s("2026-11-02")], [id(9), s("2026-11-02")]];
        let e = wages::record_rows(
            &store,
            &keys,
            wanzhou(),
            pid,
            &[],
            &days,
            &[],
            &[],
            "考勤",
            date("2026-11-20"),
            &tester(),
        )
        .await
        .unwrap_err();
        assert!(matches!(&e, WageError::Invalid(m) if m[0].contains("考勤第2行")), "{l}: {e}");
        assert_eq!(count(&store, "wage_attendance").await, before, "{l}: nothing written");
        let bad: Vec<rows::PayRow> =
            vec![[s("123"), s("x"), s("2026-13"), s("abc"), s("0"), s(""), s("12"), s("也许")]];
        let e = wages::record_rows(
            &store,
            &keys,
            wanzhou(),
            pid,
            &[],
            &[],
            &bad,
            &[],
            "工资",
            date("2026-11-20"),
            &tester(),
        )
        .await
        .unwrap_err();
        let WageError::Invalid(m) = e else { panic!() };
        assert_eq!(m.len(), 5, "{l}: {m:?}");
        assert!(m.iter().all(|x| x.starts_with("工资支付表第1行")), "{l}: {m:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn complaints_cluster_and_proven_arrears_list_the_employer_until_it_may_leave() {
    let params = embedded();
    let refdata = RefData::embedded().unwrap();
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let keys = jiujin_app::Keys::from_master(&[7u8; 32]);
        project(&store, &keys).await;
        let form = |amount: &str| ComplaintForm {
            project_code: s("GC-TEST-1"),
            employer_code: uscc(2),
            employer_name: s("重庆测试建工"),
            region: s(""),
            name: s("工人2"),
            phone: s("13812345678"),
            amount: s(amount),
            workers: s("1"),
            description: s("10月工资未发"),
        };
        let mut ids = Vec::new();
        for (i, day) in ["2026-11-05", "2026-11-10", "2026-11-16"].iter().enumerate() {
            let person = (i == 0).then_some(42);
            ids.push(
                wages::file_complaint(&store, refdata, &params, person, &form("6000"), date(day), &tester())
                    .await
                    .unwrap(),
            );
        }
        let mine = jiujin_store::wages::complaints(&store, None, Some(42), 10).await.unwrap();
        assert_eq!(mine.len(), 1, "{l}: a worker's own");
        assert_eq!(mine[0].deadline, date("2026-11-20"), "{l}: 15 days on the fast track");
        assert_eq!(mine[0].phone_masked, "138****5678", "{l}");
        let r = wages::run(&store, &params, date("2026-11-16"), &tester()).await.unwrap();
        assert!(
            r.by_check.iter().any(|(c, n)| c == Check::ComplaintCluster.label() && *n == 2),
            "{l}: project and employer: {r:?}"
        );

        // Proven arrears: the employer is listed for 3 years.
        wages::close_complaint(
            &store,
            &params,
            wanzhou(),
            ids[0],
            Some("6000"),
            "查实拖欠，已责令支付",
            date("2026-11-20"),
            &tester(),
        )
        .await
        .unwrap();
        assert!(jiujin_store::wages::is_listed(&store, &uscc(2), date("2026-11-20")).await.unwrap(), "{l}");
        let e = wages::close_complaint(&store, &params, wanzhou(), ids[0], None, "再次", date("2026-11-21"), &tester())
            .await
            .unwrap_err();
        assert!(matches!(&e, WageError::Invalid(m) if m[0].contains("已结案")), "{l}");
        let listing = jiujin_store::wages::blacklist(&store, None).await.unwrap().pop().unwrap();
        assert_eq!(listing.until_on, date("2029-11-20"), "{l}");
        // Not yet paid: may not leave early. Paid on 1 December: from 1 June 2027.
        let e = wages::update_listing(
            &store,
            &params,
            wanzhou(),
            listing.id,
            None,
            Some("申请移出"),
            date("2026-12-01"),
            &tester(),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("满6个月"), "{l}: {e}");
        wages::update_listing(
            &store,
            &params,
            wanzhou(),
            listing.id,
            Some("2026-12-01"),
            None,
            date("2026-12-01"),
            &tester(),
        )
        .await
        .unwrap();
        let e = wages::update_listing(
            &store,
            &params,
            wanzhou(),
            listing.id,
            None,
            Some("申请移出"),
            date("2027-05-31"),
            &tester(),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("2027-06-01"), "{l}: {e}");
        // Another region's staff cannot touch it.
        assert!(wages::update_listing(
            &store,
            &params,
            kaizhou(),
            listing.id,
            None,
            Some("x"),
            date("2027-06-01"),
            &tester()
        )
        .await
        .is_err());
        wages::update_listing(
            &store,
            &params,
            wanzhou(),
            listing.id,
            None,
            Some("已清偿并作出守信承诺"),
            date("2027-06-01"),
            &tester(),
        )
        .await
        .unwrap();
        assert!(!jiujin_store::wages::is_listed(&store, &uscc(2), date("2027-06-01")).await.unwrap(), "{l}");
        // The listing made the contractor's later projects need a deposit (arrears in the past year).
        let (_, found) = wages::project_findings(&store, &params, wanzhou(), 1, date("2026-12-01")).await.unwrap();
        assert!(found.iter().any(|f| f.check == Check::DepositShort), "{l}: {found:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn files_are_imported_with_their_bad_rows_rejected_and_a_second_import_adds_nothing() {
    use jiujin_app::wages_import::{import_file, template_xlsx, FileKind};
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let keys = jiujin_app::Keys::from_master(&[7u8; 32]);
        let pid = project(&store, &keys).await;
        let dir = tempfile::tempdir().unwrap();
        let today = date("2026-11-20");
        let import = |kind: FileKind, name: &str, text: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            let rejects = dir.path().join(format!("{name}.rejects.xlsx"));
            let store = store.clone();
            let keys = keys.clone();
            async move {
                let r = import_file(&store, &keys, wanzhou(), pid, kind, &path, Some(&rejects), today, &tester()).await;
                (r, rejects)
            }
        };
        // A roster with one bad row (no entry date).
        let roster = format!(
            "公民身份号码,姓名,班组,分包单位统一社会信用代码,进场日期,退场日期,日工资（元）,工资卡尾号\n\
             {},工人3,钢筋班,,2026-11-01,,320,4321\n{},工人4,钢筋班,,,,320,4321\n",
            id(3),
            id(4)
        );
        let (r, rejects) = import(FileKind::Roster, "roster.csv", roster.clone()).await;
        let r = r.unwrap();
        assert_eq!((r.rows, r.written.roster, r.rejected.len()), (2, 1, 1), "{l}: {r:?}");
        assert_eq!(r.rejected[0].0, 3, "{l}: the file's own row number");
        assert!(r.rejected[0].1.contains("进场日期"), "{l}: {:?}", r.rejected);
        assert!(std::fs::metadata(&rejects).unwrap().len() > 0, "{l}");
        // Attendance as a month's grid; 工人4 is not on the roster.
        let grid = format!("公民身份号码,月份,1,2,3,31\n{},2026-11,√,√,,√\n{},2026-11,√,,,\n", id(3), id(4));
        let (r, _) = import(FileKind::Attendance, "days.csv", grid.clone()).await;
        let r = r.unwrap();
        assert_eq!((r.written.attendance, r.rejected.len()), (2, 1), "{l}: November has no 31st; {r:?}");
        assert!(r.rejected[0].1.contains("不在本项目实名花名册"), "{l}");
        // The same file again writes nothing new.
        let (r, _) = import(FileKind::Attendance, "days.csv", grid).await;
        assert_eq!(r.unwrap().written.attendance, 0, "{l}");
        // A file without its required columns is refused whole, naming them.
        let (r, _) = import(FileKind::Payroll, "pay.csv", "公民身份号码,姓名\n".to_string()).await;
        let e = r.unwrap_err().to_string();
        assert!(e.contains("缺少列") && e.contains("月份") && e.contains("本人签字"), "{l}: {e}");
        assert!(!template_xlsx(FileKind::Bank).unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn generated_projects_load_in_bulk_and_the_run_finds_the_planted_breaches() {
    let params = embedded();
    let refdata = RefData::embedded().unwrap();
    let towns = jiujin_app::gen::projects::towns(refdata);
    let on = date("2026-11-30");
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let keys = jiujin_app::Keys::from_master(&[7u8; 32]);
        let chunk: Vec<_> =
            (0..300).map(|i| jiujin_app::gen::projects::project(i, 1, on, refdata, &towns, &keys)).collect();
        let mut next = jiujin_store::wages_bulk::next_ids(&store).await.unwrap();
        let c = jiujin_store::wages_bulk::load(&store, &chunk[..150], &mut next, "test").await.unwrap();
        let d = jiujin_store::wages_bulk::load(&store, &chunk[150..], &mut next, "test").await.unwrap();
        assert_eq!(c.projects + d.projects, 300, "{l}");
        assert_eq!(count(&store, "wage_attendance").await as u64, c.attendance + d.attendance, "{l}");
        // The monthly counts written with the days equal a recount.
        assert_eq!(jiujin_store::wages::recount(&store).await.unwrap(), c.months + d.months, "{l}");
        // The whole-city read (rusqlite on SQLite) and the one-project read (sqlx) agree.
        let from = wages::window_start(on);
        let all = jiujin_store::wages::inputs(&store, None, None, from, on).await.unwrap();
        assert_eq!(all.len(), 300, "{l}");
        for (p, input) in all.iter().step_by(7) {
            let one = jiujin_store::wages::inputs(&store, None, Some(p.id), from, on).await.unwrap();
            assert_eq!(one.len(), 1, "{l}");
            let mut a = input.clone();
            let mut b = one[0].1.clone();
            for x in [&mut a, &mut b] {
                x.roster.sort_by_key(|w| w.id);
                x.lines.sort_by_key(|w| w.id);
                x.account.sort_by_key(|e| (e.on, e.amount));
            }
            assert_eq!(a, b, "{l}: project {}", p.id);
        }
        let r = wages::run(&store, &params, on, &tester()).await.unwrap();
        assert!(r.counts.raised > 20, "{l}: {r:?}");
        for check in [Check::Unpaid, Check::TransferShort, Check::NoAccount, Check::DepositShort] {
            assert!(r.by_check.iter().any(|(c, _)| c == check.label()), "{l}: {check:?} planted: {r:?}");
        }
        let again = wages::run(&store, &params, on, &tester()).await.unwrap();
        assert_eq!((again.counts.raised, again.counts.updated), (0, r.counts.raised), "{l}");
        // A project form after a bulk load takes the next id on both databases.
        let mut p = chunk[0].project.clone();
        p.code = "GC-AFTER-BULK".into();
        assert_eq!(jiujin_store::wages::create_project(&store, &p, &tester()).await.unwrap(), 301, "{l}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_while_another_holds_the_lease_is_refused_with_a_message() {
    let params = embedded();
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let held = jiujin_store::locks::BatchLock::try_acquire(&store, "wages-run", chrono::Duration::minutes(5))
            .await
            .unwrap()
            .unwrap();
        let e = wages::run(&store, &params, date("2026-11-16"), &tester()).await.unwrap_err();
        assert!(e.to_string().contains("正在运行"), "{l}: {e}");
        held.release(&store).await.unwrap();
        wages::run(&store, &params, date("2026-11-16"), &tester()).await.unwrap();
    }
}
