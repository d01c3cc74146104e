//! SQLite bulk writer: one rusqlite connection on the same file (the same
//! libsqlite3 as sea-orm's sqlx), prepared statements reused across a batch, one
//! transaction per batch.

use std::path::Path;

use jiujin_domain::registry::{EventSource, PersonState};
use jiujin_domain::RegionCode;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};

use super::{sqlite_timestamp, PersonRow, RowOutcome, RunStamp, Seen};
use crate::db::SQLITE_PRAGMAS;
use crate::entity::person;
use crate::registry::convert::state_from_model;
use crate::registry::events::{self, EventRow};
use crate::Result;

pub(super) struct Writer {
    conn: Connection,
    w: Stamped,
}

/// The run's stamps in the text form SQLite rows carry.
struct Stamped {
    stamp: RunStamp,
    now: String,
    as_of: String,
}

const INSERT_PERSON: &str = "INSERT INTO persons (id_hmac, id_cipher, phone_hmac, phone_cipher, name, birth_date, sex, \
    hukou_region, residence_region, household_no, status, status_since, work_region, work_province, industry, \
    occupation, occupation_name, skill_level, expected_wage_fen, flags, insurance, needs, unemployed_since, \
    row_digest, created_at, updated_at) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, \
    ?23, ?24, ?25, ?25) ON CONFLICT (id_hmac) DO NOTHING";

const FIND_PERSON: &str = "SELECT id, row_digest, name, birth_date, sex, phone_hmac, hukou_region, residence_region, \
    household_no, status, status_since, work_region, work_province, industry, occupation, occupation_name, \
    skill_level, expected_wage_fen, flags, insurance, needs, unemployed_since, created_at \
    FROM persons WHERE id_hmac = ?1";

const UPDATE_PERSON: &str = "UPDATE persons SET phone_hmac = ?2, phone_cipher = ?3, name = ?4, hukou_region = ?5, \
    residence_region = ?6, household_no = ?7, status = ?8, status_since = ?9, work_region = ?10, work_province = ?11, \
    industry = ?12, occupation = ?13, occupation_name = ?14, skill_level = ?15, expected_wage_fen = ?16, flags = ?17, \
    insurance = ?18, needs = ?19, unemployed_since = ?20, row_digest = ?21, updated_at = ?22 WHERE id = ?1";

const INSERT_EVENT: &str =
    "INSERT INTO person_events (person_id, event_date, kind, source, status, work_region, \
    work_province, industry, insurance, flags, changes, import_run_id, actor, recorded_at) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map(Into::into).unwrap_or(Value::Null)
}

fn state_values(s: &PersonState) -> [Value; 13] {
    [
        Value::Integer(s.hukou_region.as_i64()),
        opt(s.residence_region.map(RegionCode::as_i64)),
        opt(s.household_no.clone()),
        Value::Integer(i64::from(s.status.code())),
        opt(s.work_region.map(RegionCode::as_i64)),
        opt(s.work_province.map(i64::from)),
        opt(s.industry.clone()),
        opt(s.occupation.clone()),
        opt(s.occupation_name.clone()),
        opt(s.skill_level.map(|l| i64::from(l.get()))),
        opt(s.expected_wage.map(|f| f.0)),
        Value::Integer(s.flags.bits()),
        Value::Integer(s.insurance.bits()),
    ]
}

impl Writer {
    pub(super) fn open(path: &Path, stamp: RunStamp) -> Result<Writer> {
        let conn = Connection::open(path)?;
        for p in SQLITE_PRAGMAS {
            conn.execute_batch(p)?;
        }
        // A larger page cache keeps the identity index in memory during big imports.
        conn.execute_batch("PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY")?;
        let now = sqlite_timestamp(stamp.now);
        let as_of = date(stamp.as_of);
        Ok(Writer {
            conn,
            w: Stamped { stamp, now, as_of },
        })
    }
}

