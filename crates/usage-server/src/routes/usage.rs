//! `GET /usage/realms/{realmId}` and its CSV (contract section 1).

use super::query_pairs;
use crate::auth::Caller;
use crate::csv_out::CsvRows;
use crate::error::AppError;
use crate::{AppState, query};
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use usage_api::usage::{QueryKind, UsagePage, UsageQuery, validate_realm_id};

/// The usage routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/usage/realms/{realm_id}", get(get_usage))
        .route("/usage/realms/{realm_id}/csv", get(get_csv))
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

/// Chunks of about this size are sent as the CSV is produced.
const CHUNK: usize = 32 * 1024;

async fn get_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(realm): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let q = parse_request(&realm, raw.as_deref(), QueryKind::Csv)?;
    caller.require("usage:read")?;
    let realms = vec![realm.clone()];
    let (pool, check_realms, check_q) = (state.pool.clone(), realms.clone(), q.clone());
    // Access and size are settled before the first byte, so they can still be a 403 or 400.
    let count = tokio::task::spawn_blocking(move || -> Result<u64, AppError> {
        let conn = pool.get()?;
        caller.check_realm(&conn, &check_realms[0])?;
        Ok(query::count(&conn, &check_realms, &check_q)?)
    })
    .await??;
    let max = state.csv_max_records;
    if count > max {
        return Err(AppError::TooLarge(format!(
            "The result has {count} records; this CSV returns at most {max}. \
             Narrow the range or filters, or create a report (POST /usage/realms/{realm}/reports), \
             which holds up to a million records."
        )));
    }

    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let pool = state.pool.clone();
    let stream_q = q.clone();
    tokio::task::spawn_blocking(move || {
        let mut rows = CsvRows::new(stream_q.columns());
        let result = pool.get().map_err(anyhow::Error::from).and_then(|conn| {
            query::for_each(&conn, &realms, &stream_q, |item| {
                rows.push(&item);
                // A closed channel means the client went away: stop reading.
                rows.buffered() < CHUNK || tx.blocking_send(Ok(Bytes::from(rows.take()))).is_ok()
            })
            .map_err(anyhow::Error::from)
        });
        match result {
            Ok(()) => {
                let _ = tx.blocking_send(Ok(Bytes::from(rows.take())));
            }
            Err(e) => {
                tracing::error!(error = ?e, "CSV stream failed");
                let _ =
                    tx.blocking_send(Err(std::io::Error::other("the CSV could not be completed")));
            }
        }
    });
    let filename = format!(
        "usage-{realm}-{}-{}.csv",
        q.start.to_string().replace(':', ""),
        q.end.to_string().replace(':', "")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)),
    )
        .into_response())
}
