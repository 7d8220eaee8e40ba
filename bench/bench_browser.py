"""Time in headless Chromium from opening a page to all its charts drawn, beside a bare one-chart app.

For each app (the dashboard on the national database as the tree has it; the same before issue 6, with the live
v_activity, bench/before_design.py; bench/bare_app.py),
measured in the same run, on this machine:
- start-up: `streamlit run` started -> /_stcore/health answers -> the first page's charts drawn in the browser;
- each page: page.goto(url) -> every '[data-testid="stPlotlyChart"]' has its '.main-svg' and there are as many
  charts as the page draws (counted by AppTest in bench_queries, or by waiting for the count to settle).
  First open (the server's cache is cold for that page) and repeated opens, each in a new tab (a new Streamlit
  session that runs the script; the server's st.cache_data and the browser's HTTP cache warm): p50 / p95.

    python bench/bench_browser.py --db bench/out/national.duckdb [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH, OUT, ROOT, load, summary  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-dev-shm-usage"]
PAGES = ["tong_quan", "hoat_dong", "chi_so", "don_vi"]

# True once the page shows at least `n` charts and every chart has drawn its SVG.
DRAWN_JS = """(n) => {
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  if (charts.length < Math.max(n, 1)) return false;
  for (const c of charts) { if (!c.querySelector('.main-svg')) return false; }
  return true;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(script: str, db: Path | None, before: bool = False) -> tuple[subprocess.Popen, str, float, float]:
    """(process, url, t_popen, seconds to /_stcore/health == ok). before: the app runs with
    bench/before_design.py applied (through bench/before_site/sitecustomize.py)."""
    port = free_port()
    env = {**os.environ, "CCHC_OPEN_READ": "1"}
    if db is not None:
        env["CCHC_DB"] = str(db)
    if before:
        env["CCHC_BENCH_BEFORE"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(BENCH / "before_site"), env.get("PYTHONPATH")) if p)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = t0 + 120
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return proc, url, t0, time.perf_counter() - t0
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("streamlit did not answer /_stcore/health within 120 s")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def open_page(context, url: str, charts: int, timeout_s: float = 180) -> dict:
    """A new tab (a new Streamlit session), goto, wait for the charts. Seconds from goto to drawn; a page that
    has not drawn within timeout_s is reported with seconds = timeout_s and timed_out = True."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    received = [0]  # bytes the server sent over the websocket (the page's elements, tables and figures)

    def on_ws(ws):
        ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

    page.on("websocket", on_ws)
    try:
        t0 = time.perf_counter()
        page.goto(url)
        try:
            page.wait_for_function(DRAWN_JS, arg=charts, polling="raf", timeout=timeout_s * 1000)
        except PlaywrightTimeout:
            return {"seconds": timeout_s, "charts": None, "exceptions": None, "timed_out": True}
        drawn = time.perf_counter() - t0
        n = page.evaluate("document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length")
        exc = page.evaluate("document.querySelectorAll('[data-testid=\"stException\"]').length")
        return {"seconds": drawn, "charts": n, "exceptions": exc, "ws_kb": round(received[0] / 1024, 1)}
    finally:
        page.close()


def measure_app(browser, script: str, db: Path | None, pages: dict[str, int], repeat: int,
                before: bool = False) -> dict:
    """pages: url path -> number of charts it draws ('' = the default page). One browser context per app (its
    HTTP cache holds Streamlit's static files after the first open, as a returning visitor's browser does);
    every open is a new tab, so a new Streamlit session that runs the page script."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    proc, url, t0, health = start_app(script, db, before)
    try:
        first_path, first_n = next(iter(pages.items()))
        r = open_page(context, f"{url}/{first_path}", first_n)
        startup = {"health_s": round(health, 3), "first_page_s": round(time.perf_counter() - t0, 3),
                   "first_page_goto_to_drawn_s": round(r["seconds"], 3), "load": load()}
        out = {"startup": startup, "pages": {}}
        for path, n in pages.items():
            first = r if path == first_path else open_page(context, f"{url}/{path}", n)
            runs = [open_page(context, f"{url}/{path}", n) for _ in range(repeat)] or [first]  # 0: first only
            out["pages"][path or "default"] = {
                "first_s": round(first["seconds"], 3), "warm": summary([x["seconds"] for x in runs]),
                "charts": runs[-1]["charts"] if runs else first["charts"], "expected_charts": n,
                "exceptions": max([x["exceptions"] or 0 for x in runs + [first]]),
                "ws_kb": (runs[-1] if runs else first).get("ws_kb"),
                "timed_out": any(x.get("timed_out") for x in runs + [first]), "load": load()}
        return out
    finally:
        context.close()
        stop_app(proc)


