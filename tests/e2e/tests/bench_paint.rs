//! Benchmark (run by scripts/bench.sh, not by the test suite): time from navigation to the
//! first paint of the Usage page's table, in headless Chromium on loopback, with the release
//! build. Target: at most 300 ms.

use usage_e2e::{Browser, Portal};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run by scripts/bench.sh"]
async fn first_table_paint() -> anyhow::Result<()> {
    let records: u64 = std::env::var("BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300_000);
    let portal = Portal::start(records).await?;
    let browser = Browser::start().await?;
    let mut times = Vec::new();
    for i in 0..12 {
        // A different page size each time, so no answer comes from the HTTP cache.
        browser
            .driver
            .goto(format!("{}/?detailLevel=day&limit={}", portal.base, 80 + i))
            .await?;
        browser.wait_for("table.up-records tbody tr").await?;
        let mut ms = None;
        for _ in 0..50 {
            let v = browser
                .driver
                .execute("const e = performance.getEntriesByName('usage-table-painted'); return e.length ? e[0].startTime : null;", Vec::new())
                .await?;
            if let Some(x) = v.json().as_f64() {
                ms = Some(x);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        times.push(ms.ok_or_else(|| anyhow::anyhow!("no paint mark"))?);
    }
    let cold = times[0];
    let mut warm = times[1..].to_vec();
    warm.sort_by(f64::total_cmp);
    println!("records: {records}");
    println!("first table paint, cold cache: {cold:.0} ms");
    println!(
        "first table paint, warm cache: median {:.0} ms, worst {:.0} ms ({} loads)",
        warm[warm.len() / 2],
        warm[warm.len() - 1],
        warm.len()
    );
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
