//! Employers, postings, matching and push end to end against real databases (SQLite
//! always, PostgreSQL when `JIUJIN_TEST_PG` is set).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use chrono::NaiveDate;
use jiujin_app::jobs::import::{import_employers, import_jobs, JobsImportRequest};
use jiujin_domain::identity::CreditCode;
use jiujin_domain::RegionCode;
use jiujin_store::entity::{employer, job};
use jiujin_store::testing::TestDb;
use jiujin_store::{Scope, Store};
use sea_orm::{EntityTrait, PaginatorTrait};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn tester() -> jiujin_store::audit::Context {
    jiujin_store::audit::Context::local(jiujin_store::audit::Actor::command_line(Some("test")))
}

fn code(body: &str, district: &str) -> String {
    CreditCode::from_parts("91", district, body).unwrap().as_str().to_string()
}

const EMPLOYERS: &str = "统一社会信用代码,单位名称,单位类型,行业,所在地区划代码,企业规模,信用状态";
const JOBS: &str = "岗位编号,统一社会信用代码,岗位名称,职业,工作地点区划代码,招聘人数,薪酬下限,薪酬上限,用工形式,年龄上限,性别要求,食宿,岗位描述";

fn write(dir: &Path, name: &str, header: &str, rows: &[String]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    p
}

async fn import(store: &Store, path: &Path, jobs: bool, scope: Scope) -> jiujin_app::jobs::import::JobsImportReport {
    let by = tester();
    let req = JobsImportRequest { store, path, rejects: None, scope, by: &by, today: date("2026-03-01") };
    if jobs {
        import_jobs(req).await.unwrap()
    } else {
        import_employers(req).await.unwrap()
    }
}

/// Two employers in 渝北 and one in 万州, and their postings.
async fn board(db: &TestDb, dir: &Path) -> Store {
    let store = db.store().await;
    let e = [
        format!("{},重庆渝北焊接工程有限公司,民营,C,500112002,小型,", code("MA5U7J3X", "500112")),
        format!("{},渝北家政服务中心,个体工商户,O,500112002001,微型,", code("MA5U7J3Y", "500112")),
        format!("{},万州物流有限公司,民营企业,G,500101001,中型,失信", code("MA5U7J3W", "500101")),
    ];
    let r = import(&store, &write(dir, "employers.csv", EMPLOYERS, &e), false, Scope::City).await;
    assert_eq!((r.rows, r.written.inserted, r.rejected), (3, 3, 0), "{}", db.label);
    let j = [
        format!(
            "H1,{},电焊工（包吃住）,电焊工,500112002,5,6000,8000,全职,60,,包吃住,持证上岗",
            code("MA5U7J3X", "500112")
        ),
        format!("B1,{},保洁员,保洁员,500112002001,2,3000,3500,全职,65,,不包,小区保洁", code("MA5U7J3Y", "500112")),
        format!("W1,{},货车司机,货车司机,500101001,3,7000,9000,全职,45,,包住,", code("MA5U7J3W", "500101")),
    ];
    let r = import(&store, &write(dir, "jobs.csv", JOBS, &j), true, Scope::City).await;
    assert_eq!((r.rows, r.written.inserted, r.rejected, r.held), (3, 3, 0, 1), "{}", db.label);
    store
}

