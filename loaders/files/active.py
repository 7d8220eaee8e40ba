"""Active content of a workbook: macros, links to other workbooks, DDE formulas.

Values are never computed here: the reader takes the results Excel cached in each cell. But a report that carries
a macro (xl/vbaProject.bin), an external link (xl/externalLinks/) or a DDE formula (`=cmd|' /C calc'!A0`) would
carry it on to whoever downloads the original from Lịch sử. So each is named in a warning — the cell, for a
formula — and the original that is kept is the same workbook without them: the macro project and the link parts
are left out, and those formulas keep only their cached value.

The older families carry macros too: an Excel 97–2003 .xls keeps its VBA project in the storage
_VBA_PROJECT_CUR of its compound file (olefile overwrites every stream of it with zeros, in place: the workbook
stays byte-identical otherwise and Excel drops the broken project when it opens), an OpenDocument .ods keeps
Basic libraries under Basic/ and scripts under Scripts/ (left out, with their manifest entries). An .xls's Excel
4.0 macro sheets are declared as plain worksheets (loaders.files.biff).
"""
from __future__ import annotations

import io
import re
import zipfile

import olefile

from core.text import nfc
from loaders.errors import LoadWarning
from loaders.files import biff

MACRO_PART = "xl/vbaProject.bin"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
VBA_STORAGE = "_vba_project_cur"  # olefile lists names in lower case
ODS_SCRIPT_FOLDERS = ("Basic/", "Scripts/")
MACRO_WARNING = "tệp có macro ({kind}): macro không được chạy, và bản gốc được lưu không kèm macro"
LINK_FOLDER = "xl/externalLinks/"
_FORMULA = re.compile(rb'<c\b[^>]*?\br="([A-Z]+\d+)"[^>]*>(?:(?!</c>).)*?(<f\b[^>]*>([^<]*)</f>|<f\b[^>]*/>)',
                      re.DOTALL)
_DDE = re.compile(r"[A-Za-z0-9_.]+\|'?[^!']*'?!")  # program|'topic'!item
_EXTERNAL = re.compile(r"\[\d+\]")  # [1]Sheet1!A1: a cell of another workbook


def _formula_kind(text: str) -> str | None:
    if _DDE.search(text):
        return "công thức DDE (gọi chương trình khác)"
    if _EXTERNAL.search(text):
        return "công thức lấy số từ tệp Excel khác (liên kết ngoài)"
    return None


def strip_active_content(content: bytes, file_name: str = "") -> tuple[bytes, list[LoadWarning]]:
    """(the workbook to keep, warnings). A workbook without active content comes back unchanged."""
    if content.startswith(OLE_MAGIC):
        return _strip_ole_macros(content)
    if not content.startswith(b"PK\x03\x04"):
        return content, []
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return content, []
    if "xl/workbook.xml" in names:
        return _strip_xlsx(content, zf, names)
    if "content.xml" in names:
        return _strip_ods(content, zf, names)
    return content, []


def _strip_ole_macros(content: bytes) -> tuple[bytes, list[LoadWarning]]:
    """An .xls with its VBA project's streams overwritten with zeros and its Excel 4.0 macro sheets declared as
    worksheets (loaders.files.biff)."""
    warnings: list[LoadWarning] = []
    try:
        with olefile.OleFileIO(io.BytesIO(content)) as ole:
            streams = [path for path in ole.listdir(streams=True, storages=False) if path[0].lower() == VBA_STORAGE]
            live = [path for path in streams if ole.openstream(path).read().strip(b"\0")]  # zeroed before: gone
            book = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
            stream = ole.openstream(book).read() if book else b""
        sheets = biff.macro_sheets(stream)
        if not live and not sheets:
            return content, []
        kept = io.BytesIO(content)
        with olefile.OleFileIO(kept, write_mode=True) as ole:
            for path in streams:
                ole.write_stream(path, bytes(ole.get_size(path)))
            if sheets:
                ole.write_stream(book, biff.as_worksheets(stream, sheets))
    except Exception:  # noqa: BLE001 - a compound file olefile cannot follow: the macro cannot be cut out
        return content, [LoadWarning(None, None, None, "không kiểm tra được macro trong tệp .xls (cấu trúc tệp lạ): "
                                                       "bản gốc được lưu như đã gửi — không mở bằng Excel khi chưa rõ "
                                                       "nguồn")]
    if live:
        warnings.append(LoadWarning(None, None, None, MACRO_WARNING.format(kind="VBA")))
    for sheet in sheets:
        warnings.append(LoadWarning(nfc(sheet.name), None, None, "trang macro Excel 4.0: macro không được chạy, và bản "
                                                                 "gốc được lưu với trang này thành trang tính thường"))
    return kept.getvalue(), warnings


