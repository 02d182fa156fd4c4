//! Time zones (contract section 7), freshness (section 8) and the records behind a figure
//! (section 9), over real HTTP on a database of the test's own whose records the test placed
//! at known instants: DST days, the fall-back hour, months in a negative-offset zone, :30 and
//! :45 offsets, and random zones and ranges against a scan of the raw records.

mod backend;
mod support;

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::collections::BTreeMap;
use support::{Db, milli};
use usage_api::usage::DetailLevel;
use usage_api::zone::Zone;
use usage_api::{TimeZone, Timestamp, ZonedTime};
use usage_server::{AppOptions, vals};

const REALM: &str = "zoned-org";
const SUBS: [&str; 2] = ["SUB-TZ-1", "SUB-TZ-2"];
const APPS: [&str; 2] = ["app.one", "app.two"];

/// A raw record: when, which subscription, which app, requested and accepted milli-units.
#[derive(Debug, Clone, Copy)]
struct Rec {
    t: i64,
    sub: usize,
    app: usize,
    q: i64,
    a: i64,
}

fn ts(s: &str) -> i64 {
    Timestamp::parse(s).unwrap().unix()
}

fn zone(name: &str) -> Zone {
    Zone::from(&TimeZone::parse(name).unwrap())
}

/// A server over a fresh database holding `recs` (and the rollups they make), with a token.
struct Site {
    db: Db,
    base: String,
    token: String,
}

async fn site(recs: &[Rec]) -> Site {
    let db = Db::new();
    backend::exec(
        &db.pool,
        "INSERT INTO orgs (realm_id, name) VALUES (?1, 'Zoned')",
        vals![REALM],
    );
    for (i, sub) in SUBS.iter().enumerate() {
        backend::exec(
            &db.pool,
            "INSERT INTO subscriptions (billing_subscription_id, realm_id, feature_id, billing_charge_number,
                 category, name, value_driver, usage_type_code, price, currency)
             VALUES (?1, ?2, ?3, 'C-1', 'Maps', ?4, 'tiles', 'VTL', '0.01', 'USD')",
            vals![*sub, REALM, &format!("hrn:feature-{i}"), &format!("Item {i}")],
        );
    }
    let recs = recs.to_vec();
    backend::run(&db.pool, move |c| {
        c.transaction(usage_server::store::sql::TxKind::Write, |tx| {
            for r in &recs {
                tx.exec(
                    "INSERT INTO usage_records (sub_id, usage_time, quantity_milli, accepted_milli, app_id, created_time, updated_time)
                     VALUES ((SELECT id FROM subscriptions WHERE billing_subscription_id = ?1), ?2, ?3, ?4, ?5, ?2, ?2)",
                    vals![SUBS[r.sub], r.t, r.q, r.a, APPS[r.app]],
                )?;
            }
            // The rollups as the writer keeps them: UTC quarter hours, hours, six hours and days.
            for (table, w) in [
                ("usage_quarter", 900),
                ("usage_hourly", 3_600),
                ("usage_six_hours", 21_600),
                ("usage_daily", 86_400),
            ] {
                tx.exec(
                    &format!(
                        "INSERT INTO {table} (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id, usage_milli, billable_milli)
                         SELECT sub_id, usage_time - usage_time % {w}, app_id, project_hrn, billing_tag, resource, channel_id,
                                SUM(quantity_milli), SUM(accepted_milli)
                         FROM usage_records
                         GROUP BY sub_id, usage_time - usage_time % {w}, app_id, project_hrn, billing_tag, resource, channel_id"
                    ),
                    vals![],
                )?;
            }
            Ok::<_, usage_server::store::sql::Error>(())
        })
    })
    .unwrap();
    let token = db.token(REALM);
    let opts = AppOptions {
        static_dir: None,
        cors_origins: vec![],
        strict_csp: false,
        base_path: None,
    };
    let base = format!("http://{}", support::serve(db.state(), &opts).await);
    Site { db, base, token }
}

