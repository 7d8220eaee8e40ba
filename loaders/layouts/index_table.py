"""Index results: entities (provinces, or units for internal indices) with score, rank and components.

Wide, as ministries, VCCI and UNDP publish:
    STT | Tỉnh, thành phố | Điểm | Xếp hạng | Gia nhập thị trường | Tiếp cận đất đai | …
(components may carry a child row "Điểm" | "Hạng"); and long, as data/reference/*.csv:
    index,year,province,score,rank,component,source_url_or_citation
Entity names resolve through `loaders.layouts.entities` (`Context.entities`).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from core.matching import MatchError
from core.periods import year_in
from core.rules import valid_year, year_range_text
from core.text import fold, nfc
from loaders.files.workbook import Grid, cell_text, is_blank, is_number_like
from loaders.layouts.context import (
    CellValueError,
    Context,
    fmt_number,
    letter,
    looks_like_name,
    match_message,
    number_at,
)
from loaders.layouts.table import (
    DATE_LINE_RE,
    Column,
    RowKind,
    Table,
    body_hits,
    classify_row,
    is_entity_header,
    name_column,
    strip_item_prefix,
    title_lines,
    titles_above,
)
from loaders.registry.reference import ReferenceDataError, split_note
from loaders.registry.registries import split_aliases
from loaders.store.batches import IndexRow, IndexTargetRow

LAYOUT = "index_table"
_PROVINCE_HEADER = re.compile(r"\b(tinh|dia phuong|province|tinh thanh|thanh pho)\b")
_UNIT_HEADER = re.compile(r"\b(don vi|co quan|so ban nganh|so nganh|xa phuong|unit|khoi)\b")


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


def sheet_year(ctx: Context, grid: Grid, table: Table) -> int | None:
    """The assessment year: the argument (an error if the title names another), else the title, the
    header, the sheet or file name."""
    for r, c, t in titles_above(grid, table):
        f = fold(t)
        if DATE_LINE_RE.search(f):
            continue
        y = year_in(f)
        if y:
            if ctx.year is not None and y != ctx.year:
                ctx.error(grid, r, c, f"tiêu đề ghi năm {y} (“{t}”) nhưng năm được chọn là {ctx.year} — hãy kiểm tra "
                                      "lại tệp hoặc kỳ (--period)")
                return None
            return y
    if ctx.year is not None:
        return ctx.year
    years = [col.year for col in table.columns if col.year and col.has("score", "rank", "actual")]
    if years:
        return max(years)
    for t in (grid.name, os.path.basename(ctx.file_name or "")):
        y = year_in(fold(t))
        if y:
            return y
    return None


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
    base = os.path.basename(ctx.file_name or "") or grid.name
    return f"{title} (tệp {base})" if title else f"tệp {base}"


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
        ctx.error(grid, r, c, f"{exc} (điểm)")
        return False, None
    if x is None:
        return True, None
    lo, hi = index_scale(ctx, index_code)
    if grid.is_percent(r, c) and hi >= 100 and 0 <= x <= 1:
        x = round(x * 100, 10)
    if component is None:
        if not lo - 1e-9 <= x <= hi + 1e-9:
            ctx.error(grid, r, c, f"điểm {fmt_number(x)} nằm ngoài thang điểm {fmt_number(lo)}–{fmt_number(hi)} của "
                                  f"{index_code} — hãy kiểm tra lại")
            return False, None
    elif x < 0 or x > hi + 1e-9:
        ctx.error(grid, r, c, f"điểm thành phần {fmt_number(x)} nằm ngoài 0–{fmt_number(hi)} của {index_code}")
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
    ctx.error(grid, r, c, f"xếp hạng “{cell_text(v)}” không hợp lệ — cần một số nguyên dương (ví dụ 12 hoặc 12/63)")
    return False, None, None


# --- wide tables --------------------------------------------------------------------------------


@dataclass
class IndexColumn:
    col: Column
    component: str | None
    measure: str  # 'score' | 'rank'
    target: bool = False
    twin_of: "IndexColumn | None" = None  # another column holding the same value


def entity_column(grid: Grid, table: Table, ctx: Context) -> int | None:
    """The column naming the provinces or units: headed 'Tỉnh, thành phố' / 'Đơn vị'..., else the column whose
    body cells name the most of them."""
    return name_column(table, is_entity_header, lambda c: _entity_hits(grid, table, ctx, c))


def _entity_hits(grid: Grid, table: Table, ctx: Context, c: int, which: str = "both") -> int:
    """How many sampled body cells of column c name a province or a unit (`which`: both, province, unit)."""
    return body_hits(grid, table, c, lambda t: _names_entity(ctx, t, which), longest=120)


def _names_entity(ctx: Context, text: str, which: str) -> bool:
    """Does `text` name a province (`which` both / province) or a unit (both / unit)?"""
    if which in ("both", "province"):
        try:
            ctx.entities.province_matcher.match(split_note(text)[0])
            return True
        except MatchError:
            pass
    return which in ("both", "unit") and ctx.probe("unit", text)


def _score_columns(grid: Grid, table: Table, ctx: Context, index_code: str | None, entity_c: int, report: bool):
    """The score/rank columns of a wide table (report=True: say which columns are skipped and why)."""
    out: list[IndexColumn] = []
    head_r = table.header_rows[-1]
    for col in table.columns:
        if col.index == entity_c or col.empty or col.has("stt", "note", "grade", "compare", "ytd", "uom"):
            continue
        measure = "rank" if col.has("rank") else "score" if col.has("score", "actual", "value") else None
        component = None
        if col.names:
            named = None
            for name in col.names:
                code = index_in_text(ctx, name)  # "Điểm PCI 2024", "Chỉ số SIPAS": the total
                if code is not None:
                    named = ("index", code)
                    break
                if index_code:
                    try:
                        named = ("component", ctx.match_component(index_code, strip_item_prefix(name)).code)
                        break
                    except MatchError:
                        pass
            if named is None:
                if report and any(is_number_like(grid.value(r, col.index))
                                  for r in range(table.first_body_row, min(grid.nrows, table.first_body_row + 50))):
                    ctx.warn(grid, head_r, col.index, f"bỏ qua cột “{col.label}”: không phải điểm tổng, xếp hạng "
                                                      f"hay tên một thành phần của {index_code or 'chỉ số'}")
                continue
            if named[0] == "index":
                if index_code and named[1] != index_code:
                    if report:
                        ctx.warn(grid, head_r, col.index, f"bỏ qua cột “{col.label}”: thuộc chỉ số {named[1]}")
                    continue
            else:
                component = named[1]
            measure = measure or "score"
        if measure is None:
            continue
        out.append(IndexColumn(col, component, measure, target=col.has("plan")))
    return out


def detect(grid: Grid, table: Table, ctx: Context) -> float:
    """How well the sheet fits this layout (0: not at all)."""
    entity_c = entity_column(grid, table, ctx)
    if entity_c is None:
        return 0.0
    index_code = find_index_code(ctx, grid, table)
    cols = _score_columns(grid, table, ctx, index_code, entity_c, report=False)
    if not cols:
        return 0.0
    roles = sum(1 for c in cols if c.col.has("score", "rank"))
    comps = sum(1 for c in cols if c.component)
    if roles == 0 and comps == 0:
        return 0.0
    hits = _entity_hits(grid, table, ctx, entity_c)
    return (2 * roles + comps + hits) if hits else 0.0


def parse(grid: Grid, table: Table, ctx: Context) -> None:
    """A wide index table: what it rates (entity column, index) -> its year -> its columns -> its rows."""
    subject = _subject(grid, table, ctx)
    if subject is None:
        return
    entity_c, index_code = subject
    year = _year(grid, table, ctx)
    if year is None:
        return
    cols = _value_columns(grid, table, ctx, index_code, entity_c, year)
    if cols:
        _rows(grid, table, ctx, entity_c, cols, index_code, year)


def _subject(grid: Grid, table: Table, ctx: Context) -> tuple[int, str] | None:
    """(entity column, index code) of the table; None (with an error) when either is not found."""
    entity_c = entity_column(grid, table, ctx)
    if entity_c is None:
        ctx.error(grid, table.header_rows[-1], None, "không tìm thấy cột tên tỉnh/đơn vị (“Tỉnh, thành phố”, “Đơn vị”)")
        return None
    index_code = find_index_code(ctx, grid, table)
    if index_code is None:
        names = ", ".join(i["code"] for i in ctx.registry.indices)
        ctx.error(grid, None, None, f"không xác định được bảng này là chỉ số nào ({names}) — hãy ghi tên chỉ số trong "
                                    "tiêu đề (ví dụ “Kết quả Chỉ số PCI năm 2024”) hoặc chọn --index")
        return None
    return entity_c, index_code


def _year(grid: Grid, table: Table, ctx: Context) -> int | None:
    """The assessment year; None (with an error) when the title contradicts the argument or nothing names it."""
    before = len(ctx.problems.errors)
    year = sheet_year(ctx, grid, table)
    if len(ctx.problems.errors) > before:
        return None
    if year is None:
        ctx.error(grid, None, None, "không xác định được năm của kết quả chỉ số — hãy ghi năm trong tiêu đề (ví dụ "
                                    "“năm 2024”) hoặc chọn --period 2024")
    return year


def _value_columns(grid: Grid, table: Table, ctx: Context, index_code: str, entity_c: int,
                   year: int) -> list[IndexColumn]:
    """The score/rank columns of the year, twins (two columns of one value) marked; [] (with an error) if none."""
    head_r = table.header_rows[-1]
    kept, seen = [], {}
    for ic in _score_columns(grid, table, ctx, index_code, entity_c, report=True):
        if ic.col.year is not None and ic.col.year != year:
            ctx.warn(grid, head_r, ic.col.index, f"bỏ qua cột “{ic.col.label}”: không thuộc năm {year}")
            continue
        key = (ic.component, ic.measure, ic.target)
        if key in seen:
            # "Tổng điểm đạt được" beside "Chỉ số (%)": two columns for one value; each row must agree
            ic.twin_of = seen[key]
        else:
            seen[key] = ic
        kept.append(ic)
    if not kept:
        ctx.error(grid, head_r, None, "không tìm thấy cột điểm hoặc xếp hạng (“Điểm”, “Xếp hạng”, tên các chỉ số thành phần)")
    return kept


def _prefer(grid: Grid, table: Table, ctx: Context, entity_c: int) -> str:
    """Whether the entity column names provinces or units first: its header, else its body."""
    header = fold(table.columns[entity_c].label)
    prefer = "province" if _PROVINCE_HEADER.search(header) else "unit" if _UNIT_HEADER.search(header) else None
    if prefer is None:
        prefer = "unit" if _entity_hits(grid, table, ctx, entity_c, "unit") > _entity_hits(
            grid, table, ctx, entity_c, "province") else "province"
    return prefer


def _rows(grid: Grid, table: Table, ctx: Context, entity_c: int, cols: list[IndexColumn], index_code: str,
          year: int) -> None:
    """Every body row up to the signature: one entity's score and rank (and components) per data row."""
    prefer = _prefer(grid, table, ctx, entity_c)
    titles = " ".join(t for _, _, t in titles_above(grid, table))
    hint = "34-province" if re.search(r"\b34 (tinh|dia phuong)\b", fold(titles)) else ""
    source = default_source(ctx, grid, table)
    stt_c = table.stt_column
    value_cols = [ic.col.index for ic in cols]
    for r in range(table.first_body_row, grid.nrows):
        kind = classify_row(grid, r, [entity_c], stt_c)
        if kind is RowKind.SIGNATURE:
            break
        if kind is not RowKind.DATA:
            if kind in (RowKind.TOTAL, RowKind.SECTION) and any(not is_blank(grid.value(r, c)) for c in value_cols):
                ctx.warn(grid, r, entity_c, f"bỏ qua dòng “{grid.text(r, entity_c) or grid.text(r, stt_c)}” "
                                            f"({'dòng tổng/trung bình' if kind is RowKind.TOTAL else 'tiêu đề nhóm'})")
            continue
        raw = grid.text(r, entity_c)
        name = strip_item_prefix(raw)
        has_values = any(not is_blank(grid.value(r, c)) for c in value_cols)
        if not looks_like_name(name):
            if has_values:
                ctx.error(grid, r, entity_c, "dòng có số liệu nhưng không có tên tỉnh/đơn vị")
            continue
        entity = resolve_entity(ctx, grid, r, entity_c, name, year, prefer, hint, has_values)
        if entity is None:
            continue
        _row_values(ctx, grid, r, cols, index_code, year, entity, source, raw)


