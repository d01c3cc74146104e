//! 跟踪服务 (SPEC §6): the follow-up work list of the caller's region (who is overdue
//! or due for the monthly contact, most overdue first, and the counts by town), the
//! 1+1+3+1 gap list of the registered-unemployed 脱贫 persons, and the form on a
//! person's page that records a contact. Staff who edit the registry only (a village
//! grid worker sees their village); to anyone else these pages do not exist.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::{Path, Query};
use crate::jobs::{today, value, Posted};
use crate::lists::{audited_xlsx, staff, FormError};
use crate::{AppState, WebError};

/// Rows a page shows at most (the counts above them cover everyone).
const PAGE_ROWS: usize = 500;

#[derive(Debug, Default, Deserialize)]
pub struct WorkQuery {
    #[serde(default)]
    show: Option<String>,
}

/// `GET /services`: the follow-up work list.
pub async fn work_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<WorkQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let mut list = jiujin_app::services::work_list(&state.store, state.refdata, user.scope(), today()).await?;
    let show = match q.show.as_deref() {
        Some("overdue") => "overdue",
        _ => "all",
    };
    if show == "overdue" {
        list.items.retain(|w| w.overdue);
    }
    let more = list.items.len() > PAGE_ROWS;
    let items: Vec<_> = list.items.iter().take(PAGE_ROWS).cloned().collect();
    crate::lists::audit_list(&state, &user, &client, "services.follow-up", items.len()).await?;
    render(
        &state,
        &user,
        "services.html",
        context! {
            title => "跟踪服务", section => "services", list, items, more, show,
            soon_days => jiujin_domain::services::DUE_SOON_DAYS,
        },
    )
}

/// `GET /services/gaps`: the 1+1+3+1 of the registered-unemployed 脱贫 persons.
pub async fn gaps_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let r = jiujin_app::services::gap_report(&state.store, state.refdata, user.scope()).await?;
    let districts: Vec<_> = r
        .districts
        .iter()
        .map(|d| {
            context! { name => d.name.clone(), persons => d.persons, complete => d.complete,
            share => d.share.map_or_else(|| "—".to_string(), |s| format!("{:.1}%", s * 100.0)) }
        })
        .collect();
    let more = r.gaps.len() > PAGE_ROWS;
    let gaps: Vec<_> = r.gaps.iter().take(PAGE_ROWS).cloned().collect();
    crate::lists::audit_list(&state, &user, &client, "services.gaps", gaps.len()).await?;
    render(
        &state,
        &user,
        "services_gaps.html",
        context! { title => "1+1+3+1 服务", section => "services", r, districts, gaps, more },
    )
}

/// `GET /services/households`: the 零就业家庭 of the caller's region.
pub async fn households_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let households =
        jiujin_app::services::zero_employment_households(&state.store, state.refdata, user.scope(), today()).await?;
    let more = households.len() > PAGE_ROWS;
    crate::lists::audit_list(&state, &user, &client, "services.households", households.len().min(PAGE_ROWS)).await?;
    render(
        &state,
        &user,
        "services_households.html",
        context! { title => "零就业家庭", section => "services", households, more, shown => PAGE_ROWS },
    )
}

/// `POST /registry/{id}/contacts`: records a follow-up contact with a person in the
/// caller's scope; a mistake comes back with its reason and nothing is written.
pub async fn contact_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    use jiujin_app::services::{record_contact, ContactError, ContactInput};
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let offered: Vec<&str> = posted.iter().filter(|(k, _)| k == "offered").map(|(_, v)| v.as_str()).collect();
    let input = ContactInput {
        date: value(&posted, "date"),
        channel: value(&posted, "channel"),
        offered,
        outcome: value(&posted, "outcome"),
        note: value(&posted, "note"),
    };
    let by = context_for(&user, &client);
    match record_contact(&state.store, user.scope(), id, &input, today(), &by).await {
        Ok(_) => Ok(Redirect::to(&format!("/registry/{id}?saved=contact#contact")).into_response()),
        Err(ContactError::NotFound) => Err(WebError::NotFound),
        // Back to the form with the reasons next to it (the form is on the person's page).
        Err(ContactError::Invalid(errors)) => {
            let message = errors.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("；");
            let q = serde_urlencoded::to_string([("contact_error", message.as_str())]).unwrap_or_default();
            Ok(Redirect::to(&format!("/registry/{id}?{q}#contact")).into_response())
        }
        Err(ContactError::Store(e)) => Err(e.into()),
    }
}

