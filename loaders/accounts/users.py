"""Accounts and roles: salted Argon2id password hashes (argon2-cffi), create / verify / list, and the
permission rules every write checks.

Roles:
- lanh_dao (lãnh đạo): sees everything, writes nothing;
- can_bo (cán bộ đơn vị): uploads and corrects only the data of their own unit;
- quan_tri (quản trị): everything, including registries, targets and accounts.

The rules are enforced by the functions that write (loaders.uploads, target_edit, registry_edit),
not only by the pages hiding buttons. Command line: loaders/commands/user.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.text import nfc
from loaders.store.writer import one_writer

ROLES = ("lanh_dao", "can_bo", "quan_tri")
ROLE_LABELS = {"lanh_dao": "Lãnh đạo", "can_bo": "Cán bộ đơn vị", "quan_tri": "Quản trị"}
MIN_PASSWORD = 8
LONG_PASSWORD = 12  # from this length any characters will do; shorter ones need letters and digits
COMMON_PASSWORDS = frozenset({
    "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000", "password", "password1", "admin123",
    "admin@123", "abc12345", "abcd1234", "qwerty123", "matkhau1", "matkhau123", "123456aa", "a1234567", "iloveyou",
    "vietnam1", "cchc2025", "cchc2026"})
CLI_USER = "(dòng lệnh)"

_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_hasher = PasswordHasher()  # Argon2id with a fresh random salt per hash
_DUMMY_HASH = _hasher.hash("dummy password for timing")


class UserError(ValueError):
    """An account that cannot be created or changed; the message is Vietnamese."""


class PermissionDenied(PermissionError):
    """The signed-in user may not do this; the message is Vietnamese and names the reason."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    full_name: str | None = None
    unit_code: str | None = None
    active: bool = True

    @property
    def label(self) -> str:
        return self.full_name or self.username

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == "quan_tri"

    def can_write_unit(self, unit_code: str | None) -> bool:
        """May this user upload, correct or roll back data of `unit_code`?"""
        if not self.active:
            return False
        if self.role == "quan_tri":
            return True
        return self.role == "can_bo" and unit_code is not None and unit_code == self.unit_code


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str, username: str | None = None) -> None:
    """The minimum policy: 8 characters with letters and digits (or 12 of any kind), not a common password,
    not the account's name, no leading or trailing space. UserError (Vietnamese) says which rule fails."""
    if password is None or len(password) < MIN_PASSWORD:
        raise UserError(f"mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự")
    if password != password.strip():
        raise UserError("mật khẩu không được bắt đầu hoặc kết thúc bằng khoảng trắng")
    if len(password) < LONG_PASSWORD and not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        raise UserError(f"mật khẩu dưới {LONG_PASSWORD} ký tự phải có cả chữ và số")
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 3:
        raise UserError("mật khẩu quá dễ đoán — hãy chọn mật khẩu khác")
    if username and username.lower() in password.lower():
        raise UserError("mật khẩu không được chứa tên đăng nhập")


def normalize_username(username: str) -> str:
    name = nfc(username).strip().lower()
    if not _USERNAME_RE.match(name):
        raise UserError(f"tên đăng nhập “{username}” không hợp lệ: dùng 2–40 chữ cái không dấu, số, dấu chấm, "
                        "gạch dưới hoặc gạch ngang, bắt đầu bằng chữ hoặc số")
    return name


def _row_to_user(row) -> User:
    username, full_name, role, unit_code, active = row
    return User(username=username, role=role, full_name=full_name, unit_code=unit_code, active=bool(active))


_COLUMNS = "username, full_name, role, unit_code, active"


def get_user(con, username: str | None) -> User | None:
    if not username:
        return None
    row = con.execute(f"SELECT {_COLUMNS} FROM app_user WHERE username = ?", [username]).fetchone()
    return _row_to_user(row) if row else None


def list_users(con) -> list[User]:
    rows = con.execute(f"SELECT {_COLUMNS} FROM app_user ORDER BY role, username").fetchall()
    return [_row_to_user(r) for r in rows]


