"""Ingestion: a 4,000-row roll-up workbook through the real loader, beside the pandas way.

Variants, each run in a fresh process on its own copy of the national database (own memory, own caches):
- before      the loader as it was before issue 6: the batch's rows only (bench/before_design.py turns off the
              refresh of the maintained tables), for the ratio
- as_is       loaders.load.load_file exactly as the tree has it (read -> validate -> one batch, one transaction,
              the tables behind v_activity brought up to date for the quarter inside it: loaders/store/materialize.py)
- pandas    the typical Streamlit way: pandas.read_excel(engine="openpyxl"), rows and columns found by
            position, names mapped with a dict, text numbers coerced, DataFrame appended to the table
            (no per-cell error list, no fuzzy matching, no dedupe, no lineage)

Each repeat loads the file, then rolls the batch back (the same file would otherwise be recognised by its
SHA-256 and not loaded again). Peak memory: VmHWM reset before each run (Linux clear_refs), minus the RSS
before it.

    python bench/bench_ingest.py --db bench/out/national.duckdb --rows 4000 --repeat 3
"""
from __future__ import annotations

import argparse
import gc
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, Timer, load, peak_rss_mb, reset_peak, rss_mb, run_worker, summary  # noqa: E402


# --- the pandas way -----------------------------------------------------------------------------------------------

def pandas_way(con, content: bytes, year: int, quarter: int) -> int:
    """What a typical Streamlit dashboard does with an uploaded roll-up."""
    import pandas as pd

    raw = pd.read_excel(io.BytesIO(content), engine="openpyxl", header=None)
    head = raw.index[raw.iloc[:, 0].astype(str).str.strip().str.upper() == "STT"][0]
    names = raw.iloc[head + 1].ffill().astype(str).str.replace(r"\s*\(%\)$", "", regex=True)
    body = raw.iloc[head + 3:]
    body = body[pd.to_numeric(body.iloc[:, 0], errors="coerce").notna()]  # numbered rows only
    body.columns = ["stt", "unit_name", *names.iloc[2:]]
    metrics = dict(con.execute("SELECT name, code FROM metric").fetchall())
    units = dict(con.execute("SELECT name, code FROM unit").fetchall())
    long = body.melt(id_vars=["stt", "unit_name"], var_name="metric_name", value_name="value")
    long["unit_code"] = long["unit_name"].str.strip().map(units)
    long["metric_code"] = long["metric_name"].map(metrics)
    txt = long["value"].astype(str).str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    long["value"] = pd.to_numeric(long["value"], errors="coerce").fillna(pd.to_numeric(txt, errors="coerce"))
    long = long.dropna(subset=["unit_code", "metric_code", "value"])
    con.execute("BEGIN TRANSACTION")
    batch_id = con.execute(
        "INSERT INTO batch (kind, file_name, rows, is_sample, note) VALUES ('activities', 'pandas.xlsx', ?, true, "
        "'bench: pandas way') RETURNING id", [len(long)]).fetchall()[0][0]
    frame = long.assign(batch_id=batch_id, year=year, quarter=quarter, sheet=None, row_no=None, col=None)[
        ["batch_id", "unit_code", "year", "quarter", "metric_code", "value", "sheet", "row_no", "col"]]
    con.register("_pandas_rows", frame)
    con.execute("INSERT INTO activity_value SELECT * FROM _pandas_rows")
    con.unregister("_pandas_rows")
    con.execute("COMMIT")
    con.execute("UPDATE batch SET status = 'rolled_back' WHERE id = ?", [batch_id])
    return len(long)


# --- worker: one variant in this process --------------------------------------------------------------------------

