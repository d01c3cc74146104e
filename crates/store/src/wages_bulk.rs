//! The bulk path of the wage records (`jiujin gen --projects`): whole projects with
//! their rosters, days of attendance, monthly counts, payroll, account entries,
//! deposits and complaints, written with ids assigned here, through rusqlite prepared
//! statements (SQLite) or COPY (PostgreSQL), a chunk of projects per transaction. The
//! monthly counts are computed from the same days in the same transaction.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use jiujin_domain::wages::Period;
use sqlx::{ConnectOptions as _, Connection as _};

use crate::db::DbUrl;
use crate::wages::{NewEntry, NewProject};
use crate::{Result, Store, StoreError};

/// A roster worker of a bulk project.
#[derive(Debug, Clone)]
pub struct BulkWorker {
    pub id_hmac: [u8; 16],
    pub id_masked: String,
    pub name: String,
    pub team: String,
    pub entry_on: NaiveDate,
    pub exit_on: Option<NaiveDate>,
    pub daily_rate: i64,
    pub card_last4: String,
}

/// A pay line of a bulk project; `worker` indexes its roster (`None`: someone not on
/// it, with their own hash).
#[derive(Debug, Clone)]
pub struct BulkLine {
    pub worker: Option<usize>,
    pub id_hmac: [u8; 16],
    pub id_masked: String,
    pub name: String,
    pub period: Period,
    pub due: i64,
    pub paid: i64,
    pub paid_on: Option<NaiveDate>,
    pub card_last4: String,
    pub signed: bool,
}

/// A whole project.
#[derive(Debug, Clone)]
pub struct BulkProject {
    pub project: NewProject,
    pub roster: Vec<BulkWorker>,
    /// (roster index, day).
    pub attendance: Vec<(u32, NaiveDate)>,
    pub lines: Vec<BulkLine>,
    pub entries: Vec<NewEntry>,
    pub deposits: Vec<(NaiveDate, i64, String)>,
    /// (filed on, amount in fen, workers).
    pub complaints: Vec<(NaiveDate, i64, i32)>,
}

/// Rows written.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct BulkCounts {
    pub projects: u64,
    pub roster: u64,
    pub attendance: u64,
    pub months: u64,
    pub lines: u64,
    pub entries: u64,
    pub deposits: u64,
    pub complaints: u64,
}

/// The next free id of each table, read once before a load.
#[derive(Debug, Clone, Copy)]
pub struct NextIds {
    project: i64,
    roster: i64,
}

pub async fn next_ids(store: &Store) -> Result<NextIds> {
    use sea_orm::ConnectionTrait;
    let c = store.conn();
    let b = c.get_database_backend();
    let max = |t: &'static str| async move {
        let r = c
            .query_one(sea_orm::Statement::from_string(b, format!("SELECT COALESCE(MAX(id), 0) AS m FROM {t}")))
            .await?
            .ok_or_else(|| StoreError::Corrupt("无返回".into()))?;
        Ok::<i64, StoreError>(r.try_get::<i64>("", "m")?)
    };
    Ok(NextIds { project: max("wage_projects").await? + 1, roster: max("wage_roster").await? + 1 })
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2 + 2);
    s.push_str("\\\\x");
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

fn esc(t: &str) -> String {
    t.replace('\\', "\\\\").replace(['\t', '\n'], " ")
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "\\N".to_string(), |d| d.to_string())
}

/// Writes `chunk` (ids from `next`, advanced) in one transaction.
pub async fn load(store: &Store, chunk: &[BulkProject], next: &mut NextIds, by: &str) -> Result<BulkCounts> {
    let mut counts = BulkCounts::default();
    let now = chrono::Utc::now().to_rfc3339();
    match store.url() {
        DbUrl::Sqlite(path) => {
            let path = path.clone();
            let chunk = chunk.to_vec();
            let start = *next;
            let by = by.to_string();
            let (c, n) = tokio::task::spawn_blocking(move || sqlite(&path, &chunk, start, &by, &now))
                .await
                .map_err(|e| StoreError::Task(e.to_string()))??;
            counts = c;
            *next = n;
        }
        DbUrl::Postgres(url) => {
            let options =
                url.parse::<sqlx::postgres::PgConnectOptions>()?.log_statements(tracing::log::LevelFilter::Off);
            let mut conn = sqlx::PgConnection::connect_with(&options).await?;
            let mut tx = conn.begin().await?;
            let mut bufs: BTreeMap<&str, String> = BTreeMap::new();
            let mut n = *next;
            for p in chunk {
                write_pg(p, &mut n, &mut bufs, &mut counts, by, &now);
            }
            // Parents before children (the foreign keys).
            for sql in [PG_PROJECTS, PG_ROSTER, PG_DAYS, PG_MONTHS, PG_LINES, PG_ENTRIES, PG_DEPOSITS, PG_COMPLAINTS] {
                let Some(buf) = bufs.get(sql) else { continue };
                let mut copy = tx.copy_in_raw(sql).await?;
                for part in buf.as_bytes().chunks(1 << 20) {
                    copy.send(part).await?;
                }
                copy.finish().await?;
            }
            for t in [
                "wage_projects",
                "wage_roster",
                "wage_pay_lines",
                "wage_account_entries",
                "wage_deposits",
                "wage_complaints",
            ] {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {t}), 1))"
                ))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            *next = n;
        }
    }
    Ok(counts)
}

