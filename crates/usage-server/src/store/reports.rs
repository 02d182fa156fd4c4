//! Report rows: as the report routes read them, and as the queue in [`crate::reports`]
//! queues, claims and settles them.
//!
//! The queue decides the transactions (which steps are one) and what an outcome means; these
//! functions are only the statements, so each takes a connection or the queue's transaction.

use super::sql::{Backend, Conn, Result, Row};
use crate::vals;
use usage_api::reports::ReportStatus;

/// One row of `reports`, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// The internal id (public ids are [`usage_api::reports::report_id`] of it).
    pub id: i64,
    /// The realm reported on.
    pub realm_id: String,
    /// Where it is; an unknown stored status reads as failed.
    pub status: ReportStatus,
    /// The report's query, URL-encoded, defaults included.
    pub query: String,
    /// The sub-accounts reported on instead of the realm, as a JSON array.
    pub sub_accounts: Option<String>,
    /// When it was requested (Unix seconds).
    pub created: i64,
    /// When it was completed or failed (Unix seconds).
    pub finished: Option<i64>,
    /// Rows in the CSV, once completed.
    pub row_count: Option<i64>,
    /// Bytes in the CSV, once completed.
    pub byte_size: Option<i64>,
    /// Whether the CSV stopped at the report's cap.
    pub truncated: Option<bool>,
    /// Why it failed.
    pub error: Option<String>,
    /// When a completed report's data was read (Unix seconds).
    pub as_of: Option<i64>,
}

const COLUMNS: &str = "id, realm_id, status, query, sub_accounts, created, finished, row_count, byte_size, truncated, error, as_of";

fn from_row(row: &Row<'_>) -> Result<ReportRow> {
    Ok(ReportRow {
        id: row.get(0)?,
        realm_id: row.get(1)?,
        status: ReportStatus::parse(&row.get::<String>(2)?).unwrap_or(ReportStatus::Failed),
        query: row.get(3)?,
        sub_accounts: row.get(4)?,
        created: row.get(5)?,
        finished: row.get(6)?,
        row_count: row.get(7)?,
        byte_size: row.get(8)?,
        truncated: row.get(9)?,
        error: row.get(10)?,
        as_of: row.get(11)?,
    })
}

/// The report `id` of `realm`, if the realm has one.
pub fn find(db: &mut Conn<'_>, realm: &str, id: i64) -> Result<Option<ReportRow>> {
    db.opt(
        &format!("SELECT {COLUMNS} FROM reports WHERE id = ?1 AND realm_id = ?2"),
        vals![id, realm],
        from_row,
    )
}

/// How many reports `realm` has.
pub fn count(db: &mut Conn<'_>, realm: &str) -> Result<u64> {
    db.one(
        "SELECT COUNT(*) FROM reports WHERE realm_id = ?1",
        vals![realm],
        |r| r.get::<i64>(0),
    )
    .map(|n| n as u64)
}

/// Page `offset` (from 0) of `realm`'s reports, `limit` to a page, newest first.
pub fn page(db: &mut Conn<'_>, realm: &str, limit: u32, offset: u32) -> Result<Vec<ReportRow>> {
    db.all(
        &format!(
            "SELECT {COLUMNS} FROM reports WHERE realm_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3"
        ),
        vals![realm, limit, i64::from(limit) * i64::from(offset)],
        from_row,
    )
}

/// Holds `realm`'s queue until the caller's transaction ends, so counting its reports in
/// progress and adding one are a single step for every writer. On SQLite the write
/// transaction is that lock already; PostgreSQL takes an advisory lock on the realm.
pub fn lock_realm_queue(db: &mut Conn<'_>, realm: &str) -> Result<()> {
    if db.backend() == Backend::Postgres {
        db.one(
            "SELECT pg_advisory_xact_lock(hashtextextended('reports/' || ?1, 0))",
            vals![realm],
            |_| Ok(()),
        )?;
    }
    Ok(())
}

/// Holds the whole queue until the caller's transaction ends, so two workers (of any
/// replica) never choose the same report.
pub fn lock_queue(db: &mut Conn<'_>) -> Result<()> {
    if db.backend() == Backend::Postgres {
        // Any constant, the same in every replica.
        db.one("SELECT pg_advisory_xact_lock(7242002)", &[], |_| Ok(()))?;
    }
    Ok(())
}

