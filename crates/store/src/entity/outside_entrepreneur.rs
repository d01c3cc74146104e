//! `outside_entrepreneurs`: A Chongqing entrepreneur working outside the city (在外创业成功人士信息库).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outside_entrepreneurs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub home_region: i64,
    pub province: i16,
    pub city: String,
    pub enterprise: String,
    pub industry: Option<String>,
    pub employees: i32,
    pub willing_to_return: bool,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
