//! The `usageTime` window is the server's to configure (`AppState::usage_time_window`); the
//! contract's 35 days back and 5 minutes ahead are only its default. Over real HTTP, on a
//! server of its own; every time derives from the clock read once.

mod backend;
mod support;

use serde_json::{Value, json};
use support::{Db, serve};
use usage_server::{AppOptions, AppState, UsageTimeWindow, demo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_window_is_enforced_and_named() {
    let now = chrono::Utc::now();
    let db = Db::with_demo((now - chrono::TimeDelta::days(40)).naive_utc(), 3).await;
    let token = db.token(demo::PARTNER);
    let sub: String = backend::one(
        &db.pool,
        "SELECT billing_subscription_id FROM subscriptions WHERE realm_id = ?1 AND monthly_limit_milli IS NULL LIMIT 1",
        usage_server::vals![demo::PARTNER],
    );
    assert_eq!(
        UsageTimeWindow::default(),
        UsageTimeWindow {
            max_age_secs: 35 * 86_400,
            max_ahead_secs: 300
        },
        "the contract's default"
    );
    let state = AppState {
        usage_time_window: UsageTimeWindow {
            max_age_secs: 2 * 86_400,
            max_ahead_secs: 3_600,
        },
        ..db.state()
    };
    let base = format!("http://{}", serve(state, &AppOptions::default()).await);
    let at = |secs: i64| {
        (now + chrono::TimeDelta::seconds(secs))
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    };
    let post = |usage_time: String| {
        let (base, token, sub) = (base.clone(), token.clone(), sub.clone());
        async move {
            let resp = reqwest::Client::new()
                .post(format!("{base}/usages"))
                .bearer_auth(token)
                .json(&json!({"subscriptionId": sub, "quantity": 1, "usageTime": usage_time}))
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    for secs in [-86_400, 30 * 60] {
        let (status, body) = post(at(secs)).await;
        assert_eq!(status, 201, "{secs}: {body}");
    }
    for secs in [-3 * 86_400, 2 * 3_600] {
        let (status, body) = post(at(secs)).await;
        assert_eq!(status, 400, "{secs}: {body}");
        assert_eq!(body["fields"][0]["name"], "usageTime");
        assert_eq!(
            body["fields"][0]["description"],
            "must be within the last 2 days and at most 1 hour ahead of now (UTC)"
        );
    }
}
