//! The Record usage page's subscription picker (#17): the realm's subscriptions from
//! `GET …/subscriptions`, what remains under a monthly limit before anything is sent, and what
//! "accept what fits" would record.

use serde_json::Value;
use thirtyfour::By;
use usage_e2e::{Browser, Portal, plain_number};

#[tokio::test(flavor = "multi_thread")]
async fn pick_a_subscription_see_what_remains_and_record_what_fits() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    // A subscription with a monthly limit of 10 units, 7.5 of them used this month.
    let sub = "SUB-T-limited";
    usage_server::demo::add_subscription(
        &mut portal.state.pool.get()?.conn(),
        &portal.realm,
        sub,
        "Test limited",
        "1",
        Some(10_000),
    )?;
    let post = |quantity: &str, id: &str| {
        reqwest::Client::new()
            .post(format!("{}/usages", portal.origin))
            .bearer_auth(&portal.token)
            .json(&serde_json::json!({ "subscriptionId": sub, "quantity": quantity, "id": id }))
            .send()
    };
    let first = post("7.5", "picker-e2e-0").await?;
    assert_eq!(first.status(), 201, "{}", first.text().await?);

    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.goto(format!("{}/record", portal.base)).await?;
    browser.wait_for("#r-subscriptionId-list option").await?;

    // Every subscription of the realm is offered, each with its charge item, unit and id.
    let api = all_subscriptions(&portal).await?;
    let options: Vec<(String, String)> = d
        .execute(
            "return [...document.querySelectorAll('#r-subscriptionId-list option')].map(o => [o.value, o.textContent])",
            Vec::new(),
        )
        .await?
        .convert()?;
    assert_eq!(options.len(), api.len());
    for ((value, words), s) in options.iter().zip(&api) {
        let id = s["billingSubscriptionId"].as_str().unwrap();
        assert_eq!(value, id);
        assert!(
            words.contains(s["name"].as_str().unwrap())
                && words.contains(s["valueDriver"].as_str().unwrap())
                && words.contains(id),
            "{words} for {s}"
        );
    }

    // Typing the id picks it: its charge item, and what remains, before anything is sent.
    let input = d.find(By::Css("#r-subscriptionId")).await?;
    input.send_keys(sub).await?;
    let picked = browser.wait_for("#r-subscriptionId-picked").await?;
    assert!(picked[0].text().await?.contains("Test limited"));
    let ours = api
        .iter()
        .find(|s| s["billingSubscriptionId"] == sub)
        .unwrap();
    assert_eq!(ours["remaining"], "2.5", "{ours}");
    let remaining = browser.wait_for("#r-headroom .up-remaining").await?;
    let unit = ours["valueDriver"].as_str().unwrap();
    let number_in = |text: &str| {
        assert!(text.ends_with(unit), "{text} is in {unit}");
        plain_number(text.strip_suffix(unit).unwrap_or(text))
    };
    assert_eq!(number_in(&remaining[0].text().await?), "2.5");

    // Over what remains: what "accept what fits" would record.
    d.find(By::Css("#r-quantity")).await?.send_keys("4").await?;
    let fits = browser.wait_for("#r-headroom .up-fits").await?;
    assert_eq!(number_in(&fits[0].text().await?), "2.5");
    assert!(
        d.find(By::Css("#r-headroom"))
            .await?
            .text()
            .await?
            .contains("would record")
    );
    d.find(By::Css("#r-partial")).await?.click().await?;
    browser
        .wait_until("the preview says it will record", || async {
            Ok(d.find(By::Css("#r-headroom"))
                .await?
                .text()
                .await?
                .contains("this records"))
        })
        .await?;
    browser.assert_accessible().await?;
    d.find(By::Css(".up-filters button[type=submit]"))
        .await?
        .click()
        .await?;
    browser.wait_for(".up-record-result").await?;
    let accepted = d.find(By::Css(".up-accepted")).await?.text().await?;
    assert_eq!(plain_number(&accepted), "2.5", "what the preview said");

    // The list is read again: nothing remains now, as the API says.
    let after = all_subscriptions(&portal).await?;
    let ours = after
        .iter()
        .find(|s| s["billingSubscriptionId"] == sub)
        .unwrap();
    assert_eq!(ours["remaining"], "0", "{ours}");
    browser
        .wait_until("nothing remains", || async {
            let t = d.find(By::Css("#r-headroom")).await?.text().await?;
            Ok(t.contains("is more than the 0 "))
        })
        .await?;

    // An id of no subscription of the realm says so.
    d.find(By::Css("#r-subscriptionId")).await?.clear().await?;
    browser.set_value("#r-subscriptionId", "SUB-nope").await?;
    browser
        .wait_until("an unknown id is said to be one", || async {
            Ok(d.find(By::Css("#r-subscriptionId-picked"))
                .await?
                .text()
                .await?
                .contains("No subscription"))
        })
        .await?;
    browser.assert_accessible().await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

async fn all_subscriptions(portal: &Portal) -> anyhow::Result<Vec<Value>> {
    let mut items = Vec::new();
    let mut offset = 0;
    loop {
        let page = portal
            .api(&format!(
                "/usage/realms/{}/subscriptions?limit=100&offset={offset}",
                portal.realm
            ))
            .await?;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["nextOffset"].as_u64() {
            Some(n) => offset = n,
            None => return Ok(items),
        }
    }
}
