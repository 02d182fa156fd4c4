//! Issue 13, contract sections 5 and 6, over real HTTP against the real server: the contract's
//! error body for everything the framework answers itself, health and readiness, the bearer
//! scheme, and usage records tightened (ids per realm, foreign subscriptions as unknown ones,
//! bounded and exact quantities, no overflowing sums, the usageTime window, paging bounds,
//! bounded report sub-accounts).
//!
//! Every usageTime derives from the clock read once ([`now`]), never from a calendar literal.

mod backend;
mod common;
mod support;

use common::{field_names, server};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use support::{Db, serve};
use usage_server::vals;
use usage_server::{AppOptions, auth, db, demo};

/// The run's clock, read once.
fn now() -> chrono::DateTime<chrono::Utc> {
    static NOW: OnceLock<chrono::DateTime<chrono::Utc>> = OnceLock::new();
    *NOW.get_or_init(chrono::Utc::now)
}

/// `now()` moved by `secs` seconds, as the API writes a time.
fn at(secs: i64) -> String {
    (now() + chrono::TimeDelta::seconds(secs))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// A unique suffix, so ids never meet another test's.
fn nonce() -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    format!(
        "{}-{}",
        now().timestamp_micros(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

/// The `nth` subscription of `realm`, without a monthly limit.
fn subscription(realm: &str, nth: usize) -> String {
    let pool = &server().pool;
    let id: String = crate::backend::one(
        pool,
        "SELECT billing_subscription_id FROM subscriptions WHERE realm_id = ?1 ORDER BY id LIMIT 1 OFFSET ?2",
        vals![realm, nth as i64],
    );
    crate::backend::exec(
        pool,
        "UPDATE subscriptions SET monthly_limit_milli = NULL WHERE billing_subscription_id = ?1",
        vals![&id],
    );
    id
}

fn url(path: &str) -> String {
    format!("{}{path}", server().base)
}

/// POSTs a raw JSON text to /usages with `token`.
async fn post_raw(token: &str, body: &str) -> (u16, Value) {
    let resp = common::client()
        .post(url("/usages"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}")),
    )
}

async fn post_as(token: &str, body: Value) -> (u16, Value) {
    post_raw(token, &body.to_string()).await
}

async fn post(body: Value) -> (u16, Value) {
    post_as(&server().token, body).await
}

async fn get_as(token: &str, path: &str) -> (u16, Value) {
    let resp = common::client()
        .get(url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}")),
    )
}

/// Asserts `resp` is the contract's error body with `status` and `code`; returns the body.
async fn contract_error(resp: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status().as_u16(), status, "{:?}", resp.headers());
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(ct.as_deref(), Some("application/json"));
    assert!(resp.headers().contains_key("x-request-id"));
    assert!(resp.headers().contains_key("x-correlation-id"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body["fields"].is_array(), "{body}");
    body
}

/// A server of its own (not the shared one), on a fresh database with the demo orgs; with the
/// built portal's stand-in in `static_dir` when given.
async fn own_server(
    static_dir: Option<std::path::PathBuf>,
) -> (String, db::Pool, tempfile::TempDir) {
    let db = Db::new();
    let opts = AppOptions {
        static_dir,
        cors_origins: vec!["*".to_owned()],
        ..AppOptions::default()
    };
    let addr = serve(db.state(), &opts).await;
    (format!("http://{addr}"), db.pool, db.dir)
}

// ---- section 5: every error is the contract's body ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_api_paths_are_the_contracts_404_never_the_portal() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("index.html"),
        "<!doctype html><title>portal</title>",
    )
    .unwrap();
    let (base, _pool, _dir) = own_server(Some(site.path().to_owned())).await;
    let c = common::client();
    for path in [
        "/usage",
        "/usage/nope",
        "/usage/realms/northwind/nope/deeper",
        "/usages/a/b",
        "/express",
        "/express/usage/year",
        "/orgs",
        "/orgs/you",
        "/healthz/extra",
        "/metrics/x",
    ] {
        let resp = c.get(format!("{base}{path}")).send().await.unwrap();
        let body = contract_error(resp, 404, "notFound").await;
        assert!(!body.to_string().contains("<title>"), "{path}: {body}");
    }
    // The portal's own pages still get its HTML.
    let page = c.get(format!("{base}/reports")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<title>portal"));
    // And without a portal, the same JSON 404.
    let resp = common::client()
        .get(url("/usage/nope"))
        .send()
        .await
        .unwrap();
    contract_error(resp, 404, "notFound").await;
}

#[tokio::test]
async fn method_not_allowed_is_the_contracts_body_with_allow() {
    let resp = server().get("/usages").send().await.unwrap();
    assert_ne!(resp.status(), 405);
    let resp = common::client()
        .delete(url("/usages"))
        .bearer_auth(&server().token)
        .send()
        .await
        .unwrap();
    let allow = resp
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        allow.contains("GET") && allow.contains("POST"),
        "Allow: {allow}"
    );
    contract_error(resp, 405, "methodNotAllowed").await;
}

