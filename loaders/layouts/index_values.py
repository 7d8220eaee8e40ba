"""What every index-table reader shares: which index a table holds and for which year, where its values come from,
and how a score, a rank and an entity's name are read (with the rules of scale and lineage).

Used by the wide tables (`index_table`), their columns (`index_columns`) and the long form (`index_long`).
"""
from __future__ import annotations

import os
import re

from core.matching import MatchError
from core.periods import year_in
from core.text import fold, nfc
from loaders.files.workbook import Grid, cell_text, is_blank
from loaders.layouts.context import CellValueError, Context, fmt_number, match_message, number_at
from loaders.layouts.table import DATE_LINE_RE, Table, title_lines, titles_above
from loaders.registry.reference import ReferenceDataError
from loaders.registry.registries import split_aliases

PROVINCE_HEADER = re.compile(r"\b(tinh|dia phuong|province|tinh thanh|thanh pho)\b")
UNIT_HEADER = re.compile(r"\b(don vi|co quan|so ban nganh|so nganh|xa phuong|unit|khoi)\b")


# --- index, year, source of a sheet -------------------------------------------------------------


def find_index_code(ctx: Context, grid: Grid, table: Table | None) -> str | None:
    if ctx.index_code:
        return ctx.index_code
    texts = [t for _, _, t in titles_above(grid, table)]
    if table is not None:
        texts += [col.label for col in table.columns if col.parts]
    texts += [grid.name, os.path.splitext(os.path.basename(ctx.file_name or ""))[0].replace("_", " ")]
    for t in texts:
        code = index_in_text(ctx, t)
        if code is not None:
            return code  # the first text naming an index decides (title before header before names)
    return None


def index_in_text(ctx: Context, text: str) -> str | None:
    """The index a title names ('KẾT QUẢ CHỈ SỐ NĂNG LỰC CẠNH TRANH CẤP TỈNH (PCI) NĂM 2024' -> 'PCI'):
    the longest name, short name, code or alias standing whole in the text; None if none or a tie."""
    folded = f" {fold(text)} "
    best: dict[str, int] = {}
    for row in ctx.registry.indices:
        names = [row["code"], row.get("short_name") or "", row["name"], *split_aliases(row.get("aliases"))]
        for name in names:
            f = fold(name)
            if len(f) >= 3 and f" {f} " in folded:
                best[row["code"]] = max(best.get(row["code"], 0), len(f))
    if not best:
        return None
    top = max(best.values())
    winners = [code for code, n in best.items() if n == top]
    return winners[0] if len(winners) == 1 else None


def sheet_year(ctx: Context, grid: Grid, table: Table,
               headed: list[tuple[str, str, int]] = ()) -> tuple[int | None, str | None]:
    """(assessment year, where it was read). The argument (an error if the title names another; where = None),
    else the title (where = None: nobody needs telling), the header of a total or score column (`headed`: (text,
    column letters, year) found by the caller), the sheet name, the file name — those three named in `where`
    ("tên tệp “PCI_2014.xlsx”"), so that the user is told which."""
    for r, c, t in titles_above(grid, table):
        f = fold(t)
        if DATE_LINE_RE.search(f):
            continue
        y = year_in(f)
        if y:
            if ctx.year is not None and y != ctx.year:
                ctx.error(grid, r, c, f"tiêu đề ghi năm {y} (“{t}”) nhưng năm được chọn là {ctx.year} — hãy kiểm tra "
                                      "lại tệp hoặc kỳ (--period)")
                return None, None
            return y, None
    if ctx.year is not None:
        return ctx.year, None
    if headed:
        text, letters, y = max(headed, key=lambda h: h[2])
        return y, f"tiêu đề cột “{text}” (cột {letters})"
    for what, t in (("tên trang tính", grid.name), ("tên tệp", os.path.basename(ctx.file_name or ""))):
        y = year_in(fold(t))
        if y:
            return y, f"{what} “{t}”"
    return None, None


def default_source(ctx: Context, grid: Grid, table: Table | None) -> str:
    """'Nguồn: …' written under the table, else the title and the file name."""
    for r in range(table.first_body_row if table else 0, grid.nrows):
        for c, v in enumerate(grid.row(r)):
            t = cell_text(v)
            m = re.match(r"^\W*(nguồn|nguon)(\s+số liệu|\s+so lieu)?\s*[:\-–]\s*(.+)$", t, re.I)
            if m and m.group(3).strip():
                return m.group(3).strip()
    titles = [t for _, _, t in title_lines(grid, table.header_rows[0] if table else 0)
              if len(t) > 15 and not DATE_LINE_RE.search(fold(t))]
    title = next((t for t in titles if re.search(r"\b(chi so|xep hang|ket qua|index|diem)\b", fold(t))), None)
    base = os.path.basename(ctx.file_name or "")
    where = f"tệp {base}, trang “{grid.name}”" if base else f"trang “{grid.name}”"
    return f"{title} ({where})" if title else where


