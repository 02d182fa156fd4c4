//! One build under any base path: the portal served at /admin/usage/ (assets, config, router,
//! links and reloads), as a CDN or an admin site would host it.

use thirtyfour::By;
use usage_e2e::{Browser, Portal};

#[tokio::test(flavor = "multi_thread")]
async fn the_portal_works_under_a_base_path() -> anyhow::Result<()> {
    let portal = Portal::start_at(10_000, "/admin/usage").await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.goto(format!("{}/", portal.base)).await?;
    browser.wait_for_usage_page().await?;

    // The navigation keeps the base path, and a reload of a deep link works.
    d.find(By::LinkText("Reports")).await?.click().await?;
    browser
        .wait_until("the URL is the Reports page under the base", || async {
            Ok(d.current_url().await?.path() == "/admin/usage/reports")
        })
        .await?;
    browser.wait_for("#f-from").await?;
    d.refresh().await?;
    browser.wait_for("#f-from").await?;
    d.find(By::LinkText("Billing")).await?.click().await?;
    browser
        .wait_until("the Billing page under the base", || async {
            Ok(d.current_url().await?.path() == "/admin/usage/billing")
        })
        .await?;
    d.find(By::LinkText("Usage")).await?.click().await?;
    browser
        .wait_until("back to the Usage page", || async {
            Ok(d.current_url().await?.path() == "/admin/usage/")
        })
        .await?;
    // Paging stays under the base too.
    d.goto(format!("{}/?detailLevel=day&limit=10", portal.base))
        .await?;
    browser.wait_for_usage_page().await?;
    d.find(By::Css("a[rel=next]")).await?.click().await?;
    browser
        .wait_until("page 2 under the base", || async {
            let url = d.current_url().await?;
            Ok(url.path() == "/admin/usage/"
                && url.query().unwrap_or_default().contains("offset=1"))
        })
        .await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
