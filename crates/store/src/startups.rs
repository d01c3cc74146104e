//! 返乡创业 (SPEC §6, migration m0019): entrepreneurs (registered persons, so every
//! read of them goes through a `Scope`), their loans, parks with tenants and yearly
//! evaluations (one per park and year), mentors and pairings, and the 在外创业成功人士
//! 信息库. Every write is one transaction with its audit entry.

use std::future::Future;
use std::pin::Pin;

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set, Statement,
    TransactionTrait,
};

use crate::entity::{
    entrepreneur, mentor, mentor_pairing, outside_entrepreneur, park_evaluation, park_tenant, person, startup_loan,
    startup_park,
};
use crate::{audit, Result, Scope, Store, StoreError};

type Write<'a> = Pin<Box<dyn Future<Output = Result<i64>> + Send + 'a>>;

/// Runs `f` in a transaction that has taken the audit slot, then writes the entry
/// (`entity` with the id `f` returns, and `detail`) and commits.
async fn audited<F>(store: &Store, by: &audit::Context, entity: &str, detail: serde_json::Value, f: F) -> Result<i64>
where
    F: for<'a> FnOnce(&'a DatabaseTransaction) -> Write<'a>,
{
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let id = f(&txn).await?;
    audit::write(&txn, slot, &by.entry(AuditAction::StartupChange, entity, Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(id)
}

async fn person_in<C: ConnectionTrait>(c: &C, scope: Scope, id: i64) -> Result<()> {
    match person::Entity::find_by_id(id).filter(scope.persons()).one(c).await? {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound(format!("人员 {id} 不存在或不在管辖范围内"))),
    }
}

async fn entrepreneur_in<C: ConnectionTrait>(c: &C, scope: Scope, id: i64) -> Result<entrepreneur::Model> {
    let e = entrepreneur::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("创业者 {id} 不存在")))?;
    person_in(c, scope, e.person_id).await?;
    Ok(e)
}

/// An entrepreneur to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntrepreneur {
    pub person_id: i64,
    pub returned_on: Option<NaiveDate>,
    pub business_name: String,
    pub credit_code: Option<String>,
    pub industry: Option<String>,
    pub region: i64,
    pub started_on: NaiveDate,
    pub employees: i32,
}

/// Registers a person inside `scope` as a 返乡创业 entrepreneur (once per person).
pub async fn create_entrepreneur(store: &Store, scope: Scope, e: &NewEntrepreneur, by: &audit::Context) -> Result<i64> {
    let e = e.clone();
    let detail = serde_json::json!({ "person": e.person_id, "business": e.business_name, "started_on": e.started_on });
    let user = by.actor.username.clone();
    audited(store, by, "entrepreneurs", detail, move |txn| {
        Box::pin(async move {
            person_in(txn, scope, e.person_id).await?;
            let taken =
                entrepreneur::Entity::find().filter(entrepreneur::Column::PersonId.eq(e.person_id)).one(txn).await?;
            if taken.is_some() {
                return Err(StoreError::Conflict("该人员已登记为返乡创业者".into()));
            }
            let m = entrepreneur::ActiveModel {
                person_id: Set(e.person_id),
                returned_on: Set(e.returned_on),
                business_name: Set(e.business_name.clone()),
                credit_code: Set(e.credit_code.clone()),
                industry: Set(e.industry.clone()),
                region: Set(e.region),
                started_on: Set(e.started_on),
                employees: Set(e.employees),
                recorded_by: Set(user),
                recorded_at: Set(Utc::now()),
                ..Default::default()
            };
            Ok(entrepreneur::Entity::insert(m).exec(txn).await?.last_insert_id)
        })
    })
    .await
}

/// An entrepreneur with the person's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrepreneurRow {
    pub e: entrepreneur::Model,
    pub name: String,
}

