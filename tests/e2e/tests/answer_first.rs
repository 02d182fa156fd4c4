//! The Usage page opens on the answer, in headless Chromium against the real server: usage
//! over time by day, the totals read first and the chart full width above the table, the
//! range and the most used controls in one bar and the rest behind "More filters" (with a count
//! of the active ones); at 360 px wide nothing but a table scrolls sideways. The chart opens
//! the records behind a value (click, or Enter on the focused point) and draws a compared
//! period dashed.

use serde_json::json;
use thirtyfour::prelude::*;
use usage_e2e::{Browser, Portal, plain_number};

/// Whether the page scrolls sideways, and the elements wider than the viewport that are not
/// inside a scrolling table's wrapper.
const OVERFLOW: &str = "
    const vw = document.documentElement.clientWidth;
    const wide = Array.from(document.querySelectorAll('body *')).filter(e => {
        const r = e.getBoundingClientRect();
        return r.right > vw + 1 && !e.closest('.up-table-wrap, .up-scroll');
    }).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
    return [document.documentElement.scrollWidth > vw + 1, wide.slice(0, 5).concat([String(document.documentElement.scrollWidth), String(vw)]).slice(0, wide.length ? 7 : 0), window.innerWidth];";

#[tokio::test(flavor = "multi_thread")]
async fn the_page_opens_on_the_answer_and_fits_360_pixels() -> anyhow::Result<()> {
    let portal = Portal::start(20_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.cdp()
        .send_raw(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 360, "height": 800, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await?;
    d.goto(format!("{}/", portal.base)).await?;
    browser.wait_for_usage_page().await?;
    browser.wait_for(".up-chart canvas").await?;

    // By day: the table has a time column, and it is the API's day-level answer.
    let headers = browser.table_headers().await?;
    assert!(headers.iter().any(|h| h.starts_with("Time")), "{headers:?}");
    // The address names nothing: the default view, the last 30 days with today, by day.
    assert!(browser.url_params().await?.is_empty());
    let today = portal.today();
    let api = portal
        .api(&format!(
            "/usage/realms/{}?detailLevel=day&startDate={}&endDate={}",
            portal.realm,
            today - chrono::Days::new(29),
            today + chrono::Days::new(1)
        ))
        .await?;
    let usage_col = headers.iter().position(|h| h == "Usage").unwrap();
    let shown: Vec<String> = browser
        .table_rows()
        .await?
        .iter()
        .map(|r| plain_number(&r[usage_col]))
        .collect();
    let want: Vec<String> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["usageValue"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(shown, want);

    // Totals, then the chart, then the table, in reading order.
    let order: Vec<bool> = d
        .execute(
            "const [t, c, r] = ['table.up-totals', '.up-chart', 'table.up-records'].map(s => document.querySelector(s));
             const before = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
             return [before(t, c), before(c, r)];",
            Vec::new(),
        )
        .await?
        .convert()?;
    assert_eq!(order, [true, true], "totals, chart, table");

    // Nothing scrolls sideways but a table's own wrapper.
    let (scrolls, wide, vw): (bool, Vec<String>, u32) =
        d.execute(OVERFLOW, Vec::new()).await?.convert()?;
    assert_eq!(vw, 360);
    assert!(!scrolls && wide.is_empty(), "sideways at 360 px: {wide:?}");

    // The text filters are behind "More filters", closed; a filter set there is counted.
    let more = d.find(By::Css("details.up-more")).await?;
    assert_eq!(more.attr("open").await?, None);
    // Not in the page until opened (its code is fetched then).
    assert!(d.find_all(By::Css("#f-appId")).await?.is_empty());
    let summary = d.find(By::Css("details.up-more > summary")).await?;
    assert_eq!(summary.text().await?, "More filters");
    summary.focus().await?;
    summary.send_keys(Key::Enter).await?;
    let by_app = portal
        .api(&format!(
            "/usage/realms/{}?groupBy=appId&limit=100&startDate={}&endDate={}",
            portal.realm,
            today - chrono::Days::new(29),
            today + chrono::Days::new(1)
        ))
        .await?;
    let app = by_app["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["appId"].as_str())
        .find(|a| !a.is_empty())
        .expect("the demo data has apps")
        .to_owned();
    browser
        .wait_until("the text filters are shown", || async {
            Ok(!d.find_all(By::Css("#f-appId")).await?.is_empty())
        })
        .await?;
    browser.set_value("#f-appId", &app).await?;
    d.find(By::Css(".up-filters button[type=submit]"))
        .await?
        .click()
        .await?;
    browser
        .wait_until("the filter is counted", || async {
            Ok(d.find(By::Css("details.up-more > summary"))
                .await?
                .text()
                .await?
                == "More filters (1 active)")
        })
        .await?;
    assert!(
        browser
            .url_params()
            .await?
            .contains(&("appId".to_owned(), app.clone()))
    );
    // At 360 px with the filters open, still nothing scrolls sideways.
    let (scrolls, wide, _): (bool, Vec<String>, u32) =
        d.execute(OVERFLOW, Vec::new()).await?.convert()?;
    assert!(
        !scrolls && wide.is_empty(),
        "sideways with filters open: {wide:?}"
    );
    browser.assert_accessible().await?;

    // A summarized view stays summarized through a reload (the page's default is by day).
    browser.set_value("#f-detailLevel", "summarized").await?;
    browser
        .wait_until("the URL names the summarized view", || async {
            Ok(browser
                .url_params()
                .await?
                .contains(&("detailLevel".to_owned(), "summarized".to_owned())))
        })
        .await?;
    d.refresh().await?;
    browser.wait_for_usage_page().await?;
    let headers = browser.table_headers().await?;
    assert!(
        !headers.iter().any(|h| h.starts_with("Time")),
        "{headers:?}"
    );
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chart_value_opens_its_records_and_a_compared_period_is_dashed() -> anyhow::Result<()> {
    let portal = Portal::start(20_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    let today = portal.today();
    let query = format!(
        "startDate={}&endDate={}&detailLevel=day&compare=previous",
        today - chrono::Days::new(7),
        today - chrono::Days::new(1)
    );
    d.goto(format!("{}/?{query}", portal.base)).await?;
    browser.wait_for(".up-legend-earlier").await?;
    let legend = d.find(By::Css(".up-legend-earlier")).await?.text().await?;
    assert!(legend.starts_with("Dashed: the earlier period"), "{legend}");

    // Enter on the focused value opens the records behind it, and they add up to it.
    let chart = browser.wait_for(".up-chart-canvas").await?.remove(0);
    chart.focus().await?;
    chart.send_keys(Key::Right).await?;
    let live = d.find(By::Css(".up-chart-focus")).await?;
    browser
        .wait_until("the value is announced with its earlier one", || async {
            Ok(live.text().await?.contains("earlier period"))
        })
        .await?;
    let said = live.text().await?;
    let link = browser.wait_for("a.up-chart-records").await?.remove(0);
    let href = link.attr("href").await?.unwrap_or_default();
    chart.send_keys(Key::Enter).await?;
    browser.wait_for("table.up-records-behind tbody tr").await?;
    let url = d.current_url().await?;
    assert!(url.path().ends_with("/records"), "{url}");
    assert!(
        href.ends_with(&format!("{}?{}", url.path(), url.query().unwrap_or(""))),
        "{href} {url}"
    );
    let params = browser.url_params().await?;
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert!(!get("billingSubscriptionId").is_empty(), "{params:?}");
    // The first day's value of the first series: the API's figure for that day and subscription.
    let day = get("startDate");
    let api = portal
        .api(&format!(
            "/usage/realms/{}?startDate={}&endDate={}&detailLevel=day",
            portal.realm,
            &day[..10],
            get("endDate")
        ))
        .await?;
    let item = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["billingSubscriptionId"].as_str() == Some(get("billingSubscriptionId").as_str())
        })
        .expect("the subscription has usage that day");
    assert_eq!(get("usageValue"), item["usageValue"].as_str().unwrap());
    assert!(said.contains(item["name"].as_str().unwrap()), "{said}");
    browser
        .wait_until("the records add up to the value", || async {
            Ok(d.find(By::Css(".up-drill-sum"))
                .await?
                .text()
                .await?
                .contains("the figure you came from"))
        })
        .await?;

    // Back, then a click on the chart opens the value under it.
    d.back().await?;
    browser.wait_for(".up-chart-canvas canvas").await?;
    browser.wait_for(".up-legend-earlier").await?;
    // The left end of the plot, at the height of the first series' first value is not known
    // here; a click at the first bucket picks the series nearest to it, whichever it is. The
    // canvas is found afresh for each try: the chart may be drawn again (the earlier period's
    // answer arriving) between finding it and clicking, which leaves the old one stale.
    browser
        .wait_until("the click opens records", || async {
            if d.current_url().await?.path().ends_with("/records") {
                return Ok(true);
            }
            if let Some(chart) = d.find_all(By::Css(".up-chart-canvas canvas")).await?.pop() {
                let _ = d
                    .action_chain()
                    .move_to_element_with_offset(&chart, -300, 0)
                    .click()
                    .perform()
                    .await;
            }
            Ok(false)
        })
        .await?;
    browser.wait_for("table.up-records-behind tbody tr").await?;
    browser.assert_accessible().await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
