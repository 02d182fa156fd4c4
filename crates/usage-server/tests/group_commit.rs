//! `POST /usages` through the group-commit writer: many requests in one transaction, and still
//! exact monthly limits, idempotency by `id`, and one request's failure its own. Over real
//! HTTP, on a real SQLite file, on a server of its own (its writer batches more eagerly than
//! the default, so concurrent requests surely share transactions); every date derives from the
//! run's clock.

mod backend;
mod support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::{Db, an_hour_ago, billable_via_api, day_of, milli, serve};
use usage_server::group_commit::WriterOptions;
use usage_server::vals;
use usage_server::{AppOptions, AppState, db, demo, routes};

struct Server {
    base: String,
    token: String,
    db_url: String,
    pool: db::Pool,
    state: AppState,
    _dir: tempfile::TempDir,
}

async fn start(writer: WriterOptions) -> Server {
    let db = Db::with_demo(usage_test_clock::now(), 11).await;
    let token = db.token(demo::PARTNER);
    let state = AppState {
        usage_writer: routes::usages::usage_writer(db.pool.clone(), writer).unwrap(),
        ..db.state()
    };
    let addr = serve(state.clone(), &AppOptions::default()).await;
    Server {
        base: format!("http://{addr}"),
        token,
        db_url: db.url,
        pool: db.pool,
        state,
        _dir: db.dir,
    }
}

/// Batches of up to 1,000 requests, each waiting up to 50 ms for more to join it.
fn eager() -> WriterOptions {
    WriterOptions {
        max_batch: 1_000,
        max_wait: Duration::from_millis(50),
        ..WriterOptions::default()
    }
}

impl Server {
    /// A subscription of the partner's no demo usage and no other test touches.
    fn subscription(&self, label: &str, limit_milli: Option<i64>) -> String {
        let id = format!("SUB-GC-{label}");
        crate::backend::run(&self.pool, |c| {
            demo::add_subscription(c, demo::PARTNER, &id, label, "1", limit_milli)
        })
        .unwrap();
        id
    }

    fn probe(&self) -> Probe {
        Probe {
            base: self.base.clone(),
            token: self.token.clone(),
        }
    }

