//! A report in progress when the server stops is finished by the next start, not left hanging.

mod support;

use serde_json::Value;
use std::time::Duration;
use support::serve;
use usage_server::{AppOptions, AppState, auth, db, demo};
use usage_test_clock::{midnight, months_ago, range, stamp};

/// Starts a server over `dir` on its own runtime; returns its base URL and the runtime, whose
/// drop stops the server at once (as a crash or kill would).
fn start(dir: &std::path::Path) -> (String, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(async {
        let pool = db::open(&dir.join("usage.db")).unwrap();
        let state = AppState::new(pool, dir.join("reports")).unwrap();
        format!("http://{}", serve(state, &AppOptions::default()).await)
    });
    (base, rt)
}

#[test]
fn a_report_interrupted_by_a_stop_is_finished_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let pool = db::open(&dir.path().join("usage.db")).unwrap();
    // The run's clock: the data ends where its month begins.
    let month = |back| midnight(months_ago(back));
    let until = month(0);
    demo::load(
        &pool,
        &demo::DemoOptions {
            records: 40_000,
            until,
            seed: 3,
        },
    )
    .unwrap();
    let token = auth::create_token(&pool.get().unwrap(), demo::PARTNER, auth::SCOPES, "t").unwrap();
    // A report row left in progress by a server that stopped mid-way, with its partial file.
    let conn = pool.get().unwrap();
    let query = format!(
        "startDate={}&endDate={}",
        stamp(month(3)).replace(':', "%3A"),
        stamp(month(2)).replace(':', "%3A")
    );
    conn.execute(
        "INSERT INTO reports (realm_id, status, query, created) VALUES ('northwind', 'inProgress', ?1, 0)",
        [&query],
    )
    .unwrap();
    let id = usage_api::reports::report_id(conn.last_insert_rowid());
    std::fs::create_dir_all(dir.path().join("reports")).unwrap();
    std::fs::write(
        dir.path().join(format!("reports/{id}.csv.part")),
        "realmId,half a row",
    )
    .unwrap();
    drop(conn);
    drop(pool);

    // Stop a running server in the middle of a fresh report, then start again.
    let (base, rt) = start(dir.path());
    let created: Value = rt
        .block_on(async {
            reqwest::Client::new()
                .post(format!(
                    "{base}/usage/realms/northwind/reports?{}&detailLevel=day&groupBy=appId,project,resource",
                    range(month(4), month(1))
                ))
                .bearer_auth(&token)
                .send()
                .await?
                .json::<Value>()
                .await
        })
        .unwrap();
    let second = created["id"].as_str().unwrap().to_owned();
    rt.shutdown_background();

    let (base, rt) = start(dir.path());
    for report in [id, second] {
        let mut status = Value::Null;
        // Up to a minute: the machine may be busy with other builds.
        for _ in 0..1200 {
            status = rt
                .block_on(async {
                    reqwest::Client::new()
                        .get(format!(
                            "{base}/usage/realms/northwind/reports/{report}/output"
                        ))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap()
                        .json::<Value>()
                        .await
                })
                .unwrap();
            if status["status"] != "inProgress" {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(status["status"], "completed", "{report}: {status}");
        let text = rt
            .block_on(async {
                reqwest::Client::new()
                    .get(format!(
                        "{base}/usage/realms/northwind/reports/{report}/download"
                    ))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
            })
            .unwrap();
        assert_eq!(
            text.lines().count() as u64 - 1,
            status["rowCount"].as_u64().unwrap(),
            "{report}: a whole file"
        );
    }
    assert!(
        !dir.path().join("reports").read_dir().unwrap().any(|e| e
            .unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "part"))
    );
}
