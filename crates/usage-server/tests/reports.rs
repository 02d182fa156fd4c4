//! Usage reports over real HTTP: creation rules, status, list, signed and ranged downloads.

mod backend;
mod common;

use common::{Query, after, field_names, month, range, server};
use serde_json::{Value, json};
use std::time::Duration;

/// Two whole months, three and two months back.
static RANGE: Query = Query::new(|| range(month(3), month(1)));

async fn create(query: &str, body: Option<Value>) -> reqwest::Response {
    let s = server();
    let mut req = common::client()
        .post(format!("{}/usage/realms/northwind/reports?{query}", s.base))
        .bearer_auth(&s.token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

/// Polls the status until it is final.
async fn wait_done(location: &str) -> Value {
    for _ in 0..200 {
        let resp = server().get(location).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let in_progress = resp.headers().get("retry-after").is_some();
        let body: Value = resp.json().await.unwrap();
        if body["status"] != "inProgress" {
            assert!(!in_progress, "no Retry-After once final");
            return body;
        }
        assert!(in_progress, "Retry-After while in progress");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("report did not finish");
}

#[tokio::test]
async fn create_poll_and_download() {
    let resp = create(&format!("{RANGE}&detailLevel=day"), None).await;
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = resp.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("REPORT-"));
    assert_eq!(created["status"], "inProgress");
    assert_eq!(
        location,
        format!("/usage/realms/northwind/reports/{id}/output")
    );

    let done = wait_done(&location).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        done["parameters"]["groupBy"], "appId,billingTag",
        "the default groupBy"
    );
    assert_eq!(done["parameters"]["detailLevel"], "day");
    let rows = done["rowCount"].as_u64().unwrap();
    assert!(rows > 100);
    assert_eq!(done["truncated"], false);

    // With the token: the whole file, its length and name.
    let s = server();
    let resp = s
        .get(&format!("/usage/realms/northwind/reports/{id}/download"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        resp.headers()["content-disposition"],
        format!("attachment; filename=\"{id}.csv\"").as_str()
    );
    let len: u64 = resp.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(len, done["byteSize"].as_u64().unwrap());
    let text = resp.text().await.unwrap();
    assert_eq!(text.len() as u64, len);
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("realmId,featureId,"));
    assert_eq!(lines.count() as u64, rows);

    // A range request.
    let resp = s
        .get(&format!("/usage/realms/northwind/reports/{id}/download"))
        .header("Range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 206);
    assert_eq!(resp.text().await.unwrap(), text[10..20]);

    // The signed link works without a token; altered or expired, it is a 403.
    let url = done["downloadUrl"].as_str().unwrap();
    let c = common::client();
    let resp = c.get(format!("{}{url}", s.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), text);
    let altered = url.replace("signature=", "signature=00");
    assert_eq!(
        c.get(format!("{}{altered}", s.base))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let (path, _) = url.split_once('?').unwrap();
    let expired = format!("{path}?expires=1000&signature=abcd");
    let resp = c.get(format!("{}{expired}", s.base)).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "forbidden");
    // Another report's path with this signature: 403.
    let other = url.replace(&id, "REPORT-1999");
    assert_eq!(
        c.get(format!("{}{other}", s.base))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

#[tokio::test]
async fn sub_accounts_reports_name_each_realm() {
    let resp = create(
        &RANGE,
        Some(json!({"subAccounts": ["northwind-eu", "northwind-us"]})),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let done = wait_done(&location).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(
        done["parameters"]["subAccounts"],
        json!(["northwind-eu", "northwind-us"])
    );
    let id = done["id"].as_str().unwrap();
    let text = server()
        .text(&format!("/usage/realms/northwind/reports/{id}/download"))
        .await;
    let realms: std::collections::BTreeSet<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        realms.into_iter().collect::<Vec<_>>(),
        ["northwind-eu", "northwind-us"]
    );

    // A sub-account of another org, or the org itself: 403.
    for bad in ["contoso", "northwind"] {
        let resp = create(&RANGE, Some(json!({"subAccounts": [bad]}))).await;
        assert_eq!(resp.status(), 403, "{bad}");
    }
}

#[tokio::test]
async fn bad_report_requests_name_every_field() {
    let day = range(month(3), after(month(3), 1, 0));
    let cases: &[(String, Option<Value>, &[&str])] = &[
        (
            range(month(10), after(month(10), 96, 0)),
            None,
            &["endDate"],
        ),
        (format!("{day}&detailLevel=hour"), None, &["detailLevel"]),
        (
            format!("{day}&limit=5&offset=1"),
            None,
            &["limit", "offset"],
        ),
        (day.clone(), Some(json!({"subAcounts": []})), &["body"]),
        (
            "detailLevel=week".to_owned(),
            Some(json!({"subAccounts": []})),
            &["detailLevel", "endDate", "startDate", "subAccounts"],
        ),
        (
            day.clone(),
            Some(json!({"subAccounts": ["x/y"]})),
            &["subAccounts"],
        ),
    ];
    for (q, body, want) in cases {
        let resp = create(q, body.clone()).await;
        assert_eq!(resp.status(), 400, "{q}");
        assert_eq!(
            field_names(&resp.json().await.unwrap()),
            *want,
            "{q} {body:?}"
        );
    }
    let s = server();
    let resp = common::client()
        .post(format!("{}/usage/realms/northwind/reports?{RANGE}", s.base))
        .bearer_auth(&s.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "validation");
    assert_eq!(field_names(&body), ["body"]);
    // Without the reports:write scope.
    let resp = common::client()
        .post(format!("{}/usage/realms/northwind/reports?{RANGE}", s.base))
        .bearer_auth(&s.scopeless_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn list_is_newest_first_and_unknown_reports_are_404() {
    let a = create(&RANGE, None).await.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = create(&RANGE, None).await.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list: Value = server()
        .json("/usage/realms/northwind/reports?limit=100")
        .await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let (ia, ib) = (
        ids.iter().position(|x| *x == a).unwrap(),
        ids.iter().position(|x| *x == b).unwrap(),
    );
    assert!(ib < ia, "newest first: {ids:?}");
    assert!(list["total"].as_u64().unwrap() >= 2);
    let resp = server()
        .get("/usage/realms/northwind/reports/REPORT-999999/output")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = server()
        .get("/usage/realms/northwind/reports/nope/output")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    // Another org cannot see the partner's reports.
    let s = server();
    let resp = common::client()
        .get(format!(
            "{}/usage/realms/northwind/reports/{a}/output",
            s.base
        ))
        .bearer_auth(&s.foreign_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn orgs_me_lists_sub_accounts() {
    let me: Value = server().json("/orgs/me").await;
    assert_eq!(me["realmId"], "northwind");
    let subs: Vec<&str> = me["subAccounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["realmId"].as_str().unwrap())
        .collect();
    assert_eq!(subs, ["northwind-apac", "northwind-eu", "northwind-us"]);
}

#[tokio::test]
async fn cells_that_look_like_formulas_are_neutralised() {
    let s = server();
    {
        // A usage record whose billing tag a spreadsheet would run as a formula.
        let t = after(month(5), 14, 12 * 3600).and_utc().timestamp();
        let dims = usage_server::db::Dims {
            billing_tag: "=HYPERLINK(\"http://x\")".into(),
            app_id: "-app".into(),
            ..Default::default()
        };
        crate::backend::run(&s.pool, |c| {
            let sub: i64 = c.one(
                "SELECT id FROM subscriptions WHERE realm_id = 'northwind' LIMIT 1",
                &[],
                |r| r.get(0),
            )?;
            c.exec(
                "INSERT INTO usage_records (sub_id, usage_time, quantity_milli, accepted_milli, app_id, billing_tag, created_time, updated_time)
                 VALUES (?1, ?2, 5000, 5000, ?3, ?4, 0, 0)",
                usage_server::vals![sub, t, &dims.app_id, &dims.billing_tag],
            )?;
            usage_server::store::records::add_to_rollups(c, sub, t, &dims, 5000, 5000)
        })
        .unwrap();
    }
    let resp = create(
        &format!(
            "{}&groupBy=billingTag,appId",
            range(after(month(5), 14, 0), after(month(5), 15, 0))
        ),
        None,
    )
    .await;
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let done = wait_done(&location).await;
    let id = done["id"].as_str().unwrap();
    let text = s
        .text(&format!("/usage/realms/northwind/reports/{id}/download"))
        .await;
    let row = text
        .lines()
        .find(|l| l.contains("HYPERLINK"))
        .expect("the row");
    assert!(row.contains(r#""'=HYPERLINK(""http://x"")""#), "{row}");
    assert!(row.ends_with(",'-app"), "{row}");
    assert!(
        !row.contains(",=") && row.contains(",5,"),
        "numbers stay numbers: {row}"
    );
}
