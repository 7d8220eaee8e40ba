"""Reports of every period agencies send — monthly, six-monthly, nine-monthly, yearly — with and without their
cumulative ("Lũy kế") columns, on workbooks built the way clerks make them: letterhead and national motto in merged
cells, a date line, the title naming the period, a two-row merged header, a "(1) (2) (3)" row, Roman-numeral
sections, a totals row, notes and signatures. Each value is kept as the span of months it holds."""
import pytest
from conftest import xlsx_bytes

from loaders.load import read_file

LETTERHEAD = ("UBND TỈNH ĐẮK LẮK", "SỞ TƯ PHÁP")
BODY = [  # label, unit of measure, annual plan, then one value per result column
    ["I", "TUYÊN TRUYỀN TRÊN PHƯƠNG TIỆN THÔNG TIN ĐẠI CHÚNG"],
    [1, "Tin, bài đăng trên Trang TTĐT của Sở", "tin/bài", 48],
    [2, "Video, clip tuyên truyền", "video", 6],
    ["II", "CÁC HOẠT ĐỘNG KHÁC"],
    [3, "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "%", 95],
]


def clerk_report(title: str, results: list[str], values: list[list], parent: str | None = "Kết quả thực hiện",
                 sheet: str = "Báo cáo") -> bytes:
    """One unit's report: `results` are the column heads under `parent` (or alone, parent None); `values` one
    list per data row of BODY (rows 1–3 in order)."""
    n = len(results)
    last = chr(ord("E") + n)  # the note column after the results
    rows = [
        [LETTERHEAD[0], None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        [LETTERHEAD[1], None, None, "Độc lập - Tự do - Hạnh phúc"],
        [None, None, None, "Đắk Lắk, ngày 05 tháng 10 năm 2025"],
        [],
        [title],
        ["(Kèm theo Công văn số 123/STP-VP)"],
        [],
        ["STT", "Nội dung", "Đơn vị tính", "Kế hoạch năm"] + ([parent] + [None] * (n - 1) if parent else results)
        + ["Ghi chú"],
    ]
    merges = ["A1:C1", "A2:C2", f"D1:{last}1", f"D2:{last}2", f"D3:{last}3", f"A5:{last}5", f"A6:{last}6"]
    if parent:
        rows.append([None] * 4 + results + [None])
        merges += ["A8:A9", "B8:B9", "C8:C9", "D8:D9", f"{last}8:{last}9"]
        if n > 1:
            merges.append(f"E8:{chr(ord('E') + n - 1)}8")
    rows.append([f"({i})" for i in range(1, n + 6)])
    data = iter(values)
    for r in BODY:
        rows.append(list(r) + (next(data) if len(r) > 2 else []))
    rows += [[None, "Tổng cộng"], [], ["Ghi chú: số liệu tính đến ngày 14 của tháng cuối kỳ."], [],
             [None, "NGƯỜI LẬP BIỂU", None, "GIÁM ĐỐC"], [None, None, None, "(Ký, ghi rõ họ tên)"], [],
             [None, "Lê Thị C", None, "Nguyễn Văn A"]]
    return xlsx_bytes({sheet: rows}, {sheet: merges})


def spans(parsed):
    return sorted((s.month_from, s.month_to, s.metric_code, s.value, s.col) for s in parsed.batch.spans)


def quarters(parsed):
    return sorted((a.quarter, a.metric_code, a.value, a.col) for a in parsed.batch.activities)


def ok(parsed):
    assert parsed.errors == [], [e.text() for e in parsed.errors]
    return parsed


# --- monthly --------------------------------------------------------------------------------------------------

def test_monthly_report_with_its_cumulative_column(load_con):
    content = clerk_report("BÁO CÁO KẾT QUẢ CÔNG TÁC TUYÊN TRUYỀN CCHC THÁNG 8 NĂM 2025",
                           ["Tháng 8", "Lũy kế từ đầu năm"], [[5, 31], [1, 4], ["97,5", 96]])
    parsed = ok(read_file(load_con, "bc_thang8.xlsx", content))
    assert parsed.batch.period == "2025-M08" and parsed.batch.quarter is None and parsed.batch.year == 2025
    assert quarters(parsed) == []
    assert spans(parsed) == [(1, 8, "tin_bai", 31.0, "F"), (1, 8, "ty_le_dung_han", 96.0, "F"),
                             (1, 8, "video_clip", 4.0, "F"), (8, 8, "tin_bai", 5.0, "E"),
                             (8, 8, "ty_le_dung_han", 97.5, "E"), (8, 8, "video_clip", 1.0, "E")]
    assert {(t.metric_code, t.quarter, t.value) for t in parsed.batch.targets} == {
        ("tin_bai", None, 48.0), ("video_clip", None, 6.0), ("ty_le_dung_han", None, 95.0)}


def test_monthly_report_without_cumulative_column_written_as_month_slash_year(load_con):
    content = clerk_report("Báo cáo kết quả tuyên truyền CCHC tháng 7/2025", ["Kết quả thực hiện trong tháng"],
                           [[4], [0], [98]], parent=None)
    parsed = ok(read_file(load_con, "x.xlsx", content))
    assert parsed.batch.period == "2025-M07"
    assert spans(parsed) == [(7, 7, "tin_bai", 4.0, "E"), (7, 7, "ty_le_dung_han", 98.0, "E"),
                             (7, 7, "video_clip", 0.0, "E")]


def test_a_month_given_on_the_command_line_for_a_title_without_period(load_con):
    content = clerk_report("BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN CCHC", ["Kết quả thực hiện"], [[4], [0], [98]], parent=None)
    (err,) = read_file(load_con, "x.xlsx", content).errors
    assert "không ghi kỳ" in err.message and "tháng 8/2025" in err.message
    parsed = ok(read_file(load_con, "x.xlsx", content, period="2025-M09"))
    assert {(s.month_from, s.month_to) for s in parsed.batch.spans} == {(9, 9)}


def test_a_monthly_breakdown_inside_a_quarter_report_keeps_the_months(load_con):
    """The finest grain given is kept: a Q3 report with a column per month stores the months (and the quarter)."""
    content = clerk_report("BÁO CÁO QUÝ III NĂM 2025", ["Tháng 7", "Tháng 8", "Tháng 9", "Quý III"],
                           [[3, 4, 5, 12], [1, 0, 1, 2], [96, 97, 98, 97]])
    parsed = ok(read_file(load_con, "x.xlsx", content))
    assert quarters(parsed) == [(3, "tin_bai", 12.0, "H"), (3, "ty_le_dung_han", 97.0, "H"),
                                (3, "video_clip", 2.0, "H")]
    assert [(s[0], s[2], s[3]) for s in spans(parsed) if s[2] == "tin_bai"] == [
        (7, "tin_bai", 3.0), (8, "tin_bai", 4.0), (9, "tin_bai", 5.0)]


def test_months_that_do_not_add_up_to_the_quarter_in_the_same_file(load_con):
    content = clerk_report("BÁO CÁO QUÝ III NĂM 2025", ["Tháng 7", "Tháng 8", "Tháng 9", "Quý III"],
                           [[3, 4, 5, 13], [1, 0, 1, 2], [96, 97, 98, 97]])
    (err,) = read_file(load_con, "x.xlsx", content).errors
    assert (err.row, err.column) == (12, "H")
    assert "Quý III/2025 = 13" in err.message and "Tháng 7/2025 + Tháng 8/2025 + Tháng 9/2025 = 3 + 4 + 5 = 12" in \
        err.message and "không khớp" in err.message and "Sở Tư pháp" in err.message


# --- six months -------------------------------------------------------------------------------------------------

def test_six_month_report_with_only_its_own_column(load_con):
    content = clerk_report("BÁO CÁO\nKết quả công tác tuyên truyền cải cách hành chính 6 tháng đầu năm 2025",
                           ["Kết quả thực hiện 6 tháng"], [[20], [3], ["96,2"]], parent=None)
    parsed = ok(read_file(load_con, "bc_6thang.xlsx", content))
    assert parsed.batch.period == "2025-H1" and quarters(parsed) == []
    assert spans(parsed) == [(1, 6, "tin_bai", 20.0, "E"), (1, 6, "ty_le_dung_han", 96.2, "E"),
                             (1, 6, "video_clip", 3.0, "E")]


def test_six_month_report_with_the_quarter_and_the_cumulative_columns(load_con):
    content = clerk_report("BÁO CÁO SƠ KẾT 6 THÁNG ĐẦU NĂM 2025", ["Quý II", "Lũy kế 6 tháng"],
                           [[12, 20], [2, 3], [96, 96.2]])
    parsed = ok(read_file(load_con, "x.xlsx", content))
    assert parsed.batch.period == "2025-H1"
    assert quarters(parsed) == [(2, "tin_bai", 12.0, "E"), (2, "ty_le_dung_han", 96.0, "E"),
                                (2, "video_clip", 2.0, "E")]
    assert [s for s in spans(parsed) if s[2] == "tin_bai"] == [(1, 6, "tin_bai", 20.0, "F")]


def test_cumulative_figure_below_the_period_in_the_same_row_is_refused_at_its_cell(load_con):
    content = clerk_report("BÁO CÁO 6 THÁNG ĐẦU NĂM 2025", ["Quý II", "Lũy kế 6 tháng"],
                           [[12, 10], [2, 3], [96, 96.2]])
    (err,) = read_file(load_con, "x.xlsx", content).errors
    assert (err.sheet, err.row, err.column) == ("Báo cáo", 12, "F")
    assert "6 tháng đầu năm 2025 − Quý II/2025 = 10 − 12 = −2" in err.message and "số âm" in err.message


# --- nine months ------------------------------------------------------------------------------------------------

def test_nine_month_report_without_cumulative_column(load_con):
    content = clerk_report("BÁO CÁO KẾT QUẢ 9 THÁNG NĂM 2025", ["Kết quả thực hiện trong kỳ"], [[33], [5], [97]],
                           parent=None)
    parsed = ok(read_file(load_con, "x.xlsx", content))
    assert parsed.batch.period == "2025-9M"
    assert spans(parsed) == [(1, 9, "tin_bai", 33.0, "E"), (1, 9, "ty_le_dung_han", 97.0, "E"),
                             (1, 9, "video_clip", 5.0, "E")]


def test_quarter_and_nine_months_title_keeps_both_columns(load_con):
    content = clerk_report("BÁO CÁO QUÝ III VÀ 9 THÁNG NĂM 2025", ["Quý III", "Lũy kế 9 tháng", "Ước cả năm"],
                           [[12, 33, 45], [2, 5, 6], [97, 97, 97]])
    parsed = ok(read_file(load_con, "x.xlsx", content))
    assert parsed.batch.period == "2025-Q3"
    assert [q for q in quarters(parsed) if q[1] == "tin_bai"] == [(3, "tin_bai", 12.0, "E")]
    assert [s for s in spans(parsed) if s[2] == "tin_bai"] == [(1, 9, "tin_bai", 33.0, "F")]
    assert any((w.row, w.column) == (9, "G") and "ước tính" in w.message for w in parsed.warnings)


# --- a year -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, head", [
    ("BÁO CÁO KẾT QUẢ CÔNG TÁC TUYÊN TRUYỀN CCHC CẢ NĂM 2025", "Kết quả thực hiện"),
    ("BÁO CÁO\nKết quả công tác tuyên truyền cải cách hành chính năm 2025", "Kết quả thực hiện năm 2025"),
])
def test_yearly_report(load_con, title, head):
    parsed = ok(read_file(load_con, "x.xlsx", clerk_report(title, [head], [[50], [7], [97]], parent=None)))
    assert parsed.batch.period == "2025" and parsed.batch.quarter is None
    assert [s for s in spans(parsed) if s[2] == "tin_bai"] == [(1, 12, "tin_bai", 50.0, "E")]


