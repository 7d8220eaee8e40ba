"""Kế hoạch: CCHC plans and directives read from their documents, reviewed beside their source sentences and saved as
batches; then their tasks followed quarter by quarter (status, timeline, overdue list, marking a task done with
evidence), by plan and by unit, and the numbers they commit to, each with the plan (number, date) it came from.
Administrators save plans; the staff of a unit that leads a task (alone or in a group such as 'Các sở, ban, ngành')
mark it done for their unit; leadership and, where read access is open, visitors read."""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from core.rules import YEAR_MAX, YEAR_MIN
from dashboard import admin_queries as AQ, auth, cached, fmt, plan_figures as PF, plan_queries as PQ
from dashboard import plan_views as PV, queries, theme, ui
from dashboard.figures import short_label
from loaders import api

FILE_TYPES = ["docx", "pdf", "txt", "md", "png", "jpg", "jpeg", "tif", "tiff", "doc", "odt", "rtf"]
PASTED_NAME = "van_ban_dan.txt"
KNOWN_COLOR, UNKNOWN_COLOR = "#dbe7f5", "#f6c453"
ROW_HEIGHT = 76  # three lines of a source sentence in the review tables

auth.ensure_app_navigation()
user = auth.current_user()
if user is None and not auth.open_read():
    user = auth.require()  # a closed deployment: sign in first
admin = user is not None and user.role == "quan_tri"
# plans are real documents: no sample-data banner here, and their charts are never marked as sample data
ui.page_header("Kế hoạch", "Kế hoạch CCHC: chỉ tiêu và nhiệm vụ đọc từ văn bản, theo dõi theo từng quý, theo kế hoạch "
                            "và theo đơn vị.", sample_banner_shown=False)
flash = st.session_state.pop("kh_flash", None)
if flash:
    st.success(flash)
st.session_state.setdefault("kh_gen", 0)


# --- Nhập kế hoạch -------------------------------------------------------------------------------------------------
def _read_source():
    """(bytes, file name) of the plan the user gave (or of a saved plan reopened for review), or None."""
    gen = st.session_state["kh_gen"]
    reopen = st.session_state.get("kh_reopen")
    if reopen:
        found = cached.fresh(PQ.plan_file, int(reopen))
        if found is not None:
            c1, c2 = st.columns([4, 1])
            c1.info(f"Đang soát lại kế hoạch đã lưu ở lô số {reopen} (tệp “{found[0]}”): gắn các con số chờ soát vào "
                    "chỉ tiêu, hoặc bỏ chúng, rồi lưu bản đã soát thay cho lô đó.", icon="🔁")
            if c2.button("Thôi soát lại", key="kh_reopen_cancel"):
                st.session_state.pop("kh_reopen", None)
                st.rerun()
            return found[1], found[0]
        st.session_state.pop("kh_reopen", None)
    mode = st.segmented_control("Nguồn kế hoạch", ["Tải tệp lên", "Dán văn bản"], default="Tải tệp lên",
                                key="kh_mode", required=True)
    if mode == "Dán văn bản":
        text = st.text_area("Nội dung kế hoạch", key=f"kh_text_{gen}", height=220,
                            placeholder="Dán toàn văn kế hoạch, quyết định hay chỉ thị (từ phần đầu văn bản đến phụ "
                                        "lục nhiệm vụ; bản .md hay bản không dấu đều được), rồi bấm Ctrl+Enter hoặc "
                                        "bấm ra ngoài ô.")
        return (text.encode("utf-8"), PASTED_NAME) if text.strip() else None
    up = ui.uploader("Tệp kế hoạch: Word (.docx), PDF (kể cả bản scan), ảnh chụp, .txt hoặc .md", FILE_TYPES,
                     key=f"kh_file_{gen}")
    return (up.getvalue(), up.name) if up is not None else None


def _extract(data: bytes, name: str):
    """The extracted plan, kept for the session (reading a scan takes seconds); None after an error message."""
    sha = hashlib.sha256(data).hexdigest()
    kept = st.session_state.get("kh_plan")
    if kept and kept[0] == sha:
        return sha, kept[1]
    try:
        with st.spinner("Đang đọc kế hoạch…"):
            plan = api.extract_plan(data, name)
    except api.PlanUnreadable as exc:  # a damaged file a reader library chokes on: say so, no traceback
        st.error(f"Không đọc được tệp “{name}”: {exc}.")
        return sha, None
    except api.REFUSALS as exc:
        st.error(f"Không đọc được kế hoạch: {exc}.")
        return sha, None
    st.session_state["kh_plan"] = (sha, plan)
    return sha, plan


