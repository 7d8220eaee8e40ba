"""Sign-in sessions that outlive a page load: one row per signed-in browser in `app_session`; the browser holds only
a signed random token, in an HttpOnly cookie the server sets.

How a session starts (the sign-in form runs over Streamlit's websocket, which cannot set a cookie):
1. the form checks the password (`users.sign_in`) and calls `open_session`: a row and a one-time *grant*
   (random, valid `GRANT_SECONDS`), which the signed-in page hands to the browser;
2. the browser posts the grant to the dashboard's own route (dashboard/web.py), which calls `redeem_grant`: the
   grant is spent and a new token is made; the response sets the cookie (`token.signature`). The token itself
   is never shown to the page's scripts, never put in a URL, and only its SHA-256 is stored.
3. a later page load (reload, bookmark, new tab) sends the cookie; `resume` finds the session by the token.

A session ends (`check` refuses it) when it is signed out (`end`), when it has been idle longer than
`idle_limit()` (env CCHC_SESSION_IDLE_HOURS, default 8), when it is older than `lifetime()` (env
CCHC_SESSION_DAYS, default 7: the cookie's own expiry), when its account is disabled or deleted, and when the
account's password has changed since it began (the row keeps a stamp of the password hash, not the hash).
Every run of a signed-in page re-checks its session, so a sign-out in one tab signs the other tabs out on their
next action.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from core.text import NumberError, parse_number
from loaders.accounts.users import User, get_user
from loaders.store.schema import get_meta, set_meta

COOKIE_NAME = "cchc_phien"
GRANT_SECONDS = 120
IDLE_HOURS = 8.0
LIFETIME_DAYS = 7.0
TOUCH_SECONDS = 60  # last_seen_at is written at most once a minute (or a tenth of the idle limit, if shorter)
KEEP_ENDED_DAYS = 30  # ended and expired rows are deleted after this long
SECRET_KEY = "session_secret"
ENDED = {"sign_out": "đã đăng xuất", "idle": "hết hạn vì không dùng", "expired": "hết thời hạn",
         "inactive": "tài khoản đã bị khóa", "password": "mật khẩu đã đổi"}


class SessionError(ValueError):
    """A session setting that cannot be used; the message is Vietnamese."""


@dataclass(frozen=True)
class Session:
    id: str
    user: User


def _now() -> datetime:
    """UTC without a zone: the column type, whatever the server's time zone."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _hours_setting(name: str, default: float, unit: str) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = parse_number(raw)
    except NumberError:
        value = None
    if value is None or not value > 0:
        raise SessionError(f"biến môi trường {name} = “{raw}” không hợp lệ: cần một số {unit} lớn hơn 0")
    return float(value)


def idle_limit() -> timedelta:
    """How long a session may go unused (env CCHC_SESSION_IDLE_HOURS, hours, decimals allowed; default 8)."""
    return timedelta(hours=_hours_setting("CCHC_SESSION_IDLE_HOURS", IDLE_HOURS, "giờ"))


