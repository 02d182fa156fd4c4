//! Answers usage queries from the hourly and daily rollups.
//!
//! `[start, end)` is cut into tiers so that each part is read from the coarsest table that is
//! exact for it: whole days from `usage_daily`, whole hours from `usage_hourly`, and only the
//! partial hours at the edges from the raw records.

use r2d2_sqlite::rusqlite::{Connection, Row, ToSql, types::Value};
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

/// A usage query for one realm, ready to run.
pub struct Plan {
    sql: String,
    params: Vec<Value>,
    dims: Vec<GroupDim>,
}

/// What a result row needs from the query to become an item.
struct Shape<'a> {
    q: &'a UsageQuery,
    dims: &'a [GroupDim],
}

/// Builds the SQL for `q` over `realms` (more than one for a partner's report).
/// The result has a `total` column (the number of grouped rows) when `paged`.
pub fn plan(realms: &[String], q: &UsageQuery, page: Option<(u32, u32)>) -> Plan {
    let mut params: Vec<Value> = Vec::new();
    let dims: Vec<GroupDim> = q.group_by.clone();
    let dim_cols: Vec<&str> = dims.iter().filter_map(|g| dim_column(*g)).collect();

    // Subscriptions of the realms, with the subscription-level filters.
    let marks = vec!["?"; realms.len()].join(",");
    params.extend(realms.iter().map(|r| Value::Text(r.clone())));
    let mut sub_filter = format!("SELECT id FROM subscriptions WHERE realm_id IN ({marks})");
    if let Some(f) = &q.filters.feature_id {
        sub_filter.push_str(" AND feature_id = ?");
        params.push(Value::Text(f.clone()));
    }
    if let Some(c) = &q.filters.category {
        sub_filter.push_str(" AND category = ?");
        params.push(Value::Text(c.clone()));
    }
    let sub_params = params.clone();

    let mut dim_filter = String::new();
    let mut dim_params = Vec::new();
    for (col, v) in [
        ("app_id", q.filters.app_id.clone()),
        ("project_hrn", q.filters.project_hrn.clone()),
        ("billing_tag", q.filters.billing_tag.clone()),
        (
            "channel_id",
            q.filters.channel_id.map(|c| c.as_str().to_owned()),
        ),
    ] {
        if let Some(v) = v {
            dim_filter.push_str(&format!(" AND {col} = ?"));
            dim_params.push(Value::Text(v));
        }
    }

    let select_dims = if dim_cols.is_empty() {
        String::new()
    } else {
        format!(", {}", dim_cols.join(", "))
    };
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
        params.extend(sub_params.iter().cloned());
        params.push(Value::Integer(a));
        params.push(Value::Integer(b));
        params.extend(dim_params.iter().cloned());
        parts.push(format!(
            "SELECT sub_id, {time} AS t{select_dims}, {u} AS u, {bv} AS b FROM {table}
             WHERE sub_id IN ({sub_filter}) AND {time} >= ? AND {time} < ?{dim_filter}"
        ));
    }

    let bucket = match q.detail {
        DetailLevel::Summarized => "0".to_owned(),
        DetailLevel::Hour => format!("(t - t % {HOUR})"),
        DetailLevel::Day => format!("(t - t % {DAY})"),
        DetailLevel::Month => {
            "CAST(strftime('%s', t, 'unixepoch', 'start of month') AS INTEGER)".to_owned()
        }
    };
    let group_cols = if dim_cols.is_empty() {
        String::new()
    } else {
        format!(", {}", dim_cols.join(", "))
    };
    let order_dims: String = dims
        .iter()
        .map(|g| match dim_column(*g) {
            Some(c) => format!(", g.{c}"),
            None => ", s.usage_type_code".to_owned(),
        })
        .collect();
    let outer_dims: String = dim_cols.iter().map(|c| format!(", g.{c}")).collect();
    let (total, limit) = match page {
        Some((limit, offset)) => {
            params.push(Value::Integer(i64::from(limit)));
            params.push(Value::Integer(i64::from(limit) * i64::from(offset)));
            (", COUNT(*) OVER () AS total", " LIMIT ? OFFSET ?")
        }
        None => ("", ""),
    };
    let sql = format!(
        "SELECT g.bucket, s.realm_id, s.feature_id, s.billing_subscription_id, s.billing_charge_number,
                s.category, s.name, s.value_driver, s.usage_type_code, g.uv, g.bv{outer_dims}{total}
         FROM (SELECT {bucket} AS bucket, sub_id{group_cols}, SUM(u) AS uv, SUM(b) AS bv
               FROM ({union}) GROUP BY bucket, sub_id{group_cols}) AS g
         JOIN subscriptions s ON s.id = g.sub_id
         ORDER BY g.bucket, s.billing_subscription_id, s.category, s.name{order_dims}{limit}",
        union = parts.join(" UNION ALL "),
    );
    Plan { sql, params, dims }
}

