"""Danh mục: registry edits (add, rename, merge units; aliases; indicators), the lineage views, and the page."""
from __future__ import annotations

import pytest

from loaders.store import materialize
from loaders.registry.registries import Registry
from loaders.registry.edit import (RegistryEditError, add_indicator, add_indicator_alias, add_unit, add_unit_alias,
                                   merge_unit, rename_unit, suggest_code)
from loaders.store.schema import connect
from loaders.store.batches import rollback_batch
from loaders.accounts.users import PermissionDenied, create_user


@pytest.fixture
def con_admin(demo_db):
    con = connect(demo_db)
    admin = create_user(con, "qt", "matkhau-1", "quan_tri")
    yield con, admin
    con.close()


def test_add_unit_and_alias_are_matched(con_admin):
    con, admin = con_admin
    add_unit(con, admin, "xa_ea_kao", "Xã Ea Kao", "xa", valid_from="01/07/2025", aliases=["UBND xã Ea Kao"])
    reg = Registry.from_db(con)
    assert reg.unit_matcher.match("xa ea kao").code == "xa_ea_kao"
    assert reg.unit_matcher.match("UBND xã Ea Kao").code == "xa_ea_kao"
    add_unit_alias(con, admin, "xa_ea_kao", "Ủy ban xã Ea Kao")
    assert Registry.from_db(con).unit_matcher.match("uy ban xa ea kao").code == "xa_ea_kao"
    assert con.execute("SELECT name FROM entity WHERE code = 'xa_ea_kao'").fetchone()[0] == "Xã Ea Kao"
    assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'registry_edit' AND username = 'qt'"
                       ).fetchone()[0] == 2


@pytest.mark.parametrize("code, name, message", [
    ("so_tu_phap", "Sở Tư pháp mới", "đã có"),
    ("so_tp_2", "SO TU PHAP", "trùng"),
    ("Sở TP", "Sở X", "không hợp lệ"),
    ("xa_a", "   ", "trống"),
])
def test_add_unit_refusals(con_admin, code, name, message):
    con, admin = con_admin
    with pytest.raises(RegistryEditError, match=message):
        add_unit(con, admin, code, name)


def test_rename_keeps_old_name_as_alias(con_admin):
    con, admin = con_admin
    rename_unit(con, admin, "so_ngoai_vu", "Sở Ngoại vụ tỉnh Đắk Lắk")
    m = Registry.from_db(con).unit_matcher
    assert m.name_of("so_ngoai_vu") == "Sở Ngoại vụ tỉnh Đắk Lắk"
    assert m.match("Sở Ngoại vụ").code == "so_ngoai_vu"
    with pytest.raises(RegistryEditError, match="trùng"):
        rename_unit(con, admin, "so_y_te", "Sở Tư pháp")
    # the data keeps its code: the page shows the new name at once
    assert con.execute("SELECT DISTINCT unit_name FROM v_activity WHERE unit_code = 'so_ngoai_vu'"
                       ).fetchall() == [("Sở Ngoại vụ tỉnh Đắk Lắk",)]


def _sum(con, unit, year, quarter):
    return con.execute("SELECT sum(actual) FROM v_activity WHERE unit_code = ? AND year = ? AND quarter = ?",
                       [unit, year, quarter]).fetchone()[0]


def _roll_back_reports(con, unit: str, year: int, quarter: int) -> None:
    for (batch_id,) in con.execute("SELECT id FROM batch WHERE kind = 'activities' AND unit_code = ? AND year = ? "
                                   "AND quarter = ? AND status = 'active'", [unit, year, quarter]).fetchall():
        rollback_batch(con, batch_id)


def test_merge_keeps_history_and_shows_old_data_under_successor_from_merge_date(con_admin):
    con, admin = con_admin
    # Sở Ngoại vụ reported Q1 and Q2/2025 in the sample data; Sở Y tế too.
    ngv_q1, ngv_q2, yte_q2 = _sum(con, "so_ngoai_vu", 2025, 1), _sum(con, "so_ngoai_vu", 2025, 2), \
        _sum(con, "so_y_te", 2025, 2)
    assert ngv_q1 and ngv_q2 and yte_q2
    # Sở Y tế stops sending its own Q2 report: the merged unit's quarter is then the old unit's data.
    _roll_back_reports(con, "so_y_te", 2025, 2)
    merge_unit(con, admin, "so_ngoai_vu", "so_y_te", "2025-04-01")
    row = con.execute("SELECT valid_to, successor FROM unit WHERE code = 'so_ngoai_vu'").fetchone()
    assert str(row[0]) == "2025-03-31" and row[1] == "so_y_te"
    assert _sum(con, "so_ngoai_vu", 2025, 1) == pytest.approx(ngv_q1)  # before the merge: its own
    assert _sum(con, "so_ngoai_vu", 2025, 2) is None  # from the merge date: under the successor
    assert _sum(con, "so_y_te", 2025, 2) == pytest.approx(ngv_q2)
    assert con.execute("SELECT current_code FROM unit_current WHERE code = 'so_ngoai_vu'").fetchone()[0] == "so_y_te"
    # nothing was deleted
    assert con.execute("SELECT count(*) FROM activity_value WHERE unit_code = 'so_ngoai_vu'").fetchone()[0] > 0
    with pytest.raises(RegistryEditError, match="đã được sáp nhập"):
        merge_unit(con, admin, "so_ngoai_vu", "so_tu_phap", "2025-07-01")
    with pytest.raises(RegistryEditError, match="ngừng hoạt động"):
        merge_unit(con, admin, "so_tu_phap", "so_ngoai_vu", "2025-07-01")