impl Site {
    async fn get(&self, path: &str) -> (u16, Value) {
        let (status, _, text) = support::get(&self.base, path, Some(&self.token)).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    /// Every item of a section 1 query, walking its pages.
    async fn usage(&self, query: &str) -> Vec<Value> {
        self.walk(&format!("/usage/realms/{REALM}?{query}")).await
    }

    /// Every record behind a query, walking the records endpoint's pages.
    async fn records(&self, query: &str) -> Vec<Value> {
        self.walk(&format!("/usage/realms/{REALM}/records?{query}&limit=100"))
            .await
    }

    async fn walk(&self, path: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.ok(&format!("{path}&offset={offset}")).await;
            out.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["nextOffset"].as_u64() {
                Some(n) => offset = n,
                None => return out,
            }
        }
    }
}

fn enc(s: &str) -> String {
    s.replace('+', "%2B").replace('/', "%2F")
}

/// Records every `step` seconds over `[from, to)`, one milli-unit each.
fn every(from: &str, to: &str, step: i64) -> Vec<Rec> {
    (ts(from)..ts(to))
        .step_by(step as usize)
        .map(|t| Rec {
            t,
            sub: 0,
            app: 0,
            q: 1_000,
            a: 1_000,
        })
        .collect()
}

/// `(usageDateTime, usageValue in milli-units)` of each item.
fn buckets(items: &[Value]) -> Vec<(String, i64)> {
    items
        .iter()
        .map(|i| {
            (
                i["usageDateTime"].as_str().unwrap_or_default().to_owned(),
                milli(&i["usageValue"]),
            )
        })
        .collect()
}

#[tokio::test]
async fn berlin_days_of_23_and_25_hours() {
    let mut recs = every("2026-03-27", "2026-04-01", 1_800);
    recs.extend(every("2026-10-23", "2026-10-28", 1_800));
    let s = site(&recs).await;
    let tz = "timeZone=Europe%2FBerlin&detailLevel=day";
    let spring = s
        .usage(&format!("startDate=2026-03-28&endDate=2026-03-31&{tz}"))
        .await;
    assert_eq!(
        buckets(&spring),
        [
            ("2026-03-28T00:00:00+01:00".to_owned(), 48_000),
            ("2026-03-29T00:00:00+01:00".to_owned(), 46_000),
            ("2026-03-30T00:00:00+02:00".to_owned(), 48_000),
        ]
    );
    let autumn = s
        .usage(&format!("startDate=2026-10-25&endDate=2026-10-26&{tz}"))
        .await;
    assert_eq!(
        buckets(&autumn),
        [("2026-10-25T00:00:00+02:00".to_owned(), 50_000)]
    );
    // The same instants asked for in UTC give the same sum.
    let utc = s
        .usage("startDate=2026-10-24T22:00:00&endDate=2026-10-25T23:00:00")
        .await;
    assert_eq!(milli(&utc[0]["usageValue"]), 50_000);
}

#[tokio::test]
async fn the_fall_back_hour_is_shown_twice() {
    let s = site(&every("2026-10-24T22:00:00", "2026-10-25T04:00:00", 900)).await;
    let items = s
        .usage("startDate=2026-10-25T01:00:00&endDate=2026-10-25T04:00:00&timeZone=Europe%2FBerlin&detailLevel=hour")
        .await;
    assert_eq!(
        buckets(&items),
        [
            ("2026-10-25T01:00:00+02:00".to_owned(), 4_000),
            ("2026-10-25T02:00:00+02:00".to_owned(), 4_000),
            ("2026-10-25T02:00:00+01:00".to_owned(), 4_000),
            ("2026-10-25T03:00:00+01:00".to_owned(), 4_000),
        ]
    );
    // A time in the spring-forward gap is the first instant after it: 02:30 is 03:00 CEST.
    let gap = s
        .get("/usage/realms/zoned-org?startDate=2026-03-29T02:30:00&endDate=2026-03-29T02:45:00&timeZone=Europe%2FBerlin")
        .await;
    assert_eq!(gap.0, 200, "{}", gap.1);
}

