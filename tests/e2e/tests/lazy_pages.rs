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
    browser
        .driver
        .cdp()
        .send_raw(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": NOTE_FIRST_ROW }),
        )
        .await?;
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
