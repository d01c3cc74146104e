//! Files in and out of the registry from the browser: the Excel export of the
//! current filter (masked; in full only with a reason, for roles that may reveal),
//! and the upload of an import file with its summary and rejects file. Every export
//! and every import is one audit entry with its count.

use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use jiujin_app::registry::export::{export_persons, ExportError, ExportRequest, Numbers};
use jiujin_app::registry::import::{import_workers, ImportError, ImportRequest};
use jiujin_store::registry::uploads::{rejects_of, save_rejects, upload_run};
use minijinja::context;

use super::{filter_from, search_detail, ListQuery};
use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::{Path, Query};
use crate::{AppState, WebError};

/// Most rows one export from the browser may hold (a district's full list goes
/// through `jiujin export` on the server).
pub const MAX_EXPORT_ROWS: u64 = 100_000;
/// Largest import file accepted from the browser.
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Percent-encodes everything but unreserved ASCII (RFC 3986).
pub(crate) fn percent_encode(text: &str) -> String {
    let mut encoded = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    encoded
}

/// `attachment` with a Chinese file name (RFC 6266 / 5987) and an ASCII fallback.
fn attachment(ascii: &str, name: &str) -> String {
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", percent_encode(name))
}

/// A page that says what went wrong and leads back.
fn message_page(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    title: &str,
    message: &str,
    back: &str,
) -> Response {
    match render(state, user, "message.html", context! { title, message, back }) {
        Ok(page) => (status, page).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn export(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    q: &ListQuery,
    numbers: Numbers,
    reason: Option<&str>,
) -> Result<Response, WebError> {
    let back = format!("/registry?{}", q.query_string());
    let filter = match filter_from(state, q) {
        Ok(f) => f,
        Err(WebError::BadRequest(m)) => {
            return Ok(message_page(state, user, StatusCode::BAD_REQUEST, "无法导出", &m, &back));
        }
        Err(e) => return Err(e),
    };
    let dir = tempfile::tempdir().map_err(|e| WebError::Internal(e.to_string()))?;
    let out = dir.path().join("export.xlsx");
    let req = ExportRequest {
        scope: user.scope(),
        filter: &filter,
        numbers,
        filter_detail: search_detail(q, "export", 1, 0)["filter"].clone(),
        reason,
        max_rows: Some(MAX_EXPORT_ROWS),
    };
    let by = context_for(user, client);
    match export_persons(&state.store, &state.keys, &req, &out, None, &by).await {
        Ok(_) => {}
        Err(ExportError::TooMany(max)) => {
            let m = ExportError::TooMany(max).to_string();
            return Ok(message_page(state, user, StatusCode::UNPROCESSABLE_ENTITY, "无法导出", &m, &back));
        }
        Err(e) => return Err(WebError::Internal(e.to_string())),
    }
    let bytes = tokio::fs::read(&out).await.map_err(|e| WebError::Internal(e.to_string()))?;
    let today = chrono::Utc::now().format("%Y%m%d");
    let (ascii, name) = match numbers {
        Numbers::Masked => (format!("persons-{today}.xlsx"), format!("人员信息-{today}.xlsx")),
        Numbers::Full => (format!("persons-full-{today}.xlsx"), format!("人员信息-完整号码-{today}.xlsx")),
    };
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (header::CONTENT_DISPOSITION, attachment(&ascii, &name)),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /registry/export.xlsx?…`: the persons of the current filter in the import
/// template's columns, numbers masked.
pub async fn export_masked(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    export(&state, &user, &client, &q, Numbers::Masked, None).await
}

/// The full-export form: its token, the reason, and the list's filter (hidden fields).
#[derive(Debug, serde::Deserialize)]
pub struct FullExportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    town: String,
    #[serde(default)]
    village: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    flag: String,
    #[serde(default)]
    insurance: String,
    #[serde(default)]
    age: String,
}

/// `POST /registry/export`: the same with identity numbers and phones in full, to
/// hand the data to another system or re-import it; roles that may reveal numbers
/// only, with a reason of 4 to 200 characters.
pub async fn export_full(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(f): Form<FullExportForm>,
) -> Result<Response, WebError> {
    user.check_form_token(&f.csrf)?;
    if !user.account.role.reveals_identity() {
        return Err(WebError::Forbidden(format!("{}账号无权导出完整号码", user.account.role.label())));
    }
    let q = ListQuery {
        q: f.q,
        region: f.region,
        town: f.town,
        village: f.village,
        status: f.status,
        flag: f.flag,
        insurance: f.insurance,
        age: f.age,
        page: None,
    };
    let back = format!("/registry?{}", q.query_string());
    let reason = match super::reveal::checked_reason(&f.reason) {
        Ok(r) => r,
        Err(m) => return Ok(message_page(&state, &user, StatusCode::UNPROCESSABLE_ENTITY, "无法导出", &m, &back)),
    };
    export(&state, &user, &client, &q, Numbers::Full, Some(&reason)).await
}

fn may_import(user: &CurrentUser) -> Result<(), WebError> {
    if user.account.role.edits_registry() {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

/// `GET /registry/import`: the upload form.
pub async fn import_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    may_import(&user)?;
    let today = chrono::Utc::now().date_naive().to_string();
    Ok(render(&state, &user, "import.html", context! { title => "批量导入", today, max_mb => MAX_UPLOAD_BYTES >> 20 })?
        .into_response())
}

fn upload_refused(state: &AppState, user: &CurrentUser, error: String) -> Result<Response, WebError> {
    let today = chrono::Utc::now().date_naive().to_string();
    let page = render(
        state,
        user,
        "import.html",
        context! { title => "批量导入", today, error, max_mb => MAX_UPLOAD_BYTES >> 20 },
    )?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /registry/import` (multipart: `csrf`, `as_of`, `file`): imports the file
/// inside the caller's scope (rows outside it are rejected), keeps the rejects file
/// for its uploader and shows the summary.
pub async fn import_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    mut form: Multipart,
) -> Result<Response, WebError> {
    may_import(&user)?;
    let dir = tempfile::tempdir().map_err(|e| WebError::Internal(e.to_string()))?;
    let (mut csrf, mut as_of, mut upload) = (String::new(), String::new(), None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return upload_refused(&state, &user, format!("上传未完成：{}", e.body_text())),
        };
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "as_of" => as_of = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = match field.bytes().await {
                    Ok(b) => b,
                    Err(e) => return upload_refused(&state, &user, format!("上传未完成：{}", e.body_text())),
                };
                upload = Some((name, bytes));
            }
            _ => {}
        }
    }
    user.check_form_token(&csrf)?;
    let Some((name, bytes)) = upload.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        return upload_refused(&state, &user, "请选择要导入的文件（.xlsx、.xls 或 .csv）".into());
    };
    let ext = std::path::Path::new(&name).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if !matches!(ext.as_str(), "xlsx" | "xls" | "csv") {
        return upload_refused(&state, &user, format!("文件“{name}”不是 .xlsx、.xls 或 .csv 文件"));
    }
    let today = chrono::Utc::now().date_naive();
    let as_of = match jiujin_app::registry::entry::effective_date(&as_of, today) {
        Ok(d) => d,
        Err(p) => return upload_refused(&state, &user, format!("数据日期：{}", p.message)),
    };
    // The run records the file's own name (its last component only).
    let file_name = std::path::Path::new(&name).file_name().and_then(|n| n.to_str()).unwrap_or("upload");
    let path = dir.path().join(file_name);
    tokio::fs::write(&path, &bytes).await.map_err(|e| WebError::Internal(e.to_string()))?;
    let rejects_path = dir.path().join("rejects.xlsx");
    let by = context_for(&user, &client);
    let req = ImportRequest {
        path: &path,
        rejects: Some(&rejects_path),
        scope: user.scope(),
        as_of,
        actor: Some(user.account.username.clone()),
        by,
        batch_size: 5_000,
        cancel: None,
        progress: None,
    };
    let report = match import_workers(&state.store, &state.keys, req).await {
        Ok(r) => r,
        Err(e @ (ImportError::Source(_) | ImportError::Header(_))) => {
            return upload_refused(&state, &user, format!("文件“{name}”无法导入：{e}"));
        }
        Err(e) => return Err(WebError::Internal(e.to_string())),
    };
    let rejects = tokio::fs::read(&rejects_path).await.map_err(|e| WebError::Internal(e.to_string()))?;
    let stem = std::path::Path::new(&name).file_stem().and_then(|s| s.to_str()).unwrap_or("导入文件");
    save_rejects(&state.store, report.run_id, user.account.id, &format!("{stem}-错误行.xlsx"), rejects).await?;
    let page = render(
        &state,
        &user,
        "import_result.html",
        context! {
            title => "导入结果", run_id => report.run_id, file_name => name, rows => report.rows,
            counts => report.counts, first_rejects => report.first_rejects, as_of => as_of.to_string(),
        },
    )?;
    Ok(page.into_response())
}

/// `GET /registry/imports/{run}`: the summary of an upload, again (its uploader only).
pub async fn import_result(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(run): Path<i64>,
) -> Result<Response, WebError> {
    let r = upload_run(&state.store, run, user.account.id).await?.ok_or(WebError::NotFound)?;
    let counts =
        context! { inserted => r.inserted, updated => r.updated, unchanged => r.unchanged, rejected => r.rejected };
    let rows = r.inserted + r.updated + r.unchanged + r.rejected;
    Ok(render(
        &state,
        &user,
        "import_result.html",
        context! {
            title => "导入结果", run_id => r.id, file_name => r.file_name, rows, counts,
            as_of => r.as_of.to_string(), status => r.status,
        },
    )?
    .into_response())
}

/// `GET /registry/imports/{run}/rejects.xlsx`: the rejected rows with their reasons,
/// to correct and upload again (its uploader only).
pub async fn import_rejects(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(run): Path<i64>,
) -> Result<Response, WebError> {
    let (name, bytes) = rejects_of(&state.store, run, user.account.id).await?.ok_or(WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (header::CONTENT_DISPOSITION, attachment(&format!("rejects-{run}.xlsx"), &name)),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
