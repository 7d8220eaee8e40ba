"""Read-side queries for saved yearly plans (the Kế hoạch page, the giao ban deck): pure functions
``f(con, ...) -> DataFrame | value``. They only read (batch, unit, entity, plan_doc, plan_task, plan_task_status,
plan_target, through loaders.plans.load_tasks / task_marks); a task's status comes from loaders.plans.task_status,
the one rule, and the units a group of units stands for from loaders.plans.groups, the one rule.

A task belongs to each of its lead units, and to every unit of a group that leads it ('Các sở, ban, ngành'): each
sees it as its own and marks it for itself. A task of several units is done once every one of them has marked it
done; until then it takes the most pressing status among them (late, due, regular, not due).

Task statuses in a quarter: ``late`` (Quá hạn), ``due`` (Đến hạn), ``done`` (Đã xong), ``regular`` (Thường
xuyên), ``not_due`` (Chưa đến hạn); ``STATUSES`` is the display order, ``STATUS_LABEL`` the Vietnamese names.

Public API
----------
- ``plan_years(con) -> list[int]``            years with saved tasks (active plan batches), newest first.
- ``has_tasks(con, year) -> bool``
- ``saved_plans(con)``                        [batch_id, file_name, organisation, unit_code, unit_name, year,
                                              year_end, reference, scope, uploaded_by, uploaded_at, n_targets,
                                              n_index_targets, n_tasks, n_pending] active plan batches, newest first;
                                              reference: 'Kế hoạch số …/KH-SXD tháng 7/2025'.
- ``plan_batch_for_file(con, sha256) -> dict | None``  {batch_id, uploaded_by, uploaded_at} of the active plan
                                              batch holding this very file.
- ``plan_batch_for_unit_year(con, unit_code, year) -> dict | None``  the newest active plan of a unit and year.
- ``plan_batch_like(con, plan) -> dict | None``  the active plan batch holding the same plan from another copy
                                              (loaders.plans.fingerprint), with its file name.
- ``plan_file(con, batch_id) -> (name, bytes) | None``  a saved plan's original file (to review it again).
- ``default_entity(con, province, year) -> str | None``  the province entity a plan names, as it exists in the
                                              year ('Đắk Lắk', 2025 -> 'dak_lak_2025'), as save_plan would choose it.
- ``task_units(con, year)``                   [code, name] of the units that own a task of the year's plans.
- ``task_table(con, year, quarter, today, unit=None, batch=None)``  one row per saved task of the year's plans
                                              (of one plan with `batch`; the tasks `unit` owns with `unit`, their
                                              status being that unit's): [no, task_id, batch_id, organisation,
                                              reference, item, content, lead_code, lead_name, lead_known, assignees,
                                              units_total, units_done, partners, when, schedule, kind, bar_start,
                                              bar_end, deadline, status, status_label, days_late, done_note,
                                              evidence_url, evidence_name, marked_by, marked_at]; bar_start/bar_end:
                                              the task's time in the year (for the timeline); deadline: the end of
                                              the task's time (for a recurring task, the end of the chosen quarter),
                                              NaT when none.
- ``assignment_table(con, year, quarter, today)``  one row per task and unit that owns it: [task_id, no, content,
                                              unit_code, unit_name, lead_name, deadline, status, status_label,
                                              days_late, organisation, when, partners].
- ``overdue(con, year, quarter, today)``      the late rows of task_table, the longest overdue first.
- ``late_tasks(df) -> DataFrame``             the same from a task_table frame already read (pure).
- ``status_counts(df) -> dict``               status -> number of tasks (every status present, 0 when none).
- ``plan_targets(con, batch=None)``           every number the saved plans commit to: [batch_id, reference,
                                              organisation, ordinal, code, code_name, kind, value, unit, per, year,
                                              text, status, status_label, applies_to, applies_name].
- ``task_marks_table(con, task_id)``          [mark_id, year, quarter, period, status, status_label, unit_code,
                                              unit_name, note, evidence_url, evidence_name, has_file, marked_by,
                                              marked_at], newest first.
- ``evidence_file(con, mark_id) -> (name, bytes) | None``
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core.periods import Quarter, quarters_label
from dashboard import fmt

STATUSES = ("late", "due", "done", "regular", "not_due")
STATUS_LABEL = {"late": "Quá hạn", "due": "Đến hạn", "done": "Đã xong", "regular": "Thường xuyên",
                "not_due": "Chưa đến hạn"}
MARK_LABEL = {"done": "Đã xong", "in_progress": "Đang thực hiện", "not_done": "Chưa xong"}
TARGET_STATUS = {"saved": "Đã lưu", "pending": "Chờ gắn chỉ tiêu", "dropped": "Đã bỏ khi soát"}
TASK_COLUMNS = ["no", "task_id", "batch_id", "organisation", "reference", "item", "content", "lead_code", "lead_name",
                "lead_known", "assignees", "units_total", "units_done", "partners", "when", "schedule", "kind",
                "bar_start", "bar_end", "deadline", "status", "status_label", "days_late", "done_note", "evidence_url",
                "evidence_name", "marked_by", "marked_at"]
_PRESSING = ("late", "due", "regular", "not_due", "done")  # a task of several units shows its most pressing status


def plan_years(con) -> list[int]:
    """Every year a saved task runs in (a plan of 2026–2030 gives five years)."""
    rows = con.execute("""
        SELECT DISTINCT unnest(range(t.year, coalesce(t.year_end, t.year) + 1)) AS y
        FROM plan_task t JOIN batch b ON b.id = t.batch_id AND b.status = 'active'
        WHERE t.year IS NOT NULL ORDER BY y DESC""").fetchall()
    return [int(r[0]) for r in rows]


def has_tasks(con, year: int) -> bool:
    """Whether the year has saved tasks (False on a database older than the plan tables)."""
    import duckdb

    try:
        row = con.execute("""
            SELECT count(*) FROM plan_task t JOIN batch b ON b.id = t.batch_id AND b.status = 'active'
            WHERE ? BETWEEN t.year AND coalesce(t.year_end, t.year)""", [int(year)]).fetchone()
    except (duckdb.CatalogException, duckdb.BinderException):  # a database older than the plan tables
        return False
    return bool(row[0])


def _reference(kind, number, symbol, issued, year) -> str:
    from loaders.plans.model import reference_text

    def text(x):
        return x if isinstance(x, str) and x else None

    return reference_text(text(kind), text(number), text(symbol), text(issued), None if pd.isna(year) else int(year))


def saved_plans(con) -> pd.DataFrame:
    df = con.execute("""
        SELECT b.id AS batch_id, b.file_name, coalesce(d.organisation, b.note) AS organisation, b.unit_code,
               u.name AS unit_name, b.year, coalesce(d.year_end, b.year) AS year_end, d.kind, d.number, d.symbol,
               d.issued, coalesce(d.scope, 'unit') AS scope, b.uploaded_by, b.uploaded_at,
               (SELECT count(*) FROM target_value v WHERE v.batch_id = b.id) AS n_targets,
               (SELECT count(*) FROM index_target x WHERE x.batch_id = b.id) AS n_index_targets,
               (SELECT count(*) FROM plan_task t WHERE t.batch_id = b.id) AS n_tasks,
               (SELECT count(*) FROM plan_target p WHERE p.batch_id = b.id AND p.status = 'pending') AS n_pending
        FROM batch b LEFT JOIN unit u ON u.code = b.unit_code LEFT JOIN plan_doc d ON d.batch_id = b.id
        WHERE b.kind = 'plan' AND b.status = 'active'
        ORDER BY b.id DESC""").df()
    df.insert(6, "reference", [_reference(k, n, sy, i, y) for k, n, sy, i, y in
                               zip(df["kind"], df["number"], df["symbol"], df["issued"], df["year"])])
    return df.drop(columns=["kind", "number", "symbol", "issued"])


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


def plan_batch_like(con, plan) -> dict | None:
    """The active plan batch holding the same plan read from another copy (a clean file and a scan of it)."""
    from loaders.plans.save import same_plan_batch

    batch_id = same_plan_batch(con, plan)
    if batch_id is None:
        return None
    row = con.execute("SELECT id, uploaded_by, uploaded_at, file_name FROM batch WHERE id = ?", [batch_id]).fetchone()
    return {"batch_id": row[0], "uploaded_by": row[1], "uploaded_at": row[2], "file_name": row[3]}


def plan_file(con, batch_id: int) -> tuple[str, bytes] | None:
    """A saved plan's original file: to read and review it again."""
    row = con.execute("SELECT file_name, content FROM batch WHERE id = ? AND kind = 'plan'", [int(batch_id)]).fetchone()
    if row is None or row[1] is None:
        return None
    return row[0] or "ke_hoach.txt", bytes(row[1])


