"""N people at once against one real server: leadership browses the pages while unit staff upload their reports.

For N simultaneous browser sessions (headless Chromium, one browser context each, all driven at the same time):
- staff sessions (40 %, at least one): sign in as their unit's account, open Tải lên, choose their report
  (a different unit each), press "Ghi vào hệ thống" and wait for the answer; then browse like leadership;
- leadership sessions: open Tổng quan, Hoạt động, Chỉ số and Đơn vị in turn, ROUNDS times (read access open).
Page time: page.goto() until the app has drawn and its script has finished (no running-status widget). Reported:
p50 and p95 page time, uploads written over uploads tried (counted in the database afterwards, not from the
pages), the server's CPU time over the run (per page open), the server's memory (resident set, sampled every half second: at start, peak, at the end), and the page
opens that stalled (not drawn within STALL_S: counted and named, not waited for).

    python bench/bench_concurrency.py [--n 1 10 25] [--rounds 2]

The database is the demo's (sample data up to Quý III/2025; every upload is for Quý IV/2025). JSON goes to
bench/out/concurrency.json; the figures and what they mean are written by hand into bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, start_streamlit, stop_streamlit  # noqa: E402
from tests.test_browser_concurrency import UNITS  # noqa: E402 - ten units and their letterheads

OUT = ROOT / "bench" / "out"
PAGES = ["tong_quan", "hoat_dong", "chi_so", "don_vi"]
STAFF_SHARE = 0.4
MORE_UNITS = [("so_ngoai_vu", "SỞ NGOẠI VỤ"), ("bql_kcn", "BAN QUẢN LÝ CÁC KHU CÔNG NGHIỆP"),
              ("so_dan_toc_ton_giao", "SỞ DÂN TỘC VÀ TÔN GIÁO"), ("so_vh_tt_dl", "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"),
              ("so_nn_mt", "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG")]
IDLE_JS = "!document.querySelector('[data-testid=\"stStatusWidget\"]')"


def build_database(folder: Path) -> Path:
    from core.periods import Quarter
    from loaders.accounts.users import create_user
    from loaders.demo import load_sample
    from loaders.init_db import init_database
    from loaders.store.schema import connect

    db = folder / "bench.duckdb"
    with connect(db) as con:
        init_database(con)
        load_sample(con, last=Quarter(2025, 3))
        for code, _ in UNITS + MORE_UNITS:
            create_user(con, f"cb_{code}", "matkhau-1", "can_bo", f"Cán bộ {code}", unit_code=code)
    return db


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the server), MB."""
    total = 0
    for p in [pid] + children(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def cpu_s(pid: int) -> float:
    """CPU time (user + system) a process and its children have used so far, seconds."""
    total = 0.0
    for p in [pid] + children(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class MemorySampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stop = pid, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.samples.append(rss_mb(self.pid))
            self.stop.wait(0.5)


STALL_S = 120  # a page not drawn by then is counted as stalled, not waited for


async def open_page(page, url: str, times: list[float], stalls: list[str]) -> None:
    """Open a page and wait until its script has finished; a page that takes over STALL_S is a stall (its URL
    kept), so that one stuck session cannot hold the run."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    t0 = time.perf_counter()
    try:
        await page.goto(url, timeout=STALL_S * 1000)
        await page.wait_for_selector('[data-testid="stApp"]', timeout=STALL_S * 1000)
        await page.wait_for_timeout(200)
        await page.wait_for_function(IDLE_JS, timeout=STALL_S * 1000)
    except PlaywrightTimeout:
        stalls.append(url)
        return
    times.append(time.perf_counter() - t0)


async def leadership(browser, base: str, rounds: int, times: list[float], stalls: list[str]) -> None:
    context = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = await context.new_page()
    page.set_default_timeout(STALL_S * 1000)
    for _ in range(rounds):
        for name in PAGES:
            await open_page(page, f"{base}/{name}", times, stalls)
    await context.close()


async def staff(browser, base: str, unit: tuple[str, str], report: Path, rounds: int, times: list[float],
                outcomes: list[str], stalls: list[str]) -> None:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    code, _ = unit
    context = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = await context.new_page()
    page.set_default_timeout(STALL_S * 1000)
    await open_page(page, base, times, stalls)
    try:
        await page.get_by_text("Đăng nhập (cán bộ, quản trị)").click()
        await page.get_by_label("Tên đăng nhập").fill(f"cb_{code}")
        await page.get_by_label("Mật khẩu").fill("matkhau-1")
        await page.get_by_role("button", name="Đăng nhập").click()
        await page.get_by_role("button", name="Đăng xuất").wait_for()
        t0 = time.perf_counter()
        await page.get_by_role("link", name="Tải lên").click()
        await page.get_by_text("Tải lên báo cáo").first.wait_for()
        await page.wait_for_function(IDLE_JS)
        times.append(time.perf_counter() - t0)
        await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(report))
        await page.get_by_role("button", name="Ghi vào hệ thống").click()
        answer = page.get_by_text("thành lô số").or_(page.get_by_text("Không ghi")).first
        await answer.wait_for()
        outcomes.append("written" if "thành lô số" in await answer.inner_text() else "refused")
    except PlaywrightTimeout:
        stalls.append(f"{base} (upload of {code})")
        outcomes.append("no answer")
    await context.close()
    await leadership(browser, base, max(1, rounds - 1), times, stalls)


async def drive(base: str, n: int, rounds: int, reports: dict) -> dict:
    from playwright.async_api import async_playwright

    n_staff = max(1, math.ceil(n * STAFF_SHARE)) if n > 1 else 1
    n_lead = n - n_staff
    times: list[float] = []
    outcomes: list[str] = []
    stalls: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        units = list(reports)[:n_staff]
        t0 = time.perf_counter()
        await asyncio.gather(*([staff(browser, base, u, reports[u], rounds, times, outcomes, stalls) for u in units]
                               + [leadership(browser, base, rounds, times, stalls) for _ in range(n_lead)]))
        wall = time.perf_counter() - t0
        await browser.close()
    return {"sessions": n, "staff": n_staff, "leadership": n_lead, "page_opens": len(times), "stalls": stalls,
            "wall_s": wall,
            "page_p50_s": statistics.median(times), "page_p95_s": quantile(times, 0.95), "uploads_tried": n_staff,
            "uploads_answered_written": outcomes.count("written")}


def quantile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))]


def written_in_db(db: Path) -> int:
    from loaders.store.schema import DatabaseLockedError, connect

    for _ in range(40):  # the stopped server may hold the file a moment longer
        try:
            con = connect(db)
            break
        except DatabaseLockedError:
            time.sleep(0.5)
    with con:
        return con.execute("SELECT count(*) FROM batch WHERE kind = 'activities' AND year = 2025 AND quarter = 4 "
                           "AND status = 'active'").fetchone()[0]


def run_one(template_db: Path, folder: Path, n: int, rounds: int) -> dict:
    from tests import upload_files as F

    db = folder / f"n{n}.duckdb"
    shutil.copy(template_db, db)
    reports = {}
    for i, (code, letterhead) in enumerate(UNITS + MORE_UNITS):
        path = folder / f"bao_cao_{code}.xlsx"
        path.write_bytes(F.unit_report(unit_line=letterhead, quarter_title="QUÝ IV NĂM 2025",
                                       rows=(("Tin, bài đăng trên Trang TTĐT của Sở", str(10 + i)),
                                             ("Video, clip về CCHC", i % 7))))
        reports[(code, letterhead)] = path
    proc, url = start_streamlit(db)
    sampler = MemorySampler(proc.pid)
    sampler.start()
    cpu_before = cpu_s(proc.pid)
    try:
        result = asyncio.run(drive(url, n, rounds, reports))
        result["server_cpu_s"] = cpu_s(proc.pid) - cpu_before
    finally:
        sampler.stop.set()
        sampler.join()
        stop_streamlit(proc)
    result["load_avg_end"] = list(os.getloadavg())
    result["uploads_written_in_db"] = written_in_db(db)
    result["server_rss_mb"] = {"start": sampler.samples[0], "peak": max(sampler.samples), "end": sampler.samples[-1]}
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1, 10, 25])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if max(args.n) > len(UNITS + MORE_UNITS) / STAFF_SHARE:
        parser.error(f"at most {int(len(UNITS + MORE_UNITS) / STAFF_SHARE)} sessions: one unit per staff session")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = build_database(folder)
        for n in args.n:
            r = run_one(template, folder, n, args.rounds)
            results.append(r)
            print(f"N={n:>3}: {r['staff']} staff, {r['leadership']} leadership; page p50 {r['page_p50_s']:.2f} s, "
                  f"p95 {r['page_p95_s']:.2f} s over {r['page_opens']} opens; uploads written "
                  f"{r['uploads_written_in_db']}/{r['uploads_tried']}; server RSS {r['server_rss_mb']['start']:.0f} → "
                  f"peak {r['server_rss_mb']['peak']:.0f} MB; wall {r['wall_s']:.0f} s; "
                  f"stalled (over {STALL_S} s): {len(r['stalls'])}; server CPU {r['server_cpu_s']:.0f} s "
                  f"({1000 * r['server_cpu_s'] / max(1, r['page_opens']):.0f} ms per page open)", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "concurrency.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
