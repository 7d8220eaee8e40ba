"""Sign-in, sign-out, sessions that last, and which pages a visitor sees (the UI side; rules and hashing live in
loaders.accounts: users.py, sessions.py).

- Not signed in: only the sign-in form, unless the deployment opens read access (CCHC_OPEN_READ=1):
  then the leadership pages (Tổng quan, Hoạt động, Chỉ số, Đơn vị, Kế hoạch read-only, Trình chiếu) and a
  sign-in box.
- lanh_dao sees every page (writes nothing); can_bo sees the leadership pages and the data pages of their
  unit's work; quan_tri sees everything. Writes are refused again where they happen (loaders).

Sessions: signing in opens a session in the database (loaders.accounts.sessions) and hands the browser a one-time
grant, which `session_cookie_bridge` posts to the dashboard's own route (dashboard/web.py); the route answers with
the HttpOnly session cookie. A later page load (reload, bookmark, link in a new tab) brings the cookie, read here
with st.context.cookies, and the session resumes. Every run re-checks the session, so signing out in one tab, an
idle session, a disabled account or a changed password signs every tab out on its next action.
The signed-in user is re-read from the database on every run, so a changed role applies at once.
"""
from __future__ import annotations

import json
import os

import streamlit as st

from dashboard.db import cursor
from dashboard.fmt import escape_md
from loaders import api
from loaders.accounts.users import ROLE_LABELS, User, get_user, sign_in

SESSION_KEY = "auth_user"  # the signed-in user's name (a test may set it alone: a session without a browser)
SESSION_ID = "auth_session"  # the database session of this browser tab
_GRANT = "_auth_grant"  # a one-time grant waiting to be exchanged for the cookie
_FORGET_COOKIE = "_auth_forget_cookie"  # signed out: the browser's cookie is to be dropped
_COOKIE_TRIED = "_auth_cookie_tried"  # the cookie this tab came with, once tried
_NOTICE = "_auth_notice"  # why this tab was signed out (shown once above the sign-in form)
ENDED_NOTICE = ("Phiên đăng nhập đã kết thúc (đã đăng xuất ở thẻ khác, để lâu không dùng, hoặc tài khoản vừa "
                "thay đổi). Hãy đăng nhập lại.")
LEADERSHIP_PAGES = frozenset({"pages/tong_quan.py", "pages/hoat_dong.py", "pages/chi_so.py", "pages/don_vi.py",
                              "pages/ke_hoach.py", "pages/trinh_chieu.py"})
ALL_ROLES = frozenset({"lanh_dao", "can_bo", "quan_tri"})
# Pages that need a signed-in user, and the roles that see them (anything unlisted: leadership page).
PAGE_ROLES: dict[str, frozenset] = {
    "pages/tai_len.py": ALL_ROLES,  # lãnh đạo sees it read-only (template, limits)
    "pages/lich_su.py": ALL_ROLES,
    "pages/chi_tieu.py": ALL_ROLES,
    "pages/chua_bao_cao.py": ALL_ROLES,
    "pages/danh_muc.py": frozenset({"lanh_dao", "quan_tri"}),
}


