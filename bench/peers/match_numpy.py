#!/usr/bin/env python3
"""The numpy peer of the matching benchmark (SPEC §4): the top-k open jobs for each
seeker, with the same score as jiujin (crates/domain/src/matching), as numpy code is
idiomatically written: an inverted index (postings grouped by district and by
occupation, as arrays of row numbers) gives a candidate set per seeker (the home
district and its neighbours, and the worker's occupation anywhere), which is scored in
one vectorised pass; when the k-th best candidate does not beat the most a
non-candidate could score, every posting is scored instead.

Reads a directory the bench command writes (formats: crates/domain/src/matching/peer.rs):

postings.csv  id,place,occupation,industry_section,kind,wage_form,wage_min,wage_max,
              age_min,age_max,skill_min,headcount_left,open
              place: 12-digit region code; occupation: index into the occupation list,
              -1 none; industry_section: 0 = A … 19 = T, -1 none; kind: 1 全职,
              2 非全日制, 3 临时/季节性, 4 零工; wage_form: 1 月, 2 日, 3 时, 4 计件;
              wages in fen; skill_min: 1 (highest) … 5, 0 none; open: 1/0.
seekers.csv   id,age,sex,home,occupation,skill,expected_monthly,wanted_kind,
              industry_section,wants_work
              sex: 1 男, 2 女; skill 0 none; expected_monthly fen, -1 none;
              wanted_kind 0 none; wants_work 1/0.
geo.json      districts (12-digit codes; a district's slot is its position), areas (per
              slot, -1 unknown), adjacent (pairs of slots), occupation_category (per
              occupation, -1 unknown).
weights.json  the points of data/matching/weights.toml, older occupations as indexes.

Prints JSON: {"peer", "postings", "queries", "k", "p50_ms", "p99_ms", "per_second",
"fallbacks", "top": {seeker id: [job ids, best first]}} with "top" for the first 100
seekers of the file (--top N for another number; ties: lower job id first), so the
bench can check agreement. "fallbacks" counts the queries that scored every posting.
Usage: match_numpy.py DIR [--k 10] [--queries N] [--top N]
"""

import argparse
import json
import os
import sys
import time

import numpy as np

WORK_DAYS_PER_MONTH = 21
HOURS_PER_DAY = 8
SECTIONS = 20


def read_csv(path: str, columns: int) -> np.ndarray:
    a = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    return a.reshape(-1, columns)


def district_slots(codes: np.ndarray, districts: np.ndarray) -> np.ndarray:
    """Slot of the district containing each 12-digit code, -1 outside the list."""
    d = codes // 1_000_000 * 1_000_000
    i = np.clip(np.searchsorted(districts, d), 0, max(len(districts) - 1, 0))
    found = (districts[i] == d) if len(districts) else np.zeros(len(d), bool)
    return np.where(found, i, -1)


