"""CCHC Dashboard: entry point. `streamlit run app.py`.

This file plays two parts. Imported as a module (`streamlit run app.py` finds `app` below and serves it with
uvicorn), it builds the server: Streamlit's own, plus the session-cookie routes, the Vietnamese page shell and the
Vietnamese error handler of dashboard/web.py. Run as the app's script (``__main__``, every page view), it draws the
navigation: every page is registered under its own URL for every visitor, and a visitor who may not see a page gets
its gate there (the sign-in form, or a word on who may see it), so a shared link never lands on "Page not found".
"""
from pathlib import Path

import streamlit as st

HOME = "pages/tong_quan.py"  # the default page, served at "/"

if __name__ != "__main__":
    from dashboard import web

    web.apply_upload_limit()
    app = st.App(__file__, routes=web.routes(home=Path(HOME).stem), middleware=web.middleware(),
                 on_script_error=web.script_error)
else:
    from dashboard import auth
    from dashboard.ui import page_style, sidebar_sample_label

    st.set_page_config(page_title="CCHC Dashboard", page_icon="📊", layout="wide")

    ROOT = Path(__file__).parent
    # (file, title, icon) per section; the order is the sidebar's order.
    PAGES = {
        "Theo dõi": [
            ("pages/tong_quan.py", "Tổng quan", "🏠"),
            ("pages/hoat_dong.py", "Hoạt động", "📈"),
            ("pages/chi_so.py", "Chỉ số", "🏅"),
            ("pages/don_vi.py", "Đơn vị", "🏢"),
        ],
        "Dữ liệu": [
            ("pages/tai_len.py", "Tải lên", "⬆️"),
            ("pages/lich_su.py", "Lịch sử", "🕘"),
            ("pages/chi_tieu.py", "Chỉ tiêu", "🎯"),
            ("pages/ke_hoach.py", "Kế hoạch", "🗓️"),
            ("pages/chua_bao_cao.py", "Chưa báo cáo", "⏰"),
            ("pages/danh_muc.py", "Danh mục", "📚"),
        ],
        "Giao ban": [
            ("pages/trinh_chieu.py", "Trình chiếu", "🖥️"),
        ],
    }

    def navigation():
        """(the page to run, whether it is a gate): pages the visitor may see are listed; the others keep their
        URL with their gate, hidden from the menu. A closed deployment's root is the sign-in page."""
        user = auth.current_user()
        sections, gates = {}, set()
        for section, pages in PAGES.items():
            items = []
            for file, title, icon in pages:
                if not (ROOT / file).exists():
                    continue
                if auth.can_see(file, user):
                    items.append(st.Page(file, title=title, icon=icon, default=file == HOME))
                    continue
                if file == HOME:  # "/" of a closed deployment; its own URL is a gate like the others
                    items.append(st.Page(auth.gate(file, title, default=True), title="Đăng nhập", icon="🔐",
                                         url_path="dang-nhap", default=True, visibility="hidden"))
                    gates.add("")
                items.append(st.Page(auth.gate(file, title, default=False), title=title, icon=icon,
                                     url_path=Path(file).stem, visibility="hidden"))
                gates.add(Path(file).stem)
            if items:
                sections[section] = items
        nav = st.navigation(sections)
        return nav, nav.url_path in gates

    nav, is_gate = navigation()
    page_style()
    auth.session_cookie_bridge()
    auth.sidebar_account(sign_in_box=not is_gate)
    sidebar_sample_label()  # "Dữ liệu mẫu" in the sidebar on every page while sample data is in use
    nav.run()
