//! The tamper-evident audit log (SPEC §9). Every change, and every read of a person's
//! record, appends one entry in the same transaction as the change (or read): who,
//! what, when, from where, with identity numbers and phones masked by the caller.
//! A bulk operation (an import run, an export) is one entry; its rows are in the
//! events it wrote.
//!
//! Entries are numbered gap-free (`seq`) and chained: each stores the hash of the
//! one before (`prev_hash`, 64 zeros before the first) and its own `hash`:
//!
//! ```text
//! hash = SHA-256( "jiujin-audit-v1" ‖ F(seq) ‖ F(at) ‖ F(actor_user_id) ‖ F(actor) ‖ F(role)
//!                 ‖ F(action) ‖ F(entity) ‖ F(entity_id) ‖ F(detail) ‖ F(address)
//!                 ‖ F(user_agent) ‖ F(prev_hash) )
//! F(absent)  = 0x00
//! F(bytes)   = 0x01 ‖ length as 8 bytes big-endian ‖ bytes
//! ```
//!
//! where `seq` is its 8 bytes big-endian, `at` the RFC 3339 text in UTC with
//! microseconds (`2025-06-01T08:00:00.123456Z`; times are kept at microseconds so
//! that SQLite text and PostgreSQL `timestamptz` read back the same instant),
//! `actor_user_id` decimal text, `detail` the stored JSON text, `prev_hash` lowercase
//! hex, and the other fields their UTF-8 text. The length prefixes make the encoding
//! unambiguous.
//!
//! `audit_head` (one row) holds the last `seq` and `hash`. A writer's first statement
//! is `UPDATE audit_head … RETURNING`: on PostgreSQL concurrent writers queue on that
//! row lock; on SQLite the write lock is taken before anything is read, so a deferred
//! transaction cannot fail on a stale snapshot. `verify` walks the log in `seq`
//! order in pages and compares the end with the head, so a deleted last entry is
//! detected too.

use chrono::{DateTime, NaiveDate, Utc};
use jiujin_domain::access::Role;
use jiujin_domain::audit::AuditAction;
use sea_orm::sea_query::Condition;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::access::Account;
use crate::entity::audit_log;
use crate::{Result, Store, StoreError};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account, when a logged-in user acted.
    pub user_id: Option<i64>,
    /// The username, or `命令行:<os user>` for a command-line run.
    pub username: String,
    pub role: Option<Role>,
}

impl Actor {
    /// A logged-in account.
    pub fn account(a: &Account) -> Actor {
        Actor { user_id: Some(a.id), username: a.username.clone(), role: Some(a.role) }
    }

    /// The program itself (housekeeping no person asked for, such as closing the
    /// record of an import whose process died).
    pub fn system() -> Actor {
        Actor { user_id: None, username: "系统".to_string(), role: None }
    }

    /// A command-line run by operating-system user `os_user`.
    pub fn command_line(os_user: Option<&str>) -> Actor {
        let user = os_user.map(str::trim).filter(|u| !u.is_empty()).unwrap_or("未知用户");
        Actor { user_id: None, username: format!("命令行:{user}"), role: None }
    }
}

/// Who acted and from where: everything an entry needs besides what was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub actor: Actor,
    /// The client's address (IP), for web requests.
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

impl Context {
    /// An actor acting locally (command line, tests).
    pub fn local(actor: Actor) -> Context {
        Context { actor, address: None, user_agent: None }
    }

    /// An entry by this actor from this place.
    pub fn entry(
        &self,
        action: AuditAction,
        entity: &str,
        entity_id: Option<String>,
        detail: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            actor: self.actor.clone(),
            action,
            entity: entity.to_string(),
            entity_id,
            detail,
            address: self.address.clone(),
            user_agent: self.user_agent.clone(),
        }
    }
}

/// One entry to append. Values in `detail` must already be masked.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub actor: Actor,
    pub action: AuditAction,
    /// The kind of object (`person`, `user`, `import_run`, `export`, …).
    pub entity: String,
    pub entity_id: Option<String>,
    pub detail: serde_json::Value,
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

/// A place in the chain taken by `reserve`: the entry's number and the hash before it.
#[derive(Debug)]
pub struct Slot {
    seq: i64,
    prev_hash: String,
}

