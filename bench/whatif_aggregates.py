"""What a per-unit, per-quarter aggregate would save (a measured proposal, not used by the app).

Even with v_activity materialised, the heaviest page queries still scan or group all 3.4 million rows of
it: periods() and default_period() (every quarter), not_reported() (every unit's last report), and
heatmap_quarters() (eight quarters, filtered on `year * 4 + quarter - 1`, which no zone map can prune).
A table with one row per unit, quarter and indicator group (plus one for all groups), maintained with the same
keys as activity_current, answers them from ~200,000 rows. This script builds that table on a copy of the
proposed database, runs each current query and its equivalent on the aggregate, checks the answers are equal,
and times both (p50 / p95 over repeats, with the load average), plus the per-batch refresh of one quarter.

    python bench/whatif_aggregates.py --db bench/out/national_proposed.duckdb [--repeat 7]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, Timer, load, summary, write_json  # noqa: E402

AGG = "activity_unit_quarter"


def build_sql(where: str = "true") -> str:
    from dashboard import theme
    return f"""
        SELECT a.unit_code, a.year, a.quarter, m.grp,
               count(a.c) AS n_indicators, count(*) FILTER (a.c >= {theme.THRESHOLD_DAT}) AS n_dat,
               avg(CASE WHEN a.c > {theme.UNIT_CAP} THEN {theme.UNIT_CAP} ELSE a.c END) AS completion,
               count(a.actual) AS n_actual, count(a.target) AS n_target
        FROM (SELECT *, CASE WHEN target > 0 AND actual IS NOT NULL THEN actual / target END AS c
              FROM activity_current WHERE {where}) a
        JOIN metric m ON m.code = a.metric_code
        GROUP BY GROUPING SETS ((a.unit_code, a.year, a.quarter, m.grp), (a.unit_code, a.year, a.quarter))
        ORDER BY a.year, a.quarter, a.unit_code"""


# Equivalents on the aggregate: same columns as dashboard.queries returns (before its pandas post-processing).
def agg_periods(con):
    return con.execute(f"""
        SELECT year, quarter, count(*) FILTER (n_actual > 0) AS n_reported, bool_or(n_target > 0) AS has_target
        FROM {AGG} WHERE grp IS NULL GROUP BY ALL ORDER BY year, quarter""").df()


def agg_default_period(con):
    return con.execute(f"SELECT max(year * 4 + quarter - 1) FILTER (n_actual > 0) FROM {AGG} WHERE grp IS NULL"
                       ).fetchall()


def agg_unit_completion(con, y, q):
    from dashboard.queries import GROUP_NAME_SQL
    return con.execute(f"""
        SELECT p.unit_code, u.name AS unit_name, {GROUP_NAME_SQL} AS group_name, p.n_indicators, p.n_dat,
               p.completion
        FROM {AGG} p JOIN unit u ON u.code = p.unit_code
        WHERE p.grp IS NULL AND p.year = ? AND p.quarter = ? AND p.n_actual > 0
        ORDER BY p.completion DESC NULLS LAST, u.name COLLATE vi""", [y, q]).df()


def agg_group_completion(con, y, q):
    return con.execute(f"""
        WITH r AS (SELECT unit_code FROM {AGG} WHERE grp IS NULL AND year = $y AND quarter = $q AND n_actual > 0)
        SELECT grp, avg(completion) AS completion, count(completion) AS n_units
        FROM {AGG} WHERE year = $y AND quarter = $q AND grp IS NOT NULL AND unit_code IN (SELECT unit_code FROM r)
        GROUP BY grp
        UNION ALL
        SELECT NULL, avg(completion), count(completion)
        FROM {AGG} WHERE year = $y AND quarter = $q AND grp IS NULL AND unit_code IN (SELECT unit_code FROM r)""",
                       {"y": y, "q": q}).df()


def agg_heatmap(con, y, q, n=8):
    hi = y * 4 + q - 1
    lo = hi - n + 1
    return con.execute(f"""
        SELECT p.unit_code, u.name AS unit_name, p.year, p.quarter,
               CASE WHEN p.n_actual > 0 THEN p.completion END AS completion
        FROM {AGG} p JOIN unit u ON u.code = p.unit_code
        WHERE p.grp IS NULL AND p.year BETWEEN {lo // 4} AND {hi // 4} AND p.year * 4 + p.quarter - 1 BETWEEN ? AND ?
        ORDER BY u.name COLLATE vi, p.year, p.quarter""", [lo, hi]).df()


def cur_heatmap_pruned(con, y, q, n=8):
    """The current heatmap SQL with one added predicate on `year` alone (zone maps can prune on it)."""
    from dashboard import queries as Q
    import dashboard.theme as theme
    hi = y * 4 + q - 1
    lo = hi - n + 1
    sql = f"""
        WITH base AS ({Q._BASE})
        SELECT unit_code, any_value(unit_name) AS unit_name, year, quarter,
               CASE WHEN count(actual) > 0 THEN avg(CASE WHEN completion > $cap THEN $cap ELSE completion END) END
               AS completion
        FROM base WHERE year BETWEEN {lo // 4} AND {hi // 4} AND year * 4 + quarter - 1 BETWEEN $lo AND $hi
        GROUP BY unit_code, year, quarter ORDER BY unit_name COLLATE vi, year, quarter"""
    return Q._df(con, sql, {"units": None, "metric": None, "lo": lo, "hi": hi, "cap": theme.UNIT_CAP})


def run(db: Path, repeat: int = 7) -> dict:
    from dashboard import queries as Q
    from loaders.schema import connect

    tmp = Path(tempfile.mkdtemp(prefix="cchc_agg_"))
    copy = tmp / "agg.duckdb"
    shutil.copy(db, copy)
    con = connect(copy)
    from loaders import materialize
    materialize.install(con)  # idempotent: v_activity reads activity_current
    y, q = Q.default_period(con)
    with Timer() as t_build:
        con.execute(f"CREATE TABLE {AGG} AS {build_sql()}")
    con.execute("CHECKPOINT")
    with Timer() as t_refresh:  # what one batch for (y, q) adds to the write, after activity_current's refresh
        con.execute("BEGIN TRANSACTION")
        con.execute(f"DELETE FROM {AGG} WHERE year = ? AND quarter = ?", [y, q])
        con.execute(f"INSERT INTO {AGG} {build_sql(f'year = {y} AND quarter = {q}')}")
        con.execute("COMMIT")
    n_rows = con.execute(f"SELECT count(*) FROM {AGG}").fetchall()[0][0]
    con.close()

    cases = {
        "periods()": (lambda c: Q.periods(c), lambda c: agg_periods(c), ["year", "quarter", "n_reported", "has_target"]),
        "default_period()": (lambda c: Q.default_period(c), lambda c: agg_default_period(c), None),
        f"unit_completion({y}, {q})": (lambda c: Q.unit_completion(c, y, q), lambda c: agg_unit_completion(c, y, q),
                                       ["unit_code", "n_indicators", "n_dat", "completion"]),
        f"group_completion({y}, {q})": (lambda c: Q.group_completion(c, y, q), lambda c: agg_group_completion(c, y, q),
                                        ["grp", "completion", "n_units"]),
        f"heatmap_quarters({y}, {q})": (lambda c: Q.heatmap_quarters(c, y, q), lambda c: agg_heatmap(c, y, q),
                                        ["unit_code", "year", "quarter", "completion"]),
        f"heatmap_quarters({y}, {q}) + year predicate": (lambda c: Q.heatmap_quarters(c, y, q),
                                                         lambda c: cur_heatmap_pruned(c, y, q),
                                                         ["unit_code", "year", "quarter", "completion"]),
    }
    out = {"period": [y, q], "aggregate_rows": n_rows, "build_s": round(t_build.seconds, 2),
           "refresh_one_quarter_s": round(t_refresh.seconds, 3), "load": load(), "cases": {}}
    for name, (cur, alt, cols) in cases.items():
        times = {"current": [], "aggregate": []}
        same = None
        for i in range(repeat):
            for which, fn in (("current", cur), ("aggregate", alt)):
                c = connect(copy, read_only=True)  # cold: a new connection each time, like bench_queries
                t = time.perf_counter()
                r = fn(c)
                times[which].append(time.perf_counter() - t)
                c.close()
                if i == 0:
                    if which == "current":
                        a = r
                    else:
                        same = _same(a, r, cols)
        out["cases"][name] = {"current": summary(times["current"]), "aggregate": summary(times["aggregate"]),
                              "same_answer": same, "load": load()}
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def _same(a, b, cols) -> bool:
    """Equal answers: same rows (in any order; None and NaN keys alike), numbers equal to 1e-9."""
    import pandas as pd
    if cols is None:
        return int(a[0]) * 4 + int(a[1]) - 1 == int(b[0][0])

    def norm(df):
        df = df[cols].copy()
        keys = [c for c in cols if not pd.api.types.is_float_dtype(df[c])]
        for c in keys:
            df[c] = df[c].astype(object).where(df[c].notna(), "∅").astype(str)
        return df.sort_values(keys).reset_index(drop=True)

    try:
        pd.testing.assert_frame_equal(norm(a), norm(b), check_dtype=False, check_exact=False, rtol=1e-9)
        return True
    except AssertionError:
        return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default=str(OUT / "national_proposed.duckdb"))
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    r = run(Path(args.db), args.repeat)
    write_json(Path(args.out) / "whatif_aggregates.json", r)
    print(json.dumps(r, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
