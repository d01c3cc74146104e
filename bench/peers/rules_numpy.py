#!/usr/bin/env python3
"""The numpy peer of `jiujin bench rules` (issue 5): the same 5 person rules on the
same columns, one vectorised pass per rule, as numpy code is idiomatically written.

Reads the spec JSON the bench command writes (column files: raw little-endian arrays;
the rules' parameters; jiujin's counts and amount total), evaluates the rules with the
same three-valued semantics (a missing value makes a rule undetermined), checks that
its counts and amount total equal jiujin's, and prints its timing as JSON.
Usage: rules_numpy.py SPEC.json
"""

import calendar
import datetime as dt
import json
import sys
import time

import numpy as np

EPOCH = dt.date(1970, 1, 1)


def add_months(day: int, months: int) -> int:
    """`Duration::after` for whole months: clamp to the month's last day."""
    d = EPOCH + dt.timedelta(days=day)
    total = d.year * 12 + (d.month - 1) + months
    y, m = divmod(total, 12)
    last = calendar.monthrange(y, m + 1)[1]
    return (dt.date(y, m + 1, min(d.day, last)) - EPOCH).days


def last_start(months: int, today: int) -> int:
    """The last day s with s + months <= today (the calendar is monotone)."""
    s = today - months * 31
    while add_months(s + 1, months) <= today:
        s += 1
    while add_months(s, months) > today:
        s -= 1
    return s


def main() -> int:
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    cols = {name: np.fromfile(c["path"], dtype=np.dtype(c["dtype"]).newbyteorder("<")) for name, c in spec["columns"].items()}
    n = spec["persons"]
    assert all(len(v) == n for v in cols.values())
    today = (dt.date.fromisoformat(spec["date"]) - EPOCH).days
    p = spec["params"]
    date_unknown = np.iinfo(np.int32).min
    money_unknown = np.iinfo(np.int64).min
    t_min_age = last_start(p["min_age_months"], today)
    t_max_age = last_start(p["max_age_months"], today)
    t_unemployed = last_start(p["min_unemployment_months"], today)
    code, num, den, cap = p["status_code"], p["share_num"], p["share_den"], p["cap_fen"]

    def run():
        out = {}
        bd = cols["birth_date"]
        known = bd != date_unknown
        ok = known & (bd <= t_min_age) & (bd > t_max_age)
        out["bench-age-band"] = (ok, known & ~ok, None)
        f = cols["returnee"]
        out["bench-flag"] = (f == 1, f == 0, None)
        s = cols["employment_status"]
        ok = s == code
        out["bench-status"] = (ok, (s != code) & (s != 255), None)
        d = cols["unemployment_registered_date"]
        known = d != date_unknown
        out["bench-duration"] = (known & (d <= t_unemployed), known & (d > t_unemployed), None)
        m = cols["premiums_paid_fen"]
        known = m != money_unknown
        ok = known & (m > 0)
        amount = np.where(ok, np.minimum(m * num // den, cap), 0)
        out["bench-amount"] = (ok, known & ~ok, amount)
        return out

    times = []
    for _ in range(spec.get("repetitions", 3)):
        t = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t)
    problems = []
    for rule, (ok, no, amount) in out.items():
        want = spec["expected"][rule]
        got = {
            "eligible": int(np.count_nonzero(ok)),
            "not_eligible": int(np.count_nonzero(no)),
            "undetermined": int(n - np.count_nonzero(ok) - np.count_nonzero(no)),
            "amount_fen": int(amount.sum()) if amount is not None else 0,
        }
        for k, v in got.items():
            if v != want[k]:
                problems.append(f"{rule} {k}: numpy {v}, jiujin {want[k]}")
    best = min(times)
    rules = len(out)
    print(json.dumps({
        "peer": f"numpy {np.__version__}",
        "persons": n,
        "rules": rules,
        "seconds": times,
        "best_seconds": best,
        "person_rules_per_second": n * rules / best,
        "agrees": not problems,
        "problems": problems,
    }))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
