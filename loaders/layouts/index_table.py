"""Index results: entities (provinces, or units for internal indices) with score, rank and components.

Wide, as ministries, VCCI and UNDP publish them (the columns are read by `index_columns`):
    STT | Tỉnh, thành phố | Điểm | Xếp hạng | Gia nhập thị trường | Tiếp cận đất đai | …
    Thứ tự | Tỉnh | Gia nhập thị trường | Tỉnh | Tiếp cận đất đai | … (a (province, score) pair per component)
and long, as data/reference/*.csv (`index_long`, through the tidy layout):
    index,year,province,score,rank,component,source_url_or_citation

A sheet is read into an `IndexSheet` and checked on its own (`index_checks`); `finish` then decides, for the
whole workbook, what is loaded: the summary sheet, checked against the detail sheets. Every value is tied to
the name written in its own row and pair, and statistics rows (Min, Max, Median, Highest…) are skipped.
"""
from __future__ import annotations

import re

from core.text import fold
from loaders.files.workbook import Grid, cell_text, is_blank
from loaders.layouts.context import Context, fmt_number, letter, looks_like_name
from loaders.layouts.index_checks import Found, IndexSheet, check_sheet, index_rows, reconcile, same
from loaders.layouts.index_columns import (
    ColumnPlan,
    ValueColumn,
    detect_score,
    entity_hits,
    header_texts,
    plan_columns,
)
from loaders.layouts.index_long import parse_long
from loaders.layouts.index_values import (
    PROVINCE_HEADER,
    UNIT_HEADER,
    default_source,
    find_index_code,
    rank_at,
    resolve_entity,
    score_at,
)
from loaders.layouts.table import RowKind, Table, classify_row, strip_item_prefix, titles_above
from loaders.store.batches import IndexTargetRow

LAYOUT = "index_table"
# Rows of statistics under a ranking: never a province's result.
STATS_RE = re.compile(
    r"^(min|max|minimum|maximum|median|mean|average|highest|lowest|std|trung vi|trung binh|gia tri trung binh"
    r"|gia tri (lon|nho) nhat|(diem )?(cao|thap) nhat( mau)?|(diem )?(cao nhat|thap nhat)( cua)? mau|lon nhat"
    r"|nho nhat|do lech chuan|standard deviation|national average|trung binh ca nuoc|so tinh|count|sum|tong)$")
# A row giving the ranks of the province above it: VCCI's recap under its tables.
RANK_ROW_RE = re.compile(r"^(xep hang|thu tu|thu hang|hang|ranking|rank)$")


def detect(grid: Grid, table: Table, ctx: Context) -> float:
    """How well the sheet fits this layout (0: not at all)."""
    return detect_score(grid, table, ctx)


def parse(grid: Grid, table: Table, ctx: Context) -> None:
    """A wide index table: its columns -> its rows -> its checks; kept for `finish`, which loads the workbook."""
    before = len(ctx.problems.errors)
    plan = plan_columns(grid, table, ctx)
    if plan is None:
        if len(ctx.problems.errors) == before:
            ctx.warn(grid, table.header_rows[-1], None, "bỏ qua trang tính: không có cột điểm tổng, xếp hạng hay chỉ số "
                                                        "thành phần nào đọc được (cột điểm không ghi tên thành phần nào "
                                                        "của chỉ số, và tên trang, tiêu đề cũng không)")
        return
    table = plan.table
    sheet = IndexSheet(grid, plan, default_source(ctx, grid, table))
    shared = ctx.problems
    if plan.detail_of:  # its problems wait for `finish`: a detail sheet only checks a summary, when there is one
        ctx.problems = sheet.problems
    try:
        before = len(ctx.problems.errors)
        _rows(grid, table, ctx, sheet)
        _report_raw(grid, table, ctx, plan)
        check_sheet(ctx, sheet, ctx.entities.provinces_in(plan.year))
        sheet.failed = sheet.failed or len(ctx.problems.errors) > before
    finally:
        ctx.problems = shared
    ctx.index_sheets.append(sheet)