#[tokio::test]
async fn a_month_boundary_in_a_negative_offset_zone() {
    // 22:00 on 31 January in New York is 03:00 on 1 February in UTC.
    let recs = [
        ("2026-02-01T03:00:00", 1_000),
        ("2026-02-01T05:00:00", 20_000),
        ("2026-03-01T04:59:59", 300_000),
        ("2026-03-01T05:00:00", 4_000_000),
    ]
    .map(|(t, q)| Rec {
        t: ts(t),
        sub: 0,
        app: 0,
        q,
        a: q,
    });
    let s = site(&recs).await;
    let items = s
        .usage(
            "startDate=2026-01-15&endDate=2026-03-15&timeZone=America%2FNew_York&detailLevel=month",
        )
        .await;
    assert_eq!(
        buckets(&items),
        [
            ("2026-01-01T00:00:00-05:00".to_owned(), 1_000),
            ("2026-02-01T00:00:00-05:00".to_owned(), 320_000),
            ("2026-03-01T00:00:00-05:00".to_owned(), 4_000_000),
        ]
    );
    let utc = s
        .usage("startDate=2026-01-15&endDate=2026-03-15&detailLevel=month")
        .await;
    assert_eq!(
        buckets(&utc),
        [
            ("2026-02-01T00:00:00".to_owned(), 21_000),
            ("2026-03-01T00:00:00".to_owned(), 4_300_000),
        ]
    );
}

#[tokio::test]
async fn odd_offsets_sum_as_utc_over_the_same_instants() {
    let mut rng = StdRng::seed_from_u64(11);
    let from = ts("2026-02-20");
    let recs: Vec<Rec> = (0..3_000)
        .map(|_| Rec {
            t: from + rng.gen_range(0..20 * 86_400),
            sub: rng.gen_range(0..2),
            app: rng.gen_range(0..2),
            q: rng.gen_range(1..5_000_000),
            a: 0,
        })
        .collect();
    let s = site(&recs).await;
    for (name, utc_start, utc_end) in [
        ("Asia/Kolkata", "2026-02-28T18:30:00", "2026-03-04T18:30:00"),
        (
            "Asia/Kathmandu",
            "2026-02-28T18:15:00",
            "2026-03-04T18:15:00",
        ),
        (
            "America/St_Johns",
            "2026-03-01T03:30:00",
            "2026-03-05T03:30:00",
        ),
        (
            "Australia/Adelaide",
            "2026-02-28T13:30:00",
            "2026-03-04T13:30:00",
        ),
    ] {
        let zoned = s
            .usage(&format!(
                "startDate=2026-03-01&endDate=2026-03-05&timeZone={}&detailLevel=day",
                enc(name)
            ))
            .await;
        assert_eq!(zoned.len(), 8, "{name}: 4 days of 2 subscriptions");
        let utc = s
            .usage(&format!("startDate={utc_start}&endDate={utc_end}"))
            .await;
        let sum = |items: &[Value]| items.iter().map(|i| milli(&i["usageValue"])).sum::<i64>();
        assert_eq!(sum(&zoned), sum(&utc), "{name}");
        let want: i64 = recs
            .iter()
            .filter(|r| (ts(utc_start)..ts(utc_end)).contains(&r.t))
            .map(|r| r.q)
            .sum();
        assert_eq!(sum(&zoned), want, "{name}");
    }
}

