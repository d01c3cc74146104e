//! Rejects files of imports started from the browser, kept in the database
//! (`import_files`) so that whichever server answers can hand them out.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entity::{import_file, import_run};
use crate::{Result, Store};

/// Keeps the rejects file of run `run_id`, uploaded by account `user_id`.
pub async fn save_rejects(store: &Store, run_id: i64, user_id: i64, file_name: &str, bytes: Vec<u8>) -> Result<()> {
    import_file::ActiveModel {
        run_id: Set(run_id),
        user_id: Set(user_id),
        file_name: Set(file_name.to_string()),
        rejects: Set(bytes),
        created_at: Set(Utc::now()),
    }
    .insert(store.conn())
    .await?;
    Ok(())
}

/// The rejects file of run `run_id` (name and bytes), only for the account that
/// uploaded it: to anyone else it does not exist.
pub async fn rejects_of(store: &Store, run_id: i64, user_id: i64) -> Result<Option<(String, Vec<u8>)>> {
    Ok(import_file::Entity::find_by_id(run_id)
        .filter(import_file::Column::UserId.eq(user_id))
        .one(store.conn())
        .await?
        .map(|f| (f.file_name, f.rejects)))
}

/// One import run, for its summary page (only to the account that uploaded it).
pub async fn upload_run(store: &Store, run_id: i64, user_id: i64) -> Result<Option<import_run::Model>> {
    if rejects_of(store, run_id, user_id).await?.is_none() {
        return Ok(None);
    }
    Ok(import_run::Entity::find_by_id(run_id).one(store.conn()).await?)
}

/// Import runs, newest first: all of them, or those started by `actor`.
pub async fn import_runs(
    store: &Store,
    actor: Option<&str>,
    page: u64,
    per_page: u64,
) -> Result<(u64, Vec<import_run::Model>)> {
    use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};
    let mut q = import_run::Entity::find();
    if let Some(a) = actor {
        q = q.filter(import_run::Column::Actor.eq(a));
    }
    let total = q.clone().count(store.conn()).await?;
    let rows = q
        .order_by_desc(import_run::Column::Id)
        .offset(page.saturating_mul(per_page))
        .limit(per_page)
        .all(store.conn())
        .await?;
    Ok((total, rows))
}
