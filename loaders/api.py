"""The write door: every write a page makes goes through this module, and nothing else of loaders/ is a page's.

Each function takes the signed-in user (a `User`, or None for a visitor) first, checks what that user may do
itself, whatever the page shows, and opens its own database cursor. Writes run one at a time in the process
(`_writing`, over loaders.store.writer): batches, rollbacks, target and registry edits, account edits, plan saves,
task marks and sign-in sessions never race each other for DuckDB's single writer.

A refusal is one of the named errors in `REFUSALS`, each with a Vietnamese message meant for the page
(`str(exc)`). Anything else is a fault: it is logged with its traceback on the server and raised as
`WriteFailed`, whose message says, in Vietnamese, that nothing was written, with no path and no traceback.
The command line (loaders/commands/) calls the library below directly and words the same errors its own way.

The dashboard gives the door its connection once, at start-up: `use_database(dashboard.db.cursor)`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps

from loaders import target_edit as _target_edit, templates as _templates, uploads as _uploads
from loaders.accounts import sessions as _sessions, users as _users
from loaders.accounts.audit import ACTIONS, action_label, record  # noqa: F401 - the history page's labels
from loaders.accounts.users import ROLE_LABELS, ROLES, PermissionDenied, User, UserError  # noqa: F401
from loaders.errors import UnusableFileError
from loaders.files.workbook import max_bytes_default  # noqa: F401 - the upload limit the pages state
from loaders.load import ArgumentError, report_period
from loaders.plans import PlanError, PlanSaveError, extract_plan as _extract_plan, review as _review
from loaders.plans.review import (  # noqa: F401
    MAX_EVIDENCE_BYTES,
    MAX_NOTE,
    PERIOD_LABELS,
    PERIODS,
    known_units,
    target_rows,
    task_rows,
    unit_options,
)
from loaders.registry import edit as _registry_edit
from loaders.registry.edit import METRIC_KINDS, UNIT_KINDS, RegistryEditError, suggest_code  # noqa: F401
from loaders.registry import settings as _settings
from loaders.registry.registries import Registry
from loaders.registry.settings import SettingError
from loaders.store.batches import BatchError
from loaders.store.writer import WRITE_LOCK, serialised
from loaders.target_edit import TargetEditError
from loaders.templates import TemplateError
from loaders.uploads import UploadRefused, UploadResult  # noqa: F401

log = logging.getLogger("cchc.writes")


class WriteFailed(RuntimeError):
    """An unexpected fault during a write: nothing was written; the detail is in the server log."""


REFUSALS = (PermissionDenied, UploadRefused, BatchError, TargetEditError, RegistryEditError, UserError, PlanError,
            PlanSaveError, UnusableFileError, ArgumentError, TemplateError, SettingError, WriteFailed)

_connect: Callable | None = None


def use_database(connect: Callable) -> None:
    """Set how the door opens a cursor (the dashboard's process-wide connection)."""
    global _connect
    _connect = connect


def _cursor():
    if _connect is None:
        raise WriteFailed("chưa có kết nối cơ sở dữ liệu — hãy khởi động lại dashboard")
    return _connect()


def _faults_logged(fn):
    """Refusals pass through; any other exception is logged and becomes WriteFailed."""
    @wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except REFUSALS:
            raise
        except Exception as exc:  # noqa: BLE001 - the page gets a Vietnamese sentence, the log the traceback
            log.exception("write %s failed", fn.__name__)
            raise WriteFailed("có lỗi khi ghi vào cơ sở dữ liệu — chưa ghi gì; chi tiết đã được ghi vào nhật ký "
                              "máy chủ") from exc
    return call


@contextmanager
def _writing():
    """A cursor held by one writer at a time in this process (loaders.store.writer, the command line's too)."""
    with serialised():
        yield _cursor()


def _writer(fn):
    """`fn(con, user, ...)` as a door function `(user, ...)`: serialised, faults logged."""
    @_faults_logged
    @wraps(fn)
    def call(user, *args, **kwargs):
        with _writing() as con:
            return fn(con, user, *args, **kwargs)
    return call


def _reader(fn):
    """`fn(con, user, ...)` as a door function `(user, ...)` that reads only (checks, previews)."""
    @_faults_logged
    @wraps(fn)
    def call(user, *args, **kwargs):
        return fn(_cursor(), user, *args, **kwargs)
    return call


# --- uploads (Tải lên, Lịch sử) ------------------------------------------------------------------------------
# The reader's messages name the command line's options and commands; the Tải lên page has controls instead.
UPLOAD_PAGE_WORDS = (
    (" (--unit)", " (ô “Đơn vị báo cáo” ở bước 1)"), ("(--unit)", "(ô “Đơn vị báo cáo” ở bước 1)"),
    ("--unit", "ô “Đơn vị báo cáo”"), ("(--period 2025-Q3)", "(ô “Kỳ báo cáo” ở bước 1)"),
    ("--period", "ô “Kỳ báo cáo”"), ("(dùng lệnh template để lấy mẫu)", "(tải mẫu ở bước 2)"),
    ("(lệnh template)", "(tải mẫu ở bước 2)"), ("lệnh template", "mẫu ở bước 2"),
    (" (--sheet)", " (ô “Trang tính” của tệp ở bước 4)"), ("--sheet", "ô “Trang tính” của tệp"),
    (" hoặc chọn --index", ""), (" hoặc chọn --period 2024", ""),  # the page has no such choice: the title says it
)


def _upload_page_words(text: str) -> str:
    for cli, page in UPLOAD_PAGE_WORDS:
        text = text.replace(cli, page)
    return text


def _problem_on_page(problem):
    return type(problem)(problem.sheet, problem.row, problem.column, _upload_page_words(problem.message))


@_faults_logged
def read_upload(user, file_name: str, content: bytes, unit: str | None = None, period: str | None = None,
                kind: str | None = None, sheet: str | None = None):
    """Read an uploaded file for the Tải lên page; nothing is written. The Parsed file, its errors and warnings
    worded for the page (its controls, not the command line's options); UnusableFileError or ArgumentError,
    worded the same way, when the file or the choices cannot be read; PermissionDenied for a forged user.
    `sheet`: read that sheet only (the page offers the file's sheets, `Parsed.sheets`)."""
    try:
        parsed = _uploads.read_upload(_cursor(), user, file_name, content, unit=unit, period=period, kind=kind,
                                      sheet=sheet)
    except UnusableFileError as exc:
        raise UnusableFileError(_upload_page_words(exc.message)) from exc
    except ArgumentError as exc:
        raise ArgumentError(_upload_page_words(str(exc))) from exc
    parsed.errors = [_problem_on_page(e) for e in parsed.errors]
    parsed.warnings = [_problem_on_page(w) for w in parsed.warnings]
    return parsed


upload_problems = _reader(_uploads.upload_problems)
upload = _writer(_uploads.commit_upload)
rollback_problems = _reader(_uploads.rollback_problems)
rollback = _writer(_uploads.rollback)


@_faults_logged
def already_loaded(parsed) -> int | None:
    """The active batch that holds this very file already, else None."""
    return _uploads.already_loaded(_cursor(), parsed)


@_faults_logged
def template(kind: str, unit: str | None = None, period: str | None = None) -> bytes:
    """An Excel template (optionally pre-filled for a unit and period) as bytes; ArgumentError on a bad period."""
    chosen = report_period(period) if unit else None
    con = _cursor()
    return _templates.template_bytes(kind, Registry.from_db(con), con, unit=unit, period=chosen)


# --- targets (Chỉ tiêu) ----------------------------------------------------------------------------------------
save_targets = _writer(_target_edit.save_targets)
copy_year_for_units = _writer(_target_edit.copy_year_for_units)

# --- registries (Danh mục, Kế hoạch) ---------------------------------------------------------------------------
add_unit = _writer(_registry_edit.add_unit)
rename_unit = _writer(_registry_edit.rename_unit)
merge_unit = _writer(_registry_edit.merge_unit)
add_unit_alias = _writer(_registry_edit.add_unit_alias)
add_indicator = _writer(_registry_edit.add_indicator)
add_indicator_alias = _writer(_registry_edit.add_indicator_alias)


# --- reporting duties (Chưa báo cáo) ---------------------------------------------------------------------------
@_writer
def set_report_deadline(con, user, cadence: str, day: int, months_after: int = 0):
    """When each report of a cadence is due: administrators only."""
    by = _users.require_role(con, user, "quan_tri")
    deadline = _settings.set_deadline(con, cadence, day, months_after)
    record(con, by.username, "settings", f"hạn nộp báo cáo {cadence}: {deadline.text}")
    return deadline


@_writer
def set_report_cadences(con, user, cadences: str) -> tuple[str, ...]:
    """The reports every unit owes by default: administrators only."""
    by = _users.require_role(con, user, "quan_tri")
    out = _settings.set_default_cadences(con, cadences)
    record(con, by.username, "settings", f"kỳ báo cáo mặc định: {';'.join(out)}")
    return out


@_writer
def set_unit_reporting(con, user, unit_code: str, cadences: str | None = None, contact: str | None = None) -> None:
    """A unit's own reports and its contact person: administrators only."""
    by = _users.require_role(con, user, "quan_tri")
    _settings.set_unit_reporting(con, unit_code, cadences, contact)
    changed = [f"kỳ báo cáo “{cadences or 'mặc định'}”" if cadences is not None else "",
               f"đầu mối “{contact}”" if contact is not None else ""]
    record(con, by.username, "settings", f"đơn vị {unit_code}: {', '.join(c for c in changed if c)}")


# --- accounts (Danh mục) ---------------------------------------------------------------------------------------
@_writer
def create_user(con, user, username: str, password: str, role: str, full_name: str | None = None,
                unit_code: str | None = None) -> User:
    """Create an account: administrators only (the library checks the user)."""
    return _users.create_user(con, username, password, role, full_name, unit_code, by=_users.current(con, user))


@_writer
def set_password(con, user, username: str, password: str) -> None:
    """Set a password: an administrator for anyone, a user for their own account (the library checks)."""
    _users.set_password(con, _users.normalize_username(username), password, by=_users.current(con, user))


@_writer
def update_user(con, user, username: str, **changes) -> None:
    """Change an account's role, unit, name or state: administrators only (the library checks the user)."""
    _users.update_user(con, username, by=_users.current(con, user), **changes)


# --- plans (Kế hoạch) ------------------------------------------------------------------------------------------
def registry() -> Registry:
    """The registries as they are now (unit and indicator names for the plan review)."""
    return Registry.from_db(_cursor())


class PlanUnreadable(PlanError):
    """A plan file a reader library chokes on (damaged, or not what its name says); the message names the fault's
    kind only ('nội dung bị hỏng hoặc không đúng định dạng (BadZipFile)'), the traceback goes to the log."""


@_faults_logged
def extract_plan(content: bytes, file_name: str | None, reg: Registry | None = None):
    """Read a plan file or pasted text into a Plan (nothing is written); PlanError when it is not one,
    PlanUnreadable (a PlanError) when the file cannot be opened at all."""
    reg = reg or registry()
    try:
        return _extract_plan(content, file_name, reg)
    except PlanError:
        raise
    except Exception as exc:  # a damaged file: the page says so, the log keeps the traceback
        log.warning("plan file %r unreadable", file_name, exc_info=True)
        raise PlanUnreadable(f"nội dung bị hỏng hoặc không đúng định dạng ({type(exc).__name__})") from exc


apply_edits = _faults_logged(_review.apply_edits)
save_plan = _writer(_review.save_reviewed)
mark_task = _writer(_review.mark_task_as)


# --- sessions (sign-in that lasts: dashboard/auth.py, and the cookie route of dashboard/web.py) ---------------
SESSION_COOKIE = _sessions.COOKIE_NAME


@contextmanager
def _session_cursor():
    """(cursor, may write): a session check runs on every page run, so it never waits for a long write (an
    upload): while the writer is busy it only reads, and the next run notes the use."""
    got = WRITE_LOCK.acquire(blocking=False)
    try:
        yield _cursor(), got
    finally:
        if got:
            WRITE_LOCK.release()


@_faults_logged
def open_session(user) -> tuple[str, str]:
    """A session for a user who has just signed in: (session id for the page, one-time grant for the browser)."""
    with _writing() as con:
        return _sessions.open_session(con, _users.current(con, user))


@_faults_logged
def redeem_session_grant(grant: str | None) -> tuple[str, int] | None:
    """(cookie value, max-age seconds) for a browser that brings a fresh grant, else None."""
    with _writing() as con:
        return _sessions.redeem_grant(con, grant)


@_faults_logged
def check_session(session_id: str | None) -> User | None:
    """The user of a live session (as the database has them now), else None."""
    with _session_cursor() as (con, write):
        found = _sessions.check(con, session_id, write)
    return found.user if found else None


@_faults_logged
def resume_session(cookie: str | None) -> tuple[str, User] | None:
    """(session id, user) of the live session a browser's cookie names, else None."""
    with _session_cursor() as (con, write):
        found = _sessions.resume(con, cookie, write)
    return (found.id, found.user) if found else None


@_faults_logged
def end_session(session_id: str | None = None, cookie: str | None = None, username: str | None = None) -> None:
    """Sign out: end the session (named by id, or by the browser's cookie) everywhere; recorded in the audit."""
    from loaders.accounts.audit import record

    with _writing() as con:
        session_id = session_id or _sessions.session_of_cookie(con, cookie)
        _sessions.end(con, session_id, "sign_out")
        if username:
            record(con, username, "sign_out")
