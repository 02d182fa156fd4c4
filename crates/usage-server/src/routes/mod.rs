//! One router per resource.

pub mod billing;
pub mod extract;
pub mod health;
pub mod orgs;
pub mod reports;
pub mod usage;
pub mod usages;

use crate::error::AppError;

/// Query parameters as sent, in order, repeats kept (so repeats can be reported).
///
/// An oversized query is refused before it is decoded: checking each parameter against the
/// others costs more the more there are, and no endpoint needs more than a few.
pub fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, AppError> {
    use usage_api::limits::{QUERY_MAX_BYTES, QUERY_PARAMS_MAX};
    let raw = raw.unwrap_or("");
    if raw.len() > QUERY_MAX_BYTES {
        return Err(AppError::field(
            "query",
            format!("is {} bytes long; at most {QUERY_MAX_BYTES}", raw.len()),
        ));
    }
    let count = raw.split('&').filter(|p| !p.is_empty()).count();
    if count > QUERY_PARAMS_MAX {
        return Err(AppError::field(
            "query",
            format!("has {count} parameters; at most {QUERY_PARAMS_MAX}"),
        ));
    }
    serde_urlencoded::from_str(raw)
        .map_err(|_| AppError::field("query", "is not a valid URL query string"))
}
