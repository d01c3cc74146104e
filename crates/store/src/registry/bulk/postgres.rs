//! PostgreSQL bulk writer: a dedicated connection; each batch is COPYed into a
//! session-temporary staging table, then one statement inserts the new persons with
//! their registration events and reports, for every staged row, its person and
//! whether it is new or unchanged. The changed rows are locked and read in one
//! statement, diffed in Rust, and written back with one UPDATE and one INSERT of
//! arrays.

use std::fmt::Write as _;

use jiujin_domain::monitoring::tally::{Facet, IndustryRows, Tally};
use jiujin_domain::registry::{EventSource, PersonState};
use jiujin_domain::RegionCode;
use sqlx::postgres::PgConnection;
use sqlx::Row;
use sqlx::{ConnectOptions, Connection};

use super::{binary, PersonRow, RowOutcome, RunStamp, Seen};
use crate::entity::person;
use crate::registry::convert::state_from_model;
use crate::registry::events;
use crate::{Result, StoreError};

pub(super) struct Writer {
    conn: PgConnection,
    stamp: RunStamp,
    buf: String,
}

const STAGE: &str = "CREATE TEMP TABLE IF NOT EXISTS import_stage (
    row_no bigint NOT NULL, first_in_batch boolean NOT NULL, id_hmac bytea NOT NULL, id_cipher bytea NOT NULL,
    phone_hmac bytea, phone_cipher bytea, name text NOT NULL, birth_date date NOT NULL, sex smallint NOT NULL,
    hukou_region bigint NOT NULL, residence_region bigint, household_no text, status smallint NOT NULL,
    work_region bigint, work_province smallint, industry text, occupation text, occupation_name text,
    skill_level smallint, expected_wage_fen bigint, flags integer NOT NULL, insurance integer NOT NULL,
    needs integer NOT NULL, unemployed_since date, row_digest bytea NOT NULL, wanted_kind smallint
) ON COMMIT DELETE ROWS";

const COPY: &str = "COPY import_stage (row_no, first_in_batch, id_hmac, id_cipher, phone_hmac, phone_cipher, name, \
    birth_date, sex, hukou_region, residence_region, household_no, status, work_region, work_province, industry, \
    occupation, occupation_name, skill_level, expected_wage_fen, flags, insurance, needs, unemployed_since, row_digest, \
    wanted_kind) FROM STDIN";

/// Inserts new persons (first occurrence in the batch, absent from the table) with
/// their 登记 event, then classifies every staged row.
const MERGE: &str = "WITH ins AS (
    INSERT INTO persons (id_hmac, id_cipher, phone_hmac, phone_cipher, name, birth_date, sex, hukou_region,
        residence_region, household_no, status, status_since, work_region, work_province, industry, occupation,
        occupation_name, skill_level, expected_wage_fen, flags, insurance, needs, unemployed_since, row_digest,
        created_at, updated_at, wanted_kind)
    SELECT s.id_hmac, s.id_cipher, s.phone_hmac, s.phone_cipher, s.name, s.birth_date, s.sex, s.hukou_region,
        s.residence_region, s.household_no, s.status, $1, s.work_region, s.work_province, s.industry, s.occupation,
        s.occupation_name, s.skill_level, s.expected_wage_fen, s.flags, s.insurance, s.needs, s.unemployed_since,
        s.row_digest, $2, $2, s.wanted_kind
    FROM import_stage s
    WHERE s.first_in_batch AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.id_hmac = s.id_hmac)
    ORDER BY s.row_no
    ON CONFLICT (id_hmac) DO NOTHING
    RETURNING id, id_hmac, status, work_region, work_province, industry, insurance, flags
), ev AS (
    INSERT INTO person_events (person_id, event_date, kind, source, status, work_region, work_province, industry,
        insurance, flags, changes, import_run_id, actor, recorded_at)
    SELECT id, $1, $3, $4, status, work_region, work_province, industry, insurance, flags, NULL, $5, $6, $2 FROM ins
)
SELECT s.row_no, COALESCE(ins.id, p.id) AS person_id, ins.id IS NOT NULL AS inserted,
       COALESCE(p.row_digest = s.row_digest, false) AS same
FROM import_stage s
LEFT JOIN ins ON ins.id_hmac = s.id_hmac
LEFT JOIN persons p ON p.id_hmac = s.id_hmac
ORDER BY s.id_hmac, s.row_no";

