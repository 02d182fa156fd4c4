//! Answers usage queries from the quarter-hour, hourly, six-hour and daily rollups, in any time
//! zone.
//!
//! The rollups hold UTC hours and days, and a zone's buckets rarely line up with them
//! (Berlin's days start at 22:00 or 23:00 UTC, Kolkata's at 18:30). So every bucket is read
//! as a difference of prefix sums: the sum up to an instant `x` is the daily rows up to the UTC
//! midnight nearest `x`, plus or minus the six-hour rows between that midnight and the six
//! hours nearest `x` (00, 06, 12, 18 UTC), the hourly rows from there to the hour nearest `x`,
//! the quarter-hour rows from there to the quarter hour nearest `x`, and the raw records
//! between that and `x`. A bucket `[x0, x1)` is then the
//! daily rows between the two midnights and a few hours and quarters at each edge, added or
//! taken away: exact, since sums of integers are, and every record lands in exactly one
//! bucket whatever the zone's offset. Every zone's boundaries fall on quarter hours, so raw
//! records are read only at a range's own ends. In UTC the edges are empty and a whole-day
//! range reads the daily table only.

use crate::store::sql::{Backend, Conn, Error, Result, Row, Val};
use rustc_hash::FxHashMap as HashMap;
use std::fmt::Write as _;
use usage_api::usage::{
    Channel, DetailLevel, GroupDim, RecordItem, RecordPage, UsageField, UsageItem, UsagePage,
    UsageQuery,
};
use usage_api::zone::Zone;
use usage_api::{Quantity, Timestamp};

use crate::store::rollups::{DAY, HOUR, QUARTER, SIX_HOURS, cell as floor};

/// The multiple of `w` nearest `t`; of two as near, the one on `toward`'s side.
fn nearest(t: i64, w: i64, toward: i64) -> i64 {
    let lo = floor(t, w);
    let hi = lo + w;
    match (t - lo).cmp(&(hi - t)) {
        _ if lo == t => t,
        std::cmp::Ordering::Less => lo,
        std::cmp::Ordering::Greater => hi,
        std::cmp::Ordering::Equal if toward > t => hi,
        std::cmp::Ordering::Equal => lo,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Raw,
    Quarter,
    Hourly,
    SixHours,
    Daily,
}

impl Source {
    fn width(self) -> i64 {
        match self {
            Self::Raw => 1,
            Self::Quarter => QUARTER,
            Self::Hourly => HOUR,
            Self::SixHours => SIX_HOURS,
            Self::Daily => DAY,
        }
    }
    fn tier(self) -> u8 {
        self as u8
    }
    /// The table, and its time, usage and billable columns.
    fn columns(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Self::Raw => (
                "usage_records",
                "usage_time",
                "quantity_milli",
                "accepted_milli",
            ),
            Self::Quarter => ("usage_quarter", "t", "usage_milli", "billable_milli"),
            Self::Hourly => ("usage_hourly", "t", "usage_milli", "billable_milli"),
            Self::SixHours => ("usage_six_hours", "t", "usage_milli", "billable_milli"),
            Self::Daily => ("usage_daily", "t", "usage_milli", "billable_milli"),
        }
    }
}

/// Rows of `src` with times in `[lo, hi)`, added with `sign` to the bucket starting at
/// `bucket` (`None`: each row's own time is its bucket's start, for rollup rows that are
/// buckets themselves), and, for an edge between two buckets, with the second sign to the
/// second bucket: the rows are read once for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seg {
    src: Source,
    lo: i64,
    hi: i64,
    bucket: Option<i64>,
    sign: i64,
    also: Option<(i64, i64)>,
}

/// The pieces that sum `[s, e)` into `zone`'s buckets of `detail`.
fn segments(s: i64, e: i64, zone: Zone, detail: DetailLevel) -> Vec<Seg> {
    let mut bounds = vec![s];
    bounds.extend(zone.starts_between(s, e, detail));
    bounds.push(e);
    let n = bounds.len() - 1;
    let key = |k: usize| match detail {
        DetailLevel::Summarized => 0,
        _ if k == 0 => zone.floor(s, detail),
        _ => bounds[k],
    };
    let top = if detail == DetailLevel::Hour {
        Source::Hourly
    } else {
        Source::Daily
    };
    // Each boundary's path to the coarse grid: boundary → nearest quarter hour → nearest
    // hour → nearest six hours → nearest midnight, each step toward the next.
    let anchors: Vec<(i64, i64, i64, i64)> = bounds
        .iter()
        .map(|&x| {
            let coarse = nearest(x, top.width(), x);
            let (six, hour) = if top == Source::Hourly {
                (coarse, coarse)
            } else {
                let six = nearest(x, SIX_HOURS, coarse);
                (six, nearest(x, HOUR, six))
            };
            (coarse, six, hour, nearest(x, QUARTER, hour))
        })
        .collect();

    let mut out: Vec<Seg> = Vec::new();
    for k in 0..n {
        let (lo, hi) = (anchors[k].0, anchors[k + 1].0);
        if lo >= hi {
            continue;
        }
        // A rollup cell that is the bucket itself: read by its own time, and one piece reads a
        // run of them (a UTC range at day level reads the daily table once).
        let own = lo == bounds[k] && hi == bounds[k + 1] && lo == key(k) && hi - lo == top.width();
        match out.last_mut() {
            Some(last) if own && last.bucket.is_none() && last.hi == lo => last.hi = hi,
            _ => out.push(Seg {
                src: top,
                lo,
                hi,
                bucket: (!own).then(|| key(k)),
                sign: 1,
                also: None,
            }),
        }
    }
    // The edges: the signed stretch from a boundary's coarse anchor to it counts for the
    // bucket that ends there and against the one that starts there.
    for (j, (&x, &(coarse, six, hour, quarter))) in bounds.iter().zip(&anchors).enumerate() {
        let mut edge = |src: Source, from: i64, to: i64| {
            if from == to {
                return;
            }
            let (lo, hi, sign) = if from < to {
                (from, to, 1)
            } else {
                (to, from, -1)
            };
            let (ends, starts) = ((j > 0).then(|| key(j - 1)), (j < n).then(|| key(j)));
            let (first, second) = match (ends, starts) {
                (Some(a), b) => ((a, sign), b.map(|b| (b, -sign))),
                (None, Some(b)) => ((b, -sign), None),
                (None, None) => return,
            };
            out.push(Seg {
                src,
                lo,
                hi,
                bucket: Some(first.0),
                sign: first.1,
                also: second,
            });
        };
        if top == Source::Daily {
            edge(Source::SixHours, coarse, six);
            edge(Source::Hourly, six, hour);
        }
        edge(Source::Quarter, hour, quarter);
        edge(Source::Raw, quarter, x);
    }
    out
}

