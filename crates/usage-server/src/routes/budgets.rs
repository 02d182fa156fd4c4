//! Budgets (contract section 10): `GET /usage/realms/{realmId}/budgets`,
//! `PUT`/`DELETE …/budgets/{budgetId}`.
//!
//! When usage first reaches an alert level is written as the usage is recorded
//! ([`note_usage`], in the recording's transaction) or, for usage that was there already, when
//! the budget is set: a read only reports it, so the time stays what it was.

use super::json_object;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{AppError, json_or_unspecified};
use crate::routes::subscriptions::this_month;
use crate::store;
use crate::store::budgets::BudgetRow;
use crate::store::sql::{Conn, TxKind};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;
use usage_api::budgets::{
    BUDGETS_PER_REALM, Budget, BudgetInput, BudgetList, BudgetScope, BudgetState, amount_text,
    check_budget_id, forecast, percent, reached,
};
use usage_api::usage::validate_realm_id;
use usage_api::{FieldError, Quantity, Timestamp};

/// The budget routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/usage/realms/{realm_id}/budgets", get(list))
        .route(
            "/usage/realms/{realm_id}/budgets/{budget_id}",
            axum::routing::put(put).delete(delete),
        )
}

/// What budget `b` has used from `from` to `to`: its subscription's usage (the `usageValue`),
/// or the sum of section 3's amounts (billable units × price, each rounded half-even to the
/// currency's minor unit) of the realm's subscriptions in its currency.
fn measure(
    conn: &mut Conn<'_>,
    realm: &str,
    b: &BudgetRow,
    from: i64,
    to: i64,
) -> Result<Quantity, AppError> {
    if let Some(sub) = b.sub_id {
        let (usage, _) = store::records::usage_between(conn, sub, from, to)?;
        return Ok(Quantity(usage));
    }
    let currency = b.currency.as_deref().unwrap_or_default();
    let mut total = rust_decimal::Decimal::ZERO;
    for (price, billable) in store::budgets::billable_by_price(conn, realm, currency, from, to)? {
        let a = super::billing::amount(Quantity(billable), &price, currency)
            .map_err(|e| anyhow::anyhow!("amount of {price} × {billable}: {e}"))?;
        total = total
            .checked_add(a)
            .ok_or_else(|| anyhow::anyhow!("the amounts of budget {} overflow", b.id))?;
    }
    let milli = (total * rust_decimal::Decimal::from(1000))
        .to_i64()
        .ok_or_else(|| anyhow::anyhow!("the amount of budget {} is out of range", b.id))?;
    Ok(Quantity(milli))
}

/// Measures `b` in the month starting at `from` and notes, at `at`, every alert level it has
/// reached and had not before. Returns what it used.
fn evaluate(
    conn: &mut Conn<'_>,
    realm: &str,
    b: &BudgetRow,
    (from, to): (i64, i64),
    at: i64,
) -> Result<Quantity, AppError> {
    let used = measure(conn, realm, b, from, to)?;
    let threshold = Quantity(b.threshold_milli);
    let newly: Vec<u32> = b
        .alert_at
        .iter()
        .copied()
        .filter(|&l| reached(used, threshold, l))
        .collect();
    if newly.is_empty() {
        return Ok(used);
    }
    let had = store::budgets::crossings(conn, realm, &b.id, from)?;
    for level in newly
        .into_iter()
        .filter(|l| !had.iter().any(|(h, _)| h == l))
    {
        store::budgets::add_crossing(conn, realm, &b.id, from, level, at)?;
    }
    Ok(used)
}

/// Notes the alert levels that records at `usage_time`, just written in this transaction at
/// `now`, made `realm`'s budgets `budgets` (those the records move:
/// [`store::budgets::moved_by`]) reach in that month.
pub fn note_usage(
    conn: &mut Conn<'_>,
    realm: &str,
    budgets: &[&BudgetRow],
    usage_time: i64,
    now: i64,
) -> Result<(), AppError> {
    if budgets.is_empty() {
        return Ok(());
    }
    let at = chrono::DateTime::from_timestamp(usage_time, 0).unwrap_or_default();
    let month = this_month(at);
    for b in budgets {
        evaluate(conn, realm, b, month, now)?;
    }
    Ok(())
}