/// The fields an entry's hash covers, as stored.
struct Hashed<'a> {
    seq: i64,
    at: DateTime<Utc>,
    actor_user_id: Option<i64>,
    actor: &'a str,
    role: Option<&'a str>,
    action: &'a str,
    entity: &'a str,
    entity_id: Option<&'a str>,
    detail: &'a str,
    address: Option<&'a str>,
    user_agent: Option<&'a str>,
    prev_hash: &'a str,
}

fn field(h: &mut Sha256, v: Option<&[u8]>) {
    match v {
        None => h.update([0u8]),
        Some(b) => {
            h.update([1u8]);
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
    }
}

/// The time as the chain covers it (UTC, microseconds).
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl Hashed<'_> {
    fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"jiujin-audit-v1");
        field(&mut h, Some(&self.seq.to_be_bytes()));
        field(&mut h, Some(timestamp(self.at).as_bytes()));
        field(&mut h, self.actor_user_id.map(|id| id.to_string()).as_deref().map(str::as_bytes));
        field(&mut h, Some(self.actor.as_bytes()));
        field(&mut h, self.role.map(str::as_bytes));
        field(&mut h, Some(self.action.as_bytes()));
        field(&mut h, Some(self.entity.as_bytes()));
        field(&mut h, self.entity_id.map(str::as_bytes));
        field(&mut h, Some(self.detail.as_bytes()));
        field(&mut h, self.address.map(str::as_bytes));
        field(&mut h, self.user_agent.map(str::as_bytes));
        field(&mut h, Some(self.prev_hash.as_bytes()));
        hex::encode(h.finalize())
    }

    fn of(m: &audit_log::Model) -> Hashed<'_> {
        Hashed {
            seq: m.seq,
            at: m.at,
            actor_user_id: m.actor_user_id,
            actor: &m.actor,
            role: m.role.as_deref(),
            action: &m.action,
            entity: &m.entity,
            entity_id: m.entity_id.as_deref(),
            detail: &m.detail,
            address: m.address.as_deref(),
            user_agent: m.user_agent.as_deref(),
            prev_hash: &m.prev_hash,
        }
    }
}

#[derive(FromQueryResult)]
struct Head {
    seq: i64,
    hash: String,
}

/// Takes the next place in the chain: must be the first statement of the
/// transaction that will `write` it (see the module docs). Rolling the transaction
/// back gives the place back.
pub async fn reserve<C: ConnectionTrait>(conn: &C) -> Result<Slot> {
    let head = Head::find_by_statement(crate::sql::statement(
        conn.get_database_backend(),
        "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
        [],
    ))
    .one(conn)
    .await?
    .ok_or_else(|| StoreError::Corrupt("audit_head 缺少链头记录".into()))?;
    Ok(Slot { seq: head.seq, prev_hash: head.hash })
}

/// The row of `e` at `seq` after `prev_hash`, and its hash.
fn entry_row(seq: i64, prev_hash: String, e: &AuditEntry) -> Result<(audit_log::ActiveModel, String)> {
    let now = Utc::now();
    let at = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let detail = serde_json::to_string(&e.detail).map_err(|err| StoreError::Corrupt(err.to_string()))?;
    let role = e.actor.role.map(Role::key);
    let hash = Hashed {
        seq,
        at,
        actor_user_id: e.actor.user_id,
        actor: &e.actor.username,
        role,
        action: e.action.code(),
        entity: &e.entity,
        entity_id: e.entity_id.as_deref(),
        detail: &detail,
        address: e.address.as_deref(),
        user_agent: e.user_agent.as_deref(),
        prev_hash: &prev_hash,
    }
    .hash();
    let row = audit_log::ActiveModel {
        seq: Set(seq),
        at: Set(at),
        actor_user_id: Set(e.actor.user_id),
        actor: Set(e.actor.username.clone()),
        role: Set(role.map(str::to_string)),
        action: Set(e.action.code().to_string()),
        entity: Set(e.entity.clone()),
        entity_id: Set(e.entity_id.clone()),
        detail: Set(detail),
        address: Set(e.address.clone()),
        user_agent: Set(e.user_agent.clone()),
        prev_hash: Set(prev_hash),
        hash: Set(hash.clone()),
    };
    Ok((row, hash))
}

