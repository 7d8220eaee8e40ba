"""Read a plan file into paragraph and table-row blocks, in document order.

.docx (python-docx: body paragraphs and tables as they come) · .pdf (pypdf text layer in layout mode;
a page without a text layer is rendered and OCR'd) · .png/.jpg/.tif (OCR) · .txt/.md (pasted text,
tab/pipe/aligned tables) · .doc/.odt/.rtf (converted to .docx by LibreOffice when it is installed).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from loaders.plans.layout import PAGE_BREAK, Block, drop_page_furniture, lines_to_blocks
from loaders.plans.model import PlanError
from loaders.plans.textutil import clean

MAX_BYTES = 30 * 1024 * 1024
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
TEXT_EXT = {".txt", ".md", ".text", ".csv", ""}
OFFICE_EXT = {".doc", ".odt", ".rtf"}
MIN_TEXT_CHARS = 40  # a PDF page with fewer letters than this in its text layer is OCR'd
MAX_OCR_PAGES = 40  # about 3 s a page on two cores


@dataclass
class Document:
    blocks: list[Block]
    source: str  # 'docx', 'pdf', 'pdf+ocr', 'image', 'txt'
    ocr_pages: list[int] = field(default_factory=list)
    file_name: str | None = None

    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "para"]

    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


def load_bytes(source, file_name: str | None) -> tuple[bytes, str]:
    """(content, file name) from a path, bytes or a file object; PlanError when missing or unreadable."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), file_name or "plan"
    if hasattr(source, "read"):  # an open file or Streamlit's UploadedFile
        data = source.getvalue() if hasattr(source, "getvalue") else source.read()
        return bytes(data), file_name or getattr(source, "name", None) or "plan"
    path = Path(os.fspath(source))
    if not path.exists():
        raise PlanError(f"không tìm thấy tệp “{path}”")
    if not path.is_file():
        raise PlanError(f"“{path}” không phải là một tệp")
    if path.stat().st_size > MAX_BYTES:
        raise PlanError(f"tệp “{path.name}” quá lớn (trên {MAX_BYTES // 1024 // 1024} MB)")
    try:
        return path.read_bytes(), file_name or path.name
    except OSError as exc:
        raise PlanError(f"không đọc được tệp “{path}”: {exc.strerror or exc}") from exc


def sniff(data: bytes, file_name: str) -> str:
    """'docx' | 'pdf' | 'image' | 'office' | 'txt' from the content first, the extension second."""
    ext = Path(file_name).suffix.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            names = set()
        if "word/document.xml" in names:
            return "docx"
        if "content.xml" in names:
            return "office"
        raise PlanError(f"tệp “{file_name}” là tệp nén nhưng không phải văn bản Word (.docx)")
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or data[:4] in (b"II*\x00", b"MM\x00*") \
            or data[:2] == b"BM" and ext == ".bmp" or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if data.startswith(b"\xd0\xcf\x11\xe0") or data.startswith(b"{\\rtf"):
        return "office"
    if ext in IMAGE_EXT:
        return "image"
    return "txt"


def decode_text(data: bytes, file_name: str) -> str:
    for enc in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise PlanError(f"tệp “{file_name}” không phải văn bản đọc được (.docx, .pdf, ảnh hoặc .txt)")
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise PlanError(f"không đọc được bảng mã chữ của tệp “{file_name}” (hãy lưu lại dạng UTF-8)") from exc


# --- docx --------------------------------------------------------------------------------------------
def _docx_blocks(data: bytes) -> list[Block]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a damaged file
        raise PlanError("không mở được tệp Word (.docx): tệp hỏng hoặc không đúng định dạng") from exc
    blocks: list[Block] = []
    table_no = -1
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def walk(parent):
        nonlocal table_no
        for el in parent.iterchildren():
            if el.tag == w + "p":
                p = Paragraph(el, doc)
                text = p.text
                numbered = el.find(f"{w}pPr/{w}numPr") is not None
                if numbered and text.strip():
                    text = "- " + text  # Word's automatic numbering is not in the text: keep the item boundary
                for part in text.split("\n"):
                    if clean(part):
                        blocks.append(Block("para", clean(part), lines=[part]))
            elif el.tag == w + "tbl":
                table_no += 1
                for row in Table(el, doc).rows:
                    cells, seen = [], set()
                    for cell in row.cells:
                        # A cell merged across columns comes back once per grid column: its text goes in the
                        # first, so every row keeps the grid's width. A cell merged down repeats in each row.
                        cells.append("" if id(cell._tc) in seen else cell.text)
                        seen.add(id(cell._tc))
                    if any(clean(c) for c in cells):
                        blocks.append(Block("row", " | ".join(clean(c) for c in cells), [clean(c) for c in cells],
                                            table_no, lines=[ln for c in cells for ln in c.split("\n")]))
            elif el.tag == w + "sdt":
                content = el.find(w + "sdtContent")
                if content is not None:
                    walk(content)

    walk(doc.element.body)
    return blocks


