"""End to end in Chromium (issue 16): a sign-in survives a reload and a new tab; a link to a page that needs
signing in opens that page, with its query parameters, after the sign-in; a sign-out in one tab signs the other out
on its next action; an idle session ends; no English word of Streamlit's reaches a user, signed out or in any
role; the pages hold at 390×844, 768×1024 and 1366×768. The browser speaks English (en-US) on purpose: the
product is Vietnamese whatever the browser's language. Screenshots go to the test's tmp directory."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from loaders.accounts.users import create_user
from loaders.store.schema import connect
from core.text import fold
from tests.conftest import require_tool, sign_in, start_streamlit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

IDLE = "!document.querySelector('[data-testid=\"stStatusWidget\"]')"
PAGES = ["", "hoat_dong", "chi_so", "don_vi", "tai_len", "lich_su", "chi_tieu", "ke_hoach", "chua_bao_cao",
         "danh_muc", "trinh_chieu"]
RESTRICTED = ["tai_len", "lich_su", "chi_tieu", "ke_hoach", "chua_bao_cao", "danh_muc"]
ENGLISH = ["Upload", "Browse files", "per file", "Page not found", "Running", "Error"]
VIEWPORTS = [(390, 844), (768, 1024), (1366, 768)]
IDLE_HOURS = 0.006  # 21.6 s: the expired-session test waits it out
ACCOUNTS = {"qt": "quan_tri", "ld": "lanh_dao", "cb": "can_bo"}


def _serve(source, tmp_path_factory, name, **env):
    """A server of this module's own on a copy of the demo database with the three roles' accounts (sessions are
    written: the shared app_server's database must not change)."""
    db = tmp_path_factory.mktemp("everyday") / f"{name}.duckdb"
    shutil.copy(source, db)
    with connect(db) as con:  # before the server holds the file
        for user, role in ACCOUNTS.items():
            create_user(con, user, "matkhau-1", role, unit_code="so_tu_phap" if role == "can_bo" else None)
    return start_streamlit(db, extra_env=env)


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def open_server(demo_db_file, tmp_path_factory):
    """Read access open (the demo's setting)."""
    proc, url = _serve(demo_db_file, tmp_path_factory, "open")
    yield url
    _stop(proc)


@pytest.fixture(scope="module")
def closed_server(demo_db_file, tmp_path_factory):
    """CCHC_OPEN_READ=0, and sessions that end after IDLE_HOURS unused."""
    proc, url = _serve(demo_db_file, tmp_path_factory, "closed", CCHC_OPEN_READ="0", CCHC_SESSION_IDLE_HOURS=str(IDLE_HOURS))
    yield url
    _stop(proc)


@pytest.fixture
def browser(_browser):
    """new_context(width, height) -> a Chromium context that speaks English; all closed at the end."""
    contexts = []

    def new_context(width=1366, height=768):
        context = _browser.new_context(viewport={"width": width, "height": height}, locale="en-US",
                                       is_mobile=width < 700, has_touch=width < 1000)
        context.set_default_timeout(60_000)
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()


def settle(page, ready: str = "h1"):
    """Wait until the page has drawn (``ready`` is there: every page has a title) and its run is over (Streamlit's
    running indicator is gone)."""
    page.wait_for_selector(ready, timeout=90_000)
    page.wait_for_timeout(600)
    page.wait_for_function(IDLE, timeout=90_000)


def gate_sign_in(page, username="qt"):
    """Sign in through the form a page shows in place of itself."""
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("matkhau-1")
    page.get_by_role("button", name="Đăng nhập").click()


def nav(page, title: str):
    """The sidebar's link to a page."""
    return page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=title, exact=True)


def signed_in(page) -> bool:
    return page.get_by_role("button", name="Đăng xuất").count() == 1


def session_cookie(context):
    return next((c for c in context.cookies() if c["name"] == "cchc_phien"), None)


