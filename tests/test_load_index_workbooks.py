"""Published index workbooks as VCCI and UNDP lay them out, read as they are: every value on its own province.

VCCI's PCI results workbooks are the corpus files (../shared/corpus/indices, CC0, see its README: mdtrinh/vietnamdata,
data-raw/PCI/, data published by VCCI). UNDP's PAPI workbook is not in the corpus: it is built here the way UNDP lays
it out (one sheet per year, an English and a Vietnamese header row, each dimension followed by its sub-dimensions,
Highest/Lowest rows under the provinces).
"""
import random
from pathlib import Path

import pytest
from conftest import xlsx_bytes

from loaders.files.workbook import read_workbook
from loaders.layouts.context import letter
from loaders.load import ArgumentError, read_file

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
INDICES = CORPUS / "indices"

# (entity, component (None: the total), score, rank, cell of the score) as the cells of each workbook say.
# Sub-index ranks from 2008 on are the province's place in its pair ("Thứ tự"), which VCCI's recap rows confirm.
EXPECTED = {
    "PCI_2006.xls": ("PCI Tóm tắt", [
        ("ha_tay", None, 40.729772, 62, "M64"), ("ha_tay", "gia_nhap", 6.117178, None, "C64"),
        ("ha_tay", "uu_dai_dnnn", 6.700291, None, "H64"), ("ha_tay", "phap_ly", 3.126285, None, "L64"),
        ("bac_kan", None, 48.729069, 45, "M47"), ("bac_kan", "minh_bach", 3.183862, None, "E47"),
        ("bac_kan", "dao_tao", 6.214046, None, "K47"), ("tp_ho_chi_minh", None, 63.385181, 7, "M9"),
        ("tp_ho_chi_minh", "gia_nhap", 7.07435, None, "C9"), ("tp_ho_chi_minh", "phap_ly", 3.813223, None, "L9"),
        ("da_nang", None, 75.388947, 2, "M4"), ("da_nang", "gia_nhap", 9.168946, None, "C4"),
        ("ha_noi", None, 50.34432, 40, "M42"), ("ha_noi", "minh_bach", 5.599489, None, "E42"),
        ("dak_lak", None, 51.651173, 35, "M37"), ("dak_lak", "dat_dai", 5.952056, None, "D37"),
        ("thua_thien_hue", None, 50.528596, 38, "M40"), ("thua_thien_hue", "nang_dong", 4.631792, None, "I40"),
        ("ba_ria_vung_tau", None, 55.952148, 17, "M19"), ("ba_ria_vung_tau", "ho_tro_dn", 5.82296, None, "J19"),
        ("lai_chau", None, 36.759447, 64, "M66"), ("lai_chau", "thoi_gian", 3.059892, None, "F66"),
        ("dong_thap", None, 58.1317, 11, "M13"), ("dong_thap", "khong_chinh_thuc", 7.442209, None, "G13"),
    ]),
    "PCI_2008.xls": ("Tổng hợp", [
        ("ha_tay", None, 45.09365, 55, "Y57"), ("ha_tay", "gia_nhap", 7.67605, 54, "C56"),
        ("ha_tay", "phap_ly", 3.238387, 56, "U58"), ("bac_kan", None, 39.77624, 63, "Y65"),
        ("bac_kan", "minh_bach", 4.32765, 57, "G59"), ("bac_kan", "dao_tao", 4.285492, 32, "S34"),
        ("tp_ho_chi_minh", None, 60.14684, 13, "Y15"), ("tp_ho_chi_minh", "gia_nhap", 8.105143, 40, "C42"),
        ("tp_ho_chi_minh", "phap_ly", 4.07158, 44, "U46"), ("da_nang", None, 72.18393, 1, "Y3"),
        ("da_nang", "gia_nhap", 9.360684, 1, "C3"), ("ha_noi", None, 53.73638, 31, "Y33"),
        ("ha_noi", "minh_bach", 6.595189, 23, "G25"), ("dak_lak", None, 53.32724, 33, "Y35"),
        ("dak_lak", "dat_dai", 6.218514, 47, "E49"), ("thua_thien_hue", None, 60.70514, 10, "Y12"),
        ("thua_thien_hue", "nang_dong", 6.028543, 24, "O26"), ("ba_ria_vung_tau", None, 60.5126, 12, "Y14"),
        ("ba_ria_vung_tau", "ho_tro_dn", 5.172369, 7, "Q9"), ("lai_chau", None, 43.94933, 58, "Y60"),
        ("lai_chau", "thoi_gian", 3.476569, 63, "I65"), ("dong_thap", None, 66.63998, 5, "Y7"),
        ("dong_thap", "khong_chinh_thuc", 7.326402, 6, "K8"),
    ]),
    "PCI_2010.xls": ("Tong hop", [
        ("bac_kan", None, 51.486367, 58, "W59"), ("bac_kan", "minh_bach", 5.27312, 51, "G52"),
        ("bac_kan", "dao_tao", 4.653521, 59, "Q60"), ("bac_kan", "gia_nhap", 6.283001, 46, "C47"),
        ("tp_ho_chi_minh", None, 59.667096, 23, "W24"), ("tp_ho_chi_minh", "gia_nhap", 5.952289, 53, "C54"),
        ("tp_ho_chi_minh", "phap_ly", 5.481972, 19, "S20"), ("da_nang", None, 69.765929, 1, "W2"),
        ("da_nang", "gia_nhap", 7.648374, 5, "C6"), ("ha_noi", None, 55.730177, 43, "W44"),
        ("ha_noi", "minh_bach", 5.622983, 40, "G41"), ("ha_noi", "phap_ly", 5.097846, 27, "S28"),
        ("dak_lak", None, 57.203204, 38, "W39"), ("dak_lak", "dat_dai", 6.497857, 24, "E25"),
        ("thua_thien_hue", None, 61.308206, 18, "W19"), ("thua_thien_hue", "nang_dong", 5.232794, 33, "M34"),
        ("ba_ria_vung_tau", None, 60.550696, 19, "W20"), ("ba_ria_vung_tau", "ho_tro_dn", 6.483313, 14, "O15"),
        ("lai_chau", None, 51.766802, 57, "W58"), ("lai_chau", "thoi_gian", 5.898527, 39, "I40"),
        ("dong_thap", None, 67.21981, 3, "W4"), ("dong_thap", "khong_chinh_thuc", 7.565474, 5, "K6"),
    ]),
    "PCI_2012.xlsx": ("Tong hop", [
        ("bac_kan", None, 50.99577, 60, "U61"), ("bac_kan", "minh_bach", 5.980302, 23, "G24"),
        ("bac_kan", "dao_tao", 4.351371, 56, "Q57"), ("tp_ho_chi_minh", None, 61.1935, 13, "U14"),
        ("tp_ho_chi_minh", "gia_nhap", 8.430178, 50, "C51"), ("tp_ho_chi_minh", "phap_ly", 4.219378, 12, "S13"),
        ("da_nang", None, 61.71123, 12, "U13"), ("da_nang", "gia_nhap", 9.131279, 12, "C13"),
        ("ha_noi", None, 53.39788, 51, "U52"), ("ha_noi", "minh_bach", 5.745884, 39, "G40"),
        ("dak_lak", None, 55.94146, 36, "U37"), ("dak_lak", "dat_dai", 6.471172, 31, "E32"),
        ("thua_thien_hue", None, 57.11658, 30, "U31"), ("thua_thien_hue", "nang_dong", 5.228875, 24, "M25"),
        ("ba_ria_vung_tau", None, 59.14032, 21, "U22"), ("ba_ria_vung_tau", "ho_tro_dn", 4.115242, 25, "O26"),
        ("lai_chau", None, 52.47372, 55, "U56"), ("lai_chau", "thoi_gian", 4.99389, 51, "I52"),
        ("dong_thap", None, 63.79096, 1, "U2"), ("dong_thap", "khong_chinh_thuc", 7.787127, 4, "K5"),
    ]),
    "PCI_2014.xlsx": ("Summary_VN", [
        ("bac_kan", None, 53.01996, 59, "W60"), ("bac_kan", "minh_bach", 6.189522, 23, "G24"),
        ("bac_kan", "dao_tao", 5.358619, 42, "S43"), ("tp_ho_chi_minh", None, 62.72781, 4, "W5"),
        ("tp_ho_chi_minh", "gia_nhap", 7.245092, 61, "C62"), ("tp_ho_chi_minh", "phap_ly", 4.909939, 56, "U57"),
        ("da_nang", None, 66.86679, 1, "W2"), ("da_nang", "gia_nhap", 9.025979, 3, "C4"),
        ("ha_noi", None, 58.88557, 26, "W27"), ("ha_noi", "minh_bach", 6.282835, 19, "G20"),
        ("ha_noi", "binh_dang", 3.810806, 60, "M61"), ("dak_lak", None, 58.76272, 30, "W31"),
        ("dak_lak", "dat_dai", 6.328538, 13, "E14"), ("dak_lak", "binh_dang", 5.01939, 33, "M34"),
        ("thua_thien_hue", None, 59.9799, 13, "W14"), ("thua_thien_hue", "nang_dong", 3.803259, 54, "O55"),
        ("ba_ria_vung_tau", None, 59.05233, 24, "W25"), ("ba_ria_vung_tau", "ho_tro_dn", 6.037294, 10, "Q11"),
        ("lai_chau", None, 50.59559, 62, "W63"), ("lai_chau", "thoi_gian", 5.583946, 56, "I57"),
        ("dong_thap", None, 65.27975, 2, "W3"), ("dong_thap", "khong_chinh_thuc", 6.68812, 3, "K4"),
    ]),
    "PCI_2016.xlsx": ("Summary_VN", [
        ("bac_kan", None, 54.595444, 60, "W61"), ("bac_kan", "minh_bach", 6.360223, 20, "G21"),
        ("bac_kan", "dao_tao", 5.068971, 56, "S57"), ("tp_ho_chi_minh", None, 61.723297, 8, "W9"),
        ("tp_ho_chi_minh", "gia_nhap", 7.986156, 57, "C58"), ("tp_ho_chi_minh", "phap_ly", 4.247279, 57, "U58"),
        ("da_nang", None, 70.001396, 1, "W2"), ("da_nang", "gia_nhap", 9.217857, 3, "C4"),
        ("ha_noi", None, 60.740993, 14, "W15"), ("ha_noi", "minh_bach", 6.04053, 45, "G46"),
        ("ha_noi", "binh_dang", 3.761685, 61, "M62"), ("dak_lak", None, 58.623993, 28, "W29"),
        ("dak_lak", "dat_dai", 6.007221, 24, "E25"), ("dak_lak", "binh_dang", 5.060062, 33, "M34"),
        ("thua_thien_hue", None, 59.680805, 23, "W24"), ("thua_thien_hue", "nang_dong", 3.883602, 60, "O61"),
        ("ba_ria_vung_tau", None, 60.495529, 16, "W17"), ("ba_ria_vung_tau", "ho_tro_dn", 6.00449, 9, "Q10"),
        ("lai_chau", None, 53.459099, 62, "W63"), ("lai_chau", "thoi_gian", 6.555328, 33, "I34"),
        ("dong_thap", None, 64.955299, 3, "W4"), ("dong_thap", "khong_chinh_thuc", 6.859754, 1, "K2"),
    ]),
}
PROVINCES = {"PCI_2006.xls": 64, "PCI_2008.xls": 64, "PCI_2010.xls": 63, "PCI_2012.xlsx": 63, "PCI_2014.xlsx": 63,
             "PCI_2016.xlsx": 63}
