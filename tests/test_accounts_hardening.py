"""Accounts (issue 14): failed sign-ins slow the machine that fails, never the right password from elsewhere, and
count in one audit row; typed names are checked before they are recorded; a minimum password policy; the account
functions check the caller's role themselves; the demo administrator lives only in a demo database."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from core import clock
from loaders.accounts import throttle
from loaders.accounts.audit import entries
from loaders.accounts.users import (
    PermissionDenied,
    User,
    UserError,
    check_password_rules,
    create_user,
    get_user,
    set_password,
    sign_in,
    update_user,
    verify,
)
from loaders.store.schema import connect

ROOT = Path(__file__).resolve().parent.parent
ATTACKER, OFFICE = "10.0.0.66", "10.0.0.5"
START = dt.datetime(2026, 3, 2, 8, 0)


@pytest.fixture
def con(fresh_db):
    with connect(fresh_db) as con:
        create_user(con, "qt", "quantri-2025", "quan_tri", "Quản trị")
        create_user(con, "cb", "matkhau-1", "can_bo", "Cán bộ", unit_code="so_tu_phap")
        with clock.fixed(START):
            yield con


def failures(con) -> list[tuple]:
    return [(r[2], r[4]) for r in entries(con, action="sign_in_failed")]


def test_failures_ask_for_growing_pauses_that_hammering_does_not_lengthen(con):
    waits = []
    for _ in range(12):
        user, message = sign_in(con, "qt", "sai-mat-khau-1", client=ATTACKER)
        assert user is None
        waits.append(throttle.wait_seconds(con, ATTACKER, "qt"))
        for _ in range(50 if waits[-1] else 0):  # tries during a pause are refused unchecked and change nothing
            assert "hãy đợi" in sign_in(con, "qt", "sai-mat-khau-1", client=ATTACKER)[1]
        clock.advance(waits[-1])
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60]  # three free, then doubling, at most a minute
    [(who, detail)] = failures(con)  # 12 failures and 600 refused tries: one audit row
    assert who == "qt" and "12 lần liên tiếp từ máy 10.0.0.66" in detail


def test_the_right_password_from_the_office_is_never_slowed_by_the_attacker(con):
    for _ in range(8):
        sign_in(con, "qt", "doan-mo-123", client=ATTACKER)
        clock.advance(throttle.wait_seconds(con, ATTACKER, "qt"))
    sign_in(con, "qt", "doan-mo-123", client=ATTACKER)
    assert "hãy đợi" in sign_in(con, "qt", "quantri-2025", client=ATTACKER)[1]  # that machine waits, even right
    user, message = sign_in(con, "qt", "quantri-2025", client=OFFICE)
    assert user is not None and user.username == "qt", message
    # the right password ends the name's streaks (the attacker's machine keeps its own)
    assert con.execute("SELECT client, name FROM sign_in_throttle").fetchall() == [(ATTACKER, throttle.CLIENT_SCOPE)]


def test_the_right_password_from_the_same_machine_waits_at_most_a_minute(con):
    for _ in range(30):
        sign_in(con, "qt", "doan-mo-123", client=ATTACKER)
        clock.advance(throttle.wait_seconds(con, ATTACKER, "qt"))
    sign_in(con, "qt", "doan-mo-123", client=ATTACKER)
    assert throttle.wait_seconds(con, ATTACKER, "qt") == 60
    clock.advance(60)
    assert sign_in(con, "qt", "quantri-2025", client=ATTACKER)[0] is not None


def test_spraying_one_password_over_many_names_is_slowed_per_machine(con):
    names = [f"nguoi{i}" for i in range(8)] + ["qt"]
    outcomes = [sign_in(con, name, "matkhau-1", client=ATTACKER)[1] for name in names]
    assert all("Sai tên đăng nhập" in m for m in outcomes[:3])
    assert all("hãy đợi" in m for m in outcomes[4:])  # after the fourth failure the machine must pause
    assert sign_in(con, "qt", "quantri-2025", client=OFFICE)[0] is not None  # others are not
    clock.advance(throttle.MAX_DELAY_SECONDS["client"] + 1)
    assert sign_in(con, "cb", "matkhau-1", client=ATTACKER)[0] is not None


def test_a_typed_name_is_checked_before_it_is_recorded(con):
    sign_in(con, "=cmd|' /C calc'!A0", "x12345678", client=ATTACKER)
    sign_in(con, "@SUM(1+1)*cmd", "x12345678", client=OFFICE)
    found = failures(con)
    assert [who for who, _ in found] == [None, None]
    assert all("không hợp lệ" in d and "cmd" not in d and "=" not in d for _, d in found)


def test_the_password_policy():
    for weak, why in [("abc123", "ít nhất 8"), ("matkhauvn", "cả chữ và số"), ("12345678", "cả chữ và số"),
                      ("admin123", "dễ đoán"), ("aaaaaaaa1", "dễ đoán"), (" matkhau-1", "khoảng trắng"),
                      ("nguyenvana-1", "tên đăng nhập")]:
        with pytest.raises(UserError, match=why):
            check_password_rules(weak, "nguyenvana")
    check_password_rules("matkhau-1", "nguyenvana")
    check_password_rules("một câu mật khẩu dài", "nguyenvana")  # 12 characters or more: any kind


def test_account_functions_check_the_callers_role_themselves(con):
    leader = create_user(con, "ld", "lanhdao-2025", "lanh_dao", "Lãnh đạo")
    staff = get_user(con, "cb")
    with pytest.raises(PermissionDenied):
        create_user(con, "moi", "matkhau-1", "quan_tri", by=leader)
    with pytest.raises(PermissionDenied):
        update_user(con, "qt", by=staff, active=False)
    with pytest.raises(PermissionDenied):
        set_password(con, "qt", "chiem-quyen-1", by=staff)
    with pytest.raises(PermissionDenied):  # a forged User object: the role is read from the database
        create_user(con, "moi", "matkhau-1", "quan_tri", by=User("cb", "quan_tri"))
    set_password(con, "cb", "matkhau-moi-2", by=staff)  # one's own password
    create_user(con, "moi", "matkhau-1", "can_bo", unit_code="so_y_te", by=get_user(con, "qt"))
    assert verify(con, "cb", "matkhau-moi-2") and get_user(con, "moi")
    assert entries(con, action="user_add")[0][2] == "qt"


def test_the_demo_administrator_lives_only_in_a_demo_database(tmp_path, capsys):
    from loaders.cli import main

    demo, real = tmp_path / "demo.duckdb", tmp_path / "real.duckdb"
    assert main(["--db", str(real), "init"]) == 0
    assert main(["--db", str(demo), "demo"]) == 0
    assert "admin / admin" in capsys.readouterr().out
    with connect(real) as c:
        assert c.execute("SELECT count(*) FROM app_user").fetchone()[0] == 0
    with connect(demo) as c:
        assert verify(c, "admin", "admin").role == "quan_tri"
    # a database with its own accounts never gets it, even with sample data loaded
    assert main(["--db", str(real), "user", "add", "vanphong", "--role", "quan_tri", "--password", "vp-quantri-2025"]) == 0
    assert main(["--db", str(real), "demo"]) == 0
    with connect(real) as c:
        assert get_user(c, "admin") is None


def test_start_sh_builds_the_demo_only_without_a_database_and_listens_on_this_machine():
    script = (ROOT / "scripts" / "start.sh").read_text(encoding="utf-8")
    demo_branch = script[script.index('if [ -z "${CCHC_DB:-}" ]'):script.index("else")]
    real_branch = script[script.index("else"):script.index("fi\nADDRESS")]
    assert "loaders --db \"$CCHC_DB\" demo" in demo_branch and "demo" not in real_branch.replace("demo)", "")
    assert "user add admin" not in script and "--password admin" not in script
    assert re.search(r'ADDRESS=\$\{CCHC_ADDRESS:-127\.0\.0\.1\}', script)
    assert '--server.address "$ADDRESS"' in script
    assert "CCHC_OPEN_READ=${CCHC_OPEN_READ:-0}" in real_branch
