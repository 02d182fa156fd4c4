//! `GET /express/usage/month` (contract section 3): billable units and amounts per account,
//! product and month, read from the daily rollups; amounts exact and rounded half-even.

use super::extract::{FromQueryPairs, Params, QueryPairs};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Datelike;
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;
use usage_api::Quantity;
use usage_api::billing::{
    Embedded, FOREIGN_ACCOUNTS, Href, Links, Month, MonthlyPage, MonthlyQuery, MonthlyUsage,
    minor_units,
};

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

impl FromQueryPairs for MonthlyQuery {
    fn from_query_pairs(pairs: &QueryPairs) -> Result<Self, AppError> {
        // The default range ends with the month the request is made in.
        let now = chrono::Utc::now();
        let this_month = Month {
            year: now.year(),
            month: now.month(),
        };
        MonthlyQuery::from_pairs(pairs.iter(), this_month).map_err(AppError::Validation)
    }
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
    Params(q): Params<MonthlyQuery>,
) -> Result<Json<MonthlyPage>, AppError> {
    caller.require("express-accounts-usage:read")?;
    let page = state
        .db(move |conn| -> Result<MonthlyPage, AppError> {
            let accounts = if q.accounts.is_empty() {
                vec![caller.realm_id.clone()]
            } else {
                q.accounts.clone()
            };
            for a in &accounts {
                caller
                    .check_realm(conn, a)
                    .map_err(|_| AppError::Forbidden(FOREIGN_ACCOUNTS.to_owned()))?;
            }
            let found = store::billing::monthly(conn, &accounts, q.from, q.to, q.page, q.per_page)?;
            let per_page = q.per_page;
            let total_pages = found.total.div_ceil(u64::from(per_page)).max(1) as u32;
            let mut usage = Vec::with_capacity(found.rows.len());
            for row in found.rows {
                let units = row.units;
                let total_amount = amount(units, &row.price, &row.currency)
                    .map_err(|e| anyhow::anyhow!("amount of {} × {units}: {e}", row.price))?;
                usage.push(MonthlyUsage {
                    account_id: row.account_id,
                    product_id: row.product_id,
                    aggr_product_id: row.aggr_product_id,
                    month: row.month,
                    kind: row.kind,
                    description: row.description,
                    currency: row.currency,
                    direction: None,
                    resolution: None,
                    unit: row.unit,
                    price: row.price,
                    wallet_name: "default".to_owned(),
                    number_of_units: units.to_string(),
                    total_amount: total_amount.to_string(),
                });
            }
            let link = |page: u32| Href {
                href: format!("/express/usage/month?{}", q.query_string(page)),
            };
            Ok(MonthlyPage {
                count: usage.len() as u32,
                page: q.page,
                per_page,
                total: found.total,
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
        .await?;
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
