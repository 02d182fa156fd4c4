//! `GET /usage/realms/{realmId}` (contract section 1).

use super::query_pairs;
use crate::auth::Caller;
use crate::error::AppError;
use crate::{AppState, query};
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use usage_api::usage::{QueryKind, UsagePage, UsageQuery, validate_realm_id};

/// The usage routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/usage/realms/{realm_id}", get(get_usage))
}

/// Validates the realm id and query for `kind`, naming every bad parameter.
pub fn parse_request(
    realm: &str,
    raw: Option<&str>,
    kind: QueryKind,
) -> Result<UsageQuery, AppError> {
    let pairs = query_pairs(raw)?;
    let mut errors = Vec::new();
    if let Err(e) = validate_realm_id(realm) {
        errors.push(e);
    }
    match UsageQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), kind) {
        Ok(q) if errors.is_empty() => Ok(q),
        Ok(_) => Err(AppError::Validation(errors)),
        Err(mut more) => {
            errors.append(&mut more);
            Err(AppError::Validation(errors))
        }
    }
}

async fn get_usage(
    State(state): State<AppState>,
    caller: Caller,
    Path(realm): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<UsagePage>, AppError> {
    let q = parse_request(&realm, raw.as_deref(), QueryKind::Page)?;
    caller.require("usage:read")?;
    let pool = state.pool.clone();
    let page = tokio::task::spawn_blocking(move || -> Result<UsagePage, AppError> {
        let conn = pool.get()?;
        caller.check_realm(&conn, &realm)?;
        Ok(query::page(&conn, &realm, &q)?)
    })
    .await??;
    Ok(Json(page))
}