/// What the rows of one table with times in `[lo, hi)` add to the buckets: their sums times
/// `sign` to each `(bucket start, sign)` of `w`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    lo: i64,
    hi: i64,
    w: Vec<(i64, i64)>,
}

/// One table's share of a query: its pieces, in time order and apart, and the time ranges
/// that hold them (touching pieces joined), which are all that is read of it.
#[derive(Debug)]
struct TableRead {
    src: Source,
    pieces: Vec<Piece>,
    ranges: Vec<(i64, i64)>,
}

/// `segs` netted per table: what each row adds to each bucket, however many segments cover
/// it. An edge's cells are then read once for the two buckets it parts (rather than once per
/// segment and role), and the cells of a zone's days, each its own bucket, in one range
/// (Kolkata's 95 days are one range of the daily table, not 95).
fn table_reads(segs: &[Seg]) -> Vec<TableRead> {
    let mut out = Vec::new();
    for src in [
        Source::Raw,
        Source::Quarter,
        Source::Hourly,
        Source::SixHours,
        Source::Daily,
    ] {
        // (time, bucket, sign): from `time` on, a row counts `sign` more in `bucket`.
        let mut events: Vec<(i64, i64, i64)> = Vec::new();
        let mut add = |lo: i64, hi: i64, bucket: i64, sign: i64| {
            if sign != 0 && lo < hi {
                events.push((lo, bucket, sign));
                events.push((hi, bucket, -sign));
            }
        };
        for g in segs.iter().filter(|g| g.src == src) {
            match g.bucket {
                Some(b) => add(g.lo, g.hi, b, g.sign),
                None => {
                    // Cells that are buckets themselves (never raw seconds, see `segments`).
                    debug_assert_ne!(src, Source::Raw);
                    for c in (g.lo..g.hi).step_by(src.width() as usize) {
                        add(c, c + src.width(), c, g.sign);
                    }
                }
            }
            if let Some((b, sign)) = g.also {
                add(g.lo, g.hi, b, sign);
            }
        }
        events.sort_unstable();
        let mut active: Vec<(i64, i64)> = Vec::new();
        let mut pieces: Vec<Piece> = Vec::new();
        let mut i = 0;
        while i < events.len() {
            let at = events[i].0;
            while let Some(&(_, b, sign)) = events.get(i).filter(|e| e.0 == at) {
                match active.binary_search_by_key(&b, |&(k, _)| k) {
                    Ok(j) => {
                        active[j].1 += sign;
                        if active[j].1 == 0 {
                            active.remove(j);
                        }
                    }
                    Err(j) => active.insert(j, (b, sign)),
                }
                i += 1;
            }
            let Some(&(next, ..)) = events.get(i) else {
                break;
            };
            if active.is_empty() {
                continue;
            }
            match pieces.last_mut() {
                Some(p) if p.hi == at && p.w == active => p.hi = next,
                _ => pieces.push(Piece {
                    lo: at,
                    hi: next,
                    w: active.clone(),
                }),
            }
        }
        let mut ranges: Vec<(i64, i64)> = Vec::new();
        for p in &pieces {
            match ranges.last_mut() {
                Some(r) if r.1 == p.lo => r.1 = p.hi,
                _ => ranges.push((p.lo, p.hi)),
            }
        }
        if !pieces.is_empty() {
            out.push(TableRead {
                src,
                pieces,
                ranges,
            });
        }
    }
    out
}

impl TableRead {
    /// The piece that holds time `t`.
    fn piece(&self, t: i64) -> Option<&Piece> {
        let i = self.pieces.partition_point(|p| p.hi <= t);
        self.pieces.get(i).filter(|p| p.lo <= t)
    }

    /// The ranges as one parameter, `[[lo,hi],…]`: the statement's text stays the same
    /// whatever the range and zone, so each connection prepares it once (a 95-day Kolkata
    /// query spelled its pieces out, and SQLite spent milliseconds preparing each request).
    fn ranges_json(&self) -> String {
        let mut json = String::from("[");
        for (i, (lo, hi)) in self.ranges.iter().enumerate() {
            let _ = write!(json, "{}[{lo},{hi}]", if i == 0 { "" } else { "," });
        }
        json.push(']');
        json
    }
}

fn dim_column(g: GroupDim) -> Option<&'static str> {
    match g {
        GroupDim::AppId => Some("app_id"),
        GroupDim::BillingTag => Some("billing_tag"),
        GroupDim::Project => Some("project_hrn"),
        GroupDim::Resource => Some("resource"),
        // A subscription attribute: grouping by subscription already splits by it.
        GroupDim::UsageTypeCode => None,
    }
}

/// A usage query, ready to run.
struct Plan<'a> {
    sql: String,
    params: Vec<Val<'a>>,
}

/// `q`'s filters as SQL: `subs` selects the ids of the realms' subscriptions that pass the
/// subscription filters, `dims` (` AND x.… = ?` clauses) the rows of table `x` that pass the
/// dimension filters.
struct Filter<'a> {
    subs: String,
    sub_params: Vec<Val<'a>>,
    dims: String,
    dim_params: Vec<Val<'a>>,
}

/// `SELECT {columns} FROM subscriptions` of the realms that pass `q`'s subscription filters.
fn subscriptions<'a>(
    columns: &str,
    realms: &'a [String],
    q: &'a UsageQuery,
) -> (String, Vec<Val<'a>>) {
    let marks = vec!["?"; realms.len()].join(",");
    let mut params: Vec<Val<'a>> = realms.iter().map(Val::from).collect();
    let mut sql = format!("SELECT {columns} FROM subscriptions WHERE realm_id IN ({marks})");
    for (col, v) in [
        ("feature_id", &q.filters.feature_id),
        ("category", &q.filters.category),
        (
            "billing_subscription_id",
            &q.filters.billing_subscription_id,
        ),
    ] {
        if let Some(v) = v {
            let _ = write!(sql, " AND {col} = ?");
            params.push(Val::from(v));
        }
    }
    (sql, params)
}

fn filter<'a>(realms: &'a [String], q: &'a UsageQuery) -> Filter<'a> {
    let (subs, sub_params) = subscriptions("id", realms, q);
    let mut dims = String::new();
    let mut dim_params = Vec::new();
    for (col, v) in [
        ("app_id", q.filters.app_id.as_deref()),
        ("project_hrn", q.filters.project_hrn.as_deref()),
        ("billing_tag", q.filters.billing_tag.as_deref()),
        ("channel_id", q.filters.channel_id.map(|c| c.as_str())),
    ] {
        if let Some(v) = v {
            let _ = write!(dims, " AND x.{col} = ?");
            dim_params.push(Val::Text(v));
        }
    }
    Filter {
        subs,
        sub_params,
        dims,
        dim_params,
    }
}

