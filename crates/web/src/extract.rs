//! Request extractors whose rejections are `WebError`s: a query string, a path or a
//! JSON body that cannot be parsed gets the API's JSON error shape (docs/errors.md)
//! with a Chinese message naming the parameter, instead of axum's plain text.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::WebError;

/// The parameter a serde message names (`"page: invalid digit…"` → `page`).
/// axum's text is "<what failed>: <field>: <serde's reason>".
fn field_of(detail: &str) -> Option<String> {
    let (_, rest) = detail.split_once(": ")?;
    let (name, _) = rest.split_once(": ")?;
    let name = name.trim();
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .then(|| name.to_string())
}

fn invalid(what: &str, detail: &str) -> WebError {
    match field_of(detail) {
        Some(field) => {
            WebError::Invalid { message: format!("{what}中的“{field}”无法解析，请检查格式"), field }
        }
        None => WebError::BadRequest(format!("{what}无法解析，请检查格式")),
    }
}

/// A query string that cannot be read is always a parameter error (422, as
/// docs/errors.md says), naming the parameter where serde does (`page: invalid
/// digit`, or ``duplicate field `page` `` when it is given twice), else `query`.
fn invalid_query(detail: &str) -> WebError {
    let named = field_of(detail).or_else(|| {
        let (_, rest) = detail.split_once('`')?;
        let (name, _) = rest.split_once('`')?;
        (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then(|| name.to_string())
    });
    match named {
        Some(field) => WebError::Invalid {
            message: format!("查询参数中的“{field}”无法解析，请检查格式"), field
        },
        None => {
            WebError::Invalid { field: "query".into(), message: "查询参数无法解析，请检查格式".into() }
        }
    }
}

/// `axum::extract::Query` with a JSON error naming the parameter.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(q) => Ok(Query(q.0)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(invalid_query(&e.body_text())),
            Err(e) => Err(invalid_query(&e.body_text())),
        }
    }
}

/// `axum::extract::Path` with a JSON error naming the segment.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(p) => Ok(Path(p.0)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => {
                Err(WebError::Invalid { field: "id".into(), message: "编号应为正整数".into() })
            }
            Err(e) => Err(WebError::Internal(e.body_text())),
        }
    }
}

/// `axum::Json` for request bodies, with a JSON error naming the field.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(j) => Ok(Json(j.0)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(WebError::BadRequest("请求体应为 JSON（Content-Type: application/json）".into()))
            }
            Err(JsonRejection::JsonSyntaxError(_)) => Err(WebError::BadRequest("请求体不是有效的 JSON".into())),
            Err(JsonRejection::JsonDataError(e)) => Err(invalid("请求体", &e.body_text())),
            Err(e) => Err(WebError::BadRequest(format!("请求体无法读取：{}", e.body_text()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameter_is_read_from_serde_messages() {
        let q = "Failed to deserialize query string: page: invalid digit found in string";
        assert_eq!(field_of(q).as_deref(), Some("page"));
        let j = "Failed to deserialize the JSON body into the target type: reason: invalid type: integer `5`, expected a string at line 1 column 12";
        assert_eq!(field_of(j).as_deref(), Some("reason"));
        assert_eq!(field_of("nothing to see"), None);
    }
}
