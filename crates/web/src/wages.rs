//! 欠薪预警 (SPEC §7): `/wages` the live warnings by district (red, orange, yellow and
//! the amount) with the list of the chosen district, worst first; `/wages/warnings/{id}`
//! one warning with its article, penalty article, evidence, log and the steps
//! (assign to an inspector, record work, close with a note and evidence);
//! `/wages/projects/{id}` a project with what the checks find today; complaints
//! (`/wages/complaints` for staff, `/wages/complain` a worker's phone-sized page) and
//! `/wages/blacklist` the 失信 list. Inspectors and the staff of HR bureaus, inside
//! their region; anyone else gets 404.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiujin_app::wages::WageError;
use jiujin_domain::access::Role;
use jiujin_domain::wages::{escalation_label, Check, ComplaintState, Grade, WarningState};
use jiujin_domain::RegionCode;
use jiujin_store::wages::{Step, WarningFilter};
use minijinja::context;
use serde::Deserialize;

use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::{Path, Query};
use crate::jobs::{today, value, Posted};
use crate::lists::{back, FormError, MessageQuery};
use crate::{AppState, WebError};

/// The roles that work wage warnings.
pub(crate) fn handles(role: Role) -> bool {
    matches!(role, Role::Inspector | Role::CityStaff | Role::DistrictStaff | Role::TownStaff | Role::Admin)
}

fn staff(user: &CurrentUser) -> Result<Option<(i64, i64)>, WebError> {
    if !handles(user.account.role) {
        return Err(WebError::NotFound);
    }
    jiujin_app::wages::range(user.scope()).map_err(|_| WebError::NotFound)
}

fn params() -> Vec<jiujin_domain::policy::Param> {
    jiujin_domain::wages::rules::embedded()
}

fn place(state: &AppState, region: i64) -> String {
    RegionCode::from_i64(region).map(|r| state.refdata.region_path(r)).unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub district: Option<String>,
    #[serde(default)]
    pub grade: Option<i16>,
}

fn grade_key(g: i16) -> &'static str {
    Grade::from_code(g).map_or("", Grade::key)
}

fn grade_label(g: i16) -> &'static str {
    Grade::from_code(g).map_or("", Grade::label)
}

/// `GET /wages`
pub async fn page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let range = staff(&user)?;
    let mut districts: Vec<(i64, [i64; 3], i64)> = Vec::new();
    for (d, g, n, amount) in jiujin_store::wages::by_district(&state.store, range).await? {
        let i = match districts.iter().position(|x| x.0 == d) {
            Some(i) => i,
            None => {
                districts.push((d, [0; 3], 0));
                districts.len() - 1
            }
        };
        if (1..=3).contains(&g) {
            districts[i].1[(g - 1) as usize] += n;
        }
        districts[i].2 += amount;
    }
    districts.sort_by_key(|(_, c, _)| std::cmp::Reverse((c[2], c[1], c[0])));
    let rows: Vec<_> = districts
        .iter()
        .map(|(d, c, amount)| {
            let code = RegionCode::from_i64(*d).map(|r| r.short()).unwrap_or_default();
            context! { code, name => place(&state, *d), red => c[2], orange => c[1], yellow => c[0],
            amount => jiujin_domain::Fen(*amount).to_yuan_compact() }
        })
        .collect();
    let (shapes, height) = crate::map::shapes();
    let map: Vec<_> = shapes
        .iter()
        .map(|sh| {
            let c = districts
                .iter()
                .find(|(d, _, _)| RegionCode::from_i64(*d).is_some_and(|r| r.short() == sh.code))
                .map_or([0; 3], |(_, c, _)| *c);
            let level = if c[2] > 0 {
                "red"
            } else if c[1] > 0 {
                "orange"
            } else if c[0] > 0 {
                "yellow"
            } else {
                "none"
            };
            context! { code => sh.code.clone(), name => sh.name.clone(), path => sh.path.clone(), level,
            red => c[2], orange => c[1], yellow => c[0] }
        })
        .collect();
    let chosen = q.district.as_deref().and_then(|t| RegionCode::parse(t).ok());
    let filter = WarningFilter {
        live: true,
        grade: q.grade.filter(|g| (1..=3).contains(g)),
        region: chosen.map(|r| r.subtree_range()),
        ..WarningFilter::default()
    };
    let list = jiujin_store::wages::warnings(&state.store, range, &filter, 500).await?;
    let warnings: Vec<_> = list
        .iter()
        .map(|w| {
            context! { id => w.id, grade => grade_label(w.grade), grade_key => grade_key(w.grade),
            check => jiujin_app::wages::check_label(&w.check_code), summary => w.summary.clone(),
            project => w.project_name.clone().unwrap_or_else(|| w.employer_code.clone().unwrap_or_default()),
            place => place(&state, w.region), days => w.days_overdue,
            amount => w.amount.to_yuan_compact(), workers => w.workers,
            state => WarningState::from_code(w.state).map_or("", WarningState::label),
            escalation => (w.escalation > 0).then(|| escalation_label(w.escalation)),
            assigned_to => w.assigned_to.clone() }
        })
        .collect();
    render(
        &state,
        &user,
        "wages.html",
        context! { title => "欠薪预警", section => "wages", districts => rows, warnings, map,
        map_width => crate::map::WIDTH, map_height => height,
        district => chosen.map(|r| r.short()), district_name => chosen.map(|r| state.refdata.region_path(r)),
        grade => q.grade, today => today().to_string() },
    )
}