/// The entrepreneurs whose persons lie inside `scope`, newest business first.
pub async fn entrepreneurs(store: &Store, scope: Scope) -> Result<Vec<EntrepreneurRow>> {
    let b = store.conn().get_database_backend();
    let sql = format!(
        "SELECT e.id, p.name FROM entrepreneurs e JOIN persons p ON p.id = e.person_id WHERE {} ORDER BY e.started_on DESC, e.id DESC",
        scope.sql("p")
    );
    let rows = store.conn().query_all(Statement::from_string(b, sql)).await?;
    let mut names = std::collections::HashMap::new();
    for r in rows {
        names.insert(r.try_get::<i64>("", "id")?, r.try_get::<String>("", "name")?);
    }
    let ids: Vec<i64> = names.keys().copied().collect();
    let mut list: Vec<EntrepreneurRow> = entrepreneur::Entity::find()
        .filter(entrepreneur::Column::Id.is_in(ids))
        .all(store.conn())
        .await?
        .into_iter()
        .map(|e| EntrepreneurRow { name: names.get(&e.id).cloned().unwrap_or_default(), e })
        .collect();
    list.sort_by(|a, b| b.e.started_on.cmp(&a.e.started_on).then(b.e.id.cmp(&a.e.id)));
    Ok(list)
}

/// An entrepreneur whose person lies inside `scope`.
pub async fn entrepreneur(store: &Store, scope: Scope, id: i64) -> Result<Option<EntrepreneurRow>> {
    let Some(e) = entrepreneur::Entity::find_by_id(id).one(store.conn()).await? else {
        return Ok(None);
    };
    let p = person::Entity::find_by_id(e.person_id).filter(scope.persons()).one(store.conn()).await?;
    Ok(p.map(|p| EntrepreneurRow { name: p.name, e }))
}

/// The entrepreneur record of a person (for the timeline).
pub async fn entrepreneur_of_person(store: &Store, person_id: i64) -> Result<Option<entrepreneur::Model>> {
    Ok(entrepreneur::Entity::find().filter(entrepreneur::Column::PersonId.eq(person_id)).one(store.conn()).await?)
}

/// A loan to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLoan {
    pub lender: String,
    pub amount_fen: i64,
    pub granted_on: NaiveDate,
    pub term_months: i32,
    pub guaranteed: bool,
}

pub async fn add_loan(
    store: &Store,
    scope: Scope,
    entrepreneur_id: i64,
    l: &NewLoan,
    by: &audit::Context,
) -> Result<i64> {
    let l = l.clone();
    let detail =
        serde_json::json!({ "entrepreneur": entrepreneur_id, "amount_fen": l.amount_fen, "granted_on": l.granted_on });
    let user = by.actor.username.clone();
    audited(store, by, "startup_loans", detail, move |txn| {
        Box::pin(async move {
            entrepreneur_in(txn, scope, entrepreneur_id).await?;
            let m = startup_loan::ActiveModel {
                entrepreneur_id: Set(entrepreneur_id),
                lender: Set(l.lender.clone()),
                amount_fen: Set(l.amount_fen),
                granted_on: Set(l.granted_on),
                term_months: Set(l.term_months),
                guaranteed: Set(l.guaranteed),
                recorded_by: Set(user),
                recorded_at: Set(Utc::now()),
                ..Default::default()
            };
            Ok(startup_loan::Entity::insert(m).exec(txn).await?.last_insert_id)
        })
    })
    .await
}

pub async fn loans_of(store: &Store, entrepreneur_id: i64) -> Result<Vec<startup_loan::Model>> {
    Ok(startup_loan::Entity::find()
        .filter(startup_loan::Column::EntrepreneurId.eq(entrepreneur_id))
        .order_by_desc(startup_loan::Column::GrantedOn)
        .all(store.conn())
        .await?)
}

