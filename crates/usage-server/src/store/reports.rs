//! Report rows as the report routes read them (queueing and generation are
//! [`crate::reports`]'s).

use crate::db::Connection;
use r2d2_sqlite::rusqlite::{OptionalExtension, Result, Row, params};
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
}

const COLUMNS: &str = "id, realm_id, status, query, sub_accounts, created, finished, row_count, byte_size, truncated, error";

fn from_row(row: &Row<'_>) -> Result<ReportRow> {
    Ok(ReportRow {
        id: row.get(0)?,
        realm_id: row.get(1)?,
        status: ReportStatus::parse(&row.get::<_, String>(2)?).unwrap_or(ReportStatus::Failed),
        query: row.get(3)?,
        sub_accounts: row.get(4)?,
        created: row.get(5)?,
        finished: row.get(6)?,
        row_count: row.get(7)?,
        byte_size: row.get(8)?,
        truncated: row.get(9)?,
        error: row.get(10)?,
    })
}

/// The report `id` of `realm`, if the realm has one.
pub fn find(conn: &Connection, realm: &str, id: i64) -> Result<Option<ReportRow>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM reports WHERE id = ?1 AND realm_id = ?2"),
        params![id, realm],
        from_row,
    )
    .optional()
}

/// How many reports `realm` has.
pub fn count(conn: &Connection, realm: &str) -> Result<u64> {
    conn.query_row(
        "SELECT COUNT(*) FROM reports WHERE realm_id = ?1",
        [realm],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as u64)
}

/// Page `offset` (from 0) of `realm`'s reports, `limit` to a page, newest first.
pub fn page(conn: &Connection, realm: &str, limit: u32, offset: u32) -> Result<Vec<ReportRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM reports WHERE realm_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    stmt.query_map(
        params![realm, limit, i64::from(limit) * i64::from(offset)],
        from_row,
    )?
    .collect()
}