    /// Posts every body at once and returns the answers in the bodies' order.
    async fn post_all(&self, bodies: Vec<Value>) -> Vec<(u16, Value)> {
        let client = reqwest::Client::new();
        let tasks: Vec<_> = bodies
            .into_iter()
            .map(|body| {
                let (client, probe) = (client.clone(), self.probe());
                tokio::spawn(async move { probe.post(&client, &body).await })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }

    /// (records, accepted total) the database holds for `sub`.
    fn stored(&self, sub: &str) -> (i64, i64) {
        backend::run(&self.pool, |c| {
            c.one(
                "SELECT COUNT(*), CAST(COALESCE(SUM(r.accepted_milli), 0) AS BIGINT) FROM usage_records r
                 JOIN subscriptions s ON s.id = r.sub_id WHERE s.billing_subscription_id = ?1",
                vals![sub],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .unwrap()
    }
}

/// What a request needs, to move into a task.
#[derive(Clone)]
struct Probe {
    base: String,
    token: String,
}

impl Probe {
    async fn post(&self, client: &reqwest::Client, body: &Value) -> (u16, Value) {
        let (status, _, body) = self.post_with_headers(client, body).await;
        (status, body)
    }

    async fn post_with_headers(
        &self,
        client: &reqwest::Client,
        body: &Value,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let resp = client
            .post(format!("{}/usages", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        (status, headers, resp.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_recordings_against_one_limit_accept_exactly_the_limit() {
    let s = start(eager()).await;
    let before = s.state.usage_writer.stats();
    let at = usage_test_clock::stamp(an_hour_ago());
    // 200 × 0.7 = 140 asked against a limit of 100, every one accepting what fits.
    let partial = s.subscription("partial", Some(100_000));
    let answers = s
        .post_all(
            (0..200)
                .map(|i| {
                    json!({"subscriptionId": partial, "quantity": "0.7", "usageTime": at,
                           "acceptPartialQuantity": true, "id": format!("partial-{i}")})
                })
                .collect(),
        )
        .await;
    let mut accepted = 0;
    for (status, rec) in &answers {
        assert_eq!(*status, 201, "{rec}");
        assert_eq!(milli(&rec["requestedQuantity"]), 700, "{rec}");
        accepted += milli(&rec["quantity"]);
    }
    assert_eq!(accepted, 100_000, "exactly the limit accepted");
    assert_eq!(
        s.stored(&partial),
        (200, accepted),
        "the database holds the 201s"
    );
    let (from, to) = day_of(an_hour_ago());
    assert_eq!(
        billable_via_api(&s.base, &s.token, &partial, (from, to)).await,
        accepted
    );
    let after = s.state.usage_writer.stats();
    assert_eq!(after.requests - before.requests, 200);
    assert!(
        after.batches - before.batches < 100,
        "requests share transactions: {before:?} → {after:?}"
    );

    // Without acceptPartialQuantity: whole records until the limit, then 422s.
    let whole = s.subscription("whole", Some(10_000));
    let answers = s
        .post_all(
            (0..50)
                .map(|_| json!({"subscriptionId": whole, "quantity": 1, "usageTime": at}))
                .collect(),
        )
        .await;
    let created: Vec<_> = answers.iter().filter(|(st, _)| *st == 201).collect();
    assert_eq!(created.len(), 10, "{answers:?}");
    for (status, body) in &answers {
        match status {
            201 => assert_eq!(milli(&body["quantity"]), 1_000, "{body}"),
            422 => assert_eq!(body["code"], "limitExceeded", "{body}"),
            _ => panic!("{status}: {body}"),
        }
    }
    assert_eq!(s.stored(&whole), (10, 10_000));
    assert_eq!(
        billable_via_api(&s.base, &s.token, &whole, (from, to)).await,
        10_000
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_sent_twenty_times_at_once_is_one_record() {
    let s = start(eager()).await;
    let sub = s.subscription("idem", None);
    let at = usage_test_clock::stamp(an_hour_ago());
    let body = json!({"subscriptionId": sub, "quantity": "2.5", "usageTime": at, "id": "same-key"});
    let answers = s.post_all(vec![body; 20]).await;
    let first = answers
        .iter()
        .find(|(st, _)| *st == 201)
        .map(|(_, r)| r.clone())
        .expect("one 201");
    let statuses: Vec<u16> = answers.iter().map(|(st, _)| *st).collect();
    assert_eq!(
        statuses.iter().filter(|&&st| st == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&st| st == 200).count(),
        19,
        "{statuses:?}"
    );
    for (_, rec) in &answers {
        assert_eq!(rec, &first, "every answer is the stored record");
    }
    assert_eq!(first["id"], "same-key");
    assert_eq!(s.stored(&sub), (1, 2_500));

    // Two bodies under one new key at once: the first decided wins, its twins get it again,
    // the others a 409; one record either way.
    let a = json!({"subscriptionId": sub, "quantity": 1, "usageTime": at, "id": "contested"});
    let b = json!({"subscriptionId": sub, "quantity": 2, "usageTime": at, "id": "contested"});
    let bodies: Vec<Value> = (0..20)
        .map(|i| if i % 2 == 0 { a.clone() } else { b.clone() })
        .collect();
    let answers = s.post_all(bodies.clone()).await;
    let (i, winner) = answers
        .iter()
        .enumerate()
        .find(|(_, (st, _))| *st == 201)
        .map(|(i, (_, r))| (i, r.clone()))
        .expect("one 201");
    for (j, (status, body)) in answers.iter().enumerate() {
        if j == i {
            continue;
        }
        if bodies[j] == bodies[i] {
            assert_eq!((*status, body), (200, &winner), "a replay of the winner");
        } else {
            assert_eq!(*status, 409, "{body}");
            assert_eq!(body["code"], "conflict", "{body}");
        }
    }
    assert_eq!(s.stored(&sub), (2, 2_500 + milli(&winner["quantity"])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_record_in_a_batch_does_not_fail_its_neighbours() {
    let s = start(WriterOptions {
        max_batch: 1_000,
        max_wait: Duration::from_millis(300),
        ..WriterOptions::default()
    })
    .await;
    let sub = s.subscription("neighbours", Some(1_000_000));
    let foreign: String = backend::one(
        &s.pool,
        "SELECT billing_subscription_id FROM subscriptions WHERE realm_id = ?1 LIMIT 1",
        vals![demo::FOREIGN],
    );
    // A record whose rollup write fails inside SQLite, after its row and its hourly rollup were
    // written: only a rollback to its own savepoint undoes those without undoing the others.
    let trigger = if backend::on_postgres() {
        "CREATE FUNCTION explode() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.app_id = 'explode' THEN RAISE EXCEPTION 'planted failure'; END IF; RETURN NEW; END $$;
         CREATE TRIGGER explode BEFORE INSERT ON usage_daily FOR EACH ROW EXECUTE FUNCTION explode();"
    } else {
        "CREATE TRIGGER explode BEFORE INSERT ON usage_daily WHEN NEW.app_id = 'explode'
         BEGIN SELECT RAISE(ABORT, 'planted failure'); END;"
    };
    backend::run(&s.pool, |c| c.batch(trigger)).unwrap();
    let at = usage_test_clock::stamp(an_hour_ago());
    let before = s.state.usage_writer.stats();
    let bodies: Vec<Value> = (0..31)
        .map(|i| match i {
            15 => {
                json!({"subscriptionId": sub, "quantity": 1, "usageTime": at, "appId": "explode"})
            }
            10 => json!({"subscriptionId": foreign, "quantity": 1, "usageTime": at}),
            20 => json!({"subscriptionId": sub, "quantity": 5_000, "usageTime": at}),
            _ => json!({"subscriptionId": sub, "quantity": 1, "usageTime": at, "appId": "fine"}),
        })
        .collect();
    let answers = s.post_all(bodies).await;
    let after = s.state.usage_writer.stats();
    assert_eq!(after.requests - before.requests, 31);
    assert!(
        after.batches - before.batches <= 3,
        "the 31 requests shared transactions: {before:?} → {after:?}"
    );
    for (i, (status, body)) in answers.iter().enumerate() {
        match i {
            15 => {
                assert_eq!(
                    (*status, body["code"].as_str()),
                    (500, Some("internal")),
                    "{body}"
                );
                assert!(
                    !body.to_string().contains("planted"),
                    "internal detail sent: {body}"
                );
            }
            10 => assert_eq!(*status, 404, "another org's subscription: {body}"),
            20 => assert_eq!(
                (*status, body["code"].as_str()),
                (422, Some("limitExceeded"))
            ),
            _ => assert_eq!(*status, 201, "neighbour {i}: {body}"),
        }
    }
    assert_eq!(
        s.stored(&sub),
        (28, 28_000),
        "the 28 good records, nothing of the bad one"
    );
    let hourly: i64 = backend::one(
        &s.pool,
        "SELECT CAST(COALESCE(SUM(h.usage_milli), 0) AS BIGINT) FROM usage_hourly h
         JOIN subscriptions s ON s.id = h.sub_id WHERE s.billing_subscription_id = ?1",
        vals![&sub],
    );
    assert_eq!(
        hourly, 28_000,
        "the bad record's hourly rollup was rolled back too"
    );
    let (from, to) = day_of(an_hour_ago());
    assert_eq!(
        billable_via_api(&s.base, &s.token, &sub, (from, to)).await,
        28_000
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_queue_is_a_prompt_503_with_retry_after() {
    let s = start(WriterOptions {
        queue: 2,
        max_batch: 1,
        max_wait: Duration::ZERO,
    })
    .await;
    let sub = s.subscription("full", None);
    let at = usage_test_clock::stamp(an_hour_ago());
    // Another connection's write transaction holds the lock the writer needs (SQLite's write
    // lock, PostgreSQL's lock on the subscription): the writer's first batch waits for it,
    // and the queue behind it fills.
    let locker = backend::hold_write_lock(&s.db_url, &sub);
    let client = reqwest::Client::new();
    let body = |i: usize| json!({"subscriptionId": sub, "quantity": 1, "usageTime": at, "id": format!("full-{i}")});
    let stuck = {
        let (client, probe, body) = (client.clone(), s.probe(), body(0));
        tokio::spawn(async move { probe.post(&client, &body).await })
    };
    // Time for the writer to take it and stop at the lock.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let more: Vec<_> = (1..=10)
        .map(|i| {
            let (client, probe, body) = (client.clone(), s.probe(), body(i));
            tokio::spawn(async move {
                let (status, headers, _) = probe.post_with_headers(&client, &body).await;
                (
                    status,
                    headers.contains_key("retry-after"),
                    started.elapsed(),
                )
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let while_locked = s.stored(&sub);
    locker.release();
    let mut answers = Vec::new();
    for t in more {
        answers.push(t.await.unwrap());
    }
    let (first, rec) = stuck.await.unwrap();
    assert_eq!(first, 201, "{rec}");
    let refused: Vec<_> = answers.iter().filter(|(st, _, _)| *st == 503).collect();
    let created = answers.iter().filter(|(st, _, _)| *st == 201).count() as i64;
    assert_eq!(
        refused.len() as i64 + created,
        10,
        "only 201s and 503s: {answers:?}"
    );
    assert!(refused.len() >= 8, "the queue holds 2: {answers:?}");
    for (_, retry_after, took) in &refused {
        assert!(*retry_after, "a 503 without Retry-After");
        // Refused while the lock was still held, not after waiting for it.
        assert!(*took < Duration::from_millis(1_000), "a 503 after {took:?}");
    }
    assert_eq!(
        while_locked,
        (0, 0),
        "nothing committed while the lock was held"
    );
    assert_eq!(s.stored(&sub), (1 + created, 1_000 * (1 + created)));
}