/// The rows of `q`'s range, already in their buckets and signed: a `WITH seg` clause of the
/// pieces and one `SELECT` per table joined by `UNION ALL`, with columns
/// `bucket, sub_id, <the grouped dimension columns>, u, b`.
struct TierUnion<'a> {
    with: String,
    union: String,
    params: Vec<Val<'a>>,
}

fn tier_union<'a>(realms: &'a [String], q: &'a UsageQuery, dim_cols: &[&str]) -> TierUnion<'a> {
    let zone = Zone::from(&q.time_zone);
    let (s, e) = (zone.instant_of(q.start), zone.instant_of(q.end));
    let segs = segments(s, e, zone, q.detail);

    let Filter {
        subs: sub_filter,
        sub_params,
        dims: dim_filter,
        dim_params,
    } = filter(realms, q);

    // The pieces as literals: they are computed here, never taken from the request, and a
    // 95-day range at hour level has thousands of them, past any placeholder limit.
    let mut with =
        String::from("WITH seg (tier, lo, hi, bucket, sign, bucket2, sign2) AS (VALUES ");
    let null = || "CAST(NULL AS BIGINT)".to_owned();
    for (i, g) in segs.iter().enumerate() {
        let bucket = g.bucket.map_or_else(null, |b| b.to_string());
        let (bucket2, sign2) = g
            .also
            .map_or_else(|| (null(), 0), |(b, s)| (b.to_string(), s));
        let _ = write!(
            with,
            "{}({}, {}, {}, {bucket}, {}, {bucket2}, {sign2})",
            if i == 0 { "" } else { ", " },
            g.src.tier(),
            g.lo,
            g.hi,
            g.sign
        );
    }
    with.push_str(") ");

    let select_dims: String = dim_cols.iter().map(|c| format!(", x.{c}")).collect();
    let mut parts = Vec::new();
    let mut params = Vec::new();
    for src in [
        Source::Raw,
        Source::Quarter,
        Source::Hourly,
        Source::SixHours,
        Source::Daily,
    ] {
        if !segs.iter().any(|g| g.src == src) {
            continue;
        }
        let (table, time, u, bv) = src.columns();
        // Each table repeats the subscription subquery so SQLite plans `sub_id IN (…)`
        // against that table's primary key; `CROSS JOIN` keeps the few pieces outermost.
        params.extend(sub_params.iter().copied());
        params.extend(dim_params.iter().copied());
        // An edge's rows count for two buckets: read once, then taken twice (`r`).
        let twice = segs.iter().any(|g| g.src == src && g.also.is_some());
        let (bucket, sign, roles, role_filter) = if twice {
            (
                format!(
                    "CASE WHEN r.n = 1 THEN COALESCE(seg.bucket, x.{time}) ELSE seg.bucket2 END"
                ),
                "(CASE WHEN r.n = 1 THEN seg.sign ELSE seg.sign2 END)",
                " CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2 AS n) AS r",
                " AND (r.n = 1 OR seg.sign2 <> 0)",
            )
        } else {
            (
                format!("COALESCE(seg.bucket, x.{time})"),
                "seg.sign",
                "",
                "",
            )
        };
        parts.push(format!(
            "SELECT {bucket} AS bucket, x.sub_id AS sub_id{select_dims},
                    {sign} * x.{u} AS u, {sign} * x.{bv} AS b
             FROM seg CROSS JOIN {table} AS x{roles}
             WHERE seg.tier = {tier} AND x.sub_id IN ({sub_filter})
               AND x.{time} >= seg.lo AND x.{time} < seg.hi{dim_filter}{role_filter}",
            tier = src.tier()
        ));
    }
    TierUnion {
        with,
        union: parts.join(" UNION ALL "),
        params,
    }
}

/// One statement reading every range of `reads`, one `SELECT` per table joined by
/// `UNION ALL`, with columns `read, time, sub_id, <the grouped dimension columns>, u, b`
/// (`read` is the row's index in `reads`); `json` holds each read's ranges, as
/// [`TableRead::ranges_json`] gives them.
fn reads_sql<'a>(
    backend: Backend,
    reads: &[TableRead],
    json: &'a [String],
    f: &Filter<'a>,
    dim_cols: &[&str],
) -> (String, Vec<Val<'a>>) {
    // The ranges, one row each, as `r` with bounds `lo` and `hi`: the two databases read a
    // JSON array with functions of their own.
    let (ranges, lo, hi) = match backend {
        Backend::Sqlite => ("json_each(?) AS r", "r.value ->> 0", "r.value ->> 1"),
        Backend::Postgres => (
            "jsonb_array_elements(CAST(CAST(? AS TEXT) AS JSONB)) AS r (v)",
            "CAST(r.v ->> 0 AS BIGINT)",
            "CAST(r.v ->> 1 AS BIGINT)",
        ),
    };
    let select_dims: String = dim_cols.iter().map(|c| format!(", x.{c}")).collect();
    let mut parts = Vec::new();
    let mut params = Vec::new();
    for (i, (read, json)) in reads.iter().zip(json).enumerate() {
        let (table, time, u, b) = read.src.columns();
        params.push(Val::Text(json));
        params.extend(f.sub_params.iter().copied());
        params.extend(f.dim_params.iter().copied());
        let rows = format!(
            "{table} AS x WHERE x.sub_id IN ({subs}) AND x.{time} >= {lo} AND x.{time} < {hi}{dims}",
            subs = f.subs,
            dims = f.dims,
        );
        // The few ranges outermost, each an index range of the table's primary key for every
        // subscription. SQLite's planner does so with `CROSS JOIN`. PostgreSQL's cannot see
        // how narrow a range read from JSON is, and hash-joins a scan of the whole table
        // instead: there the table is read in a subquery run once for each range (`OFFSET 0`
        // keeps it from being merged into a join).
        let from = match backend {
            Backend::Sqlite => format!("{ranges} CROSS JOIN {rows}"),
            Backend::Postgres => {
                format!("{ranges} CROSS JOIN LATERAL (SELECT x.* FROM {rows} OFFSET 0) AS x")
            }
        };
        parts.push(format!(
            "SELECT {i} AS read, x.{time} AS time, x.sub_id AS sub_id{select_dims}, x.{u} AS u, x.{b} AS b
             FROM {from}"
        ));
    }
    (parts.join(" UNION ALL "), params)
}

