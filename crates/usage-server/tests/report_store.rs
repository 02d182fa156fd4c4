//! The report store over real server processes: a report made through one process is
//! downloaded, ranges and all, through another that shares only the database and the store
//! (`--report-store`), never a working folder; and expiry and orphans are deleted through the
//! store. Once with a folder (`file://`), once with S3 (moto, an S3 stand-in from PyPI that
//! scripts/setup.sh installs in .tools/moto).

mod backend;
mod process;
mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use usage_server::{auth, demo};
use usage_test_clock::{midnight, now, range};

/// Days of fleet data behind the report.
const DAYS: i64 = 60;

/// Vehicles metered daily: 1,000 × 60 days is a CSV of about 9.5 MB, so it goes up to S3 in
/// two parts (of 8 MiB and the rest) and a range can straddle them.
const VEHICLES: i64 = 1_000;

/// One part of an upload (the store's `PART_SIZE`): a range across this offset reads two.
const PART: u64 = 8 * 1024 * 1024;

fn fleet_start() -> chrono::NaiveDateTime {
    midnight(now().date()) - chrono::TimeDelta::days(DAYS)
}

fn fleet_report() -> String {
    let from = fleet_start();
    format!(
        "{}&detailLevel=day&groupBy=resource",
        range(from, from + chrono::TimeDelta::days(DAYS))
    )
}

/// A server process in `cwd` over `db`, with `args` and `env` and nothing of the test's own
/// `USAGE_*` or `AWS_*` environment; waits until it listens.
fn start(db: &str, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> process::Server {
    std::fs::create_dir_all(cwd.join("dist")).unwrap();
    let mut c = Command::new(process::BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("USAGE_") || k.starts_with("AWS_") {
            c.env_remove(k);
        }
    }
    let until = usage_test_clock::stamp(now());
    c.current_dir(cwd)
        .arg("--db")
        .arg(db)
        .args(["--static-dir", "dist", "--listen", "127.0.0.1:0"])
        .args(["--demo-records", "10000", "--demo-until", &until])
        .args(args)
        .env("RUST_LOG", "info")
        .envs(env.iter().copied());
    process::launch(c, args)
}

/// Where the two processes keep their reports, and how to look inside it.
enum Store {
    /// `file://` this folder.
    Folder(PathBuf),
    /// `s3://BUCKET/PREFIX` on this moto server.
    S3 {
        moto: Moto,
        bucket: String,
        prefix: String,
    },
}

impl Store {
    fn arg(&self) -> String {
        match self {
            Self::Folder(dir) => format!("file://{}", dir.display()),
            Self::S3 { bucket, prefix, .. } => format!("s3://{bucket}/{prefix}"),
        }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Folder(_) => Vec::new(),
            Self::S3 { moto, .. } => vec![
                ("AWS_ENDPOINT_URL", moto.base.clone()),
                ("AWS_ALLOW_HTTP", "true".to_owned()),
                ("AWS_REGION", "us-east-1".to_owned()),
                ("AWS_ACCESS_KEY_ID", "test".to_owned()),
                ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
            ],
        }
    }

    /// A client of the bucket of its own, as the servers reach it.
    fn s3(&self) -> Option<(object_store::aws::AmazonS3, object_store::path::Path)> {
        let Self::S3 {
            moto,
            bucket,
            prefix,
        } = self
        else {
            return None;
        };
        let s3 = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&moto.base)
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .with_bucket_name(bucket)
            .build()
            .unwrap();
        Some((s3, object_store::path::Path::from(prefix.as_str())))
    }

    async fn exists(&self, name: &str) -> bool {
        use object_store::ObjectStoreExt;
        match self.s3() {
            None => {
                let Self::Folder(dir) = self else {
                    unreachable!()
                };
                dir.join(name).exists()
            }
            Some((s3, prefix)) => match s3.head(&prefix.join(name)).await {
                Ok(_) => true,
                Err(object_store::Error::NotFound { .. }) => false,
                Err(e) => panic!("HEAD {name} on moto: {e}"),
            },
        }
    }

    async fn put(&self, name: &str, body: &str) {
        use object_store::ObjectStoreExt;
        match self.s3() {
            None => {
                let Self::Folder(dir) = self else {
                    unreachable!()
                };
                std::fs::write(dir.join(name), body).unwrap()
            }
            Some((s3, prefix)) => {
                s3.put(&prefix.join(name), body.to_owned().into())
                    .await
                    .unwrap();
            }
        }
    }
}

