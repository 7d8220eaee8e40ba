"""Saved plans on the read side: task statuses and the overdue list (dashboard.plan_queries), the timeline figure
(dashboard.plan_figures), and the giao ban deck's overdue-task slide in the model, the .pptx (a native table) and
the Trình chiếu page."""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
from pathlib import Path

import pytest

from dashboard import deck as D
from dashboard import plan_figures as PF
from dashboard import plan_queries as PQ
from loaders.plans import extract_plan, mark_task, save_plan
from loaders.registry.registries import Registry
from loaders.store.schema import connect

PLANS = Path(__file__).resolve().parents[2] / "shared" / "plans"
SOC_TRANG = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_so_xay_dung_soc_trang.txt"
DAY = dt.date(2025, 10, 7)


@pytest.fixture(scope="module")
def plan_db(demo_db_file, tmp_path_factory):
    """The demo database with the Sóc Trăng plan saved and its first task marked done in Quý I."""
    db = tmp_path_factory.mktemp("plan") / "plan.duckdb"
    shutil.copy(demo_db_file, db)
    with connect(db) as con:
        data = SOC_TRANG.read_bytes()
        plan = extract_plan(data, SOC_TRANG.name, Registry.from_db(con))
        save_plan(con, plan, "qt", SOC_TRANG.name, data, entity_code="soc_trang")
        march = next(t for t in plan.tasks if t.path == "PL.1")  # 'Tháng 3/2025'
        mark_task(con, march.id, 2025, 1, "done", "qt", note="Đã đăng 2 tin bài",
                  evidence_url="https://soxaydung.example/tin")
    return db


@pytest.fixture(scope="module")
def con(plan_db):
    import duckdb

    c = duckdb.connect(str(plan_db), read_only=True)
    yield c
    c.close()


def test_task_statuses_in_a_quarter(con):
    df = PQ.task_table(con, 2025, 3, DAY)
    assert list(df["no"]) == list(range(1, 8))
    assert list(df["item"]) == ["IV.1", "IV.2", "PL.1", "PL.2", "PL.3", "PL.4", "PL.5"]
    assert list(df["status"]) == ["late", "due", "done", "late", "regular", "late", "not_due"]
    # 'Định kỳ Quý' not marked in Q3; 'Tháng 3' done in Q1 stays done; 'Quý II' is late; 'Tháng 6 – 9' ended 30/09
    assert df.loc[2, "done_note"] == "Đã đăng 2 tin bài" and df.loc[2, "marked_by"] == "qt"
    assert [int(d) for d in df["days_late"].dropna()] == [7, 99, 7]
    assert df.loc[3, "deadline"].date() == dt.date(2025, 6, 30)
    assert df.loc[2, "lead_name"] == "Văn phòng Sở Xây dựng" and df.loc[2, "lead_known"]  # the Sở's own office
    assert df.loc[2, "organisation"] == "Sở Xây dựng tỉnh Sóc Trăng"
    assert df.loc[2, "reference"] == "Kế hoạch số …/KH-SXD tháng 3/2025"
    assert PQ.status_counts(df) == {"late": 3, "due": 1, "done": 1, "regular": 1, "not_due": 1}
    assert list(PQ.overdue(con, 2025, 3, DAY)["no"]) == [4, 1, 6]
    assert PQ.plan_years(con) == [2025] and PQ.has_tasks(con, 2025) and not PQ.has_tasks(con, 2024)
    marks = PQ.task_marks_table(con, int(df.loc[2, "task_id"]))
    assert list(marks["period"]) == ["Quý I/2025"] and list(marks["status_label"]) == ["Đã xong"]
    saved = PQ.saved_plans(con)
    assert list(saved[["unit_code", "year", "n_targets", "n_tasks", "n_pending", "reference"]].itertuples(
        index=False, name=None)) == [("so_xay_dung", 2025, 1, 7, 1, "Kế hoạch số …/KH-SXD tháng 3/2025")]


def test_timeline_has_one_bar_per_task_coloured_by_status(con):
    df = PQ.task_table(con, 2025, 3, DAY)
    fig = PF.task_timeline(df, 2025, 3, DAY, title="Nhiệm vụ năm 2025")
    bars = {t.name: t for t in fig.data}
    assert set(bars) == {"Đã xong", "Quá hạn", "Thường xuyên", "Chưa đến hạn", "Đến hạn"}
    assert sum(len(t.y) for t in fig.data) == 7
    assert bars["Quá hạn"].marker.color == PF.STATUS_COLOR["late"] == "#c62828"
    assert list(fig.layout.xaxis.ticktext) == [f"T{m}" for m in range(1, 13)]
    assert "Hôm nay 07/10/2025" in [a.text for a in fig.layout.annotations]
    assert any("Hạn: 30/06/2025" in h for h in bars["Quá hạn"].customdata)


