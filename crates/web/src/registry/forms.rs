//! The registration form (新增人员), the change form (修改) and unemployment
//! registration (失业登记). The forms' fields are the import template's columns and
//! are validated by the same rules as a row of an import file; a refused form comes
//! back with what was typed and each reason next to its field (422). Only roles
//! that edit the registry reach these pages; to the others they do not exist.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiujin_app::registry::entry::{self, EntryError, FieldProblem, Fields, PhoneEdit};
use jiujin_domain::refdata::IndustryLevel;
use jiujin_domain::registry::unemployment::UnemploymentRegistration;
use jiujin_domain::registry::{EmploymentStatus, Flag, GroupFlag, Insurance, ServiceNeed, COLUMNS};
use jiujin_store::registry::person;
use minijinja::context;

use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::Path;
use crate::{AppState, WebError};

/// The form as posted: every `name=value` pair, in order (check boxes repeat a name).
type Posted = Vec<(String, String)>;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn may_edit(user: &CurrentUser) -> Result<(), WebError> {
    if user.account.role.edits_registry() {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

fn check_csrf(user: &CurrentUser, posted: &Posted) -> Result<(), WebError> {
    user.check_form_token(value(posted, "csrf"))
}

fn value<'a>(posted: &'a Posted, key: &str) -> &'a str {
    posted.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// The template fields of a posted form; check boxes are joined as a list.
fn fields_of(posted: &Posted) -> Fields {
    let mut f: Fields = BTreeMap::new();
    for c in COLUMNS.iter() {
        let values: Vec<&str> = posted.iter().filter(|(k, _)| k == c.key).map(|(_, v)| v.trim()).collect();
        f.insert(c.key.to_string(), values.join(","));
    }
    f
}

fn options<F: Flag>(selected: &str) -> Vec<minijinja::Value> {
    let chosen: Vec<&str> = selected.split([',', '，', '、']).map(str::trim).collect();
    F::ALL
        .iter()
        .map(|f| context! { value => f.label(), label => f.label(), checked => chosen.contains(&f.label()) })
        .collect()
}

/// The fields as the form template draws them: label, kind, options, value, help,
/// and the reason it was refused.
fn form_fields(state: &AppState, values: &Fields, problems: &[FieldProblem], new: bool) -> Vec<minijinja::Value> {
    let rd = state.refdata;
    let error = |key: &str| {
        let m: Vec<&str> = problems.iter().filter(|p| p.field == key).map(|p| p.message.as_str()).collect();
        (!m.is_empty()).then(|| m.join("；"))
    };
    let v = |key: &str| values.get(key).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for c in COLUMNS.iter() {
        if c.key == "id_number" && !new {
            continue;
        }
        let (kind, opts) = match c.key {
            "status" => (
                "select",
                EmploymentStatus::ALL
                    .iter()
                    .map(|s| context! { value => s.label(), label => s.label(), checked => s.label() == v("status") })
                    .collect(),
            ),
            "work_province" => (
                "select",
                rd.provinces()
                    .iter()
                    .filter(|(code, _)| **code != 50)
                    .map(|(_, name)| context! { value => name, label => name, checked => *name == v("work_province") })
                    .collect(),
            ),
            "industry" => (
                "select",
                rd.industries()
                    .iter()
                    .filter(|i| matches!(i.level, IndustryLevel::Section | IndustryLevel::Division))
                    .map(|i| {
                        let indent = if i.level == IndustryLevel::Section { "" } else { "　" };
                        context! {
                            value => i.code.clone(),
                            label => format!("{indent}{} {}", i.code, i.name),
                            checked => i.code == v("industry"),
                        }
                    })
                    .collect(),
            ),
            "skill_level" => (
                "select",
                (1..=5u8)
                    .filter_map(jiujin_domain::registry::SkillLevel::new)
                    .map(|l| {
                        let n = l.get().to_string();
                        context! { checked => n == v("skill_level"), value => n, label => l.label() }
                    })
                    .collect(),
            ),
            "wanted_kind" => (
                "select",
                jiujin_domain::jobs::JobKind::ALL
                    .iter()
                    .map(|k| context! { value => k.label(), label => k.label(), checked => k.label() == v("wanted_kind") })
                    .collect(),
            ),
            "flags" => ("checks", options::<GroupFlag>(&v("flags"))),
            "insurance" => ("checks", options::<Insurance>(&v("insurance"))),
            "needs" => ("checks", options::<ServiceNeed>(&v("needs"))),
            "unemployed_since" => ("date", Vec::new()),
            _ => ("text", Vec::new()),
        };
        let region_name = c
            .key
            .ends_with("_region")
            .then(|| jiujin_domain::RegionCode::parse(&v(c.key)).ok())
            .flatten()
            .filter(|r| rd.region(*r).is_some())
            .map(|r| rd.region_path(r));
        let inputmode = match c.key {
            "phone" | "hukou_region" | "residence_region" | "work_region" => "numeric",
            "expected_wage" => "decimal",
            _ => "text",
        };
        out.push(context! {
            key => c.key,
            label => c.header,
            required => c.required,
            help => c.help,
            kind,
            options => opts,
            value => v(c.key),
            error => error(c.key),
            region_name,
            inputmode,
        });
    }
    out
}

fn form_page(
    state: &AppState,
    user: &CurrentUser,
    p: Option<&crate::registry::PersonView>,
    values: &Fields,
    problems: &[FieldProblem],
    date: &str,
    remove_phone: bool,
) -> Result<Response, WebError> {
    let new = p.is_none();
    let general: Vec<&str> = problems.iter().filter(|p| p.field.is_empty()).map(|p| p.message.as_str()).collect();
    let date_error = problems.iter().find(|p| p.field == "date").map(|p| p.message.clone());
    let listed: Vec<_> = problems
        .iter()
        .filter(|p| !p.field.is_empty())
        .map(|pr| {
            let label = COLUMNS.iter().find(|c| c.key == pr.field).map(|c| c.header).unwrap_or("生效日期");
            context! { key => pr.field.clone(), label, message => pr.message.clone() }
        })
        .collect();
    let title = match p {
        Some(p) => format!("修改：{}", p.name),
        None => "新增人员登记".to_string(),
    };
    let page = render(
        state,
        user,
        "person_form.html",
        context! {
            title, new, p, fields => form_fields(state, values, problems, new),
            problems => listed, general, date, date_error, remove_phone, today => today().to_string(),
        },
    )?;
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, page).into_response())
}