/// `b` as GET answers it, for the month `month` with `now` in it.
fn answer(
    conn: &mut Conn<'_>,
    realm: &str,
    b: BudgetRow,
    month: (i64, i64),
    now: i64,
) -> Result<Budget, AppError> {
    let used = measure(conn, realm, &b, month.0, month.1)?;
    let threshold = Quantity(b.threshold_milli);
    let crossed_at: BTreeMap<String, Timestamp> =
        store::budgets::crossings(conn, realm, &b.id, month.0)?
            .into_iter()
            .filter_map(|(level, at)| Some((level.to_string(), Timestamp::from_unix(at)?)))
            .collect();
    let text = |q: Quantity| match &b.currency {
        Some(c) => amount_text(q, c),
        None => q.to_string(),
    };
    let projected = forecast(used, now - month.0, month.1 - month.0).map(|f| match &b.currency {
        // An amount's projection is an amount: in the currency's minor unit, half to even.
        Some(c) => round_to_minor(f, c),
        None => f,
    });
    let month_name = Timestamp::from_unix(month.0)
        .map(|t| t.date().format("%Y-%m").to_string())
        .unwrap_or_default();
    Ok(Budget {
        state: BudgetState::of(used, threshold, &b.alert_at),
        percent: percent(used, threshold),
        used: text(used),
        forecast: projected.map(text),
        threshold: text(threshold),
        crossed_at,
        month: month_name,
        updated: Timestamp::from_unix(b.updated)
            .unwrap_or_else(|| Timestamp::start_of(chrono::NaiveDate::MIN)),
        id: b.id,
        name: b.name,
        billing_subscription_id: b.billing_id,
        value_driver: b.value_driver,
        currency: b.currency,
        alert_at: b.alert_at,
    })
}

/// `q` (thousandths) rounded half to even to `currency`'s minor unit.
fn round_to_minor(q: Quantity, currency: &str) -> Quantity {
    let step = 10_i64.pow(3 - usage_api::billing::minor_units(currency).min(3));
    if step == 1 {
        return q;
    }
    let (d, r) = (q.milli().div_euclid(step), q.milli().rem_euclid(step));
    let up = match (2 * r).cmp(&step) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Equal => d % 2 != 0,
        std::cmp::Ordering::Less => false,
    };
    Quantity((d + i64::from(up)) * step)
}

#[utoipa::path(get, path = "/usage/realms/{realmId}/budgets", tag = "budgets", operation_id = "listBudgets",
    summary = "The realm's budgets with this month's use, forecast, state and alert crossings (section 10)",
    params(crate::openapi::RealmPath),
    responses((status = 200, description = "Every budget of the realm, by id.", body = usage_api::budgets::BudgetList),
        crate::openapi::RealmReadErrors),
    security(("bearer" = ["usage:read"])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(realm): Path<String>,
) -> Result<Json<BudgetList>, AppError> {
    validate_realm_id(&realm).map_err(|e| AppError::Validation(vec![e]))?;
    caller.require("usage:read")?;
    let now = chrono::Utc::now();
    let list = state
        .db(move |conn| -> Result<BudgetList, AppError> {
            conn.transaction(TxKind::Read, |tx| {
                caller.check_realm(tx, &realm)?;
                let month = this_month(now);
                let items = store::budgets::list(tx, &realm)?
                    .into_iter()
                    .map(|b| answer(tx, &realm, b, month, now.timestamp()))
                    .collect::<Result<Vec<_>, AppError>>()?;
                Ok(BudgetList {
                    items,
                    as_of: Timestamp::from_datetime(now),
                })
            })
        })
        .await?;
    Ok(Json(list))
}

