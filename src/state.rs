//! The Usage page's view state, kept in the URL query so a link reproduces the view.

use chrono::{Days, NaiveDate};
use usage_api::FieldError;
use usage_api::Timestamp;
use usage_api::usage::{QueryKind, UsageQuery};

/// The default range: the last 30 days, today included.
pub fn default_range(today: NaiveDate) -> (Timestamp, Timestamp) {
    let start = today.checked_sub_days(Days::new(29)).unwrap_or(today);
    let end = today.checked_add_days(Days::new(1)).unwrap_or(today);
    (Timestamp::start_of(start), Timestamp::start_of(end))
}

/// Today's date in UTC, from the browser's clock.
pub fn today_utc() -> NaiveDate {
    let ms = js_sys::Date::now() as i64;
    Timestamp::from_unix(ms.div_euclid(1000))
        .map(Timestamp::date)
        .unwrap_or_default()
}

/// The query a URL asks for. Missing dates get the default range; a bad value is replaced by
/// its default and reported, so a broken link still shows something and says what it fixed.
pub fn query_from_url(
    pairs: &[(String, String)],
    today: NaiveDate,
) -> (UsageQuery, Vec<FieldError>) {
    let (start, end) = default_range(today);
    let mut pairs: Vec<(String, String)> = pairs.to_vec();
    let has =
        |p: &[(String, String)], names: &[&str]| p.iter().any(|(k, _)| names.contains(&k.as_str()));
    if !has(&pairs, &["startDate", "startTime"]) {
        pairs.push(("startDate".to_owned(), start.to_string()));
    }
    if !has(&pairs, &["endDate", "endTime"]) {
        pairs.push(("endDate".to_owned(), end.to_string()));
    }
    let parse = |p: &[(String, String)]| {
        UsageQuery::from_pairs(
            p.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            QueryKind::Page,
        )
    };
    match parse(&pairs) {
        Ok(q) => (q, Vec::new()),
        Err(errors) => {
            let date_names = ["startDate", "startTime", "endDate", "endTime"];
            let date_bad = errors.iter().any(|e| date_names.contains(&e.name.as_str()));
            let reset = |k: &str| {
                errors.iter().any(|e| e.name == k) || (date_bad && date_names.contains(&k))
            };
            pairs.retain(|(k, _)| !reset(k));
            if date_bad {
                pairs.push(("startDate".to_owned(), start.to_string()));
                pairs.push(("endDate".to_owned(), end.to_string()));
            }
            // The remaining parameters were each valid on their own: this cannot fail, but
            // fall back to the plain default rather than panic if it ever does.
            let q = parse(&pairs).unwrap_or_else(|_| UsageQuery {
                start,
                end,
                filters: Default::default(),
                detail: Default::default(),
                group_by: Vec::new(),
                fields: None,
                limit: usage_api::limits::PAGE_LIMIT_DEFAULT,
                offset: 0,
            });
            (q, errors)
        }
    }
}

/// The URL query (with `?`) for `pairs`.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        String::new()
    } else {
        format!(
            "?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}
