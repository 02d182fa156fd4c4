//! The portal embedded in a host admin site (examples/host-admin, the README's example) served
//! from another loopback origin than the API, under the strict CSP, with tokens from the
//! host's `getToken`: real data, navigation, an expired token refreshed, the host's styles
//! untouched, events heard by the host, and nothing left behind by unmount.

use serde_json::{Value, json};
use thirtyfour::By;
use usage_e2e::host::{self, HostOptions, TOKEN_LABEL};
use usage_e2e::{Browser, Portal, api_rows, root};

/// Counts what the portal leaves running: listeners on window and document, and pending
/// timers and animation frames, added from the portal's files (under /portal/; the host's own
/// scripts and axe-core are not counted). Installed before any page script runs.
const INSTRUMENT: &str = r#"
(() => {
  const listeners = [], timers = new Set();
  const fromPortal = () => (new Error().stack ?? "").includes("/portal/");
  const capture = (o) => (typeof o === "boolean" ? o : !!(o && o.capture));
  const same = (t, type, fn, opts) => (l) => l.t === t && l.type === type && l.fn === fn && l.c === capture(opts);
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    if ((this === window || this === document) && fromPortal() && !listeners.some(same(this, type, fn, opts))) {
      listeners.push({ t: this, type, fn, c: capture(opts) });
    }
    return add.call(this, type, fn, opts);
  };
  EventTarget.prototype.removeEventListener = function (type, fn, opts) {
    const i = listeners.findIndex(same(this, type, fn, opts));
    if (i >= 0) listeners.splice(i, 1);
    return remove.call(this, type, fn, opts);
  };
  const wrap = (set, clear, once) => {
    const s = window[set], c = window[clear];
    window[set] = function (fn, ...rest) {
      let id;
      const run = once && typeof fn === "function" ? (...a) => { timers.delete(set + id); return fn(...a); } : fn;
      id = s.call(window, run, ...rest);
      if (fromPortal()) timers.add(set + id);
      return id;
    };
    window[clear] = function (id) { timers.delete(set + id); return c.call(window, id); };
  };
  wrap("setTimeout", "clearTimeout", true);
  wrap("setInterval", "clearInterval", false);
  wrap("requestAnimationFrame", "cancelAnimationFrame", true);
  window.__leftovers = () => ({
    listeners: listeners.map((l) => `${l.t === window ? "window" : "document"} ${l.type}`),
    timers: [...timers],
  });
})();
"#;

/// The host's own elements and the computed styles host.css gives them.
const HOST_STYLES: &[(&str, &str, &str)] = &[
    ("body", "background-color", "rgb(240, 237, 230)"),
    ("body", "font-family", "Georgia, serif"),
    ("body", "margin-top", "0px"),
    (".host-header h1", "color", "rgb(250, 250, 250)"),
    (".host-header h1", "font-size", "22px"),
    (".host-nav a", "color", "rgb(0, 110, 60)"),
    ("#host-close", "background-color", "rgb(255, 220, 120)"),
    ("#host-close", "border-top-left-radius", "0px"),
    ("main.host-main > h2", "color", "rgb(120, 20, 60)"),
];

async fn assert_host_styles(browser: &Browser) -> anyhow::Result<()> {
    for (css, property, expected) in HOST_STYLES {
        let value: String = browser
            .driver
            .execute(
                "return getComputedStyle(document.querySelector(arguments[0])).getPropertyValue(arguments[1]);",
                vec![Value::from(*css), Value::from(*property)],
            )
            .await?
            .convert()?;
        assert_eq!(&value, expected, "{css} {property}");
    }
    Ok(())
}

async fn host_events(browser: &Browser) -> anyhow::Result<Vec<String>> {
    Ok(browser
        .driver
        .execute(
            "return Array.from(document.querySelectorAll('#host-events li')).map(li => li.textContent);",
            Vec::new(),
        )
        .await?
        .convert()?)
}

async fn leftovers(browser: &Browser) -> anyhow::Result<Value> {
    Ok(browser
        .driver
        .execute("return window.__leftovers();", Vec::new())
        .await?
        .json()
        .clone())
}

