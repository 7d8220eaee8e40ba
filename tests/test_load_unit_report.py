"""One unit's quarterly report: the quarter's column is the actual, the annual plan the target, the
letterhead names the unit, the title the period; every error names sheet, row and column."""
import pytest
from conftest import UNIT_REPORT_BODY, unit_report_xlsx

from loaders.load import ArgumentError, load_file, read_file


def _rows(parsed):
    acts = sorted((a.unit_code, a.year, a.quarter, a.metric_code, a.value, a.row, a.col) for a in parsed.batch.activities)
    tgts = sorted((t.unit_code, t.year, t.quarter, t.metric_code, t.value, t.row, t.col) for t in parsed.batch.targets)
    return acts, tgts


def _spans(parsed):
    return sorted((s.unit_code, s.year, s.month_from, s.month_to, s.metric_code, s.value, s.row, s.col)
                  for s in parsed.batch.spans)


def _errors(parsed):
    return [(e.sheet, e.row, e.column) for e in parsed.errors]


def test_exact_rows_from_a_real_shaped_report(load_con):
    parsed = read_file(load_con, "bao_cao_stp_q3.xlsx", unit_report_xlsx())
    assert parsed.errors == []
    assert parsed.layouts == [("Báo cáo", "unit_report")]
    acts, tgts = _rows(parsed)
    # the "Quý III" column E; "1.250" is 1250 and "88,5" is 88.5
    assert acts == sorted([
        ("so_tu_phap", 2025, 3, "tin_bai", 12.0, 12, "E"),
        ("so_tu_phap", 2025, 3, "video_clip", 2.0, 13, "E"),
        ("so_tu_phap", 2025, 3, "hoi_nghi", 1.0, 15, "E"),
        ("so_tu_phap", 2025, 3, "to_gap", 1250.0, 16, "E"),
        ("so_tu_phap", 2025, 3, "ty_le_dung_han", 88.5, 17, "E"),
    ])
    # "Kế hoạch năm" (column D) is the unit's annual target (quarter None)
    assert tgts == sorted([
        ("so_tu_phap", 2025, None, "tin_bai", 40.0, 12, "D"),
        ("so_tu_phap", 2025, None, "video_clip", 8.0, 13, "D"),
        ("so_tu_phap", 2025, None, "hoi_nghi", 4.0, 15, "D"),
        ("so_tu_phap", 2025, None, "to_gap", 2000.0, 16, "D"),
        ("so_tu_phap", 2025, None, "ty_le_dung_han", 95.0, 17, "D"),
    ])
    # the "Lũy kế 9 tháng" column F: months 1..9, kept as the cumulative figure it is (never as the quarter's)
    assert _spans(parsed) == sorted([
        ("so_tu_phap", 2025, 1, 9, "tin_bai", 30.0, 12, "F"),
        ("so_tu_phap", 2025, 1, 9, "video_clip", 5.0, 13, "F"),
        ("so_tu_phap", 2025, 1, 9, "hoi_nghi", 3.0, 15, "F"),
        ("so_tu_phap", 2025, 1, 9, "to_gap", 1800.0, 16, "F"),
        ("so_tu_phap", 2025, 1, 9, "ty_le_dung_han", 90.0, 17, "F"),
    ])
    assert (parsed.batch.unit_code, parsed.batch.year, parsed.batch.quarter) == ("so_tu_phap", 2025, 3)
    assert parsed.batch.period == "2025-Q3"
    warned = {(w.row, w.column) for w in parsed.warnings}
    assert (18, "B") in warned  # "Tổng cộng" skipped as a total


def test_load_writes_one_batch_and_the_views_show_it(load_con):
    content = unit_report_xlsx()
    report = load_file(load_con, "bao_cao_stp_q3.xlsx", content, uploaded_by="can_bo_stp")
    assert report.status == "loaded" and report.created and report.rows == 15  # 5 of the quarter, 5 cumulative, 5 plans
    row = load_con.execute("SELECT actual, target FROM v_activity WHERE unit_code='so_tu_phap' AND year=2025 "
                           "AND quarter=3 AND metric_code='to_gap'").fetchone()
    assert row == (1250.0, 500.0)  # the annual count target split over four quarters
    batch = load_con.execute("SELECT kind, unit_code, year, quarter, uploaded_by, rows FROM v_upload "
                             "WHERE batch_id = ?", [report.batch_id]).fetchone()
    assert batch == ("activities", "so_tu_phap", 2025, 3, "can_bo_stp", 15)
    again = load_file(load_con, "copy.xlsx", content)  # the very same bytes under another name
    assert again.status == "loaded" and not again.created and again.batch_id == report.batch_id
    assert any("đã được nạp trước đó (lô số" in w.message for w in again.warnings)


