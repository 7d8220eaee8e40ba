"""What every layout loader shares: the registries, the arguments, the problems found so far, and
the rows accepted so far (with the check that one key never gets two different values).

Cell values go through `number_at` (Vietnamese numbers, percent-formatted cells) and
`metric_value` (count / rate rules); places are always (sheet, Excel row, Excel column letters).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from core.matching import Match, MatchError
from core.numbers import auto
from core.periods import NAMED_YEAR_RE, Period, find_period, quarter_label
from core.rules import MAX_VALUE, period_not_begun, valid_year
from core.text import NumberError, fold, nfc, parse_number
from loaders.errors import ConfirmWarning, Problems
from loaders.files.workbook import DOT_THOUSANDS_RE, Grid, cell_text, col_letter, is_blank
from loaders.layouts.entities import EntityResolver
from loaders.layouts.table import DATE_LINE_RE, titles_above
from loaders.registry.registries import Registry
from loaders.store.batches import ActivityRow, IndexRow, IndexTargetRow, SpanRow, TargetRow

KINDS = ("activities", "targets", "indices")


_LETTERS: dict[int, str] = {}


def letter(c: int) -> str:
    """Excel letters of a 0-based column (cached: a roll-up asks for them 70,000 times)."""
    s = _LETTERS.get(c)
    if s is None:
        s = _LETTERS[c] = col_letter(c)
    return s


def fmt_number(x: float | None) -> str:
    """12 -> '12', 1250 -> '1.250', 88.5 -> '88,5' (how a Vietnamese user writes numbers)."""
    return "(trống)" if x is None else auto(x, 4)


class CellValueError(ValueError):
    """A cell that should hold a number does not: the message says what was found and what is expected."""


@dataclass
class Context:
    registry: Registry
    con: object | None = None
    file_name: str = ""
    kind: str | None = None  # the kind asked for (--kind), None: detect
    unit: Match | None = None  # from the argument
    year: int | None = None  # from the argument
    quarter: int | None = None
    index_code: str | None = None
    problems: Problems = field(default_factory=Problems)
    period: Period | None = None  # the argument's period (a quarter, a month, six months, a year...)
    activities: dict = field(default_factory=dict)
    spans: dict = field(default_factory=dict)  # values of other spans than one quarter (SpanRow)
    reports_seen: set = field(default_factory=set)  # the periods the sheets (rows, for the tidy form) report
    targets: dict = field(default_factory=dict)
    indices: dict = field(default_factory=dict)
    index_targets: dict = field(default_factory=dict)
    layouts: list = field(default_factory=list)  # (sheet, layout) read
    index_sheets: list = field(default_factory=list)  # index tables read, loaded by index_table.finish
    units_seen: set = field(default_factory=set)
    periods_seen: set = field(default_factory=set)
    _entities: object = None
    _match_cache: dict = field(default_factory=dict, repr=False)
    _exact_index: dict = field(default_factory=dict, repr=False)
    _kinds: dict = field(default_factory=dict, repr=False)
    _not_begun_seen: set = field(default_factory=set, repr=False)

    # --- problems -------------------------------------------------------------------------------
    def error(self, grid: Grid | str | None, r: int | None, c: int | None, message: str, cause: str | None = None,
              detail: str | None = None):
        """An error at (sheet, row, column); with a `cause`, errors of that cause on the sheet make one message."""
        sheet = grid.name if isinstance(grid, Grid) else grid
        self.problems.error(sheet, None if r is None else r + 1, None if c is None else letter(c), message,
                            cause, detail)

    def warn(self, grid: Grid | str | None, r: int | None, c: int | None, message: str, cause: str | None = None,
             detail: str | None = None):
        sheet = grid.name if isinstance(grid, Grid) else grid
        self.problems.warn(sheet, None if r is None else r + 1, None if c is None else letter(c), message,
                           cause, detail)

    # --- names ----------------------------------------------------------------------------------
    def _match(self, which: str, matcher, text: str) -> Match:
        """Matcher.match with a cache (a roll-up repeats the same names thousands of times) and an
        exact-key shortcut (a roll-up of 4,000 communes names 4,000 different units)."""
        key = (which, nfc(text))
        result = self._match_cache.get(key)
        if result is None:
            result = self._exact(which, matcher, key[1])
            if result is None:
                try:
                    result = matcher.match(key[1])
                except MatchError as exc:
                    result = exc
            self._match_cache[key] = result
        if isinstance(result, MatchError):
            raise result
        return result

    def _exact(self, which: str, matcher, text: str) -> Match | None:
        """The answer Matcher.match gives when the folded key of `text` is exactly a registered key of
        one code and no other code has a key with the same words in another order (token_sort_ratio
        reaches 100 only then, and Matcher.match refuses two codes at 100): found without scoring
        every key. None: ask Matcher.match."""
        index = self._exact_index.get(which)
        if index is None:
            exact, by_words = {}, {}
            for cand, code in getattr(matcher, "_keys", []):
                exact.setdefault(cand, set()).add(code)
                by_words.setdefault(" ".join(sorted(cand.split())), set()).add(code)
            index = self._exact_index[which] = (exact, by_words)
        if not fold(text):
            return None
        k = matcher.key(text)
        codes = index[0].get(k)
        if codes is None or len(codes) != 1 or index[1].get(" ".join(sorted(k.split()))) != codes:
            return None
        code = next(iter(codes))
        return Match(code, matcher.name_of(code), 100.0)

    def probe(self, which: str, text: str) -> bool:
        """Does `text` name a unit / an indicator / a province? For layout detection: exact keys always; the full
        (slower) scoring only while the registry is small."""
        matcher = {"unit": lambda: self.registry.unit_matcher, "indicator": lambda: self.registry.indicator_matcher,
                   "province": lambda: self.entities.province_matcher}[which]()
        if (which, nfc(text)) not in self._match_cache and len(getattr(matcher, "_keys", ())) > 600:
            return self._exact(which, matcher, nfc(text)) is not None
        try:
            self._match(which, matcher, text)
            return True
        except MatchError as exc:
            return exc.ambiguous  # close to two names: still one of ours (the loader will ask which)

    def match_unit(self, text: str) -> Match:
        return self._match("unit", self.registry.unit_matcher, text)

    def match_indicator(self, text: str) -> Match:
        return self._match("indicator", self.registry.indicator_matcher, text)

    def match_index(self, text: str) -> Match:
        return self._match("index", self.registry.index_matcher, text)

    def match_component(self, index_code: str, text: str, year: int | None = None) -> Match:
        """The component `text` names, among those of `year`'s methodology when a year is given."""
        return self._match(f"component:{index_code}:{year}", self.registry.component_matcher(index_code, year), text)

    def indicator_kind(self, code: str) -> str:
        kind = self._kinds.get(code)
        if kind is None:
            kind = self._kinds[code] = self.registry.indicator(code)["kind"]
        return kind

    def indicator_name(self, code: str) -> str:
        return self.registry.indicator_matcher.name_of(code)

    def unit_name(self, code: str) -> str:
        return self.registry.unit_matcher.name_of(code)

    @property
    def entities(self):
        if self._entities is None:
            self._entities = EntityResolver(self.registry, self.con)
        return self._entities

    # --- values ---------------------------------------------------------------------------------
    def metric_value(self, grid: Grid, r: int, c: int, metric_code: str, what: str = "") -> float | None:
        """The value of one indicator cell, checked: None (with an error or a warning) when unusable."""
        v = grid.cells[r][c] if c < len(grid.cells[r]) else None
        if type(v) is float and 0 <= v <= MAX_VALUE:  # most cells: a number Excel already stored (fast path)
            x = v
        else:
            try:
                x = number_at(grid, r, c)
            except CellValueError as exc:
                self.error(grid, r, c, f"{exc}{what}")
                return None
            if x is None:
                return None
        kind = self.indicator_kind(metric_code)
        if kind == "rate":
            name = self.indicator_name(metric_code)
            if grid.is_percent(r, c) and -1.0 <= x <= 1.0 + 1e-9:
                x = round(x * 100, 10)
            elif 0 < x < 1:
                self.warn(grid, r, c, f"tỷ lệ {fmt_number(x)}% rất nhỏ — nếu ý là {fmt_number(x * 100)}% hãy ghi "
                                      f"{fmt_number(x * 100)} (tỷ lệ ghi theo phần trăm, từ 0 đến 100)")
            if x < 0:
                self.error(grid, r, c, f"tỷ lệ “{cell_text(grid.value(r, c))}” là số âm — “{name}” cần một tỷ lệ "
                                       "từ 0 đến 100 (%)")
                return None
            if x > 100 + 1e-9:
                self.error(grid, r, c, f"tỷ lệ {fmt_number(x)} vượt quá 100% — “{name}” cần một tỷ lệ từ 0 đến 100 (%)")
                return None
        elif x < 0 or x != int(x):
            name = self.indicator_name(metric_code)
            if x < 0:
                self.error(grid, r, c, f"số âm “{cell_text(grid.value(r, c))}” — “{name}” là số lượng, cần một số "
                                       "từ 0 trở lên")
                return None
            if abs(x - round(x)) > 1e-9:
                self.error(grid, r, c, f"“{cell_text(grid.value(r, c))}” không phải số nguyên — “{name}” là số lượng, "
                                       "cần một số nguyên (nếu gõ 1.250 mà Excel hiểu thành 1,25, hãy định dạng ô là "
                                       "Text hoặc gõ 1250)")
                return None
        bound = self.indicator_bound(metric_code)
        if bound is not None and x > bound:
            self.problems.add(ConfirmWarning(grid.name, r + 1, letter(c), (
                f"{fmt_number(x)} “{self.indicator_name(metric_code)}” vượt mức hợp lý {fmt_number(bound)} của một đơn vị "
                "trong một kỳ — hãy kiểm tra lại; số đúng thì xác nhận khi ghi")))
        return x

    def indicator_bound(self, code: str) -> float | None:
        """The plausible bound of a count indicator (the registry's max_plausible), None when it has none."""
        key = ("bound", code)
        if key not in self._kinds:
            bound = self.registry.indicator(code).get("max_plausible")
            self._kinds[key] = None if bound is None or (isinstance(bound, float) and math.isnan(bound)) else float(bound)
        return self._kinds[key]

    # --- rows -----------------------------------------------------------------------------------
    def add_activity(self, grid: Grid, r: int, c: int, unit: str, year: int, quarter: int, metric: str,
                     value: float) -> None:
        if (year, quarter) not in self.periods_seen and self._not_begun(grid, r, c, Period.of_quarter(year, quarter)):
            return
        key = (unit, year, quarter, metric)
        row = ActivityRow(unit, year, quarter, metric, value, grid.name, r + 1, letter(c))
        existing = self.activities.get(key)
        if existing is None:  # the common case, kept short: a roll-up adds 70,000 values
            self.activities[key] = row
            self.units_seen.add(unit)
            self.periods_seen.add((year, quarter))
            return
        self._same_key(self.activities, key, row, grid, r, c,
                       lambda: f"“{self.indicator_name(metric)}” — {self.unit_name(unit)}, {quarter_label(year, quarter)}")

    def _not_begun(self, grid: Grid, r: int, c: int, period: Period) -> bool:
        """Results for a period that has not begun are refused: one error, at the first cell of that period."""
        if not period_not_begun(period.end, period.n_months):
            return False
        if period.code not in self._not_begun_seen:
            self._not_begun_seen.add(period.code)
            self.error(grid, r, c, f"{period.label} chưa bắt đầu — không nhận kết quả của kỳ chưa tới "
                                   "(kiểm tra năm, kỳ trong tiêu đề hoặc cột Kỳ)")
        return True

    def add_target(self, grid: Grid, r: int, c: int, unit: str, year: int, quarter: int | None, metric: str,
                   value: float, per: str | None = None) -> None:
        key = (unit, year, quarter, metric)
        row = TargetRow(unit, year, quarter, metric, value, grid.name, r + 1, letter(c), per=per)
        if self._same_key(self.targets, key, row, grid, r, c,
                          lambda: f"kế hoạch “{self.indicator_name(metric)}” — {self.unit_name(unit)}, "
                                  f"{quarter_label(year, quarter) if quarter else f'cả năm {year}'}"):
            self.units_seen.add(unit)
            self.periods_seen.add((year, quarter))

    def add_value(self, grid: Grid, r: int, c: int, unit: str, period: Period, metric: str, value: float,
                  weight: float | None = None) -> None:
        """A value of any period: a quarter's goes with the quarters (v_activity's grain), any other span (and a
        weighted value of a month or more) with the spans."""
        if period.is_quarter:
            if weight is not None:
                self.warn(grid, r, c, f"trọng số của {period.label} không được dùng: số liệu quý lấy theo giá trị "
                                      "(trọng số chỉ dùng để tính tỷ lệ của quý từ số liệu các tháng)")
            self.add_activity(grid, r, c, unit, period.year, period.quarter.quarter, metric, value)
            return
        if self._not_begun(grid, r, c, period):
            return
        key = (unit, period.year, period.first, period.last, metric)
        row = SpanRow(unit, period.year, period.first, period.last, metric, value, weight, grid.name, r + 1,
                      letter(c))
        if self._same_key(self.spans, key, row, grid, r, c,
                          lambda: f"“{self.indicator_name(metric)}” — {self.unit_name(unit)}, {period.label}"):
            self.units_seen.add(unit)
            self.periods_seen.add((period.year, None))

    def add_index(self, grid: Grid, r: int, c: int | None, row: IndexRow, label: str) -> None:
        key = (row.index_code, row.year, row.entity_code, row.component_code)
        existing = self.indices.get(key)
        if existing is not None and (existing.score, existing.rank) != (row.score, row.rank):
            if existing.score is None or row.score is None or existing.score == row.score:
                # one place gives the score, another the rank: keep both
                self.indices[key] = IndexRow(
                    row.index_code, row.year, row.entity_code, row.component_code,
                    existing.score if existing.score is not None else row.score,
                    existing.rank if existing.rank is not None else row.rank,
                    existing.rank_of or row.rank_of, existing.source or row.source,
                    existing.note or row.note, existing.sheet, existing.row, existing.col)
                if (existing.rank is None or row.rank is None or existing.rank == row.rank):
                    return
            self.error(grid, r, c, f"{label} xuất hiện hai lần với hai giá trị khác nhau: "
                                   f"{_show(existing.score, existing.rank)} ({_where(existing)}) và "
                                   f"{_show(row.score, row.rank)} — mỗi tỉnh/đơn vị chỉ được một giá trị")
            return
        if existing is not None:
            self.warn(grid, r, c, f"{label} lặp lại với cùng giá trị như {_where(existing)} — chỉ nạp một lần")
            return
        self.indices[key] = row

    def add_index_target(self, row: IndexTargetRow) -> None:
        self.index_targets[(row.index_code, row.year, row.entity_code, row.component_code)] = row

    def _same_key(self, store: dict, key, row, grid: Grid, r: int, c: int, label) -> bool:
        existing = store.get(key)
        if existing is None:
            store[key] = row
            return True
        if existing.value == row.value:
            self.warn(grid, r, c, f"{label()}: lặp lại với cùng giá trị {fmt_number(row.value)} như ở {_where(existing)}"
                                  " — chỉ nạp một lần")
            return False
        self.error(grid, r, c, f"{label()}: xuất hiện hai lần với hai giá trị khác nhau — {fmt_number(existing.value)} "
                               f"({_where(existing)}) và {fmt_number(row.value)} (ở đây); mỗi đơn vị/kỳ/chỉ tiêu "
                               "chỉ được một giá trị")
        return False


