"""The facts calamine does not give for Excel 97–2003 (.xls) and OpenDocument (.ods) files.

Calamine reads their values; but a rate typed as "97,5 %" is stored as 0.975 with a percent format, and a
value without its format is a silent hundredfold error. For .xls, xlrd reads the cell formats (BIFF XF
records); for .ods, the cell's own value type ("percentage") and its merged spans, which calamine does not
report for .ods, come from content.xml.
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile

from core.text import nfc

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_PERCENT_CODE = re.compile(r'"[^"]*"|\\.')  # quoted text and escaped characters are not format symbols


def is_percent_format(code: str) -> bool:
    """'0.0%' and '0%' are; '0.0" %"' (a literal percent sign typed after a plain number) is not."""
    return "%" in _PERCENT_CODE.sub("", code or "")


def xls_percent_cells(content: bytes) -> dict[str, set[tuple[int, int]]]:
    """{sheet name: {(row, col) 0-based}} of the numeric cells formatted as percent in an .xls file."""
    import xlrd

    book = xlrd.open_workbook(file_contents=content, formatting_info=True, on_demand=True)
    try:
        percent_xf = {i for i, xf in enumerate(book.xf_list)
                      if xf.format_key in book.format_map and is_percent_format(book.format_map[xf.format_key].format_str)}
        out: dict[str, set[tuple[int, int]]] = {}
        if not percent_xf:
            return out
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            cells = {(r, c) for r in range(sheet.nrows) for c in range(sheet.row_len(r))
                     if sheet.cell_type(r, c) == xlrd.XL_CELL_NUMBER and sheet.cell_xf_index(r, c) in percent_xf}
            if cells:
                out[nfc(sheet.name)] = cells
            book.unload_sheet(index)
        return out
    finally:
        book.release_resources()


def ods_cell_facts(zf: zipfile.ZipFile) -> dict[str, tuple[set[tuple[int, int]], list[tuple[int, int, int, int]]]]:
    """{sheet name: (percent cells, merged ranges (r0, c0, r1, c1))}, all 0-based, from an .ods content.xml."""
    out = {}
    name, row, col, percent, merged = None, 0, 0, set(), []
    depth_in_cell = 0
    for event, el in ET.iterparse(io.BytesIO(zf.read("content.xml")), events=("start", "end")):
        tag = el.tag
        if tag == f"{{{_TABLE}}}table":
            if event == "start" and depth_in_cell == 0:
                name, row, col, percent, merged = nfc(el.get(f"{{{_TABLE}}}name", "")), 0, 0, set(), []
            elif event == "end" and depth_in_cell == 0:
                out[name] = (percent, merged)
                el.clear()
        elif tag == f"{{{_TABLE}}}table-row" and depth_in_cell == 0:
            if event == "start":
                col = 0
            else:
                row += int(el.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
                el.clear()
        elif tag in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
            if event == "start":
                depth_in_cell += 1
                if depth_in_cell == 1:
                    repeat = int(el.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
                    if el.get(f"{{{_OFFICE}}}value-type") == "percentage" and repeat <= 1000:
                        percent.update((row, col + i) for i in range(repeat))
                    rows = int(el.get(f"{{{_TABLE}}}number-rows-spanned", "1"))
                    cols = int(el.get(f"{{{_TABLE}}}number-columns-spanned", "1"))
                    if rows > 1 or cols > 1:
                        merged.append((row, col, row + rows - 1, col + cols - 1))
                    col += repeat
            else:
                depth_in_cell -= 1
    return out