/// Builds the SQL for `q` over `realms` (more than one for a partner's report): every result
/// record in order, summed by the database, for results too large to sum in memory. Its
/// columns are `bucket, sub_id, usage, billable, <the grouped dimension columns>`; the
/// subscriptions' attributes are read once, apart ([`for_each`]), not carried on each row.
fn plan<'a>(realms: &'a [String], q: &'a UsageQuery) -> Plan<'a> {
    let dim_cols: Vec<&str> = q.group_by.iter().filter_map(|g| dim_column(*g)).collect();
    let TierUnion {
        with,
        union,
        params,
    } = tier_union(realms, q, &dim_cols);
    let dims: String = dim_cols.iter().map(|c| format!(", tiers.{c}")).collect();
    // The contract's order is bucket, billing subscription id, then the grouped values in the
    // groupBy's order. The billing subscription id is unique: the subscription's category,
    // name and usage type code, which the contract orders by next, never decide. Grouped by
    // the same keys as it is ordered (the subscription's row id last, which never decides
    // either), the rows come out of the grouping in order: one sort of a million rows, not
    // two (SQLite spent 2.2 s on a 1,000,000-record report with two, 1.3 s with one), and
    // each row sorted carries two integers and the grouped values, never the subscription's
    // texts.
    // A group the edges took back to nothing had no record in the bucket: every record's
    // requested quantity is positive (section 4), so a real group's usage sum never is zero.
    let keys = format!("tiers.bucket, s.billing_subscription_id{dims}, s.id");
    let sql = format!(
        "{with}SELECT tiers.bucket, s.id, CAST(SUM(tiers.u) AS BIGINT), CAST(SUM(tiers.b) AS BIGINT){dims}
         FROM ({union}) AS tiers JOIN subscriptions s ON s.id = tiers.sub_id
         GROUP BY {keys} HAVING SUM(tiers.u) <> 0
         ORDER BY {keys}"
    );
    Plan { sql, params }
}

/// Builds one result record from its parts, keeping only `q`'s fields. `text(i)` is the
/// subscription's attribute `i`, numbered as the plan's columns: 1 realm, 2 feature,
/// 3 billing subscription, 4 charge number, 5 category, 6 name, 7 value driver, 8 usage type
/// code. `dim(c)` is the grouped value in the `c`-th dimension with a column of its own.
fn build_item<E>(
    q: &UsageQuery,
    zone: Zone,
    bucket: i64,
    (uv, bv): (i64, i64),
    text: impl Fn(usize) -> Result<String, E>,
    mut dim: impl FnMut(usize) -> Result<String, E>,
) -> Result<UsageItem, E> {
    let keep = |f: UsageField| q.fields.as_ref().is_none_or(|fs| fs.contains(&f));
    let kept = |i: usize, f: UsageField| -> Result<Option<String>, E> {
        Ok(if keep(f) { Some(text(i)?) } else { None })
    };
    let mut item = UsageItem {
        realm_id: kept(1, UsageField::RealmId)?,
        feature_id: kept(2, UsageField::FeatureId)?,
        billing_subscription_id: kept(3, UsageField::BillingSubscriptionId)?,
        billing_charge_number: kept(4, UsageField::BillingChargeNumber)?,
        category: kept(5, UsageField::Category)?,
        name: kept(6, UsageField::Name)?,
        value_driver: kept(7, UsageField::ValueDriver)?,
        usage_value: keep(UsageField::UsageValue).then_some(Quantity(uv)),
        billable_value: keep(UsageField::BillableValue).then_some(Quantity(bv)),
        ..UsageItem::default()
    };
    let mut col = 0;
    for &g in &q.group_by {
        let value = match dim_column(g) {
            Some(_) => {
                col += 1;
                dim(col - 1)?
            }
            None => text(8)?,
        };
        match g {
            GroupDim::AppId => item.app_id = Some(value),
            GroupDim::BillingTag => item.billing_tag = Some(value),
            GroupDim::Project => item.project_hrn = Some(value),
            GroupDim::UsageTypeCode => item.usage_type_code = Some(value),
            GroupDim::Resource if keep(UsageField::Resource) => item.resource = Some(value),
            GroupDim::Resource => {}
        }
    }
    if q.detail != DetailLevel::Summarized {
        item.usage_date_time = zone.stamp(bucket);
    }
    Ok(item)
}

/// A subscription's attributes, in `build_item`'s numbering less one.
pub type SubAttrs = [String; 8];

/// Grouped values as small numbers, so that summing compares integers and a value is copied
/// once however many rows carry it.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_owned());
        self.ids.insert(s.to_owned(), i);
        i
    }
}

/// The grouped dimensions with a column: at most app, billing tag, project and resource.
const DIM_COLS_MAX: usize = 4;

/// A result record's key: time bucket, subscription and grouped values.
type GroupKey = (i64, i64, [u32; DIM_COLS_MAX]);

/// Every result record of a query, summed and ordered in memory: for the results of a page
/// (which needs the total anyway) and the CSV (at most 20,000 records). Ordered exactly as
/// `for_each` orders, so a page, its CSV and its report agree.
pub struct Summed {
    subs: HashMap<i64, SubAttrs>,
    names: Vec<String>,
    groups: Vec<(GroupKey, (i64, i64))>,
}

/// The attributes of the realms' subscriptions that pass `q`'s subscription filters, by id.
fn subscription_attrs(
    db: &mut Conn<'_>,
    realms: &[String],
    q: &UsageQuery,
) -> Result<HashMap<i64, SubAttrs>> {
    let (sql, params) = subscriptions(
        "id, realm_id, feature_id, billing_subscription_id, billing_charge_number,
         category, name, value_driver, usage_type_code",
        realms,
        q,
    );
    let mut subs = HashMap::default();
    db.each(&sql, &params, |r| {
        let attrs: SubAttrs = [
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
        ];
        subs.insert(r.get::<i64>(0)?, attrs);
        Ok(())
    })?;
    Ok(subs)
}