def finish(ctx: Context) -> None:
    """After every sheet: load what the workbook means as its result, checked sheet against sheet."""
    for sheet, f in reconcile(ctx, ctx.index_sheets):
        if f.score is None and f.rank is None:
            continue
        if f.target:
            plan = sheet.plan
            ctx.add_index_target(IndexTargetRow(plan.index_code, plan.year, f.entity, f.component, f.score, f.rank,
                                                sheet.source))
            continue
        row = index_rows(sheet, f)
        ctx.add_index(sheet.grid, row.row - 1, None, row, f"{row.index_code} {row.year} — {f.name}")


# --- rows ---------------------------------------------------------------------------------------


def _prefer(grid: Grid, table: Table, ctx: Context, entity_c: int) -> str:
    """Whether the names are provinces or units first: the column's header, else its body."""
    header = fold(table.columns[entity_c].label)
    prefer = "province" if PROVINCE_HEADER.search(header) else "unit" if UNIT_HEADER.search(header) else None
    if prefer is None:
        prefer = "unit" if entity_hits(grid, table, ctx, entity_c, "unit") > entity_hits(
            grid, table, ctx, entity_c, "province") else "province"
    return prefer


def _rows(grid: Grid, table: Table, ctx: Context, sheet: IndexSheet) -> None:
    """Every body row up to the signature: each value goes to the name of its own pair."""
    plan = sheet.plan
    bound = {nc: [vc for vc in plan.values if plan.bound(vc) == nc] for nc in plan.name_cols}
    # the first name column always: a recap row names its province there, whatever pairs the sheet keeps
    names = [nc for nc in plan.name_cols if bound[nc] or nc == plan.name_cols[0]]
    prefer = _prefer(grid, table, ctx, names[0])
    titles = " ".join(t for _, _, t in titles_above(grid, table))
    hint = "34-province" if re.search(r"\b34 (tinh|dia phuong)\b", fold(titles)) else ""
    header = header_texts(grid, table)
    value_cols = [vc.col.index for vc in plan.values]
    resolved: dict[str, str | None] = {}
    above: tuple[str, str] | None = None  # (entity, name) of the row a rank row would recap
    for r in range(table.first_body_row, grid.nrows):
        kind = classify_row(grid, r, names, plan.order_col)
        if kind is RowKind.SIGNATURE:
            break
        if kind in (RowKind.EMPTY, RowKind.NUMBERING) or _repeats_header(grid, r, header):
            above = None
            continue
        label = next((grid.text(r, nc) for nc in names if grid.text(r, nc)), "") or next(
            (cell_text(v) for v in grid.row(r) if isinstance(v, str) and v.strip()), "")  # "Highest" under "No."
        folded = fold(strip_item_prefix(label))
        if label and (not fold(label[0]) or len(label) > 100):  # "† Kết quả từ chỉ tiêu này…": a footnote
            continue
        if STATS_RE.match(folded):
            ctx.warn(grid, r, names[0], f"bỏ qua dòng thống kê “{label}” (không phải kết quả của một tỉnh/đơn vị)")
            continue
        if RANK_ROW_RE.match(folded):
            _rank_row(grid, r, ctx, sheet, above)
            continue
        if kind is not RowKind.DATA:
            if kind in (RowKind.TOTAL, RowKind.SECTION) and any(not is_blank(grid.value(r, c)) for c in value_cols):
                ctx.warn(grid, r, names[0], f"bỏ qua dòng “{label or grid.text(r, plan.order_col or 0)}” "
                                            f"({'dòng tổng/trung bình' if kind is RowKind.TOTAL else 'tiêu đề nhóm'})")
            continue
        row_names = {}
        for nc in names:
            raw = grid.text(r, nc)
            name = strip_item_prefix(raw)
            has_values = any(not is_blank(grid.value(r, vc.col.index)) for vc in bound[nc])
            if not looks_like_name(name):
                if has_values and not plan.paired:
                    ctx.error(grid, r, nc, "dòng có số liệu nhưng không có tên tỉnh/đơn vị")
                continue
            if raw not in resolved:
                resolved[raw] = resolve_entity(ctx, grid, r, nc, name, plan.year, prefer, hint, has_values)
            row_names[nc] = (resolved[raw], raw)
        above = _row_values(grid, r, ctx, sheet, row_names, names)