/// Registers a 返乡创业园区.
pub async fn create_park(
    store: &Store,
    name: &str,
    region: i64,
    municipal: bool,
    recognized_on: NaiveDate,
    by: &audit::Context,
) -> Result<i64> {
    let name = name.to_string();
    let detail = serde_json::json!({ "park": name, "region": region, "municipal": municipal });
    let user = by.actor.username.clone();
    audited(store, by, "startup_parks", detail, move |txn| {
        Box::pin(async move {
            if startup_park::Entity::find()
                .filter(startup_park::Column::Name.eq(name.as_str()))
                .one(txn)
                .await?
                .is_some()
            {
                return Err(StoreError::Conflict(format!("园区“{name}”已登记")));
            }
            let m = startup_park::ActiveModel {
                name: Set(name.clone()),
                region: Set(region),
                municipal: Set(municipal),
                recognized_on: Set(recognized_on),
                recorded_by: Set(user),
                recorded_at: Set(Utc::now()),
                ..Default::default()
            };
            Ok(startup_park::Entity::insert(m).exec(txn).await?.last_insert_id)
        })
    })
    .await
}

pub async fn parks(store: &Store, region: Option<(i64, i64)>) -> Result<Vec<startup_park::Model>> {
    let mut q = startup_park::Entity::find();
    if let Some((lo, hi)) = region {
        q = q.filter(startup_park::Column::Region.between(lo, hi));
    }
    Ok(q.order_by_asc(startup_park::Column::Id).all(store.conn()).await?)
}

pub async fn park(store: &Store, id: i64) -> Result<Option<startup_park::Model>> {
    Ok(startup_park::Entity::find_by_id(id).one(store.conn()).await?)
}

/// An entrepreneur (inside `scope`) enters a park; one open tenancy per park.
pub async fn add_tenant(
    store: &Store,
    scope: Scope,
    park_id: i64,
    entrepreneur_id: i64,
    entered_on: NaiveDate,
    by: &audit::Context,
) -> Result<i64> {
    let detail = serde_json::json!({ "park": park_id, "entrepreneur": entrepreneur_id, "entered_on": entered_on });
    let user = by.actor.username.clone();
    audited(store, by, "park_tenants", detail, move |txn| {
        Box::pin(async move {
            entrepreneur_in(txn, scope, entrepreneur_id).await?;
            if startup_park::Entity::find_by_id(park_id).one(txn).await?.is_none() {
                return Err(StoreError::NotFound(format!("园区 {park_id} 不存在")));
            }
            let open = park_tenant::Entity::find()
                .filter(park_tenant::Column::ParkId.eq(park_id))
                .filter(park_tenant::Column::EntrepreneurId.eq(entrepreneur_id))
                .filter(park_tenant::Column::LeftOn.is_null())
                .one(txn)
                .await?;
            if open.is_some() {
                return Err(StoreError::Conflict("该创业者已入驻本园区".into()));
            }
            let m = park_tenant::ActiveModel {
                park_id: Set(park_id),
                entrepreneur_id: Set(entrepreneur_id),
                entered_on: Set(entered_on),
                left_on: Set(None),
                recorded_by: Set(user),
                recorded_at: Set(Utc::now()),
                ..Default::default()
            };
            Ok(park_tenant::Entity::insert(m).exec(txn).await?.last_insert_id)
        })
    })
    .await
}

/// An entrepreneur's tenancies with the park's name, by entry date.
pub async fn tenancies_of(store: &Store, entrepreneur_id: i64) -> Result<Vec<(park_tenant::Model, String)>> {
    let list = park_tenant::Entity::find()
        .filter(park_tenant::Column::EntrepreneurId.eq(entrepreneur_id))
        .order_by_asc(park_tenant::Column::EnteredOn)
        .all(store.conn())
        .await?;
    let ids: Vec<i64> = list.iter().map(|t| t.park_id).collect();
    let names: std::collections::HashMap<i64, String> = startup_park::Entity::find()
        .filter(startup_park::Column::Id.is_in(ids))
        .all(store.conn())
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok(list
        .into_iter()
        .map(|t| {
            let name = names.get(&t.park_id).cloned().unwrap_or_default();
            (t, name)
        })
        .collect())
}