def default_entity(con, province: str | None, year: int | None = None) -> str | None:
    from loaders.plans import province_entity

    return province_entity(con, province, year)


def _bar(task, year: int) -> tuple[dt.date, dt.date]:
    """The task's time inside the year: its span, its months, or the whole year."""
    s = task.schedule
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if task.starts and first <= task.starts <= last:
        first = task.starts  # a plan issued mid-year runs from its first quarter
    span = s.span()
    if span is not None:
        start, end = span
        return max(start, first), max(min(end, last), max(start, first))
    if s.kind == "monthly" and s.months and len(s.months) < 12:
        a, b = min(s.months), max(s.months)
        return max(dt.date(year, a, 1), first), _month_end(year, b)
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


def _lead_name(ref, names: dict, group_names: dict) -> str:
    if ref.kind == "group":
        return group_names.get(ref.code, ref.text)
    return names.get(ref.code, ref.text) if ref.code else ref.text


def _own_marks(marks: list[dict], unit: str | None) -> list[dict]:
    """The marks that count for one unit: its own and those for the task as a whole."""
    return [m for m in marks if unit is None or m.get("unit_code") in (None, unit)]


def _plans_by_batch(con) -> dict:
    from loaders.plans.model import plan_start

    rows = con.execute("""
        SELECT b.id, coalesce(d.organisation, b.note), d.kind, d.number, d.symbol, d.issued, b.year, d.issuer_code,
               d.not_before
        FROM batch b LEFT JOIN plan_doc d ON d.batch_id = b.id WHERE b.kind = 'plan'""").fetchall()
    return {r[0]: {"organisation": r[1], "reference": _reference(r[2], r[3], r[4], r[5], r[6]), "issuer": r[7],
                   "starts": plan_start(r[5], r[8])} for r in rows}


