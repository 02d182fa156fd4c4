//! The usage explorer: filters, URL state, totals, chart and validation, in headless Chromium.

use serde_json::Value;
use std::collections::BTreeMap;
use thirtyfour::By;
use usage_e2e::{Browser, Portal, plain_number};

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The API query matching what the page's URL asks for (dates filled in as the page shows).
fn api_query(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(':', "%3A")))
        .collect::<Vec<_>>()
        .join("&")
}

async fn shown_column(browser: &Browser, heading: &str) -> anyhow::Result<Vec<String>> {
    let headers = browser.table_headers().await?;
    let i = headers
        .iter()
        .position(|h| h == heading)
        .ok_or_else(|| anyhow::anyhow!("no column {heading} in {headers:?}"))?;
    Ok(browser
        .table_rows()
        .await?
        .into_iter()
        .map(|r| r[i].clone())
        .collect())
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_drive_url_table_totals_and_chart() -> anyhow::Result<()> {
    let portal = Portal::start(60_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.goto(format!("{}/?limit=25", portal.base)).await?;
    browser.wait_for_usage_page().await?;
    let before_rows = browser.table_rows().await?;

    // The page opens on usage over time by day: its first table has the Time column.
    assert!(
        browser
            .table_headers()
            .await?
            .iter()
            .any(|h| h.starts_with("Time")),
        "{:?}",
        browser.table_headers().await?
    );
    // Detail level and groupBy through the form, as a person would.
    d.find(By::Css("#f-detailLevel")).await?.click().await?;
    d.find(By::Css("#f-detailLevel option[value=month]"))
        .await?
        .click()
        .await?;
    browser
        .wait_until("the URL has detailLevel=month", || async {
            Ok(param(&browser.url_params().await?, "detailLevel") == Some("month"))
        })
        .await?;
    d.find(By::Css("#g-appId")).await?.click().await?;
    browser
        .wait_until("the URL has groupBy=appId", || async {
            Ok(param(&browser.url_params().await?, "groupBy") == Some("appId"))
        })
        .await?;
    browser.wait_for("table.up-records thead th").await?;
    browser
        .wait_until("the App column appears", || async {
            Ok(browser.table_headers().await?.contains(&"App".to_owned()))
        })
        .await?;

    // The page's URL is the query: the API answers it with what the table shows.
    let params = browser.url_params().await?;
    assert!(
        param(&params, "startDate").is_some() && param(&params, "endDate").is_some(),
        "{params:?}"
    );
    let api = portal
        .api(&format!(
            "/usage/realms/{}?{}",
            portal.realm,
            api_query(&params)
        ))
        .await?;
    let want_apps: Vec<String> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["appId"].as_str().unwrap().to_owned())
        .collect();
    let want_usage: Vec<String> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["usageValue"].as_str().unwrap().to_owned())
        .collect();
    browser
        .wait_until("the table shows the API's page", || async {
            Ok(shown_column(&browser, "App").await? == want_apps
                && shown_column(&browser, "Usage")
                    .await?
                    .iter()
                    .map(|s| plain_number(s))
                    .collect::<Vec<_>>()
                    == want_usage)
        })
        .await?;

    // Totals per unit equal the API's summarized sums.
    let range: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k == "startDate" || k == "endDate")
        .cloned()
        .collect();
    let summary = portal
        .api(&format!(
            "/usage/realms/{}?{}&limit=100",
            portal.realm,
            api_query(&range)
        ))
        .await?;
    let mut want: BTreeMap<String, i64> = BTreeMap::new();
    for i in summary["items"].as_array().unwrap() {
        let q = usage_api::Quantity::parse(i["usageValue"].as_str().unwrap()).unwrap();
        *want
            .entry(i["valueDriver"].as_str().unwrap().to_owned())
            .or_default() += q.milli();
    }
    let shown: Vec<Vec<String>> = d
        .execute(
            "return Array.from(document.querySelectorAll('table.up-totals tbody tr')).map(tr => Array.from(tr.children).map(c => c.textContent.trim()));",
            Vec::new(),
        )
        .await?
        .convert()?;
    let shown: BTreeMap<String, i64> = shown
        .iter()
        .map(|r| {
            (
                r[0].clone(),
                usage_api::Quantity::parse(&plain_number(&r[1]))
                    .unwrap()
                    .milli(),
            )
        })
        .collect();
    assert_eq!(shown, want, "totals per unit");

    // The chart drew on its canvas.
    browser.wait_for(".up-chart canvas").await?;
    let painted: u64 = d
        .execute(
            "const c = document.querySelector('.up-chart canvas');
             const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             let n = 0; for (let i = 0; i < px.length; i += 4) { if (px[i] < 240 || px[i+1] < 240 || px[i+2] < 240) n++; }
             return n;",
            Vec::new(),
        )
        .await?
        .convert()?;
    assert!(
        painted > 2_000,
        "the chart canvas has drawn pixels ({painted})"
    );
    browser.assert_accessible().await?;

    // Back restores the previous view: no grouping, and the rows before it.
    d.back().await?;
    browser
        .wait_until("back removes groupBy", || async {
            Ok(param(&browser.url_params().await?, "groupBy").is_none())
        })
        .await?;
    browser
        .wait_until("the App column goes", || async {
            Ok(!browser.table_headers().await?.contains(&"App".to_owned()))
        })
        .await?;
    let checked: Value = d
        .execute(
            "return document.querySelector('#g-appId').checked;",
            Vec::new(),
        )
        .await?
        .json()
        .clone();
    assert_eq!(checked, Value::Bool(false), "the form follows the URL");
    d.back().await?;
    browser
        .wait_until("back again shows the first view", || async {
            Ok(browser.table_rows().await? == before_rows)
        })
        .await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_date_range_is_refused_at_the_field_without_a_request() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.goto(format!("{}/", portal.base)).await?;
    browser.wait_for_usage_page().await?;
    let url_before = d.current_url().await?;
    let requests_before = browser.api_requests().await?;

    // Range rules need no data: a start 100 days back, and an end before it.
    let from = portal.today() - chrono::Days::new(100);
    let day = |n: u64| (from + chrono::Days::new(n)).to_string();
    browser.set_value("#f-from", &from.to_string()).await?;
    browser
        .set_value("#f-to", &(from - chrono::Days::new(9)).to_string())
        .await?;
    d.find(By::Css(".up-filters button[type=submit]"))
        .await?
        .click()
        .await?;
    let error = browser.wait_for("#to-error").await?;
    browser
        .wait_until("the end date shows its error", || async {
            Ok(!error[0].text().await?.is_empty())
        })
        .await?;
    assert!(error[0].text().await?.contains("later than startDate"));
    assert_eq!(
        d.find(By::Css("#f-to"))
            .await?
            .attr("aria-invalid")
            .await?
            .as_deref(),
        Some("true")
    );

    // 97 days (the end day is included) is refused too, with the contract's words.
    browser.set_value("#f-to", &day(96)).await?;
    d.find(By::Css(".up-filters button[type=submit]"))
        .await?
        .click()
        .await?;
    browser
        .wait_until("the 95-day rule is shown", || async {
            Ok(error[0].text().await?.contains("95 days"))
        })
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        browser.api_requests().await?,
        requests_before,
        "no request was sent"
    );
    assert_eq!(
        d.current_url().await?,
        url_before,
        "the view did not change"
    );

    // Fixed (95 days), it applies.
    browser.set_value("#f-to", &day(94)).await?;
    d.find(By::Css(".up-filters button[type=submit]"))
        .await?
        .click()
        .await?;
    browser
        .wait_until("the URL takes the range", || async {
            Ok(param(&browser.url_params().await?, "endDate")
                == Some(format!("{}T00:00:00", day(95)).as_str()))
        })
        .await?;
    browser.assert_accessible().await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
