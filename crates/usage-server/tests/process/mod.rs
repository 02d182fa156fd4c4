//! The real `usage-server` binary run as an operator runs it: a process on a free port, and
//! its token subcommands.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_usage-server");

/// A running server, killed when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The token a `--demo` start printed.
    pub demo_token: Option<String>,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One test's database, report folder and portal folder.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><title>portal</title>",
        )
        .unwrap();
        Self { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--db")
            .arg(self.path("usage.db"))
            .env("RUST_LOG", "warn")
            // Nothing from the test's own environment decides what these starts do.
            .env_remove("USAGE_SIGNING_KEY")
            .env_remove("USAGE_SIGNING_KEY_PREVIOUS")
            .env_remove("USAGE_SIGNING_KEY_FILE")
            .env_remove("USAGE_SIGNING_KEY_PREVIOUS_FILE")
            .env_remove("USAGE_TOKEN_TTL")
            .env_remove("USAGE_FRAME_ANCESTORS")
            .env_remove("USAGE_NO_STRICT_CSP");
        c
    }

    /// Starts `serve` with `args` and `env`, and waits until it listens.
    pub fn start(&self, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut c = self.command();
        c.arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--static-dir")
            .arg(self.path("dist"))
            .arg("--report-dir")
            .arg(self.path("reports"))
            .arg("--demo-records")
            .arg("10000")
            .arg("--demo-until")
            .arg(usage_test_clock::stamp(usage_test_clock::now()))
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = c.spawn().expect("start usage-server");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut demo_token = None;
        let base = loop {
            let Some(Ok(line)) = lines.next() else {
                let status = child.wait().unwrap();
                panic!("usage-server {args:?} stopped before it listened: {status}");
            };
            if let Some(t) = line
                .split(": ")
                .nth(1)
                .filter(|_| line.starts_with("Demo token"))
            {
                demo_token = Some(t.trim().to_owned());
            }
            if let Some(url) = line.strip_prefix("Usage Portal on ") {
                break url.trim().trim_end_matches('/').to_owned();
            }
        };
        // Keep reading what it prints, so that a full pipe never blocks it.
        std::thread::spawn(move || lines.for_each(drop));
        Server {
            base,
            demo_token,
            child,
        }
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
}

/// Writes `text` to `path` and returns the path as a `&str`-able string.
pub fn write(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    path.to_str().unwrap().to_owned()
}
