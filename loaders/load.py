"""Read a report file into a batch (no database write), and load it (one transaction).

    parsed = read_file(con, "bao_cao_q3.xlsx", content)              # preview: rows, errors, warnings
    report = load_file(con, "bao_cao_q3.xlsx", content, uploaded_by="nguyenvana")

The layout is detected per sheet (unit report, roll-up, tidy template, index table) unless `kind`
says what the file holds (activities | targets | indices). Any error: nothing is written.
A file that is not a spreadsheet raises UnusableFileError. No printing, no Streamlit.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import pandas as pd

from core.matching import MatchError
from core.periods import PERIOD_FORMS, Period, PeriodError, parse_period as parse_any_period
from core.rules import valid_year, year_range_text
from core.text import fold
from loaders.errors import ConfirmWarning, LoadError, LoadWarning, Problems, UnusableFileError, collapse_repeats
from loaders.files.active import strip_active_content
from loaders.files.html_table import looks_like_html
from loaders.files.workbook import Grid, read_workbook
from loaders.layouts import index_table, rollup, tidy, unit_report
from loaders.layouts.context import KINDS, Context
from loaders.layouts.table import NUMBERING_CELL_RE, Table, find_table, title_lines
from loaders.registry.registries import Registry
from loaders.store import derive
from loaders.store.batches import Batch, write_batch

LAYOUTS = {m.LAYOUT: m for m in (tidy, unit_report, rollup, index_table)}
LAYOUT_NAMES = {"tidy": "mẫu chuẩn (một dòng một số liệu)", "unit_report": "báo cáo của một đơn vị",
                "rollup": "bảng tổng hợp nhiều đơn vị", "index_table": "bảng kết quả chỉ số"}


class ArgumentError(ValueError):
    """A bad argument (period, unit, kind): the message is in Vietnamese."""


@dataclass
class Parsed:
    """What a file holds, ready to write: the batch plus every problem found."""

    file_name: str
    kind: str
    batch: Batch | None
    errors: list[LoadError] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)
    layouts: list[tuple[str, str]] = field(default_factory=list)  # (sheet, layout)
    sheets: list[str] = field(default_factory=list)  # every sheet of the file (the page offers a choice)

    @property
    def ok(self) -> bool:
        return not self.errors and self.batch is not None and self.batch.rows > 0

    @property
    def rows(self) -> int:
        return self.batch.rows if self.batch is not None else 0

    @property
    def to_confirm(self) -> list[ConfirmWarning]:
        """The values past their indicator's plausible bound: writing the file needs the user's confirmation."""
        return [w for w in self.warnings if isinstance(w, ConfirmWarning)]

    def frame(self) -> pd.DataFrame:
        """The rows as a table for a preview (codes, values and where each came from)."""
        if self.batch is None:
            return pd.DataFrame()
        recs = []
        for a in self.batch.activities:
            recs.append({"loại": "kết quả", "đơn vị": a.unit_code, "năm": a.year, "quý": a.quarter,
                         "kỳ": Period.of_quarter(a.year, a.quarter).label,
                         "chỉ tiêu": a.metric_code, "giá trị": a.value, "trang": a.sheet, "dòng": a.row, "cột": a.col})
        for a in self.batch.spans:
            recs.append({"loại": "kết quả", "đơn vị": a.unit_code, "năm": a.year, "quý": None,
                         "kỳ": Period(a.year, a.month_from, a.month_to).label, "chỉ tiêu": a.metric_code,
                         "giá trị": a.value, "trang": a.sheet, "dòng": a.row, "cột": a.col})
        for t in self.batch.targets:
            recs.append({"loại": "kế hoạch", "đơn vị": t.unit_code, "năm": t.year, "quý": t.quarter,
                         "chỉ tiêu": t.metric_code, "giá trị": t.value, "trang": t.sheet, "dòng": t.row, "cột": t.col})
        for i in self.batch.indices:
            recs.append({"loại": "chỉ số", "chỉ số": i.index_code, "năm": i.year, "đối tượng": i.entity_code,
                         "thành phần": i.component_code, "điểm": i.score, "xếp hạng": i.rank, "nguồn": i.source,
                         "trang": i.sheet, "dòng": i.row, "cột": i.col})
        return pd.DataFrame(recs)


@dataclass
class LoadReport:
    status: str  # 'loaded' | 'refused' | 'dry-run'
    file_name: str
    kind: str
    batch_id: int | None
    rows: int
    errors: list[LoadError]
    warnings: list[LoadWarning]
    created: bool = False
    layouts: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"status": self.status, "batch": self.batch_id, "kind": self.kind, "rows": self.rows,
                "errors": [e.as_dict() for e in self.errors], "warnings": [w.as_dict() for w in self.warnings]}


# --- arguments ----------------------------------------------------------------------------------


def report_period(text: str | None) -> Period | None:
    """The period an argument names ('2025-Q3', '2025-M08', '2025-H1', '2025-9M', '2025', 'Quý III/2025',
    '6 tháng đầu năm 2025'); None when not given; ArgumentError when unreadable."""
    if text is None or not str(text).strip():
        return None
    s = str(text).strip()
    m = re.fullmatch(r"(\d{4})\s*-?\s*[Qq]\s*(\d+)", s)
    if m and not 1 <= int(m.group(2)) <= 4:
        raise ArgumentError(f"kỳ “{s}”: quý {m.group(2)} nằm ngoài 1–4 — cần dạng 2025-Q3 (quý 1 đến 4)")
    if re.fullmatch(r"\d{4}", s) and not valid_year(int(s)):
        raise ArgumentError(f"năm “{s}” không hợp lệ — cần một năm {year_range_text()}")
    try:
        return parse_any_period(s)
    except PeriodError as exc:
        raise ArgumentError(f"kỳ “{s}” không đọc được — cần dạng {PERIOD_FORMS} ({exc})") from None


def _registry(con_or_registry) -> tuple[Registry, object | None]:
    if isinstance(con_or_registry, Registry):
        return con_or_registry, None
    return Registry.from_db(con_or_registry), con_or_registry


def make_context(con_or_registry, file_name: str = "", unit: str | None = None, period: str | None = None,
                 kind: str | None = None, index: str | None = None) -> Context:
    """A Context for one file; ArgumentError for a bad kind, period, unit or index."""
    registry, con = _registry(con_or_registry)
    if kind is not None and kind not in KINDS:
        raise ArgumentError(f"loại “{kind}” không hợp lệ — cần một trong: {', '.join(KINDS)}")
    asked = report_period(period)
    year = asked.year if asked else None
    quarter = asked.quarter.quarter if asked and asked.is_quarter else None
    ctx = Context(registry, con, file_name or "", kind, None, year, quarter, period=asked)
    if unit:
        try:
            ctx.unit = registry.unit_matcher.match(unit)
        except MatchError as exc:
            raise ArgumentError(f"{exc.message('đơn vị')} (tham số đơn vị)") from None
    if index:
        try:
            ctx.index_code = registry.index_matcher.match(index).code
        except MatchError as exc:
            raise ArgumentError(f"{exc.message('chỉ số')} (tham số chỉ số)") from None
    return ctx


# --- reading ------------------------------------------------------------------------------------


def _name_score(ctx: Context):
    """Header detection counts indicator, index and component names as header words."""
    cache: dict[str, float] = {}
    comps = [c["index_code"] for c in ctx.registry.components]
    index_codes = sorted(set(comps))

    def score(text: str) -> float:
        if text in cache:
            return cache[text]
        s = 0.0
        if len(text) <= 120:
            for fn in (ctx.match_indicator, ctx.match_index):
                try:
                    fn(text)
                    s = 1.0
                    break
                except MatchError as exc:
                    if exc.ambiguous:
                        s = 0.5
            if not s and ctx.probe("unit", text):
                s = 1.0
            if not s:
                for code in index_codes:
                    try:
                        ctx.match_component(code, text)
                        s = 1.0
                        break
                    except MatchError:
                        pass
        cache[text] = s
        return s

    return score


def choose_layout(grid: Grid, table, ctx: Context) -> tuple[str | None, float]:
    allowed = {
        None: ("tidy", "unit_report", "rollup", "index_table"),
        "activities": ("tidy", "unit_report", "rollup"),
        "targets": ("tidy", "unit_report", "rollup"),
        "indices": ("tidy", "index_table"),
    }[ctx.kind]
    if "tidy" in allowed:
        f = tidy.form(table)
        if f is not None and not (ctx.kind == "indices" and f != "indices") and not (
                ctx.kind in ("activities", "targets") and f == "indices"):
            return "tidy", tidy.detect(grid, table, ctx)
    best, best_score = None, 0.0
    for name in allowed:
        if name == "tidy":
            continue
        s = LAYOUTS[name].detect(grid, table, ctx)
        if s > best_score:
            best, best_score = name, s
    return best, best_score


def read_file(con_or_registry, file_name: str, content: bytes, unit: str | None = None, period: str | None = None,
              kind: str | None = None, *, index: str | None = None, uploaded_by: str | None = None,
              max_bytes: int | None = None, sheet: str | None = None) -> Parsed:
    """Everything the file holds as a Batch, with errors and warnings; nothing is written. `sheet`: read that
    sheet only (its name, typed loosely).

    Raises UnusableFileError (not a spreadsheet, empty file, over the size limit) and ArgumentError
    (a bad unit / period / kind / index / sheet argument)."""
    ctx = make_context(con_or_registry, file_name, unit, period, kind, index)
    grids = read_workbook(content, file_name, max_bytes=max_bytes)
    sheets = [g.name for g in grids]
    if sheet is not None:
        grids = [_chosen_sheet(grids, sheet)]
    content, active = strip_active_content(content, file_name)  # macros, links, DDE: named, and not kept
    for warning in active:
        ctx.problems.add(warning)
    name_score = _name_score(ctx)
    nonempty = [g for g in grids if not g.is_empty()]
    if not nonempty:
        ctx.problems.error(None, None, None, f"tệp “{os.path.basename(file_name or '')}” không có số liệu: mọi trang "
                                             "tính đều trống — cần một bảng số liệu (dùng lệnh template để lấy mẫu)")
    seen: list[tuple[Grid, Table | None]] = []
    for grid in nonempty:
        if _looks_like_instructions(grid):
            continue
        table = find_table(grid, name_score)
        seen.append((grid, table))
        if table is None:
            ctx.warn(grid, None, None, "bỏ qua trang tính: không tìm thấy dòng tiêu đề của bảng số liệu")
            continue
        layout, score = choose_layout(grid, table, ctx)
        if layout is None:
            ctx.warn(grid, table.header_rows[-1], None, "bỏ qua trang tính: không nhận ra bảng (cần tên chỉ tiêu, đơn vị "
                                                        "hoặc tỉnh trong bảng)")
            continue
        ctx.layouts.append((grid.name, layout))
        LAYOUTS[layout].parse(grid, table, ctx)
    index_table.finish(ctx)
    if nonempty and not ctx.layouts and not ctx.problems.errors:
        ctx.problems.error(None, None, None, nothing_found(ctx, seen, looks_like_html(content)))
    parsed = _parsed(ctx, file_name, content, uploaded_by)
    parsed.sheets = sheets
    _check_periods(ctx, parsed)
    return parsed


def _check_periods(ctx: Context, parsed: "Parsed") -> None:
    """Values of different periods that cannot all be true, in the file or against the stored ones: an error at
    the file's cell, naming the other values and their batches (loaders.store.derive)."""
    if parsed.errors or parsed.batch is None or not (parsed.batch.activities or parsed.batch.spans):
        return
    for c in derive.check(ctx.con, parsed.batch, ctx.indicator_kind):
        row = max(c.rows, key=derive.place)  # the last of the file's cells involved: the one that breaks the sum
        parsed.errors.append(LoadError(row.sheet, row.row, row.col, f"{ctx.unit_name(c.unit_code)} — "
                                                                    f"“{ctx.indicator_name(c.metric_code)}”: {c.message}"))


