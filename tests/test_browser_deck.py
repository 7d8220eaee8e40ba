"""End to end in Debian's chromium: the Trình chiếu page of a running app opens at the slide of its URL, fits a
1366×768 screen without the sidebar, moves with the keyboard, and gives a .pptx and a PNG."""
from __future__ import annotations

import io
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _open(page, url):
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_selector(".tc-foot", timeout=60_000)


def _number(page) -> str:
    return page.locator('[data-testid="tc-slide-number"]').inner_text()


def _wait_number(page, text: str):
    """The slide number shows, and the script run that drew it has finished (keys go to the new buttons)."""
    page.wait_for_function(
        "t => { const e = document.querySelector('[data-testid=\"tc-slide-number\"]'); return e && e.innerText === t }",
        arg=text, timeout=30_000)
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
        " return !a || a.getAttribute('data-test-script-state') !== 'running' }", timeout=30_000)


def test_deck_page_keyboard_and_downloads(app_server, browser_page, tmp_path):
    page = browser_page
    _open(page, f"{app_server}/trinh_chieu?ky=2025-Q3&slide=3")
    assert _number(page) == "3/9"
    assert "Xếp hạng đơn vị theo tỷ lệ hoàn thành" in page.locator(".tc-title").inner_text()
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
    assert not page.locator('[data-testid="stSidebar"]').is_visible()  # projector mode
    # the slide and its controls fit the screen: no scrolling to reach "Sau"
    nxt = page.get_by_role("button", name=re.compile("Sau"))
    box = nxt.bounding_box()
    assert box and box["y"] + box["height"] <= 768
    page.screenshot(path=str(tmp_path / "slide3_1366.png"))

    page.locator(".tc-title").click()  # focus the page, not an input
    page.keyboard.press("ArrowRight")
    _wait_number(page, "4/9")
    assert "slide=4" in page.url
    page.keyboard.press("PageDown")  # a presenter's clicker
    _wait_number(page, "5/9")
    page.keyboard.press("ArrowLeft")
    _wait_number(page, "4/9")
    page.keyboard.press("Home")
    _wait_number(page, "1/9")
    assert "GIAO BAN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH" in page.inner_text("body")

    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name=re.compile(r"\.pptx")).click()
    pptx = tmp_path / dl.value.suggested_filename
    dl.value.save_as(pptx)
    assert pptx.name == "giao_ban_cchc_2025-Q3.pptx"
    from pptx import Presentation

    assert len(Presentation(str(pptx)).slides) == 9

    page.keyboard.press("End")
    _wait_number(page, "9/9")
    page.keyboard.press("ArrowLeft")
    _wait_number(page, "8/9")  # PCI: a chart, so a PNG button
    with page.expect_download(timeout=90_000) as dl:
        page.get_by_role("button", name=re.compile("PNG")).click()
    data = dl.value.path().read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    assert Image.open(io.BytesIO(data)).size == (1920, 1080)


def test_deck_page_large_screen_and_menu(app_server, _browser, tmp_path):
    context = _browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _open(page, f"{app_server}/trinh_chieu?ky=2025-Q3&slide=2&slides=title,overall,index:PAR")
        assert _number(page) == "2/3"
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
        chart = page.locator('[data-testid="stPlotlyChart"]').bounding_box()
        assert chart["height"] > 600  # the chart grows with the screen
        page.screenshot(path=str(tmp_path / "slide2_1920.png"))
        page.get_by_role("button", name=re.compile("Menu")).click()
        page.wait_for_selector('[data-testid="stSidebar"]', state="visible", timeout=30_000)
        assert "menu=1" in page.url
    finally:
        context.close()