#[tokio::test]
async fn bad_zones_and_records_parameters_are_named() {
    let s = site(&[]).await;
    for (path, fields) in [
        (
            "/usage/realms/zoned-org?startDate=2026-01-01&endDate=2026-01-02&timeZone=Mars%2FOlympus",
            vec!["timeZone"],
        ),
        (
            "/usage/realms/zoned-org/csv?startDate=2026-01-01&endDate=2026-01-02&timeZone=",
            vec!["timeZone"],
        ),
        (
            "/usage/realms/zoned-org/records?startDate=2026-01-01&endDate=2026-01-02&detailLevel=day&groupBy=appId&limit=101&offset=100001&timeZone=utc",
            vec!["detailLevel", "groupBy", "limit", "offset", "timeZone"],
        ),
        (
            "/usage/realms/zoned-org/records?endDate=2026-01-02&billingSubscriptionId=",
            vec!["billingSubscriptionId", "startDate"],
        ),
        (
            "/usage/realms/zoned-org?startDate=2026-01-01&endDate=2026-01-02&billingSubscriptionId=SUB-TZ-1",
            vec!["billingSubscriptionId"],
        ),
    ] {
        let (status, body) = s.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["code"], "validation");
        let mut names: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, fields, "{path}: {body}");
    }
    // Another tenant's records are not for this token.
    backend::exec(
        &s.db.pool,
        "INSERT INTO orgs (realm_id, name) VALUES ('other-org', 'Other')",
        vals![],
    );
    let (status, body) = s
        .get("/usage/realms/other-org/records?startDate=2026-01-01&endDate=2026-01-02")
        .await;
    assert_eq!(status, 403, "{body}");
}

#[tokio::test]
async fn answers_say_when_they_were_read() {
    let s = site(&every("2026-01-01", "2026-01-02", 3_600)).await;
    let before = chrono::Utc::now().timestamp();
    for path in [
        "/usage/realms/zoned-org?startDate=2026-01-01&endDate=2026-01-02",
        "/usage/realms/zoned-org/records?startDate=2026-01-01&endDate=2026-01-02",
    ] {
        let page = s.ok(path).await;
        let as_of = Timestamp::parse(page["asOf"].as_str().unwrap())
            .unwrap()
            .unix();
        assert!(
            (before - 1..=chrono::Utc::now().timestamp() + 1).contains(&as_of),
            "{path}: {page}"
        );
    }
}

