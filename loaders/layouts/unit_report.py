"""One unit's quarterly report: indicators down the side, result columns across.

Typical header (two merged rows):
    STT | Nội dung | Đơn vị tính | Kế hoạch năm | Kết quả thực hiện          | Ghi chú
        |          |             |              | Quý III | Lũy kế 9 tháng   |
The quarter's column is the actual (never the year-to-date one); the annual plan column, when
present, is the unit's annual target. Unit and period come from the arguments, else the letterhead
and title ("SỞ TƯ PHÁP", "BÁO CÁO … QUÝ III NĂM 2025").
"""
from __future__ import annotations

from core.matching import MatchError
from core.periods import quarter_label
from core.text import fold
from loaders.files.workbook import (
    Column,
    Grid,
    RowKind,
    Table,
    classify_row,
    is_blank,
    is_number_like,
    strip_item_prefix,
)
from loaders.layouts.context import Context, looks_like_name, match_message, sheet_period, sheet_unit

LAYOUT = "unit_report"
SAMPLE_ROWS = 40


def _pure(col: Column) -> bool:
    return not col.names


def label_column(grid: Grid, table: Table, ctx: Context) -> int | None:
    """The column naming the indicators: headed 'Nội dung' / 'Chỉ tiêu'..., else the column whose
    body cells match the most indicators."""
    for col in table.columns:
        if col.has("label") and not col.has("plan", "actual", "quarter", "ytd"):
            return col.index
    best, best_n = None, 0
    for col in table.columns:
        n = _indicator_hits(grid, table, ctx, col.index)
        if n > best_n:
            best, best_n = col.index, n
    return best


def _indicator_hits(grid: Grid, table: Table, ctx: Context, c: int) -> int:
    n = 0
    for r in range(table.first_body_row, min(grid.nrows, table.first_body_row + SAMPLE_ROWS)):
        t = grid.text(r, c)
        if not t or is_number_like(grid.value(r, c)) or len(t) > 200:
            continue
        n += ctx.probe("indicator", strip_item_prefix(t))
    return n


def detect(grid: Grid, table: Table, ctx: Context) -> float:
    """How well the sheet fits this layout (0: not at all)."""
    c = label_column(grid, table, ctx)
    if c is None:
        return 0.0
    hits = _indicator_hits(grid, table, ctx, c)
    roles = sum(1 for col in table.columns if col.index != c and not col.names
                and col.has("actual", "quarter", "plan", "ytd"))
    headed = table.columns[c].has("label")  # "Nội dung" / "Chỉ tiêu": even unknown names are worth reporting
    if roles == 0 or not (hits or headed):
        return 0.0
    return hits + 2 * roles + headed


def _is_compare(col: Column) -> bool:
    last = fold(col.parts[-1]) if col.parts else ""
    return col.has("compare") or last in ("ty le", "ty le %", "%", "ty le phan tram")


