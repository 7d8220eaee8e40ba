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