COMPONENTS = {  # VCCI's sub-indices of the year (2008's SOE bias: the summary and its detail sheet disagree)
    "PCI_2006.xls": {"gia_nhap", "dat_dai", "minh_bach", "thoi_gian", "khong_chinh_thuc", "uu_dai_dnnn", "nang_dong",
                     "ho_tro_dn", "dao_tao", "phap_ly"},
    "PCI_2008.xls": {"gia_nhap", "dat_dai", "minh_bach", "thoi_gian", "khong_chinh_thuc", "nang_dong", "ho_tro_dn",
                     "dao_tao", "phap_ly"},
    "PCI_2010.xls": {"gia_nhap", "dat_dai", "minh_bach", "thoi_gian", "khong_chinh_thuc", "nang_dong", "ho_tro_dn",
                     "dao_tao", "phap_ly"},
}
COMPONENTS["PCI_2012.xlsx"] = COMPONENTS["PCI_2010.xls"]
COMPONENTS["PCI_2014.xlsx"] = COMPONENTS["PCI_2016.xlsx"] = COMPONENTS["PCI_2010.xls"] | {"binh_dang"}


def _cell(path: Path, sheet: str, ref: str) -> float:
    """A cell as the file stores it, read without the loader (openpyxl for .xlsx, xlrd for .xls)."""
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    col, row = coordinate_from_string(ref)
    if path.suffix == ".xlsx":
        import openpyxl

        return openpyxl.load_workbook(path, read_only=True, data_only=True)[sheet].cell(row, column_index_from_string(col)).value
    import xlrd

    return xlrd.open_workbook(str(path)).sheet_by_name(sheet).cell_value(row - 1, column_index_from_string(col) - 1)


