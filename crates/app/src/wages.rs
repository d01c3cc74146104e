//! 农民工工资支付监控预警 (SPEC §7): the daily run (`jiujin wages run`: every project's
//! records through `domain::wages::check_project`, the employer clusters, then one
//! transaction that raises, updates, resolves and escalates warnings), a project's
//! findings today for its page, the forms (project, site, roster and pay by identity
//! number, account entries, deposits), complaints onto the 工资争议速裁 fast track and
//! their closing (proven arrears list the employer as 失信), and the list's removals.

use std::time::Instant;

use chrono::{Months, NaiveDate};
use jiujin_domain::identity::{CreditCode, IdNumber};
use jiujin_domain::policy::Param;
use jiujin_domain::refdata::RefData;
use jiujin_domain::wages::{
    check_project, early_removal_from, employer_clusters, escalation, listing, Check, Evidence, Finding, Grade, Period,
    ProjectStatus, WageRules,
};
use jiujin_domain::{Fen, RegionCode};
use jiujin_store::wages::{self as store, NewComplaint, NewProject, Records, RunCounts, RunFinding};
use jiujin_store::{audit, Scope, Store, StoreError};

use crate::crypto::Keys;

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum WageError {
    #[error("{}", .0.join("；"))]
    Invalid(Vec<String>),
    #[error("未找到，或不在您的管辖范围内")]
    NotFound,
    #[error("{0}")]
    Rules(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for WageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => WageError::NotFound,
            StoreError::Conflict(m) => WageError::Invalid(vec![m]),
            e => WageError::Store(e),
        }
    }
}

/// The region range of a caller: staff and inspectors see their region's projects.
pub fn range(scope: Scope) -> Result<Option<(i64, i64)>, WageError> {
    scope.range().ok_or(WageError::NotFound)
}

/// The thresholds in force on `on`.
pub fn rules(params: &[Param], on: NaiveDate) -> Result<WageRules, WageError> {
    WageRules::bind(params, on).map_err(WageError::Rules)
}

/// How far back a run reads attendance and payroll: 12 months before the run's month.
pub fn window_start(on: NaiveDate) -> Period {
    Period::of(on.checked_sub_months(Months::new(12)).unwrap_or(on))
}

/// What a run did and how long each part took.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunReport {
    pub on: Option<NaiveDate>,
    pub counts: RunCounts,
    pub findings: usize,
    pub by_check: Vec<(String, usize)>,
    pub by_grade: Vec<(String, usize)>,
    pub expired_listings: u64,
    pub read_seconds: f64,
    pub check_seconds: f64,
    pub write_seconds: f64,
}

/// The daily run on `on` over every project: idempotent (run twice, the second
/// raises nothing), resolving what is cured and escalating what is overdue.
pub async fn run(store: &Store, params: &[Param], on: NaiveDate, by: &audit::Context) -> Result<RunReport, WageError> {
    // One run at a time across servers (a second would only fail on the warnings' key).
    let lease = jiujin_store::locks::BatchLock::try_acquire(store, "wages-run", chrono::Duration::minutes(30))
        .await?
        .ok_or_else(|| WageError::Invalid(vec!["另一次欠薪预警日批正在运行，请稍后再试".to_string()]))?;
    let result = run_locked(store, params, on, by).await;
    lease.release(store).await?;
    result
}

