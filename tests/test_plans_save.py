"""Saving a plan as one batch: targets (annual), index targets (province entity), tasks; marking tasks."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from loaders.plans import (PlanSaveError, extract_plan, load_tasks, mark_task, save_plan, task_marks, task_status)
from loaders.registry.registries import Registry
from loaders.store.schema import connect

PLANS = Path(__file__).resolve().parents[2] / "shared" / "plans"
SON_LA = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_bql_kcn_son_la.txt"
SOC_TRANG = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_so_xay_dung_soc_trang.txt"

INDEX_PLAN = """ỦY BAN NHÂN DÂN TỈNH SƠN LA
SỞ TƯ PHÁP
KẾ HOẠCH
Tuyên truyền cải cách hành chính của Sở Tư pháp năm 2025
1. Chỉ tiêu
- Chỉ số CCHC (PAR Index) của tỉnh phấn đấu đạt 88,5%; Chỉ số DTI đạt 65%.
- Bản tin CCHC phát hành 04 số/tháng.
- 80% công chức, viên chức được khảo sát nắm vững mục tiêu, nhiệm vụ CCHC.
2. Nhiệm vụ
a) Tập huấn nghiệp vụ CCHC; Cơ quan chủ trì: Sở Tư pháp; Cơ quan phối hợp: Sở Nội vụ; Thời gian: Quý II/2025.
"""


@pytest.fixture
def con(fresh_db):
    c = connect(fresh_db)
    yield c
    c.close()


def test_save_son_la_plan(con):
    data = SON_LA.read_bytes()
    plan = extract_plan(data, SON_LA.name, Registry.from_db(con))
    batch_id = save_plan(con, plan, "can_bo_a", SON_LA.name, data)
    batch = con.execute("SELECT kind, file_name, uploaded_by, unit_code, year, rows, status, sha256, content "
                        "FROM batch WHERE id = ?", [batch_id]).fetchone()
    assert batch[:7] == ("plan", SON_LA.name, "can_bo_a", "bql_kcn", 2025, 2, "active")
    assert len(batch[7]) == 64 and bytes(batch[8]) == data
    # '04 số/tháng' is stored as the annual target 48; the quarterly view shows 12 a quarter.
    assert con.execute("SELECT unit_code, year, quarter, metric_code, value FROM target_value WHERE batch_id = ?",
                       [batch_id]).fetchall() == [("bql_kcn", 2025, None, "ban_tin", 48.0)]
    assert con.execute("SELECT quarter, target FROM v_activity WHERE unit_code = 'bql_kcn' AND year = 2025 "
                       "AND metric_code = 'ban_tin' ORDER BY quarter").fetchall() == [(q, 12.0) for q in (1, 2, 3, 4)]
    task = con.execute("SELECT content, lead_unit_code, lead_text, partners, schedule_kind, year, source_text "
                       "FROM plan_task WHERE batch_id = ?", [batch_id]).fetchone()
    assert task[1:6] == (None, "Văn phòng", ["phòng chuyên môn, đơn vị trực thuộc"], "year", 2025)
    assert task[0].startswith("Triển khai các hoạt động tuyên truyền") and task[6].startswith("2. Giao Văn phòng")
    # The same file again: the batch already there, nothing new.
    assert save_plan(con, plan, "can_bo_b", SON_LA.name, data) == batch_id
    assert con.execute("SELECT count(*) FROM batch WHERE kind = 'plan'").fetchone()[0] == 1


def test_save_index_targets_to_the_province(con):
    data = INDEX_PLAN.encode()
    plan = extract_plan(data, "so_tu_phap_son_la.txt", Registry.from_db(con))
    assert plan.province == "Sơn La" and plan.organisation_code == "so_tu_phap"
    batch_id = save_plan(con, plan, "van_phong", "so_tu_phap_son_la.txt", data)
    assert con.execute("SELECT index_code, year, entity_code, target_score, target_rank FROM index_target "
                       "WHERE batch_id = ? ORDER BY index_code", [batch_id]).fetchall() == [
        ("DTI", 2025, "son_la", 0.65, None),  # DTI is on a 0–1 scale: 65% is 0.65
        ("PAR", 2025, "son_la", 88.5, None)]
    assert con.execute("SELECT target FROM v_index_score WHERE index_code = 'PAR' AND year = 2025 "
                       "AND entity_code = 'son_la' AND component_code IS NULL").fetchone() == (88.5,)
    assert sorted(con.execute("SELECT metric_code, value FROM target_value WHERE batch_id = ?",
                              [batch_id]).fetchall()) == [("ban_tin", 48.0), ("ty_le_nam_vung", 80.0)]
    (t,) = load_tasks(con, 2025, batch_id)
    assert (t.lead.code, [p.code for p in t.partners], t.schedule.kind, t.schedule.quarters) == \
        ("so_tu_phap", ["so_noi_vu"], "quarter", (2,))


def test_unresolved_province_or_unit_is_a_clear_error(con):
    text = INDEX_PLAN.replace("TỈNH SƠN LA", "TỈNH XA LẠ").replace("SỞ TƯ PHÁP", "SỞ KHÔNG CÓ").replace(
        "của Sở Tư pháp", "của Sở Không Có")
    plan = extract_plan(text.encode(), "x.txt", Registry.from_db(con))
    assert plan.province is None and plan.organisation_code is None
    with pytest.raises(PlanSaveError) as err:
        save_plan(con, plan, "x", "x.txt", text.encode())
    assert "không tìm thấy tỉnh" in str(err.value) and "chưa có trong danh mục đơn vị" in str(err.value)
    assert con.execute("SELECT count(*) FROM batch WHERE kind = 'plan'").fetchone()[0] == 0
    # Chosen by the user, both resolve and the plan saves.
    batch_id = save_plan(con, plan, "x", "x.txt", text.encode(), unit_code="so_tu_phap", entity_code="son_la")
    assert con.execute("SELECT count(*) FROM index_target WHERE batch_id = ?", [batch_id]).fetchone()[0] == 2


def test_mark_tasks_and_status(con):
    data = SOC_TRANG.read_bytes()
    plan = extract_plan(data, SOC_TRANG.name, Registry.from_db(con))
    batch_id = save_plan(con, plan, "van_phong", SOC_TRANG.name, data)
    assert con.execute("SELECT count(*) FROM plan_task WHERE batch_id = ?", [batch_id]).fetchone()[0] == \
        len(plan.tasks) == 7
    assert all(t.id for t in plan.tasks)
    tasks = load_tasks(con, 2025)
    assert [t.content for t in tasks] == [t.content for t in plan.tasks]
    march = tasks[0]  # 'Tháng 3/2025'
    assert (march.schedule.kind, march.schedule.months, march.when) == ("month", (3,), "Tháng 3/2025")
    assert march.lead.text == "Văn phòng Sở Xây dựng" and march.lead.code is None
    today = dt.date(2025, 5, 20)
    assert task_status(march, 2025, 1, today, task_marks(con, [march.id])) == "late"
    mark_task(con, march.id, 2025, 1, "done", "van_phong", note="Đã đăng 3 tin", evidence_url="https://example.vn/a",
              evidence_file=b"%PDF-1.4 proof", evidence_name="minh_chung.pdf")
    marks = task_marks(con, [march.id])
    assert [(m["status"], m["evidence_name"], m["marked_by"]) for m in marks] == \
        [("done", "minh_chung.pdf", "van_phong")]
    assert [task_status(march, 2025, q, today, marks) for q in (1, 2)] == ["done", "done"]
    with pytest.raises(PlanSaveError):
        mark_task(con, march.id, 2025, 1, "xong", "van_phong")
    # Rolling the plan back hides its tasks.
    from loaders.store.batches import rollback_batch

    rollback_batch(con, batch_id, by="van_phong")
    assert load_tasks(con, 2025) == []


def test_a_corrected_plan_replaces_the_saved_one_and_keeps_the_marks(con):
    """The same file saved again with corrections (or a revised plan) replaces the earlier batch whole, in one
    transaction: its targets and tasks leave, and the marks of unchanged tasks follow them."""
    from dataclasses import replace

    from loaders.plans.model import Plan

    data = SOC_TRANG.read_bytes()
    plan = extract_plan(data, SOC_TRANG.name, Registry.from_db(con))
    first = save_plan(con, plan, "van_phong", SOC_TRANG.name, data)
    march = load_tasks(con, 2025)[0]
    mark_task(con, march.id, 2025, 1, "done", "van_phong", note="Đã đăng 3 tin")
    # the review drops the last task: the saved tasks must follow the correction
    corrected_tasks = [replace(t, id=None) for t in plan.tasks[:-1]]
    corrected = Plan(plan.organisation, plan.year, plan.targets, corrected_tasks, plan.organisation_code,
                     plan.province, [], list(plan.warnings), plan.file_name, plan.source)
    assert save_plan(con, corrected, "van_phong", SOC_TRANG.name, data) == first  # without `replaces`: unchanged
    second = save_plan(con, corrected, "van_phong", SOC_TRANG.name, data, replaces=first)
    assert second != first
    assert con.execute("SELECT status, rolled_back_by FROM batch WHERE id = ?", [first]).fetchone() == \
        ("rolled_back", "van_phong")
    tasks = load_tasks(con, 2025)
    assert len(tasks) == len(plan.tasks) - 1 and {t.id for t in tasks}.isdisjoint({t.id for t in plan.tasks})
    moved = task_marks(con, [tasks[0].id])
    assert [(m["status"], m["note"], m["marked_by"]) for m in moved] == [("done", "Đã đăng 3 tin", "van_phong")]
    assert con.execute("SELECT count(*) FROM batch WHERE kind = 'plan' AND status = 'active'").fetchone()[0] == 1
    with pytest.raises(PlanSaveError, match=f"không thay được lô số {first}"):
        save_plan(con, plan, "van_phong", "khac.txt", data + b" ", replaces=first)  # already replaced
