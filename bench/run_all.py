"""The national-scale benchmark in one command: `python bench/run_all.py [--quick]`.

1. Generate the synthetic national database (bench/national.py): ~4,000 units x 18 indicators x 44 quarters
   (~3.2 million activity rows), index scores for the 63 and the 34 provinces, DDCI for every unit; the tables
   behind v_activity (loaders/store/materialize.py) built once at the end, as the app does.
2. Its "before" copy: v_activity as the live view computed on every query, the design before issue 6
   (bench/before_design.py), kept for the ratio only and time-limited.
3. Ingestion of a 4,000-row roll-up workbook (bench/bench_ingest.py): before, as is, and the pandas way.
4. Each page's queries, cold (after start-up, after an upload) and warm, whole reruns, the pandas way, and
   before (bench/bench_queries.py).
5. Headless Chromium: page opened -> charts drawn, beside a bare one-chart app; start-up to first page
   (bench/bench_browser.py).
Writes bench/out/*.json and the national-scale section of bench/RESULTS.md (between its markers; the rest of
the file is left as it is).

--quick: 400 units x 12 quarters, fewer repeats (a few minutes). The smoke test runs it smaller still
(--units 50 --quarters 8 --rows 50 --out DIR --no-results).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH, OUT, load, machine, write_json  # noqa: E402

START = "<!-- national-bench:start (written by bench/run_all.py; edits inside are overwritten) -->"
END = "<!-- national-bench:end -->"
RESULTS = BENCH / "RESULTS.md"

BUDGET = {"page_server_ms_p95": 100, "upload_s": 2.0, "chart_ratio_to_bare": 1.25}

# *_before: the emulated old design (live v_activity), for the ratio only: few repeats and a time limit.
FULL = dict(units=4000, quarters=44, rows=4000, ingest_repeat=3, ingest_before_limit_s=180, q_repeat=20,
            q_repeat_before=1, q_before_limit_s=900, pandas_repeat=5, browser_repeat=5, browser_repeat_before=1,
            rerun_repeat=10)
SMOKE = dict(units=50, quarters=8, rows=50, ingest_repeat=1, ingest_before_limit_s=60, q_repeat=2,
             q_repeat_before=1, q_before_limit_s=60, pandas_repeat=2, browser_repeat=0, browser_repeat_before=0,
             rerun_repeat=1)
QUICK = dict(units=400, quarters=12, rows=400, ingest_repeat=2, ingest_before_limit_s=120, q_repeat=8,
             q_repeat_before=2, q_before_limit_s=300, pandas_repeat=3, browser_repeat=2, browser_repeat_before=1,
             rerun_repeat=4)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="National-scale benchmark (issue 6): one command, JSON + RESULTS.md")
    ap.add_argument("--quick", action="store_true", help="400 units x 12 quarters, fewer repeats")
    ap.add_argument("--smoke", action="store_true", help="50 units x 8 quarters, one repeat: for the smoke test")
    ap.add_argument("--units", type=int)
    ap.add_argument("--quarters", type=int)
    ap.add_argument("--rows", type=int, help="rows of the roll-up workbook")
    ap.add_argument("--repeat", type=int, help="repeats for the query benchmark (as is)")
    ap.add_argument("--browser-repeat", type=int)
    ap.add_argument("--out", default=str(OUT), help="directory for the database copies and the JSON files")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-before", action="store_true",
                    help="skip the (slow) 'before' variants: the live v_activity of the design before issue 6")
    ap.add_argument("--no-results", action="store_true", help="do not touch bench/RESULTS.md")
    ap.add_argument("--reuse-db", action="store_true", help="keep an existing national.duckdb of the same size")
    ap.add_argument("--steps", default="generate,before,ingest,queries,browser",
                    help="steps to run; the others are read back from the JSON of an earlier run in --out")
    ap.add_argument("--render-only", action="store_true",
                    help="rewrite the RESULTS.md section from an earlier run's summary.json in --out")
    args = ap.parse_args(argv)
    if args.render_only:
        update_results(render(json.loads((Path(args.out) / "summary.json").read_text())))
        return 0
    cfg = dict(SMOKE if args.smoke else QUICK if args.quick else FULL)
    for k, v in (("units", args.units), ("quarters", args.quarters), ("rows", args.rows), ("q_repeat", args.repeat),
                 ("browser_repeat", args.browser_repeat)):
        if v is not None:
            cfg[k] = v
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    mode = "smoke" if args.smoke else "quick" if args.quick else (
        "custom" if any([args.units, args.quarters, args.rows]) else "full")
    t_all = time.perf_counter()
    result = {"mode": mode, "config": cfg, "started": dt.datetime.now().isoformat(timespec="seconds"),
              "machine": machine(), "load_at_start": load(), "budget": BUDGET, "steps_s": {}}

    def step(name, fn):
        print(f"[bench] {name} … (load {load()})", flush=True)
        t = time.perf_counter()
        value = fn()
        result["steps_s"][name] = round(time.perf_counter() - t, 1)
        print(f"[bench] {name} done in {result['steps_s'][name]} s", flush=True)
        return value

    from before_design import before_copy
    from bench_browser import run as run_browser
    from bench_ingest import run as run_ingest
    from bench_queries import run as run_queries
    from national import build_national

    db = out / "national.duckdb"
    before = out / "national_before.duckdb"
    meta_file = out / "national.json"
    steps = set(args.steps.split(","))
    if args.no_browser:
        steps.discard("browser")
    with_before = not args.no_before
    reuse = (args.reuse_db or "generate" not in steps) and db.exists() and meta_file.exists()
    if reuse:
        result["dataset"] = json.loads(meta_file.read_text())["dataset"]
        result["steps_s"]["generate"] = result["dataset"]["seconds"]["total"]
        result.setdefault("reused", []).append("generate")
    else:
        result["dataset"] = step("generate", lambda: build_national(db, units=cfg["units"], quarters=cfg["quarters"]))
        write_json(meta_file, {"config": [cfg["units"], cfg["quarters"]], "dataset": result["dataset"]})
    if with_before and ("before" in steps or not before.exists() or not reuse):
        step("before", lambda: before_copy(db, before))

    def step_or_reuse(name, file, fn):
        if name in steps:
            result[name] = step(name, fn)
            result[name]["step_s"] = result["steps_s"][name]
            write_json(out / file, result[name])
        elif (out / file).exists():
            result[name] = json.loads((out / file).read_text())
            result["steps_s"][name] = result[name].get("step_s")
            result.setdefault("reused", []).append(name)

    step_or_reuse("ingest", "ingest.json", lambda: run_ingest(
        db, cfg["rows"], cfg["ingest_repeat"], 1, out, cfg["ingest_before_limit_s"], before if with_before else db))
    step_or_reuse("queries", "queries.json", lambda: run_queries(
        db, before, cfg["q_repeat"], cfg["q_repeat_before"], out=out, with_before=with_before,
        pandas_repeat=cfg["pandas_repeat"], before_limit_s=cfg["q_before_limit_s"], rerun_repeat=cfg["rerun_repeat"]))
    if "browser" in steps:
        result["browser"] = step("browser", lambda: run_browser(
            db, before, cfg["browser_repeat"], out / "page_calls.json",
            with_before=with_before and cfg["browser_repeat_before"] > 0, repeat_before=cfg["browser_repeat_before"],
            bare_twice=mode == "full", warm_up=not args.smoke))
        result["browser"]["step_s"] = result["steps_s"]["browser"]
        write_json(out / "browser.json", result["browser"])
    elif (out / "browser.json").exists() and not args.no_browser:
        result["browser"] = json.loads((out / "browser.json").read_text())
        result["steps_s"]["browser"] = result["browser"].get("step_s")
        result.setdefault("reused", []).append("browser")
    result["out"] = str(out)
    result["total_s"] = round(time.perf_counter() - t_all, 1)
    result["load_at_end"] = load()
    result["verdict"] = verdict(result)
    write_json(out / "summary.json", result)
    if not args.no_results:
        update_results(render(result))
    print(json.dumps(result["verdict"], ensure_ascii=False, indent=1))
    print(f"[bench] total {result['total_s']} s; JSON in {out}")
    return 0


# --- budget -------------------------------------------------------------------------------------------------------

def verdict(r: dict) -> dict:
    v = {}
    up = r["ingest"]["variants"]["as_is"]["summary"]
    v["upload_under_2s"] = {"met": _ms_ok(up.get("p95_ms"), 2000), "p50_s": _s(up.get("p50_ms")),
                            "p95_s": _s(up.get("p95_ms"))}
    pages = {}
    for row in r["queries"]["table"]:
        if row["page"] == "bare_app":
            continue
        pages[row["page"]] = {
            "upload_cold_p95_ms": row["upload_cold_p95_ms"], "after_upload_met": _ms_ok(row["upload_cold_p95_ms"], 100),
            "start_cold_p95_ms": row["start_cold_p95_ms"], "after_start_met": _ms_ok(row["start_cold_p95_ms"], 100),
            "warm_p95_ms": row["warm_p95_ms"], "warm_met": _ms_ok(row["warm_p95_ms"], 100),
            "before_cold_p50_ms": row["before_cold_p50_ms"]}
    v["page_server_under_100ms_p95"] = pages
    if "browser" in r:
        v["charts_within_1_25x_bare"] = {
            f'{row["app"]}:{row["page"]}': {"ratio_p50": row.get("ratio_to_bare_p50"), "met": row.get("budget_1_25x")}
            for row in r["browser"]["table"] if row["app"] != "bare_app" and "ratio_to_bare_p50" in row}
    return v


def _ms_ok(ms, limit):
    return None if ms is None else ms < limit


def _s(ms):
    return None if ms is None else round(ms / 1000, 2)


# --- RESULTS.md -----------------------------------------------------------------------------------------------------

def _f(x, unit="", nd=0):
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "**no**"
    if isinstance(x, float) and nd == 0:
        return f"{x:,.0f}{unit}"
    return f"{x:,.{nd}f}{unit}" if isinstance(x, (int, float)) else f"{x}{unit}"


def render(r: dict) -> str:
    m = r["machine"]
    d = r["dataset"]["counts"]
    lines = [START, "", "## National scale (issue 6) — `python bench/run_all.py`", ""]
    steps_txt = ", ".join(f"{k} {v:.0f} s" for k, v in r["steps_s"].items() if isinstance(v, (int, float)))
    total = sum(v for v in r["steps_s"].values() if isinstance(v, (int, float)))
    reused = f"; {', '.join(r['reused'])} from an earlier run in the same bench/out" if r.get("reused") else ""
    lines += [f"Run {r['started']} ({r['mode']} mode; steps: {steps_txt} = {total:.0f} s{reused}). Machine: {m['cpu']}, "
              f"{m['cores']} cores, {m['memory_gb']} GB; {m['os']}; Python {m['versions']['python']}, DuckDB "
              f"{m['versions']['duckdb']}, pandas {m['versions']['pandas']}, Streamlit {m['versions']['streamlit']}, "
              f"{m.get('chromium') or 'chromium'}. Load average (1/5/15 min) at start {r['load_at_start']}, at end "
              f"{r['load_at_end']}: the two cores were shared with other work, so every figure carries the load "
              "at the time it was taken (JSON in bench/out/).", ""]
    sec = r["dataset"]["seconds"]
    lines += [f"Dataset (synthetic, marked as sample): {d['units']:,} units × {d['metrics']} indicators × "
              f"{d['quarters']} quarters ({d['first']}–{d['last']}) = {d['activity_rows']:,} activity rows in "
              f"{d['activity_batches']:,} batches (2 % re-uploaded, {d['rolled_back']} rolled back), "
              f"{d['target_rows']:,} annual target rows, {d['index_rows']:,} index rows (63 provinces to 2024, "
              f"34 from 2025, DDCI per unit). Generated in {sec['total']:.1f} s ({r['dataset']['size_mb']} MB), of "
              f"which building the tables behind v_activity in full (loaders/store/materialize.py): "
              f"{_f(sec.get('materialize'), ' s', 1)}.", "",
              "Variants: **as is** = the app as the tree has it (v_activity and the per-unit aggregate are tables "
              "kept up to date by every batch, rollback and registry change); **before** = the design before "
              "issue 6, v_activity computed on every query (emulated in the benchmark's processes on a copy of the "
              "database, bench/before_design.py; few repeats and a time limit, for the ratio only); **pandas** = "
              "the typical Streamlit way.", ""]
    # ingestion
    ing = r["ingest"]
    lines += ["### 1. Upload of a roll-up workbook through the real loader", "",
              f"{ing['workbook']['units']:,} units × 18 indicators ({ing['workbook']['values']:,} values, "
              f"{ing['workbook']['bytes'] / 1024:.0f} KB, title rows, merged two-row header, numbering row, section "
              "rows, 5 % of numbers typed as Vietnamese text, 2 % of names without diacritics, totals and "
              "signature).", "",
              "| variant | p50 | p95 | rows/s | peak extra memory | read + validate | write (incl. refresh) | "
              "refresh of the tables | load (1 min) |",
              "|---|---|---|---|---|---|---|---|---|"]
    names = {"as_is": "loader as is", "before": "loader before (no tables to refresh)",
             "pandas": "pandas.read_excel (openpyxl) + pandas"}
    for k in ("as_is", "before", "pandas"):
        x = ing["variants"][k]
        s = x["summary"]
        if s.get("timed_out"):
            lines.append(f"| {names[k]} | > {s['limit_s']:.0f} s (stopped) | | | | | | | {x.get('load')} |")
            continue
        ph = x["runs"][len(x["runs"]) // 2]["phases"]
        refresh = ph.get("refresh_tables") if k == "as_is" else None
        lines.append(f"| {names[k]} | {s['p50_ms'] / 1000:.2f} s | {s['p95_ms'] / 1000:.2f} s | {s['rows_per_s_p50']:,} "
                     f"| {s['peak_extra_mb_max']:.0f} MB | {_f(ph.get('read_validate'), ' s', 2)} | "
                     f"{_f(ph.get('write'), ' s', 2)} | {_f(refresh, ' s', 2)} | {x['runs'][0]['load'][0]} |")
    rr = ing["ratios"]
    pv = ing["variants"]["pandas"]
    lines += ["", f"Ratios (p50): as is / pandas = **{rr['as_is_over_pandas']}×**; as is / before = "
              f"{rr['as_is_over_before']}×{rr['note']}; before / pandas = {rr['before_over_pandas']}×. The pandas way "
              f"loads {pv['summary']['rows']:,} of {ing['workbook']['values']:,} values (names typed without "
              "diacritics are dropped silently; no error list, no fuzzy matching, no section/total rows check). "
              f"Reading alone: pandas.read_excel(openpyxl) {_f(pv.get('read_excel_openpyxl', {}).get('p50_ms'), ' ms')}, "
              f"python-calamine (loaders.files.workbook) {_f(pv.get('read_workbook_calamine', {}).get('p50_ms'), ' ms')}.", ""]
    # queries
    q = r["queries"]
    lines += ["### 2. Each page's server-side work (p50 / p95, ms)", "",
              "The page's recorded calls straight to dashboard.queries, nothing cached: *after an upload* = the "
              "app's one connection stays open after a unit's activity report lands: the activity queries run "
              "uncached, the index and registry queries (dashboard.queries.INDEX_SCOPE, REGISTRY_SCOPE, keyed by "
              "data versions that an activity report leaves alone) are still cached and left out (a page made only of index queries "
              "shows its warm figure); *after start-up* = a new "
              "connection each time (DuckDB's buffers empty); *before* = after start-up on the live view. "
              "Warm = through dashboard.cached (st.cache_data), as on every click when no data changed; rerun = "
              "the whole page script in AppTest, warm; pandas = the typical app: v_activity in a DataFrame kept "
              "by st.cache_data, copied to each rerun, filtered and grouped with pandas.", "",
              "| page | calls | after an upload | after start-up | warm (cached) | whole rerun, warm | before "
              "(live view) | pandas per rerun | pandas / after an upload | pandas / warm | before / after an upload |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in q["table"]:
        if row["page"] == "bare_app":
            lines.append(f"| bare one-chart page | | | | | {_f(row['rerun_warm_p50_ms'])} / "
                         f"{_f(row['rerun_warm_p95_ms'])} | | | | | |")
            continue
        lines.append(
            f"| {row['page']} | {row['calls']} | {_f(row['upload_cold_p50_ms'])} / {_f(row['upload_cold_p95_ms'])} | "
            f"{_f(row['start_cold_p50_ms'])} / {_f(row['start_cold_p95_ms'])} | {_f(row['warm_p50_ms'], nd=1)} / "
            f"{_f(row['warm_p95_ms'], nd=1)} | {_f(row['rerun_warm_p50_ms'])} / {_f(row['rerun_warm_p95_ms'])} | "
            f"{_f(row['before_cold_p50_ms'])} | "
            f"{_f(row['pandas_per_rerun_p50_ms'])} / {_f(row['pandas_per_rerun_p95_ms'])} | "
            f"{_f(row.get('pandas_over_upload_cold'), '×', 1)} | {_f(row.get('pandas_over_warm'), '×', 1)} | "
            f"{_f(row.get('before_over_upload_cold'), '×', 0)} |")
    pd_ = q["pandas"]
    lines += ["", f"pandas: loading v_activity into a DataFrame {pd_['load_s']:.1f} s once ({pd_['frame_rows']:,} rows, "
              f"{pd_['frame_mb']:.0f} MB), then st.cache_data hands each rerun a copy: {_f(pd_['cache_copy']['p50_ms'])} ms "
              f"p50. Loads during the query runs: after an upload {_loads(q.get('cold_upload'))}, after start-up "
              f"{_loads(q.get('cold_start'))}, warm {_loads(q.get('warm'))}, before {_loads(q.get('cold_before'))}.",
              ""]
    for key, title in (("cold_upload", "after an upload"), ("cold_start", "after start-up")):
        slow = _slowest_calls(q, key)
        if slow:
            lines += [f"Slowest calls, {title} (p50 / p95 ms): " + "; ".join(slow) + ".", ""]
    # browser
    if "browser" in r:
        b = r["browser"]
        lines += ["### 3. Page opened → charts drawn in headless Chromium (ms), beside the bare one-chart app", "",
                  "| app | page | charts | sent over the websocket | first open | p50 | p95 | p50 / bare (1 chart) | "
                  "p50 / bare with as many charts | start-up: health | start-up: first page drawn |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for row in b["table"]:
            lines.append(f"| {row['app']} | {row['page']} | {_f(row.get('charts'))} | {_f(row.get('ws_kb'), ' KB', 1)} | "
                         f"{_f(row.get('first_ms'))} | "
                         f"{_f(row.get('warm_p50_ms'))} | {_f(row.get('warm_p95_ms'))} | "
                         f"{_f(row.get('ratio_to_bare_p50'), '×', 2)} | "
                         f"{_f(row.get('ratio_to_bare_same_charts_p50'), '×', 2)} | "
                         f"{_f(row.get('startup_health_s'), ' s', 2)} | {_f(row.get('startup_first_page_s'), ' s', 2)} |")
        lines += ["", f"Repeats: {b['repeat']} warm opens per page (each in a new tab: a new Streamlit session; one browser "
                  f"context per app), load {b['load']} at start. "
                  + ("The bare app was measured before and after the dashboard; the ratio uses the median of the two."
                     if "bare_app_again" in b["apps"] else "The bare app was measured once, before the dashboard."), ""]
    # verdict
    v = r["verdict"]
    lines += ["### Budget", ""]
    up = v["upload_under_2s"]
    lines.append(f"- Upload of the 4,000-row roll-up under 2 s (p95): {_f(up['met'])} (p50 {_f(up['p50_s'], ' s', 2)}, "
                 f"p95 {_f(up['p95_s'], ' s', 2)}).")
    for page, x in v["page_server_under_100ms_p95"].items():
        lines.append(f"- {page}: server-side under 100 ms p95 — after an upload {_f(x['after_upload_met'])} "
                     f"({_f(x['upload_cold_p95_ms'])} ms), after start-up {_f(x['after_start_met'])} "
                     f"({_f(x['start_cold_p95_ms'])} ms), warm {_f(x['warm_met'])} ({_f(x['warm_p95_ms'], nd=1)} ms); "
                     f"before: {_f(x['before_cold_p50_ms'])} ms p50.")
    if "charts_within_1_25x_bare" in v:
        for k, x in v["charts_within_1_25x_bare"].items():
            lines.append(f"- charts drawn within 1.25× the bare app — {k}: {_f(x['met'])} ({_f(x['ratio_p50'], '×', 2)})")
    findings = BENCH / "national_findings.md"
    if findings.exists():
        lines += ["", findings.read_text(encoding="utf-8").strip()]
    lines += ["", END]
    return "\n".join(lines)


def _loads(section) -> str:
    if not section or section.get("timed_out"):
        return "—"
    ls = [p.get("load", [None])[0] for p in section.values() if isinstance(p, dict)]
    ls = [x for x in ls if x is not None]
    return f"{min(ls)}–{max(ls)}" if ls else "—"


def _slowest_calls(q, key: str) -> list[str]:
    out = []
    for page, x in (q.get(key) or {}).items():
        for name, st in x.get("calls", {}).items():
            out.append((st["p50_ms"], f"{page}: {name[:70]} {st['p50_ms']:.0f} / {st['p95_ms']:.0f}"))
    return [t for _, t in sorted(out, reverse=True)[:6]]


def update_results(section: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    if START.split(" (")[0] in text and END in text:
        head = text[:text.index(START.split(" (")[0])]
        tail = text[text.index(END) + len(END):]
        text = head + section + tail
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
