"""View models of the data pages (Tải lên, Lịch sử, Chỉ tiêu, Chưa báo cáo): small pure functions that turn the
frames of dashboard.admin_queries into what a page shows, and the page's widgets into what the write door takes.
The pages only lay them out; the rules they rest on are core's (periods, unit validity) and admin_queries'.

Tải lên
- ``quarter_choices(n=8, today=None)``     quarter codes a report may be for, newest first (the current quarter
                                           may be reported early).
- ``template_file_name(kind, unit, period)``  'mau_activities_so_y_te_2025_Q3.xlsx'.
- ``preview_table(preview)``               admin_queries.preview_changes for people (one 'Loại' drops out).
- ``would_change(preview)``                whether writing the file would add or replace any value.
- ``preview_scope(preview)``               'N đơn vị · M chỉ tiêu · K kỳ': what a file of any size covers.
- ``problem_groups(problems)``             errors (or warnings) grouped by cause: a 4,000-row file's 9,000 errors
                                           as a few lines, each with how many cells and the first places.
- ``upload_facts(parsed, names)``          the kind, rows, unit and period of a read file, for its caption.
- ``problems_table(problems)``             a file's errors as a table (sheet, row, column, message).
- ``size_mb(n_bytes)``                     '0,25' / '3,4': a file's size in MB as the page states it.

Lịch sử
- ``batch_units_text(unit_name, units, names)``  the 'Đơn vị' of a batch: its unit, 'N đơn vị', or '–'.
- ``own_batches(batches, unit_code)``      the batches a unit's staff see: those holding only their unit's data.
- ``is_own_batch(info, unit_code)``        the same rule for one batch (admin_queries.batch_info).
- ``batch_table(batches, names)`` / ``batch_choices(batches)``  the list and the 'Mở lô' labels.
- ``batch_facts(info, names)``             (label, text) lines of a batch's card.
- ``batch_rows_table(rows)`` / ``rollback_table(effect)``  a batch's rows, what a rollback changes.

Chỉ tiêu
- ``TARGET_COLUMNS``                       grid column -> quarter (None: the annual target).
- ``units_valid_in(units, year)``          the units that exist in the year (core.rules.unit_active).
- ``has_targets(grid)`` / ``filled_from(base, previous)``  a year's grid has any target / copy one in.
- ``target_values(grid)``                  {(metric_code, quarter): value or None}: what save_targets takes.
- ``changed_cells(current, edited)``       how many cells differ from the saved targets.

Chưa báo cáo
- ``reported_share(n_done, n_expected)``   the share of units that reported (None when none are expected).
- ``reminder_text(period, unit_names, today)``  the reminder to send the late units.
"""
from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from core.numbers import MISSING, auto, date, datetime, number
from core.periods import latest_complete_quarter, quarter_label
from core.rules import unit_active, year_bounds
from dashboard import admin_queries as AQ


# --- Tải lên --------------------------------------------------------------------------------------------------
def quarter_choices(n: int = 8, today: dt.date | None = None) -> list[str]:
    q = latest_complete_quarter(today).next()  # the current quarter may already be reported early
    out = []
    for _ in range(n):
        out.append(q.code)
        q = q.previous()
    return out


def period_choices(today: dt.date | None = None) -> list[str]:
    """The periods a report may cover, newest first: the last quarters (quarter_choices), months, six and nine
    months and years of this year and the last (codes: 2025-Q3, 2025-M08, 2025-H1, 2025-9M, 2025)."""
    from core.periods import Period, latest_complete, periods_of_kind

    today = today or dt.date.today()
    last = latest_complete("month", today).next()  # the current month may already be reported
    out = [p.code for p in [Period.of(c) for c in quarter_choices(8, today)]]
    for kind in ("month", "half", "nine_months", "year"):
        for year in (today.year, today.year - 1):
            out += [p.code for p in reversed(periods_of_kind(year, kind)) if p.start <= last.end]
    order = {"quarter": 0, "month": 1, "half": 2, "nine_months": 3, "year": 4}  # the quarterly report first
    return sorted(dict.fromkeys(out), key=lambda c: (-Period.of(c).end.toordinal(), order[Period.of(c).kind]))


def template_file_name(kind: str, unit: str | None = None, period: str | None = None) -> str:
    parts = ["mau", kind] + [x.replace("-", "_") for x in (unit, period) if x]
    return "_".join(parts) + ".xlsx"


def _change_text(change, old, new) -> str:
    if change == AQ.CHANGE_REPLACE:
        return f"Thay {auto(old)} bằng {auto(new)}"
    return {AQ.CHANGE_NEW: "Mới", AQ.CHANGE_SAME: "Không đổi"}.get(change, change)


