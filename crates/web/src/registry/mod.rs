//! Registry pages and API: the searchable list, a person's page with the timeline,
//! the likely-duplicates queue, the blank template, and `/api/v1/persons`.
//! Identity numbers and phones are shown masked everywhere here. Every read of a
//! person's record and every search is recorded in the audit log.

pub(crate) mod forms;
pub(crate) mod reveal;
mod transfer;
mod view;

pub use forms::{edit_page, edit_submit, new_page, new_submit, unemployment_submit};
pub use reveal::{api_reveal, reveal_page};
pub use transfer::{
    export_full, export_masked, import_page, import_rejects, import_result, import_submit, MAX_UPLOAD_BYTES,
};

use crate::extract::{Path, Query};
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::{Extension, Json};
use jiujin_domain::audit::{mask_search_text, AuditAction};
use jiujin_domain::identity::IdNumber;
use jiujin_domain::registry::{EmploymentStatus, Flag, GroupFlag, Insurance, Phone};
use jiujin_domain::RegionCode;
use jiujin_store::registry::{
    household_members, likely_duplicates, list_persons, person, person_lines, timeline, InsuranceFilter, Page,
    PersonFilter,
};
use minijinja::context;
use serde::Deserialize;

use crate::audit::{entry_for, record, Client};
use crate::auth::{render, CurrentUser};
use crate::{AppState, WebError};
use view::LineView;
pub(crate) use view::PersonView;
pub(crate) use view::TimelineView;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Name (or its start), a full identity number or a mobile number.
    #[serde(default)]
    pub(crate) q: String,
    /// Region code (6, 9 or 12 digits): the district, or any region.
    #[serde(default)]
    pub(crate) region: String,
    /// Town (9 digits) inside `region`, for drilling down; ignored when outside it.
    #[serde(default)]
    pub(crate) town: String,
    /// Village (12 digits) inside `town`, for drilling down; ignored when outside it.
    #[serde(default)]
    pub(crate) village: String,
    /// Employment status (key or Chinese label).
    #[serde(default)]
    pub(crate) status: String,
    /// Group flag (key or Chinese label).
    #[serde(default)]
    pub(crate) flag: String,
    /// Insurance scheme (key or label), or `none` for 未参保.
    #[serde(default)]
    pub(crate) insurance: String,
    /// Age band such as `16-29`.
    #[serde(default)]
    pub(crate) age: String,
    #[serde(default)]
    pub(crate) page: Option<u64>,
}

