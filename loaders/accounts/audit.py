"""The audit trail: who did what, and when — sign-ins, uploads, rollbacks, edits of targets,
registries and accounts. Entries are only ever added (a failed sign-in streak's row updates its count)."""
from __future__ import annotations

from loaders.store.writer import one_writer

ACTIONS = {
    "sign_in": "Đăng nhập",
    "sign_in_failed": "Đăng nhập không thành công",
    "sign_out": "Đăng xuất",
    "upload": "Tải lên",
    "upload_refused": "Tải lên bị từ chối",
    "rollback": "Hoàn tác lô",
    "rollback_refused": "Hoàn tác bị từ chối",
    "target_edit": "Sửa chỉ tiêu",
    "registry_edit": "Sửa danh mục",
    "user_add": "Tạo tài khoản",
    "user_passwd": "Đổi mật khẩu",
    "user_edit": "Sửa tài khoản",
    "settings": "Sửa thiết lập báo cáo",
    "task_mark": "Đánh dấu nhiệm vụ",
}

MAX_DETAIL = 2000


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


@one_writer
def record(con, username: str | None, action: str, detail: str | None = None) -> int:
    """Add one entry; returns its id. `username` None: an anonymous visitor or the system."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    if detail is not None and len(detail) > MAX_DETAIL:
        detail = detail[: MAX_DETAIL - 1] + "…"
    return con.execute(
        "INSERT INTO audit_log (username, action, detail) VALUES (?, ?, ?) RETURNING id",
        [username, action, detail],
    ).fetchone()[0]


@one_writer
def update_detail(con, entry_id: int, detail: str) -> None:
    """The one change an entry may get: a failed sign-in streak's row counting its failures
    (loaders.accounts.throttle), so that a thousand failures are one row, not a thousand."""
    con.execute("UPDATE audit_log SET detail = ? WHERE id = ? AND action = 'sign_in_failed'",
                [detail[:MAX_DETAIL], entry_id])


def entries(con, username: str | None = None, action: str | None = None, limit: int = 500) -> list[tuple]:
    """Newest first: (id, happened_at, username, action, detail)."""
    return con.execute(
        "SELECT id, happened_at, username, action, detail FROM audit_log "
        "WHERE (? IS NULL OR username = ?) AND (? IS NULL OR action = ?) ORDER BY id DESC LIMIT ?",
        [username, username, action, action, limit],
    ).fetchall()
