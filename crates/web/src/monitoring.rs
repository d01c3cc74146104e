//! 监测 (SPEC §8): `/monitoring` the dashboard of the city, a district or a town —
//! a map of the 38 districts coloured by a chosen indicator (ECharts, polygons from
//! the reference data; a click opens the district's page), the status mix and
//! insurance by the regions under it, its monthly flows (the 春节 return and the
//! spring departure), its 四清 and the progress of new near-home employment against
//! seed 001's annexes; `/monitoring/export` every chart's data as one workbook. The
//! JSON API (`/api/v1/monitoring/…`) answers the same from the counters kept with the
//! events. Staff of HR bureaus see their own region and what lies under it; a region
//! outside it, and every other role, gets 404.

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use jiujin_app::monitoring::{self as m, FlowMonth, FourClears, Progress, RegionCounts};
use jiujin_domain::access::Role;
use jiujin_domain::monitoring::tally::Measure;
use jiujin_domain::region::CHONGQING;
use jiujin_domain::{RegionCode, RegionLevel};
use jiujin_store::Scope;
use minijinja::context;
use serde::Deserialize;

use crate::audit::Client;
use crate::auth::{render, CurrentUser};
use crate::extract::Query;
use crate::jobs::today;
use crate::{AppState, WebError};

/// The roles that read the dashboards.
pub(crate) fn reads(role: Role) -> bool {
    matches!(role, Role::CityStaff | Role::DistrictStaff | Role::TownStaff | Role::Admin)
}

/// The caller's home region (the city for city staff).
fn home(user: &CurrentUser) -> Result<RegionCode, WebError> {
    if !reads(user.account.role) {
        return Err(WebError::NotFound);
    }
    match user.scope() {
        Scope::City => Ok(CHONGQING),
        Scope::Region(r) => Ok(r),
        Scope::Person(_) | Scope::Nothing => Err(WebError::NotFound),
    }
}

/// The region asked for (default: home): a Chongqing division down to the town,
/// inside the caller's region (404 otherwise, so that nothing is revealed).
fn region(state: &AppState, user: &CurrentUser, asked: Option<&str>) -> Result<RegionCode, WebError> {
    let home = home(user)?;
    let Some(text) = asked.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(home) };
    let r = RegionCode::parse(text).map_err(|_| WebError::Invalid {
        field: "region".into(),
        message: "region 应为重庆市区县或乡镇街道的区划代码（如 500101）".into(),
    })?;
    let known = r == CHONGQING || state.refdata.is_chongqing_division(r);
    if !known || r.level() == RegionLevel::Village {
        return Err(WebError::Invalid {
            field: "region".into(),
            message: "region 应为重庆市区县或乡镇街道的区划代码（如 500101）".into(),
        });
    }
    if !home.contains(r) {
        return Err(WebError::NotFound);
    }
    Ok(r)
}

fn month(text: Option<&str>, field: &str) -> Result<Option<i32>, WebError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => m::parse_month(t)
            .map(Some)
            .ok_or_else(|| WebError::Invalid {
                field: field.into(), message: format!("{field} 应为年月，如 2026-02")
            }),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockQuery {
    /// 区划代码：全市 500000，区县 6 位，乡镇街道 9 位；默认本账号辖区
    #[serde(default)]
    pub region: Option<String>,
    /// 月末时点（YYYY-MM）；不填为当前
    #[serde(default)]
    pub month: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlowQuery {
    /// 区划代码：全市 500000，区县 6 位，乡镇街道 9 位；默认本账号辖区
    #[serde(default)]
    pub region: Option<String>,
    /// 起始月（YYYY-MM），默认截至月前 23 个月
    #[serde(default)]
    pub from: Option<String>,
    /// 截至月（YYYY-MM），默认本月
    #[serde(default)]
    pub to: Option<String>,
}

/// The regions under a region with one measure's counts.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ByRegionView {
    pub region: String,
    pub name: String,
    /// `YYYY-MM`, or null for now.
    pub month: Option<String>,
    pub items: Vec<RegionCounts>,
}

