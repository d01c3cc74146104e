//! File formats: GBK/GB18030 CSV from older systems, Excel workbooks (including the
//! identity number Excel turned into a number), and files that cannot be read at all.

use jiujin_app::registry::import::ImportError;
use jiujin_store::testing::TestDb;
use rust_xlsxwriter::Workbook;

use super::{counts, id, run_import, try_import, HEADER};

#[tokio::test(flavor = "multi_thread")]
async fn a_gbk_csv_from_an_older_system_is_read_correctly() {
    let store = TestDb::sqlite();
    let store = store.store().await;
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}\r\n欧阳娜娜,{},13712345678,500235001001,,市外就业,,浙江省,C,缝纫工,,,,医疗,,,\r\n",
        id("500235", "1978-08-08", 88)
    );
    let (gbk, _, bad) = encoding_rs::GB18030.encode(&text);
    assert!(!bad);
    let file = dir.path().join("old-system.csv");
    std::fs::write(&file, &gbk).unwrap();
    let r = run_import(&store, &file, None).await;
    assert_eq!((r.counts.inserted, r.counts.rejected), (1, 0), "{:?}", r.first_rejects);
    let p = jiujin_store::registry::list_persons(&store, jiujin_store::Scope::City, &Default::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(p.rows[0].state.name, "欧阳娜娜");
    assert_eq!(p.rows[0].state.work_province, Some(33));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_xlsx_file_is_imported_and_a_numeric_identity_cell_is_refused_with_advice() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("workers.xlsx");
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (i, h) in HEADER.split(',').enumerate() {
            sheet.write_string(0, i as u16, h).unwrap();
        }
        let good = id("500101", "1968-02-29", 201);
        for (c, v) in [(0, "刘德"), (1, good.as_str()), (3, "500101001001"), (5, "失业")] {
            sheet.write_string(1, c, v).unwrap();
        }
        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 3, 1).unwrap();
        let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_datetime_with_format(1, 14, &day, &date_format).unwrap();
        sheet.write_number(1, 2, 13_800_001_111.0).unwrap(); // phone typed as a number: fine
        sheet.write_string(2, 0, "陈明").unwrap();
        sheet.write_number(2, 1, 500_101_197_001_011_234.0).unwrap();
        sheet.write_string(2, 3, "500101").unwrap();
        sheet.write_string(2, 5, "失业").unwrap();
        book.save(&file).unwrap();
        let r = run_import(&store, &file, None).await;
        assert_eq!((r.counts.inserted, r.counts.rejected), (1, 1), "{}: {:?}", db.label, r.first_rejects);
        assert_eq!(r.first_rejects[0].row, 3);
        assert!(r.first_rejects[0].reason.contains("文本格式"), "{}", r.first_rejects[0].reason);
        let p = jiujin_store::registry::list_persons(&store, jiujin_store::Scope::City, &Default::default(), 0, 10)
            .await
            .unwrap();
        assert_eq!(p.rows[0].state.unemployed_since, chrono::NaiveDate::from_ymd_opt(2025, 3, 1));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_cannot_be_read_is_refused_and_changes_nothing() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();

        let pdf = dir.path().join("workers.pdf");
        std::fs::write(&pdf, b"%PDF-1.4").unwrap();
        let e = try_import(&store, &pdf, None).await.unwrap_err();
        assert!(matches!(e, ImportError::Source(_)), "{e}");
        assert!(e.to_string().contains("格式无法识别"), "{e}");

        let fake_xlsx = dir.path().join("workers.xlsx");
        std::fs::write(&fake_xlsx, b"not a zip").unwrap();
        assert!(try_import(&store, &fake_xlsx, None).await.is_err());

        let no_headers = dir.path().join("workers.csv");
        std::fs::write(&no_headers, "姓名,电话\n张三,13800000000\n").unwrap();
        let e = try_import(&store, &no_headers, None).await.unwrap_err();
        assert!(e.to_string().contains("缺少必填列：公民身份号码、户籍地区划代码、就业状态"), "{e}");

        let empty = dir.path().join("empty.csv");
        std::fs::write(&empty, "").unwrap();
        assert!(try_import(&store, &empty, None).await.is_err());

        assert_eq!(counts(&store).await, (0, 0, 0), "{}: nothing written, not even a run", db.label);
    }
}
