//! Benchmark (run by scripts/bench.sh): a report of 1,000,000 records (about 150 MB) saved to
//! disk through the portal in headless Chromium, with the rate and the growth of the page's
//! wasm memory. Targets: at least 100 MB/s, at most 8 MB of wasm memory growth.

use serde_json::Value;
use std::time::{Duration, Instant};
use thirtyfour::By;
use usage_e2e::{Browser, Portal};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run by scripts/bench.sh"]
async fn save_a_million_record_report() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    // One subscription metering 10,600 resources daily for 95 days: 1,007,000 result records.
    let start = usage_test_clock::midnight(usage_test_clock::month_start(portal.now, 6))
        .and_utc()
        .timestamp();
    {
        let mut pooled = portal.state.pool.get()?;
        let mut conn = pooled.conn();
        let sub: i64 = conn.one(
            "SELECT id FROM subscriptions WHERE realm_id = 'northwind' LIMIT 1",
            &[],
            |r| r.get(0),
        )?;
        usage_server::demo::load_fleet(&mut conn, sub, start, 95, 10_600)?;
    }
    let end = usage_api::Timestamp::from_unix(start + 95 * 86_400)
        .ok_or_else(|| anyhow::anyhow!("date"))?;
    let begin = usage_api::Timestamp::from_unix(start).ok_or_else(|| anyhow::anyhow!("date"))?;
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("{}/usage/realms/northwind/reports?startDate={begin}&endDate={end}&detailLevel=day&groupBy=resource", portal.base))
        .bearer_auth(&portal.token)
        .send()
        .await?
        .json()
        .await?;
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    let size = loop {
        let s = portal
            .api(&format!("/usage/realms/northwind/reports/{id}/output"))
            .await?;
        if s["status"] == "completed" {
            break s["byteSize"].as_u64().unwrap_or(0);
        }
        anyhow::ensure!(s["status"] == "inProgress", "report failed: {s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    let browser = Browser::start().await?;
    let d = &browser.driver;
    // Keep a handle on the portal's wasm memory from the moment it starts.
    browser
        .before_each_page("addEventListener('TrunkApplicationStarted', e => { window.__wasmMemory = e.detail.wasm.memory; });")
        .await?;
    d.goto(format!("{}/reports", portal.base)).await?;
    browser
        .wait_for(&format!(
            "button[aria-label='Download {id}']:not([disabled])"
        ))
        .await?;
    d.execute(
        "window.showSaveFilePicker = async (o) => (await navigator.storage.getDirectory()).getFileHandle(o.suggestedName, { create: true });",
        Vec::new(),
    )
    .await?;
    let memory = || async {
        let v = d
            .execute(
                "return window.__wasmMemory ? window.__wasmMemory.buffer.byteLength : -1;",
                Vec::new(),
            )
            .await?;
        Ok::<i64, anyhow::Error>(v.convert()?)
    };
    let before = memory().await?;
    let t = Instant::now();
    d.find(By::Css(format!("button[aria-label='Download {id}']")))
        .await?
        .click()
        .await?;
    loop {
        if let Some(n) = d.find_all(By::Css(".up-notice")).await?.first() {
            let text = n.text().await?;
            anyhow::ensure!(text.starts_with("Saved"), "{text}");
            break;
        }
        if let Some(e) = d.find_all(By::Css(".up-error")).await?.first() {
            anyhow::bail!("download failed: {}", e.text().await?);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let secs = t.elapsed().as_secs_f64();
    let after = memory().await?;
    let saved: i64 = d
        .execute_async(
            "const done = arguments[arguments.length - 1];
             navigator.storage.getDirectory().then(d => d.getFileHandle(arguments[0])).then(h => h.getFile()).then(f => done(f.size));",
            vec![Value::from(format!("{id}.csv"))],
        )
        .await?
        .convert()?;
    anyhow::ensure!(saved as u64 == size, "saved {saved} of {size} bytes");
    println!(
        "report download: {:.1} MB in {secs:.2} s = {:.0} MB/s",
        size as f64 / 1e6,
        size as f64 / 1e6 / secs
    );
    println!(
        "report download: wasm memory {before} -> {after} bytes (growth {:.1} MB)",
        (after - before) as f64 / 1e6
    );
    browser.quit().await
}
