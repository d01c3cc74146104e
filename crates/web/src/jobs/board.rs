//! 岗位大厅: Chinese search over the open postings of the whole city (the server's
//! in-memory `JobBoard`, kept in step with the database), the best postings for a
//! worker, and the best workers for a posting, each with its explanation. Pages and
//! the JSON API (`/api/v1/jobs`, `/api/v1/persons/{id}/matches`).

use axum::extract::State;
use axum::response::Html;
use axum::{Extension, Json};
use jiujin_app::jobs::board::{JobBoard, Vocab};
use jiujin_app::jobs::matching::{match_job, match_worker, JobQuery, MatchError};
use jiujin_domain::jobs::JobKind;
use jiujin_domain::matching::Match;
use jiujin_domain::search::Filters;
use jiujin_domain::{Fen, RegionCode};
use jiujin_store::jobs::JobListing;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{today, JobView};
use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::error::ErrorBody;
use crate::extract::{Path, Query};
use crate::{AppState, WebError};

const PAGE_SIZE: usize = 20;

/// The server's board, loaded on first use and refreshed when stale.
pub(crate) async fn board(state: &AppState) -> Result<&JobBoard, WebError> {
    let b = state
        .board
        .get_or_try_init(|| async {
            let vocab = Vocab::embedded().map_err(WebError::Internal)?;
            JobBoard::load(&state.store, vocab, today()).await.map_err(WebError::from)
        })
        .await?;
    b.refresh(&state.store, today(), false).await?;
    Ok(b)
}

/// One factor of a match.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FactorView {
    /// Stable code of the factor.
    pub code: String,
    /// 因素
    pub label: String,
    pub points: i32,
    /// 说明
    pub detail: String,
}

fn factors(m: &Match) -> Vec<FactorView> {
    m.factors
        .iter()
        .map(|f| FactorView { code: f.code.into(), label: f.label.into(), points: f.points, detail: f.detail.clone() })
        .collect()
}

/// A worker matched to a posting, as a page shows it (masked).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WorkerMatchView {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub score: i32,
    pub factors: Vec<FactorView>,
}

/// The best workers inside the caller's scope for an open posting, near it (its
/// district and the districts bordering it).
pub(crate) async fn workers_for(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    l: &JobListing,
) -> Result<Vec<WorkerMatchView>, WebError> {
    let b = board(state).await?;
    let by = context_for(user, client);
    let top = match match_job(
        &state.store,
        b,
        user.scope(),
        JobQuery { job_id: l.job.id, date: today(), k: 20, near_only: true },
        &by,
    )
    .await
    {
        Ok((_, top)) => top,
        Err(MatchError::JobNotOpen(_)) => return Ok(Vec::new()),
        Err(e) => return Err(WebError::Internal(e.to_string())),
    };
    Ok(top
        .iter()
        .map(|(m, p)| WorkerMatchView {
            id: p.id,
            name: p.name.clone(),
            place: RegionCode::from_i64(p.residence_region.unwrap_or(p.hukou_region))
                .map(|r| state.refdata.region_path(r))
                .unwrap_or_default(),
            score: m.score,
            factors: factors(m),
        })
        .collect())
}

/// The board's filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// 关键词，如“渝北 焊工 包吃住”
    #[serde(default)]
    pub q: Option<String>,
    /// 工作地点：区县、乡镇（街道）或村（社区）区划代码
    #[serde(default)]
    pub region: Option<String>,
    /// 用工形式：全职、非全日制、临时/季节性、零工（或 full_time、part_time、seasonal、day_work）
    #[serde(default)]
    pub kind: Option<String>,
    /// 只看包吃住：1
    #[serde(default)]
    pub board: Option<String>,
    /// 月薪不低于（元）
    #[serde(default)]
    pub min_wage: Option<String>,
    /// 第几页，从1开始
    #[serde(default)]
    pub page: Option<u32>,
}

fn filters(state: &AppState, q: &BoardQuery) -> Result<Filters, WebError> {
    let mut f = Filters::default();
    if let Some(r) = q.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        let code = RegionCode::parse(r).ok().filter(|c| state.refdata.is_chongqing_division(*c)).ok_or_else(|| {
            WebError::Invalid {
                field: "region".into(), message: format!("区划代码“{r}”不是重庆市现行区划")
            }
        })?;
        f.place = Some(code);
    }
    if let Some(k) = q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        f.kind = Some(JobKind::parse(k).ok_or_else(|| WebError::Invalid {
            field: "kind".into(),
            message: format!("用工形式“{k}”应为全职、非全日制、临时/季节性或零工"),
        })?);
    }
    f.board_lodging = q.board.as_deref() == Some("1");
    if let Some(w) = q.min_wage.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        let fen =
            Fen::parse_yuan(w).map_err(|e| WebError::Invalid { field: "min_wage".into(), message: e.to_string() })?;
        f.min_wage = Some(fen);
    }
    Ok(f)
}

