//! `GET /healthz` and `GET /readyz` (contract section 5): no auth.

use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::time::Duration;

/// How long the database has to answer for the service to be ready.
pub const READY_DEADLINE: Duration = Duration::from_secs(1);

/// The health routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The process runs: no database involved.
#[utoipa::path(get, path = "/healthz", tag = "service", operation_id = "healthz",
    responses((status = 200, description = "The process runs.", body = crate::openapi::Status),
        crate::openapi::PublicErrors))]
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// The database answers a query within [`READY_DEADLINE`].
#[utoipa::path(get, path = "/readyz", tag = "service", operation_id = "readyz",
    responses((status = 200, description = "The database answers.", body = crate::openapi::Status),
        crate::openapi::ReadyErrors))]
async fn readyz(State(state): State<AppState>) -> Response {
    let (pool, file) = (state.pool.clone(), state.db_file.clone());
    let probe = crate::db::spawn_blocking(move || -> anyhow::Result<()> {
        file.check()?;
        let mut pooled = pool.get_timeout(READY_DEADLINE)?;
        let mut conn = pooled.conn();
        conn.one(
            "SELECT COUNT(*) FROM (SELECT 1 FROM orgs LIMIT 1) AS o",
            &[],
            |r| r.get::<i64>(0),
        )?;
        // A read still answers from open files when the database was made read-only or
        // removed: ready also means its files can be opened for writing where they were.
        let path = conn.sqlite().and_then(|c| c.path()).map(str::to_owned);
        if let Some(path) = path.filter(|p| !p.is_empty()) {
            for file in [path.clone(), format!("{path}-wal")] {
                let probe = std::fs::OpenOptions::new().write(true).open(&file);
                match probe {
                    Ok(_) => {}
                    // No WAL yet is fine; no database file is not.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound && file != path => {}
                    Err(e) => anyhow::bail!("{file} cannot be written: {e}"),
                }
            }
        }
        Ok(())
    });
    let why = match tokio::time::timeout(READY_DEADLINE, probe).await {
        Ok(Ok(Ok(()))) => return Json(json!({"status": "ready"})).into_response(),
        Ok(Ok(Err(e))) => format!("{e:#}"),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "the database did not answer within 1 s".to_owned(),
    };
    tracing::warn!(reason = %why, "not ready");
    // The contract's error fields beside `status`, so it reads as either; no detail leaks.
    let mut resp = (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({
            "status": "unavailable",
            "code": "unavailable",
            "message": "The service is not ready.",
            "description": "The database did not answer in time; try again shortly.",
            "fields": [],
        })),
    )
        .into_response();
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    resp
}
