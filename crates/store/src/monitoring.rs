//! The dashboards' counters (`mon_counts`, see `jiujin_domain::monitoring::tally`):
//! added to in the same transaction as the person events they come from — by the
//! single-record path (`add_in`), the SQLite bulk writer (`add_sqlite`) and the
//! PostgreSQL one (`add_pg`) — and recounted from the timelines by `rebuild`, which
//! folds every person's events through the same tally. `recount` does the fold
//! without writing, so tests and `jiujin monitoring verify` compare the two.
//!
//! Reads: `stock` (a measure's counts by region at a level, now or at the end of a
//! month) and `series` (one region's counters month by month). `people` lists the people
//! behind a figure by folding each candidate's timeline alone.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use jiujin_domain::monitoring::figure::Figure;
use jiujin_domain::monitoring::tally::{level_code, Facet, IndustryRows, Key, Measure, Tally};
use jiujin_domain::registry::{EmploymentStatus, EventKind, GroupFlags, InsuranceSet, ServiceNeeds};
use jiujin_domain::RegionCode;
use sea_orm::{ConnectionTrait, Value};
use sqlx::{ConnectOptions as _, Connection as _, Row as _};

use crate::db::{SQLITE_MMAP_BYTES, SQLITE_PRAGMAS};
use crate::{sql, DbUrl, Result, Scope, Store, StoreError};

const COLUMNS: &str = "INSERT INTO mon_counts (level, measure, month, region, item, n) VALUES ";
const ON_CONFLICT: &str =
    " ON CONFLICT (level, measure, month, region, item) DO UPDATE SET n = mon_counts.n + excluded.n";

/// Rows per multi-row upsert of the single-record path.
const UPSERT_CHUNK: usize = 500;

/// Adds `tally` to the counters inside the caller's transaction, and empties it.
pub(crate) async fn add_in<C: ConnectionTrait>(conn: &C, tally: &mut Tally) -> Result<()> {
    let rows = tally.drain_sorted();
    let backend = conn.get_database_backend();
    for chunk in rows.chunks(UPSERT_CHUNK) {
        let mut text = String::from(COLUMNS);
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 6);
        for (i, ((level, region, month, measure, item), n)) in chunk.iter().enumerate() {
            let b = i * 6;
            if i > 0 {
                text.push(',');
            }
            let _ = write!(text, "(${},${},${},${},${},${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6);
            values.extend([
                Value::from(*level),
                Value::from(*measure),
                Value::from(*month),
                Value::from(*region),
                Value::from(*item),
                Value::from(*n),
            ]);
        }
        text.push_str(ON_CONFLICT);
        conn.execute(sql::statement(backend, &text, values)).await?;
    }
    Ok(())
}

/// The SQLite bulk writer's form of `add_in`, on its own transaction.
pub(crate) fn add_sqlite(conn: &rusqlite::Connection, tally: &mut Tally) -> rusqlite::Result<()> {
    let rows = tally.drain_sorted();
    if rows.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(&format!("{COLUMNS}(?1, ?2, ?3, ?4, ?5, ?6){ON_CONFLICT}"))?;
    for ((level, region, month, measure, item), n) in rows {
        stmt.execute(rusqlite::params![level, measure, month, region, item, n])?;
    }
    Ok(())
}

const UNNEST_UPSERT: &str = "INSERT INTO mon_counts (level, measure, month, region, item, n) \
     SELECT * FROM UNNEST($1::smallint[], $2::smallint[], $3::int[], $4::bigint[], $5::smallint[], $6::bigint[])";