/// Sums every result record of `q` over `realms`, in one read of the rollups.
pub fn sum_all(db: &mut Conn<'_>, realms: &[String], q: &UsageQuery) -> Result<Summed> {
    let dim_cols: Vec<&str> = q.group_by.iter().filter_map(|g| dim_column(*g)).collect();
    debug_assert!(dim_cols.len() <= DIM_COLS_MAX);

    let subs = subscription_attrs(db, realms, q)?;

    let zone = Zone::from(&q.time_zone);
    let (s, e) = (zone.instant_of(q.start), zone.instant_of(q.end));
    let reads = table_reads(&segments(s, e, zone, q.detail));
    let json: Vec<String> = reads.iter().map(TableRead::ranges_json).collect();
    let f = filter(realms, q);
    let (sql, params) = reads_sql(db.backend(), &reads, &json, &f, &dim_cols);
    let mut interner = Interner::default();
    let mut sums: HashMap<GroupKey, (i64, i64)> = HashMap::default();
    let (u_col, b_col) = (3 + dim_cols.len(), 4 + dim_cols.len());
    // A range with no instant in it (a start in a gap that ends where the range ends) reads
    // nothing, and an empty statement is one the databases refuse.
    let rows = if reads.is_empty() {
        Ok(())
    } else {
        db.each(&sql, &params, |r| {
            let t: i64 = r.get(1)?;
            let piece = usize::try_from(r.get::<i64>(0)?)
                .ok()
                .and_then(|i| reads.get(i))
                .and_then(|read| read.piece(t));
            // Every row read lies in a range, and every range is made of pieces.
            debug_assert!(piece.is_some(), "a row at {t} outside the pieces read");
            let Some(piece) = piece else {
                return Ok(());
            };
            let mut dims = [0; DIM_COLS_MAX];
            for (c, slot) in dims.iter_mut().enumerate().take(dim_cols.len()) {
                *slot = r.with_str(3 + c, |s| interner.id(s))?;
            }
            let sub: i64 = r.get(2)?;
            let (u, b): (i64, i64) = (r.get(u_col)?, r.get(b_col)?);
            for &(bucket, sign) in &piece.w {
                let sum = sums.entry((bucket, sub, dims)).or_default();
                // The section 6 caps keep every group's sum in range; the databases' SUM fails the
                // same way.
                let add = |sum: i64, v: i64| sign.checked_mul(v).and_then(|v| sum.checked_add(v));
                sum.0 = add(sum.0, u).ok_or(Error::Overflow)?;
                sum.1 = add(sum.1, b).ok_or(Error::Overflow)?;
            }
            Ok(())
        })
    };
    rows?;

    // See `plan`: a group whose usage sums to zero has no record in its bucket.
    sums.retain(|_, (u, _)| *u != 0);
    let names = interner.names;
    // The SQL plan's order: bucket, billing subscription id (unique, so category, name and
    // usage type code, which come with the subscription, never decide), then the grouped
    // values in the groupBy's order, all as byte strings. Ranked once, sorted as integers.
    let mut by_id: Vec<(&String, i64)> = subs.iter().map(|(id, a)| (&a[2], *id)).collect();
    by_id.sort_unstable();
    let sub_rank: HashMap<i64, u32> = by_id
        .iter()
        .enumerate()
        .map(|(rank, (_, id))| (*id, rank as u32))
        .collect();
    let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
    by_name.sort_unstable_by(|a, b| names[*a as usize].cmp(&names[*b as usize]));
    let mut name_rank = vec![0_u32; names.len()];
    for (rank, n) in by_name.into_iter().enumerate() {
        name_rank[n as usize] = rank as u32;
    }
    let mut ranked: Vec<_> = sums
        .into_iter()
        .filter_map(|(key, v)| {
            let (bucket, sub, dims) = key;
            let rank = *sub_rank.get(&sub)?;
            let dims_rank = std::array::from_fn::<u32, DIM_COLS_MAX, _>(|c| {
                if c < dim_cols.len() {
                    name_rank[dims[c] as usize]
                } else {
                    0
                }
            });
            Some(((bucket, rank, dims_rank), (key, v)))
        })
        .collect();
    ranked.sort_unstable_by_key(|(order, _)| *order);
    let groups = ranked.into_iter().map(|(_, g)| g).collect();
    Ok(Summed {
        subs,
        names,
        groups,
    })
}

impl Summed {
    /// The number of result records.
    pub fn len(&self) -> u64 {
        self.groups.len() as u64
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The records from the `from`th on, in order, keeping `q`'s fields (`q` is the query summed).
    pub fn items<'a>(
        &'a self,
        q: &'a UsageQuery,
        from: u64,
    ) -> impl Iterator<Item = UsageItem> + 'a {
        let from = usize::try_from(from).unwrap_or(usize::MAX);
        let zone = Zone::from(&q.time_zone);
        self.groups
            .iter()
            .skip(from)
            .map(move |((bucket, sub, dims), sums)| {
                let attrs = &self.subs[sub];
                build_item::<std::convert::Infallible>(
                    q,
                    zone,
                    *bucket,
                    *sums,
                    |i| Ok(attrs[i - 1].clone()),
                    |c| Ok(self.names[dims[c] as usize].clone()),
                )
                .unwrap_or_else(|never| match never {})
            })
    }
}

/// One page of a usage query.
pub fn page(db: &mut Conn<'_>, realm: &str, q: &UsageQuery) -> Result<UsagePage> {
    // Read inside the caller's transaction, whose snapshot is at least this recent.
    let as_of = Timestamp::from_datetime(chrono::Utc::now());
    let all = sum_all(db, &[realm.to_owned()], q)?;
    let total = all.len();
    let items = all
        .items(q, u64::from(q.offset) * u64::from(q.limit))
        .take(q.limit as usize)
        .collect();
    let last_offset = UsagePage::last_offset_for(total, q.limit);
    Ok(UsagePage {
        total,
        limit: q.limit,
        offset: q.offset,
        items,
        next_offset: (q.offset < last_offset).then(|| q.offset + 1),
        last_offset,
        as_of: Some(as_of),
    })
}

