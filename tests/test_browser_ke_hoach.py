"""End to end in Chromium: an administrator signs in, pastes a yearly plan on the Kế hoạch page, sees its targets
and tasks beside their sentences, confirms the unit, saves, and follows the saved tasks; then uploads a second plan
as a file. Screenshots at 1366×768 and 1920×1080 go to the test's tmp directory."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loaders.store.schema import connect
from loaders.accounts.users import create_user
from tests.conftest import sign_in, start_streamlit, stop_streamlit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLANS = Path(__file__).resolve().parents[2] / "shared" / "plans"
SON_LA = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_bql_kcn_son_la.txt"
SOC_TRANG = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_so_xay_dung_soc_trang.txt"
IDLE = "!document.querySelector('[data-testid=\"stStatusWidget\"]')"


@pytest.fixture
def server(demo_db):
    """A server of our own: the shared app_server's database must not change under other tests."""
    with connect(demo_db) as con:  # before the server holds the file
        create_user(con, "qt", "matkhau-1", "quan_tri", "Quản trị thử")
    proc, url = start_streamlit(demo_db)
    yield url
    stop_streamlit(proc)


def idle(page):
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE, timeout=60_000)


def open_plans(page, url):
    sign_in(page, url)
    page.get_by_role("link", name="Kế hoạch").click()
    page.locator('[data-testid="stMain"]').get_by_role("tab", name="Nhập kế hoạch").click()
    page.get_by_text("Nguồn kế hoạch").wait_for()
    idle(page)


