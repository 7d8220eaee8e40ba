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
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"),
          (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _number_text(n: int, fmt: str) -> str:
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("lowerLetter", "upperLetter"):
        letter = "abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26]
        return letter.upper() if fmt == "upperLetter" else letter
    return str(n)


class _Numbering:
    """Word's automatic numbering written out ('II.', '1.', 'a)', '-'): the outline needs the markers, which are not
    in a paragraph's text. Counters run per list and level; a level restarts when a higher one moves on."""

    def __init__(self, doc):
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) -> (format, text, start)
        self.counts: dict[tuple[str, int], int] = {}
        try:
            root = doc.part.numbering_part.element
        except Exception:  # noqa: BLE001 - a document without numbering definitions
            return
        abstract = {}
        for a in root.findall(f"{_W}abstractNum"):
            lv = {}
            for lvl in a.findall(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                lv[int(lvl.get(f"{_W}ilvl"))] = (fmt.get(f"{_W}val") if fmt is not None else "decimal",
                                                text.get(f"{_W}val") if text is not None else "",
                                                int(start.get(f"{_W}val")) if start is not None else 1)
            abstract[a.get(f"{_W}abstractNumId")] = lv
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            for ilvl, spec in abstract.get(ref.get(f"{_W}val") if ref is not None else None, {}).items():
                self.levels[(num.get(f"{_W}numId"), ilvl)] = spec

    def label(self, p_el) -> str | None:
        num_pr = p_el.find(f"{_W}pPr/{_W}numPr")
        if num_pr is None:
            return None
        num_id = num_pr.find(f"{_W}numId")
        ilvl = num_pr.find(f"{_W}ilvl")
        num_id = num_id.get(f"{_W}val") if num_id is not None else None
        level = int(ilvl.get(f"{_W}val")) if ilvl is not None else 0
        spec = self.levels.get((num_id, level))
        if spec is None:
            return "-"
        fmt, text, start = spec
        if fmt in ("bullet", "none"):
            return "-" if fmt == "bullet" else ""
        self.counts[(num_id, level)] = self.counts.get((num_id, level), start - 1) + 1
        for deeper in [k for k in self.counts if k[0] == num_id and k[1] > level]:
            del self.counts[deeper]

        def part(m):
            k = int(m.group(1)) - 1
            f, _, st_ = self.levels.get((num_id, k), ("decimal", "", 1))
            return _number_text(self.counts.get((num_id, k), st_), f)

        return re.sub(r"%(\d)", part, text) or "-"


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
    w = _W
    numbering = _Numbering(doc)

    def walk(parent):
        nonlocal table_no
        for el in parent.iterchildren():
            if el.tag == w + "p":
                p = Paragraph(el, doc)
                text = p.text
                label = numbering.label(el)
                if label and text.strip():
                    text = f"{label} {text}"  # Word's automatic numbering is not in the text: write its marker
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