#[tokio::test]
async fn oversized_bodies_are_413_payload_too_large() {
    let big = format!(
        "{{\"subscriptionId\": \"x\", \"quantity\": 1, \"resource\": \"{}\"}}",
        "a".repeat(3 * 1024 * 1024)
    );
    let resp = common::client()
        .post(url("/usages"))
        .bearer_auth(&server().token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    contract_error(resp, 413, "payloadTooLarge").await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let sub = subscription("northwind", 1);
    let resp = common::client()
        .post(url("/usages"))
        .bearer_auth(&server().token)
        .header("content-type", "text/plain")
        .body(json!({"subscriptionId": sub, "quantity": 1}).to_string())
        .send()
        .await
        .unwrap();
    contract_error(resp, 415, "unsupportedMediaType").await;
}

#[tokio::test]
async fn the_frameworks_path_rejection_is_the_contracts_400() {
    // Not UTF-8 once percent-decoded: axum's Path extractor refuses it.
    let resp = server().get("/usages/%FF%FE").send().await.unwrap();
    contract_error(resp, 400, "validation").await;
}

#[tokio::test]
async fn a_bad_request_id_400_is_readable_by_a_browser() {
    let resp = common::client()
        .get(url("/orgs/me"))
        .bearer_auth(&server().token)
        .header("origin", "https://admin.example.com")
        .header("x-request-id", "r".repeat(201))
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers().contains_key("access-control-allow-origin"),
        "{:?}",
        resp.headers()
    );
    let body = contract_error(resp, 400, "validation").await;
    assert_eq!(field_names(&body), ["X-Request-ID"]);
    // A preflight still carries the ids.
    let pre = common::client()
        .request(reqwest::Method::OPTIONS, url("/usages"))
        .header("origin", "https://admin.example.com")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success(), "{}", pre.status());
    assert!(pre.headers().contains_key("access-control-allow-origin"));
    assert!(pre.headers().contains_key("x-request-id"));
}

/// Log lines written by the server while this test binary runs.
static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_request_id_cannot_forge_fields_in_the_log() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(|| Capture)
            .try_init()
            .ok();
    });
    let marker = nonce();
    let forged = format!("m{marker}\" status=500 path=\"/forged");
    let resp = common::client()
        .get(url("/healthz"))
        .header("x-request-id", &forged)
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()
            .get("x-request-id")
            .unwrap()
            .to_str()
            .unwrap(),
        forged,
        "echoed as sent"
    );
    // The log line is written once the response is on its way.
    let deadline = Instant::now() + Duration::from_secs(5);
    let line = loop {
        let log = String::from_utf8_lossy(&LOG.lock().unwrap()).into_owned();
        if let Some(l) = log
            .lines()
            .find(|l| l.contains(&marker) && l.contains("served"))
        {
            break l.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no log line for the request:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Quoted and escaped: the forged `status=` and `path=` stay inside the request id's value.
    let escaped = format!("request_id=\"m{marker}\\\" status=500 path=\\\"/forged\"");
    assert!(line.contains(&escaped), "{line}");
    assert!(!line.contains("request_id=m"), "{line}");
}

// ---- section 5: health, readiness, the bearer scheme, /orgs/me ----

#[tokio::test]
async fn healthz_and_readyz_answer_without_a_token() {
    let c = common::client();
    let resp = c.get(url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({"status": "ok"}));
    let resp = c.get(url("/readyz")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"status": "ready"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_when_the_database_does_not_answer_within_a_second() {
    let (base, pool, _dir) = own_server(None).await;
    let c = common::client();
    let ready = c.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    // Every pooled connection taken: the database cannot answer the server.
    let held: Vec<_> =
        db::off_runtime(|| (0..pool.max_size()).map(|_| pool.get().unwrap()).collect());
    let started = Instant::now();
    let resp = c.get(format!("{base}/readyz")).send().await.unwrap();
    let took = started.elapsed();
    assert!(
        resp.headers().contains_key("retry-after"),
        "{:?}",
        resp.headers()
    );
    let body = contract_error(resp, 503, "unavailable").await;
    assert_eq!(body["status"], "unavailable");
    assert!(took < Duration::from_millis(2_500), "answered in {took:?}");
    // Liveness never touches the database.
    let alive = c.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), 200);
    drop(held);
    let ready = c.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200, "ready again once the database answers");
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let resp = common::client()
            .get(url("/orgs/me"))
            .header("authorization", format!("{scheme} {}", server().token))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{scheme}");
    }
    let resp = common::client()
        .get(url("/orgs/me"))
        .header("authorization", format!("Basic {}", server().token))
        .send()
        .await
        .unwrap();
    contract_error(resp, 401, "unauthorized").await;
}

