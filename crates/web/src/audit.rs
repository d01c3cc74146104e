//! The audit log on the web: where a request comes from (`Client`: address and user
//! agent) so that handlers can record reads in one line, and the auditor's page and
//! API (`/audit`, `/api/v1/audit`), which only auditors and administrators reach;
//! for anyone else they do not exist (404).

use std::net::SocketAddr;

use crate::extract::Query;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::Html;
use axum::Json;
use chrono::NaiveDate;
use jiujin_domain::audit::AuditAction;
use jiujin_store::audit::{self, Actor, AuditEntry, AuditFilter, AuditRow};
use minijinja::context;
use serde::Deserialize;

use crate::auth::{render, CurrentUser};
use crate::{AppState, WebError};

/// Longest user agent kept in the log (characters).
const MAX_USER_AGENT: usize = 400;

/// Where a request comes from: the peer's address (from `ConnectInfo`, present when
/// the server runs through `serve_on`) and its `User-Agent`. When the peer is one of
/// the trusted proxies, the address is the last one in `X-Forwarded-For` that is
/// not itself a trusted proxy (what the nearest proxy saw); from anyone else the
/// header is ignored, so a client cannot choose the address it is logged under.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

/// The client's address given the peer's and the `X-Forwarded-For` values.
pub fn client_address(peer: std::net::IpAddr, forwarded: &[&str], trusted: &[std::net::IpAddr]) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut chain: Vec<std::net::IpAddr> =
        forwarded.iter().flat_map(|h| h.split(',')).filter_map(|a| a.trim().parse().ok()).collect();
    let mut address = peer;
    while let Some(a) = chain.pop() {
        address = a;
        if !trusted.contains(&a) {
            break;
        }
    }
    address
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let forwarded: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| client_address(c.0.ip(), &forwarded, &state.trusted_proxies).to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).chars().take(MAX_USER_AGENT).collect());
        Ok(Client { address, user_agent })
    }
}

/// Who does what from where, for an entry about `user`'s request.
pub fn context_for(user: &CurrentUser, client: &Client) -> audit::Context {
    audit::Context {
        actor: Actor::account(&user.account),
        address: client.address.clone(),
        user_agent: client.user_agent.clone(),
    }
}

/// An entry for `user`'s request from `client`.
pub fn entry_for(
    user: &CurrentUser,
    client: &Client,
    action: AuditAction,
    entity: &str,
    entity_id: Option<String>,
    detail: serde_json::Value,
) -> AuditEntry {
    context_for(user, client).entry(action, entity, entity_id, detail)
}

/// Records a read before it is answered (committed together with the other reads
/// waiting, `audit_queue`); a read that cannot be recorded fails.
pub async fn record(state: &AppState, entry: &AuditEntry) -> Result<(), WebError> {
    state.audit.record(entry.clone()).await?;
    Ok(())
}

/// A request by an account that may read the audit log; for anyone else the
/// extraction answers 404, as if the page did not exist.
pub struct AuditReader(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for AuditReader {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<CurrentUser>() {
            Some(u) if u.account.role.sees_audit_log() => Ok(AuditReader(u.clone())),
            _ => Err(WebError::NotFound),
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// User name (or 命令行:… for the command line).
    #[serde(default)]
    actor: String,
    /// Action code (person.read, …) or its Chinese label.
    #[serde(default)]
    action: String,
    /// person, user, api_token, import_run, export, duplicate_review …
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
    /// First day (YYYY-MM-DD).
    #[serde(default)]
    from: String,
    /// Last day (YYYY-MM-DD).
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: Option<u64>,
}

/// One entry of the audit log.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditItem {
    pub seq: u64,
    /// When (RFC 3339, UTC).
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub role: Option<String>,
    pub action: String,
    pub action_label: String,
    pub entity: String,
    pub entity_id: Option<String>,
    /// What was done: masked before/after values, filters and counts, reasons.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    /// SHA-256 over the entry and the previous entry's hash.
    pub hash: String,
}

/// One page of the audit log, newest first.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditList {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<AuditItem>,
}

const PER_PAGE: u64 = 50;

fn some(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

fn date(text: &str, what: &str) -> Result<Option<NaiveDate>, WebError> {
    match some(text) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| WebError::BadRequest(format!("{what}“{t}”不是有效日期，应为 2025-06-01 这样的格式"))),
    }
}

fn filter_from(q: &AuditQuery) -> Result<AuditFilter, WebError> {
    let action = match some(&q.action) {
        None => None,
        Some(a) => Some(AuditAction::parse(&a).ok_or_else(|| WebError::BadRequest(format!("未知操作类型：{a}")))?),
    };
    let f = AuditFilter {
        actor: some(&q.actor),
        action,
        entity: some(&q.entity),
        entity_id: some(&q.entity_id),
        from: date(&q.from, "日期从")?,
        to: date(&q.to, "日期到")?,
    };
    if let (Some(a), Some(b)) = (f.from, f.to) {
        if a > b {
            return Err(WebError::BadRequest(format!("日期从 {a} 晚于日期到 {b}")));
        }
    }
    Ok(f)
}

