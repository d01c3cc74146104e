//! Reads on SQLite that run on the calling tokio worker thread through rusqlite,
//! instead of through sqlx, which runs each connection on a thread of its own so
//! that every statement is two thread hand-offs: under load those cost more than
//! the statements. Three kinds of read come here: the registry list (the busiest
//! page), the session lookup in front of every request, and the dashboards' counter
//! reads (a few hundred rows by primary-key range). The SQL is the statement
//! sea-orm builds, so both paths read the same rows (tests compare them);
//! PostgreSQL, and a current-thread runtime, keep using sqlx.
//!
//! A read that is bounded (a session by its key; a list narrowed by a name, an
//! identity number or a phone, which reads at most the index entries of that name)
//! runs directly on the worker thread, like any other short computation. A list
//! that may sort a district's whole population goes through `block_in_place`, so
//! the worker's other tasks move to another thread meanwhile. Measured at 7.4M
//! persons (bench/README.md): a name search under 200 connections went from about
//! 1,400 requests a second with `block_in_place` for every read to about 2,100.

use std::path::{Path, PathBuf};

use rusqlite::types::Value as Sql;
use sea_orm::sea_query::Value;
use sea_orm::Statement;

use crate::db::{SQLITE_MMAP_BYTES, SQLITE_PRAGMAS};
use crate::entity::{person, session, user};
use crate::{Result, Store, StoreError};

/// Statements answered here (the tests check that this path is the one taken).
static ANSWERED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many statements this path has answered since the program started.
pub fn answered() -> u64 {
    ANSWERED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Read connections shared by all threads, each with its path. Few and shared,
/// rather than one per thread: every commit elsewhere (a search's audit entry) makes
/// a connection drop its page cache and memory map at its next read, so the fewer
/// connections there are, the more reads each one serves between two resets.
static READERS: std::sync::Mutex<Vec<(PathBuf, rusqlite::Connection)>> = std::sync::Mutex::new(Vec::new());

/// Idle read connections kept for reuse; more are opened when all are busy.
const KEEP_READERS: usize = 4;

/// The SQLite file to read inline, when this store and runtime allow it.
pub(crate) fn path(store: &Store) -> Option<&Path> {
    let path = store.url().sqlite_path()?;
    let handle = tokio::runtime::Handle::try_current().ok()?;
    (handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread).then_some(path)
}

/// A sea-query value as rusqlite binds it; `None` for a kind this path does not
/// need (the caller then uses sqlx).
fn value(v: &Value) -> Option<Sql> {
    Some(match v {
        Value::Bool(b) => b.map_or(Sql::Null, |b| Sql::Integer(i64::from(b))),
        Value::TinyInt(i) => i.map_or(Sql::Null, |i| Sql::Integer(i64::from(i))),
        Value::SmallInt(i) => i.map_or(Sql::Null, |i| Sql::Integer(i64::from(i))),
        Value::Int(i) => i.map_or(Sql::Null, |i| Sql::Integer(i64::from(i))),
        Value::BigInt(i) => i.map_or(Sql::Null, Sql::Integer),
        Value::TinyUnsigned(i) => i.map_or(Sql::Null, |i| Sql::Integer(i64::from(i))),
        Value::SmallUnsigned(i) => i.map_or(Sql::Null, |i| Sql::Integer(i64::from(i))),
        Value::Unsigned(i) => i.map_or(Sql::Null, |i| Sql::Integer(i64::from(i))),
        Value::BigUnsigned(i) => match i {
            None => Sql::Null,
            Some(i) => Sql::Integer(i64::try_from(*i).ok()?),
        },
        Value::String(s) => s.as_ref().map_or(Sql::Null, |s| Sql::Text(s.to_string())),
        Value::Bytes(b) => b.as_ref().map_or(Sql::Null, |b| Sql::Blob(b.to_vec())),
        Value::ChronoDate(d) => d.as_ref().map_or(Sql::Null, |d| Sql::Text(d.format("%Y-%m-%d").to_string())),
        _ => return None,
    })
}

fn params(stmt: &Statement) -> Option<Vec<Sql>> {
    match &stmt.values {
        None => Some(Vec::new()),
        Some(values) => values.0.iter().map(value).collect(),
    }
}

fn open_reader(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    for p in SQLITE_PRAGMAS {
        conn.execute_batch(p)?;
    }
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -65536; PRAGMA mmap_size = {SQLITE_MMAP_BYTES}; PRAGMA query_only = ON"
    ))?;
    Ok(conn)
}

