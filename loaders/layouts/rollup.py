"""A roll-up: units down the side, indicators across, one period (a month, a quarter, six or nine months, a year).

    STT | Đơn vị          | Tin bài | Video, clip | Hội nghị | … | Ghi chú
    (1) | (2)             | (3)     | (4)         | (5)      |
    I   | CÁC SỞ, BAN, NGÀNH
    1   | Sở Tư pháp      | 12      | 3           | 1        |
        | Cộng            | …
Indicator headers may carry a parent ("Truyền thông trên báo chí" over "Tin bài" | "Phóng sự") or a
period child ("Tin bài" over "Quý III" | "Lũy kế"): each column is read as indicator + role + period
(loaders.layouts.period_columns: the report's period, its pieces and its cumulative figure are loaded).
The transposed form (indicators down the side, one column per unit) is read too.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from core.matching import Match, MatchError
from core.periods import Period
from core.text import fold
from loaders.files.workbook import Grid, is_blank, is_number_like
from loaders.layouts.context import Context, looks_like_name, match_message, sheet_period, unknown_period
from loaders.layouts.period_columns import ESTIMATE, column_period, loads, report_from_columns
from loaders.layouts.table import (
    TOTAL_RE,
    Column,
    RowKind,
    Table,
    body_hits,
    classify_row,
    is_entity_header,
    name_column,
    strip_item_prefix,
)

LAYOUT = "rollup"


@dataclass
class ValueColumn:
    col: Column
    code: str  # indicator code (normal) or unit code (transposed)
    name: str
    role: str  # 'actual' | 'target'
    quarter: int | None  # a target's quarter (None: annual)
    period: Period | None = None  # an actual's period


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


def _header_hits(table: Table, probe) -> int:
    n = 0
    for col in table.columns:
        if col.names and not col.has("stt", "note", "uom"):
            n += any(probe(strip_item_prefix(name)) for name in col.names)
    return n


def _probe(ctx: Context, which: str):
    return lambda text: ctx.probe(which, text)


def unit_column(grid: Grid, table: Table, ctx: Context) -> int | None:
    """The column naming the units: headed 'Đơn vị'..., else the column whose body cells name the most units."""
    return name_column(table, is_entity_header, lambda c: body_hits(grid, table, c, _probe(ctx, "unit")))


def _orientation(grid: Grid, table: Table, ctx: Context) -> tuple[str | None, float]:
    ind_cols = _header_hits(table, _probe(ctx, "indicator"))
    unit_c = unit_column(grid, table, ctx)
    unit_rows = body_hits(grid, table, unit_c, _probe(ctx, "unit")) if unit_c is not None else 0
    normal = ind_cols * 2 + unit_rows if ind_cols >= 1 and unit_rows >= 1 else 0.0
    unit_cols = _header_hits(table, _probe(ctx, "unit"))
    transposed = 0.0
    if unit_cols >= 2:
        from loaders.layouts.unit_report import label_column

        lc = label_column(grid, table, ctx)
        ind_rows = body_hits(grid, table, lc, _probe(ctx, "indicator")) if lc is not None else 0
        transposed = unit_cols * 2 + ind_rows if ind_rows else 0.0
    if normal >= transposed and normal > 0:
        return "normal", normal
    if transposed > 0:
        return "transposed", transposed
    return None, 0.0


def detect(grid: Grid, table: Table, ctx: Context) -> float:
    return _orientation(grid, table, ctx)[1]


@dataclass
class _Sides:
    """Which way the roll-up runs: units down the side and indicators across (normal), or the transpose."""

    transposed: bool
    side: int | None  # the column naming the rows
    stt: int | None
    match_side: Callable[[str], Match]
    match_head: Callable[[str], Match]
    side_what: str
    head_what: str


def parse(grid: Grid, table: Table, ctx: Context) -> None:
    """A roll-up: sides -> period -> columns -> rows."""
    sides = _sides(grid, table, ctx)
    if sides is None:
        return
    period = _period(grid, table, ctx)
    if period is None:
        return
    year, report = period
    cols = _columns(grid, table, ctx, sides, year)
    cols = _period_columns(grid, table, ctx, cols, year, report)
    if _complete(grid, table, ctx, sides, cols, year):
        _rows(grid, table, ctx, sides, cols, year)


def _sides(grid: Grid, table: Table, ctx: Context) -> _Sides | None:
    """Which way the table runs and the column naming its rows; None (with an error) when it is no roll-up."""
    orientation, _ = _orientation(grid, table, ctx)
    if orientation is None:
        ctx.error(grid, table.header_rows[-1], None, "không nhận ra bảng tổng hợp: cần cột tên đơn vị và các cột chỉ tiêu")
        return None
    if orientation == "transposed":
        from loaders.layouts.unit_report import label_column

        return _Sides(True, label_column(grid, table, ctx), table.stt_column, ctx.match_indicator, ctx.match_unit,
                      "chỉ tiêu", "đơn vị")
    return _Sides(False, unit_column(grid, table, ctx), table.stt_column, ctx.match_unit, ctx.match_indicator,
                  "đơn vị", "chỉ tiêu")


def _period(grid: Grid, table: Table, ctx: Context) -> tuple[int | None, Period | None] | None:
    """(year, period) of the title or the argument (the year also from the columns); None (with an error) when
    the title contradicts the period asked for."""
    before = len(ctx.problems.errors)
    year, quarter = sheet_period(ctx, grid, table)
    if len(ctx.problems.errors) > before:
        return None
    col_years = [col.year for col in table.columns if col.year]
    if year is None and col_years:
        year = max(col_years)
    return year, quarter


def _columns(grid: Grid, table: Table, ctx: Context, sides: _Sides, year: int | None) -> list[ValueColumn]:
    """The columns whose header names an indicator (a unit, transposed) of the year, as actuals or targets."""
    head_r = table.header_rows[-1]
    head_what = sides.head_what
    value_cols: list[ValueColumn] = []
    for col in table.columns:
        if col.index in (sides.side, sides.stt) or col.empty or col.has("note", "uom", "stt", "grade"):
            continue
        if not col.names:
            continue
        if TOTAL_RE.match(fold(col.parts[-1])):
            if _column_has_numbers(grid, table, col.index):
                ctx.warn(grid, head_r, col.index, f"bỏ qua cột tổng “{col.label}”")
            continue
        m, exc = _match_header(col, sides.match_head)
        if m is None:
            if not _column_has_numbers(grid, table, col.index):
                ctx.warn(grid, head_r, col.index, f"bỏ qua cột trống “{col.label}”")
            else:
                ctx.error(grid, head_r, col.index, f"tiêu đề cột “{col.label}”: {match_message(exc, head_what)}"
                                                   if exc else f"không nhận ra {head_what} ở tiêu đề cột “{col.label}”")
            continue
        if col.has("compare"):
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
    return value_cols


def _period_columns(grid: Grid, table: Table, ctx: Context, value_cols: list[ValueColumn], year: int | None,
                    report: Period | None) -> list[ValueColumn]:
    """One period per file (the argument / title, else the one the columns name): each actual column given its
    period (loaders.layouts.period_columns); columns of other periods dropped (warned, or an error when none of an
    indicator's columns holds the report's period)."""
    head_r = table.header_rows[-1]
    actual = [v for v in value_cols if v.role == "actual"]
    if report is None:
        report = report_from_columns([v.col for v in actual], year)
    if report is not None and ctx.kind != "targets":
        ctx.reports_seen.add(report)
    periods = {id(v): column_period(v.col, year, report) for v in actual}
    read = {v.code for v in actual if report is not None and periods[id(v)] not in (None, ESTIMATE)
            and loads(periods[id(v)], report)}  # indicators with a column of the report's period
    kept = []
    for v in value_cols:
        if v.role == "actual":
            p = periods[id(v)]
            if p == ESTIMATE:
                ctx.warn(grid, head_r, v.col.index, f"bỏ qua cột ước tính “{v.col.label}” (chỉ nạp số liệu đã thực hiện)")
                continue
            if p is not None and report is not None and not loads(p, report):
                if v.code in read:
                    ctx.warn(grid, head_r, v.col.index, f"bỏ qua cột “{v.col.label}” ({p.label}): kỳ báo cáo là "
                                                        f"{report.label}")
                else:
                    ctx.error(grid, head_r, v.col.index, f"cột “{v.col.label}” ghi {p.label} nhưng kỳ báo cáo là "
                                                         f"{report.label}")
                continue
            v.period = p
        kept.append(v)
    return kept


def _complete(grid: Grid, table: Table, ctx: Context, sides: _Sides, value_cols: list[ValueColumn],
              year: int | None) -> bool:
    """True when each value has its own column and the year and quarter are known; else False, with an error
    (two columns of one value are an error too, yet the rows are still read)."""
    head_r = table.header_rows[-1]
    seen: dict[tuple, ValueColumn] = {}
    for v in value_cols:
        key = (v.code, v.role, v.quarter, v.period)
        if key in seen:
            first = seen[key].col
            ctx.error(grid, head_r, v.col.index, f"hai cột cùng là {sides.head_what} “{v.name}”: cột {first.letter} "
                                                 f"(“{first.label}”) và cột {v.col.letter} (“{v.col.label}”)")
        seen[key] = v
    if not value_cols:
        ctx.error(grid, head_r, None, f"không tìm thấy cột {sides.head_what} nào có thể nạp")
        return False
    if year is None:
        unknown_period(ctx, grid, "năm")
        return False
    if any(v.role == "actual" and v.period is None for v in value_cols):
        unknown_period(ctx, grid, "kỳ")
        return False
    return True


def _rows(grid: Grid, table: Table, ctx: Context, sides: _Sides, value_cols: list[ValueColumn], year: int) -> None:
    """Every body row up to the signature: totals, sections and notes skipped, each data row's values read."""
    only_unit = ctx.unit.code if ctx.unit is not None else None
    if only_unit and not sides.transposed:
        ctx.warn(grid, None, None, f"tệp tổng hợp nhiều đơn vị: chỉ nạp dòng của {ctx.unit.name} (theo --unit)")
    side_c = sides.side
    cols = [v.col.index for v in value_cols]
    vertical = any(r1 > r0 for r0, _, r1, _ in grid.merged)
    for r in range(table.first_body_row, grid.nrows):
        kind = classify_row(grid, r, [side_c], sides.stt)
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
        side = _side_name(grid, r, ctx, sides, raw, has_values)
        if side is not None:
            _row_values(grid, r, ctx, sides, value_cols, side, year, only_unit, vertical)


