//! Budgets and the times usage first reached their alert levels (contract section 10).

use super::sql::{Backend, Conn, Result, Row};
use crate::vals;

/// A stored budget, with its subscription's billing id and unit when it is a quantity budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    /// `budgetId`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// A quantity budget's subscription (internal id).
    pub sub_id: Option<i64>,
    /// That subscription's billing id.
    pub billing_id: Option<String>,
    /// That subscription's unit.
    pub value_driver: Option<String>,
    /// An amount budget's currency.
    pub currency: Option<String>,
    /// The threshold in thousandths.
    pub threshold_milli: i64,
    /// Alert levels, ascending.
    pub alert_at: Vec<u32>,
    /// When it was last set (Unix seconds).
    pub updated: i64,
}

const COLUMNS: &str =
    "b.budget_id, b.name, b.sub_id, s.billing_subscription_id, s.value_driver, b.currency,
     b.threshold_milli, b.alert_at, b.updated";

fn from_row(r: &Row<'_>) -> Result<BudgetRow> {
    let levels: String = r.get(7)?;
    Ok(BudgetRow {
        id: r.get(0)?,
        name: r.get(1)?,
        sub_id: r.get(2)?,
        billing_id: r.get(3)?,
        value_driver: r.get(4)?,
        currency: r.get(5)?,
        threshold_milli: r.get(6)?,
        alert_at: levels.split(',').filter_map(|l| l.parse().ok()).collect(),
        updated: r.get(8)?,
    })
}

/// `realm`'s budgets, by id.
pub fn list(db: &mut Conn<'_>, realm: &str) -> Result<Vec<BudgetRow>> {
    db.all(
        &format!(
            "SELECT {COLUMNS} FROM budgets b LEFT JOIN subscriptions s ON s.id = b.sub_id
             WHERE b.realm_id = ?1 ORDER BY b.budget_id"
        ),
        vals![realm],
        from_row,
    )
}

/// `realm`'s budget `id`, if it has one.
pub fn get(db: &mut Conn<'_>, realm: &str, id: &str) -> Result<Option<BudgetRow>> {
    db.opt(
        &format!(
            "SELECT {COLUMNS} FROM budgets b LEFT JOIN subscriptions s ON s.id = b.sub_id
             WHERE b.realm_id = ?1 AND b.budget_id = ?2"
        ),
        vals![realm, id],
        from_row,
    )
}

/// The budgets of `realm` that usage of subscription `sub_id` moves: its quantity budgets and
/// the amount budgets in its currency.
pub fn moved_by(db: &mut Conn<'_>, realm: &str, sub_id: i64) -> Result<Vec<BudgetRow>> {
    db.all(
        &format!(
            "SELECT {COLUMNS} FROM budgets b LEFT JOIN subscriptions s ON s.id = b.sub_id
             WHERE b.realm_id = ?1
               AND (b.sub_id = ?2 OR b.currency = (SELECT currency FROM subscriptions WHERE id = ?2))"
        ),
        vals![realm, sub_id],
        from_row,
    )
}

/// A `SELECT` of what [`moved_by`] finds for each row of `pairs` (a table expression with the
/// columns `realm` and `sub`): for a statement that writes usage and reads, in the same round
/// trip, the budgets it moves. Each row as [`moved_from_row`] reads it.
pub fn moved_by_each(pairs: &str) -> String {
    format!(
        "SELECT {COLUMNS}, m.realm, m.sub FROM {pairs} AS m
         JOIN budgets b ON b.realm_id = m.realm
           AND (b.sub_id = m.sub OR b.currency = (SELECT currency FROM subscriptions WHERE id = m.sub))
         LEFT JOIN subscriptions s ON s.id = b.sub_id"
    )
}

/// A row of [`moved_by_each`]: the realm and subscription, and a budget it moves.
pub fn moved_from_row(r: &Row<'_>) -> Result<(String, i64, BudgetRow)> {
    Ok((r.get(9)?, r.get(10)?, from_row(r)?))
}

