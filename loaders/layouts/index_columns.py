"""The columns of a wide index table: which columns name the rows, which hold the scores and ranks of what.

Publishers lay results out in three ways, all read here:
- one column of names, then the total, the rank and the components across (ministries, DDCI, VCCI 2005–2007):
      STT | Tỉnh, thành phố | Điểm | Xếp hạng | Gia nhập thị trường | …
- (name, score) pairs side by side, each pair sorted on its own (VCCI's summary sheets since 2008):
      Thứ tự | Tỉnh | Gia nhập thị trường | Tỉnh | Tiếp cận đất đai | … | Tỉnh | PCI 2016 | Xếp hạng
  a value belongs to the name in its own pair: the name column nearest on its left, never the first one;
- the detail sheet of one component: its score column beside the raw indicators it is computed from (days, %,
  counts, survey codes), which are not scores — nor is an id column ("Mã PCI", "PCI ID").
Headers come in one or two rows (English over Vietnamese), with merged parents (a dimension over its "Điểm" and
"Hạng"), numbered ("Chỉ số 1: …", "Dimension 1: …"). A sub-dimension beside or under its dimension (PAPI) is
skipped, never read as a dimension: a component is named whole, by its name or a registry alias.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.matching import MatchError
from core.periods import YEAR_RE, year_in
from core.text import fold, nfc
from loaders.files.workbook import Grid, is_blank, is_number_like
from loaders.layouts.context import Context, number_at
from loaders.layouts.index_values import find_index_code, index_in_text, sheet_year
from loaders.layouts.table import (
    Column,
    Table,
    body_hits,
    interpret_columns,
    interpret_part,
    is_entity_header,
    is_numbering_row,
    title_lines,
)
from loaders.registry.reference import split_note

# What a header part says once index names and years are taken out (folded text).
_GRADE = re.compile(r"^(nhom|nhom xep hang|xep loai|phan loai|tier|hang muc|nhom hang|xep nhom|muc xep hang"
                    r"|nhom xep loai|grade)$")
_RANK = re.compile(r"^(xep hang|thu hang|hang|ranking|rank|vi tri|vi tri xep hang|xep thu|xep hang chung)$")
_ORDER = re.compile(r"^(stt|tt|so tt|thu tu|so thu tu|no|order|#)$")
_ID = re.compile(r"^(ma|ma pci|ma tinh|ma so|pci id|id|ma dvhc|code|province code|province id|ma don vi)$")
_UNWEIGHTED = re.compile(r"\b(chua co trong so|khong co trong so|khong trong so|chua trong so|unweighted)\b")
_WEIGHTED = re.compile(r"\b(co trong so|weighted)\b")
_SCORE = re.compile(r"^(diem|diem so|tong diem|tong diem dat duoc|diem tong hop|tong|total|score|total score"
                    r"|gia tri|gia tri chi so|chi so|ket qua|diem dat duoc)$")
# "Chỉ số thành phần 1: …", "Điểm chỉ số: …", "Chỉ số 1_ …", "Sub-index 3", "sub1_entry": a component's own score
_SUBINDEX = re.compile(r"^(diem chi so|(diem )?chi so thanh phan|chi so ?\d+|sub ?index|sub\d+|subindex)\b")
# the numbering in front of a component's name: "Chỉ số 1:", "Dimension 2:", "Trụ cột 1 -", "D3."
_PREFIX = re.compile(r"^((diem )?chi so( noi dung| thanh phan)?|dimension|sub ?index|linh vuc|tru cot|pillar"
                     r"|noi dung|d)( ?\d+)?\b ?")
# a sub-dimension: "1.1 Tri thức công dân", "Sub-dimension 2.3", "Nội dung thành phần 3"
_SUBDIM_NUMBER = re.compile(r"^\s*\d+\.\d+\b(?!\s*[+])")
_SUBDIM_WORDS = re.compile(r"^(sub ?dimension|noi dung thanh phan|chi so noi dung thanh phan|tieu chi thanh phan)\b")
_SKIPPED_ROLES = ("note", "compare", "ytd", "uom")
# The words that may stand beside an index's name in the header of its total: "Chỉ số PCI cuối cùng", "Điểm PAPI",
# "PCI 2016", "Weighted PCI"; "Câu hỏi điều tra PCI: C4" (a survey question) is not a total.
_TOTAL_WORDS = frozenset("chi so diem tong hop ket qua cuoi cung chung final overall total score index composite "
                         "chinh thuc nam year co trong da weighted gia tri dat duoc".split())


@dataclass
class Part:
    """What one header text says."""

    kind: str  # total | component | rank | grade | order | id | score | weighted | unweighted | subdim | name | neutral
    code: str | None = None  # the index (total) or the component
    subindex: bool = False  # written as a component's own score ("Chỉ số thành phần 1", "Điểm chỉ số: …")
    text: str = ""


@dataclass
class ValueColumn:
    col: Column
    component: str | None  # None: the index total
    measure: str  # 'score' | 'rank'
    target: bool = False
    name_col: int | None = None  # the column naming this column's rows
    twin_of: "ValueColumn | None" = None  # another column holding the same value (each row must agree)
    unweighted: bool = False


@dataclass
class ColumnPlan:
    """How to read a wide index table."""

    table: Table  # the header block as the index reader sees it (a second row of codes belongs to it)
    index_code: str
    year: int
    name_cols: list[int]  # one, or one per (name, value) pair
    order_col: int | None  # 'Thứ tự': the row's place in every pair
    values: list[ValueColumn]
    detail_of: str | None = None  # a detail sheet: the one component it details
    raw: list[Column] = field(default_factory=list)  # a detail sheet's raw indicator columns (not loaded)

    @property
    def paired(self) -> bool:
        return len(self.name_cols) > 1

    def bound(self, vc: ValueColumn) -> int:
        return vc.name_col if vc.name_col is not None else self.name_cols[0]


# --- one header text ----------------------------------------------------------------------------


def read_part(ctx: Context, text: str, index_code: str | None, year: int | None) -> Part:
    """What one header text says about its column."""
    f = fold(text)
    code = index_in_text(ctx, text)
    base = fold(split_note(text)[0]) or f
    rest = " ".join(YEAR_RE.sub(" ", _strip_index_names(ctx, base) if code else base).split())
    if _GRADE.match(rest):
        return Part("grade", text=text)
    if _RANK.match(rest) or (code and re.search(r"\b(ranking|rank|xep hang)\b", rest)):
        return Part("rank", code, text=text)
    if _ORDER.match(rest):
        return Part("order", text=text)
    if _ID.match(rest):
        return Part("id", text=text)
    if _UNWEIGHTED.search(f):
        return Part("unweighted", code, text=text)
    if code and set(rest.split()) <= _TOTAL_WORDS:
        return Part("total", code, text=text)
    if _WEIGHTED.search(f) and not rest.replace("co trong so", "").replace("weighted", "").strip(" ()"):
        return Part("weighted", text=text)
    if _SUBDIM_WORDS.match(f) or _SUBDIM_NUMBER.match(text):
        return Part("subdim", text=text)
    subindex = bool(_SUBINDEX.match(f))
    if _SCORE.match(rest.replace(" %", "").strip()) and not subindex:
        return Part("score", text=text)
    if index_code is None:
        return Part("name" if rest else "neutral", subindex=subindex, text=text)
    component = component_named(ctx, index_code, text, year)
    if component is not None:
        return Part("component", component, subindex=subindex, text=text)
    bare = _PREFIX.sub("", f).strip()
    if not bare or not re.search(r"[a-z]{2}", bare) or bare.startswith(("nhom chi tieu", "chi tieu")):
        return Part("neutral", subindex=subindex, text=text)  # a number alone, a formula: names nothing
    return Part("name", subindex=subindex, text=text)


def _strip_index_names(ctx: Context, folded: str) -> str:
    out = f" {folded} "
    for row in ctx.registry.indices:
        for name in (row["code"], row.get("short_name") or "", row["name"]):
            n = fold(name)
            if n:
                out = out.replace(f" {n} ", " ")
    return " ".join(out.split())


def component_named(ctx: Context, index_code: str, text: str, year: int | None) -> str | None:
    """The component a header text names whole ("Chỉ số 2: Tiếp cận đất đai", "Đào tạo lao động (%)"), among
    those of `year`'s methodology; None when it names none, or two."""
    base = split_note(text)[0]
    candidates = [text, base]
    for t in (text, base):
        f = fold(t)
        stripped = _PREFIX.sub("", f, count=1).strip()
        if stripped and stripped != f:
            candidates.append(stripped)
    for t in candidates:
        try:
            return ctx.match_component(index_code, t, year).code
        except MatchError:
            continue
    return None


