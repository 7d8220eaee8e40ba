"""The project's own tidy form: one row per unit × period × indicator (actuals, targets), or per
index × year × entity × component (indices; also the long CSV of data/reference/*.csv).

The period of a row is its year with its quarter ("3", "III", "Quý III"), its month (a "Tháng" column, or "Tháng 8"
in the period column), or a longer span written in the period column ("6 tháng đầu năm", "9 tháng", "Cả năm",
"H1", "9M"); a weight column ("Số hồ sơ (trọng số)") gives the files a rate is taken of.

The headers are those the templates write (`loaders.templates`), in Vietnamese; English column
names (unit, year, quarter, indicator, value, target…) are accepted too, as is .csv.
"""
from __future__ import annotations

import re

from core.matching import MatchError
from core.periods import ROMAN, Period, span_in
from core.rules import valid_year, year_range_text
from core.text import fold, nfc
from loaders.files.workbook import Grid, cell_text, is_blank
from loaders.layouts.context import CellValueError, Context, match_message, number_at
from loaders.layouts.table import Table, strip_item_prefix

LAYOUT = "tidy"

# Column names, folded, with any "(…)" explanation removed. The first name of each list is the one
# the templates write.
COLUMNS: dict[str, list[str]] = {
    "unit": ["don vi", "ten don vi", "ma don vi", "don vi bao cao", "co quan", "unit", "unit code", "unit name"],
    "year": ["nam", "year", "nam danh gia", "nam bao cao"],
    "quarter": ["quy", "quarter", "ky", "ky bao cao", "quy bao cao"],
    "month": ["thang", "month", "thang bao cao"],
    "weight": ["so ho so", "trong so", "so ho so trong so", "tong so ho so", "mau so", "weight"],
    "indicator": ["chi tieu", "ten chi tieu", "ma chi tieu", "noi dung", "indicator", "metric", "metric code",
                  "indicator code"],
    "actual": ["ket qua thuc hien", "ket qua", "thuc hien", "gia tri", "so lieu", "actual", "value"],
    "target": ["ke hoach", "ke hoach muc tieu", "chi tieu ke hoach", "muc tieu", "chi tieu giao", "target"],
    "note": ["ghi chu", "note", "notes"],
    # indices
    "index": ["chi so", "ma chi so", "ten chi so", "index", "index code"],
    "entity": ["tinh don vi", "tinh thanh pho", "tinh", "dia phuong", "doi tuong", "province", "entity", "don vi duoc danh gia"],
    "component": ["thanh phan", "chi so thanh phan", "linh vuc", "component"],
    "score": ["diem", "diem so", "score"],
    "rank": ["xep hang", "thu hang", "hang", "rank"],
    "rank_of": ["tren tong so", "xep hang tren tong so", "so tinh xep hang", "rank of"],
    "source": ["nguon", "nguon so lieu", "source", "source url or citation", "nguon trich dan"],
}
_LOOKUP = {name: key for key, names in COLUMNS.items() for name in names}


def column_key(label: str) -> str | None:
    core = fold(re.sub(r"\(.*?\)", " ", nfc(label)))
    return _LOOKUP.get(core) or _LOOKUP.get(fold(label))


def columns(table: Table) -> dict[str, int]:
    out: dict[str, int] = {}
    for col in table.columns:
        if not col.parts:
            continue
        key = column_key(col.parts[-1]) or column_key(col.label)
        if key and key not in out:
            out[key] = col.index
    # an index sheet names its entities "Đơn vị" too
    if "index" in out and "entity" not in out and "unit" in out:
        out["entity"] = out.pop("unit")
    return out


def form(table: Table) -> str | None:
    """'activities' / 'targets' / 'both' / 'indices' when the header is the tidy form, else None."""
    cols = columns(table)
    if "year" in cols and ("index" in cols or "entity" in cols) and ("score" in cols or "rank" in cols):
        return "indices"
    if "year" in cols and "indicator" in cols and ("unit" in cols or "quarter" in cols):
        has_a, has_t = "actual" in cols, "target" in cols
        if has_a and has_t:
            return "both"
        if has_a or has_t:
            return "activities" if has_a else "targets"
    return None


