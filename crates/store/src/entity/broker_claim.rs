//! `broker_claims`: A service-subsidy claim for one placement (`brokers::ClaimStatus::code`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "broker_claims")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub placement_id: i64,
    pub broker_id: i64,
    pub person_id: i64,
    pub claimed_on: Date,
    pub basis: String,
    pub stable_from: Date,
    pub status: i16,
    pub amount_fen: Option<i64>,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