def _place(sheet, row, col) -> str:
    """'Báo cáo!D7' — where a value came from, as Excel writes it."""
    if not isinstance(sheet, str) or not sheet:
        return "–"
    cell = f"{col if isinstance(col, str) else ''}{'' if pd.isna(row) else int(row)}"
    return f"{sheet}!{cell}" if cell else sheet


def preview_table(pv: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "Loại": pv["what"], "Đơn vị": pv["unit_or_entity"], "Kỳ": pv["period"], "Chỉ tiêu": pv["item"],
        "Hiện có": pv["old"], "Trong tệp": pv["new"],
        "Tác động": [_change_text(c, o, n) for c, o, n in zip(pv["change"], pv["old"], pv["new"])],
        "Ô trong tệp": [_place(s, r, c) for s, r, c in zip(pv["sheet"], pv["row_no"], pv["col"])],
    })
    if out["Loại"].nunique() <= 1:
        out = out.drop(columns=["Loại"])
    return out


def would_change(pv: pd.DataFrame | None) -> bool:
    if pv is None:
        return False
    counts = AQ.preview_summary(pv)
    return bool(counts[AQ.CHANGE_NEW] or counts[AQ.CHANGE_REPLACE])


PREVIEW_ROWS = 200  # the rows shown on the page; the whole preview is a download (Styler stops at 262,144 cells)


def preview_scope(pv: pd.DataFrame) -> str:
    """'4.000 đơn vị · 18 chỉ tiêu · 1 kỳ' for the preview of a file."""
    if pv is None or not len(pv):
        return ""
    return (f"{number(pv['unit_or_entity'].nunique())} đơn vị · {number(pv['item'].nunique())} chỉ tiêu · "
            f"{number(pv['period'].nunique())} kỳ")


_VARYING = re.compile(r"“[^”]*”|\d+(?:[.,]\d+)*")


def problem_cause(message: str) -> str:
    """A message with what varies from cell to cell (quoted values, numbers) taken out: the cause."""
    return _VARYING.sub("…", message)


def problem_groups(problems, places: int = 5) -> list[tuple[int, str, str]]:
    """(how many, the first message of the cause, its first places) per cause, the most frequent first."""
    groups: dict[str, list] = {}
    for p in problems:
        groups.setdefault(problem_cause(p.message), []).append(p)
    out = []
    for members in sorted(groups.values(), key=len, reverse=True):
        where = [p.place() for p in members[:places] if p.place()]
        more = len(members) - places
        out.append((len(members), members[0].message,
                    "; ".join(where) + (f"; … và {number(more)} chỗ khác" if more > 0 and where else "")))
    return out


def upload_facts(parsed, names: dict) -> list[str]:
    """'Báo cáo hoạt động · 3 dòng số liệu · Sở Tư pháp · Quý III/2025' as a list of parts."""
    b = parsed.batch
    facts = [AQ.KIND_LABELS.get(parsed.kind, parsed.kind), f"{number(parsed.rows)} dòng số liệu"]
    if b is not None and b.unit_code:
        facts.append(names.get(b.unit_code, b.unit_code))
    if b is not None and b.year:
        facts.append(quarter_label(b.year, b.quarter) if b.quarter else f"năm {b.year}")
    return facts


def problems_table(problems) -> pd.DataFrame:
    return pd.DataFrame([{"Trang tính": e.sheet, "Dòng": e.row, "Cột": e.column, "Lỗi": e.message}
                         for e in problems])


def size_mb(n_bytes: int) -> str:
    return number(n_bytes / 1048576, 2 if n_bytes < 1048576 else 1)


# --- Lịch sử --------------------------------------------------------------------------------------------------
def batch_units_text(unit_name, units, names: dict) -> str:
    if isinstance(unit_name, str) and unit_name:
        return unit_name
    units = list(units) if units is not None else []
    if len(units) > 1:
        return f"{len(units)} đơn vị"
    return names.get(units[0], units[0]) if units else "–"


def own_batches(df: pd.DataFrame, unit_code: str) -> pd.DataFrame:
    """Only batches that hold nothing but this unit's data (rows of it alone, or no rows and the unit's name)."""
    return df[[list(u) == [unit_code] or (not len(u) and c == unit_code)
               for u, c in zip(df["units"], df["unit_code"])]]


def is_own_batch(info: dict, unit_code: str) -> bool:
    return set(info["units"] or [info["unit_code"]]) == {unit_code}


