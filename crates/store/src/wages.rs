//! 农民工工资支付监控预警 (SPEC §7, migration m0021): projects and their records, the
//! daily run's reads and its one-transaction write of the warnings, the warnings'
//! handling, complaints and the 失信 list. Every list takes the caller's region range
//! (`Scope::range`): a project belongs to the region of its site, a
//! complaint and a warning to their project's (or the employer's) region.
//!
//! Attendance is one row per worker and day; its monthly counts are kept in
//! `wage_attendance_months` in the same transaction as the days (`record`), and
//! `recount` rebuilds them from the days.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use futures_util::TryStreamExt;
use jiujin_domain::audit::AuditAction;
use jiujin_domain::wages::{
    AccountEntry, ComplaintState, Finding, PayLine, Period, ProjectInput, ProjectStatus, RosterWorker, WarningState,
};
use jiujin_domain::Fen;
use sea_orm::{ConnectionTrait, DatabaseBackend, QueryResult, StreamTrait, TransactionTrait, Value};

use crate::services::date_of;
use crate::sql::statement;
use crate::{audit, Result, Store, StoreError};

fn in_range(range: Option<(i64, i64)>, region: i64) -> bool {
    range.is_none_or(|(lo, hi)| (lo..=hi).contains(&region))
}

fn get<T: sea_orm::TryGetable>(r: &QueryResult, col: &str) -> Result<T> {
    Ok(r.try_get::<T>("", col)?)
}

fn date(r: &QueryResult, col: &str) -> Result<NaiveDate> {
    date_of(r, col)?.ok_or_else(|| StoreError::Corrupt(format!("{col} 为空")))
}

fn d(v: NaiveDate) -> Value {
    Value::ChronoDate(Some(Box::new(v)))
}

fn od(v: Option<NaiveDate>) -> Value {
    Value::ChronoDate(v.map(Box::new))
}

fn now() -> String {
    Utc::now().to_rfc3339()
}

/// A project to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    pub code: String,
    pub name: String,
    pub region: i64,
    pub address: String,
    pub builder_code: String,
    pub builder_name: String,
    pub contractor_code: String,
    pub contractor_name: String,
    pub contract_value: Fen,
    pub contract_on: NaiveDate,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub status: ProjectStatus,
    pub payday: u32,
    pub monthly_labor_cost: Fen,
    pub account_opened_on: Option<NaiveDate>,
    pub notice_board_on: Option<NaiveDate>,
}

/// A registered project.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Project {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub region: i64,
    pub address: String,
    pub builder_code: String,
    pub builder_name: String,
    pub contractor_code: String,
    pub contractor_name: String,
    pub contract_value: Fen,
    pub contract_on: NaiveDate,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub status: i16,
    pub payday: i16,
    pub monthly_labor_cost: Fen,
    pub account_opened_on: Option<NaiveDate>,
    pub notice_board_on: Option<NaiveDate>,
}

const PROJECT_COLS: &str = "id, code, name, region, address, builder_code, builder_name, contractor_code, \
     contractor_name, contract_value, contract_on, start_on, end_on, status, payday, monthly_labor_cost, \
     account_opened_on, notice_board_on";

fn project_of(r: &QueryResult) -> Result<Project> {
    Ok(Project {
        id: get(r, "id")?,
        code: get(r, "code")?,
        name: get(r, "name")?,
        region: get(r, "region")?,
        address: get(r, "address")?,
        builder_code: get(r, "builder_code")?,
        builder_name: get(r, "builder_name")?,
        contractor_code: get(r, "contractor_code")?,
        contractor_name: get(r, "contractor_name")?,
        contract_value: Fen(get(r, "contract_value")?),
        contract_on: date(r, "contract_on")?,
        start_on: date(r, "start_on")?,
        end_on: date(r, "end_on")?,
        status: get(r, "status")?,
        payday: get(r, "payday")?,
        monthly_labor_cost: Fen(get(r, "monthly_labor_cost")?),
        account_opened_on: date_of(r, "account_opened_on")?,
        notice_board_on: date_of(r, "notice_board_on")?,
    })
}

pub async fn create_project(store: &Store, p: &NewProject, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    let exists =
        txn.query_one(statement(b, "SELECT id FROM wage_projects WHERE code = $1", [p.code.clone().into()])).await?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!("项目编号“{}”已登记", p.code)));
    }
    let row = txn
        .query_one(statement(
            b,
            "INSERT INTO wage_projects (code, name, region, address, builder_code, builder_name, contractor_code, \
             contractor_name, contract_value, contract_on, start_on, end_on, status, payday, monthly_labor_cost, \
             account_opened_on, notice_board_on, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19) RETURNING id",
            [
                p.code.clone().into(),
                p.name.clone().into(),
                p.region.into(),
                p.address.clone().into(),
                p.builder_code.clone().into(),
                p.builder_name.clone().into(),
                p.contractor_code.clone().into(),
                p.contractor_name.clone().into(),
                p.contract_value.0.into(),
                d(p.contract_on),
                d(p.start_on),
                d(p.end_on),
                p.status.code().into(),
                (p.payday as i16).into(),
                p.monthly_labor_cost.0.into(),
                od(p.account_opened_on),
                od(p.notice_board_on),
                by.actor.username.clone().into(),
                now().into(),
            ],
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt("插入项目未返回编号".into()))?;
    let id: i64 = get(&row, "id")?;
    let detail = serde_json::json!({ "project": id, "code": p.code, "name": p.name });
    audit::write(&txn, slot, &by.entry(AuditAction::WageChange, "wage_projects", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(id)
}

/// Changes what a project's site has: status, the account's opening, the notice board.
pub async fn update_site(
    store: &Store,
    id: i64,
    status: ProjectStatus,
    account_opened_on: Option<NaiveDate>,
    notice_board_on: Option<NaiveDate>,
    by: &audit::Context,
) -> Result<()> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    txn.execute(statement(
        b,
        "UPDATE wage_projects SET status = $1, account_opened_on = $2, notice_board_on = $3 WHERE id = $4",
        [status.code().into(), od(account_opened_on), od(notice_board_on), id.into()],
    ))
    .await?;
    let detail = serde_json::json!({ "project": id, "status": status.label(),
        "account_opened_on": account_opened_on, "notice_board_on": notice_board_on });
    audit::write(&txn, slot, &by.entry(AuditAction::WageChange, "wage_projects", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(())
}

/// The projects in `range`, newest first (`limit` at most).
pub async fn projects(store: &Store, range: Option<(i64, i64)>, limit: u64) -> Result<Vec<Project>> {
    let b = store.backend();
    let (lo, hi) = range.unwrap_or((i64::MIN, i64::MAX));
    let rows = store
        .conn()
        .query_all(statement(
            b,
            &format!(
                "SELECT {PROJECT_COLS} FROM wage_projects WHERE region BETWEEN $1 AND $2 ORDER BY id DESC LIMIT {limit}"
            ),
            [lo.into(), hi.into()],
        ))
        .await?;
    rows.iter().map(project_of).collect()
}

/// One project, if it lies in `range`.
pub async fn project(store: &Store, range: Option<(i64, i64)>, id: i64) -> Result<Option<Project>> {
    let row = store
        .conn()
        .query_one(statement(
            store.backend(),
            &format!("SELECT {PROJECT_COLS} FROM wage_projects WHERE id = $1"),
            [id.into()],
        ))
        .await?;
    match row {
        Some(r) => {
            let p = project_of(&r)?;
            Ok(in_range(range, p.region).then_some(p))
        }
        None => Ok(None),
    }
}

pub async fn project_by_code(store: &Store, code: &str) -> Result<Option<Project>> {
    let row = store
        .conn()
        .query_one(statement(
            store.backend(),
            &format!("SELECT {PROJECT_COLS} FROM wage_projects WHERE code = $1"),
            [code.into()],
        ))
        .await?;
    row.as_ref().map(project_of).transpose()
}

/// Adds a subcontractor (分包单位) to a project, with its audit entry; the same
/// credit code twice on a project is refused.
pub async fn add_subcontractor(
    store: &Store,
    project: i64,
    credit_code: &str,
    name: &str,
    trade: &str,
    by: &audit::Context,
) -> Result<()> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    let n = txn
        .execute(statement(
            b,
            "INSERT INTO wage_subcontractors (project_id, credit_code, name, trade) VALUES ($1,$2,$3,$4) \
             ON CONFLICT (project_id, credit_code) DO NOTHING",
            [project.into(), credit_code.into(), name.into(), trade.into()],
        ))
        .await?;
    if n.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!("分包单位 {credit_code} 已在本项目登记")));
    }
    let detail = serde_json::json!({ "project": project, "subcontractor": credit_code, "name": name, "trade": trade });
    audit::write(
        &txn,
        slot,
        &by.entry(AuditAction::WageChange, "wage_subcontractors", Some(project.to_string()), detail),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A project's subcontractors: (credit code, name, trade).
pub async fn subcontractors(store: &Store, project: i64) -> Result<Vec<(String, String, String)>> {
    let rows = store
        .conn()
        .query_all(statement(
            store.backend(),
            "SELECT credit_code, name, trade FROM wage_subcontractors WHERE project_id = $1 ORDER BY id",
            [project.into()],
        ))
        .await?;
    rows.iter().map(|r| Ok((get(r, "credit_code")?, get(r, "name")?, get(r, "trade")?))).collect()
}

/// A worker to put on a roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRosterRow {
    pub id_hmac: Vec<u8>,
    pub id_masked: String,
    pub person_id: Option<i64>,
    pub name: String,
    pub team: String,
    pub subcontractor_code: Option<String>,
    pub entry_on: NaiveDate,
    pub exit_on: Option<NaiveDate>,
    pub daily_rate: Fen,
    pub card_last4: String,
}

