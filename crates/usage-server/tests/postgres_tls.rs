//! TLS to PostgreSQL: the URL's sslmode decides, the server's certificate is checked (chain and
//! host name) against the system's roots and `--db-ca-file`'s, and a CA file that cannot be
//! used stops the start. Real server processes on the test cluster, which takes TLS and
//! plaintext alike (`scripts/postgres.sh`: `ssl=on`, a certificate for 127.0.0.1 signed by a
//! throwaway CA, `USAGE_TEST_POSTGRES_CA`); PostgreSQL's own `pg_stat_ssl` tells which
//! connections are encrypted. Skipped on SQLite, and without the CA.

mod backend;
mod process;
mod support;

use process::Site;
use std::time::{Duration, Instant};
use usage_server::{db, demo};

/// The CA the test cluster's certificate is signed by, when the suite runs on PostgreSQL.
fn ca_file() -> Option<String> {
    backend::postgres()?;
    std::env::var("USAGE_TEST_POSTGRES_CA")
        .ok()
        .filter(|v| !v.is_empty())
}

/// Skips a test unless the suite runs on PostgreSQL with the cluster's CA; else the CA's path.
macro_rules! postgres_tls_only {
    () => {
        match ca_file() {
            Some(ca) => ca,
            None => {
                eprintln!(
                    "skipped: TLS to PostgreSQL needs USAGE_TEST_POSTGRES and USAGE_TEST_POSTGRES_CA (scripts/test.sh sets both)"
                );
                return;
            }
        }
    };
}

/// A fresh database's `url` with `params` (`key=value&…`) in its query.
fn with_params(url: &str, params: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{params}")
}

/// The database a URL names.
fn database(url: &str) -> String {
    let path = url.rsplit_once('/').map_or(url, |(_, p)| p);
    path.split('?').next().unwrap_or(path).to_owned()
}

/// An application name of this test's own, to tell its server's connections apart.
fn application(what: &str) -> String {
    format!("usage-tls-{what}-{}", rand::random::<u32>())
}

/// Whether each connection `application` has open to `database` is encrypted, as PostgreSQL
/// sees it (`pg_stat_ssl`); asked over a plaintext connection of the test's own.
fn encrypted(database: &str, application: &str) -> Vec<bool> {
    let admin = backend::postgres().expect("on PostgreSQL");
    db::off_runtime(|| {
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("the test cluster");
        c.query(
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid
             WHERE a.datname = $1 AND a.application_name = $2",
            &[&database, &application],
        )
        .expect("reading pg_stat_ssl")
        .iter()
        .map(|r| r.get(0))
        .collect()
    })
}

/// A site whose server connects with `params` added to its database's URL; also that URL
/// without them, for the test's own connections (plaintext, as the rest of the suite's).
fn site_with(params: &str) -> (Site, String) {
    let mut site = Site::new();
    let plain = site.db.clone();
    site.db = with_params(&plain, params);
    (site, plain)
}

/// Every line the server wrote so far.
fn output(server: &process::Server) -> String {
    let mut lines = server.stdout.clone();
    lines.extend(server.log.lock().unwrap().iter().cloned());
    lines.join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_with_the_ca_file_records_and_reads_back_over_encrypted_connections_only() {
    let ca = postgres_tls_only!();
    let app = application("require");
    let (site, plain) = site_with(&format!("sslmode=require&application_name={app}"));
    let server = site.start_demo(&["--db-ca-file", &ca]);
    // A subscription of the demo partner's, added beside the server over a connection of the
    // test's own.
    let sub = "SUB-TLS-REQUIRE";
    backend::run(&backend::open(&plain), |c| {
        demo::add_subscription(c, demo::PARTNER, sub, sub, "1", None)
    })
    .unwrap();
    let at = support::an_hour_ago();
    let (status, body) = support::post(
        &reqwest::Client::new(),
        &server.base,
        server.token(),
        &support::recording(sub, at, "over-tls"),
    )
    .await
    .expect("an answer");
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        support::billable_via_api(&server.base, server.token(), sub, support::day_of(at)).await,
        1_000,
        "the record reads back"
    );
    let ssl = encrypted(&database(&plain), &app);
    assert!(!ssl.is_empty(), "the server has connections open");
    assert!(
        ssl.iter().all(|&s| s),
        "every connection of the server is encrypted: {ssl:?}"
    );
    assert!(
        !output(&server).contains("without TLS"),
        "{}",
        output(&server)
    );
    server.kill();
}

