//! "Compare with" a previous period: the earlier range, and the rows, totals and biggest
//! changes that come from two answers of the API (no endpoint of its own). Worked in the
//! query's wall-clock times, as the buckets carry them, so no zone rules are needed.

use crate::chart::ChartPoint;
use crate::totals::UnitTotal;
use chrono::{Months, NaiveDateTime};
use usage_api::usage::{Column, GroupDim, UsageItem, UsageQuery};
use usage_api::{Quantity, Timestamp};

/// What the current period is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compare {
    /// Nothing.
    #[default]
    None,
    /// The period of the same length just before.
    Previous,
    /// The same period a year earlier.
    YearBefore,
}

impl Compare {
    /// Every choice, in the order offered.
    pub const ALL: [Self; 3] = [Self::None, Self::Previous, Self::YearBefore];

    /// The URL's word (`compare=`); none for [`Compare::None`].
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Previous => "previous",
            Self::YearBefore => "year",
        }
    }

    /// Parses the URL's word.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "Nothing",
            Self::Previous => "The previous period",
            Self::YearBefore => "The same period a year earlier",
        }
    }
}

/// The Usage page's own URL parameters, beside the API's: takes `compare` out of `pairs`
/// (an unknown value is `None`, and named in the second result).
pub fn take_compare(pairs: &mut Vec<(String, String)>) -> (Compare, Option<String>) {
    let mut out = (Compare::None, None);
    pairs.retain(|(k, v)| {
        if k != "compare" {
            return true;
        }
        out = match Compare::parse(v) {
            Some(c) => (c, None),
            None => (Compare::None, Some(v.clone())),
        };
        false
    });
    out
}

fn shift(t: NaiveDateTime, compare: Compare, len: chrono::TimeDelta) -> NaiveDateTime {
    match compare {
        Compare::None => t,
        Compare::Previous => t - len,
        // 29 February a year earlier is 28 February.
        Compare::YearBefore => t.checked_sub_months(Months::new(12)).unwrap_or(t),
    }
}

fn ts(t: NaiveDateTime) -> Timestamp {
    Timestamp::from_unix(t.and_utc().timestamp()).unwrap_or(Timestamp::start_of(t.date()))
}

/// The earlier period's query: `q` over the earlier range; `None` for [`Compare::None`].
pub fn earlier_query(q: &UsageQuery, compare: Compare) -> Option<UsageQuery> {
    if compare == Compare::None {
        return None;
    }
    let len = q.end.naive() - q.start.naive();
    Some(UsageQuery {
        start: ts(shift(q.start.naive(), compare, len)),
        end: ts(shift(q.end.naive(), compare, len)),
        offset: 0,
        ..q.clone()
    })
}

/// The one CSV query the earlier period is read with: the earlier range with the current
/// view's grouping and columns, plus what the chart needs (charge item, unit, usage,
/// subscription), so the table's rows and the chart's dashed lines come from one answer. The
/// server streams two CSVs per token at once, and the current chart is the other.
pub fn earlier_csv_query(earlier: &UsageQuery) -> UsageQuery {
    use usage_api::usage::UsageField;
    let fields = earlier.fields.clone().map(|mut f| {
        for need in [
            UsageField::BillingSubscriptionId,
            UsageField::Name,
            UsageField::ValueDriver,
            UsageField::UsageValue,
        ] {
            if !f.contains(&need) {
                f.push(need);
            }
        }
        f
    });
    UsageQuery {
        fields,
        offset: 0,
        ..earlier.clone()
    }
}

/// An earlier bucket's start moved into the current period (aligned by offset into it).
fn forward(t: NaiveDateTime, q: &UsageQuery, compare: Compare) -> NaiveDateTime {
    match compare {
        Compare::None => t,
        Compare::Previous => t + (q.end.naive() - q.start.naive()),
        Compare::YearBefore => t.checked_add_months(Months::new(12)).unwrap_or(t),
    }
}

/// What identifies a row across the two periods: every shown text but the figures, and its
/// bucket as a wall-clock time in the current period.
fn key(
    columns: &[Column],
    cell: impl Fn(Column) -> String,
    bucket: Option<NaiveDateTime>,
) -> String {
    let mut k: Vec<String> = columns
        .iter()
        .filter(|c| !c.is_quantity() && **c != Column::UsageDateTime)
        .map(|c| cell(*c))
        .collect();
    k.push(bucket.map(|b| b.to_string()).unwrap_or_default());
    k.join("\u{1f}")
}

/// The earlier answer, as its CSV gives it: each row's usage by the key of the current
/// period's row it compares with.
pub struct Earlier {
    usage: std::collections::HashMap<String, Quantity>,
    /// Rows the earlier period had.
    pub rows: usize,
}

