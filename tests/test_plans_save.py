"""Saving a plan as one batch: its identity, targets (for the quarters it covers; every unit of a province-wide plan),
index targets (the province entity of the target's year), numbers awaiting review, tasks with all their leads;
marking tasks, one unit of a group at a time; the same plan from another copy replacing, not doubling."""
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
SXD_DAK_LAK = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_so_xay_dung_dak_lak.txt"
PROVINCE = PLANS / "qd_ke_hoach_tuyen_truyen_cchc_2025_ubnd_tinh_dak_lak.txt"

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
    assert batch[:7] == ("plan", SON_LA.name, "can_bo_a", "bql_kcn", 2025, 5, "active")  # 2 target rows, 3 tasks
    assert len(batch[7]) == 64 and bytes(batch[8]) == data
    # It cites a decision of 01/8/2025, so it was issued after it: it covers Quý III and IV only, and '04 số/tháng'
    # is 12 for each of them (three months); Quý I and II have no target from it.
    assert con.execute("SELECT unit_code, year, quarter, metric_code, value FROM target_value WHERE batch_id = ? "
                       "ORDER BY quarter", [batch_id]).fetchall() == \
        [("bql_kcn", 2025, 3, "ban_tin", 12.0), ("bql_kcn", 2025, 4, "ban_tin", 12.0)]
    assert con.execute("SELECT quarter, target FROM v_activity WHERE unit_code = 'bql_kcn' AND year = 2025 "
                       "AND metric_code = 'ban_tin' ORDER BY quarter").fetchall() == [(3, 12.0), (4, 12.0)]
    doc = con.execute("SELECT organisation, issuer_code, province, number, symbol, issued, not_before, year_start, "
                      "year_end, first_quarter, scope FROM plan_doc WHERE batch_id = ?", [batch_id]).fetchone()
    assert doc == ("Ban Quản lý các khu công nghiệp tỉnh Sơn La", "bql_kcn", "Sơn La", None, None, None,
                   dt.date(2025, 8, 1), 2025, 2025, 3, "unit")
    task = con.execute("SELECT content, lead_unit_code, lead_text, partners, schedule_kind, year, source_text, "
                       "lead_kinds, lead_codes, item FROM plan_task WHERE batch_id = ? AND item = 'III.2'",
                       [batch_id]).fetchone()
    assert task[1:6] == (None, "Văn phòng", ["phòng chuyên môn, đơn vị trực thuộc"], "year", 2025)
    assert task[0].startswith("Triển khai các hoạt động tuyên truyền") and task[6].startswith("2. Giao Văn phòng")
    assert task[7:] == (["own_office"], [None], "III.2")
    # The same file again: the batch already there, nothing new.
    assert save_plan(con, plan, "can_bo_b", SON_LA.name, data) == batch_id
    assert con.execute("SELECT count(*) FROM batch WHERE kind = 'plan'").fetchone()[0] == 1
    # Its tasks start with Quý III: Quý I and II are no quarters of the plan.
    staff = next(t for t in load_tasks(con, 2025) if t.path == "III.3")
    assert staff.starts == dt.date(2025, 7, 1)
    assert [task_status(staff, 2025, q, dt.date(2026, 1, 5)) for q in (1, 2, 3, 4)] == \
        ["not_due", "not_due", "late", "late"]