def batch_table(df: pd.DataFrame, names: dict) -> pd.DataFrame:
    return pd.DataFrame({
        "Lô": df["batch_id"], "Thời gian": df["uploaded_at"], "Người gửi": df["uploaded_by"].fillna("–"),
        "Tệp": df["file_name"].fillna("–"),
        "Đơn vị": [batch_units_text(n, u, names) for n, u in zip(df["unit_name"], df["units"])],
        "Kỳ": df["period"].replace("", "–"), "Số dòng": df["rows"], "Trạng thái": df["status_label"],
    })


def batch_choices(df: pd.DataFrame) -> dict[int, str]:
    return {int(r.batch_id): f"Lô {r.batch_id} — {r.file_name or r.kind_label} — {r.period or 'không ghi kỳ'}"
            for r in df.itertuples()}


def batch_facts(info: dict, names: dict) -> list[tuple[str, str]]:
    facts = [
        ("Người gửi", info["uploaded_by"] or "–"), ("Thời gian", datetime(info["uploaded_at"])),
        ("Tệp", info["file_name"] or "–"), ("Loại", info["kind_label"]),
        ("Đơn vị", batch_units_text(info["unit_name"], info["units"], names)),
        ("Kỳ", info["period"] or "–"), ("Số dòng", number(info["rows"])),
    ]
    if info["status"] == "rolled_back":
        facts.append(("Hoàn tác", f"{datetime(info['rolled_back_at'])} bởi {info['rolled_back_by'] or '–'}"))
    if info["is_sample"]:
        facts.append(("Ghi chú", "Dữ liệu mẫu"))
    elif isinstance(info["note"], str) and info["note"]:
        facts.append(("Ghi chú", info["note"]))
    return facts


def batch_rows_table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Loại": rows["what"], "Đơn vị / đối tượng": rows["unit_or_entity"], "Kỳ": rows["period"],
        "Chỉ tiêu": rows["item"], "Giá trị": rows["value"],
        "Đang dùng": rows["current"].map({True: "Có", False: "Không"}).fillna("–"),
        "Trang tính": rows["sheet"].fillna("–"),
        "Dòng": [MISSING if pd.isna(r) else str(int(r)) for r in rows["row_no"]], "Cột": rows["col"].fillna("–"),
    })


def rollback_table(effect: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Loại": effect["what"], "Đơn vị": effect["unit_or_entity"], "Kỳ": effect["period"],
                         "Chỉ tiêu": effect["item"], "Đang dùng": effect["now"],
                         "Sau khi hoàn tác": effect["after"]})


# --- Chỉ tiêu -------------------------------------------------------------------------------------------------
TARGET_COLUMNS = {"annual": None, "q1": 1, "q2": 2, "q3": 3, "q4": 4}  # admin_queries.target_grid's columns


def units_valid_in(units: pd.DataFrame, year: int) -> pd.DataFrame:
    start, end = year_bounds(year)
    return units[[unit_active(vf, vt, start, end) for vf, vt in zip(units["valid_from"], units["valid_to"])]]


def has_targets(grid: pd.DataFrame) -> bool:
    return bool(grid[list(TARGET_COLUMNS)].notna().any().any())


def filled_from(base: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """`base` with every cell that `previous` (another year's grid) has taken from it."""
    filled = base.copy()
    for col in TARGET_COLUMNS:
        filled[col] = previous[col].where(previous[col].notna(), base[col])
    return filled


def _value(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v


def target_values(grid: pd.DataFrame) -> dict:
    return {(row["metric_code"], quarter): _value(row[col])
            for _, row in grid.iterrows() for col, quarter in TARGET_COLUMNS.items()}


def changed_cells(current: pd.DataFrame, edited: pd.DataFrame) -> int:
    now = target_values(current)
    return sum(1 for k, v in target_values(edited).items() if not (v is None and now.get(k) is None)
               and (v is None or now.get(k) is None or abs(float(v) - float(now[k])) > 1e-9))


# --- Chưa báo cáo ---------------------------------------------------------------------------------------------
def reported_share(n_done: int, n_expected: int) -> float | None:
    return n_done / n_expected if n_expected else None


def reminder_text(period: str, unit_names, today: dt.date) -> str:
    lines = "\n".join(f"{i}. {n}" for i, n in enumerate(unit_names, start=1))
    return (f"Đến ngày {date(today)}, các đơn vị sau chưa gửi báo cáo kết quả công tác cải cách hành chính "
            f"{period}:\n{lines}\nĐề nghị các đơn vị gửi báo cáo qua hệ thống (trang Tải lên) trong thời gian sớm "
            "nhất.")
