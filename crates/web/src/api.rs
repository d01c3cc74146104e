//! The rest of the JSON API under `/api/v1/`: a person's events and household, the
//! region tree, import runs, the caller's account and tokens, and the accounts
//! (administrator). Persons are read through the caller's scope (outside it: 404);
//! every read of a person's record is audited, as on the pages.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use jiujin_domain::audit::AuditAction;
use jiujin_domain::RegionCode;
use jiujin_store::registry::uploads::import_runs;
use jiujin_store::registry::{household_members, person, timeline};
use serde::{Deserialize, Serialize};

use crate::audit::{context_for, entry_for, record, Client};
use crate::auth::CurrentUser;
use crate::error::ErrorBody;
use crate::extract::{Json as JsonBody, Path, Query};
use crate::registry::PersonView;
use crate::{AppState, WebError};

/// One event of a person's timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    /// The day the event describes (YYYY-MM-DD).
    pub date: String,
    /// 登记, 就业状态变更, 参保变更, 人员类别变更 or 信息变更.
    pub kind: String,
    /// 经办录入, 批量导入, 用工备案 or 本人申报.
    pub source: String,
    /// What the event records, in Chinese.
    pub summary: String,
    pub changes: Vec<ChangeView>,
}

/// One changed field of an event (identity numbers and phones never appear in full).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangeView {
    pub label: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The timeline of a person in the caller's scope, oldest first; the read is audited.
#[utoipa::path(
    get,
    path = "/api/v1/persons/{id}/events",
    summary = "人员时间线",
    description = "本账号范围内一名人员的全部事件，按时间先后；范围外或不存在均答 404。记入审计日志。",
    tag = "人员登记",
    params(("id" = i64, Path, description = "人员编号")),
    responses(
        (status = 200, description = "事件列表", body = Vec<EventView>),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 404, description = "不存在或不在本账号范围内", body = ErrorBody),
        (status = 422, description = "编号格式错误", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn person_events(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
) -> Result<Json<Vec<EventView>>, WebError> {
    let events = timeline(&state.store, user.scope(), id).await?.ok_or(WebError::NotFound)?;
    let detail = serde_json::json!({ "via": "api-events" });
    record(&state, &entry_for(&user, &client, AuditAction::PersonRead, "person", Some(id.to_string()), detail)).await?;
    Ok(Json(
        events
            .iter()
            .map(|e| {
                let v = crate::registry::TimelineView::new(&state, e);
                EventView {
                    date: v.date,
                    kind: v.kind.to_string(),
                    source: v.source.to_string(),
                    summary: v.summary,
                    changes: v
                        .changes
                        .into_iter()
                        .map(|c| ChangeView { label: c.label, old: c.old, new: c.new })
                        .collect(),
                }
            })
            .collect(),
    ))
}

/// The other members of a person's household visible in the caller's scope.
#[utoipa::path(
    get,
    path = "/api/v1/persons/{id}/household",
    summary = "同户成员",
    description = "与该人员家庭户编号相同、户籍地相同且在本账号范围内的其他成员（最多20人）；该人员在范围外或不存在时答 404。记入审计日志。",
    tag = "人员登记",
    params(("id" = i64, Path, description = "人员编号")),
    responses(
        (status = 200, description = "同户成员（证件号码、电话已脱敏）", body = Vec<PersonView>),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 404, description = "不存在或不在本账号范围内", body = ErrorBody),
        (status = 422, description = "编号格式错误", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn person_household(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
) -> Result<Json<Vec<PersonView>>, WebError> {
    let p = person(&state.store, user.scope(), id).await?.ok_or(WebError::NotFound)?;
    let members = household_members(&state.store, user.scope(), &p).await?;
    let detail = serde_json::json!({ "via": "api-household", "household_members": members.iter().map(|m| m.id).collect::<Vec<_>>() });
    record(&state, &entry_for(&user, &client, AuditAction::PersonRead, "person", Some(id.to_string()), detail)).await?;
    Ok(Json(members.iter().map(|m| PersonView::new(&state, m)).collect()))
}

/// A region of Chongqing's statistical division tree.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegionView {
    /// 6 (district), 9 (town) or 12 (village) digits.
    pub code: String,
    pub name: String,
    /// 区县, 乡镇（街道） or 村（社区）.
    pub level: String,
    /// The names from the district down, separated by spaces.
    pub path: String,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// A district or town code; without it, the 38 districts.
    #[serde(default)]
    parent: Option<String>,
}

/// The districts, or the children of a district or town.
#[utoipa::path(
    get,
    path = "/api/v1/regions",
    summary = "区划",
    description = "不带 parent 时为全市38个区县；带 parent 时为该区县的乡镇（街道）或该乡镇的村（社区）。2023年统计用区划代码。",
    tag = "参考数据",
    params(RegionQuery),
    responses(
        (status = 200, description = "区划列表", body = Vec<RegionView>),
        (status = 400, description = "区划代码格式错误", body = ErrorBody),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 404, description = "没有这个区划", body = ErrorBody),
        (status = 422, description = "参数格式错误", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn regions(
    State(state): State<AppState>,
    Query(q): Query<RegionQuery>,
) -> Result<Json<Vec<RegionView>>, WebError> {
    let rd = state.refdata;
    let codes: &[RegionCode] = match q.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => rd.districts(),
        Some(text) => {
            let code = RegionCode::parse(text)
                .map_err(|e| WebError::Invalid { field: "parent".into(), message: e.to_string() })?;
            if !rd.is_chongqing_division(code) || rd.region(code).is_none() {
                return Err(WebError::NotFound);
            }
            rd.children(code)
        }
    };
    Ok(Json(
        codes
            .iter()
            .filter_map(|c| rd.region(*c))
            .map(|r| RegionView {
                code: r.code.short(),
                name: r.name.clone(),
                level: r.level.label().to_string(),
                path: rd.region_path(r.code),
            })
            .collect(),
    ))
}

/// An import run with its counts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportRunView {
    pub id: i64,
    pub file_name: String,
    pub file_sha256: String,
    /// The day the file describes.
    pub as_of: String,
    /// running, done, failed or interrupted.
    pub status: String,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub actor: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
}