def resolve_entity(ctx: Context, grid: Grid, r: int, c: int, name: str, year: int, prefer: str, hint: str,
                   has_values: bool) -> str | None:
    order = ["province", "unit"] if prefer == "province" else ["unit", "province"]
    first_exc = None
    for which in order:
        try:
            if which == "province":
                return ctx.entities.province(name, year, hint)
            return ctx.entities.unit(name)
        except ReferenceDataError as exc:
            ctx.error(grid, r, c, f"“{name}”: {exc}")
            return None
        except MatchError as exc:
            if exc.ambiguous:
                ctx.error(grid, r, c, match_message(exc, "tỉnh" if which == "province" else "đơn vị"))
                return None
            first_exc = first_exc or (which, exc)
    which, exc = first_exc
    if has_values:
        what = "tỉnh/thành phố" if which == "province" else "đơn vị"
        ctx.error(grid, r, c, f"{match_message(exc, what)} — cần tên một {what} trong danh mục")
    else:
        ctx.warn(grid, r, c, f"bỏ qua dòng “{name}”: không khớp tỉnh/đơn vị nào và không có số liệu")
    return None


def _row_values(ctx, grid, r, cols: list[IndexColumn], index_code, year, entity, source, raw) -> None:
    by_comp: dict[tuple, dict] = {}
    for ic in cols:
        c = ic.col.index
        slot = by_comp.setdefault((ic.component, ic.target), {"score": None, "rank": None, "rank_of": None, "col": None})
        if ic.twin_of is not None:
            if ic.measure == "rank":
                ok, value, _ = rank_at(ctx, grid, r, c)
            else:
                ok, value = score_at(ctx, grid, r, c, index_code, ic.component)
            first = slot[ic.measure]
            if ok and value is not None and first is not None and abs(value - first) > 0.0051:
                ctx.error(grid, r, c, f"cột “{ic.col.label}” ghi {fmt_number(value)} nhưng cột “{ic.twin_of.col.label}” "
                                      f"ghi {fmt_number(first)} cho cùng một giá trị — hãy kiểm tra lại")
                slot["bad"] = True
            elif ok and first is None and value is not None:
                slot[ic.measure] = value
                slot["col"] = slot["col"] if slot["col"] is not None else c
            continue
        if ic.measure == "rank":
            ok, rank, rank_of = rank_at(ctx, grid, r, c)
            slot["rank"], slot["rank_of"] = rank, rank_of
        else:
            ok, score = score_at(ctx, grid, r, c, index_code, ic.component)
            slot["score"] = score
            slot["col"] = c
        if not ok:
            slot["bad"] = True
    for (component, target), v in by_comp.items():
        if v.get("bad"):
            continue
        if v["score"] is None and v["rank"] is None:
            if component is None and not target:
                ctx.warn(grid, r, None, f"“{raw}”: không có điểm và xếp hạng — không nạp")
            continue
        if target:
            ctx.add_index_target(IndexTargetRow(index_code, year, entity, component, v["score"], v["rank"], source))
            continue
        label = f"{index_code} {year} — {raw}" + (f" — {ctx.registry.component_matcher(index_code).name_of(component)}"
                                                   if component else "")
        c = v["col"] if v["col"] is not None else next(ic.col.index for ic in cols if ic.component == component)
        ctx.add_index(grid, r, c, IndexRow(index_code, year, entity, component, v["score"], v["rank"], v["rank_of"],
                                           source, None, grid.name, r + 1, letter(c)), label)