async fn set_head_hash<C: ConnectionTrait>(conn: &C, seq: i64, hash: String) -> Result<()> {
    let done = conn
        .execute(crate::sql::statement(
            conn.get_database_backend(),
            "UPDATE audit_head SET hash = $1 WHERE id = 1 AND seq = $2",
            [hash.into(), seq.into()],
        ))
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Corrupt(format!("audit_head 在写入第 {seq} 条审计记录时被改动")));
    }
    Ok(())
}

/// Writes `e` into the place `slot` took, in the same transaction; returns its `seq`.
pub async fn write<C: ConnectionTrait>(conn: &C, slot: Slot, e: &AuditEntry) -> Result<u64> {
    let (row, hash) = entry_row(slot.seq, slot.prev_hash, e)?;
    audit_log::Entity::insert(row).exec_without_returning(conn).await?;
    set_head_hash(conn, slot.seq, hash).await?;
    Ok(slot.seq as u64)
}

/// Appends `entries` in order inside the caller's transaction: one head update takes
/// all their numbers, one multi-row insert writes them, one more moves the head's
/// hash. Returns their `seq`s.
pub async fn append_many<C: ConnectionTrait>(conn: &C, entries: &[&AuditEntry]) -> Result<Vec<u64>> {
    let n = entries.len() as i64;
    if n == 0 {
        return Ok(Vec::new());
    }
    let head = Head::find_by_statement(crate::sql::statement(
        conn.get_database_backend(),
        "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash",
        [n.into()],
    ))
    .one(conn)
    .await?
    .ok_or_else(|| StoreError::Corrupt("audit_head 缺少链头记录".into()))?;
    let first = head.seq - n + 1;
    let mut prev = head.hash;
    let mut rows = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let (row, hash) = entry_row(first + i as i64, prev, e)?;
        rows.push(row);
        prev = hash;
    }
    // Keep each statement's parameters well under SQLite's limit (13 columns a row).
    for chunk in rows.chunks(500) {
        audit_log::Entity::insert_many(chunk.to_vec()).exec_without_returning(conn).await?;
    }
    set_head_hash(conn, head.seq, prev).await?;
    Ok((first..=head.seq).map(|s| s as u64).collect())
}

/// Appends `entries` in one transaction of their own (reads of many requests,
/// committed together); retried when SQLite reports the database busy.
pub async fn record_many(store: &Store, entries: &[&AuditEntry]) -> Result<Vec<u64>> {
    let mut wait = std::time::Duration::from_millis(5);
    let mut attempt = 0;
    loop {
        let res = async {
            let txn = store.conn().begin().await?;
            let seqs = append_many(&txn, entries).await?;
            txn.commit().await?;
            Ok::<Vec<u64>, StoreError>(seqs)
        }
        .await;
        match res {
            Err(err) if attempt < 8 && is_busy(&err) => {
                attempt += 1;
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_millis(500));
            }
            other => return other,
        }
    }
}

/// Appends `e` inside the caller's transaction (`conn` is a `DatabaseTransaction`),
/// so that the entry commits or rolls back with the change it records. Make it the
/// transaction's first statement when the transaction reads before it writes (or
/// `reserve` first and `write` later).
pub async fn append<C: ConnectionTrait>(conn: &C, e: &AuditEntry) -> Result<u64> {
    let slot = reserve(conn).await?;
    write(conn, slot, e).await
}

/// Whether an error is SQLite's "busy"/"locked", which a retry of the whole
/// transaction can cure.
pub(crate) fn is_busy(e: &StoreError) -> bool {
    let text = match e {
        StoreError::Db(d) => d.to_string(),
        StoreError::Sqlx(s) => s.to_string(),
        _ => return false,
    };
    text.contains("database is locked") || text.contains("database table is locked") || text.contains("(code: 5)")
}

/// Appends `e` in a transaction of its own (for reads, which change nothing else);
/// retried when SQLite reports the database busy. Returns its `seq`.
pub async fn record(store: &Store, e: &AuditEntry) -> Result<u64> {
    let seqs = record_many(store, &[e]).await?;
    seqs.first().copied().ok_or_else(|| StoreError::Corrupt("审计记录未写入".into()))
}

/// How the chain is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Breach {
    /// The entry's content no longer matches its hash.
    Altered,
    /// The entry with this number is missing.
    Missing,
    /// The entry does not point at the hash of the one before it.
    Unlinked,
    /// The chain's head does not match the last entry.
    HeadMismatch,
}