/// How much a read may cost, which decides whether it may hold the worker thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cost {
    /// A key look-up, or a range of one name's index entries.
    Bounded,
    /// Possibly a district's whole population (a list without a name).
    Unbounded,
}

/// Runs `f` on an idle read connection of `path` (opening one if none is idle), on
/// this worker thread.
pub(crate) fn with_reader<T>(
    path: &Path,
    cost: Cost,
    f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
) -> Result<T> {
    let run = || {
        let idle = {
            let mut pool = READERS.lock().map_err(|_| StoreError::Corrupt("读取连接池已损坏".into()))?;
            pool.iter().rposition(|(p, _)| p == path).map(|i| pool.swap_remove(i))
        };
        let (p, conn) = match idle {
            Some(c) => c,
            None => (path.to_path_buf(), open_reader(path)?),
        };
        ANSWERED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let out = f(&conn).map_err(StoreError::from);
        if let Ok(mut pool) = READERS.lock() {
            if pool.len() < KEEP_READERS {
                pool.push((p, conn));
            }
        }
        out
    };
    match cost {
        Cost::Bounded => run(),
        Cost::Unbounded => tokio::task::block_in_place(run),
    }
}

/// A `YYYY-MM-DD` date read in place (the list reads three a row; chrono's
/// format-string parser was a visible share of a search).
pub(crate) fn date(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<chrono::NaiveDate> {
    let text = r.get_ref(idx)?.as_str()?;
    let bad = || {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("日期格式应为 YYYY-MM-DD：{text}").into(),
        )
    };
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |s: &[u8]| s.iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')));
    let (Some(y), Some(m), Some(d)) = (num(&b[0..4]), num(&b[5..7]), num(&b[8..10])) else {
        return Err(bad());
    };
    i32::try_from(y).ok().and_then(|y| chrono::NaiveDate::from_ymd_opt(y, m, d)).ok_or_else(bad)
}

pub(crate) fn date_opt(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<chrono::NaiveDate>> {
    match r.get_ref(idx)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => date(r, idx).map(Some),
    }
}

/// A time as stored: RFC 3339 (with `T` or a space); the list never shows it, so an
/// unreadable one reads as the epoch rather than failing the page.
fn time(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<chrono::DateTime<chrono::Utc>> {
    let text = r.get_ref(idx)?.as_str()?;
    let parsed = if text.contains(' ') {
        chrono::DateTime::parse_from_rfc3339(&text.replacen(' ', "T", 1))
    } else {
        chrono::DateTime::parse_from_rfc3339(text)
    };
    Ok(parsed.map(|t| t.with_timezone(&chrono::Utc)).unwrap_or_default())
}

/// A `persons` row in the entity's column order (the order sea-orm selects).
pub(crate) fn model(r: &rusqlite::Row<'_>) -> rusqlite::Result<person::Model> {
    Ok(person::Model {
        id: r.get(0)?,
        id_hmac: r.get(1)?,
        id_cipher: r.get(2)?,
        phone_hmac: r.get(3)?,
        phone_cipher: r.get(4)?,
        name: r.get(5)?,
        birth_date: date(r, 6)?,
        sex: r.get(7)?,
        hukou_region: r.get(8)?,
        residence_region: r.get(9)?,
        household_no: r.get(10)?,
        status: r.get(11)?,
        status_since: date(r, 12)?,
        work_region: r.get(13)?,
        work_province: r.get(14)?,
        industry: r.get(15)?,
        occupation: r.get(16)?,
        occupation_name: r.get(17)?,
        skill_level: r.get(18)?,
        expected_wage_fen: r.get(19)?,
        flags: r.get(20)?,
        insurance: r.get(21)?,
        needs: r.get(22)?,
        unemployed_since: date_opt(r, 23)?,
        row_digest: r.get(24)?,
        created_at: time(r, 25)?,
        updated_at: time(r, 26)?,
        wanted_kind: r.get(27)?,
    })
}

/// The rows a sea-orm `SELECT` returns, each decoded by `row`, and, when `count`
/// is given, the integer that statement returns if `wanted(number of rows)` says so,
/// read together on one connection; `None` when their values cannot be bound here.
pub(crate) fn page<M>(
    path: &Path,
    cost: Cost,
    rows: &Statement,
    count: Option<&Statement>,
    wanted: impl FnOnce(usize) -> bool,
    row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<M>,
) -> Result<Option<Page<M>>> {
    let Some(row_params) = params(rows) else {
        return Ok(None);
    };
    let count = match count {
        Some(c) => match params(c) {
            Some(p) => Some((c, p)),
            None => return Ok(None),
        },
        None => None,
    };
    with_reader(path, cost, |c| {
        let mut q = c.prepare_cached(&rows.sql)?;
        let rows = q.query_map(rusqlite::params_from_iter(row_params.iter()), row)?;
        let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        let total = match &count {
            Some((stmt, p)) if wanted(rows.len()) => {
                let mut q = c.prepare_cached(&stmt.sql)?;
                Some(q.query_row(rusqlite::params_from_iter(p.iter()), |r| r.get::<_, i64>(0))?)
            }
            _ => None,
        };
        Ok(Page { rows, total })
    })
    .map(Some)
}

/// A page of rows and, when asked for, the count of all matches.
pub(crate) struct Page<M> {
    pub rows: Vec<M>,
    pub total: Option<i64>,
}

/// A registry list's line, selected in `LINE_COLUMNS` order.
pub(crate) fn line_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<crate::registry::queries::LineRow> {
    Ok(crate::registry::queries::LineRow {
        id: r.get(0)?,
        name: r.get(1)?,
        id_cipher: r.get(2)?,
        phone_cipher: r.get(3)?,
        sex: r.get(4)?,
        birth_date: date(r, 5)?,
        hukou_region: r.get(6)?,
        residence_region: r.get(7)?,
        status: r.get(8)?,
        work_region: r.get(9)?,
        work_province: r.get(10)?,
    })
}

/// A time that must be read right (a session's expiry): unreadable is an error.
fn exact_time(idx: usize, text: String) -> rusqlite::Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(&text.replacen(' ', "T", 1))
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e)))
}

