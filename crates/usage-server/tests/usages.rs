//! `POST /usages` and friends, and the monthly view, over real HTTP.

mod backend;
mod common;

use common::{after, field_names, month, range, server, stamp};
use serde_json::{Value, json};
use usage_server::vals;
use usage_server::{auth, demo};

/// A subscription of its own for one test, in `realm` (and its currency), with `limit`
/// (milli-units) and `price`: no demo usage and no other test's records share it, whatever month
/// the run is in. Its charge item is named `Test <label>`, to find it in the monthly view.
/// Returns its billing id.
fn subscription(realm: &str, label: &str, limit: Option<i64>, price: &str) -> String {
    let id = format!("SUB-T-{label}");
    let name = format!("Test {label}");
    crate::backend::run(&server().pool, |c| {
        demo::add_subscription(c, realm, &id, &name, price, limit)
    })
    .unwrap();
    id
}

/// The day recordings land on: the last day of the previous month, a whole day in the past
/// and inside the window the service accepts usage times in, at every date.
fn day() -> chrono::NaiveDateTime {
    after(month(0), -1, 0)
}

/// `yyyy-MM` of `t`.
fn month_of(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m").to_string()
}

async fn post(body: Value) -> (u16, Value) {
    let s = server();
    let resp = common::client()
        .post(format!("{}/usages", s.base))
        .bearer_auth(&s.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

async fn usage_value(query: &str) -> i64 {
    let page: Value = server()
        .json(&format!("/usage/realms/northwind?{query}"))
        .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            usage_api::Quantity::parse(i["usageValue"].as_str().unwrap())
                .unwrap()
                .milli()
        })
        .sum()
}

