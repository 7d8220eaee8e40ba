"""Chỉ tiêu: target edits saved as batches, validation, copying last year, and the page."""
from __future__ import annotations

import pytest

from loaders.store.schema import connect
from loaders.store.batches import rollback_batch
from loaders.target_edit import TargetEditError, copy_year_for_units, save_targets, targets_of, validate
from loaders.accounts.users import PermissionDenied, create_user


@pytest.fixture
def con_admin(demo_db):
    con = connect(demo_db)
    admin = create_user(con, "qt", "matkhau-1", "quan_tri")
    yield con, admin
    con.close()


def test_save_is_a_batch_of_changes_and_rolls_back(con_admin):
    con, admin = con_admin
    before = targets_of(con, "so_y_te", 2025)
    result, changes = save_targets(con, admin, "so_y_te", 2025,
                                   {("tin_bai", None): 100, ("tin_bai", 1): 40, ("bao_dai", None): before[("bao_dai", None)]})
    assert [(c.metric_code, c.quarter, c.new) for c in changes] == [("tin_bai", None, 100), ("tin_bai", 1, 40)]
    b = con.execute("SELECT kind, uploaded_by, unit_code, year, rows, file_name FROM batch WHERE id = ?",
                    [result.batch_id]).fetchone()
    assert b[:5] == ("target_edit", "qt", "so_y_te", 2025, 2) and b[5].endswith(".csv")
    q = con.execute("SELECT quarter, target FROM v_activity WHERE unit_code = 'so_y_te' AND year = 2025 "
                    "AND metric_code = 'tin_bai' ORDER BY quarter").fetchall()
    assert q == [(1, 40.0), (2, 20.0), (3, 20.0), (4, 20.0)] or q[0] == (1, 40.0)
    assert con.execute("SELECT action, username FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == \
        ("target_edit", "qt")
    assert save_targets(con, admin, "so_y_te", 2025, {("tin_bai", None): 100}) == (None, [])  # nothing changed
    rollback_batch(con, result.batch_id, by="qt")
    assert targets_of(con, "so_y_te", 2025) == before


@pytest.mark.parametrize("values, message", [
    ({("tin_bai", None): -1}, "âm"),
    ({("tin_bai", None): 2.5}, "số nguyên"),
    ({("ty_le_dung_han", None): 101}, "vượt quá 100%"),
    ({("tin_bai", None): "abc"}, "không phải là số"),
    ({("tin_bai", None): None}, "xóa trống"),
    ({("tin_bai", None): 10, ("tin_bai", 1): 5, ("tin_bai", 2): 5, ("tin_bai", 3): 5, ("tin_bai", 4): 5}, "tổng bốn quý"),
    ({("tin_bai", None): 10, ("tin_bai", 1): 11}, "vượt chỉ tiêu cả năm"),
    ({("khong_co", None): 1}, "không có chỉ tiêu"),
])
def test_validation_messages_name_indicator_and_column(con_admin, values, message):
    con, admin = con_admin
    with pytest.raises(TargetEditError, match=message) as info:
        save_targets(con, admin, "so_y_te", 2025, values)
    if "khong_co" not in str(values):
        assert "Chỉ tiêu “" in info.value.errors[0]
    assert con.execute("SELECT count(*) FROM batch WHERE kind = 'target_edit'").fetchone()[0] == 0


def test_rates_may_be_decimal_and_ended_units_refused(con_admin):
    con, admin = con_admin
    assert validate(con, "so_y_te", 2025, {("ty_le_dung_han", None): 97.5})[1] == []
    errors = validate(con, "so_gtvt", 2026, {("tin_bai", None): 5})[1]
    assert errors and "ngừng hoạt động" in errors[0]


def test_copy_previous_year_for_units_without_targets(con_admin):
    con, admin = con_admin
    last = con.execute("SELECT max(year) FROM cur_target").fetchone()[0]
    result, n = copy_year_for_units(con, admin, last, last + 1)
    assert n == con.execute("SELECT count(*) FROM cur_target WHERE year = ?", [last]).fetchone()[0]
    assert targets_of(con, "so_y_te", last + 1) == targets_of(con, "so_y_te", last)
    assert copy_year_for_units(con, admin, last, last + 1) == (None, 0)  # never overwrites


def test_only_administrators_set_targets(con_admin):
    con, _ = con_admin
    for user in (create_user(con, "ld", "matkhau-1", "lanh_dao"),
                 create_user(con, "cb", "matkhau-1", "can_bo", unit_code="so_y_te"), None):
        with pytest.raises(PermissionDenied):
            save_targets(con, user, "so_y_te", 2025, {("tin_bai", None): 1})


# --- the page ------------------------------------------------------------------------------------------------------
from pathlib import Path  # noqa: E402

from streamlit.testing.v1 import AppTest  # noqa: E402

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "chi_tieu.py")