/// `GET /wages/warnings/{id}`
pub async fn warning_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    let range = staff(&user)?;
    let w = jiujin_store::wages::warning(&state.store, range, id).await?.ok_or(WebError::NotFound)?;
    let check = Check::parse(&w.check_code);
    let log: Vec<_> = jiujin_store::wages::warning_log(&state.store, id)
        .await?
        .into_iter()
        .map(|(on, actor, action, note)| {
            let action = match action.as_str() {
                "raise" => "发出预警",
                "grade" => "等级变化",
                "assign" => "分派",
                "work" => "处置",
                "close" => "办结",
                "resolve" => "自动解除",
                "escalate" => "升级督办",
                _ => "其他",
            };
            context! { on => on.to_string(), actor, action, note }
        })
        .collect();
    let evidence: Vec<String> = jiujin_app::wages::evidence_of(&w.evidence).into_iter().map(|e| e.text).collect();
    let live = WarningState::from_code(w.state).is_some_and(WarningState::is_live);
    render(
        &state,
        &user,
        "wage_warning.html",
        context! { title => format!("预警 {}", w.id), section => "wages", id => w.id,
        grade => grade_label(w.grade), grade_key => grade_key(w.grade),
        check => check.map_or("", Check::label), article => check.map_or("", Check::article),
        penalty => check.map_or("", Check::penalty), risk => check.is_some_and(Check::is_risk),
        summary => w.summary.clone(), project_id => w.project_id, project => w.project_name.clone(),
        employer => w.employer_code.clone(), place => place(&state, w.region), responsible => w.responsible.clone(),
        days => w.days_overdue, amount => w.amount.to_yuan_compact(), workers => w.workers,
        state => WarningState::from_code(w.state).map_or("", WarningState::label), live,
        escalation => escalation_label(w.escalation), assigned_to => w.assigned_to.clone(),
        assigned_on => w.assigned_on.map(|d| d.to_string()), first_seen => w.first_seen.to_string(),
        last_seen => w.last_seen.to_string(), end_note => w.end_note.clone(), end_evidence => w.end_evidence.clone(),
        evidence, log, error => q.error, saved => q.saved },
    )
}