impl Earlier {
    /// From the earlier query's CSV (header row first), for `q`'s columns.
    pub fn from_csv(csv: &[Vec<String>], q: &UsageQuery, compare: Compare) -> Self {
        let columns = q.columns();
        let mut rows = csv.iter();
        let header = rows.next().cloned().unwrap_or_default();
        let at = |name: &str| header.iter().position(|h| h == name);
        let (usage_at, time_at) = (at("usageValue"), at("usageDateTime"));
        let mut usage = std::collections::HashMap::new();
        let mut n = 0;
        for r in rows {
            let cell = |c: Column| {
                at(c.key())
                    .and_then(|i| r.get(i))
                    .map(|v| v.trim_start_matches('\'').to_owned())
                    .unwrap_or_default()
            };
            let bucket = time_at
                .and_then(|i| r.get(i))
                .and_then(|v| usage_api::ZonedTime::parse(v))
                .map(|t| forward(t.local.naive(), q, compare));
            let Some(v) = usage_at
                .and_then(|i| r.get(i))
                .and_then(|v| Quantity::parse(v).ok())
            else {
                continue;
            };
            n += 1;
            let e = usage
                .entry(key(&columns, cell, bucket))
                .or_insert(Quantity(0));
            e.0 += v.milli();
        }
        Self { usage, rows: n }
    }

    /// The earlier usage of the current row `item` (zero when the earlier period had none).
    pub fn before(&self, q: &UsageQuery, item: &UsageItem) -> Quantity {
        let columns = q.columns();
        let bucket = item.usage_date_time.map(|t| t.local.naive());
        let k = key(&columns, |c| item.cell(c), bucket);
        self.usage.get(&k).copied().unwrap_or(Quantity(0))
    }
}

/// A figure against its earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// The earlier figure.
    pub before: Quantity,
    /// Now less before, exact.
    pub delta: Quantity,
    /// The change in per mille of the earlier figure, rounded; `None` when there was none
    /// before (new).
    pub per_mille: Option<i64>,
}

impl Change {
    /// `now` against `before`.
    pub fn of(now: Quantity, before: Quantity) -> Self {
        let delta = Quantity(now.milli() - before.milli());
        let per_mille = (before.milli() != 0).then(|| {
            let (d, b) = (i128::from(delta.milli()), i128::from(before.milli()));
            // Rounded half away from zero, in integers: 1,000 × d / b.
            let n = 1_000 * d;
            let q = (2 * n + b.signum() * n.signum() * b.abs()) / (2 * b);
            i64::try_from(q).unwrap_or(i64::MAX)
        });
        Self {
            before,
            delta,
            per_mille,
        }
    }

    /// The percentage as people read it: `+12.5 %`, `−3.0 %`, `new`.
    pub fn percent_text(self) -> String {
        match self.per_mille {
            None if self.delta.milli() == 0 => "0.0 %".to_owned(),
            None => "new".to_owned(),
            Some(p) => {
                let sign = if p > 0 {
                    "+"
                } else if p < 0 {
                    "−"
                } else {
                    ""
                };
                format!("{sign}{}.{} %", p.abs() / 10, p.abs() % 10)
            }
        }
    }
}

/// The earlier period's chart values moved into the current period, aligned by offset into
/// it (bucket by bucket), so they draw over the current ones as a second line.
pub fn earlier_points(points: &[ChartPoint], q: &UsageQuery, compare: Compare) -> Vec<ChartPoint> {
    points
        .iter()
        .map(|p| ChartPoint {
            bucket: p.bucket.map(|b| usage_api::ZonedTime {
                local: ts(forward(b.local.naive(), q, compare)),
                offset: b.offset,
            }),
            ..p.clone()
        })
        .collect()
}

/// A charge item's change over the whole period, for "Biggest changes"; when the view is
/// grouped by app or billing tag, the change of each app's or tag's share of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemChange {
    /// The charge item.
    pub name: String,
    /// The app and billing tag, when grouped by them (empty when not, or not set).
    pub group: Vec<(GroupDim, String)>,
    /// Its unit.
    pub unit: String,
    /// Usage now.
    pub now: Quantity,
    /// And how it moved.
    pub change: Change,
}