/// Time as read in Chongqing (UTC+8).
fn china_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M:%S").to_string()
}

fn row_view(r: &AuditRow) -> minijinja::Value {
    context! {
        seq => r.seq,
        at => china_time(r.at),
        actor => r.actor.clone(),
        role => r.role_label(),
        action => r.action_label(),
        entity => r.entity.clone(),
        entity_id => r.entity_id.clone(),
        detail => r.detail.to_string(),
        address => r.address.clone(),
        user_agent => r.user_agent.clone(),
        hash => r.hash.chars().take(12).collect::<String>(),
    }
}

pub async fn audit_page(
    State(state): State<AppState>,
    AuditReader(user): AuditReader,
    Query(q): Query<AuditQuery>,
) -> Result<Html<String>, WebError> {
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let (result, error) = match filter_from(&q) {
        Ok(f) => (audit::list(&state.store, &f, page - 1, PER_PAGE).await?, None),
        Err(WebError::BadRequest(m)) => {
            (audit::Page { total: 0, page: page - 1, per_page: PER_PAGE, rows: Vec::new() }, Some(m))
        }
        Err(e) => return Err(e),
    };
    let rows: Vec<_> = result.rows.iter().map(row_view).collect();
    let pages = result.total.div_ceil(PER_PAGE).max(1);
    let actions: Vec<_> = AuditAction::ALL.iter().map(|a| context! { code => a.code(), label => a.label() }).collect();
    render(
        &state,
        &user,
        "audit.html",
        context! {
            title => "审计日志",
            rows, total => result.total, page, pages, error, actions,
            actor => q.actor, action => q.action, entity => q.entity, entity_id => q.entity_id,
            from => q.from, to => q.to,
        },
    )
}

/// The audit log, filtered (auditors and the administrator; 404 to anyone else).
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    summary = "审计日志",
    description = "按操作人、操作类型、对象和日期筛选的审计记录，最新在前，每页50条。仅审计和管理员角色可用，其他角色答 404。",
    tag = "审计",
    params(AuditQuery),
    responses(
        (status = 200, description = "一页审计记录", body = AuditList),
        (status = 400, description = "参数无法理解", body = crate::error::ErrorBody),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "无此资源（非审计、管理员角色）", body = crate::error::ErrorBody),
        (status = 422, description = "参数格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_audit(
    State(state): State<AppState>,
    AuditReader(_user): AuditReader,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditList>, WebError> {
    let filter = filter_from(&q)?;
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let result = audit::list(&state.store, &filter, page - 1, PER_PAGE).await?;
    let items = result
        .rows
        .iter()
        .map(|r| AuditItem {
            seq: r.seq,
            at: r.at.to_rfc3339(),
            actor_user_id: r.actor_user_id,
            actor: r.actor.clone(),
            role: r.role.clone(),
            action: r.action.clone(),
            action_label: r.action_label(),
            entity: r.entity.clone(),
            entity_id: r.entity_id.clone(),
            detail: r.detail.clone(),
            address: r.address.clone(),
            user_agent: r.user_agent.clone(),
            hash: r.hash.clone(),
        })
        .collect();
    Ok(Json(AuditList { total: result.total, page, per_page: PER_PAGE, items }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
        let lb = [ip("10.0.0.1"), ip("10.0.0.2")];
        // From a client directly: the header is ignored.
        assert_eq!(client_address(ip("203.0.113.9"), &["1.2.3.4"], &lb), ip("203.0.113.9"));
        // Through the load balancer: what it saw.
        assert_eq!(client_address(ip("10.0.0.1"), &["203.0.113.9"], &lb), ip("203.0.113.9"));
        // A client's own forged entries come before the proxy's and are skipped.
        assert_eq!(client_address(ip("10.0.0.1"), &["1.2.3.4, 203.0.113.9, 10.0.0.2"], &lb), ip("203.0.113.9"));
        // No header: the proxy itself.
        assert_eq!(client_address(ip("10.0.0.1"), &[], &lb), ip("10.0.0.1"));
        // Nobody trusted: always the peer.
        assert_eq!(client_address(ip("10.0.0.1"), &["203.0.113.9"], &[]), ip("10.0.0.1"));
    }

    #[test]
    fn filters_name_the_bad_field_in_chinese() {
        let q = AuditQuery { from: "2025-13-01".into(), ..Default::default() };
        assert!(filter_from(&q).is_err_and(|e| e.to_string().contains("日期从")));
        let q = AuditQuery { action: "person.delete".into(), ..Default::default() };
        assert!(filter_from(&q).is_err_and(|e| e.to_string().contains("操作类型")));
        let q = AuditQuery { action: "查看人员信息".into(), actor: " city ".into(), ..Default::default() };
        let f = filter_from(&q).unwrap_or_default();
        assert_eq!((f.action, f.actor.as_deref()), (Some(AuditAction::PersonRead), Some("city")));
    }
}
