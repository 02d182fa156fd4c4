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
    let status =
        StatusCode::from_u16(body.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
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
        error_response(self.body())
    }
}
