//! The monthly and yearly reports against real databases (SQLite always, PostgreSQL
//! when `JIUJIN_TEST_PG` is set): a small registry imported in January, changes
//! imported in February and March; the February report shows February's stock and
//! flows by district (with the year to date), the industry rows and the district
//! groups; the yearly report the whole year.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use calamine::{Data, Reader as _};
use chrono::NaiveDate;
use jiujin_app::registry::import::{import_workers, ImportRequest};
use jiujin_app::Keys;
use jiujin_domain::identity::IdNumber;
use jiujin_domain::refdata::RefData;
use jiujin_store::testing::TestDb;
use jiujin_store::{Scope, Store};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn tester() -> jiujin_store::audit::Context {
    jiujin_store::audit::Context::local(jiujin_store::audit::Actor::command_line(Some("test")))
}

fn id(address: &str, n: u16) -> String {
    IdNumber::from_parts(address, date("1985-05-05"), n).unwrap().as_str().to_string()
}

/// One import row from (column label, value) pairs.
fn line(cells: &[(&str, &str)]) -> String {
    let header = jiujin_domain::registry::header_row();
    let map: HashMap<&str, &str> = cells.iter().copied().collect();
    header.iter().map(|h| map.get(h).copied().unwrap_or("")).collect::<Vec<_>>().join(",")
}

async fn import(store: &Store, keys: &Keys, dir: &std::path::Path, day: &str, rows: &[String]) {
    let file = dir.join(format!("{day}.csv"));
    std::fs::write(&file, format!("{}\n{}\n", jiujin_domain::registry::header_row().join(","), rows.join("\n")))
        .unwrap();
    let req = ImportRequest {
        path: &file,
        rejects: Some(&dir.join("rejects.csv")),
        scope: Scope::City,
        as_of: date(day),
        actor: None,
        by: tester(),
        batch_size: 100,
        cancel: None,
        progress: None,
    };
    let r = import_workers(store, keys, req).await.unwrap();
    assert_eq!(r.counts.rejected, 0, "{day}: {}", std::fs::read_to_string(dir.join("rejects.csv")).unwrap_or_default());
}

fn cell(sheet: &calamine::Range<Data>, row_label: &str, col_label: &str) -> f64 {
    let rows: Vec<_> = sheet.rows().collect();
    let header =
        rows.iter().find(|r| r.iter().any(|c| c.to_string() == "人员底数" || c.to_string() == "本年累计")).unwrap();
    let col = header.iter().position(|c| c.to_string() == col_label).unwrap_or_else(|| panic!("no column {col_label}"));
    let row = rows.iter().find(|r| r.iter().take(2).any(|c| c.to_string() == row_label)).unwrap();
    match &row[col] {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("{row_label}/{col_label}: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_monthly_report_counts_the_months_stock_and_flows_by_district_and_industry() {
    let refdata = RefData::embedded().unwrap();
    for db in TestDb::all().await {
        let store = db.store().await;
        let keys = Keys::from_master(&[5u8; 32]);
        store.verify_key_check(keys.check_value(), "test").await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (id("500101", 11), id("500101", 21), id("500154", 31));
        let away = |name: &str, num: &str, hukou: &str| {
            line(&[
                ("姓名", name),
                ("公民身份号码", num),
                ("户籍地区划代码", hukou),
                ("就业状态", "市外就业"),
                ("务工省份", "广东省"),
                ("参保险种", "养老"),
            ])
        };
        import(
            &store,
            &keys,
            dir.path(),
            "2026-01-05",
            &[away("甲", &a, "500101001001"), away("乙", &b, "500101017001"), away("丙", &c, "500154001001")],
        )
        .await;
        // February (春节): 甲 comes home to a factory job in 万州, 丙 comes home unemployed.
        import(
            &store,
            &keys,
            dir.path(),
            "2026-02-10",
            &[
                line(&[
                    ("姓名", "甲"),
                    ("公民身份号码", &a),
                    ("户籍地区划代码", "500101001001"),
                    ("就业状态", "市内就业"),
                    ("就业地区划代码", "500101001"),
                    ("行业", "C"),
                    ("参保险种", "养老"),
                ]),
                line(&[
                    ("姓名", "丙"),
                    ("公民身份号码", &c),
                    ("户籍地区划代码", "500154001001"),
                    ("就业状态", "失业"),
                    ("登记失业日期", "2026-02-10"),
                    ("参保险种", "养老"),
                ]),
            ],
        )
        .await;
        // March: 丙 leaves again.
        import(&store, &keys, dir.path(), "2026-03-02", &[away("丙", &c, "500154001001")]).await;

        let bytes = jiujin_app::monitoring::report(&store, refdata, 202602, false, date("2026-11-30")).await.unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), vec!["分区县", "分行业", "区县组"], "{}", db.label);
        let d = book.worksheet_range("分区县").unwrap();
        let l = db.label;
        assert_eq!(cell(&d, "万州区", "人员底数"), 2.0, "{l}");
        assert_eq!(cell(&d, "万州区", "市内就业"), 1.0, "{l}");
        assert_eq!(cell(&d, "万州区", "新增就近就业（本月）"), 1.0, "{l}");
        assert_eq!(cell(&d, "万州区", "返乡（本月）"), 1.0, "{l}");
        assert_eq!(cell(&d, "开州区", "失业"), 1.0, "{l}: February's end, before 丙 left again");
        assert_eq!(cell(&d, "开州区", "新增登记失业（本月）"), 1.0, "{l}");
        assert_eq!(cell(&d, "开州区", "外出务工（本年累计）"), 0.0, "{l}: March is after the report");
        assert_eq!(cell(&d, "全市", "人员底数"), 3.0, "{l}");
        assert_eq!(cell(&d, "全市", "参保：养老"), 3.0, "{l}");
        let i = book.worksheet_range("分行业").unwrap();
        assert_eq!(cell(&i, "制造业", "本年累计"), 1.0, "{l}");
        assert_eq!(cell(&i, "制造业", "年度目标"), 130000.0, "{l}");
        assert_eq!(cell(&i, "合计", "年度目标"), 300000.0, "{l}");
        let g = book.worksheet_range("区县组").unwrap();
        assert_eq!(cell(&g, "合计", "本年累计"), 1.0, "{l}");

        // The year: 丙's departure in March counts, the stock is the year's end.
        let bytes = jiujin_app::monitoring::report(&store, refdata, 202612, true, date("2026-11-30")).await.unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let d = book.worksheet_range("分区县").unwrap();
        assert_eq!(cell(&d, "开州区", "外出务工（本年）"), 1.0, "{l}");
        assert_eq!(cell(&d, "开州区", "市外就业"), 1.0, "{l}");
        assert_eq!(cell(&d, "全市", "返乡（本年）"), 2.0, "{l}");
    }
}
