//! The policy library in the web app (SPEC §5; 政策直达, seed 000 §(十六)): every
//! policy of the seeds, searchable in Chinese and filtered by whom it is for and how it
//! is obtained, and each policy's page with its sources, conditions, amount and the
//! dated versions of its parameters. Public information: any signed-in role may read
//! it; an employer's list opens on what an employer may apply for.

use axum::extract::State;
use axum::response::Html;
use axum::Extension;
use jiujin_domain::access::Role;
use jiujin_domain::policy::facts::EntityKind;
use jiujin_domain::policy::{Library, Obtain, Policy};
use minijinja::context;
use serde::Deserialize;

use crate::auth::{render, CurrentUser};
use crate::extract::{Path, Query};
use crate::{AppState, WebError};

fn library() -> Result<&'static Library, WebError> {
    Library::embedded().map_err(|e| WebError::Internal(format!("内置政策库有{}处错误", e.len())))
}

#[derive(Debug, Default, Deserialize)]
pub struct PolicyQuery {
    /// Words that must all appear in the title, benefit, department or tags.
    #[serde(default)]
    q: String,
    /// `person`, `employer` … or its label; `all` for every target.
    #[serde(default)]
    target: Option<String>,
    /// `免申即享`, `直补快办` or `申请`.
    #[serde(default)]
    obtain: String,
}

fn summary(p: &Policy) -> minijinja::Value {
    context! {
        id => p.id.as_str(), title => p.title.clone(), benefit => p.benefit.clone(),
        targets => p.targets.iter().map(|t| t.label()).collect::<Vec<_>>(),
        obtain => p.obtain.label(), period => p.period_label(), department => p.department.clone(),
        tags => p.tags.clone(), has_rules => p.has_rules(),
    }
}

pub async fn list_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<PolicyQuery>,
) -> Result<Html<String>, WebError> {
    let lib = library()?;
    // An employer first sees what an employer may apply for (政策直达).
    let target_text = q.target.clone().unwrap_or_else(|| match user.account.role {
        Role::Employer => "employer".into(),
        _ => String::new(),
    });
    let target = match target_text.trim() {
        "" | "all" => None,
        t => Some(EntityKind::parse(t).ok_or_else(|| WebError::BadRequest(format!("未知的政策对象：{t}")))?),
    };
    let obtain = match q.obtain.trim() {
        "" => None,
        o => Some(Obtain::parse(o).ok_or_else(|| WebError::BadRequest(format!("未知的获取方式：{o}")))?),
    };
    let found: Vec<_> = lib
        .search(q.q.trim())
        .into_iter()
        .filter(|p| target.is_none_or(|t| p.targets.contains(&t)))
        .filter(|p| obtain.is_none_or(|o| p.obtain == o))
        .map(summary)
        .collect();
    let targets: Vec<_> = EntityKind::ALL.iter().map(|t| context! { key => t.key(), label => t.label() }).collect();
    let obtains: Vec<_> = Obtain::ALL.iter().map(|o| o.label()).collect();
    render(
        &state,
        &user,
        "policies.html",
        context! {
            title => "政策库", section => "policy", policies => found, total => lib.policies().len(),
            q => q.q.clone(), target => target.map(|t| t.key()).unwrap_or("all"), obtain => q.obtain.clone(),
            targets, obtains,
        },
    )
}

pub async fn policy_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let p = library()?.get(&id).ok_or(WebError::NotFound)?;
    let conditions: Vec<_> = p
        .conditions
        .iter()
        .map(|c| context! { explain => c.explain.clone(), rule => c.text.clone(), cite => c.cite.to_string() })
        .collect();
    let amount = p.amount.as_ref().map(|a| {
        context! { explain => a.explain.clone(), formula => a.text.clone(), cite => a.cite.to_string() }
    });
    let params: Vec<_> = p
        .params
        .iter()
        .map(|param| {
            let versions: Vec<_> = param
                .versions
                .iter()
                .map(|v| {
                    context! {
                        from => v.from.to_string(), to => v.to.map(|d| d.to_string()), value => v.value.to_string(),
                        cite => v.cite.as_ref().map(|c| c.to_string()), note => v.note.clone(),
                    }
                })
                .collect();
            context! { name => param.name.clone(), versions }
        })
        .collect();
    render(
        &state,
        &user,
        "policy.html",
        context! {
            title => p.title.clone(), section => "policy", p => summary(p),
            sources => p.sources.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            evidence => p.evidence.clone(), payout => format!("按{}，{}", p.payout_per.label(), p.period.label()),
            conditions, amount, params,
        },
    )
}