/// A page of the raw records behind `q`'s figures (section 9), newest first: over all pages
/// their requested quantities sum to the page's `usageValue`, their accepted ones to its
/// `billableValue`.
pub fn records_page(db: &mut Conn<'_>, realm: &str, q: &UsageQuery) -> Result<RecordPage> {
    let as_of = Timestamp::from_datetime(chrono::Utc::now());
    let realms = [realm.to_owned()];
    let zone = Zone::from(&q.time_zone);
    let (s, e) = (zone.instant_of(q.start), zone.instant_of(q.end));
    let f = filter(&realms, q);
    let mut params = f.sub_params.clone();
    params.extend([Val::Int(s), Val::Int(e)]);
    params.extend(f.dim_params.iter().copied());
    let matching = format!(
        "FROM usage_records x JOIN subscriptions s ON s.id = x.sub_id
         WHERE x.sub_id IN ({}) AND x.usage_time >= ? AND x.usage_time < ?{}",
        f.subs, f.dims
    );
    let total: i64 = db.one(&format!("SELECT COUNT(*) {matching}"), &params, |r| {
        r.get(0)
    })?;
    let total = u64::try_from(total).unwrap_or(0);
    let skip = i64::from(q.offset) * i64::from(q.limit);
    params.extend([Val::Int(i64::from(q.limit)), Val::Int(skip)]);
    let items = db.all(
        &format!(
            "SELECT x.id, x.client_id, s.billing_subscription_id, s.feature_id, s.name, s.value_driver,
                    x.usage_time, x.accepted_milli, x.quantity_milli, x.app_id, x.project_hrn,
                    x.billing_tag, x.resource, x.channel_id, x.created_time
             {matching} ORDER BY x.usage_time DESC, x.id DESC LIMIT ? OFFSET ?"
        ),
        &params,
        |r| {
            let opt = |i: usize| -> Result<Option<String>> {
                Ok(Some(r.get::<String>(i)?).filter(|v| !v.is_empty()))
            };
            let ts = |i: usize| -> Result<Timestamp> {
                Timestamp::from_unix(r.get(i)?).ok_or(Error::Overflow)
            };
            Ok(RecordItem {
                id: crate::store::records::public_id(r.get(0)?, r.get(1)?),
                billing_subscription_id: r.get(2)?,
                feature_id: r.get(3)?,
                name: r.get(4)?,
                value_driver: r.get(5)?,
                usage_time: ts(6)?,
                quantity: Quantity(r.get(7)?),
                requested_quantity: Quantity(r.get(8)?),
                app_id: opt(9)?,
                project_hrn: opt(10)?,
                billing_tag: opt(11)?,
                resource: opt(12)?,
                channel_id: opt(13)?.and_then(|c| Channel::parse(&c)),
                created_time: ts(14)?,
            })
        },
    )?;
    let last_offset = UsagePage::last_offset_for(total, q.limit);
    Ok(RecordPage {
        total,
        limit: q.limit,
        offset: q.offset,
        items,
        next_offset: (q.offset < last_offset).then(|| q.offset + 1),
        last_offset,
        as_of,
    })
}

/// One result record of [`for_each_lent`], lent as the database gives it: nothing of it is
/// copied (a report writes a million of them).
pub struct Lent<'r> {
    /// The bucket's start (an instant; 0 when summarized).
    pub bucket: i64,
    /// The usage and billable sums.
    pub sums: (i64, i64),
    /// The subscription's id.
    pub sub_id: i64,
    /// The subscription's attributes.
    pub attrs: &'r SubAttrs,
    row: &'r Row<'r>,
}

impl Lent<'_> {
    /// The value of the `c`-th grouped dimension with a column of its own.
    pub fn dim(&self, c: usize) -> Result<&str> {
        self.row.str(4 + c)
    }

    /// The text of `col` as [`build_item`] would set it, `None` for a column it leaves out
    /// (the quantities and the bucket's start are [`Lent`]'s own fields).
    pub fn text(&self, q: &UsageQuery, col: usage_api::usage::Column) -> Result<Option<&str>> {
        use usage_api::usage::Column;
        let keep = |f: UsageField| q.fields.as_ref().is_none_or(|fs| fs.contains(&f));
        let attr = |i: usize, f: UsageField| keep(f).then(|| self.attrs[i - 1].as_str());
        Ok(match col {
            Column::Field(f) => match f {
                UsageField::RealmId => attr(1, f),
                UsageField::FeatureId => attr(2, f),
                UsageField::BillingSubscriptionId => attr(3, f),
                UsageField::BillingChargeNumber => attr(4, f),
                UsageField::Category => attr(5, f),
                UsageField::Name => attr(6, f),
                UsageField::ValueDriver => attr(7, f),
                UsageField::Resource => match self.group(q, GroupDim::Resource)? {
                    Some(v) if keep(UsageField::Resource) => Some(v),
                    _ => None,
                },
                UsageField::UsageValue | UsageField::BillableValue => None,
            },
            Column::Group(GroupDim::Resource) if !keep(UsageField::Resource) => None,
            Column::Group(g) => self.group(q, g)?,
            Column::UsageDateTime => None,
        })
    }

    /// The grouped value of `g`, if `q` groups by it.
    fn group(&self, q: &UsageQuery, g: GroupDim) -> Result<Option<&str>> {
        let mut col = 0;
        for &h in &q.group_by {
            let has_column = dim_column(h).is_some();
            if h == g {
                return Ok(Some(if has_column {
                    self.dim(col)?
                } else {
                    self.attrs[7].as_str()
                }));
            }
            col += usize::from(has_column);
        }
        Ok(None)
    }
}

