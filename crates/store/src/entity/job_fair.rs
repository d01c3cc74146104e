//! `job_fairs`: 招聘会 ("春风行动" …).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_fairs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub held_on: Date,
    pub region: i64,
    pub district: i64,
    pub venue: String,
    pub online: bool,
    pub organizer: String,
    pub attendance: i32,
    pub hires: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
