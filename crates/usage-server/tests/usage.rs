//! `GET /usage/realms/{realmId}` over real HTTP.

mod backend;
mod common;

use common::{Query, after, field_names, month, range, server};
use serde_json::Value;
use usage_server::vals;
use usage_server::{auth, demo};

async fn get_json(path: &str) -> (u16, Value) {
    let resp = server().get(path).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

/// A whole month two months back.
static RANGE: Query = Query::new(|| range(month(2), month(1)));

#[tokio::test]
async fn first_page_has_the_contract_shape() {
    let (status, body) = get_json(&format!("/usage/realms/northwind?{RANGE}&limit=2")).await;
    assert_eq!(status, 200, "{body}");
    let total = body["total"].as_u64().unwrap();
    assert!(
        total > 2,
        "demo data should give several summarized records, got {total}"
    );
    assert_eq!(body["limit"], 2);
    assert_eq!(body["offset"], 0);
    assert_eq!(body["nextOffset"], 1);
    assert_eq!(body["lastOffset"].as_u64().unwrap(), total.div_ceil(2) - 1);
    let item = &body["items"][0];
    for key in [
        "realmId",
        "featureId",
        "billingSubscriptionId",
        "billingChargeNumber",
        "category",
        "name",
        "valueDriver",
        "usageValue",
        "billableValue",
    ] {
        assert!(item[key].is_string(), "{key} missing in {item}");
    }
    assert!(
        item.get("usageDateTime").is_none(),
        "summarized has no usageDateTime"
    );
}

#[tokio::test]
async fn last_page_and_past_it() {
    let (_, first) = get_json(&format!("/usage/realms/northwind?{RANGE}&limit=2")).await;
    let last = first["lastOffset"].as_u64().unwrap();
    let (_, page) = get_json(&format!(
        "/usage/realms/northwind?{RANGE}&limit=2&offset={last}"
    ))
    .await;
    assert!(
        page.get("nextOffset").is_none(),
        "no nextOffset on the last page: {page}"
    );
    assert!(!page["items"].as_array().unwrap().is_empty());
    let (status, past) = get_json(&format!(
        "/usage/realms/northwind?{RANGE}&limit=2&offset={}",
        last + 3
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(past["items"].as_array().unwrap().len(), 0);
    assert_eq!(past["total"], first["total"]);
    assert_eq!(past["lastOffset"], first["lastOffset"]);
}

/// The rollup tiers must give exactly what a scan of the raw records gives, including ranges
/// that start and end inside an hour.
#[tokio::test]
async fn rollups_equal_a_scan_of_raw_records() {
    let s = server();
    let end = common::demo_until();
    // Inside the last hour of the data, which may hold no record.
    let last_hour = (after(end, 0, -50 * 60), after(end, 0, -10 * 60));
    for (start, end) in [
        (month(2), month(1)),
        // Unaligned, across a month boundary.
        (
            after(month(3), 2, 10 * 3600 + 17 * 60 + 29),
            after(month(2), 13, 5 * 3600 + 45 * 60),
        ),
        last_hour,
        // Unaligned at both ends, over the last two days of the data.
        (after(end, -2, -90 * 60), after(end, 0, 90 * 60 + 1)),
    ] {
        let (status, body) = get_json(&format!(
            "/usage/realms/northwind?{}&limit=100&usageFields=billingSubscriptionId,usageValue",
            range(start, end)
        ))
        .await;
        assert_eq!(status, 200, "{body}");
        let (a, b) = (start.and_utc().timestamp(), end.and_utc().timestamp());
        let expected: Vec<(String, String)> = crate::backend::run(&s.pool, |c| {
            c.all(
                "SELECT s.billing_subscription_id, CAST(SUM(r.quantity_milli) AS BIGINT) FROM usage_records r
                 JOIN subscriptions s ON s.id = r.sub_id
                 WHERE s.realm_id = 'northwind' AND r.usage_time >= ?1 AND r.usage_time < ?2
                 GROUP BY 1 ORDER BY 1",
                vals![a, b],
                |r| {
                    Ok((
                        r.get::<String>(0)?,
                        usage_api::Quantity(r.get(1)?).to_string(),
                    ))
                },
            )
        })
        .unwrap();
        let got: Vec<(String, String)> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["billingSubscriptionId"].as_str().unwrap().to_owned(),
                    i["usageValue"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(got, expected, "range {start} .. {end}");
        assert!(
            !got.is_empty() || (start, end) == last_hour,
            "expected data in {start}..{end}"
        );
        let item = &body["items"][0];
        assert!(
            item.get("name").is_none(),
            "usageFields drops other fields: {item}"
        );
    }
}

#[tokio::test]
async fn auth_rules() {
    let s = server();
    let url = format!("{}/usage/realms/northwind?{RANGE}", s.base);
    let c = common::client();
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "unauthorized");
    let r = c
        .get(&url)
        .bearer_auth("upt_not-a-real-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The token is checked before the query, with a bad query too (the page endpoint checks
    // both in one visit to the database).
    let bad_query = format!("{}/usage/realms/northwind?{RANGE}&limit=0", s.base);
    let r = c
        .get(&bad_query)
        .bearer_auth("upt_not-a-real-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .get(&bad_query)
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        common::field_names(&r.json::<Value>().await.unwrap()),
        ["limit"]
    );
    // A token past its expiry is refused; one still valid works.
    let now = chrono::Utc::now().timestamp();
    let (expired, valid) = crate::backend::run(&s.pool, |c| {
        (
            auth::create_token_until(c, demo::PARTNER, auth::SCOPES, "t", Some(now - 1)).unwrap(),
            auth::create_token_until(c, demo::PARTNER, auth::SCOPES, "t", Some(now + 600)).unwrap(),
        )
    });
    let r = c.get(&url).bearer_auth(&expired).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body = r.json::<Value>().await.unwrap();
    assert_eq!(body["code"], "unauthorized");
    assert!(
        body["description"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    let r = c.get(&url).bearer_auth(&valid).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // The partner reads its sub-accounts; the foreign org reads neither.
    let r = c
        .get(format!("{}/usage/realms/northwind-eu?{RANGE}", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(&url)
        .bearer_auth(&s.foreign_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "forbidden");
    // A sub-account cannot read a sibling or its parent.
    let r = c
        .get(format!("{}/usage/realms/contoso?{RANGE}", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .get(&url)
        .bearer_auth(&s.scopeless_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "usage:read is required");
}

#[tokio::test]
async fn request_and_correlation_ids() {
    let s = server();
    let r = s
        .get(&format!("/usage/realms/northwind?{RANGE}"))
        .header("X-Request-ID", "my-trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "my-trace-42");
    assert!(!r.headers()["x-correlation-id"].is_empty());
    // Generated when absent, and present on errors too.
    let r = common::client()
        .get(format!("{}/usage/realms/northwind", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["x-request-id"].len() >= 16);
    assert!(r.headers().contains_key("x-correlation-id"));
    // Too long or not printable: a 400 naming the header.
    let r = s
        .get(&format!("/usage/realms/northwind?{RANGE}"))
        .header("X-Request-ID", "x".repeat(201))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers().contains_key("x-correlation-id"));
    assert_eq!(field_names(&r.json().await.unwrap()), ["X-Request-ID"]);
}

#[tokio::test]
async fn every_bad_parameter_is_named() {
    let (a, b) = (month(2), month(1));
    let day = |t| after(t, 1, 0);
    let cases: &[(String, &[&str])] = &[
        (String::new(), &["endDate", "startDate"]),
        (range(b, a), &["endDate"]),
        // 96 days.
        (range(month(10), after(month(10), 96, 0)), &["endDate"]),
        (
            format!("{}&limit=101&offset=x", range(a, day(a))),
            &["limit", "offset"],
        ),
        (
            format!("{}&detailLevel=week&channelId=warm", range(a, day(a))),
            &["channelId", "detailLevel"],
        ),
        (
            format!("{}&groupBy=appId,appId&usageFields=size", range(a, day(a))),
            &["groupBy", "usageFields"],
        ),
        (
            format!("{}&colour=red&limit=1&limit=2", range(a, day(a))),
            &["colour", "limit"],
        ),
        (
            format!("{}&startTime={}", range(a, day(a)), common::stamp(a)),
            &["startTime"],
        ),
    ];
    for (query, expected) in cases {
        let (status, body) = get_json(&format!("/usage/realms/northwind?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["code"], "validation");
        assert_eq!(field_names(&body), *expected, "{query}");
    }
    let long = "a".repeat(129);
    let (status, body) = get_json(&format!(
        "/usage/realms/northwind?{RANGE}&appId={long}&billingTag="
    ))
    .await;
    assert_eq!(status, 400);
    assert_eq!(field_names(&body), ["appId", "billingTag"]);
    let (status, body) = get_json(&format!("/usage/realms/bad!realm?{RANGE}")).await;
    assert_eq!(status, 400);
    assert_eq!(field_names(&body), ["realmId"]);
}

/// A flood of parameters, or a huge query, is refused at once with the contract's body,
/// before any parameter is checked against the others.
#[tokio::test]
async fn oversized_queries_are_refused_early() {
    // (A URI over 64 KB never reaches the service: the HTTP layer refuses it.)
    let repeated = format!("{RANGE}{}", "&subAccounts=northwind-eu".repeat(2_000));
    let many = format!("{RANGE}{}", "&x=1".repeat(40));
    let long = format!("{RANGE}&appId={}", "a".repeat(9_000));
    for query in [repeated, many, long] {
        let started = std::time::Instant::now();
        let (status, body) = get_json(&format!("/usage/realms/northwind?{query}")).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["code"], "validation");
        assert_eq!(field_names(&body), ["query"], "{body}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
    // The most a real query needs still passes.
    let (status, body) = get_json(&format!(
        "/usage/realms/northwind?{RANGE}&groupBy=appId,billingTag,project,usageTypeCode,resource&detailLevel=day&limit=100&offset=0&channelId=hot"
    ))
    .await;
    assert_eq!(status, 200, "{body}");
}