/// The PostgreSQL bulk writer's form of `add_in`: one statement for the whole tally.
pub(crate) async fn add_pg(conn: &mut sqlx::PgConnection, tally: &mut Tally) -> Result<()> {
    let rows = tally.drain_sorted();
    if rows.is_empty() {
        return Ok(());
    }
    let (mut levels, mut measures, mut items) = (Vec::new(), Vec::new(), Vec::new());
    let (mut months, mut regions, mut ns) = (Vec::new(), Vec::new(), Vec::new());
    for ((level, region, month, measure, item), n) in rows {
        levels.push(level);
        measures.push(measure);
        months.push(month);
        regions.push(region);
        items.push(item);
        ns.push(n);
    }
    sqlx::query(&format!("{UNNEST_UPSERT}{ON_CONFLICT}"))
        .bind(levels)
        .bind(measures)
        .bind(months)
        .bind(regions)
        .bind(items)
        .bind(ns)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// --- the fold --------------------------------------------------------------------

/// One `person_events` row as the fold reads it, with the person's current values of
/// the fields events carry only in their change list.
#[derive(Debug, Clone)]
pub struct FoldRow {
    pub person_id: i64,
    pub date: NaiveDate,
    pub kind: i16,
    pub status: Option<i16>,
    pub work_region: Option<i64>,
    pub industry: Option<String>,
    pub insurance: Option<i32>,
    pub flags: Option<i32>,
    pub changes: Option<String>,
    /// persons.hukou_region, needs, unemployed_since now.
    pub hukou_now: i64,
    pub needs_now: i32,
    pub unemployed_since_now: Option<NaiveDate>,
}

#[derive(serde::Deserialize)]
struct ChangeRec {
    field: String,
    old: Option<String>,
    new: Option<String>,
}

/// The fields kept only in an event's change list (not in its columns).
#[derive(Debug, Clone, PartialEq)]
struct Listed {
    hukou: i64,
    needs: i64,
    unemployed_since: Option<NaiveDate>,
}

fn listed_changes(text: Option<&str>) -> Vec<ChangeRec> {
    match text {
        Some(t) if t.contains("\"hukou_region\"") || t.contains("\"needs\"") || t.contains("\"unemployed_since\"") => {
            serde_json::from_str::<Vec<ChangeRec>>(t)
                .map(|v| {
                    v.into_iter()
                        .filter(|c| matches!(c.field.as_str(), "hukou_region" | "needs" | "unemployed_since"))
                        .collect()
                })
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

fn set_listed(l: &mut Listed, field: &str, value: Option<&str>) {
    match field {
        "hukou_region" => {
            if let Some(c) = value.and_then(|v| RegionCode::parse(v).ok()) {
                l.hukou = c.as_i64();
            }
        }
        "needs" => l.needs = ServiceNeeds::parse_list(value.unwrap_or("")).map(|n| n.bits()).unwrap_or(l.needs),
        "unemployed_since" => l.unemployed_since = value.and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()),
        _ => {}
    }
}

/// Folds one person's timeline (rows in timeline order) into `tally`: the
/// registration, then each change from the state before to the state after.
pub fn fold_person(rows: &[FoldRow], industries: &IndustryRows, tally: &mut Tally) -> Result<()> {
    let Some(first) = rows.first() else { return Ok(()) };
    let bad = |what: &str| StoreError::Corrupt(format!("person_events.{what}（person_id={}）", first.person_id));
    // The listed fields at registration: today's values, walked back through the
    // changes.
    let changes: Vec<Vec<ChangeRec>> = rows.iter().map(|r| listed_changes(r.changes.as_deref())).collect();
    let mut listed = Listed {
        hukou: first.hukou_now,
        needs: i64::from(first.needs_now),
        unemployed_since: first.unemployed_since_now,
    };
    for c in changes.iter().rev().flatten() {
        set_listed(&mut listed, &c.field, c.old.as_deref());
    }
    let mut cur: Option<Facet> = None;
    for (r, listed_here) in rows.iter().zip(&changes) {
        let kind = EventKind::from_code(r.kind).ok_or_else(|| bad("kind"))?;
        for c in listed_here {
            set_listed(&mut listed, &c.field, c.new.as_deref());
        }
        let hukou = RegionCode::from_i64(listed.hukou).ok_or_else(|| bad("hukou_region"))?;
        let mut next = match (&cur, kind) {
            (None, EventKind::Registered) | (Some(_), EventKind::Registered) => Facet {
                hukou,
                status: EmploymentStatus::from_code(r.status.unwrap_or(0)).ok_or_else(|| bad("status"))?,
                work_region: r.work_region.and_then(RegionCode::from_i64),
                industry_row: industries.get(r.industry.as_deref()),
                insurance: InsuranceSet::from_bits(i64::from(r.insurance.unwrap_or(0))),
                flags: GroupFlags::from_bits(i64::from(r.flags.unwrap_or(0))),
                needs: ServiceNeeds::from_bits(listed.needs),
                unemployed_since: listed.unemployed_since,
            },
            (None, _) => return Err(bad("kind（时间线不以登记开始）")),
            (Some(f), _) => f.clone(),
        };
        next.hukou = hukou;
        next.needs = ServiceNeeds::from_bits(listed.needs);
        next.unemployed_since = listed.unemployed_since;
        match kind {
            EventKind::Registered => {}
            EventKind::StatusChanged => {
                next.status = EmploymentStatus::from_code(r.status.unwrap_or(0)).ok_or_else(|| bad("status"))?;
                next.work_region = r.work_region.and_then(RegionCode::from_i64);
                next.industry_row = industries.get(r.industry.as_deref());
            }
            EventKind::InsuranceChanged => {
                if let Some(i) = r.insurance {
                    next.insurance = InsuranceSet::from_bits(i64::from(i));
                }
            }
            EventKind::FlagsChanged => {
                if let Some(f) = r.flags {
                    next.flags = GroupFlags::from_bits(i64::from(f));
                }
            }
            EventKind::DetailsChanged => {}
        }
        match &cur {
            None => tally.register(&next, r.date),
            Some(before) => tally.step(before, &next, r.date),
        }
        cur = Some(next);
    }
    Ok(())
}

/// What the fold reads of an event and its person (`FoldRow`'s fields, in order).
macro_rules! fold_from {
    () => {
        "SELECT e.person_id, e.event_date, e.kind, e.status, e.work_region, e.industry, e.insurance, e.flags, \
         e.changes, p.hukou_region, p.needs, p.unemployed_since FROM person_events e JOIN persons p ON p.id = e.person_id"
    };
}

/// Every timeline, in timeline order.
const FOLD_SQL: &str = concat!(fold_from!(), " ORDER BY e.person_id, e.id");

/// What a recount read.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct RecountCounts {
    pub persons: u64,
    pub events: u64,
    pub counters: u64,
}

/// Streams every timeline through `fold_person`.
struct Folder<'a> {
    industries: &'a IndustryRows,
    tally: Tally,
    person: Vec<FoldRow>,
    counts: RecountCounts,
}

impl Folder<'_> {
    fn push(&mut self, row: FoldRow) -> Result<()> {
        if self.person.first().is_some_and(|f| f.person_id != row.person_id) {
            self.flush()?;
        }
        self.counts.events += 1;
        self.person.push(row);
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if !self.person.is_empty() {
            fold_person(&self.person, self.industries, &mut self.tally)?;
            self.counts.persons += 1;
            self.person.clear();
        }
        Ok(())
    }
}

