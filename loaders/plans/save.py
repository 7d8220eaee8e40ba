"""Save an extracted plan as one batch (kind 'plan'), and read/mark its tasks.

save_plan writes, in one transaction: the batch row (file bytes and SHA-256), the document's identity (plan_doc:
number, date, period, scope, a fingerprint of its content), every number the plan commits to (plan_target: bound to
an indicator or index, awaiting review, or dropped by the reviewer — none is silently lost), the indicator targets
into target_value, the index targets into index_target, and the tasks into plan_task with all their leads. The same
file saved again returns the batch already there.

Indicator targets go to the unit that issued the plan; a province-wide plan's (issued by the UBND tỉnh) go to every
unit of the registry active in the target's year. They are stored for the quarters the plan covers: a whole year as
an annual target ('04 số/tháng' becomes 48; v_quarter_target splits counts evenly); a plan issued in July covers
Quý III and IV only, so its targets are quarterly rows for those quarters (12 a quarter for '04 số/tháng'; a yearly
count split between them; a rate as it is) and Quý I–II have none. A target set per month is marked so (per 'month'):
a month viewed on its own is judged against it (4), not against a share of a yearly or quarterly target.
Index targets go to the province entity that exists in the target's year (the last day of that year: after the
2025 merger, 'Đắk Lắk' in 2025 is the new Đắk Lắk); a plan whose province cannot be found raises PlanSaveError
instead of guessing (pass entity_code= to choose it).

The batch goes through store.write_batch like every other batch; the document, numbers and tasks are written by its
`extra` hook, inside the same transaction.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace

from core.rules import unit_active
from core.text import fold
from loaders.plans.fingerprint import fingerprint, same_plan
from loaders.plans.model import RECURRING, Plan, Schedule, Target, Task, UnitRef, plan_start
from loaders.store.batches import Batch, BatchError, IndexTargetRow, TargetRow, find_active_batch, write_batch
from loaders.store.writer import one_writer

STATUSES = ("done", "in_progress", "not_done")
_PER_QUARTER = {"month": 3, "quarter": 1, "week": 13}


class PlanSaveError(ValueError):
    """The plan cannot be saved as it is; the message says why, in Vietnamese."""


def _columns(con, table: str) -> set[str]:
    return {r[0] for r in con.execute(f"SELECT * FROM {table} LIMIT 0").description}


def province_entity(con, province: str | None, year: int | None = None) -> str | None:
    """The entity code of a province named in a plan, as it exists on the last day of `year` ('Sóc Trăng', 2024 ->
    'soc_trang'; 'Đắk Lắk', 2025 -> 'dak_lak_2025', the province formed on 01/07/2025); None when not found."""
    if not province:
        return None
    has_aliases = "aliases" in _columns(con, "entity")
    rows = con.execute(
        "SELECT code, name, " + ("aliases" if has_aliases else "NULL") + ", valid_from, valid_to, successor FROM entity "
        "WHERE kind IN ('tinh', 'province')").fetchall()
    key = fold(province)

    def names(name, aliases):
        base = [name, name.split("(")[0]] + [a for a in (aliases or "").split(";") if a.strip()]
        return {fold(x) for x in base} | {fold(x.split("(")[0]) for x in base}

    found = [r for r in rows if key in names(r[1], r[2])]
    if year and found:
        day = dt.date(int(year), 12, 31)
        valid = [r for r in found if unit_active(r[3], r[4], day, day)]
        if not valid:  # the province had merged by then: its successor holds the year
            by_code = {r[0]: r for r in rows}
            for r in found:
                nxt = r
                for _ in range(5):
                    if nxt is None or unit_active(nxt[3], nxt[4], day, day):
                        break
                    nxt = by_code.get(nxt[5])
                if nxt is not None and unit_active(nxt[3], nxt[4], day, day):
                    valid.append(nxt)
        found = list({r[0]: r for r in valid}.values()) or found
    exact = [r for r in found if fold(r[1]) == key]
    pick = exact or found
    return pick[0][0] if len(pick) == 1 or exact else None


def home_entities(con) -> tuple[str, ...]:
    """The dashboard's own province and its successors ('dak_lak', 'dak_lak_2025'): the provinces whose plans are
    this deployment's own."""
    from core.rules import HOME_KEY, HOME_PROVINCE
    from loaders.store.schema import get_meta

    try:
        code = get_meta(con, HOME_KEY)
    except Exception:  # noqa: BLE001 - a database from before the meta table: the shipped province holds
        code = None
    code = code or province_entity(con, HOME_PROVINCE)
    chain: list[str] = []
    while code and code not in chain:
        chain.append(code)
        row = con.execute("SELECT successor FROM entity WHERE code = ?", [code]).fetchone()
        code = row[0] if row else None
    return tuple(chain)