const COPY_PERSONS: &str = "COPY persons (id, id_hmac, id_cipher, phone_hmac, phone_cipher, name, birth_date, sex, \
    hukou_region, residence_region, household_no, status, status_since, work_region, work_province, industry, \
    occupation, occupation_name, skill_level, expected_wage_fen, flags, insurance, needs, unemployed_since, \
    row_digest, created_at, updated_at, wanted_kind) FROM STDIN (FORMAT binary)";

const COPY_EVENTS: &str = "COPY person_events (person_id, event_date, kind, source, status, work_region, \
    work_province, industry, insurance, flags, changes, import_run_id, actor, recorded_at) FROM STDIN (FORMAT binary)";

/// Bytes per CopyData message (what psql sends is of this order, not one message a
/// batch).
const COPY_CHUNK: usize = 1 << 20;

/// Longest a single step of a batch may take before the import fails instead of
/// waiting forever. (Twice, in 7.4M-row benchmark runs, a COPY stalled with both
/// ends idle; the cause was not found. A failed run is safe to repeat.)
const STEP_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

async fn within<T, E: Into<StoreError>>(step: &str, f: impl std::future::Future<Output = Result<T, E>>) -> Result<T> {
    match tokio::time::timeout(STEP_LIMIT, f).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => {
            tracing::error!(step, "PostgreSQL bulk step timed out");
            Err(StoreError::Task(format!("PostgreSQL 批量写入在“{step}”一步超过 {} 秒无响应", STEP_LIMIT.as_secs())))
        }
    }
}