fn sqlite_fold(conn: &rusqlite::Connection, folder: &mut Folder<'_>) -> Result<()> {
    let mut stmt = conn.prepare(FOLD_SQL)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        folder.push(FoldRow {
            person_id: r.get(0)?,
            date: crate::inline::date(r, 1)?,
            kind: r.get(2)?,
            status: r.get(3)?,
            work_region: r.get(4)?,
            industry: r.get(5)?,
            insurance: r.get(6)?,
            flags: r.get(7)?,
            changes: r.get(8)?,
            hukou_now: r.get(9)?,
            needs_now: r.get(10)?,
            unemployed_since_now: crate::inline::date_opt(r, 11)?,
        })?;
    }
    folder.flush()
}

async fn pg_fold(conn: &mut sqlx::PgConnection, folder: &mut Folder<'_>) -> Result<()> {
    use futures_util::TryStreamExt as _;
    let mut rows = sqlx::query(FOLD_SQL).fetch(&mut *conn);
    while let Some(r) = rows.try_next().await? {
        folder.push(FoldRow {
            person_id: r.try_get(0)?,
            date: r.try_get(1)?,
            kind: r.try_get(2)?,
            status: r.try_get(3)?,
            work_region: r.try_get(4)?,
            industry: r.try_get(5)?,
            insurance: r.try_get(6)?,
            flags: r.try_get(7)?,
            changes: r.try_get(8)?,
            hukou_now: r.try_get(9)?,
            needs_now: r.try_get(10)?,
            unemployed_since_now: r.try_get(11)?,
        })?;
    }
    drop(rows);
    folder.flush()
}