def test_yearly_report_with_the_fourth_quarter_and_the_year(load_con):
    content = clerk_report("BÁO CÁO TỔNG KẾT NĂM 2025", ["Quý IV", "Lũy kế cả năm"], [[14, 50], [2, 7], [97, 97]])
    parsed = ok(read_file(load_con, "x.xlsx", content))
    assert [q for q in quarters(parsed) if q[1] == "tin_bai"] == [(4, "tin_bai", 14.0, "E")]
    assert [s for s in spans(parsed) if s[2] == "tin_bai"] == [(1, 12, "tin_bai", 50.0, "F")]


def test_a_title_naming_only_the_year_with_a_plain_result_column_is_refused(load_con):
    """'BÁO CÁO … NĂM 2025' above 'Kết quả thực hiện': a quarter's or the year's? Refused, never guessed."""
    content = clerk_report("BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN CCHC NĂM 2025", ["Kết quả thực hiện"], [[4], [0], [98]],
                           parent=None)
    (err,) = read_file(load_con, "x.xlsx", content).errors
    assert (err.row, err.column) == (8, "E") and "không ghi kỳ" in err.message


def test_the_period_argument_contradicting_a_six_month_title(load_con):
    content = clerk_report("BÁO CÁO 6 THÁNG ĐẦU NĂM 2025", ["Kết quả 6 tháng"], [[20], [3], [96]], parent=None)
    (err,) = read_file(load_con, "x.xlsx", content, period="2025").errors
    assert (err.row, err.column) == (5, "A")
    assert "6 tháng đầu năm 2025" in err.message and "Năm 2025" in err.message


