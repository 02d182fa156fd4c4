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
