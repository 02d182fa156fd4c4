//! One writer thread that commits many requests' writes in one transaction (group commit).
//!
//! SQLite takes one writer at a time, and with `synchronous = FULL` every commit waits for the
//! disk: one transaction per request caps a ledger at the fsyncs the disk does in a second.
//! Here requests queue for one dedicated thread, which applies every request waiting (up to
//! [`WriterOptions::max_batch`]) in one transaction, commits once, and only then answers each:
//! no answer is sent for a write a crash could still take back, and the fsync is paid once per
//! batch instead of once per request.
//!
//! The batch is applied as a whole (one call of the writer's [`Apply`], which decides each
//! request in order with the checks it would get alone: a write sees those before it in the
//! batch, so limits stay exact and a repeated key is seen), so its statements do not grow with
//! its size: on a database over the network, each statement is a round trip. When the whole
//! fails (a database error, not a refusal), it is rolled back and applied again one request at
//! a time, each in a savepoint of its own: the one that fails is rolled back alone, never
//! failing its neighbours.

use crate::db::Pool;
use crate::error::AppError;
use crate::store::sql::{self, Conn, TxKind};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::error::{TryRecvError, TrySendError};
use tokio::sync::{mpsc, oneshot};

/// How the writer queues and batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterOptions {
    /// Requests that may wait for the writer; one more is a 503 with `Retry-After` at once,
    /// so a backlog is refused instead of growing without bound (default 4,096).
    pub queue: usize,
    /// Most requests committed in one transaction (default 512): bounds how long one
    /// transaction holds SQLite's write lock.
    pub max_batch: usize,
    /// How long a batch waits for more requests once the queue is empty (default 1 ms). The
    /// writer never idles while work is queued: a batch is what arrived during the previous
    /// commit, and this only lets requests already on their way join it.
    pub max_wait: Duration,
}

impl Default for WriterOptions {
    fn default() -> Self {
        Self {
            queue: 4_096,
            max_batch: 512,
            max_wait: Duration::from_millis(1),
        }
    }
}

/// Applies requests inside the batch's transaction: one outcome for each, in order (an
/// `Err` outcome writes nothing of its request). An `Err` of the whole is a failure of the
/// database, and undoes the call.
pub type Apply<R, T> = fn(&mut Conn<'_>, &[&R]) -> Result<Vec<Result<T, AppError>>, AppError>;

struct Job<R, T> {
    request: R,
    reply: oneshot::Sender<Result<T, AppError>>,
}

/// The handle requests are sent through; the thread ends when the last handle is dropped.
pub struct Writer<R, T> {
    queue: mpsc::Sender<Job<R, T>>,
    stats: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    batches: AtomicU64,
    requests: AtomicU64,
}

/// What the writer has committed since it started (for metrics, and for tests to see that
/// requests were batched).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterStats {
    /// Transactions committed.
    pub batches: u64,
    /// Requests in them (each answered with its own outcome, success or refusal).
    pub requests: u64,
}

// Not derived: a derive would ask `R` and `T` to be `Clone`, which the handle does not need.
impl<R, T> Clone for Writer<R, T> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
            stats: Arc::clone(&self.stats),
        }
    }
}

impl<R: Send + 'static, T: Send + 'static> Writer<R, T> {
    /// Starts the writer thread `name`, writing through `pool` with `apply`.
    pub fn start(
        name: &str,
        pool: Pool,
        opts: WriterOptions,
        apply: Apply<R, T>,
    ) -> anyhow::Result<Self> {
        let opts = WriterOptions {
            queue: opts.queue.max(1),
            max_batch: opts.max_batch.max(1),
            ..opts
        };
        let (queue, jobs) = mpsc::channel(opts.queue);
        // The linger is a timed wait on the queue; a runtime of the thread's own gives it one
        // without borrowing a worker of the server's runtime.
        let timer = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()?;
        let stats = Arc::new(Counters::default());
        let counters = Arc::clone(&stats);
        let file = crate::db::FileIdentity::of(&pool)?;
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || run(&pool, &file, opts, apply, jobs, &timer, &counters))?;
        Ok(Self { queue, stats })
    }

    /// What has been committed so far.
    pub fn stats(&self) -> WriterStats {
        WriterStats {
            batches: self.stats.batches.load(Ordering::Relaxed),
            requests: self.stats.requests.load(Ordering::Relaxed),
        }
    }

    /// Queues `request` and waits until the transaction it is in has committed (or failed).
    /// A full queue is a 503 at once, never a wait.
    pub async fn submit(&self, request: R) -> Result<T, AppError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .try_send(Job { request, reply })
            .map_err(|e| match e {
                TrySendError::Full(_) => {
                    AppError::Unavailable("the write queue is full".to_owned())
                }
                TrySendError::Closed(_) => {
                    AppError::Internal(anyhow::anyhow!("the writer thread has stopped"))
                }
            })?;
        answer.await.map_err(|_| {
            AppError::Internal(anyhow::anyhow!(
                "the writer dropped a request unanswered (it panicked; see the log)"
            ))
        })?
    }
}