# --- the columns --------------------------------------------------------------------------------


def entity_hits(grid: Grid, table: Table, ctx: Context, c: int, which: str = "both") -> int:
    """How many sampled body cells of column c name a province or a unit (`which`: both, province, unit)."""
    return body_hits(grid, table, c, lambda t: names_entity(ctx, t, which), longest=120)


def names_entity(ctx: Context, text: str, which: str) -> bool:
    """Does `text` name a province (`which` both / province) or a unit (both / unit)?"""
    if which in ("both", "province") and ctx.probe("province", split_note(text)[0]):
        return True
    return which in ("both", "unit") and ctx.probe("unit", text)


def name_columns(grid: Grid, table: Table, ctx: Context) -> list[int]:
    """The columns naming provinces or units: every column whose body names them; in a paired table (two or more
    such columns) also every other column of text, so that a pair whose names are misspelt still keeps its own
    values (and its names are reported) instead of lending them to the pair on its left."""
    hits = {col.index: entity_hits(grid, table, ctx, col.index) for col in table.columns}
    best = max(hits.values(), default=0)
    if best < 2:
        headed = [col.index for col in table.columns if is_entity_header(col)]
        return headed[:1] if best else []
    found = [c for c, n in hits.items() if n >= max(2, 0.6 * best)]
    if len(found) > 1:
        found = sorted(set(found) | {col.index for col in table.columns if _text_column(grid, table, col)})
    return found