# --- long form ----------------------------------------------------------------------------------


def parse_long(grid: Grid, table: Table, ctx: Context, cols: dict[str, int]) -> None:
    """One row per index × year × entity × component (the reference CSV form and the indices template)."""
    sources = _Sources(default_source(ctx, grid, table))
    if not _long_columns(grid, table, ctx, cols):
        return
    for r in range(table.first_body_row, grid.nrows):
        cells = {k: grid.value(r, c) for k, c in cols.items()}
        if all(is_blank(v) for v in cells.values()):
            continue
        if classify_row(grid, r, [cols["entity"]]) in (RowKind.TOTAL, RowKind.NOTE, RowKind.SIGNATURE):
            continue
        _long_row(grid, table, ctx, r, cols, cells, sources)


def _long_columns(grid: Grid, table: Table, ctx: Context, cols: dict[str, int]) -> bool:
    """True when the long form has its year, entity and score or rank columns; else False, with an error."""
    head_r = table.header_rows[-1]
    for need in ("year", "entity"):
        if need not in cols:
            ctx.error(grid, head_r, None, f"thiếu cột “{ {'year': 'Năm', 'entity': 'Tỉnh/đơn vị'}[need] }”")
            return False
    if "score" not in cols and "rank" not in cols:
        ctx.error(grid, head_r, None, "thiếu cột “Điểm” hoặc “Xếp hạng”")
        return False
    return True


