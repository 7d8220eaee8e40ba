"""Index results: entities (provinces, or units for internal indices) with score, rank and components.

Wide, as ministries, VCCI and UNDP publish:
    STT | Tỉnh, thành phố | Điểm | Xếp hạng | Gia nhập thị trường | Tiếp cận đất đai | …
(components may carry a child row "Điểm" | "Hạng"); and long, as data/reference/*.csv:
    index,year,province,score,rank,component,source_url_or_citation
Provinces resolve through the `entity` table (names, aliases, the 2025 lineage) with the rules of
`loaders.registry.reference`; unit entities resolve through the unit registry (entity code = unit code).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from core.matching import MatchError
from core.rules import HOME_PROVINCE, valid_year, year_range_text
from core.text import fold, nfc, slug
from loaders.files.workbook import (
    DATE_LINE_RE,
    Column,
    Grid,
    RowKind,
    Table,
    cell_text,
    classify_row,
    is_blank,
    is_number_like,
    strip_item_prefix,
    title_lines,
    year_in,
)
from loaders.layouts.context import CellValueError, Context, fmt_number, looks_like_name, match_message, number_at
from loaders.registry.reference import (
    REFERENCE_DIR,
    Entity,
    ReferenceDataError,
    ReferenceResolver,
    province_entities,
    split_note,
)
from loaders.registry.registries import read_csv, split_aliases
from loaders.registry.settings import home_province_name
from loaders.store.batches import IndexRow, IndexTargetRow

LAYOUT = "index_table"
SAMPLE_ROWS = 40
_PROVINCE_HEADER = re.compile(r"\b(tinh|dia phuong|province|tinh thanh|thanh pho)\b")
_UNIT_HEADER = re.compile(r"\b(don vi|co quan|so ban nganh|so nganh|xa phuong|unit|khoi)\b")


# --- entities -----------------------------------------------------------------------------------


class EntityResolver:
    """Names -> entity codes: provinces from the `entity` table, units from the unit registry."""

    def __init__(self, registry, con=None):
        self.registry = registry
        rows = []
        if con is not None:
            try:
                rows = con.execute("SELECT code, name, kind, province, CAST(valid_from AS VARCHAR), "
                                   "CAST(valid_to AS VARCHAR), successor, unit_code, aliases FROM entity").fetchall()
            except Exception:  # noqa: BLE001 - a database without the entity table yet
                rows = []
        entities = [Entity(*r) for r in rows]
        provinces = [e for e in entities if e.kind == "tinh"]
        if not provinces:
            provinces, _ = province_entities(read_csv(REFERENCE_DIR / "province_mapping_2025.csv"))
        self.known = {e.code for e in entities}
        home = home_province_name(con) if con is not None else HOME_PROVINCE
        self.resolver = ReferenceResolver(registry, provinces, home)
        self.province_matcher = self.resolver.province_matcher
        self.has_db = bool(rows)

    def province(self, name: str, year: int, hint: str = "") -> str:
        """Raises MatchError (unknown / ambiguous) or ReferenceDataError (a 2025 province before 2025)."""
        base, _ = split_note(name)
        base = re.sub(r"^\s*(tỉnh|thành phố|tp\.?)\s+", "", base, flags=re.I) or base
        return self.resolver.province(base if "(cũ" not in name else name, year, hint)

    def unit(self, name: str) -> str:
        return self.registry.unit_matcher.match(name).code

    def reference_unit(self, province: str, text: str) -> str:
        """'unit: Sở Tư pháp (department group)' in the long form: a registry unit of the home province,
        or an entity already known for another province; never a new one made up."""
        name, _ = split_note(text.split(":", 1)[1].strip())
        if not province or self.resolver.is_home(province):
            return self.unit(name)
        code = f"{slug(province)}__{slug(name)}"
        if code in self.known:
            return code
        raise MatchError(name, [])

    def group(self, province: str, text: str) -> str | None:
        name, _ = split_note(text.split(":", 1)[1].strip())
        code = f"{slug(province)}__tb_{slug(name)}"
        return code if code in self.known else None


# --- index, year, source of a sheet -------------------------------------------------------------


def find_index_code(ctx: Context, grid: Grid, table: Table | None) -> str | None:
    if ctx.index_code:
        return ctx.index_code
    texts = [t for _, _, t in title_lines(grid, table.header_rows[0] if table else min(grid.nrows, 15))]
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
    for r, c, t in title_lines(grid, table.header_rows[0]):
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
    for col in table.columns:
        if col.has("entity") and not col.names:
            return col.index
    best, best_n = None, 0
    for col in table.columns:
        n = _entity_hits(grid, table, ctx, col.index)
        if n > best_n:
            best, best_n = col.index, n
    return best


def _entity_hits(grid: Grid, table: Table, ctx: Context, c: int, which: str = "both") -> int:
    n = 0
    for r in range(table.first_body_row, min(grid.nrows, table.first_body_row + SAMPLE_ROWS)):
        t = grid.text(r, c)
        if not t or is_number_like(grid.value(r, c)) or len(t) > 120:
            continue
        t = strip_item_prefix(t)
        ok = False
        if which in ("both", "province"):
            try:
                ctx.entities.province_matcher.match(split_note(t)[0])
                ok = True
            except MatchError:
                pass
        if not ok and which in ("both", "unit"):
            ok = ctx.probe("unit", t)
        n += ok
    return n


def _columns(grid: Grid, table: Table, ctx: Context, index_code: str | None, entity_c: int, report: bool):
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
    entity_c = entity_column(grid, table, ctx)
    if entity_c is None:
        return 0.0
    index_code = find_index_code(ctx, grid, table)
    cols = _columns(grid, table, ctx, index_code, entity_c, report=False)
    if not cols:
        return 0.0
    roles = sum(1 for c in cols if c.col.has("score", "rank"))
    comps = sum(1 for c in cols if c.component)
    if roles == 0 and comps == 0:
        return 0.0
    hits = _entity_hits(grid, table, ctx, entity_c)
    return (2 * roles + comps + hits) if hits else 0.0


def parse(grid: Grid, table: Table, ctx: Context) -> None:
    head_r = table.header_rows[-1]
    entity_c = entity_column(grid, table, ctx)
    if entity_c is None:
        ctx.error(grid, head_r, None, "không tìm thấy cột tên tỉnh/đơn vị (“Tỉnh, thành phố”, “Đơn vị”)")
        return
    index_code = find_index_code(ctx, grid, table)
    if index_code is None:
        names = ", ".join(i["code"] for i in ctx.registry.indices)
        ctx.error(grid, None, None, f"không xác định được bảng này là chỉ số nào ({names}) — hãy ghi tên chỉ số trong "
                                    "tiêu đề (ví dụ “Kết quả Chỉ số PCI năm 2024”) hoặc chọn --index")
        return
    before = len(ctx.problems.errors)
    year = sheet_year(ctx, grid, table)
    if len(ctx.problems.errors) > before:
        return
    if year is None:
        ctx.error(grid, None, None, "không xác định được năm của kết quả chỉ số — hãy ghi năm trong tiêu đề (ví dụ "
                                    "“năm 2024”) hoặc chọn --period 2024")
        return
    cols = _columns(grid, table, ctx, index_code, entity_c, report=True)
    kept, seen = [], {}
    for ic in cols:
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
        return
    header = fold(table.columns[entity_c].label)
    prefer = "province" if _PROVINCE_HEADER.search(header) else "unit" if _UNIT_HEADER.search(header) else None
    if prefer is None:
        prefer = "unit" if _entity_hits(grid, table, ctx, entity_c, "unit") > _entity_hits(
            grid, table, ctx, entity_c, "province") else "province"
    titles = " ".join(t for _, _, t in title_lines(grid, table.header_rows[0]))
    hint = "34-province" if re.search(r"\b34 (tinh|dia phuong)\b", fold(titles)) else ""
    source = default_source(ctx, grid, table)
    stt_c = next((col.index for col in table.columns if col.has("stt")), None)
    value_cols = [ic.col.index for ic in kept]
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
        _row_values(ctx, grid, r, kept, index_code, year, entity, source, raw)


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
                                           source, None, grid.name, r + 1, _letter(c)), label)


def _letter(c: int) -> str:
    from loaders.files.workbook import col_letter

    return col_letter(c)


# --- long form ----------------------------------------------------------------------------------


def parse_long(grid: Grid, table: Table, ctx: Context, cols: dict[str, int]) -> None:
    """One row per index × year × entity × component (the reference CSV form and the indices template)."""
    default_src = default_source(ctx, grid, table)
    last_source = None
    warned_source = False
    head_r = table.header_rows[-1]
    for need in ("year", "entity"):
        if need not in cols:
            ctx.error(grid, head_r, None, f"thiếu cột “{ {'year': 'Năm', 'entity': 'Tỉnh/đơn vị'}[need] }”")
            return
    if "score" not in cols and "rank" not in cols:
        ctx.error(grid, head_r, None, "thiếu cột “Điểm” hoặc “Xếp hạng”")
        return
    for r in range(table.first_body_row, grid.nrows):
        cells = {k: grid.value(r, c) for k, c in cols.items()}
        if all(is_blank(v) for v in cells.values()):
            continue
        entity_text = cell_text(cells.get("entity"))
        if classify_row(grid, r, [cols["entity"]]) in (RowKind.TOTAL, RowKind.NOTE, RowKind.SIGNATURE):
            continue
        # index
        index_code = ctx.index_code
        if "index" in cols and not is_blank(cells["index"]):
            try:
                index_code = ctx.match_index(split_note(cell_text(cells["index"]))[0]).code
            except MatchError as exc:
                ctx.error(grid, r, cols["index"], f"{match_message(exc, 'chỉ số')} — cần PAR, SIPAS, PAPI, PCI, DTI "
                                                  "hoặc DDCI")
                continue
        if index_code is None:
            ctx.error(grid, r, cols.get("index"), "thiếu tên chỉ số (PAR, SIPAS, PAPI, PCI, DTI, DDCI)")
            continue
        # year
        year = _year_cell(ctx, grid, r, cols["year"])
        if year is None:
            continue
        # source
        source = None
        if "source" in cols:
            source = cell_text(cells["source"]) or None
            if source and fold(source).startswith("same as above"):
                source = (last_source + source[len("same as above"):]) if last_source else source
            if source and fold(source).startswith(("nhu tren", "nhu dong tren")) and last_source:
                source = last_source
            last_source = source or last_source
        if not source:
            source = default_src
            if not warned_source:
                ctx.warn(grid, r, cols.get("source"), f"dòng không ghi nguồn — ghi nguồn là “{default_src}”")
                warned_source = True
        # entity and component
        comp_text = cell_text(cells.get("component")) if "component" in cols else ""
        component, note = None, None
        c_comp = cols.get("component")
        if fold(comp_text).startswith("unit"):
            try:
                entity = ctx.entities.reference_unit(entity_text, comp_text)
            except MatchError as exc:
                home = ctx.entities.resolver.home
                if entity_text and not ctx.entities.resolver.is_home(entity_text):
                    unit_name = split_note(comp_text.split(":", 1)[1])[0]
                    ctx.error(grid, r, c_comp, f"đơn vị “{unit_name}” của tỉnh {entity_text} không thuộc danh mục "
                                               f"đơn vị của dashboard (tỉnh {home}) — chỉ nạp được đơn vị của {home}")
                else:
                    ctx.error(grid, r, c_comp, f"{match_message(exc, 'đơn vị')} — cần tên một đơn vị trong danh mục")
                continue
            note = split_note(comp_text.split(":", 1)[1])[1]
        elif fold(comp_text).startswith("group average"):
            entity = ctx.entities.group(entity_text, comp_text)
            if entity is None:
                ctx.warn(grid, r, c_comp, f"bỏ qua dòng trung bình nhóm “{comp_text}”")
                continue
        else:
            if not looks_like_name(entity_text):
                ctx.error(grid, r, cols["entity"], "thiếu tên tỉnh/đơn vị")
                continue
            header = fold(table.columns[cols["entity"]].label)
            prefer = "unit" if _UNIT_HEADER.search(header) and not _PROVINCE_HEADER.search(header) else "province"
            entity = resolve_entity(ctx, grid, r, cols["entity"], entity_text, year, prefer, source or "", True)
            if entity is None:
                continue
            if comp_text:
                vi = comp_text.split(" / ")[0]
                name, note = split_note(vi)
                try:
                    component = ctx.match_component(index_code, name).code
                except MatchError:
                    try:
                        component = ctx.match_component(index_code, comp_text).code
                    except MatchError as exc:
                        ctx.error(grid, r, c_comp, f"{match_message(exc, f'thành phần của {index_code}')}")
                        continue
        # values
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
            continue
        if score is None and rank is None:
            ctx.warn(grid, r, cols.get("score", cols.get("rank")), "không có điểm và xếp hạng — không nạp")
            continue
        if "note" in cols and not is_blank(cells.get("note")):
            note = "; ".join(x for x in (note, cell_text(cells["note"])) if x)
        c_val = cols.get("score", cols.get("rank"))
        label = f"{index_code} {year} — {entity_text}" + (f" — {comp_text}" if comp_text else "")
        ctx.add_index(grid, r, c_val, IndexRow(index_code, year, entity, component, score, rank, rank_of, source, note,
                                               grid.name, r + 1, _letter(c_val)), label)


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


__all__ = ["LAYOUT", "EntityResolver", "detect", "parse", "parse_long", "find_index_code"]
