//! 监测 (SPEC §8): what the dashboards, the API and the reports show, read from the
//! counters kept with the events (`jiujin_store::monitoring`): the status mix and
//! insurance by the regions under a region, its monthly flows, its 四清, and the
//! progress of new near-home employment against seed 001's annexes.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use jiujin_domain::monitoring::progress::{by_group, year_elapsed, Standing};
use jiujin_domain::monitoring::tally::{month_code, month_start, Measure, Workplace};
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{EmploymentStatus, Flag, GroupFlag, Insurance, ServiceNeed};
use jiujin_domain::{RegionCode, RegionLevel};
use jiujin_store::monitoring::{level_of, series, stock, Cell};
use jiujin_store::{Store, StoreError};

/// A month as people write it (`2026-02`) to its stored code.
pub fn parse_month(text: &str) -> Option<i32> {
    let (y, m) = text.trim().split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    NaiveDate::from_ymd_opt(y, m, 1).map(month_code)
}

/// `202602` → `2026-02`.
pub fn month_label(code: i32) -> String {
    format!("{:04}-{:02}", code / 100, code % 100)
}

/// A region the counters are kept for, and the level of the regions under it.
fn child_level(region: RegionCode) -> Option<i16> {
    match region.level() {
        RegionLevel::Province => Some(1),
        RegionLevel::District => Some(2),
        _ => None,
    }
}

/// One labelled count.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Count {
    /// The item's code in the counters (`/monitoring/people?item=`).
    pub item: i16,
    pub key: String,
    pub label: String,
    pub n: i64,
}

/// A region's counts of one measure.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RegionCounts {
    /// The region's code (6 digits for a district, 9 for a town).
    pub region: String,
    pub name: String,
    pub total: i64,
    pub counts: Vec<Count>,
}

/// The items of a stock measure, in display order: (item, key, label).
pub fn items(measure: Measure) -> Vec<(i16, String, String)> {
    match measure {
        Measure::Status => {
            EmploymentStatus::ALL.iter().map(|s| (s.code(), s.key().to_string(), s.label().to_string())).collect()
        }
        Measure::Insurance => std::iter::once((0, "none".to_string(), "未参保".to_string()))
            .chain(Insurance::ALL.iter().map(|i| (i.bit() as i16 + 1, i.key().to_string(), i.label().to_string())))
            .collect(),
        Measure::Group => {
            GroupFlag::ALL.iter().map(|f| (f.bit() as i16 + 1, f.key().to_string(), f.label().to_string())).collect()
        }
        Measure::Need => {
            ServiceNeed::ALL.iter().map(|f| (f.bit() as i16 + 1, f.key().to_string(), f.label().to_string())).collect()
        }
        Measure::Workplace => {
            Workplace::ALL.iter().map(|w| (w.code(), format!("w{}", w.code()), w.label().to_string())).collect()
        }
        _ => vec![(0, "n".into(), measure.label().into())],
    }
}

fn short(code: i64) -> String {
    RegionCode::from_i64(code).map(RegionCode::short).unwrap_or_default()
}

fn name(refdata: &RefData, code: i64) -> String {
    RegionCode::from_i64(code).and_then(|r| refdata.region(r)).map(|r| r.name.clone()).unwrap_or_default()
}

fn counts_of(measure: Measure, cells: &[Cell]) -> Vec<Count> {
    items(measure)
        .into_iter()
        .map(|(item, key, label)| Count {
            item,
            key,
            label,
            n: cells.iter().filter(|c| c.item == item).map(|c| c.n).sum(),
        })
        .collect()
}

