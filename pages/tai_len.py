"""Tải lên: a unit's staff (or the office) send quarterly reports, see what they change, then commit."""
from __future__ import annotations

import hashlib

import streamlit as st

from core.periods import parse_period
from dashboard import admin_queries as AQ, admin_views as V, auth, cached, fmt, ui
from loaders import api

FROM_FILE = "__tu_tep__"
AUTO = "tu_nhan_dang"
KIND_CHOICES = {AUTO: "Tự nhận dạng theo nội dung tệp", "activities": "Báo cáo kết quả thực hiện (theo quý)",
                "targets": "Chỉ tiêu, kế hoạch", "indices": "Kết quả chỉ số công bố (PAR Index, PCI…)"}
TYPES = ["xlsx", "xlsm", "xls", "ods", "csv"]
MAX_LISTED_ERRORS = 30


def period_label(code: str) -> str:
    if code == FROM_FILE:
        return "Lấy từ tệp (tiêu đề báo cáo)"
    return parse_period(code).label


def template_period_label(template_kind: str, code: str) -> str:
    """A targets template is the year's plan: 'năm 2026', not the period chosen for reports."""
    return f"năm {parse_period(code).year}" if template_kind == "targets" else period_label(code)


user = auth.require()
ui.page_header("Tải lên báo cáo", "Chọn đơn vị và kỳ báo cáo, tải mẫu, chọn tệp Excel/CSV, xem trước những gì "
                                  "sẽ thay đổi rồi mới ghi vào hệ thống.")
LIMIT = ui.upload_limit_mb()
can_write = user.role in ("can_bo", "quan_tri")
if not can_write:
    st.info("Tài khoản lãnh đạo chỉ xem số liệu: không tải báo cáo lên được. Các đơn vị tự tải báo cáo của mình; "
            "Văn phòng (quản trị) nạp bảng tổng hợp và kết quả chỉ số.", icon="ℹ️")

# --- 1. unit, period, kind ------------------------------------------------------------------------------------
st.subheader("1. Đơn vị và kỳ báo cáo")
units = cached.q(AQ.units, include_ended=True)
names = dict(zip(units["code"], units["name"]))
c1, c2, c3 = st.columns([2, 1.2, 1.6])
if user.role == "can_bo":
    c1.selectbox("Đơn vị báo cáo", [user.unit_code], format_func=lambda c: names.get(c, c), disabled=True,
                 key="tl_unit_fixed", help="Tài khoản cán bộ đơn vị chỉ nạp số liệu của đơn vị mình.")
    unit = user.unit_code
    kind = "activities"
else:
    active = units[units["active"]]
    unit = c1.selectbox("Đơn vị báo cáo", [FROM_FILE] + list(active["code"]), key="tl_unit",
                        format_func=lambda c: "Lấy từ tệp (tiêu đề, cột Đơn vị)" if c == FROM_FILE else names[c],
                        disabled=not can_write,
                        help="Bảng tổng hợp nhiều đơn vị: để “Lấy từ tệp”. Chọn một đơn vị: chỉ nạp số liệu của "
                             "đơn vị đó, và tiêu đề tệp phải ghi đúng đơn vị này.")
    unit = None if unit == FROM_FILE else unit
    kind = c3.selectbox("Loại số liệu", list(KIND_CHOICES), format_func=KIND_CHOICES.get, key="tl_kind",
                        disabled=not can_write)
    kind = None if kind == AUTO else kind
period = c2.selectbox("Kỳ báo cáo", [FROM_FILE] + V.period_choices(), format_func=period_label, key="tl_period",
                      disabled=not can_write,
                      help="Để “Lấy từ tệp” khi tiêu đề báo cáo ghi rõ kỳ (ví dụ “… QUÝ III NĂM 2025”, “… 6 THÁNG ĐẦU "
                           "NĂM 2025”, “tháng 8/2025”). Báo cáo tháng, 6 tháng, 9 tháng, năm: chọn đúng kỳ đó.")
period = None if period == FROM_FILE or kind == "indices" else period

# --- 2. template ----------------------------------------------------------------------------------------------
st.subheader("2. Mẫu báo cáo")


@st.cache_data(show_spinner=False, max_entries=32)
def _template_bytes(template_kind: str, version: str, unit: str | None = None, period: str | None = None) -> bytes:
    return api.template(template_kind, unit, period)