/// A moto server on a free loopback port, killed when dropped.
struct Moto {
    base: String,
    child: Child,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto's server as scripts/setup.sh installs it; `None` (the test skipped) outside CI when
/// it is not installed.
async fn moto() -> Option<Moto> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/moto/bin/moto_server");
    if !bin.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} missing: scripts/setup.sh installs it",
            bin.display()
        );
        eprintln!(
            "skipped: no {} (scripts/setup.sh installs it)",
            bin.display()
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let moto = Moto {
        base: format!("http://127.0.0.1:{port}"),
        child,
    };
    let client = reqwest::Client::new();
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if client.get(&moto.base).send().await.is_ok() {
            break;
        }
        assert!(Instant::now() < until, "moto did not listen on {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Some(moto)
}

async fn get(base: &str, path: &str, token: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

fn header<'a>(resp: &'a reqwest::Response, name: &str) -> &'a str {
    resp.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name}: {:?}", resp.headers()))
        .to_str()
        .unwrap()
}

async fn wait_final(base: &str, token: &str, location: &str) -> Value {
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let resp = get(base, location, token, &[]).await;
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        if body["status"] != "inProgress" {
            return body;
        }
        assert!(Instant::now() < until, "{location} still in progress");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A process in one folder makes a report into `store`; once it is gone, a process in
/// another folder, sharing only the database and the store, serves it whole, by ranges (one
/// straddling two uploaded parts), by HEAD, conditionally and by its signed link; then the
/// report expires and its file, and the store's orphans, are deleted through the store.
async fn made_by_one_served_by_another(store: Store) {
    let root = tempfile::tempdir().unwrap();
    let db = backend::fresh(root.path());
    let (dir_a, dir_b) = (root.path().join("a"), root.path().join("b"));
    let store_arg = store.arg();
    let env = store.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let a = start(&db, &dir_a, &["--demo", "--report-store", &store_arg], &env);
    let named = match &store {
        Store::Folder(dir) => dir.display().to_string(),
        Store::S3 { .. } => store_arg.clone(),
    };
    assert!(
        a.stdout
            .iter()
            .any(|l| l.contains("report files kept in the report store") && l.contains(&named)),
        "the start names the store: {:?}",
        a.stdout
    );
    let pool = backend::open(&db);
    let token = backend::run(&pool, |c| {
        let sub = support::first_subscription(c);
        demo::load_fleet(c, sub, fleet_start().and_utc().timestamp(), DAYS, VEHICLES)?;
        auth::create_token(c, demo::PARTNER, auth::SCOPES, "store")
    })
    .unwrap();
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/usage/realms/{}/reports?{}",
            a.base,
            demo::PARTNER,
            fleet_report()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let location = header(&resp, "location").to_owned();
    let done = wait_final(&a.base, &token, &location).await;
    assert_eq!(done["status"], "completed", "{done}");
    let id = done["id"].as_str().unwrap().to_owned();
    let size = done["byteSize"].as_u64().unwrap();
    assert!(size > PART + 1_000, "two parts at least: {size} bytes");
    let name = format!("{id}.csv");
    assert!(store.exists(&name).await, "{name} is in the store");
    a.kill();

    // Orphans for the second process's sweep: a report no row names, a part no run owns.
    store.put("REPORT-999999.csv", "realmId\n").await;
    store.put("REPORT-999999.1.csv.part", "realmId\n").await;

    let b = start(
        &db,
        &dir_b,
        &["--report-store", &store_arg, "--report-sweep-secs", "1"],
        &env,
    );
    let download = location.replace("/output", "/download");

    // Whole.
    let resp = get(&b.base, &download, &token, &[]).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header(&resp, "content-disposition"),
        format!("attachment; filename=\"{id}.csv\"")
    );
    assert_eq!(header(&resp, "content-length"), size.to_string());
    assert_eq!(header(&resp, "accept-ranges"), "bytes");
    assert_eq!(header(&resp, "cache-control"), "private, no-store");
    let modified = header(&resp, "last-modified").to_owned();
    let whole = resp.bytes().await.unwrap();
    assert_eq!(whole.len() as u64, size);
    let text = std::str::from_utf8(&whole).unwrap();
    assert!(text.starts_with("realmId,"), "{}", &text[..80]);
    assert_eq!(
        text.lines().count() as u64,
        done["rowCount"].as_u64().unwrap() + 1
    );

    // Ranges: inside, across the two uploaded parts, a suffix, open-ended, past the end.
    let ranges = [
        (10, 19),
        (PART - 100, PART + 99),
        (size - 15, size - 1),
        (size - 5, size - 1),
        (0, size - 1),
    ];
    let specs = [
        "bytes=10-19".to_owned(),
        format!("bytes={}-{}", PART - 100, PART + 99),
        "bytes=-15".to_owned(),
        format!("bytes={}-", size - 5),
        format!("bytes=0-{}", size + 100),
    ];
    for (spec, (from, to)) in specs.iter().zip(ranges) {
        let resp = get(&b.base, &download, &token, &[("Range", spec)]).await;
        assert_eq!(resp.status(), 206, "{spec}");
        assert_eq!(
            header(&resp, "content-range"),
            format!("bytes {from}-{to}/{size}"),
            "{spec}"
        );
        assert_eq!(
            header(&resp, "content-length"),
            (to - from + 1).to_string(),
            "{spec}"
        );
        assert_eq!(header(&resp, "content-type"), "text/csv; charset=utf-8");
        let body = resp.bytes().await.unwrap();
        assert_eq!(
            body[..],
            whole[from as usize..=to as usize],
            "{spec}: the bytes of the whole file"
        );
    }

    // What cannot be served: 416 with the size, in the contract's body.
    for spec in [
        format!("bytes={size}-"),
        "bytes=0-1,5-6".to_owned(),
        "bytes=20-10".to_owned(),
        "lines=1-2".to_owned(),
        "bytes=-0".to_owned(),
        format!("bytes=-{}", size + 1),
    ] {
        let resp = get(&b.base, &download, &token, &[("Range", &spec)]).await;
        assert_eq!(resp.status(), 416, "{spec}");
        assert_eq!(header(&resp, "content-range"), format!("bytes */{size}"));
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "validation", "{body}");
        assert_eq!(body["fields"][0]["name"], "Range", "{body}");
    }

    // HEAD: the length, no body.
    let resp = reqwest::Client::new()
        .head(format!("{}{download}", b.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-length"), size.to_string());
    assert!(resp.bytes().await.unwrap().is_empty());

    // Conditional: not modified since it was written; modified since long before.
    let resp = get(
        &b.base,
        &download,
        &token,
        &[("If-Modified-Since", &modified)],
    )
    .await;
    assert_eq!(resp.status(), 304);
    let resp = get(
        &b.base,
        &download,
        &token,
        &[("If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")],
    )
    .await;
    assert_eq!(resp.status(), 412);
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "validation");

    // The link the first process's status gave, through the second, without a token.
    let resp = reqwest::Client::new()
        .get(format!(
            "{}{}",
            b.base,
            done["downloadUrl"].as_str().unwrap()
        ))
        .header("Range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 206);
    assert_eq!(resp.bytes().await.unwrap()[..], whole[..100]);

    // Neither working folder holds a report file: the store does.
    for dir in [&dir_a, &dir_b] {
        assert!(
            !dir.join("data/reports").exists(),
            "{} has a report folder of its own",
            dir.display()
        );
    }

    // The sweep (every second here) has deleted the orphans through the store.
    let until = Instant::now() + Duration::from_secs(20);
    while store.exists("REPORT-999999.csv").await || store.exists("REPORT-999999.1.csv.part").await
    {
        assert!(Instant::now() < until, "orphans still in the store");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(store.exists(&name).await, "a report's own file stays");

    // Past its retention, the report and its file go, through the store.
    backend::exec(
        &pool,
        "UPDATE reports SET finished = finished - 8 * 86400 WHERE id = ?1",
        usage_server::vals![usage_api::reports::parse_report_id(&id).unwrap()],
    );
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let resp = get(&b.base, &location, &token, &[]).await;
        if resp.status() == 404 {
            break;
        }
        assert!(Instant::now() < until, "still there: {}", resp.status());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!store.exists(&name).await, "the file went with its report");
    let resp = get(&b.base, &download, &token, &[("Range", "bytes=0-9")]).await;
    assert_eq!(resp.status(), 404);
    b.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_store_serves_any_process_that_shares_it() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path().join("store");
    made_by_one_served_by_another(Store::Folder(dir.clone())).await;
    // Nothing of the uploads is left: no part, no staged file.
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_s3_store_serves_any_process_that_shares_it() {
    let Some(moto) = moto().await else { return };
    let bucket = "usage-reports";
    let resp = reqwest::Client::new()
        .put(format!("{}/{bucket}", moto.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "creating the bucket");
    made_by_one_served_by_another(Store::S3 {
        moto,
        bucket: bucket.to_owned(),
        prefix: "eu/reports".to_owned(),
    })
    .await;
}

#[test]
fn a_report_store_url_it_cannot_use_stops_the_start() {
    let site = process::Site::new();
    for (url, says) in [
        (
            "ftp://host/x",
            "s3://bucket[/prefix] or file:///absolute/folder",
        ),
        ("file://relative/folder", "absolute folder"),
        ("s3:///prefix", "no bucket"),
    ] {
        let (status, text) = site.start_failing(&["--report-store", url], Duration::from_secs(30));
        assert!(!status.success(), "{url}");
        assert!(text.contains(says), "{url}: {text}");
    }
}