@pytest.fixture(scope="module")
def loaded():
    """Each corpus workbook read once as a user would send it: kind indices, index PCI."""
    out = {}
    for name in EXPECTED:
        out[name] = read_file(_registry(), name, (INDICES / name).read_bytes(), kind="indices", index="PCI")
    return out


def _registry():
    from loaders.registry.registries import Registry

    return Registry.from_data_dir()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_vcci_workbook_values_are_those_of_their_cells(loaded, name):
    parsed = loaded[name]
    year = int(name[4:8])
    assert parsed.errors == [], [e.text() for e in parsed.errors]
    rows = {(r.entity_code, r.component_code): r for r in parsed.batch.indices}
    assert {r.year for r in parsed.batch.indices} == {year}
    assert sum(1 for k in rows if k[1] is None) == PROVINCES[name]  # every province of the year, Hà Tây until 2008
    assert {k[1] for k in rows} - {None} == COMPONENTS[name]
    assert all(r.rank is not None for k, r in rows.items() if k[1] is None)  # every total has its rank
    sheet, expected = EXPECTED[name]
    assert len(expected) >= 20
    for entity, component, score, rank, ref in expected:
        r = rows[(entity, component)]
        assert r.score == pytest.approx(score, abs=1e-6), (entity, component)
        assert r.rank == rank, (entity, component)
        assert (r.sheet, f"{r.col}{r.row}") == (sheet, ref), (entity, component)
        assert _cell(INDICES / name, sheet, ref) == pytest.approx(score, abs=1e-6)
        assert "VCCI" in r.source or name in r.source


def test_each_year_says_where_its_year_came_from(loaded):
    said = {name: [w.message for w in p.warnings if w.message.startswith("năm đánh giá")] for name, p in loaded.items()}
    assert any("tiêu đề cột “PCI 2016”" in m for m in said["PCI_2016.xlsx"])
    assert any("tên tệp “PCI_2008.xls”" in m for m in said["PCI_2008.xls"])  # no year on the 2008 summary


def test_statistics_and_recap_rows_are_skipped_with_one_warning_each(loaded):
    w2006 = [w for w in loaded["PCI_2006.xls"].warnings if w.sheet == "PCI Tóm tắt"]
    assert [(w.row, w.message) for w in w2006 if "dòng thống kê" in w.message] == [
        (67, "bỏ qua dòng thống kê “MIN” (không phải kết quả của một tỉnh/đơn vị)"),
        (68, "bỏ qua dòng thống kê “MAX” (không phải kết quả của một tỉnh/đơn vị)")]
    w2010 = loaded["PCI_2010.xls"].warnings
    detail = [w for w in w2010 if w.sheet == "Chi phi gia nhap thi truong"]
    assert [w.row for w in detail if "dòng thống kê" in w.message] == [68, 69, 70]  # Median, Min, Max
    # VCCI's recap of Hà Nội under the summary: said once, not loaded twice, its ranks checked
    assert any(w.sheet == "Tong hop" and w.row == 67 and "nhắc lại" in w.message for w in w2010)


def test_detail_sheets_check_the_summary_and_are_not_loaded_twice(loaded):
    p = loaded["PCI_2010.xls"]
    agreed = [w for w in p.warnings if "khớp với bảng tổng hợp" in w.message]
    assert len(agreed) == 9  # nine sub-index sheets, each agreeing for the 63 provinces
    assert "Co so ha tang" in {w.sheet for w in p.warnings}  # infrastructure is not a PCI sub-index: skipped, said
    assert all(r.sheet == "Tong hop" for r in p.batch.indices)
    raw = [w for w in p.warnings if "chỉ tiêu thô" in w.message]
    assert len(raw) == 9 and "“Thời gian đăng ký kinh doanh" in raw[0].message