async fn run_locked(
    store: &Store,
    params: &[Param],
    on: NaiveDate,
    by: &audit::Context,
) -> Result<RunReport, WageError> {
    let r = rules(params, on)?;
    let t0 = Instant::now();
    let inputs = store::inputs(store, None, None, window_start(on), on).await?;
    let clusters =
        store::complaints_by_employer(store, jiujin_domain::wages::rules::minus(on, r.cluster_window), on).await?;
    let read = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let mut findings: Vec<RunFinding> = Vec::new();
    for (p, input) in &inputs {
        for f in check_project(input, &r) {
            let responsible = match f.check.responsible() {
                jiujin_domain::wages::Responsible::Builder => {
                    format!("建设单位 {}（{}）", p.builder_name, p.builder_code)
                }
                _ => format!("施工总承包单位 {}（{}）", p.contractor_name, p.contractor_code),
            };
            findings.push(RunFinding {
                project_id: Some(p.id),
                employer_code: None,
                region: p.region,
                responsible,
                finding: f,
            });
        }
    }
    let mut names = std::collections::HashMap::new();
    let mut regions = std::collections::HashMap::new();
    for (code, name, region, _) in &clusters {
        names.insert(code.clone(), name.clone());
        regions.entry(code.clone()).or_insert(*region);
    }
    for (code, n) in employer_clusters(clusters.iter().map(|(c, _, _, d)| (c.as_str(), *d)), &r) {
        let from = jiujin_domain::wages::rules::minus(on, r.cluster_window);
        let finding = Finding {
            check: Check::ComplaintCluster,
            key: String::new(),
            days_overdue: 0,
            amount: Fen::ZERO,
            workers: n,
            grade: jiujin_domain::wages::grade(0, Fen::ZERO, n, &r),
            summary: format!("{}至{}对该用人单位的投诉{}件", from.succ_opt().unwrap_or(from), on, n),
            evidence: Vec::<Evidence>::new(),
        };
        findings.push(RunFinding {
            project_id: None,
            employer_code: Some(code.clone()),
            region: regions.get(&code).copied().unwrap_or(0),
            responsible: format!("用人单位 {}（{}）", names.get(&code).cloned().unwrap_or_default(), code),
            finding,
        });
    }
    let check = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let counts = store::apply_run(
        store,
        on,
        inputs.len() as u64,
        &findings,
        |g, since| escalation(Grade::from_code(g).unwrap_or(Grade::Yellow), since, &r),
        by,
    )
    .await?;
    let expired_listings = store::expire_listings(store, on).await?;
    let write = t2.elapsed().as_secs_f64();
    let mut by_check = std::collections::BTreeMap::new();
    let mut by_grade = std::collections::BTreeMap::new();
    for f in &findings {
        *by_check.entry(f.finding.check.label().to_string()).or_insert(0usize) += 1;
        *by_grade.entry(f.finding.grade).or_insert(0usize) += 1;
    }
    Ok(RunReport {
        on: Some(on),
        counts,
        findings: findings.len(),
        by_check: by_check.into_iter().collect(),
        by_grade: by_grade.into_iter().map(|(g, n)| (g.label().to_string(), n)).collect(),
        expired_listings,
        read_seconds: read,
        check_seconds: check,
        write_seconds: write,
    })
}

/// A project's findings on `on`, for its page (the same check as the run).
pub async fn project_findings(
    store: &Store,
    params: &[Param],
    scope: Scope,
    id: i64,
    on: NaiveDate,
) -> Result<(store::Project, Vec<Finding>), WageError> {
    let r = rules(params, on)?;
    let range = range(scope)?;
    let mut found = store::inputs(store, range, Some(id), window_start(on), on).await?;
    let (p, input) = found.pop().ok_or(WageError::NotFound)?;
    let findings = check_project(&input, &r);
    Ok((p, findings))
}

fn date(field: &str, text: &str, errors: &mut Vec<String>) -> Option<NaiveDate> {
    let t = text.trim();
    match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(format!("{field}：“{t}”不是日期（YYYY-MM-DD）"));
            None
        }
    }
}

fn opt_date(field: &str, text: &str, errors: &mut Vec<String>) -> Option<NaiveDate> {
    if text.trim().is_empty() {
        None
    } else {
        date(field, text, errors)
    }
}

fn money(field: &str, text: &str, errors: &mut Vec<String>) -> Fen {
    match Fen::parse_yuan(text) {
        Ok(f) if f.0 >= 0 => f,
        _ => {
            errors.push(format!("{field}：“{}”不是金额（元）", text.trim()));
            Fen::ZERO
        }
    }
}

fn credit(field: &str, text: &str, errors: &mut Vec<String>) -> String {
    match CreditCode::parse(text.trim()) {
        Ok((c, _)) => c.as_str().to_string(),
        Err(e) => {
            errors.push(format!("{field}：{e}"));
            String::new()
        }
    }
}

fn required(field: &str, text: &str, errors: &mut Vec<String>) -> String {
    let t = text.trim();
    if t.is_empty() {
        errors.push(format!("{field}：必填"));
    }
    t.to_string()
}

