"""Chưa báo cáo: which units have not sent the report of a period they owe (monthly, quarterly, six-monthly,
nine-monthly or yearly), its deadline, how late each one is and whom to call; the office sets the deadlines and
the reports each unit owes."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.periods import CADENCE_LABEL, CADENCES, cadence_of
from dashboard import admin_views as V, auth, cached, fmt, reporting as R, ui
from loaders import api

KINDS = ("month", "quarter", "half", "nine_months", "year")

user = auth.require()
ui.page_header("Chưa báo cáo", "Đơn vị chưa gửi báo cáo kết quả CCHC của kỳ (tháng, quý, 6 tháng, 9 tháng, năm) theo "
                               "các kỳ mỗi đơn vị phải báo cáo — hạn nộp, số ngày trễ và đầu mối để đôn đốc.")
c1, _ = st.columns([3, 2])
period = ui.period_choice(c1, kinds=KINDS)
label = period.label
cadence = cadence_of(period)
today = fmt.today()
deadlines = cached.fresh(R.deadlines)

if cadence is None:
    st.info(f"Không có báo cáo riêng cho {label}: kết quả 6 tháng cuối năm nằm trong báo cáo năm. Chọn “Năm” hoặc "
            "“Quý” để xem đơn vị chưa báo cáo.")
    st.stop()

missing = cached.fresh(R.missing, period.code, today)
done = cached.fresh(R.received, period.code)
due = deadlines[cadence].due(period)
expected = len(missing) + len(done)
share = V.reported_share(len(done), expected)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Đã báo cáo", f"{fmt.number(len(done))}/{fmt.number(expected)}", border=True)
m2.metric("Chưa báo cáo", fmt.number(len(missing)), border=True)
m3.metric("Tỷ lệ đã báo cáo", fmt.percent(share) if share is not None else fmt.MISSING, border=True)
m4.metric("Hạn nộp", fmt.date(due), border=True,
          help=f"{CADENCE_LABEL[cadence]}: hạn nộp {deadlines[cadence].text} (thiết lập của Văn phòng).")


def lateness(days: int) -> str:
    """'Trễ 12 ngày', 'Đến hạn hôm nay', 'Còn 5 ngày'."""
    if days > 0:
        return f"Trễ {fmt.number(days)} ngày"
    return "Đến hạn hôm nay" if days == 0 else f"Còn {fmt.number(-days)} ngày"


st.subheader(f"Đơn vị chưa gửi báo cáo {period.phrase}")
if missing.empty:
    if expected:
        st.success(f"Tất cả {fmt.number(expected)} đơn vị đã gửi báo cáo {label}.")
    else:
        ui.empty_state(f"Không có đơn vị nào phải gửi {CADENCE_LABEL[cadence].lower()} {label}.",
                       "Danh sách gồm các đơn vị phải báo cáo kỳ này (thiết lập ở cuối trang) có chỉ tiêu trong năm "
                       "hoặc đã từng báo cáo.")
else:
    table = pd.DataFrame({  # what a phone shows first: who, how late, whom to call
        "Đơn vị": missing["unit_name"], "Trễ hạn": [lateness(int(d)) for d in missing["days_late"]],
        "Đầu mối": missing["contact"].fillna("Chưa có — thêm ở cuối trang" if user.role == "quan_tri" else "Chưa có"),
        "Hạn nộp": missing["deadline"], "Số ngày trễ": [max(int(d), 0) for d in missing["days_late"]],
        "Kỳ gần nhất đã báo cáo": missing["last_period"].fillna("Chưa báo cáo lần nào"),
        "Lần gửi gần nhất": missing["last_upload"], "Nhóm": missing["group_name"],
        "Có chỉ tiêu năm": missing["has_target"].map({True: "Có", False: "Không"}),
    })
    kinds = {"Hạn nộp": "date", "Lần gửi gần nhất": "datetime", "Số ngày trễ": "int"}
    st.dataframe(fmt.styler(table, kinds), hide_index=True, width="stretch", key="cbc_missing")
    ui.table(table, kinds, name=f"chua_bao_cao_{period.code}", title=f"Đơn vị chưa gửi báo cáo {label}",
             key="cbc_missing_dl", label="Tải danh sách", expanded=True)
    with st.expander("Mẫu nội dung nhắc nhở"):
        st.code(V.reminder_text(label, missing["unit_name"], today), language=None, wrap_lines=True)

st.subheader(f"Đơn vị đã gửi báo cáo {period.phrase}")
if done.empty:
    st.info(f"Chưa đơn vị nào gửi báo cáo {label}.")
else:
    table = pd.DataFrame({"Đơn vị": done["unit_name"], "Số chỉ tiêu có số liệu": done["n_metrics"],
                          "Gửi lúc": done["last_upload"], "Người gửi": done["uploaded_by"].fillna("–"),
                          "Tệp": done["files"].fillna("")})
    st.dataframe(fmt.styler(table, {"Gửi lúc": "datetime"}), hide_index=True, width="stretch", key="cbc_done")
    ui.table(table, {"Gửi lúc": "datetime"}, name=f"da_bao_cao_{period.code}", title=f"Đơn vị đã gửi báo cáo {label}",
             key="cbc_done_dl", label="Tải danh sách")
if user.role in ("can_bo", "quan_tri"):
    ui.link("pages/tai_len.py", "Tải báo cáo lên", icon="⬆️")

# --- settings: deadlines, the reports units owe, contacts (the office) --------------------------------------------
st.subheader("Hạn nộp và kỳ báo cáo")
default = cached.fresh(R.default_cadences)
st.caption("Mọi đơn vị báo cáo: " + ", ".join(CADENCE_LABEL[c].lower() for c in default) + ". Hạn nộp: "
           + "; ".join(f"{CADENCE_LABEL[c].lower()} {deadlines[c].text}" for c in CADENCES) + ".")
if user.role == "quan_tri":
    names = {c: CADENCE_LABEL[c] for c in CADENCES}
    with st.expander("Đặt hạn nộp cho từng kỳ báo cáo"):
        with st.form("cbc_deadlines"):
            chosen = {}
            for c in CADENCES:
                a, b = st.columns(2)
                day = a.number_input(f"{names[c]}: ngày", 1, 31, int(deadlines[c].day), key=f"cbc_day_{c}")
                after = b.selectbox(f"{names[c]}: của tháng", [0, 1, 2], index=int(deadlines[c].months_after),
                                    format_func={0: "tháng cuối kỳ", 1: "tháng sau kỳ", 2: "tháng thứ hai sau kỳ"}.get,
                                    key=f"cbc_after_{c}")
                chosen[c] = (int(day), int(after))
            if st.form_submit_button("Lưu hạn nộp"):
                try:
                    for c, (day, after) in chosen.items():
                        api.set_report_deadline(user, c, day, after)
                    st.success("Đã lưu hạn nộp.")
                    st.rerun()
                except api.REFUSALS as exc:
                    st.error(f"Không lưu được: {exc}")
    with st.expander("Kỳ báo cáo của các đơn vị và đầu mối"):
        with st.form("cbc_default"):
            every = st.multiselect("Mọi đơn vị phải gửi", list(CADENCES), default=list(default),
                                   format_func=names.get, placeholder="Chọn…")
            if st.form_submit_button("Lưu kỳ báo cáo chung"):
                try:
                    api.set_report_cadences(user, ";".join(every))
                    st.rerun()
                except api.REFUSALS as exc:
                    st.error(f"Không lưu được: {exc}")
        duties = cached.fresh(R.duties)
        unit_names = dict(zip(duties["unit_code"], duties["unit_name"]))
        unit = st.selectbox("Đơn vị", list(duties["unit_code"]), format_func=unit_names.get, key="cbc_unit")
        row = duties[duties["unit_code"] == unit].iloc[0]
        with st.form("cbc_unit_form"):
            own = st.multiselect("Kỳ báo cáo riêng (để trống: như mọi đơn vị)", list(CADENCES),
                                 default=list(row["cadences"]) if row["explicit"] else [], format_func=names.get,
                                 placeholder="Như mọi đơn vị")
            contact = st.text_input("Đầu mối (họ tên, chức vụ, điện thoại)", value=row["contact"] or "",
                                    max_chars=200)
            if st.form_submit_button("Lưu cho đơn vị"):
                try:
                    api.set_unit_reporting(user, unit, ";".join(own), contact)
                    st.success(f"Đã lưu cho {unit_names[unit]}.")
                    st.rerun()
                except api.REFUSALS as exc:
                    st.error(f"Không lưu được: {exc}")
    own_rows = cached.fresh(R.duties)
    own_rows = own_rows[own_rows["explicit"]]
    if len(own_rows):
        st.caption("Đơn vị có kỳ báo cáo riêng: " + "; ".join(
            f"{n} ({', '.join(CADENCE_LABEL[c].lower() for c in cs)})"
            for n, cs in zip(own_rows["unit_name"], own_rows["cadences"])))
