//! Usage records and their subscriptions: what `GET /usages` and `GET /usages/{id}` read,
//! and what the usage writer reads and writes in its transaction.

use super::rollups::{DAY, HOUR, QUARTER, SIX_HOURS, TABLES, cell};
use super::sql::{Backend, Conn, Result, Row};
use crate::db::Dims;
use crate::vals;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use usage_api::usage::Channel;
use usage_api::usages::{RelLink, UsageRecord};
use usage_api::{Quantity, Timestamp};

/// A subscription, as the record routes need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The internal id.
    pub id: i64,
    /// The realm that owns it.
    pub realm_id: String,
    /// Its monthly limit, if it has one (milli-units).
    pub monthly_limit_milli: Option<i64>,
}

/// The subscription with the billing id `billing_id`, whoever owns it.
pub fn subscription(db: &mut Conn<'_>, billing_id: &str) -> Result<Option<Subscription>> {
    db.opt(
        "SELECT id, realm_id, monthly_limit_milli FROM subscriptions WHERE billing_subscription_id = ?1",
        vals![billing_id],
        |r| {
            Ok(Subscription {
                id: r.get(0)?,
                realm_id: r.get(1)?,
                monthly_limit_milli: r.get(2)?,
            })
        },
    )
}

const RECORD_COLUMNS: &str = "r.id, r.client_id, s.billing_subscription_id, r.quantity_milli, r.accepted_milli, r.usage_time,
     r.created_time, r.updated_time, r.app_id, r.project_hrn, r.billing_tag, r.resource, r.channel_id";

/// Records without a client id (loaded, not posted) are `rec_N`: a `_` is never in a client's
/// id, so no client id can ever name one of these.
pub fn public_id(rowid: i64, client_id: Option<String>) -> String {
    client_id.unwrap_or_else(|| format!("rec_{rowid}"))
}

/// A stored record's columns, as the API shows them: the one place a row becomes a
/// [`UsageRecord`], so a record just written answers exactly as it reads back.
struct Stored {
    rowid: i64,
    client_id: Option<String>,
    billing_id: String,
    requested_milli: i64,
    accepted_milli: i64,
    usage_time: i64,
    created: i64,
    updated: i64,
    /// App, project, tag, resource and channel; empty is none.
    dims: [String; 5],
}

impl Stored {
    fn into_record(self) -> UsageRecord {
        let id = public_id(self.rowid, self.client_id);
        let ts = |t: i64| {
            Timestamp::from_unix(t).unwrap_or_else(|| Timestamp::from_unix(0).expect("epoch"))
        };
        let [app_id, project_hrn, billing_tag, resource, channel_id] =
            self.dims.map(|d| Some(d).filter(|s| !s.is_empty()));
        let requested = Quantity(self.requested_milli);
        let accepted = Quantity(self.accepted_milli);
        UsageRecord {
            links: vec![RelLink {
                rel: "self".to_owned(),
                href: format!("/usages/{id}"),
            }],
            id,
            subscription_id: self.billing_id,
            quantity: accepted,
            requested_quantity: requested,
            accept_partial_quantity: accepted != requested,
            usage_time: ts(self.usage_time),
            created_time: ts(self.created),
            updated_time: ts(self.updated),
            invoice_id: None,
            invoice_item_id: None,
            app_id,
            project_hrn,
            billing_tag,
            resource,
            channel_id: channel_id.and_then(|c| Channel::parse(&c)),
        }
    }
}

fn record_from_row(row: &Row<'_>) -> Result<UsageRecord> {
    Ok(Stored {
        rowid: row.get(0)?,
        client_id: row.get(1)?,
        billing_id: row.get(2)?,
        requested_milli: row.get(3)?,
        accepted_milli: row.get(4)?,
        usage_time: row.get(5)?,
        created: row.get(6)?,
        updated: row.get(7)?,
        dims: [
            row.get(8)?,
            row.get(9)?,
            row.get(10)?,
            row.get(11)?,
            row.get(12)?,
        ],
    }
    .into_record())
}