impl Breach {
    pub fn label(self) -> &'static str {
        match self {
            Breach::Altered => "内容被改动",
            Breach::Missing => "记录缺失（被删除）",
            Breach::Unlinked => "与前一条记录的哈希不相连（前一条被改动或替换）",
            Breach::HeadMismatch => "链头不符（最后的记录被删除或链头被改动）",
        }
    }
}

/// The first break found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Broken {
    pub seq: u64,
    pub breach: Breach,
}

/// The result of `verify`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Entries checked and found intact (before the first break, if any).
    pub checked: u64,
    /// The head as read when the check began.
    pub head_seq: u64,
    pub head_hash: String,
    pub broken: Option<Broken>,
}

async fn head(store: &Store) -> Result<Option<Head>> {
    Ok(Head::find_by_statement(crate::sql::statement(
        store.backend(),
        "SELECT seq, hash FROM audit_head WHERE id = 1",
        [],
    ))
    .one(store.conn())
    .await?)
}

/// Entries read per query by `verify`.
const VERIFY_PAGE: u64 = 5_000;

/// Checks the whole chain, streaming it in `seq` order a page at a time (memory stays
/// flat at any size), up to the head as read at the start; entries appended while it
/// runs are left for the next check.
pub async fn verify(store: &Store) -> Result<VerifyReport> {
    let Some(h) = head(store).await? else {
        return Ok(VerifyReport {
            checked: 0,
            head_seq: 0,
            head_hash: String::new(),
            broken: Some(Broken { seq: 0, breach: Breach::HeadMismatch }),
        });
    };
    let mut report =
        VerifyReport { checked: 0, head_seq: h.seq.max(0) as u64, head_hash: h.hash.clone(), broken: None };
    let mut expected = 1i64;
    let mut prev = GENESIS.to_string();
    let broken = |seq: i64, breach| Some(Broken { seq: seq.max(0) as u64, breach });
    'pages: loop {
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gte(expected))
            .filter(audit_log::Column::Seq.lte(h.seq))
            .order_by_asc(audit_log::Column::Seq)
            .limit(VERIFY_PAGE)
            .all(store.conn())
            .await?;
        let full = rows.len() as u64 == VERIFY_PAGE;
        for m in &rows {
            if m.seq != expected {
                report.broken = broken(expected, Breach::Missing);
                break 'pages;
            }
            if m.prev_hash != prev {
                report.broken = broken(m.seq, Breach::Unlinked);
                break 'pages;
            }
            if Hashed::of(m).hash() != m.hash {
                report.broken = broken(m.seq, Breach::Altered);
                break 'pages;
            }
            prev = m.hash.clone();
            expected += 1;
            report.checked += 1;
        }
        if !full {
            break;
        }
    }
    if report.broken.is_none() {
        if expected <= h.seq {
            // The last entries are gone: the head still counts them.
            report.broken = broken(expected, Breach::Missing);
        } else if prev != h.hash {
            report.broken = broken(h.seq, Breach::HeadMismatch);
        } else if let Some(now) = head(store).await? {
            // Entries past a head that was wound back.
            let beyond =
                audit_log::Entity::find().filter(audit_log::Column::Seq.gt(now.seq)).count(store.conn()).await?;
            if beyond > 0 {
                report.broken = broken(now.seq + 1, Breach::HeadMismatch);
            }
        }
    }
    Ok(report)
}

/// The auditor's filters, all optional and combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Exact username (or `命令行:…`).
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Inclusive dates, in China time (UTC+8).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl AuditFilter {
    fn is_empty(&self) -> bool {
        *self == AuditFilter::default()
    }

    fn condition(&self) -> Condition {
        let mut c = Condition::all();
        if let Some(a) = self.actor.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            c = c.add(audit_log::Column::Actor.eq(a));
        }
        if let Some(a) = self.action {
            c = c.add(audit_log::Column::Action.eq(a.code()));
        }
        if let Some(e) = self.entity.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            c = c.add(audit_log::Column::Entity.eq(e));
        }
        if let Some(e) = self.entity_id.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            c = c.add(audit_log::Column::EntityId.eq(e));
        }
        if let Some(d) = self.from.and_then(china_midnight) {
            c = c.add(audit_log::Column::At.gte(d));
        }
        if let Some(d) = self.to.and_then(|d| d.succ_opt()).and_then(china_midnight) {
            c = c.add(audit_log::Column::At.lt(d));
        }
        c
    }
}