def _where(row) -> str:
    parts = []
    if row.sheet:
        parts.append(f"trang “{row.sheet}”")
    if row.row:
        parts.append(f"dòng {row.row}")
    if row.col:
        parts.append(f"cột {row.col}")
    return ", ".join(parts)


def _show(score, rank) -> str:
    bits = []
    if score is not None:
        bits.append(f"điểm {fmt_number(score)}")
    if rank is not None:
        bits.append(f"hạng {rank}")
    return ", ".join(bits) or "(trống)"


def number_at(grid: Grid, r: int, c: int) -> float | None:
    """A cell as a number: numeric cells as they are, text through parse_number ("1.250", "88,5").
    None for an empty cell; CellValueError (Vietnamese) for text, dates and logical values."""
    v = grid.value(r, c)
    if isinstance(v, float) and math.isnan(v):
        raise CellValueError("ô chứa giá trị không phải số (NaN) — cần một số")
    if is_blank(v):
        return None
    if isinstance(v, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise CellValueError(
            f"ô chứa ngày tháng “{cell_text(v)}” — cần một số (Excel có thể đã tự đổi số như “12.3” thành ngày; "
            "hãy định dạng ô là Number hoặc Text rồi gõ lại)")
    if isinstance(v, bool):
        raise CellValueError(f"ô chứa giá trị logic “{cell_text(v)}” — cần một số")
    if isinstance(v, str) and v.strip().startswith("#"):
        raise CellValueError(f"ô chứa lỗi công thức “{nfc(v)}” — cần một số")
    if isinstance(v, str) and grid.dot_decimal(c) and DOT_THOUSANDS_RE.match(v.strip()):
        return in_range(float(v.strip()))  # '48.881' in a column that writes '74.84': the dot is the decimal mark
    try:
        x = parse_number(v)
    except NumberError:
        raise CellValueError(f"ô chứa chữ “{cell_text(v)}” — cần một số (ví dụ 12; 1.250; 88,5)") from None
    return in_range(x)


def in_range(x: float | None) -> float | None:
    """A number a report can hold (core.rules.MAX_VALUE); CellValueError for infinity or a giant magnitude."""
    if x is None:
        return None
    if not math.isfinite(x):
        raise CellValueError("ô chứa giá trị vô hạn (inf) — cần một số")
    if abs(x) > MAX_VALUE:
        raise CellValueError(f"số {x:.6g} quá lớn (vượt giới hạn {fmt_number(MAX_VALUE)}) — kiểm tra lại ô này")
    return x


def match_message(exc: MatchError, what: str) -> str:
    """MatchError's message, naming what was looked for ('đơn vị', 'chỉ tiêu'...)."""
    return exc.message(what)


PERIOD_HINT = ("hãy ghi rõ trong tiêu đề (ví dụ “Quý III năm 2025”, “tháng 8/2025”, “6 tháng đầu năm 2025”, “cả năm "
               "2025”) hoặc chọn kỳ (--period 2025-Q3)")


def unknown_period(ctx: Context, grid: Grid, what: str) -> None:
    """The error of a report whose year or period (`what`: 'năm' / 'kỳ') nothing names."""
    ctx.error(grid, None, None, f"không xác định được {what} báo cáo — {PERIOD_HINT}")


def looks_like_name(text: str) -> bool:
    """A label worth matching (not a number, not a lone symbol)."""
    f = fold(text)
    return bool(f) and not f.replace(" ", "").isdigit()


# --- the sheet's own statement of period and unit -------------------------------------------------

_UNIT_LINE_RE = re.compile(r"^(?:ten )?(?:don vi|co quan)(?: bao cao| thuc hien)?\s*:\s*(.+)$")
_UNIT_WORDS = ("so ", "ban ", "van phong", "thanh tra", "bao ", "dai ", "ubnd ", "uy ban", "phong ", "trung tam",
               "chi cuc", "vp ", "cong an", "bo chi huy", "kho bac", "cuc ", "xa ", "phuong ", "thi tran", "huyen ",
               "thanh pho", "tp ", "thi xa")


def sheet_period(ctx: Context, grid: Grid, table) -> tuple[int | None, Period | None]:
    """(year, period) of a sheet: the argument when given (an error if the title says otherwise), else the title
    ('Quý III năm 2025', 'BÁO CÁO 6 THÁNG ĐẦU NĂM 2025', 'tháng 8/2025'), the sheet name, the file name; a title
    naming only its year gives (year, None): the columns then say which period."""
    found_p = found_y = None
    for r, c, text in titles_above(grid, table):
        f = fold(text)
        if DATE_LINE_RE.search(f):
            continue  # '..., ngày 05 tháng 10 năm 2025' is when the report was signed, not its period
        p = find_period(text)
        if p is not None and found_p is None:
            found_p = (p, r, c, text)
        m = NAMED_YEAR_RE.search(f)
        if m and found_y is None and valid_year(m.group(1)):
            found_y = (int(m.group(1)), r, c, text)
    if ctx.period is not None:
        asked = ctx.period
        # annual targets may be read from a report of any period of their year
        same = found_p is None or found_p[0] == asked or (
            ctx.kind == "targets" and asked.kind == "year" and found_p[0].year == asked.year)
        if not same:
            p, r, c, text = found_p
            what = f"({p.label})" if p.year == asked.year else f"(năm {p.year})"
            ctx.error(grid, r, c, f"tiêu đề ghi “{text}” {what} nhưng kỳ báo cáo được chọn là {asked.label} — hãy "
                                  "kiểm tra lại tệp hoặc kỳ báo cáo (--period)")
        elif not found_p and found_y and found_y[0] != asked.year:
            ctx.error(grid, found_y[1], found_y[2],
                      f"tiêu đề ghi “{found_y[3]}” (năm {found_y[0]}) nhưng kỳ được chọn thuộc năm {asked.year} — "
                      "hãy kiểm tra lại tệp hoặc kỳ báo cáo (--period)")
        return asked.year, asked
    if found_p:
        return found_p[0].year, found_p[0]
    for source, text in (("tên trang tính", grid.name), ("tên tệp", _base_name(ctx.file_name))):
        p = find_period(text)
        if p is not None:
            if found_y and found_y[0] != p.year:
                continue
            ctx.warn(grid, None, None, f"kỳ báo cáo {p.label} được lấy từ {source} “{text}”")
            return p.year, p
    if found_y:
        return found_y[0], None
    return None, None


def _base_name(file_name: str) -> str:
    import os

    return os.path.splitext(os.path.basename(file_name or ""))[0]


def sheet_unit(ctx: Context, grid: Grid, table) -> str | None:
    """The reporting unit of a sheet: the argument (an error if the letterhead names another unit),
    else the letterhead / 'Đơn vị: …' line / sheet name. None (no error) when nothing names one."""
    found: dict[str, tuple[int, int, str]] = {}
    for r, c, text in titles_above(grid, table):
        f = fold(text)
        if len(f) > 120:
            continue
        m = _UNIT_LINE_RE.match(f)
        if m:
            raw = text.split(":", 1)[1].strip()
            try:
                found.setdefault(ctx.match_unit(raw).code, (r, c, text))
            except MatchError as exc:
                ctx.error(grid, r, c, f"{match_message(exc, 'đơn vị')} — cần tên một đơn vị trong danh mục")
            continue
        if len(f) <= 70:
            try:
                found.setdefault(ctx.match_unit(text).code, (r, c, text))
                continue
            except MatchError:
                pass
        if f.startswith(_UNIT_WORDS) and len(f) <= 90:
            hit = ctx.registry.unit_matcher.find_in(text)
            if hit is not None:
                found.setdefault(hit.code, (r, c, text))
    if not found:
        try:
            found[ctx.match_unit(grid.name).code] = (None, None, grid.name)
        except MatchError:
            pass
    if ctx.unit is not None:
        others = {code: place for code, place in found.items() if code != ctx.unit.code}
        if others and ctx.unit.code not in found:
            code, (r, c, text) = next(iter(others.items()))
            ctx.error(grid, r, c, f"tiêu đề ghi đơn vị “{text}” ({ctx.unit_name(code)}) nhưng đơn vị được chọn là "
                                  f"{ctx.unit.name} — hãy kiểm tra lại tệp hoặc đơn vị (--unit)")
        return ctx.unit.code
    if len(found) > 1:
        names = ", ".join(ctx.unit_name(c) for c in found)
        r, c, _ = next(iter(found.values()))
        ctx.error(grid, r, c, f"tiêu đề nhắc tới nhiều đơn vị ({names}) — hãy chọn đơn vị báo cáo (--unit)")
        return None
    return next(iter(found), None)
