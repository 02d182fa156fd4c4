//! The end-to-end harness: the real server on a free loopback port with demo data and the
//! built portal, and headless Chromium driven through chromedriver.
//!
//! Every page visit can be checked for console errors and scanned with axe-core.

pub mod host;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use thirtyfour::prelude::*;
use thirtyfour::{ChromiumLikeCapabilities, LoggingPrefsLogLevel};
use usage_server::{AppOptions, AppState, Bound, PortalConfig, auth, db, demo};

/// The built portal under test: `PORTAL_DIST`, else `dist/`.
pub fn dist() -> PathBuf {
    std::env::var_os("PORTAL_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("dist"))
}

/// The files in `dir` whose names start with `prefix` and end with `suffix`, sorted.
pub fn files_named(dir: &Path, prefix: &str, suffix: &str) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with(prefix) && name.ends_with(suffix) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running server with demo data and the built portal.
pub struct Portal {
    /// The portal's URL: `http://127.0.0.1:port` and the base path, if any.
    pub base: String,
    /// The API's origin, `http://127.0.0.1:port`.
    pub origin: String,
    /// The partner org's token.
    pub token: String,
    /// The realm the portal shows.
    pub realm: String,
    /// The server's state (its database and report worker), for setting up situations.
    pub state: AppState,
    /// The run's "now" (UTC), where the demo data ends: every date a test uses derives from
    /// it. The browser's clock is the same system clock (`scripts/test-dates.sh` moves it for
    /// the server, the browser and the tests alike).
    pub now: chrono::NaiveDateTime,
    dir: tempfile::TempDir,
}

impl Portal {
    /// Starts the server on a free port, with `records` demo records ending at the run's
    /// "now" ([`usage_test_clock::now`]), serving a
    /// copy of the built portal (`PORTAL_DIST`, default `dist/`) with its config.json.
    pub async fn start(records: u64) -> Result<Self> {
        Self::start_at(records, "").await
    }

    /// As [`Portal::start`], with the portal served under `base_path` (e.g. `/admin/usage`);
    /// `base` then ends with it.
    pub async fn start_at(records: u64, base_path: &str) -> Result<Self> {
        Self::start_with(records, base_path, Vec::new()).await
    }

    /// As [`Portal::start_at`], allowing these origins to call the API (CORS).
    pub async fn start_with(
        records: u64,
        base_path: &str,
        cors_origins: Vec<String>,
    ) -> Result<Self> {
        let dist = dist();
        if !dist.join("index.html").exists() {
            bail!(
                "no built portal in {} (run trunk build first)",
                dist.display()
            );
        }
        let dir = tempfile::tempdir()?;
        let site = dir.path().join("site");
        copy_dir(&dist, &site)?;
        let pool = db::open(&dir.path().join("usage.db"))?;
        let until = usage_test_clock::now();
        let p = pool.clone();
        tokio::task::spawn_blocking(move || {
            demo::load(
                &p,
                &demo::DemoOptions {
                    records,
                    until,
                    seed: 42,
                },
            )
        })
        .await??;
        let token =
            auth::create_token(&mut pool.get()?.conn(), demo::PARTNER, auth::SCOPES, "e2e")?;
        let config = PortalConfig {
            api_base: String::new(),
            realm: demo::PARTNER.to_owned(),
            token: token.clone(),
            base_path: base_path.to_owned(),
        };
        std::fs::write(site.join("config.json"), serde_json::to_vec(&config)?)?;
        let opts = AppOptions {
            static_dir: Some(site),
            cors_origins,
            strict_csp: true,
            base_path: Some(base_path.to_owned()),
        };
        let state = AppState::new(pool, dir.path().join("reports"))?;
        let bound = Bound::bind("127.0.0.1:0".parse()?, state.clone(), &opts).await?;
        let addr = bound.spawn();
        Ok(Self {
            state,
            now: until,
            base: format!("http://{addr}{base_path}"),
            origin: format!("http://{addr}"),
            token,
            realm: demo::PARTNER.to_owned(),
            dir,
        })
    }

    /// The run's date (UTC).
    pub fn today(&self) -> chrono::NaiveDate {
        self.now.date()
    }

    /// Adds a subscription to the portal's realm that no demo usage touches, named
    /// `Test <label>`, and returns its billing id.
    pub fn add_subscription(&self, label: &str, price: &str) -> Result<String> {
        let id = format!("SUB-T-{label}");
        demo::add_subscription(
            &mut self.state.pool.get()?.conn(),
            &self.realm,
            &id,
            &format!("Test {label}"),
            price,
            None,
        )?;
        Ok(id)
    }

    /// The directory the server serves the portal from: this test's own copy of the build.
    pub fn site(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    /// GETs an API path with the token and returns its JSON.
    pub async fn api(&self, path: &str) -> Result<Value> {
        let resp = reqwest::Client::new()
            .get(format!("{}{path}", self.origin))
            .bearer_auth(&self.token)
            .send()
            .await?;
        let status = resp.status();
        let body: Value = resp.json().await?;
        if !status.is_success() {
            bail!("{path}: HTTP {status}: {body}");
        }
        Ok(body)
    }
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A chromedriver process and a headless Chromium session.
pub struct Browser {
    /// The WebDriver session.
    pub driver: WebDriver,
    chromedriver: tokio::process::Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts chromedriver on a free port and waits until it says it is ready. A port found free
/// may be taken by another test's process before chromedriver binds it, and a busy machine
/// may start it slowly: then it is stopped and started again on another port, three times.
async fn start_chromedriver(driver_bin: &str) -> Result<(tokio::process::Child, String)> {
    let http = reqwest::Client::new();
    let mut last = String::new();
    for _ in 0..3 {
        let port = free_port()?;
        let mut chromedriver = tokio::process::Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {driver_bin}"))?;
        let url = format!("http://127.0.0.1:{port}");
        // Ready means chromedriver says so on /status, not merely that its port accepts.
        for _ in 0..400 {
            if let Some(status) = chromedriver.try_wait()? {
                last = format!("chromedriver on port {port} exited: {status}");
                break;
            }
            let ready = match http.get(format!("{url}/status")).send().await {
                Ok(r) => r
                    .json::<Value>()
                    .await
                    .ok()
                    .is_some_and(|v| v["value"]["ready"] == true),
                Err(_) => false,
            };
            if ready {
                return Ok((chromedriver, url));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if last.is_empty() {
            last = format!("chromedriver on port {port} was not ready in 20 s");
        }
        let _ = chromedriver.kill().await;
    }
    anyhow::bail!("{last}")
}

impl Browser {
    /// Starts chromedriver (`CHROMEDRIVER`, default /usr/bin/chromedriver) and Chromium
    /// (`CHROMIUM`, default /usr/bin/chromium) headless, with the flags that keep it off the network.
    pub async fn start() -> Result<Self> {
        let driver_bin =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_owned());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let (chromedriver, url) = start_chromedriver(&driver_bin).await?;
        let profile = tempfile::tempdir()?;
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&chromium)?;
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            "--lang=en-US",
        ] {
            caps.add_arg(arg)?;
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))?;
        caps.set_browser_log_level(LoggingPrefsLogLevel::All)?;
        let driver = WebDriver::new(&url, caps)
            .await
            .context("starting a Chromium session")?;
        Ok(Self {
            driver,
            chromedriver,
            _profile: profile,
        })
    }

    /// Fails when the page logged an error or threw since the last check.
    pub async fn assert_no_console_errors(&self) -> Result<()> {
        self.assert_no_console_errors_but(&[]).await
    }

    /// As [`Browser::assert_no_console_errors`], except messages containing one of `expected`
    /// (such as the browser's own line about a 401 a test provoked on purpose).
    pub async fn assert_no_console_errors_but(&self, expected: &[&str]) -> Result<()> {
        let errors: Vec<String> = self
            .driver
            .browser_log()
            .await?
            .into_iter()
            .filter(|e| e.level == "SEVERE")
            .map(|e| e.message)
            .filter(|m| !expected.iter().any(|x| m.contains(x)))
            .collect();
        if !errors.is_empty() {
            bail!("console errors in the page:\n{}", errors.join("\n"));
        }
        Ok(())
    }

    /// Runs axe-core on the current page; fails on any serious or critical violation.
    pub async fn assert_accessible(&self) -> Result<()> {
        let axe_path = root().join(".tools/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&axe_path)
            .with_context(|| format!("{} (run scripts/setup.sh)", axe_path.display()))?;
        self.driver.execute(&axe, Vec::new()).await?;
        let result = self
            .driver
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                        .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }))))
                    .catch(e => done([{ id: 'axe-failed', help: String(e) }]));",
                Vec::new(),
            )
            .await?;
        let violations = result.json().as_array().cloned().unwrap_or_default();
        if !violations.is_empty() {
            bail!(
                "accessibility violations: {}",
                serde_json::to_string_pretty(&violations)?
            );
        }
        Ok(())
    }

    /// Waits for the Usage page's first table rows, then for its filter bar and totals, whose
    /// code is fetched once that table is on screen (src/lazy.rs): what a person sees before
    /// using either. Returns the rows.
    pub async fn wait_for_usage_page(&self) -> Result<Vec<WebElement>> {
        let rows = self.wait_for("table.up-records tbody tr").await?;
        self.wait_for("form.up-filters").await?;
        self.wait_for(".up-summary").await?;
        Ok(rows)
    }

    /// Runs `script` in every page this browser loads from now on, before the page's own
    /// scripts (to watch or measure the page from inside it, with nothing in the portal).
    pub async fn before_each_page(&self, script: &str) -> Result<()> {
        self.driver
            .cdp()
            .send_raw(
                "Page.addScriptToEvaluateOnNewDocument",
                serde_json::json!({ "source": script }),
            )
            .await?;
        Ok(())
    }

    /// Waits until `css` matches at least one element, up to 15 seconds.
    pub async fn wait_for(&self, css: &str) -> Result<Vec<WebElement>> {
        for _ in 0..150 {
            let found = self.driver.find_all(By::Css(css)).await?;
            if !found.is_empty() {
                return Ok(found);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = self
            .driver
            .find(By::Tag("body"))
            .await?
            .text()
            .await
            .unwrap_or_default();
        bail!("timed out waiting for '{css}'; the page shows:\n{body}")
    }

    /// Waits until `check` holds for the page, up to 15 seconds.
    pub async fn wait_until<F, Fut>(&self, what: &str, mut check: F) -> Result<()>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<bool>>,
    {
        for _ in 0..150 {
            if check().await? {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = self
            .driver
            .find(By::Tag("body"))
            .await?
            .text()
            .await
            .unwrap_or_default();
        bail!("timed out waiting until {what}; the page shows:\n{body}")
    }

    /// The text of every cell of the table's body, row by row.
    pub async fn table_rows(&self) -> Result<Vec<Vec<String>>> {
        let rows = self
            .driver
            .execute(
                "return Array.from(document.querySelectorAll('table.up-records tbody tr'))
                    .map(tr => Array.from(tr.cells).map(td => td.textContent.trim()));",
                Vec::new(),
            )
            .await?;
        Ok(rows.convert()?)
    }

    /// The usage table as (subscription, charge item, usage) rows, usage as a plain decimal,
    /// to compare with [`api_rows`].
    pub async fn shown_rows(&self) -> Result<Vec<(String, String, String)>> {
        let headers = self.table_headers().await?;
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .with_context(|| format!("no column {name} in {headers:?}"))
        };
        let (sub, name, usage) = (col("Subscription")?, col("Charge item")?, col("Usage")?);
        Ok(self
            .table_rows()
            .await?
            .iter()
            .map(|r| (r[sub].clone(), r[name].clone(), plain_number(&r[usage])))
            .collect())
    }

    /// On the Reports page: a report of the `days` days before `today` at day level in the form.
    pub async fn fill_report_form(&self, today: chrono::NaiveDate, days: u64) -> Result<()> {
        self.set_value("#f-from", &(today - chrono::Days::new(days)).to_string())
            .await?;
        self.set_value("#f-to", &today.to_string()).await?;
        self.driver
            .find(By::Css("#f-detailLevel"))
            .await?
            .click()
            .await?;
        self.driver
            .find(By::Css("#f-detailLevel option[value=day]"))
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// On the Reports page: sends the form, waits until the newest report has completed and
    /// returns its id.
    pub async fn request_report(&self) -> Result<String> {
        self.driver
            .find(By::Css(".up-filters button[type=submit]"))
            .await?
            .click()
            .await?;
        self.wait_for("td.up-report-status[data-status=completed]")
            .await?;
        Ok(self
            .driver
            .execute(
                "return document.querySelector('table.up-reports tbody th').textContent.trim();",
                Vec::new(),
            )
            .await?
            .convert()?)
    }

    /// The table's column headings.
    pub async fn table_headers(&self) -> Result<Vec<String>> {
        let heads = self
            .driver
            .execute(
                "return Array.from(document.querySelectorAll('table.up-records thead th')).map(th => th.textContent.trim());",
                Vec::new(),
            )
            .await?;
        Ok(heads.convert()?)
    }

    /// Sets a form control's value the way typing does (an `input` event), for controls such
    /// as date inputs whose keyboard entry depends on the locale.
    pub async fn set_value(&self, css: &str, value: &str) -> Result<()> {
        self.driver
            .execute(
                "const el = document.querySelector(arguments[0]);
                 el.focus();
                 el.value = arguments[1];
                 el.dispatchEvent(new Event('input', { bubbles: true }));
                 el.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![Value::from(css), Value::from(value)],
            )
            .await?;
        Ok(())
    }

    /// How many requests the page has made to the usage API so far (but the budget notice's
    /// reads of `…/budgets`, which every page makes a moment after it starts).
    pub async fn api_requests(&self) -> Result<u64> {
        let n = self
            .driver
            .execute(
                "return performance.getEntriesByType('resource').filter(e => e.name.includes('/usage/realms/') && !e.name.includes('/budgets')).length;",
                Vec::new(),
            )
            .await?;
        Ok(n.convert()?)
    }

    /// The current URL's query parameters.
    pub async fn url_params(&self) -> Result<Vec<(String, String)>> {
        let url = self.driver.current_url().await?;
        Ok(url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect())
    }

    /// Ends the session and chromedriver.
    pub async fn quit(mut self) -> Result<()> {
        self.driver.quit().await?;
        let _ = self.chromedriver.kill().await;
        Ok(())
    }
}

/// An API usage page as (subscription, charge item, usage) rows, as [`Browser::shown_rows`]
/// reads the table.
pub fn api_rows(page: &Value) -> Vec<(String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        text(&i["billingSubscriptionId"]),
                        text(&i["name"]),
                        text(&i["usageValue"]),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Removes grouping separators so a formatted number compares with the API's decimal string.
pub fn plain_number(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect()
}
