//! What the services pages (跟踪服务, 培训, 经纪人, 帮扶车间与公益性岗位, 返乡创业) share:
//! who may open them (staff who edit the registry; everyone else gets 404), the
//! message a form comes back with, the staff's home region for a form's default, a
//! form error from any of the app's services turned into that message, and an Excel
//! file as a download (audited as an export when it names persons).

use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::audit::{context_for, Client};
use crate::auth::CurrentUser;
use crate::{AppState, WebError};

/// Staff who edit the registry, inside their region; to anyone else the page does not
/// exist.
pub(crate) fn staff(user: &CurrentUser) -> Result<(), WebError> {
    if user.account.role.edits_registry() {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

/// What a page shows after a form: the reasons it was refused, or what was saved.
#[derive(Debug, Default, Deserialize)]
pub struct MessageQuery {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub saved: Option<String>,
}

/// Back to `to` with the reasons a form was refused.
pub(crate) fn back(to: &str, message: &str) -> Response {
    let q = serde_urlencoded::to_string([("error", message)]).unwrap_or_default();
    Redirect::to(&format!("{to}?{q}")).into_response()
}

/// The staff's home region (short code) for a form's default; empty for the city.
pub(crate) fn home(user: &CurrentUser) -> String {
    match user.scope() {
        jiujin_store::Scope::Region(r) => r.short(),
        _ => String::new(),
    }
}

/// A service's refusal: its reasons for the page, or the error to answer with.
pub(crate) trait FormError {
    fn message(self) -> Result<String, WebError>;
}

fn joined<S: AsRef<str>>(list: impl IntoIterator<Item = S>) -> String {
    list.into_iter().map(|s| s.as_ref().to_string()).collect::<Vec<_>>().join("；")
}

impl FormError for jiujin_app::training::TrainingError {
    fn message(self) -> Result<String, WebError> {
        use jiujin_app::training::TrainingError as E;
        match self {
            E::Invalid(list) => Ok(joined(list.into_iter().map(|(_, m)| m))),
            E::NotFound => Err(WebError::NotFound),
            E::Store(e) => Err(e.into()),
        }
    }
}

impl FormError for jiujin_app::brokers::BrokerError {
    fn message(self) -> Result<String, WebError> {
        use jiujin_app::brokers::BrokerError as E;
        match self {
            E::Invalid(list) => Ok(joined(list.into_iter().map(|(_, m)| m))),
            E::NotFound => Err(WebError::NotFound),
            E::Store(e) => Err(e.into()),
        }
    }
}

impl FormError for jiujin_app::support::SupportError {
    fn message(self) -> Result<String, WebError> {
        use jiujin_app::support::SupportError as E;
        match self {
            E::Invalid(list) => Ok(joined(list.into_iter().map(|(_, m)| m))),
            E::NotFound => Err(WebError::NotFound),
            E::Store(e) => Err(e.into()),
        }
    }
}

impl FormError for jiujin_app::startups::StartupError {
    fn message(self) -> Result<String, WebError> {
        use jiujin_app::startups::StartupError as E;
        match self {
            E::Invalid(list) => Ok(joined(list)),
            E::NotFound => Err(WebError::NotFound),
            E::Store(e) => Err(e.into()),
        }
    }
}

impl FormError for jiujin_app::difficulty::DifficultyError {
    fn message(self) -> Result<String, WebError> {
        use jiujin_app::difficulty::DifficultyError as E;
        match self {
            E::Invalid(list) => Ok(joined(list)),
            E::NotFound => Err(WebError::NotFound),
            E::Store(e) => Err(e.into()),
        }
    }
}

impl FormError for jiujin_app::wages::WageError {
    fn message(self) -> Result<String, WebError> {
        use jiujin_app::wages::WageError as E;
        match self {
            E::Invalid(list) => Ok(joined(list)),
            E::NotFound => Err(WebError::NotFound),
            E::Rules(m) => Err(WebError::Internal(m)),
            E::Store(e) => Err(e.into()),
        }
    }
}

/// After a form: to `ok` when it was done, back to `to` with the reasons when refused.
pub(crate) fn outcome<T, E: FormError>(r: Result<T, E>, ok: &str, to: &str) -> Result<Response, WebError> {
    match r {
        Ok(_) => Ok(Redirect::to(ok).into_response()),
        Err(e) => Ok(back(to, &e.message()?)),
    }
}

/// An Excel file as a download named `file` (ASCII).
pub(crate) fn xlsx(file: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// An Excel file of a list that names persons, audited as an export of `rows` rows
/// (`what` names the list in the entry) before it is sent.
pub(crate) async fn audited_xlsx(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    what: &str,
    rows: usize,
    bytes: Vec<u8>,
) -> Result<Response, WebError> {
    let by = context_for(user, client);
    let detail = serde_json::json!({ "what": what, "rows": rows });
    jiujin_store::audit::record(
        &state.store,
        &by.entry(jiujin_domain::audit::AuditAction::ExportRun, what, None, detail),
    )
    .await?;
    Ok(xlsx(&format!("{what}.xlsx"), bytes))
}

/// Records, before the answer, that a list naming persons was shown: it is a search of
/// the registry by another road (`person.search`, with the list's name and its rows).
pub(crate) async fn audit_list(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    list: &str,
    rows: usize,
) -> Result<(), WebError> {
    let detail = serde_json::json!({ "list": list, "rows": rows });
    crate::audit::record(
        state,
        &crate::audit::entry_for(user, client, jiujin_domain::audit::AuditAction::PersonSearch, "person", None, detail),
    )
    .await
}