/// The record stored at `rowid` (one just written: an error if there is none).
pub fn by_rowid(db: &mut Conn<'_>, rowid: i64) -> Result<UsageRecord> {
    db.one(
        &format!(
            "SELECT {RECORD_COLUMNS} FROM usage_records r JOIN subscriptions s ON s.id = r.sub_id WHERE r.id = ?1"
        ),
        vals![rowid],
        record_from_row,
    )
}

/// The loaded record `rec_{rowid}` (one without a client id), with the realm owning its
/// subscription, so the caller can be checked against it.
pub fn loaded(db: &mut Conn<'_>, rowid: i64) -> Result<Option<(UsageRecord, String)>> {
    db.opt(
        &format!(
            "SELECT {RECORD_COLUMNS}, s.realm_id FROM usage_records r JOIN subscriptions s ON s.id = r.sub_id
             WHERE r.id = ?1 AND r.client_id IS NULL"
        ),
        vals![rowid],
        |r| Ok((record_from_row(r)?, r.get::<String>(13)?)),
    )
}

/// The record a client posted as `client_id` in `realm` or, failing that, in one of its
/// sub-accounts.
pub fn by_client_id(
    db: &mut Conn<'_>,
    client_id: &str,
    realm: &str,
) -> Result<Option<UsageRecord>> {
    db.opt(
        &format!(
            "SELECT {RECORD_COLUMNS} FROM usage_records r JOIN subscriptions s ON s.id = r.sub_id
             WHERE r.client_id = ?1 AND (r.id_realm = ?2
                   OR r.id_realm IN (SELECT realm_id FROM orgs WHERE parent_realm_id = ?2))
             ORDER BY r.id_realm = ?2 DESC LIMIT 1"
        ),
        vals![client_id, realm],
        record_from_row,
    )
}

/// How many records the subscription `sub_id` has.
pub fn count(db: &mut Conn<'_>, sub_id: i64) -> Result<u64> {
    db.one(
        "SELECT COUNT(*) FROM usage_records WHERE sub_id = ?1",
        vals![sub_id],
        |r| r.get::<i64>(0),
    )
    .map(|n| n as u64)
}

/// Page `offset` (from 0) of the subscription's records, `limit` to a page, newest first.
pub fn page(db: &mut Conn<'_>, sub_id: i64, limit: u32, offset: u64) -> Result<Vec<UsageRecord>> {
    // `offset` is a page number (at most 1,000,000 pages of at most 100).
    db.all(
        &format!(
            "SELECT {RECORD_COLUMNS} FROM usage_records r JOIN subscriptions s ON s.id = r.sub_id
             WHERE r.sub_id = ?1 ORDER BY r.usage_time DESC, r.id DESC LIMIT ?2 OFFSET ?3"
        ),
        vals![sub_id, limit, offset as i64 * i64::from(limit)],
        record_from_row,
    )
}

/// A record already posted under a client id: where it is and the hash of its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// Its row id.
    pub rowid: i64,
    /// The hash of the request that wrote it (see `routes::usages`); none for old rows.
    pub request_hash: Option<String>,
}

