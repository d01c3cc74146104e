//! 监测 (SPEC §8): `mon_counts`, the dashboards' counters by hukou region (city,
//! district, town), month and measure (`jiujin_domain::monitoring::tally`), kept in
//! the same transaction as the person events they come from and recounted by
//! `jiujin monitoring rebuild`. A table without a row id on SQLite: its key is the
//! data. A database with persons already registered needs one `monitoring rebuild` after this
//! migration. `mon_layoff_reports`: layoffs and closures employers report (seed 002
//! #50); `mon_risk_warnings`: the 规模性失业风险 warnings, one per district and month,
//! with their response checklist.

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
CREATE INDEX mon_counts_region ON mon_counts (region, measure, month);
CREATE TABLE mon_layoff_reports (
    id {pk},
    region BIGINT NOT NULL,
    district BIGINT NOT NULL,
    employer_code TEXT NOT NULL,
    employer_name TEXT NOT NULL,
    reported_on DATE NOT NULL,
    month INTEGER NOT NULL,
    laid_off INTEGER NOT NULL,
    staff INTEGER NOT NULL,
    closing SMALLINT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX mon_layoff_reports_month ON mon_layoff_reports (month, district);
CREATE TABLE mon_risk_warnings (
    id {pk},
    district BIGINT NOT NULL,
    month INTEGER NOT NULL,
    level SMALLINT NOT NULL,
    reasons TEXT NOT NULL,
    inputs TEXT NOT NULL,
    state SMALLINT NOT NULL,
    checklist TEXT NOT NULL,
    raised_on DATE NOT NULL,
    closed_note TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (district, month)
)
"#;

/// The schema's statements for `backend`.
pub(crate) fn statements(backend: DatabaseBackend) -> Vec<String> {
    let (pk, without_rowid) = match backend {
        DatabaseBackend::Postgres => ("BIGSERIAL PRIMARY KEY", ""),
        _ => ("INTEGER PRIMARY KEY AUTOINCREMENT", " WITHOUT ROWID"),
    };
    TABLES
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("{pk}", pk).replace("{without_rowid}", without_rowid))
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