def test_index_target_goes_to_the_province_of_the_targets_year(con):
    """The Sở Xây dựng of Đắk Lắk aims at a PAR Index of 88,5 % for 2025: the 2025 result is the new Đắk Lắk's
    (formed on 01/07/2025), so the target is the new province's, shown where its results are."""
    data = SXD_DAK_LAK.read_bytes()
    plan = extract_plan(data, SXD_DAK_LAK.name, Registry.from_db(con))
    assert (plan.reference, plan.first_quarter()) == ("Kế hoạch số …/KH-SXD tháng 7/2025", 3)
    batch_id = save_plan(con, plan, "qt", SXD_DAK_LAK.name, data)
    assert con.execute("SELECT index_code, year, entity_code, target_score, source FROM index_target WHERE "
                       "batch_id = ?", [batch_id]).fetchall() == [
        ("PAR", 2025, "dak_lak_2025", 88.5,
         "Kế hoạch số …/KH-SXD tháng 7/2025 của Sở Xây dựng tỉnh Đắk Lắk — mục tiêu năm 2025")]
    assert con.execute("SELECT target FROM v_index_score WHERE index_code = 'PAR' AND year = 2025 AND "
                       "entity_code = 'dak_lak_2025' AND component_code IS NULL").fetchone() == (88.5,)
    from loaders.plans.save import foreign_province, province_entity

    assert province_entity(con, "Đắk Lắk", 2024) == "dak_lak"  # the old province until its series ends
    assert province_entity(con, "Sóc Trăng", 2025) == "can_tho_2025"  # merged into Cần Thơ: its successor
    assert foreign_province(con, plan) is None
    soc_trang = extract_plan(SOC_TRANG.read_bytes(), SOC_TRANG.name, Registry.from_db(con))
    assert foreign_province(con, soc_trang) == "Sóc Trăng"


def test_province_wide_plan_targets_every_unit_and_groups_own_their_tasks(con):
    """The UBND tỉnh's plan: '100% CBCCVC nắm vững…' is a target of every unit of the province; a task led by 'Các
    sở, ban, ngành' belongs to each of them, and each marks it for itself."""
    from dashboard import plan_queries as PQ

    data = PROVINCE.read_bytes()
    plan = extract_plan(data, PROVINCE.name, Registry.from_db(con))
    assert (plan.scope, plan.organisation, plan.organisation_code) == ("province", "UBND tỉnh Đắk Lắk", None)
    batch_id = save_plan(con, plan, "qt", PROVINCE.name, data)
    units = {r[0] for r in con.execute("SELECT unit_code FROM target_value WHERE batch_id = ? AND metric_code = "
                                       "'ty_le_nam_vung' AND value = 100 AND quarter IS NULL", [batch_id]).fetchall()}
    # issued in March 2025: every unit active from then on (the departments merged on 28/02/2025 are not)
    active = {r[0] for r in con.execute("SELECT code FROM unit WHERE valid_to IS NULL OR valid_to >= DATE "
                                        "'2025-03-01'").fetchall()}
    assert units == active and {"so_tu_phap", "vp_ubnd", "tp_buon_ma_thuot"} <= units and "so_gtvt" not in units
    assert con.execute("SELECT applies_to, status FROM plan_target WHERE batch_id = ?", [batch_id]).fetchall() == \
        [("tất cả đơn vị", "saved")]
    task = next(t for t in load_tasks(con, 2025) if t.path == "III.1")
    assert [(u.kind, u.code) for u in task.leads] == [("group", "so_ban_nganh"), ("group", "ubnd_huyen"),
                                                      ("group", "ubnd_xa")]
    day = dt.date(2025, 10, 7)
    mine = PQ.task_table(con, 2025, 3, day, unit="so_tu_phap")
    assert "III.1" in set(mine["item"]) and "IV.1.c" in set(mine["item"]) and "IV.1.b.1" not in set(mine["item"])
    whole = PQ.task_table(con, 2025, 3, day).set_index("item")
    owners = set(whole.loc["III.1", "assignees"])  # the sở, ban, văn phòng, thanh tra and huyện of the registry
    assert whole.loc["III.1", "units_total"] == len(owners) and owners <= active
    assert {"so_tu_phap", "vp_ubnd", "thanh_tra", "tp_buon_ma_thuot"} <= owners and "bao_ptth" not in owners
    mark_task(con, task.id, 2025, 3, "done", "cb", note="Đã niêm yết", unit_code="so_tu_phap")
    whole = PQ.task_table(con, 2025, 3, day).set_index("item")
    assert whole.loc["III.1", "units_done"] == 1 and whole.loc["III.1", "status"] == "regular"
    assert PQ.task_table(con, 2025, 3, day, unit="so_tu_phap").set_index("item").loc["III.1", "status"] == "done"
    assert PQ.task_table(con, 2025, 3, day, unit="so_y_te").set_index("item").loc["III.1", "status"] == "regular"
    each = PQ.assignment_table(con, 2025, 3, day)
    rows = each[each["task_id"] == task.id]
    assert len(rows) == whole.loc["III.1", "units_total"] and \
        rows.set_index("unit_code").loc["so_tu_phap", "status"] == "done"


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
    march = next(t for t in tasks if t.path == "PL.1")  # 'Tháng 3/2025'
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
    march = next(t for t in load_tasks(con, 2025) if t.path == "PL.1")
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
    moved = task_marks(con, [next(t for t in tasks if t.path == "PL.1").id])
    assert [(m["status"], m["note"], m["marked_by"]) for m in moved] == [("done", "Đã đăng 3 tin", "van_phong")]
    assert con.execute("SELECT count(*) FROM batch WHERE kind = 'plan' AND status = 'active'").fetchone()[0] == 1
    with pytest.raises(PlanSaveError, match=f"không thay được lô số {first}"):
        save_plan(con, plan, "van_phong", "khac.txt", data + b" ", replaces=first)  # already replaced


