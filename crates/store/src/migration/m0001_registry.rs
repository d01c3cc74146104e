//! The registry: reference regions, persons (identity and phone encrypted, with keyed
//! hashes for look-up), the timeline of person events, import runs, the review of
//! likely duplicates, a key/value table for installation facts, and leases that keep
//! two servers from running the same batch.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_registry"
    }
}

#[derive(DeriveIden)]
enum Meta {
    Table,
    Key,
    Value,
}

#[derive(DeriveIden)]
enum BatchLocks {
    Table,
    Kind,
    Holder,
    AcquiredAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
    Name,
    Level,
    Parent,
    District,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
    IdHmac,
    IdCipher,
    PhoneHmac,
    PhoneCipher,
    Name,
    BirthDate,
    Sex,
    HukouRegion,
    ResidenceRegion,
    HouseholdNo,
    Status,
    StatusSince,
    WorkRegion,
    WorkProvince,
    Industry,
    Occupation,
    OccupationName,
    SkillLevel,
    ExpectedWageFen,
    Flags,
    Insurance,
    Needs,
    UnemployedSince,
    RowDigest,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PersonEvents {
    Table,
    Id,
    PersonId,
    EventDate,
    Kind,
    Source,
    Status,
    WorkRegion,
    WorkProvince,
    Industry,
    Insurance,
    Flags,
    Changes,
    ImportRunId,
    Actor,
    RecordedAt,
}

#[derive(DeriveIden)]
enum ImportRuns {
    Table,
    Id,
    Kind,
    FileName,
    FileSha256,
    AsOf,
    Status,
    Inserted,
    Updated,
    Unchanged,
    Rejected,
    Actor,
    Message,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum DuplicateReviews {
    Table,
    Id,
    PersonA,
    PersonB,
    Decision,
    Note,
    DecidedBy,
    DecidedAt,
}

/// A surrogate key: a plain `INTEGER PRIMARY KEY` (the rowid) on SQLite — without
/// AUTOINCREMENT, whose bookkeeping table would be written on every insert; rows of
/// these tables are never deleted, so ids are not reused — and BIGSERIAL elsewhere.
fn pk(m: &SchemaManager, name: impl IntoIden) -> ColumnDef {
    match m.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => ColumnDef::new(name).integer().not_null().primary_key().to_owned(),
        _ => ColumnDef::new(name).big_integer().not_null().auto_increment().primary_key().to_owned(),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Meta::Table)
                .col(ColumnDef::new(Meta::Key).string().not_null().primary_key())
                .col(ColumnDef::new(Meta::Value).text().not_null())
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(BatchLocks::Table)
                .col(ColumnDef::new(BatchLocks::Kind).string().not_null().primary_key())
                .col(ColumnDef::new(BatchLocks::Holder).string().not_null())
                .col(ColumnDef::new(BatchLocks::AcquiredAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(BatchLocks::ExpiresAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Regions::Table)
                .col(ColumnDef::new(Regions::Code).big_integer().not_null().primary_key())
                .col(ColumnDef::new(Regions::Name).string().not_null())
                .col(ColumnDef::new(Regions::Level).small_integer().not_null())
                .col(ColumnDef::new(Regions::Parent).big_integer())
                .col(ColumnDef::new(Regions::District).big_integer())
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("regions_parent").table(Regions::Table).col(Regions::Parent).to_owned())
            .await?;

        m.create_table(
            Table::create()
                .table(Persons::Table)
                .col(pk(m, Persons::Id))
                .col(ColumnDef::new(Persons::IdHmac).binary().not_null())
                .col(ColumnDef::new(Persons::IdCipher).binary().not_null())
                .col(ColumnDef::new(Persons::PhoneHmac).binary())
                .col(ColumnDef::new(Persons::PhoneCipher).binary())
                .col(ColumnDef::new(Persons::Name).string().not_null())
                .col(ColumnDef::new(Persons::BirthDate).date().not_null())
                .col(ColumnDef::new(Persons::Sex).small_integer().not_null())
                .col(ColumnDef::new(Persons::HukouRegion).big_integer().not_null())
                .col(ColumnDef::new(Persons::ResidenceRegion).big_integer())
                .col(ColumnDef::new(Persons::HouseholdNo).string())
                .col(ColumnDef::new(Persons::Status).small_integer().not_null())
                .col(ColumnDef::new(Persons::StatusSince).date().not_null())
                .col(ColumnDef::new(Persons::WorkRegion).big_integer())
                .col(ColumnDef::new(Persons::WorkProvince).small_integer())
                .col(ColumnDef::new(Persons::Industry).string())
                .col(ColumnDef::new(Persons::Occupation).string())
                .col(ColumnDef::new(Persons::OccupationName).string())
                .col(ColumnDef::new(Persons::SkillLevel).small_integer())
                .col(ColumnDef::new(Persons::ExpectedWageFen).big_integer())
                .col(ColumnDef::new(Persons::Flags).integer().not_null().default(0))
                .col(ColumnDef::new(Persons::Insurance).integer().not_null().default(0))
                .col(ColumnDef::new(Persons::Needs).integer().not_null().default(0))
                .col(ColumnDef::new(Persons::UnemployedSince).date())
                .col(ColumnDef::new(Persons::RowDigest).binary().not_null())
                .col(ColumnDef::new(Persons::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Persons::UpdatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("persons_id_hmac").table(Persons::Table).col(Persons::IdHmac).unique().to_owned(),
        )
        .await?;
        for (name, col) in
            [("persons_hukou_region", Persons::HukouRegion), ("persons_residence_region", Persons::ResidenceRegion)]
        {
            m.create_index(Index::create().name(name).table(Persons::Table).col(col).to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table(ImportRuns::Table)
                .col(pk(m, ImportRuns::Id))
                .col(ColumnDef::new(ImportRuns::Kind).string().not_null())
                .col(ColumnDef::new(ImportRuns::FileName).string().not_null())
                .col(ColumnDef::new(ImportRuns::FileSha256).string().not_null())
                .col(ColumnDef::new(ImportRuns::AsOf).date().not_null())
                .col(ColumnDef::new(ImportRuns::Status).string().not_null())
                .col(ColumnDef::new(ImportRuns::Inserted).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportRuns::Updated).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportRuns::Unchanged).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportRuns::Rejected).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportRuns::Actor).string())
                .col(ColumnDef::new(ImportRuns::Message).text())
                .col(ColumnDef::new(ImportRuns::StartedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(ImportRuns::FinishedAt).timestamp_with_time_zone())
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PersonEvents::Table)
                .col(pk(m, PersonEvents::Id))
                .col(ColumnDef::new(PersonEvents::PersonId).big_integer().not_null())
                .col(ColumnDef::new(PersonEvents::EventDate).date().not_null())
                .col(ColumnDef::new(PersonEvents::Kind).small_integer().not_null())
                .col(ColumnDef::new(PersonEvents::Source).small_integer().not_null())
                .col(ColumnDef::new(PersonEvents::Status).small_integer())
                .col(ColumnDef::new(PersonEvents::WorkRegion).big_integer())
                .col(ColumnDef::new(PersonEvents::WorkProvince).small_integer())
                .col(ColumnDef::new(PersonEvents::Industry).string())
                .col(ColumnDef::new(PersonEvents::Insurance).integer())
                .col(ColumnDef::new(PersonEvents::Flags).integer())
                .col(ColumnDef::new(PersonEvents::Changes).text())
                .col(ColumnDef::new(PersonEvents::ImportRunId).big_integer())
                .col(ColumnDef::new(PersonEvents::Actor).string())
                .col(ColumnDef::new(PersonEvents::RecordedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("person_events_person")
                        .from(PersonEvents::Table, PersonEvents::PersonId)
                        .to(Persons::Table, Persons::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("person_events_import_run")
                        .from(PersonEvents::Table, PersonEvents::ImportRunId)
                        .to(ImportRuns::Table, ImportRuns::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("person_events_person")
                .table(PersonEvents::Table)
                .col(PersonEvents::PersonId)
                .col(PersonEvents::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DuplicateReviews::Table)
                .col(pk(m, DuplicateReviews::Id))
                .col(ColumnDef::new(DuplicateReviews::PersonA).big_integer().not_null())
                .col(ColumnDef::new(DuplicateReviews::PersonB).big_integer().not_null())
                .col(ColumnDef::new(DuplicateReviews::Decision).small_integer().not_null())
                .col(ColumnDef::new(DuplicateReviews::Note).text())
                .col(ColumnDef::new(DuplicateReviews::DecidedBy).string())
                .col(ColumnDef::new(DuplicateReviews::DecidedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("duplicate_reviews_a")
                        .from(DuplicateReviews::Table, DuplicateReviews::PersonA)
                        .to(Persons::Table, Persons::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("duplicate_reviews_b")
                        .from(DuplicateReviews::Table, DuplicateReviews::PersonB)
                        .to(Persons::Table, Persons::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("duplicate_reviews_pair")
                .table(DuplicateReviews::Table)
                .col(DuplicateReviews::PersonA)
                .col(DuplicateReviews::PersonB)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
