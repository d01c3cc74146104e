//! `regions`: Chongqing's divisions and the provinces, loaded from the embedded
//! reference data so that SQL reports can join names.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: i64,
    pub name: String,
    pub level: i16,
    pub parent: Option<i64>,
    pub district: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
