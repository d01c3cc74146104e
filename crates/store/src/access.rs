//! Accounts and sessions in the database, and the scope an account sees. Password
//! hashing and token generation are the app's; this module stores what it is given.

use chrono::{DateTime, Utc};
use jiujin_domain::access::throttle::Failures;
use jiujin_domain::access::Role;
use jiujin_domain::audit::AuditAction;
use jiujin_domain::RegionCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryTrait, Set, TransactionTrait,
};

use crate::entity::{api_token, login_failure, session, user};
use crate::{audit, Result, Scope, Store, StoreError};

/// An account as the rest of the program sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    /// 统一社会信用代码 of an employer account.
    pub credit_code: Option<String>,
    /// The person a worker account is.
    pub person_id: Option<i64>,
}

impl Account {
    /// What this account may see of the registry: the city, its region's subtree,
    /// itself (a worker), or nobody (employers and brokers see people only through
    /// the postings and placements of later capabilities).
    pub fn scope(&self) -> Scope {
        if self.role.sees_city() {
            return Scope::City;
        }
        if self.role.needs_person() {
            return self.person_id.map_or(Scope::Nothing, Scope::Person);
        }
        match (self.role.needs_region(), self.region) {
            (true, Some(r)) => Scope::Region(r),
            _ => Scope::Nothing,
        }
    }
}

/// What an account stands for besides its role: a home region, an employer's
/// credit code, or the person a worker account is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Binding {
    pub region: Option<RegionCode>,
    pub credit_code: Option<String>,
    pub person_id: Option<i64>,
}

fn account(m: &user::Model) -> Result<Account> {
    Ok(Account {
        id: m.id,
        username: m.username.clone(),
        role: Role::parse(&m.role).ok_or_else(|| StoreError::Corrupt(format!("users.role {}", m.role)))?,
        region: m.region.and_then(RegionCode::from_i64),
        credit_code: m.credit_code.clone(),
        person_id: m.person_id,
    })
}

