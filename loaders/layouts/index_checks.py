"""Structural checks of index tables: a table that would load values on the wrong province is refused, naming the
columns, instead of being loaded.

- each (entity, component) once in a sheet: a repeated row with the same values is a recap (said once), with other
  values an error;
- a published rank agrees with the order of its scores; in a paired table each pair follows its 'Thứ tự';
- a rank row under a province ("Xếp hạng", "Thứ tự": VCCI's recap of one province) agrees with the table;
- a workbook's detail sheets agree with its summary sheet, and two summaries of the same year with each other.

Ranks the publisher wrote only as the row order (a complete ranking sorted by score, with a 'Thứ tự' column) are
read as ranks; a partial list (a region's provinces) is only a list, so no rank is taken from its order.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.numbers import same_published as same
from loaders.errors import Problems
from loaders.files.workbook import Grid
from loaders.layouts.context import Context, fmt_number, letter
from loaders.layouts.index_columns import ColumnPlan
from loaders.store.batches import IndexRow


@dataclass
class Found:
    """One (entity, component) of a sheet: its score and rank, and where each was read (0-based row, column)."""

    entity: str
    component: str | None
    name: str  # the row's name as written
    target: bool = False
    score: float | None = None
    rank: int | None = None
    rank_of: int | None = None
    score_at: tuple[int, int] | None = None
    rank_at: tuple[int, int] | None = None
    order: int | None = None  # the row's 'Thứ tự' in its pair
    derived: bool = False  # the rank comes from the order of a complete ranking


@dataclass
class IndexSheet:
    """What one sheet holds, before the workbook decides what to load."""

    grid: Grid
    plan: ColumnPlan
    source: str
    values: dict[tuple, Found] = field(default_factory=dict)  # (entity, component, target) -> Found
    claimed: list[tuple[str, str | None, int, int, int]] = field(default_factory=list)  # rank rows: ent, comp, rank, r, c
    failed: bool = False
    recaps: set = field(default_factory=set)  # rows said to repeat another row
    problems: Problems = field(default_factory=Problems)  # a detail sheet's own, until the workbook is known

    @property
    def role(self) -> str:
        return "detail" if self.plan.detail_of else "summary"

    def label(self, c: int) -> str:
        """'cột C (“Gia nhập thị trường”)' for messages."""
        text = next((v.col.label for v in self.plan.values if v.col.index == c), "")
        return f"cột {letter(c)}" + (f" (“{text}”)" if text else "")


# --- one sheet -----------------------------------------------------------------------------------


def check_sheet(ctx: Context, sheet: IndexSheet, complete: int) -> None:
    """Ranks from a complete ranking's order, the pairs' order, ranks against scores, rank rows against the table.
    `complete`: how many provinces a complete ranking of the sheet's year has."""
    _ranks_from_order(ctx, sheet, complete)
    _ranks_follow_scores(ctx, sheet)
    _rank_rows_agree(ctx, sheet)


def _columns(sheet: IndexSheet) -> dict[tuple, list[Found]]:
    """The values of each (component, target), grouped by the column their score was read from."""
    out: dict[tuple, list[Found]] = {}
    for f in sheet.values.values():
        if f.score is not None and f.score_at is not None:
            out.setdefault((f.component, f.target, f.score_at[1]), []).append(f)
    return out


def _ranks_from_order(ctx: Context, sheet: IndexSheet, complete: int) -> None:
    """In a paired table every pair is sorted on its own score: its 'Thứ tự' is the rank; a pair that does not
    follow it is refused. In a one-name table only the total may be sorted (the components are not): its order is
    its rank when it is sorted. Either way only for a complete ranking."""
    plan = sheet.plan
    if plan.order_col is None:
        return
    for (component, target, c), found in _columns(sheet).items():
        if target or (not plan.paired and component is not None):
            continue
        ordered = sorted((f for f in found if f.order is not None), key=lambda f: f.order)
        if len(ordered) < 2:
            continue
        broken = next(((a, b) for a, b in zip(ordered, ordered[1:]) if b.score > a.score + 1e-9), None)
        if broken is not None:
            if plan.paired:
                a, b = broken
                ctx.error(sheet.grid, b.score_at[0], c,
                          f"điểm ở {sheet.label(c)} không giảm dần theo cột “Thứ tự” ({letter(plan.order_col)}): "
                          f"“{b.name}” (thứ tự {b.order}) có {fmt_number(b.score)}, cao hơn “{a.name}” (thứ tự "
                          f"{a.order}) {fmt_number(a.score)} — mỗi cặp cột (tỉnh, điểm) phải xếp theo điểm; cặp cột này "
                          "có thể đã bị sắp xếp lại riêng, hãy lấy lại bảng gốc", cause="cặp cột không theo thứ tự")
                sheet.failed = True
            continue
        if len({f.entity for f in ordered}) < complete or any(f.rank is not None for f in ordered):
            continue  # a partial list, or the publisher wrote the ranks: nothing to take from the order
        for i, f in enumerate(ordered):
            tied = next((g for g in ordered[:i] if abs(g.score - f.score) <= 1e-9), None)
            f.rank = tied.rank if tied is not None else f.order
            f.rank_at = (f.score_at[0], plan.order_col)
            f.derived = True


