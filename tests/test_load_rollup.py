"""Roll-ups: units down the side, indicators across (or the other way round), one quarter."""
from conftest import ROLLUP_BODY, rollup_xlsx, xlsx_bytes

from loaders.load import load_file, read_file


def test_exact_rows_from_a_real_shaped_rollup(load_con):
    parsed = read_file(load_con, "tong_hop_q2.xlsx", rollup_xlsx())
    assert parsed.errors == []
    assert parsed.layouts == [("Tổng hợp", "rollup")]
    got = sorted((a.unit_code, a.quarter, a.metric_code, a.value, a.row, a.col) for a in parsed.batch.activities)
    assert got == sorted([
        ("so_tu_phap", 2, "tin_bai", 12.0, 10, "C"), ("so_tu_phap", 2, "bao_dai", 3.0, 10, "D"),
        ("so_tu_phap", 2, "video_clip", 1.0, 10, "E"), ("so_tu_phap", 2, "hoi_nghi", 1.0, 10, "F"),
        ("so_tu_phap", 2, "ty_le_dung_han", 98.5, 10, "G"),
        ("vp_ubnd", 2, "tin_bai", 1250.0, 11, "C"), ("vp_ubnd", 2, "bao_dai", 0.0, 11, "D"),
        ("vp_ubnd", 2, "video_clip", 2.0, 11, "E"), ("vp_ubnd", 2, "ty_le_dung_han", 100.0, 11, "G"),
        ("so_xay_dung", 2, "tin_bai", 5.0, 12, "C"), ("so_xay_dung", 2, "bao_dai", 2.0, 12, "D"),
        ("so_xay_dung", 2, "hoi_nghi", 1.0, 12, "F"), ("so_xay_dung", 2, "ty_le_dung_han", 97.0, 12, "G"),
        ("thanh_tra", 2, "tin_bai", 3.0, 14, "C"), ("thanh_tra", 2, "bao_dai", 0.0, 14, "D"),
        ("thanh_tra", 2, "video_clip", 1.0, 14, "E"), ("thanh_tra", 2, "hoi_nghi", 0.0, 14, "F"),
        ("thanh_tra", 2, "ty_le_dung_han", 95.0, 14, "G"),
    ])
    assert {a.year for a in parsed.batch.activities} == {2025}
    assert parsed.batch.unit_code is None and (parsed.batch.year, parsed.batch.quarter) == (2025, 2)
    warned = {(w.row, w.column): w.message for w in parsed.warnings}
    assert warned[(15, "B")] == "bỏ qua dòng tổng “Cộng”"
    assert warned[(11, "F")].startswith("ô trống: Văn phòng UBND tỉnh")


def test_unknown_unit_with_suggestions_and_nothing_written(load_con, load_counts):
    body = ROLLUP_BODY[:2] + [[2, "Phòng Văn hóa", 1, 1, 1, 1, 90]]
    before = load_counts(load_con)
    report = load_file(load_con, "x.xlsx", rollup_xlsx(body=body))
    assert report.status == "refused" and report.batch_id is None
    (err,) = report.errors
    assert (err.sheet, err.row, err.column) == ("Tổng hợp", 11, "B")
    assert err.message.startswith("không nhận ra đơn vị “Phòng Văn hóa”; gần nhất: ")
    assert load_counts(load_con) == before


def test_unknown_indicator_in_a_header(load_con):
    content = xlsx_bytes({"S": [["TỔNG HỢP QUÝ III NĂM 2025"], [],
                                ["STT", "Đơn vị", "Tin bài", "Số cuộc thi ảnh đẹp", "Ghi chú"],
                                [1, "Sở Y tế", 3, 4, None]]})
    parsed = read_file(load_con, "x.xlsx", content)
    (err,) = parsed.errors
    assert (err.sheet, err.row, err.column) == ("S", 3, "D")
    assert "không nhận ra chỉ tiêu “Số cuộc thi ảnh đẹp”" in err.message


def test_quarter_columns_per_indicator_and_year_to_date_skipped(load_con):
    rows = [["TỔNG HỢP KẾT QUẢ NĂM 2025"], [],
            ["STT", "Đơn vị", "Tin bài", None, "Video clip", None],
            [None, None, "Quý III", "Lũy kế 9 tháng", "Quý III", "Lũy kế 9 tháng"],
            ["A", "B", 1, 2, 3, 4],
            [1, "Sở Y tế", 3, 10, 1, 2]]
    content = xlsx_bytes({"S": rows}, {"S": ["C3:D3", "E3:F3", "A3:A4", "B3:B4"]})
    parsed = read_file(load_con, "x.xlsx", content)
    assert parsed.errors == []
    assert sorted((a.metric_code, a.quarter, a.value, a.col) for a in parsed.batch.activities) == [
        ("tin_bai", 3, 3.0, "C"), ("video_clip", 3, 1.0, "E")]


