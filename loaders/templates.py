"""Excel templates in the tidy form, with Vietnamese headers, an instructions sheet ("Hướng dẫn")
and dropdowns for units and indicators (lists on a hidden sheet "Danh mục").

A filled template loads back through `loaders.layouts.tidy` (the headers below are its column names). Given a unit (and a
period), the activities and targets templates come pre-filled: one row per indicator with the unit, year and
quarter written in, so a unit's staff only type their numbers.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.matching import MatchError
from core.periods import Period
from core.rules import YEAR_MAX, YEAR_MIN, unit_active
from core.text import text_cell
from loaders.registry.registries import Registry

TEMPLATE_KINDS = ("activities", "targets", "indices")
DATA_SHEET = "Số liệu"
HELP_SHEET = "Hướng dẫn"
LIST_SHEET = "Danh mục"
ROWS = 2000  # rows covered by the dropdowns

# (header, width, what it holds); headers are tidy.COLUMNS names
HEADERS = {
    "activities": [("Đơn vị", 38, "unit"), ("Năm", 8, "year"), ("Kỳ", 16, "quarter"), ("Chỉ tiêu", 60, "indicator"),
                   ("Kết quả thực hiện", 18, "value"), ("Ghi chú", 30, "note")],
    "targets": [("Đơn vị", 38, "unit"), ("Năm", 8, "year"), ("Quý (để trống nếu là kế hoạch cả năm)", 16, "quarter"),
                ("Chỉ tiêu", 60, "indicator"), ("Kế hoạch", 14, "value"), ("Ghi chú", 30, "note")],
    "indices": [("Chỉ số", 10, "index"), ("Năm", 8, "year"), ("Tỉnh/đơn vị", 30, "entity"),
                ("Thành phần (để trống nếu là điểm tổng)", 40, "component"), ("Điểm", 10, "score"),
                ("Xếp hạng", 10, "rank"), ("Nguồn", 50, "source"), ("Ghi chú", 30, "note")],
}
TITLES = {
    "activities": "MẪU NHẬP KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH THEO KỲ (QUÝ, THÁNG, 6 THÁNG, NĂM)",
    "targets": "MẪU NHẬP KẾ HOẠCH (CHỈ TIÊU) CẢI CÁCH HÀNH CHÍNH",
    "indices": "MẪU NHẬP KẾT QUẢ CÁC CHỈ SỐ (PAR INDEX, SIPAS, PAPI, PCI, DTI, DDCI)",
}

_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_HEAD_FONT = Font(bold=True, color="FFFFFF")
_THIN = Side(style="thin", color="9E9E9E")


class TemplateError(ValueError):
    """A template that cannot be written (unknown kind, unwritable path)."""


def _instructions(kind: str, registry: Registry) -> list[list[str]]:
    common = [
        [TITLES[kind]],
        [],
        ["Cách dùng"],
        ["1. Nhập số liệu ở trang “Số liệu”: mỗi dòng là một số liệu. Không đổi tên, không xóa, không chèn cột."],
        ["2. Chọn Đơn vị và Chỉ tiêu trong danh sách thả xuống (bấm vào ô, chọn mũi tên)."],
        ["3. Số viết như thường lệ: 1.250 là một nghìn hai trăm năm mươi; 88,5 là tám mươi tám phẩy năm."],
        ["4. Lưu tệp dạng Excel (.xlsx) rồi tải lên trang Tải lên, hoặc: python -m loaders load TỆP."],
        ["5. Tệp có lỗi sẽ không được nạp; danh sách lỗi ghi rõ trang tính, dòng, cột để sửa rồi gửi lại."],
        [],
    ]
    if kind == "activities":
        rules = [
            ["Các cột"],
            ["Đơn vị: tên đơn vị báo cáo (chọn trong danh sách)."],
            ["Năm: năm báo cáo, ví dụ 2025.  Kỳ: quý 1, 2, 3 hoặc 4 (có thể ghi I, II, III, IV); báo cáo tháng ghi "
             "“Tháng 8”; báo cáo 6 tháng ghi “6 tháng đầu năm” hoặc “6 tháng cuối năm”; “9 tháng”; báo cáo năm ghi "
             "“Cả năm” (chọn trong danh sách thả xuống)."],
            ["Chỉ tiêu: chọn trong danh sách (bảng dưới đây)."],
            ["Kết quả thực hiện: số của RIÊNG kỳ đó (không ghi số lũy kế). Số lượng là số nguyên từ 0 trở lên; "
             "tỷ lệ ghi theo phần trăm từ 0 đến 100 (ví dụ 95 hoặc 95%)."],
            ["Mỗi đơn vị – kỳ – chỉ tiêu chỉ ghi một dòng."],
            ["Ví dụ: Sở Tư pháp | 2025 | 3 | Tin, bài về CCHC trên Cổng/Trang thông tin điện tử | 12"],
        ]
    elif kind == "targets":
        rules = [
            ["Các cột"],
            ["Đơn vị: tên đơn vị (chọn trong danh sách).  Năm: năm kế hoạch, ví dụ 2025."],
            ["Quý: để trống nếu là kế hoạch cả năm; ghi 1–4 nếu là kế hoạch riêng của quý đó."],
            ["Chỉ tiêu: chọn trong danh sách.  Kế hoạch: số lượng phải đạt (số nguyên) hoặc tỷ lệ phải đạt (0–100)."],
            ["Kế hoạch cả năm của chỉ tiêu số lượng được chia đều cho 4 quý khi so sánh; của chỉ tiêu tỷ lệ thì giữ nguyên."],
            ["Ví dụ: Sở Tư pháp | 2025 | (trống) | Tin, bài về CCHC trên Cổng/Trang thông tin điện tử | 40"],
        ]
    else:
        rules = [
            ["Các cột"],
            ["Chỉ số: PAR, SIPAS, PAPI, PCI, DTI hoặc DDCI.  Năm: năm đánh giá (không phải năm công bố)."],
            ["Tỉnh/đơn vị: tên tỉnh, thành phố (chỉ số cấp tỉnh) hoặc tên đơn vị (chỉ số nội bộ như DDCI)."],
            ["Thành phần: để trống cho điểm tổng; ghi tên lĩnh vực / chỉ số thành phần cho điểm thành phần."],
            ["Điểm: theo thang của chỉ số (PAR, SIPAS 0–100; PAPI đến 80; PCI 0–100; DTI 0–1).  Xếp hạng: số nguyên, "
             "có thể ghi 12/63."],
            ["Nguồn: bắt buộc nên ghi — đường dẫn hoặc văn bản công bố (ví dụ QĐ 268/QĐ-BNV ngày 28/3/2025)."],
            ["Ví dụ: PCI | 2024 | Đắk Lắk | (trống) | 65,5 | 40 | pcivietnam.vn"],
        ]
    out = common + rules + [[]]
    if kind in ("activities", "targets"):
        out.append(["Danh mục chỉ tiêu", "Loại", "Đơn vị tính", "Mã"])
        for m in registry.indicators:
            out.append([m["name"], "tỷ lệ (%)" if m["kind"] == "rate" else "số lượng", m.get("unit") or "", m["code"]])
    else:
        out.append(["Chỉ số", "Tên", "Thang điểm", "Thành phần"])
        for i in registry.indices:
            comps = "; ".join(c["name"] for c in registry.components if c["index_code"] == i["code"])
            out.append([i["code"], i["name"], f"{i['scale_min']}–{i['scale_max']}", comps])
    out += [[], [f"Mẫu tạo ngày {dt.date.today():%d/%m/%Y} từ danh mục hiện hành."]]
    return out


def _lists(kind: str, registry: Registry, con=None) -> dict[str, list[str]]:
    if kind in ("activities", "targets"):
        today = dt.date.today()
        units = [u["name"] for u in registry.units if unit_active(u.get("valid_from"), u.get("valid_to"), today, today)]
        return {"Đơn vị": units, "Chỉ tiêu": [m["name"] for m in registry.indicators], "Kỳ": PERIOD_CELLS}
    entities = []
    if con is not None:
        try:
            entities = [r[0] for r in con.execute(
                "SELECT name FROM entity WHERE kind IN ('tinh', 'don_vi') ORDER BY kind DESC, name").fetchall()]
        except Exception:  # noqa: BLE001 - no entity table: provinces are typed
            entities = []
    if not entities:
        entities = [u["name"] for u in registry.units]
    comps = []
    for c in registry.components:
        if c["name"] not in comps:
            comps.append(c["name"])
    return {"Chỉ số": [i["code"] for i in registry.indices], "Tỉnh/đơn vị": entities, "Thành phần": comps}


# What the "Kỳ" column offers: the words the tidy form reads (loaders.layouts.tidy), quarters as numbers.
PERIOD_CELLS = (["1", "2", "3", "4"] + [f"Tháng {m}" for m in range(1, 13)]
                + ["6 tháng đầu năm", "6 tháng cuối năm", "9 tháng", "Cả năm"])


def period_cell(period: Period) -> int | str:
    """How the "Kỳ" column writes a period: 3 (a quarter), 'Tháng 8', '6 tháng đầu năm', '9 tháng', 'Cả năm'."""
    if period.is_quarter:
        return period.quarter.quarter
    words = {"month": f"Tháng {period.first}", "half": f"6 tháng {'đầu' if period.first == 1 else 'cuối'} năm",
             "nine_months": "9 tháng", "year": "Cả năm"}
    if period.kind not in words:
        raise TemplateError(f"kỳ {period.label} không có trong mẫu — chọn tháng, quý, 6 tháng, 9 tháng hoặc cả năm")
    return words[period.kind]


def prefilled_rows(kind: str, registry: Registry, unit: str, period: Period | None = None) -> list[list]:
    """One row per indicator of the catalog for `unit` (a code or a name typed loosely): unit, year, period,
    indicator, and the value left empty. TemplateError (with the closest units) when the unit is unknown."""
    try:
        code = registry.unit_matcher.match(unit).code
    except MatchError as exc:
        raise TemplateError(exc.message("đơn vị")) from exc
    name = registry.unit(code)["name"]
    year = period.year if period else None
    # a targets row without a quarter is the annual plan
    when = period_cell(period) if period and kind == "activities" else None
    return [[name, year, when, m["name"], None, None] for m in registry.indicators]


def build_template(kind: str, registry: Registry, con=None, unit: str | None = None,
                   period: Period | None = None) -> Workbook:
    """The template for `kind` (activities | targets | indices); with `unit` (and `period`), pre-filled with that
    unit's rows."""
    if kind not in TEMPLATE_KINDS:
        raise TemplateError(f"loại mẫu “{kind}” không hợp lệ — cần một trong: {', '.join(TEMPLATE_KINDS)}")
    if (unit or period) and kind == "indices":
        raise TemplateError("mẫu kết quả chỉ số không điền sẵn theo đơn vị hay kỳ — bỏ --unit/--period")
    if period and not unit:
        raise TemplateError("mẫu điền sẵn cần đơn vị: thêm --unit cùng với --period")
    rows = prefilled_rows(kind, registry, unit, period) if unit else []
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    headers = HEADERS[kind]
    for i, (text, width, _) in enumerate(headers, start=1):
        cell = ws.cell(1, i, text)
        cell.fill, cell.font = _HEAD_FILL, _HEAD_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            text_cell(ws.cell(r, c), value)  # a unit or indicator name is text, never a formula
    for r in range(2, len(rows) + 2):
        ws.cell(r, 4).alignment = Alignment(wrap_text=True, vertical="top")

    help_ws = wb.create_sheet(HELP_SHEET)
    for r, row in enumerate(_instructions(kind, registry), start=1):
        for c, value in enumerate(row, start=1):
            text_cell(help_ws.cell(r, c), value)
    help_ws["A1"].font = Font(bold=True, size=13)
    for r in range(1, help_ws.max_row + 1):
        if help_ws.cell(r, 1).value in ("Cách dùng", "Các cột", "Danh mục chỉ tiêu", "Chỉ số") and help_ws.cell(r, 2).value in (None, "Loại", "Tên"):
            for c in range(1, 5):
                help_ws.cell(r, c).font = Font(bold=True)
    help_ws.column_dimensions["A"].width = 110 if kind != "indices" else 12
    for col, w in (("B", 14 if kind != "indices" else 50), ("C", 14), ("D", 18 if kind != "indices" else 90)):
        help_ws.column_dimensions[col].width = w

    lists = _lists(kind, registry, con)
    list_ws = wb.create_sheet(LIST_SHEET)
    refs = {}
    for i, (title, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(i)
        list_ws.cell(1, i, title)
        for r, v in enumerate(values, start=2):
            text_cell(list_ws.cell(r, i), v)
        refs[title] = f"'{LIST_SHEET}'!${letter}$2:${letter}${max(2, len(values) + 1)}"
    list_ws.sheet_state = "hidden"

    def dropdown(col: int, ref: str, title: str, strict: bool = True):
        dv = DataValidation(type="list", formula1=f"={ref}", allow_blank=True, showDropDown=False,
                            showErrorMessage=strict, errorStyle="stop" if strict else "warning",
                            errorTitle="Giá trị không có trong danh mục",
                            error=f"Hãy chọn {title.lower()} trong danh sách thả xuống.",
                            promptTitle=title, prompt=f"Chọn {title.lower()} trong danh sách", showInputMessage=True)
        ws.add_data_validation(dv)
        letter = get_column_letter(col)
        dv.add(f"{letter}2:{letter}{ROWS + 1}")

    def whole(col: int, lo: int, hi: int, title: str, blank: bool = True):
        dv = DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi), allow_blank=blank,
                            showErrorMessage=True, errorTitle=f"{title} không hợp lệ",
                            error=f"{title} phải là số nguyên từ {lo} đến {hi}.")
        ws.add_data_validation(dv)
        letter = get_column_letter(col)
        dv.add(f"{letter}2:{letter}{ROWS + 1}")

    col_of = {what: i for i, (_, _, what) in enumerate(headers, start=1)}
    whole(col_of["year"], YEAR_MIN, YEAR_MAX, "Năm")
    if kind in ("activities", "targets"):
        dropdown(col_of["unit"], refs["Đơn vị"], "Đơn vị")
        dropdown(col_of["indicator"], refs["Chỉ tiêu"], "Chỉ tiêu")
        if kind == "activities":  # a list, not strict: "III" or "Quý III" are read too
            dropdown(col_of["quarter"], refs["Kỳ"], "Kỳ", strict=False)
        else:
            whole(col_of["quarter"], 1, 4, "Quý")
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="Số liệu không hợp lệ",
                            error="Cần một số từ 0 trở lên (tỷ lệ: 0 đến 100).")
        ws.add_data_validation(dv)
        letter = get_column_letter(col_of["value"])
        dv.add(f"{letter}2:{letter}{ROWS + 1}")
    else:
        dropdown(col_of["index"], refs["Chỉ số"], "Chỉ số")
        dropdown(col_of["entity"], refs["Tỉnh/đơn vị"], "Tỉnh/đơn vị", strict=False)
        dropdown(col_of["component"], refs["Thành phần"], "Thành phần", strict=False)
    return wb


def write_template(kind: str, path, registry: Registry, con=None, unit: str | None = None,
                   period: Period | None = None) -> Path:
    """Write `build_template(...)` to `path` (.xlsx)."""
    wb = build_template(kind, registry, con, unit, period)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
    except OSError as exc:
        raise TemplateError(f"không ghi được tệp “{path}”: {exc.strerror or exc}") from exc
    return path


def template_bytes(kind: str, registry: Registry, con=None, unit: str | None = None,
                   period: Period | None = None) -> bytes:
    """`build_template(...)` as the bytes of an .xlsx file (for a download button)."""
    out = io.BytesIO()
    build_template(kind, registry, con, unit, period).save(out)
    return out.getvalue()