/// Reads the body into a [`BudgetInput`] and the fields of the wrong type, which it leaves out.
fn parse(body: &Bytes) -> Result<(BudgetInput, Vec<FieldError>), Vec<FieldError>> {
    let map = json_object(body)?;
    let mut out = BudgetInput::default();
    let mut errors = Vec::new();
    for (k, raw) in &map {
        let raw = raw.get();
        let text = || serde_json::from_str::<String>(raw).ok();
        match k.as_str() {
            "name" | "billingSubscriptionId" | "currency" => {
                if raw == "null" {
                    continue;
                }
                let slot = match k.as_str() {
                    "name" => &mut out.name,
                    "billingSubscriptionId" => &mut out.billing_subscription_id,
                    _ => &mut out.currency,
                };
                match text() {
                    Some(s) => *slot = Some(s),
                    None => errors.push(FieldError::new(k, "must be a string")),
                }
            }
            "threshold" => {
                if raw.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
                    // A JSON number as written, judged by its decimals exactly.
                    out.threshold = Some(raw.to_owned());
                } else if let Some(s) = text() {
                    out.threshold = Some(s);
                } else {
                    errors.push(FieldError::new(
                        k,
                        "must be a decimal number, such as \"250.00\"",
                    ));
                }
            }
            "alertAt" => match serde_json::from_str::<Option<Vec<serde_json::Value>>>(raw) {
                Ok(None) => {}
                Ok(Some(levels)) => {
                    let whole: Option<Vec<u32>> = levels
                        .iter()
                        .map(|v| v.as_u64().and_then(|n| u32::try_from(n).ok()))
                        .collect();
                    match whole {
                        Some(l) => out.alert_at = Some(l),
                        None => errors.push(FieldError::new(
                            k,
                            "must be a list of whole percents, such as [50, 80, 100]",
                        )),
                    }
                }
                Err(_) => errors.push(FieldError::new(
                    k,
                    "must be a list of whole percents, such as [50, 80, 100]",
                )),
            },
            // What GET answers may be sent back as it is: the server works these out.
            "id" | "valueDriver" | "month" | "used" | "forecast" | "percent" | "state"
            | "crossedAt" | "updated" => {}
            _ => errors.push(FieldError::new(k, "is not a field of a budget")),
        }
    }
    Ok((out, errors))
}

#[utoipa::path(put, path = "/usage/realms/{realmId}/budgets/{budgetId}", tag = "budgets", operation_id = "putBudget",
    summary = "Create or replace a budget (section 10)",
    params(crate::openapi::BudgetPath),
    request_body(content = usage_api::budgets::BudgetInput),
    responses(
        (status = 201, description = "Created.", body = usage_api::budgets::Budget,
            headers(("Location" = String, description = "The budget's URL."))),
        (status = 200, description = "Replaced.", body = usage_api::budgets::Budget),
        crate::openapi::RealmWriteErrors),
    security(("bearer" = ["budgets:write"])))]
