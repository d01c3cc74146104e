//! 返乡创业 (SPEC §6): `/startups` the entrepreneurs of the caller's scope and the
//! registration form (also as Excel), `/startups/{id}` one with its business, loans,
//! park and mentors; `/startups/parks` the 返乡创业园区 with tenants and yearly
//! evaluations; `/startups/mentors` the 导师库; `/startups/outside` the 在外创业成功人士
//! 信息库. Staff who edit the registry only.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiujin_app::startups::StartupError;
use jiujin_domain::startups::ParkGrade;
use jiujin_domain::{Fen, RegionCode};
use minijinja::context;

use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::{Path, Query};
use crate::jobs::{today, value, Posted};
use crate::lists::{home, outcome, staff, xlsx, MessageQuery};
use crate::{AppState, WebError};

fn place(state: &AppState, code: i64) -> String {
    RegionCode::from_i64(code).map(|r| state.refdata.region_path(r)).unwrap_or_default()
}

fn range(user: &CurrentUser) -> Result<Option<(i64, i64)>, WebError> {
    jiujin_app::startups::region_range(user.scope()).map_err(|_| WebError::NotFound)
}

/// `GET /startups`
pub async fn list_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    range(&user)?;
    let rows = jiujin_store::startups::entrepreneurs(&state.store, user.scope()).await?;
    let items: Vec<_> = rows
        .iter()
        .map(|r| {
            context! {
                id => r.e.id, name => r.name.clone(), business => r.e.business_name.clone(),
                place => place(&state, r.e.region), started_on => r.e.started_on.to_string(),
                returned_on => r.e.returned_on.map(|d| d.to_string()), employees => r.e.employees,
            }
        })
        .collect();
    let jobs: i64 = rows.iter().map(|r| i64::from(r.e.employees)).sum();
    crate::lists::audit_list(&state, &user, &client, "startups.entrepreneurs", items.len()).await?;
    render(
        &state,
        &user,
        "startups.html",
        context! { title => "返乡创业", section => "services", items, jobs, home => home(&user), today => today().to_string(), error => q.error },
    )
}

/// `GET /startups.xlsx`, audited as an export.
pub async fn list_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
) -> Result<Response, WebError> {
    staff(&user)?;
    range(&user)?;
    let rows = jiujin_store::startups::entrepreneurs(&state.store, user.scope()).await?;
    let bytes = jiujin_app::startups::entrepreneurs_xlsx(state.refdata, &rows)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let by = context_for(&user, &client);
    let detail = serde_json::json!({ "what": "entrepreneurs", "rows": rows.len() });
    jiujin_store::audit::record(
        &state.store,
        &by.entry(jiujin_domain::audit::AuditAction::ExportRun, "entrepreneurs", None, detail),
    )
    .await?;
    Ok(xlsx("startups.xlsx", bytes))
}

/// `POST /startups`
pub async fn create_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let i = jiujin_app::startups::EntrepreneurInput {
        id_number: value(&posted, "id_number"),
        returned_on: value(&posted, "returned_on"),
        business_name: value(&posted, "business_name"),
        credit_code: value(&posted, "credit_code"),
        industry: value(&posted, "industry"),
        region: value(&posted, "region"),
        started_on: value(&posted, "started_on"),
        employees: value(&posted, "employees"),
    };
    let by = context_for(&user, &client);
    match jiujin_app::startups::register(&state.store, &state.keys, state.refdata, user.scope(), &i, today(), &by).await
    {
        Ok(id) => Ok(Redirect::to(&format!("/startups/{id}")).into_response()),
        r => outcome(r, "/startups", "/startups"),
    }
}

