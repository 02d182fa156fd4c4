//! Saved views (contract section 11) on the Usage page: the query a view keeps for what the
//! page shows, and the page's address that opens a view again.
//!
//! A view keeps section 1's parameters only (range or dates, zone, filters, detail level,
//! grouping, columns), never paging nor the portal's own `compare`. A range that is one of the
//! presets on the day it is saved is kept as that relative range (`range=last30d`), so the view
//! moves with the calendar; any other range is kept as its dates.

use crate::url_state::{Preset, page_pairs};
use chrono::NaiveDate;
use usage_api::usage::UsageQuery;
use usage_api::views::{RelativeRange, resolve};

/// The presets whose range on `today` (in the query's zone) is exactly `q`'s, in the order the
/// filter bar shows them (on the 30th of a 31-day month, "This month" and "Last 30 days" are
/// the same days).
pub fn relative_ranges(q: &UsageQuery, today: NaiveDate) -> Vec<Preset> {
    Preset::ALL
        .into_iter()
        .filter(|p| p.range(today) == (q.start, q.end))
        .collect()
}

/// The query string a view of `q` keeps: `range=<relative>` in place of the dates when
/// `relative` is given, and the detail level always named (section 1's default is summarized,
/// the page's is by day). Paging is left out.
pub fn view_query(q: &UsageQuery, relative: Option<Preset>) -> String {
    let mut pairs: Vec<(&str, String)> = page_pairs(q)
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "limit" | "offset"))
        .collect();
    if let Some(p) = relative {
        pairs.retain(|(k, _)| !matches!(*k, "startDate" | "endDate"));
        pairs.insert(0, ("range", p.relative().as_str().to_owned()));
    }
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

fn pairs_of(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(query.trim_start_matches('?')).unwrap_or_default()
}

/// The zone a view's query names (`UTC` when none): its relative range counts that zone's days.
pub fn view_zone(query: &str) -> String {
    pairs_of(query)
        .into_iter()
        .find(|(k, _)| k == "timeZone")
        .map_or_else(|| "UTC".to_owned(), |(_, v)| v)
}

/// The Usage page's address query (without `?`) that shows the view `query` on `today` (in
/// the view's zone, [`view_zone`]): its relative range resolved to that day's dates
/// ([`resolve`]), and a view that names no detail level opened summarized, as section 1 reads
/// it.
pub fn open_query(query: &str, today: NaiveDate) -> String {
    let pairs = pairs_of(query);
    let mut resolved = resolve(
        pairs
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "limit" | "offset"))
            .map(|(k, v)| (k.as_str(), v.as_str())),
        today,
    );
    if !resolved.iter().any(|(k, _)| k == "detailLevel") {
        resolved.push((
            "detailLevel".to_owned(),
            usage_api::usage::DetailLevel::default().as_str().to_owned(),
        ));
    }
    serde_urlencoded::to_string(&resolved).unwrap_or_default()
}

