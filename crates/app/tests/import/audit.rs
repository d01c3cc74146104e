//! An import run and an export are each one audit entry, with the file's SHA-256 and
//! the counts; the row-level detail is in the events they wrote.

use jiujin_app::registry::export::export_workers;
use jiujin_domain::audit::AuditAction;
use jiujin_store::audit::{self, AuditFilter};
use jiujin_store::testing::TestDb;
use jiujin_store::{Scope, Store};
use sha2::{Digest, Sha256};

use super::bad_rows::mixed_file;
use super::{keys, run_import, tester};

async fn entries(store: &Store, action: AuditAction) -> Vec<audit::AuditRow> {
    let f = AuditFilter { action: Some(action), ..Default::default() };
    audit::list(store, &f, 0, 100).await.unwrap().rows
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_and_an_export_are_one_entry_each_with_the_file_hash_and_counts() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("workers.csv");
        std::fs::write(&file, mixed_file()).unwrap();
        let sha = hex::encode(Sha256::digest(std::fs::read(&file).unwrap()));
        let report = run_import(&store, &file, None).await;
        let runs = entries(&store, AuditAction::ImportRun).await;
        assert_eq!(runs.len(), 1, "{}", db.label);
        let r = &runs[0];
        assert_eq!((r.entity.as_str(), r.entity_id.clone()), ("import_run", Some(report.run_id.to_string())));
        assert_eq!(r.actor, "命令行:test");
        assert_eq!(r.detail["file_name"], "workers.csv");
        assert_eq!(r.detail["file_sha256"], sha.as_str());
        assert_eq!(r.detail["status"], "done");
        let c = report.counts;
        assert_eq!(
            (&r.detail["inserted"], &r.detail["rejected"]),
            (&serde_json::json!(c.inserted), &serde_json::json!(c.rejected)),
            "{}",
            db.label
        );
        assert_eq!(audit::verify(&store).await.unwrap().head_seq, 1, "one entry for the whole run");

        let out = dir.path().join("export.csv");
        let n = export_workers(&store, &keys(), Scope::City, &out, None, &tester()).await.unwrap();
        let exports = entries(&store, AuditAction::ExportRun).await;
        assert_eq!(exports.len(), 1);
        assert_eq!(exports[0].detail["rows"], n);
        assert_eq!(exports[0].detail["region"], serde_json::Value::Null);
        let out_sha = hex::encode(Sha256::digest(std::fs::read(&out).unwrap()));
        assert_eq!(exports[0].detail["file_sha256"], out_sha.as_str());
        let r = audit::verify(&store).await.unwrap();
        assert_eq!((r.checked, r.broken), (2, None), "{}", db.label);
    }
}