/// `GET /startups/{id}`
pub async fn entrepreneur_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let r = jiujin_store::startups::entrepreneur(&state.store, user.scope(), id).await?.ok_or(WebError::NotFound)?;
    let employer = match &r.e.credit_code {
        Some(c) => jiujin_store::jobs::employer_by_credit(&state.store, c).await?.map(|e| e.name),
        None => None,
    };
    let loans: Vec<_> = jiujin_store::startups::loans_of(&state.store, id)
        .await?
        .iter()
        .map(|l| {
            context! { lender => l.lender.clone(), amount => Fen(l.amount_fen).to_yuan_compact(), granted_on => l.granted_on.to_string(),
            term => l.term_months, guaranteed => l.guaranteed }
        })
        .collect();
    let tenancy: Vec<_> = jiujin_store::startups::tenancies_of(&state.store, id)
        .await?
        .into_iter()
        .map(|(t, park)| context! { park, entered_on => t.entered_on.to_string(), left_on => t.left_on.map(|d| d.to_string()) })
        .collect();
    let mentors: Vec<_> = jiujin_store::startups::pairings_of(&state.store, id)
        .await?
        .into_iter()
        .map(|(p, name)| context! { name, started_on => p.started_on.to_string(), ended_on => p.ended_on.map(|d| d.to_string()) })
        .collect();
    let region = range(&user)?;
    let park_options: Vec<_> = jiujin_store::startups::parks(&state.store, region)
        .await?
        .into_iter()
        .map(|p| context! { id => p.id, name => p.name })
        .collect();
    let mentor_options: Vec<_> = jiujin_store::startups::mentors(&state.store, region)
        .await?
        .into_iter()
        .map(|m| context! { id => m.id, name => format!("{}（{}，{}）", m.name, m.organisation, m.expertise) })
        .collect();
    let e = context! {
        id, name => r.name.clone(), person => r.e.person_id, business => r.e.business_name.clone(),
        credit_code => r.e.credit_code.clone(), employer, industry => r.e.industry.clone(),
        place => place(&state, r.e.region), started_on => r.e.started_on.to_string(),
        returned_on => r.e.returned_on.map(|d| d.to_string()), employees => r.e.employees,
    };
    crate::lists::audit_list(&state, &user, &client, "startups.entrepreneur", 1).await?;
    render(
        &state,
        &user,
        "startup.html",
        context! {
            title => r.e.business_name.clone(), section => "services", e, loans, tenancy, mentors, park_options, mentor_options,
            today => today().to_string(), error => q.error, saved => q.saved,
        },
    )
}

/// `POST /startups/{id}/{what}`: a loan, a park tenancy or a mentor pairing.
pub async fn entrepreneur_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path((id, what)): Path<(i64, String)>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    let here = format!("/startups/{id}");
    let saved = format!("{here}?saved={what}");
    let scope = user.scope();
    let day = |key: &str| jiujin_domain::registry::validate::parse_date(value(&posted, key).trim());
    let bad_day = || StartupError::Invalid(vec!["日期无效，应为 YYYY-MM-DD，且不晚于今天".into()]);
    match what.as_str() {
        "loans" => {
            let r = jiujin_app::startups::add_loan(
                &state.store,
                state.library,
                scope,
                id,
                value(&posted, "lender"),
                value(&posted, "amount"),
                value(&posted, "granted_on"),
                value(&posted, "term_months"),
                value(&posted, "guaranteed") == "1",
                today(),
                &by,
            )
            .await;
            outcome(r, &saved, &here)
        }
        "tenancy" => {
            let park: i64 = value(&posted, "park").parse().map_err(|_| WebError::NotFound)?;
            let r = match day("entered_on").filter(|d| *d <= today()) {
                Some(d) => jiujin_store::startups::add_tenant(&state.store, scope, park, id, d, &by)
                    .await
                    .map_err(StartupError::from),
                None => Err(bad_day()),
            };
            outcome(r, &saved, &here)
        }
        "mentors" => {
            let mentor: i64 = value(&posted, "mentor").parse().map_err(|_| WebError::NotFound)?;
            let r = match day("started_on").filter(|d| *d <= today()) {
                Some(d) => jiujin_store::startups::pair(&state.store, scope, mentor, id, d, &by)
                    .await
                    .map_err(StartupError::from),
                None => Err(bad_day()),
            };
            outcome(r, &saved, &here)
        }
        _ => Err(WebError::NotFound),
    }
}

