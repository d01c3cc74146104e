//! The registry's secondary indexes as plain SQL that both databases accept. The
//! first migration creates them; an initial bulk load drops them and builds them
//! again at the end (sorting once is far cheaper than millions of random inserts);
//! `ensure` recreates any that a killed load left missing, on every start.
//!
//! These definitions must stay equal to the first migration's. Changing an index
//! means a new migration, and a matching change here.

use sea_orm::ConnectionTrait;

use crate::{Result, Store};

/// The indexes an initial load drops and rebuilds. Household members are found
/// through the hukou index (a household lives in one village), so `household_no`
/// has no index of its own.
pub(crate) const REGISTRY_INDEXES: &[(&str, &str)] = &[
    ("persons_id_hmac", "CREATE UNIQUE INDEX IF NOT EXISTS persons_id_hmac ON persons (id_hmac)"),
    ("persons_hukou_region", "CREATE INDEX IF NOT EXISTS persons_hukou_region ON persons (hukou_region)"),
    ("persons_residence_region", "CREATE INDEX IF NOT EXISTS persons_residence_region ON persons (residence_region)"),
    ("person_events_person", "CREATE INDEX IF NOT EXISTS person_events_person ON person_events (person_id, id)"),
];

/// Creates any registry index that is missing (cheap when all exist).
pub async fn ensure(store: &Store) -> Result<()> {
    for (_, sql) in REGISTRY_INDEXES {
        store.conn().execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Drops the registry indexes before an initial load.
pub(crate) async fn drop_all(store: &Store) -> Result<()> {
    for (name, _) in REGISTRY_INDEXES {
        store.conn().execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
    }
    Ok(())
}
