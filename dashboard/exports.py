"""Table downloads: a DataFrame to .xlsx or .csv bytes, with Vietnamese conventions.

- .xlsx: real numbers with number formats (percent, thousands), dates as dates, an optional title row and a
  source row; Excel shows separators in the user's locale.
- text is text: a name that starts with "=" is written to .xlsx as a string, never as a formula; a .csv field
  that starts with = + - @ tab or carriage return gets a leading apostrophe (the OWASP CSV-injection rule), so
  a spreadsheet opening the file runs nothing (names, plan content and the audit trail come from users).
- .csv: UTF-8 with BOM (Excel opens Vietnamese text correctly), ";" between fields and a decimal comma
  (what Excel expects under Vietnamese regional settings; core.text.parse_number reads it back);
  dates dd/mm/yyyy; ratios (kind "percent") written as percent numbers with " (%)" added to the header.

Public API
----------
- ``to_xlsx(df, kinds=None, sheet="Số liệu", title=None, source=None) -> bytes``
- ``to_csv(df, kinds=None) -> bytes``
- ``file_name(stem, ext) -> str``   a safe ASCII file name: "Hoàn thành Quý III/2025" -> "hoan_thanh_quy_iii_2025.xlsx".
``kinds`` maps column -> dashboard.fmt.COLUMN_KINDS (e.g. {"Hoàn thành": "percent"}).
"""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.text import csv_safe, slug, text_cell

_XLSX_FORMATS = {
    "int": "#,##0", "num1": "#,##0.0", "num2": "#,##0.00", "num4": "0.0000", "auto": "#,##0.##", "auto4": "#,##0.####",
    "percent": "0.0%", "rate": "0.0", "date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "text": "@",
}


def file_name(stem: str, ext: str) -> str:
    return f"{slug(stem) or 'bang'}.{ext.lstrip('.')}"


def _kind(df: pd.DataFrame, col: str, kinds: dict) -> str:
    if col in kinds:
        return kinds[col]
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        return "text"
    if pd.api.types.is_integer_dtype(s):
        return "int"
    if pd.api.types.is_float_dtype(s):
        return "auto"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime"
    return "text"


def _cell(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item"):
        return v.item()
    return v


def to_xlsx(df: pd.DataFrame, kinds: dict | None = None, sheet: str = "Số liệu", title: str | None = None,
            source: str | None = None) -> bytes:
    kinds = dict(kinds or {})
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    row = 1
    if title:
        text_cell(ws.cell(row=row, column=1), title).font = Font(bold=True, size=13)
        row += 1
    if source:
        text_cell(ws.cell(row=row, column=1), source).font = Font(italic=True, color="666666")
        row += 1
    if title or source:
        row += 1
    header = row
    for j, col in enumerate(df.columns, start=1):
        c = ws.cell(row=header, column=j)
        text_cell(c, str(col))
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="E8EEF6")
        c.alignment = Alignment(wrap_text=True, vertical="center")
    col_kinds = [_kind(df, c, kinds) for c in df.columns]
    for i, values in enumerate(df.itertuples(index=False), start=header + 1):
        for j, (v, k) in enumerate(zip(values, col_kinds), start=1):
            c = ws.cell(row=i, column=j)
            text_cell(c, _cell(v))
            if k != "text" and c.value is not None:
                c.number_format = _XLSX_FORMATS[k]
    for j, col in enumerate(df.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in df.iloc[:200, j - 1].tolist()]) + 2
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 60)
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(df: pd.DataFrame, kinds: dict | None = None) -> bytes:
    kinds = dict(kinds or {})
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [csv_safe(v) for v in out[col]]
    renames = {}
    for col in out.columns:
        k = _kind(out, col, kinds)
        if k == "percent":  # a ratio: written as a percent number, the header says so
            out[col] = (pd.to_numeric(out[col], errors="coerce") * 100).round(1)
            renames[col] = f"{col} (%)"
        if k in ("date", "datetime"):
            f = "%d/%m/%Y" if k == "date" else "%d/%m/%Y %H:%M"
            out[col] = [v.strftime(f) if not pd.isna(v) else "" for v in pd.to_datetime(out[col], errors="coerce")]
    out = out.rename(columns={**{c: csv_safe(str(c)) for c in out.columns}, **renames})
    return out.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n").encode("utf-8-sig")  # \r in a field quoted