def run(db: Path, before: Path | None = None, repeat: int = 5, calls_file: Path = OUT / "page_calls.json",
        with_before: bool = True, repeat_before: int | None = None, bare_twice: bool = True,
        warm_up: bool = True) -> dict:
    from playwright.sync_api import sync_playwright

    import before_design
    from bench_queries import PAGES as QPAGES
    from loaders.store.schema import connect

    counts = {}
    if calls_file.exists():
        counts = {p: r.get("charts", 1) for p, r in json.loads(calls_file.read_text()).items()}
    pages = {p: counts.get(p, 1) for p in QPAGES if (ROOT / "pages" / f"{p}.py").exists()}
    tmp = Path(tempfile.mkdtemp(prefix="cchc_b_"))
    app_db = tmp / "as_is.duckdb"  # the app writes to its file at start (migrate): a copy each run
    shutil.copy(db, app_db)
    if with_before:
        before = before_design.before_copy(before or db, tmp / "before.duckdb")
    res = {"load": load(), "repeat": repeat, "apps": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            if warm_up:  # the browser and Python's imports warmed once (not measured)
                proc, url, _, _ = start_app(str(BENCH / "bare_app.py"), None)
                ctx = browser.new_context()
                open_page(ctx, url, 1)
                ctx.close()
                stop_app(proc)
            bare_pages = {"": 1, **{f"?charts={n}": n for n in sorted(set(pages.values())) if n > 1}}
            res["apps"]["bare_app"] = measure_app(browser, str(BENCH / "bare_app.py"), None, bare_pages, repeat)
            res["apps"]["as_is"] = measure_app(browser, "app.py", app_db, pages, repeat)
            with connect(app_db, read_only=True) as con:
                res["apps"]["as_is"]["v_activity_live"] = before_design.is_before(con)
            if res["apps"]["as_is"]["v_activity_live"]:
                raise RuntimeError("the app's database read the live v_activity")
            if with_before:
                res["apps"]["before"] = measure_app(browser, "app.py", before, pages,
                                                    repeat_before if repeat_before is not None else max(1, repeat // 2),
                                                    before=True)
                with connect(before, read_only=True) as con:
                    if not before_design.is_before(con):
                        raise RuntimeError("the 'before' app's database lost its live v_activity")
            if bare_twice:
                res["apps"]["bare_app_again"] = measure_app(browser, str(BENCH / "bare_app.py"), None, bare_pages,
                                                            repeat)
        finally:
            browser.close()
    shutil.rmtree(tmp, ignore_errors=True)
    res["table"] = table(res)
    return res


def table(res: dict) -> list[dict]:
    import statistics

    bare_apps = [res["apps"][k] for k in ("bare_app", "bare_app_again") if k in res["apps"]]

    def bare(path: str, key: str = "p50_ms"):
        vals = [a["pages"][path]["warm"][key] for a in bare_apps if path in a["pages"]]
        if not vals:
            return None
        return round(statistics.median(vals), 2) if key == "p50_ms" else max(vals)

    one = bare("default")
    rows = [{"app": "bare_app", "page": "" if path == "default" else path, "charts": r["expected_charts"],
             "warm_p50_ms": bare(path), "warm_p95_ms": bare(path, "p95_ms"), "ws_kb": r.get("ws_kb"),
             "first_ms": round(r["first_s"] * 1000)} for path, r in res["apps"]["bare_app"]["pages"].items()]
    rows[0].update(startup_health_s=res["apps"]["bare_app"]["startup"]["health_s"],
                   startup_first_page_s=res["apps"]["bare_app"]["startup"]["first_page_s"])
    for app in ("as_is", "before"):
        if app not in res["apps"]:
            continue
        a = res["apps"][app]
        for page, r in a["pages"].items():
            row = {"app": app, "page": page, "charts": r["charts"], "ws_kb": r.get("ws_kb"),
                   "first_ms": round(r["first_s"] * 1000),
                   "warm_p50_ms": r["warm"]["p50_ms"], "warm_p95_ms": r["warm"]["p95_ms"]}
            if one:
                row["ratio_to_bare_p50"] = round(r["warm"]["p50_ms"] / one, 2)
                row["ratio_first_to_bare"] = round(r["first_s"] * 1000 / one, 2)
                row["budget_1_25x"] = row["ratio_to_bare_p50"] <= 1.25
                same = bare("default" if r["expected_charts"] <= 1 else f"?charts={r['expected_charts']}")
                if same:
                    row["ratio_to_bare_same_charts_p50"] = round(r["warm"]["p50_ms"] / same, 2)
            rows.append(row)
        rows.append({"app": app, "page": "(start-up)", "startup_health_s": a["startup"]["health_s"],
                     "startup_first_page_s": a["startup"]["first_page_s"]})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default=str(OUT / "national.duckdb"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-before", action="store_true")
    args = ap.parse_args(argv)
    print(json.dumps(run(Path(args.db), None, args.repeat, with_before=not args.no_before), ensure_ascii=False,
                     indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