async fn by_region(
    state: &AppState,
    user: &CurrentUser,
    q: &StockQuery,
    measure: Measure,
) -> Result<ByRegionView, WebError> {
    let r = region(state, user, q.region.as_deref())?;
    let mo = month(q.month.as_deref(), "month")?;
    let items = m::by_child(&state.store, state.refdata, r, measure, mo).await?;
    Ok(ByRegionView { region: r.short(), name: place(state, r), month: mo.map(m::month_label), items })
}

fn place(state: &AppState, r: RegionCode) -> String {
    if r == CHONGQING {
        "重庆市".into()
    } else {
        state.refdata.region_path(r)
    }
}

/// Status mix by the regions under a region.
#[utoipa::path(
    get,
    path = "/api/v1/monitoring/status",
    summary = "就业状态分布（按下级区划）",
    description = "辖区下一级区划（全市→区县，区县→乡镇街道）按户籍地统计的就业状态人数，当前或某月末时点。数据取自与人员事件同一事务维护的汇总，等于全量重算（`jiujin monitoring verify`）。仅人社经办角色可用；辖区外的区划和其他角色答 404。",
    tag = "监测",
    params(StockQuery),
    responses(
        (status = 200, description = "各下级区划的就业状态人数", body = ByRegionView),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "本账号无权查看", body = crate::error::ErrorBody),
        (status = 422, description = "参数格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_status(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<StockQuery>,
) -> Result<axum::Json<ByRegionView>, WebError> {
    Ok(axum::Json(by_region(&state, &user, &q, Measure::Status).await?))
}

/// Insurance by the regions under a region.
#[utoipa::path(
    get,
    path = "/api/v1/monitoring/insurance",
    summary = "参保情况（按下级区划）",
    description = "辖区下一级区划按户籍地统计的参保人数（养老、医疗、工伤、失业，及未参保），当前或某月末时点。",
    tag = "监测",
    params(StockQuery),
    responses(
        (status = 200, description = "各下级区划的参保人数", body = ByRegionView),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "本账号无权查看", body = crate::error::ErrorBody),
        (status = 422, description = "参数格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_insurance(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<StockQuery>,
) -> Result<axum::Json<ByRegionView>, WebError> {
    Ok(axum::Json(by_region(&state, &user, &q, Measure::Insurance).await?))
}

/// A region's flows month by month.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FlowsView {
    pub region: String,
    pub name: String,
    pub months: Vec<FlowMonth>,
}

async fn flows_of(state: &AppState, user: &CurrentUser, q: &FlowQuery) -> Result<FlowsView, WebError> {
    let r = region(state, user, q.region.as_deref())?;
    let to = month(q.to.as_deref(), "to")?.unwrap_or_else(|| m::default_window(today()).1);
    let from = month(q.from.as_deref(), "from")?.unwrap_or_else(|| m::months_back(to, 24));
    if from > to || m::months_back(to, 121) > from {
        return Err(WebError::Invalid {
            field: "from".into(),
            message: "from 应不晚于 to，且跨度不超过 120 个月".into(),
        });
    }
    let months = m::flows(&state.store, r, from, to).await?;
    Ok(FlowsView { region: r.short(), name: place(state, r), months })
}

/// Monthly flows of a region.
#[utoipa::path(
    get,
    path = "/api/v1/monitoring/flows",
    summary = "月度流动",
    description = "辖区按户籍地统计的逐月流动：返乡（由市外就业转为其他状态）、外出务工、新增就近就业（在户籍区县内就业，按人员事件的转变计）、新增失业、新增登记失业、新登记入库。",
    tag = "监测",
    params(FlowQuery),
    responses(
        (status = 200, description = "逐月流动", body = FlowsView),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "本账号无权查看", body = crate::error::ErrorBody),
        (status = 422, description = "参数格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_flows(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<FlowQuery>,
) -> Result<axum::Json<FlowsView>, WebError> {
    Ok(axum::Json(flows_of(&state, &user, &q).await?))
}

/// 四清 of a region.
#[utoipa::path(
    get,
    path = "/api/v1/monitoring/four-clears",
    summary = "四清",
    description = "辖区（全市、区县或乡镇街道）在某月末或当前的人员底数（按人员类别）、就业情况（就业状态、就业地点、登记失业）、参保情况和服务需求（未结的需求）。",
    tag = "监测",
    params(StockQuery),
    responses(
        (status = 200, description = "四清", body = FourClears),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "本账号无权查看", body = crate::error::ErrorBody),
        (status = 422, description = "参数格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_four_clears(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<StockQuery>,
) -> Result<axum::Json<FourClears>, WebError> {
    let r = region(&state, &user, q.region.as_deref())?;
    let mo = month(q.month.as_deref(), "month")?;
    Ok(axum::Json(m::four_clears(&state.store, state.refdata, r, mo).await?))
}