def open_page_at(page, url: str, path: str) -> None:
    """Open a page by its address as a visitor: the app first (its navigation), then the page with its query."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]')
    idle(page)
    page.goto(url + path)
    page.wait_for_selector('[data-testid="stApp"]')
    idle(page)


def grid_text(page, index: int, expect: str, visible_tab: bool = False) -> str:
    """The cells of a data editor, from the grid's accessible table (the cells themselves are drawn on a canvas);
    waits until ``expect`` shows up (the table fills in after the canvas). `visible_tab`: count the tables of the
    open tab only."""
    scope = page.locator('[role="tabpanel"]:not([hidden])') if visible_tab else page
    cells = scope.locator('[data-testid="stDataFrame"]').nth(index).locator('[role="gridcell"], td')
    text = ""
    for _ in range(60):
        text = " ".join(cells.all_text_contents())
        if expect in text:
            break
        page.wait_for_timeout(500)
    return text


def test_paste_review_save_and_follow(server, browser_page, tmp_path):
    page = browser_page
    open_plans(page, server)
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_role("tab", name="Nhập kế hoạch").is_visible()
    main.get_by_text("Dán văn bản").click()
    box = main.get_by_label("Nội dung kế hoạch")
    box.fill(SON_LA.read_text(encoding="utf-8"))
    box.press("Control+Enter")
    main.get_by_text("Kiểm tra trước khi lưu").wait_for()
    idle(page)
    text = main.inner_text()
    assert "Đã đọc “van_ban_dan.txt” (văn bản): 1 chỉ tiêu, 3 nhiệm vụ." in text
    assert "Chỉ tiêu (1)" in text and "Nhiệm vụ (3)" in text
    assert "Kế hoạch ghi tỉnh Sơn La" in text  # matched by name across provinces: confirm first
    # the accessible table holds the raw values: code, number, unit, period, then the source sentence
    cells = grid_text(page, 0, "ban_tin")
    assert "ban_tin 4 số month" in cells and "với số lượng 04 số/tháng" in cells, cells
    page.screenshot(path=str(tmp_path / "ke_hoach_review_1366.png"))
    assert main.get_by_role("button", name="Lưu kế hoạch").is_disabled()

    main.get_by_text("Xác nhận ghi chỉ tiêu").click()
    main.get_by_text("Chưa xác nhận đơn vị và tỉnh nhận chỉ tiêu").wait_for(state="detached")
    idle(page)
    save = main.get_by_role("button", name="Lưu kế hoạch")
    assert save.is_enabled()
    save.click()
    main.get_by_text("Đã lưu kế hoạch năm 2025 vào lô số").wait_for()
    idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0

    main.get_by_role("tab", name="Theo dõi nhiệm vụ").click()
    # the click reruns the page (the tab lives in the URL): wait for the tab's own content, not just any chart
    main.get_by_text("Chi tiết và đánh dấu hoàn thành").wait_for(timeout=60_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
    idle(page)
    follow = main.inner_text()
    assert "3 nhiệm vụ trong kế hoạch năm 2025" in follow and "Chi tiết và đánh dấu hoàn thành" in follow
    svg = " ".join(page.locator('[data-testid="stPlotlyChart"] .main-svg text').all_text_contents())
    assert "T1" in svg and "T12" in svg and "Triển khai các hoạt động" in svg
    page.screenshot(path=str(tmp_path / "ke_hoach_follow_1366.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})
    idle(page)
    page.screenshot(path=str(tmp_path / "ke_hoach_follow_1920.png"))


def test_upload_a_plan_file(server, browser_page, tmp_path):
    page = browser_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_plans(page, server)
    main = page.locator('[data-testid="stMain"]')
    main.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(SOC_TRANG))
    main.get_by_text("Kiểm tra trước khi lưu").wait_for()
    idle(page)
    text = main.inner_text()
    assert "1 chỉ tiêu, 7 nhiệm vụ" in text and "Kế hoạch ghi tỉnh Sóc Trăng" in text
    assert "1 đơn vị chưa có trong danh mục" in text
    cells = grid_text(page, 0, "ty_le_nam_vung")
    assert "ty_le_nam_vung 80 %" in cells and "80% công chức, viên chức được khảo sát" in cells, cells
    page.screenshot(path=str(tmp_path / "ke_hoach_upload_1920.png"))
    main.get_by_text("Xác nhận ghi chỉ tiêu").click()
    main.get_by_text("Chưa xác nhận đơn vị và tỉnh nhận chỉ tiêu").wait_for(state="detached")
    idle(page)
    main.get_by_role("button", name="Lưu kế hoạch").click()
    main.get_by_text("Đã lưu kế hoạch năm 2025 vào lô số").wait_for()
    assert "7 nhiệm vụ" in main.inner_text()


PROVINCE = PLANS / "qd_ke_hoach_tuyen_truyen_cchc_2025_ubnd_tinh_dak_lak.txt"
SXD_DAK_LAK = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_so_xay_dung_dak_lak.txt"
SHOTS = Path(__file__).resolve().parents[1] / "bench" / "out" / "screenshots"


@pytest.fixture
def real_plans_server(fresh_db):
    """Only real data: the shipped index results and two real plans of Đắk Lắk, saved from the command line."""
    for plan in (SXD_DAK_LAK, PROVINCE):
        done = subprocess.run([sys.executable, "-m", "loaders", "plan", str(plan), "--save", "--db", str(fresh_db)],
                              cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    proc, url = start_streamlit(fresh_db)
    yield url
    stop_streamlit(proc)


def test_plan_target_shows_on_chi_so_for_the_new_province(real_plans_server, browser_page, tmp_path):
    """The 2025 PAR target of the Sở Xây dựng's plan (issued July 2025) is the new Đắk Lắk's: it shows on Chỉ số
    with the plan it came from, and is not labelled sample data."""
    page = browser_page
    open_page_at(page, real_plans_server, "/chi_so?chi_so=PAR&tinh=dak_lak_2025")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("PAR Index: điểm và xếp hạng qua các năm").wait_for(timeout=60_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
    idle(page)
    # under the chart: the target's source, the plan with its number and date
    assert "Kế hoạch số …/KH-SXD tháng 7/2025 của Sở Xây dựng tỉnh Đắk Lắk — mục tiêu năm 2025" in main.inner_text()
    page.locator('[data-testid="stPlotlyChart"]').first.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chi_so_par_dak_lak_2025_1366.png"))
    main.get_by_text("Bảng số liệu (9 dòng)").click()
    cells = grid_text(page, 0, "88,5")
    assert "Đắk Lắk (từ 2025)   88.5" in cells and "Chưa đến kỳ công bố Kế hoạch số …/KH-SXD" in cells, cells
    assert "Dữ liệu mẫu" not in main.inner_text()
    page.screenshot(path=str(tmp_path / "chi_so_par_table_1366.png"))


def test_visitors_follow_the_plans_read_only(real_plans_server, browser_page, tmp_path):
    """Read access open: a visitor sees the tasks of the province's plan by unit, the timeline and the targets with
    the plan's number and date, on a laptop and on a phone; no sign-in, no import, no marking."""
    page = browser_page
    open_page_at(page, real_plans_server, "/ke_hoach?nam=2025&quy=3&kh_dv=so_tu_phap")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
    idle(page)
    main = page.locator('[data-testid="stMain"]')
    text = main.inner_text()
    assert "Bạn đang xem ở chế độ chỉ đọc" in text and "của Sở Tư pháp trong kế hoạch năm 2025" in text
    assert main.get_by_role("tab", name="Nhập kế hoạch").count() == 0 and "Ghi nhận" not in text
    svg = " ".join(page.locator('[data-testid="stPlotlyChart"] .main-svg text').all_text_contents())
    assert "Công khai đầy đủ các quy định" in svg  # a task of 'Các sở, ban, ngành': the Sở Tư pháp's own
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "ke_hoach_visitor_unit_1366.png"), full_page=True)
    main.get_by_role("tab", name="Chỉ tiêu của kế hoạch").click()
    main.get_by_text("Nguồn: các kế hoạch đã lưu").wait_for(timeout=60_000)
    idle(page)
    cells = grid_text(page, 0, "Quyết định số …/QĐ-UBND tháng 3/2025", visible_tab=True)
    assert "Quyết định số …/QĐ-UBND tháng 3/2025 — UBND tỉnh Đắk Lắk" in cells and "tất cả đơn vị" in cells, cells
    assert "Kế hoạch số …/KH-SXD tháng 7/2025 — Sở Xây dựng tỉnh Đắk Lắk" in cells
    page.screenshot(path=str(SHOTS / "ke_hoach_visitor_targets_1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    main.get_by_role("tab", name="Theo dõi nhiệm vụ").click()
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
    idle(page)
    page.screenshot(path=str(SHOTS / "ke_hoach_visitor_390.png"), full_page=True)
    page.screenshot(path=str(tmp_path / "ke_hoach_visitor_390.png"), full_page=True)