def ensure_app_navigation() -> None:
    """Close a gap of Streamlit's old multipage mode: until some session has run app.py's st.navigation, a
    session whose first URL names a file of pages/ (e.g. /tong_quan) runs that file directly, past the sign-in
    gate of app.py. Switch the process to app.py's navigation and rerun this session through it (once per
    process). app.py needs no call (its st.navigation switches too); every data page calls it through
    require(), and dashboard.ui.page_header should call it for the leadership pages."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a Streamlit without the v1 pages mode
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def open_read() -> bool:
    """The deployment lets anonymous visitors read the leadership pages (env CCHC_OPEN_READ=1)."""
    return os.environ.get("CCHC_OPEN_READ", "").strip().lower() in ("1", "true", "yes", "on")


def _forget(notice: str | None = None) -> None:
    """This tab is signed out; `notice` says why, once, above the next sign-in form."""
    for key in (SESSION_KEY, SESSION_ID, _GRANT):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[_NOTICE] = notice


def _browser_cookie() -> str | None:
    """The session cookie the browser sent when this tab connected (HttpOnly: only the server reads it)."""
    try:
        return st.context.cookies.get(api.SESSION_COOKIE)
    except Exception:  # noqa: BLE001 - no browser (a script run by tests): no cookie
        return None


def current_user() -> User | None:
    """The signed-in user as the database has them now; None if not signed in, or if the session has ended
    (signed out elsewhere, idle, account disabled, password changed)."""
    session_id = st.session_state.get(SESSION_ID)
    if session_id:
        user = api.check_session(session_id)
        if user is None:
            _forget(ENDED_NOTICE)
        return user
    name = st.session_state.get(SESSION_KEY)
    if name:  # signed in without a browser session (AppTest): the account alone decides
        user = get_user(cursor(), name)
        if user is None or not user.active:
            _forget()
            return None
        return user
    cookie = _browser_cookie()
    if cookie and st.session_state.get(_COOKIE_TRIED) != cookie:
        st.session_state[_COOKIE_TRIED] = cookie  # tried once per tab: a dead cookie costs one lookup
        found = api.resume_session(cookie)
        if found:
            st.session_state[SESSION_ID], user = found
            st.session_state[SESSION_KEY] = user.username
            return user
    return None


def can_see(page: str, user: User | None) -> bool:
    roles = PAGE_ROLES.get(page)
    if roles is None:  # a leadership page
        return user is not None or open_read()
    return user is not None and user.role in roles


def _client() -> str | None:
    """The visitor's address (None on the server's own machine): failed sign-ins slow that machine down."""
    try:
        return st.context.ip_address
    except Exception:  # noqa: BLE001 - outside a browser session (AppTest)
        return None


def _do_sign_in(username: str, password: str) -> str | None:
    user, message = sign_in(cursor(), username, password, client=_client())
    if user is None:
        return message
    try:
        session_id, grant = api.open_session(user)
    except api.REFUSALS as exc:
        return f"Đăng nhập được nhưng chưa mở được phiên làm việc: {exc}."
    st.session_state.pop(_NOTICE, None)
    st.session_state[SESSION_KEY] = user.username
    st.session_state[SESSION_ID] = session_id
    st.session_state[_GRANT] = grant
    return None


def sign_in_form(key: str = "signin") -> None:
    """Tên đăng nhập + mật khẩu; on success the app reruns with the user's pages (the same URL: a page that
    needed the sign-in opens, with its query parameters)."""
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.info(notice, icon="🔒")
    with st.form(key, clear_on_submit=False, border=False):
        username = st.text_input("Tên đăng nhập", key=f"{key}_user", autocomplete="username")
        password = st.text_input("Mật khẩu", type="password", key=f"{key}_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Đăng nhập", type="primary", width="stretch")
    if submitted:
        error = _do_sign_in(username, password)
        if error:
            st.error(error)
        else:
            st.rerun()


def sign_out() -> None:
    """End this browser's session everywhere (every tab, the cookie) and forget the user in this tab."""
    name = st.session_state.get(SESSION_KEY)
    session_id = st.session_state.get(SESSION_ID)
    _forget()
    st.session_state[_FORGET_COOKIE] = True
    try:
        api.end_session(session_id, cookie=_browser_cookie(), username=name)
    except api.REFUSALS:  # the session ends anyway when its cookie is dropped; the sign-out is logged
        pass


def session_cookie_bridge() -> None:
    """Once after a sign-in, let the browser exchange its grant for the HttpOnly session cookie; once after a
    sign-out, let it drop the cookie. Both are same-origin POSTs to the dashboard's own routes (dashboard/web.py):
    nothing goes in a URL. Called by app.py on every run."""
    from dashboard import web

    grant = st.session_state.pop(_GRANT, None)
    forget = st.session_state.pop(_FORGET_COOKIE, False)
    if grant:
        st.html(_post_script(web.route_path(web.SESSION_ROUTE), grant), unsafe_allow_javascript=True)
    elif forget:
        st.html(_post_script(web.route_path(web.SIGN_OUT_ROUTE), ""), unsafe_allow_javascript=True)


