//! `person_events`: the append-only timeline of a person (登记, status, insurance,
//! flag and detail changes), each with its date and source.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub event_date: Date,
    pub kind: i16,
    pub source: i16,
    pub status: Option<i16>,
    pub work_region: Option<i64>,
    pub work_province: Option<i16>,
    pub industry: Option<String>,
    pub insurance: Option<i32>,
    pub flags: Option<i32>,
    pub changes: Option<String>,
    pub import_run_id: Option<i64>,
    pub actor: Option<String>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::person::Entity", from = "Column::PersonId", to = "super::person::Column::Id")]
    Person,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
