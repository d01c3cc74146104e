//! `duplicate_reviews`: staff decisions on pairs of persons listed as likely duplicates
//! (same name, birth date and phone with different identity numbers). Nothing is
//! merged automatically.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duplicate_reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_a: i64,
    pub person_b: i64,
    pub decision: i16,
    pub note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
