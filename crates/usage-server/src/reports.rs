//! Report generation: a queue kept in the database, worked by a fixed number of workers that
//! take turns by realm, each writing a report's CSV to the report store ([`files`]: a local
//! folder, or an S3-compatible bucket every replica shares).
//!
//! The queue is the `reports` rows in progress (`running` 0: waiting, 1: being generated),
//! so a restart reads it back exactly as it was; nothing it needs lives only in memory.
//!
//! What runs when, in which transaction, and what an outcome means are decided here; the
//! statements themselves are [`crate::store::reports`]'s.

use crate::csv_out::CsvRows;
use crate::db::Interrupter;
use crate::db::Pool;
use crate::query;
use crate::store::reports as store;
use crate::store::sql::{self, Conn, TxKind};
pub mod files;

use files::{Entry, ReportStore};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use usage_api::limits;
use usage_api::usage::{QueryKind, UsageQuery};

/// How the report queue behaves. [`Default`] gives the documented defaults.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Reports generated at once, across all realms (default 2).
    pub workers: usize,
    /// Reports one realm may have in progress, waiting or running; one more is a 429
    /// (default [`limits::REPORTS_IN_PROGRESS_MAX`]).
    pub max_in_progress: u32,
    /// Longest one run may take; a run past it is stopped and counts as a failed attempt
    /// (default [`limits::REPORT_DEADLINE_SECS`]).
    pub deadline: Duration,
    /// Runs a report gets before it is marked `failed`, counted across restarts
    /// (default [`limits::REPORT_MAX_ATTEMPTS`]).
    pub max_attempts: u32,
    /// How long a report and its file are kept once it is completed or failed
    /// (default [`limits::REPORT_RETENTION_DAYS`] days).
    pub retention: Duration,
    /// How often expired reports are deleted (also once at start; default an hour).
    pub sweep_interval: Duration,
    /// `Retry-After` of the 429 for a realm at its cap, in seconds (default 30).
    pub busy_retry_after_secs: u64,
    /// Most records a report holds (default [`limits::REPORT_MAX_RECORDS`]).
    pub max_records: u64,
    /// How long a running report stays its worker's without word from it (default 30 s): the
    /// worker renews it every third of that, and a report whose lease runs out lost its
    /// worker (a process killed, on this replica or another) and is taken by the next one.
    pub lease: Duration,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            workers: 2,
            max_in_progress: limits::REPORTS_IN_PROGRESS_MAX,
            deadline: Duration::from_secs(limits::REPORT_DEADLINE_SECS),
            max_attempts: limits::REPORT_MAX_ATTEMPTS,
            retention: Duration::from_secs(limits::REPORT_RETENTION_DAYS * 86_400),
            sweep_interval: Duration::from_secs(3_600),
            busy_retry_after_secs: 30,
            max_records: limits::REPORT_MAX_RECORDS,
            lease: Duration::from_secs(30),
        }
    }
}

/// The report queue, its workers and the report store.
#[derive(Clone)]
pub struct Reports {
    /// Where report files are kept.
    files: ReportStore,
    /// How the queue behaves.
    pub options: ReportOptions,
    /// Wakes an idle worker when a report is queued (the database stays the source of truth:
    /// workers also look on their own every [`POLL`]).
    wake: Arc<Notify>,
    /// Workers are started once, however often the state is cloned.
    started: Arc<AtomicBool>,
}

/// How often an idle worker looks at the queue without being woken.
const POLL: Duration = Duration::from_millis(500);

/// A report `create` could not queue.
#[derive(Debug)]
pub enum Refused {
    /// The realm already has `max_in_progress` reports in progress.
    Busy {
        /// The cap it is at.
        max_in_progress: u32,
    },
    /// The database failed.
    Db(sql::Error),
}

impl From<sql::Error> for Refused {
    fn from(e: sql::Error) -> Self {
        Self::Db(e)
    }
}