def worker(db: str, workbook: str, variant: str, repeat: int, year: int, quarter: int) -> dict:
    if variant == "before":
        import before_design
        before_design.apply()
    import loaders.store.batches as store
    from loaders import load as L
    from loaders.store.schema import connect
    from loaders.store.batches import rollback_batch

    tmp = Path(tempfile.mkdtemp(prefix="cchc_ingest_"))
    copy = tmp / "ingest.duckdb"
    shutil.copy(db, copy)
    con = connect(copy)
    content = Path(workbook).read_bytes()
    phases: dict[str, float] = {}

    def timed(fn, phase):
        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                phases[phase] = time.perf_counter() - t
        return wrapper

    # refresh_batch is called by write_batch inside its transaction: "write" includes it
    L.read_file, L.write_batch = timed(L.read_file, "read_validate"), timed(L.write_batch, "write")
    store.refresh_batch = timed(store.refresh_batch, "refresh_tables")
    runs = []
    for i in range(repeat):
        gc.collect()
        before = rss_mb()
        reset_peak()
        phases.clear()
        load_before = load()
        with Timer() as total:
            if variant == "pandas":
                rows = pandas_way(con, content, year, quarter)
                status = "loaded"
                batch_id = None
            else:
                report = L.load_file(con, "tong_hop_quy.xlsx", content, uploaded_by="bench")
                rows, status, batch_id = report.rows, report.status, report.batch_id
                if status != "loaded":
                    raise RuntimeError(f"the loader refused the workbook: {[str(e) for e in report.errors[:5]]}")
        peak = peak_rss_mb()
        runs.append({"seconds": round(total.seconds, 3), "rows": rows, "rows_per_s": round(rows / total.seconds),
                     "phases": {k: round(v, 3) for k, v in phases.items()}, "rss_before_mb": round(before, 1),
                     "peak_rss_mb": round(peak, 1), "peak_extra_mb": round(peak - before, 1), "load": load_before})
        if batch_id is not None:
            rollback_batch(con, batch_id, by="bench")
    if variant == "pandas":  # the read alone, the part a typical app changes when it switches reader
        import pandas as pd
        reads = []
        for _ in range(max(1, repeat)):
            with Timer() as t:
                pd.read_excel(io.BytesIO(content), engine="openpyxl", header=None)
            reads.append(t.seconds)
        calamine = []
        from loaders.files.workbook import read_workbook
        for _ in range(max(1, repeat)):
            with Timer() as t:
                read_workbook(content, "x.xlsx")
            calamine.append(t.seconds)
        extra = {"read_excel_openpyxl": summary(reads), "read_workbook_calamine": summary(calamine)}
    else:
        extra = {}
    con.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return {"variant": variant, "runs": runs, **extra}


# --- driver -------------------------------------------------------------------------------------------------------

def run(db: Path, rows: int, repeat: int, repeat_before: int = 1, out: Path = OUT,
        before_limit_s: float = 240, before: Path | None = None) -> dict:
    """before: the copy of the database with the live v_activity (bench/before_design.py)."""
    from loaders.store.schema import connect

    from rollup_workbook import write_rollup
    workbook = out / f"rollup_{rows}.xlsx"
    with connect(db, read_only=True) as con:
        info = write_rollup(con, workbook, rows)
    year, quarter = (int(x) for x in info["period"].split("-Q"))
    result = {"workbook": info, "load": load(), "variants": {}}
    for variant, n in (("before", repeat_before), ("as_is", repeat), ("pandas", repeat)):
        src = before if variant == "before" and before is not None else db
        r = run_worker("bench_ingest.py", ["--worker", variant, "--db", str(src), "--workbook", str(workbook),
                                           "--repeat", str(n), "--year", str(year), "--quarter", str(quarter)],
                       timeout=before_limit_s * n + 60 if variant == "before" else 1800,
                       allow_timeout=variant == "before")
        if r.get("timed_out"):
            r["summary"] = {"p50_ms": None, "timed_out": True, "limit_s": r["limit_s"]}
            result["variants"][variant] = r
            continue
        secs = [x["seconds"] for x in r["runs"]]
        r["summary"] = {**summary(secs), "rows": r["runs"][0]["rows"],
                        "rows_per_s_p50": round(r["runs"][0]["rows"] / sorted(secs)[len(secs) // 2]),
                        "peak_extra_mb_max": max(x["peak_extra_mb"] for x in r["runs"])}
        result["variants"][variant] = r
    v = {k: x["summary"].get("p50_ms") or (x["summary"].get("limit_s", 0) * 1000) for k, x in
         result["variants"].items()}
    lower = " (at least: the before run was stopped at its time limit)" if result["variants"]["before"].get(
        "timed_out") else ""
    result["ratios"] = {
        "as_is_over_pandas": round(v["as_is"] / v["pandas"], 2),
        "before_over_pandas": round(v["before"] / v["pandas"], 2),
        "as_is_over_before": round(v["as_is"] / v["before"], 2),
        "note": lower,
    }
    return result


def main(argv=None) -> int:
    import json
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default=str(OUT / "national.duckdb"))
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--repeat-before", type=int, default=1)
    ap.add_argument("--worker", choices=["before", "as_is", "pandas"])
    ap.add_argument("--workbook")
    ap.add_argument("--year", type=int)
    ap.add_argument("--quarter", type=int)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.db, args.workbook, args.worker, args.repeat, args.year, args.quarter)))
        return 0
    print(json.dumps(run(Path(args.db), args.rows, args.repeat, args.repeat_before), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
