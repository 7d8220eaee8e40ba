"""Danh mục: units (add, rename, merge with history kept), indicators, aliases; accounts for administrators."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import admin_queries as AQ, auth, cached, fmt, ui
from loaders import api

user = auth.require("lanh_dao", "quan_tri")
admin = user.role == "quan_tri"
ui.page_header("Danh mục", "Đơn vị, chỉ tiêu và tên gọi khác dùng để nhận ra tên trong báo cáo"
               + ("; tài khoản đăng nhập." if admin else "."))
if not admin:
    st.info("Tài khoản lãnh đạo chỉ xem danh mục; quản trị viên sửa.", icon="ℹ️")
flash = st.session_state.pop("dm_flash", None)
if flash:
    st.success(flash)


def run_edit(fn, *args, success: str, **kwargs) -> None:
    """Call a registry/account edit of the write door as the signed-in user; a refusal is a Vietnamese error, never
    a traceback."""
    try:
        fn(user, *args, **kwargs)
    except api.PermissionDenied as exc:
        st.error(f"Không được phép: {exc}.")
    except api.REFUSALS as exc:
        st.error(f"Chưa lưu: {exc}.")
    else:
        cached.clear()  # unit and indicator names are cached by the data version, which edits do not change
        st.session_state["dm_flash"] = success
        st.rerun()


units = cached.fresh(AQ.units)  # the registry page shows the registry as it is now
names = dict(zip(units["code"], units["name"]))
active_units = units[units["active"]]
tab_names = ["Đơn vị", "Chỉ tiêu"] + (["Tài khoản"] if admin else [])
tabs = st.tabs(tab_names, key="tab", bind="query-params")  # a copied link opens the same tab

# --- units ------------------------------------------------------------------------------------------------------
with tabs[0]:
    view = pd.DataFrame({
        "Mã": units["code"], "Tên đơn vị": units["name"],
        "Loại": units["kind"].map(lambda k: api.UNIT_KINDS.get(k, k) if isinstance(k, str) else "–"),
        "Từ ngày": units["valid_from"], "Đến ngày": units["valid_to"],
        "Sáp nhập vào": units["successor_name"].fillna(""), "Tên gọi khác": units["aliases"],
    })
    st.caption(f"{fmt.number(int(units['active'].sum()))} đơn vị đang hoạt động, "
               f"{fmt.number(int((~units['active']).sum()))} đã sáp nhập hoặc giải thể (giữ lại để tra cứu lịch sử).")
    widths = {"Mã": 130, "Tên đơn vị": 240, "Loại": 105, "Từ ngày": 85, "Đến ngày": 85, "Sáp nhập vào": 140}
    st.dataframe(fmt.styler(view, {"Từ ngày": "date", "Đến ngày": "date"}), hide_index=True, width="stretch",
                 height=min(460, 38 + 35 * len(view)), key="dm_units_table", placeholder="–",
                 column_config={k: st.column_config.Column(width=w) for k, w in widths.items()})
    ui.table(view, {"Từ ngày": "date", "Đến ngày": "date"}, name="danh_muc_don_vi", key="dm_units_dl",
             label="Tải danh mục đơn vị")
    if admin:
        left, right = st.columns(2)
        with left.expander("➕ Thêm đơn vị", expanded=False):
            with st.form("dm_add_unit", clear_on_submit=False):
                name = st.text_input("Tên đơn vị", key="dm_au_name", placeholder="Ví dụ: UBND xã Ea Kao")
                code = st.text_input("Mã (bỏ trống: tạo từ tên)", key="dm_au_code",
                                     help="Chữ thường không dấu, số và gạch dưới; không đổi được về sau.")
                kind = st.selectbox("Loại", list(api.UNIT_KINDS), format_func=api.UNIT_KINDS.get, key="dm_au_kind")
                start = st.date_input("Hoạt động từ ngày (tùy chọn)", value=None, format="DD/MM/YYYY",
                                      key="dm_au_from")
                aliases = st.text_input("Tên gọi khác (cách nhau bởi dấu ;)", key="dm_au_aliases")
                if st.form_submit_button("Thêm đơn vị", type="primary"):
                    code = code.strip() or api.suggest_code(name, set(units["code"]))
                    run_edit(api.add_unit, code, name, kind, None, start, [a for a in aliases.split(";") if a.strip()],
                             success=f"Đã thêm đơn vị “{name.strip()}” (mã {code}).")
        with right.expander("✏️ Đổi tên đơn vị", expanded=False):
            with st.form("dm_rename_unit"):
                code = st.selectbox("Đơn vị", list(active_units["code"]), format_func=names.get, key="dm_rn_unit")
                new_name = st.text_input("Tên mới", key="dm_rn_name")
                keep = st.checkbox("Giữ tên cũ làm tên gọi khác (báo cáo ghi tên cũ vẫn được nhận ra)", value=True,
                                   key="dm_rn_keep")
                if st.form_submit_button("Đổi tên", type="primary"):
                    run_edit(api.rename_unit, code, new_name, keep,
                             success=f"Đã đổi tên “{fmt.escape_md(names.get(code))}” thành "
                                     f"“{fmt.escape_md(new_name.strip())}”.")
        left, right = st.columns(2)
        with left.expander("🔀 Sáp nhập đơn vị", expanded=False):
            st.markdown("Đơn vị cũ ngừng hoạt động từ ngày sáp nhập. **Số liệu được giữ nguyên**: các quý trước ngày "
                        "sáp nhập vẫn là của đơn vị cũ; từ ngày sáp nhập, số liệu của đơn vị cũ hiển thị dưới đơn vị "
                        "tiếp nhận.")
            with st.form("dm_merge_unit"):
                codes = list(active_units["code"])
                old = st.selectbox("Đơn vị bị sáp nhập", codes, format_func=names.get, key="dm_mg_old", index=None,
                                   placeholder="Chọn đơn vị…")
                new = st.selectbox("Đơn vị tiếp nhận", codes, format_func=names.get, key="dm_mg_new", index=None,
                                   placeholder="Chọn đơn vị…")
                date = st.date_input("Ngày sáp nhập (có hiệu lực từ)", value=None, format="DD/MM/YYYY",
                                     key="dm_mg_date")
                sure = st.checkbox("Tôi xác nhận sáp nhập (ghi vào nhật ký; sửa lại cần quản trị cơ sở dữ liệu)",
                                   key="dm_mg_sure")
                if st.form_submit_button("Sáp nhập", type="primary"):
                    if not old or not new:
                        st.error("Hãy chọn đơn vị bị sáp nhập và đơn vị tiếp nhận.")
                    elif not sure:
                        st.error("Hãy đánh dấu ô xác nhận trước khi sáp nhập.")
                    else:
                        run_edit(api.merge_unit, old, new, date,
                                 success=f"Đã sáp nhập “{names.get(old)}” vào “{names.get(new)}”"
                                         + (f" từ {fmt.date(date)}." if date else "."))
        with right.expander("🏷️ Thêm tên gọi khác cho đơn vị", expanded=False):
            with st.form("dm_unit_alias"):
                code = st.selectbox("Đơn vị", list(units["code"]), format_func=names.get, key="dm_ua_unit")
                alias = st.text_input("Tên gọi khác", key="dm_ua_alias", placeholder="Ví dụ: Sở TP Đắk Lắk")
                if st.form_submit_button("Thêm", type="primary"):
                    run_edit(api.add_unit_alias, code, alias,
                             success=f"Đã thêm tên gọi khác “{alias.strip()}” cho {names.get(code)}.")

# --- indicators -------------------------------------------------------------------------------------------------
with tabs[1]:
    metrics = cached.fresh(AQ.metrics)
    mnames = dict(zip(metrics["code"], metrics["name"]))
    view = pd.DataFrame({"Mã": metrics["code"], "Chỉ tiêu": metrics["name"],
                         "Loại": metrics["kind"].map({"count": "Số lượng", "rate": "Tỷ lệ %"}),
                         "Nhóm": metrics["grp"].fillna(""), "Đơn vị tính": metrics["unit"].fillna(""),
                         "Tên gọi khác": metrics["aliases"]})
    widths = {"Mã": 130, "Chỉ tiêu": 330, "Loại": 80, "Nhóm": 150, "Đơn vị tính": 80}
    st.dataframe(view, hide_index=True, width="stretch", height=min(460, 38 + 35 * len(view)),
                 key="dm_metrics_table", placeholder="–",
                 column_config={k: st.column_config.Column(width=w) for k, w in widths.items()})
    ui.table(view, name="danh_muc_chi_tieu", key="dm_metrics_dl", label="Tải danh mục chỉ tiêu")
    if admin:
        left, right = st.columns(2)
        with left.expander("➕ Thêm chỉ tiêu", expanded=False):
            with st.form("dm_add_metric"):
                name = st.text_input("Tên chỉ tiêu", key="dm_am_name")
                code = st.text_input("Mã (bỏ trống: tạo từ tên)", key="dm_am_code")
                kind = st.selectbox("Loại", list(api.METRIC_KINDS), format_func=api.METRIC_KINDS.get, key="dm_am_kind")
                groups = sorted({g for g in metrics["grp"].dropna()})
                group = st.selectbox("Nhóm", groups + ["(nhóm khác)"], key="dm_am_group") if groups else None
                unit_text = st.text_input("Đơn vị tính", key="dm_am_unit", placeholder="tin/bài, lớp, %…")
                aliases = st.text_input("Tên gọi khác (cách nhau bởi dấu ;)", key="dm_am_aliases")
                if st.form_submit_button("Thêm chỉ tiêu", type="primary"):
                    code = code.strip() or api.suggest_code(name, set(metrics["code"]))
                    run_edit(api.add_indicator, code, name, kind, None if group == "(nhóm khác)" else group, unit_text,
                             [a for a in aliases.split(";") if a.strip()],
                             success=f"Đã thêm chỉ tiêu “{name.strip()}” (mã {code}).")
        with right.expander("🏷️ Thêm tên gọi khác cho chỉ tiêu", expanded=False):
            with st.form("dm_metric_alias"):
                code = st.selectbox("Chỉ tiêu", list(metrics["code"]), format_func=mnames.get, key="dm_ma_metric")
                alias = st.text_input("Tên gọi khác", key="dm_ma_alias",
                                      placeholder="Ví dụ: Tin bài đăng trên Trang TTĐT của Sở")
                if st.form_submit_button("Thêm", type="primary"):
                    run_edit(api.add_indicator_alias, code, alias,
                             success=f"Đã thêm tên gọi khác “{alias.strip()}” cho chỉ tiêu {code}.")

# --- accounts (administrators) ------------------------------------------------------------------------------------
if admin:
    with tabs[2]:
        people = cached.fresh(AQ.users)
        view = pd.DataFrame({
            "Tài khoản": people["username"], "Họ tên": people["full_name"].fillna(""),
            "Vai trò": people["role"].map(api.ROLE_LABELS), "Đơn vị": people["unit_name"].fillna(""),
            "Trạng thái": people["active"].map({True: "Hoạt động", False: "Đã khóa"}),
            "Đăng nhập gần nhất": people["last_sign_in"],
        })
        st.dataframe(fmt.styler(view, {"Đăng nhập gần nhất": "datetime"}), hide_index=True, width="stretch",
                     key="dm_users_table")
        st.caption("Mật khẩu được lưu dạng băm Argon2id có muối, không ai đọc lại được. Quản trị viên đầu tiên tạo "
                   "bằng dòng lệnh: `python -m loaders user add TÊN --role quan_tri`.")

        usernames = list(people["username"])
        left, right = st.columns(2)
        with left.expander("➕ Tạo tài khoản", expanded=False):
            with st.form("dm_add_user"):
                username = st.text_input("Tên đăng nhập", key="dm_nu_user", help="Chữ thường không dấu, số, . _ -")
                full_name = st.text_input("Họ tên", key="dm_nu_name")
                role = st.selectbox("Vai trò", list(api.ROLES), format_func=api.ROLE_LABELS.get, key="dm_nu_role",
                                    index=1)
                unit_code = st.selectbox("Đơn vị (bắt buộc với cán bộ đơn vị)", [""] + list(active_units["code"]),
                                         format_func=lambda c: "—" if not c else names[c], key="dm_nu_unit")
                pw1 = st.text_input("Mật khẩu", type="password", key="dm_nu_pw1")
                pw2 = st.text_input("Nhập lại mật khẩu", type="password", key="dm_nu_pw2")
                if st.form_submit_button("Tạo tài khoản", type="primary"):
                    if pw1 != pw2:
                        st.error("Hai lần nhập mật khẩu không khớp.")
                    else:
                        run_edit(api.create_user, username, pw1, role, full_name, unit_code or None,
                                 success=f"Đã tạo tài khoản “{username.strip().lower()}”.")
        with right.expander("🔑 Đặt lại mật khẩu", expanded=False):
            with st.form("dm_passwd"):
                who = st.selectbox("Tài khoản", usernames, key="dm_pw_user")
                pw1 = st.text_input("Mật khẩu mới", type="password", key="dm_pw_pw1")
                pw2 = st.text_input("Nhập lại", type="password", key="dm_pw_pw2")
                if st.form_submit_button("Đặt lại", type="primary"):
                    if pw1 != pw2:
                        st.error("Hai lần nhập mật khẩu không khớp.")
                    else:
                        run_edit(api.set_password, who, pw1, success=f"Đã đặt lại mật khẩu của “{who}”.")
        with st.expander("⚙️ Đổi vai trò, đơn vị; khóa hoặc mở khóa", expanded=False):
            who = st.selectbox("Tài khoản", usernames, key="dm_eu_user")
            if who:
                row = people[people["username"] == who].iloc[0]
                unit_options = [""] + list(active_units["code"])
                current_unit = row["unit_code"] if isinstance(row["unit_code"], str) else ""
                if current_unit and current_unit not in unit_options:
                    unit_options.append(current_unit)
                with st.form(f"dm_edit_user_{who}"):
                    role = st.selectbox("Vai trò", list(api.ROLES), format_func=api.ROLE_LABELS.get,
                                        key=f"dm_eu_role_{who}", index=list(api.ROLES).index(row["role"]))
                    unit_code = st.selectbox("Đơn vị", unit_options, index=unit_options.index(current_unit),
                                             format_func=lambda c: "—" if not c else names.get(c, c),
                                             key=f"dm_eu_unit_{who}")
                    active = st.checkbox("Đang hoạt động (bỏ đánh dấu để khóa)", value=bool(row["active"]),
                                         key=f"dm_eu_active_{who}")
                    if st.form_submit_button("Lưu", type="primary"):
                        run_edit(api.update_user, who, role=role, unit_code=unit_code, active=active,
                                 success=f"Đã cập nhật tài khoản “{who}”.")
