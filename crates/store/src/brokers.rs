//! 劳务经纪人 (SPEC §6, migration m0016): the broker registry, the hires each broker is
//! credited with, the service-subsidy claims and the integrity record, every change
//! written with its audit entry. A placement is unique per person and hire date (one
//! broker per hire) and a claim unique per placement; a claim is decided once (the
//! update names the state it leaves), so a placement is never paid twice.

use chrono::{Months, NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use jiujin_domain::brokers::{ClaimStatus, IntegrityKind};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

use crate::entity::{broker, broker_claim, broker_integrity, broker_placement, person};
use crate::{audit, Result, Scope, Store, StoreError};

/// A broker to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBroker {
    pub name: String,
    pub kind: i16,
    pub credit_code: Option<String>,
    /// 12-digit home region.
    pub region: i64,
    /// The `broker` account it acts through, if any.
    pub username: Option<String>,
}

/// Registers a broker with its audit entry; an account already bound is refused.
pub async fn create_broker(store: &Store, b: &NewBroker, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    if let Some(u) = &b.username {
        if broker::Entity::find().filter(broker::Column::Username.eq(u.as_str())).one(&txn).await?.is_some() {
            return Err(StoreError::Conflict(format!("账号 {u} 已绑定其他经纪人")));
        }
    }
    let m = broker::ActiveModel {
        name: Set(b.name.clone()),
        kind: Set(b.kind),
        credit_code: Set(b.credit_code.clone()),
        region: Set(b.region),
        username: Set(b.username.clone()),
        active: Set(true),
        created_by: Set(by.actor.username.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = broker::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({ "broker": id, "name": b.name, "region": b.region, "account": b.username });
    audit::write(&txn, slot, &by.entry(AuditAction::BrokerChange, "brokers", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(id)
}

/// The brokers whose home region lies in `region` (all when `None`), by id.
pub async fn brokers(store: &Store, region: Option<(i64, i64)>) -> Result<Vec<broker::Model>> {
    let mut q = broker::Entity::find();
    if let Some((lo, hi)) = region {
        q = q.filter(broker::Column::Region.between(lo, hi));
    }
    Ok(q.order_by_asc(broker::Column::Id).all(store.conn()).await?)
}

pub async fn broker(store: &Store, id: i64) -> Result<Option<broker::Model>> {
    Ok(broker::Entity::find_by_id(id).one(store.conn()).await?)
}

/// The broker an account acts for.
pub async fn broker_of_account(store: &Store, username: &str) -> Result<Option<broker::Model>> {
    Ok(broker::Entity::find().filter(broker::Column::Username.eq(username)).one(store.conn()).await?)
}

/// Suspends or reinstates a broker, with its audit entry.
pub async fn set_active(store: &Store, id: i64, active: bool, by: &audit::Context) -> Result<()> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let m = broker::ActiveModel { id: Set(id), active: Set(active), ..Default::default() };
    broker::Entity::update(m).exec(&txn).await?;
    let detail = serde_json::json!({ "broker": id, "active": active });
    audit::write(&txn, slot, &by.entry(AuditAction::BrokerChange, "brokers", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(())
}

/// Credits a broker with the hire of a person on `hired_on`, with its audit entry.
/// The person must lie inside `scope`. When another broker already has this hire,
/// its name comes back instead.
pub async fn record_placement(
    store: &Store,
    scope: Scope,
    broker_id: i64,
    person_id: i64,
    hired_on: NaiveDate,
    employer_name: &str,
    by: &audit::Context,
) -> Result<std::result::Result<i64, String>> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    if person::Entity::find_by_id(person_id).filter(scope.persons()).one(&txn).await?.is_none() {
        return Err(StoreError::NotFound(format!("人员 {person_id} 不存在或不在管辖范围内")));
    }
    let taken = broker_placement::Entity::find()
        .filter(broker_placement::Column::PersonId.eq(person_id))
        .filter(broker_placement::Column::HiredOn.eq(hired_on))
        .one(&txn)
        .await?;
    if let Some(t) = taken {
        let name = broker::Entity::find_by_id(t.broker_id).one(&txn).await?.map_or_else(String::new, |b| b.name);
        return Ok(Err(name));
    }
    let m = broker_placement::ActiveModel {
        broker_id: Set(broker_id),
        person_id: Set(person_id),
        hired_on: Set(hired_on),
        employer_name: Set(employer_name.to_string()),
        recorded_by: Set(by.actor.username.clone()),
        recorded_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = broker_placement::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({ "placement": id, "broker": broker_id, "hired_on": hired_on });
    audit::write(&txn, slot, &by.entry(AuditAction::BrokerChange, "persons", Some(person_id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(Ok(id))
}

/// A placement with the person's name and its claim, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementRow {
    pub placement: broker_placement::Model,
    pub name: String,
    pub claim: Option<broker_claim::Model>,
}

/// The placements of a broker, newest hire first, each with its claim.
pub async fn placements_of(store: &Store, broker_id: i64) -> Result<Vec<PlacementRow>> {
    let list = broker_placement::Entity::find()
        .filter(broker_placement::Column::BrokerId.eq(broker_id))
        .order_by_desc(broker_placement::Column::HiredOn)
        .order_by_desc(broker_placement::Column::Id)
        .all(store.conn())
        .await?;
    rows(store, list).await
}

/// The placements of a person (for the timeline).
pub async fn placements_of_person(store: &Store, person_id: i64) -> Result<Vec<PlacementRow>> {
    let list = broker_placement::Entity::find()
        .filter(broker_placement::Column::PersonId.eq(person_id))
        .order_by_desc(broker_placement::Column::HiredOn)
        .all(store.conn())
        .await?;
    rows(store, list).await
}

pub async fn placement(store: &Store, id: i64) -> Result<Option<PlacementRow>> {
    let list: Vec<_> = broker_placement::Entity::find_by_id(id).one(store.conn()).await?.into_iter().collect();
    Ok(rows(store, list).await?.pop())
}

async fn rows(store: &Store, list: Vec<broker_placement::Model>) -> Result<Vec<PlacementRow>> {
    let ids: Vec<i64> = list.iter().map(|p| p.person_id).collect();
    let names: std::collections::HashMap<i64, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(store.conn())
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let pids: Vec<i64> = list.iter().map(|p| p.id).collect();
    let mut claims: std::collections::HashMap<i64, broker_claim::Model> = broker_claim::Entity::find()
        .filter(broker_claim::Column::PlacementId.is_in(pids))
        .all(store.conn())
        .await?
        .into_iter()
        .map(|c| (c.placement_id, c))
        .collect();
    Ok(list
        .into_iter()
        .map(|p| PlacementRow {
            name: names.get(&p.person_id).cloned().unwrap_or_default(),
            claim: claims.remove(&p.id),
            placement: p,
        })
        .collect())
}

/// A claim to submit, with what the assessment found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClaim {
    pub placement_id: i64,
    pub claimed_on: NaiveDate,
    /// 登记失业人员 / 脱贫人口.
    pub basis: String,
    /// The day the hire became stable work.
    pub stable_from: NaiveDate,
}

/// Why a claim was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimRefusal {
    /// This placement has a claim already.
    AlreadyClaimed(ClaimStatus),
    /// The person has another claim (not rejected) for a hire within 12 months.
    PersonClaimed(NaiveDate),
}

/// Submits a claim for a placement, with its audit entry. The checks run after taking
/// the writers' queue, and the claim is unique per placement in the database.
pub async fn submit_claim(
    store: &Store,
    c: &NewClaim,
    by: &audit::Context,
) -> Result<std::result::Result<i64, ClaimRefusal>> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(p) = broker_placement::Entity::find_by_id(c.placement_id).one(&txn).await? else {
        return Err(StoreError::NotFound(format!("推荐就业记录 {} 不存在", c.placement_id)));
    };
    if let Some(old) =
        broker_claim::Entity::find().filter(broker_claim::Column::PlacementId.eq(c.placement_id)).one(&txn).await?
    {
        return Ok(Err(ClaimRefusal::AlreadyClaimed(
            ClaimStatus::from_code(old.status).unwrap_or(ClaimStatus::Submitted),
        )));
    }
    // Another live claim for the same person, for a hire within 12 months of this one.
    let others = broker_claim::Entity::find()
        .filter(broker_claim::Column::PersonId.eq(p.person_id))
        .filter(broker_claim::Column::Status.ne(ClaimStatus::Rejected.code()))
        .all(&txn)
        .await?;
    for o in others {
        if let Some(op) = broker_placement::Entity::find_by_id(o.placement_id).one(&txn).await? {
            let lo = p.hired_on.checked_sub_months(Months::new(12)).unwrap_or(NaiveDate::MIN);
            let hi = p.hired_on.checked_add_months(Months::new(12)).unwrap_or(NaiveDate::MAX);
            if op.hired_on > lo && op.hired_on < hi {
                return Ok(Err(ClaimRefusal::PersonClaimed(op.hired_on)));
            }
        }
    }
    let m = broker_claim::ActiveModel {
        placement_id: Set(c.placement_id),
        broker_id: Set(p.broker_id),
        person_id: Set(p.person_id),
        claimed_on: Set(c.claimed_on),
        basis: Set(c.basis.clone()),
        stable_from: Set(c.stable_from),
        status: Set(ClaimStatus::Submitted.code()),
        amount_fen: Set(None),
        reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        created_by: Set(by.actor.username.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = broker_claim::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail =
        serde_json::json!({ "claim": id, "placement": c.placement_id, "broker": p.broker_id, "basis": c.basis });
    audit::write(&txn, slot, &by.entry(AuditAction::BrokerClaim, "persons", Some(p.person_id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(Ok(id))
}

/// Decides a submitted claim of a person inside `scope`: approved with the amount paid,
/// or rejected with a reason, with its audit entry. A claim already decided is left as
/// it is and `false` comes back (two reviewers at once: one wins).
pub async fn decide_claim(
    store: &Store,
    scope: Scope,
    claim_id: i64,
    approve: bool,
    amount_fen: Option<i64>,
    reason: Option<&str>,
    by: &audit::Context,
) -> Result<bool> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(c) = broker_claim::Entity::find_by_id(claim_id).one(&txn).await? else {
        return Err(StoreError::NotFound(format!("补助申请 {claim_id} 不存在")));
    };
    if person::Entity::find_by_id(c.person_id).filter(scope.persons()).one(&txn).await?.is_none() {
        return Err(StoreError::NotFound(format!("补助申请 {claim_id} 不存在或不在管辖范围内")));
    }
    let status = if approve { ClaimStatus::Approved } else { ClaimStatus::Rejected };
    let done = broker_claim::Entity::update_many()
        .col_expr(broker_claim::Column::Status, sea_orm::sea_query::Expr::value(status.code()))
        .col_expr(
            broker_claim::Column::AmountFen,
            sea_orm::sea_query::Expr::value(if approve { amount_fen } else { None }),
        )
        .col_expr(broker_claim::Column::Reason, sea_orm::sea_query::Expr::value(reason.map(str::to_string)))
        .col_expr(broker_claim::Column::DecidedBy, sea_orm::sea_query::Expr::value(by.actor.username.clone()))
        .col_expr(broker_claim::Column::DecidedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(broker_claim::Column::Id.eq(claim_id))
        .filter(broker_claim::Column::Status.eq(ClaimStatus::Submitted.code()))
        .exec(&txn)
        .await?
        .rows_affected;
    if done == 0 {
        return Ok(false);
    }
    let detail = serde_json::json!({
        "claim": claim_id, "status": status.code(), "amount_fen": amount_fen, "reason": reason,
    });
    audit::write(&txn, slot, &by.entry(AuditAction::BrokerClaim, "persons", Some(c.person_id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(true)
}

/// A claim as the review list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRow {
    pub claim: broker_claim::Model,
    pub broker: String,
    pub name: String,
    pub hired_on: NaiveDate,
    pub employer_name: String,
}

/// The claims of persons inside `scope` (optionally of one status), newest first.
pub async fn claims(store: &Store, scope: Scope, status: Option<ClaimStatus>) -> Result<Vec<ClaimRow>> {
    let mut q = broker_claim::Entity::find();
    if let Some(s) = status {
        q = q.filter(broker_claim::Column::Status.eq(s.code()));
    }
    let list = q.order_by_desc(broker_claim::Column::Id).all(store.conn()).await?;
    let ids: Vec<i64> = list.iter().map(|c| c.person_id).collect();
    let names: std::collections::HashMap<i64, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .filter(scope.persons())
        .all(store.conn())
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let brokers: std::collections::HashMap<i64, String> =
        broker::Entity::find().all(store.conn()).await?.into_iter().map(|b| (b.id, b.name)).collect();
    let pids: Vec<i64> = list.iter().map(|c| c.placement_id).collect();
    let placements: std::collections::HashMap<i64, broker_placement::Model> = broker_placement::Entity::find()
        .filter(broker_placement::Column::Id.is_in(pids))
        .all(store.conn())
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(list
        .into_iter()
        .filter_map(|c| {
            let name = names.get(&c.person_id)?.clone();
            let p = placements.get(&c.placement_id)?;
            Some(ClaimRow {
                broker: brokers.get(&c.broker_id).cloned().unwrap_or_default(),
                name,
                hired_on: p.hired_on,
                employer_name: p.employer_name.clone(),
                claim: c,
            })
        })
        .collect())
}

/// Adds an entry to a broker's integrity record, with its audit entry.
pub async fn add_integrity(
    store: &Store,
    broker_id: i64,
    date: NaiveDate,
    kind: IntegrityKind,
    note: &str,
    by: &audit::Context,
) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    if broker::Entity::find_by_id(broker_id).one(&txn).await?.is_none() {
        return Err(StoreError::NotFound(format!("经纪人 {broker_id} 不存在")));
    }
    let m = broker_integrity::ActiveModel {
        broker_id: Set(broker_id),
        record_date: Set(date),
        kind: Set(kind.code()),
        note: Set(note.to_string()),
        recorded_by: Set(by.actor.username.clone()),
        recorded_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = broker_integrity::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({ "broker": broker_id, "integrity": id, "kind": kind.code(), "date": date });
    audit::write(&txn, slot, &by.entry(AuditAction::BrokerChange, "brokers", Some(broker_id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(id)
}

pub async fn integrity_of(store: &Store, broker_id: i64) -> Result<Vec<broker_integrity::Model>> {
    Ok(broker_integrity::Entity::find()
        .filter(broker_integrity::Column::BrokerId.eq(broker_id))
        .order_by_desc(broker_integrity::Column::RecordDate)
        .order_by_desc(broker_integrity::Column::Id)
        .all(store.conn())
        .await?)
}
