//! 就业困难人员 (SPEC §6, migration m0018): a recognition is written with the person's
//! group flag 就业困难人员 (its FlagsChanged event) and its audit entry in one
//! transaction; revoking the last active one clears the flag the same way. Help
//! records are written with their audit entry. Everything inside the caller's scope.

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use jiujin_domain::registry::{EventSource, GroupFlag};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, Statement, TransactionTrait};

use crate::entity::{assistance_record, difficulty_recognition, person};
use crate::registry::state_from_model;
use crate::services::date_of;
use crate::{audit, Result, Scope, Store, StoreError};

/// Records a recognition of person `person_id` (inside `scope`) and sets the group
/// flag 就业困难人员 on their record (an event dated `on`), with the audit entry, in one
/// transaction. `check` is given the stored person and returns the reasons it may not
/// be made; nothing is written then.
#[allow(clippy::too_many_arguments)]
pub async fn recognize(
    store: &Store,
    scope: Scope,
    person_id: i64,
    category: i16,
    on: NaiveDate,
    evidence: &str,
    check: impl FnOnce(&jiujin_domain::registry::PersonState) -> Vec<String>,
    by: &audit::Context,
) -> Result<std::result::Result<i64, Vec<String>>> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(model) = person::Entity::find_by_id(person_id).filter(scope.persons()).one(&txn).await? else {
        return Err(StoreError::NotFound(format!("人员 {person_id} 不存在或不在管辖范围内")));
    };
    let state = state_from_model(&model)?;
    let problems = check(&state);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let active = difficulty_recognition::Entity::find()
        .filter(difficulty_recognition::Column::PersonId.eq(person_id))
        .filter(difficulty_recognition::Column::Category.eq(category))
        .filter(difficulty_recognition::Column::RevokedOn.is_null())
        .one(&txn)
        .await?;
    if active.is_some() {
        return Ok(Err(vec!["该人员已按此类别认定，无须重复认定".into()]));
    }
    let m = difficulty_recognition::ActiveModel {
        person_id: Set(person_id),
        category: Set(category),
        recognized_on: Set(on),
        evidence: Set(evidence.trim().to_string()),
        revoked_on: Set(None),
        revoke_reason: Set(None),
        recorded_by: Set(by.actor.username.clone()),
        recorded_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = difficulty_recognition::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let mut next = state.clone();
    next.flags.insert(GroupFlag::EmploymentDifficulty);
    let events = crate::registry::queries::change_in(
        &txn,
        model,
        &next,
        on,
        EventSource::Staff,
        Some(by.actor.username.as_str()),
    )
    .await?;
    let detail = serde_json::json!({ "recognition": id, "category": category, "date": on, "flag_events": events });
    audit::write(
        &txn,
        slot,
        &by.entry(AuditAction::DifficultyRecognition, "persons", Some(person_id.to_string()), detail),
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(id))
}