def _repeats_header(grid: Grid, r: int, header: list[str]) -> bool:
    """The header typed again lower in the sheet (above a recap block)."""
    same_cells = sum(1 for c, h in enumerate(header) if h and grid.text(r, c) == h)
    return same_cells >= 2 and same_cells * 2 >= sum(1 for h in header if h)


def _row_values(grid: Grid, r: int, ctx: Context, sheet: IndexSheet, row_names: dict, names: list[int]):
    """The values of one row, each with the name of its pair. A row naming one province in the first name column
    only (a recap of one province across every pair) gives that province every value. Returns (entity, name) of a
    row that a rank row below may recap, else None."""
    plan = sheet.plan
    recap = plan.paired and list(row_names) == [names[0]] and any(
        not is_blank(grid.value(r, vc.col.index)) for vc in plan.values if plan.bound(vc) != names[0])
    single = recap or (not plan.paired and bool(row_names))
    order = None if recap else _order(grid, r, plan)  # a recap row's place is not a rank in any pair
    slots: dict[tuple, Found] = {}
    for vc in plan.values:
        c = vc.col.index
        nc = names[0] if single else plan.bound(vc)
        entity, raw = row_names.get(nc, (None, ""))
        if entity is None:
            if nc not in row_names and not is_blank(grid.value(r, c)) and plan.paired:
                ctx.error(grid, r, c, f"ô có số nhưng ô tên tỉnh của cặp cột này (cột {letter(nc)}) trống — không biết số "
                                      "thuộc tỉnh nào", cause="số không có tên tỉnh trong cặp cột")
            continue
        key = (entity, vc.component, vc.target)
        slot = slots.setdefault(key, Found(entity, vc.component, raw, vc.target, order=order))
        _read_value(grid, r, ctx, sheet, vc, slot)
    for key, slot in slots.items():
        if slot.score is None and slot.rank is None:
            if key[1] is None and not key[2] and not plan.paired:
                ctx.warn(grid, r, None, f"“{slot.name}”: không có điểm và xếp hạng — không nạp")
            continue
        _keep(grid, r, ctx, sheet, key, slot)
    if single:
        entity, raw = row_names[names[0]]
        return (entity, raw) if entity else None
    return None


def _order(grid: Grid, r: int, plan: ColumnPlan) -> int | None:
    if plan.order_col is None:
        return None
    v = grid.value(r, plan.order_col)
    try:
        x = float(cell_text(v).replace(",", "."))
    except ValueError:
        return None
    return int(x) if x == int(x) and x >= 1 else None


def _read_value(grid: Grid, r: int, ctx: Context, sheet: IndexSheet, vc: ValueColumn, slot: Found) -> None:
    c = vc.col.index
    plan = sheet.plan
    if vc.measure == "rank":
        ok, rank, rank_of = rank_at(ctx, grid, r, c)
        if not ok:
            sheet.failed = True
        elif rank is not None:
            if vc.twin_of is not None and slot.rank is not None and slot.rank != rank:
                _twin_error(grid, r, ctx, vc, str(rank), str(slot.rank))
                sheet.failed = True
            elif slot.rank is None:
                slot.rank, slot.rank_of, slot.rank_at = rank, rank_of, (r, c)
        return
    ok, score = score_at(ctx, grid, r, c, plan.index_code, vc.component)
    if not ok:
        sheet.failed = True
    elif score is not None:
        if slot.score is not None:
            if vc.twin_of is not None and not same(score, slot.score):
                _twin_error(grid, r, ctx, vc, fmt_number(score), fmt_number(slot.score))
                sheet.failed = True
        else:
            slot.score, slot.score_at = score, (r, c)