def _check_role_unit(con, role: str, unit_code: str | None) -> str | None:
    if role not in ROLES:
        raise UserError(f"vai trò “{role}” không hợp lệ; chọn một trong: {', '.join(ROLES)}")
    if role == "can_bo":
        if not unit_code:
            raise UserError("tài khoản cán bộ đơn vị phải gắn với một đơn vị (--unit MÃ_ĐƠN_VỊ)")
    if unit_code:
        if not con.execute("SELECT count(*) FROM unit WHERE code = ?", [unit_code]).fetchone()[0]:
            raise UserError(f"không có đơn vị mã “{unit_code}” trong danh mục")
    return unit_code or None


def acting(con, by: "User | str | None", own_account: str | None = None) -> str | None:
    """Who changes an account, for the audit trail, checked here whoever calls: a signed-in User must be an
    active administrator (or, for `own_account`, that very user); a plain name (or None) is the operator at the
    command line, who holds the database file itself. PermissionDenied otherwise."""
    if not isinstance(by, User):
        return by
    fresh = current(con, by)
    if fresh.role == "quan_tri" or (own_account is not None and fresh.username == own_account):
        return fresh.username
    if own_account is not None:
        raise PermissionDenied(f"tài khoản {fresh.username} chỉ được đổi mật khẩu của chính mình")
    raise PermissionDenied(f"tài khoản {fresh.role_label.lower()} không được sửa tài khoản (cần: Quản trị)")


@one_writer
def create_user(con, username: str, password: str, role: str, full_name: str | None = None,
                unit_code: str | None = None, by: "User | str | None" = None) -> User:
    """Create an account; raises UserError (Vietnamese) when the name is taken or a field is invalid, and
    PermissionDenied when `by` is a user who is not an administrator."""
    from loaders.accounts.audit import record

    by = acting(con, by)
    username = normalize_username(username)
    check_password_rules(password, username)
    unit_code = _check_role_unit(con, role, unit_code)
    if get_user(con, username) is not None:
        raise UserError(f"tài khoản “{username}” đã có")
    full_name = nfc(full_name) or None
    con.execute(
        "INSERT INTO app_user (username, full_name, role, unit_code, password_hash) VALUES (?, ?, ?, ?, ?)",
        [username, full_name, role, unit_code, hash_password(password)],
    )
    record(con, by, "user_add", f"{username} ({ROLE_LABELS[role]}{', ' + unit_code if unit_code else ''})")
    return get_user(con, username)


@one_writer
def set_password(con, username: str, password: str, by: "User | str | None" = None) -> None:
    """A new password: an administrator for anyone, a user for their own account (PermissionDenied otherwise)."""
    from loaders.accounts.audit import record
    from loaders.accounts.throttle import forget_name

    by = acting(con, by, own_account=username)
    check_password_rules(password, username)
    if get_user(con, username) is None:
        raise UserError(f"không có tài khoản “{username}”")
    con.execute("UPDATE app_user SET password_hash = ? WHERE username = ?", [hash_password(password), username])
    forget_name(con, username)
    record(con, by, "user_passwd", username)


@one_writer
def update_user(con, username: str, by: "User | str | None" = None, *, role: str | None = None,
                unit_code: str | None = None, full_name: str | None = None, active: bool | None = None) -> User:
    """Change role / unit / name / active; fields left None keep their value (unit_code "" clears it).
    Administrators only, when `by` is a signed-in user."""
    from loaders.accounts.audit import record

    by = acting(con, by)
    user = get_user(con, username)
    if user is None:
        raise UserError(f"không có tài khoản “{username}”")
    new_role = role or user.role
    new_unit = user.unit_code if unit_code is None else (unit_code or None)
    new_unit = _check_role_unit(con, new_role, new_unit)
    new_name = user.full_name if full_name is None else (nfc(full_name) or None)
    new_active = user.active if active is None else bool(active)
    if user.role == "quan_tri" and (new_role != "quan_tri" or not new_active):
        others = con.execute(
            "SELECT count(*) FROM app_user WHERE role = 'quan_tri' AND active AND username <> ?", [username]
        ).fetchone()[0]
        if not others:
            raise UserError("không thể bỏ quyền hoặc khóa quản trị viên cuối cùng")
    con.execute("UPDATE app_user SET role = ?, unit_code = ?, full_name = ?, active = ? WHERE username = ?",
                [new_role, new_unit, new_name, new_active, username])
    changes = []
    if new_role != user.role:
        changes.append(f"vai trò {ROLE_LABELS[user.role]} → {ROLE_LABELS[new_role]}")
    if new_unit != user.unit_code:
        changes.append(f"đơn vị {user.unit_code or '—'} → {new_unit or '—'}")
    if new_name != user.full_name:
        changes.append(f"họ tên → {new_name or '—'}")
    if new_active != user.active:
        changes.append("mở khóa" if new_active else "khóa")
    record(con, by, "user_edit", f"{username}: {'; '.join(changes) or 'không đổi'}")
    return get_user(con, username)


