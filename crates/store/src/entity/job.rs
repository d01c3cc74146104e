//! `jobs`: job postings (SPEC §3). Codes are those of `domain::jobs`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub employer_id: i64,
    /// The posting's number at its employer (the key of re-imports).
    pub reference: String,
    pub title: String,
    /// Canonical occupation name when the reference data knows it, else the text.
    pub occupation: Option<String>,
    pub industry: String,
    /// Work place: town or village code (12 digits).
    pub place: i64,
    pub district: i64,
    pub headcount: i32,
    pub hired: i32,
    pub wage_form: i16,
    pub wage_min_fen: i64,
    pub wage_max_fen: i64,
    pub kind: i16,
    pub age_min: i16,
    pub age_max: i16,
    pub age_reason: Option<String>,
    pub sex: Option<String>,
    pub skill_min: Option<i16>,
    pub certificate: Option<String>,
    /// `domain::jobs::validate::Board` code (1 meals, 2 lodging).
    pub board: i16,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub valid_from: Date,
    pub valid_to: Date,
    pub source: i16,
    pub status: i16,
    /// Why the posting is held, or why review rejected it.
    pub review_note: Option<String>,
    pub row_digest: Vec<u8>,
    pub created_by: String,
    /// The 零工市场 station of a day-work posting (migration m0012).
    pub station_id: Option<i64>,
    /// The 招聘会 the posting was offered at (migration m0012).
    pub fair_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::employer::Entity", from = "Column::EmployerId", to = "super::employer::Column::Id")]
    Employer,
}

impl Related<super::employer::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Employer.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
