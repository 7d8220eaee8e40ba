"""Bounded reading: what a file may ask of the server before it is parsed, and a memory bound while it is.

A 5 KB workbook with one cell at XFD1048576 asks the spreadsheet reader for 17 billion cells (512 GiB); a 3 MB
zip inflates to gigabytes; an .ods row repeated a million times, a .xls cell at row 65,536, a CSV of newlines
do the same on a smaller scale. Each is measured first, cheaply, and refused with a Vietnamese message that names
the limit and by how much it is exceeded:

- the cells a sheet spans (its used rectangle, from A1 to the farthest cell that exists, and the dimension the
  file declares), added over the sheets: MAX_CELLS;
- the inflated size of a zip's members together (.xlsx, .xlsm, .ods): MAX_INFLATED, measured by inflating them,
  since the sizes a zip declares can lie;
- the compression ratio of each member over 1 MB: MAX_RATIO (real workbooks stay under 30:1).

The reading itself then runs in a child process (`run_bounded`) whose address space and CPU time are capped
(READ_MEMORY_MB, READ_SECONDS): a file that slips past the checks and makes the reader allocate without end
kills only that child, and the page says so in Vietnamese.
"""
from __future__ import annotations

import logging
import os
import pickle
import re
import resource
import signal
import zipfile

from core.numbers import file_size, number
from loaders.errors import UnusableFileError

MAX_CELLS = 3_000_000  # a 4,000-unit roll-up spans about 250,000; a tidy file of a year of it about 1.7 million
MAX_INFLATED = 256 * 1024 * 1024
MAX_RATIO = 200
RATIO_FROM = 1024 * 1024  # smaller members may compress as they like: they cannot hurt
READ_MEMORY_MB = 1024  # above what the process already holds when the child starts
READ_SECONDS = 120

log = logging.getLogger("cchc.reading")


class LimitExceeded(UnusableFileError):
    """A file over one of the reading limits: nothing of it was parsed."""


def _over(name: str, what: str, found: float, limit: float, unit: str = "") -> LimitExceeded:
    times = found / limit if limit else float("inf")
    return LimitExceeded(
        f"tệp “{name}” vượt giới hạn {what}: {number(found)}{unit} so với tối đa {number(limit)}{unit} "
        f"(gấp {number(times, 1)} lần) — không đọc tệp này; hãy xóa các ô, dòng, cột thừa (Ctrl+End cho thấy ô xa "
        "nhất) hoặc chia nhỏ tệp")


def check_cells(name: str, cells: int, what: str = "số ô của bảng tính") -> None:
    if cells > MAX_CELLS:
        raise _over(name, what, cells, MAX_CELLS, " ô")


# --- zip members ----------------------------------------------------------------------------------------------

def check_zip(zf: zipfile.ZipFile, name: str) -> None:
    """Declared sizes and ratios first (free), then the true inflated size, member by member, up to the limit."""
    infos = zf.infolist()
    declared = sum(i.file_size for i in infos)
    if declared > MAX_INFLATED:
        raise LimitExceeded(_inflated_message(name, declared))
    for info in infos:
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise LimitExceeded(
                f"tệp “{name}” có phần “{info.filename}” nén với tỉ lệ {number(ratio)}:1, vượt giới hạn "
                f"{MAX_RATIO}:1 (gấp {number(ratio / MAX_RATIO, 1)} lần) — đây là dấu hiệu của tệp nén độc hại "
                "(zip bomb); không đọc tệp này")
    total = 0
    for info in infos:
        try:
            with zf.open(info) as member:
                while chunk := member.read(1 << 20):
                    total += len(chunk)
                    if total > MAX_INFLATED:
                        raise LimitExceeded(_inflated_message(name, total, at_least=True))
        except LimitExceeded:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise UnusableFileError(f"tệp “{name}” bị hỏng, không mở được như tệp Excel (phần “{info.filename}”: "
                                    f"{type(exc).__name__})") from exc


def _inflated_message(name: str, size: int, at_least: bool = False) -> str:
    found = ("hơn " if at_least else "") + file_size(size)
    return (f"tệp “{name}” khi giải nén lớn {found}, vượt giới hạn {file_size(MAX_INFLATED)} "
            f"(gấp {number(size / MAX_INFLATED, 1)} lần{' trở lên' if at_least else ''}) — không đọc tệp này; hãy "
            "xóa bớt trang tính, hình ảnh hoặc chia nhỏ tệp")


