"""Tổng quan page (AppTest on the page file): numbers equal the views, widgets and URL change the view."""
import json

import pytest

from dashboard import fmt, queries as Q
from dashboard.db import cursor
from page_testing import open_page


def app(db, monkeypatch, **params):
    return open_page("tong_quan.py", db, monkeypatch, **params)


def qp(at, name):
    """The app's URL parameter as a list of strings."""
    v = at.query_params.get(name)
    return [] if v is None else ([str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)])


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def texts(at):
    return " ".join([m.value for m in at.markdown] + [s.value for s in at.subheader] + [i.value for i in at.info]
                    + [w.value for w in at.warning] + [s.value for s in at.success])


def test_demo_numbers_equal_the_views(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    con = cursor()  # the app's own connection (a second one to the same file is refused in-process)
    ov = Q.overview(con, 2025, 3)
    ranking = Q.unit_completion(con, 2025, 3)
    missing = Q.not_reported(con, 2025, 3)
    assert at.selectbox(key="qp_nam").value == 2025 and at.selectbox(key="qp_quy").value == 3
    assert "Hoàn thành chỉ tiêu — Quý III/2025" in [s.value for s in at.subheader]
    assert metric(at, "Hoàn thành chung").value == fmt.percent(ov.iloc[0]["completion"])
    assert metric(at, "Đơn vị đã báo cáo").value == f"{len(ranking)}/{len(ranking) + len(missing)}"
    for _, g in ov.iloc[1:].iterrows():
        assert metric(at, f"Nhóm: {g['label']}").value == fmt.percent(g["completion"])
    for name in missing["unit_name"]:
        assert name in texts(at)
    assert "Dữ liệu mẫu" in texts(at)  # the sample label is visible
    # the ranking chart holds every unit's completion, in order
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = spec["data"][0]
    assert bars["customdata"] == list(ranking["unit_code"])
    assert spec["layout"]["separators"] == ",."
    # the index cards: PAR's latest published result for the home province
    par = next(m for m in at.metric if m.label.startswith("PAR Index"))
    assert par.label == "PAR Index 2023" and par.value == "87,33"
    assert qp(at, "nam") == ["2025"] and qp(at, "quy") == ["3"]


def test_changing_the_quarter_changes_the_view(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    before = metric(at, "Hoàn thành chung").value
    at.selectbox(key="qp_quy").set_value(2).run()
    assert not at.exception
    assert "Hoàn thành chỉ tiêu — Quý II/2025" in [s.value for s in at.subheader]
    want = fmt.percent(Q.overview(cursor(), 2025, 2).iloc[0]["completion"])
    assert metric(at, "Hoàn thành chung").value == want != before
    assert qp(at, "quy") == ["2"]
    assert "Tất cả đơn vị cần báo cáo đã gửi báo cáo Quý II/2025." in texts(at)


def test_url_opens_the_same_view(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch, nam="2024", quy="4", nhom="so_nganh")
    assert at.selectbox(key="qp_nam").value == 2024 and at.selectbox(key="qp_quy").value == 4
    assert at.selectbox(key="qp_nhom").value == "so_nganh"
    assert "Hoàn thành chỉ tiêu — Quý IV/2024" in [s.value for s in at.subheader]


def test_unit_group_without_reports_shows_the_empty_state(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch, nhom="huyen")  # districts were abolished; the demo has no district reports
    assert "Chưa có số liệu hoạt động cho Quý III/2025." in texts(at)


def test_new_batch_or_rollback_shows_at_once(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    assert metric(at, "Đơn vị đã báo cáo").value == "13/16"
    from loaders.store.batches import rollback_batch

    con = cursor()
    batch = con.execute("SELECT max(batch_id) FROM v_upload WHERE kind = 'activities' AND year = 2025 "
                        "AND quarter = 3").fetchone()[0]
    rollback_batch(con, batch)
    at.run()
    assert metric(at, "Đơn vị đã báo cáo").value == "12/16"


def test_empty_database_shows_what_to_upload(fresh_db, monkeypatch):
    at = app(fresh_db, monkeypatch)
    body = texts(at)
    assert "Chưa có số liệu hoạt động" in body
    assert "Tải lên" in body
    assert "Dữ liệu mẫu" not in body
    assert any(m.label.startswith("PAR Index") for m in at.metric)  # real published results still shown
