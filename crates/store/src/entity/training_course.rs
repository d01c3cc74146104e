//! `training_courses`: A course of a provider: occupation, kind (`training::CourseKind::code`), district, dates, places and subsidy per trainee.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_courses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider_id: i64,
    pub title: String,
    pub occupation: Option<String>,
    pub kind: i16,
    pub region: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub capacity: i32,
    pub subsidy_fen: i64,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