def test_merge_successor_own_value_wins_and_predecessors_add_up(con_admin):
    con, admin = con_admin
    merge_unit(con, admin, "so_ngoai_vu", "so_tu_phap", "2025-04-01")
    merge_unit(con, admin, "so_y_te", "so_tu_phap", "2025-04-01")
    own = con.execute("SELECT actual FROM cur_activity WHERE unit_code = 'so_tu_phap' AND year = 2025 AND quarter = 2 "
                      "AND metric_code = 'tin_bai'").fetchone()[0]
    assert con.execute("SELECT actual FROM v_activity WHERE unit_code = 'so_tu_phap' AND year = 2025 AND quarter = 2 "
                       "AND metric_code = 'tin_bai'").fetchone()[0] == own
    _roll_back_reports(con, "so_tu_phap", 2025, 2)
    parts = con.execute("SELECT sum(actual) FROM cur_activity WHERE unit_code IN ('so_ngoai_vu', 'so_y_te') "
                        "AND year = 2025 AND quarter = 2 AND metric_code = 'tin_bai'").fetchone()[0]
    assert con.execute("SELECT actual FROM v_activity WHERE unit_code = 'so_tu_phap' AND year = 2025 AND quarter = 2 "
                       "AND metric_code = 'tin_bai'").fetchone()[0] == pytest.approx(parts)


def test_merge_refreshes_a_materialised_v_activity(con_admin):
    con, admin = con_admin
    materialize.install(con)
    q2 = _sum(con, "so_ngoai_vu", 2025, 2)
    assert q2
    merge_unit(con, admin, "so_ngoai_vu", "so_y_te", "2025-04-01")
    assert _sum(con, "so_ngoai_vu", 2025, 2) is None  # the table was rebuilt with the new lineage
    rename_unit(con, admin, "so_y_te", "Sở Y tế tỉnh Đắk Lắk")
    assert con.execute("SELECT DISTINCT unit_name FROM v_activity WHERE unit_code = 'so_y_te'").fetchall() == \
        [("Sở Y tế tỉnh Đắk Lắk",)]


def test_chained_merge_and_cycle_refused(con_admin):
    con, admin = con_admin
    merge_unit(con, admin, "so_ngoai_vu", "so_y_te", "2025-04-01")
    merge_unit(con, admin, "so_y_te", "so_tu_phap", "2026-01-01")
    assert con.execute("SELECT current_code FROM unit_current WHERE code = 'so_ngoai_vu'").fetchone()[0] == "so_tu_phap"
    with pytest.raises(RegistryEditError):
        merge_unit(con, admin, "so_tu_phap", "so_ngoai_vu", "2026-06-01")


def test_indicators_and_aliases(con_admin):
    con, admin = con_admin
    add_indicator(con, admin, "van_ban_ra_soat", "Văn bản quy phạm pháp luật được rà soát", "count", "Thể chế",
                  "văn bản")
    assert Registry.from_db(con).indicator_matcher.match("van ban quy pham phap luat ra soat").code == "van_ban_ra_soat"
    add_indicator_alias(con, admin, "van_ban_ra_soat", "Số VBQPPL rà soát")
    assert Registry.from_db(con).indicator_matcher.match("VBQPPL rà soát").code == "van_ban_ra_soat"
    with pytest.raises(RegistryEditError, match="tỷ lệ"):
        add_indicator(con, admin, "x_y", "Chỉ tiêu X", "ratio")
    with pytest.raises(RegistryEditError, match="tin_bai"):
        add_indicator_alias(con, admin, "video_clip", "Số tin bài")


def test_only_administrators_edit_registries(con_admin):
    con, _ = con_admin
    ld = create_user(con, "ld", "matkhau-1", "lanh_dao")
    cb = create_user(con, "cb", "matkhau-1", "can_bo", unit_code="so_y_te")
    for user in (ld, cb, None):
        with pytest.raises(PermissionDenied):
            add_unit(con, user, "xa_b", "Xã B")
        with pytest.raises(PermissionDenied):
            merge_unit(con, user, "so_ngoai_vu", "so_y_te", "2025-04-01")
        with pytest.raises(PermissionDenied):
            add_unit_alias(con, user, "so_y_te", "Y tế ĐL")
    assert con.execute("SELECT count(*) FROM unit WHERE code = 'xa_b'").fetchone()[0] == 0


