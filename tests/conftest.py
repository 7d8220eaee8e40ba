"""Shared fixtures. Names are specific on purpose: several test modules build on them.

- demo_db_file (session): path of a demo database built once; treat it as read-only (copy it to write).
- fresh_db (function): path of a new database after `init` (registries and reference data, no sample).
- demo_db (function): path of a private copy of the demo database, free to write.
- app_server (session): base URL of a real `streamlit run app.py` on a copy of the demo database.
- browser_page (function): a Playwright page in Debian's chromium at 1366×768.
- require_tool(*names): the path of an external tool (libreoffice, pdftoppm, tesseract, chromium); a missing one
  fails the test in CI (CI=true) and skips it elsewhere.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-dev-shm-usage"]


def _build_db(path: Path, demo: bool) -> Path:
    from loaders.demo import load_sample
    from loaders.init_db import init_database
    from core.periods import Quarter
    from loaders.store.schema import connect

    with connect(path) as con:
        init_database(con)
        if demo:
            # A fixed last quarter keeps the tests' expectations stable whatever today's date is.
            load_sample(con, last=Quarter(2025, 3))
    return path


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory) -> Path:
    return _build_db(tmp_path_factory.mktemp("demo") / "demo.duckdb", demo=True)


@pytest.fixture(scope="session")
def _init_db_file(tmp_path_factory) -> Path:
    return _build_db(tmp_path_factory.mktemp("init") / "init.duckdb", demo=False)


@pytest.fixture
def fresh_db(_init_db_file, tmp_path) -> Path:
    target = tmp_path / "fresh.duckdb"
    shutil.copy(_init_db_file, target)
    return target


@pytest.fixture
def demo_db(demo_db_file, tmp_path) -> Path:
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_file, target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(db: Path, script: str = "app.py", extra_env: dict | None = None):
    """Start `streamlit run` on a free port; returns (process, base_url) once /_stcore/health answers."""
    port = free_port()
    env = {**os.environ, "CCHC_DB": str(db), "CCHC_OPEN_READ": "1", **(extra_env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not answer /_stcore/health within 60 s")


def stop_streamlit(proc) -> None:
    """Stop a server started by start_streamlit (politely, then for good)."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def sign_in(page, url, username="qt", password="matkhau-1"):
    """Open the app and sign in through the sidebar form, as a user does; waits out a busy machine."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_timeout(500)
    # the first page's run ends before the sign-in form is used
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.get_by_text("Đăng nhập (cán bộ, quản trị)").click()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng xuất").wait_for(timeout=90_000)


@pytest.fixture(scope="session")
def app_server(demo_db_file, tmp_path_factory):
    db = tmp_path_factory.mktemp("server") / "app.duckdb"
    shutil.copy(demo_db_file, db)
    proc, url = start_streamlit(db)
    yield url
    stop_streamlit(proc)


def _browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")


def require_tool(*names: str) -> str:
    """The path of the first external tool of `names` that is here ("soffice", "libreoffice"; "chromium" means
    Debian's chromium and playwright). None of them: the test fails in CI (CI=true, or CCHC_REQUIRE_BROWSER=1 for
    the browser), and is skipped elsewhere."""
    for name in names:
        path = (CHROMIUM if _browser_available() else None) if name == "chromium" else shutil.which(name)
        if path:
            return path
    what = " or ".join(names)
    if _env_true("CI") or ("chromium" in names and _env_true("CCHC_REQUIRE_BROWSER")):
        pytest.fail(f"{what} is missing, and CI requires the tests that use it")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def _browser():
    require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser):
    context = _browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


# --- report workbooks for the loader tests (tests/test_load_*.py, test_workbook.py, test_cli_load.py) ---------
# Real .xlsx files built with openpyxl the way Vietnamese offices lay them out: letterhead, national motto,
# title with the period, merged two-row headers, a numbering row, Roman-numeral sections, totals, notes and a
# signature block. Each builder returns the file's bytes.


def xls_bytes(sheets: dict, merges: dict | None = None, percent: dict | None = None) -> bytes:
    """The same workbook as xlsx_bytes, saved as Excel 97–2003 .xls (what older office PCs still send)."""
    import io

    import xlwt
    from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

    wb = xlwt.Workbook(encoding="utf-8")
    pct = xlwt.easyxf(num_format_str="0.0%")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        merged = [range_boundaries(r) for r in (merges or {}).get(name, [])]
        covered = {(r, c) for c1, r1, c2, r2 in merged for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        pct_cells = {coordinate_to_tuple(ref) for ref in (percent or {}).get(name, [])}
        for c1, r1, c2, r2 in merged:  # a merge holds the top-left value
            v = rows[r1 - 1][c1 - 1] if r1 <= len(rows) and c1 <= len(rows[r1 - 1]) else None
            ws.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, "" if v is None else v)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None and (r, c) not in covered:
                    ws.write(r - 1, c - 1, v, pct) if (r, c) in pct_cells else ws.write(r - 1, c - 1, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ods_bytes(sheets: dict, merges: dict | None = None, percent: dict | None = None) -> bytes:
    """The same workbook as OpenDocument .ods (LibreOffice Calc, WPS), merged cells and percent cells included."""
    import io

    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P
    from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        spans = {}
        for rng in (merges or {}).get(name, []):
            c1, r1, c2, r2 = range_boundaries(rng)
            spans[(r1, c1)] = (r2 - r1 + 1, c2 - c1 + 1)
        covered = {(r, c) for (r1, c1), (nr, nc) in spans.items() for r in range(r1, r1 + nr)
                   for c in range(c1, c1 + nc) if (r, c) != (r1, c1)}
        width = max([len(r) for r in rows] + [c1 + nc - 1 for (_, c1), (_, nc) in spans.items()])
        pct_cells = {coordinate_to_tuple(ref) for ref in (percent or {}).get(name, [])}
        for r, row in enumerate(rows, start=1):
            tr = TableRow()
            for c in range(1, width + 1):
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                v = row[c - 1] if c <= len(row) else None
                attrs = {}
                if (r, c) in spans:
                    attrs = {"numberrowsspanned": spans[(r, c)][0], "numbercolumnsspanned": spans[(r, c)][1]}
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    kind = "percentage" if (r, c) in pct_cells else "float"
                    cell = TableCell(valuetype=kind, value=v, **attrs)
                else:
                    cell = TableCell(valuetype="string", **attrs) if v is not None else TableCell(**attrs)
                if v is not None:
                    cell.addElement(P(text=str(v)))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def xlsx_bytes(sheets: dict, merges: dict | None = None, percent: dict | None = None, hidden: tuple = ()) -> bytes:
    """sheets: {sheet name: list of rows (lists; None = empty cell)}, merges: {sheet: ["A1:C1", …]},
    percent: {sheet: ["D12", …]} cells formatted as 0.0%."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    ws.cell(r, c, v)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        for ref in (percent or {}).get(name, []):
            ws[ref].number_format = "0.0%"
        if name in hidden:
            ws.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


