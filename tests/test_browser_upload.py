"""End to end in Chromium: sign in, upload a workbook on Tải lên, commit, and see the new numbers on Hoạt động."""
from __future__ import annotations

import subprocess

import pytest

from loaders.store.schema import connect
from loaders.accounts.users import create_user
from tests import upload_files as F
from tests.conftest import sign_in, start_streamlit

pytestmark = pytest.mark.browser


@pytest.fixture
def server(demo_db, tmp_path):
    """A server of our own: the shared app_server's database must not change under other tests."""
    with connect(demo_db) as con:  # before the server holds the file
        create_user(con, "qt", "matkhau-1", "quan_tri", "Quản trị thử")
    proc, url = start_streamlit(demo_db)
    yield url, demo_db
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def chart_text(page) -> str:
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
    return " ".join(page.locator('[data-testid="stPlotlyChart"] .main-svg text').all_text_contents())


def test_upload_through_the_page_shows_on_hoat_dong(server, browser_page, tmp_path):
    url, db = server
    page = browser_page
    activity = f"{url}/hoat_dong?nam=2025&quy=4&chi_tieu=tin_bai"

    # Before: nobody has reported Q4/2025 in the sample data.
    page.goto(activity)
    page.get_by_text("Chưa có đơn vị nào báo cáo Quý IV/2025").wait_for()

    sign_in(page, url)
    page.get_by_role("link", name="Tải lên").click()
    page.get_by_text("tối đa 20 MB mỗi tệp").first.wait_for()
    workbook = tmp_path / "bao_cao_tu_phap_q4.xlsx"
    workbook.write_bytes(F.unit_report(quarter_title="QUÝ IV NĂM 2025",
                                       rows=(("Tin, bài đăng trên Trang TTĐT của Sở", "57"),
                                             ("Video, clip về CCHC", 6))))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(workbook))
    page.get_by_text("Số liệu mới").wait_for()
    page.screenshot(path=str(tmp_path / "tai_len_preview.png"), full_page=True)
    page.get_by_role("button", name="Ghi vào hệ thống").click()
    page.get_by_text("thành lô số").wait_for()
    page.screenshot(path=str(tmp_path / "tai_len_done.png"), full_page=True)

    # After: the unit and its number are on Hoạt động (a fresh, anonymous visit: read access is open).
    page.goto(activity)
    text = chart_text(page)
    assert "Sở Tư pháp" in text and "57" in text, text
    page.screenshot(path=str(tmp_path / "hoat_dong_after.png"), full_page=True)


def test_bad_file_in_the_browser_writes_nothing(server, browser_page, tmp_path):
    url, db = server
    page = browser_page
    sign_in(page, url)
    page.get_by_role("link", name="Tải lên").click()
    bad = tmp_path / "bao_cao.xlsx"
    bad.write_bytes(F.word_file())
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    page.get_by_text("văn bản Word").wait_for()
    assert page.get_by_role("button", name="Ghi vào hệ thống").count() == 0
    # A 50 MB file: over the product's 20 MB, which is Streamlit's cap too: the browser refuses it before sending
    # a byte, in Vietnamese (the page shell words Streamlit's own message).
    big = tmp_path / "anh_chup.xlsx"
    big.write_bytes(F.huge_file(50))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))
    page.get_by_text("Tệp quá lớn: tối đa 20 MB mỗi tệp").wait_for()
    assert page.get_by_text("MB or smaller").count() == 0 and page.get_by_text("per file").count() == 0
    assert page.get_by_role("button", name="Ghi vào hệ thống").count() == 0
    page.get_by_role("link", name="Lịch sử").click()
    page.get_by_text("Các lô số liệu").wait_for()
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_text("Trang này cần đăng nhập").wait_for()  # signed out on a data page: its sign-in form


def test_closed_deployment_direct_urls_show_only_the_sign_in_form(demo_db, browser_page):
    """CCHC_OPEN_READ=0: a bookmark to a page must not get past the sign-in form, even as the first visit
    after the server started (Streamlit's old pages/ mode would run the page file directly)."""
    proc, url = start_streamlit(demo_db, extra_env={"CCHC_OPEN_READ": "0"})
    try:
        page = browser_page
        for path in ("tong_quan", "lich_su", "tai_len"):  # a leadership page first: the fresh-server case
            page.goto(f"{url}/{path}")
            page.get_by_label("Tên đăng nhập").wait_for()
            page.wait_for_timeout(1500)
            assert page.get_by_role("heading", name="Đăng nhập").count() == 1, path
            assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
            assert page.get_by_text("Lịch sử tải lên").count() == 0 and page.get_by_text("Tổng quan").count() == 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