/// The progress rows a caller may see: all of them for the city; for a district or
/// town the district group it belongs to.
fn visible_progress(state: &AppState, home: RegionCode, mut p: Progress) -> Progress {
    if home == CHONGQING {
        return p;
    }
    let district = home.district();
    let zones: Vec<&str> = state
        .refdata
        .functional_zones()
        .iter()
        .filter(|z| z.towns.iter().any(|t| home.contains(*t) || t.contains(home)))
        .map(|z| z.id.as_str())
        .collect();
    let mine: Vec<u8> = state
        .refdata
        .district_groups()
        .iter()
        .filter(|g| {
            g.members.iter().any(|(mem, _)| match mem {
                jiujin_domain::refdata::GroupMember::District(d) => Some(*d) == district,
                jiujin_domain::refdata::GroupMember::Zone(z) => zones.contains(&z.as_str()),
            })
        })
        .map(|g| g.number)
        .collect();
    p.groups.retain(|g| mine.contains(&g.number));
    p.industries.clear();
    p.done = p.groups.iter().map(|g| g.done).sum();
    p.target = p.groups.iter().map(|g| g.target).sum();
    p
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// 年度，默认今年
    #[serde(default)]
    pub year: Option<i32>,
}

/// Progress of new near-home employment against seed 001's annexes.
#[utoipa::path(
    get,
    path = "/api/v1/monitoring/progress",
    summary = "新增就近就业目标进度",
    description = "某年新增就近就业（由人员事件计算，不可填报）对照渝府办发〔2025〕18号附件1（17个区县组）和附件2（12个行业）的年度目标，并给出时间进度和滞后标记。区县、乡镇账号只看到本区县所在组。",
    tag = "监测",
    params(ProgressQuery),
    responses(
        (status = 200, description = "目标进度", body = Progress),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "本账号无权查看", body = crate::error::ErrorBody),
        (status = 422, description = "参数格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_progress(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<ProgressQuery>,
) -> Result<axum::Json<Progress>, WebError> {
    let home = home(&user)?;
    let day = today();
    let year = q.year.unwrap_or_else(|| m::year_of(day));
    if !(2000..=2100).contains(&year) {
        return Err(WebError::Invalid { field: "year".into(), message: "year 应为 2000 至 2100 的年份".into() });
    }
    let p = m::progress(&state.store, state.refdata, year, day).await?;
    Ok(axum::Json(visible_progress(&state, home, p)))
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub month: Option<String>,
}

/// Everything the dashboard shows of one region.
struct Dashboard {
    region: RegionCode,
    status: ByRegionView,
    insurance: ByRegionView,
    flows: FlowsView,
    four: FourClears,
    progress: Progress,
}

async fn dashboard(state: &AppState, user: &CurrentUser, q: &PageQuery) -> Result<Dashboard, WebError> {
    let sq = StockQuery { region: q.region.clone(), month: q.month.clone() };
    let r = region(state, user, sq.region.as_deref())?;
    let status = by_region(state, user, &sq, Measure::Status).await?;
    let insurance = by_region(state, user, &sq, Measure::Insurance).await?;
    let to = month(q.month.as_deref(), "month")?;
    let fq = FlowQuery { region: sq.region.clone(), from: None, to: to.map(m::month_label) };
    let flows = flows_of(state, user, &fq).await?;
    let four = m::four_clears(&state.store, state.refdata, r, to).await?;
    let day = today();
    let year = to.map_or_else(|| m::year_of(day), |t| t / 100);
    let p = m::progress(&state.store, state.refdata, year, day).await?;
    let progress = visible_progress(state, r, p);
    Ok(Dashboard { region: r, status, insurance, flows, four, progress })
}

