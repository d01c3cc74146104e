//! Employers, job postings and the push outbox (migration m0011). Files are written in
//! one transaction with their audit entry; a row whose digest is unchanged is not
//! rewritten, so importing a file again changes nothing. Open postings are visible
//! city-wide (seed 002 #52); changing them is for the employer itself or staff whose
//! region holds the posting's place.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set,
    TransactionTrait,
};

use crate::entity::{employer, job, job_push};
use crate::{audit, Result, Store, StoreError};

/// What a file did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// An employer to record (codes of `domain::jobs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEmployer {
    pub credit_code: String,
    pub name: String,
    pub employer_type: i16,
    pub industry: String,
    pub region: i64,
    pub district: i64,
    pub size: Option<i16>,
    pub credit_status: i16,
    pub digest: Vec<u8>,
}

/// A posting to record, tied to its employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub employer_id: i64,
    pub reference: String,
    pub title: String,
    pub occupation: Option<String>,
    pub industry: String,
    pub place: i64,
    pub district: i64,
    pub headcount: i32,
    pub wage_form: i16,
    pub wage_min_fen: i64,
    pub wage_max_fen: i64,
    pub kind: i16,
    pub age_min: i16,
    pub age_max: i16,
    pub age_reason: Option<String>,
    pub sex: Option<String>,
    pub skill_min: Option<i16>,
    pub certificate: Option<String>,
    pub board: i16,
    pub description: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub source: i16,
    pub status: i16,
    pub review_note: Option<String>,
    pub digest: Vec<u8>,
    /// A day-work posting's 零工市场 station.
    pub station_id: Option<i64>,
    /// The 招聘会 a posting is offered at.
    pub fair_id: Option<i64>,
}

/// Rows a statement: under SQLite's limit of bound values (13 and 27 columns).
const EMPLOYER_CHUNK: usize = 1_000;
const JOB_CHUNK: usize = 500;

/// Records employers by credit code and the audit entry `detail` in one transaction.
pub async fn upsert_employers(
    store: &Store,
    rows: &[NewEmployer],
    by: &audit::Context,
    detail: serde_json::Value,
) -> Result<Written> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let now = Utc::now();
    let mut w = Written::default();
    for chunk in rows.chunks(EMPLOYER_CHUNK) {
        let existing: HashMap<String, (i64, Vec<u8>)> = employer::Entity::find()
            .select_only()
            .column(employer::Column::CreditCode)
            .column(employer::Column::Id)
            .column(employer::Column::RowDigest)
            .filter(employer::Column::CreditCode.is_in(chunk.iter().map(|r| r.credit_code.clone())))
            .into_tuple::<(String, i64, Vec<u8>)>()
            .all(&txn)
            .await?
            .into_iter()
            .map(|(c, id, d)| (c, (id, d)))
            .collect();
        let mut fresh = Vec::new();
        for r in chunk {
            let model = |id: Option<i64>| employer::ActiveModel {
                id: id.map_or(sea_orm::NotSet, Set),
                credit_code: Set(r.credit_code.clone()),
                name: Set(r.name.clone()),
                employer_type: Set(r.employer_type),
                industry: Set(r.industry.clone()),
                region: Set(r.region),
                district: Set(r.district),
                size: Set(r.size),
                credit_status: Set(r.credit_status),
                row_digest: Set(r.digest.clone()),
                created_at: if id.is_some() { sea_orm::NotSet } else { Set(now) },
                updated_at: Set(now),
            };
            match existing.get(&r.credit_code) {
                Some((_, d)) if *d == r.digest => w.unchanged += 1,
                Some((id, _)) => {
                    employer::Entity::update(model(Some(*id))).exec(&txn).await?;
                    w.updated += 1;
                }
                None => fresh.push(model(None)),
            }
        }
        if !fresh.is_empty() {
            // A code repeated inside one file: the last row wins.
            let conflict = OnConflict::column(employer::Column::CreditCode)
                .update_columns([
                    employer::Column::Name,
                    employer::Column::EmployerType,
                    employer::Column::Industry,
                    employer::Column::Region,
                    employer::Column::District,
                    employer::Column::Size,
                    employer::Column::CreditStatus,
                    employer::Column::RowDigest,
                    employer::Column::UpdatedAt,
                ])
                .to_owned();
            w.inserted += fresh.len() as u64;
            employer::Entity::insert_many(fresh).on_conflict(conflict).exec_without_returning(&txn).await?;
        }
    }
    let mut detail = detail;
    if let Some(o) = detail.as_object_mut() {
        o.insert("written".into(), serde_json::to_value(w).unwrap_or_default());
    }
    audit::write(&txn, slot, &by.entry(AuditAction::ImportRun, "employers", None, detail)).await?;
    txn.commit().await?;
    Ok(w)
}

/// An employer as a posting needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployerKey {
    pub id: i64,
    pub industry: String,
    pub district: i64,
    pub name: String,
    pub region: i64,
}

