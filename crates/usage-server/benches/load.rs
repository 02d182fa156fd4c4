//! Throughput and latency under load (issue 13, "Throughput without losing anything").
//!
//! `cargo bench -p usage-server --bench load` builds a fresh database of demo data under
//! target/bench/, starts the server on loopback and runs two loads at `LOAD_CLIENTS` (64)
//! concurrent clients, each with a token of its own:
//!
//! 1. `POST /usages` until `LOAD_POST_RECORDS` (100,000) records are sent: records/s, p50 and
//!    p99. Then every 201's accepted quantity is summed back through
//!    `GET /usage/realms/{realmId}` over the exact window the usage times were drawn from, in a
//!    subscription no demo usage touches: one missing or doubled fails the bench.
//! 2. Mixed for `LOAD_MIXED_SECS` (60 s): 80 % usage-page reads, 15 % writes, 5 % CSV
//!    downloads: p99 of the usage page and every status counted; any 5xx fails the bench (and
//!    the sums are checked again, writes of both loads together).
//!
//! The server is the `usage-server` binary cargo builds with the bench (so with the release
//! profile), or `LOAD_SERVER_BIN`: a process of its own, as in production. The load runs on one
//! thread, so the server keeps most of the machine.
//! Targets: ≥ 5,000 records/s with p99 ≤ 50 ms; usage page p99 ≤ 50 ms and no 5xx.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use usage_server::{auth, db, demo};

const PAGE_P99_TARGET_MS: f64 = 50.0;
const POST_P99_TARGET_MS: f64 = 50.0;
const RECORDS_PER_SEC_TARGET: f64 = 5_000.0;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

mod support;

use support::machine;

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    support::percentile(sorted, p).as_secs_f64() * 1e3
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// The server process, killed with the bench.
struct Server(std::process::Child);

