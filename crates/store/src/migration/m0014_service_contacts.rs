//! `service_contacts`: the follow-up contacts of staff with persons (SPEC §6; seed 002
//! #53 每月至少进行1次跟踪调查), each with what was offered (the 政策宣介, 职业指导,
//! 岗位推送 and 培训推荐 of the 1+1+3+1, seed 001 §(八)) and its outcome. Also a partial
//! covering index of the registered unemployed, so that a work list over the whole
//! city reads those persons and not every row of `persons`.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0014_service_contacts"
    }
}

#[derive(DeriveIden)]
enum ServiceContacts {
    Table,
    Id,
    PersonId,
    ContactDate,
    Channel,
    Offered,
    Outcome,
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
                .table(ServiceContacts::Table)
                .col(ColumnDef::new(ServiceContacts::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(ServiceContacts::PersonId).big_integer().not_null())
                .col(ColumnDef::new(ServiceContacts::ContactDate).date().not_null())
                .col(ColumnDef::new(ServiceContacts::Channel).small_integer().not_null())
                .col(ColumnDef::new(ServiceContacts::Offered).integer().not_null())
                .col(ColumnDef::new(ServiceContacts::Outcome).small_integer().not_null())
                .col(ColumnDef::new(ServiceContacts::Note).string().not_null())
                .col(ColumnDef::new(ServiceContacts::RecordedBy).string().not_null())
                .col(ColumnDef::new(ServiceContacts::RecordedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("service_contacts_person")
                        .from(ServiceContacts::Table, ServiceContacts::PersonId)
                        .to(Persons::Table, Persons::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("service_contacts_person_date")
                .table(ServiceContacts::Table)
                .col(ServiceContacts::PersonId)
                .col(ServiceContacts::ContactDate)
                .to_owned(),
        )
        .await?;
        // The same statement on SQLite and PostgreSQL (both have partial indexes). It
        // holds every column the two lists read, so a list of the whole city reads the
        // ~2 % of persons who are registered and never the table itself.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX persons_registered_unemployed ON persons \
                 (status, unemployed_since, id, flags, hukou_region, residence_region, name, birth_date, sex) \
                 WHERE unemployed_since IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
