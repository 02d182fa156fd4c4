//! What the usage chart draws, apart from drawing it: series per charge item with the largest
//! kept and the rest folded into "Other", the units (one chart per unit), the axis ticks and
//! the series colours.

use crate::sort::sort_by;
use usage_api::ZonedTime;

/// Series drawn at most; the rest are summed as "Other".
pub const MAX_SERIES: usize = 8;

/// One value of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPoint {
    /// The bucket's start (none when summarized).
    pub bucket: Option<ZonedTime>,
    /// The charge item.
    pub series: String,
    /// The unit.
    pub unit: String,
    /// The value (for drawing only; tables show exact values).
    pub value: f64,
    /// The exact value, in thousandths, for the records behind it.
    pub milli: i64,
    /// The subscription the value is of, when the answer names it.
    pub subscription: Option<String>,
}

/// A series ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// `(bucket start in unix seconds, value)`, in time order.
    pub points: Vec<(i64, f64)>,
    /// Sum of the values, for ranking.
    pub total: f64,
}

/// The series of `unit`: the [`MAX_SERIES`] largest, then "Other" for the rest.
pub fn series_for(points: &[ChartPoint], unit: &str) -> Vec<Series> {
    let mut all: Vec<Series> = Vec::new();
    for p in points.iter().filter(|p| p.unit == unit) {
        let t = p.bucket.map_or(0, ZonedTime::unix);
        let s = match all.iter_mut().position(|s| s.name == p.series) {
            Some(i) => &mut all[i],
            None => {
                all.push(Series {
                    name: p.series.clone(),
                    points: Vec::new(),
                    total: 0.0,
                });
                all.last_mut().expect("just pushed")
            }
        };
        s.total += p.value;
        match s.points.iter_mut().find(|(x, _)| *x == t) {
            Some((_, v)) => *v += p.value,
            None => s.points.push((t, p.value)),
        }
    }
    sort_by(&mut all, |a, b| {
        b.total
            .total_cmp(&a.total)
            .then_with(|| a.name.cmp(&b.name))
    });
    if all.len() > MAX_SERIES {
        let rest = all.split_off(MAX_SERIES);
        let mut other = Series {
            name: "Other".to_owned(),
            points: Vec::new(),
            total: 0.0,
        };
        for s in rest {
            other.total += s.total;
            for (t, v) in s.points {
                match other.points.iter_mut().find(|(x, _)| *x == t) {
                    Some((_, o)) => *o += v,
                    None => other.points.push((t, v)),
                }
            }
        }
        all.push(other);
    }
    for s in &mut all {
        sort_by(&mut s.points, |a, b| a.0.cmp(&b.0));
    }
    all
}

/// The series of `unit` in `points` named and ordered as `like` (another period's series of
/// the same unit), so that each is drawn beside its namesake in its colour: a name `like`
/// folded into "Other" is folded here too; a name `like` lacks has no line.
pub fn series_like(points: &[ChartPoint], unit: &str, like: &[Series]) -> Vec<Series> {
    let folded = like.len() > MAX_SERIES;
    let named = &like[..like.len().min(MAX_SERIES)];
    let mut out: Vec<Series> = like
        .iter()
        .map(|s| Series {
            name: s.name.clone(),
            points: Vec::new(),
            total: 0.0,
        })
        .collect();
    for p in points.iter().filter(|p| p.unit == unit) {
        let i = match named.iter().position(|s| s.name == p.series) {
            Some(i) => i,
            None if folded => MAX_SERIES,
            None => continue,
        };
        let t = p.bucket.map_or(0, ZonedTime::unix);
        let s = &mut out[i];
        s.total += p.value;
        match s.points.iter_mut().find(|(x, _)| *x == t) {
            Some((_, v)) => *v += p.value,
            None => s.points.push((t, p.value)),
        }
    }
    for s in &mut out {
        sort_by(&mut s.points, |a, b| a.0.cmp(&b.0));
    }
    out
}

/// The units present, in alphabetical order.
pub fn units(points: &[ChartPoint]) -> Vec<String> {
    let mut u: Vec<String> = points.iter().map(|p| p.unit.clone()).collect();
    sort_by(&mut u, |a, b| a.cmp(b));
    u.dedup();
    u
}

