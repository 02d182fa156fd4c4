//! Usage records and their subscriptions: what `GET /usages` and `GET /usages/{id}` read,
//! and what the usage writer reads and writes in its transaction.

use super::sql::{Backend, Conn, Result, Row};
use crate::db::Dims;
use crate::vals;
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

fn record_from_row(row: &Row<'_>) -> Result<UsageRecord> {
    let id = public_id(row.get(0)?, row.get(1)?);
    let ts = |i: usize| -> Result<Timestamp> {
        Ok(Timestamp::from_unix(row.get(i)?)
            .unwrap_or_else(|| Timestamp::from_unix(0).expect("epoch")))
    };
    let opt = |i: usize| -> Result<Option<String>> {
        Ok(Some(row.get::<String>(i)?).filter(|s| !s.is_empty()))
    };
    let requested = Quantity(row.get(3)?);
    let accepted = Quantity(row.get(4)?);
    Ok(UsageRecord {
        links: vec![RelLink {
            rel: "self".to_owned(),
            href: format!("/usages/{id}"),
        }],
        id,
        subscription_id: row.get(2)?,
        quantity: accepted,
        requested_quantity: requested,
        accept_partial_quantity: accepted != requested,
        usage_time: ts(5)?,
        created_time: ts(6)?,
        updated_time: ts(7)?,
        invoice_id: None,
        invoice_item_id: None,
        app_id: opt(8)?,
        project_hrn: opt(9)?,
        billing_tag: opt(10)?,
        resource: opt(11)?,
        channel_id: opt(12)?.and_then(|c| Channel::parse(&c)),
    })
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

/// The record `realm` posted as `client_id`, if it did (idempotency keys are per realm).
pub fn posted(db: &mut Conn<'_>, realm: &str, client_id: &str) -> Result<Option<Posted>> {
    db.opt(
        "SELECT id, request_hash FROM usage_records WHERE id_realm = ?1 AND client_id = ?2",
        vals![realm, client_id],
        |row| {
            Ok(Posted {
                rowid: row.get(0)?,
                request_hash: row.get(1)?,
            })
        },
    )
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

/// Makes the caller's transaction the only one recording against subscription `sub_id` or
/// under `realm`'s key `client_id` until it ends, so a monthly limit and an idempotency key
/// hold with many writers. SQLite has one writer at a time already (the writer's transaction
/// is `BEGIN IMMEDIATE`); PostgreSQL locks the subscription's row and the key.
pub fn lock_for_write(db: &mut Conn<'_>, sub_id: i64, realm: &str, client_id: &str) -> Result<()> {
    if db.backend() == Backend::Postgres {
        // One round trip for both: the row first, then the key.
        db.one(
            "SELECT pg_advisory_xact_lock(hashtextextended(?2 || '/' || ?3, 0))
             FROM subscriptions WHERE id = ?1 FOR UPDATE",
            vals![sub_id, realm, client_id],
            |_| Ok(()),
        )?;
    }
    Ok(())
}

/// Inserts `r`; returns its row id. The rollups are the caller's to move
/// ([`add_to_rollups`]), in the same transaction.
pub fn insert(db: &mut Conn<'_>, r: &NewRecord<'_>) -> Result<i64> {
    let dims = r.dims;
    const INSERT: &str = "INSERT INTO usage_records (client_id, id_realm, request_hash, sub_id, usage_time, quantity_milli, accepted_milli,
             app_id, project_hrn, billing_tag, resource, channel_id, created_time, updated_time)
         VALUES (?1, ?13, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12) RETURNING id";
    // PostgreSQL's records are partitioned by month, and a partitioned table's unique index
    // must hold the month: the per-realm key is unique in a table of its own, written in the
    // same statement. Made once: this runs for every record written.
    static PG_INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "WITH r AS ({INSERT})
             INSERT INTO usage_client_ids (id_realm, client_id, record_id) SELECT ?13, ?1, id FROM r
             RETURNING record_id"
        )
    });
    db.one(
        if db.backend() == Backend::Postgres {
            &PG_INSERT
        } else {
            INSERT
        },
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
        usage_time - usage_time.rem_euclid(3_600),
        usage_time - usage_time.rem_euclid(86_400),
        &dims.app_id,
        &dims.project_hrn,
        &dims.billing_tag,
        &dims.resource,
        &dims.channel_id,
        usage_milli,
        billable_milli,
        usage_time - usage_time.rem_euclid(900),
        usage_time - usage_time.rem_euclid(21_600)
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
