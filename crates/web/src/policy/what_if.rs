//! 政策测算 (what-if) in the browser: a draft value of one parameter of a person
//! policy, evaluated over the persons whose hukou lies in a region of the caller's
//! scope on a date (`app::policy::what_if`), with the beneficiaries and budget before
//! and after and the gainers and losers (masked), and the full list as Excel. For
//! the staff who review 免申即享 payouts; a region outside their scope is absent (404).
//! A read of many persons, so it is a GET audited like a search (by the service).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::NaiveDate;
use jiujin_app::policy::{what_if, PolicyError, WhatIf, WhatIfAsked, WhatIfChange};
use jiujin_domain::policy::Policy;
use jiujin_domain::region::RegionLevel;
use jiujin_domain::{Fen, RegionCode};
use minijinja::context;
use serde::Deserialize;

use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::{Path, Query};
use crate::registry::PersonView;
use crate::{AppState, WebError};

/// Most gainers (and most losers) listed on the page; the Excel file has them all.
pub const SHOWN: usize = 200;

/// Whether a what-if over the registry can be made of `p`: rules that target
/// persons, and parameters to change.
pub fn possible(p: &Policy) -> bool {
    p.has_rules() && jiujin_app::policy::registers::run_over(p).is_some() && !p.params.is_empty()
}

/// The form as sent (every field optional: the first visit sends none).
#[derive(Debug, Default, Deserialize)]
pub struct WhatIfQuery {
    #[serde(default)]
    param: String,
    /// The draft value; the what-if runs only when it is sent.
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    region: String,
    #[serde(default)]
    date: String,
}

/// A field the form refused (none: the form as a whole), with its reason.
struct Problem {
    field: &'static str,
    message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> Problem {
    Problem { field, message: message.into() }
}

/// The policy of the page, for a role that reviews payouts (404 to others, and for
/// a policy a what-if cannot be made of).
fn policy_for<'a>(state: &'a AppState, user: &CurrentUser, id: &str) -> Result<&'a Policy, WebError> {
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    state.library.get(id).filter(|p| possible(p)).ok_or(WebError::NotFound)
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The caller's home region (all of Chongqing for city-wide roles), the form's default.
fn home(user: &CurrentUser) -> RegionCode {
    match user.scope() {
        jiujin_store::Scope::Region(r) => r,
        _ => jiujin_domain::region::CHONGQING,
    }
}

fn region_name(state: &AppState, r: RegionCode) -> String {
    if r.level() == RegionLevel::Province {
        "重庆市".into()
    } else {
        state.refdata.region_path(r)
    }
}

/// The form's values, checked: the what-if's arguments, or the fields at fault. A
/// region outside the caller's scope is absent (404): `what_if` reads persons by
/// hukou without a scope, so the region is the scope.
fn check<'q>(
    user: &CurrentUser,
    p: &'q Policy,
    q: &'q WhatIfQuery,
    value: &'q str,
) -> Result<Result<WhatIfAsked<'q>, Vec<Problem>>, WebError> {
    let mut problems = Vec::new();
    let region = match q.region.trim() {
        "" => Some(home(user)),
        t => match RegionCode::parse(t) {
            Ok(r) => Some(r),
            Err(e) => {
                problems.push(problem("region", e.to_string()));
                None
            }
        },
    };
    if let Some(r) = region {
        if !user.scope().admits(r, None) {
            return Err(WebError::NotFound);
        }
    }
    let date = match q.date.trim() {
        "" => Some(today()),
        t => match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(problem("date", format!("日期“{t}”无效，应为 2025-06-01 这样的格式")));
                None
            }
        },
    };
    let param = q.param.trim();
    let value = value.trim();
    if param.is_empty() {
        problems.push(problem("param", "请选择要调整的参数"));
    } else if p.param(param).is_none() {
        let known = p.params.iter().map(|x| x.name.as_str()).collect::<Vec<_>>().join("、");
        problems.push(problem("param", format!("政策“{}”没有参数“{param}”（可用：{known}）", p.id.as_str())));
    }
    if value.is_empty() {
        problems.push(problem("value", "请填写测算值，如“10000元”“2/3”“3年”"));
    }
    let (Some(region), Some(date)) = (region, date) else { return Ok(Err(problems)) };
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    if let Err(m) = p.with_draft_value(param, value, date) {
        // No version in force on the date, or a value of the wrong kind.
        let field = if p.param(param).and_then(|x| x.at(date)).is_none() { "date" } else { "value" };
        return Ok(Err(vec![problem(field, m)]));
    }
    Ok(Ok(WhatIfAsked { policy_id: p.id.as_str(), region, date, draft: (param, value) }))
}

