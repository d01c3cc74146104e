//! 岗位 (SPEC §3): a posting's page, the employer's own postings with the form that
//! publishes one (validated by the import's row rules, so a form and a file say the
//! same thing about the same mistake), and the review of held postings (a sex
//! restriction, an age cut-off without a job reason: seed 001 §(八)). Open postings
//! are visible to everyone signed in, whichever district posted them (seed 002 #52);
//! anything else about a posting only to its employer and the staff whose region
//! holds its place, and to others it does not exist (404).

pub(crate) mod board;
pub(crate) mod gig;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiujin_domain::jobs::template::{Mapped, JOB_COLUMNS};
use jiujin_domain::jobs::validate::{validate_posting, Board};
use jiujin_domain::jobs::{CreditStatus, JobKind, JobSource, JobStatus, WageForm};
use jiujin_domain::RegionCode;
use jiujin_store::jobs::{self as store_jobs, JobListing};
use minijinja::context;
use serde::Serialize;

use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::Path;
use crate::{AppState, WebError};

pub(crate) type Posted = Vec<(String, String)>;

pub(crate) fn value<'a>(posted: &'a Posted, key: &str) -> &'a str {
    posted.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("")
}

pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// What a page shows of a posting.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JobView {
    pub id: i64,
    pub title: String,
    pub employer: String,
    pub dishonest: bool,
    pub occupation: Option<String>,
    pub industry: String,
    pub place: String,
    pub wage: String,
    pub kind: &'static str,
    pub headcount: i32,
    pub left: i32,
    pub ages: String,
    pub age_reason: Option<String>,
    pub sex: Option<String>,
    pub skill: Option<&'static str>,
    pub certificate: Option<String>,
    pub board: &'static str,
    pub description: String,
    pub valid: String,
    pub source: &'static str,
    pub status: &'static str,
    pub status_key: &'static str,
    pub review_note: Option<String>,
}

impl JobView {
    pub(crate) fn new(state: &AppState, l: &JobListing) -> JobView {
        let j = &l.job;
        let wage = jiujin_app::jobs::board::wage_of(j);
        let status = JobStatus::from_code(j.status).unwrap_or(JobStatus::Closed);
        let industry = state
            .refdata
            .industry_by_code(&j.industry)
            .map(|i| format!("{} {}", i.code, i.name))
            .unwrap_or_else(|| j.industry.clone());
        JobView {
            id: j.id,
            title: j.title.clone(),
            employer: l.employer_name.clone(),
            dishonest: l.employer_credit_status == CreditStatus::Dishonest.code(),
            occupation: j.occupation.clone(),
            industry,
            place: RegionCode::from_i64(j.place).map(|r| state.refdata.region_path(r)).unwrap_or_default(),
            wage: wage.display(),
            kind: JobKind::from_code(j.kind).map_or("", JobKind::label),
            headcount: j.headcount,
            left: (j.headcount - j.hired).max(0),
            ages: format!("{}–{}岁", j.age_min, j.age_max),
            age_reason: j.age_reason.clone(),
            sex: j.sex.clone(),
            skill: j
                .skill_min
                .and_then(|s| u8::try_from(s).ok())
                .and_then(jiujin_domain::registry::SkillLevel::new)
                .map(|s| s.label()),
            certificate: j.certificate.clone(),
            board: Board::from_code(j.board).label(),
            description: j.description.clone(),
            valid: format!("{} 至 {}", j.valid_from, j.valid_to),
            source: JobSource::from_code(j.source).map_or("", JobSource::label),
            status: status.label(),
            status_key: status.key(),
            review_note: j.review_note.clone(),
        }
    }
}

async fn visible(state: &AppState, user: &CurrentUser, id: i64) -> Result<JobListing, WebError> {
    let l = store_jobs::listing(&state.store, id).await?.ok_or(WebError::NotFound)?;
    if store_jobs::may_see(&user.account, &l) {
        Ok(l)
    } else {
        Err(WebError::NotFound)
    }
}

