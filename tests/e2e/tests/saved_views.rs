//! Saved views on the Usage page (#17, contract section 11): save what the page shows, a
//! preset's range kept relative, open a view into the URL, delete one; each step compared
//! with what `GET …/views` answers.

use chrono::Days;
use serde_json::Value;
use thirtyfour::By;
use usage_e2e::{Browser, Portal};

async fn open_menu(browser: &Browser) -> anyhow::Result<()> {
    browser
        .driver
        .find(By::Css(".up-views-menu > summary"))
        .await?
        .click()
        .await?;
    browser.wait_for("#v-name").await?;
    Ok(())
}

async fn save(browser: &Browser, name: &str) -> anyhow::Result<()> {
    let d = &browser.driver;
    let input = d.find(By::Css("#v-name")).await?;
    input.clear().await?;
    input.send_keys(name).await?;
    d.find(By::Css(".up-views-save button[type=submit]"))
        .await?
        .click()
        .await?;
    Ok(())
}

async fn views(portal: &Portal) -> anyhow::Result<Vec<Value>> {
    let list = portal
        .api(&format!("/usage/realms/{}/views", portal.realm))
        .await?;
    Ok(list["items"].as_array().unwrap().clone())
}

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn save_open_and_delete_views() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    let today = portal.today();

    // The page's default range (the last 30 days) grouped by app: kept as `range=last30d`.
    d.goto(format!("{}/?groupBy=appId&limit=50", portal.base))
        .await?;
    browser.wait_for("table.up-records tbody tr").await?;
    open_menu(&browser).await?;
    browser.wait_for(".up-views .up-empty").await?;
    let kept = browser.wait_for("#v-range").await?;
    assert!(
        kept[0]
            .find(By::Css("option:checked"))
            .await?
            .text()
            .await?
            .starts_with("Last 30 days"),
        "a preset's range is kept relative by default"
    );
    browser.assert_accessible().await?;
    save(&browser, "By app, last 30 days").await?;
    browser.wait_for(".up-views-table tbody tr").await?;
    let saved = views(&portal).await?;
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0]["name"], "By app, last 30 days");
    assert_eq!(
        saved[0]["query"], "range=last30d&detailLevel=day&groupBy=appId",
        "no paging, the range relative"
    );
    let row = d
        .find(By::Css(".up-views-table tbody tr"))
        .await?
        .text()
        .await?;
    assert!(
        row.contains("By app, last 30 days") && row.contains("Last 30 days"),
        "{row}"
    );

    // The same name again: refused by the service (409), said at the field.
    save(&browser, "By app, last 30 days").await?;
    browser
        .wait_until("the duplicate name is refused at the field", || async {
            Ok(!d
                .find(By::Css("#v-name-error"))
                .await?
                .text()
                .await?
                .is_empty())
        })
        .await?;
    assert_eq!(views(&portal).await?.len(), 1);

    // A range that is no preset, in a zone, by month: kept as its dates.
    let (start, end) = (today - Days::new(40), today - Days::new(20));
    d.goto(format!(
        "{}/?startDate={start}&endDate={end}&timeZone=Europe/Berlin&detailLevel=month",
        portal.base
    ))
    .await?;
    browser.wait_for(".up-views-menu").await?;
    open_menu(&browser).await?;
    browser.wait_for(".up-views-table tbody tr").await?;
    assert!(
        d.find_all(By::Css("#v-range")).await?.is_empty(),
        "no relative range to offer"
    );
    save(&browser, "Berlin by month").await?;
    browser
        .wait_until("two views listed", || async {
            Ok(d.find_all(By::Css(".up-views-table tbody tr")).await?.len() == 2)
        })
        .await?;
    let saved = views(&portal).await?;
    let berlin = saved
        .iter()
        .find(|v| v["name"] == "Berlin by month")
        .unwrap();
    assert_eq!(
        berlin["query"],
        format!(
            "startDate={start}T00%3A00%3A00&endDate={end}T00%3A00%3A00&timeZone=Europe%2FBerlin&detailLevel=month"
        )
    );

    // Opening a view puts exactly it into the URL, its relative range resolved for today.
    d.find(By::LinkText("By app, last 30 days"))
        .await?
        .click()
        .await?;
    browser
        .wait_until("the view's grouping in the URL", || async {
            Ok(d.current_url().await?.as_str().contains("groupBy=appId"))
        })
        .await?;
    let expected: Vec<(String, String)> = [
        ("startDate", format!("{}T00:00:00", today - Days::new(29))),
        ("endDate", format!("{}T00:00:00", today + Days::new(1))),
        ("detailLevel", "day".to_owned()),
        ("groupBy", "appId".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(sorted(browser.url_params().await?), sorted(expected));
    browser.wait_for("table.up-records tbody tr").await?;
    let headers = browser.table_headers().await?;
    assert!(headers.iter().any(|h| h == "App"), "{headers:?}");

    // Deleting one: gone from the service and from the list.
    // (The menu stays as it was: the page is the same, only its URL changed.)
    d.execute(
        "document.querySelector('.up-views-menu').open = true",
        Vec::new(),
    )
    .await?;
    let delete = browser
        .wait_for("button[aria-label='Delete the view “Berlin by month”']")
        .await?;
    delete[0].click().await?;
    browser
        .wait_until("one view left", || async {
            Ok(d.find_all(By::Css(".up-views-table tbody tr")).await?.len() == 1)
        })
        .await?;
    let left = views(&portal).await?;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["name"], "By app, last 30 days");
    browser.assert_accessible().await?;
    // The 409 above is logged by the browser as a failed load; it was provoked on purpose.
    browser.assert_no_console_errors_but(&["409"]).await?;
    browser.quit().await
}