/// How many budgets `realm` has.
pub fn count(db: &mut Conn<'_>, realm: &str) -> Result<u64> {
    let n: i64 = db.one(
        "SELECT COUNT(*) FROM budgets WHERE realm_id = ?1",
        vals![realm],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Makes the caller's transaction the only one changing `realm`'s budgets or views until it
/// ends, so a per-realm count holds with many writers (SQLite's write transactions are one at
/// a time already; PostgreSQL locks the realm's row).
pub fn lock_realm(db: &mut Conn<'_>, realm: &str) -> Result<()> {
    if db.backend() == Backend::Postgres {
        db.opt(
            "SELECT 1 FROM orgs WHERE realm_id = ?1 FOR UPDATE",
            vals![realm],
            |_| Ok(()),
        )?;
    }
    Ok(())
}

/// What a budget is set to.
#[derive(Debug, Clone, Copy)]
pub struct SetBudget<'a> {
    /// Its name.
    pub name: &'a str,
    /// A quantity budget's subscription.
    pub sub_id: Option<i64>,
    /// An amount budget's currency.
    pub currency: Option<&'a str>,
    /// The threshold in thousandths.
    pub threshold_milli: i64,
    /// Alert levels, ascending.
    pub alert_at: &'a [u32],
    /// Now (Unix seconds).
    pub now: i64,
}

/// Creates or replaces `realm`'s budget `id`.
pub fn put(db: &mut Conn<'_>, realm: &str, id: &str, b: &SetBudget<'_>) -> Result<()> {
    let levels = b
        .alert_at
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    db.exec(
        "INSERT INTO budgets (realm_id, budget_id, name, sub_id, currency, threshold_milli, alert_at, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
         ON CONFLICT (realm_id, budget_id) DO UPDATE SET name = excluded.name, sub_id = excluded.sub_id,
             currency = excluded.currency, threshold_milli = excluded.threshold_milli,
             alert_at = excluded.alert_at, updated = excluded.updated",
        vals![realm, id, b.name, b.sub_id, b.currency, b.threshold_milli, levels.as_str(), b.now],
    )?;
    Ok(())
}

/// Deletes `realm`'s budget `id` and its crossings; false when there was none.
pub fn delete(db: &mut Conn<'_>, realm: &str, id: &str) -> Result<bool> {
    clear_crossings(db, realm, id)?;
    Ok(db.exec(
        "DELETE FROM budgets WHERE realm_id = ?1 AND budget_id = ?2",
        vals![realm, id],
    )? > 0)
}

/// The alert levels budget `id` reached in the month starting at `month` (Unix seconds), and
/// when.
pub fn crossings(db: &mut Conn<'_>, realm: &str, id: &str, month: i64) -> Result<Vec<(u32, i64)>> {
    db.all(
        "SELECT level, crossed_at FROM budget_crossings
         WHERE realm_id = ?1 AND budget_id = ?2 AND month = ?3 ORDER BY level",
        vals![realm, id, month],
        |r| {
            let level: i64 = r.get(0)?;
            Ok((u32::try_from(level).unwrap_or(0), r.get(1)?))
        },
    )
}

/// Forgets every crossing of budget `id` (it is deleted, or set to something else).
pub fn clear_crossings(db: &mut Conn<'_>, realm: &str, id: &str) -> Result<()> {
    db.exec(
        "DELETE FROM budget_crossings WHERE realm_id = ?1 AND budget_id = ?2",
        vals![realm, id],
    )?;
    Ok(())
}

/// Notes that budget `id` reached `level` in `month` at `at`, unless it had already: the
/// first time is kept.
pub fn add_crossing(
    db: &mut Conn<'_>,
    realm: &str,
    id: &str,
    month: i64,
    level: u32,
    at: i64,
) -> Result<()> {
    db.exec(
        "INSERT INTO budget_crossings (realm_id, budget_id, month, level, crossed_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (realm_id, budget_id, month, level) DO NOTHING",
        vals![realm, id, month, level, at],
    )?;
    Ok(())
}

/// Per subscription of `realm` in `currency`: its price and its billable thousandths from
/// `from` to `to` (daily rollups), the inputs of section 3's amounts.
pub fn billable_by_price(
    db: &mut Conn<'_>,
    realm: &str,
    currency: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(String, i64)>> {
    db.all(
        "SELECT s.price, CAST(SUM(d.billable_milli) AS BIGINT)
         FROM usage_daily d JOIN subscriptions s ON s.id = d.sub_id
         WHERE s.realm_id = ?1 AND s.currency = ?2 AND d.t >= ?3 AND d.t < ?4
         GROUP BY s.id, s.price",
        vals![realm, currency, from, to],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}