def test_period_written_as_quy_ii_slash_year_and_unit_typed_without_diacritics(load_con):
    content = unit_report_xlsx(title="BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN CCHC QUÝ II/2025", quarter_header="Quý II",
                               ytd_header="Lũy kế 6 tháng", letterhead=("UBND TINH DAK LAK", "So Xay Dung"))
    parsed = read_file(load_con, "x.xlsx", content)
    assert parsed.errors == []
    assert {(a.unit_code, a.year, a.quarter) for a in parsed.batch.activities} == {("so_xay_dung", 2025, 2)}


def test_unit_and_period_from_arguments_when_the_sheet_does_not_say(load_con):
    content = unit_report_xlsx(title="BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN CCHC", letterhead=("", ""),
                               quarter_header="Trong quý", ytd_header="Lũy kế")
    parsed = read_file(load_con, "x.xlsx", content)
    assert {e.message.split(" — ")[0] for e in parsed.errors} == {
        "cột “Kết quả thực hiện / Trong quý” không ghi kỳ và tiêu đề cũng không ghi kỳ báo cáo"}
    parsed = read_file(load_con, "x.xlsx", content, unit="So Tu phap", period="2025-Q3")
    assert parsed.errors == []
    assert {(a.unit_code, a.year, a.quarter) for a in parsed.batch.activities} == {("so_tu_phap", 2025, 3)}


def test_no_unit_anywhere_is_an_error(load_con):
    content = unit_report_xlsx(letterhead=("", ""))
    parsed = read_file(load_con, "x.xlsx", content)
    assert len(parsed.errors) == 1 and "không xác định được đơn vị báo cáo" in parsed.errors[0].message


def test_period_argument_contradicting_the_title(load_con, load_counts):
    before = load_counts(load_con)
    report = load_file(load_con, "x.xlsx", unit_report_xlsx(), period="2025-Q2")
    assert report.status == "refused"
    (err,) = report.errors
    assert (err.sheet, err.row, err.column) == ("Báo cáo", 5, "A")  # the title cell
    assert "Quý III/2025" in err.message and "Quý II/2025" in err.message
    assert load_counts(load_con) == before


def test_unit_argument_contradicting_the_letterhead(load_con):
    parsed = read_file(load_con, "x.xlsx", unit_report_xlsx(), unit="Sở Y tế")
    (err,) = parsed.errors
    assert (err.row, err.column) == (2, "A") and "Sở Tư pháp" in err.message and "Sở Y tế" in err.message


def test_unknown_indicator_with_suggestions(load_con):
    body = UNIT_REPORT_BODY[:2] + [[2, "Số lượng ấn phẩm đã in", "cuốn", 10, 3, 7]]
    parsed = read_file(load_con, "x.xlsx", unit_report_xlsx(body=body))
    (err,) = parsed.errors
    assert (err.sheet, err.row, err.column) == ("Báo cáo", 13, "B")
    assert err.message.startswith("không nhận ra chỉ tiêu “Số lượng ấn phẩm đã in”; gần nhất: ")


def test_ambiguous_indicator_is_never_guessed(load_con):
    body = [[1, "Tỷ lệ hồ sơ", "%", 95, 90, 90]]
    parsed = read_file(load_con, "x.xlsx", unit_report_xlsx(body=body))
    (err,) = parsed.errors
    assert (err.row, err.column) == (11, "B")
    assert "khớp với nhiều chỉ tiêu" in err.message and "Tỷ lệ hồ sơ nộp trực tuyến" in err.message