/// The fields of the project form, as text.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProjectForm {
    pub code: String,
    pub name: String,
    pub region: String,
    pub address: String,
    pub builder_code: String,
    pub builder_name: String,
    pub contractor_code: String,
    pub contractor_name: String,
    pub contract_value: String,
    pub contract_on: String,
    pub start_on: String,
    pub end_on: String,
    pub payday: String,
    #[serde(default)]
    pub monthly_labor_cost: String,
    #[serde(default)]
    pub account_opened_on: String,
    #[serde(default)]
    pub notice_board_on: String,
}

/// Registers a project (every problem named by field; the region must lie in the
/// caller's scope).
pub async fn register_project(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    f: &ProjectForm,
    by: &audit::Context,
) -> Result<i64, WageError> {
    let mut e = Vec::new();
    let code = required("项目编号", &f.code, &mut e);
    let name = required("项目名称", &f.name, &mut e);
    let region = match RegionCode::parse(f.region.trim()) {
        Ok(c) if refdata.region(c).is_some() && scope.admits(c, None) => Some(c),
        Ok(c) if refdata.region(c).is_some() => {
            e.push(format!("项目所在地：{} 不在您的管辖范围内", refdata.region_path(c)));
            None
        }
        _ => {
            e.push(format!("项目所在地：“{}”不是重庆市的区划代码", f.region.trim()));
            None
        }
    };
    let builder_code = credit("建设单位统一社会信用代码", &f.builder_code, &mut e);
    let builder_name = required("建设单位名称", &f.builder_name, &mut e);
    let contractor_code = credit("施工总承包单位统一社会信用代码", &f.contractor_code, &mut e);
    let contractor_name = required("施工总承包单位名称", &f.contractor_name, &mut e);
    let contract_value = money("合同额", &f.contract_value, &mut e);
    let contract_on = date("合同签订日期", &f.contract_on, &mut e);
    let start_on = date("开工日期", &f.start_on, &mut e);
    let end_on = date("计划完工日期", &f.end_on, &mut e);
    let payday = match f.payday.trim().parse::<u32>() {
        Ok(n) if (1..=31).contains(&n) => n,
        _ => {
            e.push(format!("约定发薪日：“{}”应为1至31的日", f.payday.trim()));
            15
        }
    };
    let monthly = if f.monthly_labor_cost.trim().is_empty() {
        Fen::ZERO
    } else {
        money("约定月人工费用", &f.monthly_labor_cost, &mut e)
    };
    let account_opened_on = opt_date("专用账户开设日期", &f.account_opened_on, &mut e);
    let notice_board_on = opt_date("告示牌设立日期", &f.notice_board_on, &mut e);
    if let (Some(s), Some(t)) = (start_on, end_on) {
        if t < s {
            e.push(format!("计划完工日期：{t} 早于开工日期 {s}"));
        }
    }
    let (Some(region), Some(contract_on), Some(start_on), Some(end_on), true) =
        (region, contract_on, start_on, end_on, e.is_empty())
    else {
        return Err(WageError::Invalid(e));
    };
    let p = NewProject {
        code,
        name,
        region: region.as_i64(),
        address: f.address.trim().to_string(),
        builder_code,
        builder_name,
        contractor_code,
        contractor_name,
        contract_value,
        contract_on,
        start_on,
        end_on,
        status: ProjectStatus::Active,
        payday,
        monthly_labor_cost: monthly,
        account_opened_on,
        notice_board_on,
    };
    Ok(store::create_project(store, &p, by).await?)
}

/// Records roster rows, days, pay lines, account entries and deposits given as text
/// rows (the forms and the Excel templates): every problem named by row and field,
/// nothing written when there is one.
pub mod rows {
    use super::*;

    /// A roster row: 公民身份号码, 姓名, 班组, 分包单位代码, 进场日期, 退场日期, 日工资(元), 工资卡尾号.
    pub type RosterRow = [String; 8];
    /// An attendance row: 公民身份号码, 日期.
    pub type DayRow = [String; 2];
    /// A pay row: 公民身份号码, 姓名, 月份, 应发(元), 实发(元), 发放日期, 银行卡尾号, 本人签字(是/否).
    pub type PayRow = [String; 8];
    /// An account row: 日期, 金额(元，支出为负), 类别(人工费用拨付/工资代发/其他), 银行流水号.
    pub type EntryRow = [String; 4];

    pub(super) fn id(
        keys: &Keys,
        text: &str,
        at: &str,
        today: NaiveDate,
        e: &mut Vec<String>,
    ) -> Option<(Vec<u8>, String)> {
        match IdNumber::parse(text.trim(), today) {
            Ok(n) => Some((keys.id_hmac(&n).to_vec(), n.masked())),
            Err(err) => {
                e.push(format!("{at} 公民身份号码：{err}"));
                None
            }
        }
    }

