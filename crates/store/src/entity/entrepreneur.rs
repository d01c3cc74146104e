//! `entrepreneurs`: A 返乡创业 entrepreneur: a registered person, when they came back, and their business.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "entrepreneurs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub returned_on: Option<Date>,
    pub business_name: String,
    pub credit_code: Option<String>,
    pub industry: Option<String>,
    pub region: i64,
    pub started_on: Date,
    pub employees: i32,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
