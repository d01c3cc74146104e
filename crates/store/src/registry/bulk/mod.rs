//! The bulk import path for persons: batches of prepared rows (already validated,
//! encrypted and hashed by the caller) are written in one transaction each, with
//! prepared statements on SQLite and COPY into a staging table on PostgreSQL. Each
//! row comes back inserted, updated, unchanged or a duplicate of an earlier row of the
//! same file. A killed import leaves whole batches only; re-running it finds the
//! committed rows unchanged and completes the rest.
//!
//! An *initial load* (the persons table is empty and no other load holds the lease) drops the
//! indexes on persons, appends rows without look-ups, keeps uniqueness in memory by an
//! 8-byte prefix of each identity hash (rows whose prefix was seen are deferred), and
//! at the end builds the indexes once and passes the deferred rows through the normal
//! path. A load killed half-way leaves its committed rows and no indexes; the next
//! start of the program rebuilds them (`indexes::ensure`).

mod binary;
mod postgres;
mod sqlite;

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::AuditAction;
use jiujin_domain::registry::PersonState;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set, TransactionTrait};

use crate::entity::{import_run, person};
use crate::locks::BatchLock;
use crate::{audit, DbUrl, Result, Store, StoreError};

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
    /// Held back during an initial load; its outcome comes from `complete`.
    Deferred,
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
            RowOutcome::Deferred => {}
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
    /// Rough number of rows to come (from the file size), to choose an initial load.
    pub expected_rows: u64,
}

/// The lease an initial load holds while the registry's indexes are down.
pub const INITIAL_LOAD_LOCK: &str = "registry-initial-load";

/// Fewest expected rows for which an initial load is worth dropping the indexes.
pub const INITIAL_LOAD_MIN_ROWS: u64 = 50_000;

/// The identity hashes are uniformly random: their first bytes are the hash.
#[derive(Default)]
struct PrefixHasher(u64);

impl Hasher for PrefixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes.iter().take(8) {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

fn prefix(h: &[u8; 16]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[..8]);
    u64::from_be_bytes(b)
}

enum Mode {
    Normal,
    InitialLoad { prefixes: HashSet<u64, BuildHasherDefault<PrefixHasher>>, deferred: Vec<PersonRow>, lock: BatchLock },
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
    mode: Mode,
    /// This run's lease (`import-run:ID`), renewed while batches come.
    run_lock: Option<BatchLock>,
    renewed: std::time::Instant,
}

/// Time to live of an import's leases. They are renewed at least every
/// `LEASE_RENEW` while batches come, so only a dead or stalled run (a PostgreSQL
/// step may wait up to ten minutes before it fails) outlives it.
const LEASE_TTL: chrono::Duration = chrono::Duration::minutes(30);
const LEASE_RENEW: std::time::Duration = std::time::Duration::from_secs(60);

fn run_lock_kind(run_id: i64) -> String {
    format!("import-run:{run_id}")
}

