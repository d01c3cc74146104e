//! 农民工工资支付监控预警 (SPEC §7): construction projects with their units, the
//! real-name roster, daily attendance (one row per worker and day) and its monthly
//! counts (kept in the same transaction as the days, recounted by `wages recount`),
//! payroll lines, the wage account's movements, deposits, complaints, the warnings with
//! their handling log, and the 失信 list.
//!
//! Written as SQL for both databases (the types differ only in the key and bytes), so
//! that attendance is a table without a row id on SQLite: its key is the data.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0021_wages"
    }
}

const TABLES: &str = r#"
CREATE TABLE wage_projects (
    id {pk},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    region BIGINT NOT NULL,
    address TEXT NOT NULL,
    builder_code TEXT NOT NULL,
    builder_name TEXT NOT NULL,
    contractor_code TEXT NOT NULL,
    contractor_name TEXT NOT NULL,
    contract_value BIGINT NOT NULL,
    contract_on DATE NOT NULL,
    start_on DATE NOT NULL,
    end_on DATE NOT NULL,
    status SMALLINT NOT NULL,
    payday SMALLINT NOT NULL,
    monthly_labor_cost BIGINT NOT NULL,
    account_opened_on DATE,
    notice_board_on DATE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX wage_projects_region ON wage_projects (region);
CREATE INDEX wage_projects_contractor ON wage_projects (contractor_code);
CREATE TABLE wage_subcontractors (
    id {pk},
    project_id BIGINT NOT NULL REFERENCES wage_projects (id),
    credit_code TEXT NOT NULL,
    name TEXT NOT NULL,
    trade TEXT NOT NULL,
    UNIQUE (project_id, credit_code)
);
CREATE TABLE wage_roster (
    id {pk},
    project_id BIGINT NOT NULL REFERENCES wage_projects (id),
    id_hmac {bytes} NOT NULL,
    id_masked TEXT NOT NULL,
    person_id BIGINT,
    name TEXT NOT NULL,
    team TEXT NOT NULL,
    subcontractor_code TEXT,
    entry_on DATE NOT NULL,
    exit_on DATE,
    daily_rate BIGINT NOT NULL,
    card_last4 TEXT NOT NULL,
    UNIQUE (project_id, id_hmac)
);
CREATE INDEX wage_roster_person ON wage_roster (person_id);
CREATE TABLE wage_attendance (
    roster_id BIGINT NOT NULL,
    day DATE NOT NULL,
    PRIMARY KEY (roster_id, day)
){without_rowid};
CREATE TABLE wage_attendance_months (
    period INTEGER NOT NULL,
    roster_id BIGINT NOT NULL,
    days INTEGER NOT NULL,
    PRIMARY KEY (period, roster_id)
){without_rowid};
CREATE TABLE wage_pay_lines (
    id {pk},
    project_id BIGINT NOT NULL REFERENCES wage_projects (id),
    roster_id BIGINT,
    id_hmac {bytes} NOT NULL,
    id_masked TEXT NOT NULL,
    name TEXT NOT NULL,
    period INTEGER NOT NULL,
    due BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    paid_on DATE,
    card_last4 TEXT NOT NULL,
    signed BOOLEAN NOT NULL,
    UNIQUE (project_id, period, id_hmac)
);
CREATE INDEX wage_pay_lines_period ON wage_pay_lines (period);
CREATE TABLE wage_account_entries (
    id {pk},
    project_id BIGINT NOT NULL REFERENCES wage_projects (id),
    on_date DATE NOT NULL,
    amount BIGINT NOT NULL,
    kind SMALLINT NOT NULL,
    reference TEXT NOT NULL,
    UNIQUE (project_id, reference)
);
CREATE INDEX wage_account_entries_project ON wage_account_entries (project_id, on_date);
CREATE TABLE wage_deposits (
    id {pk},
    project_id BIGINT NOT NULL REFERENCES wage_projects (id),
    on_date DATE NOT NULL,
    amount BIGINT NOT NULL,
    form TEXT NOT NULL
);
CREATE INDEX wage_deposits_project ON wage_deposits (project_id);
CREATE TABLE wage_complaints (
    id {pk},
    project_id BIGINT REFERENCES wage_projects (id),
    employer_code TEXT NOT NULL,
    employer_name TEXT NOT NULL,
    region BIGINT NOT NULL,
    person_id BIGINT,
    name TEXT NOT NULL,
    phone_masked TEXT NOT NULL,
    amount BIGINT NOT NULL,
    workers INTEGER NOT NULL,
    description TEXT NOT NULL,
    filed_on DATE NOT NULL,
    deadline DATE NOT NULL,
    channel SMALLINT NOT NULL,
    state SMALLINT NOT NULL,
    proven_amount BIGINT,
    paid_on DATE,
    closed_on DATE,
    outcome TEXT,
    filed_by TEXT NOT NULL
);
CREATE INDEX wage_complaints_filed ON wage_complaints (filed_on);
CREATE INDEX wage_complaints_employer ON wage_complaints (employer_code);
CREATE TABLE wage_warnings (
    id {pk},
    live_key TEXT UNIQUE,
    project_id BIGINT REFERENCES wage_projects (id),
    employer_code TEXT,
    check_code TEXT NOT NULL,
    subject TEXT NOT NULL,
    region BIGINT NOT NULL,
    responsible TEXT NOT NULL,
    grade SMALLINT NOT NULL,
    days_overdue INTEGER NOT NULL,
    amount BIGINT NOT NULL,
    workers INTEGER NOT NULL,
    summary TEXT NOT NULL,
    evidence TEXT NOT NULL,
    state SMALLINT NOT NULL,
    escalation SMALLINT NOT NULL,
    first_seen DATE NOT NULL,
    last_seen DATE NOT NULL,
    assigned_to TEXT,
    assigned_on DATE,
    ended_on DATE,
    end_note TEXT,
    end_evidence TEXT
);
CREATE INDEX wage_warnings_region ON wage_warnings (region, state);
CREATE INDEX wage_warnings_project ON wage_warnings (project_id);
CREATE TABLE wage_warning_log (
    id {pk},
    warning_id BIGINT NOT NULL REFERENCES wage_warnings (id),
    on_date DATE NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX wage_warning_log_warning ON wage_warning_log (warning_id);
CREATE TABLE wage_blacklist (
    id {pk},
    employer_code TEXT NOT NULL,
    employer_name TEXT NOT NULL,
    complaint_id BIGINT REFERENCES wage_complaints (id),
    region BIGINT NOT NULL,
    listed_on DATE NOT NULL,
    until_on DATE NOT NULL,
    paid_on DATE,
    removed_on DATE,
    removal_note TEXT,
    UNIQUE (complaint_id)
);
CREATE INDEX wage_blacklist_employer ON wage_blacklist (employer_code);
CREATE TABLE wage_runs (
    id {pk},
    run_on DATE NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    projects INTEGER NOT NULL,
    raised INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    escalated INTEGER NOT NULL,
    actor TEXT NOT NULL
)
"#;

/// The schema's statements for `backend`.
pub(crate) fn statements(backend: DatabaseBackend) -> Vec<String> {
    let (pk, bytes, without_rowid) = match backend {
        DatabaseBackend::Postgres => ("BIGSERIAL PRIMARY KEY", "BYTEA", ""),
        _ => ("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB", " WITHOUT ROWID"),
    };
    TABLES
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("{pk}", pk).replace("{bytes}", bytes).replace("{without_rowid}", without_rowid))
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
