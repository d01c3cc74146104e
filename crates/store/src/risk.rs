//! 规模性失业风险 (SPEC §8): the layoffs and closures employers report
//! (`mon_layoff_reports`, seed 002 #50) and the warnings of a month's run
//! (`mon_risk_warnings`, one per district and month) with their response checklist,
//! worked item by item and closed with a note. Every change is audited in its
//! transaction; reads and changes are limited to the caller's region range.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait, Value};

use crate::sql::statement;
use crate::{audit, Result, Store, StoreError};

fn get<T: sea_orm::TryGetable>(r: &QueryResult, col: &str) -> Result<T> {
    Ok(r.try_get::<T>("", col)?)
}

fn d(v: NaiveDate) -> Value {
    Value::ChronoDate(Some(Box::new(v)))
}

fn in_range(range: Option<(i64, i64)>, region: i64) -> bool {
    range.is_none_or(|(lo, hi)| (lo..=hi).contains(&region))
}

/// A report of layoffs or a closure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LayoffReport {
    pub id: i64,
    pub region: i64,
    pub district: i64,
    pub employer_code: String,
    pub employer_name: String,
    pub reported_on: NaiveDate,
    pub month: i32,
    pub laid_off: i32,
    pub staff: i32,
    pub closing: bool,
    pub note: String,
    pub created_by: String,
}

/// Records a report (its month is that of `reported_on`); audited.
pub async fn add_layoff_report(store: &Store, r: &LayoffReport, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let row = txn
        .query_one(statement(
            txn.get_database_backend(),
            "INSERT INTO mon_layoff_reports (region, district, employer_code, employer_name, reported_on, month, \
             laid_off, staff, closing, note, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id",
            [
                r.region.into(),
                r.district.into(),
                r.employer_code.clone().into(),
                r.employer_name.clone().into(),
                d(r.reported_on),
                r.month.into(),
                r.laid_off.into(),
                r.staff.into(),
                i16::from(r.closing).into(),
                r.note.clone().into(),
                by.actor.username.clone().into(),
                Utc::now().to_rfc3339().into(),
            ],
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt("插入裁员报告未返回编号".into()))?;
    let id: i64 = get(&row, "id")?;
    let detail = serde_json::json!({ "layoff_report": id, "employer": r.employer_code, "district": r.district,
        "laid_off": r.laid_off, "staff": r.staff, "closing": r.closing, "reported_on": r.reported_on.to_string() });
    audit::write(&txn, slot, &by.entry(AuditAction::RiskChange, "mon_layoff_reports", Some(id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(id)
}

/// The reports of a month inside a range, newest first.
pub async fn layoff_reports(store: &Store, range: Option<(i64, i64)>, month: i32) -> Result<Vec<LayoffReport>> {
    let rows = store
        .conn()
        .query_all(statement(
            store.backend(),
            "SELECT id, region, district, employer_code, employer_name, reported_on, month, laid_off, staff, closing, \
             note, created_by FROM mon_layoff_reports WHERE month = $1 ORDER BY reported_on DESC, id DESC",
            [month.into()],
        ))
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let region: i64 = get(&r, "region")?;
        if !in_range(range, region) {
            continue;
        }
        out.push(LayoffReport {
            id: get(&r, "id")?,
            region,
            district: get(&r, "district")?,
            employer_code: get(&r, "employer_code")?,
            employer_name: get(&r, "employer_name")?,
            reported_on: crate::services::date_of(&r, "reported_on")?
                .ok_or_else(|| StoreError::Corrupt("mon_layoff_reports.reported_on".into()))?,
            month: get(&r, "month")?,
            laid_off: get(&r, "laid_off")?,
            staff: get(&r, "staff")?,
            closing: get::<i16>(&r, "closing")? != 0,
            note: get(&r, "note")?,
            created_by: get(&r, "created_by")?,
        });
    }
    Ok(out)
}

/// A month's layoffs by district: (workers laid off, closures of employers with at
/// least `closure_min_workers`).
pub async fn layoffs_by_district(
    store: &Store,
    month: i32,
    closure_min_workers: i64,
) -> Result<HashMap<i64, (i64, i64)>> {
    let mut out: HashMap<i64, (i64, i64)> = HashMap::new();
    for r in layoff_reports(store, None, month).await? {
        let e = out.entry(r.district).or_insert((0, 0));
        e.0 += i64::from(r.laid_off);
        if r.closing && i64::from(r.staff) >= closure_min_workers {
            e.1 += 1;
        }
    }
    Ok(out)
}

/// One item of a warning's response checklist.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChecklistItem {
    pub item: String,
    pub done: bool,
    pub note: String,
    pub by: String,
    pub on: Option<NaiveDate>,
}

/// The state of a risk warning. Codes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RiskState {
    /// 待响应
    Open,
    /// 响应中
    Responding,
    /// 已关闭
    Closed,
}

impl RiskState {
    pub fn code(self) -> i16 {
        match self {
            RiskState::Open => 1,
            RiskState::Responding => 2,
            RiskState::Closed => 3,
        }
    }
    pub fn from_code(c: i16) -> Option<RiskState> {
        [RiskState::Open, RiskState::Responding, RiskState::Closed].into_iter().find(|s| s.code() == c)
    }
    pub fn label(self) -> &'static str {
        match self {
            RiskState::Open => "待响应",
            RiskState::Responding => "响应中",
            RiskState::Closed => "已关闭",
        }
    }
}