#[tokio::test]
async fn orgs_me_needs_one_of_the_read_scopes() {
    let (status, body) = get_as(&server().scopeless_token, "/orgs/me").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    let pool = &server().pool;
    for scope in ["usage:read", "express-accounts-usage:read"] {
        let token = crate::backend::run(pool, |c| {
            auth::create_token(c, demo::PARTNER, &[scope], "test")
        })
        .unwrap();
        let (status, body) = get_as(&token, "/orgs/me").await;
        assert_eq!(status, 200, "{scope}: {body}");
        assert_eq!(body["realmId"], demo::PARTNER);
    }
    let writer = crate::backend::run(pool, |c| {
        auth::create_token(c, demo::PARTNER, &["usages:write"], "test")
    })
    .unwrap();
    let (status, _) = get_as(&writer, "/orgs/me").await;
    assert_eq!(status, 403, "a write scope alone reads nothing");
}

// ---- section 6: usage records, tightened ----

#[tokio::test]
async fn client_ids_are_restricted_in_their_characters() {
    let sub = subscription("northwind", 0);
    for bad in [
        "has space".to_owned(),
        "under_score".to_owned(),
        "slash/ed".to_owned(),
        "ünï".to_owned(),
        "x".repeat(101),
    ] {
        let (status, body) =
            post(json!({"id": bad, "subscriptionId": sub, "quantity": 1, "usageTime": at(-HOUR)}))
                .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(field_names(&body), ["id"], "{bad}");
    }
    let good = format!("Ok.id:{}-{}", nonce(), "z".repeat(40));
    let (status, body) =
        post(json!({"id": good, "subscriptionId": sub, "quantity": 1, "usageTime": at(-HOUR)}))
            .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["id"], good);
}

#[tokio::test]
async fn the_same_id_in_two_realms_is_two_records() {
    let s = server();
    let mine = subscription("northwind", 0);
    let theirs = subscription("contoso", 0);
    let id = format!("shared-{}", nonce());
    let (st1, a) = post_as(
        &s.foreign_token,
        json!({"id": id, "subscriptionId": theirs, "quantity": 2, "usageTime": at(-2 * HOUR)}),
    )
    .await;
    assert_eq!(st1, 201, "{a}");
    let (st2, b) = post_as(
        &s.token,
        json!({"id": id, "subscriptionId": mine, "quantity": 3, "usageTime": at(-HOUR)}),
    )
    .await;
    assert_eq!(
        st2, 201,
        "another realm's id is no conflict and tells nothing: {b}"
    );
    assert_eq!(b["subscriptionId"], mine);
    // Each realm reads its own record by that id.
    let (_, got) = get_as(&s.token, &format!("/usages/{id}")).await;
    assert_eq!(got, b);
    let (_, got) = get_as(&s.foreign_token, &format!("/usages/{id}")).await;
    assert_eq!(got, a);
    // Idempotency still holds within a realm.
    let (st3, again) = post_as(
        &s.token,
        json!({"id": id, "subscriptionId": mine, "quantity": 3, "usageTime": at(-HOUR)}),
    )
    .await;
    assert_eq!((st3, &again), (200, &b));
    let (st4, conflict) = post_as(
        &s.token,
        json!({"id": id, "subscriptionId": mine, "quantity": 4, "usageTime": at(-HOUR)}),
    )
    .await;
    assert_eq!((st4, conflict["code"].as_str()), (409, Some("conflict")));
}

