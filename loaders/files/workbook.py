"""Read a report workbook into grids of cell values and find the table inside.

Real Vietnamese reports wrap their table in a letterhead, titles, two-row merged headers, a numbering
row "(1) (2) (3)", Roman-numeral section rows, totals, notes and a signature block. This module turns a
file into `Grid`s (merged ranges filled in), finds the header block, names what each column means
(`Column`), and classifies body rows (`RowKind`). It knows nothing about the registries: callers pass
a scoring function when header detection should count indicator names.

python-calamine reads the values (fast, and it also reads .xls and .ods); the merged ranges come from
calamine as well, and the few style facts that matter (cells formatted as percent) from the sheet XML
(loaders.files.legacy for .xls and .ods, and for the merges of .ods).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import zipfile
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Callable, Iterable

from openpyxl.utils import get_column_letter

from core.numbers import file_size
from core.text import NumberError, fold, nfc, parse_number
from loaders.errors import UnusableFileError
from loaders.files.legacy import is_percent_format, ods_cell_facts, xls_percent_cells

# --- reading ------------------------------------------------------------------------------------

DEFAULT_MAX_MB = 20.0


def max_bytes_default() -> int:
    """The size limit for one file: $CCHC_MAX_UPLOAD_MB (megabytes) or 20 MB."""
    try:
        mb = float(os.environ.get("CCHC_MAX_UPLOAD_MB") or DEFAULT_MAX_MB)
    except ValueError:
        mb = DEFAULT_MAX_MB
    return int(mb * 1024 * 1024)


def col_letter(col: int) -> str:
    """0-based column index -> Excel letters (0 -> 'A')."""
    return get_column_letter(col + 1)


@dataclass
class Grid:
    """One sheet as a rectangle of values. Rows and columns are 0-based here; `row_no` gives Excel's."""

    name: str
    cells: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive
    percent: set[tuple[int, int]] = field(default_factory=set)  # cells formatted as percent
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # merge copy -> top-left
    _dot_decimal: set[int] | None = field(default=None, repr=False)

    @property
    def nrows(self) -> int:
        return len(self.cells)

    _ncols: int | None = field(default=None, repr=False)

    @property
    def ncols(self) -> int:
        if self._ncols is None:
            self._ncols = max((len(r) for r in self.cells), default=0)
        return self._ncols

    def value(self, r: int, c: int) -> object:
        if 0 <= r < len(self.cells) and 0 <= c < len(self.cells[r]):
            return self.cells[r][c]
        return None

    def text(self, r: int, c: int) -> str:
        return cell_text(self.value(r, c))

    def row(self, r: int) -> list[object]:
        row = self.cells[r] if 0 <= r < len(self.cells) else []
        n = self.ncols
        return list(row) + [None] * (n - len(row)) if len(row) < n else list(row)

    def is_copy(self, r: int, c: int) -> bool:
        """True for a cell that only repeats the value of a merged range's top-left cell."""
        return (r, c) in self.origin

    def is_vertical_copy(self, r: int, c: int) -> bool:
        o = self.origin.get((r, c))
        return o is not None and o[0] != r

    def is_percent(self, r: int, c: int) -> bool:
        o = self.origin.get((r, c), (r, c))
        return o in self.percent

    def dot_decimal(self, c: int) -> bool:
        """True when column c writes decimals with a dot ('74.84', '0.8002') and never with a comma:
        there '48.881' is 48.881, not 48881 (machine-written CSVs of published index scores)."""
        if self._dot_decimal is None:
            self._dot_decimal = dot_decimal_columns(self)
        return c in self._dot_decimal

    @staticmethod
    def row_no(r: int) -> int:
        return r + 1

    def is_empty(self) -> bool:
        return not any(not is_blank(v) for row in self.cells for v in row)


_DOT_DECIMAL_RE = re.compile(r"^[+-]?\d+\.(\d{1,2}|\d{4,})$")
_COMMA_DECIMAL_RE = re.compile(r"^[+-]?\d+,\d+$|^[+-]?\d{1,3}(\.\d{3}){2,}$")
DOT_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}\.\d{3}$")


