"""Index results in long form, one row per index × year × entity × component, as data/reference/*.csv and the
indices template hold them:

    index,year,province,score,rank,component,source_url_or_citation

Read through the tidy layout (`loaders.layouts.tidy`), which recognises the form by its columns.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.matching import MatchError
from core.periods import year_in
from core.rules import valid_year, year_range_text
from core.text import fold
from loaders.files.workbook import Grid, cell_text, is_blank
from loaders.layouts.context import CellValueError, Context, letter, looks_like_name, match_message, number_at
from loaders.layouts.index_values import (
    PROVINCE_HEADER,
    UNIT_HEADER,
    default_source,
    rank_at,
    resolve_entity,
    score_at,
)
from loaders.layouts.table import RowKind, Table, classify_row
from loaders.registry.reference import split_note
from loaders.store.batches import IndexRow


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
    prefer = "unit" if UNIT_HEADER.search(header) and not PROVINCE_HEADER.search(header) else "province"
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


__all__ = ["parse_long"]
