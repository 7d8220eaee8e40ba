"""End to end in headless Chromium: `streamlit run app.py` on the demo database. Every leadership page draws its
charts, shows the sample label and no error; a copied URL opens the same view; numbers are Vietnamese."""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHART = '[data-testid="stPlotlyChart"] .main-svg'
PAGES = [  # (url path, title, charts drawn at least)
    ("", "Tổng quan", 1),
    ("hoat_dong", "Hoạt động", 4),
    ("chi_so", "Chỉ số", 3),
    ("don_vi", "Đơn vị", 2),
]


def open_page(page, url, min_charts=1):
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_selector(CHART, timeout=60_000)
    page.wait_for_function(f"document.querySelectorAll('{CHART}').length >= {min_charts}", timeout=60_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


@pytest.mark.parametrize("path, title, min_charts", PAGES)
def test_page_draws_its_charts(app_server, browser_page, path, title, min_charts):
    page = browser_page
    open_page(page, f"{app_server}/{path}", min_charts)
    assert page.locator("h1").first.inner_text().strip() == title
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Dữ liệu mẫu" in main
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in main
    assert page.locator(CHART).count() >= min_charts


def test_copied_link_opens_the_same_view(app_server, browser_page):
    page = browser_page
    open_page(page, f"{app_server}/hoat_dong?nam=2025&quy=2&chi_tieu=tin_bai", 4)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Tin, bài về CCHC trên Cổng/Trang thông tin điện tử — Quý II/2025" in main
    assert "quy=2" in page.url and "chi_tieu=tin_bai" in page.url


def test_chart_text_is_vietnamese(app_server, browser_page):
    page = browser_page
    open_page(page, f"{app_server}/?nam=2025&quy=3", 1)
    svg = page.locator('[data-testid="stPlotlyChart"]').first.inner_html()
    assert "Tỷ lệ hoàn thành chỉ tiêu" in svg
    assert "Chỉ tiêu (100%)" in svg
    first = page.locator('[data-testid="stPlotlyChart"]').first
    labels = first.locator(".xtick text").all_text_contents()
    assert "100%" in labels
    bars = first.locator(".bartext").all_text_contents()
    assert bars and all("," in b for b in bars if b.strip() and b.strip() != "0%")  # decimal comma: 94,4%


def test_clicking_a_unit_bar_drills_into_that_unit(app_server, browser_page):
    page = browser_page
    open_page(page, f"{app_server}/hoat_dong?nam=2025&quy=3", 4)
    chart = page.locator(".st-key-hd_units_chart")
    bar = chart.locator("g.point path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("location.search.includes('don_vi=') && !location.search.includes('don_vi=&')",
                           timeout=60_000)
    page.wait_for_selector("text=Mở trang Đơn vị", timeout=60_000)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "hoàn thành" in main and "hạng 1/" in main  # the first bar is the best unit
