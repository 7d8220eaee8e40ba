"""Bounded reading (issue 14): no file can make the reader allocate without end.

Every bomb class of the red-team report is built here, small, and must be refused with a Vietnamese message
that names the limit and by how much, before the spreadsheet reader sees it; the memory bound itself is tried
by handing the reader such a file past the checks.
"""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from loaders.errors import UnusableFileError
from loaders.files import limits, workbook
from loaders.files.limits import LimitExceeded, run_bounded
from loaders.files.workbook import read_workbook
from tests.conftest import ods_bytes, xls_bytes, xlsx_bytes
from tests.hardening import rewrite_zip


def far_cell_xlsx() -> bytes:
    """A 5 KB workbook with a title in A1 and one number at XFD1048576 (the last cell of a sheet)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "BÁO CÁO"
    ws["XFD1048576"] = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite_sheet(content: bytes, change) -> bytes:
    """The same .xlsx with its first worksheet's XML passed through change(xml bytes) -> bytes."""
    return rewrite_zip(content, lambda name, data: change(data) if name == "xl/worksheets/sheet1.xml" else data)


def zip_bomb_xlsx(inflated_mb: int) -> bytes:
    """A valid-looking workbook whose first sheet inflates to `inflated_mb` MB of identical rows."""
    base = xlsx_bytes({"Số liệu": [["Đơn vị", "Tin bài"], ["Sở Tư pháp", 3]]})
    src = zipfile.ZipFile(io.BytesIO(base))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, data)
                continue
            head, rest = data.split(b"<sheetData>")
            tail = rest.split(b"</sheetData>", 1)[1]
            row = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
            block = row * 1000
            with out.open(info.filename, "w", force_zip64=True) as member:
                member.write(head + b"<sheetData>")
                for _ in range(inflated_mb):
                    member.write(block)
                member.write(b"</sheetData>" + tail)
    return buf.getvalue()


def refused(content: bytes, name: str) -> str:
    with pytest.raises(LimitExceeded) as info:
        read_workbook(content, name)
    return info.value.message


def test_a_cell_at_xfd1048576_in_a_5_kb_workbook_is_refused_before_reading():
    content = far_cell_xlsx()
    assert len(content) < 8000
    message = refused(content, "bao_cao.xlsx")
    assert "số ô" in message and "17.179.869.184 ô" in message and "3.000.000 ô" in message
    assert re.search(r"gấp [\d.]+,\d lần", message), message


def test_a_declared_dimension_of_the_whole_sheet_is_refused():
    content = rewrite_sheet(xlsx_bytes({"S": [["a", 1]]}),
                            lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml))
    assert "thẻ dimension" in refused(content, "khai_bao.xlsx")


def test_a_3_mb_zip_bomb_is_refused_by_its_ratio():
    content = zip_bomb_xlsx(200)  # 200 MB of rows in about 0.3 MB
    assert len(content) < 3 * 1024 * 1024
    message = refused(content, "bom.xlsx")
    assert "tỉ lệ" in message and f"{limits.MAX_RATIO}:1" in message and "zip bomb" in message


def test_the_inflated_total_is_a_limit_of_its_own(monkeypatch):
    monkeypatch.setattr(limits, "MAX_RATIO", 10**9)  # only the total is left to catch it
    monkeypatch.setattr(limits, "MAX_INFLATED", 50 * 1024 * 1024)
    message = refused(zip_bomb_xlsx(80), "bom.xlsx")
    assert "khi giải nén lớn" in message and "50,0 MB" in message and "gấp 1,6 lần" in message


def test_declared_sizes_that_lie_are_caught_by_inflating(monkeypatch):
    """A member whose central directory says 1 KB while it inflates to 60 MB: the reader must not trust it."""
    monkeypatch.setattr(limits, "MAX_RATIO", 10**9)
    content = bytearray(zip_bomb_xlsx(60))
    zf = zipfile.ZipFile(io.BytesIO(bytes(content)))
    info = zf.getinfo("xl/worksheets/sheet1.xml")
    # the uncompressed size of that member's central directory record (offset 24, 4 bytes) says 1 KB
    start = content.rfind(b"PK\x01\x02", zf.start_dir, content.find(info.filename.encode(), zf.start_dir))
    assert int.from_bytes(content[start + 24:start + 28], "little") == info.file_size
    content[start + 24:start + 28] = (1024).to_bytes(4, "little")
    with pytest.raises(UnusableFileError) as exc:
        read_workbook(bytes(content), "noi_doi.xlsx")
    assert "bị hỏng" in exc.value.message or "vượt giới hạn" in exc.value.message


