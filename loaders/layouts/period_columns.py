"""Which period each value column of a report holds, and which of them the report loads.

A report covers one period (its title or the argument, else what its columns name). Its value columns:
- a header naming a span holds it: 'Quý III', 'Tháng 8', '6 tháng đầu năm', 'Lũy kế 9 tháng' (a cumulative column
  runs from January);
- 'Lũy kế', 'Lũy kế từ đầu năm', 'Từ đầu năm', 'Kết quả thực hiện năm 2025' without a span: January to the
  report's end;
- 'Kết quả thực hiện', 'Trong kỳ', 'Trong quý': the report's period itself;
- 'Ước thực hiện', 'Ước cả năm': an estimate, never loaded.
A report loads its period, the pieces of it (its months, its quarters: the finest grain given) and the cumulative
figure to its end. A column of another period (last quarter's, a cumulative figure to another month) is skipped
with a warning; a report none of whose columns holds one of these contradicts its own period: an error.
"""
from __future__ import annotations

from core.periods import Period
from loaders.files.workbook import Grid
from loaders.layouts.context import PERIOD_HINT, Context
from loaders.layouts.table import Column, Table

ESTIMATE = "estimate"


def column_period(col: Column, year: int | None, report: Period | None) -> Period | str | None:
    """The period a value column holds; ESTIMATE for an estimate; None when only the report's period could say
    and it is unknown."""
    if col.estimate:
        return ESTIMATE
    cumulative = col.to_date or (col.has("ytd") and col.span is None)
    if col.span is not None and year is not None:
        first, last = col.span
        return Period(year, 1 if col.to_date else first, last)
    if cumulative:
        return report.cumulative if report is not None else None
    return report


def report_from_columns(columns: list[Column], year: int | None) -> Period | None:
    """The report's period when only its columns name it: the period of a column that is not cumulative and holds
    every other such column ('Quý III' beside 'Tháng 7'… and 'Lũy kế 9 tháng'), else the only cumulative span named
    ('9 tháng'), else the year when a result column names only it ('Kết quả thực hiện năm 2025')."""
    if year is None:
        return None
    named = [c for c in columns if c.span is not None and not c.estimate]
    plain = {c.span for c in named if not c.to_date and not (c.has("ytd") and c.span[0] == 1 and c.span[1] > 3)}
    if plain:
        outer = [s for s in plain if all(s[0] <= o[0] and o[1] <= s[1] for o in plain)]
        return Period(year, *outer[0]) if outer else None
    cumulative = {(1, c.span[1]) for c in named}
    if len(cumulative) == 1:
        return Period(year, *next(iter(cumulative)))
    if not named and any(c.year == year and c.has("ytd") for c in columns):
        return Period.whole_year(year)  # 'Kết quả thực hiện năm 2025' under a title naming only the year
    return None


def loads(period: Period, report: Period) -> bool:
    """A report loads its period, the pieces of it, and the cumulative figure to its end."""
    return report.contains(period) or period == report.cumulative


def choose_columns(grid: Grid, table: Table, ctx: Context, columns: list[Column], year: int | None,
                   report: Period | None) -> list[tuple[Column, Period]] | None:
    """The value columns to load, each with its period; None (with an error) when the columns and the report's
    period contradict each other or leave it unknown."""
    head_r = table.header_rows[-1]
    if report is None:
        col = next((c for c in columns if c.span is None and not c.estimate), columns[0] if columns else None)
        if col is None:
            return []
        ctx.error(grid, head_r, col.index, f"cột “{col.label}” không ghi kỳ và tiêu đề cũng không ghi kỳ báo cáo — "
                                           f"{PERIOD_HINT}")
        return None
    chosen: list[tuple[Column, Period]] = []
    skipped: list[tuple[Column, Period]] = []
    for col in columns:
        p = column_period(col, year, report)
        if p == ESTIMATE:
            ctx.warn(grid, head_r, col.index, f"bỏ qua cột ước tính “{col.label}” (chỉ nạp số liệu đã thực hiện)")
        elif loads(p, report):
            chosen.append((col, p))
        else:
            skipped.append((col, p))
    if not chosen and skipped:
        col, p = skipped[0]
        ctx.error(grid, head_r, col.index, f"cột kết quả ghi “{col.label}” ({p.label}) nhưng kỳ báo cáo là "
                                           f"{report.label} — hãy kiểm tra lại tệp hoặc kỳ báo cáo (--period)")
        return None
    for col, p in skipped:
        ctx.warn(grid, head_r, col.index, f"bỏ qua cột “{col.label}” ({p.label}): kỳ báo cáo là {report.label} — chỉ "
                                          "nạp số liệu của kỳ và số lũy kế đến hết kỳ")
    return _one_column_per_period(grid, table, ctx, chosen)


def _one_column_per_period(grid: Grid, table: Table, ctx: Context,
                           chosen: list[tuple[Column, Period]]) -> list[tuple[Column, Period]] | None:
    """Two columns of one period: the one headed as a result ('Kết quả thực hiện') wins; else an error."""
    by_period: dict[Period, list[Column]] = {}
    for col, p in chosen:
        by_period.setdefault(p, []).append(col)
    out = []
    for p, cols in by_period.items():
        if len(cols) > 1:
            cols = [c for c in cols if c.has("actual")] or cols
        if len(cols) > 1:
            ctx.error(grid, table.header_rows[-1], cols[1].index,
                      f"có nhiều cột kết quả ({', '.join(c.letter for c in cols)}) cho cùng kỳ {p.label} — không biết "
                      "lấy cột nào; hãy ghi rõ kỳ ở tiêu đề cột (“Quý III”, “Lũy kế 9 tháng”)")
            return None
        out.append((cols[0], p))
    return sorted(out, key=lambda cp: cp[0].index)
