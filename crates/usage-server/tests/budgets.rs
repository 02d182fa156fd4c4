//! Budgets, saved views and the realm's subscriptions (contract sections 10–12), over HTTP.

mod backend;
mod common;

use common::{field_names, server};
use serde_json::{Value, json};
use std::time::Duration;
use usage_api::Quantity;
use usage_server::{auth, vals};

/// A realm of its own for one test, with `subs` (billing id, price, currency, limit in
/// thousandths) and no usage: every figure in it is the test's. Returns its token.
fn realm(id: &str, subs: &[(&str, &str, &str, Option<i64>)]) -> String {
    crate::backend::run(&server().pool, |c| {
        c.exec(
            "INSERT INTO orgs (realm_id, name, parent_realm_id) VALUES (?1, ?1, NULL)",
            vals![id],
        )
        .unwrap();
        for (billing, price, currency, limit) in subs {
            c.exec(
                "INSERT INTO subscriptions (billing_subscription_id, realm_id, feature_id, billing_charge_number,
                     category, name, value_driver, usage_type_code, price, currency, monthly_limit_milli)
                 VALUES (?1, ?2, 'hrn:test', 'C-1', 'Tests', ?1, 'Requests', 'TEST', ?3, ?4, ?5)",
                vals![*billing, id, *price, *currency, *limit],
            )
            .unwrap();
        }
        auth::create_token(c, id, auth::SCOPES, "test").unwrap()
    })
}

