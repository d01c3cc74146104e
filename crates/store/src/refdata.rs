//! Loads the embedded reference regions into the `regions` table (idempotent), so that
//! SQL reports can join division names.

use jiujin_domain::refdata::RefData;
use jiujin_domain::{RegionCode, RegionLevel};
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, PaginatorTrait, Set, TransactionTrait};

use crate::entity::region;
use crate::{Result, Store, StoreError};

pub(crate) async fn load_regions(store: &Store) -> Result<()> {
    let refdata = RefData::embedded().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut rows: Vec<region::ActiveModel> = Vec::new();
    let mut push = |code: RegionCode, name: &str, level: RegionLevel| {
        rows.push(region::ActiveModel {
            code: Set(code.as_i64()),
            name: Set(name.to_string()),
            level: Set(level.code()),
            parent: Set(code.parent().map(RegionCode::as_i64)),
            district: Set(code.district().map(RegionCode::as_i64)),
        });
    };
    for level in [RegionLevel::District, RegionLevel::Town, RegionLevel::Village] {
        for r in refdata.regions_at(level) {
            push(r.code, &r.name, r.level);
        }
    }
    for (code, name) in refdata.provinces() {
        if let Some(c) = RegionCode::from_i64(i64::from(*code) * 10_000_000_000) {
            push(c, name, RegionLevel::Province);
        }
    }
    let have = region::Entity::find().count(store.conn()).await?;
    if have == rows.len() as u64 {
        return Ok(());
    }
    let txn = store.conn().begin().await?;
    for chunk in rows.chunks(500) {
        region::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::column(region::Column::Code)
                    .update_columns([
                        region::Column::Name,
                        region::Column::Level,
                        region::Column::Parent,
                        region::Column::District,
                    ])
                    .to_owned(),
            )
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}
