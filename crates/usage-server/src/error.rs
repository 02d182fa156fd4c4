//! One error type for every handler, written as the contract's error body.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use usage_api::{ErrorBody, ErrorCode, FieldError};

/// What a handler can fail with. Internal details are logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad parameters: every offending one is named.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// A well-formed request the contract refuses (422): every offending field is named.
    #[error("unprocessable")]
    Unprocessable(Vec<FieldError>),
    /// A monthly limit would be exceeded (422).
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// No token or an unknown one.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// The caller may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// No such thing.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request conflicts with the resource's state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The body is not JSON (415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The result is larger than the endpoint returns (a 400 that says what to do instead).
    #[error("too large: {0}")]
    TooLarge(String),
    /// Over the caller's share of a bounded resource (429, with `Retry-After` in seconds).
    #[error("rate limited: {why}")]
    RateLimited { why: String, retry_after_secs: u64 },
    /// The database is busy or no pooled connection came free in time (503, with
    /// `Retry-After`): a client retries; the cause is logged, never sent.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Anything unexpected.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A validation error for one field.
    pub fn field(name: &str, description: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(name, description)])
    }

    fn body(&self) -> ErrorBody {
        let plain = |code: ErrorCode, message: &str, description: String| ErrorBody {
            code,
            message: message.to_owned(),
            description,
            fields: Vec::new(),
        };
        match self {
            Self::Validation(fields) => ErrorBody::validation(fields.clone()),
            Self::Unprocessable(fields) => ErrorBody {
                message: "The request cannot be processed.".to_owned(),
                ..ErrorBody::validation(fields.clone())
            },
            Self::LimitExceeded(why) => plain(
                ErrorCode::LimitExceeded,
                "The monthly limit would be exceeded.",
                why.clone(),
            ),
            Self::Unauthorized(why) => plain(
                ErrorCode::Unauthorized,
                "Authentication is required.",
                (*why).to_owned(),
            ),
            Self::Conflict(why) => {
                plain(ErrorCode::Conflict, "Not possible right now.", why.clone())
            }
            Self::TooLarge(why) => plain(
                ErrorCode::Validation,
                "The result is too large for this request.",
                why.clone(),
            ),
            Self::RateLimited { why, .. } => {
                plain(ErrorCode::RateLimited, "Too many requests.", why.clone())
            }
            Self::UnsupportedMediaType => plain(
                ErrorCode::UnsupportedMediaType,
                "The body must be JSON.",
                "Send the body with Content-Type: application/json.".to_owned(),
            ),
            Self::Forbidden(why) => plain(ErrorCode::Forbidden, "Access denied.", why.clone()),
            Self::NotFound(what) => plain(ErrorCode::NotFound, "Not found.", what.clone()),
            Self::Unavailable(_) => unavailable_body(),
            Self::Internal(_) => plain(
                ErrorCode::Internal,
                "Something went wrong on our side.",
                "The error was logged; quote the request id when you report it.".to_owned(),
            ),
        }
    }
}

/// Seconds a client is asked to wait after a 503: the pool wait and SQLite's busy timeout are
/// a few seconds, so a retry soon after usually finds the database free.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 1;

fn unavailable_body() -> ErrorBody {
    ErrorBody {
        code: ErrorCode::Unavailable,
        message: "The service is busy.".to_owned(),
        description: "Try again after the number of seconds in the Retry-After header.".to_owned(),
        fields: Vec::new(),
    }
}

/// True when `e` was caused by a busy or unavailable database (see
/// [`crate::store::sql::Error::is_transient`]) or by no pooled connection in time, however
/// deep it was wrapped on its way up.
fn is_overload(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<r2d2::Error>().is_some()
            || c.downcast_ref::<crate::store::sql::Error>()
                .is_some_and(crate::store::sql::Error::is_transient)
    })
}

impl From<crate::store::sql::Error> for AppError {
    fn from(e: crate::store::sql::Error) -> Self {
        if e.is_transient() {
            Self::Unavailable(e.to_string())
        } else {
            Self::Internal(e.into())
        }
    }
}

impl From<r2d2_sqlite::rusqlite::Error> for AppError {
    fn from(e: r2d2_sqlite::rusqlite::Error) -> Self {
        crate::store::sql::Error::from(e).into()
    }
}

impl From<r2d2::Error> for AppError {
    // r2d2's only error is "no connection within the pool's timeout".
    fn from(e: r2d2::Error) -> Self {
        Self::Unavailable(e.to_string())
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Internal(e.into())
    }
}

/// Writes an error body with its status.
pub fn error_response(body: ErrorBody) -> Response {
    error_response_with(body.code.status(), body)
}

/// Writes an error body with an explicit status (a 422 that is still a `validation` error).
pub fn error_response_with(status: u16, body: ErrorBody) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    resp
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let overload = match &self {
            Self::Unavailable(why) => Some(why.clone()),
            Self::Internal(e) if is_overload(e) => Some(format!("{e:#}")),
            _ => None,
        };
        if let Some(why) = overload {
            tracing::warn!(reason = %why, "database unavailable; answered 503");
            let mut resp = error_response(unavailable_body());
            resp.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS),
            );
            return resp;
        }
        if let Self::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let status = match &self {
            Self::Unprocessable(_) => 422,
            _ => self.body().code.status(),
        };
        let mut resp = error_response_with(status, self.body());
        if let Self::RateLimited {
            retry_after_secs, ..
        } = &self
        {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        resp
    }
}

/// True when `headers` say the body is JSON (`application/json`, `…+json`), or say nothing.
pub fn json_or_unspecified(headers: &axum::http::HeaderMap) -> bool {
    let Some(v) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let Ok(v) = v.to_str() else {
        return false;
    };
    let mime = v
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// The answer to a path no route knows: the contract's 404.
pub async fn unknown_path() -> Response {
    error_response(ErrorBody {
        code: ErrorCode::NotFound,
        message: "Not found.".to_owned(),
        description: "There is no such path in this API.".to_owned(),
        fields: Vec::new(),
    })
}

/// Rewrites any error the framework answered itself (405 with `Allow`, 413, 415, a path it
/// could not decode, a 404) as the contract's JSON body, keeping its status and headers.
pub async fn contract_errors(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if status.as_u16() < 400 || is_json {
        return resp;
    }
    let (code, message, description) = match status {
        StatusCode::NOT_FOUND => (
            ErrorCode::NotFound,
            "Not found.",
            "There is no such path in this API.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::MethodNotAllowed,
            "This method is not allowed here.",
            "The Allow header lists the methods this path answers.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            ErrorCode::PayloadTooLarge,
            "The body is too large.",
            "Send a smaller body.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorCode::UnsupportedMediaType,
            "The body must be JSON.",
            "Send the body with Content-Type: application/json.",
        ),
        s if s.is_client_error() => (
            ErrorCode::Validation,
            "The request is malformed.",
            "Check the path, the query and the body.",
        ),
        _ => (
            ErrorCode::Internal,
            "Something went wrong on our side.",
            "The error was logged; quote the request id when you report it.",
        ),
    };
    let (mut parts, _) = resp.into_parts();
    let body = ErrorBody {
        code,
        message: message.to_owned(),
        description: description.to_owned(),
        fields: Vec::new(),
    };
    let fresh = error_response_with(status.as_u16(), body);
    let (fresh_parts, fresh_body) = fresh.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &fresh_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, fresh_body)
}
