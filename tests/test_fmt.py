"""Vietnamese formatting (dashboard.fmt), theme rules and table exports."""
import io
import math

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard import exports, fmt, theme
from core.text import parse_number


@pytest.mark.parametrize("value, decimals, expected", [
    (1250, 0, "1.250"), (88.5, 1, "88,5"), (1250.5, 1, "1.250,5"), (1234567.891, 2, "1.234.567,89"),
    (0, 0, "0"), (-0.01, 1, "0,0"), (-1250, 0, "-1.250"), (None, 0, "–"), (float("nan"), 1, "–"), (pd.NA, 0, "–"),
])
def test_number(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


def test_auto_percent_rate_signed():
    assert fmt.auto(12.0) == "12"
    assert fmt.auto(87.33) == "87,33"
    assert fmt.auto(45.6196, 4) == "45,6196"
    assert fmt.percent(0.885) == "88,5%"
    assert fmt.percent(1.0, 0) == "100%"
    assert fmt.rate(95.2) == "95,2%"
    assert fmt.signed(2.3) == "+2,3"
    assert fmt.signed(-1) == "-1,0"
    assert fmt.points_delta(0.021) == "+2,1 điểm %"
    assert fmt.points_delta(-0.1292) == "-12,9 điểm %"


def test_rank_delta_smaller_rank_is_better():
    assert fmt.rank_delta(28, 18) == "+10 bậc"
    assert fmt.rank_delta(31, 39) == "-8 bậc"
    assert fmt.rank_delta(5, 5) == "giữ nguyên hạng"
    assert fmt.rank_delta(None, 5) is None


def test_periods_and_dates():
    assert fmt.quarter(2025, 3) == "Quý III/2025"
    assert fmt.quarter_short(4) == "Quý IV"
    assert fmt.date(pd.Timestamp("2025-10-07")) == "07/10/2025"
    assert fmt.datetime(pd.Timestamp("2025-10-07 08:30")) == "07/10/2025 08:30"
    assert fmt.date(None) == "–"


def test_index_decimals_follow_the_scale():
    assert fmt.index_value(0.78571, 1) == "0,7857"
    assert fmt.index_value(87.33, 100) == "87,33"


def test_plotly_separators_and_d3():
    assert fmt.PLOTLY_SEPARATORS == ",."
    assert fmt.d3(1) == ",.1f"
    assert fmt.d3_percent(1) == ",.1%"


def test_styler_shows_vietnamese_and_keeps_numbers():
    df = pd.DataFrame({"Đơn vị": ["A"], "Hoàn thành": [0.885], "Số": [1250.0], "Hạng": pd.array([3], "Int64")})
    html = fmt.styler(df, {"Hoàn thành": "percent"}).to_html()
    assert "88,5%" in html and "1.250" in html
    assert df["Hoàn thành"].dtype.kind == "f"  # raw values kept for sorting


def test_status_thresholds_are_one_rule():
    assert theme.status_of(1.0) == theme.DAT
    assert theme.status_of(0.99) == theme.GAN_DAT
    assert theme.status_of(0.8) == theme.GAN_DAT
    assert theme.status_of(0.7999) == theme.CHUA_DAT
    assert theme.status_of(None) == theme.NO_STATUS
    assert theme.status_of(float("nan")) == theme.NO_STATUS
    assert set(theme.STATUS_COLOR) == set(theme.STATUS_LABEL) == set(theme.STATUSES)
    assert theme.STATUS_LABEL[theme.GAN_DAT] == "Gần đạt"


def test_source_line():
    line = theme.source_line(["A", "A", None, "B"], updated=pd.Timestamp("2025-10-07 08:00"))
    assert line.startswith("Nguồn: A; B.") and "07/10/2025 08:00" in line
    assert "Dữ liệu mẫu" in theme.source_line(["A", theme.SAMPLE_LABEL])
    assert theme.source_line([]) == "Nguồn: chưa ghi nguồn."
    assert "và 2 nguồn khác" in theme.source_line(list("abcdef"))


def test_csv_export_is_vietnamese_excel_friendly():
    df = pd.DataFrame({"Đơn vị": ["Sở Tư pháp"], "Thực hiện": [1250.5], "Hoàn thành": [0.885],
                       "Ngày": [pd.Timestamp("2025-10-07")]})
    raw = exports.to_csv(df, {"Hoàn thành": "percent", "Ngày": "date"})
    assert raw.startswith("\ufeff".encode("utf-8"))
    text = raw.decode("utf-8-sig")
    header, row = text.strip().splitlines()
    assert header == "Đơn vị;Thực hiện;Hoàn thành (%);Ngày"
    cells = row.split(";")
    assert cells[0] == "Sở Tư pháp" and cells[3] == "07/10/2025"
    assert parse_number(cells[1]) == 1250.5 and parse_number(cells[2]) == 88.5


def test_xlsx_export_keeps_numbers_with_formats():
    df = pd.DataFrame({"Đơn vị": ["A", "B"], "Hoàn thành": [0.885, float("nan")], "Số": [1250, 3]})
    data = exports.to_xlsx(df, {"Hoàn thành": "percent"}, title="Tiêu đề", source="Nguồn: x")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "Tiêu đề" and ws["A2"].value == "Nguồn: x"
    assert [c.value for c in ws[4]] == ["Đơn vị", "Hoàn thành", "Số"]
    assert math.isclose(ws["B5"].value, 0.885) and ws["B5"].number_format == "0.0%"
    assert ws["B6"].value is None
    assert ws["C5"].value == 1250
    assert exports.file_name("Hoàn thành Quý III/2025", "xlsx") == "hoan_thanh_quy_iii_2025.xlsx"