# --- 1. sessions that last --------------------------------------------------------------------------------------
def test_a_sign_in_survives_a_reload_a_bookmark_and_a_new_tab(open_server, browser):
    context = browser()
    page = context.new_page()
    sign_in(page, open_server)
    for _ in range(40):  # the page posts its grant once after the sign-in; the answer sets the cookie
        if session_cookie(context):
            break
        page.wait_for_timeout(250)
    cookie = session_cookie(context)
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["expires"] > 0
    assert "cchc_phien" not in page.evaluate("document.cookie")  # out of reach of the page's scripts
    assert "cchc_phien" not in page.url and cookie["value"] not in page.content()

    page.reload()
    settle(page)
    assert signed_in(page), "a reload signed the user out"
    bookmark = context.new_page()  # a bookmark or a link opened in a new tab
    bookmark.goto(f"{open_server}/lich_su")
    settle(bookmark)
    assert bookmark.get_by_text("Lịch sử tải lên").count() >= 1 and signed_in(bookmark)


def test_a_restricted_link_opens_after_the_sign_in_with_its_query_parameters(closed_server, browser, tmp_path):
    page = browser(390, 844).new_page()
    link = f"{closed_server}/hoat_dong?nam=2025&quy=2&chi_tieu=tin_bai"
    page.goto(link)
    page.get_by_label("Tên đăng nhập").wait_for()
    settle(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Trang này cần đăng nhập" in main and "Page not found" not in page.locator("body").inner_text()
    page.screenshot(path=str(tmp_path / "gate_390.png"), full_page=True)
    gate_sign_in(page, "ld")
    page.get_by_text("Tin, bài về CCHC trên Cổng/Trang thông tin điện tử — Quý II/2025").wait_for()
    assert "quy=2" in page.url and "chi_tieu=tin_bai" in page.url and "/hoat_dong" in page.url
    page.screenshot(path=str(tmp_path / "landed_390.png"), full_page=True)


def test_a_page_the_role_may_not_see_says_so_in_vietnamese(open_server, browser):
    page = browser().new_page()
    page.goto(f"{open_server}/danh_muc")
    page.get_by_label("Tên đăng nhập").wait_for()
    gate_sign_in(page, "cb")
    page.get_by_text("không xem được trang Danh mục").wait_for()
    assert page.get_by_text("dành cho: Lãnh đạo, Quản trị").count() == 1
    assert page.locator('[data-testid="stDataFrame"]').count() == 0


def test_signing_out_in_one_tab_signs_the_other_out_on_its_next_action(open_server, browser):
    context = browser()
    first, second = context.new_page(), context.new_page()
    sign_in(first, open_server)
    second.goto(f"{open_server}/lich_su")
    settle(second)
    assert signed_in(second)
    first.get_by_role("button", name="Đăng xuất").click()
    first.get_by_text("Đăng nhập (cán bộ, quản trị)").wait_for()
    for _ in range(40):
        if not session_cookie(context):
            break
        first.wait_for_timeout(250)
    assert session_cookie(context) is None  # dropped by the server
    nav(second, "Tổng quan").click()  # the other tab's next action
    second.get_by_text("Phiên đăng nhập đã kết thúc").wait_for()
    settle(second)
    assert not signed_in(second)
    assert nav(second, "Lịch sử").count() == 0


def test_an_idle_session_ends(closed_server, browser):
    page = browser().new_page()
    page.goto(closed_server)
    page.get_by_label("Tên đăng nhập").wait_for()
    gate_sign_in(page, "qt")
    page.get_by_role("button", name="Đăng xuất").wait_for()
    settle(page)
    page.wait_for_timeout(int(IDLE_HOURS * 3600 * 1000) + 4000)
    nav(page, "Chỉ số").click()
    page.get_by_text("Phiên đăng nhập đã kết thúc").wait_for()
    page.get_by_label("Tên đăng nhập").wait_for()  # the form draws a moment after the notice on a busy machine
    settle(page)
    assert page.get_by_label("Tên đăng nhập").count() == 1 and not signed_in(page)
    page.reload()  # the cookie names an ended session: still signed out
    page.get_by_label("Tên đăng nhập").wait_for()
    settle(page)
    assert not signed_in(page)


# --- 4. Vietnamese everywhere -----------------------------------------------------------------------------------
SCAN = """() => { const parts = [document.body.innerText];
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]'))
    for (const a of ['aria-label', 'title', 'placeholder']) parts.push(el.getAttribute(a) || '');
  return parts.join('\\n'); }"""


def english_words(page) -> set[str]:
    text = page.evaluate(SCAN)
    return {w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", text)}


def walk(page, url, paths) -> dict:
    """{path: English words seen}, looking while each page runs (the running indicator) and when it is done."""
    found = {}
    for path in paths:
        page.goto(f"{url}/{path}")
        page.wait_for_selector('[data-testid="stApp"]')
        seen = set()
        for _ in range(600):
            seen |= english_words(page)
            if page.evaluate(IDLE):
                page.wait_for_timeout(700)
                if page.evaluate(IDLE):
                    break
            page.wait_for_timeout(100)
        seen |= english_words(page)
        assert page.evaluate("document.documentElement.lang") == "vi", path
        if seen:
            found[path or "/"] = sorted(seen)
    return found


def test_no_english_word_signed_out(open_server, browser):
    page = browser().new_page()
    found = walk(page, open_server, PAGES + ["khong_co_trang_nay"])
    assert not found, found
    page.goto(f"{open_server}/khong_co_trang_nay")
    page.get_by_text("Không tìm thấy trang").wait_for()


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_no_english_word_in_any_role(open_server, browser, username):
    page = browser().new_page()
    page.goto(f"{open_server}/lich_su")
    page.get_by_label("Tên đăng nhập").wait_for()
    gate_sign_in(page, username)
    page.get_by_role("button", name="Đăng xuất").wait_for()
    found = walk(page, open_server, PAGES)
    assert not found, found


def test_the_uploader_speaks_vietnamese_and_refuses_a_big_file_before_sending_it(open_server, browser, tmp_path):
    page = browser().new_page()
    page.goto(f"{open_server}/tai_len")
    page.get_by_label("Tên đăng nhập").wait_for()
    gate_sign_in(page, "qt")
    page.get_by_text("3. Chọn tệp").wait_for()
    settle(page)
    uploader = page.locator('[data-testid="stFileUploader"]')
    text = uploader.inner_text()
    assert "Chọn tệp" in text and "Kéo thả tệp vào đây" in text and "tối đa 20 MB mỗi tệp" in text, text
    big = tmp_path / "bao_cao_qua_lon.xlsx"
    big.write_bytes(b"0" * (21 * 1024 * 1024))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))
    uploader.get_by_text("Tệp quá lớn: tối đa 20 MB mỗi tệp").wait_for()
    assert not english_words(page) and page.get_by_role("button", name="Ghi vào hệ thống").count() == 0
    uploader.screenshot(path=str(tmp_path / "uploader.png"))
    nav(page, "Kế hoạch").click()
    page.locator('[data-testid="stMain"]').get_by_role("tab", name="Nhập kế hoạch").click()
    page.get_by_text("Nguồn kế hoạch").wait_for()
    settle(page)
    plan = page.locator('[data-testid="stFileUploader"]').inner_text()
    assert "Chọn tệp" in plan and "Kéo thả tệp vào đây" in plan and "tối đa 20 MB mỗi tệp" in plan, plan


