//! `ledger_entries`: approved payouts, one per payout.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub payout_id: i64,
    pub amount_fen: i64,
    pub actor: String,
    pub entered_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::payout::Entity", from = "Column::PayoutId", to = "super::payout::Column::Id")]
    Payout,
}

impl Related<super::payout::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Payout.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