/// `POST /wages/warnings/{id}/{step}` (assign, work, close).
pub async fn warning_step(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path((id, step)): Path<(i64, String)>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    let range = staff(&user)?;
    let to = format!("/wages/warnings/{id}");
    let text = |k: &str| value(&posted, k).trim().to_string();
    let step = match step.as_str() {
        "assign" => {
            let who = text("inspector");
            let account = jiujin_store::access::user_by_name(&state.store, &who).await?;
            match account {
                Some((a, _)) if a.role == Role::Inspector => Step::Assign(who),
                _ => return Ok(back(&to, &format!("“{who}”不是劳动保障监察账号"))),
            }
        }
        "work" if !text("note").is_empty() => Step::Work(text("note")),
        "close" if !text("note").is_empty() && !text("evidence").is_empty() => {
            Step::Close { note: text("note"), evidence: text("evidence") }
        }
        "work" | "close" => return Ok(back(&to, "请填写处置情况（办结还须填写证据）")),
        _ => return Err(WebError::NotFound),
    };
    let by = context_for(&user, &client);
    match jiujin_store::wages::handle(&state.store, range, id, &step, today(), &by).await {
        Ok(true) => Ok(Redirect::to(&format!("{to}?saved=1")).into_response()),
        Ok(false) => Ok(back(&to, "该预警已办结或已解除")),
        Err(jiujin_store::StoreError::NotFound(_)) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// `GET /wages/projects/{id}`
pub async fn project_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    staff(&user)?;
    let (p, findings) = jiujin_app::wages::project_findings(&state.store, &params(), user.scope(), id, today())
        .await
        .map_err(|e| match e {
        WageError::NotFound => WebError::NotFound,
        e => WebError::Internal(e.to_string()),
    })?;
    let roster = jiujin_store::wages::roster(&state.store, p.id).await?;
    let subs: Vec<_> = jiujin_store::wages::subcontractors(&state.store, p.id)
        .await?
        .into_iter()
        .map(|(code, name, trade)| context! { code, name, trade })
        .collect();
    let findings: Vec<_> = findings
        .iter()
        .map(|f| {
            context! { check => f.check.label(), article => f.check.article(), grade => f.grade.label(),
            grade_key => f.grade.key(), summary => f.summary.clone() }
        })
        .collect();
    let roster: Vec<_> = roster
        .iter()
        .map(|r| {
            context! { name => r.name.clone(), id => r.id_masked.clone(), team => r.team.clone(),
            entry => r.entry_on.to_string(), exit => r.exit_on.map(|d| d.to_string()),
            rate => r.daily_rate.to_yuan_compact() }
        })
        .collect();
    let kinds: Vec<_> = jiujin_app::wages_import::FileKind::ALL
        .iter()
        .map(|k| context! { key => k.key(), label => k.label() })
        .collect();
    render(
        &state,
        &user,
        "wage_project.html",
        context! { title => p.name.clone(), section => "wages", place => place(&state, p.region), kinds, subs,
        error => q.error,
        status => jiujin_domain::wages::ProjectStatus::from_code(p.status).map_or("", |s| s.label()),
        contract_value => p.contract_value.to_yuan_compact(), p, findings, roster, today => today().to_string() },
    )
}

fn complaint_rows(state: &AppState, list: &[jiujin_store::wages::ComplaintRow]) -> Vec<minijinja::Value> {
    list.iter()
        .map(|c| {
            let open = ComplaintState::from_code(c.state).is_some_and(ComplaintState::is_open);
            context! { id => c.id, employer => c.employer_name.clone(), employer_code => c.employer_code.clone(),
            project => c.project_name.clone(), place => place(state, c.region), name => c.name.clone(),
            phone => c.phone_masked.clone(), amount => c.amount.to_yuan_compact(), workers => c.workers,
            description => c.description.clone(), filed_on => c.filed_on.to_string(),
            deadline => c.deadline.to_string(), overdue => open && c.deadline < today(), open,
            state => ComplaintState::from_code(c.state).map_or("", ComplaintState::label),
            outcome => c.outcome.clone(), channel => if c.channel == 1 { "本人自助" } else { "窗口受理" } }
        })
        .collect()
}

/// `GET /wages/complaints`
pub async fn complaints_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    let range = staff(&user)?;
    let list = jiujin_store::wages::complaints(&state.store, range, None, 500).await?;
    crate::lists::audit_list(&state, &user, &client, "wages.complaints", list.len()).await?;
    let rows = complaint_rows(&state, &list);
    render(
        &state,
        &user,
        "wage_complaints.html",
        context! { title => "欠薪投诉", section => "wages", complaints => rows, error => q.error, saved => q.saved,
        home => crate::lists::home(&user) },
    )
}

fn complaint_form(posted: &Posted) -> jiujin_app::wages::ComplaintForm {
    let t = |k: &str| value(posted, k).to_string();
    jiujin_app::wages::ComplaintForm {
        project_code: t("project_code"),
        employer_code: t("employer_code"),
        employer_name: t("employer_name"),
        region: t("region"),
        name: t("name"),
        phone: t("phone"),
        amount: t("amount"),
        workers: t("workers"),
        description: t("description"),
    }
}

/// `POST /wages/complaints` (staff).
pub async fn complaint_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    file(&state, &user, &client, &posted, false).await
}

/// `POST /wages/complain` (a worker's own).
pub async fn complain_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    file(&state, &user, &client, &posted, true).await
}

