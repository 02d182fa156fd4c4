//! One router per resource.

pub mod billing;
pub mod budgets;
pub mod extract;
pub mod health;
pub mod orgs;
pub mod reports;
pub mod subscriptions;
pub mod usage;
pub mod usages;
pub mod views;

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

/// A JSON body that must be an object: its members as sent (each value's raw text, so a
/// number is judged by its decimals as written). Anything else is a 400 naming `body`.
pub fn json_object(
    body: &[u8],
) -> Result<
    std::collections::BTreeMap<String, Box<serde_json::value::RawValue>>,
    Vec<usage_api::FieldError>,
> {
    let not_object = |e: String| {
        vec![usage_api::FieldError::new(
            "body",
            format!("must be a JSON object{e}"),
        )]
    };
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(not_object(String::new()));
    }
    serde_json::from_slice(body).map_err(|e| not_object(format!(" ({e})")))
}

/// A body's problems of type (`bad`) and of content (`checked`'s) together, each field named
/// once: a field sent as the wrong type is not also reported missing.
pub fn merged<T>(
    mut bad: Vec<usage_api::FieldError>,
    checked: Result<T, Vec<usage_api::FieldError>>,
) -> Result<T, Vec<usage_api::FieldError>> {
    match checked {
        Ok(v) if bad.is_empty() => Ok(v),
        Ok(_) => Err(bad),
        Err(more) => {
            for e in more {
                if !bad.iter().any(|b| b.name == e.name) {
                    bad.push(e);
                }
            }
            Err(bad)
        }
    }
}

/// `resp` with a `Location` of `path` (a path this API serves: always a valid header value;
/// one that were not would be left out rather than fail the write that already happened).
pub fn located(mut resp: axum::response::Response, path: &str) -> axum::response::Response {
    if let Ok(v) = axum::http::HeaderValue::from_str(path) {
        resp.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    resp
}
