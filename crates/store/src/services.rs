//! Services to people (SPEC §6, migration m0014): follow-up contacts written with their
//! audit entry, and the two lists staff work from, each read in one statement inside
//! a scope: the registered unemployed with their last contact that reached them (the
//! monthly follow-up), and the registered-unemployed 脱贫 persons with the services of
//! the 1+1+3+1 they have had since their registration.

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use jiujin_domain::registry::{EmploymentStatus, GroupFlag, GroupFlags};
use jiujin_domain::services::{Offered, Outcome};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, Statement, TransactionTrait};

use crate::entity::{person, service_contact};
use crate::jobs::{CHANNEL_INBOX, PUSH_SENT};
use crate::{audit, Result, Scope, Store, StoreError};

/// A contact to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub contact_date: NaiveDate,
    pub channel: i16,
    pub offered: i32,
    pub outcome: i16,
    pub note: String,
}

/// Records a contact with person `person_id` inside `scope`, with its audit entry, in
/// one transaction. Returns the contact's id.
pub async fn record_contact(
    store: &Store,
    scope: Scope,
    person_id: i64,
    c: &NewContact,
    by: &audit::Context,
) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let found = person::Entity::find_by_id(person_id).filter(scope.persons()).one(&txn).await?;
    if found.is_none() {
        return Err(StoreError::NotFound(format!("人员 {person_id} 不存在或不在管辖范围内")));
    }
    let m = service_contact::ActiveModel {
        person_id: Set(person_id),
        contact_date: Set(c.contact_date),
        channel: Set(c.channel),
        offered: Set(c.offered),
        outcome: Set(c.outcome),
        note: Set(c.note.clone()),
        recorded_by: Set(by.actor.username.clone()),
        recorded_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = service_contact::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({
        "contact": id, "date": c.contact_date, "channel": c.channel, "offered": c.offered, "outcome": c.outcome,
    });
    audit::write(&txn, slot, &by.entry(AuditAction::ServiceContact, "persons", Some(person_id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(id)
}

/// The contacts of one person, newest first.
pub async fn contacts_of(store: &Store, person_id: i64) -> Result<Vec<service_contact::Model>> {
    Ok(service_contact::Entity::find()
        .filter(service_contact::Column::PersonId.eq(person_id))
        .order_by_desc(service_contact::Column::ContactDate)
        .order_by_desc(service_contact::Column::Id)
        .all(store.conn())
        .await?)
}

/// A registered unemployed person as the follow-up list reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpRow {
    pub id: i64,
    pub name: String,
    pub hukou_region: i64,
    pub residence_region: Option<i64>,
    pub registered: NaiveDate,
    /// The last contact since the registration that reached them.
    pub last_reached: Option<NaiveDate>,
    pub flags: i32,
    pub birth_date: NaiveDate,
    pub sex: i16,
}

pub(crate) fn date_of(r: &sea_orm::QueryResult, col: &str) -> Result<Option<NaiveDate>> {
    // SQLite returns dates as text, PostgreSQL as dates; both read as text here.
    let text: Option<String> = match r.try_get::<Option<NaiveDate>>("", col) {
        Ok(d) => return Ok(d),
        Err(_) => r.try_get("", col)?,
    };
    match text {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(&t[..t.len().min(10)], "%Y-%m-%d")
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("{col}：{t}（{e}）"))),
    }
}

/// The registered unemployed inside `scope` (status 失业 with a registration date),
/// each with their last contact since the registration that reached them.
pub async fn follow_up_rows(store: &Store, scope: Scope) -> Result<Vec<FollowUpRow>> {
    let backend = store.conn().get_database_backend();
    let unemployed = EmploymentStatus::Unemployed.code();
    let unreachable = Outcome::Unreachable.code();
    let sql = format!(
        "SELECT p.id, p.name, p.hukou_region, p.residence_region, p.unemployed_since, p.flags, p.birth_date, p.sex, \
           (SELECT MAX(c.contact_date) FROM service_contacts c WHERE c.person_id = p.id \
              AND c.contact_date >= p.unemployed_since AND c.outcome <> {unreachable}) AS last_reached \
         FROM persons p \
         WHERE p.unemployed_since IS NOT NULL AND p.status = {unemployed} AND {}",
        scope.sql("p")
    );
    let rows = store.conn().query_all(Statement::from_string(backend, sql)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(FollowUpRow {
            id: r.try_get("", "id")?,
            name: r.try_get("", "name")?,
            hukou_region: r.try_get("", "hukou_region")?,
            residence_region: r.try_get("", "residence_region")?,
            registered: date_of(&r, "unemployed_since")?
                .ok_or_else(|| StoreError::Corrupt("persons.unemployed_since".into()))?,
            last_reached: date_of(&r, "last_reached")?,
            flags: r.try_get("", "flags")?,
            birth_date: date_of(&r, "birth_date")?.ok_or_else(|| StoreError::Corrupt("persons.birth_date".into()))?,
            sex: r.try_get("", "sex")?,
        });
    }
    Ok(out)
}

/// A registered-unemployed 脱贫 person with the services of the 1+1+3+1 since their
/// registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRow {
    pub id: i64,
    pub name: String,
    pub hukou_region: i64,
    pub residence_region: Option<i64>,
    pub registered: NaiveDate,
    pub policy: i64,
    pub guidance: i64,
    pub training: i64,
    /// Jobs recommended in contacts.
    pub job_offers: i64,
    /// Pushes from matching delivered to them.
    pub pushes: i64,
}