def dot_decimal_columns(grid: "Grid") -> set[int]:
    """Columns whose text numbers use the dot as the decimal mark (see Grid.dot_decimal)."""
    dot: set[int] = set()
    comma: set[int] = set()
    for row in grid.cells:
        for c, v in enumerate(row):
            if isinstance(v, str):
                s = v.strip()
                if _DOT_DECIMAL_RE.match(s):
                    dot.add(c)
                elif _COMMA_DECIMAL_RE.match(s):
                    comma.add(c)
    return dot - comma


def is_blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    if isinstance(v, float) and math.isnan(v):
        return True
    return False


def cell_text(v: object) -> str:
    """A cell as the text a user sees (numbers without a trailing .0, dates as dd/mm/yyyy)."""
    if is_blank(v):
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%d/%m/%Y")
    return nfc(v)


def is_number_like(v: object) -> bool:
    """A numeric cell, or text that parses as a Vietnamese number ("1.250", "88,5")."""
    if isinstance(v, bool) or is_blank(v):
        return False
    if isinstance(v, (int, float)):
        return True
    if isinstance(v, str):
        s = v.strip()
        if not s or not (s[0].isdigit() or (s[0] in "+-" and len(s) > 1 and s[1].isdigit())):
            return False
        try:
            return parse_number(s) is not None
        except NumberError:
            return False
    return False


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_EXTENSIONS = (".csv", ".tsv", ".txt")


def read_workbook(content: bytes, file_name: str = "", max_bytes: int | None = None) -> list[Grid]:
    """Every visible sheet of an .xlsx/.xlsm/.xls/.ods file (or the one table of a .csv) as a Grid.

    Raises UnusableFileError, in Vietnamese, for anything that is not a readable spreadsheet.
    """
    limit = max_bytes_default() if max_bytes is None else max_bytes
    name = os.path.basename(file_name or "")
    if content is None or len(content) == 0:
        raise UnusableFileError(f"tệp “{name}” rỗng (0 byte) — cần một tệp Excel (.xlsx) có số liệu")
    if len(content) > limit:
        raise UnusableFileError(
            f"tệp “{name}” quá lớn ({file_size(len(content))}) — giới hạn là {file_size(limit)}; "
            "hãy bỏ bớt các trang tính không cần thiết hoặc chia nhỏ tệp"
        )
    lower = name.lower()
    if content.startswith(_ZIP_MAGIC):
        return _read_zip(content, name)
    if content.startswith(_OLE_MAGIC):
        grids = _read_calamine(content, name, ole=True)
        try:
            _mark_percent(grids, xls_percent_cells(content))
        except Exception:  # noqa: BLE001 - style facts are a refinement; values are already read
            pass
        return grids
    if lower.endswith(TEXT_EXTENSIONS) or not lower or _looks_like_text(content):
        return [read_csv_grid(content, name)]
    raise UnusableFileError(_not_a_workbook(name))


def _not_a_workbook(name: str) -> str:
    return f"tệp “{name}” không phải là tệp Excel (.xlsx, .xls) hay CSV — không đọc được nội dung"