#[tokio::test(flavor = "multi_thread")]
async fn employers_and_postings_import_once_and_refuse_bad_rows_by_row_and_column() {
    for db in TestDb::all().await {
        let l = db.label;
        let dir = tempfile::tempdir().unwrap();
        let store = board(&db, dir.path()).await;
        // Again: nothing changes.
        let again = import(&store, &dir.path().join("jobs.csv"), true, Scope::City).await;
        assert_eq!((again.written.inserted, again.written.updated, again.written.unchanged), (0, 0, 3), "{l}");
        let again = import(&store, &dir.path().join("employers.csv"), false, Scope::City).await;
        assert_eq!(again.written.unchanged, 3, "{l}");

        // Bad rows: wage min > max, an age out of range, a place that does not exist, an
        // unknown employer. The good row of the same file is written; nothing else is.
        let rows = [
            format!("H2,{},焊工,焊工,500112002,5,9000,8000,全职,60,,不包,", code("MA5U7J3X", "500112")),
            format!("H3,{},焊工,焊工,500112002,5,6000,8000,全职,75,,不包,", code("MA5U7J3X", "500112")),
            format!("H4,{},焊工,焊工,500199001,5,6000,8000,全职,60,,不包,", code("MA5U7J3X", "500112")),
            format!("H5,{},焊工,焊工,500112002,5,6000,8000,全职,60,,不包,", code("MA5U7J3R", "500112")),
            format!("H6,{},氩弧焊工,焊工,500112002,1,6500,6500,全职,60,,不包,", code("MA5U7J3X", "500112")),
        ];
        let p = write(dir.path(), "bad.csv", JOBS, &rows);
        let r = import(&store, &p, true, Scope::City).await;
        assert_eq!((r.rows, r.written.inserted, r.rejected), (5, 1, 4), "{l}");
        let by_row: Vec<(u64, &str)> = r.first_rejects.iter().map(|x| (x.row, x.column.as_str())).collect();
        assert_eq!(
            by_row,
            [(2, "薪酬上限"), (3, "年龄上限"), (4, "工作地点区划代码"), (5, "统一社会信用代码")],
            "{l}: {:?}",
            r.first_rejects
        );
        let rejects = std::fs::read_to_string(r.rejects_file.as_ref().unwrap()).unwrap();
        assert!(rejects.contains("低于下限") && rejects.contains("尚未登记"), "{l}: {rejects}");
        assert_eq!(job::Entity::find().count(store.conn()).await.unwrap(), 4, "{l}");

        // Exported in the templates and imported again: nothing changes.
        for jobs in [false, true] {
            let out = dir.path().join(if jobs { "jobs-out.xlsx" } else { "employers-out.csv" });
            let n = if jobs {
                jiujin_app::jobs::export::export_jobs(&store, None, &out, &tester()).await.unwrap()
            } else {
                jiujin_app::jobs::export::export_employers(&store, None, &out, &tester()).await.unwrap()
            };
            assert_eq!(n, if jobs { 4 } else { 3 }, "{l}");
            let r = import(&store, &out, jobs, Scope::City).await;
            assert_eq!(
                (r.rejected, r.written.inserted, r.written.updated, r.written.unchanged),
                (0, 0, 0, n),
                "{l}: {:?}",
                r.first_rejects
            );
        }

        // A district's staff import only inside their district.
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        let rows = [format!("W2,{},叉车工,叉车司机,500112002,1,5000,6000,全职,60,,不包,", code("MA5U7J3W", "500101"))];
        let r = import(&store, &write(dir.path(), "scope.csv", JOBS, &rows), true, wanzhou).await;
        assert_eq!((r.written.inserted, r.rejected), (0, 1), "{l}");
        assert!(r.first_rejects[0].reason.contains("管辖范围"), "{l}");
        assert_eq!(employer::Entity::find().count(store.conn()).await.unwrap(), 3, "{l}");
    }
}

/// Importing a workers file for the whole city, as of a date.
fn import_request<'a>(path: &'a Path, as_of: &str) -> jiujin_app::registry::import::ImportRequest<'a> {
    jiujin_app::registry::import::ImportRequest {
        path,
        rejects: None,
        scope: Scope::City,
        as_of: date(as_of),
        actor: None,
        by: tester(),
        batch_size: 100,
        cancel: None,
        progress: None,
    }
}

const WORKERS: &str = "姓名,公民身份号码,联系电话,户籍地区划代码,现居住地区划代码,就业状态,就业地区划代码,务工省份,行业,职业,技能等级,期望月薪,人员类别,参保险种,登记失业日期,服务需求,家庭户编号";

/// A welder out of work in 渝北 (id 1), a 万州 driver out of work (id 2), and a 渝北
/// resident not in the labour force (id 3).
async fn workers(store: &Store, dir: &Path) -> jiujin_app::Keys {
    use jiujin_app::registry::import::import_workers;
    use jiujin_domain::identity::IdNumber;
    let keys = jiujin_app::Keys::from_master(&[5u8; 32]);
    store.verify_key_check(keys.check_value(), "test").await.unwrap();
    let rows = [
        ("渝焊", "500112", "500112002001", "失业", "焊工", "6000", "求职"),
        ("万司", "500101", "500101001001", "失业", "货车司机", "7000", "求职"),
        ("渝闲", "500112", "500112002001", "不在劳动力市场", "", "", ""),
    ];
    let mut text = format!("{WORKERS}\n");
    for (i, (name, addr, hukou, status, occ, wage, needs)) in rows.iter().enumerate() {
        let id = IdNumber::from_parts(addr, date("1986-03-04"), 100 + i as u16).unwrap();
        text.push_str(&format!("{name},{id},,{hukou},,{status},,,,{occ},,{wage},,,,{needs},\n"));
    }
    let file = dir.join("w.csv");
    std::fs::write(&file, text).unwrap();
    let req = import_request(&file, "2026-03-01");
    assert_eq!(import_workers(store, &keys, req).await.unwrap().counts.inserted, 3);
    keys
}

async fn loaded(store: &Store) -> jiujin_app::jobs::board::JobBoard {
    use jiujin_app::jobs::board::{JobBoard, Vocab};
    JobBoard::load(store, Vocab::embedded().unwrap(), date("2026-03-01")).await.unwrap()
}