def lifetime() -> timedelta:
    """How long a session lasts at most, used or not (env CCHC_SESSION_DAYS, days; default 7): the cookie's
    Max-Age."""
    return timedelta(days=_hours_setting("CCHC_SESSION_DAYS", LIFETIME_DAYS, "ngày"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _password_stamp(con, username: str) -> str | None:
    row = con.execute("SELECT password_hash FROM app_user WHERE username = ?", [username]).fetchone()
    return _digest(row[0])[:32] if row else None


def _secret(con, create: bool = False) -> bytes | None:
    """The key that signs cookies: env CCHC_SESSION_SECRET, else one made once (`create`) and kept in the
    database."""
    configured = os.environ.get("CCHC_SESSION_SECRET", "").strip()
    if configured:
        return configured.encode("utf-8")
    stored = get_meta(con, SECRET_KEY)
    if not stored and create:
        stored = secrets.token_hex(32)
        set_meta(con, SECRET_KEY, stored)
    return stored.encode("utf-8") if stored else None


def _signature(secret: bytes, token: str) -> str:
    return hmac.new(secret, token.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def _token_of(con, cookie: str | None) -> str | None:
    """The token of a well-signed cookie value, else None (a forged or damaged cookie costs no row lookup)."""
    if not cookie or cookie.count(".") != 1 or len(cookie) > 200 or not cookie.isascii():
        return None
    token, signature = cookie.split(".")
    secret = _secret(con)
    if not token or secret is None or not hmac.compare_digest(signature, _signature(secret, token)):
        return None
    return token


def open_session(con, user: User) -> tuple[str, str]:
    """A new session for a user who has just proved their password: (session id, one-time grant)."""
    now = _now()
    con.execute("DELETE FROM app_session WHERE coalesce(ended_at, expires_at) < ?",
                [now - timedelta(days=KEEP_ENDED_DAYS)])
    session_id, grant = secrets.token_hex(16), secrets.token_urlsafe(32)
    con.execute(
        "INSERT INTO app_session (id, username, grant_hash, grant_until, password_stamp, created_at, last_seen_at, "
        "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [session_id, user.username, _digest(grant), now + timedelta(seconds=GRANT_SECONDS),
         _password_stamp(con, user.username), now, now, now + lifetime()])
    return session_id, grant


def redeem_grant(con, grant: str | None) -> tuple[str, int] | None:
    """Spend a grant: (cookie value, max-age in seconds) for the browser, or None when the grant is unknown,
    spent, stale, or its session has ended meanwhile."""
    if not grant or len(grant) > 100:
        return None
    now = _now()
    row = con.execute(
        "SELECT id, expires_at FROM app_session WHERE grant_hash = ? AND grant_until >= ? AND ended_at IS NULL",
        [_digest(grant), now]).fetchone()
    if row is None:
        return None
    token = secrets.token_urlsafe(32)
    con.execute("UPDATE app_session SET token_hash = ?, grant_hash = NULL, grant_until = NULL WHERE id = ?",
                [_digest(token), row[0]])
    return f"{token}.{_signature(_secret(con, create=True), token)}", max(int((row[1] - now).total_seconds()), 0)


def _touch_every() -> timedelta:
    return min(timedelta(seconds=TOUCH_SECONDS), idle_limit() / 10)


def check(con, session_id: str | None, write: bool = True) -> Session | None:
    """The live session `session_id` with its user as the database has them now, else None. With `write`, a
    session found dead is ended with its reason (ENDED) and a live one's use is noted (at most every
    TOUCH_SECONDS); without, nothing is written (the writer is busy: the next run writes)."""
    if not session_id:
        return None
    row = con.execute(
        "SELECT username, password_stamp, last_seen_at, expires_at, ended_at FROM app_session WHERE id = ?",
        [session_id]).fetchone()
    if row is None or row[4] is not None:
        return None
    username, stamp, last_seen, expires, _ = row
    now = _now()
    user = get_user(con, username)
    reason = ("expired" if now >= expires else "idle" if now - last_seen > idle_limit()
              else "inactive" if user is None or not user.active
              else "password" if stamp != _password_stamp(con, username) else None)
    if reason:
        if write:
            end(con, session_id, reason)
        return None
    if write and now - last_seen >= _touch_every():
        con.execute("UPDATE app_session SET last_seen_at = ? WHERE id = ?", [now, session_id])
    return Session(session_id, user)


def resume(con, cookie: str | None, write: bool = True) -> Session | None:
    """The live session a browser's cookie names, else None."""
    token = _token_of(con, cookie)
    if token is None:
        return None
    row = con.execute("SELECT id FROM app_session WHERE token_hash = ? AND ended_at IS NULL",
                      [_digest(token)]).fetchone()
    return check(con, row[0], write) if row else None


def end(con, session_id: str | None, reason: str = "sign_out") -> None:
    """End a session (signed out, or found dead): every tab and cookie of it is signed out."""
    if session_id:
        con.execute("UPDATE app_session SET ended_at = ?, end_reason = ?, grant_hash = NULL WHERE id = ? "
                    "AND ended_at IS NULL", [_now(), reason, session_id])


def session_of_cookie(con, cookie: str | None) -> str | None:
    """The id of the session a cookie names, live or not (to end it when the browser signs out)."""
    token = _token_of(con, cookie)
    if token is None:
        return None
    row = con.execute("SELECT id FROM app_session WHERE token_hash = ?", [_digest(token)]).fetchone()
    return row[0] if row else None
