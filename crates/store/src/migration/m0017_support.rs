//! 就业帮扶车间 and 公益性岗位 (SPEC §6, seed 001 §(二)): the workshops (recognised on a
//! date, optionally an employer of the register) and the spells of the persons they
//! employ; the 公益性岗位 and the spells of their holders with the exit and its reason.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0017_support"
    }
}

#[derive(DeriveIden)]
enum Workshops {
    Table,
    Id,
    Name,
    CreditCode,
    Region,
    Trade,
    RecognizedOn,
    RevokedOn,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PublicPosts {
    Table,
    Id,
    Title,
    Unit,
    Region,
    Rural,
    Places,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Spells {
    Id,
    HostId,
    PersonId,
    StartOn,
    EndOn,
    ExitReason,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
}

fn spells(name: &str, host: &str, host_table: impl IntoIden + 'static) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(name))
        .col(ColumnDef::new(Spells::Id).big_integer().not_null().auto_increment().primary_key())
        .col(ColumnDef::new(Spells::HostId).big_integer().not_null())
        .col(ColumnDef::new(Spells::PersonId).big_integer().not_null())
        .col(ColumnDef::new(Spells::StartOn).date().not_null())
        .col(ColumnDef::new(Spells::EndOn).date())
        .col(ColumnDef::new(Spells::ExitReason).small_integer())
        .col(ColumnDef::new(Spells::RecordedBy).string().not_null())
        .col(ColumnDef::new(Spells::RecordedAt).timestamp_with_time_zone().not_null())
        .foreign_key(
            ForeignKey::create()
                .name(format!("{name}_{host}"))
                .from(Alias::new(name), Spells::HostId)
                .to(host_table, Alias::new("id")),
        )
        .foreign_key(
            ForeignKey::create()
                .name(format!("{name}_person"))
                .from(Alias::new(name), Spells::PersonId)
                .to(Persons::Table, Persons::Id),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Workshops::Table)
                .col(ColumnDef::new(Workshops::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Workshops::Name).string().not_null().unique_key())
                .col(ColumnDef::new(Workshops::CreditCode).string())
                .col(ColumnDef::new(Workshops::Region).big_integer().not_null())
                .col(ColumnDef::new(Workshops::Trade).string().not_null())
                .col(ColumnDef::new(Workshops::RecognizedOn).date().not_null())
                .col(ColumnDef::new(Workshops::RevokedOn).date())
                .col(ColumnDef::new(Workshops::CreatedBy).string().not_null())
                .col(ColumnDef::new(Workshops::CreatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PublicPosts::Table)
                .col(ColumnDef::new(PublicPosts::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(PublicPosts::Title).string().not_null())
                .col(ColumnDef::new(PublicPosts::Unit).string().not_null())
                .col(ColumnDef::new(PublicPosts::Region).big_integer().not_null())
                .col(ColumnDef::new(PublicPosts::Rural).boolean().not_null())
                .col(ColumnDef::new(PublicPosts::Places).integer().not_null())
                .col(ColumnDef::new(PublicPosts::CreatedBy).string().not_null())
                .col(ColumnDef::new(PublicPosts::CreatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(spells("workshop_workers", "workshop", Workshops::Table)).await?;
        m.create_table(spells("public_post_holders", "post", PublicPosts::Table)).await?;
        for (table, idx) in
            [("workshop_workers", "workshop_workers_host"), ("public_post_holders", "public_post_holders_host")]
        {
            m.create_index(Index::create().name(idx).table(Alias::new(table)).col(Spells::HostId).to_owned()).await?;
        }
        for (table, idx) in
            [("workshop_workers", "workshop_workers_person"), ("public_post_holders", "public_post_holders_person")]
        {
            m.create_index(Index::create().name(idx).table(Alias::new(table)).col(Spells::PersonId).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
