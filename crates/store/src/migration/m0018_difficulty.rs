//! 就业困难人员 (SPEC §6, seed 004 §(十三)): recognitions of a person (category, date,
//! evidence, revocation) and the help (援助) recorded for them.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0018_difficulty"
    }
}

#[derive(DeriveIden)]
enum DifficultyRecognitions {
    Table,
    Id,
    PersonId,
    Category,
    RecognizedOn,
    Evidence,
    RevokedOn,
    RevokeReason,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum AssistanceRecords {
    Table,
    Id,
    PersonId,
    HelpDate,
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
                .table(DifficultyRecognitions::Table)
                .col(ColumnDef::new(DifficultyRecognitions::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(DifficultyRecognitions::PersonId).big_integer().not_null())
                .col(ColumnDef::new(DifficultyRecognitions::Category).small_integer().not_null())
                .col(ColumnDef::new(DifficultyRecognitions::RecognizedOn).date().not_null())
                .col(ColumnDef::new(DifficultyRecognitions::Evidence).string().not_null())
                .col(ColumnDef::new(DifficultyRecognitions::RevokedOn).date())
                .col(ColumnDef::new(DifficultyRecognitions::RevokeReason).string())
                .col(ColumnDef::new(DifficultyRecognitions::RecordedBy).string().not_null())
                .col(ColumnDef::new(DifficultyRecognitions::RecordedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("difficulty_recognitions_person")
                        .from(DifficultyRecognitions::Table, DifficultyRecognitions::PersonId)
                        .to(Persons::Table, Persons::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("difficulty_recognitions_person_idx")
                .table(DifficultyRecognitions::Table)
                .col(DifficultyRecognitions::PersonId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AssistanceRecords::Table)
                .col(ColumnDef::new(AssistanceRecords::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(AssistanceRecords::PersonId).big_integer().not_null())
                .col(ColumnDef::new(AssistanceRecords::HelpDate).date().not_null())
                .col(ColumnDef::new(AssistanceRecords::Kind).small_integer().not_null())
                .col(ColumnDef::new(AssistanceRecords::Note).string().not_null())
                .col(ColumnDef::new(AssistanceRecords::RecordedBy).string().not_null())
                .col(ColumnDef::new(AssistanceRecords::RecordedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("assistance_records_person")
                        .from(AssistanceRecords::Table, AssistanceRecords::PersonId)
                        .to(Persons::Table, Persons::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("assistance_records_person_idx")
                .table(AssistanceRecords::Table)
                .col(AssistanceRecords::PersonId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
