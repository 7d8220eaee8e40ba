"""Excel 4.0 macro sheets in an Excel 97–2003 workbook stream (BIFF8).

Before VBA, Excel ran macros written as formulas on a "macro sheet" (=EXEC(…), =CALL(…)); such sheets still run
when the file opens (an Auto_Open name) and are a common way to carry malware in .xls files. The reader ignores
them (only worksheets hold reports), but the original is kept for download. A macro sheet is declared twice: by
its BOUNDSHEET record in the workbook globals (type 1) and by the BOF record that opens its own substream (type
0x0040). `as_worksheets` rewrites both to a plain worksheet's, in place and at the same length: the sheet's cells
stay, and Excel no longer treats its formulas as macros.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

BOF, EOF, BOUNDSHEET = 0x0809, 0x000A, 0x0085
SHEET_MACRO, SHEET_WORKSHEET = 1, 0  # BOUNDSHEET's sheet type
BOF_MACRO, BOF_WORKSHEET = 0x0040, 0x0010  # BOF's substream type


@dataclass(frozen=True)
class MacroSheet:
    name: str
    boundsheet_at: int  # offset of the BOUNDSHEET record's data in the stream
    bof_at: int  # offset of the sheet's BOF record (its lbPlyPos)


def _records(stream: bytes, start: int = 0):
    """(record id, offset of its data, its length) from `start`, until the stream ends or a record overruns it."""
    pos = start
    while pos + 4 <= len(stream):
        rid, size = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + size > len(stream):
            return
        yield rid, pos + 4, size
        pos += 4 + size


def _sheet_name(data: bytes) -> str:
    """A BIFF8 short unicode string: length, flags (bit 0: two bytes per character), the characters."""
    if len(data) < 2:
        return "?"
    n, flags = data[0], data[1]
    if flags & 1:
        return data[2:2 + 2 * n].decode("utf-16-le", "replace")
    return data[2:2 + n].decode("latin-1")


def macro_sheets(stream: bytes) -> list[MacroSheet]:
    """The macro sheets the workbook globals declare (BIFF8; other versions give none)."""
    found = []
    for rid, at, size in _records(stream):
        if rid == EOF:
            break
        if rid == BOUNDSHEET and size >= 8 and stream[at + 5] == SHEET_MACRO:
            found.append(MacroSheet(_sheet_name(stream[at + 6:at + size]), at, struct.unpack_from("<I", stream, at)[0]))
    return found


def as_worksheets(stream: bytes, sheets: list[MacroSheet]) -> bytes:
    """The stream with these macro sheets declared as worksheets (same length)."""
    out = bytearray(stream)
    for sheet in sheets:
        out[sheet.boundsheet_at + 5] = SHEET_WORKSHEET
        if sheet.bof_at + 8 <= len(out) and struct.unpack_from("<H", out, sheet.bof_at)[0] == BOF:
            dt = struct.unpack_from("<H", out, sheet.bof_at + 6)[0]
            if dt == BOF_MACRO:
                struct.pack_into("<H", out, sheet.bof_at + 6, BOF_WORKSHEET)
    return bytes(out)