def _post_script(path: str, body: str) -> str:
    return (f"<script>fetch({json.dumps(path)}, {{method: 'POST', credentials: 'same-origin', "
            f"headers: {{'Content-Type': 'text/plain'}}, body: {json.dumps(body)}}});</script>")


def gate(page: str, title: str, default: bool):
    """What a page shows in place of itself to a visitor who may not see it (registered under the page's own
    URL, hidden from the menu): the sign-in form, or a word on who may see it. A sign-in reruns the same URL, so
    the page itself opens, with its query parameters."""
    def show() -> None:
        user = current_user()
        if user is None:
            st.title("Đăng nhập")
            if default and not open_read():
                st.write("Dashboard cải cách hành chính chỉ mở cho tài khoản đã được cấp. "
                         "Nếu chưa có tài khoản, hãy liên hệ quản trị viên (Văn phòng / Sở Nội vụ).")
            else:
                st.warning("Trang này cần đăng nhập. Đăng nhập bằng tài khoản được cấp, trang sẽ mở ngay sau đó.",
                           icon="🔒")
            left, _ = st.columns([1, 1.4])
            with left:
                sign_in_form("signin_main" if default else "signin_page")
            return
        roles = PAGE_ROLES.get(page, ALL_ROLES)
        allowed = ", ".join(ROLE_LABELS[r] for r in sorted(roles))
        st.title(title)
        st.warning(f"Tài khoản {user.role_label.lower()} không xem được trang {title} (dành cho: {allowed}). "
                   "Nếu cần xem, hãy liên hệ quản trị viên.", icon="🚫")
    show.__name__ = f"gate_{page.rsplit('/', 1)[-1].removesuffix('.py')}"
    return show


def sidebar_account(sign_in_box: bool = True) -> None:
    """Who is signed in, and the sign-out button; or the sign-in box when read access is open (and the page
    itself is not a sign-in form: `sign_in_box`)."""
    user = current_user()
    with st.sidebar:
        if user is not None:
            unit = ""
            if user.unit_code:
                row = cursor().execute("SELECT name FROM unit WHERE code = ?", [user.unit_code]).fetchone()
                unit = f" · {row[0] if row else user.unit_code}"
            st.caption(f"Đăng nhập: **{escape_md(user.label)}** ({ROLE_LABELS[user.role]}{escape_md(unit)})")
            if st.button("Đăng xuất", key="signout", width="stretch"):
                sign_out()
                st.rerun()
        elif open_read() and sign_in_box:
            notice = st.session_state.pop(_NOTICE, None)
            if notice:
                st.info(notice, icon="🔒")
            with st.expander("🔐 Đăng nhập (cán bộ, quản trị)", expanded=bool(notice)):
                sign_in_form("signin_sidebar")


def require(*roles: str, page: str | None = None) -> User | None:
    """Top of a data page: the signed-in user when their role is one of `roles`; otherwise a Vietnamese
    explanation and st.stop(). With no roles given any signed-in user passes. (app.py already shows the page's
    gate instead of the page to such a visitor; this holds when a page file runs on its own.)"""
    ensure_app_navigation()
    user = current_user()
    if user is None:
        st.warning("Trang này cần đăng nhập. Hãy đăng nhập bằng tài khoản được cấp.")
        sign_in_form("signin_page")
        st.stop()
    if roles and user.role not in roles:
        allowed = ", ".join(ROLE_LABELS[r] for r in roles)
        st.warning(f"Tài khoản {user.role_label.lower()} không dùng được trang này (dành cho: {allowed}).")
        st.stop()
    return user