const PG_PROJECTS: &str = "COPY wage_projects (id, code, name, region, address, builder_code, builder_name, \
     contractor_code, contractor_name, contract_value, contract_on, start_on, end_on, status, payday, \
     monthly_labor_cost, account_opened_on, notice_board_on, created_by, created_at) FROM STDIN";
const PG_ROSTER: &str = "COPY wage_roster (id, project_id, id_hmac, id_masked, person_id, name, team, \
     subcontractor_code, entry_on, exit_on, daily_rate, card_last4) FROM STDIN";
const PG_DAYS: &str = "COPY wage_attendance (roster_id, day) FROM STDIN";
const PG_MONTHS: &str = "COPY wage_attendance_months (period, roster_id, days) FROM STDIN";
const PG_LINES: &str = "COPY wage_pay_lines (project_id, roster_id, id_hmac, id_masked, name, period, due, paid, \
     paid_on, card_last4, signed) FROM STDIN";
const PG_ENTRIES: &str = "COPY wage_account_entries (project_id, on_date, amount, kind, reference) FROM STDIN";
const PG_DEPOSITS: &str = "COPY wage_deposits (project_id, on_date, amount, form) FROM STDIN";
const PG_COMPLAINTS: &str = "COPY wage_complaints (project_id, employer_code, employer_name, region, name, \
     phone_masked, amount, workers, description, filed_on, deadline, channel, state, filed_by) FROM STDIN";

fn write_pg(
    p: &BulkProject,
    n: &mut NextIds,
    bufs: &mut BTreeMap<&'static str, String>,
    c: &mut BulkCounts,
    by: &str,
    now: &str,
) {
    let pid = n.project;
    n.project += 1;
    let q = &p.project;
    let _ = writeln!(
        bufs.entry(PG_PROJECTS).or_default(),
        "{pid}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        esc(&q.code),
        esc(&q.name),
        q.region,
        esc(&q.address),
        q.builder_code,
        esc(&q.builder_name),
        q.contractor_code,
        esc(&q.contractor_name),
        q.contract_value.0,
        q.contract_on,
        q.start_on,
        q.end_on,
        q.status.code(),
        q.payday,
        q.monthly_labor_cost.0,
        opt_date(q.account_opened_on),
        opt_date(q.notice_board_on),
        esc(by),
        now
    );
    c.projects += 1;
    let first = n.roster;
    for w in &p.roster {
        let rid = n.roster;
        n.roster += 1;
        let _ = writeln!(
            bufs.entry(PG_ROSTER).or_default(),
            "{rid}\t{pid}\t{}\t{}\t\\N\t{}\t{}\t\\N\t{}\t{}\t{}\t{}",
            hex(&w.id_hmac),
            w.id_masked,
            esc(&w.name),
            esc(&w.team),
            w.entry_on,
            opt_date(w.exit_on),
            w.daily_rate,
            w.card_last4
        );
        c.roster += 1;
    }
    let mut months: BTreeMap<(i32, i64), i32> = BTreeMap::new();
    {
        let days = bufs.entry(PG_DAYS).or_default();
        for &(w, day) in &p.attendance {
            let rid = first + i64::from(w);
            let _ = writeln!(days, "{rid}\t{day}");
            *months.entry((Period::of(day).0, rid)).or_default() += 1;
            c.attendance += 1;
        }
    }
    let m = bufs.entry(PG_MONTHS).or_default();
    for ((per, rid), days) in &months {
        let _ = writeln!(m, "{per}\t{rid}\t{days}");
        c.months += 1;
    }
    for l in &p.lines {
        let rid = l.worker.map_or_else(|| "\\N".to_string(), |w| (first + w as i64).to_string());
        let _ = writeln!(
            bufs.entry(PG_LINES).or_default(),
            "{pid}\t{rid}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            hex(&l.id_hmac),
            l.id_masked,
            esc(&l.name),
            l.period.0,
            l.due,
            l.paid,
            opt_date(l.paid_on),
            l.card_last4,
            if l.signed { "t" } else { "f" }
        );
        c.lines += 1;
    }
    for e in &p.entries {
        let _ = writeln!(
            bufs.entry(PG_ENTRIES).or_default(),
            "{pid}\t{}\t{}\t{}\t{}",
            e.on,
            e.amount.0,
            e.kind,
            esc(&e.reference)
        );
        c.entries += 1;
    }
    for (on, amount, form) in &p.deposits {
        let _ = writeln!(bufs.entry(PG_DEPOSITS).or_default(), "{pid}\t{on}\t{amount}\t{}", esc(form));
        c.deposits += 1;
    }
    for (on, amount, workers) in &p.complaints {
        let _ = writeln!(
            bufs.entry(PG_COMPLAINTS).or_default(),
            "{pid}\t{}\t{}\t{}\t工友\t\t{amount}\t{workers}\t反映工资拖欠\t{on}\t{}\t2\t2\t{}",
            q.contractor_code,
            esc(&q.contractor_name),
            q.region,
            *on + chrono::Days::new(15),
            esc(by)
        );
        c.complaints += 1;
    }
}