/// Per charge item, unit, app and billing tag (as the items give them), the usage now against before, the biggest moves first (new and
/// gone items, then by the size of the change relative to before); at most `n`.
pub fn biggest_changes(now: &[UsageItem], before: &[UsageItem], n: usize) -> Vec<ItemChange> {
    let sums = |items: &[UsageItem]| {
        type Key = (String, String, Option<String>, Option<String>);
        let mut m: std::collections::BTreeMap<Key, i64> = Default::default();
        for i in items {
            let k = (
                i.name.clone().unwrap_or_default(),
                i.value_driver.clone().unwrap_or_default(),
                i.app_id.clone(),
                i.billing_tag.clone(),
            );
            *m.entry(k).or_default() += i.usage_value.map_or(0, Quantity::milli);
        }
        m
    };
    let (a, b) = (sums(now), sums(before));
    let mut keys: Vec<_> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out: Vec<ItemChange> = keys
        .into_iter()
        .map(|k| {
            let (x, y) = (
                Quantity(a.get(k).copied().unwrap_or(0)),
                Quantity(b.get(k).copied().unwrap_or(0)),
            );
            let group = [(GroupDim::AppId, &k.2), (GroupDim::BillingTag, &k.3)]
                .into_iter()
                .filter_map(|(d, v)| Some((d, v.clone()?)))
                .collect();
            ItemChange {
                name: k.0.clone(),
                group,
                unit: k.1.clone(),
                now: x,
                change: Change::of(x, y),
            }
        })
        .filter(|c| c.change.delta.milli() != 0)
        .collect();
    let rank = |c: &ItemChange| match c.change.per_mille {
        None => i64::MAX,
        Some(p) => p.abs(),
    };
    crate::sort::sort_by(&mut out, |x, y| {
        rank(y)
            .cmp(&rank(x))
            .then_with(|| x.name.cmp(&y.name))
            .then_with(|| x.group.cmp(&y.group))
            .then_with(|| x.unit.cmp(&y.unit))
    });
    out.truncate(n);
    out
}

