"""Files that are not reports: refused before anything is read, nothing written."""
import os

import pytest
from conftest import unit_report_xlsx, xlsx_bytes

from loaders.errors import UnusableFileError
from loaders.load import load_file, read_file
from loaders.registry.registries import Registry


def test_not_a_workbook_raises_and_writes_nothing(load_con, load_counts):
    before = load_counts(load_con)
    with pytest.raises(UnusableFileError, match="không phải là tệp Excel"):
        load_file(load_con, "bao_cao.xlsx", os.urandom(5000))
    assert load_counts(load_con) == before


def test_empty_workbook_is_refused(load_con):
    report = load_file(load_con, "trong.xlsx", xlsx_bytes({"Sheet1": []}))
    assert report.status == "refused"
    assert [e.as_dict() for e in report.errors] == [{
        "sheet": None, "row": None, "column": None,
        "message": "tệp “trong.xlsx” không có số liệu: mọi trang tính đều trống — cần một bảng số liệu (dùng lệnh "
                   "template để lấy mẫu)"}]


def test_workbook_without_any_table(load_con):
    parsed = read_file(load_con, "thu.xlsx", xlsx_bytes({"Thư": [["Kính gửi: Sở Nội vụ"], ["Nội dung công văn…"]]}))
    assert len(parsed.errors) == 1 and "không tìm thấy bảng số liệu nào" in parsed.errors[0].message


def test_size_limit_argument(load_con):
    with pytest.raises(UnusableFileError, match="quá lớn"):
        read_file(load_con, "bc.xlsx", unit_report_xlsx(), max_bytes=2048)


def test_read_file_works_without_a_database():
    """The registries shipped as CSV are enough to check a file (preview before any database exists)."""
    parsed = read_file(Registry.from_data_dir(), "bc.xlsx", unit_report_xlsx())
    assert parsed.errors == [] and parsed.rows == 15  # the quarter, the cumulative figures, the plans


def test_several_sheets_one_report_each(load_con):
    a = unit_report_xlsx(sheet="STP")
    from openpyxl import load_workbook
    import io

    wb = load_workbook(io.BytesIO(a))
    ws = wb.copy_worksheet(wb["STP"])
    ws.title = "SYT"
    ws["A2"] = "SỞ Y TẾ"
    buf = io.BytesIO()
    wb.save(buf)
    parsed = read_file(load_con, "hai_don_vi.xlsx", buf.getvalue())
    assert parsed.errors == [] and [s for s, _ in parsed.layouts] == ["STP", "SYT"]
    assert {a.unit_code for a in parsed.batch.activities} == {"so_tu_phap", "so_y_te"}
    assert parsed.batch.unit_code is None  # a batch of several units
