"""Lịch sử: the batch list with filters, a batch's rows and original file, rollback with confirmation, audit."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from loaders.store.schema import connect
from loaders.store.batches import Batch, ActivityRow, write_batch
from loaders.accounts.users import create_user

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "lich_su.py")


@pytest.fixture
def db(demo_db, monkeypatch):
    monkeypatch.setenv("CCHC_DB", str(demo_db))
    monkeypatch.setenv("CCHC_OPEN_READ", "1")
    with connect(demo_db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri")
        create_user(con, "cbtp", "matkhau-1", "can_bo", unit_code="so_tu_phap")
        create_user(con, "ld", "matkhau-1", "lanh_dao")
        # a correction sent by the unit: Q3/2025 tin_bai 41 instead of the sample value
        bid = write_batch(con, Batch("activities", file_name="bao_cao_sua.xlsx", content=b"original bytes",
                                     uploaded_by="cbtp", unit_code="so_tu_phap", year=2025, quarter=3,
                                     activities=[ActivityRow("so_tu_phap", 2025, 3, "tin_bai", 41.0, "Báo cáo", 7,
                                                             "D")])).batch_id
    return demo_db, bid


def page(username):
    at = AppTest.from_file(PAGE, default_timeout=60)
    if username:
        at.session_state["auth_user"] = username
    return at.run()


def current_tin_bai(db):
    with connect(db) as con:
        return con.execute("SELECT actual FROM v_activity WHERE unit_code = 'so_tu_phap' AND year = 2025 "
                           "AND quarter = 3 AND metric_code = 'tin_bai'").fetchone()[0]


def test_list_shows_who_when_file_unit_period_rows_status(db):
    path, bid = db
    at = page("qt")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["Lô", "Thời gian", "Người gửi", "Tệp", "Đơn vị", "Kỳ", "Số dòng", "Trạng thái"]
    first = table.iloc[0]
    assert (first["Lô"], first["Người gửi"], first["Tệp"], first["Đơn vị"], first["Kỳ"], first["Số dòng"],
            first["Trạng thái"]) == (bid, "cbtp", "bao_cao_sua.xlsx", "Sở Tư pháp", "Quý III/2025", 1, "Đang dùng")
    assert [t.label for t in at.tabs] == ["Các lô số liệu", "Nhật ký thao tác"]


def test_filters_by_unit_and_period(db):
    path, bid = db
    at = page("qt")
    at.selectbox(key="ls_unit").set_value("so_y_te").run()
    units = set(at.dataframe[0].value["Đơn vị"])
    assert "Sở Tư pháp" not in units and "Sở Y tế" in units
    at.selectbox(key="ls_period").set_value((2025, 3)).run()
    table = at.dataframe[0].value
    assert set(table["Kỳ"]) == {"Quý III/2025"} and len(table) == 1


def test_open_batch_rows_file_and_rollback_with_confirmation(db):
    path, bid = db
    assert current_tin_bai(path) == 41
    at = page("qt")
    at.selectbox(key="ls_batch").set_value(bid).run()
    assert not at.exception
    rows = at.dataframe[1].value
    assert list(rows["Chỉ tiêu"]) == ["Tin, bài về CCHC trên Cổng/Trang thông tin điện tử"]
    assert list(rows["Đang dùng"]) == ["Có"] and list(rows["Dòng"]) == ["7"] and list(rows["Cột"]) == ["D"]
    download = at.get("download_button")
    assert download, "the original file's download is missing"
    effect = at.dataframe[2].value
    assert effect.iloc[0]["Đang dùng"] == 41 and effect.iloc[0]["Sau khi hoàn tác"] != 41
    button = at.button(key=f"ls_rollback_{bid}")
    assert button.disabled  # confirmation first
    at.checkbox(key=f"ls_confirm_{bid}").check().run()
    at.button(key=f"ls_rollback_{bid}").click().run()
    assert at.success[0].value == f"Đã hoàn tác lô số {bid}: số liệu trước đó được dùng lại."
    assert current_tin_bai(path) != 41
    with connect(path) as con:
        assert con.execute("SELECT status, rolled_back_by FROM batch WHERE id = ?", [bid]).fetchone() == \
            ("rolled_back", "qt")
        assert con.execute("SELECT username, action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == \
            ("qt", "rollback")


def test_unit_staff_see_only_their_unit_and_may_roll_back_its_batch(db):
    path, bid = db
    at = page("cbtp")
    assert set(at.dataframe[0].value["Đơn vị"]) == {"Sở Tư pháp"}
    assert not at.tabs  # no audit tab for unit staff
    at.selectbox(key="ls_batch").set_value(bid).run()
    at.checkbox(key=f"ls_confirm_{bid}").check().run()
    at.button(key=f"ls_rollback_{bid}").click().run()
    assert current_tin_bai(path) != 41


def test_viewer_cannot_roll_back(db):
    path, bid = db
    at = page("ld")
    at.selectbox(key="ls_batch").set_value(bid).run()
    assert not [b for b in at.button if b.key and b.key.startswith("ls_rollback")]
    assert any("chỉ được xem" in c.value for c in at.caption)
    assert current_tin_bai(path) == 41


def test_audit_trail_tab(db):
    path, bid = db
    with connect(path) as con:
        from loaders.accounts.audit import record
        record(con, "cbtp", "sign_in")
    at = page("ld")
    audit = at.dataframe[-1].value
    assert {"Đăng nhập", "Tạo tài khoản"} <= set(audit["Thao tác"])
    at.selectbox(key="ls_audit_user").set_value("cbtp").run()
    assert set(at.dataframe[-1].value["Người thực hiện"]) == {"cbtp"}


def test_the_open_tab_lives_in_the_url(db):
    assert page("ld").session_state["tab"] == "Các lô số liệu"  # no parameter: the first tab
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["auth_user"] = "ld"
    at.query_params["tab"] = "Nhật ký thao tác"
    at.run()
    assert not at.exception
    assert at.session_state["tab"] == "Nhật ký thao tác"
