//! `users`: accounts with a role and, for regional roles, a home region; an employer
//! account carries its credit code, a worker account its person.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub region: Option<i64>,
    pub created_at: DateTimeUtc,
    /// 统一社会信用代码 of an employer account.
    pub credit_code: Option<String>,
    /// The person a worker account is.
    pub person_id: Option<i64>,
    pub disabled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