def _ranks_follow_scores(ctx: Context, sheet: IndexSheet) -> None:
    """A published rank agrees with the order of its scores: a higher score never has a worse rank."""
    higher_is_better = _higher_is_better(ctx, sheet.plan.index_code)
    by_component: dict[tuple, list[Found]] = {}
    for f in sheet.values.values():
        if f.score is not None and f.rank is not None and not f.derived:
            by_component.setdefault((f.component, f.target), []).append(f)
    for found in by_component.values():
        ordered = sorted(found, key=lambda f: (-f.score if higher_is_better else f.score))
        for a, b in zip(ordered, ordered[1:]):
            if abs(a.score - b.score) > 1e-9 and b.rank < a.rank:
                ctx.error(sheet.grid, b.rank_at[0], b.rank_at[1],
                          f"xếp hạng ở cột {letter(b.rank_at[1])} không khớp với điểm ở cột {letter(b.score_at[1])}: "
                          f"“{b.name}” điểm {fmt_number(b.score)} xếp hạng {b.rank}, nhưng “{a.name}” điểm cao hơn "
                          f"({fmt_number(a.score)}) lại xếp hạng {a.rank} — cột xếp hạng và cột điểm không cùng thứ tự "
                          "(có thể một cột đã bị sắp xếp riêng)", cause="xếp hạng không khớp với điểm")
                sheet.failed = True
                break


def _rank_rows_agree(ctx: Context, sheet: IndexSheet) -> None:
    """VCCI ends its tables with one province again and its ranks ("Xếp hạng" / "Thứ tự" row): each must be the
    rank the table gives that province; a rank the table does not give is taken from it."""
    for entity, component, rank, r, c in sheet.claimed:
        f = sheet.values.get((entity, component, False))
        if f is None:
            continue
        if f.rank is None:
            f.rank, f.rank_at = rank, (r, c)
        elif f.rank != rank:
            ctx.error(sheet.grid, r, c, f"dòng xếp hạng ghi “{f.name}” hạng {rank} ở {sheet.label(c)} nhưng bảng cho "
                                        f"hạng {f.rank} (ô {letter(f.rank_at[1])}{f.rank_at[0] + 1}) — bảng và dòng "
                                        "nhắc lại không khớp", cause="dòng xếp hạng không khớp với bảng")
            sheet.failed = True


def _higher_is_better(ctx: Context, index_code: str) -> bool:
    row = next((i for i in ctx.registry.indices if i["code"] == index_code), {})
    return str(row.get("higher_is_better", "true")).lower() not in ("false", "0")


# --- the workbook ------------------------------------------------------------------------------


def reconcile(ctx: Context, sheets: list[IndexSheet]) -> list[tuple[IndexSheet, Found]]:
    """What the workbook loads: its summary sheets (a second summary of the same year must agree with the first
    and adds nothing), checked against its detail sheets; the detail sheets alone when it has no summary. A
    component on which the summary and a detail sheet disagree is withheld, named with both columns: nobody can
    tell which of the two is right, and a gap is better than a wrong figure."""
    summaries = [s for s in sheets if s.role == "summary"]
    details = [s for s in sheets if s.role == "detail"]
    for d in details:
        _detail_problems(ctx, d, checks_a_summary=bool(summaries))
    kept: dict[tuple, tuple[IndexSheet, Found]] = {}
    for s in summaries or details:
        _agree(ctx, s, kept, adds=True)
    if summaries:
        for d in details:
            if not d.failed:
                _check_summary(ctx, d, kept)
    return list(kept.values())


def _detail_problems(ctx: Context, sheet: IndexSheet, checks_a_summary: bool) -> None:
    """A detail sheet read alone is the result: its errors are the file's. Beside a summary it only checks it, and
    a sheet that contradicts itself (VCCI 2008 names Gia Lai twice on one detail sheet, Quảng Nam never) checks
    nothing: its errors are said as one warning, and the summary is checked by the other detail sheets."""
    if not checks_a_summary or not sheet.problems.errors:
        ctx.problems.extend(sheet.problems)
        return
    for w in sheet.problems.warnings:
        ctx.problems.add(w)
    first = sheet.problems.errors[0]
    more = f" (và {len(sheet.problems.errors) - 1} lỗi khác)" if len(sheet.problems.errors) > 1 else ""
    ctx.warn(sheet.grid, first.row - 1 if first.row else None, None,
             f"trang chi tiết không dùng để đối chiếu vì có lỗi của chính nó: {first.place()}: {first.message}{more} — "
             "kết quả lấy từ bảng tổng hợp")


