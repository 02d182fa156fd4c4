//! The contract's error body, shared by every status >= 400.

use serde::{Deserialize, Serialize};

/// The stable machine string of an error (`code` in the body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    /// A request parameter or body field is invalid (400, or 422 for quantities).
    #[serde(rename = "validation")]
    Validation,
    /// No token, or an unknown one (401).
    #[serde(rename = "unauthorized")]
    Unauthorized,
    /// The token may not see this realm or lacks the scope (403).
    #[serde(rename = "forbidden")]
    Forbidden,
    /// No such resource (404).
    #[serde(rename = "notFound")]
    NotFound,
    /// The request conflicts with what is stored (409).
    #[serde(rename = "conflict")]
    Conflict,
    /// A monthly limit would be exceeded (422).
    #[serde(rename = "limitExceeded")]
    LimitExceeded,
    /// The body is too large (413).
    #[serde(rename = "payloadTooLarge")]
    PayloadTooLarge,
    /// Too many requests (429).
    #[serde(rename = "rateLimited")]
    RateLimited,
    /// The path exists but not with this method (405, with `Allow`).
    #[serde(rename = "methodNotAllowed")]
    MethodNotAllowed,
    /// The body is not of a media type the endpoint reads (415).
    #[serde(rename = "unsupportedMediaType")]
    UnsupportedMediaType,
    /// The service cannot answer right now (503, with `Retry-After`).
    #[serde(rename = "unavailable")]
    Unavailable,
    /// Something failed on the server (500).
    #[serde(rename = "internal")]
    Internal,
    /// A code this version does not know (a newer server).
    #[serde(other, rename = "unknown")]
    Unknown,
}

impl ErrorCode {
    /// The code as the wire spells it (`validation`, `unauthorized`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Validation => "validation",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "notFound",
            Self::Conflict => "conflict",
            Self::LimitExceeded => "limitExceeded",
            Self::PayloadTooLarge => "payloadTooLarge",
            Self::RateLimited => "rateLimited",
            Self::MethodNotAllowed => "methodNotAllowed",
            Self::UnsupportedMediaType => "unsupportedMediaType",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::Unknown => "unknown",
        }
    }

    /// The HTTP status the contract gives this code.
    pub fn status(self) -> u16 {
        match self {
            Self::Validation => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::LimitExceeded => 422,
            Self::RateLimited => 429,
            Self::MethodNotAllowed => 405,
            Self::UnsupportedMediaType => 415,
            Self::Unavailable => 503,
            Self::Internal | Self::Unknown => 500,
        }
    }
}

/// One offending parameter of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The parameter's name as the client sent it (`startDate`, `limit`, …).
    pub name: String,
    /// What is wrong, in words a user can act on.
    pub description: String,
}

impl FieldError {
    /// A field error for `name`.
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
        }
    }
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable machine string.
    pub code: ErrorCode,
    /// A short summary.
    pub message: String,
    /// More detail, in words.
    #[serde(default)]
    pub description: String,
    /// Every offending parameter (empty unless a validation error).
    #[serde(default)]
    pub fields: Vec<FieldError>,
}

impl ErrorBody {
    /// A 400 listing `fields`.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        Self {
            code: ErrorCode::Validation,
            message: "The request has invalid parameters.".to_owned(),
            description: format!("Check: {}.", names.join(", ")),
            fields,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn as_str_is_the_wire_name() {
        use ErrorCode::*;
        for code in [
            Validation,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            LimitExceeded,
            PayloadTooLarge,
            RateLimited,
            MethodNotAllowed,
            UnsupportedMediaType,
            Unavailable,
            Internal,
            Unknown,
        ] {
            let wire = serde_json::to_string(&code).unwrap();
            assert_eq!(wire, format!("\"{}\"", code.as_str()));
        }
    }
}