def detect(grid: Grid, table: Table, ctx: Context) -> float:
    f = form(table)
    return 0.0 if f is None else 10.0 + len(columns(table))


def parse(grid: Grid, table: Table, ctx: Context) -> None:
    """The tidy form: columns -> value columns -> rows (the index form is read by the index-table reader)."""
    cols = columns(table)
    f = form(table)
    if f == "indices":
        from loaders.layouts.index_long import parse_long

        parse_long(grid, table, ctx, cols)
        return
    if ctx.kind == "indices":
        ctx.error(grid, table.header_rows[-1], None, "bảng này là số liệu hoạt động/kế hoạch chứ không phải kết quả chỉ số")
        return
    value_cols = _value_columns(ctx, cols)
    for r in range(table.first_body_row, grid.nrows):
        cells = {k: grid.value(r, c) for k, c in cols.items()}
        if all(is_blank(v) for k, v in cells.items() if k != "note"):
            continue
        _row(grid, r, ctx, cols, cells, value_cols)


def _value_columns(ctx: Context, cols: dict[str, int]) -> list[tuple[str, int]]:
    """(role, column) of the value columns: 'actual' and 'target' (--kind says which a lone value column holds)."""
    value_cols = []
    if "actual" in cols:
        # a value column of a targets file (--kind targets) holds targets
        value_cols.append(("target" if ctx.kind == "targets" and "target" not in cols else "actual", cols["actual"]))
    if "target" in cols:
        value_cols.append(("target", cols["target"]))
    if ctx.kind == "activities":
        value_cols = [(k, c) for k, c in value_cols if k == "actual"] or value_cols
    return value_cols


def _row(grid: Grid, r: int, ctx: Context, cols, cells, value_cols) -> None:
    """One row: unit -> period -> indicator -> values."""
    unit = _unit(grid, r, ctx, cols, cells)
    if unit is None:
        return
    period = _period(grid, r, ctx, cols, cells, value_cols)
    if period is None:
        return
    year, span = period
    metric = _indicator(grid, r, ctx, cols, cells)
    if metric is None:
        return
    _values(grid, r, ctx, cols, value_cols, unit, year, span, metric)


def _unit(grid: Grid, r: int, ctx: Context, cols, cells) -> str | None:
    """The unit the row names (a code or a name), else the one asked for; None (with an error) when unknown."""
    if "unit" in cols and not is_blank(cells["unit"]):
        text = cell_text(cells["unit"])
        code = text if text in ctx.registry.unit_matcher else None
        if code is None:
            try:
                code = ctx.match_unit(text).code
            except MatchError as exc:
                ctx.error(grid, r, cols["unit"], f"{match_message(exc, 'đơn vị')}"
                          + ("" if exc.ambiguous else " — cần tên một đơn vị trong danh mục"))
                return None
        if ctx.unit is not None and code != ctx.unit.code:
            ctx.error(grid, r, cols["unit"], f"dòng ghi đơn vị “{text}” nhưng đơn vị được chọn là {ctx.unit.name} — "
                                             "hãy kiểm tra lại tệp hoặc đơn vị (--unit)")
            return None
        return code
    if ctx.unit is not None:
        return ctx.unit.code
    ctx.error(grid, r, cols.get("unit"), "thiếu tên đơn vị — cần tên một đơn vị trong danh mục")
    return None


def _period(grid: Grid, r: int, ctx: Context, cols, cells, value_cols) -> tuple[int, Period | None] | None:
    """(year, period) of the row, checked against the period asked for (period None: a row of annual targets);
    None (with an error) when wrong."""
    year = _year(grid, r, ctx, cols)
    if year is None:
        return None
    ok, span = _span(grid, r, ctx, cols, cells)
    if not ok:
        return None
    period = Period(year, *span) if span else None
    asked = ctx.period
    if asked is not None:
        annual_targets = ctx.kind == "targets" and asked.kind == "year"
        if year != asked.year or (period is not None and period != asked and not annual_targets):
            shown = period.label if period else f"năm {year}"
            ctx.error(grid, r, cols.get("quarter", cols.get("month", cols.get("year"))),
                      f"dòng ghi {shown} nhưng kỳ được chọn là {asked.label} — hãy kiểm tra lại tệp hoặc kỳ (--period)")
            return None
        if period is None and not annual_targets and any(k == "actual" for k, _ in value_cols):
            period = asked
    return year, period


