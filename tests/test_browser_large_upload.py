"""A 4,000-unit roll-up through Tải lên in Chromium against a real server (issue 14): the red-team run got an
English StreamlitAPIException (Styler cell limit) and no save button; now the preview is a summary, its first rows
and the whole table as a download, and saving writes every value."""
from __future__ import annotations

import pytest

from loaders.accounts.users import create_user
from loaders.store.schema import connect
from tests import hardening as H
from tests.conftest import sign_in, start_streamlit, stop_streamlit

pytestmark = pytest.mark.browser


@pytest.fixture
def server(fresh_db):
    H.add_units(fresh_db)
    with connect(fresh_db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri", "Quản trị")
    proc, url = start_streamlit(fresh_db)
    yield url, fresh_db, proc
    stop_streamlit(proc)


def test_a_4000_unit_rollup_is_previewed_and_saved_in_the_browser(server, browser_page, tmp_path):
    url, db, proc = server
    content, n_values = H.rollup_bytes(db)
    workbook = tmp_path / "tong_hop_quy_2.xlsx"
    workbook.write_bytes(content)
    page = browser_page
    page.set_default_timeout(300_000)
    sign_in(page, url)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Tải lên").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(workbook))
    page.get_by_text("4.000 đơn vị · 18 chỉ tiêu · 1 kỳ").wait_for()
    shown = f"{n_values:,}".replace(",", ".")
    page.get_by_text(f"Hiện 200 dòng đầu trong {shown} dòng.").wait_for()
    main = page.locator('[data-testid="stMain"]')
    assert "StreamlitAPIException" not in main.inner_text() and "Styler" not in main.inner_text()
    page.screenshot(path=str(tmp_path / "large_preview.png"), full_page=True)
    page.get_by_role("button", name="Ghi vào hệ thống").click()
    page.get_by_text("thành lô số").wait_for()
    assert f"({shown} dòng)" in main.inner_text()
    stop_streamlit(proc)
    with connect(db) as con:
        assert con.execute("SELECT count(*) FROM activity_value").fetchone()[0] == n_values
        assert con.execute("SELECT count(DISTINCT unit_code) FROM v_activity WHERE year = 2025 AND quarter = 2 "
                           "AND actual IS NOT NULL").fetchone()[0] == 4000