async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path((realm, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    if !json_or_unspecified(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    let mut errors: Vec<FieldError> = validate_realm_id(&realm).err().into_iter().collect();
    if let Err(e) = check_budget_id(&id) {
        errors.push(FieldError::new("budgetId", e));
    }
    let valid = parse(&body).and_then(|(input, bad)| super::merged(bad, input.validate()));
    let valid = match valid {
        Ok(v) if errors.is_empty() => v,
        Ok(_) => return Err(AppError::Validation(errors)),
        Err(e) => {
            errors.extend(e);
            return Err(AppError::Validation(errors));
        }
    };
    caller.require("budgets:write")?;
    let now = chrono::Utc::now();
    let (r, i) = (realm.clone(), id.clone());
    let (created, budget) = state
        .db(move |conn| -> Result<(bool, Budget), AppError> {
            conn.transaction(TxKind::Write, |tx| {
                caller.check_realm(tx, &r)?;
                let sub_id = match &valid.scope {
                    BudgetScope::Subscription(billing_id) => {
                        match store::records::subscription(tx, billing_id)? {
                            Some(s) if s.realm_id == r => Some(s.id),
                            // Another realm's subscription reads as no subscription at all.
                            _ => {
                                return Err(AppError::field(
                                    "billingSubscriptionId",
                                    format!("names no subscription of the realm '{r}'"),
                                ));
                            }
                        }
                    }
                    BudgetScope::Currency(_) => None,
                };
                let currency = match &valid.scope {
                    BudgetScope::Currency(c) => Some(c.as_str()),
                    BudgetScope::Subscription(_) => None,
                };
                store::budgets::lock_realm(tx, &r)?;
                let before = store::budgets::get(tx, &r, &i)?;
                if before.is_none() && store::budgets::count(tx, &r)? >= BUDGETS_PER_REALM {
                    return Err(AppError::LimitExceeded(format!(
                        "The realm '{r}' has {BUDGETS_PER_REALM} budgets, the most it may keep; delete one first."
                    )));
                }
                // A budget set to measure something else starts its crossings afresh; a new
                // name alone keeps them.
                if let Some(b) = &before
                    && (b.sub_id != sub_id
                        || b.currency.as_deref() != currency
                        || b.threshold_milli != valid.threshold.milli()
                        || b.alert_at != valid.alert_at)
                {
                    store::budgets::clear_crossings(tx, &r, &i)?;
                }
                store::budgets::put(
                    tx,
                    &r,
                    &i,
                    &store::budgets::SetBudget {
                        name: &valid.name,
                        sub_id,
                        currency,
                        threshold_milli: valid.threshold.milli(),
                        alert_at: &valid.alert_at,
                        now: now.timestamp(),
                    },
                )?;
                let row = store::budgets::get(tx, &r, &i)?
                    .ok_or_else(|| anyhow::anyhow!("budget {i} was written and is not there"))?;
                let month = this_month(now);
                evaluate(tx, &r, &row, month, now.timestamp())?;
                Ok((before.is_none(), answer(tx, &r, row, month, now.timestamp())?))
            })
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let resp = (status, Json(budget)).into_response();
    Ok(if created {
        super::located(resp, &format!("/usage/realms/{realm}/budgets/{id}"))
    } else {
        resp
    })
}

#[utoipa::path(delete, path = "/usage/realms/{realmId}/budgets/{budgetId}", tag = "budgets", operation_id = "deleteBudget",
    summary = "Delete a budget (section 10)",
    params(crate::openapi::BudgetPath),
    responses((status = 204, description = "Deleted."), crate::openapi::RealmDeleteErrors),
    security(("bearer" = ["budgets:write"])))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path((realm, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let mut errors: Vec<FieldError> = validate_realm_id(&realm).err().into_iter().collect();
    if let Err(e) = check_budget_id(&id) {
        errors.push(FieldError::new("budgetId", e));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    caller.require("budgets:write")?;
    state
        .db(move |conn| -> Result<(), AppError> {
            conn.transaction(TxKind::Write, |tx| {
                caller.check_realm(tx, &realm)?;
                if store::budgets::delete(tx, &realm, &id)? {
                    Ok(())
                } else {
                    Err(AppError::NotFound(format!(
                        "The realm '{realm}' has no budget '{id}'."
                    )))
                }
            })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::round_to_minor;
    use usage_api::Quantity;

    #[test]
    fn projections_of_amounts_round_half_even_to_the_minor_unit() {
        assert_eq!(round_to_minor(Quantity(12_345), "EUR"), Quantity(12_340));
        assert_eq!(round_to_minor(Quantity(12_355), "EUR"), Quantity(12_360));
        assert_eq!(round_to_minor(Quantity(12_356), "EUR"), Quantity(12_360));
        assert_eq!(round_to_minor(Quantity(2_500), "JPY"), Quantity(2_000));
        assert_eq!(round_to_minor(Quantity(3_500), "JPY"), Quantity(4_000));
        assert_eq!(round_to_minor(Quantity(1_234), "BHD"), Quantity(1_234));
    }
}
