"""Targets edited on the Chỉ tiêu page: per unit × indicator × year, annual and optionally per quarter.

A save is a batch (kind target_edit) holding only the cells that changed, with a CSV of the changes as
its "file": the History page lists it, can download it and roll it back like an upload. Only an
administrator (quan_tri) sets targets. Validation messages name the indicator and the column.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass

from core.numbers import auto as _num
from core.periods import quarter_short_label
from core.rules import active_sql, unit_active, valid_year, year_bounds, year_range_text
from core.text import csv_safe
from loaders.accounts.audit import record
from loaders.accounts.users import User, require_role
from loaders.store.batches import Batch, TargetRow, WriteResult, write_batch
from loaders.store.writer import one_writer

Key = tuple[str, "int | None"]  # (metric_code, quarter or None for the annual target)


class TargetEditError(ValueError):
    """Validation failed; `errors` lists every problem (Vietnamese, each naming indicator and column)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass(frozen=True)
class Change:
    metric_code: str
    quarter: int | None
    old: float | None
    new: float


def column_label(quarter: int | None) -> str:
    return "Cả năm" if quarter is None else quarter_short_label(quarter)


def targets_of(con, unit_code: str, year: int) -> dict[Key, float]:
    """The unit's current targets of a year as set (annual: quarter None), without any split."""
    rows = con.execute(
        "SELECT metric_code, quarter, target FROM cur_target WHERE unit_code = ? AND year = ?", [unit_code, year]
    ).fetchall()
    return {(m, q): v for m, q, v in rows}


def _metrics(con) -> dict[str, tuple[str, str]]:
    return {c: (n, k) for c, n, k in con.execute("SELECT code, name, kind FROM metric").fetchall()}


def _clean(v) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return float("nan")
    return None if math.isnan(f) and not isinstance(v, str) else f


def validate(con, unit_code: str, year: int, values: dict[Key, object]) -> tuple[list[Change], list[str]]:
    """Changes the values make against the current targets, and every problem found."""
    errors: list[str] = []
    unit = con.execute("SELECT name, valid_from, valid_to FROM unit WHERE code = ?", [unit_code]).fetchone()
    if unit is None:
        return [], [f"không có đơn vị mã “{unit_code}”"]
    if not isinstance(year, int) or not valid_year(year):
        return [], [f"năm {year} không hợp lệ (cần {year_range_text()})"]
    name, vfrom, vto = unit
    if not unit_active(vfrom, vto, *year_bounds(year)) and vto is not None and vto.year < year:
        errors.append(f"“{name}” đã ngừng hoạt động từ {vto + dt.timedelta(days=1):%d/%m/%Y}: "
                      f"không đặt chỉ tiêu năm {year}")
    elif not unit_active(vfrom, vto, *year_bounds(year)):
        errors.append(f"“{name}” bắt đầu hoạt động từ {vfrom:%d/%m/%Y}: không đặt chỉ tiêu năm {year}")
    metrics = _metrics(con)
    current = targets_of(con, unit_code, year)
    changes: list[Change] = []
    clean: dict[Key, float | None] = {}
    for (code, quarter), raw in values.items():
        if code not in metrics:
            errors.append(f"không có chỉ tiêu mã “{code}”")
            continue
        mname, kind = metrics[code]
        where = f"Chỉ tiêu “{mname}”, cột {column_label(quarter)}"
        if quarter is not None and quarter not in (1, 2, 3, 4):
            errors.append(f"{where}: quý {quarter} không hợp lệ")
            continue
        v = _clean(raw)
        old = current.get((code, quarter))
        if v is None:
            clean[(code, quarter)] = old
            if old is not None:
                errors.append(f"{where}: ô bị xóa trống (đang là {_num(old)}) — không xóa được chỉ tiêu đã đặt; "
                              "hãy nhập giá trị khác hoặc hoàn tác lần lưu trước ở trang Lịch sử")
            continue
        if math.isnan(v) or math.isinf(v):
            errors.append(f"{where}: giá trị “{raw}” không phải là số")
            continue
        if v < 0:
            errors.append(f"{where}: giá trị {_num(v)} âm — chỉ tiêu phải từ 0 trở lên")
            continue
        if kind == "rate" and v > 100:
            errors.append(f"{where}: tỷ lệ {_num(v)}% vượt quá 100%")
            continue
        if kind == "count" and not float(v).is_integer():
            errors.append(f"{where}: {_num(v)} — chỉ tiêu số lượng phải là số nguyên")
            continue
        clean[(code, quarter)] = v
        if old is None or abs(old - v) > 1e-9:
            changes.append(Change(code, quarter, old, v))
    # Quarters of a count must not add up to more (or, all four given, to other) than the annual figure.
    merged = {**current, **{k: v for k, v in clean.items() if v is not None}}
    for code, (mname, kind) in metrics.items():
        if kind != "count":
            continue
        annual = merged.get((code, None))
        quarters = [merged.get((code, q)) for q in (1, 2, 3, 4)]
        given = [q for q in quarters if q is not None]
        if annual is None or not given:
            continue
        total = sum(given)
        if len(given) == 4 and abs(total - annual) > 1e-9:
            errors.append(f"Chỉ tiêu “{mname}”: tổng bốn quý ({_num(total)}) khác chỉ tiêu cả năm ({_num(annual)})")
        elif total > annual + 1e-9:
            errors.append(f"Chỉ tiêu “{mname}”: tổng các quý đã nhập ({_num(total)}) vượt chỉ tiêu cả năm "
                          f"({_num(annual)})")
    return changes, errors


