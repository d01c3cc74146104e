//! Training end to end: courses with places, enrolment and completion, the
//! post-training employment rate from status events (hired on day 181 counts, day 183
//! does not), the provider under the 60 % floor flagged, the 紧缺职业目录 from open
//! postings and seekers, and a worker's recommendations.

use std::path::Path;

use chrono::Days;
use jiujin_app::training::{self, CourseInput, FinishInput, TrainingError};
use jiujin_domain::identity::{CreditCode, IdNumber};
use jiujin_domain::RegionCode;
use jiujin_store::testing::TestDb;
use jiujin_store::{Scope, Store};

use super::{date, id_of, tester};

const WORKERS: &str = "姓名,公民身份号码,户籍地区划代码,就业状态,就业地区划代码,职业,参保险种";

pub(crate) fn keys() -> jiujin_app::Keys {
    jiujin_app::Keys::from_master(&[5u8; 32])
}

pub(crate) fn number(n: u16) -> IdNumber {
    IdNumber::from_parts("500101", date("1990-03-01"), n).unwrap()
}

/// Imports `rows` (name, n, status, work region, occupation, insurance) as of a date:
/// each change of status becomes an event dated that day.
pub(crate) async fn import_as_of(store: &Store, dir: &Path, rows: &[(&str, u16, &str, &str, &str, &str)], as_of: &str) {
    let lines: Vec<String> = rows
        .iter()
        .map(|(name, n, status, work, occ, ins)| {
            format!("{name},{},500101001001,{status},{work},{occ},{ins}", number(*n))
        })
        .collect();
    import_csv(store, dir, WORKERS, &lines, as_of).await;
}

/// Imports a workers file of `header` and `lines` as of a date.
pub(crate) async fn import_csv(store: &Store, dir: &Path, header: &str, lines: &[String], as_of: &str) {
    use jiujin_app::registry::import::{import_workers, ImportRequest};
    let keys = keys();
    store.verify_key_check(keys.check_value(), "test").await.unwrap();
    let file = dir.join(format!("w-{as_of}-{}.csv", lines.len()));
    std::fs::write(&file, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    let req = ImportRequest {
        path: &file,
        rejects: None,
        scope: Scope::City,
        as_of: date(as_of),
        actor: None,
        by: tester(),
        batch_size: 100,
        cancel: None,
        progress: None,
    };
    let r = import_workers(store, &keys, req).await.unwrap();
    assert_eq!(r.counts.rejected, 0, "{:?}", r.first_rejects);
}

fn course<'a>(provider: &'a str, title: &'a str, starts: &'a str, ends: &'a str, cap: &'a str) -> CourseInput<'a> {
    CourseInput {
        provider,
        title,
        occupation: "焊工",
        kind: "岗前培训",
        region: "500101",
        starts_on: starts,
        ends_on: ends,
        capacity: cap,
        subsidy: "1200",
    }
}

