//! 劳务经纪人 (SPEC §6, seed 003 ch2.1): the broker registry (bound to an account by
//! username), the hires each broker is credited with (one broker per person and hire
//! date), the service-subsidy claims (one per placement, so a placement is never paid
//! twice) and the integrity record.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0016_brokers"
    }
}

#[derive(DeriveIden)]
enum Brokers {
    Table,
    Id,
    Name,
    Kind,
    CreditCode,
    Region,
    Username,
    Active,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BrokerPlacements {
    Table,
    Id,
    BrokerId,
    PersonId,
    HiredOn,
    EmployerName,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum BrokerClaims {
    Table,
    Id,
    PlacementId,
    BrokerId,
    PersonId,
    ClaimedOn,
    Basis,
    StableFrom,
    Status,
    AmountFen,
    Reason,
    DecidedBy,
    DecidedAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BrokerIntegrity {
    Table,
    Id,
    BrokerId,
    RecordDate,
    Kind,
    Note,
    RecordedBy,
    RecordedAt,
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
                .table(Brokers::Table)
                .col(ColumnDef::new(Brokers::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Brokers::Name).string().not_null())
                .col(ColumnDef::new(Brokers::Kind).small_integer().not_null())
                .col(ColumnDef::new(Brokers::CreditCode).string())
                .col(ColumnDef::new(Brokers::Region).big_integer().not_null())
                .col(ColumnDef::new(Brokers::Username).string().unique_key())
                .col(ColumnDef::new(Brokers::Active).boolean().not_null())
                .col(ColumnDef::new(Brokers::CreatedBy).string().not_null())
                .col(ColumnDef::new(Brokers::CreatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BrokerPlacements::Table)
                .col(ColumnDef::new(BrokerPlacements::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(BrokerPlacements::BrokerId).big_integer().not_null())
                .col(ColumnDef::new(BrokerPlacements::PersonId).big_integer().not_null())
                .col(ColumnDef::new(BrokerPlacements::HiredOn).date().not_null())
                .col(ColumnDef::new(BrokerPlacements::EmployerName).string().not_null())
                .col(ColumnDef::new(BrokerPlacements::RecordedBy).string().not_null())
                .col(ColumnDef::new(BrokerPlacements::RecordedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("broker_placements_broker")
                        .from(BrokerPlacements::Table, BrokerPlacements::BrokerId)
                        .to(Brokers::Table, Brokers::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("broker_placements_person")
                        .from(BrokerPlacements::Table, BrokerPlacements::PersonId)
                        .to(Persons::Table, Persons::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("broker_placements_person_hire")
                .table(BrokerPlacements::Table)
                .col(BrokerPlacements::PersonId)
                .col(BrokerPlacements::HiredOn)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("broker_placements_broker_idx")
                .table(BrokerPlacements::Table)
                .col(BrokerPlacements::BrokerId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BrokerClaims::Table)
                .col(ColumnDef::new(BrokerClaims::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(BrokerClaims::PlacementId).big_integer().not_null().unique_key())
                .col(ColumnDef::new(BrokerClaims::BrokerId).big_integer().not_null())
                .col(ColumnDef::new(BrokerClaims::PersonId).big_integer().not_null())
                .col(ColumnDef::new(BrokerClaims::ClaimedOn).date().not_null())
                .col(ColumnDef::new(BrokerClaims::Basis).string().not_null())
                .col(ColumnDef::new(BrokerClaims::StableFrom).date().not_null())
                .col(ColumnDef::new(BrokerClaims::Status).small_integer().not_null())
                .col(ColumnDef::new(BrokerClaims::AmountFen).big_integer())
                .col(ColumnDef::new(BrokerClaims::Reason).string())
                .col(ColumnDef::new(BrokerClaims::DecidedBy).string())
                .col(ColumnDef::new(BrokerClaims::DecidedAt).timestamp_with_time_zone())
                .col(ColumnDef::new(BrokerClaims::CreatedBy).string().not_null())
                .col(ColumnDef::new(BrokerClaims::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("broker_claims_placement")
                        .from(BrokerClaims::Table, BrokerClaims::PlacementId)
                        .to(BrokerPlacements::Table, BrokerPlacements::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BrokerIntegrity::Table)
                .col(ColumnDef::new(BrokerIntegrity::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(BrokerIntegrity::BrokerId).big_integer().not_null())
                .col(ColumnDef::new(BrokerIntegrity::RecordDate).date().not_null())
                .col(ColumnDef::new(BrokerIntegrity::Kind).small_integer().not_null())
                .col(ColumnDef::new(BrokerIntegrity::Note).string().not_null())
                .col(ColumnDef::new(BrokerIntegrity::RecordedBy).string().not_null())
                .col(ColumnDef::new(BrokerIntegrity::RecordedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("broker_integrity_broker")
                        .from(BrokerIntegrity::Table, BrokerIntegrity::BrokerId)
                        .to(Brokers::Table, Brokers::Id),
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
