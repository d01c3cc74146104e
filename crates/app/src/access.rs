//! Accounts and logins: Argon2id password hashes, session tokens (only their SHA-256
//! is stored), and the checks a new account must pass.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use jiujin_domain::access::throttle;
use jiujin_domain::access::Role;
use jiujin_domain::refdata::RefData;
use jiujin_domain::RegionCode;
use jiujin_store::access::{self, Account};
use jiujin_store::audit;
use jiujin_store::Store;
use rand::RngCore;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("用户名或密码错误")]
    BadCredentials,
    #[error("用户名只能包含字母、数字、下划线、点和短横线，长度3至32")]
    BadUsername,
    #[error("密码至少需要10个字符")]
    WeakPassword,
    #[error("角色“{0}”需要指定所属区划（--region）")]
    RegionRequired(&'static str),
    #[error("区划代码 {0} 不是重庆市的区县、乡镇或村（社区）")]
    UnknownRegion(String),
    #[error("无法计算密码摘要")]
    Hash,
    #[error("登录失败次数过多，已暂时锁定，请于 {} 后再试", china_time(*.0))]
    Locked(DateTime<Utc>),
    #[error("用人单位账号需要有效的统一社会信用代码（--credit-code）：{0}")]
    CreditCode(String),
    #[error("劳动者账号需要指定本人在实名库中的编号（--person）")]
    PersonRequired,
    #[error("实名库中没有编号为 {0} 的人员")]
    UnknownPerson(i64),
    #[error(transparent)]
    Store(#[from] jiujin_store::StoreError),
}

/// `HH:MM` in China time (UTC+8), for messages.
fn china_time(t: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(8 * 3600) {
        Some(tz) => t.with_timezone(&tz).format("%H:%M").to_string(),
        None => t.format("%H:%M UTC").to_string(),
    }
}

/// How long a login lasts.
pub const SESSION_TTL_HOURS: i64 = 8;

/// A hash of the password that takes memory and time to guess (Argon2id, default
/// parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, AccessError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|_| AccessError::Hash)
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// 32 random bytes, hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// What the database keeps of a session token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new login: the token for the cookie and the CSRF token for the forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub account: Account,
}

/// Checks the password and opens a session (audited as `login`). Unknown users and
/// wrong passwords get the same answer after the same work. Failures are counted per
/// account and per address (`throttle`); a locked account or address is refused
/// without looking at the password, and every refusal is audited.
pub async fn login(
    store: &Store,
    username: &str,
    password: &str,
    by: &audit::Context,
) -> Result<NewSession, AccessError> {
    login_at(store, username, password, by, Utc::now()).await
}

/// `login` at a given time (tests move the clock).
pub async fn login_at(
    store: &Store,
    username: &str,
    password: &str,
    by: &audit::Context,
    now: DateTime<Utc>,
) -> Result<NewSession, AccessError> {
    let name = username.trim();
    let account_key = throttle::account_key(name);
    let address_key = by.address.as_deref().map(throttle::address_key);
    let mut records =
        vec![(account_key.clone(), throttle::ACCOUNT, access::login_failures(store, &account_key).await?)];
    if let Some(k) = &address_key {
        records.push((k.clone(), throttle::ADDRESS, access::login_failures(store, k).await?));
    }
    if let Some(until) = records.iter().filter_map(|(_, _, r)| throttle::locked_until(r.as_ref(), now)).max() {
        tracing::warn!(user = %name, address = ?by.address, "login refused: locked");
        access::record_login_refused(store, name, "locked", by).await?;
        return Err(AccessError::Locked(until));
    }
    let found = access::user_by_name(store, name).await?;
    let ok = match &found {
        Some((_, hash)) => verify_password(hash, password),
        None => {
            // Spend the same time as a real check, so timing does not reveal names.
            let _ = hash_password(password);
            false
        }
    };
    let Some((account, _)) = found.filter(|_| ok) else {
        for (key, limit, record) in &records {
            access::put_login_failures(store, key, &throttle::after_failure(record.as_ref(), *limit, now)).await?;
        }
        tracing::warn!(user = %name, address = ?by.address, "login refused: bad credentials");
        access::record_login_refused(store, name, "bad_credentials", by).await?;
        return Err(AccessError::BadCredentials);
    };
    access::clear_login_failures(store, &account_key).await?;
    let token = random_token();
    let csrf = random_token();
    let expires = now + Duration::hours(SESSION_TTL_HOURS);
    let by = audit::Context { actor: audit::Actor::account(&account), ..by.clone() };
    access::create_session(store, &token_hash(&token), &account, &csrf, expires, &by).await?;
    Ok(NewSession { token, csrf, account })
}

/// A session ends after this long without a request (SPEC §9: shared phones and
/// office computers).
pub const SESSION_IDLE_MINUTES: i64 = 30;