/// Marks as interrupted every run still recorded as `running` whose process no
/// longer holds its lease (it was killed or crashed); their committed batches stay,
/// and importing the same file again completes them. Each closed run gets the
/// `import.run` audit entry its process never wrote (by 系统, counts unknown).
/// Returns how many were closed.
pub async fn close_abandoned_runs(store: &Store) -> Result<u64> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let live = BatchLock::clear_stale(store).await?;
    let running = import_run::Entity::find().filter(import_run::Column::Status.eq("running")).all(store.conn()).await?;
    let mut closed = 0;
    for run in running {
        if live.contains(&run_lock_kind(run.id)) {
            continue;
        }
        let id = run.id;
        let message = "导入进程未正常结束（被终止或崩溃）；已提交的批次保留，重新导入同一文件即可补全";
        let detail = serde_json::json!({
            "run_id": id,
            "kind": run.kind,
            "file_name": run.file_name,
            "file_sha256": run.file_sha256,
            "as_of": run.as_of.to_string(),
            "status": RunStatus::Interrupted.as_str(),
            "started_by": run.actor,
            "message": message,
        });
        let txn = store.conn().begin().await?;
        let slot = audit::reserve(&txn).await?;
        let mut am: import_run::ActiveModel = run.into();
        am.status = Set(RunStatus::Interrupted.as_str().into());
        am.message = Set(Some(message.into()));
        am.update(&txn).await?;
        let by = audit::Context::local(audit::Actor::system());
        audit::write(&txn, slot, &by.entry(AuditAction::ImportRun, "import_run", Some(id.to_string()), detail)).await?;
        txn.commit().await?;
        tracing::warn!(run = id, "import run closed as interrupted: its process is gone");
        closed += 1;
    }
    Ok(closed)
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
        close_abandoned_runs(store).await?;
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
        // The run's own lease says it is alive; a run left `running` without one
        // was killed (see `close_abandoned_runs`).
        let run_lock = BatchLock::try_acquire(store, &run_lock_kind(run.id), LEASE_TTL).await?;
        // An initial load drops indexes the whole table relies on, so at most one may
        // run: it holds a lease for as long as the indexes are down.
        let load_lock =
            if info.expected_rows >= INITIAL_LOAD_MIN_ROWS && person::Entity::find().count(store.conn()).await? == 0 {
                BatchLock::try_acquire(store, INITIAL_LOAD_LOCK, LEASE_TTL).await?
            } else {
                None
            };
        let initial_load = load_lock.is_some();
        let stamp = RunStamp { run_id: run.id, as_of: info.as_of, actor: info.actor, now };
        let writer = match store.url() {
            DbUrl::Sqlite(path) => Writer::Sqlite(sqlite::Writer::open(path, stamp)?),
            DbUrl::Postgres(url) => Writer::Postgres(postgres::Writer::open(url, stamp).await?),
        };
        let mode = if let Some(lock) = load_lock {
            super::indexes::drop_all(store).await?;
            let capacity = usize::try_from(info.expected_rows).unwrap_or(0).min(10_000_000);
            Mode::InitialLoad {
                prefixes: HashSet::with_capacity_and_hasher(capacity, Default::default()),
                deferred: Vec::new(),
                lock,
            }
        } else {
            Mode::Normal
        };
        tracing::info!(run = run.id, initial_load, "import started");
        Ok(BulkImport {
            run_id: run.id,
            writer: Some(writer),
            seen: Seen::default(),
            mode,
            run_lock,
            renewed: std::time::Instant::now(),
        })
    }

    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Whether this run is an initial load (indexes dropped until `complete`).
    pub fn is_initial_load(&self) -> bool {
        matches!(self.mode, Mode::InitialLoad { .. })
    }

    /// Writes one batch in one transaction; returns each row's outcome (in no
    /// particular order). During an initial load some rows come back `Deferred`.
    pub async fn apply(&mut self, store: &Store, rows: Vec<PersonRow>) -> Result<Vec<(u64, RowOutcome)>> {
        self.keep_leases(store, false).await?;
        let mut rows = rows;
        let append = matches!(self.mode, Mode::InitialLoad { .. });
        let mut deferred_now = Vec::new();
        if let Mode::InitialLoad { prefixes, deferred, .. } = &mut self.mode {
            let mut keep = Vec::with_capacity(rows.len());
            for r in rows {
                if prefixes.insert(prefix(&r.id_hmac)) {
                    keep.push(r);
                } else {
                    deferred_now.push((r.row_no, RowOutcome::Deferred));
                    deferred.push(r);
                }
            }
            rows = keep;
        }
        let mut outcomes = self.write(rows, append).await?;
        outcomes.extend(deferred_now);
        Ok(outcomes)
    }

    /// Renews this run's leases when `LEASE_RENEW` has passed (or now, with `force`).
    async fn keep_leases(&mut self, store: &Store, force: bool) -> Result<()> {
        if !force && self.renewed.elapsed() < LEASE_RENEW {
            return Ok(());
        }
        if let Some(lock) = &self.run_lock {
            lock.renew(store, LEASE_TTL).await?;
        }
        if let Mode::InitialLoad { lock, .. } = &self.mode {
            if !lock.renew(store, LEASE_TTL).await? {
                tracing::warn!("initial-load lease lost while the load runs");
            }
        }
        self.renewed = std::time::Instant::now();
        Ok(())
    }

    async fn write(&mut self, rows: Vec<PersonRow>, append: bool) -> Result<Vec<(u64, RowOutcome)>> {
        match self.writer.take() {
            Some(Writer::Sqlite(mut w)) => {
                let mut seen = std::mem::take(&mut self.seen);
                let mut rows = rows;
                let (w, seen, res) = tokio::task::spawn_blocking(move || {
                    let res = if append { w.append(&rows, &mut seen) } else { w.apply(&mut rows, &mut seen) };
                    (w, seen, res)
                })
                .await
                .map_err(|e| StoreError::Task(e.to_string()))?;
                self.seen = seen;
                self.writer = Some(Writer::Sqlite(w));
                res
            }
            Some(Writer::Postgres(mut w)) => {
                // The merge reports rows in key order; stage them in that order.
                let mut rows = rows;
                if !append {
                    rows.sort_unstable_by_key(|r| (r.id_hmac, r.row_no));
                }
                let res =
                    if append { w.append(&rows, &mut self.seen).await } else { w.apply(&rows, &mut self.seen).await };
                self.writer = Some(Writer::Postgres(w));
                res
            }
            None => Err(StoreError::Task("导入写入器已关闭".into())),
        }
    }

    /// Ends an initial load: builds the indexes and passes the deferred rows through
    /// the normal path, returning their outcomes. Nothing to do otherwise. Call it
    /// also when stopping early, so that the indexes are back at once.
    pub async fn complete(&mut self, store: &Store) -> Result<Vec<(u64, RowOutcome)>> {
        if !self.is_initial_load() {
            return Ok(Vec::new());
        }
        // Index builds at city size take minutes: a fresh lease covers them.
        self.keep_leases(store, true).await?;
        let Mode::InitialLoad { deferred, lock, .. } = std::mem::replace(&mut self.mode, Mode::Normal) else {
            return Ok(Vec::new());
        };
        let started = std::time::Instant::now();
        match self.writer.take() {
            Some(Writer::Sqlite(mut w)) => {
                let (w, res) = tokio::task::spawn_blocking(move || {
                    let res = w.build_indexes();
                    (w, res)
                })
                .await
                .map_err(|e| StoreError::Task(e.to_string()))?;
                self.writer = Some(Writer::Sqlite(w));
                res?;
            }
            other => {
                self.writer = other;
                super::indexes::ensure(store).await?;
                // Fresh statistics for the planner (autovacuum would take a while to
                // notice millions of new rows; until then PostgreSQL estimated a whole
                // city's hukou range at 36,830 rows and sorted on disk).
                if store.backend() == sea_orm::DatabaseBackend::Postgres {
                    use sea_orm::ConnectionTrait as _;
                    store.conn().execute_unprepared("ANALYZE persons, person_events").await?;
                }
            }
        }
        tracing::info!(seconds = started.elapsed().as_secs_f64(), deferred = deferred.len(), "indexes built");
        lock.release(store).await?;
        if deferred.is_empty() {
            return Ok(Vec::new());
        }
        self.write(deferred, false).await
    }

    /// Closes the writer and records the run's end with its counts.
    pub async fn finish(
        self,
        store: &Store,
        status: RunStatus,
        counts: ImportCounts,
        message: Option<String>,
    ) -> Result<()> {
        self.finish_with(store, status, counts, message, None).await
    }

    /// As `finish`, also recording the file's hash and appending the run's one
    /// `import.run` audit entry in the same transaction as the run's end.
    pub async fn finish_audited(
        self,
        store: &Store,
        status: RunStatus,
        counts: ImportCounts,
        message: Option<String>,
        audit: RunAudit<'_>,
    ) -> Result<()> {
        self.finish_with(store, status, counts, message, Some(audit)).await
    }

    async fn finish_with(
        mut self,
        store: &Store,
        status: RunStatus,
        counts: ImportCounts,
        message: Option<String>,
        audit: Option<RunAudit<'_>>,
    ) -> Result<()> {
        if let Mode::InitialLoad { lock, .. } = std::mem::replace(&mut self.mode, Mode::Normal) {
            super::indexes::ensure(store).await?;
            lock.release(store).await?;
        }
        if let Some(Writer::Postgres(w)) = self.writer.take() {
            w.close().await;
        }
        match audit {
            Some(a) => finish_run_audited(store, self.run_id, status, counts, message, a).await?,
            None => finish_run(store, self.run_id, status, counts, message).await?,
        }
        if let Some(lock) = self.run_lock.take() {
            lock.release(store).await?;
        }
        Ok(())
    }
}

