//! `startup_loans`: A loan to an entrepreneur (guaranteed: 创业担保贷款).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "startup_loans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub entrepreneur_id: i64,
    pub lender: String,
    pub amount_fen: i64,
    pub granted_on: Date,
    pub term_months: i32,
    pub guaranteed: bool,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
