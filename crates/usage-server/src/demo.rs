//! Deterministic demo data: a partner org with sub-accounts, a foreign org, subscriptions
//! across categories and units, and hourly usage over about 13 months.

use crate::db::{Dims, Pool};
use crate::store::rollups::{DAY, HOUR, QUARTER, SIX_HOURS, cell};
use crate::store::sql::{Backend, Conn, TxKind};
use crate::vals;
use anyhow::Context;
use chrono::{Datelike, Months, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

/// The partner org of the demo.
pub const PARTNER: &str = "northwind";
/// Its sub-accounts.
pub const SUB_ACCOUNTS: &[(&str, &str)] = &[
    ("northwind-eu", "Northwind Europe"),
    ("northwind-us", "Northwind Americas"),
    ("northwind-apac", "Northwind Asia Pacific"),
];
/// An org unrelated to the partner (for 403s).
pub const FOREIGN: &str = "contoso";

/// How much demo data to make.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Usage records to generate (10 thousand to 10 million).
    pub records: u64,
    /// The end of the data: usage runs up to the hour before this instant.
    pub until: chrono::NaiveDateTime,
    /// Seed of the generator: the same seed and options give the same data.
    pub seed: u64,
}

/// The smallest and largest record counts accepted.
pub const RECORDS_RANGE: std::ops::RangeInclusive<u64> = 10_000..=10_000_000;

struct Product {
    feature: &'static str,
    category: &'static str,
    name: &'static str,
    unit: &'static str,
    type_code: &'static str,
    price: &'static str,
    /// Quantity per record in milli-units: (min, max) and whether it is whole units.
    milli: (i64, i64),
    whole: bool,
}

const PRODUCTS: &[Product] = &[
    Product {
        feature: "hrn:here:service::olp-here:routing-8",
        category: "Location Services",
        name: "Routing",
        unit: "transactions",
        type_code: "RTG",
        price: "0.0045",
        milli: (1_000, 400_000),
        whole: true,
    },
    Product {
        feature: "hrn:here:service::olp-here:search-7",
        category: "Location Services",
        name: "Geocoding & Search",
        unit: "transactions",
        type_code: "GEO",
        price: "0.0030",
        milli: (1_000, 250_000),
        whole: true,
    },
    Product {
        feature: "hrn:here:service::olp-here:vector-tiles",
        category: "Maps",
        name: "Vector Tiles",
        unit: "tiles",
        type_code: "VTL",
        price: "0.0002",
        milli: (10_000, 2_000_000),
        whole: true,
    },
    Product {
        feature: "hrn:here:service::olp-here:traffic-7",
        category: "Location Services",
        name: "Traffic Flow",
        unit: "requests",
        type_code: "TRF",
        price: "0.0020",
        milli: (1_000, 150_000),
        whole: true,
    },
    Product {
        feature: "hrn:here:data:::catalog-storage",
        category: "Data Hub",
        name: "Catalog Storage",
        unit: "GB-hours",
        type_code: "STO",
        price: "0.0400",
        milli: (1, 90_000),
        whole: false,
    },
    Product {
        feature: "hrn:here:data:::data-transfer",
        category: "Data Hub",
        name: "Data Transfer Out",
        unit: "GB",
        type_code: "DTO",
        price: "0.0900",
        milli: (1, 25_000),
        whole: false,
    },
    Product {
        feature: "hrn:here:pipeline:::stream-compute",
        category: "Compute",
        name: "Stream Pipeline",
        unit: "vCPU-hours",
        type_code: "CPU",
        price: "0.1100",
        milli: (250, 8_000),
        whole: false,
    },
    Product {
        feature: "hrn:here:pipeline:::batch-compute",
        category: "Compute",
        name: "Batch Pipeline",
        unit: "vCPU-hours",
        type_code: "BAT",
        price: "0.0800",
        milli: (500, 16_000),
        whole: false,
    },
];

const APPS: &[&str] = &[
    "fleet-tracker",
    "last-mile",
    "dispatch-web",
    "driver-app",
    "analytics",
];
const TAGS: &[&str] = &["cost-center-100", "cost-center-200", "marketing", "rnd", ""];
const RESOURCES: &[&str] = &["eu-central-1", "us-east-1", "ap-southeast-1", ""];