def _strip_ods(content: bytes, zf: zipfile.ZipFile, names: list[str]) -> tuple[bytes, list[LoadWarning]]:
    """An .ods without its Basic libraries and scripts."""
    dropped = {n for n in names if n.startswith(ODS_SCRIPT_FOLDERS)}
    if not dropped:
        return content, []
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as new:
        for info in zf.infolist():  # mimetype first and stored, as the format requires: copied as it came
            if info.filename in dropped:
                continue
            data = zf.read(info.filename)
            if info.filename == "META-INF/manifest.xml":
                data = re.sub(rb'\s*<manifest:file-entry[^>]*full-path="(?:Basic|Scripts)/[^"]*"[^>]*/>', b"", data)
            new.writestr(info, data)
    return out.getvalue(), [LoadWarning(None, None, None, MACRO_WARNING.format(kind="Basic"))]


def _strip_xlsx(content: bytes, zf: zipfile.ZipFile, names: list[str]) -> tuple[bytes, list[LoadWarning]]:
    from loaders.files.workbook import _sheet_paths

    warnings: list[LoadWarning] = []
    dropped = {n for n in names if n == MACRO_PART or n.startswith(LINK_FOLDER) or n.startswith("xl/externalLinks/_rels")}
    if MACRO_PART in names:
        warnings.append(LoadWarning(None, None, None, MACRO_WARNING.format(kind="VBA")))
    if any(n.startswith(LINK_FOLDER) for n in names):
        warnings.append(LoadWarning(None, None, None, "tệp có liên kết tới tệp Excel khác: số liệu lấy theo giá trị đã "
                                                      "lưu trong ô, và bản gốc được lưu không kèm liên kết"))
    sheets = {path: name for name, path in _sheet_paths(zf).items()}
    rewritten: dict[str, bytes] = {}
    for path, sheet in sheets.items():
        if path not in names:
            continue
        xml = zf.read(path)
        cut = []
        for m in _FORMULA.finditer(xml):
            kind = _formula_kind((m.group(3) or b"").decode("utf-8", "replace"))
            if kind:
                ref = m.group(1).decode()
                row, col = int(re.sub(r"[A-Z]", "", ref)), re.sub(r"\d", "", ref)
                warnings.append(LoadWarning(nfc(sheet), row, col, f"ô có {kind}: số liệu lấy theo giá trị đã lưu "
                                                                  "trong ô; công thức không được lưu trong bản gốc"))
                cut.append(m.span(2))
        if cut:
            for start, end in reversed(cut):
                xml = xml[:start] + xml[end:]
            rewritten[path] = xml
    if not dropped and not rewritten:
        return content, []
    return _rebuild(zf, dropped, rewritten), warnings


def _rebuild(zf: zipfile.ZipFile, dropped: set[str], rewritten: dict[str, bytes]) -> bytes:
    """The zip without the dropped parts (and every reference to them), with the rewritten sheets."""
    targets = [re.escape(n.split("xl/", 1)[-1]) for n in dropped]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in zf.infolist():
            name = info.filename
            if name in dropped:
                continue
            data = rewritten.get(name) or zf.read(name)
            if name == "[Content_Types].xml":
                data = re.sub(rb'<Override[^>]*PartName="/(?:xl/vbaProject\.bin|xl/externalLinks/[^"]*)"[^>]*/>', b"",
                              data)
                data = re.sub(rb'<Default[^>]*ContentType="application/vnd\.ms-office\.vbaProject"[^>]*/>', b"", data)
                data = data.replace(b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
            elif name == "xl/_rels/workbook.xml.rels" and targets:
                data = re.sub(rb'<Relationship[^>]*Target="/?(?:xl/)?(?:' + "|".join(targets).encode() + rb')"[^>]*/>',
                              b"", data)
            elif name == "xl/workbook.xml" and any(n.startswith(LINK_FOLDER) for n in dropped):
                data = re.sub(rb"<externalReferences>.*?</externalReferences>", b"", data, flags=re.DOTALL)
            new.writestr(info, data)
    return out.getvalue()
