"""Review of an extracted plan (loaders.plans.review): rows for the page's tables, the user's edits applied back to a
Plan, validation messages, and the guarded writes (saving a plan, marking a task)."""
from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from loaders.plans.review import (apply_edits, known_units, mark_task_as, save_reviewed, target_rows, task_rows,
                                unit_options)
from loaders.plans import PlanSaveError, extract_plan, load_tasks
from loaders.registry.registries import Registry
from loaders.store.schema import connect
from loaders.accounts.users import PermissionDenied, create_user

PLANS = Path(__file__).resolve().parents[2] / "shared" / "plans"
SON_LA = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_bql_kcn_son_la.txt"
SOC_TRANG = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_so_xay_dung_soc_trang.txt"
PLAN_TEXT = """ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK
SỞ TƯ PHÁP
KẾ HOẠCH
Tuyên truyền cải cách hành chính của Sở Tư pháp năm 2025
1. Chỉ tiêu
- Chỉ số CCHC (PAR Index) của tỉnh phấn đấu đạt 88,5%.
- Bản tin CCHC phát hành 04 số/tháng.
- 80% công chức, viên chức được khảo sát nắm vững mục tiêu, nhiệm vụ CCHC.
2. Nhiệm vụ
a) Tập huấn nghiệp vụ CCHC; Cơ quan chủ trì: Sở Tư pháp; Cơ quan phối hợp: Sở Nội vụ; Thời gian: Quý II/2025.
b) Hội thi tìm hiểu CCHC; Cơ quan chủ trì: Phòng Văn hóa xã Ea Kao; Thời gian: Tháng 9/2025.
"""


@pytest.fixture(scope="module")
def registry():
    return Registry.from_data_dir()


@pytest.fixture(scope="module")
def plan(registry):
    return extract_plan(PLAN_TEXT.encode(), "so_tu_phap.txt", registry)


def frames(plan):
    return pd.DataFrame(target_rows(plan)), pd.DataFrame(task_rows(plan))


def test_rows_show_every_target_and_task_with_its_sentence(plan):
    targets, tasks = frames(plan)
    assert list(targets["code"]) == [t.code for t in plan.targets] + [None] * len(plan.unrecognised)
    assert set(targets["code"].dropna()) == {"PAR", "ban_tin", "ty_le_nam_vung"}
    row = targets[targets["code"] == "ban_tin"].iloc[0]
    assert (row["value"], row["per"], bool(row["save"])) == (4.0, "month", True)
    assert "04 số/tháng" in row["text"]
    assert list(tasks["lead"]) == [["Sở Tư pháp"], ["Phòng Văn hóa xã Ea Kao"]]
    assert tasks["partners"][0] == ["Sở Nội vụ"] and tasks["when"][0] == "Quý II/2025"
    assert all(isinstance(t, str) and t for t in tasks["text"])


def test_unchanged_rows_give_back_the_plan(plan, registry):
    before = copy.deepcopy(plan)
    review = apply_edits(plan, *frames(plan), registry)
    assert review.ok and not review.warnings
    got = review.plan
    assert [(t.code, t.kind, t.value, t.unit, t.per, t.as_written) for t in got.targets] == \
        [(t.code, t.kind, t.value, t.unit, t.per, t.as_written) for t in plan.targets]
    assert [(t.content, t.lead, t.partners, t.schedule) for t in got.tasks] == \
        [(t.content, t.lead, t.partners, t.schedule) for t in plan.tasks]
    assert (got.organisation, got.year, got.organisation_code, got.province) == \
        (plan.organisation, plan.year, plan.organisation_code, plan.province)
    assert plan == before  # the extracted plan is left as it was


def test_correct_remove_and_add_targets(plan, registry):
    targets, tasks = frames(plan)
    targets.loc[targets["code"] == "ban_tin", "value"] = 5  # corrected: 05 số/tháng
    targets = targets[targets["code"] != "ty_le_nam_vung"]  # removed
    targets.loc[targets["code"] == "PAR", "save"] = False  # kept for reference, not saved
    added = {"save": True, "code": "tin_bai", "value": 20, "unit": "", "per": "quarter", "text": None, "row": None}
    targets = pd.concat([targets, pd.DataFrame([added])], ignore_index=True)
    review = apply_edits(plan, targets, tasks, registry)
    assert review.ok, review.errors
    got = {t.code: t for t in review.plan.targets}
    assert set(got) == {"ban_tin", "tin_bai"}
    assert got["ban_tin"].annual_value() == 60  # 5 a month: 60 a year, 15 a quarter in v_activity
    assert got["ban_tin"].as_written == "5 số/tháng"
    assert (got["tin_bai"].kind, got["tin_bai"].unit, got["tin_bai"].annual_value()) == ("indicator", "tin/bài/quý", 80)
    assert got["tin_bai"].text == "(thêm khi soát lại kế hoạch)"