#[test]
fn require_without_the_ca_file_refuses_to_start_as_the_certificate_is_not_trusted() {
    let _ca = postgres_tls_only!();
    let (site, _) = site_with("sslmode=require");
    let started = Instant::now();
    let (status, text) = site.start_failing(&[], Duration::from_secs(20));
    let took = started.elapsed();
    assert!(!status.success(), "{status}: {text}");
    // At once, not after the pool's retries until its start timeout (10 s).
    assert!(took < Duration::from_secs(5), "took {took:?}: {text}");
    // OpenSSL's words, and what to do.
    assert!(text.contains("certificate verify failed"), "{text}");
    assert!(
        text.contains("unable to get local issuer certificate"),
        "{text}"
    );
    assert!(text.contains("not trusted"), "{text}");
    assert!(text.contains("--db-ca-file"), "{text}");
}

#[test]
fn the_certificate_must_be_for_the_host_name_even_from_a_trusted_ca() {
    let ca = postgres_tls_only!();
    // 127.1 is 127.0.0.1 to the resolver, but a name the certificate (127.0.0.1, localhost)
    // is not for.
    let (mut site, _) = site_with("sslmode=require");
    assert!(site.db.contains("@127.0.0.1:"), "{}", site.db);
    site.db = site.db.replace("@127.0.0.1:", "@127.1:");
    let (status, text) = site.start_failing(&["--db-ca-file", &ca], Duration::from_secs(20));
    assert!(!status.success(), "{status}: {text}");
    assert!(text.contains("certificate verify failed"), "{text}");
    assert!(text.to_lowercase().contains("hostname mismatch"), "{text}");
    // And by the name it is for, the same server is fine.
    let (mut site, _) = site_with("sslmode=require");
    site.db = site.db.replace("@127.0.0.1:", "@localhost:");
    site.start(&["--db-ca-file", &ca], &[]).kill();
}

