"""Roles: who sees which page, and who may write — enforced where the write happens, not only in the UI."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import LEADERSHIP_PAGES, PAGE_ROLES, can_see
from loaders import uploads as actions
from loaders.store.schema import connect
from loaders.store.batches import BatchError
from loaders.accounts.users import PermissionDenied, User, create_user, get_user
from tests import upload_files as F

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
UPLOAD = str(ROOT / "pages" / "tai_len.py")
HISTORY = str(ROOT / "pages" / "lich_su.py")


@pytest.fixture
def db(demo_db, monkeypatch):
    monkeypatch.setenv("CCHC_DB", str(demo_db))
    monkeypatch.setenv("CCHC_OPEN_READ", "1")
    with connect(demo_db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri")
        create_user(con, "cbtp", "matkhau-1", "can_bo", unit_code="so_tu_phap")
        create_user(con, "cbyt", "matkhau-1", "can_bo", unit_code="so_y_te")
        create_user(con, "ld", "matkhau-1", "lanh_dao")
    return demo_db


def users(con):
    return {n: get_user(con, n) for n in ("qt", "cbtp", "cbyt", "ld")}


def n_batches(con) -> int:
    return con.execute("SELECT count(*) FROM batch").fetchone()[0]


# --- who sees what ----------------------------------------------------------------------------------------------
def test_page_visibility_matrix(monkeypatch):
    monkeypatch.setenv("CCHC_OPEN_READ", "1")
    anon, ld, cb, qt = None, User("ld", "lanh_dao"), User("cb", "can_bo", unit_code="x"), User("qt", "quan_tri")
    for p in LEADERSHIP_PAGES:
        assert all(can_see(p, u) for u in (anon, ld, cb, qt))
    for p in PAGE_ROLES:
        assert not can_see(p, anon)
        assert can_see(p, qt) and can_see(p, ld)
    assert can_see("pages/tai_len.py", cb) and can_see("pages/lich_su.py", cb)
    assert not can_see("pages/danh_muc.py", cb)
    monkeypatch.setenv("CCHC_OPEN_READ", "0")
    assert not any(can_see(p, anon) for p in [*LEADERSHIP_PAGES, *PAGE_ROLES])
    assert all(can_see(p, ld) for p in LEADERSHIP_PAGES)


def test_closed_deployment_shows_only_the_sign_in_form_then_signs_in(db, monkeypatch):
    monkeypatch.setenv("CCHC_OPEN_READ", "0")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert [t.value for t in at.title] == ["Đăng nhập"]
    assert not at.get("plotly_chart") and not at.dataframe
    at.text_input(key="signin_main_user").set_value("qt")
    at.text_input(key="signin_main_password").set_value("sai-mat-khau")
    at = at.button[0].click().run()
    assert at.error[0].value.startswith("Sai tên đăng nhập hoặc mật khẩu")
    at.text_input(key="signin_main_user").set_value("qt")
    at.text_input(key="signin_main_password").set_value("matkhau-1")
    at = at.button[0].click().run()
    assert at.session_state["auth_user"] == "qt"
    assert "Đăng nhập: **qt** (Quản trị)" in [c.value for c in at.sidebar.caption]
    with connect(db) as con:
        actions_seen = [r[0] for r in con.execute(
            "SELECT action FROM audit_log WHERE username = 'qt' AND action LIKE 'sign_in%' ORDER BY id").fetchall()]
    assert actions_seen == ["sign_in_failed", "sign_in"]


def test_open_read_access_shows_leadership_pages_and_a_sign_in_box(db):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Tổng quan"
    assert at.sidebar.text_input(key="signin_sidebar_user")


def test_anonymous_visitor_of_a_data_page_gets_the_sign_in_form(db):
    for page in (UPLOAD, HISTORY):
        at = AppTest.from_file(page, default_timeout=60).run()
        assert at.warning[0].value.startswith("Trang này cần đăng nhập")
        assert not at.dataframe and not at.get("file_uploader")


def test_a_locked_account_loses_access_at_once(db):
    at = AppTest.from_file(HISTORY, default_timeout=60)
    at.session_state["auth_user"] = "cbtp"
    at.run()
    assert at.dataframe
    with connect(db) as con:
        con.execute("UPDATE app_user SET active = false WHERE username = 'cbtp'")
    at.run()
    assert at.warning[0].value.startswith("Trang này cần đăng nhập")


# --- uploads ------------------------------------------------------------------------------------------------------
def test_staff_cannot_upload_for_another_unit_even_with_its_letterhead(db):
    """Sở Tư pháp's staff upload a report whose letterhead names Sở Y tế: refused on the page and in the write."""
    content = F.unit_report(unit_line="SỞ Y TẾ", quarter_title="QUÝ IV NĂM 2025")
    at = AppTest.from_file(UPLOAD, default_timeout=60)
    at.session_state["auth_user"] = "cbtp"
    at.run()
    at.file_uploader(key="tl_files").set_value([("y_te.xlsx", content, F.XLSX_MIME)])
    at.run()
    text = " ".join(e.value for e in at.error) + " ".join(m.value for m in at.markdown)
    assert "tiêu đề ghi đơn vị “SỞ Y TẾ”" in text and "Sở Tư pháp" in text
    assert not [b for b in at.button if b.key and b.key.startswith("tl_commit")]
    with connect(db) as con:
        u = users(con)
        before = n_batches(con)
        # Even a batch read without the staff's unit (as an administrator would) is refused at the write.
        parsed = actions.read_upload(con, u["qt"], "y_te.xlsx", content)
        assert parsed.ok and {r.unit_code for r in parsed.batch.activities} == {"so_y_te"}
        with pytest.raises(PermissionDenied, match="chỉ được nạp và sửa số liệu của đơn vị mình|đơn vị khác"):
            actions.commit_upload(con, u["cbtp"], parsed)
        assert n_batches(con) == before
        assert con.execute("SELECT username, action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == \
            ("cbtp", "upload_refused")
        # The rightful unit's staff may load it.
        assert actions.commit_upload(con, u["cbyt"], parsed).created


def test_staff_cannot_load_a_rollup_with_other_units(db):
    csv = F.tidy_csv([("Sở Tư pháp", 2025, 4, "Số tin bài", 5), ("Sở Y tế", 2025, 4, "Số tin bài", 6)])
    with connect(db) as con:
        u = users(con)
        parsed = actions.read_upload(con, u["qt"], "tong_hop.csv", csv)
        problems = actions.upload_problems(con, u["cbtp"], parsed)
        assert problems and "Sở Y tế" in problems[0]
        with pytest.raises(PermissionDenied):
            actions.commit_upload(con, u["cbtp"], parsed)
        assert actions.commit_upload(con, u["qt"], parsed).created  # the office may


def test_viewers_and_anonymous_cannot_upload(db):
    with connect(db) as con:
        u = users(con)
        parsed = actions.read_upload(con, u["qt"], "bc.xlsx", F.unit_report(quarter_title="QUÝ IV NĂM 2025"))
        before = n_batches(con)
        for who in (u["ld"], None, User("ai_do", "quan_tri")):  # a forged user the database does not know
            with pytest.raises(PermissionDenied):
                actions.commit_upload(con, who, parsed)
        assert n_batches(con) == before


# --- rollbacks ----------------------------------------------------------------------------------------------------
def _unit_batch(con, unit):
    return con.execute("SELECT max(id) FROM batch WHERE kind = 'activities' AND unit_code = ? AND status = 'active'",
                       [unit]).fetchone()[0]


def test_viewer_cannot_roll_back(db):
    with connect(db) as con:
        u = users(con)
        bid = _unit_batch(con, "so_tu_phap")
        for who in (u["ld"], None):
            with pytest.raises(PermissionDenied):
                actions.rollback(con, who, bid)
        assert con.execute("SELECT status FROM batch WHERE id = ?", [bid]).fetchone()[0] == "active"
        assert con.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0] == "rollback_refused"