/// A report in a zone: its parameters echo the zone, its CSV's buckets carry the offset, and
/// its completed status says when its data was read.
#[tokio::test]
async fn a_report_in_a_zone() {
    let s = site(&every("2026-03-27", "2026-04-01", 1_800)).await;
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!(
            "{}/usage/realms/{REALM}/reports?startDate=2026-03-28&endDate=2026-03-31&timeZone=Europe%2FBerlin&detailLevel=day",
            s.base
        ))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let status = loop {
        let st = s
            .ok(&format!("/usage/realms/{REALM}/reports/{id}/output"))
            .await;
        if st["status"] != "inProgress" {
            break st;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(status["status"], "completed", "{status}");
    assert_eq!(status["parameters"]["timeZone"], "Europe/Berlin");
    assert!(Timestamp::parse(status["asOf"].as_str().unwrap()).is_some());
    let (code, _, csv) = support::get(
        &s.base,
        &format!("/usage/realms/{REALM}/reports/{id}/download"),
        Some(&s.token),
    )
    .await;
    assert_eq!(code, 200);
    for day in [
        "2026-03-28T00:00:00+01:00",
        "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",
    ] {
        assert!(csv.contains(day), "{day} in {csv}");
    }
    // A UTC report echoes its zone too.
    let created: Value = client
        .post(format!(
            "{}/usage/realms/{REALM}/reports?startDate=2026-03-28&endDate=2026-03-31",
            s.base
        ))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let st = s
        .ok(&format!(
            "/usage/realms/{REALM}/reports/{}/output",
            created["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st["parameters"]["timeZone"], "UTC");
}

/// The random data the property tests share: records at any second of 40 days.
fn random_records(seed: u64) -> Vec<Rec> {
    let mut rng = StdRng::seed_from_u64(seed);
    let from = ts("2026-03-01");
    (0..2_500)
        .map(|_| {
            let q = rng.gen_range(1..3_000_000);
            Rec {
                t: from + rng.gen_range(0..40 * 86_400),
                sub: rng.gen_range(0..2),
                app: rng.gen_range(0..2),
                q,
                a: rng.gen_range(0..=q),
            }
        })
        .collect()
}

/// `(subscription, bucket start, app) → (usage, billable)` from a scan of the raw records.
type Sums = BTreeMap<(String, i64, String), (i64, i64)>;

/// The bucket of instant `t` in `z` at `detail` (0 when summarized).
fn bucket_of(z: Zone, t: i64, detail: DetailLevel) -> i64 {
    match detail {
        DetailLevel::Summarized => 0,
        d => z.floor(t, d),
    }
}

/// Sums `(subscription, bucket, app, usage, billable)` rows.
fn sums(rows: impl IntoIterator<Item = (String, i64, String, i64, i64)>) -> Sums {
    let mut out = Sums::new();
    for (sub, bucket, app, u, b) in rows {
        let v = out.entry((sub, bucket, app)).or_default();
        v.0 += u;
        v.1 += b;
    }
    out
}

fn scan(recs: &[Rec], z: Zone, (s, e): (i64, i64), detail: DetailLevel) -> Sums {
    sums(recs.iter().filter(|r| (s..e).contains(&r.t)).map(|r| {
        (
            SUBS[r.sub].to_owned(),
            bucket_of(z, r.t, detail),
            APPS[r.app].to_owned(),
            r.q,
            r.a,
        )
    }))
}

fn text(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap().to_owned()
}

fn item_sums(items: &[Value]) -> Sums {
    sums(items.iter().map(|i| {
        let bucket = i["usageDateTime"]
            .as_str()
            .map_or(0, |t| ZonedTime::parse(t).unwrap().unix());
        (
            text(i, "billingSubscriptionId"),
            bucket,
            text(i, "appId"),
            milli(&i["usageValue"]),
            milli(&i["billableValue"]),
        )
    }))
}

fn record_sums(records: &[Value], z: Zone, detail: DetailLevel) -> Sums {
    sums(records.iter().map(|r| {
        let t = Timestamp::parse(r["usageTime"].as_str().unwrap())
            .unwrap()
            .unix();
        (
            text(r, "billingSubscriptionId"),
            bucket_of(z, t, detail),
            text(r, "appId"),
            milli(&r["requestedQuantity"]),
            milli(&r["quantity"]),
        )
    }))
}

/// Random zones (any the database knows), ranges and detail levels: section 1's answer is
/// the scan of the raw records, and so is the records endpoint's, page by page.
#[test]
fn random_zones_and_ranges_match_a_scan_of_the_raw_records() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let recs = random_records(5);
    let s = rt.block_on(site(&recs));
    let names: Vec<&str> = usage_api::zone::zone_names().collect();
    let cases = proptest::collection::vec(
        (
            0..names.len(),
            0_i64..38 * 86_400,
            1_i64..12 * 86_400,
            0..4_usize,
        ),
        12,
    );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 2,
        ..ProptestConfig::default()
    });
    runner
        .run(&cases, |cases| {
            for (zi, offset, len, detail) in cases {
                let (name, z) = (names[zi], zone(names[zi]));
                let detail = [
                    DetailLevel::Summarized,
                    DetailLevel::Hour,
                    DetailLevel::Day,
                    DetailLevel::Month,
                ][detail];
                // Wall-clock range in the zone, at any second.
                let start = Timestamp::from_unix(ts("2026-03-01") + offset).unwrap();
                let len = if detail == DetailLevel::Hour {
                    len % (2 * 86_400) + 1
                } else {
                    len
                };
                let end = Timestamp::from_unix(start.unix() + len).unwrap();
                let instants = (z.instant_of(start), z.instant_of(end));
                if instants.0 >= instants.1 {
                    continue;
                }
                let q = format!(
                    "startDate={start}&endDate={end}&timeZone={}&detailLevel={}&groupBy=appId",
                    enc(name),
                    detail.as_str()
                );
                let items = rt.block_on(s.usage(&q));
                let want = scan(&recs, z, instants, detail);
                prop_assert_eq!(&item_sums(&items), &want, "{}", q);
                let rq = format!("startDate={start}&endDate={end}&timeZone={}", enc(name));
                let records = rt.block_on(s.records(&rq));
                prop_assert_eq!(&record_sums(&records, z, detail), &want, "{}", rq);
                // Newest first, ids unique.
                let times: Vec<&str> = records
                    .iter()
                    .map(|r| r["usageTime"].as_str().unwrap())
                    .collect();
                prop_assert!(times.windows(2).all(|w| w[0] >= w[1]));
            }
            Ok(())
        })
        .unwrap();
}

/// A row of the table and the records behind it: the row's subscription, dimensions and
/// bucket as filters give records whose sum is the row's figure.
#[tokio::test]
async fn the_records_behind_a_row_sum_to_it() {
    let recs = random_records(9);
    let s = site(&recs).await;
    let items = s
        .usage("startDate=2026-03-05&endDate=2026-03-12&timeZone=Asia%2FKolkata&detailLevel=day&groupBy=appId")
        .await;
    assert!(items.len() > 20, "{}", items.len());
    let z = zone("Asia/Kolkata");
    for item in items.iter().step_by(3) {
        let start = ZonedTime::parse(item["usageDateTime"].as_str().unwrap()).unwrap();
        let end = z.next(start.unix(), DetailLevel::Day);
        let end = z.stamp(end).unwrap().local;
        let q = format!(
            "startDate={}&endDate={end}&timeZone=Asia%2FKolkata&billingSubscriptionId={}&appId={}",
            start.local,
            item["billingSubscriptionId"].as_str().unwrap(),
            item["appId"].as_str().unwrap()
        );
        let records = s.records(&q).await;
        let requested: i64 = records.iter().map(|r| milli(&r["requestedQuantity"])).sum();
        let accepted: i64 = records.iter().map(|r| milli(&r["quantity"])).sum();
        assert_eq!(requested, milli(&item["usageValue"]), "{q}");
        assert_eq!(accepted, milli(&item["billableValue"]), "{q}");
        assert!(
            records
                .iter()
                .all(|r| r["billingSubscriptionId"] == item["billingSubscriptionId"])
        );
    }
}

/// Records written through `POST /usages` keep every rollup the zones read (the quarter
/// hours too): a :45 zone's days and hours sum as the raw records do.
#[tokio::test]
async fn recorded_usage_is_bucketed_exactly_in_any_zone() {
    let s = site(&[]).await;
    let client = reqwest::Client::new();
    let now = chrono::Utc::now().timestamp();
    let mut rng = StdRng::seed_from_u64(3);
    let mut recs = Vec::new();
    for n in 0..150 {
        let t = now - rng.gen_range(60..9 * 86_400);
        let q = rng.gen_range(1..5_000) * 1_000;
        let body = serde_json::json!({
            "subscriptionId": SUBS[n % 2],
            "quantity": q / 1_000,
            "usageTime": Timestamp::from_unix(t).unwrap().to_string(),
            "appId": APPS[n % 2],
            "id": format!("zoned-{n}"),
        });
        let (status, body) = support::post(&client, &s.base, &s.token, &body)
            .await
            .unwrap();
        assert_eq!(status, 201, "{body}");
        recs.push(Rec {
            t,
            sub: n % 2,
            app: n % 2,
            q,
            a: q,
        });
    }
    let z = zone("Asia/Kathmandu");
    let today = z.local(now).date();
    let (start, end) = (today - chrono::Days::new(10), today + chrono::Days::new(1));
    for detail in [DetailLevel::Day, DetailLevel::Hour] {
        let (start, end) = if detail == DetailLevel::Hour {
            (end - chrono::Days::new(3), end)
        } else {
            (start, end)
        };
        let (start, end) = (Timestamp::start_of(start), Timestamp::start_of(end));
        let items = s
            .usage(&format!(
                "startDate={start}&endDate={end}&timeZone=Asia%2FKathmandu&detailLevel={}&groupBy=appId",
                detail.as_str()
            ))
            .await;
        let want = scan(&recs, z, (z.instant_of(start), z.instant_of(end)), detail);
        assert_eq!(item_sums(&items), want, "{detail:?}");
    }
}