/// Runs the what-if (the draft was checked by `check`); a region that is not a
/// Chongqing division comes back as the region field's problem, and what the
/// evaluation could not do as the form's.
async fn run(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    asked: WhatIfAsked<'_>,
) -> Result<Result<WhatIf, Vec<Problem>>, WebError> {
    let by = context_for(user, client);
    match what_if(&state.store, state.library, asked.policy_id, asked.region, asked.date, asked.draft, &by).await {
        Ok(w) => Ok(Ok(w)),
        Err(e @ PolicyError::UnknownRegion(_)) => Ok(Err(vec![problem("region", e.to_string())])),
        Err(PolicyError::UnknownPolicy(_) | PolicyError::NotAutomatic(_)) => Err(WebError::NotFound),
        // What the evaluation could not do (a stored fact it cannot read, a rule the
        // kernel refuses): said on the form rather than hidden behind a 500.
        Err(e @ (PolicyError::Facts(_) | PolicyError::NotInForce(_))) => Ok(Err(vec![problem("", e.to_string())])),
        Err(PolicyError::Store(e)) => Err(WebError::Store(e)),
        Err(e) => Err(WebError::Internal(e.to_string())),
    }
}

fn yuan(f: Option<i64>) -> String {
    f.map_or_else(|| "—".into(), |f| Fen(f).to_string())
}

fn signed_yuan(f: i64) -> String {
    if f > 0 {
        format!("+{}", Fen(f))
    } else {
        Fen(f).to_string()
    }
}

fn signed(n: i128) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// The result as the page shows it: the counts and budgets, and at most `SHOWN`
/// gainers and losers each, with their persons read inside the caller's scope.
async fn result_view(
    state: &AppState,
    user: &CurrentUser,
    w: &WhatIf,
    xlsx: String,
) -> Result<minijinja::Value, WebError> {
    let shown = |list: &[WhatIfChange]| list.iter().take(SHOWN).cloned().collect::<Vec<_>>();
    let (gainers, losers) = (shown(&w.gainers), shown(&w.losers));
    let ids: Vec<i64> = gainers.iter().chain(&losers).filter_map(|c| c.person_id).collect();
    let persons = jiujin_store::registry::persons_by_ids(&state.store, user.scope(), &ids).await?;
    let rows = |list: &[WhatIfChange]| -> Vec<minijinja::Value> {
        list.iter()
            .map(|c| {
                let person =
                    c.person_id.and_then(|id| persons.iter().find(|p| p.id == id)).map(|p| PersonView::new(state, p));
                // A workshop, park, brand or hire: its name, code and place.
                let payee = c.payee.as_ref().map(|x| {
                    context! { name => x.name.clone(), code => x.credit_code.clone(), place => state.refdata.region_path(x.region) }
                });
                let diff = c.after_fen.unwrap_or(0).saturating_sub(c.before_fen.unwrap_or(0));
                context! {
                    person, person_id => c.person_id, payee,
                    beneficiary => jiujin_app::policy::registers::beneficiary_label(&c.beneficiary_kind),
                    before => yuan(c.before_fen), after => yuan(c.after_fen), diff => signed_yuan(diff),
                }
            })
            .collect()
    };
    Ok(context! {
        evaluated => w.evaluated,
        before => w.beneficiaries_before, after => w.beneficiaries_after,
        diff => signed(i128::from(w.beneficiaries_after) - i128::from(w.beneficiaries_before)),
        budget_before => Fen(w.budget_before_fen).to_string(), budget_after => Fen(w.budget_after_fen).to_string(),
        budget_diff => signed_yuan(w.budget_after_fen.saturating_sub(w.budget_before_fen)),
        gainers => rows(&gainers), losers => rows(&losers),
        gainers_total => w.gainers.len(), losers_total => w.losers.len(), shown => SHOWN, xlsx,
    })
}