def _long_row(grid: Grid, table: Table, ctx: Context, r: int, cols: dict[str, int], cells: dict,
              sources: "_Sources") -> None:
    """One long-form row: index -> year -> source -> entity and component -> score and rank."""
    index_code = _long_index(grid, r, ctx, cols, cells)
    if index_code is None:
        return
    year = _year_cell(ctx, grid, r, cols["year"])
    if year is None:
        return
    source = sources.of(ctx, grid, r, cols, cells)
    named = _long_entity(grid, table, ctx, r, cols, cells, index_code, year, source)
    if named is None:
        return
    entity, component, note = named
    values = _long_scores(grid, r, ctx, cols, index_code, component)
    if values is None:
        return
    score, rank, rank_of = values
    if "note" in cols and not is_blank(cells.get("note")):
        note = "; ".join(x for x in (note, cell_text(cells["note"])) if x)
    c_val = cols.get("score", cols.get("rank"))
    comp_text = cell_text(cells.get("component")) if "component" in cols else ""
    label = f"{index_code} {year} — {cell_text(cells.get('entity'))}" + (f" — {comp_text}" if comp_text else "")
    ctx.add_index(grid, r, c_val, IndexRow(index_code, year, entity, component, score, rank, rank_of, source, note,
                                           grid.name, r + 1, letter(c_val)), label)