def _side_name(grid: Grid, r: int, ctx: Context, sides: _Sides, raw: str, has_values: bool) -> Match | None:
    """The unit (the indicator, transposed) a row names; None (with an error or a warning) when it names none."""
    side_c, side_what = sides.side, sides.side_what
    label = strip_item_prefix(raw)
    if not label or not looks_like_name(label):
        if has_values:
            ctx.error(grid, r, side_c, f"dòng có số liệu nhưng không có tên {side_what}")
        return None
    try:
        return sides.match_side(label)
    except MatchError as exc:
        if exc.ambiguous or has_values:
            ctx.error(grid, r, side_c, f"{match_message(exc, side_what)}"
                      + ("" if exc.ambiguous else f" — cần tên một {side_what} trong danh mục"))
        else:
            ctx.warn(grid, r, side_c, f"bỏ qua dòng “{raw}”: không khớp {side_what} nào và không có số liệu")
        return None


def _row_values(grid: Grid, r: int, ctx: Context, sides: _Sides, value_cols: list[ValueColumn], side: Match,
                year: int, only_unit: str | None, vertical: bool) -> None:
    """The values of one row, one per value column: actuals and targets."""
    row = grid.cells[r]
    for v in value_cols:
        unit, metric = (v.code, side.code) if sides.transposed else (side.code, v.code)
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
            ctx.add_value(grid, r, c, unit, v.period, metric, x)
        else:
            ctx.add_target(grid, r, c, unit, year, v.quarter, metric, x)


def _column_has_numbers(grid: Grid, table: Table, c: int) -> bool:
    return any(is_number_like(grid.value(r, c))
               for r in range(table.first_body_row, min(grid.nrows, table.first_body_row + 200)))

