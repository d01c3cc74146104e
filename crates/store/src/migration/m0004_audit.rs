//! The audit log (SPEC §9): `audit_log`, one row per recorded action, chained by
//! SHA-256 over the previous entry; and `audit_head`, one row holding the chain's last
//! sequence number and hash. Writers update the head first, so concurrent writers
//! serialize on that row, and deleting the last entries is detected against it.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_audit"
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Seq,
    At,
    ActorUserId,
    Actor,
    Role,
    Action,
    Entity,
    EntityId,
    Detail,
    Address,
    UserAgent,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

/// The hash before the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Assigned by the writer (gap-free), never by the database. On SQLite an
        // INTEGER PRIMARY KEY is the rowid itself: no second index.
        let seq = match m.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => {
                ColumnDef::new(AuditLog::Seq).integer().not_null().primary_key().to_owned()
            }
            _ => ColumnDef::new(AuditLog::Seq).big_integer().not_null().primary_key().to_owned(),
        };
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(seq)
                .col(ColumnDef::new(AuditLog::At).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(AuditLog::ActorUserId).big_integer())
                .col(ColumnDef::new(AuditLog::Actor).string().not_null())
                .col(ColumnDef::new(AuditLog::Role).string())
                .col(ColumnDef::new(AuditLog::Action).string().not_null())
                .col(ColumnDef::new(AuditLog::Entity).string().not_null())
                .col(ColumnDef::new(AuditLog::EntityId).string())
                .col(ColumnDef::new(AuditLog::Detail).text().not_null())
                .col(ColumnDef::new(AuditLog::Address).string())
                .col(ColumnDef::new(AuditLog::UserAgent).text())
                .col(ColumnDef::new(AuditLog::PrevHash).string().not_null())
                .col(ColumnDef::new(AuditLog::Hash).string().not_null())
                .to_owned(),
        )
        .await?;
        // The auditor's filters: by date, by person acting, by object.
        m.create_index(Index::create().name("audit_log_at").table(AuditLog::Table).col(AuditLog::At).to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name("audit_log_actor")
                .table(AuditLog::Table)
                .col(AuditLog::Actor)
                .col(AuditLog::Seq)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("audit_log_entity")
                .table(AuditLog::Table)
                .col(AuditLog::Entity)
                .col(AuditLog::EntityId)
                .col(AuditLog::Seq)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(ColumnDef::new(AuditHead::Id).integer().not_null().primary_key())
                .col(ColumnDef::new(AuditHead::Seq).big_integer().not_null())
                .col(ColumnDef::new(AuditHead::Hash).string().not_null())
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(&format!("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{GENESIS}')"))
            .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