def has_town(codes):
    return codes // 1_000 % 1_000 != 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--queries", type=int, default=None, help="score only the first N seekers")
    ap.add_argument("--top", type=int, default=100, help="report the results of the first N seekers")
    args = ap.parse_args()
    k = args.k

    geo = json.load(open(os.path.join(args.dir, "geo.json"), encoding="utf-8"))
    w = json.load(open(os.path.join(args.dir, "weights.json"), encoding="utf-8"))
    P = read_csv(os.path.join(args.dir, "postings.csv"), 13)
    S = read_csv(os.path.join(args.dir, "seekers.csv"), 10)

    districts = np.array(geo["districts"], dtype=np.int64)
    nd = len(districts)
    areas = np.array(geo["areas"], dtype=np.int64)
    adj = np.zeros((nd, nd), dtype=bool)
    for a, b in geo["adjacent"]:
        adj[a, b] = adj[b, a] = True
    category = np.array(geo["occupation_category"], dtype=np.int64)
    n_occ = len(category)

    # ---- Postings: the open ones with headcount left, as columns. ----
    P = P[(P[:, 12] == 1) & (P[:, 11] > 0)]
    p_id, p_place = P[:, 0], P[:, 1]
    p_occ = np.where((P[:, 2] >= 0) & (P[:, 2] < n_occ), P[:, 2], -1)
    p_sec = np.where((P[:, 3] >= 0) & (P[:, 3] < SECTIONS), P[:, 3], -1)
    p_kind, form = P[:, 4], P[:, 5]
    total = P[:, 6] + P[:, 7]
    half = np.where(total >= 0, total // 2, -((-total) // 2))  # toward zero, as Rust
    p_piece = form == 4
    p_mid = np.select(
        [form == 1, form == 2, form == 3],
        [half, half * WORK_DAYS_PER_MONTH, half * HOURS_PER_DAY * WORK_DAYS_PER_MONTH],
        default=0,
    )
    p_dist = district_slots(p_place, districts)
    suited = np.zeros(n_occ + 1, dtype=bool)
    suited[[o for o in w["older"]["occupations"] if 0 <= o < n_occ]] = True
    # One row of small integers per posting, gathered once per candidate set. Codes that
    # index the per-seeker point tables below: the district slot (-1 → nd), occupation
    # (-1 → n_occ), section (-1 → 20), skill 0..5, kind 1..4.
    cols = np.stack([
        np.where(p_dist >= 0, p_dist, nd),
        np.where(p_occ >= 0, p_occ, n_occ),
        np.where(p_sec >= 0, p_sec, SECTIONS),
        P[:, 10], p_kind, P[:, 8], P[:, 9],
        np.where(p_piece, 1, 0), p_mid, p_place,
    ], axis=1)
    p_dist_code = cols[:, 0]

    # ---- The inverted index: row numbers by district slot and by occupation. ----
    order = np.argsort(p_dist, kind="stable")
    starts = np.searchsorted(p_dist[order], np.arange(-1, nd + 1))
    by_district = {d: order[starts[d + 1] : starts[d + 2]] for d in range(-1, nd)}
    order = np.argsort(p_occ, kind="stable")
    starts = np.searchsorted(p_occ[order], np.arange(-1, n_occ + 1))
    by_occ = {o: order[starts[o + 1] : starts[o + 2]] for o in range(-1, n_occ)}
    all_rows = np.arange(len(P))

    nw, ow, sw, ww, kw, iw, rw = (
        w["nearness"], w["occupation"], w["skill"], w["wage"], w["kind"], w["industry"], w["older"],
    )
    pct = ww["near_below_percent"]
    cat_ext = np.append(category, -1)  # by occupation code, n_occ → unknown
    area_ext = np.append(areas, -1)

    def score(s, c):
        """Scores of candidate rows `c` for seeker row `s` (a tuple of ints), and the
        mask of those whose age range admits the seeker."""
        sid, age, sex, home, occ, skill, exp, wanted, sec, wants = s
        occ = occ if 0 <= occ < n_occ else -1
        sec = sec if 0 <= sec < SECTIONS else -1
        hd = district_slots(np.array([home]), districts)[0]
        x = cols[c]
        pd, po, ps_, pk, pskill, amin, amax, piece, mid, place = (
            x[:, 0], x[:, 1], x[:, 2], x[:, 4], x[:, 3], x[:, 5], x[:, 6], x[:, 7], x[:, 8], x[:, 9],
        )
        # Nearness: a table by district slot, then the home town and village.
        tier = np.full(nd + 1, nw["elsewhere"], dtype=np.int64)
        if hd >= 0:
            if areas[hd] >= 0:
                tier[np.flatnonzero(area_ext == areas[hd])] = nw["area"]
            tier[np.flatnonzero(adj[hd])] = nw["adjacent"]
            tier[hd] = nw["district"]
        pts = tier[pd]
        if hd >= 0 and has_town(home):
            town = (pd == hd) & (place // 1_000 == home // 1_000)
            pts = np.where(town, nw["town"], pts)
            if home % 1_000 != 0:
                pts = np.where(town & (place == home), nw["village"], pts)
        # Occupation: a table by the posting's occupation code.
        if occ < 0:
            occ_t = np.full(n_occ + 1, ow["unknown"], dtype=np.int64)
        else:
            same = (cat_ext == category[occ]) & (category[occ] >= 0)
            occ_t = np.where(same, ow["same_category"], ow["different"])
            occ_t[occ] = ow["exact"]
            occ_t[n_occ] = ow["unknown"]
        older = age >= (rw["female_from_age"] if sex == 2 else rw["male_from_age"])
        if older:
            occ_t = occ_t + np.where(suited, rw["points"], 0)
        pts = pts + occ_t[po]
        # Skill, kind and industry: tables by code.
        skill_t = np.array([sw["no_requirement"]] + [
            sw["meets"] if skill != 0 and skill <= m else sw["below"] for m in range(1, 6)
        ])
        kind_t = np.array([0] + [
            kw["no_wish"] if wanted == 0 else kw["same"] if wanted == kd else kw["different"] for kd in range(1, 5)
        ])
        ind_t = np.array([
            iw["unknown"] if sec < 0 else iw["same"] if sec == x_ else iw["different"] for x_ in range(SECTIONS)
        ] + [iw["unknown"]])
        pts = pts + skill_t[pskill] + kind_t[pk] + ind_t[ps_]
        # Wage against the expectation.
        if exp < 0:
            pts = pts + ww["neutral"]
        else:
            near_min = -((-exp * (100 - pct)) // 100)
            wage = np.where(mid >= exp, ww["at_least"], np.where(mid >= near_min, ww["near"], ww["far"]))
            pts = pts + np.where(piece == 1, ww["neutral"], wage)
        ok = (amin <= age) & (age <= amax)
        return pts, ok, hd, occ, older, sec

    def top_k(pts, ok, c):
        c, pts = c[ok], pts[ok]
        if len(c) > k:
            kth = np.partition(pts, len(pts) - k)[len(pts) - k]
            keep = pts >= kth
            c, pts = c[keep], pts[keep]
        best = np.lexsort((p_id[c], -pts))[:k]
        return c[best], pts[best]

    def query(s):
        """The top-k job rows of one seeker, and whether every posting was scored."""
        if s[9] != 1:
            return np.empty(0, np.int64), False
        occ, hd = s[4], district_slots(np.array([s[3]]), districts)[0]
        # Candidates: the home district and its neighbours, and the postings of the
        # worker's occupation elsewhere (disjoint, so no de-duplication).
        near = np.zeros(nd + 1, dtype=bool)  # by district code (nd: none)
        if hd >= 0:
            near[hd] = True
            near[:nd] |= adj[hd]
        parts = [by_district[d] for d in np.flatnonzero(near[:nd])]
        if 0 <= occ < n_occ:
            rows = by_occ[occ]
            parts.append(rows[~near[p_dist_code[rows]]])
        c = np.concatenate(parts) if parts else np.empty(0, np.int64)
        pts, ok, hd, occ, older, sec = score(s, c)
        rows, best = top_k(pts, ok, c)
        # The most a posting outside the candidates can score: no nearer than the same
        # area, not the worker's occupation, every other factor at its best.
        other_occ = max(ow["same_category"], ow["different"], ow["unknown"]) if occ >= 0 else ow["unknown"]
        bound = (nw["area"] if hd >= 0 else nw["elsewhere"]) + other_occ
        bound += max(sw["meets"], sw["no_requirement"], sw["below"])
        bound += max(ww["at_least"], ww["neutral"]) if s[6] >= 0 else ww["neutral"]
        bound += kw["no_wish"] if s[7] == 0 else max(kw["same"], kw["different"])
        bound += iw["unknown"] if sec < 0 else max(iw["same"], iw["different"], iw["unknown"])
        bound += max(rw["points"], 0) if older else 0
        if len(rows) == k and best[-1] > bound:
            return rows, False
        pts, ok, *_ = score(s, all_rows)
        return top_k(pts, ok, all_rows)[0], True

    seekers = [tuple(int(x) for x in row) for row in S]
    if args.queries is not None:
        seekers = seekers[: args.queries]
    times, top, fallbacks = [], {}, 0
    for i, s in enumerate(seekers):
        t = time.perf_counter()
        rows, fell_back = query(s)
        times.append(time.perf_counter() - t)
        fallbacks += fell_back
        if i < args.top:
            top[str(s[0])] = [int(x) for x in p_id[rows]]
    ms = np.array(times) * 1e3
    print(json.dumps({
        "peer": f"numpy {np.__version__}",
        "postings": int(len(P)),
        "queries": len(seekers),
        "k": k,
        "p50_ms": float(np.percentile(ms, 50)) if len(ms) else 0.0,
        "p99_ms": float(np.percentile(ms, 99)) if len(ms) else 0.0,
        "per_second": len(seekers) / sum(times) if times else 0.0,
        "fallbacks": fallbacks,
        "top": top,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
