//! 职业技能培训 (SPEC §6): `/training` the courses of the caller's region with the forms
//! that register a provider and open a course; `/training/courses/{id}` a course with
//! its trainees (inside the caller's scope), the enrolment form (by 公民身份号码) and
//! completion with certificate; `/training/rates` the post-training employment rate by
//! course and provider against the 60 % floor (also as Excel); `/training/shortage` the
//! 紧缺职业目录 of the latest monthly run. Staff who edit the registry only; a worker
//! reads their training recommendations beside their job matches (`/jobs`).

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiujin_domain::training::{CourseKind, EnrolmentState, FLOOR_NUM};
use jiujin_domain::{Fen, RegionCode};
use minijinja::context;

use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::{Path, Query};
use crate::jobs::{today, value, Posted};
use crate::lists::{back, staff, xlsx, FormError, MessageQuery};
use crate::{AppState, WebError};

fn pct(c: &jiujin_domain::training::Cohort) -> String {
    c.rate().map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// `GET /training`: the courses of the caller's region and the forms.
pub async fn courses_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let region = jiujin_app::training::region_range(user.scope()).map_err(|_| WebError::NotFound)?;
    let list = jiujin_store::training::courses(&state.store, region).await?;
    let courses: Vec<_> = list
        .iter()
        .map(|c| {
            context! {
                id => c.course.id, title => c.course.title.clone(), provider => c.provider.clone(),
                occupation => c.course.occupation.clone().unwrap_or_default(),
                kind => CourseKind::from_code(c.course.kind).map_or("", CourseKind::label),
                place => RegionCode::from_i64(c.course.region).map(|r| state.refdata.region_path(r)).unwrap_or_default(),
                starts_on => c.course.starts_on.to_string(), ends_on => c.course.ends_on.to_string(),
                capacity => c.course.capacity, taken => c.taken,
                subsidy => Fen(c.course.subsidy_fen).to_yuan_compact(),
            }
        })
        .collect();
    let providers: Vec<_> = jiujin_store::training::providers(&state.store)
        .await?
        .into_iter()
        .filter(|p| region.is_none_or(|(lo, hi)| (lo..=hi).contains(&p.region)))
        .map(|p| context! { id => p.id, name => p.name })
        .collect();
    let home = match user.scope() {
        jiujin_store::Scope::Region(r) => r.short(),
        _ => String::new(),
    };
    render(
        &state,
        &user,
        "training.html",
        context! {
            title => "职业技能培训", section => "services", courses, providers, home,
            kinds => CourseKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
            error => q.error, saved => q.saved,
        },
    )
}

/// `POST /training/providers`: registers a provider.
pub async fn provider_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    match jiujin_app::training::create_provider(
        &state.store,
        state.refdata,
        user.scope(),
        value(&posted, "name"),
        value(&posted, "credit_code"),
        value(&posted, "region"),
        &by,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/training?saved=provider").into_response()),
        Err(e) => Ok(back("/training", &e.message()?)),
    }
}

/// `POST /training/courses`: opens a course.
pub async fn course_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    let input = jiujin_app::training::CourseInput {
        provider: value(&posted, "provider"),
        title: value(&posted, "title"),
        occupation: value(&posted, "occupation"),
        kind: value(&posted, "kind"),
        region: value(&posted, "region"),
        starts_on: value(&posted, "starts_on"),
        ends_on: value(&posted, "ends_on"),
        capacity: value(&posted, "capacity"),
        subsidy: value(&posted, "subsidy"),
    };
    match jiujin_app::training::create_course(&state.store, state.refdata, user.scope(), &input, &by).await {
        Ok(id) => Ok(Redirect::to(&format!("/training/courses/{id}")).into_response()),
        Err(e) => Ok(back("/training", &e.message()?)),
    }
}