def _scan_tags(stream, pattern: re.Pattern, visit) -> None:
    """Call visit(match) for each tag of an XML stream matching `pattern`, reading 4 MB at a time (a tag never
    straddles two reads: each read is cut before its last '<')."""
    carry = b""
    while True:
        chunk = stream.read(4 << 20)
        data = carry + chunk
        if not chunk:
            cut = len(data)
        else:
            cut = data.rfind(b"<")
            cut = len(data) if cut < 0 else cut
        for m in pattern.finditer(data, 0, cut):
            visit(m)
        carry = data[cut:]
        if not chunk:
            return


def col_number(letters: bytes) -> int:
    """b'A' -> 1, b'XFD' -> 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


_REF = re.compile(rb"([A-Za-z]{1,3})(\d{1,7})")
_XLSX_TAG = re.compile(rb"<(?:\w+:)?(row|c|dimension)([\s/][^>]*)?>")
_R_ATTR = re.compile(rb'\br="([^"]*)"')
_DIM_ATTR = re.compile(rb'\bref="([^"]*)"')


def xlsx_sheet_extent(stream) -> tuple[int, int]:
    """(cells spanned by the cells present, cells the <dimension> declares) of one worksheet part."""
    state = {"row": 0, "col": 0, "rows": 0, "cols": 0, "declared": 0}

    def visit(m):
        tag, attrs = m.group(1), m.group(2) or b""
        if tag == b"row":
            r = _R_ATTR.search(attrs)
            state["row"] = int(r.group(1)) if r and r.group(1).isdigit() else state["row"] + 1
            state["col"] = 0
            state["rows"] = max(state["rows"], state["row"])
        elif tag == b"c":
            r = _R_ATTR.search(attrs)
            ref = _REF.fullmatch(r.group(1)) if r else None
            if ref:
                state["col"] = col_number(ref.group(1))
                state["rows"] = max(state["rows"], int(ref.group(2)))
            else:
                state["col"] += 1
            state["cols"] = max(state["cols"], state["col"])
        else:
            d = _DIM_ATTR.search(attrs)
            if d:
                refs = _REF.findall(d.group(1))
                if refs:
                    state["declared"] = col_number(refs[-1][0]) * int(refs[-1][1])

    _scan_tags(stream, _XLSX_TAG, visit)
    return max(state["rows"], 1 if state["cols"] else 0) * state["cols"], state["declared"]


def check_xlsx_extent(zf: zipfile.ZipFile, name: str) -> None:
    spanned = declared = 0
    for part in zf.namelist():
        if part.startswith("xl/worksheets/") and part.endswith(".xml"):
            with zf.open(part) as stream:
                s, d = xlsx_sheet_extent(stream)
            spanned, declared = spanned + s, declared + d
    check_cells(name, spanned)
    check_cells(name, declared, "kích thước khai báo của bảng tính (thẻ dimension)")


_ODS_TAG = re.compile(rb"<(table:table|table:table-row|table:table-cell|table:covered-table-cell)([\s/][^>]*)?>")
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d+)"')
_COLS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d+)"')


def ods_extent(stream) -> int:
    """Cells spanned by the cells holding something (a value or text), repeats included, over all tables of an
    OpenDocument content.xml. Trailing empty rows and cells repeated to the sheet's end (LibreOffice writes them)
    hold nothing and do not count."""
    state = {"total": 0, "row": 0, "col": 0, "repeat": 1, "rows": 0, "cols": 0}

    def close_table():
        state["total"] += state["rows"] * state["cols"]
        state.update(row=0, col=0, repeat=0, rows=0, cols=0)

    def visit(m):
        tag, attrs = m.group(1), m.group(2) or b""
        if tag == b"table:table":
            close_table()
        elif tag == b"table:table-row":
            state["row"] += state["repeat"]
            r = _ROWS_REPEATED.search(attrs)
            state["repeat"] = int(r.group(1)) if r else 1
            state["col"] = 0
        else:
            r = _COLS_REPEATED.search(attrs)
            n = int(r.group(1)) if r else 1
            holds = b"office:value-type" in attrs or not attrs.rstrip().endswith(b"/")
            if holds and tag == b"table:table-cell":
                state["cols"] = max(state["cols"], state["col"] + n)
                state["rows"] = max(state["rows"], state["row"] + state["repeat"])
            state["col"] += n

    state["repeat"] = 0  # a row starts where the previous one and its repeats end; the first at 0
    _scan_tags(stream, _ODS_TAG, visit)
    close_table()
    return state["total"]


def check_ods_extent(zf: zipfile.ZipFile, name: str) -> None:
    with zf.open("content.xml") as stream:
        check_cells(name, ods_extent(stream))


def check_xls_extent(content: bytes, name: str) -> None:
    """An Excel 97-2003 file: xlrd reads its cell records without filling rows out (ragged rows)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True, ragged_rows=True)
    except Exception:  # noqa: BLE001 - not for xlrd (a Word file, a password): the reader says what it is
        return
    try:
        total = 0
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            width = max((sheet.row_len(r) for r in range(sheet.nrows)), default=0)
            total += sheet.nrows * width
            book.unload_sheet(index)
            check_cells(name, total)
    finally:
        book.release_resources()