/// `GET /startups/parks`
pub async fn parks_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let region = range(&user)?;
    let counts = jiujin_store::startups::tenant_counts(&state.store).await?;
    let evals = jiujin_store::startups::evaluations(&state.store).await?;
    let list = jiujin_store::startups::parks(&state.store, region).await?;
    // What each park may get today under the library's park policies (SPEC §5).
    let mut policies = std::collections::HashMap::new();
    for p in &list {
        let found = jiujin_app::policy::park_entitlements(&state.store, state.library, p.id, today())
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
        policies.insert(p.id, policy_lines(&found.results));
    }
    let parks: Vec<_> = list
        .into_iter()
        .map(|p| {
            let ev: Vec<_> = evals
                .iter()
                .filter(|e| e.park_id == p.id)
                .map(|e| {
                    context! { year => e.year, grade => ParkGrade::from_code(e.grade).map_or("", ParkGrade::label),
                    award => e.award_fen.map(|f| Fen(f).to_yuan_compact()) }
                })
                .collect();
            context! {
                id => p.id, name => p.name, place => place(&state, p.region), municipal => p.municipal,
                recognized_on => p.recognized_on.to_string(), tenants => counts.get(&p.id).copied().unwrap_or(0), evaluations => ev,
                policies => policies.remove(&p.id).unwrap_or_default(),
            }
        })
        .collect();
    render(
        &state,
        &user,
        "startup_parks.html",
        context! {
            title => "返乡创业园区", section => "services", parks, home => home(&user), today => today().to_string(),
            grades => ParkGrade::ALL.iter().map(|g| g.label()).collect::<Vec<_>>(),
            last_year => chrono::Datelike::year(&today()) - 1, error => q.error, saved => q.saved,
        },
    )
}

/// `POST /startups/parks` (a park) and `POST /startups/parks/{id}` (an evaluation).
pub async fn park_create(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    let r = jiujin_app::startups::create_park(
        &state.store,
        state.refdata,
        user.scope(),
        value(&posted, "name"),
        value(&posted, "region"),
        value(&posted, "municipal") == "1",
        value(&posted, "recognized_on"),
        today(),
        &by,
    )
    .await;
    outcome(r, "/startups/parks?saved=park", "/startups/parks")
}

pub async fn park_evaluate(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    let r = jiujin_app::startups::evaluate(
        &state.store,
        state.library,
        user.scope(),
        id,
        value(&posted, "year"),
        value(&posted, "grade"),
        today(),
        &by,
    )
    .await;
    outcome(r, "/startups/parks?saved=evaluation", "/startups/parks")
}

/// `GET /startups/mentors`
pub async fn mentors_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let counts = jiujin_store::startups::pairing_counts(&state.store).await?;
    let mentors: Vec<_> = jiujin_store::startups::mentors(&state.store, range(&user)?)
        .await?
        .into_iter()
        .map(|m| {
            context! { name => m.name, organisation => m.organisation, expertise => m.expertise,
            place => place(&state, m.region), pairs => counts.get(&m.id).copied().unwrap_or(0) }
        })
        .collect();
    render(
        &state,
        &user,
        "startup_mentors.html",
        context! { title => "创业导师库", section => "services", mentors, home => home(&user), error => q.error, saved => q.saved },
    )
}

pub async fn mentor_create(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    let r = jiujin_app::startups::create_mentor(
        &state.store,
        state.refdata,
        user.scope(),
        value(&posted, "name"),
        value(&posted, "organisation"),
        value(&posted, "expertise"),
        value(&posted, "region"),
        today(),
        &by,
    )
    .await;
    outcome(r, "/startups/mentors?saved=1", "/startups/mentors")
}

/// `GET /startups/outside`
pub async fn outside_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let items: Vec<_> = jiujin_store::startups::outside(&state.store, range(&user)?)
        .await?
        .into_iter()
        .map(|o| {
            context! {
                name => o.name, home => place(&state, o.home_region),
                province => state.refdata.province_name(o.province).unwrap_or("").to_string(), city => o.city,
                enterprise => o.enterprise, industry => o.industry, employees => o.employees, willing => o.willing_to_return,
            }
        })
        .collect();
    render(
        &state,
        &user,
        "startup_outside.html",
        context! { title => "在外创业成功人士信息库", section => "services", items, home => home(&user), error => q.error, saved => q.saved },
    )
}