async fn file(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    posted: &Posted,
    own: bool,
) -> Result<Response, WebError> {
    user.check_form_token(value(posted, "csrf"))?;
    let person = if own {
        match (user.account.role, user.account.person_id) {
            (Role::Worker, Some(p)) => Some(p),
            _ => return Err(WebError::NotFound),
        }
    } else {
        staff(user)?;
        None
    };
    let to = if own { "/wages/complain" } else { "/wages/complaints" };
    let by = context_for(user, client);
    match jiujin_app::wages::file_complaint(
        &state.store,
        state.refdata,
        &params(),
        person,
        &complaint_form(posted),
        today(),
        &by,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{to}?saved=1")).into_response()),
        Err(e) => Ok(back(to, &e.message()?)),
    }
}

/// `POST /wages/complaints/{id}/close`
pub async fn complaint_close(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let proven = (value(&posted, "result") == "proven").then(|| value(&posted, "proven_amount"));
    let by = context_for(&user, &client);
    let r = jiujin_app::wages::close_complaint(
        &state.store,
        &params(),
        user.scope(),
        id,
        proven,
        value(&posted, "outcome"),
        today(),
        &by,
    )
    .await;
    match r {
        Ok(()) => Ok(Redirect::to("/wages/complaints?saved=1").into_response()),
        Err(e) => Ok(back("/wages/complaints", &e.message()?)),
    }
}

/// `GET /wages/complain`: a worker's own complaints and the form (phone-sized).
pub async fn complain_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    let (Role::Worker, Some(person)) = (user.account.role, user.account.person_id) else {
        return Err(WebError::NotFound);
    };
    let list = jiujin_store::wages::complaints(&state.store, None, Some(person), 50).await?;
    let rows = complaint_rows(&state, &list);
    let districts: Vec<_> = state
        .refdata
        .districts()
        .iter()
        .map(|d| context! { code => d.short(), name => state.refdata.region_path(*d) })
        .collect();
    let days = jiujin_domain::wages::WageRules::bind(&params(), today())
        .map(|r| r.fast_track_within.months * 30 + r.fast_track_within.days)
        .unwrap_or(15);
    render(
        &state,
        &user,
        "wage_complain.html",
        context! { title => "欠薪投诉", section => "wages", complaints => rows, districts, days, error => q.error, saved => q.saved },
    )
}

/// `GET /wages/blacklist`
pub async fn blacklist_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    let range = staff(&user)?;
    let list = jiujin_store::wages::blacklist(&state.store, range).await?;
    let rows: Vec<_> = list
        .iter()
        .map(|l| {
            context! { id => l.id, name => l.employer_name.clone(), code => l.employer_code.clone(),
            place => place(&state, l.region), listed_on => l.listed_on.to_string(), until_on => l.until_on.to_string(),
            paid_on => l.paid_on.map(|d| d.to_string()), removed_on => l.removed_on.map(|d| d.to_string()),
            removal_note => l.removal_note.clone() }
        })
        .collect();
    render(
        &state,
        &user,
        "wage_blacklist.html",
        context! { title => "拖欠农民工工资失信联合惩戒对象名单", section => "wages", listings => rows,
        today => today().to_string(), error => q.error, saved => q.saved },
    )
}

/// `POST /wages/blacklist/{id}`: the payment date, or the removal with its note.
pub async fn blacklist_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let paid = Some(value(&posted, "paid_on")).filter(|t| !t.trim().is_empty());
    let remove = Some(value(&posted, "removal_note")).filter(|_| value(&posted, "remove") == "1");
    let by = context_for(&user, &client);
    match jiujin_app::wages::update_listing(&state.store, &params(), user.scope(), id, paid, remove, today(), &by).await
    {
        Ok(()) => Ok(Redirect::to("/wages/blacklist?saved=1").into_response()),
        Err(e) => Ok(back("/wages/blacklist", &e.message()?)),
    }
}

/// `GET /wages/projects`: the region's projects, newest first, and the form.
pub async fn projects_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<MessageQuery>,
) -> Result<Html<String>, WebError> {
    let range = staff(&user)?;
    let list = jiujin_store::wages::projects(&state.store, range, 500).await?;
    let rows: Vec<_> = list
        .iter()
        .map(|p| {
            context! { id => p.id, code => p.code.clone(), name => p.name.clone(), place => place(&state, p.region),
            contractor => p.contractor_name.clone(), value => p.contract_value.to_yuan_compact(),
            start => p.start_on.to_string(), end => p.end_on.to_string(),
            status => jiujin_domain::wages::ProjectStatus::from_code(p.status).map_or("", |s| s.label()) }
        })
        .collect();
    render(
        &state,
        &user,
        "wage_projects.html",
        context! { title => "工程项目", section => "wages", projects => rows, home => crate::lists::home(&user),
        today => today().to_string(), error => q.error },
    )
}

