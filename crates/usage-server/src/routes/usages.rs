//! Usage records (contract section 4): `POST /usages`, `GET /usages/{id}`, `GET /usages`.
//!
//! Monthly limits hold under concurrency: every recording goes through one writer thread
//! ([`crate::group_commit`]) that decides them one after another inside its write transaction,
//! and a request is answered only once the transaction holding its record has committed.

use super::extract::{FromQueryPairs, Params, QueryPairs};
use crate::AppState;
use crate::auth::Caller;
use crate::db::{Dims, Pool};
use crate::error::{AppError, json_or_unspecified};
use crate::group_commit::{self, WriterOptions};
use crate::store;
use crate::store::sql::Conn;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Datelike, Months, NaiveDate};
use rand::RngCore;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use usage_api::limits::USAGES_LIMIT_DEFAULT;
use usage_api::usages::{
    MONTHLY_TOTAL_MAX, NewUsage, QUANTITY_TOO_LARGE, UsageRecord, ValidUsage, check_json_quantity,
    check_usage_time, parse_list_limit, parse_list_offset,
};
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

/// A body read: the record as text, and why a JSON-number quantity was refused, if it was
/// (its exact words; [`NewUsage::validate`] judges strings).
struct Parsed {
    usage: NewUsage,
    quantity_problem: Option<String>,
}

/// Reads the JSON body into a [`NewUsage`], naming every field of the wrong type. Values are
/// kept as the text they were sent as, so a number is judged by its decimals as written.
fn parse(body: &Bytes) -> Result<Parsed, AppError> {
    let not_object = |e: String| AppError::field("body", format!("must be a JSON object{e}"));
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(not_object(String::new()));
    }
    let map: BTreeMap<String, Box<RawValue>> =
        serde_json::from_slice(body).map_err(|e| not_object(format!(" ({e})")))?;
    let mut errors = Vec::new();
    let mut out = NewUsage::default();
    let mut quantity_problem = None;
    for (k, v) in &map {
        let raw = v.get();
        let text = || serde_json::from_str::<String>(raw).ok();
        let is_number = raw.starts_with(|c: char| c == '-' || c.is_ascii_digit());
        match k.as_str() {
            "quantity" => {
                if is_number {
                    // The number as written in the JSON: its decimals are judged exactly.
                    match check_json_quantity(raw) {
                        Ok(q) => out.quantity = Some(q.to_string()),
                        Err(e) => {
                            quantity_problem = Some(e);
                            out.quantity = Some(raw.to_owned());
                        }
                    }
                } else if let Some(s) = text() {
                    out.quantity = Some(s);
                } else {
                    errors.push(FieldError::new(k, "must be a number"));
                }
            }
            "acceptPartialQuantity" => match raw {
                "true" => out.accept_partial_quantity = true,
                "false" | "null" => out.accept_partial_quantity = false,
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
                if raw != "null" {
                    match text() {
                        Some(s) => *slot = Some(s),
                        None => errors.push(FieldError::new(k, "must be a string")),
                    }
                }
            }
            k if READ_ONLY.contains(&k) => {}
            _ => errors.push(FieldError::new(k, "is not a field of a usage record")),
        }
    }
    if errors.is_empty() {
        Ok(Parsed {
            usage: out,
            quantity_problem,
        })
    } else {
        Err(AppError::Validation(errors))
    }
}

/// A stable hash of what a request asks for, to tell a replay from a different request: the
/// SHA-256 of a JSON array of its fields in a fixed order (unambiguous whatever the values
/// hold), marked `v2:`.
fn request_hash(v: &ValidUsage) -> String {
    let canonical = serde_json::json!([
        v.subscription_id,
        v.quantity.to_string(),
        v.usage_time.map(|t| t.to_string()),
        v.accept_partial_quantity,
        v.app_id,
        v.project_hrn,
        v.billing_tag,
        v.resource,
        v.channel_id.map(|c| c.as_str()),
    ]);
    format!(
        "v2:{}",
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    )
}

