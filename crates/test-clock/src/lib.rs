//! The one clock of a test run.
//!
//! Every date a test uses derives from [`now`], read once per test process, so the demo data,
//! the server under test and the test's own expectations agree on "now" whatever the calendar
//! says; no test reads the wall clock on its own or names a date that the calendar will
//! overtake. The clock itself is the system's: `scripts/test-dates.sh` moves it for a whole run
//! (server, browser and tests alike) with libfaketime.
//!
//! In a wasm test binary there is no environment at run time: `scripts/test.sh` compiles the
//! end of the demo data it started the server with into `USAGE_TEST_NOW`
//! (`yyyy-MM-ddTHH:mm:ss`, UTC); without it the browser's clock is used.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime};
use std::sync::OnceLock;

/// The run's "now" (UTC), read once per process.
pub fn now() -> NaiveDateTime {
    static NOW: OnceLock<NaiveDateTime> = OnceLock::new();
    *NOW.get_or_init(|| {
        option_env!("USAGE_TEST_NOW")
            .and_then(parse)
            .unwrap_or_else(system_clock)
    })
}

/// The run's date (UTC).
pub fn today() -> NaiveDate {
    now().date()
}

#[cfg(not(target_arch = "wasm32"))]
fn system_clock() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

#[cfg(target_arch = "wasm32")]
fn system_clock() -> NaiveDateTime {
    let ms = js_sys::Date::now() as i64;
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.naive_utc())
        .unwrap_or_default()
}

fn parse(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok()
}

/// The first day of the month `back` months before the month of `t` (0: its own month).
pub fn month_start(t: NaiveDateTime, back: u32) -> NaiveDate {
    let first = t.date().with_day(1).expect("every month has a first day");
    first - Months::new(back)
}

/// The first day of the month `back` months before the run's month.
pub fn months_ago(back: u32) -> NaiveDate {
    month_start(now(), back)
}

/// The number of days in the month that starts on `first`.
pub fn days_in_month(first: NaiveDate) -> u32 {
    let next = first + Months::new(1);
    (next - first).num_days() as u32
}

/// The most recent whole month before the month of `t` with `days` days (28 to 31): its first
/// day. A test that needs "a 31-day month" or "a February" gets the same kind of month at
/// every date.
pub fn latest_month_with_days(t: NaiveDateTime, days: u32) -> NaiveDate {
    (1..=48)
        .map(|back| month_start(t, back))
        .find(|m| days_in_month(*m) == days)
        .expect("every month length recurs within four years")
}

/// Midnight at the start of `d`.
pub fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN)
}

/// `d` plus `n` days.
pub fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d + Days::new(n)
}

/// The contract's form of an instant: `yyyy-MM-ddTHH:mm:ss`.
pub fn stamp(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// `startDate=…&endDate=…` for the half-open range `[from, to)`.
pub fn range(from: NaiveDateTime, to: NaiveDateTime) -> String {
    format!("startDate={}&endDate={}", stamp(from), stamp(to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        parse(s).unwrap()
    }

    #[test]
    fn month_starts_cross_years_and_short_months() {
        let t = at("2028-02-29T23:30:00");
        assert_eq!(month_start(t, 0).to_string(), "2028-02-01");
        assert_eq!(month_start(t, 2).to_string(), "2027-12-01");
        assert_eq!(month_start(t, 12).to_string(), "2027-02-01");
        assert_eq!(days_in_month(month_start(t, 0)), 29);
        assert_eq!(days_in_month(month_start(t, 12)), 28);
    }

    #[test]
    fn months_of_a_given_length_are_whole_and_before_now() {
        let t = at("2029-12-31T23:30:00");
        assert_eq!(latest_month_with_days(t, 31).to_string(), "2029-10-01");
        assert_eq!(latest_month_with_days(t, 30).to_string(), "2029-11-01");
        assert_eq!(latest_month_with_days(t, 28).to_string(), "2029-02-01");
        assert_eq!(latest_month_with_days(t, 29).to_string(), "2028-02-01");
    }

    #[test]
    fn stamps_and_ranges_are_the_contracts() {
        let a = at("2027-03-28T01:00:00");
        assert_eq!(stamp(a), "2027-03-28T01:00:00");
        assert_eq!(
            range(a, midnight(plus_days(a.date(), 1))),
            "startDate=2027-03-28T01:00:00&endDate=2027-03-29T00:00:00"
        );
    }

    #[test]
    fn now_is_read_once() {
        assert_eq!(now(), now());
        assert_eq!(today(), now().date());
    }
}
