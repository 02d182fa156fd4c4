//! The Usage page in a chosen time zone (contract section 7) and its freshness (section 8),
//! against the real server, in headless Chromium, as a person uses it: the zone is picked
//! from the filter bar by keyboard, the URL keeps it, and the table, its heading, the range
//! text and "Data as of" all say it, with the figures the API gives for the same query.

use thirtyfour::prelude::*;
use usage_e2e::{Browser, Portal, api_rows};

#[tokio::test(flavor = "multi_thread")]
async fn choosing_a_zone_rebuckets_the_table_and_says_so() -> anyhow::Result<()> {
    let portal = Portal::start(30_000).await?;
    let browser = Browser::start().await?;
    let today = portal.today();
    let start = today - chrono::Days::new(10);
    let query = format!(
        "startDate={start}&endDate={}&detailLevel=day&limit=25",
        today + chrono::Days::new(1)
    );
    browser
        .driver
        .goto(format!("{}/?{query}", portal.base))
        .await?;
    browser.wait_for_usage_page().await?;
    assert!(
        browser
            .table_headers()
            .await?
            .contains(&"Time (UTC)".to_owned())
    );

    // The chooser is a labelled native select (keyboard-operable as such); choosing sends
    // its change event as a person's choice does.
    let label = browser
        .driver
        .find(By::Css("label[for=f-timeZone]"))
        .await?
        .text()
        .await?;
    assert_eq!(label, "Time zone");
    let offered: Vec<String> = browser
        .driver
        .execute(
            "return Array.from(document.querySelectorAll('#f-timeZone option')).map(o => o.value);",
            Vec::new(),
        )
        .await?
        .convert()?;
    assert_eq!(offered[0], "UTC");
    assert!(
        offered.len() > 300,
        "every zone the browser knows: {}",
        offered.len()
    );
    browser.set_value("#f-timeZone", "America/St_Johns").await?;
    browser
        .wait_until("the URL names the zone", || async {
            Ok(browser
                .url_params()
                .await?
                .contains(&("timeZone".to_owned(), "America/St_Johns".to_owned())))
        })
        .await?;
    browser
        .wait_until("the table says its zone", || async {
            Ok(browser
                .table_headers()
                .await?
                .contains(&"Time (America/St Johns)".to_owned()))
        })
        .await?;

    let api = portal
        .api(&format!(
            "/usage/realms/{}?{query}&timeZone=America%2FSt_Johns",
            portal.realm
        ))
        .await?;
    let first = api["items"][0]["usageDateTime"]
        .as_str()
        .unwrap_or_default();
    // Newfoundland is 3½ hours behind UTC in winter, 2½ in summer.
    assert!(
        first.ends_with("-03:30") || first.ends_with("-02:30"),
        "{first}"
    );
    browser
        .wait_until("the rows are the zone's", || async {
            Ok(browser.shown_rows().await? == api_rows(&api))
        })
        .await?;
    // The zone's days differ from UTC's: the same range gives other figures.
    let utc = portal
        .api(&format!("/usage/realms/{}?{query}", portal.realm))
        .await?;
    assert_ne!(api_rows(&api), api_rows(&utc));

    let range = browser
        .driver
        .find(By::Css(".up-range"))
        .await?
        .text()
        .await?;
    assert!(range.ends_with("America/St Johns time"), "{range}");
    let as_of = browser
        .driver
        .find(By::Css(".up-asof"))
        .await?
        .text()
        .await?;
    assert!(
        as_of.starts_with("Data as of ") && as_of.ends_with("America/St Johns time"),
        "{as_of}"
    );

    // A link with the zone reproduces the view; back returns to UTC.
    browser.driver.back().await?;
    browser
        .wait_until("back to UTC", || async {
            Ok(browser
                .table_headers()
                .await?
                .contains(&"Time (UTC)".to_owned()))
        })
        .await?;
    browser.assert_accessible().await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

/// The portal ships no zone data, so a zone only the server can judge is the server's to
/// refuse: the page says which parameter, with the request id, and the console stays clean.
#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_zone_in_a_link_is_named_by_the_server() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let browser = Browser::start().await?;
    browser
        .driver
        .goto(format!("{}/?timeZone=Mars%2FOlympus", portal.base))
        .await?;
    let errors = browser.wait_for(".up-error-fields code").await?;
    assert_eq!(errors[0].text().await?, "timeZone");
    let id = browser
        .driver
        .find(By::Css(".up-error-id code"))
        .await?
        .text()
        .await?;
    assert!(!id.is_empty());
    // The server's 400s are answers the page expected, not script errors.
    browser.assert_no_console_errors_but(&["400"]).await?;
    browser.quit().await
}
