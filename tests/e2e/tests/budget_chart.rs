//! A budget on the Usage page's chart, in headless Chromium against the real server: by month,
//! a quantity budget's threshold is a line on the chart of its subscription's unit, named in
//! the legend and for a screen reader; by day it is not drawn (a day's figure is not a
//! month's).

use serde_json::json;
use usage_e2e::{Browser, Portal};

#[tokio::test(flavor = "multi_thread")]
async fn a_budget_is_a_line_on_the_chart_by_month() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let subs = portal
        .api(&format!(
            "/usage/realms/{}/subscriptions?limit=1",
            portal.realm
        ))
        .await?;
    let sub = &subs["items"][0];
    let (id, unit) = (
        sub["billingSubscriptionId"].as_str().unwrap(),
        sub["valueDriver"].as_str().unwrap(),
    );
    let put = reqwest::Client::new()
        .put(format!(
            "{}/usage/realms/{}/budgets/chart-line",
            portal.base, portal.realm
        ))
        .bearer_auth(&portal.token)
        .json(&json!({"name": "Cap", "billingSubscriptionId": id, "threshold": "1234.5"}))
        .send()
        .await?;
    anyhow::ensure!(put.status() == 201, "PUT: {}", put.text().await?);

    let browser = Browser::start().await?;
    let d = &browser.driver;
    let today = portal.today();
    let start = today - chrono::Days::new(60);
    d.goto(format!(
        "{}/?startDate={start}&endDate={}&detailLevel=month",
        portal.base,
        today + chrono::Days::new(1)
    ))
    .await?;
    browser.wait_for(".up-chart canvas").await?;
    // The chart shows one unit at a time: pick the budget's.
    if let Ok(picker) = d.find(thirtyfour::By::Css("#chart-unit")).await {
        thirtyfour::components::SelectElement::new(&picker)
            .await?
            .select_by_value(unit)
            .await?;
    }
    let legend = browser.wait_for(".up-legend-budget").await?;
    let text = legend[0].text().await?;
    assert!(
        text.contains("Budget Cap") && text.contains("a month"),
        "{text}"
    );
    assert!(
        text.contains("1,234.5") || text.contains("1234.5"),
        "{text}"
    );
    let said = d
        .execute(
            "return Array.from(document.querySelectorAll('.up-chart .up-visually-hidden')).map(p => p.textContent).join(' ');",
            Vec::new(),
        )
        .await?;
    let said = said.json().as_str().unwrap_or_default().to_owned();
    assert!(
        said.contains("budget Cap at") && said.contains(unit),
        "{said}"
    );
    browser.assert_accessible().await?;

    // By day there is no budget line.
    d.goto(format!(
        "{}/?startDate={start}&endDate={}&detailLevel=day",
        portal.base,
        today + chrono::Days::new(1)
    ))
    .await?;
    browser.wait_for(".up-chart canvas").await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        d.find_all(thirtyfour::By::Css(".up-legend-budget"))
            .await?
            .is_empty(),
        "no budget line by day"
    );
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
