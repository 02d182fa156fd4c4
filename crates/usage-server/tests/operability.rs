//! Operability (contract section 5), on the real binary over real HTTP: the header-read
//! timeout against slowloris, the per-token rate limit, load shedding, `/metrics` and the
//! structured request log. Every date derives from the run's clock.

mod backend;
mod process;
mod support;

use process::Site;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use support::{assert_contract_error, get};
use usage_server::demo;

/// A month of the partner's usage: a query that takes the server a moment.
fn usage_page() -> String {
    let now = usage_test_clock::now();
    format!(
        "/usage/realms/{}?{}&limit=100",
        demo::PARTNER,
        usage_test_clock::range(now - chrono::TimeDelta::days(30), now)
    )
}

/// Reads until the server closes the connection; the time it took, or None if it did not
/// within `within`.
fn closed_within(s: &mut TcpStream, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            // hyper may say 408 before it closes: read on to the end.
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return None;
            }
            // A reset is a close too.
            Err(_) => return Some(started.elapsed()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stalls_in_its_headers_is_cut_off_while_others_are_served() {
    let site = Site::new();
    let server = site.start_demo(&["--header-read-timeout-secs", "1"]);
    // Half a request line, then nothing; and a client that sends nothing at all.
    let mut half = TcpStream::connect(server.addr).unwrap();
    half.write_all(b"GET /usage/realms/nor").unwrap();
    let mut silent = TcpStream::connect(server.addr).unwrap();
    // Meanwhile the service answers everyone else.
    let (status, _, _) = get(&server.base, "/orgs/me", Some(server.token())).await;
    assert_eq!(status, 200);
    let cut = tokio::task::spawn_blocking(move || {
        (
            closed_within(&mut half, Duration::from_secs(6)),
            closed_within(&mut silent, Duration::from_secs(6)),
        )
    })
    .await
    .unwrap();
    let (half_cut, silent_cut) = cut;
    assert!(half_cut.is_some(), "a stalled request line must be cut off");
    assert!(silent_cut.is_some(), "a silent connection must be cut off");
    let (status, _, _) = get(&server.base, "/healthz", None).await;
    assert_eq!(status, 200, "still serving after cutting the slow clients");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_over_its_rate_gets_429_and_another_token_is_unaffected() {
    let site = Site::new();
    let server = site.start_demo(&["--rate-limit-per-sec", "1", "--rate-limit-burst", "3"]);
    let other = site.token("other tenant's client");
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..6 {
        let resp = get(&server.base, "/orgs/me", Some(server.token())).await;
        statuses.push(resp.0);
        if resp.0 == 429 && limited.is_none() {
            limited = Some(resp);
        }
    }
    assert_eq!(
        &statuses[..3],
        &[200, 200, 200],
        "the burst is served: {statuses:?}"
    );
    let limited = limited.unwrap_or_else(|| panic!("past the burst, a 429: {statuses:?}"));
    assert_contract_error(&limited, 429, "rateLimited");
    // Another token has a budget of its own, and the probes none at all.
    for _ in 0..3 {
        let (status, _, text) = get(&server.base, "/orgs/me", Some(&other)).await;
        assert_eq!(status, 200, "{text}");
    }
    for _ in 0..10 {
        assert_eq!(get(&server.base, "/healthz", None).await.0, 200);
    }
    // The rate refills: after its Retry-After the first token is served again.
    let wait: u64 = limited.1["retry-after"].to_str().unwrap().parse().unwrap();
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(
        get(&server.base, "/orgs/me", Some(server.token())).await.0,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_concurrency_limit_requests_are_shed_with_503_and_probes_answer() {
    let site = Site::new();
    let server = site.start_demo(&["--max-in-flight", "1", "--rate-limit-per-sec", "0"]);
    let client = reqwest::Client::new();
    let path = usage_page();
    let mut shed = None;
    // Concurrent requests over one slot: some must be refused at once, not queued.
    for _round in 0..5 {
        let tasks: Vec<_> = (0..48)
            .map(|_| {
                let (client, url, token) = (
                    client.clone(),
                    format!("{}{path}", server.base),
                    server.token().to_owned(),
                );
                tokio::spawn(async move {
                    let resp = client.get(url).bearer_auth(token).send().await.unwrap();
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    (status, headers, resp.text().await.unwrap())
                })
            })
            .collect();
        let ready = get(&server.base, "/readyz", None).await;
        assert_eq!(ready.0, 200, "the probes are never shed: {}", ready.2);
        for t in tasks {
            let resp = t.await.unwrap();
            assert!(matches!(resp.0, 200 | 503), "{}: {}", resp.0, resp.2);
            if resp.0 == 503 {
                shed.get_or_insert(resp);
            }
        }
        if shed.is_some() {
            break;
        }
    }
    let shed = shed.expect("48 concurrent requests over 1 slot: some shed");
    assert_contract_error(&shed, 503, "unavailable");
    assert_eq!(get(&server.base, "/healthz", None).await.0, 200);
}

/// The value of the series with exactly these labels, if the text has it.
fn series(text: &str, name: &str, labels: &str) -> Option<f64> {
    let prefix = format!("{name}{{{labels}}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_template_and_status() {
    let site = Site::new();
    let server = site.start_demo(&[]);
    let token = server.token();
    for _ in 0..3 {
        assert_eq!(get(&server.base, "/orgs/me", Some(token)).await.0, 200);
    }
    for id in ["no-such-record-1", "no-such-record-2"] {
        assert_eq!(
            get(&server.base, &format!("/usages/{id}"), Some(token))
                .await
                .0,
            404
        );
    }
    assert_eq!(
        get(&server.base, "/usage/no/such/path", Some(token))
            .await
            .0,
        404
    );
    // No auth needed.
    let (status, headers, text) = get(&server.base, "/metrics", None).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let count = |route: &str, status: &str| {
        series(
            &text,
            "usage_http_requests_total",
            &format!(r#"method="GET",route="{route}",status="{status}""#),
        )
    };
    assert_eq!(count("/orgs/me", "200"), Some(3.0), "{text}");
    assert_eq!(count("/usages/{id}", "404"), Some(2.0), "{text}");
    assert_eq!(count("unmatched", "404"), Some(1.0), "{text}");
    assert!(
        !text.contains("no-such-record"),
        "never the raw path: {text}"
    );
    assert_eq!(
        series(
            &text,
            "usage_http_request_duration_seconds_count",
            r#"method="GET",route="/orgs/me",status="200""#
        ),
        Some(3.0),
        "{text}"
    );
    assert!(
        text.contains("usage_http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(
        series(&text, "usage_report_queue_depth", r#"state="waiting""#).is_some(),
        "{text}"
    );
    assert!(
        text.contains("\nusage_db_pool_connections_in_use "),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_be_switched_off_or_moved_to_another_address() {
    let site = Site::new();
    let off = site.start_demo(&["--no-metrics"]);
    let resp = get(&off.base, "/metrics", None).await;
    assert_eq!(resp.0, 404, "{}", resp.2);
    assert!(
        resp.2.contains("\"notFound\""),
        "the contract's 404: {}",
        resp.2
    );
    drop(off);

    let moved = site.start_demo(&["--metrics-listen", "127.0.0.1:0"]);
    let metrics_base = moved
        .stdout
        .iter()
        .find_map(|l| l.strip_prefix("Metrics on "))
        .expect("the metrics address printed")
        .trim()
        .trim_end_matches("/metrics")
        .to_owned();
    assert_eq!(get(&moved.base, "/metrics", None).await.0, 404);
    let (status, _, text) = get(&metrics_base, "/metrics", None).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("usage_http_requests_total"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_request_log_carries_ids_route_status_and_latency_as_fields() {
    let site = Site::new();
    let server = site.start_demo_with_env(&["--log-format", "json"], &[("RUST_LOG", "info")]);
    let resp = reqwest::Client::new()
        .get(format!("{}/usages/rec-424242", server.base))
        .bearer_auth(server.token())
        .header("X-Request-ID", "trace me \"please\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let correlation = resp.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let until = Instant::now() + Duration::from_secs(5);
    let line = loop {
        let found = server
            .log
            .lock()
            .unwrap()
            .iter()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|v| v["correlation_id"] == correlation.as_str());
        if let Some(v) = found {
            break v;
        }
        assert!(
            Instant::now() < until,
            "no JSON line with the correlation id {correlation}: {:?}",
            server.log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(line["message"], "served", "{line}");
    assert_eq!(line["method"], "GET", "{line}");
    assert_eq!(line["route"], "/usages/{id}", "{line}");
    assert_eq!(line["status"], 404, "{line}");
    assert!(line["latency_ms"].as_f64().is_some(), "{line}");
    assert!(
        line["request_id"].as_str().unwrap().contains("trace me"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_its_timeout_is_a_503_and_a_retry_gets_the_record_once() {
    let site = Site::new();
    let server = site.start_demo(&["--request-timeout-secs", "1"]);
    let token = site.token("timeout");
    let sub = site.subscription("SUB-OPS-TIMEOUT");
    let at = support::an_hour_ago();
    let body = support::recording(&sub, at, "slow-one");
    // The test holds the lock the recording needs (SQLite's write lock, whose busy timeout is
    // 5 s; PostgreSQL's on the subscription): it waits longer than the request may take.
    let lock = backend::hold_write_lock(&site.db, &sub);
    let started = Instant::now();
    let resp = reqwest::Client::new()
        .post(format!("{}/usages", server.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let answer = (status, headers, resp.text().await.unwrap());
    assert_contract_error(&answer, 503, "unavailable");
    assert!(
        took < Duration::from_secs(3),
        "answered at the 1 s timeout: {took:?}"
    );
    // Reads go on meanwhile (WAL): the timeout cut one slow request, not the service.
    assert_eq!(get(&server.base, "/orgs/me", Some(&token)).await.0, 200);
    lock.release();
    // The client retries with the same id: one record, whether the first attempt went through
    // after all or not.
    let client = reqwest::Client::new();
    let (status, rec) = support::post(&client, &server.base, &token, &body)
        .await
        .unwrap();
    assert!(matches!(status, 200 | 201), "{status}: {rec}");
    let (status, again) = support::post(&client, &server.base, &token, &body)
        .await
        .unwrap();
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, rec);
    assert_eq!(
        support::billable_via_api(&server.base, &token, &sub, support::day_of(at)).await,
        1_000
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_download_read_slowly_outlives_the_request_timeout() {
    let site = Site::new();
    let server = site.start_demo(&["--request-timeout-secs", "1"]);
    let now = usage_test_clock::now();
    let path = format!(
        "/usage/realms/{}/csv?{}&detailLevel=hour",
        demo::PARTNER,
        usage_test_clock::range(now - chrono::TimeDelta::days(20), now)
    );
    let mut resp = reqwest::Client::new()
        .get(format!("{}{path}", server.base))
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Read it over more than the request timeout.
    let started = Instant::now();
    let mut bytes = 0;
    let mut first = true;
    while let Some(chunk) = resp.chunk().await.unwrap() {
        bytes += chunk.len();
        if first {
            first = false;
            tokio::time::sleep(Duration::from_millis(1_500)).await;
        }
    }
    assert!(started.elapsed() > Duration::from_secs(1));
    assert!(bytes > 0);
}