def _header(plan, k: str, home: tuple, provinces: pd.DataFrame, units: pd.DataFrame):
    """Organisation, year, the unit and province that receive the targets; returns them and whether confirmed."""
    names = dict(zip(units["code"], units["name"]))
    with st.container(border=True):
        st.markdown("**Văn bản, cơ quan ban hành và năm**")
        st.markdown(" · ".join(PV.plan_facts(plan)))
        c1, c2 = st.columns([4, 1])
        organisation = c1.text_input("Cơ quan ban hành", value=plan.organisation or "", key=f"kh_org_{k}",
                                     disabled=not admin)
        year = c2.number_input("Năm của kế hoạch", min_value=YEAR_MIN, max_value=YEAR_MAX, step=1, key=f"kh_year_{k}",
                               value=int(plan.year or fmt.today().year), disabled=not admin)
        unit_opts = PV.unit_choices(units, plan.organisation_code)
        c3, c4 = st.columns(2)
        everyone = "— mọi đơn vị (kế hoạch toàn tỉnh) —"
        unit_code = c3.selectbox(
            "Đơn vị nhận chỉ tiêu (trong danh mục)", unit_opts, key=f"kh_unit_{k}", disabled=not admin,
            index=unit_opts.index(plan.organisation_code) if plan.organisation_code in unit_opts else 0,
            format_func=lambda c: names.get(c, c) if c else (everyone if plan.scope == "province" else "— chưa chọn —"),
            help="Chỉ tiêu hoạt động của kế hoạch được ghi cho đơn vị này (Tổng quan, Hoạt động so sánh với chúng); "
                 "kế hoạch toàn tỉnh ghi cho mọi đơn vị trong danh mục.")
        entity_default = cached.q(PQ.default_entity, plan.province, int(year))
        ent_opts = [""] + list(provinces["entity_code"])
        labels = dict(zip(provinces["entity_code"], provinces["label"]))
        entity_code = c4.selectbox(
            "Tỉnh nhận mục tiêu chỉ số", ent_opts, key=f"kh_entity_{k}", disabled=not admin,
            index=ent_opts.index(entity_default) if entity_default in ent_opts else 0,
            format_func=lambda c: labels.get(c, c) if c else "— chưa chọn —",
            help="Mục tiêu PAR Index, SIPAS, PCI… của kế hoạch được ghi cho tỉnh này (trang Chỉ số).")
        found = names.get(plan.organisation_code)
        issuer = plan.organisation or "(không rõ)"
        if found:
            st.caption(f"Đọc được cơ quan ban hành “{fmt.escape_md(issuer)}”; khớp theo tên với đơn vị "
                       f"**{fmt.escape_md(found)}** trong danh mục.")
        else:
            st.caption(f"Cơ quan ban hành “{fmt.escape_md(issuer)}” chưa khớp với đơn vị nào trong danh mục: chọn đơn vị nhận chỉ "
                       "tiêu, hoặc thêm đơn vị ở trang Danh mục.")
        confirmed = True
        if PV.is_foreign(plan.province, entity_default, home) and unit_code:
            st.warning(f"Kế hoạch ghi **tỉnh {fmt.escape_md(plan.province)}**, còn danh mục đơn vị của dashboard là "
                       f"của tỉnh {fmt.escape_md(PV.home_name(provinces, home))}: đơn vị "
                       f"“{fmt.escape_md(names.get(unit_code, unit_code))}” chỉ trùng tên. "
                       "Hãy xác nhận, hoặc chọn đơn vị khác.", icon="⚠️")
            confirmed = st.checkbox(f"Xác nhận ghi chỉ tiêu cho “{fmt.escape_md(names.get(unit_code, unit_code))}” và "
                                    f"mục tiêu chỉ số cho “{fmt.escape_md(labels.get(entity_code, '—'))}”", key=f"kh_confirm_{k}",
                                    disabled=not admin)
    return organisation, int(year), unit_code or None, entity_code or None, confirmed


def _height(n: int) -> int:
    """Every row (and the empty one for adding, for an administrator), up to eight rows; then the table scrolls."""
    return 40 + ROW_HEIGHT * max(min(n + admin, 8), 1)


