"""Reading sheets: merged ranges filled, the header found wherever it is, rows classified, bad files refused."""
import io
import zipfile

import pytest
from conftest import rollup_xlsx, unit_report_xlsx, xlsx_bytes

from loaders.errors import UnusableFileError
from loaders.files.workbook import read_csv_grid, read_workbook
from loaders.layouts.table import RowKind, classify_row, find_table, interpret_part, strip_item_prefix


def test_merged_ranges_are_filled_and_the_two_row_header_is_joined():
    (grid,) = read_workbook(unit_report_xlsx(), "bc.xlsx")
    assert grid.name == "Báo cáo"
    assert grid.value(0, 2) == "UBND TỈNH ĐẮK LẮK"  # A1:C1 merged: C1 repeats A1
    assert grid.is_copy(0, 2) and not grid.is_copy(0, 0)
    table = find_table(grid)
    assert table.header_rows == [7, 8]  # Excel rows 8 and 9
    assert table.first_body_row == 10  # the numbering row "(1) (2) …" (Excel 10) is skipped
    labels = [c.label for c in table.columns[:7]]
    assert labels == ["STT", "Nội dung", "Đơn vị tính", "Kế hoạch năm", "Kết quả thực hiện / Quý III",
                      "Kết quả thực hiện / Lũy kế 9 tháng", "Ghi chú"]
    e, f = table.columns[4], table.columns[5]
    assert e.quarter == 3 and e.has("actual") and not e.has("ytd")
    assert f.has("ytd")
    assert table.columns[3].has("plan")


def test_header_found_below_any_number_of_title_rows_and_a_parent_typed_without_merging():
    rows = [["Biểu số 02"], ["BÁO CÁO SỐ LIỆU QUÝ I NĂM 2025"], [], [], [], [],
            ["STT", "Nội dung", "Kết quả", None],
            [None, None, "Quý I", "Lũy kế"],
            [1, "Tin bài", 3, 3]]
    (grid,) = read_workbook(xlsx_bytes({"S": rows}), "x.xlsx")
    table = find_table(grid)
    assert table.header_rows == [6, 7]
    assert [c.label for c in table.columns] == ["STT", "Nội dung", "Kết quả / Quý I", "Kết quả / Lũy kế"]
    assert table.first_body_row == 8


def test_rows_are_classified():
    (grid,) = read_workbook(unit_report_xlsx(), "bc.xlsx")
    kinds = {r + 1: classify_row(grid, r, [1], 0) for r in range(10, grid.nrows)}
    assert kinds[11] is RowKind.SECTION  # "I | TUYÊN TRUYỀN …"
    assert kinds[12] is RowKind.DATA
    assert kinds[14] is RowKind.SECTION  # "II"
    assert kinds[18] is RowKind.TOTAL  # "Tổng cộng"
    assert kinds[19] is RowKind.EMPTY
    assert kinds[20] is RowKind.NOTE  # "Ghi chú: …"
    assert kinds[22] is RowKind.SIGNATURE  # NGƯỜI LẬP BIỂU / GIÁM ĐỐC
    assert kinds[23] is RowKind.SIGNATURE  # (Ký, ghi rõ họ tên)


def test_rollup_sections_totals_numbering():
    (grid,) = read_workbook(rollup_xlsx(), "th.xlsx")
    table = find_table(grid)
    assert table.header_rows == [5, 6] and table.first_body_row == 8
    assert classify_row(grid, 7, [1], 0) is RowKind.NUMBERING
    assert classify_row(grid, 8, [1], 0) is RowKind.SECTION
    assert classify_row(grid, 14, [1], 0) is RowKind.TOTAL  # "Cộng"
    assert table.columns[2].label == "Truyền thông trên báo chí, cổng TTĐT / Tin bài trên Cổng TTĐT"


