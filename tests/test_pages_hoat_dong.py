"""Hoạt động page (AppTest): charts per unit, per indicator, heatmap, year to date, drill-down; empty state."""

from dashboard import fmt, queries as Q
from dashboard.db import cursor
from page_testing import arr, open_page, specs


def app(db, monkeypatch, **params):
    return open_page("hoat_dong.py", db, monkeypatch, **params)


def texts(at):
    return " ".join([m.value for m in at.markdown] + [s.value for s in at.subheader] + [c.value for c in at.caption]
                    + [w.value for w in at.warning])


def test_demo_draws_every_chart_with_the_view_numbers(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    charts = specs(at)
    assert len(charts) == 4  # units, indicators, heatmap, year to date
    ranking = Q.unit_completion(cursor(), 2025, 3)
    units = charts[0]["data"][0]
    assert units["customdata"] == list(ranking["unit_code"])
    assert [round(x, 9) for x in arr(units["x"])] == [round(min(c, 1.5), 9) for c in ranking["completion"]]
    summary = Q.indicator_summary(cursor(), 2025, 3)
    assert charts[1]["data"][0]["customdata"] == list(summary["metric_code"])
    heat = charts[2]["data"][0]
    assert heat["type"] == "heatmap" and "Quý III/2025" in heat["x"]
    assert "Dữ liệu mẫu" in texts(at)


def test_choosing_an_indicator_shows_target_against_actual(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    at.selectbox(key="qp_chi_tieu").set_value("tin_bai").run()
    assert not at.exception
    name = cursor().execute("SELECT name FROM metric WHERE code = 'tin_bai'").fetchone()[0]
    assert f"{name} — Quý III/2025" in [s.value for s in at.subheader]
    first = specs(at)[0]
    actual, target = first["data"][0], first["data"][1]
    want = Q.metric_by_unit(cursor(), 2025, 3, "tin_bai")
    assert arr(actual["x"]) == list(want["actual"]) and arr(target["x"]) == list(want["target"])
    assert target["name"] == "Chỉ tiêu"
    ytd = specs(at)[3]
    cum = Q.ytd(cursor(), 2025, None, "tin_bai")
    assert arr(ytd["data"][1]["y"])[:3] == list(cum["actual"].iloc[:3])  # cumulative counts against the target path


def test_heatmap_layout_switch_and_url(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch, bang="chi_tieu")
    heat = specs(at)[2]["data"][0]
    assert len(heat["x"]) == 18  # one column per indicator
    at.button_group(key="qp_bang").set_value("quy").run()
    heat = specs(at)[2]["data"][0]
    assert heat["x"][0] == "Quý I/2024" and heat["x"][-1] == "Quý III/2025"  # up to 8 quarters


def test_drill_into_one_unit(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    assert len(specs(at)) == 4
    at.selectbox(key="qp_don_vi").set_value("so_tu_phap").run()
    assert not at.exception
    assert len(specs(at)) == 5
    assert any("Sở Tư pháp" in m.value and "hoàn thành" in m.value for m in at.markdown)
    at2 = app(demo_db, monkeypatch, don_vi="so_tu_phap", nam="2025", quy="2")  # a copied link
    assert at2.selectbox(key="qp_don_vi").value == "so_tu_phap" and at2.selectbox(key="qp_quy").value == 2
    assert len(specs(at2)) == 5


def test_drill_down_searches_a_long_unit_list(demo_db, monkeypatch):
    from dashboard import ui

    monkeypatch.setattr(ui, "SEARCH_THRESHOLD", 5)
    monkeypatch.setattr(ui, "SEARCH_LIMIT", 3)
    at = app(demo_db, monkeypatch)
    box = at.selectbox(key="qp_don_vi")
    assert box.value == "" and len(box.options) == 4  # "— chọn đơn vị —" stays first, then three units
    at = at.text_input(key="tim_don_vi").input("So Tu Phap").run()
    at = at.selectbox(key="qp_don_vi").set_value("so_tu_phap").run()
    assert not at.exception and len(specs(at)) == 5
    assert any("Sở Tư pháp" in m.value and "hoàn thành" in m.value for m in at.markdown)


def test_many_units_are_shown_top_and_bottom(demo_db, monkeypatch):
    """120 communes: the default view is the 15 lowest, with a way to see all."""
    from loaders.store.batches import ActivityRow, Batch, TargetRow, write_batch

    monkeypatch.setenv("CCHC_DB", str(demo_db))
    con = cursor()
    con.execute("INSERT INTO unit (code, name, kind) SELECT 'xa_' || i, 'Xã Thử ' || i, 'xa' FROM range(120) t(i)")
    rows = [ActivityRow(f"xa_{i}", 2025, 3, "tin_bai", float(i % 7)) for i in range(120)]
    targets = [TargetRow(f"xa_{i}", 2025, 3, "tin_bai", 5.0) for i in range(120)]
    write_batch(con, Batch("activities", file_name="xa.xlsx", year=2025, quarter=3, activities=rows))
    write_batch(con, Batch("targets", file_name="xa_ct.xlsx", year=2025, targets=targets))
    at = app(demo_db, monkeypatch, nhom="xa")
    assert at.button_group(key="qp_hien").value == "thap"
    assert len(specs(at)[0]["data"][0]["y"]) == 15
    at.button_group(key="qp_hien").set_value("tat_ca").run()
    assert len(specs(at)[0]["data"][0]["y"]) == 120
    assert specs(at)[0]["layout"]["height"] > 3000  # tall enough to read every bar


def test_empty_database(fresh_db, monkeypatch):
    at = app(fresh_db, monkeypatch)
    assert not at.get("plotly_chart")
    body = " ".join(m.value for m in at.markdown)
    assert "Chưa có đơn vị nào báo cáo" in body and "Tải lên" in body


def test_every_indicator_renders(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    codes = [r[0] for r in cursor().execute("SELECT code FROM metric ORDER BY ordinal").fetchall()]
    for code in codes:
        at.selectbox(key="qp_chi_tieu").set_value(code).run()
        assert not at.exception, (code, [e.value for e in at.exception])
        assert len(at.get("plotly_chart")) == 4