# --- values -------------------------------------------------------------------------------------


def index_scale(ctx: Context, index_code: str) -> tuple[float, float]:
    row = next((i for i in ctx.registry.indices if i["code"] == index_code), None)
    if row is None:
        return 0.0, float("inf")
    return float(row.get("scale_min") or 0), float(row.get("scale_max") or float("inf"))


def score_at(ctx: Context, grid: Grid, r: int, c: int, index_code: str, component: str | None) -> tuple[bool, float | None]:
    """(ok, score). Percent-formatted cells on a 0–100 scale are read as Excel shows them."""
    try:
        x = number_at(grid, r, c)
    except CellValueError as exc:
        ctx.error(grid, r, c, f"{exc} (điểm)", cause="ô điểm không phải là số", detail=grid.text(r, c))
        return False, None
    if x is None:
        return True, None
    lo, hi = index_scale(ctx, index_code)
    if grid.is_percent(r, c) and hi >= 100 and 0 <= x <= 1:
        x = round(x * 100, 10)
    if component is None:
        if not lo - 1e-9 <= x <= hi + 1e-9:
            ctx.error(grid, r, c, f"điểm {fmt_number(x)} nằm ngoài thang điểm {fmt_number(lo)}–{fmt_number(hi)} của "
                                  f"{index_code} — hãy kiểm tra lại", cause="điểm ngoài thang điểm",
                      detail=fmt_number(x))
            return False, None
    elif x < 0 or x > hi + 1e-9:
        ctx.error(grid, r, c, f"điểm thành phần {fmt_number(x)} nằm ngoài 0–{fmt_number(hi)} của {index_code}",
                  cause="điểm thành phần ngoài thang điểm", detail=fmt_number(x))
        return False, None
    return True, x


_RANK_RE = re.compile(r"^\s*(?:hạng|hang|thứ|thu)?\s*(\d{1,4})\s*(?:/\s*(\d{1,4}))?\s*$", re.I)


def rank_at(ctx: Context, grid: Grid, r: int, c: int) -> tuple[bool, int | None, int | None]:
    """(ok, rank, rank_of): 12, '12', '12/63' ('39/61')."""
    v = grid.value(r, c)
    if is_blank(v):
        return True, None, None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if float(v).is_integer() and v >= 1:
            return True, int(v), None
    else:
        m = _RANK_RE.match(nfc(v))
        if m and int(m.group(1)) >= 1:
            return True, int(m.group(1)), int(m.group(2)) if m.group(2) else None
        t = fold(v)
        if t in ("-", "", "x"):
            return True, None, None
    ctx.error(grid, r, c, f"xếp hạng “{cell_text(v)}” không hợp lệ — cần một số nguyên dương (ví dụ 12 hoặc 12/63)",
              cause="xếp hạng không hợp lệ", detail=cell_text(v))
    return False, None, None


# --- entities ------------------------------------------------------------------------------------


def resolve_entity(ctx: Context, grid: Grid, r: int, c: int, name: str, year: int, prefer: str, hint: str,
                   has_values: bool) -> str | None:
    """The entity a row's name stands for in `year` (a province or a unit, `prefer` tried first); None with an
    error (unknown name with values, a province that no longer existed) or a warning (unknown, no values)."""
    order = ["province", "unit"] if prefer == "province" else ["unit", "province"]
    first_exc = None
    for which in order:
        try:
            if which == "province":
                return ctx.entities.province(name, year, hint)
            return ctx.entities.unit(name)
        except ReferenceDataError as exc:
            ctx.error(grid, r, c, f"“{name}”: {exc}", cause="tỉnh không còn tồn tại trong năm đánh giá")
            return None
        except MatchError as exc:
            if exc.ambiguous:
                ctx.error(grid, r, c, match_message(exc, "tỉnh" if which == "province" else "đơn vị"))
                return None
            first_exc = first_exc or (which, exc)
    which, exc = first_exc
    if has_values:
        what = "tỉnh/thành phố" if which == "province" else "đơn vị"
        ctx.error(grid, r, c, f"{match_message(exc, what)} — cần tên một {what} trong danh mục",
                  cause=f"tên {what} không có trong danh mục", detail=name)
    else:
        ctx.warn(grid, r, c, f"bỏ qua dòng “{name}”: không khớp tỉnh/đơn vị nào và không có số liệu")
    return None