def _assigned(con, year: int):
    """(tasks of the year, their marks by task, unit names, group names, plans by batch, units that own each task)."""
    from loaders.plans import load_tasks, task_marks
    from loaders.plans.groups import assignees, groups
    from loaders.plans.save import registry_units, year_span

    tasks = load_tasks(con, year=year)
    marks = task_marks(con, [t.id for t in tasks]) if tasks else []
    by_task: dict[int, list[dict]] = {}
    for m in marks:
        by_task.setdefault(m["task_id"], []).append(m)
    units = registry_units(con)
    names = {u["code"]: u["name"] for u in units}
    group_names = {g.code: g.name for g in groups()}
    plans = _plans_by_batch(con)
    batch_of = dict(con.execute("SELECT id, batch_id FROM plan_task WHERE list_contains(?, id)",
                                [[t.id for t in tasks]]).fetchall()) if tasks else {}
    def owners_of(t):
        plan = plans.get(batch_of.get(t.id), {})
        return assignees(t.leads, units, plan.get("issuer"), year_span(year, plan.get("starts")))

    owners = {t.id: owners_of(t) for t in tasks}
    return tasks, by_task, names, group_names, plans, batch_of, owners


def task_units(con, year: int) -> pd.DataFrame:
    """The units that own a task of the year's plans (for the unit filter), by name."""
    tasks, _, names, _, _, _, owners = _assigned(con, int(year))
    codes = sorted({c for t in tasks for c in owners[t.id]}, key=lambda c: names.get(c, c))
    return pd.DataFrame({"code": codes, "name": [names.get(c, c) for c in codes]})


def _status_for(task, owners: list[str], marks: list[dict], year: int, quarter: int, today: dt.date,
                unit: str | None) -> tuple[str, int]:
    """(status, units done) of a task in a quarter: one unit's, or the most pressing of its units'."""
    from loaders.plans import task_status

    if unit is not None or len(owners) <= 1:
        status = task_status(task, year, quarter, today, _own_marks(marks, unit))
        return status, int(status == "done") * max(len(owners), 1)
    each = [task_status(task, year, quarter, today, _own_marks(marks, u)) for u in owners]
    done = sum(s == "done" for s in each)
    return min(each, key=_PRESSING.index), done