/// How many reports `realm` has in progress (waiting or running).
pub fn in_progress(db: &mut Conn<'_>, realm: &str) -> Result<i64> {
    db.one(
        "SELECT COUNT(*) FROM reports WHERE realm_id = ?1 AND status = 'inProgress'",
        vals![realm],
        |r| r.get(0),
    )
}

/// Queues a report of `realm` requested at `created`; returns its id.
pub fn insert_queued(
    db: &mut Conn<'_>,
    realm: &str,
    query: &str,
    sub_accounts: Option<&str>,
    created: i64,
) -> Result<i64> {
    db.one(
        "INSERT INTO reports (realm_id, status, query, sub_accounts, created) VALUES (?1, 'inProgress', ?2, ?3, ?4)
         RETURNING id",
        vals![realm, query, sub_accounts, created],
        |r| r.get(0),
    )
}

/// Reports waiting and reports being generated, across all realms.
pub fn queue_depth(db: &mut Conn<'_>) -> Result<(u64, u64)> {
    db.one(
        "SELECT CAST(COUNT(*) - COUNT(NULLIF(running, 0)) AS BIGINT), COUNT(NULLIF(running, 0))
         FROM reports WHERE status = 'inProgress'",
        &[],
        |r| Ok((r.get::<i64>(0)? as u64, r.get::<i64>(1)? as u64)),
    )
}