/// The account behind a session token, with the session's CSRF token.
pub async fn session(store: &Store, token: &str) -> Result<Option<(Account, String)>, AccessError> {
    session_at(store, token, Utc::now()).await
}

/// `session` as of `now` (tests move the clock).
pub async fn session_at(
    store: &Store,
    token: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Option<(Account, String)>, AccessError> {
    let idle = Duration::minutes(SESSION_IDLE_MINUTES);
    Ok(access::session_account(store, &token_hash(token), now, idle).await?)
}

pub async fn logout(store: &Store, token: &str, by: &audit::Context) -> Result<(), AccessError> {
    Ok(access::delete_session(store, &token_hash(token), by).await?)
}

/// Prefix of API tokens, so that a leaked one is recognisable in a scan.
pub const API_TOKEN_PREFIX: &str = "jj_";

/// Creates an API token for `username`; returns its id and the token, which is shown
/// once and stored only as its SHA-256.
pub async fn create_token(
    store: &Store,
    username: &str,
    label: &str,
    days: Option<u32>,
    by: &audit::Context,
) -> Result<(i64, String), AccessError> {
    let token = format!("{API_TOKEN_PREFIX}{}", random_token());
    let expires = days.map(|d| Utc::now() + Duration::days(i64::from(d)));
    let id = access::create_token(store, username.trim(), &token_hash(&token), label.trim(), expires, by).await?;
    Ok((id, token))
}

/// How often a token's `last_used_at` is refreshed at most (a write per request
/// would serialize the API on one row).
const TOKEN_TOUCH_EVERY: Duration = Duration::minutes(1);

/// The account behind a bearer token, if it is live.
pub async fn token_account(store: &Store, token: &str) -> Result<Option<Account>, AccessError> {
    if !token.starts_with(API_TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some((account, id, last_used)) = access::token_account(store, &token_hash(token)).await? else {
        return Ok(None);
    };
    if last_used.is_none_or(|t| Utc::now() - t >= TOKEN_TOUCH_EVERY) {
        access::touch_token(store, id).await?;
    }
    Ok(Some(account))
}

/// Creates an account after checking its name, password and region (audited as
/// `user.create` by `by`).
pub async fn add_user(
    store: &Store,
    username: &str,
    password: &str,
    role: Role,
    region: Option<RegionCode>,
    by: &audit::Context,
) -> Result<Account, AccessError> {
    add_account(store, username, password, role, access::Binding { region, ..Default::default() }, by).await
}

/// Creates an account bound to a region, an employer (credit code) or a person, as
/// its role requires, after checking all of it (audited as `user.create`).
pub async fn add_account(
    store: &Store,
    username: &str,
    password: &str,
    role: Role,
    mut binding: access::Binding,
    by: &audit::Context,
) -> Result<Account, AccessError> {
    let region = binding.region;
    let name = username.trim();
    let name_ok = (3..=32).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if !name_ok {
        return Err(AccessError::BadUsername);
    }
    if password.chars().count() < 10 {
        return Err(AccessError::WeakPassword);
    }
    if role.needs_region() && region.is_none() {
        return Err(AccessError::RegionRequired(role.key()));
    }
    if let Some(r) = region {
        let known = RefData::embedded().is_ok_and(|rd| rd.is_chongqing_division(r));
        if !known {
            return Err(AccessError::UnknownRegion(r.short()));
        }
    }
    if role.needs_credit_code() || binding.credit_code.is_some() {
        let text = binding.credit_code.as_deref().unwrap_or("");
        let (code, _) = jiujin_domain::identity::CreditCode::parse(text).map_err(|e| {
            AccessError::CreditCode(if text.is_empty() { "未填写".to_string() } else { e.to_string() })
        })?;
        binding.credit_code = Some(code.as_str().to_string());
    }
    if role.needs_person() {
        let id = binding.person_id.ok_or(AccessError::PersonRequired)?;
        if jiujin_store::registry::person(store, jiujin_store::Scope::City, id).await?.is_none() {
            return Err(AccessError::UnknownPerson(id));
        }
    }
    let hash = hash_password(password)?;
    Ok(access::create_user(store, name, &hash, role, &binding, by).await?)
}

/// Sets a new password for an existing account.
pub async fn set_password(
    store: &Store,
    username: &str,
    password: &str,
    by: &audit::Context,
) -> Result<bool, AccessError> {
    if password.chars().count() < 10 {
        return Err(AccessError::WeakPassword);
    }
    Ok(access::set_password(store, username, &hash_password(password)?, by).await?)
}

/// A password for a generated account: 16 characters from an unambiguous alphabet.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| ALPHABET[usize::from(*x) % ALPHABET.len()] as char).collect()
}
