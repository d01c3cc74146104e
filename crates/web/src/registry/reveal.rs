//! Showing a person's identity number and phone in full (SPEC §9): a separate action
//! from reading the page, for roles that handle cases, with a stated reason, inside
//! the caller's scope, and written to the audit log before anything is shown. The
//! page carrying the numbers is never cached.

use crate::extract::Json as JsonBody;
use crate::extract::Path;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form, Json};
use jiujin_domain::audit::AuditAction;
use jiujin_store::registry::{person, StoredPerson};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::audit::{entry_for, record, Client};
use crate::auth::{render, CurrentUser};
use crate::{AppState, WebError};

/// Shortest reason accepted (characters).
const MIN_REASON: usize = 4;
/// Longest reason kept (characters).
const MAX_REASON: usize = 200;

/// The reason, checked: what is wrong with it, in Chinese, for the field.
pub(crate) fn checked_reason(reason: &str) -> Result<String, String> {
    let r = reason.trim();
    let n = r.chars().count();
    if n < MIN_REASON {
        return Err(format!("请填写查看事由（至少{MIN_REASON}个字），例如“核对社保缴费信息”"));
    }
    if n > MAX_REASON {
        return Err(format!("查看事由不能超过{MAX_REASON}个字"));
    }
    Ok(r.to_string())
}

/// The full numbers of a person.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Revealed {
    pub id: i64,
    pub id_number: String,
    pub phone: Option<String>,
}

/// Decrypts the numbers and records the reveal; nothing is returned unless the
/// entry is written.
async fn reveal(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    p: &StoredPerson,
    reason: &str,
    via: &str,
) -> Result<Revealed, WebError> {
    let id_number = state.keys.decrypt_id(&p.id_cipher).map_err(|e| WebError::Internal(e.to_string()))?;
    let phone = match &p.phone_cipher {
        Some(c) => Some(state.keys.decrypt_phone(c).map_err(|e| WebError::Internal(e.to_string()))?),
        None => None,
    };
    let fields: Vec<&str> = if phone.is_some() { vec!["id_number", "phone"] } else { vec!["id_number"] };
    let detail = serde_json::json!({ "reason": reason, "fields": fields, "via": via });
    record(state, &entry_for(user, client, AuditAction::IdentityReveal, "person", Some(p.id.to_string()), detail))
        .await?;
    Ok(Revealed { id: p.id, id_number, phone })
}

fn may_reveal(user: &CurrentUser) -> Result<(), WebError> {
    if user.account.role.reveals_identity() {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!("{}账号无权查看完整号码", user.account.role.label())))
    }
}

#[derive(Debug, Deserialize)]
pub struct RevealForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /registry/{id}/reveal`: the person page again, with the numbers in full,
/// or with the reason's error next to the field.
pub async fn reveal_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(f): Form<RevealForm>,
) -> Result<Response, WebError> {
    user.check_form_token(&f.csrf)?;
    let p = person(&state.store, user.scope(), id).await?.ok_or(WebError::NotFound)?;
    may_reveal(&user)?;
    let (revealed, reveal_error) = match checked_reason(&f.reason) {
        Ok(reason) => (Some(reveal(&state, &user, &client, &p, &reason, "page").await?), None),
        Err(message) => (None, Some(message)),
    };
    // The page shown again is a read of the record (audited) whether or not the
    // numbers were revealed.
    let (view, events, household, policies) = super::person_sections(&state, &user, &client, &p, "reveal").await?;
    let status = if reveal_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = render(
        &state,
        &user,
        "person.html",
        context! {
            title => view.name.clone(), p => view, events, household, policies,
            may_reveal => true, revealed, reveal_error, reason => f.reason,
        },
    )?;
    Ok((status, [(header::CACHE_CONTROL, "no-store")], page).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RevealRequest {
    /// 查看事由，4至200字，记入审计日志
    #[serde(default)]
    #[schema(min_length = 4, max_length = 200)]
    reason: String,
}

/// `POST /api/v1/persons/{id}/reveal` with `{"reason": "…"}`. A browser session must
/// send its CSRF token in `X-CSRF-Token`; a bearer token needs none.
#[utoipa::path(
    post,
    path = "/api/v1/persons/{id}/reveal",
    summary = "查看完整证件号码和电话",
    description = "须填写事由（4至200字），先记入审计日志再返回。浏览器会话须带 X-CSRF-Token 请求头；接口令牌无需。仅经办、网格员、监察和管理员角色可用。",
    tag = "人员登记",
    params(("id" = i64, Path, description = "人员编号")),
    request_body = RevealRequest,
    responses(
        (status = 200, description = "完整证件号码和电话（已记入审计日志）", body = Revealed),
        (status = 400, description = "请求体不是 JSON", body = crate::error::ErrorBody),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 403, description = "角色无权查看，或缺少 X-CSRF-Token", body = crate::error::ErrorBody),
        (status = 404, description = "不存在或不在本账号范围内", body = crate::error::ErrorBody),
        (status = 422, description = "事由不符合要求", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_reveal(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<RevealRequest>,
) -> Result<Response, WebError> {
    user.check_api_token(&headers)?;
    let p = person(&state.store, user.scope(), id).await?.ok_or(WebError::NotFound)?;
    may_reveal(&user)?;
    let reason = checked_reason(&body.reason).map_err(|m| WebError::Invalid { field: "reason".into(), message: m })?;
    let r = reveal(&state, &user, &client, &p, &reason, "api").await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(r)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_must_say_something_and_not_too_much() {
        assert!(checked_reason("  ").is_err());
        assert!(checked_reason("核对").is_err());
        assert_eq!(checked_reason(" 核对社保 ").as_deref(), Ok("核对社保"));
        assert!(checked_reason(&"很".repeat(201)).is_err());
    }
}
