"""A roll-up: units down the side, indicators across, one quarter.

    STT | Đơn vị          | Tin bài | Video, clip | Hội nghị | … | Ghi chú
    (1) | (2)             | (3)     | (4)         | (5)      |
    I   | CÁC SỞ, BAN, NGÀNH
    1   | Sở Tư pháp      | 12      | 3           | 1        |
        | Cộng            | …
Indicator headers may carry a parent ("Truyền thông trên báo chí" over "Tin bài" | "Phóng sự") or a
period child ("Tin bài" over "Quý III" | "Lũy kế"): each column is read as indicator + role + quarter.
The transposed form (indicators down the side, one column per unit) is read too.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.matching import Match, MatchError
from core.periods import quarter_label
from core.text import fold
from loaders.files.workbook import (
    TOTAL_RE,
    Column,
    Grid,
    RowKind,
    Table,
    classify_row,
    is_blank,
    is_number_like,
    strip_item_prefix,
)
from loaders.layouts.context import Context, looks_like_name, match_message, sheet_period

LAYOUT = "rollup"
SAMPLE_ROWS = 40


@dataclass
class ValueColumn:
    col: Column
    code: str  # indicator code (normal) or unit code (transposed)
    name: str
    role: str  # 'actual' | 'target'
    quarter: int | None


def _match_header(col: Column, match) -> tuple[Match | None, MatchError | None]:
    """Try the child-most header text, then the texts joined: the first that matches wins."""
    first_error = None
    for name in col.names:
        try:
            return match(strip_item_prefix(name)), None
        except MatchError as exc:
            if exc.ambiguous:
                return None, exc
            first_error = first_error or exc
    return None, first_error


def _body_hits(grid: Grid, table: Table, c: int, probe) -> int:
    n = 0
    for r in range(table.first_body_row, min(grid.nrows, table.first_body_row + SAMPLE_ROWS)):
        t = grid.text(r, c)
        if not t or is_number_like(grid.value(r, c)) or len(t) > 200:
            continue
        n += probe(strip_item_prefix(t))
    return n


def _header_hits(table: Table, probe) -> int:
    n = 0
    for col in table.columns:
        if col.names and not col.has("stt", "note", "uom"):
            n += any(probe(strip_item_prefix(name)) for name in col.names)
    return n


def _probe(ctx: Context, which: str):
    return lambda text: ctx.probe(which, text)


def unit_column(grid: Grid, table: Table, ctx: Context) -> int | None:
    for col in table.columns:
        if col.has("entity") and not col.names:
            return col.index
    best, best_n = None, 0
    for col in table.columns:
        n = _body_hits(grid, table, col.index, _probe(ctx, "unit"))
        if n > best_n:
            best, best_n = col.index, n
    return best


def _orientation(grid: Grid, table: Table, ctx: Context) -> tuple[str | None, float]:
    ind_cols = _header_hits(table, _probe(ctx, "indicator"))
    unit_c = unit_column(grid, table, ctx)
    unit_rows = _body_hits(grid, table, unit_c, _probe(ctx, "unit")) if unit_c is not None else 0
    normal = ind_cols * 2 + unit_rows if ind_cols >= 1 and unit_rows >= 1 else 0.0
    unit_cols = _header_hits(table, _probe(ctx, "unit"))
    transposed = 0.0
    if unit_cols >= 2:
        from loaders.layouts.unit_report import label_column

        lc = label_column(grid, table, ctx)
        ind_rows = _body_hits(grid, table, lc, _probe(ctx, "indicator")) if lc is not None else 0
        transposed = unit_cols * 2 + ind_rows if ind_rows else 0.0
    if normal >= transposed and normal > 0:
        return "normal", normal
    if transposed > 0:
        return "transposed", transposed
    return None, 0.0


def detect(grid: Grid, table: Table, ctx: Context) -> float:
    return _orientation(grid, table, ctx)[1]


def parse(grid: Grid, table: Table, ctx: Context) -> None:
    orientation, _ = _orientation(grid, table, ctx)
    if orientation is None:
        ctx.error(grid, table.header_rows[-1], None, "không nhận ra bảng tổng hợp: cần cột tên đơn vị và các cột chỉ tiêu")
        return
    before = len(ctx.problems.errors)
    year, quarter = sheet_period(ctx, grid, table)
    if len(ctx.problems.errors) > before:
        return  # the title contradicts the period asked for
    transposed = orientation == "transposed"
    if transposed:
        from loaders.layouts.unit_report import label_column

        side_c = label_column(grid, table, ctx)
        match_side, match_head = ctx.match_indicator, ctx.match_unit
        side_what, head_what = "chỉ tiêu", "đơn vị"
    else:
        side_c = unit_column(grid, table, ctx)
        match_side, match_head = ctx.match_unit, ctx.match_indicator
        side_what, head_what = "đơn vị", "chỉ tiêu"
    stt_c = next((col.index for col in table.columns if col.has("stt")), None)
    head_r = table.header_rows[-1]

    value_cols: list[ValueColumn] = []
    col_years = [col.year for col in table.columns if col.year]
    if year is None and col_years:
        year = max(col_years)
    for col in table.columns:
        if col.index in (side_c, stt_c) or col.empty or col.has("note", "uom", "stt", "grade"):
            continue
        if not col.names:
            continue
        if TOTAL_RE.match(fold(col.parts[-1])):
            if _column_has_numbers(grid, table, col.index):
                ctx.warn(grid, head_r, col.index, f"bỏ qua cột tổng “{col.label}”")
            continue
        m, exc = _match_header(col, match_head)
        if m is None:
            if not _column_has_numbers(grid, table, col.index):
                ctx.warn(grid, head_r, col.index, f"bỏ qua cột trống “{col.label}”")
            else:
                ctx.error(grid, head_r, col.index, f"tiêu đề cột “{col.label}”: {match_message(exc, head_what)}"
                                                   if exc else f"không nhận ra {head_what} ở tiêu đề cột “{col.label}”")
            continue
        if col.has("compare"):
            continue
        if col.has("ytd") and not col.has("plan"):
            ctx.warn(grid, head_r, col.index, f"bỏ qua cột lũy kế “{col.label}” (chỉ nạp số liệu của quý)")
            continue
        if col.year is not None and year is not None and col.year != year:
            ctx.warn(grid, head_r, col.index, f"bỏ qua cột “{col.label}”: không thuộc năm {year}")
            continue
        role = "target" if col.has("plan") else "actual"
        value_cols.append(ValueColumn(col, m.code, m.name, role, col.quarter))

    if ctx.kind == "targets":
        # a roll-up of targets: every indicator column is a target (annual unless the column names a quarter)
        for v in value_cols:
            v.role = "target"
    # one quarter per file: the argument / title, else the one the columns name
    col_quarters = {v.quarter for v in value_cols if v.role == "actual" and v.quarter is not None}
    if quarter is None and len(col_quarters) == 1:
        quarter = next(iter(col_quarters))
    kept = []
    for v in value_cols:
        if v.role == "actual":
            if v.quarter is not None and quarter is not None and v.quarter != quarter:
                if quarter in col_quarters:
                    ctx.warn(grid, head_r, v.col.index, f"bỏ qua cột “{v.col.label}”: kỳ báo cáo là "
                                                        f"{quarter_label(year, quarter) if year else quarter}")
                else:
                    ctx.error(grid, head_r, v.col.index, f"cột “{v.col.label}” ghi quý {v.quarter} nhưng kỳ báo cáo "
                                                         f"là {quarter_label(year, quarter) if year else f'quý {quarter}'}")
                continue
            v.quarter = v.quarter or quarter
        kept.append(v)
    value_cols = kept
    seen: dict[tuple, ValueColumn] = {}
    for v in value_cols:
        key = (v.code, v.role, v.quarter)
        if key in seen:
            ctx.error(grid, head_r, v.col.index, f"hai cột cùng là {head_what} “{v.name}”: cột {seen[key].col.letter} "
                                                 f"(“{seen[key].col.label}”) và cột {v.col.letter} (“{v.col.label}”)")
        seen[key] = v
    if not value_cols:
        ctx.error(grid, head_r, None, f"không tìm thấy cột {head_what} nào có thể nạp")
        return
    if year is None:
        ctx.error(grid, None, None, "không xác định được năm báo cáo — hãy ghi rõ trong tiêu đề (ví dụ “Quý III năm "
                                    "2025”) hoặc chọn kỳ (--period 2025-Q3)")
        return
    if any(v.role == "actual" and v.quarter is None for v in value_cols):
        ctx.error(grid, None, None, "không xác định được quý báo cáo — hãy ghi rõ trong tiêu đề (ví dụ “Quý III năm "
                                    "2025”) hoặc chọn kỳ (--period 2025-Q3)")
        return
    only_unit = ctx.unit.code if ctx.unit is not None else None
    if only_unit and not transposed:
        ctx.warn(grid, None, None, f"tệp tổng hợp nhiều đơn vị: chỉ nạp dòng của {ctx.unit.name} (theo --unit)")

    cols = [v.col.index for v in value_cols]
    vertical = any(r1 > r0 for r0, _, r1, _ in grid.merged)
    for r in range(table.first_body_row, grid.nrows):
        kind = classify_row(grid, r, [side_c], stt_c)
        if kind is RowKind.SIGNATURE:
            break
        if kind in (RowKind.EMPTY, RowKind.NOTE, RowKind.NUMBERING):
            continue
        row = grid.cells[r]
        has_values = any(c < len(row) and not is_blank(row[c]) and not (vertical and grid.is_vertical_copy(r, c))
                         for c in cols)
        raw = grid.text(r, side_c)
        if kind is RowKind.TOTAL:
            if has_values:
                ctx.warn(grid, r, side_c, f"bỏ qua dòng tổng “{raw}”")
            continue
        if kind is RowKind.SECTION:
            if has_values:
                ctx.warn(grid, r, side_c, f"bỏ qua dòng tiêu đề mục “{raw}” (số liệu tổng của mục không được nạp)")
            continue
        label = strip_item_prefix(raw)
        if not label or not looks_like_name(label):
            if has_values:
                ctx.error(grid, r, side_c, f"dòng có số liệu nhưng không có tên {side_what}")
            continue
        try:
            side = match_side(label)
        except MatchError as exc:
            if exc.ambiguous or has_values:
                ctx.error(grid, r, side_c, f"{match_message(exc, side_what)}"
                          + ("" if exc.ambiguous else f" — cần tên một {side_what} trong danh mục"))
            else:
                ctx.warn(grid, r, side_c, f"bỏ qua dòng “{raw}”: không khớp {side_what} nào và không có số liệu")
            continue
        for v in value_cols:
            unit, metric = (v.code, side.code) if transposed else (side.code, v.code)
            if only_unit and unit != only_unit:
                continue
            c = v.col.index
            if vertical and grid.is_vertical_copy(r, c):
                continue
            if c >= len(row) or is_blank(row[c]):
                if v.role == "actual":
                    ctx.warn(grid, r, c, f"ô trống: {ctx.unit_name(unit)} — “{ctx.indicator_name(metric)}” — không nạp")
                continue
            x = ctx.metric_value(grid, r, c, metric)
            if x is None:
                continue
            if v.role == "actual":
                ctx.add_activity(grid, r, c, unit, year, v.quarter, metric, x)
            else:
                ctx.add_target(grid, r, c, unit, year, v.quarter, metric, x)


def _column_has_numbers(grid: Grid, table: Table, c: int) -> bool:
    return any(is_number_like(grid.value(r, c))
               for r in range(table.first_body_row, min(grid.nrows, table.first_body_row + 200)))