fn run<R, T>(
    pool: &Pool,
    file: &crate::db::FileIdentity,
    opts: WriterOptions,
    apply: Apply<R, T>,
    mut jobs: mpsc::Receiver<Job<R, T>>,
    timer: &tokio::runtime::Runtime,
    stats: &Counters,
) {
    let mut conn = None;
    let mut batch = Vec::with_capacity(opts.max_batch);
    loop {
        if jobs.is_empty() {
            // Idle: the connection goes back to the pool, where readers need it more.
            conn = None;
        }
        let Some(first) = jobs.blocking_recv() else {
            return;
        };
        batch.push(first);
        gather(&mut jobs, &mut batch, opts, timer);
        let mut c = match conn.take() {
            Some(c) => c,
            None => match pool.get() {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, requests = batch.len(), "no connection for the writer");
                    for job in batch.drain(..) {
                        let _ = job.reply.send(Err(AppError::Unavailable(e.to_string())));
                    }
                    continue;
                }
            },
        };
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            commit_batch(&mut c, file, &mut batch, apply, stats);
        }));
        if outcome.is_ok() {
            conn = Some(c);
        } else {
            // The requests of the batch are dropped unanswered (their handlers answer 500); the
            // thread lives on for the next ones, on a fresh connection.
            tracing::error!(
                requests = batch.len(),
                "the writer panicked; batch rolled back"
            );
            batch.clear();
        }
    }
}

/// Adds to `batch` what is queued, then what arrives within `max_wait`, up to `max_batch`.
fn gather<R, T>(
    jobs: &mut mpsc::Receiver<Job<R, T>>,
    batch: &mut Vec<Job<R, T>>,
    opts: WriterOptions,
    timer: &tokio::runtime::Runtime,
) {
    let deadline = Instant::now() + opts.max_wait;
    while batch.len() < opts.max_batch {
        match jobs.try_recv() {
            Ok(job) => batch.push(job),
            Err(TryRecvError::Disconnected) => return,
            Err(TryRecvError::Empty) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return;
                }
                // The timer is made inside the runtime: it needs the runtime's time driver.
                match timer.block_on(async { tokio::time::timeout(left, jobs.recv()).await }) {
                    Ok(Some(job)) => batch.push(job),
                    Ok(None) | Err(_) => return,
                }
            }
        }
    }
}

/// Applies and commits `batch`, then answers each request; empties `batch`.
fn commit_batch<R, T>(
    conn: &mut crate::db::Pooled,
    file: &crate::db::FileIdentity,
    batch: &mut Vec<Job<R, T>>,
    apply: Apply<R, T>,
    stats: &Counters,
) {
    match apply_all(&mut conn.conn(), file, batch, apply) {
        Ok(outcomes) => {
            stats.batches.fetch_add(1, Ordering::Relaxed);
            stats
                .requests
                .fetch_add(outcomes.len() as u64, Ordering::Relaxed);
            for (job, outcome) in batch.drain(..).zip(outcomes) {
                // A client that went away still has its write: a retry with its key finds it.
                let _ = job.reply.send(outcome);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, requests = batch.len(), "batch not committed");
            for job in batch.drain(..) {
                let _ = job.reply.send(Err(same_error(&e)));
            }
        }
    }
}

/// Why a transaction of the writer did not commit.
enum Failed {
    Db(sql::Error),
    Apply(AppError),
}

impl From<sql::Error> for Failed {
    fn from(e: sql::Error) -> Self {
        Self::Db(e)
    }
}

fn apply_all<R, T>(
    db: &mut Conn<'_>,
    file: &crate::db::FileIdentity,
    batch: &[Job<R, T>],
    apply: Apply<R, T>,
) -> sql::Result<Vec<Result<T, AppError>>> {
    let requests: Vec<&R> = batch.iter().map(|j| &j.request).collect();
    let whole = db.transaction(TxKind::Write, |tx| {
        // Checked holding the write lock: nothing is committed to a file that is no longer
        // the database's (removed or renamed under the server).
        file.check()?;
        match apply(tx, &requests) {
            Ok(outcomes) if outcomes.len() == requests.len() => Ok(outcomes),
            Ok(outcomes) => Err(Failed::Apply(AppError::Internal(anyhow::anyhow!(
                "the writer answered {} of {} requests",
                outcomes.len(),
                requests.len()
            )))),
            Err(e) => Err(Failed::Apply(e)),
        }
    });
    match whole {
        Ok(outcomes) => return Ok(outcomes),
        Err(Failed::Apply(e)) if requests.len() == 1 => return Ok(vec![Err(e)]),
        Err(Failed::Db(e)) if requests.len() == 1 => return Err(e),
        Err(failed) => {
            let error = match failed {
                Failed::Db(e) => e.to_string(),
                Failed::Apply(e) => e.to_string(),
            };
            tracing::debug!(%error, requests = requests.len(), "batch failed; applying its requests one at a time");
        }
    }
    db.transaction(TxKind::Write, |tx| {
        file.check()?;
        let mut outcomes = Vec::with_capacity(requests.len());
        for r in &requests {
            tx.batch("SAVEPOINT one_request")?;
            let outcome = match apply(tx, std::slice::from_ref(r)).map(Vec::into_iter) {
                Ok(mut one) => match (one.next(), one.next()) {
                    (Some(outcome), None) => outcome,
                    _ => Err(AppError::Internal(anyhow::anyhow!(
                        "the writer answered a request other than once"
                    ))),
                },
                Err(e) => Err(e),
            };
            if outcome.is_err() {
                // Fails when the database itself rolled the whole transaction back (a full
                // disk, an I/O error): then nothing of the batch is kept, and every request
                // hears so.
                tx.batch("ROLLBACK TO SAVEPOINT one_request")?;
            }
            tx.batch("RELEASE SAVEPOINT one_request")?;
            outcomes.push(outcome);
        }
        Ok(outcomes)
    })
}

/// What each request of a failed batch answers: a busy or unavailable database is a 503 for
/// every one of them, as it would be alone.
fn same_error(e: &sql::Error) -> AppError {
    if e.is_transient() {
        AppError::Unavailable(e.to_string())
    } else {
        AppError::Internal(anyhow::anyhow!("batch not committed: {e}"))
    }
}