/// One person on the follow-up work list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkItemView {
    /// 人员编号
    pub person: i64,
    pub name: String,
    /// 所在乡镇（街道）
    pub place: String,
    /// 登记失业日期
    pub registered: String,
    /// 登记以来最近一次联系上的日期
    pub last_reached: Option<String>,
    /// 应于此日前联系
    pub due: String,
    /// 逾期天数（未逾期为0）
    pub days_overdue: i64,
    /// 逾期N天、N天后到期、今日到期
    pub state: String,
    /// 人员类别（脱贫人口、就业困难人员……）
    pub groups: Vec<String>,
}

/// Registered unemployed of one town, with how many are overdue or due soon.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TownCountView {
    /// 乡镇（街道）9位代码（区划不详时为空）
    pub town: String,
    pub name: String,
    pub registered: u64,
    pub overdue: u64,
    pub due_soon: u64,
}

/// The follow-up work list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FollowUpView {
    pub date: String,
    /// 登记失业人数（本账号范围内）
    pub registered: u64,
    pub overdue: u64,
    pub due_soon: u64,
    /// 未到联系期
    pub up_to_date: u64,
    /// 逾期（逾期最久在前）和即将到期的人员，至多 limit 人
    pub items: Vec<WorkItemView>,
    pub towns: Vec<TownCountView>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 最多返回多少人（1至5000，默认500）
    #[serde(default)]
    pub limit: Option<u32>,
}

fn limit_param(limit: Option<u32>) -> Result<usize, WebError> {
    let n = limit.unwrap_or(500);
    if (1..=5000).contains(&n) {
        Ok(n as usize)
    } else {
        Err(WebError::Invalid { field: "limit".into(), message: "limit 应为1至5000".into() })
    }
}

/// The follow-up work list of the caller's region.
#[utoipa::path(
    get,
    path = "/api/v1/services/follow-up",
    summary = "登记失业人员跟踪服务清单",
    description = "本账号范围内登记失业人员的每月跟踪联系：逾期未联系和7天内到期的人员（逾期最久的在前），以及按乡镇的统计。登记或上次联系上之后满一个自然月应再次联系（其他〔2020〕4号第53条）。仅经办角色可用，其他角色答 404。",
    tag = "服务",
    params(ListQuery),
    responses(
        (status = 200, description = "跟踪服务清单", body = FollowUpView),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "本账号无权查看", body = crate::error::ErrorBody),
        (status = 422, description = "参数格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_follow_up(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<ListQuery>,
) -> Result<Json<FollowUpView>, WebError> {
    let limit = limit_param(q.limit)?;
    staff(&user)?;
    let list = jiujin_app::services::work_list(&state.store, state.refdata, user.scope(), today()).await?;
    crate::lists::audit_list(&state, &user, &client, "api.services.follow-up", list.items.len().min(limit)).await?;
    Ok(Json(FollowUpView {
        date: list.date.to_string(),
        registered: list.registered,
        overdue: list.overdue,
        due_soon: list.due_soon,
        up_to_date: list.up_to_date,
        items: list
            .items
            .iter()
            .take(limit)
            .map(|w| WorkItemView {
                person: w.person,
                name: w.name.clone(),
                place: w.place.clone(),
                registered: w.registered.to_string(),
                last_reached: w.last_reached.map(|d| d.to_string()),
                due: w.due.to_string(),
                days_overdue: w.days_overdue,
                state: w.state.clone(),
                groups: w.groups.iter().map(|g| g.to_string()).collect(),
            })
            .collect(),
        towns: list
            .towns
            .iter()
            .map(|t| TownCountView {
                town: t.town.clone(),
                name: t.name.clone(),
                registered: t.registered,
                overdue: t.overdue,
                due_soon: t.due_soon,
            })
            .collect(),
    }))
}

