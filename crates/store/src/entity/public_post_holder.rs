//! `public_post_holders`: A spell of a person on a 公益性岗位, with the exit reason (`support::ExitReason::code`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "public_post_holders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub host_id: i64,
    pub person_id: i64,
    pub start_on: Date,
    pub end_on: Option<Date>,
    pub exit_reason: Option<i16>,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