/// Counts of tenants in each park: (park id, in the park now).
pub async fn tenant_counts(store: &Store) -> Result<std::collections::HashMap<i64, i64>> {
    let b = store.conn().get_database_backend();
    let sql = "SELECT park_id, COUNT(*) AS n FROM park_tenants WHERE left_on IS NULL GROUP BY park_id";
    let mut out = std::collections::HashMap::new();
    for r in store.conn().query_all(Statement::from_string(b, sql)).await? {
        out.insert(r.try_get::<i64>("", "park_id")?, r.try_get::<i64>("", "n")?);
    }
    Ok(out)
}

/// Records a park's evaluation of a year; a second one for the same year is refused.
pub async fn evaluate_park(
    store: &Store,
    park_id: i64,
    year: i32,
    grade: i16,
    award_fen: Option<i64>,
    by: &audit::Context,
) -> Result<i64> {
    let detail = serde_json::json!({ "park": park_id, "year": year, "grade": grade, "award_fen": award_fen });
    let user = by.actor.username.clone();
    audited(store, by, "park_evaluations", detail, move |txn| {
        Box::pin(async move {
            if startup_park::Entity::find_by_id(park_id).one(txn).await?.is_none() {
                return Err(StoreError::NotFound(format!("园区 {park_id} 不存在")));
            }
            let done = park_evaluation::Entity::find()
                .filter(park_evaluation::Column::ParkId.eq(park_id))
                .filter(park_evaluation::Column::Year.eq(year))
                .one(txn)
                .await?;
            if done.is_some() {
                return Err(StoreError::Conflict(format!("{year}年度已评估，不能重复评估")));
            }
            let m = park_evaluation::ActiveModel {
                park_id: Set(park_id),
                year: Set(year),
                grade: Set(grade),
                award_fen: Set(award_fen),
                recorded_by: Set(user),
                recorded_at: Set(Utc::now()),
                ..Default::default()
            };
            Ok(park_evaluation::Entity::insert(m).exec(txn).await?.last_insert_id)
        })
    })
    .await
}

pub async fn evaluations(store: &Store) -> Result<Vec<park_evaluation::Model>> {
    Ok(park_evaluation::Entity::find().order_by_asc(park_evaluation::Column::Year).all(store.conn()).await?)
}

/// Adds a mentor to the 导师库.
pub async fn create_mentor(
    store: &Store,
    name: &str,
    organisation: &str,
    expertise: &str,
    region: i64,
    by: &audit::Context,
) -> Result<i64> {
    let (name, organisation, expertise) = (name.to_string(), organisation.to_string(), expertise.to_string());
    let detail = serde_json::json!({ "mentor": name, "region": region });
    let user = by.actor.username.clone();
    audited(store, by, "mentors", detail, move |txn| {
        Box::pin(async move {
            let m = mentor::ActiveModel {
                name: Set(name),
                organisation: Set(organisation),
                expertise: Set(expertise),
                region: Set(region),
                recorded_by: Set(user),
                recorded_at: Set(Utc::now()),
                ..Default::default()
            };
            Ok(mentor::Entity::insert(m).exec(txn).await?.last_insert_id)
        })
    })
    .await
}

pub async fn mentors(store: &Store, region: Option<(i64, i64)>) -> Result<Vec<mentor::Model>> {
    let mut q = mentor::Entity::find();
    if let Some((lo, hi)) = region {
        q = q.filter(mentor::Column::Region.between(lo, hi));
    }
    Ok(q.order_by_asc(mentor::Column::Id).all(store.conn()).await?)
}