def test_numbers_awaiting_review_and_dropped_ones_are_kept(con):
    """'100% công chức … phụ trách CCHC được cung cấp kiến thức' names no indicator: saved as awaiting review, never
    lost; a number the reviewer drops is recorded as dropped, with who dropped it."""
    from dataclasses import replace

    data = SOC_TRANG.read_bytes()
    plan = extract_plan(data, SOC_TRANG.name, Registry.from_db(con))
    batch_id = save_plan(con, plan, "qt", SOC_TRANG.name, data, entity_code="soc_trang")
    assert con.execute("SELECT code, value, unit, status, year, applies_to FROM plan_target WHERE batch_id = ? "
                       "ORDER BY ordinal", [batch_id]).fetchall() == [
        ("ty_le_nam_vung", 80.0, "%", "saved", 2025, "so_xay_dung"), (None, 100.0, "%", "pending", 2025, None)]
    dropped = replace(plan, unrecognised=[], dropped=list(plan.unrecognised))
    second = save_plan(con, dropped, "qt", SOC_TRANG.name, data, entity_code="soc_trang", replaces=batch_id)
    assert con.execute("SELECT value, status, decided_by FROM plan_target WHERE batch_id = ? AND code IS NULL",
                       [second]).fetchall() == [(100.0, "dropped", "qt")]


