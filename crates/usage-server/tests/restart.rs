//! A report in progress when the server dies is finished by the next start, not left hanging:
//! a real process, killed with SIGKILL (a runtime dropped inside the test process is no crash,
//! since its blocking threads live on and keep writing).

mod backend;
mod process;

use process::Site;
use serde_json::Value;
use std::time::Duration;
use usage_server::demo;
use usage_test_clock::{midnight, months_ago, range, stamp};

/// A short report lease: the killed server's run is known lost a second after the kill.
const LEASE: &[&str] = &["--report-lease-secs", "1"];

#[test]
fn a_report_interrupted_by_a_kill_is_finished_after_restart() {
    let site = Site::new();
    // The run's clock: the data ends where its month begins.
    let month = |back| midnight(months_ago(back));
    let pool = site.pool();
    demo::load(
        &pool,
        &demo::DemoOptions {
            records: 40_000,
            until: month(0),
            seed: 3,
        },
    )
    .unwrap();
    let token = site.token("t");
    // A report row left in progress by a server that stopped mid-way, with its partial file.
    let query = format!(
        "startDate={}&endDate={}",
        stamp(month(3)).replace(':', "%3A"),
        stamp(month(2)).replace(':', "%3A")
    );
    let id = usage_api::reports::report_id(backend::one(
        &pool,
        "INSERT INTO reports (realm_id, status, query, created) VALUES ('northwind', 'inProgress', ?1, 0)
         RETURNING id",
        usage_server::vals![&query],
    ));
    std::fs::create_dir_all(site.path("reports")).unwrap();
    std::fs::write(
        site.path("reports").join(format!("{id}.csv.part")),
        "realmId,half a row",
    )
    .unwrap();
    drop(pool);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();
    // Kill a running server in the middle of a fresh report, then start again.
    let server = site.start(LEASE, &[]);
    let created: Value = rt
        .block_on(async {
            http.post(format!(
                "{}/usage/realms/northwind/reports?{}&detailLevel=day&groupBy=appId,project,resource",
                server.base,
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
    server.kill();

    let server = site.start(LEASE, &[]);
    let get = |path: String| {
        rt.block_on(async {
            http.get(format!("{}{path}", server.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        })
    };
    for report in [id, second] {
        let mut status = Value::Null;
        // Up to a minute: the machine may be busy with other builds.
        for _ in 0..1200 {
            status = serde_json::from_str(&get(format!(
                "/usage/realms/northwind/reports/{report}/output"
            )))
            .unwrap();
            if status["status"] != "inProgress" {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(status["status"], "completed", "{report}: {status}");
        let text = get(format!("/usage/realms/northwind/reports/{report}/download"));
        assert_eq!(
            text.lines().count() as u64 - 1,
            status["rowCount"].as_u64().unwrap(),
            "{report}: a whole file"
        );
    }
    assert!(
        !site.path("reports").read_dir().unwrap().any(|e| e
            .unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "part"))
    );
    server.kill();
}
