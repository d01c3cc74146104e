//! Errors of the web layer, each mapped to one HTTP status and a stable code; the
//! user reads a Chinese message, the log gets the cause.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("未找到")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    /// A field of the request is not acceptable (422), named.
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("服务器内部错误")]
    Internal(String),
    #[error("服务器内部错误")]
    Store(#[from] jiujin_store::StoreError),
}

impl WebError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            WebError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            WebError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            WebError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            WebError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
            WebError::Internal(_) | WebError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        let mut error = serde_json::json!({"code": code, "message": self.to_string()});
        if let WebError::Invalid { field, .. } = &self {
            error["field"] = serde_json::Value::String(field.clone());
        }
        let body = serde_json::json!({ "error": error });
        (status, axum::Json(body)).into_response()
    }
}

/// The body of every API error (docs/errors.md).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code: not_found, bad_request, invalid_field, unauthenticated, forbidden, internal.
    pub code: String,
    /// 中文说明
    pub message: String,
    /// The field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