def test_the_same_plan_from_a_clean_and_an_ocr_copy_is_one_plan(con):
    """A plan saved from its clean text, then read from an OCR'd copy: recognised as the same plan by its content;
    replacing it keeps one set of tasks and carries the marks over."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from plan_accuracy import noisy_copy

    from loaders.plans.save import same_plan_batch

    registry = Registry.from_db(con)
    clean = PROVINCE.read_bytes()
    plan = extract_plan(clean, PROVINCE.name, registry)
    first = save_plan(con, plan, "qt", PROVINCE.name, clean)
    task = next(t for t in load_tasks(con, 2025) if t.path == "IV.1.c")
    mark_task(con, task.id, 2025, 2, "done", "qt", note="Đã tổ chức tuyên truyền")
    scan = noisy_copy(PROVINCE.read_text(encoding="utf-8")).encode()
    again = extract_plan(scan, "ban_scan.txt", registry)
    assert same_plan_batch(con, again) == first
    other = extract_plan(SON_LA.read_bytes(), SON_LA.name, registry)
    assert same_plan_batch(con, other) is None
    second = save_plan(con, again, "qt", "ban_scan.txt", scan, replaces=first)
    active = con.execute("SELECT count(*) FROM plan_task t JOIN batch b ON b.id = t.batch_id AND b.status = 'active'"
                         ).fetchone()[0]
    assert active == len(plan.tasks) == 27
    moved = next(t for t in load_tasks(con, 2025) if t.path == "IV.1.c")
    assert moved.id != task.id and [m["note"] for m in task_marks(con, [moved.id])] == ["Đã tổ chức tuyên truyền"]
    assert con.execute("SELECT status FROM batch WHERE id = ?", [first]).fetchone() == ("rolled_back",)
    assert second != first


def test_a_plan_of_several_years(con):
    """2026–2030: each target saved for its own year (a target of the period for its last year), the yearly task
    followed every year of the period."""
    from dashboard import plan_queries as PQ
    from tests.test_plans_text import SEVERAL_YEARS

    data = SEVERAL_YEARS.encode()
    plan = extract_plan(data, "giai_doan.txt", Registry.from_db(con))
    batch_id = save_plan(con, plan, "qt", "giai_doan.txt", data)
    assert sorted(set(con.execute("SELECT year, metric_code, value FROM target_value WHERE batch_id = ? AND "
                                  "unit_code = 'so_noi_vu'", [batch_id]).fetchall())) == \
        [(2026, "ty_le_truc_tuyen", 30.0), (2030, "ty_le_truc_tuyen", 60.0)]
    assert con.execute("SELECT index_code, year, entity_code, target_score FROM index_target WHERE batch_id = ?",
                       [batch_id]).fetchall() == [("PAR", 2030, "dak_lak_2025", 90.0)]
    assert PQ.plan_years(con) == [2030, 2029, 2028, 2027, 2026] and PQ.has_tasks(con, 2028)
    (task,) = load_tasks(con, 2028)
    assert (task.schedule.year, task.schedule.label) == (2028, "Hằng năm")


JULY_PLAN = """UBND TỈNH ĐẮK LẮK
SỞ TƯ PHÁP
Số: 45/KH-STP
Đắk Lắk, ngày 10 tháng 7 năm 2025
KẾ HOẠCH
Tuyên truyền cải cách hành chính của Sở Tư pháp năm 2025
I. CHỈ TIÊU
1. Bản tin CCHC: quý I và quý II phát hành 02 số mỗi quý (tính cả các số đã phát hành); 6 tháng cuối năm phát \
hành 06 số.
2. Đăng tải ít nhất 20 tin, bài về CCHC trên Trang thông tin điện tử của Sở.
3. Hằng quý tổ chức 01 buổi đối thoại với doanh nghiệp.
II. NHIỆM VỤ
1. Tập huấn nghiệp vụ CCHC; Cơ quan chủ trì: Sở Tư pháp; Thời gian: Quý III/2025.
"""


def test_a_july_plan_sets_first_half_targets_only_where_it_says_so(con):
    """Issued in July, the plan covers Quý III–IV; a target whose own words name other quarters ('quý I và quý II',
    '6 tháng cuối năm') is set for those quarters; 'hằng quý' says how often, not which quarter."""
    data = JULY_PLAN.encode()
    plan = extract_plan(data, "ke_hoach_thang_7.txt", Registry.from_db(con))
    assert plan.first_quarter() == 3
    assert [(t.code, t.value, t.quarters) for t in plan.targets] == [
        ("ban_tin", 2.0, (1, 2)), ("ban_tin", 6.0, (3, 4)), ("tin_bai", 20.0, ()), ("doi_thoai", 1.0, ())]
    batch_id = save_plan(con, plan, "qt", "ke_hoach_thang_7.txt", data)
    rows = con.execute("SELECT metric_code, quarter, value FROM target_value WHERE batch_id = ? "
                       "ORDER BY metric_code, quarter", [batch_id]).fetchall()
    assert rows == [("ban_tin", 1, 2.0), ("ban_tin", 2, 2.0), ("ban_tin", 3, 3.0), ("ban_tin", 4, 3.0),
                    ("doi_thoai", 3, 1.0), ("doi_thoai", 4, 1.0), ("tin_bai", 3, 10.0), ("tin_bai", 4, 10.0)]


def test_a_later_mention_of_the_same_quarters_is_not_a_second_target(con):
    text = JULY_PLAN.replace("3. Hằng quý", "3. Cả năm 2025 phát hành 10 số bản tin CCHC.\n4. Hằng quý")
    plan = extract_plan(text.encode(), "ke_hoach.txt", Registry.from_db(con))
    batch_id = save_plan(con, plan, "qt", "ke_hoach.txt", text.encode())
    assert con.execute("SELECT quarter, value FROM target_value WHERE batch_id = ? AND metric_code = 'ban_tin' "
                       "ORDER BY quarter", [batch_id]).fetchall() == [(1, 2.0), (2, 2.0), (3, 3.0), (4, 3.0)]
