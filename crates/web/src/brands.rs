//! 劳务品牌 (seed 001 §(三)): `/brands` the brands of the caller's region with the
//! year's new 市级 brands against the city's target, and the form that registers one;
//! `/brands/{id}` a brand with what `labor-brand-award` gives it today and the forms
//! that record its recognition (市级, 国家级) and its assessment. Staff who edit the
//! registry only; a brand outside the caller's region does not exist for them.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::Datelike;
use jiujin_domain::brands::{new_in_year, BrandCategory, BrandLevel, Recognitions};
use minijinja::context;

use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::{Path, Query};
use crate::jobs::{today, value, Posted};
use crate::lists::{back, home, staff, FormError, MessageQuery};
use crate::{AppState, WebError};

/// `GET /brands`
pub async fn brands_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let list = jiujin_app::brands::brands(&state.store, user.scope()).await.map_err(|_| WebError::NotFound)?;
    let year = today().year();
    let recognitions = |b: &jiujin_store::entity::labor_brand::Model| Recognitions {
        municipal_on: b.municipal_on,
        national_on: b.national_on,
    };
    let new_municipal = list.iter().filter(|b| new_in_year(recognitions(b), BrandLevel::Municipal, year)).count();
    let national = list.iter().filter(|b| b.national_on.is_some()).count();
    let brands: Vec<_> = list
        .iter()
        .map(|b| {
            let (place, category) = jiujin_app::brands::describe(state.refdata, b);
            context! {
                id => b.id, name => b.name.clone(), place, category, trade => b.trade.clone(),
                municipal_on => b.municipal_on.map(|d| d.to_string()), national_on => b.national_on.map(|d| d.to_string()),
                workers => b.workers,
            }
        })
        .collect();
    let categories: Vec<_> = BrandCategory::ALL.iter().map(|c| c.label()).collect();
    render(
        &state,
        &user,
        "brands.html",
        context! {
            title => "劳务品牌", section => "services", brands, year, new_municipal, national, categories,
            home => home(&user), error => q.error,
        },
    )
}

/// `POST /brands`
pub async fn brand_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    let input = jiujin_app::brands::BrandInput {
        name: value(&posted, "name"),
        region: value(&posted, "region"),
        category: value(&posted, "category"),
        trade: value(&posted, "trade"),
        lead_organisation: value(&posted, "lead_organisation"),
        lead_credit_code: value(&posted, "lead_credit_code"),
    };
    match jiujin_app::brands::register(&state.store, state.refdata, user.scope(), &input, &by).await {
        Ok(id) => Ok(Redirect::to(&format!("/brands/{id}")).into_response()),
        Err(e) => Ok(back("/brands", &e.message()?)),
    }
}

/// `GET /brands/{id}`
pub async fn brand_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let b = jiujin_app::brands::brand_in_scope(&state.store, user.scope(), id).await.map_err(|_| WebError::NotFound)?;
    let found = jiujin_app::policy::brand_entitlements(&state.store, state.library, id, today())
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let policies = crate::startups::policy_lines(&found.results);
    let (place, category) = jiujin_app::brands::describe(state.refdata, &b);
    render(
        &state,
        &user,
        "brand.html",
        context! {
            title => b.name.clone(), section => "services", id, name => b.name.clone(), place, category,
            trade => b.trade.clone(), lead => b.lead_organisation.clone(), lead_code => b.lead_credit_code.clone(),
            municipal_on => b.municipal_on.map(|d| d.to_string()), national_on => b.national_on.map(|d| d.to_string()),
            workers => b.workers, award => b.award_assessed_fen.map(|f| jiujin_domain::Fen(f).to_yuan_compact()),
            policies, today => today().to_string(), error => q.error, saved => q.saved,
        },
    )
}

/// `POST /brands/{id}/recognise` (level 市级 or 国家级, and the day) and
/// `POST /brands/{id}/assess` (带动就业人数 and the award assessed).
pub async fn brand_change(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path((id, what)): Path<(i64, String)>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    let done = match what.as_str() {
        "recognise" => {
            jiujin_app::brands::recognise(
                &state.store,
                user.scope(),
                id,
                value(&posted, "level"),
                value(&posted, "on"),
                today(),
                &by,
            )
            .await
        }
        "assess" => {
            jiujin_app::brands::assess(
                &state.store,
                user.scope(),
                id,
                value(&posted, "workers"),
                value(&posted, "award"),
                &by,
            )
            .await
        }
        _ => return Err(WebError::NotFound),
    };
    let to = format!("/brands/{id}");
    match done {
        Ok(()) => Ok(Redirect::to(&format!("{to}?saved=1")).into_response()),
        Err(e) => Ok(back(&to, &e.message()?)),
    }
}
