//! SQLite: the connection pool and versioned migrations.

use anyhow::Context;
use r2d2_sqlite::SqliteConnectionManager;
use r2d2_sqlite::rusqlite::{self, Connection, params};
use std::path::Path;

/// A pool of SQLite connections.
pub type Pool = r2d2::Pool<SqliteConnectionManager>;

/// Migrations in order; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_reports.sql"),
    include_str!("../migrations/0003_token_expiry.sql"),
];

/// Opens (creating if need be) the database at `path` and brings it up to date.
pub fn open(path: &Path) -> anyhow::Result<Pool> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let manager = SqliteConnectionManager::file(path).with_init(|c| {
        c.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -65536;
             PRAGMA mmap_size = 1073741824;
             PRAGMA temp_store = MEMORY;",
        )
    });
    let pool = r2d2::Pool::builder()
        .max_size(8)
        .build(manager)
        .with_context(|| format!("opening {}", path.display()))?;
    migrate(&mut *pool.get()?)?;
    Ok(pool)
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

/// Adds quantities to the hourly and daily rollups, in the caller's transaction.
pub fn add_to_rollups(
    conn: &Connection,
    sub_id: i64,
    usage_time: i64,
    dims: &Dims,
    usage_milli: i64,
    billable_milli: i64,
) -> rusqlite::Result<()> {
    for (table, width) in [("usage_hourly", 3_600), ("usage_daily", 86_400)] {
        let sql = format!(
            "INSERT INTO {table} (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id, usage_milli, billable_milli)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT DO UPDATE SET usage_milli = usage_milli + excluded.usage_milli,
                                       billable_milli = billable_milli + excluded.billable_milli"
        );
        conn.prepare_cached(&sql)?.execute(params![
            sub_id,
            usage_time - usage_time.rem_euclid(width),
            dims.app_id,
            dims.project_hrn,
            dims.billing_tag,
            dims.resource,
            dims.channel_id,
            usage_milli,
            billable_milli
        ])?;
    }
    Ok(())
}
