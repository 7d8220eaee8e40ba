"""Build data/mau_bao_cao.docx: the letterhead template of the written report (python -m dashboard report).

Laid out per Nghị định 30/2020/NĐ-CP (Phụ lục I): A4, margins 20/20/30/15 mm; Times New Roman; the issuing body
(parent body 13 pt, body 13 pt bold) and the national motto (12 pt bold capitals, 13 pt bold) in the two-column
header, each with its short rule; "Số: …/BC-…" and the place and date (13 pt italic) under them; the kind "BÁO CÁO"
and its summary (14 pt bold, a short rule under); the text in 14 pt, justified, first line indented 1 cm; "Nơi
nhận:" (12 pt bold italic) and its list (11 pt) beside the signature block (14 pt bold capitals); the page number
at the top centre from page 2.

The fields in double braces are filled by dashboard.report_docx; an agency replaces this file with its own
letterhead (README, "The written report") and may write its names instead of the fields. Run:
    python scripts/make_report_template.py [OUT]
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from dashboard.report_docx import fixed_widths, set_font  # noqa: E402 - the rules the report's own parts use
OUT = ROOT / "data" / "mau_bao_cao.docx"


def font(style_or_run, size: float, bold: bool = False, italic: bool = False) -> None:
    set_font(style_or_run, size, bold, italic)


def rule_under(paragraph, left_cm: float, right_cm: float) -> None:
    """A short solid line under the paragraph, as long as the text between the indents (NĐ 30's rules)."""
    paragraph.paragraph_format.left_indent = Cm(left_cm)
    paragraph.paragraph_format.right_indent = Cm(right_cm)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)


def line(cell_or_doc, text: str, size: float, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.CENTER,
         style: str | None = None):
    p = cell_or_doc.add_paragraph(style=style) if style else cell_or_doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.first_line_indent, fmt.space_before, fmt.space_after = Cm(0), Pt(0), Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if text:
        font(p.add_run(text), size, bold, italic)
    return p


def no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


def styles(doc) -> None:
    normal = doc.styles["Normal"]
    font(normal, 14)
    pf = normal.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.first_line_indent, pf.space_before, pf.space_after = Cm(1), Pt(0), Pt(6)
    pf.line_spacing = 1.15
    from docx.enum.style import WD_STYLE_TYPE

    for name, size, bold, italic, indent in (("CCHC Mục", 14, True, False, 1), ("CCHC Đoạn", 14, False, False, 1),
                                             ("CCHC Bảng", 12, False, False, 0),
                                             ("CCHC Ghi chú", 14, False, True, 1)):
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        font(st, size, bold, italic)
        st.paragraph_format.first_line_indent = Cm(indent)
        if name == "CCHC Mục":
            st.paragraph_format.keep_with_next = True
            st.paragraph_format.space_before = Pt(6)
        if name == "CCHC Bảng":
            st.paragraph_format.space_after = Pt(0)
            st.paragraph_format.line_spacing = 1.0
            st.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT


def page_number(paragraph) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def headers(section) -> None:
    section.different_first_page_header_footer = True
    first = section.first_page_header.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(first.add_run("{{MAU}}"), 11, bold=True)
    other = section.header.paragraphs[0]
    other.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page_number(other)
    for run in other.runs:
        font(run, 14)
    mark = section.header.add_paragraph()
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(mark.add_run("{{MAU}}"), 11, bold=True)


def build(out: Path = OUT) -> Path:
    doc = Document()
    styles(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    headers(section)

    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    no_borders(head)
    fixed_widths(head, [6.3, 10.2])
    left, right = head.rows[0].cells
    left.paragraphs[0]._p.getparent().remove(left.paragraphs[0]._p)
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)
    line(left, "{{CO_QUAN_CHU_QUAN}}", 13)
    line(left, "{{CO_QUAN}}", 13, bold=True)
    rule_under(line(left, "", 6), 2.0, 2.0)
    line(left, "", 6)
    line(left, "Số: …/BC-{{KY_HIEU}}", 13)
    line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
    line(right, "Độc lập - Tự do - Hạnh phúc", 13, bold=True)
    rule_under(line(right, "", 2), 2.05, 2.05)  # as long as the motto above it
    line(right, "", 6)
    line(right, "{{DIA_DANH_NGAY}}", 13, italic=True)

    line(doc, "", 14)
    line(doc, "BÁO CÁO", 14, bold=True)
    line(doc, "{{TRICH_YEU}}", 14, bold=True)
    rule_under(line(doc, "", 2), 5.75, 5.75)  # a third of the line
    line(doc, "", 8)
    line(doc, "Kính gửi: {{KINH_GUI}}", 14)
    line(doc, "", 8)
    doc.add_paragraph("{{NOI_DUNG}}", style="CCHC Đoạn")

    sign = doc.add_table(rows=1, cols=2)
    no_borders(sign)
    fixed_widths(sign, [8.0, 8.5])
    left, right = sign.rows[0].cells
    left.paragraphs[0]._p.getparent().remove(left.paragraphs[0]._p)
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)
    line(left, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    line(left, "{{NOI_NHAN}}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    line(right, "{{QUYEN_HAN_KY}}", 14, bold=True)
    line(right, "{{CHUC_VU_KY}}", 14, bold=True)
    for _ in range(4):
        line(right, "", 14)
    line(right, "{{NGUOI_KY}}", 14, bold=True)

    doc.core_properties.title = "Mẫu báo cáo kết quả công tác thông tin, tuyên truyền cải cách hành chính"
    doc.core_properties.author = "CCHC Dashboard"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