def parse(grid: Grid, table: Table, ctx: Context) -> None:
    label_c = label_column(grid, table, ctx)
    if label_c is None:
        ctx.error(grid, table.header_rows[-1], None, "không tìm thấy cột tên chỉ tiêu (“Nội dung”, “Chỉ tiêu”)")
        return
    stt_c = next((col.index for col in table.columns if col.has("stt")), None)
    before = len(ctx.problems.errors)
    year, quarter = sheet_period(ctx, grid, table)
    unit = sheet_unit(ctx, grid, table)
    if len(ctx.problems.errors) > before:
        return  # the sheet contradicts the arguments: every value below would be in doubt
    head_r = table.header_rows[-1]

    plan_cols, actual_cols, ytd_cols = [], [], []
    for col in table.columns:
        if col.index in (label_c, stt_c) or col.empty or col.has("note", "uom", "stt", "grade"):
            continue
        if _is_compare(col):
            continue
        if col.has("plan"):
            plan_cols.append(col)
        elif col.has("ytd"):
            ytd_cols.append(col)
        elif col.has("actual", "quarter", "value"):
            actual_cols.append(col)

    # which quarter each actual column holds
    quarter_cols = [c for c in actual_cols if c.quarter is not None]
    if year is None:
        year = next((c.year for c in [*quarter_cols, *actual_cols, *plan_cols] if c.year), None)
    if quarter is None and len({c.quarter for c in quarter_cols}) == 1:
        quarter = quarter_cols[0].quarter
    chosen: list[tuple[Column, int]] = []
    if quarter_cols:
        if quarter is not None and any(c.quarter == quarter for c in quarter_cols):
            for c in quarter_cols:
                if c.quarter == quarter:
                    chosen.append((c, quarter))
                else:
                    ctx.warn(grid, head_r, c.index, f"bỏ qua cột “{c.label}”: kỳ báo cáo là {quarter_label(year or 0, quarter)}"
                             if year else f"bỏ qua cột “{c.label}”")
        elif quarter is not None:
            c = quarter_cols[0]
            ctx.error(grid, head_r, c.index, f"cột kết quả ghi “{c.label}” nhưng kỳ báo cáo là "
                                             f"{quarter_label(year, quarter) if year else f'quý {quarter}'} — hãy kiểm tra lại")
            return
        else:
            chosen = [(c, c.quarter) for c in quarter_cols]
    else:
        generic = [c for c in actual_cols if c.year is None or c.year == year]
        if len(generic) > 1:
            generic = [c for c in generic if c.has("actual")] or generic
        if generic:
            if quarter is None:
                ctx.error(grid, head_r, generic[0].index,
                          f"cột “{generic[0].label}” không ghi quý và tiêu đề cũng không ghi kỳ báo cáo — hãy ghi rõ "
                          "trong tiêu đề (ví dụ “Quý III năm 2025”) hoặc chọn kỳ (--period 2025-Q3)")
                return
            if len(generic) > 1:
                ctx.error(grid, head_r, generic[1].index,
                          f"có nhiều cột kết quả ({', '.join(c.letter for c in generic)}) mà không cột nào ghi rõ quý — "
                          "không biết lấy cột nào; hãy ghi “Quý …” ở tiêu đề cột")
                return
            chosen = [(generic[0], quarter)]
    for c in ytd_cols:
        ctx.warn(grid, head_r, c.index, f"bỏ qua cột lũy kế “{c.label}” (chỉ nạp số liệu của quý)")

    want_actual = ctx.kind in (None, "activities")
    want_target = ctx.kind in (None, "activities", "targets")
    targets: list[tuple[Column, int | None]] = []
    for c in plan_cols:
        if c.year is not None and year is not None and c.year != year:
            ctx.warn(grid, head_r, c.index, f"bỏ qua cột “{c.label}”: không thuộc năm {year}")
            continue
        targets.append((c, c.quarter))
    if len({q for _, q in targets}) < len(targets):
        ctx.error(grid, head_r, targets[-1][0].index,
                  f"có nhiều cột kế hoạch ({', '.join(c.letter for c, _ in targets)}) cho cùng một kỳ — không biết lấy cột nào")
        return
    if ctx.kind == "targets" and not targets:
        ctx.error(grid, head_r, None, "không tìm thấy cột kế hoạch (“Kế hoạch năm”, “Chỉ tiêu giao”) trong báo cáo")
        return
    if want_actual and not chosen:
        where = f" (chỉ có cột lũy kế {', '.join(c.letter for c in ytd_cols)})" if ytd_cols else ""
        ctx.error(grid, head_r, None, "không tìm thấy cột kết quả thực hiện của quý (ví dụ “Quý III”, “Kết quả thực "
                                      f"hiện trong quý”){where} — số lũy kế không được dùng thay số của quý")
        return
    if year is None:
        ctx.error(grid, None, None, "không xác định được năm báo cáo — hãy ghi rõ trong tiêu đề (ví dụ “Quý III năm "
                                    "2025”) hoặc chọn kỳ (--period 2025-Q3)")
        return
    if unit is None:
        if not any(e.sheet == grid.name for e in ctx.problems.errors):
            ctx.error(grid, None, None, "không xác định được đơn vị báo cáo: tiêu đề không ghi tên đơn vị — hãy chọn "
                                        "đơn vị (--unit) hoặc ghi tên đơn vị ở đầu báo cáo")
        return

    value_cols = [c.index for c, _ in chosen] + [c.index for c, _ in targets]
    r = table.first_body_row
    while r < grid.nrows:
        kind = classify_row(grid, r, [label_c], stt_c)
        if kind is RowKind.SIGNATURE:
            break
        has_values = any(not is_blank(grid.value(r, c)) and not grid.is_vertical_copy(r, c) for c in value_cols)
        label = grid.text(r, label_c)
        if kind is RowKind.TOTAL:
            if has_values:
                ctx.warn(grid, r, label_c, f"bỏ qua dòng tổng “{label}”")
        elif kind is RowKind.SECTION:
            if has_values:
                ctx.warn(grid, r, label_c, f"bỏ qua dòng tiêu đề mục “{label or grid.text(r, stt_c)}” (số liệu tổng "
                                           "của mục không được nạp)")
        elif kind is RowKind.DATA:
            _data_row(grid, r, ctx, label_c, unit, year, chosen if want_actual else [],
                      targets if want_target else [], has_values)
        r += 1


def _data_row(grid, r, ctx: Context, label_c, unit, year, chosen, targets, has_values) -> None:
    raw = grid.text(r, label_c)
    label = strip_item_prefix(raw)
    if not label or not looks_like_name(label):
        if has_values:
            ctx.error(grid, r, label_c, "dòng có số liệu nhưng không có tên chỉ tiêu — cần tên chỉ tiêu ở cột này")
        return
    try:
        m = ctx.match_indicator(label)
    except MatchError as exc:
        if exc.ambiguous:
            ctx.error(grid, r, label_c, match_message(exc, "chỉ tiêu"))
        elif has_values:
            ctx.error(grid, r, label_c, f"{match_message(exc, 'chỉ tiêu')} — cần tên một chỉ tiêu trong danh mục")
        elif not fold(label).startswith("trong do"):
            ctx.warn(grid, r, label_c, f"bỏ qua dòng “{raw}”: không khớp chỉ tiêu nào và không có số liệu")
        return
    for col, quarter in chosen:
        if grid.is_vertical_copy(r, col.index):
            continue
        if is_blank(grid.value(r, col.index)):
            ctx.warn(grid, r, col.index, f"“{m.name}” để trống ở cột “{col.label}” — không nạp")
            continue
        v = ctx.metric_value(grid, r, col.index, m.code)
        if v is not None:
            ctx.add_activity(grid, r, col.index, unit, year, quarter, m.code, v)
    for col, quarter in targets:
        if grid.is_vertical_copy(r, col.index) or is_blank(grid.value(r, col.index)):
            continue
        v = ctx.metric_value(grid, r, col.index, m.code)
        if v is not None:
            ctx.add_target(grid, r, col.index, unit, year, quarter, m.code, v)