/// Series colours of the light theme, the chart's defaults: `style/portal.css` sets them (and
/// the dark theme's) as `--_up-series-N`, which the chart and the legend read.
pub const COLORS: [(u8, u8, u8); 9] = [
    (11, 92, 173),
    (214, 96, 0),
    (26, 135, 84),
    (176, 36, 64),
    (111, 66, 193),
    (0, 128, 128),
    (160, 110, 0),
    (90, 90, 90),
    (200, 60, 160),
];

/// A budget drawn on the chart: a quantity budget in the chart's unit, its threshold a month.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetLine {
    /// The budget's name.
    pub name: String,
    /// Its monthly threshold, in the unit.
    pub threshold: f64,
}

/// The budgets to draw on a chart of `unit` at `detail`: quantity budgets in that unit (their
/// subscription's `valueDriver`), by threshold. Only by month: a budget is a month's, and a
/// day's or a whole range's figure measured against it would mislead.
pub fn budget_lines(
    budgets: &[usage_api::budgets::Budget],
    unit: &str,
    detail: usage_api::usage::DetailLevel,
) -> Vec<BudgetLine> {
    if detail != usage_api::usage::DetailLevel::Month {
        return Vec::new();
    }
    let mut lines: Vec<BudgetLine> = budgets
        .iter()
        .filter(|b| b.currency.is_none() && b.value_driver.as_deref() == Some(unit))
        .filter_map(|b| {
            let q = usage_api::Quantity::parse(&b.threshold).ok()?;
            Some(BudgetLine {
                name: b.name.clone(),
                threshold: q.milli() as f64 / 1000.0,
            })
        })
        .collect();
    lines.sort_by(|a, b| a.threshold.total_cmp(&b.threshold));
    lines
}

/// A CSS colour as `getComputedStyle` writes a custom property's value: `#rgb`, `#rrggbb` or
/// `rgb(r, g, b)` (what the portal's stylesheet and most hosts use). Anything else: none, and
/// the chart keeps its light defaults.
pub fn parse_css_color(v: &str) -> Option<(u8, u8, u8)> {
    let v = v.trim();
    if let Some(hex) = v.strip_prefix('#') {
        let d = |s: &str| u8::from_str_radix(s, 16).ok();
        return match hex.len() {
            6 => Some((d(&hex[0..2])?, d(&hex[2..4])?, d(&hex[4..6])?)),
            3 => {
                let one = |i: usize| d(&hex[i..=i]).map(|x| x * 17);
                Some((one(0)?, one(1)?, one(2)?))
            }
            _ => None,
        };
    }
    let inner = v
        .strip_prefix("rgb(")
        .or_else(|| v.strip_prefix("rgba("))?
        .strip_suffix(')')?;
    let mut parts = inner.split([',', ' ', '/']).filter(|p| !p.is_empty());
    let mut c = || parts.next()?.parse::<u8>().ok();
    Some((c()?, c()?, c()?))
}

/// `n` evenly spaced round values from 0 to at least `max`.
pub fn nice_ticks(max: f64, n: usize) -> Vec<f64> {
    let raw = (max / n.max(1) as f64).max(1e-3);
    if !raw.is_finite() {
        return vec![0.0];
    }
    // The power of ten at or below `raw`, by multiplying: `powf` and `log10` would bring libm's
    // pow and log into the portal's first load for this one line.
    let mut mag = 1.0_f64;
    while mag * 10.0 <= raw {
        mag *= 10.0;
    }
    while mag > raw {
        mag /= 10.0;
    }
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    (0..=n)
        .map(|k| k as f64 * step)
        .take_while(|v| *v <= max * 1.0001 + step)
        .collect()
}

/// The usage row a chart value stands for, to open the records behind it: the value of the
/// charge item `series` in `unit` at bucket `x` (unix seconds; any when summarized). `None`
/// when it is not one subscription's: the folded "Other" series (`folded`), or a charge item
/// name that several subscriptions share, or no value there.
pub fn drill_item(
    points: &[ChartPoint],
    unit: &str,
    series: &str,
    x: Option<i64>,
    folded: bool,
) -> Option<usage_api::usage::UsageItem> {
    if folded {
        return None;
    }
    let mut at = points.iter().filter(|p| {
        p.unit == unit
            && p.series == series
            && x.is_none_or(|x| p.bucket.map_or(0, ZonedTime::unix) == x)
    });
    let first = at.next()?;
    let subscription = first.subscription.clone()?;
    let mut milli = first.milli;
    for p in at {
        if p.subscription.as_deref() != Some(subscription.as_str()) {
            return None;
        }
        milli += p.milli;
    }
    Some(usage_api::usage::UsageItem {
        billing_subscription_id: Some(subscription),
        name: Some(series.to_owned()),
        value_driver: Some(unit.to_owned()),
        usage_value: Some(usage_api::Quantity(milli)),
        usage_date_time: first.bucket.filter(|_| x.is_some()),
        ..Default::default()
    })
}

