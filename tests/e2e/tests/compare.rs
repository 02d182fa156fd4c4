//! "Compare with" a previous period on the Usage page, in headless Chromium against the real
//! server: the table's "Before", "Change" and "Change %" are the API's figures for the earlier
//! period, the totals show both, the biggest changes are listed, the URL keeps the choice, and
//! a period with no earlier data says so.

use chrono::Datelike;
use thirtyfour::prelude::*;
use usage_e2e::{Browser, Portal, plain_number};

#[tokio::test(flavor = "multi_thread")]
async fn the_previous_period_beside_each_row_and_total() -> anyhow::Result<()> {
    let portal = Portal::start(30_000).await?;
    let browser = Browser::start().await?;
    let today = portal.today();
    let (start, end) = (today - chrono::Days::new(12), today - chrono::Days::new(2));
    let query = format!("startDate={start}&endDate={end}&detailLevel=day&limit=10");
    browser
        .driver
        .goto(format!("{}/?{query}", portal.base))
        .await?;
    browser.wait_for("table.up-records tbody tr").await?;
    browser.set_value("#f-compare", "previous").await?;
    browser
        .wait_until("the URL keeps the choice", || async {
            Ok(browser
                .url_params()
                .await?
                .contains(&("compare".to_owned(), "previous".to_owned())))
        })
        .await?;
    browser
        .wait_until("the table compares", || async {
            Ok(browser
                .table_headers()
                .await?
                .contains(&"Change %".to_owned()))
        })
        .await?;
    let headers = browser.table_headers().await?;
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows = browser.table_rows().await?;

    // The API's figures for the ten days before, moved ten days on.
    let page = portal
        .api(&format!("/usage/realms/{}?{query}", portal.realm))
        .await?;
    for (i, item) in page["items"].as_array().unwrap().iter().enumerate() {
        let day = chrono::NaiveDate::parse_from_str(
            &item["usageDateTime"].as_str().unwrap()[..10],
            "%Y-%m-%d",
        )?;
        let before_day = day - chrono::Days::new(10);
        let before = portal
            .api(&format!(
                "/usage/realms/{}?startDate={before_day}&endDate={}&detailLevel=day",
                portal.realm,
                before_day + chrono::Days::new(1)
            ))
            .await?;
        let want = before["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["billingSubscriptionId"] == item["billingSubscriptionId"])
            .map_or("0".to_owned(), |b| {
                b["usageValue"].as_str().unwrap().to_owned()
            });
        assert_eq!(
            plain_number(&rows[i][col("Before")]),
            want,
            "row {i}: {:?}",
            rows[i]
        );
        let change = plain_number(&rows[i][col("Change")]).replace('−', "-");
        let now: f64 = item["usageValue"].as_str().unwrap().parse()?;
        let was: f64 = want.parse()?;
        let shown: f64 = change.parse()?;
        let sign = if rows[i][col("Change")].starts_with('−') {
            -1.0
        } else {
            1.0
        };
        assert!(
            ((now - was) - sign * shown.abs()).abs() < 1e-6,
            "row {i}: {:?}",
            rows[i]
        );
    }
    browser.wait_for("table.up-changes tbody tr").await?;
    let totals_heads: Vec<String> = browser
        .driver
        .execute(
            "return Array.from(document.querySelectorAll('table.up-totals thead th')).map(th => th.textContent.trim());",
            Vec::new(),
        )
        .await?
        .convert()?;
    assert!(
        totals_heads.contains(&"Usage before".to_owned()),
        "{totals_heads:?}"
    );
    let hint = browser
        .driver
        .find(By::Css(".up-compare .up-field-hint"))
        .await?
        .text()
        .await?;
    assert!(hint.ends_with("UTC"), "the earlier range in words: {hint}");
    browser.assert_accessible().await?;

    // The demo data begins on the first of this month a year ago, so last month's first ten
    // days a year earlier are before it (today's range a year earlier is not, after the 2nd):
    // the page says there is nothing to compare.
    let last_month = today.with_day(1).unwrap() - chrono::Months::new(1);
    let (start, end) = (last_month, last_month + chrono::Days::new(9));
    browser
        .driver
        .goto(format!(
            "{}/?startDate={start}&endDate={end}&detailLevel=day&limit=10",
            portal.base
        ))
        .await?;
    browser.wait_for("table.up-records tbody tr").await?;
    browser.set_value("#f-compare", "year").await?;
    browser
        .wait_until("the empty earlier period is said", || async {
            let notices: Vec<String> = browser
                .driver
                .execute(
                    "return Array.from(document.querySelectorAll('.up-notice')).map(n => n.textContent);",
                    Vec::new(),
                )
                .await?
                .convert()?;
            Ok(notices.iter().any(|n| n.contains("No usage in the earlier period")))
        })
        .await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

#[tokio::test(flavor = "multi_thread")]
async fn grouped_by_app_the_biggest_changes_name_the_apps() -> anyhow::Result<()> {
    let portal = Portal::start(30_000).await?;
    let browser = Browser::start().await?;
    let today = portal.today();
    let (start, end) = (today - chrono::Days::new(12), today - chrono::Days::new(2));
    let range = format!("startDate={start}&endDate={end}");
    browser
        .driver
        .goto(format!(
            "{}/?{range}&detailLevel=day&groupBy=appId&compare=previous",
            portal.base
        ))
        .await?;
    browser.wait_for("table.up-changes tbody tr").await?;
    let rows: Vec<Vec<String>> = browser
        .driver
        .execute(
            "return Array.from(document.querySelectorAll('table.up-changes tr')).map(tr => Array.from(tr.children).map(c => c.textContent.trim()));",
            Vec::new(),
        )
        .await?
        .convert()?;
    assert_eq!(
        rows[0][..3],
        ["Charge item", "Group", "Unit"],
        "{:?}",
        rows[0]
    );
    // Each line is a charge item's share in one app, its usage now the API's for that app.
    let mut items = Vec::new();
    for offset in 0.. {
        let page = portal
            .api(&format!(
                "/usage/realms/{}?{range}&groupBy=appId&limit=100&offset={offset}",
                portal.realm
            ))
            .await?;
        let got = page["items"].as_array().unwrap().clone();
        let last = got.len() < 100;
        items.extend(got);
        if last {
            break;
        }
    }
    let now = serde_json::json!({ "items": items });
    for r in &rows[1..] {
        let app = r[1]
            .strip_prefix("App: ")
            .unwrap_or_else(|| panic!("{r:?}"));
        let want: i64 = now["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                i["name"].as_str() == Some(r[0].as_str())
                    && i["appId"].as_str() == Some(app)
                    && i["valueDriver"].as_str() == Some(r[2].as_str())
            })
            .map(|i| {
                usage_api::Quantity::parse(i["usageValue"].as_str().unwrap())
                    .unwrap()
                    .milli()
            })
            .sum();
        assert_eq!(
            usage_api::Quantity::parse(&plain_number(&r[4]))
                .unwrap()
                .milli(),
            want,
            "{r:?}"
        );
    }
    browser.assert_accessible().await?;
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