def foreign_province(con, plan: Plan) -> str | None:
    """The province a plan names when it is not the dashboard's own (its units only share names with the registry's),
    else None."""
    if not plan.province:
        return None
    entity = province_entity(con, plan.province, plan.year_for_target())
    return plan.province if entity not in home_entities(con) else None


def year_span(year: int, starts: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The part of `year` a plan applies to: from the day it can apply (when within the year) to the year's end."""
    first, last = dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    return (starts if starts and first <= starts <= last else first), last


def scope_units(con, year: int, starts: dt.date | None = None) -> list[str]:
    """Every unit of the registry active in the part of `year` the plan applies to: a province-wide plan's scope."""
    first, last = year_span(year, starts)
    return [code for code, vf, vt in con.execute("SELECT code, valid_from, valid_to FROM unit ORDER BY code").fetchall()
            if unit_active(vf, vt, first, last)]


def covered_quarters(plan: Plan, year: int, target: Target | None = None) -> tuple[int, ...]:
    """The quarters of `year` a target applies to: those its own words name ('6 tháng đầu năm', 'quý I và II'),
    else from the quarter the plan was issued in (its first year only): a plan issued in July sets no Q1–Q2
    targets unless it says so."""
    if target is not None and target.quarters:
        return tuple(target.quarters)
    first = plan.first_quarter() if year == plan.year else 1
    return tuple(range(first, 5))


def target_rows_for(t: Target, unit: str, year: int, quarters: tuple[int, ...], rate: bool) -> list[TargetRow]:
    """The stored rows of one indicator target: annual for a whole year, else one per quarter covered."""
    if quarters == (1, 2, 3, 4):
        return [TargetRow(unit, year, None, t.code, t.annual_value(), per="month" if t.per == "month" else None)]
    if rate:
        value = t.value
    elif t.per in _PER_QUARTER:
        value = t.value * _PER_QUARTER[t.per]
    else:  # a count for the year, spread over the quarters the plan covers
        value = t.value / len(quarters)
    return [TargetRow(unit, year, q, t.code, value, per="month" if t.per == "month" else None) for q in quarters]


def plan_source(plan: Plan) -> str:
    """'Kế hoạch số …/KH-SXD tháng 7/2025 của Sở Xây dựng tỉnh Đắk Lắk': where a saved target comes from."""
    who = f" của {plan.organisation}" if plan.organisation else ""
    return f"{plan.reference}{who}"


def _target_rows(con, plan: Plan, unit_code: str | None, entity_code: str | None):
    errors: list[str] = []
    targets: list[TargetRow] = []
    index_targets: list[IndexTargetRow] = []
    applies: dict[int, str] = {}
    metrics = {r[0]: r[1] for r in con.execute("SELECT code, kind FROM metric").fetchall()}
    scales = {r[0]: r[1] for r in con.execute("SELECT code, scale_max FROM index_def").fetchall()}
    source = plan_source(plan)
    seen: set = set()
    for k, t in enumerate(plan.targets):
        year = t.year or plan.year_for_target()
        if t.kind == "indicator":
            quarters = covered_quarters(plan, year, t)
            if any((t.code, year, q) in seen for q in quarters):
                continue  # the first mention of an indicator for a quarter is its target
            seen.update((t.code, year, q) for q in quarters)
            if t.code not in metrics:
                errors.append(f"chỉ tiêu “{t.code}” không có trong danh mục chỉ tiêu của cơ sở dữ liệu")
                continue
            units = [unit_code] if unit_code else (scope_units(con, year, plan.starts_on()) if plan.scope == "province"
                                                   else [])
            if not units:
                errors.append(f"không xác định được đơn vị để ghi chỉ tiêu “{t.as_written}” ({t.code}): cơ quan ban "
                              f"hành “{plan.organisation or '?'}” chưa có trong danh mục đơn vị — hãy chọn đơn vị")
                continue
            for unit in units:
                targets += target_rows_for(t, unit, year, quarters, metrics[t.code] == "rate")
            applies[k] = unit_code or ("tất cả đơn vị" if len(units) > 1 else units[0])
        elif t.kind == "index":
            if (t.code, t.unit == "hạng", year) in seen:
                continue
            seen.add((t.code, t.unit == "hạng", year))
            if t.code not in scales:
                errors.append(f"chỉ số “{t.code}” không có trong danh mục chỉ số")
                continue
            entity = entity_code or province_entity(con, plan.province, year)
            if not entity:
                errors.append(f"không tìm thấy tỉnh “{plan.province or '?'}” trong danh sách tỉnh để ghi mục tiêu "
                              f"{t.code} {t.as_written} — hãy chọn tỉnh (entity_code)")
                continue
            note = f"{source} — mục tiêu năm {year}"
            if t.unit == "hạng":
                index_targets.append(IndexTargetRow(t.code, year, entity, None, None, int(t.value), note))
            else:
                value = t.value / 100 if t.unit == "%" and (scales[t.code] or 100) <= 1 and t.value > 1 else t.value
                index_targets.append(IndexTargetRow(t.code, year, entity, None, value, None, note))
            applies[k] = entity
    return targets, index_targets, errors, applies


def _lead_columns(leads: list[UnitRef]) -> tuple[list, list, list]:
    return [u.kind for u in leads], [u.code for u in leads], [u.text for u in leads]


def _task_year_end(plan: Plan, s: Schedule) -> int:
    if s.kind in RECURRING or s.kind in ("regular", "on_request") or not s.stated or s.every_year:
        return plan.year_end or plan.year
    return s.year or plan.year


@one_writer
def save_plan(con, plan: Plan, uploaded_by: str | None, file_name: str | None, content_bytes: bytes, *,
              unit_code: str | None = None, entity_code: str | None = None, replaces: int | None = None) -> int:
    """Write the plan as one batch; return its id. unit_code / entity_code override what the plan resolved to.

    `replaces`: an active plan batch this one supersedes (the same file saved again with corrections, the same plan
    from another copy, or a revised plan of the same unit and year). It is rolled back in the same transaction, and
    the marks of its tasks follow the new tasks with the same content, so a correction loses no progress."""
    if plan.year is None:
        raise PlanSaveError("không lưu được: không xác định được năm của kế hoạch")
    sha = hashlib.sha256(content_bytes).hexdigest()
    existing = find_active_batch(con, sha, "plan")
    if existing is not None and existing != replaces:
        return existing
    unit_code = unit_code or (plan.organisation_code if plan.scope != "province" else None)
    if unit_code and not con.execute("SELECT count(*) FROM unit WHERE code = ?", [unit_code]).fetchone()[0]:
        raise PlanSaveError(f"không lưu được: đơn vị “{unit_code}” không có trong danh mục đơn vị")
    targets, index_targets, errors, applies = _target_rows(con, plan, unit_code, entity_code)
    if errors:
        raise PlanSaveError("không lưu được kế hoạch: " + "; ".join(errors))

    def write_rest(con, batch_id: int) -> None:
        con.execute(
            "INSERT INTO plan_doc (batch_id, organisation, issuer_code, province, kind, number, symbol, issued,"
            " not_before, year_start, year_end, first_quarter, scope, fingerprint, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [batch_id, plan.organisation, unit_code or plan.organisation_code, plan.province, plan.kind, plan.number,
             plan.symbol, plan.issued.iso if plan.issued else None, plan.not_before, plan.year_start, plan.year_end,
             plan.first_quarter(), plan.scope, fingerprint(plan), plan.source or None])
        numbers = [(t, "saved", applies.get(k)) for k, t in enumerate(plan.targets)] + \
                  [(t, "pending", None) for t in plan.unrecognised] + [(t, "dropped", None) for t in plan.dropped]
        for k, (t, status, applied) in enumerate(numbers, start=1):
            year = t.year or plan.year_for_target()
            quarters = covered_quarters(plan, year, t) if year and t.kind != "index" else None
            con.execute(
                "INSERT INTO plan_target (batch_id, ordinal, code, kind, value, unit, per, year, text, as_written,"
                " status, applies_to, decided_by, quarters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [batch_id, k, t.code if status == "saved" else None, t.kind if status == "saved" else None, t.value,
                 t.unit, t.per, year, t.text, t.as_written, status, applied,
                 uploaded_by if status == "dropped" else None,
                 list(quarters) if quarters and quarters != (1, 2, 3, 4) else None])
        for k, t in enumerate(plan.tasks, start=1):
            s = t.schedule
            kinds, codes, texts = _lead_columns(t.leads)
            t.id = con.execute(
                "INSERT INTO plan_task (batch_id, ordinal, content, lead_unit_code, lead_text, partners, partner_codes,"
                " schedule_kind, months, quarters, year, when_text, source_text, lead_kinds, lead_codes, lead_texts,"
                " item, year_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [batch_id, k, t.content, t.lead.unit_code if t.lead else None, t.lead.text if t.lead else None,
                 [p.text for p in t.partners], [p.code for p in t.partners], s.kind, list(s.months),
                 list(s.quarters), s.year or plan.year, s.text or None, t.text, kinds, codes, texts, t.path or None,
                 _task_year_end(plan, s)],
            ).fetchone()[0]
        if replaces is not None:
            carry_marks(con, replaces, batch_id)

    batch = Batch("plan", file_name=file_name or plan.file_name, content=content_bytes, uploaded_by=uploaded_by,
                  unit_code=unit_code, year=plan.year, note=plan.organisation, targets=targets,
                  index_targets=index_targets, extra_rows=len(plan.tasks))
    try:
        batch_id = write_batch(con, batch, extra=write_rest, replaces=replaces).batch_id
    except Exception as exc:
        for t in plan.tasks:
            t.id = None
        if isinstance(exc, BatchError):  # e.g. `replaces` is not an active plan: the store's rule, our error type
            raise PlanSaveError(str(exc)) from exc
        raise
    return batch_id