fn event_values(w: &Stamped, person_id: i64, e: EventRow) -> [Value; 14] {
    [
        Value::Integer(person_id),
        Value::Text(w.as_of.clone()),
        Value::Integer(i64::from(e.kind.code())),
        Value::Integer(i64::from(EventSource::Import.code())),
        opt(e.status.map(i64::from)),
        opt(e.work_region),
        opt(e.work_province.map(i64::from)),
        opt(e.industry),
        opt(e.insurance.map(i64::from)),
        opt(e.flags.map(i64::from)),
        opt(e.changes),
        Value::Integer(w.stamp.run_id),
        opt(w.stamp.actor.clone()),
        Value::Text(w.now.clone()),
    ]
}

impl Writer {
    pub(super) fn apply(
        &mut self,
        rows: &[PersonRow],
        seen: &mut Seen,
    ) -> Result<Vec<(u64, RowOutcome)>> {
        let mut out = Vec::with_capacity(rows.len());
        let tx = self.conn.transaction()?;
        {
            let mut ins = tx.prepare_cached(INSERT_PERSON)?;
            let mut ev = tx.prepare_cached(INSERT_EVENT)?;
            let mut find = tx.prepare_cached(FIND_PERSON)?;
            let mut upd = tx.prepare_cached(UPDATE_PERSON)?;
            for r in rows {
                let s = &r.state;
                let [hukou, residence, household, status, work_region, work_province, industry, occupation, occupation_name, skill, wage, flags, insurance] =
                    state_values(s);
                let inserted = ins.execute(rusqlite::params![
                    &r.id_hmac[..],
                    &r.id_cipher,
                    r.phone_hmac.as_ref().map(|h| &h[..]),
                    r.phone_cipher.as_deref(),
                    &s.name,
                    date(s.birth_date),
                    s.sex.code(),
                    hukou,
                    residence,
                    household,
                    status,
                    &self.w.as_of,
                    work_region,
                    work_province,
                    industry,
                    occupation,
                    occupation_name,
                    skill,
                    wage,
                    flags,
                    insurance,
                    s.needs.bits(),
                    s.unemployed_since.map(date),
                    &r.digest[..],
                    &self.w.now,
                ])?;
                if inserted == 1 {
                    let id = tx.last_insert_rowid();
                    seen.visit(id, r.row_no);
                    ev.execute(params_from_iter(event_values(
                        &self.w,
                        id,
                        events::registration(s),
                    )))?;
                    out.push((r.row_no, RowOutcome::Inserted));
                    continue;
                }
                let found = find.query_row([&r.id_hmac[..]], read_existing).optional()?;
                let Some((existing, digest)) = found else {
                    return Err(crate::StoreError::Corrupt(
                        "persons 唯一索引与查询结果不一致".into(),
                    ));
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
                let status_since = if old.status != s.status {
                    self.w.as_of.clone()
                } else {
                    date(existing.status_since)
                };
                let [hukou, residence, household, status, work_region, work_province, industry, occupation, occupation_name, skill, wage, flags, insurance] =
                    state_values(s);
                upd.execute(rusqlite::params![
                    existing.id,
                    r.phone_hmac.as_ref().map(|h| &h[..]),
                    r.phone_cipher.as_deref(),
                    &s.name,
                    hukou,
                    residence,
                    household,
                    status,
                    status_since,
                    work_region,
                    work_province,
                    industry,
                    occupation,
                    occupation_name,
                    skill,
                    wage,
                    flags,
                    insurance,
                    s.needs.bits(),
                    s.unemployed_since.map(date),
                    &r.digest[..],
                    &self.w.now,
                ])?;
                for e in events::changes(&old, s) {
                    ev.execute(params_from_iter(event_values(&self.w, existing.id, e)))?;
                }
                out.push((r.row_no, RowOutcome::Updated));
            }
        }
        tx.commit()?;
        Ok(out)
    }
}

fn parse_date(text: String) -> rusqlite::Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
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
        unemployed_since: row
            .get::<_, Option<String>>(21)?
            .map(parse_date)
            .transpose()?,
        row_digest: Vec::new(),
        created_at: chrono::DateTime::parse_from_rfc3339(&created)
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
        updated_at: chrono::Utc::now(),
    };
    Ok((model, digest))
}