def test_a_detail_sheet_that_disagrees_withholds_its_component_naming_both_columns(loaded):
    p = loaded["PCI_2008.xls"]
    (w,) = [w for w in p.warnings if w.message.startswith("không nạp thành phần")]
    assert w.sheet == "Ưu đãi DNNN"
    assert "“Ưu đãi đối với doanh nghiệp nhà nước” năm 2008" in w.message
    assert "bảng tổng hợp “Tổng hợp” (cột M" in w.message and "trang chi tiết này (cột W" in w.message
    assert "64/64" in w.message
    assert not [r for r in p.batch.indices if r.component_code == "uu_dai_dnnn"]
    # the detail sheet naming Gia Lai twice and Quảng Nam never checks nothing: said, and the summary stands
    assert any("Gia Lai" in w.message and "không dùng để đối chiếu" in w.message for w in p.warnings)


# --- moving rows about ------------------------------------------------------------------------------------------


def _sheet(name: str, sheet: str) -> list[list]:
    (grid,) = [g for g in read_workbook((INDICES / name).read_bytes(), name) if g.name == sheet]
    return [grid.row(r) for r in range(grid.nrows)]


def _body(rows: list[list]) -> list[int]:
    """The rows of the ranking: an order number in column A (the recap and statistics rows have none)."""
    return [i for i, r in enumerate(rows) if isinstance(r[0], (int, float)) and not isinstance(r[0], bool)]


def _shuffled(rows: list[list], seed: int) -> list[list]:
    """The ranking's rows in another order, each row whole (its order number moves with it)."""
    body = _body(rows)
    moved = [rows[i] for i in body]
    random.Random(seed).shuffle(moved)
    for i, row in zip(body, moved):
        rows[i] = row
    return rows


def _read(rows: list[list], sheet: str, name: str):
    return read_file(_registry(), name, xlsx_bytes({sheet: rows}), kind="indices", index="PCI")


def _scores(parsed) -> dict:
    return {(r.entity_code, r.component_code): r.score for r in parsed.batch.indices}


def _ranks(parsed) -> dict:
    return {(r.entity_code, r.component_code): r.rank for r in parsed.batch.indices}


def _same_values(parsed, whole, ranks: bool = True) -> None:
    """Every value of `parsed` is the whole workbook's value for the same province and component."""
    mine = _scores(parsed)
    theirs = {k: v for k, v in _scores(whole).items() if k in mine}
    assert set(theirs) == set(mine) - {k for k in mine if k[1] == "uu_dai_dnnn"} or set(theirs) == set(mine)
    assert {k: mine[k] for k in theirs} == pytest.approx(theirs, abs=1e-6)
    if ranks:
        assert {k: v for k, v in _ranks(parsed).items() if k in theirs} == {
            k: v for k, v in _ranks(whole).items() if k in theirs}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_moving_the_rows_about_leaves_every_value_on_its_province(loaded, name):
    """The summary sheet alone (the case that used to load most values on the wrong province), its rows shuffled:
    the same values on the same provinces as the whole workbook gives."""
    sheet = EXPECTED[name][0]
    parsed = _read(_shuffled(_sheet(name, sheet), seed=12), sheet, name)
    assert parsed.errors == [], [e.text() for e in parsed.errors[:3]]
    _same_values(parsed, loaded[name])
    assert len(parsed.batch.indices) >= len(loaded[name].batch.indices)  # 2008's summary alone keeps its SOE bias
    qn = next(r for r in parsed.batch.indices if r.entity_code == "quang_ninh" and r.component_code is None)
    dn = next(r for r in parsed.batch.indices if r.entity_code == "da_nang" and r.component_code is None)
    assert qn.score != dn.score and qn.rank != dn.rank


@pytest.mark.parametrize("name", ["PCI_2008.xls", "PCI_2010.xls", "PCI_2014.xlsx", "PCI_2016.xlsx"])
def test_each_pair_sorted_on_its_own_keeps_its_values(loaded, name):
    """Paired layouts: every (province, score) pair shuffled on its own, the 'Thứ tự' column gone — each score still
    belongs to the province beside it, never to the first column's."""
    sheet = EXPECTED[name][0]
    rows = _sheet(name, sheet)
    body = _body(rows)
    width = max(len(r) for r in rows)
    names = [c for c in range(width) if isinstance(rows[body[0]][c], str) and not isinstance(rows[body[0]][c + 1]
                                                                                                 if c + 1 < width else 0, str)]
    rng = random.Random(5)
    for c in names:  # a name column and every number column up to the next name column move together
        end = min([n for n in names if n > c] + [width])
        block = [[rows[i][k] for k in range(c, end)] for i in body]
        rng.shuffle(block)
        for i, cells in zip(body, block):
            rows[i][c:end] = cells
    for i in body:
        rows[i][0] = None
    parsed = _read(rows, sheet, name)
    assert parsed.errors == [], [e.text() for e in parsed.errors[:3]]
    _same_values(parsed, loaded[name], ranks=False)


def test_a_pair_sorted_apart_from_its_order_column_is_refused_naming_its_columns():
    rows = _sheet("PCI_2016.xlsx", "Summary_VN")
    body = _body(rows)
    pair = sorted([rows[i][3:5] for i in body], key=lambda p: p[0])  # "Tiếp cận đất đai" re-sorted by name
    for i, cells in zip(body, pair):
        rows[i][3:5] = cells
    parsed = _read(rows, "Summary_VN", "PCI_2016.xlsx")
    (err,) = parsed.errors
    assert err.column == "E"
    assert "điểm ở cột E (“Tiếp cận đất đai”) không giảm dần theo cột “Thứ tự” (A)" in err.message


def test_ranks_that_do_not_follow_the_scores_are_refused_naming_both_columns():
    rows = _sheet("PCI_2014.xlsx", "Summary_VN")
    body = _body(rows)
    a, b = body[2], body[10]
    rows[a][23], rows[b][23] = rows[b][23], rows[a][23]  # two ranks of the total swapped
    parsed = _read(rows, "Summary_VN", "PCI_2014.xlsx")
    assert parsed.errors
    assert any("xếp hạng ở cột X không khớp với điểm ở cột W" in e.message for e in parsed.errors)