/// Pairs a mentor with an entrepreneur inside `scope`; one open pairing per pair.
pub async fn pair(
    store: &Store,
    scope: Scope,
    mentor_id: i64,
    entrepreneur_id: i64,
    started_on: NaiveDate,
    by: &audit::Context,
) -> Result<i64> {
    let detail = serde_json::json!({ "mentor": mentor_id, "entrepreneur": entrepreneur_id, "started_on": started_on });
    let user = by.actor.username.clone();
    audited(store, by, "mentor_pairings", detail, move |txn| {
        Box::pin(async move {
            entrepreneur_in(txn, scope, entrepreneur_id).await?;
            if mentor::Entity::find_by_id(mentor_id).one(txn).await?.is_none() {
                return Err(StoreError::NotFound(format!("导师 {mentor_id} 不存在")));
            }
            let open = mentor_pairing::Entity::find()
                .filter(mentor_pairing::Column::MentorId.eq(mentor_id))
                .filter(mentor_pairing::Column::EntrepreneurId.eq(entrepreneur_id))
                .filter(mentor_pairing::Column::EndedOn.is_null())
                .one(txn)
                .await?;
            if open.is_some() {
                return Err(StoreError::Conflict("该导师已在指导该创业者".into()));
            }
            let m = mentor_pairing::ActiveModel {
                mentor_id: Set(mentor_id),
                entrepreneur_id: Set(entrepreneur_id),
                started_on: Set(started_on),
                ended_on: Set(None),
                recorded_by: Set(user),
                recorded_at: Set(Utc::now()),
                ..Default::default()
            };
            Ok(mentor_pairing::Entity::insert(m).exec(txn).await?.last_insert_id)
        })
    })
    .await
}

pub async fn pairings_of(store: &Store, entrepreneur_id: i64) -> Result<Vec<(mentor_pairing::Model, String)>> {
    let list = mentor_pairing::Entity::find()
        .filter(mentor_pairing::Column::EntrepreneurId.eq(entrepreneur_id))
        .all(store.conn())
        .await?;
    let mut out = Vec::new();
    for p in list {
        let name = mentor::Entity::find_by_id(p.mentor_id).one(store.conn()).await?.map(|m| m.name).unwrap_or_default();
        out.push((p, name));
    }
    Ok(out)
}

/// The open pairings of each mentor: (mentor id, count).
pub async fn pairing_counts(store: &Store) -> Result<std::collections::HashMap<i64, i64>> {
    let b = store.conn().get_database_backend();
    let sql = "SELECT mentor_id, COUNT(*) AS n FROM mentor_pairings WHERE ended_on IS NULL GROUP BY mentor_id";
    let mut out = std::collections::HashMap::new();
    for r in store.conn().query_all(Statement::from_string(b, sql)).await? {
        out.insert(r.try_get::<i64>("", "mentor_id")?, r.try_get::<i64>("", "n")?);
    }
    Ok(out)
}

/// An entry of the 在外创业成功人士信息库.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutside {
    pub name: String,
    pub home_region: i64,
    pub province: i16,
    pub city: String,
    pub enterprise: String,
    pub industry: Option<String>,
    pub employees: i32,
    pub willing_to_return: bool,
}

pub async fn create_outside(store: &Store, o: &NewOutside, by: &audit::Context) -> Result<i64> {
    let o = o.clone();
    let detail = serde_json::json!({ "name": o.name, "home_region": o.home_region, "province": o.province });
    let user = by.actor.username.clone();
    audited(store, by, "outside_entrepreneurs", detail, move |txn| {
        Box::pin(async move {
            let m = outside_entrepreneur::ActiveModel {
                name: Set(o.name),
                home_region: Set(o.home_region),
                province: Set(o.province),
                city: Set(o.city),
                enterprise: Set(o.enterprise),
                industry: Set(o.industry),
                employees: Set(o.employees),
                willing_to_return: Set(o.willing_to_return),
                recorded_by: Set(user),
                recorded_at: Set(Utc::now()),
                ..Default::default()
            };
            Ok(outside_entrepreneur::Entity::insert(m).exec(txn).await?.last_insert_id)
        })
    })
    .await
}

/// The entries whose home region lies in `region` (all when `None`).
pub async fn outside(store: &Store, region: Option<(i64, i64)>) -> Result<Vec<outside_entrepreneur::Model>> {
    let mut q = outside_entrepreneur::Entity::find();
    if let Some((lo, hi)) = region {
        q = q.filter(outside_entrepreneur::Column::HomeRegion.between(lo, hi));
    }
    Ok(q.order_by_desc(outside_entrepreneur::Column::Employees).all(store.conn()).await?)
}
