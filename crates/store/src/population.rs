//! The bulk reader of a 免申即享 run: persons whose hukou lies in a region, a chunk
//! at a time in id order, with just the columns policy facts come from
//! (`domain::policy::registry::PersonCore`) and the recorded facts in force on the
//! run's date. On SQLite it reads through rusqlite on its own connection, on
//! PostgreSQL through one sqlx connection: a city is read in seconds, where an ORM
//! model per row would take minutes.

use chrono::NaiveDate;
use jiujin_domain::identity::Sex;
use jiujin_domain::policy::registry::PersonCore;
use jiujin_domain::registry::{EmploymentStatus, GroupFlags};
use jiujin_domain::RegionCode;
use sqlx::{ConnectOptions as _, Connection as _, Row as _};

use crate::db::{SQLITE_MMAP_BYTES, SQLITE_PRAGMAS};
use crate::{DbUrl, Result, Store, StoreError};

/// Persons of one chunk, in id order.
#[derive(Debug, Default)]
pub struct PersonChunk {
    pub ids: Vec<i64>,
    pub cores: Vec<PersonCore>,
    pub households: Vec<Option<String>>,
    /// (row, fact, value as stored): each fact's latest value on or before the date,
    /// rows ascending.
    pub recorded: Vec<(usize, String, String)>,
}

impl PersonChunk {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Keeps, for each (row, fact), the last value pushed (rows come ordered by
    /// person, fact and start date).
    fn push_recorded(&mut self, person: i64, fact: String, value: String, cursor: &mut usize) {
        while *cursor < self.ids.len() && self.ids[*cursor] < person {
            *cursor += 1;
        }
        if self.ids.get(*cursor) != Some(&person) {
            return; // a person of the id range whose hukou lies elsewhere
        }
        match self.recorded.last_mut() {
            Some(last) if last.0 == *cursor && last.1 == fact => last.2 = value,
            _ => self.recorded.push((*cursor, fact, value)),
        }
    }
}

fn core(
    birth: NaiveDate,
    sex: i16,
    hukou: i64,
    status: i16,
    flags: i64,
    unemployed_since: Option<NaiveDate>,
) -> Result<PersonCore> {
    let bad = |what: &str| StoreError::Corrupt(format!("人员记录的{what}无法识别"));
    Ok(PersonCore {
        birth_date: birth,
        sex: Sex::from_code(sex).ok_or_else(|| bad("性别"))?,
        hukou_region: RegionCode::from_i64(hukou).ok_or_else(|| bad("户籍地"))?,
        status: EmploymentStatus::from_code(status).ok_or_else(|| bad("就业状态"))?,
        flags: GroupFlags::from_bits(flags),
        unemployed_since,
    })
}

/// One window of ids (a range of the primary key, which both databases read in
/// order without statistics or a sort): a chunk never depends on the planner's view
/// of the hukou range. `+hukou_region` keeps SQLite off the hukou index, which with a
/// city's statistics it would otherwise take and then sort (measured: 2 s a chunk of
/// 65,536 instead of 0.05 s); PostgreSQL without fresh statistics did the same.
const PERSONS_SQL: &str = "SELECT id, birth_date, sex, hukou_region, status, flags, unemployed_since, household_no \
     FROM persons WHERE id > $1 AND id <= $2 AND +hukou_region BETWEEN $3 AND $4";
const MAX_ID_SQL: &str = "SELECT COALESCE(MAX(id), 0) FROM persons";
const FACTS_SQL: &str = "SELECT person_id, fact, value FROM person_facts \
     WHERE person_id BETWEEN $1 AND $2 AND valid_from <= $3 ORDER BY person_id, fact, valid_from";

/// Reads a run's population chunk by chunk: windows of ids in order, each with the
/// persons of the region in it (an empty window is skipped).
pub struct PopulationReader {
    conn: Conn,
    region: (i64, i64),
    date: NaiveDate,
    window: i64,
    after: i64,
    max_id: i64,
}

enum Conn {
    Sqlite(Option<rusqlite::Connection>),
    Postgres(sqlx::PgConnection),
}

impl PopulationReader {
    /// A reader of the persons whose hukou lies in `region`, with their recorded
    /// facts in force on `date`, `window` ids at a time.
    pub async fn open(store: &Store, region: RegionCode, date: NaiveDate, window: u64) -> Result<PopulationReader> {
        let mut conn = match store.url() {
            DbUrl::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path)?;
                for p in SQLITE_PRAGMAS {
                    conn.execute_batch(p)?;
                }
                conn.execute_batch(&format!(
                    "PRAGMA cache_size = -65536; PRAGMA mmap_size = {SQLITE_MMAP_BYTES}; PRAGMA query_only = ON"
                ))?;
                Conn::Sqlite(Some(conn))
            }
            DbUrl::Postgres(url) => {
                let options = url
                    .parse::<sqlx::postgres::PgConnectOptions>()?
                    .log_statements(tracing::log::LevelFilter::Off)
                    .log_slow_statements(tracing::log::LevelFilter::Off, std::time::Duration::from_secs(3600));
                Conn::Postgres(sqlx::PgConnection::connect_with(&options).await?)
            }
        };
        let max_id: i64 = match &mut conn {
            Conn::Sqlite(Some(c)) => c.query_row(MAX_ID_SQL, [], |r| r.get(0))?,
            Conn::Sqlite(None) => 0,
            Conn::Postgres(c) => sqlx::query_scalar(MAX_ID_SQL).fetch_one(&mut *c).await?,
        };
        Ok(PopulationReader {
            conn,
            region: region.subtree_range(),
            date,
            window: i64::try_from(window.max(1)).unwrap_or(i64::MAX),
            after: 0,
            max_id,
        })
    }

    /// The next non-empty chunk, or `None` after the last id.
    pub async fn next_chunk(&mut self) -> Result<Option<PersonChunk>> {
        while self.after < self.max_id {
            let (after, through) = (self.after, self.after.saturating_add(self.window));
            self.after = through;
            let chunk = self.read(after, through).await?;
            if !chunk.is_empty() {
                return Ok(Some(chunk));
            }
        }
        Ok(None)
    }

    async fn read(&mut self, after: i64, through: i64) -> Result<PersonChunk> {
        let ((lo, hi), date) = (self.region, self.date);
        match &mut self.conn {
            Conn::Sqlite(slot) => {
                let conn = slot.take().ok_or_else(|| StoreError::Corrupt("读取连接已失效".into()))?;
                let (conn, out) = tokio::task::spawn_blocking(move || {
                    let out = sqlite_chunk(&conn, (lo, hi), (after, through), date);
                    (conn, out)
                })
                .await
                .map_err(|e| StoreError::Task(e.to_string()))?;
                *slot = Some(conn);
                out
            }
            Conn::Postgres(conn) => {
                let mut out = PersonChunk::default();
                let rows =
                    sqlx::query(PERSONS_SQL).bind(after).bind(through).bind(lo).bind(hi).fetch_all(&mut *conn).await?;
                let mut rows: Vec<_> = rows.into_iter().map(|r| (r.try_get::<i64, _>(0), r)).collect();
                // The window's rows in id order (no ORDER BY: the planner need not sort).
                rows.sort_by_key(|(id, _)| id.as_ref().copied().unwrap_or(i64::MIN));
                out.ids.reserve(rows.len());
                for (id, r) in rows {
                    out.ids.push(id?);
                    out.cores.push(core(
                        r.try_get(1)?,
                        r.try_get(2)?,
                        r.try_get(3)?,
                        r.try_get(4)?,
                        i64::from(r.try_get::<i32, _>(5)?),
                        r.try_get(6)?,
                    )?);
                    out.households.push(r.try_get(7)?);
                }
                let (Some(first), Some(last)) = (out.ids.first().copied(), out.ids.last().copied()) else {
                    return Ok(out);
                };
                let rows = sqlx::query(FACTS_SQL).bind(first).bind(last).bind(date).fetch_all(&mut *conn).await?;
                let mut cursor = 0;
                for r in rows {
                    out.push_recorded(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, &mut cursor);
                }
                Ok(out)
            }
        }
    }

    pub async fn close(self) {
        if let Conn::Postgres(conn) = self.conn {
            let _ = conn.close().await;
        }
    }
}

