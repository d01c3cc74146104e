//! `service_contacts`: one follow-up contact with a person (SPEC §6), what was offered
//! in it and what came of it (codes of `domain::services`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub contact_date: Date,
    /// `services::Channel::code`.
    pub channel: i16,
    /// `services::Offered` bits.
    pub offered: i32,
    /// `services::Outcome::code`.
    pub outcome: i16,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
