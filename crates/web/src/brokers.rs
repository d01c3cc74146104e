//! 劳务经纪人 (SPEC §6): `/brokers` the brokers of the caller's region (staff) with the
//! registration form, `/brokers/{id}` a broker (its people placed with their claims,
//! its integrity record) for the staff of its region and for the broker's own account,
//! the placement and claim forms, and `/brokers/claims` the review of the claims of
//! persons in the caller's scope (also as Excel). To any other role these pages do not
//! exist.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiujin_domain::access::Role;
use jiujin_domain::brokers::{BrokerKind, ClaimStatus, IntegrityKind};
use jiujin_domain::Fen;
use jiujin_store::entity::broker;
use minijinja::context;
use serde::Deserialize;

use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::{Path, Query};
use crate::jobs::{today, value, Posted};
use crate::lists::{back, staff, xlsx, FormError, MessageQuery};
use crate::{AppState, WebError};

/// The broker a request may act on: staff of its region, or the broker's own account.
/// Returns it and whether the caller is staff.
async fn acting_on(state: &AppState, user: &CurrentUser, id: i64) -> Result<(broker::Model, bool), WebError> {
    if user.account.role == Role::Broker {
        let own = jiujin_store::brokers::broker_of_account(&state.store, &user.account.username).await?;
        return match own {
            Some(b) if b.id == id => Ok((b, false)),
            _ => Err(WebError::NotFound),
        };
    }
    staff(user)?;
    let b = jiujin_app::brokers::visible(&state.store, user.scope(), id).await.map_err(|_| WebError::NotFound)?;
    Ok((b, true))
}

/// `GET /brokers`: the brokers of the caller's region; a broker's account goes to its
/// own page.
pub async fn list_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<MessageQuery>,
) -> Result<Response, WebError> {
    if user.account.role == Role::Broker {
        let own = jiujin_store::brokers::broker_of_account(&state.store, &user.account.username).await?;
        return match own {
            Some(b) => Ok(Redirect::to(&format!("/brokers/{}", b.id)).into_response()),
            None => Err(WebError::NotFound),
        };
    }
    staff(&user)?;
    let brokers = jiujin_app::brokers::list(&state.store, state.refdata, user.scope(), today())
        .await
        .map_err(|_| WebError::NotFound)?;
    let home = match user.scope() {
        jiujin_store::Scope::Region(r) => r.short(),
        _ => String::new(),
    };
    Ok(render(
        &state,
        &user,
        "brokers.html",
        context! {
            title => "劳务经纪人", section => "services", brokers, home,
            kinds => BrokerKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(), error => q.error, saved => q.saved,
        },
    )?
    .into_response())
}

/// `POST /brokers`: registers a broker.
pub async fn create_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let input = jiujin_app::brokers::BrokerInput {
        name: value(&posted, "name"),
        kind: value(&posted, "kind"),
        credit_code: value(&posted, "credit_code"),
        region: value(&posted, "region"),
        username: value(&posted, "username"),
    };
    let by = context_for(&user, &client);
    match jiujin_app::brokers::register(&state.store, state.refdata, user.scope(), &input, &by).await {
        Ok(id) => Ok(Redirect::to(&format!("/brokers/{id}")).into_response()),
        Err(e) => Ok(back("/brokers", &e.message()?)),
    }
}

