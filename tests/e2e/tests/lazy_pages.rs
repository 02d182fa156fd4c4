//! The pages whose code the release build loads on demand (src/lazy.rs): a page whose
//! wasm cannot be fetched says so in words with a way to try again, the rest of the portal
//! keeps working, and the retry shows the page once its file can be fetched.

use std::path::{Path, PathBuf};
use thirtyfour::By;
use usage_e2e::{Browser, Portal, files_named};

/// The Billing page's wasm and its precompressed twins, which the server prefers.
fn billing_files(site: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let files = files_named(site, "split_billing_page-", "")?;
    anyhow::ensure!(
        files.len() == 3,
        "the build has no Billing page wasm of its own (build it with scripts/build-portal.sh): {files:?}"
    );
    Ok(files)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_whose_code_cannot_be_fetched_says_so_and_can_be_retried() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let site = portal.site();
    let aside = tempfile::tempdir()?;
    let files = billing_files(&site)?;
    for f in &files {
        std::fs::rename(f, aside.path().join(f.file_name().unwrap()))?;
    }

    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.goto(format!("{}/", portal.base)).await?;
    browser.wait_for("table.up-records tbody tr").await?;
    d.find(By::LinkText("Billing")).await?.click().await?;
    let error = browser.wait_for(".up-error-message").await?;
    assert!(
        error[0]
            .text()
            .await?
            .contains("This page could not be loaded."),
        "the failure is said in words"
    );
    browser.assert_accessible().await?;

    // The rest of the portal still works, including a page loaded on demand.
    d.find(By::LinkText("Reports")).await?.click().await?;
    browser.wait_for("#reports-title").await?;
    d.find(By::LinkText("Usage")).await?.click().await?;
    browser.wait_for("table.up-records tbody tr").await?;

    // A failed attempt is not remembered: once the file is back, "Try again" shows the page.
    d.find(By::LinkText("Billing")).await?.click().await?;
    browser.wait_for(".up-error-message").await?;
    for f in &files {
        std::fs::rename(aside.path().join(f.file_name().unwrap()), f)?;
    }
    d.find(By::XPath("//button[normalize-space()='Try again']"))
        .await?
        .click()
        .await?;
    browser.wait_for("#billing-title").await?;
    assert!(
        d.find_all(By::Css(".up-error-message")).await?.is_empty(),
        "the error is gone"
    );
    // The browser reports the failed fetches; nothing else may be logged.
    browser
        .assert_no_console_errors_but(&["split_billing_page-", "split-loader-"])
        .await?;
    browser.quit().await
}

/// Runs before the page's own scripts: notes when the first row of the Usage page's table is
/// put in the document (ms from navigation start, as resource timings count).
const NOTE_FIRST_ROW: &str = r#"
new MutationObserver((_, observer) => {
  if (!document.querySelector('table.up-records tbody tr')) return;
  observer.disconnect();
  window.__firstRowAt = performance.now();
}).observe(document, { childList: true, subtree: true });
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_usage_pages_parts_are_fetched_after_its_first_table() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let browser = Browser::start().await?;
    browser.before_each_page(NOTE_FIRST_ROW).await?;
    browser.driver.goto(format!("{}/", portal.base)).await?;
    browser.wait_for_usage_page().await?;
    let first_row: f64 = browser
        .driver
        .execute("return window.__firstRowAt;", Vec::new())
        .await?
        .convert()?;
    // Every part of the page (its loader, filter bar, totals, chart and the chunks they
    // share): when each was asked for.
    let parts: Vec<(String, f64)> = browser
        .driver
        .execute(
            "return performance.getEntriesByType('resource')
               .filter(e => /\\/(split-loader|split_|chunk_)[^/]*$/.test(e.name))
               .map(e => [e.name, e.startTime]);",
            Vec::new(),
        )
        .await?
        .convert()?;
    for part in ["split-loader-", "split_filter_bar-", "split_usage_summary-"] {
        assert!(
            parts.iter().any(|(name, _)| name.contains(part)),
            "the page fetched its {part}* file: {parts:?}"
        );
    }
    for (name, asked) in &parts {
        assert!(
            *asked >= first_row,
            "{name} was asked for at {asked:.0} ms, before the first row was in the table at {first_row:.0} ms"
        );
    }
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

/// Every frame from the first row on, for ten seconds: where the table's first row is (px from
/// the page's top), each time that changes.
const TRACK_FIRST_ROW: &str = r#"
window.__rowTops = [];
new MutationObserver((_, observer) => {
  if (!document.querySelector('table.up-records tbody tr')) return;
  observer.disconnect();
  const until = performance.now() + 10000;
  const track = () => {
    const row = document.querySelector('table.up-records tbody tr');
    if (row) {
      const top = Math.round(row.getBoundingClientRect().top + scrollY);
      if (window.__rowTops.at(-1) !== top) window.__rowTops.push(top);
    }
    if (performance.now() < until) requestAnimationFrame(track);
  };
  track();
}).observe(document, { childList: true, subtree: true });
"#;

/// How far the table may move as the parts above it arrive: their places are kept at their
/// usual size, which the totals of another set of units, say, miss by a row (here they miss by
/// about 14 px, at every width).
const MOVE_ALLOWED_PX: i64 = 24;

#[tokio::test(flavor = "multi_thread")]
async fn the_first_table_stays_where_it_is_drawn_while_the_parts_above_it_arrive()
-> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    for width in [1280, 800, 375] {
        let browser = Browser::start().await?;
        browser.driver.set_window_rect(0, 0, width, 900).await?;
        first_table_stays(&browser, &portal, width).await?;
        browser.quit().await?;
    }
    Ok(())
}

async fn first_table_stays(browser: &Browser, portal: &Portal, width: u32) -> anyhow::Result<()> {
    browser.before_each_page(TRACK_FIRST_ROW).await?;
    browser
        .driver
        .goto(format!("{}/?detailLevel=day", portal.base))
        .await?;
    browser.wait_for_usage_page().await?;
    // Everything above the table is drawn: the totals, the chart's canvas and its legend.
    browser.wait_for(".up-totals").await?;
    browser.wait_for(".up-chart canvas").await?;
    browser.wait_for(".up-legend li").await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let tops: Vec<i64> = browser
        .driver
        .execute("return window.__rowTops;", Vec::new())
        .await?
        .convert()?;
    let first = *tops
        .first()
        .ok_or_else(|| anyhow::anyhow!("no first row seen"))?;
    let furthest = tops.iter().map(|t| (t - first).abs()).max().unwrap_or(0);
    assert!(
        furthest <= MOVE_ALLOWED_PX,
        "{width} px wide, the table moved {furthest} px after it was first drawn (its first \
         row's top, each time it changed: {tops:?})"
    );
    browser.assert_no_console_errors().await
}