impl Server {
    /// The CPU time the server has used so far (user and system), from /proc; `None` where
    /// there is no /proc. A figure that noisy neighbours on a shared machine move less than
    /// they move latency.
    fn cpu_secs(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.0.id())).ok()?;
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest = stat.rsplit_once(')')?.1;
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
        Some(ticks / 100.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server binary (built with this bench, so with its release profile) on `db_path`.
fn start_server(db: &str, dir: &std::path::Path) -> anyhow::Result<(Server, String)> {
    let bin = std::env::var_os("LOAD_SERVER_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_usage-server").into());
    // A port the OS found free a moment ago; the server binds it at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = std::process::Command::new(&bin)
        .arg("--db")
        .arg(db)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--static-dir")
        .arg(dir.join("no-portal"))
        .arg("--report-dir")
        .arg(dir.join("reports"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| anyhow::anyhow!("starting {}: {e}", bin.to_string_lossy()))?;
    Ok((Server(child), format!("http://127.0.0.1:{port}")))
}

/// What the loads need to know of the data.
struct Setup {
    /// The replicas' addresses; requests take turns among them, as behind a load balancer.
    bases: Vec<String>,
    turn: AtomicU64,
    tokens: Vec<String>,
    /// The subscription written to, which no demo usage touches.
    sub: String,
    /// Usage times are drawn from `[window_start, window_end - 60 s)`, whole hours at both ends
    /// so the rollups sum the window exactly.
    window_start: chrono::NaiveDateTime,
    window_end: chrono::NaiveDateTime,
}

impl Setup {
    /// The replica the next request goes to.
    fn base(&self) -> &str {
        let n = self.turn.fetch_add(1, Ordering::Relaxed) as usize;
        &self.bases[n % self.bases.len()]
    }

    fn usage_time(&self, n: u64) -> String {
        let span = (self.window_end - self.window_start).num_seconds() - 3_600;
        let t = self.window_start + chrono::TimeDelta::seconds((n * 7_919) as i64 % span);
        t.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

/// What a POST answered, counted exactly once.
#[derive(Default)]
struct Written {
    created: u64,
    requested_milli: i64,
    accepted_milli: i64,
}

/// Posts `body` until it is answered: a transport error is retried with the same `id`, so a
/// record the server did commit is answered as a replay (200) and counted once.
async fn post_usage(
    client: &reqwest::Client,
    s: &Setup,
    token: &str,
    body: &Value,
) -> anyhow::Result<(u16, Option<(i64, i64)>)> {
    let mut last = None;
    for _ in 0..5 {
        match client
            .post(format!("{}/usages", s.base()))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
        {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let body: Value = resp.json().await.unwrap_or(Value::Null);
                let quantities = (status == 201 || (status == 200 && last.is_some()))
                    .then(|| (milli(&body["requestedQuantity"]), milli(&body["quantity"])));
                return Ok((status, quantities));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(anyhow::anyhow!("POST /usages: {last:?}"))
}

fn milli(v: &Value) -> i64 {
    v.as_str()
        .and_then(|s| usage_api::Quantity::parse(s).ok())
        .map(|q| q.milli())
        .unwrap_or(0)
}

fn new_usage(s: &Setup, id: String, n: u64) -> Value {
    let milli = 1 + (n * 31) % 9_973;
    json!({
        "id": id,
        "subscriptionId": s.sub,
        "quantity": format!("{}.{:03}", milli / 1_000, milli % 1_000),
        "usageTime": s.usage_time(n),
        "appId": "load-bench",
    })
}

async fn post_load(
    client: &reqwest::Client,
    s: &Arc<Setup>,
    clients: usize,
    records: u64,
) -> anyhow::Result<Written> {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, s, next) = (client.clone(), Arc::clone(s), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let token = &s.tokens[c % s.tokens.len()];
            let mut times = Vec::new();
            let mut statuses = BTreeMap::<u16, u64>::new();
            let mut written = Written::default();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= records {
                    break;
                }
                let body = new_usage(&s, format!("post-{n}"), n);
                let t = Instant::now();
                let (status, q) = post_usage(&client, &s, token, &body).await?;
                times.push(t.elapsed());
                *statuses.entry(status).or_default() += 1;
                if let Some((requested, accepted)) = q {
                    written.created += 1;
                    written.requested_milli += requested;
                    written.accepted_milli += accepted;
                }
            }
            anyhow::Ok((times, statuses, written))
        }));
    }
    let mut times = Vec::new();
    let mut statuses = BTreeMap::<u16, u64>::new();
    let mut total = Written::default();
    for t in tasks {
        let (mut ts, st, w) = t.await??;
        times.append(&mut ts);
        for (k, v) in st {
            *statuses.entry(k).or_default() += v;
        }
        total.created += w.created;
        total.requested_milli += w.requested_milli;
        total.accepted_milli += w.accepted_milli;
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort();
    let rate = total.created as f64 / elapsed;
    let p50 = percentile_ms(&times, 0.50);
    let p99 = percentile_ms(&times, 0.99);
    println!(
        "POST /usages, {clients} clients: {} records in {elapsed:.1} s: {rate:.0} records/s, p50 {p50:.1} ms, p99 {p99:.1} ms \
         (target ≥ {RECORDS_PER_SEC_TARGET:.0}/s and p99 ≤ {POST_P99_TARGET_MS:.0} ms: {})",
        total.created,
        verdict(rate >= RECORDS_PER_SEC_TARGET && p99 <= POST_P99_TARGET_MS)
    );
    println!("POST /usages statuses: {statuses:?}");
    Ok(total)
}

/// Fails unless the service's sums of the subscription equal what its 201s accepted.
async fn check_sums(client: &reqwest::Client, s: &Setup, w: &Written) -> anyhow::Result<()> {
    let (mut usage, mut billable, mut offset) = (0_i64, 0_i64, 0_u64);
    loop {
        let url = format!(
            "{}/usage/realms/{}?{}&limit=100&offset={offset}",
            s.base(),
            demo::PARTNER,
            usage_test_clock::range(s.window_start, s.window_end)
        );
        let resp = client.get(&url).bearer_auth(&s.tokens[0]).send().await?;
        anyhow::ensure!(resp.status() == 200, "GET {url}: {}", resp.status());
        let page: Value = resp.json().await?;
        for item in page["items"].as_array().into_iter().flatten() {
            if item["billingSubscriptionId"] == s.sub.as_str() {
                usage += milli(&item["usageValue"]);
                billable += milli(&item["billableValue"]);
            }
        }
        match page["nextOffset"].as_u64() {
            Some(n) => offset = n,
            None => break,
        }
    }
    let url = format!("{}/usages?subscriptionId={}&limit=1", s.base(), s.sub);
    let listed: Value = client
        .get(&url)
        .bearer_auth(&s.tokens[0])
        .send()
        .await?
        .json()
        .await?;
    let stored = listed["total"].as_u64().unwrap_or(u64::MAX);
    let q = |m: i64| usage_api::Quantity(m).to_string();
    println!(
        "sum check: {} records answered 201 (or a replay after a lost answer), {} accepted; \
         the service holds {stored} records, usageValue {}, billableValue {}",
        w.created,
        q(w.accepted_milli),
        q(usage),
        q(billable)
    );
    anyhow::ensure!(
        stored == w.created && usage == w.requested_milli && billable == w.accepted_milli,
        "a 201 is missing or doubled: answered {} records ({} requested, {} accepted), the service holds {stored} ({} usage, {} billable)",
        w.created,
        q(w.requested_milli),
        q(w.accepted_milli),
        q(usage),
        q(billable)
    );
    println!("sum check: exact");
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Page,
    Write,
    Csv,
}

async fn mixed_load(
    client: &reqwest::Client,
    s: &Arc<Setup>,
    clients: usize,
    secs: u64,
    written: &mut Written,
) -> anyhow::Result<(bool, usize)> {
    let until = Instant::now() + Duration::from_secs(secs);
    let now = s.window_end;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, s) = (client.clone(), Arc::clone(s));
        tasks.push(tokio::spawn(async move {
            let token = &s.tokens[c % s.tokens.len()];
            let mut rng = StdRng::seed_from_u64(c as u64);
            let mut times: BTreeMap<Kind, Vec<Duration>> = BTreeMap::new();
            let mut statuses: BTreeMap<(Kind, u16), u64> = BTreeMap::new();
            let mut written = Written::default();
            let mut failures = 0_u64;
            let mut n = 0_u64;
            while Instant::now() < until {
                n += 1;
                let roll = rng.gen_range(0..100);
                let kind = match roll {
                    0..80 => Kind::Page,
                    80..95 => Kind::Write,
                    _ => Kind::Csv,
                };
                // A 30-day range somewhere in the last year, as a user browsing the page picks.
                let end = now - chrono::TimeDelta::days(rng.gen_range(0..330));
                let range = usage_test_clock::range(end - chrono::TimeDelta::days(30), end);
                let t = Instant::now();
                let status = match kind {
                    Kind::Page => {
                        let view = match rng.gen_range(0..3) {
                            0 => "limit=100".to_owned(),
                            1 => format!(
                                "detailLevel=day&groupBy=appId&limit=100&offset={}",
                                rng.gen_range(0..3)
                            ),
                            _ => "detailLevel=month&groupBy=billingTag&limit=100".to_owned(),
                        };
                        let url =
                            format!("{}/usage/realms/{}?{range}&{view}", s.base(), demo::PARTNER);
                        match client.get(&url).bearer_auth(token).send().await {
                            Ok(r) => {
                                let st = r.status().as_u16();
                                r.bytes().await.map(|_| st).ok()
                            }
                            Err(_) => None,
                        }
                    }
                    Kind::Write => {
                        let k = (c as u64) << 32 | n;
                        let body = new_usage(&s, format!("mixed-{c}-{n}"), k);
                        match post_usage(&client, &s, token, &body).await {
                            Ok((st, q)) => {
                                if let Some((requested, accepted)) = q {
                                    written.created += 1;
                                    written.requested_milli += requested;
                                    written.accepted_milli += accepted;
                                }
                                Some(st)
                            }
                            Err(_) => None,
                        }
                    }
                    Kind::Csv => {
                        let url = format!(
                            "{}/usage/realms/{}/csv?{range}&detailLevel=day",
                            s.base(),
                            demo::PARTNER
                        );
                        match client.get(&url).bearer_auth(token).send().await {
                            Ok(r) => {
                                let st = r.status().as_u16();
                                r.bytes().await.map(|_| st).ok()
                            }
                            Err(_) => None,
                        }
                    }
                };
                times.entry(kind).or_default().push(t.elapsed());
                match status {
                    Some(st) => *statuses.entry((kind, st)).or_default() += 1,
                    None => failures += 1,
                }
            }
            (times, statuses, written, failures)
        }));
    }
    let mut times: BTreeMap<Kind, Vec<Duration>> = BTreeMap::new();
    let mut statuses: BTreeMap<(Kind, u16), u64> = BTreeMap::new();
    let mut failures = 0;
    for t in tasks {
        let (ts, st, w, f) = t.await?;
        for (k, mut v) in ts {
            times.entry(k).or_default().append(&mut v);
        }
        for (k, v) in st {
            *statuses.entry(k).or_default() += v;
        }
        written.created += w.created;
        written.requested_milli += w.requested_milli;
        written.accepted_milli += w.accepted_milli;
        failures += f;
    }
    let total: usize = times.values().map(Vec::len).sum();
    println!(
        "mixed load, {clients} clients, {secs} s: {total} requests ({:.0}/s)",
        total as f64 / secs as f64
    );
    let mut page_p99 = f64::NAN;
    for (kind, v) in &mut times {
        v.sort();
        let (p50, p99) = (percentile_ms(v, 0.50), percentile_ms(v, 0.99));
        let name = match kind {
            Kind::Page => {
                page_p99 = p99;
                "usage page"
            }
            Kind::Write => "POST /usages",
            Kind::Csv => "usage CSV",
        };
        println!(
            "  {name}: {} requests, p50 {p50:.1} ms, p99 {p99:.1} ms",
            v.len()
        );
    }
    let server_errors: u64 = statuses
        .iter()
        .filter(|((_, st), _)| *st >= 500)
        .map(|(_, n)| n)
        .sum();
    println!("  statuses: {statuses:?}; transport errors: {failures}");
    println!(
        "  usage page p99 {page_p99:.1} ms (target ≤ {PAGE_P99_TARGET_MS:.0} ms: {}); 5xx: {server_errors}",
        verdict(page_p99 <= PAGE_P99_TARGET_MS)
    );
    Ok((server_errors == 0 && failures == 0, total))
}