/// The course, if held inside the caller's region.
async fn visible_course(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<jiujin_store::training::CourseRow, WebError> {
    let region = jiujin_app::training::region_range(user.scope()).map_err(|_| WebError::NotFound)?;
    let c = jiujin_store::training::course(&state.store, id).await?.ok_or(WebError::NotFound)?;
    if region.is_some_and(|(lo, hi)| !(lo..=hi).contains(&c.course.region)) {
        return Err(WebError::NotFound);
    }
    Ok(c)
}

/// `GET /training/courses/{id}`: a course with its trainees.
pub async fn course_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let c = visible_course(&state, &user, id).await?;
    let rows = jiujin_store::training::enrolments_of_course(&state.store, user.scope(), id).await?;
    let enrolments: Vec<_> = rows
        .iter()
        .map(|r| {
            let e = &r.enrolment;
            context! {
                id => e.id, person => e.person_id, name => r.name.clone(), enrolled_on => e.enrolled_on.to_string(),
                state => EnrolmentState::from_code(e.state).map_or("", EnrolmentState::label),
                open => e.state == EnrolmentState::Enrolled.code(),
                completed_on => e.completed_on.map(|d| d.to_string()).unwrap_or_default(),
                cert => e.cert_level.and_then(|l| u8::try_from(l).ok()).and_then(jiujin_domain::registry::SkillLevel::new).map(|l| l.label()).unwrap_or(""),
                cert_no => e.cert_no.clone().unwrap_or_default(),
            }
        })
        .collect();
    let course = context! {
        id => c.course.id, title => c.course.title.clone(), provider => c.provider.clone(),
        occupation => c.course.occupation.clone().unwrap_or_default(),
        kind => CourseKind::from_code(c.course.kind).map_or("", CourseKind::label),
        place => RegionCode::from_i64(c.course.region).map(|r| state.refdata.region_path(r)).unwrap_or_default(),
        starts_on => c.course.starts_on.to_string(), ends_on => c.course.ends_on.to_string(),
        capacity => c.course.capacity, taken => c.taken, subsidy => Fen(c.course.subsidy_fen).to_yuan_compact(),
    };
    crate::lists::audit_list(&state, &user, &client, "training.trainees", enrolments.len()).await?;
    render(
        &state,
        &user,
        "training_course.html",
        context! {
            title => c.course.title.clone(), section => "services", course, enrolments, today => today().to_string(),
            levels => (1..=5u8).filter_map(jiujin_domain::registry::SkillLevel::new).map(|l| l.label()).collect::<Vec<_>>(),
            error => q.error, saved => q.saved,
        },
    )
}

/// `POST /training/courses/{id}/enrol`: enrols the person with this 公民身份号码 (inside
/// the caller's scope).
pub async fn enrol_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    visible_course(&state, &user, id).await?;
    let to = format!("/training/courses/{id}");
    let id_text = value(&posted, "id_number").trim();
    let Ok(number) = jiujin_domain::identity::IdNumber::parse(id_text, today()) else {
        return Ok(back(&to, "公民身份号码无效"));
    };
    let filter =
        jiujin_store::registry::PersonFilter { id_hmac: Some(state.keys.id_hmac(&number)), ..Default::default() };
    let page = jiujin_store::registry::list_persons(&state.store, user.scope(), &filter, 0, 1).await?;
    let Some(p) = page.rows.into_iter().next() else {
        return Ok(back(&to, &format!("{} 不在实名台账中，或不在您的管辖范围内", number.masked())));
    };
    let by = context_for(&user, &client);
    match jiujin_app::training::enrol(&state.store, user.scope(), id, p.id, today(), &by).await {
        Ok(_) => Ok(Redirect::to(&format!("{to}?saved=enrol")).into_response()),
        Err(e) => Ok(back(&to, &e.message()?)),
    }
}

/// `POST /training/enrolments/{id}/finish`: completion (with certificate) or dropping out.
pub async fn finish_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let course: i64 = value(&posted, "course").parse().map_err(|_| WebError::NotFound)?;
    visible_course(&state, &user, course).await?;
    let to = format!("/training/courses/{course}");
    let f = jiujin_app::training::FinishInput {
        state: value(&posted, "state"),
        date: value(&posted, "date"),
        cert_level: value(&posted, "cert_level"),
        cert_no: value(&posted, "cert_no"),
    };
    let by = context_for(&user, &client);
    match jiujin_app::training::finish(&state.store, user.scope(), id, &f, today(), &by).await {
        Ok(_) => Ok(Redirect::to(&format!("{to}?saved=finish")).into_response()),
        Err(e) => Ok(back(&to, &e.message()?)),
    }
}

