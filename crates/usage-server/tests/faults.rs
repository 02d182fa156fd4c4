//! Faults (issue 13, "Faults, tested"), on the real binary over real HTTP and a real SQLite
//! file: kill -9 in a burst of recordings, SIGTERM with a stalled CSV stream, and the
//! database made read-only under a running server. Every date derives from the run's clock.

mod backend;
mod process;
mod support;

use process::{Immutable, Site};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{
    add_wide_rows, an_hour_ago, assert_contract_error, billable_via_api, day_of, get, milli, post,
    recording, wide_day,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use usage_server::demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_in_a_burst_of_recordings_loses_no_201_and_doubles_none() {
    let site = Site::new();
    let mut server = site.start_demo(&["--rate-limit-per-sec", "0"]);
    let token = site.token("burst");
    let sub = site.subscription("SUB-FAULT-BURST");
    let at = an_hour_ago();
    // Each client records under ids of its own until the connection dies under it.
    let created: Arc<Mutex<HashMap<String, Value>>> = Arc::default();
    let tried: Arc<Mutex<HashSet<String>>> = Arc::default();
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..32)
        .map(|c| {
            let (client, base, token, sub) = (
                client.clone(),
                server.base.clone(),
                token.clone(),
                sub.clone(),
            );
            let (created, tried) = (created.clone(), tried.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    let id = format!("burst-{c}-{n}");
                    tried.lock().unwrap().insert(id.clone());
                    match post(&client, &base, &token, &recording(&sub, at, &id)).await {
                        Some((201, rec)) => {
                            created.lock().unwrap().insert(id, rec);
                        }
                        Some((status, body)) => panic!("{status}: {body}"),
                        None => return,
                    }
                }
            })
        })
        .collect();
    // Kill once a good number of recordings were answered, while the rest are in flight.
    let until = Instant::now() + Duration::from_secs(20);
    while created.lock().unwrap().len() < 300 {
        assert!(Instant::now() < until, "recordings too slow");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    drop(server);
    let created = created.lock().unwrap().clone();
    let tried = tried.lock().unwrap().clone();

    let server = site.start_demo(&["--rate-limit-per-sec", "0"]);
    // Every 201 is there, as it was answered.
    for (id, rec) in &created {
        let (status, _, text) = get(&server.base, &format!("/usages/{id}"), Some(&token)).await;
        assert_eq!(status, 200, "{id} got a 201 before the kill: {text}");
        let stored: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(stored["id"], rec["id"], "{stored}");
        assert_eq!(milli(&stored["quantity"]), 1_000, "{stored}");
    }
    // Those cut in flight are there once or not at all.
    let mut present: i64 = 0;
    for id in &tried {
        let (status, _, _) = get(&server.base, &format!("/usages/{id}"), Some(&token)).await;
        match status {
            200 => present += 1,
            404 => {}
            s => panic!("GET /usages/{id}: {s}"),
        }
    }
    assert!(present >= created.len() as i64);
    let day = day_of(at);
    assert_eq!(
        billable_via_api(&server.base, &token, &sub, day).await,
        present * 1_000,
        "the usage query counts each stored record once"
    );
    // A client that retries gets its record back, not a second one.
    let client = reqwest::Client::new();
    for id in created.keys().take(20) {
        let (status, rec) = post(&client, &server.base, &token, &recording(&sub, at, id))
            .await
            .unwrap();
        assert_eq!(status, 200, "a retry of {id}: {rec}");
        assert_eq!(rec, created[id], "the same record");
    }
    // And one cut in flight is recorded by its retry exactly once, whichever it was.
    for id in tried.iter().filter(|id| !created.contains_key(*id)) {
        let (status, rec) = post(&client, &server.base, &token, &recording(&sub, at, id))
            .await
            .unwrap();
        assert!(matches!(status, 200 | 201), "{status}: {rec}");
    }
    assert_eq!(
        billable_via_api(&server.base, &token, &sub, day).await,
        tried.len() as i64 * 1_000,
        "every id tried, recorded once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_a_stalled_csv_exits_within_its_deadline_and_keeps_what_was_committed() {
    stop_with_a_stalled_csv("TERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_with_a_stalled_csv_exits_within_its_deadline_and_keeps_what_was_committed() {
    stop_with_a_stalled_csv("INT").await;
}

/// The CSV's own deadline is set far beyond the shutdown's, so only the shutdown deadline can
/// end the stalled stream in time.
async fn stop_with_a_stalled_csv(signal: &str) {
    let site = Site::new();
    let mut server = site.start_demo(&[
        "--shutdown-deadline-secs",
        "2",
        "--csv-deadline-secs",
        "120",
    ]);
    add_wide_rows(&site.pool());
    let token = site.token("sigterm");
    let sub = site.subscription("SUB-FAULT-TERM");
    let at = an_hour_ago();
    let client = reqwest::Client::new();
    let (status, rec) = post(
        &client,
        &server.base,
        &token,
        &recording(&sub, at, "before-term"),
    )
    .await
    .unwrap();
    assert_eq!(status, 201, "{rec}");
    // A client that asks for a large CSV, reads its head and nothing more.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stalled = socket.connect(server.addr).await.unwrap();
    let day = wide_day();
    let req = format!(
        "GET /usage/realms/{}/csv?{}&detailLevel=day&groupBy=billingTag,resource HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\r\n",
        demo::PARTNER,
        usage_test_clock::range(day, day + chrono::TimeDelta::days(1)),
        server.addr
    );
    stalled.write_all(req.as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(10), stalled.read_exact(&mut head))
        .await
        .expect("the CSV's head in time")
        .unwrap();
    assert_eq!(&head[9..12], b"200", "{}", String::from_utf8_lossy(&head));
    // Let the server fill every buffer and block on the socket.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let signalled = Instant::now();
    server.signal(signal);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        std::net::TcpStream::connect(server.addr).is_err(),
        "no new connection once stopping"
    );
    let status = tokio::task::block_in_place(|| server.wait_exit(Duration::from_secs(10)))
        .expect("the process ends after SIGTERM despite the stalled stream");
    let took = signalled.elapsed();
    assert!(
        status.success(),
        "a clean exit after SIG{signal}, not death by it: {status}"
    );
    assert!(
        took >= Duration::from_millis(1_500),
        "it waited for the stream first: {took:?}"
    );
    assert!(
        took <= Duration::from_secs(6),
        "within the 2 s deadline and some slack: {took:?}"
    );
    drop(stalled);
    drop(server);

    let server = site.start_demo(&[]);
    let (status, _, text) = get(&server.base, "/usages/before-term", Some(&token)).await;
    assert_eq!(status, 200, "committed before the stop: {text}");
    let stored: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(stored, rec);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_made_read_only_answers_503_and_service_resumes_when_it_is_back() {
    sqlite_only!("the SQLite file itself");
    let site = Site::new();
    let server = site.start_demo(&[]);
    let token = site.token("read-only");
    let sub = site.subscription("SUB-FAULT-RO");
    let at = an_hour_ago();
    let client = reqwest::Client::new();
    assert_eq!(
        post(
            &client,
            &server.base,
            &token,
            &recording(&sub, at, "ro-before")
        )
        .await
        .unwrap()
        .0,
        201
    );
    assert_eq!(get(&server.base, "/readyz", None).await.0, 200);
    // The tests run as root, for whom chmod 0444 stops nothing (and no one's open descriptor
    // anyway). The immutable attribute stops every write, root's included and through a
    // descriptor already open, and it is lifted as easily: the database, its WAL and its
    // shared memory are frozen as a read-only volume would be.
    let db = site.db_path();
    let wal = site.path("usage.db-wal");
    let shm = site.path("usage.db-shm");
    let Some(frozen) = Immutable::set(&[&db, &wal, &shm]) else {
        eprintln!("skipped: chattr +i is not available here (needs root and ext2/3/4 or alike)");
        return;
    };
    let answer = assert_unavailable(
        &client,
        &server.base,
        &token,
        &recording(&sub, at, "ro-during"),
    )
    .await;
    assert!(
        !answer.to_lowercase().contains("sqlite"),
        "no internals sent: {answer}"
    );
    // The process stays up.
    assert_eq!(get(&server.base, "/healthz", None).await.0, 200);

    drop(frozen);
    wait_until_resumed(
        &client,
        &server.base,
        &token,
        &recording(&sub, at, "ro-during"),
    )
    .await;
    let (status, _, text) = get(&server.base, "/usages/ro-during", Some(&token)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        billable_via_api(&server.base, &token, &sub, day_of(at)).await,
        2_000,
        "the write refused while frozen did not half-happen"
    );
    assert!(!server.logged("panicked"), "nothing panicked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_file_removed_answers_503_and_service_resumes_when_it_is_back() {
    sqlite_only!("the SQLite file itself");
    let site = Site::new();
    let server = site.start_demo(&[]);
    let token = site.token("removed");
    let sub = site.subscription("SUB-FAULT-RM");
    let at = an_hour_ago();
    let client = reqwest::Client::new();
    let status = post(
        &client,
        &server.base,
        &token,
        &recording(&sub, at, "rm-before"),
    )
    .await
    .map(|(s, _)| s);
    assert_eq!(status, Some(201));
    // Its name gone, the file lives on for the connections that have it open: SQLite would go
    // on answering from it, and a 201 then would be for a record no restart finds.
    let db = site.db_path();
    let away = site.path("usage.db.away");
    std::fs::rename(&db, &away).unwrap();
    let answer = assert_unavailable(
        &client,
        &server.base,
        &token,
        &recording(&sub, at, "rm-during"),
    )
    .await;
    assert!(!answer.contains("usage.db"), "no paths sent: {answer}");
    let page = get(
        &server.base,
        &format!(
            "/usage/realms/{}?{}",
            demo::PARTNER,
            usage_test_clock::range(at, at + chrono::TimeDelta::hours(1))
        ),
        Some(&token),
    )
    .await;
    assert_contract_error(&page, 503, "unavailable");
    assert_eq!(get(&server.base, "/healthz", None).await.0, 200);

    std::fs::rename(&away, &db).unwrap();
    wait_until_resumed(
        &client,
        &server.base,
        &token,
        &recording(&sub, at, "rm-during"),
    )
    .await;
    assert!(!server.logged("panicked"), "nothing panicked");
    drop(server);
    // After a restart, on the file as it is on disk: both records, the refused one once.
    let server = site.start_demo(&[]);
    let (status, _, text) = get(&server.base, "/usages/rm-during", Some(&token)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        billable_via_api(&server.base, &token, &sub, day_of(at)).await,
        2_000,
        "the write refused while the file was away did not half-happen"
    );
    assert!(!server.logged("panicked"), "nothing panicked");
}

/// Waits (10 s at most) until `/readyz` is 200 and `body`, the recording refused during the
/// fault, is taken (201, or 200 for a replay).
async fn wait_until_resumed(client: &reqwest::Client, base: &str, token: &str, body: &Value) {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let ready = get(base, "/readyz", None).await.0;
        let posted = post(client, base, token, body).await.map(|(s, _)| s);
        if ready == 200 && matches!(posted, Some(200 | 201)) {
            return;
        }
        assert!(
            Instant::now() < until,
            "service resumed: readyz {ready}, POST {posted:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Asserts the server is out of service: `/readyz` is 503 with `Retry-After` and the contract's
/// `unavailable` body, and so is a recording of `body`. Returns the recording's answer text.
async fn assert_unavailable(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    body: &Value,
) -> String {
    let ready = get(base, "/readyz", None).await;
    assert_eq!(ready.0, 503, "{}", ready.2);
    assert!(ready.1.contains_key("retry-after"));
    assert!(ready.2.contains("\"unavailable\""), "{}", ready.2);
    let resp = client
        .post(format!("{base}/usages"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let answer = (status, headers, resp.text().await.unwrap());
    assert_contract_error(&answer, 503, "unavailable");
    answer.2
}