def same_plan_batch(con, plan: Plan) -> int | None:
    """The active plan batch holding this plan from another copy (the same content read from a clean file and from
    a scan), by the fingerprints of plan_doc; None when there is none."""
    mine = fingerprint(plan)
    rows = con.execute("""
        SELECT d.batch_id, d.fingerprint FROM plan_doc d JOIN batch b ON b.id = d.batch_id AND b.status = 'active'
        WHERE d.year_start = ? ORDER BY d.batch_id DESC""", [plan.year]).fetchall()
    return next((batch_id for batch_id, fp in rows if fp and same_plan(mine, fp)), None)


def carry_marks(con, old_batch: int, new_batch: int) -> int:
    """Copy the marks of the old plan's tasks to the new plan's tasks with the same content (folded: case,
    diacritics and punctuation aside; else nearly the same words, for a copy read by OCR), each old task to at most
    one new one; return how many marks."""
    from rapidfuzz import fuzz

    old = con.execute("SELECT id, content FROM plan_task WHERE batch_id = ? ORDER BY ordinal", [old_batch]).fetchall()
    new = con.execute("SELECT id, content FROM plan_task WHERE batch_id = ? ORDER BY ordinal", [new_batch]).fetchall()
    free = {task_id: fold(content) for task_id, content in new}
    copied = 0
    for task_id, content in old:
        key = fold(content)
        to = next((i for i, c in free.items() if c == key), None)
        if to is None:
            scored = sorted(((fuzz.ratio(key, c), i) for i, c in free.items()), reverse=True)
            to = scored[0][1] if scored and scored[0][0] >= 90 else None
        if to is None:
            continue
        del free[to]
        copied += con.execute(
            "INSERT INTO plan_task_status (task_id, year, quarter, status, note, evidence_url, evidence_file,"
            " evidence_name, marked_by, marked_at, unit_code) SELECT ?, year, quarter, status, note, evidence_url,"
            " evidence_file, evidence_name, marked_by, marked_at, unit_code FROM plan_task_status WHERE task_id = ?",
            [to, task_id]).fetchone()[0]
    return copied