/// A subscription's usage and billable usage from `from` to `to` (Unix seconds, `to`
/// excluded), in milli-units, from the daily rollups.
pub fn usage_between(db: &mut Conn<'_>, sub_id: i64, from: i64, to: i64) -> Result<(i64, i64)> {
    db.one(
        "SELECT CAST(COALESCE(SUM(usage_milli), 0) AS BIGINT), CAST(COALESCE(SUM(billable_milli), 0) AS BIGINT)
         FROM usage_daily WHERE sub_id = ?1 AND t >= ?2 AND t < ?3",
        vals![sub_id, from, to],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// A JSON array parameter read as rows, one per element (each an array itself), for
/// statements that take a whole batch in one parameter: the two databases read JSON with
/// functions of their own, and PostgreSQL's elements are text until cast.
#[derive(Debug, Clone, Copy)]
struct JsonRows {
    backend: Backend,
    /// The placeholder's number.
    param: usize,
    /// The rows' alias.
    alias: &'static str,
}

impl JsonRows {
    fn new(backend: Backend, param: usize, alias: &'static str) -> Self {
        Self {
            backend,
            param,
            alias,
        }
    }

    /// The table expression, for a `FROM`.
    fn table(&self) -> String {
        let (p, a) = (self.param, self.alias);
        match self.backend {
            Backend::Sqlite => format!("json_each(?{p}) AS {a}"),
            // Bound as text (every placeholder is), then read as JSON.
            Backend::Postgres => {
                format!("jsonb_array_elements(CAST(CAST(?{p} AS TEXT) AS JSONB)) AS {a} (v)")
            }
        }
    }

    /// Element `i` of a row, as text.
    fn text(&self, i: usize) -> String {
        match self.backend {
            Backend::Sqlite => format!("({}.value ->> {i})", self.alias),
            Backend::Postgres => format!("({}.v ->> {i})", self.alias),
        }
    }

    /// Element `i` of a row, as an integer.
    fn int(&self, i: usize) -> String {
        match self.backend {
            Backend::Sqlite => format!("({}.value ->> {i})", self.alias),
            Backend::Postgres => format!("CAST({}.v ->> {i} AS BIGINT)", self.alias),
        }
    }
}

/// The subscriptions with the billing ids `billing_ids`, whoever owns them, by billing id.
pub fn subscriptions_named(
    db: &mut Conn<'_>,
    billing_ids: &[&str],
) -> Result<HashMap<String, Subscription>> {
    if billing_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let j = JsonRows::new(db.backend(), 1, "j");
    let json = serde_json::json!(billing_ids.iter().map(|b| [b]).collect::<Vec<_>>()).to_string();
    let mut found = HashMap::with_capacity(billing_ids.len());
    db.each(
        &format!(
            "SELECT s.billing_subscription_id, s.id, s.realm_id, s.monthly_limit_milli FROM subscriptions s
             WHERE s.billing_subscription_id IN (SELECT {} FROM {})",
            j.text(0),
            j.table()
        ),
        vals![&json],
        |r| {
            found.insert(
                r.get(0)?,
                Subscription {
                    id: r.get(1)?,
                    realm_id: r.get(2)?,
                    monthly_limit_milli: r.get(3)?,
                },
            );
            Ok(())
        },
    )?;
    Ok(found)
}

/// Makes the caller's transaction the only one recording under the keys `keys` (realm,
/// client id) until it ends, so an idempotency key holds with many writers. SQLite has one
/// writer at a time already (the writer's transaction is `BEGIN IMMEDIATE`); PostgreSQL takes
/// an advisory lock per key, in one order every replica shares. Taken before
/// [`lock_subscriptions`], as every recording does, so two batches never wait on each other in
/// a circle, and so that the keys are read ([`posted`]) before the subscriptions' locks, which
/// every recording of those subscriptions waits on, are held.
pub fn lock_keys(db: &mut Conn<'_>, keys: &BTreeSet<(&str, &str)>) -> Result<()> {
    if db.backend() != Backend::Postgres || keys.is_empty() {
        return Ok(());
    }
    let j = JsonRows::new(Backend::Postgres, 1, "j");
    let json = serde_json::json!(keys.iter().map(|(r, c)| [r, c]).collect::<Vec<_>>()).to_string();
    // The same lock a key has always taken (realm, '/', client id); sorted in a subquery so
    // the locks are taken in that order.
    db.each(
        &format!(
            "SELECT pg_advisory_xact_lock(k) FROM (
               SELECT DISTINCT hashtextextended({} || '/' || {}, 0) AS k FROM {} ORDER BY k OFFSET 0
             ) AS keys",
            j.text(0),
            j.text(1),
            j.table()
        ),
        vals![&json],
        |_| Ok(()),
    )?;
    Ok(())
}

/// Makes the caller's transaction the only one recording against the subscriptions `subs`
/// until it ends, so monthly limits hold with many writers: what is read after this (the
/// months' sums) includes every record committed before. SQLite has one writer at a time
/// already; PostgreSQL locks the subscriptions' rows in id order. `FOR NO KEY UPDATE`: the
/// rows' foreign-key checks (another replica inserting records of other subscriptions, or of
/// these once it holds them) do not wait on it.
pub fn lock_subscriptions(db: &mut Conn<'_>, subs: &BTreeSet<i64>) -> Result<()> {
    if db.backend() != Backend::Postgres || subs.is_empty() {
        return Ok(());
    }
    let j = JsonRows::new(Backend::Postgres, 1, "j");
    let json = serde_json::json!(subs.iter().map(|s| [s]).collect::<Vec<_>>()).to_string();
    db.each(
        &format!(
            "SELECT id FROM subscriptions WHERE id IN (SELECT {} FROM {}) ORDER BY id FOR NO KEY UPDATE",
            j.int(0),
            j.table()
        ),
        vals![&json],
        |_| Ok(()),
    )?;
    Ok(())
}

/// The records posted under the keys `keys` (realm, client id; idempotency keys are per
/// realm), by key.
pub fn posted(
    db: &mut Conn<'_>,
    keys: &BTreeSet<(&str, &str)>,
) -> Result<HashMap<(String, String), Posted>> {
    let mut found = HashMap::new();
    if keys.is_empty() {
        return Ok(found);
    }
    let j = JsonRows::new(db.backend(), 1, "j");
    let json = serde_json::json!(keys.iter().map(|(r, c)| [r, c]).collect::<Vec<_>>()).to_string();
    let by_key = format!("r.id_realm = {} AND r.client_id = {}", j.text(0), j.text(1));
    // Each key an index lookup. PostgreSQL cannot see that a key read from JSON finds one row,
    // and scans every month's partition in parallel instead (under the batch's locks): there
    // each key is a subquery of its own.
    let sql = match db.backend() {
        Backend::Sqlite => format!(
            "SELECT r.id_realm, r.client_id, r.id, r.request_hash FROM {} CROSS JOIN usage_records r
             WHERE {by_key}",
            j.table()
        ),
        Backend::Postgres => format!(
            "SELECT r.id_realm, r.client_id, r.id, r.request_hash FROM {} CROSS JOIN LATERAL (
               SELECT r.id_realm, r.client_id, r.id, r.request_hash FROM usage_records r WHERE {by_key} OFFSET 0
             ) AS r",
            j.table()
        ),
    };
    db.each(&sql, vals![&json], |row| {
        found.insert(
            (row.get(0)?, row.get(1)?),
            Posted {
                rowid: row.get(2)?,
                request_hash: row.get(3)?,
            },
        );
        Ok(())
    })?;
    Ok(found)
}