/// The columns of a rollup row, in the order the loaders give them.
const ROLLUP_COLUMNS: &[&str] = &[
    "sub_id",
    "t",
    "app_id",
    "project_hrn",
    "billing_tag",
    "resource",
    "channel_id",
    "usage_milli",
    "billable_milli",
];

/// Creates the demo orgs, subscriptions and usage unless the database already has them.
/// Returns false when they were already there.
pub fn load(pool: &Pool, opts: &DemoOptions) -> anyhow::Result<bool> {
    anyhow::ensure!(
        RECORDS_RANGE.contains(&opts.records),
        "the number of demo records must be from {} to {}",
        RECORDS_RANGE.start(),
        RECORDS_RANGE.end()
    );
    let mut pooled = pool.get()?;
    let mut conn = pooled.conn();
    let exists: bool = conn.one(
        "SELECT EXISTS(SELECT 1 FROM orgs WHERE realm_id = ?1)",
        vals![PARTNER],
        |r| r.get(0),
    )?;
    if exists {
        return Ok(false);
    }
    let started = std::time::Instant::now();
    let subscriptions = conn.transaction(TxKind::Write, |tx| load_in(tx, opts))?;
    // On PostgreSQL a VACUUM too: it marks the freshly written pages all-visible, without which
    // every index-only read of a rollup still visits the heap (until autovacuum gets there).
    conn.batch(match conn.backend() {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => "VACUUM (ANALYZE)",
    })?;
    if let Some(c) = conn.sqlite() {
        crate::db::drop_stat4_samples(c)?;
    }
    tracing::info!(
        records = opts.records,
        subscriptions,
        secs = started.elapsed().as_secs_f32(),
        "demo data loaded"
    );
    Ok(true)
}