def _targets_editor(plan, k: str, registry):
    codes, labels = PV.code_labels(registry)
    n = len(plan.targets)
    extra = f" và {len(plan.unrecognised)} con số chưa gắn chỉ tiêu" if plan.unrecognised else ""
    st.markdown(f"#### Chỉ tiêu ({n}{extra})")
    rows = pd.DataFrame(api.target_rows(plan), columns=["save", "code", "value", "unit", "per", "year", "text", "row"])
    rows["row"] = rows["row"].astype("Int64")
    rows["year"] = rows["year"].astype("Int64")
    rows["per"] = rows["per"].astype("object")
    config = {
        "save": st.column_config.CheckboxColumn("Lưu", width=62, default=True,
                                                help="Bỏ dấu: bỏ con số này (được ghi lại là đã bỏ khi soát)."),
        "code": st.column_config.SelectboxColumn("Chỉ tiêu / chỉ số", options=codes, width=230,
                                                 format_func=lambda c: labels.get(c, c)),
        "value": st.column_config.NumberColumn("Giá trị", min_value=0, format="localized", width=72),
        "unit": st.column_config.TextColumn("Đơn vị tính", width=105),
        "per": st.column_config.SelectboxColumn("Theo kỳ", options=[p for p in api.PERIODS if p], width=100,
                                                format_func=lambda p: api.PERIOD_LABELS.get(p, p),
                                                help="Số lượng “mỗi tháng”, “mỗi quý”… được nhân lên thành chỉ tiêu "
                                                     "cả năm. Để trống: con số đã là của cả năm, hoặc là tỷ lệ."),
        "year": st.column_config.NumberColumn("Năm", min_value=YEAR_MIN, max_value=YEAR_MAX, format="%d", width=70,
                                              help="Năm của chỉ tiêu (kế hoạch nhiều năm: mỗi mốc một năm)."),
        "text": st.column_config.TextColumn("Câu trong kế hoạch", disabled=True, width=280),
    }
    edited = st.data_editor(rows, column_config=config,
                            column_order=["save", "code", "value", "unit", "per", "year", "text"],
                            hide_index=True, num_rows="dynamic" if admin else "fixed", disabled=not admin,
                            key=f"kh_targets_{k}", width="stretch", row_height=ROW_HEIGHT, placeholder="—",
                            height=_height(len(rows)))
    st.caption("Số lượng theo tháng/quý được lưu thành chỉ tiêu cả năm (04 số/tháng → 48 số/năm) và mỗi quý so sánh "
               "với một phần tư (12 số/quý, tức ba tháng); kế hoạch ban hành giữa năm chỉ có chỉ tiêu từ quý ban hành. "
               "Tỷ lệ % giữ nguyên cho mọi quý. Con số chưa gắn chỉ tiêu được giữ lại chờ soát: chọn chỉ tiêu để gắn, "
               "hoặc bỏ dấu Lưu để bỏ. Thêm dòng ở cuối bảng; chọn dòng rồi bấm thùng rác để xóa.")
    if admin and plan.unrecognised:
        _new_indicator(k)
    return edited


def _new_indicator(k: str):
    """A number that measures something the catalogue lacks: add the indicator, then choose it in the table."""
    with st.expander("➕ Thêm chỉ tiêu mới vào danh mục (cho con số chưa có chỉ tiêu phù hợp)", expanded=False):
        c1, c2, c3, c4 = st.columns([3, 2, 2, 1])
        name = c1.text_input("Tên chỉ tiêu", key=f"kh_ind_name_{k}",
                             placeholder="Tỷ lệ công chức phụ trách CCHC được bồi dưỡng")
        code = c2.text_input("Mã", key=f"kh_ind_code_{k}", value=api.suggest_code(name, set()) if name else "")
        kind = c3.selectbox("Loại", list(api.METRIC_KINDS), format_func=api.METRIC_KINDS.get, key=f"kh_ind_kind_{k}")
        unit = c4.text_input("Đơn vị", key=f"kh_ind_unit_{k}", value="%" if kind == "rate" else "")
        if st.button("Thêm chỉ tiêu", key=f"kh_ind_add_{k}", icon="➕", disabled=not name.strip()):
            try:
                api.add_indicator(user, code, name, kind, unit=unit or None)
            except api.REFUSALS as exc:
                st.error(f"Chưa thêm được: {exc}.")
            else:
                cached.clear()
                st.session_state["kh_flash"] = f"Đã thêm chỉ tiêu “{name}” ({code}): chọn nó ở cột Chỉ tiêu / chỉ số."
                st.rerun()


def _tasks_editor(plan, k: str, registry, organisation: str):
    """The tasks table. Its base is the extracted plan, or the rows as edited when a unit was added to the registry
    (the table is then redrawn with the new colours, the edits kept)."""
    st.markdown(f"#### Nhiệm vụ ({len(plan.tasks)})")
    rows = st.session_state.get(f"kh_tasks_base_{k}")
    if rows is None:
        rows = pd.DataFrame(api.task_rows(plan), columns=["content", "lead", "partners", "when", "text", "row"])
        rows["row"] = rows["row"].astype("Int64")
    options = PV.task_unit_options(api.unit_options(plan, registry), rows)
    known = api.known_units(options, registry, organisation, plan)
    colors = [KNOWN_COLOR if known[o] else UNKNOWN_COLOR for o in options]

    def label(o):
        return o if known.get(o, False) else f"⚠ {o}"

    config = {
        "content": st.column_config.TextColumn("Nhiệm vụ", width=240, required=True),
        "lead": st.column_config.MultiselectColumn(
            "Chủ trì", options=options, accept_new_options=True, color=colors, format_func=label, width=140,
            help="Một hay nhiều đơn vị cùng chủ trì; một nhóm (“Các sở, ban, ngành”) là mọi đơn vị của nhóm. Màu "
                 "vàng, dấu ⚠: chưa có trong danh mục (vẫn lưu như trong kế hoạch)."),
        "partners": st.column_config.MultiselectColumn(
            "Phối hợp", options=options, accept_new_options=True, color=colors, format_func=label, width=140),
        "when": st.column_config.TextColumn("Thời gian", width=90,
                                            help="Như kế hoạch ghi: “Tháng 3/2025”, “Quý II”, “Hằng tháng”, "
                                                 "“Thường xuyên”…"),
        "text": st.column_config.TextColumn("Câu trong kế hoạch", disabled=True, width=250),
    }
    gen = st.session_state.get(f"kh_tasks_gen_{k}", 0)
    edited = st.data_editor(rows, column_config=config, column_order=["content", "lead", "partners", "when", "text"],
                            hide_index=True, num_rows="dynamic" if admin else "fixed", disabled=not admin,
                            key=f"kh_tasks_{k}_{gen}", width="stretch", row_height=ROW_HEIGHT, placeholder="—",
                            height=_height(len(rows)))
    return edited


