//! The policy service's notices (SPEC §5):
//! - `notices`: messages to an account's inbox (a policy added or changed that it
//!   subscribed to; a payout of theirs decided), with when they were read;
//! - `policy_subscriptions`: an account's subscriptions, by tag or by target;
//! - `policy_versions`: the digest of each policy as last seen, so that a server that
//!   starts with a changed library notices what was added or changed, once.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_notices"
    }
}

#[derive(DeriveIden)]
enum Notices {
    Table,
    Id,
    UserId,
    Kind,
    Title,
    Body,
    Link,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum PolicySubscriptions {
    Table,
    Id,
    UserId,
    Tag,
    Target,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PolicyVersions {
    Table,
    PolicyId,
    Digest,
    SeenAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Notices::Table)
                .col(ColumnDef::new(Notices::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Notices::UserId).big_integer().not_null())
                .col(ColumnDef::new(Notices::Kind).string().not_null())
                .col(ColumnDef::new(Notices::Title).string().not_null())
                .col(ColumnDef::new(Notices::Body).text().not_null())
                .col(ColumnDef::new(Notices::Link).string())
                .col(ColumnDef::new(Notices::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Notices::ReadAt).timestamp_with_time_zone())
                .foreign_key(
                    ForeignKey::create()
                        .name("notices_user")
                        .from(Notices::Table, Notices::UserId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("notices_user_id")
                .table(Notices::Table)
                .col(Notices::UserId)
                .col(Notices::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PolicySubscriptions::Table)
                .col(ColumnDef::new(PolicySubscriptions::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(PolicySubscriptions::UserId).big_integer().not_null())
                .col(ColumnDef::new(PolicySubscriptions::Tag).string().not_null())
                .col(ColumnDef::new(PolicySubscriptions::Target).string().not_null())
                .col(ColumnDef::new(PolicySubscriptions::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("policy_subscriptions_user")
                        .from(PolicySubscriptions::Table, PolicySubscriptions::UserId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        // One subscription per account, tag and target ('' for "any").
        m.create_index(
            Index::create()
                .name("policy_subscriptions_unique")
                .table(PolicySubscriptions::Table)
                .col(PolicySubscriptions::UserId)
                .col(PolicySubscriptions::Tag)
                .col(PolicySubscriptions::Target)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PolicyVersions::Table)
                .col(ColumnDef::new(PolicyVersions::PolicyId).string().not_null().primary_key())
                .col(ColumnDef::new(PolicyVersions::Digest).string().not_null())
                .col(ColumnDef::new(PolicyVersions::SeenAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
