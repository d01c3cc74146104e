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
use jiujin_domain::policy::{Obtain, Policy};
use minijinja::context;
use serde::Deserialize;

use crate::auth::{render, CurrentUser};
use crate::extract::{Path, Query};
use crate::{AppState, WebError};

mod what_if;

pub use what_if::{what_if_page, what_if_xlsx};

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
    let lib = state.library;
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
    // 政策直达: an employer account sees the employer policies evaluated on what the
    // employer register holds of it.
    let mine = match (&user.account.credit_code, user.account.role) {
        (Some(code), Role::Employer) => {
            let today = chrono::Utc::now().date_naive();
            match jiujin_app::policy::employer_entitlements(&state.store, lib, code, today).await {
                Ok(e) => {
                    // And the subsidies paid per hired person, for each hire on its postings.
                    let hires: Vec<_> = jiujin_app::policy::hire_entitlements(&state.store, lib, &e.employer, today)
                        .await
                        .map_err(|e| WebError::Internal(e.to_string()))?
                        .iter()
                        .map(|h| {
                            context! { name => h.name.clone(), hire_date => h.hire_date.to_string(),
                            policies => crate::startups::policy_lines(&h.results) }
                        })
                        .collect();
                    Some(context! {
                        name => e.employer.name.clone(),
                        sections => crate::registry::evaluation_sections(&e.results, today),
                        hires,
                    })
                }
                Err(jiujin_app::policy::PolicyError::EmployerNotRegistered(_)) => None,
                Err(e) => return Err(WebError::Internal(e.to_string())),
            }
        }
        _ => None,
    };
    render(
        &state,
        &user,
        "policies.html",
        context! {
            title => "政策库", section => "policy", policies => found, total => lib.policies().len(),
            q => q.q.clone(), target => target.map(|t| t.key()).unwrap_or("all"), obtain => q.obtain.clone(),
            targets, obtains, mine,
        },
    )
}

pub async fn policy_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let p = state.library.get(&id).ok_or(WebError::NotFound)?;
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
            may_what_if => user.account.role.edits_registry() && what_if::possible(p),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct PayoutQuery {
    #[serde(default)]
    run: Option<i64>,
    /// One policy's payouts (its id).
    #[serde(default)]
    policy: Option<String>,
    /// `proposed` (the default), `approved`, `rejected` or `all`.
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    page: Option<u64>,
    /// How many were just decided (after a decision).
    #[serde(default)]
    decided: Option<u64>,
}

const PAYOUTS_PER_PAGE: u64 = 50;

fn status_label(s: &str) -> &'static str {
    match s {
        "proposed" => "待审核",
        "approved" => "已批准",
        "rejected" => "未批准",
        _ => "未知",
    }
}

