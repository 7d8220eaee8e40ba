"""Sign-in sessions (loaders/accounts/sessions.py): a grant is spent once for a signed cookie; the cookie resumes
the session until it is signed out, idle, too old, its account disabled or its password changed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from loaders.accounts import sessions
from loaders.accounts.users import create_user, get_user, set_password, update_user
from loaders.store.schema import connect
from tests.test_roles import APP, HISTORY, db  # noqa: F401 - db: the demo database with the roles' accounts


@pytest.fixture
def con(fresh_db, monkeypatch):
    monkeypatch.delenv("CCHC_SESSION_IDLE_HOURS", raising=False)
    monkeypatch.delenv("CCHC_SESSION_DAYS", raising=False)
    monkeypatch.delenv("CCHC_SESSION_SECRET", raising=False)
    with connect(fresh_db) as c:
        create_user(c, "qt", "matkhau-1", "quan_tri")
        create_user(c, "ld", "matkhau-1", "lanh_dao")
        yield c


class Clock:
    """sessions._now, moved by hand."""

    def __init__(self, monkeypatch):
        self.now = sessions._now()
        monkeypatch.setattr(sessions, "_now", lambda: self.now)

    def advance(self, **delta):
        self.now += timedelta(**delta)


def signed_in(con, name="qt"):
    """(session id, cookie value, max-age) of a fresh sign-in whose grant the browser has spent."""
    session_id, grant = sessions.open_session(con, get_user(con, name))
    cookie, max_age = sessions.redeem_grant(con, grant)
    return session_id, cookie, max_age


def test_grant_buys_one_signed_cookie_that_resumes_the_session(con):
    session_id, grant = sessions.open_session(con, get_user(con, "qt"))
    assert sessions.resume(con, grant) is None  # the grant is not a cookie
    cookie, max_age = sessions.redeem_grant(con, grant)
    assert max_age == pytest.approx(7 * 24 * 3600, abs=5)
    assert sessions.redeem_grant(con, grant) is None  # spent
    found = sessions.resume(con, cookie)
    assert found.id == session_id and found.user.username == "qt"
    # only digests are stored: neither the grant nor the token is in the table
    row = con.execute("SELECT * FROM app_session").fetchall()
    assert grant not in str(row) and cookie.split(".")[0] not in str(row)


@pytest.mark.parametrize("tamper", [
    lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"),  # signature changed
    lambda c: "x" + c,                                  # token changed, old signature
    lambda c: c.split(".")[0],                          # signature missing
    lambda c: "",
    lambda c: "ä" * 10 + "." + "b" * 32,
])
def test_a_forged_cookie_resumes_nothing(con, tamper):
    _, cookie, _ = signed_in(con)
    assert sessions.resume(con, tamper(cookie)) is None


def test_a_stale_grant_is_refused(con, monkeypatch):
    clock = Clock(monkeypatch)
    _, grant = sessions.open_session(con, get_user(con, "qt"))
    clock.advance(seconds=sessions.GRANT_SECONDS + 1)
    assert sessions.redeem_grant(con, grant) is None


def test_sign_out_ends_that_session_only(con):
    first, cookie, _ = signed_in(con)
    second, other_cookie, _ = signed_in(con)
    sessions.end(con, first)
    assert sessions.resume(con, cookie) is None and sessions.check(con, first) is None
    assert sessions.resume(con, other_cookie).id == second
    assert con.execute("SELECT end_reason FROM app_session WHERE id = ?", [first]).fetchone()[0] == "sign_out"


def test_an_idle_session_ends_and_use_keeps_it_alive(con, monkeypatch):
    clock = Clock(monkeypatch)
    session_id, cookie, _ = signed_in(con)
    for _ in range(5):  # used every 7 hours: alive after 35 hours
        clock.advance(hours=7)
        assert sessions.check(con, session_id) is not None
    clock.advance(hours=8, minutes=1)
    assert sessions.resume(con, cookie) is None
    assert con.execute("SELECT end_reason FROM app_session").fetchone()[0] == "idle"


def test_the_idle_limit_is_a_setting(con, monkeypatch):
    monkeypatch.setenv("CCHC_SESSION_IDLE_HOURS", "0,5")
    clock = Clock(monkeypatch)
    session_id, _, _ = signed_in(con)
    clock.advance(minutes=29)
    assert sessions.check(con, session_id) is not None
    clock.advance(minutes=31)
    assert sessions.check(con, session_id) is None
    monkeypatch.setenv("CCHC_SESSION_IDLE_HOURS", "tám")
    with pytest.raises(sessions.SessionError, match="CCHC_SESSION_IDLE_HOURS"):
        sessions.idle_limit()


def test_a_session_ends_at_its_lifetime_however_used(con, monkeypatch):
    monkeypatch.setenv("CCHC_SESSION_DAYS", "1")
    clock = Clock(monkeypatch)
    session_id, _, max_age = signed_in(con)
    assert max_age == pytest.approx(24 * 3600, abs=5)  # the cookie expires with the session
    for _ in range(4):
        clock.advance(hours=5)
        assert sessions.check(con, session_id) is not None
    clock.advance(hours=5)
    assert sessions.check(con, session_id) is None


def test_a_disabled_account_or_a_new_password_ends_its_sessions(con):
    qt, qt_cookie, _ = signed_in(con, "qt")
    ld, ld_cookie, _ = signed_in(con, "ld")
    update_user(con, "ld", by="qt", active=False)
    assert sessions.resume(con, ld_cookie) is None
    update_user(con, "ld", by="qt", active=True)
    assert sessions.resume(con, ld_cookie) is None  # ended for good, not paused
    set_password(con, "qt", "mat-khau-moi", by="qt")
    assert sessions.check(con, qt) is None
    reasons = dict(con.execute("SELECT id, end_reason FROM app_session").fetchall())
    assert reasons == {qt: "password", ld: "inactive"}


def test_a_role_change_applies_at_once_without_ending_the_session(con):
    session_id, _, _ = signed_in(con, "ld")
    update_user(con, "ld", by="qt", role="quan_tri")
    assert sessions.check(con, session_id).user.role == "quan_tri"


def test_a_check_without_the_writer_writes_nothing(con, monkeypatch):
    clock = Clock(monkeypatch)
    session_id, _, _ = signed_in(con)
    clock.advance(hours=9)
    assert sessions.check(con, session_id, write=False) is None
    assert con.execute("SELECT ended_at FROM app_session").fetchone()[0] is None  # the next run ends it


def test_use_is_noted_at_most_once_a_minute(con, monkeypatch):
    clock = Clock(monkeypatch)
    session_id, _, _ = signed_in(con)
    seen = lambda: con.execute("SELECT last_seen_at FROM app_session").fetchone()[0]  # noqa: E731
    start = seen()
    clock.advance(seconds=30)
    sessions.check(con, session_id)
    assert seen() == start
    clock.advance(seconds=31)
    sessions.check(con, session_id)
    assert seen() == clock.now


def test_the_signing_key_can_be_set_and_changing_it_signs_everyone_out(con, monkeypatch):
    _, cookie, _ = signed_in(con)
    monkeypatch.setenv("CCHC_SESSION_SECRET", "một khóa khác")
    assert sessions.resume(con, cookie) is None
    _, cookie, _ = signed_in(con)
    assert sessions.resume(con, cookie) is not None


# --- the page side (dashboard/auth.py) ----------------------------------------------------------------------------
def test_signing_in_opens_a_session_and_hands_the_page_a_grant(db, monkeypatch):
    monkeypatch.setenv("CCHC_OPEN_READ", "0")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="signin_main_user").set_value("qt")
    at.text_input(key="signin_main_password").set_value("matkhau-1")
    at = at.button[0].click().run()
    session_id = at.session_state["auth_session"]
    assert at.title[0].value == "Tổng quan"
    with connect(db) as c:
        assert c.execute("SELECT username, grant_hash IS NOT NULL FROM app_session WHERE id = ?",
                         [session_id]).fetchone() == ("qt", True)
    # the page posts the grant once to the cookie route (the browser tests follow it through)
    scripts = [h.proto.body for h in at.get("html") if "api/phien" in h.proto.body]
    assert len(scripts) == 1 and "method: 'POST'" in scripts[0]


def test_a_tab_whose_session_ended_elsewhere_is_signed_out_on_its_next_run(db):
    at = AppTest.from_file(HISTORY, default_timeout=60)
    with connect(db) as c:
        session_id, _ = sessions.open_session(c, get_user(c, "qt"))
    at.session_state["auth_user"] = "qt"
    at.session_state["auth_session"] = session_id
    at.run()
    assert at.dataframe
    with connect(db) as c:
        sessions.end(c, session_id)  # signed out in another tab
    at.run()
    assert not at.dataframe
    assert at.warning[0].value.startswith("Trang này cần đăng nhập")
    assert at.info[0].value.startswith("Phiên đăng nhập đã kết thúc")