/// A payroll line to record; `id_hmac` finds the roster row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayLine {
    pub id_hmac: Vec<u8>,
    pub id_masked: String,
    pub name: String,
    pub period: Period,
    pub due: Fen,
    pub paid: Fen,
    pub paid_on: Option<NaiveDate>,
    pub card_last4: String,
    pub signed: bool,
}

/// A movement of the wage account (`reference` is the bank's, unique per project).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub on: NaiveDate,
    pub amount: Fen,
    /// 1 人工费用拨付, 2 工资代发, 3 其他.
    pub kind: i16,
    pub reference: String,
}

/// What one recording adds to a project (a file's rows or a form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Records {
    pub roster: Vec<NewRosterRow>,
    /// (identity hash, day).
    pub attendance: Vec<(Vec<u8>, NaiveDate)>,
    pub lines: Vec<NewPayLine>,
    pub entries: Vec<NewEntry>,
    pub deposits: Vec<(NaiveDate, Fen, String)>,
}

/// What a recording wrote (rows already there are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Recorded {
    pub roster: u64,
    pub attendance: u64,
    pub lines: u64,
    pub entries: u64,
    pub deposits: u64,
}

/// Why a recording was refused, with the row (1-based, in the order given) and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub Vec<(String, usize, String)>);

