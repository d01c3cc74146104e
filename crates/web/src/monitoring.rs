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
use chrono::Datelike as _;
use jiujin_app::monitoring::{self as m, FlowMonth, FourClears, Progress, RegionCounts};
use jiujin_domain::access::Role;
use jiujin_domain::audit::AuditAction;
use jiujin_domain::monitoring::tally::Measure;
use jiujin_domain::region::CHONGQING;
use jiujin_domain::{RegionCode, RegionLevel};
use jiujin_store::Scope;
use minijinja::context;
use serde::Deserialize;

use crate::audit::{record, Client};
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
    Ok(axum::Json(m::four_clears(&state.store, state.refdata, r, mo, today()).await?))
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
    others: Vec<m::OtherTarget>,
    activity: Vec<m::Activity>,
}

async fn dashboard(state: &AppState, user: &CurrentUser, q: &PageQuery) -> Result<Dashboard, WebError> {
    let sq = StockQuery { region: q.region.clone(), month: q.month.clone() };
    let r = region(state, user, sq.region.as_deref())?;
    let status = by_region(state, user, &sq, Measure::Status).await?;
    let insurance = by_region(state, user, &sq, Measure::Insurance).await?;
    let to = month(q.month.as_deref(), "month")?;
    let fq = FlowQuery { region: sq.region.clone(), from: None, to: to.map(m::month_label) };
    let flows = flows_of(state, user, &fq).await?;
    let four = m::four_clears(&state.store, state.refdata, r, to, today()).await?;
    let day = today();
    let year = to.map_or_else(|| m::year_of(day), |t| t / 100);
    let p = m::progress(&state.store, state.refdata, year, day).await?;
    let progress = visible_progress(state, r, p);
    let others = m::other_targets(&state.store, r, year, day).await?;
    let activity = m::activity(&state.store, r, to, day).await?;
    Ok(Dashboard { region: r, status, insurance, flows, four, progress, others, activity })
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
            home_city => home == CHONGQING,
            trail,
            four => d.four,
            status => d.status,
            insurance => d.insurance,
            flows => d.flows,
            progress => d.progress,
            others => d.others,
            activity => d.activity,
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
    body.push(vec!["服务需求清".into(), format!("{} 已服务人数", f.served_month).into(), f.served.into()]);
    body.extend(
        d.activity.iter().map(|a| vec!["业务成效".into(), format!("{} {}", a.month, a.label).into(), a.n.into()]),
    );
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
    let header = ["指标", "期间", "完成", "目标", "单位", "完成率（%）", "时间进度（%）", "是否滞后", "口径", "依据"];
    let opt = |v: Option<i64>| v.map_or(serde_json::Value::from(""), serde_json::Value::from);
    let optf = |v: Option<f64>| v.map_or(serde_json::Value::from(""), serde_json::Value::from);
    let body = d
        .others
        .iter()
        .map(|t| {
            vec![
                t.label.clone().into(),
                t.period.clone().into(),
                opt(t.done),
                opt(t.target),
                t.unit.clone().into(),
                optf(t.percent),
                optf(t.expected_percent),
                if t.lagging { "滞后" } else { "" }.into(),
                t.basis.clone().into(),
                format!("{} {}", t.document, t.article).into(),
            ]
        })
        .collect();
    sheet("其他目标", header.iter().map(|h| h.to_string()).collect(), body)?;
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

// --- the people behind a figure ----------------------------------------------------

/// People listed per page of a drill-down.
const PEOPLE_PER_PAGE: usize = 50;
/// Persons whose timelines one page may read (a rare figure in a large region takes
/// several pages; each says how far it has read).
const PEOPLE_BUDGET: u64 = 20_000;

#[derive(Debug, Default, Deserialize)]
pub struct PeopleQuery {
    /// A region (default: home).
    #[serde(default)]
    pub region: Option<String>,
    /// Annex 1's district group, instead of a region.
    #[serde(default)]
    pub group: Option<String>,
    /// The measure's code (`Measure::code`).
    #[serde(default)]
    pub measure: Option<String>,
    /// One item of the measure (all when absent).
    #[serde(default)]
    pub item: Option<String>,
    /// A stock at the end of this month (now when absent).
    #[serde(default)]
    pub month: Option<String>,
    /// A flow over these months (default: this month).
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// Where the previous page stopped: `hukou.id`.
    #[serde(default)]
    pub after: Option<String>,
}

fn invalid(field: &str, message: impl Into<String>) -> WebError {
    WebError::Invalid { field: field.into(), message: message.into() }
}

fn number<T: std::str::FromStr>(text: Option<&str>, field: &str, what: &str) -> Result<Option<T>, WebError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| invalid(field, format!("{field} 应为{what}"))),
    }
}

