//! 零工市场 stations and 招聘会 (SPEC §3). A station's page is made for a phone: the
//! day work open today, claimed by a worker with one tap; the station's staff post day
//! work and confirm completion. Fairs list their employers and postings and record
//! attendance and hires. Everyone signed in may look; only staff whose region holds the
//! station or fair change it (others get 404).

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiujin_domain::jobs::template::{Mapped, JOB_COLUMNS};
use jiujin_domain::jobs::validate::validate_posting;
use jiujin_domain::{RegionCode, RegionLevel};
use jiujin_store::gig;
use minijinja::context;

use super::{today, value, Posted};
use crate::audit::{context_for, Client};
use crate::auth::{render, CurrentUser};
use crate::extract::Path;
use crate::{AppState, WebError};

fn manages(user: &CurrentUser, region: i64) -> bool {
    user.account.role.edits_registry() && RegionCode::from_i64(region).is_some_and(|r| user.scope().admits(r, None))
}

fn store_err(e: jiujin_store::StoreError) -> WebError {
    match e {
        jiujin_store::StoreError::Conflict(m) => WebError::BadRequest(m),
        jiujin_store::StoreError::NotFound(_) => WebError::NotFound,
        e => e.into(),
    }
}

fn place(state: &AppState, posted: &Posted, key: &str) -> Result<RegionCode, WebError> {
    let text = value(posted, key).trim();
    RegionCode::parse(text)
        .ok()
        .filter(|r| state.refdata.is_chongqing_division(*r))
        .filter(|r| matches!(r.level(), RegionLevel::Town | RegionLevel::Village))
        .ok_or_else(|| WebError::Invalid {
            field: key.into(),
            message: format!("“{text}”不是重庆市现行的乡镇（街道）或村（社区）区划代码"),
        })
}

fn required(posted: &Posted, key: &str, label: &str) -> Result<String, WebError> {
    let v = value(posted, key).trim();
    if v.is_empty() || v.chars().count() > 60 {
        return Err(WebError::Invalid { field: key.into(), message: format!("{label}必填，最多60字") });
    }
    Ok(v.to_string())
}

/// The region whose stations and fairs a list shows: the caller's, or the city.
fn listed_region(user: &CurrentUser) -> Option<RegionCode> {
    match user.scope() {
        jiujin_store::Scope::Region(r) => Some(r),
        _ => None,
    }
}

/// `GET /stations`
pub async fn stations_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Html<String>, WebError> {
    let region = listed_region(&user);
    let list = gig::stations(&state.store, region).await?;
    let stations: Vec<_> = list
        .iter()
        .map(|s| {
            context! {
                id => s.station.id, name => s.station.name.clone(), address => s.station.address.clone(),
                place => RegionCode::from_i64(s.station.region).map(|r| state.refdata.region_path(r)).unwrap_or_default(),
                postings => s.postings, claims => s.claims, completed => s.completed,
            }
        })
        .collect();
    render(
        &state,
        &user,
        "stations.html",
        context! { title => "零工市场", section => "jobs", stations, may_open => user.account.role.edits_registry(), today => today().to_string() },
    )
}

/// `POST /stations`: staff open a station inside their region.
pub async fn station_create(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    user.check_form_token(value(&posted, "csrf"))?;
    let region = place(&state, &posted, "region")?;
    if !user.scope().admits(region, None) {
        return Err(WebError::Invalid { field: "region".into(), message: "地点不在您的管辖范围内".into() });
    }
    let s = gig::NewStation {
        name: required(&posted, "name", "驿站名称")?,
        region: region.as_i64(),
        district: region.district().unwrap_or(region).as_i64(),
        address: required(&posted, "address", "地址")?,
        opened_on: jiujin_domain::registry::validate::parse_date(value(&posted, "opened_on")).unwrap_or_else(today),
        operator: required(&posted, "operator", "运营单位")?,
    };
    let id = gig::create_station(&state.store, &s, &context_for(&user, &client)).await?;
    Ok(Redirect::to(&format!("/stations/{id}")).into_response())
}

