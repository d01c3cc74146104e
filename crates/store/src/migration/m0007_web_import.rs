//! What the web app's imports and sessions need:
//! - `import_files`: the rejects file of an import started from the browser, kept
//!   in the database so that any server can hand it out (servers keep no files);
//! - `sessions.last_seen_at`: when a session was last used, for the idle timeout.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_web_import"
    }
}

#[derive(DeriveIden)]
enum ImportFiles {
    Table,
    RunId,
    UserId,
    FileName,
    Rejects,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ImportRuns {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    LastSeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ImportFiles::Table)
                .col(ColumnDef::new(ImportFiles::RunId).big_integer().not_null().primary_key())
                .col(ColumnDef::new(ImportFiles::UserId).big_integer().not_null())
                .col(ColumnDef::new(ImportFiles::FileName).string().not_null())
                .col(ColumnDef::new(ImportFiles::Rejects).binary().not_null())
                .col(ColumnDef::new(ImportFiles::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("import_files_run")
                        .from(ImportFiles::Table, ImportFiles::RunId)
                        .to(ImportRuns::Table, ImportRuns::Id),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Sessions::Table)
                .add_column(ColumnDef::new(Sessions::LastSeenAt).timestamp_with_time_zone())
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
