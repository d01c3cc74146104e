//! The bulk import path for persons: batches of prepared rows (already validated,
//! encrypted and hashed by the caller) are written in one transaction each, with
//! prepared statements on SQLite and COPY into a staging table on PostgreSQL. Each
//! row comes back inserted, updated, unchanged or a duplicate of an earlier row of the
//! same file. A killed import leaves whole batches only; re-running it finds the
//! committed rows unchanged and completes the rest.

mod postgres;
mod sqlite;

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use jiujin_domain::registry::PersonState;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::entity::import_run;
use crate::{DbUrl, Result, Store, StoreError};

/// One valid row ready for storage.
#[derive(Debug, Clone)]
pub struct PersonRow {
    /// Row number in the file (the header is row 1).
    pub row_no: u64,
    pub id_hmac: [u8; 16],
    pub id_cipher: Vec<u8>,
    pub phone_hmac: Option<[u8; 16]>,
    pub phone_cipher: Option<Vec<u8>>,
    pub state: PersonState,
    /// Keyed digest of the whole record (identity included), to spot unchanged rows.
    pub digest: [u8; 16],
}

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutcome {
    Inserted,
    Updated,
    Unchanged,
    /// The same identity number appeared earlier in this file, at `first_row`.
    Duplicate {
        first_row: u64,
    },
}

/// Counts of one import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

impl ImportCounts {
    pub fn add(&mut self, outcome: RowOutcome) {
        match outcome {
            RowOutcome::Inserted => self.inserted += 1,
            RowOutcome::Updated => self.updated += 1,
            RowOutcome::Unchanged => self.unchanged += 1,
            RowOutcome::Duplicate { .. } => self.rejected += 1,
        }
    }
}

/// Which persons this import has already met, and at which row: by person id, so
/// that memory stays small (a bit more than 4 bytes per person) at city scale.
#[derive(Debug, Default)]
struct Seen {
    dense: Vec<u32>,
    sparse: HashMap<i64, u64>,
}

const DENSE_LIMIT: i64 = 1 << 26;

impl Seen {
    /// Records `row` for `person`; returns the earlier row if the person was seen.
    fn visit(&mut self, person: i64, row: u64) -> Option<u64> {
        if (0..DENSE_LIMIT).contains(&person) && row < u64::from(u32::MAX) {
            let i = person as usize;
            if self.dense.len() <= i {
                self.dense.resize((i + 1).max(self.dense.len() * 3 / 2), 0);
            }
            match self.dense[i] {
                0 => {
                    self.dense[i] = row as u32;
                    None
                }
                first => Some(u64::from(first)),
            }
        } else {
            match self.sparse.get(&person) {
                Some(first) => Some(*first),
                None => {
                    self.sparse.insert(person, row);
                    None
                }
            }
        }
    }
}

/// Facts about an import run recorded in `import_runs`.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub kind: String,
    pub file_name: String,
    pub file_sha256: String,
    pub as_of: NaiveDate,
    pub actor: Option<String>,
}

/// Final state of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Done,
    Interrupted,
    Failed,
}

impl RunStatus {
    fn as_str(self) -> &'static str {
        match self {
            RunStatus::Done => "done",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Failed => "failed",
        }
    }
}

enum Writer {
    Sqlite(sqlite::Writer),
    Postgres(postgres::Writer),
}

/// An import in progress.
pub struct BulkImport {
    run_id: i64,
    writer: Option<Writer>,
    seen: Seen,
}

/// Shared by both writers: stamps written on every row of a run.
#[derive(Debug, Clone)]
struct RunStamp {
    run_id: i64,
    as_of: NaiveDate,
    actor: Option<String>,
    now: chrono::DateTime<Utc>,
}

