//! `training_enrolments`: A person enrolled in a course, with completion and certificate (`training::EnrolmentState::code`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_enrolments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub course_id: i64,
    pub person_id: i64,
    pub enrolled_on: Date,
    pub state: i16,
    pub completed_on: Option<Date>,
    pub cert_level: Option<i16>,
    pub cert_no: Option<String>,
    pub recorded_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
