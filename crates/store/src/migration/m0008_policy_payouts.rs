//! The 免申即享 batch (SPEC §5):
//! - `policy_runs`: one row per run of a policy over a region on a date, with counts;
//! - `payouts`: proposed payouts, one per (policy, beneficiary, period) — the unique
//!   key that makes paying the same entitlement twice impossible, also when a run is
//!   repeated after a kill or two runs overlap — decided by staff (approved/rejected);
//! - `ledger_entries`: the approved payouts, one per payout (unique), in the order
//!   they were approved.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_policy_payouts"
    }
}

#[derive(DeriveIden)]
enum PolicyRuns {
    Table,
    Id,
    PolicyId,
    Region,
    AsOf,
    Status,
    Evaluated,
    Proposed,
    AlreadyProposed,
    Undetermined,
    NotEligible,
    Actor,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Payouts {
    Table,
    Id,
    RunId,
    PolicyId,
    BeneficiaryKind,
    BeneficiaryKey,
    Period,
    PersonId,
    Region,
    AmountFen,
    Status,
    Explanation,
    DecidedBy,
    DecidedAt,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LedgerEntries {
    Table,
    Id,
    PayoutId,
    AmountFen,
    Actor,
    EnteredAt,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PolicyRuns::Table)
                .col(ColumnDef::new(PolicyRuns::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(PolicyRuns::PolicyId).string().not_null())
                .col(ColumnDef::new(PolicyRuns::Region).big_integer().not_null())
                .col(ColumnDef::new(PolicyRuns::AsOf).date().not_null())
                .col(ColumnDef::new(PolicyRuns::Status).string().not_null())
                .col(ColumnDef::new(PolicyRuns::Evaluated).big_integer().not_null())
                .col(ColumnDef::new(PolicyRuns::Proposed).big_integer().not_null())
                .col(ColumnDef::new(PolicyRuns::AlreadyProposed).big_integer().not_null())
                .col(ColumnDef::new(PolicyRuns::Undetermined).big_integer().not_null())
                .col(ColumnDef::new(PolicyRuns::NotEligible).big_integer().not_null())
                .col(ColumnDef::new(PolicyRuns::Actor).string().not_null())
                .col(ColumnDef::new(PolicyRuns::StartedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(PolicyRuns::FinishedAt).timestamp_with_time_zone())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Payouts::Table)
                .col(ColumnDef::new(Payouts::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Payouts::RunId).big_integer().not_null())
                .col(ColumnDef::new(Payouts::PolicyId).string().not_null())
                .col(ColumnDef::new(Payouts::BeneficiaryKind).string().not_null())
                .col(ColumnDef::new(Payouts::BeneficiaryKey).string().not_null())
                .col(ColumnDef::new(Payouts::Period).string().not_null())
                .col(ColumnDef::new(Payouts::PersonId).big_integer())
                .col(ColumnDef::new(Payouts::Region).big_integer().not_null())
                .col(ColumnDef::new(Payouts::AmountFen).big_integer().not_null())
                .col(ColumnDef::new(Payouts::Status).string().not_null())
                .col(ColumnDef::new(Payouts::Explanation).text().not_null())
                .col(ColumnDef::new(Payouts::DecidedBy).string())
                .col(ColumnDef::new(Payouts::DecidedAt).timestamp_with_time_zone())
                .col(ColumnDef::new(Payouts::Reason).string())
                .col(ColumnDef::new(Payouts::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("payouts_run")
                        .from(Payouts::Table, Payouts::RunId)
                        .to(PolicyRuns::Table, PolicyRuns::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("payouts_person")
                        .from(Payouts::Table, Payouts::PersonId)
                        .to(Persons::Table, Persons::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("payouts_entitlement")
                .table(Payouts::Table)
                .col(Payouts::PolicyId)
                .col(Payouts::BeneficiaryKind)
                .col(Payouts::BeneficiaryKey)
                .col(Payouts::Period)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("payouts_run_status")
                .table(Payouts::Table)
                .col(Payouts::RunId)
                .col(Payouts::Status)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(LedgerEntries::Table)
                .col(ColumnDef::new(LedgerEntries::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(LedgerEntries::PayoutId).big_integer().not_null().unique_key())
                .col(ColumnDef::new(LedgerEntries::AmountFen).big_integer().not_null())
                .col(ColumnDef::new(LedgerEntries::Actor).string().not_null())
                .col(ColumnDef::new(LedgerEntries::EnteredAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("ledger_entries_payout")
                        .from(LedgerEntries::Table, LedgerEntries::PayoutId)
                        .to(Payouts::Table, Payouts::Id),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