# --- reading tasks back and marking them -----------------------------------------------------------------
def _refs(kinds, codes, texts, lead_code, lead_text) -> list[UnitRef]:
    if texts:
        kinds = list(kinds or []) + ["unit"] * (len(texts) - len(kinds or []))
        codes = list(codes or []) + [None] * (len(texts) - len(codes or []))
        return [UnitRef(t, c, None, None, k) for k, c, t in zip(kinds, codes, texts)]
    return [UnitRef(lead_text, lead_code)] if lead_text else []


def load_tasks(con, year: int | None = None, batch_id: int | None = None) -> list[Task]:
    """Tasks of active plan batches (optionally one batch, or the tasks that run in `year`), with their ids, in plan
    order. A task of a plan issued mid-year starts with the plan's first quarter (`Task.starts`); a task that recurs
    through a plan of several years is read for `year`."""
    rows = con.execute(
        "SELECT t.id, t.content, t.lead_unit_code, t.lead_text, t.partners, t.partner_codes, t.schedule_kind,"
        " t.months, t.quarters, t.year, t.when_text, t.source_text, t.batch_id, t.lead_kinds, t.lead_codes,"
        " t.lead_texts, t.item, coalesce(t.year_end, t.year), d.year_start, d.first_quarter "
        "FROM plan_task t JOIN batch b ON b.id = t.batch_id AND b.status = 'active' "
        "LEFT JOIN plan_doc d ON d.batch_id = t.batch_id "
        "WHERE (? IS NULL OR ? BETWEEN t.year AND coalesce(t.year_end, t.year)) AND (? IS NULL OR t.batch_id = ?) "
        "ORDER BY t.batch_id, t.ordinal",
        [year, year, batch_id, batch_id]).fetchall()
    out = []
    for (tid, content, lead_code, lead_text, partners, partner_codes, kind, months, quarters, y, when, source,
         _, kinds, codes, texts, item, _end, plan_year, first_quarter) in rows:
        leads = _refs(kinds, codes, texts, lead_code, lead_text)
        partners = list(partners or [])
        codes_p = list(partner_codes or [])
        codes_p += [None] * (len(partners) - len(codes_p))
        parts = [UnitRef(p, c) for p, c in zip(partners, codes_p)]
        sched = Schedule(kind, y, tuple(months or ()), tuple(quarters or ()), when or "", stated=bool(when) or
                         kind != "year")
        if year is not None and y != year and (kind in RECURRING or kind in ("regular", "on_request") or not when
                                                or sched.every_year):
            sched = replace(sched, year=year)  # a task that runs through a plan of several years, read for this year
            y = year
        task = Task(content, leads, parts, sched, source or "", "saved", tid, item or "")
        if first_quarter and plan_year and y == plan_year and first_quarter > 1:
            task.starts = dt.date(plan_year, 3 * first_quarter - 2, 1)
        out.append(task)
    return out


