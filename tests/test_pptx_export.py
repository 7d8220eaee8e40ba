"""The .pptx: opened with python-pptx, it has the deck's slides, native charts with the views' numbers,
Vietnamese text, titles, source lines, slide numbers and the sample mark."""
from __future__ import annotations

import datetime as dt
import io

import duckdb
import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches

from dashboard import deck as D
from dashboard import theme
from dashboard.pptx_export import deck_to_pptx

Q = "2025-Q3"


@pytest.fixture(scope="module")
def built(demo_db_file):
    with duckdb.connect(str(demo_db_file), read_only=True) as con:
        deck = D.build_deck(con, Q, today=dt.date(2025, 10, 7))
        views = con.execute("""
            SELECT unit_name, avg(least(actual / target, 1.0)) AS completion
            FROM v_activity WHERE year = 2025 AND quarter = 3 AND target > 0 AND actual IS NOT NULL
            GROUP BY unit_name""").df().set_index("unit_name")["completion"]
    data = deck_to_pptx(deck)
    return deck, Presentation(io.BytesIO(data)), views, data


def _texts(slide) -> list[str]:
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]


def _shape(slide, name):
    return next((sh for sh in slide.shapes if sh.name == name), None)


def test_sixteen_by_nine_one_slide_each(built):
    deck, prs, _, _ = built
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)
    assert len(prs.slides) == len(deck.slides)
    assert prs.core_properties.title == "Giao ban CCHC Quý III/2025"


def test_titles_numbers_sources_and_sample_mark(built):
    deck, prs, _, _ = built
    n = len(deck.slides)
    for i, (spec, slide) in enumerate(zip(deck.slides, prs.slides), start=1):
        texts = _texts(slide)
        assert spec.title in texts
        assert _shape(slide, "slide_number").text_frame.text == f"{i}/{n}"
        assert _shape(slide, "source").text_frame.text.startswith(spec.source[:40])
        assert _shape(slide, "sample_mark").text_frame.text == "DỮ LIỆU MẪU"
    cover = _texts(prs.slides[0])
    assert "UBND TỈNH ĐẮK LẮK" in cover and "Quý III/2025" in cover and "Ngày 07/10/2025" in cover


def test_chart_types(built):
    deck, prs, _, _ = built
    expected = {"overall": XL_CHART_TYPE.BAR_CLUSTERED, "units": XL_CHART_TYPE.BAR_CLUSTERED,
                "lagging": XL_CHART_TYPE.BAR_CLUSTERED, "index:PAR": XL_CHART_TYPE.LINE_MARKERS,
                "index:PAPI": XL_CHART_TYPE.LINE_MARKERS, "index:PCI": XL_CHART_TYPE.LINE_MARKERS}
    for spec, slide in zip(deck.slides, prs.slides):
        charts = [sh for sh in slide.shapes if sh.has_chart]
        if spec.key in expected:
            assert len(charts) == 1, spec.key
            assert charts[0].chart.chart_type == expected[spec.key], spec.key
        if spec.key in ("title", "index:SIPAS", "index:DTI"):  # no published score to draw
            assert not charts


def test_units_chart_numbers_equal_the_views(built):
    deck, prs, views, _ = built
    i = deck.keys().index("units")
    chart = _shape(prs.slides[i], "chart").chart
    plot = chart.plots[0]
    cats = list(plot.categories)
    vals = list(plot.series[0].values)
    assert set(cats) == set(views.index)
    for c, v in zip(cats, vals):
        assert v == pytest.approx(views[c], abs=1e-9)
    # Vietnamese labels on every bar, the target line at 100 %
    labels = [pt.data_label.text_frame.text for pt in plot.series[0].points]
    from dashboard import fmt

    assert labels == [fmt.percent(v) for v in vals]
    assert _shape(prs.slides[i], "target_line") is not None
    assert "Mức đạt 100%" in _texts(prs.slides[i])
    # status colours per bar
    fills = [str(pt.format.fill.fore_color.rgb) for pt in plot.series[0].points]
    assert fills == [theme.STATUS_COLOR[theme.status_of(v)].lstrip("#").upper() for v in vals]


def test_chart_data_is_editable(built):
    """The numbers live in the workbook embedded in the chart (PowerPoint: Edit Data)."""
    deck, prs, views, _ = built
    i = deck.keys().index("units")
    chart = _shape(prs.slides[i], "chart").chart
    wb = load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
    ws = wb.active
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    assert set(rows) == set(views.index)
    for name, v in rows.items():
        assert v == pytest.approx(views[name], abs=1e-9)


def test_index_chart_has_score_and_target_series(built):
    deck, prs, _, _ = built
    i = deck.keys().index("index:PAPI")
    plot = _shape(prs.slides[i], "chart").chart.plots[0]
    names = [s.name for s in plot.series]
    assert names == ["Kết quả", "Mục tiêu"]
    cats = list(plot.categories)
    scores = dict(zip(cats, plot.series[0].values))
    assert scores["2024"] == pytest.approx(43.0102)
    assert scores["2025"] is None  # not published yet: a gap, never filled
    texts = " ".join(_texts(prs.slides[i]))
    assert "43,01" in texts and "44,00" in texts


def test_without_sample_data_no_mark(demo_db):
    with duckdb.connect(str(demo_db)) as con:
        con.execute("UPDATE batch SET is_sample = false")
        deck = D.build_deck(con, Q, ["title", "units"])
    prs = Presentation(io.BytesIO(deck_to_pptx(deck)))
    for slide in prs.slides:
        assert _shape(slide, "sample_mark") is None
        assert not any("DỮ LIỆU MẪU" in t for t in _texts(slide))


def test_export_needs_only_the_deck(built, monkeypatch):
    """The .pptx is written from the built deck by python-pptx alone: no figure rendered to an image (browser),
    no other program (office suite), no database; every chart stays a native chart, no picture."""
    import subprocess

    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from dashboard import images

    def refuse(*args, **kwargs):
        raise AssertionError("deck_to_pptx rendered an image, started a program or opened a database")

    monkeypatch.setattr(images, "figure_to_image", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(duckdb, "connect", refuse)
    deck, first, _, _ = built
    prs = Presentation(io.BytesIO(deck_to_pptx(deck)))
    assert len(prs.slides) == len(deck.slides)
    assert not [sh.name for slide in prs.slides for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    charts = [[sh.chart.chart_type for sh in slide.shapes if sh.has_chart] for slide in prs.slides]
    assert charts == [[sh.chart.chart_type for sh in slide.shapes if sh.has_chart] for slide in first.slides]
    assert any(charts)
