"""Status of a plan task in a quarter: 'done' | 'due' | 'late' | 'regular' | 'not_due'.

- regular ('Thường xuyên'): 'done' when marked done for that quarter, else 'regular' (never late).
- on_request ('Khi Sở Nội vụ có yêu cầu'): 'done' when marked done for that quarter, else 'not_due'.
- monthly / quarterly: each quarter of the plan's year is its own period — 'done' when marked done for that
  quarter; 'late' once the quarter has ended without it; 'due' while it runs; 'not_due' before it starts
  (and for quarters outside the plan's year).
- a quarter that ends before the task starts (a plan issued in July has no Quý I–II): 'not_due'.
- one-off tasks (month, month_range, quarter, year): 'done' once marked done in that quarter or an earlier one;
  'not_due' for a quarter that ends before the task's time starts, or while today is before it; 'late' once
  today is past the deadline (the end of its last month); 'due' otherwise.

`marks` are the task's marks (dicts or objects with year, quarter, status and optionally task_id and
marked_at); the newest mark of a quarter counts. Marks of other tasks are ignored when task_id is given.
"""
from __future__ import annotations

import datetime as dt

from core.periods import Quarter
from loaders.plans.model import RECURRING, Task


def _get(mark, key, default=None):
    return mark.get(key, default) if isinstance(mark, dict) else getattr(mark, key, default)


def _latest(marks, task_id) -> dict[tuple[int, int], str]:
    """(year, quarter) -> status of the newest mark."""
    ordered = sorted(
        (m for m in marks if task_id is None or _get(m, "task_id") in (None, task_id)),
        key=lambda m: (_get(m, "marked_at") is not None, _get(m, "marked_at") or dt.datetime.min),
    )
    out: dict[tuple[int, int], str] = {}
    for m in ordered:
        out[(int(_get(m, "year")), int(_get(m, "quarter")))] = _get(m, "status")
    return out


def task_status(task: Task, year: int, quarter: int, today: dt.date, marks=()) -> str:
    q = Quarter(int(year), int(quarter))
    latest = _latest(marks, task.id)
    s = task.schedule
    if task.starts and q.end < task.starts:
        return "not_due"  # before the plan was issued: not a quarter of the plan
    if s.kind == "regular":
        return "done" if latest.get((q.year, q.quarter)) == "done" else "regular"
    if s.kind == "on_request":
        return "done" if latest.get((q.year, q.quarter)) == "done" else "not_due"
    if s.kind in RECURRING:
        if s.year and q.year != s.year:
            return "not_due"
        if s.kind == "monthly" and s.months and not any((m - 1) // 3 + 1 == q.quarter for m in s.months):
            return "not_due"
        if latest.get((q.year, q.quarter)) == "done":
            return "done"
        if today < q.start:
            return "not_due"
        return "late" if today > q.end else "due"
    span = s.span()
    if any(st == "done" and (y, qq) <= (q.year, q.quarter) for (y, qq), st in latest.items()):
        return "done"
    if span is None:  # a one-off task without a year: judged by the quarter alone
        return "late" if today > q.end else ("not_due" if today < q.start else "due")
    start, deadline = span
    if q.end < start or today < start:
        return "not_due"
    if today > deadline:
        return "late"
    return "due"