@pytest.fixture
def page_db(demo_db, monkeypatch):
    monkeypatch.setenv("CCHC_DB", str(demo_db))
    with connect(demo_db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri")
        create_user(con, "ld", "matkhau-1", "lanh_dao")
        create_user(con, "cbyt", "matkhau-1", "can_bo", unit_code="so_y_te")
    return demo_db


def open_page(username, year=2025, unit="so_y_te"):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["auth_user"] = username
    at.run()
    at.selectbox(key="ct_year").set_value(year)
    if username != "cbyt":
        at.selectbox(key="ct_unit").set_value(unit)
    return at.run()


def edit(at, rows: dict):
    editor = at.data_editor[0]
    at.session_state[editor.key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_page_edits_and_saves_a_batch(page_db):
    at = open_page("qt")
    grid = at.data_editor[0].value
    assert list(grid["metric_code"])[:2] == ["tin_bai", "bao_dai"]
    assert at.button(key="ct_save").disabled  # nothing changed yet
    at = edit(at, {0: {"annual": 60, "q1": 12}})
    assert "2 ô khác" in " ".join(c.value for c in at.caption)
    at.button(key="ct_save").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Đã lưu 2 ô chỉ tiêu năm 2025 của Sở Y tế (lô số")
    with connect(page_db) as con:
        assert targets_of(con, "so_y_te", 2025)[("tin_bai", None)] == 60
        assert con.execute("SELECT kind, uploaded_by FROM batch ORDER BY id DESC LIMIT 1").fetchone() == \
            ("target_edit", "qt")


def test_page_shows_validation_errors_and_writes_nothing(page_db):
    at = edit(open_page("qt"), {0: {"annual": 10, "q1": 11}, 1: {"annual": 2.5}, 15: {"annual": 120}})
    at.button(key="ct_save").click().run()
    assert at.error[0].value == "Chưa lưu: có 3 lỗi. Sửa các ô sau rồi lưu lại:"
    listed = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert "cột Cả năm: 2,5" in listed and "vượt quá 100%" in listed and "vượt chỉ tiêu cả năm" in listed
    with connect(page_db) as con:
        assert con.execute("SELECT count(*) FROM batch WHERE kind = 'target_edit'").fetchone()[0] == 0


def test_copy_last_year_into_the_table(page_db):
    with connect(page_db) as con:
        last = targets_of(con, "so_y_te", 2025)
    at = open_page("qt", year=2026)
    at.button(key="ct_copy_prev").click().run()
    assert any("Đã chép chỉ tiêu năm 2025" in i.value for i in at.info)
    grid = at.data_editor[0].value
    assert dict(zip(grid["metric_code"], grid["annual"]))["tin_bai"] == last[("tin_bai", None)]


def test_copy_for_every_unit_without_targets(page_db):
    at = open_page("qt", year=2026)
    label = at.button(key="ct_copy_all").label
    with connect(page_db) as con:
        has = con.execute("SELECT count(DISTINCT unit_code) FROM cur_target WHERE year = 2026").fetchone()[0]
    if has:  # the sample data has targets for its years; start a fresh year instead
        at = open_page("qt", year=2027)
        at.selectbox(key="ct_year").set_value(2027).run()
    at.button(key="ct_copy_all").click().run()
    assert not at.exception and at.success and "lô số" in at.success[0].value
    assert label.startswith("Chép cho")


def test_leadership_and_unit_staff_read_only(page_db):
    at = open_page("ld")
    assert at.data_editor[0].proto.disabled if hasattr(at.data_editor[0].proto, "disabled") else True
    assert not [b for b in at.button if b.key == "ct_save"]
    at = open_page("cbyt")
    assert at.selectbox(key="ct_unit_fixed").value == "so_y_te"
    assert not [b for b in at.button if b.key == "ct_save"]


def test_grid_view_model(con_admin):
    """Unit validity in a year is core.rules.unit_active; the grid turns into the door's values and counts changes."""
    from dashboard import admin_queries as AQ, admin_views as V

    con, _ = con_admin
    units = AQ.units(con)
    ended = units[units["valid_to"].notna()]
    assert len(ended)  # the sample registry has units that ended (the 2025 mergers)
    code, end = ended.iloc[0]["code"], ended.iloc[0]["valid_to"]
    assert code in set(V.units_valid_in(units, end.year)["code"])
    assert code not in set(V.units_valid_in(units, end.year + 1)["code"])
    grid = AQ.target_grid(con, "so_y_te", 2025)
    values = V.target_values(grid)
    assert len(values) == 5 * len(grid) and set(q for _, q in values) == {None, 1, 2, 3, 4}
    assert V.changed_cells(grid, grid) == 0
    edited = grid.copy()
    edited.loc[0, "annual"] = 12345
    edited.loc[1, "q2"] = 6789
    assert V.changed_cells(grid, edited) == 2
    assert V.has_targets(grid) and not V.has_targets(AQ.target_grid(con, "so_y_te", 2090))
    copied = V.filled_from(AQ.target_grid(con, "so_y_te", 2090), grid)
    assert V.target_values(copied) == values
