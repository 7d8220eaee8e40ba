"""Writes made on behalf of a signed-in user: upload a report file, roll a batch back.

The permission rules are enforced here, where the write happens, whatever the page shows:
- quan_tri may load any file and roll back any batch;
- can_bo may load and roll back only their own unit's quarterly results: every row of the file must be
  their unit's (a letterhead naming another unit is already an error of the reader; a row of another unit
  is refused here); targets and published index results are set by the office (quan_tri);
- lanh_dao and anonymous visitors write nothing.
Every accepted or refused write goes to the audit trail with the user's name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from loaders.accounts.audit import record
from loaders.accounts.users import PermissionDenied, User, current
from loaders.store.batches import BatchError, WriteResult, find_active_batch, rollback_batch, write_batch

if TYPE_CHECKING:  # the reader (and its workbook parser) load only when a file is read
    from loaders.load import Parsed

UPLOAD_KINDS = ("activities", "targets", "indices")
STAFF_KINDS = ("activities",)  # a unit's staff send results; targets and index results are the office's


class UploadRefused(ValueError):
    """The parsed file has errors (or nothing to load): nothing is written."""


@dataclass
class UploadResult:
    batch_id: int
    created: bool  # False: the very same file was already loaded as this batch
    rows: int
    messages: list[str] = field(default_factory=list)


def _units_of(batch) -> set[str]:
    units = {r.unit_code for r in batch.activities} | {r.unit_code for r in batch.targets}
    if batch.unit_code:
        units.add(batch.unit_code)
    return units


def max_bytes_default() -> int:
    from loaders.files.workbook import max_bytes_default as limit

    return limit()


def upload_problems(con, user: User | None, parsed: "Parsed") -> list[str]:
    """Why `user` may not load this parsed file (Vietnamese sentences); empty when they may."""
    try:
        user = current(con, user)
    except PermissionDenied as exc:
        return [str(exc)]
    batch = parsed.batch
    if user.role == "quan_tri":
        return []
    if user.role != "can_bo":
        return [f"tài khoản {user.role_label.lower()} chỉ được xem số liệu, không được tải lên"]
    problems = []
    if batch is None:
        return problems
    if batch.indices or batch.index_targets or batch.targets or parsed.kind not in STAFF_KINDS:
        problems.append("cán bộ đơn vị chỉ nạp kết quả thực hiện của đơn vị mình; chỉ tiêu và kết quả chỉ số "
                        "công bố (PAR Index, PCI…) do quản trị viên nạp")
    others = sorted(u for u in _units_of(batch) if u != user.unit_code)
    if others:
        names = dict(con.execute("SELECT code, name FROM unit").fetchall())
        listed = ", ".join(names.get(u, u) for u in others[:5]) + ("…" if len(others) > 5 else "")
        problems.append(f"tệp có số liệu của đơn vị khác ({listed}); tài khoản {user.username} chỉ được nạp số liệu "
                        f"của {names.get(user.unit_code, user.unit_code)}")
    return problems


def refusal_reason(errors, shown: int = 3) -> str:
    """'2 lỗi: Trang tính “A”, dòng 7, cột D: số âm …; …' — why a file was refused, for the audit trail."""
    texts = [e.text() for e in errors[:shown]]
    return f"{len(errors)} lỗi: " + "; ".join(texts) + ("; …" if len(errors) > shown else "")


def read_upload(con, user: User | None, file_name: str, content: bytes, unit: str | None = None,
                period: str | None = None, kind: str | None = None, sheet: str | None = None) -> "Parsed":
    """read_file for the upload page: a unit's staff always read with their own unit, so a file whose
    letterhead names another unit is an error. `sheet`: that sheet only. Nothing is written but the audit entry of a
    refused file (errors, an unusable file, or data the user may not load: who, which file, why). Raises like
    read_file."""
    from loaders.errors import UnusableFileError
    from loaders.load import read_file

    fresh = current(con, user) if user is not None else None
    if fresh is not None and fresh.role == "can_bo":
        unit, kind = fresh.unit_code, "activities"
    who = fresh.username if fresh else None
    try:
        parsed = read_file(con, file_name, content, unit=unit, period=period, kind=kind, uploaded_by=who,
                           max_bytes=max_bytes_default(), sheet=sheet)
    except UnusableFileError as exc:
        record(con, who, "upload_refused", f"{file_name}: {exc.message}")
        raise
    why = ([refusal_reason(parsed.errors)] if parsed.errors else []) + upload_problems(con, fresh, parsed)
    if why and fresh is not None:
        record(con, who, "upload_refused", f"{file_name}: " + "; ".join(why))
    return parsed


def commit_upload(con, user: User | None, parsed: "Parsed", confirmed: bool = False) -> UploadResult:
    """Write a parsed file as one batch recorded under the signed-in user. Values past their indicator's
    plausible bound are written only when the user `confirmed` them.

    Raises PermissionDenied (role or unit), UploadRefused (errors, nothing to load, too big, unconfirmed)."""
    try:
        fresh = current(con, user)
        problems = upload_problems(con, fresh, parsed)
        if problems:
            raise PermissionDenied("; ".join(problems))
    except PermissionDenied as exc:
        record(con, getattr(user, "username", None), "upload_refused", f"{parsed.file_name}: {exc}")
        raise
    if parsed.errors:
        raise UploadRefused(f"tệp “{parsed.file_name}” còn {len(parsed.errors)} lỗi — chưa ghi gì")
    if parsed.batch is None or parsed.batch.rows == 0:
        raise UploadRefused(f"tệp “{parsed.file_name}” không có dòng số liệu nào để nạp")
    if parsed.to_confirm and not confirmed:
        from loaders.load import unconfirmed_message

        raise UploadRefused(unconfirmed_message(len(parsed.to_confirm), "đánh dấu ô xác nhận rồi bấm Ghi"))
    content = parsed.batch.content or b""
    if len(content) > max_bytes_default():
        raise UploadRefused(f"tệp “{parsed.file_name}” vượt giới hạn dung lượng "
                            f"{max_bytes_default() / 1048576:.0f} MB — chưa ghi gì")
    parsed.batch.uploaded_by = fresh.username
    result: WriteResult = write_batch(con, parsed.batch)
    messages = []
    if result.created:
        record(con, fresh.username, "upload",
               f"lô {result.batch_id}: {parsed.file_name} ({parsed.batch.rows} dòng, {parsed.kind})")
    else:
        messages.append(f"tệp này đã được nạp trước đó (lô số {result.batch_id}) — không nạp lại")
    return UploadResult(result.batch_id, result.created, parsed.batch.rows, messages)


def rollback_problems(con, user: User | None, batch_id: int) -> list[str]:
    """Why `user` may not roll this batch back (Vietnamese); empty when they may."""
    try:
        user = current(con, user)
    except PermissionDenied as exc:
        return [str(exc)]
    row = con.execute("SELECT kind, unit_code, status FROM batch WHERE id = ?", [int(batch_id)]).fetchone()
    if row is None:
        return [f"không có lô số {batch_id}"]
    kind, unit_code, status = row
    if status == "rolled_back":
        return [f"lô số {batch_id} đã được hoàn tác trước đó"]
    if user.role == "quan_tri":
        return []
    if user.role != "can_bo":
        return [f"tài khoản {user.role_label.lower()} chỉ được xem, không được hoàn tác lô"]
    units = {r[0] for r in con.execute(
        "SELECT unit_code FROM activity_value WHERE batch_id = $b UNION SELECT unit_code FROM target_value "
        "WHERE batch_id = $b", {"b": int(batch_id)}).fetchall()}
    if unit_code:
        units.add(unit_code)
    if kind not in STAFF_KINDS or not units or units != {user.unit_code}:
        return [f"tài khoản {user.username} chỉ được hoàn tác lô số liệu của đơn vị mình ({user.unit_code})"]
    return []


def rollback(con, user: User | None, batch_id: int) -> None:
    """Roll a batch back as the signed-in user; PermissionDenied / BatchError otherwise."""
    problems = rollback_problems(con, user, batch_id)
    name = getattr(user, "username", None)
    if problems:
        record(con, name, "rollback_refused", f"lô {batch_id}: {'; '.join(problems)}")
        if any("đã được hoàn tác" in p or "không có lô" in p for p in problems):
            raise BatchError(problems[0])
        raise PermissionDenied("; ".join(problems))
    rollback_batch(con, int(batch_id), by=name)
    info = con.execute("SELECT file_name, kind FROM batch WHERE id = ?", [int(batch_id)]).fetchone()
    record(con, name, "rollback", f"lô {batch_id}: {info[0] or ''} ({info[1]})")


def already_loaded(con, parsed: "Parsed") -> int | None:
    """The active batch that holds this very file already, else None."""
    if parsed.batch is None or parsed.batch.content is None:
        return None
    return find_active_batch(con, parsed.batch.sha256, parsed.batch.kind)