/// `GET /jobs/{id}`
pub async fn job_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let l = visible(&state, &user, id).await?;
    let manage = store_jobs::may_manage(&user.account, &l.employer_credit_code, l.job.place);
    let reviews = manage && !user.account.role.needs_credit_code();
    let matches = if reviews && l.job.status == JobStatus::Open.code() {
        board::workers_for(&state, &user, &client, &l).await?
    } else {
        Vec::new()
    };
    // The employer sees the candidates pushed this posting (recommended), with what came
    // of each, and records a hire or a refusal; never an identity number or phone.
    let candidates = if manage && user.account.role.needs_credit_code() {
        candidates_of(&state, &user, &client, id).await?
    } else {
        Vec::new()
    };
    // A worker sees what became of their own push or application, or may apply.
    let mine = match user.account.person_id {
        Some(person) if user.account.role == jiujin_domain::access::Role::Worker => {
            let row = store_jobs::push_of(&state.store, person, id).await?;
            let outcome = row.as_ref().and_then(|p| p.outcome).and_then(jiujin_domain::jobs::PushOutcome::from_code);
            let applied = matches!(
                outcome,
                Some(jiujin_domain::jobs::PushOutcome::Applied | jiujin_domain::jobs::PushOutcome::Hired)
            );
            let open = jiujin_app::jobs::board::Vocab::is_open(&l, today());
            Some(context! {
                outcome => outcome.map(|o| o.label()),
                date => row.as_ref().and_then(|p| p.outcome_at).map(|t| t.date_naive().to_string()),
                can_apply => open && !applied,
            })
        }
        _ => None,
    };
    render(
        &state,
        &user,
        "job.html",
        context! {
            title => l.job.title.clone(), section => "jobs", j => JobView::new(&state, &l), manage, reviews,
            held => l.job.status == JobStatus::Held.code(), open => l.job.status == JobStatus::Open.code(),
            matches, candidates, mine,
        },
    )
}

async fn candidates_of(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    job: i64,
) -> Result<Vec<minijinja::Value>, WebError> {
    use jiujin_domain::jobs::PushOutcome;
    let pushes = store_jobs::pushes_for_job(&state.store, job, 200).await?;
    if pushes.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = pushes.iter().map(|p| p.person_id).collect();
    let people: std::collections::HashMap<i64, store_jobs::CandidateRow> =
        store_jobs::candidates(&state.store, &ids).await?.into_iter().map(|c| (c.id, c)).collect();
    let detail = serde_json::json!({ "purpose": "用人单位查看推荐人选", "job": job, "persons": ids.len() });
    crate::audit::record(
        state,
        &crate::audit::entry_for(
            user,
            client,
            jiujin_domain::audit::AuditAction::PersonSearch,
            "persons",
            None,
            detail,
        ),
    )
    .await?;
    let today = today();
    Ok(pushes
        .iter()
        .filter_map(|p| {
            let c = people.get(&p.person_id)?;
            let home = c.residence_region.unwrap_or(c.hukou_region);
            let town = RegionCode::from_i64(home).and_then(|r| r.town().or(r.district()));
            Some(context! {
                push => p.id, name => c.name.clone(),
                age => jiujin_domain::registry::age_on(c.birth_date, today),
                sex => jiujin_domain::identity::Sex::from_code(c.sex).map_or("", |s| s.label()),
                place => town.map(|t| state.refdata.region_path(t)).unwrap_or_default(),
                occupation => c.occupation_name.clone(),
                skill => c.skill_level.and_then(|s| u8::try_from(s).ok()).and_then(jiujin_domain::registry::SkillLevel::new).map(|s| s.label()),
                score => p.score, date => p.push_date.to_string(),
                how => if p.channel == store_jobs::CHANNEL_SELF { "自主申请" } else { "系统推送" },
                outcome => p.outcome.and_then(PushOutcome::from_code).map(PushOutcome::label),
                open => p.outcome != Some(PushOutcome::Hired.code()),
            })
        })
        .collect())
}

/// `POST /jobs/{id}/status`: approve or reject a held posting (staff, with a reason to
/// reject), or close an open one (its employer or staff).
pub async fn status_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    let l = visible(&state, &user, id).await?;
    if !store_jobs::may_manage(&user.account, &l.employer_credit_code, l.job.place) {
        return Err(WebError::NotFound);
    }
    let staff = !user.account.role.needs_credit_code();
    let note = value(&posted, "note").trim().to_string();
    let (from, to, note) = match value(&posted, "action") {
        "approve" if staff => (vec![JobStatus::Held.code()], JobStatus::Open, Some(format!("审核通过：{note}"))),
        "reject" if staff => {
            if note.is_empty() {
                return Err(WebError::Invalid { field: "note".into(), message: "驳回须填写原因".into() });
            }
            (vec![JobStatus::Held.code()], JobStatus::Rejected, Some(format!("驳回：{note}")))
        }
        "close" => (vec![JobStatus::Open.code(), JobStatus::Held.code()], JobStatus::Closed, None),
        _ => return Err(WebError::BadRequest("不支持的操作".into())),
    };
    let by = context_for(&user, &client);
    store_jobs::set_status(&state.store, id, &from, to.code(), note, &by).await.map_err(|e| match e {
        jiujin_store::StoreError::Conflict(m) => WebError::BadRequest(m),
        e => e.into(),
    })?;
    Ok(Redirect::to(&format!("/jobs/{id}")).into_response())
}

