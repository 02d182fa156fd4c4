//! Usage reports (contract section 2): create, status, list, download.

use super::query_pairs;
use super::usage::parse_request;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{AppError, json_or_unspecified};
use crate::reports::Refused;
use crate::signing::SigningKeys;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use r2d2_sqlite::rusqlite::{Connection, OptionalExtension, Row, params};
use tower::ServiceExt;
use usage_api::reports::{
    CreateReport, Report, ReportCreated, ReportList, ReportParameters, ReportStatus,
    parse_report_id, report_id,
};
use usage_api::usage::{QueryKind, UsagePage};
use usage_api::{FieldError, Timestamp};

/// The report routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/usage/realms/{realm_id}/reports", post(create).get(list))
        .route(
            "/usage/realms/{realm_id}/reports/{report_id}/output",
            get(status),
        )
        .route(
            "/usage/realms/{realm_id}/reports/{report_id}/download",
            get(download),
        )
}

/// Seconds a client should wait before asking again about a report in progress.
const RETRY_AFTER_SECS: u64 = 2;

fn parse_body(body: &Bytes) -> Result<CreateReport, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(CreateReport::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        AppError::field(
            "body",
            format!("must be JSON like {{\"subAccounts\": [\"realm-id\"]}} ({e})"),
        )
    })
}

