//! Freshness (contract section 8): which buckets are still filling, given when the answer was
//! read. Worked in the zone's wall-clock times, which is what the portal has (the browser
//! turns `asOf` into one; the buckets carry theirs), so no zone rules are needed here.

use chrono::{Datelike, Months, NaiveDateTime, TimeDelta};
use usage_api::usage::DetailLevel;

/// How often a view whose range includes now refreshes its figures, in seconds.
pub const LIVE_REFRESH_SECS: u64 = 30;

/// Where a bucket starting at `start` (wall-clock) ends, at `detail`.
pub fn bucket_end(start: NaiveDateTime, detail: DetailLevel) -> NaiveDateTime {
    match detail {
        DetailLevel::Hour => start + TimeDelta::hours(1),
        DetailLevel::Day => start + TimeDelta::days(1),
        DetailLevel::Month => start
            .date()
            .with_day(1)
            .and_then(|d| d.checked_add_months(Months::new(1)))
            .map_or(start + TimeDelta::days(31), |d| {
                d.and_time(chrono::NaiveTime::MIN)
            }),
        DetailLevel::Summarized => NaiveDateTime::MAX,
    }
}

/// Whether the figure of a bucket starting at `start` may still grow: the part of it the
/// query asked for (up to `range_end`) ends after `as_of`. Summarized: the range does.
pub fn still_filling(
    detail: DetailLevel,
    start: Option<NaiveDateTime>,
    range_end: NaiveDateTime,
    as_of: NaiveDateTime,
) -> bool {
    let end = match (detail, start) {
        (DetailLevel::Summarized, _) | (_, None) => range_end,
        (d, Some(s)) => bucket_end(s, d).min(range_end),
    };
    end > as_of
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        usage_api::Timestamp::parse(s).unwrap().naive()
    }

    #[test]
    fn today_fills_yesterday_is_done() {
        let as_of = t("2026-12-01T14:05:09");
        let end = t("2026-12-02");
        let day = DetailLevel::Day;
        assert!(still_filling(day, Some(t("2026-12-01")), end, as_of));
        assert!(!still_filling(day, Some(t("2026-11-30")), end, as_of));
        // A range that stopped before now is complete, whatever its last bucket.
        assert!(!still_filling(
            day,
            Some(t("2026-12-01")),
            t("2026-12-01T12:00:00"),
            as_of
        ));
        assert!(still_filling(
            DetailLevel::Month,
            Some(t("2026-12-01")),
            end,
            as_of
        ));
        assert!(!still_filling(
            DetailLevel::Hour,
            Some(t("2026-12-01T13:00:00")),
            end,
            as_of
        ));
        assert!(still_filling(
            DetailLevel::Hour,
            Some(t("2026-12-01T14:00:00")),
            end,
            as_of
        ));
        assert!(still_filling(DetailLevel::Summarized, None, end, as_of));
        assert_eq!(
            bucket_end(t("2026-12-10"), DetailLevel::Month),
            t("2027-01-01")
        );
    }
}
