//! Saved views (contract section 11).

use super::sql::{Conn, Result};
use crate::vals;

/// A stored view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its query, as saved.
    pub query: String,
    /// When it was saved (Unix seconds).
    pub created: i64,
}

/// `realm`'s views, by name.
pub fn list(db: &mut Conn<'_>, realm: &str) -> Result<Vec<ViewRow>> {
    db.all(
        "SELECT view_id, name, query, created FROM saved_views WHERE realm_id = ?1 ORDER BY name, view_id",
        vals![realm],
        |r| {
            Ok(ViewRow {
                id: r.get(0)?,
                name: r.get(1)?,
                query: r.get(2)?,
                created: r.get(3)?,
            })
        },
    )
}

/// How many views `realm` has.
pub fn count(db: &mut Conn<'_>, realm: &str) -> Result<u64> {
    let n: i64 = db.one(
        "SELECT COUNT(*) FROM saved_views WHERE realm_id = ?1",
        vals![realm],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Saves `v` in `realm`; false when the realm has a view of that name already (ids are random
/// and long: a taken name is the only clash). A statement that clashes writes nothing and
/// leaves the transaction usable on both backends.
pub fn insert(db: &mut Conn<'_>, realm: &str, v: &ViewRow) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO saved_views (realm_id, view_id, name, query, created) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT DO NOTHING",
        vals![realm, &v.id, &v.name, &v.query, v.created],
    )? > 0)
}

/// Deletes `realm`'s view `id`; false when there was none.
pub fn delete(db: &mut Conn<'_>, realm: &str, id: &str) -> Result<bool> {
    Ok(db.exec(
        "DELETE FROM saved_views WHERE realm_id = ?1 AND view_id = ?2",
        vals![realm, id],
    )? > 0)
}