def _chosen_sheet(grids: list[Grid], name: str) -> Grid:
    """The sheet the user named (case, diacritics and spaces aside); ArgumentError listing the sheets if none."""
    for g in grids:
        if g.name == name or fold(g.name) == fold(name):
            return g
    listed = ", ".join(f"“{g.name}”" for g in grids)
    raise ArgumentError(f"tệp không có trang tính “{name}” — các trang tính của tệp: {listed}")


# What each kind of file needs, said when a file holds none of it.
EXPECTED = {
    "indices": "cần một bảng kết quả chỉ số: một cột tên tỉnh/đơn vị và các cột điểm, xếp hạng hoặc tên chỉ số "
               "thành phần (ví dụ “Tỉnh, thành phố | Điểm PCI | Xếp hạng | Gia nhập thị trường …”), hoặc mẫu chuẩn "
               "chỉ số (lệnh template indices)",
    "targets": "cần một bảng kế hoạch, chỉ tiêu của đơn vị (ví dụ “STT | Nội dung | Kế hoạch năm”) hoặc mẫu chuẩn "
               "(lệnh template targets)",
    None: "cần một bảng có dòng tiêu đề (ví dụ “STT | Nội dung | Kế hoạch năm | Kết quả thực hiện”) hoặc mẫu chuẩn "
          "(lệnh template)",
}
EXPECTED["activities"] = EXPECTED[None]