    fn last4(text: &str, at: &str, e: &mut Vec<String>) -> String {
        let t = text.trim();
        if t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()) {
            t.to_string()
        } else {
            e.push(format!("{at} 银行卡尾号：应为4位数字"));
            String::new()
        }
    }

    /// Parses the rows into `Records`, or every problem.
    pub fn parse(
        keys: &Keys,
        roster: &[RosterRow],
        days: &[DayRow],
        pay: &[PayRow],
        entries: &[EntryRow],
        today: NaiveDate,
    ) -> Result<Records, Vec<String>> {
        parse_from(keys, roster, days, pay, entries, today, 1)
    }

    /// `parse` with rows numbered from `first` (a file's row number of its first row).
    pub fn parse_from(
        keys: &Keys,
        roster: &[RosterRow],
        days: &[DayRow],
        pay: &[PayRow],
        entries: &[EntryRow],
        today: NaiveDate,
        first: usize,
    ) -> Result<Records, Vec<String>> {
        let mut e = Vec::new();
        let mut r = Records::default();
        for (i, row) in roster.iter().enumerate() {
            let at = format!("花名册第{}行", i + first);
            let idn = id(keys, &row[0], &at, today, &mut e);
            let name = row[1].trim().to_string();
            if name.is_empty() {
                e.push(format!("{at} 姓名：必填"));
            }
            let entry = date(&format!("{at} 进场日期"), &row[4], &mut e);
            let exit = opt_date(&format!("{at} 退场日期"), &row[5], &mut e);
            let rate = money(&format!("{at} 日工资"), &row[6], &mut e);
            let card = last4(&row[7], &at, &mut e);
            if let (Some((h, masked)), Some(entry)) = (idn, entry) {
                r.roster.push(jiujin_store::wages::NewRosterRow {
                    id_hmac: h,
                    id_masked: masked,
                    person_id: None,
                    name,
                    team: row[2].trim().to_string(),
                    subcontractor_code: Some(row[3].trim().to_string()).filter(|s| !s.is_empty()),
                    entry_on: entry,
                    exit_on: exit,
                    daily_rate: rate,
                    card_last4: card,
                });
            }
        }
        for (i, row) in days.iter().enumerate() {
            let at = format!("考勤第{}行", i + first);
            if let (Some((h, _)), Some(day)) =
                (id(keys, &row[0], &at, today, &mut e), date(&format!("{at} 日期"), &row[1], &mut e))
            {
                r.attendance.push((h, day));
            }
        }
        for (i, row) in pay.iter().enumerate() {
            let at = format!("工资支付表第{}行", i + first);
            let idn = id(keys, &row[0], &at, today, &mut e);
            let period = Period::parse(&row[2]);
            if period.is_none() {
                e.push(format!("{at} 月份：“{}”应为 YYYY-MM", row[2].trim()));
            }
            let due = money(&format!("{at} 应发"), &row[3], &mut e);
            let paid = money(&format!("{at} 实发"), &row[4], &mut e);
            let paid_on = opt_date(&format!("{at} 发放日期"), &row[5], &mut e);
            if paid.0 > 0 && paid_on.is_none() {
                e.push(format!("{at} 发放日期：有实发金额时必填"));
            }
            let card = last4(&row[6], &at, &mut e);
            let signed = match row[7].trim() {
                "是" | "已签" | "Y" | "y" => true,
                "否" | "未签" | "N" | "n" | "" => false,
                t => {
                    e.push(format!("{at} 本人签字：“{t}”应为是或否"));
                    false
                }
            };
            if let (Some((h, masked)), Some(period)) = (idn, period) {
                r.lines.push(jiujin_store::wages::NewPayLine {
                    id_hmac: h,
                    id_masked: masked,
                    name: row[1].trim().to_string(),
                    period,
                    due,
                    paid,
                    paid_on,
                    card_last4: card,
                    signed,
                });
            }
        }
        for (i, row) in entries.iter().enumerate() {
            let at = format!("专用账户流水第{}行", i + first);
            let on = date(&format!("{at} 日期"), &row[0], &mut e);
            let t = row[1].trim();
            let amount = match Fen::parse_yuan(t.trim_start_matches('-')) {
                Ok(f) if t.starts_with('-') => Fen(-f.0),
                Ok(f) => f,
                Err(_) => {
                    e.push(format!("{at} 金额：“{t}”不是金额（元）"));
                    Fen::ZERO
                }
            };
            let kind = match row[2].trim() {
                "人工费用拨付" => 1,
                "工资代发" => 2,
                "其他" | "" => 3,
                k => {
                    e.push(format!("{at} 类别：“{k}”应为 人工费用拨付、工资代发 或 其他"));
                    3
                }
            };
            let reference = row[3].trim().to_string();
            if reference.is_empty() {
                e.push(format!("{at} 银行流水号：必填"));
            }
            if let Some(on) = on {
                r.entries.push(jiujin_store::wages::NewEntry { on, amount, kind, reference });
            }
        }
        if e.is_empty() {
            Ok(r)
        } else {
            Err(e)
        }
    }
}

