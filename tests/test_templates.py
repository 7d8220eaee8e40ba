"""Excel templates: Vietnamese headers, instructions, dropdowns from a hidden list sheet; a filled template
loads back through the tidy loader."""
import pytest
from openpyxl import load_workbook

from core.periods import Period
from loaders.load import load_file, read_file
from loaders.registry.registries import Registry
from loaders.templates import TemplateError, write_template


@pytest.fixture
def registry(load_con):
    return Registry.from_db(load_con)


def test_activities_template_shape(tmp_path, registry):
    path = write_template("activities", tmp_path / "mau.xlsx", registry)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Số liệu", "Hướng dẫn", "Danh mục"]
    assert wb["Danh mục"].sheet_state == "hidden"
    ws = wb["Số liệu"]
    assert [c.value for c in ws[1]] == ["Đơn vị", "Năm", "Kỳ", "Chỉ tiêu", "Kết quả thực hiện", "Ghi chú"]
    lists = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert lists["A2"].type == "list" and lists["A2"].formula1.startswith("='Danh mục'!$A$2:$A$")
    assert lists["D2"].type == "list" and lists["D2"].formula1.startswith("='Danh mục'!$B$2:$B$")
    # "Kỳ": quarters 1–4, months, six and nine months, the year, from a list that also lets "III" through
    assert lists["C2"].type == "list" and lists["C2"].formula1.startswith("='Danh mục'!$C$2:$C$")
    assert lists["C2"].errorStyle == "warning"
    assert [c.value for c in wb["Danh mục"]["C"][1:5]] == ["1", "2", "3", "4"]
    names = [c.value for c in wb["Danh mục"]["B"][1:] if c.value]
    assert names == [m["name"] for m in registry.indicators]
    units = [c.value for c in wb["Danh mục"]["A"][1:] if c.value]
    assert "Sở Tư pháp" in units and "Sở Giao thông vận tải" not in units  # merged away in 2025: not offered
    help_text = " ".join(str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value)
    assert "không ghi số lũy kế" in help_text and "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn" in help_text


def _fill(path, rows):
    wb = load_workbook(path)
    ws = wb["Số liệu"]
    for r, row in enumerate(rows, start=2):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    wb.save(path)
    return path.read_bytes()


def test_filled_activities_template_round_trip(tmp_path, registry, load_con):
    path = write_template("activities", tmp_path / "mau.xlsx", registry)
    content = _fill(path, [["Sở Tư pháp", 2025, 3, "Tin, bài về CCHC trên Cổng/Trang thông tin điện tử", 12],
                           ["Sở Tư pháp", 2025, 3, "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", 97.5, "đã kiểm tra"]])
    parsed = read_file(load_con, "mau.xlsx", content)
    assert parsed.errors == [] and parsed.warnings == []
    assert parsed.layouts == [("Số liệu", "tidy")]
    assert sorted((a.unit_code, a.year, a.quarter, a.metric_code, a.value) for a in parsed.batch.activities) == [
        ("so_tu_phap", 2025, 3, "tin_bai", 12.0), ("so_tu_phap", 2025, 3, "ty_le_dung_han", 97.5)]
    assert load_file(load_con, "mau.xlsx", content).status == "loaded"


def test_filled_targets_template_round_trip(tmp_path, registry, load_con):
    path = write_template("targets", tmp_path / "kh.xlsx", registry)
    content = _fill(path, [["Sở Y tế", 2026, None, "Video, clip về CCHC", 8], ["Sở Y tế", 2026, 2, "Video, clip về CCHC", 3]])
    parsed = read_file(load_con, "kh.xlsx", content)
    assert parsed.errors == [] and parsed.kind == "targets"
    assert sorted((t.unit_code, t.year, t.quarter or 0, t.metric_code, t.value) for t in parsed.batch.targets) == [
        ("so_y_te", 2026, 0, "video_clip", 8.0), ("so_y_te", 2026, 2, "video_clip", 3.0)]


def test_filled_indices_template_round_trip(tmp_path, registry, load_con):
    path = write_template("indices", tmp_path / "cs.xlsx", registry, load_con)
    wb = load_workbook(path)
    assert [c.value for c in wb["Số liệu"][1]][:6] == ["Chỉ số", "Năm", "Tỉnh/đơn vị",
                                                       "Thành phần (để trống nếu là điểm tổng)", "Điểm", "Xếp hạng"]
    content = _fill(path, [["PCI", 2024, "Đắk Lắk", None, 65.5, 40, "pcivietnam.vn"],
                           ["PCI", 2024, "Đắk Lắk", "Tính minh bạch", 6.1, None, "pcivietnam.vn"],
                           ["DDCI", 2024, "Sở Tư pháp", None, 81.5, 1, "QĐ 99/QĐ-UBND"]])
    parsed = read_file(load_con, "cs.xlsx", content)
    assert parsed.errors == []
    assert sorted((r.index_code, r.entity_code, r.component_code or "", r.score, r.rank, r.source)
                  for r in parsed.batch.indices) == [
        ("DDCI", "so_tu_phap", "", 81.5, 1, "QĐ 99/QĐ-UBND"),
        ("PCI", "dak_lak", "", 65.5, 40, "pcivietnam.vn"),
        ("PCI", "dak_lak", "minh_bach", 6.1, None, "pcivietnam.vn")]


