//! The OpenAPI 3 document of the JSON API (`/api/openapi.json`, generated from the
//! handlers' annotations with utoipa) and the Swagger UI page (`/api/docs`), whose
//! files are compiled into the binary (vendored from npm by `scripts/web-assets`).

use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};
use crate::registry::reveal::{RevealRequest, Revealed};
use crate::registry::{PersonList, PersonView};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("接口令牌：jiujin token create --username 用户名"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "就近 jiujin 接口",
        version = "1",
        description = "重庆市农民工就业服务平台的 JSON 接口。令牌与其账号的角色和区划范围完全相同；范围外的记录一律答 404。错误码见 docs/errors.md。"
    ),
    paths(
        crate::registry::api_list,
        crate::registry::api_person,
        crate::registry::reveal::api_reveal,
        crate::api::person_events,
        crate::api::person_household,
        crate::api::person_entitlements,
        crate::jobs::board::api_jobs,
        crate::jobs::board::api_person_matches,
        crate::jobs::board::api_job_matches,
        crate::jobs::api_quality,
        crate::services::api_follow_up,
        crate::services::api_gaps,
        crate::wages::api_warnings,
        crate::monitoring::api_status,
        crate::monitoring::api_insurance,
        crate::monitoring::api_flows,
        crate::monitoring::api_four_clears,
        crate::monitoring::api_progress,
        crate::monitoring::api_targets,
        crate::api::regions,
        crate::api::imports,
        crate::api::me,
        crate::api::users,
        crate::api::tokens,
        crate::api::create_token,
        crate::api::revoke_token,
        crate::audit::api_audit,
    ),
    components(schemas(
        PersonList, PersonView, Revealed, RevealRequest, ErrorBody, ErrorDetail,
        crate::api::EventView, crate::api::ChangeView, crate::api::RegionView, crate::api::ImportRunView,
        crate::api::ImportRunList, crate::api::AccountView, crate::api::TokenView, crate::api::NewTokenRequest,
        crate::api::NewToken, crate::audit::AuditList, crate::audit::AuditItem,
        crate::api::EntitlementsView, crate::api::EntitlementView, crate::api::ConditionView,
        crate::api::RecordedFactView,
        crate::jobs::board::JobSearchResult, crate::jobs::board::JobItem, crate::jobs::board::JobMatch,
        crate::jobs::board::WorkerMatchesView, crate::jobs::board::FactorView,
        crate::jobs::board::JobMatchesView, crate::jobs::board::WorkerMatch,
        crate::jobs::QualityView, crate::jobs::QualityRowView,
        crate::services::FollowUpView, crate::services::WorkItemView, crate::services::TownCountView,
        crate::services::GapsView, crate::services::GapItemView, crate::services::DistrictShareView,
        crate::wages::WarningsView, crate::wages::WarningItemView,
        crate::monitoring::ByRegionView, crate::monitoring::FlowsView, jiujin_app::monitoring::RegionCounts,
        jiujin_app::monitoring::Count, jiujin_app::monitoring::FlowMonth, jiujin_app::monitoring::FourClears,
        jiujin_app::monitoring::Progress, jiujin_app::monitoring::ProgressRow, jiujin_app::monitoring::OtherTarget,
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub async fn openapi_json() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

pub async fn docs_page() -> Html<&'static str> {
    Html(concat!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>就近 jiujin 接口文档</title>",
        "<link rel=\"stylesheet\" href=\"/static/vendor/swagger-ui.css\"></head>",
        "<body><div id=\"swagger-ui\"></div>",
        "<script src=\"/static/vendor/swagger-ui-bundle.js\"></script>",
        "<script src=\"/static/swagger-init.js\"></script></body></html>"
    ))
}

pub async fn swagger_bundle() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("assets/vendor/swagger-ui-bundle.js"))
}

pub async fn swagger_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("assets/vendor/swagger-ui.css"))
}

pub async fn swagger_init() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        "window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui' });\n",
    )
}