/// Adds a subcontractor to a project in the caller's range (credit code checked).
pub async fn add_subcontractor(
    store: &Store,
    scope: Scope,
    project: i64,
    credit_code: &str,
    name: &str,
    trade: &str,
    by: &audit::Context,
) -> Result<(), WageError> {
    store::project(store, range(scope)?, project).await?.ok_or(WageError::NotFound)?;
    let mut e = Vec::new();
    let code = credit("分包单位统一社会信用代码", credit_code, &mut e);
    let name = required("分包单位名称", name, &mut e);
    if !e.is_empty() {
        return Err(WageError::Invalid(e));
    }
    Ok(store::add_subcontractor(store, project, &code, &name, trade.trim(), by).await?)
}

/// Records rows on a project in the caller's range.
#[allow(clippy::too_many_arguments)]
pub async fn record_rows(
    store: &Store,
    keys: &Keys,
    scope: Scope,
    project: i64,
    roster: &[rows::RosterRow],
    days: &[rows::DayRow],
    pay: &[rows::PayRow],
    entries: &[rows::EntryRow],
    what: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<store::Recorded, WageError> {
    let range = range(scope)?;
    store::project(store, range, project).await?.ok_or(WageError::NotFound)?;
    let records = rows::parse(keys, roster, days, pay, entries, today).map_err(WageError::Invalid)?;
    match store::record(store, project, &records, what, None, by).await? {
        Ok(done) => Ok(done),
        Err(store::Refused(list)) => {
            Err(WageError::Invalid(list.into_iter().map(|(t, row, m)| format!("{t}第{row}行：{m}")).collect()))
        }
    }
}

/// A complaint's form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ComplaintForm {
    #[serde(default)]
    pub project_code: String,
    pub employer_code: String,
    pub employer_name: String,
    #[serde(default)]
    pub region: String,
    pub name: String,
    #[serde(default)]
    pub phone: String,
    pub amount: String,
    #[serde(default)]
    pub workers: String,
    pub description: String,
}

/// Files a complaint (a worker's own, `person` set; or staff's) onto the fast track
/// with its deadline. The region is the project's when one is named, else the form's.
pub async fn file_complaint(
    store: &Store,
    refdata: &RefData,
    params: &[Param],
    person: Option<i64>,
    f: &ComplaintForm,
    on: NaiveDate,
    by: &audit::Context,
) -> Result<i64, WageError> {
    let r = rules(params, on)?;
    let mut e = Vec::new();
    let employer_code = credit("用人单位统一社会信用代码", &f.employer_code, &mut e);
    let employer_name = required("用人单位名称", &f.employer_name, &mut e);
    let name = required("投诉人姓名", &f.name, &mut e);
    let amount = money("被拖欠金额", &f.amount, &mut e);
    let workers = if f.workers.trim().is_empty() {
        1
    } else {
        match f.workers.trim().parse::<i32>() {
            Ok(n) if n >= 1 => n,
            _ => {
                e.push("涉及人数：应为正整数".to_string());
                1
            }
        }
    };
    let description = required("情况说明", &f.description, &mut e);
    let phone = f.phone.trim();
    let mobile = phone.len() == 11 && phone.chars().all(|c| c.is_ascii_digit());
    if !phone.is_empty() && !mobile {
        e.push("联系电话：应为11位手机号".to_string());
    }
    let project = if f.project_code.trim().is_empty() {
        None
    } else {
        match store::project_by_code(store, f.project_code.trim()).await? {
            Some(p) => Some(p),
            None => {
                e.push(format!("项目编号：“{}”未登记（可留空）", f.project_code.trim()));
                None
            }
        }
    };
    let region = match &project {
        Some(p) => Some(p.region),
        None => match RegionCode::parse(f.region.trim()) {
            Ok(c) if refdata.region(c).is_some() => Some(c.as_i64()),
            _ => {
                e.push("务工所在地：请选择区县（或填写项目编号）".to_string());
                None
            }
        },
    };
    let (Some(region), true) = (region, e.is_empty()) else {
        return Err(WageError::Invalid(e));
    };
    let c = NewComplaint {
        project_id: project.map(|p| p.id),
        employer_code,
        employer_name,
        region,
        person_id: person,
        name,
        phone_masked: if phone.is_empty() { String::new() } else { jiujin_domain::audit::mask_phone(phone) },
        amount,
        workers,
        description,
        filed_on: on,
        deadline: jiujin_domain::wages::rules::plus(on, r.fast_track_within),
        channel: if person.is_some() { 1 } else { 2 },
    };
    Ok(store::file_complaint(store, &c, by).await?)
}