/// Writes the demo data in the caller's transaction; returns how many subscriptions it made.
fn load_in(tx: &mut Conn<'_>, opts: &DemoOptions) -> anyhow::Result<usize> {
    let mut rng = StdRng::seed_from_u64(opts.seed);

    let mut orgs: Vec<(&str, &str, Option<&str>)> = vec![(PARTNER, "Northwind Traders", None)];
    orgs.extend(
        SUB_ACCOUNTS
            .iter()
            .map(|(id, name)| (*id, *name, Some(PARTNER))),
    );
    orgs.push((FOREIGN, "Contoso Ltd", None));
    for (id, name, parent) in &orgs {
        tx.exec(
            "INSERT INTO orgs (realm_id, name, parent_realm_id) VALUES (?1, ?2, ?3)",
            vals![*id, *name, *parent],
        )?;
    }

    // Subscriptions: each org takes 5 or 6 products; the European one pays in EUR.
    struct Sub {
        id: i64,
        product: usize,
        weight: f64,
        streams: Vec<Dims>,
    }
    let mut subs: Vec<Sub> = Vec::new();
    for (org_idx, (realm, _, _)) in orgs.iter().enumerate() {
        let count = 5 + (org_idx % 2);
        let currency = if realm.ends_with("-eu") { "EUR" } else { "USD" };
        let first = org_idx % PRODUCTS.len();
        for k in 0..count {
            let p = (first + k * 3) % PRODUCTS.len();
            let product = &PRODUCTS[p];
            let billing_id = format!("SUB-{:04}-{}", 1000 + subs.len() * 7, product.type_code);
            // A monthly limit on one subscription per org, high enough for the demo's own usage.
            let limit: Option<i64> = (k == count - 1).then_some(1_000_000_000_000);
            let id: i64 = tx.one(
                "INSERT INTO subscriptions (billing_subscription_id, realm_id, feature_id, billing_charge_number,
                     category, name, value_driver, usage_type_code, price, currency, monthly_limit_milli)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
                vals![
                    &billing_id,
                    *realm,
                    product.feature,
                    &format!("C-{:06}", 310_000 + subs.len() * 13),
                    product.category,
                    product.name,
                    product.unit,
                    product.type_code,
                    product.price,
                    currency,
                    limit
                ],
                |r| r.get(0),
            )?;
            // A few usage streams per subscription: an app in a project with a tag.
            let n_streams = rng.gen_range(3..=6);
            let mut streams: Vec<Dims> = (0..n_streams)
                .map(|s| {
                    let app = APPS[(org_idx + s * 2 + k) % APPS.len()];
                    Dims {
                        app_id: format!("{app}.{realm}"),
                        project_hrn: format!("hrn:here:authorization::{realm}:project/{app}"),
                        billing_tag: TAGS[(s + k) % TAGS.len()].to_owned(),
                        resource: RESOURCES[(s + org_idx) % RESOURCES.len()].to_owned(),
                        channel_id: if s % 3 == 2 { "cold" } else { "hot" }.to_owned(),
                    }
                })
                .collect();
            streams.sort();
            streams.dedup();
            subs.push(Sub {
                id,
                product: p,
                weight: rng.gen_range(0.5..2.0),
                streams,
            });
        }
    }

    // About 13 months of hours, ending at the last whole hour before `until`.
    let end_hour = opts.until.and_utc().timestamp().div_euclid(HOUR);
    let first_day = NaiveDate::from_ymd_opt(opts.until.year(), opts.until.month(), 1)
        .and_then(|d| d.checked_sub_months(Months::new(12)))
        .context("demo start date")?;
    let start_hour = first_day
        .and_hms_opt(0, 0, 0)
        .context("demo start")?
        .and_utc()
        .timestamp()
        / HOUR;
    let hours = (end_hour - start_hour).max(1);
    // Business-hours and weekday seasonality, so charts look like real usage.
    let weight = |h: i64| -> f64 {
        let hod = h.rem_euclid(24) as f64;
        let dow = (h.div_euclid(24) + 4).rem_euclid(7); // 1970-01-01 was a Thursday
        let daily = 1.0 + 0.8 * (-(hod - 14.0).powi(2) / 18.0).exp();
        let weekly = if dow >= 5 { 0.55 } else { 1.0 };
        let growth = 0.7 + 0.6 * (h - start_hour) as f64 / hours as f64;
        daily * weekly * growth
    };
    if tx.backend() == Backend::Postgres {
        // The months the records fall in, as partitions of their own.
        let first = first_day.to_string();
        let last = opts.until.date().to_string();
        tx.one(
            "SELECT usage_records_months(to_date(?1, 'YYYY-MM-DD'), to_date(?2, 'YYYY-MM-DD'))",
            vals![&first, &last],
            |_| Ok(()),
        )?;
    }
    let total_w: f64 = (start_hour..end_hour).map(weight).sum();
    let sub_w: Vec<f64> = subs.iter().map(|s| s.weight).collect();
    let sub_w_total: f64 = sub_w.iter().sum();

    let now = chrono::Utc::now().timestamp();
    let mut hourly: HashMap<(i64, i64, usize), (i64, i64)> = HashMap::new();
    let mut quarter: HashMap<(i64, i64, usize), (i64, i64)> = HashMap::new();
    {
        let mut insert = tx.bulk(
            "usage_records",
            &[
                "sub_id",
                "usage_time",
                "quantity_milli",
                "accepted_milli",
                "app_id",
                "project_hrn",
                "billing_tag",
                "resource",
                "channel_id",
                "created_time",
                "updated_time",
            ],
        );
        let (mut cum, mut emitted) = (0.0_f64, 0_u64);
        for h in start_hour..end_hour {
            cum += weight(h);
            let target = ((cum / total_w) * opts.records as f64).round() as u64;
            let target = if h == end_hour - 1 {
                opts.records
            } else {
                target.min(opts.records)
            };
            while emitted < target {
                emitted += 1;
                let mut pick = rng.gen_range(0.0..sub_w_total);
                let mut si = 0;
                while si + 1 < subs.len() && pick >= sub_w[si] {
                    pick -= sub_w[si];
                    si += 1;
                }
                let sub = &subs[si];
                let stream = rng.gen_range(0..sub.streams.len());
                let dims = &sub.streams[stream];
                let p = &PRODUCTS[sub.product];
                let mut q = rng.gen_range(p.milli.0..=p.milli.1);
                if p.whole {
                    q = (q / 1000).max(1) * 1000;
                }
                let t = h * HOUR + rng.gen_range(0..HOUR);
                insert.row(vals![
                    sub.id,
                    t,
                    q,
                    q,
                    &dims.app_id,
                    &dims.project_hrn,
                    &dims.billing_tag,
                    &dims.resource,
                    &dims.channel_id,
                    now,
                    now
                ])?;
                let e = hourly.entry((sub.id, h * HOUR, stream)).or_default();
                e.0 += q;
                e.1 += q;
                let e = quarter
                    .entry((sub.id, cell(t, QUARTER), stream))
                    .or_default();
                e.0 += q;
                e.1 += q;
            }
        }
        insert.finish()?;
    }

    // Rollups from what was just written, in bulk rather than one upsert per record.
    let coarser = |w: i64| {
        let mut out: HashMap<(i64, i64, usize), (i64, i64)> = HashMap::new();
        for (&(sub_id, t, stream), &(u, b)) in &hourly {
            let e = out.entry((sub_id, cell(t, w), stream)).or_default();
            e.0 += u;
            e.1 += b;
        }
        out
    };
    let (six, daily) = (coarser(SIX_HOURS), coarser(DAY));
    let by_id: HashMap<i64, &Sub> = subs.iter().map(|s| (s.id, s)).collect();
    for (table, sums) in [
        ("usage_quarter", &quarter),
        ("usage_hourly", &hourly),
        ("usage_six_hours", &six),
        ("usage_daily", &daily),
    ] {
        // In time order, as recording over time writes them: a cell's neighbours in time share
        // its pages. (In the maps' order every cell a range read touches was on a page of its
        // own, which no real database looks like: PostgreSQL's zoned day-level query read ~7,700
        // heap pages for as many cells.)
        let mut cells: Vec<_> = sums.iter().collect();
        cells.sort_unstable_by_key(|&(&(sub_id, t, stream), _)| (t, sub_id, stream));
        let mut ins = tx.bulk(table, ROLLUP_COLUMNS);
        for (&(sub_id, t, stream), &(u, b)) in cells {
            let d = &by_id[&sub_id].streams[stream];
            ins.row(vals![
                sub_id,
                t,
                &d.app_id,
                &d.project_hrn,
                &d.billing_tag,
                &d.resource,
                &d.channel_id,
                u,
                b
            ])?;
        }
        ins.finish()?;
    }
    Ok(subs.len())
}

