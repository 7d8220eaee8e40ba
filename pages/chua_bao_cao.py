"""Chưa báo cáo: which units have not sent the quarter's report (exportable list), and who has."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import admin_queries as AQ, admin_views as V, auth, cached, fmt, queries as Q, ui

user = auth.require()
ui.page_header("Chưa báo cáo", "Đơn vị chưa gửi báo cáo kết quả CCHC của quý — danh sách để đôn đốc, tải về được.")
c1, _ = st.columns([2, 3])
year, quarter = ui.period_picker(c1)
period = fmt.quarter(year, quarter)

missing = cached.q(Q.not_reported, year, quarter)
done = cached.q(AQ.reported, year, quarter)
expected = len(missing) + len(done)
share = V.reported_share(len(done), expected)
m1, m2, m3 = st.columns(3)
m1.metric("Đã báo cáo", f"{fmt.number(len(done))}/{fmt.number(expected)}", border=True)
m2.metric("Chưa báo cáo", fmt.number(len(missing)), border=True)
m3.metric("Tỷ lệ đã báo cáo", fmt.percent(share) if share is not None else fmt.MISSING, border=True)

st.subheader(f"Đơn vị chưa gửi báo cáo {period}")
if missing.empty:
    if expected:
        st.success(f"Tất cả {fmt.number(expected)} đơn vị đã gửi báo cáo {period}.")
    else:
        ui.empty_state(f"Chưa có đơn vị nào được giao chỉ tiêu hoặc báo cáo cho {period}.",
                       "Danh sách dựa trên các đơn vị có chỉ tiêu trong năm hoặc đã từng báo cáo.")
else:
    table = pd.DataFrame({
        "Đơn vị": missing["unit_name"], "Nhóm": missing["group_name"],
        "Kỳ gần nhất đã báo cáo": missing["last_period"].fillna("Chưa báo cáo lần nào"),
        "Lần gửi gần nhất": missing["last_upload"],
        "Có chỉ tiêu quý": missing["has_target"].map({True: "Có", False: "Không"}),
    })
    st.dataframe(fmt.styler(table, {"Lần gửi gần nhất": "datetime"}), hide_index=True, width="stretch",
                 key="cbc_missing")
    ui.table(table, {"Lần gửi gần nhất": "datetime"}, name=f"chua_bao_cao_{year}_q{quarter}",
             title=f"Đơn vị chưa gửi báo cáo {period}", key="cbc_missing_dl", label="Tải danh sách", expanded=True)
    with st.expander("Mẫu nội dung nhắc nhở"):
        st.code(V.reminder_text(period, missing["unit_name"], fmt.today()), language=None, wrap_lines=True)

st.subheader(f"Đơn vị đã gửi báo cáo {period}")
if done.empty:
    st.info(f"Chưa đơn vị nào gửi báo cáo {period}.")
else:
    table = pd.DataFrame({"Đơn vị": done["unit_name"], "Số chỉ tiêu có số liệu": done["n_metrics"],
                          "Gửi lúc": done["last_upload"], "Người gửi": done["uploaded_by"].fillna("–"),
                          "Tệp": done["files"].fillna("")})
    st.dataframe(fmt.styler(table, {"Gửi lúc": "datetime"}), hide_index=True, width="stretch", key="cbc_done")
    ui.table(table, {"Gửi lúc": "datetime"}, name=f"da_bao_cao_{year}_q{quarter}",
             title=f"Đơn vị đã gửi báo cáo {period}", key="cbc_done_dl", label="Tải danh sách")
if user.role in ("can_bo", "quan_tri"):
    ui.link("pages/tai_len.py", "Tải báo cáo lên", icon="⬆️")
