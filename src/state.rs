//! The Usage page's view state, kept in the URL query so a link reproduces the view. The rules
//! are in the core (`usage_portal_core::url_state`, tested on the host); the browser's clock is
//! here.

use usage_api::Timestamp;
pub use usage_portal_core::url_state::*;

/// Today's date in UTC, from the browser's clock.
pub fn today_utc() -> chrono::NaiveDate {
    let ms = js_sys::Date::now() as i64;
    Timestamp::from_unix(ms.div_euclid(1000))
        .map(Timestamp::date)
        .unwrap_or_default()
}
