//! Orgs: names, parents and sub-accounts.

use super::sql::{Conn, Result};
use crate::vals;
use usage_api::reports::OrgRef;

/// The name of the org `realm_id`; an error when there is none (a token's org always is).
pub fn name(db: &mut Conn<'_>, realm_id: &str) -> Result<String> {
    db.one(
        "SELECT name FROM orgs WHERE realm_id = ?1",
        vals![realm_id],
        |r| r.get(0),
    )
}

/// The sub-accounts of `realm_id`, by realm id.
pub fn sub_accounts(db: &mut Conn<'_>, realm_id: &str) -> Result<Vec<OrgRef>> {
    db.all(
        "SELECT realm_id, name FROM orgs WHERE parent_realm_id = ?1 ORDER BY realm_id",
        vals![realm_id],
        |r| {
            Ok(OrgRef {
                realm_id: r.get(0)?,
                name: r.get(1)?,
            })
        },
    )
}

/// The parent of `realm_id`: `None` when there is no such org, `Some(None)` for a
/// top-level one.
pub fn parent(db: &mut Conn<'_>, realm_id: &str) -> Result<Option<Option<String>>> {
    db.opt(
        "SELECT parent_realm_id FROM orgs WHERE realm_id = ?1",
        vals![realm_id],
        |r| r.get(0),
    )
}

/// Whether there is an org `realm_id`.
pub fn exists(db: &mut Conn<'_>, realm_id: &str) -> Result<bool> {
    db.one(
        "SELECT EXISTS(SELECT 1 FROM orgs WHERE realm_id = ?1)",
        vals![realm_id],
        |r| r.get(0),
    )
}
