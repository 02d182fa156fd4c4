//! The realm's subscriptions with this month's accepted use (contract section 12).

use super::sql::{Conn, Result};
use crate::vals;

/// A subscription and what it accepted from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    /// `billingSubscriptionId`.
    pub billing_id: String,
    /// `featureId`.
    pub feature_id: String,
    /// `billingChargeNumber`.
    pub charge_number: String,
    /// `category`.
    pub category: String,
    /// `name`.
    pub name: String,
    /// `valueDriver`.
    pub value_driver: String,
    /// `usageTypeCode`.
    pub usage_type_code: String,
    /// `price`, exact.
    pub price: String,
    /// `currency`.
    pub currency: String,
    /// The monthly limit in thousandths, if any.
    pub limit_milli: Option<i64>,
    /// Accepted thousandths in the month.
    pub used_milli: i64,
}

/// How many subscriptions `realm` has.
pub fn count(db: &mut Conn<'_>, realm: &str) -> Result<u64> {
    let n: i64 = db.one(
        "SELECT COUNT(*) FROM subscriptions WHERE realm_id = ?1",
        vals![realm],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// A page of `realm`'s subscriptions by billing id, with what each accepted from `from` to `to`
/// (Unix seconds, `to` excluded; whole UTC days, read from the daily rollups).
pub fn page(
    db: &mut Conn<'_>,
    realm: &str,
    from: i64,
    to: i64,
    limit: u32,
    offset: u64,
) -> Result<Vec<SubscriptionRow>> {
    db.all(
        "SELECT s.billing_subscription_id, s.feature_id, s.billing_charge_number, s.category, s.name,
                s.value_driver, s.usage_type_code, s.price, s.currency, s.monthly_limit_milli,
                CAST(COALESCE((SELECT SUM(d.billable_milli) FROM usage_daily d
                               WHERE d.sub_id = s.id AND d.t >= ?2 AND d.t < ?3), 0) AS BIGINT)
         FROM subscriptions s WHERE s.realm_id = ?1
         ORDER BY s.billing_subscription_id LIMIT ?4 OFFSET ?5",
        vals![realm, from, to, limit, offset],
        |r| {
            Ok(SubscriptionRow {
                billing_id: r.get(0)?,
                feature_id: r.get(1)?,
                charge_number: r.get(2)?,
                category: r.get(3)?,
                name: r.get(4)?,
                value_driver: r.get(5)?,
                usage_type_code: r.get(6)?,
                price: r.get(7)?,
                currency: r.get(8)?,
                limit_milli: r.get(9)?,
                used_milli: r.get(10)?,
            })
        },
    )
}
