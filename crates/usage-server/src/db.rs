//! The databases: SQLite by default, PostgreSQL by URL; their connection pools and versioned
//! migrations.

use crate::store::sql::{Backend, Conn, PgClient};
use anyhow::Context;
use postgres_native_tls::MakeTlsConnector;
use r2d2_sqlite::SqliteConnectionManager;
use r2d2_sqlite::rusqlite;
pub use r2d2_sqlite::rusqlite::Connection;
use std::error::Error as _;
use std::path::Path;

/// A pool of SQLite connections.
pub type SqlitePool = r2d2::Pool<SqliteConnectionManager>;

/// A pool of PostgreSQL clients.
pub type PgPool = r2d2::Pool<PgManager>;

/// The database's connections, whichever it is.
#[derive(Clone)]
pub enum Pool {
    /// An embedded SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// A connection taken from a [`Pool`], back in it when dropped.
// It lives in one stack frame for one piece of work: boxing the larger variant would cost an
// allocation per request for nothing.
#[allow(clippy::large_enum_variant)]
pub enum Pooled {
    /// SQLite's.
    Sqlite(r2d2::PooledConnection<SqliteConnectionManager>),
    /// PostgreSQL's.
    Postgres(r2d2::PooledConnection<PgManager>),
}

impl Pooled {
    /// The connection, for the store's functions.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(c) => Conn::Sqlite(c),
            Self::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// Stops the statement a connection is running, from another thread (a report past its
/// deadline).
pub enum Interrupter {
    /// SQLite's interrupt.
    Sqlite(rusqlite::InterruptHandle),
    /// PostgreSQL's cancel request, sent the way its connection was made (see
    /// [`PgClient::tls`]).
    Postgres(postgres::CancelToken, Option<MakeTlsConnector>),
}

impl Interrupter {
    /// Stops what the connection runs now, if anything.
    pub fn interrupt(&self) {
        match self {
            Self::Sqlite(h) => h.interrupt(),
            Self::Postgres(t, tls) => {
                // The blocking client runs a runtime of its own, which cannot start on a
                // thread of the server's runtime (the caller may be one).
                let (t, tls) = (t.clone(), tls.clone());
                std::thread::spawn(move || {
                    // The request is a connection of its own, under the URL's sslmode: over
                    // TLS when the statement's connection is.
                    let sent = match tls {
                        Some(tls) => t.cancel_query(tls),
                        None => t.cancel_query(postgres::NoTls),
                    };
                    if let Err(e) = sent {
                        tracing::warn!(error = %e, "cancelling a PostgreSQL query failed");
                    }
                });
            }
        }
    }
}

impl Pooled {
    /// What stops this connection's statement from another thread.
    pub fn interrupter(&mut self) -> Interrupter {
        match self {
            Self::Sqlite(c) => Interrupter::Sqlite(c.get_interrupt_handle()),
            Self::Postgres(c) => Interrupter::Postgres(c.client().cancel_token(), c.tls().cloned()),
        }
    }
}

impl Pool {
    /// A connection, waiting at most the pool's timeout.
    pub fn get(&self) -> Result<Pooled, r2d2::Error> {
        Ok(match self {
            Self::Sqlite(p) => Pooled::Sqlite(p.get()?),
            Self::Postgres(p) => Pooled::Postgres(off_runtime(|| p.get())?),
        })
    }

    /// A connection, waiting at most `timeout`.
    pub fn get_timeout(&self, timeout: std::time::Duration) -> Result<Pooled, r2d2::Error> {
        Ok(match self {
            Self::Sqlite(p) => Pooled::Sqlite(p.get_timeout(timeout)?),
            Self::Postgres(p) => Pooled::Postgres(off_runtime(|| p.get_timeout(timeout))?),
        })
    }

    /// The SQLite pool, when it is one (for what only SQLite has: its pragmas, its file).
    pub fn sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Self::Sqlite(p) => Some(p),
            Self::Postgres(_) => None,
        }
    }

    /// Which database it is.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Most connections it keeps.
    pub fn max_size(&self) -> u32 {
        match self {
            Self::Sqlite(p) => p.max_size(),
            Self::Postgres(p) => p.max_size(),
        }
    }

    /// How long a request waits for a connection.
    pub fn connection_timeout(&self) -> std::time::Duration {
        match self {
            Self::Sqlite(p) => p.connection_timeout(),
            Self::Postgres(p) => p.connection_timeout(),
        }
    }

