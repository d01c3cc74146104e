//! 就业帮扶车间 and 公益性岗位 (SPEC §6, migration m0017): the registers and the spells of
//! the persons they employ, each change written with its audit entry inside the
//! caller's scope. A person holds one 公益性岗位 at a time and a post no more holders
//! than its places (checked after taking the writers' queue); a workshop has one open
//! spell per person.

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, Statement, TransactionTrait};

use crate::entity::{person, public_post, workshop};
use crate::services::date_of;
use crate::{audit, Result, Scope, Store, StoreError};

/// Which register a spell belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    Workshop,
    Post,
}

impl Host {
    fn table(self) -> &'static str {
        match self {
            Host::Workshop => "workshop_workers",
            Host::Post => "public_post_holders",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Host::Workshop => "就业帮扶车间",
            Host::Post => "公益性岗位",
        }
    }
}

/// A workshop to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWorkshop {
    pub name: String,
    pub credit_code: Option<String>,
    pub region: i64,
    pub trade: String,
    pub recognized_on: NaiveDate,
}

pub async fn create_workshop(store: &Store, w: &NewWorkshop, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    if workshop::Entity::find().filter(workshop::Column::Name.eq(w.name.as_str())).one(&txn).await?.is_some() {
        return Err(StoreError::Conflict(format!("就业帮扶车间“{}”已登记", w.name)));
    }
    let m = workshop::ActiveModel {
        name: Set(w.name.clone()),
        credit_code: Set(w.credit_code.clone()),
        region: Set(w.region),
        trade: Set(w.trade.clone()),
        recognized_on: Set(w.recognized_on),
        revoked_on: Set(None),
        created_by: Set(by.actor.username.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = workshop::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({ "workshop": id, "name": w.name, "recognized_on": w.recognized_on });
    audit::write(&txn, slot, &by.entry(AuditAction::SupportChange, "workshops", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(id)
}

/// A 公益性岗位 to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPost {
    pub title: String,
    pub unit: String,
    pub region: i64,
    pub rural: bool,
    pub places: i32,
}

pub async fn create_post(store: &Store, p: &NewPost, by: &audit::Context) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let m = public_post::ActiveModel {
        title: Set(p.title.clone()),
        unit: Set(p.unit.clone()),
        region: Set(p.region),
        rural: Set(p.rural),
        places: Set(p.places),
        created_by: Set(by.actor.username.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = public_post::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({ "post": id, "title": p.title, "places": p.places });
    audit::write(&txn, slot, &by.entry(AuditAction::SupportChange, "public_posts", Some(id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(id)
}

/// The workshops whose region lies in `region` (all when `None`).
pub async fn workshops(store: &Store, region: Option<(i64, i64)>) -> Result<Vec<workshop::Model>> {
    let mut q = workshop::Entity::find();
    if let Some((lo, hi)) = region {
        q = q.filter(workshop::Column::Region.between(lo, hi));
    }
    Ok(q.order_by_asc(workshop::Column::Id).all(store.conn()).await?)
}

/// The 公益性岗位 whose region lies in `region` (all when `None`).
pub async fn posts(store: &Store, region: Option<(i64, i64)>) -> Result<Vec<public_post::Model>> {
    let mut q = public_post::Entity::find();
    if let Some((lo, hi)) = region {
        q = q.filter(public_post::Column::Region.between(lo, hi));
    }
    Ok(q.order_by_asc(public_post::Column::Id).all(store.conn()).await?)
}

pub async fn workshop(store: &Store, id: i64) -> Result<Option<workshop::Model>> {
    Ok(workshop::Entity::find_by_id(id).one(store.conn()).await?)
}

pub async fn post(store: &Store, id: i64) -> Result<Option<public_post::Model>> {
    Ok(public_post::Entity::find_by_id(id).one(store.conn()).await?)
}

/// Why a spell was not started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpellRefusal {
    /// The person is already there (an open spell).
    AlreadyThere,
    /// The person holds another 公益性岗位.
    HoldsAnotherPost(i64),
    /// Every place of the post is taken.
    Full,
}

fn ph(backend: sea_orm::DatabaseBackend, n: usize) -> String {
    match backend {
        sea_orm::DatabaseBackend::Postgres => format!("${n}"),
        _ => "?".to_string(),
    }
}

/// Starts a spell of person `person_id` (inside `scope`) at a workshop or post on
/// `start`, with its audit entry.
pub async fn start_spell(
    store: &Store,
    scope: Scope,
    host: Host,
    host_id: i64,
    person_id: i64,
    start: NaiveDate,
    by: &audit::Context,
) -> Result<std::result::Result<i64, SpellRefusal>> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    if person::Entity::find_by_id(person_id).filter(scope.persons()).one(&txn).await?.is_none() {
        return Err(StoreError::NotFound(format!("人员 {person_id} 不存在或不在管辖范围内")));
    }
    let places = match host {
        Host::Workshop => workshop::Entity::find_by_id(host_id).one(&txn).await?.map(|_| i64::MAX),
        Host::Post => public_post::Entity::find_by_id(host_id).one(&txn).await?.map(|p| i64::from(p.places)),
    };
    let Some(places) = places else {
        return Err(StoreError::NotFound(format!("{} {host_id} 不存在", host.label())));
    };
    let t = host.table();
    let open = |extra: &str| format!("SELECT host_id FROM {t} WHERE end_on IS NULL AND {extra}");
    let mine = txn
        .query_all(Statement::from_sql_and_values(b, open(&format!("person_id = {}", ph(b, 1))), [person_id.into()]))
        .await?;
    for r in &mine {
        let h: i64 = r.try_get("", "host_id")?;
        if h == host_id {
            return Ok(Err(SpellRefusal::AlreadyThere));
        }
        if host == Host::Post {
            return Ok(Err(SpellRefusal::HoldsAnotherPost(h)));
        }
    }
    let held = txn
        .query_all(Statement::from_sql_and_values(b, open(&format!("host_id = {}", ph(b, 1))), [host_id.into()]))
        .await?
        .len() as i64;
    if held >= places {
        return Ok(Err(SpellRefusal::Full));
    }
    let sql = format!(
        "INSERT INTO {t} (host_id, person_id, start_on, recorded_by, recorded_at) VALUES ({}, {}, {}, {}, {})",
        ph(b, 1),
        ph(b, 2),
        ph(b, 3),
        ph(b, 4),
        ph(b, 5)
    );
    txn.execute(Statement::from_sql_and_values(
        b,
        sql,
        [host_id.into(), person_id.into(), start.into(), by.actor.username.clone().into(), Utc::now().into()],
    ))
    .await?;
    let r = txn
        .query_one(Statement::from_sql_and_values(
            b,
            format!("SELECT MAX(id) AS id FROM {t} WHERE person_id = {}", ph(b, 1)),
            [person_id.into()],
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt(t.into()))?;
    let id: i64 = r.try_get("", "id")?;
    let detail = serde_json::json!({ "what": t, "spell": id, "host": host_id, "start": start });
    audit::write(&txn, slot, &by.entry(AuditAction::SupportChange, "persons", Some(person_id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(Ok(id))
}

/// Ends an open spell (of a person inside `scope`) on `end` with a reason, with its
/// audit entry. `false` when the spell was already ended.
pub async fn end_spell(
    store: &Store,
    scope: Scope,
    host: Host,
    spell_id: i64,
    end: NaiveDate,
    reason: Option<i16>,
    by: &audit::Context,
) -> Result<bool> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let b = txn.get_database_backend();
    let t = host.table();
    let r = txn
        .query_one(Statement::from_sql_and_values(
            b,
            format!("SELECT person_id, start_on FROM {t} WHERE id = {}", ph(b, 1)),
            [spell_id.into()],
        ))
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("记录 {spell_id} 不存在")))?;
    let person_id: i64 = r.try_get("", "person_id")?;
    let start = date_of(&r, "start_on")?.ok_or_else(|| StoreError::Corrupt(format!("{t}.start_on")))?;
    if person::Entity::find_by_id(person_id).filter(scope.persons()).one(&txn).await?.is_none() {
        return Err(StoreError::NotFound(format!("记录 {spell_id} 不存在或不在管辖范围内")));
    }
    if end < start {
        return Err(StoreError::Conflict(format!("离岗日期 {end} 早于上岗日期 {start}")));
    }
    let done = txn
        .execute(Statement::from_sql_and_values(
            b,
            format!(
                "UPDATE {t} SET end_on = {}, exit_reason = {} WHERE id = {} AND end_on IS NULL",
                ph(b, 1),
                ph(b, 2),
                ph(b, 3)
            ),
            [end.into(), reason.into(), spell_id.into()],
        ))
        .await?
        .rows_affected();
    if done == 0 {
        return Ok(false);
    }
    let detail = serde_json::json!({ "what": t, "spell": spell_id, "end": end, "reason": reason });
    audit::write(&txn, slot, &by.entry(AuditAction::SupportChange, "persons", Some(person_id.to_string()), detail))
        .await?;
    txn.commit().await?;
    Ok(true)
}

/// A spell with what the pages and rules read of its person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpellRow {
    pub id: i64,
    pub host_id: i64,
    pub person_id: i64,
    pub name: String,
    pub birth_date: NaiveDate,
    pub sex: i16,
    pub flags: i32,
    pub status: i16,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub exit_reason: Option<i16>,
}

/// The spells at the hosts held in `region` (all when `None`) whose persons lie in
/// `scope`, optionally of one host, by host and start. One statement.
pub async fn spells(
    store: &Store,
    scope: Scope,
    host: Host,
    region: Option<(i64, i64)>,
    host_id: Option<i64>,
) -> Result<Vec<SpellRow>> {
    let b = store.conn().get_database_backend();
    let (t, hosts) = match host {
        Host::Workshop => (host.table(), "workshops"),
        Host::Post => (host.table(), "public_posts"),
    };
    let mut filter = String::new();
    if let Some((lo, hi)) = region {
        filter.push_str(&format!(" AND h.region BETWEEN {lo} AND {hi}"));
    }
    if let Some(id) = host_id {
        filter.push_str(&format!(" AND h.id = {id}"));
    }
    let sql = format!(
        "SELECT s.id, s.host_id, s.person_id, p.name, p.birth_date, p.sex, p.flags, p.status, s.start_on, s.end_on, s.exit_reason \
         FROM {t} s JOIN {hosts} h ON h.id = s.host_id JOIN persons p ON p.id = s.person_id \
         WHERE {}{filter} ORDER BY s.host_id, s.start_on, s.id",
        scope.sql("p")
    );
    let mut out = Vec::new();
    for r in store.conn().query_all(Statement::from_string(b, sql)).await? {
        out.push(SpellRow {
            id: r.try_get("", "id")?,
            host_id: r.try_get("", "host_id")?,
            person_id: r.try_get("", "person_id")?,
            name: r.try_get("", "name")?,
            birth_date: date_of(&r, "birth_date")?.ok_or_else(|| StoreError::Corrupt("persons.birth_date".into()))?,
            sex: r.try_get("", "sex")?,
            flags: r.try_get("", "flags")?,
            status: r.try_get("", "status")?,
            start: date_of(&r, "start_on")?.ok_or_else(|| StoreError::Corrupt(format!("{t}.start_on")))?,
            end: date_of(&r, "end_on")?,
            exit_reason: r.try_get("", "exit_reason")?,
        });
    }
    Ok(out)
}

/// A person's spells at both kinds of host, with the host's name (for the timeline).
pub async fn spells_of_person(store: &Store, person_id: i64) -> Result<Vec<(Host, String, SpellRow)>> {
    let mut out = Vec::new();
    for host in [Host::Workshop, Host::Post] {
        let b = store.conn().get_database_backend();
        let (t, hosts, name) = match host {
            Host::Workshop => (host.table(), "workshops", "h.name"),
            Host::Post => (host.table(), "public_posts", "h.title"),
        };
        let sql = format!(
            "SELECT s.id, s.host_id, s.person_id, {name} AS host_name, p.name, p.birth_date, p.sex, p.flags, p.status, \
               s.start_on, s.end_on, s.exit_reason \
             FROM {t} s JOIN {hosts} h ON h.id = s.host_id JOIN persons p ON p.id = s.person_id \
             WHERE s.person_id = {person_id} ORDER BY s.start_on"
        );
        for r in store.conn().query_all(Statement::from_string(b, sql)).await? {
            let row = SpellRow {
                id: r.try_get("", "id")?,
                host_id: r.try_get("", "host_id")?,
                person_id,
                name: r.try_get("", "name")?,
                birth_date: date_of(&r, "birth_date")?
                    .ok_or_else(|| StoreError::Corrupt("persons.birth_date".into()))?,
                sex: r.try_get("", "sex")?,
                flags: r.try_get("", "flags")?,
                status: r.try_get("", "status")?,
                start: date_of(&r, "start_on")?.ok_or_else(|| StoreError::Corrupt(format!("{t}.start_on")))?,
                end: date_of(&r, "end_on")?,
                exit_reason: r.try_get("", "exit_reason")?,
            };
            out.push((host, r.try_get("", "host_name")?, row));
        }
    }
    Ok(out)
}
