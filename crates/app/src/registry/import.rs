//! `jiujin import workers`: streams a worker file through validation, hashing and
//! encryption on one thread while the store writes batches on another; valid rows
//! are applied, invalid ones go to the rejects file with row, column and reason.
//! A file that cannot be read at all is refused before anything is written.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{validate_row, FieldError, HeaderMap, RowContext};
use jiujin_store::audit;
use jiujin_store::registry::bulk::{BulkImport, ImportCounts, PersonRow, RowOutcome, RunAudit, RunInfo, RunStatus};
use jiujin_store::{Scope, Store};

use super::rejects::{Reject, RejectsError, RejectsWriter};
use super::source::{Cells, RawRow, Source, SourceError};
use crate::crypto::Keys;

/// What to import and how.
pub struct ImportRequest<'a> {
    pub path: &'a Path,
    pub rejects: Option<&'a Path>,
    /// Whose persons the file may bring: a row whose hukou and residence both lie
    /// outside it is rejected (the command line imports for the whole city).
    pub scope: Scope,
    /// The date the file describes (event date of the changes it brings).
    pub as_of: NaiveDate,
    pub actor: Option<String>,
    /// Who runs the import, for its `import.run` audit entry.
    pub by: audit::Context,
    pub batch_size: usize,
    /// Set to stop after the batch in flight (Ctrl-C).
    pub cancel: Option<Arc<AtomicBool>>,
    pub progress: Option<&'a (dyn Fn(&ImportProgress) + Sync)>,
}

/// Progress reported after each batch.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportProgress {
    pub rows: u64,
    pub bytes: u64,
    pub file_bytes: u64,
    pub counts: ImportCounts,
}

