#!/usr/bin/env python3
"""The report of the server's report bench, written by DuckDB, for comparison (scripts/bench.sh).

The report bench (`cargo bench -p usage-server --bench report`) times a 1,000,000-record
report: one subscription metering 10,600 resources daily for 95 days, by day and resource,
from the server's daily rollups. Here the same usage is raw records (one a resource and day,
exported once from the bench's SQLite database to Parquet), and DuckDB (in process, 2 threads)
sums them by day and resource and writes the report's CSV: the same columns, order, number
format and the first 1,000,000 rows. Prints the median time of 3 runs.

With a third argument (a CSV the server wrote for that report), the rows are compared, line
endings aside, so both sides are known to write the same thing.

Usage: duckdb-report.py DATABASE WORKDIR [SERVER_CSV]
"""

import itertools
import os
import sqlite3
import sys
import time

import duckdb

START = 1780272000  # 2026-06-01, as the bench's report asks
END = START + 95 * 86400
LIMIT = 1_000_000


def export(db_path: str, work: str) -> tuple[str, str]:
    records = os.path.join(work, "report-records.parquet")
    subs = os.path.join(work, "report-subscriptions.parquet")
    if os.path.exists(records) and os.path.exists(subs):
        return records, subs
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    con = duckdb.connect()
    sub_rows = src.execute(
        "SELECT id, realm_id, feature_id, billing_subscription_id, billing_charge_number, category, name, value_driver "
        "FROM subscriptions WHERE realm_id = 'bench-fleet'"
    ).fetchall()
    con.execute(
        "CREATE TABLE subs (id BIGINT, realm_id VARCHAR, feature_id VARCHAR, billing_subscription_id VARCHAR, "
        "billing_charge_number VARCHAR, category VARCHAR, name VARCHAR, value_driver VARCHAR)"
    )
    con.executemany("INSERT INTO subs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", sub_rows)
    con.execute(f"COPY subs TO '{subs}' (FORMAT parquet)")
    # One raw record for each daily rollup row of the bench's subscription, at the day's start.
    csv_path = os.path.join(work, "report-records.csv")
    ids = ",".join(str(r[0]) for r in sub_rows)
    with open(csv_path, "w") as out:
        cur = src.execute(
            f"SELECT sub_id, t, usage_milli, billable_milli, resource FROM usage_daily WHERE sub_id IN ({ids})"
        )
        while True:
            rows = cur.fetchmany(100_000)
            if not rows:
                break
            out.writelines(f'{a},{b},{c},{d},"{e}"\n' for a, b, c, d, e in rows)
    con.execute(
        f"COPY (SELECT * FROM read_csv('{csv_path}', header=false, quote='\"', "
        "names=['sub_id', 'usage_time', 'quantity_milli', 'accepted_milli', 'resource'], "
        "types={'sub_id': 'BIGINT', 'usage_time': 'BIGINT', 'quantity_milli': 'BIGINT', 'accepted_milli': 'BIGINT', 'resource': 'VARCHAR'})) "
        f"TO '{records}' (FORMAT parquet)"
    )
    os.remove(csv_path)
    return records, subs


# A milli-unit sum as the API writes a quantity: no trailing zeros, no point when whole.
def decimal(x: str) -> str:
    return (
        f"CAST({x} // 1000 AS VARCHAR) || CASE WHEN {x} % 1000 = 0 THEN '' "
        f"ELSE rtrim('.' || lpad(CAST({x} % 1000 AS VARCHAR), 3, '0'), '0') END"
    )


SQL = f"""
COPY (
  SELECT s.realm_id AS realmId, s.feature_id AS featureId, s.billing_subscription_id AS billingSubscriptionId,
         s.billing_charge_number AS billingChargeNumber, s.category, s.name, s.value_driver AS valueDriver,
         {decimal('g.u')} AS usageValue, {decimal('g.b')} AS billableValue, g.resource,
         strftime(make_timestamp(g.day * 1000000), '%Y-%m-%dT%H:%M:%S') AS usageDateTime
  FROM (
    SELECT r.usage_time - r.usage_time % 86400 AS day, r.sub_id, r.resource,
           SUM(r.quantity_milli) AS u, SUM(r.accepted_milli) AS b
    FROM records r
    WHERE r.usage_time >= {START} AND r.usage_time < {END}
    GROUP BY ALL
  ) g JOIN subs s ON s.id = g.sub_id
  WHERE s.realm_id = 'bench-fleet'
  ORDER BY g.day, s.billing_subscription_id, s.category, s.name, g.resource
  LIMIT {LIMIT}
) TO '{{out}}' (HEADER, DELIMITER ',', QUOTE '"')
"""


def main() -> None:
    db_path, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    records, subs = export(db_path, work)
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute(f"CREATE VIEW records AS SELECT * FROM read_parquet('{records}')")
    con.execute(f"CREATE VIEW subs AS SELECT * FROM read_parquet('{subs}')")
    n = con.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    out = os.path.join(work, "duckdb-report.csv")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        con.execute(SQL.format(out=out))
        times.append(time.perf_counter() - t)
    times.sort()
    size = os.path.getsize(out)
    print(
        f"DuckDB {duckdb.__version__}, in process, 2 threads, {n} raw records in Parquet: "
        f"the report's {LIMIT} rows to CSV ({size} bytes) in {times[1]:.2f} s (median of 3; "
        f"{times[0]:.2f}-{times[-1]:.2f} s)"
    )
    if len(sys.argv) > 3:
        with open(sys.argv[3], newline="") as a, open(out, newline="") as b:
            for i, (x, y) in enumerate(itertools.zip_longest(a, b)):
                if x is None or y is None:
                    sys.exit(f"line {i + 1}: only {'DuckDB' if x is None else 'the server'} has it")
                if x.rstrip("\r\n") != y.rstrip("\r\n"):
                    sys.exit(f"line {i + 1} differs: server {x!r}, DuckDB {y!r}")
        print("DuckDB's rows are the server's, line for line")


if __name__ == "__main__":
    main()
