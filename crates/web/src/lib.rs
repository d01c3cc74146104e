//! The HTTP side of jiujin: an axum router with server-rendered Chinese pages
//! (minijinja templates compiled into the binary) and a JSON API. Handlers are thin:
//! they parse input, call the store or an app service, and render.

mod api;
mod audit;
mod audit_queue;
mod auth;
mod brands;
mod brokers;
mod error;
mod extract;
mod jobs;
mod lists;
mod map;
mod monitoring;
mod openapi;
mod pages;
mod policy;
mod registry;
mod services;
mod startups;
mod support;
mod training;
mod wages;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use jiujin_app::Keys;
use jiujin_domain::policy::Library;
use jiujin_domain::refdata::RefData;
use jiujin_store::Store;

pub use auth::{CurrentUser, SESSION_COOKIE};
pub use error::WebError;

/// What every handler can reach. Holds no per-user state: any number of servers can
/// run side by side over one database.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub keys: Keys,
    pub refdata: &'static RefData,
    /// The policy library the pages show and evaluate (the embedded one; tests may
    /// give their own).
    pub library: &'static Library,
    pub pages: Arc<pages::Pages>,
    /// Mark cookies `Secure` (off only for plain HTTP on a loopback address).
    pub secure_cookies: bool,
    /// Where reads' audit entries go to be committed together.
    pub audit: audit_queue::AuditQueue,
    /// Proxies whose `X-Forwarded-For` names the client (settings `trusted_proxies`).
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// The job board (search and matching indexes), read from the database on first use
    /// and kept in step with it (`jiujin_app::jobs::board`).
    pub board: Arc<tokio::sync::OnceCell<jiujin_app::jobs::board::JobBoard>>,
    /// Months of insured employment a broker's claim needs (settings
    /// `broker_min_insured_months`).
    pub broker_min_insured_months: u32,
}

impl AppState {
    pub fn new(store: Store, keys: Keys) -> Result<AppState, WebError> {
        let refdata = RefData::embedded().map_err(|e| WebError::Internal(e.to_string()))?;
        let library = Library::embedded().map_err(|e| WebError::Internal(format!("内置政策库有{}处错误", e.len())))?;
        let audit = audit_queue::AuditQueue::start(store.clone())?;
        Ok(AppState {
            store,
            keys,
            refdata,
            library,
            pages: Arc::new(pages::Pages::new()?),
            secure_cookies: true,
            audit,
            trusted_proxies: Arc::new(Vec::new()),
            board: Arc::new(tokio::sync::OnceCell::new()),
            broker_min_insured_months: jiujin_domain::brokers::DEFAULT_MIN_INSURED_MONTHS,
        })
    }
}

