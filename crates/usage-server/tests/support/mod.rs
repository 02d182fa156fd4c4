//! A server of a test's own, in this process and on the test's runtime, over a fresh database:
//! for the tests that vary its state or options (the older tests share one, in `common`).
//! The wide rows that make a CSV larger than any socket buffers, and the HTTP helpers of the
//! tests of a server of their own (in this process or a real one).

#![allow(dead_code)]

use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use usage_server::store::sql::{Conn, TxKind};
use usage_server::vals;
use usage_server::{AppOptions, AppState, Bound, auth, db, demo};

/// A fresh database (see [`crate::backend`]) with a temporary folder of its own, removed
/// with it.
pub struct Db {
    pub dir: tempfile::TempDir,
    /// What `--db` takes: the SQLite file's path or the PostgreSQL database's URL.
    pub url: String,
    pub pool: db::Pool,
}

impl Db {
    /// With only what the migrations put there.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::backend::fresh(dir.path());
        let pool = crate::backend::open(&url);
        Self { dir, url, pool }
    }

    /// With 10,000 demo records up to `until` from `seed`, loaded off the runtime's threads.
    pub async fn with_demo(until: chrono::NaiveDateTime, seed: u64) -> Self {
        let db = Self::new();
        let pool = db.pool.clone();
        db::spawn_blocking(move || {
            demo::load(
                &pool,
                &demo::DemoOptions {
                    records: 10_000,
                    until,
                    seed,
                },
            )
        })
        .await
        .unwrap()
        .unwrap();
        db
    }

    pub fn reports(&self) -> PathBuf {
        self.dir.path().join("reports")
    }

    /// The state a server over this database starts from.
    pub fn state(&self) -> AppState {
        AppState::new(self.pool.clone(), self.reports()).unwrap()
    }

    /// A token of `realm` with every scope.
    pub fn token(&self, realm: &str) -> String {
        crate::backend::run(&self.pool, |c| {
            auth::create_token(c, realm, auth::SCOPES, "t")
        })
        .unwrap()
    }
}

/// Serves `state` under `opts` on a free port, on this runtime; its address.
pub async fn serve(state: AppState, opts: &AppOptions) -> SocketAddr {
    Bound::bind("127.0.0.1:0".parse().unwrap(), state, opts)
        .await
        .unwrap()
        .spawn()
}

/// Result records [`add_wide_rows`] adds: enough that their CSV (over 10 MB) cannot sit whole
/// in the socket buffers of a client that reads nothing, within the contract's 20,000.
pub const WIDE_ROWS: i64 = 15_000;

/// The day the wide rows are on: a whole day of last month, by the run's clock.
pub fn wide_day() -> chrono::NaiveDateTime {
    usage_test_clock::midnight(usage_test_clock::months_ago(1))
}

/// The row id of the partner's first subscription.
pub fn first_subscription(conn: &mut Conn<'_>) -> i64 {
    conn.one(
        "SELECT id FROM subscriptions WHERE realm_id = ?1 ORDER BY id LIMIT 1",
        vals![demo::PARTNER],
        |r| r.get(0),
    )
    .unwrap()
}

/// [`WIDE_ROWS`] resources of the partner's first subscription on [`wide_day`], each with a
/// long billing tag, straight into the daily rollup (what a day-level query reads).
pub fn add_wide_rows(pool: &db::Pool) {
    let mut pooled = pool.get().unwrap();
    // A write transaction: a deferred one that reads first and then writes is refused at once
    // on SQLite (SQLITE_BUSY, no waiting) when the running server writes in between.
    pooled
        .conn()
        .transaction(TxKind::Write, |tx| {
            let sub = first_subscription(tx);
            let t = wide_day().and_utc().timestamp();
            let tag = "t".repeat(600);
            for i in 0..WIDE_ROWS {
                tx.exec(
                    "INSERT INTO usage_daily (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id, usage_milli, billable_milli)
                     VALUES (?1, ?2, 'wide', '', ?3, ?4, 'hot', 1000, 1000)",
                    vals![sub, t, &tag, &format!("vehicle-{i:05}")],
                )?;
            }
            Ok::<_, usage_server::store::sql::Error>(())
        })
        .unwrap();
}

/// An hour ago: inside the window the service accepts.
pub fn an_hour_ago() -> chrono::NaiveDateTime {
    usage_test_clock::now() - chrono::TimeDelta::hours(1)
}

/// The whole day of `t`.
pub fn day_of(t: chrono::NaiveDateTime) -> (chrono::NaiveDateTime, chrono::NaiveDateTime) {
    let from = usage_test_clock::midnight(t.date());
    (from, from + chrono::TimeDelta::days(1))
}

pub fn milli(v: &Value) -> i64 {
    usage_api::Quantity::parse(v.as_str().unwrap_or_else(|| panic!("a quantity: {v}")))
        .unwrap()
        .milli()
}

/// A recording of one unit on `sub` at `at`, with the client's `id`.
pub fn recording(sub: &str, at: chrono::NaiveDateTime, id: &str) -> Value {
    json!({"subscriptionId": sub, "quantity": 1, "usageTime": usage_test_clock::stamp(at), "id": id})
}

/// `POST /usages`: the status and body, or None when the connection failed.
pub async fn post(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    body: &Value,
) -> Option<(u16, Value)> {
    let resp = client
        .post(format!("{base}/usages"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .ok()?;
    let status = resp.status().as_u16();
    Some((status, resp.json().await.ok()?))
}

/// `GET path` with a token: status, headers and body text.
pub async fn get(
    base: &str,
    path: &str,
    token: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

/// The subscription's accepted total over `[from, to)`, as the usage page sums it.
pub async fn billable_via_api(
    base: &str,
    token: &str,
    sub: &str,
    (from, to): (chrono::NaiveDateTime, chrono::NaiveDateTime),
) -> i64 {
    let path = format!(
        "/usage/realms/{}?{}&limit=100",
        demo::PARTNER,
        usage_test_clock::range(from, to)
    );
    let (status, _, text) = get(base, &path, Some(token)).await;
    assert_eq!(status, 200, "GET {path}: {text}");
    let page: Value = serde_json::from_str(&text).unwrap();
    assert!(page["nextOffset"].is_null(), "one page: {page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["billingSubscriptionId"] == sub)
        .map(|i| milli(&i["billableValue"]))
        .sum()
}

/// Asserts a response is the contract's error `code` with `status` and a `Retry-After` in
/// seconds.
pub fn assert_contract_error(
    (status, headers, text): &(u16, reqwest::header::HeaderMap, String),
    want_status: u16,
    code: &str,
) {
    assert_eq!(*status, want_status, "{text}");
    let retry: u64 = headers
        .get("retry-after")
        .unwrap_or_else(|| panic!("Retry-After on the {status}"))
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{headers:?}"
    );
    let body: Value = serde_json::from_str(text).unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert!(!body["message"].as_str().unwrap_or("").is_empty(), "{body}");
}
