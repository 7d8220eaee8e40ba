"""A second reader for the .xlsx sheets calamine refuses.

LibreOffice writes some sheets with a dimension like `<dimension ref="1:69"/>` (rows only); calamine then
refuses the whole sheet ("Range is missing the expected column component") — VCCI's PCI 2014 summary is
such a sheet. openpyxl reads the cells themselves and ignores the dimension, so it reads those sheets, with
their merged ranges. The workbook is opened only when a sheet needs it, and once.
"""
from __future__ import annotations

import io
import warnings


class OpenpyxlSheets:
    """Lazily opened openpyxl view of one .xlsx file."""

    def __init__(self, content: bytes):
        self.content = content
        self._book = None
        self._failed = False

    def _open(self):
        if self._book is None and not self._failed:
            import openpyxl

            try:
                with warnings.catch_warnings():  # "Unknown extension is not supported": harmless, and noisy
                    warnings.simplefilter("ignore")
                    self._book = openpyxl.load_workbook(io.BytesIO(self.content), data_only=True)
            except Exception:  # noqa: BLE001 - not an .xlsx openpyxl can read (an .xls, a broken style table)
                self._failed = True
        return self._book

    def sheet(self, name: str) -> tuple[list[list] | None, list | None]:
        """(rows of values, merged ranges as calamine gives them: ((r0, c0), (r1, c1)) 0-based), or
        (None, None) when the sheet cannot be read this way either."""
        book = self._open()
        if book is None or name not in book.sheetnames:
            return None, None
        ws = book[name]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        width = max((i + 1 for r in rows for i, v in enumerate(r) if v is not None and v != ""), default=0)
        rows = [r[:width] for r in rows]
        while rows and not any(v is not None and v != "" for v in rows[-1]):
            rows.pop()
        merged = [((m.min_row - 1, m.min_col - 1), (m.max_row - 1, m.max_col - 1)) for m in ws.merged_cells.ranges]
        return rows, merged
