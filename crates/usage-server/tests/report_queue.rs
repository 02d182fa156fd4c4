//! The report queue under load and faults, over real HTTP on a real SQLite file: a per-realm
//! cap with 429, fair turns between realms, retention, a deadline per run, and attempts that
//! survive `kill -9` of the real server process.

mod backend;
mod process;
mod support;

use chrono::{NaiveDateTime, TimeDelta};
use process::Site;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{Db, first_subscription, serve};
use usage_server::reports::{ReportOptions, Reports};
use usage_server::{AppOptions, AppState, db, demo};
use usage_test_clock::{midnight, months_ago, now, range};

/// Days of the fleet data behind the large reports.
const FLEET_DAYS: i64 = 90;

/// Where the fleet data starts: `FLEET_DAYS` whole days before the run's day.
fn fleet_start() -> NaiveDateTime {
    midnight(now().date()) - TimeDelta::days(FLEET_DAYS)
}

/// A report large enough to be caught in progress: every vehicle, every day.
fn large_report() -> String {
    let from = fleet_start();
    format!(
        "{}&detailLevel=day&groupBy=appId,project,resource,billingTag",
        range(from, from + TimeDelta::days(FLEET_DAYS))
    )
}

/// A report that takes a moment: one day of one realm, summarized.
fn small_report() -> String {
    let day = midnight(months_ago(1));
    format!(
        "{}&detailLevel=summarized",
        range(day, day + TimeDelta::days(1))
    )
}

/// Adds `resources` vehicles metered daily over the fleet days to the partner's first
/// subscription: `resources × FLEET_DAYS` rows in a day-level report by resource.
fn load_fleet(pool: &db::Pool, resources: i64) {
    let start = fleet_start().and_utc().timestamp();
    backend::run(pool, |c| {
        let sub = first_subscription(c);
        demo::load_fleet(c, sub, start, FLEET_DAYS, resources)
    })
    .unwrap();
}

/// A server on this test's runtime over a fresh database in `dir`.
struct Server {
    base: String,
    /// The partner's token (all scopes).
    token: String,
    /// The unrelated org's token (all scopes).
    contoso: String,
    pool: db::Pool,
    reports: PathBuf,
    _dir: tempfile::TempDir,
}

async fn start(options: ReportOptions, fleet: i64) -> Server {
    let db = Db::with_demo(midnight(now().date()), 11).await;
    if fleet > 0 {
        load_fleet(&db.pool, fleet);
    }
    let token = db.token(demo::PARTNER);
    let contoso = db.token(demo::FOREIGN);
    let reports = db.reports();
    let state = AppState {
        reports: Reports::with_options(reports.clone(), options).unwrap(),
        ..db.state()
    };
    let addr = serve(state, &AppOptions::default()).await;
    Server {
        base: format!("http://{addr}"),
        token,
        contoso,
        pool: db.pool,
        reports,
        _dir: db.dir,
    }
}

