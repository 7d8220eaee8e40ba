"""The tidy form: one row per unit × quarter × indicator (xlsx or csv), and the long index CSV."""
from pathlib import Path

from conftest import xlsx_bytes

from loaders.load import load_file, read_file

REF = Path(__file__).resolve().parent.parent / "data" / "reference"
HEAD = ["Đơn vị", "Năm", "Quý", "Chỉ tiêu", "Kết quả thực hiện", "Ghi chú"]


def test_tidy_activities_xlsx(load_con):
    rows = [HEAD, ["Sở Tư pháp", 2025, 3, "Tin, bài về CCHC trên Cổng/Trang thông tin điện tử", 12, None],
            ["So Y te", "2025", "III", "tin bai", "1.250", "gõ không dấu"],
            ["thanh_tra", 2025, "Quý 3", "ty_le_dung_han", "88,5", None]]
    parsed = read_file(load_con, "mau.xlsx", xlsx_bytes({"Số liệu": rows}))
    assert parsed.errors == [] and parsed.layouts == [("Số liệu", "tidy")]
    assert sorted((a.unit_code, a.year, a.quarter, a.metric_code, a.value, a.row, a.col)
                  for a in parsed.batch.activities) == [
        ("so_tu_phap", 2025, 3, "tin_bai", 12.0, 2, "E"), ("so_y_te", 2025, 3, "tin_bai", 1250.0, 3, "E"),
        ("thanh_tra", 2025, 3, "ty_le_dung_han", 88.5, 4, "E")]


def test_tidy_csv_targets_with_annual_rows(load_con):
    csv = ("unit,year,quarter,indicator,target\n"
           "so_tu_phap,2026,,tin_bai,40\n"
           "so_tu_phap,2026,1,tin_bai,8\n"
           "Sở Y tế,2026,,Tỷ lệ hồ sơ nộp trực tuyến,80\n").encode()
    parsed = read_file(load_con, "chi_tieu.csv", csv)
    assert parsed.errors == [] and parsed.kind == "targets"
    assert sorted((t.unit_code, t.year, t.quarter or 0, t.metric_code, t.value) for t in parsed.batch.targets) == [
        ("so_tu_phap", 2026, 0, "tin_bai", 40.0), ("so_tu_phap", 2026, 1, "tin_bai", 8.0),
        ("so_y_te", 2026, 0, "ty_le_truc_tuyen", 80.0)]


def test_quarter_outside_1_to_4(load_con):
    rows = [HEAD, ["Sở Tư pháp", 2025, 5, "Tin bài", 12, None]]
    parsed = read_file(load_con, "mau.xlsx", xlsx_bytes({"Số liệu": rows}))
    (err,) = parsed.errors
    assert (err.sheet, err.row, err.column) == ("Số liệu", 2, "C")
    assert err.message.startswith("quý “5” nằm ngoài 1–4")


def test_duplicate_key_with_different_values_and_nothing_written(load_con, load_counts):
    rows = [HEAD, ["Sở Tư pháp", 2025, 3, "Tin bài", 12, None], ["Sở Tư pháp", 2025, 3, "Số tin bài", 15, None]]
    before = load_counts(load_con)
    report = load_file(load_con, "mau.xlsx", xlsx_bytes({"Số liệu": rows}))
    assert report.status == "refused"
    (err,) = report.errors
    assert (err.row, err.column) == (3, "E") and "12 (trang “Số liệu”, dòng 2, cột E) và 15" in err.message
    assert load_counts(load_con) == before


def test_rows_contradicting_the_period_and_unit_arguments(load_con):
    rows = [HEAD, ["Sở Tư pháp", 2025, 2, "Tin bài", 12, None]]
    parsed = read_file(load_con, "mau.xlsx", xlsx_bytes({"Số liệu": rows}), period="2025-Q3")
    (err,) = parsed.errors
    assert (err.row, err.column) == (2, "C") and "dòng ghi Quý II/2025 nhưng kỳ được chọn là Quý III/2025" in err.message
    parsed = read_file(load_con, "mau.xlsx", xlsx_bytes({"Số liệu": rows}), unit="Sở Y tế")
    (err,) = parsed.errors
    assert (err.row, err.column) == (2, "A") and "đơn vị được chọn là Sở Y tế" in err.message


