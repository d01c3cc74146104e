//! The HTTP side of jiujin: an axum router with server-rendered Chinese pages
//! (minijinja templates compiled into the binary) and a JSON API. Handlers are thin:
//! they parse input, call the store or an app service, and render.

mod error;
mod pages;
mod registry;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use jiujin_app::Keys;
use jiujin_domain::refdata::RefData;
use jiujin_store::Store;

pub use error::WebError;

/// What every handler can reach. Holds no per-user state: any number of servers can
/// run side by side over one database.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub keys: Keys,
    pub refdata: &'static RefData,
    pub pages: Arc<pages::Pages>,
}

impl AppState {
    pub fn new(store: Store, keys: Keys) -> Result<AppState, WebError> {
        let refdata = RefData::embedded().map_err(|e| WebError::Internal(e.to_string()))?;
        Ok(AppState { store, keys, refdata, pages: Arc::new(pages::Pages::new()?) })
    }
}

async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { axum::response::Redirect::to("/registry") }))
        .route("/healthz", get(registry::healthz))
        .route("/static/app.css", get(pages::css))
        .route("/registry", get(registry::list_page))
        .route("/registry/duplicates", get(registry::duplicates_page))
        .route("/registry/{id}", get(registry::person_page))
        .route("/templates/workers.xlsx", get(registry::template_download))
        .route("/api/v1/persons", get(registry::api_list))
        .route("/api/v1/persons/{id}", get(registry::api_person))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// Serves until Ctrl-C.
pub async fn serve(state: AppState, addr: SocketAddr) -> Result<(), WebError> {
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| WebError::Internal(format!("无法监听 {addr}：{e}")))?;
    serve_on(state, listener).await
}

/// Serves on an already bound listener (tests bind port 0).
pub async fn serve_on(state: AppState, listener: tokio::net::TcpListener) -> Result<(), WebError> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))
}
