"""The written report as a Word document, laid out in the agency's template (data/mau_bao_cao.docx by default).

The template holds the letterhead, styles, margins and the signature block per Nghị định 30/2020/NĐ-CP; its
fields in double braces are filled here (a field the agency replaced by its own words is simply not found):
    {{CO_QUAN_CHU_QUAN}} {{CO_QUAN}} {{KY_HIEU}} {{DIA_DANH_NGAY}} {{TRICH_YEU}} {{KINH_GUI}} {{NOI_DUNG}}
    {{NOI_NHAN}} {{QUYEN_HAN_KY}} {{CHUC_VU_KY}} {{NGUOI_KY}} {{MAU}}
The paragraph holding {{NOI_DUNG}} becomes the body: "I. Kết quả thực hiện" with the table of every indicator,
"II. Tồn tại, hạn chế", "III. Phương hướng, nhiệm vụ kỳ tới". A paragraph whose only field is empty ("Kính gửi"
where none is set) is removed. Sample data put "DỮ LIỆU MẪU" in the header of every page ({{MAU}}), and in the
body's first line when the agency's template has no such field. Parts the clerk writes are italic and
highlighted. Text is Times New Roman throughout (14 pt; 12 pt in the table).

    data = report_docx(written_report.draft(con, "2025-Q3"))          # bytes of the .docx
"""
from __future__ import annotations

import copy
import io
import re
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from dashboard import fmt
from dashboard.written_report import SAMPLE_MARK, Note, WrittenReport

TEMPLATE = Path(__file__).resolve().parent.parent / "data" / "mau_bao_cao.docx"
FONT = "Times New Roman"
FIELD_RE = re.compile(r"\{\{([A-Z_]+)\}\}")
STYLES = {"section": "CCHC Mục", "body": "CCHC Đoạn", "table": "CCHC Bảng", "note": "CCHC Ghi chú"}
TABLE_HEAD = ("TT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch năm", None, "Lũy kế từ đầu năm", "Tỷ lệ % so với kế hoạch năm")
TABLE_WIDTHS_CM = (1.0, 5.5, 1.6, 1.7, 1.8, 1.8, 1.6)


class TemplateFieldError(ValueError):
    """A template without the body's place ({{NOI_DUNG}}): the message says how to fix it."""


# --- fields -----------------------------------------------------------------------------------------------------

def _fields(report: WrittenReport) -> dict[str, str]:
    h = report.head
    return {"CO_QUAN_CHU_QUAN": h.parent, "CO_QUAN": h.issuer, "KY_HIEU": h.symbol, "DIA_DANH_NGAY": h.place_date,
            "TRICH_YEU": h.title, "KINH_GUI": h.recipient or "", "QUYEN_HAN_KY": h.authority,
            "CHUC_VU_KY": h.signer_title, "NGUOI_KY": h.signer.text if isinstance(h.signer, Note) else h.signer,
            "MAU": SAMPLE_MARK if report.sample else ""}


def _fill(paragraph, values: dict[str, str]) -> str | None:
    """Replace the fields of a paragraph (Word may split a field over several runs: the text is joined into the
    first run, which keeps its formatting). Returns None without fields, 'empty' when every field was empty and
    nothing but a label is left ('Kính gửi:'), else 'filled'."""
    runs = paragraph.runs
    text = "".join(r.text for r in runs)
    names = FIELD_RE.findall(text)
    if not names:
        return None
    runs[0].text = FIELD_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    for r in runs[1:]:
        r.text = ""
    literal = FIELD_RE.sub("", text).strip().rstrip(":").strip()
    empty = all(not values.get(n, "x") for n in names) and literal in ("", "Kính gửi")
    return "empty" if empty else "filled"


def _paragraphs(container):
    """Every paragraph of a document part, tables' cells included."""
    for p in container.paragraphs:
        yield p
    for t in container.tables:
        for row in t.rows:
            for cell in row.cells:
                yield from _paragraphs(cell)


