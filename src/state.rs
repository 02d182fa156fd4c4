//! The Usage page's view state, kept in the URL query so a link reproduces the view. The rules
//! are in the core (`usage_portal_core::url_state`, tested on the host); the browser's clock is
//! here.

use chrono::NaiveDate;
use usage_api::Timestamp;
use usage_api::usage::UsageQuery;
use usage_portal_core::compare::{Compare, take_compare};
pub use usage_portal_core::url_state::*;

/// Today's date in UTC, from the browser's clock.
pub fn today_utc() -> chrono::NaiveDate {
    let ms = js_sys::Date::now() as i64;
    Timestamp::from_unix(ms.div_euclid(1000))
        .map(Timestamp::date)
        .unwrap_or_default()
}

/// The query the address's `search` part asks for, and what in it was reset.
pub fn query_of(search: &str, today: NaiveDate) -> (UsageQuery, Vec<usage_api::FieldError>) {
    let (q, _, errors) = view_of(search, today);
    (q, errors)
}

/// The query, what it is compared with (the portal's own `compare` parameter) and what in the
/// address was reset.
pub fn view_of(
    search: &str,
    today: NaiveDate,
) -> (UsageQuery, Compare, Vec<usage_api::FieldError>) {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(search.trim_start_matches('?')).unwrap_or_default();
    let (compare, bad_compare) = take_compare(&mut pairs);
    // The default range is the last 30 days of the chosen zone's calendar.
    let today = pairs
        .iter()
        .find(|(k, _)| k == "timeZone")
        .and_then(|(_, z)| crate::format::today_in(z))
        .unwrap_or(today);
    let (q, mut errors) = page_query_from_url(&pairs, today);
    if bad_compare.is_some() {
        errors.push(usage_api::FieldError::new(
            "compare",
            "must be previous or year",
        ));
    }
    (q, compare, errors)
}

/// The page's URL for `q` compared with `compare`.
pub fn view_url(path: &str, q: &UsageQuery, compare: Compare) -> String {
    let mut pairs = page_pairs(q);
    if compare != Compare::None {
        pairs.push(("compare", compare.as_str().to_owned()));
    }
    format!("{path}{}", query_string(&pairs))
}
