//! The real `usage-server` binary as an operator runs it, for the operability and fault tests:
//! a process of its own over a temporary database, that a test can signal, kill and restart.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use usage_server::{auth, db, demo};

/// The binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_usage-server");

/// One test's database, report folder and (empty) portal folder, kept across restarts.
pub struct Site {
    pub dir: tempfile::TempDir,
}

/// A running server, killed when dropped.
pub struct Proc {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `127.0.0.1:PORT`.
    pub addr: std::net::SocketAddr,
    /// The token this start's `--demo` printed.
    pub demo_token: String,
    /// What it printed on stdout before it listened.
    pub stdout: Vec<String>,
    /// Its log (stdout after it listened, and stderr), as it comes.
    pub stderr: Arc<Mutex<Vec<String>>>,
    pub child: Child,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Default for Site {
    fn default() -> Self {
        Self::new()
    }
}

impl Site {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("dist")).unwrap();
        Self { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db_path(&self) -> PathBuf {
        self.path("usage.db")
    }

    /// Starts the server with demo data and `args`, on a free port; waits until it listens.
    pub fn start(&self, args: &[&str]) -> Proc {
        self.start_with_env(args, &[("RUST_LOG", "warn")])
    }

    pub fn start_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Proc {
        let mut c = Command::new(BIN);
        c.arg("--db")
            .arg(self.db_path())
            .arg("--report-dir")
            .arg(self.path("reports"))
            .arg("--static-dir")
            .arg(self.path("dist"))
            .arg("--portal-config")
            .arg(self.path("config.json"))
            .args([
                "--demo",
                "--demo-records",
                "10000",
                "--listen",
                "127.0.0.1:0",
            ])
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Nothing from the test's own environment decides what these starts do.
        for (k, _) in std::env::vars() {
            if k.starts_with("USAGE_") {
                c.env_remove(k);
            }
        }
        let mut child = c.spawn().expect("start usage-server");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = stderr.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                eprintln!("[server] {line}");
                sink.lock().unwrap().push(line);
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut stdout = Vec::new();
        let mut demo_token = None;
        let base = loop {
            let Some(Ok(line)) = lines.next() else {
                let status = child.wait().unwrap();
                panic!("usage-server {args:?} stopped before it listened: {status}");
            };
            stdout.push(line.clone());
            if line.starts_with("Demo token") {
                demo_token = line.rsplit(": ").next().map(|t| t.trim().to_owned());
            }
            if let Some(url) = line.strip_prefix("Usage Portal on ") {
                break url.trim().trim_end_matches('/').to_owned();
            }
        };
        // The log goes to stdout (tracing's default), after what the start printed.
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Proc {
            addr: base.trim_start_matches("http://").parse().unwrap(),
            base,
            demo_token: demo_token.expect("a demo token"),
            stdout,
            stderr,
            child,
        }
    }

    /// A database connection of the test's own, beside the server's.
    pub fn pool(&self) -> db::Pool {
        db::open(&self.db_path()).unwrap()
    }

    /// A token of the demo partner that outlives restarts (a `--demo` start revokes the last
    /// start's demo token).
    pub fn token(&self, label: &str) -> String {
        auth::create_token(
            &self.pool().get().unwrap(),
            demo::PARTNER,
            auth::SCOPES,
            label,
        )
        .unwrap()
    }

    /// A fresh subscription of the partner, without a limit and with no usage yet.
    pub fn subscription(&self, id: &str) -> String {
        demo::add_subscription(
            &self.pool().get().unwrap(),
            demo::PARTNER,
            id,
            id,
            "1",
            None,
        )
        .unwrap();
        id.to_owned()
    }
}

impl Proc {
    /// Waits up to `within` for the process to end.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let until = Instant::now() + within;
        while Instant::now() < until {
            if let Some(st) = self.child.try_wait().unwrap() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Sends `signal` (TERM, INT, …) the way an operator would.
    pub fn signal(&self, signal: &str) {
        let st = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(st.success(), "kill -{signal}");
    }

    /// True when a line of its log contains `needle`.
    pub fn logged(&self, needle: &str) -> bool {
        self.stderr
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains(needle))
    }
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

/// Keeps `path` free of a leftover immutable flag whatever happens to the test.
pub struct Immutable(pub Vec<PathBuf>);

impl Immutable {
    /// `chattr +i` on each existing file: true when it took (root on a file system with
    /// attributes).
    pub fn set(paths: &[&Path]) -> Option<Self> {
        let mut done = Vec::new();
        for p in paths.iter().filter(|p| p.exists()) {
            let ok = Command::new("chattr")
                .arg("+i")
                .arg(p)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                drop(Self(done));
                return None;
            }
            done.push(p.to_path_buf());
        }
        Some(Self(done))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = Command::new("chattr").arg("-i").arg(p).status();
        }
    }
}