/// The payouts proposed by 免申即享 runs inside the caller's scope, for staff to
/// approve or reject (one by one or all shown at once, with a reason). The list names
/// persons, so viewing it is recorded like a search.
pub async fn payouts_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: crate::audit::Client,
    Query(q): Query<PayoutQuery>,
) -> Result<Html<String>, WebError> {
    use jiujin_store::policy::{payouts, PayoutFilter};
    let status = q.status.clone().unwrap_or_else(|| "proposed".into());
    if !matches!(status.as_str(), "proposed" | "approved" | "rejected" | "all") {
        return Err(WebError::BadRequest(format!("未知的状态：{status}")));
    }
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let policy = q.policy.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let filter = PayoutFilter {
        run_id: q.run,
        person_id: None,
        policy_id: policy.map(str::to_string),
        status: (status != "all").then(|| status.clone()),
    };
    let scope = user.scope();
    let (rows, total, sum) = payouts(&state.store, scope, &filter, page - 1, PAYOUTS_PER_PAGE).await?;
    let detail = serde_json::json!({
        "via": "payouts", "run": q.run, "policy": policy, "status": status, "page": page, "total": total,
    });
    crate::audit::record(
        &state,
        &crate::audit::entry_for(
            &user,
            &client,
            jiujin_domain::audit::AuditAction::PersonSearch,
            "payout",
            None,
            detail,
        ),
    )
    .await?;
    let lib = state.library;
    let ids: Vec<i64> = rows.iter().filter_map(|p| p.person_id).collect();
    let persons = jiujin_store::registry::persons_by_ids(&state.store, scope, &ids).await?;
    let organisations: Vec<_> = rows.iter().filter(|p| p.person_id.is_none()).cloned().collect();
    let payees = jiujin_app::policy::registers::payees(&state.store, &organisations)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let mut items = Vec::with_capacity(rows.len());
    for p in &rows {
        let person = p.person_id.and_then(|id| persons.iter().find(|s| s.id == id));
        let person = person.map(|s| crate::registry::PersonView::new(&state, s));
        // A workshop, park or employer: its name, 统一社会信用代码 and place.
        let payee = payees.get(&p.id).map(|x| {
            context! {
                name => x.name.clone(), code => x.credit_code.clone(),
                place => state.refdata.region_path(x.region),
            }
        });
        items.push(context! {
            id => p.id, run => p.run_id, policy => lib.get(&p.policy_id).map_or(p.policy_id.clone(), |x| x.title.clone()),
            period => if p.period == "once" { "一次性".to_string() } else { p.period.clone() },
            beneficiary => jiujin_app::policy::registers::beneficiary_label(&p.beneficiary_kind),
            amount => jiujin_domain::Fen(p.amount_fen).to_yuan_compact(), status => status_label(&p.status),
            proposed => p.status == "proposed", reason => p.reason.clone(), decided_by => p.decided_by.clone(),
            person, payee,
        });
    }
    let pages = total.div_ceil(PAYOUTS_PER_PAGE).max(1);
    // The policies a run can propose payouts for, to filter by.
    let policies: Vec<_> = lib
        .policies()
        .iter()
        .filter(|p| p.has_rules() && jiujin_app::policy::registers::run_over(p).is_some())
        .map(|p| context! { id => p.id.as_str(), title => p.title.clone(), selected => Some(p.id.as_str()) == policy })
        .collect();
    let filter_query = payout_query(&status, q.run, policy);
    render(
        &state,
        &user,
        "payouts.html",
        context! {
            title => "免申即享审核", section => "policy", items, total, pages, page, status, run => q.run,
            policy, policies, filter_query, all_query => payout_query("proposed", q.run, policy),
            sum => jiujin_domain::Fen(sum).to_yuan_compact(), decided => q.decided,
            may_decide => user.account.role.edits_registry(),
        },
    )
}

/// The review page's filter as a query string (for links, and the way back).
fn payout_query(status: &str, run: Option<i64>, policy: Option<&str>) -> String {
    let mut pairs = vec![("status", status.to_string())];
    if let Some(r) = run {
        pairs.push(("run", r.to_string()));
    }
    if let Some(p) = policy {
        pairs.push(("policy", p.to_string()));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// Approves or rejects the chosen proposed payouts (inside the caller's scope; others
/// are ignored), with a reason; approved ones are entered in the ledger.
pub async fn decide_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: crate::audit::Client,
    body: axum::body::Bytes,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    use jiujin_store::policy::{decide, Decision};
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|e| WebError::BadRequest(format!("表单无法解析：{e}")))?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    user.check_form_token(&get("csrf"))?;
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    let decision = match get("decision").as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => {
            return Err(WebError::Invalid {
                field: "decision".into(), message: "请选择“批准”或“不批准”".into()
            })
        }
    };
    let mut ids = Vec::new();
    for (k, v) in &fields {
        if k == "ids" {
            let id =
                v.trim().parse::<i64>().map_err(|_| WebError::Invalid {
                    field: "ids".into(),
                    message: format!("拟发放记录编号“{v}”无效"),
                })?;
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(WebError::Invalid { field: "ids".into(), message: "请至少勾选一条拟发放记录".into() });
    }
    if ids.len() > 500 {
        return Err(WebError::Invalid { field: "ids".into(), message: "一次最多审核500条".into() });
    }
    let reason = checked_reason(&get("reason"))?;
    let by = crate::audit::context_for(&user, &client);
    let decided = decide(&state.store, user.scope(), &ids, decision, &reason, &by).await?;
    let back = get("back");
    let back = if back.starts_with("/policies/payouts") { back } else { "/policies/payouts".to_string() };
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(axum::response::Redirect::to(&format!("{back}{sep}decided={decided}")).into_response())
}

