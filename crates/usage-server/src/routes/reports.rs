//! Usage reports (contract section 2): create, status, list, download.

use super::extract::{FromQueryPairs, Params, QueryPairs};
use super::usage::parse_request;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{AppError, json_or_unspecified};
use crate::reports::Refused;
use crate::signing::SigningKeys;
use crate::store::sql::Conn;
use crate::store::{self, reports::ReportRow};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
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
    query: Result<QueryPairs, AppError>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    if !body.iter().all(u8::is_ascii_whitespace) && !json_or_unspecified(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    // Every problem at once: the query's, the body's and the sub-accounts'.
    let mut errors = Vec::new();
    let q = match query.and_then(|pairs| parse_request(&realm, &pairs, QueryKind::Report)) {
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
    let reports = state.reports.clone();
    let r = realm.clone();
    let id = state.db(move |conn| -> Result<i64, AppError> {
        caller.check_realm(conn, &r)?;
        if let Some(subs) = &body.sub_accounts {
            for s in subs {
                let parent = store::orgs::parent(conn, s)?;
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
        reports.submit(conn, &r, &query, subs.as_deref()).map_err(|e| match e {
            Refused::Busy { max_in_progress } => AppError::RateLimited {
                why: format!(
                    "The realm '{r}' already has {max_in_progress} reports in progress, the most it may have at once. Ask again once one of them is completed or failed."
                ),
                retry_after_secs: reports.options.busy_retry_after_secs,
            },
            Refused::Db(e) => e.into(),
        })
    })
    .await?;
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

/// The report as the contract shows it: a completed one carries a `downloadUrl` signed at
/// `now`.
fn report(row: ReportRow, keys: &SigningKeys, now: i64) -> Report {
    let public = report_id(row.id);
    let download_url = (row.status == ReportStatus::Completed).then(|| {
        keys.sign(
            &format!("/usage/realms/{}/reports/{public}/download", row.realm_id),
            now,
        )
    });
    Report {
        id: public,
        status: row.status,
        created: Timestamp::from_unix(row.created)
            .unwrap_or(Timestamp::from_unix(0).expect("epoch")),
        finished: row.finished.and_then(Timestamp::from_unix),
        parameters: ReportParameters {
            query: {
                let mut q: std::collections::BTreeMap<String, String> =
                    serde_urlencoded::from_str(&row.query).unwrap_or_default();
                // The zone is echoed even when it is the default (section 7).
                q.entry("timeZone".to_owned())
                    .or_insert_with(|| usage_api::TimeZone::utc().name().to_owned());
                q
            },
            sub_accounts: row.sub_accounts.and_then(|s| serde_json::from_str(&s).ok()),
        },
        row_count: row.row_count.map(|n| n as u64),
        byte_size: row.byte_size.map(|n| n as u64),
        truncated: row.truncated,
        download_url,
        error: row.error,
        as_of: row.as_of.and_then(Timestamp::from_unix),
    }
}

fn find(
    conn: &mut Conn<'_>,
    keys: &SigningKeys,
    realm: &str,
    id: &str,
) -> Result<Report, AppError> {
    let not_found = || AppError::NotFound(format!("The realm '{realm}' has no report '{id}'."));
    let n = parse_report_id(id).ok_or_else(not_found)?;
    let row = store::reports::find(conn, realm, n)?.ok_or_else(not_found)?;
    Ok(report(row, keys, chrono::Utc::now().timestamp()))
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
    let keys = state.signing.clone();
    let report = state
        .db(move |conn| -> Result<Report, AppError> {
            caller.check_realm(conn, &realm)?;
            find(conn, &keys, &realm, &id)
        })
        .await?;
    let mut resp = Json(&report).into_response();
    if report.status == ReportStatus::InProgress {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    Ok(resp)
}

/// The query of `GET /usage/realms/{realmId}/reports`: a page of `limit` reports, `offset`
/// pages in. A repeated parameter counts as its last value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportListQuery {
    /// Reports per page.
    pub limit: u32,
    /// The page, from 0.
    pub offset: u32,
}

impl FromQueryPairs for ReportListQuery {
    fn from_query_pairs(pairs: &QueryPairs) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let (mut limit, mut offset) = (usage_api::limits::PAGE_LIMIT_DEFAULT, 0_u32);
        for (k, v) in pairs.iter() {
            match k {
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
        if errors.is_empty() {
            Ok(Self { limit, offset })
        } else {
            Err(AppError::Validation(errors))
        }
    }
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
    Params(ReportListQuery { limit, offset }): Params<ReportListQuery>,
) -> Result<Json<ReportList>, AppError> {
    caller.require("usage:read")?;
    let keys = state.signing.clone();
    let page = state
        .db(move |conn| -> Result<ReportList, AppError> {
            caller.check_realm(conn, &realm)?;
            let total = store::reports::count(conn, &realm)?;
            let now = chrono::Utc::now().timestamp();
            let items = store::reports::page(conn, &realm, limit, offset)?
                .into_iter()
                .map(|row| report(row, &keys, now))
                .collect();
            let last_offset = UsagePage::last_offset_for(total, limit);
            Ok(ReportList {
                total,
                limit,
                offset,
                items,
                next_offset: (offset < last_offset).then(|| offset + 1),
                last_offset,
            })
        })
        .await?;
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
    // Read before the token: a malformed link is refused whoever follows it.
    QueryPairs(pairs): QueryPairs,
    req: Request,
) -> Result<Response, AppError> {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (parts, _) = req.into_parts();
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
    let keys = state.signing.clone();
    let (r, i) = (realm.clone(), id.clone());
    let report = state.db(move |conn| -> Result<Report, AppError> {
        match (&caller, &signed) {
            (Some(c), _) => c.check_realm(conn, &r)?,
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
        find(conn, &keys, &r, &i)
    })
    .await?;
    if report.status != ReportStatus::Completed {
        return Err(AppError::Conflict(format!(
            "The report '{id}' is {}; download it once it is completed.",
            report.status.as_str()
        )));
    }
    let n = parse_report_id(&id).unwrap_or_default();
    let size = report.byte_size.unwrap_or_default();
    serve_file(&state, &parts, n, size, &id).await
}

/// The CSV of report `n` (`size` bytes, as its row says), from the report store: whole, or
/// the one range asked for, read from the store as that range, so any replica serves it. The
/// conditional requests a file answered before the store (`If-Modified-Since`,
/// `If-Unmodified-Since`) are answered as they were.
async fn serve_file(
    state: &AppState,
    parts: &axum::http::request::Parts,
    n: i64,
    size: u64,
    id: &str,
) -> Result<Response, AppError> {
    let files = state.reports.files();
    let key = files.report_key(n);
    let failed = |e: object_store::Error| {
        let what = match e {
            object_store::Error::NotFound { .. } => anyhow::anyhow!("report file {key} is missing"),
            e => anyhow::Error::new(e).context(format!("reading report file {key}")),
        };
        AppError::Internal(what.context(format!("report store {}", files.describe())))
    };
    let range = match parts.headers.get(header::RANGE) {
        None => None,
        Some(v) => match byte_range(v.as_bytes(), size) {
            Some(r) => Some(r),
            None => {
                // Preconditions come before the range (RFC 9110, 13.2.2).
                let meta = files.head(&key).await.map_err(failed)?;
                return Ok(preconditions(&parts.headers, meta.last_modified)
                    .unwrap_or_else(|| unsatisfiable(size, id)));
            }
        },
    };
    let head = parts.method == axum::http::Method::HEAD;
    // A HEAD reads the metadata only (no range: S3 would answer a ranged HEAD its own way).
    let got = files
        .get(&key, range.clone().filter(|_| !head), head)
        .await
        .map_err(failed)?;
    if got.meta.size != size {
        // The row and the file disagree: neither length can be promised.
        return Err(AppError::Internal(anyhow::anyhow!(
            "report file {key} in {} is {} bytes, its row says {size}",
            files.describe(),
            got.meta.size
        )));
    }
    let modified = got.meta.last_modified;
    if let Some(resp) = preconditions(&parts.headers, modified) {
        return Ok(resp);
    }
    let length = range.as_ref().map_or(size, |r| r.end - r.start);
    let body = if head {
        Body::empty()
    } else {
        stream(got, length).await.map_err(failed)?
    };
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    if let Some(r) = &range
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {}-{}/{size}", r.start, r.end - 1))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&http_date(modified)) {
        h.insert(header::LAST_MODIFIED, v);
    }
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
    if range.is_some() {
        *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
    }
    Ok(resp)
}

/// The body of `got`, `length` bytes. A folder's file is read 64 KiB at a time (the store's
/// own stream reads 8 KiB a blocking call); anything else streams as the store sends it.
async fn stream(got: object_store::GetResult, length: u64) -> object_store::Result<Body> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    use tokio_stream::StreamExt;
    let start = got.range.start;
    match got.payload {
        object_store::GetResultPayload::File(file, path) => {
            let mut file = tokio::fs::File::from_std(file);
            file.seek(std::io::SeekFrom::Start(start))
                .await
                .map_err(|source| object_store::Error::Generic {
                    store: "LocalFileSystem",
                    source: format!("seeking {}: {source}", path.display()).into(),
                })?;
            let reader = file.take(length);
            Ok(Body::from_stream(
                tokio_util::io::ReaderStream::with_capacity(reader, 64 * 1024).map(|r| {
                    r.inspect_err(
                        |e| tracing::warn!(error = %e, "reading a report file failed mid-download"),
                    )
                }),
            ))
        }
        object_store::GetResultPayload::Stream(s) => Ok(Body::from_stream(s.map(|r| {
            r.inspect_err(
                |e| tracing::warn!(error = %e, "reading a report file failed mid-download"),
            )
        }))),
    }
}

/// The one range `bytes=…` asks for in a file of `size` bytes, as offsets `start..end`; `None`
/// when it cannot be served: malformed, several ranges, or outside the file. Read by the
/// crate tower-http's file server uses, so ranges are answered as they were before the store.
fn byte_range(header: &[u8], size: u64) -> Option<std::ops::Range<u64>> {
    let text = std::str::from_utf8(header).ok()?;
    let ranges = http_range_header::parse_range_header(text)
        .and_then(|parsed| parsed.validate(size))
        .ok()?;
    match ranges.as_slice() {
        [one] => Some(*one.start()..one.end().saturating_add(1)),
        _ => None,
    }
}

/// The 416 for a range of a `size`-byte report that cannot be served, in the contract's body.
fn unsatisfiable(size: u64, id: &str) -> Response {
    let mut resp = crate::error::error_response_with(
        StatusCode::RANGE_NOT_SATISFIABLE.as_u16(),
        usage_api::ErrorBody::validation(vec![FieldError::new(
            "Range",
            format!(
                "must be one range of bytes within the {size} bytes of {id}, such as bytes=0-{}",
                size.saturating_sub(1)
            ),
        )]),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
        resp.headers_mut().insert(header::CONTENT_RANGE, v);
    }
    resp
}

/// The answer `If-Unmodified-Since` (412) or `If-Modified-Since` (304) calls for, if any,
/// for a file last modified at `modified`; compared in whole seconds, as HTTP dates are.
fn preconditions(headers: &HeaderMap, modified: chrono::DateTime<chrono::Utc>) -> Option<Response> {
    let since = |name| {
        let v = headers.get(name)?.to_str().ok()?;
        chrono::DateTime::parse_from_rfc2822(v)
            .ok()
            .map(|t| t.timestamp())
    };
    let modified = modified.timestamp();
    if since(header::IF_UNMODIFIED_SINCE).is_some_and(|t| modified > t) {
        return Some(crate::error::error_response_with(
            StatusCode::PRECONDITION_FAILED.as_u16(),
            usage_api::ErrorBody::validation(vec![FieldError::new(
                "If-Unmodified-Since",
                "the report's file was written after this time",
            )]),
        ));
    }
    if since(header::IF_MODIFIED_SINCE).is_some_and(|t| modified <= t) {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(v) = HeaderValue::from_str(&http_date(
            chrono::DateTime::from_timestamp(modified, 0).unwrap_or_default(),
        )) {
            resp.headers_mut().insert(header::LAST_MODIFIED, v);
        }
        return Some(resp);
    }
    None
}

/// An HTTP date: `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}
