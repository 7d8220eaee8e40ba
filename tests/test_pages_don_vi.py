"""Đơn vị page (AppTest): one unit's indicators over the quarters, its index scores and upload history."""

from dashboard import fmt, queries as Q
from dashboard.db import cursor
from page_testing import arr, open_page, specs


def app(db, monkeypatch, **params):
    return open_page("don_vi.py", db, monkeypatch, **params)


def test_one_unit_all_indicators_over_quarters(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch, don_vi="so_y_te")
    assert "Chỉ tiêu qua các quý — Sở Y tế" in [s.value for s in at.subheader]
    heat = specs(at)[0]["data"][0]
    assert heat["type"] == "heatmap" and len(heat["y"]) == 18
    hist = Q.unit_history(cursor(), "so_y_te")
    last = hist[(hist["year"] == 2025) & (hist["quarter"] == 3)]
    want = fmt.percent(last["completion"].clip(upper=1).mean())
    assert next(m for m in at.metric if m.label == "Hoàn thành Quý III/2025").value == want
    uploads = Q.unit_uploads(cursor(), "so_y_te")
    table = at.dataframe[-1].value
    assert len(table) == len(uploads)
    assert "Dữ liệu mẫu" in " ".join(w.value for w in at.warning)


def test_changing_unit_and_indicator(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch, don_vi="so_y_te")
    at.selectbox(key="qp_don_vi").set_value("so_tu_phap").run()
    assert "Chỉ tiêu qua các quý — Sở Tư pháp" in [s.value for s in at.subheader]
    at.selectbox(key="qp_chi_tieu").set_value("ty_le_dung_han").run()
    bars = specs(at)[1]
    assert bars["data"][0]["type"] == "bar" and bars["data"][1]["name"] == "Chỉ tiêu"
    assert "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn" in " ".join(m.value for m in at.markdown)


def test_unit_with_index_scores_but_no_reports(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch, don_vi="h_buon_don")  # a district: internal PAR Index 2024, no reports
    body = " ".join(m.value for m in at.markdown)
    assert "chưa có báo cáo quý nào" in body
    lines = specs(at)[0]
    assert arr(lines["data"][0]["y"]) == [70.54]


def test_empty_database(fresh_db, monkeypatch):
    at = app(fresh_db, monkeypatch)
    body = " ".join(m.value for m in at.markdown)
    assert "chưa có báo cáo quý nào" in body and "chưa tải lên tệp nào" in body


def test_every_unit_renders(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    codes = [r[0] for r in cursor().execute("SELECT code FROM unit").fetchall()]
    for code in codes:
        at.selectbox(key="qp_don_vi").set_value(code).run()
        assert not at.exception, (code, [e.value for e in at.exception])


def test_a_long_unit_list_is_searched_not_sent_whole(demo_db, monkeypatch):
    """Above ui.SEARCH_THRESHOLD units (a country's 4,000), a search box narrows the unit list; a link to a unit
    outside the first ones still opens it, and typing without diacritics finds it."""
    from dashboard import ui

    monkeypatch.setattr(ui, "SEARCH_THRESHOLD", 5)
    monkeypatch.setattr(ui, "SEARCH_LIMIT", 3)
    at = app(demo_db, monkeypatch, don_vi="so_y_te")
    box = at.selectbox(key="qp_don_vi")
    assert box.value == "so_y_te" and len(box.options) <= 4  # the chosen unit and the first three
    assert "gõ thêm để thu hẹp" in box.help
    at = at.text_input(key="tim_don_vi").input("tu phap").run()
    assert not at.exception
    box = at.selectbox(key="qp_don_vi")
    assert set(box.options) == {"Sở Y tế", "Sở Tư pháp"} and "1 kết quả" in box.help
    at = box.set_value("so_tu_phap").run()
    assert "Chỉ tiêu qua các quý — Sở Tư pháp" in [s.value for s in at.subheader]
    at = at.text_input(key="tim_don_vi").input("khong co dau").run()
    assert "Không có đơn vị nào có tên chứa “khong co dau”." in [c.value for c in at.caption]
    assert at.selectbox(key="qp_don_vi").value == "so_tu_phap"  # the choice stays
    assert at.query_params["don_vi"] == "so_tu_phap"