/// Records `r` on project `project` in one transaction with one audit entry (`what`
/// names the file or form, `sha256` its digest): a roster row is replaced when the
/// same person is there already; attendance days already recorded are skipped and the
/// months they fall in recounted; a payroll line replaces the person's line of that
/// month; account entries are unique by their reference. Attendance and payroll must
/// name people on the roster (after this recording's roster rows): otherwise nothing
/// is written and every such row is returned.
pub async fn record(
    store: &Store,
    project: i64,
    r: &Records,
    what: &str,
    sha256: Option<String>,
    by: &audit::Context,
) -> Result<std::result::Result<Recorded, Refused>> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    let mut out = Recorded::default();
    for w in &r.roster {
        let n = txn
            .execute(statement(
                b,
                "INSERT INTO wage_roster (project_id, id_hmac, id_masked, person_id, name, team, subcontractor_code, \
                 entry_on, exit_on, daily_rate, card_last4) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) \
                 ON CONFLICT (project_id, id_hmac) DO UPDATE SET name = excluded.name, team = excluded.team, \
                 subcontractor_code = excluded.subcontractor_code, entry_on = excluded.entry_on, \
                 exit_on = excluded.exit_on, daily_rate = excluded.daily_rate, card_last4 = excluded.card_last4, \
                 person_id = excluded.person_id",
                [
                    project.into(),
                    w.id_hmac.clone().into(),
                    w.id_masked.clone().into(),
                    w.person_id.into(),
                    w.name.clone().into(),
                    w.team.clone().into(),
                    w.subcontractor_code.clone().into(),
                    d(w.entry_on),
                    od(w.exit_on),
                    w.daily_rate.0.into(),
                    w.card_last4.clone().into(),
                ],
            ))
            .await?;
        out.roster += n.rows_affected();
    }
    let roster: HashMap<Vec<u8>, i64> = txn
        .query_all(statement(b, "SELECT id, id_hmac FROM wage_roster WHERE project_id = $1", [project.into()]))
        .await?
        .iter()
        .map(|row| Ok((get::<Vec<u8>>(row, "id_hmac")?, get::<i64>(row, "id")?)))
        .collect::<Result<_>>()?;
    let mut refused = Vec::new();
    for (i, (h, _)) in r.attendance.iter().enumerate() {
        if !roster.contains_key(h) {
            refused.push(("考勤".to_string(), i + 1, "此人不在本项目实名花名册，请先登记花名册".to_string()));
        }
    }
    if !refused.is_empty() {
        txn.rollback().await?;
        return Ok(Err(Refused(refused)));
    }
    let mut touched: BTreeMap<(i64, Period), ()> = BTreeMap::new();
    for (h, day) in &r.attendance {
        let id = roster[h];
        let n = txn
            .execute(statement(
                b,
                "INSERT INTO wage_attendance (roster_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                [id.into(), d(*day)],
            ))
            .await?;
        out.attendance += n.rows_affected();
        touched.insert((id, Period::of(*day)), ());
    }
    for &(id, per) in touched.keys() {
        recount_one(&txn, id, per).await?;
    }
    for l in &r.lines {
        let roster_id = roster.get(&l.id_hmac).copied();
        let n = txn
            .execute(statement(
                b,
                "INSERT INTO wage_pay_lines (project_id, roster_id, id_hmac, id_masked, name, period, due, paid, \
                 paid_on, card_last4, signed) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) \
                 ON CONFLICT (project_id, period, id_hmac) DO UPDATE SET roster_id = excluded.roster_id, \
                 due = excluded.due, paid = excluded.paid, paid_on = excluded.paid_on, \
                 card_last4 = excluded.card_last4, signed = excluded.signed, name = excluded.name",
                [
                    project.into(),
                    roster_id.into(),
                    l.id_hmac.clone().into(),
                    l.id_masked.clone().into(),
                    l.name.clone().into(),
                    l.period.0.into(),
                    l.due.0.into(),
                    l.paid.0.into(),
                    od(l.paid_on),
                    l.card_last4.clone().into(),
                    l.signed.into(),
                ],
            ))
            .await?;
        out.lines += n.rows_affected();
    }
    for e in &r.entries {
        let n = txn
            .execute(statement(
                b,
                "INSERT INTO wage_account_entries (project_id, on_date, amount, kind, reference) \
                 VALUES ($1,$2,$3,$4,$5) ON CONFLICT (project_id, reference) DO NOTHING",
                [project.into(), d(e.on), e.amount.0.into(), e.kind.into(), e.reference.clone().into()],
            ))
            .await?;
        out.entries += n.rows_affected();
    }
    for (on, amount, form) in &r.deposits {
        txn.execute(statement(
            b,
            "INSERT INTO wage_deposits (project_id, on_date, amount, form) VALUES ($1,$2,$3,$4)",
            [project.into(), d(*on), amount.0.into(), form.clone().into()],
        ))
        .await?;
        out.deposits += 1;
    }
    let detail = serde_json::json!({ "project": project, "what": what, "sha256": sha256, "written": out });
    audit::write(&txn, slot, &by.entry(AuditAction::WageChange, "wage_projects", Some(project.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(Ok(out))
}

async fn recount_one<C: ConnectionTrait>(c: &C, roster_id: i64, per: Period) -> Result<()> {
    let b = c.get_database_backend();
    c.execute(statement(
        b,
        "DELETE FROM wage_attendance_months WHERE period = $1 AND roster_id = $2",
        [per.0.into(), roster_id.into()],
    ))
    .await?;
    c.execute(statement(
        b,
        "INSERT INTO wage_attendance_months (period, roster_id, days) \
         SELECT $1, roster_id, COUNT(*) FROM wage_attendance WHERE roster_id = $2 AND day BETWEEN $3 AND $4 \
         GROUP BY roster_id",
        [per.0.into(), roster_id.into(), d(per.first_day()), d(per.last_day())],
    ))
    .await?;
    Ok(())
}

/// Rebuilds the monthly attendance counts from the days (after a bulk load, or to
/// check them): returns the number of (worker, month) rows.
pub async fn recount(store: &Store) -> Result<u64> {
    let txn = store.conn().begin().await?;
    let b = txn.get_database_backend();
    txn.execute_unprepared("DELETE FROM wage_attendance_months").await?;
    let month = match b {
        DatabaseBackend::Postgres => "(EXTRACT(YEAR FROM day)::int * 100 + EXTRACT(MONTH FROM day)::int)",
        _ => "(CAST(substr(day, 1, 4) AS INTEGER) * 100 + CAST(substr(day, 6, 2) AS INTEGER))",
    };
    let n = txn
        .execute_unprepared(&format!(
            "INSERT INTO wage_attendance_months (period, roster_id, days) \
             SELECT {month}, roster_id, COUNT(*) FROM wage_attendance GROUP BY roster_id, {month}"
        ))
        .await?;
    txn.commit().await?;
    Ok(n.rows_affected())
}

/// The identity hashes on a project's roster.
pub async fn roster_hashes(store: &Store, project: i64) -> Result<std::collections::HashSet<Vec<u8>>> {
    let rows = store
        .conn()
        .query_all(statement(
            store.backend(),
            "SELECT id_hmac FROM wage_roster WHERE project_id = $1",
            [project.into()],
        ))
        .await?;
    rows.iter().map(|r| get::<Vec<u8>>(r, "id_hmac")).collect()
}

/// A roster row as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RosterRow {
    pub id: i64,
    pub id_masked: String,
    pub name: String,
    pub team: String,
    pub entry_on: NaiveDate,
    pub exit_on: Option<NaiveDate>,
    pub daily_rate: Fen,
    pub card_last4: String,
}

pub async fn roster(store: &Store, project: i64) -> Result<Vec<RosterRow>> {
    let rows = store
        .conn()
        .query_all(statement(
            store.backend(),
            "SELECT id, id_masked, name, team, entry_on, exit_on, daily_rate, card_last4 FROM wage_roster \
             WHERE project_id = $1 ORDER BY id",
            [project.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(RosterRow {
                id: get(r, "id")?,
                id_masked: get(r, "id_masked")?,
                name: get(r, "name")?,
                team: get(r, "team")?,
                entry_on: date(r, "entry_on")?,
                exit_on: date_of(r, "exit_on")?,
                daily_rate: Fen(get(r, "daily_rate")?),
                card_last4: get(r, "card_last4")?,
            })
        })
        .collect()
}

/// The checks' input for every project in `range` (all when `None`), as of `on`,
/// with attendance and payroll from `from` on: a few statements over whole tables,
/// grouped here, so that a city's 20,000 projects are read in seconds.
pub async fn inputs(
    store: &Store,
    range: Option<(i64, i64)>,
    only: Option<i64>,
    from: Period,
    on: NaiveDate,
) -> Result<Vec<(Project, ProjectInput)>> {
    let b = store.backend();
    let c = store.conn();
    let (lo, hi) = range.unwrap_or((i64::MIN, i64::MAX));
    let only_sql = |col: &str| only.map_or(String::new(), |id| format!(" AND {col} = {id}"));
    let projects: Vec<Project> = c
        .query_all(statement(
            b,
            &format!(
                "SELECT {PROJECT_COLS} FROM wage_projects WHERE region BETWEEN $1 AND $2{} ORDER BY id",
                only_sql("id")
            ),
            [lo.into(), hi.into()],
        ))
        .await?
        .iter()
        .map(project_of)
        .collect::<Result<_>>()?;
    let mut index: HashMap<i64, usize> = HashMap::with_capacity(projects.len());
    let mut inputs: Vec<ProjectInput> = Vec::with_capacity(projects.len());
    for (i, p) in projects.iter().enumerate() {
        index.insert(p.id, i);
        inputs.push(ProjectInput {
            id: p.id,
            status: ProjectStatus::from_code(p.status).unwrap_or(ProjectStatus::Active),
            contract_value: p.contract_value,
            contract_on: p.contract_on,
            start_on: p.start_on,
            end_on: p.end_on,
            payday: u32::try_from(p.payday).unwrap_or(15),
            monthly_labor_cost: p.monthly_labor_cost,
            account_opened_on: p.account_opened_on,
            notice_board_on: p.notice_board_on,
            deposits: Vec::new(),
            contractor_arrears_on: None,
            roster: Vec::new(),
            attendance: BTreeMap::new(),
            lines: Vec::new(),
            account: Vec::new(),
            complaints: Vec::new(),
        });
    }
    let filter = only_sql("project_id");
    if let (crate::db::DbUrl::Sqlite(path), None) = (store.url(), only) {
        // The whole city: the three large tables through rusqlite on its own thread.
        let path = path.clone();
        let (taken, idx) = (std::mem::take(&mut inputs), std::mem::take(&mut index));
        let (filled, idx) = tokio::task::spawn_blocking(move || sqlite_rows(&path, taken, idx, from, on))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))??;
        inputs = filled;
        index = idx;
    } else {
        // Roster.
        let mut roster_project: HashMap<i64, usize> = HashMap::new();
        {
            let mut rows = c
                .stream(statement(
                    b,
                    &format!(
                    "SELECT id, project_id, entry_on, exit_on, daily_rate, card_last4 FROM wage_roster WHERE 1 = 1{filter}"
                ),
                    [],
                ))
                .await?;
            while let Some(r) = rows.try_next().await? {
                let pid: i64 = get(&r, "project_id")?;
                let Some(&i) = index.get(&pid) else { continue };
                let id: i64 = get(&r, "id")?;
                roster_project.insert(id, i);
                inputs[i].roster.push(RosterWorker {
                    id,
                    entry_on: date(&r, "entry_on")?,
                    exit_on: date_of(&r, "exit_on")?,
                    daily_rate: Fen(get(&r, "daily_rate")?),
                    card_last4: get(&r, "card_last4")?,
                });
            }
        }
        // Monthly attendance.
        {
            let mut rows = c
                .stream(statement(
                    b,
                    "SELECT period, roster_id, days FROM wage_attendance_months WHERE period >= $1 AND period <= $2",
                    [from.0.into(), Period::of(on).0.into()],
                ))
                .await?;
            while let Some(r) = rows.try_next().await? {
                let rid: i64 = get(&r, "roster_id")?;
                let Some(&i) = roster_project.get(&rid) else { continue };
                let per = Period(get(&r, "period")?);
                let days: i32 = get(&r, "days")?;
                inputs[i].attendance.insert((rid, per), u32::try_from(days).unwrap_or(0));
            }
        }
        // Payroll.
        {
            let mut rows = c
                .stream(statement(
                    b,
                    &format!(
                    "SELECT id, project_id, roster_id, period, due, paid, paid_on, card_last4, signed FROM wage_pay_lines \
                     WHERE period >= $1 AND period <= $2{filter}"
                ),
                    [from.0.into(), Period::of(on).0.into()],
                ))
                .await?;
            while let Some(r) = rows.try_next().await? {
                let pid: i64 = get(&r, "project_id")?;
                let Some(&i) = index.get(&pid) else { continue };
                inputs[i].lines.push(PayLine {
                    id: get(&r, "id")?,
                    worker: get(&r, "roster_id")?,
                    period: Period(get(&r, "period")?),
                    due: Fen(get(&r, "due")?),
                    paid: Fen(get(&r, "paid")?),
                    paid_on: date_of(&r, "paid_on")?,
                    card_last4: get(&r, "card_last4")?,
                    signed: get(&r, "signed")?,
                });
            }
        }
    }
    // The wage account, deposits.
    {
        let mut rows = c
            .stream(statement(
                b,
                &format!(
                    "SELECT project_id, on_date, amount, kind FROM wage_account_entries WHERE on_date <= $1{filter}"
                ),
                [d(on)],
            ))
            .await?;
        while let Some(r) = rows.try_next().await? {
            let pid: i64 = get(&r, "project_id")?;
            let Some(&i) = index.get(&pid) else { continue };
            let kind: i16 = get(&r, "kind")?;
            inputs[i].account.push(AccountEntry {
                on: date(&r, "on_date")?,
                amount: Fen(get(&r, "amount")?),
                labor_transfer: kind == 1,
            });
        }
    }
    {
        let mut rows = c
            .stream(statement(
                b,
                &format!("SELECT project_id, on_date, amount FROM wage_deposits WHERE on_date <= $1{filter}"),
                [d(on)],
            ))
            .await?;
        while let Some(r) = rows.try_next().await? {
            let pid: i64 = get(&r, "project_id")?;
            let Some(&i) = index.get(&pid) else { continue };
            inputs[i].deposits.push((date(&r, "on_date")?, Fen(get(&r, "amount")?)));
        }
    }
    // Complaints on each project in the last 400 days, and contractors' proven arrears.
    let since = on - chrono::Days::new(400);
    let mut proven: HashMap<String, NaiveDate> = HashMap::new();
    {
        let mut rows = c
            .stream(statement(
                b,
                "SELECT project_id, employer_code, filed_on, state, closed_on FROM wage_complaints \
             WHERE filed_on > $1 AND filed_on <= $2",
                [d(since), d(on)],
            ))
            .await?;
        while let Some(r) = rows.try_next().await? {
            let filed = date(&r, "filed_on")?;
            if let Some(pid) = get::<Option<i64>>(&r, "project_id")? {
                if let Some(&i) = index.get(&pid) {
                    inputs[i].complaints.push(filed);
                }
            }
            let state: i16 = get(&r, "state")?;
            if state == ComplaintState::Proven.code() {
                let on_ = date_of(&r, "closed_on")?.unwrap_or(filed);
                let code: String = get(&r, "employer_code")?;
                let e = proven.entry(code).or_insert(on_);
                *e = (*e).max(on_);
            }
        }
    }
    for (i, p) in projects.iter().enumerate() {
        inputs[i].contractor_arrears_on = proven.get(&p.contractor_code).copied();
    }
    Ok(projects.into_iter().zip(inputs).collect())
}