/// `GET /monitoring`
pub async fn page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, WebError> {
    let d = dashboard(&state, &user, &q).await?;
    let home = home(&user)?;
    // The path from the caller's home down to this region, for the breadcrumb.
    let mut trail = Vec::new();
    let mut cur = Some(d.region);
    while let Some(c) = cur {
        if !home.contains(c) {
            break;
        }
        trail.push(
            context! { code => c.short(), name => place(&state, c).rsplit(' ').next().unwrap_or("").to_string() },
        );
        cur = if c == CHONGQING { None } else { c.parent() };
    }
    trail.reverse();
    let map = map_data(&state, home).await?;
    let data = serde_json::json!({
        "map": map,
        "region": d.region.short(),
        "level": d.region.level().code(),
        "status": d.status,
        "insurance": d.insurance,
        "flows": d.flows,
        "four": d.four,
        "progress": d.progress,
    });
    // A JSON data block, not a script: the page's CSP allows no inline script.
    let json = serde_json::to_string(&data).unwrap_or_default().replace('<', "\\u003c");
    render(
        &state,
        &user,
        "monitoring.html",
        context! {
            title => "监测",
            section => "monitoring",
            name => place(&state, d.region),
            region => d.region.short(),
            month => q.month.clone().unwrap_or_default(),
            city => d.region == CHONGQING,
            trail,
            four => d.four,
            status => d.status,
            insurance => d.insurance,
            flows => d.flows,
            progress => d.progress,
            data => json,
        },
    )
}

/// The map's figures for every district the caller may see (now): others are left
/// out and show grey.
async fn map_data(state: &AppState, home: RegionCode) -> Result<Vec<serde_json::Value>, WebError> {
    let status = m::by_child(&state.store, state.refdata, CHONGQING, Measure::Status, None).await?;
    let insurance = m::by_child(&state.store, state.refdata, CHONGQING, Measure::Insurance, None).await?;
    let count = |r: &RegionCounts, key: &str| r.counts.iter().find(|c| c.key == key).map_or(0, |c| c.n);
    Ok(status
        .iter()
        .filter(|r| RegionCode::parse(&r.region).is_ok_and(|c| home.contains(c) || c.contains(home)))
        .map(|r| {
            let none = insurance.iter().find(|i| i.region == r.region).map_or(0, |i| count(i, "none"));
            serde_json::json!({
                "code": r.region, "name": r.name, "persons": r.total,
                "local": count(r, "local"), "outside": count(r, "outside"),
                "unemployed": count(r, "unemployed"), "insured_none": none,
            })
        })
        .collect())
}

/// `GET /monitoring/export`: every chart's data of the page as one workbook, audited.
pub async fn export(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let d = dashboard(&state, &user, &q).await?;
    let (bytes, rows) = workbook(&d).map_err(|e| WebError::Internal(format!("生成 Excel 失败：{e}")))?;
    crate::lists::audited_xlsx(&state, &user, &client, &format!("monitoring-{}", d.region.short()), rows, bytes).await
}

