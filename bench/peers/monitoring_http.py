"""Times the dashboard's API answers over one kept-alive HTTP connection: each URL
`warm` times unmeasured, then `n` times; prints the p50 and p99 of each (ms) as JSON.
Uses only the standard library (the measuring side of bench/monitoring).

    python monitoring_http.py HOST:PORT SESSION_COOKIE N URL...
"""

import http.client
import json
import statistics
import sys
import time


def main() -> None:
    host, cookie, n, urls = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    conn = http.client.HTTPConnection(host)
    headers = {"Cookie": "jiujin_session=" + cookie}
    out = {}
    for url in urls:
        times = []
        for i in range(n + 20):
            t = time.perf_counter()
            conn.request("GET", url, headers=headers)
            r = conn.getresponse()
            body = r.read()
            dt = time.perf_counter() - t
            if r.status != 200:
                raise SystemExit(f"{url}: HTTP {r.status} {body[:200]!r}")
            if i >= 20:
                times.append(dt)
        times.sort()
        out[url] = {"p50_ms": round(statistics.median(times) * 1000, 3),
                    "p99_ms": round(times[int(len(times) * 0.99) - 1] * 1000, 3), "bytes": len(body)}
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