def _remove(paragraph) -> None:
    """Take a paragraph out; the last one of a table cell is emptied instead (a cell needs one)."""
    parent = paragraph._p.getparent()
    if parent.tag == qn("w:tc") and len(parent.findall(qn("w:p"))) == 1:
        for r in paragraph.runs:
            r.text = ""
        return
    parent.remove(paragraph._p)


# --- writing ------------------------------------------------------------------------------------------------------

def set_font(obj, size: float | None = None, bold=None, italic=None) -> None:
    """Times New Roman on a run or a style, for every script (Latin, East Asian, complex), and its size and weight."""
    obj.font.name = FONT
    rpr = (obj._r if hasattr(obj, "_r") else obj.element).get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size:
        obj.font.size = Pt(size)
    if bold is not None:
        obj.font.bold = bold
    if italic is not None:
        obj.font.italic = italic


class _Body:
    """Paragraphs and tables inserted, in order, before the {{NOI_DUNG}} paragraph."""

    def __init__(self, doc, marker):
        self.doc, self.marker = doc, marker
        names = {s.name for s in doc.styles}
        self.style = {k: (v if v in names else None) for k, v in STYLES.items()}

    def paragraph(self, text: str | Note, kind: str = "body", size: float = 14):
        p = self.doc.add_paragraph(style=self.style.get(kind) or self.style["body"])
        self.marker._p.addprevious(p._p)
        if kind != "table":
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = Cm(1)
            p.paragraph_format.space_after = Pt(6)
        note = isinstance(text, Note)
        run = p.add_run(f"({text.text})" if note else text)
        set_font(run, size, bold=kind == "section")
        if note:
            _mark_note(run)
        return p

    def lines(self, items) -> None:
        for item in items:
            self.paragraph(item, "note" if isinstance(item, Note) else "body")

    def table(self, report: WrittenReport) -> None:
        self.paragraph(report.table_title, "section", 13).alignment = WD_ALIGN_PARAGRAPH.CENTER
        heads = [h if h else report.result_head for h in TABLE_HEAD]
        t = self.doc.add_table(rows=1, cols=len(heads))
        self.marker._p.addprevious(t._tbl)
        _grid(t)
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(t.rows[0].cells, heads):
            _cell(cell, text, self.style["table"], bold=True, center=True)
        _repeat_header(t.rows[0])
        for r in report.table:
            cells = t.add_row().cells
            show = fmt.rate if r.kind == "rate" else fmt.auto
            values = [fmt.number(r.no), r.name, r.unit, show(r.plan), show(r.result), show(r.cumulative),
                      fmt.percent(r.percent)]
            for i, (cell, text) in enumerate(zip(cells, values)):
                _cell(cell, text, self.style["table"], center=i in (0, 2), right=i >= 3)
        fixed_widths(t, TABLE_WIDTHS_CM)
        note = self.paragraph("Tỷ lệ % so với kế hoạch năm: lũy kế từ đầu năm chia cho kế hoạch năm; chỉ tiêu tỷ lệ: "
                              "kết quả trong kỳ so với tỷ lệ kế hoạch. “–”: chưa có số liệu.", "table", 11)
        note.runs[0].font.italic = True
        note.paragraph_format.space_after = Pt(6)


def _mark_note(run) -> None:
    """A part the clerk writes: italic, highlighted."""
    run.font.italic = True
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _cell(cell, text: str, style: str | None, bold=False, center=False, right=False) -> None:
    p = cell.paragraphs[0]
    if style:
        p.style = style
    p.paragraph_format.first_line_indent = Cm(0)
    p.paragraph_format.space_after = Pt(0)
    p.alignment = (WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.RIGHT if right
                   else WD_ALIGN_PARAGRAPH.LEFT)
    set_font(p.add_run(text), 12, bold=bold)