fn sqlite_open(path: &std::path::Path) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    for p in SQLITE_PRAGMAS {
        conn.execute_batch(p)?;
    }
    conn.execute_batch(&format!("PRAGMA cache_size = -262144; PRAGMA mmap_size = {SQLITE_MMAP_BYTES}"))?;
    Ok(conn)
}

async fn pg_open(url: &str) -> Result<sqlx::PgConnection> {
    let options = url
        .parse::<sqlx::postgres::PgConnectOptions>()?
        .log_statements(tracing::log::LevelFilter::Off)
        .log_slow_statements(tracing::log::LevelFilter::Off, std::time::Duration::from_secs(3600));
    Ok(sqlx::PgConnection::connect_with(&options).await?)
}

/// The counters a recount of every timeline gives (at every level, zeros left
/// out), without writing anything.
pub async fn recount(store: &Store) -> Result<(HashMap<Key, i64>, RecountCounts)> {
    let industries = IndustryRows::embedded();
    match store.url() {
        DbUrl::Sqlite(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                let conn = sqlite_open(&path)?;
                let mut f = Folder { industries, tally: Tally::new(), person: Vec::new(), counts: Default::default() };
                sqlite_fold(&conn, &mut f)?;
                let counters = f.tally.nonzero();
                f.counts.counters = counters.len() as u64;
                Ok((counters, f.counts))
            })
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
        }
        DbUrl::Postgres(url) => {
            let mut conn = pg_open(url).await?;
            let mut f = Folder { industries, tally: Tally::new(), person: Vec::new(), counts: Default::default() };
            pg_fold(&mut conn, &mut f).await?;
            let _ = conn.close().await;
            let counters = f.tally.nonzero();
            f.counts.counters = counters.len() as u64;
            Ok((counters, f.counts))
        }
    }
}

/// Replaces the counters with a recount of every timeline, in one transaction that
/// holds off the writers meanwhile (SQLite's write lock; on PostgreSQL an exclusive
/// lock on `mon_counts`, which every writer takes a row lock in before it commits,
/// so each writer is either wholly in the recount or adds its delta after it).
pub async fn rebuild(store: &Store) -> Result<RecountCounts> {
    let industries = IndustryRows::embedded();
    match store.url() {
        DbUrl::Sqlite(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                let mut conn = sqlite_open(&path)?;
                let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let mut f = Folder { industries, tally: Tally::new(), person: Vec::new(), counts: Default::default() };
                sqlite_fold(&tx, &mut f)?;
                tx.execute("DELETE FROM mon_counts", [])?;
                let rows = f.tally.drain_sorted();
                f.counts.counters = rows.len() as u64;
                {
                    let mut stmt = tx.prepare(&format!("{COLUMNS}(?1, ?2, ?3, ?4, ?5, ?6)"))?;
                    for ((level, region, month, measure, item), n) in rows {
                        stmt.execute(rusqlite::params![level, measure, month, region, item, n])?;
                    }
                }
                tx.commit()?;
                Ok(f.counts)
            })
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
        }
        DbUrl::Postgres(url) => {
            let mut conn = pg_open(url).await?;
            let mut tx = conn.begin().await?;
            sqlx::query("LOCK TABLE mon_counts IN EXCLUSIVE MODE").execute(&mut *tx).await?;
            let mut f = Folder { industries, tally: Tally::new(), person: Vec::new(), counts: Default::default() };
            pg_fold(&mut tx, &mut f).await?;
            sqlx::query("DELETE FROM mon_counts").execute(&mut *tx).await?;
            f.counts.counters = f.tally.nonzero().len() as u64;
            add_pg(&mut tx, &mut f.tally).await?;
            tx.commit().await?;
            // Every old row version is dead now; clear them before the dashboards read.
            sqlx::query("VACUUM (ANALYZE) mon_counts").execute(&mut conn).await?;
            let _ = conn.close().await;
            Ok(f.counts)
        }
    }
}

