"""Web pages saved with a spreadsheet name: the tables of an HTML document as one grid.

Provincial web systems export their report forms as an HTML table served as "bieu.xls" (Excel opens it as a
workbook, so users never notice). Excel puts every table of the page on one sheet, one under the other, and
turns each rowspan/colspan into a merged range: this module does the same, so the layouts read such a file
like any workbook. Exports are sloppy (`<body>` inside a cell, `rowspan="0"` meaning one row, unclosed
cells): the parser follows what browsers and Excel show, not the HTML rules.
"""
from __future__ import annotations

import os
import re
from html.parser import HTMLParser

from core.text import nfc
from loaders.errors import UnusableFileError

_SNIFF_BYTES = 65536
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|table|meta|div|style)\b", re.I | re.S)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
MAX_SPAN = 500  # a span larger than this is a broken attribute, not a table that big
MAX_CELLS = 2_000_000  # cells covered by all tables: a report form is thousands, a hostile page billions
_BLOCK_TAGS = {"br", "p", "div", "li"}
_SKIPPED = {"style", "script", "head", "title", "xml"}


def looks_like_html(content: bytes) -> bool:
    """True for an HTML document, whatever its file name says: it opens with an HTML tag."""
    head = content[:_SNIFF_BYTES]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return bool(_HTML_START.match(head))


def decode_html(content: bytes) -> str:
    """The page's text: its BOM or <meta charset>, else UTF-8, else the Vietnamese Windows code page."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    m = _CHARSET.search(content[:_SNIFF_BYTES])
    if m:
        try:
            return content.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1258", errors="replace")


def _span(value: str | None) -> int:
    """rowspan/colspan as Excel reads exports: missing, 0 or garbage is 1."""
    try:
        n = int(str(value or "1").strip().strip('"'))
    except ValueError:
        return 1
    return min(max(n, 1), MAX_SPAN)


class _TooBig(Exception):
    """More cells than any report form has."""


class _TableReader(HTMLParser):
    """Cells of every table, placed on one grid: (row, col) -> text, and the merged ranges of the spans."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells: dict[tuple[int, int], str] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.next_row = 0  # where the next table starts
        self.tables: list[dict] = []  # open tables, innermost last
        self.skip_depth = 0
        self.n_tables = 0
        self.covered = 0

    # a table's state: its first grid row, the row being filled, the cells taken by spans from above
    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skip_depth += 1
            return
        a = dict(attrs)
        if tag == "table":
            self._close_cell()
            self.n_tables += 1
            # a table inside a cell goes under the rows its outer table has so far; the outer one continues below
            top = self.tables[-1]["top"] + self.tables[-1]["rows"] if self.tables else self.next_row
            self.tables.append({"top": max(top, self.next_row), "row": None, "col": 0, "taken": set(), "cell": None,
                                "rows": 0})
        elif not self.tables:
            return
        elif tag == "tr":
            self._new_row()
        elif tag in ("td", "th"):
            t = self.tables[-1]
            if t["row"] is None:
                self._new_row()
            self._close_cell()
            row = t["row"]
            col = t["col"]
            while (row, col) in t["taken"]:
                col += 1
            rs, cs = _span(a.get("rowspan")), _span(a.get("colspan"))
            self.covered += rs * cs
            if self.covered > MAX_CELLS:
                raise _TooBig()
            for r in range(row, row + rs):
                for c in range(col, col + cs):
                    t["taken"].add((r, c))
            t["rows"] = max(t["rows"], row + rs)
            t["cell"] = {"row": row, "col": col, "rs": rs, "cs": cs, "text": []}
            t["col"] = col + cs
        elif tag in _BLOCK_TAGS:
            self._text("\n")

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if not self.tables:
            return
        if tag in ("td", "th"):
            self._close_cell()
        elif tag == "tr":
            self._close_cell()
        elif tag == "table":
            self._close_cell()
            t = self.tables.pop()
            self.next_row = max(self.next_row, t["top"] + t["rows"])
            if self.tables:
                self.tables[-1]["top"] += t["rows"]
        elif tag in _BLOCK_TAGS:
            self._text("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK_TAGS and self.tables:
            self._text("\n")
        elif tag in ("td", "th"):
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self.skip_depth == 0 and self.tables:
            self._text(data)

    def _text(self, s: str) -> None:
        cell = self.tables[-1]["cell"]
        if cell is not None:
            cell["text"].append(s)

    def _new_row(self) -> None:
        t = self.tables[-1]
        self._close_cell()
        t["row"] = 0 if t["row"] is None else t["row"] + 1
        t["rows"] = max(t["rows"], t["row"] + 1)
        t["col"] = 0

    def _close_cell(self) -> None:
        if not self.tables:
            return
        t = self.tables[-1]
        cell = t["cell"]
        if cell is None:
            return
        t["cell"] = None
        lines = (nfc(line) for line in "".join(cell["text"]).split("\n"))
        text = "\n".join(x for x in lines if x)
        r, c = t["top"] + cell["row"], cell["col"]
        if text:
            self.cells[(r, c)] = text
        if cell["rs"] > 1 or cell["cs"] > 1:
            self.merged.append((r, c, r + cell["rs"] - 1, c + cell["cs"] - 1))

    def close(self):
        super().close()
        while self.tables:
            self.handle_endtag("table")


def read_html_table(content: bytes, file_name: str = "") -> tuple[str, list[list], list[tuple[int, int, int, int]]]:
    """The tables of an HTML page as one sheet: (sheet name, cells, merged ranges r0, c0, r1, c1), the sheet
    named after the file; UnusableFileError when the page has no table."""
    name = os.path.basename(file_name or "")
    reader = _TableReader()
    try:
        reader.feed(decode_html(content))
        reader.close()
    except _TooBig:
        raise UnusableFileError(f"tệp “{name}” là một trang web (HTML) có bảng quá lớn (hơn {MAX_CELLS:,} ô) — không "
                                "phải một biểu báo cáo; hãy xuất lại đúng biểu cần nạp".replace(",", ".")) from None
    if not reader.cells:
        raise UnusableFileError(f"tệp “{name}” là một trang web (HTML) nhưng không có bảng số liệu nào — cần một "
                                "bảng tính Excel hoặc trang web xuất từ hệ thống báo cáo có bảng số liệu")
    nrows = max(r for r, _ in reader.cells) + 1
    ncols = max(c for _, c in reader.cells) + 1
    cells = [[None] * ncols for _ in range(nrows)]
    for (r, c), text in reader.cells.items():
        cells[r][c] = text
    # a span running past the last filled row or column (a sloppy export) is cut to the table's extent
    merged = [(r0, c0, min(r1, nrows - 1), min(c1, ncols - 1)) for r0, c0, r1, c1 in reader.merged
              if r0 < nrows and c0 < ncols]
    return os.path.splitext(name)[0] or "Trang web", cells, merged
