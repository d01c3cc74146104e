//! 零工市场 stations with their day-work claims, and 招聘会 (migration m0012). Each
//! change is written with its audit entry in one transaction. A claim takes one place
//! of a day-work posting (`jobs.hired` + 1) while it stands; cancelling gives the place
//! back; a posting never has more claims standing than its headcount.

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use jiujin_domain::jobs::{JobKind, JobStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait};

use crate::entity::{employer, gig_claim, gig_station, job, job_fair, job_fair_employer};
use crate::{audit, Result, Store, StoreError};

pub const CLAIMED: i16 = 1;
pub const COMPLETED: i16 = 2;
pub const CANCELLED: i16 = 3;

/// A station to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStation {
    pub name: String,
    pub region: i64,
    pub district: i64,
    pub address: String,
    pub opened_on: NaiveDate,
    pub operator: String,
}

pub async fn create_station(store: &Store, s: &NewStation, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let m = gig_station::ActiveModel {
        name: Set(s.name.clone()),
        region: Set(s.region),
        district: Set(s.district),
        address: Set(s.address.clone()),
        opened_on: Set(s.opened_on),
        operator: Set(s.operator.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = gig_station::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({ "station": id, "name": s.name, "region": s.region });
    audit::write(&txn, slot, &by.entry(AuditAction::JobChange, "gig_stations", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(id)
}

/// A station with its counts: day-work postings, claims standing or done, completions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationSummary {
    pub station: gig_station::Model,
    pub postings: u64,
    pub claims: u64,
    pub completed: u64,
}

async fn summary(store: &Store, s: gig_station::Model) -> Result<StationSummary> {
    let jobs = job::Entity::find().filter(job::Column::StationId.eq(s.id));
    let postings = jobs.clone().count(store.conn()).await?;
    let ids: Vec<i64> = jobs.select_only().column(job::Column::Id).into_tuple().all(store.conn()).await?;
    let (mut claims, mut completed) = (0, 0);
    for chunk in ids.chunks(500) {
        let q = gig_claim::Entity::find().filter(gig_claim::Column::JobId.is_in(chunk.iter().copied()));
        claims += q.clone().filter(gig_claim::Column::Status.ne(CANCELLED)).count(store.conn()).await?;
        completed += q.filter(gig_claim::Column::Status.eq(COMPLETED)).count(store.conn()).await?;
    }
    Ok(StationSummary { station: s, postings, claims, completed })
}

/// Stations whose place lies in `region` (all for `None`), by name.
pub async fn stations(store: &Store, region: Option<jiujin_domain::RegionCode>) -> Result<Vec<StationSummary>> {
    let mut q = gig_station::Entity::find();
    if let Some(r) = region {
        let (lo, hi) = r.subtree_range();
        q = q.filter(gig_station::Column::Region.between(lo, hi));
    }
    let mut out = Vec::new();
    for s in q.order_by_asc(gig_station::Column::Name).limit(500).all(store.conn()).await? {
        out.push(summary(store, s).await?);
    }
    Ok(out)
}

pub async fn station(store: &Store, id: i64) -> Result<Option<StationSummary>> {
    match gig_station::Entity::find_by_id(id).one(store.conn()).await? {
        Some(s) => Ok(Some(summary(store, s).await?)),
        None => Ok(None),
    }
}

/// A station's day-work postings open on `date`, newest first.
pub async fn station_jobs(store: &Store, station_id: i64, date: NaiveDate) -> Result<Vec<job::Model>> {
    Ok(job::Entity::find()
        .filter(job::Column::StationId.eq(station_id))
        .filter(job::Column::Status.eq(JobStatus::Open.code()))
        .filter(job::Column::ValidFrom.lte(date))
        .filter(job::Column::ValidTo.gte(date))
        .order_by_desc(job::Column::Id)
        .limit(200)
        .all(store.conn())
        .await?)
}

/// The claims of a station's postings (with the posting), newest first.
pub async fn station_claims(store: &Store, station_id: i64) -> Result<Vec<(gig_claim::Model, job::Model)>> {
    let jobs: Vec<job::Model> =
        job::Entity::find().filter(job::Column::StationId.eq(station_id)).all(store.conn()).await?;
    let mut out = Vec::new();
    for chunk in jobs.chunks(500) {
        let claims = gig_claim::Entity::find()
            .filter(gig_claim::Column::JobId.is_in(chunk.iter().map(|j| j.id)))
            .all(store.conn())
            .await?;
        for c in claims {
            if let Some(j) = chunk.iter().find(|j| j.id == c.job_id) {
                out.push((c, j.clone()));
            }
        }
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.0.id));
    Ok(out)
}

/// A worker claims one place of an open day-work posting on `date`.
pub async fn claim(store: &Store, job_id: i64, person_id: i64, date: NaiveDate, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(j) = job::Entity::find_by_id(job_id).one(&txn).await? else {
        return Err(StoreError::NotFound("该零工岗位不存在".into()));
    };
    if j.kind != JobKind::DayWork.code() || j.station_id.is_none() {
        return Err(StoreError::Conflict("该岗位不是零工市场发布的零工".into()));
    }
    if j.status != JobStatus::Open.code() || date < j.valid_from || date > j.valid_to {
        return Err(StoreError::Conflict("该零工已结束，不能再接单".into()));
    }
    let existing = gig_claim::Entity::find()
        .filter(gig_claim::Column::JobId.eq(job_id))
        .filter(gig_claim::Column::PersonId.eq(person_id))
        .one(&txn)
        .await?;
    if existing.as_ref().is_some_and(|c| c.status != CANCELLED) {
        return Err(StoreError::Conflict("您已接过这一单".into()));
    }
    // One place: only while places are left (the update is the check, so two claims at
    // once cannot both take the last place).
    let took = job::Entity::update_many()
        .col_expr(job::Column::Hired, Expr::col(job::Column::Hired).add(1))
        .col_expr(job::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(job::Column::Id.eq(job_id))
        .filter(Expr::col(job::Column::Hired).lt(Expr::col(job::Column::Headcount)))
        .exec(&txn)
        .await?
        .rows_affected;
    if took == 0 {
        return Err(StoreError::Conflict("该零工已招满".into()));
    }
    let id = match existing {
        Some(c) => {
            gig_claim::Entity::update_many()
                .col_expr(gig_claim::Column::Status, Expr::value(CLAIMED))
                .col_expr(gig_claim::Column::ClaimedAt, Expr::value(Utc::now()))
                .filter(gig_claim::Column::Id.eq(c.id))
                .exec(&txn)
                .await?;
            c.id
        }
        None => {
            let m = gig_claim::ActiveModel {
                job_id: Set(job_id),
                person_id: Set(person_id),
                status: Set(CLAIMED),
                claimed_at: Set(Utc::now()),
                completed_at: Set(None),
                ..Default::default()
            };
            gig_claim::Entity::insert(m).exec(&txn).await?.last_insert_id
        }
    };
    let detail = serde_json::json!({ "claim": id, "job": job_id, "person": person_id, "action": "claim" });
    audit::write(&txn, slot, &by.entry(AuditAction::JobChange, "gig_claims", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(id)
}

/// Marks a standing claim completed, or cancels it (giving the place back).
pub async fn finish_claim(
    store: &Store,
    claim_id: i64,
    completed: bool,
    by: &audit::Context,
) -> Result<gig_claim::Model> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(c) = gig_claim::Entity::find_by_id(claim_id).one(&txn).await? else {
        return Err(StoreError::NotFound("接单记录不存在".into()));
    };
    if c.status != CLAIMED {
        return Err(StoreError::Conflict("该接单已完工或已取消".into()));
    }
    let now = Utc::now();
    let status = if completed { COMPLETED } else { CANCELLED };
    gig_claim::Entity::update_many()
        .col_expr(gig_claim::Column::Status, Expr::value(status))
        .col_expr(gig_claim::Column::CompletedAt, Expr::value(completed.then_some(now)))
        .filter(gig_claim::Column::Id.eq(claim_id))
        .exec(&txn)
        .await?;
    if !completed {
        job::Entity::update_many()
            .col_expr(job::Column::Hired, Expr::col(job::Column::Hired).sub(1))
            .col_expr(job::Column::UpdatedAt, Expr::value(now))
            .filter(job::Column::Id.eq(c.job_id))
            .exec(&txn)
            .await?;
    }
    let action = if completed { "complete" } else { "cancel" };
    let detail = serde_json::json!({ "claim": claim_id, "job": c.job_id, "action": action });
    audit::write(&txn, slot, &by.entry(AuditAction::JobChange, "gig_claims", Some(claim_id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(gig_claim::Model { status, completed_at: completed.then_some(now), ..c })
}

/// A claim by id.
pub async fn claim_by_id(store: &Store, id: i64) -> Result<Option<gig_claim::Model>> {
    Ok(gig_claim::Entity::find_by_id(id).one(store.conn()).await?)
}

/// A fair to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFair {
    pub name: String,
    pub held_on: NaiveDate,
    pub region: i64,
    pub district: i64,
    pub venue: String,
    pub online: bool,
    pub organizer: String,
}

pub async fn create_fair(store: &Store, f: &NewFair, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let m = job_fair::ActiveModel {
        name: Set(f.name.clone()),
        held_on: Set(f.held_on),
        region: Set(f.region),
        district: Set(f.district),
        venue: Set(f.venue.clone()),
        online: Set(f.online),
        organizer: Set(f.organizer.clone()),
        attendance: Set(0),
        hires: Set(0),
        created_by: Set(by.actor.username.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = job_fair::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({ "fair": id, "name": f.name, "held_on": f.held_on });
    audit::write(&txn, slot, &by.entry(AuditAction::JobChange, "job_fairs", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(id)
}

/// Fairs in `region` (all for `None`), latest first.
pub async fn fairs(store: &Store, region: Option<jiujin_domain::RegionCode>) -> Result<Vec<job_fair::Model>> {
    let mut q = job_fair::Entity::find();
    if let Some(r) = region {
        let (lo, hi) = r.subtree_range();
        q = q.filter(job_fair::Column::Region.between(lo, hi));
    }
    Ok(q.order_by_desc(job_fair::Column::HeldOn)
        .order_by_desc(job_fair::Column::Id)
        .limit(500)
        .all(store.conn())
        .await?)
}

/// A fair with its employers and its postings.
pub async fn fair(store: &Store, id: i64) -> Result<Option<(job_fair::Model, Vec<employer::Model>, Vec<job::Model>)>> {
    let Some(f) = job_fair::Entity::find_by_id(id).one(store.conn()).await? else { return Ok(None) };
    let ids: Vec<i64> = job_fair_employer::Entity::find()
        .filter(job_fair_employer::Column::FairId.eq(id))
        .select_only()
        .column(job_fair_employer::Column::EmployerId)
        .into_tuple()
        .all(store.conn())
        .await?;
    let employers = employer::Entity::find()
        .filter(employer::Column::Id.is_in(ids))
        .order_by_asc(employer::Column::Name)
        .all(store.conn())
        .await?;
    let jobs =
        job::Entity::find().filter(job::Column::FairId.eq(id)).order_by_asc(job::Column::Id).all(store.conn()).await?;
    Ok(Some((f, employers, jobs)))
}

/// Adds an employer to a fair (again: nothing changes) and offers its open postings
/// there. Returns how many postings were tied to the fair.
pub async fn add_fair_employer(store: &Store, fair_id: i64, employer_id: i64, by: &audit::Context) -> Result<u64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let m = job_fair_employer::ActiveModel { fair_id: Set(fair_id), employer_id: Set(employer_id) };
    let conflict = sea_orm::sea_query::OnConflict::columns([
        job_fair_employer::Column::FairId,
        job_fair_employer::Column::EmployerId,
    ])
    .do_nothing()
    .to_owned();
    job_fair_employer::Entity::insert_many([m]).on_conflict(conflict).exec_without_returning(&txn).await?;
    let tied = job::Entity::update_many()
        .col_expr(job::Column::FairId, Expr::value(fair_id))
        .filter(job::Column::EmployerId.eq(employer_id))
        .filter(job::Column::Status.eq(JobStatus::Open.code()))
        .filter(job::Column::FairId.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    let detail = serde_json::json!({ "fair": fair_id, "employer": employer_id, "postings": tied });
    audit::write(&txn, slot, &by.entry(AuditAction::JobChange, "job_fairs", Some(fair_id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(tied)
}

/// Records a fair's attendance and hires (the counts as reported after the event).
pub async fn record_fair_counts(
    store: &Store,
    fair_id: i64,
    attendance: i32,
    hires: i32,
    by: &audit::Context,
) -> Result<()> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let n = job_fair::Entity::update_many()
        .col_expr(job_fair::Column::Attendance, Expr::value(attendance))
        .col_expr(job_fair::Column::Hires, Expr::value(hires))
        .filter(job_fair::Column::Id.eq(fair_id))
        .exec(&txn)
        .await?
        .rows_affected;
    if n == 0 {
        return Err(StoreError::NotFound("招聘会不存在".into()));
    }
    let detail = serde_json::json!({ "fair": fair_id, "attendance": attendance, "hires": hires });
    audit::write(&txn, slot, &by.entry(AuditAction::JobChange, "job_fairs", Some(fair_id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(())
}