/// A decision's reason: 2 to 200 characters.
fn checked_reason(text: &str) -> Result<String, WebError> {
    let reason = text.trim();
    if (2..=200).contains(&reason.chars().count()) {
        Ok(reason.to_string())
    } else {
        Err(WebError::Invalid { field: "reason".into(), message: "请填写审核意见（2至200字）".into() })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DecideAllQuery {
    #[serde(default)]
    run: Option<i64>,
    #[serde(default)]
    policy: Option<String>,
}

/// The confirmation of a decision on every proposed payout of the review page's
/// filter inside the caller's scope: how many, how much, and the newest one's id
/// (the decision stops there). With the reason refused, 422 and the message.
async fn decide_all_confirm(
    state: &AppState,
    user: &CurrentUser,
    run: Option<i64>,
    policy: Option<&str>,
    reason: &str,
    reason_error: Option<String>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    use jiujin_store::policy::{payouts, PayoutFilter};
    let filter = PayoutFilter {
        run_id: run,
        person_id: None,
        policy_id: policy.map(str::to_string),
        status: Some("proposed".into()),
    };
    let (newest, total, sum) = payouts(&state.store, user.scope(), &filter, 0, 1).await?;
    let policy_title = policy.map(|id| state.library.get(id).map_or(id.to_string(), |p| p.title.clone()));
    let status =
        if reason_error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    let page = render(
        state,
        user,
        "payouts_all.html",
        context! {
            title => "审核全部待审核记录", section => "policy", total, sum => jiujin_domain::Fen(sum).to_string(),
            through => newest.first().map(|p| p.id), run, policy, policy_title, reason, reason_error,
            back => format!("/policies/payouts?{}", payout_query("proposed", run, policy)),
        },
    )?;
    Ok((status, page).into_response())
}

/// `GET /policies/payouts/decide-all`: the confirmation step before approving or
/// rejecting every proposed payout that matches the filter (run, policy).
pub async fn decide_all_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<DecideAllQuery>,
) -> Result<axum::response::Response, WebError> {
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    let policy = q.policy.as_deref().map(str::trim).filter(|p| !p.is_empty());
    decide_all_confirm(&state, &user, q.run, policy, "", None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct DecideAllForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    run: String,
    #[serde(default)]
    policy: String,
    /// The newest payout id the confirmation counted.
    #[serde(default)]
    through: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /policies/payouts/decide-all`: approves or rejects every proposed payout of
/// the filter inside the caller's scope, up to the newest one confirmed, page by page
/// (`store::policy::decide_matching`: each page with its ledger entries, notices and
/// audit entry); then back to the review page with the count.
pub async fn decide_all_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: crate::audit::Client,
    axum::Form(f): axum::Form<DecideAllForm>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    use jiujin_store::policy::{decide_matching, Decision, PayoutFilter};
    user.check_form_token(&f.csrf)?;
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    let number = |field: &str, text: &str| -> Result<Option<i64>, WebError> {
        match text.trim() {
            "" => Ok(None),
            t => t
                .parse::<i64>()
                .map(Some)
                .map_err(|_| WebError::Invalid { field: field.into(), message: format!("编号“{t}”无效") }),
        }
    };
    let run = number("run", &f.run)?;
    let policy = Some(f.policy.trim()).filter(|p| !p.is_empty());
    let decision = match f.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => {
            return Err(WebError::Invalid {
                field: "decision".into(), message: "请选择“批准”或“不批准”".into()
            })
        }
    };
    let reason = match checked_reason(&f.reason) {
        Ok(r) => r,
        Err(e) => return decide_all_confirm(&state, &user, run, policy, &f.reason, Some(e.to_string())).await,
    };
    // Nothing was proposed when the confirmation was shown: nothing to decide.
    let decided = match number("through", &f.through)? {
        Some(through) => {
            let filter =
                PayoutFilter { run_id: run, person_id: None, policy_id: policy.map(str::to_string), status: None };
            let by = crate::audit::context_for(&user, &client);
            decide_matching(&state.store, user.scope(), &filter, through, decision, &reason, &by).await?
        }
        None => 0,
    };
    let back = format!("/policies/payouts?{}&decided={decided}", payout_query("proposed", run, policy));
    Ok(axum::response::Redirect::to(&back).into_response())
}

/// The display copy of the approved payouts in the caller's scope (masked numbers),
/// as Excel; the file with full numbers is made for the bank on the command line
/// (`jiujin policy bank-file`). Audited as an export.
pub async fn ledger_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: crate::audit::Client,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    let dir = tempfile::tempdir().map_err(|e| WebError::Internal(e.to_string()))?;
    let path = dir.path().join("ledger.xlsx");
    let by = crate::audit::context_for(&user, &client);
    let numbers = jiujin_app::registry::export::Numbers::Masked;
    jiujin_app::policy::bank_file(&state.store, &state.keys, state.library, user.scope(), None, numbers, &path, &by)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let bytes = std::fs::read(&path).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"ledger.xlsx\""),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response())
}

/// The caller's inbox: notices of policies added or changed that they subscribed to,
/// and of their own payouts; newest first.
pub async fn inbox_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Html<String>, WebError> {
    let (rows, unread) = jiujin_store::notices::inbox(&state.store, user.account.id, 100).await?;
    let notices: Vec<_> = rows
        .iter()
        .map(|n| {
            context! {
                title => n.title.clone(), body => n.body.clone(), link => n.link.clone(),
                at => n.created_at.format("%Y-%m-%d %H:%M").to_string(), unread => n.read_at.is_none(),
            }
        })
        .collect();
    let subs = jiujin_store::notices::subscriptions(&state.store, user.account.id).await?;
    let subs: Vec<_> = subs
        .iter()
        .map(|s| {
            let target = EntityKind::parse(&s.target).map(|t| t.label()).unwrap_or("任何对象");
            context! { id => s.id, tag => if s.tag.is_empty() { "任何类别".to_string() } else { s.tag.clone() }, target }
        })
        .collect();
    let targets: Vec<_> = EntityKind::ALL.iter().map(|t| context! { key => t.key(), label => t.label() }).collect();
    render(
        &state,
        &user,
        "inbox.html",
        context! { title => "消息与订阅", section => "policy", notices, unread, subs, targets },
    )
}

#[derive(Debug, Deserialize)]
pub struct InboxForm {
    csrf: String,
    /// `read`, `subscribe` or `unsubscribe`.
    action: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    id: Option<i64>,
}

/// Marks the inbox read, or adds / removes a subscription of the caller's own.
pub async fn inbox_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    axum::Form(f): axum::Form<InboxForm>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    user.check_form_token(&f.csrf)?;
    let me = user.account.id;
    match f.action.as_str() {
        "read" => {
            jiujin_store::notices::mark_read(&state.store, me).await?;
        }
        "subscribe" => {
            let tag = f.tag.trim();
            if tag.chars().count() > 40 {
                return Err(WebError::Invalid { field: "tag".into(), message: "类别不能超过40个字".into() });
            }
            let target = match f.target.trim() {
                "" => String::new(),
                t => EntityKind::parse(t)
                    .ok_or_else(|| WebError::Invalid {
                        field: "target".into(),
                        message: format!("未知的政策对象：{t}"),
                    })?
                    .key()
                    .to_string(),
            };
            if tag.is_empty() && target.is_empty() {
                return Err(WebError::Invalid {
                    field: "tag".into(), message: "请填写类别或选择对象".into()
                });
            }
            jiujin_store::notices::subscribe(&state.store, me, tag, &target).await?;
        }
        "unsubscribe" => {
            let id =
                f.id.ok_or_else(|| WebError::Invalid { field: "id".into(), message: "缺少订阅编号".into() })?;
            if !jiujin_store::notices::unsubscribe(&state.store, me, id).await? {
                return Err(WebError::NotFound);
            }
        }
        other => {
            return Err(WebError::Invalid { field: "action".into(), message: format!("未知的操作：{other}") });
        }
    }
    Ok(axum::response::Redirect::to("/inbox").into_response())
}