/// Totals per unit against the earlier period's (a unit the earlier period lacks was 0).
pub fn totals_against(now: &[UnitTotal], before: &[UnitTotal]) -> Vec<(UnitTotal, Change)> {
    now.iter()
        .map(|t| {
            let b = before
                .iter()
                .find(|e| e.unit == t.unit)
                .map_or(Quantity(0), |e| e.usage);
            (t.clone(), Change::of(t.usage, b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::query;

    fn q(v: &str) -> Quantity {
        Quantity::parse(v).unwrap()
    }

    #[test]
    fn the_earlier_ranges() {
        let cur = query("startDate=2026-03-01&endDate=2026-03-31&detailLevel=day");
        let prev = earlier_query(&cur, Compare::Previous).unwrap();
        assert_eq!(prev.start.to_string(), "2026-01-30T00:00:00");
        assert_eq!(prev.end.to_string(), "2026-03-01T00:00:00");
        let year = earlier_query(&cur, Compare::YearBefore).unwrap();
        assert_eq!(year.start.to_string(), "2025-03-01T00:00:00");
        assert_eq!(year.end.to_string(), "2025-03-31T00:00:00");
        assert_eq!(earlier_query(&cur, Compare::None), None);
        let leap = query("startDate=2028-02-29&endDate=2028-03-02");
        let year = earlier_query(&leap, Compare::YearBefore).unwrap();
        assert_eq!(year.start.to_string(), "2027-02-28T00:00:00");
    }

    #[test]
    fn the_url_word_is_taken_out_before_the_api_sees_it() {
        let mut pairs = vec![
            ("startDate".to_owned(), "2026-03-01".to_owned()),
            ("compare".to_owned(), "year".to_owned()),
        ];
        assert_eq!(take_compare(&mut pairs), (Compare::YearBefore, None));
        assert_eq!(pairs.len(), 1);
        let mut bad = vec![("compare".to_owned(), "decade".to_owned())];
        assert_eq!(
            take_compare(&mut bad),
            (Compare::None, Some("decade".to_owned()))
        );
    }

    #[test]
    fn rows_meet_their_earlier_selves_by_offset_into_the_period() {
        let cur = query("startDate=2026-03-11&endDate=2026-03-21&detailLevel=day&groupBy=appId");
        let csv: Vec<Vec<String>> = [
            "realmId,featureId,billingSubscriptionId,billingChargeNumber,category,name,valueDriver,usageValue,billableValue,appId,usageDateTime",
            "r,f,SUB-1,C,Maps,Tiles,tiles,5,5,app.one,2026-03-01T00:00:00",
            "r,f,SUB-1,C,Maps,Tiles,tiles,7,7,app.two,2026-03-01T00:00:00",
        ]
        .iter()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
        let earlier = Earlier::from_csv(&csv, &cur, Compare::Previous);
        assert_eq!(earlier.rows, 2);
        let item = UsageItem {
            realm_id: Some("r".into()),
            feature_id: Some("f".into()),
            billing_subscription_id: Some("SUB-1".into()),
            billing_charge_number: Some("C".into()),
            category: Some("Maps".into()),
            name: Some("Tiles".into()),
            value_driver: Some("tiles".into()),
            usage_value: Some(q("8")),
            billable_value: Some(q("8")),
            app_id: Some("app.one".into()),
            usage_date_time: usage_api::ZonedTime::parse("2026-03-11T00:00:00"),
            ..UsageItem::default()
        };
        assert_eq!(earlier.before(&cur, &item), q("5"));
        let other_day = UsageItem {
            usage_date_time: usage_api::ZonedTime::parse("2026-03-12T00:00:00"),
            ..item.clone()
        };
        assert_eq!(earlier.before(&cur, &other_day), q("0"));
        let c = Change::of(q("8"), q("5"));
        assert_eq!((c.delta, c.percent_text()), (q("3"), "+60.0 %".to_owned()));
    }

    #[test]
    fn changes_in_words() {
        assert_eq!(Change::of(q("1"), q("3")).percent_text(), "−66.7 %");
        assert_eq!(Change::of(q("2"), q("0")).percent_text(), "new");
        assert_eq!(Change::of(q("0"), q("0")).percent_text(), "0.0 %");
        assert_eq!(Change::of(q("0.001"), q("0.003")).per_mille, Some(-667));
        assert_eq!(
            Change::of(q("1000000000000"), q("0.001"))
                .per_mille
                .map(|p| p > 0),
            Some(true)
        );
    }

    #[test]
    fn the_biggest_moves_first_each_in_its_own_unit() {
        let item = |name: &str, unit: &str, v: &str| UsageItem {
            name: Some(name.into()),
            value_driver: Some(unit.into()),
            usage_value: Some(q(v)),
            ..UsageItem::default()
        };
        let now = [
            item("A", "GB", "110"),
            item("B", "tx", "50"),
            item("C", "tx", "1"),
        ];
        let before = [
            item("A", "GB", "100"),
            item("B", "tx", "100"),
            item("D", "GB", "4"),
        ];
        let list = biggest_changes(&now, &before, 10);
        let names: Vec<&str> = list.iter().map(|c| c.name.as_str()).collect();
        // C is new, D is gone (−100 %), B halved, A grew a tenth.
        assert_eq!(names, ["C", "D", "B", "A"]);
        assert_eq!(list[2].change.percent_text(), "−50.0 %");
        assert_eq!(biggest_changes(&now, &before, 2).len(), 2);
        // Grouped by app: each app's share is its own line, named by its app.
        let app = |app: &str, v: &str| UsageItem {
            app_id: Some(app.into()),
            ..item("A", "GB", v)
        };
        let list = biggest_changes(
            &[app("one", "10"), app("two", "30")],
            &[app("one", "20"), app("two", "30")],
            10,
        );
        assert_eq!(list.len(), 1, "app two did not move");
        assert_eq!(list[0].group, [(GroupDim::AppId, "one".to_owned())]);
        assert_eq!(list[0].change.percent_text(), "−50.0 %");
    }

    #[test]
    fn one_earlier_csv_serves_the_rows_and_the_chart() {
        use usage_api::usage::UsageField;
        let cur = query(
            "startDate=2026-03-11&endDate=2026-03-21&detailLevel=day&usageFields=category,usageValue&groupBy=appId",
        );
        let e = earlier_csv_query(&earlier_query(&cur, Compare::Previous).unwrap());
        let f = e.fields.unwrap();
        for need in [
            UsageField::Category,
            UsageField::Name,
            UsageField::ValueDriver,
            UsageField::UsageValue,
            UsageField::BillingSubscriptionId,
        ] {
            assert_eq!(f.iter().filter(|x| **x == need).count(), 1, "{need:?} once");
        }
        assert_eq!(e.group_by, cur.group_by);
        let all = query("startDate=2026-03-11&endDate=2026-03-21");
        assert_eq!(earlier_csv_query(&all).fields, None, "every field already");
    }

    #[test]
    fn earlier_chart_values_land_on_the_current_buckets() {
        let cur =
            query("startDate=2026-03-11&endDate=2026-03-21&detailLevel=day&timeZone=Europe/Berlin");
        let point = |t: &str| ChartPoint {
            bucket: usage_api::ZonedTime::parse(t),
            series: "API".into(),
            unit: "tx".into(),
            value: 1.0,
            milli: 1_000,
            subscription: None,
        };
        let moved = earlier_points(
            &[point("2026-03-01T00:00:00+01:00")],
            &cur,
            Compare::Previous,
        );
        assert_eq!(
            moved[0].bucket,
            usage_api::ZonedTime::parse("2026-03-11T00:00:00+01:00")
        );
        let year = earlier_points(
            &[point("2025-03-12T00:00:00+01:00")],
            &cur,
            Compare::YearBefore,
        );
        assert_eq!(
            year[0].bucket,
            usage_api::ZonedTime::parse("2026-03-12T00:00:00+01:00")
        );
        assert_eq!(year[0].milli, 1_000);
    }
}
