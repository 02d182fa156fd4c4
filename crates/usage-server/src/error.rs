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
    /// The result is larger than the endpoint returns (a 400 that says what to do instead).
    #[error("too large: {0}")]
    TooLarge(String),
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
            Self::Forbidden(why) => plain(ErrorCode::Forbidden, "Access denied.", why.clone()),
            Self::NotFound(what) => plain(ErrorCode::NotFound, "Not found.", what.clone()),
            Self::Internal(_) => plain(
                ErrorCode::Internal,
                "Something went wrong on our side.",
                "The error was logged; quote the request id when you report it.".to_owned(),
            ),
        }
    }
}

impl From<r2d2_sqlite::rusqlite::Error> for AppError {
    fn from(e: r2d2_sqlite::rusqlite::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        Self::Internal(e.into())
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
        if let Self::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let status = match &self {
            Self::Unprocessable(_) => 422,
            _ => self.body().code.status(),
        };
        error_response_with(status, self.body())
    }
}