@pytest.mark.parametrize("edit, message", [
    ({"value": -1}, "âm"),
    ({"value": None}, "chưa có giá trị"),
    ({"code": "khong_co"}, "không có trong danh mục"),
    ({"code": "ty_le_dung_han", "unit": "%", "per": "", "value": 120}, "vượt quá 100%"),
    ({"code": "PAR", "unit": "hạng", "per": "", "value": 2.5}, "hạng phải là số nguyên"),
])
def test_invalid_targets_name_the_row(plan, registry, edit, message):
    targets, tasks = frames(plan)
    k = targets.index[targets["code"] == "ban_tin"][0]
    for col, value in edit.items():
        targets.at[k, col] = value
    review = apply_edits(plan, targets, tasks, registry)
    assert not review.ok
    assert any(e.startswith(f"Chỉ tiêu, dòng {k + 1}") and message in e for e in review.errors), review.errors


def test_an_unbound_number_is_kept_for_review_bound_or_dropped(registry):
    """'100 %' of the Sóc Trăng plan names no indicator: kept (awaiting review) unless the reviewer binds it to an
    indicator or unticks it, which records it as dropped — never lost silently."""
    plan = extract_plan(SOC_TRANG.read_bytes(), SOC_TRANG.name, registry)
    targets, tasks = frames(plan)
    assert targets["save"].iloc[-1] and pd.isna(targets["code"].iloc[-1]) and targets["year"].iloc[-1] == 2025
    review = apply_edits(plan, targets, tasks, registry)
    assert review.ok and [(t.value, t.unit, t.code) for t in review.plan.unrecognised] == [(100.0, "%", None)]
    bound = targets.copy()
    bound.loc[bound.index[-1], "code"] = "ty_le_nam_vung"
    review = apply_edits(plan, bound, tasks, registry)
    assert review.plan.unrecognised == [] and any("trùng với dòng 1" in w for w in review.warnings)
    assert [(t.code, t.value) for t in review.plan.targets] == [("ty_le_nam_vung", 80.0)]  # the first row wins…
    bound.loc[bound.index[-1], "year"] = 2026
    review = apply_edits(plan, bound, tasks, registry)  # … unless it is another year's
    assert [(t.code, t.value, t.year) for t in review.plan.targets] == [("ty_le_nam_vung", 80.0, 2025),
                                                                          ("ty_le_nam_vung", 100.0, 2026)]
    dropped = targets.copy()
    dropped.loc[dropped.index[-1], "save"] = False
    review = apply_edits(plan, dropped, tasks, registry)
    assert review.plan.unrecognised == [] and [(t.value, t.code) for t in review.plan.dropped] == [(100.0, None)]


def test_rates_are_not_multiplied_and_duplicates_warn(plan, registry):
    targets, tasks = frames(plan)
    targets.loc[targets["code"] == "ty_le_nam_vung", "per"] = "month"
    dup = targets[targets["code"] == "ban_tin"].assign(value=9, row=None)
    review = apply_edits(plan, pd.concat([targets, dup], ignore_index=True), tasks, registry)
    assert review.ok
    got = {t.code: t for t in review.plan.targets}
    assert got["ty_le_nam_vung"].per is None and got["ty_le_nam_vung"].annual_value() == 80
    assert got["ban_tin"].value == 4  # the first row wins
    assert any("không tính theo mỗi tháng" in w for w in review.warnings)
    assert any("trùng với dòng" in w for w in review.warnings)


def test_task_edits_are_matched_again(plan, registry):
    targets, tasks = frames(plan)
    tasks.at[0, "lead"] = ["Sở Nội vụ"]  # a registry name
    tasks.at[0, "partners"] = ["Sở Tư pháp", "Tổ công tác đặc biệt"]  # one known, one typed by the user
    tasks.at[1, "when"] = "Quý IV/2025"
    added = {"content": "Cập nhật chuyên mục CCHC", "lead": ["VP UBND tỉnh"], "partners": [], "when": "Hằng tháng",
             "text": None, "row": None}
    empty = {"content": None, "lead": [], "partners": [], "when": None, "text": None, "row": None}
    review = apply_edits(plan, targets, pd.concat([tasks, pd.DataFrame([added, empty])], ignore_index=True), registry)
    assert review.ok, review.errors
    t0, t1, t2 = review.plan.tasks
    assert (t0.lead.code, [p.code for p in t0.partners]) == ("so_noi_vu", ["so_tu_phap", None])
    assert t0.partners[1].text == "Tổ công tác đặc biệt" and t0.partners[1].note
    assert t0.schedule == plan.tasks[0].schedule  # time unchanged: the extractor's reading kept
    assert (t1.schedule.kind, t1.schedule.quarters) == ("quarter", (4,))
    assert t1.lead.code is None and t1.lead.text == "Phòng Văn hóa xã Ea Kao"  # still unknown, kept as written
    assert (t2.lead.code, t2.schedule.kind, t2.text) == ("vp_ubnd", "monthly", "Cập nhật chuyên mục CCHC")
    assert review.plan.unknown_units() == ["Tổ công tác đặc biệt", "Phòng Văn hóa xã Ea Kao"]


