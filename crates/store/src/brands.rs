//! 劳务品牌 (seed 001 §(三)): the register of brands, each in a region, recognised as
//! 市级 and perhaps later as 国家级, with the latest assessment of the employment it
//! drives and the award assessed from it. Every change is one transaction with its
//! audit entry.

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

use crate::entity::labor_brand;
use crate::{audit, Result, Store, StoreError};

/// A brand to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBrand {
    pub name: String,
    pub region: i64,
    pub category: i16,
    pub trade: String,
    pub lead_organisation: Option<String>,
    pub lead_credit_code: Option<String>,
}

/// Registers a brand (names are unique in the city).
pub async fn create_brand(store: &Store, b: &NewBrand, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    if labor_brand::Entity::find().filter(labor_brand::Column::Name.eq(b.name.as_str())).one(&txn).await?.is_some() {
        return Err(StoreError::Conflict(format!("劳务品牌“{}”已登记", b.name)));
    }
    let m = labor_brand::ActiveModel {
        name: Set(b.name.clone()),
        region: Set(b.region),
        category: Set(b.category),
        trade: Set(b.trade.clone()),
        lead_organisation: Set(b.lead_organisation.clone()),
        lead_credit_code: Set(b.lead_credit_code.clone()),
        municipal_on: Set(None),
        national_on: Set(None),
        workers: Set(None),
        award_assessed_fen: Set(None),
        recorded_by: Set(by.actor.username.clone()),
        recorded_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = labor_brand::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({ "brand": id, "name": b.name, "region": b.region, "category": b.category });
    audit::write(&txn, slot, &by.entry(AuditAction::BrandChange, "labor_brands", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(id)
}

/// The brands whose region lies in `region` (all when `None`), by id.
pub async fn brands(store: &Store, region: Option<(i64, i64)>) -> Result<Vec<labor_brand::Model>> {
    let mut q = labor_brand::Entity::find();
    if let Some((lo, hi)) = region {
        q = q.filter(labor_brand::Column::Region.between(lo, hi));
    }
    Ok(q.order_by_asc(labor_brand::Column::Id).all(store.conn()).await?)
}

pub async fn brand(store: &Store, id: i64) -> Result<Option<labor_brand::Model>> {
    Ok(labor_brand::Entity::find_by_id(id).one(store.conn()).await?)
}

/// A change to a registered brand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrandChange {
    /// Recognised as 市级 on the day.
    Municipal(NaiveDate),
    /// Recognised as 国家级 on the day.
    National(NaiveDate),
    /// The employment it drives and the award assessed from it (fen).
    Assessed { workers: i32, award_fen: i64 },
}

/// Records a change to brand `id` (the caller has checked it lies in its scope and
/// that the change is allowed), with its audit entry.
pub async fn change_brand(store: &Store, id: i64, change: BrandChange, by: &audit::Context) -> Result<()> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let found = labor_brand::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("劳务品牌 {id} 不存在")))?;
    let mut am: labor_brand::ActiveModel = found.into();
    let detail = match change {
        BrandChange::Municipal(on) => {
            am.municipal_on = Set(Some(on));
            serde_json::json!({ "brand": id, "municipal_on": on })
        }
        BrandChange::National(on) => {
            am.national_on = Set(Some(on));
            serde_json::json!({ "brand": id, "national_on": on })
        }
        BrandChange::Assessed { workers, award_fen } => {
            am.workers = Set(Some(workers));
            am.award_assessed_fen = Set(Some(award_fen));
            serde_json::json!({ "brand": id, "workers": workers, "award_assessed_fen": award_fen })
        }
    };
    am.update(&txn).await?;
    audit::write(&txn, slot, &by.entry(AuditAction::BrandChange, "labor_brands", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(())
}