/// The employers with these credit codes.
pub async fn employers_by_credit(store: &Store, codes: &[String]) -> Result<HashMap<String, EmployerKey>> {
    let mut out = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(500) {
        let rows: Vec<(String, i64, String, i64, String, i64)> = employer::Entity::find()
            .select_only()
            .column(employer::Column::CreditCode)
            .column(employer::Column::Id)
            .column(employer::Column::Industry)
            .column(employer::Column::District)
            .column(employer::Column::Name)
            .column(employer::Column::Region)
            .filter(employer::Column::CreditCode.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(store.conn())
            .await?;
        out.extend(rows.into_iter().map(|(c, id, industry, district, name, region)| {
            (c, EmployerKey { id, industry, district, name, region })
        }));
    }
    Ok(out)
}

fn job_model(r: &NewJob, id: Option<i64>, actor: &str, now: DateTime<Utc>) -> job::ActiveModel {
    job::ActiveModel {
        id: id.map_or(sea_orm::NotSet, Set),
        employer_id: Set(r.employer_id),
        reference: Set(r.reference.clone()),
        title: Set(r.title.clone()),
        occupation: Set(r.occupation.clone()),
        industry: Set(r.industry.clone()),
        place: Set(r.place),
        district: Set(r.district),
        headcount: Set(r.headcount),
        hired: if id.is_some() { sea_orm::NotSet } else { Set(0) },
        wage_form: Set(r.wage_form),
        wage_min_fen: Set(r.wage_min_fen),
        wage_max_fen: Set(r.wage_max_fen),
        kind: Set(r.kind),
        age_min: Set(r.age_min),
        age_max: Set(r.age_max),
        age_reason: Set(r.age_reason.clone()),
        sex: Set(r.sex.clone()),
        skill_min: Set(r.skill_min),
        certificate: Set(r.certificate.clone()),
        board: Set(r.board),
        description: Set(r.description.clone()),
        valid_from: Set(r.valid_from),
        valid_to: Set(r.valid_to),
        source: Set(r.source),
        status: Set(r.status),
        review_note: Set(r.review_note.clone()),
        row_digest: Set(r.digest.clone()),
        created_by: if id.is_some() { sea_orm::NotSet } else { Set(actor.to_string()) },
        station_id: if id.is_some() && r.station_id.is_none() { sea_orm::NotSet } else { Set(r.station_id) },
        fair_id: if id.is_some() && r.fair_id.is_none() { sea_orm::NotSet } else { Set(r.fair_id) },
        created_at: if id.is_some() { sea_orm::NotSet } else { Set(now) },
        updated_at: Set(now),
    }
}

/// Records postings by (employer, reference) and the audit entry `detail` in one
/// transaction. Returns the counts and the ids of the postings written.
pub async fn upsert_jobs(
    store: &Store,
    rows: &[NewJob],
    by: &audit::Context,
    detail: serde_json::Value,
) -> Result<(Written, Vec<i64>)> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let now = Utc::now();
    let actor = by.actor.username.clone();
    let mut w = Written::default();
    let mut ids = Vec::new();
    for chunk in rows.chunks(JOB_CHUNK) {
        let mut cond = Condition::any();
        for r in chunk {
            cond =
                cond.add(job::Column::EmployerId.eq(r.employer_id).and(job::Column::Reference.eq(r.reference.clone())));
        }
        let existing: HashMap<(i64, String), (i64, Vec<u8>)> = job::Entity::find()
            .select_only()
            .column(job::Column::EmployerId)
            .column(job::Column::Reference)
            .column(job::Column::Id)
            .column(job::Column::RowDigest)
            .filter(cond)
            .into_tuple::<(i64, String, i64, Vec<u8>)>()
            .all(&txn)
            .await?
            .into_iter()
            .map(|(e, r, id, d)| ((e, r), (id, d)))
            .collect();
        let mut fresh = Vec::new();
        for r in chunk {
            match existing.get(&(r.employer_id, r.reference.clone())) {
                Some((_, d)) if *d == r.digest => w.unchanged += 1,
                Some((id, _)) => {
                    job::Entity::update(job_model(r, Some(*id), &actor, now)).exec(&txn).await?;
                    ids.push(*id);
                    w.updated += 1;
                }
                None => fresh.push(r),
            }
        }
        if !fresh.is_empty() {
            let conflict =
                OnConflict::columns([job::Column::EmployerId, job::Column::Reference]).do_nothing().to_owned();
            job::Entity::insert_many(fresh.iter().map(|r| job_model(r, None, &actor, now)))
                .on_conflict(conflict)
                .exec_without_returning(&txn)
                .await?;
            w.inserted += fresh.len() as u64;
            let mut cond = Condition::any();
            for r in &fresh {
                cond = cond
                    .add(job::Column::EmployerId.eq(r.employer_id).and(job::Column::Reference.eq(r.reference.clone())));
            }
            let new_ids: Vec<i64> =
                job::Entity::find().select_only().column(job::Column::Id).filter(cond).into_tuple().all(&txn).await?;
            ids.extend(new_ids);
        }
    }
    let mut detail = detail;
    if let Some(o) = detail.as_object_mut() {
        o.insert("written".into(), serde_json::to_value(w).unwrap_or_default());
    }
    audit::write(&txn, slot, &by.entry(AuditAction::ImportRun, "jobs", None, detail)).await?;
    txn.commit().await?;
    Ok((w, ids))
}

