//! What the README's "Accessibility" section claims, in headless Chromium against the real
//! server: every page is walked with the Tab key alone, in the order it reads, each stop named
//! and its focus in sight; nothing jumps the order; status messages are live regions; motion
//! stops for those who ask. (Contrast and names and roles: axe, on every page in both themes,
//! in themes.rs.)

use serde_json::json;
use thirtyfour::prelude::*;
use usage_e2e::{Browser, Portal};

/// The focused element: where it is in the document (its index among all elements), whether
/// it is inside the portal, its accessible name as a screen reader would start to compute it,
/// and whether its focus is drawn (an outline or a ring).
const FOCUSED: &str = "
    const el = document.activeElement;
    // Focus inside a control's own parts (a date field's calendar button) is the browser's
    // to draw: the control itself no longer matches :focus then.
    if (!el || el === document.body || !el.matches(':focus')) return null;
    const all = Array.from(document.querySelectorAll('*'));
    const s = getComputedStyle(el);
    const labelled = el.getAttribute('aria-labelledby');
    const name = (el.getAttribute('aria-label')
        || (labelled && labelled.split(' ').map(id => document.getElementById(id)?.textContent || '').join(' '))
        || (el.labels && Array.from(el.labels).map(l => l.textContent).join(' '))
        || el.textContent || el.getAttribute('title') || el.getAttribute('value') || '').trim();
    const drawn = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
    return { at: all.indexOf(el), inside: !!el.closest('.up-root'), tag: el.tagName.toLowerCase(),
             name, drawn, id: el.id, cls: el.className && String(el.className) };";

/// Each page, what shows it is ready, and a control its keyboard path must reach.
const PAGES: &[(&str, &str, &str)] = &[
    ("/", "table.up-records tbody tr", "Apply"),
    ("/reports", "#reports-title", "Create report"),
    ("/billing", "#billing-title", "Show"),
    ("/budgets", "#budgets-title", "Create budget"),
    ("/record", "#record-title", "Record usage"),
];

#[tokio::test(flavor = "multi_thread")]
async fn every_page_is_walked_by_keyboard_in_reading_order_with_focus_in_sight()
-> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    for (path, ready, must_reach) in PAGES {
        d.goto(format!("{}{path}", portal.base)).await?;
        browser.wait_for(ready).await?;
        let jumps = d
            .execute(
                "return Array.from(document.querySelectorAll('[tabindex]')).filter(e => e.tabIndex > 0).length;",
                Vec::new(),
            )
            .await?;
        assert_eq!(
            jumps.json(),
            &json!(0),
            "{path}: an element jumps the tab order"
        );
        let mut stops: Vec<serde_json::Value> = Vec::new();
        for _ in 0..120 {
            d.action_chain().send_keys(Key::Tab).perform().await?;
            let f = d.execute(FOCUSED, Vec::new()).await?.json().clone();
            if f.is_null() {
                continue;
            }
            if stops.first().is_some_and(|s| s["at"] == f["at"]) {
                break; // round the page and back to the first stop
            }
            stops.push(f);
        }
        let inside: Vec<&serde_json::Value> =
            stops.iter().filter(|s| s["inside"] == true).collect();
        assert!(
            inside.len() >= 3,
            "{path}: the Tab key reaches the portal's controls: {stops:?}"
        );
        for s in &inside {
            assert_eq!(s["drawn"], true, "{path}: focus is not drawn on {s}");
            assert!(
                !s["name"].as_str().unwrap_or_default().is_empty(),
                "{path}: a stop without a name: {s}"
            );
        }
        // The order is the document's: each stop after the one before, until it wraps.
        let order: Vec<i64> = inside.iter().map(|s| s["at"].as_i64().unwrap()).collect();
        let wraps = order.windows(2).filter(|w| w[1] < w[0]).count();
        assert!(wraps <= 1, "{path}: focus jumps back and forth: {order:?}");
        assert!(
            inside
                .iter()
                .any(|s| s["name"].as_str().is_some_and(|n| n.contains(must_reach))),
            "{path}: the keyboard path does not reach '{must_reach}': {inside:?}"
        );
    }
    browser.assert_no_console_errors().await?;
    browser.quit().await
}

#[tokio::test(flavor = "multi_thread")]
async fn status_is_announced_and_motion_stops_on_request() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    d.cdp()
        .send_raw(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-reduced-motion", "value": "reduce" }] }),
        )
        .await?;
    d.goto(format!("{}/", portal.base)).await?;
    browser.wait_for_usage_page().await?;
    // What changes on its own is said: the page's status lines are live regions.
    let live = d
        .execute(
            "return Array.from(document.querySelectorAll('.up-root [role=status], .up-root [role=alert], .up-root [aria-live]')).length;",
            Vec::new(),
        )
        .await?;
    assert!(
        live.json().as_u64().unwrap_or(0) >= 1,
        "no live region on the Usage page"
    );
    // Nothing moves for longer than a blink when less motion is asked for.
    let moving = d
        .execute(
            "return Array.from(document.querySelectorAll('.up-root, .up-root *')).filter(e => {
                 const s = getComputedStyle(e);
                 const long = v => v.split(',').some(t => parseFloat(t) * (t.trim().endsWith('ms') ? 1 : 1000) > 1);
                 return long(s.transitionDuration) || (s.animationName !== 'none' && long(s.animationDuration));
             }).map(e => e.tagName + '.' + e.className).slice(0, 5);",
            Vec::new(),
        )
        .await?;
    assert_eq!(moving.json(), &json!([]), "elements still animate");
    let rule = d
        .execute(
            "const p = document.createElement('p'); p.style.transition = 'opacity 2s';
             document.querySelector('.up-root').append(p);
             const t = getComputedStyle(p).transitionDuration; p.remove(); return t;",
            Vec::new(),
        )
        .await?;
    let secs = rule
        .json()
        .as_str()
        .and_then(|t| t.trim_end_matches('s').parse::<f64>().ok());
    assert!(
        secs.is_some_and(|s| s <= 0.001),
        "a transition is cut short: {rule:?}"
    );
    browser.assert_no_console_errors().await?;
    browser.quit().await
}