def _year(grid: Grid, r: int, ctx: Context, cols) -> int | None:
    """The row's year (empty: the one asked for); None (with an error) when missing or not a valid year."""
    year = _int_cell(grid, r, cols.get("year"))
    if year is None or isinstance(year, str):
        if year is None and ctx.year is not None:
            year = ctx.year
        else:
            ctx.error(grid, r, cols.get("year"), f"năm “{year or ''}” không hợp lệ — cần một năm như 2025")
            return None
    if not valid_year(year):
        ctx.error(grid, r, cols.get("year"), f"năm {year} không hợp lệ — cần một năm {year_range_text()}")
        return None
    return year


def _span(grid: Grid, r: int, ctx: Context, cols, cells) -> tuple[bool, tuple[int, int] | None]:
    """(ok, months) of the row: from its month cell, else its period cell ('3', 'III', 'Quý III', 'Tháng 8',
    '6 tháng đầu năm', 'H1', '9M', 'Cả năm'); None when both are empty; ok False (with an error) when unreadable
    or when the two disagree."""
    month = span = None
    if "month" in cols and not is_blank(cells["month"]):
        m = _int_cell(grid, r, cols["month"])
        if not isinstance(m, int) or not 1 <= m <= 12:
            ctx.error(grid, r, cols["month"], f"tháng “{cell_text(cells['month'])}” nằm ngoài 1–12 — cần một tháng "
                                              "từ 1 đến 12")
            return False, None
        month = (m, m)
    if "quarter" in cols and not is_blank(cells["quarter"]):
        span = _period_cell(cells["quarter"])
        if span is None:
            text = cell_text(cells["quarter"])
            what = f"quý “{text}” nằm ngoài 1–4" if fold(text).isdigit() else f"kỳ “{text}” không đọc được"
            ctx.error(grid, r, cols["quarter"], f"{what} — cần quý 1, 2, 3, 4 (hoặc I, II, III, IV), hoặc kỳ như "
                                                "“Tháng 8”, “6 tháng đầu năm”, “9 tháng”, “Cả năm”")
            return False, None
    if month and span and not (span[0] <= month[0] <= span[1]):
        ctx.error(grid, r, cols["month"], f"tháng {month[0]} không thuộc kỳ “{cell_text(cells['quarter'])}” ghi cùng "
                                          "dòng — hãy kiểm tra lại")
        return False, None
    return True, month or span


def _indicator(grid: Grid, r: int, ctx: Context, cols, cells) -> str | None:
    """The indicator the row names (a code or a name); None (with an error) when missing or unknown."""
    if "indicator" not in cols or is_blank(cells.get("indicator")):
        ctx.error(grid, r, cols.get("indicator"), "thiếu tên chỉ tiêu — cần tên một chỉ tiêu trong danh mục")
        return None
    text = cell_text(cells["indicator"])
    try:
        return text if text in ctx.registry.indicator_matcher else ctx.match_indicator(strip_item_prefix(text)).code
    except MatchError as exc:
        ctx.error(grid, r, cols["indicator"], f"{match_message(exc, 'chỉ tiêu')}"
                  + ("" if exc.ambiguous else " — cần tên một chỉ tiêu trong danh mục"))
        return None