type Filled = (Vec<ProjectInput>, HashMap<i64, usize>);

fn text_date(t: Option<String>, what: &str) -> Result<Option<NaiveDate>> {
    match t {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(&t[..t.len().min(10)], "%Y-%m-%d")
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("{what}：{t}（{e}）"))),
    }
}

/// The roster, the monthly attendance and the payroll of every project, read through
/// rusqlite (the daily run's hot path on SQLite: about 2.6 million rows for a city).
fn sqlite_rows(
    path: &std::path::Path,
    mut inputs: Vec<ProjectInput>,
    index: HashMap<i64, usize>,
    from: Period,
    on: NaiveDate,
) -> Result<Filled> {
    use crate::db::{SQLITE_MMAP_BYTES, SQLITE_PRAGMAS};
    let conn = rusqlite::Connection::open(path)?;
    for p in SQLITE_PRAGMAS {
        conn.execute_batch(p)?;
    }
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -65536; PRAGMA mmap_size = {SQLITE_MMAP_BYTES}; PRAGMA query_only = ON"
    ))?;
    let mut roster_project: HashMap<i64, usize> = HashMap::new();
    let mut st = conn.prepare("SELECT id, project_id, entry_on, exit_on, daily_rate, card_last4 FROM wage_roster")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let pid: i64 = r.get(1)?;
        let Some(&i) = index.get(&pid) else { continue };
        let id: i64 = r.get(0)?;
        roster_project.insert(id, i);
        inputs[i].roster.push(RosterWorker {
            id,
            entry_on: text_date(r.get(2)?, "entry_on")?.unwrap_or(NaiveDate::MIN),
            exit_on: text_date(r.get(3)?, "exit_on")?,
            daily_rate: Fen(r.get(4)?),
            card_last4: r.get(5)?,
        });
    }
    let mut st =
        conn.prepare("SELECT period, roster_id, days FROM wage_attendance_months WHERE period >= ?1 AND period <= ?2")?;
    let mut rows = st.query(rusqlite::params![from.0, Period::of(on).0])?;
    while let Some(r) = rows.next()? {
        let rid: i64 = r.get(1)?;
        let Some(&i) = roster_project.get(&rid) else { continue };
        let days: i64 = r.get(2)?;
        inputs[i].attendance.insert((rid, Period(r.get(0)?)), u32::try_from(days).unwrap_or(0));
    }
    let mut st = conn.prepare(
        "SELECT id, project_id, roster_id, period, due, paid, paid_on, card_last4, signed FROM wage_pay_lines \
         WHERE period >= ?1 AND period <= ?2",
    )?;
    let mut rows = st.query(rusqlite::params![from.0, Period::of(on).0])?;
    while let Some(r) = rows.next()? {
        let pid: i64 = r.get(1)?;
        let Some(&i) = index.get(&pid) else { continue };
        inputs[i].lines.push(PayLine {
            id: r.get(0)?,
            worker: r.get(2)?,
            period: Period(r.get(3)?),
            due: Fen(r.get(4)?),
            paid: Fen(r.get(5)?),
            paid_on: text_date(r.get(6)?, "paid_on")?,
            card_last4: r.get(7)?,
            signed: r.get(8)?,
        });
    }
    Ok((inputs, index))
}