async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    // Swagger UI sets style attributes from its scripts; only its page allows them.
    let csp = if req.uri().path() == "/api/docs" {
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
    } else {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
    };
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
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
        .route("/favicon.ico", get(|| async { axum::http::StatusCode::NO_CONTENT }))
        .route("/registry", get(registry::list_page))
        .route("/static/vendor/htmx.min.js", get(pages::htmx))
        .route("/registry/duplicates", get(registry::duplicates_page))
        .route("/registry/duplicates/review", post(registry::review_submit))
        .route("/registry/new", get(registry::new_page).post(registry::new_submit))
        .route("/registry/export.xlsx", get(registry::export_masked))
        .route("/registry/export", post(registry::export_full))
        .route(
            "/registry/import",
            get(registry::import_page)
                .post(registry::import_submit)
                .layer(DefaultBodyLimit::max(registry::MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .route("/registry/imports/{run}", get(registry::import_result))
        .route("/registry/imports/{run}/rejects.xlsx", get(registry::import_rejects))
        .route("/registry/{id}", get(registry::person_page))
        .route("/registry/{id}/edit", get(registry::edit_page).post(registry::edit_submit))
        .route("/registry/{id}/unemployment", post(registry::unemployment_submit))
        .route("/registry/{id}/reveal", post(registry::reveal_page))
        .route("/templates/workers.xlsx", get(registry::template_download))
        .route("/templates/{name}", get(jobs::template_download))
        .route("/api/openapi.json", get(openapi::openapi_json))
        .route("/api/docs", get(openapi::docs_page))
        .route("/static/vendor/swagger-ui-bundle.js", get(openapi::swagger_bundle))
        .route("/static/vendor/swagger-ui.css", get(openapi::swagger_css))
        .route("/static/swagger-init.js", get(openapi::swagger_init))
        .route("/api/v1/persons", get(registry::api_list))
        .route("/api/v1/persons/{id}", get(registry::api_person))
        .route("/api/v1/persons/{id}/reveal", post(registry::api_reveal))
        .route("/api/v1/persons/{id}/events", get(api::person_events))
        .route("/api/v1/persons/{id}/household", get(api::person_household))
        .route("/api/v1/persons/{id}/entitlements", get(api::person_entitlements))
        .route("/api/v1/regions", get(api::regions))
        .route("/api/v1/imports", get(api::imports))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/users", get(api::users))
        .route("/api/v1/tokens", get(api::tokens).post(api::create_token))
        .route("/api/v1/tokens/{id}", axum::routing::delete(api::revoke_token))
        .route("/policies", get(policy::list_page))
        .route("/inbox", get(policy::inbox_page).post(policy::inbox_submit))
        .route("/policies/payouts", get(policy::payouts_page))
        .route("/policies/payouts/decide", post(policy::decide_submit))
        .route("/policies/payouts/ledger.xlsx", get(policy::ledger_xlsx))
        .route("/policies/payouts/decide-all", get(policy::decide_all_page).post(policy::decide_all_submit))
        .route("/policies/{id}", get(policy::policy_page))
        .route("/policies/{id}/what-if", get(policy::what_if_page))
        .route("/policies/{id}/what-if.xlsx", get(policy::what_if_xlsx))
        .route("/jobs", get(jobs::board::board_page))
        .route("/jobs/review", get(jobs::review_page))
        .route("/jobs/quality", get(jobs::quality_page))
        .route("/jobs/mine", get(jobs::mine_page))
        .route("/jobs/new", get(jobs::new_page).post(jobs::new_submit))
        .route("/jobs/{id}", get(jobs::job_page))
        .route("/jobs/{id}/status", post(jobs::status_submit))
        .route("/jobs/{id}/apply", post(jobs::apply_submit))
        .route("/pushes/{id}/outcome", post(jobs::outcome_submit))
        .route("/stations", get(jobs::gig::stations_page).post(jobs::gig::station_create))
        .route("/stations/{id}", get(jobs::gig::station_page))
        .route("/stations/{id}/jobs", post(jobs::gig::station_job_create))
        .route("/claims/{id}", post(jobs::gig::claim_submit))
        .route("/claims/{id}/finish", post(jobs::gig::finish_submit))
        .route("/fairs", get(jobs::gig::fairs_page).post(jobs::gig::fair_create))
        .route("/fairs/{id}", get(jobs::gig::fair_page))
        .route("/fairs/{id}/{what}", post(jobs::gig::fair_submit))
        .route("/api/v1/jobs", get(jobs::board::api_jobs))
        .route("/api/v1/jobs/quality", get(jobs::api_quality))
        .route("/api/v1/persons/{id}/matches", get(jobs::board::api_person_matches))
        .route("/api/v1/jobs/{id}/matches", get(jobs::board::api_job_matches))
        .route("/services", get(services::work_page))
        .route("/services/gaps", get(services::gaps_page))
        .route("/services/households", get(services::households_page))
        .route("/api/v1/services/follow-up", get(services::api_follow_up))
        .route("/api/v1/wages/warnings", get(wages::api_warnings))
        .route("/api/v1/monitoring/status", get(monitoring::api_status))
        .route("/api/v1/monitoring/insurance", get(monitoring::api_insurance))
        .route("/api/v1/monitoring/flows", get(monitoring::api_flows))
        .route("/api/v1/monitoring/four-clears", get(monitoring::api_four_clears))
        .route("/api/v1/monitoring/progress", get(monitoring::api_progress))
        .route("/api/v1/monitoring/targets", get(monitoring::api_targets))
        .route("/monitoring", get(monitoring::page))
        .route("/monitoring/export", get(monitoring::export))
        .route("/monitoring/people", get(monitoring::people_page))
        .route("/monitoring/records", get(monitoring::records_page))
        .route("/monitoring/risk", get(monitoring::risk_page))
        .route("/monitoring/risk/layoffs", post(monitoring::layoff_submit))
        .route("/monitoring/risk/{id}", get(monitoring::risk_warning_page))
        .route("/monitoring/risk/{id}/{step}", post(monitoring::risk_step))
        .route("/static/monitoring.js", get(monitoring::script))
        .route("/static/vendor/echarts.min.js", get(monitoring::echarts))
        .route("/static/geo/chongqing.json", get(monitoring::geo))
        .route("/api/v1/services/gaps", get(services::api_gaps))
        .route("/registry/{id}/contacts", post(services::contact_submit))
        .route("/registry/{id}/difficulty", post(services::recognize_submit))
        .route("/registry/{id}/help", post(services::help_submit))
        .route("/difficulty/{id}/revoke", post(services::revoke_submit))
        .route("/services/difficulty", get(services::difficulty_page))
        .route("/services/difficulty.xlsx", get(services::difficulty_xlsx))
        .route("/services.xlsx", get(services::work_xlsx))
        .route("/services/gaps.xlsx", get(services::gaps_xlsx))
        .route("/services/households.xlsx", get(services::households_xlsx))
        .route("/training", get(training::courses_page))
        .route("/training/providers", post(training::provider_submit))
        .route("/training/courses", post(training::course_submit))
        .route("/training/courses/{id}", get(training::course_page))
        .route("/training/courses/{id}/trainees.xlsx", get(training::trainees_xlsx))
        .route("/training/courses/{id}/enrol", post(training::enrol_submit))
        .route("/training/enrolments/{id}/finish", post(training::finish_submit))
        .route("/training/rates", get(training::rates_page))
        .route("/training/rates.xlsx", get(training::rates_xlsx))
        .route("/training/shortage", get(training::shortage_page).post(training::shortage_submit))
        .route("/brokers", get(brokers::list_page).post(brokers::create_submit))
        .route("/brokers.xlsx", get(brokers::list_xlsx))
        .route("/brokers/claims", get(brokers::claims_page))
        .route("/brokers/claims.xlsx", get(brokers::claims_xlsx))
        .route("/brokers/claims/{id}/decide", post(brokers::decide_submit))
        .route("/brokers/{id}", get(brokers::broker_page))
        .route("/brokers/{id}/placements", post(brokers::placement_submit))
        .route("/brokers/{id}/integrity", post(brokers::integrity_submit))
        .route("/brokers/{id}/active", post(brokers::active_submit))
        .route("/placements/{id}/claim", post(brokers::claim_submit))
        .route("/startups", get(startups::list_page).post(startups::create_submit))
        .route("/startups.xlsx", get(startups::list_xlsx))
        .route("/startups/parks", get(startups::parks_page).post(startups::park_create))
        .route("/startups/parks.xlsx", get(startups::parks_xlsx))
        .route("/startups/mentors.xlsx", get(startups::mentors_xlsx))
        .route("/startups/outside.xlsx", get(startups::outside_xlsx))
        .route("/startups/parks/{id}", post(startups::park_evaluate))
        .route("/startups/mentors", get(startups::mentors_page).post(startups::mentor_create))
        .route("/startups/outside", get(startups::outside_page).post(startups::outside_create))
        .route("/startups/{id}", get(startups::entrepreneur_page))
        .route("/startups/{id}/{what}", post(startups::entrepreneur_submit))
        .route("/brands", get(brands::brands_page).post(brands::brand_submit))
        .route("/brands/{id}", get(brands::brand_page))
        .route("/brands/{id}/{what}", post(brands::brand_change))
        .route("/workshops", get(support::workshops_page).post(support::workshop_submit))
        .route("/workshops.xlsx", get(support::workshops_xlsx))
        .route("/workshops/{id}", get(support::workshop_page))
        .route("/workshops/{id}/workers", post(support::worker_submit))
        .route("/workshops/spells/{id}/end", post(support::worker_end))
        .route("/public-posts", get(support::posts_page).post(support::post_submit))
        .route("/public-posts.xlsx", get(support::posts_xlsx))
        .route("/public-posts/{id}/holders", post(support::holder_submit))
        .route("/public-posts/spells/{id}/end", post(support::holder_end))
        .route("/wages", get(wages::page))
        .route("/wages/warnings/{id}", get(wages::warning_page))
        .route("/wages/warnings/{id}/{step}", post(wages::warning_step))
        .route("/wages/projects", get(wages::projects_page).post(wages::project_create))
        .route("/wages/projects/{id}", get(wages::project_page))
        .route("/wages/projects/{id}/import", post(wages::import_submit))
        .route("/wages/projects/{id}/subcontractors", post(wages::subcontractor_submit))
        .route("/wages/templates/{kind}", get(wages::template))
        .route("/wages/complaints", get(wages::complaints_page).post(wages::complaint_submit))
        .route("/wages/complaints/{id}/close", post(wages::complaint_close))
        .route("/wages/complain", get(wages::complain_page).post(wages::complain_submit))
        .route("/wages/blacklist", get(wages::blacklist_page))
        .route("/wages/blacklist/{id}", post(wages::blacklist_submit))
        .route("/audit", get(audit::audit_page))
        .route("/api/v1/audit", get(audit::api_audit))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/logout", axum::routing::post(auth::logout))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_login))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// Serves until Ctrl-C. Cookies lose `Secure` only on a loopback address, where
/// the demo runs over plain HTTP.
pub async fn serve(mut state: AppState, addr: SocketAddr) -> Result<(), WebError> {
    state.secure_cookies = !addr.ip().is_loopback();
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| WebError::Internal(format!("无法监听 {addr}：{e}")))?;
    serve_on(state, listener).await
}

/// Serves on an already bound listener (tests bind port 0). Each request carries
/// the peer's address (`ConnectInfo`), which the audit log records.
pub async fn serve_on(state: AppState, listener: tokio::net::TcpListener) -> Result<(), WebError> {
    // The registry's name search, from memory once loaded (SQLite; a background
    // thread, the searches reading the database until it is ready).
    state.store.load_name_index(false)?;
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))
}
