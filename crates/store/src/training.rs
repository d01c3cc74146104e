//! 职业技能培训 (SPEC §6, migration m0015): providers, courses, enrolments (a place is
//! taken inside the writers' queue, so two enrolments cannot take the last one),
//! completion with certificate, each change written with its audit entry; the reads
//! of the post-training employment rate (completed enrolments of the courses in a
//! region and the status events of those trainees), and the monthly 紧缺职业目录
//! (open places and job seekers by occupation, kept per month).

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use jiujin_domain::jobs::JobStatus;
use jiujin_domain::registry::EmploymentStatus;
use jiujin_domain::training::{EnrolmentState, ShortageRow};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, Statement,
    TransactionTrait,
};

use crate::entity::{person, training_course, training_enrolment, training_provider};
use crate::services::date_of;
use crate::{audit, Result, Scope, Store, StoreError};

/// A provider to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProvider {
    pub name: String,
    pub credit_code: Option<String>,
    /// 12-digit region code.
    pub region: i64,
}

/// Registers a provider with its audit entry; a name already registered is refused.
pub async fn create_provider(store: &Store, p: &NewProvider, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let taken =
        training_provider::Entity::find().filter(training_provider::Column::Name.eq(p.name.as_str())).one(&txn).await?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!("培训机构“{}”已登记", p.name)));
    }
    let m = training_provider::ActiveModel {
        name: Set(p.name.clone()),
        credit_code: Set(p.credit_code.clone()),
        region: Set(p.region),
        created_by: Set(by.actor.username.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = training_provider::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({ "provider": id, "name": p.name, "region": p.region });
    audit::write(
        &txn,
        slot,
        &by.entry(AuditAction::TrainingChange, "training_providers", Some(id.to_string()), detail),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

pub async fn providers(store: &Store) -> Result<Vec<training_provider::Model>> {
    Ok(training_provider::Entity::find().order_by_asc(training_provider::Column::Id).all(store.conn()).await?)
}

/// A course to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCourse {
    pub provider_id: i64,
    pub title: String,
    pub occupation: Option<String>,
    pub kind: i16,
    /// The district it is held in (12 digits).
    pub region: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    pub subsidy_fen: i64,
}

/// Opens a course with its audit entry; an unknown provider is refused.
pub async fn create_course(store: &Store, c: &NewCourse, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    if training_provider::Entity::find_by_id(c.provider_id).one(&txn).await?.is_none() {
        return Err(StoreError::NotFound(format!("培训机构 {} 不存在", c.provider_id)));
    }
    let m = training_course::ActiveModel {
        provider_id: Set(c.provider_id),
        title: Set(c.title.clone()),
        occupation: Set(c.occupation.clone()),
        kind: Set(c.kind),
        region: Set(c.region),
        starts_on: Set(c.starts_on),
        ends_on: Set(c.ends_on),
        capacity: Set(c.capacity),
        subsidy_fen: Set(c.subsidy_fen),
        created_by: Set(by.actor.username.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = training_course::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({
        "course": id, "provider": c.provider_id, "title": c.title, "starts_on": c.starts_on, "ends_on": c.ends_on,
    });
    audit::write(&txn, slot, &by.entry(AuditAction::TrainingChange, "training_courses", Some(id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(id)
}

/// A course with its provider's name and the places taken (enrolments not dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseRow {
    pub course: training_course::Model,
    pub provider: String,
    pub taken: i64,
}

/// The courses held in `region` (a 12-digit range; the whole city when `None`), the
/// latest start first.
pub async fn courses(store: &Store, region: Option<(i64, i64)>) -> Result<Vec<CourseRow>> {
    let mut q = training_course::Entity::find();
    if let Some((lo, hi)) = region {
        q = q.filter(training_course::Column::Region.between(lo, hi));
    }
    let list = q
        .order_by_desc(training_course::Column::StartsOn)
        .order_by_desc(training_course::Column::Id)
        .all(store.conn())
        .await?;
    with_providers(store, list).await
}

async fn with_providers(store: &Store, list: Vec<training_course::Model>) -> Result<Vec<CourseRow>> {
    let providers: std::collections::HashMap<i64, String> =
        providers(store).await?.into_iter().map(|p| (p.id, p.name)).collect();
    let backend = store.conn().get_database_backend();
    let dropped = EnrolmentState::Dropped.code();
    // The places taken of these courses only (ids are integers, inlined).
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = list.iter().map(|c| c.id.to_string()).collect();
    let sql = format!(
        "SELECT course_id, COUNT(*) AS n FROM training_enrolments WHERE state <> {dropped} AND course_id IN ({}) \
         GROUP BY course_id",
        ids.join(", ")
    );
    let mut taken = std::collections::HashMap::new();
    for r in store.conn().query_all(Statement::from_string(backend, sql)).await? {
        taken.insert(r.try_get::<i64>("", "course_id")?, r.try_get::<i64>("", "n")?);
    }
    Ok(list
        .into_iter()
        .map(|c| CourseRow {
            provider: providers.get(&c.provider_id).cloned().unwrap_or_default(),
            taken: taken.get(&c.id).copied().unwrap_or(0),
            course: c,
        })
        .collect())
}

pub async fn course(store: &Store, id: i64) -> Result<Option<CourseRow>> {
    match training_course::Entity::find_by_id(id).one(store.conn()).await? {
        Some(c) => Ok(with_providers(store, vec![c]).await?.pop()),
        None => Ok(None),
    }
}

/// Why an enrolment was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrolRefusal {
    Full,
    AlreadyEnrolled,
    Ended,
}

/// Enrols person `person_id` (inside `scope`) in a course on `date`, with its audit
/// entry. The places are counted after taking the writers' queue, so two enrolments at
/// once cannot both take the last place.
pub async fn enrol(
    store: &Store,
    scope: Scope,
    course_id: i64,
    person_id: i64,
    date: NaiveDate,
    by: &audit::Context,
) -> Result<std::result::Result<i64, EnrolRefusal>> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    if person::Entity::find_by_id(person_id).filter(scope.persons()).one(&txn).await?.is_none() {
        return Err(StoreError::NotFound(format!("人员 {person_id} 不存在或不在管辖范围内")));
    }
    let Some(c) = training_course::Entity::find_by_id(course_id).one(&txn).await? else {
        return Err(StoreError::NotFound(format!("培训班 {course_id} 不存在")));
    };
    if c.ends_on < date {
        return Ok(Err(EnrolRefusal::Ended));
    }
    let existing = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::CourseId.eq(course_id))
        .filter(training_enrolment::Column::PersonId.eq(person_id))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Ok(Err(EnrolRefusal::AlreadyEnrolled));
    }
    let taken = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::CourseId.eq(course_id))
        .filter(training_enrolment::Column::State.ne(EnrolmentState::Dropped.code()))
        .count(&txn)
        .await?;
    if taken >= u64::try_from(c.capacity).unwrap_or(0) {
        return Ok(Err(EnrolRefusal::Full));
    }
    let m = training_enrolment::ActiveModel {
        course_id: Set(course_id),
        person_id: Set(person_id),
        enrolled_on: Set(date),
        state: Set(EnrolmentState::Enrolled.code()),
        completed_on: Set(None),
        cert_level: Set(None),
        cert_no: Set(None),
        recorded_by: Set(by.actor.username.clone()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = training_enrolment::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({ "enrolment": id, "course": course_id, "date": date });
    audit::write(&txn, slot, &by.entry(AuditAction::TrainingChange, "persons", Some(person_id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(Ok(id))
}

/// The end of an enrolment: completed (on a date, with a certificate if one was
/// obtained) or dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    pub state: EnrolmentState,
    pub date: NaiveDate,
    pub cert_level: Option<i16>,
    pub cert_no: Option<String>,
}

/// Records the end of an enrolment of a person inside `scope`, with its audit entry.
/// Only an enrolment still 在训 can end. Returns the person's id.
pub async fn finish(
    store: &Store,
    scope: Scope,
    enrolment_id: i64,
    f: &Finish,
    by: &audit::Context,
) -> Result<std::result::Result<i64, EnrolmentState>> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(e) = training_enrolment::Entity::find_by_id(enrolment_id).one(&txn).await? else {
        return Err(StoreError::NotFound(format!("报名记录 {enrolment_id} 不存在")));
    };
    if person::Entity::find_by_id(e.person_id).filter(scope.persons()).one(&txn).await?.is_none() {
        return Err(StoreError::NotFound(format!("报名记录 {enrolment_id} 不存在或不在管辖范围内")));
    }
    if e.state != EnrolmentState::Enrolled.code() {
        return Ok(Err(EnrolmentState::from_code(e.state).unwrap_or(EnrolmentState::Completed)));
    }
    let completed = f.state == EnrolmentState::Completed;
    let m = training_enrolment::ActiveModel {
        id: Set(enrolment_id),
        state: Set(f.state.code()),
        completed_on: Set(Some(f.date)),
        cert_level: Set(if completed { f.cert_level } else { None }),
        cert_no: Set(if completed { f.cert_no.clone() } else { None }),
        recorded_by: Set(by.actor.username.clone()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    training_enrolment::Entity::update(m).exec(&txn).await?;
    let detail = serde_json::json!({
        "enrolment": enrolment_id, "course": e.course_id, "state": f.state.code(), "date": f.date,
        "cert_level": f.cert_level,
    });
    audit::write(&txn, slot, &by.entry(AuditAction::TrainingChange, "persons", Some(e.person_id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(Ok(e.person_id))
}

/// An enrolment with the person's name, as a course's page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentRow {
    pub enrolment: training_enrolment::Model,
    pub name: String,
}

/// The enrolments of a course whose persons lie inside `scope`.
pub async fn enrolments_of_course(store: &Store, scope: Scope, course_id: i64) -> Result<Vec<EnrolmentRow>> {
    let list = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::CourseId.eq(course_id))
        .order_by_asc(training_enrolment::Column::Id)
        .all(store.conn())
        .await?;
    let ids: Vec<i64> = list.iter().map(|e| e.person_id).collect();
    let names: std::collections::HashMap<i64, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .filter(scope.persons())
        .all(store.conn())
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok(list
        .into_iter()
        .filter_map(|e| names.get(&e.person_id).cloned().map(|name| EnrolmentRow { enrolment: e, name }))
        .collect())
}

/// A person's enrolments with their courses, newest first (for the timeline).
pub async fn enrolments_of_person(
    store: &Store,
    person_id: i64,
) -> Result<Vec<(training_enrolment::Model, CourseRow)>> {
    let list = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::PersonId.eq(person_id))
        .order_by_desc(training_enrolment::Column::EnrolledOn)
        .all(store.conn())
        .await?;
    let ids: Vec<i64> = list.iter().map(|e| e.course_id).collect();
    let found =
        training_course::Entity::find().filter(training_course::Column::Id.is_in(ids)).all(store.conn()).await?;
    let courses: std::collections::HashMap<i64, CourseRow> =
        with_providers(store, found).await?.into_iter().map(|c| (c.course.id, c)).collect();
    Ok(list.into_iter().filter_map(|e| courses.get(&e.course_id).cloned().map(|c| (e, c))).collect())
}

/// A completed enrolment of a course in the report's region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub course_id: i64,
    pub provider_id: i64,
    pub person_id: i64,
    pub completed_on: NaiveDate,
}

/// The completed enrolments of the courses held in `region` (a 12-digit range; all
/// when `None`), and the status events of those trainees (person, date, status) in
/// timeline order, read in two statements.
pub async fn completions(
    store: &Store,
    region: Option<(i64, i64)>,
) -> Result<(Vec<Completion>, Vec<(i64, NaiveDate, EmploymentStatus)>)> {
    let backend = store.conn().get_database_backend();
    let completed = EnrolmentState::Completed.code();
    let filter = region.map_or_else(String::new, |(lo, hi)| format!(" AND c.region BETWEEN {lo} AND {hi}"));
    let sql = format!(
        "SELECT e.course_id, c.provider_id, e.person_id, e.completed_on FROM training_enrolments e \
         JOIN training_courses c ON c.id = e.course_id \
         WHERE e.state = {completed} AND e.completed_on IS NOT NULL{filter} ORDER BY e.id"
    );
    let mut done = Vec::new();
    for r in store.conn().query_all(Statement::from_string(backend, sql)).await? {
        done.push(Completion {
            course_id: r.try_get("", "course_id")?,
            provider_id: r.try_get("", "provider_id")?,
            person_id: r.try_get("", "person_id")?,
            completed_on: date_of(&r, "completed_on")?
                .ok_or_else(|| StoreError::Corrupt("training_enrolments.completed_on".into()))?,
        });
    }
    let sql = format!(
        "SELECT v.person_id, v.event_date, v.status FROM person_events v \
         WHERE v.status IS NOT NULL AND v.person_id IN ( \
           SELECT e.person_id FROM training_enrolments e JOIN training_courses c ON c.id = e.course_id \
           WHERE e.state = {completed}{filter}) \
         ORDER BY v.person_id, v.event_date, v.id"
    );
    let mut events = Vec::new();
    for r in store.conn().query_all(Statement::from_string(backend, sql)).await? {
        let code: i16 = r.try_get("", "status")?;
        let status = EmploymentStatus::from_code(code)
            .ok_or_else(|| StoreError::Corrupt(format!("person_events.status {code}")))?;
        events.push((
            r.try_get("", "person_id")?,
            date_of(&r, "event_date")?.ok_or_else(|| StoreError::Corrupt("person_events.event_date".into()))?,
            status,
        ));
    }
    Ok((done, events))
}

/// Open places (headcount not yet hired) of the postings open on `date`, by occupation.
pub async fn openings_by_occupation(store: &Store, date: NaiveDate) -> Result<Vec<(String, u64)>> {
    let backend = store.conn().get_database_backend();
    let open = JobStatus::Open.code();
    let sql = format!(
        "SELECT occupation, SUM(headcount - hired) AS n FROM jobs \
         WHERE status = {open} AND occupation IS NOT NULL AND headcount > hired \
           AND valid_from <= '{date}' AND valid_to >= '{date}' \
         GROUP BY occupation"
    );
    let mut out = Vec::new();
    for r in store.conn().query_all(Statement::from_string(backend, sql)).await? {
        let n: i64 = r.try_get::<Option<i64>>("", "n")?.unwrap_or(0);
        out.push((r.try_get("", "occupation")?, u64::try_from(n).unwrap_or(0)));
    }
    Ok(out)
}

/// Job seekers by the occupation they gave, normalised: the persons matching pushes
/// to (`jobs::seekers_after`), in the labour force and unemployed or with 求职 among
/// their needs.
pub async fn seekers_by_occupation(store: &Store) -> Result<Vec<(String, u64)>> {
    use jiujin_domain::registry::{ServiceNeed, ServiceNeeds};
    let backend = store.conn().get_database_backend();
    let unemployed = EmploymentStatus::Unemployed.code();
    let outside = EmploymentStatus::NotInLaborForce.code();
    let job_seeking = ServiceNeeds::empty().with(ServiceNeed::JobSeeking).bits();
    let sql = format!(
        "SELECT occupation_name, COUNT(*) AS n FROM persons \
         WHERE status <> {outside} AND (status = {unemployed} OR (needs & {job_seeking}) <> 0) \
           AND occupation_name IS NOT NULL GROUP BY occupation_name"
    );
    let mut out = Vec::new();
    for r in store.conn().query_all(Statement::from_string(backend, sql)).await? {
        let n: i64 = r.try_get("", "n")?;
        out.push((r.try_get("", "occupation_name")?, u64::try_from(n).unwrap_or(0)));
    }
    Ok(out)
}

/// Replaces the catalog of `month` (YYYY-MM) with `rows`, with its audit entry, in one
/// transaction (a month run again replaces its own rows).
pub async fn save_shortage(store: &Store, month: &str, rows: &[ShortageRow], by: &audit::Context) -> Result<()> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let backend = txn.get_database_backend();
    txn.execute(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DatabaseBackend::Postgres => "DELETE FROM shortage_catalog WHERE month = $1",
            _ => "DELETE FROM shortage_catalog WHERE month = ?",
        },
        [month.into()],
    ))
    .await?;
    let now = Utc::now();
    for chunk in rows.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO shortage_catalog (month, occupation, rank, openings, seekers, computed_at) VALUES ",
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 6);
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = i * 6;
            match backend {
                sea_orm::DatabaseBackend::Postgres => {
                    sql.push_str(&format!("(${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6))
                }
                _ => sql.push_str("(?, ?, ?, ?, ?, ?)"),
            }
            values.push(month.into());
            values.push(r.occupation.clone().into());
            values.push(i32::try_from(r.rank).unwrap_or(i32::MAX).into());
            values.push(i64::try_from(r.openings).unwrap_or(i64::MAX).into());
            values.push(i64::try_from(r.seekers).unwrap_or(i64::MAX).into());
            values.push(now.into());
        }
        txn.execute(Statement::from_sql_and_values(backend, sql, values)).await?;
    }
    let detail = serde_json::json!({ "month": month, "occupations": rows.len() });
    audit::write(&txn, slot, &by.entry(AuditAction::ShortageRun, "shortage_catalog", Some(month.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The catalog of `month`, or of the latest month run when `None`: (month, rows by rank).
pub async fn shortage(store: &Store, month: Option<&str>) -> Result<Option<(String, Vec<ShortageRow>)>> {
    let backend = store.conn().get_database_backend();
    let month = match month {
        Some(m) => m.to_string(),
        None => {
            let r = store
                .conn()
                .query_one(Statement::from_string(backend, "SELECT MAX(month) AS m FROM shortage_catalog"))
                .await?;
            match r.and_then(|r| r.try_get::<Option<String>>("", "m").ok().flatten()) {
                Some(m) => m,
                None => return Ok(None),
            }
        }
    };
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "SELECT occupation, rank, openings, seekers FROM shortage_catalog WHERE month = $1 ORDER BY rank"
        }
        _ => "SELECT occupation, rank, openings, seekers FROM shortage_catalog WHERE month = ? ORDER BY rank",
    };
    let rows = store.conn().query_all(Statement::from_sql_and_values(backend, sql, [month.clone().into()])).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let openings = u64::try_from(r.try_get::<i64>("", "openings")?).unwrap_or(0);
        let seekers = u64::try_from(r.try_get::<i64>("", "seekers")?).unwrap_or(0);
        out.push(ShortageRow {
            rank: u32::try_from(r.try_get::<i32>("", "rank")?).unwrap_or(0),
            occupation: r.try_get("", "occupation")?,
            openings,
            seekers,
            ratio: if seekers == 0 { openings as f64 } else { openings as f64 / seekers as f64 },
        });
    }
    Ok(Some((month, out)))
}