fn fields(e: TrainingError) -> Vec<&'static str> {
    match e {
        TrainingError::Invalid(list) => list.iter().map(|(f, _)| *f).collect(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn post_training_employment_counts_a_hire_on_day_181_and_not_on_day_183() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let by = tester();
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        let seekers = [
            ("甲", 1, "失业", "", "焊工", ""),
            ("乙", 2, "失业", "", "焊工", ""),
            ("丙", 3, "失业", "", "焊工", ""),
            ("丁", 4, "失业", "", "焊工", ""),
            ("戊", 5, "失业", "", "焊工", ""),
        ];
        import_as_of(&store, dir.path(), &seekers, "2025-12-01").await;

        // A provider and a course of 4 places; mistakes are named by field.
        let p =
            training::create_provider(&store, refdata, wanzhou, "万州职业培训学校", "", "500101", &by).await.unwrap();
        let dup = training::create_provider(&store, refdata, wanzhou, "万州职业培训学校", "", "500101", &by).await;
        assert_eq!(fields(dup.unwrap_err()), ["name"], "{l}");
        let outside = training::create_provider(&store, refdata, wanzhou, "开州培训中心", "", "500154", &by).await;
        assert_eq!(fields(outside.unwrap_err()), ["region"], "{l}");
        let ps = p.to_string();
        let bad =
            CourseInput {
                kind: "夜校", capacity: "0", ends_on: "2026-01-01", ..course(&ps, "", "2026-01-05", "", "")
            };
        assert_eq!(
            fields(training::create_course(&store, refdata, wanzhou, &bad, &by).await.unwrap_err()),
            ["title", "kind", "ends_on", "capacity"],
            "{l}"
        );
        let c = training::create_course(
            &store,
            refdata,
            wanzhou,
            &course(&ps, "焊工岗前班", "2026-01-05", "2026-01-15", "4"),
            &by,
        )
        .await
        .unwrap();

        let mut enrolments = Vec::new();
        for name in ["甲", "乙", "丙", "丁"] {
            let id = id_of(&store, name).await;
            enrolments.push(training::enrol(&store, wanzhou, c, id, date("2026-01-05"), &by).await.unwrap());
        }
        let wu = id_of(&store, "戊").await;
        let full = training::enrol(&store, wanzhou, c, wu, date("2026-01-05"), &by).await.unwrap_err();
        assert!(full.to_string().contains("名额已满"), "{l}: {full}");
        let again = training::enrol(&store, wanzhou, c, id_of(&store, "甲").await, date("2026-01-05"), &by).await;
        assert!(again.unwrap_err().to_string().contains("已报名"), "{l}");
        let kaizhou = Scope::Region(RegionCode::parse("500154").unwrap());
        assert!(
            matches!(
                training::enrol(&store, kaizhou, c, wu, date("2026-01-05"), &by).await,
                Err(TrainingError::NotFound)
            ),
            "{l}"
        );

        // 甲, 乙, 丙 complete on 15 January (甲 with a certificate); 丁 drops out.
        let today = date("2026-12-01");
        let done =
            |cert: &'static str| FinishInput { state: "completed", date: "2026-01-15", cert_level: cert, cert_no: "" };
        training::finish(&store, wanzhou, enrolments[0], &done("五级"), today, &by).await.unwrap();
        training::finish(&store, wanzhou, enrolments[1], &done(""), today, &by).await.unwrap();
        training::finish(&store, wanzhou, enrolments[2], &done(""), today, &by).await.unwrap();
        let drop = FinishInput { state: "dropped", date: "2026-01-10", cert_level: "", cert_no: "" };
        training::finish(&store, wanzhou, enrolments[3], &drop, today, &by).await.unwrap();
        let twice = training::finish(&store, wanzhou, enrolments[0], &done(""), today, &by).await.unwrap_err();
        assert!(twice.to_string().contains("已结业"), "{l}: {twice}");
        let bad = FinishInput { state: "毕业", date: "2027-01-01", cert_level: "六级", cert_no: "" };
        assert_eq!(
            fields(training::finish(&store, wanzhou, enrolments[1], &bad, today, &by).await.unwrap_err()),
            ["state", "date", "cert_level"],
            "{l}"
        );

        // 甲 is hired on day 181 after completion (15 July), 乙 on day 183 (17 July).
        let completed = date("2026-01-15");
        let day = |n: u64| (completed + Days::new(n)).to_string();
        import_as_of(&store, dir.path(), &[("甲", 1, "市内就业", "500101001", "焊工", "养老")], &day(181)).await;
        import_as_of(&store, dir.path(), &[("乙", 2, "市内就业", "500101001", "焊工", "养老")], &day(183)).await;

        let r = training::rates(&store, wanzhou, today).await.unwrap();
        assert_eq!((r.total.closed, r.total.closed_employed, r.total.open), (3, 1, 0), "{l}: {:?}", r.total);
        assert_eq!(r.providers.len(), 1, "{l}");
        assert!(r.providers[0].below_floor, "{l}: 1 of 3 is under 60 %");
        assert_eq!(r.providers[0].courses[0].cohort.closed_employed, 1, "{l}");
        // On 15 July, 甲's window is still open (its last day) and they are employed.
        let mid = training::rates(&store, wanzhou, date("2026-07-15")).await.unwrap();
        assert_eq!((mid.total.open, mid.total.open_employed, mid.total.closed), (3, 1, 0), "{l}");
        assert!(!mid.providers[0].below_floor, "{l}: no window is over yet");
        // Another district's staff see no course of 万州.
        assert!(training::rates(&store, kaizhou, today).await.unwrap().providers.is_empty(), "{l}");
        // The Excel file has the provider's row flagged.
        let xlsx = training::rates_xlsx(&r).unwrap();
        assert!(xlsx.starts_with(b"PK"), "{l}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shortage_catalog_ranks_open_places_against_seekers_and_feeds_recommendations() {
    use jiujin_app::jobs::import::{import_employers, import_jobs, JobsImportRequest};
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let by = tester();
        // Seekers: 3 保洁员, 1 焊工; postings: 5 焊工 places, 2 保洁员, 4 育婴员.
        let seekers = [
            ("甲", 1, "失业", "", "保洁员", ""),
            ("乙", 2, "失业", "", "保洁员", ""),
            ("丙", 3, "失业", "", "保洁员", ""),
            ("丁", 4, "失业", "", "焊工", ""),
        ];
        import_as_of(&store, dir.path(), &seekers, "2026-03-01").await;
        let code = CreditCode::from_parts("91", "500101", "MA5U7J3W").unwrap().as_str().to_string();
        let e = dir.path().join("e.csv");
        std::fs::write(&e, format!("统一社会信用代码,单位名称,单位类型,行业,所在地区划代码,企业规模,信用状态\n{code},万州制造有限公司,民营,C,500101001,小型,\n")).unwrap();
        let req = JobsImportRequest {
            store: &store,
            path: &e,
            rejects: None,
            scope: Scope::City,
            by: &by,
            today: date("2026-03-01"),
        };
        import_employers(req).await.unwrap();
        let j = dir.path().join("j.csv");
        let head = "岗位编号,统一社会信用代码,岗位名称,职业,工作地点区划代码,招聘人数,薪酬下限,薪酬上限,用工形式,年龄上限,性别要求,食宿,岗位描述";
        let rows = [
            format!("A,{code},电焊工,焊工,500101001,5,6000,8000,全职,60,,,"),
            format!("B,{code},保洁员,保洁员,500101001,2,3000,3500,全职,60,,,"),
            format!("C,{code},育婴员,育婴员,500101001,4,5000,6000,全职,55,,,"),
        ];
        std::fs::write(&j, format!("{head}\n{}\n", rows.join("\n"))).unwrap();
        let req = JobsImportRequest {
            store: &store,
            path: &j,
            rejects: None,
            scope: Scope::City,
            by: &by,
            today: date("2026-03-01"),
        };
        let r = import_jobs(req).await.unwrap();
        assert_eq!(r.written.inserted, 3, "{l}");

        let rows = training::shortage_run(&store, "2026-03", date("2026-03-02"), &by).await.unwrap();
        let got: Vec<(&str, u64, u64)> = rows.iter().map(|r| (r.occupation.as_str(), r.openings, r.seekers)).collect();
        assert_eq!(
            got,
            [("焊工", 5, 1), ("育婴员", 4, 0)],
            "{l}: 保洁员 has more seekers than places; no seeker counts as one"
        );
        // Run again: the month is replaced, not doubled.
        training::shortage_run(&store, "2026-03", date("2026-03-02"), &by).await.unwrap();
        let (month, saved) = jiujin_store::training::shortage(&store, None).await.unwrap().unwrap();
        assert_eq!((month.as_str(), saved.len()), ("2026-03", 2), "{l}");
        assert!(training::shortage_run(&store, "2026-13", date("2026-03-02"), &by).await.is_err(), "{l}");
        // The monthly run of the servers: the first call of a month runs it, later ones
        // find it there (and March's is there already).
        assert!(training::monthly_shortage(&store, date("2026-04-02"), &by).await.unwrap().is_some(), "{l}");
        assert_eq!(training::monthly_shortage(&store, date("2026-04-20"), &by).await.unwrap(), None, "{l}");
        assert_eq!(training::monthly_shortage(&store, date("2026-03-20"), &by).await.unwrap(), None, "{l}");
        let (month, _) = jiujin_store::training::shortage(&store, None).await.unwrap().unwrap();
        assert_eq!(month, "2026-04", "{l}");

        // A 保洁员 seeker of 万州 is recommended the 育婴员 course (紧缺, first) and the
        // 保洁员 course (their occupation); the one already started is not offered.
        let city = Scope::City;
        let p = training::create_provider(&store, refdata, city, "万州家政培训中心", "", "500101", &by)
            .await
            .unwrap()
            .to_string();
        let mk = |title: &'static str, occ: &'static str, starts: &'static str, cap: &'static str| CourseInput {
            occupation: occ,
            ..course(&p, title, starts, "2026-04-30", cap)
        };
        let yy = training::create_course(&store, refdata, city, &mk("育婴员班", "育婴员", "2026-04-01", "10"), &by)
            .await
            .unwrap();
        let bj = training::create_course(&store, refdata, city, &mk("保洁员班", "保洁员", "2026-04-01", "10"), &by)
            .await
            .unwrap();
        training::create_course(&store, refdata, city, &mk("早开班", "保洁员", "2026-02-01", "10"), &by).await.unwrap();
        let jia = jiujin_store::registry::person(&store, city, id_of(&store, "甲").await).await.unwrap().unwrap();
        let rec = training::recommendations(&store, refdata, &jia, date("2026-03-02"), 5).await.unwrap();
        let ids: Vec<i64> = rec.iter().map(|r| r.course).collect();
        assert_eq!(ids, [yy, bj], "{l}: {rec:?}");
        assert!(rec[0].reasons.iter().any(|r| r.contains("紧缺职业目录")), "{l}");
    }
}