/// `GET /brokers/{id}`: a broker, its people placed and its integrity record.
pub async fn broker_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    let (b, is_staff) = acting_on(&state, &user, id).await?;
    let summary =
        jiujin_app::brokers::summary(&state.store, state.refdata, &b, today()).await.map_err(|_| WebError::NotFound)?;
    let months = state.broker_min_insured_months;
    let mut placements = Vec::new();
    for p in jiujin_store::brokers::placements_of(&state.store, b.id).await? {
        let claim = p.claim.as_ref().map(|c| {
            context! {
                status => ClaimStatus::from_code(c.status).map_or("", ClaimStatus::label),
                amount => c.amount_fen.map(|f| Fen(f).to_yuan_compact()), reason => c.reason.clone(),
            }
        });
        // What a claim would find today, so the broker sees why it may not claim yet.
        let check = if p.claim.is_none() {
            let a = jiujin_app::brokers::assess_placement(&state.store, &p, months, today())
                .await
                .map_err(|_| WebError::NotFound)?;
            Some(context! { eligible => a.eligible(), basis => a.basis.join("、"), problems => a.problems })
        } else {
            None
        };
        placements.push(context! {
            id => p.placement.id, name => p.name.clone(), hired_on => p.placement.hired_on.to_string(),
            employer => p.placement.employer_name.clone(), claim, check,
        });
    }
    let integrity: Vec<_> = jiujin_app::brokers::integrity(&state.store, b.id)
        .await
        .map_err(|_| WebError::NotFound)?
        .into_iter()
        .map(|(d, k, note)| context! { date => d.to_string(), kind => k.label(), note })
        .collect();
    crate::lists::audit_list(&state, &user, &client, "brokers.placements", placements.len()).await?;
    render(
        &state,
        &user,
        "broker.html",
        context! {
            title => b.name.clone(), section => "services", b => summary, placements, integrity, is_staff, months,
            integrity_kinds => IntegrityKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
            today => today().to_string(), error => q.error, saved => q.saved,
        },
    )
}

/// `POST /brokers/{id}/placements`: credits the broker with a hire.
pub async fn placement_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    let (b, is_staff) = acting_on(&state, &user, id).await?;
    // Staff find the person inside their scope; the broker names the exact number.
    let lookup = if is_staff { user.scope() } else { jiujin_store::Scope::City };
    let by = context_for(&user, &client);
    let to = format!("/brokers/{id}");
    match jiujin_app::brokers::record_placement(
        &state.store,
        &state.keys,
        lookup,
        &b,
        value(&posted, "id_number"),
        value(&posted, "hired_on"),
        value(&posted, "employer"),
        today(),
        &by,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{to}?saved=placement")).into_response()),
        Err(e) => Ok(back(&to, &e.message()?)),
    }
}

/// `POST /placements/{id}/claim`: the broker (or staff for it) claims the subsidy.
pub async fn claim_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    let p = jiujin_store::brokers::placement(&state.store, id).await?.ok_or(WebError::NotFound)?;
    let (b, _) = acting_on(&state, &user, p.placement.broker_id).await?;
    let by = context_for(&user, &client);
    let to = format!("/brokers/{}", b.id);
    match jiujin_app::brokers::claim(&state.store, &b, id, state.broker_min_insured_months, today(), &by).await {
        Ok(_) => Ok(Redirect::to(&format!("{to}?saved=claim")).into_response()),
        Err(e) => Ok(back(&to, &e.message()?)),
    }
}

/// `POST /brokers/{id}/integrity`: staff add to the integrity record.
pub async fn integrity_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    let (b, is_staff) = acting_on(&state, &user, id).await?;
    if !is_staff {
        return Err(WebError::NotFound);
    }
    let by = context_for(&user, &client);
    let to = format!("/brokers/{}", b.id);
    match jiujin_app::brokers::add_integrity(
        &state.store,
        b.id,
        value(&posted, "date"),
        value(&posted, "kind"),
        value(&posted, "note"),
        today(),
        &by,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{to}?saved=integrity")).into_response()),
        Err(e) => Ok(back(&to, &e.message()?)),
    }
}