/// What the audit log records of a run besides its row in `import_runs`.
#[derive(Debug, Clone, Copy)]
pub struct RunAudit<'a> {
    /// SHA-256 of the whole file (hex).
    pub file_sha256: &'a str,
    pub by: &'a audit::Context,
}

fn set_end(am: &mut import_run::ActiveModel, status: RunStatus, counts: ImportCounts, message: Option<String>) {
    am.status = Set(status.as_str().into());
    am.inserted = Set(counts.inserted as i64);
    am.updated = Set(counts.updated as i64);
    am.unchanged = Set(counts.unchanged as i64);
    am.rejected = Set(counts.rejected as i64);
    am.message = Set(message);
    am.finished_at = Set(Some(Utc::now()));
}

/// Records the end of a run (also for runs that failed before writing anything).
pub async fn finish_run(
    store: &Store,
    run_id: i64,
    status: RunStatus,
    counts: ImportCounts,
    message: Option<String>,
) -> Result<()> {
    let Some(run) = import_run::Entity::find_by_id(run_id).one(store.conn()).await? else {
        return Err(StoreError::Corrupt(format!("import_runs id={run_id}")));
    };
    let mut am: import_run::ActiveModel = run.into();
    set_end(&mut am, status, counts, message);
    am.update(store.conn()).await?;
    Ok(())
}