/// `GET /training/rates`: post-training employment by provider and course.
pub async fn rates_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let r = jiujin_app::training::rates(&state.store, user.scope(), today()).await.map_err(|_| WebError::NotFound)?;
    let row = |c: &jiujin_domain::training::Cohort| {
        context! { closed => c.closed, employed => c.closed_employed, rate => pct(c), open => c.open,
        open_employed => c.open_employed, below => c.below_floor() }
    };
    let providers: Vec<_> = r
        .providers
        .iter()
        .map(|p| {
            context! {
                name => p.name.clone(), total => row(&p.cohort), below => p.below_floor,
                courses => p.courses.iter().map(|c| context! { id => c.course, title => c.title.clone(), c => row(&c.cohort) }).collect::<Vec<_>>(),
            }
        })
        .collect();
    render(
        &state,
        &user,
        "training_rates.html",
        context! { title => "培训后就业率", section => "services", providers, total => row(&r.total), as_of => r.as_of.to_string(), floor => FLOOR_NUM },
    )
}

/// `GET /training/rates.xlsx`: the same as Excel (no person in it).
pub async fn rates_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    staff(&user)?;
    let r = jiujin_app::training::rates(&state.store, user.scope(), today()).await.map_err(|_| WebError::NotFound)?;
    let bytes = jiujin_app::training::rates_xlsx(&r).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(xlsx("training-rates.xlsx", bytes))
}

/// `GET /training/shortage`: the latest 紧缺职业目录; city staff may run this month's.
pub async fn shortage_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let latest = jiujin_store::training::shortage(&state.store, None).await?;
    let (month, rows) = latest.unwrap_or_default();
    let rows: Vec<_> = rows
        .iter()
        .map(|r| context! { rank => r.rank, occupation => r.occupation.clone(), openings => r.openings, seekers => r.seekers, ratio => format!("{:.2}", r.ratio) })
        .collect();
    render(
        &state,
        &user,
        "training_shortage.html",
        context! {
            title => "紧缺职业目录", section => "services", month, rows,
            may_run => user.account.role.sees_city() && user.account.role.edits_registry(), saved => q.saved,
        },
    )
}

/// `POST /training/shortage`: runs this month's catalog now (city staff).
pub async fn shortage_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    if !(user.account.role.sees_city() && user.account.role.edits_registry()) {
        return Err(WebError::NotFound);
    }
    let by = context_for(&user, &client);
    let month = today().format("%Y-%m").to_string();
    jiujin_app::training::shortage_run(&state.store, &month, today(), &by)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Redirect::to("/training/shortage?saved=1").into_response())
}

/// `GET /training/courses/{id}/trainees.xlsx`: a course's trainees in the caller's
/// scope (names, no identity numbers), audited as an export.
pub async fn trainees_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff(&user)?;
    let c = visible_course(&state, &user, id).await?;
    let rows: Vec<Vec<String>> = jiujin_store::training::enrolments_of_course(&state.store, user.scope(), id)
        .await?
        .iter()
        .map(|r| {
            let e = &r.enrolment;
            vec![
                r.name.clone(),
                e.enrolled_on.to_string(),
                EnrolmentState::from_code(e.state).map_or("", EnrolmentState::label).to_string(),
                e.completed_on.map(|d| d.to_string()).unwrap_or_default(),
                e.cert_level
                    .and_then(|l| u8::try_from(l).ok())
                    .and_then(jiujin_domain::registry::SkillLevel::new)
                    .map(|l| l.label().to_string())
                    .unwrap_or_default(),
                e.cert_no.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let bytes = jiujin_app::services::table_xlsx(
        "学员",
        &["姓名", "报名日期", "状态", "结业/退训日期", "证书等级", "证书编号"],
        &rows,
    )
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let by = context_for(&user, &client);
    let detail = serde_json::json!({ "what": "training_enrolments", "course": c.course.id, "rows": rows.len() });
    jiujin_store::audit::record(
        &state.store,
        &by.entry(jiujin_domain::audit::AuditAction::ExportRun, "training_enrolments", Some(id.to_string()), detail),
    )
    .await?;
    Ok(xlsx("trainees.xlsx", bytes))
}
