//! Recording usage and the Billing page, in headless Chromium.

use chrono::Timelike;
use serde_json::Value;
use thirtyfour::By;
use usage_e2e::{Browser, Portal, plain_number};

#[tokio::test(flavor = "multi_thread")]
async fn record_once_then_find_it_in_usage_and_billing() -> anyhow::Result<()> {
    let portal = Portal::start(20_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    // A subscription of its own, and a time after the demo data ends (it runs up to the hour
    // before the run's "now"): what is recorded is the only usage there.
    let sub = portal.add_subscription("record", "1")?;
    let name = "Test record";
    let at = portal.now.format("%Y-%m-%dT%H:%M").to_string();

    d.goto(format!("{}/record", portal.base)).await?;
    browser.wait_for("#r-quantity").await?;
    d.find(By::Css("#r-subscriptionId"))
        .await?
        .send_keys(&sub)
        .await?;
    // Refused at the field, before anything is sent.
    d.find(By::Css("#r-quantity"))
        .await?
        .send_keys("1.2345")
        .await?;
    let err = d.find(By::Css("#r-quantity-error")).await?.text().await?;
    assert!(err.contains("3 decimal places"), "{err}");
    d.find(By::Css("#r-quantity")).await?.clear().await?;
    d.find(By::Css("#r-quantity"))
        .await?
        .send_keys("2.5")
        .await?;
    browser.set_value("#r-usageTime", &at).await?;
    browser.assert_accessible().await?;
    // A double click records once.
    d.execute("const b = document.querySelector('.up-filters button[type=submit]'); b.click(); b.click();", Vec::new()).await?;
    browser.wait_for(".up-record-result").await?;
    let accepted = d.find(By::Css(".up-accepted")).await?.text().await?;
    assert_eq!(accepted, "2.5");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let list = portal
        .api(&format!("/usages?subscriptionId={sub}&limit=5"))
        .await?;
    let recorded: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["usageTime"] == format!("{at}:00"))
        .collect();
    assert_eq!(recorded.len(), 1, "recorded once: {list}");

    // It is in the Usage page…
    let minute = portal.now.with_second(0).unwrap_or(portal.now);
    d.goto(format!(
        "{}/?{}",
        portal.base,
        usage_test_clock::range(minute, minute + chrono::TimeDelta::minutes(1))
    ))
    .await?;
    browser.wait_for("table.up-records tbody tr").await?;
    let headers = browser.table_headers().await?;
    let rows = browser.table_rows().await?;
    let (si, ui) = (
        headers.iter().position(|h| h == "Subscription").unwrap(),
        headers.iter().position(|h| h == "Usage").unwrap(),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0][si].as_str(), plain_number(&rows[0][ui]).as_str()),
        (sub.as_str(), "2.5")
    );

    // …and in the Billing page for that month.
    let month = portal.now.format("%Y-%m");
    d.goto(format!("{}/billing?from={month}&to={month}", portal.base))
        .await?;
    browser.wait_for("table.up-billing tbody tr").await?;
    let text = d.find(By::Css("table.up-billing")).await?.text().await?;
    let row = text.lines().find(|l| l.contains(name)).unwrap_or_default();
    assert!(row.contains("2.5"), "{text}");
    browser.assert_accessible().await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

#[tokio::test(flavor = "multi_thread")]
async fn billing_pager_both_ways_and_a_foreign_account() -> anyhow::Result<()> {
    let portal = Portal::start(20_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    let months = {
        let now = portal.today();
        let from = now - chrono::Months::new(11);
        (
            from.format("%Y-%m").to_string(),
            now.format("%Y-%m").to_string(),
        )
    };
    let q = format!(
        "accounts=northwind&from={}&to={}&page=1&per_page=5",
        months.0, months.1
    );
    d.goto(format!("{}/billing?{q}", portal.base)).await?;
    browser.wait_for("table.up-billing tbody tr").await?;
    let api1 = portal.api(&format!("/express/usage/month?{q}")).await?;
    let row_count = |v: &Value| v["_embedded"]["usage"].as_array().unwrap().len();
    let shown = || async {
        Ok::<_, anyhow::Error>(
            d.find_all(By::Css("table.up-billing tbody tr"))
                .await?
                .len(),
        )
    };
    assert_eq!(shown().await?, row_count(&api1));
    assert!(
        d.find_all(By::Css("a[rel=prev]")).await?.is_empty(),
        "no previous page on the first"
    );

    d.find(By::Css("a[rel=next]")).await?.click().await?;
    browser
        .wait_until("page 2 in the URL", || async {
            Ok(d.current_url().await?.as_str().contains("page=2"))
        })
        .await?;
    let api2 = portal
        .api(&format!(
            "/express/usage/month?{}",
            q.replace("page=1", "page=2")
        ))
        .await?;
    let first_desc = api2["_embedded"]["usage"][0]["description"]
        .as_str()
        .unwrap()
        .to_owned();
    browser
        .wait_until("page 2's rows", || async {
            Ok(d.find(By::Css("table.up-billing tbody tr th"))
                .await?
                .text()
                .await?
                == first_desc)
        })
        .await?;
    d.find(By::Css("a[rel=prev]")).await?.click().await?;
    browser
        .wait_until("back on page 1", || async {
            Ok(d.current_url().await?.as_str().contains("page=1"))
        })
        .await?;

    // An account outside the organization: the seed's 403, in words.
    d.goto(format!("{}/billing?accounts=contoso", portal.base))
        .await?;
    let alert = browser.wait_for(".up-error").await?;
    let text = alert[0].text().await?;
    assert!(
        text.contains("not authorized to query the given accounts"),
        "{text}"
    );
    assert!(text.contains("Request id"), "{text}");
    browser.assert_accessible().await?;
    // The 403 answer itself is logged by the browser as a failed resource load; that is the
    // expected outcome here, so only script errors count.
    let errors: Vec<String> = d
        .browser_log()
        .await?
        .into_iter()
        .filter(|e| e.level == "SEVERE" && !e.message.contains("status of 403"))
        .map(|e| e.message)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    browser.quit().await
}
