"""Server time of the leadership pages (Tổng quan, Hoạt động, Chỉ số, Đơn vị) on the demo data.

    python bench/bench_pages.py                 # demo data, print the table
    python bench/bench_pages.py --communes 120  # also with 120 extra communes (the "many units" case)
    python bench/bench_pages.py --write         # also replace this script's section in bench/RESULTS.md

"Server time" is one script run of the page in streamlit.testing.v1.AppTest: the queries (or the cache), the
figure builders and the serialisation of every element; the browser's drawing is not included.
- cold: the query cache emptied first (as after a new batch lands): SQL runs;
- warm: reruns with the cache filled (every widget change on unchanged data).
Wall times are taken over several runs (p50 and min; the machine's 2 cores are shared, so the min is the
closest to the cost of the page itself); CPU is the process CPU time of one run (not slowed by other work).
The demo database is built fresh with the fixed last quarter 2025-Q3, as in the tests.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "RESULTS.md"
OUT = ROOT / "bench" / "out" / "pages.json"
START, END = "<!-- bench_pages:start -->", "<!-- bench_pages:end -->"
TARGET_MS = 300

SCENARIOS = [  # (page file, label, URL parameters)
    ("pages/tong_quan.py", "Tổng quan", {}),
    ("pages/hoat_dong.py", "Hoạt động (tất cả chỉ tiêu)", {}),
    ("pages/hoat_dong.py", "Hoạt động (một chỉ tiêu, đơn vị × chỉ tiêu)", {"chi_tieu": "tin_bai", "bang": "chi_tieu"}),
    ("pages/hoat_dong.py", "Hoạt động (chi tiết một đơn vị)", {"don_vi": "so_tu_phap"}),
    ("pages/chi_so.py", "Chỉ số (PAR Index)", {}),
    ("pages/chi_so.py", "Chỉ số (PCI, so sánh)", {"chi_so": "PCI"}),
    ("pages/don_vi.py", "Đơn vị", {}),
]
COMMUNE_SCENARIOS = [
    ("pages/tong_quan.py", "Tổng quan, {n} xã", {"nhom": "xa"}),
    ("pages/tong_quan.py", "Tổng quan, {n} xã, tất cả", {"nhom": "xa", "hien": "tat_ca"}),
    ("pages/hoat_dong.py", "Hoạt động, {n} xã", {"nhom": "xa"}),
    ("pages/hoat_dong.py", "Hoạt động, {n} xã, tất cả, đơn vị × chỉ tiêu", {"nhom": "xa", "hien": "tat_ca",
                                                                           "bang": "chi_tieu"}),
]


def build_demo(path: Path, communes: int = 0) -> Path:
    from loaders.demo import load_sample
    from loaders.init_db import init_database
    from core.periods import Quarter
    from loaders.store.schema import connect
    from loaders.store.batches import ActivityRow, Batch, TargetRow, write_batch

    with connect(path) as con:
        init_database(con)
        load_sample(con, last=Quarter(2025, 3))
        if communes:
            rng = random.Random(7)
            con.execute("INSERT INTO unit (code, name, kind) SELECT 'xa_b' || i, 'Xã Thử ' || (i + 1), 'xa' "
                        "FROM range(?) t(i)", [communes])
            counts = [r[0] for r in con.execute("SELECT code FROM metric WHERE kind = 'count'").fetchall()]
            targets = [TargetRow(f"xa_b{i}", 2025, None, m, float(rng.choice([4, 8, 12, 20])))
                       for i in range(communes) for m in counts]
            write_batch(con, Batch("targets", file_name="chi_tieu_xa.xlsx", year=2025, is_sample=True,
                                   targets=targets))
            for q in (1, 2, 3):
                for i in range(communes):
                    if q == 3 and i % 17 == 0:
                        continue  # some have not reported
                    skill = rng.uniform(0.4, 1.3)
                    rows = [ActivityRow(f"xa_b{i}", 2025, q, m, float(round(rng.choice([1, 2, 3, 5]) * skill)))
                            for m in counts]
                    write_batch(con, Batch("activities", file_name=f"xa_b{i}_{q}.xlsx", unit_code=f"xa_b{i}",
                                           year=2025, quarter=q, is_sample=True, activities=rows))
    return path


def measure(page: str, params: dict, runs: int) -> dict:
    from streamlit.testing.v1 import AppTest

    from dashboard import cached

    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()  # first run: module imports, connection, caches
    if at.exception:
        raise RuntimeError(f"{page} {params}: {[e.value for e in at.exception]}")
    cold_wall, cold_cpu = [], []
    for _ in range(max(2, runs // 3)):
        cached.clear()
        w, c = time.perf_counter(), time.process_time()
        at.run()
        cold_wall.append(time.perf_counter() - w)
        cold_cpu.append(time.process_time() - c)
    warm_wall, warm_cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        at.run()
        warm_wall.append(time.perf_counter() - w)
        warm_cpu.append(time.process_time() - c)
    ms = lambda xs, f: round(f(xs) * 1000, 1)  # noqa: E731
    return {
        "charts": len(at.get("plotly_chart")),
        "cold_p50_ms": ms(cold_wall, statistics.median), "cold_min_ms": ms(cold_wall, min),
        "cold_cpu_ms": ms(cold_cpu, statistics.median),
        "warm_p50_ms": ms(warm_wall, statistics.median), "warm_min_ms": ms(warm_wall, min),
        "warm_cpu_ms": ms(warm_cpu, statistics.median), "runs": runs,
    }


def run(runs: int, communes: int) -> dict:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}",
               "load_before": [round(x, 2) for x in os.getloadavg()], "rows": []}
    t = time.perf_counter()
    db = build_demo(tmp / "demo.duckdb")
    results["build_demo_s"] = round(time.perf_counter() - t, 1)
    os.environ["CCHC_DB"] = str(db)
    for page, label, params in SCENARIOS:
        results["rows"].append({"page": label, "params": params, **measure(page, params, runs)})
        print(f"{label:55s} {results['rows'][-1]}", flush=True)
    if communes:
        db2 = build_demo(tmp / f"demo_{communes}.duckdb", communes)
        os.environ["CCHC_DB"] = str(db2)
        for page, label, params in COMMUNE_SCENARIOS:
            label = label.format(n=communes)
            results["rows"].append({"page": label, "params": params, **measure(page, params, runs)})
            print(f"{label:55s} {results['rows'][-1]}", flush=True)
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return results


def markdown(results: dict) -> str:
    lines = [
        START,
        "## Leadership pages: server time per page (bench/bench_pages.py)",
        "",
        f"Machine: {results['machine']}; load average before/after: {results['load_before']} / "
        f"{results['load_after']} (the 2 cores are shared with other work, so wall times scatter; min and CPU "
        f"are the steadier figures). Demo database (16 units, 2024-Q1…2025-Q3, the shipped reference "
        f"index data) built in {results['build_demo_s']} s. Target: under {TARGET_MS} ms per page.",
        "",
        "| page | charts | warm p50 ms | warm min ms | warm CPU ms | cold p50 ms | cold min ms | cold CPU ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["rows"]:
        lines.append(f"| {r['page']} | {r['charts']} | {r['warm_p50_ms']} | {r['warm_min_ms']} | {r['warm_cpu_ms']} "
                     f"| {r['cold_p50_ms']} | {r['cold_min_ms']} | {r['cold_cpu_ms']} |")
    lines += [
        "",
        "warm: reruns with cached queries (a widget change on unchanged data); cold: the query cache emptied first, "
        "as after a new batch or a rollback (every query runs against the views). Server time = one AppTest script "
        "run: queries, figure building, serialisation; not the browser's drawing (see the browser benchmark for "
        "that). Caches are keyed by `loaders.store.batches.data_version(con, scope)` (index, registry or all batches), "
        "read once per script run.",
        "",
        "Reading the figures: the warm path is what a leader meets on every click; its CPU time is the figure "
        "building and Streamlit's serialisation of 1–5 Plotly charts (the tables under the charts are built only "
        "when opened). The cold path "
        "runs 8–15 queries on `v_activity` (a table kept per batch by `loaders/store/materialize.py`) and "
        "`v_index_score`; it is paid once per data change for all sessions (the cache is process-wide), and a "
        "unit's activity report leaves the index and registry queries cached. Warm Chỉ số is the slowest (four "
        "charts, two of them subplot figures): figure building, not queries. An opened table over 600 cells is "
        "sent as formatted text instead of a Styler, and with 120 units the bar charts default to the 15 lowest, "
        "which keeps the many-units case in the same range.",
        END,
    ]
    return "\n".join(lines)


def write_results(section: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9, help="warm runs per page (default 9)")
    ap.add_argument("--communes", type=int, default=0, help="also measure with this many extra communes")
    ap.add_argument("--write", action="store_true", help="replace this script's section in bench/RESULTS.md")
    args = ap.parse_args(argv)
    results = run(args.runs, args.communes)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    section = markdown(results)
    print(section)
    if args.write:
        write_results(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