@pytest.mark.parametrize("cell, column, expected", [
    ("-3", "E", "số âm “-3”"),
    ("mười hai", "E", "ô chứa chữ “mười hai” — cần một số"),
    ("12,5", "E", "“12,5” không phải số nguyên"),
])
def test_bad_count_values(load_con, cell, column, expected):
    body = [[1, "Tin bài trên Cổng thông tin điện tử", "tin", 40, cell, 30]]
    parsed = read_file(load_con, "x.xlsx", unit_report_xlsx(body=body))
    (err,) = parsed.errors
    assert (err.sheet, err.row, err.column) == ("Báo cáo", 11, column)
    assert expected in err.message


def test_rate_over_100_and_percent_formatted_rates(load_con):
    body = [[1, "Tỷ lệ hồ sơ nộp trực tuyến", "%", 0.9, "120", 95]]
    parsed = read_file(load_con, "x.xlsx", unit_report_xlsx(body=body, percent=["D11"]))
    (err,) = parsed.errors
    assert (err.row, err.column) == (11, "E") and "vượt quá 100%" in err.message
    body = [[1, "Tỷ lệ hồ sơ nộp trực tuyến", "%", 0.9, "96,5%", 95]]
    parsed = read_file(load_con, "x.xlsx", unit_report_xlsx(body=body, percent=["D11"]))
    assert parsed.errors == []
    assert [t.value for t in parsed.batch.targets] == [90.0]  # 0.9 shown as 90,0% in Excel
    assert [a.value for a in parsed.batch.activities] == [96.5]


def test_same_indicator_twice_with_different_values(load_con):
    body = [[1, "Tin bài trên Cổng TTĐT", "tin", 40, 12, 30], [2, "Video clip", "video", 8, 2, 5],
            [3, "Số tin bài", "tin", 40, 15, 33]]
    parsed = read_file(load_con, "x.xlsx", unit_report_xlsx(body=body))
    assert _errors(parsed) == [("Báo cáo", 13, "E"), ("Báo cáo", 13, "F")]  # the quarter's and the cumulative
    assert "xuất hiện hai lần với hai giá trị khác nhau — 12 (trang “Báo cáo”, dòng 11, cột E) và 15" \
        in parsed.errors[0].message
    body[2] = [3, "Số tin bài", "tin", 40, 12, 30]
    parsed = read_file(load_con, "x.xlsx", unit_report_xlsx(body=body))
    assert parsed.errors == [] and len(parsed.batch.activities) == 2
    assert any("lặp lại với cùng giá trị 12" in w.message for w in parsed.warnings)


def test_a_quarter_report_giving_only_cumulative_figures_loads_them_as_such(load_con):
    """Q3's report with "Lũy kế 6 tháng" and "Lũy kế 9 tháng": the nine months are its cumulative figure (kept as
    months 1..9, never as the quarter); the six months belong to the last report and are skipped, said so."""
    content = unit_report_xlsx(quarter_header="Lũy kế 6 tháng", ytd_header="Lũy kế 9 tháng")
    parsed = read_file(load_con, "x.xlsx", content)
    assert parsed.errors == [] and parsed.batch.activities == []
    assert {(s.month_from, s.month_to, s.col) for s in parsed.batch.spans} == {(1, 9, "F")}
    (w,) = [w for w in parsed.warnings if (w.row, w.column) == (9, "E")]
    assert "6 tháng đầu năm 2025" in w.message and "kỳ báo cáo là Quý III/2025" in w.message


def test_column_quarter_contradicting_the_title(load_con):
    parsed = read_file(load_con, "x.xlsx", unit_report_xlsx(quarter_header="Quý II", ytd_header="Lũy kế 6 tháng"))
    (err,) = parsed.errors
    assert (err.row, err.column) == (9, "E") and "kỳ báo cáo là Quý III/2025" in err.message


def test_empty_values_and_heading_rows_are_warnings(load_con):
    body = [["I", "TRUYỀN THÔNG"], [1, "Tin bài trên Cổng TTĐT", "tin", 40, None, 30],
            [2, "Video clip", "video", 8, 2, 5], [None, "Các hoạt động khác (nếu có)"]]
    parsed = read_file(load_con, "x.xlsx", unit_report_xlsx(body=body))
    assert parsed.errors == []
    assert [(a.metric_code, a.value) for a in parsed.batch.activities] == [("video_clip", 2.0)]
    msgs = {(w.row, w.column): w.message for w in parsed.warnings}
    assert "để trống" in msgs[(12, "E")]
    assert "không khớp chỉ tiêu nào và không có số liệu" in msgs[(14, "B")]