impl ListQuery {
    /// The filter as a query string (without the page), for links and exports.
    pub(crate) fn query_string(&self) -> String {
        [
            ("q", &self.q),
            ("region", &self.region),
            ("town", &self.town),
            ("village", &self.village),
            ("status", &self.status),
            ("flag", &self.flag),
            ("insurance", &self.insurance),
            ("age", &self.age),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", transfer::percent_encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// The most specific of region, town and village that lies inside the ones
    /// before it (a town left over from another district is ignored).
    fn effective_region(&self) -> Result<Option<RegionCode>, WebError> {
        let mut chosen: Option<RegionCode> = None;
        for text in [&self.region, &self.town, &self.village] {
            let t = text.trim();
            if t.is_empty() {
                continue;
            }
            let r = RegionCode::parse(t).map_err(|e| WebError::BadRequest(e.to_string()))?;
            if chosen.is_none_or(|parent| parent.contains(r)) {
                chosen = Some(r);
            }
        }
        Ok(chosen)
    }
}

const PER_PAGE: u64 = 50;

/// A search as the audit log keeps it: the filters (numbers masked), the page and the
/// number of persons found.
pub(crate) fn search_detail(q: &ListQuery, via: &str, page: u64, total: u64) -> serde_json::Value {
    serde_json::json!({
        "via": via,
        "filter": {
            "q": mask_search_text(&q.q),
            "region": q.region.trim(),
            "town": q.town.trim(),
            "village": q.village.trim(),
            "status": q.status,
            "flag": q.flag,
            "insurance": q.insurance,
            "age": q.age,
        },
        "page": page,
        "total": total,
    })
}

pub(crate) fn filter_from(state: &AppState, q: &ListQuery) -> Result<PersonFilter, WebError> {
    let mut f = PersonFilter::default();
    let text = q.q.trim();
    if !text.is_empty() {
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if (10..=13).contains(&digits) {
            let phone = Phone::parse(text).map_err(|e| WebError::BadRequest(e.to_string()))?;
            f.phone_hmac = Some(state.keys.phone_hmac(&phone));
        } else if digits >= 15 {
            let today = chrono::Utc::now().date_naive();
            let id = IdNumber::parse(text, today).map_err(|e| WebError::BadRequest(e.to_string()))?;
            f.id_hmac = Some(state.keys.id_hmac(&id));
        } else {
            f.name = Some(text.to_string());
        }
    }
    f.region = q.effective_region()?;
    let insurance = q.insurance.trim();
    if insurance == "none" || insurance == "未参保" {
        f.insurance = Some(InsuranceFilter::Uninsured);
    } else if !insurance.is_empty() {
        let i = Insurance::ALL
            .iter()
            .copied()
            .find(|i| i.key() == insurance || i.label() == insurance)
            .ok_or_else(|| WebError::BadRequest(format!("未知参保险种：{insurance}")))?;
        f.insurance = Some(InsuranceFilter::Has(i));
    }
    if !q.status.is_empty() {
        f.status = Some(
            EmploymentStatus::parse(&q.status)
                .ok_or_else(|| WebError::BadRequest(format!("未知就业状态：{}", q.status)))?,
        );
    }
    if !q.flag.is_empty() {
        let flag = GroupFlag::ALL
            .iter()
            .copied()
            .find(|g| g.key() == q.flag || g.label() == q.flag)
            .ok_or_else(|| WebError::BadRequest(format!("未知人员类别：{}", q.flag)))?;
        f.flag = Some(flag);
    }
    if !q.age.is_empty() {
        let (lo, hi) = q
            .age
            .split_once('-')
            .and_then(|(a, b)| Some((a.parse::<i32>().ok()?, b.parse::<i32>().ok()?)))
            .ok_or_else(|| WebError::BadRequest(format!("年龄段格式应为 16-29：{}", q.age)))?;
        let today = chrono::Utc::now().date_naive();
        use chrono::Datelike;
        f.born_before = today.with_year(today.year() - lo);
        f.born_after = today.with_year(today.year() - hi - 1).and_then(|d| d.succ_opt());
    }
    Ok(f)
}

pub async fn list_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let scope = user.scope();
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    // A search that cannot be understood shows its message and nobody (and reads
    // nobody, so it is not recorded).
    let (result, error) = match filter_from(&state, &q) {
        Ok(filter) => {
            let found = person_lines(&state.store, scope, &filter, page - 1, PER_PAGE).await?;
            let detail = search_detail(&q, "page", page, found.total);
            record(&state, &entry_for(&user, &client, AuditAction::PersonSearch, "person", None, detail)).await?;
            (found, None)
        }
        Err(WebError::BadRequest(m)) => {
            (Page { total: 0, total_capped: false, page: page - 1, per_page: PER_PAGE, rows: Vec::new() }, Some(m))
        }
        Err(e) => return Err(e),
    };
    let today = chrono::Utc::now().date_naive();
    let rows: Vec<LineView> = result.rows.iter().map(|p| LineView::new(&state, p, today)).collect();
    let pages = result.total.div_ceil(PER_PAGE).max(1);
    let statuses: Vec<_> =
        EmploymentStatus::ALL.iter().map(|s| context! { key => s.key(), label => s.label() }).collect();
    let flags: Vec<_> = GroupFlag::ALL.iter().map(|s| context! { key => s.key(), label => s.label() }).collect();
    let insurances: Vec<_> = Insurance::ALL
        .iter()
        .map(|s| context! { key => s.key(), label => s.label() })
        .chain(std::iter::once(context! { key => "none", label => "未参保" }))
        .collect();
    let drill = drill_down(&state, &user, &q);
    let role = user.account.role;
    render(
        &state,
        &user,
        "registry_list.html",
        context! {
            title => "人员登记",
            rows, total => result.total, total_capped => result.total_capped, page, pages, error,
            q => q.q.clone(), status => q.status.clone(), flag => q.flag.clone(), age => q.age.clone(),
            insurance => q.insurance.clone(), query => q.query_string(),
            statuses, flags, insurances, drill,
            may_edit => role.edits_registry(), may_export_full => role.reveals_identity(),
            max_export => transfer::MAX_EXPORT_ROWS,
        },
    )
}

/// The region selects of the list: districts, then the towns of the chosen district,
/// then the villages of the chosen town, each limited to the caller's scope. Staff
/// whose home is a district, town or village find their own levels fixed.
fn drill_down(state: &AppState, user: &CurrentUser, q: &ListQuery) -> minijinja::Value {
    let rd = state.refdata;
    let home = match user.scope() {
        jiujin_store::Scope::Region(r) => Some(r),
        _ => None,
    };
    let chosen = q.effective_region().ok().flatten();
    // The deepest of the caller's home and the chosen region that lies inside the other.
    let at = match (home, chosen) {
        (Some(h), Some(c)) if h.contains(c) => Some(c),
        (Some(h), _) => Some(h),
        (None, c) => c,
    };
    let level = |pick: fn(RegionCode) -> Option<RegionCode>| at.and_then(pick);
    let district = level(RegionCode::district);
    let town = level(RegionCode::town);
    let village = at.filter(|r| r.level() == jiujin_domain::region::RegionLevel::Village);
    let fixed = |r: Option<RegionCode>| home.zip(r).is_some_and(|(h, r)| r.contains(h));
    let opts = |codes: &[RegionCode], selected: Option<RegionCode>| -> Vec<minijinja::Value> {
        codes
            .iter()
            .filter_map(|c| rd.region(*c))
            .map(|r| context! { code => r.code.short(), name => r.name.clone(), selected => Some(r.code) == selected })
            .collect()
    };
    let districts = match home.and_then(RegionCode::district) {
        Some(d) => opts(&[d], Some(d)),
        None => opts(rd.districts(), district),
    };
    let towns = district.map(|d| opts(rd.children(d), town)).unwrap_or_default();
    let villages = town.map(|t| opts(rd.children(t), village)).unwrap_or_default();
    context! {
        districts, towns, villages,
        district_fixed => fixed(district), town_fixed => fixed(town), village_fixed => fixed(village),
        path => at.map(|r| rd.region_path(r)),
    }
}

/// What a person's page shows besides the header: the person, the timeline, the
/// household and the policies evaluated on the record, read inside `scope`; the read
/// is audited as `person.read` (`via` says from which page) before anything is
/// returned.
pub(crate) async fn person_sections(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    p: &jiujin_store::registry::StoredPerson,
    via: &str,
) -> Result<PersonSections, WebError> {
    let scope = user.scope();
    let events = timeline(&state.store, scope, p.id).await?.ok_or(WebError::NotFound)?;
    let members = household_members(&state.store, scope, p).await?;
    let detail =
        serde_json::json!({ "via": via, "household_members": members.iter().map(|m| m.id).collect::<Vec<_>>() });
    record(state, &entry_for(user, client, AuditAction::PersonRead, "person", Some(p.id.to_string()), detail)).await?;
    let household = members.iter().map(|m| PersonView::new(state, m)).collect();
    let mut events: Vec<TimelineView> = events.iter().map(|e| TimelineView::new(state, e)).collect();
    let today = chrono::Utc::now().date_naive();
    let (recorded, shown) = jiujin_app::policy::recorded_facts(&state.store, scope, p.id, today)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let mut policies = policy_sections(state.library, p, recorded, today)?;
    // The person's 免申即享 payouts (proposed, approved, rejected), newest first.
    let f = jiujin_store::policy::PayoutFilter { person_id: Some(p.id), ..Default::default() };
    let (payouts, _, _) = jiujin_store::policy::payouts(&state.store, scope, &f, 0, 50).await?;
    let lib = Some(state.library);
    // Each payout is a service recorded on the timeline: proposed on the run's date,
    // then decided (approved into the ledger, or not approved with the reason).
    for x in &payouts {
        let title = lib.and_then(|l| l.get(&x.policy_id)).map_or(x.policy_id.clone(), |p| p.title.clone());
        let amount = jiujin_domain::Fen(x.amount_fen).to_yuan_compact();
        let period = if x.period == "once" { "一次性".to_string() } else { x.period.clone() };
        events.push(TimelineView::service(
            x.created_at.date_naive(),
            "政策服务",
            format!("免申即享：{title}（{period}）拟发放 {amount} 元"),
        ));
        if let Some(at) = x.decided_at {
            let what = match x.status.as_str() {
                "approved" => format!("已批准发放 {amount} 元，记入发放台账"),
                _ => format!("未批准：{}", x.reason.as_deref().unwrap_or("")),
            };
            events.push(TimelineView::service(at.date_naive(), "政策服务", format!("{title}（{period}）{what}")));
        }
    }
    // Each job push is a service too (SPEC §4, counted in the 1+1+3+1 of SPEC §6).
    let pushes = jiujin_store::jobs::pushes_of(&state.store, p.id).await?;
    let job_ids: Vec<i64> = pushes.iter().map(|x| x.job_id).collect();
    let jobs: std::collections::HashMap<i64, jiujin_store::jobs::JobListing> =
        jiujin_store::jobs::listings(&state.store, &job_ids).await?.into_iter().map(|l| (l.job.id, l)).collect();
    let outcome_label = |c: Option<i16>| {
        c.and_then(jiujin_domain::jobs::PushOutcome::from_code).map_or("", jiujin_domain::jobs::PushOutcome::label)
    };
    for x in &pushes {
        let title = jobs
            .get(&x.job_id)
            .map_or_else(|| x.job_id.to_string(), |l| format!("{}（{}）", l.job.title, l.employer_name));
        let own = x.channel == jiujin_store::jobs::CHANNEL_SELF;
        if own {
            events.push(TimelineView::service(
                x.push_date,
                "自主申请",
                format!("申请岗位：{title}，匹配得分 {}", x.score),
            ));
        } else {
            events.push(TimelineView::service(
                x.push_date,
                "岗位推送",
                format!("推送岗位：{title}，匹配得分 {}", x.score),
            ));
        }
        if let (Some(at), false) =
            (x.outcome_at, own && x.outcome == Some(jiujin_domain::jobs::PushOutcome::Applied.code()))
        {
            events.push(TimelineView::service(
                at.date_naive(),
                "岗位推送",
                format!("{title}：{}", outcome_label(x.outcome)),
            ));
        }
    }
    let pushes: Vec<_> = pushes
        .iter()
        .map(|x| {
            context! {
                id => x.id, job => x.job_id, date => x.push_date.to_string(), score => x.score,
                title => jobs.get(&x.job_id).map(|l| l.job.title.clone()).unwrap_or_default(),
                employer => jobs.get(&x.job_id).map(|l| l.employer_name.clone()).unwrap_or_default(),
                outcome => outcome_label(x.outcome),
                sent => x.state == jiujin_store::jobs::PUSH_SENT,
                own => x.channel == jiujin_store::jobs::CHANNEL_SELF,
            }
        })
        .collect();
    // Follow-up contacts (SPEC §6), and where the monthly follow-up stands.
    let contacts = jiujin_store::services::contacts_of(&state.store, p.id).await?;
    for c in &contacts {
        events.push(TimelineView::service(c.contact_date, "跟踪联系", contact_text(c)));
    }
    // Training (SPEC §6): enrolment, then completion with the certificate, or dropping out.
    for (e, c) in jiujin_store::training::enrolments_of_person(&state.store, p.id).await? {
        use jiujin_domain::training::EnrolmentState;
        let title = format!("{}（{}）", c.course.title, c.provider);
        events.push(TimelineView::service(e.enrolled_on, "技能培训", format!("报名参加培训：{title}")));
        if let (Some(done), Some(st)) = (e.completed_on, EnrolmentState::from_code(e.state)) {
            let cert = e
                .cert_level
                .and_then(|l| u8::try_from(l).ok())
                .and_then(jiujin_domain::registry::SkillLevel::new)
                .map(|l| format!("，取得{}证书", l.label()))
                .unwrap_or_default();
            events.push(TimelineView::service(done, "技能培训", format!("{title}：{}{cert}", st.label())));
        }
    }
    // 返乡创业: the business and its loans.
    if let Some(e) = jiujin_store::startups::entrepreneur_of_person(&state.store, p.id).await? {
        events.push(TimelineView::service(
            e.started_on,
            "返乡创业",
            format!("创办“{}”，带动就业 {} 人", e.business_name, e.employees),
        ));
        for l in jiujin_store::startups::loans_of(&state.store, e.id).await? {
            let kind = if l.guaranteed { "创业担保贷款" } else { "贷款" };
            events.push(TimelineView::service(
                l.granted_on,
                "返乡创业",
                format!(
                    "{kind} {} 元（{}，{} 个月）",
                    jiujin_domain::Fen(l.amount_fen).to_yuan_compact(),
                    l.lender,
                    l.term_months
                ),
            ));
        }
    }
    // Work in a 就业帮扶车间 or on a 公益性岗位.
    for (host, name, x) in jiujin_store::support::spells_of_person(&state.store, p.id).await? {
        let kind = match host {
            jiujin_store::support::Host::Workshop => "就业帮扶车间",
            jiujin_store::support::Host::Post => "公益性岗位",
        };
        events.push(TimelineView::service(x.start, kind, format!("在{kind}“{name}”上岗")));
        if let Some(end) = x.end {
            let why = x
                .exit_reason
                .and_then(jiujin_domain::support::ExitReason::from_code)
                .map(|r| format!("（{}）", r.label()))
                .unwrap_or_default();
            events.push(TimelineView::service(end, kind, format!("离开{kind}“{name}”{why}")));
        }
    }
    // Hires a 劳务经纪人 is credited with, and their service-subsidy claims.
    for x in jiujin_store::brokers::placements_of_person(&state.store, p.id).await? {
        let broker = jiujin_store::brokers::broker(&state.store, x.placement.broker_id)
            .await?
            .map(|b| b.name)
            .unwrap_or_default();
        events.push(TimelineView::service(
            x.placement.hired_on,
            "经纪人推荐就业",
            format!("经劳务经纪人“{broker}”推荐到{}就业", x.placement.employer_name),
        ));
        if let Some(c) = &x.claim {
            let st = jiujin_domain::brokers::ClaimStatus::from_code(c.status).map_or("", |s| s.label());
            events.push(TimelineView::service(
                c.claimed_on,
                "经纪人推荐就业",
                format!("经纪人“{broker}”申请就业创业服务补助：{st}"),
            ));
        }
    }
    let follow = p
        .state
        .unemployed_since
        .filter(|_| p.state.status == jiujin_domain::registry::EmploymentStatus::Unemployed)
        .map(|registered| {
            use jiujin_domain::services::{follow_up, Outcome};
            let last = contacts
                .iter()
                .filter(|c| Outcome::from_code(c.outcome).is_some_and(Outcome::reached) && c.contact_date >= registered)
                .map(|c| c.contact_date)
                .max();
            let f = follow_up(registered, last, today);
            let groups: Vec<&str> =
                jiujin_domain::services::difficulties(p.state.birth_date, p.state.sex, p.state.flags.bits(), today)
                    .iter()
                    .map(|d| d.label())
                    .collect();
            context! { due => f.due.to_string(), state => f.label(), overdue => f.days_overdue() > 0, groups }
        });
    let contacts: Vec<_> = contacts
        .iter()
        .map(|c| context! { date => c.contact_date.to_string(), text => contact_text(c), by => c.recorded_by.clone() })
        .collect();
    // Stable: registry events keep their order within a day, services follow them.
    events.sort_by(|a, b| a.date.cmp(&b.date));
    let payouts: Vec<_> = payouts
        .iter()
        .map(|x| {
            context! {
                policy => lib.and_then(|l| l.get(&x.policy_id)).map_or(x.policy_id.clone(), |p| p.title.clone()),
                period => if x.period == "once" { "一次性".to_string() } else { x.period.clone() },
                amount => jiujin_domain::Fen(x.amount_fen).to_yuan_compact(),
                status => match x.status.as_str() { "approved" => "已批准", "rejected" => "未批准", _ => "待审核" },
                date => x.created_at.date_naive().to_string(),
            }
        })
        .collect();
    let recorded: Vec<_> = shown
        .iter()
        .map(|f| {
            context! {
                label => f.label.clone(), value => f.value.clone(),
                valid_from => f.valid_from.to_string(), source => f.source.clone(),
            }
        })
        .collect();
    let channels: Vec<&str> = jiujin_domain::services::Channel::ALL.iter().map(|c| c.label()).collect();
    let outcomes: Vec<&str> = jiujin_domain::services::Outcome::ALL.iter().map(|c| c.label()).collect();
    let offers: Vec<_> =
        jiujin_domain::services::Offered::ALL.iter().map(|o| context! { key => o.key(), label => o.label() }).collect();
    let contact_form = context! { channels, outcomes, offers, today => today.to_string() };
    // 就业困难人员: recognitions and help (SPEC §6), also on the timeline.
    use jiujin_domain::services::recognition::{Category, HelpKind};
    let recognitions = jiujin_store::difficulty::recognitions_of(&state.store, p.id).await?;
    let helps = jiujin_store::difficulty::help_of(&state.store, p.id).await?;
    for r in &recognitions {
        let c = Category::from_code(r.category).map_or("", Category::label);
        events.push(TimelineView::service(r.recognized_on, "就业援助", format!("认定为就业困难人员（{c}）")));
        if let Some(on) = r.revoked_on {
            let why = r.revoke_reason.clone().unwrap_or_default();
            events.push(TimelineView::service(on, "就业援助", format!("撤销就业困难人员认定（{c}）：{why}")));
        }
    }
    for h in &helps {
        let k = HelpKind::from_code(h.kind).map_or("", HelpKind::label);
        let note = if h.note.is_empty() { String::new() } else { format!("：{}", h.note) };
        events.push(TimelineView::service(h.help_date, "就业援助", format!("{k}{note}")));
    }
    events.sort_by(|a, b| a.date.cmp(&b.date));
    let difficulty = context! {
        recognitions => recognitions.iter().map(|r| context! {
            id => r.id, category => Category::from_code(r.category).map_or("", Category::label),
            date => r.recognized_on.to_string(), evidence => r.evidence.clone(),
            revoked => r.revoked_on.map(|d| d.to_string()), reason => r.revoke_reason.clone(),
        }).collect::<Vec<_>>(),
        helps => helps.iter().map(|h| context! {
            date => h.help_date.to_string(), kind => HelpKind::from_code(h.kind).map_or("", HelpKind::label),
            note => h.note.clone(), by => h.recorded_by.clone(),
        }).collect::<Vec<_>>(),
        categories => Category::ALL.iter().map(|c| c.label()).collect::<Vec<_>>(),
        kinds => HelpKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
    };
    policies = context! { payouts, recorded, pushes, contacts, follow, contact_form, difficulty, ..policies };
    Ok((PersonView::new(state, p), events, household, policies))
}

/// One contact as the timeline and the page say it: "电话：政策宣介、职业指导；仍在求职（说明）".
fn contact_text(c: &jiujin_store::entity::service_contact::Model) -> String {
    use jiujin_domain::services::{Channel, Offered, Outcome};
    let offered: Vec<&str> = Offered::set_of(c.offered).iter().map(|o| o.label()).collect();
    let mut t = Channel::from_code(c.channel).map_or("联系", Channel::label).to_string();
    if !offered.is_empty() {
        t.push('：');
        t.push_str(&offered.join("、"));
    }
    t.push('；');
    t.push_str(Outcome::from_code(c.outcome).map_or("", Outcome::label));
    if !c.note.is_empty() {
        t.push_str(&format!("（{}）", c.note));
    }
    t
}

/// The person, the timeline, the household and the policies of a person's page.
pub(crate) type PersonSections = (PersonView, Vec<TimelineView>, Vec<PersonView>, minijinja::Value);

#[derive(Debug, Default, Deserialize)]
pub struct PersonQuery {
    /// What was just saved: `registered`, `unemployment` or the number of changes.
    #[serde(default)]
    saved: Option<String>,
    /// Why a follow-up contact was not recorded.
    #[serde(default)]
    contact_error: Option<String>,
    /// Why a recognition, revocation or help record was not made.
    #[serde(default)]
    difficulty_error: Option<String>,
}

pub async fn person_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Query(q): Query<PersonQuery>,
) -> Result<Html<String>, WebError> {
    let p = person(&state.store, user.scope(), id).await?.ok_or(WebError::NotFound)?;
    let (view, events, household, policies) = person_sections(&state, &user, &client, &p, "page").await?;
    let may_reveal = user.account.role.reveals_identity();
    let may_edit = user.account.role.edits_registry();
    // A worker may register their own unemployment online.
    let may_register = user.account.role == jiujin_domain::access::Role::Worker && user.account.person_id == Some(id);
    let saved = q.saved.as_deref().map(|s| match s {
        "registered" => "已登记。".to_string(),
        "unemployment" => "已办理失业登记。".to_string(),
        "contact" => "已记录跟踪联系。".to_string(),
        "difficulty" => "已保存就业困难人员认定。".to_string(),
        "help" => "已记录援助。".to_string(),
        "0" => "没有需要保存的变更。".to_string(),
        n => format!("已保存，时间线新增{}条记录。", n.parse::<u32>().unwrap_or(0)),
    });
    render(
        &state,
        &user,
        "person.html",
        context! { title => view.name.clone(), p => view, events, household, may_reveal, may_edit, may_register, saved, policies,
        contact_error => q.contact_error, difficulty_error => q.difficulty_error },
    )
}

