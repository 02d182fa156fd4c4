//! The portal in German, in headless Chromium against the real server: chosen by the switch
//! (and kept for the next visit), from the browser's languages, or from the host page's
//! `lang`; every page then shows no English word of the portal's own (from a list of its
//! words that no demo data uses), axe finds nothing, and English comes back on the switch.

use serde_json::json;
use thirtyfour::prelude::*;
use usage_e2e::{Browser, Portal};

/// Words of the portal's English that would show if a text were left untranslated; none is
/// a word of the demo data (charge items, units, org names), which stays as it is.
const ENGLISH: &[&str] = &[
    "Usage",
    "Reports",
    "Billing",
    "Record",
    "Loading",
    "Apply",
    "Download",
    "More",
    "filters",
    "Previous",
    "Next",
    "First",
    "Last",
    "Show",
    "Create",
    "Delete",
    "Edit",
    "Save",
    "records",
    "Records",
    "Time",
    "zone",
    "Detail",
    "Group",
    "Compare",
    "Totals",
    "Cancel",
    "Quantity",
    "Subscription",
    "Threshold",
    "Used",
    "Forecast",
    "State",
    "Warning",
    "Exceeded",
    "the",
    "and",
    "with",
    "for",
    "from",
    "your",
    "This",
    "Realm",
    "page",
    "Page",
    "month",
    "Month",
    "days",
    "Day",
    "Hour",
    "Summarized",
    "Request",
    "Language",
    "views",
    "Saved",
];

/// The portal's words, seen or read out (its text, visually hidden ones too, and its labels),
/// but for what it marks `translate="no"` (the product's name, the language names, ids).
async fn words(browser: &Browser) -> anyhow::Result<Vec<String>> {
    let text = browser
        .driver
        .execute(
            "const root = document.querySelector('.up-root').cloneNode(true);
             root.querySelectorAll('[translate=no], code, select#up-lang').forEach(e => e.remove());
             const parts = [];
             const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
             for (let n = walk.nextNode(); n; n = walk.nextNode()) parts.push(n.data);
             root.querySelectorAll('[aria-label], [title], [placeholder]').forEach(e =>
                 parts.push(...['aria-label', 'title', 'placeholder'].map(a => e.getAttribute(a) || '')));
             return parts.join(' ');",
            Vec::new(),
        )
        .await?;
    Ok(text
        .json()
        .as_str()
        .unwrap_or_default()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect())
}

async fn english_left(browser: &Browser) -> anyhow::Result<Vec<String>> {
    let mut left: Vec<String> = words(browser)
        .await?
        .into_iter()
        .filter(|w| ENGLISH.contains(&w.as_str()))
        .collect();
    left.sort();
    left.dedup();
    Ok(left)
}

/// Waits up to 15 s until no English is left; fails naming what is.
async fn wait_german(browser: &Browser, what: &str) -> anyhow::Result<()> {
    let mut left = Vec::new();
    for _ in 0..150 {
        left = english_left(browser).await?;
        if left.is_empty() {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The texts that hold them, to find what the catalog lacks.
    let texts = browser
        .driver
        .execute(
            "const words = arguments[0]; const out = [];
             const root = document.querySelector('.up-root').cloneNode(true);
             root.querySelectorAll('[translate=no], code, select#up-lang').forEach(e => e.remove());
             const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
             for (let n = walk.nextNode(); n; n = walk.nextNode()) {
                 if (words.some(w => n.data.split(/[^A-Za-z]+/).includes(w))) out.push(n.data.trim());
             }
             root.querySelectorAll('[aria-label], [title], [placeholder]').forEach(e => {
                 for (const a of ['aria-label', 'title', 'placeholder']) {
                     const v = e.getAttribute(a);
                     if (v && words.some(w => v.split(/[^A-Za-z]+/).includes(w))) out.push(a + '=' + v);
                 }
             });
             return [...new Set(out)].slice(0, 40);",
            vec![json!(left)],
        )
        .await?;
    anyhow::bail!("{what}: English left {left:?} in {}", texts.json())
}

const PAGES: &[(&str, &str)] = &[
    ("/", "table.up-records tbody tr"),
    ("/reports", "#reports-title"),
    ("/billing", "#billing-title"),
    ("/budgets", "#budgets-title"),
    ("/record", "#record-title"),
    ("/records", "#records-title"),
];

#[tokio::test(flavor = "multi_thread")]
async fn every_page_in_german_shows_no_english_of_its_own() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.goto(format!("{}/", portal.base)).await?;
    browser.wait_for_usage_page().await?;
    assert!(
        !english_left(&browser).await?.is_empty(),
        "the test's list finds the English"
    );
    let switch = d.find(By::Css("#up-lang")).await?;
    thirtyfour::components::SelectElement::new(&switch)
        .await?
        .select_by_value("de")
        .await?;
    wait_german(&browser, "/ after the switch").await?;
    let lang = d
        .execute(
            "return document.querySelector('.up-root').lang;",
            Vec::new(),
        )
        .await?;
    assert_eq!(lang.json(), &json!("de"), "the portal says its language");
    for (path, ready) in PAGES {
        d.goto(format!("{}{path}", portal.base)).await?;
        browser.wait_for(ready).await?;
        // The choice is kept: the next page opens in German by itself.
        wait_german(&browser, path).await?;
        let html_lang = d
            .execute("return document.documentElement.lang;", Vec::new())
            .await?;
        assert_eq!(
            html_lang.json(),
            &json!("de"),
            "{path}: the page says its language"
        );
        browser
            .assert_accessible()
            .await
            .map_err(|e| anyhow::anyhow!("{path} in German: {e}"))?;
    }
    // A refused field says so in German too (the contract crate's words).
    d.goto(format!("{}/record", portal.base)).await?;
    browser.wait_for("#record-title").await?;
    browser.set_value("#r-quantity", "1.2345").await?;
    d.find(By::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let left = english_left(&browser).await?;
    assert!(
        left.is_empty(),
        "the Record page's errors in German still say {left:?}"
    );

    // And back to English.
    let switch = d.find(By::Css("#up-lang")).await?;
    thirtyfour::components::SelectElement::new(&switch)
        .await?
        .select_by_value("en")
        .await?;
    browser
        .wait_until("the page is in English again", || async {
            let left = english_left(&browser).await?;
            Ok(["Usage", "Reports", "Billing"]
                .iter()
                .all(|w| left.iter().any(|l| l == w)))
        })
        .await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

#[tokio::test(flavor = "multi_thread")]
async fn german_is_chosen_from_the_browsers_languages() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.cdp()
        .send_raw(
            "Emulation.setUserAgentOverride",
            json!({ "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome", "acceptLanguage": "de-DE,de" }),
        )
        .await?;
    d.goto(format!("{}/", portal.base)).await?;
    browser.wait_for_usage_page().await?;
    wait_german(&browser, "/ in a German browser").await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