impl Shape<'_> {
    fn item(&self, row: &Row<'_>) -> r2d2_sqlite::rusqlite::Result<UsageItem> {
        let q = self.q;
        let keep = |f: UsageField| q.fields.as_ref().is_none_or(|fs| fs.contains(&f));
        let text = |i: usize, f: UsageField| -> r2d2_sqlite::rusqlite::Result<Option<String>> {
            Ok(if keep(f) { Some(row.get(i)?) } else { None })
        };
        let mut item = UsageItem {
            realm_id: text(1, UsageField::RealmId)?,
            feature_id: text(2, UsageField::FeatureId)?,
            billing_subscription_id: text(3, UsageField::BillingSubscriptionId)?,
            billing_charge_number: text(4, UsageField::BillingChargeNumber)?,
            category: text(5, UsageField::Category)?,
            name: text(6, UsageField::Name)?,
            value_driver: text(7, UsageField::ValueDriver)?,
            usage_value: keep(UsageField::UsageValue)
                .then(|| row.get(9).map(Quantity))
                .transpose()?,
            billable_value: keep(UsageField::BillableValue)
                .then(|| row.get(10).map(Quantity))
                .transpose()?,
            ..UsageItem::default()
        };
        let mut col = 11;
        for g in self.dims {
            let value: String = match dim_column(*g) {
                Some(_) => {
                    col += 1;
                    row.get(col - 1)?
                }
                None => row.get(8)?,
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
            item.usage_date_time = Timestamp::from_unix(row.get(0)?);
        }
        Ok(item)
    }
}

/// One page of a usage query.
pub fn page(
    conn: &Connection,
    realm: &str,
    q: &UsageQuery,
) -> r2d2_sqlite::rusqlite::Result<UsagePage> {
    let realms = [realm.to_owned()];
    let plan = plan(&realms, q, Some((q.limit, q.offset)));
    let shape = Shape {
        q,
        dims: &plan.dims,
    };
    let total_col = 11
        + plan
            .dims
            .iter()
            .filter(|g| dim_column(**g).is_some())
            .count();
    let mut stmt = conn.prepare_cached(&plan.sql)?;
    let params: Vec<&dyn ToSql> = plan.params.iter().map(|v| v as &dyn ToSql).collect();
    let mut rows = stmt.query(params.as_slice())?;
    let mut items = Vec::new();
    let mut total: Option<i64> = None;
    while let Some(row) = rows.next()? {
        total = Some(row.get(total_col)?);
        items.push(shape.item(row)?);
    }
    drop(rows);
    let total = match total {
        Some(t) => t as u64,
        // Past the last page no row carries the total: count it on its own.
        None => count(conn, &realms, q)?,
    };
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

/// The number of result records of `q`.
pub fn count(
    conn: &Connection,
    realms: &[String],
    q: &UsageQuery,
) -> r2d2_sqlite::rusqlite::Result<u64> {
    let plan = plan(realms, q, None);
    let sql = format!("SELECT COUNT(*) FROM ({})", plan.sql);
    let params: Vec<&dyn ToSql> = plan.params.iter().map(|v| v as &dyn ToSql).collect();
    conn.prepare_cached(&sql)?
        .query_row(params.as_slice(), |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
}

/// Every record of `q` in order, handed to `each` one at a time (for CSV and reports).
/// `each` returns false to stop early.
pub fn for_each(
    conn: &Connection,
    realms: &[String],
    q: &UsageQuery,
    mut each: impl FnMut(UsageItem) -> bool,
) -> r2d2_sqlite::rusqlite::Result<()> {
    let plan = plan(realms, q, None);
    let shape = Shape {
        q,
        dims: &plan.dims,
    };
    let mut stmt = conn.prepare_cached(&plan.sql)?;
    let params: Vec<&dyn ToSql> = plan.params.iter().map(|v| v as &dyn ToSql).collect();
    let mut rows = stmt.query(params.as_slice())?;
    while let Some(row) = rows.next()? {
        if !each(shape.item(row)?) {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
