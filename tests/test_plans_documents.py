"""Plans as they arrive: .docx (built here with python-docx, letterhead and appendix table), the PDF that
LibreOffice makes of it (text layer), a page of that PDF rendered to PNG and OCR'd, and a scanned PDF
(image only, no text layer). The slow parts (LibreOffice, tesseract) run once per module."""
from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt

from conftest import require_tool
from loaders.plans import extract_plan
from loaders.registry.registries import Registry
from core.text import fold, strip_diacritics

PLANS = Path(__file__).resolve().parents[2] / "shared" / "plans"
SON_LA = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_bql_kcn_son_la.txt"
SOC_TRANG = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_so_xay_dung_soc_trang.txt"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("plans_documents")]
_ITEM = re.compile(r"^(?:[IVX]+\.|\d+\.|[a-zđ]\)|\(\d+\)|[-+])\s")


def _paragraphs(text: str) -> list:
    """The sample text as Word would hold it: whole paragraphs (wrapped lines joined) and table rows."""
    out, cur = [], []
    for raw in text.splitlines():
        if "\t" in raw:
            if cur:
                out.append(" ".join(cur))
                cur = []
            out.append(raw.split("\t"))
            continue
        line = re.sub(r"^#+\s*", "", raw).replace("**", "").replace("*", "").strip()
        if not line or line.isdigit():
            continue
        if cur and (_ITEM.match(line) or line.isupper() or cur[-1].isupper() or line.startswith("Căn cứ")
                    or re.search(r"[.:;]$", cur[-1]) and not line[0].islower()):
            out.append(" ".join(cur))
            cur = []
        cur.append(line)
    if cur:
        out.append(" ".join(cur))
    return out


def build_docx(text: str, path: Path, letterhead: str) -> Path:
    doc = Document()
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(13)
    head = doc.add_table(rows=1, cols=2)
    head.cell(0, 0).text = letterhead
    head.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    widths = [Cm(1.2), Cm(6.8), Cm(3.0), Cm(3.2), Cm(2.6)]
    table = None
    for item in _paragraphs(text):
        if isinstance(item, list):  # an appendix row; the header repeated in the text is written once
            if table is None:
                table = doc.add_table(rows=0, cols=len(item))
                table.style = "Table Grid"
                table.autofit = False
                for k, col in enumerate(table.columns):
                    col.width = widths[k]
            elif item[0].strip() == "STT":
                continue
            cells = table.add_row().cells
            for k, value in enumerate(item):
                cells[k].text = value.strip()
                cells[k].width = widths[k]
                for run in cells[k].paragraphs[0].runs:
                    run.font.size = Pt(11)
            continue
        table = None
        if item.startswith("PHỤ LỤC"):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        p = doc.add_paragraph(item)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if item.isupper() else WD_ALIGN_PARAGRAPH.JUSTIFY
    doc.save(path)
    return path


@pytest.fixture(scope="module")
def registry():
    return Registry.from_data_dir()


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("plans")
    return {
        "soc_trang": build_docx(SOC_TRANG.read_text(encoding="utf-8"), tmp / "soc_trang.docx",
                                "UBND TỈNH SÓC TRĂNG\nSỞ XÂY DỰNG\nSố: 25/KH-SXD"),
        "son_la": build_docx(SON_LA.read_text(encoding="utf-8"), tmp / "son_la.docx",
                             "UBND TỈNH SƠN LA\nBAN QUẢN LÝ CÁC KHU CÔNG NGHIỆP\nSố: 120/KH-BQL"),
    }


@pytest.fixture(scope="module")
def pdfs(docs, tmp_path_factory) -> dict[str, Path]:
    """Both documents converted by one LibreOffice run (HOME in a temporary directory)."""
    office = require_tool("soffice", "libreoffice")
    out = tmp_path_factory.mktemp("pdf")
    home = tmp_path_factory.mktemp("home")
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, docs.values())],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(home)})
    return {k: out / f"{k}.pdf" for k in docs}


def page_with(pdf: Path, words: str) -> int:
    """1-based number of the first page whose text layer holds `words`."""
    for k, page in enumerate(pypdf.PdfReader(pdf).pages, start=1):
        if words in " ".join(page.extract_text().split()):
            return k
    raise AssertionError(f"{words!r} is on no page of {pdf}")


def render(pdf: Path, page: int, out: Path) -> Path:
    require_tool("pdftoppm")
    require_tool("tesseract")  # every render here is read back by OCR
    subprocess.run(["pdftoppm", "-r", "300", "-f", str(page), "-l", str(page), "-png", str(pdf), str(out)],
                   check=True, capture_output=True, timeout=120)
    return sorted(out.parent.glob(out.name + "*.png"))[-1]


def check_soc_trang_tasks(plan, n_table=5):
    table = [t for t in plan.tasks if t.origin == "table"]
    assert len(table) == n_table
    assert [t.schedule.kind for t in table] == ["month", "quarter", "regular", "month_range", "on_request"][:n_table]
    first = table[0]
    assert strip_diacritics(first.lead.text) == "Van phong So Xay dung" and first.lead.code is None
    assert first.schedule.months == (3,) and first.schedule.year == 2025
    assert fold(first.content).startswith("tuyen truyen thong tin ve chi so cchc cua so xay dung")  # OCR: 'CCHC_'
    assert table[1].schedule.quarters == (2,)
    assert table[3].schedule.months == (6, 7, 8, 9)
    assert [strip_diacritics(p.text) for p in table[2].partners] == ["Cac phong, don vi thuoc So Xay dung"]


