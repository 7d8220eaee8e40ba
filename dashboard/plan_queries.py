"""Read-side queries for saved yearly plans (the Kế hoạch page, the giao ban deck): pure functions
``f(con, ...) -> DataFrame | value``. They only read (batch, unit, entity, plan_task, plan_task_status, through
loaders.plans.load_tasks / task_marks); a task's status comes from loaders.plans.task_status, the one rule.

Task statuses in a quarter: ``late`` (Quá hạn), ``due`` (Đến hạn), ``done`` (Đã xong), ``regular`` (Thường
xuyên), ``not_due`` (Chưa đến hạn); ``STATUSES`` is the display order, ``STATUS_LABEL`` the Vietnamese names.

Public API
----------
- ``plan_years(con) -> list[int]``            years with saved tasks (active plan batches), newest first.
- ``has_tasks(con, year) -> bool``
- ``saved_plans(con)``                        [batch_id, file_name, organisation, unit_code, unit_name, year,
                                              uploaded_by, uploaded_at, n_targets, n_index_targets, n_tasks]
                                              active plan batches, newest first.
- ``plan_batch_for_file(con, sha256) -> dict | None``  {batch_id, uploaded_by, uploaded_at} of the active plan
                                              batch holding this very file.
- ``default_entity(con, province, year) -> str | None``  the province entity a plan names ('Sóc Trăng' ->
                                              'soc_trang'), as save_plan would choose it.
- ``task_table(con, year, quarter, today)``   one row per saved task of the year's plans: [no, task_id, batch_id,
                                              organisation, content, lead_code, lead_name, lead_known, partners,
                                              when, schedule, kind, bar_start, bar_end, deadline, status,
                                              status_label, days_late, done_note, evidence_url, evidence_name,
                                              marked_by, marked_at]; bar_start/bar_end: the task's time in the
                                              year (for the timeline); deadline: the end of the task's time (for
                                              a recurring task, the end of the chosen quarter), NaT when none.
- ``overdue(con, year, quarter, today)``      the late rows of task_table, the longest overdue first.
- ``late_tasks(df) -> DataFrame``             the same from a task_table frame already read (pure).
- ``status_counts(df) -> dict``               status -> number of tasks (every status present, 0 when none).
- ``task_marks_table(con, task_id)``          [mark_id, year, quarter, period, status, status_label, note,
                                              evidence_url, evidence_name, has_file, marked_by, marked_at], newest
                                              first.
- ``evidence_file(con, mark_id) -> (name, bytes) | None``
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core.periods import Quarter
from dashboard import fmt

STATUSES = ("late", "due", "done", "regular", "not_due")
STATUS_LABEL = {"late": "Quá hạn", "due": "Đến hạn", "done": "Đã xong", "regular": "Thường xuyên",
                "not_due": "Chưa đến hạn"}
MARK_LABEL = {"done": "Đã xong", "in_progress": "Đang thực hiện", "not_done": "Chưa xong"}
TASK_COLUMNS = ["no", "task_id", "batch_id", "organisation", "content", "lead_code", "lead_name", "lead_known",
                "partners", "when", "schedule", "kind", "bar_start", "bar_end", "deadline", "status", "status_label",
                "days_late", "done_note", "evidence_url", "evidence_name", "marked_by", "marked_at"]


def plan_years(con) -> list[int]:
    rows = con.execute("""
        SELECT DISTINCT t.year FROM plan_task t JOIN batch b ON b.id = t.batch_id AND b.status = 'active'
        WHERE t.year IS NOT NULL ORDER BY t.year DESC""").fetchall()
    return [int(r[0]) for r in rows]


def has_tasks(con, year: int) -> bool:
    """Whether the year has saved tasks (False on a database older than the plan tables)."""
    import duckdb

    try:
        row = con.execute("""
            SELECT count(*) FROM plan_task t JOIN batch b ON b.id = t.batch_id AND b.status = 'active'
            WHERE t.year = ?""", [int(year)]).fetchone()
    except duckdb.CatalogException:
        return False
    return bool(row[0])


def saved_plans(con) -> pd.DataFrame:
    return con.execute("""
        SELECT b.id AS batch_id, b.file_name, b.note AS organisation, b.unit_code, u.name AS unit_name, b.year,
               b.uploaded_by, b.uploaded_at,
               (SELECT count(*) FROM target_value v WHERE v.batch_id = b.id) AS n_targets,
               (SELECT count(*) FROM index_target x WHERE x.batch_id = b.id) AS n_index_targets,
               (SELECT count(*) FROM plan_task t WHERE t.batch_id = b.id) AS n_tasks
        FROM batch b LEFT JOIN unit u ON u.code = b.unit_code
        WHERE b.kind = 'plan' AND b.status = 'active'
        ORDER BY b.id DESC""").df()


def plan_batch_for_file(con, sha256: str) -> dict | None:
    row = con.execute("""
        SELECT id, uploaded_by, uploaded_at FROM batch
        WHERE sha256 = ? AND kind = 'plan' AND status = 'active' ORDER BY id DESC LIMIT 1""", [sha256]).fetchone()
    return None if row is None else {"batch_id": row[0], "uploaded_by": row[1], "uploaded_at": row[2]}


def plan_batch_for_unit_year(con, unit_code: str | None, year: int | None) -> dict | None:
    """The newest active plan batch of this unit and year: a revised plan replaces it."""
    if not unit_code or not year:
        return None
    row = con.execute("""
        SELECT id, uploaded_by, uploaded_at, file_name FROM batch
        WHERE kind = 'plan' AND status = 'active' AND unit_code = ? AND year = ? ORDER BY id DESC LIMIT 1""",
                      [unit_code, int(year)]).fetchone()
    return None if row is None else {"batch_id": row[0], "uploaded_by": row[1], "uploaded_at": row[2],
                                     "file_name": row[3]}


def default_entity(con, province: str | None, year: int | None = None) -> str | None:
    from loaders.plans import province_entity

    return province_entity(con, province, year)


def _bar(task, year: int) -> tuple[dt.date, dt.date]:
    """The task's time inside the year: its span, its months, or the whole year."""
    s = task.schedule
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    span = s.span()
    if span is not None:
        start, end = span
        return max(start, first), min(end, last)
    if s.kind == "monthly" and s.months and len(s.months) < 12:
        a, b = min(s.months), max(s.months)
        return dt.date(year, a, 1), _month_end(year, b)
    return first, last


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


