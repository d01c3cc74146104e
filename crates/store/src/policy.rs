//! The 免申即享 batch's storage (SPEC §5): runs, proposed payouts and the ledger.
//!
//! A payout is unique per (policy, beneficiary, period) in the database
//! (`payouts_entitlement`). Proposals are inserted with `ON CONFLICT DO NOTHING`, one
//! transaction per page of persons, so a run killed half-way leaves whole pages and a
//! repeated run — or two runs at once — proposes each entitlement exactly once.
//! Decisions (approve, reject) are taken inside the caller's scope; an approved payout
//! gets its ledger entry in the same transaction, with one audit entry per decision.

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use jiujin_domain::RegionCode;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use crate::entity::{ledger_entry, payout, person, policy_run};
use crate::{audit, Result, Scope, Store, StoreError};

/// How many persons have their hukou in `region` (a run's length).
pub async fn count_by_hukou(store: &Store, region: RegionCode) -> Result<u64> {
    let (lo, hi) = region.subtree_range();
    Ok(person::Entity::find().filter(person::Column::HukouRegion.between(lo, hi)).count(store.conn()).await?)
}

/// Starts a run (status `running`) and returns its id.
pub async fn start_run(
    store: &Store,
    policy_id: &str,
    region: RegionCode,
    as_of: NaiveDate,
    by: &audit::Context,
) -> Result<i64> {
    let run = policy_run::ActiveModel {
        policy_id: Set(policy_id.to_string()),
        region: Set(region.as_i64()),
        as_of: Set(as_of),
        status: Set("running".into()),
        evaluated: Set(0),
        proposed: Set(0),
        already_proposed: Set(0),
        undetermined: Set(0),
        not_eligible: Set(0),
        actor: Set(by.actor.username.clone()),
        started_at: Set(Utc::now()),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(store.conn())
    .await?;
    Ok(run.id)
}

/// A payout a run proposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayout {
    pub policy_id: String,
    pub beneficiary_kind: String,
    pub beneficiary_key: String,
    pub period: String,
    pub person_id: Option<i64>,
    pub region: RegionCode,
    pub amount_fen: i64,
    pub explanation: String,
}

/// What one page of a run found, added to the run's counts with its proposals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunCounts {
    pub evaluated: u64,
    pub proposed: u64,
    pub already_proposed: u64,
    pub undetermined: u64,
    pub not_eligible: u64,
}

impl RunCounts {
    pub fn add(&mut self, o: RunCounts) {
        self.evaluated += o.evaluated;
        self.proposed += o.proposed;
        self.already_proposed += o.already_proposed;
        self.undetermined += o.undetermined;
        self.not_eligible += o.not_eligible;
    }
}