/// `POST /wages/projects`
pub async fn project_create(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let t = |k: &str| value(&posted, k).to_string();
    let form = jiujin_app::wages::ProjectForm {
        code: t("code"),
        name: t("name"),
        region: t("region"),
        address: t("address"),
        builder_code: t("builder_code"),
        builder_name: t("builder_name"),
        contractor_code: t("contractor_code"),
        contractor_name: t("contractor_name"),
        contract_value: t("contract_value"),
        contract_on: t("contract_on"),
        start_on: t("start_on"),
        end_on: t("end_on"),
        payday: t("payday"),
        monthly_labor_cost: t("monthly_labor_cost"),
        account_opened_on: t("account_opened_on"),
        notice_board_on: t("notice_board_on"),
    };
    let by = context_for(&user, &client);
    match jiujin_app::wages::register_project(&state.store, state.refdata, user.scope(), &form, &by).await {
        Ok(id) => Ok(Redirect::to(&format!("/wages/projects/{id}")).into_response()),
        Err(e) => Ok(back("/wages/projects", &e.message()?)),
    }
}

/// `GET /wages/templates/{kind}`: a blank import template.
pub async fn template(Extension(user): Extension<CurrentUser>, Path(kind): Path<String>) -> Result<Response, WebError> {
    staff(&user)?;
    let key = kind.trim_end_matches(".xlsx");
    let k = jiujin_app::wages_import::FileKind::parse(key).ok_or(WebError::NotFound)?;
    let bytes = jiujin_app::wages_import::template_xlsx(k).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(crate::lists::xlsx(&format!("wages-{key}.xlsx"), bytes))
}

/// `POST /wages/projects/{id}/import`: an uploaded file of the project (multipart:
/// csrf, kind, file); the result page lists every rejected row with its reason.
pub async fn import_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response, WebError> {
    staff(&user)?;
    let (mut csrf, mut kind, mut upload) = (String::new(), String::new(), None);
    while let Ok(Some(field)) = form.next_field().await {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "kind" => kind = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|e| WebError::Internal(e.body_text()))?;
                upload = Some((name, bytes));
            }
            _ => {}
        }
    }
    user.check_form_token(&csrf)?;
    let to = format!("/wages/projects/{id}");
    let Some(k) = jiujin_app::wages_import::FileKind::parse(&kind) else {
        return Ok(back(&to, "请选择文件类别"));
    };
    let Some((name, bytes)) = upload.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        return Ok(back(&to, "请选择要导入的文件（.xlsx、.xls 或 .csv）"));
    };
    let file_name = std::path::Path::new(&name).file_name().and_then(|n| n.to_str()).unwrap_or("upload.xlsx");
    let ext = std::path::Path::new(file_name).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if !matches!(ext.as_str(), "xlsx" | "xls" | "csv") {
        return Ok(back(&to, &format!("文件“{file_name}”不是 .xlsx、.xls 或 .csv 文件")));
    }
    let dir = tempfile::tempdir().map_err(|e| WebError::Internal(e.to_string()))?;
    let path = dir.path().join(file_name);
    tokio::fs::write(&path, &bytes).await.map_err(|e| WebError::Internal(e.to_string()))?;
    let by = context_for(&user, &client);
    let r = jiujin_app::wages_import::import_file(
        &state.store,
        &state.keys,
        user.scope(),
        id,
        k,
        &path,
        None,
        today(),
        &by,
    )
    .await;
    let report = match r {
        Ok(r) => r,
        Err(e) => return Ok(back(&to, &e.message()?)),
    };
    let rejected: Vec<_> = report.rejected.iter().map(|(row, reason)| context! { row, reason }).collect();
    render(
        &state,
        &user,
        "wage_import_result.html",
        context! { title => "导入结果", section => "wages", id, kind => k.label(), file_name, rows => report.rows,
        written => report.written, rejected, sha256 => report.sha256 },
    )
    .map(IntoResponse::into_response)
}

