//! Accounts bound to what they stand for, API tokens and login throttling:
//! - `users` gains `credit_code` (an employer account's 统一社会信用代码),
//!   `person_id` (the person a worker account is) and `disabled_at`;
//! - `api_tokens`: bearer tokens for integrations, by the SHA-256 of the token,
//!   revocable, optionally expiring; a token acts exactly as its user;
//! - `login_failures`: failed logins per account and per address in a window, and
//!   the lock they lead to, kept in the database so every server sees them.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_tokens"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    CreditCode,
    PersonId,
    DisabledAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    TokenHash,
    Label,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Key,
    Failures,
    WindowStartedAt,
    LockedUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            ColumnDef::new(Users::CreditCode).string().to_owned(),
            ColumnDef::new(Users::PersonId).big_integer().to_owned(),
            ColumnDef::new(Users::DisabledAt).timestamp_with_time_zone().to_owned(),
        ] {
            m.alter_table(Table::alter().table(Users::Table).add_column(col).to_owned()).await?;
        }
        let id = match m.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => {
                ColumnDef::new(ApiTokens::Id).integer().not_null().primary_key().to_owned()
            }
            _ => ColumnDef::new(ApiTokens::Id).big_integer().not_null().auto_increment().primary_key().to_owned(),
        };
        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(id)
                .col(ColumnDef::new(ApiTokens::UserId).big_integer().not_null())
                .col(ColumnDef::new(ApiTokens::TokenHash).string().not_null())
                .col(ColumnDef::new(ApiTokens::Label).string().not_null())
                .col(ColumnDef::new(ApiTokens::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(ApiTokens::LastUsedAt).timestamp_with_time_zone())
                .col(ColumnDef::new(ApiTokens::ExpiresAt).timestamp_with_time_zone())
                .col(ColumnDef::new(ApiTokens::RevokedAt).timestamp_with_time_zone())
                .foreign_key(
                    ForeignKey::create()
                        .name("api_tokens_user")
                        .from(ApiTokens::Table, ApiTokens::UserId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("api_tokens_token_hash")
                .table(ApiTokens::Table)
                .col(ApiTokens::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(LoginFailures::Table)
                .col(ColumnDef::new(LoginFailures::Key).string().not_null().primary_key())
                .col(ColumnDef::new(LoginFailures::Failures).integer().not_null())
                .col(ColumnDef::new(LoginFailures::WindowStartedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(LoginFailures::LockedUntil).timestamp_with_time_zone())
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
