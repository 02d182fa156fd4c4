//! "Records behind this number" (contract section 9) in headless Chromium, as a person uses
//! it: from a row of the Usage page to the raw records behind it, which add up to the row's
//! figure, and back.

use thirtyfour::prelude::*;
use usage_e2e::{Browser, Portal, plain_number};

#[tokio::test(flavor = "multi_thread")]
async fn a_row_opens_the_records_that_add_up_to_it() -> anyhow::Result<()> {
    let portal = Portal::start(20_000).await?;
    let browser = Browser::start().await?;
    let today = portal.today();
    let start = today - chrono::Days::new(20);
    let query = format!(
        "startDate={start}&endDate={}&detailLevel=day&groupBy=appId&timeZone=Europe%2FBerlin&limit=10",
        today - chrono::Days::new(2)
    );
    browser
        .driver
        .goto(format!("{}/?{query}", portal.base))
        .await?;
    browser.wait_for("table.up-records tbody tr").await?;
    let headers = browser.table_headers().await?;
    assert_eq!(headers.last().map(String::as_str), Some("Records"));
    let api = portal
        .api(&format!("/usage/realms/{}?{query}", portal.realm))
        .await?;
    let row = &api["items"][0];
    let usage_col = headers.iter().position(|h| h == "Usage").unwrap();
    let shown_usage = browser.table_rows().await?[0][usage_col].clone();
    assert_eq!(
        plain_number(&shown_usage),
        row["usageValue"].as_str().unwrap()
    );

    // The first row's link, reached and followed by keyboard.
    let link = browser
        .driver
        .find(By::Css("table.up-records tbody tr:first-child a"))
        .await?;
    link.focus().await?;
    link.send_keys(Key::Enter).await?;
    browser.wait_for("table.up-records-behind tbody tr").await?;
    let url = browser.driver.current_url().await?;
    assert!(url.path().ends_with("/records"), "{url}");
    let params = browser.url_params().await?;
    let param = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(param("billingSubscriptionId"), row["billingSubscriptionId"]);
    assert_eq!(param("appId"), row["appId"]);
    assert_eq!(param("timeZone"), "Europe/Berlin");

    // The records the page shows are the API's, newest first, and add up to the row.
    let api_query: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "usageValue" | "billableValue" | "unit"))
        .cloned()
        .collect();
    let records = portal
        .api(&format!(
            "/usage/realms/{}/records?{}",
            portal.realm,
            serde_urlencoded::to_string(&api_query)?
        ))
        .await?;
    let shown_ids: Vec<String> = browser
        .driver
        .execute(
            "return Array.from(document.querySelectorAll('table.up-records-behind tbody tr')).map(tr => tr.cells[0].textContent);",
            Vec::new(),
        )
        .await?
        .convert()?;
    let api_ids: Vec<String> = records["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(shown_ids, api_ids);
    let line = browser
        .driver
        .find(By::Css(".up-drill-sum"))
        .await?
        .text()
        .await?;
    assert!(line.ends_with("the figure you came from."), "{line}");
    assert!(
        line.contains(&format!("{shown_usage} ")),
        "{line} names {shown_usage}"
    );
    browser.assert_accessible().await?;

    // Back closes it.
    browser.driver.back().await?;
    browser.wait_for("table.up-records tbody tr").await?;
    assert!(browser.driver.current_url().await?.path().ends_with('/'));
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