def _unknown_units(review, k: str, units: pd.DataFrame, edited_tasks: pd.DataFrame):
    unknown = review.plan.unknown_units()
    if not unknown:
        return
    notes = {u.text: u.note for t in review.plan.tasks for u in t.units() if not u.known}
    with st.expander(f"⚠ {len(unknown)} đơn vị chưa có trong danh mục", expanded=False):
        st.markdown("Nhiệm vụ vẫn được lưu với tên như trong kế hoạch; chỉ quản trị viên đánh dấu được nhiệm vụ của "
                    "đơn vị chưa có trong danh mục. Thêm vào danh mục để cán bộ đơn vị tự đánh dấu:")
        st.markdown("\n".join(f"- **{fmt.escape_md(u)}**" + (f" — {fmt.escape_md(notes[u])}" if notes.get(u) else "")
                                for u in unknown))
        if not admin:
            return
        name = st.selectbox("Đơn vị", unknown, key=f"kh_new_unit_{k}")
        how = st.radio("Thêm như", ["new", "alias"], horizontal=True, key=f"kh_new_how_{k}",
                       format_func={"new": "Đơn vị mới", "alias": "Tên gọi khác của một đơn vị có sẵn"}.get)
        if how == "new":
            c1, c2 = st.columns(2)
            code = c1.text_input("Mã đơn vị", value=api.suggest_code(name, set(units["code"])),
                                 key=f"kh_new_code_{k}_{name}")
            kind = c2.selectbox("Loại", list(api.UNIT_KINDS), format_func=api.UNIT_KINDS.get, key=f"kh_new_kind_{k}",
                                index=list(api.UNIT_KINDS).index("khac"))
        else:
            active = units[units["active"]]
            target = st.selectbox("Là đơn vị", list(active["code"]), key=f"kh_alias_of_{k}",
                                  format_func=dict(zip(active["code"], active["name"])).get)
        if st.button("Thêm vào danh mục", key=f"kh_add_unit_{k}", icon="➕"):
            try:
                if how == "new":
                    api.add_unit(user, code, name, kind=kind, note="thêm từ trang Kế hoạch")
                    done = f"Đã thêm đơn vị “{name}” ({code}) vào danh mục."
                else:
                    api.add_unit_alias(user, target, name)
                    done = f"Đã thêm “{name}” làm tên gọi khác của đơn vị {target}."
            except api.REFUSALS as exc:
                st.error(f"Chưa thêm được: {exc}.")
            else:
                cached.clear()  # unit names are cached by the data version, which registry edits do not change
                # the tasks table is redrawn with the unit's new colour: keep the user's edits as its new base
                st.session_state[f"kh_tasks_base_{k}"] = edited_tasks.reset_index(drop=True)
                st.session_state[f"kh_tasks_gen_{k}"] = st.session_state.get(f"kh_tasks_gen_{k}", 0) + 1
                st.session_state["kh_flash"] = done
                st.rerun()


def _preview(review, unit_name: str | None, entity_name: str | None, labels: dict):
    plan = review.plan
    rows = PV.preview_rows(plan, unit_name, entity_name, labels)
    st.markdown(f"Sẽ lưu thành **một lô**: {fmt.number(len(plan.indicator_targets()))} chỉ tiêu hoạt động, "
                f"{fmt.number(len(plan.index_targets()))} mục tiêu chỉ số, {fmt.number(len(plan.tasks))} nhiệm vụ. "
                "Lô mới thay chỉ tiêu cũ cùng đơn vị, năm và chỉ tiêu; hoàn tác được ở trang Lịch sử.")
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def import_tab():
    source = _read_source()
    if source is not None:
        data, name = source
        sha, plan = _extract(data, name)
        if plan is not None:
            _review(plan, sha, data, name)
    saved = cached.q(PQ.saved_plans)
    if len(saved):
        view = pd.DataFrame({"Lô": saved["batch_id"], "Văn bản": saved["reference"],
                             "Cơ quan ban hành": saved["organisation"], "Tệp": saved["file_name"],
                             "Đơn vị nhận chỉ tiêu": saved["unit_name"].fillna(
                                 saved["scope"].map({"province": "mọi đơn vị (toàn tỉnh)"})),
                             "Năm": saved["year"], "Chỉ tiêu": saved["n_targets"],
                             "Mục tiêu chỉ số": saved["n_index_targets"], "Chờ soát": saved["n_pending"],
                             "Nhiệm vụ": saved["n_tasks"], "Người lưu": saved["uploaded_by"],
                             "Lúc": saved["uploaded_at"]})
        ui.table(view, kinds={"Năm": "text", "Lô": "int", "Lúc": "datetime"}, name="ke_hoach_da_luu",
                 title="Kế hoạch đã lưu", key="kh_saved", label="Kế hoạch đã lưu")


