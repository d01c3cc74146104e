//! SQLite bulk writer: one rusqlite connection on the same file (the same
//! libsqlite3 as sea-orm's sqlx), prepared statements reused across a batch, one
//! transaction per batch.

use std::path::Path;

use jiujin_domain::monitoring::tally::{Facet, IndustryRows, Tally};
use jiujin_domain::registry::{EventSource, PersonState};
use jiujin_domain::RegionCode;
use rusqlite::{params, Connection, OptionalExtension, Row, Statement};

use super::{sqlite_timestamp, PersonRow, RowOutcome, RunStamp, Seen};
use crate::db::SQLITE_PRAGMAS;
use crate::entity::person;
use crate::registry::convert::state_from_model;
use crate::registry::events::{self, EventRow};
use crate::Result;

pub(super) struct Writer {
    conn: Connection,
    w: Stamped,
    /// Multi-row INSERT texts by (events?, rows): built once, not per chunk.
    sql: std::collections::HashMap<(bool, usize), std::sync::Arc<str>>,
    /// Page cache size in force (KiB).
    cache_kib: u32,
}

/// The run's stamps in the text form SQLite rows carry.
struct Stamped {
    stamp: RunStamp,
    now: String,
    as_of: String,
}

const FIND_PERSON: &str = "SELECT id, row_digest, name, birth_date, sex, phone_hmac, hukou_region, residence_region, \
    household_no, status, status_since, work_region, work_province, industry, occupation, occupation_name, \
    skill_level, expected_wage_fen, flags, insurance, needs, unemployed_since, created_at, wanted_kind \
    FROM persons WHERE id_hmac = ?1";

const UPDATE_PERSON: &str = "UPDATE persons SET phone_hmac = ?2, phone_cipher = ?3, name = ?4, hukou_region = ?5, \
    residence_region = ?6, household_no = ?7, status = ?8, status_since = ?9, work_region = ?10, work_province = ?11, \
    industry = ?12, occupation = ?13, occupation_name = ?14, skill_level = ?15, expected_wage_fen = ?16, flags = ?17, \
    insurance = ?18, needs = ?19, unemployed_since = ?20, row_digest = ?21, updated_at = ?22, wanted_kind = ?23 \
    WHERE id = ?1";

const INSERT_EVENT: &str = "INSERT INTO person_events (person_id, event_date, kind, source, status, work_region, \
    work_province, industry, insurance, flags, changes, import_run_id, actor, recorded_at) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

/// `YYYY-MM-DD`, the text form sea-orm stores dates in on SQLite, without the
/// formatting machinery (this runs for every row).
fn date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let (y, m, dd) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return d.format("%Y-%m-%d").to_string();
    }
    let mut s = String::with_capacity(10);
    for v in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
        s.push(char::from(b'0' + v as u8));
    }
    s.push('-');
    s.push(char::from(b'0' + (m / 10) as u8));
    s.push(char::from(b'0' + (m % 10) as u8));
    s.push('-');
    s.push(char::from(b'0' + (dd / 10) as u8));
    s.push(char::from(b'0' + (dd % 10) as u8));
    s
}

/// Page cache of the bulk connection (KiB): room for the identity index when rows
/// are merged into a full table.
const MERGE_CACHE_KIB: u32 = 256 * 1024;
/// Page cache while appending and building indexes in an initial load (KiB):
/// appends need little, and index builds sort in temporary files beyond it, which
/// keeps a city-sized import well under 1 GiB at little cost in time.
const LOAD_CACHE_KIB: u32 = 64 * 1024;

/// Helper threads SQLite's sorter may start while the indexes are built.
const SORTER_THREADS: u32 = 2;

/// Rows per multi-row INSERT of an initial load.
const APPEND_CHUNK: usize = 32;

const PERSON_COLUMNS: &str = "id, id_hmac, id_cipher, phone_hmac, phone_cipher, name, birth_date, sex, \
    hukou_region, residence_region, household_no, status, status_since, work_region, work_province, industry, \
    occupation, occupation_name, skill_level, expected_wage_fen, flags, insurance, needs, unemployed_since, \
    row_digest, created_at, updated_at, wanted_kind";

