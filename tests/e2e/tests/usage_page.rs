//! The Usage page against the real server, in headless Chromium.

use thirtyfour::prelude::*;
use usage_e2e::{Browser, Portal, api_rows};

#[tokio::test(flavor = "multi_thread")]
async fn rows_from_the_database_appear_and_paging_changes_url_and_rows() -> anyhow::Result<()> {
    let portal = Portal::start(60_000).await?;
    let browser = Browser::start().await?;
    let today = portal.today();
    let start = today - chrono::Days::new(60);
    let query = format!(
        "startDate={start}&endDate={}&detailLevel=day&limit=10",
        today + chrono::Days::new(1)
    );

    browser
        .driver
        .goto(format!("{}/?{query}", portal.base))
        .await?;
    browser.wait_for_usage_page().await?;
    let api0 = portal
        .api(&format!("/usage/realms/{}?{query}", portal.realm))
        .await?;
    let headers = browser.table_headers().await?;
    assert!(
        headers.contains(&"Time (UTC)".to_owned()),
        "day detail shows the bucket: {headers:?}"
    );
    let rows0 = browser.shown_rows().await?;
    assert_eq!(rows0.len(), 10);
    assert_eq!(rows0, api_rows(&api0));
    // The first requests start as soon as config.json is read, before the page exists; the
    // page takes their answers, so no URL is asked for twice.
    browser
        .wait_until("the totals and the chart are shown", || async {
            let chart = browser.driver.find_all(By::Css(".up-chart canvas")).await?;
            let totals = browser.driver.find_all(By::Css("table.up-totals")).await?;
            Ok(!chart.is_empty() && !totals.is_empty())
        })
        .await?;
    let asked: Vec<String> = browser
        .driver
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/usage/realms/'));",
            Vec::new(),
        )
        .await?
        .convert()?;
    let mut distinct = asked.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(asked.len(), distinct.len(), "each URL once: {asked:#?}");
    assert!(
        asked.len() >= 3,
        "the page, its totals and its chart: {asked:#?}"
    );
    let status = browser
        .driver
        .find(thirtyfour::By::Css(".up-pager-status"))
        .await?
        .text()
        .await?;
    let last = api0["lastOffset"].as_u64().unwrap();
    assert!(
        status.contains(&format!("Page 1 of {}", last + 1)),
        "{status}"
    );
    browser.assert_accessible().await?;

    // Next page, by keyboard-reachable link.
    browser
        .driver
        .find(thirtyfour::By::Css("a[rel=next]"))
        .await?
        .click()
        .await?;
    browser
        .wait_until("the URL names page 2", || async {
            Ok(browser
                .driver
                .current_url()
                .await?
                .as_str()
                .contains("offset=1"))
        })
        .await?;
    let api1 = portal
        .api(&format!("/usage/realms/{}?{query}&offset=1", portal.realm))
        .await?;
    let want1 = api_rows(&api1);
    browser
        .wait_until("the rows change to page 2", || async {
            Ok(browser.shown_rows().await? == want1)
        })
        .await?;
    assert_ne!(want1, rows0);

    // Back restores page 1.
    browser.driver.back().await?;
    browser
        .wait_until("back shows page 1 again", || async {
            Ok(browser.shown_rows().await? == rows0)
        })
        .await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_link_is_reported_and_reset_and_empty_ranges_say_so() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let browser = Browser::start().await?;
    browser
        .driver
        .goto(format!("{}/?limit=500&detailLevel=weekly", portal.base))
        .await?;
    let notice = browser.wait_for(".up-notice").await?;
    let text = notice[0].text().await?;
    assert!(
        text.contains("limit") && text.contains("detailLevel"),
        "{text}"
    );
    browser.wait_for("table.up-records tbody tr").await?;

    browser
        .driver
        .goto(format!(
            "{}/?startDate=2001-01-01&endDate=2001-02-01",
            portal.base
        ))
        .await?;
    let empty = browser.wait_for(".up-empty").await?;
    assert!(empty[0].text().await?.contains("No usage in this range"));
    browser.assert_accessible().await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