/// Every record of `q` in order, lent to `each` one at a time, summed by the database as they
/// are read (for reports, which may hold a million records). `each` returns false to stop
/// early.
pub fn for_each_lent(
    db: &mut Conn<'_>,
    realms: &[String],
    q: &UsageQuery,
    mut each: impl FnMut(&Lent<'_>) -> Result<bool>,
) -> Result<()> {
    // The subscriptions and the rows in one snapshot (on PostgreSQL a read transaction is
    // one only when it says so), so every row's subscription is among those read.
    db.transaction(crate::store::sql::TxKind::Read, |db| {
        if db.backend() == Backend::Postgres {
            db.batch("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        let subs = subscription_attrs(db, realms, q)?;
        let plan = plan(realms, q);
        let mut stopped = false;
        let read = db.each(&plan.sql, &plan.params, |row| {
            let sub_id: i64 = row.get(1)?;
            // Every row's subscription passed the same filters, in the same snapshot.
            let Some(attrs) = subs.get(&sub_id) else {
                return Err(Error::NoRow);
            };
            let lent = Lent {
                bucket: row.get(0)?,
                sums: (row.get(2)?, row.get(3)?),
                sub_id,
                attrs,
                row,
            };
            if each(&lent)? {
                Ok(())
            } else {
                stopped = true;
                Err(Error::Stopped)
            }
        });
        match read {
            Err(Error::Stopped) if stopped => Ok(()),
            other => other,
        }
    })
}

/// Every record of `q` in order, handed to `each` one at a time (see [`for_each_lent`]).
/// `each` returns false to stop early.
pub fn for_each(
    db: &mut Conn<'_>,
    realms: &[String],
    q: &UsageQuery,
    mut each: impl FnMut(UsageItem) -> bool,
) -> Result<()> {
    let zone = Zone::from(&q.time_zone);
    for_each_lent(db, realms, q, |r| {
        let item = build_item(
            q,
            zone,
            r.bucket,
            r.sums,
            |i| Ok(r.attrs[i - 1].clone()),
            |c| r.dim(c).map(str::to_owned),
        )?;
        Ok(each(item))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use usage_api::usage::QueryKind;

    /// A page and the CSV are summed in memory, a report by SQLite: the two must give the same
    /// records in the same order for every shape of query, or a report would disagree with the
    /// page it was made from.
    #[test]
    fn sums_in_memory_match_the_sql_plan() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::open(&dir.path().join("usage.db")).unwrap();
        let until = usage_test_clock::midnight(usage_test_clock::now().date());
        crate::demo::load(
            &pool,
            &crate::demo::DemoOptions {
                records: 20_000,
                until,
                seed: 7,
            },
        )
        .unwrap();
        let mut pooled = pool.get().unwrap();
        let mut db = pooled.conn();
        let realms = [crate::demo::PARTNER.to_owned()];
        // Ranges with partial hours at both ends (raw, hourly and daily tiers), whole days,
        // and one across a month boundary.
        let day = chrono::TimeDelta::days(1);
        let ranges = [
            (
                until - day * 40 + chrono::TimeDelta::minutes(17),
                until - day * 3 - chrono::TimeDelta::seconds(41),
            ),
            (until - day * 90, until),
            (
                until - chrono::TimeDelta::hours(5),
                until - chrono::TimeDelta::minutes(30),
            ),
        ];
        let views = [
            "",
            "&detailLevel=hour",
            "&detailLevel=day&groupBy=appId",
            "&detailLevel=month&groupBy=billingTag,project",
            "&groupBy=resource,usageTypeCode,appId",
            "&detailLevel=day&groupBy=appId&usageFields=name,usageValue",
            "&detailLevel=day&channelId=cold&groupBy=billingTag",
            "&groupBy=usageTypeCode&category=Compute",
            "&detailLevel=day&timeZone=Asia/Kolkata&groupBy=appId",
            "&detailLevel=hour&timeZone=America/St_Johns",
            "&detailLevel=month&timeZone=America/Los_Angeles",
            "&timeZone=Europe/Berlin&groupBy=billingTag",
        ];
        let mut compared = 0;
        for (from, to) in ranges {
            for view in views {
                let raw = format!("{}{view}", usage_test_clock::range(from, to));
                let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).unwrap();
                let q = UsageQuery::from_pairs(
                    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                    QueryKind::Csv,
                )
                .unwrap_or_else(|e| panic!("{raw}: {e:?}"));
                let in_memory: Vec<UsageItem> = sum_all(&mut db, &realms, &q)
                    .unwrap()
                    .items(&q, 0)
                    .collect();
                let mut by_sql = Vec::new();
                for_each(&mut db, &realms, &q, |item| {
                    by_sql.push(item);
                    true
                })
                .unwrap();
                assert_eq!(in_memory, by_sql, "{raw}");
                // And a report's rows, written as they are lent, are the CSV's.
                let mut csv = crate::csv_out::CsvRows::new(q.columns());
                for item in &in_memory {
                    csv.push(item);
                }
                let mut lent = crate::csv_out::CsvRows::new(q.columns());
                let zone = Zone::from(&q.time_zone);
                for_each_lent(&mut db, &realms, &q, |r| {
                    lent.push_lent(&q, zone, r)?;
                    Ok(true)
                })
                .unwrap();
                assert!(
                    lent.take() == csv.take(),
                    "{raw}: the lent rows' CSV differs"
                );
                compared += in_memory.len();
            }
        }
        assert!(compared > 1_000, "too few records compared: {compared}");
    }

    fn ts(s: &str) -> i64 {
        Timestamp::parse(s).unwrap().unix()
    }

    fn zone(name: &str) -> Zone {
        Zone::from(&usage_api::TimeZone::parse(name).unwrap())
    }

    /// What the pieces add to each bucket for one record at `t`: a piece counts it when the
    /// row of its table that holds `t` lies in the piece.
    fn weights(segs: &[Seg], t: i64) -> HashMap<Option<i64>, i64> {
        let mut w: HashMap<Option<i64>, i64> = HashMap::default();
        for g in segs {
            let cell = floor(t, g.src.width());
            if g.lo <= cell && cell < g.hi {
                *w.entry(g.bucket.or(Some(cell))).or_default() += g.sign;
                if let Some((b, s)) = g.also {
                    *w.entry(Some(b)).or_default() += s;
                }
            }
        }
        w.retain(|_, v| *v != 0);
        w
    }

    /// The same for the reads a page sums: the piece that holds the row of `t`'s cell (a
    /// rollup row's time is its cell's start) and only it counts, and the row is read at
    /// all exactly when a piece holds it.
    fn read_weights(reads: &[TableRead], t: i64) -> HashMap<Option<i64>, i64> {
        let mut w: HashMap<Option<i64>, i64> = HashMap::default();
        for r in reads {
            let cell = floor(t, r.src.width());
            let piece = r.piece(cell);
            let read = r.ranges.iter().any(|&(lo, hi)| lo <= cell && cell < hi);
            assert_eq!(read, piece.is_some(), "{t} in {:?}: {r:?}", r.src);
            for &(b, sign) in piece.map_or(&[][..], |p| &p.w) {
                *w.entry(Some(b)).or_default() += sign;
            }
        }
        w.retain(|_, v| *v != 0);
        w
    }

    /// Every instant of `[s, e)` counts once, in the zone's bucket that holds it, and no
    /// instant outside counts at all, whatever the zone, range and detail: in the segments
    /// and in the reads made of them.
    fn assert_exact(
        z: Zone,
        s: i64,
        e: i64,
        detail: DetailLevel,
        probes: impl Iterator<Item = i64>,
    ) {
        let segs = segments(s, e, z, detail);
        let reads = table_reads(&segs);
        for r in &reads {
            let width = r.src.width();
            assert!(
                r.pieces.windows(2).all(|p| p[0].hi <= p[1].lo),
                "{:?} pieces overlap",
                r.src
            );
            assert!(
                r.pieces
                    .iter()
                    .all(|p| p.lo % width == 0 && p.hi % width == 0 && !p.w.is_empty()),
                "{:?}: {:?}",
                r.src,
                r.pieces
            );
        }
        for t in probes {
            for w in [weights(&segs, t), read_weights(&reads, t)] {
                if (s..e).contains(&t) {
                    let want = match detail {
                        DetailLevel::Summarized => 0,
                        _ => z.floor(t, detail),
                    };
                    assert_eq!(w.len(), 1, "{t} in [{s}, {e}) {detail:?}: {w:?}");
                    assert_eq!(w.get(&Some(want)), Some(&1), "{t} {detail:?}: {w:?}");
                } else {
                    assert!(w.is_empty(), "{t} outside [{s}, {e}) counted: {w:?}");
                }
            }
        }
    }

    #[test]
    fn kolkata_days_read_each_edge_once_and_the_days_in_one_range() {
        let z = zone("Asia/Kolkata");
        let (s, e) = (ts("2026-01-31T18:30:00"), ts("2026-05-06T18:30:00"));
        let reads = table_reads(&segments(s, e, z, DetailLevel::Day));
        let read = |src: Source| reads.iter().find(|r| r.src == src).unwrap();
        assert!(
            reads
                .iter()
                .all(|r| matches!(r.src, Source::Daily | Source::SixHours | Source::Quarter))
        );
        // 95 days, each its own bucket, in one range of the daily table.
        assert_eq!(read(Source::Daily).ranges, [(s + 19_800, e + 19_800)]);
        assert_eq!(read(Source::Daily).pieces.len(), 95);
        // 96 boundaries: one six-hour cell and two quarters each, read once for both days.
        for (src, cells) in [(Source::SixHours, 1), (Source::Quarter, 2)] {
            let r = read(src);
            assert_eq!(r.ranges.len(), 96, "{src:?}");
            assert!(
                r.pieces
                    .iter()
                    .all(|p| p.hi - p.lo == cells * src.width() && p.w.len() <= 2),
                "{src:?}: {:?}",
                r.pieces
            );
        }
        assert_exact(
            z,
            s,
            e,
            DetailLevel::Day,
            (s - 7_200..e + 7_200).step_by(450),
        );
    }

    #[test]
    fn utc_days_read_the_daily_table_once() {
        let (s, e) = (ts("2026-01-01"), ts("2026-02-01"));
        assert_eq!(
            segments(s, e, Zone::UTC, DetailLevel::Day),
            [Seg {
                src: Source::Daily,
                lo: s,
                hi: e,
                bucket: None,
                sign: 1,
                also: None
            }]
        );
        // Hour level never reads the daily table.
        assert!(
            segments(s + 1_800, e, Zone::UTC, DetailLevel::Hour)
                .iter()
                .all(|g| g.src != Source::Daily)
        );
    }

    #[test]
    fn berlin_days_take_an_hour_from_each_utc_day() {
        let z = zone("Europe/Berlin");
        let (s, e) = (ts("2026-01-04T23:00:00"), ts("2026-01-06T23:00:00"));
        let segs = segments(s, e, z, DetailLevel::Day);
        assert!(segs.iter().all(|g| g.src != Source::Raw), "{segs:?}");
        assert_eq!(segs.iter().filter(|g| g.src == Source::Daily).count(), 2);
        assert_exact(
            z,
            s,
            e,
            DetailLevel::Day,
            (s - 7_200..e + 7_200).step_by(600),
        );
    }

    #[test]
    fn a_kolkata_day_boundary_is_three_cells_from_midnight() {
        let z = zone("Asia/Kolkata");
        let (s, e) = (ts("2026-03-01T18:30:00"), ts("2026-03-03T18:30:00"));
        let edges: Vec<(Source, i64)> = segments(s, e, z, DetailLevel::Day)
            .into_iter()
            .filter(|g| g.src != Source::Daily)
            .map(|g| (g.src, (g.hi - g.lo) / g.src.width()))
            .collect();
        // At each of the three boundaries: six hours (18:00 to midnight) and two quarters.
        assert_eq!(
            edges
                .iter()
                .filter(|(src, _)| *src == Source::SixHours)
                .count(),
            3
        );
        assert!(
            edges.iter().all(|(src, cells)| match src {
                Source::SixHours => *cells == 1,
                Source::Quarter => *cells == 2,
                _ => false,
            }),
            "{edges:?}"
        );
    }

    #[test]
    fn odd_offsets_read_raw_records_only_at_the_range_ends() {
        for name in ["Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns"] {
            let z = zone(name);
            let (s, e) = (ts("2026-03-01T10:10:10"), ts("2026-05-20T07:07:07"));
            for detail in [DetailLevel::Hour, DetailLevel::Day, DetailLevel::Month] {
                let e = if detail == DetailLevel::Hour {
                    s + 3 * DAY
                } else {
                    e
                };
                let raw: Vec<_> = segments(s, e, z, detail)
                    .into_iter()
                    .filter(|g| g.src == Source::Raw)
                    .collect();
                assert!(
                    raw.iter()
                        .all(|g| g.hi - g.lo < QUARTER
                            && (g.lo <= s + QUARTER || g.hi >= e - QUARTER)),
                    "{name} {detail:?}: {raw:?}"
                );
            }
        }
    }

    #[test]
    fn dst_days_and_odd_offsets_count_every_instant_once() {
        for (name, from, to) in [
            (
                "Europe/Berlin",
                "2026-03-27T05:17:00",
                "2026-04-02T00:00:00",
            ),
            ("Europe/Berlin", "2026-10-23", "2026-10-28T13:00:00"),
            ("Asia/Kolkata", "2026-02-26T17:00:00", "2026-03-03T08:45:10"),
            ("Asia/Kathmandu", "2026-05-30", "2026-06-02"),
            ("Australia/Adelaide", "2026-04-03", "2026-04-07"),
            ("America/St_Johns", "2026-10-30", "2026-11-03T03:03:03"),
            ("Australia/Lord_Howe", "2026-04-03", "2026-04-07"),
            ("America/Los_Angeles", "2026-02-27", "2026-03-03"),
            // A fall-back at 03:45, not on the hour (proptest found it).
            ("Pacific/Chatham", "2026-04-03", "2026-04-07"),
        ] {
            let z = zone(name);
            let (s, e) = (ts(from), ts(to));
            for detail in [
                DetailLevel::Summarized,
                DetailLevel::Hour,
                DetailLevel::Day,
                DetailLevel::Month,
            ] {
                assert_exact(z, s, e, detail, (s - 90_000..e + 90_000).step_by(299));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_zone_any_range(
            zi in 0..usage_api::zone::zone_names().count(),
            start in 1_700_000_000_i64..1_800_000_000,
            len in 1_i64..(95 * 86_400),
            detail in 0..4_usize,
        ) {
            let z = zone(usage_api::zone::zone_names().nth(zi).unwrap());
            let detail = [DetailLevel::Summarized, DetailLevel::Hour, DetailLevel::Day, DetailLevel::Month][detail];
            // Hour level over 95 days is thousands of buckets: keep its ranges short.
            let len = if detail == DetailLevel::Hour { len % (4 * 86_400) + 1 } else { len };
            let (s, e) = (start, start + len);
            let step = (len / 500).max(1) + 7;
            assert_exact(z, s, e, detail, (s - 50_000..e + 50_000).step_by(step as usize));
        }
    }
}