def test_staff_roll_back_only_their_units_batches(db):
    with connect(db) as con:
        u = users(con)
        other = _unit_batch(con, "so_y_te")
        with pytest.raises(PermissionDenied, match="đơn vị mình"):
            actions.rollback(con, u["cbtp"], other)
        targets = con.execute("SELECT min(id) FROM batch WHERE kind = 'targets'").fetchone()[0]
        with pytest.raises(PermissionDenied):
            actions.rollback(con, u["cbtp"], targets)  # a batch of all units' targets
        own = _unit_batch(con, "so_tu_phap")
        actions.rollback(con, u["cbtp"], own)
        assert con.execute("SELECT status, rolled_back_by FROM batch WHERE id = ?", [own]).fetchone() == \
            ("rolled_back", "cbtp")
        with pytest.raises(BatchError, match="đã được hoàn tác"):
            actions.rollback(con, u["qt"], own)
        actions.rollback(con, u["qt"], other)  # an administrator may roll back anything


def test_viewer_sees_no_rollback_button(db):
    with connect(db) as con:
        bid = _unit_batch(con, "so_tu_phap")
    at = AppTest.from_file(HISTORY, default_timeout=60)
    at.session_state["auth_user"] = "ld"
    at.run()
    at.selectbox(key="ls_batch").set_value(bid).run()
    assert not [b for b in at.button if b.key == f"ls_rollback_{bid}"]
