"""The deck model: the slides a quarter gets, and numbers equal to the public views (computed here from the views
with the completion rules spelled out, independently of dashboard.queries)."""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from dashboard import deck as D
from dashboard import theme

Q = "2025-Q3"  # the demo fixture's last quarter: three units have not reported it


@pytest.fixture(scope="module")
def con(demo_db_file):
    c = duckdb.connect(str(demo_db_file), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def deck(con):
    return D.build_deck(con, Q, today=dt.date(2025, 10, 7))


def _unit_completion_from_views(con, year, quarter) -> pd.DataFrame:
    """Per unit: mean of actual/target capped at 100 % over indicators with a target > 0 and a reported value."""
    return con.execute("""
        SELECT unit_name, avg(least(actual / target, ?)) AS completion
        FROM v_activity WHERE year = ? AND quarter = ? AND target > 0 AND actual IS NOT NULL
        GROUP BY unit_name HAVING count(actual) > 0""", [theme.UNIT_CAP, year, quarter]).df()


def test_default_slides_and_order(deck):
    keys = deck.keys()
    assert keys[:4] == ["title", "overall", "units", "lagging"]
    assert [k for k in keys if k.startswith("index:")] == ["index:PAR", "index:SIPAS", "index:PAPI", "index:PCI",
                                                           "index:DTI"]
    assert deck.quarter.label == "Quý III/2025"
    assert deck.organisation == "UBND tỉnh Đắk Lắk"
    assert deck.sample and all(s.sample for s in deck.slides)


def test_title_slide(deck):
    title = deck.slides[0]
    assert title.title == D.TITLE and title.subtitle == "Quý III/2025"
    assert title.notes == ["Ngày 07/10/2025"]


def test_units_ranked_equal_the_views(con, deck):
    slide = next(s for s in deck.slides if s.key == "units")
    expected = _unit_completion_from_views(con, 2025, 3).set_index("unit_name")["completion"]
    got = dict(zip(slide.chart.categories, slide.chart.series[0].values))
    assert set(got) == set(expected.index)
    for name, value in got.items():
        assert value == pytest.approx(expected[name], abs=1e-9)
    values = slide.chart.series[0].values
    assert values == sorted(values, reverse=True)  # ranked, best first
    assert slide.chart.target == theme.THRESHOLD_DAT
    assert slide.chart.series[0].colors == [theme.STATUS_COLOR[theme.status_of(v)] for v in values]
    assert all("," in label and label.endswith("%") for label in slide.chart.series[0].labels)  # 88,5%


def test_overall_is_the_mean_over_units(con, deck):
    slide = next(s for s in deck.slides if s.key == "overall")
    per_unit = _unit_completion_from_views(con, 2025, 3)
    overall = per_unit["completion"].mean()
    from dashboard import fmt

    assert slide.facts[0][0] == fmt.percent(overall)
    n_units = len(per_unit)
    assert any(v == f"{n_units}/{n_units + 3}" for v, _ in slide.facts)
    groups = con.execute("SELECT DISTINCT grp FROM metric").df()["grp"]
    assert set(slide.chart.categories) == set(groups)


def test_lagging_and_not_reported(con, deck):
    slide = next(s for s in deck.slides if s.key == "lagging")
    per_unit = _unit_completion_from_views(con, 2025, 3)
    lag = per_unit[per_unit["completion"] < theme.THRESHOLD_GAN_DAT].sort_values("completion")
    assert slide.chart.categories == list(lag["unit_name"])
    reported = set(per_unit["unit_name"])
    with_target = set(con.execute(
        "SELECT DISTINCT unit_name FROM v_activity WHERE year = 2025 AND quarter = 3 AND target IS NOT NULL"
    ).df()["unit_name"])
    missing = sorted(with_target - reported)
    assert len(missing) == 3
    assert slide.facts[1] == ("3", "đơn vị chưa báo cáo")
    for name in missing:
        assert any(name in n for n in slide.notes)


def test_index_slide_equals_the_views(con, deck):
    slide = next(s for s in deck.slides if s.key == "index:PAR")
    rows = con.execute("""
        SELECT year, score FROM v_index_score
        WHERE index_code = 'PAR' AND component_code IS NULL AND entity_code IN ('dak_lak', 'dak_lak_2025')
          AND score IS NOT NULL AND year <= 2025 ORDER BY year""").fetchall()
    got = {int(c): v for c, v in zip(slide.chart.categories, slide.chart.series[0].values) if v is not None}
    assert got == {y: pytest.approx(s) for y, s in rows}
    # gaps stay gaps: every year in between is a category without a value
    assert [int(c) for c in slide.chart.categories] == list(range(rows[0][0], 2026))
    target = con.execute("""SELECT target FROM v_index_score WHERE index_code = 'PAR' AND year = 2025
                            AND component_code IS NULL AND entity_code = 'dak_lak_2025'""").fetchone()[0]
    assert slide.chart.series[1].values[-1] == pytest.approx(target)
    assert ("87,33", "kết quả năm 2023 (Đắk Lắk)") in slide.facts
    assert "Nguồn:" in slide.source and "khdt.daklak.gov.vn" in slide.source


def test_index_without_result_says_so(deck):
    slide = next(s for s in deck.slides if s.key == "index:SIPAS")
    assert slide.chart is None
    assert slide.empty_message == "Chưa có số liệu công bố."


def test_chosen_slides_in_chosen_order(con):
    deck = D.build_deck(con, Q, ["index:PAR", "title", "units"])
    assert deck.keys() == ["index:PAR", "title", "units"]


def test_unknown_slide_and_bad_quarter(con):
    with pytest.raises(D.DeckError, match="không có trang “nope”"):
        D.build_deck(con, Q, ["title", "nope"])
    with pytest.raises(D.DeckError):
        D.build_deck(con, "2025-Q7")


def test_quarter_without_reports(con):
    with pytest.raises(D.NoDataError, match="Quý IV/2025 chưa có đơn vị nào báo cáo"):
        D.build_deck(con, "2025-Q4")


def test_quarter_spellings(con):
    assert D.to_quarter("Quý III/2025") == D.to_quarter("2025-Q3") == D.to_quarter((2025, 3))
    assert D.parse_slide_keys(" title, units ,,index:PAR ") == ["title", "units", "index:PAR"]
    assert D.parse_slide_keys("") is None


def test_many_units_split_over_slides(con, monkeypatch):
    monkeypatch.setattr(D, "UNITS_PER_SLIDE", 5)
    deck = D.build_deck(con, Q, ["units"])
    assert len(deck.slides) == 3
    assert deck.slides[0].title.endswith("(1/3)")
    assert sum(len(s.chart.categories) for s in deck.slides) == 13


def test_real_data_is_not_marked(demo_db):
    with duckdb.connect(str(demo_db)) as c:
        c.execute("UPDATE batch SET is_sample = false")
        deck = D.build_deck(c, Q)
    assert not deck.sample and not any(s.sample for s in deck.slides)
    assert all("Dữ liệu mẫu: không phải" not in s.source for s in deck.slides)


def test_slide_figures_use_the_dashboard_builders(deck):
    units = next(s for s in deck.slides if s.key == "units")
    fig = D.slide_figure(units)
    bar = fig.data[0]
    assert list(bar.x) == pytest.approx(units.chart.series[0].values)
    big = D.slide_figure(units, projector=True)
    assert big.layout.font.size >= 20
    par = D.slide_figure(next(s for s in deck.slides if s.key == "index:PAR"))
    assert par is not None and len(par.data) >= 2
    assert D.slide_figure(deck.slides[0]) is None  # the title slide has no chart
