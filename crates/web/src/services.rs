//! 跟踪服务 (SPEC §6): the follow-up work list of the caller's region (who is overdue
//! or due for the monthly contact, most overdue first, and the counts by town), the
//! 1+1+3+1 gap list of the registered-unemployed 脱贫 persons, and the form on a
//! person's page that records a contact. Staff who edit the registry only (a village
//! grid worker sees their village); to anyone else these pages do not exist.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use minijinja::context;
use serde::Deserialize;

use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::Path;
use crate::jobs::{today, value, Posted};
use crate::{AppState, WebError};

/// Rows a page shows at most (the counts above them cover everyone).
const PAGE_ROWS: usize = 500;

fn staff(user: &CurrentUser) -> Result<(), WebError> {
    if user.account.role.edits_registry() {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct WorkQuery {
    #[serde(default)]
    show: Option<String>,
}

/// `GET /services`: the follow-up work list.
pub async fn work_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
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
    render(
        &state,
        &user,
        "services_gaps.html",
        context! { title => "1+1+3+1 服务", section => "services", r, districts, gaps, more },
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
