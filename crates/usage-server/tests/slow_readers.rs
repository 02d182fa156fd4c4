//! Slow readers and an exhausted pool (issue 13): a client that opens a large CSV and reads
//! nothing must not hold a database connection, must be cut at the stream's deadline, and may
//! hold only its token's share of streams; a pool with no connection free answers 503.
//!
//! Each test runs its own server on its own SQLite file, with a small pool, so that a pinned
//! connection shows at once.

mod backend;
mod support;

use std::time::Duration;
use support::{Db, add_wide_rows, assert_contract_error, serve, wide_day};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use usage_server::streams::{CsvStreamLimits, CsvStreams};
use usage_server::{AppOptions, AppState, auth, db, demo};

/// How long an ordinary request may take while the slow readers hang on.
const PROMPT: Duration = Duration::from_secs(2);

struct Server {
    base: String,
    addr: std::net::SocketAddr,
    pool: db::Pool,
    _dir: tempfile::TempDir,
}

/// A day-level CSV of [`wide_day`] grouped by billing tag and resource: one row per wide record.
fn csv_query() -> String {
    let day = wide_day();
    format!(
        "/usage/realms/{}/csv?{}&detailLevel=day&groupBy=billingTag,resource",
        demo::PARTNER,
        usage_test_clock::range(day, day + chrono::TimeDelta::days(1))
    )
}

/// A usage page over the same day.
fn page_query() -> String {
    let day = wide_day();
    format!(
        "/usage/realms/{}?{}&limit=10",
        demo::PARTNER,
        usage_test_clock::range(day, day + chrono::TimeDelta::days(1))
    )
}

/// A server on a fresh database with demo data up to the run's "now", the wide rows, and a
/// pool of `pool` under `limits`.
async fn start(pool: db::PoolOptions, limits: CsvStreamLimits) -> Server {
    // Loaded through a pool of its own: the server's may be too small or too impatient.
    let db = Db::with_demo(usage_test_clock::now(), 11).await;
    let p = db.pool.clone();
    db::spawn_blocking(move || add_wide_rows(&p)).await.unwrap();
    let db_pool = crate::backend::open_with(&db.url, &pool);
    let state = AppState {
        csv_streams: CsvStreams::new(limits),
        ..AppState::new(db_pool.clone(), db.reports()).unwrap()
    };
    let opts = AppOptions {
        static_dir: None,
        cors_origins: vec!["*".to_owned()],
        strict_csp: false,
        base_path: None,
    };
    let addr = serve(state, &opts).await;
    Server {
        base: format!("http://{addr}"),
        addr,
        pool: db_pool,
        _dir: db.dir,
    }
}

impl Server {
    fn token(&self) -> String {
        let mut pooled = self.pool.get().unwrap();
        auth::create_token(
            &mut pooled.conn(),
            demo::PARTNER,
            auth::SCOPES,
            "slow-readers",
        )
        .unwrap()
    }

    /// Opens the CSV on a raw socket with a small receive buffer and reads only the response
    /// head: the server is then streaming to a client that reads nothing more. Returns the
    /// socket, the status and the head.
    async fn stalled_csv(&self, token: &str) -> (TcpStream, u16, String) {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut s = socket.connect(self.addr).await.unwrap();
        let req = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\r\n",
            csv_query(),
            self.addr
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut byte))
                .await
                .expect("the response head in time")
                .unwrap();
            assert!(n == 1, "the connection closed before the response head");
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).unwrap();
        let status = head[9..12].parse().unwrap();
        (s, status, head)
    }

    async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
}