/// `GET /registry/new`
pub async fn new_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    may_edit(&user)?;
    let mut values = Fields::new();
    // Staff of a village or town start from their own region.
    if let jiujin_store::Scope::Region(r) = user.scope() {
        values.insert("hukou_region".into(), r.short());
    }
    values.insert("status".into(), EmploymentStatus::LocalEmployed.label().into());
    form_page(&state, &user, None, &values, &[], "", false)
}

fn entry_failure(e: EntryError) -> Result<Vec<FieldProblem>, WebError> {
    match e {
        EntryError::Invalid(problems) => Ok(problems),
        EntryError::NotFound => Err(WebError::NotFound),
        EntryError::Store(e) => Err(WebError::Store(e)),
        EntryError::Key(e) => Err(WebError::Internal(e.to_string())),
    }
}

/// `POST /registry/new`: registers the person and opens their page, or shows the
/// form again with the reasons.
pub async fn new_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    may_edit(&user)?;
    check_csrf(&user, &posted)?;
    let values = fields_of(&posted);
    let date_text = value(&posted, "date").to_string();
    let today = today();
    let problems = match entry::effective_date(&date_text, today) {
        Err(p) => vec![p],
        Ok(date) => {
            let by = context_for(&user, &client);
            match entry::register(&state.store, &state.keys, state.refdata, user.scope(), &values, date, today, &by)
                .await
            {
                Ok(id) => return Ok(Redirect::to(&format!("/registry/{id}?saved=registered")).into_response()),
                Err(e) => entry_failure(e)?,
            }
        }
    };
    form_page(&state, &user, None, &values, &problems, &date_text, false)
}

