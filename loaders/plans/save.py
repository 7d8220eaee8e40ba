"""Save an extracted plan as one batch (kind 'plan'), and read/mark its tasks.

save_plan writes, in one transaction: the batch row (file bytes and SHA-256), the indicator targets into
target_value, the index targets into index_target, and the tasks into plan_task. The same file saved again
returns the batch already there.

Targets are stored as ANNUAL values (quarter NULL), whatever period the plan writes them for: '04 số/tháng'
becomes 48 for the year, '02 cuộc/quý' 8. The quarterly view (v_quarter_target) splits an annual count
evenly, so '04 số/tháng' shows as 12 a quarter — three months' worth; rates ('80%') are kept as they are.
Index targets go to the province entity of the plan ('Sơn La' -> entity 'son_la'); a plan whose province
cannot be found raises PlanSaveError instead of guessing (pass entity_code= to choose it).

The batch goes through store.write_batch like every other batch; the tasks are written by its `extra`
hook, inside the same transaction.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from core.rules import unit_active
from core.text import fold
from loaders.plans.model import Plan, Schedule, Task, UnitRef
from loaders.store.batches import Batch, BatchError, IndexTargetRow, TargetRow, find_active_batch, write_batch
from loaders.store.writer import one_writer

STATUSES = ("done", "in_progress", "not_done")


class PlanSaveError(ValueError):
    """The plan cannot be saved as it is; the message says why, in Vietnamese."""


def _columns(con, table: str) -> set[str]:
    return {r[0] for r in con.execute(f"SELECT * FROM {table} LIMIT 0").description}


def province_entity(con, province: str | None, year: int | None = None) -> str | None:
    """The entity code of a province named in a plan ('Sóc Trăng' -> 'soc_trang'); None when not found."""
    if not province:
        return None
    has_aliases = "aliases" in _columns(con, "entity")
    rows = con.execute(
        "SELECT code, name, " + ("aliases" if has_aliases else "NULL") + ", valid_from, valid_to FROM entity "
        "WHERE kind IN ('tinh', 'province')").fetchall()
    key = fold(province)

    def names(name, aliases):
        base = [name, name.split("(")[0]] + [a for a in (aliases or "").split(";") if a.strip()]
        return {fold(x) for x in base} | {fold(x.split("(")[0]) for x in base}

    found = [r for r in rows if key in names(r[1], r[2])]
    if len(found) > 1 and year:
        day = dt.date(year, 1, 1)
        valid = [r for r in found if unit_active(r[3], r[4], day, day)]
        found = valid or found
    exact = [r for r in found if fold(r[1]) == key]
    pick = exact or found
    return pick[0][0] if len(pick) == 1 or exact else None


def _target_rows(con, plan: Plan, unit_code: str | None, entity_code: str | None):
    errors: list[str] = []
    targets: list[TargetRow] = []
    index_targets: list[IndexTargetRow] = []
    metrics = {r[0]: r[1] for r in con.execute("SELECT code, kind FROM metric").fetchall()}
    scales = {r[0]: r[1] for r in con.execute("SELECT code, scale_max FROM index_def").fetchall()}
    source = f"Kế hoạch {plan.organisation or ''} năm {plan.year} ({plan.file_name or 'tải lên'})".replace("  ", " ")
    seen: set = set()
    for t in plan.indicator_targets():
        if t.code in seen:
            continue  # the first mention of an indicator is its target
        seen.add(t.code)
        if t.code not in metrics:
            errors.append(f"chỉ tiêu “{t.code}” không có trong danh mục chỉ tiêu của cơ sở dữ liệu")
        elif not unit_code:
            errors.append(f"không xác định được đơn vị để ghi chỉ tiêu “{t.as_written}” ({t.code}): cơ quan ban hành "
                          f"“{plan.organisation or '?'}” chưa có trong danh mục đơn vị — hãy chọn đơn vị")
        else:
            targets.append(TargetRow(unit_code, plan.year, None, t.code, t.annual_value()))
    for t in plan.index_targets():
        if (t.code, t.unit == "hạng") in seen:
            continue
        seen.add((t.code, t.unit == "hạng"))
        if t.code not in scales:
            errors.append(f"chỉ số “{t.code}” không có trong danh mục chỉ số")
            continue
        if not entity_code:
            errors.append(f"không tìm thấy tỉnh “{plan.province or '?'}” trong danh sách tỉnh để ghi mục tiêu "
                          f"{t.code} {t.as_written} — hãy chọn tỉnh (entity_code)")
            continue
        if t.unit == "hạng":
            index_targets.append(IndexTargetRow(t.code, plan.year, entity_code, None, None, int(t.value), source))
        else:
            value = t.value / 100 if t.unit == "%" and (scales[t.code] or 100) <= 1 and t.value > 1 else t.value
            index_targets.append(IndexTargetRow(t.code, plan.year, entity_code, None, value, None, source))
    return targets, index_targets, errors


@one_writer
def save_plan(con, plan: Plan, uploaded_by: str | None, file_name: str | None, content_bytes: bytes, *,
              unit_code: str | None = None, entity_code: str | None = None, replaces: int | None = None) -> int:
    """Write the plan as one batch; return its id. unit_code / entity_code override what the plan resolved to.

    `replaces`: an active plan batch this one supersedes (the same file saved again with corrections, or a
    revised plan of the same unit and year). It is rolled back in the same transaction, and the marks of its
    tasks follow the new tasks with the same content, so a correction loses no progress."""
    if plan.year is None:
        raise PlanSaveError("không lưu được: không xác định được năm của kế hoạch")
    sha = hashlib.sha256(content_bytes).hexdigest()
    existing = find_active_batch(con, sha, "plan")
    if existing is not None and existing != replaces:
        return existing
    unit_code = unit_code or plan.organisation_code
    if unit_code and not con.execute("SELECT count(*) FROM unit WHERE code = ?", [unit_code]).fetchone()[0]:
        raise PlanSaveError(f"không lưu được: đơn vị “{unit_code}” không có trong danh mục đơn vị")
    entity_code = entity_code or province_entity(con, plan.province, plan.year)
    targets, index_targets, errors = _target_rows(con, plan, unit_code, entity_code)
    if errors:
        raise PlanSaveError("không lưu được kế hoạch: " + "; ".join(errors))
    def write_tasks(con, batch_id: int) -> None:
        for k, t in enumerate(plan.tasks, start=1):
            s = t.schedule
            t.id = con.execute(
                "INSERT INTO plan_task (batch_id, ordinal, content, lead_unit_code, lead_text, partners, partner_codes,"
                " schedule_kind, months, quarters, year, when_text, source_text)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [batch_id, k, t.content, t.lead.code if t.lead else None, t.lead.text if t.lead else None,
                 [p.text for p in t.partners], [p.code for p in t.partners], s.kind, list(s.months),
                 list(s.quarters), s.year or plan.year, s.text or None, t.text],
            ).fetchone()[0]
        if replaces is not None:
            carry_marks(con, replaces, batch_id)

    batch = Batch("plan", file_name=file_name or plan.file_name, content=content_bytes, uploaded_by=uploaded_by,
                  unit_code=unit_code, year=plan.year, note=plan.organisation, targets=targets,
                  index_targets=index_targets, extra_rows=len(plan.tasks))
    try:
        batch_id = write_batch(con, batch, extra=write_tasks, replaces=replaces).batch_id
    except Exception as exc:
        for t in plan.tasks:
            t.id = None
        if isinstance(exc, BatchError):  # e.g. `replaces` is not an active plan: the store's rule, our error type
            raise PlanSaveError(str(exc)) from exc
        raise
    return batch_id


def carry_marks(con, old_batch: int, new_batch: int) -> int:
    """Copy the marks of the old plan's tasks to the new plan's tasks with the same content (folded: case,
    diacritics and punctuation aside), each old task to at most one new one; return how many marks."""
    old = con.execute("SELECT id, content FROM plan_task WHERE batch_id = ? ORDER BY ordinal", [old_batch]).fetchall()
    new = con.execute("SELECT id, content FROM plan_task WHERE batch_id = ? ORDER BY ordinal", [new_batch]).fetchall()
    free: dict[str, list[int]] = {}
    for task_id, content in new:
        free.setdefault(fold(content), []).append(task_id)
    copied = 0
    for task_id, content in old:
        targets = free.get(fold(content))
        if not targets:
            continue
        to = targets.pop(0)
        copied += con.execute(
            "INSERT INTO plan_task_status (task_id, year, quarter, status, note, evidence_url, evidence_file,"
            " evidence_name, marked_by, marked_at) SELECT ?, year, quarter, status, note, evidence_url, evidence_file,"
            " evidence_name, marked_by, marked_at FROM plan_task_status WHERE task_id = ?", [to, task_id]).fetchone()[0]
    return copied


# --- reading tasks back and marking them -----------------------------------------------------------------
def load_tasks(con, year: int | None = None, batch_id: int | None = None) -> list[Task]:
    """Tasks of active plan batches (optionally one batch or one year), with their ids, in plan order."""
    rows = con.execute(
        "SELECT t.id, t.content, t.lead_unit_code, t.lead_text, t.partners, t.partner_codes, t.schedule_kind,"
        " t.months, t.quarters, t.year, t.when_text, t.source_text, t.batch_id "
        "FROM plan_task t JOIN batch b ON b.id = t.batch_id AND b.status = 'active' "
        "WHERE (? IS NULL OR t.year = ?) AND (? IS NULL OR t.batch_id = ?) ORDER BY t.batch_id, t.ordinal",
        [year, year, batch_id, batch_id]).fetchall()
    out = []
    for (tid, content, lead_code, lead_text, partners, partner_codes, kind, months, quarters, y, when, source,
         _) in rows:
        lead = UnitRef(lead_text, lead_code) if lead_text else None
        partners = list(partners or [])
        codes = list(partner_codes or [])
        codes += [None] * (len(partners) - len(codes))
        parts = [UnitRef(p, c) for p, c in zip(partners, codes)]
        sched = Schedule(kind, y, tuple(months or ()), tuple(quarters or ()), when or "", stated=bool(when) or
                         kind != "year")
        out.append(Task(content, lead, parts, sched, source or "", "saved", tid))
    return out


@one_writer
def mark_task(con, task_id: int, year: int, quarter: int, status: str, marked_by: str | None, *,
              note: str | None = None, evidence_url: str | None = None, evidence_file: bytes | None = None,
              evidence_name: str | None = None) -> None:
    """Record a task's status for a quarter (a new row: earlier marks stay as history)."""
    if status not in STATUSES:
        raise PlanSaveError(f"trạng thái không hợp lệ “{status}” (cần một trong: {', '.join(STATUSES)})")
    if not con.execute("SELECT count(*) FROM plan_task WHERE id = ?", [task_id]).fetchone()[0]:
        raise PlanSaveError(f"không có nhiệm vụ số {task_id}")
    con.execute("INSERT INTO plan_task_status (task_id, year, quarter, status, note, evidence_url, evidence_file,"
                " evidence_name, marked_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [task_id, year, quarter, status, note, evidence_url, evidence_file, evidence_name, marked_by])
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
        "SELECT task_id, year, quarter, status, note, evidence_url, evidence_name, marked_by, marked_at "
        "FROM plan_task_status WHERE ? IS NULL OR list_contains(?, task_id) ORDER BY marked_at, rowid",
        [task_ids, task_ids])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]