UNIT_REPORT_TITLE = "BÁO CÁO KẾT QUẢ CÔNG TÁC TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH QUÝ III NĂM 2025"
UNIT_REPORT_BODY = [
    ["I", "TUYÊN TRUYỀN TRÊN PHƯƠNG TIỆN THÔNG TIN ĐẠI CHÚNG"],
    [1, "Tin, bài đăng trên Trang TTĐT của Sở", "tin/bài", "40", "12", "30"],
    [2, "Video, clip", "video", 8, "2", 5],
    ["II", "HỘI NGHỊ, TẬP HUẤN"],
    [3, "Hội nghị, hội thảo có lồng ghép CCHC", "hội nghị", 4, 1, 3],
    [4, "To gap, to roi phat hanh", "tờ", "2.000", "1.250", "1.800"],
    [5, "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "%", 95, "88,5", "90"],
    [None, "Tổng cộng", None, None, "1.265", None],
]


def unit_report_xlsx(body=None, title=UNIT_REPORT_TITLE, letterhead=("UBND TỈNH ĐẮK LẮK", "SỞ TƯ PHÁP"),
                     sheet="Báo cáo", quarter_header="Quý III", ytd_header="Lũy kế 9 tháng", percent=(),
                     fmt="xlsx") -> bytes:
    """One unit's report. Layout (Excel rows): 1–2 letterhead | 3 date line | 5 title | 6 reference line |
    8–9 header (STT, Nội dung, Đơn vị tính, Kế hoạch năm merged down; "Kết quả thực hiện" merged over
    quarter / year-to-date; Ghi chú) | 10 numbering "(1)…(7)" | 11… body | notes and signatures below."""
    rows = [
        [letterhead[0], None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        [letterhead[1], None, None, None, "Độc lập - Tự do - Hạnh phúc"],
        [None, None, None, None, "Đắk Lắk, ngày 05 tháng 10 năm 2025"],
        [],
        [title],
        ["(Kèm theo Công văn số 123/STP-VP)"],
        [],
        ["STT", "Nội dung", "Đơn vị tính", "Kế hoạch năm", "Kết quả thực hiện", None, "Ghi chú"],
        [None, None, None, None, quarter_header, ytd_header, None],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
    ]
    rows += [list(r) for r in (UNIT_REPORT_BODY if body is None else body)]
    rows += [[], ["Ghi chú: số liệu tính đến ngày 30/9/2025."], [],
             [None, "NGƯỜI LẬP BIỂU", None, None, "GIÁM ĐỐC"], [None, None, None, None, "(Ký, ghi rõ họ tên)"],
             [], [], [None, "Lê Thị C", None, None, "Nguyễn Văn A"]]
    merges = ["A1:C1", "A2:C2", "E1:H1", "E2:H2", "E3:H3", "A5:H5", "A6:H6",
              "A8:A9", "B8:B9", "C8:C9", "D8:D9", "E8:F8", "G8:G9"]
    return save_as(fmt, {sheet: rows}, {sheet: merges}, {sheet: list(percent)})


def save_as(fmt: str, sheets: dict, merges: dict, percent: dict | None = None) -> bytes:
    """fmt: xlsx | xls | ods — the formats offices send."""
    return {"xlsx": xlsx_bytes, "xls": xls_bytes, "ods": ods_bytes}[fmt](sheets, merges, percent)


ROLLUP_BODY = [
    ["I", "CÁC SỞ, BAN, NGÀNH"],
    [1, "So Tu phap", 12, "3", 1, 1, "98,5"],
    [2, "VP UBND tỉnh", "1.250", 0, 2, None, 100],
    [3, "Sở Xây Dựng", 5, 2, None, 1, 97],
    ["II", "CÁC CƠ QUAN KHÁC"],
    [4, "Thanh tra tỉnh", 3, 0, 1, 0, "95"],
    [None, "Cộng", "1.270", 5, 4, 2, None],
]


def rollup_xlsx(body=None, title="BÁO CÁO TỔNG HỢP KẾT QUẢ TUYÊN TRUYỀN CCHC QUÝ II/2025", sheet="Tổng hợp",
                fmt="xlsx") -> bytes:
    """Units down the side. Rows: 1–2 letterhead | 4 title | 6–7 header ("Truyền thông…" merged over three
    indicators; STT, unit, Hội nghị, Tỷ lệ, Ghi chú merged down) | 8 numbering | 9… body | signature."""
    rows = [
        ["UBND TỈNH ĐẮK LẮK", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["SỞ NỘI VỤ", None, None, None, "Độc lập - Tự do - Hạnh phúc"],
        [],
        [title],
        [],
        ["STT", "Tên cơ quan, đơn vị", "Truyền thông trên báo chí, cổng TTĐT", None, None, "Hội nghị, hội thảo",
         "Tỷ lệ hồ sơ đúng hạn (%)", "Ghi chú"],
        [None, None, "Tin bài trên Cổng TTĐT", "Tin bài, phóng sự trên báo, đài", "Video clip"],
        [f"({i})" for i in range(1, 9)],
    ]
    rows += [list(r) for r in (ROLLUP_BODY if body is None else body)]
    rows += [[], [None, "NGƯỜI TỔNG HỢP", None, None, None, "KT. GIÁM ĐỐC"], [None, None, None, None, None, "PHÓ GIÁM ĐỐC"]]
    merges = ["A1:C1", "A2:C2", "E1:H1", "E2:H2", "A4:H4", "C6:E6", "A6:A7", "B6:B7", "F6:F7", "G6:G7", "H6:H7"]
    return save_as(fmt, {sheet: rows}, {sheet: merges})


@pytest.fixture
def load_con(fresh_db):
    """A connection to a new database after `init` (registries, provinces, reference data)."""
    from loaders.store.schema import connect

    con = connect(fresh_db)
    yield con
    con.close()


@pytest.fixture
def load_counts():
    """counts(con) -> (batches, activity rows, target rows, index rows): to prove nothing was written."""
    def counts(con):
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("batch", "activity_value", "target_value", "index_value"))
    return counts