/// The registered-unemployed 脱贫 persons inside `scope` with their services. The
/// pushes are found by person (`+j.state` keeps SQLite, which has no statistics here,
/// from walking every delivered push by the state index instead).
pub async fn one_one_three_one_rows(store: &Store, scope: Scope) -> Result<Vec<ServiceRow>> {
    let backend = store.conn().get_database_backend();
    let unemployed = EmploymentStatus::Unemployed.code();
    let mut poor = GroupFlags::empty();
    poor.insert(GroupFlag::PovertyAlleviated);
    let poor = poor.bits();
    let count = |o: Offered| format!("SUM(CASE WHEN (c.offered & {}) <> 0 THEN 1 ELSE 0 END)", o.bit());
    let sql = format!(
        "SELECT p.id, p.name, p.hukou_region, p.residence_region, p.unemployed_since, \
           (SELECT {} FROM service_contacts c WHERE c.person_id = p.id AND c.contact_date >= p.unemployed_since) AS policy, \
           (SELECT {} FROM service_contacts c WHERE c.person_id = p.id AND c.contact_date >= p.unemployed_since) AS guidance, \
           (SELECT {} FROM service_contacts c WHERE c.person_id = p.id AND c.contact_date >= p.unemployed_since) AS training, \
           (SELECT {} FROM service_contacts c WHERE c.person_id = p.id AND c.contact_date >= p.unemployed_since) AS job_offers, \
           (SELECT COUNT(*) FROM job_pushes j WHERE j.person_id = p.id AND j.channel = {CHANNEL_INBOX} \
              AND +j.state = {PUSH_SENT} AND j.push_date >= p.unemployed_since) AS pushes \
         FROM persons p \
         WHERE p.unemployed_since IS NOT NULL AND p.status = {unemployed} AND (p.flags & {poor}) <> 0 AND {}",
        count(Offered::Policy),
        count(Offered::Guidance),
        count(Offered::Training),
        count(Offered::Job),
        scope.sql("p")
    );
    let rows = store.conn().query_all(Statement::from_string(backend, sql)).await?;
    let n = |r: &sea_orm::QueryResult, c: &str| -> Result<i64> { Ok(r.try_get::<Option<i64>>("", c)?.unwrap_or(0)) };
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(ServiceRow {
            id: r.try_get("", "id")?,
            name: r.try_get("", "name")?,
            hukou_region: r.try_get("", "hukou_region")?,
            residence_region: r.try_get("", "residence_region")?,
            registered: date_of(&r, "unemployed_since")?
                .ok_or_else(|| StoreError::Corrupt("persons.unemployed_since".into()))?,
            policy: n(&r, "policy")?,
            guidance: n(&r, "guidance")?,
            training: n(&r, "training")?,
            job_offers: n(&r, "job_offers")?,
            pushes: n(&r, "pushes")?,
        });
    }
    Ok(out)
}

/// A member of a household that may have no one in stable work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdMemberRow {
    pub id: i64,
    pub name: String,
    pub household_no: String,
    pub hukou_region: i64,
    pub birth_date: NaiveDate,
    pub sex: i16,
    pub status: i16,
    pub flags: i32,
}

/// The members of the households inside `scope` (家庭户编号 within a hukou village)
/// that have a member in the labour force out of stable work (失业 or 灵活就业) and no
/// member born after `born_after` in stable work, ordered by household. Someone born
/// after it is surely of working age (the caller passes a date before which no one has
/// reached retirement); for older members in work the caller's exact test decides
/// (`domain::services::zero_employment`).
pub async fn households_without_stable_work(
    store: &Store,
    scope: Scope,
    born_after: NaiveDate,
) -> Result<Vec<HouseholdMemberRow>> {
    use EmploymentStatus as S;
    let backend = store.conn().get_database_backend();
    let stable = format!("{}, {}, {}", S::LocalEmployed.code(), S::OutsideEmployed.code(), S::Entrepreneur.code());
    let looking = format!("{}, {}", S::Unemployed.code(), S::Flexible.code());
    let sql = format!(
        "SELECT p.id, p.name, p.household_no, p.hukou_region, p.birth_date, p.sex, p.status, p.flags \
         FROM persons p JOIN ( \
           SELECT q.household_no, q.hukou_region FROM persons q \
           WHERE q.household_no IS NOT NULL AND {} \
           GROUP BY q.household_no, q.hukou_region \
           HAVING SUM(CASE WHEN q.status IN ({stable}) AND q.birth_date > '{born_after}' THEN 1 ELSE 0 END) = 0 \
              AND SUM(CASE WHEN q.status IN ({looking}) THEN 1 ELSE 0 END) > 0 \
         ) h ON h.household_no = p.household_no AND h.hukou_region = p.hukou_region \
         WHERE {} \
         ORDER BY p.hukou_region, p.household_no, p.id",
        scope.sql("q"),
        scope.sql("p")
    );
    let rows = store.conn().query_all(Statement::from_string(backend, sql)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(HouseholdMemberRow {
            id: r.try_get("", "id")?,
            name: r.try_get("", "name")?,
            household_no: r.try_get("", "household_no")?,
            hukou_region: r.try_get("", "hukou_region")?,
            birth_date: date_of(&r, "birth_date")?.ok_or_else(|| StoreError::Corrupt("persons.birth_date".into()))?,
            sex: r.try_get("", "sex")?,
            status: r.try_get("", "status")?,
            flags: r.try_get("", "flags")?,
        });
    }
    Ok(out)
}
