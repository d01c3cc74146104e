//! Login, logout and the guard in front of every other page: a session cookie
//! (HttpOnly, SameSite=Strict, Secure unless serving plain HTTP on loopback) names a
//! session in the database; the login form is protected by a double-submit token and
//! the logout form by the session's CSRF token.

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use jiujin_app::access;
use jiujin_store::access::Account;
use jiujin_store::Scope;
use minijinja::context;
use serde::Deserialize;

use crate::audit::Client;
use crate::{AppState, WebError};
use jiujin_store::audit;

pub const SESSION_COOKIE: &str = "jiujin_session";
const LOGIN_CSRF_COOKIE: &str = "jiujin_login_csrf";

/// The logged-in account of a request, put there by `require_login`.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub csrf: String,
}

impl CurrentUser {
    pub fn scope(&self) -> Scope {
        self.account.scope()
    }

    /// Checks the CSRF token a form sent against the session's (403 if missing or wrong).
    pub fn check_form_token(&self, sent: &str) -> Result<(), WebError> {
        if !sent.is_empty() && sent == self.csrf {
            Ok(())
        } else {
            Err(WebError::Forbidden("表单已过期，请刷新页面后重试".into()))
        }
    }

    /// Checks `X-CSRF-Token` on an API call made with a browser session; a call with
    /// a bearer token carries no cookie, so it needs none (its `csrf` is empty).
    pub fn check_api_token(&self, headers: &HeaderMap) -> Result<(), WebError> {
        if self.csrf.is_empty() {
            return Ok(());
        }
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if sent == self.csrf {
            Ok(())
        } else {
            Err(WebError::Forbidden("缺少或错误的 X-CSRF-Token 请求头".into()))
        }
    }

    /// What the page header shows.
    pub fn view(&self, state: &AppState) -> minijinja::Value {
        let scope = match self.scope() {
            Scope::City => "全市".to_string(),
            Scope::Region(r) => state.refdata.region_path(r),
            Scope::Person(_) => "本人".to_string(),
            Scope::Nothing => "无".to_string(),
        };
        context! {
            username => self.account.username.clone(),
            role => self.account.role.label(),
            scope,
            csrf => self.csrf.clone(),
            audit_log => self.account.role.sees_audit_log(),
            edits => self.account.role.edits_registry(),
            employer => self.account.role.needs_credit_code(),
            worker => self.account.role.needs_person(),
            broker => self.account.role == jiujin_domain::access::Role::Broker,
            wages => crate::wages::handles(self.account.role),
            monitoring => crate::monitoring::reads(self.account.role),
            person => self.account.person_id,
        }
    }
}

/// The value of a cookie in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// Lets requests with a live session through (with `CurrentUser` attached); sends
/// others to the login page, or answers 401 on the API.
pub async fn require_login(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let public = matches!(path, "/login" | "/healthz" | "/favicon.ico" | "/api/openapi.json" | "/api/docs");
    if public || path.starts_with("/static/") {
        return next.run(req).await;
    }
    // The API also takes `Authorization: Bearer <token>`; such a request carries no
    // cookie, so it needs no CSRF token, and it acts exactly as the token's user.
    if path.starts_with("/api/") {
        if let Some(bearer) = bearer(req.headers()) {
            return match access::token_account(&state.store, &bearer).await {
                Ok(Some(account)) => {
                    req.extensions_mut().insert(CurrentUser { account, csrf: String::new() });
                    next.run(req).await
                }
                Ok(None) => unauthenticated("接口令牌无效、已过期或已吊销"),
                Err(e) => WebError::Internal(e.to_string()).into_response(),
            };
        }
    }
    let token = cookie(req.headers(), SESSION_COOKIE);
    let found = match token {
        Some(t) => access::session(&state.store, &t).await,
        None => Ok(None),
    };
    match found {
        Ok(Some((account, csrf))) => {
            req.extensions_mut().insert(CurrentUser { account, csrf });
            next.run(req).await
        }
        Ok(None) if path.starts_with("/api/") => {
            unauthenticated("请先登录，或在请求头中提供接口令牌（Authorization: Bearer …）")
        }
        Ok(None) => {
            let next_path = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
            Redirect::to(&format!("/login?next={}", urlencode(&next_path))).into_response()
        }
        Err(e) => WebError::Internal(e.to_string()).into_response(),
    }
}