fn n(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Writes one chunk of several runs (one per policy) in one transaction: each run's
/// proposals (an entitlement already proposed is skipped) and its counts. Returns
/// each page's counts with `proposed` and `already_proposed` filled in.
pub async fn propose_pages(store: &Store, pages: &[(i64, Vec<NewPayout>, RunCounts)]) -> Result<Vec<RunCounts>> {
    let txn = store.conn().begin().await?;
    let now = Utc::now();
    let mut out = Vec::with_capacity(pages.len());
    for (run_id, rows, counts) in pages {
        let (run_id, mut counts) = (*run_id, *counts);
        let mut inserted = 0u64;
        // 15 columns a row: well under SQLite's limit of bound values.
        for chunk in rows.chunks(500) {
            let models = chunk.iter().map(|r| payout::ActiveModel {
                run_id: Set(run_id),
                policy_id: Set(r.policy_id.clone()),
                beneficiary_kind: Set(r.beneficiary_kind.clone()),
                beneficiary_key: Set(r.beneficiary_key.clone()),
                period: Set(r.period.clone()),
                person_id: Set(r.person_id),
                region: Set(r.region.as_i64()),
                amount_fen: Set(r.amount_fen),
                status: Set("proposed".into()),
                explanation: Set(r.explanation.clone()),
                decided_by: Set(None),
                decided_at: Set(None),
                reason: Set(None),
                created_at: Set(now),
                ..Default::default()
            });
            let conflict = OnConflict::columns([
                payout::Column::PolicyId,
                payout::Column::BeneficiaryKind,
                payout::Column::BeneficiaryKey,
                payout::Column::Period,
            ])
            .do_nothing()
            .to_owned();
            inserted += payout::Entity::insert_many(models).on_conflict(conflict).exec_without_returning(&txn).await?;
        }
        counts.proposed = inserted;
        counts.already_proposed = rows.len() as u64 - inserted;
        policy_run::Entity::update_many()
            .col_expr(policy_run::Column::Evaluated, Expr::col(policy_run::Column::Evaluated).add(n(counts.evaluated)))
            .col_expr(policy_run::Column::Proposed, Expr::col(policy_run::Column::Proposed).add(n(counts.proposed)))
            .col_expr(
                policy_run::Column::AlreadyProposed,
                Expr::col(policy_run::Column::AlreadyProposed).add(n(counts.already_proposed)),
            )
            .col_expr(
                policy_run::Column::Undetermined,
                Expr::col(policy_run::Column::Undetermined).add(n(counts.undetermined)),
            )
            .col_expr(
                policy_run::Column::NotEligible,
                Expr::col(policy_run::Column::NotEligible).add(n(counts.not_eligible)),
            )
            .filter(policy_run::Column::Id.eq(run_id))
            .exec(&txn)
            .await?;
        out.push(counts);
    }
    txn.commit().await?;
    Ok(out)
}

/// Ends a run as `done` or `interrupted`, with its one audit entry (the bulk
/// operation's counts; the row-level detail is in its payouts).
pub async fn finish_run(store: &Store, run_id: i64, status: &str, by: &audit::Context) -> Result<policy_run::Model> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let run = policy_run::Entity::find_by_id(run_id)
        .one(&txn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("没有编号为 {run_id} 的评估批次")))?;
    let mut am: policy_run::ActiveModel = run.into();
    am.status = Set(status.to_string());
    am.finished_at = Set(Some(Utc::now()));
    let run = am.update(&txn).await?;
    let detail = serde_json::json!({
        "policy": run.policy_id, "region": RegionCode::from_i64(run.region).map(|r| r.short()), "as_of": run.as_of,
        "status": run.status, "evaluated": run.evaluated, "proposed": run.proposed,
        "already_proposed": run.already_proposed, "undetermined": run.undetermined, "not_eligible": run.not_eligible,
    });
    audit::write(&txn, slot, &by.entry(AuditAction::PolicyRun, "policy_run", Some(run_id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(run)
}

/// Which payouts to list.
#[derive(Debug, Clone, Default)]
pub struct PayoutFilter {
    pub run_id: Option<i64>,
    pub person_id: Option<i64>,
    pub policy_id: Option<String>,
    pub status: Option<String>,
}

impl PayoutFilter {
    /// The run, person and policy conditions (the status is the caller's).
    fn apply(&self, mut q: sea_orm::Select<payout::Entity>) -> sea_orm::Select<payout::Entity> {
        if let Some(r) = self.run_id {
            q = q.filter(payout::Column::RunId.eq(r));
        }
        if let Some(p) = self.person_id {
            q = q.filter(payout::Column::PersonId.eq(p));
        }
        if let Some(p) = &self.policy_id {
            q = q.filter(payout::Column::PolicyId.eq(p.clone()));
        }
        q
    }
}

/// Payouts inside `scope`, newest first, a page at a time, with the count and sum of
/// all that match.
pub async fn payouts(
    store: &Store,
    scope: Scope,
    f: &PayoutFilter,
    page: u64,
    per_page: u64,
) -> Result<(Vec<payout::Model>, u64, i64)> {
    let mut q = f.apply(payout::Entity::find().filter(scope.payouts()));
    if let Some(s) = &f.status {
        q = q.filter(payout::Column::Status.eq(s.clone()));
    }
    let total = q.clone().count(store.conn()).await?;
    // PostgreSQL sums a BIGINT as NUMERIC: cast back (a city's budget fits in fen).
    let sum: Option<i64> = q
        .clone()
        .select_only()
        .column_as(Expr::cust("CAST(COALESCE(SUM(payouts.amount_fen), 0) AS BIGINT)"), "s")
        .into_tuple::<i64>()
        .one(store.conn())
        .await?;
    let rows = q
        .order_by_desc(payout::Column::Id)
        .offset(page.saturating_mul(per_page))
        .limit(per_page)
        .all(store.conn())
        .await?;
    Ok((rows, total, sum.unwrap_or(0)))
}

/// A decision on proposed payouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// Approves or rejects the proposed payouts `ids` that lie inside `scope` (others,
/// and those already decided, are left alone and not counted). Approved ones get
/// their ledger entry; one audit entry records the decision, the reason and the ids.
/// Returns how many were decided.
pub async fn decide(
    store: &Store,
    scope: Scope,
    ids: &[i64],
    decision: Decision,
    reason: &str,
    by: &audit::Context,
) -> Result<u64> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let found = payout::Entity::find()
        .filter(scope.payouts())
        .filter(payout::Column::Id.is_in(ids.iter().copied()))
        .filter(payout::Column::Status.eq("proposed"))
        .all(&txn)
        .await?;
    if found.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let actor = by.actor.username.clone();
    let status = match decision {
        Decision::Approve => "approved",
        Decision::Reject => "rejected",
    };
    let chosen: Vec<i64> = found.iter().map(|p| p.id).collect();
    payout::Entity::update_many()
        .col_expr(payout::Column::Status, Expr::value(status))
        .col_expr(payout::Column::DecidedBy, Expr::value(actor.clone()))
        .col_expr(payout::Column::DecidedAt, Expr::value(now))
        .col_expr(payout::Column::Reason, Expr::value(reason.to_string()))
        .filter(payout::Column::Id.is_in(chosen.iter().copied()))
        .filter(payout::Column::Status.eq("proposed"))
        .exec(&txn)
        .await?;
    let mut amount = 0i64;
    if decision == Decision::Approve {
        for p in &found {
            amount = amount.saturating_add(p.amount_fen);
            ledger_entry::ActiveModel {
                payout_id: Set(p.id),
                amount_fen: Set(p.amount_fen),
                actor: Set(actor.clone()),
                entered_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    // Each person hears about their own payout (worker accounts bound to them).
    for p in &found {
        let Some(person) = p.person_id else { continue };
        let users = crate::notices::accounts_of_person(&txn, person).await?;
        let yuan = jiujin_domain::Fen(p.amount_fen).to_yuan_compact();
        let (title, body) = match decision {
            Decision::Approve => ("政策资金已批准发放", format!("您的一笔政策资金 {yuan} 元已批准，将按规定发放。")),
            Decision::Reject => ("政策资金未获批准", format!("您的一笔拟发放政策资金 {yuan} 元未获批准：{reason}")),
        };
        crate::notices::notify(&txn, &users, "payout", title, &body, None).await?;
    }
    let detail = serde_json::json!({
        "decision": status, "reason": reason, "count": chosen.len(), "amount_fen": amount, "payouts": chosen,
    });
    audit::write(&txn, slot, &by.entry(AuditAction::PayoutDecide, "payout", None, detail)).await?;
    txn.commit().await?;
    Ok(chosen.len() as u64)
}

/// The ledger's entries (approved payouts) inside `scope`, oldest first.
pub async fn ledger(store: &Store, scope: Scope) -> Result<Vec<(ledger_entry::Model, payout::Model)>> {
    // One join, scoped on the payout's region (no list of ids, which would outgrow
    // SQLite's limit of bound values at city size).
    let rows = ledger_entry::Entity::find()
        .find_also_related(payout::Entity)
        .filter(scope.payouts())
        .order_by_asc(ledger_entry::Column::Id)
        .all(store.conn())
        .await?;
    Ok(rows.into_iter().filter_map(|(e, p)| p.map(|p| (e, p))).collect())
}

/// The ids of the proposed payouts inside `scope` that match `f` (whatever its
/// status, only proposed ones), with an id in `(after, through]`, ascending, at most
/// `limit`: the pages of a decision on all that match.
pub async fn proposed_ids(
    store: &Store,
    scope: Scope,
    f: &PayoutFilter,
    after: i64,
    through: i64,
    limit: u64,
) -> Result<Vec<i64>> {
    let mut q = payout::Entity::find()
        .select_only()
        .column(payout::Column::Id)
        .filter(scope.payouts())
        .filter(payout::Column::Status.eq("proposed"))
        .filter(payout::Column::Id.gt(after))
        .filter(payout::Column::Id.lte(through));
    q = f.apply(q);
    Ok(q.order_by_asc(payout::Column::Id).limit(limit).into_tuple::<i64>().all(store.conn()).await?)
}

/// Approves or rejects every proposed payout inside `scope` that matches `f`, up to
/// the id `through` (the newest one the caller was shown, so that a run finishing
/// meanwhile adds nothing unseen), by pages of 500 through `decide`: each page is
/// one transaction with its ledger entries, notices and audit entry, as a decision
/// on ticked payouts. Returns how many were decided.
pub async fn decide_matching(
    store: &Store,
    scope: Scope,
    f: &PayoutFilter,
    through: i64,
    decision: Decision,
    reason: &str,
    by: &audit::Context,
) -> Result<u64> {
    let mut after = 0i64;
    let mut decided = 0u64;
    loop {
        let ids = proposed_ids(store, scope, f, after, through, 500).await?;
        let Some(&last) = ids.last() else { break };
        after = last;
        decided += decide(store, scope, &ids, decision, reason, by).await?;
    }
    Ok(decided)
}
