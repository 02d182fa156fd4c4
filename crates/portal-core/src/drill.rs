//! "Records behind this number" (contract section 9): from a row of the usage table to the
//! query of the raw records behind it, and back from the records page's URL to that query
//! and the figure it came from.
//!
//! The portal has no zone rules (the browser and the server have them), so a bucket's range is
//! given as wall-clock times in the query's zone, which the records endpoint reads in that zone
//! exactly as section 1 cut the bucket; only an hour is given in UTC, by the bucket's offset,
//! since the fall-back hour's wall-clock times name two hours.

use chrono::{NaiveDateTime, TimeDelta};
use usage_api::usage::{DetailLevel, GroupDim, QueryKind, UsageItem, UsageQuery};
use usage_api::{FieldError, Quantity, Timestamp};

/// The figure a records page was opened from, carried in its URL beside the API's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Figure {
    /// The row's usage (requested quantities).
    pub usage: Option<Quantity>,
    /// The row's billable value (accepted quantities).
    pub billable: Option<Quantity>,
    /// The row's unit.
    pub unit: Option<String>,
}

fn wall(t: NaiveDateTime) -> Timestamp {
    Timestamp::from_unix(t.and_utc().timestamp()).unwrap_or(Timestamp::start_of(t.date()))
}

/// The records page's URL parameters for `item`, a row of `q`'s answer: its bucket as the
/// range (within `q`'s), its subscription and grouped dimensions with `q`'s filters, and the
/// figures to check the records against. `None` when the row cannot be traced: its
/// subscription is not shown, or it is grouped by a dimension the records endpoint cannot
/// filter by (the resource).
pub fn records_pairs(q: &UsageQuery, item: &UsageItem) -> Option<Vec<(&'static str, String)>> {
    let subscription = item.billing_subscription_id.clone()?;
    if q.group_by.contains(&GroupDim::Resource) {
        return None;
    }
    let mut range = UsageQuery {
        filters: usage_api::usage::Filters {
            billing_subscription_id: Some(subscription),
            ..q.filters.clone()
        },
        group_by: Vec::new(),
        fields: None,
        detail: DetailLevel::Summarized,
        limit: usage_api::limits::RECORDS_LIMIT_DEFAULT,
        offset: 0,
        ..q.clone()
    };
    if let Some(bucket) = item
        .usage_date_time
        .filter(|_| q.detail != DetailLevel::Summarized)
    {
        let start = bucket.local.naive();
        let end = crate::freshness::bucket_end(start, q.detail);
        let (start, end) = (start.max(q.start.naive()), end.min(q.end.naive()));
        match (q.detail, bucket.offset) {
            (DetailLevel::Hour, Some(off)) => {
                let off = TimeDelta::seconds(i64::from(off));
                range.start = wall(start - off);
                range.end = wall(end - off);
                range.time_zone = usage_api::TimeZone::utc();
            }
            _ => {
                range.start = wall(start);
                range.end = wall(end);
            }
        }
    }
    // A grouped value is a filter; an empty one (records without it) cannot be asked for, as
    // a filter is never empty, so such a row is not traced rather than traced wrongly.
    let f = &mut range.filters;
    for (dim, value, slot) in [
        (GroupDim::AppId, &item.app_id, &mut f.app_id),
        (GroupDim::BillingTag, &item.billing_tag, &mut f.billing_tag),
        (GroupDim::Project, &item.project_hrn, &mut f.project_hrn),
    ] {
        if q.group_by.contains(&dim) {
            *slot = Some(value.clone().filter(|v| !v.is_empty())?);
        }
    }
    let mut pairs = range.to_pairs(QueryKind::Records);
    if let Some(v) = item.usage_value {
        pairs.push(("usageValue", v.to_string()));
    }
    if let Some(v) = item.billable_value {
        pairs.push(("billableValue", v.to_string()));
    }
    if let Some(u) = &item.value_driver {
        pairs.push(("unit", u.clone()));
    }
    Some(pairs)
}

/// The records page's URL: the records query (or why it is not one) and the figure.
pub fn records_from_url(
    pairs: &[(String, String)],
) -> (Result<UsageQuery, Vec<FieldError>>, Figure) {
    let mut figure = Figure::default();
    let mut api = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "usageValue" => figure.usage = Quantity::parse(v).ok(),
            "billableValue" => figure.billable = Quantity::parse(v).ok(),
            "unit" => figure.unit = Some(v.clone()),
            _ => api.push((k.as_str(), v.as_str())),
        }
    }
    (UsageQuery::from_pairs(api, QueryKind::Records), figure)
}

/// How the records' sums compare with the figure they came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Both sums equal the row's figures.
    Equal,
    /// A sum differs (usage recorded since the row was read).
    Differs,
    /// Nothing to compare with (the page was opened without a figure).
    NoFigure,
}