#[tokio::test]
async fn a_recorded_usage_shows_at_once_everywhere() {
    let sub = subscription("northwind", "seen", None, "0.0045");
    let window = range(after(day(), 0, 10 * 3600), after(day(), 0, 11 * 3600));
    let window = window.as_str();
    let before = usage_value(window).await;
    let at = stamp(after(day(), 0, 10 * 3600 + 15 * 60));
    let (status, rec) = post(json!({"subscriptionId": sub, "quantity": 12.5, "usageTime": format!("{at}Z"), "appId": "fleet", "channelId": "cold"})).await;
    assert_eq!(status, 201, "{rec}");
    assert_eq!(rec["quantity"], "12.5");
    assert_eq!(rec["requestedQuantity"], "12.5");
    assert_eq!(rec["usageTime"], at);
    assert_eq!(rec["invoiceId"], Value::Null);
    assert_eq!(rec["_links"][0]["rel"], "self");
    let id = rec["id"].as_str().unwrap();
    assert_eq!(rec["_links"][0]["href"], format!("/usages/{id}"));
    assert_eq!(
        usage_value(window).await - before,
        12_500,
        "the usage query sees it"
    );
    let got: Value = server().json(&format!("/usages/{id}")).await;
    assert_eq!(got, rec);
    let list: Value = server()
        .json(&format!("/usages?subscriptionId={sub}&limit=1"))
        .await;
    assert_eq!(list["items"][0]["id"], rec["id"], "newest first");
    let month: Value = server()
        .json(&format!(
            "/express/usage/month?from={m}&to={m}",
            m = month_of(day())
        ))
        .await;
    let row = month["_embedded"]["usage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["description"] == rec_name(&sub))
        .cloned()
        .unwrap();
    assert_eq!(row["number_of_units"], "12.5", "the monthly view sees it");
}

fn rec_name(sub: &str) -> String {
    crate::backend::one(
        &server().pool,
        "SELECT name FROM subscriptions WHERE billing_subscription_id = ?1",
        vals![sub],
    )
}

#[tokio::test]
async fn quantity_rules_are_422_naming_the_field() {
    let sub = subscription("northwind", "rules", None, "1");
    for (q, why) in [
        (json!(0.0001), "3 decimal places"),
        (json!("1.2345"), "3 decimal places"),
        (json!(0), "0.001"),
        (json!(-2), "0.001"),
    ] {
        let (status, body) = post(json!({"subscriptionId": sub, "quantity": q})).await;
        assert_eq!(status, 422, "{q}: {body}");
        assert_eq!(field_names(&body), ["quantity"]);
        assert!(
            body["fields"][0]["description"]
                .as_str()
                .unwrap()
                .contains(why),
            "{body}"
        );
    }
    let (status, body) = post(json!({"quantity": 1, "usageTime": "soon", "colour": "red", "acceptPartialQuantity": "yes"})).await;
    assert_eq!(status, 400);
    assert_eq!(field_names(&body), ["acceptPartialQuantity", "colour"]);
    let (status, body) = post(json!({"quantity": 1, "usageTime": "soon"})).await;
    assert_eq!(status, 400);
    assert_eq!(field_names(&body), ["subscriptionId", "usageTime"]);
    let (status, _) = post(json!({"subscriptionId": "SUB-NOPE", "quantity": 1})).await;
    assert_eq!(status, 404);
    let foreign: String = crate::backend::one(
        &server().pool,
        "SELECT billing_subscription_id FROM subscriptions WHERE realm_id = 'contoso' LIMIT 1",
        &[],
    );
    // Another org's subscription answers as an unknown one (contract section 6).
    let (status, body) = post(json!({"subscriptionId": foreign, "quantity": 1})).await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn monthly_limit_and_partial_acceptance() {
    let sub = subscription("northwind", "limit", Some(10_000), "1");
    let at = stamp(day());
    let (status, _) = post(json!({"subscriptionId": sub, "quantity": 6, "usageTime": at})).await;
    assert_eq!(status, 201);
    let (status, body) = post(json!({"subscriptionId": sub, "quantity": 6, "usageTime": at})).await;
    assert_eq!(status, 422);
    assert_eq!(body["code"], "limitExceeded");
    assert!(
        body["description"]
            .as_str()
            .unwrap()
            .contains("leaves 4 this month"),
        "{body}"
    );
    let (status, rec) = post(json!({"subscriptionId": sub, "quantity": 6, "usageTime": at, "acceptPartialQuantity": true})).await;
    assert_eq!(status, 201);
    assert_eq!(
        (rec["quantity"].as_str(), rec["requestedQuantity"].as_str()),
        (Some("4"), Some("6"))
    );
    let (status, rec) = post(json!({"subscriptionId": sub, "quantity": 1, "usageTime": at, "acceptPartialQuantity": true})).await;
    assert_eq!(status, 201);
    assert_eq!(rec["quantity"], "0", "nothing is left");
    // Another month has its own limit.
    let (status, _) =
        post(json!({"subscriptionId": sub, "quantity": 6, "usageTime": stamp(month(0))})).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn fifty_parallel_requests_never_exceed_the_limit() {
    let sub = subscription("northwind", "parallel", Some(20_000), "1");
    let at = stamp(after(day(), 0, 8 * 3600));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (sub, at) = (sub.clone(), at.clone());
            tokio::spawn(async move {
                let partial = i % 2 == 0;
                post(json!({"subscriptionId": sub, "quantity": "1.5", "usageTime": at, "acceptPartialQuantity": partial})).await
            })
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            201 => {
                accepted += usage_api::Quantity::parse(body["quantity"].as_str().unwrap())
                    .unwrap()
                    .milli()
            }
            422 => assert_eq!(body["code"], "limitExceeded"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(
        accepted, 20_000,
        "exactly the limit is accepted, never more"
    );
    let stored: i64 = crate::backend::one(
        &server().pool,
        "SELECT CAST(SUM(accepted_milli) AS BIGINT) FROM usage_records r JOIN subscriptions s ON s.id = r.sub_id
         WHERE s.billing_subscription_id = ?1 AND r.usage_time >= ?2 AND r.usage_time < ?3",
        vals![
            &sub,
            month(1).and_utc().timestamp(),
            month(0).and_utc().timestamp()
        ],
    );
    assert_eq!(stored, 20_000);
}

#[tokio::test]
async fn idempotent_by_id() {
    let sub = subscription("northwind", "idempotent", None, "1");
    let at = stamp(day());
    let body = json!({"id": "client-42", "subscriptionId": sub, "quantity": 3, "usageTime": at});
    let (s1, first) = post(body.clone()).await;
    let (s2, again) = post(body.clone()).await;
    assert_eq!((s1, s2), (201, 200));
    assert_eq!(first, again, "the stored record again");
    let list: Value = server()
        .json(&format!("/usages?subscriptionId={sub}"))
        .await;
    let n = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == "client-42")
        .count();
    assert_eq!(n, 1, "counted once");
    let (s3, conflict) =
        post(json!({"id": "client-42", "subscriptionId": sub, "quantity": 4, "usageTime": at}))
            .await;
    assert_eq!(s3, 409);
    assert_eq!(conflict["code"], "conflict");
}

#[tokio::test]
async fn records_kept_with_the_first_hash_form_still_replay() {
    use sha2::Digest;
    let sub = subscription("northwind", "legacy-hash", None, "1");
    let at = stamp(day());
    let body = json!({"id": "client-legacy", "subscriptionId": sub, "quantity": 3, "usageTime": at, "appId": "a|b"});
    assert_eq!(post(body.clone()).await.0, 201);
    let pool = &server().pool;
    let stored: String = crate::backend::one(
        pool,
        "SELECT request_hash FROM usage_records WHERE client_id = 'client-legacy'",
        &[],
    );
    assert!(stored.starts_with("v2:"), "{stored}");
    // As a record written before v2 hashes kept it: fields joined by `|`, options as Debug.
    let first_form = format!("{sub}|3|{at}|false|Some(\"a|b\")|None|None|None|None");
    let legacy = hex::encode(sha2::Sha256::digest(first_form.as_bytes()));
    crate::backend::exec(
        pool,
        "UPDATE usage_records SET request_hash = ?1 WHERE client_id = 'client-legacy'",
        vals![&legacy],
    );
    assert_eq!(post(body).await.0, 200, "the same request replays");
    let changed = json!({"id": "client-legacy", "subscriptionId": sub, "quantity": 3, "usageTime": at, "appId": "a|c"});
    assert_eq!(post(changed).await.0, 409, "a different one is a conflict");
}

#[tokio::test]
async fn monthly_amounts_in_two_currencies_and_paging() {
    // Hand-computed: 1234.5 × 0.0045 = 5.55525 → 5.56 USD; 333.333 × 0.125 = 41.666625 → 41.67 EUR.
    let usd = subscription("northwind", "usd", None, "0.0045");
    let eur = subscription("northwind-eu", "eur", None, "0.125");
    assert_eq!(
        post(json!({"subscriptionId": usd, "quantity": "1234.5", "usageTime": stamp(day())}))
            .await
            .0,
        201
    );
    // The European sub-account records its own usage, an hour later on the same day.
    let eu_token = crate::backend::run(&server().pool, |c| {
        auth::create_token(c, "northwind-eu", auth::SCOPES, "test")
    })
    .unwrap();
    let later = stamp(after(day(), 0, 3600));
    let resp = common::client()
        .post(format!("{}/usages", server().base))
        .bearer_auth(&eu_token)
        .json(&json!({"subscriptionId": eur, "quantity": "333.333", "usageTime": later}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let m = month_of(day());
    let page: Value = server()
        .json(&format!(
            "/express/usage/month?accounts=northwind,northwind-eu&from={m}&to={m}&per_page=100"
        ))
        .await;
    let items = page["_embedded"]["usage"].as_array().unwrap();
    let find = |acct: &str| {
        items
            .iter()
            .find(|u| u["description"] == format!("Test {acct}"))
            .cloned()
            .unwrap()
    };
    let (a, b) = (find("usd"), find("eur"));
    assert_eq!(
        (a["account_id"].as_str(), b["account_id"].as_str()),
        (Some("northwind"), Some("northwind-eu"))
    );
    assert_eq!(
        (
            a["currency"].as_str(),
            a["number_of_units"].as_str(),
            a["total_amount"].as_str()
        ),
        (Some("USD"), Some("1234.5"), Some("5.56"))
    );
    assert_eq!(
        (
            b["currency"].as_str(),
            b["number_of_units"].as_str(),
            b["total_amount"].as_str()
        ),
        (Some("EUR"), Some("333.333"), Some("41.67"))
    );
    assert_eq!(a["month"], m);

    // Paging with HAL links: next and prev absent at the ends.
    let months = format!("from={}&to={}", month_of(month(11)), month_of(month(1)));
    let first: Value = server()
        .json(&format!(
            "/express/usage/month?accounts=northwind&{months}&per_page=7"
        ))
        .await;
    assert_eq!(first["page"], 1);
    assert!(first["_links"].get("prev").is_none());
    let last_href = first["_links"]["last"]["href"].as_str().unwrap().to_owned();
    assert!(
        first["_links"]["next"]["href"]
            .as_str()
            .unwrap()
            .contains("page=2&per_page=7")
    );
    assert_eq!(
        first["total_pages"].as_u64().unwrap(),
        first["total"].as_u64().unwrap().div_ceil(7)
    );
    let last: Value = server().json(&last_href).await;
    assert!(last["_links"].get("next").is_none());
    assert!(last["_links"]["prev"].is_object());
    assert!(
        last_href.contains(&format!("accounts=northwind&{months}")),
        "links carry the query"
    );
}

#[tokio::test]
async fn monthly_refuses_foreign_accounts_and_bad_input() {
    let resp = server()
        .get("/express/usage/month?accounts=northwind,contoso")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["description"], usage_api::billing::FOREIGN_ACCOUNTS);
    let resp = server()
        .get("/express/usage/month?from=2026-13&page=0&per_page=500")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        field_names(&resp.json().await.unwrap()),
        ["from", "page", "per_page"]
    );
}
