"""No text from a user becomes a formula (issue 14): XLSX downloads write strings as text, CSV downloads prefix the
fields that start a formula (the OWASP CSV-injection rule), templates keep unit names as text, and the audit-log
export an administrator opens holds no formula planted through the sign-in form."""
from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd

from core.text import csv_safe
from dashboard import admin_queries as AQ
from dashboard.exports import to_csv, to_xlsx
from core.periods import Period
from loaders.accounts.users import sign_in
from loaders.store.schema import connect

FORMULAS = ['=HYPERLINK("http://evil.invalid","Bấm")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1",
            "\r=1+1"]


def xlsx_cells(content: bytes) -> list:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [c for row in sheet.iter_rows() for c in row if c.value is not None]


def test_xlsx_downloads_write_every_string_as_text():
    df = pd.DataFrame({"Đơn vị": FORMULAS, "Số": range(len(FORMULAS))})
    cells = xlsx_cells(to_xlsx(df, title="=1+1", source="=2+2"))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {c.value for c in cells} >= set(FORMULAS) | {"=1+1", "=2+2"}  # shown exactly as typed


def test_csv_downloads_prefix_fields_that_start_a_formula():
    df = pd.DataFrame({"Đơn vị": FORMULAS + ["Sở Tư pháp", "-"], "Số": list(range(-2, len(FORMULAS)))})
    rows = list(csv.reader(io.StringIO(to_csv(df).decode("utf-8-sig"), newline=""), delimiter=";"))
    names = [r[0] for r in rows[1:]]
    assert names == ["'" + f for f in FORMULAS] + ["Sở Tư pháp", "'-"]
    assert [r[1] for r in rows[1:]][:2] == ["-2", "-1"]  # numbers stay numbers
    assert csv_safe(3) == 3 and csv_safe("Bình thường") == "Bình thường"


def test_templates_keep_a_formula_like_unit_name_as_text(demo_db):
    from loaders.registry.registries import Registry
    from loaders.templates import template_bytes

    with connect(demo_db) as con:
        con.execute("UPDATE unit SET name = ? WHERE code = 'so_tu_phap'", [FORMULAS[0]])
        content = template_bytes("activities", Registry.from_db(con), con, unit="so_tu_phap", period=Period.of_quarter(2025, 3))
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == FORMULAS[0]]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_audit_export_holds_no_formula_typed_at_sign_in(fresh_db):
    with connect(fresh_db) as con:
        for name in FORMULAS:
            sign_in(con, name, "matkhau-1", client="10.0.0.66")
        log = AQ.audit(con)
    assert not log["username"].notna().any()  # malformed names are not recorded as typed
    fields = [f for row in csv.reader(io.StringIO(to_csv(log).decode("utf-8-sig"), newline=""), delimiter=";") for f in row]
    assert not [f for f in fields if f[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not [c.coordinate for c in xlsx_cells(to_xlsx(log)) if c.data_type == "f"]