/// The result of an import that ran.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    pub run_id: i64,
    pub counts: ImportCounts,
    /// Data rows read (empty rows are skipped and not counted).
    pub rows: u64,
    pub interrupted: bool,
    /// The first rejects, for display (all of them are in the rejects file).
    pub first_rejects: Vec<Reject>,
    pub file_sha256: String,
    #[serde(skip)]
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("{0}")]
    Header(#[from] jiujin_domain::registry::HeaderError),
    #[error(transparent)]
    Rejects(#[from] RejectsError),
    #[error(transparent)]
    Store(#[from] jiujin_store::StoreError),
    #[error("参考数据损坏：{0}")]
    RefData(String),
    #[error("读取线程异常结束")]
    Reader,
}

/// How many rejects the report keeps in memory.
const KEEP_REJECTS: usize = 50;

/// Typical bytes per row of a worker file, to estimate its rows from its size.
const APPROX_ROW_BYTES: u64 = 150;

struct Batch {
    valid: Vec<PersonRow>,
    refused: Vec<Reject>,
    /// Original cells of the valid rows, by row number, for rejects found later
    /// (duplicates within the file).
    raw: Vec<(u64, Cells)>,
}

enum Message {
    Batch(Batch),
    Failed(SourceError),
    Done { sha256: String, rows: u64 },
}

fn reject(row: u64, errors: Vec<FieldError>, cells: Vec<String>) -> Reject {
    let mut columns: Vec<&str> = Vec::new();
    for e in &errors {
        if !columns.contains(&e.column) {
            columns.push(e.column);
        }
    }
    Reject {
        row,
        column: columns.join("；"),
        reason: errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；"),
        cells,
    }
}

/// Validates, hashes and encrypts rows; runs on its own thread.
fn produce(
    mut source: Source,
    header: HeaderMap,
    keys: Keys,
    today: NaiveDate,
    scope: Scope,
    batch: usize,
    tx: tokio::sync::mpsc::Sender<Message>,
) {
    let refdata = match RefData::embedded() {
        Ok(r) => r,
        Err(_) => return,
    };
    let ctx = RowContext { refdata, today };
    let id_col = header.position("id_number");
    let mut scratch = Vec::with_capacity(256);
    let mut rows = 0u64;
    loop {
        let mut valid = Vec::with_capacity(batch);
        let mut refused = Vec::new();
        let mut raw = Vec::with_capacity(batch);
        let mut end = false;
        while valid.len() + refused.len() < batch {
            let row = match source.next_row() {
                Ok(Some(r)) => r,
                Ok(None) => {
                    end = true;
                    break;
                }
                Err(e) => {
                    let _ = tx.blocking_send(Message::Failed(e));
                    return;
                }
            };
            rows += 1;
            let RawRow { row_no, cells, numeric_cells } = row;
            let cells = match cells {
                Cells::BadEncoding(c) => {
                    let reason = match source.encoding {
                        Some(super::source::Encoding::Gb18030) => "本行含有无法按GB18030/GBK解码的字节",
                        _ => "本行含有非UTF-8编码的字节（文件其余部分为UTF-8），请检查该行或以UTF-8重新保存",
                    };
                    refused.push(reject(row_no, vec![FieldError::new("（整行）", reason)], c));
                    continue;
                }
                other => other,
            };
            if jiujin_domain::registry::Cells::width(&cells) != header.width {
                let e = FieldError::new(
                    "（整行）",
                    format!(
                        "本行有{}列，表头有{}列；请检查是否有多余或缺少的分隔符",
                        jiujin_domain::registry::Cells::width(&cells),
                        header.width
                    ),
                );
                refused.push(reject(row_no, vec![e], cells.to_vec()));
                continue;
            }
            if id_col.is_some_and(|c| numeric_cells.contains(&c)) {
                let e = FieldError::new(
                    "公民身份号码",
                    "公民身份号码被Excel存成了数字，末几位可能已丢失；请将该列设置为文本格式后重新填写",
                );
                refused.push(reject(row_no, vec![e], cells.to_vec()));
                continue;
            }
            match validate_row(&ctx, &header, &cells) {
                Ok(record) if !scope.admits(record.state.hukou_region, record.state.residence_region) => {
                    let e =
                        FieldError::new("户籍地区划代码", "户籍地和现居住地都不在本账号的管辖范围内，不能由本账号导入");
                    refused.push(reject(row_no, vec![e], cells.to_vec()));
                }
                Ok(mut record) => {
                    let id_hmac = keys.id_hmac(&record.id_number);
                    let phone_hmac = record.phone.as_ref().map(|p| keys.phone_hmac(p));
                    record.state.phone_digest = phone_hmac;
                    let digest = keys.record_digest(&id_hmac, &record.state, &mut scratch);
                    valid.push(PersonRow {
                        row_no,
                        id_hmac,
                        id_cipher: keys.encrypt_id(&record.id_number),
                        phone_hmac,
                        phone_cipher: record.phone.as_ref().map(|p| keys.encrypt_phone(p)),
                        state: record.state,
                        digest,
                    });
                    raw.push((row_no, cells));
                }
                Err(errors) => refused.push(reject(row_no, errors, cells.to_vec())),
            }
        }
        let empty = valid.is_empty() && refused.is_empty();
        if !empty && tx.blocking_send(Message::Batch(Batch { valid, refused, raw })).is_err() {
            return;
        }
        if end {
            let _ = tx.blocking_send(Message::Done { sha256: source.sha256(), rows });
            return;
        }
    }
}

/// A written batch waiting to be tallied: outcomes, rejects from validation, cells.
type Written = (Vec<(u64, RowOutcome)>, Vec<Reject>, Vec<(u64, Cells)>);

/// Where row outcomes go: the counts, the report's first rejects and the rejects file.
struct Tally<'a> {
    counts: &'a mut ImportCounts,
    first_rejects: &'a mut Vec<Reject>,
    rejects_out: Option<&'a mut RejectsWriter>,
}

impl Tally<'_> {
    /// Counts a batch's outcomes and writes its rejects in row order. `raw` holds the
    /// batch's valid rows' cells (sorted by row); deferred rows' cells go to `held`.
    fn record(
        &mut self,
        outcomes: Vec<(u64, RowOutcome)>,
        mut refused: Vec<Reject>,
        raw: &[(u64, Cells)],
        held: &mut Vec<(u64, Cells)>,
    ) -> Result<(), ImportError> {
        let cells_of = |row: u64| raw.binary_search_by_key(&row, |(r, _)| *r).ok().map(|i| raw[i].1.clone());
        let cells_vec = |row: u64| cells_of(row).map(|c| c.to_vec()).unwrap_or_default();
        for (row, outcome) in outcomes {
            match outcome {
                RowOutcome::Duplicate { first_row } => refused.push(reject(
                    row,
                    vec![FieldError::new("公民身份号码", format!("公民身份号码与本文件第{first_row}行重复"))],
                    cells_vec(row),
                )),
                RowOutcome::Deferred => {
                    if let Some(c) = cells_of(row) {
                        held.push((row, c));
                    }
                }
                other => self.counts.add(other),
            }
        }
        refused.sort_by_key(|r| r.row);
        self.counts.rejected += refused.len() as u64;
        for r in refused {
            if let Some(w) = self.rejects_out.as_deref_mut() {
                w.write(&r)?;
            }
            if self.first_rejects.len() < KEEP_REJECTS {
                self.first_rejects.push(r);
            }
        }
        Ok(())
    }
}