/// Every bucket of the series, in time order (the x positions a reader steps through).
pub fn buckets(series: &[Series]) -> Vec<i64> {
    let mut xs: Vec<i64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|(x, _)| *x))
        .collect();
    xs.sort_unstable();
    xs.dedup();
    xs
}

/// A key that moves the chart's focus (a series and a bucket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// The bucket before (ArrowLeft).
    Prev,
    /// The bucket after (ArrowRight).
    Next,
    /// The first bucket (Home).
    First,
    /// The last bucket (End).
    Last,
    /// The series above in the legend (ArrowUp).
    PrevSeries,
    /// The series below (ArrowDown).
    NextSeries,
}

impl Move {
    /// The move a key names (`KeyboardEvent.key`), if any.
    pub fn of_key(key: &str) -> Option<Self> {
        Some(match key {
            "ArrowLeft" => Self::Prev,
            "ArrowRight" => Self::Next,
            "Home" => Self::First,
            "End" => Self::Last,
            "ArrowUp" => Self::PrevSeries,
            "ArrowDown" => Self::NextSeries,
            _ => return None,
        })
    }
}

/// Where the focus `(series, bucket)` goes on `m`, among `n_series` and `n_buckets`; the
/// first key on an unfocused chart focuses the first value. Stops at the ends.
pub fn step(
    focus: Option<(usize, usize)>,
    m: Move,
    n_series: usize,
    n_buckets: usize,
) -> Option<(usize, usize)> {
    if n_series == 0 || n_buckets == 0 {
        return None;
    }
    let Some((s, b)) = focus else {
        return Some((0, if m == Move::Last { n_buckets - 1 } else { 0 }));
    };
    let (s, b) = (s.min(n_series - 1), b.min(n_buckets - 1));
    Some(match m {
        Move::Prev => (s, b.saturating_sub(1)),
        Move::Next => (s, (b + 1).min(n_buckets - 1)),
        Move::First => (s, 0),
        Move::Last => (s, n_buckets - 1),
        Move::PrevSeries => (s.saturating_sub(1), b),
        Move::NextSeries => ((s + 1).min(n_series - 1), b),
    })
}

