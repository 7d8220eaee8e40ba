"""The national-scale benchmark runs end to end at tiny scale and its JSON has every figure.

`python bench/run_all.py --smoke --out DIR --no-results`: 50 units x 8 quarters, one repeat, the browser part in
Debian's chromium (skipped, like the other browser tests, when chromium or playwright is missing; failed in CI).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import _browser_available, require_tool

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bench")]


def _num(x) -> bool:
    return isinstance(x, (int, float)) and x == x and x >= 0


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    args = [sys.executable, "bench/run_all.py", "--smoke", "--out", str(out), "--no-results"]
    if not _browser_available():
        args.append("--no-browser")
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads((out / "summary.json").read_text())
    data["_out"] = out
    return data


def test_dataset_and_materialised_table(summary):
    c = summary["dataset"]["counts"]
    assert c["units"] == 50 and c["quarters"] == 8 and c["metrics"] == 18
    assert c["activity_rows"] >= 50 * 18 * 7 and c["index_rows"] > 0
    assert _num(summary["dataset"]["seconds"]["materialize"]) and summary["dataset"]["materialize_kind"] == "full"
    for name in ("national.duckdb", "national_before.duckdb", "ingest.json", "queries.json", "summary.json"):
        assert (summary["_out"] / name).exists(), name


def test_ingestion_figures(summary):
    ing = summary["ingest"]
    assert ing["workbook"]["units"] == 50
    for variant in ("before", "as_is", "pandas"):
        s = ing["variants"][variant]["summary"]
        assert _num(s["p50_ms"]) and _num(s["p95_ms"]) and _num(s["rows_per_s_p50"]) and _num(s["peak_extra_mb_max"])
    # the loader reads every value written; the tables' refresh changes nothing in what is loaded
    assert ing["variants"]["before"]["summary"]["rows"] == ing["variants"]["as_is"]["summary"]["rows"] \
        == ing["workbook"]["values"]
    assert _num(ing["variants"]["as_is"]["runs"][0]["phases"]["refresh_tables"])
    assert all(_num(v) for k, v in ing["ratios"].items() if k != "note")
    assert _num(ing["variants"]["pandas"]["read_excel_openpyxl"]["p50_ms"])


def test_page_query_figures(summary):
    q = summary["queries"]
    assert set(q["pages"]) >= {"tong_quan", "hoat_dong", "chi_so", "don_vi"}
    for p in q["pages"]:
        assert q["recorded"][p]["n_calls"] > 0 and not q["recorded"][p]["errors"], p
    for row in q["table"]:
        if row["page"] == "bare_app":
            assert _num(row["rerun_warm_p50_ms"])
            continue
        for key in ("before_cold_p50_ms", "before_cold_p95_ms", "start_cold_p50_ms", "start_cold_p95_ms",
                    "upload_cold_p50_ms", "upload_cold_p95_ms", "warm_p50_ms", "warm_p95_ms", "rerun_warm_p50_ms",
                    "rerun_warm_p95_ms", "pandas_per_rerun_p50_ms", "pandas_per_rerun_p95_ms", "pandas_over_warm",
                    "pandas_over_upload_cold", "before_over_upload_cold", "before_cold_over_pandas"):
            assert _num(row[key]), (row["page"], key)


def test_browser_figures(summary):
    if "browser" not in summary:
        require_tool("chromium")  # fails in CI, skips elsewhere
    b = summary["browser"]
    assert _num(b["apps"]["bare_app"]["startup"]["first_page_s"])
    assert _num(b["apps"]["as_is"]["startup"]["first_page_s"])
    rows = [r for r in b["table"] if r["app"] == "as_is" and r["page"] != "(start-up)"]
    assert {r["page"] for r in rows} >= {"tong_quan", "hoat_dong", "chi_so", "don_vi"}
    for r in rows:
        assert _num(r["warm_p50_ms"]) and _num(r["ratio_to_bare_p50"]) and r["charts"] >= 1, r


def test_verdict_names_every_budget(summary):
    v = summary["verdict"]
    assert set(v) >= {"upload_under_2s", "page_server_under_100ms_p95"}
    assert set(v["page_server_under_100ms_p95"]) >= {"tong_quan", "hoat_dong", "chi_so", "don_vi"}