/// Usage and billable usage (milli-units) of each `(sub_id, from, to)` of `spans` (Unix
/// seconds, `to` excluded), in the order given, from the daily rollups.
pub fn usage_of_spans(db: &mut Conn<'_>, spans: &[(i64, i64, i64)]) -> Result<Vec<(i64, i64)>> {
    let mut sums = vec![(0, 0); spans.len()];
    if spans.is_empty() {
        return Ok(sums);
    }
    let j = JsonRows::new(db.backend(), 1, "j");
    let json = serde_json::json!(
        spans
            .iter()
            .enumerate()
            .map(|(i, (s, f, t))| [i as i64, *s, *f, *t])
            .collect::<Vec<_>>()
    )
    .to_string();
    let in_span = format!(
        "d.sub_id = {s} AND d.t >= {f} AND d.t < {t}",
        s = j.int(1),
        f = j.int(2),
        t = j.int(3),
    );
    // Each span an index range of its subscription's days. A join would do on SQLite, but
    // PostgreSQL cannot see how narrow a range read from JSON is and hash-joins a scan of the
    // whole table (under the subscriptions' locks): there each span is a subquery of its own.
    let sql = match db.backend() {
        Backend::Sqlite => format!(
            "SELECT {i}, CAST(COALESCE(SUM(d.usage_milli), 0) AS BIGINT), CAST(COALESCE(SUM(d.billable_milli), 0) AS BIGINT)
             FROM {table} LEFT JOIN usage_daily d ON {in_span} GROUP BY {i}",
            i = j.int(0),
            table = j.table(),
        ),
        Backend::Postgres => format!(
            "SELECT {i}, CAST(COALESCE(s.u, 0) AS BIGINT), CAST(COALESCE(s.b, 0) AS BIGINT)
             FROM {table} CROSS JOIN LATERAL (SELECT SUM(d.usage_milli) AS u, SUM(d.billable_milli) AS b FROM usage_daily d WHERE {in_span}) AS s",
            i = j.int(0),
            table = j.table(),
        ),
    };
    db.each(&sql, vals![&json], |row| {
        let i: i64 = row.get(0)?;
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| sums.get_mut(i)) {
            *slot = (row.get(1)?, row.get(2)?);
        }
        Ok(())
    })?;
    Ok(sums)
}

