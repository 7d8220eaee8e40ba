"""Lịch sử: every batch (who, when, file, unit, period, rows, status); open one, download its file, roll it back.
The audit trail (sign-ins, uploads, rollbacks, edits) for leadership and administrators."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import admin_queries as AQ, admin_views as V, auth, cached, fmt, ui
from loaders import api

ALL = "__tat_ca__"

user = auth.require()
ui.page_header("Lịch sử tải lên", "Mọi lô số liệu đã nạp: ai gửi, khi nào, tệp nào, của đơn vị và kỳ nào. "
                                  "Mở một lô để xem các dòng, tải tệp gốc hoặc hoàn tác.")

units = cached.q(AQ.units)
names = dict(zip(units["code"], units["name"]))


def period_text(p) -> str:
    if p == ALL:
        return "Tất cả các kỳ"
    return AQ.period_label(*p)


def batch_list() -> None:
    c1, c2, c3, c4 = st.columns([2, 1.3, 1.5, 1.2])
    if user.role == "can_bo":
        c1.selectbox("Đơn vị", [user.unit_code], format_func=lambda c: names.get(c, c), disabled=True,
                     key="ls_unit_fixed")
        unit = user.unit_code
    else:
        unit = c1.selectbox("Đơn vị", [ALL] + list(units["code"]), key="ls_unit",
                            format_func=lambda c: "Tất cả đơn vị" if c == ALL else names.get(c, c))
        unit = None if unit == ALL else unit
    period = c2.selectbox("Kỳ", [ALL] + cached.q(AQ.batch_periods), format_func=period_text, key="ls_period")
    kind = c3.selectbox("Loại", [ALL] + list(AQ.KIND_LABELS), key="ls_kind",
                        format_func=lambda k: "Tất cả các loại" if k == ALL else AQ.KIND_LABELS[k])
    status = c4.selectbox("Trạng thái", [ALL] + list(AQ.STATUS_LABELS), key="ls_status",
                          format_func=lambda s: "Tất cả" if s == ALL else AQ.STATUS_LABELS[s])
    df = cached.q(AQ.batch_list, unit, None if period == ALL else tuple(period), None if kind == ALL else kind,
                  None if status == ALL else status)
    if user.role == "can_bo":  # only batches that hold nothing but their unit's data
        df = V.own_batches(df, user.unit_code)
    if df.empty:
        ui.empty_state("Không có lô số liệu nào khớp bộ lọc.", "Hãy bỏ bớt bộ lọc, hoặc tải báo cáo lên.")
        return
    table = V.batch_table(df, names)
    st.caption(f"{fmt.number(len(df))} lô · chọn một dòng (ô bên trái) hoặc chọn số lô bên dưới để xem chi tiết.")
    widths = {"Lô": 48, "Thời gian": 112, "Người gửi": 95, "Tệp": 190, "Đơn vị": 150, "Kỳ": 92, "Số dòng": 58,
              "Trạng thái": 92}
    event = st.dataframe(fmt.styler(table, {"Thời gian": "datetime", "Lô": "int"}), hide_index=True,
                         width="stretch", height=min(420, 38 + 35 * len(table)), key="ls_table",
                         on_select="rerun", selection_mode="single-row", placeholder="–",
                         column_config={k: st.column_config.Column(width=w) for k, w in widths.items()})
    ids = [int(b) for b in df["batch_id"]]
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    if rows:
        st.session_state["ls_batch"] = ids[rows[0]]
    if st.session_state.get("ls_batch") not in ids:
        st.session_state.pop("ls_batch", None)
    labels = V.batch_choices(df)
    chosen = st.selectbox("Mở lô", [None] + ids, key="ls_batch", placeholder="Chọn một lô…",
                          format_func=lambda b: "Chọn một lô…" if b is None else labels[b])
    if chosen is not None:
        batch_detail(int(chosen))


def batch_detail(batch_id: int) -> None:
    info = cached.q(AQ.batch_info, batch_id)
    if info is None:
        st.error(f"Không có lô số {batch_id}.")
        return
    if user.role == "can_bo" and not V.is_own_batch(info, user.unit_code):
        st.warning("Lô này không chỉ có số liệu của đơn vị bạn: chỉ quản trị viên xem được chi tiết.")
        return
    with st.container(border=True):
        st.subheader(f"Lô số {batch_id} · {info['status_label']}", anchor=False)
        st.markdown("\n".join(f"- **{k}:** {fmt.escape_md(v)}" for k, v in V.batch_facts(info, names)))
        if info["has_file"]:
            file_name, content = cached.fresh(AQ.batch_file, batch_id)
            st.download_button("Tải tệp gốc", content, file_name=file_name or f"lo_{batch_id}", icon="📥",
                               key=f"ls_file_{batch_id}")
            st.caption(f"SHA-256: `{info['sha256']}`")
        else:
            st.caption("Lô này không lưu tệp gốc (dữ liệu mẫu hoặc nhập từ hệ thống).")
        shown = V.batch_rows_table(cached.q(AQ.batch_rows, batch_id))
        ui.table(shown, {"Giá trị": "auto"}, name=f"lo_{batch_id}", key=f"ls_rows_{batch_id}",
                 label="Các dòng của lô", expanded=True)
        rollback_box(batch_id, info)


def rollback_box(batch_id: int, info: dict) -> None:
    if info["status"] != "active":
        st.info("Lô này đã được hoàn tác: số liệu của nó không còn được dùng (vẫn được lưu để tra cứu).")
        return
    problems = api.rollback_problems(user, batch_id)
    st.markdown("**Hoàn tác lô**")
    if problems:
        st.caption("Không hoàn tác được: " + "; ".join(problems) + ".")
        return
    effect = cached.fresh(AQ.rollback_preview, batch_id)
    if len(effect):
        st.markdown(f"Hoàn tác sẽ bỏ **{fmt.number(len(effect))}** giá trị đang dùng của lô này; ở mỗi ô, giá trị "
                    "của lần gửi trước (nếu có) được dùng lại:")
        view = V.rollback_table(effect)
        st.dataframe(fmt.styler(view, {"Đang dùng": "auto", "Sau khi hoàn tác": "auto"}), hide_index=True,
                     width="stretch", height="auto" if len(view) <= 10 else 320)
    elif info["kind"] in ("activities", "targets", "target_edit", "sample"):
        st.markdown("Không giá trị nào của lô này đang được dùng (đã có lô mới hơn thay): hoàn tác không đổi số liệu "
                    "đang hiển thị.")
    else:
        st.markdown(f"Hoàn tác sẽ bỏ **{fmt.number(info['rows'])}** dòng của lô này khỏi số liệu đang dùng; ở mỗi ô, "
                    "giá trị của lô trước đó (nếu có) được dùng lại.")
    sure = st.checkbox(f"Tôi xác nhận hoàn tác lô số {batch_id}. Lô vẫn được lưu, có thể xem lại trong lịch sử.",
                       key=f"ls_confirm_{batch_id}")
    if st.button(f"Hoàn tác lô số {batch_id}", key=f"ls_rollback_{batch_id}", type="primary", disabled=not sure,
                 icon="↩️"):
        try:
            api.rollback(user, batch_id)
        except api.REFUSALS as exc:
            st.error(f"Không hoàn tác được: {exc}.")
        else:
            st.session_state["ls_flash"] = f"Đã hoàn tác lô số {batch_id}: số liệu trước đó được dùng lại."
            st.rerun()


def audit_tab() -> None:
    c1, c2 = st.columns(2)
    people = cached.fresh(AQ.audit_users)
    who = c1.selectbox("Người thực hiện", [ALL] + people, key="ls_audit_user",
                       format_func=lambda u: "Tất cả" if u == ALL else u)
    what = c2.selectbox("Thao tác", [ALL] + list(api.ACTIONS), key="ls_audit_action",
                        format_func=lambda a: "Tất cả thao tác" if a == ALL else api.ACTIONS[a])
    df = cached.fresh(AQ.audit, None if who == ALL else who, None if what == ALL else what)
    if df.empty:
        st.info("Chưa có thao tác nào được ghi.")
        return
    view = pd.DataFrame({"Thời gian": df["happened_at"], "Người thực hiện": df["username"].fillna("–"),
                         "Thao tác": df["action_label"], "Chi tiết": df["detail"].fillna("")})
    st.dataframe(fmt.styler(view, {"Thời gian": "datetime"}), hide_index=True, width="stretch", height=460,
                 column_config={"Thời gian": st.column_config.Column(width=125),
                                "Người thực hiện": st.column_config.Column(width=120),
                                "Thao tác": st.column_config.Column(width=190),
                                "Chi tiết": st.column_config.Column(width=480)})
    ui.table(view, {"Thời gian": "datetime"}, name="nhat_ky_thao_tac", key="ls_audit_dl",
             label="Tải nhật ký")


flash = st.session_state.pop("ls_flash", None)
if flash:
    st.success(flash)
if user.role in ("quan_tri", "lanh_dao"):
    tab_batches, tab_audit = st.tabs(["Các lô số liệu", "Nhật ký thao tác"], key="tab", bind="query-params")
    with tab_batches:
        batch_list()
    with tab_audit:
        audit_tab()
else:
    batch_list()
