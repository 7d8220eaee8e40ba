"""One unit's report of a month, a quarter, six or nine months or a year: indicators down the side, result
columns across.

Typical header (two merged rows):
    STT | Nội dung | Đơn vị tính | Kế hoạch năm | Kết quả thực hiện          | Ghi chú
        |          |             |              | Quý III | Lũy kế 9 tháng   |
The period's column ("Quý III", "Tháng 8", "Kết quả trong kỳ") and the cumulative one ("Lũy kế 9 tháng",
"Lũy kế từ đầu năm") are both loaded, each as the span of months it holds (loaders.layouts.period_columns); the
annual plan column, when present, is the unit's annual target. Unit and period come from the arguments, else the
letterhead and title ("SỞ TƯ PHÁP", "BÁO CÁO … QUÝ III NĂM 2025", "BÁO CÁO 6 THÁNG ĐẦU NĂM 2025").
"""
from __future__ import annotations

from dataclasses import dataclass

from core.matching import MatchError
from core.periods import Period
from core.text import fold
from loaders.files.workbook import Grid, is_blank
from loaders.layouts.context import Context, looks_like_name, match_message, sheet_period, sheet_unit, unknown_period
from loaders.layouts.period_columns import choose_columns, report_from_columns
from loaders.layouts.table import Column, RowKind, Table, body_hits, classify_row, name_column, strip_item_prefix

LAYOUT = "unit_report"


def label_column(grid: Grid, table: Table, ctx: Context) -> int | None:
    """The column naming the indicators: headed 'Nội dung' / 'Chỉ tiêu'..., else the column whose
    body cells match the most indicators."""
    return name_column(table, lambda col: col.has("label") and not col.has("plan", "actual", "quarter", "month", "ytd"),
                       lambda c: _indicator_hits(grid, table, ctx, c))


def _indicator_hits(grid: Grid, table: Table, ctx: Context, c: int) -> int:
    """How many sampled body cells of column c name an indicator."""
    return body_hits(grid, table, c, lambda t: ctx.probe("indicator", t))


def detect(grid: Grid, table: Table, ctx: Context) -> float:
    """How well the sheet fits this layout (0: not at all)."""
    c = label_column(grid, table, ctx)
    if c is None:
        return 0.0
    hits = _indicator_hits(grid, table, ctx, c)
    roles = sum(1 for col in table.columns if col.index != c and not col.names
                and col.has("actual", "quarter", "month", "plan", "ytd"))
    headed = table.columns[c].has("label")  # "Nội dung" / "Chỉ tiêu": even unknown names are worth reporting
    if roles == 0 or not (hits or headed):
        return 0.0
    return hits + 2 * roles + headed


def _is_compare(col: Column) -> bool:
    last = fold(col.parts[-1]) if col.parts else ""
    return col.has("compare") or last in ("ty le", "ty le %", "%", "ty le phan tram")


@dataclass
class _Columns:
    """The columns of a unit report, by what they hold."""

    label: int
    stt: int | None
    plan: list[Column]
    actual: list[Column]
    ytd: list[Column]


@dataclass
class _Period:
    """What the sheet reports: year and unit, the value columns (each with its period), the target columns."""

    year: int
    unit: str
    chosen: list[tuple[Column, Period]]
    targets: list[tuple[Column, int | None]]


def parse(grid: Grid, table: Table, ctx: Context) -> None:
    """One unit's report: columns -> period -> rows."""
    cols = _columns(grid, table, ctx)
    if cols is None:
        return
    period = _period(grid, table, ctx, cols)
    if period is None:
        return
    _rows(grid, table, ctx, cols, period)


def _columns(grid: Grid, table: Table, ctx: Context) -> _Columns | None:
    """The label column and the plan / actual / year-to-date columns; None (with an error) without a label column."""
    label_c = label_column(grid, table, ctx)
    if label_c is None:
        ctx.error(grid, table.header_rows[-1], None, "không tìm thấy cột tên chỉ tiêu (“Nội dung”, “Chỉ tiêu”)")
        return None
    cols = _Columns(label_c, table.stt_column, [], [], [])
    for col in table.columns:
        if col.index in (cols.label, cols.stt) or col.empty or col.has("note", "uom", "stt", "grade"):
            continue
        if _is_compare(col):
            continue
        if col.has("plan"):
            cols.plan.append(col)
        elif col.has("ytd"):
            cols.ytd.append(col)
        elif col.has("actual", "quarter", "month", "value"):
            cols.actual.append(col)
    return cols