/// Complaints filed in the window `(from, on]` with their employer, for clusters on
/// an employer.
pub async fn complaints_by_employer(
    store: &Store,
    from: NaiveDate,
    on: NaiveDate,
) -> Result<Vec<(String, String, i64, NaiveDate)>> {
    let rows = store
        .conn()
        .query_all(statement(
            store.backend(),
            "SELECT employer_code, employer_name, region, filed_on FROM wage_complaints \
             WHERE filed_on > $1 AND filed_on <= $2",
            [d(from), d(on)],
        ))
        .await?;
    rows.iter()
        .map(|r| Ok((get(r, "employer_code")?, get(r, "employer_name")?, get(r, "region")?, date(r, "filed_on")?)))
        .collect()
}

/// A finding of the run, with what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFinding {
    pub project_id: Option<i64>,
    pub employer_code: Option<String>,
    pub region: i64,
    pub responsible: String,
    pub finding: Finding,
}

impl RunFinding {
    /// What makes it the same warning from one day to the next.
    pub fn live_key(&self) -> String {
        let about = match (&self.project_id, &self.employer_code) {
            (Some(p), _) => format!("p{p}"),
            (None, Some(e)) => format!("e{e}"),
            (None, None) => "-".to_string(),
        };
        format!("{about}|{}|{}", self.finding.check.code(), self.finding.key)
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunCounts {
    pub projects: u64,
    pub raised: u64,
    pub updated: u64,
    pub resolved: u64,
    pub escalated: u64,
}

struct Live {
    id: i64,
    grade: i16,
    first_seen: NaiveDate,
    assigned_on: Option<NaiveDate>,
    escalation: i16,
}

/// Writes a run's findings in one transaction: a live warning with the same key is
/// updated (grade, figures, evidence, last seen), a new one raised, a live one not
/// found again resolved (its cause cured), and each live one's escalation level set by
/// `escalate(grade, since)`; one audit entry with the counts. Running it twice on a
/// day changes nothing the second time but `last_seen`.
pub async fn apply_run(
    store: &Store,
    on: NaiveDate,
    projects: u64,
    findings: &[RunFinding],
    escalate: impl Fn(i16, NaiveDate) -> i16,
    by: &audit::Context,
) -> Result<RunCounts> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    let mut live: HashMap<String, Live> = HashMap::new();
    for r in txn
        .query_all(statement(
            b,
            "SELECT id, live_key, grade, first_seen, assigned_on, escalation FROM wage_warnings \
             WHERE live_key IS NOT NULL",
            [],
        ))
        .await?
    {
        live.insert(
            get(&r, "live_key")?,
            Live {
                id: get(&r, "id")?,
                grade: get(&r, "grade")?,
                first_seen: date(&r, "first_seen")?,
                assigned_on: date_of(&r, "assigned_on")?,
                escalation: get(&r, "escalation")?,
            },
        );
    }
    let mut counts = RunCounts { projects, ..RunCounts::default() };
    let actor = by.actor.username.clone();
    for f in findings {
        let key = f.live_key();
        let evidence = serde_json::to_string(&f.finding.evidence).unwrap_or_else(|_| "[]".into());
        let grade = f.finding.grade.code();
        if let Some(l) = live.remove(&key) {
            let level = escalate(grade, l.assigned_on.unwrap_or(l.first_seen)).max(l.escalation);
            txn.execute(statement(
                b,
                "UPDATE wage_warnings SET grade = $1, days_overdue = $2, amount = $3, workers = $4, summary = $5, \
                 evidence = $6, last_seen = $7, escalation = $8 WHERE id = $9",
                [
                    grade.into(),
                    (f.finding.days_overdue as i32).into(),
                    f.finding.amount.0.into(),
                    (f.finding.workers as i32).into(),
                    f.finding.summary.clone().into(),
                    evidence.into(),
                    d(on),
                    level.into(),
                    l.id.into(),
                ],
            ))
            .await?;
            counts.updated += 1;
            if grade != l.grade {
                log(&txn, l.id, on, &actor, "grade", &format!("等级由{}变为{}", label(l.grade), label(grade))).await?;
            }
            if level > l.escalation {
                counts.escalated += 1;
                log(&txn, l.id, on, &actor, "escalate", jiujin_domain::wages::escalation_label(level)).await?;
            }
        } else {
            let row = txn
                .query_one(statement(
                    b,
                    "INSERT INTO wage_warnings (live_key, project_id, employer_code, check_code, subject, region, \
                     responsible, grade, days_overdue, amount, workers, summary, evidence, state, escalation, \
                     first_seen, last_seen) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,0,$15,$15) \
                     RETURNING id",
                    [
                        key.into(),
                        f.project_id.into(),
                        f.employer_code.clone().into(),
                        f.finding.check.code().into(),
                        f.finding.key.clone().into(),
                        f.region.into(),
                        f.responsible.clone().into(),
                        grade.into(),
                        (f.finding.days_overdue as i32).into(),
                        f.finding.amount.0.into(),
                        (f.finding.workers as i32).into(),
                        f.finding.summary.clone().into(),
                        evidence.into(),
                        WarningState::Open.code().into(),
                        d(on),
                    ],
                ))
                .await?
                .ok_or_else(|| StoreError::Corrupt("插入预警未返回编号".into()))?;
            let id: i64 = get(&row, "id")?;
            log(&txn, id, on, &actor, "raise", &f.finding.summary).await?;
            counts.raised += 1;
        }
    }
    for (_, l) in live {
        txn.execute(statement(
            b,
            "UPDATE wage_warnings SET live_key = NULL, state = $1, ended_on = $2, end_note = $3 WHERE id = $4",
            [WarningState::Resolved.code().into(), d(on), "日批复核：预警原因已消除".into(), l.id.into()],
        ))
        .await?;
        log(&txn, l.id, on, &actor, "resolve", "日批复核：预警原因已消除，自动解除").await?;
        counts.resolved += 1;
    }
    txn.execute(statement(
        b,
        "INSERT INTO wage_runs (run_on, started_at, finished_at, projects, raised, updated, resolved, escalated, actor) \
         VALUES ($1,$2,$2,$3,$4,$5,$6,$7,$8)",
        [
            d(on),
            now().into(),
            (projects as i32).into(),
            (counts.raised as i32).into(),
            (counts.updated as i32).into(),
            (counts.resolved as i32).into(),
            (counts.escalated as i32).into(),
            actor.clone().into(),
        ],
    ))
    .await?;
    let detail = serde_json::json!({ "on": on, "counts": counts });
    audit::write(&txn, slot, &by.entry(AuditAction::WageRun, "wage_warnings", None, detail)).await?;
    txn.commit().await?;
    Ok(counts)
}

fn label(grade: i16) -> &'static str {
    jiujin_domain::wages::Grade::from_code(grade).map_or("?", |g| g.label())
}

async fn log<C: ConnectionTrait>(c: &C, id: i64, on: NaiveDate, actor: &str, action: &str, note: &str) -> Result<()> {
    c.execute(statement(
        c.get_database_backend(),
        "INSERT INTO wage_warning_log (warning_id, on_date, actor, action, note) VALUES ($1,$2,$3,$4,$5)",
        [id.into(), d(on), actor.into(), action.into(), note.into()],
    ))
    .await?;
    Ok(())
}