def test_unit_column_left_empty_takes_the_argument(load_con):
    rows = [HEAD, [None, 2025, 3, "Tin bài", 12, None]]
    parsed = read_file(load_con, "mau.xlsx", xlsx_bytes({"Số liệu": rows}), unit="STP")
    assert parsed.errors == [] and parsed.batch.activities[0].unit_code == "so_tu_phap"


def test_text_in_the_value_column(load_con):
    rows = [HEAD, ["Sở Tư pháp", 2025, 3, "Tin bài", "khoảng 10", None]]
    parsed = read_file(load_con, "mau.xlsx", xlsx_bytes({"Số liệu": rows}))
    (err,) = parsed.errors
    assert (err.row, err.column) == (2, "E") and "ô chứa chữ “khoảng 10” — cần một số" in err.message


def test_reference_csv_long_form_with_its_source(load_con):
    content = (REF / "pci.csv").read_bytes()
    parsed = read_file(load_con, "pci.csv", content)
    assert parsed.errors == [] and parsed.kind == "indices"
    rows = {(r.year, r.entity_code, r.component_code): r for r in parsed.batch.indices}
    hp = rows[(2024, "hai_phong", None)]
    assert (hp.index_code, hp.score, hp.rank) == ("PCI", 74.84, 1)
    assert hp.source.startswith("https://vietnamnews.vn/")
    assert len(parsed.batch.indices) == sum(1 for _ in content.decode().splitlines()) - 1


def test_reference_csv_three_decimals_are_decimals_not_thousands(load_con):
    """'48.881' in a file that writes '47.82': the dot is the decimal mark there."""
    parsed = read_file(load_con, "papi.csv", (REF / "papi.csv").read_bytes())
    assert parsed.errors == []
    rows = {(r.year, r.entity_code, r.component_code): r.score for r in parsed.batch.indices}
    assert rows[(2020, "quang_ninh", None)] == 48.881
    assert rows[(2023, "dak_lak", "dien_tu")] == 3.417


def test_internal_index_rows_resolve_to_registry_units(load_con):
    csv = ("index,year,province,score,rank,component,source_url_or_citation\n"
           "DDCI,2024,Đắk Lắk,81.5,1,unit: Sở Tư pháp (department group),QĐ 99/QĐ-UBND\n"
           "DDCI,2024,Đắk Lắk,70.2,2,unit: So Y te,same as above\n"
           "DDCI,2024,Đắk Lắk,75.0,,group average: sở/ban/ngành,same as above\n").encode()
    parsed = read_file(load_con, "ddci.csv", csv)
    assert parsed.errors == []
    assert sorted((r.entity_code, r.score, r.rank, r.source) for r in parsed.batch.indices) == [
        ("so_tu_phap", 81.5, 1, "QĐ 99/QĐ-UBND"), ("so_y_te", 70.2, 2, "QĐ 99/QĐ-UBND")]
    assert any("trung bình nhóm" in w.message for w in parsed.warnings)


def test_internal_index_rows_of_the_home_province_set_by_init(load_con):
    """A Sơn La deployment (its own unit registry) uploads its DDCI in the long form: its unit rows are registry
    units; the same rows under another province's name are refused, never made into registry units."""
    from loaders.registry.settings import set_home_province

    set_home_province(load_con, "Son La")
    csv = ("index,year,province,score,rank,component,source_url_or_citation\n"
           "DDCI,2024,Sơn La,81.5,1,unit: Sở Tư pháp,QĐ 12/QĐ-UBND\n").encode()
    parsed = read_file(load_con, "ddci.csv", csv)
    assert parsed.errors == []
    assert [(r.entity_code, r.score) for r in parsed.batch.indices] == [("so_tu_phap", 81.5)]
    other = read_file(load_con, "ddci.csv", csv.replace("Sơn La".encode(), "Đắk Lắk".encode()))
    assert [(e.row, e.column) for e in other.errors] == [(2, "F")]
    assert "của tỉnh Đắk Lắk không thuộc danh mục đơn vị của dashboard (tỉnh Sơn La)" in other.errors[0].message