def _period(grid: Grid, table: Table, ctx: Context, cols: _Columns) -> _Period | None:
    """The sheet's year, period and unit and the columns holding them; None (with an error) when one is in doubt."""
    before = len(ctx.problems.errors)
    year, report = sheet_period(ctx, grid, table)
    unit = sheet_unit(ctx, grid, table)
    if len(ctx.problems.errors) > before:
        return None  # the sheet contradicts the arguments: every value below would be in doubt
    values = sorted(cols.actual + cols.ytd, key=lambda c: c.index)
    if year is None:
        year = next((c.year for c in [*values, *cols.plan] if c.year), None)
    if report is None:
        report = report_from_columns(values, year)
    chosen = [] if ctx.kind == "targets" else choose_columns(grid, table, ctx, values, year, report)
    if chosen is None:
        return None
    if report is not None:
        ctx.reports_seen.add(report)
    targets = _target_columns(grid, table, ctx, cols, year)
    if targets is None or not _complete(grid, table, ctx, cols, year, unit, chosen, targets):
        return None
    return _Period(year, unit, chosen, targets)


def _target_columns(grid: Grid, table: Table, ctx: Context, cols: _Columns,
                    year: int | None) -> list[tuple[Column, int | None]] | None:
    """The plan columns of the year, each with its quarter (None: annual); None (with an error) when two share one."""
    head_r = table.header_rows[-1]
    targets: list[tuple[Column, int | None]] = []
    for c in cols.plan:
        if c.year is not None and year is not None and c.year != year:
            ctx.warn(grid, head_r, c.index, f"bỏ qua cột “{c.label}”: không thuộc năm {year}")
            continue
        if c.span is not None and c.span != (1, 12) and c.quarter is None:
            ctx.warn(grid, head_r, c.index, f"bỏ qua cột kế hoạch “{c.label}”: chỉ nạp kế hoạch năm hoặc quý (kế hoạch "
                                            "theo tháng như “04 số/tháng” đặt ở trang Kế hoạch hoặc Chỉ tiêu)")
            continue
        targets.append((c, c.quarter))
    if len({q for _, q in targets}) < len(targets):
        ctx.error(grid, head_r, targets[-1][0].index,
                  f"có nhiều cột kế hoạch ({', '.join(c.letter for c, _ in targets)}) cho cùng một kỳ — không biết lấy cột nào")
        return None
    return targets


def _complete(grid: Grid, table: Table, ctx: Context, cols: _Columns, year: int | None, unit: str | None,
              chosen: list, targets: list) -> bool:
    """True when the columns asked for, the year and the unit are all known; else False, with an error."""
    head_r = table.header_rows[-1]
    if ctx.kind == "targets" and not targets:
        ctx.error(grid, head_r, None, "không tìm thấy cột kế hoạch (“Kế hoạch năm”, “Chỉ tiêu giao”) trong báo cáo")
        return False
    if ctx.kind in (None, "activities") and not chosen:
        ctx.error(grid, head_r, None, "không tìm thấy cột kết quả thực hiện (ví dụ “Quý III”, “Tháng 8”, “Kết quả "
                                      "thực hiện trong kỳ”, “Lũy kế từ đầu năm”)")
        return False
    if year is None:
        unknown_period(ctx, grid, "năm")
        return False
    if unit is None:
        if not any(e.sheet == grid.name for e in ctx.problems.errors):
            ctx.error(grid, None, None, "không xác định được đơn vị báo cáo: tiêu đề không ghi tên đơn vị — hãy chọn "
                                        "đơn vị (--unit) hoặc ghi tên đơn vị ở đầu báo cáo")
        return False
    return True


def _rows(grid: Grid, table: Table, ctx: Context, cols: _Columns, period: _Period) -> None:
    """Every body row up to the signature: totals and section rows skipped, each data row read."""
    chosen = period.chosen if ctx.kind in (None, "activities") else []
    targets = period.targets if ctx.kind in (None, "activities", "targets") else []
    value_cols = [c.index for c, _ in period.chosen] + [c.index for c, _ in period.targets]
    label_c, stt_c = cols.label, cols.stt
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
            _data_row(grid, r, ctx, label_c, period.unit, period.year, chosen, targets, has_values)
        r += 1


def _data_row(grid, r, ctx: Context, label_c, unit, year, chosen, targets, has_values) -> None:
    """One indicator's row: its quarter's actual and its targets."""
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
    for col, period in chosen:
        if grid.is_vertical_copy(r, col.index):
            continue
        if is_blank(grid.value(r, col.index)):
            ctx.warn(grid, r, col.index, f"“{m.name}” để trống ở cột “{col.label}” — không nạp")
            continue
        v = ctx.metric_value(grid, r, col.index, m.code)
        if v is not None:
            ctx.add_value(grid, r, col.index, unit, period, m.code, v)
    for col, quarter in targets:
        if grid.is_vertical_copy(r, col.index) or is_blank(grid.value(r, col.index)):
            continue
        v = ctx.metric_value(grid, r, col.index, m.code)
        if v is not None:
            ctx.add_target(grid, r, col.index, unit, year, quarter, m.code, v)