def test_an_empty_template_is_refused_without_rows(tmp_path, registry, load_con):
    content = write_template("activities", tmp_path / "mau.xlsx", registry).read_bytes()
    parsed = read_file(load_con, "mau.xlsx", content)
    assert [e.message for e in parsed.errors] == ["tệp không có dòng số liệu nào để nạp — hãy kiểm tra các cảnh báo"]


def test_template_prefilled_for_a_unit_and_quarter_loads_back_what_was_typed(tmp_path, registry, load_con):
    """A unit's staff get their rows written in (unit, year, quarter, every indicator): they type numbers only;
    rows left empty are skipped with a warning, never loaded as 0."""
    path = write_template("activities", tmp_path / "mau.xlsx", registry, unit="so tu phap",
                          period=Period.of_quarter(2025, 3))
    ws = load_workbook(path)["Số liệu"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2) if any(c.value for c in row)]
    assert [r[3] for r in rows] == [m["name"] for m in registry.indicators]
    assert {(r[0], r[1], r[2]) for r in rows} == {("Sở Tư pháp", 2025, 3)} and all(r[4] is None for r in rows)
    wb = load_workbook(path)
    wb["Số liệu"]["E2"], wb["Số liệu"]["E3"] = 12, "3"  # a number, and a number typed as text
    wb.save(path)
    parsed = read_file(load_con, "mau.xlsx", path.read_bytes())
    assert parsed.errors == []
    assert sorted((a.unit_code, a.year, a.quarter, a.metric_code, a.value) for a in parsed.batch.activities) == [
        ("so_tu_phap", 2025, 3, "bao_dai", 3.0), ("so_tu_phap", 2025, 3, "tin_bai", 12.0)]
    assert len(parsed.warnings) == len(rows) - 2 and all("ô trống" in w.message for w in parsed.warnings)


@pytest.mark.parametrize("period, cell, span", [
    (Period.month(2025, 8), "Tháng 8", (8, 8)), (Period.half(2025, 1), "6 tháng đầu năm", (1, 6)),
    (Period.half(2025, 2), "6 tháng cuối năm", (7, 12)), (Period.to_month(2025, 9), "9 tháng", (1, 9)),
    (Period.whole_year(2025), "Cả năm", (1, 12))])
def test_a_template_for_a_month_six_months_nine_months_or_the_year_loads_back_as_that_period(
        tmp_path, registry, load_con, period, cell, span):
    """Units of a department report monthly, others by six months or the year: the "Kỳ" column says so, from a
    list, and the filled template loads back as a value of that span (not of a quarter)."""
    path = write_template("activities", tmp_path / "mau.xlsx", registry, unit="Sở Tư pháp", period=period)
    wb = load_workbook(path)
    ws = wb["Số liệu"]
    assert ws["C1"].value == "Kỳ" and ws["C2"].value == cell
    assert cell in [c.value for c in wb["Danh mục"]["C"]]  # one of the list's choices
    ws["E2"] = 7
    wb.save(path)
    parsed = read_file(load_con, "mau.xlsx", path.read_bytes())
    assert parsed.errors == []
    assert [(s.year, s.month_from, s.month_to, s.value) for s in parsed.batch.spans] == [(2025, *span, 7.0)]
    assert parsed.batch.activities == []


def test_targets_template_prefilled_for_a_unit_is_the_annual_plan(tmp_path, registry):
    path = write_template("targets", tmp_path / "kh.xlsx", registry, unit="Sở Y tế", period=Period.of_quarter(2026, 2))
    first = [c.value for c in load_workbook(path)["Số liệu"][2]]
    assert first[:3] == ["Sở Y tế", 2026, None]  # no quarter: the year's plan


def test_prefill_refuses_unknown_unit_and_index_templates(tmp_path, registry):
    with pytest.raises(TemplateError, match="không nhận ra đơn vị “So Tu Phapp X”; gần nhất: Sở Tư pháp"):
        write_template("activities", tmp_path / "x.xlsx", registry, unit="So Tu Phapp X")
    with pytest.raises(TemplateError, match="không điền sẵn"):
        write_template("indices", tmp_path / "x.xlsx", registry, unit="Sở Tư pháp")
    with pytest.raises(TemplateError, match="cần đơn vị"):
        write_template("activities", tmp_path / "x.xlsx", registry, period=Period.of_quarter(2025, 3))
    assert not (tmp_path / "x.xlsx").exists()


def test_unknown_kind(tmp_path, registry):
    with pytest.raises(TemplateError, match="loại mẫu “plan” không hợp lệ"):
        write_template("plan", tmp_path / "x.xlsx", registry)
