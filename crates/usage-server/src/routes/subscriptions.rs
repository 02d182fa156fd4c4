//! `GET /usage/realms/{realmId}/subscriptions` (contract section 12): what the portal's pickers
//! offer, with this UTC month's accepted use and what a limit leaves of it.

use super::extract::QueryPairs;
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::store;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use usage_api::Quantity;
use usage_api::subscriptions::{SubscriptionItem, SubscriptionPage, SubscriptionQuery};
use usage_api::usage::{UsagePage, validate_realm_id};

/// The subscriptions route.
pub fn router() -> Router<AppState> {
    Router::new().route("/usage/realms/{realm_id}/subscriptions", get(list))
}

/// `[start, end)` of the UTC month `now` is in, Unix seconds.
pub fn this_month(now: chrono::DateTime<chrono::Utc>) -> (i64, i64) {
    use chrono::{Datelike, Months, NaiveDate};
    let d = now.date_naive();
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    let start = |d: NaiveDate| usage_api::Timestamp::start_of(d).unix();
    (start(first), start(next))
}

/// The realm id from the path and the query's paging, every problem named at once.
fn parse(realm: &str, pairs: &QueryPairs) -> Result<SubscriptionQuery, AppError> {
    let mut errors: Vec<_> = validate_realm_id(realm).err().into_iter().collect();
    match SubscriptionQuery::from_pairs(pairs.iter()) {
        Ok(q) if errors.is_empty() => Ok(q),
        Ok(_) => Err(AppError::Validation(errors)),
        Err(more) => {
            errors.extend(more);
            Err(AppError::Validation(errors))
        }
    }
}

#[utoipa::path(get, path = "/usage/realms/{realmId}/subscriptions", tag = "usage", operation_id = "listSubscriptions",
    summary = "The realm's subscriptions, with this month's use and what a limit leaves (section 12)",
    params(crate::openapi::RealmPath, crate::openapi::ReportListParams),
    responses((status = 200, description = "A page of subscriptions.", body = usage_api::subscriptions::SubscriptionPage),
        crate::openapi::RealmReadErrors),
    security(("bearer" = ["usage:read"])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(realm): Path<String>,
    query: Result<QueryPairs, AppError>,
) -> Result<Json<SubscriptionPage>, AppError> {
    let q = query.and_then(|pairs| parse(&realm, &pairs))?;
    caller.require("usage:read")?;
    let (from, to) = this_month(chrono::Utc::now());
    let page = state
        .db(move |conn| -> Result<SubscriptionPage, AppError> {
            caller.check_realm(conn, &realm)?;
            let total = store::subscriptions::count(conn, &realm)?;
            let offset = u64::from(q.offset) * u64::from(q.limit);
            let rows = store::subscriptions::page(conn, &realm, from, to, q.limit, offset)?;
            let items = rows
                .into_iter()
                .map(|r| SubscriptionItem {
                    remaining: r.limit_milli.map(|l| Quantity((l - r.used_milli).max(0))),
                    monthly_limit: r.limit_milli.map(Quantity),
                    used: Quantity(r.used_milli),
                    billing_subscription_id: r.billing_id,
                    feature_id: r.feature_id,
                    billing_charge_number: r.charge_number,
                    category: r.category,
                    name: r.name,
                    value_driver: r.value_driver,
                    usage_type_code: r.usage_type_code,
                    price: r.price,
                    currency: r.currency,
                })
                .collect();
            let last_offset = UsagePage::last_offset_for(total, q.limit);
            Ok(SubscriptionPage {
                total,
                limit: q.limit,
                offset: q.offset,
                items,
                next_offset: (q.offset < last_offset).then_some(q.offset + 1),
                last_offset,
            })
        })
        .await?;
    Ok(Json(page))
}