# --- the memory bound -----------------------------------------------------------------------------------------

class ReadFault(RuntimeError):
    """The bounded reader failed in an unexpected way; the message holds the child's traceback (for the log)."""


def _virtual_size() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _bound_self(memory_mb: int, seconds: int) -> None:
    limit = _virtual_size() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))


def _child(fn, args, write_fd: int, memory_mb: int, seconds: int) -> None:
    try:
        import faulthandler

        faulthandler.disable()  # an abort here is expected, not a crash of the server to dump
        os.environ["RUST_BACKTRACE"] = "0"  # the server log gets one line for a reader that ran out of memory
        _bound_self(memory_mb, seconds)
        try:
            outcome = ("ok", fn(*args))
        except UnusableFileError as exc:
            outcome = ("refused", exc.message, isinstance(exc, LimitExceeded))
        except MemoryError:
            outcome = ("memory",)
        except BaseException:  # noqa: BLE001 - carried to the parent, which logs it
            import traceback

            outcome = ("fault", traceback.format_exc())
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory",))
        with os.fdopen(write_fd, "wb") as out:
            out.write(data)
    finally:
        os._exit(0)


def memory_message(name: str, memory_mb: int) -> str:
    return (f"tệp “{name}” cần quá nhiều bộ nhớ để đọc (vượt giới hạn {number(memory_mb)} MB dành cho việc đọc một "
            "tệp) — không đọc tệp này; hãy xóa các ô, dòng, cột thừa hoặc chia nhỏ tệp")


def run_bounded(fn, *args, name: str = "", memory_mb: int = READ_MEMORY_MB, seconds: int = READ_SECONDS):
    """fn(*args) in a forked child whose memory and CPU time are capped; its result is sent back pickled.
    UnusableFileError raised by fn comes back as itself; running out of memory or time is a LimitExceeded;
    any other failure a ReadFault. Where fork does not exist, fn runs here, unbounded."""
    if not hasattr(os, "fork"):
        return fn(*args)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child ends in os._exit
        os.close(read_fd)
        _child(fn, args, write_fd, memory_mb, seconds)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    outcome = None
    if data:
        try:
            outcome = pickle.loads(data)
        except Exception:  # noqa: BLE001 - a child killed while writing
            outcome = None
    if outcome is None:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if sig in (signal.SIGXCPU, signal.SIGKILL):
            raise LimitExceeded(f"tệp “{name}” đọc quá lâu (vượt giới hạn {seconds} giây thời gian xử lý) — không "
                                "đọc tệp này; hãy chia nhỏ tệp")
        log.warning("reading %r: the bounded reader died (status %s)", name, status)
        raise LimitExceeded(memory_message(name, memory_mb))
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "refused":
        raise (LimitExceeded if outcome[2] else UnusableFileError)(outcome[1])
    if kind == "memory":
        raise LimitExceeded(memory_message(name, memory_mb))
    raise ReadFault(f"reading {name!r} failed in the bounded reader:\n{outcome[1]}")


def text_cells_limit(name: str):
    """A counter for readers that build rows themselves (CSV): call it with each row's width."""
    seen, rows = [0], [0]

    def count(width: int) -> None:
        seen[0] += max(width, 1)
        rows[0] += 1
        if seen[0] > MAX_CELLS:
            raise LimitExceeded(f"tệp “{name}” vượt giới hạn số ô của bảng tính: hơn {number(MAX_CELLS)} ô (dòng "
                                f"{number(rows[0])} đã vượt) — không đọc tệp này; hãy xóa các dòng, cột thừa hoặc chia "
                                "nhỏ tệp")

    return count