/// A usage record to insert.
#[derive(Debug, Clone, Copy)]
pub struct NewRecord<'a> {
    /// The client's id (or one made up for it).
    pub client_id: &'a str,
    /// The realm the client id belongs to.
    pub realm: &'a str,
    /// The hash of the request, to tell a replay from a different request.
    pub request_hash: &'a str,
    /// The subscription's internal id.
    pub sub_id: i64,
    /// When the usage happened (Unix seconds).
    pub usage_time: i64,
    /// The quantity asked for, in milli-units.
    pub requested_milli: i64,
    /// The quantity recorded, in milli-units (less than asked when the limit cut it).
    pub accepted_milli: i64,
    /// The record's dimensions.
    pub dims: &'a Dims,
    /// When it is recorded (Unix seconds): its created and updated time.
    pub now: i64,
}

impl NewRecord<'_> {
    /// The record as the API shows it once inserted (as [`by_client_id`] would read it back).
    pub fn answer(&self, billing_id: &str) -> UsageRecord {
        let d = self.dims;
        Stored {
            rowid: 0,
            client_id: Some(self.client_id.to_owned()),
            billing_id: billing_id.to_owned(),
            requested_milli: self.requested_milli,
            accepted_milli: self.accepted_milli,
            usage_time: self.usage_time,
            created: self.now,
            updated: self.now,
            dims: [
                d.app_id.clone(),
                d.project_hrn.clone(),
                d.billing_tag.clone(),
                d.resource.clone(),
                d.channel_id.clone(),
            ],
        }
        .into_record()
    }
}