/// A stock measure for each region under `region` (districts of the city, towns of a
/// district), now or at the end of `month`; the regions with nobody are listed too.
pub async fn by_child(
    store: &Store,
    refdata: &RefData,
    region: RegionCode,
    measure: Measure,
    month: Option<i32>,
) -> Result<Vec<RegionCounts>, StoreError> {
    let Some(level) = child_level(region) else { return Ok(Vec::new()) };
    let cells = stock(store, level, region, measure, month).await?;
    let mut by: HashMap<i64, Vec<Cell>> = HashMap::new();
    for c in cells {
        by.entry(c.region).or_default().push(c);
    }
    // Everyone has exactly one status: the status counts sum to the persons.
    let persons = if matches!(measure, Measure::Persons | Measure::Status) {
        None
    } else {
        let p = stock(store, level, region, Measure::Persons, month).await?;
        Some(p.into_iter().map(|c| (c.region, c.n)).collect::<HashMap<_, _>>())
    };
    let children: Vec<i64> = refdata.children(region).iter().map(|r| r.as_i64()).collect();
    Ok(children
        .into_iter()
        .map(|code| {
            let cells = by.remove(&code).unwrap_or_default();
            let counts = counts_of(measure, &cells);
            let total = match &persons {
                Some(p) => p.get(&code).copied().unwrap_or(0),
                None => counts.iter().map(|c| c.n).sum(),
            };
            RegionCounts { region: short(code), name: name(refdata, code), total, counts }
        })
        .collect())
}

/// One month of flows.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct FlowMonth {
    /// `YYYY-MM`
    pub month: String,
    /// 返乡
    pub returned: i64,
    /// 外出务工
    pub departed: i64,
    /// 新增就近就业
    pub near_home_new: i64,
    /// 新增失业
    pub became_unemployed: i64,
    /// 新增登记失业
    pub new_registrations: i64,
    /// 新登记入库
    pub registered: i64,
}

/// The months from `from` to `to` (codes), each with its flows in `region`.
pub async fn flows(store: &Store, region: RegionCode, from: i32, to: i32) -> Result<Vec<FlowMonth>, StoreError> {
    let measures: Vec<Measure> = Measure::ALL.into_iter().filter(|m| !m.is_stock()).collect();
    let rows = series(store, region, &measures, from, to).await?;
    let mut months = Vec::new();
    let mut m = from;
    while m <= to && months.len() < 1200 {
        months.push(FlowMonth { month: month_label(m), ..FlowMonth::default() });
        m = if m % 100 == 12 { (m / 100 + 1) * 100 + 1 } else { m + 1 };
    }
    for (month, measure, _, n) in rows {
        let Some(f) = months.iter_mut().find(|f| f.month == month_label(month)) else { continue };
        match measure {
            Measure::Returned => f.returned += n,
            Measure::Departed => f.departed += n,
            Measure::NearHomeNew => f.near_home_new += n,
            Measure::BecameUnemployed => f.became_unemployed += n,
            Measure::NewUnemploymentRegistration => f.new_registrations += n,
            Measure::Registered => f.registered += n,
            _ => {}
        }
    }
    Ok(months)
}

/// The first month code of the `n` months ending with `to`.
pub fn months_back(to: i32, n: i32) -> i32 {
    let total = (to / 100) * 12 + (to % 100 - 1) - (n - 1);
    (total / 12) * 100 + total % 12 + 1
}

/// 四清 of one region for a month (or now).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FourClears {
    pub region: String,
    pub name: String,
    /// `YYYY-MM`, or null for now.
    pub month: Option<String>,
    /// 人员底数清
    pub persons: i64,
    pub groups: Vec<Count>,
    /// 就业情况清
    pub status: Vec<Count>,
    pub workplace: Vec<Count>,
    pub registered_unemployed: i64,
    /// 参保情况清
    pub insurance: Vec<Count>,
    /// 服务需求清 (open needs)
    pub needs: Vec<Count>,
    /// 服务需求清: the people reached by a follow-up contact in the month (this month
    /// when the 四清 is of now).
    pub served: i64,
    /// That month (`YYYY-MM`).
    pub served_month: String,
}

