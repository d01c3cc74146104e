//! `job_pushes`: the outbox of 精准推送 (SPEC §4), one row per (person, job) ever, with
//! its delivery state and the worker's outcome.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_pushes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub job_id: i64,
    pub push_date: Date,
    pub score: i32,
    /// The match's factors as JSON (what the worker is told).
    #[sea_orm(column_type = "Text")]
    pub explanation: String,
    /// 1 in-app inbox, 2 SMS, 3 WeChat.
    pub channel: i16,
    /// 1 waiting, 2 sent, 3 failed.
    pub state: i16,
    pub sent_at: Option<DateTimeUtc>,
    /// 1 viewed, 2 applied, 3 hired, 4 declined.
    pub outcome: Option<i16>,
    pub outcome_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