/// `GET /jobs/review`: the held postings inside the caller's region.
pub async fn review_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Html<String>, WebError> {
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    let region = match user.scope() {
        jiujin_store::Scope::City => None,
        jiujin_store::Scope::Region(r) => Some(r),
        _ => return Err(WebError::NotFound),
    };
    let held = store_jobs::held(&state.store, region, 200).await?;
    let jobs: Vec<JobView> = held.iter().map(|l| JobView::new(&state, l)).collect();
    render(&state, &user, "jobs_review.html", context! { title => "岗位审核", section => "jobs", jobs })
}

/// `GET /jobs/mine`: an employer's own postings, every state.
pub async fn mine_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Html<String>, WebError> {
    let code = user.account.credit_code.clone().ok_or(WebError::NotFound)?;
    let employer = store_jobs::employer_by_credit(&state.store, &code).await?;
    let list = store_jobs::of_employer(&state.store, &code, 500).await?;
    let jobs: Vec<JobView> = list.iter().map(|l| JobView::new(&state, l)).collect();
    render(
        &state,
        &user,
        "jobs_mine.html",
        context! {
            title => "本单位岗位", section => "jobs", jobs,
            employer => employer.map(|e| context! { name => e.name, credit_code => e.credit_code,
                dishonest => e.credit_status == CreditStatus::Dishonest.code() }),
        },
    )
}

/// One field of the posting form.
#[derive(Debug, Serialize)]
struct FieldView {
    key: &'static str,
    label: &'static str,
    help: &'static str,
    required: bool,
    value: String,
    error: Option<String>,
    options: Vec<&'static str>,
    wide: bool,
}

const FORM_SKIP: &[&str] = &["source"];

fn form_fields(posted: &Posted, errors: &[(String, String)], employer: bool) -> Vec<FieldView> {
    JOB_COLUMNS
        .iter()
        .filter(|c| !(FORM_SKIP.contains(&c.key) || employer && c.key == "credit_code"))
        .map(|c| {
            let options: Vec<&'static str> = match c.key {
                "kind" => JobKind::ALL.iter().map(|k| k.label()).collect(),
                "wage_form" => WageForm::ALL.iter().map(|k| k.label()).collect(),
                "board" => vec!["不包", "包吃住", "包吃", "包住"],
                "sex" => vec!["不限", "男", "女"],
                _ => Vec::new(),
            };
            FieldView {
                key: c.key,
                label: c.header,
                help: c.help,
                required: c.required,
                value: value(posted, c.key).to_string(),
                error: errors.iter().find(|(h, _)| h == c.header).map(|(_, m)| m.clone()),
                options,
                wide: c.key == "description",
            }
        })
        .collect()
}

fn may_post(user: &CurrentUser) -> Result<(), WebError> {
    if user.account.role.needs_credit_code() || user.account.role.edits_registry() {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

fn form_page(
    state: &AppState,
    user: &CurrentUser,
    posted: &Posted,
    errors: &[(String, String)],
) -> Result<Response, WebError> {
    let employer = user.account.role.needs_credit_code();
    let html = render(
        state,
        user,
        "job_form.html",
        context! { title => "发布岗位", section => "jobs", fields => form_fields(posted, errors, employer), errors },
    )?;
    let status =
        if errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, html).into_response())
}

/// `GET /jobs/new`
pub async fn new_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    may_post(&user)?;
    let defaults: Posted = vec![
        ("kind".into(), "全职".into()),
        ("wage_form".into(), "月薪".into()),
        ("board".into(), "不包".into()),
        ("sex".into(), "不限".into()),
        ("headcount".into(), "1".into()),
    ];
    form_page(&state, &user, &defaults, &[])
}