def _looks_like_text(content: bytes) -> bool:
    head = content[:4096]
    if b"\x00" in head and not (head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff")):
        return False
    try:
        _decode_text(head, strict=True)
    except UnicodeDecodeError:
        return False
    return "," in _decode_text(head) or ";" in _decode_text(head) or "\t" in _decode_text(head)


def _read_zip(content: bytes, name: str) -> list[Grid]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnusableFileError(f"tệp “{name}” bị hỏng, không mở được như tệp Excel ({exc})") from exc
    if "word/document.xml" in names:
        raise UnusableFileError(
            f"tệp “{name}” là văn bản Word (.docx) chứ không phải bảng tính Excel — "
            "hãy nhập số liệu vào mẫu Excel (lệnh template) rồi gửi lại"
        )
    if any(n.startswith("ppt/") for n in names):
        raise UnusableFileError(f"tệp “{name}” là bản trình chiếu PowerPoint chứ không phải bảng tính Excel")
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names and "content.xml" not in names:
        raise UnusableFileError(f"tệp “{name}” là tệp nén (zip) nhưng không chứa bảng tính Excel")
    grids = _read_calamine(content, name)
    try:
        if "xl/workbook.xml" in names:
            _attach_percent_cells(zf, grids)
        elif "content.xml" in names:  # OpenDocument: calamine reports neither its merges nor its percents
            facts = ods_cell_facts(zf)
            _mark_percent(grids, {sheet: cells for sheet, (cells, _) in facts.items()})
            for grid in grids:
                if not grid.merged and grid.name in facts:
                    _fill_merged(grid, facts[grid.name][1])
    except Exception:  # noqa: BLE001 - style facts are a refinement; values are already read
        pass
    return grids


def _mark_percent(grids: list[Grid], cells_by_sheet: dict[str, set[tuple[int, int]]]) -> None:
    for grid in grids:
        grid.percent |= cells_by_sheet.get(grid.name, set())


def _read_calamine(content: bytes, name: str, ole: bool = False) -> list[Grid]:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except pc.PasswordError as exc:
        raise UnusableFileError(f"tệp “{name}” có đặt mật khẩu — hãy bỏ mật khẩu rồi gửi lại") from exc
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for unreadable input
        if ole:
            raise UnusableFileError(
                f"tệp “{name}” không đọc được như bảng tính Excel (có thể là tệp Word .doc, tệp có đặt mật khẩu "
                "hoặc tệp bị hỏng)"
            ) from exc
        raise UnusableFileError(f"tệp “{name}” bị hỏng, không đọc được như bảng tính Excel") from exc
    grids = []
    for meta in wb.sheets_metadata:
        if str(meta.visible).split(".")[-1].lower() != "visible":
            continue  # hidden lists (dropdown sources) and very hidden sheets are not reports
        if str(meta.typ).split(".")[-1].lower() not in ("worksheet",):
            continue
        try:
            sheet = wb.get_sheet_by_name(meta.name)
            values = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except Exception:  # noqa: BLE001 - one broken sheet should not hide the others
            continue
        cells = [[None if (v == "" or v is None) else v for v in row] for row in values]
        grid = Grid(nfc(meta.name), cells)
        _fill_merged(grid, [(a[0], a[1], b[0], b[1]) for a, b in merged])
        grids.append(grid)
    return grids


def _fill_merged(grid: Grid, ranges: list[tuple[int, int, int, int]]) -> None:
    """Copy each merged range's top-left value into every cell of the range."""
    grid._ncols = None
    for r0, c0, r1, c1 in ranges:
        if r1 - r0 > 500 or c1 - c0 > 200:  # a whole-column merge: keep the value, do not blow up
            r1, c1 = min(r1, r0 + 500), min(c1, c0 + 200)
        grid.merged.append((r0, c0, r1, c1))
        while len(grid.cells) <= r1:
            grid.cells.append([])
        top = grid.value(r0, c0)
        for r in range(r0, r1 + 1):
            row = grid.cells[r]
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    row[c] = top
                    grid.origin[(r, c)] = (r0, c0)


_CELL_RE = re.compile(rb"<c\s([^>]*?)/?>")
_ATTR_RE = re.compile(rb'\b(r|s)="([^"]*)"')
_REF_RE = re.compile(r"([A-Z]+)(\d+)")


def _attach_percent_cells(zf: zipfile.ZipFile, grids: list[Grid]) -> None:
    """Mark cells whose number format shows a percent (Excel stores 95% as 0.95)."""
    styles = zf.read("xl/styles.xml").decode("utf-8", "replace")
    custom = {int(m.group(1)): m.group(2) for m in re.finditer(r'<numFmt\s+numFmtId="(\d+)"\s+formatCode="([^"]*)"', styles)}
    xfs_block = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    if not xfs_block:
        return
    percent_styles = set()
    for i, xf in enumerate(re.finditer(r"<xf\b([^>]*)>", xfs_block.group(1))):
        m = re.search(r'numFmtId="(\d+)"', xf.group(1))
        fmt_id = int(m.group(1)) if m else 0
        code = custom.get(fmt_id, "")
        if fmt_id in (9, 10) or is_percent_format(code):
            percent_styles.add(str(i).encode())
    if not percent_styles:
        return
    paths = _sheet_paths(zf)
    by_name = {g.name: g for g in grids}
    for sheet_name, path in paths.items():
        grid = by_name.get(nfc(sheet_name))
        if grid is None or path not in zf.namelist():
            continue
        xml = zf.read(path)
        for m in _CELL_RE.finditer(xml):
            attrs = dict(_ATTR_RE.findall(m.group(1)))
            if attrs.get(b"s") in percent_styles and b"r" in attrs:
                ref = _REF_RE.match(attrs[b"r"].decode())
                if ref:
                    col = _col_index(ref.group(1))
                    grid.percent.add((int(ref.group(2)) - 1, col))


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for m in re.finditer(r"<Relationship\b([^>]*)/?>", rels):
        a = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if "Id" in a and "Target" in a:
            t = a["Target"].lstrip("/")
            targets[a["Id"]] = t if t.startswith("xl/") else "xl/" + t
    out = {}
    for m in re.finditer(r"<sheet\b([^>]*)/?>", wb):
        a = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1)))
        rid = a.get("r:id") or next((v for k, v in a.items() if k.endswith(":id")), None)
        if rid in targets:
            out[_xml_unescape(a.get("name", ""))] = targets[rid]
    return out