/// 四清 of `region` (city, district or town) at the end of `month` or now.
pub async fn four_clears(
    store: &Store,
    refdata: &RefData,
    region: RegionCode,
    month: Option<i32>,
    today: NaiveDate,
) -> Result<FourClears, StoreError> {
    let level = level_of(region).unwrap_or(2);
    let served_month = month.unwrap_or_else(|| month_code(today));
    let (from, until) = month_span(served_month);
    let served = jiujin_store::records::count(
        store,
        jiujin_domain::monitoring::records::Source::ServedPersons,
        from,
        until,
        region,
    )
    .await?;
    let mut get = HashMap::new();
    for m in [
        Measure::Persons,
        Measure::Group,
        Measure::Status,
        Measure::Workplace,
        Measure::RegisteredUnemployed,
        Measure::Insurance,
        Measure::Need,
    ] {
        let cells: Vec<Cell> =
            stock(store, level, region, m, month).await?.into_iter().filter(|c| c.region == region.as_i64()).collect();
        get.insert(m, cells);
    }
    let total = |m: Measure| get.get(&m).map_or(0, |c| c.iter().map(|c| c.n).sum());
    let counts = |m: Measure| counts_of(m, get.get(&m).map_or(&[][..], Vec::as_slice));
    Ok(FourClears {
        region: region.short(),
        name: name(refdata, region.as_i64()),
        month: month.map(month_label),
        persons: total(Measure::Persons),
        groups: counts(Measure::Group),
        status: counts(Measure::Status),
        workplace: counts(Measure::Workplace),
        registered_unemployed: total(Measure::RegisteredUnemployed),
        insurance: counts(Measure::Insurance),
        needs: counts(Measure::Need),
        served,
        served_month: month_label(served_month),
    })
}

/// Progress of one unit against its yearly target.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ProgressRow {
    /// 片区/区县组 number or annex-2 row number.
    pub number: u8,
    pub name: String,
    pub done: i64,
    pub target: i64,
    /// Percent of the target done.
    pub percent: f64,
    /// Percent the year has used.
    pub expected_percent: f64,
    pub lagging: bool,
}

/// New near-home employment in `year` up to `today`, by district group (annex 1) and
/// by industry (annex 2), against the annexes' targets.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub year: i32,
    pub done: i64,
    pub target: i64,
    pub expected_percent: f64,
    pub groups: Vec<ProgressRow>,
    pub industries: Vec<ProgressRow>,
}

fn row(number: u8, name: String, s: Standing, elapsed: f64) -> ProgressRow {
    ProgressRow {
        number,
        name,
        done: s.done,
        target: s.target,
        percent: (s.rate * 1000.0).round() / 10.0,
        expected_percent: (elapsed * 1000.0).round() / 10.0,
        lagging: s.lagging,
    }
}

/// Near-home progress for the city in `year`, as of `today` (the months of the year
/// up to today's).
pub async fn progress(store: &Store, refdata: &RefData, year: i32, today: NaiveDate) -> Result<Progress, StoreError> {
    let from = year * 100 + 1;
    let to = if today.year() == year { month_code(today) } else { year * 100 + 12 };
    let city = jiujin_domain::region::CHONGQING;
    let mut districts: HashMap<i64, i64> = HashMap::new();
    let mut towns: HashMap<i64, i64> = HashMap::new();
    let mut industries: HashMap<i16, i64> = HashMap::new();
    for (level, map) in [(1i16, &mut districts), (2, &mut towns)] {
        let cells = flow_cells(store, level, city, from, to).await?;
        for c in cells {
            *map.entry(c.region).or_insert(0) += c.n;
            if level == 1 {
                *industries.entry(c.item).or_insert(0) += c.n;
            }
        }
    }
    let elapsed = year_elapsed(year, today);
    let groups = by_group(refdata, &districts, &towns)
        .into_iter()
        .map(|(number, n)| {
            let g = refdata.district_groups().iter().find(|g| g.number == number);
            let target = g.map_or(0, |g| g.annual_target);
            let label = g
                .map(|g| g.members.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>().join("、"))
                .unwrap_or_default();
            row(number, label, Standing::new(n, target, elapsed), elapsed)
        })
        .collect();
    let industries = refdata
        .annex2_rows()
        .iter()
        .map(|r| {
            let n = industries.get(&i16::from(r.number)).copied().unwrap_or(0);
            row(r.number, r.name.clone(), Standing::new(n, r.annual_target, elapsed), elapsed)
        })
        .collect();
    let done = districts.values().sum();
    let target = refdata.district_groups().iter().map(|g| g.annual_target).sum();
    Ok(Progress { year, done, target, expected_percent: (elapsed * 1000.0).round() / 10.0, groups, industries })
}