/// Compares the records' requested and accepted sums with `figure`.
pub fn check(figure: &Figure, requested: Quantity, accepted: Quantity) -> Check {
    match (figure.usage, figure.billable) {
        (None, None) => Check::NoFigure,
        (u, b) if u.is_none_or(|u| u == requested) && b.is_none_or(|b| b == accepted) => {
            Check::Equal
        }
        _ => Check::Differs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use usage_api::ZonedTime;

    use crate::testing::query;

    fn item(bucket: &str) -> UsageItem {
        UsageItem {
            billing_subscription_id: Some("SUB-1".to_owned()),
            app_id: Some("app.one".to_owned()),
            usage_value: Quantity::parse("12.5").ok(),
            billable_value: Quantity::parse("10").ok(),
            value_driver: Some("GB".to_owned()),
            usage_date_time: ZonedTime::parse(bucket),
            ..UsageItem::default()
        }
    }

    fn get<'a>(pairs: &'a [(&str, String)], k: &str) -> Option<&'a str> {
        pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn a_zoned_day_is_its_wall_clock_range_with_the_row_as_filters() {
        let q = query(
            "startDate=2026-03-01&endDate=2026-04-01&timeZone=Europe/Berlin&detailLevel=day&groupBy=appId&billingTag=x",
        );
        let p = records_pairs(&q, &item("2026-03-29T00:00:00+01:00")).unwrap();
        assert_eq!(get(&p, "startDate"), Some("2026-03-29T00:00:00"));
        assert_eq!(get(&p, "endDate"), Some("2026-03-30T00:00:00"));
        assert_eq!(get(&p, "timeZone"), Some("Europe/Berlin"));
        assert_eq!(get(&p, "billingSubscriptionId"), Some("SUB-1"));
        assert_eq!(get(&p, "appId"), Some("app.one"));
        assert_eq!(get(&p, "billingTag"), Some("x"), "the query's filters stay");
        assert_eq!(get(&p, "detailLevel"), None);
        assert_eq!(get(&p, "usageValue"), Some("12.5"));
        // Back from the URL: the API's query and the figure apart.
        let owned: Vec<(String, String)> = p
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let (back, figure) = records_from_url(&owned);
        let back = back.unwrap();
        assert_eq!(
            back.filters.billing_subscription_id.as_deref(),
            Some("SUB-1")
        );
        assert_eq!(figure.unit.as_deref(), Some("GB"));
        assert_eq!(
            check(
                &figure,
                Quantity::parse("12.5").unwrap(),
                Quantity::parse("10").unwrap()
            ),
            Check::Equal
        );
        assert_eq!(
            check(
                &figure,
                Quantity::parse("12").unwrap(),
                Quantity::parse("10").unwrap()
            ),
            Check::Differs
        );
    }

    #[test]
    fn the_first_and_last_buckets_keep_to_the_range() {
        let q = query("startDate=2026-03-01T06:00:00&endDate=2026-03-03T12:00:00&detailLevel=day");
        let first = records_pairs(&q, &item("2026-03-01T00:00:00")).unwrap();
        assert_eq!(get(&first, "startDate"), Some("2026-03-01T06:00:00"));
        let last = records_pairs(&q, &item("2026-03-03T00:00:00")).unwrap();
        assert_eq!(get(&last, "endDate"), Some("2026-03-03T12:00:00"));
        let months = query("startDate=2026-01-15&endDate=2026-03-15&detailLevel=month");
        let feb = records_pairs(&months, &item("2026-02-01T00:00:00")).unwrap();
        assert_eq!(get(&feb, "endDate"), Some("2026-03-01T00:00:00"));
    }

    #[test]
    fn an_hour_is_given_in_utc_so_the_fall_back_hours_stay_apart() {
        let q = query(
            "startDate=2026-10-25&endDate=2026-10-26&timeZone=Europe/Berlin&detailLevel=hour",
        );
        let second = records_pairs(&q, &item("2026-10-25T02:00:00+01:00")).unwrap();
        assert_eq!(get(&second, "startDate"), Some("2026-10-25T01:00:00"));
        assert_eq!(get(&second, "endDate"), Some("2026-10-25T02:00:00"));
        assert_eq!(get(&second, "timeZone"), None, "UTC");
    }

    #[test]
    fn rows_that_cannot_be_traced_get_no_link() {
        let q = query("startDate=2026-03-01&endDate=2026-04-01&groupBy=resource");
        assert_eq!(records_pairs(&q, &item("2026-03-01T00:00:00")), None);
        let q = query("startDate=2026-03-01&endDate=2026-04-01");
        let hidden = UsageItem {
            billing_subscription_id: None,
            ..item("2026-03-01T00:00:00")
        };
        assert_eq!(records_pairs(&q, &hidden), None);
        // Summarized: the query's whole range.
        let p = records_pairs(&q, &item("2026-03-05T00:00:00")).unwrap();
        assert_eq!(get(&p, "startDate"), Some("2026-03-01T00:00:00"));
        assert_eq!(get(&p, "endDate"), Some("2026-04-01T00:00:00"));
    }
}