/// SHA-256 (hex) of a whole file, read on a blocking thread.
pub async fn file_sha256(path: &Path) -> std::io::Result<String> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        use sha2::{Digest, Sha256};
        let mut f = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
        let mut h = Sha256::new();
        std::io::copy(&mut f, &mut h)?;
        Ok(hex::encode(h.finalize()))
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Imports a worker file; the run ends with one `import.run` audit entry (file,
/// hash, counts, run id) by `req.by`. Errors before the run starts (unreadable file, missing
/// headers, bad rejects path) change nothing.
pub async fn import_workers(store: &Store, keys: &Keys, req: ImportRequest<'_>) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    RefData::embedded().map_err(|e| ImportError::RefData(e.to_string()))?;
    let bytes = Arc::new(AtomicU64::new(0));
    let file_bytes = std::fs::metadata(req.path).map(|m| m.len()).unwrap_or(0);
    let source = Source::open(req.path, bytes.clone())?;
    let header = HeaderMap::from_headers(&source.header)?;
    let mut rejects_out = match req.rejects {
        Some(p) => Some(RejectsWriter::create(p, &source.header)?),
        None => None,
    };
    let file_name = req.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut import = BulkImport::start(
        store,
        RunInfo {
            kind: "workers".into(),
            file_name,
            file_sha256: String::new(),
            as_of: req.as_of,
            actor: req.actor.clone(),
            expected_rows: file_bytes / APPROX_ROW_BYTES,
        },
    )
    .await?;

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Message>(2);
    let batch = req.batch_size.max(1);
    let keys_for_reader = keys.clone();
    let today = req.as_of;
    let scope = req.scope;
    let reader = std::thread::Builder::new()
        .name("import-reader".into())
        .spawn(move || produce(source, header, keys_for_reader, today, scope, batch, tx))
        .map_err(|_| ImportError::Reader)?;

    let mut counts = ImportCounts::default();
    let mut first_rejects = Vec::new();
    let mut rows = 0u64;
    let mut sha256 = String::new();
    let mut interrupted = false;
    let mut failure: Option<ImportError> = None;
    // Cells of rows an initial load deferred, until their outcome is known.
    let mut held: Vec<(u64, Cells)> = Vec::new();

    // The outcomes of batch N are tallied while the store writes batch N+1.
    let mut wait_reader = std::time::Duration::ZERO;
    let mut wait_writer = std::time::Duration::ZERO;
    let mut pending: Option<Written> = None;
    loop {
        if req.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            interrupted = true;
            break;
        }
        let t0 = Instant::now();
        let got = rx.recv().await;
        wait_reader += t0.elapsed();
        let Some(msg) = got else {
            failure = Some(ImportError::Reader);
            break;
        };
        let Batch { valid, refused, raw } = match msg {
            Message::Batch(b) => b,
            Message::Failed(e) => {
                failure = Some(e.into());
                break;
            }
            Message::Done { sha256: s, rows: r } => {
                sha256 = s;
                rows = r;
                break;
            }
        };
        let previous = pending.take();
        let mut tally =
            Tally { counts: &mut counts, first_rejects: &mut first_rejects, rejects_out: rejects_out.as_mut() };
        let tally_previous = async {
            match previous {
                Some((outcomes, refused, raw)) => tally.record(outcomes, refused, &raw, &mut held),
                None => Ok(()),
            }
        };
        let t0 = Instant::now();
        let (written, tallied) = tokio::join!(import.apply(store, valid), tally_previous);
        wait_writer += t0.elapsed();
        if let Err(e) = tallied {
            failure = Some(e);
            break;
        }
        match written {
            Ok(outcomes) => pending = Some((outcomes, refused, raw)),
            Err(e) => {
                failure = Some(e.into());
                break;
            }
        }
        if let Some(p) = req.progress {
            p(&ImportProgress {
                rows: counts.inserted + counts.updated + counts.unchanged + counts.rejected,
                bytes: bytes.load(Ordering::Relaxed),
                file_bytes,
                counts,
            });
        }
    }
    if let Some((outcomes, refused, raw)) = pending.take() {
        let mut tally =
            Tally { counts: &mut counts, first_rejects: &mut first_rejects, rejects_out: rejects_out.as_mut() };
        if let Err(e) = tally.record(outcomes, refused, &raw, &mut held) {
            failure = failure.or(Some(e));
        }
    }
    tracing::info!(wait_reader = wait_reader.as_secs_f64(), wait_writer = wait_writer.as_secs_f64(), "pipeline");
    drop(rx);
    let _ = reader.join();
    // An initial load builds its indexes and settles the rows it deferred, also when
    // stopped early.
    match import.complete(store).await {
        Ok(outcomes) if failure.is_none() => {
            held.sort_by_key(|(r, _)| *r);
            let mut tally =
                Tally { counts: &mut counts, first_rejects: &mut first_rejects, rejects_out: rejects_out.as_mut() };
            let mut unused = Vec::new();
            if let Err(e) = tally.record(outcomes, Vec::new(), &held, &mut unused) {
                failure = Some(e);
            }
        }
        Ok(_) => {}
        Err(e) => failure = failure.or(Some(e.into())),
    }

    let status = match (&failure, interrupted) {
        (Some(_), _) => RunStatus::Failed,
        (None, true) => RunStatus::Interrupted,
        (None, false) => RunStatus::Done,
    };
    let message = failure.as_ref().map(ToString::to_string);
    let run_id = import.run_id();
    if sha256.is_empty() {
        // Stopped before the end of the file: hash it whole for the record.
        sha256 = file_sha256(req.path).await.unwrap_or_default();
    }
    import.finish_audited(store, status, counts, message, RunAudit { file_sha256: &sha256, by: &req.by }).await?;
    if let Some(w) = rejects_out {
        w.finish()?;
    }
    if let Some(e) = failure {
        return Err(e);
    }
    if interrupted {
        rows = counts.inserted + counts.updated + counts.unchanged + counts.rejected;
    }
    Ok(ImportReport {
        run_id,
        counts,
        rows,
        interrupted,
        first_rejects,
        file_sha256: sha256,
        elapsed: started.elapsed(),
    })
}
