//! The Budgets page (#17, contract section 10): create, check at the field, edit and delete
//! budgets as a person would, each step compared with what `GET …/budgets` answers.

use serde_json::Value;
use thirtyfour::By;
use usage_e2e::{Browser, Portal};

async fn budgets(portal: &Portal) -> anyhow::Result<Vec<Value>> {
    let list = portal
        .api(&format!("/usage/realms/{}/budgets", portal.realm))
        .await?;
    Ok(list["items"].as_array().unwrap().clone())
}

fn words(state: &Value) -> &'static str {
    match state.as_str() {
        Some("ok") => "On track",
        Some("warning") => "Warning",
        Some("exceeded") => "Exceeded",
        other => panic!("unknown state {other:?}"),
    }
}

async fn row_text(browser: &Browser, id: &str) -> anyhow::Result<String> {
    let rows = browser
        .wait_for(&format!("tr[data-budget-id='{id}']"))
        .await?;
    Ok(rows[0].text().await?)
}

async fn submit(browser: &Browser) -> anyhow::Result<()> {
    browser
        .driver
        .find(By::Css(".up-budget-form button[type=submit]"))
        .await?
        .click()
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn create_check_edit_and_delete_budgets() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    // A subscription of its own with 30 units this month (price 1: an amount of 30 too).
    let sub = portal.add_subscription("budget", "1")?;
    let recorded = reqwest::Client::new()
        .post(format!("{}/usages", portal.origin))
        .bearer_auth(&portal.token)
        .json(&serde_json::json!({ "subscriptionId": sub, "quantity": "30", "id": "budget-e2e-0" }))
        .send()
        .await?;
    assert_eq!(recorded.status(), 201, "{}", recorded.text().await?);
    let subs = portal
        .api(&format!("/usage/realms/{}/subscriptions", portal.realm))
        .await?;
    let ours = subs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["billingSubscriptionId"] == sub.as_str())
        .unwrap()
        .clone();
    let (unit, currency) = (
        ours["valueDriver"].as_str().unwrap().to_owned(),
        ours["currency"].as_str().unwrap().to_owned(),
    );

    let browser = Browser::start().await?;
    let d = &browser.driver;
    // Reached from the navigation.
    d.goto(format!("{}/", portal.base)).await?;
    browser.wait_for("nav a[href$='/budgets']").await?[0]
        .click()
        .await?;
    browser.wait_for(".up-budgets-empty, .up-empty").await?;
    assert!(budgets(&portal).await?.is_empty());
    browser.assert_accessible().await?;

    // Refused at the field by the contract's rules, before anything is sent.
    browser.set_value("#b-name", "Test budget").await?;
    browser.set_value("#b-threshold", "1.2345").await?;
    browser.set_value("#b-alertAt", "80, 80").await?;
    submit(&browser).await?;
    for field in ["billingSubscriptionId", "threshold", "alertAt"] {
        let err = browser.wait_for(&format!("#b-{field}-error")).await?;
        browser
            .wait_until(&format!("an error at {field}"), || async {
                Ok(!err[0].text().await?.is_empty())
            })
            .await?;
    }
    assert!(
        d.find(By::Css("#b-threshold-error"))
            .await?
            .text()
            .await?
            .contains("3 decimal places")
    );
    assert!(budgets(&portal).await?.is_empty(), "nothing was sent");
    browser.assert_accessible().await?;

    // A quantity budget of the subscription, picked as on the Record page: 30 of 40 is past
    // its first alert level (50 %).
    d.find(By::Css("#b-billingSubscriptionId"))
        .await?
        .send_keys(&sub)
        .await?;
    let picked = browser.wait_for("#b-billingSubscriptionId-picked").await?;
    assert!(picked[0].text().await?.contains("Test budget"));
    browser.set_value("#b-threshold", "40").await?;
    browser.set_value("#b-alertAt", "50, 100").await?;
    submit(&browser).await?;
    let row = row_text(&browser, "test-budget").await?;
    let api = budgets(&portal).await?;
    assert_eq!(api.len(), 1, "{api:?}");
    let b = &api[0];
    assert_eq!(
        (
            b["id"].as_str(),
            b["used"].as_str(),
            b["threshold"].as_str()
        ),
        (Some("test-budget"), Some("30"), Some("40"))
    );
    assert_eq!(b["state"], "warning");
    assert!(row.contains(words(&b["state"])), "{row}");
    assert!(row.contains(&format!("30 {unit}")), "{row}");
    let bar = d
        .find(By::Css(
            "tr[data-budget-id='test-budget'] svg.up-budget-bar",
        ))
        .await?
        .attr("aria-label")
        .await?
        .unwrap_or_default();
    assert!(bar.starts_with("75.0 % used"), "{bar}");
    assert!(bar.contains("alerts at 50 %, 100 %"), "{bar}");
    // The state has its colour and its words.
    let badge = d
        .find(By::Css("tr[data-budget-id='test-budget'] .up-budget-state"))
        .await?;
    assert!(
        badge
            .class_name()
            .await?
            .unwrap_or_default()
            .contains("up-budget-warning")
    );
    assert_eq!(badge.text().await?.trim_start_matches("! "), "Warning");

    // An amount budget in the subscription's currency, over at once.
    d.find(By::Css("#b-kind-amount")).await?.click().await?;
    browser.wait_for("#b-currency").await?;
    browser.set_value("#b-name", "Spend").await?;
    browser.set_value("#b-currency", &currency).await?;
    browser.set_value("#b-threshold", "1").await?;
    submit(&browser).await?;
    let row = row_text(&browser, "spend").await?;
    let api = budgets(&portal).await?;
    let spend = api.iter().find(|b| b["id"] == "spend").unwrap();
    assert_eq!(spend["currency"].as_str(), Some(currency.as_str()));
    assert_eq!(spend["state"], "exceeded", "{spend}");
    assert!(row.contains("Exceeded"), "{row}");
    assert!(row.contains(&format!("Amounts in {currency}")), "{row}");

    // Editing the first: its threshold to 20 passes 100 %.
    d.find(By::Css(
        "button[aria-label='Edit the budget “Test budget”']",
    ))
    .await?
    .click()
    .await?;
    browser
        .wait_until("the form holds the budget", || async {
            Ok(d.find(By::Css("#b-threshold"))
                .await?
                .prop("value")
                .await?
                .as_deref()
                == Some("40"))
        })
        .await?;
    assert_eq!(
        d.find(By::Css("#b-billingSubscriptionId"))
            .await?
            .prop("value")
            .await?
            .as_deref(),
        Some(sub.as_str())
    );
    browser.set_value("#b-threshold", "20").await?;
    submit(&browser).await?;
    browser
        .wait_until("saved", || async {
            Ok(d.find(By::Css(".up-page > .up-status"))
                .await?
                .text()
                .await?
                .contains("Saved the budget"))
        })
        .await?;
    let api = budgets(&portal).await?;
    let edited = api.iter().find(|b| b["id"] == "test-budget").unwrap();
    assert_eq!(
        (edited["threshold"].as_str(), edited["state"].as_str()),
        (Some("20"), Some("exceeded"))
    );
    browser
        .wait_until("the row says exceeded", || async {
            Ok(row_text(&browser, "test-budget")
                .await?
                .contains("Exceeded"))
        })
        .await?;

    // A new budget may not take an existing id.
    browser.set_value("#b-name", "Spend").await?;
    browser.set_value("#b-id", "spend").await?;
    browser.set_value("#b-threshold", "5").await?;
    submit(&browser).await?;
    browser
        .wait_until("the id is taken", || async {
            Ok(d.find(By::Css("#b-id-error"))
                .await?
                .text()
                .await?
                .contains("edit that one"))
        })
        .await?;

    // Deleting one.
    d.find(By::Css("button[aria-label='Delete the budget “Spend”']"))
        .await?
        .click()
        .await?;
    browser
        .wait_until("one budget left", || async {
            Ok(d.find_all(By::Css("tr[data-budget-id]")).await?.len() == 1)
        })
        .await?;
    let api = budgets(&portal).await?;
    assert_eq!(api.len(), 1);
    assert_eq!(api[0]["id"], "test-budget");
    browser.assert_accessible().await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