def _review(plan, sha: str, data: bytes, name: str):
    k = sha[:12]
    registry = api.registry()
    units = cached.fresh(AQ.units)  # the registry as it is now, like api.registry() (a unit may just have been added)
    provinces = cached.q(queries.provinces)
    home = cached.q(queries.home_chain)
    st.caption(f"Đã đọc “{fmt.escape_md(name)}” ({PV.source_label(plan.source)}): "
               f"{fmt.number(len(plan.targets))} chỉ tiêu, "
               f"{fmt.number(len(plan.tasks))} nhiệm vụ. Soát lại từng dòng bên cạnh câu gốc trước khi lưu.")
    if plan.warnings:
        with st.expander(f"Lưu ý khi đọc ({len(plan.warnings)})", expanded=plan.source in ("pdf+ocr", "image")):
            st.markdown("\n".join(f"- {w}" for w in plan.warnings))
    organisation, year, unit_code, entity_code, confirmed = _header(plan, k, home, provinces, units)
    edited_targets = _targets_editor(plan, k, registry)
    edited_tasks = _tasks_editor(plan, k, registry, organisation)
    review = api.apply_edits(plan, edited_targets, edited_tasks, registry, organisation=organisation, year=year)
    _unknown_units(review, k, units, edited_tasks)

    names = dict(zip(units["code"], units["name"]))
    labels = dict(zip(provinces["entity_code"], provinces["entity_name"]))
    errors = PV.save_blockers(review, unit_code, entity_code, confirmed)
    already = cached.fresh(PQ.plan_batch_for_file, sha)

    st.markdown("#### Kiểm tra trước khi lưu")
    _preview(review, names.get(unit_code), labels.get(entity_code), PV.code_labels(registry)[1])
    for w in review.warnings:
        st.warning(w)
    if errors and admin:
        st.error(f"**Chưa lưu được: {len(errors)} điều cần sửa.**\n\n" + "\n".join(f"- {e}" for e in errors))
    # a correction of a saved plan, the same plan from another copy (a clean file, a scan), or a revised plan of the
    # same unit and year, replaces the saved batch whole: its tasks are not doubled
    same = None if already else cached.fresh(PQ.plan_batch_like, review.plan)
    previous = already or same or cached.fresh(PQ.plan_batch_for_unit_year, unit_code, year)
    replaces = None
    reopened = bool(already) and st.session_state.get("kh_reopen") == already["batch_id"]
    if previous:
        what = ("Tệp này đã được lưu" if already else
                f"Kế hoạch này (cùng nội dung, bản khác: tệp “{fmt.escape_md(previous.get('file_name') or '—')}”) đã "
                f"được lưu" if same else
                f"Đơn vị này đã có kế hoạch năm {year} (tệp “{fmt.escape_md(previous.get('file_name') or '—')}”)")
        st.info(f"{what} ở lô số {previous['batch_id']} ({previous['uploaded_by']}, "
                f"{fmt.datetime(previous['uploaded_at'])}).")
        if admin and st.checkbox(f"Lưu bản này thay cho lô số {previous['batch_id']}",
                                 value=not already or reopened,
                                 key=f"kh_replace_{k}",
                                 help="Lô cũ được hoàn tác trong cùng một lần ghi: chỉ tiêu và nhiệm vụ của nó thôi "
                                      "hiện; nhiệm vụ giữ nguyên nội dung mang theo các lần đánh dấu hoàn thành."):
            replaces = previous["batch_id"]
    if not admin:
        return
    if st.button("Lưu kế hoạch", key="kh_save", type="primary", icon="💾",
                 disabled=bool(errors) or (bool(already) and replaces is None)):
        try:
            batch_id = api.save_plan(user, review.plan, name, data, unit_code=unit_code, entity_code=entity_code,
                                     replaces=replaces)
        except api.REFUSALS as exc:
            st.error(f"Chưa lưu: {exc}.")
        else:
            p = review.plan
            st.session_state["kh_flash"] = (
                f"Đã lưu kế hoạch năm {p.year} vào lô số {batch_id}: {len(p.indicator_targets())} chỉ tiêu, "
                f"{len(p.index_targets())} mục tiêu chỉ số, {len(p.tasks)} nhiệm vụ"
                + (f" (thay lô số {replaces}, lô đó đã được hoàn tác)" if replaces else "")
                + ". Theo dõi nhiệm vụ ở thẻ “Theo dõi nhiệm vụ”.")
            st.session_state.pop("kh_plan", None)
            st.session_state.pop("kh_reopen", None)
            for key in [key for key in st.session_state if str(key).startswith(("kh_tasks_base_", "kh_tasks_gen_"))]:
                st.session_state.pop(key, None)
            st.session_state["kh_gen"] += 1
            cached.clear()
            st.rerun()