# --- roll-ups and the tidy form ---------------------------------------------------------------------------------

def test_six_month_rollup_of_several_units(load_con):
    rows = [["UBND TỈNH ĐẮK LẮK"], ["SỞ NỘI VỤ"], [],
            ["BÁO CÁO TỔNG HỢP KẾT QUẢ TUYÊN TRUYỀN CCHC 6 THÁNG ĐẦU NĂM 2025"], [],
            ["STT", "Đơn vị", "Tin bài trên Cổng TTĐT", None, "Video, clip", None, "Ghi chú"],
            [None, None, "Quý II", "Lũy kế 6 tháng", "Quý II", "Lũy kế 6 tháng", None],
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
            [1, "Sở Tư pháp", 12, 20, 2, 3],
            [2, "Sở Xây dựng", 5, 9, 0, 1],
            [None, "Cộng", 17, 29, 2, 4]]
    merges = ["C6:D6", "E6:F6", "A6:A7", "B6:B7", "G6:G7"]
    parsed = ok(read_file(load_con, "th.xlsx", xlsx_bytes({"TH": rows}, {"TH": merges})))
    assert parsed.layouts == [("TH", "rollup")] and parsed.batch.period == "2025-H1"
    assert sorted((a.unit_code, a.quarter, a.metric_code, a.value) for a in parsed.batch.activities) == [
        ("so_tu_phap", 2, "tin_bai", 12.0), ("so_tu_phap", 2, "video_clip", 2.0),
        ("so_xay_dung", 2, "tin_bai", 5.0), ("so_xay_dung", 2, "video_clip", 0.0)]
    assert sorted((s.unit_code, s.month_from, s.month_to, s.metric_code, s.value) for s in parsed.batch.spans) == [
        ("so_tu_phap", 1, 6, "tin_bai", 20.0), ("so_tu_phap", 1, 6, "video_clip", 3.0),
        ("so_xay_dung", 1, 6, "tin_bai", 9.0), ("so_xay_dung", 1, 6, "video_clip", 1.0)]