async fn post_report(base: &str, token: &str, realm: &str, query: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/usage/realms/{realm}/reports?{query}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Creates a report and returns its status path; fails unless 201.
async fn create(base: &str, token: &str, realm: &str, query: &str) -> String {
    let resp = post_report(base, token, realm, query).await;
    let status = resp.status();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(status, 201, "{realm}: {}", resp.text().await.unwrap());
    location.unwrap()
}

async fn get(base: &str, token: &str, path: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Polls a report's status until it is final, for at most `limit`.
async fn wait_final(base: &str, token: &str, location: &str, limit: Duration) -> Value {
    let until = Instant::now() + limit;
    loop {
        let (status, body) = get(base, token, location).await;
        assert_eq!(status, 200, "{location}: {body}");
        if body["status"] != "inProgress" {
            return body;
        }
        assert!(
            Instant::now() < until,
            "{location} still in progress: {body}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn report_number(location: &str) -> i64 {
    let public = location.split('/').nth(5).unwrap();
    usage_api::reports::parse_report_id(public).unwrap()
}

/// The runs' partial files in the report folder, by the name they are written as: while a
/// run writes, its upload is the store's staged file `REPORT-n.attempt.csv.part#k`.
fn part_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .map(|n| match n.rsplit_once('#') {
                    Some((name, k)) if k.bytes().all(|b| b.is_ascii_digit()) => name.to_owned(),
                    _ => n,
                })
                .filter(|n| n.ends_with(".part"))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_realm_over_its_cap_gets_429_and_its_backlog_never_holds_another_realm_up() {
    let s = start(
        ReportOptions {
            workers: 2,
            max_in_progress: 5,
            ..ReportOptions::default()
        },
        1_500,
    )
    .await;
    let mut backlog = Vec::new();
    for _ in 0..5 {
        backlog.push(create(&s.base, &s.token, demo::PARTNER, &large_report()).await);
    }

    // The sixth: refused, with when to ask again and the contract's body in words.
    let resp = post_report(&s.base, &s.token, demo::PARTNER, &large_report()).await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp
        .headers()
        .get("retry-after")
        .expect("Retry-After on a 429")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!(retry >= 1);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "rateLimited", "{body}");
    assert!(!body["message"].as_str().unwrap().is_empty(), "{body}");
    let why = body["description"].as_str().unwrap();
    assert!(
        why.contains("5 reports in progress") && why.contains(demo::PARTNER),
        "says why: {why}"
    );
    assert_eq!(body["fields"], Value::Array(Vec::new()));
    let (_, list) = get(
        &s.base,
        &s.token,
        "/usage/realms/northwind/reports?limit=100",
    )
    .await;
    assert_eq!(list["total"], 5, "the refused report was not stored");

    // Another realm is not held up: its report is taken at the next free turn, ahead of the
    // first realm's backlog, and completes while that backlog still waits.
    let theirs = create(&s.base, &s.contoso, demo::FOREIGN, &small_report()).await;
    let done = wait_final(&s.base, &s.contoso, &theirs, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "completed", "{done}");
    let mut still_waiting = 0;
    for location in &backlog {
        let (_, b) = get(&s.base, &s.token, location).await;
        if b["status"] == "inProgress" {
            still_waiting += 1;
        }
    }
    assert!(
        still_waiting >= 3,
        "contoso's report had to wait for northwind's backlog: only {still_waiting} of 5 were left"
    );

    // And the backlog itself completes, one after another.
    for location in &backlog {
        let b = wait_final(&s.base, &s.token, location, Duration::from_secs(300)).await;
        assert_eq!(b["status"], "completed", "{b}");
    }
    let location = create(&s.base, &s.token, demo::PARTNER, &small_report()).await;
    assert!(
        location.contains("/reports/REPORT-"),
        "room again once done"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_past_their_retention_are_deleted_with_their_files() {
    let s = start(
        ReportOptions {
            sweep_interval: Duration::from_millis(200),
            ..ReportOptions::default()
        },
        0,
    )
    .await;
    let old = create(&s.base, &s.token, demo::PARTNER, &small_report()).await;
    let fresh = create(&s.base, &s.token, demo::PARTNER, &small_report()).await;
    for l in [&old, &fresh] {
        let b = wait_final(&s.base, &s.token, l, Duration::from_secs(60)).await;
        assert_eq!(b["status"], "completed", "{b}");
    }
    let (old_n, fresh_n) = (report_number(&old), report_number(&fresh));
    let file = |n: i64| {
        s.reports
            .join(format!("{}.csv", usage_api::reports::report_id(n)))
    };
    assert!(file(old_n).exists() && file(fresh_n).exists());

    // Requested and finished eight days ago, one day past the default retention of seven.
    backend::exec(
        &s.pool,
        "UPDATE reports SET created = created - 8 * 86400, finished = finished - 8 * 86400
         WHERE id = ?1",
        usage_server::vals![old_n],
    );
    // Requested eight days ago but finished just now (it waited long): it gets its whole
    // retention period from when it was ready.
    backend::exec(
        &s.pool,
        "UPDATE reports SET created = created - 8 * 86400 WHERE id = ?1",
        usage_server::vals![fresh_n],
    );
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = get(&s.base, &s.token, &old).await;
        if status == 404 {
            assert_eq!(body["code"], "notFound", "{body}");
            break;
        }
        assert!(Instant::now() < until, "still there: {status} {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!file(old_n).exists(), "the file goes with the report");
    let download = old.replace("/output", "/download");
    assert_eq!(get(&s.base, &s.token, &download).await.0, 404);
    let (_, list) = get(
        &s.base,
        &s.token,
        "/usage/realms/northwind/reports?limit=100",
    )
    .await;
    assert_eq!(list["total"], 1, "{list}");

    // A report within its retention stays, file and all (the sweep that took the old one
    // has looked at it too).
    let (status, body) = get(&s.base, &s.token, &fresh).await;
    assert_eq!((status, &body["status"]), (200, &Value::from("completed")));
    assert!(file(fresh_n).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_past_its_deadline_is_stopped_and_fails_after_its_attempts() {
    let s = start(
        ReportOptions {
            workers: 1,
            deadline: Duration::from_millis(300),
            max_attempts: 2,
            ..ReportOptions::default()
        },
        1_500,
    )
    .await;
    let location = create(&s.base, &s.token, demo::PARTNER, &large_report()).await;
    let started = Instant::now();
    let done = wait_final(&s.base, &s.token, &location, Duration::from_secs(60)).await;
    assert_eq!(done["status"], "failed", "{done}");
    let error = done["error"].as_str().unwrap();
    assert!(
        error.contains("did not finish within 300 milliseconds"),
        "{error}"
    );
    let attempts: i64 = backend::one(
        &s.pool,
        "SELECT attempt FROM reports WHERE id = ?1",
        usage_server::vals![report_number(&location)],
    );
    assert_eq!(attempts, 2);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "stopped, not run to the end"
    );
    assert!(part_files(&s.reports).is_empty());
    // The worker is free again for the next report.
    let next = create(&s.base, &s.token, demo::PARTNER, &small_report()).await;
    let b = wait_final(&s.base, &s.token, &next, Duration::from_secs(60)).await;
    assert_eq!(b["status"], "completed", "{b}");
}

/// Its log at info, beside the test's output, for a run that goes wrong.
const LOG: &[(&str, &str)] = &[("RUST_LOG", "info")];

/// A short report lease: a killed server's run is known lost a second after the kill.
const LEASE: &[&str] = &["--report-lease-secs", "1"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_generation_three_times_fails_the_report_without_a_loop_or_a_file() {
    let site = Site::new();
    let reports = site.path("reports");
    let server = site.start_demo_with_env(&[], LOG);
    let token = server.token().to_owned();
    server.kill();
    // Enough vehicles that a run takes seconds, so each kill lands in the middle of one.
    load_fleet(&site.pool(), 3_000);

    let mut server = site.start(LEASE, LOG);
    let location = create(&server.base, &token, demo::PARTNER, &large_report()).await;
    let n = report_number(&location);
    let prefix = format!("{}.", usage_api::reports::report_id(n));
    let db_row = || -> (String, i64) {
        backend::run(&site.pool(), |c| {
            c.one(
                "SELECT status, attempt FROM reports WHERE id = ?1",
                usage_server::vals![n],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .unwrap()
    };
    for round in 1..=3 {
        // This attempt's partial file is there: its run is writing it right now.
        let part = format!("{prefix}{round}.csv.part");
        let until = Instant::now() + Duration::from_secs(60);
        while !part_files(&reports).contains(&part) {
            assert!(
                Instant::now() < until,
                "round {round}: the report never ran"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill();
        let (status, attempt) = db_row();
        assert_eq!(
            (status.as_str(), attempt),
            ("inProgress", round),
            "round {round}: killed in the middle of attempt {round}"
        );
        server = site.start(LEASE, LOG);
    }

    // Every attempt was cut short: the report fails, in words, and is not run a fourth time.
    let done = wait_final(&server.base, &token, &location, Duration::from_secs(60)).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert!(
        done["error"]
            .as_str()
            .unwrap()
            .contains("interrupted 3 times"),
        "{done}"
    );
    assert!(done.get("downloadUrl").is_none_or(Value::is_null));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(db_row(), ("failed".to_owned(), 3), "no fourth attempt");
    server.kill();

    // Nor after yet another start: no crash loop, and nothing left behind.
    let server = site.start(&[], LOG);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (status, body) = get(&server.base, &token, &location).await;
    assert_eq!((status, &body["status"]), (200, &Value::from("failed")));
    assert_eq!(db_row(), ("failed".to_owned(), 3));
    assert!(
        part_files(&reports).is_empty(),
        "{:?}",
        part_files(&reports)
    );
    assert!(!reports.join(format!("{prefix}csv")).exists());
    server.kill();
}
