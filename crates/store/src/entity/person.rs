//! `persons`: the current state of each registered person, a projection of their
//! events kept in the same transaction. Identity number and phone are stored only
//! as AEAD ciphertext plus a keyed hash.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persons")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub id_hmac: Vec<u8>,
    pub id_cipher: Vec<u8>,
    pub phone_hmac: Option<Vec<u8>>,
    pub phone_cipher: Option<Vec<u8>>,
    pub name: String,
    pub birth_date: Date,
    pub sex: i16,
    pub hukou_region: i64,
    pub residence_region: Option<i64>,
    pub household_no: Option<String>,
    pub status: i16,
    pub status_since: Date,
    pub work_region: Option<i64>,
    pub work_province: Option<i16>,
    pub industry: Option<String>,
    pub occupation: Option<String>,
    pub occupation_name: Option<String>,
    pub skill_level: Option<i16>,
    pub expected_wage_fen: Option<i64>,
    pub flags: i32,
    pub insurance: i32,
    pub needs: i32,
    pub unemployed_since: Option<Date>,
    pub row_digest: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// `JobKind::code` of the kind of work wanted (m0013).
    pub wanted_kind: Option<i16>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::person_event::Entity")]
    Events,
}

impl Related<super::person_event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Events.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