def test_co_leads_task_errors_and_unreadable_time(plan, registry):
    targets, tasks = frames(plan)
    tasks.at[0, "lead"] = ["Sở Tư pháp", "Sở Nội vụ", "Các sở, ban, ngành"]  # co-leads, a group among them
    review = apply_edits(plan, targets, tasks, registry)
    assert review.ok
    assert [(u.kind, u.code) for u in review.plan.tasks[0].leads] == [("unit", "so_tu_phap"), ("unit", "so_noi_vu"),
                                                                      ("group", "so_ban_nganh")]
    tasks.at[1, "content"] = ""
    review = apply_edits(plan, targets, tasks, registry)
    assert review.errors == ["Nhiệm vụ, dòng 2: chưa có nội dung nhiệm vụ."]
    targets, tasks = frames(plan)
    tasks.at[1, "when"] = "sau khi có hướng dẫn mới"
    review = apply_edits(plan, targets, tasks, registry)
    assert review.ok
    assert review.plan.tasks[1].schedule.kind in ("on_request", "year")
    tasks.at[1, "when"] = "xyz"
    review = apply_edits(plan, targets, tasks, registry)
    assert review.warnings == ["Nhiệm vụ, dòng 2: không đọc được thời gian “xyz” — coi là trong năm 2025."]
    assert (review.plan.tasks[1].schedule.kind, review.plan.tasks[1].schedule.stated) == ("year", False)


def test_organisation_and_year_corrected(plan, registry):
    targets, tasks = frames(plan)
    review = apply_edits(plan, targets, tasks, registry, organisation="Sở Tư pháp tỉnh Đắk Lắk", year=2026)
    assert (review.plan.organisation, review.plan.year) == ("Sở Tư pháp tỉnh Đắk Lắk", 2026)
    assert review.plan.tasks[0].schedule.year == 2025  # 'Quý II/2025' says its year
    tasks.at[0, "when"] = "Quý II"
    review = apply_edits(plan, targets, tasks, registry, year=2026)
    assert review.plan.tasks[0].schedule.year == 2026
    assert apply_edits(plan, targets, tasks, registry, year=1900).errors == [
        "Năm 1900 không hợp lệ (cần từ 1990 đến 2100)."]
    assert "Không còn chỉ tiêu hay nhiệm vụ nào để lưu." in apply_edits(plan, targets[:0], tasks[:0], registry).errors


def test_unit_options_and_highlighting(registry):
    plan = extract_plan(SON_LA.read_bytes(), SON_LA.name, registry)
    options = unit_options(plan, registry)
    assert options[:3] == ["Trưởng các phòng và đơn vị trực thuộc Ban quản lý", "Văn phòng",
                           "phòng chuyên môn, đơn vị trực thuộc"]  # as the plan writes them, first
    assert "Sở Tư pháp" in options and len(options) == len(set(options))
    known = known_units(["Văn phòng", "Sở Tư pháp", "VP UBND tỉnh", "Các sở, ban, ngành", "Phòng Văn hóa xã X"],
                        registry, plan.organisation, plan)
    # a bare 'Văn phòng' in a department's plan is its own office (not the province's): no name to add
    assert known == {"Văn phòng": True, "Sở Tư pháp": True, "VP UBND tỉnh": True, "Các sở, ban, ngành": True,
                     "Phòng Văn hóa xã X": False}
    assert plan.tasks[1].lead.kind == "own_office" and plan.tasks[1].lead.code is None


# --- guarded writes -----------------------------------------------------------------------------------------------
@pytest.fixture
def con(fresh_db):
    c = connect(fresh_db)
    yield c
    c.close()


