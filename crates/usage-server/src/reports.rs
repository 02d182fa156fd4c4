//! Report generation: a background worker with bounded concurrency writes each report's CSV
//! to the report store (a local folder); status lives in the database.

use crate::csv_out::CsvRows;
use crate::db::Pool;
use crate::query;
use anyhow::Context;
use r2d2_sqlite::rusqlite::{OptionalExtension, params};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Semaphore;
use usage_api::limits::REPORT_MAX_RECORDS;
use usage_api::usage::{QueryKind, UsageQuery};

/// The report worker.
#[derive(Clone)]
pub struct Reports {
    /// Where report files are kept.
    pub dir: PathBuf,
    /// Reports generated at once.
    permits: Arc<Semaphore>,
    /// Most records a report holds.
    pub max_records: u64,
}

impl Reports {
    /// A worker writing to `dir`, generating at most `concurrency` reports at once.
    pub fn new(dir: PathBuf, concurrency: usize) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self {
            dir,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            max_records: REPORT_MAX_RECORDS,
        })
    }

    /// The CSV of report `id`.
    pub fn file(&self, id: i64) -> PathBuf {
        self.dir
            .join(format!("{}.csv", usage_api::reports::report_id(id)))
    }

    /// Generates report `id` in the background.
    pub fn enqueue(&self, pool: Pool, id: i64) {
        let this = self.clone();
        tokio::spawn(async move {
            let Ok(_permit) = this.permits.clone().acquire_owned().await else {
                return;
            };
            let worker = this.clone();
            match tokio::task::spawn_blocking(move || worker.generate(&pool, id)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!(report = id, error = ?e, "report failed"),
                Err(e) => tracing::error!(report = id, error = ?e, "report task panicked"),
            }
        });
    }

    /// Resumes every report left in progress by a previous run (they are generated again
    /// from the start), so none is left hanging.
    pub fn recover(&self, pool: &Pool) -> anyhow::Result<usize> {
        let ids: Vec<i64> = {
            let conn = pool.get()?;
            let mut stmt =
                conn.prepare("SELECT id FROM reports WHERE status = 'inProgress' ORDER BY id")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        for id in &ids {
            tracing::info!(report = id, "resuming a report left in progress");
            self.enqueue(pool.clone(), *id);
        }
        Ok(ids.len())
    }

    /// Generates report `id` and records the outcome, unless it is no longer in progress.
    ///
    /// Each run claims a new attempt number; only the current attempt may write the outcome,
    /// so a run that outlived a restart cannot overwrite the run that replaced it.
    pub fn generate(&self, pool: &Pool, id: i64) -> anyhow::Result<()> {
        let conn = pool.get()?;
        let attempt: Option<i64> = conn
            .query_row(
                "UPDATE reports SET attempt = attempt + 1 WHERE id = ?1 AND status = 'inProgress' RETURNING attempt",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(attempt) = attempt else {
            return Ok(());
        };
        drop(conn);
        let result = self.write(pool, id, attempt);
        if let Err(e) = &result {
            pool.get()?.execute(
                "UPDATE reports SET status = 'failed', finished = ?3, error = ?4 WHERE id = ?1 AND attempt = ?2",
                params![
                    id,
                    attempt,
                    chrono::Utc::now().timestamp(),
                    "The report could not be generated. Try again; if it fails again, contact support with the report id."
                ],
            )?;
            let _ = std::fs::remove_file(self.part_file(id, attempt));
            tracing::error!(report = id, attempt, error = ?e, "report failed");
        }
        result
    }

    fn part_file(&self, id: i64, attempt: i64) -> PathBuf {
        self.dir.join(format!(
            "{}.{attempt}.csv.part",
            usage_api::reports::report_id(id)
        ))
    }

    fn write(&self, pool: &Pool, id: i64, attempt: i64) -> anyhow::Result<()> {
        let conn = pool.get()?;
        let (realm, query_string, subs): (String, String, Option<String>) = conn.query_row(
            "SELECT realm_id, query, sub_accounts FROM reports WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
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

        let part = self.part_file(id, attempt);
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(&part)?);
        let mut rows = CsvRows::new(q.columns());
        let (mut count, mut truncated, mut write_error) = (0_u64, false, None);
        query::for_each(&conn, &realms, &q, |item| {
            if count == self.max_records {
                truncated = true;
                return false;
            }
            count += 1;
            rows.push(&item);
            if rows.buffered() >= 128 * 1024
                && let Err(e) = out.write_all(&rows.take())
            {
                write_error = Some(e);
                return false;
            }
            true
        })?;
        if let Some(e) = write_error {
            return Err(e.into());
        }
        out.write_all(&rows.take())?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        let size = std::fs::metadata(&part)?.len();
        let final_path = self.file(id);
        // Publish the file and the status together: only if this attempt still owns the report.
        let tx = conn.unchecked_transaction()?;
        let owned = tx.execute(
            "UPDATE reports SET status = 'completed', finished = ?3, row_count = ?4, byte_size = ?5, truncated = ?6
             WHERE id = ?1 AND attempt = ?2 AND status = 'inProgress'",
            params![id, attempt, chrono::Utc::now().timestamp(), count as i64, size as i64, truncated],
        )?;
        if owned == 1 {
            std::fs::rename(&part, &final_path)?;
            tx.commit()?;
            tracing::info!(
                report = id,
                rows = count,
                bytes = size,
                truncated,
                "report completed"
            );
        } else {
            drop(tx);
            let _ = std::fs::remove_file(&part);
        }
        Ok(())
    }
}

/// Removes files of the report store that no report row names (e.g. `.part` files of a crash).
pub fn sweep(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "part") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}