/// Revokes a recognition (of a person inside `scope`) on `on` with a reason; when no
/// other recognition of the person stays active, the flag 就业困难人员 is cleared (an
/// event). `false` when it was revoked already.
pub async fn revoke(
    store: &Store,
    scope: Scope,
    recognition_id: i64,
    on: NaiveDate,
    reason: &str,
    by: &audit::Context,
) -> Result<bool> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(r) = difficulty_recognition::Entity::find_by_id(recognition_id).one(&txn).await? else {
        return Err(StoreError::NotFound(format!("认定记录 {recognition_id} 不存在")));
    };
    let Some(model) = person::Entity::find_by_id(r.person_id).filter(scope.persons()).one(&txn).await? else {
        return Err(StoreError::NotFound(format!("认定记录 {recognition_id} 不存在或不在管辖范围内")));
    };
    if r.revoked_on.is_some() {
        return Ok(false);
    }
    let am = difficulty_recognition::ActiveModel {
        id: Set(recognition_id),
        revoked_on: Set(Some(on)),
        revoke_reason: Set(Some(reason.trim().to_string())),
        ..Default::default()
    };
    difficulty_recognition::Entity::update(am).exec(&txn).await?;
    let others = difficulty_recognition::Entity::find()
        .filter(difficulty_recognition::Column::PersonId.eq(r.person_id))
        .filter(difficulty_recognition::Column::RevokedOn.is_null())
        .one(&txn)
        .await?;
    let mut events = 0;
    if others.is_none() {
        let state = state_from_model(&model)?;
        let mut next = state.clone();
        next.flags = jiujin_domain::registry::GroupFlags::from_bits(
            state.flags.bits()
                & !jiujin_domain::registry::GroupFlags::empty().with(GroupFlag::EmploymentDifficulty).bits(),
        );
        events = crate::registry::queries::change_in(
            &txn,
            model,
            &next,
            on,
            EventSource::Staff,
            Some(by.actor.username.as_str()),
        )
        .await?;
    }
    let detail =
        serde_json::json!({ "recognition": recognition_id, "revoked_on": on, "reason": reason, "flag_events": events });
    audit::write(
        &txn,
        slot,
        &by.entry(AuditAction::DifficultyRecognition, "persons", Some(r.person_id.to_string()), detail),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

pub async fn recognitions_of(store: &Store, person_id: i64) -> Result<Vec<difficulty_recognition::Model>> {
    Ok(difficulty_recognition::Entity::find()
        .filter(difficulty_recognition::Column::PersonId.eq(person_id))
        .order_by_desc(difficulty_recognition::Column::RecognizedOn)
        .order_by_desc(difficulty_recognition::Column::Id)
        .all(store.conn())
        .await?)
}

/// Records help given to a person inside `scope`, with its audit entry.
pub async fn add_help(
    store: &Store,
    scope: Scope,
    person_id: i64,
    date: NaiveDate,
    kind: i16,
    note: &str,
    by: &audit::Context,
) -> Result<i64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    if person::Entity::find_by_id(person_id).filter(scope.persons()).one(&txn).await?.is_none() {
        return Err(StoreError::NotFound(format!("人员 {person_id} 不存在或不在管辖范围内")));
    }
    let m = assistance_record::ActiveModel {
        person_id: Set(person_id),
        help_date: Set(date),
        kind: Set(kind),
        note: Set(note.trim().to_string()),
        recorded_by: Set(by.actor.username.clone()),
        recorded_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = assistance_record::Entity::insert(m).exec(&txn).await?.last_insert_id;
    let detail = serde_json::json!({ "help": id, "date": date, "kind": kind });
    audit::write(
        &txn,
        slot,
        &by.entry(AuditAction::DifficultyRecognition, "persons", Some(person_id.to_string()), detail),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

pub async fn help_of(store: &Store, person_id: i64) -> Result<Vec<assistance_record::Model>> {
    Ok(assistance_record::Entity::find()
        .filter(assistance_record::Column::PersonId.eq(person_id))
        .order_by_desc(assistance_record::Column::HelpDate)
        .order_by_desc(assistance_record::Column::Id)
        .all(store.conn())
        .await?)
}

/// A recognised person (an active recognition) inside a scope, with their categories
/// and the last help recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecognizedRow {
    pub person_id: i64,
    pub name: String,
    pub hukou_region: i64,
    pub residence_region: Option<i64>,
    pub status: i16,
    pub category: i16,
    pub recognized_on: NaiveDate,
    pub last_help: Option<NaiveDate>,
}

/// Active recognitions of persons inside `scope`, one row per recognition, by person.
pub async fn recognized(store: &Store, scope: Scope) -> Result<Vec<RecognizedRow>> {
    let b = store.conn().get_database_backend();
    let sql = format!(
        "SELECT p.id, p.name, p.hukou_region, p.residence_region, p.status, r.category, r.recognized_on, \
           (SELECT MAX(a.help_date) FROM assistance_records a WHERE a.person_id = p.id) AS last_help \
         FROM difficulty_recognitions r JOIN persons p ON p.id = r.person_id \
         WHERE r.revoked_on IS NULL AND {} ORDER BY p.id, r.category",
        scope.sql("p")
    );
    let mut out = Vec::new();
    for r in store.conn().query_all(Statement::from_string(b, sql)).await? {
        out.push(RecognizedRow {
            person_id: r.try_get("", "id")?,
            name: r.try_get("", "name")?,
            hukou_region: r.try_get("", "hukou_region")?,
            residence_region: r.try_get("", "residence_region")?,
            status: r.try_get("", "status")?,
            category: r.try_get("", "category")?,
            recognized_on: date_of(&r, "recognized_on")?
                .ok_or_else(|| StoreError::Corrupt("difficulty_recognitions.recognized_on".into()))?,
            last_help: date_of(&r, "last_help")?,
        });
    }
    Ok(out)
}