# --- pdf ---------------------------------------------------------------------------------------------
def _pdf_document(data: bytes) -> Document:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = list(reader.pages)
    except Exception as exc:
        raise PlanError("không mở được tệp PDF: tệp hỏng, có mật khẩu hoặc không đúng định dạng") from exc
    texts: list[list[str] | None] = []
    for page in pages:
        try:
            text = page.extract_text(extraction_mode="layout") or ""
        except Exception:
            text = ""
        letters = sum(ch.isalpha() for ch in text)
        texts.append(text.splitlines() if letters >= MIN_TEXT_CHARS else None)
    need = [k + 1 for k, t in enumerate(texts) if t is None]
    if len(need) > MAX_OCR_PAGES:
        raise PlanError(f"tệp PDF có {len(need)} trang ảnh (bản scan) cần nhận dạng chữ, quá {MAX_OCR_PAGES} trang: "
                        "hãy tải lên riêng phần kế hoạch, hoặc bản .docx/.pdf có lớp chữ")
    ocr = {}
    if need:
        from loaders.plans.ocr import ocr_pdf_pages

        ocr = ocr_pdf_pages(data, need)
    lines: list[str] = []
    for k, t in enumerate(texts):
        page_lines = t if t is not None else ocr.get(k + 1, [])
        if k:
            lines.append(PAGE_BREAK)
        lines += drop_page_furniture(page_lines)
    return Document(lines_to_blocks(lines), "pdf+ocr" if need else "pdf", need)


def _office_to_docx(data: bytes, file_name: str) -> bytes:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        raise PlanError(f"không đọc được “{file_name}”: hãy lưu văn bản dạng .docx hoặc .pdf rồi tải lên lại")
    with tempfile.TemporaryDirectory(prefix="cchc-office-") as tmp:
        src = Path(tmp) / ("plan" + (Path(file_name).suffix.lower() or ".doc"))
        src.write_bytes(data)
        try:
            subprocess.run([office, "--headless", "--convert-to", "docx", "--outdir", tmp, str(src)],
                           capture_output=True, timeout=120, env={**os.environ, "HOME": tmp}, check=True)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise PlanError(f"không chuyển được “{file_name}” sang .docx để đọc") from exc
        out = Path(tmp) / "plan.docx"
        if not out.exists():
            raise PlanError(f"không chuyển được “{file_name}” sang .docx để đọc")
        return out.read_bytes()


_MARKDOWN = re.compile(r"^\s{0,3}#{1,6}\s*|\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")


def _txt_lines(text: str) -> list[str]:
    """Lines of a pasted text; markdown emphasis and heading marks dropped (a '-' or '*' bullet is kept)."""
    out = []
    for line in text.splitlines():
        m = re.match(r"^(\s*)\*(\s+)", line)
        if m:  # '* item' is a bullet
            line = m.group(1) + "-" + m.group(2) + line[m.end():]
        out.append(_MARKDOWN.sub("", line))
    return out


def read_document(source, file_name: str | None = None) -> Document:
    data, name = load_bytes(source, file_name)
    if not data.strip():
        raise PlanError(f"tệp “{name}” trống")
    kind = sniff(data, name)
    if kind == "office":
        data, kind = _office_to_docx(data, name), "docx"
    if kind == "docx":
        doc = Document(_docx_blocks(data), "docx")
    elif kind == "pdf":
        doc = _pdf_document(data)
    elif kind == "image":
        from loaders.plans.ocr import ocr_image_bytes

        suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in IMAGE_EXT else ".png"
        doc = Document(lines_to_blocks(ocr_image_bytes(data, suffix)), "image", [1])
    else:
        doc = Document(lines_to_blocks(_txt_lines(decode_text(data, name))), "txt")
    doc.file_name = name
    return doc