/// One page of import runs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportRunList {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<ImportRunView>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// From 1.
    #[serde(default)]
    page: Option<u64>,
}

const RUNS_PER_PAGE: u64 = 50;

/// Import runs, newest first: all of them for city staff, auditors and the
/// administrator; one's own for everyone else.
#[utoipa::path(
    get,
    path = "/api/v1/imports",
    summary = "导入批次",
    description = "导入批次及其新增、更新、未变化和错误行数，最新在前，每页50条。市级经办、审计和管理员看到全部批次，其他账号只看到本人发起的批次。",
    tag = "人员登记",
    params(PageQuery),
    responses(
        (status = 200, description = "一页导入批次", body = ImportRunList),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 422, description = "参数格式错误", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn imports(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<PageQuery>,
) -> Result<Json<ImportRunList>, WebError> {
    use jiujin_domain::access::Role;
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let all = matches!(user.account.role, Role::CityStaff | Role::Auditor | Role::Admin);
    let actor = (!all).then_some(user.account.username.as_str());
    let (total, rows) = import_runs(&state.store, actor, page - 1, RUNS_PER_PAGE).await?;
    let items = rows
        .into_iter()
        .map(|r| ImportRunView {
            id: r.id,
            file_name: r.file_name,
            file_sha256: r.file_sha256,
            as_of: r.as_of.to_string(),
            status: r.status,
            inserted: r.inserted,
            updated: r.updated,
            unchanged: r.unchanged,
            rejected: r.rejected,
            actor: r.actor,
            started_at: r.started_at.to_rfc3339(),
            finished_at: r.finished_at.map(|t| t.to_rfc3339()),
        })
        .collect();
    Ok(Json(ImportRunList { total, page, per_page: RUNS_PER_PAGE, items }))
}

/// An account as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: i64,
    pub username: String,
    /// The role's key (city_staff, district_staff, …).
    pub role: String,
    /// The role in Chinese.
    pub role_label: String,
    /// Home region code, for roles bound to one.
    pub region: Option<String>,
    /// What the account may see, in Chinese (全市, a region's path, 无).
    pub scope: String,
    pub credit_code: Option<String>,
    pub person_id: Option<i64>,
    pub disabled: bool,
}

fn account_view(state: &AppState, a: &jiujin_store::access::Account, disabled: bool) -> AccountView {
    let scope = match a.scope() {
        jiujin_store::Scope::City => "全市".to_string(),
        jiujin_store::Scope::Region(r) => state.refdata.region_path(r),
        jiujin_store::Scope::Person(_) => "本人".to_string(),
        jiujin_store::Scope::Nothing => "无".to_string(),
    };
    AccountView {
        id: a.id,
        username: a.username.clone(),
        role: a.role.key().to_string(),
        role_label: a.role.label().to_string(),
        region: a.region.map(RegionCode::short),
        scope,
        credit_code: a.credit_code.clone(),
        person_id: a.person_id,
        disabled,
    }
}

