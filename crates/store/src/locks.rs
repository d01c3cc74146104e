//! Leases in the database that keep two servers (or two processes on one machine)
//! from running the same batch at once. A lease names its holder and expires, so a
//! holder that died without releasing it blocks others only until then.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entity::batch_lock;
use crate::{Result, Store};

/// A held lease; release it with `release` (dropping it leaves it to expire).
#[derive(Debug)]
pub struct BatchLock {
    kind: String,
    holder: String,
}

/// A holder name unique to this process.
pub fn holder_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_default();
    format!("{host}:{}:{}", std::process::id(), Utc::now().timestamp_micros())
}

impl BatchLock {
    /// Takes the lease for `kind` if it is free or expired; `None` when another
    /// holder has it.
    pub async fn try_acquire(store: &Store, kind: &str, ttl: Duration) -> Result<Option<BatchLock>> {
        let now = Utc::now();
        let holder = holder_name();
        // An expired lease is removed first; then the insert decides, atomically,
        // between contenders.
        batch_lock::Entity::delete_many()
            .filter(batch_lock::Column::Kind.eq(kind))
            .filter(batch_lock::Column::ExpiresAt.lt(now))
            .exec(store.conn())
            .await?;
        let row = batch_lock::ActiveModel {
            kind: Set(kind.to_string()),
            holder: Set(holder.clone()),
            acquired_at: Set(now),
            expires_at: Set(now + ttl),
        };
        let inserted = batch_lock::Entity::insert(row)
            .on_conflict(sea_orm::sea_query::OnConflict::column(batch_lock::Column::Kind).do_nothing().to_owned())
            .do_nothing()
            .exec(store.conn())
            .await?;
        Ok(match inserted {
            sea_orm::TryInsertResult::Inserted(_) => Some(BatchLock { kind: kind.to_string(), holder }),
            _ => None,
        })
    }

    /// Extends the lease (for runs longer than its time to live).
    pub async fn renew(&self, store: &Store, ttl: Duration) -> Result<bool> {
        let res = batch_lock::Entity::update_many()
            .col_expr(batch_lock::Column::ExpiresAt, Expr::value(Utc::now() + ttl))
            .filter(batch_lock::Column::Kind.eq(&self.kind))
            .filter(batch_lock::Column::Holder.eq(&self.holder))
            .exec(store.conn())
            .await?;
        Ok(res.rows_affected == 1)
    }

    pub async fn release(self, store: &Store) -> Result<()> {
        batch_lock::Entity::delete_many()
            .filter(batch_lock::Column::Kind.eq(&self.kind))
            .filter(batch_lock::Column::Holder.eq(&self.holder))
            .exec(store.conn())
            .await?;
        Ok(())
    }

    pub fn kind(&self) -> &str {
        &self.kind
    }
}