def test_transposed_rollup_units_across(load_con):
    rows = [["BÁO CÁO TỔNG HỢP QUÝ I/2025"],
            ["STT", "Nội dung", "Sở Tư pháp", "Sở Y tế", "Tổng"],
            [1, "Tin bài trên Cổng TTĐT", 4, 5, 9],
            [2, "Hội nghị", 1, 0, 1]]
    parsed = read_file(load_con, "x.xlsx", xlsx_bytes({"S": rows}))
    assert parsed.errors == []
    assert sorted((a.unit_code, a.metric_code, a.value) for a in parsed.batch.activities) == [
        ("so_tu_phap", "hoi_nghi", 1.0), ("so_tu_phap", "tin_bai", 4.0),
        ("so_y_te", "hoi_nghi", 0.0), ("so_y_te", "tin_bai", 5.0)]


def test_rollup_of_annual_targets(load_con):
    rows = [["CHỈ TIÊU TUYÊN TRUYỀN CCHC NĂM 2026 GIAO CHO CÁC ĐƠN VỊ"],
            ["STT", "Đơn vị", "Tin bài", "Video clip", "Tỷ lệ hồ sơ trực tuyến"],
            [1, "Sở Y tế", 40, 8, "80"], [2, "Sở Tư pháp", 30, 6, 75]]
    parsed = read_file(load_con, "x.xlsx", xlsx_bytes({"S": rows}), kind="targets")
    assert parsed.errors == [] and parsed.kind == "targets"
    assert sorted((t.unit_code, t.year, t.quarter, t.metric_code, t.value) for t in parsed.batch.targets)[:3] == [
        ("so_tu_phap", 2026, None, "tin_bai", 30.0), ("so_tu_phap", 2026, None, "ty_le_truc_tuyen", 75.0),
        ("so_tu_phap", 2026, None, "video_clip", 6.0)]


def test_same_unit_twice_with_different_values(load_con):
    body = ROLLUP_BODY[:2] + [[2, "Sở Tư pháp", 13, 3, 1, 1, 98.5]]
    parsed = read_file(load_con, "x.xlsx", rollup_xlsx(body=body))
    (err,) = parsed.errors
    assert (err.row, err.column) == (11, "C")
    assert "“Tin, bài về CCHC trên Cổng/Trang thông tin điện tử” — Sở Tư pháp, Quý II/2025" in err.message


def test_unit_argument_keeps_only_that_units_row(load_con):
    parsed = read_file(load_con, "x.xlsx", rollup_xlsx(), unit="Thanh tra tỉnh")
    assert parsed.errors == []
    assert {a.unit_code for a in parsed.batch.activities} == {"thanh_tra"}
    assert any("chỉ nạp dòng của Thanh tra tỉnh" in w.message for w in parsed.warnings)


def test_an_empty_column_with_an_unclear_header_is_only_a_warning(load_con):
    rows = [["TỔNG HỢP SỐ LIỆU TUYÊN TRUYỀN CCHC QUÝ I NĂM 2025"],
            ["TT", "Cơ quan, đơn vị", "Tin bài", "Phóng sự", "Hội nghị"],
            [None, "I. Khối sở, ngành"], [1, "Sở Tư pháp", 5, None, 1],
            [None, "Tổng cộng (toàn tỉnh)", 5, None, 1]]
    parsed = read_file(load_con, "th.xlsx", xlsx_bytes({"TH": rows}))
    assert parsed.errors == []
    assert sorted((a.metric_code, a.value) for a in parsed.batch.activities) == [("hoi_nghi", 1.0), ("tin_bai", 5.0)]
    assert any((w.row, w.column) == (2, "D") and "bỏ qua cột trống" in w.message for w in parsed.warnings)
    rows[3][3] = 2  # now the column holds a number: "Phóng sự" names two indicators, never guessed
    (err,) = read_file(load_con, "th.xlsx", xlsx_bytes({"TH": rows})).errors
    assert (err.row, err.column) == (2, "D") and "khớp với nhiều chỉ tiêu" in err.message