/// Whether `stored`, the hash kept with a record, is that of the request `v`. Records written
/// before `v2:` hashes were kept with the first form, which only this reads: fields joined by
/// `|`, the optional ones as Rust's `Debug` printed them then (`Some("x")`, `None`).
fn same_request(stored: &str, v: &ValidUsage) -> bool {
    if stored.starts_with("v2:") {
        return stored == request_hash(v);
    }
    let opt = |o: &Option<String>| {
        o.as_ref()
            .map_or_else(|| "None".to_owned(), |s| format!("Some({s:?})"))
    };
    let channel = v
        .channel_id
        .map_or_else(|| "None".to_owned(), |c| format!("Some({c:?})"));
    let first_form = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}",
        v.subscription_id,
        v.quantity,
        v.usage_time.map(|t| t.to_string()).unwrap_or_default(),
        v.accept_partial_quantity,
        opt(&v.app_id),
        opt(&v.project_hrn),
        opt(&v.billing_tag),
        opt(&v.resource),
        channel
    );
    stored == hex::encode(Sha256::digest(first_form.as_bytes()))
}

/// The subscription `billing_id`, when the caller may read its records: its org's and its
/// sub-accounts'. One it may not read answers exactly as an unknown one: a 404 that names no
/// owner, so subscription ids cannot be probed. (Recording checks its own way, for a batch.)
fn readable_subscription(
    conn: &mut Conn<'_>,
    caller: &Caller,
    billing_id: &str,
) -> Result<i64, AppError> {
    let not_found = || AppError::NotFound(format!("There is no subscription '{billing_id}'."));
    let found = store::records::subscription(conn, billing_id)?.ok_or_else(not_found)?;
    match caller.check_realm(conn, &found.realm_id) {
        Ok(()) => Ok(found.id),
        Err(AppError::Forbidden(_)) => Err(not_found()),
        Err(e) => Err(e),
    }
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

#[utoipa::path(post, path = "/usages", tag = "usages", operation_id = "createUsage",
    summary = "Record usage, idempotent by `id` (contract sections 4 and 6)",
    request_body(content = usage_api::usages::NewUsage),
    responses(
        (status = 201, description = "Recorded.", body = usage_api::usages::UsageRecord,
            headers(("Location" = String, description = "The record's URL."))),
        (status = 200, description = "The same `id` and body again: the stored record.", body = usage_api::usages::UsageRecord,
            headers(("Location" = String, description = "The record's URL."))),
        crate::openapi::UsageWriteErrors),
    security(("bearer" = ["usages:write"])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    if !json_or_unspecified(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    let Parsed {
        usage: input,
        quantity_problem,
    } = parse(&body)?;
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let window = state.usage_time_window;
    let out_of_window = input
        .usage_time
        .as_deref()
        .and_then(Timestamp::parse)
        .and_then(|t| check_usage_time(t, now, window.max_age_secs, window.max_ahead_secs).err())
        .map(|e| FieldError::new("usageTime", e));
    let valid = match (input.validate(), out_of_window) {
        (Ok(v), None) => Ok(v),
        (Ok(_), Some(e)) => Err(vec![e]),
        (Err(mut errors), e) => {
            errors.extend(e);
            Err(errors)
        }
    };
    let valid = valid.map_err(|mut errors| {
        if let Some(p) = &quantity_problem {
            for e in errors.iter_mut().filter(|e| e.name == "quantity") {
                e.description.clone_from(p);
            }
        }
        // Quantities that are not exact to 0.001 are a 422, as the contract says; one above
        // the per-record maximum, and the rest, a 400.
        let unprocessable = errors
            .iter()
            .all(|e| e.name == "quantity" && e.description != QUANTITY_TOO_LARGE);
        if unprocessable && input.quantity.is_some() {
            AppError::Unprocessable(errors)
        } else {
            AppError::Validation(errors)
        }
    })?;
    caller.require("usages:write")?;
    let (status, record) = state
        .usage_writer
        .submit(Recording::new(caller, valid, now))
        .await?;
    Ok(super::located(
        (status, Json(&record)).into_response(),
        &format!("/usages/{}", record.id),
    ))
}

/// A usage record to write, checked and prepared on the request's task, so the one writer
/// thread does only what needs the database.
pub struct Recording {
    caller: Caller,
    valid: ValidUsage,
    hash: String,
    /// The client's `id`, or one made up (`usg_…`) when it sent none.
    client_id: String,
    dims: Dims,
    usage_time: Timestamp,
    now: Timestamp,
}

impl Recording {
    fn new(caller: Caller, valid: ValidUsage, now: Timestamp) -> Self {
        let client_id = valid.id.clone().unwrap_or_else(|| {
            let mut b = [0u8; 12];
            rand::thread_rng().fill_bytes(&mut b);
            format!("usg_{}", hex::encode(b))
        });
        let dims = Dims {
            app_id: valid.app_id.clone().unwrap_or_default(),
            project_hrn: valid.project_hrn.clone().unwrap_or_default(),
            billing_tag: valid.billing_tag.clone().unwrap_or_default(),
            resource: valid.resource.clone().unwrap_or_default(),
            channel_id: valid
                .channel_id
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
        };
        Self {
            hash: request_hash(&valid),
            usage_time: valid.usage_time.unwrap_or(now),
            caller,
            valid,
            client_id,
            dims,
            now,
        }
    }
}

/// What a recording answers: 201 with a new record, 200 with the stored one for a replay.
pub type Recorded = (StatusCode, UsageRecord);

/// The writer every `POST /usages` goes through (see [`crate::group_commit`]).
pub type UsageWriter = group_commit::Writer<Recording, Recorded>;

/// Starts the usage writer on `pool`.
pub fn usage_writer(pool: Pool, opts: WriterOptions) -> anyhow::Result<UsageWriter> {
    group_commit::Writer::start("usage-writer", pool, opts, record)
}

/// What the batch does for one request, decided before anything is written.
enum Plan {
    /// Refused (unknown subscription, a key reused with other content, over a limit).
    Refuse(AppError),
    /// A replay of the record stored at this row: 200 with it.
    Replay(i64),
    /// A replay of the `usize`-th new record of this batch.
    ReplayNew(usize),
    /// The `usize`-th new record of this batch: 201.
    Create(usize),
}

/// Writes a batch of recordings in the writer's transaction. Each is decided in order, as if
/// alone: a limit sees every record committed or earlier in the batch, a key every key. What
/// the decisions need is read for the whole batch at once (subscriptions, locks, keys, the
/// months' sums), and what they write goes in at once, so a batch costs a few statements
/// whatever its size: on PostgreSQL, a round trip each.
fn record(
    tx: &mut Conn<'_>,
    batch: &[&Recording],
) -> Result<Vec<Result<Recorded, AppError>>, AppError> {
    use std::collections::{BTreeSet, HashMap};
    let names: BTreeSet<&str> = batch
        .iter()
        .map(|r| r.valid.subscription_id.as_str())
        .collect();
    let subs = store::records::subscriptions_named(tx, &names.into_iter().collect::<Vec<_>>())?;
    // Only the caller's own org's subscriptions may be recorded against; another's answers
    // exactly as an unknown one, a 404 that names no owner.
    let usable = |r: &Recording| {
        subs.get(&r.valid.subscription_id)
            .filter(|s| s.realm_id == r.caller.realm_id)
    };
    let mut locked_subs = BTreeSet::new();
    let mut keys = BTreeSet::new();
    let mut spans = BTreeSet::new();
    for r in batch {
        if let Some(s) = usable(r) {
            locked_subs.insert(s.id);
            if r.valid.id.is_some() {
                keys.insert((r.caller.realm_id.as_str(), r.client_id.as_str()));
            }
            let (m0, m1) = month_bounds(r.usage_time);
            spans.insert((s.id, m0, m1));
        }
    }
    // Another replica may be recording against the same months or keys right now.
    store::records::lock_keys(tx, &keys)?;
    let posted = store::records::posted(tx, &keys)?;
    store::records::lock_subscriptions(tx, &locked_subs)?;
    let spans: Vec<(i64, i64, i64)> = spans.into_iter().collect();
    let sums = store::records::usage_of_spans(tx, &spans)?;
    // (subscription, month start) → (usage, billable usage) so far, moved as records are planned.
    let mut months: HashMap<(i64, i64), (i64, i64)> = spans
        .iter()
        .zip(sums)
        .map(|(&(sub, m0, _), sum)| ((sub, m0), sum))
        .collect();

    let mut new: Vec<store::records::NewRecord<'_>> = Vec::new();
    // Each realm, subscription and month the new records move: (a usage time in it, the
    // latest `now`), for the budgets.
    let mut moved: BTreeMap<(&str, i64, i64), (i64, i64)> = BTreeMap::new();
    let mut new_by_key: HashMap<(&str, &str), usize> = HashMap::new();
    let mut plans = Vec::with_capacity(batch.len());
    for r in batch {
        let valid = &r.valid;
        let Some(sub) = usable(r) else {
            plans.push(Plan::Refuse(AppError::NotFound(format!(
                "There is no subscription '{}'.",
                valid.subscription_id
            ))));
            continue;
        };
        let key = (r.caller.realm_id.as_str(), r.client_id.as_str());
        if let Some(id) = &valid.id {
            let reused = || {
                AppError::Conflict(format!(
                    "A usage record with id '{id}' exists with different content; use a new id for a new record."
                ))
            };
            // Idempotency keys are the realm's own: another realm's ids are never seen.
            if let Some(p) = posted.get(&(key.0.to_owned(), key.1.to_owned())) {
                plans.push(match &p.request_hash {
                    Some(h) if same_request(h, valid) => Plan::Replay(p.rowid),
                    _ => Plan::Refuse(reused()),
                });
                continue;
            }
            if let Some(&n) = new_by_key.get(&key) {
                plans.push(if new[n].request_hash == r.hash {
                    Plan::ReplayNew(n)
                } else {
                    Plan::Refuse(reused())
                });
                continue;
            }
        }
        let (m0, _) = month_bounds(r.usage_time);
        let month = months.entry((sub.id, m0)).or_default();
        match decide(valid, sub.monthly_limit_milli, *month) {
            Err(e) => plans.push(Plan::Refuse(e)),
            Ok(accepted) => {
                let requested = valid.quantity.milli();
                month.0 += requested;
                month.1 += accepted;
                let at = moved
                    .entry((key.0, sub.id, m0))
                    .or_insert((r.usage_time.unix(), r.now.unix()));
                at.1 = at.1.max(r.now.unix());
                new_by_key.insert(key, new.len());
                plans.push(Plan::Create(new.len()));
                new.push(store::records::NewRecord {
                    client_id: &r.client_id,
                    realm: &r.caller.realm_id,
                    request_hash: &r.hash,
                    sub_id: sub.id,
                    usage_time: r.usage_time.unix(),
                    requested_milli: requested,
                    accepted_milli: accepted,
                    dims: &r.dims,
                    now: r.now.unix(),
                });
            }
        }
    }

    let budgets = store::records::insert_many(tx, &new)?;
    // A budget's alert is the moment usage reached it: noted with the records that made it,
    // once for each realm, subscription and month they moved.
    for ((realm, sub_id, _), (usage_time, now)) in moved {
        let these: Vec<_> = budgets
            .iter()
            .filter(|(r, s, _)| r == realm && *s == sub_id)
            .map(|(_, _, b)| b)
            .collect();
        super::budgets::note_usage(tx, realm, &these, usage_time, now)?;
    }

    let billing = |i: usize| batch[i].valid.subscription_id.as_str();
    let created: Vec<UsageRecord> = {
        // The request each new record came from, for its subscription's billing id.
        let mut from = Vec::with_capacity(new.len());
        for (i, p) in plans.iter().enumerate() {
            if let Plan::Create(_) = p {
                from.push(i);
            }
        }
        new.iter()
            .zip(from)
            .map(|(n, i)| n.answer(billing(i)))
            .collect()
    };
    let mut answers = Vec::with_capacity(batch.len());
    for p in plans {
        answers.push(match p {
            Plan::Refuse(e) => Err(e),
            Plan::Replay(rowid) => Ok((StatusCode::OK, store::records::by_rowid(tx, rowid)?)),
            Plan::ReplayNew(n) => Ok((StatusCode::OK, created[n].clone())),
            Plan::Create(n) => Ok((StatusCode::CREATED, created[n].clone())),
        });
    }
    Ok(answers)
}

/// The quantity a recording may record, given its subscription's monthly limit and its month's
/// `(usage, billable usage)` so far (milli-units); or why it may record nothing.
fn decide(
    valid: &ValidUsage,
    limit: Option<i64>,
    (month_usage, used): (i64, i64),
) -> Result<i64, AppError> {
    let requested = valid.quantity.milli();
    // Every sum kept (rollups, months, a query's range) stays far inside an i64.
    if month_usage
        .checked_add(requested)
        .is_none_or(|t| t > MONTHLY_TOTAL_MAX.milli())
    {
        return Err(AppError::LimitExceeded(format!(
            "'{}' may record at most {MONTHLY_TOTAL_MAX} a month; this month holds {} already.",
            valid.subscription_id,
            Quantity(month_usage)
        )));
    }
    let Some(limit) = limit else {
        return Ok(requested);
    };
    let remaining = (limit - used).max(0);
    if requested <= remaining {
        return Ok(requested);
    }
    if !valid.accept_partial_quantity {
        return Err(AppError::LimitExceeded(format!(
            "The monthly limit of {} for '{}' leaves {} this month; send acceptPartialQuantity: true to record what fits.",
            Quantity(limit),
            valid.subscription_id,
            Quantity(remaining)
        )));
    }
    Ok(remaining)
}

/// The record `id` names for the caller: a `rec_N` (no client id), or a client's id in the
/// caller's realm or, for a partner, a sub-account's (its own first).
fn find(conn: &mut Conn<'_>, caller: &Caller, id: &str) -> Result<Option<UsageRecord>, AppError> {
    if let Some(n) = id.strip_prefix("rec_").and_then(|n| n.parse::<i64>().ok()) {
        return match store::records::loaded(conn, n)? {
            Some((record, realm)) => match caller.check_realm(conn, &realm) {
                Ok(()) => Ok(Some(record)),
                // Someone else's record is reported as absent: ids are not secrets to probe.
                Err(AppError::Forbidden(_)) => Ok(None),
                Err(e) => Err(e),
            },
            None => Ok(None),
        };
    }
    Ok(store::records::by_client_id(conn, id, &caller.realm_id)?)
}

#[utoipa::path(get, path = "/usages/{id}", tag = "usages", operation_id = "getUsageRecord",
    summary = "One usage record (section 4)",
    params(crate::openapi::RecordPath),
    responses((status = 200, description = "The record.", body = usage_api::usages::UsageRecord),
        crate::openapi::UsageReadErrors),
    security(("bearer" = ["usage:read"]), ("bearer" = ["usages:write"])))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<UsageRecord>, AppError> {
    caller.require_any(&["usage:read", "usages:write"])?;
    let record = state
        .db(move |conn| -> Result<UsageRecord, AppError> {
            find(conn, &caller, &id)?
                .ok_or_else(|| AppError::NotFound(format!("There is no usage record '{id}'.")))
        })
        .await?;
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

/// The query of `GET /usages`: a page of `limit` records of one subscription, `offset` pages
/// in. A repeated parameter counts as its last value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordListQuery {
    /// The subscription's billing id (required, not empty).
    pub subscription_id: String,
    /// Records per page.
    pub limit: u32,
    /// The page, from 0.
    pub offset: u64,
}

impl FromQueryPairs for RecordListQuery {
    fn from_query_pairs(pairs: &QueryPairs) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let (mut sub, mut limit, mut offset) = (None, USAGES_LIMIT_DEFAULT, 0_u64);
        for (k, v) in pairs.iter() {
            match k {
                "subscriptionId" if !v.is_empty() => sub = Some(v.to_owned()),
                "limit" => match parse_list_limit(v) {
                    Ok(n) => limit = n,
                    Err(e) => errors.push(FieldError::new("limit", e)),
                },
                "offset" => match parse_list_offset(v) {
                    Ok(n) => offset = n,
                    Err(e) => errors.push(FieldError::new("offset", e)),
                },
                _ => errors.push(FieldError::new(k, usage_api::usage::msg::UNKNOWN)),
            }
        }
        let Some(subscription_id) = sub else {
            errors.push(FieldError::new("subscriptionId", "is required"));
            return Err(AppError::Validation(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(Self {
            subscription_id,
            limit,
            offset,
        })
    }
}

#[utoipa::path(get, path = "/usages", tag = "usages", operation_id = "listUsageRecords",
    summary = "A subscription's usage records, newest first (sections 4 and 6)",
    params(crate::openapi::UsagesListParams),
    responses((status = 200, description = "A page of records.", body = crate::openapi::UsagesPage),
        crate::openapi::UsageReadErrors),
    security(("bearer" = ["usage:read"]), ("bearer" = ["usages:write"])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(RecordListQuery {
        subscription_id: sub,
        limit,
        offset,
    }): Params<RecordListQuery>,
) -> Result<Json<RecordPage>, AppError> {
    caller.require_any(&["usage:read", "usages:write"])?;
    let page = state
        .db(move |conn| -> Result<RecordPage, AppError> {
            let sub_id = readable_subscription(conn, &caller, &sub)?;
            let total = store::records::count(conn, sub_id)?;
            let items = store::records::page(conn, sub_id, limit, offset)?;
            Ok(RecordPage {
                total,
                limit,
                offset,
                items,
            })
        })
        .await?;
    Ok(Json(page))
}