/// A warning as the list and its page show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WarningRow {
    pub id: i64,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub employer_code: Option<String>,
    pub check_code: String,
    pub subject: String,
    pub region: i64,
    pub responsible: String,
    pub grade: i16,
    pub days_overdue: i32,
    pub amount: Fen,
    pub workers: i32,
    pub summary: String,
    pub evidence: String,
    pub state: i16,
    pub escalation: i16,
    pub first_seen: NaiveDate,
    pub last_seen: NaiveDate,
    pub assigned_to: Option<String>,
    pub assigned_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub end_note: Option<String>,
    pub end_evidence: Option<String>,
}

const WARNING_COLS: &str = "w.id, w.project_id, p.name AS project_name, w.employer_code, w.check_code, w.subject, \
     w.region, w.responsible, w.grade, w.days_overdue, w.amount, w.workers, w.summary, w.evidence, w.state, \
     w.escalation, w.first_seen, w.last_seen, w.assigned_to, w.assigned_on, w.ended_on, w.end_note, w.end_evidence";

fn warning_of(r: &QueryResult) -> Result<WarningRow> {
    Ok(WarningRow {
        id: get(r, "id")?,
        project_id: get(r, "project_id")?,
        project_name: get(r, "project_name")?,
        employer_code: get(r, "employer_code")?,
        check_code: get(r, "check_code")?,
        subject: get(r, "subject")?,
        region: get(r, "region")?,
        responsible: get(r, "responsible")?,
        grade: get(r, "grade")?,
        days_overdue: get(r, "days_overdue")?,
        amount: Fen(get(r, "amount")?),
        workers: get(r, "workers")?,
        summary: get(r, "summary")?,
        evidence: get(r, "evidence")?,
        state: get(r, "state")?,
        escalation: get(r, "escalation")?,
        first_seen: date(r, "first_seen")?,
        last_seen: date(r, "last_seen")?,
        assigned_to: get(r, "assigned_to")?,
        assigned_on: date_of(r, "assigned_on")?,
        ended_on: date_of(r, "ended_on")?,
        end_note: get(r, "end_note")?,
        end_evidence: get(r, "end_evidence")?,
    })
}

/// A filter of the warnings list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarningFilter {
    /// Live ones only (the default list), else all.
    pub live: bool,
    pub grade: Option<i16>,
    pub project: Option<i64>,
    pub assigned_to: Option<String>,
    pub region: Option<(i64, i64)>,
}

/// The warnings in `range` that match, worst first (red, most escalated, most days).
pub async fn warnings(
    store: &Store,
    range: Option<(i64, i64)>,
    f: &WarningFilter,
    limit: u64,
) -> Result<Vec<WarningRow>> {
    let (lo, hi) = range.unwrap_or((i64::MIN, i64::MAX));
    let (flo, fhi) = f.region.unwrap_or((i64::MIN, i64::MAX));
    let mut sql = format!(
        "SELECT {WARNING_COLS} FROM wage_warnings w LEFT JOIN wage_projects p ON p.id = w.project_id \
         WHERE w.region BETWEEN $1 AND $2 AND w.region BETWEEN $3 AND $4"
    );
    let mut values: Vec<Value> = vec![lo.into(), hi.into(), flo.into(), fhi.into()];
    if f.live {
        sql.push_str(" AND w.live_key IS NOT NULL");
    }
    if let Some(g) = f.grade {
        values.push(g.into());
        sql.push_str(&format!(" AND w.grade = ${}", values.len()));
    }
    if let Some(p) = f.project {
        values.push(p.into());
        sql.push_str(&format!(" AND w.project_id = ${}", values.len()));
    }
    if let Some(a) = &f.assigned_to {
        values.push(a.clone().into());
        sql.push_str(&format!(" AND w.assigned_to = ${}", values.len()));
    }
    sql.push_str(&format!(
        " ORDER BY w.grade DESC, w.escalation DESC, w.days_overdue DESC, w.amount DESC, w.id LIMIT {limit}"
    ));
    let rows = store.conn().query_all(statement(store.backend(), &sql, values)).await?;
    rows.iter().map(warning_of).collect()
}

pub async fn warning(store: &Store, range: Option<(i64, i64)>, id: i64) -> Result<Option<WarningRow>> {
    let row = store
        .conn()
        .query_one(statement(
            store.backend(),
            &format!(
                "SELECT {WARNING_COLS} FROM wage_warnings w LEFT JOIN wage_projects p ON p.id = w.project_id \
                 WHERE w.id = $1"
            ),
            [id.into()],
        ))
        .await?;
    match row {
        Some(r) => {
            let w = warning_of(&r)?;
            Ok(in_range(range, w.region).then_some(w))
        }
        None => Ok(None),
    }
}

/// A warning's handling log, oldest first: (date, actor, action, note).
pub async fn warning_log(store: &Store, id: i64) -> Result<Vec<(NaiveDate, String, String, String)>> {
    let rows = store
        .conn()
        .query_all(statement(
            store.backend(),
            "SELECT on_date, actor, action, note FROM wage_warning_log WHERE warning_id = $1 ORDER BY id",
            [id.into()],
        ))
        .await?;
    rows.iter().map(|r| Ok((date(r, "on_date")?, get(r, "actor")?, get(r, "action")?, get(r, "note")?))).collect()
}

/// Live warnings by district (the 6-digit code as an integer range's start) and grade:
/// (district region, grade, count, amount).
pub async fn by_district(store: &Store, range: Option<(i64, i64)>) -> Result<Vec<(i64, i16, i64, i64)>> {
    let (lo, hi) = range.unwrap_or((i64::MIN, i64::MAX));
    let rows = store
        .conn()
        .query_all(statement(
            store.backend(),
            "SELECT (region / 1000000) * 1000000 AS district, grade, COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS amount \
             FROM wage_warnings WHERE live_key IS NOT NULL AND region BETWEEN $1 AND $2 \
             GROUP BY (region / 1000000) * 1000000, grade ORDER BY 1, 2",
            [lo.into(), hi.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok((get(r, "district")?, get(r, "grade")?, get(r, "n")?, get::<Option<i64>>(r, "amount")?.unwrap_or(0)))
        })
        .collect()
}

/// A step in a warning's handling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// 分派 to an inspector (username).
    Assign(String),
    /// 处置: a note on what was done.
    Work(String),
    /// 办结 with a note and the evidence (what was seen or received).
    Close { note: String, evidence: String },
}

