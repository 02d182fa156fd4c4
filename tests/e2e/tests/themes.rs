//! Dark mode, in headless Chromium against the real server: the portal follows
//! `prefers-color-scheme`, a host forces a theme with `theme="dark"` / `theme="light"` on an
//! ancestor, the chart draws in the theme's colours, and axe's rules (colour contrast among
//! them) pass on every page in both themes.

use serde_json::json;
use usage_e2e::{Browser, Portal};

/// The computed background and text colour of the portal's root.
const COLOURS: &str = "const s = getComputedStyle(document.querySelector('.up-root'));
    return [s.backgroundColor, s.color, s.colorScheme];";

/// The colour of the chart canvas's top-left pixel, where nothing but its background is.
const CHART_CORNER: &str = "const c = document.querySelector('.up-chart canvas');
    const d = c.getContext('2d').getImageData(2, 2, 1, 1).data;
    return `rgb(${d[0]}, ${d[1]}, ${d[2]})`;";

const DARK_BG: &str = "rgb(18, 22, 29)";
const LIGHT_BG: &str = "rgb(255, 255, 255)";

/// Each page, and what shows it is there.
const PAGES: &[(&str, &str)] = &[
    ("/", "table.up-records tbody tr"),
    ("/reports", "#reports-title"),
    ("/billing", "#billing-title"),
    ("/budgets", "#budgets-title"),
    ("/record", "#record-title"),
    ("/records", "#records-title"),
];

async fn prefer(browser: &Browser, scheme: &str) -> anyhow::Result<()> {
    browser
        .driver
        .cdp()
        .send_raw(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await?;
    Ok(())
}

async fn colours(browser: &Browser) -> anyhow::Result<Vec<String>> {
    let v = browser.driver.execute(COLOURS, Vec::new()).await?;
    Ok(serde_json::from_value(v.json().clone())?)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_reads_in_the_dark_theme_the_browser_prefers() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    prefer(&browser, "dark").await?;
    for (path, ready) in PAGES {
        d.goto(format!("{}{path}", portal.base)).await?;
        browser.wait_for(ready).await?;
        let c = colours(&browser).await?;
        assert_eq!(c, [DARK_BG, "rgb(231, 234, 240)", "dark"], "{path}");
        browser
            .assert_accessible()
            .await
            .map_err(|e| anyhow::anyhow!("{path} in the dark theme: {e}"))?;
    }
    // The chart is drawn on the theme's background, not a white panel.
    d.goto(format!("{}/", portal.base)).await?;
    browser.wait_for(".up-chart canvas").await?;
    browser
        .wait_until("the chart is drawn dark", || async {
            let v = d.execute(CHART_CORNER, Vec::new()).await?;
            Ok(v.json().as_str() == Some(DARK_BG))
        })
        .await?;

    // And in the light theme, the same pages pass the same rules.
    prefer(&browser, "light").await?;
    for (path, ready) in PAGES {
        d.goto(format!("{}{path}", portal.base)).await?;
        browser.wait_for(ready).await?;
        assert_eq!(colours(&browser).await?[0], LIGHT_BG, "{path}");
        browser
            .assert_accessible()
            .await
            .map_err(|e| anyhow::anyhow!("{path} in the light theme: {e}"))?;
    }
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_forces_the_theme_whatever_the_browser_prefers() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    let set_theme = |theme: &'static str| async move {
        d.execute(
            "document.body.setAttribute('theme', arguments[0]);",
            vec![json!(theme)],
        )
        .await
    };

    // The browser prefers dark; the host says light.
    prefer(&browser, "dark").await?;
    d.goto(format!("{}/", portal.base)).await?;
    browser.wait_for_usage_page().await?;
    assert_eq!(colours(&browser).await?[0], DARK_BG);
    set_theme("light").await?;
    assert_eq!(
        colours(&browser).await?,
        [LIGHT_BG, "rgb(28, 34, 48)", "light"]
    );
    browser.assert_accessible().await?;

    // The browser prefers light; the host says dark.
    prefer(&browser, "light").await?;
    set_theme("dark").await?;
    assert_eq!(colours(&browser).await?[0], DARK_BG);
    browser.assert_accessible().await?;
    // Or through the custom property, where the browser has style queries (Chromium has).
    set_theme("none").await?;
    assert_eq!(colours(&browser).await?[0], LIGHT_BG);
    d.execute(
        "document.body.style.setProperty('--up-theme', 'dark');",
        Vec::new(),
    )
    .await?;
    assert_eq!(colours(&browser).await?[0], DARK_BG);
    browser.assert_accessible().await?;
    // A host's own colour still wins over either theme's default.
    d.execute(
        "document.body.style.setProperty('--up-color-bg', '#202020');",
        Vec::new(),
    )
    .await?;
    assert_eq!(colours(&browser).await?[0], "rgb(32, 32, 32)");
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