    /// Connections open and idle now.
    pub fn state(&self) -> r2d2::State {
        match self {
            Self::Sqlite(p) => p.state(),
            Self::Postgres(p) => p.state(),
        }
    }
}

/// How the connections to PostgreSQL use TLS. Every connection goes through a TLS connector,
/// so the URL's `sslmode` decides: `disable` (never), `prefer` (the default: when the server
/// offers it and its certificate passes, else without, see [`PgManager`]), `require`
/// (always, or no connection). The server's certificate is always
/// checked, its chain and its host name, against the system's roots and the extra ones of a
/// CA file (`--db-ca-file`); a certificate that fails is never used unchecked.
#[derive(Clone)]
pub struct PgTls {
    connector: MakeTlsConnector,
}

impl PgTls {
    /// Trusting the system's roots and, with `ca_file`, the certificates of that PEM file
    /// (a private CA): a file that cannot be read, or holds no certificate, is an error that
    /// names it.
    pub fn new(ca_file: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = native_tls::TlsConnector::builder();
        if let Some(path) = ca_file {
            for cert in read_ca_file(path)? {
                builder.add_root_certificate(cert);
            }
        }
        let connector = builder
            .build()
            .context("setting up TLS for the connections to PostgreSQL")?;
        Ok(Self {
            connector: MakeTlsConnector::new(connector),
        })
    }
}

/// The certificates of a PEM file, at least one.
fn read_ca_file(path: &Path) -> anyhow::Result<Vec<native_tls::Certificate>> {
    let what = || {
        format!(
            "the CA file for PostgreSQL (--db-ca-file) {}",
            path.display()
        )
    };
    let pem = std::fs::read(path).with_context(|| format!("reading {}", what()))?;
    let certs = native_tls::Certificate::stack_from_pem(&pem)
        .with_context(|| format!("{}: not PEM certificates", what()))?;
    if certs.is_empty() {
        anyhow::bail!(
            "{}: no certificate in it (a PEM file of -----BEGIN CERTIFICATE----- blocks)",
            what()
        );
    }
    Ok(certs)
}

/// Whether connecting failed in TLS (the handshake, most often a certificate that is not
/// trusted or not for the host), rather than before it or after.
fn failed_in_tls(e: &postgres::Error) -> bool {
    // The connector's own error is the cause of a failed handshake; the client's few errors
    // of its own about TLS ("no hostname provided", "server does not support TLS") are told
    // by its message, as its error kinds are not public.
    e.source().is_some_and(|c| c.is::<native_tls::Error>())
        || e.to_string().starts_with("error performing TLS handshake")
}

/// An error and its causes, on one line: the client's own words for a failed handshake say
/// only that it failed, and the connector's, below them, why.
fn with_causes(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        // OpenSSL's error stack repeats the last line without the reason.
        if !text.contains(more.as_str()) {
            text = format!("{text}: {more}");
        }
        cause = c.source();
    }
    text
}

/// Said once per process: connections fall back to plaintext under `sslmode=prefer`.
static PLAINTEXT_FALLBACK_WARNED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Opens PostgreSQL clients for the pool, each with its own prepared statements.
#[derive(Clone)]
pub struct PgManager {
    config: postgres::Config,
    tls: PgTls,
}

impl PgManager {
    /// A connection over TLS when the URL's sslmode asks for it and the server offers it.
    /// Under `prefer`, a connection whose TLS handshake failed is made again without TLS, as
    /// libpq's `prefer` does ("first try an SSL connection; if that fails, try a non-SSL
    /// connection"): the connections of a deployment that never set sslmode (plaintext before
    /// this server spoke TLS) stay so rather than fail, said once in the log. `require` refuses.
    fn open(&self) -> Result<PgClient, postgres::Error> {
        let tls = self.tls.connector.clone();
        match self.config.connect(tls.clone()) {
            Ok(client) => Ok(PgClient::new(client, Some(tls))),
            Err(e)
                if self.config.get_ssl_mode() == postgres::config::SslMode::Prefer
                    && failed_in_tls(&e) =>
            {
                let client = match self.config.connect(postgres::NoTls) {
                    Ok(client) => client,
                    // When that fails too (a server that takes TLS connections only), the TLS
                    // failure is the one to tell.
                    Err(plain) => {
                        tracing::debug!(error = %with_causes(&plain), "connecting to PostgreSQL without TLS failed too");
                        return Err(e);
                    }
                };
                if !PLAINTEXT_FALLBACK_WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    tracing::warn!(
                        error = %with_causes(&e),
                        "PostgreSQL offered TLS but the handshake failed (a certificate not trusted? give its CA with --db-ca-file); connected without TLS, as sslmode=prefer allows (sslmode=require refuses to)"
                    );
                }
                Ok(PgClient::new(client, None))
            }
            Err(e) => Err(e),
        }
    }
}