/// The near-home flow cells of `level` within `within` over months `[from, to]`,
/// summed over the months: (region, annex-2 row, n).
async fn flow_cells(
    store: &Store,
    level: i16,
    within: RegionCode,
    from: i32,
    to: i32,
) -> Result<Vec<Cell>, StoreError> {
    jiujin_store::monitoring::flow_sum(store, level, within, Measure::NearHomeNew, from, to).await
}

/// Today's month code and the default window of flows (the last 24 months).
pub fn default_window(today: NaiveDate) -> (i32, i32) {
    let to = month_code(today);
    (months_back(to, 24), to)
}

/// The year of a month code.
pub fn year_of(today: NaiveDate) -> i32 {
    today.year()
}

/// The monthly report (月报) staff send upward, as one workbook: by district the
/// month-end stock and the month's and the year's flows; by industry (annex 2) and by
/// district group (annex 1) the year's new near-home employment against the targets.
/// `yearly` reports the whole year of `month`'s year to its end instead (年报).
pub async fn report(
    store: &Store,
    refdata: &RefData,
    month: i32,
    yearly: bool,
    today: NaiveDate,
) -> Result<Vec<u8>, ReportError> {
    let year = month / 100;
    let month = if yearly { year * 100 + 12 } else { month };
    let city = jiujin_domain::region::CHONGQING;
    let status = by_child(store, refdata, city, Measure::Status, Some(month)).await?;
    let insurance = by_child(store, refdata, city, Measure::Insurance, Some(month)).await?;
    let sum = |cells: Vec<Cell>| -> HashMap<i64, i64> {
        let mut m = HashMap::new();
        for c in cells {
            *m.entry(c.region).or_insert(0) += c.n;
        }
        m
    };
    let from = if yearly { year * 100 + 1 } else { month };
    let mut flow_cols = Vec::new();
    for measure in [
        Measure::NearHomeNew,
        Measure::Returned,
        Measure::Departed,
        Measure::BecameUnemployed,
        Measure::NewUnemploymentRegistration,
    ] {
        let period = sum(jiujin_store::monitoring::flow_sum(store, 1, city, measure, from, month).await?);
        let ytd = sum(jiujin_store::monitoring::flow_sum(store, 1, city, measure, year * 100 + 1, month).await?);
        flow_cols.push((measure, period, ytd));
    }
    let period_label = if yearly { "本年" } else { "本月" };
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let title = if yearly { format!("{year} 年") } else { format!("{} 月", month_label(month)) };

    // 分区县
    let sheet = book.add_worksheet();
    sheet.set_name("分区县")?;
    sheet.write_with_format(
        0,
        0,
        format!(
            "重庆市农民工就业监测{}报（按户籍地，期末时点 {}）",
            if yearly { "年" } else { "月" },
            month_label(month)
        ),
        &bold,
    )?;
    let mut header: Vec<String> = vec!["区划代码".into(), "区县".into(), "人员底数".into()];
    header.extend(
        status.first().map(|r| r.counts.iter().map(|c| c.label.clone()).collect::<Vec<_>>()).unwrap_or_default(),
    );
    header.extend(
        insurance
            .first()
            .map(|r| r.counts.iter().map(|c| format!("参保：{}", c.label)).collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    for (m, _, _) in &flow_cols {
        header.push(format!("{}（{period_label}）", m.label()));
        if !yearly {
            header.push(format!("{}（本年累计）", m.label()));
        }
    }
    for (i, h) in header.iter().enumerate() {
        sheet.write_with_format(2, i as u16, h, &bold)?;
    }
    let mut totals = vec![0i64; header.len()];
    for (r, row) in status.iter().enumerate() {
        let code = RegionCode::parse(&row.region).map(|c| c.as_i64()).unwrap_or(0);
        let mut values: Vec<i64> = vec![row.total];
        values.extend(row.counts.iter().map(|c| c.n));
        if let Some(ins) = insurance.iter().find(|i| i.region == row.region) {
            values.extend(ins.counts.iter().map(|c| c.n));
        }
        for (_, period, ytd) in &flow_cols {
            values.push(period.get(&code).copied().unwrap_or(0));
            if !yearly {
                values.push(ytd.get(&code).copied().unwrap_or(0));
            }
        }
        let line = r as u32 + 3;
        sheet.write(line, 0, &row.region)?;
        sheet.write(line, 1, &row.name)?;
        for (k, v) in values.iter().enumerate() {
            sheet.write(line, k as u16 + 2, *v as f64)?;
            totals[k + 2] += v;
        }
    }
    let last = status.len() as u32 + 3;
    sheet.write_with_format(last, 1, "全市", &bold)?;
    for (k, v) in totals.iter().enumerate().skip(2) {
        sheet.write_with_format(last, k as u16, *v as f64, &bold)?;
    }
    sheet.autofit();

    // 分行业 and 区县组: the year's near-home employment against the annexes.
    let day = if yearly {
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today)
    } else {
        month_start(month)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .and_then(|d| d.pred_opt())
            .unwrap_or(today)
    };
    let p = progress(store, refdata, year, day).await?;
    for (name, rows, what) in [("分行业", &p.industries, "行业（附件2）"), ("区县组", &p.groups, "区县组（附件1）")]
    {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        sheet.write_with_format(
            0,
            0,
            format!("{title}新增就近就业（本年累计，截至 {day}）对照渝府办发〔2025〕18号年度目标"),
            &bold,
        )?;
        for (i, h) in
            ["序号", what, "本年累计", "年度目标", "完成率（%）", "时间进度（%）", "是否滞后"].iter().enumerate()
        {
            sheet.write_with_format(2, i as u16, *h, &bold)?;
        }
        for (r, g) in rows.iter().enumerate() {
            let line = r as u32 + 3;
            sheet.write(line, 0, f64::from(g.number))?;
            sheet.write(line, 1, &g.name)?;
            sheet.write(line, 2, g.done as f64)?;
            sheet.write(line, 3, g.target as f64)?;
            sheet.write(line, 4, g.percent)?;
            sheet.write(line, 5, g.expected_percent)?;
            sheet.write(line, 6, if g.lagging { "滞后" } else { "" })?;
        }
        let line = rows.len() as u32 + 3;
        sheet.write_with_format(line, 1, "合计", &bold)?;
        sheet.write_with_format(line, 2, rows.iter().map(|g| g.done).sum::<i64>() as f64, &bold)?;
        sheet.write_with_format(line, 3, rows.iter().map(|g| g.target).sum::<i64>() as f64, &bold)?;
        sheet.autofit();
    }
    Ok(book.save_to_buffer()?)
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("生成 Excel 失败：{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// What a month's 规模性失业风险 run found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RiskRun {
    pub month: String,
    pub districts: usize,
    pub at_risk: usize,
    pub counts: jiujin_store::risk::RiskRunCounts,
}

/// Why a risk run or a report could not be done.
#[derive(Debug, thiserror::Error)]
pub enum RiskError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Rules(String),
    #[error("{field}：{message}")]
    Field { field: &'static str, message: String },
}

/// The indicators of every district for `month` from the counters and the layoff
/// reports, graded by the thresholds in force at the month's start; the warnings
/// written (`jiujin_store::risk::apply_run`). Repeating a run changes nothing but
/// the figures.
pub async fn risk_run(
    store: &Store,
    refdata: &RefData,
    params: &[jiujin_domain::policy::Param],
    month: i32,
    today: NaiveDate,
    by: &jiujin_store::audit::Context,
) -> Result<RiskRun, RiskError> {
    use jiujin_domain::monitoring::risk::{assess, checklist, RiskInput, RiskRules};
    let on = month_start(month).ok_or_else(|| RiskError::Field { field: "month", message: "月份无效".into() })?;
    let rules = RiskRules::bind(params, on).map_err(RiskError::Rules)?;
    let city = jiujin_domain::region::CHONGQING;
    let last_year = month - 100;
    let by_region = |cells: Vec<Cell>| -> HashMap<i64, i64> {
        let mut m = HashMap::new();
        for c in cells {
            *m.entry(c.region).or_insert(0) += c.n;
        }
        m
    };
    let regs = by_region(
        jiujin_store::monitoring::flow_sum(store, 1, city, Measure::NewUnemploymentRegistration, month, month).await?,
    );
    let regs_before = by_region(
        jiujin_store::monitoring::flow_sum(store, 1, city, Measure::NewUnemploymentRegistration, last_year, last_year)
            .await?,
    );
    let returnees = by_region(stock(store, 1, city, Measure::ReturneeUnemployed, Some(month)).await?);
    let persons = by_region(stock(store, 1, city, Measure::Persons, Some(month)).await?);
    let layoffs = jiujin_store::risk::layoffs_by_district(store, month, rules.closure_min_workers).await?;
    let mut findings = Vec::new();
    for d in refdata.districts() {
        let code = d.as_i64();
        let (laid_off, closures) = layoffs.get(&code).copied().unwrap_or((0, 0));
        let input = RiskInput {
            layoffs: laid_off,
            closures,
            registrations: regs.get(&code).copied().unwrap_or(0),
            registrations_last_year: regs_before.get(&code).copied().unwrap_or(0),
            returnee_unemployed: returnees.get(&code).copied().unwrap_or(0),
            persons: persons.get(&code).copied().unwrap_or(0),
        };
        if let Some(a) = assess(&input, &rules) {
            findings.push(jiujin_store::risk::RiskFinding {
                district: code,
                level: a.level.code(),
                reasons: a.reasons.iter().map(|r| r.text.clone()).collect(),
                inputs: serde_json::to_value(&input).unwrap_or_default(),
                checklist: checklist(a.level).into_iter().map(str::to_string).collect(),
            });
        }
    }
    let counts = jiujin_store::risk::apply_run(store, month, today, &findings, by).await?;
    Ok(RiskRun { month: month_label(month), districts: refdata.districts().len(), at_risk: findings.len(), counts })
}

/// A layoff or closure report as staff enter it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct LayoffForm {
    pub region: String,
    pub employer_code: String,
    pub employer_name: String,
    pub reported_on: String,
    pub laid_off: String,
    pub staff: String,
    #[serde(default)]
    pub closing: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// Checks a report and records it; the region must lie in `range` (the caller's).
pub async fn report_layoff(
    store: &Store,
    refdata: &RefData,
    range: Option<(i64, i64)>,
    f: &LayoffForm,
    today: NaiveDate,
    by: &jiujin_store::audit::Context,
) -> Result<i64, RiskError> {
    let field = |field: &'static str, message: &str| RiskError::Field { field, message: message.to_string() };
    let region = RegionCode::parse(f.region.trim())
        .ok()
        .filter(|r| refdata.is_chongqing_division(*r) && r.district().is_some())
        .ok_or_else(|| field("所在地", "应为重庆市区县、乡镇（街道）或村（社区）的区划代码"))?;
    if range.is_some_and(|(lo, hi)| !(lo..=hi).contains(&region.as_i64())) {
        return Err(field("所在地", "不在本账号的辖区内"));
    }
    let (code, _) = jiujin_domain::identity::CreditCode::parse(f.employer_code.trim())
        .map_err(|e| field("统一社会信用代码", &e.to_string()))?;
    let name = f.employer_name.trim();
    if name.is_empty() {
        return Err(field("单位名称", "必填"));
    }
    let reported_on = NaiveDate::parse_from_str(f.reported_on.trim(), "%Y-%m-%d")
        .map_err(|_| field("报告日期", "应为日期，如 2026-11-03"))?;
    if reported_on > today {
        return Err(field("报告日期", "不能晚于今天"));
    }
    let int = |name: &'static str, t: &str| -> Result<i32, RiskError> {
        t.trim()
            .parse::<i32>()
            .ok()
            .filter(|n| (0..=1_000_000).contains(n))
            .ok_or_else(|| field(name, "应为0至1000000的整数"))
    };
    let laid_off = int("裁员人数", &f.laid_off)?;
    let staff = int("职工人数", &f.staff)?;
    if laid_off > staff {
        return Err(field("裁员人数", "不能多于职工人数"));
    }
    let closing = f.closing.as_deref().is_some_and(|v| !v.is_empty() && v != "0");
    if laid_off == 0 && !closing {
        return Err(field("裁员人数", "不关停并转时应大于0"));
    }
    let district = region.district().map_or(0, RegionCode::as_i64);
    let r = jiujin_store::risk::LayoffReport {
        id: 0,
        region: region.as_i64(),
        district,
        employer_code: code.as_str().to_string(),
        employer_name: name.to_string(),
        reported_on,
        month: month_code(reported_on),
        laid_off,
        staff,
        closing,
        note: f.note.trim().to_string(),
        created_by: by.actor.username.clone(),
    };
    Ok(jiujin_store::risk::add_layoff_report(store, &r, by).await?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn months_parse_and_count_back_across_years() {
        assert_eq!(parse_month("2026-02"), Some(202602));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("二月"), None);
        assert_eq!(month_label(202602), "2026-02");
        assert_eq!(months_back(202602, 1), 202602);
        assert_eq!(months_back(202602, 2), 202601);
        assert_eq!(months_back(202602, 3), 202512);
        assert_eq!(months_back(202612, 24), 202501);
    }
}

// --- the other targets -------------------------------------------------------------

/// A target other than new near-home employment (annexes 1 and 2), with its figure
/// computed from the records the system keeps, or none when it keeps none for it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OtherTarget {
    pub key: String,
    pub label: String,
    pub unit: String,
    /// The city's target (null below the city: the seeds set none by district).
    pub target: Option<i64>,
    /// 以上 / 左右 / 达到
    pub kind: String,
    /// The period counted, e.g. `2026年` or `2021—2025年`.
    pub period: String,
    /// The figure, or null when the system keeps no records for it (never typed in).
    pub done: Option<i64>,
    /// What is counted (口径).
    pub basis: String,
    /// The records behind the figure (`/monitoring/records?source=`), if it comes
    /// from records.
    pub source: Option<String>,
    /// The person-event measures behind it (`/monitoring/people?measure=`), if it
    /// comes from the counters.
    pub measures: Vec<i16>,
    pub percent: Option<f64>,
    pub expected_percent: Option<f64>,
    pub lagging: bool,
    pub document: String,
    pub article: String,
    /// First and last month of the period (`YYYY-MM`), for the drill-down links.
    pub from: String,
    pub to: String,
}

