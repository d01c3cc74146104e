//! The registry list's reads on SQLite, run on the calling tokio worker thread
//! through rusqlite (`block_in_place`) instead of sqlx's per-connection thread: the
//! list is the busiest page, and with sqlx every query is two thread hand-offs,
//! which under load cost more than the query. The SQL is the same statement sea-orm
//! builds, so both paths read the same rows; PostgreSQL, and a current-thread
//! runtime, keep using sqlx. Measured at 7.4M: a name search went from about 1,150
//! to 1,480 requests a second; the same for the session lookup (a one-row read)
//! made it slower (1,170), since `block_in_place` costs more than so small a query.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use rusqlite::types::Value as Sql;
use sea_orm::sea_query::Value;
use sea_orm::Statement;

use crate::db::{SQLITE_MMAP_BYTES, SQLITE_PRAGMAS};
use crate::entity::person;
use crate::{Result, Store, StoreError};

/// Statements answered here (the tests check that this path is the one taken).
static ANSWERED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many statements this path has answered since the program started.
pub fn answered() -> u64 {
    ANSWERED.load(std::sync::atomic::Ordering::Relaxed)
}

thread_local! {
    /// One read connection per thread, opened on first use.
    static READER: RefCell<Option<(PathBuf, rusqlite::Connection)>> = const { RefCell::new(None) };
}

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

fn with_reader<T>(path: &Path, f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>) -> Result<T> {
    tokio::task::block_in_place(|| {
        READER.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.as_ref().is_none_or(|(p, _)| p != path) {
                let conn = rusqlite::Connection::open(path)?;
                for p in SQLITE_PRAGMAS {
                    conn.execute_batch(p)?;
                }
                conn.execute_batch(&format!(
                    "PRAGMA cache_size = -65536; PRAGMA mmap_size = {SQLITE_MMAP_BYTES}; PRAGMA query_only = ON"
                ))?;
                *slot = Some((path.to_path_buf(), conn));
            }
            let (_, conn) = slot.as_ref().ok_or_else(|| StoreError::Corrupt("读取连接未打开".into()))?;
            ANSWERED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            f(conn).map_err(StoreError::from)
        })
    })
}

fn date(text: String) -> rusqlite::Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// A time as stored: RFC 3339 (with `T` or a space); the list never shows it, so an
/// unreadable one reads as the epoch rather than failing the page.
fn time(text: String) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(&text.replacen(' ', "T", 1))
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

/// A `persons` row in the entity's column order (the order sea-orm selects).
fn model(r: &rusqlite::Row<'_>) -> rusqlite::Result<person::Model> {
    Ok(person::Model {
        id: r.get(0)?,
        id_hmac: r.get(1)?,
        id_cipher: r.get(2)?,
        phone_hmac: r.get(3)?,
        phone_cipher: r.get(4)?,
        name: r.get(5)?,
        birth_date: date(r.get(6)?)?,
        sex: r.get(7)?,
        hukou_region: r.get(8)?,
        residence_region: r.get(9)?,
        household_no: r.get(10)?,
        status: r.get(11)?,
        status_since: date(r.get(12)?)?,
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
        unemployed_since: r.get::<_, Option<String>>(23)?.map(date).transpose()?,
        row_digest: r.get(24)?,
        created_at: time(r.get(25)?),
        updated_at: time(r.get(26)?),
    })
}

/// The persons a sea-orm `SELECT` of `persons` returns, or `None` when its values
/// cannot be bound here.
pub(crate) fn persons(path: &Path, stmt: &Statement) -> Result<Option<Vec<person::Model>>> {
    let Some(params) = params(stmt) else {
        return Ok(None);
    };
    with_reader(path, |c| {
        let mut q = c.prepare_cached(&stmt.sql)?;
        let rows = q.query_map(rusqlite::params_from_iter(params.iter()), model)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })
    .map(Some)
}

/// The first column of the first row of a statement returning one integer.
pub(crate) fn integer(path: &Path, stmt: &Statement) -> Result<Option<i64>> {
    let Some(params) = params(stmt) else {
        return Ok(None);
    };
    with_reader(path, |c| {
        let mut q = c.prepare_cached(&stmt.sql)?;
        q.query_row(rusqlite::params_from_iter(params.iter()), |r| r.get::<_, i64>(0))
    })
    .map(Some)
}
