//! What only the PostgreSQL backend has: raw records partitioned by month. (On SQLite these
//! tests say they were skipped.)

mod backend;
mod process;
mod support;

use process::Site;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_lands_in_its_months_partition_and_old_months_are_partitions_of_their_own() {
    if !backend::on_postgres() {
        eprintln!("skipped on SQLite: partitions are PostgreSQL's");
        return;
    }
    let site = Site::new();
    let server = site.start_demo(&[]);
    let token = site.token("partitions");
    let sub = site.subscription("SUB-PARTITIONS");
    let at = support::an_hour_ago();
    let client = reqwest::Client::new();
    let (status, body) = support::post(
        &client,
        &server.base,
        &token,
        &support::recording(&sub, at, "in-its-month"),
    )
    .await
    .expect("an answer");
    assert_eq!(status, 201, "{body}");
    let pool = site.pool();
    let partition: String = backend::one(
        &pool,
        "SELECT CAST(tableoid::regclass AS TEXT) FROM usage_records WHERE client_id = 'in-its-month'",
        &[],
    );
    assert_eq!(
        partition,
        format!("usage_records_{}", at.format("%Y_%m")),
        "the record is in its month's partition"
    );
    // The demo's thirteen months are partitions of their own, and nothing fell to the default.
    let in_default: i64 = backend::one(&pool, "SELECT COUNT(*) FROM usage_records_default", &[]);
    assert_eq!(in_default, 0);
    let months: i64 = backend::one(
        &pool,
        "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = CAST('usage_records' AS regclass)",
        &[],
    );
    assert!(months >= 14, "{months} partitions");
    // A start after a month someone's rows went to the default partition still starts (the
    // month stays in the default partition, still read by every query).
    let far = usage_test_clock::now() + chrono::TimeDelta::days(3 * 365);
    backend::exec(
        &pool,
        "INSERT INTO usage_records (sub_id, usage_time, quantity_milli, accepted_milli, created_time, updated_time)
         SELECT id, ?1, 1000, 1000, 0, 0 FROM subscriptions WHERE billing_subscription_id = ?2",
        usage_server::vals![far.and_utc().timestamp(), &sub],
    );
    backend::exec(
        &pool,
        "SELECT usage_records_months(to_date(?1, 'YYYY-MM-DD'), to_date(?1, 'YYYY-MM-DD'))",
        usage_server::vals![&far.date().to_string()],
    );
    let in_default: i64 = backend::one(&pool, "SELECT COUNT(*) FROM usage_records_default", &[]);
    assert_eq!(in_default, 1, "the far month's row stays where it is");
    server.kill();
}

#[test]
fn the_servers_connections_run_without_jit_and_keep_the_urls_own_options() {
    if !backend::on_postgres() {
        eprintln!("skipped on SQLite: JIT is PostgreSQL's");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = backend::fresh(dir.path());
    // Compiling a statement costs tens of milliseconds; every statement of the server's is
    // read in a few (a page's reads of ranges from JSON are estimated high enough to compile).
    let jit: String = backend::one(&backend::open(&url), "SHOW jit", &[]);
    assert_eq!(jit, "off");
    // An operator's own settings in the URL still apply, JIT's included.
    let theirs = format!("{url}?options=-c%20work_mem%3D7MB%20-c%20jit%3Don");
    let pool = backend::open(&theirs);
    let work_mem: String = backend::one(&pool, "SHOW work_mem", &[]);
    assert_eq!(work_mem, "7MB");
    let jit: String = backend::one(&pool, "SHOW jit", &[]);
    assert_eq!(jit, "on", "the URL's options come last, so they win");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollups_sums_are_read_from_its_index_alone() {
    if !backend::on_postgres() {
        eprintln!("skipped on SQLite: its rollups are stored in their key's order already");
        return;
    }
    let site = Site::new();
    let server = site.start_demo(&[]);
    server.kill();
    let pool = site.pool();
    for (table, _) in usage_server::store::rollups::TABLES {
        // A zone's day edges are hundreds of index ranges of a few cells each: read from the
        // heap, each cell is a page of its own. The demo's tables are small enough that the
        // planner would scan them whole; what is asked here is how an index read goes.
        let plan: Vec<String> = backend::run(&pool, |c| {
            c.batch("SET enable_seqscan = off; SET enable_bitmapscan = off")?;
            let mut lines = Vec::new();
            c.each(
                &format!(
                    "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
                     SELECT SUM(x.usage_milli), SUM(x.billable_milli) FROM {table} AS x
                     WHERE x.sub_id = (SELECT MIN(id) FROM subscriptions) AND x.t >= 0"
                ),
                &[],
                |r| {
                    lines.push(r.get::<String>(0)?);
                    Ok(())
                },
            )?;
            c.batch("RESET enable_seqscan; RESET enable_bitmapscan")?;
            Ok::<_, usage_server::store::sql::Error>(lines)
        })
        .unwrap_or_else(|e| panic!("{table}: {e}"));
        let plan = plan.join("\n");
        assert!(
            plan.contains(&format!("Index Only Scan using {table}_pkey")),
            "{table}:\n{plan}"
        );
        // The demo loader leaves its pages marked all-visible, so no read visits the heap.
        assert!(plan.contains("Heap Fetches: 0"), "{table}:\n{plan}");
    }
}
