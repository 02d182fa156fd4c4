//! Orgs: names, parents and sub-accounts.

use crate::db::Connection;
use r2d2_sqlite::rusqlite::{OptionalExtension, Result};
use usage_api::reports::OrgRef;

/// The name of the org `realm_id`; an error when there is none (a token's org always is).
pub fn name(conn: &Connection, realm_id: &str) -> Result<String> {
    conn.query_row(
        "SELECT name FROM orgs WHERE realm_id = ?1",
        [realm_id],
        |r| r.get(0),
    )
}

/// The sub-accounts of `realm_id`, by realm id.
pub fn sub_accounts(conn: &Connection, realm_id: &str) -> Result<Vec<OrgRef>> {
    let mut stmt = conn.prepare_cached(
        "SELECT realm_id, name FROM orgs WHERE parent_realm_id = ?1 ORDER BY realm_id",
    )?;
    stmt.query_map([realm_id], |r| {
        Ok(OrgRef {
            realm_id: r.get(0)?,
            name: r.get(1)?,
        })
    })?
    .collect()
}

/// The parent of `realm_id`: `None` when there is no such org, `Some(None)` for a
/// top-level one. Every realm check of a sub-account asks this, hence the cached statement.
pub fn parent(conn: &Connection, realm_id: &str) -> Result<Option<Option<String>>> {
    conn.prepare_cached("SELECT parent_realm_id FROM orgs WHERE realm_id = ?1")?
        .query_row([realm_id], |row| row.get(0))
        .optional()
}

/// Whether there is an org `realm_id`.
pub fn exists(conn: &Connection, realm_id: &str) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM orgs WHERE realm_id = ?1)",
        [realm_id],
        |r| r.get(0),
    )
}