def test_a_province_twice_with_two_values_is_refused():
    rows = _sheet("PCI_2012.xlsx", "Tong hop")
    body = _body(rows)
    rows[body[5]][1] = rows[body[6]][1]  # the first pair names one province twice (with two scores)
    parsed = _read(rows, "Tong hop", "PCI_2012.xlsx")
    assert any("có hai giá trị khác nhau cho “Gia nhập thị trường”" in e.message for e in parsed.errors)


def test_a_recap_row_that_disagrees_with_the_table_is_refused():
    rows = _sheet("PCI_2010.xls", "Tong hop")
    recap = next(i for i, r in enumerate(rows) if r[1] == "Thứ tự")
    rows[recap][2] = 12  # VCCI's rank row under Hà Nội: 49 for entry costs, changed
    parsed = _read(rows, "Tong hop", "PCI_2010.xls")
    (err,) = parsed.errors
    assert (err.row, err.column) == (recap + 1, "C")
    assert "dòng xếp hạng ghi “Ha Noi” hạng 12" in err.message and "bảng cho hạng 49" in err.message


def test_two_summaries_of_one_year_must_agree():
    rows = _sheet("PCI_2016.xlsx", "Summary_VN")
    copy = [list(r) for r in rows]
    copy[_body(copy)[0]][22] = 69.5  # Đà Nẵng's total in the second copy
    parsed = read_file(_registry(), "pci.xlsx", xlsx_bytes({"Summary_VN": rows, "Bản sao": copy}), kind="indices",
                       index="PCI")
    (err,) = parsed.errors
    assert err.sheet == "Bản sao" and "hai bảng kết quả cùng năm phải khớp nhau" in err.message


# --- the corpus as a user sends it -------------------------------------------------------------------------------


def test_every_corpus_file_answers_with_exactly_one_json_object(tmp_path):
    """`load --json` on every real file (published workbooks, other agencies' forms, a web page saved as .xls):
    one JSON object on stdout, never a traceback; index workbooks load, report forms are refused saying what
    they hold."""
    import json
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    files = sorted(INDICES.iterdir()) + sorted((CORPUS / "reports").iterdir())
    assert len(files) >= 9
    for f in files:
        for flags in ([], ["--kind", "indices", "--index", "PCI"]):
            p = subprocess.run([sys.executable, "-m", "loaders", "--db", str(tmp_path / "none.duckdb"), "load", str(f),
                                "--dry-run", "--json", *flags], cwd=root, capture_output=True, text=True, timeout=300,
                               env={**os.environ})
            assert "Traceback" not in p.stderr, (f.name, p.stderr[-2000:])
            decoder = json.JSONDecoder()
            out, end = decoder.raw_decode(p.stdout)
            assert p.stdout[end:].strip() == "", f.name  # exactly one object
            if f.parent.name == "indices":
                assert (out["status"], out["errors"]) == ("dry-run", []), (f.name, out["errors"][:2])
                assert out["rows"] >= 630
            else:
                assert out["status"] in ("refused", "unusable") and p.returncode in (1, 2), f.name
                (err,) = out["errors"]
                assert "trang “" in err["message"] and "tiêu đề “" in err["message"]  # says what it found
                assert "CSV" not in err["message"]
                if flags:
                    assert "bảng kết quả chỉ số" in err["message"] and "Kết quả thực hiện" not in err["message"]


