"""Accounts: Argon2 hashes, verification, roles and the `user` command line."""
from __future__ import annotations

import subprocess
import sys

import pytest

from loaders.cli import main
from loaders.store.schema import connect
from loaders.accounts.users import (PermissionDenied, User, UserError, create_user, get_user, list_users, require_role,
                           require_unit, set_password, update_user, verify)

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def test_hash_is_salted_argon2_and_verifies(fresh_db):
    with connect(fresh_db) as con:
        create_user(con, "a1", "matkhau-1", "quan_tri", "Quản trị")
        create_user(con, "a2", "matkhau-1", "lanh_dao")
        h1, h2 = [r[0] for r in con.execute("SELECT password_hash FROM app_user ORDER BY username").fetchall()]
        assert h1.startswith("$argon2id$") and h1 != h2  # same password, different salt
        assert "matkhau-1" not in h1
        user = verify(con, "A1", "matkhau-1")  # user names are case-insensitive
        assert user == User("a1", "quan_tri", "Quản trị", None, True)
        assert verify(con, "a1", "wrong") is None
        assert verify(con, "nobody", "matkhau-1") is None
        assert verify(con, "", "") is None


def test_create_rules(fresh_db):
    with connect(fresh_db) as con:
        with pytest.raises(UserError, match="đơn vị"):
            create_user(con, "cb", "matkhau-1", "can_bo")
        with pytest.raises(UserError, match="không có đơn vị"):
            create_user(con, "cb", "matkhau-1", "can_bo", unit_code="khong_co")
        with pytest.raises(UserError, match="vai trò"):
            create_user(con, "cb", "matkhau-1", "boss")
        with pytest.raises(UserError, match="ít nhất"):
            create_user(con, "cb", "abc", "lanh_dao")
        with pytest.raises(UserError, match="không hợp lệ"):
            create_user(con, "Nguyễn A", "matkhau-1", "lanh_dao")
        create_user(con, "cb", "matkhau-1", "can_bo", unit_code="so_tu_phap")
        with pytest.raises(UserError, match="đã có"):
            create_user(con, "CB", "matkhau-2", "lanh_dao")
        assert [u.username for u in list_users(con)] == ["cb"]
        actions = [r[0] for r in con.execute("SELECT action FROM audit_log").fetchall()]
        assert actions == ["user_add"]


def test_disable_and_password_change(fresh_db):
    with connect(fresh_db) as con:
        create_user(con, "admin", "matkhau-1", "quan_tri")
        create_user(con, "ld", "matkhau-1", "lanh_dao")
        update_user(con, "ld", by="admin", active=False)
        assert verify(con, "ld", "matkhau-1") is None
        with pytest.raises(PermissionDenied):
            require_role(con, User("ld", "lanh_dao"), "lanh_dao")  # a locked account can do nothing
        update_user(con, "ld", by="admin", active=True)
        set_password(con, "ld", "matkhau-2", by="admin")
        assert verify(con, "ld", "matkhau-1") is None and verify(con, "ld", "matkhau-2") is not None
        with pytest.raises(UserError, match="cuối cùng"):
            update_user(con, "admin", by="admin", role="lanh_dao")


def test_permission_rules(fresh_db):
    with connect(fresh_db) as con:
        cb = create_user(con, "cb", "matkhau-1", "can_bo", unit_code="so_tu_phap")
        ld = create_user(con, "ld", "matkhau-1", "lanh_dao")
        qt = create_user(con, "qt", "matkhau-1", "quan_tri")
        assert require_unit(con, cb, "so_tu_phap") == cb
        with pytest.raises(PermissionDenied, match="chỉ được nạp và sửa số liệu của đơn vị mình"):
            require_unit(con, cb, "so_y_te")
        with pytest.raises(PermissionDenied, match="chỉ được xem"):
            require_unit(con, ld, "so_tu_phap")
        assert require_unit(con, qt, "so_y_te") == qt
        with pytest.raises(PermissionDenied, match="đăng nhập"):
            require_unit(con, None, "so_y_te")
        # A user object claiming a role the database does not give it gets nothing.
        with pytest.raises(PermissionDenied):
            require_role(con, User("cb", "quan_tri"), "quan_tri")


def test_cli_add_list_passwd(fresh_db, capsys):
    db = str(fresh_db)
    assert main(["--db", db, "user", "add", "admin", "--role", "quan_tri", "--password", "quantri-2025",
                 "--name", "Quản trị (demo)"]) == 0
    assert "Đã tạo tài khoản admin" in capsys.readouterr().out
    assert main(["--db", db, "user", "add", "admin", "--role", "quan_tri", "--password", "quantri-2025"]) == 1
    assert "đã có" in capsys.readouterr().err
    assert main(["--db", db, "user", "add", "cb", "--role", "can_bo", "--unit", "so_y_te",
                 "--password", "matkhau-1"]) == 0
    assert main(["--db", db, "user", "list"]) == 0
    out = capsys.readouterr().out
    assert "admin" in out and "Quản trị (demo)" in out and "so_y_te" in out and "Cán bộ đơn vị" in out
    assert main(["--db", db, "user", "passwd", "cb", "--password", "matkhau-2"]) == 0
    assert main(["--db", db, "user", "add", "x", "--role", "sep", "--password", "matkhau-1"]) == 2
    with connect(fresh_db) as con:
        assert verify(con, "admin", "quantri-2025").role == "quan_tri"
        assert verify(con, "cb", "matkhau-2").unit_code == "so_y_te"
        assert get_user(con, "x") is None


def test_cli_user_add_as_a_subprocess_and_stdin_password(fresh_db):
    cmd = [sys.executable, "-m", "loaders", "--db", str(fresh_db), "user"]
    r = subprocess.run(cmd + ["add", "admin", "--role", "quan_tri", "--password", "quantri-2025", "--name",
                              "Quản trị (demo)"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(cmd + ["passwd", "admin"], cwd=ROOT, input="doi-mat-khau\n", capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with connect(fresh_db) as con:
        assert verify(con, "admin", "doi-mat-khau") is not None