#[tokio::test]
async fn server_made_ids_never_collide_with_a_clients() {
    let s = server();
    let sub = subscription("northwind", 0);
    // A server-made id is never one a client may send.
    let (status, made) =
        post(json!({"subscriptionId": sub, "quantity": 1, "usageTime": at(-HOUR)})).await;
    assert_eq!(status, 201, "{made}");
    let made_id = made["id"].as_str().unwrap().to_owned();
    let (status, body) =
        post(json!({"id": made_id, "subscriptionId": sub, "quantity": 1, "usageTime": at(-HOUR)}))
            .await;
    assert_eq!(
        (status, field_names(&body)),
        (400, vec!["id".to_owned()]),
        "{made_id}"
    );
    // A loaded record (no client id) has a server id too; a client's id shaped like it in the
    // other spelling names the client's record, never the loaded one.
    let loaded_sub: String = crate::backend::one(
        &s.pool,
        "SELECT s.billing_subscription_id FROM usage_records r JOIN subscriptions s ON s.id = r.sub_id
         WHERE r.client_id IS NULL AND s.realm_id = 'northwind' LIMIT 1",
        &[],
    );
    let (status, page) = get_as(
        &s.token,
        &format!("/usages?subscriptionId={loaded_sub}&limit=1"),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let loaded = page["items"][0].clone();
    let loaded_id = loaded["id"].as_str().unwrap().to_owned();
    let (_, again) = get_as(&s.token, &format!("/usages/{loaded_id}")).await;
    assert_eq!(again, loaded, "the loaded record by its id");
    let digits: String = loaded_id.chars().filter(char::is_ascii_digit).collect();
    let lookalike = format!("rec-{digits}");
    let (status, mine) = post(
        json!({"id": lookalike, "subscriptionId": sub, "quantity": "7.125", "usageTime": at(-3 * HOUR)}),
    )
    .await;
    if status == 409 {
        panic!("the look-alike id {lookalike} collided with a stored record: {mine}");
    }
    assert_eq!(status, 201, "{mine}");
    let (_, got) = get_as(&s.token, &format!("/usages/{lookalike}")).await;
    assert_eq!(got, mine, "{lookalike} names the client's record");
    let (_, still) = get_as(&s.token, &format!("/usages/{loaded_id}")).await;
    assert_eq!(still, loaded, "and {loaded_id} still the loaded one");
}

#[tokio::test]
async fn a_subscription_the_caller_may_not_write_to_is_unknown() {
    let s = server();
    let foreign = subscription("contoso", 0);
    let sub_account = subscription(demo::SUB_ACCOUNTS[0].0, 0);
    let unknown = format!("SUB-NOPE-{}", nonce());
    let answer = |body: &Value, id: &str| body.to_string().replace(id, "<id>");
    let (st, none) =
        post(json!({"subscriptionId": unknown, "quantity": 1, "usageTime": at(-HOUR)})).await;
    assert_eq!(
        (st, none["code"].as_str()),
        (404, Some("notFound")),
        "{none}"
    );
    for (id, why) in [
        (&foreign, "another org's"),
        (&sub_account, "a sub-account's"),
    ] {
        let (st, body) =
            post(json!({"subscriptionId": id, "quantity": 1, "usageTime": at(-HOUR)})).await;
        assert_eq!(st, 404, "{why}: {body}");
        let said = answer(&body, id);
        assert_eq!(said, answer(&none, &unknown), "{why}");
        assert!(
            !said.contains("contoso") && !said.contains("northwind"),
            "{said}"
        );
    }
    // Reading: another org's is unknown too; a sub-account's the partner may read.
    let (st, none) = get_as(&s.token, &format!("/usages?subscriptionId={unknown}")).await;
    assert_eq!(st, 404);
    let (st, body) = get_as(&s.token, &format!("/usages?subscriptionId={foreign}")).await;
    assert_eq!(st, 404, "{body}");
    assert_eq!(answer(&body, &foreign), answer(&none, &unknown));
    let (st, body) = get_as(&s.token, &format!("/usages?subscriptionId={sub_account}")).await;
    assert_eq!(st, 200, "{body}");
}

#[tokio::test]
async fn quantities_are_bounded_and_read_from_their_decimal_text() {
    let sub = subscription("northwind", 1);
    let t = at(-5 * HOUR);
    let raw =
        |q: &str| format!(r#"{{"subscriptionId": "{sub}", "quantity": {q}, "usageTime": "{t}"}}"#);
    let token = &server().token;
    // The largest record, as a number and as a string.
    for q in ["1000000000000", "\"1000000000000\"", "999999999999.999"] {
        let (status, body) = post_raw(token, &raw(q)).await;
        assert_eq!(status, 201, "{q}: {body}");
        assert_eq!(body["quantity"], q.trim_matches('"'), "{q}");
    }
    // Beyond it: a 400 naming quantity.
    for q in [
        "1000000000000.001",
        "\"1000000000001\"",
        "1e13",
        "9007199254740.993",
        "18446744073709551616",
    ] {
        let (status, body) = post_raw(token, &raw(q)).await;
        assert_eq!(status, 400, "{q}: {body}");
        assert_eq!(field_names(&body), ["quantity"], "{q}");
    }
    // Digits a binary float would drop are judged as written: too precise, not rounded to 1.
    for q in ["1.0000000000000001", "0.1000000000000000055511151231257827"] {
        let (status, body) = post_raw(token, &raw(q)).await;
        assert_eq!(status, 422, "{q}: {body}");
        assert_eq!(field_names(&body), ["quantity"]);
        assert!(
            body["fields"][0]["description"]
                .as_str()
                .unwrap()
                .contains("3 decimal places")
        );
    }
    // Exponents move the point in the text, exactly.
    for (q, stored) in [
        ("2.5e-1", "0.25"),
        ("1234567890123E-3", "1234567890.123"),
        ("7", "7"),
    ] {
        let (status, body) = post_raw(token, &raw(q)).await;
        assert_eq!(status, 201, "{q}: {body}");
        assert_eq!(body["quantity"], stored, "{q}");
    }
}

#[tokio::test]
async fn a_write_that_would_overflow_a_kept_sum_is_422() {
    let s = server();
    let sub = subscription("northwind", 2);
    let t = now() - chrono::TimeDelta::seconds(60);
    let day = t.timestamp() - t.timestamp().rem_euclid(DAY);
    // This month already holds all but 0.5 of what a subscription may record in a month.
    let cap_milli: i64 = 1_000_000_000_000_000 * 1_000;
    crate::backend::exec(
        &s.pool,
        "INSERT INTO usage_daily (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id, usage_milli, billable_milli)
         SELECT id, ?2, 'overflow-probe', '', '', '', '', ?3, ?3 FROM subscriptions WHERE billing_subscription_id = ?1",
        vals![&sub, day, cap_milli - 500],
    );
    let when = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let (status, body) =
        post(json!({"subscriptionId": sub, "quantity": 1, "usageTime": when})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("limitExceeded")),
        "{body}"
    );
    let (status, body) = post(json!({"subscriptionId": sub, "quantity": 1, "usageTime": when, "acceptPartialQuantity": true})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("limitExceeded")),
        "{body}"
    );
    let (status, body) =
        post(json!({"subscriptionId": sub, "quantity": "0.5", "usageTime": when})).await;
    assert_eq!(status, 201, "what still fits is recorded: {body}");
    // The month's sums still read.
    let (status, page) = get_as(
        &s.token,
        &format!(
            "/usage/realms/northwind?startDate={}&endDate={}",
            (now() - chrono::TimeDelta::days(2)).format("%Y-%m-%d"),
            (now() + chrono::TimeDelta::days(1)).format("%Y-%m-%d")
        ),
    )
    .await;
    assert_eq!(status, 200, "{page}");
}