template_kind = kind if kind in ("activities", "targets", "indices") else "activities"
# a unit chosen (a unit's own account always has one): its rows come pre-filled, the staff type numbers only
for_unit = unit if template_kind != "indices" else None
for_period = period if for_unit and period else None
try:
    data = _template_bytes(template_kind, cached.fresh(AQ.registry_version), for_unit, for_period)
except api.REFUSALS as exc:  # a template problem must not hide the upload
    st.caption(f"Chưa tạo được mẫu Excel: {fmt.escape_md(exc)}")
else:
    label = KIND_CHOICES[template_kind].split(" (")[0].lower()
    st.download_button(f"Tải mẫu Excel — {label}" + (f" — {names.get(for_unit, for_unit)}" if for_unit else "")
                       + (f", {template_period_label(template_kind, for_period)}" if for_period else ""), data,
                       file_name=V.template_file_name(template_kind, for_unit, for_period), icon="📥",
                       key="tl_template", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if for_unit:
        st.caption("Mẫu đã điền sẵn đơn vị" + (" và kỳ báo cáo" if for_period else "") + ", mỗi chỉ tiêu một "
                   "dòng: chỉ cần ghi số vào cột “" + ("Kết quả thực hiện" if template_kind == "activities"
                                                      else "Kế hoạch") + "”; dòng để trống thì không nạp. "
                   "Báo cáo theo mẫu riêng của đơn vị cũng được.")
    else:
        st.caption("Mẫu có sẵn danh sách đơn vị và chỉ tiêu (chọn đơn vị ở bước 1 để có mẫu điền sẵn). Báo "
                   "cáo theo mẫu riêng của đơn vị cũng được: hệ thống tự tìm bảng (dòng tiêu đề, cột “Nội "
                   "dung”, cột kết quả quý).")

if not can_write:
    st.stop()

# --- 3. files -------------------------------------------------------------------------------------------------
st.subheader("3. Chọn tệp")
st.markdown(f"Định dạng **.xlsx, .xls, .ods, .csv**; dung lượng tối đa **{LIMIT} MB mỗi tệp**; có thể chọn nhiều tệp "
            "cùng lúc. Chưa có gì được ghi cho tới khi bấm **Ghi vào hệ thống**.")
files = ui.uploader("Tệp báo cáo", TYPES, key="tl_files", multiple=True,
                    help=f"Tối đa {LIMIT} MB mỗi tệp; tệp lớn hơn bị từ chối ngay khi chọn.")
files = files or []

parsed_cache: dict = st.session_state.setdefault("tl_parsed", {})
done: dict = st.session_state.setdefault("tl_done", {})


ALL_SHEETS = "__tat_ca__"


def _sheet_key(content: bytes) -> str:
    """The widget holding the sheet chosen for this file (a workbook of several sheets: read one of them)."""
    return "tl_sheet_" + hashlib.sha256(content).hexdigest()[:16]


def _sheet(content: bytes) -> str | None:
    chosen = st.session_state.get(_sheet_key(content), ALL_SHEETS)
    return None if chosen == ALL_SHEETS else chosen


def _key(name: str, content: bytes) -> tuple:
    return (name, hashlib.sha256(content).hexdigest(), unit, period, kind, user.username, _sheet(content))


def read_one(name: str, content: bytes) -> dict:
    """Parse (no write) and compare with the current data; every failure becomes a Vietnamese message."""
    out = {"name": name, "size": len(content), "parsed": None, "fatal": None, "problems": [], "preview": None,
           "existing": None}
    if len(content) > LIMIT * 1024 * 1024:
        out["fatal"] = (f"Tệp “{name}” quá lớn ({fmt.number(len(content) / 1048576, 1)} MB) — giới hạn là {LIMIT} MB "
                        "mỗi tệp. Hãy bỏ bớt các trang tính không cần thiết hoặc chia nhỏ tệp.")
        return out
    try:
        parsed = api.read_upload(user, name, content, unit=unit, period=period, kind=kind, sheet=_sheet(content))
    except api.WriteFailed:  # a reader bug (logged on the server) must not show a traceback to staff
        out["fatal"] = (f"Không đọc được tệp “{name}” (lỗi không mong đợi). Hãy kiểm tra tệp có mở được bằng Excel "
                        "không, hoặc gửi tệp cho quản trị viên.")
        return out
    except api.PermissionDenied as exc:
        out["fatal"] = f"Không được tải lên: {exc}."
        return out
    except api.REFUSALS as exc:  # an unusable file, a bad choice of period: worded for this page by the door
        out["fatal"] = f"Không đọc được tệp “{name}”: {exc}."
        return out
    out["parsed"] = parsed
    out["problems"] = api.upload_problems(user, parsed)
    if parsed.batch is not None and parsed.batch.rows:
        out["preview"] = cached.fresh(AQ.preview_changes, parsed.batch)
        out["existing"] = api.already_loaded(parsed)
    return out


if files:
    todo = [(f.name, f.getvalue()) for f in files]
    missing = [(n, c) for n, c in todo if _key(n, c) not in parsed_cache]
    if missing:
        bar = st.progress(0.0, text="Đang đọc tệp…")
        for i, (name, content) in enumerate(missing):
            size = fmt.number(len(content) / 1048576, 1)
            text = f"Đang đọc và kiểm tra tệp {i + 1}/{len(missing)}: {fmt.escape_md(name)} ({size} MB)…"
            bar.progress(i / len(missing), text=text)
            with st.spinner(text):
                parsed_cache[_key(name, content)] = read_one(name, content)
        bar.progress(1.0, text="Đã đọc xong.")
        bar.empty()
    results = [parsed_cache[_key(n, c)] for n, c in todo]
else:
    results = []
    if done:
        done.clear()


# --- 4. preview, errors, commit ---------------------------------------------------------------------------------
PREVIEW_COLUMNS = {
    "Đơn vị": st.column_config.TextColumn(width=130), "Kỳ": st.column_config.TextColumn(width=92),
    "Chỉ tiêu": st.column_config.TextColumn(width=260), "Hiện có": st.column_config.NumberColumn(width=70),
    "Trong tệp": st.column_config.NumberColumn(width=75), "Tác động": st.column_config.TextColumn(width=140),
    "Ô trong tệp": st.column_config.TextColumn(width=95),
}


def show_preview(pv, key: str) -> None:
    """Counts, what the file covers, its first rows; the whole preview as a download (a file of any size)."""
    counts = AQ.preview_summary(pv)
    m1, m2, m3 = st.columns(3)
    m1.metric("Số liệu mới", fmt.number(counts[AQ.CHANGE_NEW]))
    m2.metric("Thay giá trị đang có", fmt.number(counts[AQ.CHANGE_REPLACE]))
    m3.metric("Không đổi", fmt.number(counts[AQ.CHANGE_SAME]))
    st.caption(V.preview_scope(pv))
    table = V.preview_table(pv)
    shown = table.head(V.PREVIEW_ROWS)
    st.dataframe(fmt.styler(shown, {"Hiện có": "auto", "Trong tệp": "auto"}), hide_index=True,
                 width="stretch", height="auto" if len(shown) <= 12 else 380, column_config=PREVIEW_COLUMNS,
                 placeholder="–")
    if len(table) > len(shown):
        st.caption(f"Hiện {fmt.number(len(shown))} dòng đầu trong {fmt.number(len(table))} dòng.")
        ui.table(table, name="xem_truoc", label="Toàn bộ các dòng sẽ ghi", key=f"pv_{key}")


def problem_list(problems, key: str, label: str) -> None:
    """Errors or warnings grouped by cause (a large file repeats one mistake in thousands of cells)."""
    groups = V.problem_groups(problems)
    lines = []
    for n, message, places in groups[:MAX_LISTED_ERRORS]:
        head = f"**{fmt.number(n)} ô**: " if n > 1 else ""
        lines.append(f"- {head}{fmt.escape_md(message)}" + (f" — {fmt.escape_md(places)}" if places else ""))
    if len(groups) > MAX_LISTED_ERRORS:
        lines.append(f"- … và {len(groups) - MAX_LISTED_ERRORS} loại khác (xem bảng đầy đủ bên dưới)")
    st.markdown("\n".join(lines))
    if len(problems) > len(groups) or len(groups) > MAX_LISTED_ERRORS:
        ui.table(V.problems_table(problems), name="loi_tep", label=label, key=f"err_{key}")


def commit(r: dict, confirmed: bool = False) -> None:
    key = _key(r["name"], r["parsed"].batch.content)
    try:
        res = api.upload(user, r["parsed"], confirmed=confirmed)
    except api.PermissionDenied as exc:
        done[key] = ("error", f"Không được ghi tệp “{r['name']}”: {exc}.")
    except api.REFUSALS as exc:  # errors left, nothing to load, too big; or a fault, logged on the server
        done[key] = ("error", f"Không ghi: {exc}.")
    else:
        if res.created:
            done[key] = ("ok", f"Đã ghi tệp “{r['name']}” thành lô số {res.batch_id} ({fmt.number(res.rows)} dòng).")
        else:
            done[key] = ("info", f"Tệp “{r['name']}” đã có trong hệ thống (lô số {res.batch_id}): không ghi lại.")


if results:
    st.subheader("4. Kiểm tra và ghi")
    ready = []
    for r in results:
        parsed = r["parsed"]
        with st.container(border=True):
            st.markdown(f"**📄 {fmt.escape_md(r['name'])}** · {V.size_mb(r['size'])} MB")
            if r["fatal"]:
                st.error(fmt.escape_md(r["fatal"]) + " Không có gì được ghi.", icon="🚫")
                continue
            if len(parsed.sheets) > 1:  # a workbook of several sheets (VCCI's summary and detail sheets): one or all
                st.selectbox("Trang tính", [ALL_SHEETS] + parsed.sheets, key=_sheet_key(parsed.batch.content),
                             format_func=lambda s: "Tất cả các trang tính" if s == ALL_SHEETS else s,
                             help="Chọn một trang tính để chỉ đọc trang đó (ví dụ trang tổng hợp của bảng kết quả chỉ "
                                  "số); mặc định đọc mọi trang.")
            key = _key(r["name"], parsed.batch.content)
            if key in done:
                state, message = done[key]
                {"ok": st.success, "info": st.info, "error": st.error}[state](fmt.escape_md(message))
                if state == "ok" and parsed.batch.year and parsed.batch.quarter:
                    ui.link("pages/hoat_dong.py", "Xem số liệu mới trên trang Hoạt động", icon="📈",
                            query_params={"nam": str(parsed.batch.year), "quy": str(parsed.batch.quarter)})
                continue
            st.caption(" · ".join(V.upload_facts(parsed, names)))
            if parsed.errors:
                st.error(f"Tệp có {len(parsed.errors)} lỗi — chưa ghi gì. Hãy sửa trong tệp rồi tải lại:", icon="🚫")
                problem_list(parsed.errors, key[1][:16], "Tất cả lỗi")
            if r["problems"]:
                st.error("Không được ghi tệp này: " + fmt.escape_md("; ".join(r["problems"])) + ".", icon="⛔")
            if parsed.warnings:
                with st.expander(f"{fmt.number(len(parsed.warnings))} lưu ý (không chặn việc ghi)"):
                    problem_list(parsed.warnings, "w" + key[1][:16], "Tất cả lưu ý")
            pv = r["preview"]
            if pv is not None and len(pv):
                if parsed.errors or r["problems"]:
                    with st.expander(f"Các dòng đọc được ({fmt.number(len(pv))}) — chưa ghi"):
                        show_preview(pv, key[1][:16])
                else:
                    show_preview(pv, key[1][:16])
            blocked = bool(parsed.errors or r["problems"]) or not parsed.rows
            if r["existing"] is not None and not blocked:
                if V.would_change(pv):
                    st.warning(f"Đúng tệp này đã được nạp ở lô số {r['existing']}, nhưng sau đó có lô mới hơn thay số "
                               "liệu. Muốn dùng lại số liệu của tệp này, hãy hoàn tác lô mới hơn ở trang Lịch sử.")
                else:
                    st.info(f"Tệp này đã có trong hệ thống (lô số {r['existing']}) và không thay đổi gì.")
                blocked = True
            confirmed = True
            if not blocked and parsed.to_confirm:
                st.warning(f"{fmt.number(len(parsed.to_confirm))} số vượt mức hợp lý của chỉ tiêu (xem các lưu ý ở "
                           "trên). Hãy kiểm tra lại trong tệp trước khi ghi.", icon="⚠️")
                confirmed = st.checkbox("Tôi đã kiểm tra: các số này đúng", key=f"tl_confirm_{key[1][:16]}")
            if not blocked:
                ready.append((r, confirmed))
                if st.button("Ghi vào hệ thống", key=f"tl_commit_{key[1][:16]}", type="primary", icon="💾",
                             disabled=not confirmed):
                    commit(r, confirmed)
                    st.rerun()
    if len(ready) > 1:
        if st.button(f"Ghi tất cả {len(ready)} tệp hợp lệ", key="tl_commit_all", type="primary", icon="💾",
                     disabled=not all(ok for _, ok in ready)):
            for r, ok in ready:
                commit(r, ok)
            st.rerun()
