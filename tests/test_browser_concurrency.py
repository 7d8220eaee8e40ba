"""Ten unit accounts press "Ghi vào hệ thống" at the same moment (issue 14), in Chromium against a real server.

The red-team run wrote 1, 2 or 4 of the 10 batches and showed most users DuckDB's English "Conflict on tuple
deletion". Every one must now be written, each user told "đã ghi", with no English and no traceback.
"""
from __future__ import annotations

import re

import pytest

from loaders.accounts.users import create_user
from loaders.store.schema import connect
from tests import upload_files as F
from tests.conftest import sign_in, start_streamlit, stop_streamlit

pytestmark = pytest.mark.browser

# (unit code, the letterhead line its report carries)
UNITS = [("vp_ubnd", "VĂN PHÒNG UBND TỈNH"), ("thanh_tra", "THANH TRA TỈNH"), ("so_noi_vu", "SỞ NỘI VỤ"),
         ("so_tu_phap", "SỞ TƯ PHÁP"), ("so_tai_chinh", "SỞ TÀI CHÍNH"), ("so_cong_thuong", "SỞ CÔNG THƯƠNG"),
         ("so_xay_dung", "SỞ XÂY DỰNG"), ("so_khcn", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"), ("so_gd_dt", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"),
         ("so_y_te", "SỞ Y TẾ")]
ENGLISH = ("Conflict", "Traceback", "Error", "Exception", "duckdb", "TransactionContext")


@pytest.fixture
def server(demo_db):
    with connect(demo_db) as con:  # before the server holds the file
        for code, _ in UNITS:
            create_user(con, f"cb_{code}", "matkhau-1", "can_bo", f"Cán bộ {code}", unit_code=code)
    proc, url = start_streamlit(demo_db)
    yield url, demo_db, proc
    stop_streamlit(proc)


def test_ten_simultaneous_uploads_are_all_written(server, _browser, tmp_path):
    url, db, proc = server
    pages = []
    for i, (code, letterhead) in enumerate(UNITS):
        context = _browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(120_000)
        sign_in(page, url, f"cb_{code}", "matkhau-1")
        page.get_by_role("link", name="Tải lên").click()
        report = tmp_path / f"bao_cao_{code}.xlsx"
        report.write_bytes(F.unit_report(unit_line=letterhead, quarter_title="QUÝ IV NĂM 2025",
                                         rows=(("Tin, bài đăng trên Trang TTĐT của Sở", str(10 + i)),
                                               ("Video, clip về CCHC", i))))
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(report))
        page.get_by_role("button", name="Ghi vào hệ thống").wait_for()
        pages.append(page)

    buttons = [p.get_by_role("button", name="Ghi vào hệ thống").element_handle() for p in pages]
    for button in buttons:  # ten clicks within a fraction of a second: the server runs them side by side
        button.evaluate("b => b.click()")

    outcomes = []
    for page in pages:  # each user is told: written, or why not
        page.get_by_text(re.compile("thành lô số|Không ghi|Không được ghi")).first.wait_for()
        text = page.locator('[data-testid="stMain"]').inner_text()
        outcomes.append("Đã ghi tệp" in text)
        assert not [w for w in ENGLISH if w in text], text
    pages[0].screenshot(path=str(tmp_path / "ten_uploads.png"), full_page=True)
    assert outcomes == [True] * len(UNITS)
    for page in pages:
        page.context.close()

    proc.terminate()
    proc.wait(timeout=30)
    with connect(db) as con:
        written = con.execute("SELECT unit_code FROM batch WHERE kind = 'activities' AND year = 2025 AND quarter = 4 "
                              "AND status = 'active'").fetchall()
        shown = con.execute("SELECT count(DISTINCT unit_code) FROM v_activity WHERE year = 2025 AND quarter = 4 "
                            "AND actual IS NOT NULL").fetchone()[0]
    assert sorted(u for (u,) in written) == sorted(code for code, _ in UNITS)
    assert shown == len(UNITS)  # the maintained table holds every unit's new values