# --- Theo dõi nhiệm vụ ---------------------------------------------------------------------------------------------
def _task_detail(df: pd.DataFrame, year: int, quarter: int, unit: str | None, names: dict):
    st.markdown("#### Chi tiết và đánh dấu hoàn thành")
    ids = list(df["task_id"])
    by_id = df.set_index("task_id")
    task_id = st.selectbox("Nhiệm vụ", ids, index=ids.index(PV.default_task(df, user)), key="kh_task",
                           format_func=lambda i: f"{by_id.loc[i, 'no']}. {short_label(by_id.loc[i, 'content'], 90)} "
                                                 f"— {by_id.loc[i, 'status_label']}")
    row = by_id.loc[task_id]
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(f"{PF.status_badge_html(row['status'])} &nbsp; **{fmt.escape_md(row['content'])}**",
                    unsafe_allow_html=True)  # a plan's words are data: escaped
        lead = PV.lead_cell(row)
        st.markdown(f"Chủ trì: **{fmt.escape_md(lead)}**" + ("" if row["lead_known"] or not row["lead_name"] else
                                                              " (chưa có trong danh mục)")
                    + (f" · Phối hợp: {fmt.escape_md(row['partners'])}" if row["partners"] else ""))
        who = row["organisation"] if isinstance(row["organisation"], str) and row["organisation"] else "—"
        item = f", mục {row['item']}" if isinstance(row["item"], str) and row["item"] else ""
        st.caption(fmt.escape_md(f"Từ {row['reference']} của {who}{item}."))
        deadline = f" · hạn {fmt.date(row['deadline'])}" if not pd.isna(row["deadline"]) else ""
        reading = f" ({row['schedule']})" if row["schedule"].lower() != row["when"].lower() else ""
        st.markdown(f"Thời gian: {fmt.escape_md(row['when'] + reading)}{deadline}")
        marks = cached.q(PQ.task_marks_table, int(task_id))
        if marks.empty:
            st.caption("Chưa có lần đánh dấu nào.")
        for m in marks.itertuples():
            who = f" · {fmt.escape_md(m.unit_name or m.unit_code)}" if isinstance(m.unit_code, str) else ""
            line = (f"**{m.status_label}**{who} · {m.period} · {fmt.escape_md(m.marked_by or '?')}, "
                    f"{fmt.datetime(m.marked_at)}")
            if isinstance(m.note, str) and m.note:
                line += f" — {fmt.escape_md(m.note)}"
            if isinstance(m.evidence_url, str) and m.evidence_url:
                line += f" · {fmt.md_link('liên kết minh chứng', m.evidence_url)}"
            st.markdown(line)
            if m.has_file:
                st.download_button(f"Tải tệp minh chứng: {fmt.escape_md(m.evidence_name or 'minh_chung')}",
                                   data=lambda mid=int(m.mark_id): cached.fresh(PQ.evidence_file, mid)[1],
                                   file_name=m.evidence_name or "minh_chung", key=f"kh_ev_{m.mark_id}",
                                   icon="📎", on_click="ignore")
    with right:
        owners = list(row["assignees"])
        if not PV.may_mark(user, owners):
            who = ("Cán bộ của đơn vị chủ trì hoặc quản trị viên" if owners else
                   "Đơn vị chủ trì chưa có trong danh mục: quản trị viên")
            st.caption(f"{who} đánh dấu nhiệm vụ này.")
            return
        for_unit = None
        if user.role == "can_bo":
            for_unit = user.unit_code
        elif len(owners) > 1:
            for_unit = st.selectbox("Ghi nhận cho đơn vị", ["", *owners], key="kh_mark_unit",
                                    index=(["", *owners].index(unit) if unit in owners else 0),
                                    format_func=lambda c: names.get(c, c) if c else "Cả nhiệm vụ (mọi đơn vị)")
            for_unit = for_unit or None
        gen = st.session_state.get("kh_mark_gen", 0)
        with st.form(f"kh_mark_{gen}", border=True):
            st.markdown(f"**Ghi nhận cho {fmt.quarter(year, quarter)}**"
                        + (f" — {names.get(for_unit, for_unit)}" if for_unit and len(owners) > 1 else ""))
            st.caption("Nhiệm vụ làm một lần: đã xong từ quý này trở đi. Nhiệm vụ hằng tháng, hằng quý, thường xuyên: "
                       "ghi nhận riêng từng quý (chọn quý ở trên).")
            status = st.radio("Trạng thái", ["done", "not_done"], horizontal=True, key="kh_mark_status",
                              format_func={"done": "Đã xong", "not_done": "Chưa xong (bỏ đánh dấu)"}.get)
            note = st.text_area("Ghi chú ngắn (bắt buộc khi đã xong)", max_chars=api.MAX_NOTE, height=80,
                                key="kh_mark_note", placeholder="Ví dụ: đã đăng 3 tin bài trên Trang TTĐT của Sở")
            url = st.text_input("Liên kết minh chứng (không bắt buộc)", key="kh_mark_url",
                                placeholder="https://…")
            file = ui.uploader(f"Tệp minh chứng (không bắt buộc, tối đa {api.MAX_EVIDENCE_BYTES // 2**20} MB)", None,
                               key="kh_mark_file", limit_mb=api.MAX_EVIDENCE_BYTES // 2**20)
            submitted = st.form_submit_button("Ghi nhận", type="primary", icon="✅")
        if submitted:
            try:
                api.mark_task(user, int(task_id), year, quarter, status, note=note, evidence_url=url,
                              evidence_file=file.getvalue() if file is not None else None,
                              evidence_name=file.name if file is not None else None, unit_code=for_unit)
            except api.REFUSALS as exc:
                st.error(f"Chưa ghi nhận: {exc}.")
            else:
                cached.clear()  # task marks are cached by the data version, which a mark does not change
                what = "đã xong" if status == "done" else "chưa xong"
                st.session_state["kh_flash"] = (f"Đã ghi nhận nhiệm vụ {by_id.loc[task_id, 'no']} {what} trong "
                                                f"{fmt.quarter(year, quarter)}.")
                st.session_state["kh_mark_gen"] = gen + 1
                for key in ("kh_mark_status", "kh_mark_note", "kh_mark_url", "kh_mark_file"):
                    st.session_state.pop(key, None)
                st.rerun()


def _filters(years: list[int], today):
    """Năm, Quý, Kế hoạch, Đơn vị: the follow-up's choices (bound to the URL)."""
    c1, c2, c3, c4 = st.columns([1, 1, 3, 2])
    year = ui.select("nam", "Năm", years, default=today.year if today.year in years else years[0], shared=True,
                     container=c1)
    quarter = ui.select("quy", "Quý", [1, 2, 3, 4], default=PV.default_quarter(year, today),
                        format_func=fmt.quarter_short, shared=True, container=c2)
    saved = cached.q(PQ.saved_plans)
    saved = saved[(saved["year"] <= year) & (saved["year_end"] >= year)]
    labels = {int(b): PV.plan_label(r) for b, r in zip(saved["batch_id"], saved.to_dict("records"))}
    batch = ui.select("kh_lo", "Kế hoạch", [0, *labels], default=0, container=c3,
                      format_func=lambda b: labels.get(b, "Tất cả kế hoạch"))
    units = cached.q(PQ.task_units, year)
    names = dict(zip(units["code"], units["name"]))
    mine = user.unit_code if user is not None and user.role == "can_bo" and user.unit_code in names else ""
    unit = ui.select("kh_dv", "Đơn vị", ["", *names], default=mine, container=c4,
                     format_func=lambda c: names.get(c, c) if c else "Tất cả đơn vị",
                     help="Nhiệm vụ đơn vị chủ trì, một mình hoặc trong một nhóm (“Các sở, ban, ngành”): mỗi đơn vị "
                          "của nhóm coi nhiệm vụ là của mình.")
    return year, quarter, (batch or None), (unit or None), names


def follow_tab():
    years = cached.q(PQ.plan_years)
    if not years:
        ui.empty_state("Chưa có kế hoạch nào được lưu.", "Quản trị viên nhập kế hoạch CCHC ở thẻ “Nhập kế hoạch”: các "
                       "nhiệm vụ của kế hoạch sẽ được theo dõi ở đây theo từng quý.", upload=False)
        return
    today = fmt.today()
    year, quarter, batch, unit, names = _filters(years, today)
    df = cached.q(PQ.task_table, year, quarter, today, unit, batch)
    if df.empty:
        st.info("Không có nhiệm vụ nào của đơn vị này trong kế hoạch đã chọn." if unit else
                "Kế hoạch đã chọn không có nhiệm vụ trong năm này.")
        return
    counts = PQ.status_counts(df)
    badges = " &nbsp; ".join(PF.status_badge_html(s, f"{PQ.STATUS_LABEL[s]}: {fmt.number(counts[s])}")
                             for s in PQ.STATUSES)
    whose = f" của {names.get(unit, unit)}" if unit else ""
    st.markdown(f"{fmt.number(len(df))} nhiệm vụ{whose} trong kế hoạch năm {year} · {fmt.quarter(year, quarter)}, tính "
                f"đến ngày {fmt.date(today)}:\n\n{badges}", unsafe_allow_html=True)
    source = PV.follow_source(df, year, today)
    ui.chart(PF.task_timeline(df, year, quarter, today, title=f"Nhiệm vụ{whose} — {fmt.quarter(year, quarter)}",
                              layout=ui.layout()),
             source=source, key="kh_timeline", sample=False)

    late = PQ.late_tasks(df)
    st.markdown(f"#### Quá hạn ({fmt.number(len(late))})")
    if late.empty:
        st.success(f"Không có nhiệm vụ nào quá hạn trong {fmt.quarter(year, quarter)}.")
    else:
        view = pd.DataFrame({"STT": late["no"], "Hạn": late["deadline"], "Số ngày quá hạn": late["days_late"],
                             "Chủ trì": [PV.lead_cell(r) for r in late.to_dict("records")],
                             "Nhiệm vụ": late["content"], "Thời gian": late["when"], "Kế hoạch": late["reference"]})
        ui.table(view, kinds={"Hạn": "date", "Số ngày quá hạn": "int"},
                 name=f"nhiem_vu_qua_han_{year}_quy_{quarter}", title=f"Nhiệm vụ quá hạn {fmt.quarter(year, quarter)}",
                 source=source, key="kh_overdue", label="Danh sách nhiệm vụ quá hạn", expanded=True)
    view = pd.DataFrame({"STT": df["no"], "Mục": df["item"], "Trạng thái": df["status_label"], "Hạn": df["deadline"],
                         "Chủ trì": [PV.lead_cell(r) for r in df.to_dict("records")], "Nhiệm vụ": df["content"],
                         "Thời gian": df["when"], "Phối hợp": df["partners"], "Kế hoạch": df["reference"],
                         "Ghi chú hoàn thành": df["done_note"], "Minh chứng": df["evidence_url"]})
    ui.table(view, kinds={"Hạn": "date"}, name=f"nhiem_vu_{year}_quy_{quarter}",
             title=f"Nhiệm vụ kế hoạch năm {year}{whose} — {fmt.quarter(year, quarter)}", source=source, key="kh_all",
             label="Tất cả nhiệm vụ")
    _task_detail(df, year, quarter, unit, names)


def _reopen(batch_id: int) -> None:
    """Before the rerun draws the tabs: open a saved plan for review in the import tab."""
    st.session_state["kh_reopen"] = batch_id
    st.session_state["tab"] = "Nhập kế hoạch"


def targets_tab():
    """Every number the saved plans commit to, each with the plan (number, date) it came from."""
    df = cached.q(PQ.plan_targets)
    if df.empty:
        ui.empty_state("Chưa có chỉ tiêu nào từ kế hoạch đã lưu.", upload=False)
        return
    pending = df[df["status"] == "pending"]
    if len(pending):
        st.warning(f"{fmt.number(len(pending))} con số trong kế hoạch chưa gắn với chỉ tiêu nào: chúng được giữ lại "
                   "chờ soát (gắn vào một chỉ tiêu, thêm chỉ tiêu mới, hoặc bỏ).", icon="🔎")
        if admin:
            for batch_id, part in pending.groupby("batch_id", sort=False):
                c1, c2 = st.columns([5, 1])
                c1.markdown(f"**{part['reference'].iloc[0]}** — {part['organisation'].iloc[0] or ''}: "
                            + "; ".join(f"{fmt.auto(v)}{'' if u == '%' else ' '}{u}" for v, u in
                                        zip(part["value"], part["unit"].fillna(""))))
                c2.button("Soát lại", key=f"kh_reopen_{batch_id}", icon="🔁", on_click=_reopen, args=(int(batch_id),),
                          help="Mở lại kế hoạch đã lưu ở thẻ “Nhập kế hoạch” để gắn hoặc bỏ các con số này.")
    view = pd.DataFrame({
        "Kế hoạch": [f"{r} — {o}" if isinstance(o, str) and o else r for r, o in zip(df["reference"], df["organisation"])],
        "Chỉ tiêu / chỉ số": df["code_name"].fillna("(chưa gắn)"), "Giá trị": df["value"],
        "Đơn vị tính": df["unit"].fillna(""), "Kỳ": df["period_label"], "Ghi cho": df["applies_name"].fillna("—"),
        "Trạng thái": df["status_label"], "Câu trong kế hoạch": df["text"]})
    narrow = ui.layout() == theme.NARROW
    if narrow:  # a phone shows the first columns: what, how much, when
        view = view[["Chỉ tiêu / chỉ số", "Giá trị", "Kỳ", "Đơn vị tính", "Ghi cho", "Trạng thái", "Kế hoạch",
                     "Câu trong kế hoạch"]]
    st.dataframe(view, hide_index=True, width="stretch",
                 column_config={"Kế hoạch": st.column_config.TextColumn(width="medium"),
                                "Chỉ tiêu / chỉ số": st.column_config.TextColumn(width="medium" if narrow else None),
                                "Giá trị": st.column_config.NumberColumn(format="localized"),
                                "Câu trong kế hoạch": st.column_config.TextColumn(width="large")})
    st.caption("Nguồn: các kế hoạch đã lưu (số, ngày ban hành như văn bản ghi; “…” là số văn bản để trống trong bản "
               "đã lưu). Chỉ tiêu của kế hoạch là văn bản thật, không phải dữ liệu mẫu.")


TABS = ["Theo dõi nhiệm vụ", "Chỉ tiêu của kế hoạch"] + (["Nhập kế hoạch"] if admin else [])
if user is None:
    st.caption("Bạn đang xem ở chế độ chỉ đọc. Cán bộ và quản trị viên đăng nhập để đánh dấu nhiệm vụ, nhập kế hoạch.")
tabs = dict(zip(TABS, st.tabs(TABS, key="tab", bind="query-params")))
with tabs["Theo dõi nhiệm vụ"]:
    follow_tab()
with tabs["Chỉ tiêu của kế hoạch"]:
    targets_tab()
if admin:
    with tabs["Nhập kế hoạch"]:
        import_tab()