impl r2d2::ManageConnection for PgManager {
    type Connection = PgClient;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgClient, postgres::Error> {
        self.open()
    }

    fn is_valid(&self, conn: &mut PgClient) -> Result<(), postgres::Error> {
        conn.client().simple_query("").map(drop)
    }

    fn has_broken(&self, conn: &mut PgClient) -> bool {
        conn.client().is_closed()
    }
}

thread_local! {
    /// Set on the threads [`spawn_blocking`] runs work on: threads that may block.
    static MAY_BLOCK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The blocking pool's `spawn_blocking`, telling the store that `f`'s thread may block: its
/// statements run right there (see [`off_runtime`]). Every piece of database work of the
/// server goes through here.
pub fn spawn_blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> tokio::task::JoinHandle<T> {
    tokio::task::spawn_blocking(move || {
        MAY_BLOCK.set(true);
        f()
    })
}

/// Runs `f`, which may use the database, where PostgreSQL's blocking client can run: its
/// calls start a small runtime of their own, which tokio refuses on a thread that drives
/// async tasks. There (a test's body, the server's start) `f` runs on a thread of its own,
/// borrowing what it needs; on the threads of [`spawn_blocking`] and on plain threads (the
/// writer's) it runs right here.
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if may_block_here() {
        return f();
    }
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// Whether a statement may block the current thread (see [`off_runtime`]).
pub fn may_block_here() -> bool {
    MAY_BLOCK.get() || tokio::runtime::Handle::try_current().is_err()
}

/// Where the data lives: a `postgres://` (or `postgresql://`) URL, else a SQLite file's path.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Opens the database `db` names (see [`is_postgres_url`]) and brings it up to date; a
/// PostgreSQL server's certificate is checked against the system's roots only.
pub fn open_url(db: &str, opts: &PoolOptions) -> anyhow::Result<Pool> {
    if is_postgres_url(db) {
        open_postgres(db, opts, &PgTls::new(None)?)
    } else {
        open_with(Path::new(db), opts)
    }
}

/// Like [`open_url`], a PostgreSQL server's connections made with `tls`.
pub fn open_url_tls(db: &str, opts: &PoolOptions, tls: &PgTls) -> anyhow::Result<Pool> {
    if is_postgres_url(db) {
        open_postgres(db, opts, tls)
    } else {
        open_with(Path::new(db), opts)
    }
}

/// PostgreSQL's migrations, in order; the table `schema_version` records how many have run.
const PG_MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/0001_init.sql"),
    include_str!("../migrations/postgres/0002_report_as_of.sql"),
    include_str!("../migrations/postgres/0003_usage_quarter.sql"),
    include_str!("../migrations/postgres/0004_usage_six_hours.sql"),
    include_str!("../migrations/postgres/0005_budgets_views.sql"),
    include_str!("../migrations/postgres/0006_rollups_cover_sums.sql"),
];

/// Opens a pool on the PostgreSQL server at `url`, its connections made with `tls`, and runs
/// its migrations, under an advisory lock so that replicas starting together migrate once.
pub fn open_postgres(url: &str, opts: &PoolOptions, tls: &PgTls) -> anyhow::Result<Pool> {
    let mut config: postgres::Config = url.parse().context("reading the PostgreSQL URL")?;
    // No JIT: every statement here is an index range read in milliseconds, and PostgreSQL's
    // estimates for ranges read from JSON can be high enough to compile one, at tens of
    // milliseconds a statement. The URL's own `options` come after, so they win.
    let options = match config.get_options() {
        Some(theirs) => format!("-c jit=off {theirs}"),
        None => "-c jit=off".to_owned(),
    };
    config.options(&options);
    let manager = PgManager {
        config,
        tls: tls.clone(),
    };
    // One connection first, of its own: a TLS failure (a certificate not trusted, under
    // sslmode=require) would fail the same way on every retry of the pool's until its timeout,
    // so it fails the start at once, saying what to do. Any other failure (a server still
    // starting) is left to the pool's retries below.
    if let Err(e) = manager.open()
        && failed_in_tls(&e)
    {
        return Err(anyhow::Error::new(e).context(
            "connecting to PostgreSQL over TLS failed: is its certificate not trusted, or not for this host name? Give the CA that signed it with --db-ca-file (USAGE_DB_CA_FILE), or choose with the URL's sslmode (disable, prefer, require)",
        ));
    }
    // No test query on every checkout (a round trip per request): a client whose connection
    // closed is told broken by `has_broken`, and a statement on a dead one fails as a 503.
    let pool = r2d2::Pool::builder()
        .max_size(opts.max_size)
        .connection_timeout(opts.connection_timeout)
        .test_on_check_out(false)
        .build_unchecked(manager);
    let mut conn = pool
        .get_timeout(STARTUP_TIMEOUT.max(opts.connection_timeout))
        .context("connecting to PostgreSQL")?;
    migrate_postgres(conn.client())?;
    // The months records may be written to now and for a year ahead, made ahead of need, so
    // a record lands in its month's partition (the default partition takes any other).
    conn.client().batch_execute(
        "SELECT usage_records_months((now() - interval '2 months')::date, (now() + interval '12 months')::date)",
    )?;
    drop(conn);
    Ok(Pool::Postgres(pool))
}