# --- .docx ---------------------------------------------------------------------------------------------------
def test_docx_soc_trang(docs, registry):
    plan = extract_plan(docs["soc_trang"], None, registry)
    assert plan.source == "docx" and plan.file_name == "soc_trang.docx"
    assert (plan.organisation, plan.year, plan.organisation_code) == ("Sở Xây dựng tỉnh Sóc Trăng", 2025, "so_xay_dung")
    assert [(t.code, t.value, t.unit) for t in plan.targets] == [("ty_le_nam_vung", 80.0, "%")]
    check_soc_trang_tasks(plan)
    table = [t for t in plan.tasks if t.origin == "table"]
    assert table[4].when == "Khi Sở Nội vụ có yêu cầu phối hợp"
    assert table[0].partners[0].text == "Toàn thể công chức, viên chức, nhân viên thuộc Sở Xây dựng"
    assert (plan.number, plan.symbol, plan.reference) == ("25", "KH-SXD", "Kế hoạch số 25/KH-SXD tháng 3/2025")


def test_docx_son_la_from_bytes(docs, registry):
    data = docs["son_la"].read_bytes()
    plan = extract_plan(data, "ke_hoach.docx", registry)
    assert (plan.organisation, plan.year, plan.province) == ("Ban Quản lý các khu công nghiệp tỉnh Sơn La", 2025,
                                                             "Sơn La")
    assert [(t.code, t.value, t.unit) for t in plan.targets] == [("ban_tin", 4.0, "số/tháng")]
    assert [(t.lead.text, t.schedule.kind) for t in plan.tasks] == [
        ("Trưởng các phòng và đơn vị trực thuộc Ban quản lý", "year"), ("Văn phòng", "year"),
        ("Công chức, viên chức", "year")]
    assert (plan.number, plan.symbol) == ("120", "KH-BQL")  # from the letterhead of the Word table


# --- PDF with a text layer ---------------------------------------------------------------------------------
def test_pdf_text_layer(pdfs, registry):
    plan = extract_plan(pdfs["soc_trang"], None, registry)
    assert plan.source == "pdf"
    assert (plan.organisation, plan.year) == ("Sở Xây dựng tỉnh Sóc Trăng", 2025)
    assert [(t.code, t.value, t.unit) for t in plan.targets] == [("ty_le_nam_vung", 80.0, "%")]
    assert [(t.value, t.unit) for t in plan.unrecognised] == [(100.0, "%")]
    check_soc_trang_tasks(plan)
    table = [t for t in plan.tasks if t.origin == "table"]
    assert strip_diacritics(table[4].content).endswith("chuyen de cai cach hanh chinh So Noi vu.")

    son_la = extract_plan(pdfs["son_la"], None, registry)
    assert son_la.organisation == "Ban Quản lý các khu công nghiệp tỉnh Sơn La"
    assert [(t.code, t.value, t.unit, t.annual_value()) for t in son_la.targets] == [("ban_tin", 4.0, "số/tháng", 48)]
    assert [p.text for p in son_la.tasks[1].partners] == ["phòng chuyên môn, đơn vị trực thuộc"]


# --- OCR -------------------------------------------------------------------------------------------------------
def test_ocr_of_a_rendered_page_finds_its_targets(pdfs, registry, tmp_path):
    page = page_with(pdfs["soc_trang"], "80% công chức")
    png = render(pdfs["soc_trang"], page, tmp_path / "trang")
    plan = extract_plan(png, None, registry)
    assert plan.source == "image"
    assert [(t.code, t.value, t.unit) for t in plan.targets] == [("ty_le_nam_vung", 80.0, "%")]
    assert [(t.value, t.unit) for t in plan.unrecognised] == [(100.0, "%")]
    assert plan.year == 2025 and any("OCR" in w for w in plan.warnings)


def test_ocr_of_the_appendix_page_finds_its_tasks(pdfs, registry, tmp_path):
    page = page_with(pdfs["soc_trang"], "PHỤ LỤC")
    png = render(pdfs["soc_trang"], page, tmp_path / "phu_luc")
    plan = extract_plan(png.read_bytes(), "phu_luc.png", registry)
    check_soc_trang_tasks(plan)


def test_scanned_pdf_is_ocrd(pdfs, registry, tmp_path):
    """A PDF of page images (no text layer): the page is rasterised with pdftoppm and read by tesseract."""
    from PIL import Image

    page = page_with(pdfs["son_la"], "04 số/tháng")
    png = render(pdfs["son_la"], page, tmp_path / "scan")
    buf = io.BytesIO()
    Image.open(png).convert("L").save(buf, format="PDF", resolution=300)
    assert not pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages[0].extract_text().strip()
    plan = extract_plan(buf.getvalue(), "ban_scan.pdf", registry)
    assert plan.source == "pdf+ocr"
    assert [(t.code, t.value, t.unit) for t in plan.targets] == [("ban_tin", 4.0, "số/tháng")]
    # the page ends within III. TỔ CHỨC THỰC HIỆN: its tasks are the key's first ones, each with its lead
    expected = [("group", "phong_don_vi"), ("own_office", None), ("issuer", "bql_kcn")]
    got = [(u.kind, u.code) for t in plan.tasks for u in t.leads]
    assert got and got == expected[:len(got)], got
