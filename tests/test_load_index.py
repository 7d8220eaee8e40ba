"""Published index tables: provinces (or units) down the side, total, rank and components across."""
from conftest import xlsx_bytes

from loaders.load import load_file, read_file

PCI_ROWS = [
    ["KẾT QUẢ CHỈ SỐ NĂNG LỰC CẠNH TRANH CẤP TỈNH (PCI) NĂM 2024"],
    [],
    ["STT", "Tỉnh, thành phố", "Điểm PCI", "Xếp hạng", "Gia nhập thị trường", "Tiếp cận đất đai", "Tính minh bạch",
     "Nhóm"],
    [1, "Hải Phòng", 74.84, 1, "8,1", 7.2, 6.9, "Rất tốt"],
    [2, "Quảng Ninh", "73,20", "2", 8.0, 6.5, 7.1, "Rất tốt"],
    [3, "TP. Hồ Chí Minh", 70.0, "5/63", 7.5, 6.0, 7.0, "Tốt"],
    [4, "Tỉnh Đắk Lắk", 65.5, 40, 7.0, 6.4, 6.1, "Khá"],
    [None, "Trung vị", 67.67],
    ["Nguồn: VCCI, pcivietnam.vn (06/05/2025)"],
]


def test_wide_pci_table(load_con):
    parsed = read_file(load_con, "pci_2024.xlsx", xlsx_bytes({"PCI 2024": PCI_ROWS}, {"PCI 2024": ["A1:H1"]}))
    assert parsed.errors == [] and parsed.kind == "indices" and parsed.layouts == [("PCI 2024", "index_table")]
    rows = {(r.entity_code, r.component_code): r for r in parsed.batch.indices}
    assert len(rows) == 16  # 4 provinces × (total + 3 components); "Nhóm" and "Trung vị" are not loaded
    hp = rows[("hai_phong", None)]
    assert (hp.index_code, hp.year, hp.score, hp.rank, hp.row, hp.col) == ("PCI", 2024, 74.84, 1, 4, "C")
    assert hp.source == "VCCI, pcivietnam.vn (06/05/2025)"
    assert rows[("hai_phong", "gia_nhap")].score == 8.1
    assert rows[("quang_ninh", None)].score == 73.2
    hcm = rows[("tp_ho_chi_minh", None)]
    assert (hcm.rank, hcm.rank_of) == (5, 63)
    assert rows[("dak_lak", "minh_bach")].score == 6.1
    assert any(w.row == 8 and "Trung vị" in w.message for w in parsed.warnings)


def test_loaded_values_show_in_the_public_view_with_their_source(load_con):
    report = load_file(load_con, "pci_2024.xlsx", xlsx_bytes({"PCI 2024": PCI_ROWS}))
    assert report.status == "loaded"
    row = load_con.execute("SELECT score, rank, source FROM v_index_score WHERE index_code='PCI' AND year=2024 "
                           "AND entity_code='dak_lak' AND component_code IS NULL").fetchone()
    assert row == (65.5, 40, "VCCI, pcivietnam.vn (06/05/2025)")


def test_unknown_province_with_suggestions(load_con, load_counts):
    rows = PCI_ROWS[:4] + [[2, "Hà Giangg Tây", 73.2, 2, 8.0, 6.5, 7.1, None]]
    before = load_counts(load_con)
    report = load_file(load_con, "pci.xlsx", xlsx_bytes({"PCI": rows}))
    assert report.status == "refused"
    (err,) = report.errors
    assert (err.sheet, err.row, err.column) == ("PCI", 5, "B")
    assert err.message.startswith("không nhận ra tỉnh/thành phố “Hà Giangg Tây”; gần nhất: ")
    assert load_counts(load_con) == before


def test_a_province_that_ended_has_no_result_after_its_last_year(load_con):
    """Hà Tây joined Hà Nội on 01/08/2008: a 2024 row named Hà Tây is refused, never put on Hà Nội."""
    rows = PCI_ROWS[:4] + [[2, "Hà Tây", 73.2, 2, 8.0, 6.5, 7.1, None]]
    (err,) = read_file(load_con, "pci.xlsx", xlsx_bytes({"PCI": rows})).errors
    assert (err.row, err.column) == (5, "B")
    assert "Hà Tây đã nhập vào Hà Nội từ 01/08/2008" in err.message and "2024" in err.message


def test_a_name_close_to_two_provinces_is_never_guessed(load_con):
    rows = PCI_ROWS[:4] + [[2, "Quang Nimh", 73.2, 2, 8.0, 6.5, 7.1, None]]
    (err,) = read_file(load_con, "pci.xlsx", xlsx_bytes({"PCI": rows})).errors
    assert (err.row, err.column) == (5, "B")
    assert "Quảng Ninh" in err.message and "Quảng Nam" in err.message  # offered, not chosen


