//! Token rows: what [`crate::auth`] stores, looks up and revokes, by the token's hash.
//!
//! Hashing, scope rules and what a lookup means for a request stay in `auth`; here is only
//! the SQL, so another backend implements these functions and `auth` is unchanged.

use super::sql::{Conn, Result, Row, Val};
use crate::vals;

/// One row of `tokens`, as stored (never the token itself, only its hash); also what an
/// operator is shown, once `id` is cut to its first digits (`auth::TokenInfo`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRow {
    /// The SHA-256 of the token, in hex.
    pub id: String,
    /// The token's org.
    pub realm_id: String,
    /// The note it was made with.
    pub label: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// When it was made (Unix seconds).
    pub created: i64,
    /// When it stops working (Unix seconds); `None` never.
    pub expires: Option<i64>,
    /// When it was revoked (Unix seconds); `None` while it is not.
    pub revoked: Option<i64>,
}

/// What a request's token grants, as the per-request lookup reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The token's org.
    pub realm_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// When it stops working (Unix seconds); `None` never.
    pub expires: Option<i64>,
    /// When it was revoked (Unix seconds); `None` while it is not.
    pub revoked: Option<i64>,
}

const COLUMNS: &str = "hash, realm_id, label, scopes, created, expires, revoked";

/// Scopes are stored space-separated, one text column.
fn split_scopes(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

fn from_row(r: &Row<'_>) -> Result<TokenRow> {
    Ok(TokenRow {
        id: r.get(0)?,
        realm_id: r.get(1)?,
        label: r.get(2)?,
        scopes: split_scopes(&r.get::<String>(3)?),
        created: r.get(4)?,
        expires: r.get(5)?,
        revoked: r.get(6)?,
    })
}

/// Stores a new token by its `hash`.
pub fn insert(
    db: &mut Conn<'_>,
    hash: &str,
    realm_id: &str,
    scopes: &[&str],
    label: &str,
    created: i64,
    expires: Option<i64>,
) -> Result<()> {
    db.exec(
        "INSERT INTO tokens (hash, realm_id, scopes, label, created, expires) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        vals![hash, realm_id, &scopes.join(" "), label, created, expires],
    )
    .map(drop)
}

/// What the token with `hash` grants, revoked or expired ones included; `None` when there is
/// no such token. Runs on every request.
pub fn grant(db: &mut Conn<'_>, hash: &str) -> Result<Option<Grant>> {
    db.opt(
        "SELECT realm_id, scopes, expires, revoked FROM tokens WHERE hash = ?1",
        vals![hash],
        |r| {
            Ok(Grant {
                realm_id: r.get(0)?,
                scopes: split_scopes(&r.get::<String>(1)?),
                expires: r.get(2)?,
                revoked: r.get(3)?,
            })
        },
    )
}

/// The token with `hash`; an error when there is none.
pub fn get(db: &mut Conn<'_>, hash: &str) -> Result<TokenRow> {
    db.one(
        &format!("SELECT {COLUMNS} FROM tokens WHERE hash = ?1"),
        vals![hash],
        from_row,
    )
}

/// Every token (of `realm_id` when given), oldest first. (`rowid` is SQLite's own insertion
/// order; the PostgreSQL table has a column of that name for the same order.)
pub fn list(db: &mut Conn<'_>, realm_id: Option<&str>) -> Result<Vec<TokenRow>> {
    db.all(
        &format!(
            "SELECT {COLUMNS} FROM tokens WHERE CAST(?1 AS TEXT) IS NULL OR realm_id = ?1 ORDER BY created, rowid"
        ),
        vals![realm_id],
        from_row,
    )
}

/// The hashes starting with `prefix` (lowercase hex).
pub fn hashes_with_prefix(db: &mut Conn<'_>, prefix: &str) -> Result<Vec<String>> {
    select_hashes(
        db,
        "SELECT hash FROM tokens WHERE substr(hash, 1, length(?1)) = ?1",
        vals![prefix],
    )
}

/// `hash` if a token has it, else nothing: the same shape as the other selections.
pub fn hashes_equal(db: &mut Conn<'_>, hash: &str) -> Result<Vec<String>> {
    select_hashes(db, "SELECT hash FROM tokens WHERE hash = ?1", vals![hash])
}

/// The hashes of the tokens labelled `label` (of `realm_id` when given).
pub fn hashes_with_label(
    db: &mut Conn<'_>,
    label: &str,
    realm_id: Option<&str>,
) -> Result<Vec<String>> {
    select_hashes(
        db,
        "SELECT hash FROM tokens WHERE label = ?1 AND (CAST(?2 AS TEXT) IS NULL OR realm_id = ?2)",
        vals![label, realm_id],
    )
}

fn select_hashes(db: &mut Conn<'_>, sql: &str, vals: &[Val<'_>]) -> Result<Vec<String>> {
    db.all(sql, vals, |r| r.get(0))
}

/// Revokes the token with `hash` as of `now`; whether it was live until now (a token
/// revoked already keeps its first revocation time).
pub fn revoke(db: &mut Conn<'_>, hash: &str, now: i64) -> Result<bool> {
    db.exec(
        "UPDATE tokens SET revoked = ?2 WHERE hash = ?1 AND revoked IS NULL",
        vals![hash, now],
    )
    .map(|n| n == 1)
}

/// Revokes as of `now` the live tokens of `realm_id` labelled `label`; returns how many.
pub fn revoke_labelled(db: &mut Conn<'_>, realm_id: &str, label: &str, now: i64) -> Result<u64> {
    db.exec(
        "UPDATE tokens SET revoked = ?3 WHERE realm_id = ?1 AND label = ?2 AND revoked IS NULL",
        vals![realm_id, label, now],
    )
}