def test_a_reader_fault_is_one_json_object_too(tmp_path, monkeypatch, capsys):
    import json

    from loaders import cli, load

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(load, "read_file", broken)
    f = tmp_path / "x.xlsx"
    f.write_bytes(xlsx_bytes({"S": [["a"]]}))
    code = cli.main(["--db", str(tmp_path / "none.duckdb"), "load", str(f), "--dry-run", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 2 and out["status"] == "unusable"
    assert "lỗi không mong đợi" in out["errors"][0]["message"] and "RuntimeError" in out["errors"][0]["message"]


# --- one sheet ------------------------------------------------------------------------------------------------


def test_a_sheet_can_be_chosen_and_an_unknown_one_is_named():
    content = (INDICES / "PCI_2012.xlsx").read_bytes()
    parsed = read_file(_registry(), "PCI_2012.xlsx", content, kind="indices", sheet="tong HOP")
    assert parsed.errors == [] and parsed.layouts == [("Tong hop", "index_table")]
    assert len(parsed.batch.indices) == 630 and "Tiep can dat dai" in parsed.sheets
    detail = read_file(_registry(), "PCI_2012.xlsx", content, kind="indices", sheet="Tiep can dat dai")
    assert {r.component_code for r in detail.batch.indices} == {"dat_dai"} and len(detail.batch.indices) == 63
    with pytest.raises(ArgumentError) as exc:
        read_file(_registry(), "PCI_2012.xlsx", content, kind="indices", sheet="Summary")
    assert "không có trang tính “Summary”" in str(exc.value) and "“Tong hop”" in str(exc.value)


def test_sheet_option_of_the_command_line(tmp_path):
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    p = subprocess.run([sys.executable, "-m", "loaders", "--db", str(tmp_path / "n.duckdb"), "load",
                        str(INDICES / "PCI_2016.xlsx"), "--sheet", "Tính năng động", "--dry-run", "--json"],
                       cwd=root, capture_output=True, text=True, timeout=300)
    out = json.loads(p.stdout)
    assert (out["status"], out["rows"]) == ("dry-run", 63)


# --- names ------------------------------------------------------------------------------------------------------


def _pci_table(names: list[str], year: int = 2006) -> bytes:
    rows = [[f"KẾT QUẢ CHỈ SỐ PCI NĂM {year}"], ["STT", "Tỉnh, thành phố", "Điểm PCI", "Xếp hạng", "Gia nhập thị trường"]]
    rows += [[i + 1, n, 70 - i, i + 1, 8 - i / 10] for i, n in enumerate(names)]
    return xlsx_bytes({"PCI": rows})


def test_publishers_spellings_and_historical_provinces():
    import unicodedata

    names = ["Bắc Cạn", "Bac Can", "Đắc Lắk", "TP. Hồ Chí Minh", "Thừa Thiên - Huế", "Hà Tây", "TT-Huế", "HCMC"]
    parsed = read_file(_registry(), "pci.xlsx", _pci_table(names[:1] + names[2:6]))
    assert parsed.errors == []
    assert [r.entity_code for r in parsed.batch.indices if r.component_code is None] == [
        "bac_kan", "dak_lak", "tp_ho_chi_minh", "thua_thien_hue", "ha_tay"]
    # the same table with every text decomposed (NFD), as one of VCCI's workbooks stores some of its names
    nfd = read_file(_registry(), "pci.xlsx", _pci_table([unicodedata.normalize("NFD", n) for n in names[:1] + names[2:6]]))
    assert [(r.entity_code, r.component_code, r.score) for r in nfd.batch.indices] == [
        (r.entity_code, r.component_code, r.score) for r in parsed.batch.indices]
    # Hà Tây until 2008 only: never put on Hà Nội
    (err,) = read_file(_registry(), "pci.xlsx", _pci_table(["Hà Tây"], 2010)).errors
    assert "Hà Tây đã nhập vào Hà Nội từ 01/08/2008" in err.message


def test_a_component_of_another_methodology_is_not_read_as_one_of_this_year():
    rows = [["KẾT QUẢ CHỈ SỐ PCI NĂM 2016"], ["STT", "Tỉnh", "Điểm PCI", "Ưu đãi đối với DNNN", "Cạnh tranh bình đẳng"],
            [1, "Đà Nẵng", 70.0, 7.5, 6.9]]
    parsed = read_file(_registry(), "pci.xlsx", xlsx_bytes({"PCI": rows}))
    assert sorted((r.component_code or "") for r in parsed.batch.indices) == ["", "binh_dang"]
    assert any(w.column == "D" and "bỏ qua cột “Ưu đãi đối với DNNN”" in w.message for w in parsed.warnings)
    rows[0] = ["KẾT QUẢ CHỈ SỐ PCI NĂM 2006"]
    parsed = read_file(_registry(), "pci.xlsx", xlsx_bytes({"PCI": rows}))  # no "Cạnh tranh bình đẳng" before 2013
    assert sorted((r.component_code or "") for r in parsed.batch.indices) == ["", "uu_dai_dnnn"]


def test_errors_of_one_cause_make_one_message_with_the_count_and_the_first_cells():
    rows = [["KẾT QUẢ CHỈ SỐ PCI NĂM 2016"], ["STT", "Tỉnh", "Điểm PCI", "Xếp hạng"]]
    provinces = ["Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế", "Nghệ An", "Lào Cai", "Sơn La"]
    rows += [[i + 1, p, "n/a", i + 1] for i, p in enumerate(provinces)]
    parsed = read_file(_registry(), "pci.xlsx", xlsx_bytes({"PCI": rows}))
    (err,) = parsed.errors
    assert (err.row, err.column) == (3, "C")
    assert "ô chứa chữ “n/a”" in err.message and "(cùng lỗi ở 7 chỗ khác: C4 “n/a”, C5 “n/a”" in err.message


# --- PAPI, as UNDP lays it out --------------------------------------------------------------------------------

PAPI_DIMENSIONS = [  # (code, English header, Vietnamese header, sub-dimensions (English, Vietnamese))
    ("tham_gia", "Dimension 1: Participation at Local Levels", "Chỉ số nội dung 1: Tham gia của người dân ở cấp cơ sở",
     [("Civic Knowledge", "Tri thức công dân"), ("Opportunities for Participation", "Cơ hội tham gia"),
      ("Quality of Elections", "Chất lượng bầu cử"), ("Voluntary Contributions", "Đóng góp tự nguyện")]),
    ("cong_khai", "Dimension 2: Transparency in Local Decision-making",
     "Chỉ số nội dung 2: Công khai, minh bạch trong việc ra quyết định ở địa phương",
     [("Poverty Lists", "Danh sách hộ nghèo"), ("Communal Budgets", "Thu, chi ngân sách cấp xã"),
      ("Land-use Plans and Pricing", "Quy hoạch, kế hoạch sử dụng đất và khung giá đền bù")]),
    ("giai_trinh", "Dimension 3: Vertical Accountability Towards Citizens",
     "Chỉ số nội dung 3: Trách nhiệm giải trình với người dân",
     [("Interactions with Local Authorities", "Mức độ và hiệu quả tiếp xúc với chính quyền"),
      ("People's Inspection Boards", "Ban Thanh tra nhân dân"),
      ("Community Investment Supervision Boards", "Ban Giám sát đầu tư cộng đồng")]),
    ("tham_nhung", "Dimension 4: Control of Corruption in the Public Sector",
     "Chỉ số nội dung 4: Kiểm soát tham nhũng trong khu vực công",
     [("Limits on Public Sector Corruption", "Kiểm soát tham nhũng trong chính quyền địa phương"),
      ("Limits on Corruption in Public Service Delivery", "Kiểm soát tham nhũng trong cung ứng dịch vụ công"),
      ("Equity in Public Sector Employment", "Công bằng trong tìm kiếm việc làm trong khu vực nhà nước"),
      ("Willingness to Fight Corruption", "Quyết tâm chống tham nhũng")]),
    ("tthc", "Dimension 5: Public Administrative Procedures", "Chỉ số nội dung 5: Thủ tục hành chính công",
     [("Certification Procedures", "Dịch vụ chứng thực, xác nhận"), ("Construction Permits", "Thủ tục cấp phép xây dựng"),
      ("Land Use Rights Certificates", "Thủ tục liên quan đến giấy CNQSD đất"),
      ("Personal Procedures at Commune Level", "Thủ tục hành chính cấp xã/phường")]),
    ("dich_vu_cong", "Dimension 6: Public Service Delivery", "Chỉ số nội dung 6: Cung ứng dịch vụ công",
     [("Public Health", "Y tế công lập"), ("Public Primary Education", "Giáo dục tiểu học công lập"),
      ("Basic Infrastructure", "Cơ sở hạ tầng căn bản"), ("Law and Order", "An ninh, trật tự khu dân cư")]),
    ("moi_truong", "Dimension 7: Environmental Governance", "Chỉ số nội dung 7: Quản trị môi trường",
     [("Seriousness in Environmental Protection", "Mức độ nghiêm túc trong bảo vệ môi trường"),
      ("Air Quality", "Chất lượng không khí"), ("Water Quality", "Chất lượng nước")]),
    ("dien_tu", "Dimension 8: E-Governance", "Chỉ số nội dung 8: Quản trị điện tử",
     [("Use of E-government Portals", "Sử dụng cổng thông tin điện tử của chính quyền địa phương"),
      ("Internet Access", "Tiếp cận và sử dụng Internet tại địa phương")]),
]
PAPI_PROVINCES = ["Quảng Ninh", "Bắc Cạn", "TP. Hồ Chí Minh", "Thừa Thiên - Huế", "Đắk Lắk", "Hà Nội"]


def papi_score(p: int, d: int, year: int) -> float:
    """A dimension score of province p, dimension d (1–10, two decimals; different for every cell)."""
    return round(4 + ((p * 7 + d * 3 + year) % 50) / 10, 2)


def papi_sheet(year: int, dims: int, stats=("Highest", "Lowest"), order=None) -> list[list]:
    used = PAPI_DIMENSIONS[:dims]
    en, vi = ["No.", "Province"], ["STT", "Tỉnh/Thành phố"]
    for _, e, v, subs in used:
        en += [e] + [s[0] for s in subs]
        vi += [v] + [s[1] for s in subs]
    en.append(f"Total PAPI (unweighted sum of {dims} dimensions)")
    vi.append("Tổng điểm PAPI (không trọng số)")
    rows = [en, vi]
    for i in order or range(len(PAPI_PROVINCES)):
        row = [i + 1, PAPI_PROVINCES[i]]
        for d, (_, _, _, subs) in enumerate(used, start=1):
            score = papi_score(i, d, year)
            row += [score] + [round(score / len(subs) - 0.01 * k, 4) for k in range(len(subs))]
        row.append(round(sum(papi_score(i, d, year) for d in range(1, dims + 1)), 2))
        rows.append(row)
    for label in stats:  # UNDP's statistics rows: never a province (the label under "Province" or under "No.")
        cells = [None, label] if label != "Lowest" else [label, None]
        rows.append(cells + [9.99] * (len(en) - 2))
    return rows


def _papi_expected(year: int, dims: int) -> dict:
    out = {}
    codes = {"quang_ninh": 0, "bac_kan": 1, "tp_ho_chi_minh": 2, "thua_thien_hue": 3, "dak_lak": 4, "ha_noi": 5}
    for ent, i in codes.items():
        for d, (code, _, _, _) in enumerate(PAPI_DIMENSIONS[:dims], start=1):
            out[(year, ent, code)] = papi_score(i, d, year)
        out[(year, ent, None)] = round(sum(papi_score(i, d, year) for d in range(1, dims + 1)), 2)
    return out


def test_papi_multi_year_workbook_one_sheet_per_year():
    content = xlsx_bytes({
        "2016": papi_sheet(2016, 6, stats=("Điểm cao nhất mẫu", "Điểm thấp nhất mẫu")),
        "2018": papi_sheet(2018, 8, order=[3, 0, 5, 1, 4, 2]),  # rows in another order
    })
    parsed = read_file(_registry(), "PAPI_2016-2018.xlsx", content, kind="indices")
    assert parsed.errors == [], [e.text() for e in parsed.errors]
    got = {(r.year, r.entity_code, r.component_code): r.score for r in parsed.batch.indices}
    assert got == {**_papi_expected(2016, 6), **_papi_expected(2018, 8)}
    assert {r.index_code for r in parsed.batch.indices} == {"PAPI"}
    assert all(r.rank is None for r in parsed.batch.indices)  # PAPI publishes no ranking; none is made up
    said = {w.sheet: [] for w in parsed.warnings}
    for w in parsed.warnings:
        said[w.sheet].append(w)
    assert any(w.message == "năm đánh giá 2018: lấy từ tên trang tính “2018”" for w in said["2018"])
    subdims = [w for w in said["2018"] if "nội dung thành phần (chỉ số con)" in w.message]
    assert len(subdims) == 27  # one warning per sub-dimension column, each naming its dimension
    corruption = next(w for w in subdims if "Kiểm soát tham nhũng trong cung ứng dịch vụ công" in w.message)
    assert "của “Kiểm soát tham nhũng trong khu vực công”" in corruption.message  # never "Cung ứng dịch vụ công"
    assert [w.message for w in said["2016"] if "dòng thống kê" in w.message] == [
        "bỏ qua dòng thống kê “Điểm cao nhất mẫu” (không phải kết quả của một tỉnh/đơn vị)",
        "bỏ qua dòng thống kê “Điểm thấp nhất mẫu” (không phải kết quả của một tỉnh/đơn vị)"]
    assert len([w for w in said["2018"] if "dòng thống kê" in w.message]) == 2  # Highest, Lowest


def test_papi_dimension_merged_over_its_sub_dimensions():
    """A second layout of the same table: the dimension's name merged over its score and its sub-dimensions."""
    rows = [["CHỈ SỐ PAPI NĂM 2017"], ["STT", "Tỉnh/Thành phố"], [None, None]]
    merges, col = [], 3
    for code, _, vi, subs in PAPI_DIMENSIONS[:6]:
        rows[1] += [vi.split(": ")[1]] + [None] * len(subs)
        rows[2] += ["Điểm"] + [s[1] for s in subs]
        merges.append(f"{letter(col - 1)}2:{letter(col - 1 + len(subs))}2")
        col += 1 + len(subs)
    rows[1].append("Tổng điểm PAPI")
    rows[2].append(None)
    for i, name in enumerate(PAPI_PROVINCES):
        row = [i + 1, name]
        for d, (_, _, _, subs) in enumerate(PAPI_DIMENSIONS[:6], start=1):
            row += [papi_score(i, d, 2017)] + [0.5] * len(subs)
        row.append(round(sum(papi_score(i, d, 2017) for d in range(1, 7)), 2))
        rows.append(row)
    parsed = read_file(_registry(), "papi_2017.xlsx", xlsx_bytes({"PAPI": rows}, {"PAPI": merges}))
    assert parsed.errors == [], [e.text() for e in parsed.errors]
    got = {(r.year, r.entity_code, r.component_code): r.score for r in parsed.batch.indices}
    assert got == _papi_expected(2017, 6)
    assert len([w for w in parsed.warnings if "nội dung thành phần" in w.message]) == 22


# --- web pages saved as .xls --------------------------------------------------------------------------------------


def test_a_web_system_export_is_read_as_a_workbook_with_its_spans():
    (grid,) = read_workbook((CORPUS / "reports" / "Bieu02CS_2_01_08_2018.xls").read_bytes(), "Bieu02CS_2_01_08_2018.xls")
    assert grid.name == "Bieu02CS_2_01_08_2018"
    header = next(r for r in range(grid.nrows) if grid.text(r, 1) == "Mã số")
    assert grid.text(header + 1, 1) == "Mã số"  # rowspan="2": the cell below repeats it, as a merged cell
    assert [grid.text(header, c) for c in (3, 8, 9)] == ["Chia theo trình độ chuyên môn"] * 2 + ["Chức danh GS,PGS"]
    assert [grid.text(header + 1, c) for c in (3, 9)] == ["Tiến sỹ", "Giáo sư"]
    total = next(r for r in range(grid.nrows) if grid.text(r, 0) == "TỔNG SỐ")
    assert [grid.text(total, c) for c in range(3)] == ["TỔNG SỐ", "01", "18"]


def test_an_index_table_exported_as_a_web_page_loads():
    html = """<html><head><meta charset="utf-8"><title>Kết quả</title></head><body>
    <table><tr><td colspan="4"><b>KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (PAR INDEX) NĂM 2024</b></td></tr></table>
    <table border="1">
      <tr><th rowspan="2">STT</th><th rowspan="2">Tỉnh, thành phố</th><th colspan="2">Chỉ số PAR Index</th></tr>
      <tr><th>Điểm</th><th>Xếp hạng</th></tr>
      <tr><td>1</td><td>Hải Phòng</td><td>96,17</td><td>1</td></tr>
      <tr><td>2</td><td>Sơn La</td><td>90,02</td><td>12</td></tr>
    </table></body></html>"""
    parsed = read_file(_registry(), "bieu_par.xls", html.encode("utf-8"))
    assert parsed.errors == []
    assert sorted((r.entity_code, r.score, r.rank) for r in parsed.batch.indices) == [
        ("hai_phong", 96.17, 1), ("son_la", 90.02, 12)]


def test_a_web_page_without_a_table_is_said_to_be_one_not_a_csv():
    from loaders.errors import UnusableFileError

    with pytest.raises(UnusableFileError) as exc:
        read_file(_registry(), "trang.xls", "<!DOCTYPE html><html><body><p>Trang chủ</p></body></html>".encode())
    assert "trang web (HTML)" in exc.value.message and "CSV" not in exc.value.message


@pytest.mark.parametrize("name,sheet", [("PCI_2006.xls", "CP gia nhập thị trường"),
                                        ("PCI_2010.xls", "Chi phi gia nhap thi truong"),
                                        ("PCI_2016.xlsx", "Tính năng động")])
def test_a_detail_sheet_alone_rows_moved_about_gives_its_component_on_the_right_provinces(loaded, name, sheet):
    """A detail sheet kept alone is the result: only its sub-index column is read (not the id, not the raw
    indicators), on the province of each row however the rows are ordered."""
    parsed = _read(_shuffled(_sheet(name, sheet), seed=3), sheet, name)
    assert parsed.errors == [], [e.text() for e in parsed.errors[:3]]
    (component,) = {r.component_code for r in parsed.batch.indices}
    assert len(parsed.batch.indices) == PROVINCES[name]
    _same_values(parsed, loaded[name], ranks=False)
    assert component in COMPONENTS[name]


def test_a_hostile_web_page_is_refused_not_expanded():
    from loaders.errors import UnusableFileError

    bomb = ("<html><table>" + "<tr><td colspan=500 rowspan=500>x</td></tr>" * 20 + "</table></html>").encode()
    with pytest.raises(UnusableFileError) as exc:
        read_workbook(bomb, "bieu.xls")
    assert "bảng quá lớn" in exc.value.message
    nested = "<html><table><tr><td>A</td><td><table><tr><td>x</td></tr></table></td></tr><tr><td>B</td></tr></table>"
    (grid,) = read_workbook(nested.encode(), "n.xls")
    assert [grid.text(r, 0) for r in range(grid.nrows)] == ["A", "x", "B"]  # an inner table under its row
