//! `GET /usage/realms/{realmId}` and its CSV (contract section 1).

use super::extract::QueryPairs;
use crate::auth::{Bearer, Caller};
use crate::csv_out::{self, Spooled};
use crate::error::AppError;
use crate::store::sql::TxKind;
use crate::streams::ConnDeadline;
use crate::{AppState, query};
use axum::Extension;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use usage_api::usage::{QueryKind, RecordPage, UsagePage, UsageQuery, validate_realm_id};

/// The usage routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/usage/realms/{realm_id}", get(get_usage))
        .route("/usage/realms/{realm_id}/csv", get(get_csv))
        .route("/usage/realms/{realm_id}/records", get(get_records))
}

/// Validates the realm id and query for `kind`, naming every bad parameter (the realm's
/// first). Not a [`FromQueryPairs`](super::extract::FromQueryPairs) type: the realm comes
/// from the path, and its problem is reported with the query's.
pub fn parse_request(
    realm: &str,
    pairs: &QueryPairs,
    kind: QueryKind,
) -> Result<UsageQuery, AppError> {
    let mut errors = Vec::new();
    if let Err(e) = validate_realm_id(realm) {
        errors.push(e);
    }
    match UsageQuery::from_pairs(pairs.iter(), kind) {
        Ok(q) if errors.is_empty() => Ok(q),
        Ok(_) => Err(AppError::Validation(errors)),
        Err(mut more) => {
            errors.append(&mut more);
            Err(AppError::Validation(errors))
        }
    }
}

#[utoipa::path(get, path = "/usage/realms/{realmId}", tag = "usage", operation_id = "getUsage",
    summary = "Usage of a realm, grouped and paged (contract section 1)",
    params(crate::openapi::RealmPath, crate::openapi::UsagePageParams),
    responses((status = 200, description = "A page of usage.", body = usage_api::usage::UsagePage),
        crate::openapi::RealmReadErrors),
    security(("bearer" = ["usage:read"])))]
async fn get_usage(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(realm): Path<String>,
    query: Result<QueryPairs, AppError>,
) -> Result<Json<UsagePage>, AppError> {
    let parsed = query.and_then(|pairs| parse_request(&realm, &pairs, QueryKind::Page));
    // The most requested endpoint: the token is checked in the same visit to the database as
    // the query, and still answers first (401 before 400), as every endpoint's does.
    let page = state
        .db(move |conn| -> Result<UsagePage, AppError> {
            // One read transaction: one snapshot, and SQLite's page cache is checked (and
            // after a write, emptied) once rather than once per statement.
            conn.transaction(TxKind::Read, |tx| {
                let caller = bearer.verify(tx)?;
                let q = parsed?;
                caller.require("usage:read")?;
                caller.check_realm(tx, &realm)?;
                Ok(query::page(tx, &realm, &q)?)
            })
        })
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/usage/realms/{realmId}/records", tag = "usage", operation_id = "getUsageRecords",
    summary = "The raw records behind a usage figure, newest first (section 9)",
    params(crate::openapi::RealmPath, crate::openapi::RecordsParams),
    responses((status = 200, description = "A page of records.", body = usage_api::usage::RecordPage),
        crate::openapi::RealmReadErrors),
    security(("bearer" = ["usage:read"])))]
async fn get_records(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(realm): Path<String>,
    query: Result<QueryPairs, AppError>,
) -> Result<Json<RecordPage>, AppError> {
    let parsed = query.and_then(|pairs| parse_request(&realm, &pairs, QueryKind::Records));
    let page = state
        .db(move |conn| -> Result<RecordPage, AppError> {
            conn.transaction(TxKind::Read, |tx| {
                let caller = bearer.verify(tx)?;
                let q = parsed?;
                caller.require("usage:read")?;
                caller.check_realm(tx, &realm)?;
                Ok(query::records_page(tx, &realm, &q)?)
            })
        })
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/usage/realms/{realmId}/csv", tag = "usage", operation_id = "getUsageCsv",
    summary = "The whole result as CSV, at most 20,000 records (section 1)",
    params(crate::openapi::RealmPath, crate::openapi::CsvParams),
    responses((status = 200, description = "The CSV, streamed.", content_type = "text/csv", body = String,
            headers(("Content-Disposition" = String, description = "attachment; filename=\"usage-….csv\""))),
        crate::openapi::CsvErrors),
    security(("bearer" = ["usage:read"])))]
async fn get_csv(
    State(state): State<AppState>,
    caller: Caller,
    conn: Option<Extension<ConnectInfo<ConnDeadline>>>,
    Path(realm): Path<String>,
    query: QueryPairs,
) -> Result<Response, AppError> {
    let q = parse_request(&realm, &query, QueryKind::Csv)?;
    caller.require("usage:read")?;
    // Taken before any database work, so a token over its share costs nothing more.
    let streams = &state.csv_streams;
    let slot = streams
        .try_open(&caller.token_hash)
        .ok_or_else(|| AppError::RateLimited {
            why: format!(
                "This token already has {} CSV downloads open; finish one first, \
                 or create a report (POST /usage/realms/{realm}/reports).",
                streams.limits.per_token
            ),
            retry_after_secs: streams.retry_after_secs(),
        })?;
    let (max, spool_realm, spool_q) = (state.csv_max_records, realm.clone(), q.clone());
    // One short-lived connection: it is back in the pool before the client reads a byte.
    let spooled = state
        .db(move |conn| -> Result<Spooled, AppError> {
            conn.transaction(TxKind::Read, |tx| {
                caller.check_realm(tx, &spool_realm)?;
                Ok(csv_out::spool_usage(tx, &[spool_realm], &spool_q, max)?)
            })
        })
        .await?;
    let file = match spooled {
        Spooled::File(file) => file,
        Spooled::TooMany(count) => {
            return Err(AppError::TooLarge(format!(
                "The result has {count} records; this CSV returns at most {max}. \
                 Narrow the range or filters, or create a report (POST /usage/realms/{realm}/reports), \
                 which holds up to a million records."
            )));
        }
    };
    let len = file.metadata().map_err(anyhow::Error::from)?.len();
    // From the first byte on: the time to read the database is the server's, not the client's.
    let deadline = tokio::time::Instant::now() + state.csv_streams.limits.deadline;
    let armed = conn.map(|Extension(ConnectInfo(c))| c.arm(deadline));
    let body = csv_out::spooled_body(file, deadline, (slot, armed));
    // The zone is in the name: the same dates in two zones are two different files.
    let filename = format!(
        "usage-{realm}-{}-{}-{}.csv",
        q.start.to_string().replace(':', ""),
        q.end.to_string().replace(':', ""),
        q.time_zone.name().replace('/', "_")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_LENGTH, len.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response())
}