fn unauthenticated(message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        axum::Json(serde_json::json!({"error": {"code": "unauthenticated", "message": message}})),
    )
        .into_response()
}

/// The token of an `Authorization: Bearer …` header.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string()).filter(|t| !t.is_empty())
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only paths on this site are followed after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/registry".to_string(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// The login page. Its form token is the one already in the browser's cookie, if any:
/// another tab or a background request for the page must not invalidate a form.
fn login_form(
    state: &AppState,
    headers: &HeaderMap,
    next: &str,
    error: Option<&str>,
    username: &str,
) -> Result<Response, WebError> {
    let csrf = cookie(headers, LOGIN_CSRF_COOKIE).filter(|c| c.len() == 64).unwrap_or_else(access::random_token);
    let page =
        state.pages.render("login.html", context! { title => "登录", next, error, username, csrf => csrf.clone() })?;
    let status = if error.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
    Ok((status, [(header::SET_COOKIE, set_cookie(state, LOGIN_CSRF_COOKIE, &csrf, 1800))], page).into_response())
}

pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Result<Response, WebError> {
    login_form(&state, &headers, &safe_next(q.next.as_deref()), None, "")
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = safe_next(f.next.as_deref());
    if cookie(&headers, LOGIN_CSRF_COOKIE).as_deref() != Some(f.csrf.as_str()) || f.csrf.is_empty() {
        return login_form(&state, &headers, &next, Some("页面已过期，请重新登录"), &f.username);
    }
    let by = audit::Context {
        actor: audit::Actor { user_id: None, username: f.username.trim().chars().take(64).collect(), role: None },
        address: client.address.clone(),
        user_agent: client.user_agent.clone(),
    };
    match access::login(&state.store, &f.username, &f.password, &by).await {
        Ok(s) => {
            tracing::info!(user = %s.account.username, "login");
            let cookie = set_cookie(&state, SESSION_COOKIE, &s.token, access::SESSION_TTL_HOURS * 3600);
            Ok((StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, next)]).into_response())
        }
        Err(access::AccessError::BadCredentials) => {
            tracing::warn!(user = %f.username, "login refused");
            login_form(&state, &headers, &next, Some("用户名或密码错误"), &f.username)
        }
        Err(e @ access::AccessError::Locked(_)) => {
            let mut res = login_form(&state, &headers, &next, Some(&e.to_string()), &f.username)?;
            *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            Ok(res)
        }
        Err(e) => Err(WebError::Internal(e.to_string())),
    }
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    axum::Extension(user): axum::Extension<CurrentUser>,
    Form(f): Form<LogoutForm>,
) -> Result<Response, WebError> {
    user.check_form_token(&f.csrf)?;
    if let Some(t) = cookie(&headers, SESSION_COOKIE) {
        access::logout(&state.store, &t, &crate::audit::context_for(&user, &client))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
    }
    Ok((
        StatusCode::SEE_OTHER,
        [(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", 0)), (header::LOCATION, "/login".to_string())],
    )
        .into_response())
}

/// Renders a page with the current user in the header.
pub fn render(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    ctx: minijinja::Value,
) -> Result<Html<String>, WebError> {
    let merged = context! { user => user.view(state), ..ctx };
    state.pages.render(name, merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/registry/5")), "/registry/5");
        assert_eq!(safe_next(Some("//evil.example")), "/registry");
        assert_eq!(safe_next(Some("https://evil.example")), "/registry");
        assert_eq!(safe_next(None), "/registry");
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; jiujin_session=abc; b=2".parse().unwrap_or(header::HeaderValue::from_static("")),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
