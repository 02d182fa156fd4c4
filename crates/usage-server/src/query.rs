//! Answers usage queries from the hourly and daily rollups.
//!
//! `[start, end)` is cut into tiers so that each part is read from the coarsest table that is
//! exact for it: whole days from `usage_daily`, whole hours from `usage_hourly`, and only the
//! partial hours at the edges from the raw records.

use crate::store::sql::{Backend, Conn, Error, Result, Row, Val};
use chrono::Datelike;
use rustc_hash::FxHashMap as HashMap;
use usage_api::usage::{DetailLevel, GroupDim, UsageField, UsageItem, UsagePage, UsageQuery};
use usage_api::{Quantity, Timestamp};

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

fn floor(t: i64, w: i64) -> i64 {
    t - t.rem_euclid(w)
}
fn ceil(t: i64, w: i64) -> i64 {
    -floor(-t, w)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Raw,
    Hourly,
    Daily,
}

/// The tiers covering `[s, e)`.
fn tiers(s: i64, e: i64, detail: DetailLevel) -> Vec<(Source, i64, i64)> {
    let mut out = Vec::new();
    let (h0, h1) = (ceil(s, HOUR), floor(e, HOUR));
    if h0 >= h1 {
        out.push((Source::Raw, s, e));
        return out;
    }
    if s < h0 {
        out.push((Source::Raw, s, h0));
    }
    let (d0, d1) = (ceil(s, DAY), floor(e, DAY));
    if detail != DetailLevel::Hour && d0 < d1 {
        if h0 < d0 {
            out.push((Source::Hourly, h0, d0));
        }
        out.push((Source::Daily, d0, d1));
        if d1 < h1 {
            out.push((Source::Hourly, d1, h1));
        }
    } else {
        out.push((Source::Hourly, h0, h1));
    }
    if h1 < e {
        out.push((Source::Raw, h1, e));
    }
    out
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

/// The rollup and raw rows of `q`'s range, one `SELECT` per tier joined by `UNION ALL`:
/// columns `sub_id, t, <the grouped dimension columns>, u, b`.
fn tier_union<'a>(
    realms: &'a [String],
    q: &'a UsageQuery,
    dim_cols: &[&str],
) -> (String, Vec<Val<'a>>) {
    let mut params: Vec<Val<'a>> = Vec::new();
    // Subscriptions of the realms, with the subscription-level filters.
    let marks = vec!["?"; realms.len()].join(",");
    params.extend(realms.iter().map(Val::from));
    let mut sub_filter = format!("SELECT id FROM subscriptions WHERE realm_id IN ({marks})");
    if let Some(f) = &q.filters.feature_id {
        sub_filter.push_str(" AND feature_id = ?");
        params.push(Val::from(f));
    }
    if let Some(c) = &q.filters.category {
        sub_filter.push_str(" AND category = ?");
        params.push(Val::from(c));
    }
    let sub_params = params.clone();

    let mut dim_filter = String::new();
    let mut dim_params = Vec::new();
    for (col, v) in [
        ("app_id", q.filters.app_id.as_deref()),
        ("project_hrn", q.filters.project_hrn.as_deref()),
        ("billing_tag", q.filters.billing_tag.as_deref()),
        ("channel_id", q.filters.channel_id.map(|c| c.as_str())),
    ] {
        if let Some(v) = v {
            dim_filter.push_str(&format!(" AND {col} = ?"));
            dim_params.push(Val::Text(v));
        }
    }

    let select_dims: String = dim_cols.iter().map(|c| format!(", {c}")).collect();
    let mut parts = Vec::new();
    params.clear();
    for (src, a, b) in tiers(q.start.unix(), q.end.unix(), q.detail) {
        let (table, time, u, bv) = match src {
            Source::Raw => (
                "usage_records",
                "usage_time",
                "quantity_milli",
                "accepted_milli",
            ),
            Source::Hourly => ("usage_hourly", "t", "usage_milli", "billable_milli"),
            Source::Daily => ("usage_daily", "t", "usage_milli", "billable_milli"),
        };
        // Each tier repeats the subscription subquery so SQLite plans `sub_id IN (…)`
        // against that table's primary key.
        params.extend(sub_params.iter().copied());
        params.push(Val::Int(a));
        params.push(Val::Int(b));
        params.extend(dim_params.iter().copied());
        parts.push(format!(
            "SELECT sub_id, {time} AS t{select_dims}, {u} AS u, {bv} AS b FROM {table}
             WHERE sub_id IN ({sub_filter}) AND {time} >= ? AND {time} < ?{dim_filter}"
        ));
    }
    (parts.join(" UNION ALL "), params)
}