/// The person policies evaluated today on what the registry holds (SPEC §5): those
/// granted, those that need facts the registry does not hold, and those refused,
/// each with its conditions and citations.
fn policy_sections(
    lib: &jiujin_domain::policy::Library,
    p: &jiujin_store::registry::StoredPerson,
    recorded: Vec<(jiujin_domain::policy::facts::FactId, jiujin_domain::policy::value::Value)>,
    today: chrono::NaiveDate,
) -> Result<minijinja::Value, WebError> {
    let (_, results) = jiujin_app::policy::evaluate_person(lib, p, recorded, None, today)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(evaluation_sections(&results, today))
}

/// Evaluations as the pages show them: granted, waiting for facts, refused, each with
/// its conditions (missing facts by their Chinese labels) and citations.
pub(crate) fn evaluation_sections(
    results: &[jiujin_domain::policy::Evaluation],
    today: chrono::NaiveDate,
) -> minijinja::Value {
    use jiujin_domain::policy::{facts::fact_by_key, Evaluation, Status};
    // Missing facts by their Chinese labels (the rules name them by key).
    let label = |k: &String| fact_by_key(k).map_or_else(|| k.clone(), |f| f.def().label.to_string());
    let item = |e: &Evaluation| {
        let conditions: Vec<_> = e
            .conditions
            .iter()
            .map(|c| {
                let missing: Vec<String> = c.missing.iter().map(label).collect();
                context! { outcome => c.outcome, explain => c.explain.clone(), cite => c.cite.to_string(), missing }
            })
            .collect();
        context! {
            title => e.title.clone(), status_label => e.status_label, amount_fen => e.amount_fen,
            amount_text => e.amount_text.clone(), conditions,
        }
    };
    let pick = |s: Status| results.iter().filter(|e| e.status == s).map(item).collect::<Vec<_>>();
    context! {
        date => today.to_string(),
        eligible => pick(Status::Eligible),
        undetermined => pick(Status::Undetermined),
        not_eligible => pick(Status::NotEligible),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DuplicatesQuery {
    #[serde(default)]
    done: Option<u8>,
}

pub async fn duplicates_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<DuplicatesQuery>,
) -> Result<Html<String>, WebError> {
    let pairs = likely_duplicates(&state.store, user.scope(), 100).await?;
    let detail = serde_json::json!({ "via": "duplicates", "total": pairs.len() });
    record(&state, &entry_for(&user, &client, AuditAction::PersonSearch, "person", None, detail)).await?;
    let pairs: Vec<_> = pairs
        .iter()
        .map(|d| context! { a => PersonView::new(&state, &d.a), b => PersonView::new(&state, &d.b) })
        .collect();
    let may_decide = user.account.role.edits_registry();
    render(
        &state,
        &user,
        "duplicates.html",
        context! { title => "疑似重复人员", pairs, may_decide, done => q.done.is_some() },
    )
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    a: i64,
    b: i64,
    decision: i16,
    #[serde(default)]
    note: String,
}

/// `POST /registry/duplicates/review`: a staff decision on a listed pair (同一人待核实
/// or 不同人), recorded with its audit entry; either person outside the scope: 404.
pub async fn review_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    axum::Form(f): axum::Form<ReviewForm>,
) -> Result<axum::response::Response, WebError> {
    user.check_form_token(&f.csrf)?;
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    if !matches!(f.decision, 1 | 2) || f.a == f.b {
        return Err(WebError::Invalid {
            field: "decision".into(),
            message: "核实结果只能是“同一人待核实”或“不同人”".into(),
        });
    }
    let note = f.note.trim();
    if note.chars().count() > 200 {
        return Err(WebError::Invalid { field: "note".into(), message: "备注不能超过200个字".into() });
    }
    let note = (!note.is_empty()).then_some(note);
    let by = crate::audit::context_for(&user, &client);
    if !jiujin_store::registry::review_duplicate(&state.store, user.scope(), f.a, f.b, f.decision, note, &by).await? {
        return Err(WebError::NotFound);
    }
    Ok(axum::response::Redirect::to("/registry/duplicates?done=1").into_response())
}

pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, Json(serde_json::json!({"status": "ok"}))),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({"status": "database_unavailable"})))
        }
    }
}

pub async fn template_download() -> Result<impl IntoResponse, WebError> {
    let bytes = jiujin_app::registry::export::template_xlsx().map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"workers-template.xlsx\"; filename*=UTF-8''%E4%BA%BA%E5%91%98%E4%BF%A1%E6%81%AF%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"),
        ],
        bytes,
    ))
}

/// One page of a person list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PersonList {
    /// Matches, exact up to 10,000.
    pub total: u64,
    /// More than `total` match.
    pub total_capped: bool,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<PersonView>,
}

/// Persons in the caller's scope matching the filters, 50 per page (by name for a name search, else by id).
#[utoipa::path(
    get,
    path = "/api/v1/persons",
    summary = "查询人员",
    description = "本账号范围内符合条件的人员，每页50人；按姓名查询时按姓名排序，否则按编号排序；证件号码和电话脱敏。每次查询记入审计日志。",
    tag = "人员登记",
    params(ListQuery),
    responses(
        (status = 200, description = "一页人员（证件号码、电话已脱敏）", body = PersonList),
        (status = 400, description = "参数无法理解", body = crate::error::ErrorBody),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 422, description = "参数格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_list(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Query(q): Query<ListQuery>,
) -> Result<Json<PersonList>, WebError> {
    let filter = filter_from(&state, &q)?;
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let result = list_persons(&state.store, user.scope(), &filter, page - 1, PER_PAGE).await?;
    let detail = search_detail(&q, "api", page, result.total);
    record(&state, &entry_for(&user, &client, AuditAction::PersonSearch, "person", None, detail)).await?;
    let rows: Vec<PersonView> = result.rows.iter().map(|p| PersonView::new(&state, p)).collect();
    Ok(Json(PersonList {
        total: result.total,
        total_capped: result.total_capped,
        page,
        per_page: PER_PAGE,
        items: rows,
    }))
}

/// One person in the caller's scope (outside it: 404, as if absent). The read is audited.
#[utoipa::path(
    get,
    path = "/api/v1/persons/{id}",
    summary = "查看一名人员",
    description = "本账号范围内的一名人员；范围外或不存在均答 404。每次查看记入审计日志。",
    tag = "人员登记",
    params(("id" = i64, Path, description = "人员编号")),
    responses(
        (status = 200, description = "人员信息（证件号码、电话已脱敏）", body = PersonView),
        (status = 401, description = "未登录或令牌无效", body = crate::error::ErrorBody),
        (status = 404, description = "不存在或不在本账号范围内", body = crate::error::ErrorBody),
        (status = 422, description = "编号格式错误", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_person(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
) -> Result<Json<PersonView>, WebError> {
    let p = person(&state.store, user.scope(), id).await?.ok_or(WebError::NotFound)?;
    let detail = serde_json::json!({ "via": "api" });
    record(&state, &entry_for(&user, &client, AuditAction::PersonRead, "person", Some(id.to_string()), detail)).await?;
    Ok(Json(PersonView::new(&state, &p)))
}