/// How one run ended.
enum Outcome {
    Done(anyhow::Result<()>),
    PastDeadline,
}

impl Reports {
    /// A queue writing to the folder `dir` with `concurrency` workers and the other defaults.
    pub fn new(dir: PathBuf, concurrency: usize) -> anyhow::Result<Self> {
        Self::with_options(
            dir,
            ReportOptions {
                workers: concurrency,
                ..ReportOptions::default()
            },
        )
    }

    /// A queue writing to the folder `dir`, behaving as `options` say.
    pub fn with_options(dir: PathBuf, options: ReportOptions) -> anyhow::Result<Self> {
        Ok(Self::with_store(ReportStore::local(&dir)?, options))
    }

    /// A queue writing to `files`, behaving as `options` say.
    pub fn with_store(files: ReportStore, options: ReportOptions) -> Self {
        Self {
            files,
            options,
            wake: Arc::new(Notify::new()),
            started: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Where report files are kept.
    pub fn files(&self) -> &ReportStore {
        &self.files
    }

    /// Queues a report of `realm` unless the realm is at its cap; returns its id.
    pub fn submit(
        &self,
        db: &mut Conn<'_>,
        realm: &str,
        query: &str,
        sub_accounts: Option<&str>,
    ) -> Result<i64, Refused> {
        // One write transaction holding the realm's queue: the count and the insert are one
        // step, so two racing requests (on any replica) cannot both take the last place.
        let id = db.transaction(TxKind::Write, |tx| {
            store::lock_realm_queue(tx, realm)?;
            let in_progress = store::in_progress(tx, realm)?;
            if in_progress >= i64::from(self.options.max_in_progress) {
                return Err(Refused::Busy {
                    max_in_progress: self.options.max_in_progress,
                });
            }
            Ok(store::insert_queued(
                tx,
                realm,
                query,
                sub_accounts,
                chrono::Utc::now().timestamp(),
            )?)
        })?;
        self.wake.notify_one();
        Ok(id)
    }

    /// Reports waiting and reports being generated, across all realms.
    pub fn queue_depth(db: &mut Conn<'_>) -> sql::Result<(u64, u64)> {
        store::queue_depth(db)
    }

    /// Reads the queue back after a start: a run the previous process left unfinished counts
    /// as an attempt (failed once it was the last one, queued again otherwise), expired reports
    /// are deleted, then the workers and the retention sweep start. Returns the reports queued.
    pub async fn recover(&self, pool: &Pool) -> anyhow::Result<usize> {
        let (this, p) = (self.clone(), pool.clone());
        let (queued, lost) =
            crate::db::spawn_blocking(move || -> anyhow::Result<(usize, Vec<(i64, i64)>)> {
                Ok(this.settle_interrupted(&mut p.get()?.conn())?)
            })
            .await??;
        self.delete_parts(&lost).await;
        if let Err(e) = self.delete_expired(pool).await {
            tracing::error!(error = ?e, store = %self.files.describe(), "report retention sweep failed");
        }
        if !self.started.swap(true, Ordering::SeqCst) {
            for n in 0..self.options.workers.max(1) {
                tokio::spawn(self.clone().work(pool.clone(), n));
            }
            tokio::spawn(self.clone().sweep_periodically(pool.clone()));
        }
        Ok(queued)
    }

    /// Settles the reports whose worker was lost (their lease ran out): failed after their
    /// last attempt, else back in the queue. Returns the parts their runs may have left, for
    /// the caller to delete once its transaction is over (never a store's round trip inside).
    fn fail_lost(&self, db: &mut Conn<'_>, now: i64) -> sql::Result<Vec<(i64, i64)>> {
        let max = self.options.max_attempts;
        let failed = store::fail_interrupted(
            db,
            max,
            now,
            &format!(
                "The report was interrupted {max} times while it was being generated and is not tried again. Ask for it again, perhaps over a shorter range."
            ),
        )?;
        if !failed.is_empty() {
            tracing::warn!(
                reports = failed.len(),
                "reports failed: interrupted on every attempt"
            );
        }
        Ok(failed
            .iter()
            .flat_map(|&(id, last)| (1..=last).map(move |attempt| (id, attempt)))
            .collect())
    }

    fn settle_interrupted(&self, db: &mut Conn<'_>) -> sql::Result<(usize, Vec<(i64, i64)>)> {
        let now = chrono::Utc::now().timestamp();
        let lost = self.fail_lost(db, now)?;
        // Only those whose lease ran out: a report another replica runs now stays its.
        store::requeue_interrupted(db, now)?;
        let queued = store::in_progress_all(db)?;
        if queued > 0 {
            tracing::info!(reports = queued, "reports queued from a previous run");
        }
        Ok((queued as usize, lost))
    }

    /// Deletes the parts `(report, attempt)` of runs that are over.
    async fn delete_parts(&self, parts: &[(i64, i64)]) {
        for &(id, attempt) in parts {
            self.files.delete_part(id, attempt).await;
        }
    }

    async fn work(self, pool: Pool, n: usize) {
        loop {
            let (this, p) = (self.clone(), pool.clone());
            match crate::db::spawn_blocking(move || this.claim(&p)).await {
                Ok(Ok((claimed, stale))) => {
                    // What the runs before this one left (a killed run's partial file) is no
                    // one's now.
                    self.delete_parts(&stale).await;
                    match claimed {
                        Some((id, attempt)) => self.run(&pool, id, attempt).await,
                        None => {
                            tokio::select! {
                                () = self.wake.notified() => {}
                                () = tokio::time::sleep(POLL) => {}
                            }
                        }
                    }
                }
                Ok(Err(e)) => {
                    tracing::error!(worker = n, error = ?e, "reading the report queue failed");
                    tokio::time::sleep(POLL).await;
                }
                Err(e) => {
                    tracing::error!(worker = n, error = ?e, "report worker panicked");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    }

    /// Takes the next report ([`store::next_waiting`] says which) and claims a new attempt of
    /// it, both in one write transaction holding the queue, so two workers never claim the
    /// same report. Also returns the parts no run owns any more (of lost runs and of this
    /// report's earlier attempts), to be deleted.
    #[allow(clippy::type_complexity)]
    fn claim(&self, pool: &Pool) -> anyhow::Result<(Option<(i64, i64)>, Vec<(i64, i64)>)> {
        let mut pooled = pool.get()?;
        let (claimed, mut stale) = pooled.conn().transaction(TxKind::Write, |tx| {
            store::lock_queue(tx)?;
            let now = chrono::Utc::now().timestamp();
            // A report whose worker was lost at its last attempt fails here, not only at a
            // start: on another replica, no start may come.
            let lost = self.fail_lost(tx, now)?;
            let Some(id) = store::next_waiting(tx, self.options.max_attempts, now)? else {
                return Ok::<_, sql::Error>((None, lost));
            };
            let lease_until = now + lease_secs(self.options.lease);
            Ok((
                Some((id, store::start_attempt(tx, id, now, lease_until)?)),
                lost,
            ))
        })?;
        if let Some((id, attempt)) = claimed {
            stale.extend((1..attempt).map(|earlier| (id, earlier)));
        }
        Ok((claimed, stale))
    }

    /// Runs one attempt under the deadline and records how it ended.
    async fn run(&self, pool: &Pool, id: i64, attempt: i64) {
        let cancel = Arc::new(AtomicBool::new(false));
        let interrupt: Arc<Mutex<Option<Interrupter>>> = Arc::default();
        let (this, p, c, i) = (
            self.clone(),
            pool.clone(),
            cancel.clone(),
            interrupt.clone(),
        );
        let rt = tokio::runtime::Handle::current();
        let mut task = crate::db::spawn_blocking(move || this.write(&rt, &p, id, attempt, &c, &i));
        let lease = tokio::spawn(self.clone().keep_lease(
            pool.clone(),
            id,
            attempt,
            cancel.clone(),
            interrupt.clone(),
        ));
        let outcome = match tokio::time::timeout(self.options.deadline, &mut task).await {
            Ok(Ok(result)) => Outcome::Done(result),
            Ok(Err(e)) => Outcome::Done(Err(anyhow::anyhow!("report task panicked: {e}"))),
            Err(_) => {
                cancel.store(true, Ordering::SeqCst);
                if let Some(h) = interrupt.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                    h.interrupt();
                }
                // The worker stays busy until the run has really stopped, so no more than
                // `workers` reports are ever generated at once.
                let _ = task.await;
                Outcome::PastDeadline
            }
        };
        lease.abort();
        // A run that did not publish its file leaves nothing behind.
        self.files.delete_part(id, attempt).await;
        let (this, p) = (self.clone(), pool.clone());
        match crate::db::spawn_blocking(move || this.record(&p, id, attempt, outcome)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(report = id, attempt, error = ?e, "recording a report's outcome failed")
            }
            Err(e) => {
                tracing::error!(report = id, attempt, error = ?e, "recording a report's outcome panicked")
            }
        }
    }

    /// Renews run `attempt`'s lease on report `id` while it runs (this task is aborted when
    /// the run ends). A run that finds it no longer owns the report (its lease ran out, say
    /// the process stalled, and another worker took it) stops.
    async fn keep_lease(
        self,
        pool: Pool,
        id: i64,
        attempt: i64,
        cancel: Arc<AtomicBool>,
        interrupt: Arc<Mutex<Option<Interrupter>>>,
    ) {
        let every = (self.options.lease / 3).max(Duration::from_millis(100));
        loop {
            tokio::time::sleep(every).await;
            let p = pool.clone();
            let until = chrono::Utc::now().timestamp() + lease_secs(self.options.lease);
            let renewed = crate::db::spawn_blocking(move || -> anyhow::Result<bool> {
                Ok(store::renew_lease(
                    &mut p.get()?.conn(),
                    id,
                    attempt,
                    until,
                )?)
            })
            .await;
            match renewed {
                Ok(Ok(true)) => {}
                Ok(Ok(false)) => {
                    tracing::warn!(
                        report = id,
                        attempt,
                        "the report's lease was lost; stopping this run"
                    );
                    cancel.store(true, Ordering::SeqCst);
                    if let Some(h) = interrupt.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                        h.interrupt();
                    }
                    return;
                }
                // The next renewal may get through; the lease outlasts a few missed ones.
                Ok(Err(e)) => {
                    tracing::warn!(report = id, error = ?e, "renewing a report's lease failed")
                }
                Err(e) => {
                    tracing::warn!(report = id, error = ?e, "renewing a report's lease panicked")
                }
            }
        }
    }

    /// Writes the outcome of a run, unless a later attempt owns the report by now.
    fn record(&self, pool: &Pool, id: i64, attempt: i64, outcome: Outcome) -> anyhow::Result<()> {
        let mut pooled = pool.get()?;
        let conn = &mut pooled.conn();
        let now = chrono::Utc::now().timestamp();
        match outcome {
            Outcome::Done(Ok(())) => {}
            Outcome::Done(Err(e)) => {
                store::fail_run(
                    conn,
                    id,
                    attempt,
                    now,
                    "The report could not be generated. Try again; if it fails again, contact support with the report id.",
                )?;
                tracing::error!(report = id, attempt, error = ?e, "report failed");
            }
            Outcome::PastDeadline if attempt >= i64::from(self.options.max_attempts) => {
                store::fail_run(
                    conn,
                    id,
                    attempt,
                    now,
                    &format!(
                        "The report did not finish within {} on any of its {attempt} attempts. Ask for a shorter range, a coarser detailLevel or fewer groupBy columns.",
                        in_words(self.options.deadline)
                    ),
                )?;
                tracing::warn!(
                    report = id,
                    attempt,
                    "report failed: past its deadline on every attempt"
                );
            }
            Outcome::PastDeadline => {
                // Back in the queue; its realm's turn comes round again like any other.
                store::requeue_run(conn, id, attempt)?;
                tracing::warn!(
                    report = id,
                    attempt,
                    "report stopped at its deadline; queued again"
                );
            }
        }
        Ok(())
    }

    fn write(
        &self,
        rt: &tokio::runtime::Handle,
        pool: &Pool,
        id: i64,
        attempt: i64,
        cancel: &AtomicBool,
        interrupt: &Mutex<Option<Interrupter>>,
    ) -> anyhow::Result<()> {
        let mut pooled = pool.get()?;
        *interrupt.lock().unwrap_or_else(|e| e.into_inner()) = Some(pooled.interrupter());
        let result = self.write_with(rt, &mut pooled.conn(), id, attempt, cancel);
        // Before the connection goes back to the pool, where an interrupt would hit another
        // request's query.
        *interrupt.lock().unwrap_or_else(|e| e.into_inner()) = None;
        result
    }

    fn write_with(
        &self,
        rt: &tokio::runtime::Handle,
        conn: &mut Conn<'_>,
        id: i64,
        attempt: i64,
        cancel: &AtomicBool,
    ) -> anyhow::Result<()> {
        let store::ReportJob {
            realm_id: realm,
            query: query_string,
            sub_accounts: subs,
        } = store::job(conn, id)?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&query_string)?;
        let q = UsageQuery::from_pairs(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            QueryKind::Report,
        )
        .map_err(|e| anyhow::anyhow!("stored query no longer valid: {e:?}"))?;
        let realms: Vec<String> = match subs {
            Some(json) => serde_json::from_str(&json)?,
            None => vec![realm],
        };

        let part = self.files.part_key(id, attempt);
        let mut out = self.files.upload(rt, &part)?;
        let as_of = chrono::Utc::now().timestamp();
        let (count, truncated) = match self.fill(conn, &realms, &q, &mut out, cancel) {
            Ok(done) => done,
            Err(e) => {
                // Nothing of a run that failed stays in the store (nor a multipart upload).
                out.abort();
                return Err(e);
            }
        };
        let size = out.finish()?;
        let final_key = self.files.report_key(id);
        // Publish the file and the status together: only if this attempt still owns the
        // report. The move is inside the transaction, so a move that fails leaves it running.
        let owned = conn.transaction(TxKind::Read, |tx| -> anyhow::Result<bool> {
            let owned = store::complete_run(
                tx,
                id,
                attempt,
                &store::Completion {
                    finished: chrono::Utc::now().timestamp(),
                    row_count: count as i64,
                    byte_size: size as i64,
                    truncated,
                    as_of,
                },
            )?;
            if owned {
                rt.block_on(self.files.rename(&part, &final_key))?;
            }
            Ok(owned)
        })?;
        if owned {
            tracing::info!(
                report = id,
                attempt,
                rows = count,
                bytes = size,
                truncated,
                "report completed"
            );
        }
        // Not owned: the part is deleted with the run's (see `run`).
        Ok(())
    }

    /// Writes the CSV of `q` over `realms` to `out`; the rows written, and whether they
    /// stopped at the cap.
    fn fill(
        &self,
        conn: &mut Conn<'_>,
        realms: &[String],
        q: &UsageQuery,
        out: &mut files::Upload,
        cancel: &AtomicBool,
    ) -> anyhow::Result<(u64, bool)> {
        let mut rows = CsvRows::new(q.columns());
        let zone = usage_api::zone::Zone::from(&q.time_zone);
        let max_records = self.options.max_records;
        let (mut count, mut truncated, mut write_error) = (0_u64, false, None);
        query::for_each_lent(conn, realms, q, |record| {
            if cancel.load(Ordering::Relaxed) {
                return Ok(false);
            }
            if count == max_records {
                truncated = true;
                return Ok(false);
            }
            count += 1;
            rows.push_lent(q, zone, record)?;
            if rows.buffered() >= 128 * 1024
                && let Err(e) = out.write(rows.take())
            {
                write_error = Some(e);
                return Ok(false);
            }
            Ok(true)
        })?;
        if let Some(e) = write_error {
            return Err(e);
        }
        if cancel.load(Ordering::SeqCst) {
            anyhow::bail!("stopped at the deadline");
        }
        out.write(rows.take())?;
        Ok((count, truncated))
    }

    async fn sweep_periodically(self, pool: Pool) {
        let mut every = tokio::time::interval(self.options.sweep_interval.max(POLL / 5));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await; // the first tick is immediate; `recover` has just swept
        loop {
            every.tick().await;
            if let Err(e) = self.delete_expired(&pool).await {
                tracing::error!(error = ?e, store = %self.files.describe(), "report retention sweep failed");
            }
        }
    }

    /// Deletes reports that completed or failed longer ago than the retention period, rows and
    /// files, and any report file no row names; returns the reports deleted.
    ///
    /// Counted from `finished`, not `created`: a report that waited or ran long still gets the
    /// whole period to be downloaded. One in progress is never deleted.
    pub async fn delete_expired(&self, pool: &Pool) -> anyhow::Result<usize> {
        let retention = i64::try_from(self.options.retention.as_secs()).unwrap_or(i64::MAX);
        let cutoff = chrono::Utc::now().timestamp().saturating_sub(retention);
        // Rows first: a crash between the two leaves a file no row names, which the scan
        // below removes next time; the other order could leave a row whose file is gone.
        let p = pool.clone();
        let ids = crate::db::spawn_blocking(move || -> anyhow::Result<Vec<i64>> {
            Ok(store::delete_finished_before(&mut p.get()?.conn(), cutoff)?)
        })
        .await??;
        for &id in &ids {
            self.files.delete(&self.files.report_key(id)).await;
        }
        if !ids.is_empty() {
            tracing::info!(reports = ids.len(), "expired reports deleted");
        }
        let entries = self.files.list().await?;
        let p = pool.clone();
        let orphans = crate::db::spawn_blocking(move || -> anyhow::Result<Vec<Entry>> {
            let mut pooled = p.get()?;
            let conn = &mut pooled.conn();
            let mut orphans = Vec::new();
            for entry in entries {
                let name = entry.name();
                let orphan = if name.ends_with(".part") {
                    // A run's partial file, kept only while that run owns its report: the
                    // file of a run that was killed (on any replica), or of no run at all, goes.
                    match files::part_of(name) {
                        Some((id, attempt)) => store::running_attempt(conn, id)? != Some(attempt),
                        None => true,
                    }
                } else {
                    match (&entry, files::report_of(name)) {
                        (Entry::Object(_), Some(id)) => !store::exists(conn, id)?,
                        // Not the store's own: left alone.
                        _ => false,
                    }
                };
                if orphan {
                    orphans.push(entry);
                }
            }
            Ok(orphans)
        })
        .await??;
        for entry in &orphans {
            self.files.delete_entry(entry).await;
        }
        Ok(ids.len())
    }
}

/// A lease in whole seconds, at least one (the database keeps Unix seconds).
fn lease_secs(lease: Duration) -> i64 {
    i64::try_from(lease.as_secs().max(1)).unwrap_or(i64::MAX)
}

/// `10 minutes`, `90 seconds`.
fn in_words(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        return format!("{} milliseconds", d.as_millis());
    }
    match d.as_secs() {
        s if s >= 60 && s % 60 == 0 => {
            let m = s / 60;
            format!("{m} minute{}", if m == 1 { "" } else { "s" })
        }
        s => format!("{s} second{}", if s == 1 { "" } else { "s" }),
    }
}