def test_tidy_form_with_months_cumulative_periods_and_weights(load_con):
    head = ["Đơn vị", "Năm", "Kỳ", "Chỉ tiêu", "Kết quả thực hiện", "Số hồ sơ (trọng số)"]
    rows = [head,
            ["Sở Tư pháp", 2025, "Tháng 7", "Tin bài", 3, None],
            ["Sở Tư pháp", 2025, "T8", "Tin bài", 4, None],
            ["Sở Tư pháp", 2025, "6 tháng đầu năm", "Tin bài", 20, None],
            ["Sở Tư pháp", 2025, "Tháng 7", "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", 90, 100],
            ["Sở Tư pháp", 2025, "Tháng 8", "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", 80, 50],
            ["Sở Tư pháp", 2025, "III", "Video clip", 2, None],
            ["Sở Tư pháp", 2025, "Cả năm", "Video clip", 7, None]]
    parsed = ok(read_file(load_con, "mau.xlsx", xlsx_bytes({"Số liệu": rows})))
    assert sorted((s.month_from, s.month_to, s.metric_code, s.value, s.weight) for s in parsed.batch.spans) == [
        (1, 6, "tin_bai", 20.0, None), (1, 12, "video_clip", 7.0, None), (7, 7, "tin_bai", 3.0, None),
        (7, 7, "ty_le_dung_han", 90.0, 100.0), (8, 8, "tin_bai", 4.0, None), (8, 8, "ty_le_dung_han", 80.0, 50.0)]
    assert quarters(parsed) == [(3, "video_clip", 2.0, "E")]
    assert parsed.batch.period is None  # rows of several periods


def test_tidy_form_refuses_an_unreadable_period_and_a_month_outside_its_quarter(load_con):
    rows = [["Đơn vị", "Năm", "Quý", "Tháng", "Chỉ tiêu", "Kết quả thực hiện"],
            ["Sở Tư pháp", 2025, "mùa thu", None, "Tin bài", 3],
            ["Sở Tư pháp", 2025, 3, 4, "Tin bài", 3]]
    errors = read_file(load_con, "mau.xlsx", xlsx_bytes({"Số liệu": rows})).errors
    assert [(e.row, e.column) for e in errors] == [(2, "C"), (3, "D")]
    assert "kỳ “mùa thu” không đọc được" in errors[0].message and "tháng 4 không thuộc kỳ" in errors[1].message
