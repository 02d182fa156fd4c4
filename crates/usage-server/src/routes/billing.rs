//! `GET /express/usage/month` (contract section 3): billable units and amounts per account,
//! product and month, read from the daily rollups; amounts exact and rounded half-even.

use super::query_pairs;
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Datelike;
use r2d2_sqlite::rusqlite::{ToSql, types::Value};
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;
use usage_api::billing::{
    Embedded, FOREIGN_ACCOUNTS, Href, Links, Month, MonthlyPage, MonthlyQuery, MonthlyUsage,
    minor_units,
};
use usage_api::{Quantity, Timestamp};

/// The billing routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/express/usage/month", get(monthly))
}

/// `units × price`, rounded half-even to the currency's minor unit.
pub fn amount(
    units: Quantity,
    price: &str,
    currency: &str,
) -> Result<Decimal, rust_decimal::Error> {
    let units = Decimal::new(units.milli(), 3);
    let price = Decimal::from_str(price)?;
    Ok((units * price)
        .round_dp_with_strategy(minor_units(currency), RoundingStrategy::MidpointNearestEven))
}

fn month_start(m: Month) -> i64 {
    chrono::NaiveDate::from_ymd_opt(m.year, m.month, 1).map_or(0, |d| Timestamp::start_of(d).unix())
}

#[utoipa::path(get, path = "/express/usage/month", tag = "billing", operation_id = "getMonthlyUsage",
    summary = "Billable units and amounts per account, product and month (contract section 3)",
    params(crate::openapi::MonthlyParams),
    responses((status = 200, description = "A HAL page.", body = usage_api::billing::MonthlyPage),
        crate::openapi::AccountReadErrors),
    security(("bearer" = ["express-accounts-usage:read"])))]
async fn monthly(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<MonthlyPage>, AppError> {
    let pairs = query_pairs(raw.as_deref())?;
    let now = chrono::Utc::now();
    let this_month = Month {
        year: now.year(),
        month: now.month(),
    };
    let q = MonthlyQuery::from_pairs(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        this_month,
    )
    .map_err(AppError::Validation)?;
    caller.require("express-accounts-usage:read")?;
    let pool = state.pool.clone();
    let page = tokio::task::spawn_blocking(move || -> Result<MonthlyPage, AppError> {
        let conn = pool.get()?;
        let accounts = if q.accounts.is_empty() { vec![caller.realm_id.clone()] } else { q.accounts.clone() };
        for a in &accounts {
            caller.check_realm(&conn, a).map_err(|_| AppError::Forbidden(FOREIGN_ACCOUNTS.to_owned()))?;
        }
        let marks = vec!["?"; accounts.len()].join(",");
        let mut params: Vec<Value> = accounts.iter().map(|a| Value::Text(a.clone())).collect();
        params.push(Value::Integer(month_start(q.from)));
        params.push(Value::Integer(month_start(q.to.plus(1))));
        let base = format!(
            "SELECT s.realm_id, s.feature_id, s.category, strftime('%Y-%m', d.t, 'unixepoch') AS month, s.usage_type_code,
                    s.name, s.currency, s.value_driver, s.price, SUM(d.billable_milli) AS units
             FROM usage_daily d JOIN subscriptions s ON s.id = d.sub_id
             WHERE s.realm_id IN ({marks}) AND d.t >= ? AND d.t < ?
             GROUP BY s.id, month"
        );
        let p: Vec<&dyn ToSql> = params.iter().map(|v| v as &dyn ToSql).collect();
        let total: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM ({base})"), p.as_slice(), |r| r.get(0))?;
        let per_page = q.per_page;
        let total_pages = (total as u64).div_ceil(u64::from(per_page)).max(1) as u32;
        let mut with_page = params.clone();
        with_page.push(Value::Integer(i64::from(per_page)));
        with_page.push(Value::Integer(i64::from(per_page) * i64::from(q.page - 1)));
        let p: Vec<&dyn ToSql> = with_page.iter().map(|v| v as &dyn ToSql).collect();
        let mut stmt = conn.prepare_cached(&format!("{base} ORDER BY s.realm_id, month, s.feature_id, s.billing_subscription_id LIMIT ? OFFSET ?"))?;
        let rows = stmt.query_map(p.as_slice(), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, i64>(9)?,
            ))
        })?;
        let mut usage = Vec::new();
        for row in rows {
            let (account, product, family, month, kind, name, currency, unit, price, units) = row?;
            let units = Quantity(units);
            let total_amount = amount(units, &price, &currency).map_err(|e| anyhow::anyhow!("amount of {price} × {units}: {e}"))?;
            usage.push(MonthlyUsage {
                account_id: account,
                product_id: product,
                aggr_product_id: family,
                month,
                kind,
                description: name,
                currency,
                direction: None,
                resolution: None,
                unit,
                price,
                wallet_name: "default".to_owned(),
                number_of_units: units.to_string(),
                total_amount: total_amount.to_string(),
            });
        }
        let link = |page: u32| Href { href: format!("/express/usage/month?{}", q.query_string(page)) };
        Ok(MonthlyPage {
            count: usage.len() as u32,
            page: q.page,
            per_page,
            total: total as u64,
            total_pages,
            embedded: Embedded { usage },
            links: Links {
                self_: link(q.page),
                first: link(1),
                last: link(total_pages),
                next: (q.page < total_pages).then(|| link(q.page + 1)),
                prev: (q.page > 1).then(|| link((q.page - 1).min(total_pages))),
                show: link(q.page),
            },
        })
    })
    .await??;
    Ok(Json(page))
}

#[cfg(test)]
mod tests {
    use super::amount;
    use usage_api::Quantity;

    #[test]
    fn amounts_round_half_even_to_the_minor_unit() {
        // 1.5 × 0.0045 = 0.00675 → 0.01 (USD, 2 places)
        assert_eq!(
            amount(Quantity(1_500), "0.0045", "USD")
                .unwrap()
                .to_string(),
            "0.01"
        );
        // 0.125 × 1 = 0.125 → 0.12 (half to even), 0.135 → 0.14
        assert_eq!(
            amount(Quantity(125), "1", "EUR").unwrap().to_string(),
            "0.12"
        );
        assert_eq!(
            amount(Quantity(135), "1", "EUR").unwrap().to_string(),
            "0.14"
        );
        // JPY has no minor unit: 2.5 → 2, 3.5 → 4
        assert_eq!(
            amount(Quantity(2_500), "1", "JPY").unwrap().to_string(),
            "2"
        );
        assert_eq!(
            amount(Quantity(3_500), "1", "JPY").unwrap().to_string(),
            "4"
        );
        // Exact with large numbers: 123456789.123 × 0.09 = 11111111.02107 → 11111111.02
        assert_eq!(
            amount(Quantity(123_456_789_123), "0.09", "USD")
                .unwrap()
                .to_string(),
            "11111111.02"
        );
    }
}
