//! Several server processes on one PostgreSQL database, as replicas behind a load balancer:
//! what one replica did, another sees and honours. Real processes, real HTTP, one database.
//! (On SQLite one process serves the file; these tests then say they were skipped.)

mod backend;
mod process;
mod support;

use process::Site;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use usage_server::demo;

/// Skips a test unless the suite runs on PostgreSQL.
macro_rules! postgres_only {
    () => {
        if !backend::on_postgres() {
            eprintln!("skipped on SQLite: replicas share a PostgreSQL database");
            return;
        }
    };
}

fn day_report() -> String {
    let to = usage_test_clock::midnight(usage_test_clock::months_ago(0));
    let from = to - chrono::TimeDelta::days(60);
    format!(
        "{}&detailLevel=day&groupBy=appId",
        usage_test_clock::range(from, to)
    )
}

/// Asks `base` for a report of the partner with `query`; its status path.
async fn create_report(base: &str, token: &str, query: &str) -> String {
    let resp = reqwest::Client::new()
        .post(format!(
            "{base}/usage/realms/{}/reports?{query}",
            demo::PARTNER
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    resp.headers()["location"].to_str().unwrap().to_owned()
}

async fn wait_completed(base: &str, token: &str, location: &str) -> Value {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, _, text) = support::get(base, location, Some(token)).await;
        assert_eq!(status, 200, "{location}: {text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        if body["status"] != "inProgress" {
            assert_eq!(body["status"], "completed", "{body}");
            return body;
        }
        assert!(Instant::now() < until, "{location} still in progress");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Two replicas on one new database (the first loads the demo data) and a partner token.
fn two_replicas(site: &Site) -> (process::Server, process::Server, String) {
    let a = site.start_demo(&[]);
    let b = site.start(&[], &[]);
    (a, b, site.token("replicas"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_made_through_one_replica_is_polled_and_downloaded_through_another() {
    postgres_only!();
    let site = Site::new();
    let (a, b, token) = two_replicas(&site);
    let client = reqwest::Client::new();
    let location = create_report(&a.base, &token, &day_report()).await;
    let done = wait_completed(&b.base, &token, &location).await;
    let id = done["id"].as_str().unwrap();
    let download = format!("/usage/realms/{}/reports/{id}/download", demo::PARTNER);
    let whole = |base: &str| {
        let url = format!("{base}{download}");
        let (client, token) = (client.clone(), token.clone());
        async move {
            let r = client.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    let (from_a, from_b) = (whole(&a.base).await, whole(&b.base).await);
    assert_eq!(from_a, from_b, "either replica serves the same file");
    assert_eq!(from_b.len() as u64, done["byteSize"].as_u64().unwrap());
    // A range, through the replica that did not make it.
    let r = client
        .get(format!("{}{download}", b.base))
        .bearer_auth(&token)
        .header("Range", "bytes=5-24")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.text().await.unwrap(), from_a[5..25]);
    // A link signed by one replica is honoured by the other (one key, in the database).
    let (_, _, listed) = support::get(&a.base, &location, Some(&token)).await;
    let link: Value = serde_json::from_str(&listed).unwrap();
    let signed = link["downloadUrl"].as_str().unwrap();
    let r = client
        .get(format!("{}{signed}", b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "a link of replica A, through B, without a token"
    );
    assert_eq!(r.text().await.unwrap(), from_a);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_recordings_over_three_replicas_against_one_limit_accept_exactly_the_limit() {
    postgres_only!();
    let site = Site::new();
    let replicas = [
        site.start_demo(&[]),
        site.start(&[], &[]),
        site.start(&[], &[]),
    ];
    let token = site.token("replicas");
    let sub = "SUB-REPLICAS-LIMIT";
    let sub_id = site.subscription(sub);
    backend::exec(
        &site.pool(),
        "UPDATE subscriptions SET monthly_limit_milli = 20000 WHERE billing_subscription_id = ?1",
        usage_server::vals![&sub_id],
    );
    let at = support::an_hour_ago();
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let base = replicas[i % replicas.len()].base.clone();
            let (client, token) = (client.clone(), token.clone());
            let body = json!({
                "subscriptionId": sub_id,
                "quantity": 1,
                "usageTime": usage_test_clock::stamp(at),
                "id": format!("limit-{i}"),
            });
            tokio::spawn(async move { support::post(&client, &base, &token, &body).await })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap().expect("an answer");
        match status {
            201 => created += 1,
            422 => assert_eq!(body["code"], "limitExceeded", "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(
        created, 20,
        "exactly the limit of 20 units, across replicas"
    );
    let (from, to) = support::day_of(at);
    assert_eq!(
        support::billable_via_api(&replicas[1].base, &token, &sub_id, (from, to)).await,
        20_000
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_sent_to_two_replicas_at_once_is_one_record() {
    postgres_only!();
    let site = Site::new();
    let (a, b, token) = two_replicas(&site);
    let sub = site.subscription("SUB-REPLICAS-KEY");
    let at = support::an_hour_ago();
    let client = reqwest::Client::new();
    for round in 0..5 {
        let body = support::recording(&sub, at, &format!("same-key-{round}"));
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                let base = if i % 2 == 0 { &a.base } else { &b.base }.clone();
                let (client, token, body) = (client.clone(), token.clone(), body.clone());
                tokio::spawn(async move { support::post(&client, &base, &token, &body).await })
            })
            .collect();
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap().expect("an answer").0);
        }
        statuses.sort_unstable();
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "one 201, the others replays: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 200),
            "{statuses:?}"
        );
    }
    let records: i64 = backend::one(
        &site.pool(),
        "SELECT COUNT(*) FROM usage_records r JOIN subscriptions s ON s.id = r.sub_id
         WHERE s.billing_subscription_id = ?1",
        usage_server::vals![&sub],
    );
    assert_eq!(records, 5, "one record per key");
}

/// A short report lease: a killed replica's run is known lost a second after the kill.
const LEASE: &[&str] = &["--report-lease-secs", "1"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_report_leaves_the_report_to_another() {
    postgres_only!();
    let site = Site::new();
    let a = site.start_demo(LEASE);
    let token = site.token("replicas");
    // Enough vehicles that a run takes seconds, so the kill lands in the middle of one.
    let days = 90;
    let from =
        usage_test_clock::midnight(usage_test_clock::now().date()) - chrono::TimeDelta::days(days);
    backend::run(&site.pool(), |c| {
        let sub: i64 = c.one(
            "SELECT id FROM subscriptions WHERE realm_id = ?1 ORDER BY id LIMIT 1",
            usage_server::vals![demo::PARTNER],
            |r| r.get(0),
        )?;
        demo::load_fleet(c, sub, from.and_utc().timestamp(), days, 3_000)
    })
    .unwrap();
    let query = format!(
        "{}&detailLevel=day&groupBy=appId,project,resource,billingTag",
        usage_test_clock::range(from, from + chrono::TimeDelta::days(days))
    );
    let location = create_report(&a.base, &token, &query).await;
    let id = location.split('/').nth(5).unwrap().to_owned();
    // Replica A is writing it: its first attempt's partial file is there (while it is being
    // written, the report store's staged upload `….csv.part#1`).
    let part = site.path("reports").join(format!("{id}.1.csv.part"));
    let staged = site.path("reports").join(format!("{id}.1.csv.part#1"));
    let until = Instant::now() + Duration::from_secs(60);
    while !part.exists() && !staged.exists() {
        assert!(Instant::now() < until, "replica A never ran the report");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.kill();
    // Replica B never heard of it, and finishes it once A's lease has run out.
    let b = site.start(LEASE, &[]);
    let done = wait_completed(&b.base, &token, &location).await;
    let n = usage_api::reports::parse_report_id(&id).unwrap();
    let attempt: i64 = backend::one(
        &site.pool(),
        "SELECT attempt FROM reports WHERE id = ?1",
        usage_server::vals![n],
    );
    assert_eq!(attempt, 2, "A's run, then B's");
    let r = reqwest::Client::new()
        .get(format!("{}{location}", b.base).replace("/output", "/download"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert_eq!(
        csv.lines().count() as u64,
        done["rowCount"].as_u64().unwrap() + 1
    );
    assert!(
        !part.exists() && !staged.exists(),
        "the killed run's partial file is gone"
    );
}