fn sqlite_chunk(
    conn: &rusqlite::Connection,
    (lo, hi): (i64, i64),
    (after, through): (i64, i64),
    date: NaiveDate,
) -> Result<PersonChunk> {
    let mut out = PersonChunk::default();
    // The rowid range is read in rowid order.
    let mut stmt = conn.prepare_cached(&format!("{} ORDER BY id", PERSONS_SQL.replace('$', "?")))?;
    let mut rows = stmt.query(rusqlite::params![after, through, lo, hi])?;
    while let Some(r) = rows.next()? {
        out.ids.push(r.get(0)?);
        out.cores.push(core(
            crate::inline::date(r, 1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            crate::inline::date_opt(r, 6)?,
        )?);
        out.households.push(r.get(7)?);
    }
    let (Some(first), Some(last)) = (out.ids.first().copied(), out.ids.last().copied()) else {
        return Ok(out);
    };
    let mut stmt = conn.prepare_cached(&FACTS_SQL.replace('$', "?"))?;
    let mut rows = stmt.query(rusqlite::params![first, last, date.format("%Y-%m-%d").to_string()])?;
    let mut cursor = 0;
    while let Some(r) = rows.next()? {
        out.push_recorded(r.get(0)?, r.get(1)?, r.get(2)?, &mut cursor);
    }
    Ok(out)
}
