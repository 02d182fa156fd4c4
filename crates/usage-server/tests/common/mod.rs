//! A real server on a real SQLite file, on a free loopback port, shared by a test binary.

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
    pub db_path: std::path::PathBuf,
    pub pool: db::Pool,
}

/// The demo ends here, so counts are stable whatever the date.
pub const DEMO_UNTIL: &str = "2026-11-01T00:00:00";

static SERVER: OnceLock<TestServer> = OnceLock::new();

/// Starts the shared server on first use.
pub fn server() -> &'static TestServer {
    SERVER.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(async move {
                let dir = tempfile::tempdir().expect("tempdir");
                let db_path = dir.path().join("usage.db");
                let pool = db::open(&db_path).expect("open db");
                let until = usage_api::Timestamp::parse(DEMO_UNTIL).unwrap().naive();
                demo::load(
                    &pool,
                    &demo::DemoOptions {
                        records: 40_000,
                        until,
                        seed: 7,
                    },
                )
                .expect("demo");
                let conn = pool.get().unwrap();
                let token = auth::create_token(&conn, demo::PARTNER, auth::SCOPES, "test").unwrap();
                let foreign_token =
                    auth::create_token(&conn, demo::FOREIGN, auth::SCOPES, "test").unwrap();
                let scopeless_token =
                    auth::create_token(&conn, demo::PARTNER, &[], "test").unwrap();
                drop(conn);
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
                    db_path,
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
