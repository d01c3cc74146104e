//! Accounts and sessions in the database, and the scope an account sees. Password
//! hashing and token generation are the app's; this module stores what it is given.

use chrono::{DateTime, Utc};
use jiujin_domain::access::Role;
use jiujin_domain::audit::AuditAction;
use jiujin_domain::RegionCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionTrait};

use crate::entity::{session, user};
use crate::{audit, Result, Scope, Store, StoreError};

/// An account as the rest of the program sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub region: Option<RegionCode>,
}

impl Account {
    /// What this account may see of the registry.
    pub fn scope(&self) -> Scope {
        if self.role.sees_city() {
            return Scope::City;
        }
        match (self.role.needs_region(), self.region) {
            (true, Some(r)) => Scope::Region(r),
            _ => Scope::Nothing,
        }
    }
}

fn account(m: &user::Model) -> Result<Account> {
    Ok(Account {
        id: m.id,
        username: m.username.clone(),
        role: Role::parse(&m.role).ok_or_else(|| StoreError::Corrupt(format!("users.role {}", m.role)))?,
        region: m.region.and_then(RegionCode::from_i64),
    })
}

/// Creates an account and its `user.create` audit entry, in one transaction; an
/// existing username is refused.
pub async fn create_user(
    store: &Store,
    username: &str,
    password_hash: &str,
    role: Role,
    region: Option<RegionCode>,
    by: &audit::Context,
) -> Result<Account> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    if user::Entity::find().filter(user::Column::Username.eq(username)).count(&txn).await? > 0 {
        return Err(StoreError::Conflict(format!("用户名“{username}”已存在")));
    }
    let m = user::ActiveModel {
        username: Set(username.to_string()),
        password_hash: Set(password_hash.to_string()),
        role: Set(role.key().to_string()),
        region: Set(region.map(RegionCode::as_i64)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let detail = serde_json::json!({
        "username": username,
        "role": role.key(),
        "region": region.map(|r| r.short()),
    });
    audit::write(&txn, slot, &by.entry(AuditAction::UserCreate, "user", Some(m.id.to_string()), detail)).await?;
    txn.commit().await?;
    account(&m)
}

/// The account and its password hash, by username.
pub async fn user_by_name(store: &Store, username: &str) -> Result<Option<(Account, String)>> {
    match user::Entity::find().filter(user::Column::Username.eq(username)).one(store.conn()).await? {
        Some(m) => Ok(Some((account(&m)?, m.password_hash))),
        None => Ok(None),
    }
}

pub async fn user_count(store: &Store) -> Result<u64> {
    Ok(user::Entity::find().count(store.conn()).await?)
}

/// Replaces an account's password hash, with its `user.passwd` audit entry, in one
/// transaction; false (and nothing written) when there is no such account.
pub async fn set_password(store: &Store, username: &str, password_hash: &str, by: &audit::Context) -> Result<bool> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(m) = user::Entity::find().filter(user::Column::Username.eq(username)).one(&txn).await? else {
        return Ok(false);
    };
    let id = m.id;
    let mut am: user::ActiveModel = m.into();
    am.password_hash = Set(password_hash.to_string());
    am.update(&txn).await?;
    let detail = serde_json::json!({ "username": username });
    audit::write(&txn, slot, &by.entry(AuditAction::UserPasswd, "user", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(true)
}

pub async fn create_session(
    store: &Store,
    token_hash: &str,
    user_id: i64,
    csrf: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    session::ActiveModel {
        token_hash: Set(token_hash.to_string()),
        user_id: Set(user_id),
        csrf_token: Set(csrf.to_string()),
        created_at: Set(Utc::now()),
        expires_at: Set(expires_at),
    }
    .insert(store.conn())
    .await?;
    Ok(())
}

/// The account of a live session and the session's CSRF token.
pub async fn session_account(store: &Store, token_hash: &str) -> Result<Option<(Account, String)>> {
    let Some(s) = session::Entity::find_by_id(token_hash.to_string()).one(store.conn()).await? else {
        return Ok(None);
    };
    if s.expires_at <= Utc::now() {
        session::Entity::delete_by_id(token_hash.to_string()).exec(store.conn()).await?;
        return Ok(None);
    }
    match user::Entity::find_by_id(s.user_id).one(store.conn()).await? {
        Some(u) => Ok(Some((account(&u)?, s.csrf_token))),
        None => Ok(None),
    }
}

pub async fn delete_session(store: &Store, token_hash: &str) -> Result<()> {
    session::Entity::delete_by_id(token_hash.to_string()).exec(store.conn()).await?;
    Ok(())
}