/// `GET /stations/{id}`: the phone-sized page of a station.
pub async fn station_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let s = gig::station(&state.store, id).await?.ok_or(WebError::NotFound)?;
    let manage = manages(&user, s.station.region);
    // A worker sees which of the day's work they have taken (and is not offered it again).
    let mine: std::collections::HashMap<i64, &'static str> = match user.account.person_id {
        Some(person) => gig::station_claims(&state.store, id)
            .await?
            .iter()
            .filter(|(c, _)| c.person_id == person && c.status != gig::CANCELLED)
            .map(|(c, _)| (c.job_id, if c.status == gig::COMPLETED { "您已完工" } else { "您已接单" }))
            .collect(),
        None => Default::default(),
    };
    let jobs: Vec<_> = gig::station_jobs(&state.store, id, today())
        .await?
        .iter()
        .map(|j| {
            let wage = jiujin_app::jobs::board::wage_of(j);
            context! { id => j.id, title => j.title.clone(), wage => wage.display(), left => (j.headcount - j.hired).max(0),
                headcount => j.headcount, description => j.description.clone(), valid => format!("{} 至 {}", j.valid_from, j.valid_to),
                mine => mine.get(&j.id).copied() }
        })
        .collect();
    let claims: Vec<_> = if manage {
        let rows = gig::station_claims(&state.store, id).await?;
        // Who took the work, as an employer sees a candidate: a name, never a number.
        let ids: Vec<i64> = rows.iter().map(|(c, _)| c.person_id).collect();
        let names: std::collections::HashMap<i64, String> =
            jiujin_store::jobs::candidates(&state.store, &ids).await?.into_iter().map(|c| (c.id, c.name)).collect();
        rows.iter()
            .map(|(c, j)| {
                let status = match c.status {
                    gig::CLAIMED => "已接单",
                    gig::COMPLETED => "已完工",
                    _ => "已取消",
                };
                context! { id => c.id, job => j.title.clone(), person => c.person_id, name => names.get(&c.person_id).cloned(),
                    status, open => c.status == gig::CLAIMED,
                    at => c.claimed_at.format("%Y-%m-%d %H:%M").to_string() }
            })
            .collect()
    } else {
        Vec::new()
    };
    render(
        &state,
        &user,
        "station.html",
        context! {
            title => s.station.name.clone(), section => "jobs", manage, jobs, claims,
            worker => user.account.person_id.is_some(),
            s => context! { id => s.station.id, name => s.station.name.clone(), address => s.station.address.clone(),
                operator => s.station.operator.clone(), postings => s.postings, claims => s.claims, completed => s.completed,
                place => RegionCode::from_i64(s.station.region).map(|r| state.refdata.region_path(r)).unwrap_or_default() },
        },
    )
}