def verify(con, username: str, password: str) -> User | None:
    """The active user whose password this is, else None. Takes about the same time for an unknown name."""
    try:
        name = normalize_username(username or "")
    except UserError:
        name = None
    row = None
    if name:
        row = con.execute(
            f"SELECT {_COLUMNS}, password_hash FROM app_user WHERE username = ?", [name]
        ).fetchone()
    stored = row[5] if row else _DUMMY_HASH
    try:
        _hasher.verify(stored, password or "")
        ok = row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or not row[4]:
        return None
    if _hasher.check_needs_rehash(stored):
        con.execute("UPDATE app_user SET password_hash = ? WHERE username = ?", [hash_password(password), name])
    return _row_to_user(row[:5])


def sign_in(con, username: str, password: str, client: str | None = None) -> tuple[User | None, str | None]:
    """Verify the attempt of `client` (the visitor's address) and record it: (user, None) or (None, Vietnamese
    message). Failures slow that machine down (loaders.accounts.throttle), never the right password from elsewhere;
    a name that is not well formed is recorded as such, never as typed (it may be a formula meant for the audit
    export)."""
    from loaders.accounts import throttle
    from loaders.accounts.audit import record

    client = (nfc(client).strip() or "không rõ")[:64]
    typed = nfc(username).strip().lower()
    if not typed or not password:
        return None, "Hãy nhập tên đăng nhập và mật khẩu."
    try:
        name = normalize_username(typed)
    except UserError:
        name = None
    wait = throttle.wait_seconds(con, client, name or "?")
    if wait:
        return None, f"Đã nhập sai nhiều lần: hãy đợi {wait} giây rồi thử lại."
    user = verify(con, typed, password)  # an unknown or malformed name costs the same time
    if user is None:
        throttle.failed(con, client, name, "sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đã khóa" if name
                        else "tên đăng nhập không hợp lệ (không ghi lại chữ đã gõ)")
        return None, "Sai tên đăng nhập hoặc mật khẩu (hoặc tài khoản đã bị khóa)."
    throttle.succeeded(con, client, user.username)
    record(con, user.username, "sign_in", f"từ máy {client}")
    return user, None


def current(con, user: User | None) -> User:
    """The user as the database has them now (role changes and locks apply at once); refuses anonymity."""
    if user is None:
        raise PermissionDenied("cần đăng nhập để thực hiện thao tác này")
    fresh = get_user(con, user.username)
    if fresh is None or not fresh.active:
        raise PermissionDenied(f"tài khoản “{user.username}” không còn hoạt động")
    return fresh


def require_role(con, user: User | None, *roles: str) -> User:
    fresh = current(con, user)
    if fresh.role not in roles:
        allowed = ", ".join(ROLE_LABELS[r] for r in roles)
        raise PermissionDenied(f"tài khoản {fresh.role_label.lower()} không được làm việc này (cần: {allowed})")
    return fresh


def require_unit(con, user: User | None, unit_code: str | None) -> User:
    """The user may write data of `unit_code`: an administrator, or the staff of that very unit."""
    fresh = current(con, user)
    if fresh.can_write_unit(unit_code):
        return fresh
    if fresh.role == "can_bo":
        raise PermissionDenied(
            f"tài khoản {fresh.username} chỉ được nạp và sửa số liệu của đơn vị mình ({fresh.unit_code}), "
            f"không được ghi số liệu của {unit_code or 'đơn vị khác'}")
    raise PermissionDenied(f"tài khoản {fresh.role_label.lower()} chỉ được xem, không được ghi số liệu")
