"""Builders shared by the hardening tests (issue 14): a registry of 4,000 units and its roll-up workbook, the way
a provincial office sends one (bench/rollup_workbook.py lays it out; bench/national.py names the units)."""
from __future__ import annotations

from pathlib import Path

from core.periods import Quarter

ROLLUP_PERIOD = Quarter(2025, 2)


def add_units(db: Path, n: int = 4000) -> None:
    """Register synthetic units (marked so in their note) until the registry holds about n current units."""
    from bench.national import NOTE, province_units
    from loaders.store.materialize import refresh_if_stale
    from loaders.store.schema import connect

    with connect(db) as con:
        frame = province_units(con, n)  # noqa: F841 - read by DuckDB's replacement scan
        con.register("_units", frame)
        con.execute("INSERT INTO unit (code, name, kind, parent, note) SELECT code, name, kind, parent, ? "
                    "FROM _units", [NOTE])
        con.unregister("_units")
        refresh_if_stale(con)


def rollup_bytes(db: Path, n: int = 4000) -> tuple[bytes, int]:
    """The roll-up workbook of the first n units of the database, and how many values it holds."""
    from bench.rollup_workbook import build_rollup, metrics, rollup_units
    from loaders.store.schema import connect

    with connect(db, read_only=True) as con:
        content, values = build_rollup(rollup_units(con, n), metrics(con), ROLLUP_PERIOD)
    return content, len(values)


def rewrite_zip(content: bytes, change, extra: dict | None = None) -> bytes:
    """The same zip (.xlsx, .ods) with each member passed through change(name, data) -> data, and `extra` members
    ({name: bytes}) added: how the tests craft hostile workbooks."""
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(content))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, change(info.filename, src.read(info.filename)))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return buf.getvalue()


VBA_SOURCE = b'Attribute VB_Name = "Module1"\r\nSub Auto_Open()\r\n  Shell "cmd /c calc"\r\nEnd Sub\r\n'


def with_vba_project(xls: bytes) -> bytes:
    """The same Excel 97 compound file with a VBA project added the way Excel stores one: a storage
    _VBA_PROJECT_CUR holding a 4 KB stream of module source, in sectors appended at the end. Works on the small
    files xlwt writes (512-byte sectors, one FAT sector, free directory entries)."""
    import struct

    data = bytearray(xls)
    sector = 512
    fat_sid, dir_sid = struct.unpack_from("<I", data, 0x4C)[0], struct.unpack_from("<I", data, 0x30)[0]
    first_new = (len(data) - sector) // sector
    n_new = 4096 // sector
    assert first_new + n_new <= sector // 4, "too large for one FAT sector"
    fat = 512 + fat_sid * sector
    for i in range(n_new):
        struct.pack_into("<I", data, fat + 4 * (first_new + i), first_new + i + 1 if i < n_new - 1 else 0xFFFFFFFE)
    directory = 512 + dir_sid * sector
    free = [i for i in range(4) if data[directory + 128 * i + 66] == 0]
    storage, stream = free[:2]

    def entry(i, name, kind, child, start=0, size=0):
        base = directory + 128 * i
        encoded = name.encode("utf-16-le") + b"\0\0"
        data[base:base + 128] = bytes(128)
        data[base:base + len(encoded)] = encoded
        struct.pack_into("<HBBIII", data, base + 64, len(encoded), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
        struct.pack_into("<III", data, base + 116, start, size, 0)

    entry(storage, "_VBA_PROJECT_CUR", 1, stream)
    entry(stream, "Module1", 2, 0xFFFFFFFF, first_new, 4096)
    workbook = next(i for i in range(4) if data[directory + 128 * i:directory + 128 * i + 16] == "Workbook".encode("utf-16-le"))
    struct.pack_into("<I", data, directory + 128 * workbook + 72, storage)  # the storage sorts after "Workbook"
    return bytes(data) + VBA_SOURCE.ljust(4096, b" ")


def with_macro_sheet(xls: bytes, sheet: str) -> bytes:
    """The same Excel 97 workbook with one of its sheets declared an Excel 4.0 macro sheet, as Excel saves one:
    type 1 in its BOUNDSHEET record, 0x0040 in the BOF of its substream."""
    import io
    import struct

    import olefile

    buf = io.BytesIO(xls)
    with olefile.OleFileIO(buf, write_mode=True) as ole:
        stream = bytearray(ole.openstream("Workbook").read())
        pos = 0
        while pos + 4 <= len(stream):
            rid, size = struct.unpack_from("<HH", stream, pos)
            data = pos + 4
            if rid == 0x0085 and stream[data + 8:data + 8 + len(sheet)] == sheet.encode("latin-1"):
                stream[data + 5] = 1
                struct.pack_into("<H", stream, struct.unpack_from("<I", stream, data)[0] + 6, 0x0040)
                break
            pos = data + size
        else:
            raise AssertionError(f"no sheet {sheet}")
        ole.write_stream("Workbook", bytes(stream))
    return buf.getvalue()
