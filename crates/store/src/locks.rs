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

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_default()
}

/// A holder name unique to this process: `host:pid:microseconds`.
pub fn holder_name() -> String {
    format!("{}:{}:{}", host_name(), std::process::id(), Utc::now().timestamp_micros())
}

/// Whether `holder` names a process on this machine that no longer runs, so its
/// lease can be taken at once instead of when it expires (a killed import on the
/// embedded database). Holders on other machines, or where `/proc` cannot tell,
/// count as alive.
pub fn holder_is_dead(holder: &str) -> bool {
    let mut parts = holder.rsplitn(3, ':');
    let (Some(_micros), Some(pid), Some(host)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    let proc_fs = std::path::Path::new("/proc/self").exists();
    proc_fs
        && host == host_name()
        && pid != std::process::id()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

impl BatchLock {
    /// Takes the lease for `kind` if it is free or expired; `None` when another
    /// holder has it.
    pub async fn try_acquire(store: &Store, kind: &str, ttl: Duration) -> Result<Option<BatchLock>> {
        let now = Utc::now();
        let holder = holder_name();
        // An expired lease, or one whose holder has died on this machine, is removed
        // first; then the insert decides, atomically, between contenders.
        batch_lock::Entity::delete_many()
            .filter(batch_lock::Column::Kind.eq(kind))
            .filter(batch_lock::Column::ExpiresAt.lt(now))
            .exec(store.conn())
            .await?;
        if let Some(held) = batch_lock::Entity::find_by_id(kind.to_string()).one(store.conn()).await? {
            if holder_is_dead(&held.holder) {
                batch_lock::Entity::delete_many()
                    .filter(batch_lock::Column::Kind.eq(kind))
                    .filter(batch_lock::Column::Holder.eq(held.holder))
                    .exec(store.conn())
                    .await?;
            }
        }
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

    /// Removes every lease that has expired or whose holder died on this machine,
    /// and returns the kinds of those that remain (all held by live holders).
    pub async fn clear_stale(store: &Store) -> Result<std::collections::HashSet<String>> {
        let mut live = std::collections::HashSet::new();
        for lease in batch_lock::Entity::find().all(store.conn()).await? {
            if lease.expires_at < Utc::now() || holder_is_dead(&lease.holder) {
                batch_lock::Entity::delete_many()
                    .filter(batch_lock::Column::Kind.eq(&lease.kind))
                    .filter(batch_lock::Column::Holder.eq(&lease.holder))
                    .exec(store.conn())
                    .await?;
            } else {
                live.insert(lease.kind);
            }
        }
        Ok(live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_missing_process_on_this_machine_is_dead() {
        let me = holder_name();
        assert!(!holder_is_dead(&me), "this process runs");
        let host = host_name();
        // Linux pids stay below 2^22.
        assert!(holder_is_dead(&format!("{host}:4294967295:1")), "no such pid here");
        assert!(!holder_is_dead("some-other-host:4294967295:1"), "another machine cannot be checked");
        assert!(!holder_is_dead("garbage"));
    }
}