/// Builds the SQL for `q` over `realms` (more than one for a partner's report): every result
/// record in order, summed by the database, for results too large to sum in memory.
fn plan<'a>(backend: Backend, realms: &'a [String], q: &'a UsageQuery) -> Plan<'a> {
    let dim_cols: Vec<&str> = q.group_by.iter().filter_map(|g| dim_column(*g)).collect();
    let (union, params) = tier_union(realms, q, &dim_cols);

    let bucket = match q.detail {
        DetailLevel::Summarized => "0".to_owned(),
        DetailLevel::Hour => format!("(t - t % {HOUR})"),
        DetailLevel::Day => format!("(t - t % {DAY})"),
        DetailLevel::Month => match backend {
            Backend::Sqlite => {
                "CAST(strftime('%s', t, 'unixepoch', 'start of month') AS INTEGER)".to_owned()
            }
            Backend::Postgres => "CAST(EXTRACT(EPOCH FROM date_trunc('month', to_timestamp(t) AT TIME ZONE 'UTC')) AS BIGINT)".to_owned(),
        },
    };
    let group_cols = if dim_cols.is_empty() {
        String::new()
    } else {
        format!(", {}", dim_cols.join(", "))
    };
    let order_dims: String = q
        .group_by
        .iter()
        .map(|g| match dim_column(*g) {
            Some(c) => format!(", g.{c}"),
            None => ", s.usage_type_code".to_owned(),
        })
        .collect();
    let outer_dims: String = dim_cols.iter().map(|c| format!(", g.{c}")).collect();
    // The billing subscription id is unique: the subscription's category and name, which the
    // contract orders by next, never decide, and each text key a sort of a million rows
    // compares costs seconds (PostgreSQL sorted a 1,000,000-record report in 12 s with them,
    // 3.4 s without).
    let sql = format!(
        "SELECT g.bucket, s.realm_id, s.feature_id, s.billing_subscription_id, s.billing_charge_number,
                s.category, s.name, s.value_driver, s.usage_type_code, g.uv, g.bv{outer_dims}
         FROM (SELECT {bucket} AS bucket, sub_id{group_cols}, CAST(SUM(u) AS BIGINT) AS uv, CAST(SUM(b) AS BIGINT) AS bv
               FROM ({union}) AS tiers GROUP BY bucket, sub_id{group_cols}) AS g
         JOIN subscriptions s ON s.id = g.sub_id
         ORDER BY g.bucket, s.billing_subscription_id{order_dims}"
    );
    Plan { sql, params }
}

/// Builds one result record from its parts, keeping only `q`'s fields. `text(i)` is the
/// subscription's attribute `i`, numbered as the plan's columns: 1 realm, 2 feature,
/// 3 billing subscription, 4 charge number, 5 category, 6 name, 7 value driver, 8 usage type
/// code. `dim(c)` is the grouped value in the `c`-th dimension with a column of its own.
fn build_item<E>(
    q: &UsageQuery,
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
        item.usage_date_time = Timestamp::from_unix(bucket);
    }
    Ok(item)
}

/// A row of the plan as a result record.
fn row_item(q: &UsageQuery, row: &Row<'_>) -> Result<UsageItem> {
    build_item(
        q,
        row.get(0)?,
        (row.get(9)?, row.get(10)?),
        |i| row.get(i),
        |c| row.get(11 + c),
    )
}

/// A subscription's attributes, in `build_item`'s numbering less one.
type SubAttrs = [String; 8];

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

fn bucket_of(t: i64, detail: DetailLevel) -> i64 {
    match detail {
        DetailLevel::Summarized => 0,
        // As SQLite's `t - t % w`; usage times are never before 1970.
        DetailLevel::Hour => t - t % HOUR,
        DetailLevel::Day => t - t % DAY,
        DetailLevel::Month => chrono::DateTime::from_timestamp(t, 0)
            .and_then(|d| d.date_naive().with_day(1))
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, |d| d.and_utc().timestamp()),
    }
}