/// `POST /jobs/new`: validates like a file's row; a valid posting is saved (held for
/// review when it restricts sex or cuts off older workers without a reason).
pub async fn new_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(mut posted): Form<Posted>,
) -> Result<Response, WebError> {
    may_post(&user)?;
    user.check_form_token(value(&posted, "csrf"))?;
    if let Some(code) = &user.account.credit_code {
        posted.retain(|(k, _)| k != "credit_code");
        posted.push(("credit_code".into(), code.clone()));
    }
    let source = if user.account.role.needs_credit_code() { JobSource::Employer } else { JobSource::Staff };
    posted.retain(|(k, _)| k != "source");
    posted.push(("source".into(), source.label().into()));
    let keys: Vec<&str> = JOB_COLUMNS.iter().map(|c| c.key).collect();
    let cells: Vec<String> = keys.iter().map(|k| value(&posted, k).to_string()).collect();
    let map = Mapped::from_headers(JOB_COLUMNS, &keys).map_err(|e| WebError::Internal(e.to_string()))?;
    let p = match validate_posting(state.refdata, &map, cells.as_slice(), today()) {
        Ok(p) => p,
        Err(errors) => {
            let errors: Vec<(String, String)> = errors.into_iter().map(|e| (e.column.to_string(), e.message)).collect();
            return form_page(&state, &user, &posted, &errors);
        }
    };
    let employer = store_jobs::employers_by_credit(&state.store, &[p.credit_code.as_str().to_string()]).await?;
    let Some(e) = employer.get(p.credit_code.as_str()) else {
        let errors = vec![("统一社会信用代码".to_string(), "该用人单位尚未登记".to_string())];
        return form_page(&state, &user, &posted, &errors);
    };
    if !store_jobs::may_manage(&user.account, p.credit_code.as_str(), p.place.as_i64()) {
        let errors = vec![("工作地点区划代码".to_string(), "工作地点不在您的管辖范围内".to_string())];
        return form_page(&state, &user, &posted, &errors);
    }
    let row = jiujin_app::jobs::import::job_row(&p, e.id, &e.industry, today());
    let by = context_for(&user, &client);
    let id = store_jobs::save_job(&state.store, &row, &by).await?;
    Ok(Redirect::to(&format!("/jobs/{id}")).into_response())
}

/// `POST /pushes/{id}/outcome`: what came of a push (staff who edit the registry,
/// inside their scope; a hire changes the worker's status by an event).
pub async fn outcome_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    use jiujin_app::jobs::push::{record_outcome, OutcomeError};
    use jiujin_domain::jobs::PushOutcome;
    user.check_form_token(value(&posted, "csrf"))?;
    let outcome = PushOutcome::parse(value(&posted, "outcome")).ok_or_else(|| WebError::Invalid {
        field: "outcome".into(),
        message: "推送结果应为已查看、已申请、已录用或不感兴趣".into(),
    })?;
    let push = jiujin_store::jobs::push(&state.store, id).await?.ok_or(WebError::NotFound)?;
    let a = &user.account;
    // Who may say what came of a push: staff (inside their scope); the worker it went
    // to (anything but a hire, which the employer or staff confirm); the employer of
    // its posting (the person is reached through the posting, not through a scope).
    let own = a.person_id == Some(push.person_id) && outcome != PushOutcome::Hired;
    let (scope, back) = if a.role.edits_registry() || own {
        (user.scope(), format!("/registry/{}", push.person_id))
    } else if a.role.needs_credit_code() {
        let l = jiujin_store::jobs::listing(&state.store, push.job_id).await?.ok_or(WebError::NotFound)?;
        if !store_jobs::may_manage(a, &l.employer_credit_code, l.job.place) {
            return Err(WebError::NotFound);
        }
        (jiujin_store::Scope::City, format!("/jobs/{}", push.job_id))
    } else {
        return Err(WebError::NotFound);
    };
    let by = context_for(&user, &client);
    match record_outcome(&state.store, scope, id, outcome, today(), &by).await {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        Err(OutcomeError::NotFound) => Err(WebError::NotFound),
        Err(OutcomeError::Conflict(m)) => Err(WebError::BadRequest(m)),
        Err(OutcomeError::Store(e)) => Err(e.into()),
    }
}

/// `POST /jobs/{id}/apply`: a worker applies to an open posting they found (自主申请);
/// the posting's employer then sees them among its candidates.
pub async fn apply_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    use jiujin_app::jobs::push::{apply, OutcomeError};
    user.check_form_token(value(&posted, "csrf"))?;
    let person = match user.account.person_id {
        Some(p) if user.account.role == jiujin_domain::access::Role::Worker => p,
        _ => return Err(WebError::NotFound),
    };
    visible(&state, &user, id).await?;
    let board = board::board(&state).await?;
    let by = context_for(&user, &client);
    match apply(&state.store, board, user.scope(), person, id, today(), &by).await {
        Ok(_) => Ok(Redirect::to(&format!("/jobs/{id}")).into_response()),
        Err(OutcomeError::NotFound) => Err(WebError::NotFound),
        Err(OutcomeError::Conflict(m)) => Err(WebError::BadRequest(m)),
        Err(OutcomeError::Store(e)) => Err(e.into()),
    }
}

