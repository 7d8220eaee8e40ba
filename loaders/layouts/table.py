"""Find the table inside a grid: the header block, what each column means, what kind each body row is.

Real Vietnamese reports wrap their table in a letterhead, titles, two-row merged headers, a numbering
row "(1) (2) (3)", Roman-numeral section rows, totals, notes and a signature block. This module finds
the header block (`find_table`), names what each column means (`Column`), and classifies body rows
(`RowKind`). It knows nothing about the registries: callers pass a scoring function when header
detection should count indicator names. The grids come from `loaders.files.workbook`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable, Iterable

from core.periods import (
    ESTIMATE_RE,
    MONTH_WORD_RE,
    MONTHS_COUNT_RE,
    QUARTER_WORD_RE,
    TO_DATE_RE,
    YEAR_RE,
    quarter_in,
    span_in,
    year_in,
)
from core.text import fold, nfc
from loaders.files.workbook import Grid, cell_text, col_letter, is_blank, is_number_like

# --- vocabulary ---------------------------------------------------------------------------------

_ROMAN = r"(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii|xiii|xiv|xv)"
ROMAN_RE = re.compile(rf"^{_ROMAN}$", re.I)

# Each role: a pattern that may stand anywhere in a header part (folded text).
ROLE_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("note", re.compile(r"\b(ghi chu|chu thich)\b")),
    ("uom", re.compile(r"^(don vi tinh|dvt|dv tinh|don vi do)$")),
    ("stt", re.compile(r"^(stt|tt|so tt|so thu tu|thu tu)$")),
    ("compare", re.compile(
        r"\b(so voi|so sanh|cung ky|tang giam|tang \(?\+\)? giam|chenh lech|ty le (dat|hoan thanh|thuc hien)"
        r"|muc do hoan thanh|dat so voi|ty le so voi|ty le ke hoach|ty le kh|tien do|danh gia)\b")),
    ("plan", re.compile(
        r"\b(ke hoach|chi tieu (nam|giao|duoc giao|ke hoach|kh|phan dau)|kh (nam|giao)|muc tieu|phan dau)\b|^kh$")),
    ("ytd", re.compile(
        r"\b(luy ke|tu dau nam|(\d{1,2}|sau|chin|muoi hai) thang|ca nam|uoc (thuc hien|th|ca nam)"
        r"|nam \d{4} \(ca nam\))\b")),
    ("actual", re.compile(
        r"\b(ket qua thuc hien|ket qua|thuc hien|so lieu|trong quy|trong ky|ky bao cao|quy nay|phat sinh"
        r"|da thuc hien)\b|^th$")),
    ("rank", re.compile(r"\b(xep hang|thu hang|vi tri xep hang|thu bac|xep thu)\b|^(hang|vi tri)$")),
    ("score", re.compile(r"\b(tong diem|diem so|diem tong hop|diem)\b|^(chi so|gia tri chi so)$")),
    ("grade", re.compile(r"\b(xep loai|nhom|phan loai|hang muc)\b")),
    ("entity", re.compile(
        r"^(ten )?(don vi|co quan|co quan don vi|co quan, don vi|don vi bao cao|don vi thuc hien|so ban nganh"
        r"|so nganh|cac so ban nganh|dia phuong|tinh thanh pho|tinh thanh|tinh tp|tinh|xa phuong|dia ban"
        r"|tinh thanh pho truc thuoc trung uong|doi tuong danh gia|khoi)$")),
    ("label", re.compile(
        r"^(noi dung|ten chi tieu|chi tieu|noi dung chi tieu|nhiem vu|hoat dong|hinh thuc|hinh thuc tuyen truyen"
        r"|noi dung tuyen truyen|noi dung cong viec|danh muc|linh vuc|cac chi tieu|chi tieu thong ke|ten hoat dong"
        r"|noi dung hoat dong|cac noi dung|noi dung thuc hien|ten nhiem vu)$")),
    ("value", re.compile(r"^(gia tri|so luong|value|so|ty le)$")),
]
# Words left over in a header part that name nothing.
_RESIDUE_NOISE = frozenset("nam quy thang cua va trong tai theo den het tu ngay so dau cuoi dat duoc %".split())

HEADER_HINT_RE = re.compile(
    r"\b(stt|tt|don vi|noi dung|chi tieu|ke hoach|ket qua|thuc hien|luy ke|ghi chu|xep hang|thu hang|diem|ty le"
    r"|so sanh|dvt|don vi tinh|tinh thanh|dia phuong|co quan|quy (i|ii|iii|iv|[1-4])|nhiem vu|hoat dong|muc tieu"
    r"|so luong|gia tri|chi so|hang|nam|thang|tinh|xa phuong|quy|ky|year|quarter|unit|indicator|metric|value|index"
    r"|province|entity|score|rank|component|source|nguon|thanh phan|target|actual)\b"
)

TOTAL_RE = re.compile(
    r"^(tong cong|cong|tong|tong so|tong hop|toan tinh|toan nganh|toan quoc|ca nuoc|tinh chung|chung|trung binh"
    r"|binh quan|trung vi|gia tri trung binh|diem trung binh|cong toan tinh|tong toan tinh|tong cong toan tinh"
    r"|trung binh ca nuoc|binh quan chung|tong so toan tinh|cong chung|tong cong chung)"
    r"( (toan tinh|toan nganh|ca nuoc|cac don vi|chung|khoi|nhom|so ban nganh|cac so|cac xa|cac tinh))*$"
)
NOTE_RE = re.compile(
    r"^(ghi chu|chu thich|luu y|nguon|nguon so lieu|ghi chu:|ghi chu \d|trong do|\*|\(\*\)|chu y|can cu)\b"
)
SIGNATURE_RE = re.compile(
    r"^(nguoi lap( bieu| bang| bao cao)?|nguoi tong hop|nguoi ky|thu truong( don vi| co quan)?|giam doc|pho giam doc"
    r"|chanh van phong|pho chanh van phong|truong ban|pho truong ban|chanh thanh tra|pho chanh thanh tra"
    r"|tong bien tap|chu tich|pho chu tich|kt\.? ?(giam doc|chanh|truong|chu tich|tong)|tm\.? |tl\.? |q\.? ?giam doc"
    r"|noi nhan|xac nhan( cua)?|lanh dao don vi|ke toan|can bo tong hop|ky ten|\(?ky,? ghi ro|\(?ky ten|\(?ky va)"
)
DATE_LINE_RE = re.compile(r"\bngay\s*[\d.…_ ]*\s*thang\s*[\d.…_ ]*\s*nam\s*\d{0,4}\b")
NUMBERING_CELL_RE = re.compile(r"^\(?\s*(\d{1,2}|[a-z]|[ivx]{1,4})\s*\)?\s*(=.*)?$", re.I)
ITEM_PREFIX_RE = re.compile(r"^\s*(?:(?:\d+(?:\.\d+)*|[a-zđ]|[ivxlc]+)\s*[.)/:-]\s*|[-+•*–—·]\s*)", re.I)


def strip_item_prefix(label: str) -> str:
    """'1. Tin bài' -> 'Tin bài', 'a) Video' -> 'Video', '- Tờ rơi' -> 'Tờ rơi'."""
    s = nfc(label)
    for _ in range(2):
        s2 = ITEM_PREFIX_RE.sub("", s, count=1).strip()
        if s2 == s or not s2:
            break
        s = s2
    return s


# --- columns ------------------------------------------------------------------------------------


@dataclass
class Column:
    """What one column of the table holds, read from its (joined) header labels."""

    index: int
    parts: list[str]  # header texts from top to bottom, repeats removed
    roles: set[str] = field(default_factory=set)
    quarter: int | None = None
    year: int | None = None
    names: list[str] = field(default_factory=list)  # candidate names (child-most first), role words removed
    span: tuple[int, int] | None = None  # the months the header names ('Tháng 8', 'Quý III', '6 tháng đầu năm')
    to_date: bool = False  # 'Lũy kế', 'Từ đầu năm': from January to the report's end
    estimate: bool = False  # 'Ước thực hiện': not a result

    @property
    def letter(self) -> str:
        return col_letter(self.index)

    @property
    def label(self) -> str:
        return " / ".join(self.parts)

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def empty(self) -> bool:
        return not self.parts


def interpret_part(text: str) -> tuple[set[str], int | None, int | None, str]:
    """One header text -> (roles, quarter, year, residue). Residue: the words no role explains."""
    f = fold(text)
    roles: set[str] = set()
    q = quarter_in(f)
    y = year_in(f)
    rest = QUARTER_WORD_RE.sub(" ", f)
    if MONTH_WORD_RE.search(rest):
        roles.add("month")
        rest = MONTH_WORD_RE.sub(" ", rest)
    if MONTHS_COUNT_RE.search(rest):
        roles.add("ytd")  # '6 tháng đầu năm', '9 tháng': months from January
        rest = MONTHS_COUNT_RE.sub(" ", rest)
    rest = YEAR_RE.sub(" ", rest)
    rest = " ".join(rest.split())
    if q is not None:
        roles.add("quarter")
    # A role phrase counts where it opens or closes the text ("Kế hoạch năm", "Tin bài thực hiện"), not
    # inside a name ("Tỷ lệ CBCCVC nắm vững mục tiêu, nhiệm vụ CCHC" is not a plan column).
    changed = True
    while changed and rest:
        changed = False
        for role, pat in ROLE_PATTERNS:
            for m in pat.finditer(rest):
                if m.start() == 0 or m.end() == len(rest):
                    roles.add(role)
                    rest = " ".join((rest[:m.start()] + " " + rest[m.end():]).split())
                    changed = True
                    break
    if "actual" in roles and q is None and re.search(r"\bnam \d{4}\b", f):
        roles.add("ytd")  # "Kết quả thực hiện năm 2025": the year so far, not a quarter
    residue = " ".join(w for w in rest.split() if w not in _RESIDUE_NOISE)
    return roles, q, y, residue


def interpret_columns(grid: Grid, header_rows: list[int]) -> list[Column]:
    """Columns of the table whose header occupies `header_rows` (top to bottom)."""
    ncols = grid.ncols
    texts = [[grid.text(r, c) for c in range(ncols)] for r in header_rows]
    # A parent typed once above several children, without merging: carry it to the right.
    for i in range(len(header_rows) - 1):
        parent, child = texts[i], texts[i + 1]
        carry = None
        for c in range(ncols):
            if parent[c]:
                carry = parent[c] if child[c] else None
            elif carry and child[c]:
                parent[c] = carry
            else:
                carry = None
    cols = []
    for c in range(ncols):
        parts: list[str] = []
        for i in range(len(header_rows)):
            t = texts[i][c]
            if t and (not parts or fold(parts[-1]) != fold(t)):
                parts.append(t)
        col = Column(c, parts)
        residues = []
        for p in parts:
            roles, q, y, residue = interpret_part(p)
            col.roles |= roles
            col.quarter = q if q is not None else col.quarter
            col.year = y if y is not None else col.year
            f = fold(p)
            span = span_in(f)
            if span is not None and (col.span is None or span[1] - span[0] < col.span[1] - col.span[0]):
                col.span = span  # the finest period named: 'Quý III' under 'Năm 2025'
            col.to_date |= bool(TO_DATE_RE.search(f))
            col.estimate |= bool(ESTIMATE_RE.search(f))
            if residue:
                residues.append(p)
        if residues:
            # the child-most text first, then the texts joined top to bottom
            col.names = [residues[-1]] + ([" ".join(residues)] if len(residues) > 1 else [])
        cols.append(col)
    return cols


# --- header detection ---------------------------------------------------------------------------

HEADER_SCAN_ROWS = 60  # reports may open with a long letterhead, preamble or notes


def _distinct_cells(grid: Grid, r: int) -> list[tuple[int, object]]:
    """Non-empty cells of a row, one per merged range and per repeated value."""
    out, seen = [], set()
    for c, v in enumerate(grid.row(r)):
        if is_blank(v) or grid.is_copy(r, c) and grid.origin[(r, c)][0] == r:
            continue
        key = cell_text(v)
        if key in seen:
            continue
        seen.add(key)
        out.append((c, v))
    return out


def header_score(grid: Grid, r: int, name_score: Callable[[str], float] | None = None) -> float:
    """How much row r looks like a table header: known header words and names (indicators,
    components...) count for it, numbers against it."""
    score = 0.0
    cells = _distinct_cells(grid, r)
    texts = 0
    for _, v in cells:
        if is_number_like(v):
            score -= 1.0 if not YEAR_RE.fullmatch(cell_text(v)) else 0.0
            continue
        t = cell_text(v)
        if len(t) > 160:
            continue
        texts += 1
        f = fold(t)
        if HEADER_HINT_RE.search(f) and len(f) <= 60:
            score += 1.0
        elif name_score is not None:
            score += name_score(t)
    if texts < 2:
        return min(score, 0.5)
    return score


def is_numbering_row(grid: Grid, r: int) -> bool:
    """'(1) (2) (3)…' or 'A B 1 2 3' under a header."""
    cells = [v for c, v in enumerate(grid.row(r)) if not is_blank(v)]
    if len(cells) < 2:
        return False
    ints = []
    for v in cells:
        t = cell_text(v)
        if not NUMBERING_CELL_RE.match(t):
            return False
        m = re.match(r"^\(?\s*(\d+)", t)
        if m:
            ints.append(int(m.group(1)))
    if len(ints) >= 2:
        # numbering counts up one by one (repeats allowed for merged cells)
        steps = [b - a for a, b in zip(ints, ints[1:])]
        return all(s in (0, 1) for s in steps) and ints[0] <= 2 + len(cells)
    return len(ints) == 0 and len(cells) >= 2


def _row_has_numbers(grid: Grid, r: int) -> bool:
    return any(is_number_like(v) and not YEAR_RE.fullmatch(cell_text(v)) for v in grid.row(r))


def _connected(grid: Grid, upper: int, lower: int) -> bool:
    """True when `lower` continues the header block that `upper` belongs to."""
    if lower >= grid.nrows or upper < 0:
        return False
    if _row_has_numbers(grid, lower) or is_numbering_row(grid, lower):
        return False
    lower_cells = _distinct_cells(grid, lower)
    if not lower_cells:
        return False
    for r0, c0, r1, c1 in grid.merged:
        if r0 <= upper < r1 and lower <= r1 and c1 - c0 < 60:  # a vertical merge spanning both rows
            return True
        if r0 == r1 == upper and c1 > c0:  # a parent spread over children
            children = {cell_text(grid.value(lower, c)) for c in range(c0, c1 + 1) if not is_blank(grid.value(lower, c))}
            if len(children) >= 2:
                return True
    # no merges: both rows made of header words, the lower one with several labels
    upper_cells = _distinct_cells(grid, upper)
    hints = sum(1 for _, v in lower_cells if HEADER_HINT_RE.search(fold(cell_text(v))))
    return len(upper_cells) >= 2 and len(lower_cells) >= 2 and hints >= 2 and hints * 2 >= len(lower_cells)


@dataclass
class Table:
    """Where the table sits in a grid."""

    header_rows: list[int]
    first_body_row: int
    columns: list[Column]
    score: float

    @property
    def stt_column(self) -> int | None:
        """The numbering column ('STT', 'TT'), if the header has one."""
        return next((col.index for col in self.columns if col.has("stt")), None)


def find_table(grid: Grid, name_score: Callable[[str], float] | None = None,
               min_score: float = 2.0) -> Table | None:
    """The header block (up to 3 rows) and the first body row, or None when no row looks like a header."""
    best, best_r = 0.0, None
    for r in range(min(grid.nrows, HEADER_SCAN_ROWS)):
        s = header_score(grid, r, name_score)
        if s > best:
            best, best_r = s, r
    if best_r is None or best < min_score:
        return None
    top = bottom = best_r
    while top - 1 >= 0 and bottom - top < 2 and _connected(grid, top - 1, top) and not _is_title_row(grid, top - 1):
        top -= 1
    while bottom - top < 2 and _connected(grid, bottom, bottom + 1):
        bottom += 1
    rows = list(range(top, bottom + 1))
    body = bottom + 1
    for _ in range(2):
        if body < grid.nrows and is_numbering_row(grid, body):
            body += 1
        else:
            break
    return Table(rows, body, interpret_columns(grid, rows), best)


def _is_title_row(grid: Grid, r: int) -> bool:
    cells = _distinct_cells(grid, r)
    return len(cells) <= 1


# --- the column that names the rows -------------------------------------------------------------

SAMPLE_ROWS = 40  # body rows read to tell which column names the rows


def body_hits(grid: Grid, table: Table, c: int, probe: Callable[[str], bool], longest: int = 200) -> int:
    """How many of the first SAMPLE_ROWS body cells of column c (texts up to `longest`, numbering prefix
    removed) `probe` recognises."""
    n = 0
    for r in range(table.first_body_row, min(grid.nrows, table.first_body_row + SAMPLE_ROWS)):
        t = grid.text(r, c)
        if not t or is_number_like(grid.value(r, c)) or len(t) > longest:
            continue
        n += probe(strip_item_prefix(t))
    return n


def is_entity_header(col: Column) -> bool:
    """A header that only says 'Đơn vị' / 'Tỉnh, thành phố' (no name of its own): its column names the rows."""
    return col.has("entity") and not col.names


def name_column(table: Table, headed: Callable[[Column], bool], hits: Callable[[int], int]) -> int | None:
    """The first column whose header says it names the rows (`headed`), else the column whose body `hits` the
    most names (the leftmost of a tie); None when no column does."""
    for col in table.columns:
        if headed(col):
            return col.index
    best, best_n = None, 0
    for col in table.columns:
        n = hits(col.index)
        if n > best_n:
            best, best_n = col.index, n
    return best


# --- rows ---------------------------------------------------------------------------------------


class RowKind(str, Enum):
    EMPTY = "empty"
    SECTION = "section"  # I, II, III / A, B: a heading, perhaps with a subtotal
    TOTAL = "total"  # Cộng, Tổng cộng, Trung bình...
    NOTE = "note"  # Ghi chú, Nguồn, (*) ...
    SIGNATURE = "signature"  # Người lập biểu, Thủ trưởng đơn vị, Nơi nhận, a date line: the table has ended
    NUMBERING = "numbering"
    DATA = "data"


def classify_row(grid: Grid, r: int, label_cols: Iterable[int] = (), stt_col: int | None = None) -> RowKind:
    """What kind of row r is, looking at its numbering cell, its label and its other texts."""
    row = grid.cells[r] if r < len(grid.cells) else []
    cells = [(c, v) for c, v in enumerate(row) if not is_blank(v)]
    if not cells:
        return RowKind.EMPTY
    texts = []
    seen = set()
    for c, v in cells:
        if isinstance(v, str) and not is_number_like(v):
            t = nfc(v)
            if t not in seen:
                seen.add(t)
                texts.append((c, t))
    for _, t in texts:
        f = fold(t)
        if SIGNATURE_RE.match(f) or (len(f) < 80 and "ngay" in f and DATE_LINE_RE.search(f)):
            return RowKind.SIGNATURE
    if len(cells) >= 3 and all(len(cell_text(v)) <= 12 for _, v in cells) and is_numbering_row(grid, r):
        return RowKind.NUMBERING
    stt = cell_text(grid.value(r, stt_col)) if stt_col is not None else ""
    label = ""
    for c in label_cols:
        v = grid.value(r, c)
        if not is_blank(v):
            label = cell_text(v)
            break
    if not label and texts:
        label = texts[0][1]
    # numbering written into the label itself: "I. TUYÊN TRUYỀN...", "II- ..."
    m = _SECTION_LABEL_RE.match(label)
    stt_clean = stt.strip().rstrip(".)").strip()
    if (stt_clean and (ROMAN_RE.match(stt_clean) and stt_clean.upper() == stt_clean
                       or _CAPITAL_RE.fullmatch(stt_clean))) or (m and (ROMAN_RE.match(m.group(1)) or len(m.group(1)) == 1)):
        return RowKind.SECTION
    fl = fold(strip_item_prefix(label)) if label else ""
    if fl:
        core = " ".join(_PARENS_RE.sub(" ", fl).split()) if "(" in label else fl
        if core and TOTAL_RE.match(core):
            return RowKind.TOTAL
        if stt_clean and not stt_clean.isdigit() and TOTAL_RE.match(fold(stt)):
            return RowKind.TOTAL
    if texts and len(texts) == len(cells):  # no numbers in the row
        first = fold(texts[0][1])
        if NOTE_RE.match(first) and len(texts) <= 2:
            return RowKind.NOTE
        if len(texts) == 1 and len(texts[0][1]) > 90:
            return RowKind.NOTE
    return RowKind.DATA


_SECTION_LABEL_RE = re.compile(r"^\s*([IVXLC]+|[A-Z])\s*[.)/:-]\s+\S")
_CAPITAL_RE = re.compile(r"[A-Z]")
_PARENS_RE = re.compile(r"\(.*?\)")


def title_lines(grid: Grid, upto: int) -> list[tuple[int, int, str]]:
    """Distinct texts above row `upto`: (row, col, text) — the letterhead and titles."""
    out, seen = [], set()
    for r in range(min(upto, grid.nrows)):
        for c, v in enumerate(grid.row(r)):
            if is_blank(v) or (grid.is_copy(r, c)):
                continue
            t = cell_text(v)
            if t in seen:
                continue
            seen.add(t)
            out.append((r, c, t))
    return out


def titles_above(grid: Grid, table: Table | None) -> list[tuple[int, int, str]]:
    """The title lines above the table's header (the first 15 rows when there is no table)."""
    return title_lines(grid, table.header_rows[0] if table is not None else min(grid.nrows, 15))