def _changes_csv(year: int, items: list[tuple[str, Change]], metrics, by: str, at: dt.datetime) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["ma_don_vi", "nam", "quy", "ma_chi_tieu", "chi_tieu", "gia_tri_cu", "gia_tri_moi", "nguoi_sua",
                "luu_luc"])
    for unit_code, c in items:
        w.writerow([unit_code, year, c.quarter or "", c.metric_code, csv_safe(metrics[c.metric_code][0]),
                    "" if c.old is None else c.old, c.new, by, at.isoformat(timespec="seconds")])
    return buf.getvalue().encode("utf-8-sig")


def save_targets(con, user: User | None, unit_code: str, year: int, values: dict[Key, object],
                 note: str | None = None) -> tuple[WriteResult | None, list[Change]]:
    """Validate and save the changed cells as one batch; (None, []) when nothing changed.
    Raises PermissionDenied (not an administrator) or TargetEditError (with every problem)."""
    user = require_role(con, user, "quan_tri")
    changes, errors = validate(con, unit_code, year, values)
    if errors:
        raise TargetEditError(errors)
    if not changes:
        return None, []
    items = [(unit_code, c) for c in changes]
    return _write(con, user, unit_code, year, items, note or "Sửa chỉ tiêu trên trang Chỉ tiêu"), changes


@one_writer
def _write(con, user: User, unit_code: str | None, year: int, items: list[tuple[str, Change]],
           note: str) -> WriteResult:
    """items: (unit_code, change) pairs; unit_code None on the batch: several units."""
    metrics = _metrics(con)
    now = dt.datetime.now().replace(microsecond=0)
    rows = [TargetRow(u, year, c.quarter, c.metric_code, c.new, sheet="Chỉ tiêu", col=column_label(c.quarter))
            for u, c in items]
    content = _changes_csv(year, items, metrics, user.username, now)
    file_name = f"chi_tieu_{unit_code or 'nhieu_don_vi'}_{year}_{now:%Y%m%d_%H%M%S}.csv"
    result = write_batch(con, Batch("target_edit", file_name=file_name, content=content, uploaded_by=user.username,
                                    unit_code=unit_code, year=year, note=note, targets=rows))
    who = unit_code or f"{len({u for u, _ in items})} đơn vị"
    record(con, user.username, "target_edit", f"lô {result.batch_id}: {len(rows)} ô chỉ tiêu năm {year} của {who}")
    return result


def copy_year_for_units(con, user: User | None, from_year: int, to_year: int,
                        unit_codes: list[str] | None = None) -> tuple[WriteResult | None, int]:
    """Start a year from the previous one: copy `from_year`'s targets into `to_year` for every unit (or the
    listed ones) that has no target of its own for that year yet. Returns (batch or None, cells copied)."""
    user = require_role(con, user, "quan_tri")
    rows = con.execute(
        """SELECT s.unit_code, s.metric_code, s.quarter, s.target
           FROM cur_target s JOIN unit u ON u.code = s.unit_code
           WHERE s.year = $from AND """ + active_sql("u", "$start", "$end") + """
             AND NOT EXISTS (SELECT 1 FROM cur_target t WHERE t.unit_code = s.unit_code AND t.year = $to)
           ORDER BY s.unit_code, s.metric_code, s.quarter NULLS FIRST""",
        {"from": from_year, "to": to_year, "start": year_bounds(to_year)[0], "end": year_bounds(to_year)[1]},
    ).fetchall()
    if unit_codes is not None:
        rows = [r for r in rows if r[0] in set(unit_codes)]
    if not rows:
        return None, 0
    items = [(u, Change(m, q, None, v)) for u, m, q, v in rows]
    note = f"Chỉ tiêu năm {to_year} sao chép từ năm {from_year}"
    return _write(con, user, None, to_year, items, note), len(items)
