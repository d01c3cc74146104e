//! `employers`: 用人单位 by 统一社会信用代码 (SPEC §3).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    /// `domain::jobs::EmployerType` code.
    pub employer_type: i16,
    /// GB/T 4754 code.
    pub industry: String,
    /// Region code (12 digits, district or finer).
    pub region: i64,
    pub district: i64,
    /// `domain::jobs::EmployerSize` code.
    pub size: Option<i16>,
    /// `domain::jobs::CreditStatus` code.
    pub credit_status: i16,
    /// Digest of the record as imported: an unchanged row is not rewritten.
    pub row_digest: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::job::Entity")]
    Job,
}

impl Related<super::job::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Job.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