/// Records the end of a run with its file's hash, and its `import.run` audit entry
/// (file, hash, counts, run id), in one transaction.
pub async fn finish_run_audited(
    store: &Store,
    run_id: i64,
    status: RunStatus,
    counts: ImportCounts,
    message: Option<String>,
    a: RunAudit<'_>,
) -> Result<()> {
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let Some(run) = import_run::Entity::find_by_id(run_id).one(&txn).await? else {
        return Err(StoreError::Corrupt(format!("import_runs id={run_id}")));
    };
    let detail = serde_json::json!({
        "run_id": run_id,
        "kind": run.kind,
        "file_name": run.file_name,
        "file_sha256": a.file_sha256,
        "as_of": run.as_of.to_string(),
        "status": status.as_str(),
        "inserted": counts.inserted,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "rejected": counts.rejected,
        "message": message,
    });
    let mut am: import_run::ActiveModel = run.into();
    set_end(&mut am, status, counts, message);
    am.file_sha256 = Set(a.file_sha256.to_string());
    am.update(&txn).await?;
    let entry = a.by.entry(AuditAction::ImportRun, "import_run", Some(run_id.to_string()), detail);
    audit::write(&txn, slot, &entry).await?;
    txn.commit().await?;
    Ok(())
}

/// Records the SHA-256 of the imported file once it has been read through.
pub async fn set_run_hash(store: &Store, run_id: i64, sha256: &str) -> Result<()> {
    if let Some(run) = import_run::Entity::find_by_id(run_id).one(store.conn()).await? {
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
