"""Real files for the upload tests: report workbooks as units send them, and the bad files people send.

Used by test_page_tai_len, test_roles and test_browser_upload (helpers, not tests)."""
from __future__ import annotations

import io
import os

from openpyxl import Workbook

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DEFAULT_ROWS = (
    ("Tin, bài đăng trên Trang TTĐT của Sở", "41"),
    ("Video, clip về CCHC", 7),
    ("Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "97,5"),
)


def unit_report(unit_line: str = "SỞ TƯ PHÁP", quarter_title: str = "QUÝ III NĂM 2025",
                rows=DEFAULT_ROWS) -> bytes:
    """A unit's quarterly report the way it is typed: letterhead, title, a header row, signatures."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws["A1"] = "UBND TỈNH ĐẮK LẮK"
    ws["D1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    ws["A2"] = unit_line
    ws["D2"] = "Độc lập - Tự do - Hạnh phúc"
    ws["A4"] = f"BÁO CÁO KẾT QUẢ CÔNG TÁC TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH {quarter_title}".strip()
    ws.append([])
    ws.append(["STT", "Nội dung", "Đơn vị tính", "Kết quả thực hiện trong quý", "Ghi chú"])
    for i, (name, value) in enumerate(rows, start=1):
        ws.append([i, name, "", value, ""])
    ws.append([])
    ws.append(["", "NGƯỜI LẬP BIỂU", "", "GIÁM ĐỐC"])
    return _save(wb)


def tidy_csv(rows) -> bytes:
    """The tidy form as CSV: (unit name, year, quarter, indicator, value) per line."""
    lines = ["Đơn vị,Năm,Quý,Chỉ tiêu,Kết quả thực hiện"]
    lines += [",".join(f'"{v}"' if "," in str(v) else str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def empty_workbook() -> bytes:
    return _save(Workbook())


def word_file() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ III NĂM 2025")
    d.add_paragraph("Sở Tư pháp đã đăng 41 tin bài.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def random_bytes(n: int = 20_000) -> bytes:
    return os.urandom(n)


def huge_file(mb: int = 50) -> bytes:
    """A zip-looking file of `mb` megabytes (what a workbook with embedded photos weighs)."""
    return b"PK\x03\x04" + b"\0" * (mb * 1024 * 1024)


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