def test_an_xls_cell_at_the_last_row_and_column_is_refused():
    rows = [["Đơn vị", "Tin bài"]] + [[] for _ in range(65534)] + [[None] * 255 + [1]]
    message = refused(xls_bytes({"S": rows}), "cu.xls")
    assert "16.777.216 ô" in message


def ods_with_content(change) -> bytes:
    """A small .ods report whose content.xml is passed through change(xml bytes) -> bytes."""
    content = ods_bytes({"S": [["Đơn vị", "Tin bài"], ["Sở Tư pháp", 3]]})
    return rewrite_zip(content, lambda name, data: change(data) if name == "content.xml" else data)


def test_an_ods_row_repeated_a_million_times_is_refused():
    def repeat(xml: bytes) -> bytes:
        xml = xml.replace(b"<table:table-row>", b'<table:table-row table:number-rows-repeated="1048000">', 1)
        return xml.replace(b"<table:table-cell ", b'<table:table-cell table:number-columns-repeated="1000" ', 1)

    message = refused(ods_with_content(repeat), "lap.ods")
    assert "số ô" in message and "1.049.049.001 ô" in message  # 1,048,001 rows × 1,001 columns


def test_libreoffice_trailing_empty_repeats_are_not_cells():
    """LibreOffice writes the empty rest of a sheet as one repeated row: that holds nothing and is read."""
    content = ods_with_content(lambda xml: xml.replace(
        b"</table:table>", b'<table:table-row table:number-rows-repeated="1048574">'
        b'<table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>'))
    grids = read_workbook(content, "lo.ods")
    assert grids[0].text(1, 0) == "Sở Tư pháp"


@pytest.mark.parametrize("content, found", [(b"\n" * 4_000_000, "dòng"), (b"1;" * 4_000_000, "dòng 1")])
def test_a_csv_of_millions_of_empty_rows_or_fields_is_refused(content, found):
    message = refused(content, "bom.csv")
    assert "hơn 3.000.000 ô" in message and found in message


def test_the_memory_bound_stops_a_reader_that_slips_past_the_checks():
    """The reader itself, handed the 5 KB workbook without the checks, asks for 512 GiB: only the child dies."""
    with pytest.raises(LimitExceeded) as info:
        run_bounded(workbook._read_calamine, far_cell_xlsx(), "bao_cao.xlsx", name="bao_cao.xlsx")
    assert "cần quá nhiều bộ nhớ" in info.value.message and "1.024 MB" in info.value.message
    assert read_workbook(xlsx_bytes({"S": [["a", 1]]}), "ok.xlsx")[0].text(0, 0) == "a"  # this process lives on


def test_the_bounded_reader_returns_refusals_and_faults():
    def refuse():
        raise UnusableFileError("không đọc được")

    with pytest.raises(UnusableFileError, match="không đọc được"):
        run_bounded(refuse, name="x")
    with pytest.raises(limits.ReadFault, match="ZeroDivisionError"):
        run_bounded(lambda: 1 / 0, name="x")


def test_real_published_workbooks_stay_under_the_limits():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    # shared/ lies beside the checkout (CI), or beside the folder of worktrees
    corpus = next((p / "shared" / "corpus" / "indices" for p in (root.parent, root.parent.parent)
                   if (p / "shared" / "corpus" / "indices").is_dir()), None)
    files = sorted(corpus.glob("PCI_201*.xlsx")) if corpus else []
    if not files:
        pytest.skip("the shared corpus is not beside this checkout")
    for path in files:
        assert read_workbook(path.read_bytes(), path.name)


def test_the_command_line_refuses_a_bomb_with_json_and_exit_2(tmp_path, fresh_db, capsys):
    from loaders.cli import main

    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(far_cell_xlsx())
    code = main(["--db", str(fresh_db), "load", str(path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 2 and out["status"] == "unusable"
    assert "vượt giới hạn số ô" in out["errors"][0]["message"]
