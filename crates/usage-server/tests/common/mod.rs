//! A real server on a real database (a SQLite file, or PostgreSQL: see `backend`), on a free loopback port, shared by a test binary.

#![allow(dead_code)]

use std::sync::OnceLock;
use usage_server::{AppOptions, AppState, Bound, auth, db, demo};

pub struct TestServer {
    pub base: String,
    /// The partner org's token (all scopes).
    pub token: String,
    /// A token of the unrelated org.
    pub foreign_token: String,
    /// A partner token with no scopes.
    pub scopeless_token: String,
    /// What `--db` takes for it: a SQLite file's path or a PostgreSQL URL.
    pub db_url: String,
    pub pool: db::Pool,
}

/// The start of the month `back` months before the run's month (the run's clock, read once:
/// every date these tests use derives from it, never from a literal the calendar overtakes).
pub fn month(back: u32) -> chrono::NaiveDateTime {
    usage_test_clock::midnight(usage_test_clock::months_ago(back))
}

/// The demo data ends where the run's month begins: twelve whole months of it before, and a
/// current month that holds only what the tests record.
pub fn demo_until() -> chrono::NaiveDateTime {
    month(0)
}

/// `t` plus `days` days and `secs` seconds.
pub fn after(t: chrono::NaiveDateTime, days: i64, secs: i64) -> chrono::NaiveDateTime {
    t + chrono::TimeDelta::days(days) + chrono::TimeDelta::seconds(secs)
}

#[allow(unused_imports)] // each test binary uses some of them
pub use usage_test_clock::{range, stamp};

/// A query string made once from the run's clock, used as a `&str` constant would be:
/// `format!("{RANGE}")` and `&RANGE`.
pub struct Query(std::sync::LazyLock<String>);

impl Query {
    pub const fn new(make: fn() -> String) -> Self {
        Self(std::sync::LazyLock::new(make))
    }
}

impl std::ops::Deref for Query {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

static SERVER: OnceLock<TestServer> = OnceLock::new();

/// Starts the shared server on first use.
pub fn server() -> &'static TestServer {
    SERVER.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(async move {
                let dir = tempfile::tempdir().expect("tempdir");
                let db_url = crate::backend::fresh(dir.path());
                let pool = crate::backend::open(&db_url);
                let until = demo_until();
                demo::load(
                    &pool,
                    &demo::DemoOptions {
                        records: 40_000,
                        until,
                        seed: 7,
                    },
                )
                .expect("demo");
                let mut pooled = pool.get().unwrap();
                let mut conn = pooled.conn();
                let token =
                    auth::create_token(&mut conn, demo::PARTNER, auth::SCOPES, "test").unwrap();
                let foreign_token =
                    auth::create_token(&mut conn, demo::FOREIGN, auth::SCOPES, "test").unwrap();
                let scopeless_token =
                    auth::create_token(&mut conn, demo::PARTNER, &[], "test").unwrap();
                drop(pooled);
                let opts = AppOptions {
                    static_dir: None,
                    cors_origins: vec!["*".to_owned()],
                    strict_csp: false,
                    base_path: None,
                };
                let bound = Bound::bind(
                    "127.0.0.1:0".parse().unwrap(),
                    AppState {
                        csv_max_records: 1_000,
                        ..AppState::new(pool.clone(), dir.path().join("reports")).unwrap()
                    },
                    &opts,
                )
                .await
                .expect("bind");
                let addr = bound.addr;
                tx.send(TestServer {
                    base: format!("http://{addr}"),
                    token,
                    foreign_token,
                    scopeless_token,
                    db_url,
                    pool,
                })
                .unwrap();
                bound.serve(std::future::pending()).await.unwrap();
                drop(dir);
            });
        });
        rx.recv().expect("server started")
    })
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

impl TestServer {
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        client()
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    /// GETs `path` with the partner's token and decodes the JSON body; fails unless 2xx.
    pub async fn json(&self, path: &str) -> serde_json::Value {
        serde_json::from_str(&self.text(path).await).unwrap()
    }

    /// GETs `path` with the partner's token and returns the body as text; fails unless 2xx,
    /// naming the path, the status and the body.
    pub async fn text(&self, path: &str) -> String {
        let r = self.get(path).send().await.unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert!(status.is_success(), "GET {path}: {status}: {body}");
        body
    }
}

/// The names in an error body's `fields`, sorted.
pub fn field_names(body: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = body["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
