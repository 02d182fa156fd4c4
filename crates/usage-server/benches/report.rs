//! Time to generate a 1,000,000-record report.
//!
//! `cargo bench -p usage-server --bench report` builds (once) a database where one org's
//! subscription meters 10,600 resources daily for 95 days (1,007,000 daily rollup rows), then
//! times `POST …/reports?detailLevel=day&groupBy=resource` until its status is completed.
//! Target: at most 5 s. With `BENCH_DB` (a `postgres://` URL) the database is that one.

use std::time::{Duration, Instant};
use usage_server::store::sql::TxKind;
use usage_server::{AppOptions, AppState, Bound, auth, db, demo};

const RESOURCES: i64 = 10_600;
const DAYS: i64 = 95;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir)?;
    let path = std::env::var("BENCH_DB")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| dir.join("report-1m.db").to_string_lossy().into_owned());
    let pool = db::off_runtime(|| db::open_url(&path, &db::PoolOptions::default()))?;
    println!("backend: {:?}", pool.backend());
    let start = usage_api::Timestamp::parse("2026-06-01")
        .ok_or_else(|| anyhow::anyhow!("date"))?
        .unix();
    {
        let mut pooled = pool.get()?;
        let mut conn = pooled.conn();
        let exists: bool = conn.one(
            "SELECT EXISTS(SELECT 1 FROM orgs WHERE realm_id = 'bench-fleet')",
            &[],
            |r| r.get(0),
        )?;
        if !exists {
            let t = Instant::now();
            let sub = conn.transaction(TxKind::Write, |tx| {
                tx.exec(
                    "INSERT INTO orgs (realm_id, name) VALUES ('bench-fleet', 'Bench Fleet')",
                    &[],
                )?;
                tx.one(
                    "INSERT INTO subscriptions (billing_subscription_id, realm_id, feature_id, billing_charge_number, category, name,
                         value_driver, usage_type_code, price, currency) VALUES
                     ('SUB-BENCH', 'bench-fleet', 'hrn:here:service::olp-here:routing-8', 'C-1', 'Location Services', 'Routing',
                      'transactions', 'RTG', '0.0045', 'USD') RETURNING id",
                    &[],
                    |r| r.get::<i64>(0),
                )
            })?;
            demo::load_fleet(&mut conn, sub, start, DAYS, RESOURCES)?;
            println!("built {} in {:.1} s", path, t.elapsed().as_secs_f64());
        }
    }
    let token = auth::create_token(
        &mut pool.get()?.conn(),
        "bench-fleet",
        auth::SCOPES,
        "bench",
    )?;
    let state = AppState::new(pool, dir.join("reports"))?;
    let bound = Bound::bind("127.0.0.1:0".parse()?, state, &AppOptions::default()).await?;
    let base = format!("http://{}", bound.spawn());
    let client = reqwest::Client::new();
    let end = start + DAYS * 86_400;
    let (s, e) = (
        usage_api::Timestamp::from_unix(start).unwrap_or_else(|| unreachable!()),
        usage_api::Timestamp::from_unix(end).unwrap_or_else(|| unreachable!()),
    );
    let url = format!(
        "{base}/usage/realms/bench-fleet/reports?startDate={s}&endDate={e}&detailLevel=day&groupBy=resource"
    );
    let t = Instant::now();
    let resp = client.post(&url).bearer_auth(&token).send().await?;
    anyhow::ensure!(resp.status() == 201, "create: {}", resp.status());
    let location = resp.headers()["location"].to_str()?.to_owned();
    let status = loop {
        let v: serde_json::Value = client
            .get(format!("{base}{location}"))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        if v["status"] != "inProgress" {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let secs = t.elapsed().as_secs_f64();
    println!(
        "report of {} records ({} bytes, truncated: {}) generated in {secs:.2} s, status {}",
        status["rowCount"], status["byteSize"], status["truncated"], status["status"]
    );
    Ok(())
}