#[utoipa::path(post, path = "/usage/realms/{realmId}/reports", tag = "reports", operation_id = "createReport",
    summary = "Request a report (contract section 2)",
    params(crate::openapi::RealmPath, crate::openapi::ReportParams),
    request_body(content = Option<usage_api::reports::CreateReport>, description = "Optional: the sub-accounts to report on instead of the realm."),
    responses((status = 201, description = "Accepted; poll `Location`.", body = usage_api::reports::ReportCreated,
            headers(("Location" = String, description = "The report's status URL."))),
        crate::openapi::ReportCreateErrors),
    security(("bearer" = ["reports:write"])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(realm): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    if !body.iter().all(u8::is_ascii_whitespace) && !json_or_unspecified(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    // Every problem at once: the query's, the body's and the sub-accounts'.
    let mut errors = Vec::new();
    let q = match parse_request(&realm, raw.as_deref(), QueryKind::Report) {
        Ok(q) => Some(q),
        Err(AppError::Validation(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(AppError::Validation(e)) => {
            errors.extend(e);
            CreateReport::default()
        }
        Err(e) => return Err(e),
    };
    if let Some(Err(e)) = body
        .sub_accounts
        .as_deref()
        .map(usage_api::reports::check_sub_accounts)
    {
        errors.push(FieldError::new("subAccounts", e));
    }
    let q = match q {
        Some(q) if errors.is_empty() => q,
        _ => return Err(AppError::Validation(errors)),
    };
    caller.require("reports:write")?;
    let pool = state.pool.clone();
    let reports = state.reports.clone();
    let r = realm.clone();
    let id = tokio::task::spawn_blocking(move || -> Result<i64, AppError> {
        let mut conn = pool.get()?;
        caller.check_realm(&conn, &r)?;
        if let Some(subs) = &body.sub_accounts {
            for s in subs {
                let parent: Option<Option<String>> = conn
                    .query_row("SELECT parent_realm_id FROM orgs WHERE realm_id = ?1", [s], |row| row.get(0))
                    .optional()?;
                if parent.flatten().as_deref() != Some(r.as_str()) {
                    return Err(AppError::Forbidden(format!("'{s}' is not a sub-account of '{r}'.")));
                }
            }
        }
        // Stored explicitly, defaults included, so the status shows exactly what was run.
        let mut pairs = q.to_pairs(QueryKind::Report);
        if !pairs.iter().any(|(k, _)| *k == "detailLevel") {
            pairs.push(("detailLevel", q.detail.as_str().to_owned()));
        }
        if !pairs.iter().any(|(k, _)| *k == "groupBy") {
            pairs.push(("groupBy", q.group_by.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(",")));
        }
        let query = serde_urlencoded::to_string(pairs).map_err(anyhow::Error::from)?;
        let subs = body.sub_accounts.as_ref().map(serde_json::to_string).transpose().map_err(anyhow::Error::from)?;
        reports.submit(&mut conn, &r, &query, subs.as_deref()).map_err(|e| match e {
            Refused::Busy { max_in_progress } => AppError::RateLimited {
                why: format!(
                    "The realm '{r}' already has {max_in_progress} reports in progress, the most it may have at once. Ask again once one of them is completed or failed."
                ),
                retry_after_secs: reports.options.busy_retry_after_secs,
            },
            Refused::Db(e) => e.into(),
        })
    })
    .await??;
    let public = report_id(id);
    let location = format!("/usage/realms/{realm}/reports/{public}/output");
    let mut resp = (
        StatusCode::CREATED,
        Json(ReportCreated {
            id: public,
            status: ReportStatus::InProgress,
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

const COLUMNS: &str = "id, realm_id, status, query, sub_accounts, created, finished, row_count, byte_size, truncated, error";

fn report_from_row(
    row: &Row<'_>,
    keys: &SigningKeys,
    now: i64,
) -> r2d2_sqlite::rusqlite::Result<Report> {
    let id: i64 = row.get(0)?;
    let realm: String = row.get(1)?;
    let status = ReportStatus::parse(&row.get::<_, String>(2)?).unwrap_or(ReportStatus::Failed);
    let query: String = row.get(3)?;
    let subs: Option<String> = row.get(4)?;
    let public = report_id(id);
    let download_url = (status == ReportStatus::Completed).then(|| {
        keys.sign(
            &format!("/usage/realms/{realm}/reports/{public}/download"),
            now,
        )
    });
    Ok(Report {
        id: public,
        status,
        created: Timestamp::from_unix(row.get(5)?)
            .unwrap_or(Timestamp::from_unix(0).expect("epoch")),
        finished: row.get::<_, Option<i64>>(6)?.and_then(Timestamp::from_unix),
        parameters: ReportParameters {
            query: serde_urlencoded::from_str(&query).unwrap_or_default(),
            sub_accounts: subs.and_then(|s| serde_json::from_str(&s).ok()),
        },
        row_count: row.get::<_, Option<i64>>(7)?.map(|n| n as u64),
        byte_size: row.get::<_, Option<i64>>(8)?.map(|n| n as u64),
        truncated: row.get(9)?,
        download_url,
        error: row.get(10)?,
    })
}

fn find(conn: &Connection, keys: &SigningKeys, realm: &str, id: &str) -> Result<Report, AppError> {
    let not_found = || AppError::NotFound(format!("The realm '{realm}' has no report '{id}'."));
    let n = parse_report_id(id).ok_or_else(not_found)?;
    let now = chrono::Utc::now().timestamp();
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM reports WHERE id = ?1 AND realm_id = ?2"),
        params![n, realm],
        |r| report_from_row(r, keys, now),
    )
    .optional()?
    .ok_or_else(not_found)
}

#[utoipa::path(get, path = "/usage/realms/{realmId}/reports/{reportId}/output", tag = "reports", operation_id = "getReport",
    summary = "A report's status (section 2)",
    params(crate::openapi::ReportPath),
    responses((status = 200, description = "The report.", body = usage_api::reports::Report,
            headers(("Retry-After" = u64, description = "Seconds before asking again, while in progress."))),
        crate::openapi::RealmReadErrors),
    security(("bearer" = ["usage:read"])))]
async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path((realm, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    caller.require("usage:read")?;
    let (pool, keys) = (state.pool.clone(), state.signing.clone());
    let report = tokio::task::spawn_blocking(move || -> Result<Report, AppError> {
        let conn = pool.get()?;
        caller.check_realm(&conn, &realm)?;
        find(&conn, &keys, &realm, &id)
    })
    .await??;
    let mut resp = Json(&report).into_response();
    if report.status == ReportStatus::InProgress {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    Ok(resp)
}

#[utoipa::path(get, path = "/usage/realms/{realmId}/reports", tag = "reports", operation_id = "listReports",
    summary = "A realm's reports, newest first (section 2)",
    params(crate::openapi::RealmPath, crate::openapi::ReportListParams),
    responses((status = 200, description = "A page of reports.", body = usage_api::reports::ReportList),
        crate::openapi::RealmReadErrors),
    security(("bearer" = ["usage:read"])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(realm): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ReportList>, AppError> {
    let mut errors = Vec::new();
    let (mut limit, mut offset) = (usage_api::limits::PAGE_LIMIT_DEFAULT, 0_u32);
    for (k, v) in query_pairs(raw.as_deref())? {
        match k.as_str() {
            "limit" => match v.parse::<u32>() {
                Ok(n) if (1..=usage_api::limits::PAGE_LIMIT_MAX).contains(&n) => limit = n,
                _ => errors.push(FieldError::new(
                    "limit",
                    "must be a whole number from 1 to 100",
                )),
            },
            "offset" => match v.parse::<u32>() {
                Ok(n) => offset = n,
                _ => errors.push(FieldError::new(
                    "offset",
                    "must be a whole number of at least 0",
                )),
            },
            _ => errors.push(FieldError::new(k, usage_api::usage::msg::UNKNOWN)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    caller.require("usage:read")?;
    let (pool, keys) = (state.pool.clone(), state.signing.clone());
    let page = tokio::task::spawn_blocking(move || -> Result<ReportList, AppError> {
        let conn = pool.get()?;
        caller.check_realm(&conn, &realm)?;
        let total: i64 = conn.query_row(
            "SELECT COUNT(*) FROM reports WHERE realm_id = ?1",
            [&realm],
            |r| r.get(0),
        )?;
        let now = chrono::Utc::now().timestamp();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM reports WHERE realm_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3"
        ))?;
        let items = stmt
            .query_map(
                params![realm, limit, i64::from(limit) * i64::from(offset)],
                |r| report_from_row(r, &keys, now),
            )?
            .collect::<Result<Vec<_>, _>>()?;
        let last_offset = UsagePage::last_offset_for(total as u64, limit);
        Ok(ReportList {
            total: total as u64,
            limit,
            offset,
            items,
            next_offset: (offset < last_offset).then(|| offset + 1),
            last_offset,
        })
    })
    .await??;
    Ok(Json(page))
}

/// The CSV, streamed from the report store with `Content-Length` and `Range`. Authorized by
/// the bearer token, or by the signature of a `downloadUrl`.
#[utoipa::path(get, path = "/usage/realms/{realmId}/reports/{reportId}/download", tag = "reports", operation_id = "downloadReport",
    summary = "A completed report's CSV, by token or by a signed `downloadUrl` (section 2)",
    params(crate::openapi::ReportPath, crate::openapi::DownloadParams,
        ("Range" = Option<String>, Header, description = "A byte range of the CSV, such as `bytes=0-99`.")),
    responses(
        (status = 200, description = "The CSV.", content_type = "text/csv", body = String,
            headers(("Content-Disposition" = String, description = "attachment; filename=\"REPORT-….csv\""))),
        (status = 206, description = "The requested range of the CSV.", content_type = "text/csv", body = String),
        crate::openapi::DownloadErrors),
    security(("bearer" = ["usage:read"]), ()))]
async fn download(
    State(state): State<AppState>,
    Path((realm, id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let pairs = query_pairs(req.uri().query())?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (parts, body) = req.into_parts();
    let signed = match (get("expires"), get("signature")) {
        (Some(e), Some(s)) => Some((e.parse::<i64>().unwrap_or(0), s)),
        (None, None) => None,
        _ => {
            return Err(AppError::Forbidden(
                "The download link is incomplete.".to_owned(),
            ));
        }
    };
    let caller = match signed {
        Some(_) => None,
        None => {
            let mut p = parts.clone();
            let c = Caller::from_request_parts(&mut p, &state).await?;
            c.require("usage:read")?;
            Some(c)
        }
    };
    let (pool, keys) = (state.pool.clone(), state.signing.clone());
    let (r, i) = (realm.clone(), id.clone());
    let report = tokio::task::spawn_blocking(move || -> Result<Report, AppError> {
        let conn = pool.get()?;
        match (&caller, &signed) {
            (Some(c), _) => c.check_realm(&conn, &r)?,
            (None, Some((expires, sig))) => {
                let path = format!("/usage/realms/{r}/reports/{i}/download");
                if !keys.verify(&path, *expires, sig, chrono::Utc::now().timestamp()) {
                    return Err(AppError::Forbidden(
                        "The download link has expired or is not valid. Get a fresh one from the report's status.".to_owned(),
                    ));
                }
            }
            (None, None) => unreachable!("one of the two is set above"),
        }
        find(&conn, &keys, &r, &i)
    })
    .await??;
    if report.status != ReportStatus::Completed {
        return Err(AppError::Conflict(format!(
            "The report '{id}' is {}; download it once it is completed.",
            report.status.as_str()
        )));
    }
    let n = parse_report_id(&id).unwrap_or_default();
    let file = state.reports.file(n);
    let req = Request::from_parts(parts, body);
    let mut resp = tower_http::services::ServeFile::new(&file)
        .oneshot(req)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("serving {}: {e}", file.display())))?
        .map(Body::new);
    if resp.status() == StatusCode::NOT_FOUND {
        return Err(AppError::Internal(anyhow::anyhow!(
            "report file {} is missing",
            file.display()
        )));
    }
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{id}.csv\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}
