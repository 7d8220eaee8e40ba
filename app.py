"""CCHC Dashboard: entry point. `streamlit run app.py`."""
from pathlib import Path

import streamlit as st

from dashboard.auth import login_page, sidebar_account, visible_pages

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
    sections = {}
    for section, pages in visible_pages(PAGES).items():  # by the visitor's role (dashboard/auth.py)
        items = [st.Page(f, title=t, icon=i, default=(f == "pages/tong_quan.py"))
                 for f, t, i in pages if (ROOT / f).exists()]
        if items:
            sections[section] = items
    if not sections:  # not signed in, and the deployment does not open read access
        return st.navigation([st.Page(login_page, title="Đăng nhập", icon="🔐", url_path="dang-nhap")])
    return st.navigation(sections)


nav = navigation()
sidebar_account()
from dashboard.ui import sidebar_sample_label  # noqa: E402

sidebar_sample_label()  # "Dữ liệu mẫu" in the sidebar on every page while sample data is in use
nav.run()