/// The caller's own account.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    summary = "当前账号",
    tag = "账号与令牌",
    responses(
        (status = 200, description = "当前账号及其范围", body = AccountView),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn me(State(state): State<AppState>, Extension(user): Extension<CurrentUser>) -> Json<AccountView> {
    Json(account_view(&state, &user.account, false))
}

/// Every account (administrator only; to anyone else the list does not exist).
#[utoipa::path(
    get,
    path = "/api/v1/users",
    summary = "账号列表",
    description = "全部账号，按用户名排序。仅管理员可用，其他角色答 404。",
    tag = "账号与令牌",
    responses(
        (status = 200, description = "账号列表", body = Vec<AccountView>),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 404, description = "无此资源（非管理员）", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn users(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Json<Vec<AccountView>>, WebError> {
    if user.account.role != jiujin_domain::access::Role::Admin {
        return Err(WebError::NotFound);
    }
    let all = jiujin_store::access::list_users(&state.store).await?;
    Ok(Json(all.iter().map(|(a, disabled)| account_view(&state, a, disabled.is_some())).collect()))
}

/// An API token as listed (never the token itself).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// The caller's own API tokens, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    summary = "本人的接口令牌",
    tag = "账号与令牌",
    responses(
        (status = 200, description = "令牌列表（不含令牌本身）", body = Vec<TokenView>),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn tokens(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Json<Vec<TokenView>>, WebError> {
    let list = jiujin_store::access::list_tokens(&state.store, Some(&user.account.username)).await?;
    let t = |d: Option<chrono::DateTime<chrono::Utc>>| d.map(|d| d.to_rfc3339());
    Ok(Json(
        list.into_iter()
            .map(|i| TokenView {
                id: i.id,
                label: i.label,
                created_at: i.created_at.to_rfc3339(),
                last_used_at: t(i.last_used_at),
                expires_at: t(i.expires_at),
                revoked_at: t(i.revoked_at),
            })
            .collect(),
    ))
}

/// What a new token is for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewTokenRequest {
    /// What the token is for (1 to 50 characters).
    #[schema(min_length = 1, max_length = 50)]
    pub label: String,
    /// Days until it expires (1 to 3650); without it, it lasts until revoked.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 3650)]
    pub days: Option<u32>,
}

/// A new token: shown once, then only its label.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewToken {
    pub id: i64,
    /// `jj_…`: send as `Authorization: Bearer …`. It is not stored and cannot be shown again.
    pub token: String,
}

/// Creates an API token for the caller (scoped exactly like the caller; audited).
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    summary = "创建接口令牌",
    description = "为当前账号创建接口令牌，令牌的权限和范围与账号完全相同；令牌只在此次返回中出现。浏览器会话须带 X-CSRF-Token 请求头。记入审计日志。",
    tag = "账号与令牌",
    request_body = NewTokenRequest,
    responses(
        (status = 201, description = "新令牌（仅显示这一次）", body = NewToken),
        (status = 400, description = "请求体不是 JSON", body = ErrorBody),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 403, description = "缺少 X-CSRF-Token", body = ErrorBody),
        (status = 422, description = "字段不符合要求", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_token(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewTokenRequest>,
) -> Result<Response, WebError> {
    user.check_api_token(&headers)?;
    let label = body.label.trim();
    let n = label.chars().count();
    if n == 0 || n > 50 || label.chars().any(char::is_control) {
        return Err(WebError::Invalid {
            field: "label".into(),
            message: "请填写令牌用途（1至50个字，不含控制字符）".into(),
        });
    }
    if body.days.is_some_and(|d| !(1..=3650).contains(&d)) {
        return Err(WebError::Invalid { field: "days".into(), message: "有效天数应为1至3650".into() });
    }
    let by = context_for(&user, &client);
    let (id, token) = jiujin_app::access::create_token(&state.store, &user.account.username, label, body.days, &by)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((StatusCode::CREATED, [(axum::http::header::CACHE_CONTROL, "no-store")], Json(NewToken { id, token }))
        .into_response())
}

/// Revokes one of the caller's tokens (another account's token: 404; audited).
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    summary = "吊销接口令牌",
    description = "吊销当前账号自己的一个令牌；他人的或已吊销的令牌答 404。浏览器会话须带 X-CSRF-Token 请求头。记入审计日志。",
    tag = "账号与令牌",
    params(("id" = i64, Path, description = "令牌编号")),
    responses(
        (status = 204, description = "已吊销"),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 403, description = "缺少 X-CSRF-Token", body = ErrorBody),
        (status = 404, description = "没有这个本人的有效令牌", body = ErrorBody),
        (status = 422, description = "编号格式错误", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    user.check_api_token(&headers)?;
    let own = jiujin_store::access::list_tokens(&state.store, Some(&user.account.username)).await?;
    if !own.iter().any(|t| t.id == id && t.revoked_at.is_none()) {
        return Err(WebError::NotFound);
    }
    let by = context_for(&user, &client);
    if !jiujin_store::access::revoke_token(&state.store, id, &by).await? {
        return Err(WebError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The date of an evaluation.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntitlementsQuery {
    /// YYYY-MM-DD; today when absent.
    #[serde(default)]
    date: Option<String>,
}

/// What a person is entitled to on a date, with the reasons.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntitlementsView {
    pub person_id: i64,
    /// YYYY-MM-DD.
    pub date: String,
    pub policies: Vec<EntitlementView>,
    /// Facts other departments provided, in force on the date.
    pub recorded_facts: Vec<RecordedFactView>,
}

/// One person policy evaluated.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntitlementView {
    pub policy: String,
    pub title: String,
    /// `eligible`, `not_eligible` or `undetermined` (a fact is missing).
    pub status: String,
    /// 符合, 不符合 or 待补充信息.
    pub status_label: String,
    /// Fen, when eligible and the rule sets an amount.
    pub amount_fen: Option<i64>,
    pub amount_text: String,
    pub conditions: Vec<ConditionView>,
}

/// One condition of a policy, met, failed or unknown, with its citation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConditionView {
    pub id: String,
    /// `met`, `failed` or `unknown`.
    pub outcome: String,
    pub explain: String,
    /// The issuing document and article.
    pub cite: String,
    /// The facts it needs and nobody recorded, by their Chinese names.
    pub missing: Vec<String>,
}

/// A fact another department provided.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordedFactView {
    pub fact: String,
    pub label: String,
    pub value: String,
    /// YYYY-MM-DD.
    pub valid_from: String,
    pub source: String,
}

/// Every person policy evaluated for one person on a date, from the registry and the
/// recorded facts, with each condition's reason and citation.
#[utoipa::path(
    get,
    path = "/api/v1/persons/{id}/entitlements",
    summary = "人员政策享受评估",
    description = "本账号范围内一名人员在某日（默认今天）可享受的个人政策：每项政策符合、不符合或待补充信息，金额，以及每个条件的说明和出处；依据登记信息和其他部门提供的事实。范围外或不存在均答 404。记入审计日志。",
    tag = "政策",
    params(("id" = i64, Path, description = "人员编号"), EntitlementsQuery),
    responses(
        (status = 200, description = "评估结果", body = EntitlementsView),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 404, description = "不存在或不在本账号范围内", body = ErrorBody),
        (status = 422, description = "编号或日期格式错误", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn person_entitlements(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Query(q): Query<EntitlementsQuery>,
) -> Result<Json<EntitlementsView>, WebError> {
    let date = match q.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => chrono::Utc::now().date_naive(),
        Some(text) => jiujin_domain::policy::facts::parse_date(text)
            .filter(|d| (1900..=2100).contains(&chrono::Datelike::year(d)))
            .ok_or_else(|| WebError::Invalid {
                field: "date".into(),
                message: format!("日期“{text}”无效，应为 YYYY-MM-DD（1900 至 2100 年）"),
            })?,
    };
    let p = person(&state.store, user.scope(), id).await?.ok_or(WebError::NotFound)?;
    let (recorded, shown) = jiujin_app::policy::recorded_facts(&state.store, user.scope(), p.id, date)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let (_, results) = jiujin_app::policy::evaluate_person(state.library, &p, recorded, None, date)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let detail = serde_json::json!({
        "via": "api-entitlements", "date": date,
        "eligible": results.iter().filter(|e| e.eligible).map(|e| e.policy.as_str()).collect::<Vec<_>>(),
    });
    record(&state, &entry_for(&user, &client, AuditAction::PersonRead, "person", Some(id.to_string()), detail)).await?;
    let label = |k: &String| {
        jiujin_domain::policy::facts::fact_by_key(k).map_or_else(|| k.clone(), |f| f.def().label.to_string())
    };
    let policies = results
        .iter()
        .map(|e| EntitlementView {
            policy: e.policy.as_str().to_string(),
            title: e.title.clone(),
            status: snake(&e.status),
            status_label: e.status_label.to_string(),
            amount_fen: e.amount_fen,
            amount_text: e.amount_text.clone(),
            conditions: e
                .conditions
                .iter()
                .map(|c| ConditionView {
                    id: c.id.clone(),
                    outcome: snake(&c.outcome),
                    explain: c.explain.clone(),
                    cite: c.cite.to_string(),
                    missing: c.missing.iter().map(label).collect(),
                })
                .collect(),
        })
        .collect();
    let recorded_facts = shown
        .into_iter()
        .map(|f| RecordedFactView {
            fact: f.fact,
            label: f.label,
            value: f.value,
            valid_from: f.valid_from.to_string(),
            source: f.source,
        })
        .collect();
    Ok(Json(EntitlementsView { person_id: p.id, date: date.to_string(), policies, recorded_facts }))
}

/// The serde name of a unit enum value (`eligible`, `met` …).
fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}