/// One person still owed part of the 1+1+3+1.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GapItemView {
    pub person: i64,
    pub name: String,
    pub place: String,
    pub registered: String,
    /// 政策宣介次数
    pub policy: u32,
    /// 职业指导次数
    pub guidance: u32,
    /// 岗位推送次数（已送达的系统推送和联系中推荐的岗位）
    pub job_pushes: u32,
    /// 就业培训推荐次数
    pub training: u32,
    /// 尚缺的服务（如“岗位推送 2/3”）
    pub owed: Vec<String>,
}

/// The share complete in one district.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DistrictShareView {
    pub district: String,
    pub name: String,
    pub persons: u64,
    pub complete: u64,
    /// 完成率，无人时为 null
    pub share: Option<f64>,
}

/// The 1+1+3+1 of the registered-unemployed 脱贫 persons.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GapsView {
    pub persons: u64,
    pub complete: u64,
    /// 尚缺服务的人员（尚缺最多在前），至多 limit 人
    pub gaps: Vec<GapItemView>,
    pub districts: Vec<DistrictShareView>,
}

/// The 1+1+3+1 gap list of the caller's region.
#[utoipa::path(
    get,
    path = "/api/v1/services/gaps",
    summary = "脱贫人口“1+1+3+1”服务缺项清单",
    description = "本账号范围内登记失业的脱贫人口，登记以来获得的政策宣介、职业指导、岗位推送、就业培训推荐服务次数，尚缺服务的人员和各区县完成率（渝府办发〔2025〕18号（八））。仅经办角色可用，其他角色答 404。",
    tag = "服务",
    params(ListQuery),
    responses(
        (status = 200, description = "缺项清单", body = GapsView),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "本账号无权查看", body = crate::error::ErrorBody),
        (status = 422, description = "参数格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_gaps(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<ListQuery>,
) -> Result<Json<GapsView>, WebError> {
    let limit = limit_param(q.limit)?;
    staff(&user)?;
    let r = jiujin_app::services::gap_report(&state.store, state.refdata, user.scope()).await?;
    crate::lists::audit_list(&state, &user, &client, "api.services.gaps", r.gaps.len().min(limit)).await?;
    Ok(Json(GapsView {
        persons: r.persons,
        complete: r.complete,
        gaps: r
            .gaps
            .iter()
            .take(limit)
            .map(|g| GapItemView {
                person: g.person,
                name: g.name.clone(),
                place: g.place.clone(),
                registered: g.registered.to_string(),
                policy: g.counts.policy,
                guidance: g.counts.guidance,
                job_pushes: g.counts.job_pushes,
                training: g.counts.training,
                owed: g.gaps.iter().map(|x| format!("{} {}/{}", x.label, x.have, x.need)).collect(),
            })
            .collect(),
        districts: r
            .districts
            .iter()
            .map(|d| DistrictShareView {
                district: d.district.clone(),
                name: d.name.clone(),
                persons: d.persons,
                complete: d.complete,
                share: d.share,
            })
            .collect(),
    }))
}

fn back_to_person(id: i64, saved: Result<&str, String>) -> Response {
    match saved {
        Ok(what) => Redirect::to(&format!("/registry/{id}?saved={what}#difficulty")).into_response(),
        Err(message) => {
            let q = serde_urlencoded::to_string([("difficulty_error", message.as_str())]).unwrap_or_default();
            Redirect::to(&format!("/registry/{id}?{q}#difficulty")).into_response()
        }
    }
}

fn difficulty_outcome<T>(
    id: i64,
    what: &str,
    r: Result<T, jiujin_app::difficulty::DifficultyError>,
) -> Result<Response, WebError> {
    match r {
        Ok(_) => Ok(back_to_person(id, Ok(what))),
        Err(e) => Ok(back_to_person(id, Err(e.message()?))),
    }
}

