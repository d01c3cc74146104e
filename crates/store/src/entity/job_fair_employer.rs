//! `job_fair_employers`: the employers taking part in a 招聘会.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_fair_employers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub fair_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub employer_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