def test_targets_only(load_con):
    parsed = read_file(load_con, "x.xlsx", unit_report_xlsx(), kind="targets")
    assert parsed.errors == [] and parsed.kind == "targets"
    assert parsed.batch.activities == [] and len(parsed.batch.targets) == 5


def test_bad_arguments_raise(load_con):
    with pytest.raises(ArgumentError, match="quý 5 nằm ngoài 1–4"):
        read_file(load_con, "x.xlsx", unit_report_xlsx(), period="2025-Q5")
    with pytest.raises(ArgumentError, match="không nhận ra đơn vị “Sở Vũ trụ”"):
        read_file(load_con, "x.xlsx", unit_report_xlsx(), unit="Sở Vũ trụ")


def test_single_row_header_with_abbreviations(load_con):
    rows = [["SỞ XÂY DỰNG"], ["BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN CCHC QUÝ III/2025"],
            ["TT", "Nội dung công việc", "ĐVT", "KH năm 2025", "TH Quý III", "Lũy kế", "Tỷ lệ % so với KH", "Ghi chú"],
            [1, "Tin bài trên Trang thông tin điện tử", "Tin", 20, 6, 15, "75%"],
            [2, "Pa nô, áp phích", "Cái", 10, 2, 8, "80%"],
            [3, "Tờ rơi", "Tờ", "500", "120", "400", "80%"]]
    from conftest import xlsx_bytes

    parsed = read_file(load_con, "sxd.xlsx", xlsx_bytes({"Sheet1": rows}))
    assert parsed.errors == []
    acts, tgts = _rows(parsed)
    assert [(a[0], a[2], a[3], a[4], a[6]) for a in acts] == [
        ("so_xay_dung", 3, "pano_apphich", 2.0, "E"), ("so_xay_dung", 3, "tin_bai", 6.0, "E"),
        ("so_xay_dung", 3, "to_gap", 120.0, "E")]
    assert [(t[3], t[4], t[6]) for t in tgts] == [("pano_apphich", 10.0, "D"), ("tin_bai", 20.0, "D"),
                                                  ("to_gap", 500.0, "D")]


def test_letterhead_in_one_cell_and_a_nine_month_title_is_a_nine_month_report(load_con):
    from conftest import xlsx_bytes

    rows = [["UBND TỈNH ĐẮK LẮK\nSỞ Y TẾ", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"],
            [None, None, None, "Đắk Lắk, ngày 02 tháng 10 năm 2025"],
            ["BÁO CÁO\nKết quả thực hiện công tác tuyên truyền CCHC 9 tháng đầu năm 2025"],
            ["TT", "Nội dung", "Kết quả thực hiện trong kỳ", "Ghi chú"],
            ["1", "Số tin, bài đăng trên Cổng TTĐT", "15", ""],
            ["2", "Số buổi đối thoại với người dân, doanh nghiệp", "2", "Tại xã Ea Tu"]]
    content = xlsx_bytes({"BC": rows}, {"BC": ["A1:C1", "A3:D3"]})
    parsed = read_file(load_con, "syt.xlsx", content)
    assert parsed.errors == [] and parsed.batch.activities == [] and parsed.batch.period == "2025-9M"
    # "Kết quả thực hiện trong kỳ" of a nine-month report: months 1..9, never a quarter
    assert sorted((s.unit_code, s.month_from, s.month_to, s.metric_code, s.value) for s in parsed.batch.spans) == [
        ("so_y_te", 1, 9, "doi_thoai", 2.0), ("so_y_te", 1, 9, "tin_bai", 15.0)]
    (err,) = read_file(load_con, "syt.xlsx", content, period="2025-Q3").errors  # nine months are not a quarter
    assert (err.row, err.column) == (3, "A") and "9 tháng năm 2025" in err.message and "Quý III/2025" in err.message