#[tokio::test]
async fn usage_time_lies_within_35_days_back_and_5_minutes_ahead() {
    let sub = subscription("northwind", 3);
    for secs in [-34 * DAY, -HOUR, 0, 60] {
        let (status, body) =
            post(json!({"subscriptionId": sub, "quantity": 1, "usageTime": at(secs)})).await;
        assert_eq!(status, 201, "{secs}: {body}");
    }
    for secs in [-36 * DAY, -3_650 * DAY, 10 * 60, 3_650 * DAY] {
        let (status, body) =
            post(json!({"subscriptionId": sub, "quantity": 1, "usageTime": at(secs)})).await;
        assert_eq!(status, 400, "{secs}: {body}");
        assert_eq!(field_names(&body), ["usageTime"], "{secs}");
        assert!(
            body["fields"][0]["description"]
                .as_str()
                .unwrap()
                .contains("35 days")
        );
    }
    // Named beside every other problem of the body.
    let (status, body) = post(
        json!({"subscriptionId": sub, "quantity": 1, "usageTime": at(-40 * DAY), "channelId": "warm"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(field_names(&body), ["channelId", "usageTime"]);
}

#[tokio::test]
async fn usages_paging_is_bounded_and_offset_is_a_page() {
    let s = server();
    let sub = subscription("northwind", 4);
    let mut ids = Vec::new();
    for i in 0..23 {
        let (status, body) =
            post(json!({"subscriptionId": sub, "quantity": 1, "usageTime": at(-(i + 1) * 10)}))
                .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    let (status, page) = get_as(&s.token, &format!("/usages?subscriptionId={sub}")).await;
    assert_eq!(status, 200);
    assert_eq!(page["limit"], 20, "default page size");
    assert_eq!(page["items"].as_array().unwrap().len(), 20);
    // offset is a page number: page 2 of 5 records holds the 6th to 10th newest.
    let (_, page) = get_as(
        &s.token,
        &format!("/usages?subscriptionId={sub}&limit=5&offset=1"),
    )
    .await;
    let got: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        ids[5..10].iter().map(String::as_str).collect::<Vec<_>>()
    );
    let (status, _) = get_as(
        &s.token,
        &format!("/usages?subscriptionId={sub}&limit=100&offset=1000000"),
    )
    .await;
    assert_eq!(status, 200);
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("offset=1000001", "offset"),
        ("offset=18446744073709551615", "offset"),
        ("offset=-1", "offset"),
    ] {
        let (status, body) = get_as(&s.token, &format!("/usages?subscriptionId={sub}&{q}")).await;
        assert_eq!(status, 400, "{q}: {body}");
        assert_eq!(field_names(&body), [field], "{q}");
    }
    let (status, body) = get_as(
        &s.token,
        &format!("/usages?subscriptionId={sub}&limit=1000&offset=99999999"),
    )
    .await;
    assert_eq!(
        (status, field_names(&body)),
        (400, vec!["limit".to_owned(), "offset".to_owned()])
    );
}

#[tokio::test]
async fn report_sub_accounts_are_bounded_and_unique() {
    let s = server();
    let query = format!(
        "startDate={}&endDate={}",
        (now() - chrono::TimeDelta::days(10)).format("%Y-%m-%d"),
        now().format("%Y-%m-%d")
    );
    let post_report = |body: Value| {
        let query = query.clone();
        async move {
            let resp = common::client()
                .post(url(&format!("/usage/realms/northwind/reports?{query}")))
                .bearer_auth(&s.token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    let sub = demo::SUB_ACCOUNTS[0].0;
    let many: Vec<String> = (0..101).map(|i| format!("org-{i:05}")).collect();
    for (why, subs) in [
        ("7,000 repeats", vec![sub.to_owned(); 7_000]),
        (
            "a duplicate",
            vec![
                sub.to_owned(),
                demo::SUB_ACCOUNTS[1].0.to_owned(),
                sub.to_owned(),
            ],
        ),
        ("101 names", many),
    ] {
        let (status, body) = post_report(json!({"subAccounts": subs})).await;
        assert_eq!(status, 400, "{why}: {body}");
        assert_eq!(field_names(&body), ["subAccounts"], "{why}");
    }
    let all: Vec<&str> = demo::SUB_ACCOUNTS.iter().map(|(id, _)| *id).collect();
    let (status, body) = post_report(json!({"subAccounts": all})).await;
    assert_eq!(status, 201, "{body}");
}