/// Marks failed, as of `now` and with `why`, the reports whose worker was lost (running, with
/// a lease that ran out before `now`) that had had `max_attempts` attempts already; returns
/// each one's id and last attempt.
pub fn fail_interrupted(
    db: &mut Conn<'_>,
    max_attempts: u32,
    now: i64,
    why: &str,
) -> Result<Vec<(i64, i64)>> {
    db.all(
        "UPDATE reports SET status = 'failed', running = 0, finished = ?2, error = ?3
         WHERE status = 'inProgress' AND running = 1 AND attempt >= ?1
           AND COALESCE(lease_until, 0) < ?2
         RETURNING id, attempt",
        vals![max_attempts, now, why],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Puts back in the queue every report whose worker was lost (its lease ran out before
/// `now`); returns how many. One whose worker lives (on any replica) keeps running.
pub fn requeue_interrupted(db: &mut Conn<'_>, now: i64) -> Result<u64> {
    db.exec(
        "UPDATE reports SET running = 0
         WHERE status = 'inProgress' AND running = 1 AND COALESCE(lease_until, 0) < ?1",
        vals![now],
    )
}

/// Extends run `attempt`'s lease on report `id` to `until`; false when the run no longer owns
/// the report (its lease ran out and another worker took it, or it was settled).
pub fn renew_lease(db: &mut Conn<'_>, id: i64, attempt: i64, until: i64) -> Result<bool> {
    db.exec(
        "UPDATE reports SET lease_until = ?3
         WHERE id = ?1 AND attempt = ?2 AND status = 'inProgress' AND running = 1",
        vals![id, attempt, until],
    )
    .map(|n| n == 1)
}

/// How many reports are in progress, across all realms.
pub fn in_progress_all(db: &mut Conn<'_>) -> Result<i64> {
    db.one(
        "SELECT COUNT(*) FROM reports WHERE status = 'inProgress'",
        &[],
        |r| r.get(0),
    )
}

/// The report to run next at `now`, if any waits (or lost its worker: running, with a lease
/// run out) with fewer than `max_attempts` attempts: of the realms with one waiting, the one
/// with the fewest running, then the one whose last turn is oldest (so a realm's backlog never
/// holds another realm up), and of that realm its oldest report.
pub fn next_waiting(db: &mut Conn<'_>, max_attempts: u32, now: i64) -> Result<Option<i64>> {
    db.opt(
        "SELECT r.id FROM reports r
         WHERE r.status = 'inProgress' AND r.attempt < ?1
           AND (r.running = 0 OR COALESCE(r.lease_until, 0) < ?2)
           AND r.id = (SELECT MIN(w.id) FROM reports w
                       WHERE w.realm_id = r.realm_id AND w.status = 'inProgress' AND w.attempt < ?1
                         AND (w.running = 0 OR COALESCE(w.lease_until, 0) < ?2))
         ORDER BY (SELECT COUNT(*) FROM reports b
                   WHERE b.realm_id = r.realm_id AND b.status = 'inProgress' AND b.running = 1
                     AND COALESCE(b.lease_until, 0) >= ?2),
                  (SELECT MAX(s.started) FROM reports s WHERE s.realm_id = r.realm_id),
                  r.id
         LIMIT 1",
        vals![max_attempts, now],
        |r| r.get(0),
    )
}

/// Marks report `id` running as of `now` under a new attempt, with a lease until
/// `lease_until`; returns the attempt's number.
pub fn start_attempt(db: &mut Conn<'_>, id: i64, now: i64, lease_until: i64) -> Result<i64> {
    db.one(
        "UPDATE reports SET running = 1, started = ?2, lease_until = ?3, attempt = attempt + 1
         WHERE id = ?1 RETURNING attempt",
        vals![id, now, lease_until],
        |r| r.get(0),
    )
}

/// What a run of a report generates: whose records, and which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportJob {
    /// The realm reported on.
    pub realm_id: String,
    /// The report's query, URL-encoded, defaults included.
    pub query: String,
    /// The sub-accounts reported on instead of the realm, as a JSON array.
    pub sub_accounts: Option<String>,
}

/// What report `id` asks for; an error when there is no such report.
pub fn job(db: &mut Conn<'_>, id: i64) -> Result<ReportJob> {
    db.one(
        "SELECT realm_id, query, sub_accounts FROM reports WHERE id = ?1",
        vals![id],
        |r| {
            Ok(ReportJob {
                realm_id: r.get(0)?,
                query: r.get(1)?,
                sub_accounts: r.get(2)?,
            })
        },
    )
}

/// How a run that produced its CSV went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// When it finished (Unix seconds).
    pub finished: i64,
    /// Rows in the CSV.
    pub row_count: i64,
    /// Bytes in the CSV.
    pub byte_size: i64,
    /// Whether the CSV stopped at the report's cap.
    pub truncated: bool,
    /// When its data was read (Unix seconds).
    pub as_of: i64,
}

/// Marks report `id` completed by run `attempt`, unless a later attempt owns it (or it is no
/// longer in progress); whether it did.
pub fn complete_run(db: &mut Conn<'_>, id: i64, attempt: i64, done: &Completion) -> Result<bool> {
    db.exec(
        "UPDATE reports SET status = 'completed', running = 0, finished = ?3, row_count = ?4, byte_size = ?5, truncated = ?6, as_of = ?7
         WHERE id = ?1 AND attempt = ?2 AND status = 'inProgress'",
        vals![id, attempt, done.finished, done.row_count, done.byte_size, done.truncated, done.as_of],
    )
    .map(|n| n == 1)
}

/// Marks report `id` failed as of `now` with `why` (words for its reader), unless a later
/// attempt owns it.
pub fn fail_run(db: &mut Conn<'_>, id: i64, attempt: i64, now: i64, why: &str) -> Result<()> {
    db.exec(
        "UPDATE reports SET status = 'failed', running = 0, finished = ?3, error = ?4
         WHERE id = ?1 AND attempt = ?2 AND status = 'inProgress'",
        vals![id, attempt, now, why],
    )
    .map(drop)
}

/// Puts report `id` back in the queue after run `attempt`, unless a later attempt owns it.
pub fn requeue_run(db: &mut Conn<'_>, id: i64, attempt: i64) -> Result<()> {
    db.exec(
        "UPDATE reports SET running = 0 WHERE id = ?1 AND attempt = ?2 AND status = 'inProgress'",
        vals![id, attempt],
    )
    .map(drop)
}

/// Deletes the reports completed or failed before `cutoff` (Unix seconds); returns their ids.
/// One in progress is never deleted.
pub fn delete_finished_before(db: &mut Conn<'_>, cutoff: i64) -> Result<Vec<i64>> {
    db.all(
        "DELETE FROM reports WHERE status != 'inProgress' AND finished < ?1 RETURNING id",
        vals![cutoff],
        |r| r.get(0),
    )
}

/// The attempt running report `id` now, if one does.
pub fn running_attempt(db: &mut Conn<'_>, id: i64) -> Result<Option<i64>> {
    db.opt(
        "SELECT attempt FROM reports WHERE id = ?1 AND status = 'inProgress' AND running = 1",
        vals![id],
        |r| r.get(0),
    )
}

/// Whether there is a report `id`. Asked once per file in the report store.
pub fn exists(db: &mut Conn<'_>, id: i64) -> Result<bool> {
    db.one(
        "SELECT EXISTS(SELECT 1 FROM reports WHERE id = ?1)",
        vals![id],
        |r| r.get(0),
    )
}
