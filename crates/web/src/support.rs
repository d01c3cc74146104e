//! 就业帮扶车间 and 公益性岗位 (SPEC §6): `/workshops` the workshops of the caller's
//! region with their counts (and the form that registers one), `/workshops/{id}` its
//! workers with the forms that start and end a spell; `/public-posts` the posts and
//! their holders with each one's tenure (those past their term first), the forms, and
//! both lists as Excel. Staff who edit the registry only.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiujin_domain::support::ExitReason;
use jiujin_domain::RegionCode;
use jiujin_store::support::Host;
use minijinja::context;

use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::{Path, Query};
use crate::jobs::{today, value, Posted};
use crate::lists::{back, home, staff, xlsx, FormError, MessageQuery};
use crate::{AppState, WebError};

/// `GET /workshops`
pub async fn workshops_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let (workshops, total) = jiujin_app::support::workshops(&state.store, state.refdata, user.scope(), today())
        .await
        .map_err(|_| WebError::NotFound)?;
    render(
        &state,
        &user,
        "workshops.html",
        context! {
            title => "就业帮扶车间", section => "services", workshops, total, home => home(&user),
            today => today().to_string(), error => q.error, saved => q.saved,
        },
    )
}

/// `GET /workshops.xlsx`
pub async fn workshops_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    staff(&user)?;
    let (w, total) = jiujin_app::support::workshops(&state.store, state.refdata, user.scope(), today())
        .await
        .map_err(|_| WebError::NotFound)?;
    let bytes = jiujin_app::support::workshops_xlsx(&w, &total).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(xlsx("workshops.xlsx", bytes))
}

/// `POST /workshops`
pub async fn workshop_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    match jiujin_app::support::register_workshop(
        &state.store,
        state.refdata,
        user.scope(),
        value(&posted, "name"),
        value(&posted, "credit_code"),
        value(&posted, "region"),
        value(&posted, "trade"),
        value(&posted, "recognized_on"),
        today(),
        &by,
    )
    .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/workshops/{id}")).into_response()),
        Err(e) => Ok(back("/workshops", &e.message()?)),
    }
}

async fn visible(state: &AppState, user: &CurrentUser, host: Host, id: i64) -> Result<(String, String), WebError> {
    let region = jiujin_app::support::region_range(user.scope()).map_err(|_| WebError::NotFound)?;
    let (name, at) = match host {
        Host::Workshop => {
            let w = jiujin_store::support::workshop(&state.store, id).await?.ok_or(WebError::NotFound)?;
            (w.name, w.region)
        }
        Host::Post => {
            let p = jiujin_store::support::post(&state.store, id).await?.ok_or(WebError::NotFound)?;
            (p.title, p.region)
        }
    };
    if region.is_some_and(|(lo, hi)| !(lo..=hi).contains(&at)) {
        return Err(WebError::NotFound);
    }
    let place = RegionCode::from_i64(at).map(|r| state.refdata.region_path(r)).unwrap_or_default();
    Ok((name, place))
}

/// `GET /workshops/{id}`
pub async fn workshop_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let (name, place) = visible(&state, &user, Host::Workshop, id).await?;
    let found = jiujin_app::policy::workshop_entitlements(&state.store, state.library, id, today())
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let policies = crate::startups::policy_lines(&found.results);
    let rows = jiujin_store::support::spells(&state.store, user.scope(), Host::Workshop, None, Some(id)).await?;
    let workers: Vec<_> = rows
        .iter()
        .map(|r| {
            let poor = jiujin_domain::registry::GroupFlags::from_bits(i64::from(r.flags))
                .contains(jiujin_domain::registry::GroupFlag::PovertyAlleviated);
            context! { id => r.id, person => r.person_id, name => r.name.clone(), start => r.start.to_string(),
            end => r.end.map(|d| d.to_string()), poor }
        })
        .collect();
    crate::lists::audit_list(&state, &user, &client, "workshops.workers", workers.len()).await?;
    render(
        &state,
        &user,
        "workshop.html",
        context! { title => name.clone(), section => "services", id, name, place, workers, policies, today => today().to_string(), error => q.error, saved => q.saved },
    )
}