/// The value of `series` at bucket `x` (none when it has no point there).
pub fn value_at(series: &Series, x: i64) -> Option<f64> {
    series.points.iter().find(|(t, _)| *t == x).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {

    #[test]
    fn budgets_in_the_charts_unit_are_drawn_by_month_only() {
        use usage_api::budgets::{Budget, BudgetState};
        use usage_api::usage::DetailLevel;
        let b = |name: &str, unit: Option<&str>, currency: Option<&str>, t: &str| Budget {
            id: name.to_owned(),
            name: name.to_owned(),
            billing_subscription_id: unit.map(|_| "S".to_owned()),
            value_driver: unit.map(str::to_owned),
            currency: currency.map(str::to_owned),
            threshold: t.to_owned(),
            alert_at: vec![80, 100],
            month: "2026-12".to_owned(),
            used: "0".to_owned(),
            forecast: None,
            percent: 0.0,
            state: BudgetState::Ok,
            crossed_at: Default::default(),
            updated: usage_api::Timestamp::start_of(chrono::NaiveDate::MIN),
        };
        let all = [
            b("Big", Some("Requests"), None, "2000"),
            b("Small", Some("Requests"), None, "1500.5"),
            b("Other unit", Some("GB"), None, "5"),
            b("Money", None, Some("EUR"), "100.00"),
        ];
        let lines = budget_lines(&all, "Requests", DetailLevel::Month);
        assert_eq!(
            lines,
            [
                BudgetLine {
                    name: "Small".into(),
                    threshold: 1500.5
                },
                BudgetLine {
                    name: "Big".into(),
                    threshold: 2000.0
                }
            ]
        );
        assert!(budget_lines(&all, "Requests", DetailLevel::Day).is_empty());
        assert!(budget_lines(&all, "Requests", DetailLevel::Summarized).is_empty());
        assert_eq!(budget_lines(&all, "GB", DetailLevel::Month).len(), 1);
    }

    #[test]
    fn css_colours_are_read() {
        assert_eq!(parse_css_color(" #12161d"), Some((0x12, 0x16, 0x1d)));
        assert_eq!(parse_css_color("#fff"), Some((255, 255, 255)));
        assert_eq!(parse_css_color("rgb(11, 92, 173)"), Some((11, 92, 173)));
        assert_eq!(parse_css_color("rgba(1 2 3 / 0.5)"), Some((1, 2, 3)));
        assert_eq!(parse_css_color("rebeccapurple"), None);
        assert_eq!(parse_css_color("#12345"), None);
    }

    use super::*;
    use proptest::prelude::*;

    fn point(t: i64, series: &str, unit: &str, value: f64) -> ChartPoint {
        ChartPoint {
            bucket: usage_api::Timestamp::from_unix(t).map(ZonedTime::utc),
            series: series.to_owned(),
            unit: unit.to_owned(),
            value,
            milli: (value * 1000.0) as i64,
            subscription: Some(format!("sub-{series}")),
        }
    }

    #[test]
    fn an_earlier_period_is_drawn_series_by_series_beside_the_current() {
        let mut now = Vec::new();
        for i in 0..10 {
            now.push(point(3_600, &format!("s{i}"), "GB", f64::from(i) + 1.0));
        }
        let like = series_for(&now, "GB");
        let earlier = vec![
            point(3_600, "s9", "GB", 4.0),
            point(7_200, "s9", "GB", 1.0),
            point(3_600, "s0", "GB", 2.0),
            point(3_600, "s1", "GB", 3.0),
            point(3_600, "gone", "GB", 5.0),
            point(3_600, "s8", "tx", 9.0),
        ];
        let s = series_like(&earlier, "GB", &like);
        assert_eq!(s.len(), like.len());
        assert_eq!(s[0].name, "s9");
        assert_eq!(s[0].points, [(3_600, 4.0), (7_200, 1.0)]);
        // s0, s1 and a name the current period lacks are the folded rest.
        assert_eq!(s[MAX_SERIES].name, "Other");
        assert_eq!(s[MAX_SERIES].points, [(3_600, 10.0)]);
        assert!(s[1].points.is_empty(), "s8 had no GB before");
        // Nothing folded now: a name the current period lacks has no line.
        let few = series_for(&now[..2], "GB");
        let s = series_like(&earlier, "GB", &few);
        assert_eq!(s.iter().map(|s| s.total).sum::<f64>(), 5.0);
    }

    #[test]
    fn a_chart_value_drills_to_its_one_subscription() {
        let mut points = vec![
            point(3_600, "API", "transactions", 2.5),
            point(7_200, "API", "transactions", 1.0),
            point(3_600, "Storage", "GB", 4.0),
        ];
        let item = drill_item(&points, "transactions", "API", Some(3_600), false).unwrap();
        assert_eq!(item.billing_subscription_id.as_deref(), Some("sub-API"));
        assert_eq!(item.usage_value, Some(usage_api::Quantity(2_500)));
        assert_eq!(item.usage_date_time.map(ZonedTime::unix), Some(3_600));
        assert_eq!(item.value_driver.as_deref(), Some("transactions"));
        // No value at that bucket, the wrong unit, or the folded rest: nothing to open.
        assert_eq!(
            drill_item(&points, "transactions", "API", Some(10_800), false),
            None
        );
        assert_eq!(drill_item(&points, "GB", "API", Some(3_600), false), None);
        assert_eq!(
            drill_item(&points, "transactions", "API", Some(3_600), true),
            None
        );
        // Two subscriptions under one charge item's name are not one row's records.
        points.push(ChartPoint {
            subscription: Some("sub-other".into()),
            ..point(3_600, "API", "transactions", 1.0)
        });
        assert_eq!(
            drill_item(&points, "transactions", "API", Some(3_600), false),
            None
        );
        assert!(drill_item(&points, "transactions", "API", Some(7_200), false).is_some());
        // Summarized values have no bucket: the series' one value.
        let summarized = vec![ChartPoint {
            bucket: None,
            ..point(0, "API", "transactions", 3.0)
        }];
        let item = drill_item(&summarized, "transactions", "API", None, false).unwrap();
        assert_eq!(
            (item.usage_value, item.usage_date_time),
            (Some(usage_api::Quantity(3_000)), None)
        );
    }

    #[test]
    fn arrow_keys_walk_buckets_and_series_and_stop_at_the_ends() {
        assert_eq!(Move::of_key("ArrowRight"), Some(Move::Next));
        assert_eq!(Move::of_key("a"), None);
        assert_eq!(step(None, Move::Next, 2, 5), Some((0, 0)));
        assert_eq!(step(None, Move::Last, 2, 5), Some((0, 4)));
        assert_eq!(step(Some((0, 4)), Move::Next, 2, 5), Some((0, 4)));
        assert_eq!(step(Some((0, 0)), Move::Prev, 2, 5), Some((0, 0)));
        assert_eq!(step(Some((0, 2)), Move::NextSeries, 2, 5), Some((1, 2)));
        assert_eq!(step(Some((1, 2)), Move::NextSeries, 2, 5), Some((1, 2)));
        assert_eq!(step(Some((1, 2)), Move::First, 2, 5), Some((1, 0)));
        assert_eq!(step(Some((0, 1)), Move::Next, 0, 5), None);
        let s = vec![
            Series {
                name: "a".into(),
                points: vec![(7, 1.0), (3, 2.0)],
                total: 3.0,
            },
            Series {
                name: "b".into(),
                points: vec![(5, 4.0)],
                total: 4.0,
            },
        ];
        assert_eq!(buckets(&s), [3, 5, 7]);
        assert_eq!(value_at(&s[0], 5), None);
        assert_eq!(value_at(&s[1], 5), Some(4.0));
    }

    #[test]
    fn largest_series_first_and_the_rest_as_other() {
        let mut points = Vec::new();
        for i in 0..12 {
            // Series s0 … s11, s11 the largest; two buckets each, given out of time order.
            points.push(point(7_200, &format!("s{i}"), "GB", f64::from(i) + 1.0));
            points.push(point(3_600, &format!("s{i}"), "GB", 1.0));
        }
        points.push(point(3_600, "s11", "transactions", 1_000.0));
        let series = series_for(&points, "GB");
        assert_eq!(series.len(), MAX_SERIES + 1);
        let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(&names[..3], ["s11", "s10", "s9"]);
        assert_eq!(names[MAX_SERIES], "Other");
        // Other holds s0 … s3: 1+2+3+4 at 7,200 and 4 × 1 at 3,600, in time order.
        assert_eq!(series[MAX_SERIES].points, [(3_600, 4.0), (7_200, 10.0)]);
        // Units are never mixed: s11's transactions are not in its GB series.
        assert_eq!(series[0].total, 13.0);
        assert_eq!(units(&points), ["GB", "transactions"]);
    }

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(nice_ticks(100.0, 4), [0.0, 25.0, 50.0, 75.0, 100.0]);
        assert_eq!(nice_ticks(7.0, 4), [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(0.0, 4)[0], 0.0);
    }

    proptest! {
        /// Folding keeps every value: the series' totals add up to the unit's sum, and each
        /// series' points add up to its total.
        #[test]
        fn folding_loses_nothing(values in proptest::collection::vec((0_i64..6, 0_u8..20, 0_u32..1_000), 0..120)) {
            let points: Vec<ChartPoint> = values
                .iter()
                .map(|(t, s, v)| point(t * 3_600, &format!("s{s}"), "GB", f64::from(*v)))
                .collect();
            let series = series_for(&points, "GB");
            prop_assert!(series.len() <= MAX_SERIES + 1);
            let sum: f64 = points.iter().map(|p| p.value).sum();
            prop_assert_eq!(series.iter().map(|s| s.total).sum::<f64>(), sum);
            for s in &series {
                prop_assert_eq!(s.points.iter().map(|p| p.1).sum::<f64>(), s.total);
                prop_assert!(s.points.windows(2).all(|w| w[0].0 < w[1].0));
            }
        }

        #[test]
        fn ticks_reach_the_maximum(max in 0.0_f64..1e12, n in 1_usize..10) {
            let ticks = nice_ticks(max, n);
            prop_assert!(*ticks.last().unwrap() >= max * 0.9999);
            prop_assert!(ticks.windows(2).all(|w| w[1] > w[0]));
        }
    }
}
