//! One router per resource.

pub mod billing;
pub mod health;
pub mod orgs;
pub mod reports;
pub mod usage;
pub mod usages;

use crate::error::AppError;

/// Query parameters as sent, in order, repeats kept (so repeats can be reported).
pub fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, AppError> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| AppError::field("query", "is not a valid URL query string"))
}