/// `POST /stations/{id}/jobs`: the station's staff post day work for a registered
/// employer (validated by the posting rules; held postings are refused here, since
/// day work is for today).
pub async fn station_job_create(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    let s = gig::station(&state.store, id).await?.ok_or(WebError::NotFound)?;
    if !manages(&user, s.station.region) {
        return Err(WebError::NotFound);
    }
    let place = RegionCode::from_i64(s.station.region).ok_or(WebError::NotFound)?;
    let reference = format!("S{id}-{}", chrono::Utc::now().timestamp_micros());
    let cells: Vec<(&str, String)> = vec![
        ("ref", reference),
        ("credit_code", value(&posted, "credit_code").to_string()),
        ("title", value(&posted, "title").to_string()),
        ("occupation", value(&posted, "occupation").to_string()),
        ("place", place.short()),
        ("headcount", value(&posted, "headcount").to_string()),
        ("wage_form", "日薪".into()),
        ("wage_min", value(&posted, "wage").to_string()),
        ("kind", "零工".into()),
        ("description", value(&posted, "description").to_string()),
        ("valid_from", today().to_string()),
        // Day work is for today unless the staff give a later end.
        (
            "valid_to",
            Some(value(&posted, "valid_to").trim())
                .filter(|v| !v.is_empty())
                .map_or_else(|| today().to_string(), str::to_string),
        ),
        ("source", "零工市场".into()),
    ];
    let keys: Vec<&str> = cells.iter().map(|(k, _)| *k).collect();
    let row: Vec<String> = cells.iter().map(|(_, v)| v.clone()).collect();
    let map = Mapped::from_headers(JOB_COLUMNS, &keys).map_err(|e| WebError::Internal(e.to_string()))?;
    let p = validate_posting(state.refdata, &map, row.as_slice(), today()).map_err(|errors| {
        let e = &errors[0];
        WebError::Invalid { field: e.column.into(), message: format!("{}：{}", e.column, e.message) }
    })?;
    let employers =
        jiujin_store::jobs::employers_by_credit(&state.store, &[p.credit_code.as_str().to_string()]).await?;
    let e = employers
        .get(p.credit_code.as_str())
        .ok_or_else(|| WebError::Invalid {
            field: "credit_code".into(), message: "该用人单位尚未登记".into()
        })?;
    let mut job = jiujin_app::jobs::import::job_row(&p, e.id, &e.industry, today());
    job.station_id = Some(id);
    jiujin_store::jobs::save_job(&state.store, &job, &context_for(&user, &client)).await?;
    Ok(Redirect::to(&format!("/stations/{id}")).into_response())
}

/// `POST /claims/{job}`: a worker takes a place of a day-work posting.
pub async fn claim_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(job): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    let person = user.account.person_id.ok_or(WebError::NotFound)?;
    let station = jiujin_store::jobs::listing(&state.store, job)
        .await?
        .and_then(|l| l.job.station_id)
        .ok_or(WebError::NotFound)?;
    gig::claim(&state.store, job, person, today(), &context_for(&user, &client)).await.map_err(store_err)?;
    Ok(Redirect::to(&format!("/stations/{station}?claimed={job}")).into_response())
}

/// `POST /claims/{id}/finish`: the station's staff confirm completion or cancel.
pub async fn finish_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    let c = gig::claim_by_id(&state.store, id).await?.ok_or(WebError::NotFound)?;
    let station = jiujin_store::jobs::listing(&state.store, c.job_id)
        .await?
        .and_then(|l| l.job.station_id)
        .ok_or(WebError::NotFound)?;
    let s = gig::station(&state.store, station).await?.ok_or(WebError::NotFound)?;
    if !manages(&user, s.station.region) {
        return Err(WebError::NotFound);
    }
    let completed = match value(&posted, "action") {
        "complete" => true,
        "cancel" => false,
        _ => return Err(WebError::BadRequest("不支持的操作".into())),
    };
    gig::finish_claim(&state.store, id, completed, &context_for(&user, &client)).await.map_err(store_err)?;
    Ok(Redirect::to(&format!("/stations/{station}")).into_response())
}

/// `GET /fairs`
pub async fn fairs_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Html<String>, WebError> {
    let region = listed_region(&user);
    let fairs: Vec<_> = gig::fairs(&state.store, region)
        .await?
        .iter()
        .map(|f| {
            context! { id => f.id, name => f.name.clone(), held_on => f.held_on.to_string(), online => f.online,
            venue => f.venue.clone(), attendance => f.attendance, hires => f.hires,
            place => RegionCode::from_i64(f.region).map(|r| state.refdata.region_path(r)).unwrap_or_default() }
        })
        .collect();
    render(
        &state,
        &user,
        "fairs.html",
        context! { title => "招聘会", section => "jobs", fairs, may_open => user.account.role.edits_registry(), today => today().to_string() },
    )
}