/// Sums every result record of `q` over `realms`, in one read of the rollups.
pub fn sum_all(db: &mut Conn<'_>, realms: &[String], q: &UsageQuery) -> Result<Summed> {
    let dim_cols: Vec<&str> = q.group_by.iter().filter_map(|g| dim_column(*g)).collect();
    debug_assert!(dim_cols.len() <= DIM_COLS_MAX);

    let marks = vec!["?"; realms.len()].join(",");
    let mut params: Vec<Val<'_>> = realms.iter().map(Val::from).collect();
    let mut sql = format!(
        "SELECT id, realm_id, feature_id, billing_subscription_id, billing_charge_number,
                category, name, value_driver, usage_type_code
         FROM subscriptions WHERE realm_id IN ({marks})"
    );
    if let Some(f) = &q.filters.feature_id {
        sql.push_str(" AND feature_id = ?");
        params.push(Val::from(f));
    }
    if let Some(c) = &q.filters.category {
        sql.push_str(" AND category = ?");
        params.push(Val::from(c));
    }
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

    let (union, params) = tier_union(realms, q, &dim_cols);
    let mut interner = Interner::default();
    let mut sums: HashMap<GroupKey, (i64, i64)> = HashMap::default();
    let (u_col, b_col) = (2 + dim_cols.len(), 3 + dim_cols.len());
    db.each(&union, &params, |r| {
        let mut dims = [0; DIM_COLS_MAX];
        for (c, slot) in dims.iter_mut().enumerate().take(dim_cols.len()) {
            *slot = r.with_str(2 + c, |s| interner.id(s))?;
        }
        let key = (bucket_of(r.get(1)?, q.detail), r.get(0)?, dims);
        let (u, b): (i64, i64) = (r.get(u_col)?, r.get(b_col)?);
        let sum = sums.entry(key).or_default();
        // The section 6 caps keep every group's sum in range; the databases' SUM fails the
        // same way.
        sum.0 = sum.0.checked_add(u).ok_or(Error::Overflow)?;
        sum.1 = sum.1.checked_add(b).ok_or(Error::Overflow)?;
        Ok(())
    })?;

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
        self.groups
            .iter()
            .skip(from)
            .map(move |((bucket, sub, dims), sums)| {
                let attrs = &self.subs[sub];
                build_item::<std::convert::Infallible>(
                    q,
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
    })
}

/// Every record of `q` in order, handed to `each` one at a time, summed by the database as
/// they are read (for reports, which may hold a million records).
/// `each` returns false to stop early.
pub fn for_each(
    db: &mut Conn<'_>,
    realms: &[String],
    q: &UsageQuery,
    mut each: impl FnMut(UsageItem) -> bool,
) -> Result<()> {
    let plan = plan(db.backend(), realms, q);
    let mut stopped = false;
    let read = db.each(&plan.sql, &plan.params, |row| {
        if each(row_item(q, row)?) {
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
                compared += in_memory.len();
            }
        }
        assert!(compared > 1_000, "too few records compared: {compared}");
    }

    fn ts(s: &str) -> i64 {
        Timestamp::parse(s).unwrap().unix()
    }

    #[test]
    fn tiers_cover_the_range_exactly_once() {
        let (s, e) = (ts("2026-01-01T10:30:15"), ts("2026-01-05T07:10:00"));
        let t = tiers(s, e, DetailLevel::Day);
        assert_eq!(t.first().unwrap().1, s);
        assert_eq!(t.last().unwrap().2, e);
        for w in t.windows(2) {
            assert_eq!(w[0].2, w[1].1);
        }
        assert_eq!(
            t.iter().map(|x| x.0).collect::<Vec<_>>(),
            [
                Source::Raw,
                Source::Hourly,
                Source::Daily,
                Source::Hourly,
                Source::Raw
            ]
        );
        // Hour detail never reads the daily table; a range inside one hour reads raw only.
        assert!(
            tiers(s, e, DetailLevel::Hour)
                .iter()
                .all(|x| x.0 != Source::Daily)
        );
        assert_eq!(
            tiers(s, s + 60, DetailLevel::Day),
            [(Source::Raw, s, s + 60)]
        );
        let aligned = tiers(ts("2026-01-01"), ts("2026-02-01"), DetailLevel::Month);
        assert_eq!(
            aligned,
            [(Source::Daily, ts("2026-01-01"), ts("2026-02-01"))]
        );
    }
}