def _text_column(grid: Grid, table: Table, col: Column) -> bool:
    """Mostly text in the body (a column of names), and not a grade, note or comparison column."""
    if col.has("grade", "note", "compare", "uom") or any(_GRADE.match(fold(p)) for p in col.parts):
        return False
    texts = numbers = 0
    for r in range(table.first_body_row, min(grid.nrows, table.first_body_row + 40)):
        v = grid.value(r, col.index)
        if is_blank(v):
            continue
        if is_number_like(v):
            numbers += 1
        else:
            texts += 1
    return texts >= 3 and texts >= 3 * numbers


def _is_parent(table: Table, col: Column, part: str) -> bool:
    """A header text spread over this column and a neighbour (merged, or typed once above several children)."""
    if col.parts and part == col.parts[-1]:
        return False
    return any(0 <= c < len(table.columns) and part in table.columns[c].parts for c in (col.index - 1, col.index + 1))


@dataclass
class _Reading:
    """What a column holds, before the table decides (detail sheet or not, twins)."""

    col: Column
    kind: str  # value | order | id | skip | unknown | subdim
    component: str | None = None
    measure: str = "score"
    total: bool = False
    subindex: bool = False
    unweighted: bool = False
    reason: str = ""
    parent: str | None = None  # the component a sub-dimension belongs to


def read_column(grid: Grid, table: Table, ctx: Context, col: Column, index_code: str | None,
                year: int | None) -> _Reading:
    if col.empty:
        return _Reading(col, "skip")
    if col.has(*_SKIPPED_ROLES):
        return _Reading(col, "skip")
    parts = [(read_part(ctx, t, index_code, year), _is_parent(table, col, t)) for t in col.parts]
    kinds = {p.kind for p, _ in parts}
    if "id" in kinds:
        return _Reading(col, "id")
    if "order" in kinds and kinds <= {"order", "neutral"}:
        return _Reading(col, "order")
    if "grade" in kinds:
        return _Reading(col, "skip")
    own = [p for p, parent in parts if not parent]
    parents = [p for p, parent in parts if parent]
    subindex = any(p.subindex for p, _ in parts)
    measure = "rank" if "rank" in kinds else "score"
    others = {p.code for p, _ in parts if p.kind == "total" and p.code != index_code}
    if others and not any(p.kind == "component" for p, _ in parts):
        return _Reading(col, "skip", reason=f"thuộc chỉ số {', '.join(sorted(others))}")
    own_comps = {p.code for p in own if p.kind == "component"}
    parent_comps = {p.code for p in parents if p.kind == "component"}
    if len(own_comps) > 1:
        return _Reading(col, "unknown", reason="tiêu đề ghi tên hai thành phần khác nhau")
    if not own_comps and parent_comps and any(p.kind in ("name", "subdim") for p in own):
        (parent,) = sorted(parent_comps)[:1]
        return _Reading(col, "subdim", parent=parent)
    if not own_comps and any(p.kind == "subdim" for p in own):
        return _Reading(col, "subdim")
    comps = own_comps or parent_comps
    if len(comps) == 1:
        return _Reading(col, "value", next(iter(comps)), measure, subindex=subindex)
    unweighted = "unweighted" in kinds and "weighted" not in kinds
    if kinds & {"total", "unweighted", "weighted"} or (kinds & {"score", "rank"} and not kinds & {"name", "subdim"}):
        return _Reading(col, "value", None, measure, total=True, unweighted=unweighted, subindex=subindex)
    if "name" in kinds or "subdim" in kinds:
        return _Reading(col, "unknown", subindex=subindex)
    return _Reading(col, "unknown" if subindex else "skip", subindex=subindex)