/// The README's embedding example is the example host page, word for word.
#[test]
fn the_readme_example_is_the_example_host_page() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for file in ["index.html", "host.js"] {
        let marker = format!("<!-- examples/host-admin/{file} -->");
        let at = readme
            .find(&marker)
            .unwrap_or_else(|| panic!("README has no {marker}"));
        let block = &readme[at..];
        let start = block.find("```").unwrap();
        let body_start = start + block[start..].find('\n').unwrap() + 1;
        let end = body_start + block[body_start..].find("\n```").unwrap() + 1;
        let example =
            std::fs::read_to_string(root().join("examples/host-admin").join(file)).unwrap();
        assert_eq!(block[body_start..end], example, "README block for {file}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portal_embedded_in_a_host_admin_site() -> anyhow::Result<()> {
    let (listener, host_origin) = host::bind("127.0.0.1:0".parse()?).await?;
    let portal = Portal::start_with(20_000, "", vec![host_origin.clone()]).await?;
    let dist = usage_e2e::dist();
    let minted = host::serve(
        listener,
        HostOptions {
            api_origin: portal.origin.clone(),
            dist,
            example_dir: root().join("examples/host-admin"),
            pool: portal.state.pool.clone(),
            realm: portal.realm.clone(),
            token_ttl_secs: 600,
        },
    )?;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    browser.before_each_page(INSTRUMENT).await?;

    // Real data, through a token from the host's getToken.
    let today = portal.today();
    let query = format!(
        "startDate={}&endDate={}&detailLevel=day&limit=10",
        today - chrono::Days::new(30),
        today + chrono::Days::new(1)
    );
    d.goto(format!("{host_origin}/admin/usage/?{query}"))
        .await?;
    browser
        .wait_for("usage-portal .up-root table.up-records tbody tr")
        .await?;
    let api = portal
        .api(&format!("/usage/realms/{}?{query}", portal.realm))
        .await?;
    assert_eq!(browser.shown_rows().await?, api_rows(&api));
    assert_eq!(minted.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_host_styles(&browser).await?;
    // While mounted, the counting sees the router's listeners (so "none left" means something).
    let running = leftovers(&browser).await?;
    for expected in ["window popstate", "window click"] {
        assert!(
            running["listeners"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l == expected),
            "{expected} counted while mounted: {running}"
        );
    }
    browser.assert_accessible().await?;

    // Navigation: the portal's links stay under the base path, and the host hears of them.
    d.find(By::Css("usage-portal nav a[href='/admin/usage/reports']"))
        .await?
        .click()
        .await?;
    browser
        .wait_until("the Reports page under /admin/usage", || async {
            Ok(d.current_url().await?.path() == "/admin/usage/reports")
        })
        .await?;
    browser.wait_for("usage-portal #f-from").await?;
    browser
        .wait_until("the host heard the navigation", || async {
            Ok(host_events(&browser).await?.iter().any(|e| {
                e.starts_with("usage-portal:navigate") && e.contains("\"/admin/usage/reports\"")
            }))
        })
        .await?;

    // A report requested in the embedded portal: the host hears when it is ready.
    let id = browser.request_report().await?;
    browser
        .wait_until("the host heard the report is ready", || async {
            let id = id.clone();
            Ok(host_events(&browser).await?.iter().any(|e| {
                e.starts_with("usage-portal:report-ready") && e.contains(&format!("\"{id}\""))
            }))
        })
        .await?;

    // The token expires: the next request is refused, the portal asks the host for a fresh
    // token and carries on; the user sees data, not a sign-in error.
    let expired = portal
        .state
        .pool
        .sqlite()
        .expect("a SQLite pool")
        .get()?
        .execute(
            "UPDATE tokens SET expires = 1 WHERE label = ?1",
            [TOKEN_LABEL],
        )?;
    assert_eq!(expired, 1);
    d.find(By::Css("usage-portal nav a[href='/admin/usage/billing']"))
        .await?
        .click()
        .await?;
    browser
        .wait_for("usage-portal table.up-billing tbody tr")
        .await?;
    // The page's other request (the org's accounts) has its answer too.
    browser.wait_for("usage-portal .up-inline input").await?;
    // One new token; a second when the page's two requests were refused on either side of
    // the host's first refresh.
    let n = minted.load(std::sync::atomic::Ordering::SeqCst);
    assert!((2..=3).contains(&n), "tokens minted: {n}");
    let events = host_events(&browser).await?;
    assert!(
        !events.iter().any(|e| e.starts_with("usage-portal:error")),
        "no error after a refreshed token: {events:?}"
    );
    assert!(
        d.find_all(By::Css("usage-portal .up-error"))
            .await?
            .is_empty()
    );
    browser
        .assert_no_console_errors_but(&["401 (Unauthorized)"])
        .await?;

    // The host closes the portal (the element leaves the page, which unmounts it): no node,
    // listener or timer of the portal is left, and the host's styles are as they were.
    d.find(By::Css("#host-close")).await?.click().await?;
    browser
        .wait_until("the portal is gone", || async {
            Ok(d.find_all(By::Css(".up-root")).await?.is_empty())
        })
        .await?;
    let left = leftovers(&browser).await?;
    assert_eq!(
        left,
        json!({ "listeners": [], "timers": [] }),
        "after unmount"
    );
    assert_host_styles(&browser).await?;

    // The JS API: mount() into a plain element and unmount() it again.
    let mounted: Value = d
        .execute_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               const { mount } = await import('/portal/embed.js');
               const el = document.createElement('section');
               el.id = 'second';
               document.querySelector('main.host-main').prepend(el);
               window.__second = await mount(el, {
                 apiBase: arguments[0], realm: arguments[1], basePath: '/admin/usage',
                 getToken: async () => (await (await fetch('/admin/session/token', { method: 'POST' })).json()).token,
               });
               return 'mounted';
             })().then(done, (e) => done(String(e)));",
            vec![Value::from(portal.origin.clone()), Value::from(portal.realm.clone())],
        )
        .await?
        .json()
        .clone();
    assert_eq!(mounted, "mounted");
    browser.wait_for("#second .up-root table").await?;
    d.execute("window.__second.unmount();", Vec::new()).await?;
    let children: u64 = d
        .execute(
            "return document.getElementById('second').childNodes.length;",
            Vec::new(),
        )
        .await?
        .convert()?;
    assert_eq!(children, 0, "unmount() leaves the element empty");
    let left = leftovers(&browser).await?;
    assert_eq!(
        left,
        json!({ "listeners": [], "timers": [] }),
        "after unmount()"
    );

    // An element with a bad setting says so in words, in the page, instead of staying blank.
    d.execute(
        "const el = document.createElement('usage-portal');
         el.id = 'broken';
         el.setAttribute('api-base', arguments[0]);
         el.setAttribute('realm', 'no such realm!');
         document.querySelector('main.host-main').prepend(el);",
        vec![Value::from(portal.origin.clone())],
    )
    .await?;
    let alert = browser.wait_for("#broken p[role=alert]").await?[0]
        .text()
        .await?;
    assert!(
        alert.starts_with("The usage portal could not be loaded.")
            && alert.contains("options.realm"),
        "{alert}"
    );
    browser
        .assert_no_console_errors_but(&["401 (Unauthorized)"])
        .await?;
    browser.quit().await
}