def _xml_unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


def _decode_text(content: bytes, strict: bool = False) -> str:
    if content.startswith(b"\xff\xfe") or content.startswith(b"\xfe\xff"):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        if strict:
            raise
        return content.decode("cp1258", errors="replace")  # Vietnamese Windows code page


def read_csv_grid(content: bytes, name: str = "") -> Grid:
    """A CSV (comma, semicolon or tab separated; UTF-8, UTF-16 or Windows-1258) as one Grid."""
    try:
        text = _decode_text(content)
    except UnicodeDecodeError as exc:
        raise UnusableFileError(_not_a_workbook(name)) from exc
    if "\x00" in text:
        raise UnusableFileError(_not_a_workbook(name))
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [[nfc(v) or None for v in row] for row in csv.reader(io.StringIO(text), dialect)]
    sheet = os.path.splitext(os.path.basename(name))[0] or "CSV"
    return Grid(sheet, rows)


# --- vocabulary ---------------------------------------------------------------------------------

_ROMAN = r"(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii|xiii|xiv|xv)"
ROMAN_RE = re.compile(rf"^{_ROMAN}$", re.I)
QUARTER_WORD_RE = re.compile(r"\b(?:quy\s+(iv|iii|ii|i|[1-4])|q\s?([1-4]))\b")
YEAR_RE = re.compile(r"\b(19[9]\d|20\d\d|2100)\b")

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


def quarter_in(folded: str) -> int | None:
    m = QUARTER_WORD_RE.search(folded)
    if not m:
        return None
    q = m.group(1) or m.group(2)
    return {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(q) or int(q)


def year_in(folded: str) -> int | None:
    m = YEAR_RE.search(folded)
    return int(m.group(1)) if m else None


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


# --- rows ---------------------------------------------------------------------------------------


class RowKind(str, Enum):
    EMPTY = "empty"
    SECTION = "section"  # I, II, III / A, B: a heading, perhaps with a subtotal
    TOTAL = "total"  # Cộng, Tổng cộng, Trung bình...
    NOTE = "note"  # Ghi chú, Nguồn, (*) ...
    SIGNATURE = "signature"  # Người lập biểu, Thủ trưởng đơn vị, Nơi nhận, a date line: the table has ended
    NUMBERING = "numbering"
    DATA = "data"


_fold = lru_cache(maxsize=65536)(fold)


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
        f = _fold(t)
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
    fl = _fold(strip_item_prefix(label)) if label else ""
    if fl:
        core = " ".join(_PARENS_RE.sub(" ", fl).split()) if "(" in label else fl
        if core and TOTAL_RE.match(core):
            return RowKind.TOTAL
        if stt_clean and not stt_clean.isdigit() and TOTAL_RE.match(_fold(stt)):
            return RowKind.TOTAL
    if texts and len(texts) == len(cells):  # no numbers in the row
        first = _fold(texts[0][1])
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
