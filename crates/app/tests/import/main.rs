//! Import and export of worker files, end to end against real databases (SQLite
//! always, PostgreSQL when `JIUJIN_TEST_PG` is set).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod bad_rows;
mod formats;
mod round_trip;

use std::path::Path;

use chrono::NaiveDate;
use jiujin_app::registry::import::{import_workers, ImportReport, ImportRequest};
use jiujin_app::Keys;
use jiujin_domain::identity::IdNumber;
use jiujin_store::entity::{import_run, person, person_event};
use jiujin_store::Store;
use sea_orm::{EntityTrait, PaginatorTrait};

pub const AS_OF: &str = "2025-06-01";

pub fn as_of() -> NaiveDate {
    NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap()
}

pub fn keys() -> Keys {
    Keys::from_master(&[3u8; 32])
}

/// A valid identity number with the given address code, birth date and sequence.
pub fn id(address: &str, birth: &str, seq: u16) -> String {
    IdNumber::from_parts(address, NaiveDate::parse_from_str(birth, "%Y-%m-%d").unwrap(), seq).unwrap().to_string()
}

pub const HEADER: &str = "姓名,公民身份号码,联系电话,户籍地区划代码,现居住地区划代码,就业状态,就业地区划代码,务工省份,行业,职业,技能等级,期望月薪,人员类别,参保险种,登记失业日期,服务需求,家庭户编号";

/// The actor of the tests' changes.
pub fn tester() -> jiujin_store::audit::Context {
    jiujin_store::audit::Context::local(jiujin_store::audit::Actor::command_line(Some("test")))
}

pub async fn run_import(store: &Store, path: &Path, rejects: Option<&Path>) -> ImportReport {
    try_import(store, path, rejects).await.unwrap()
}

pub async fn try_import(
    store: &Store,
    path: &Path,
    rejects: Option<&Path>,
) -> Result<ImportReport, jiujin_app::registry::import::ImportError> {
    store.verify_key_check(keys().check_value(), "test").await.unwrap();
    import_workers(
        store,
        &keys(),
        ImportRequest {
            path,
            rejects,
            scope: jiujin_store::Scope::City,
            as_of: as_of(),
            actor: Some("test".into()),
            by: tester(),
            batch_size: 4,
            cancel: None,
            progress: None,
        },
    )
    .await
}

pub async fn counts(store: &Store) -> (u64, u64, u64) {
    (
        person::Entity::find().count(store.conn()).await.unwrap(),
        person_event::Entity::find().count(store.conn()).await.unwrap(),
        import_run::Entity::find().count(store.conn()).await.unwrap(),
    )
}