def task_table(con, year: int, quarter: int, today: dt.date, unit: str | None = None,
               batch: int | None = None) -> pd.DataFrame:
    year, quarter = int(year), int(quarter)
    tasks, by_task, names, group_names, plans, batch_of, owners = _assigned(con, year)
    rows = []
    n = 0
    for t in tasks:
        n += 1
        if (batch is not None and batch_of.get(t.id) != int(batch)) or (unit is not None and unit not in owners[t.id]):
            continue
        own = by_task.get(t.id, [])
        status, done_units = _status_for(t, owners[t.id], own, year, quarter, today, unit)
        start, end = _bar(t, year)
        deadline = _deadline(t, year, quarter)
        done = _done_mark(_own_marks(own, unit), t, year, quarter) if status == "done" else None
        plan = plans.get(batch_of.get(t.id), {})
        lead_code = t.lead.unit_code if t.lead else None
        rows.append({
            "no": n, "task_id": t.id, "batch_id": batch_of.get(t.id), "organisation": plan.get("organisation"),
            "reference": plan.get("reference"), "item": t.path, "content": t.content, "lead_code": lead_code,
            "lead_name": "; ".join(_lead_name(u, names, group_names) for u in t.leads) or None,
            "lead_known": bool(t.leads) and all(u.known for u in t.leads), "assignees": owners[t.id],
            "units_total": len(owners[t.id]), "units_done": done_units,
            "partners": "; ".join(p.text for p in t.partners),
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


def assignment_table(con, year: int, quarter: int, today: dt.date) -> pd.DataFrame:
    """One row per task and unit that owns it: each unit of a group sees the task as its own."""
    year, quarter = int(year), int(quarter)
    tasks, by_task, names, group_names, plans, batch_of, owners = _assigned(con, year)
    from loaders.plans import task_status

    rows = []
    for n, t in enumerate(tasks, start=1):
        deadline = _deadline(t, year, quarter)
        lead = "; ".join(_lead_name(u, names, group_names) for u in t.leads) or None
        for u in owners[t.id] or [None]:
            status = task_status(t, year, quarter, today, _own_marks(by_task.get(t.id, []), u))
            rows.append({"task_id": t.id, "no": n, "content": t.content, "unit_code": u,
                         "unit_name": names.get(u, lead) if u else lead, "lead_name": lead, "deadline": deadline,
                         "status": status, "status_label": STATUS_LABEL[status],
                         "days_late": (today - deadline).days if status == "late" and deadline else None,
                         "organisation": plans.get(batch_of.get(t.id), {}).get("organisation"),
                         "when": t.schedule.when, "partners": "; ".join(p.text for p in t.partners)})
    df = pd.DataFrame(rows, columns=["task_id", "no", "content", "unit_code", "unit_name", "lead_name", "deadline",
                                     "status", "status_label", "days_late", "organisation", "when", "partners"])
    df["deadline"] = pd.to_datetime(df["deadline"])
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


def target_period_label(year, quarters) -> str:
    """'2025' for a whole year, 'Quý III–IV/2025' for the quarters a target applies to; '' when no year."""
    if year is None or pd.isna(year):
        return ""
    qs = list(quarters) if hasattr(quarters, "__len__") and not isinstance(quarters, str) else []
    return f"{quarters_label(qs)}/{int(year)}" if qs else str(int(year))


def plan_targets(con, batch: int | None = None) -> pd.DataFrame:
    """Every number the active plans commit to, with the plan it came from (number and date)."""
    from loaders.plans.groups import groups

    df = con.execute("""
        SELECT p.batch_id, coalesce(d.organisation, b.note) AS organisation, d.kind, d.number, d.symbol, d.issued,
               b.year AS plan_year, p.ordinal, p.code, coalesce(m.name, x.name) AS code_name, p.kind AS target_kind,
               p.value, p.unit, p.per, p.year, p.quarters, p.text, p.status, p.applies_to,
               coalesce(u.name, e.name) AS applies_name
        FROM plan_target p JOIN batch b ON b.id = p.batch_id AND b.status = 'active'
        LEFT JOIN plan_doc d ON d.batch_id = p.batch_id
        LEFT JOIN metric m ON m.code = p.code LEFT JOIN index_def x ON x.code = p.code
        LEFT JOIN unit u ON u.code = p.applies_to LEFT JOIN entity e ON e.code = p.applies_to
        WHERE ? IS NULL OR p.batch_id = ?
        ORDER BY p.batch_id DESC, p.ordinal""", [batch, batch]).df()
    df.insert(1, "reference", [_reference(k, n, sy, i, y) for k, n, sy, i, y in
                               zip(df["kind"], df["number"], df["symbol"], df["issued"], df["plan_year"])])
    df["status_label"] = df["status"].map(TARGET_STATUS)
    df["period_label"] = [target_period_label(y, q) for y, q in zip(df["year"], df["quarters"])]
    group_names = {g.code: g.name for g in groups()}
    df["applies_name"] = [a if isinstance(a, str) else group_names.get(c, c) if isinstance(c, str) else None
                          for a, c in zip(df["applies_name"], df["applies_to"])]
    return df.drop(columns=["kind", "number", "symbol", "issued", "plan_year"]).rename(columns={"target_kind": "kind"})


def task_marks_table(con, task_id: int) -> pd.DataFrame:
    df = con.execute("""
        SELECT s.rowid AS mark_id, s.year, s.quarter, s.status, s.unit_code, u.name AS unit_name, s.note,
               s.evidence_url, s.evidence_name, s.evidence_file IS NOT NULL AS has_file, s.marked_by, s.marked_at
        FROM plan_task_status s LEFT JOIN unit u ON u.code = s.unit_code
        WHERE s.task_id = ? ORDER BY s.marked_at DESC, s.rowid DESC""", [int(task_id)]).df()
    df.insert(3, "period", [fmt.quarter(y, q) for y, q in zip(df["year"], df["quarter"])])
    df.insert(5, "status_label", df["status"].map(MARK_LABEL))
    return df


def evidence_file(con, mark_id: int) -> tuple[str, bytes] | None:
    row = con.execute("SELECT evidence_name, evidence_file FROM plan_task_status WHERE rowid = ?",
                      [int(mark_id)]).fetchone()
    if row is None or row[1] is None:
        return None
    return row[0] or "minh_chung", bytes(row[1])