fn migrate_postgres(client: &mut postgres::Client) -> anyhow::Result<()> {
    let mut tx = client.transaction()?;
    // Any constant: every replica of this server takes the same lock.
    tx.execute("SELECT pg_advisory_xact_lock(7242001)", &[])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let version: i64 = tx
        .query_opt("SELECT version FROM schema_version", &[])?
        .map_or(0, |r| r.get(0));
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > PG_MIGRATIONS.len() {
        anyhow::bail!(
            "the database is at schema version {version}, newer than this server ({}); upgrade the server",
            PG_MIGRATIONS.len()
        );
    }
    for (i, sql) in PG_MIGRATIONS.iter().enumerate().skip(version) {
        tx.batch_execute(sql)
            .with_context(|| format!("PostgreSQL migration {}", i + 1))?;
        tracing::info!(version = i + 1, "applied migration");
    }
    tx.execute("DELETE FROM schema_version", &[])?;
    tx.execute(
        "INSERT INTO schema_version (version) VALUES ($1)",
        &[&(PG_MIGRATIONS.len() as i64)],
    )?;
    tx.commit()?;
    Ok(())
}

/// Migrations in order; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_reports.sql"),
    include_str!("../migrations/0003_token_expiry.sql"),
    include_str!("../migrations/0004_client_id_per_realm.sql"),
    include_str!("../migrations/0005_report_queue.sql"),
    include_str!("../migrations/0006_token_revocation.sql"),
    include_str!("../migrations/0007_report_lease.sql"),
    include_str!("../migrations/0008_report_as_of.sql"),
    include_str!("../migrations/0009_usage_quarter.sql"),
    include_str!("../migrations/0010_usage_six_hours.sql"),
    include_str!("../migrations/0011_budgets_views.sql"),
];

/// How the connection pool is sized and how long a request waits for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// Connections kept open (default 8).
    pub max_size: u32,
    /// How long a request waits for a free connection before it is a 503 (default 5 s, not
    /// r2d2's 30 s: a client is better served by a prompt 503 and its `Retry-After`).
    pub connection_timeout: std::time::Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 8,
            connection_timeout: std::time::Duration::from_secs(5),
        }
    }
}

/// How long the first connection may take at start, whatever the pool's request timeout.
const STARTUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Opens (creating if need be) the SQLite database at `path` and brings it up to date, with
/// the default [`PoolOptions`].
pub fn open(path: &Path) -> anyhow::Result<Pool> {
    open_with(path, &PoolOptions::default())
}

/// Like [`open`], with the pool sized and timed by `opts`.
pub fn open_with(path: &Path, opts: &PoolOptions) -> anyhow::Result<Pool> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // The file is created here, once; the pool's connections open it without creating it, so a
    // database removed under the server is a failed connection (a 503), never a new, empty one.
    drop(Connection::open(path).with_context(|| format!("creating {}", path.display()))?);
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
        | rusqlite::OpenFlags::SQLITE_OPEN_URI;
    // synchronous = FULL: in WAL mode NORMAL may lose the last commits on a power loss, and a
    // record whose 201 was sent must not be among them. Set on every connection the pool opens.
    let manager = SqliteConnectionManager::file(path)
        .with_flags(flags)
        .with_init(|c| {
            c.execute_batch(
                "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -65536;
             PRAGMA mmap_size = 1073741824;
             PRAGMA temp_store = MEMORY;",
            )
        });
    let pool = r2d2::Pool::builder()
        .max_size(opts.max_size)
        .connection_timeout(opts.connection_timeout)
        // The request timeout can be short; opening the file at start may take longer.
        .build_unchecked(manager);
    let mut conn = pool
        .get_timeout(STARTUP_TIMEOUT.max(opts.connection_timeout))
        .with_context(|| format!("opening {}", path.display()))?;
    migrate(&mut conn)?;
    drop_stat4_samples(&conn)?;
    drop(conn);
    Ok(Pool::Sqlite(pool))
}