@one_writer
def mark_task(con, task_id: int, year: int, quarter: int, status: str, marked_by: str | None, *,
              note: str | None = None, evidence_url: str | None = None, evidence_file: bytes | None = None,
              evidence_name: str | None = None, unit_code: str | None = None) -> None:
    """Record a task's status for a quarter (a new row: earlier marks stay as history). `unit_code`: the unit the
    mark is for (one unit of a group's task); None: the task as a whole."""
    if status not in STATUSES:
        raise PlanSaveError(f"trạng thái không hợp lệ “{status}” (cần một trong: {', '.join(STATUSES)})")
    if not con.execute("SELECT count(*) FROM plan_task WHERE id = ?", [task_id]).fetchone()[0]:
        raise PlanSaveError(f"không có nhiệm vụ số {task_id}")
    con.execute("INSERT INTO plan_task_status (task_id, year, quarter, status, note, evidence_url, evidence_file,"
                " evidence_name, marked_by, unit_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [task_id, year, quarter, status, note, evidence_url, evidence_file, evidence_name, marked_by,
                 unit_code])
    from loaders.accounts.audit import record

    record(con, marked_by, "task_mark", f"nhiệm vụ số {task_id}, quý {quarter}/{year}: {STATUS_WORDS[status]}"
                                        + (f" — {note}" if note else ""))


