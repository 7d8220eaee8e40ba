"""One figure builder per chart, two layouts: theme.WIDE (a computer or tablet) and theme.NARROW (a phone). On a
phone the names of horizontal bars stand above their bars (shortened, the full name in the hover), legends sit
under the plot, titles wrap; the mode bar is hidden everywhere."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import figures, plan_figures, queries as Q, theme, ui
from loaders.store.schema import connect

LONG = "Lượt tham gia chương trình “Dân hỏi – Thủ trưởng cơ quan hành chính trả lời” của các xã, phường trong tỉnh"


@pytest.fixture(scope="module")
def data(demo_db_file):
    with connect(demo_db_file, read_only=True) as con:
        return {"units": Q.unit_completion(con, 2025, 3), "indicators": Q.indicator_summary(con, 2025, 3),
                "metric": Q.metric_by_unit(con, 2025, 3, "tin_bai"),
                "heat": Q.heatmap_quarters(con, 2025, 3), "ytd": Q.ytd(con, 2025)}


def bar_charts(data, layout):
    """(figure, the names its bars stand for) of every horizontal bar builder."""
    units, metric = data["units"], data["metric"]
    comps = pd.DataFrame({"component_name": ["Công tác chỉ đạo, điều hành", LONG], "score": [8.5, 6.2],
                          "national": [8.1, None], "best": [9.4, 7.7], "best_name": ["Quảng Ninh", "Hải Phòng"]})
    scores = pd.DataFrame({"entity_name": ["huyện Krông Năng", "TP. Buôn Ma Thuột"], "score": [92.16, 95.86],
                           "rank": [2, 1]})
    tasks = pd.DataFrame({"no": [1, 2], "content": ["Đăng tin bài về CCHC trên Cổng TTĐT", LONG],
                          "status": ["done", "late"], "bar_start": ["2025-01-01", "2025-04-01"],
                          "bar_end": ["2025-03-31", "2025-06-30"], "lead_name": ["Sở Nội vụ", "Sở Tư pháp"],
                          "when": ["Quý I", "Quý II"], "deadline": [pd.Timestamp("2025-03-31"), pd.NaT],
                          "days_late": [None, 12]})
    return [
        (figures.completion_bars(units, layout=layout), list(units["unit_name"])),
        (figures.actual_target_bars(metric, layout=layout), list(metric["unit_name"])),
        (figures.indicator_bullets(data["indicators"], layout=layout), list(data["indicators"]["metric_name"])),
        (figures.components_bars(comps, "Đắk Lắk", layout=layout), list(comps["component_name"])),
        (figures.score_bars(scores, layout=layout), list(scores["entity_name"])),
        (plan_figures.task_timeline(tasks, 2025, 2, dt.date(2025, 5, 1), layout=layout),
         [f"{n}. {c}" for n, c in zip(tasks["no"], tasks["content"])]),
    ]


def names_above_bars(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.yref == "y" and a.xref == "paper"]


def test_on_a_wide_screen_names_are_the_axis_labels(data):
    for fig, names in bar_charts(data, theme.WIDE):
        assert fig.layout.yaxis.showticklabels is not False
        assert not names_above_bars(fig)
        assert fig.layout.legend.yref != "container"


def test_on_a_phone_every_name_stands_above_its_bar(data):
    for fig, names in bar_charts(data, theme.NARROW):
        assert fig.layout.yaxis.showticklabels is False
        texts = names_above_bars(fig)
        assert len(texts) == len(names)
        for text, name in zip(texts, names):
            first = text.split('<span')[0].replace("<br>", " ").strip()
            assert name.startswith(first.removesuffix("…").strip()), (first, name)
            assert first.count("<br>") <= 1
        # each row holds a line or two of name and a bar: nothing overlaps (fixed px per row)
        assert fig.layout.height >= 44 * len(names)
        assert fig.layout.margin.l <= 20


def test_a_long_name_is_shortened_on_a_phone_and_whole_in_the_hover(data):
    fig, _ = bar_charts(data, theme.NARROW)[3]  # components: LONG is the second row
    above = names_above_bars(fig)[1]
    assert above.endswith("…") and above.count("<br>") == 1 and LONG not in above
    assert any(LONG in h for h in fig.data[0].hovertext)


def test_names_are_text_not_markup(data):
    units = data["units"].head(2).assign(unit_name=["<a href='x'>Sở lạ</a>", "Sở <b>B</b> & C"])
    fig = figures.completion_bars(units, layout=theme.NARROW)
    texts = names_above_bars(fig)
    assert "<a " not in " ".join(texts) and "&lt;a href=" in texts[0] and "&amp; C" in texts[1]


def test_indicator_details_move_under_the_name_on_a_phone(data):
    wide = figures.indicator_bullets(data["indicators"])
    narrow = figures.indicator_bullets(data["indicators"], layout=theme.NARROW)
    assert any(t.type == "scatter" and t.mode == "text" for t in wide.data)  # the column right of the bars
    assert not any(t.type == "scatter" and t.mode == "text" for t in narrow.data)
    assert all("Thực hiện / chỉ tiêu:" in t for t in names_above_bars(narrow))
    assert narrow.layout.xaxis.range[1] < wide.layout.xaxis.range[1]


def test_on_a_phone_legends_go_under_the_plot_and_titles_wrap(data):
    ytd = figures.ytd_line(data["ytd"], title="Tất cả chỉ tiêu đếm của mọi đơn vị trong năm 2025",
                           layout=theme.NARROW)
    assert ytd.layout.legend.yref == "container" and ytd.layout.legend.y == 0
    assert ytd.layout.legend.yanchor == "bottom" and ytd.layout.legend.orientation == "h"
    assert "<br>" in ytd.layout.title.text and ytd.layout.margin.b >= 50 + 22
    wide = figures.ytd_line(data["ytd"], title="Tất cả chỉ tiêu đếm của mọi đơn vị trong năm 2025")
    assert "<br>" not in wide.layout.title.text and wide.layout.legend.yref != "container"
    assert ytd.layout.height > wide.layout.height  # the legend's rows and the title's lines are added


def test_the_heatmap_shortens_row_names_on_a_phone_and_keeps_them_whole_in_the_hover(data):
    heat = data["heat"]
    rows = list(dict.fromkeys(heat["unit_name"]))
    narrow = figures.status_heatmap(heat, layout=theme.NARROW)
    labels = list(narrow.data[0].y)
    assert max(len(part) for y in labels for part in y.split("<br>")) <= 16
    longest = max(rows, key=len)
    assert any(longest in h for row in narrow.data[0].customdata for h in row)
    assert all("Quý" not in t for t in narrow.layout.xaxis.ticktext)  # "III<br>2025"


@pytest.mark.parametrize("layout", [theme.WIDE, theme.NARROW])
def test_every_other_builder_takes_the_layout(data, layout):
    one = pd.DataFrame({"label": ["Quý I/2025", "Quý II/2025"], "actual": [3, 5], "target": [4, 4],
                        "completion": [0.75, 1.25], "status": [theme.GAN_DAT, theme.DAT]})
    figs = [figures.ytd_line(data["ytd"], layout=layout), figures.unit_metric_bars(one, layout=layout),
            figures.status_heatmap(data["heat"], layout=layout)]
    for fig in figs:
        assert (fig.layout.legend.yref == "container") == (layout == theme.NARROW)


def test_charts_have_no_mode_bar():
    assert ui.PLOTLY_CONFIG["displayModeBar"] is False


class FakeContext:
    def __init__(self, cookies=None, headers=None):
        self.cookies, self.headers = cookies or {}, headers or {}


@pytest.mark.parametrize("cookies, agent, expected", [
    ({"cchc_rong": "390"}, "", theme.NARROW), ({"cchc_rong": "768"}, "", theme.WIDE),
    ({"cchc_rong": "1366"}, "Mobile", theme.WIDE), ({}, "Mozilla/5.0 (iPhone) Mobile/15E148", theme.NARROW),
    ({}, "Mozilla/5.0 (X11; Linux x86_64)", theme.WIDE), ({"cchc_rong": "abc"}, "", theme.WIDE),
])
def test_the_layout_follows_the_window_width_then_the_browser(monkeypatch, cookies, agent, expected):
    monkeypatch.setattr(ui.st, "context", FakeContext(cookies, {"User-Agent": agent}))
    assert ui.layout() == expected


def test_the_deck_wants_a_landscape_screen(monkeypatch):
    monkeypatch.setattr(ui.st, "context", FakeContext({"cchc_rong": "768"}))
    assert ui.layout() == theme.WIDE and ui.layout(narrow_below=theme.SLIDE_MIN_WIDTH) == theme.NARROW
