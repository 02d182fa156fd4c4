//! Usage records (contract section 4): `POST /usages`, `GET /usages/{id}`, `GET /usages`.
//!
//! Monthly limits hold under concurrency: the check and the insert happen in one immediate
//! (write-locked) SQLite transaction, so parallel requests are decided one after another.

use super::query_pairs;
use crate::AppState;
use crate::auth::Caller;
use crate::db::{Dims, add_to_rollups};
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Datelike, Months, NaiveDate};
use r2d2_sqlite::rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use rand::RngCore;
use serde_json::Value;
use sha2::{Digest, Sha256};
use usage_api::usage::Channel;
use usage_api::usages::{NewUsage, RelLink, UsageRecord, ValidUsage};
use usage_api::{FieldError, Quantity, Timestamp};

/// The usage record routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/usages", get(list).post(create))
        .route("/usages/{id}", get(show))
}

/// Fields of the seed's body that the server sets itself: accepted and ignored.
const READ_ONLY: &[&str] = &[
    "_links",
    "invoiceId",
    "invoiceItemId",
    "createdTime",
    "updatedTime",
];

/// Reads the JSON body into a [`NewUsage`], naming every field of the wrong type.
fn parse(body: &Bytes) -> Result<NewUsage, AppError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| AppError::field("body", format!("must be a JSON object ({e})")))?;
    let Value::Object(map) = value else {
        return Err(AppError::field("body", "must be a JSON object"));
    };
    let mut errors = Vec::new();
    let mut out = NewUsage::default();
    for (k, v) in &map {
        let as_text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        match k.as_str() {
            "quantity" => match v {
                // The number as written in the JSON, so its decimals are judged exactly.
                Value::Number(n) => out.quantity = Some(n.to_string()),
                Value::String(s) => out.quantity = Some(s.clone()),
                _ => errors.push(FieldError::new(k, "must be a number")),
            },
            "acceptPartialQuantity" => match v {
                Value::Bool(b) => out.accept_partial_quantity = *b,
                Value::Null => {}
                _ => errors.push(FieldError::new(k, "must be true or false")),
            },
            "id" | "subscriptionId" | "usageTime" | "appId" | "projectHrn" | "billingTag"
            | "resource" | "channelId" => {
                let slot = match k.as_str() {
                    "id" => &mut out.id,
                    "subscriptionId" => &mut out.subscription_id,
                    "usageTime" => &mut out.usage_time,
                    "appId" => &mut out.app_id,
                    "projectHrn" => &mut out.project_hrn,
                    "billingTag" => &mut out.billing_tag,
                    "resource" => &mut out.resource,
                    _ => &mut out.channel_id,
                };
                match v {
                    Value::Null => {}
                    v => match as_text(v) {
                        Some(s) => *slot = Some(s),
                        None => errors.push(FieldError::new(k, "must be a string")),
                    },
                }
            }
            k if READ_ONLY.contains(&k) => {}
            _ => errors.push(FieldError::new(k, "is not a field of a usage record")),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// A stable hash of what a request asks for, to tell a replay from a different request.
fn request_hash(v: &ValidUsage) -> String {
    let canonical = format!(
        "{}|{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}",
        v.subscription_id,
        v.quantity,
        v.usage_time.map(|t| t.to_string()).unwrap_or_default(),
        v.accept_partial_quantity,
        v.app_id,
        v.project_hrn,
        v.billing_tag,
        v.resource,
        v.channel_id
    );
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const RECORD_COLUMNS: &str = "r.id, r.client_id, s.billing_subscription_id, r.quantity_milli, r.accepted_milli, r.usage_time,
     r.created_time, r.updated_time, r.app_id, r.project_hrn, r.billing_tag, r.resource, r.channel_id";

fn public_id(rowid: i64, client_id: Option<String>) -> String {
    client_id.unwrap_or_else(|| format!("rec-{rowid}"))
}

fn record_from_row(row: &Row<'_>) -> r2d2_sqlite::rusqlite::Result<UsageRecord> {
    let id = public_id(row.get(0)?, row.get(1)?);
    let ts = |i: usize| -> r2d2_sqlite::rusqlite::Result<Timestamp> {
        Ok(Timestamp::from_unix(row.get(i)?)
            .unwrap_or_else(|| Timestamp::from_unix(0).expect("epoch")))
    };
    let opt = |i: usize| -> r2d2_sqlite::rusqlite::Result<Option<String>> {
        Ok(Some(row.get::<_, String>(i)?).filter(|s| !s.is_empty()))
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

/// The subscriptions the caller may record against or read: its org's and its sub-accounts'.
fn subscription_for(
    conn: &Connection,
    caller: &Caller,
    billing_id: &str,
) -> Result<(i64, Option<i64>), AppError> {
    let found: Option<(i64, String, Option<i64>)> = conn
        .query_row(
            "SELECT id, realm_id, monthly_limit_milli FROM subscriptions WHERE billing_subscription_id = ?1",
            [billing_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (id, realm, limit) = found
        .ok_or_else(|| AppError::NotFound(format!("There is no subscription '{billing_id}'.")))?;
    caller.check_realm(conn, &realm)?;
    Ok((id, limit))
}

fn month_bounds(t: Timestamp) -> (i64, i64) {
    let d = t.date();
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    (
        Timestamp::start_of(first).unix(),
        Timestamp::start_of(next).unix(),
    )
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, AppError> {
    let input = parse(&body)?;
    let valid = input.validate().map_err(|errors| {
        // Quantities that are not exact to 0.001 are a 422, as the contract says; the rest a 400.
        if errors.iter().all(|e| e.name == "quantity") && input.quantity.is_some() {
            AppError::Unprocessable(errors)
        } else {
            AppError::Validation(errors)
        }
    })?;
    caller.require("usages:write")?;
    let pool = state.pool.clone();
    let (status, record) = tokio::task::spawn_blocking(move || -> Result<(StatusCode, UsageRecord), AppError> {
        let mut conn = pool.get()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (sub_id, limit) = subscription_for(&tx, &caller, &valid.subscription_id)?;
        let hash = request_hash(&valid);
        if let Some(id) = &valid.id {
            let existing: Option<(i64, Option<String>)> = tx
                .query_row("SELECT id, request_hash FROM usage_records WHERE client_id = ?1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            if let Some((rowid, stored_hash)) = existing {
                if stored_hash.as_deref() != Some(hash.as_str()) {
                    return Err(AppError::Conflict(format!(
                        "A usage record with id '{id}' exists with different content; use a new id for a new record."
                    )));
                }
                let record = tx.query_row(
                    &format!("SELECT {RECORD_COLUMNS} FROM usage_records r JOIN subscriptions s ON s.id = r.sub_id WHERE r.id = ?1"),
                    [rowid],
                    record_from_row,
                )?;
                return Ok((StatusCode::OK, record));
            }
        }
        let now = Timestamp::from_datetime(chrono::Utc::now());
        let usage_time = valid.usage_time.unwrap_or(now);
        let requested = valid.quantity.milli();
        let mut accepted = requested;
        if let Some(limit) = limit {
            let (m0, m1) = month_bounds(usage_time);
            let used: i64 = tx.query_row(
                "SELECT COALESCE(SUM(billable_milli), 0) FROM usage_daily WHERE sub_id = ?1 AND t >= ?2 AND t < ?3",
                params![sub_id, m0, m1],
                |r| r.get(0),
            )?;
            let remaining = (limit - used).max(0);
            if requested > remaining {
                if !valid.accept_partial_quantity {
                    return Err(AppError::LimitExceeded(format!(
                        "The monthly limit of {} for '{}' leaves {} this month; send acceptPartialQuantity: true to record what fits.",
                        Quantity(limit),
                        valid.subscription_id,
                        Quantity(remaining)
                    )));
                }
                accepted = remaining;
            }
        }
        let client_id = valid.id.clone().unwrap_or_else(|| {
            let mut b = [0u8; 12];
            rand::thread_rng().fill_bytes(&mut b);
            format!("usg_{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>())
        });
        let dims = Dims {
            app_id: valid.app_id.clone().unwrap_or_default(),
            project_hrn: valid.project_hrn.clone().unwrap_or_default(),
            billing_tag: valid.billing_tag.clone().unwrap_or_default(),
            resource: valid.resource.clone().unwrap_or_default(),
            channel_id: valid.channel_id.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        };
        tx.execute(
            "INSERT INTO usage_records (client_id, request_hash, sub_id, usage_time, quantity_milli, accepted_milli,
                 app_id, project_hrn, billing_tag, resource, channel_id, created_time, updated_time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
            params![
                client_id,
                hash,
                sub_id,
                usage_time.unix(),
                requested,
                accepted,
                dims.app_id,
                dims.project_hrn,
                dims.billing_tag,
                dims.resource,
                dims.channel_id,
                now.unix()
            ],
        )?;
        let rowid = tx.last_insert_rowid();
        // The rollups move with the record, so queries, reports and the monthly view see it at once.
        add_to_rollups(&tx, sub_id, usage_time.unix(), &dims, requested, accepted)?;
        let record = tx.query_row(
            &format!("SELECT {RECORD_COLUMNS} FROM usage_records r JOIN subscriptions s ON s.id = r.sub_id WHERE r.id = ?1"),
            [rowid],
            record_from_row,
        )?;
        tx.commit()?;
        Ok((StatusCode::CREATED, record))
    })
    .await??;
    let mut resp = (status, Json(&record)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/usages/{}", record.id)) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

fn find(conn: &Connection, id: &str) -> Result<Option<(UsageRecord, String)>, AppError> {
    let by_rowid = id.strip_prefix("rec-").and_then(|n| n.parse::<i64>().ok());
    let sql = format!(
        "SELECT {RECORD_COLUMNS}, s.realm_id FROM usage_records r JOIN subscriptions s ON s.id = r.sub_id WHERE {}",
        if by_rowid.is_some() {
            "r.id = ?1 AND r.client_id IS NULL"
        } else {
            "r.client_id = ?1"
        }
    );
    let key: Box<dyn r2d2_sqlite::rusqlite::ToSql> = match by_rowid {
        Some(n) => Box::new(n),
        None => Box::new(id.to_owned()),
    };
    Ok(conn
        .query_row(&sql, [key], |r| {
            Ok((record_from_row(r)?, r.get::<_, String>(13)?))
        })
        .optional()?)
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<UsageRecord>, AppError> {
    caller.require_any(&["usage:read", "usages:write"])?;
    let pool = state.pool.clone();
    let record = tokio::task::spawn_blocking(move || -> Result<UsageRecord, AppError> {
        let conn = pool.get()?;
        let not_found = || AppError::NotFound(format!("There is no usage record '{id}'."));
        let (record, realm) = find(&conn, &id)?.ok_or_else(not_found)?;
        // Someone else's record is reported as absent, not as forbidden: ids are not secrets to probe.
        caller.check_realm(&conn, &realm).map_err(|_| not_found())?;
        Ok(record)
    })
    .await??;
    Ok(Json(record))
}

/// A page of usage records (`GET /usages`).
#[derive(Debug, serde::Serialize)]
struct RecordPage {
    total: u64,
    limit: u32,
    offset: u64,
    items: Vec<UsageRecord>,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<RecordPage>, AppError> {
    let mut errors = Vec::new();
    let (mut sub, mut limit, mut offset) = (None, 100_u32, 0_u64);
    for (k, v) in query_pairs(raw.as_deref())? {
        match k.as_str() {
            "subscriptionId" if !v.is_empty() => sub = Some(v),
            "limit" => match v.parse::<u32>() {
                Ok(n) if (1..=1000).contains(&n) => limit = n,
                _ => errors.push(FieldError::new(
                    "limit",
                    "must be a whole number from 1 to 1000",
                )),
            },
            "offset" => match v.parse::<u64>() {
                Ok(n) => offset = n,
                _ => errors.push(FieldError::new(
                    "offset",
                    "must be a whole number of at least 0 (records to skip)",
                )),
            },
            _ => errors.push(FieldError::new(k, usage_api::usage::msg::UNKNOWN)),
        }
    }
    let Some(sub) = sub else {
        errors.push(FieldError::new("subscriptionId", "is required"));
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    caller.require_any(&["usage:read", "usages:write"])?;
    let pool = state.pool.clone();
    let page = tokio::task::spawn_blocking(move || -> Result<RecordPage, AppError> {
        let conn = pool.get()?;
        let (sub_id, _) = subscription_for(&conn, &caller, &sub)?;
        let total: i64 = conn.query_row(
            "SELECT COUNT(*) FROM usage_records WHERE sub_id = ?1",
            [sub_id],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM usage_records r JOIN subscriptions s ON s.id = r.sub_id
             WHERE r.sub_id = ?1 ORDER BY r.usage_time DESC, r.id DESC LIMIT ?2 OFFSET ?3"
        ))?;
        let items = stmt
            .query_map(params![sub_id, limit, offset as i64], record_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RecordPage {
            total: total as u64,
            limit,
            offset,
            items,
        })
    })
    .await??;
    Ok(Json(page))
}
