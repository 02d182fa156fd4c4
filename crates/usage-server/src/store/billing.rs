//! The monthly billing view (`GET /express/usage/month`), read from the daily rollups.

use super::sql::{Backend, Conn, Result, Val};
use usage_api::billing::Month;
use usage_api::{Quantity, Timestamp};

/// One account's billable units of one subscription in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyRow {
    /// The subscription's realm.
    pub account_id: String,
    /// The product (`feature_id`).
    pub product_id: String,
    /// The product family (`category`).
    pub aggr_product_id: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The usage type code.
    pub kind: String,
    /// The subscription's name.
    pub description: String,
    /// ISO 4217.
    pub currency: String,
    /// The unit billed (`value_driver`).
    pub unit: String,
    /// The price per unit, exact, as stored.
    pub price: String,
    /// The billable units in the month.
    pub units: Quantity,
}

/// A page of [`MonthlyRow`]s and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyRows {
    /// Rows across every page.
    pub total: u64,
    /// The page asked for.
    pub rows: Vec<MonthlyRow>,
}

fn month_start(m: Month) -> i64 {
    chrono::NaiveDate::from_ymd_opt(m.year, m.month, 1).map_or(0, |d| Timestamp::start_of(d).unix())
}

/// The rows of `accounts` from month `from` to month `to` (both included), `per_page` to a
/// page, page `page` (from 1), ordered by account, month, product and subscription.
pub fn monthly(
    db: &mut Conn<'_>,
    accounts: &[String],
    from: Month,
    to: Month,
    page: u32,
    per_page: u32,
) -> Result<MonthlyRows> {
    let marks = vec!["?"; accounts.len()].join(",");
    let mut vals: Vec<Val<'_>> = accounts.iter().map(Val::from).collect();
    vals.push(Val::Int(month_start(from)));
    vals.push(Val::Int(month_start(to.plus(1))));
    // The month of a rollup's UTC day, as `YYYY-MM`.
    let month = match db.backend() {
        Backend::Sqlite => "strftime('%Y-%m', d.t, 'unixepoch')",
        Backend::Postgres => "to_char(to_timestamp(d.t) AT TIME ZONE 'UTC', 'YYYY-MM')",
    };
    let base = format!(
        "SELECT s.realm_id, s.feature_id, s.category, {month} AS month, s.usage_type_code,
                s.name, s.currency, s.value_driver, s.price, CAST(SUM(d.billable_milli) AS BIGINT) AS units
         FROM usage_daily d JOIN subscriptions s ON s.id = d.sub_id
         WHERE s.realm_id IN ({marks}) AND d.t >= ? AND d.t < ?
         GROUP BY s.id, month"
    );
    let total: i64 = db.one(&format!("SELECT COUNT(*) FROM ({base}) AS m"), &vals, |r| {
        r.get(0)
    })?;
    vals.push(Val::Int(i64::from(per_page)));
    vals.push(Val::Int(
        i64::from(per_page) * i64::from(page.saturating_sub(1)),
    ));
    let rows = db.all(
        &format!(
            "{base} ORDER BY s.realm_id, month, s.feature_id, s.billing_subscription_id LIMIT ? OFFSET ?"
        ),
        &vals,
        |r| {
            Ok(MonthlyRow {
                account_id: r.get(0)?,
                product_id: r.get(1)?,
                aggr_product_id: r.get(2)?,
                month: r.get(3)?,
                kind: r.get(4)?,
                description: r.get(5)?,
                currency: r.get(6)?,
                unit: r.get(7)?,
                price: r.get(8)?,
                units: Quantity(r.get(9)?),
            })
        },
    )?;
    Ok(MonthlyRows {
        total: total as u64,
        rows,
    })
}