#[test]
fn a_ca_file_that_cannot_be_read_or_holds_no_certificate_fails_the_start_naming_it() {
    let _ca = postgres_tls_only!();
    let (site, _) = site_with("sslmode=require");
    let missing = site.path("no-such-ca.pem");
    let text_file = process::write(&site.path("notes.pem"), "not a certificate\n");
    let broken = process::write(
        &site.path("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    );
    let folder = site.path("reports");
    std::fs::create_dir_all(&folder).unwrap();
    for (path, says) in [
        (missing.to_str().unwrap(), "No such file"),
        (&text_file, "no certificate"),
        (&broken, "not PEM certificates"),
        (folder.to_str().unwrap(), "Is a directory"),
    ] {
        let started = Instant::now();
        let (status, text) = site.start_failing(&["--db-ca-file", path], Duration::from_secs(20));
        assert!(!status.success(), "{path}: {status}: {text}");
        assert!(started.elapsed() < Duration::from_secs(5), "{path}: {text}");
        assert!(text.contains(path), "names {path}: {text}");
        assert!(text.contains("--db-ca-file"), "{path}: {text}");
        assert!(text.contains(says), "{path}: {text}");
    }
    // Named by the environment instead, for a subcommand too (the option is global, as --db).
    let out = std::process::Command::new(process::BIN)
        .args(["--db", &site.db, "list-tokens"])
        .env("USAGE_DB_CA_FILE", &text_file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(text.contains(&text_file), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_sslmode_tls_is_used_when_trusted_and_plaintext_when_not_and_disable_is_plaintext()
{
    let ca = postgres_tls_only!();
    // prefer (the default) with the CA: encrypted.
    let app = application("prefer-ca");
    let (site, plain) = site_with(&format!("application_name={app}"));
    let server = site.start(&["--db-ca-file", &ca], &[]);
    let ssl = encrypted(&database(&plain), &app);
    assert!(!ssl.is_empty() && ssl.iter().all(|&s| s), "{ssl:?}");
    assert!(
        !output(&server).contains("without TLS"),
        "{}",
        output(&server)
    );
    server.kill();
    // prefer without it: the handshake fails on the certificate, and the server connects
    // without TLS, as before TLS was offered, saying so once.
    let app = application("prefer");
    let (site, plain) = site_with(&format!("application_name={app}"));
    let server = site.start(&[], &[]);
    let ssl = encrypted(&database(&plain), &app);
    assert!(!ssl.is_empty() && ssl.iter().all(|&s| !s), "{ssl:?}");
    let said = output(&server);
    assert_eq!(said.matches("connected without TLS").count(), 1, "{said}");
    assert!(said.contains("certificate verify failed"), "{said}");
    server.kill();
    // disable: plaintext, not even tried, nothing to say.
    let app = application("disable");
    let (site, plain) = site_with(&format!("sslmode=disable&application_name={app}"));
    let server = site.start(&["--db-ca-file", &ca], &[]);
    let ssl = encrypted(&database(&plain), &app);
    assert!(!ssl.is_empty() && ssl.iter().all(|&s| !s), "{ssl:?}");
    assert!(
        !output(&server).contains("without TLS"),
        "{}",
        output(&server)
    );
    server.kill();
}

/// A statement stopped from another thread (a report past its deadline): the cancel request
/// is a connection of its own, made as the statement's was, over TLS under `require`.
#[test]
fn a_running_statement_is_cancelled_over_tls_and_over_a_plaintext_fallback() {
    let ca = postgres_tls_only!();
    let dir = tempfile::tempdir().unwrap();
    let plain = backend::fresh(dir.path());
    for (params, ca_file, tls) in [
        ("sslmode=require", Some(ca.as_str()), true),
        ("sslmode=prefer", None, false),
    ] {
        let app = application("cancel");
        let url = with_params(&plain, &format!("{params}&application_name={app}"));
        let tls_options = db::PgTls::new(ca_file.map(std::path::Path::new)).unwrap();
        let pool = db::open_url_tls(&url, &db::PoolOptions::default(), &tls_options).unwrap();
        let mut pooled = pool.get().unwrap();
        let interrupter = pooled.interrupter();
        let db::Pooled::Postgres(client) = &mut pooled else {
            panic!("a PostgreSQL connection");
        };
        let started = Instant::now();
        let result = std::thread::scope(|s| {
            let running = s.spawn(|| client.client().batch_execute("SELECT pg_sleep(20)"));
            std::thread::sleep(Duration::from_millis(500));
            interrupter.interrupt();
            running.join().unwrap()
        });
        let err = result.expect_err("the statement is cancelled");
        assert_eq!(
            err.code(),
            Some(&postgres::error::SqlState::QUERY_CANCELED),
            "{params}: {err}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{params}: {:?}",
            started.elapsed()
        );
        let ssl = encrypted(&database(&plain), &app);
        assert!(
            !ssl.is_empty() && ssl.iter().all(|&s| s == tls),
            "{params}: {ssl:?}"
        );
    }
}

/// A token subcommand's stdout is what a script takes: the start's log, the word that it
/// connected without TLS among it, goes to stderr.
#[test]
fn a_subcommand_connected_without_tls_keeps_its_stdout_to_its_output() {
    let _ca = postgres_tls_only!();
    let site = Site::new();
    // The demo's orgs, for a token of one of them.
    site.start_demo(&[]).kill();
    let out = site.run(&["create-token", "--realm", demo::PARTNER, "--label", "tls"]);
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        stdout.starts_with("upt_") && stdout.lines().count() == 1,
        "only the token on stdout: {stdout}"
    );
    assert!(stderr.contains("connected without TLS"), "{stderr}");
    let out = site.run(&["list-tokens", "--json"]);
    let tokens: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON only");
    assert!(
        tokens
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["label"] == "tls")),
        "{tokens}"
    );
}