def _deadline(task, year: int, quarter: int) -> dt.date | None:
    s = task.schedule
    if s.kind in ("regular", "on_request"):
        return None
    if s.kind in ("monthly", "quarterly"):
        return Quarter(year, quarter).end
    span = s.span()
    return span[1] if span else Quarter(year, quarter).end


def _done_mark(marks: list[dict], task, year: int, quarter: int) -> dict | None:
    """The mark that makes the task done in the quarter (the newest one), if any."""
    recurring = task.schedule.kind in ("monthly", "quarterly", "regular", "on_request")
    best = None
    for m in marks:
        if m["status"] != "done":
            continue
        key = (int(m["year"]), int(m["quarter"]))
        if (key == (year, quarter)) if recurring else (key <= (year, quarter)):
            best = m  # marks come oldest first
    return best


def task_table(con, year: int, quarter: int, today: dt.date) -> pd.DataFrame:
    from loaders.plans import load_tasks, task_marks, task_status

    year, quarter = int(year), int(quarter)
    tasks = load_tasks(con, year=year)
    if not tasks:
        return pd.DataFrame(columns=TASK_COLUMNS)
    marks = task_marks(con, [t.id for t in tasks])
    by_task: dict[int, list[dict]] = {}
    for m in marks:
        by_task.setdefault(m["task_id"], []).append(m)
    names = dict(con.execute("SELECT code, name FROM unit").fetchall())
    batches = {r[0]: r[1] for r in con.execute("SELECT id, note FROM batch WHERE kind = 'plan'").fetchall()}
    batch_of = dict(con.execute("SELECT id, batch_id FROM plan_task WHERE list_contains(?, id)",
                                [[t.id for t in tasks]]).fetchall())
    rows = []
    for n, t in enumerate(tasks, start=1):
        own = by_task.get(t.id, [])
        status = task_status(t, year, quarter, today, own)
        start, end = _bar(t, year)
        deadline = _deadline(t, year, quarter)
        done = _done_mark(own, t, year, quarter) if status == "done" else None
        lead_code = t.lead.code if t.lead else None
        rows.append({
            "no": n, "task_id": t.id, "batch_id": batch_of.get(t.id), "organisation": batches.get(batch_of.get(t.id)),
            "content": t.content, "lead_code": lead_code,
            "lead_name": names.get(lead_code) if lead_code else (t.lead.text if t.lead else None),
            "lead_known": lead_code is not None, "partners": "; ".join(p.text for p in t.partners),
            "when": t.schedule.when, "schedule": t.schedule.label, "kind": t.schedule.kind,
            "bar_start": start, "bar_end": end, "deadline": deadline, "status": status,
            "status_label": STATUS_LABEL[status],
            "days_late": (today - deadline).days if status == "late" and deadline else None,
            "done_note": done["note"] if done else None, "evidence_url": done["evidence_url"] if done else None,
            "evidence_name": done["evidence_name"] if done else None, "marked_by": done["marked_by"] if done else None,
            "marked_at": done["marked_at"] if done else None,
        })
    df = pd.DataFrame(rows, columns=TASK_COLUMNS)
    for col in ("bar_start", "bar_end", "deadline"):
        df[col] = pd.to_datetime(df[col])
    df["days_late"] = df["days_late"].astype("Int64")
    return df


def late_tasks(df: pd.DataFrame) -> pd.DataFrame:
    """The late rows of a task_table frame, the longest overdue first (then in plan order): the one ordering of
    the overdue list."""
    late = df[df["status"] == "late"]
    return late.sort_values(["days_late", "no"], ascending=[False, True], kind="stable").reset_index(drop=True)


def overdue(con, year: int, quarter: int, today: dt.date) -> pd.DataFrame:
    return late_tasks(task_table(con, year, quarter, today))


def status_counts(df: pd.DataFrame) -> dict[str, int]:
    counts = df["status"].value_counts() if len(df) else {}
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def task_marks_table(con, task_id: int) -> pd.DataFrame:
    df = con.execute("""
        SELECT rowid AS mark_id, year, quarter, status, note, evidence_url, evidence_name,
               evidence_file IS NOT NULL AS has_file, marked_by, marked_at
        FROM plan_task_status WHERE task_id = ? ORDER BY marked_at DESC, rowid DESC""", [int(task_id)]).df()
    df.insert(3, "period", [fmt.quarter(y, q) for y, q in zip(df["year"], df["quarter"])])
    df.insert(5, "status_label", df["status"].map(MARK_LABEL))
    return df


def evidence_file(con, mark_id: int) -> tuple[str, bytes] | None:
    row = con.execute("SELECT evidence_name, evidence_file FROM plan_task_status WHERE rowid = ?",
                      [int(mark_id)]).fetchone()
    if row is None or row[1] is None:
        return None
    return row[0] or "minh_chung", bytes(row[1])