/// The targets near-home progress already shows (annexes 1 and 2).
const NEAR_HOME_KEYS: [&str; 5] =
    ["near_home_jobs", "services_jobs", "manufacturing_jobs", "construction_jobs", "agriculture_jobs"];

/// The year's other targets for `region` as of `today`: each counted from its
/// records (`jiujin_domain::monitoring::records`) or from the counters (农民工总数,
/// 净回流), against the city's target and the share of the period elapsed.
pub async fn other_targets(
    store: &Store,
    region: RegionCode,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<OtherTarget>, StoreError> {
    use jiujin_domain::monitoring::records::{elapsed, period, Source};
    use jiujin_domain::monitoring::targets::{self, Kind, Span};
    let all = targets::embedded().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let city = region == jiujin_domain::region::CHONGQING;
    let mut out = Vec::new();
    for t in targets::for_year(&all, year) {
        if NEAR_HOME_KEYS.contains(&t.key.as_str()) {
            continue;
        }
        let Some((from, until)) = period(t, year) else { continue };
        let last = until.pred_opt().unwrap_or(until);
        let (first_month, last_month) = (month_code(from), month_code(last));
        let source = Source::of_target(&t.key);
        let mut measures = Vec::new();
        let (done, basis, accumulates) = match (source, t.key.as_str()) {
            (Some(s), _) => (
                Some(jiujin_store::records::count(store, s, from, until, region).await?),
                s.basis().to_string(),
                s.accumulates(),
            ),
            (None, "plan_workers_total") => {
                measures.push(Measure::Persons.code());
                // At the end of the period's last month: now, while it runs.
                let n = match level_of(region) {
                    Some(level) => stock(store, level, region, Measure::Persons, Some(last_month))
                        .await?
                        .iter()
                        .filter(|c| c.region == region.as_i64())
                        .map(|c| c.n)
                        .sum(),
                    None => 0,
                };
                (Some(n), "期末在册人员底数（由人员事件计算）".to_string(), false)
            }
            (None, "plan_net_return") => {
                measures.extend([Measure::Returned.code(), Measure::Departed.code()]);
                let mut n = 0;
                if let Some(level) = level_of(region) {
                    for (m, sign) in [(Measure::Returned, 1), (Measure::Departed, -1)] {
                        let cells =
                            jiujin_store::monitoring::flow_sum(store, level, region, m, first_month, last_month)
                                .await?;
                        n += sign * cells.iter().filter(|c| c.region == region.as_i64()).map(|c| c.n).sum::<i64>();
                    }
                }
                (Some(n), "期间内返乡人次减外出务工人次（由人员事件计算）".to_string(), true)
            }
            (None, _) => (None, "本系统未登记此类记录，不计算（不可填报）".to_string(), true),
        };
        let share = if accumulates { elapsed(from, until, today) } else { 1.0 };
        let target = city.then_some(t.value);
        let (percent, expected_percent, lagging) = match (target, done) {
            (Some(v), Some(d)) if v > 0 => {
                let s = Standing::new(d, v, share);
                (
                    Some((s.rate * 1000.0).round() / 10.0),
                    Some((share * 1000.0).round() / 10.0),
                    s.lagging && t.kind == Kind::AtLeast,
                )
            }
            _ => (None, None, false),
        };
        out.push(OtherTarget {
            key: t.key.clone(),
            label: t.label.clone(),
            unit: t.unit.clone(),
            target,
            kind: t.kind.label().to_string(),
            period: match t.span {
                Span::Year => format!("{year}年"),
                Span::FiveYears => format!("{}—{year}年", year - 4),
            },
            done,
            basis,
            source: source.map(|s| s.key().to_string()),
            measures,
            percent,
            expected_percent,
            lagging,
            document: t.document.clone(),
            article: t.article.clone(),
            from: month_label(first_month),
            to: month_label(last_month),
        });
    }
    Ok(out)
}

/// The first day of month `code` and of the month after it.
pub fn month_span(code: i32) -> (NaiveDate, NaiveDate) {
    let next = if code % 100 == 12 { (code / 100 + 1) * 100 + 1 } else { code + 1 };
    let first = month_start(code).unwrap_or(NaiveDate::MIN);
    (first, month_start(next).unwrap_or(first))
}

/// One figure of the other capabilities on the dashboard (matches and hires, payouts,
/// wage warnings) for a month, from their records.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Activity {
    /// The records' source (`/monitoring/records?source=`).
    pub source: String,
    pub label: String,
    pub n: i64,
    /// What is counted (口径).
    pub basis: String,
    /// `YYYY-MM`
    pub month: String,
}

/// The month's matches, hires, approved payouts and open wage warnings in `region`
/// (this month when `month` is none).
pub async fn activity(
    store: &Store,
    region: RegionCode,
    month: Option<i32>,
    today: NaiveDate,
) -> Result<Vec<Activity>, StoreError> {
    use jiujin_domain::monitoring::records::Source;
    let code = month.unwrap_or_else(|| month_code(today));
    let (from, until) = month_span(code);
    let mut out = Vec::with_capacity(Source::ACTIVITY.len());
    for s in Source::ACTIVITY {
        out.push(Activity {
            source: s.key().to_string(),
            label: s.label().to_string(),
            n: jiujin_store::records::count(store, s, from, until, region).await?,
            basis: s.basis().to_string(),
            month: month_label(code),
        });
    }
    Ok(out)
}
