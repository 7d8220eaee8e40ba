"""Values (issue 14): infinity, NaN and giant magnitudes are refused with the cell named; a count past its
indicator's plausible bound (data/indicators.csv, max_plausible) asks for confirmation; results for a quarter that
has not begun are refused (core.rules.period_not_begun, today from core.clock)."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from core import clock
from core.rules import period_not_begun, period_start
from loaders.cli import main
from loaders.load import load_file, read_file
from loaders.store.schema import connect
from tests import upload_files as F
from tests.hardening import rewrite_zip


def with_cell_value(content: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook with one stored number's text replaced in the sheet XML (how a crafted file holds inf/NaN)."""
    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            assert old in data
            return data.replace(old, new, 1)
        return data

    return rewrite_zip(content, change)


REPORT = F.unit_report(rows=(("Tin, bài đăng trên Trang TTĐT của Sở", 41), ("Video, clip về CCHC", 7)))


@pytest.mark.parametrize("stored, expected", [(b"inf", "vô hạn"), (b"-inf", "vô hạn"), (b"NaN", "NaN"),
                                              (b"1e308", "quá lớn"), (b"9.99e15", "quá lớn")])
def test_infinity_nan_and_giant_numbers_are_refused_with_the_cell(load_con, stored, expected):
    content = with_cell_value(REPORT, b"<v>41</v>", b"<v>" + stored + b"</v>")
    parsed = read_file(load_con, "bao_cao.xlsx", content)
    [error] = parsed.errors
    assert (error.sheet, error.row, error.column) == ("Báo cáo", 7, "D") and expected in error.message


