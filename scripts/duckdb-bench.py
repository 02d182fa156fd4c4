#!/usr/bin/env python3
"""The query of the server's query bench, in DuckDB, for comparison (scripts/bench.sh runs it).

Exports the raw usage records and the subscriptions of the query bench's SQLite database
(target/bench/usage-10000000.db, which `cargo bench --bench query` builds) to Parquet once, then
times in DuckDB (in process, 2 threads) what the server answers from its rollups: a 95-day,
day-level sum by subscription, app id and billing tag for one realm, over the same sliding
windows the server bench uses, 200 times after 20 warm-up runs. Prints p50, p95 and p99.

Usage: duckdb-bench.py DATABASE [WORKDIR]
"""

import datetime
import os
import sqlite3
import sys
import time

import duckdb

SQL = """
SELECT CAST(r.usage_time - r.usage_time % 86400 AS BIGINT) AS day, r.sub_id, r.app_id, r.billing_tag,
       SUM(r.quantity_milli) AS usage_milli, SUM(r.accepted_milli) AS billable_milli
FROM records r JOIN subs s ON s.id = r.sub_id
WHERE s.realm_id = 'northwind' AND r.usage_time >= ? AND r.usage_time < ?
GROUP BY ALL
ORDER BY day, r.sub_id, r.app_id, r.billing_tag
"""


def export(db_path: str, work: str) -> tuple[str, str]:
    records = os.path.join(work, "records.parquet")
    subs = os.path.join(work, "subscriptions.parquet")
    if os.path.exists(records) and os.path.exists(subs):
        return records, subs
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    con = duckdb.connect()
    for name, query, path in [
        ("subs", "SELECT id, realm_id FROM subscriptions", subs),
        (
            "records",
            "SELECT sub_id, usage_time, quantity_milli, accepted_milli, app_id, billing_tag FROM usage_records",
            records,
        ),
    ]:
        csv_path = os.path.join(work, f"{name}.csv")
        with open(csv_path, "w") as out:
            cur = src.execute(query)
            while True:
                rows = cur.fetchmany(100_000)
                if not rows:
                    break
                out.writelines(",".join(f'"{v}"' if isinstance(v, str) else str(v) for v in row) + "\n" for row in rows)
        cols = [d[0] for d in src.execute(query + " LIMIT 0").description]
        con.execute(
            f"COPY (SELECT * FROM read_csv('{csv_path}', header=false, names={cols!r}, quote='\"')) TO '{path}' (FORMAT parquet)"
        )
        os.remove(csv_path)
    return records, subs


def main() -> None:
    db_path = sys.argv[1]
    work = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(db_path))
    started = time.time()
    records, subs = export(db_path, work)
    print(f"parquet ready in {time.time() - started:.1f} s")
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute(f"CREATE VIEW records AS SELECT * FROM read_parquet('{records}')")
    con.execute(f"CREATE VIEW subs AS SELECT * FROM read_parquet('{subs}')")
    n = con.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    times = []
    for i in range(220):
        start = datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 60 * 3)
        end = start + datetime.timedelta(days=95)
        a = int(datetime.datetime(start.year, start.month, start.day, tzinfo=datetime.timezone.utc).timestamp())
        b = int(datetime.datetime(end.year, end.month, end.day, tzinfo=datetime.timezone.utc).timestamp())
        t = time.perf_counter()
        con.execute(SQL, [a, b]).fetchall()
        if i >= 20:
            times.append(time.perf_counter() - t)
    times.sort()
    pick = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1e3
    print(
        f"DuckDB {duckdb.__version__}, in process, 2 threads, {n} raw records in Parquet: "
        f"95-day, day-level, by app id and billing tag: p50 {pick(0.5):.1f} ms, p95 {pick(0.95):.1f} ms, "
        f"p99 {pick(0.99):.1f} ms ({len(times)} queries)"
    )


if __name__ == "__main__":
    main()