def _long_index(grid: Grid, r: int, ctx: Context, cols: dict[str, int], cells: dict) -> str | None:
    """The index the row names, else the one asked for; None (with an error) when unknown or missing."""
    index_code = ctx.index_code
    if "index" in cols and not is_blank(cells["index"]):
        try:
            index_code = ctx.match_index(split_note(cell_text(cells["index"]))[0]).code
        except MatchError as exc:
            ctx.error(grid, r, cols["index"], f"{match_message(exc, 'chỉ số')} — cần PAR, SIPAS, PAPI, PCI, DTI "
                                              "hoặc DDCI")
            return None
    if index_code is None:
        ctx.error(grid, r, cols.get("index"), "thiếu tên chỉ số (PAR, SIPAS, PAPI, PCI, DTI, DDCI)")
    return index_code


@dataclass
class _Sources:
    """The source of each long-form row: its own cell ('như trên' / 'same as above': the last one given), else
    the sheet's default (said once)."""

    default: str
    last: str | None = None
    warned: bool = False

    def of(self, ctx: Context, grid: Grid, r: int, cols: dict[str, int], cells: dict) -> str:
        """The source of row r."""
        source = None
        if "source" in cols:
            source = cell_text(cells["source"]) or None
            if source and fold(source).startswith("same as above"):
                source = (self.last + source[len("same as above"):]) if self.last else source
            if source and fold(source).startswith(("nhu tren", "nhu dong tren")) and self.last:
                source = self.last
            self.last = source or self.last
        if not source:
            source = self.default
            if not self.warned:
                ctx.warn(grid, r, cols.get("source"), f"dòng không ghi nguồn — ghi nguồn là “{self.default}”")
                self.warned = True
        return source