def test_the_command_line_answers_inf_with_one_json_object(fresh_db, tmp_path, capsys):
    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(with_cell_value(REPORT, b"<v>41</v>", b"<v>inf</v>"))
    assert main(["--db", str(fresh_db), "load", str(path), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "refused" and "vô hạn" in out["errors"][0]["message"]


def test_a_count_past_its_plausible_bound_asks_for_confirmation(load_con, load_counts):
    content = F.unit_report(rows=(("Tin, bài đăng trên Trang TTĐT của Sở", "250.000"),))
    before = load_counts(load_con)
    report = load_file(load_con, "bao_cao.xlsx", content)
    assert report.status == "refused" and "vượt mức hợp lý" in report.errors[0].message
    [warning] = [w for w in report.warnings if "vượt mức hợp lý" in w.message]
    assert (warning.row, warning.column) == (7, "D") and "2.000" in warning.message
    assert load_counts(load_con) == before
    assert load_file(load_con, "bao_cao.xlsx", content, confirmed=True).status == "loaded"


def test_the_bound_is_the_registrys(load_con):
    load_con.execute("UPDATE metric_bound SET max_plausible = 10 WHERE metric_code = 'tin_bai'")
    parsed = read_file(load_con, "bao_cao.xlsx", F.unit_report(rows=(("Tin, bài đăng trên Trang TTĐT của Sở", 41),)))
    assert len(parsed.to_confirm) == 1 and "10" in parsed.to_confirm[0].message


def test_the_page_asks_for_confirmation_before_writing(demo_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from loaders.accounts.users import create_user

    with connect(demo_db) as con:
        create_user(con, "cbtp", "matkhau-1", "can_bo", "Cán bộ", unit_code="so_tu_phap")
    monkeypatch.setenv("CCHC_DB", str(demo_db))
    at = AppTest.from_file(str(F.__file__).replace("tests/upload_files.py", "pages/tai_len.py"), default_timeout=60)
    at.session_state["auth_user"] = "cbtp"
    at.run()
    content = F.unit_report(quarter_title="QUÝ IV NĂM 2025", rows=(("Tin, bài đăng trên Trang TTĐT của Sở", "9.999"),))
    at.file_uploader(key="tl_files").set_value([("q4.xlsx", content, F.XLSX_MIME)])
    at.run()
    [button] = [b for b in at.button if b.key and b.key.startswith("tl_commit_")]
    assert button.disabled and any("vượt mức hợp lý" in w.value for w in at.warning)
    next(c for c in at.checkbox if c.key.startswith("tl_confirm_")).check()
    at.run()
    [button] = [b for b in at.button if b.key and b.key.startswith("tl_commit_")]
    assert not button.disabled
    button.click()
    at.run()
    assert "thành lô số" in at.success[0].value


def test_results_for_a_quarter_that_has_not_begun_are_refused(load_con, load_counts):
    content = F.unit_report(quarter_title="QUÝ I NĂM 2027")
    with clock.fixed(dt.date(2026, 12, 31)):
        parsed = read_file(load_con, "bao_cao.xlsx", content)
    assert [e.message for e in parsed.errors] == [
        "Quý I/2027 chưa bắt đầu — không nhận kết quả của kỳ chưa tới (kiểm tra năm, kỳ trong tiêu đề hoặc cột Kỳ)"]
    assert parsed.errors[0].row == 7
    with clock.fixed(dt.date(2027, 1, 1)):  # the quarter has begun: it may be reported early
        assert not read_file(load_con, "bao_cao.xlsx", content).errors


def test_results_for_a_month_that_has_not_begun_are_refused(load_con):
    from test_load_periods import clerk_report

    content = clerk_report("BÁO CÁO KẾT QUẢ CÔNG TÁC TUYÊN TRUYỀN CCHC THÁNG 12 NĂM 2026",
                           ["Tháng 12", "Lũy kế từ đầu năm"], [[5, 31], [1, 4], ["97,5", 96]])
    with clock.fixed(dt.date(2026, 11, 30)):
        parsed = read_file(load_con, "bc_thang12.xlsx", content)
    assert [e.message for e in parsed.errors][:1] == [
        "Tháng 12/2026 chưa bắt đầu — không nhận kết quả của kỳ chưa tới (kiểm tra năm, kỳ trong tiêu đề hoặc cột Kỳ)"]
    assert not parsed.batch or not any(s.month_from == 12 for s in parsed.batch.spans)
    with clock.fixed(dt.date(2026, 12, 1)):  # the month has begun
        assert not read_file(load_con, "bc_thang12.xlsx", content).errors


def test_the_rule_takes_an_end_date_and_serves_months_quarters_and_years():
    today = dt.date(2025, 10, 15)
    assert period_start(dt.date(2025, 12, 31), 3) == dt.date(2025, 10, 1)
    assert not period_not_begun(dt.date(2025, 12, 31), 3, today)  # the current quarter
    assert period_not_begun(dt.date(2026, 3, 31), 3, today)
    assert not period_not_begun(dt.date(2025, 10, 31), 1, today) and period_not_begun(dt.date(2025, 11, 30), 1, today)
    assert not period_not_begun(dt.date(2025, 12, 31), 12, today) and period_not_begun(dt.date(2026, 12, 31), 12, today)
    assert period_not_begun(dt.date(2026, 6, 30), 6, today) and not period_not_begun(dt.date(2025, 12, 31), 6, today)


def workbook_with_active_content() -> bytes:
    """A unit report saved with a DDE formula in D7 (cached 41), a link to another workbook in D8 (cached 7), a
    macro project and an external-link part, the way such files arrive."""
    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            data = data.replace(b"<v>41</v>", b"<f>cmd|' /C calc'!A0</f><v>41</v>", 1)
            return data.replace(b"<v>7</v>", b"<f>[1]Sheet1!A1</f><v>7</v>", 1)
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.'
                                b'vbaProject"/><Override PartName="/xl/externalLinks/externalLink1.xml" '
                                b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                b'externalLink+xml"/></Types>')
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rIdX" Type="http://schemas.microsoft.com/'
                                b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/><Relationship '
                                b'Id="rIdY" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                                b'relationships/externalLink" Target="externalLinks/externalLink1.xml"/>'
                                b"</Relationships>")
        return data

    return rewrite_zip(REPORT, change, {
        "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro project",
        "xl/externalLinks/externalLink1.xml": b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                                              b'2006/main"><ddeLink ddeService="cmd" ddeTopic="/C calc"/></externalLink>'})


def test_dde_links_and_macros_are_named_and_not_kept_in_the_original(load_con):
    import openpyxl

    parsed = read_file(load_con, "bao_cao.xlsm", workbook_with_active_content())
    assert not parsed.errors
    texts = [w.text() for w in parsed.warnings]
    assert any(t.startswith("Trang tính “Báo cáo”, dòng 7, cột D: ô có công thức DDE") for t in texts), texts
    assert any(t.startswith("Trang tính “Báo cáo”, dòng 8, cột D: ô có công thức lấy số từ tệp Excel khác")
               for t in texts), texts
    assert any("macro" in t for t in texts) and any("liên kết tới tệp Excel khác" in t for t in texts)
    assert sorted(r.value for r in parsed.batch.activities) == [7.0, 41.0]  # the cached values
    kept = parsed.batch.content
    names = zipfile.ZipFile(io.BytesIO(kept)).namelist()
    assert "xl/vbaProject.bin" not in names and not [n for n in names if "externalLink" in n]
    sheet_xml = b"".join(zipfile.ZipFile(io.BytesIO(kept)).read(n) for n in names if n.startswith("xl/worksheets/"))
    assert b"cmd|" not in sheet_xml and b"[1]Sheet1" not in sheet_xml
    sheet = openpyxl.load_workbook(io.BytesIO(kept)).active  # what is kept still opens, values in place
    assert sheet["D7"].value == 41 and sheet["D8"].value == 7
    assert read_file(load_con, "lai.xlsx", kept).batch.activities  # and reads back the same


def test_a_plain_workbook_is_kept_byte_for_byte(load_con):
    assert read_file(load_con, "bao_cao.xlsx", REPORT).batch.content == REPORT


def test_a_vba_project_in_an_xls_is_named_and_not_kept_in_the_original(load_con):
    import olefile

    from tests.conftest import unit_report_xlsx
    from tests.hardening import VBA_SOURCE, with_vba_project

    plain = unit_report_xlsx(fmt="xls")
    parsed = read_file(load_con, "bao_cao.xls", with_vba_project(plain))
    assert not parsed.errors
    assert "tệp có macro (VBA): macro không được chạy, và bản gốc được lưu không kèm macro" in [
        w.text() for w in parsed.warnings]
    kept = parsed.batch.content
    assert VBA_SOURCE[:40] not in kept
    with olefile.OleFileIO(io.BytesIO(kept)) as ole:  # the workbook itself is untouched
        assert ole.openstream("Workbook").read() == olefile.OleFileIO(io.BytesIO(plain)).openstream("Workbook").read()
        assert set(ole.openstream("_VBA_PROJECT_CUR/Module1").read()) == {0}
    again = read_file(load_con, "lai.xls", kept)
    assert sorted(r.value for r in again.batch.activities) == sorted(r.value for r in parsed.batch.activities)
    assert not [w for w in again.warnings if "macro" in w.text()]


def ods_with_basic(content: bytes) -> bytes:
    """An .ods carrying a Basic library (what LibreOffice saves with a document's macros) and a script."""
    def change(name: str, data: bytes) -> bytes:
        if name == "META-INF/manifest.xml":
            return data.replace(b"</manifest:manifest>",
                                b'<manifest:file-entry manifest:full-path="Basic/Standard/Module1.xml" '
                                b'manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path='
                                b'"Scripts/python/auto.py" manifest:media-type=""/></manifest:manifest>')
        return data

    return rewrite_zip(content, change, {"Basic/Standard/Module1.xml": b"<script:module>Sub Main\nShell(\"calc\")\n"
                                                                        b"End Sub</script:module>",
                                         "Scripts/python/auto.py": b"import os; os.system('calc')"})


def test_basic_macros_in_an_ods_are_named_and_not_kept_in_the_original(load_con):
    from tests.conftest import unit_report_xlsx

    plain = unit_report_xlsx(fmt="ods")
    parsed = read_file(load_con, "bao_cao.ods", ods_with_basic(plain))
    assert not parsed.errors
    assert any(w.text().startswith("tệp có macro (Basic)") for w in parsed.warnings)
    kept = zipfile.ZipFile(io.BytesIO(parsed.batch.content))
    assert not [n for n in kept.namelist() if n.startswith(("Basic/", "Scripts/"))]
    manifest = kept.read("META-INF/manifest.xml")
    assert b"Basic/" not in manifest and b"Scripts/" not in manifest and b"content.xml" in manifest
    assert kept.namelist()[0] == "mimetype" and kept.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    again = read_file(load_con, "lai.ods", parsed.batch.content)
    assert sorted(r.value for r in again.batch.activities) == sorted(r.value for r in parsed.batch.activities)


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_plain_xls_or_ods_is_kept_byte_for_byte(load_con, fmt):
    from tests.conftest import unit_report_xlsx

    plain = unit_report_xlsx(fmt=fmt)
    assert read_file(load_con, f"bao_cao.{fmt}", plain).batch.content == plain


def test_a_compound_file_that_cannot_be_followed_is_kept_as_sent_with_a_warning():
    from loaders.files.active import OLE_MAGIC, strip_active_content

    odd = OLE_MAGIC + bytes(600)
    kept, warnings = strip_active_content(odd, "la.xls")
    assert kept == odd and [w.text() for w in warnings] == [
        "không kiểm tra được macro trong tệp .xls (cấu trúc tệp lạ): bản gốc được lưu như đã gửi — không mở bằng "
        "Excel khi chưa rõ nguồn"]


def test_an_excel4_macro_sheet_in_an_xls_is_named_and_kept_as_a_plain_worksheet(load_con):
    import olefile

    from loaders.files.biff import macro_sheets
    from tests.conftest import UNIT_REPORT_TITLE, xls_bytes
    from tests.hardening import with_macro_sheet

    report = [["UBND TỈNH ĐẮK LẮK"], ["SỞ TƯ PHÁP"], [UNIT_REPORT_TITLE], [],
              ["STT", "Nội dung", "Đơn vị tính", "Kết quả thực hiện trong quý"],
              [1, "Tin, bài đăng trên Trang TTĐT của Sở", "tin/bài", 41]]
    plain = xls_bytes({"Báo cáo": report, "Macro1": [["=EXEC(\"calc\")"], ["=HALT()"]]})
    hostile = with_macro_sheet(plain, "Macro1")
    assert [s.name for s in macro_sheets(olefile.OleFileIO(io.BytesIO(hostile)).openstream("Workbook").read())] == \
        ["Macro1"]
    parsed = read_file(load_con, "bao_cao.xls", hostile)
    assert not parsed.errors and [r.value for r in parsed.batch.activities] == [41.0]
    assert "Trang tính “Macro1”: trang macro Excel 4.0: macro không được chạy, và bản gốc được lưu với trang này " \
           "thành trang tính thường" in [w.text() for w in parsed.warnings]
    kept = parsed.batch.content
    with olefile.OleFileIO(io.BytesIO(kept)) as ole:
        stream = ole.openstream("Workbook").read()
    assert macro_sheets(stream) == [] and kept != hostile
    assert stream == olefile.OleFileIO(io.BytesIO(plain)).openstream("Workbook").read()  # a worksheet again
    assert not [w for w in read_file(load_con, "lai.xls", kept).warnings if "macro" in w.text()]
