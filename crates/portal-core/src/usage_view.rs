//! What the Usage page asks the API for beside the page itself (the totals and the chart), and
//! how the chart's CSV becomes points.

use crate::chart::ChartPoint;
use usage_api::usage::{DetailLevel, GroupDim, UsageField, UsageQuery};
use usage_api::{Quantity, ZonedTime};

/// The summarized query behind the totals: one record per subscription, grouped only by the
/// app and billing tag the view is grouped by; the charge item's name (and those groups) for
/// "Biggest changes". Grouped rows split a subscription's figures, so the totals are the same.
pub fn totals_query(q: &UsageQuery) -> UsageQuery {
    let group_by: Vec<GroupDim> = q
        .group_by
        .iter()
        .copied()
        .filter(|g| matches!(g, GroupDim::AppId | GroupDim::BillingTag))
        .collect();
    let fields = vec![
        UsageField::Name,
        UsageField::ValueDriver,
        UsageField::UsageValue,
        UsageField::BillableValue,
    ];
    UsageQuery {
        detail: DetailLevel::Summarized,
        group_by,
        fields: Some(fields),
        limit: usage_api::limits::PAGE_LIMIT_MAX,
        offset: 0,
        ..q.clone()
    }
}

/// The query behind the chart: the same range, filters and detail, one series per charge item;
/// the subscription of each value, to open the records behind it.
pub fn chart_query(q: &UsageQuery) -> UsageQuery {
    UsageQuery {
        group_by: Vec::new(),
        fields: Some(vec![
            UsageField::BillingSubscriptionId,
            UsageField::Name,
            UsageField::ValueDriver,
            UsageField::UsageValue,
        ]),
        offset: 0,
        ..q.clone()
    }
}

/// The name a downloaded CSV is saved as: the realm, the range's days and its zone, so the
/// same days in two zones are two files (`usage-acme-2026-03-01-2026-04-01-Europe_Berlin.csv`).
pub fn csv_file_name(realm: &str, q: &UsageQuery) -> String {
    format!(
        "usage-{realm}-{}-{}-{}.csv",
        q.start.date(),
        q.end.date(),
        q.time_zone.name().replace('/', "_")
    )
}

/// The chart's points from its CSV (columns found by name; a row that does not parse is left
/// out).
pub fn chart_points(csv: &str) -> Vec<ChartPoint> {
    chart_points_of(&parse_csv(csv))
}

/// As [`chart_points`], from CSV records already split (header first).
pub fn chart_points_of(csv: &[Vec<String>]) -> Vec<ChartPoint> {
    let mut rows = csv.iter();
    let Some(header) = rows.next() else {
        return Vec::new();
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let (name, unit, value, time, subscription) = (
        col("name"),
        col("valueDriver"),
        col("usageValue"),
        col("usageDateTime"),
        col("billingSubscriptionId"),
    );
    rows.filter_map(|r| {
        let milli = Quantity::parse(r.get(value?)?).ok()?.milli();
        Some(ChartPoint {
            bucket: time.and_then(|i| ZonedTime::parse(r.get(i)?)),
            series: r.get(name?)?.trim_start_matches('\'').to_owned(),
            unit: r.get(unit?)?.clone(),
            value: milli as f64 / 1000.0,
            milli,
            subscription: subscription
                .and_then(|i| r.get(i))
                .map(|s| s.trim_start_matches('\'').to_owned())
                .filter(|s| !s.is_empty()),
        })
    })
    .collect()
}

/// Splits CSV text into records (RFC 4180: quoted fields, doubled quotes, CRLF).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        let rows = parse_csv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",3\r\n,,\r\n");
        assert_eq!(
            rows,
            [
                vec!["a", "b", "c"],
                vec!["x, y", "say \"hi\"", "3"],
                vec!["", "", ""]
            ]
        );
        assert_eq!(parse_csv("last,row"), [vec!["last", "row"]]);
        assert!(parse_csv("").is_empty());
    }

    #[test]
    fn chart_points_by_column_name() {
        let csv = "usageDateTime,name,valueDriver,usageValue,billingSubscriptionId\r\n2027-01-01T00:00:00,'=Storage,GB,1.5,sub-1\r\n2027-01-02T00:00:00,API,transactions,not-a-number\r\n";
        let points = chart_points(csv);
        assert_eq!(points.len(), 1, "the unreadable row is left out");
        assert_eq!(
            points[0].series, "=Storage",
            "the formula guard's quote is removed"
        );
        assert_eq!(points[0].unit, "GB");
        assert_eq!(points[0].value, 1.5);
        assert_eq!(points[0].milli, 1_500);
        assert_eq!(points[0].subscription.as_deref(), Some("sub-1"));
        assert_eq!(points[0].bucket, ZonedTime::parse("2027-01-01T00:00:00"));
        // A zoned bucket keeps its offset, so the chart places it at its instant.
        let zoned = chart_points(
            "usageDateTime,name,valueDriver,usageValue\r\n2026-10-25T02:00:00+01:00,API,transactions,2\r\n",
        );
        assert_eq!(
            zoned[0].bucket.map(ZonedTime::unix),
            usage_api::Timestamp::parse("2026-10-25T01:00:00").map(usage_api::Timestamp::unix)
        );
    }

    #[test]
    fn a_csv_file_is_named_by_its_days_and_zone() {
        let q = UsageQuery::from_pairs(
            [
                ("startDate", "2027-01-01"),
                ("endDate", "2027-02-01"),
                ("timeZone", "America/St_Johns"),
            ],
            usage_api::usage::QueryKind::Csv,
        )
        .unwrap();
        assert_eq!(
            csv_file_name("acme-org", &q),
            "usage-acme-org-2027-01-01-2027-02-01-America_St_Johns.csv"
        );
    }

    #[test]
    fn totals_and_chart_ask_for_what_they_show() {
        let q = UsageQuery::from_pairs(
            [
                ("startDate", "2027-01-01"),
                ("endDate", "2027-02-01"),
                ("groupBy", "appId"),
                ("offset", "3"),
                ("detailLevel", "day"),
            ],
            usage_api::usage::QueryKind::Page,
        )
        .unwrap();
        let t = totals_query(&q);
        assert_eq!(
            (t.detail, t.offset, t.group_by.len()),
            (DetailLevel::Summarized, 0, 1),
            "grouped by app, for the biggest changes by app"
        );
        let by_resource = totals_query(&UsageQuery {
            group_by: vec![GroupDim::Resource],
            ..q.clone()
        });
        assert!(
            by_resource.group_by.is_empty(),
            "a resource is never a change's name"
        );
        assert_eq!(t.limit, usage_api::limits::PAGE_LIMIT_MAX);
        let c = chart_query(&q);
        assert_eq!(
            (c.detail, c.offset, c.group_by.len()),
            (DetailLevel::Day, 0, 0)
        );
        assert_eq!((c.start, c.end), (q.start, q.end));
    }
}