fn workbook(d: &Dashboard) -> Result<(Vec<u8>, usize), rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let mut rows = 0;
    let mut sheet = |name: &str, header: Vec<String>, body: Vec<Vec<serde_json::Value>>| {
        let s = book.add_worksheet();
        s.set_name(name)?;
        for (i, h) in header.iter().enumerate() {
            s.write_with_format(0, i as u16, h, &bold)?;
        }
        for (r, row) in body.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                match v {
                    serde_json::Value::Number(n) => s.write(r as u32 + 1, c as u16, n.as_f64().unwrap_or(0.0))?,
                    other => s.write(r as u32 + 1, c as u16, other.as_str().unwrap_or(""))?,
                };
            }
        }
        rows += body.len();
        s.autofit();
        Ok::<(), rust_xlsxwriter::XlsxError>(())
    };
    for (name, view) in [("就业状态", &d.status), ("参保情况", &d.insurance)] {
        let mut header = vec!["区划代码".to_string(), "名称".into(), "人员底数".into()];
        header.extend(
            view.items
                .first()
                .map(|i| i.counts.iter().map(|c| c.label.clone()).collect::<Vec<_>>())
                .unwrap_or_default(),
        );
        let body = view
            .items
            .iter()
            .map(|i| {
                let mut row = vec![i.region.clone().into(), i.name.clone().into(), i.total.into()];
                row.extend(i.counts.iter().map(|c| c.n.into()));
                row
            })
            .collect();
        sheet(name, header, body)?;
    }
    let header = ["月份", "返乡", "外出务工", "新增就近就业", "新增失业", "新增登记失业", "新登记入库"];
    let body = d
        .flows
        .months
        .iter()
        .map(|f| {
            vec![
                f.month.clone().into(),
                f.returned.into(),
                f.departed.into(),
                f.near_home_new.into(),
                f.became_unemployed.into(),
                f.new_registrations.into(),
                f.registered.into(),
            ]
        })
        .collect();
    sheet("月度流动", header.iter().map(|h| h.to_string()).collect(), body)?;
    let f = &d.four;
    let mut body: Vec<Vec<serde_json::Value>> = vec![vec!["人员底数清".into(), "人员底数".into(), f.persons.into()]];
    for (group, list) in [
        ("人员底数清", &f.groups),
        ("就业情况清", &f.status),
        ("就业情况清", &f.workplace),
        ("参保情况清", &f.insurance),
        ("服务需求清", &f.needs),
    ] {
        body.extend(list.iter().map(|c| vec![group.into(), c.label.clone().into(), c.n.into()]));
    }
    body.push(vec!["就业情况清".into(), "登记失业人员".into(), f.registered_unemployed.into()]);
    sheet("四清", vec!["类别".into(), "项目".into(), "人数".into()], body)?;
    let header = ["类别", "序号", "名称", "完成", "年度目标", "完成率（%）", "时间进度（%）", "是否滞后"];
    let body = d
        .progress
        .groups
        .iter()
        .map(|g| ("区县组", g))
        .chain(d.progress.industries.iter().map(|g| ("行业", g)))
        .map(|(k, g)| {
            vec![
                k.into(),
                i64::from(g.number).into(),
                g.name.clone().into(),
                g.done.into(),
                g.target.into(),
                g.percent.into(),
                g.expected_percent.into(),
                if g.lagging { "滞后" } else { "" }.into(),
            ]
        })
        .collect();
    sheet("目标进度", header.iter().map(|h| h.to_string()).collect(), body)?;
    Ok((book.save_to_buffer()?, rows))
}

/// `GET /static/monitoring.js`
pub async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("assets/monitoring.js"))
}

/// `GET /static/vendor/echarts.min.js`
pub async fn echarts() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "max-age=86400")],
        include_str!("assets/vendor/echarts.min.js"),
    )
}

/// `GET /static/geo/chongqing.json`: the districts' polygons (GeoJSON).
pub async fn geo() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "max-age=86400")],
        include_str!("../../../data/regions/district_geo.json"),
    )
}

// --- 规模性失业风险 ---------------------------------------------------------------

fn range_of(user: &CurrentUser) -> Result<Option<(i64, i64)>, WebError> {
    let home = home(user)?;
    Ok((home != CHONGQING).then(|| home.subtree_range()))
}

fn district_name(state: &AppState, code: i64) -> String {
    RegionCode::from_i64(code).and_then(|r| state.refdata.region(r)).map(|r| r.name.clone()).unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
pub struct RiskQuery {
    #[serde(default)]
    pub month: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub saved: Option<String>,
}

/// `GET /monitoring/risk`: the warnings of the caller's region and a month's layoff
/// reports, with the form to record one.
pub async fn risk_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<RiskQuery>,
) -> Result<Html<String>, WebError> {
    let range = range_of(&user)?;
    let day = today();
    let month =
        month(q.month.as_deref(), "month")?.unwrap_or_else(|| jiujin_domain::monitoring::tally::month_code(day));
    let list: Vec<_> = jiujin_store::risk::warnings(&state.store, range)
        .await?
        .into_iter()
        .map(|w| {
            let level = jiujin_domain::monitoring::risk::Level::from_code(w.level);
            context! {
                id => w.id, district => district_name(&state, w.district), month => m::month_label(w.month),
                level => level.map_or("", |l| l.label()), level_key => level.map_or("", |l| l.key()),
                reasons => w.reasons, state => w.state.label(),
                done => w.checklist.iter().filter(|c| c.done).count(), items => w.checklist.len(),
            }
        })
        .collect();
    let reports = jiujin_store::risk::layoff_reports(&state.store, range, month).await?;
    let reports: Vec<_> = reports
        .iter()
        .map(|r| {
            context! { name => r.employer_name.clone(), code => r.employer_code.clone(),
            place => RegionCode::from_i64(r.region).map(|c| state.refdata.region_path(c)).unwrap_or_default(),
            on => r.reported_on.to_string(), laid_off => r.laid_off, staff => r.staff, closing => r.closing,
            note => r.note.clone() }
        })
        .collect();
    render(
        &state,
        &user,
        "monitoring_risk.html",
        context! {
            title => "规模性失业风险", section => "monitoring", warnings => list, reports,
            month => m::month_label(month), today => day.to_string(), home => crate::lists::home(&user),
            error => q.error, saved => q.saved.is_some(),
        },
    )
}

