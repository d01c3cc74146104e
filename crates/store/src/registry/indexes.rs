//! The registry's secondary indexes as plain SQL that both databases accept. The
//! migrations create them (m0001, m0003); an initial bulk load drops those on `persons` and builds them
//! again at the end (sorting once is far cheaper than millions of random inserts);
//! `ensure` recreates any that a killed load left missing, on every start.
//!
//! These definitions must stay equal to the migrations' (m0001, m0003, m0006, m0014, m0020). Changing an index
//! means a new migration, and a matching change here.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crate::{Result, Store};

/// The registry's indexes: (name, definition, dropped by an initial load).
/// A household's members are found through the hukou index (a household lives in one
/// village); `persons_household` serves the 零就业家庭 list, which groups every
/// household of a region by its members' status and age. The events index stays up
/// during a load: its keys arrive in ascending order, so each insert appends at its
/// right edge, which costs less than a rebuild.
pub(crate) const REGISTRY_INDEXES: &[(&str, &str, bool)] = &[
    ("persons_id_hmac", "CREATE UNIQUE INDEX IF NOT EXISTS persons_id_hmac ON persons (id_hmac)", true),
    ("persons_hukou_region", "CREATE INDEX IF NOT EXISTS persons_hukou_region ON persons (hukou_region)", true),
    (
        "persons_residence_region",
        "CREATE INDEX IF NOT EXISTS persons_residence_region ON persons (residence_region)",
        true,
    ),
    (
        "persons_phone_hmac",
        "CREATE INDEX IF NOT EXISTS persons_phone_hmac ON persons (phone_hmac) WHERE phone_hmac IS NOT NULL",
        true,
    ),
    (
        "persons_name_regions",
        "CREATE INDEX IF NOT EXISTS persons_name_regions ON persons (name, hukou_region, residence_region)",
        true,
    ),
    (
        "persons_registered_unemployed",
        "CREATE INDEX IF NOT EXISTS persons_registered_unemployed ON persons \
         (status, unemployed_since, id, flags, hukou_region, residence_region, name, birth_date, sex) \
         WHERE unemployed_since IS NOT NULL",
        true,
    ),
    (
        "persons_household",
        "CREATE INDEX IF NOT EXISTS persons_household ON persons \
         (household_no, hukou_region, status, birth_date) WHERE household_no IS NOT NULL",
        true,
    ),
    ("person_events_person", "CREATE INDEX IF NOT EXISTS person_events_person ON person_events (person_id, id)", false),
];

/// Foreign keys an initial load drops and adds back on PostgreSQL, where each is
/// checked by a trigger per row (one validation pass at the end costs a fraction).
/// SQLite's bulk connection does not enforce foreign keys, so there nothing is
/// dropped. (name, table, definition)
const REGISTRY_FOREIGN_KEYS: &[(&str, &str, &str)] = &[
    ("person_events_person", "person_events", "FOREIGN KEY (person_id) REFERENCES persons (id)"),
    ("person_events_import_run", "person_events", "FOREIGN KEY (import_run_id) REFERENCES import_runs (id)"),
];

/// Creates any registry index (and on PostgreSQL any foreign key) that is missing;
/// cheap when all exist.
pub async fn ensure(store: &Store) -> Result<()> {
    if store.backend() == DatabaseBackend::Postgres {
        // Sorting for an index build in memory rather than in temporary files. The
        // setting stays on this pooled connection for its lifetime; it only affects
        // maintenance commands, which only this module runs.
        store.conn().execute_unprepared("SET maintenance_work_mem = '256MB'").await?;
    }
    for (_, sql, _) in REGISTRY_INDEXES {
        store.conn().execute_unprepared(sql).await?;
    }
    if store.backend() == DatabaseBackend::Postgres {
        for (name, table, def) in REGISTRY_FOREIGN_KEYS {
            let exists = store
                .conn()
                .query_one(Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    "SELECT 1 AS one FROM pg_constraint WHERE conname = $1",
                    [(*name).into()],
                ))
                .await?
                .is_some();
            if !exists {
                store.conn().execute_unprepared(&format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}")).await?;
            }
        }
    }
    Ok(())
}

/// Drops the indexes on `persons` (and the PostgreSQL foreign keys) before an
/// initial load.
pub(crate) async fn drop_all(store: &Store) -> Result<()> {
    if store.backend() == DatabaseBackend::Postgres {
        for (name, table, _) in REGISTRY_FOREIGN_KEYS {
            store.conn().execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")).await?;
        }
    }
    for (name, _, _) in REGISTRY_INDEXES.iter().filter(|i| i.2) {
        store.conn().execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
    }
    Ok(())
}
