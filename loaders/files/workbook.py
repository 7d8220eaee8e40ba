"""Read a report file's bytes into grids of cell values: one `Grid` per visible sheet, merged ranges filled in.

python-calamine reads the values (fast, and it also reads .xls and .ods); the merged ranges come from
calamine as well, and the few style facts that matter (cells formatted as percent) from the sheet XML
(loaders.files.legacy for .xls and .ods, and for the merges of .ods). A CSV (comma, semicolon or tab;
UTF-8, UTF-16 or Windows-1258) is one grid. The cell helpers (`cell_text`, `is_blank`, `is_number_like`)
say what a cell shows; finding the table inside a grid is `loaders.layouts.table`.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from core.numbers import file_size
from core.text import NumberError, nfc, parse_number
from loaders.errors import UnusableFileError
from loaders.files.html_table import looks_like_html, read_html_table
from loaders.files.legacy import is_percent_format, ods_cell_facts, xls_percent_cells
from loaders.files.limits import (
    check_ods_extent,
    check_xls_extent,
    check_xlsx_extent,
    check_zip,
    run_bounded,
    text_cells_limit,
)
from loaders.files.openpyxl_sheets import OpenpyxlSheets

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
    """None or blank text. A NaN is not blank: no spreadsheet stores one, so a crafted file's NaN is refused
    where a number is read (loaders.layouts.context.number_at) instead of passing as an empty cell."""
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
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

    Raises UnusableFileError, in Vietnamese, for anything that is not a readable spreadsheet, and LimitExceeded
    (one) for a file over a reading limit (loaders.files.limits): the reading runs in a memory-bounded child.
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
    return run_bounded(_read_any, content, name, name=name)


def _read_any(content: bytes, name: str) -> list[Grid]:
    lower = name.lower()
    if content.startswith(_ZIP_MAGIC):
        return _read_zip(content, name)
    if content.startswith(_OLE_MAGIC):
        check_xls_extent(content, name)
        grids = _read_calamine(content, name, ole=True)
        try:
            _mark_percent(grids, xls_percent_cells(content))
        except Exception:  # noqa: BLE001 - style facts are a refinement; values are already read
            pass
        return grids
    if looks_like_html(content):  # a web page saved as .xls (e-government exports): one sheet, as Excel shows it
        sheet, cells, merged = read_html_table(content, name)
        grid = Grid(sheet, cells)
        _fill_merged(grid, merged)
        return [grid]
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
    check_zip(zf, name)
    if "content.xml" in names and "xl/workbook.xml" not in names:
        check_ods_extent(zf, name)
    else:
        check_xlsx_extent(zf, name)
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
    fallback = OpenpyxlSheets(content)
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
            values, merged = fallback.sheet(meta.name)  # (None, None) when openpyxl cannot read it either
            if values is None:
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
    count = text_cells_limit(name)
    rows = []
    for row in csv.reader(io.StringIO(text), dialect):
        count(len(row))
        rows.append([nfc(v) or None for v in row])
    sheet = os.path.splitext(os.path.basename(name))[0] or "CSV"
    return Grid(sheet, rows)