def _long_entity(grid: Grid, table: Table, ctx: Context, r: int, cols: dict[str, int], cells: dict,
                 index_code: str, year: int, source: str) -> tuple[str, str | None, str | None] | None:
    """(entity, component, note) of a long-form row: a unit ('unit: …'), a group average or a province with
    its component; None (with an error or a warning) when one is not known."""
    entity_text = cell_text(cells.get("entity"))
    comp_text = cell_text(cells.get("component")) if "component" in cols else ""
    c_comp = cols.get("component")
    if fold(comp_text).startswith("unit"):
        entity = _long_unit(grid, r, ctx, c_comp, entity_text, comp_text)
        return None if entity is None else (entity, None, split_note(comp_text.split(":", 1)[1])[1])
    if fold(comp_text).startswith("group average"):
        entity = ctx.entities.group(entity_text, comp_text)
        if entity is None:
            ctx.warn(grid, r, c_comp, f"bỏ qua dòng trung bình nhóm “{comp_text}”")
            return None
        return entity, None, None
    if not looks_like_name(entity_text):
        ctx.error(grid, r, cols["entity"], "thiếu tên tỉnh/đơn vị")
        return None
    header = fold(table.columns[cols["entity"]].label)
    prefer = "unit" if _UNIT_HEADER.search(header) and not _PROVINCE_HEADER.search(header) else "province"
    entity = resolve_entity(ctx, grid, r, cols["entity"], entity_text, year, prefer, source or "", True)
    if entity is None:
        return None
    if not comp_text:
        return entity, None, None
    component = _long_component(grid, r, ctx, c_comp, index_code, comp_text)
    return None if component is None else (entity, *component)


def _long_unit(grid: Grid, r: int, ctx: Context, c: int | None, entity_text: str, comp_text: str) -> str | None:
    """The unit a 'unit: Sở …' component names; None (with an error) when it is not one of the dashboard's."""
    try:
        return ctx.entities.reference_unit(entity_text, comp_text)
    except MatchError as exc:
        home = ctx.entities.resolver.home
        if entity_text and not ctx.entities.resolver.is_home(entity_text):
            unit_name = split_note(comp_text.split(":", 1)[1])[0]
            ctx.error(grid, r, c, f"đơn vị “{unit_name}” của tỉnh {entity_text} không thuộc danh mục "
                                  f"đơn vị của dashboard (tỉnh {home}) — chỉ nạp được đơn vị của {home}")
        else:
            ctx.error(grid, r, c, f"{match_message(exc, 'đơn vị')} — cần tên một đơn vị trong danh mục")
        return None


def _long_component(grid: Grid, r: int, ctx: Context, c: int | None, index_code: str,
                    comp_text: str) -> tuple[str, str | None] | None:
    """(component code, note) of 'Gia nhập thị trường / Market entry (note)'; None (with an error) if unknown."""
    name, note = split_note(comp_text.split(" / ")[0])
    try:
        return ctx.match_component(index_code, name).code, note
    except MatchError:
        try:
            return ctx.match_component(index_code, comp_text).code, note
        except MatchError as exc:
            ctx.error(grid, r, c, f"{match_message(exc, f'thành phần của {index_code}')}")
            return None


def _long_scores(grid: Grid, r: int, ctx: Context, cols: dict[str, int], index_code: str,
                 component: str | None) -> tuple[float | None, int | None, int | None] | None:
    """(score, rank, rank_of) of a long-form row; None (reported) when a cell is wrong or both are empty."""
    ok_s, score = (True, None)
    if "score" in cols:
        ok_s, score = score_at(ctx, grid, r, cols["score"], index_code, component)
    ok_r, rank, rank_of = (True, None, None)
    if "rank" in cols:
        ok_r, rank, rank_of = rank_at(ctx, grid, r, cols["rank"])
    if "rank_of" in cols and rank_of is None:
        ok_o, rank_of, _ = rank_at(ctx, grid, r, cols["rank_of"])
        ok_r = ok_r and ok_o
    if not (ok_s and ok_r):
        return None
    if score is None and rank is None:
        ctx.warn(grid, r, cols.get("score", cols.get("rank")), "không có điểm và xếp hạng — không nạp")
        return None
    return score, rank, rank_of


def _year_cell(ctx: Context, grid: Grid, r: int, c: int) -> int | None:
    v = grid.value(r, c)
    if is_blank(v):
        if ctx.year is not None:
            return ctx.year
        ctx.error(grid, r, c, "thiếu năm — cần năm đánh giá (ví dụ 2024)")
        return None
    try:
        y = number_at(grid, r, c)
    except CellValueError:
        y = year_in(fold(cell_text(v)))
    if y is None or not valid_year(y):
        ctx.error(grid, r, c, f"năm “{cell_text(v)}” không hợp lệ — cần một năm {year_range_text()} (ví dụ 2024)")
        return None
    return int(y)


__all__ = ["LAYOUT", "detect", "parse", "parse_long", "find_index_code"]