/// A posting with what the board shows of its employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobListing {
    pub job: job::Model,
    pub employer_name: String,
    pub employer_credit_status: i16,
    pub employer_credit_code: String,
}

fn listing_query() -> sea_orm::Select<job::Entity> {
    job::Entity::find()
        .join(JoinType::InnerJoin, job::Relation::Employer.def())
        .column_as(employer::Column::Name, "employer_name")
        .column_as(employer::Column::CreditStatus, "employer_credit_status")
        .column_as(employer::Column::CreditCode, "employer_credit_code")
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct ListingRow {
    #[sea_orm(nested)]
    job: job::Model,
    employer_name: String,
    employer_credit_status: i16,
    employer_credit_code: String,
}

impl From<ListingRow> for JobListing {
    fn from(r: ListingRow) -> JobListing {
        JobListing {
            job: r.job,
            employer_name: r.employer_name,
            employer_credit_status: r.employer_credit_status,
            employer_credit_code: r.employer_credit_code,
        }
    }
}

/// Postings with id above `after`, in id order, `limit` at a time (what an in-memory
/// index loads at start; every state, so the caller decides what is open on its date).
pub async fn listings_after(store: &Store, after: i64, limit: u64) -> Result<Vec<JobListing>> {
    let rows = listing_query()
        .filter(job::Column::Id.gt(after))
        .order_by_asc(job::Column::Id)
        .limit(limit)
        .into_model::<ListingRow>()
        .all(store.conn())
        .await?;
    Ok(rows.into_iter().map(JobListing::from).collect())
}

/// Postings changed at or after `since` (keeping an index in step).
pub async fn listings_changed_since(store: &Store, since: DateTime<Utc>) -> Result<Vec<JobListing>> {
    let rows = listing_query()
        .filter(job::Column::UpdatedAt.gte(since))
        .order_by_asc(job::Column::Id)
        .into_model::<ListingRow>()
        .all(store.conn())
        .await?;
    Ok(rows.into_iter().map(JobListing::from).collect())
}

/// One posting with its employer's board fields.
pub async fn listing(store: &Store, id: i64) -> Result<Option<JobListing>> {
    let row = listing_query().filter(job::Column::Id.eq(id)).into_model::<ListingRow>().one(store.conn()).await?;
    Ok(row.map(JobListing::from))
}

/// Postings by id (any state), in the order given; missing ids are skipped.
pub async fn listings(store: &Store, ids: &[i64]) -> Result<Vec<JobListing>> {
    let mut by_id = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows = listing_query()
            .filter(job::Column::Id.is_in(chunk.iter().copied()))
            .into_model::<ListingRow>()
            .all(store.conn())
            .await?;
        by_id.extend(rows.into_iter().map(|r| (r.job.id, JobListing::from(r))));
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// An employer by credit code.
pub async fn employer_by_credit(store: &Store, code: &str) -> Result<Option<employer::Model>> {
    Ok(employer::Entity::find().filter(employer::Column::CreditCode.eq(code)).one(store.conn()).await?)
}

/// A push to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPush {
    pub person_id: i64,
    pub job_id: i64,
    pub score: i32,
    pub explanation: String,
}

/// How the worker met the posting: pushed to their in-app inbox (and any other senders),
/// or found it themself and applied (自主申请: not a push, not counted as one, never
/// delivered, but one row per worker and job all the same).
pub const CHANNEL_INBOX: i16 = 1;
pub const CHANNEL_SELF: i16 = 9;
pub const PUSH_WAITING: i16 = 1;
pub const PUSH_SENT: i16 = 2;
pub const PUSH_FAILED: i16 = 3;

/// The jobs already pushed to (or applied to by) each of these persons, with the day of
/// each row and whether it was a push (`false`: the worker's own application, which does
/// not count against a day's pushes but is not pushed again either).
pub async fn pushed_jobs(store: &Store, person_ids: &[i64]) -> Result<HashMap<i64, Vec<(i64, NaiveDate, bool)>>> {
    let mut out: HashMap<i64, Vec<(i64, NaiveDate, bool)>> = HashMap::new();
    for chunk in person_ids.chunks(500) {
        let rows: Vec<(i64, i64, NaiveDate, i16)> = job_push::Entity::find()
            .select_only()
            .column(job_push::Column::PersonId)
            .column(job_push::Column::JobId)
            .column(job_push::Column::PushDate)
            .column(job_push::Column::Channel)
            .filter(job_push::Column::PersonId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(store.conn())
            .await?;
        for (p, j, d, c) in rows {
            out.entry(p).or_default().push((j, d, c != CHANNEL_SELF));
        }
    }
    Ok(out)
}

/// Worker accounts bound to these persons, by person.
pub async fn accounts_of_persons(store: &Store, person_ids: &[i64]) -> Result<HashMap<i64, Vec<i64>>> {
    use crate::entity::user;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in person_ids.chunks(500) {
        let rows: Vec<(i64, Option<i64>)> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::PersonId)
            .filter(user::Column::PersonId.is_in(chunk.iter().copied()))
            .filter(user::Column::DisabledAt.is_null())
            .into_tuple()
            .all(store.conn())
            .await?;
        for (u, p) in rows {
            if let Some(p) = p {
                out.entry(p).or_default().push(u);
            }
        }
    }
    Ok(out)
}

/// Records a delivery round in one transaction: notices to the worker accounts, and
/// the pushes marked sent or failed.
pub async fn deliver(
    store: &Store,
    notices: &[(i64, String, String, String)],
    sent: &[i64],
    failed: &[i64],
) -> Result<()> {
    let txn = store.conn().begin().await?;
    let now = Utc::now();
    for (user, title, body, link) in notices {
        crate::notices::notify(&txn, &[*user], "job_push", title, body, Some(link)).await?;
    }
    for (ids, state) in [(sent, PUSH_SENT), (failed, PUSH_FAILED)] {
        for chunk in ids.chunks(500) {
            job_push::Entity::update_many()
                .col_expr(job_push::Column::State, Expr::value(state))
                .col_expr(job_push::Column::SentAt, Expr::value(now))
                .filter(job_push::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Writes pushes to the outbox in one transaction (a pair pushed before is skipped:
/// exactly once per person and job). Returns how many were new.
pub async fn enqueue_pushes(store: &Store, rows: &[NewPush], date: NaiveDate, channel: i16) -> Result<u64> {
    let txn = store.conn().begin().await?;
    let now = Utc::now();
    let mut n = 0;
    // 12 values a row.
    for chunk in rows.chunks(2_000) {
        let models = chunk.iter().map(|r| job_push::ActiveModel {
            person_id: Set(r.person_id),
            job_id: Set(r.job_id),
            push_date: Set(date),
            score: Set(r.score),
            explanation: Set(r.explanation.clone()),
            channel: Set(channel),
            state: Set(PUSH_WAITING),
            sent_at: Set(None),
            outcome: Set(None),
            outcome_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        });
        let conflict =
            OnConflict::columns([job_push::Column::PersonId, job_push::Column::JobId]).do_nothing().to_owned();
        n += job_push::Entity::insert_many(models).on_conflict(conflict).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(n)
}

/// Up to `limit` waiting pushes, oldest first.
pub async fn waiting_pushes(store: &Store, limit: u64) -> Result<Vec<job_push::Model>> {
    Ok(job_push::Entity::find()
        .filter(job_push::Column::State.eq(PUSH_WAITING))
        .order_by_asc(job_push::Column::Id)
        .limit(limit)
        .all(store.conn())
        .await?)
}

/// The pushes of one person, newest first.
pub async fn pushes_of(store: &Store, person_id: i64) -> Result<Vec<job_push::Model>> {
    Ok(job_push::Entity::find()
        .filter(job_push::Column::PersonId.eq(person_id))
        .order_by_desc(job_push::Column::Id)
        .all(store.conn())
        .await?)
}

/// The push to (or application by) one person of one posting, if any.
pub async fn push_of(store: &Store, person_id: i64, job_id: i64) -> Result<Option<job_push::Model>> {
    Ok(job_push::Entity::find()
        .filter(job_push::Column::PersonId.eq(person_id))
        .filter(job_push::Column::JobId.eq(job_id))
        .one(store.conn())
        .await?)
}

/// A push by id.
pub async fn push(store: &Store, id: i64) -> Result<Option<job_push::Model>> {
    Ok(job_push::Entity::find_by_id(id).one(store.conn()).await?)
}

/// Records the worker's outcome of a push with its audit entry; a hire also counts
/// against the job's headcount. Refuses a push that already has this outcome.
pub async fn record_outcome(
    store: &Store,
    push_id: i64,
    outcome: i16,
    hired: bool,
    by: &audit::Context,
) -> Result<job_push::Model> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(p) = job_push::Entity::find_by_id(push_id).one(&txn).await? else {
        return Err(StoreError::NotFound(format!("推送记录 {push_id} 不存在")));
    };
    if p.outcome == Some(outcome) {
        return Err(StoreError::Conflict("该推送已登记过这一结果".into()));
    }
    let now = Utc::now();
    job_push::Entity::update_many()
        .col_expr(job_push::Column::Outcome, Expr::value(outcome))
        .col_expr(job_push::Column::OutcomeAt, Expr::value(now))
        .filter(job_push::Column::Id.eq(push_id))
        .exec(&txn)
        .await?;
    if hired {
        job::Entity::update_many()
            .col_expr(job::Column::Hired, Expr::col(job::Column::Hired).add(1))
            .col_expr(job::Column::UpdatedAt, Expr::value(now))
            .filter(job::Column::Id.eq(p.job_id))
            .exec(&txn)
            .await?;
    }
    let detail = serde_json::json!({ "push": push_id, "job": p.job_id, "outcome": outcome });
    audit::write(&txn, slot, &by.entry(AuditAction::PushOutcome, "job_pushes", Some(push_id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(job_push::Model { outcome: Some(outcome), outcome_at: Some(now), ..p })
}

/// A worker's own application to a posting (自主申请), in one transaction with its
/// audit entry. A posting pushed to them before gets the outcome "applied" on that
/// push; otherwise a row with channel `CHANNEL_SELF` records it. Refused with a reason
/// when the posting is not open on `date`, is full, or was already applied to.
pub async fn apply(
    store: &Store,
    person_id: i64,
    job_id: i64,
    date: NaiveDate,
    score: i32,
    explanation: String,
    by: &audit::Context,
) -> Result<job_push::Model> {
    use jiujin_domain::jobs::{JobStatus, PushOutcome};
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(j) = job::Entity::find_by_id(job_id).one(&txn).await? else {
        return Err(StoreError::NotFound(format!("岗位 {job_id} 不存在")));
    };
    if j.status != JobStatus::Open.code() || date < j.valid_from || j.valid_to < date {
        return Err(StoreError::Conflict("该岗位已停止招聘，不能申请".into()));
    }
    if j.hired >= j.headcount {
        return Err(StoreError::Conflict("该岗位已招满，不能申请".into()));
    }
    let (applied, hired) = (PushOutcome::Applied.code(), PushOutcome::Hired.code());
    let now = Utc::now();
    let before = job_push::Entity::find()
        .filter(job_push::Column::PersonId.eq(person_id))
        .filter(job_push::Column::JobId.eq(job_id))
        .one(&txn)
        .await?;
    let row = match before {
        Some(p) if p.outcome == Some(applied) || p.outcome == Some(hired) => {
            return Err(StoreError::Conflict("您已申请过该岗位".into()));
        }
        Some(p) => {
            // The update is the check, so two applications at once cannot both pass.
            let n = job_push::Entity::update_many()
                .col_expr(job_push::Column::Outcome, Expr::value(applied))
                .col_expr(job_push::Column::OutcomeAt, Expr::value(now))
                .filter(job_push::Column::Id.eq(p.id))
                .filter(
                    Condition::any()
                        .add(job_push::Column::Outcome.is_null())
                        .add(job_push::Column::Outcome.is_not_in([applied, hired])),
                )
                .exec(&txn)
                .await?
                .rows_affected;
            if n == 0 {
                return Err(StoreError::Conflict("您已申请过该岗位".into()));
            }
            job_push::Model { outcome: Some(applied), outcome_at: Some(now), ..p }
        }
        None => {
            let model = job_push::ActiveModel {
                person_id: Set(person_id),
                job_id: Set(job_id),
                push_date: Set(date),
                score: Set(score),
                explanation: Set(explanation),
                channel: Set(CHANNEL_SELF),
                state: Set(PUSH_SENT),
                sent_at: Set(Some(now)),
                outcome: Set(Some(applied)),
                outcome_at: Set(Some(now)),
                created_at: Set(now),
                ..Default::default()
            };
            // Two applications at once: the unique (person, job) key lets one in.
            let conflict =
                OnConflict::columns([job_push::Column::PersonId, job_push::Column::JobId]).do_nothing().to_owned();
            let n = job_push::Entity::insert(model).on_conflict(conflict).exec_without_returning(&txn).await?;
            if n == 0 {
                return Err(StoreError::Conflict("您已申请过该岗位".into()));
            }
            job_push::Entity::find()
                .filter(job_push::Column::PersonId.eq(person_id))
                .filter(job_push::Column::JobId.eq(job_id))
                .one(&txn)
                .await?
                .ok_or_else(|| StoreError::NotFound("申请记录未能写入".into()))?
        }
    };
    let detail = serde_json::json!({ "push": row.id, "job": job_id, "outcome": applied, "channel": row.channel });
    audit::write(&txn, slot, &by.entry(AuditAction::PushOutcome, "job_pushes", Some(row.id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(row)
}

/// Whether `account` may change a posting of employer `credit_code` at `place`: the
/// employer itself, or staff who edit the registry and whose region holds the place.
pub fn may_manage(account: &crate::access::Account, credit_code: &str, place: i64) -> bool {
    if account.role.needs_credit_code() {
        return account.credit_code.as_deref() == Some(credit_code);
    }
    let Some(place) = jiujin_domain::RegionCode::from_i64(place) else {
        return false;
    };
    account.role.edits_registry() && account.scope().admits(place, None)
}

/// Whether `account` may see a posting in state `status` (open ones: everyone signed
/// in, city-wide, seed 002 #52; others: those who may manage it).
pub fn may_see(account: &crate::access::Account, listing: &JobListing) -> bool {
    listing.job.status == jiujin_domain::jobs::JobStatus::Open.code()
        || may_manage(account, &listing.employer_credit_code, listing.job.place)
}

/// Postings held for review whose place lies in `region`'s subtree (all for `None`),
/// oldest first.
pub async fn held(store: &Store, region: Option<jiujin_domain::RegionCode>, limit: u64) -> Result<Vec<JobListing>> {
    let mut q = listing_query().filter(job::Column::Status.eq(jiujin_domain::jobs::JobStatus::Held.code()));
    if let Some(r) = region {
        let (lo, hi) = r.subtree_range();
        q = q.filter(job::Column::Place.between(lo, hi));
    }
    let rows = q.order_by_asc(job::Column::Id).limit(limit).into_model::<ListingRow>().all(store.conn()).await?;
    Ok(rows.into_iter().map(JobListing::from).collect())
}

/// The postings of one employer, newest first.
pub async fn of_employer(store: &Store, credit_code: &str, limit: u64) -> Result<Vec<JobListing>> {
    let rows = listing_query()
        .filter(employer::Column::CreditCode.eq(credit_code))
        .order_by_desc(job::Column::Id)
        .limit(limit)
        .into_model::<ListingRow>()
        .all(store.conn())
        .await?;
    Ok(rows.into_iter().map(JobListing::from).collect())
}

/// Sets a posting's state (review: approve or reject with a note; close) with its
/// audit entry in one transaction. `from` guards against a stale page: the change is
/// refused when the posting is no longer in that state.
pub async fn set_status(
    store: &Store,
    id: i64,
    from: &[i16],
    to: i16,
    note: Option<String>,
    by: &audit::Context,
) -> Result<()> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let mut q = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(to))
        .col_expr(job::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Status.is_in(from.iter().copied()));
    if let Some(n) = &note {
        q = q.col_expr(job::Column::ReviewNote, Expr::value(n.clone()));
    }
    let changed = q.exec(&txn).await?.rows_affected;
    if changed == 0 {
        return Err(StoreError::Conflict("该岗位的状态已变化，请刷新后再试".into()));
    }
    let detail = serde_json::json!({ "job": id, "status": to, "note": note });
    audit::write(&txn, slot, &by.entry(AuditAction::JobChange, "jobs", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(())
}

/// Records one posting from a form (new, or the same reference again: updated) with
/// its audit entry; returns its id.
pub async fn save_job(store: &Store, row: &NewJob, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let now = Utc::now();
    let existing: Option<i64> = job::Entity::find()
        .select_only()
        .column(job::Column::Id)
        .filter(job::Column::EmployerId.eq(row.employer_id))
        .filter(job::Column::Reference.eq(row.reference.clone()))
        .into_tuple()
        .one(&txn)
        .await?;
    let id = match existing {
        Some(id) => {
            job::Entity::update(job_model(row, Some(id), &by.actor.username, now)).exec(&txn).await?;
            id
        }
        None => job::Entity::insert(job_model(row, None, &by.actor.username, now)).exec(&txn).await?.last_insert_id,
    };
    let detail = serde_json::json!({ "job": id, "reference": row.reference, "status": row.status });
    audit::write(&txn, slot, &by.entry(AuditAction::JobChange, "jobs", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(id)
}

/// What matching reads of a person who may want work.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct SeekerRow {
    pub id: i64,
    pub name: String,
    pub birth_date: NaiveDate,
    pub sex: i16,
    pub hukou_region: i64,
    pub residence_region: Option<i64>,
    pub status: i16,
    pub industry: Option<String>,
    pub occupation_name: Option<String>,
    pub skill_level: Option<i16>,
    pub expected_wage_fen: Option<i64>,
    pub needs: i32,
    pub wanted_kind: Option<i16>,
}

/// The columns of a `SeekerRow`, inside `scope`.
fn seeker_select(scope: crate::Scope) -> sea_orm::Select<crate::entity::person::Entity> {
    use crate::entity::person;
    person::Entity::find()
        .select_only()
        .columns([
            person::Column::Id,
            person::Column::Name,
            person::Column::BirthDate,
            person::Column::Sex,
            person::Column::HukouRegion,
            person::Column::ResidenceRegion,
            person::Column::Status,
            person::Column::Industry,
            person::Column::OccupationName,
            person::Column::SkillLevel,
            person::Column::ExpectedWageFen,
            person::Column::Needs,
            person::Column::WantedKind,
        ])
        .filter(scope.persons())
}

/// Persons inside `scope` who are in the labour force and want work (registered
/// unemployed, or 求职 among their needs), with id above `after`, in id order.
pub async fn seekers_after(store: &Store, scope: crate::Scope, after: i64, limit: u64) -> Result<Vec<SeekerRow>> {
    use crate::entity::person;
    use jiujin_domain::registry::{EmploymentStatus, ServiceNeed, ServiceNeeds};
    let mut needs = ServiceNeeds::empty();
    needs.insert(ServiceNeed::JobSeeking);
    let job_seeking = needs.bits();
    let wants = Condition::any()
        .add(person::Column::Status.eq(EmploymentStatus::Unemployed.code()))
        .add(Expr::cust(format!("(needs & {job_seeking}) <> 0")));
    Ok(seeker_select(scope)
        .filter(person::Column::Id.gt(after))
        .filter(person::Column::Status.ne(EmploymentStatus::NotInLaborForce.code()))
        .filter(wants)
        .order_by_asc(person::Column::Id)
        .limit(limit)
        .into_model::<SeekerRow>()
        .all(store.conn())
        .await?)
}

/// One person as matching reads them, inside `scope` (whether or not they want work).
pub async fn seeker(store: &Store, scope: crate::Scope, id: i64) -> Result<Option<SeekerRow>> {
    use crate::entity::person;
    Ok(seeker_select(scope).filter(person::Column::Id.eq(id)).into_model::<SeekerRow>().one(store.conn()).await?)
}

/// Pushes, and how many led to an application (or a hire) and to a hire, for one row
/// of the match-quality report; beside them the workers' own applications (自主申请)
/// and their hires, which are not pushes.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Quality {
    pub pushes: i64,
    pub applied: i64,
    pub hired: i64,
    pub self_applied: i64,
    pub self_hired: i64,
}

/// The match-quality report of the pushes to persons inside `scope`: by the person's
/// hukou district, and by each group flag (a person counts in every group they are in).
pub async fn push_quality(store: &Store, scope: crate::Scope) -> Result<(Vec<(i64, Quality)>, Vec<(i64, Quality)>)> {
    use jiujin_domain::jobs::PushOutcome;
    use jiujin_domain::registry::{Flag, GroupFlag};
    use sea_orm::{ConnectionTrait, Statement};
    let (applied, hired) = (PushOutcome::Applied.code(), PushOutcome::Hired.code());
    let own = CHANNEL_SELF;
    let sums = format!(
        "SUM(CASE WHEN j.channel <> {own} THEN 1 ELSE 0 END) AS pushes, \
         SUM(CASE WHEN j.channel <> {own} AND j.outcome IN ({applied}, {hired}) THEN 1 ELSE 0 END) AS applied, \
         SUM(CASE WHEN j.channel <> {own} AND j.outcome = {hired} THEN 1 ELSE 0 END) AS hired, \
         SUM(CASE WHEN j.channel = {own} THEN 1 ELSE 0 END) AS self_applied, \
         SUM(CASE WHEN j.channel = {own} AND j.outcome = {hired} THEN 1 ELSE 0 END) AS self_hired"
    );
    let from = format!("FROM job_pushes j JOIN persons p ON p.id = j.person_id WHERE {}", scope.sql("p"));
    let backend = store.conn().get_database_backend();
    let row = |r: &sea_orm::QueryResult| -> Result<Quality> {
        let n = |c: &str| -> Result<i64> { Ok(r.try_get::<Option<i64>>("", c)?.unwrap_or(0)) };
        Ok(Quality {
            pushes: n("pushes")?,
            applied: n("applied")?,
            hired: n("hired")?,
            self_applied: n("self_applied")?,
            self_hired: n("self_hired")?,
        })
    };
    let sql = format!(
        "SELECT (p.hukou_region / 1000000) * 1000000 AS district, {sums} {from} GROUP BY (p.hukou_region / 1000000) ORDER BY 1"
    );
    let mut by_district = Vec::new();
    for r in store.conn().query_all(Statement::from_string(backend, sql)).await? {
        by_district.push((r.try_get::<i64>("", "district")?, row(&r)?));
    }
    let mut by_group = Vec::new();
    for (i, flag) in GroupFlag::ALL.iter().enumerate() {
        let mut set = jiujin_domain::registry::GroupFlags::empty();
        set.insert(*flag);
        let sql = format!("SELECT {sums} {from} AND (p.flags & {}) <> 0", set.bits());
        if let Some(r) = store.conn().query_one(Statement::from_string(backend, sql)).await? {
            let q = row(&r)?;
            if q.pushes + q.self_applied > 0 {
                by_group.push((i as i64, q));
            }
        }
    }
    Ok((by_district, by_group))
}

/// The pushes of one posting (its recommended candidates), newest first.
pub async fn pushes_for_job(store: &Store, job_id: i64, limit: u64) -> Result<Vec<job_push::Model>> {
    Ok(job_push::Entity::find()
        .filter(job_push::Column::JobId.eq(job_id))
        .order_by_desc(job_push::Column::Id)
        .limit(limit)
        .all(store.conn())
        .await?)
}

/// What an employer sees of a candidate pushed its posting: no identity number, no
/// phone, no address finer than the town.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct CandidateRow {
    pub id: i64,
    pub name: String,
    pub birth_date: NaiveDate,
    pub sex: i16,
    pub hukou_region: i64,
    pub residence_region: Option<i64>,
    pub occupation_name: Option<String>,
    pub skill_level: Option<i16>,
}

/// Candidates by person id (only those a posting's pushes name; the caller checks).
pub async fn candidates(store: &Store, ids: &[i64]) -> Result<Vec<CandidateRow>> {
    use crate::entity::person;
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        out.extend(
            person::Entity::find()
                .select_only()
                .columns([
                    person::Column::Id,
                    person::Column::Name,
                    person::Column::BirthDate,
                    person::Column::Sex,
                    person::Column::HukouRegion,
                    person::Column::ResidenceRegion,
                    person::Column::OccupationName,
                    person::Column::SkillLevel,
                ])
                .filter(person::Column::Id.is_in(chunk.iter().copied()))
                .into_model::<CandidateRow>()
                .all(store.conn())
                .await?,
        );
    }
    Ok(out)
}

/// The hires recorded on an employer's postings (pushes or own applications whose
/// outcome is 已录用): (person, the day it was recorded), oldest first.
pub async fn hires_of_employer(store: &Store, employer_id: i64) -> Result<Vec<(i64, chrono::NaiveDate)>> {
    let rows = hires_where(store, job::Column::EmployerId.eq(employer_id)).await?;
    Ok(rows.into_iter().map(|(_, p, d)| (p, d)).collect())
}

/// The hires recorded on the postings of the employers whose region lies in `region`
/// (all when `None`): (employer, person, the day it was recorded), by employer, then
/// oldest first (a 免申即享 run over the subsidies paid per hired person).
pub async fn hires_in(
    store: &Store,
    region: Option<(i64, i64)>,
) -> Result<Vec<(employer::Model, i64, chrono::NaiveDate)>> {
    let mut employers = employer::Entity::find();
    if let Some((lo, hi)) = region {
        employers = employers.filter(employer::Column::Region.between(lo, hi));
    }
    let mut cond = Condition::all();
    if let Some((lo, hi)) = region {
        cond = cond.add(
            job::Column::EmployerId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(employer::Column::Id)
                    .from(employer::Entity)
                    .and_where(employer::Column::Region.between(lo, hi))
                    .to_owned(),
            ),
        );
    }
    let rows = hires_where(store, cond).await?;
    let mut ids: Vec<i64> = rows.iter().map(|(e, _, _)| *e).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut by_id = HashMap::new();
    for chunk in ids.chunks(5000) {
        for e in employers.clone().filter(employer::Column::Id.is_in(chunk.iter().copied())).all(store.conn()).await? {
            by_id.insert(e.id, e);
        }
    }
    let mut out: Vec<_> = rows.into_iter().filter_map(|(e, p, d)| by_id.get(&e).map(|m| (m.clone(), p, d))).collect();
    out.sort_by_key(|(e, p, d)| (e.id, *d, *p));
    Ok(out)
}

/// The hires on the postings that match `jobs`: (employer id, person, day recorded),
/// oldest first.
async fn hires_where(
    store: &Store,
    jobs: impl sea_orm::sea_query::IntoCondition,
) -> Result<Vec<(i64, i64, chrono::NaiveDate)>> {
    let postings: HashMap<i64, i64> = job::Entity::find()
        .select_only()
        .column(job::Column::Id)
        .column(job::Column::EmployerId)
        .filter(jobs)
        .into_tuple::<(i64, i64)>()
        .all(store.conn())
        .await?
        .into_iter()
        .collect();
    let hired = jiujin_domain::jobs::PushOutcome::Hired.code();
    let mut ids: Vec<i64> = postings.keys().copied().collect();
    ids.sort_unstable();
    let mut out = Vec::new();
    for chunk in ids.chunks(5000) {
        let pushes = job_push::Entity::find()
            .filter(job_push::Column::JobId.is_in(chunk.iter().copied()))
            .filter(job_push::Column::Outcome.eq(hired))
            .all(store.conn())
            .await?;
        out.extend(pushes.into_iter().filter_map(|p| {
            let employer = postings.get(&p.job_id)?;
            p.outcome_at.map(|at| (*employer, p.person_id, at.date_naive()))
        }));
    }
    out.sort_by_key(|(_, p, d)| (*d, *p));
    Ok(out)
}
