"""The DuckDB peer of the monitoring dashboard (issue 9): the city dashboard's three
GROUP BYs — status mix by district, insurance by district, monthly flows — over the
same registry exported to CSV (persons; status events), loaded into DuckDB tables
(the load and the derived table of status transitions are not timed), each query
timed as the median of several runs.

    python monitoring_duckdb.py PERSONS.csv EVENTS.csv [RUNS]

PERSONS.csv: id,hukou_region,status,insurance — EVENTS.csv: person_id,id,event_date,
status,work_region (登记 and 就业状态变更 events). Prints one JSON object.
"""

import json
import statistics
import sys
import time

import duckdb


def main() -> None:
    persons, events = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    con = duckdb.connect()
    t = time.perf_counter()
    con.execute(
        "CREATE TABLE persons AS SELECT * FROM read_csv(?, header=true, "
        "columns={'id':'BIGINT','hukou_region':'BIGINT','status':'SMALLINT','insurance':'INTEGER'})",
        [persons],
    )
    con.execute(
        "CREATE TABLE events AS SELECT * FROM read_csv(?, header=true, "
        "columns={'person_id':'BIGINT','id':'BIGINT','event_date':'DATE','status':'SMALLINT','work_region':'BIGINT'})",
        [events],
    )
    # Each status event with the status before it and the hukou district: what the
    # flows are counted from.
    con.execute(
        """CREATE TABLE transitions AS
           SELECT year(e.event_date) * 100 + month(e.event_date) AS month,
                  p.hukou_region // 1000000 AS district,
                  lag(e.status) OVER (PARTITION BY e.person_id ORDER BY e.id) AS prev,
                  lag(e.work_region // 1000000) OVER (PARTITION BY e.person_id ORDER BY e.id) AS prev_wd,
                  e.status, e.work_region // 1000000 AS wd
           FROM events e JOIN persons p ON p.id = e.person_id"""
    )
    load = time.perf_counter() - t
    queries = {
        "status_by_district": """SELECT hukou_region // 1000000 AS district, status, count(*) AS n
                                 FROM persons GROUP BY ALL""",
        "insurance_by_district": """SELECT hukou_region // 1000000 AS district,
                                    count(*) FILTER (WHERE insurance = 0) AS none,
                                    count(*) FILTER (WHERE insurance & 1 <> 0) AS pension,
                                    count(*) FILTER (WHERE insurance & 2 <> 0) AS medical,
                                    count(*) FILTER (WHERE insurance & 4 <> 0) AS injury,
                                    count(*) FILTER (WHERE insurance & 8 <> 0) AS unemployment
                                    FROM persons GROUP BY ALL""",
        "monthly_flows": """SELECT month,
                            count(*) FILTER (WHERE prev = 2 AND status <> 2) AS returned,
                            count(*) FILTER (WHERE prev <> 2 AND status = 2) AS departed,
                            count(*) FILTER (WHERE status = 1 AND wd = district
                                             AND NOT (prev = 1 AND prev_wd = district)) AS near_home_new,
                            count(*) FILTER (WHERE status = 5 AND prev <> 5) AS became_unemployed
                            FROM transitions WHERE prev IS NOT NULL GROUP BY month ORDER BY month""",
    }
    out = {"persons": con.execute("SELECT count(*) FROM persons").fetchone()[0],
           "events": con.execute("SELECT count(*) FROM events").fetchone()[0],
           "load_s": round(load, 2), "threads": con.execute("SELECT current_setting('threads')").fetchone()[0]}
    for name, sql in queries.items():
        con.execute(sql).fetchall()  # warm
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            con.execute(sql).fetchall()
            times.append(time.perf_counter() - t)
        out[name + "_ms"] = round(statistics.median(times) * 1000, 2)
    out["total_ms"] = round(sum(out[k + "_ms"] for k in queries), 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
