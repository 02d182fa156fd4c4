//! The usage chart read by keyboard and as a table, in headless Chromium against the real
//! server: arrow keys move between buckets and series and the focused value is announced
//! (aria-live); "Show as table" gives the chart's figures as a real table.

use thirtyfour::prelude::*;
use usage_e2e::{Browser, Portal};

#[tokio::test(flavor = "multi_thread")]
async fn arrow_keys_read_the_chart_and_a_table_shows_its_figures() -> anyhow::Result<()> {
    let portal = Portal::start(20_000).await?;
    let browser = Browser::start().await?;
    let today = portal.today();
    let query = format!(
        "startDate={}&endDate={}&detailLevel=day",
        today - chrono::Days::new(7),
        today - chrono::Days::new(1)
    );
    browser
        .driver
        .goto(format!("{}/?{query}", portal.base))
        .await?;
    let chart = browser.wait_for(".up-chart-canvas").await?.remove(0);
    // A range that ended yesterday has no bucket still filling.
    assert!(
        browser
            .driver
            .find_all(By::Css(".up-legend-filling"))
            .await?
            .is_empty()
    );
    let live = browser.driver.find(By::Css(".up-chart-focus")).await?;
    assert_eq!(live.attr("aria-live").await?.as_deref(), Some("polite"));
    chart.focus().await?;
    chart.send_keys(Key::Right).await?;
    browser
        .wait_until("the first value is announced", || async {
            Ok(!live.text().await?.is_empty())
        })
        .await?;
    let first = live.text().await?;
    chart.send_keys(Key::Right).await?;
    browser
        .wait_until("the next bucket is announced", || async {
            Ok(live.text().await? != first)
        })
        .await?;
    chart.send_keys(Key::End).await?;
    chart.send_keys(Key::Down).await?;
    let last = live.text().await?;
    assert!(last.contains(": "), "{last}");

    // The same figures as a table: a row per day, a column per charge item.
    browser
        .driver
        .find(By::XPath("//button[normalize-space()='Show as table']"))
        .await?
        .click()
        .await?;
    browser.wait_for("table.up-chart-table tbody tr").await?;
    let rows: Vec<Vec<String>> = browser
        .driver
        .execute(
            "return Array.from(document.querySelectorAll('table.up-chart-table tbody tr')).map(tr => Array.from(tr.cells).map(c => c.textContent));",
            Vec::new(),
        )
        .await?
        .convert()?;
    let csv = reqwest::Client::new()
        .get(format!(
            "{}/usage/realms/{}/csv?{query}&usageFields=name,valueDriver,usageValue",
            portal.base, portal.realm
        ))
        .bearer_auth(&portal.token)
        .send()
        .await?
        .text()
        .await?;
    // The chart shows one unit at a time: the days that unit has usage on.
    let caption = browser
        .driver
        .find(By::Css("table.up-chart-table caption"))
        .await?
        .text()
        .await?;
    let unit = caption.rsplit(" in ").next().unwrap_or_default().to_owned();
    let mut days: Vec<&str> = csv
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(1) == Some(unit.as_str()))
        .filter_map(|l| l.rsplit(',').next())
        .collect();
    days.sort();
    days.dedup();
    assert_eq!(rows.len(), days.len(), "{rows:?}");
    // End went to the last bucket: the announcement names the table's last day and the unit.
    let last_day = &rows.last().expect("a row per day")[0];
    assert!(
        last.contains(&format!(", {last_day}: ")) && last.ends_with(&format!(" {unit}")),
        "{last} names {last_day} in {unit}"
    );
    browser.assert_accessible().await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