/// Applies `step` to live warning `id` in `range`, with its log line and audit entry.
/// `Ok(false)` when the warning is not live (already closed or resolved).
pub async fn handle(
    store: &Store,
    range: Option<(i64, i64)>,
    id: i64,
    step: &Step,
    on: NaiveDate,
    by: &audit::Context,
) -> Result<bool> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    let Some(row) =
        txn.query_one(statement(b, "SELECT region, live_key FROM wage_warnings WHERE id = $1", [id.into()])).await?
    else {
        return Err(StoreError::NotFound("预警不存在".into()));
    };
    let region: i64 = get(&row, "region")?;
    if !in_range(range, region) {
        return Err(StoreError::NotFound("预警不存在".into()));
    }
    if get::<Option<String>>(&row, "live_key")?.is_none() {
        return Ok(false);
    }
    let actor = by.actor.username.clone();
    let (action, note) = match step {
        Step::Assign(to) => {
            txn.execute(statement(
                b,
                "UPDATE wage_warnings SET state = $1, assigned_to = $2, assigned_on = $3 WHERE id = $4",
                [WarningState::Assigned.code().into(), to.clone().into(), d(on), id.into()],
            ))
            .await?;
            ("assign", format!("分派给 {to}"))
        }
        Step::Work(note) => {
            txn.execute(statement(
                b,
                "UPDATE wage_warnings SET state = $1 WHERE id = $2",
                [WarningState::Working.code().into(), id.into()],
            ))
            .await?;
            ("work", note.clone())
        }
        Step::Close { note, evidence } => {
            txn.execute(statement(
                b,
                "UPDATE wage_warnings SET state = $1, live_key = NULL, ended_on = $2, end_note = $3, \
                 end_evidence = $4 WHERE id = $5",
                [WarningState::Closed.code().into(), d(on), note.clone().into(), evidence.clone().into(), id.into()],
            ))
            .await?;
            ("close", format!("{note}（证据：{evidence}）"))
        }
    };
    log(&txn, id, on, &actor, action, &note).await?;
    let detail = serde_json::json!({ "warning": id, "action": action, "note": note });
    audit::write(&txn, slot, &by.entry(AuditAction::WageWarning, "wage_warnings", Some(id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(true)
}

/// A complaint to file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    pub project_id: Option<i64>,
    pub employer_code: String,
    pub employer_name: String,
    pub region: i64,
    pub person_id: Option<i64>,
    pub name: String,
    pub phone_masked: String,
    pub amount: Fen,
    pub workers: i32,
    pub description: String,
    pub filed_on: NaiveDate,
    pub deadline: NaiveDate,
    /// 1 self-service, 2 staff.
    pub channel: i16,
}

pub async fn file_complaint(store: &Store, c: &NewComplaint, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    let row = txn
        .query_one(statement(
            b,
            "INSERT INTO wage_complaints (project_id, employer_code, employer_name, region, person_id, name, \
             phone_masked, amount, workers, description, filed_on, deadline, channel, state, filed_by) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id",
            [
                c.project_id.into(),
                c.employer_code.clone().into(),
                c.employer_name.clone().into(),
                c.region.into(),
                c.person_id.into(),
                c.name.clone().into(),
                c.phone_masked.clone().into(),
                c.amount.0.into(),
                c.workers.into(),
                c.description.clone().into(),
                d(c.filed_on),
                d(c.deadline),
                c.channel.into(),
                ComplaintState::FastTrack.code().into(),
                by.actor.username.clone().into(),
            ],
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt("插入投诉未返回编号".into()))?;
    let id: i64 = get(&row, "id")?;
    let detail = serde_json::json!({ "complaint": id, "project": c.project_id, "employer": c.employer_code,
        "amount": c.amount, "workers": c.workers });
    audit::write(&txn, slot, &by.entry(AuditAction::WageComplaint, "wage_complaints", Some(id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(id)
}

/// A complaint as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ComplaintRow {
    pub id: i64,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub employer_code: String,
    pub employer_name: String,
    pub region: i64,
    pub person_id: Option<i64>,
    pub name: String,
    pub phone_masked: String,
    pub amount: Fen,
    pub workers: i32,
    pub description: String,
    pub filed_on: NaiveDate,
    pub deadline: NaiveDate,
    pub channel: i16,
    pub state: i16,
    pub proven_amount: Option<Fen>,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<String>,
}

fn complaint_of(r: &QueryResult) -> Result<ComplaintRow> {
    Ok(ComplaintRow {
        id: get(r, "id")?,
        project_id: get(r, "project_id")?,
        project_name: get(r, "project_name")?,
        employer_code: get(r, "employer_code")?,
        employer_name: get(r, "employer_name")?,
        region: get(r, "region")?,
        person_id: get(r, "person_id")?,
        name: get(r, "name")?,
        phone_masked: get(r, "phone_masked")?,
        amount: Fen(get(r, "amount")?),
        workers: get(r, "workers")?,
        description: get(r, "description")?,
        filed_on: date(r, "filed_on")?,
        deadline: date(r, "deadline")?,
        channel: get(r, "channel")?,
        state: get(r, "state")?,
        proven_amount: get::<Option<i64>>(r, "proven_amount")?.map(Fen),
        closed_on: date_of(r, "closed_on")?,
        outcome: get(r, "outcome")?,
    })
}

const COMPLAINT_COLS: &str = "c.id, c.project_id, p.name AS project_name, c.employer_code, c.employer_name, \
     c.region, c.person_id, c.name, c.phone_masked, c.amount, c.workers, c.description, c.filed_on, c.deadline, \
     c.channel, c.state, c.proven_amount, c.closed_on, c.outcome";

/// Complaints in `range` (or of one person), open ones first by deadline.
pub async fn complaints(
    store: &Store,
    range: Option<(i64, i64)>,
    person: Option<i64>,
    limit: u64,
) -> Result<Vec<ComplaintRow>> {
    let (lo, hi) = range.unwrap_or((i64::MIN, i64::MAX));
    let mut sql = format!(
        "SELECT {COMPLAINT_COLS} FROM wage_complaints c LEFT JOIN wage_projects p ON p.id = c.project_id \
         WHERE c.region BETWEEN $1 AND $2"
    );
    let mut values: Vec<Value> = vec![lo.into(), hi.into()];
    if let Some(pid) = person {
        values.push(pid.into());
        sql.push_str(" AND c.person_id = $3");
    }
    sql.push_str(&format!(
        " ORDER BY CASE WHEN c.state IN (1, 2) THEN 0 ELSE 1 END, c.deadline, c.id DESC LIMIT {limit}"
    ));
    let rows = store.conn().query_all(statement(store.backend(), &sql, values)).await?;
    rows.iter().map(complaint_of).collect()
}

pub async fn complaint(store: &Store, id: i64) -> Result<Option<ComplaintRow>> {
    let row = store
        .conn()
        .query_one(statement(
            store.backend(),
            &format!(
                "SELECT {COMPLAINT_COLS} FROM wage_complaints c LEFT JOIN wage_projects p ON p.id = c.project_id \
                 WHERE c.id = $1"
            ),
            [id.into()],
        ))
        .await?;
    row.as_ref().map(complaint_of).transpose()
}

/// Closes an open complaint in `range`: proven arrears (`proven` = the amount) put the
/// employer on the 失信 list from `on` until `until` in the same transaction (and mark
/// the employer 失信 on the job board); otherwise dismissed. `Ok(false)` when it was
/// not open.
#[allow(clippy::too_many_arguments)]
pub async fn close_complaint(
    store: &Store,
    range: Option<(i64, i64)>,
    id: i64,
    proven: Option<Fen>,
    outcome: &str,
    on: NaiveDate,
    until: NaiveDate,
    by: &audit::Context,
) -> Result<bool> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    let Some(row) = txn
        .query_one(statement(
            b,
            "SELECT region, state, employer_code, employer_name FROM wage_complaints WHERE id = $1",
            [id.into()],
        ))
        .await?
    else {
        return Err(StoreError::NotFound("投诉不存在".into()));
    };
    let region: i64 = get(&row, "region")?;
    if !in_range(range, region) {
        return Err(StoreError::NotFound("投诉不存在".into()));
    }
    let state: i16 = get(&row, "state")?;
    if !ComplaintState::from_code(state).is_some_and(ComplaintState::is_open) {
        return Ok(false);
    }
    let employer_code: String = get(&row, "employer_code")?;
    let employer_name: String = get(&row, "employer_name")?;
    let new_state = if proven.is_some() { ComplaintState::Proven } else { ComplaintState::Dismissed };
    let n = txn
        .execute(statement(
            b,
            "UPDATE wage_complaints SET state = $1, proven_amount = $2, closed_on = $3, outcome = $4 \
             WHERE id = $5 AND state = $6",
            [new_state.code().into(), proven.map(|f| f.0).into(), d(on), outcome.into(), id.into(), state.into()],
        ))
        .await?;
    if n.rows_affected() != 1 {
        return Ok(false);
    }
    if proven.is_some() {
        txn.execute(statement(
            b,
            "INSERT INTO wage_blacklist (employer_code, employer_name, complaint_id, region, listed_on, until_on) \
             VALUES ($1,$2,$3,$4,$5,$6)",
            [employer_code.clone().into(), employer_name.into(), id.into(), region.into(), d(on), d(until)],
        ))
        .await?;
        set_board_status(&txn, &employer_code).await?;
    }
    let detail = serde_json::json!({ "complaint": id, "state": new_state.label(), "proven": proven,
        "employer": employer_code, "listed_until": proven.map(|_| until) });
    audit::write(&txn, slot, &by.entry(AuditAction::WageComplaint, "wage_complaints", Some(id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(true)
}

/// The job board's credit status of an employer follows the 失信 list: 失信 while any
/// listing is in force (not removed); the postings' `updated_at` is bumped so every
/// server's board picks it up.
async fn set_board_status<C: ConnectionTrait>(c: &C, employer_code: &str) -> Result<()> {
    let b = c.get_database_backend();
    let listed = c
        .query_one(statement(
            b,
            "SELECT COUNT(*) AS n FROM wage_blacklist WHERE employer_code = $1 AND removed_on IS NULL",
            [employer_code.into()],
        ))
        .await?
        .map(|r| get::<i64>(&r, "n"))
        .transpose()?
        .unwrap_or(0);
    let status: i16 = if listed > 0 { 2 } else { 1 };
    c.execute(statement(
        b,
        "UPDATE employers SET credit_status = $1 WHERE credit_code = $2",
        [status.into(), employer_code.into()],
    ))
    .await?;
    c.execute(statement(
        b,
        "UPDATE jobs SET updated_at = $1 WHERE employer_id IN (SELECT id FROM employers WHERE credit_code = $2)",
        [Value::ChronoDateTimeUtc(Some(Box::new(Utc::now()))), employer_code.into()],
    ))
    .await?;
    Ok(())
}

/// A 失信 listing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Listing {
    pub id: i64,
    pub employer_code: String,
    pub employer_name: String,
    pub complaint_id: Option<i64>,
    pub region: i64,
    pub listed_on: NaiveDate,
    pub until_on: NaiveDate,
    pub paid_on: Option<NaiveDate>,
    pub removed_on: Option<NaiveDate>,
    pub removal_note: Option<String>,
}

/// The listings in `range` (current ones first).
pub async fn blacklist(store: &Store, range: Option<(i64, i64)>) -> Result<Vec<Listing>> {
    let (lo, hi) = range.unwrap_or((i64::MIN, i64::MAX));
    let rows = store
        .conn()
        .query_all(statement(
            store.backend(),
            "SELECT id, employer_code, employer_name, complaint_id, region, listed_on, until_on, paid_on, removed_on, \
             removal_note FROM wage_blacklist WHERE region BETWEEN $1 AND $2 \
             ORDER BY CASE WHEN removed_on IS NULL THEN 0 ELSE 1 END, listed_on DESC, id DESC",
            [lo.into(), hi.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Listing {
                id: get(r, "id")?,
                employer_code: get(r, "employer_code")?,
                employer_name: get(r, "employer_name")?,
                complaint_id: get(r, "complaint_id")?,
                region: get(r, "region")?,
                listed_on: date(r, "listed_on")?,
                until_on: date(r, "until_on")?,
                paid_on: date_of(r, "paid_on")?,
                removed_on: date_of(r, "removed_on")?,
                removal_note: get(r, "removal_note")?,
            })
        })
        .collect()
}

/// Whether an employer is listed (not removed) on `on`.
pub async fn is_listed(store: &Store, employer_code: &str, on: NaiveDate) -> Result<bool> {
    let n = store
        .conn()
        .query_one(statement(
            store.backend(),
            "SELECT COUNT(*) AS n FROM wage_blacklist WHERE employer_code = $1 AND removed_on IS NULL \
             AND listed_on <= $2 AND until_on > $2",
            [employer_code.into(), d(on)],
        ))
        .await?
        .map(|r| get::<i64>(&r, "n"))
        .transpose()?
        .unwrap_or(0);
    Ok(n > 0)
}

/// Records that a listed employer paid everything on `paid_on`, or removes a listing
/// (`remove`: its note) — the app checks the term or the early-removal date first.
pub async fn update_listing(
    store: &Store,
    range: Option<(i64, i64)>,
    id: i64,
    paid_on: Option<NaiveDate>,
    remove: Option<(NaiveDate, String)>,
    by: &audit::Context,
) -> Result<()> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    let Some(row) = txn
        .query_one(statement(b, "SELECT region, employer_code FROM wage_blacklist WHERE id = $1", [id.into()]))
        .await?
    else {
        return Err(StoreError::NotFound("名单记录不存在".into()));
    };
    if !in_range(range, get(&row, "region")?) {
        return Err(StoreError::NotFound("名单记录不存在".into()));
    }
    let code: String = get(&row, "employer_code")?;
    if let Some(p) = paid_on {
        txn.execute(statement(b, "UPDATE wage_blacklist SET paid_on = $1 WHERE id = $2", [d(p), id.into()])).await?;
    }
    if let Some((on, note)) = &remove {
        txn.execute(statement(
            b,
            "UPDATE wage_blacklist SET removed_on = $1, removal_note = $2 WHERE id = $3 AND removed_on IS NULL",
            [d(*on), note.clone().into(), id.into()],
        ))
        .await?;
        set_board_status(&txn, &code).await?;
    }
    let detail = serde_json::json!({ "listing": id, "employer": code, "paid_on": paid_on,
        "removed": remove.as_ref().map(|(d, n)| serde_json::json!({ "on": d, "note": n })) });
    audit::write(&txn, slot, &by.entry(AuditAction::WageBlacklist, "wage_blacklist", Some(id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The listings whose term has ended by `on` and are not yet removed: removed by the
/// daily run (returns how many).
pub async fn expire_listings(store: &Store, on: NaiveDate) -> Result<u64> {
    let txn = store.conn().begin().await?;
    let b = txn.get_database_backend();
    let codes: Vec<String> = txn
        .query_all(statement(
            b,
            "SELECT DISTINCT employer_code FROM wage_blacklist WHERE removed_on IS NULL AND until_on <= $1",
            [d(on)],
        ))
        .await?
        .iter()
        .map(|r| get(r, "employer_code"))
        .collect::<Result<_>>()?;
    let n = txn
        .execute(statement(
            b,
            "UPDATE wage_blacklist SET removed_on = $1, removal_note = '列入期满，自动移出' \
             WHERE removed_on IS NULL AND until_on <= $1",
            [d(on)],
        ))
        .await?;
    for c in &codes {
        set_board_status(&txn, c).await?;
    }
    txn.commit().await?;
    Ok(n.rows_affected())
}
