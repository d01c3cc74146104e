//! Dated, sourced policy facts about persons from other systems (`person_facts`,
//! migration m0010): what the registry does not hold, such as social-insurance
//! months, a business licence or a loan. The value of a fact on a date is the latest
//! row on or before it. A file of facts is written in one transaction with its audit
//! entry, so it is whole or not at all; re-recording a value changes nothing.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait};

use crate::entity::{person, person_fact};
use crate::{audit, Result, Scope, Store};

/// One value to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFact {
    pub person_id: i64,
    pub fact: String,
    pub value: String,
    pub valid_from: NaiveDate,
    pub source: String,
}

/// The ids of the persons inside `scope` with these identity-number HMACs.
pub async fn person_ids_by_hmac(store: &Store, scope: Scope, hmacs: &[Vec<u8>]) -> Result<HashMap<Vec<u8>, i64>> {
    let mut out = HashMap::with_capacity(hmacs.len());
    // 500 keys a statement: under SQLite's limit of bound values.
    for chunk in hmacs.chunks(500) {
        let rows: Vec<(i64, Vec<u8>)> = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .column(person::Column::IdHmac)
            .filter(scope.persons())
            .filter(person::Column::IdHmac.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(store.conn())
            .await?;
        out.extend(rows.into_iter().map(|(id, h)| (h, id)));
    }
    Ok(out)
}

/// Records `rows` and the audit entry `detail` (the file, its counts) in one
/// transaction. A value already recorded for the same person, fact and start date is
/// replaced when it differs, and left alone when it is the same. Returns how many
/// rows were written (new or changed).
pub async fn record(store: &Store, rows: &[NewFact], by: &audit::Context, detail: serde_json::Value) -> Result<u64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let now = Utc::now();
    let actor = by.actor.username.clone();
    let mut written = 0u64;
    // 8 values a row.
    for chunk in rows.chunks(1000) {
        let models = chunk.iter().map(|r| person_fact::ActiveModel {
            person_id: Set(r.person_id),
            fact: Set(r.fact.clone()),
            value: Set(r.value.clone()),
            valid_from: Set(r.valid_from),
            source: Set(r.source.clone()),
            recorded_by: Set(actor.clone()),
            recorded_at: Set(now),
            ..Default::default()
        });
        let conflict = OnConflict::columns([
            person_fact::Column::PersonId,
            person_fact::Column::Fact,
            person_fact::Column::ValidFrom,
        ])
        .update_columns([
            person_fact::Column::Value,
            person_fact::Column::Source,
            person_fact::Column::RecordedBy,
            person_fact::Column::RecordedAt,
        ])
        .action_and_where(
            Expr::col((person_fact::Entity, person_fact::Column::Value))
                .ne(Expr::cust("excluded.value"))
                .or(Expr::col((person_fact::Entity, person_fact::Column::Source)).ne(Expr::cust("excluded.source"))),
        )
        .to_owned();
        written += person_fact::Entity::insert_many(models).on_conflict(conflict).exec_without_returning(&txn).await?;
    }
    let mut detail = detail;
    if let Some(o) = detail.as_object_mut() {
        o.insert("rows".into(), rows.len().into());
        o.insert("written".into(), written.into());
    }
    audit::write(&txn, slot, &by.entry(AuditAction::ImportRun, "person_facts", None, detail)).await?;
    txn.commit().await?;
    Ok(written)
}

/// The facts of one person inside `scope` in force on `date` (the latest value of
/// each fact on or before it), by fact.
pub async fn in_force(store: &Store, scope: Scope, person_id: i64, date: NaiveDate) -> Result<Vec<person_fact::Model>> {
    let in_scope = Query::select()
        .column(person::Column::Id)
        .from(person::Entity)
        .cond_where(scope.persons())
        .and_where(person::Column::Id.eq(person_id))
        .to_owned();
    let rows = person_fact::Entity::find()
        .filter(person_fact::Column::PersonId.in_subquery(in_scope))
        .filter(person_fact::Column::ValidFrom.lte(date))
        .order_by_asc(person_fact::Column::Fact)
        .order_by_asc(person_fact::Column::ValidFrom)
        .all(store.conn())
        .await?;
    let mut out: Vec<person_fact::Model> = Vec::with_capacity(rows.len());
    for r in rows {
        match out.last_mut() {
            Some(last) if last.fact == r.fact => *last = r,
            _ => out.push(r),
        }
    }
    Ok(out)
}
