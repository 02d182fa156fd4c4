//! Secrets and durability, tried on the real binary and a real database: the demo token is
//! replaced, not piled up; tokens are listed without their secrets, revoked at once and made
//! with a lifetime; the download-signing key comes from the environment or a file and can be
//! rotated; every pooled connection commits with `synchronous = FULL`.

mod backend;
mod process;

use process::{Site, write};
use serde_json::Value;
use std::time::Duration;
use usage_server::{AppState, db};

const DAY: i64 = 86_400;

async fn status_with(base: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{base}/orgs/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn list_tokens(site: &Site) -> (Vec<Value>, String) {
    let out = site.run(&["list-tokens", "--json"]);
    let text = String::from_utf8(out.stdout).unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

fn lifetime(t: &Value) -> Option<i64> {
    Some(t["expires"].as_i64()? - t["created"].as_i64().unwrap())
}

#[tokio::test]
async fn demo_tokens_are_replaced_and_tokens_are_managed() {
    let site = Site::with_portal();
    let first = site.start(&["--demo"], &[]);
    let token1 = first.demo_token.clone().expect("a demo token");
    assert_eq!(status_with(&first.base, &token1).await, 200);
    drop(first);

    let second = site.start(&["--demo"], &[]);
    let token2 = second.demo_token.clone().expect("a demo token");
    assert_ne!(token1, token2);
    assert_eq!(
        status_with(&second.base, &token1).await,
        401,
        "the first start's demo token is revoked by the second"
    );
    assert_eq!(status_with(&second.base, &token2).await, 200);

    // Listed without secrets: one live demo token, with the default lifetime.
    let (tokens, text) = list_tokens(&site);
    assert!(!text.contains(&token1) && !text.contains(&token2), "{text}");
    assert!(!text.contains(&token1[4..]) && !text.contains(&token2[4..]));
    let demo: Vec<&Value> = tokens.iter().filter(|t| t["label"] == "demo").collect();
    assert_eq!(demo.len(), 2, "{text}");
    assert!(demo[0]["revoked"].is_i64(), "{text}");
    assert!(demo[1]["revoked"].is_null(), "{text}");
    for t in &demo {
        assert_eq!(t["realmId"], "northwind");
        let ttl = lifetime(t).expect("the demo token expires");
        // The expiry is reckoned as the command starts and the creation time as the row is
        // written: on a slow start (a PostgreSQL connection) a second or two apart.
        assert!((90 * DAY - 5..=90 * DAY + 2).contains(&ttl), "{ttl}");
    }
    let table = String::from_utf8(site.run(&["list-tokens"]).stdout).unwrap();
    assert!(table.starts_with("ID\tREALM\tLABEL\tSCOPES\tCREATED\tEXPIRES\tREVOKED"));
    assert!(!table.contains(&token2[4..]), "{table}");

    // create-token without flags gets the default lifetime; --no-expiry and --ttl 0 none;
    // --token-ttl and --ttl set it.
    let ops = String::from_utf8(
        site.run(&["create-token", "--realm", "northwind", "--label", "ops"])
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    assert!(ops.starts_with("upt_"), "only the token on stdout: {ops}");
    for args in [
        &["--no-expiry"][..],
        &["--ttl", "0"],
        &["--ttl", "12h"],
        &["--token-ttl", "7d"],
    ] {
        let label = format!("--label={}", args.join(""));
        let mut a = vec!["create-token", "--realm", "northwind", &label];
        a.extend_from_slice(args);
        site.run(&a);
    }
    let (tokens, _) = list_tokens(&site);
    let by_label = |l: &str| tokens.iter().find(|t| t["label"] == l).unwrap().clone();
    let ops_info = by_label("ops");
    let ttl = lifetime(&ops_info).expect("create-token's token expires by default");
    assert!((90 * DAY - 5..=90 * DAY + 2).contains(&ttl), "{ttl}");
    assert_eq!(lifetime(&by_label("--no-expiry")), None);
    assert_eq!(lifetime(&by_label("--ttl0")), None);
    assert!((12 * 3600..=12 * 3600 + 2).contains(&lifetime(&by_label("--ttl12h")).unwrap()));
    assert!((7 * DAY..=7 * DAY + 2).contains(&lifetime(&by_label("--token-ttl7d")).unwrap()));
    site.run_failing(&["create-token", "--realm", "northwind", "--ttl", "soon"]);

    // revoke-token takes effect at once on the running server.
    assert_eq!(status_with(&second.base, &ops).await, 200);
    let id = ops_info["id"].as_str().unwrap();
    let out = String::from_utf8(site.run(&["revoke-token", &id[..8]]).stdout).unwrap();
    assert!(out.contains(id) && !out.contains(&ops[4..]), "{out}");
    assert_eq!(status_with(&second.base, &ops).await, 401);
    // By label, and by the token itself.
    let leaked = String::from_utf8(
        site.run(&["create-token", "--realm", "northwind", "--label", "leaky"])
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    assert_eq!(status_with(&second.base, &leaked).await, 200);
    site.run(&["revoke-token", &leaked]);
    assert_eq!(status_with(&second.base, &leaked).await, 401);
    site.run(&["revoke-token", "--label", "demo", "--realm", "northwind"]);
    assert_eq!(status_with(&second.base, &token2).await, 401);
    // A prefix too short, or one that fits no token, revokes nothing.
    site.run_failing(&["revoke-token", "abc"]);
    site.run_failing(&["revoke-token", "ffffffffffff0"]);
    let (after, _) = list_tokens(&site);
    assert_eq!(
        after.iter().filter(|t| t["revoked"].is_null()).count(),
        4,
        "the four made by create-token with other labels are live"
    );
}

/// Creates a report on `base` and returns its `downloadUrl` once it is completed.
async fn report_link(base: &str, token: &str) -> String {
    let c = reqwest::Client::new();
    let query = usage_test_clock::range(
        usage_test_clock::midnight(usage_test_clock::months_ago(2)),
        usage_test_clock::midnight(usage_test_clock::months_ago(0)),
    );
    let resp = c
        .post(format!(
            "{base}/usage/realms/northwind/reports?{query}&detailLevel=day"
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    for _ in 0..400 {
        let body: Value = c
            .get(format!("{base}{location}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        match body["status"].as_str() {
            Some("completed") => return body["downloadUrl"].as_str().unwrap().to_owned(),
            Some("inProgress") => tokio::time::sleep(Duration::from_millis(50)).await,
            _ => panic!("report: {body}"),
        }
    }
    panic!("the report did not complete");
}

async fn download(base: &str, link: &str) -> u16 {
    reqwest::get(format!("{base}{link}"))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn signing_key_from_env_or_file_and_rotated() {
    let site = Site::with_portal();
    let key_a = "a1".repeat(32);
    let key_b = "b2".repeat(32);
    let file_b = write(&site.path("key-b"), &format!("{key_b}\n"));

    let a = site.start(&["--demo"], &[("USAGE_SIGNING_KEY", &key_a)]);
    let token = a.demo_token.clone().unwrap();
    let link_a = report_link(&a.base, &token).await;
    assert_eq!(download(&a.base, &link_a).await, 200);
    drop(a);

    // B is current (from a file), A previous (from the environment): both links download.
    let rotated = site.start(
        &["--signing-key-file", &file_b],
        &[("USAGE_SIGNING_KEY_PREVIOUS", &key_a)],
    );
    assert_eq!(
        download(&rotated.base, &link_a).await,
        200,
        "a link signed with the previous key still works"
    );
    let link_b = report_link(&rotated.base, &token).await;
    assert_ne!(link_a, link_b);
    assert_eq!(download(&rotated.base, &link_b).await, 200);
    drop(rotated);

    // B alone: A's links are dead, B's work; the key in the database signs nothing.
    let b_only = site.start(&[], &[("USAGE_SIGNING_KEY", &key_b)]);
    assert_eq!(download(&b_only.base, &link_a).await, 403);
    assert_eq!(download(&b_only.base, &link_b).await, 200);
    drop(b_only);
    let stored = site.start(&[], &[]);
    assert_eq!(download(&stored.base, &link_b).await, 403);
    drop(stored);

    // A key that is not hex, too short, or given twice stops the start.
    for env in [
        &[("USAGE_SIGNING_KEY", "not hex")][..],
        &[("USAGE_SIGNING_KEY", "abcd")],
    ] {
        let out = std::process::Command::new(process::BIN)
            .args(["--db", &site.db])
            .args(["--listen", "127.0.0.1:0", "--report-dir"])
            .arg(site.path("reports"))
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{env:?}");
    }
    let out = std::process::Command::new(process::BIN)
        .args(["--db", &site.db])
        .args(["--listen", "127.0.0.1:0", "--signing-key-file", &file_b])
        .env("USAGE_SIGNING_KEY", &key_b)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a key from both places");
}

#[tokio::test]
async fn every_pooled_connection_commits_with_synchronous_full() {
    sqlite_only!("SQLite's synchronous pragma");
    let dir = tempfile::tempdir().unwrap();
    let pool = db::open(&dir.path().join("u.db")).unwrap();
    let state = AppState::new(pool, dir.path().join("reports")).unwrap();
    // Held at once, so the pool opens a new connection for each.
    let conns: Vec<_> = (0..4)
        .map(|_| state.pool.sqlite().unwrap().get().unwrap())
        .collect();
    for c in &conns {
        let mode: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, 2, "FULL");
    }
}