def test_deck_has_an_overdue_slide_only_with_saved_tasks(con, demo_db_file):
    assert ("tasks", "Nhiệm vụ quá hạn") in D.available_slides(con, "2025-Q3")
    import duckdb

    with duckdb.connect(str(demo_db_file), read_only=True) as demo:
        assert "tasks" not in dict(D.available_slides(demo, "2025-Q3"))
    deck = D.build_deck(con, "2025-Q3", today=DAY)
    keys = deck.keys()
    assert keys.index("tasks") == keys.index("lagging") + 1
    slide = deck.slides[keys.index("tasks")]
    assert slide.title == "Nhiệm vụ quá hạn Quý III/2025"
    # at the quarter's close (01/10/2025): 'Tháng 6 – 9' and the quarterly report of Q3 are one day late
    assert slide.subtitle == "Kế hoạch CCHC năm 2025: 7 nhiệm vụ · tính đến ngày 01/10/2025"
    assert slide.facts == [("3", "nhiệm vụ quá hạn"), ("1", "nhiệm vụ đến hạn, chưa xong"), ("1", "nhiệm vụ đã xong")]
    assert list(slide.grid.columns) == ["Nhiệm vụ", "Chủ trì", "Hạn", "Quá hạn"]
    assert list(slide.grid["Hạn"]) == ["30/06/2025", "30/09/2025", "30/09/2025"]
    assert list(slide.grid["Quá hạn"]) == ["93 ngày", "1 ngày", "1 ngày"]
    assert slide.grid["Nhiệm vụ"][0].startswith("4. Kết quả sắp xếp")
    assert slide.grid["Nhiệm vụ"][1].startswith("1. Tham mưu lãnh đạo")
    assert slide.grid["Nhiệm vụ"][2].startswith("6. Phát động cuộc thi")
    # real plans are never labelled sample data, even in the demo database
    assert "Sở Xây dựng tỉnh Sóc Trăng" in slide.source and not slide.sample and "mẫu" not in slide.source
    assert len(slide.table) == len(slide.data) and "Số ngày quá hạn" in slide.table


def test_overdue_slide_as_a_native_powerpoint_table(con):
    from pptx import Presentation

    from dashboard.pptx_export import deck_to_pptx

    deck = D.build_deck(con, "2025-Q3", ["title", "tasks"], today=DAY)
    prs = Presentation(io.BytesIO(deck_to_pptx(deck)))
    slide = prs.slides[1]
    grid = next(sh for sh in slide.shapes if sh.name == "grid")
    assert grid.has_table
    rows = [[c.text for c in r.cells] for r in grid.table.rows]
    assert rows[0] == ["Nhiệm vụ", "Chủ trì", "Hạn", "Quá hạn"]
    assert rows[1][1:3] == ["Văn phòng Sở Xây dựng", "30/06/2025"]
    texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
    assert "Nhiệm vụ quá hạn Quý III/2025" in texts and "2/2" in texts and "nhiệm vụ quá hạn" in texts
    assert not any("MẪU" in t for t in texts)


def test_no_overdue_task_says_so(plan_db, tmp_path):
    db = tmp_path / "p.duckdb"
    shutil.copy(plan_db, db)
    with connect(db) as c:
        for task_id in PQ.overdue(c, 2025, 3, DAY)["task_id"]:
            mark_task(c, int(task_id), 2025, 3, "done", "qt", note="xong")
        deck = D.build_deck(c, "2025-Q3", ["tasks"], today=DAY)
    slide = deck.slides[0]
    assert slide.grid is None and slide.empty_message == "Không có nhiệm vụ nào quá hạn."


def test_trinh_chieu_page_shows_the_overdue_table(plan_db, tmp_path):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    page = str(Path(__file__).resolve().parent.parent / "pages" / "trinh_chieu.py")
    db = tmp_path / "page.duckdb"  # a copy: this module holds plan_db open read-only
    shutil.copy(plan_db, db)
    old = os.environ.get("CCHC_DB")
    os.environ["CCHC_DB"] = str(db)
    try:
        at = AppTest.from_file(page, default_timeout=60)
        at.query_params["ky"] = "2025-Q3"
        at.query_params["slides"] = "tasks"
        at.run()
        assert not at.exception
        html = "\n".join(m.value for m in at.markdown)
        assert "Nhiệm vụ quá hạn Quý III/2025" in html and '<table class="tc-grid">' in html
        assert "<td>Văn phòng Sở Xây dựng</td>" in html and "1/1" in html
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
        if old is None:
            os.environ.pop("CCHC_DB", None)
        else:
            os.environ["CCHC_DB"] = old


GROUP_PLAN = """ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK
KẾ HOẠCH
Tuyên truyền cải cách hành chính năm 2025
III. NHIỆM VỤ
1. Niêm yết thủ tục hành chính
- Thời gian thực hiện: Quý II/2025.
- Cơ quan thực hiện: Các sở, ban, ngành.
2. Sở Nội vụ
- Tổng hợp kết quả, báo cáo UBND tỉnh trong Quý II/2025.
"""


def test_each_unit_of_a_group_sees_the_overdue_task_as_its_own(demo_db):
    """'Các sở, ban, ngành' lead a task due in Quý II: on the deck, the Sở Tư pháp that has done it is not late; every
    other sở, ban, ngành is, each in its own row of the table behind the slide."""
    with connect(demo_db) as c:
        plan = extract_plan(GROUP_PLAN.encode(), "tinh.txt", Registry.from_db(c))
        save_plan(c, plan, "qt", "tinh.txt", GROUP_PLAN.encode())
        task = next(t for t in plan.tasks if t.lead.kind == "group")
        mark_task(c, task.id, 2025, 2, "done", "cb", note="Đã niêm yết", unit_code="so_tu_phap")
        slide = D.build_deck(c, "2025-Q3", ["tasks"], today=DAY).slides[0]
        owners = PQ.task_table(c, 2025, 3, DAY).set_index("task_id").loc[task.id, "assignees"]
    late = slide.table[slide.table["Nhiệm vụ"] == task.content]
    assert len(late) == len(owners) - 1 and "Sở Tư pháp" not in set(late["Đơn vị"])
    assert {"Sở Nội vụ", "Văn phòng UBND tỉnh", "Thanh tra tỉnh"} <= set(late["Đơn vị"])
    row = slide.grid[slide.grid["Nhiệm vụ"].str.contains("Niêm yết")].iloc[0]
    assert row["Chủ trì"] == f"Các sở, ban, ngành ({len(owners) - 1}/{len(owners)} đơn vị quá hạn)"