def test_suggest_code():
    assert suggest_code("Xã Ea Kao") == "xa_ea_kao"
    assert suggest_code("Xã Ea Kao", {"xa_ea_kao"}) == "xa_ea_kao_2"


# --- the page ------------------------------------------------------------------------------------------------------
import datetime as dt  # noqa: E402
from pathlib import Path  # noqa: E402

from streamlit.testing.v1 import AppTest  # noqa: E402

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "danh_muc.py")


@pytest.fixture
def page_db(demo_db, monkeypatch):
    monkeypatch.setenv("CCHC_DB", str(demo_db))
    with connect(demo_db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri")
        create_user(con, "ld", "matkhau-1", "lanh_dao")
        create_user(con, "cb", "matkhau-1", "can_bo", unit_code="so_y_te")
    return demo_db


def open_page(username):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["auth_user"] = username
    return at.run()


def submit(at, form: str, label: str):
    return at.button(key=f"FormSubmitter:{form}-{label}").click().run()


def test_page_adds_a_unit_and_an_alias(page_db):
    at = open_page("qt")
    assert [t.label for t in at.tabs] == ["Đơn vị", "Chỉ tiêu", "Tài khoản"]
    at.text_input(key="dm_au_name").set_value("UBND xã Ea Kao")
    at.selectbox(key="dm_au_kind").set_value("xa")
    at = submit(at, "dm_add_unit", "Thêm đơn vị")
    assert at.success[0].value == "Đã thêm đơn vị “UBND xã Ea Kao” (mã xa_ea_kao)."
    at.selectbox(key="dm_ua_unit").set_value("xa_ea_kao")
    at.text_input(key="dm_ua_alias").set_value("Xã Ea Kao, huyện Krông Pắc")
    at = submit(at, "dm_unit_alias", "Thêm")
    assert not at.error
    assert "Xã Ea Kao, huyện Krông Pắc" in " ".join(at.dataframe[0].value["Tên gọi khác"])


def test_page_refuses_a_duplicate_name_with_a_message(page_db):
    at = open_page("qt")
    at.text_input(key="dm_au_name").set_value("Sở Tư Pháp")
    at = submit(at, "dm_add_unit", "Thêm đơn vị")
    assert at.error[0].value.startswith("Chưa lưu: “Sở Tư Pháp” trùng với")


def test_page_merge_needs_confirmation_then_keeps_history(page_db):
    at = open_page("qt")
    at.selectbox(key="dm_mg_old").set_value("so_ngoai_vu")
    at.selectbox(key="dm_mg_new").set_value("so_y_te")
    at.date_input(key="dm_mg_date").set_value(dt.date(2025, 7, 1))
    at = submit(at, "dm_merge_unit", "Sáp nhập")
    assert at.error[0].value.startswith("Hãy đánh dấu ô xác nhận")
    at.checkbox(key="dm_mg_sure").check()
    at = submit(at, "dm_merge_unit", "Sáp nhập")
    assert at.success[0].value == "Đã sáp nhập “Sở Ngoại vụ” vào “Sở Y tế” từ 01/07/2025."
    table = at.dataframe[0].value
    row = table[table["Mã"] == "so_ngoai_vu"].iloc[0]
    assert row["Sáp nhập vào"] == "Sở Y tế"
    with connect(page_db) as con:
        assert con.execute("SELECT count(*) FROM v_activity WHERE unit_code = 'so_ngoai_vu' AND year = 2025 "
                           "AND quarter <= 2 AND actual IS NOT NULL").fetchone()[0] > 0


def test_page_creates_an_account(page_db):
    at = open_page("qt")
    at.text_input(key="dm_nu_user").set_value("nguyenvana")
    at.text_input(key="dm_nu_name").set_value("Nguyễn Văn A")
    at.selectbox(key="dm_nu_role").set_value("can_bo")
    at.selectbox(key="dm_nu_unit").set_value("so_tu_phap")
    at.text_input(key="dm_nu_pw1").set_value("mat-khau-1")
    at.text_input(key="dm_nu_pw2").set_value("mat-khau-1")
    at = submit(at, "dm_add_user", "Tạo tài khoản")
    assert at.success[0].value == "Đã tạo tài khoản “nguyenvana”."
    from loaders.accounts.users import verify
    with connect(page_db) as con:
        assert verify(con, "nguyenvana", "mat-khau-1").unit_code == "so_tu_phap"
        assert con.execute("SELECT username, action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == \
            ("qt", "user_add")


def test_leadership_reads_and_unit_staff_are_kept_out(page_db):
    at = open_page("ld")
    assert [t.label for t in at.tabs] == ["Đơn vị", "Chỉ tiêu"]
    assert not [b for b in at.button if b.key and b.key.startswith("FormSubmitter")]
    at = open_page("cb")
    assert at.warning[0].value.startswith("Tài khoản cán bộ đơn vị không dùng được trang này")
    assert not at.dataframe