_MOTTO_RE = re.compile(r"^(cong hoa xa hoi chu nghia viet nam|doc lap tu do hanh phuc)$")


def _title_of(grid: Grid, upto: int) -> str | None:
    """The line that says what a sheet is: the longest title in capitals ("CÂN ĐỐI NGÂN SÁCH NHÀ NƯỚC NĂM 2017"),
    not the national motto, an agency's name or a form's number; else the longest line above the table."""
    lines = [t.split("\n")[0] for _, _, t in title_lines(grid, upto)]
    lines = [t for t in lines if len(t) >= 12 and not _MOTTO_RE.match(fold(t)) and not fold(t).startswith("don vi tinh")]
    capitals = [t for t in lines if len(t.split()) >= 4 and sum(ch.isupper() for ch in t) >= 0.7 * sum(
        ch.isalpha() for ch in t)]
    pool = capitals or lines
    return max(pool, key=len) if pool else None


def nothing_found(ctx: Context, seen: list[tuple[Grid, Table | None]], web_page: bool) -> str:
    """The refusal of a file with no table of the kind asked: what the file holds (its title and columns, sheet
    by sheet), and what the kind chosen needs."""
    shown = []
    for grid, table in seen[:3]:
        upto = table.header_rows[0] if table is not None else min(grid.nrows, 15)
        title = _title_of(grid, upto)
        bits = [f"tiêu đề “{title}”"] if title else []
        if table is not None:
            labels = list(dict.fromkeys(_short(" / ".join(p for p in col.parts if not NUMBERING_CELL_RE.match(p)))
                                        for col in table.columns if col.parts))[:5]
            bits.append("các cột “" + " | ".join(labels) + "”")
        else:
            bits.append("không có dòng tiêu đề bảng")
        shown.append(f"trang “{grid.name}”: " + ", ".join(bits))
    more = f"; và {len(seen) - 3} trang tính khác" if len(seen) > 3 else ""
    what = "là một trang web (HTML) lưu với tên tệp bảng tính" if web_page else f"có {len(seen)} trang tính"
    kind = {"indices": "kết quả chỉ số", "targets": "kế hoạch, chỉ tiêu"}.get(ctx.kind, "báo cáo CCHC")
    lacks = ("không có cột tên tỉnh/đơn vị nào đi cùng cột điểm, xếp hạng hay tên chỉ số thành phần"
             if ctx.kind == "indices" else "không có tên chỉ tiêu CCHC, đơn vị hay tỉnh nào của danh mục")
    return (f"tệp {what}: " + "; ".join(shown) + more + f" — không tìm thấy bảng số liệu nào ({kind}): {lacks}; "
            + EXPECTED.get(ctx.kind))