/// The home a search measures nearness from: the worker's own, for a worker account.
async fn home_of(state: &AppState, user: &CurrentUser) -> Result<Option<RegionCode>, WebError> {
    let Some(id) = user.account.person_id else { return Ok(None) };
    let p = jiujin_store::jobs::seeker(&state.store, user.scope(), id).await?;
    Ok(p.and_then(|p| RegionCode::from_i64(p.residence_region.unwrap_or(p.hukou_region))))
}

/// `GET /jobs`: the board.
pub async fn board_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<BoardQuery>,
) -> Result<Html<String>, WebError> {
    let b = board(&state).await?;
    let f = filters(&state, &q)?;
    let page = q.page.unwrap_or(1).max(1) as usize;
    let text = q.q.clone().unwrap_or_default();
    let home = home_of(&state, &user).await?;
    let r = b.search(&text, &f, home, (page - 1) * PAGE_SIZE, PAGE_SIZE)?;
    let ids: Vec<i64> = r.hits.iter().map(|h| h.id).collect();
    let jobs: Vec<JobView> = b.listings(&ids)?.iter().map(|l| JobView::new(&state, l)).collect();
    // A worker sees the postings matched to them first.
    let mine = match user.account.person_id {
        Some(id) if text.is_empty() && page == 1 => {
            let by = context_for(&user, &client);
            match match_worker(&state.store, b, user.scope(), id, today(), 5, &by).await {
                Ok(w) => w
                    .jobs
                    .iter()
                    .map(|(m, l)| context! { j => JobView::new(&state, l), score => m.score, factors => factors(m) })
                    .collect(),
                Err(_) => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    // And the training courses recommended to them (SPEC §4: 人岗、政策、培训).
    let courses = match user.account.person_id {
        Some(id) if text.is_empty() && page == 1 => {
            match jiujin_store::registry::person(&state.store, user.scope(), id).await? {
                Some(p) => jiujin_app::training::recommendations(&state.store, state.refdata, &p, today(), 3)
                    .await
                    .unwrap_or_default(),
                None => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    let pages = r.total.div_ceil(PAGE_SIZE).max(1);
    render(
        &state,
        &user,
        "jobs_board.html",
        context! {
            title => "岗位大厅", section => "jobs", jobs, total => r.total, understood => r.understood,
            q => text, region => q.region.clone().unwrap_or_default(), kind => q.kind.clone().unwrap_or_default(),
            board => f.board_lodging, min_wage => q.min_wage.clone().unwrap_or_default(),
            page, pages, kinds => JobKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
            open => b.open_count()?, mine, courses,
            may_post => user.account.role.needs_credit_code() || user.account.role.edits_registry(),
            reviews => user.account.role.edits_registry(),
        },
    )
}

/// A posting on the board.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobItem {
    pub id: i64,
    pub title: String,
    pub employer: String,
    /// 用人单位在拖欠农民工工资失信名单上
    pub employer_dishonest: bool,
    pub occupation: Option<String>,
    /// 工作地点
    pub place: String,
    /// 薪酬，如“6000–8000元/月”
    pub wage: String,
    /// 用工形式
    pub kind: String,
    /// 食宿
    pub board: String,
    /// 尚缺人数
    pub headcount_left: i32,
    /// 有效期
    pub valid: String,
}

impl JobItem {
    fn new(state: &AppState, l: &JobListing) -> JobItem {
        let v = JobView::new(state, l);
        JobItem {
            id: v.id,
            title: v.title,
            employer: v.employer,
            employer_dishonest: v.dishonest,
            occupation: v.occupation,
            place: v.place,
            wage: v.wage,
            kind: v.kind.into(),
            board: v.board.into(),
            headcount_left: v.left,
            valid: v.valid,
        }
    }
}

/// A page of search results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobSearchResult {
    /// 符合条件的岗位总数
    pub total: u64,
    /// 查询的理解方式，如“地点：渝北区；职业：焊工；包吃住”
    pub understood: String,
    pub items: Vec<JobItem>,
}

/// Searches the open postings of the whole city.
#[utoipa::path(
    get,
    path = "/api/v1/jobs",
    summary = "岗位搜索",
    description = "全市在招岗位（任何区县发布的岗位全市可见）：中文关键词（分词，识别地名、职业及同义词、包吃住、用工形式、离家近）与筛选条件组合，按相关度排序，每页20条。",
    tag = "岗位",
    params(BoardQuery),
    responses(
        (status = 200, description = "搜索结果", body = JobSearchResult),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 422, description = "筛选条件格式错误", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_jobs(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<BoardQuery>,
) -> Result<Json<JobSearchResult>, WebError> {
    let b = board(&state).await?;
    let f = filters(&state, &q)?;
    let page = q.page.unwrap_or(1).clamp(1, 10_000) as usize;
    let home = home_of(&state, &user).await?;
    let r = b.search(q.q.as_deref().unwrap_or(""), &f, home, (page - 1) * PAGE_SIZE, PAGE_SIZE)?;
    let ids: Vec<i64> = r.hits.iter().map(|h| h.id).collect();
    let items = b.listings(&ids)?.iter().map(|l| JobItem::new(&state, l)).collect();
    Ok(Json(JobSearchResult { total: r.total as u64, understood: r.understood, items }))
}

/// A posting matched to a worker.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobMatch {
    pub job: JobItem,
    pub score: i32,
    pub factors: Vec<FactorView>,
}

/// The best postings for a worker.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkerMatchesView {
    pub person: i64,
    /// 不参与匹配的原因（为空则已匹配）
    pub unmet: Vec<String>,
    pub matches: Vec<JobMatch>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    /// 返回前几个（1至50，默认10）
    #[serde(default)]
    pub top: Option<u32>,
}

/// How many results an API call asks for: 1 to 50, 10 by default.
fn top_param(top: Option<u32>) -> Result<u32, WebError> {
    let top = top.unwrap_or(10);
    if (1..=50).contains(&top) {
        Ok(top)
    } else {
        Err(WebError::Invalid { field: "top".into(), message: "top 应为1至50".into() })
    }
}

/// The best open postings for one person inside the caller's scope.
#[utoipa::path(
    get,
    path = "/api/v1/persons/{id}/matches",
    summary = "人岗匹配",
    description = "本账号范围内一名求职人员的最佳岗位，按匹配得分排序，每个结果附各项得分及说明（离家距离、职业技能、工资、用工形式、行业经历、大龄适宜）。范围外或不存在均答 404。记入审计日志。",
    tag = "岗位",
    params(("id" = i64, Path, description = "人员编号"), MatchQuery),
    responses(
        (status = 200, description = "匹配结果", body = WorkerMatchesView),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 404, description = "不存在或不在本账号范围内", body = ErrorBody),
        (status = 422, description = "参数格式错误", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_person_matches(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Query(q): Query<MatchQuery>,
) -> Result<Json<WorkerMatchesView>, WebError> {
    let top = top_param(q.top)?;
    let b = board(&state).await?;
    let by = context_for(&user, &client);
    let w = match match_worker(&state.store, b, user.scope(), id, today(), top as usize, &by).await {
        Ok(w) => w,
        Err(MatchError::UnknownPerson(_)) => return Err(WebError::NotFound),
        Err(e) => return Err(WebError::Internal(e.to_string())),
    };
    let matches = w
        .jobs
        .iter()
        .map(|(m, l)| JobMatch { job: JobItem::new(&state, l), score: m.score, factors: factors(m) })
        .collect();
    Ok(Json(WorkerMatchesView { person: id, unmet: w.unmet, matches }))
}

/// A worker matched to a posting, as the API gives it (masked: no identity number).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkerMatch {
    /// 人员编号
    pub person: i64,
    pub name: String,
    /// 居住地（或户籍地）
    pub place: String,
    pub score: i32,
    pub factors: Vec<FactorView>,
}

/// The best workers for a posting.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobMatchesView {
    pub job: JobItem,
    pub matches: Vec<WorkerMatch>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobMatchQuery {
    /// 返回前几个（1至50，默认10）
    #[serde(default)]
    pub top: Option<u32>,
    /// 候选范围：near（默认，岗位所在区县及相邻区县）或 all（本账号范围内全部求职人员）
    #[serde(default)]
    pub within: Option<String>,
}

/// The best workers inside the caller's scope for an open posting.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}/matches",
    summary = "岗位匹配求职人员",
    description = "经办人员为一个在招岗位匹配本账号范围内的求职人员，按匹配得分排序，每个结果附各项得分及说明。默认只在岗位所在区县及相邻区县中找（就近），within=all 则在本账号范围内全部求职人员中找。非经办角色、岗位不存在或未在招均答 404。记入审计日志。",
    tag = "岗位",
    params(("id" = i64, Path, description = "岗位编号"), JobMatchQuery),
    responses(
        (status = 200, description = "匹配结果", body = JobMatchesView),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 404, description = "不存在、未在招或本账号无权匹配", body = ErrorBody),
        (status = 422, description = "参数格式错误", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_job_matches(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Query(q): Query<JobMatchQuery>,
) -> Result<Json<JobMatchesView>, WebError> {
    let top = top_param(q.top)?;
    let near_only = match q.within.as_deref().unwrap_or("near") {
        "near" => true,
        "all" => false,
        other => {
            return Err(WebError::Invalid {
                field: "within".into(),
                message: format!("within 应为 near 或 all，收到“{other}”"),
            })
        }
    };
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    let b = board(&state).await?;
    let by = context_for(&user, &client);
    let query = JobQuery { job_id: id, date: today(), k: top as usize, near_only };
    let (listing, top) = match match_job(&state.store, b, user.scope(), query, &by).await {
        Ok(r) => r,
        Err(MatchError::UnknownJob(_) | MatchError::JobNotOpen(_)) => return Err(WebError::NotFound),
        Err(e) => return Err(WebError::Internal(e.to_string())),
    };
    let matches = top
        .iter()
        .map(|(m, p)| WorkerMatch {
            person: p.id,
            name: p.name.clone(),
            place: RegionCode::from_i64(p.residence_region.unwrap_or(p.hukou_region))
                .map(|r| state.refdata.region_path(r))
                .unwrap_or_default(),
            score: m.score,
            factors: factors(m),
        })
        .collect();
    Ok(Json(JobMatchesView { job: JobItem::new(&state, &listing), matches }))
}