/// Inserts `records` and moves the quarter-hour, hourly, six-hour and daily rollups by them,
/// in the caller's transaction, so queries, reports and the monthly view see them at once.
/// SQLite is in the process: a prepared statement a row costs nothing there. PostgreSQL gets
/// the batch in one statement, whatever its size: the records, their per-realm keys, and each
/// rollup tier's cells (summed here first: one statement may not change a row twice).
///
/// Returns the budgets the records move, with the realm and subscription that move each
/// ([`super::budgets::moved_by`] for each): on PostgreSQL read by the same statement, so that
/// the round trips made while the subscriptions are locked stay few.
pub fn insert_many(
    db: &mut Conn<'_>,
    records: &[NewRecord<'_>],
) -> Result<Vec<(String, i64, super::budgets::BudgetRow)>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    if db.backend() == Backend::Sqlite {
        for r in records {
            insert_one(db, r)?;
            add_to_rollups(
                db,
                r.sub_id,
                r.usage_time,
                r.dims,
                r.requested_milli,
                r.accepted_milli,
            )?;
        }
        let pairs: BTreeSet<(&str, i64)> = records.iter().map(|r| (r.realm, r.sub_id)).collect();
        let mut moved = Vec::new();
        for (realm, sub) in pairs {
            for b in super::budgets::moved_by(db, realm, sub)? {
                moved.push((realm.to_owned(), sub, b));
            }
        }
        return Ok(moved);
    }
    let rows: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            let d = r.dims;
            serde_json::json!([
                r.client_id,
                r.realm,
                r.request_hash,
                r.sub_id,
                r.usage_time,
                r.requested_milli,
                r.accepted_milli,
                d.app_id,
                d.project_hrn,
                d.billing_tag,
                d.resource,
                d.channel_id,
                r.now
            ])
        })
        .collect();
    let json = serde_json::Value::Array(rows).to_string();

    // One statement, one round trip, whatever the batch's size.
    static PG_INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let j = JsonRows::new(Backend::Postgres, 1, "j");
        let (t, i) = (|n| j.text(n), |n| j.int(n));
        // A partitioned table's unique index must hold the month: the per-realm key is unique
        // in a table of its own, written in the same statement.
        let records = format!(
            "r AS (
               INSERT INTO usage_records (client_id, id_realm, request_hash, sub_id, usage_time, quantity_milli,
                   accepted_milli, app_id, project_hrn, billing_tag, resource, channel_id, created_time, updated_time)
               SELECT {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {now}, {now} FROM {table}
               RETURNING id, id_realm, client_id),
             k AS (INSERT INTO usage_client_ids (id_realm, client_id, record_id) SELECT id_realm, client_id, id FROM r)",
            t(0), t(1), t(2), i(3), i(4), i(5), i(6), t(7), t(8), t(9), t(10), t(11),
            now = i(12),
            table = j.table(),
        );
        let upsert = |table: &str, param: usize| {
            let j = JsonRows::new(Backend::Postgres, param, "j");
            format!(
                "INSERT INTO {table} AS r (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id, usage_milli, billable_milli)
                 SELECT {}, {}, {}, {}, {}, {}, {}, {}, {} FROM {}
                 ON CONFLICT (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id)
                 DO UPDATE SET usage_milli = r.usage_milli + excluded.usage_milli,
                               billable_milli = r.billable_milli + excluded.billable_milli",
                j.int(0), j.int(1), j.text(2), j.text(3), j.text(4), j.text(5), j.text(6),
                j.int(7), j.int(8), j.table()
            )
        };
        // The budgets are read in the statement's snapshot, taken with the subscriptions
        // already locked, as a statement of their own after it would read them.
        let pairs = format!(
            "(SELECT DISTINCT {} AS realm, {} AS sub FROM {})",
            t(1),
            i(3),
            j.table()
        );
        format!(
            "WITH {records}, q AS ({}), h AS ({}), s AS ({}), d AS ({}) {}",
            upsert("usage_quarter", 2),
            upsert("usage_hourly", 3),
            upsert("usage_six_hours", 4),
            upsert("usage_daily", 5),
            super::budgets::moved_by_each(&pairs)
        )
    });
    // The tiers in the statement's order (finest first).
    let tiers: [Vec<serde_json::Value>; 4] = TABLES.map(|(_, width)| {
        let mut cells: BTreeMap<(i64, i64, &Dims), (i64, i64)> = BTreeMap::new();
        for r in records {
            let t = cell(r.usage_time, width);
            let sums = cells.entry((r.sub_id, t, r.dims)).or_default();
            sums.0 += r.requested_milli;
            sums.1 += r.accepted_milli;
        }
        cells
            .into_iter()
            .map(|((sub, t, d), (u, b))| {
                serde_json::json!([
                    sub,
                    t,
                    d.app_id,
                    d.project_hrn,
                    d.billing_tag,
                    d.resource,
                    d.channel_id,
                    u,
                    b
                ])
            })
            .collect()
    });
    let [q, h, s, d] = tiers.map(|t| serde_json::Value::Array(t).to_string());
    db.all(
        &PG_INSERT,
        vals![&json, &q, &h, &s, &d],
        super::budgets::moved_from_row,
    )
}