STATUS_WORDS = {"done": "đã hoàn thành", "in_progress": "đang thực hiện", "not_done": "chưa thực hiện"}


def record_plan_save(con, by: str | None, plan: Plan, file_name: str | None, batch_id: int,
                     replaces: int | None = None, via: str = "") -> None:
    """The audit entry of a saved plan, the same from the Kế hoạch page and from `plan --save`."""
    from loaders.accounts.audit import record

    record(con, by, "upload",
           f"kế hoạch {plan.organisation or ''} năm {plan.year} ({file_name or 'văn bản dán'}): lô {batch_id}, "
           f"{len(plan.indicator_targets())} chỉ tiêu, {len(plan.index_targets())} mục tiêu chỉ số, "
           f"{len(plan.tasks)} nhiệm vụ" + (f"; thay lô {replaces} (lô đó được hoàn tác)" if replaces else "") + via)


def task_marks(con, task_ids: list[int] | None = None) -> list[dict]:
    """Marks (without the evidence bytes) as dicts, oldest first: feed them to task_status."""
    cur = con.execute(
        "SELECT task_id, year, quarter, status, note, evidence_url, evidence_name, marked_by, marked_at, unit_code "
        "FROM plan_task_status WHERE ? IS NULL OR list_contains(?, task_id) ORDER BY marked_at, rowid",
        [task_ids, task_ids])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def registry_units(con) -> list[dict]:
    cur = con.execute("SELECT code, name, kind, parent, valid_from, valid_to FROM unit ORDER BY code")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def task_assignees(con, task_id: int, year: int) -> tuple[str | None, list[str]] | None:
    """(the lead as written, the registry units that own the task in `year`) of a saved task; None when no such
    task. A group's units are those active in the year."""
    from loaders.plans.groups import assignees

    row = con.execute("""
        SELECT t.lead_kinds, t.lead_codes, t.lead_texts, t.lead_unit_code, t.lead_text, d.issuer_code, d.issued,
               d.not_before
        FROM plan_task t LEFT JOIN plan_doc d ON d.batch_id = t.batch_id WHERE t.id = ?""", [task_id]).fetchone()
    if row is None:
        return None
    kinds, codes, texts, lead_code, lead_text, issuer, issued, not_before = row
    leads = _refs(kinds, codes, texts, lead_code, lead_text)
    span = year_span(year, plan_start(issued, not_before))
    return "; ".join(u.text for u in leads) or None, assignees(leads, registry_units(con), issuer, span)
