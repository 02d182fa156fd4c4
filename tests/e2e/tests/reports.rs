//! Reports from the UI: create, watch it complete, save it to disk (an Origin Private File
//! System handle stands in for the save picker, which headless Chromium cannot show), and
//! compare the saved file byte for byte with the server's.

use serde_json::Value;
use thirtyfour::By;
use usage_e2e::{Browser, Portal};

/// Makes `showSaveFilePicker` hand out OPFS files, as a user picking a file would.
const STUB_PICKER: &str = "window.showSaveFilePicker = async (opts) => {
    const dir = await navigator.storage.getDirectory();
    window.__pickedName = opts.suggestedName;
    return dir.getFileHandle(opts.suggestedName, { create: true });
};";

#[tokio::test(flavor = "multi_thread")]
async fn create_follow_and_save_a_report() -> anyhow::Result<()> {
    let portal = Portal::start(60_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.goto(format!("{}/reports", portal.base)).await?;
    browser.wait_for("#f-from").await?;
    browser.wait_for(".up-empty").await?;
    browser.assert_accessible().await?;

    browser.fill_report_form(portal.today(), 40).await?;
    let hour_offered = d
        .find_all(By::Css("#f-detailLevel option[value=hour]"))
        .await?;
    assert!(hour_offered.is_empty(), "a report offers no hourly detail");
    // It appears, and is followed until completed.
    let id = browser.request_report().await?;
    assert!(id.starts_with("REPORT-"), "{id}");
    let status: Value = portal
        .api(&format!(
            "/usage/realms/{}/reports/{id}/output",
            portal.realm
        ))
        .await?;
    assert_eq!(status["status"], "completed");
    assert_eq!(status["parameters"]["detailLevel"], "day");

    // Save it through the UI.
    d.execute(STUB_PICKER, Vec::new()).await?;
    d.find(By::Css(format!("button[aria-label='Download {id}']")))
        .await?
        .click()
        .await?;
    browser
        .wait_until("the file is saved", || async {
            Ok(!d.find_all(By::Css(".up-notice")).await?.is_empty())
        })
        .await?;
    let notice = d.find(By::Css(".up-notice")).await?.text().await?;
    assert!(notice.starts_with(&format!("Saved {id}.csv (")), "{notice}");
    let saved: String = d
        .execute_async(
            "const done = arguments[arguments.length - 1];
             navigator.storage.getDirectory()
               .then(dir => dir.getFileHandle(arguments[0]))
               .then(h => h.getFile()).then(f => f.text()).then(done)
               .catch(e => done('ERROR ' + e));",
            vec![Value::from(format!("{id}.csv"))],
        )
        .await?
        .convert()?;
    let server_bytes = reqwest::Client::new()
        .get(format!(
            "{}/usage/realms/{}/reports/{id}/download",
            portal.base, portal.realm
        ))
        .bearer_auth(&portal.token)
        .send()
        .await?
        .text()
        .await?;
    assert!(server_bytes.len() > 1000);
    assert_eq!(
        saved, server_bytes,
        "the saved file is the server's, byte for byte"
    );

    // A reload shows the list again, from the server.
    d.refresh().await?;
    browser
        .wait_for(&format!("button[aria-label='Download {id}']"))
        .await?;
    browser.assert_accessible().await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

/// A report still being generated when the page loads is followed live, also after a reload,
/// and the page notices when it completes without being reloaded.
#[tokio::test(flavor = "multi_thread")]
async fn polling_follows_a_report_in_progress_across_a_reload() -> anyhow::Result<()> {
    let portal = Portal::start(20_000).await?;
    // A report a worker is generating (`running`, its lease held far ahead), so the queue
    // leaves it alone until the test lets it go.
    let id = {
        let conn = portal.state.pool.sqlite().expect("a SQLite pool").get()?;
        let month = |back| usage_test_clock::month_start(portal.now, back);
        let query = format!(
            "startDate={}T00%3A00%3A00&endDate={}T00%3A00%3A00&detailLevel=month&groupBy=appId",
            month(3),
            month(2)
        );
        conn.execute(
            "INSERT INTO reports (realm_id, status, query, created, attempt, running, lease_until)
             VALUES ('northwind', 'inProgress', ?1, 0, 1, 1, 4102444800)",
            [&query],
        )?;
        conn.last_insert_rowid()
    };
    let public = usage_api::reports::report_id(id);
    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.goto(format!("{}/reports", portal.base)).await?;
    browser
        .wait_for("td.up-report-status[data-status=inProgress]")
        .await?;
    d.refresh().await?;
    browser
        .wait_for("td.up-report-status[data-status=inProgress]")
        .await?;

    // Back in the queue (as a run that stopped): a worker picks it up and completes it.
    portal.state.pool.get()?.conn().exec(
        "UPDATE reports SET running = 0 WHERE id = ?1",
        usage_server::vals![id],
    )?;
    browser
        .wait_for("td.up-report-status[data-status=completed]")
        .await?;
    browser
        .wait_for(&format!(
            "button[aria-label='Download {public}']:not([disabled])"
        ))
        .await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

/// Cancelling a download midway aborts it and leaves no partial file.
#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_download_leaves_no_file() -> anyhow::Result<()> {
    let portal = Portal::start(60_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.goto(format!("{}/reports", portal.base)).await?;
    browser.wait_for("#f-from").await?;
    browser.fill_report_form(portal.today(), 90).await?;
    let id = browser.request_report().await?;

    // A slow line, so there is time to cancel.
    let cdp = d.cdp();
    cdp.send_raw("Network.enable", serde_json::json!({}))
        .await?;
    cdp.send_raw(
        "Network.emulateNetworkConditions",
        serde_json::json!({"offline": false, "latency": 20, "downloadThroughput": 16_000, "uploadThroughput": 1_000_000}),
    )
    .await?;
    d.execute(STUB_PICKER, Vec::new()).await?;
    d.find(By::Css(format!("button[aria-label='Download {id}']")))
        .await?
        .click()
        .await?;
    browser.wait_for(".up-download-progress").await?;
    browser
        .wait_until("some bytes have arrived", || async {
            let text = d
                .find(By::Css(".up-download-progress span"))
                .await?
                .text()
                .await?;
            Ok(!text.contains("starting") && !text.contains(": 0 bytes"))
        })
        .await?;
    d.find(By::Css(".up-download-progress button"))
        .await?
        .click()
        .await?;
    browser
        .wait_until("the cancel is confirmed", || async {
            Ok(match d.find_all(By::Css(".up-notice")).await?.first() {
                Some(n) => n.text().await?.contains("cancelled"),
                None => false,
            })
        })
        .await?;
    let exists: bool = d
        .execute_async(
            "const done = arguments[arguments.length - 1];
             navigator.storage.getDirectory().then(dir => dir.getFileHandle(arguments[0]))
               .then(() => done(true)).catch(() => done(false));",
            vec![Value::from(format!("{id}.csv"))],
        )
        .await?
        .convert()?;
    assert!(!exists, "the partial file was removed");
    assert!(
        d.find_all(By::Css(".up-download-progress"))
            .await?
            .is_empty()
    );
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
