//! `difficulty_recognitions`: A recognition of a person as 就业困难人员 (`services::recognition::Category::code`), revoked or not.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "difficulty_recognitions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub category: i16,
    pub recognized_on: Date,
    pub evidence: String,
    pub revoked_on: Option<Date>,
    pub revoke_reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