/// `POST /monitoring/risk/layoffs`: a layoff or closure report.
pub async fn layoff_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    axum::Form(f): axum::Form<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.check_form_token(f.get("csrf").map_or("", String::as_str))?;
    let range = range_of(&user)?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let form = m::LayoffForm {
        region: get("region"),
        employer_code: get("employer_code"),
        employer_name: get("employer_name"),
        reported_on: get("reported_on"),
        laid_off: get("laid_off"),
        staff: get("staff"),
        closing: f.get("closing").cloned(),
        note: get("note"),
    };
    let by = crate::audit::context_for(&user, &client);
    match m::report_layoff(&state.store, state.refdata, range, &form, today(), &by).await {
        Ok(_) => Ok(axum::response::Redirect::to("/monitoring/risk?saved=1").into_response()),
        Err(m::RiskError::Store(e)) => Err(e.into()),
        Err(e) => Ok(crate::lists::back("/monitoring/risk", &e.to_string())),
    }
}

/// `GET /monitoring/risk/{id}`
pub async fn risk_warning_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    crate::extract::Path(id): crate::extract::Path<i64>,
    Query(q): Query<RiskQuery>,
) -> Result<Html<String>, WebError> {
    let range = range_of(&user)?;
    let w = jiujin_store::risk::warning(&state.store, range, id).await?.ok_or(WebError::NotFound)?;
    let level = jiujin_domain::monitoring::risk::Level::from_code(w.level);
    let items: Vec<_> = w
        .checklist
        .iter()
        .enumerate()
        .map(|(i, c)| {
            context! { index => i, item => c.item.clone(), done => c.done, note => c.note.clone(), by => c.by.clone(),
            on => c.on.map(|d| d.to_string()).unwrap_or_default() }
        })
        .collect();
    render(
        &state,
        &user,
        "monitoring_risk_warning.html",
        context! {
            title => "规模性失业风险预警", section => "monitoring", id => w.id,
            district => district_name(&state, w.district), month => m::month_label(w.month),
            level => level.map_or("", |l| l.label()), level_key => level.map_or("", |l| l.key()),
            reasons => w.reasons, state => w.state.label(), closed => w.state == jiujin_store::risk::RiskState::Closed,
            closed_note => w.closed_note, raised_on => w.raised_on.to_string(), items,
            error => q.error, saved => q.saved.is_some(),
        },
    )
}

/// `POST /monitoring/risk/{id}/{done|close}`
pub async fn risk_step(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    crate::extract::Path((id, what)): crate::extract::Path<(i64, String)>,
    axum::Form(f): axum::Form<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.check_form_token(f.get("csrf").map_or("", String::as_str))?;
    let range = range_of(&user)?;
    let note = f.get("note").cloned().unwrap_or_default();
    let step = match what.as_str() {
        "done" => {
            let item = f
                .get("item")
                .and_then(|i| i.parse::<usize>().ok())
                .ok_or(WebError::Invalid { field: "item".into(), message: "缺少响应措施序号".into() })?;
            jiujin_store::risk::RiskStep::Done { item, note }
        }
        "close" => jiujin_store::risk::RiskStep::Close { note },
        _ => return Err(WebError::NotFound),
    };
    let to = format!("/monitoring/risk/{id}");
    let by = crate::audit::context_for(&user, &client);
    match jiujin_store::risk::step(&state.store, range, id, &step, today(), &by).await? {
        None => Err(WebError::NotFound),
        Some(Ok(())) => Ok(axum::response::Redirect::to(&format!("{to}?saved=1")).into_response()),
        Some(Err(e)) => Ok(crate::lists::back(&to, &e.to_string())),
    }
}
