//! 监测 (SPEC §8): `mon_counts`, the dashboards' counters by hukou region (city,
//! district, town), month and measure (`jiujin_domain::monitoring::tally`), kept in
//! the same transaction as the person events they come from and recounted by
//! `jiujin monitoring rebuild`. A table without a row id on SQLite: its key is the
//! data. A database with persons already registered needs one rebuild after this
//! migration (`jiujin migrate` says so).

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0022_monitoring"
    }
}

const TABLES: &str = r#"
CREATE TABLE mon_counts (
    level SMALLINT NOT NULL,
    measure SMALLINT NOT NULL,
    month INTEGER NOT NULL,
    region BIGINT NOT NULL,
    item SMALLINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (level, measure, month, region, item)
){without_rowid};
CREATE INDEX mon_counts_region ON mon_counts (region, measure, month)
"#;

/// The schema's statements for `backend`.
pub(crate) fn statements(backend: DatabaseBackend) -> Vec<String> {
    let without_rowid = match backend {
        DatabaseBackend::Postgres => "",
        _ => " WITHOUT ROWID",
    };
    TABLES
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("{without_rowid}", without_rowid))
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let conn = m.get_connection();
        for s in statements(conn.get_database_backend()) {
            conn.execute_unprepared(&s).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
