//! Issue 13, "The API described": `GET /openapi.json` over real HTTP. It is served without a
//! token, is OpenAPI 3.1, describes exactly the paths and methods the router serves, and gives
//! every operation the contract's error body for 400 (and 401 where a token is needed).

mod backend;
mod common;

use common::{client, server};
use serde_json::Value;
use std::collections::BTreeSet;

/// Every operation the server has, as the contract spells the paths (sections 1–6).
const OPERATIONS: &[(&str, &str)] = &[
    ("get", "/usage/realms/{realmId}"),
    ("get", "/usage/realms/{realmId}/csv"),
    ("get", "/usage/realms/{realmId}/records"),
    ("post", "/usage/realms/{realmId}/reports"),
    ("get", "/usage/realms/{realmId}/reports"),
    ("get", "/usage/realms/{realmId}/reports/{reportId}/output"),
    ("get", "/usage/realms/{realmId}/reports/{reportId}/download"),
    ("get", "/express/usage/month"),
    ("post", "/usages"),
    ("get", "/usages"),
    ("get", "/usages/{id}"),
    ("get", "/orgs/me"),
    ("get", "/usage/realms/{realmId}/subscriptions"),
    ("get", "/usage/realms/{realmId}/budgets"),
    ("put", "/usage/realms/{realmId}/budgets/{budgetId}"),
    ("delete", "/usage/realms/{realmId}/budgets/{budgetId}"),
    ("get", "/usage/realms/{realmId}/views"),
    ("post", "/usage/realms/{realmId}/views"),
    ("delete", "/usage/realms/{realmId}/views/{viewId}"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/openapi.json"),
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

async fn document() -> Value {
    let resp = client()
        .get(format!("{}/openapi.json", server().base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "served without a token");
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("application/json"), "{ct}");
    resp.json().await.unwrap()
}

fn operations(doc: &Value) -> impl Iterator<Item = (&str, &str, &Value)> {
    doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter_map(move |m| item.get(*m).map(|op| (*m, path.as_str(), op)))
        })
}

/// A concrete URL for a templated path, with the demo's realm.
fn concrete(path: &str) -> String {
    path.replace("{realmId}", "northwind")
        .replace("{reportId}", "REPORT-999999")
        .replace("{id}", "no-such-record")
        .replace("{budgetId}", "no-such-budget")
        .replace("{viewId}", "no-such-view")
}

#[tokio::test]
async fn is_openapi_3_1_without_a_token() {
    let doc = document().await;
    let version = doc["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1."), "{version}");
    assert!(doc["info"]["title"].is_string());
    let bearer = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(bearer["type"], "http");
    assert_eq!(
        bearer["scheme"].as_str().map(str::to_lowercase).as_deref(),
        Some("bearer")
    );
}

#[tokio::test]
async fn lists_every_path_and_method_the_router_serves() {
    let doc = document().await;
    let documented: BTreeSet<(String, String)> = operations(&doc)
        .map(|(m, p, _)| (m.to_owned(), p.to_owned()))
        .collect();
    let expected: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(documented, expected);

    // The router agrees: each documented operation is routed (neither the unknown-path 404 nor
    // a 405), and every other method on its path is a 405.
    let mut ids = BTreeSet::new();
    for path in doc["paths"].as_object().unwrap().keys() {
        for method in METHODS {
            let url = format!("{}{}", server().base, concrete(path));
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let resp = client()
                .request(m, &url)
                .bearer_auth(&server().token)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            let op = &doc["paths"][path][*method];
            if op.is_null() {
                assert_eq!(
                    status, 405,
                    "{method} {path} is not documented, so not served"
                );
                continue;
            }
            assert_ne!(status, 405, "{method} {path}");
            assert!(
                !(status == 404 && body["description"] == "There is no such path in this API."),
                "{method} {path} is documented but not routed"
            );
            assert!(
                op["responses"].get(status.to_string()).is_some(),
                "{method} {path} answered {status}, which it does not document"
            );
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            assert!(ids.insert(id.clone()), "operationId {id} is not unique");
        }
    }
}

#[tokio::test]
async fn every_operation_declares_the_error_body_for_400_and_401() {
    let doc = document().await;
    let is_error_body = |resp: &Value| {
        resp["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ErrorBody"
    };
    let error_body = &doc["components"]["schemas"]["ErrorBody"];
    let required: BTreeSet<&str> = error_body["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        required.is_superset(&BTreeSet::from(["code", "message"])),
        "{error_body}"
    );
    for key in ["code", "message", "description", "fields"] {
        assert!(
            error_body["properties"].get(key).is_some(),
            "ErrorBody lacks {key}"
        );
    }
    for (method, path, op) in operations(&doc) {
        let responses = &op["responses"];
        // Any request can be a 400: a bad X-Request-ID is refused before routing.
        assert!(is_error_body(&responses["400"]), "{method} {path}: 400");
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        if secured {
            assert!(is_error_body(&responses["401"]), "{method} {path}: 401");
        } else {
            // Those without a security requirement really answer without a token.
            let resp = client()
                .request(
                    reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    format!("{}{}", server().base, concrete(path)),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "{method} {path} without a token");
        }
        for (status, resp) in responses.as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                assert!(is_error_body(resp), "{method} {path}: {status}");
            }
        }
        for (status, header) in [
            ("429", "Retry-After"),
            ("503", "Retry-After"),
            ("405", "Allow"),
        ] {
            if let Some(resp) = responses.get(status) {
                assert!(
                    resp["headers"].get(header).is_some(),
                    "{method} {path}: {status} without {header}"
                );
            }
        }
    }
}

/// Each response's schema is its own: two Rust types of one name would share one entry of
/// `components.schemas`, and one endpoint would be documented with the other's body.
#[tokio::test]
async fn the_records_pages_of_sections_4_and_9_are_two_schemas() {
    let doc = document().await;
    let body_ref = |path: &str| {
        doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            ["$ref"]
            .as_str()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let items_ref = |schema: &str| {
        doc["components"]["schemas"][schema]["properties"]["items"]["items"]["$ref"]
            .as_str()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let behind = body_ref("/usage/realms/{realmId}/records");
    let usages = body_ref("/usages");
    assert_ne!(behind, usages);
    assert_eq!(items_ref(&behind), "RecordItem");
    assert_eq!(items_ref(&usages), "UsageRecord");
}