/// The form (with what was typed and each problem next to its field, 422) and the
/// result when there is one.
fn page(
    state: &AppState,
    user: &CurrentUser,
    p: &Policy,
    q: &WhatIfQuery,
    problems: &[Problem],
    result: Option<minijinja::Value>,
) -> Result<Response, WebError> {
    let error = |field: &str| problems.iter().find(|x| x.field == field).map(|x| x.message.clone());
    let region_text = match q.region.trim() {
        "" => home(user).short(),
        t => t.to_string(),
    };
    let date_text = match q.date.trim() {
        "" => today().to_string(),
        t => t.to_string(),
    };
    let on = NaiveDate::parse_from_str(&date_text, "%Y-%m-%d").unwrap_or_else(|_| today());
    let chosen = match q.param.trim() {
        "" => p.params.first().map(|x| x.name.clone()).unwrap_or_default(),
        t => t.to_string(),
    };
    let params: Vec<_> = p
        .params
        .iter()
        .map(|x| {
            let now = x.at(on).map_or_else(|| "该日无生效版本".to_string(), |v| v.value.to_string());
            context! { name => x.name.clone(), in_force => now, selected => x.name == chosen }
        })
        .collect();
    let region_label = RegionCode::parse(&region_text)
        .ok()
        .filter(|r| *r == jiujin_domain::region::CHONGQING || state.refdata.region(*r).is_some())
        .map(|r| region_name(state, r));
    let listed: Vec<_> = problems.iter().map(|x| context! { key => x.field, message => x.message.clone() }).collect();
    let html = render(
        state,
        user,
        "what_if.html",
        context! {
            title => format!("政策测算：{}", p.title), section => "policy",
            p => context! { id => p.id.as_str(), title => p.title.clone(), period => p.period_label() },
            params, param => chosen, value => q.value.clone().unwrap_or_default(),
            region => region_text, region_label, home => region_name(state, home(user)), date => date_text,
            problems => listed, param_error => error("param"), value_error => error("value"),
            region_error => error("region"), date_error => error("date"), result,
        },
    )?;
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, html).into_response())
}

/// The query string of a what-if, for the Excel link.
fn query_string(asked: &WhatIfAsked<'_>) -> String {
    let pairs = [
        ("param", asked.draft.0.to_string()),
        ("value", asked.draft.1.to_string()),
        ("region", asked.region.short()),
        ("date", asked.date.to_string()),
    ];
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// `GET /policies/{id}/what-if`: the form; with a value, the what-if and its result.
pub async fn what_if_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<String>,
    Query(q): Query<WhatIfQuery>,
) -> Result<Response, WebError> {
    let p = policy_for(&state, &user, &id)?;
    let Some(value) = q.value.as_deref() else { return page(&state, &user, p, &q, &[], None) };
    let asked = match check(&user, p, &q, value)? {
        Ok(a) => a,
        Err(problems) => return page(&state, &user, p, &q, &problems, None),
    };
    let w = match run(&state, &user, &client, asked).await? {
        Ok(w) => w,
        Err(problems) => return page(&state, &user, p, &q, &problems, None),
    };
    let xlsx = format!("/policies/{}/what-if.xlsx?{}", p.id.as_str(), query_string(&asked));
    let result = result_view(&state, &user, &w, xlsx).await?;
    page(&state, &user, p, &q, &[], Some(result))
}

/// `GET /policies/{id}/what-if.xlsx?…`: the same what-if with every gainer and loser
/// (identity numbers masked), audited as an export.
pub async fn what_if_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<String>,
    Query(q): Query<WhatIfQuery>,
) -> Result<Response, WebError> {
    let p = policy_for(&state, &user, &id)?;
    let value = q.value.clone().unwrap_or_default();
    let asked = match check(&user, p, &q, &value)? {
        Ok(a) => a,
        Err(problems) => return page(&state, &user, p, &q, &problems, None),
    };
    let w = match run(&state, &user, &client, asked).await? {
        Ok(w) => w,
        Err(problems) => return page(&state, &user, p, &q, &problems, None),
    };
    let dir = tempfile::tempdir().map_err(|e| WebError::Internal(e.to_string()))?;
    let path = dir.path().join("what-if.xlsx");
    let by = context_for(&user, &client);
    jiujin_app::policy::what_if_file(&state.store, &state.keys, user.scope(), asked, &w, &path, &by)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let bytes = tokio::fs::read(&path).await.map_err(|e| WebError::Internal(e.to_string()))?;
    let name = format!("attachment; filename=\"what-if-{}-{}.xlsx\"", p.id.as_str(), asked.date);
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