/// A warning as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RiskWarning {
    pub id: i64,
    pub district: i64,
    pub month: i32,
    pub level: i16,
    /// The reasons in words (JSON list of strings).
    pub reasons: Vec<String>,
    pub inputs: serde_json::Value,
    pub state: RiskState,
    pub checklist: Vec<ChecklistItem>,
    pub raised_on: NaiveDate,
    pub closed_note: Option<String>,
}

/// One district's finding of a run.
#[derive(Debug, Clone)]
pub struct RiskFinding {
    pub district: i64,
    pub level: i16,
    pub reasons: Vec<String>,
    pub inputs: serde_json::Value,
    /// The checklist the level opens.
    pub checklist: Vec<String>,
}

/// What a run changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RiskRunCounts {
    pub raised: u64,
    pub raised_level: u64,
    pub unchanged: u64,
}

fn warning_of(r: &QueryResult) -> Result<RiskWarning> {
    let bad = |c: &str| StoreError::Corrupt(format!("mon_risk_warnings.{c}"));
    Ok(RiskWarning {
        id: get(r, "id")?,
        district: get(r, "district")?,
        month: get(r, "month")?,
        level: get(r, "level")?,
        reasons: serde_json::from_str(&get::<String>(r, "reasons")?).map_err(|_| bad("reasons"))?,
        inputs: serde_json::from_str(&get::<String>(r, "inputs")?).map_err(|_| bad("inputs"))?,
        state: RiskState::from_code(get(r, "state")?).ok_or_else(|| bad("state"))?,
        checklist: serde_json::from_str(&get::<String>(r, "checklist")?).map_err(|_| bad("checklist"))?,
        raised_on: crate::services::date_of(r, "raised_on")?.ok_or_else(|| bad("raised_on"))?,
        closed_note: get(r, "closed_note")?,
    })
}

const COLUMNS: &str =
    "id, district, month, level, reasons, inputs, state, checklist, raised_on, closed_note FROM mon_risk_warnings";

/// Writes a month's findings in one transaction: a district without a warning for
/// the month gets one; one whose level rose is raised (the new level's items added,
/// the work done kept, reopened if it was closed); one at the same or a lower level
/// keeps its warning (its figures updated). One audit entry for the run.
pub async fn apply_run(
    store: &Store,
    month: i32,
    today: NaiveDate,
    findings: &[RiskFinding],
    by: &audit::Context,
) -> Result<RiskRunCounts> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    let mut counts = RiskRunCounts::default();
    let now = Utc::now().to_rfc3339();
    for f in findings {
        let reasons = serde_json::to_string(&f.reasons).unwrap_or_default();
        let inputs = f.inputs.to_string();
        let existing = txn
            .query_one(statement(
                b,
                &format!("SELECT {COLUMNS} WHERE district = $1 AND month = $2"),
                [f.district.into(), month.into()],
            ))
            .await?;
        match existing {
            None => {
                let checklist: Vec<ChecklistItem> = f
                    .checklist
                    .iter()
                    .map(|i| ChecklistItem {
                        item: i.clone(),
                        done: false,
                        note: String::new(),
                        by: String::new(),
                        on: None,
                    })
                    .collect();
                txn.execute(statement(
                    b,
                    "INSERT INTO mon_risk_warnings (district, month, level, reasons, inputs, state, checklist, raised_on, \
                     updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                    [
                        f.district.into(),
                        month.into(),
                        f.level.into(),
                        reasons.into(),
                        inputs.into(),
                        RiskState::Open.code().into(),
                        serde_json::to_string(&checklist).unwrap_or_default().into(),
                        d(today),
                        now.clone().into(),
                    ],
                ))
                .await?;
                counts.raised += 1;
            }
            Some(row) => {
                let w = warning_of(&row)?;
                let rose = f.level > w.level;
                let mut checklist = w.checklist.clone();
                if rose {
                    for i in &f.checklist {
                        if !checklist.iter().any(|c| &c.item == i) {
                            checklist.push(ChecklistItem {
                                item: i.clone(),
                                done: false,
                                note: String::new(),
                                by: String::new(),
                                on: None,
                            });
                        }
                    }
                }
                let state = if rose && w.state == RiskState::Closed { RiskState::Responding } else { w.state };
                txn.execute(statement(
                    b,
                    "UPDATE mon_risk_warnings SET level = $2, reasons = $3, inputs = $4, checklist = $5, state = $6, \
                     updated_at = $7 WHERE id = $1",
                    [
                        w.id.into(),
                        f.level.max(w.level).into(),
                        reasons.into(),
                        inputs.into(),
                        serde_json::to_string(&checklist).unwrap_or_default().into(),
                        state.code().into(),
                        now.clone().into(),
                    ],
                ))
                .await?;
                if rose {
                    counts.raised_level += 1;
                } else {
                    counts.unchanged += 1;
                }
            }
        }
    }
    let detail = serde_json::json!({ "run": "risk", "month": month, "districts": findings.len(),
        "raised": counts.raised, "raised_level": counts.raised_level });
    audit::write(&txn, slot, &by.entry(AuditAction::RiskChange, "mon_risk_warnings", None, detail)).await?;
    txn.commit().await?;
    Ok(counts)
}

