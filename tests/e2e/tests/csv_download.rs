//! "Download CSV" on the Usage page: the file the browser is handed is the API's CSV of the
//! whole result (every page), under the name the portal gives it. In the release build the
//! download's code is fetched at the first click (src/lazy.rs).

use serde_json::Value;
use thirtyfour::prelude::*;
use usage_e2e::{Browser, Portal};

/// Catches the file the page hands to the browser (an `<a download>` clicked with a blob URL)
/// instead of letting headless Chromium save it: its name and text go to `window.__saved`.
const CATCH_DOWNLOAD: &str = r#"
window.__saved = null;
// The file's blob, kept as the page makes its URL (the strict CSP lets no fetch read a blob:
// URL, and the page revokes it as soon as the click returns).
const blobs = new Map();
const createObjectURL = URL.createObjectURL;
URL.createObjectURL = (blob) => { const url = createObjectURL(blob); blobs.set(url, blob); return url; };
const click = HTMLAnchorElement.prototype.click;
HTMLAnchorElement.prototype.click = function () {
  if (!this.download) return click.call(this);
  const name = this.download;
  blobs.get(this.href).text()
    .then(text => { window.__saved = { name, text }; })
    .catch(e => { window.__saved = { name, text: 'ERROR ' + e }; });
};
"#;

#[tokio::test(flavor = "multi_thread")]
async fn download_csv_saves_the_apis_csv_of_the_whole_result() -> anyhow::Result<()> {
    let portal = Portal::start(20_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    let today = portal.today();
    let query = format!(
        "startDate={}&endDate={}&detailLevel=day&limit=10",
        today - chrono::Days::new(20),
        today + chrono::Days::new(1)
    );
    d.goto(format!("{}/?{query}", portal.base)).await?;
    browser.wait_for_usage_page().await?;
    d.execute(CATCH_DOWNLOAD, Vec::new()).await?;
    d.find(By::XPath("//button[normalize-space()='Download CSV']"))
        .await?
        .click()
        .await?;
    browser
        .wait_until("the file is handed to the browser", || async {
            Ok(!d
                .execute("return window.__saved;", Vec::new())
                .await?
                .json()
                .is_null())
        })
        .await?;
    let saved: Value = d
        .execute("return window.__saved;", Vec::new())
        .await?
        .json()
        .clone();
    let (name, text) = (
        saved["name"].as_str().unwrap_or_default(),
        saved["text"].as_str().unwrap_or_default(),
    );
    assert!(
        name.starts_with(&format!("usage-{}-", portal.realm)) && name.ends_with(".csv"),
        "{name}"
    );
    // The request the download made (the chart's CSV was asked for earlier), asked again of
    // the server: the same bytes.
    let asked: Vec<String> = d
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/csv?'));",
            Vec::new(),
        )
        .await?
        .convert()?;
    let url = asked.last().expect("the download asked for a CSV");
    let server = reqwest::Client::new()
        .get(url)
        .bearer_auth(&portal.token)
        .send()
        .await?
        .text()
        .await?;
    assert_eq!(text, server);
    // The whole result, not the page shown: a header and one line per record of the total.
    let page = portal
        .api(&format!("/usage/realms/{}?{query}", portal.realm))
        .await?;
    let total = page["total"].as_u64().expect("the page has a total");
    assert!(total > 10, "more records than one page: {total}");
    assert_eq!(text.lines().count() as u64, total + 1, "{name}");
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