/// Creates an account and its `user.create` audit entry, in one transaction; an
/// existing username is refused.
pub async fn create_user(
    store: &Store,
    username: &str,
    password_hash: &str,
    role: Role,
    binding: &Binding,
    by: &audit::Context,
) -> Result<Account> {
    let region = binding.region;
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
        credit_code: Set(binding.credit_code.clone()),
        person_id: Set(binding.person_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let detail = serde_json::json!({
        "username": username,
        "role": role.key(),
        "region": region.map(|r| r.short()),
        "credit_code": binding.credit_code,
        "person_id": binding.person_id,
    });
    audit::write(&txn, slot, &by.entry(AuditAction::UserCreate, "user", Some(m.id.to_string()), detail)).await?;
    txn.commit().await?;
    account(&m)
}

/// The account and its password hash, by username; a disabled account reads as
/// absent.
pub async fn user_by_name(store: &Store, username: &str) -> Result<Option<(Account, String)>> {
    match user::Entity::find().filter(user::Column::Username.eq(username)).one(store.conn()).await? {
        Some(m) if m.disabled_at.is_none() => Ok(Some((account(&m)?, m.password_hash))),
        _ => Ok(None),
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

/// Opens a session and writes its `login` audit entry, in one transaction.
pub async fn create_session(
    store: &Store,
    token_hash: &str,
    account: &Account,
    csrf: &str,
    expires_at: DateTime<Utc>,
    by: &audit::Context,
) -> Result<()> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    session::ActiveModel {
        token_hash: Set(token_hash.to_string()),
        user_id: Set(account.id),
        csrf_token: Set(csrf.to_string()),
        created_at: Set(Utc::now()),
        expires_at: Set(expires_at),
        last_seen_at: Set(Some(Utc::now())),
    }
    .insert(&txn)
    .await?;
    let detail = serde_json::json!({ "expires_at": expires_at.to_rfc3339() });
    audit::write(&txn, slot, &by.entry(AuditAction::Login, "user", Some(account.id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(())
}

/// The account of a live session and the session's CSRF token. A session ends at
/// its expiry or after `idle` without use; its last use is recorded at most once a
/// minute, so that reading pages does not mean writing on every request.
pub async fn session_account(
    store: &Store,
    token_hash: &str,
    now: DateTime<Utc>,
    idle: chrono::Duration,
) -> Result<Option<(Account, String)>> {
    // One statement (the session joined to its account): this runs before every
    // request. On SQLite it is read on this thread (`inline`), not handed to sqlx.
    let find = session::Entity::find_by_id(token_hash.to_string()).find_also_related(user::Entity);
    let found = match crate::inline::path(store) {
        Some(path) => crate::inline::session(path, &find.build(store.backend()))?,
        None => None,
    };
    let found = match found {
        Some(found) => found,
        None => find.one(store.conn()).await?,
    };
    let Some((s, u)) = found else {
        return Ok(None);
    };
    let last = s.last_seen_at.unwrap_or(s.created_at);
    if s.expires_at <= now || last + idle <= now {
        session::Entity::delete_by_id(token_hash.to_string()).exec(store.conn()).await?;
        return Ok(None);
    }
    if now - last >= chrono::Duration::minutes(1) {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(now))
            .filter(session::Column::TokenHash.eq(token_hash))
            .exec(store.conn())
            .await?;
    }
    match u {
        Some(u) if u.disabled_at.is_none() => Ok(Some((account(&u)?, s.csrf_token))),
        _ => Ok(None),
    }
}

/// Ends a session, with its `logout` audit entry when there was one to end.
pub async fn delete_session(store: &Store, token_hash: &str, by: &audit::Context) -> Result<()> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(s) = session::Entity::find_by_id(token_hash.to_string()).one(&txn).await? else {
        return Ok(());
    };
    session::Entity::delete_by_id(token_hash.to_string()).exec(&txn).await?;
    let entry = by.entry(AuditAction::Logout, "user", Some(s.user_id.to_string()), serde_json::json!({}));
    audit::write(&txn, slot, &entry).await?;
    txn.commit().await?;
    Ok(())
}

/// Disables an account: its sessions end and its tokens stop working (audited as
/// `user.disable`). False when there is no such account.
pub async fn disable_user(store: &Store, username: &str, by: &audit::Context) -> Result<bool> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(m) = user::Entity::find().filter(user::Column::Username.eq(username)).one(&txn).await? else {
        return Ok(false);
    };
    let id = m.id;
    session::Entity::delete_many().filter(session::Column::UserId.eq(id)).exec(&txn).await?;
    let mut am: user::ActiveModel = m.into();
    am.disabled_at = Set(Some(Utc::now()));
    am.update(&txn).await?;
    let detail = serde_json::json!({ "username": username });
    audit::write(&txn, slot, &by.entry(AuditAction::UserDisable, "user", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(true)
}

/// A refused login, for the audit log (its own transaction).
pub async fn record_login_refused(store: &Store, username: &str, reason: &str, by: &audit::Context) -> Result<()> {
    let detail = serde_json::json!({ "username": username, "reason": reason });
    audit::record(store, &by.entry(AuditAction::LoginRefused, "user", None, detail)).await?;
    Ok(())
}

// ---- login throttling -------------------------------------------------------

/// The failure record of a key (`user:NAME` or `addr:IP`).
pub async fn login_failures(store: &Store, key: &str) -> Result<Option<Failures>> {
    Ok(login_failure::Entity::find_by_id(key.to_string()).one(store.conn()).await?.map(|m| Failures {
        count: u32::try_from(m.failures).unwrap_or(0),
        window_started_at: m.window_started_at,
        locked_until: m.locked_until,
    }))
}

/// Stores a key's failure record (insert or replace).
pub async fn put_login_failures(store: &Store, key: &str, f: &Failures) -> Result<()> {
    let am = login_failure::ActiveModel {
        key: Set(key.to_string()),
        failures: Set(i32::try_from(f.count).unwrap_or(i32::MAX)),
        window_started_at: Set(f.window_started_at),
        locked_until: Set(f.locked_until),
    };
    login_failure::Entity::insert(am)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(login_failure::Column::Key)
                .update_columns([
                    login_failure::Column::Failures,
                    login_failure::Column::WindowStartedAt,
                    login_failure::Column::LockedUntil,
                ])
                .to_owned(),
        )
        .exec(store.conn())
        .await?;
    Ok(())
}

/// Forgets a key's failures (after a successful login).
pub async fn clear_login_failures(store: &Store, key: &str) -> Result<()> {
    login_failure::Entity::delete_by_id(key.to_string()).exec(store.conn()).await?;
    Ok(())
}

// ---- API tokens -------------------------------------------------------------

/// A token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub username: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Stores a new token for `username` (by its hash), audited as `token.create`.
pub async fn create_token(
    store: &Store,
    username: &str,
    token_hash: &str,
    label: &str,
    expires_at: Option<DateTime<Utc>>,
    by: &audit::Context,
) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(u) = user::Entity::find().filter(user::Column::Username.eq(username)).one(&txn).await? else {
        return Err(StoreError::NotFound(format!("账号“{username}”不存在")));
    };
    if u.disabled_at.is_some() {
        return Err(StoreError::Conflict(format!("账号“{username}”已停用")));
    }
    let m = api_token::ActiveModel {
        user_id: Set(u.id),
        token_hash: Set(token_hash.to_string()),
        label: Set(label.to_string()),
        created_at: Set(Utc::now()),
        expires_at: Set(expires_at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let detail = serde_json::json!({
        "username": username,
        "label": label,
        "expires_at": expires_at.map(|t| t.to_rfc3339()),
    });
    audit::write(&txn, slot, &by.entry(AuditAction::TokenCreate, "api_token", Some(m.id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(m.id)
}

/// The account behind a live token (not revoked, not expired, user not disabled),
/// with the token's id and when it was last used.
pub async fn token_account(store: &Store, token_hash: &str) -> Result<Option<(Account, i64, Option<DateTime<Utc>>)>> {
    let Some(t) =
        api_token::Entity::find().filter(api_token::Column::TokenHash.eq(token_hash)).one(store.conn()).await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    if t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    match user::Entity::find_by_id(t.user_id).one(store.conn()).await? {
        Some(u) if u.disabled_at.is_none() => Ok(Some((account(&u)?, t.id, t.last_used_at))),
        _ => Ok(None),
    }
}

/// Notes that a token was used now.
pub async fn touch_token(store: &Store, id: i64) -> Result<()> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(api_token::Column::Id.eq(id))
        .exec(store.conn())
        .await?;
    Ok(())
}

/// Tokens, newest first, of one account or of all.
pub async fn list_tokens(store: &Store, username: Option<&str>) -> Result<Vec<TokenInfo>> {
    use sea_orm::QueryOrder;
    let users: std::collections::HashMap<i64, String> =
        user::Entity::find().all(store.conn()).await?.into_iter().map(|u| (u.id, u.username)).collect();
    let mut q = api_token::Entity::find().order_by_desc(api_token::Column::Id);
    if let Some(name) = username {
        let id = users.iter().find(|(_, n)| n.as_str() == name).map(|(id, _)| *id).unwrap_or(-1);
        q = q.filter(api_token::Column::UserId.eq(id));
    }
    Ok(q.all(store.conn())
        .await?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            username: users.get(&t.user_id).cloned().unwrap_or_default(),
            label: t.label,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        })
        .collect())
}

/// Revokes a token, audited as `token.revoke`; false when there is no such live token.
pub async fn revoke_token(store: &Store, id: i64, by: &audit::Context) -> Result<bool> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(t) = api_token::Entity::find_by_id(id).one(&txn).await? else {
        return Ok(false);
    };
    if t.revoked_at.is_some() {
        return Ok(false);
    }
    let mut am: api_token::ActiveModel = t.into();
    am.revoked_at = Set(Some(Utc::now()));
    am.update(&txn).await?;
    audit::write(
        &txn,
        slot,
        &by.entry(AuditAction::TokenRevoke, "api_token", Some(id.to_string()), serde_json::json!({})),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// Every account, by name (for the administrator).
pub async fn list_users(store: &Store) -> Result<Vec<(Account, Option<DateTime<Utc>>)>> {
    use sea_orm::QueryOrder;
    user::Entity::find()
        .order_by_asc(user::Column::Username)
        .all(store.conn())
        .await?
        .iter()
        .map(|u| Ok((account(u)?, u.disabled_at)))
        .collect()
}
