"""Sign-in, sign-out and which pages a visitor sees (the UI side; rules and hashing live in loaders.accounts.users).

- Not signed in: only the sign-in form, unless the deployment opens read access (CCHC_OPEN_READ=1):
  then the leadership pages (Tổng quan, Hoạt động, Chỉ số, Đơn vị, Trình chiếu) and a sign-in box.
- lanh_dao sees every page (writes nothing); can_bo sees the leadership pages and the data pages of their
  unit's work; quan_tri sees everything. Writes are refused again where they happen (loaders).
The signed-in user lives in st.session_state and is re-read from the database on every run, so a locked
account or a changed role applies at once.
"""
from __future__ import annotations

import os

import streamlit as st

from dashboard.db import cursor
from dashboard.fmt import escape_md
from loaders.accounts.users import ROLE_LABELS, User, get_user, sign_in

SESSION_KEY = "auth_user"
LEADERSHIP_PAGES = frozenset({"pages/tong_quan.py", "pages/hoat_dong.py", "pages/chi_so.py", "pages/don_vi.py",
                              "pages/trinh_chieu.py"})
ALL_ROLES = frozenset({"lanh_dao", "can_bo", "quan_tri"})
# Pages that need a signed-in user, and the roles that see them (anything unlisted: leadership page).
PAGE_ROLES: dict[str, frozenset] = {
    "pages/tai_len.py": ALL_ROLES,  # lãnh đạo sees it read-only (template, limits)
    "pages/lich_su.py": ALL_ROLES,
    "pages/chi_tieu.py": ALL_ROLES,
    "pages/ke_hoach.py": ALL_ROLES,
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


def current_user() -> User | None:
    """The signed-in user as the database has them now; None if not signed in (or locked meanwhile)."""
    name = st.session_state.get(SESSION_KEY)
    if not name:
        return None
    user = get_user(cursor(), name)
    if user is None or not user.active:
        st.session_state.pop(SESSION_KEY, None)
        return None
    return user


def can_see(page: str, user: User | None) -> bool:
    roles = PAGE_ROLES.get(page)
    if roles is None:  # a leadership page
        return user is not None or open_read()
    return user is not None and user.role in roles


def visible_pages(pages: dict) -> dict:
    """PAGES ({section: [(file, title, icon), ...]}) filtered for the current visitor; empty sections dropped."""
    user = current_user()
    out = {}
    for section, items in pages.items():
        kept = [p for p in items if can_see(p[0], user)]
        if kept:
            out[section] = kept
    return out


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
    st.session_state[SESSION_KEY] = user.username
    return None


def sign_in_form(key: str = "signin") -> None:
    """Tên đăng nhập + mật khẩu; on success the app reruns with the user's pages."""
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
    from loaders.accounts.audit import record

    name = st.session_state.pop(SESSION_KEY, None)
    if name:
        record(cursor(), name, "sign_out")


def login_page() -> None:
    """The only page of a closed deployment for someone not signed in."""
    st.title("Đăng nhập")
    st.write("Dashboard cải cách hành chính chỉ mở cho tài khoản đã được cấp. "
             "Nếu chưa có tài khoản, hãy liên hệ quản trị viên (Văn phòng / Sở Nội vụ).")
    left, _ = st.columns([1, 2])
    with left:
        sign_in_form("signin_main")


def sidebar_account() -> None:
    """Who is signed in, and the sign-out button; or the sign-in box when read access is open."""
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
        elif open_read():
            with st.expander("🔐 Đăng nhập (cán bộ, quản trị)", expanded=False):
                sign_in_form("signin_sidebar")


def require(*roles: str, page: str | None = None) -> User | None:
    """Top of a data page: the signed-in user when their role is one of `roles`; otherwise a Vietnamese
    explanation and st.stop(). With no roles given any signed-in user passes."""
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