def _agree(ctx: Context, sheet: IndexSheet, kept: dict, adds: bool = True) -> None:
    """A summary's values join `kept`; where an earlier summary of the same year has the key, both must agree."""
    agreed = 0
    for (entity, component, target), f in sheet.values.items():
        key = (sheet.plan.index_code, sheet.plan.year, entity, component, target)
        first = kept.get(key)
        if first is None:
            kept[key] = (sheet, f)
        elif first[0] is not sheet:
            if _differs(f, first[1]):
                _clash_error(ctx, sheet, f, *first)
            else:
                agreed += 1
                _merge(first[1], f)
    if agreed:
        ctx.warn(sheet.grid, None, None, f"trang này nhắc lại {agreed} giá trị đã có ở trang khác (cùng giá trị) — "
                                         "không nạp lại")


def _check_summary(ctx: Context, sheet: IndexSheet, kept: dict) -> None:
    """A detail sheet against the summary: agreeing, it is said once; disagreeing, its component is withheld."""
    plan = sheet.plan
    name = ctx.registry.component_matcher(plan.index_code).name_of(plan.detail_of)
    agreed, clashes, missing = 0, [], []
    for (entity, component, target), f in sheet.values.items():
        first = kept.get((plan.index_code, plan.year, entity, component, target))
        if first is None:
            missing.append(f.name)
        elif _differs(f, first[1]):
            clashes.append((f, *first))
        else:
            agreed += 1
            _merge(first[1], f)
    if clashes:
        f, other, g = clashes[0]
        for key in [k for k in kept if k[:2] == (plan.index_code, plan.year) and k[3] == plan.detail_of]:
            del kept[key]
        ctx.warn(sheet.grid, None, None,
                 f"không nạp thành phần “{name}” năm {plan.year}: bảng tổng hợp “{other.grid.name}” "
                 f"({other.label(_at(g)[1])}) và trang chi tiết này ({sheet.label(_at(f)[1])}) ghi khác nhau cho "
                 f"{len(clashes)}/{len(sheet.values)} tỉnh/đơn vị — ví dụ “{f.name}”: {_value(g)} (ô "
                 f"{_cell(g)}) và {_value(f)} (ô {_cell(f)}); không biết bên nào đúng nên để trống thành phần này, các "
                 "số khác của tệp vẫn đọc")
    elif agreed:
        ctx.warn(sheet.grid, None, None, f"trang chi tiết “{name}”: điểm của {agreed} tỉnh/đơn vị khớp với bảng tổng "
                                         "hợp — chỉ dùng để đối chiếu, không nạp lại")
    if missing:
        ctx.warn(sheet.grid, None, None, f"trang chi tiết có {len(missing)} tỉnh/đơn vị không có trong bảng tổng hợp "
                                         f"({', '.join(missing[:5])}) — không nạp")


def _differs(f: Found, g: Found) -> bool:
    if f.score is not None and g.score is not None:
        return not same(f.score, g.score)
    return f.rank is not None and g.rank is not None and f.rank != g.rank and not (f.derived or g.derived)


def _at(f: Found) -> tuple[int, int]:
    return f.score_at if f.score is not None and f.score_at else f.rank_at


def _cell(f: Found) -> str:
    r, c = _at(f)
    return f"{letter(c)}{r + 1}"


def _value(f: Found) -> str:
    return fmt_number(f.score) if f.score is not None else f"hạng {f.rank}"


def _clash_error(ctx: Context, sheet: IndexSheet, f: Found, other_sheet: IndexSheet, g: Found) -> None:
    r, c = _at(f)
    ctx.error(sheet.grid, r, c, f"“{f.name}” ở trang này ({sheet.label(c)}) ghi {_value(f)} nhưng trang "
                                f"“{other_sheet.grid.name}” ({other_sheet.label(_at(g)[1])}, ô {_cell(g)}) ghi {_value(g)} "
                                "— hai bảng kết quả cùng năm phải khớp nhau", cause="hai trang không khớp nhau")
    sheet.failed = True


def _merge(kept: Found, other: Found) -> None:
    """A rank only the other sheet gives joins the kept value (never a score: the summary's stays)."""
    if kept.rank is None and other.rank is not None:
        kept.rank, kept.rank_of, kept.rank_at = other.rank, other.rank_of, other.rank_at


def index_rows(sheet: IndexSheet, f: Found) -> IndexRow:
    plan = sheet.plan
    r, c = f.score_at or f.rank_at
    note = (f"xếp hạng là thứ tự trong bảng xếp theo điểm (cột {letter(plan.order_col)} “Thứ tự”)"
            if f.derived and plan.order_col is not None else None)
    return IndexRow(plan.index_code, plan.year, f.entity, f.component, f.score, f.rank, f.rank_of, sheet.source,
                    note, sheet.grid.name, r + 1, letter(c))