fn main() -> anyhow::Result<()> {
    let clients: usize = env_or("LOAD_CLIENTS", 64).max(1);
    let post_records: u64 = env_or("LOAD_POST_RECORDS", 100_000);
    let mixed_secs: u64 = env_or("LOAD_MIXED_SECS", 60);
    let demo_records: u64 = env_or("LOAD_DEMO_RECORDS", 300_000);
    // On the disk a real database would be on (never a tmpfs, where an fsync costs nothing).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&root)?;
    let dir = tempfile::Builder::new().prefix("load-").tempdir_in(&root)?;
    // `LOAD_DB`: a PostgreSQL URL instead of a SQLite file; `LOAD_REPLICAS` servers on it.
    let db_url = std::env::var("LOAD_DB")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| dir.path().join("usage.db").to_string_lossy().into_owned());
    let replicas: usize = env_or("LOAD_REPLICAS", 1).max(1);
    let pool = db::open_url(&db_url, &db::PoolOptions::default())?;
    let now = chrono::Utc::now().naive_utc();
    let started = Instant::now();
    demo::load(
        &pool,
        &demo::DemoOptions {
            records: demo_records,
            until: now,
            seed: 42,
        },
    )?;
    let sub = format!("SUB-LOAD-{}", now.and_utc().timestamp());
    let tokens = {
        let mut pooled = pool.get()?;
        let mut conn = pooled.conn();
        demo::add_subscription(&mut conn, demo::PARTNER, &sub, "Load bench", "0.001", None)?;
        (0..clients)
            .map(|c| {
                auth::create_token(&mut conn, demo::PARTNER, auth::SCOPES, &format!("load-{c}"))
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    println!("machine: {}", machine());
    println!("backend: {:?}, {replicas} replica(s)", pool.backend());
    println!(
        "data: {demo_records} demo records, loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // The server is the database's only user from here on.
    drop(pool);
    let mut servers = Vec::new();
    let mut bases = Vec::new();
    for _ in 0..replicas {
        let (server, base) = start_server(&db_url, dir.path())?;
        servers.push(server);
        bases.push(base);
    }
    // Whole hours: the usage window accepted is [now − 35 days, now + 5 min]; a day to spare.
    let hour = |t: chrono::NaiveDateTime| {
        t - chrono::TimeDelta::seconds(t.and_utc().timestamp().rem_euclid(3_600))
    };
    let setup = Arc::new(Setup {
        bases,
        turn: AtomicU64::new(0),
        tokens,
        sub,
        window_start: hour(now - chrono::TimeDelta::days(34)),
        window_end: hour(now) + chrono::TimeDelta::hours(1),
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let ok = rt.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(clients * 2)
            .build()?;
        let ready = Instant::now();
        for base in &setup.bases {
            loop {
                let up = client
                    .get(format!("{base}/healthz"))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200);
                if up {
                    break;
                }
                anyhow::ensure!(
                    ready.elapsed() < Duration::from_secs(60),
                    "the server did not start"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        let mut written = post_load(&client, &setup, clients, post_records).await?;
        check_sums(&client, &setup, &written).await?;
        let cpu = || servers.iter().map(Server::cpu_secs).sum::<Option<f64>>();
        let cpu_before = cpu();
        let (no_5xx, requests) =
            mixed_load(&client, &setup, clients, mixed_secs, &mut written).await?;
        if let (Some(a), Some(b)) = (cpu_before, cpu()) {
            println!(
                "  server CPU: {:.2} ms a request ({:.1} s for {requests} requests)",
                (b - a) * 1_000.0 / requests as f64,
                b - a
            );
        }
        check_sums(&client, &setup, &written).await?;
        anyhow::Ok(no_5xx)
    })?;
    drop(servers);
    anyhow::ensure!(ok, "the mixed load saw a 5xx or a transport error");
    Ok(())
}