/// Inserts `r` alone (SQLite); returns its row id.
fn insert_one(db: &mut Conn<'_>, r: &NewRecord<'_>) -> Result<i64> {
    let dims = r.dims;
    db.one(
        "INSERT INTO usage_records (client_id, id_realm, request_hash, sub_id, usage_time, quantity_milli, accepted_milli,
             app_id, project_hrn, billing_tag, resource, channel_id, created_time, updated_time)
         VALUES (?1, ?13, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12) RETURNING id",
        vals![
            r.client_id,
            r.request_hash,
            r.sub_id,
            r.usage_time,
            r.requested_milli,
            r.accepted_milli,
            &dims.app_id,
            &dims.project_hrn,
            &dims.billing_tag,
            &dims.resource,
            &dims.channel_id,
            r.now,
            r.realm
        ],
        |row| row.get(0),
    )
}
/// Adds quantities to the quarter-hour, hourly, six-hour and daily rollups, in the caller's
/// transaction.
pub fn add_to_rollups(
    db: &mut Conn<'_>,
    sub_id: i64,
    usage_time: i64,
    dims: &Dims,
    usage_milli: i64,
    billable_milli: i64,
) -> Result<()> {
    // ?2 is the hour's start, ?3 the day's, ?11 the quarter hour's, ?12 the six hours': one
    // list of values for every statement below. Made once: this runs for every record written.
    static UPSERTS: std::sync::LazyLock<[String; 5]> = std::sync::LazyLock::new(|| {
        let upsert = |table: &str, t: u8| {
            format!(
                "INSERT INTO {table} AS r (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id, usage_milli, billable_milli)
                 VALUES (?1, ?{t}, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id)
                 DO UPDATE SET usage_milli = r.usage_milli + excluded.usage_milli,
                               billable_milli = r.billable_milli + excluded.billable_milli"
            )
        };
        let (quarter, hourly, six, daily) = (
            upsert("usage_quarter", 11),
            upsert("usage_hourly", 2),
            upsert("usage_six_hours", 12),
            upsert("usage_daily", 3),
        );
        let all = format!("WITH q AS ({quarter}), h AS ({hourly}), s AS ({six}) {daily}");
        [quarter, hourly, six, daily, all]
    });
    let [quarter, hourly, six, daily, all] = &*UPSERTS;
    let vals = vals![
        sub_id,
        cell(usage_time, HOUR),
        cell(usage_time, DAY),
        &dims.app_id,
        &dims.project_hrn,
        &dims.billing_tag,
        &dims.resource,
        &dims.channel_id,
        usage_milli,
        billable_milli,
        cell(usage_time, QUARTER),
        cell(usage_time, SIX_HOURS)
    ];
    match db.backend() {
        // Every rollup in one round trip: PostgreSQL writes through CTEs, SQLite cannot.
        Backend::Postgres => {
            db.exec(all, vals)?;
        }
        // SQLite counts a statement's parameters up to its highest number, and refuses more
        // values: the hour's and day's statements end at ?10, the quarter's at ?11.
        Backend::Sqlite => {
            db.exec(quarter, &vals[..11])?;
            db.exec(hourly, &vals[..10])?;
            db.exec(six, vals)?;
            db.exec(daily, &vals[..10])?;
        }
    }
    Ok(())
}
