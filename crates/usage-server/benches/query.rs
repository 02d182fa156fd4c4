//! Query latency over HTTP with a large demo database.
//!
//! `cargo bench -p usage-server --bench query` builds (once, then reuses) a database of
//! `BENCH_RECORDS` usage records (default 10,000,000) under target/bench/, starts the server on
//! loopback and times 95-day, day-level, grouped queries for one realm, in UTC and in two zones
//! (a :30 offset and a DST one). Target: p95 <= 20 ms.
//! With `BENCH_DB` (a `postgres://` URL) the database is that one instead.

use std::time::Instant;
use usage_server::{AppOptions, AppState, Bound, auth, db, demo};

mod support;

use support::{machine, percentile};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let records: u64 = std::env::var("BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir)?;
    let path = std::env::var("BENCH_DB")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| {
            dir.join(format!("usage-{records}.db"))
                .to_string_lossy()
                .into_owned()
        });
    let pool = db::off_runtime(|| db::open_url(&path, &db::PoolOptions::default()))?;
    println!("backend: {:?}", pool.backend());
    let until = usage_api::Timestamp::parse("2026-11-01")
        .map(|t| t.naive())
        .ok_or_else(|| anyhow::anyhow!("date"))?;
    let started = Instant::now();
    let p = pool.clone();
    let created = db::spawn_blocking(move || {
        demo::load(
            &p,
            &demo::DemoOptions {
                records,
                until,
                seed: 42,
            },
        )
    })
    .await??;
    if created {
        println!(
            "built {} with {records} records in {:.1} s",
            path,
            started.elapsed().as_secs_f64()
        );
    }
    let token = db::off_runtime(|| {
        auth::create_token(
            &mut pool.get()?.conn(),
            demo::PARTNER,
            auth::SCOPES,
            "bench",
        )
    })?;
    let bound = Bound::bind(
        "127.0.0.1:0".parse()?,
        AppState::new(pool, dir.join("reports"))?,
        &AppOptions::default(),
    )
    .await?;
    let base = format!("http://{}", bound.spawn());
    let client = reqwest::Client::new();

    let cases = [
        (
            "95-day, day-level, groupBy=appId,billingTag",
            "detailLevel=day&groupBy=appId,billingTag",
        ),
        (
            "95-day, day-level, groupBy=project",
            "detailLevel=day&groupBy=project",
        ),
        (
            "95-day, day-level, groupBy=appId,billingTag, Asia/Kolkata",
            "detailLevel=day&groupBy=appId,billingTag&timeZone=Asia%2FKolkata",
        ),
        (
            "95-day, day-level, groupBy=appId,billingTag, Europe/Berlin",
            "detailLevel=day&groupBy=appId,billingTag&timeZone=Europe%2FBerlin",
        ),
        ("95-day, month-level, no groupBy", "detailLevel=month"),
        ("95-day, summarized, groupBy=appId", "groupBy=appId"),
    ];
    println!("machine: {}", machine());
    println!("records: {records}");
    for (name, params) in cases {
        let mut times = Vec::new();
        for i in 0..220u64 {
            // Slide the window so every request is a different range and page.
            let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                + chrono::Days::new(i % 60 * 3);
            let end = start + chrono::Days::new(95);
            let url = format!(
                "{base}/usage/realms/northwind?startDate={start}&endDate={end}&{params}&limit=100&offset={}",
                i % 4
            );
            let t = Instant::now();
            let resp = client.get(&url).bearer_auth(&token).send().await?;
            anyhow::ensure!(resp.status().is_success(), "{url}: {}", resp.status());
            let _ = resp.bytes().await?;
            if i >= 20 {
                times.push(t.elapsed());
            }
        }
        times.sort();
        println!(
            "{name}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms ({} requests)",
            percentile(&times, 0.50).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.len()
        );
    }
    Ok(())
}
