//! Accounts and logins: Argon2id password hashes, session tokens (only their SHA-256
//! is stored), and the checks a new account must pass.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{Duration, Utc};
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
    #[error(transparent)]
    Store(#[from] jiujin_store::StoreError),
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

/// Checks the password and opens a session. Unknown users and wrong passwords get
/// the same answer after the same work.
pub async fn login(store: &Store, username: &str, password: &str) -> Result<NewSession, AccessError> {
    let found = access::user_by_name(store, username.trim()).await?;
    let (account, hash) = match found {
        Some(f) => f,
        None => {
            // Spend the same time as a real check, so timing does not reveal names.
            let _ = hash_password(password);
            return Err(AccessError::BadCredentials);
        }
    };
    if !verify_password(&hash, password) {
        return Err(AccessError::BadCredentials);
    }
    let token = random_token();
    let csrf = random_token();
    let expires = Utc::now() + Duration::hours(SESSION_TTL_HOURS);
    access::create_session(store, &token_hash(&token), account.id, &csrf, expires).await?;
    Ok(NewSession { token, csrf, account })
}

/// The account behind a session token, with the session's CSRF token.
pub async fn session(store: &Store, token: &str) -> Result<Option<(Account, String)>, AccessError> {
    Ok(access::session_account(store, &token_hash(token)).await?)
}

pub async fn logout(store: &Store, token: &str) -> Result<(), AccessError> {
    Ok(access::delete_session(store, &token_hash(token)).await?)
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
    let hash = hash_password(password)?;
    Ok(access::create_user(store, name, &hash, role, region, by).await?)
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
