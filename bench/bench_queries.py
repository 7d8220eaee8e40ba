"""Each page's server-side work at national scale: its queries cold and warm, the whole rerun, and the pandas way.

1. record  Each page (pages/tong_quan.py, hoat_dong.py, chi_so.py, don_vi.py) is run once with Streamlit's AppTest
           on the national database; every `dashboard.cached.q(fn, ...)` call it makes is recorded (module, function
           and arguments, in order), so the benchmark replays exactly what the page asks for with its default
           widgets (dashboard.queries, dashboard.period_queries, dashboard.reporting…).
2. cold    The page's calls straight to their read modules, nothing cached. Two cases: after start-up (a new
           connection each repeat: DuckDB's buffers empty) and after an upload (the app's one connection stays
           open, only the query cache is emptied, since it is keyed by the data version: what every page costs
           after each upload or rollback). Beside them "before": v_activity as the live view computed on every
           query (bench/before_design.py, on a copy of the database), time-limited, for the ratio.
3. warm    The same calls through dashboard.cached.q after one filling pass: what a rerun costs when no data
           changed (data-version query + st.cache_data lookup and copy).
4. rerun   The whole page script in AppTest, warm (widgets, queries, figures, element tree), beside a bare page
           that draws one Plotly figure: the server-side floor of a Streamlit rerun on this machine.
5. pandas  The typical Streamlit way: `SELECT * FROM v_activity` into a DataFrame kept by st.cache_data, then on
           every rerun the cached copy is handed out and filtered / grouped with pandas for what the page shows.

    python bench/bench_queries.py --db bench/out/national.duckdb [--repeat 20]
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH, OUT, ROOT, Timer, load, run_worker, summary  # noqa: E402

PAGES = ["tong_quan", "hoat_dong", "chi_so", "don_vi"]
BARE_PAGE = BENCH / "bare_app.py"


# --- argument encoding (tuples survive JSON) ----------------------------------------------------------------------

def _enc(v):
    import numpy as np
    if isinstance(v, dt.date):
        return {"date": v.isoformat()}
    if isinstance(v, tuple):
        return {"tuple": [_enc(x) for x in v]}
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _dec(v):
    if isinstance(v, dict) and "date" in v:
        return dt.date.fromisoformat(v["date"])
    if isinstance(v, dict) and "tuple" in v:
        return tuple(_dec(x) for x in v["tuple"])
    if isinstance(v, list):
        return [_dec(x) for x in v]
    return v


# --- workers --------------------------------------------------------------------------------------------------------

def _env(db) -> None:
    os.environ["CCHC_DB"] = str(db)
    os.environ["CCHC_OPEN_READ"] = "1"


def w_record(db: str, pages: list[str]) -> dict:
    """Run each page in AppTest and record its cached.q calls."""
    _env(db)
    import logging
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from dashboard import cached

    out = {}
    real_q = cached.q
    for page in pages:
        cached.clear()
        out[page] = _record_one(page, real_q)
    cached.q = real_q
    return out


def _record_one(page: str, real_q) -> dict:
    from streamlit.testing.v1 import AppTest

    from dashboard import cached

    calls = []

    def spy(fn, *args, **kwargs):
        module, name = ("dashboard.queries", fn) if isinstance(fn, str) else (fn.__module__, fn.__name__)
        t = time.perf_counter()
        try:
            return real_q(fn, *args, **kwargs)
        finally:
            calls.append({"module": module, "fn": name, "args": _enc(list(args)), "kwargs": _enc(kwargs),
                          "first_ms": round((time.perf_counter() - t) * 1000, 2)})

    cached.q = spy
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=600)
    with Timer() as t:
        at.run()
    errors = [str(e.value)[:300] for e in at.exception] if at.exception else []
    charts = len(at.get("plotly_chart"))
    # deduplicate identical calls (a page may ask twice; the cache answers the second)
    seen, unique = set(), []
    for c in calls:
        key = json.dumps([c["module"], c["fn"], c["args"], c["kwargs"]], sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return {"page": page, "calls": unique, "n_calls_made": len(calls), "first_run_s": round(t.seconds, 3),
            "charts": charts, "errors": errors}


def _fn(c):
    """The read function a recorded call names (calls recorded before modules were kept: dashboard.queries)."""
    return getattr(importlib.import_module(c.get("module", "dashboard.queries")), c["fn"])


def _index_or_registry(c) -> bool:
    """A call that an activity upload leaves cached (queries.INDEX_SCOPE, REGISTRY_SCOPE)."""
    from dashboard import queries

    return c.get("module", "dashboard.queries") == "dashboard.queries" and \
        c["fn"] in queries.INDEX_SCOPE | queries.REGISTRY_SCOPE


def w_cold(db: str, calls_file: str, repeat: int, keep_open: bool = False) -> dict:
    """Every call of the page once, uncached. keep_open=False: a new connection each repeat (after start-up);
    True: one connection for all repeats, its first pass not counted (after an upload: the app's connection
    stays open; a unit's activity upload changes the "all" data version, not the "index" or "registry" ones, so
    the calls in queries.INDEX_SCOPE and REGISTRY_SCOPE stay cached and are left out here — the warm figures
    include them)."""
    from loaders.store.schema import connect

    pages = json.loads(Path(calls_file).read_text())
    out = {}
    shared = connect(db, read_only=True) if keep_open else None
    for page, rec in pages.items():
        totals, per_call = [], {}
        for i in range(repeat + (1 if keep_open else 0)):
            con = shared or connect(db, read_only=True)
            total, this = 0.0, {}
            for c in rec["calls"]:
                if keep_open and _index_or_registry(c):
                    continue  # still cached after an activity upload
                fn = _fn(c)
                t = time.perf_counter()
                fn(con, *_dec(c["args"]), **_dec(c["kwargs"]))
                dt = time.perf_counter() - t
                total += dt
                this[_call_label(c)] = dt
            if shared is None:
                con.close()
            if keep_open and i == 0:
                continue  # the first pass fills the buffers, as the pages did before the upload
            totals.append(total)
            for k, v in this.items():
                per_call.setdefault(k, []).append(v)
        out[page] = {"total": summary(totals), "load": load(),
                     "calls": {k: summary(v) for k, v in per_call.items()}}
    if shared is not None:
        shared.close()
    return out


def _call_label(c) -> str:
    args = ", ".join(_short(a) for a in _dec(c["args"]))
    kw = ", ".join(f"{k}={_short(v)}" for k, v in _dec(c["kwargs"]).items())
    return f'{c["fn"]}({", ".join(x for x in (args, kw) if x)})'


def _short(v) -> str:
    if isinstance(v, (tuple, list)) and len(v) > 3:
        return f"<{len(v)} codes>"
    return repr(v)


def w_warm(db: str, calls_file: str, repeat: int) -> dict:
    """Through dashboard.cached (st.cache_data keyed by the data version), after one pass fills the cache."""
    _env(db)
    import logging
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from dashboard import cached

    pages = json.loads(Path(calls_file).read_text())
    out = {}
    for page, rec in pages.items():
        calls = [(_fn(c), _dec(c["args"]), _dec(c["kwargs"])) for c in rec["calls"]]

        def one_pass():
            cached.version()  # page_header
            cached.sample()  # sample_banner
            for fn, a, k in calls:
                cached.q(fn, *a, **k)

        cached.clear()
        with Timer() as fill:
            one_pass()
        totals = []
        for _ in range(repeat):
            with Timer() as t:
                one_pass()
            totals.append(t.seconds)
        ver = []
        c = cached.con()
        for _ in range(repeat):
            with Timer() as t:
                cached.version(c)
            ver.append(t.seconds)
        out[page] = {"total": summary(totals), "fill_s": round(fill.seconds, 3), "load": load(),
                     "n_version_queries": len(calls) + 2, "data_version_query": summary(ver)}
    return out


def w_rerun(db: str, pages: list[str], repeat: int) -> dict:
    """Whole page scripts in AppTest: first run (cold cache) and warm reruns; plus the bare one-chart page."""
    _env(db)
    import logging
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    out = {}
    for page in [*pages, "bare_app"]:
        path = BARE_PAGE if page == "bare_app" else ROOT / "pages" / f"{page}.py"
        if page != "bare_app":
            from dashboard import cached
            cached.clear()
        at = AppTest.from_file(str(path), default_timeout=600)
        with Timer() as first:
            at.run()
        runs = []
        for _ in range(repeat):
            with Timer() as t:
                at.run()
            runs.append(t.seconds)
        out[page] = {"first_s": round(first.seconds, 3), "warm": summary(runs), "load": load(),
                     "charts": len(at.get("plotly_chart")),
                     "errors": [str(e.value)[:300] for e in at.exception] if at.exception else []}
    return out


# --- the pandas way -------------------------------------------------------------------------------------------------

def w_pandas(db: str, calls_file: str, repeat: int) -> dict:
    """The typical dashboard: one DataFrame of v_activity (st.cache_data), pandas per rerun."""
    import logging
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    import pandas as pd
    import streamlit as st

    from loaders.store.schema import connect

    pages = json.loads(Path(calls_file).read_text())
    period = _period_from(pages)

    @st.cache_data(show_spinner=False)
    def load_activity(path: str) -> pd.DataFrame:
        with connect(path, read_only=True) as con:
            return con.execute("SELECT a.*, m.kind, m.grp FROM v_activity a JOIN metric m ON m.code = a.metric_code"
                               ).df()

    @st.cache_data(show_spinner=False)
    def load_index(path: str) -> pd.DataFrame:
        with connect(path, read_only=True) as con:
            return con.execute("SELECT * FROM v_index_score").df()

    with Timer() as t_load:
        df = load_activity(str(db))
        load_index(str(db))
    mem_mb = df.memory_usage(deep=True).sum() / 2**20
    copies = []
    for _ in range(max(2, repeat // 2)):
        with Timer() as t:
            load_activity(str(db))
            load_index(str(db))
        copies.append(t.seconds)
    y, q = period
    unit = _first_arg(pages.get("don_vi", {}), "unit_history") or df["unit_code"].iloc[0]
    metric = _first_arg(pages.get("hoat_dong", {}), "metric_by_unit", -2) or "tin_bai"  # (…, metric, units)
    ents = _first_arg(pages.get("chi_so", {}), "index_series", 1) or ("dak_lak",)
    work = {
        "tong_quan": lambda d, i: (_pd_periods(d), _pd_default(d), _pd_overview(d, y, q), _pd_unit_completion(d, y, q),
                                   _pd_not_reported(d, y, q), _pd_index_latest(i, ents, y)),
        "hoat_dong": lambda d, i: (_pd_periods(d), _pd_default(d), _pd_unit_completion(d, y, q),
                                   _pd_metric_by_unit(d, y, q, metric), _pd_indicator_summary(d, y, q),
                                   _pd_heatmap(d, y, q), _pd_ytd(d, y)),
        "chi_so": lambda d, i: (_pd_index_series(i, "PAR", ents), _pd_index_components(i, "PAR", y - 1, ents[0])),
        "don_vi": lambda d, i: (_pd_periods(d), _pd_default(d), _pd_unit_history(d, unit),
                                _pd_unit_completion(d, y, q)),
    }
    out = {"load_s": round(t_load.seconds, 3), "frame_rows": len(df), "frame_mb": round(mem_mb, 1),
           "cache_copy": summary(copies), "period": [y, q], "pages": {}}
    for page in pages:
        compute, total = [], []
        for _ in range(repeat):
            with Timer() as tt:
                d = load_activity(str(db))  # what every rerun gets from st.cache_data: a copy
                i = load_index(str(db))
                with Timer() as tc:
                    work[page](d, i)
            compute.append(tc.seconds)
            total.append(tt.seconds)
        out["pages"][page] = {"compute": summary(compute), "per_rerun": summary(total), "load": load()}
    return out


def _period_from(pages) -> tuple[int, int]:
    """(year, quarter) the pages showed: from queries' (year, quarter) arguments or period_queries' period code."""
    from core.periods import Period

    for rec in pages.values():
        for c in rec["calls"]:
            if c["fn"] in ("overview", "unit_completion", "completion", "indicator_summary"):
                a = _dec(c["args"])
                if isinstance(a[0], str):
                    p = Period.of(a[0])
                    return p.year, p.last_quarter.quarter
                return int(a[0]), int(a[1])
    return 2026, 3


def _first_arg(rec, fn, pos=0):
    for c in rec.get("calls", []):
        if c["fn"] == fn:
            a = _dec(c["args"])
            return a[pos] if -len(a) <= pos < len(a) else None
    return None


def _comp(d):
    return (d["actual"] / d["target"]).where((d["target"] > 0) & d["actual"].notna())


def _pd_periods(d):
    rep = d[d["actual"].notna()].groupby(["year", "quarter"])["unit_code"].nunique()
    tgt = d.groupby(["year", "quarter"])["target"].count() > 0
    return pd_concat(rep, tgt)


def pd_concat(*s):
    import pandas as pd
    return pd.concat(s, axis=1)


def _pd_default(d):
    k = (d["year"] * 4 + d["quarter"] - 1)[d["actual"].notna()].max()
    return int(k) // 4, int(k) % 4 + 1


def _pd_unit_completion(d, y, q):
    s = d[(d["year"] == y) & (d["quarter"] == q)].assign(c=lambda x: _comp(x).clip(upper=1.0))
    g = s.groupby("unit_code").agg(unit_name=("unit_name", "first"), n=("c", "count"), completion=("c", "mean"),
                                   n_actual=("actual", "count"))
    g = g[g["n_actual"] > 0].sort_values("completion", ascending=False)
    g["rank"] = g["completion"].rank(method="min", ascending=False)
    return g


def _pd_overview(d, y, q):
    py, pq = (y - 1, 4) if q == 1 else (y, q - 1)
    out = []
    for yy, qq in ((y, q), (py, pq)):
        s = d[(d["year"] == yy) & (d["quarter"] == qq)].assign(c=lambda x: _comp(x).clip(upper=1.0))
        per = s.groupby(["unit_code", "grp"])["c"].mean().groupby("grp").mean()
        out.append((s.groupby("unit_code")["c"].mean().mean(), per))
    return out


def _pd_not_reported(d, y, q):
    now = d[(d["year"] == y) & (d["quarter"] == q)]
    reported = set(now.loc[now["actual"].notna(), "unit_code"])
    expected = now.loc[now["target"].notna(), ["unit_code", "unit_name"]].drop_duplicates()
    last = d[d["actual"].notna()].assign(k=lambda x: x["year"] * 4 + x["quarter"] - 1).groupby("unit_code")["k"].max()
    missing = expected[~expected["unit_code"].isin(reported)]
    return missing.assign(last=missing["unit_code"].map(last))


def _pd_metric_by_unit(d, y, q, metric):
    s = d[(d["year"] == y) & (d["quarter"] == q) & (d["metric_code"] == metric)]
    return s.assign(c=_comp(s)).sort_values("c")


def _pd_indicator_summary(d, y, q):
    s = d[(d["year"] == y) & (d["quarter"] == q)]
    return s.groupby("metric_code").agg(actual=("actual", "sum"), target=("target", "sum"), n=("unit_code", "nunique"))


def _pd_heatmap(d, y, q, n=8):
    k = y * 4 + q - 1
    key = d["year"] * 4 + d["quarter"] - 1
    s = d[(key > k - n) & (key <= k)].assign(c=lambda x: _comp(x).clip(upper=1.0))
    return s.groupby(["unit_code", "year", "quarter"])["c"].mean().unstack(["year", "quarter"])


def _pd_ytd(d, y):
    s = d[d["year"] == y].sort_values("quarter")
    g = s.groupby(["unit_code", "metric_code", "quarter"])[["actual", "target"]].sum()
    return g.groupby(level=[0, 1]).cumsum().groupby(level=2).mean()


def _pd_unit_history(d, unit):
    s = d[d["unit_code"] == unit]
    return s.assign(c=_comp(s)).sort_values(["year", "quarter"])


def _pd_index_latest(i, ents, y):
    s = i[i["entity_code"].isin(list(ents)) & i["component_code"].isna() & (i["year"] <= y)]
    return s.sort_values("year").groupby("index_code").tail(1)


def _pd_index_series(i, idx, ents):
    s = i[(i["index_code"] == idx) & i["component_code"].isna() & i["entity_code"].isin(list(ents))]
    return s.pivot_table(index="year", columns="entity_code", values="score")


def _pd_index_components(i, idx, y, ent):
    s = i[(i["index_code"] == idx) & (i["year"] == y) & i["component_code"].notna()]
    nat = s.groupby("component_code")["score"].agg(["mean", "max"])
    return s[s["entity_code"] == ent].join(nat, on="component_code")


# --- driver ---------------------------------------------------------------------------------------------------------

def run(db: Path, before: Path | None = None, repeat: int = 20, repeat_before: int = 1,
        pages: list[str] | None = None, out: Path = OUT, with_before: bool = True, pandas_repeat: int | None = None,
        before_limit_s: float = 900, rerun_repeat: int | None = None) -> dict:
    """db: the national database as the app has it; before: its copy with the live v_activity
    (bench/before_design.before_copy), made here when not given."""
    from before_design import before_copy

    pages = [p for p in (pages or PAGES) if (ROOT / "pages" / f"{p}.py").exists()]
    tmp = Path(tempfile.mkdtemp(prefix="cchc_q_"))
    if with_before and before is None:
        before = before_copy(db, tmp / "before.duckdb")
    res = {"load": load(), "pages": pages, "db": str(db), "before_db": str(before) if with_before else None}
    # 1. what each page asks
    recorded = run_worker("bench_queries.py", ["--worker", "record", "--db", str(db), "--pages", ",".join(pages)])
    res["db_checks"] = {"record": recorded.pop("_v_activity_live")}
    calls_file = out / "page_calls.json"
    calls_file.parent.mkdir(parents=True, exist_ok=True)
    calls_file.write_text(json.dumps(recorded, ensure_ascii=False, indent=1))
    res["recorded"] = {p: {"n_calls": len(r["calls"]), "charts": r["charts"], "errors": r["errors"],
                           "first_run_s": r["first_run_s"]} for p, r in recorded.items()}
    # 2-3. cold (before, after start-up, after an upload) and warm
    if with_before:
        res["cold_before"] = run_worker("bench_queries.py", ["--worker", "cold", "--db", str(before), "--calls",
                                                             str(calls_file), "--repeat", str(repeat_before),
                                                             "--before"],
                                        timeout=before_limit_s, allow_timeout=True)
    common = ["--db", str(db), "--calls", str(calls_file), "--repeat", str(repeat)]
    res["cold_start"] = run_worker("bench_queries.py", ["--worker", "cold", *common])
    res["cold_upload"] = run_worker("bench_queries.py", ["--worker", "cold", "--keep-open", *common])
    res["warm"] = run_worker("bench_queries.py", ["--worker", "warm", *common])
    # 4. whole reruns
    res["rerun"] = run_worker("bench_queries.py", ["--worker", "rerun", "--db", str(db), "--pages", ",".join(pages),
                                                   "--repeat", str(rerun_repeat or max(5, repeat // 2))])
    # 5. pandas
    res["pandas"] = run_worker("bench_queries.py", ["--worker", "pandas", "--db", str(db), "--calls",
                                                    str(calls_file), "--repeat", str(pandas_repeat or max(5, repeat // 2))])
    for key in ("cold_start", "cold_upload", "warm", "rerun", "pandas"):
        res["db_checks"][key] = res[key].pop("_v_activity_live", None)
    if res.get("cold_before") and not res["cold_before"].get("timed_out"):
        if not res["cold_before"].pop("_v_activity_live"):
            raise RuntimeError("the 'before' copy lost its live v_activity")
    if any(res["db_checks"].values()):
        raise RuntimeError(f"the app's database read the live v_activity: {res['db_checks']}")
    shutil.rmtree(tmp, ignore_errors=True)
    res["table"] = table(res)
    return res


def table(res: dict) -> list[dict]:
    def tot(section, p, key):
        return ((res.get(section) or {}).get(p) or {}).get("total", {}).get(key)

    rows = []
    for p in res["pages"]:
        pa = res["pandas"]["pages"].get(p, {})
        row = {"page": p, "calls": res["recorded"][p]["n_calls"]}
        for name, section in (("before_cold", "cold_before"), ("start_cold", "cold_start"),
                              ("upload_cold", "cold_upload"), ("warm", "warm")):
            row[f"{name}_p50_ms"] = tot(section, p, "p50_ms")
            row[f"{name}_p95_ms"] = tot(section, p, "p95_ms")
        if not row["upload_cold_p50_ms"] and row["warm_p50_ms"]:
            # every call of the page is in queries.INDEX_SCOPE: after an activity upload it is served from the cache
            row["upload_cold_p50_ms"], row["upload_cold_p95_ms"] = row["warm_p50_ms"], row["warm_p95_ms"]
            row["upload_all_cached"] = True
        row.update({
            "rerun_warm_p50_ms": res["rerun"][p]["warm"]["p50_ms"],
            "rerun_warm_p95_ms": res["rerun"][p]["warm"]["p95_ms"],
            "pandas_per_rerun_p50_ms": pa.get("per_rerun", {}).get("p50_ms"),
            "pandas_per_rerun_p95_ms": pa.get("per_rerun", {}).get("p95_ms"),
            "pandas_compute_p50_ms": pa.get("compute", {}).get("p50_ms"),
        })
        if row["pandas_per_rerun_p50_ms"]:
            row["pandas_over_warm"] = round(row["pandas_per_rerun_p50_ms"] / row["warm_p50_ms"], 1)
            row["pandas_over_upload_cold"] = round(row["pandas_per_rerun_p50_ms"] / row["upload_cold_p50_ms"], 1)
            row["pandas_over_start_cold"] = round(row["pandas_per_rerun_p50_ms"] / row["start_cold_p50_ms"], 1)
        if row["before_cold_p50_ms"]:
            row["before_over_start_cold"] = round(row["before_cold_p50_ms"] / row["start_cold_p50_ms"], 1)
            row["before_over_upload_cold"] = round(row["before_cold_p50_ms"] / row["upload_cold_p50_ms"], 1)
            if row["pandas_per_rerun_p50_ms"]:
                row["before_cold_over_pandas"] = round(row["before_cold_p50_ms"] / row["pandas_per_rerun_p50_ms"], 2)
        row["budget_100ms_p95"] = bool(row["upload_cold_p95_ms"] is not None and row["upload_cold_p95_ms"] < 100)
        rows.append(row)
    bare = res["rerun"].get("bare_app", {})
    rows.append({"page": "bare_app", "rerun_warm_p50_ms": bare.get("warm", {}).get("p50_ms"),
                 "rerun_warm_p95_ms": bare.get("warm", {}).get("p95_ms")})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default=str(OUT / "national.duckdb"))
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--repeat-before", type=int, default=1)
    ap.add_argument("--worker", choices=["record", "cold", "warm", "rerun", "pandas"])
    ap.add_argument("--pages")
    ap.add_argument("--calls")
    ap.add_argument("--keep-open", action="store_true", help="cold: one connection for all repeats")
    ap.add_argument("--before", action="store_true", help="apply bench/before_design.py in this process")
    args = ap.parse_args(argv)
    if args.before:
        import before_design
        before_design.apply()
    if args.worker == "record":
        r = w_record(args.db, args.pages.split(","))
    elif args.worker == "cold":
        r = w_cold(args.db, args.calls, args.repeat, args.keep_open)
    elif args.worker == "warm":
        r = w_warm(args.db, args.calls, args.repeat)
    elif args.worker == "rerun":
        r = w_rerun(args.db, args.pages.split(","), args.repeat)
    elif args.worker == "pandas":
        r = w_pandas(args.db, args.calls, args.repeat)
    else:
        r = run(Path(args.db), None, args.repeat, args.repeat_before)
        print(json.dumps(r, ensure_ascii=False, indent=1, default=str))
        return 0
    r = {"_v_activity_live": _live(args.db), **r}
    print(json.dumps(r, default=str))
    return 0


def _live(db) -> bool:
    """After the worker: does the database's v_activity compute the live view (the emulated old design)?"""
    import before_design
    from loaders.store.schema import connect
    con = connect(db)  # the same configuration as a connection this worker may still hold (dashboard.db)
    try:
        return before_design.is_before(con)
    finally:
        con.close()


if __name__ == "__main__":
    raise SystemExit(main())