def _twin_error(grid: Grid, r: int, ctx: Context, vc: ValueColumn, mine: str, theirs: str) -> None:
    ctx.error(grid, r, vc.col.index, f"cột “{vc.col.label}” ghi {mine} nhưng cột “{vc.twin_of.col.label}” ghi {theirs} "
                                     "cho cùng một giá trị — hãy kiểm tra lại", cause="hai cột cùng giá trị không khớp")


def _keep(grid: Grid, r: int, ctx: Context, sheet: IndexSheet, key: tuple, slot: Found) -> None:
    """Each (entity, component) once: a second time with the same values is a recap, with others an error."""
    first = sheet.values.get(key)
    if first is None:
        sheet.values[key] = slot
        return
    clash = (slot.score is not None and first.score is not None and not same(slot.score, first.score)) or (
        slot.rank is not None and first.rank is not None and slot.rank != first.rank)
    if clash:
        at = slot.score_at or slot.rank_at
        was = first.score_at or first.rank_at
        what = ctx.registry.component_matcher(sheet.plan.index_code).name_of(key[1]) if key[1] else "điểm tổng"
        ctx.error(grid, at[0], at[1], f"“{slot.name}” có hai giá trị khác nhau cho “{what}”: "
                                      f"{_shown(first)} (ô {letter(was[1])}{was[0] + 1}) và {_shown(slot)} — mỗi tỉnh/đơn "
                                      "vị chỉ được một giá trị cho mỗi thành phần", cause="một tỉnh hai giá trị")
        sheet.failed = True
        return
    if slot.rank is not None and first.rank is None:
        first.rank, first.rank_of, first.rank_at = slot.rank, slot.rank_of, slot.rank_at
    if slot.score is not None and first.score is None:
        first.score, first.score_at = slot.score, slot.score_at
    if first.score_at is not None and slot.score_at is not None and first.score_at[0] != r and r not in sheet.recaps:
        sheet.recaps.add(r)
        ctx.warn(grid, r, None, f"“{slot.name}” ở dòng này nhắc lại kết quả đã có ở dòng {first.score_at[0] + 1} (cùng "
                                "giá trị) — không nạp lại")


def _shown(f: Found) -> str:
    bits = []
    if f.score is not None:
        bits.append(f"điểm {fmt_number(f.score)}")
    if f.rank is not None:
        bits.append(f"hạng {f.rank}")
    return ", ".join(bits) or "(trống)"


def _rank_row(grid: Grid, r: int, ctx: Context, sheet: IndexSheet, above: tuple[str, str] | None) -> None:
    """A 'Xếp hạng' / 'Thứ tự' row: the ranks of the province in the row above, one per score column."""
    if above is None:
        ctx.warn(grid, r, None, f"bỏ qua dòng “{grid.text(r, sheet.plan.name_cols[0])}”: dòng xếp hạng không đứng "
                                "ngay dưới một tỉnh/đơn vị")
        return
    entity, name = above
    for vc in sheet.plan.values:
        if vc.measure != "score" or vc.twin_of is not None or vc.target:
            continue
        ok, rank, _ = rank_at(ctx, grid, r, vc.col.index)
        if ok and rank is not None:
            sheet.claimed.append((entity, vc.component, rank, r, vc.col.index))


def _report_raw(grid: Grid, table: Table, ctx: Context, plan: ColumnPlan) -> None:
    """A detail sheet's raw indicators (days, %, counts): one warning for all of them."""
    if not plan.raw:
        return
    shown = ", ".join(f"“{col.label.split(' / ')[0]}”" for col in plan.raw[:4]) + ("…" if len(plan.raw) > 4 else "")
    ctx.warn(grid, table.header_rows[-1], None, f"trang chi tiết: bỏ qua {len(plan.raw)} cột chỉ tiêu thô ({shown}) — "
                                                "số ngày, tỷ lệ %, số lượng… không phải điểm chỉ số; chỉ đọc cột điểm "
                                                "của chỉ số thành phần")


__all__ = ["LAYOUT", "detect", "parse", "finish", "parse_long", "find_index_code"]