def fixed_widths(table, cm) -> None:
    """Fixed column widths that Word and LibreOffice both keep: the grid, each cell, a fixed layout."""
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), cm):
        col.set(qn("w:w"), str(int(w * 567)))  # twips
    for row in table.rows:
        for cell, w in zip(row.cells, cm):
            cell.width = Cm(w)


def _grid(table) -> None:
    """Single black borders on every cell (no dependence on a table style the agency's template may lack)."""
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        for k, v in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            el.set(qn(k), v)
        borders.append(el)
    tblpr.append(borders)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _list_field(paragraph, lines: list[str]) -> None:
    """A paragraph whose field stands for several lines (Nơi nhận): one copy of it per line."""
    for text in lines:
        clone = copy.deepcopy(paragraph._p)
        paragraph._p.addprevious(clone)
        from docx.text.paragraph import Paragraph

        p = Paragraph(clone, paragraph._parent)
        runs = p.runs
        runs[0].text = text
        for r in runs[1:]:
            r.text = ""
    _remove(paragraph)


# --- the document -------------------------------------------------------------------------------------------------

def report_docx(report: WrittenReport, template: Path | str | None = None) -> bytes:
    path = Path(template) if template else TEMPLATE
    doc = Document(str(path))
    values = _fields(report)
    marker = next((p for p in _paragraphs(doc) if "{{NOI_DUNG}}" in "".join(r.text for r in p.runs)), None)
    if marker is None:
        raise TemplateFieldError(f"mẫu “{path.name}” không có ô {{{{NOI_DUNG}}}} — thêm một đoạn chỉ gồm "
                                 "{{NOI_DUNG}} vào chỗ đặt nội dung báo cáo (xem README, mục báo cáo bằng văn bản)")
    noi_nhan = next((p for p in _paragraphs(doc) if "{{NOI_NHAN}}" in "".join(r.text for r in p.runs)), None)
    if noi_nhan is not None:
        _list_field(noi_nhan, report.head.recipients)
    has_mark = False
    parts = [doc] + [s.header for s in doc.sections] + [s.first_page_header for s in doc.sections]
    for part in parts:
        for p in list(_paragraphs(part)):
            if p is marker or "{{NOI_DUNG}}" in p.text:
                continue
            has_mark |= "{{MAU}}" in p.text
            to_write = "{{NGUOI_KY}}" in p.text and isinstance(report.head.signer, Note)
            state = _fill(p, values)
            if state == "empty" and part is doc:
                _remove(p)
            elif to_write:
                _mark_note(p.runs[0])
    _body(doc, marker, report, sample_line=report.sample and not has_mark)
    _remove(marker)
    doc.core_properties.title = f"Báo cáo {report.head.title[0].lower()}{report.head.title[1:]}"
    doc.core_properties.subject = report.period.label
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _body(doc, marker, report: WrittenReport, sample_line: bool) -> None:
    body = _Body(doc, marker)
    if sample_line:
        p = body.paragraph(SAMPLE_MARK, "section", 12)
        p.runs[0].font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
    body.lines(report.opening)
    body.paragraph("I. KẾT QUẢ THỰC HIỆN", "section")
    body.paragraph("1. Kết quả thực hiện các chỉ tiêu", "section")
    body.lines(report.results)
    body.table(report)
    body.paragraph("2. Thực hiện các nhiệm vụ của kế hoạch", "section")
    body.lines(report.tasks_done + report.tasks_late)
    body.paragraph("II. TỒN TẠI, HẠN CHẾ", "section")
    body.lines(report.shortfalls)
    body.paragraph("III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", "section")
    body.lines(report.next_steps)
    closing = body.paragraph(f"Trên đây là báo cáo kết quả công tác thông tin, tuyên truyền cải cách hành chính "
                             f"{report.period.phrase} của {report.head.issuer_name}./.")
    closing.paragraph_format.space_after = Pt(12)
