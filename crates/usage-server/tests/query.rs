//! Every parameter of `GET /usage/realms/{realmId}` and its CSV, over real HTTP.

mod backend;
mod common;

use common::{Query, after, field_names, month, range, server, stamp};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

async fn get(path: &str) -> (u16, Value) {
    let resp = server().get(path).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

async fn ok(path: &str) -> Value {
    let (status, body) = get(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// Every item of a query, walking its pages.
async fn all_items(query: &str, limit: u32) -> Vec<Value> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let page = ok(&format!(
            "/usage/realms/northwind?{query}&limit={limit}&offset={offset}"
        ))
        .await;
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["nextOffset"].as_u64() {
            Some(n) => offset = n,
            None => break,
        }
    }
    out
}

fn milli(v: &Value) -> i64 {
    usage_api::Quantity::parse(v.as_str().unwrap())
        .unwrap()
        .milli()
}

fn sum(items: &[Value], key: &str) -> i64 {
    items.iter().map(|i| milli(&i[key])).sum()
}

/// Three calendar months, the last one cut at its 15th: 75 days or so.
static RANGE: Query = Query::new(|| range(month(3), after(month(1), 14, 0)));

#[tokio::test]
async fn each_filter_selects_exactly_its_group() {
    let grouped = all_items(&format!("{RANGE}&groupBy=appId,project,billingTag"), 100).await;
    assert!(grouped.len() > 10);
    let probe = &grouped[grouped.len() / 2];
    for (param, key) in [
        ("appId", "appId"),
        ("projectHrn", "projectHrn"),
        ("billingTag", "billingTag"),
    ] {
        let value = probe[key].as_str().unwrap();
        if value.is_empty() {
            continue;
        }
        let filtered = all_items(&format!("{RANGE}&{param}={}", urlencode(value)), 100).await;
        let expected: i64 = grouped
            .iter()
            .filter(|i| i[key] == probe[key])
            .map(|i| milli(&i["usageValue"]))
            .sum();
        assert_eq!(sum(&filtered, "usageValue"), expected, "{param}={value}");
    }
    for (param, key) in [("featureId", "featureId"), ("category", "category")] {
        let value = probe[key].as_str().unwrap();
        let filtered = all_items(&format!("{RANGE}&{param}={}", urlencode(value)), 100).await;
        assert!(filtered.iter().all(|i| i[key] == probe[key]), "{param}");
        let expected: i64 = grouped
            .iter()
            .filter(|i| i[key] == probe[key])
            .map(|i| milli(&i["usageValue"]))
            .sum();
        assert_eq!(sum(&filtered, "usageValue"), expected, "{param}={value}");
    }
    // The two channels partition the records.
    let all = sum(&all_items(&RANGE, 100).await, "usageValue");
    let hot = sum(
        &all_items(&format!("{RANGE}&channelId=hot"), 100).await,
        "usageValue",
    );
    let cold = sum(
        &all_items(&format!("{RANGE}&channelId=cold"), 100).await,
        "usageValue",
    );
    assert!(hot > 0 && cold > 0);
    assert_eq!(hot + cold, all);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn group_by_adds_each_dimension() {
    for (dim, key) in [
        ("appId", "appId"),
        ("billingTag", "billingTag"),
        ("project", "projectHrn"),
        ("usageTypeCode", "usageTypeCode"),
        ("resource", "resource"),
    ] {
        let page = ok(&format!(
            "/usage/realms/northwind?{RANGE}&groupBy={dim}&limit=100"
        ))
        .await;
        let items = page["items"].as_array().unwrap();
        assert!(
            items.iter().all(|i| i[key].is_string()),
            "{dim} gives {key}"
        );
    }
    // Spaces around commas are ignored; a grouped total equals the ungrouped one.
    let plain = sum(&all_items(&RANGE, 100).await, "billableValue");
    let grouped = all_items(&format!("{RANGE}&groupBy=appId%20,%20resource"), 100).await;
    assert_eq!(sum(&grouped, "billableValue"), plain);
}

#[tokio::test]
async fn detail_levels_bucket_in_utc_and_add_up() {
    let total = sum(&all_items(&RANGE, 100).await, "usageValue");
    for (level, check) in [
        (
            "hour",
            (|t: &str| t.ends_with(":00:00")) as fn(&str) -> bool,
        ),
        ("day", |t: &str| t.ends_with("T00:00:00")),
        ("month", |t: &str| t.ends_with("-01T00:00:00")),
    ] {
        let items = all_items(&format!("{RANGE}&detailLevel={level}"), 100).await;
        assert!(
            items
                .iter()
                .all(|i| check(i["usageDateTime"].as_str().unwrap())),
            "{level}"
        );
        assert_eq!(sum(&items, "usageValue"), total, "{level} buckets add up");
        // The contract's order: usageDateTime, then billingSubscriptionId.
        let keys: Vec<(String, String)> = items
            .iter()
            .map(|i| {
                (
                    i["usageDateTime"].as_str().unwrap().to_owned(),
                    i["billingSubscriptionId"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{level} order");
    }
    let months = all_items(&format!("{RANGE}&detailLevel=month"), 100).await;
    let distinct: std::collections::BTreeSet<&str> = months
        .iter()
        .map(|i| i["usageDateTime"].as_str().unwrap())
        .collect();
    assert_eq!(
        distinct.into_iter().collect::<Vec<_>>(),
        [stamp(month(3)), stamp(month(2)), stamp(month(1))]
    );
}

#[tokio::test]
async fn aliases_and_usage_fields() {
    let a = ok(&format!("/usage/realms/northwind?{RANGE}")).await;
    let b = ok(&format!(
        "/usage/realms/northwind?startTime={}Z&endTime={}",
        stamp(month(3)),
        stamp(after(month(1), 14, 0))
    ))
    .await;
    // `asOf` is the moment each was answered, which may be a second apart.
    let without_as_of = |mut v: Value| {
        v.as_object_mut().unwrap().remove("asOf");
        v
    };
    assert_eq!(without_as_of(a), without_as_of(b));
    let p = ok(&format!(
        "/usage/realms/northwind?{RANGE}&usageFields=name,billableValue&groupBy=resource"
    ))
    .await;
    let item = p["items"][0].as_object().unwrap();
    let mut keys: Vec<&str> = item.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["billableValue", "name"],
        "resource is dropped too, as it is not in usageFields"
    );
}

#[tokio::test]
async fn csv_streams_the_whole_result_and_refuses_too_much() {
    let s = server();
    let resp = s
        .get(&format!(
            "/usage/realms/northwind/csv?{RANGE}&groupBy=appId&detailLevel=month"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"usage-northwind-"),
        "{disposition}"
    );
    let text = resp.text().await.unwrap();
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(
        lines.next().unwrap(),
        "realmId,featureId,billingSubscriptionId,billingChargeNumber,category,name,valueDriver,usageValue,billableValue,appId,usageDateTime"
    );
    let items = all_items(&format!("{RANGE}&groupBy=appId&detailLevel=month"), 100).await;
    assert_eq!(lines.count(), items.len());

    // Paging parameters do not belong to the CSV.
    let (status, body) = get(&format!("/usage/realms/northwind/csv?{RANGE}&limit=10")).await;
    assert_eq!(status, 400);
    assert_eq!(field_names(&body), ["limit"]);
    // More than 20,000 records: a 400 that points to reports.
    let (status, body) = get(&format!(
        "/usage/realms/northwind/csv?{}&detailLevel=hour&groupBy=appId,project,billingTag,resource",
        range(month(4), after(month(1), 1, 0))
    ))
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["description"].as_str().unwrap().contains("report"),
        "{body}"
    );
    // Foreign realms are refused before any byte is sent.
    let (status, _) = get(&format!("/usage/realms/contoso/csv?{RANGE}")).await;
    assert_eq!(status, 403);
}

fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn item_row(item: &Value) -> BTreeMap<String, String> {
    item.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Walking all pages gives exactly the unpaged result (the CSV), in order.
    #[test]
    fn pages_concatenate_to_the_unpaged_result(
        detail in prop::sample::select(vec!["summarized", "hour", "day", "month"]),
        dims in prop::sample::subsequence(vec!["appId", "billingTag", "project", "usageTypeCode", "resource"], 0..=3),
        limit in 17u32..=100,
        start_day in 0u32..60,
        days in 1u32..20,
    ) {
        let days = if detail == "hour" { days.min(4) } else { days };
        let start = after(month(4), i64::from(start_day), 0);
        let end = after(start, i64::from(days), 6 * 3600 + 30 * 60);
        let mut query = format!("{}&detailLevel={detail}", range(start, end));
        if !dims.is_empty() {
            query.push_str(&format!("&groupBy={}", dims.join(",")));
        }
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (paged, csv_text) = rt.block_on(async {
            let paged = all_items(&query, limit).await;
            let csv_text = server().text(&format!("/usage/realms/northwind/csv?{query}")).await;
            (paged, csv_text)
        });
        let from_pages: Vec<BTreeMap<String, String>> = paged.iter().map(item_row).collect();
        prop_assert_eq!(from_pages, csv_rows(&csv_text));
    }
}