/// Every kept counter (zeros left out).
pub async fn kept(store: &Store) -> Result<HashMap<Key, i64>> {
    let backend = store.backend();
    let rows = store
        .conn()
        .query_all(sql::statement(
            backend,
            "SELECT level, region, month, measure, item, n FROM mon_counts WHERE n <> 0",
            [],
        ))
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        out.insert(key_of(&r)?, r.try_get::<i64>("", "n")?);
    }
    Ok(out)
}

/// A counter's key from a row of `mon_counts`.
fn key_of(r: &sea_orm::QueryResult) -> Result<Key> {
    Ok((
        r.try_get("", "level")?,
        r.try_get("", "region")?,
        r.try_get("", "month")?,
        r.try_get("", "measure")?,
        r.try_get("", "item")?,
    ))
}

// --- reads -----------------------------------------------------------------------

/// One counter of a read: a region's count of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Cell {
    pub region: i64,
    pub item: i16,
    pub n: i64,
}

/// The counters' level of a region (`None` for a village: not kept).
pub fn level_of(region: RegionCode) -> Option<i16> {
    level_code(region.level())
}

/// A stock measure by region at `level` within `within` (the level's regions in
/// its subtree): now (`month` None) or at the end of month `YYYYMM`.
pub async fn stock(
    store: &Store,
    level: i16,
    within: RegionCode,
    measure: Measure,
    month: Option<i32>,
) -> Result<Vec<Cell>> {
    let (lo, hi) = within.subtree_range();
    let backend = store.backend();
    let stmt = match month {
        None => sql::statement(
            backend,
            "SELECT region, item, n FROM mon_counts WHERE level = $1 AND measure = $2 AND month = 0 \
             AND region BETWEEN $3 AND $4 ORDER BY region, item",
            [level.into(), measure.code().into(), lo.into(), hi.into()],
        ),
        Some(m) => sql::statement(
            backend,
            "SELECT region, item, CAST(SUM(n) AS BIGINT) AS n FROM mon_counts WHERE level = $1 AND measure = $2 \
             AND month BETWEEN 1 AND $3 AND region BETWEEN $4 AND $5 GROUP BY region, item ORDER BY region, item",
            [level.into(), measure.code().into(), m.into(), lo.into(), hi.into()],
        ),
    };
    let mut out = cells(store, stmt).await?;
    out.retain(|c| c.n != 0);
    Ok(out)
}

/// The (region, item, n) rows of a counter read: on SQLite read on this thread
/// (`inline`), otherwise through the pool.
async fn cells(store: &Store, stmt: sea_orm::Statement) -> Result<Vec<Cell>> {
    if let Some(path) = crate::inline::path(store) {
        let found = crate::inline::rows(path, &stmt, |r| {
            Ok(Cell { region: r.get("region")?, item: r.get("item")?, n: r.get("n")? })
        })?;
        if let Some(found) = found {
            return Ok(found);
        }
    }
    let rows = store.conn().query_all(stmt).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Cell { region: r.try_get("", "region")?, item: r.try_get("", "item")?, n: r.try_get("", "n")? });
    }
    Ok(out)
}