/// Drops ANALYZE's STAT4 samples and keeps its table sizes (`sqlite_stat1`). With samples,
/// SQLite prepares a statement again whenever a new value is bound to a sampled column (every
/// query's time range, every token's hash): a tenth of the server's time under load went there.
/// Run after every ANALYZE, and at start for a database analyzed elsewhere.
pub fn drop_stat4_samples(conn: &Connection) -> anyhow::Result<()> {
    let sampled: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4')",
        [],
        |r| r.get(0),
    )?;
    if sampled
        && conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_stat4)", [], |r| {
            r.get(0)
        })?
    {
        conn.execute_batch("DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;")?;
        tracing::info!("dropped the planner's STAT4 samples (kept the table sizes)");
    }
    Ok(())
}

fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        anyhow::bail!(
            "the database is at schema version {version}, newer than this server ({}); upgrade the server",
            MIGRATIONS.len()
        );
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .with_context(|| format!("migration {}", i + 1))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "applied migration");
    }
    Ok(())
}

/// The dimensions of a usage record ('' for none).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dims {
    pub app_id: String,
    pub project_hrn: String,
    pub billing_tag: String,
    pub resource: String,
    pub channel_id: String,
}

/// A first-come, first-served queue in front of the pool for request handlers: at most as many
/// requests as the pool has connections are in the blocking pool at once, and the rest wait as
/// futures in the order they came. Without it every request waits on r2d2's condition variable
/// in a thread of its own, the threads outnumber the cores many times over, and which one the
/// kernel wakes next is chance: under load the slowest requests waited three times the median.
#[derive(Clone)]
pub struct Gate(std::sync::Arc<tokio::sync::Semaphore>);

impl Gate {
    /// A gate with one place per connection of `pool`, at most two per core: more runnable
    /// threads than that only take turns on the cores.
    pub fn for_pool(pool: &Pool) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self(std::sync::Arc::new(tokio::sync::Semaphore::new(
            (pool.max_size() as usize).min(2 * cores),
        )))
    }

    /// Waits for a place, at most `timeout`; `None` when none came free in time.
    pub async fn enter(
        &self,
        timeout: std::time::Duration,
    ) -> Option<tokio::sync::OwnedSemaphorePermit> {
        tokio::time::timeout(timeout, std::sync::Arc::clone(&self.0).acquire_owned())
            .await
            .ok()?
            .ok()
    }
}

/// Which database file the server opened, to notice it removed, renamed or replaced while it
/// runs. SQLite goes on reading and writing a file it has open after its name is gone, so a
/// removed database would otherwise keep answering 201 for records no restart would find.
#[derive(Debug, Clone, Default)]
pub struct FileIdentity {
    /// The path and its device and inode when the server opened it; `None` for a database
    /// with no file (in memory).
    file: Option<(std::path::PathBuf, (u64, u64))>,
}

fn device_and_inode(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path)?;
    Ok((m.dev(), m.ino()))
}

impl FileIdentity {
    /// The file `pool`'s connections have open, as its path names it now (none for
    /// PostgreSQL).
    pub fn of(pool: &Pool) -> anyhow::Result<Self> {
        let Pool::Sqlite(pool) = pool else {
            return Ok(Self::default());
        };
        let conn = pool.get()?;
        let Some(path) = conn
            .path()
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from)
        else {
            return Ok(Self::default());
        };
        let id = device_and_inode(&path).with_context(|| format!("reading {}", path.display()))?;
        Ok(Self {
            file: Some((path, id)),
        })
    }

    /// Fails (as SQLite's "cannot open", a 503) unless the path still names the file opened.
    /// A file moved back where it was is the same file again, and service resumes; a copy put
    /// there is another file, which the open connections do not see: that needs a restart.
    pub fn check(&self) -> crate::store::sql::Result<()> {
        let Some((path, id)) = &self.file else {
            return Ok(());
        };
        let why = match device_and_inode(path) {
            Ok(now) if now == *id => return Ok(()),
            Ok(_) => "was replaced by another file (restart the server to use it)",
            Err(_) => "is missing",
        };
        Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!("the database file {} {why}", path.display())),
        )
        .into())
    }
}
