//! The real `usage-server` binary run as an operator runs it: a process of its own on a free
//! port over a temporary database, that a test can signal, kill and restart; and its token
//! subcommands.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use usage_server::{auth, db, demo};

/// The binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_usage-server");

/// One test's database, report folder and portal folder, kept across restarts.
pub struct Site {
    pub dir: tempfile::TempDir,
    /// What `--db` takes: the SQLite file (`usage.db` in `dir`) or a PostgreSQL URL.
    pub db: String,
}

/// A running server, killed when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `127.0.0.1:PORT`.
    pub addr: std::net::SocketAddr,
    /// The token this start's `--demo` printed.
    pub demo_token: Option<String>,
    /// What it printed on stdout before it listened.
    pub stdout: Vec<String>,
    /// Its log (stdout after it listened, and stderr), as it comes.
    pub log: Arc<Mutex<Vec<String>>>,
    pub child: Child,
}

impl Drop for Server {
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
    /// With an empty portal folder: every path is the API's.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("dist")).unwrap();
        let db = crate::backend::fresh(dir.path());
        Self { dir, db }
    }

    /// With a built portal's stand-in in its portal folder.
    pub fn with_portal() -> Self {
        let site = Self::new();
        std::fs::write(
            site.path("dist").join("index.html"),
            "<!doctype html><title>portal</title>",
        )
        .unwrap();
        site
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The SQLite file (for the tests about SQLite's file itself).
    pub fn db_path(&self) -> PathBuf {
        self.path("usage.db")
    }

    fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--db").arg(&self.db).env("RUST_LOG", "warn");
        // Nothing from the test's own environment decides what these runs do.
        for (k, _) in std::env::vars() {
            if k.starts_with("USAGE_") {
                c.env_remove(k);
            }
        }
        c
    }

    /// Starts `serve` with `args` and `env` (demo data, if `args` ask for it, up to the run's
    /// "now"), and waits until it listens.
    pub fn start(&self, args: &[&str], env: &[(&str, &str)]) -> Server {
        let until = usage_test_clock::stamp(usage_test_clock::now());
        self.spawn(&["--demo-until", &until], args, env)
    }

    /// Starts `serve --demo` with `args`: demo data up to the server's own clock, and the
    /// portal's config.json beside the database, out of the portal folder.
    pub fn start_demo(&self, args: &[&str]) -> Server {
        self.start_demo_with_env(args, &[])
    }

    pub fn start_demo_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Server {
        let config = self.path("config.json");
        self.spawn(
            &["--demo", "--portal-config", config.to_str().unwrap()],
            args,
            env,
        )
    }

    fn spawn(&self, start: &[&str], args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut c = self.command();
        c.arg("--report-dir")
            .arg(self.path("reports"))
            .arg("--static-dir")
            .arg(self.path("dist"))
            .args(["--demo-records", "10000", "--listen", "127.0.0.1:0"])
            .args(start)
            .args(args)
            .envs(env.iter().copied());
        launch(c, args)
    }

    /// Starts `serve` with `args` when it must not start: waits up to `within` for it to end
    /// (a test failure, and the process killed, if it is still running then, or if it
    /// listened). Its exit status and everything it wrote, stderr then stdout.
    pub fn start_failing(
        &self,
        args: &[&str],
        within: Duration,
    ) -> (std::process::ExitStatus, String) {
        let mut child = self
            .command()
            .arg("--report-dir")
            .arg(self.path("reports"))
            .arg("--static-dir")
            .arg(self.path("dist"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start usage-server");
        let read = |pipe: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = BufReader::new(pipe).read_to_string(&mut text);
                text
            })
        };
        let err = read(Box::new(child.stderr.take().unwrap()));
        let out = read(Box::new(child.stdout.take().unwrap()));
        let until = Instant::now() + within;
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if Instant::now() >= until {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "usage-server {args:?} still running after {within:?}: {}",
                    out.join().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let text = format!("{}{}", err.join().unwrap(), out.join().unwrap());
        assert!(
            !text.contains("Usage Portal on "),
            "usage-server {args:?} listened before it stopped: {text}"
        );
        (status, text)
    }

    /// Runs a subcommand to its end.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = self
            .command()
            .args(args)
            .output()
            .expect("run usage-server");
        assert!(
            out.status.success(),
            "usage-server {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Runs a subcommand that must fail.
    pub fn run_failing(&self, args: &[&str]) -> Output {
        let out = self
            .command()
            .args(args)
            .output()
            .expect("run usage-server");
        assert!(!out.status.success(), "usage-server {args:?} should fail");
        out
    }

    /// A database connection of the test's own, beside the server's.
    pub fn pool(&self) -> db::Pool {
        crate::backend::open(&self.db)
    }

    /// A token of the demo partner that outlives restarts (a `--demo` start revokes the last
    /// start's demo token).
    pub fn token(&self, label: &str) -> String {
        crate::backend::run(&self.pool(), |c| {
            auth::create_token(c, demo::PARTNER, auth::SCOPES, label)
        })
        .unwrap()
    }

    /// A fresh subscription of the partner, without a limit and with no usage yet.
    pub fn subscription(&self, id: &str) -> String {
        crate::backend::run(&self.pool(), |c| {
            demo::add_subscription(c, demo::PARTNER, id, id, "1", None)
        })
        .unwrap();
        id.to_owned()
    }
}

/// Starts `c`, a `serve` command (`args` are its own, for the failure's words), and waits
/// until it listens.
pub fn launch(mut c: Command, args: &[&str]) -> Server {
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("start usage-server");
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
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
    // The log goes to stdout (tracing's default), after what the start printed; read to
    // the end, so that a full pipe never blocks the server.
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            eprintln!("[server] {line}");
            sink.lock().unwrap().push(line);
        }
    });
    Server {
        addr: base.trim_start_matches("http://").parse().unwrap(),
        base,
        demo_token,
        stdout,
        log,
        child,
    }
}

impl Server {
    /// The token this start's `--demo` printed; fails when it printed none.
    pub fn token(&self) -> &str {
        self.demo_token.as_deref().expect("a demo token")
    }

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

    /// `kill -9`, and waits for it to end.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// True when a line of its log contains `needle`.
    pub fn logged(&self, needle: &str) -> bool {
        self.log.lock().unwrap().iter().any(|l| l.contains(needle))
    }
}

/// Writes `text` to `path` and returns the path as a `&str`-able string.
pub fn write(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    path.to_str().unwrap().to_owned()
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
