//! `policy_runs`: one 免申即享 run of a policy over a region on a date, with counts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "policy_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub policy_id: String,
    /// The region evaluated (12-digit code).
    pub region: i64,
    pub as_of: Date,
    /// `running`, `done` or `interrupted`.
    pub status: String,
    pub evaluated: i64,
    pub proposed: i64,
    /// Eligible, but the entitlement was already proposed (by an earlier or a parallel run).
    pub already_proposed: i64,
    pub undetermined: i64,
    pub not_eligible: i64,
    pub actor: String,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
