//! The budget notice at the top of the portal and the `usage-portal:budget` host event (#17):
//! shown while a budget is past an alert level, linking to the Budgets page; the event sent
//! once a session for each budget and level, with what `GET …/budgets` says of it.

use serde_json::Value;
use thirtyfour::By;
use usage_e2e::{Browser, Portal};

async fn put_budget(portal: &Portal, id: &str, body: Value) -> anyhow::Result<()> {
    let resp = reqwest::Client::new()
        .put(format!(
            "{}/usage/realms/{}/budgets/{id}",
            portal.origin, portal.realm
        ))
        .bearer_auth(&portal.token)
        .json(&body)
        .send()
        .await?;
    anyhow::ensure!(resp.status() == 201, "{}", resp.text().await?);
    Ok(())
}

const LISTEN: &str = "window.__budgetEvents = [];
    document.body.addEventListener('usage-portal:budget', e => window.__budgetEvents.push(e.detail));";

async fn events(browser: &Browser) -> anyhow::Result<Vec<Value>> {
    Ok(browser
        .driver
        .execute("return window.__budgetEvents || []", Vec::new())
        .await?
        .convert()?)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_budget_past_an_alert_level_is_noticed_and_announced_once() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let sub = portal.add_subscription("notice", "1")?;
    let recorded = reqwest::Client::new()
        .post(format!("{}/usages", portal.origin))
        .bearer_auth(&portal.token)
        .json(&serde_json::json!({ "subscriptionId": sub, "quantity": "30", "id": "notice-e2e-0" }))
        .send()
        .await?;
    assert_eq!(recorded.status(), 201);
    let browser = Browser::start().await?;
    let d = &browser.driver;

    // Every budget on track: no notice, no event.
    put_budget(
        &portal,
        "calm",
        serde_json::json!({ "name": "Calm", "billingSubscriptionId": sub, "threshold": "1000" }),
    )
    .await?;
    d.goto(format!("{}/", portal.base)).await?;
    d.execute(LISTEN, Vec::new()).await?;
    browser.wait_for("table.up-records tbody tr").await?;
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    assert!(d.find_all(By::Css(".up-budget-notice")).await?.is_empty());
    assert!(events(&browser).await?.is_empty());

    // One past its first level (30 of 40, levels 50 and 100), one past its threshold.
    put_budget(
        &portal,
        "routing",
        serde_json::json!({ "name": "Routing", "billingSubscriptionId": sub, "threshold": "40", "alertAt": [50, 100] }),
    )
    .await?;
    put_budget(
        &portal,
        "tight",
        serde_json::json!({ "name": "Tight", "billingSubscriptionId": sub, "threshold": "10" }),
    )
    .await?;
    d.goto(format!("{}/", portal.base)).await?;
    d.execute(LISTEN, Vec::new()).await?;
    let notice = browser.wait_for(".up-budget-notice").await?;
    let text = notice[0].text().await?;
    assert!(text.starts_with("Budget exceeded:"), "in words: {text}");
    assert!(text.contains("“Tight” is exceeded"), "{text}");
    assert!(
        text.contains("“Routing” has reached its 50 % alert level"),
        "{text}"
    );
    assert!(!text.contains("Calm"), "{text}");
    let api = portal
        .api(&format!("/usage/realms/{}/budgets", portal.realm))
        .await?;
    let of = |id: &str| {
        api["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == id)
            .unwrap()
            .clone()
    };
    browser
        .wait_until("two budget events", || async {
            Ok(events(&browser).await?.len() == 2)
        })
        .await?;
    let mut got = events(&browser).await?;
    got.sort_by_key(|e| e["budgetId"].as_str().unwrap_or_default().to_owned());
    for (e, id) in got.iter().zip(["routing", "tight"]) {
        let b = of(id);
        assert_eq!(e["budgetId"], id);
        assert_eq!(e["state"], b["state"], "{e} {b}");
        assert_eq!(e["percent"].as_f64(), b["percent"].as_f64(), "{e} {b}");
    }
    browser.assert_accessible().await?;

    // The link opens the Budgets page; the notice is read again, the event is not sent again.
    notice[0]
        .find(By::LinkText("See the budgets"))
        .await?
        .click()
        .await?;
    browser.wait_for("tr[data-budget-id='routing']").await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(events(&browser).await?.len(), 2, "once a session");
    // Nor after a reload in the same tab.
    d.refresh().await?;
    d.execute(LISTEN, Vec::new()).await?;
    browser.wait_for(".up-budget-notice").await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        events(&browser).await?.is_empty(),
        "announced earlier in the session"
    );
    browser.assert_accessible().await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