/// Adds a subscription `billing_id` to `realm`, for the same product as the realm's first one
/// but with charge item `name`, `price`, the realm's currency and a monthly `limit` in
/// milli-units: a subscription that no demo usage touches, for tests and examples.
pub fn add_subscription(
    db: &mut Conn<'_>,
    realm: &str,
    billing_id: &str,
    name: &str,
    price: &str,
    limit: Option<i64>,
) -> crate::store::sql::Result<()> {
    db.exec(
        "INSERT INTO subscriptions (billing_subscription_id, realm_id, feature_id, billing_charge_number,
             category, name, value_driver, usage_type_code, price, currency, monthly_limit_milli)
         SELECT ?1, realm_id, feature_id, billing_charge_number, category, ?2, value_driver,
             usage_type_code, ?3, currency, ?4
         FROM subscriptions WHERE realm_id = ?5 ORDER BY id LIMIT 1",
        vals![billing_id, name, price, limit, realm],
    )
    .map(drop)
}

/// A fleet-shaped dataset for large reports: subscription `sub_id` meters `resources` vehicles
/// daily for `days` days from `start` (unix seconds), straight into the daily rollup.
/// `resources × days` result records for a day-level report grouped by resource. The days
/// must have no fleet rows yet.
pub fn load_fleet(
    db: &mut Conn<'_>,
    sub_id: i64,
    start: i64,
    days: i64,
    resources: i64,
) -> crate::store::sql::Result<()> {
    db.transaction(TxKind::Write, |tx| {
        let mut ins = tx.bulk("usage_daily", ROLLUP_COLUMNS);
        for d in 0..days {
            for r in 0..resources {
                let units = 1000 + (r * 7 + d) % 5000;
                ins.row(vals![
                    sub_id,
                    start + d * 86_400,
                    "fleet",
                    "hrn:here:authorization::fleet:project/fleet",
                    "",
                    &format!("vehicle-{r:05}"),
                    "hot",
                    units,
                    units
                ])?;
            }
        }
        ins.finish()
    })
}