def _short(text: str, most: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"


def _looks_like_instructions(grid: Grid) -> bool:
    """The templates' own instructions and list sheets (and their usual names in other workbooks)."""
    return fold(grid.name) in ("huong dan", "huong dan nhap lieu", "danh muc", "instructions", "readme", "ghi chu")


def _parsed(ctx: Context, file_name: str, content: bytes, uploaded_by: str | None) -> Parsed:
    kind = ctx.kind
    if kind is None:
        if ctx.indices or ctx.index_targets:
            kind = "indices"
        elif ctx.activities or ctx.spans:
            kind = "activities"
        elif ctx.targets:
            kind = "targets"
        else:
            kind = "activities"
    units = sorted(ctx.units_seen)
    periods = sorted(ctx.periods_seen, key=lambda p: (p[0], p[1] or 0))
    years = {p[0] for p in periods} | {r.year for r in ctx.indices.values()}  # an index table: its year
    quarters = {p[1] for p in periods if p[1] is not None}
    reports = ctx.reports_seen if kind == "activities" else set()
    report = next(iter(reports)) if len(reports) == 1 else None
    batch = Batch(
        kind=kind, file_name=os.path.basename(file_name or "") or None, content=content, uploaded_by=uploaded_by,
        unit_code=units[0] if len(units) == 1 else None,
        year=next(iter(years)) if len(years) == 1 else None,
        quarter=(report.quarter.quarter if report is not None and report.is_quarter else None) if reports else (
            next(iter(quarters)) if len(quarters) == 1 and len(years) == 1 else None),
        period=report.code if report is not None else None,
        activities=list(ctx.activities.values()), spans=list(ctx.spans.values()), targets=list(ctx.targets.values()),
        indices=list(ctx.indices.values()), index_targets=list(ctx.index_targets.values()),
    )
    if kind == "indices" and len({r.index_code for r in batch.indices}) == 1:
        batch.note = f"{batch.indices[0].index_code}"
    problems: Problems = ctx.problems
    if not problems.errors and batch.rows == 0:
        problems.error(None, None, None, "tệp không có dòng số liệu nào để nạp — hãy kiểm tra các cảnh báo")
    return Parsed(os.path.basename(file_name or ""), kind, batch, collapse_repeats(problems.errors),
                  list(problems.warnings), list(ctx.layouts))


# --- loading ------------------------------------------------------------------------------------


def load_file(con, file_name: str, content: bytes, unit: str | None = None, period: str | None = None,
              kind: str | None = None, uploaded_by: str | None = None, dry_run: bool = False, *,
              index: str | None = None, max_bytes: int | None = None, sheet: str | None = None,
              confirmed: bool = False) -> LoadReport:
    """Read the file and, if it has no errors and dry_run is False, write it as one batch.

    Status 'refused' (errors; nothing written; also values past a plausible bound without `confirmed`),
    'dry-run' (checked only), 'loaded' (written; the very same file loaded before gives its existing batch,
    noted in the warnings). Raises UnusableFileError and ArgumentError like read_file."""
    parsed = read_file(con, file_name, content, unit, period, kind, index=index, uploaded_by=uploaded_by,
                       max_bytes=max_bytes, sheet=sheet)
    warnings = list(parsed.warnings)
    errors = list(parsed.errors)
    if not errors and parsed.to_confirm and not confirmed and not dry_run:
        errors.append(LoadError(None, None, None, unconfirmed_message(len(parsed.to_confirm), "thêm --confirm")))
    if errors:
        return LoadReport("refused", parsed.file_name, parsed.kind, None, 0, errors, warnings,
                          layouts=parsed.layouts)
    if dry_run:
        return LoadReport("dry-run", parsed.file_name, parsed.kind, None, parsed.rows, [], warnings,
                          layouts=parsed.layouts)
    if any(r.entity_code for r in parsed.batch.indices):
        _ensure_unit_entities(con)
    result = write_batch(con, parsed.batch)
    if not result.created:
        warnings.append(LoadWarning(None, None, None, f"tệp này đã được nạp trước đó (lô số {result.batch_id}) — "
                                                      "không nạp lại"))
    return LoadReport("loaded", parsed.file_name, parsed.kind, result.batch_id, parsed.rows, [], warnings,
                      created=result.created, layouts=parsed.layouts)


def unconfirmed_message(n: int, how: str) -> str:
    """Why a file with values past their plausible bound was not written, and how to confirm them."""
    return (f"{n} số vượt mức hợp lý của chỉ tiêu (xem các lưu ý) — chưa ghi gì; kiểm tra lại, số đúng thì xác "
            f"nhận ({how})")


def _ensure_unit_entities(con) -> None:
    """Units added after `init` are index entities too (internal indices): make sure each has its row."""
    try:
        missing = con.execute("SELECT count(*) FROM unit WHERE code NOT IN (SELECT code FROM entity)").fetchone()[0]
    except Exception:  # noqa: BLE001
        return
    if missing:
        from loaders.registry.reference import registry_unit_entities

        registry_unit_entities(con)


__all__ = ["read_file", "load_file", "Parsed", "LoadReport", "ArgumentError", "UnusableFileError", "LoadError",
           "report_period", "make_context"]