const APPEND_EVENT_COLUMNS: &str = "id, person_id, event_date, kind, source, status, work_region, work_province, \
    industry, insurance, flags, changes, import_run_id, actor, recorded_at";

/// `INSERT INTO table (columns) VALUES (…), …` for `rows` rows. `shape` lists each
/// column's value: `Some(n)` is the shared parameter `?n` (the same for every row:
/// run stamps), `None` a parameter of the row. Row parameters are numbered after
/// the shared ones, row by row. Returns the SQL and the row-parameter count.
fn multi_row_insert(table: &str, columns: &str, shape: &[Option<usize>], shared: usize, rows: usize) -> String {
    let per_row = shape.iter().filter(|c| c.is_none()).count();
    let mut sql = format!("INSERT INTO {table} ({columns}) VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        let mut k = 0;
        for (i, c) in shape.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            match c {
                Some(n) => sql.push_str(&format!("?{n}")),
                None => {
                    k += 1;
                    sql.push_str(&format!("?{}", shared + r * per_row + k));
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// Shared parameters of an initial load's statements.
const SHARED_AS_OF: usize = 1;
const SHARED_NOW: usize = 2;
const SHARED_KIND: usize = 3;
const SHARED_SOURCE: usize = 4;
const SHARED_RUN: usize = 5;
const SHARED_ACTOR: usize = 6;
const SHARED: usize = 6;

/// PERSON_COLUMNS: status_since is the run's date, created/updated its time.
const PERSON_SHAPE: [Option<usize>; 28] = {
    let mut s = [None; 28];
    s[12] = Some(SHARED_AS_OF);
    s[25] = Some(SHARED_NOW);
    s[26] = Some(SHARED_NOW);
    s
};
const PERSON_ROW_PARAMS: usize = 25;

/// APPEND_EVENT_COLUMNS: date, kind, source, run, actor and time are the run's.
const EVENT_SHAPE: [Option<usize>; 15] = {
    let mut s = [None; 15];
    s[2] = Some(SHARED_AS_OF);
    s[3] = Some(SHARED_KIND);
    s[4] = Some(SHARED_SOURCE);
    s[12] = Some(SHARED_RUN);
    s[13] = Some(SHARED_ACTOR);
    s[14] = Some(SHARED_NOW);
    s
};
const EVENT_ROW_PARAMS: usize = 9;

fn bind_shared(stmt: &mut Statement<'_>, w: &Stamped) -> rusqlite::Result<()> {
    // Each statement binds only the shared parameters it uses.
    let n = stmt.parameter_count();
    let values: [&dyn rusqlite::ToSql; SHARED] = [
        &w.as_of,
        &w.now,
        &jiujin_domain::registry::EventKind::Registered.code(),
        &EventSource::Import.code(),
        &w.stamp.run_id,
        &w.stamp.actor,
    ];
    for (i, v) in values.iter().enumerate() {
        if i < n {
            stmt.raw_bind_parameter(i + 1, *v)?;
        }
    }
    Ok(())
}

/// Binds one person's row parameters at offset `at` (PERSON_SHAPE's row columns).
/// A `None` id lets SQLite choose the next one.
fn bind_person(stmt: &mut Statement<'_>, at: usize, id: Option<i64>, r: &PersonRow) -> rusqlite::Result<()> {
    let s = &r.state;
    let mut i = at;
    let mut b = |v: &dyn rusqlite::ToSql| -> rusqlite::Result<()> {
        i += 1;
        stmt.raw_bind_parameter(i, v)
    };
    b(&id)?;
    b(&&r.id_hmac[..])?;
    b(&r.id_cipher)?;
    b(&r.phone_hmac.as_ref().map(|h| &h[..]))?;
    b(&r.phone_cipher.as_deref())?;
    b(&s.name)?;
    b(&date(s.birth_date))?;
    b(&s.sex.code())?;
    b(&s.hukou_region.as_i64())?;
    b(&s.residence_region.map(RegionCode::as_i64))?;
    b(&s.household_no.as_deref())?;
    b(&s.status.code())?;
    b(&s.work_region.map(RegionCode::as_i64))?;
    b(&s.work_province)?;
    b(&s.industry.as_deref())?;
    b(&s.occupation.as_deref())?;
    b(&s.occupation_name.as_deref())?;
    b(&s.skill_level.map(|l| l.get()))?;
    b(&s.expected_wage.map(|f| f.0))?;
    b(&s.flags.bits())?;
    b(&s.insurance.bits())?;
    b(&s.needs.bits())?;
    b(&s.unemployed_since.map(date))?;
    b(&&r.digest[..])?;
    b(&s.wanted_kind.map(|k| k.code()))
}

/// Binds one registration event's row parameters at offset `at`.
fn bind_event(stmt: &mut Statement<'_>, at: usize, id: i64, person_id: i64, e: &EventRow) -> rusqlite::Result<()> {
    let mut i = at;
    let mut b = |v: &dyn rusqlite::ToSql| -> rusqlite::Result<()> {
        i += 1;
        stmt.raw_bind_parameter(i, v)
    };
    b(&id)?;
    b(&person_id)?;
    b(&e.status)?;
    b(&e.work_region)?;
    b(&e.work_province)?;
    b(&e.industry.as_deref())?;
    b(&e.insurance)?;
    b(&e.flags)?;
    b(&e.changes.as_deref())
}

fn insert_event(stmt: &mut Statement<'_>, w: &Stamped, person_id: i64, e: &EventRow) -> rusqlite::Result<usize> {
    stmt.execute(params![
        person_id,
        &w.as_of,
        e.kind.code(),
        EventSource::Import.code(),
        e.status,
        e.work_region,
        e.work_province,
        e.industry.as_deref(),
        e.insurance,
        e.flags,
        e.changes.as_deref(),
        w.stamp.run_id,
        w.stamp.actor.as_deref(),
        &w.now,
    ])
}

impl Writer {
    pub(super) fn open(path: &Path, stamp: RunStamp) -> Result<Writer> {
        let conn = Connection::open(path)?;
        for p in SQLITE_PRAGMAS {
            conn.execute_batch(p)?;
        }
        // A larger page cache keeps the identity index in memory during big imports.
        // Foreign keys are not re-checked row by row here: this writer links each
        // event to the person it has just written, under the run it belongs to.
        conn.execute_batch(&format!("PRAGMA cache_size = -{MERGE_CACHE_KIB}; PRAGMA foreign_keys = OFF"))?;
        let now = sqlite_timestamp(stamp.now);
        let as_of = date(stamp.as_of);
        Ok(Writer { conn, w: Stamped { stamp, now, as_of }, sql: Default::default(), cache_kib: MERGE_CACHE_KIB })
    }

    /// Initial load: plain multi-row inserts with ids assigned here (the caller
    /// guarantees new keys and holds the only writer), no look-ups, no sorting.
    pub(super) fn append(&mut self, rows: &[PersonRow], seen: &mut Seen) -> Result<Vec<(u64, RowOutcome)>> {
        self.set_cache(LOAD_CACHE_KIB)?;
        let mut out = Vec::with_capacity(rows.len());
        let (mut tally, industries) = (Tally::new(), IndustryRows::embedded());
        let tx = self.conn.transaction()?;
        {
            let mut next_person: i64 =
                tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM persons", [], |r| r.get(0))?;
            let mut next_event: i64 =
                tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM person_events", [], |r| r.get(0))?;
            for chunk in rows.chunks(APPEND_CHUNK) {
                let n = chunk.len();
                let persons_sql = self
                    .sql
                    .entry((false, n))
                    .or_insert_with(|| multi_row_insert("persons", PERSON_COLUMNS, &PERSON_SHAPE, SHARED, n).into())
                    .clone();
                let events_sql = self
                    .sql
                    .entry((true, n))
                    .or_insert_with(|| {
                        multi_row_insert("person_events", APPEND_EVENT_COLUMNS, &EVENT_SHAPE, SHARED, n).into()
                    })
                    .clone();
                let mut ins = tx.prepare_cached(&persons_sql)?;
                let mut ev = tx.prepare_cached(&events_sql)?;
                bind_shared(&mut ins, &self.w)?;
                bind_shared(&mut ev, &self.w)?;
                for (k, r) in chunk.iter().enumerate() {
                    bind_person(&mut ins, SHARED + k * PERSON_ROW_PARAMS, Some(next_person + k as i64), r)?;
                    let e = events::registration(&r.state);
                    let (event_id, person_id) = (next_event + k as i64, next_person + k as i64);
                    bind_event(&mut ev, SHARED + k * EVENT_ROW_PARAMS, event_id, person_id, &e)?;
                }
                ins.raw_execute()?;
                ev.raw_execute()?;
                for (k, r) in chunk.iter().enumerate() {
                    tally.register(&Facet::of(&r.state, industries), self.w.stamp.as_of);
                    seen.visit(next_person + k as i64, r.row_no);
                    out.push((r.row_no, RowOutcome::Inserted));
                }
                next_person += chunk.len() as i64;
                next_event += chunk.len() as i64;
            }
        }
        crate::monitoring::add_sqlite(&tx, &mut tally)?;
        tx.commit()?;
        Ok(out)
    }

    fn set_cache(&mut self, kib: u32) -> Result<()> {
        if self.cache_kib != kib {
            self.conn.execute_batch(&format!("PRAGMA cache_size = -{kib}"))?;
            self.cache_kib = kib;
        }
        Ok(())
    }

    /// Builds the registry indexes on this connection. The sorter may use helper
    /// threads: the reader's core is idle by now, and at city size (where the sort
    /// spills past the page cache) this cuts the identity index's build by a third.
    pub(super) fn build_indexes(&mut self) -> Result<()> {
        self.set_cache(LOAD_CACHE_KIB)?;
        self.conn.execute_batch(&format!("PRAGMA threads = {SORTER_THREADS}"))?;
        for (_, sql, _) in crate::registry::indexes::REGISTRY_INDEXES {
            self.conn.execute_batch(sql)?;
        }
        self.conn.execute_batch("PRAGMA threads = 0")?;
        Ok(())
    }

    pub(super) fn apply(&mut self, rows: &mut [PersonRow], seen: &mut Seen) -> Result<Vec<(u64, RowOutcome)>> {
        self.set_cache(MERGE_CACHE_KIB)?;
        // Key order: better locality in the unique index, and a file's duplicates
        // end up adjacent with the earliest row first.
        rows.sort_unstable_by_key(|r| (r.id_hmac, r.row_no));
        let mut out = Vec::with_capacity(rows.len());
        let (mut tally, industries) = (Tally::new(), IndustryRows::embedded());
        let tx = self.conn.transaction()?;
        {
            let insert_sql = format!(
                "{} ON CONFLICT (id_hmac) DO NOTHING",
                multi_row_insert("persons", PERSON_COLUMNS, &PERSON_SHAPE, SHARED, 1)
            );
            let mut ins = tx.prepare_cached(&insert_sql)?;
            bind_shared(&mut ins, &self.w)?;
            let mut ev = tx.prepare_cached(INSERT_EVENT)?;
            let mut find = tx.prepare_cached(FIND_PERSON)?;
            let mut upd = tx.prepare_cached(UPDATE_PERSON)?;
            for r in rows {
                let s = &r.state;
                bind_person(&mut ins, SHARED, None, r)?;
                if ins.raw_execute()? == 1 {
                    let id = tx.last_insert_rowid();
                    seen.visit(id, r.row_no);
                    insert_event(&mut ev, &self.w, id, &events::registration(s))?;
                    tally.register(&Facet::of(s, industries), self.w.stamp.as_of);
                    out.push((r.row_no, RowOutcome::Inserted));
                    continue;
                }
                let found = find.query_row([&r.id_hmac[..]], read_existing).optional()?;
                let Some((existing, digest)) = found else {
                    return Err(crate::StoreError::Corrupt("persons 唯一索引与查询结果不一致".into()));
                };
                if let Some(first_row) = seen.visit(existing.id, r.row_no) {
                    out.push((r.row_no, RowOutcome::Duplicate { first_row }));
                    continue;
                }
                if digest == r.digest {
                    out.push((r.row_no, RowOutcome::Unchanged));
                    continue;
                }
                let old = state_from_model(&existing)?;
                update_person(&mut upd, &self.w, &existing, &old, r)?;
                for e in events::changes(&old, s) {
                    insert_event(&mut ev, &self.w, existing.id, &e)?;
                }
                tally.change(&Facet::of(&old, industries), &Facet::of(s, industries), self.w.stamp.as_of);
                out.push((r.row_no, RowOutcome::Updated));
            }
        }
        crate::monitoring::add_sqlite(&tx, &mut tally)?;
        tx.commit()?;
        Ok(out)
    }
}

fn update_person(
    stmt: &mut Statement<'_>,
    w: &Stamped,
    existing: &person::Model,
    old: &PersonState,
    r: &PersonRow,
) -> rusqlite::Result<usize> {
    let s = &r.state;
    let status_since = if old.status != s.status { w.as_of.clone() } else { date(existing.status_since) };
    stmt.execute(params![
        existing.id,
        r.phone_hmac.as_ref().map(|h| &h[..]),
        r.phone_cipher.as_deref(),
        &s.name,
        s.hukou_region.as_i64(),
        s.residence_region.map(RegionCode::as_i64),
        s.household_no.as_deref(),
        s.status.code(),
        status_since,
        s.work_region.map(RegionCode::as_i64),
        s.work_province,
        s.industry.as_deref(),
        s.occupation.as_deref(),
        s.occupation_name.as_deref(),
        s.skill_level.map(|l| l.get()),
        s.expected_wage.map(|f| f.0),
        s.flags.bits(),
        s.insurance.bits(),
        s.needs.bits(),
        s.unemployed_since.map(date),
        &r.digest[..],
        &w.now,
        s.wanted_kind.map(|k| k.code()),
    ])
}

fn parse_date(text: String) -> rusqlite::Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// Reads a FIND_PERSON row into a model (cipher columns are not needed for a diff).
fn read_existing(row: &Row<'_>) -> rusqlite::Result<(person::Model, [u8; 16])> {
    let digest: Vec<u8> = row.get(1)?;
    let digest: [u8; 16] = digest.as_slice().try_into().unwrap_or([0; 16]);
    let created: String = row.get(22)?;
    let model = person::Model {
        id: row.get(0)?,
        id_hmac: Vec::new(),
        id_cipher: Vec::new(),
        phone_hmac: row.get(5)?,
        phone_cipher: None,
        name: row.get(2)?,
        birth_date: parse_date(row.get(3)?)?,
        sex: row.get(4)?,
        hukou_region: row.get(6)?,
        residence_region: row.get(7)?,
        household_no: row.get(8)?,
        status: row.get(9)?,
        status_since: parse_date(row.get(10)?)?,
        work_region: row.get(11)?,
        work_province: row.get(12)?,
        industry: row.get(13)?,
        occupation: row.get(14)?,
        occupation_name: row.get(15)?,
        skill_level: row.get(16)?,
        expected_wage_fen: row.get(17)?,
        flags: row.get(18)?,
        insurance: row.get(19)?,
        needs: row.get(20)?,
        unemployed_since: row.get::<_, Option<String>>(21)?.map(parse_date).transpose()?,
        row_digest: Vec::new(),
        created_at: chrono::DateTime::parse_from_rfc3339(&created)
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
        updated_at: chrono::Utc::now(),
        wanted_kind: row.get(23)?,
    };
    Ok((model, digest))
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_written_as_sea_orm_writes_them() {
        for (y, m, d) in [(1949, 12, 31), (2000, 2, 29), (2025, 1, 5), (999, 1, 1)] {
            let day = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
            assert_eq!(super::date(day), day.format("%Y-%m-%d").to_string());
        }
    }
}