def test_numbers_in_the_target_grid_are_written_the_vietnamese_way(open_server, _browser, tmp_path):
    """Chỉ tiêu's grid draws its numbers on a canvas with Streamlit's "localized" format (the browser's
    Intl.NumberFormat for navigator.languages): the page shell makes that Vietnamese even in an English browser.
    The grid is read back with OCR: a target of 1000 reads 1.000, never 1,000."""
    tesseract = require_tool("tesseract")
    context = _browser.new_context(viewport={"width": 1366, "height": 1300}, locale="en-US", device_scale_factor=2)
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{open_server}/chi_tieu")
        page.get_by_label("Tên đăng nhập").wait_for()
        gate_sign_in(page, "qt")
        page.get_by_label("Năm").wait_for()
        settle(page)
        assert page.evaluate("new Intl.NumberFormat(navigator.languages).format(1000)") == "1.000"
        assert page.evaluate("new Intl.NumberFormat(navigator.languages).format(88.5)") == "88,5"
        page.get_by_label("Năm").click()
        page.get_by_role("option", name="2025", exact=True).click()
        settle(page)  # the rerun over: its old widgets are gone
        page.get_by_label("Đơn vị").click()
        page.get_by_role("option", name="Ban Quản lý các khu công nghiệp").click()
        page.get_by_text("Tờ gấp, tờ rơi phát hành").first.wait_for(state="attached")
        settle(page)
        page.wait_for_timeout(1500)
        shot = tmp_path / "chi_tieu_grid.png"
        page.locator('[data-testid="stDataFrame"]').first.screenshot(path=str(shot))
        text = subprocess.run([tesseract, str(shot), "-", "--psm", "6"], capture_output=True, text=True).stdout
        row = next((line for line in text.splitlines() if "phat hanh" in fold(line) and "000" in line), "")
        assert "1.000" in row and "1,000" not in text, text
    finally:
        context.close()


