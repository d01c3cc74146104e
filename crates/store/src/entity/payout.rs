//! `payouts`: a proposed payout of an entitlement, unique per (policy, beneficiary,
//! period), decided by staff.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payouts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub run_id: i64,
    pub policy_id: String,
    /// `person`, `household`, `employer` … (the policy's `payout.per`).
    pub beneficiary_kind: String,
    /// The person's id, or the household's `<hukou village>/<household number>`.
    pub beneficiary_key: String,
    /// `once`, a year (`2025`) or a month (`2025-06`).
    pub period: String,
    pub person_id: Option<i64>,
    /// The person's hukou region (12 digits), for region-scoped decisions.
    pub region: i64,
    pub amount_fen: i64,
    /// `proposed`, `approved` or `rejected`.
    pub status: String,
    /// The evaluation (conditions, reasons, parameters) as JSON.
    pub explanation: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
