//! Export → import gives "unchanged" for every row (CSV and Excel), and an edited
//! export is applied as updates with events.

use jiujin_app::registry::export::{export_workers, write_template};
use jiujin_store::testing::TestDb;
use jiujin_store::Scope;

use super::bad_rows::mixed_file;
use super::{counts, keys, run_import, tester};

#[tokio::test(flavor = "multi_thread")]
async fn export_then_import_round_trips_to_unchanged_in_csv_and_xlsx() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("workers.csv");
        std::fs::write(&file, mixed_file()).unwrap();
        run_import(&store, &file, None).await;
        let before = counts(&store).await;
        for ext in ["csv", "xlsx"] {
            let out = dir.path().join(format!("export.{ext}"));
            let n = export_workers(&store, &keys(), Scope::City, &out, None, &tester()).await.unwrap();
            assert_eq!(n, 3);
            let r = run_import(&store, &out, None).await;
            let c = r.counts;
            assert_eq!(
                (c.inserted, c.updated, c.unchanged, c.rejected),
                (0, 0, 3, 0),
                "{} {ext}: {:?}",
                db.label,
                r.first_rejects
            );
        }
        let after = counts(&store).await;
        assert_eq!((after.0, after.1), (before.0, before.1));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_restricted_to_a_region_holds_only_that_region() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("workers.csv");
    std::fs::write(&file, mixed_file()).unwrap();
    run_import(&store, &file, None).await;
    let out = dir.path().join("kaizhou.csv");
    let kaizhou = jiujin_domain::RegionCode::parse("500154").unwrap();
    let n = export_workers(&store, &keys(), Scope::Region(kaizhou), &out, None, &tester()).await.unwrap();
    assert_eq!(n, 1);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("孙丽") && !text.contains("张伟"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edited_export_is_applied_as_updates_with_events() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("workers.csv");
    std::fs::write(&file, mixed_file()).unwrap();
    run_import(&store, &file, None).await;
    let out = dir.path().join("export.csv");
    export_workers(&store, &keys(), Scope::City, &out, None, &tester()).await.unwrap();
    let text = std::fs::read_to_string(&out).unwrap().replace("孙丽,", "孙丽丽,");
    std::fs::write(&out, text).unwrap();
    let (_, events_before, _) = counts(&store).await;
    let c = run_import(&store, &out, None).await.counts;
    assert_eq!((c.updated, c.unchanged), (1, 2));
    let (_, events_after, _) = counts(&store).await;
    assert_eq!(events_after, events_before + 1, "one 信息变更 event");
}

#[test]
fn the_blank_template_has_the_headers_and_instructions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.xlsx");
    write_template(&out).unwrap();
    use calamine::{open_workbook_auto, Reader};
    let mut wb = open_workbook_auto(&out).unwrap();
    assert_eq!(wb.sheet_names(), vec!["人员信息".to_string(), "填写说明".to_string()]);
    let range = wb.worksheet_range("人员信息").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header, jiujin_domain::registry::header_row());
}
