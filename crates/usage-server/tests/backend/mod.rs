//! The database a test runs on: a SQLite file in the test's folder by default; with
//! `USAGE_TEST_POSTGRES` (the URL of a PostgreSQL server on which the test may create
//! databases, as `scripts/test.sh` starts one), a fresh database of its own there.

#![allow(dead_code)]

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use usage_server::db;

/// The PostgreSQL server the tests run on, if they run on one.
pub fn postgres() -> Option<String> {
    std::env::var("USAGE_TEST_POSTGRES")
        .ok()
        .filter(|v| !v.is_empty())
}

/// True when the tests run on PostgreSQL.
pub fn on_postgres() -> bool {
    postgres().is_some()
}

/// Skips the rest of a test that is about SQLite itself (its file, its pragmas, its locks)
/// when the suite runs on PostgreSQL, saying so in the test's output.
#[macro_export]
macro_rules! sqlite_only {
    ($why:expr) => {
        if $crate::backend::on_postgres() {
            eprintln!("skipped on PostgreSQL: {}", $why);
            return;
        }
    };
}

/// Where a fresh database is: a SQLite file in `dir`, or a new database on the PostgreSQL
/// server. What `--db` takes.
pub fn fresh(dir: &Path) -> String {
    let Some(admin) = postgres() else {
        return dir.join("usage.db").to_string_lossy().into_owned();
    };
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "t{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    );
    db::off_runtime(|| {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls)
            .expect("connecting to the test PostgreSQL server");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("creating a test database");
    });
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

/// Opens (and migrates) the database at `url`.
pub fn open(url: &str) -> db::Pool {
    db::off_runtime(|| db::open_url(url, &db::PoolOptions::default()))
        .expect("opening the test database")
}

/// Opens the database at `url` with `opts`.
pub fn open_with(url: &str, opts: &db::PoolOptions) -> db::Pool {
    db::off_runtime(|| db::open_url(url, opts)).expect("opening the test database")
}

/// Runs `f` on a connection of `pool`, where either backend may block (see
/// [`db::off_runtime`]): what a test does to the database beside the server.
pub fn run<T: Send>(
    pool: &db::Pool,
    f: impl FnOnce(&mut usage_server::store::sql::Conn<'_>) -> T + Send,
) -> T {
    db::off_runtime(|| f(&mut pool.get().expect("a test connection").conn()))
}

/// The first column of the first row of `sql` with `vals`.
pub fn one<T: usage_server::store::sql::Column + Send>(
    pool: &db::Pool,
    sql: &str,
    vals: &[usage_server::store::sql::Val<'_>],
) -> T {
    run(pool, |c| c.one(sql, vals, |r| r.get(0))).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Runs `sql` with `vals`; how many rows it changed.
pub fn exec(pool: &db::Pool, sql: &str, vals: &[usage_server::store::sql::Val<'_>]) -> u64 {
    run(pool, |c| c.exec(sql, vals)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A transaction of a connection of its own that holds what a write of subscription `sub`
/// waits for (SQLite's write lock; PostgreSQL's lock on the subscription's row), until
/// released.
pub struct WriteLock {
    release: std::sync::mpsc::Sender<()>,
    holder: Option<std::thread::JoinHandle<()>>,
}

/// Takes a [`WriteLock`] on the database at `url` (the lock is held when this returns).
pub fn hold_write_lock(url: &str, sub: &str) -> WriteLock {
    let (url, sub) = (url.to_owned(), sub.to_owned());
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        if db::is_postgres_url(&url) {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            let mut tx = c.transaction().unwrap();
            tx.query(
                "SELECT id FROM subscriptions WHERE billing_subscription_id = $1 FOR UPDATE",
                &[&sub],
            )
            .unwrap();
            locked_tx.send(()).unwrap();
            let _ = release_rx.recv_timeout(std::time::Duration::from_secs(30));
            tx.rollback().unwrap();
        } else {
            let c = r2d2_sqlite::rusqlite::Connection::open(&url).unwrap();
            c.execute_batch("BEGIN IMMEDIATE").unwrap();
            locked_tx.send(()).unwrap();
            let _ = release_rx.recv_timeout(std::time::Duration::from_secs(30));
            c.execute_batch("ROLLBACK").unwrap();
        }
    });
    locked_rx.recv().unwrap();
    WriteLock {
        release,
        holder: Some(holder),
    }
}

impl WriteLock {
    /// Ends the transaction.
    pub fn release(mut self) {
        let _ = self.release.send(());
        if let Some(h) = self.holder.take() {
            h.join().unwrap();
        }
    }
}