# --- 3. phones, tablets, screens --------------------------------------------------------------------------------
def no_page_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def first_chart(page):
    return page.locator('[data-testid="stPlotlyChart"]').first


@pytest.mark.parametrize("width, height", VIEWPORTS)
def test_the_leadership_pages_hold_at_every_size(open_server, browser, tmp_path, width, height):
    page = browser(width, height).new_page()
    page.goto(f"{open_server}/?nam=2025&quy=3")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
    settle(page)
    phone = width < 700
    assert no_page_overflow(page)
    assert page.locator(".modebar").count() == 0  # no mode bar on any chart
    chart = first_chart(page)
    names = chart.locator(".annotation-text").all_text_contents()
    ticks = chart.locator(".ytick text").all_text_contents()
    if phone:  # the names stand above their bars, the legend under the plot
        assert "Sở Tư pháp" in names and not ticks
        plot = chart.locator(".nsewdrag").first.bounding_box()
        legend = chart.locator(".legend").first.bounding_box()
        assert legend["y"] >= plot["y"] + plot["height"]
    else:
        assert any("Sở Tư pháp" in t for t in ticks)
    cards = page.locator('[data-testid="stMetric"]')
    lefts = {round(cards.nth(i).bounding_box()["x"]) for i in range(min(cards.count(), 3))}
    assert len(lefts) == (1 if phone else 3)  # the cards stack on a phone, stand in a row elsewhere
    page.screenshot(path=str(tmp_path / f"tong_quan_{width}.png"), full_page=True)

    page.goto(f"{open_server}/hoat_dong?nam=2025&quy=3")
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= 4",
                           timeout=90_000)
    settle(page)
    assert no_page_overflow(page)
    page.get_by_text("Bảng số liệu").first.click()  # a wide table scrolls inside its frame
    page.wait_for_selector('[data-testid="stDataFrame"]')
    settle(page)
    frame = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    main = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
    assert frame["x"] >= main["x"] - 1 and frame["x"] + frame["width"] <= main["x"] + main["width"] + 1
    assert no_page_overflow(page)
    page.screenshot(path=str(tmp_path / f"hoat_dong_{width}.png"), full_page=True)


@pytest.mark.parametrize("width, height", VIEWPORTS)
def test_the_giao_ban_deck_reads_at_every_size(open_server, browser, tmp_path, width, height):
    page = browser(width, height).new_page()
    page.goto(f"{open_server}/trinh_chieu?ky=2025-Q3&slide=3")
    settle(page, '[data-testid="stPlotlyChart"] .main-svg')
    assert no_page_overflow(page)
    chart = first_chart(page).bounding_box()
    assert chart["width"] <= width and chart["height"] >= 300
    text = " ".join(first_chart(page).locator(".annotation-text, .ytick text").all_text_contents())
    assert "Sở Tư pháp" in text
    if width < 1024:  # portrait: the phone's chart, its names above the bars
        assert first_chart(page).locator(".ytick text").count() == 0
    if width < 700:  # a phone: the facts under the chart
        facts = page.locator(".tc-fact").first.bounding_box()
        assert facts["y"] > chart["y"] + chart["height"] - 1
    page.screenshot(path=str(tmp_path / f"deck_{width}.png"), full_page=True)