def _holds_numbers(grid: Grid, table: Table, c: int) -> bool:
    return any(is_number_like(grid.value(r, c)) for r in range(table.first_body_row, min(grid.nrows,
                                                                                        table.first_body_row + 60)))


def _is_order_column(grid: Grid, table: Table, c: int) -> bool:
    """A column numbering the rows 1, 2, 3… in any order (an unlabelled 'Thứ tự': rows may have been moved)."""
    seen = []
    for r in range(table.first_body_row, grid.nrows):
        v = grid.value(r, c)
        if is_blank(v):
            continue
        try:
            x = number_at(grid, r, c)
        except ValueError:
            return False
        if x is None or x != int(x):
            return False
        seen.append(int(x))
    return len(seen) >= 3 and sorted(seen) == list(range(min(seen), min(seen) + len(seen)))


def extend_header(grid: Grid, table: Table, name_cols: list[int]) -> Table:
    """The whole header block of an index table, which the table finder may cut short: an English row above the
    Vietnamese one (VCCI 2006), the row of full names above the row of survey codes (VCCI 2008's detail sheets),
    and below, rows of short codes ("c1", "pci_id", "sub1_entry") or the word "Tỉnh" again (2010–2016 detail
    sheets). Rows without numbers join the header: above, when they fill at least half the header's columns;
    below, when their name cell is a header word or empty."""
    width = sum(1 for c in range(grid.ncols) if grid.text(table.header_rows[-1], c))
    rows = list(table.header_rows)
    while len(rows) < 4 and rows[0] > 0 and _header_like(grid, rows[0] - 1, max(3, width // 2)):
        rows.insert(0, rows[0] - 1)
    r = table.first_body_row
    while r < grid.nrows and r - rows[-1] <= 2 and len(rows) < 5:
        cells = [v for v in grid.row(r) if not is_blank(v)]
        if not cells:
            r += 1
            continue
        label = grid.text(r, name_cols[0])
        roles = interpret_part(label)[0] if label else {"entity"}
        if any(is_number_like(v) for v in cells) or is_numbering_row(grid, r) or not roles & {"entity", "stt"} and \
                not _ID.match(fold(label)):
            break
        rows.append(r)
        r += 1
    if rows == table.header_rows:
        return table
    return Table(rows, max(table.first_body_row, rows[-1] + 1), interpret_columns(grid, rows), table.score)


def _header_like(grid: Grid, r: int, least: int) -> bool:
    """A row of at least `least` different texts and no number (a header row, not a title or a data row)."""
    texts = {grid.text(r, c) for c in range(grid.ncols) if grid.text(r, c)}
    return len(texts) >= least and not any(is_number_like(grid.value(r, c)) and not YEAR_RE.fullmatch(grid.text(r, c))
                                           for c in range(grid.ncols))


@dataclass
class _Survey:
    """A first reading of the table: its name columns, index, year and each other column's meaning."""

    table: Table
    name_cols: list[int]
    index_code: str | None
    year: int | None
    where: str | None
    readings: list[_Reading]


def _survey(grid: Grid, table: Table, ctx: Context, with_year: bool) -> _Survey | None:
    name_cols = name_columns(grid, table, ctx)
    if not name_cols:
        return None
    table = extend_header(grid, table, name_cols)
    index_code = find_index_code(ctx, grid, table)
    year, where = (sheet_year(ctx, grid, table, _header_years(ctx, table, index_code))
                   if (index_code and with_year) else (None, None))
    readings = [read_column(grid, table, ctx, col, index_code, year) for col in table.columns
                if col.index not in name_cols]
    return _Survey(table, name_cols, index_code, year, where, readings)


def _header_years(ctx: Context, table: Table, index_code: str) -> list[tuple[str, str, int]]:
    """(text, column, year) of the headers that give a year to the table's score: "PCI 2016", "Điểm 2024" — not
    a year in a note ("Tính minh bạch (As PCI 2005)") or in a source ("Tổng cục thống kê 2000-2006")."""
    out = []
    for col in table.columns:
        for part in col.parts:
            base = split_note(part)[0]
            y = year_in(fold(base))
            if y and read_part(ctx, base, index_code, None).kind in ("total", "score", "rank", "unweighted"):
                out.append((part, col.letter, y))
    return out


def _has_scores(grid: Grid, table: Table, survey: _Survey) -> bool:
    """Score or rank columns, or one column written as a component's own score (a detail sheet)."""
    return any(x.kind == "value" for x in survey.readings) or any(
        x.subindex and _holds_numbers(grid, table, x.col.index) for x in survey.readings)


def plan_columns(grid: Grid, table: Table, ctx: Context) -> ColumnPlan | None:
    """How to read the table; None when it is not an index table, or (with an error) when its index or year is
    not known. Skipped columns are said once each."""
    before = len(ctx.problems.errors)
    survey = _survey(grid, table, ctx, with_year=True)
    if survey is None or len(ctx.problems.errors) > before:
        return None
    table = survey.table
    if not _has_scores(grid, table, survey):
        return None
    if survey.index_code is None:
        names = ", ".join(i["code"] for i in ctx.registry.indices)
        ctx.error(grid, None, None, f"không xác định được bảng này là chỉ số nào ({names}) — hãy ghi tên chỉ số trong "
                                    "tiêu đề (ví dụ “Kết quả Chỉ số PCI năm 2024”) hoặc chọn --index")
        return None
    if survey.year is None:
        ctx.error(grid, None, None, "không xác định được năm của kết quả chỉ số — hãy ghi năm trong tiêu đề (ví dụ "
                                    "“năm 2024”) hoặc chọn --period 2024")
        return None
    if survey.where:  # the file name names the year of every sheet: said once
        ctx.warn(None if survey.where.startswith("tên tệp") else grid, None, None,
                 f"năm đánh giá {survey.year}: lấy từ {survey.where}")
    readings = survey.readings
    order_col = next((x.col.index for x in readings if x.kind == "order"), None)
    if order_col is None:
        order_col = next((x.col.index for x in readings if x.col.index < survey.name_cols[0]
                          and x.kind in ("skip", "unknown") and _is_order_column(grid, table, x.col.index)), None)
    plan = ColumnPlan(table, survey.index_code, survey.year, survey.name_cols, order_col, [])
    detail = _detail_component(grid, table, ctx, readings, plan)
    if detail is None and not any(x.kind == "value" for x in readings):
        return None
    if detail is not None:
        plan.detail_of, keep = detail
        plan.raw = [x.col for x in readings if x is not keep and x.kind in ("value", "unknown", "subdim")
                    and x.col.index != order_col and _holds_numbers(grid, table, x.col.index)]
        keep.kind, keep.component, keep.total, keep.measure = "value", plan.detail_of, False, "score"
        readings = [keep]
    _bind_values(grid, table, ctx, readings, plan)
    return plan if plan.values else None


def _detail_component(grid: Grid, table: Table, ctx: Context, readings: list[_Reading],
                      plan: ColumnPlan) -> tuple[str, _Reading] | None:
    """(component, its column) when the sheet details one component: no total, one column written as a
    component's own score, the other numbers raw indicators. Its component is the one that column names, else
    the one the sheet's title or name names — never the number in "Chỉ số thành phần 1" (numbers change between
    years)."""
    values = [x for x in readings if x.kind == "value"]
    if any(x.total for x in values) and not all(x.subindex for x in values if x.total):
        return None
    marked = [x for x in readings if x.subindex and x.kind in ("value", "unknown", "skip") and not x.total
              and _holds_numbers(grid, table, x.col.index)]
    named = {x.component for x in values if x.component}
    if len(marked) != 1 or len(named - {marked[0].component}) > 0:
        return None
    keep = marked[0]
    if keep.component:
        return keep.component, keep
    texts = [t for _, _, t in title_lines(grid, table.header_rows[0])] + [grid.name]
    for t in texts:
        code = component_named(ctx, plan.index_code, t, plan.year)
        if code is None:  # a title: "Chỉ tiêu cấu thành chỉ số thành phần Chi phí gia nhập thị trường"
            code = _component_in_text(ctx, plan.index_code, t, plan.year)
        if code is not None:
            return code, keep
    return None


def _component_in_text(ctx: Context, index_code: str, text: str, year: int) -> str | None:
    """A component's name or alias standing whole inside a longer text; None if none or two."""
    hit = ctx.registry.component_matcher(index_code, year).find_in(text)
    return hit.code if hit else None


def _bind_values(grid: Grid, table: Table, ctx: Context, readings: list[_Reading], plan: ColumnPlan) -> None:
    """Value columns with the name column of their pair; the other columns skipped (said once each)."""
    head_r = table.header_rows[-1]
    totals = [x for x in readings if x.kind == "value" and x.total and x.measure == "score"]
    seen: dict[tuple, ValueColumn] = {}
    last_component: str | None = None
    for x in readings:
        c = x.col.index
        if x.kind == "value" and x.total and x.unweighted and len(totals) > 1:
            ctx.warn(grid, head_r, c, f"bỏ qua cột “{x.col.label}”: điểm chưa có trọng số — điểm chính thức là cột "
                                      f"“{next(t.col.label for t in totals if not t.unweighted)}”")
            continue
        if x.kind == "value":
            if column_year(x.col) not in (None, plan.year):
                ctx.warn(grid, head_r, c, f"bỏ qua cột “{x.col.label}”: không thuộc năm {plan.year}")
                continue
            vc = ValueColumn(x.col, x.component, x.measure, target=x.col.has("plan"),
                             name_col=_pair_of(plan.name_cols, c))
            key = (vc.component, vc.measure, vc.target, vc.name_col if plan.paired else None)
            if key in seen:
                vc.twin_of = seen[key]
            else:
                seen[key] = vc
            plan.values.append(vc)
            last_component = x.component if x.component else last_component
            continue
        if not _holds_numbers(grid, table, c) or c == plan.order_col:
            continue
        if x.kind == "subdim" or (x.kind == "unknown" and last_component):
            parent = x.parent or last_component
            name = ctx.registry.component_matcher(plan.index_code).name_of(parent) if parent else None
            ctx.warn(grid, head_r, c, f"bỏ qua cột “{x.col.label}”: nội dung thành phần (chỉ số con)"
                                      + (f" của “{name}”" if name else "")
                                      + " — chỉ nạp điểm tổng và các thành phần chính")
        elif x.kind == "unknown":
            ctx.warn(grid, head_r, c, f"bỏ qua cột “{x.col.label}”: "
                                      + (x.reason or f"không phải điểm tổng, xếp hạng hay tên một thành phần của "
                                                     f"{plan.index_code} năm {plan.year}"))
        elif x.kind == "skip" and x.reason:
            ctx.warn(grid, head_r, c, f"bỏ qua cột “{x.col.label}”: {x.reason}")
        elif x.kind == "id":
            ctx.warn(grid, head_r, c, f"bỏ qua cột “{x.col.label}”: mã tỉnh/đơn vị, không phải điểm")


def column_year(col: Column) -> int | None:
    """The year a column's header gives its values ("PCI 2016", "Điểm 2023"); a year in a note ("(As PCI 2005)")
    says how it was computed, not when."""
    years = [year_in(fold(split_note(p)[0])) for p in col.parts]
    return next((y for y in reversed(years) if y), None)


def _pair_of(name_cols: list[int], c: int) -> int:
    """The name column of a value column: the nearest on its left (its own pair), else the first."""
    left = [n for n in name_cols if n < c]
    return left[-1] if left else name_cols[0]


def detect_score(grid: Grid, table: Table, ctx: Context) -> float:
    """How well the sheet fits a wide index table (0: not at all). Reads nothing but the table: no year asked."""
    survey = _survey(grid, table, ctx, with_year=False)
    if survey is None or not _has_scores(grid, survey.table, survey):
        return 0.0
    values = [x for x in survey.readings if x.kind == "value"]
    roles = sum(1 for x in values if x.total) + sum(1 for x in survey.readings if x.subindex)
    comps = sum(1 for x in values if x.component)
    hits = entity_hits(grid, survey.table, ctx, survey.name_cols[0])
    return (2 * roles + comps + hits) if hits else 0.0


def header_texts(grid: Grid, table: Table) -> list[str]:
    """The header row's texts (to know a header repeated lower in the sheet)."""
    return [nfc(grid.text(table.header_rows[-1], c)) for c in range(grid.ncols)]