/// `POST /brokers/{id}/active`: staff suspend or reinstate a broker.
pub async fn active_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    let (b, is_staff) = acting_on(&state, &user, id).await?;
    if !is_staff {
        return Err(WebError::NotFound);
    }
    let by = context_for(&user, &client);
    jiujin_store::brokers::set_active(&state.store, b.id, value(&posted, "active") == "1", &by).await?;
    Ok(Redirect::to(&format!("/brokers/{}?saved=active", b.id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ClaimsQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

fn status_filter(s: Option<&str>) -> Option<ClaimStatus> {
    match s {
        Some("submitted") | None => Some(ClaimStatus::Submitted),
        Some("approved") => Some(ClaimStatus::Approved),
        Some("rejected") => Some(ClaimStatus::Rejected),
        Some(_) => None,
    }
}

/// `GET /brokers/claims`: the claims of persons in the caller's scope.
pub async fn claims_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<ClaimsQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let status = status_filter(q.status.as_deref());
    let rows = jiujin_app::brokers::claims(&state.store, user.scope(), status).await.map_err(|_| WebError::NotFound)?;
    let claims: Vec<_> = rows
        .iter()
        .map(|r| {
            context! {
                id => r.claim.id, broker => r.broker.clone(), broker_id => r.claim.broker_id, name => r.name.clone(),
                person => r.claim.person_id, employer => r.employer_name.clone(), hired_on => r.hired_on.to_string(),
                basis => r.claim.basis.clone(), stable_from => r.claim.stable_from.to_string(),
                claimed_on => r.claim.claimed_on.to_string(),
                status => ClaimStatus::from_code(r.claim.status).map_or("", ClaimStatus::label),
                open => r.claim.status == ClaimStatus::Submitted.code(),
                amount => r.claim.amount_fen.map(|f| Fen(f).to_yuan_compact()), reason => r.claim.reason.clone(),
            }
        })
        .collect();
    let shown = q.status.clone().unwrap_or_else(|| "submitted".into());
    crate::lists::audit_list(&state, &user, &client, "brokers.claims", claims.len()).await?;
    render(
        &state,
        &user,
        "broker_claims.html",
        context! { title => "经纪人服务补助审核", section => "services", claims, shown, error => q.error, saved => q.saved },
    )
}

/// `GET /brokers/claims.xlsx`: the claims in the caller's scope (all states) as Excel,
/// audited as an export.
pub async fn claims_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
) -> Result<Response, WebError> {
    staff(&user)?;
    let rows = jiujin_app::brokers::claims(&state.store, user.scope(), None).await.map_err(|_| WebError::NotFound)?;
    let bytes = jiujin_app::brokers::claims_xlsx(&rows).map_err(|e| WebError::Internal(e.to_string()))?;
    let by = context_for(&user, &client);
    let detail = serde_json::json!({ "what": "broker_claims", "rows": rows.len() });
    jiujin_store::audit::record(
        &state.store,
        &by.entry(jiujin_domain::audit::AuditAction::ExportRun, "broker_claims", None, detail),
    )
    .await?;
    Ok(xlsx("broker-claims.xlsx", bytes))
}

/// `POST /brokers/claims/{id}/decide`: approve (with the amount) or reject (with a reason).
pub async fn decide_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let by = context_for(&user, &client);
    let approve = value(&posted, "decision") == "approve";
    match jiujin_app::brokers::decide(
        &state.store,
        user.scope(),
        id,
        approve,
        value(&posted, "amount"),
        value(&posted, "reason"),
        &by,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/brokers/claims?saved=1").into_response()),
        Err(e) => Ok(back("/brokers/claims", &e.message()?)),
    }
}

/// `GET /brokers.xlsx`: the brokers of the caller's region with their counts.
pub async fn list_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    staff(&user)?;
    let brokers = jiujin_app::brokers::list(&state.store, state.refdata, user.scope(), today())
        .await
        .map_err(|_| WebError::NotFound)?;
    let rows: Vec<Vec<String>> = brokers
        .iter()
        .map(|b| {
            vec![
                b.name.clone(),
                b.kind.to_string(),
                b.place.clone(),
                if b.active { "在册".into() } else { "已暂停".into() },
                b.standing.to_string(),
                b.placements.to_string(),
                b.claims_submitted.to_string(),
                b.claims_approved.to_string(),
                b.paid_yuan.clone(),
            ]
        })
        .collect();
    let bytes = jiujin_app::services::table_xlsx(
        "劳务经纪人",
        &["经纪人", "类型", "所在地", "状态", "诚信", "推荐就业", "补助待审核", "补助已批准", "已补助（元）"],
        &rows,
    )
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(xlsx("brokers.xlsx", bytes))
}
