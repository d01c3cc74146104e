//! `person_facts`: what other systems know about a registered person that the
//! registry does not hold (social-insurance months, a business licence, a loan, a
//! certificate …), as dated, sourced policy facts (SPEC §5). One row is one value of
//! one fact from `valid_from` on, until a later row of the same fact replaces it; the
//! value in force on a date is the latest row on or before it. Unique per (person,
//! fact, valid_from), so re-importing the same file changes nothing.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_person_facts"
    }
}

#[derive(DeriveIden)]
enum PersonFacts {
    Table,
    Id,
    PersonId,
    Fact,
    Value,
    ValidFrom,
    Source,
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
                .table(PersonFacts::Table)
                .col(ColumnDef::new(PersonFacts::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(PersonFacts::PersonId).big_integer().not_null())
                .col(ColumnDef::new(PersonFacts::Fact).string().not_null())
                .col(ColumnDef::new(PersonFacts::Value).string().not_null())
                .col(ColumnDef::new(PersonFacts::ValidFrom).date().not_null())
                .col(ColumnDef::new(PersonFacts::Source).string().not_null())
                .col(ColumnDef::new(PersonFacts::RecordedBy).string().not_null())
                .col(ColumnDef::new(PersonFacts::RecordedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("person_facts_person")
                        .from(PersonFacts::Table, PersonFacts::PersonId)
                        .to(Persons::Table, Persons::Id),
                )
                .to_owned(),
        )
        .await?;
        // The key of a value, and the order a bulk run reads them in.
        m.create_index(
            Index::create()
                .name("person_facts_key")
                .table(PersonFacts::Table)
                .col(PersonFacts::PersonId)
                .col(PersonFacts::Fact)
                .col(PersonFacts::ValidFrom)
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