/// `POST /workshops/{id}/workers` and `POST /public-posts/{id}/holders`: starts a spell.
async fn start(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    host: Host,
    id: i64,
    posted: &Posted,
    to: &str,
) -> Result<Response, WebError> {
    user.check_form_token(value(posted, "csrf"))?;
    staff(user)?;
    visible(state, user, host, id).await?;
    let by = context_for(user, client);
    match jiujin_app::support::start(
        &state.store,
        &state.keys,
        user.scope(),
        host,
        id,
        value(posted, "id_number"),
        value(posted, "start_on"),
        today(),
        &by,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{to}?saved=start")).into_response()),
        Err(e) => Ok(back(to, &e.message()?)),
    }
}

pub async fn worker_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    start(&state, &user, &client, Host::Workshop, id, &posted, &format!("/workshops/{id}")).await
}

pub async fn holder_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    start(&state, &user, &client, Host::Post, id, &posted, "/public-posts").await
}

/// `POST /workshops/spells/{id}/end` and `POST /public-posts/spells/{id}/end`.
async fn end(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    host: Host,
    id: i64,
    posted: &Posted,
) -> Result<Response, WebError> {
    user.check_form_token(value(posted, "csrf"))?;
    staff(user)?;
    let to = match host {
        Host::Workshop => format!("/workshops/{}", value(posted, "workshop")),
        Host::Post => "/public-posts".to_string(),
    };
    let by = context_for(user, client);
    match jiujin_app::support::end(
        &state.store,
        user.scope(),
        host,
        id,
        value(posted, "end_on"),
        value(posted, "reason"),
        today(),
        &by,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{to}?saved=end")).into_response()),
        Err(e) => Ok(back(&to, &e.message()?)),
    }
}

pub async fn worker_end(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    end(&state, &user, &client, Host::Workshop, id, &posted).await
}

pub async fn holder_end(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    end(&state, &user, &client, Host::Post, id, &posted).await
}

/// `GET /public-posts`
pub async fn posts_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let region = jiujin_app::support::region_range(user.scope()).map_err(|_| WebError::NotFound)?;
    let holders =
        jiujin_app::support::holders(&state.store, user.scope(), today()).await.map_err(|_| WebError::NotFound)?;
    let posts: Vec<_> = jiujin_store::support::posts(&state.store, region)
        .await?
        .into_iter()
        .map(|p| {
            let held = holders.iter().filter(|h| h.post == p.id && h.end.is_none()).count();
            context! {
                id => p.id, title => p.title, unit => p.unit, rural => p.rural, places => p.places, held,
                place => RegionCode::from_i64(p.region).map(|r| state.refdata.region_path(r)).unwrap_or_default(),
            }
        })
        .collect();
    let on_post = holders.iter().filter(|h| h.end.is_none()).count();
    let overdue = holders.iter().filter(|h| h.overdue).count();
    crate::lists::audit_list(&state, &user, &client, "public-posts.holders", holders.len()).await?;
    render(
        &state,
        &user,
        "public_posts.html",
        context! {
            title => "公益性岗位", section => "services", posts, holders, on_post, overdue, home => home(&user),
            reasons => ExitReason::ALL.iter().map(|r| r.label()).collect::<Vec<_>>(),
            today => today().to_string(), error => q.error, saved => q.saved,
        },
    )
}

/// `GET /public-posts.xlsx`
pub async fn posts_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
) -> Result<Response, WebError> {
    staff(&user)?;
    let holders =
        jiujin_app::support::holders(&state.store, user.scope(), today()).await.map_err(|_| WebError::NotFound)?;
    let bytes = jiujin_app::support::holders_xlsx(&holders).map_err(|e| WebError::Internal(e.to_string()))?;
    let by = context_for(&user, &client);
    let detail = serde_json::json!({ "what": "public_post_holders", "rows": holders.len() });
    jiujin_store::audit::record(
        &state.store,
        &by.entry(jiujin_domain::audit::AuditAction::ExportRun, "public_post_holders", None, detail),
    )
    .await?;
    Ok(xlsx("public-posts.xlsx", bytes))
}

/// `POST /public-posts`
pub async fn post_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    match jiujin_app::support::create_post(
        &state.store,
        state.refdata,
        user.scope(),
        value(&posted, "title"),
        value(&posted, "unit"),
        value(&posted, "region"),
        value(&posted, "rural") == "1",
        value(&posted, "places"),
        &by,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/public-posts?saved=post").into_response()),
        Err(e) => Ok(back("/public-posts", &e.message()?)),
    }
}