/// One region's counters of `measures`, month by month in `[from, to]` (`YYYYMM`):
/// (month, measure, item, n). For stocks these are the month's net changes.
pub async fn series(
    store: &Store,
    region: RegionCode,
    measures: &[Measure],
    from: i32,
    to: i32,
) -> Result<Vec<(i32, Measure, i16, i64)>> {
    let Some(level) = level_of(region) else { return Ok(Vec::new()) };
    let codes: Vec<String> = measures.iter().map(|m| m.code().to_string()).collect();
    let text = format!(
        "SELECT month, measure, item, n FROM mon_counts WHERE region = $1 AND level = $2 AND measure IN ({}) \
         AND month BETWEEN $3 AND $4 ORDER BY month, measure, item",
        codes.join(",")
    );
    let stmt =
        sql::statement(store.backend(), &text, [region.as_i64().into(), level.into(), from.max(1).into(), to.into()]);
    let raw: Vec<(i32, i16, i16, i64)> = match crate::inline::path(store)
        .map(|path| crate::inline::rows(path, &stmt, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))))
        .transpose()?
        .flatten()
    {
        Some(found) => found,
        None => {
            let rows = store.conn().query_all(stmt).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((
                    r.try_get("", "month")?,
                    r.try_get("", "measure")?,
                    r.try_get("", "item")?,
                    r.try_get("", "n")?,
                ));
            }
            out
        }
    };
    Ok(raw.into_iter().filter_map(|(month, m, item, n)| Some((month, Measure::from_code(m)?, item, n))).collect())
}

/// A flow measure summed over months `[from, to]` by region at `level` within
/// `within` and by item.
pub async fn flow_sum(
    store: &Store,
    level: i16,
    within: RegionCode,
    measure: Measure,
    from: i32,
    to: i32,
) -> Result<Vec<Cell>> {
    let (lo, hi) = within.subtree_range();
    cells(
        store,
        sql::statement(
            store.backend(),
            "SELECT region, item, CAST(SUM(n) AS BIGINT) AS n FROM mon_counts WHERE level = $1 AND measure = $2 \
             AND month BETWEEN $3 AND $4 AND region BETWEEN $5 AND $6 GROUP BY region, item ORDER BY region, item",
            [level.into(), measure.code().into(), from.max(1).into(), to.into(), lo.into(), hi.into()],
        ),
    )
    .await
}

// --- the people behind a figure ---------------------------------------------------

/// Where a listing of the people behind a figure stopped: the last person read, in
/// the order (hukou region, id).
pub type PeopleCursor = (i64, i64);

/// One page of the people behind a figure.
#[derive(Debug, Clone, Default)]
pub struct PeoplePage {
    /// (person id, how many times they count), in (hukou region, id) order.
    pub rows: Vec<(i64, i64)>,
    /// Where to go on from, if some people are not read yet.
    pub next: Option<PeopleCursor>,
    /// How many people this page read to find its rows.
    pub scanned: u64,
}

/// Persons read (and their timelines folded) per query.
const PEOPLE_BATCH: u64 = 500;

/// The people behind `figure` whose hukou is in it now, inside `scope`: each
/// candidate's timeline folded alone through the same tally that keeps the counters
/// (`fold_person`), so the list is the figure's exactly, with how many times each
/// counts. Reads in (hukou region, id) order from after `after`, and stops at
/// `limit` rows or after reading `budget` persons, whichever is first (a rare figure
/// in a large region takes several pages). A person whose hukou has left the
/// figure's regions since counts in it but is not listed (their page is in scope of
/// their new region).
pub async fn people(
    store: &Store,
    scope: Scope,
    figure: &Figure,
    after: Option<PeopleCursor>,
    limit: usize,
    budget: u64,
) -> Result<PeoplePage> {
    let mut ranges = figure.ranges();
    match scope {
        Scope::City => {}
        Scope::Region(home) => {
            let (lo, hi) = home.subtree_range();
            if ranges.iter().any(|&(a, b)| a < lo || b > hi) {
                return Ok(PeoplePage::default());
            }
        }
        Scope::Person(_) | Scope::Nothing => return Ok(PeoplePage::default()),
    }
    let industries = IndustryRows::embedded();
    let backend = store.backend();
    let mut cursor = after.unwrap_or((i64::MIN, i64::MIN));
    ranges.retain(|&(_, hi)| hi >= cursor.0);
    let mut page = PeoplePage::default();
    let mut ranges = ranges.into_iter();
    let mut range = ranges.next();
    while let Some((lo, hi)) = range {
        if page.rows.len() >= limit || page.scanned >= budget {
            page.next = Some(cursor);
            return Ok(page);
        }
        let from = lo.max(cursor.0);
        let batch = store
            .conn()
            .query_all(sql::statement(
                backend,
                "SELECT id, hukou_region FROM persons WHERE hukou_region BETWEEN $1 AND $2 \
                 AND (hukou_region > $3 OR (hukou_region = $3 AND id > $4)) ORDER BY hukou_region, id LIMIT $5",
                [from.into(), hi.into(), cursor.0.into(), cursor.1.into(), (PEOPLE_BATCH as i64).into()],
            ))
            .await?;
        if batch.is_empty() {
            range = ranges.next();
            continue;
        }
        let mut order: Vec<(i64, i64)> = Vec::with_capacity(batch.len());
        for r in &batch {
            order.push((r.try_get("", "hukou_region")?, r.try_get("", "id")?));
        }
        let rows = fold_rows_of(store, &order.iter().map(|(_, id)| *id).collect::<Vec<_>>()).await?;
        let mut by_person: HashMap<i64, Vec<FoldRow>> = HashMap::with_capacity(order.len());
        for row in rows {
            by_person.entry(row.person_id).or_default().push(row);
        }
        for (hukou, id) in order {
            if page.rows.len() >= limit || page.scanned >= budget {
                page.next = Some(cursor);
                return Ok(page);
            }
            let mut tally = Tally::new();
            if let Some(rows) = by_person.get(&id) {
                fold_person(rows, industries, &mut tally)?;
            }
            let n = figure.count(&tally.nonzero());
            if n != 0 {
                page.rows.push((id, n));
            }
            page.scanned += 1;
            cursor = (hukou, id);
        }
    }
    Ok(page)
}