def test_only_administrators_save_and_the_save_is_audited(con):
    data = PLAN_TEXT.encode()
    registry = Registry.from_db(con)
    plan = extract_plan(data, "stp.txt", registry)
    review = apply_edits(plan, *frames(plan), registry)
    for user in (None, create_user(con, "ld", "matkhau-1", "lanh_dao"),
                 create_user(con, "cb", "matkhau-1", "can_bo", unit_code="so_tu_phap")):
        with pytest.raises(PermissionDenied):
            save_reviewed(con, user, review.plan, "stp.txt", data)
    admin = create_user(con, "qt", "matkhau-1", "quan_tri")
    batch_id = save_reviewed(con, admin, review.plan, "stp.txt", data, entity_code="dak_lak_2025")
    assert con.execute("SELECT kind, uploaded_by, unit_code FROM batch WHERE id = ?", [batch_id]).fetchone() == \
        ("plan", "qt", "so_tu_phap")
    action, detail = con.execute("SELECT action, detail FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert action == "upload" and f"lô {batch_id}" in detail and "2 nhiệm vụ" in detail


def test_marking_a_task_belongs_to_its_lead_unit(con):
    data = PLAN_TEXT.encode()
    plan = extract_plan(data, "stp.txt", Registry.from_db(con))
    admin = create_user(con, "qt", "matkhau-1", "quan_tri")
    save_reviewed(con, admin, plan, "stp.txt", data, entity_code="dak_lak_2025")
    known, unknown = load_tasks(con, 2025)
    assert known.lead.code == "so_tu_phap" and unknown.lead.code is None
    staff = create_user(con, "cb", "matkhau-1", "can_bo", unit_code="so_tu_phap")
    other = create_user(con, "cbx", "matkhau-1", "can_bo", unit_code="so_noi_vu")
    leader = create_user(con, "ld", "matkhau-1", "lanh_dao")
    for user in (other, leader):
        with pytest.raises(PermissionDenied, match="đơn vị chủ trì"):
            mark_task_as(con, user, known.id, 2025, 2, note="xong")
    with pytest.raises(PermissionDenied, match="chưa có trong danh mục"):
        mark_task_as(con, staff, unknown.id, 2025, 3, note="xong")
    with pytest.raises(PlanSaveError, match="ghi chú"):
        mark_task_as(con, staff, known.id, 2025, 2, note="  ")
    with pytest.raises(PlanSaveError, match="liên kết"):
        mark_task_as(con, staff, known.id, 2025, 2, note="xong", evidence_url="tinbai.vn/x")
    mark_task_as(con, staff, known.id, 2025, 2, note="Đã tập huấn 60 người", evidence_url="https://stp.gov.vn/a",
                 evidence_file=b"%PDF-1.4", evidence_name="bien_ban.pdf")
    mark_task_as(con, admin, unknown.id, 2025, 3, note="xong")
    rows = con.execute("SELECT task_id, year, quarter, status, note, evidence_url, evidence_name, marked_by "
                       "FROM plan_task_status ORDER BY marked_at").fetchall()
    assert rows == [(known.id, 2025, 2, "done", "Đã tập huấn 60 người", "https://stp.gov.vn/a", "bien_ban.pdf", "cb"),
                    (unknown.id, 2025, 3, "done", "xong", None, None, "qt")]


def test_a_unit_of_a_group_marks_the_task_for_itself(con):
    """'Các sở, ban, ngành' lead: the staff of the Sở Tư pháp mark it for the Sở Tư pháp only; a unit outside the
    group may not; an administrator marks it for one unit or for all."""
    text = PLAN_TEXT + "c) Niêm yết TTHC; Cơ quan thực hiện: Các sở, ban, ngành; Thời gian: Thường xuyên.\n"
    plan = extract_plan(text.encode(), "stp.txt", Registry.from_db(con))
    admin = create_user(con, "qt", "matkhau-1", "quan_tri")
    save_reviewed(con, admin, plan, "stp.txt", text.encode(), entity_code="dak_lak_2025")
    group_task = next(t for t in load_tasks(con, 2025) if t.lead.kind == "group")
    staff = create_user(con, "cb", "matkhau-1", "can_bo", unit_code="so_tu_phap")
    press = create_user(con, "cbb", "matkhau-1", "can_bo", unit_code="bao_ptth")  # a newspaper: no sở, ban, ngành
    mark_task_as(con, staff, group_task.id, 2025, 3, note="Đã niêm yết")
    with pytest.raises(PermissionDenied, match="đơn vị chủ trì"):
        mark_task_as(con, press, group_task.id, 2025, 3, note="xong")
    with pytest.raises(PermissionDenied):
        mark_task_as(con, staff, group_task.id, 2025, 3, note="xong", unit_code="so_noi_vu")  # not their unit
    with pytest.raises(PlanSaveError, match="không chủ trì"):
        mark_task_as(con, admin, group_task.id, 2025, 3, note="xong", unit_code="bao_ptth")
    mark_task_as(con, admin, group_task.id, 2025, 3, note="Sở Y tế đã xong", unit_code="so_y_te")
    assert con.execute("SELECT unit_code, marked_by FROM plan_task_status WHERE task_id = ? ORDER BY marked_at",
                       [group_task.id]).fetchall() == [("so_tu_phap", "cb"), ("so_y_te", "qt")]