/// `POST /wages/projects/{id}/subcontractors`
pub async fn subcontractor_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    staff(&user)?;
    let to = format!("/wages/projects/{id}");
    let by = context_for(&user, &client);
    let r = jiujin_app::wages::add_subcontractor(
        &state.store,
        user.scope(),
        id,
        value(&posted, "credit_code"),
        value(&posted, "name"),
        value(&posted, "trade"),
        &by,
    )
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&to).into_response()),
        Err(e) => Ok(back(&to, &e.message()?)),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiWarningsQuery {
    /// 只看该区县（6位区划代码）及以下
    #[serde(default)]
    pub district: Option<String>,
    /// 只看该等级：1 黄，2 橙，3 红
    #[serde(default)]
    pub grade: Option<i16>,
    /// 最多返回多少条（1至5000，默认500）
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One open warning.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct WarningItemView {
    pub id: i64,
    /// 检查项代码（如 unpaid）
    pub check: String,
    pub check_label: String,
    /// 条例条款
    pub article: String,
    /// 罚则条款
    pub penalty: String,
    /// 1 黄，2 橙，3 红
    pub grade: i16,
    pub grade_label: String,
    pub project_id: Option<i64>,
    pub project: Option<String>,
    pub employer_code: Option<String>,
    /// 12位区划代码
    pub region: i64,
    pub place: String,
    pub responsible: String,
    pub days_overdue: i32,
    /// 金额（分）
    pub amount_fen: i64,
    pub workers: i32,
    pub summary: String,
    pub state: String,
    /// 0 区县处置，1 市级督办，2 市级挂牌督办
    pub escalation: i16,
    pub first_seen: String,
    pub last_seen: String,
    pub assigned_to: Option<String>,
}

/// The open warnings of the caller's region.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct WarningsView {
    pub date: String,
    pub items: Vec<WarningItemView>,
}

/// The open wage warnings of the caller's region.
#[utoipa::path(
    get,
    path = "/api/v1/wages/warnings",
    summary = "在办欠薪预警",
    description = "本账号范围内在办（待分派、已分派、处置中）的欠薪预警，红色、升级督办、逾期最久的在前；每条含《保障农民工工资支付条例》的条款和罚则。仅劳动保障监察和人社经办角色可用，其他角色答 404。",
    tag = "欠薪预警",
    params(ApiWarningsQuery),
    responses(
        (status = 200, description = "在办预警", body = WarningsView),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "本账号无权查看", body = crate::error::ErrorBody),
        (status = 422, description = "参数格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_warnings(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<ApiWarningsQuery>,
) -> Result<axum::Json<WarningsView>, WebError> {
    let limit = q.limit.unwrap_or(500);
    if !(1..=5000).contains(&limit) {
        return Err(WebError::Invalid { field: "limit".into(), message: "limit 应为1至5000".into() });
    }
    if q.grade.is_some_and(|g| !(1..=3).contains(&g)) {
        return Err(WebError::Invalid {
            field: "grade".into(), message: "grade 应为1（黄）、2（橙）或3（红）".into()
        });
    }
    let district = match q.district.as_deref().filter(|t| !t.trim().is_empty()) {
        None => None,
        Some(t) => match RegionCode::parse(t.trim()) {
            Ok(r) if state.refdata.region(r).is_some() => Some(r),
            _ => {
                return Err(WebError::Invalid {
                    field: "district".into(),
                    message: "district 应为重庆市的区划代码".into(),
                })
            }
        },
    };
    let range = staff(&user)?;
    let filter = WarningFilter {
        live: true,
        grade: q.grade,
        region: district.map(|r| r.subtree_range()),
        ..WarningFilter::default()
    };
    let list = jiujin_store::wages::warnings(&state.store, range, &filter, u64::from(limit)).await?;
    let items = list
        .into_iter()
        .map(|w| {
            let check = Check::parse(&w.check_code);
            WarningItemView {
                id: w.id,
                check_label: check.map_or("", Check::label).to_string(),
                article: check.map_or("", Check::article).to_string(),
                penalty: check.map_or("", Check::penalty).to_string(),
                check: w.check_code,
                grade: w.grade,
                grade_label: grade_label(w.grade).to_string(),
                project_id: w.project_id,
                project: w.project_name,
                employer_code: w.employer_code,
                region: w.region,
                place: place(&state, w.region),
                responsible: w.responsible,
                days_overdue: w.days_overdue,
                amount_fen: w.amount.0,
                workers: w.workers,
                summary: w.summary,
                state: WarningState::from_code(w.state).map_or("", WarningState::label).to_string(),
                escalation: w.escalation,
                first_seen: w.first_seen.to_string(),
                last_seen: w.last_seen.to_string(),
                assigned_to: w.assigned_to,
            }
        })
        .collect();
    Ok(axum::Json(WarningsView { date: today().to_string(), items }))
}