def _values(grid: Grid, r: int, ctx: Context, cols, value_cols, unit: str, year: int, period: Period | None,
            metric: str) -> None:
    """The row's actual and target, each added when its cell holds a usable number."""
    for role, c in value_cols:
        if is_blank(grid.value(r, c)):
            if len(value_cols) == 1:
                ctx.warn(grid, r, c, f"ô trống: {ctx.unit_name(unit)} — “{ctx.indicator_name(metric)}” — không nạp")
            continue
        v = ctx.metric_value(grid, r, c, metric)
        if v is None:
            continue
        if role == "actual":
            if period is None:
                ctx.error(grid, r, cols.get("quarter", cols.get("month")), "thiếu kỳ — kết quả thực hiện cần quý "
                                                                           "(1, 2, 3, 4), tháng hoặc kỳ như “6 tháng”")
                continue
            ctx.reports_seen.add(period)
            ctx.add_value(grid, r, c, unit, period, metric, v, _weight(grid, r, ctx, cols, period))
        else:
            _target(grid, r, c, ctx, unit, year, period, metric, v)


def _target(grid: Grid, r: int, c: int, ctx: Context, unit: str, year: int, period: Period | None, metric: str,
            value: float) -> None:
    """A target of the year (no period, or the whole year), of a quarter, or per month ('04 số/tháng': a row of
    one month; kept as the year's total, per 'month')."""
    if period is None or period.kind == "year":
        ctx.add_target(grid, r, c, unit, year, None, metric, value)
    elif period.is_quarter:
        ctx.add_target(grid, r, c, unit, year, period.quarter.quarter, metric, value)
    elif period.kind == "month":
        monthly = value * 12 if ctx.indicator_kind(metric) == "count" else value
        ctx.add_target(grid, r, c, unit, year, None, metric, monthly, per="month")
    else:
        ctx.error(grid, r, c, f"kế hoạch của {period.label} không được nạp — cần kế hoạch năm, quý hoặc mỗi tháng")


def _weight(grid: Grid, r: int, ctx: Context, cols, period: Period) -> float | None:
    """The weight of a row (the files a rate is taken of), when the form has the column and the cell a number
    above 0; an error else."""
    c = cols.get("weight")
    if c is None or is_blank(grid.value(r, c)):
        return None
    try:
        w = number_at(grid, r, c)
    except CellValueError as exc:
        ctx.error(grid, r, c, f"{exc} (trọng số: số hồ sơ)")
        return None
    if w is None or w <= 0:
        ctx.error(grid, r, c, "trọng số phải lớn hơn 0 (số hồ sơ mà tỷ lệ được tính trên đó)")
        return None
    return w


def _int_cell(grid: Grid, r: int, c: int | None):
    """An integer cell; None when empty; the text itself when it is not an integer."""
    if c is None:
        return None
    v = grid.value(r, c)
    if is_blank(v):
        return None
    try:
        x = number_at(grid, r, c)
    except CellValueError:
        return cell_text(v)
    if x is None or not float(x).is_integer():
        return cell_text(v)
    return int(x)


_SHORT_CODES = {"h1": (1, 6), "h2": (7, 12), "9m": (1, 9), "6m": (1, 6), "nam": (1, 12), "ca nam": (1, 12)}


def _period_cell(v) -> tuple[int, int] | None:
    """The months a period cell names: 1–4 / I–IV / 'Quý III' (a quarter), 'Tháng 8', 'T8', 'M08', '6 tháng đầu
    năm', 'H1', '9 tháng', '9M', 'Cả năm'; None when unreadable."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        q = int(v) if float(v).is_integer() else None
        return (3 * q - 2, 3 * q) if q in (1, 2, 3, 4) else None
    f = fold(v)
    f = re.sub(r"\s*(nam|/)?\s*\d{4}$", "", f).strip()  # 'Quý III/2025': the year is the year column's
    bare = re.sub(r"^(quy|q)\s*", "", f)
    if bare in ROMAN or bare in ("1", "2", "3", "4"):
        q = ROMAN.get(bare) or int(bare)
        return 3 * q - 2, 3 * q
    if f in _SHORT_CODES:
        return _SHORT_CODES[f]
    m = re.fullmatch(r"(?:t|m)\s*0?(\d{1,2})", f)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1)), int(m.group(1))
    return span_in(f)