fn exact_time_opt(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<chrono::DateTime<chrono::Utc>>> {
    r.get::<_, Option<String>>(idx)?.map(|t| exact_time(idx, t)).transpose()
}

/// A session and its account (absent if the account row is gone).
pub(crate) type SessionRow = (session::Model, Option<user::Model>);

/// The row of `session::Entity::find_by_id(..).find_also_related(user::Entity)`:
/// the session's columns, then the account's, in their entities' order.
fn session_and_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRow> {
    let s = session::Model {
        token_hash: r.get(0)?,
        user_id: r.get(1)?,
        csrf_token: r.get(2)?,
        created_at: exact_time(3, r.get(3)?)?,
        expires_at: exact_time(4, r.get(4)?)?,
        last_seen_at: exact_time_opt(r, 5)?,
    };
    let u = match r.get::<_, Option<i64>>(6)? {
        None => None,
        Some(id) => Some(user::Model {
            id,
            username: r.get(7)?,
            password_hash: r.get(8)?,
            role: r.get(9)?,
            region: r.get(10)?,
            created_at: exact_time(11, r.get(11)?)?,
            credit_code: r.get(12)?,
            person_id: r.get(13)?,
            disabled_at: exact_time_opt(r, 14)?,
        }),
    };
    Ok((s, u))
}

/// A session and its account, read with the statement sea-orm builds for
/// `find_also_related`; `None` inside when there is no such session, and `None`
/// outside when the statement's values cannot be bound here.
pub(crate) fn session(path: &Path, stmt: &Statement) -> Result<Option<Option<SessionRow>>> {
    let Some(params) = params(stmt) else {
        return Ok(None);
    };
    with_reader(path, Cost::Bounded, |c| {
        let mut q = c.prepare_cached(&stmt.sql)?;
        let mut rows = q.query(rusqlite::params_from_iter(params.iter()))?;
        rows.next()?.map(session_and_user).transpose()
    })
    .map(Some)
}

/// The rows of a small bounded read (the dashboards' counters), each mapped by `f`;
/// `None` when the statement's values cannot be bound here.
pub(crate) fn rows<T>(
    path: &Path,
    stmt: &Statement,
    f: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<Vec<T>>> {
    let Some(params) = params(stmt) else {
        return Ok(None);
    };
    with_reader(path, Cost::Bounded, |c| {
        let mut q = c.prepare_cached(&stmt.sql)?;
        let mut rows = q.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(f(r)?);
        }
        Ok(out)
    })
    .map(Some)
}