impl BulkImport {
    /// Records the run and opens the bulk writer for the store's database.
    pub async fn start(store: &Store, info: RunInfo) -> Result<BulkImport> {
        let now = Utc::now();
        let run = import_run::ActiveModel {
            kind: Set(info.kind.clone()),
            file_name: Set(info.file_name.clone()),
            file_sha256: Set(info.file_sha256.clone()),
            as_of: Set(info.as_of),
            status: Set("running".into()),
            inserted: Set(0),
            updated: Set(0),
            unchanged: Set(0),
            rejected: Set(0),
            actor: Set(info.actor.clone()),
            message: Set(None),
            started_at: Set(now),
            finished_at: Set(None),
            ..Default::default()
        }
        .insert(store.conn())
        .await?;
        let stamp = RunStamp {
            run_id: run.id,
            as_of: info.as_of,
            actor: info.actor,
            now,
        };
        let writer = match store.url() {
            DbUrl::Sqlite(path) => Writer::Sqlite(sqlite::Writer::open(path, stamp)?),
            DbUrl::Postgres(url) => Writer::Postgres(postgres::Writer::open(url, stamp).await?),
        };
        Ok(BulkImport {
            run_id: run.id,
            writer: Some(writer),
            seen: Seen::default(),
        })
    }

    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Writes one batch in one transaction; returns each row's outcome (in no
    /// particular order).
    pub async fn apply(&mut self, rows: Vec<PersonRow>) -> Result<Vec<(u64, RowOutcome)>> {
        let mut rows = rows;
        // Key order: better locality in the unique index, and a file's duplicates
        // end up adjacent with the earliest row first.
        rows.sort_unstable_by_key(|r| (r.id_hmac, r.row_no));
        let outcomes = match self.writer.take() {
            Some(Writer::Sqlite(mut w)) => {
                let mut seen = std::mem::take(&mut self.seen);
                let (w, seen, res) = tokio::task::spawn_blocking(move || {
                    let res = w.apply(&rows, &mut seen);
                    (w, seen, res)
                })
                .await
                .map_err(|e| StoreError::Task(e.to_string()))?;
                self.seen = seen;
                self.writer = Some(Writer::Sqlite(w));
                res?
            }
            Some(Writer::Postgres(mut w)) => {
                let res = w.apply(&rows, &mut self.seen).await;
                self.writer = Some(Writer::Postgres(w));
                res?
            }
            None => return Err(StoreError::Task("导入写入器已关闭".into())),
        };
        Ok(outcomes)
    }

    /// Closes the writer and records the run's end with its counts.
    pub async fn finish(
        mut self,
        store: &Store,
        status: RunStatus,
        counts: ImportCounts,
        message: Option<String>,
    ) -> Result<()> {
        if let Some(Writer::Postgres(w)) = self.writer.take() {
            w.close().await;
        }
        finish_run(store, self.run_id, status, counts, message).await
    }
}

/// Records the end of a run (also for runs that failed before writing anything).
pub async fn finish_run(
    store: &Store,
    run_id: i64,
    status: RunStatus,
    counts: ImportCounts,
    message: Option<String>,
) -> Result<()> {
    let Some(run) = import_run::Entity::find_by_id(run_id)
        .one(store.conn())
        .await?
    else {
        return Err(StoreError::Corrupt(format!("import_runs id={run_id}")));
    };
    let mut am: import_run::ActiveModel = run.into();
    am.status = Set(status.as_str().into());
    am.inserted = Set(counts.inserted as i64);
    am.updated = Set(counts.updated as i64);
    am.unchanged = Set(counts.unchanged as i64);
    am.rejected = Set(counts.rejected as i64);
    am.message = Set(message);
    am.finished_at = Set(Some(Utc::now()));
    am.update(store.conn()).await?;
    Ok(())
}

/// Records the SHA-256 of the imported file once it has been read through.
pub async fn set_run_hash(store: &Store, run_id: i64, sha256: &str) -> Result<()> {
    if let Some(run) = import_run::Entity::find_by_id(run_id)
        .one(store.conn())
        .await?
    {
        let mut am: import_run::ActiveModel = run.into();
        am.file_sha256 = Set(sha256.to_string());
        am.update(store.conn()).await?;
    }
    Ok(())
}

/// SQL text of a timestamp as sea-orm writes it on SQLite (RFC 3339).
fn sqlite_timestamp(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_reports_the_first_row_of_a_person() {
        let mut s = Seen::default();
        assert_eq!(s.visit(5, 2), None);
        assert_eq!(s.visit(6, 3), None);
        assert_eq!(s.visit(5, 9), Some(2));
        assert_eq!(s.visit(DENSE_LIMIT + 1, 10), None);
        assert_eq!(s.visit(DENSE_LIMIT + 1, 11), Some(10));
    }
}