/// `POST /registry/{id}/difficulty`: recognises a person as 就业困难人员.
pub async fn recognize_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    let r = jiujin_app::difficulty::recognize(
        &state.store,
        user.scope(),
        id,
        value(&posted, "category"),
        value(&posted, "date"),
        value(&posted, "evidence"),
        today(),
        &by,
    )
    .await;
    difficulty_outcome(id, "difficulty", r)
}

/// `POST /difficulty/{id}/revoke`: revokes a recognition.
pub async fn revoke_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let person: i64 = value(&posted, "person").parse().map_err(|_| WebError::NotFound)?;
    let by = context_for(&user, &client);
    let r = jiujin_app::difficulty::revoke(
        &state.store,
        user.scope(),
        id,
        value(&posted, "date"),
        value(&posted, "reason"),
        today(),
        &by,
    )
    .await;
    difficulty_outcome(person, "difficulty", r)
}

/// `POST /registry/{id}/help`: records help given to a person.
pub async fn help_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    let r = jiujin_app::difficulty::add_help(
        &state.store,
        user.scope(),
        id,
        value(&posted, "kind"),
        value(&posted, "date"),
        value(&posted, "note"),
        today(),
        &by,
    )
    .await;
    difficulty_outcome(id, "help", r)
}

/// `GET /services/difficulty`: the recognised 就业困难人员 of the caller's region.
pub async fn difficulty_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let (list, counts) = jiujin_app::difficulty::recognized(&state.store, state.refdata, user.scope())
        .await
        .map_err(|_| WebError::NotFound)?;
    let more = list.len() > PAGE_ROWS;
    let never = list.iter().filter(|r| r.last_help.is_none()).count();
    let items: Vec<_> = list.into_iter().take(PAGE_ROWS).collect();
    crate::lists::audit_list(&state, &user, &client, "services.difficulty", items.len()).await?;
    render(
        &state,
        &user,
        "services_difficulty.html",
        context! { title => "就业困难人员", section => "services", items, counts, more, never },
    )
}

/// `GET /services/difficulty.xlsx`, audited as an export.
pub async fn difficulty_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
) -> Result<Response, WebError> {
    staff(&user)?;
    let (list, _) = jiujin_app::difficulty::recognized(&state.store, state.refdata, user.scope())
        .await
        .map_err(|_| WebError::NotFound)?;
    let bytes = jiujin_app::difficulty::recognized_xlsx(&list).map_err(|e| WebError::Internal(e.to_string()))?;
    audited_xlsx(&state, &user, &client, "difficulty", list.len(), bytes).await
}

/// `GET /services.xlsx`: the whole follow-up work list.
pub async fn work_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
) -> Result<Response, WebError> {
    staff(&user)?;
    let list = jiujin_app::services::work_list(&state.store, state.refdata, user.scope(), today()).await?;
    let (header, rows) = jiujin_app::services::work_list_rows(&list);
    let bytes =
        jiujin_app::services::table_xlsx("跟踪服务", &header, &rows).map_err(|e| WebError::Internal(e.to_string()))?;
    audited_xlsx(&state, &user, &client, "follow-up", rows.len(), bytes).await
}

/// `GET /services/gaps.xlsx`: everyone still owed part of the 1+1+3+1.
pub async fn gaps_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
) -> Result<Response, WebError> {
    staff(&user)?;
    let r = jiujin_app::services::gap_report(&state.store, state.refdata, user.scope()).await?;
    let (header, rows) = jiujin_app::services::gap_rows(&r);
    let bytes =
        jiujin_app::services::table_xlsx("1+1+3+1", &header, &rows).map_err(|e| WebError::Internal(e.to_string()))?;
    audited_xlsx(&state, &user, &client, "gaps", rows.len(), bytes).await
}

/// `GET /services/households.xlsx`: the 零就业家庭 and their members.
pub async fn households_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
) -> Result<Response, WebError> {
    staff(&user)?;
    let list =
        jiujin_app::services::zero_employment_households(&state.store, state.refdata, user.scope(), today()).await?;
    let (header, rows) = jiujin_app::services::household_rows(&list);
    let bytes = jiujin_app::services::table_xlsx("零就业家庭", &header, &rows)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    audited_xlsx(&state, &user, &client, "households", rows.len(), bytes).await
}
