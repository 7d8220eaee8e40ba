"""The national-scale benchmark in one command: `python bench/run_all.py [--quick]`.

1. Generate the synthetic national database (bench/national.py): ~4,000 units x 18 indicators x 44 quarters
   (~3.2 million activity rows), index scores for the 63 and the 34 provinces, DDCI for every unit.
2. Its "proposed" copy: v_activity over the table maintained per batch (loaders/materialize.py).
3. Ingestion of a 4,000-row roll-up workbook (bench/bench_ingest.py): the loader as is, with the refresh of
   activity_current (the proposed design's write-side cost), and the pandas way.
4. Each page's queries, cold and warm, whole reruns, and the pandas way (bench/bench_queries.py).
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

FULL = dict(units=4000, quarters=44, rows=4000, ingest_repeat=3, ingest_as_is_limit_s=180, q_repeat=20,
            q_repeat_as_is=1, q_as_is_limit_s=900, pandas_repeat=5, browser_repeat=5, browser_repeat_as_is=1, rerun_repeat=10)
SMOKE = dict(units=50, quarters=8, rows=50, ingest_repeat=1, ingest_as_is_limit_s=60, q_repeat=2,
             q_repeat_as_is=1, q_as_is_limit_s=60, pandas_repeat=2, browser_repeat=0, browser_repeat_as_is=0, rerun_repeat=1)
QUICK = dict(units=400, quarters=12, rows=400, ingest_repeat=2, ingest_as_is_limit_s=120, q_repeat=8,
             q_repeat_as_is=2, q_as_is_limit_s=300, pandas_repeat=3, browser_repeat=2, browser_repeat_as_is=1, rerun_repeat=4)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="National-scale benchmark (issue 6): one command, JSON + RESULTS.md")
    ap.add_argument("--quick", action="store_true", help="400 units x 12 quarters, fewer repeats")
    ap.add_argument("--smoke", action="store_true", help="50 units x 8 quarters, one repeat: for the smoke test")
    ap.add_argument("--units", type=int)
    ap.add_argument("--quarters", type=int)
    ap.add_argument("--rows", type=int, help="rows of the roll-up workbook")
    ap.add_argument("--repeat", type=int, help="repeats for the query benchmark (proposed)")
    ap.add_argument("--browser-repeat", type=int)
    ap.add_argument("--out", default=str(OUT), help="directory for the database copies and the JSON files")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-as-is", action="store_true", help="skip the (slow) as-is variants of queries and pages")
    ap.add_argument("--no-results", action="store_true", help="do not touch bench/RESULTS.md")
    ap.add_argument("--reuse-db", action="store_true", help="keep an existing national.duckdb of the same size")
    ap.add_argument("--steps", default="generate,materialize,ingest,queries,browser,whatif",
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

    from bench_browser import run as run_browser
    from bench_ingest import run as run_ingest
    from bench_queries import proposed_copy, run as run_queries
    from national import build_national

    db = out / "national.duckdb"
    proposed = out / "national_proposed.duckdb"
    meta_file = out / "national.json"
    steps = set(args.steps.split(","))
    if args.no_browser:
        steps.discard("browser")
    if args.smoke:
        steps.discard("whatif")
    reuse = (args.reuse_db or "generate" not in steps) and db.exists() and meta_file.exists()
    if reuse:
        result["dataset"] = json.loads(meta_file.read_text())["dataset"]
        result["steps_s"]["generate"] = result["dataset"]["seconds"]["total"]
        result.setdefault("reused", []).append("generate")
    else:
        result["dataset"] = step("generate", lambda: build_national(db, units=cfg["units"], quarters=cfg["quarters"]))
        write_json(meta_file, {"config": [cfg["units"], cfg["quarters"]], "dataset": result["dataset"]})
    if "materialize" in steps or not proposed.exists() or not reuse:
        _, install_s = step("materialize", lambda: proposed_copy(db, proposed))
        write_json(out / "dataset.json", {"dataset": result["dataset"], "materialize_full_build_s": install_s,
                                          "step_s": result["steps_s"]["materialize"]})
    else:
        result["steps_s"]["materialize"] = json.loads((out / "dataset.json").read_text()).get("step_s")
        result.setdefault("reused", []).append("materialize")
    result["materialize_full_build_s"] = round(json.loads((out / "dataset.json").read_text())[
        "materialize_full_build_s"], 2)

    def step_or_reuse(name, file, fn):
        if name in steps:
            result[name] = step(name, fn)
            result[name]["step_s"] = result["steps_s"][name]
            write_json(out / file, result[name])
        elif (out / file).exists():
            result[name] = json.loads((out / file).read_text())
            result["steps_s"][name] = result[name].get("step_s")
            result.setdefault("reused", []).append(name)

    step_or_reuse("ingest", "ingest.json", lambda: run_ingest(db, cfg["rows"], cfg["ingest_repeat"],
                                                               cfg["ingest_repeat"], out, cfg["ingest_as_is_limit_s"],
                                                               proposed))
    step_or_reuse("queries", "queries.json", lambda: run_queries(
        db, proposed, cfg["q_repeat"], cfg["q_repeat_as_is"], out=out, as_is=not args.no_as_is,
        pandas_repeat=cfg["pandas_repeat"], as_is_limit_s=cfg["q_as_is_limit_s"], rerun_repeat=cfg["rerun_repeat"]))
    if "browser" in steps:
        result["browser"] = step("browser", lambda: run_browser(
            db, proposed, cfg["browser_repeat"], out / "page_calls.json",
            as_is=not args.no_as_is and cfg["browser_repeat_as_is"] > 0, repeat_as_is=cfg["browser_repeat_as_is"],
            bare_twice=mode == "full", warm_up=not args.smoke))
        result["browser"]["step_s"] = result["steps_s"]["browser"]
        write_json(out / "browser.json", result["browser"])
    elif (out / "browser.json").exists() and not args.no_browser:
        result["browser"] = json.loads((out / "browser.json").read_text())
        result["steps_s"]["browser"] = result["browser"].get("step_s")
        result.setdefault("reused", []).append("browser")
    if "whatif" in steps:
        step("whatif", lambda: _whatif(proposed, out))
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


def _whatif(proposed: Path, out: Path) -> None:
    from common import run_worker
    r = run_worker("whatif_aggregates.py", ["--db", str(proposed), "--repeat", "5", "--out", str(out)])
    write_json(out / "whatif_aggregates.json", r)


# --- budget -------------------------------------------------------------------------------------------------------

def verdict(r: dict) -> dict:
    v = {}
    tab = r["ingest"]["variants"]["with_table"]["summary"]
    as_is = r["ingest"]["variants"]["as_is"]["summary"]
    v["upload_under_2s"] = {"as_is": _ms_ok(as_is.get("p95_ms"), 2000), "with_table": _ms_ok(tab.get("p95_ms"), 2000),
                            "as_is_p50_s": _s(as_is.get("p50_ms")), "as_is_p95_s": _s(as_is.get("p95_ms")),
                            "with_table_p95_s": _s(tab.get("p95_ms")), "as_is_timed_out": bool(as_is.get("timed_out"))}
    pages = {}
    for row in r["queries"]["table"]:
        if row["page"] == "bare_app":
            continue
        pages[row["page"]] = {"proposed_cold_p95_ms": row["proposed_cold_p95_ms"],
                              "cold_met": row["proposed_cold_p95_ms"] is not None and row["proposed_cold_p95_ms"] < 100,
                              "warm_p95_ms": row["warm_p95_ms"], "warm_met": row["warm_p95_ms"] < 100,
                              "as_is_cold_p50_ms": row["as_is_cold_p50_ms"]}
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
    lines += [f"Dataset (synthetic, marked as sample): {d['units']:,} units × {d['metrics']} indicators × "
              f"{d['quarters']} quarters ({d['first']}–{d['last']}) = {d['activity_rows']:,} activity rows in "
              f"{d['activity_batches']:,} batches (2 % re-uploaded, {d['rolled_back']} rolled back), "
              f"{d['target_rows']:,} annual target rows, {d['index_rows']:,} index rows (63 provinces to 2024, "
              f"34 from 2025, DDCI per unit). Generated in {r['dataset']['seconds']['total']:.1f} s "
              f"({r['dataset']['size_mb']} MB). Materialising v_activity in full: {r['materialize_full_build_s']:.1f} s.",
              ""]
    # ingestion
    ing = r["ingest"]
    lines += ["### 1. Upload of a roll-up workbook through the real loader", "",
              f"{ing['workbook']['units']:,} units × 18 indicators ({ing['workbook']['values']:,} values, "
              f"{ing['workbook']['bytes'] / 1024:.0f} KB, title rows, merged two-row header, numbering row, section "
              "rows, 5 % of numbers typed as Vietnamese text, 2 % of names without diacritics, totals and "
              "signature).", "",
              "| variant | p50 | p95 | rows/s | peak extra memory | read + validate | write | refresh table | load (1 min) |",
              "|---|---|---|---|---|---|---|---|---|"]
    names = {"as_is": "loader as is", "with_table": "loader + refresh of activity_current",
             "pandas": "pandas.read_excel (openpyxl) + pandas"}
    for k in ("as_is", "with_table", "pandas"):
        x = ing["variants"][k]
        s = x["summary"]
        if s.get("timed_out"):
            lines.append(f"| {names[k]} | > {s['limit_s']:.0f} s (stopped) | | | | | | | {x.get('load')} |")
            continue
        ph = x["runs"][len(x["runs"]) // 2]["phases"]
        lines.append(f"| {names[k]} | {s['p50_ms'] / 1000:.2f} s | {s['p95_ms'] / 1000:.2f} s | {s['rows_per_s_p50']:,} "
                     f"| {s['peak_extra_mb_max']:.0f} MB | {_f(ph.get('read_validate'), ' s', 2)} | "
                     f"{_f(ph.get('write'), ' s', 2)} | {_f(ph.get('refresh_activity_current'), ' s', 2)} | "
                     f"{x['runs'][0]['load'][0]} |")
    rr = ing["ratios"]
    pv = ing["variants"]["pandas"]
    lines += ["", f"Ratios (p50): as is / pandas = **{rr['as_is_over_pandas']}×**{rr['note']}; with the table / "
              f"pandas = **{rr['with_table_over_pandas']}×**; with the table / as is = {rr['with_table_over_as_is']}×. "
              "The pandas way "
              f"loads {pv['summary']['rows']:,} of {ing['workbook']['values']:,} values (names typed without "
              "diacritics are dropped silently; no error list, no fuzzy matching, no section/total rows check). "
              f"Reading alone: pandas.read_excel(openpyxl) {_f(pv.get('read_excel_openpyxl', {}).get('p50_ms'), ' ms')}, "
              f"python-calamine (loaders.workbook) {_f(pv.get('read_workbook_calamine', {}).get('p50_ms'), ' ms')}.", ""]
    # queries
    q = r["queries"]
    lines += ["### 2. Each page's server-side work (p50 / p95, ms)", "",
              "Cold = the page's calls straight to dashboard.queries on a new connection (what every page costs "
              "after any upload, since the cache key is the data version); warm = through dashboard.cached "
              "(st.cache_data); rerun = the whole page script in AppTest, warm; pandas = the typical app: v_activity "
              "in a DataFrame kept by st.cache_data, copied to each rerun, filtered and grouped with pandas.", "",
              "| page | calls | as is cold | proposed cold | warm (cached) | whole rerun, warm | pandas per rerun | "
              "pandas / warm | pandas / proposed cold |",
              "|---|---|---|---|---|---|---|---|---|"]
    for row in q["table"]:
        if row["page"] == "bare_app":
            lines.append(f"| bare one-chart page | | | | | {_f(row['rerun_warm_p50_ms'])} / "
                         f"{_f(row['rerun_warm_p95_ms'])} | | | |")
            continue
        lines.append(
            f"| {row['page']} | {row['calls']} | {_f(row['as_is_cold_p50_ms'])} / {_f(row['as_is_cold_p95_ms'])} | "
            f"{_f(row['proposed_cold_p50_ms'])} / {_f(row['proposed_cold_p95_ms'])} | {_f(row['warm_p50_ms'], nd=1)} / "
            f"{_f(row['warm_p95_ms'], nd=1)} | {_f(row['rerun_warm_p50_ms'])} / {_f(row['rerun_warm_p95_ms'])} | "
            f"{_f(row['pandas_per_rerun_p50_ms'])} / {_f(row['pandas_per_rerun_p95_ms'])} | "
            f"{_f(row.get('pandas_over_warm'), '×', 1)} | {_f(row.get('pandas_over_proposed_cold'), '×', 1)} |")
    pd_ = q["pandas"]
    lines += ["", f"pandas: loading v_activity into a DataFrame {pd_['load_s']:.1f} s once ({pd_['frame_rows']:,} rows, "
              f"{pd_['frame_mb']:.0f} MB), then st.cache_data hands each rerun a copy: {_f(pd_['cache_copy']['p50_ms'])} ms "
              f"p50. Loads during the query runs: cold {_loads(q.get('cold_proposed'))}, warm "
              f"{_loads(q.get('warm_proposed'))}.", ""]
    slow = _slowest_calls(q)
    if slow:
        lines += ["Slowest calls, proposed cold (p50 ms): " + "; ".join(slow) + ".", ""]
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
    lines.append(f"- Upload of the roll-up under 2 s (p95): as is {_f(up['as_is'])} (p50 {_f(up['as_is_p50_s'], ' s', 2)}"
                 f", p95 {_f(up['as_is_p95_s'], ' s', 2)}{' or more, stopped' if up['as_is_timed_out'] else ''}); "
                 f"with the refresh of activity_current {_f(up['with_table'])} (p95 {_f(up['with_table_p95_s'], ' s', 2)}).")
    for page, x in v["page_server_under_100ms_p95"].items():
        lines.append(f"- {page}: server-side under 100 ms p95 — cold (after an upload) {_f(x['cold_met'])} "
                     f"({_f(x['proposed_cold_p95_ms'])} ms with the table; as is {_f(x['as_is_cold_p50_ms'])} ms p50), "
                     f"warm {_f(x['warm_met'])} ({_f(x['warm_p95_ms'], nd=1)} ms).")
    if "charts_within_1_25x_bare" in v:
        for k, x in v["charts_within_1_25x_bare"].items():
            lines.append(f"- charts drawn within 1.25× the bare app — {k}: {_f(x['met'])} ({_f(x['ratio_p50'], '×', 2)})")
    whatif = Path(r.get("out", OUT)) / "whatif_aggregates.json"
    if whatif.exists():
        w = json.loads(whatif.read_text())
        lines += ["", f"### Measured proposal: a per-unit, per-quarter aggregate (bench/whatif_aggregates.py, load "
                  f"{w['load']})", "",
                  f"{w['aggregate_rows']:,} rows, built in {w['build_s']} s, one quarter refreshed in "
                  f"{w['refresh_one_quarter_s']} s. Cold, new connection each time, p50 / p95 ms:", "",
                  "| query | on activity_current | on the aggregate | same answer |", "|---|---|---|---|"]
        for name, c in w["cases"].items():
            lines.append(f"| {name} | {_f(c['current']['p50_ms'])} / {_f(c['current']['p95_ms'])} | "
                         f"{_f(c['aggregate']['p50_ms'])} / {_f(c['aggregate']['p95_ms'])} | {_f(c['same_answer'])} |")
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


def _slowest_calls(q) -> list[str]:
    out = []
    for page, x in (q.get("cold_proposed") or {}).items():
        for name, s in x.get("calls", {}).items():
            out.append((s["p50_ms"], f"{page}: {name[:70]} {s['p50_ms']:.0f}"))
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