/// The warnings inside a range (open ones first, then by month, newest first).
pub async fn warnings(store: &Store, range: Option<(i64, i64)>) -> Result<Vec<RiskWarning>> {
    let rows = store
        .conn()
        .query_all(statement(store.backend(), &format!("SELECT {COLUMNS} ORDER BY month DESC, level DESC, id"), []))
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let w = warning_of(&r)?;
        if in_range(range, w.district) {
            out.push(w);
        }
    }
    out.sort_by_key(|w| (w.state == RiskState::Closed, std::cmp::Reverse(w.month), std::cmp::Reverse(w.level)));
    Ok(out)
}

/// One warning, if inside the range.
pub async fn warning(store: &Store, range: Option<(i64, i64)>, id: i64) -> Result<Option<RiskWarning>> {
    let row = store
        .conn()
        .query_one(statement(store.backend(), &format!("SELECT {COLUMNS} WHERE id = $1"), [id.into()]))
        .await?;
    match row {
        Some(r) => {
            let w = warning_of(&r)?;
            Ok(in_range(range, w.district).then_some(w))
        }
        None => Ok(None),
    }
}

/// A step of the response.
#[derive(Debug, Clone)]
pub enum RiskStep {
    /// An item of the checklist done, with what was done.
    Done { item: usize, note: String },
    /// The warning closed, with a note (every item done, or the note says why not).
    Close { note: String },
}

/// Why a step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RiskStepError {
    #[error("预警已关闭")]
    Closed,
    #[error("没有这一项响应措施")]
    NoSuchItem,
    #[error("请填写{0}")]
    Missing(&'static str),
    #[error("尚有 {0} 项响应措施未完成，关闭时须在说明中写明原因（不少于10个字）")]
    Unfinished(usize),
}

/// Records a step; `Ok(None)` when the warning is outside the range.
pub async fn step(
    store: &Store,
    range: Option<(i64, i64)>,
    id: i64,
    s: &RiskStep,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<Option<std::result::Result<(), RiskStepError>>> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    let Some(row) = txn.query_one(statement(b, &format!("SELECT {COLUMNS} WHERE id = $1"), [id.into()])).await? else {
        return Ok(None);
    };
    let w = warning_of(&row)?;
    if !in_range(range, w.district) {
        return Ok(None);
    }
    if w.state == RiskState::Closed {
        return Ok(Some(Err(RiskStepError::Closed)));
    }
    let mut checklist = w.checklist.clone();
    let (state, closed_note, detail) = match s {
        RiskStep::Done { item, note } => {
            let note = note.trim();
            if note.is_empty() {
                return Ok(Some(Err(RiskStepError::Missing("落实情况"))));
            }
            let Some(c) = checklist.get_mut(*item) else { return Ok(Some(Err(RiskStepError::NoSuchItem))) };
            c.done = true;
            c.note = note.to_string();
            c.by = by.actor.username.clone();
            c.on = Some(today);
            let detail = serde_json::json!({ "risk_warning": id, "done": c.item, "note": note });
            (RiskState::Responding, None, detail)
        }
        RiskStep::Close { note } => {
            let note = note.trim();
            let open = checklist.iter().filter(|c| !c.done).count();
            if note.is_empty() {
                return Ok(Some(Err(RiskStepError::Missing("关闭说明"))));
            }
            if open > 0 && note.chars().count() < 10 {
                return Ok(Some(Err(RiskStepError::Unfinished(open))));
            }
            let detail = serde_json::json!({ "risk_warning": id, "closed": note, "unfinished": open });
            (RiskState::Closed, Some(note.to_string()), detail)
        }
    };
    txn.execute(statement(
        b,
        "UPDATE mon_risk_warnings SET checklist = $2, state = $3, closed_note = $4, updated_at = $5 WHERE id = $1",
        [
            id.into(),
            serde_json::to_string(&checklist).unwrap_or_default().into(),
            state.code().into(),
            closed_note.into(),
            Utc::now().to_rfc3339().into(),
        ],
    ))
    .await?;
    audit::write(&txn, slot, &by.entry(AuditAction::RiskChange, "mon_risk_warnings", Some(id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(Some(Ok(())))
}