impl Writer {
    /// Initial load: every row is new (the caller guarantees distinct keys and an
    /// empty table), so ids are drawn from the sequence and both tables are filled by
    /// binary COPY, with no staging and no look-up.
    pub(super) async fn append(&mut self, rows: &[PersonRow], seen: &mut Seen) -> Result<Vec<(u64, RowOutcome)>> {
        let t = std::time::Instant::now();
        let mut tx = self.conn.begin().await?;
        // Reserve a block of ids: with inserts into `persons` held off for this
        // transaction, moving the sequence on by n gives exactly these n ids.
        sqlx::query("LOCK TABLE persons IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
        let last: i64 = sqlx::query_scalar(
            "SELECT setval(pg_get_serial_sequence('persons', 'id'), nextval(pg_get_serial_sequence('persons', 'id')) + $1 - 1)",
        )
        .bind(rows.len() as i64)
        .fetch_one(&mut *tx)
        .await?;
        let first = last - rows.len() as i64 + 1;
        let ids: Vec<i64> = (first..=last).collect();
        let mut persons = binary::Copy::new();
        let mut events = binary::Copy::new();
        let (mut tally, industries) = (Tally::new(), IndustryRows::embedded());
        for (r, id) in rows.iter().zip(&ids) {
            binary::person(&mut persons, *id, r, &self.stamp);
            binary::registration(&mut events, *id, &events::registration(&r.state), &self.stamp);
            tally.register(&Facet::of(&r.state, industries), self.stamp.as_of);
        }
        let encoded = t.elapsed();
        for (sql, data) in [(COPY_PERSONS, persons.finish()), (COPY_EVENTS, events.finish())] {
            let mut copy = within("COPY 开始", tx.copy_in_raw(sql)).await?;
            for chunk in data.chunks(COPY_CHUNK) {
                within("COPY 发送数据", copy.send(chunk)).await?;
            }
            within("COPY 结束", copy.finish()).await?;
        }
        within("监测计数", crate::monitoring::add_pg(&mut tx, &mut tally)).await?;
        within("提交事务", tx.commit()).await?;
        tracing::debug!(
            rows = rows.len(),
            encode = encoded.as_secs_f64(),
            copy = (t.elapsed() - encoded).as_secs_f64(),
            "postgres append batch"
        );
        let mut out = Vec::with_capacity(rows.len());
        for (r, id) in rows.iter().zip(ids) {
            seen.visit(id, r.row_no);
            out.push((r.row_no, RowOutcome::Inserted));
        }
        Ok(out)
    }

    pub(super) async fn open(url: &str, stamp: RunStamp) -> Result<Writer> {
        let options = url
            .parse::<sqlx::postgres::PgConnectOptions>()?
            .log_statements(tracing::log::LevelFilter::Off)
            .log_slow_statements(tracing::log::LevelFilter::Off, std::time::Duration::from_secs(3600));
        let mut conn = PgConnection::connect_with(&options).await?;
        sqlx::query(STAGE).execute(&mut conn).await?;
        // A crash may lose the last batches' commit acknowledgement but never their
        // consistency; a re-run completes the import. Commits need not wait for disk.
        sqlx::query("SET synchronous_commit = off").execute(&mut conn).await?;
        Ok(Writer { conn, stamp, buf: String::new() })
    }

    pub(super) async fn close(mut self) {
        // The counters' upserts left a dead row version each; the dashboards read the
        // table by index ranges, which walk them until vacuum clears them. Best
        // effort: autovacuum comes by later anyway (m0023).
        if let Err(e) = sqlx::query("VACUUM (ANALYZE) mon_counts").execute(&mut self.conn).await {
            tracing::warn!(error = %e, "VACUUM mon_counts after the import failed");
        }
        let _ = self.conn.close().await;
    }

    fn stage_text(&mut self, rows: &[PersonRow]) {
        let b = &mut self.buf;
        b.clear();
        let mut prev: Option<&[u8; 16]> = None;
        for r in rows {
            let s = &r.state;
            let first = prev != Some(&r.id_hmac);
            prev = Some(&r.id_hmac);
            let _ = write!(b, "{}\t{}\t", r.row_no, if first { 't' } else { 'f' });
            bytea(b, &r.id_hmac);
            b.push('\t');
            bytea(b, &r.id_cipher);
            b.push('\t');
            match &r.phone_hmac {
                Some(h) => bytea(b, h),
                None => b.push_str("\\N"),
            }
            b.push('\t');
            match &r.phone_cipher {
                Some(c) => bytea(b, c),
                None => b.push_str("\\N"),
            }
            b.push('\t');
            text(b, Some(&s.name));
            let _ = write!(b, "\t{}\t{}\t{}\t", s.birth_date, s.sex.code(), s.hukou_region.as_i64());
            num(b, s.residence_region.map(RegionCode::as_i64));
            b.push('\t');
            text(b, s.household_no.as_deref());
            let _ = write!(b, "\t{}\t", s.status.code());
            num(b, s.work_region.map(RegionCode::as_i64));
            b.push('\t');
            num(b, s.work_province.map(i64::from));
            b.push('\t');
            text(b, s.industry.as_deref());
            b.push('\t');
            text(b, s.occupation.as_deref());
            b.push('\t');
            text(b, s.occupation_name.as_deref());
            b.push('\t');
            num(b, s.skill_level.map(|l| i64::from(l.get())));
            b.push('\t');
            num(b, s.expected_wage.map(|f| f.0));
            let _ = write!(b, "\t{}\t{}\t{}\t", s.flags.bits(), s.insurance.bits(), s.needs.bits());
            match s.unemployed_since {
                Some(d) => {
                    let _ = write!(b, "{d}");
                }
                None => b.push_str("\\N"),
            }
            b.push('\t');
            bytea(b, &r.digest);
            b.push('\t');
            num(b, s.wanted_kind.map(|k| i64::from(k.code())));
            b.push('\n');
        }
    }

    pub(super) async fn apply(&mut self, rows: &[PersonRow], seen: &mut Seen) -> Result<Vec<(u64, RowOutcome)>> {
        self.stage_text(rows);
        let mut tx = self.conn.begin().await?;
        let mut copy = within("COPY 开始", tx.copy_in_raw(COPY)).await?;
        for chunk in self.buf.as_bytes().chunks(COPY_CHUNK) {
            within("COPY 发送数据", copy.send(chunk)).await?;
        }
        within("COPY 结束", copy.finish()).await?;
        let classified = sqlx::query(MERGE)
            .bind(self.stamp.as_of)
            .bind(self.stamp.now)
            .bind(jiujin_domain::registry::EventKind::Registered.code())
            .bind(EventSource::Import.code())
            .bind(self.stamp.run_id)
            .bind(self.stamp.actor.clone())
            .fetch_all(&mut *tx)
            .await?;
        if classified.len() != rows.len() {
            return Err(StoreError::Corrupt(format!("暂存 {} 行，归类 {} 行", rows.len(), classified.len())));
        }
        let mut out = Vec::with_capacity(rows.len());
        let mut changed: Vec<(i64, &PersonRow)> = Vec::new();
        let (mut tally, industries) = (Tally::new(), IndustryRows::embedded());
        // Both `rows` and `classified` are in (id_hmac, row_no) order.
        for (r, c) in rows.iter().zip(&classified) {
            let row_no: i64 = c.try_get("row_no")?;
            let person_id: i64 = c.try_get("person_id")?;
            let inserted: bool = c.try_get("inserted")?;
            let same: bool = c.try_get("same")?;
            if row_no as u64 != r.row_no {
                return Err(StoreError::Corrupt("暂存行顺序不一致".into()));
            }
            if let Some(first_row) = seen.visit(person_id, r.row_no) {
                out.push((r.row_no, RowOutcome::Duplicate { first_row }));
            } else if inserted {
                tally.register(&Facet::of(&r.state, industries), self.stamp.as_of);
                out.push((r.row_no, RowOutcome::Inserted));
            } else if same {
                out.push((r.row_no, RowOutcome::Unchanged));
            } else {
                changed.push((person_id, r));
                out.push((r.row_no, RowOutcome::Updated));
            }
        }
        within("更新变更行", update_many(&mut tx, &self.stamp, &changed, &mut tally)).await?;
        crate::monitoring::add_pg(&mut tx, &mut tally).await?;
        tx.commit().await?;
        Ok(out)
    }
}

const LOCK_CHANGED: &str = "SELECT id, name, birth_date, sex, phone_hmac, hukou_region, residence_region, \
     household_no, status, status_since, work_region, work_province, industry, occupation, occupation_name, \
     skill_level, expected_wage_fen, flags, insurance, needs, unemployed_since, created_at, updated_at, wanted_kind \
     FROM persons WHERE id = ANY($1) ORDER BY id FOR UPDATE";

/// Every changed person of a batch in one statement: the new values as arrays,
/// joined on the id.
const UPDATE_CHANGED: &str = "UPDATE persons p SET phone_hmac = u.phone_hmac, phone_cipher = u.phone_cipher, \
     name = u.name, hukou_region = u.hukou_region, residence_region = u.residence_region, \
     household_no = u.household_no, status = u.status, status_since = u.status_since, work_region = u.work_region, \
     work_province = u.work_province, industry = u.industry, occupation = u.occupation, \
     occupation_name = u.occupation_name, skill_level = u.skill_level, expected_wage_fen = u.expected_wage_fen, \
     flags = u.flags, insurance = u.insurance, needs = u.needs, unemployed_since = u.unemployed_since, \
     row_digest = u.row_digest, updated_at = $23, wanted_kind = u.wanted_kind \
     FROM UNNEST($1::bigint[], $2::bytea[], $3::bytea[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], \
     $8::smallint[], $9::date[], $10::bigint[], $11::smallint[], $12::text[], $13::text[], $14::text[], \
     $15::smallint[], $16::bigint[], $17::integer[], $18::integer[], $19::integer[], $20::date[], $21::bytea[], \
     $22::smallint[]) AS u(id, phone_hmac, phone_cipher, name, hukou_region, residence_region, household_no, status, \
     status_since, work_region, work_province, industry, occupation, occupation_name, skill_level, \
     expected_wage_fen, flags, insurance, needs, unemployed_since, row_digest, wanted_kind) \
     WHERE p.id = u.id";

/// The batch's change events in one statement.
const INSERT_CHANGES: &str = "INSERT INTO person_events (person_id, event_date, kind, source, status, work_region, \
     work_province, industry, insurance, flags, changes, import_run_id, actor, recorded_at) \
     SELECT u.person_id, $8, u.kind, $9, u.status, u.work_region, u.work_province, u.industry, u.insurance, u.flags, \
     u.changes, $10, $11, $12 \
     FROM UNNEST($1::bigint[], $2::smallint[], $3::smallint[], $4::bigint[], $5::smallint[], $6::text[], \
     $7::integer[], $13::integer[], $14::text[]) WITH ORDINALITY \
     AS u(person_id, kind, status, work_region, work_province, industry, insurance, flags, changes, ord) \
     ORDER BY u.ord";

fn model_of(row: &sqlx::postgres::PgRow) -> Result<person::Model> {
    Ok(person::Model {
        id: row.try_get("id")?,
        id_hmac: Vec::new(),
        id_cipher: Vec::new(),
        phone_hmac: row.try_get("phone_hmac")?,
        phone_cipher: None,
        name: row.try_get("name")?,
        birth_date: row.try_get("birth_date")?,
        sex: row.try_get("sex")?,
        hukou_region: row.try_get("hukou_region")?,
        residence_region: row.try_get("residence_region")?,
        household_no: row.try_get("household_no")?,
        status: row.try_get("status")?,
        status_since: row.try_get("status_since")?,
        work_region: row.try_get("work_region")?,
        work_province: row.try_get("work_province")?,
        industry: row.try_get("industry")?,
        occupation: row.try_get("occupation")?,
        occupation_name: row.try_get("occupation_name")?,
        skill_level: row.try_get("skill_level")?,
        expected_wage_fen: row.try_get("expected_wage_fen")?,
        flags: row.try_get("flags")?,
        insurance: row.try_get("insurance")?,
        needs: row.try_get("needs")?,
        unemployed_since: row.try_get("unemployed_since")?,
        row_digest: Vec::new(),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        wanted_kind: row.try_get("wanted_kind")?,
    })
}

/// The changed persons of a batch (distinct ids), set-based: their rows locked and
/// read in one statement (in id order, so two imports never wait on each other in a
/// cycle), diffed in Rust into the tally and the change events, then written back
/// with one UPDATE and one INSERT of arrays, instead of three statements a person.
async fn update_many(
    conn: &mut PgConnection,
    stamp: &RunStamp,
    changed: &[(i64, &PersonRow)],
    tally: &mut Tally,
) -> Result<()> {
    if changed.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = changed.iter().map(|(id, _)| *id).collect();
    let found = sqlx::query(LOCK_CHANGED).bind(&ids).fetch_all(&mut *conn).await?;
    let mut before: std::collections::HashMap<i64, person::Model> =
        std::collections::HashMap::with_capacity(found.len());
    for row in &found {
        let m = model_of(row)?;
        before.insert(m.id, m);
    }
    let industries = IndustryRows::embedded();
    let n = changed.len();
    let mut u = UpdateArrays::with_capacity(n);
    let mut e = EventArrays::with_capacity(n * 2);
    for (id, r) in changed {
        let existing =
            before.get(id).ok_or_else(|| StoreError::Corrupt(format!("变更行的人员 {id} 在锁定时已不存在")))?;
        let old = state_from_model(existing)?;
        let s: &PersonState = &r.state;
        tally.change(&Facet::of(&old, industries), &Facet::of(s, industries), stamp.as_of);
        let status_since = if old.status != s.status { stamp.as_of } else { existing.status_since };
        u.push(*id, r, status_since);
        for ev in events::changes(&old, s) {
            e.push(*id, ev);
        }
    }
    sqlx::query(UPDATE_CHANGED)
        .bind(u.id)
        .bind(u.phone_hmac)
        .bind(u.phone_cipher)
        .bind(u.name)
        .bind(u.hukou_region)
        .bind(u.residence_region)
        .bind(u.household_no)
        .bind(u.status)
        .bind(u.status_since)
        .bind(u.work_region)
        .bind(u.work_province)
        .bind(u.industry)
        .bind(u.occupation)
        .bind(u.occupation_name)
        .bind(u.skill_level)
        .bind(u.expected_wage_fen)
        .bind(u.flags)
        .bind(u.insurance)
        .bind(u.needs)
        .bind(u.unemployed_since)
        .bind(u.row_digest)
        .bind(u.wanted_kind)
        .bind(stamp.now)
        .execute(&mut *conn)
        .await?;
    if !e.person_id.is_empty() {
        sqlx::query(INSERT_CHANGES)
            .bind(e.person_id)
            .bind(e.kind)
            .bind(e.status)
            .bind(e.work_region)
            .bind(e.work_province)
            .bind(e.industry)
            .bind(e.insurance)
            .bind(stamp.as_of)
            .bind(EventSource::Import.code())
            .bind(stamp.run_id)
            .bind(stamp.actor.clone())
            .bind(stamp.now)
            .bind(e.flags)
            .bind(e.changes)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The new values of the changed persons, column by column.
#[derive(Default)]
struct UpdateArrays {
    id: Vec<i64>,
    phone_hmac: Vec<Option<Vec<u8>>>,
    phone_cipher: Vec<Option<Vec<u8>>>,
    name: Vec<String>,
    hukou_region: Vec<i64>,
    residence_region: Vec<Option<i64>>,
    household_no: Vec<Option<String>>,
    status: Vec<i16>,
    status_since: Vec<chrono::NaiveDate>,
    work_region: Vec<Option<i64>>,
    work_province: Vec<Option<i16>>,
    industry: Vec<Option<String>>,
    occupation: Vec<Option<String>>,
    occupation_name: Vec<Option<String>>,
    skill_level: Vec<Option<i16>>,
    expected_wage_fen: Vec<Option<i64>>,
    flags: Vec<i32>,
    insurance: Vec<i32>,
    needs: Vec<i32>,
    unemployed_since: Vec<Option<chrono::NaiveDate>>,
    row_digest: Vec<Vec<u8>>,
    wanted_kind: Vec<Option<i16>>,
}

impl UpdateArrays {
    fn with_capacity(n: usize) -> UpdateArrays {
        UpdateArrays { id: Vec::with_capacity(n), ..UpdateArrays::default() }
    }

    fn push(&mut self, id: i64, r: &PersonRow, status_since: chrono::NaiveDate) {
        let s = &r.state;
        self.id.push(id);
        self.phone_hmac.push(r.phone_hmac.map(|h| h.to_vec()));
        self.phone_cipher.push(r.phone_cipher.clone());
        self.name.push(s.name.clone());
        self.hukou_region.push(s.hukou_region.as_i64());
        self.residence_region.push(s.residence_region.map(RegionCode::as_i64));
        self.household_no.push(s.household_no.clone());
        self.status.push(s.status.code());
        self.status_since.push(status_since);
        self.work_region.push(s.work_region.map(RegionCode::as_i64));
        self.work_province.push(s.work_province);
        self.industry.push(s.industry.clone());
        self.occupation.push(s.occupation.clone());
        self.occupation_name.push(s.occupation_name.clone());
        self.skill_level.push(s.skill_level.map(|l| i16::from(l.get())));
        self.expected_wage_fen.push(s.expected_wage.map(|f| f.0));
        self.flags.push(s.flags.bits() as i32);
        self.insurance.push(s.insurance.bits() as i32);
        self.needs.push(s.needs.bits() as i32);
        self.unemployed_since.push(s.unemployed_since);
        self.row_digest.push(r.digest.to_vec());
        self.wanted_kind.push(s.wanted_kind.map(|k| k.code()));
    }
}

/// The change events of the batch, column by column, in the order they were made.
#[derive(Default)]
struct EventArrays {
    person_id: Vec<i64>,
    kind: Vec<i16>,
    status: Vec<Option<i16>>,
    work_region: Vec<Option<i64>>,
    work_province: Vec<Option<i16>>,
    industry: Vec<Option<String>>,
    insurance: Vec<Option<i32>>,
    flags: Vec<Option<i32>>,
    changes: Vec<Option<String>>,
}

impl EventArrays {
    fn with_capacity(n: usize) -> EventArrays {
        EventArrays { person_id: Vec::with_capacity(n), ..EventArrays::default() }
    }

    fn push(&mut self, id: i64, e: events::EventRow) {
        self.person_id.push(id);
        self.kind.push(e.kind.code());
        self.status.push(e.status);
        self.work_region.push(e.work_region);
        self.work_province.push(e.work_province);
        self.industry.push(e.industry);
        self.insurance.push(e.insurance);
        self.flags.push(e.flags);
        self.changes.push(e.changes);
    }
}

/// COPY text-format bytea: `\\x` + hex.
fn bytea(b: &mut String, v: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    b.push_str("\\\\x");
    for x in v {
        b.push(HEX[usize::from(x >> 4)] as char);
        b.push(HEX[usize::from(x & 15)] as char);
    }
}

/// COPY text-format text with the escapes COPY needs; `\N` for NULL.
fn text(b: &mut String, v: Option<&str>) {
    let Some(v) = v else {
        b.push_str("\\N");
        return;
    };
    for ch in v.chars() {
        match ch {
            '\\' => b.push_str("\\\\"),
            '\t' => b.push_str("\\t"),
            '\n' => b.push_str("\\n"),
            '\r' => b.push_str("\\r"),
            c => b.push(c),
        }
    }
}

fn num(b: &mut String, v: Option<i64>) {
    match v {
        Some(v) => {
            let _ = write!(b, "{v}");
        }
        None => b.push_str("\\N"),
    }
}