async fn visible(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<jiujin_store::registry::StoredPerson, WebError> {
    person(&state.store, user.scope(), id).await?.ok_or(WebError::NotFound)
}

/// `GET /registry/{id}/edit`
pub async fn edit_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    may_edit(&user)?;
    let p = visible(&state, &user, id).await?;
    let view = crate::registry::PersonView::new(&state, &p);
    let values = entry::fields_of(state.refdata, view.id_number_masked.clone(), &p.state);
    form_page(&state, &user, Some(&view), &values, &[], "", false)
}

/// `POST /registry/{id}/edit`: records the change (events and audit entry in one
/// transaction) and opens the person's page, or shows the form with the reasons.
pub async fn edit_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    may_edit(&user)?;
    check_csrf(&user, &posted)?;
    let p = visible(&state, &user, id).await?;
    let values = fields_of(&posted);
    let remove_phone = value(&posted, "remove_phone") == "1";
    let phone = if remove_phone { PhoneEdit::Remove } else { PhoneEdit::KeepIfEmpty };
    let date_text = value(&posted, "date").to_string();
    let today = today();
    let problems = match entry::effective_date(&date_text, today) {
        Err(p) => vec![p],
        Ok(date) => {
            let by = context_for(&user, &client);
            let scope = user.scope();
            match entry::update(&state.store, &state.keys, state.refdata, scope, id, &values, phone, date, today, &by)
                .await
            {
                Ok(n) => return Ok(Redirect::to(&format!("/registry/{id}?saved={n}")).into_response()),
                Err(e) => entry_failure(e)?,
            }
        }
    };
    let view = crate::registry::PersonView::new(&state, &p);
    form_page(&state, &user, Some(&view), &values, &problems, &date_text, remove_phone)
}

/// `POST /registry/{id}/unemployment`: 失业登记. Success opens the person's page; a
/// refusal shows it with the reasons next to the registration's fields.
pub async fn unemployment_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    // At the desk (staff), or online by the person themself (网上失业登记).
    let online = user.account.role == jiujin_domain::access::Role::Worker && user.account.person_id == Some(id);
    if !online {
        may_edit(&user)?;
    }
    check_csrf(&user, &posted)?;
    let p = visible(&state, &user, id).await?;
    let today = today();
    let date_text = value(&posted, "date").to_string();
    let source = if online {
        jiujin_domain::registry::EventSource::SelfService
    } else {
        jiujin_domain::registry::EventSource::Staff
    };
    let checked = |k: &str| value(&posted, k) == "1";
    let problems = match entry::effective_date(&date_text, today) {
        Err(p) => vec![p],
        Ok(date) => {
            let reg = UnemploymentRegistration {
                date,
                able_to_work: checked("able_to_work"),
                wants_work: checked("wants_work"),
                without_work: checked("without_work"),
            };
            let by = context_for(&user, &client);
            match entry::register_unemployment(&state.store, user.scope(), id, &reg, source, today, &by).await {
                Ok(_) => return Ok(Redirect::to(&format!("/registry/{id}?saved=unemployment")).into_response()),
                Err(e) => entry_failure(e)?,
            }
        }
    };
    let (view, events, household, policies) =
        super::person_sections(&state, &user, &client, &p, "unemployment").await?;
    let errors: BTreeMap<String, String> = problems.into_iter().map(|p| (p.field, p.message)).collect();
    let page = render(
        &state,
        &user,
        "person.html",
        context! {
            title => view.name.clone(), p => view, events, household, policies,
            may_reveal => user.account.role.reveals_identity(), may_edit => user.account.role.edits_registry(),
            may_register => true,
            unemployment => context! {
                errors, date => date_text,
                able_to_work => checked("able_to_work"), wants_work => checked("wants_work"),
                without_work => checked("without_work"),
            },
        },
    )?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
