"""A realistic roll-up workbook for the ingestion benchmark: units down the side, indicators across, one quarter.

What a provincial office really sends: a letterhead and the national motto, a title with the quarter, a
merged two-row header (indicator groups over indicator names, STT and unit name merged over both rows), a
numbering row "(1) (2) (3)…", Roman-numeral section rows (departments; communes and wards), Vietnamese numbers typed as
text in some cells ("1.250", "97,5"), a few empty cells, a few unit names typed without diacritics, a totals
row and a signature block. The unit names come from the database, so the synthetic units must be
registered first (bench/national.py).

    python bench/rollup_workbook.py --db bench/out/national.duckdb --rows 4000 --out bench/out/rollup.xlsx
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Font  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from core.periods import Quarter, quarter_label  # noqa: E402
from core.text import strip_diacritics  # noqa: E402

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def roman(n: int) -> str:
    tens, ones = divmod(n, 10)
    return "X" * tens + (ROMAN[ones - 1] if ones else "")


def _u(key: str) -> float:
    """A deterministic uniform number in [0, 1) from a key (no random state: the file is reproducible)."""
    import hashlib
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest(), "big") / 2**32


SECTIONS = {"so": "CÁC SỞ, BAN, NGÀNH", "xa": "UBND CÁC XÃ, PHƯỜNG"}


def rollup_units(con, rows: int) -> list[tuple[str, str, str]]:
    """(code, name, section) of up to `rows` current units: departments first, then communes and wards,
    each by province."""
    return con.execute(
        """SELECT u.code, u.name, CASE WHEN u.kind IN ('xa', 'phuong') THEN ? ELSE ? END AS section
           FROM unit u LEFT JOIN entity e ON e.code = u.parent AND e.kind = 'tinh'
           WHERE u.kind <> 'huyen' AND u.valid_to IS NULL
           ORDER BY u.kind IN ('xa', 'phuong'), e.name NULLS FIRST, u.code LIMIT ?""",
        [SECTIONS["xa"], SECTIONS["so"], rows]).fetchall()


def metrics(con) -> list[tuple[str, str, str, str]]:
    """(code, name, kind, group) in catalog order."""
    return con.execute("SELECT code, name, kind, grp FROM metric ORDER BY ordinal").fetchall()


def build_rollup(units: list[tuple[str, str, str]], metric_rows: list[tuple[str, str, str, str]],
                 period: Quarter, text_share: float = 0.05, blank_share: float = 0.01,
                 no_diacritics_share: float = 0.02) -> tuple[bytes, dict]:
    """The workbook's bytes, and the values written: {(unit_code, metric_code): value}."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    ncol = 2 + len(metric_rows)
    last_col = get_column_letter(ncol)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # Letterhead and national motto, side by side as Vietnamese documents set them.
    ws["A1"], ws["E1"] = "UBND TỈNH ĐẮK LẮK", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    ws["A2"], ws["E2"] = "SỞ NỘI VỤ", "Độc lập - Tự do - Hạnh phúc"
    ws.merge_cells("A1:D1"), ws.merge_cells("A2:D2"), ws.merge_cells(f"E1:{last_col}1"), ws.merge_cells(f"E2:{last_col}2")
    ws["A4"] = (f"BÁO CÁO TỔNG HỢP KẾT QUẢ TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH "
                f"{quarter_label(period.year, period.quarter).upper()}")
    ws.merge_cells(f"A4:{last_col}4")
    ws["A5"] = f"(Kèm theo Báo cáo số 123/BC-SNV ngày 10/{3 * period.quarter + 1 if period.quarter < 4 else 1:02d}"\
               f"/{period.year if period.quarter < 4 else period.year + 1} của Sở Nội vụ)"
    ws.merge_cells(f"A5:{last_col}5")
    for cell in ("A1", "E1", "A4"):
        ws[cell].font = bold
    # Two-row header: STT and unit merged down; groups merged across their indicators.
    h1, h2, num = 7, 8, 9
    ws.cell(h1, 1, "STT"), ws.merge_cells(start_row=h1, start_column=1, end_row=h2, end_column=1)
    ws.cell(h1, 2, "Tên cơ quan, đơn vị"), ws.merge_cells(start_row=h1, start_column=2, end_row=h2, end_column=2)
    col = 3
    groups: list[tuple[str, int, int]] = []
    for code, name, kind, grp in metric_rows:
        if groups and groups[-1][0] == grp:
            groups[-1] = (grp, groups[-1][1], col)
        else:
            groups.append((grp, col, col))
        ws.cell(h2, col, name + (" (%)" if kind == "rate" else ""))
        col += 1
    for grp, c0, c1 in groups:
        ws.cell(h1, c0, grp)
        if c1 > c0:
            ws.merge_cells(start_row=h1, start_column=c0, end_row=h1, end_column=c1)
    for c in range(1, ncol + 1):
        ws.cell(num, c, f"({c})")
        for r in (h1, h2):
            ws.cell(r, c).alignment = center
            ws.cell(r, c).font = bold
    r = num + 1
    values: dict[tuple[str, str], float] = {}
    totals = [0.0] * len(metric_rows)
    current = None
    section = 0
    stt = 0
    for code, name, heading in units:
        if heading != current:
            section += 1
            current = heading
            ws.cell(r, 1, roman(section)), ws.cell(r, 2, heading)
            ws.cell(r, 1).font = ws.cell(r, 2).font = bold
            r += 1
        stt += 1
        ws.cell(r, 1, stt)
        shown = strip_diacritics(name) if _u(code + "nd") < no_diacritics_share else name
        ws.cell(r, 2, shown)
        for j, (mcode, _, kind, _) in enumerate(metric_rows):
            key = f"{code}|{mcode}|{period.code}"
            if _u(key + "blank") < blank_share:
                continue
            if kind == "rate":
                v = round(min(100.0, 80 + 20 * _u(key)), 1)
            else:
                v = float(int(30 * _u(key) ** 2 * (40 if mcode == "to_gap" else 1)))
            values[(code, mcode)] = v
            totals[j] += v if kind != "rate" else 0
            if _u(key + "text") < text_share:
                # typed as text the Vietnamese way: thousands dot, decimal comma
                txt = f"{v:,.1f}" if kind == "rate" else f"{int(v):,}"
                ws.cell(r, 3 + j, txt.replace(",", "\u0000").replace(".", ",").replace("\u0000", "."))
            else:
                ws.cell(r, 3 + j, v if kind == "rate" else int(v))
        r += 1
    ws.cell(r, 2, "Tổng cộng").font = bold
    for j, (mcode, _, kind, _) in enumerate(metric_rows):
        if kind != "rate":
            ws.cell(r, 3 + j, int(totals[j])).font = bold
    r += 2
    ws.cell(r, 2, "NGƯỜI LẬP BIỂU"), ws.cell(r, 8, "GIÁM ĐỐC")
    ws.cell(r + 4, 2, "Nguyễn Văn A"), ws.cell(r + 4, 8, "Trần Thị B")
    ws.column_dimensions["B"].width = 42
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), values


def write_rollup(con, out: str | Path, rows: int = 4000, period: Quarter | None = None) -> dict:
    """Write the roll-up for `rows` units of the database behind `con` to `out`."""
    from core.periods import latest_complete_quarter
    period = period or latest_complete_quarter()
    units = rollup_units(con, rows)
    content, values = build_rollup(units, metrics(con), period)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_bytes(content)
    return {"path": str(out), "units": len(units), "values": len(values), "bytes": len(content),
            "period": period.code}


def main(argv=None) -> int:
    import json

    from loaders.store.schema import connect
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default=str(ROOT / "bench" / "out" / "national.duckdb"))
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "rollup.xlsx"))
    args = ap.parse_args(argv)
    with connect(args.db, read_only=True) as con:
        print(json.dumps(write_rollup(con, args.out, args.rows), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