/// The value of header `name` in a raw response head.
fn head_value<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Asserts the contract's error body with `code`, a usable `Retry-After`, and no internal
/// detail in it.
async fn assert_error(resp: reqwest::Response, status: u16, code: &str) {
    let answer = (
        resp.status().as_u16(),
        resp.headers().clone(),
        resp.text().await.unwrap(),
    );
    assert_contract_error(&answer, status, code);
    let body: serde_json::Value = serde_json::from_str(&answer.2).unwrap();
    assert!(body["description"].is_string(), "{body}");
    assert!(
        body["fields"].as_array().is_some_and(|f| f.is_empty()),
        "{body}"
    );
    let text = body.to_string().to_lowercase();
    for leak in ["r2d2", "sqlite", "timed out", "database is locked"] {
        assert!(!text.contains(leak), "internal detail sent: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_that_never_read_a_csv_hold_no_connection() {
    let srv = start(
        db::PoolOptions {
            max_size: 2,
            connection_timeout: Duration::from_secs(5),
        },
        CsvStreamLimits {
            per_token: 2,
            deadline: Duration::from_secs(120),
        },
    )
    .await;
    // Three times as many stalled streams as the pool has connections, two per token.
    let tokens: Vec<String> = (0..3).map(|_| srv.token()).collect();
    let mut stalled = Vec::new();
    for token in tokens.iter().chain(&tokens) {
        let (s, status, head) = srv.stalled_csv(token).await;
        assert_eq!(status, 200, "{head}");
        let len: u64 = head_value(&head, "content-length")
            .unwrap()
            .parse()
            .unwrap();
        assert!(len > 8_000_000, "the CSV is large: {len} bytes");
        stalled.push(s);
    }
    let reader = srv.token();
    for path in ["/orgs/me".to_owned(), page_query()] {
        let started = std::time::Instant::now();
        let resp = tokio::time::timeout(PROMPT, srv.get(&path, &reader))
            .await
            .unwrap_or_else(|_| panic!("GET {path} took over {PROMPT:?} behind slow readers"));
        assert_eq!(resp.status(), 200, "GET {path}");
        assert!(started.elapsed() < PROMPT);
    }
    // Every connection is back in the pool while the six streams still hang. A request's
    // connection returns as its blocking task ends, which may be just after the answer left:
    // allow it a moment.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let mut state = srv.pool.state();
    while state.idle_connections != state.connections && std::time::Instant::now() < until {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        state = srv.pool.state();
    }
    assert_eq!(state.idle_connections, state.connections, "{state:?}");
    drop(stalled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_over_its_share_of_streams_is_429_and_others_are_not() {
    let srv = start(
        db::PoolOptions::default(),
        CsvStreamLimits {
            per_token: 2,
            deadline: Duration::from_secs(120),
        },
    )
    .await;
    let (mine, other) = (srv.token(), srv.token());
    let (first, s1, _) = srv.stalled_csv(&mine).await;
    let (_second, s2, _) = srv.stalled_csv(&mine).await;
    assert_eq!((s1, s2), (200, 200));

    assert_error(srv.get(&csv_query(), &mine).await, 429, "rateLimited").await;

    // Another token of the same org has its own share.
    let resp = srv.get(&csv_query(), &other).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    drop(resp);
    // Ordinary requests of the capped token still pass.
    assert_eq!(srv.get("/orgs/me", &mine).await.status(), 200);

    // A client that goes away frees its slot.
    drop(first);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let resp = srv.get(&csv_query(), &mine).await;
        if resp.status() == 200 {
            break;
        }
        assert_eq!(resp.status(), 429);
        assert!(
            std::time::Instant::now() < deadline,
            "the slot of a closed stream was never freed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_stream_deadline_cuts_a_stalled_reader() {
    let deadline = Duration::from_secs(1);
    let srv = start(
        db::PoolOptions::default(),
        CsvStreamLimits {
            per_token: 1,
            deadline,
        },
    )
    .await;
    let token = srv.token();
    let (mut s, status, head) = srv.stalled_csv(&token).await;
    assert_eq!(status, 200, "{head}");
    let len: u64 = head_value(&head, "content-length")
        .unwrap()
        .parse()
        .unwrap();
    tokio::time::sleep(deadline + Duration::from_millis(1500)).await;

    // The server ended the stream on its own, the client still reading nothing: its slot is
    // free again (the token's share is one).
    let resp = srv.get(&csv_query(), &token).await;
    assert_eq!(
        resp.status(),
        200,
        "the stalled stream still holds its slot"
    );
    drop(resp);

    // Reading now gets what was buffered before the cut, then the end: never the whole CSV.
    let mut got = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    let read_all = async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n as u64,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read_all)
        .await
        .expect("the server ends a stalled stream after its deadline");
    assert!(
        got < len,
        "a stalled reader got the whole CSV ({got} of {len} bytes)"
    );

    // A client that reads at once gets the whole CSV well within the deadline, and its
    // kept-alive connection is not cut later for the stream it finished.
    let client = reqwest::Client::new();
    let fetch = || {
        client
            .get(format!("{}{}", srv.base, csv_query()))
            .bearer_auth(&token)
            .send()
    };
    let whole = fetch().await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.bytes().await.unwrap().len() as u64, len);
    tokio::time::sleep(deadline + Duration::from_millis(500)).await;
    let again = client
        .get(format!("{}/orgs/me", srv.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_exhausted_pool_is_503_with_retry_after() {
    let srv = start(
        db::PoolOptions {
            max_size: 2,
            connection_timeout: Duration::from_millis(300),
        },
        CsvStreamLimits::default(),
    )
    .await;
    let token = srv.token();
    let pool = srv.pool.clone();
    let held = db::spawn_blocking(move || (0..2).map(|_| pool.get().unwrap()).collect::<Vec<_>>())
        .await
        .unwrap();
    for path in ["/orgs/me".to_owned(), page_query(), csv_query()] {
        let started = std::time::Instant::now();
        assert_error(srv.get(&path, &token).await, 503, "unavailable").await;
        assert!(
            started.elapsed() < PROMPT,
            "GET {path} waited {:?} for a connection",
            started.elapsed()
        );
    }
    drop(held);
    assert_eq!(srv.get("/orgs/me", &token).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_busy_database_is_503_not_500() {
    sqlite_only!("another process holding SQLite's write lock");
    let srv = start(db::PoolOptions::default(), CsvStreamLimits::default()).await;
    let token = srv.token();
    let sub: String = srv
        .pool
        .sqlite()
        .unwrap()
        .get()
        .unwrap()
        .query_row(
            "SELECT billing_subscription_id FROM subscriptions WHERE realm_id = ?1 ORDER BY id LIMIT 1",
            [demo::PARTNER],
            |r| r.get(0),
        )
        .unwrap();
    // Another process's write transaction, held past SQLite's busy timeout.
    let path = srv._dir.path().join("usage.db");
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let conn = r2d2_sqlite::rusqlite::Connection::open(path).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked_tx.send(()).unwrap();
        let _ = release_rx.recv_timeout(Duration::from_secs(30));
        conn.execute_batch("ROLLBACK").unwrap();
    });
    locked_rx.recv().unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}/usages", srv.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"subscriptionId": sub, "quantity": "1"}))
        .send()
        .await
        .unwrap();
    assert_error(resp, 503, "unavailable").await;
    release_tx.send(()).unwrap();
    holder.join().unwrap();
    // Reads went on meanwhile, and service resumes once the lock is gone.
    let resp = reqwest::Client::new()
        .post(format!("{}/usages", srv.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"subscriptionId": sub, "quantity": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
}