pub async fn outside_create(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    let i = jiujin_app::startups::OutsideInput {
        name: value(&posted, "name"),
        home_region: value(&posted, "home_region"),
        province: value(&posted, "province"),
        city: value(&posted, "city"),
        enterprise: value(&posted, "enterprise"),
        industry: value(&posted, "industry"),
        employees: value(&posted, "employees"),
        willing_to_return: value(&posted, "willing") == "1",
    };
    let r = jiujin_app::startups::create_outside(&state.store, state.refdata, user.scope(), &i, today(), &by).await;
    outcome(r, "/startups/outside?saved=1", "/startups/outside")
}

/// `GET /startups/parks.xlsx`, `/startups/mentors.xlsx`, `/startups/outside.xlsx`: the
/// registers of the caller's region as Excel (no person's identity in any).
pub async fn parks_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    staff(&user)?;
    let counts = jiujin_store::startups::tenant_counts(&state.store).await?;
    let evals = jiujin_store::startups::evaluations(&state.store).await?;
    let rows: Vec<Vec<String>> = jiujin_store::startups::parks(&state.store, range(&user)?)
        .await?
        .into_iter()
        .map(|p| {
            let ev: Vec<String> = evals
                .iter()
                .filter(|e| e.park_id == p.id)
                .map(|e| {
                    let award =
                        e.award_fen.map(|f| format!("，奖补{}元", Fen(f).to_yuan_compact())).unwrap_or_default();
                    format!("{}年{}{award}", e.year, ParkGrade::from_code(e.grade).map_or("", ParkGrade::label))
                })
                .collect();
            vec![
                p.name,
                place(&state, p.region),
                if p.municipal { "市级".into() } else { "区县级".into() },
                p.recognized_on.to_string(),
                counts.get(&p.id).copied().unwrap_or(0).to_string(),
                ev.join("；"),
            ]
        })
        .collect();
    let bytes = jiujin_app::services::table_xlsx(
        "返乡创业园区",
        &["园区", "所在地", "级别", "认定日期", "在园企业", "年度评估"],
        &rows,
    )
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(xlsx("startup-parks.xlsx", bytes))
}

pub async fn mentors_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    staff(&user)?;
    let counts = jiujin_store::startups::pairing_counts(&state.store).await?;
    let rows: Vec<Vec<String>> = jiujin_store::startups::mentors(&state.store, range(&user)?)
        .await?
        .into_iter()
        .map(|m| {
            vec![
                m.name,
                m.organisation,
                m.expertise,
                place(&state, m.region),
                counts.get(&m.id).copied().unwrap_or(0).to_string(),
            ]
        })
        .collect();
    let bytes =
        jiujin_app::services::table_xlsx("创业导师库", &["导师", "所在单位", "擅长领域", "所在地", "结对中"], &rows)
            .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(xlsx("startup-mentors.xlsx", bytes))
}

pub async fn outside_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    staff(&user)?;
    let rows: Vec<Vec<String>> = jiujin_store::startups::outside(&state.store, range(&user)?)
        .await?
        .into_iter()
        .map(|o| {
            vec![
                o.name,
                place(&state, o.home_region),
                format!("{}{}", state.refdata.province_name(o.province).unwrap_or(""), o.city),
                o.enterprise,
                o.industry.unwrap_or_default(),
                o.employees.to_string(),
                if o.willing_to_return { "是".into() } else { String::new() },
            ]
        })
        .collect();
    let bytes = jiujin_app::services::table_xlsx(
        "在外创业成功人士",
        &["姓名", "家乡", "创业地", "企业", "行业", "企业人数", "有返乡意向"],
        &rows,
    )
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(xlsx("startup-outside.xlsx", bytes))
}

/// Each evaluated policy as one line: its title, whether it is granted and the amount
/// (or what is missing).
pub(crate) fn policy_lines(results: &[jiujin_domain::policy::Evaluation]) -> Vec<minijinja::Value> {
    results
        .iter()
        .map(|e| {
            context! { id => e.policy.as_str().to_string(), title => e.title.clone(), status => e.status_label,
            eligible => e.eligible, amount => e.amount_text.clone() }
        })
        .collect()
}
