//! Inbox notices and policy subscriptions (SPEC §5): an account subscribes to policies
//! by tag or by target; when the policy library a server starts with has a policy
//! that is new or changed since the database last saw it, every matching subscriber
//! gets one notice; a decided payout notifies the worker accounts of its person.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use crate::entity::{notice, policy_subscription, policy_version, user};
use crate::{Result, Store};

/// Subscribes an account to policies with `tag` and/or for `target` (`""` for any).
/// Returns false when it already was.
pub async fn subscribe(store: &Store, user_id: i64, tag: &str, target: &str) -> Result<bool> {
    let row = policy_subscription::ActiveModel {
        user_id: Set(user_id),
        tag: Set(tag.trim().to_string()),
        target: Set(target.trim().to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let conflict = OnConflict::columns([
        policy_subscription::Column::UserId,
        policy_subscription::Column::Tag,
        policy_subscription::Column::Target,
    ])
    .do_nothing()
    .to_owned();
    let n = policy_subscription::Entity::insert_many([row])
        .on_conflict(conflict)
        .exec_without_returning(store.conn())
        .await?;
    Ok(n > 0)
}

/// Removes one of the account's own subscriptions; false when it had no such one.
pub async fn unsubscribe(store: &Store, user_id: i64, id: i64) -> Result<bool> {
    let r = policy_subscription::Entity::delete_many()
        .filter(policy_subscription::Column::Id.eq(id))
        .filter(policy_subscription::Column::UserId.eq(user_id))
        .exec(store.conn())
        .await?;
    Ok(r.rows_affected > 0)
}

pub async fn subscriptions(store: &Store, user_id: i64) -> Result<Vec<policy_subscription::Model>> {
    Ok(policy_subscription::Entity::find()
        .filter(policy_subscription::Column::UserId.eq(user_id))
        .order_by_asc(policy_subscription::Column::Id)
        .all(store.conn())
        .await?)
}

/// A policy as the library holds it now, for `sync_policies`.
#[derive(Debug, Clone)]
pub struct PolicyDigest {
    pub id: String,
    pub title: String,
    pub digest: String,
    pub tags: Vec<String>,
    /// Entity kind keys (`person`, `employer` …).
    pub targets: Vec<String>,
}

/// What a sync found: policies new and changed since the database last saw them, and
/// how many notices it wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synced {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub notices: u64,
}

/// Records the library's digests and notifies subscribers of what is new or changed,
/// in one transaction. The first sync of a database records a baseline and notifies
/// nobody. The caller holds the `policy-sync` lease, so servers starting together
/// notify once.
pub async fn sync_policies(store: &Store, library: &[PolicyDigest]) -> Result<Synced> {
    let txn = store.conn().begin().await?;
    let known = policy_version::Entity::find().all(&txn).await?;
    let baseline = known.is_empty();
    let now = Utc::now();
    let mut out = Synced::default();
    for p in library {
        let (kind, verb) = match known.iter().find(|k| k.policy_id == p.id) {
            None => ("policy.new", "新增政策"),
            Some(k) if k.digest != p.digest => ("policy.changed", "政策调整"),
            Some(_) => continue,
        };
        let row = policy_version::ActiveModel {
            policy_id: Set(p.id.clone()),
            digest: Set(p.digest.clone()),
            seen_at: Set(now),
        };
        let conflict = OnConflict::column(policy_version::Column::PolicyId)
            .update_columns([policy_version::Column::Digest, policy_version::Column::SeenAt])
            .to_owned();
        policy_version::Entity::insert(row).on_conflict(conflict).exec_without_returning(&txn).await?;
        if kind == "policy.new" {
            out.added.push(p.id.clone());
        } else {
            out.changed.push(p.id.clone());
        }
        if baseline {
            continue;
        }
        let subs = policy_subscription::Entity::find().all(&txn).await?;
        let mut users: Vec<i64> = subs
            .iter()
            .filter(|s| {
                (s.tag.is_empty() || p.tags.iter().any(|t| t == &s.tag))
                    && (s.target.is_empty() || p.targets.iter().any(|t| t == &s.target))
            })
            .map(|s| s.user_id)
            .collect();
        users.sort_unstable();
        users.dedup();
        let body = if kind == "policy.new" {
            format!("政策库新增“{}”，与您订阅的类别相符。", p.title)
        } else {
            format!("“{}”的条件、金额或参数有调整，请查看最新版本。", p.title)
        };
        let link = format!("/policies/{}", p.id);
        out.notices += notify(&txn, &users, kind, &format!("{verb}：{}", p.title), &body, Some(&link)).await?;
    }
    txn.commit().await?;
    Ok(out)
}

/// Writes one notice to each of `users` inside the caller's transaction.
pub async fn notify<C: ConnectionTrait>(
    conn: &C,
    users: &[i64],
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
) -> Result<u64> {
    if users.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let rows = users.iter().map(|u| notice::ActiveModel {
        user_id: Set(*u),
        kind: Set(kind.to_string()),
        title: Set(title.to_string()),
        body: Set(body.to_string()),
        link: Set(link.map(str::to_string)),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    });
    notice::Entity::insert_many(rows).exec_without_returning(conn).await?;
    Ok(users.len() as u64)
}

/// The worker accounts bound to `person_id` (who hear about their own payouts).
pub async fn accounts_of_person<C: ConnectionTrait>(conn: &C, person_id: i64) -> Result<Vec<i64>> {
    Ok(user::Entity::find()
        .filter(user::Column::PersonId.eq(person_id))
        .filter(user::Column::DisabledAt.is_null())
        .select_only()
        .column(user::Column::Id)
        .into_tuple()
        .all(conn)
        .await?)
}

/// An account's notices, newest first, and how many are unread.
pub async fn inbox(store: &Store, user_id: i64, limit: u64) -> Result<(Vec<notice::Model>, u64)> {
    let rows = notice::Entity::find()
        .filter(notice::Column::UserId.eq(user_id))
        .order_by_desc(notice::Column::Id)
        .limit(limit)
        .all(store.conn())
        .await?;
    let unread = notice::Entity::find()
        .filter(notice::Column::UserId.eq(user_id))
        .filter(notice::Column::ReadAt.is_null())
        .count(store.conn())
        .await?;
    Ok((rows, unread))
}

/// Marks all of an account's notices read; returns how many were unread.
pub async fn mark_read(store: &Store, user_id: i64) -> Result<u64> {
    let r = notice::Entity::update_many()
        .col_expr(notice::Column::ReadAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(notice::Column::UserId.eq(user_id))
        .filter(notice::Column::ReadAt.is_null())
        .exec(store.conn())
        .await?;
    Ok(r.rows_affected)
}