/// The label of an item of `measure` (the annex-2 row for new near-home jobs).
fn item_label(state: &AppState, measure: Measure, item: i16) -> Option<String> {
    if measure == Measure::NearHomeNew {
        if item == 0 {
            return Some("未对应附件2行业".into());
        }
        return state.refdata.annex2_rows().iter().find(|r| i16::from(r.number) == item).map(|r| r.name.clone());
    }
    m::items(measure).into_iter().find(|(i, ..)| *i == item).map(|(_, _, label)| label)
}

/// `GET /monitoring/people`: the people behind one figure of the dashboard — a stock
/// (now or at a month's end) or a flow over months, of a region or of annex 1's
/// district group — each timeline folded alone through the counters' own tally, so
/// the list is the figure's exactly. Recorded as a search of the registry.
pub async fn people_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<PeopleQuery>,
) -> Result<Html<String>, WebError> {
    use jiujin_domain::monitoring::figure::{group_parts, Figure, Months};
    let home = home(&user)?;
    let measure = number::<i16>(q.measure.as_deref(), "measure", "监测指标代码")?
        .and_then(Measure::from_code)
        .ok_or_else(|| invalid("measure", "measure 应为监测指标代码"))?;
    let item = number::<i16>(q.item.as_deref(), "item", "指标项目代码")?;
    let item_name = match item {
        None => None,
        Some(i) => Some(item_label(&state, measure, i).ok_or_else(|| invalid("item", "item 不是该指标的项目"))?),
    };
    let months = if measure.is_stock() {
        month(q.month.as_deref(), "month")?.map_or(Months::Now, Months::EndOf)
    } else {
        let to = month(q.to.as_deref(), "to")?.unwrap_or_else(|| m::default_window(today()).1);
        let from = month(q.from.as_deref(), "from")?.unwrap_or(to);
        Months::Window(from, to)
    };
    let (parts, where_, back) = match number::<u8>(q.group.as_deref(), "group", "附件1的区县组序号（1–17）")?
    {
        Some(n) => {
            let parts =
                group_parts(state.refdata, n).ok_or_else(|| invalid("group", "group 应为附件1的区县组序号（1–17）"))?;
            // A group's list is for those who see all of it.
            if !parts.iter().filter(|(_, s)| *s > 0).all(|(r, _)| home.contains(*r)) {
                return Err(WebError::NotFound);
            }
            let members = state
                .refdata
                .district_groups()
                .iter()
                .find(|g| g.number == n)
                .map(|g| g.members.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>().join("、"))
                .unwrap_or_default();
            (parts, format!("附件1第{n}组（{members}）"), "/monitoring".to_string())
        }
        None => {
            let r = region(&state, &user, q.region.as_deref())?;
            (vec![(r, 1)], place(&state, r), format!("/monitoring?region={}", r.short()))
        }
    };
    let figure = Figure::new(parts, measure, item, months).map_err(|e| invalid("month", e.to_string()))?;
    let after = match q.after.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(
            t.split_once('.')
                .and_then(|(h, i)| Some((h.parse::<i64>().ok()?, i.parse::<i64>().ok()?)))
                .ok_or_else(|| invalid("after", "after 应为上一页给出的位置"))?,
        ),
    };
    let scope = user.scope();
    let total = jiujin_store::monitoring::figure_total(&state.store, &figure).await?;
    let page =
        jiujin_store::monitoring::people(&state.store, scope, &figure, after, PEOPLE_PER_PAGE, PEOPLE_BUDGET).await?;
    let ids: Vec<i64> = page.rows.iter().map(|(id, _)| *id).collect();
    let persons = jiujin_store::registry::persons_by_ids(&state.store, scope, &ids).await?;
    let rows: Vec<minijinja::Value> = page
        .rows
        .iter()
        .filter_map(|(id, n)| {
            persons
                .iter()
                .find(|p| p.id == *id)
                .map(|p| context! { person => crate::registry::PersonView::new(&state, p), n => *n })
        })
        .collect();
    let when = match months {
        Months::Now => "当前".to_string(),
        Months::EndOf(mo) => format!("{} 月末", m::month_label(mo)),
        Months::Window(a, b) if a == b => m::month_label(a),
        Months::Window(a, b) => format!("{} 至 {}", m::month_label(a), m::month_label(b)),
    };
    let what = match &item_name {
        Some(i) => format!("{}：{i}", measure.label()),
        None => measure.label().to_string(),
    };
    let detail = serde_json::json!({
        "monitoring": { "where": where_, "what": what, "when": when, "after": q.after },
        "rows": rows.len(),
    });
    record(&state, &crate::audit::entry_for(&user, &client, AuditAction::PersonSearch, "person", None, detail)).await?;
    // The link to the next page: this query with the cursor replaced.
    let next = page.next.map(|(h, i)| {
        let mut pairs: Vec<(&str, String)> = [
            ("region", &q.region),
            ("group", &q.group),
            ("measure", &q.measure),
            ("item", &q.item),
            ("month", &q.month),
            ("from", &q.from),
            ("to", &q.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
        pairs.push(("after", format!("{h}.{i}")));
        format!("/monitoring/people?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    });
    render(
        &state,
        &user,
        "monitoring_people.html",
        context! {
            title => "监测数字的人员名单",
            section => "monitoring",
            where_, what, when, total, rows, next, back,
            flow => !measure.is_stock(),
            scanned => page.scanned,
            first => after.is_none(),
        },
    )
}

// --- the other targets and their records ---------------------------------------------

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetsQuery {
    /// 区划代码：全市 500000，区县 6 位，乡镇街道 9 位；默认本账号辖区
    #[serde(default)]
    pub region: Option<String>,
    /// 年度，默认今年
    #[serde(default)]
    pub year: Option<i32>,
}

fn year_in_range(year: Option<i32>) -> Result<i32, WebError> {
    let year = year.unwrap_or_else(|| m::year_of(today()));
    if !(2000..=2100).contains(&year) {
        return Err(invalid("year", "year 应为 2000 至 2100 的年份"));
    }
    Ok(year)
}

/// The year's other targets.
#[utoipa::path(
    get,
    path = "/api/v1/monitoring/targets",
    summary = "其他目标任务进度",
    description = "渝府办发〔2025〕18号和“十四五”规划专栏1中除新增就近就业以外的目标：培训、零工市场、招聘会、返乡创业园区、公益性岗位、就业帮扶车间、劳务经纪人、农民工总数、净回流等，由相应业务记录或人员事件计算（不可填报）；本系统不登记的指标 done 为 null。目标只对全市给出。",
    tag = "监测",
    params(TargetsQuery),
    responses(
        (status = 200, description = "各目标的完成情况", body = Vec<m::OtherTarget>),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "本账号无权查看", body = crate::error::ErrorBody),
        (status = 422, description = "参数格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_targets(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<TargetsQuery>,
) -> Result<axum::Json<Vec<m::OtherTarget>>, WebError> {
    let r = region(&state, &user, q.region.as_deref())?;
    let year = year_in_range(q.year)?;
    Ok(axum::Json(m::other_targets(&state.store, r, year, today()).await?))
}

#[derive(Debug, Default, Deserialize)]
pub struct RecordsQuery {
    /// A target's key (with `year`) …
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    /// … or a source's key (with `from` and `to`, months).
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
}

/// Records listed per page.
const RECORDS_PER_PAGE: u64 = 50;

/// What a records page lists: a source over days `[from, until)`, named.
struct RecordsAsked {
    source: jiujin_domain::monitoring::records::Source,
    from: chrono::NaiveDate,
    until: chrono::NaiveDate,
    label: String,
    unit: String,
    when: String,
    /// The query without the page, for the paging links.
    query: String,
}

fn records_asked(q: &RecordsQuery, r: RegionCode) -> Result<RecordsAsked, WebError> {
    use jiujin_domain::monitoring::records::{period, Source};
    let region = r.short();
    if let Some(key) = q.source.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        let source = Source::from_key(key).ok_or_else(|| invalid("source", "source 不是监测记录的代码"))?;
        let to = month(q.to.as_deref(), "to")?.unwrap_or_else(|| m::default_window(today()).1);
        let from = month(q.from.as_deref(), "from")?.unwrap_or(to);
        if from > to {
            return Err(invalid("from", "from 应不晚于 to"));
        }
        let (start, _) = m::month_span(from);
        let (_, until) = m::month_span(to);
        let when = if from == to {
            m::month_label(from)
        } else {
            format!("{} 至 {}", m::month_label(from), m::month_label(to))
        };
        let query =
            format!("source={}&from={}&to={}&region={region}", source.key(), m::month_label(from), m::month_label(to));
        return Ok(RecordsAsked {
            source,
            from: start,
            until,
            label: source.label().into(),
            unit: "人".into(),
            when,
            query,
        });
    }
    let year = year_in_range(number::<i32>(q.year.as_deref(), "year", "年份")?)?;
    let all = jiujin_domain::monitoring::targets::embedded().map_err(|e| WebError::Internal(e.to_string()))?;
    let key = q.target.as_deref().map(str::trim).unwrap_or("");
    let target = all
        .iter()
        .find(|t| t.key == key && t.years.contains(&year))
        .ok_or_else(|| invalid("target", format!("target 应为 {year} 年的目标任务代码")))?;
    let source = Source::of_target(&target.key)
        .ok_or_else(|| invalid("target", format!("“{}”不由业务记录计算", target.label)))?;
    let (from, until) = period(target, year).ok_or_else(|| invalid("year", "year 超出范围"))?;
    let when = if from.year() == year { format!("{year}年") } else { format!("{}—{year}年", from.year()) };
    Ok(RecordsAsked {
        source,
        from,
        until,
        label: target.label.clone(),
        unit: target.unit.clone(),
        when,
        query: format!("target={}&year={year}&region={region}", target.key),
    })
}

/// `GET /monitoring/records`: the records behind a figure that comes from records —
/// one of the other targets (`target`, `year`) or the 四清's people served (`source`,
/// `from`, `to`) — in a region: courses' completions, stations, fairs, parks, posts,
/// workshop workers, brokers, follow-up contacts. People outside the caller's scope
/// are counted but not named. A list of people is recorded as a search of the
/// registry.
pub async fn records_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<RecordsQuery>,
) -> Result<Html<String>, WebError> {
    let r = region(&state, &user, q.region.as_deref())?;
    let asked = records_asked(&q, r)?;
    let (source, from, until) = (asked.source, asked.from, asked.until);
    let page = number::<u64>(q.page.as_deref(), "page", "页码")?.unwrap_or(1).clamp(1, 1_000_000);
    let total = jiujin_store::records::count(&state.store, source, from, until, r).await?;
    let rows = jiujin_store::records::list(
        &state.store,
        source,
        from,
        until,
        r,
        (page - 1) * RECORDS_PER_PAGE,
        RECORDS_PER_PAGE,
    )
    .await?;
    let scope = user.scope();
    let ids: Vec<i64> = rows.iter().filter_map(|row| row.person_id).collect();
    let persons = jiujin_store::registry::persons_by_ids(&state.store, scope, &ids).await?;
    let view: Vec<minijinja::Value> = rows
        .iter()
        .map(|row| {
            let person = row
                .person_id
                .and_then(|id| persons.iter().find(|p| p.id == id))
                .map(|p| crate::registry::PersonView::new(&state, p));
            let place = RegionCode::from_i64(row.region).map(|c| place(&state, c)).unwrap_or_default();
            context! {
                title => row.title, day => row.day.map(|d| d.to_string()), place, n => row.n,
                person, outside => row.person_id.is_some() && person.is_none(),
            }
        })
        .collect();
    if source.of_persons() {
        let detail = serde_json::json!({
            "monitoring": { "records": asked.query, "page": page },
            "rows": view.len(),
        });
        record(&state, &crate::audit::entry_for(&user, &client, AuditAction::PersonSearch, "person", None, detail))
            .await?;
    }
    let pages = u64::try_from(total.max(0)).unwrap_or(0).div_ceil(RECORDS_PER_PAGE).max(1);
    render(
        &state,
        &user,
        "monitoring_records.html",
        context! {
            title => "监测数字的业务记录",
            section => "monitoring",
            name => place(&state, r), label => asked.label, unit => asked.unit, when => asked.when,
            basis => source.basis(), persons => source.of_persons(), query => asked.query,
            total, rows => view, page, pages,
            back => format!("/monitoring?region={}", r.short()),
        },
    )
}