/// The start of a day in China (UTC+8), as a UTC instant.
fn china_midnight(d: NaiveDate) -> Option<DateTime<Utc>> {
    let local = d.and_hms_opt(0, 0, 0)?;
    Some(DateTime::from_naive_utc_and_offset(local - chrono::Duration::hours(8), Utc))
}

/// One page of a list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub total: u64,
    /// 0-based.
    pub page: u64,
    pub per_page: u64,
    pub rows: Vec<T>,
}

/// One entry as the auditor reads it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditRow {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub role: Option<String>,
    /// The stable code (`person.read`, …).
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub detail: serde_json::Value,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    pub hash: String,
}

impl AuditRow {
    fn from_model(m: audit_log::Model) -> AuditRow {
        let detail = serde_json::from_str(&m.detail).unwrap_or(serde_json::Value::String(m.detail));
        AuditRow {
            seq: m.seq.max(0) as u64,
            at: m.at,
            actor_user_id: m.actor_user_id,
            actor: m.actor,
            role: m.role,
            action: m.action,
            entity: m.entity,
            entity_id: m.entity_id,
            detail,
            address: m.address,
            user_agent: m.user_agent,
            hash: m.hash,
        }
    }

    /// The action's Chinese label (the code itself when unknown).
    pub fn action_label(&self) -> String {
        AuditAction::parse(&self.action).map(|a| a.label().to_string()).unwrap_or_else(|| self.action.clone())
    }

    /// The role's Chinese label, if any.
    pub fn role_label(&self) -> Option<&'static str> {
        self.role.as_deref().and_then(Role::parse).map(Role::label)
    }
}

/// Entries matching `filter`, newest first; `page` is 0-based.
pub async fn list(store: &Store, filter: &AuditFilter, page: u64, per_page: u64) -> Result<Page<AuditRow>> {
    let per_page = per_page.clamp(1, 500);
    let query = audit_log::Entity::find().filter(filter.condition()).order_by_desc(audit_log::Column::Seq);
    // Unfiltered, the head's number is the count (no scan of the whole log).
    let total = match (filter.is_empty(), head(store).await?) {
        (true, Some(h)) => h.seq.max(0) as u64,
        _ => query.clone().count(store.conn()).await?,
    };
    let rows = query.offset(page.saturating_mul(per_page)).limit(per_page).all(store.conn()).await?;
    Ok(Page { total, page, per_page, rows: rows.into_iter().map(AuditRow::from_model).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(detail: &str) -> Hashed<'_> {
        Hashed {
            seq: 7,
            at: DateTime::from_timestamp_micros(1_750_000_000_123_456).unwrap_or_default(),
            actor_user_id: Some(3),
            actor: "wanzhou",
            role: Some("district_staff"),
            action: "person.read",
            entity: "person",
            entity_id: Some("42"),
            detail,
            address: Some("127.0.0.1"),
            user_agent: None,
            prev_hash: GENESIS,
        }
    }

    #[test]
    fn the_hash_covers_every_field_without_ambiguity() {
        let base = sample("{}").hash();
        assert_eq!(base.len(), 64);
        assert_eq!(base, sample("{}").hash(), "deterministic");
        assert_ne!(base, sample("{ }").hash());
        // Moving text from one field to the next changes the hash (length prefixes).
        let mut a = sample("{}");
        a.actor = "wanzhoudistrict_staff";
        a.role = Some("");
        assert_ne!(a.hash(), base);
        let mut b = sample("{}");
        b.user_agent = Some("");
        assert_ne!(b.hash(), base, "an empty value differs from an absent one");
        let mut c = sample("{}");
        c.at += chrono::Duration::microseconds(1);
        assert_ne!(c.hash(), base, "microseconds count");
    }

    #[test]
    fn a_day_in_china_starts_at_sixteen_hundred_utc_the_day_before() {
        let d = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap_or_default();
        assert_eq!(china_midnight(d).map(timestamp).as_deref(), Some("2025-06-01T16:00:00.000000Z"));
    }
}
