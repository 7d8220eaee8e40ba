"""Chỉ tiêu: targets per unit × indicator × year (annual, optionally per quarter), edited in a table and saved
as a batch like an upload; copy last year's targets as a start. Administrators edit, others read."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import admin_queries as AQ, admin_views as V, auth, cached, fmt, theme, ui
from loaders import api

LABELS = {col: "Cả năm" if q is None else fmt.quarter_short(q) for col, q in V.TARGET_COLUMNS.items()}
KIND_TEXT = {"count": "Số lượng", "rate": "Tỷ lệ %"}

user = auth.require()
editable = user.role == "quan_tri"
ui.page_header("Chỉ tiêu", "Chỉ tiêu giao cho từng đơn vị theo năm, có thể chia theo quý. Mỗi lần lưu là một lô "
                           "trong Lịch sử: xem lại và hoàn tác được như một lần tải lên.")
flash = st.session_state.pop("ct_flash", None)
if flash:
    st.success(flash)

# --- choose unit and year ---------------------------------------------------------------------------------------
this_year = fmt.today().year
years = sorted(set(cached.q(AQ.target_years)) | {this_year, this_year + 1}, reverse=True)
units = cached.q(AQ.units)
c1, c2 = st.columns([1, 3])
year = c1.selectbox("Năm", years, index=years.index(this_year), key="ct_year")
valid = V.units_valid_in(units, year)
names = dict(zip(units["code"], units["name"]))
if user.role == "can_bo":
    unit = c2.selectbox("Đơn vị", [user.unit_code], format_func=lambda c: names.get(c, c), disabled=True,
                        key="ct_unit_fixed")
else:
    unit = c2.selectbox("Đơn vị", list(valid["code"]), format_func=lambda c: names.get(c, c), key="ct_unit")
if unit is None:
    st.stop()
with_targets = set(cached.q(AQ.units_with_targets, year))
st.caption(f"{fmt.number(len(with_targets & set(valid['code'])))}/{fmt.number(len(valid))} đơn vị đã có chỉ tiêu "
           f"năm {year}.")

# --- the grid ---------------------------------------------------------------------------------------------------
base_key = f"ct_base_{unit}_{year}"
gen_key = f"ct_gen_{unit}_{year}"
current = cached.q(AQ.target_grid, unit, year)
base: pd.DataFrame = st.session_state.get(base_key, current)  # a copied-in table until saved or reset
generation = st.session_state.get(gen_key, 0)
editor_key = f"ct_editor_{unit}_{year}_{generation}"

if editable:
    b1, b2, _ = st.columns([1.4, 1.2, 2])
    previous = cached.q(AQ.target_grid, unit, year - 1)
    has_previous = V.has_targets(previous)
    if b1.button(f"Chép chỉ tiêu năm {year - 1} vào bảng", key="ct_copy_prev", icon="📋", disabled=not has_previous,
                 help=f"Điền bảng bằng chỉ tiêu năm {year - 1} của đơn vị này để sửa tiếp; chưa lưu gì."):
        st.session_state[base_key] = V.filled_from(base, previous)
        st.session_state[gen_key] = generation + 1
        st.session_state["ct_flash_copy"] = (f"Đã chép chỉ tiêu năm {year - 1} vào bảng. Kiểm tra, sửa nếu cần rồi bấm "
                                             "“Lưu chỉ tiêu”.")
        st.rerun()
    if b2.button("Bỏ thay đổi chưa lưu", key="ct_reset", icon="🔄"):
        st.session_state.pop(base_key, None)
        st.session_state[gen_key] = generation + 1
        st.rerun()
copied = st.session_state.pop("ct_flash_copy", None)
if copied:
    st.info(copied)

table = base.copy()
table["kind_text"] = table["kind"].map(KIND_TEXT)
phone = ui.layout() == theme.NARROW  # the names narrower and not pinned: the numbers show beside them
column_config = {
    "name": st.column_config.TextColumn("Chỉ tiêu", disabled=True, width=150 if phone else 390, pinned=not phone),
    "unit": st.column_config.TextColumn("Đơn vị tính", disabled=True, width=80,
                                        help="% : chỉ tiêu tỷ lệ (0–100, không cộng dồn); còn lại: số lượng"),
}
for col, label in LABELS.items():
    column_config[col] = st.column_config.NumberColumn(
        label, min_value=0, format="localized", width=76,
        help="Chỉ tiêu cả năm" if col == "annual" else f"Chỉ tiêu riêng {label.lower()} (bỏ trống: số lượng lấy "
                                                       "cả năm chia 4, tỷ lệ lấy nguyên cả năm)")
order = ["name", "unit", *LABELS]
edited = st.data_editor(table, column_config=column_config, column_order=order, hide_index=True, width="stretch",
                        height=38 + 35 * len(table), disabled=not editable, key=editor_key, num_rows="fixed",
                        placeholder="")
st.caption("Số lượng: số nguyên, cộng dồn theo quý — quý bỏ trống lấy chỉ tiêu cả năm chia 4. Tỷ lệ %: từ 0 đến "
           "100, không cộng dồn — quý bỏ trống lấy nguyên chỉ tiêu cả năm. Ô đã có chỉ tiêu không xóa trống được; "
           "muốn bỏ lần lưu nào, hãy hoàn tác lô đó ở trang Lịch sử.")

if editable:
    n = V.changed_cells(current, edited)
    st.caption(f"{fmt.number(n)} ô khác với chỉ tiêu đang lưu." if n else "Chưa có ô nào thay đổi.")
    if st.button("Lưu chỉ tiêu", key="ct_save", type="primary", icon="💾", disabled=not n):
        try:
            result, changes = api.save_targets(user, unit, int(year), V.target_values(edited))
        except api.TargetEditError as exc:
            st.error(f"Chưa lưu: có {len(exc.errors)} lỗi. Sửa các ô sau rồi lưu lại:")
            st.markdown("\n".join(f"- {e}" for e in exc.errors))
        except api.REFUSALS as exc:
            st.error(f"Không lưu được: {exc}.")
        else:
            st.session_state.pop(base_key, None)
            st.session_state[gen_key] = generation + 1
            if result is None:
                st.session_state["ct_flash"] = "Không có thay đổi nào để lưu."
            else:
                st.session_state["ct_flash"] = (f"Đã lưu {fmt.number(len(changes))} ô chỉ tiêu năm {year} của "
                                                f"{fmt.escape_md(names[unit])} (lô số {result.batch_id}).")
            st.rerun()

    # --- copy for every unit --------------------------------------------------------------------------------------
    with st.expander(f"Chép chỉ tiêu năm {year - 1} sang năm {year} cho mọi đơn vị chưa có chỉ tiêu"):
        missing = [c for c in valid["code"] if c not in with_targets]
        st.markdown(f"{fmt.number(len(missing))} đơn vị chưa có chỉ tiêu năm {year}. Đơn vị đã có chỉ tiêu giữ "
                    "nguyên. Sau khi chép, sửa từng đơn vị ở bảng trên; lần chép là một lô, hoàn tác được.")
        if st.button(f"Chép cho {fmt.number(len(missing))} đơn vị", key="ct_copy_all", disabled=not missing):
            try:
                result, n_cells = api.copy_year_for_units(user, year - 1, int(year), missing)
            except api.REFUSALS as exc:
                st.error(f"Không chép được: {exc}.")
            else:
                st.session_state.pop(base_key, None)
                st.session_state[gen_key] = generation + 1
                st.session_state["ct_flash"] = (
                    f"Đã chép {fmt.number(n_cells)} ô chỉ tiêu năm {year - 1} sang năm {year} (lô số "
                    f"{result.batch_id})." if result else f"Năm {year - 1} không có chỉ tiêu nào để chép.")
                cached.clear()
                st.rerun()
elif user.role == "lanh_dao":
    st.caption("Tài khoản lãnh đạo chỉ xem chỉ tiêu; quản trị viên (Văn phòng) giao và sửa chỉ tiêu.")
else:
    st.caption("Chỉ tiêu do quản trị viên (Văn phòng) giao; đơn vị xem để theo dõi.")
