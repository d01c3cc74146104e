//! Group commit for the audit entries of reads. Every person read and every search
//! must be in the log before its answer leaves; written one transaction each, a
//! busy server spends its time queueing for the database's write lock. Here one
//! task per server takes whatever entries are waiting, writes them in one
//! transaction (`audit::record_many`, still one chained entry each) and then lets
//! each request go on. Nothing is answered before its entry is committed.

use jiujin_store::audit::{self, AuditEntry};
use jiujin_store::Store;
use tokio::sync::{mpsc, oneshot};

use crate::WebError;

/// Most entries committed together.
const MAX_BATCH: usize = 512;

type Waiting = (AuditEntry, oneshot::Sender<Result<u64, String>>);

/// The sending side; cloned into every request's state.
#[derive(Clone)]
pub struct AuditQueue {
    tx: mpsc::Sender<Waiting>,
}

impl AuditQueue {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(store: Store) -> Result<AuditQueue, WebError> {
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| WebError::Internal("审计写入任务需要在 tokio 运行时中启动".into()))?;
        let (tx, rx) = mpsc::channel::<Waiting>(4 * MAX_BATCH);
        handle.spawn(write_batches(store, rx));
        Ok(AuditQueue { tx })
    }

    /// Writes `entry` (with whatever else is waiting) and returns its number once it
    /// is committed.
    pub async fn record(&self, entry: AuditEntry) -> Result<u64, WebError> {
        let (done, wait) = oneshot::channel();
        self.tx.send((entry, done)).await.map_err(|_| WebError::Internal("审计写入任务已停止".into()))?;
        match wait.await {
            Ok(Ok(seq)) => Ok(seq),
            Ok(Err(e)) => Err(WebError::Internal(format!("审计记录写入失败：{e}"))),
            Err(_) => Err(WebError::Internal("审计写入任务已停止".into())),
        }
    }
}

async fn write_batches(store: Store, mut rx: mpsc::Receiver<Waiting>) {
    let mut batch: Vec<Waiting> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let entries: Vec<&AuditEntry> = batch.iter().map(|(e, _)| e).collect();
        match audit::record_many(&store, &entries).await {
            Ok(seqs) => {
                for ((_, done), seq) in batch.drain(..).zip(seqs) {
                    let _ = done.send(Ok(seq));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, entries = batch.len(), "audit batch failed");
                let message = e.to_string();
                for (_, done) in batch.drain(..) {
                    let _ = done.send(Err(message.clone()));
                }
            }
        }
    }
}