/// A view's range in words: the preset's name for a relative range (`Last 30 days`), else
/// its dates as saved (`2026-03-01 to 2026-03-10`, the end excluded as in the query).
pub fn range_words(query: &str) -> String {
    let pairs = pairs_of(query);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(r) = get("range") {
        return RelativeRange::parse(r)
            .and_then(|r| Preset::ALL.into_iter().find(|p| p.relative() == r))
            .map_or_else(|| r.to_owned(), |p| format!("{} (relative)", p.label()));
    }
    let day = |s: &str| s.split('T').next().unwrap_or(s).to_owned();
    match (get("startDate"), get("endDate")) {
        (Some(s), Some(e)) => format!("From {} until {}", day(s), day(e)),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url_state::{page_query_from_url, query_from_url};
    use usage_api::views::check_query;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn page(search: &str, today: NaiveDate) -> UsageQuery {
        let (q, errors) = page_query_from_url(&pairs_of(search), today);
        assert!(errors.is_empty(), "{search}: {errors:?}");
        q
    }

    fn checked(query: &str, today: NaiveDate) {
        let pairs = pairs_of(query);
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(check_query(&refs, today), Ok(()), "{query}");
    }

    #[test]
    fn a_preset_range_is_kept_relative_and_moves_with_the_calendar() {
        let today = day(2027, 3, 15);
        // The page's default: the last 30 days, by day; page 3 of 50 a page, compared.
        let q = page("groupBy=appId&appId=a%26b&limit=50&offset=3", today);
        assert_eq!(relative_ranges(&q, today), [Preset::Last30]);
        let saved = view_query(&q, Some(Preset::Last30));
        assert_eq!(
            saved,
            "range=last30d&appId=a%26b&detailLevel=day&groupBy=appId"
        );
        checked(&saved, today);
        assert_eq!(range_words(&saved), "Last 30 days (relative)");
        // Opened the same day: exactly the view saved (its first page, at the default size).
        let opened = open_query(&saved, today);
        assert_eq!(
            page(&opened, today),
            UsageQuery {
                offset: 0,
                limit: usage_api::limits::PAGE_LIMIT_DEFAULT,
                ..q.clone()
            }
        );
        // Opened a month later: the last 30 days of that day.
        let later = day(2027, 4, 20);
        let moved = page(&open_query(&saved, later), later);
        assert_eq!((moved.start, moved.end), Preset::Last30.range(later));
        assert_eq!((moved.group_by, moved.filters), (q.group_by, q.filters));
    }

    #[test]
    fn any_other_range_is_kept_as_its_dates() {
        let today = day(2027, 3, 15);
        let q = page(
            "startDate=2027-03-02&endDate=2027-03-09T12:00:00&timeZone=Europe/Berlin&detailLevel=hour&usageFields=name,usageValue",
            today,
        );
        assert!(relative_ranges(&q, today).is_empty());
        let saved = view_query(&q, None);
        assert_eq!(
            saved,
            "startDate=2027-03-02T00%3A00%3A00&endDate=2027-03-09T12%3A00%3A00&timeZone=Europe%2FBerlin&detailLevel=hour&usageFields=name%2CusageValue"
        );
        checked(&saved, today);
        assert_eq!(view_zone(&saved), "Europe/Berlin");
        assert_eq!(range_words(&saved), "From 2027-03-02 until 2027-03-09");
        let later = day(2027, 6, 1);
        assert_eq!(
            page(&open_query(&saved, later), later),
            q,
            "the same days whenever opened"
        );
    }

    #[test]
    fn a_summarized_view_and_a_view_naming_no_detail_level() {
        let today = day(2027, 3, 15);
        let q = page("detailLevel=summarized", today);
        let saved = view_query(&q, relative_ranges(&q, today).first().copied());
        assert!(saved.contains("detailLevel=summarized"), "{saved}");
        assert_eq!(page(&open_query(&saved, today), today), q);
        // A view saved elsewhere without a detail level is section 1's summarized.
        let opened = open_query("range=last7d", today);
        let (q, _) = query_from_url(&pairs_of(&opened), today);
        assert_eq!(q.detail, usage_api::usage::DetailLevel::Summarized);
        assert_eq!((q.start, q.end), Preset::Last7.range(today));
        assert_eq!(view_zone("range=last7d"), "UTC");
    }

    #[test]
    fn a_range_of_two_presets_offers_both() {
        // The 30th of a 31-day month: this month is the last 30 days.
        let today = day(2027, 3, 30);
        let q = page("", today);
        assert_eq!(
            relative_ranges(&q, today),
            [Preset::ThisMonth, Preset::Last30]
        );
        let month = page(
            &open_query(&view_query(&q, Some(Preset::ThisMonth)), today),
            today,
        );
        assert_eq!((month.start, month.end), (q.start, q.end));
    }
}