/// `GET /jobs/quality`: the match-quality report (pushes → applications → hires) by
/// district and by group, over the persons in the caller's scope.
pub async fn quality_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Html<String>, WebError> {
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    let r = jiujin_app::jobs::quality::report(&state.store, state.refdata, user.scope()).await?;
    let pct = |s: Option<f64>| s.map_or_else(|| "—".to_string(), |x| format!("{:.1}%", x * 100.0));
    let row = |r: &jiujin_app::jobs::quality::QualityRow| {
        let q = &r.counts;
        context! { label => r.label.clone(), pushes => q.pushes, applied => q.applied, hired => q.hired,
        applied_share => pct(r.applied_share), hired_share => pct(r.hired_share),
        self_applied => q.self_applied, self_hired => q.self_hired }
    };
    let districts: Vec<_> = r.districts.iter().map(row).collect();
    let groups: Vec<_> = r.groups.iter().map(row).collect();
    render(
        &state,
        &user,
        "jobs_quality.html",
        context! { title => "推送成效", section => "jobs", districts, groups, total => row(&r.total) },
    )
}

/// One row of the match-quality report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QualityRowView {
    /// 区县6位代码、人员类别键（如 poverty_alleviated）或 total（合计）
    pub key: String,
    /// 区县名称、人员类别或“合计”
    pub label: String,
    /// 推送条数（不含自主申请）
    pub pushes: i64,
    /// 推送后申请的条数（录用也计入）
    pub applied: i64,
    /// 推送后录用的条数
    pub hired: i64,
    /// 申请率（applied ÷ pushes），无推送时为 null
    pub applied_share: Option<f64>,
    /// 录用率（hired ÷ pushes），无推送时为 null
    pub hired_share: Option<f64>,
    /// 求职人员自主申请的条数
    pub self_applied: i64,
    /// 自主申请后录用的条数
    pub self_hired: i64,
}

impl From<&jiujin_app::jobs::quality::QualityRow> for QualityRowView {
    fn from(r: &jiujin_app::jobs::quality::QualityRow) -> QualityRowView {
        let q = &r.counts;
        QualityRowView {
            key: r.key.clone(),
            label: r.label.clone(),
            pushes: q.pushes,
            applied: q.applied,
            hired: q.hired,
            applied_share: r.applied_share,
            hired_share: r.hired_share,
            self_applied: q.self_applied,
            self_hired: q.self_hired,
        }
    }
}

/// The match-quality report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QualityView {
    /// 按户籍地区县
    pub districts: Vec<QualityRowView>,
    /// 按人员类别（一人可属多个类别，各类别之和不等于合计）
    pub groups: Vec<QualityRowView>,
    pub total: QualityRowView,
}

/// The match-quality report over the caller's scope.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/quality",
    summary = "推送成效",
    description = "本账号范围内人员收到的岗位推送，及其后的申请和录用，按户籍地区县和人员类别统计；求职人员自主申请的另列，不计入推送。仅经办角色可用，其他角色答 404。",
    tag = "岗位",
    responses(
        (status = 200, description = "推送成效报表", body = QualityView),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "本账号无权查看", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_quality(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<axum::Json<QualityView>, WebError> {
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    let r = jiujin_app::jobs::quality::report(&state.store, state.refdata, user.scope()).await?;
    Ok(axum::Json(QualityView {
        districts: r.districts.iter().map(QualityRowView::from).collect(),
        groups: r.groups.iter().map(QualityRowView::from).collect(),
        total: QualityRowView::from(&r.total),
    }))
}

/// `GET /templates/employers.xlsx` and `/templates/jobs.xlsx`: the blank import
/// templates with each column's help.
pub async fn template_download(Path(name): Path<String>) -> Result<Response, WebError> {
    use axum::http::header;
    let (jobs, file, zh) = match name.as_str() {
        "employers.xlsx" => (
            false,
            "employers-template.xlsx",
            "%E7%94%A8%E4%BA%BA%E5%8D%95%E4%BD%8D%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx",
        ),
        "jobs.xlsx" => (
            true,
            "jobs-template.xlsx",
            "%E6%8B%9B%E8%81%98%E5%B2%97%E4%BD%8D%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx",
        ),
        _ => return Err(WebError::NotFound),
    };
    let bytes = jiujin_app::jobs::export::template_xlsx(jobs).map_err(|e| WebError::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"{file}\"; filename*=UTF-8''{zh}");
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
