//! Live figures: while the range includes now, the Usage page refreshes by itself every 30 s
//! (the tab is visible in headless Chromium), without moving the reader's focus or scroll, and
//! says when it last read; the switch turns it off.

use thirtyfour::prelude::*;
use usage_e2e::{Browser, Portal};

async fn totals_text(browser: &Browser) -> anyhow::Result<String> {
    Ok(browser
        .driver
        .execute(
            "const t = document.querySelector('table.up-totals tbody'); return t ? t.textContent : '';",
            Vec::new(),
        )
        .await?
        .convert()?)
}

#[tokio::test(flavor = "multi_thread")]
async fn new_usage_appears_by_itself_and_focus_stays() -> anyhow::Result<()> {
    let portal = Portal::start(20_000).await?;
    let browser = Browser::start().await?;
    let page = portal
        .api(&format!(
            "/usage/realms/{}?startDate={}&endDate={}",
            portal.realm,
            portal.today() - chrono::Days::new(3),
            portal.today() + chrono::Days::new(1)
        ))
        .await?;
    let sub = page["items"][0]["billingSubscriptionId"]
        .as_str()
        .unwrap()
        .to_owned();
    // Today has usage even just after midnight, when the demo's records have not reached it:
    // a bucket still filling needs a figure to draw.
    let early = reqwest::Client::new()
        .post(format!("{}/usages", portal.base))
        .bearer_auth(&portal.token)
        .json(&serde_json::json!({
            "subscriptionId": sub,
            "quantity": 1,
            "usageTime": (chrono::Utc::now() - chrono::TimeDelta::seconds(30)).format("%Y-%m-%dT%H:%M:%S").to_string(),
            "id": "live-e2e-0",
        }))
        .send()
        .await?;
    assert_eq!(early.status(), 201, "{}", early.text().await?);
    // The last 30 days by day: the range includes now.
    browser
        .driver
        .goto(format!("{}/?detailLevel=day", portal.base))
        .await?;
    browser.wait_for("table.up-totals tbody tr").await?;
    let switch = browser.wait_for("#f-live").await?.remove(0);
    // Today is still filling: the chart says so in its legend.
    let legend = browser.wait_for(".up-legend-filling").await?;
    assert_eq!(legend[0].text().await?, "Still filling");
    assert!(switch.is_selected().await?, "on by default");
    let before = totals_text(&browser).await?;
    let as_of_before = browser
        .driver
        .find(By::Css(".up-asof"))
        .await?
        .text()
        .await?;

    // Someone records usage now; the reader's keyboard is on the switch.
    let at = chrono::Utc::now() - chrono::TimeDelta::minutes(1);
    let resp = reqwest::Client::new()
        .post(format!("{}/usages", portal.base))
        .bearer_auth(&portal.token)
        .json(&serde_json::json!({
            "subscriptionId": sub,
            "quantity": 777777,
            "usageTime": at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            "id": "live-e2e-1",
        }))
        .send()
        .await?;
    assert_eq!(resp.status(), 201, "{}", resp.text().await?);
    switch.focus().await?;
    let scroll: f64 = browser
        .driver
        .execute(
            "window.scrollTo(0, 120); return window.scrollY;",
            Vec::new(),
        )
        .await?
        .convert()?;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(45);
    while totals_text(&browser).await? == before {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the totals did not refresh within 45 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let focused: String = browser
        .driver
        .execute("return document.activeElement.id;", Vec::new())
        .await?
        .convert()?;
    assert_eq!(focused, "f-live", "the refresh left the focus where it was");
    let scroll_after: f64 = browser
        .driver
        .execute("return window.scrollY;", Vec::new())
        .await?
        .convert()?;
    assert_eq!(scroll_after, scroll, "and the scroll");
    let as_of_after = browser
        .driver
        .find(By::Css(".up-asof"))
        .await?
        .text()
        .await?;
    assert_ne!(as_of_after, as_of_before, "it says when it last read");

    // Off: no more requests.
    switch.click().await?;
    let asked = browser.api_requests().await?;
    tokio::time::sleep(std::time::Duration::from_secs(32)).await;
    assert_eq!(
        browser.api_requests().await?,
        asked,
        "no refresh once switched off"
    );
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