/// Closes a complaint: `proven` arrears (in yuan text) list the employer as 失信 for
/// the term in force; otherwise dismissed with the outcome.
#[allow(clippy::too_many_arguments)]
pub async fn close_complaint(
    store: &Store,
    params: &[Param],
    scope: Scope,
    id: i64,
    proven: Option<&str>,
    outcome: &str,
    on: NaiveDate,
    by: &audit::Context,
) -> Result<(), WageError> {
    let r = rules(params, on)?;
    let mut e = Vec::new();
    let amount = proven.map(|t| money("查实拖欠金额", t, &mut e));
    if amount.is_some_and(|a| a.0 <= 0) {
        e.push("查实拖欠金额：应大于0".to_string());
    }
    let outcome = required("处理结果", outcome, &mut e);
    if !e.is_empty() {
        return Err(WageError::Invalid(e));
    }
    let until = listing(on, &r).until;
    if !store::close_complaint(store, range(scope)?, id, amount, &outcome, on, until, by).await? {
        return Err(WageError::Invalid(vec!["该投诉已结案".to_string()]));
    }
    Ok(())
}

/// Records the payment of a listed employer's arrears, or removes it: at the end of
/// the term, or early once the removal time has passed since payment (人社部令第45号).
#[allow(clippy::too_many_arguments)]
pub async fn update_listing(
    store: &Store,
    params: &[Param],
    scope: Scope,
    id: i64,
    paid_on: Option<&str>,
    remove_note: Option<&str>,
    on: NaiveDate,
    by: &audit::Context,
) -> Result<(), WageError> {
    let r = rules(params, on)?;
    let range = range(scope)?;
    let current = store::blacklist(store, range).await?.into_iter().find(|l| l.id == id).ok_or(WageError::NotFound)?;
    let mut e = Vec::new();
    let paid = paid_on.and_then(|t| date("清偿日期", t, &mut e));
    if paid.is_some_and(|p| p > on) {
        e.push("清偿日期：不能晚于今天".to_string());
    }
    let remove = match remove_note {
        None => None,
        Some(note) => {
            let note = required("移出说明", note, &mut e);
            let paid_by = paid.or(current.paid_on);
            let early = early_removal_from(paid_by, &r);
            if current.removed_on.is_some() {
                e.push("已移出名单".to_string());
            } else if on < current.until_on && early.is_none_or(|d| on < d) {
                e.push(match early {
                    Some(d) => format!("提前移出须自清偿之日起满6个月（{d} 起）并作出守信承诺"),
                    None => format!("列入期至 {}；清偿拖欠工资后满6个月方可申请提前移出", current.until_on),
                });
            }
            Some((on, note))
        }
    };
    if !e.is_empty() {
        return Err(WageError::Invalid(e));
    }
    store::update_listing(store, range, id, paid, remove, by).await?;
    Ok(())
}

/// Evidence rows as stored (JSON) back to their type.
pub fn evidence_of(text: &str) -> Vec<Evidence> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The Chinese label of a check code.
pub fn check_label(code: &str) -> &'static str {
    Check::parse(code).map_or("未知检查", Check::label)
}
