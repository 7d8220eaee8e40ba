"""The Trình chiếu page in Streamlit's AppTest: the URL chooses quarter, slide and slides; buttons move on."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "trinh_chieu.py")


@pytest.fixture(scope="module")
def app(demo_db_file, tmp_path_factory):
    """One private copy of the demo database for the module (the page only reads): caches are reused."""
    import os
    import shutil

    import streamlit as st

    db = tmp_path_factory.mktemp("page") / "demo.duckdb"
    shutil.copy(demo_db_file, db)
    old = os.environ.get("CCHC_DB")
    os.environ["CCHC_DB"] = str(db)

    def make(**params):
        at = AppTest.from_file(PAGE, default_timeout=60)
        for k, v in params.items():
            at.query_params[k] = v
        return at.run()

    yield make
    st.cache_data.clear()
    st.cache_resource.clear()
    if old is None:
        os.environ.pop("CCHC_DB", None)
    else:
        os.environ["CCHC_DB"] = old


def _html(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _button(at, key):
    return next(b for b in at.button if b.key == key)


def test_opens_at_the_slide_of_the_url(app):
    at = app(ky="2025-Q3", slide="3")
    assert not at.exception
    html = _html(at)
    assert "Xếp hạng đơn vị theo tỷ lệ hoàn thành" in html
    assert "3/9" in html and "DỮ LIỆU MẪU" in html
    assert len(at.get("plotly_chart")) == 1
    assert at.query_params["slide"] == "3" and at.query_params["ky"] == "2025-Q3"


def test_next_previous_first_last(app):
    at = app(ky="2025-Q3", slide="1")
    assert "GIAO BAN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH" in _html(at)
    assert _button(at, "tc_prev").disabled
    _button(at, "tc_next").click()
    at.run()
    assert at.query_params["slide"] == "2"
    assert "Kết quả thực hiện chỉ tiêu CCHC Quý III/2025" in _html(at)
    _button(at, "tc_last").click()
    at.run()
    assert at.query_params["slide"] == "9" and "9/9" in _html(at)
    assert _button(at, "tc_next").disabled
    _button(at, "tc_prev").click()
    at.run()
    assert at.query_params["slide"] == "8"
    _button(at, "tc_first").click()
    at.run()
    assert at.query_params["slide"] == "1"


def test_chosen_slides_in_order(app):
    at = app(ky="2025-Q3", slides="index:PAR,units", slide="1")
    html = _html(at)
    assert "Chỉ số cải cách hành chính (PAR Index)" in html and "1/2" in html
    _button(at, "tc_next").click()
    at.run()
    assert "Xếp hạng đơn vị" in _html(at) and "2/2" in _html(at)


def test_slide_number_out_of_range_is_clamped(app):
    at = app(ky="2025-Q3", slide="99")
    assert "9/9" in _html(at) and at.query_params["slide"] == "9"
    at = app(ky="2025-Q3", slide="abc")
    assert "1/9" in _html(at)


def test_quarter_without_reports_says_so(app):
    at = app(ky="2025-Q4")
    assert not at.exception
    assert any("Quý IV/2025 chưa có đơn vị nào báo cáo" in w.value for w in at.warning)


def test_unknown_slide_key_falls_back_to_all(app):
    at = app(ky="2025-Q3", slides="title,khong_co")
    assert any("không có trang “khong_co”" in w.value for w in at.warning)
    assert "1/9" in _html(at)


def test_default_quarter_is_the_latest_reported(app):
    at = app()
    assert at.query_params["ky"] == "2025-Q3"


def test_presentation_mode_hides_the_sidebar_and_menu_shows_it(app):
    at = app(ky="2025-Q3")
    assert 'data-testid="stSidebar"' in _html(at)  # the CSS that hides it
    _button(at, "tc_menu").click()
    at.run()
    assert at.query_params["menu"] == "1"
    assert 'data-testid="stSidebar"' not in _html(at)


def test_options_change_quarter_and_slides(app):
    at = app(ky="2025-Q3", slide="4")
    at.selectbox(key="tc_ky").set_value("2025-Q2").run()
    assert at.query_params["ky"] == "2025-Q2" and at.query_params["slide"] == "1"
    assert "Quý II/2025" in _html(at)
    at.multiselect(key="tc_slides").set_value(["units", "title"]).run()
    assert at.query_params["slides"] == "units,title"
    html = _html(at)
    assert "Xếp hạng đơn vị" in html and "1/2" in html
    _button(at, "tc_next").click()
    at.run()
    assert "GIAO BAN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH" in _html(at)
