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
use jiujin_domain::RegionCode;
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

fn text(c: &Data) -> String {
    c.to_string()
}

fn cell(sheet: &calamine::Range<Data>, row_label: &str, col_label: &str) -> f64 {
    let rows: Vec<_> = sheet.rows().collect();
    let header = rows.iter().find(|r| r.iter().any(|c| text(c) == "人员底数" || text(c) == "本年累计")).unwrap();
    let col = header.iter().position(|c| text(c) == col_label).unwrap_or_else(|| panic!("no column {col_label}"));
    let row = rows.iter().find(|r| r.iter().take(2).any(|c| text(c) == row_label)).unwrap();
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

fn tester_for(name: &str) -> jiujin_store::audit::Context {
    jiujin_store::audit::Context::local(jiujin_store::audit::Actor::command_line(Some(name)))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_risk_run_grades_districts_and_opens_a_checklist_worked_to_closure() {
    use jiujin_app::monitoring::{report_layoff, risk_run, LayoffForm, RiskError};
    use jiujin_store::risk::{step, warning, warnings, RiskState, RiskStep, RiskStepError};
    let refdata = RefData::embedded().unwrap();
    let params = jiujin_domain::monitoring::risk::embedded();
    let today = date("2026-11-30");
    let wanzhou = RegionCode::parse("500101").unwrap().subtree_range();
    let kaizhou = RegionCode::parse("500154").unwrap().subtree_range();
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let keys = Keys::from_master(&[6u8; 32]);
        store.verify_key_check(keys.check_value(), "test").await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        // 开州: 20 new unemployment registrations in March 2025, 30 in March 2026 (+50%).
        let unemployed = |n: u16, day: &str| {
            let num = id("500154", n);
            line(&[
                ("姓名", "某"),
                ("公民身份号码", &num),
                ("户籍地区划代码", "500154001001"),
                ("就业状态", "失业"),
                ("登记失业日期", day),
            ])
        };
        let rows: Vec<String> = (1..=20).map(|n| unemployed(n, "2025-03-01")).collect();
        import(&store, &keys, dir.path(), "2025-03-10", &rows).await;
        let rows: Vec<String> = (21..=50).map(|n| unemployed(n, "2026-03-01")).collect();
        import(&store, &keys, dir.path(), "2026-03-10", &rows).await;
        // 万州: an employer reports 520 layoffs in March 2026.
        let form = LayoffForm {
            region: "500101001".into(),
            employer_code: jiujin_domain::identity::CreditCode::from_parts("91", "500101", "MA5U0009")
                .unwrap()
                .as_str()
                .into(),
            employer_name: "万州某电子厂".into(),
            reported_on: "2026-03-05".into(),
            laid_off: "520".into(),
            staff: "800".into(),
            closing: None,
            note: String::new(),
        };
        let by = tester_for("wanzhou");
        report_layoff(&store, refdata, Some(wanzhou), &form, today, &by).await.unwrap();
        // Outside the caller's district, more than the staff, a bad code: refused.
        assert!(
            matches!(
                report_layoff(&store, refdata, Some(kaizhou), &form, today, &by).await,
                Err(RiskError::Field { field: "所在地", .. })
            ),
            "{l}"
        );
        let f = LayoffForm { laid_off: "900".into(), ..form.clone() };
        assert!(
            matches!(
                report_layoff(&store, refdata, Some(wanzhou), &f, today, &by).await,
                Err(RiskError::Field { field: "裁员人数", .. })
            ),
            "{l}"
        );
        let f = LayoffForm { employer_code: "91500101MA5U0009X0".into(), ..form.clone() };
        assert!(report_layoff(&store, refdata, Some(wanzhou), &f, today, &by).await.is_err(), "{l}");

        let r = risk_run(&store, refdata, &params, 202603, today, &tester()).await.unwrap();
        assert_eq!((r.at_risk, r.counts.raised), (2, 2), "{l}: {r:?}");
        let all = warnings(&store, None).await.unwrap();
        let wz = all.iter().find(|w| w.district == 500101000000).unwrap();
        assert_eq!(wz.level, 2, "{l}: 520 layoffs is orange");
        assert!(wz.reasons[0].contains("520"), "{l}");
        assert_eq!(wz.checklist.len(), 7, "{l}: yellow and orange items");
        let kz = all.iter().find(|w| w.district == 500154000000).unwrap();
        assert_eq!(kz.level, 1, "{l}: +50% registrations is yellow: {:?}", kz.reasons);
        assert!(kz.reasons[0].contains("上年同月 20 人"), "{l}: {:?}", kz.reasons);

        // Repeated: nothing new.
        let again = risk_run(&store, refdata, &params, 202603, today, &tester()).await.unwrap();
        assert_eq!((again.counts.raised, again.counts.unchanged), (0, 2), "{l}");
        // Work one item; more layoffs raise the level, keep the work and add items.
        let done =
            step(&store, Some(wanzhou), wz.id, &RiskStep::Done { item: 0, note: "已逐户排查".into() }, today, &by)
                .await
                .unwrap();
        assert_eq!(done, Some(Ok(())), "{l}");
        let f = LayoffForm {
            laid_off: "600".into(),
            employer_code: jiujin_domain::identity::CreditCode::from_parts("91", "500101", "MA5U0010")
                .unwrap()
                .as_str()
                .into(),
            ..form.clone()
        };
        report_layoff(&store, refdata, Some(wanzhou), &f, today, &by).await.unwrap();
        let r = risk_run(&store, refdata, &params, 202603, today, &tester()).await.unwrap();
        assert_eq!(r.counts.raised_level, 1, "{l}");
        let w = warning(&store, Some(wanzhou), wz.id).await.unwrap().unwrap();
        assert_eq!((w.level, w.checklist.len(), w.state), (3, 11, RiskState::Responding), "{l}");
        assert!(w.checklist[0].done && w.checklist[0].note == "已逐户排查", "{l}");
        // Another district sees and works nothing of it.
        assert_eq!(warning(&store, Some(kaizhou), wz.id).await.unwrap(), None, "{l}");
        let other =
            step(&store, Some(kaizhou), wz.id, &RiskStep::Close { note: "x".repeat(20) }, today, &by).await.unwrap();
        assert_eq!(other, None, "{l}");
        // Closing with items open needs a reason.
        let short =
            step(&store, Some(wanzhou), wz.id, &RiskStep::Close { note: "结束".into() }, today, &by).await.unwrap();
        assert_eq!(short, Some(Err(RiskStepError::Unfinished(10))), "{l}");
        let ok = step(
            &store,
            Some(wanzhou),
            wz.id,
            &RiskStep::Close { note: "裁员人员已全部通过跨区劳务对接安置".into() },
            today,
            &by,
        )
        .await
        .unwrap();
        assert_eq!(ok, Some(Ok(())), "{l}");
        assert_eq!(warning(&store, None, wz.id).await.unwrap().unwrap().state, RiskState::Closed, "{l}");
    }
}