async fn call(
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = common::client()
        .request(method, format!("{}{path}", server().base))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn record(token: &str, sub: &str, quantity: &str) {
    let (status, body) = call(
        reqwest::Method::POST,
        token,
        "/usages",
        Some(json!({"subscriptionId": sub, "quantity": quantity})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

async fn budgets(token: &str, realm: &str) -> Vec<Value> {
    let (status, body) = call(
        reqwest::Method::GET,
        token,
        &format!("/usage/realms/{realm}/budgets"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["asOf"].is_string(), "{body}");
    body["items"].as_array().unwrap().clone()
}

fn stamp_of(v: &Value) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(v.as_str().unwrap(), "%Y-%m-%dT%H:%M:%S").unwrap()
}

fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc().with_nanosecond(0).unwrap()
}

use chrono::Timelike;

/// Seconds since the start of this UTC month: the forecast needs a whole day of it.
fn month_elapsed() -> i64 {
    use chrono::Datelike;
    let n = chrono::Utc::now();
    let first = n
        .date_naive()
        .with_day(1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (n.naive_utc() - first).num_seconds()
}

#[tokio::test]
async fn a_recording_that_crosses_80_then_100_percent_is_noted_when_it_happens() {
    let token = realm("budget-cross", &[("SUB-BC-1", "0.5", "EUR", None)]);
    let put = |body: Value| {
        call(
            reqwest::Method::PUT,
            &token,
            "/usage/realms/budget-cross/budgets/routing",
            Some(body),
        )
    };
    let (status, b) =
        put(json!({"name": "Routing", "billingSubscriptionId": "SUB-BC-1", "threshold": "10"}))
            .await;
    assert_eq!(status, 201, "{b}");
    assert_eq!(b["state"], "ok");
    assert_eq!(b["used"], "0");
    assert_eq!(b["alertAt"], json!([80, 100]));
    assert_eq!(b["valueDriver"], "Requests");
    assert_eq!(b["crossedAt"], json!({}));

    record(&token, "SUB-BC-1", "7").await;
    let b = &budgets(&token, "budget-cross").await[0];
    assert_eq!(
        (
            b["used"].as_str(),
            b["percent"].as_f64(),
            b["state"].as_str()
        ),
        (Some("7"), Some(70.0), Some("ok"))
    );
    assert_eq!(b["crossedAt"], json!({}));

    let before = now();
    record(&token, "SUB-BC-1", "1.5").await;
    let after = now();
    let b = &budgets(&token, "budget-cross").await[0];
    assert_eq!(
        (
            b["used"].as_str(),
            b["percent"].as_f64(),
            b["state"].as_str()
        ),
        (Some("8.5"), Some(85.0), Some("warning"))
    );
    let at80 = stamp_of(&b["crossedAt"]["80"]);
    assert!(
        before <= at80 && at80 <= after,
        "80 % reached at {at80}, recorded between {before} and {after}"
    );
    assert!(b["crossedAt"].get("100").is_none(), "{b}");

    // A read later does not move it: it is when usage reached the level.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let b = &budgets(&token, "budget-cross").await[0];
    assert_eq!(stamp_of(&b["crossedAt"]["80"]), at80);

    let before = now();
    record(&token, "SUB-BC-1", "2").await;
    let b = &budgets(&token, "budget-cross").await[0];
    assert_eq!(
        (
            b["used"].as_str(),
            b["percent"].as_f64(),
            b["state"].as_str()
        ),
        (Some("10.5"), Some(105.0), Some("exceeded"))
    );
    let at100 = stamp_of(&b["crossedAt"]["100"]);
    assert!(
        at100 >= before && at100 > at80,
        "100 % at {at100}, 80 % at {at80}"
    );
    assert_eq!(
        stamp_of(&b["crossedAt"]["80"]),
        at80,
        "the first time is kept"
    );
    if month_elapsed() >= 86_400 {
        let f = Quantity::parse(b["forecast"].as_str().unwrap()).unwrap();
        assert!(
            f >= Quantity(10_500),
            "the month-end projection of 10.5 so far: {f:?}"
        );
    } else {
        assert!(
            b.get("forecast").is_none(),
            "no forecast before a whole day: {b}"
        );
    }

    // Renaming keeps the crossings; a new threshold measures afresh, from when it is set.
    let (status, b) = put(json!({"name": "Routing (renamed)", "billingSubscriptionId": "SUB-BC-1", "threshold": "10"})).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(stamp_of(&b["crossedAt"]["80"]), at80);
    let set = now();
    let (status, b) = put(json!({"name": "Routing", "billingSubscriptionId": "SUB-BC-1", "threshold": "100", "alertAt": [10, 50]})).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(
        (b["percent"].as_f64(), b["state"].as_str()),
        (Some(10.5), Some("warning"))
    );
    assert_eq!(
        b["crossedAt"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["10"]
    );
    assert!(stamp_of(&b["crossedAt"]["10"]) >= set);
}

#[tokio::test]
async fn two_budgets_in_two_currencies_sum_the_monthly_amounts_exactly() {
    let token = realm(
        "budget-money",
        &[
            ("SUB-BM-EUR1", "0.125", "EUR", None),
            ("SUB-BM-EUR2", "0.3333", "EUR", None),
            ("SUB-BM-JPY", "3", "JPY", None),
        ],
    );
    // 3.3 × 0.125 = 0.4125 → 0.41; 1.5 × 0.3333 = 0.49995 → 0.50; 2.5 × 3 = 7.5 → 8 (half to even).
    record(&token, "SUB-BM-EUR1", "3.3").await;
    record(&token, "SUB-BM-EUR2", "1.5").await;
    record(&token, "SUB-BM-JPY", "2.5").await;
    let path = |id: &str| format!("/usage/realms/budget-money/budgets/{id}");
    let set = now();
    let (s, eur) = call(reqwest::Method::PUT, &token, &path("eur"), Some(json!({"name": "Spend in euros", "currency": "EUR", "threshold": "1.00", "alertAt": [50, 90, 100]}))).await;
    assert_eq!(s, 201, "{eur}");
    let (s, jpy) = call(
        reqwest::Method::PUT,
        &token,
        &path("jpy"),
        Some(json!({"name": "Spend in yen", "currency": "JPY", "threshold": 10})),
    )
    .await;
    assert_eq!(s, 201, "{jpy}");
    assert_eq!(
        (
            eur["used"].as_str(),
            eur["threshold"].as_str(),
            eur["percent"].as_f64(),
            eur["state"].as_str()
        ),
        (Some("0.91"), Some("1.00"), Some(91.0), Some("warning"))
    );
    assert_eq!(
        (
            jpy["used"].as_str(),
            jpy["threshold"].as_str(),
            jpy["percent"].as_f64(),
            jpy["state"].as_str()
        ),
        (Some("8"), Some("10"), Some(80.0), Some("warning"))
    );
    // Usage already past a level when the budget is set: reached when it was set.
    assert_eq!(
        eur["crossedAt"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["50", "90"]
    );
    assert!(stamp_of(&eur["crossedAt"]["50"]) >= set);
    assert_eq!(
        jpy["crossedAt"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["80"]
    );

    // The same amounts as section 3's monthly view, currency by currency.
    let (s, month) = call(
        reqwest::Method::GET,
        &token,
        "/express/usage/month?accounts=budget-money&from=2000-01",
        None,
    )
    .await;
    assert_eq!(s, 400, "a 24-month range at most: {month}");
    let this = chrono::Utc::now().format("%Y-%m").to_string();
    let (s, month) = call(
        reqwest::Method::GET,
        &token,
        &format!("/express/usage/month?accounts=budget-money&from={this}&to={this}"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{month}");
    let mut sums = std::collections::BTreeMap::<String, rust_decimal::Decimal>::new();
    for u in month["_embedded"]["usage"].as_array().unwrap() {
        let a: rust_decimal::Decimal = u["total_amount"].as_str().unwrap().parse().unwrap();
        *sums
            .entry(u["currency"].as_str().unwrap().to_owned())
            .or_default() += a;
    }
    assert_eq!(sums["EUR"].to_string(), "0.91");
    assert_eq!(sums["JPY"].to_string(), "8");

    // A recording in one currency moves only that currency's budget.
    // 4.5 × 3 = 13.5 → 14.
    record(&token, "SUB-BM-JPY", "2").await;
    let all = budgets(&token, "budget-money").await;
    let by_id = |id: &str| all.iter().find(|b| b["id"] == id).unwrap().clone();
    assert_eq!(by_id("eur")["used"], "0.91");
    assert_eq!(by_id("jpy")["used"], "14");
    assert_eq!(by_id("jpy")["state"], "exceeded");
    assert!(by_id("jpy")["crossedAt"]["100"].is_string());
    assert_eq!(
        all.iter()
            .map(|b| b["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["eur", "jpy"]
    );
}

#[tokio::test]
async fn every_bad_budget_is_a_400_naming_each_field() {
    let token = realm("budget-bad", &[("SUB-BB-1", "1", "EUR", None)]);
    let p = |id: &str| format!("/usage/realms/budget-bad/budgets/{id}");
    let cases: Vec<(String, Value, &[&str])> = vec![
        (
            p("ok"),
            json!({}),
            &["billingSubscriptionId", "name", "threshold"],
        ),
        (
            p("ok"),
            json!({"name": "", "currency": "euro", "threshold": "-1", "alertAt": [0, 2000]}),
            &["alertAt", "currency", "name", "threshold"],
        ),
        (
            p("ok"),
            json!({"name": "x", "currency": "EUR", "threshold": "1.005"}),
            &["threshold"],
        ),
        (
            p("ok"),
            json!({"name": "x", "currency": "EUR", "billingSubscriptionId": "SUB-BB-1", "threshold": "1"}),
            &["currency"],
        ),
        (
            p("ok"),
            json!({"name": 5, "threshold": [], "alertAt": "80", "colour": "red", "currency": "EUR"}),
            &["alertAt", "colour", "name", "threshold"],
        ),
        (
            p("ok"),
            json!({"name": "x", "billingSubscriptionId": "SUB-BB-1", "threshold": "1", "alertAt": [10, 20, 30, 40, 50, 60]}),
            &["alertAt"],
        ),
        (
            p("ok"),
            json!({"name": "x".repeat(101), "billingSubscriptionId": "SUB-BB-1", "threshold": "1"}),
            &["name"],
        ),
        (
            p("a%20b"),
            json!({"name": "x", "currency": "EUR", "threshold": "1"}),
            &["budgetId"],
        ),
        (
            p(&"x".repeat(65)),
            json!({"name": "x", "currency": "EUR"}),
            &["budgetId", "threshold"],
        ),
        // Another realm's subscription is no subscription of this one.
        (
            p("ok"),
            json!({"name": "x", "billingSubscriptionId": "SUB-BC-1", "threshold": "1"}),
            &["billingSubscriptionId"],
        ),
        (
            p("ok"),
            json!({"name": "x", "billingSubscriptionId": "NOPE", "threshold": "1"}),
            &["billingSubscriptionId"],
        ),
        (p("ok"), json!([1, 2]), &["body"]),
    ];
    // SUB-BC-1 belongs to another test's realm; make sure it exists whatever the order.
    let _ = crate::backend::run(&server().pool, |c| {
        c.exec(
            "INSERT INTO orgs (realm_id, name) VALUES ('budget-other', 'o') ON CONFLICT DO NOTHING",
            &[],
        )?;
        c.exec(
            "INSERT INTO subscriptions (billing_subscription_id, realm_id, feature_id, billing_charge_number, category, name, value_driver, usage_type_code, price, currency)
             VALUES ('SUB-BC-1', 'budget-other', 'f', 'c', 'c', 'n', 'v', 'u', '1', 'EUR') ON CONFLICT DO NOTHING",
            &[],
        )
    });
    for (path, body, want) in cases {
        let (status, err) = call(reqwest::Method::PUT, &token, &path, Some(body.clone())).await;
        assert_eq!(status, 400, "{path} {body}: {err}");
        assert_eq!(err["code"], "validation");
        assert_eq!(field_names(&err), want, "{path} {body}: {err}");
    }
    assert!(
        budgets(&token, "budget-bad").await.is_empty(),
        "nothing was written"
    );

    // Not JSON at all, and JSON sent as something else.
    let resp = common::client()
        .put(format!("{}{}", server().base, p("ok")))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    let resp = common::client()
        .put(format!("{}{}", server().base, p("ok")))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(field_names(&resp.json().await.unwrap()), ["body"]);

    // Scope and realm: reading needs usage:read, writing budgets:write; another realm is 403.
    let body = json!({"name": "x", "currency": "EUR", "threshold": "1"});
    let reader = crate::backend::run(&server().pool, |c| {
        auth::create_token(c, "budget-bad", &["usage:read"], "test").unwrap()
    });
    let (s, e) = call(reqwest::Method::PUT, &reader, &p("ok"), Some(body.clone())).await;
    assert_eq!((s, e["code"].as_str()), (403, Some("forbidden")), "{e}");
    let (s, _) = call(
        reqwest::Method::GET,
        &reader,
        "/usage/realms/budget-bad/budgets",
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = call(
        reqwest::Method::GET,
        &server().scopeless_token,
        "/usage/realms/northwind/budgets",
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = call(
        reqwest::Method::PUT,
        &server().foreign_token,
        &p("ok"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = call(
        reqwest::Method::GET,
        &server().foreign_token,
        "/usage/realms/budget-bad/budgets",
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = call(reqwest::Method::PUT, "nope", &p("ok"), Some(body)).await;
    assert_eq!(s, 401);
    assert!(
        budgets(&token, "budget-bad").await.is_empty(),
        "nothing was written"
    );
}

#[tokio::test]
async fn a_realm_keeps_at_most_100_budgets_and_deletes_them() {
    let token = realm("budget-many", &[]);
    let p = |i: usize| format!("/usage/realms/budget-many/budgets/b{i}");
    let body = json!({"name": "Spend", "currency": "USD", "threshold": "5"});
    for i in 0..100 {
        let (s, b) = call(reqwest::Method::PUT, &token, &p(i), Some(body.clone())).await;
        assert_eq!(s, 201, "{i}: {b}");
    }
    let (s, e) = call(reqwest::Method::PUT, &token, &p(100), Some(body.clone())).await;
    assert_eq!((s, e["code"].as_str()), (422, Some("limitExceeded")), "{e}");
    // Replacing one is no new budget.
    let (s, _) = call(reqwest::Method::PUT, &token, &p(7), Some(body.clone())).await;
    assert_eq!(s, 200);
    assert_eq!(budgets(&token, "budget-many").await.len(), 100);
    let (s, _) = call(reqwest::Method::DELETE, &token, &p(7), None).await;
    assert_eq!(s, 204);
    let (s, e) = call(reqwest::Method::DELETE, &token, &p(7), None).await;
    assert_eq!((s, e["code"].as_str()), (404, Some("notFound")));
    let (s, _) = call(reqwest::Method::PUT, &token, &p(100), Some(body)).await;
    assert_eq!(s, 201, "room for one again");
    let ids: Vec<String> = budgets(&token, "budget-many")
        .await
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!ids.contains(&"b7".to_owned()) && ids.contains(&"b100".to_owned()));
}

#[tokio::test]
async fn saved_views_are_checked_as_section_1_checks_a_query() {
    let token = realm("views-one", &[]);
    let views = "/usage/realms/views-one/views";
    let (s, v) = call(reqwest::Method::POST, &token, views, Some(json!({"name": " Last month by app ", "query": "range=lastMonth&detailLevel=day&groupBy=appId&timeZone=Europe/Berlin"}))).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["name"], "Last month by app");
    assert_eq!(
        v["query"],
        "range=lastMonth&detailLevel=day&groupBy=appId&timeZone=Europe/Berlin"
    );
    let id = v["id"].as_str().unwrap().to_owned();
    let (s, fixed) = call(
        reqwest::Method::POST,
        &token,
        views,
        Some(json!({"name": "March", "query": "startDate=2026-03-01&endDate=2026-04-01"})),
    )
    .await;
    assert_eq!(s, 201, "{fixed}");

    let (s, list) = call(reqwest::Method::GET, &token, views, None).await;
    assert_eq!(s, 200);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Last month by app", "March"], "by name");
    assert_eq!(list["items"][0], v);

    let (s, e) = call(
        reqwest::Method::POST,
        &token,
        views,
        Some(json!({"name": "Last month by app", "query": "range=last7d"})),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("conflict")), "{e}");

    for (body, want) in [
        (
            json!({"name": "x", "query": "range=lastYear&detailLevel=week&limit=5"}),
            vec!["query.detailLevel", "query.limit", "query.range"],
        ),
        (
            json!({"name": "x", "query": "detailLevel=day"}),
            vec!["query.range"],
        ),
        (
            json!({"name": "x", "query": "startDate=2026-01-01&endDate=2026-12-01&colour=red"}),
            vec!["query.colour", "query.endDate"],
        ),
        (
            json!({"name": "x", "query": "range=last7d&timeZone=Mars/Olympus"}),
            vec!["query.timeZone"],
        ),
        (json!({"name": "", "query": 5}), vec!["name", "query"]),
        (
            json!({"query": "range=last7d", "extra": 1}),
            vec!["extra", "name"],
        ),
        (
            json!({"name": "x", "query": "x".repeat(5000)}),
            vec!["query"],
        ),
    ] {
        let (s, e) = call(reqwest::Method::POST, &token, views, Some(body.clone())).await;
        assert_eq!(s, 400, "{body}: {e}");
        assert_eq!(field_names(&e), want, "{body}: {e}");
    }

    // Another realm's views are not seen, read or deleted.
    let other = realm("views-two", &[]);
    let (s, list) = call(
        reqwest::Method::GET,
        &other,
        "/usage/realms/views-two/views",
        None,
    )
    .await;
    assert_eq!((s, list["items"].as_array().map(Vec::len)), (200, Some(0)));
    let (s, _) = call(reqwest::Method::GET, &other, views, None).await;
    assert_eq!(s, 403);
    let (s, _) = call(
        reqwest::Method::DELETE,
        &other,
        &format!("/usage/realms/views-two/views/{id}"),
        None,
    )
    .await;
    assert_eq!(s, 404);

    let (s, _) = call(
        reqwest::Method::DELETE,
        &token,
        &format!("{views}/{id}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (s, _) = call(
        reqwest::Method::DELETE,
        &token,
        &format!("{views}/{id}"),
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (_, list) = call(reqwest::Method::GET, &token, views, None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // Saving needs reports:write.
    let reader = crate::backend::run(&server().pool, |c| {
        auth::create_token(c, "views-one", &["usage:read"], "test").unwrap()
    });
    let (s, _) = call(
        reqwest::Method::POST,
        &reader,
        views,
        Some(json!({"name": "y", "query": "range=last7d"})),
    )
    .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn a_realm_keeps_at_most_200_views() {
    let token = realm("views-many", &[]);
    let views = "/usage/realms/views-many/views";
    for i in 0..200 {
        let (s, e) = call(
            reqwest::Method::POST,
            &token,
            views,
            Some(json!({"name": format!("v{i}"), "query": "range=last7d"})),
        )
        .await;
        assert_eq!(s, 201, "{i}: {e}");
    }
    let (s, e) = call(
        reqwest::Method::POST,
        &token,
        views,
        Some(json!({"name": "one more", "query": "range=last7d"})),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (422, Some("limitExceeded")), "{e}");
}

#[tokio::test]
async fn subscriptions_are_paged_by_id_with_what_their_limits_leave() {
    let token = realm(
        "subs-list",
        &[
            ("SUB-SL-C", "1", "EUR", Some(10_000)),
            ("SUB-SL-A", "0.5", "USD", None),
            ("SUB-SL-B", "2", "EUR", Some(1_000)),
        ],
    );
    record(&token, "SUB-SL-C", "2.5").await;
    let (s, page) = call(
        reqwest::Method::GET,
        &token,
        "/usage/realms/subs-list/subscriptions",
        None,
    )
    .await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(
        (
            page["total"].as_u64(),
            page["limit"].as_u64(),
            page["lastOffset"].as_u64()
        ),
        (Some(3), Some(100), Some(0))
    );
    assert!(page.get("nextOffset").is_none());
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["billingSubscriptionId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["SUB-SL-A", "SUB-SL-B", "SUB-SL-C"]);
    let c = &page["items"][2];
    assert_eq!(
        (
            c["monthlyLimit"].as_str(),
            c["used"].as_str(),
            c["remaining"].as_str()
        ),
        (Some("10"), Some("2.5"), Some("7.5"))
    );
    assert_eq!(
        (
            c["valueDriver"].as_str(),
            c["currency"].as_str(),
            c["price"].as_str()
        ),
        (Some("Requests"), Some("EUR"), Some("1"))
    );
    let a = &page["items"][0];
    assert!(
        a["monthlyLimit"].is_null() && a["remaining"].is_null(),
        "{a}"
    );
    assert_eq!(a["used"], "0");

    // Over the limit with accept-what-fits: nothing remains, never below 0.
    let (s, r) = call(
        reqwest::Method::POST,
        &token,
        "/usages",
        Some(json!({"subscriptionId": "SUB-SL-B", "quantity": "5", "acceptPartialQuantity": true})),
    )
    .await;
    assert_eq!((s, r["quantity"].as_str()), (201, Some("1")), "{r}");
    let (_, page) = call(
        reqwest::Method::GET,
        &token,
        "/usage/realms/subs-list/subscriptions?limit=1&offset=1",
        None,
    )
    .await;
    assert_eq!(
        (
            page["offset"].as_u64(),
            page["nextOffset"].as_u64(),
            page["lastOffset"].as_u64()
        ),
        (Some(1), Some(2), Some(2))
    );
    let b = &page["items"][0];
    assert_eq!(
        (
            b["billingSubscriptionId"].as_str(),
            b["used"].as_str(),
            b["remaining"].as_str()
        ),
        (Some("SUB-SL-B"), Some("1"), Some("0"))
    );

    let (s, e) = call(
        reqwest::Method::GET,
        &token,
        "/usage/realms/subs-list/subscriptions?limit=0&offset=x&sort=name",
        None,
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(field_names(&e), ["limit", "offset", "sort"]);
    let (s, _) = call(
        reqwest::Method::GET,
        &token,
        "/usage/realms/northwind/subscriptions",
        None,
    )
    .await;
    assert_eq!(s, 403, "another realm");
    // A partner reads its sub-accounts' subscriptions, as section 1's realm rules say.
    let sub_account = usage_server::demo::SUB_ACCOUNTS[0].0;
    let (s, page) = call(
        reqwest::Method::GET,
        &server().token,
        &format!("/usage/realms/{sub_account}/subscriptions"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{page}");
    assert!(page["total"].as_u64().unwrap() > 0);
    let (s, _) = call(
        reqwest::Method::GET,
        &server().foreign_token,
        &format!("/usage/realms/{sub_account}/subscriptions"),
        None,
    )
    .await;
    assert_eq!(s, 403);
}