async fn id_of(store: &Store, name: &str) -> i64 {
    use jiujin_store::entity::person;
    use sea_orm::{ColumnTrait, QueryFilter};
    person::Entity::find().filter(person::Column::Name.eq(name)).one(store.conn()).await.unwrap().unwrap().id
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_board_loads_refreshes_and_then_sees_a_new_posting() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let b = loaded(&store).await;
        assert_eq!(b.open_count().unwrap(), 0, "{l}");
        b.refresh(&store, date("2026-03-01"), true).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let e = [format!("{},渝北焊接工程有限公司,民营,C,500112002,小型,", code("MA5U7J3X", "500112"))];
        import(&store, &write(dir.path(), "e.csv", EMPLOYERS, &e), false, Scope::City).await;
        let j = [format!("H1,{},电焊工,电焊工,500112002,5,6000,8000,全职,60,,包吃住,", code("MA5U7J3X", "500112"))];
        import(&store, &write(dir.path(), "j.csv", JOBS, &j), true, Scope::City).await;
        b.refresh(&store, date("2026-03-01"), true).await.unwrap();
        assert_eq!(b.open_count().unwrap(), 1, "{l}: a posting written elsewhere is picked up");
        let r = b.search("焊工", &Default::default(), None, 0, 10).unwrap();
        assert_eq!(r.total, 1, "{l}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_gets_open_postings_with_reasons_and_never_a_held_or_closed_one() {
    use jiujin_app::jobs::matching::{match_job, match_worker, JobQuery};
    for db in TestDb::all().await {
        let l = db.label;
        let dir = tempfile::tempdir().unwrap();
        let store = board(&db, dir.path()).await;
        workers(&store, dir.path()).await;
        let b = loaded(&store).await;
        let on = date("2026-03-01");
        let w = match_worker(&store, &b, Scope::City, id_of(&store, "渝焊").await, on, 10, &tester()).await.unwrap();
        assert!(w.unmet.is_empty(), "{l}");
        let titles: Vec<&str> = w.jobs.iter().map(|(_, j)| j.job.title.as_str()).collect();
        assert_eq!(titles.first(), Some(&"电焊工（包吃住）"), "{l}: {titles:?}");
        // The 万州 driver's posting (age ceiling 45, no reason) is held: never matched.
        assert!(!titles.contains(&"货车司机"), "{l}: {titles:?}");
        let (m, _) = &w.jobs[0];
        let labels: Vec<&str> = m.factors.iter().map(|f| f.label).collect();
        assert!(labels.contains(&"离家距离"), "{l}: {labels:?}");
        assert_eq!(m.score, m.factors.iter().map(|f| f.points).sum::<i32>(), "{l}: the score is its factors' sum");

        // Not in the labour force: nothing, with the reason.
        let idle = match_worker(&store, &b, Scope::City, id_of(&store, "渝闲").await, on, 10, &tester()).await.unwrap();
        assert!(idle.jobs.is_empty() && !idle.unmet.is_empty(), "{l}");
        // Outside the caller's region the person does not exist.
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        assert!(
            match_worker(&store, &b, wanzhou, id_of(&store, "渝焊").await, on, 10, &tester()).await.is_err(),
            "{l}"
        );

        // For the welding job: the welder first; a 万州 scope sees nobody of 渝北.
        let q = JobQuery { job_id: w.jobs[0].1.job.id, date: on, k: 5, near_only: false };
        let (_, top) = match_job(&store, &b, Scope::City, q, &tester()).await.unwrap();
        assert_eq!(top.first().map(|(_, p)| p.name.as_str()), Some("渝焊"), "{l}");
        assert!(top.iter().all(|(_, p)| p.name != "渝闲"), "{l}");
        let (_, none) = match_job(&store, &b, wanzhou, q, &tester()).await.unwrap();
        assert!(none.iter().all(|(_, p)| p.name == "万司"), "{l}");

        // Closing the posting takes it off the board at the next refresh.
        jiujin_store::jobs::set_status(&store, q.job_id, &[1], 3, None, &tester()).await.unwrap();
        b.refresh(&store, on, true).await.unwrap();
        let w = match_worker(&store, &b, Scope::City, id_of(&store, "渝焊").await, on, 10, &tester()).await.unwrap();
        assert!(w.jobs.iter().all(|(_, j)| j.job.id != q.job_id), "{l}");
        assert!(match_job(&store, &b, Scope::City, q, &tester()).await.is_err(), "{l}: a closed job matches nobody");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_run_writes_each_worker_and_job_once_within_the_daily_cap() {
    use jiujin_app::jobs::push::{deliver, push_run, LoggingSender, PushRequest};
    use jiujin_store::entity::job_push;
    for db in TestDb::all().await {
        let l = db.label;
        let dir = tempfile::tempdir().unwrap();
        let store = board(&db, dir.path()).await;
        workers(&store, dir.path()).await;
        let b = loaded(&store).await;
        let by = tester();
        let req = |on: &'static str, cap| PushRequest {
            store: &store,
            board: &b,
            date: date(on),
            cap,
            min_score: 0,
            scope: Scope::City,
            by: &by,
            progress: None,
        };
        let first = push_run(req("2026-03-01", 1)).await.unwrap();
        // Two seekers (the third is not in the labour force), one push each.
        assert_eq!((first.seekers, first.pushed), (2, 2), "{l}: {first:?}");
        let again = push_run(req("2026-03-01", 1)).await.unwrap();
        assert_eq!((again.pushed, again.capped), (0, 2), "{l}: a re-run on the same day adds nothing");
        let next = push_run(req("2026-03-02", 5)).await.unwrap();
        let total = job_push::Entity::find().count(store.conn()).await.unwrap();
        assert_eq!(total, 2 + next.pushed, "{l}");
        // Open postings: H1 and B1 (W1 is held). Each worker gets each at most once.
        assert_eq!(total, 4, "{l}");
        let pairs: std::collections::HashSet<(i64, i64)> =
            job_push::Entity::find().all(store.conn()).await.unwrap().iter().map(|p| (p.person_id, p.job_id)).collect();
        assert_eq!(pairs.len() as u64, total, "{l}");

        // Delivery: one gateway fails for 万司; the failure is recorded, the rest sent.
        let sms = LoggingSender { failing: vec![id_of(&store, "万司").await], ..Default::default() };
        let d = deliver(&store, &b, &[&sms]).await.unwrap();
        assert_eq!((d.sent, d.failed), (2, 2), "{l}: {d:?}");
        assert_eq!(sms.sent.lock().unwrap().len(), 2, "{l}");
        assert!(sms.sent.lock().unwrap()[0].title.starts_with("为您推荐岗位"), "{l}");
        let again = deliver(&store, &b, &[&sms]).await.unwrap();
        assert_eq!(again.sent + again.failed, 0, "{l}: nothing is delivered twice");
    }
}

/// Servers are interchangeable: each keeps its own board in memory, built from the
/// database, and sees what another server wrote at its next refresh.
#[tokio::test(flavor = "multi_thread")]
async fn two_servers_on_one_database_see_each_others_writes_at_their_next_refresh() {
    use jiujin_app::jobs::push::record_outcome;
    use jiujin_domain::jobs::PushOutcome;
    use jiujin_store::jobs::{NewPush, CHANNEL_INBOX};
    for db in TestDb::all().await {
        let l = db.label;
        let dir = tempfile::tempdir().unwrap();
        let store_a = board(&db, dir.path()).await;
        workers(&store_a, dir.path()).await;
        // Server B: its own connection pool and its own board.
        let store_b = db.store().await;
        let on = date("2026-03-01");
        let (a, b) = (loaded(&store_a).await, loaded(&store_b).await);
        assert_eq!((a.open_count().unwrap(), b.open_count().unwrap()), (2, 2), "{l}");
        let none = Default::default();

        // B takes a new posting; A finds it only after its own refresh.
        let j = [format!("H9,{},氩弧焊工,焊工,500112002,1,7000,9000,全职,60,,包吃住,", code("MA5U7J3X", "500112"))];
        import(&store_b, &write(dir.path(), "b.csv", JOBS, &j), true, Scope::City).await;
        let id = {
            use sea_orm::{ColumnTrait, QueryFilter};
            job::Entity::find().filter(job::Column::Reference.eq("H9")).one(store_b.conn()).await.unwrap().unwrap().id
        };
        let found = |x: &jiujin_app::jobs::board::JobBoard, id: i64| {
            x.search("氩弧焊工", &none, None, 0, 50).unwrap().hits.iter().any(|h| h.id == id)
        };
        b.refresh(&store_b, on, true).await.unwrap();
        assert!(found(&b, id), "{l}");
        assert!(!found(&a, id), "{l}: A has not refreshed");
        a.refresh(&store_a, on, true).await.unwrap();
        assert!(found(&a, id), "{l}: A sees B's posting");
        assert_eq!(a.open_count().unwrap(), 3, "{l}");

        // A records a hire that fills the posting's one place; B stops offering it.
        let welder = id_of(&store_a, "渝焊").await;
        let push = NewPush { person_id: welder, job_id: id, score: 1, explanation: "[]".into() };
        jiujin_store::jobs::enqueue_pushes(&store_a, &[push], on, CHANNEL_INBOX).await.unwrap();
        let pushed = jiujin_store::jobs::pushes_of(&store_a, welder).await.unwrap();
        let p = pushed.iter().find(|p| p.job_id == id).unwrap().id;
        record_outcome(&store_a, Scope::City, p, PushOutcome::Hired, on, &tester()).await.unwrap();
        assert!(found(&b, id), "{l}: B has not refreshed");
        b.refresh(&store_b, on, true).await.unwrap();
        assert!(!found(&b, id), "{l}: full, on B too");
        assert_eq!(b.open_count().unwrap(), 2, "{l}");

        // A closes a posting; B drops it. Both boards now agree on every open posting.
        let cleaner = {
            use sea_orm::{ColumnTrait, QueryFilter};
            job::Entity::find().filter(job::Column::Reference.eq("B1")).one(store_a.conn()).await.unwrap().unwrap().id
        };
        jiujin_store::jobs::set_status(&store_a, cleaner, &[1], 3, None, &tester()).await.unwrap();
        a.refresh(&store_a, on, true).await.unwrap();
        b.refresh(&store_b, on, true).await.unwrap();
        let ids = |x: &jiujin_app::jobs::board::JobBoard| -> Vec<i64> {
            x.open_postings().unwrap().iter().map(|p| p.id).collect()
        };
        assert_eq!(ids(&a), ids(&b), "{l}");
        assert!(!ids(&b).contains(&cleaner) && !ids(&b).contains(&id), "{l}");
        // A server started now builds the same board from the database alone.
        assert_eq!(ids(&loaded(&db.store().await).await), ids(&a), "{l}");
    }
}

/// A worker who names the kind of work they want (意向用工形式) gets it scored: the
/// posting of that kind ranks above an otherwise equal one, and the reason says so.
/// A kind that is not one of the four is refused by row and column.
#[tokio::test(flavor = "multi_thread")]
async fn the_kind_of_work_a_worker_wants_is_recorded_and_scored() {
    use jiujin_app::jobs::matching::match_worker;
    use jiujin_app::registry::import::import_workers;
    use jiujin_domain::identity::IdNumber;
    for db in TestDb::all().await {
        let l = db.label;
        let dir = tempfile::tempdir().unwrap();
        let store = board(&db, dir.path()).await;
        // Two cleaning postings at the same place and pay, one full-time, one day work.
        let rows = [
            format!(
                "C1,{},保洁员,保洁员,500112002001,2,160,160,零工,65,,不包,日结保洁,日薪",
                code("MA5U7J3Y", "500112")
            ),
            format!(
                "C2,{},保洁员,保洁员,500112002001,2,3360,3360,全职,65,,不包,小区保洁,月薪",
                code("MA5U7J3Y", "500112")
            ),
        ];
        let header = format!("{JOBS},薪酬形式");
        let r = import(&store, &write(dir.path(), "c.csv", &header, &rows), true, Scope::City).await;
        assert_eq!(r.written.inserted, 2, "{l}: {:?}", r.first_rejects);
        let keys = jiujin_app::Keys::from_master(&[5u8; 32]);
        store.verify_key_check(keys.check_value(), "test").await.unwrap();
        let id = |n: u16| IdNumber::from_parts("500112", date("1970-03-04"), n).unwrap();
        let text = format!(
            "{WORKERS},意向用工形式\n渝零,{},,500112002001,,失业,,,,保洁员,,3300,,,,求职,,零工\n\
             渝错,{},,500112002001,,失业,,,,保洁员,,3300,,,,求职,,长工\n",
            id(101),
            id(102)
        );
        let file = dir.path().join("w.csv");
        std::fs::write(&file, text).unwrap();
        let req = import_request(&file, "2026-03-01");
        let r = import_workers(&store, &keys, req).await.unwrap();
        assert_eq!((r.counts.inserted, r.counts.rejected), (1, 1), "{l}");
        let bad = &r.first_rejects[0];
        assert_eq!((bad.row, bad.column.as_str()), (3, "意向用工形式"), "{l}: {bad:?}");
        assert!(bad.reason.contains("长工"), "{l}: {}", bad.reason);

        let b = loaded(&store).await;
        let on = date("2026-03-01");
        let w = match_worker(&store, &b, Scope::City, id_of(&store, "渝零").await, on, 10, &tester()).await.unwrap();
        let refs: Vec<&str> = w.jobs.iter().map(|(_, j)| j.job.reference.as_str()).collect();
        let (c1, c2) = (refs.iter().position(|r| *r == "C1").unwrap(), refs.iter().position(|r| *r == "C2").unwrap());
        assert!(c1 < c2, "{l}: the day-work posting first: {refs:?}");
        let kind = |m: &jiujin_domain::matching::Match| m.factors.iter().find(|f| f.code == "kind").unwrap().clone();
        assert_eq!(kind(&w.jobs[c1].0).detail, "用工形式一致：零工", "{l}");
        assert_eq!(kind(&w.jobs[c2].0).points, 0, "{l}: {:?}", kind(&w.jobs[c2].0));

        // The wish is kept: the export carries it and importing that again changes nothing.
        let out = dir.path().join("export.csv");
        let n = jiujin_app::registry::export::export_workers(&store, &keys, Scope::City, &out, None, &tester())
            .await
            .unwrap();
        assert_eq!(n, 1, "{l}");
        let exported = std::fs::read_to_string(&out).unwrap();
        assert!(exported.lines().next().unwrap().contains("意向用工形式"), "{l}");
        assert!(exported.lines().any(|x| x.starts_with("渝零,") && x.contains(",零工,")), "{l}: {exported}");
        let req = import_request(&out, "2026-03-02");
        let again = import_workers(&store, &keys, req).await.unwrap();
        assert_eq!((again.counts.unchanged, again.counts.updated), (1, 0), "{l}");

        // A changed wish is an update, with its event, and matching reads the new one.
        std::fs::write(&out, exported.replace(",零工,", ",全职,")).unwrap();
        let req = import_request(&out, "2026-03-03");
        let changed = import_workers(&store, &keys, req).await.unwrap();
        assert_eq!(changed.counts.updated, 1, "{l}");
        let who = id_of(&store, "渝零").await;
        let row = jiujin_store::jobs::seeker(&store, Scope::City, who).await.unwrap().unwrap();
        assert_eq!(row.wanted_kind, Some(jiujin_domain::jobs::JobKind::FullTime.code()), "{l}");
        let events = jiujin_store::registry::timeline(&store, Scope::City, who).await.unwrap().unwrap();
        assert!(format!("{events:?}").contains("意向用工形式"), "{l}: {events:?}");
    }
}

async fn job_id(store: &Store, reference: &str) -> i64 {
    use sea_orm::{ColumnTrait, QueryFilter};
    job::Entity::find().filter(job::Column::Reference.eq(reference)).one(store.conn()).await.unwrap().unwrap().id
}

/// A worker applies to a posting they found (自主申请): once, only while it is open and
/// inside their scope, scored like a match; it is not pushed to them again, does not use
/// up the day's pushes, and the quality report counts it apart from pushes.
#[tokio::test(flavor = "multi_thread")]
async fn a_worker_applies_to_a_posting_found_by_search_once_and_apart_from_pushes() {
    use jiujin_app::jobs::push::{apply, push_run, record_outcome, OutcomeError, PushRequest};
    use jiujin_domain::jobs::PushOutcome;
    use jiujin_store::jobs::CHANNEL_SELF;
    for db in TestDb::all().await {
        let l = db.label;
        let dir = tempfile::tempdir().unwrap();
        let store = board(&db, dir.path()).await;
        workers(&store, dir.path()).await;
        let b = loaded(&store).await;
        let on = date("2026-03-01");
        let by = tester();
        let welder = id_of(&store, "渝焊").await;
        let (h1, b1, w1) = (job_id(&store, "H1").await, job_id(&store, "B1").await, job_id(&store, "W1").await);

        let row = apply(&store, &b, Scope::City, welder, b1, on, &by).await.unwrap();
        let again = apply(&store, &b, Scope::City, welder, b1, on, &by).await;
        assert!(matches!(&again, Err(OutcomeError::Conflict(m)) if m.contains("已申请")), "{l}: {again:?}");
        let held = apply(&store, &b, Scope::City, welder, w1, on, &by).await;
        assert!(matches!(&held, Err(OutcomeError::Conflict(m)) if m.contains("停止招聘")), "{l}: {held:?}");
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        let outside = apply(&store, &b, wanzhou, welder, h1, on, &by).await;
        assert!(matches!(outside, Err(OutcomeError::NotFound)), "{l}");
        let unknown = apply(&store, &b, Scope::City, welder, 999_999, on, &by).await;
        assert!(matches!(unknown, Err(OutcomeError::NotFound)), "{l}");

        let mine = jiujin_store::jobs::pushes_of(&store, welder).await.unwrap();
        assert_eq!(mine.len(), 1, "{l}: one row, and nothing for the refused ones");
        let p = &mine[0];
        assert_eq!((p.id, p.job_id, p.channel, p.outcome), (row, b1, CHANNEL_SELF, Some(PushOutcome::Applied.code())));
        assert!(p.score > 0 && p.explanation.contains("离家距离"), "{l}: scored like a match: {}", p.explanation);

        // Two applications at once (a double tap): one is recorded, the other refused.
        let driver = id_of(&store, "万司").await;
        let (x, y) = tokio::join!(
            apply(&store, &b, Scope::City, driver, h1, on, &by),
            apply(&store, &b, Scope::City, driver, h1, on, &by)
        );
        assert_eq!(u8::from(x.is_ok()) + u8::from(y.is_ok()), 1, "{l}: {x:?} {y:?}");
        assert!([x, y].iter().any(|r| matches!(r, Err(OutcomeError::Conflict(_)))), "{l}");

        // The day's push (cap 1) still reaches the welder, with the posting not applied to.
        let req = PushRequest {
            store: &store,
            board: &b,
            date: on,
            cap: 1,
            min_score: 0,
            scope: Scope::City,
            by: &by,
            progress: None,
        };
        let run = push_run(req).await.unwrap();
        assert_eq!((run.seekers, run.pushed, run.capped), (2, 2, 0), "{l}: {run:?}");
        let mine = jiujin_store::jobs::pushes_of(&store, welder).await.unwrap();
        let jobs: Vec<i64> = mine.iter().map(|p| p.job_id).collect();
        assert_eq!(jobs, [h1, b1], "{l}: newest first");

        // The employer hires the applicant: counted as a hire from an application.
        record_outcome(&store, Scope::City, row, PushOutcome::Hired, on, &by).await.unwrap();
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let r = jiujin_app::jobs::quality::report(&store, refdata, Scope::City).await.unwrap();
        let t = &r.total.counts;
        assert_eq!((t.pushes, t.applied, t.hired, t.self_applied, t.self_hired), (2, 0, 0, 2, 1), "{l}: {t:?}");
        assert_eq!(r.total.hired_share, Some(0.0), "{l}");
        let yubei = r.districts.iter().find(|d| d.key == "500112").unwrap();
        assert_eq!((yubei.label.as_str(), yubei.counts.pushes, yubei.counts.self_hired), ("渝北区", 1, 1), "{l}");
        // A district's staff see only their district's people.
        let w = jiujin_app::jobs::quality::report(&store, refdata, wanzhou).await.unwrap();
        assert_eq!((w.total.counts.pushes, w.total.counts.self_applied), (1, 1), "{l}");
    }
}

/// 政策直达 from the employer register: a registered employer's district and size are
/// facts, so a 江津 small firm meets the place condition of the 江津 hiring subsidy and
/// waits only for the facts of a hire; an unregistered or malformed code is refused.
#[tokio::test(flavor = "multi_thread")]
async fn an_employers_entitlements_come_from_the_employer_register() {
    use jiujin_app::policy::{employer_entitlements, PolicyError};
    use jiujin_domain::policy::{Outcome as ConditionOutcome, Status};
    for db in TestDb::all().await {
        let l = db.label;
        let dir = tempfile::tempdir().unwrap();
        let store = db.store().await;
        let jj = code("MA5U7J3Q", "500116");
        let e = [format!("{jj},江津机械有限公司,民营,C,500116001,小型,")];
        import(&store, &write(dir.path(), "e.csv", EMPLOYERS, &e), false, Scope::City).await;
        let lib = jiujin_domain::policy::Library::embedded().unwrap();
        let on = date("2026-03-01");
        let r = employer_entitlements(&store, lib, &jj, on).await.unwrap();
        assert_eq!(r.employer.credit_code, jj, "{l}");
        assert!(r.results.iter().all(|x| lib.get(x.policy.as_str()).unwrap().targets.contains(&r.facts.entity)), "{l}");
        let hiring = r.results.iter().find(|x| x.policy.as_str() == "key-group-hiring-subsidy").unwrap();
        assert_eq!(hiring.status, Status::Undetermined, "{l}: {hiring:?}");
        let place = hiring.conditions.iter().find(|c| c.id == "jiangjin").unwrap();
        assert_eq!(place.outcome, ConditionOutcome::Met, "{l}: {place:?}");
        assert!(hiring.conditions.iter().any(|c| c.outcome == ConditionOutcome::Unknown), "{l}");

        let unknown = employer_entitlements(&store, lib, &code("MA5U7J3R", "500116"), on).await;
        assert!(matches!(unknown, Err(PolicyError::EmployerNotRegistered(_))), "{l}: {unknown:?}");
        let bad = employer_entitlements(&store, lib, "91500116MA5U7J3Q0X", on).await;
        assert!(matches!(bad, Err(PolicyError::BadCreditCode(_))), "{l}: {bad:?}");
    }
}

/// The subsidies paid per hired person, from the hires on an employer's postings and the
/// hired persons' timelines: a 江津 employer hires a registered-unemployed 脱贫 worker
/// (insured) and an unregistered one; a year on, the first brings the 6,000 yuan of
/// 一次性吸纳重点群体就业岗位补贴 and the second does not; before the year, neither.
#[tokio::test(flavor = "multi_thread")]
async fn an_employer_is_told_what_each_hire_brings_from_the_hired_persons_records() {
    use jiujin_app::jobs::push::{apply, record_outcome};
    use jiujin_app::policy::hire_entitlements;
    use jiujin_domain::identity::IdNumber;
    use jiujin_domain::jobs::PushOutcome;
    use jiujin_domain::policy::Status;
    for db in TestDb::all().await {
        let l = db.label;
        let dir = tempfile::tempdir().unwrap();
        let store = db.store().await;
        let today = date("2026-03-01");
        let jj = code("MA5U7J3Q", "500116");
        let e = [format!("{jj},江津机械有限公司,民营,C,500116001,小型,")];
        import(&store, &write(dir.path(), "e.csv", EMPLOYERS, &e), false, Scope::City).await;
        let j = [format!("J1,{jj},机床操作工,机床操作工,500116001,2,5000,6000,全职,55,,,")];
        let r = import(&store, &write(dir.path(), "j.csv", JOBS, &j), true, Scope::City).await;
        assert_eq!(r.written.inserted, 1, "{l}");
        let keys = jiujin_app::Keys::from_master(&[5u8; 32]);
        store.verify_key_check(keys.check_value(), "test").await.unwrap();
        let id = |n: u16| IdNumber::from_parts("500116", date("1980-05-05"), n).unwrap();
        let reg = (today - chrono::Duration::days(60)).to_string();
        let rows = [
            format!("甲,{},,500116001,,失业,,,,机床操作工,,,脱贫人口,养老,{reg},求职,", id(1)),
            format!("乙,{},,500116001,,失业,,,,机床操作工,,,,养老,,求职,", id(2)),
        ];
        let file = write(dir.path(), "w.csv", WORKERS, &rows);
        let as_of = (today - chrono::Duration::days(1)).to_string();
        let n =
            jiujin_app::registry::import::import_workers(&store, &keys, import_request(&file, &as_of)).await.unwrap();
        assert_eq!(n.counts.inserted, 2, "{l}: {:?}", n.first_rejects);
        let b = loaded(&store).await;
        // (The board and the postings are of 2026-03-01, as the import's day.)
        let by = tester();
        let job = job_id(&store, "J1").await;
        for name in ["甲", "乙"] {
            let p = id_of(&store, name).await;
            let row = apply(&store, &b, Scope::City, p, job, today, &by).await.unwrap();
            record_outcome(&store, Scope::City, row, PushOutcome::Hired, today, &by).await.unwrap();
        }
        let lib = jiujin_domain::policy::Library::embedded().unwrap();
        let employer = jiujin_store::jobs::employer_by_credit(&store, &jj).await.unwrap().unwrap();
        let status_of = |hires: &[jiujin_app::policy::HireEntitlement], name: &str| {
            let h = hires.iter().find(|h| h.name == name).unwrap();
            let e = h.results.iter().find(|e| e.policy.as_str() == "key-group-hiring-subsidy").unwrap();
            (e.status, e.amount_fen)
        };
        let year_on = today + chrono::Duration::days(366);
        let hires = hire_entitlements(&store, lib, &employer, year_on).await.unwrap();
        assert_eq!(hires.len(), 2, "{l}");
        assert!(hires.iter().all(|h| h.hire_date == today), "{l}");
        assert_eq!(status_of(&hires, "甲"), (Status::Eligible, Some(600_000)), "{l}");
        assert_eq!(status_of(&hires, "乙").0, Status::NotEligible, "{l}: not registered unemployed");
        let soon = hire_entitlements(&store, lib, &employer, today + chrono::Duration::days(30)).await.unwrap();
        assert_eq!(status_of(&soon, "甲").0, Status::NotEligible, "{l}: employed less than a year");

        // The 直补快办 run over the hires proposes what the page shows, to the employer
        // once per hired person, inside the run's region only.
        let run = |at: &'static str, on: chrono::NaiveDate| {
            let store = store.clone();
            let by = by.clone();
            async move {
                let req = jiujin_app::policy::RunRequest {
                    library: lib,
                    policies: jiujin_app::policy::Which::One("key-group-hiring-subsidy"),
                    region: jiujin_domain::RegionCode::parse(at).unwrap(),
                    date: on,
                    by,
                    page_size: 1000,
                    cancel: None,
                    progress: None,
                };
                jiujin_app::policy::run_batch(&store, req).await.unwrap().counts
            }
        };
        let c = run("500116", year_on).await;
        assert_eq!((c.evaluated, c.proposed, c.not_eligible), (2, 1, 1), "{l}: {c:?}");
        let c = run("500116", year_on).await;
        assert_eq!((c.proposed, c.already_proposed), (0, 1), "{l}: once per hired person");
        assert_eq!(run("500101", year_on).await.evaluated, 0, "{l}: 万州 has no such employer");
        let paid = jiujin_store::entity::payout::Entity::find().all(store.conn()).await.unwrap();
        assert_eq!(paid.len(), 1, "{l}");
        let jia = id_of(&store, "甲").await;
        assert_eq!(
            (paid[0].beneficiary_kind.as_str(), paid[0].beneficiary_key.clone(), paid[0].amount_fen, paid[0].person_id),
            ("hire", format!("{jj}/{jia}"), 600_000, None),
            "{l}: paid to the employer, not to the worker"
        );
        let payees = jiujin_app::policy::registers::payees(&store, &paid).await.unwrap();
        let payee = payees.get(&paid[0].id).unwrap();
        assert_eq!((payee.name.as_str(), payee.credit_code.as_deref()), ("江津机械有限公司", Some(jj.as_str())), "{l}");
    }
}