def test_component_pairs_under_merged_names_and_percent_scores(load_con):
    rows = [["CHỈ SỐ HÀI LÒNG VỀ SỰ PHỤC VỤ HÀNH CHÍNH (SIPAS) NĂM 2023"],
            ["STT", "Tỉnh", "Chỉ số SIPAS", None, "Tiếp cận dịch vụ", None],
            [None, None, "Điểm", "Hạng", "Điểm", "Hạng"],
            [1, "Quảng Ninh", 0.9061, 1, 0.91, 2],
            [2, "Bắc Kạn", 0.7503, 63, 0.8, 60]]
    content = xlsx_bytes({"SIPAS": rows}, {"SIPAS": ["C2:D2", "E2:F2", "A2:A3", "B2:B3"]},
                         {"SIPAS": ["C4", "C5", "E4", "E5"]})
    parsed = read_file(load_con, "sipas.xlsx", content)
    assert parsed.errors == []
    got = sorted((r.entity_code, r.component_code or "", r.score, r.rank) for r in parsed.batch.indices)
    assert got == [("bac_kan", "", 75.03, 63), ("bac_kan", "tiep_can", 80.0, 60),
                   ("quang_ninh", "", 90.61, 1), ("quang_ninh", "tiep_can", 91.0, 2)]


def test_internal_index_of_units(load_con):
    rows = [["KẾT QUẢ ĐÁNH GIÁ DDCI TỈNH ĐẮK LẮK NĂM 2024"],
            ["STT", "Đơn vị", "Tổng điểm", "Xếp hạng"],
            ["I", "Khối sở, ban, ngành"],
            [1, "So Tu phap", "81,5", 1], [2, "Sở Xây Dựng", 78, 2],
            [None, "Trung bình", 79.75, None]]
    parsed = read_file(load_con, "ddci.xlsx", xlsx_bytes({"DDCI": rows}))
    assert parsed.errors == []
    assert sorted((r.index_code, r.year, r.entity_code, r.score, r.rank) for r in parsed.batch.indices) == [
        ("DDCI", 2024, "so_tu_phap", 81.5, 1), ("DDCI", 2024, "so_xay_dung", 78.0, 2)]


def test_score_outside_the_scale_and_bad_rank(load_con):
    rows = PCI_ROWS[:3] + [[1, "Hải Phòng", 748.4, "nhất", 8.1, 7.2, 6.9, None]]
    parsed = read_file(load_con, "pci.xlsx", xlsx_bytes({"PCI": rows}))
    assert sorted((e.row, e.column) for e in parsed.errors) == [(4, "C"), (4, "D")]
    msgs = {e.column: e.message for e in parsed.errors}
    assert "nằm ngoài thang điểm 0–100 của PCI" in msgs["C"]
    assert "xếp hạng “nhất” không hợp lệ" in msgs["D"]


def test_index_not_named_anywhere(load_con):
    rows = [["BẢNG XẾP HẠNG NĂM 2024"], ["STT", "Tỉnh", "Điểm", "Xếp hạng"], [1, "Hải Phòng", 70, 1]]
    parsed = read_file(load_con, "bang.xlsx", xlsx_bytes({"S": rows}))
    (err,) = parsed.errors
    assert "không xác định được bảng này là chỉ số nào" in err.message
    parsed = read_file(load_con, "bang.xlsx", xlsx_bytes({"S": rows}), index="PAPI")
    assert parsed.errors == [] and parsed.batch.indices[0].index_code == "PAPI"


def test_2025_results_go_to_the_merged_provinces(load_con):
    rows = [["KẾT QUẢ CHỈ SỐ CCHC (PAR INDEX) NĂM 2025 CỦA 34 TỈNH, THÀNH PHỐ"],
            ["STT", "Tỉnh, thành phố", "Chỉ số (%)", "Xếp hạng"],
            [1, "Đắk Lắk", "88,50", 10], [2, "Sơn La", 90.1, 5]]
    parsed = read_file(load_con, "par_2025.xlsx", xlsx_bytes({"S": rows}))
    assert parsed.errors == []
    assert sorted((r.entity_code, r.year, r.score) for r in parsed.batch.indices) == [
        ("dak_lak_2025", 2025, 88.5), ("son_la", 2025, 90.1)]


def test_two_columns_for_the_total_must_agree(load_con):
    rows = [["KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024"],
            ["STT", "Tên tỉnh, thành phố", "Tổng điểm đạt được", "Chỉ số (%)", "Xếp hạng", "Tăng/giảm bậc so với 2023"],
            [1, "Hải Phòng", 96.17, "96,17", 1, "+2"], [2, "Thừa Thiên Huế", 90.0, "90,10", 15, "-1"]]
    parsed = read_file(load_con, "par.xlsx", xlsx_bytes({"PAR": rows}))
    (err,) = parsed.errors
    assert (err.row, err.column) == (4, "D") and "ghi 90,1 nhưng cột “Tổng điểm đạt được” ghi 90" in err.message
    rows[3][3] = "90,00"
    parsed = read_file(load_con, "par.xlsx", xlsx_bytes({"PAR": rows}))
    assert parsed.errors == []
    assert sorted((r.entity_code, r.score, r.rank) for r in parsed.batch.indices) == [
        ("hai_phong", 96.17, 1), ("thua_thien_hue", 90.0, 15)]


def test_year_argument_contradicting_the_title(load_con):
    parsed = read_file(load_con, "pci.xlsx", xlsx_bytes({"PCI": PCI_ROWS}), period="2023")
    (err,) = parsed.errors
    assert (err.row, err.column) == (1, "A") and "tiêu đề ghi năm 2024" in err.message and "2023" in err.message
    assert read_file(load_con, "pci.xlsx", xlsx_bytes({"PCI": PCI_ROWS}), period="2024").errors == []