fn sqlite(
    path: &std::path::Path,
    chunk: &[BulkProject],
    mut n: NextIds,
    by: &str,
    now: &str,
) -> Result<(BulkCounts, NextIds)> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000")?;
    let tx = conn.transaction()?;
    let mut c = BulkCounts::default();
    {
        let mut projects = tx.prepare(
            "INSERT INTO wage_projects (id, code, name, region, address, builder_code, builder_name, contractor_code, \
             contractor_name, contract_value, contract_on, start_on, end_on, status, payday, monthly_labor_cost, \
             account_opened_on, notice_board_on, created_by, created_at) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)",
        )?;
        let mut roster = tx.prepare(
            "INSERT INTO wage_roster (id, project_id, id_hmac, id_masked, name, team, entry_on, exit_on, daily_rate, \
             card_last4) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
        )?;
        let mut days = tx.prepare("INSERT INTO wage_attendance (roster_id, day) VALUES (?1, ?2)")?;
        let mut months =
            tx.prepare("INSERT INTO wage_attendance_months (period, roster_id, days) VALUES (?1,?2,?3)")?;
        let mut lines = tx.prepare(
            "INSERT INTO wage_pay_lines (project_id, roster_id, id_hmac, id_masked, name, period, due, paid, paid_on, \
             card_last4, signed) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
        )?;
        let mut entries = tx.prepare(
            "INSERT INTO wage_account_entries (project_id, on_date, amount, kind, reference) VALUES (?1,?2,?3,?4,?5)",
        )?;
        let mut deposits =
            tx.prepare("INSERT INTO wage_deposits (project_id, on_date, amount, form) VALUES (?1,?2,?3,?4)")?;
        let mut complaints = tx.prepare(
            "INSERT INTO wage_complaints (project_id, employer_code, employer_name, region, name, phone_masked, \
             amount, workers, description, filed_on, deadline, channel, state, filed_by) \
             VALUES (?1,?2,?3,?4,'工友','',?5,?6,'反映工资拖欠',?7,?8,2,2,?9)",
        )?;
        let ds = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        for p in chunk {
            let pid = n.project;
            n.project += 1;
            let q = &p.project;
            projects.execute(rusqlite::params![
                pid,
                q.code,
                q.name,
                q.region,
                q.address,
                q.builder_code,
                q.builder_name,
                q.contractor_code,
                q.contractor_name,
                q.contract_value.0,
                ds(q.contract_on),
                ds(q.start_on),
                ds(q.end_on),
                q.status.code(),
                q.payday,
                q.monthly_labor_cost.0,
                q.account_opened_on.map(ds),
                q.notice_board_on.map(ds),
                by,
                now
            ])?;
            c.projects += 1;
            let first = n.roster;
            for w in &p.roster {
                roster.execute(rusqlite::params![
                    n.roster,
                    pid,
                    &w.id_hmac[..],
                    w.id_masked,
                    w.name,
                    w.team,
                    ds(w.entry_on),
                    w.exit_on.map(ds),
                    w.daily_rate,
                    w.card_last4
                ])?;
                n.roster += 1;
                c.roster += 1;
            }
            let mut counted: BTreeMap<(i32, i64), i32> = BTreeMap::new();
            let mut sorted = p.attendance.clone();
            sorted.sort_unstable();
            for (w, day) in sorted {
                let rid = first + i64::from(w);
                days.execute(rusqlite::params![rid, ds(day)])?;
                *counted.entry((Period::of(day).0, rid)).or_default() += 1;
                c.attendance += 1;
            }
            for ((per, rid), k) in counted {
                months.execute(rusqlite::params![per, rid, k])?;
                c.months += 1;
            }
            for l in &p.lines {
                lines.execute(rusqlite::params![
                    pid,
                    l.worker.map(|w| first + w as i64),
                    &l.id_hmac[..],
                    l.id_masked,
                    l.name,
                    l.period.0,
                    l.due,
                    l.paid,
                    l.paid_on.map(ds),
                    l.card_last4,
                    l.signed
                ])?;
                c.lines += 1;
            }
            for e in &p.entries {
                entries.execute(rusqlite::params![pid, ds(e.on), e.amount.0, e.kind, e.reference])?;
                c.entries += 1;
            }
            for (on, amount, form) in &p.deposits {
                deposits.execute(rusqlite::params![pid, ds(*on), amount, form])?;
                c.deposits += 1;
            }
            for (on, amount, workers) in &p.complaints {
                complaints.execute(rusqlite::params![
                    pid,
                    q.contractor_code,
                    q.contractor_name,
                    q.region,
                    amount,
                    workers,
                    ds(*on),
                    ds(*on + chrono::Days::new(15)),
                    by
                ])?;
                c.complaints += 1;
            }
        }
    }
    tx.commit()?;
    Ok((c, n))
}