/// The timelines of `ids`, as the fold reads them.
async fn fold_rows_of(store: &Store, ids: &[i64]) -> Result<Vec<FoldRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let text = format!(concat!(fold_from!(), " WHERE e.person_id IN ({}) ORDER BY e.person_id, e.id"), list);
    let rows = store.conn().query_all(sql::statement(store.backend(), &text, [])).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(FoldRow {
            person_id: r.try_get("", "person_id")?,
            date: crate::services::date_of(&r, "event_date")?
                .ok_or_else(|| StoreError::Corrupt("person_events.event_date".into()))?,
            kind: r.try_get("", "kind")?,
            status: r.try_get("", "status")?,
            work_region: r.try_get("", "work_region")?,
            industry: r.try_get("", "industry")?,
            insurance: r.try_get("", "insurance")?,
            flags: r.try_get("", "flags")?,
            changes: r.try_get("", "changes")?,
            hukou_now: r.try_get("", "hukou_region")?,
            needs_now: r.try_get("", "needs")?,
            unemployed_since_now: crate::services::date_of(&r, "unemployed_since")?,
        });
    }
    Ok(out)
}

/// A figure from the kept counters (what the dashboard shows for it).
pub async fn figure_total(store: &Store, figure: &Figure) -> Result<i64> {
    use jiujin_domain::monitoring::figure::Months;
    let (from, to) = match figure.months {
        Months::Now => (0, 0),
        Months::EndOf(m) => (1, m),
        Months::Window(a, b) => (a.max(1), b),
    };
    let mut by_level: HashMap<i16, Vec<i64>> = HashMap::new();
    for (r, _) in &figure.parts {
        if let Some(level) = level_of(*r) {
            by_level.entry(level).or_default().push(r.as_i64());
        }
    }
    let mut counters: HashMap<Key, i64> = HashMap::new();
    for (level, mut regions) in by_level {
        regions.sort_unstable();
        regions.dedup();
        let list = regions.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let text = format!(
            "SELECT level, region, month, measure, item, n FROM mon_counts WHERE level = $1 AND measure = $2 \
             AND month BETWEEN $3 AND $4 AND region IN ({list})"
        );
        let rows = store
            .conn()
            .query_all(sql::statement(
                store.backend(),
                &text,
                [level.into(), figure.measure.code().into(), from.into(), to.into()],
            ))
            .await?;
        for r in rows {
            *counters.entry(key_of(&r)?).or_insert(0) += r.try_get::<i64>("", "n")?;
        }
    }
    Ok(figure.count(&counters))
}
