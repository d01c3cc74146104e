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

        // A district's staff import only inside their district.
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        let rows = [format!("W2,{},叉车工,叉车司机,500112002,1,5000,6000,全职,60,,不包,", code("MA5U7J3W", "500101"))];
        let r = import(&store, &write(dir.path(), "scope.csv", JOBS, &rows), true, wanzhou).await;
        assert_eq!((r.written.inserted, r.rejected), (0, 1), "{l}");
        assert!(r.first_rejects[0].reason.contains("管辖范围"), "{l}");
        assert_eq!(employer::Entity::find().count(store.conn()).await.unwrap(), 3, "{l}");
    }
}