/// `POST /fairs`
pub async fn fair_create(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    if !user.account.role.edits_registry() {
        return Err(WebError::NotFound);
    }
    user.check_form_token(value(&posted, "csrf"))?;
    let region = RegionCode::parse(value(&posted, "region").trim())
        .ok()
        .filter(|r| state.refdata.is_chongqing_division(*r))
        .ok_or_else(|| WebError::Invalid {
            field: "region".into(), message: "地区代码不是重庆市现行区划".into()
        })?;
    if !user.scope().admits(region, None) {
        return Err(WebError::Invalid { field: "region".into(), message: "地点不在您的管辖范围内".into() });
    }
    let held_on =
        jiujin_domain::registry::validate::parse_date(value(&posted, "held_on"))
            .ok_or_else(|| WebError::Invalid {
                field: "held_on".into(), message: "举办日期应为 YYYY-MM-DD".into()
            })?;
    let f = gig::NewFair {
        name: required(&posted, "name", "招聘会名称")?,
        held_on,
        region: region.as_i64(),
        district: region.district().unwrap_or(region).as_i64(),
        venue: required(&posted, "venue", "地点或网址")?,
        online: value(&posted, "online") == "1",
        organizer: required(&posted, "organizer", "主办单位")?,
    };
    let id = gig::create_fair(&state.store, &f, &context_for(&user, &client)).await?;
    Ok(Redirect::to(&format!("/fairs/{id}")).into_response())
}

/// `GET /fairs/{id}`
pub async fn fair_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let (f, employers, jobs) = gig::fair(&state.store, id).await?.ok_or(WebError::NotFound)?;
    let manage = manages(&user, f.region);
    let employers: Vec<_> =
        employers.iter().map(|e| context! { name => e.name.clone(), credit_code => e.credit_code.clone() }).collect();
    let jobs: Vec<_> =
        jobs.iter().map(|j| context! { id => j.id, title => j.title.clone(), headcount => j.headcount }).collect();
    render(
        &state,
        &user,
        "fair.html",
        context! {
            title => f.name.clone(), section => "jobs", manage, employers, jobs,
            f => context! { id => f.id, name => f.name.clone(), held_on => f.held_on.to_string(), online => f.online,
                venue => f.venue.clone(), organizer => f.organizer.clone(), attendance => f.attendance, hires => f.hires,
                place => RegionCode::from_i64(f.region).map(|r| state.refdata.region_path(r)).unwrap_or_default() },
        },
    )
}

/// `POST /fairs/{id}/employers` (add an employer by credit code) and
/// `POST /fairs/{id}/counts` (attendance and hires).
pub async fn fair_submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    client: Client,
    Path((id, what)): Path<(i64, String)>,
    Form(posted): Form<Posted>,
) -> Result<Response, WebError> {
    user.check_form_token(value(&posted, "csrf"))?;
    let (f, _, _) = gig::fair(&state.store, id).await?.ok_or(WebError::NotFound)?;
    if !manages(&user, f.region) {
        return Err(WebError::NotFound);
    }
    let by = context_for(&user, &client);
    match what.as_str() {
        "employers" => {
            let code = value(&posted, "credit_code").trim().to_uppercase();
            let e = jiujin_store::jobs::employer_by_credit(&state.store, &code).await?.ok_or_else(|| {
                WebError::Invalid {
                    field: "credit_code".into(),
                    message: format!("统一社会信用代码 {code} 的用人单位尚未登记"),
                }
            })?;
            gig::add_fair_employer(&state.store, id, e.id, &by).await?;
        }
        "counts" => {
            let n = |k: &str, label: &str| {
                value(&posted, k).trim().parse::<i32>().ok().filter(|n| (0..=1_000_000).contains(n)).ok_or_else(|| {
                    WebError::Invalid { field: k.into(), message: format!("{label}应为0至1000000的整数") }
                })
            };
            let (attendance, hires) = (n("attendance", "参会人数")?, n("hires", "达成就业意向人数")?);
            if hires > attendance {
                return Err(WebError::Invalid {
                    field: "hires".into(),
                    message: "达成就业意向人数不能多于参会人数".into(),
                });
            }
            gig::record_fair_counts(&state.store, id, attendance, hires, &by).await.map_err(store_err)?;
        }
        _ => return Err(WebError::NotFound),
    }
    Ok(Redirect::to(&format!("/fairs/{id}")).into_response())
}