@pytest.mark.parametrize("label, kind", [
    ("Tổng cộng", RowKind.TOTAL), ("Cộng:", RowKind.TOTAL), ("TỔNG CỘNG TOÀN TỈNH", RowKind.TOTAL),
    ("Trung bình cả nước", RowKind.TOTAL), ("Tổng số tin bài đăng trên cổng", RowKind.DATA),
    ("Sở Công Thương", RowKind.DATA), ("Nơi nhận:", RowKind.SIGNATURE), ("KT. GIÁM ĐỐC", RowKind.SIGNATURE),
    ("Buôn Ma Thuột, ngày 10 tháng 10 năm 2025", RowKind.SIGNATURE), ("Nguồn: VCCI", RowKind.NOTE),
])
def test_label_classification(label, kind):
    (grid,) = read_workbook(xlsx_bytes({"S": [[1, label, 5]] if kind is RowKind.DATA else [[None, label, None]]}), "x.xlsx")
    assert classify_row(grid, 0, [1], 0) is kind


def test_header_words_inside_a_name_do_not_change_its_role():
    assert interpret_part("Tỷ lệ CBCCVC nắm vững mục tiêu, nhiệm vụ CCHC (%)")[0] == set()
    assert interpret_part("Kế hoạch năm 2025")[:3] == ({"plan"}, None, 2025)
    assert interpret_part("Thực hiện Quý III/2025")[:3] == ({"actual", "quarter"}, 3, 2025)
    assert "ytd" in interpret_part("Lũy kế từ đầu năm")[0]
    assert "ytd" in interpret_part("Kết quả thực hiện năm 2025")[0]  # a year's result is not a quarter's
    assert interpret_part("Tên cơ quan, đơn vị")[0] == {"entity"}


def test_item_numbering_is_stripped_from_labels():
    assert strip_item_prefix("1. Tin bài") == "Tin bài"
    assert strip_item_prefix("a) Video") == "Video"
    assert strip_item_prefix("- Tờ rơi") == "Tờ rơi"
    assert strip_item_prefix("1.2. Hội nghị") == "Hội nghị"
    assert strip_item_prefix("Sở Y tế") == "Sở Y tế"


def test_percent_formatted_cells_are_marked():
    content = xlsx_bytes({"S": [["a", "b"], [0.955, 12]]}, percent={"S": ["A2"]})
    (grid,) = read_workbook(content, "p.xlsx")
    assert grid.is_percent(1, 0) and not grid.is_percent(1, 1)


def test_hidden_sheets_are_not_read():
    content = xlsx_bytes({"Số liệu": [["x"]], "Danh mục": [["y"]]}, hidden=("Danh mục",))
    assert [g.name for g in read_workbook(content, "t.xlsx")] == ["Số liệu"]


def test_csv_with_semicolons_and_utf8_bom():
    grid = read_csv_grid("Đơn vị;Năm;Quý\nSở Y tế;2025;3\n".encode("utf-8-sig"), "a.csv")
    assert grid.cells == [["Đơn vị", "Năm", "Quý"], ["Sở Y tế", "2025", "3"]]


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize("content, name, expected", [
    (bytes(range(256)) * 40, "bao_cao.xlsx", "không phải là tệp Excel"),
    (_docx_bytes(), "bao_cao.xlsx", "văn bản Word"),
    (b"", "bao_cao.xlsx", "rỗng"),
    (b"PK\x03\x04garbage that is not a zip", "bao_cao.xlsx", "bị hỏng"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "bao_cao.xls", "không đọc được"),
])
def test_unusable_files_are_refused_in_vietnamese(content, name, expected):
    with pytest.raises(UnusableFileError) as exc:
        read_workbook(content, name)
    assert expected in exc.value.message


def test_files_over_the_size_limit_are_refused(monkeypatch):
    content = unit_report_xlsx()
    with pytest.raises(UnusableFileError, match="quá lớn"):
        read_workbook(content, "bc.xlsx", max_bytes=1000)
    monkeypatch.setenv("CCHC_MAX_UPLOAD_MB", "0.001")
    with pytest.raises(UnusableFileError, match="giới hạn là 1 KB"):
        read_workbook(content, "bc.xlsx")
