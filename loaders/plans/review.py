"""Review of an extracted plan before it is saved (the Kế hoạch page), and that page's guarded writes.

The page shows the plan's targets and tasks in two editable tables; the user corrects, removes or adds rows and
then saves. This module turns the plan into those rows and the edited rows back into a Plan, without Streamlit
and without a database (pure functions), so the rules are tested on their own:

- ``target_rows(plan) -> list[dict]``   one row per target, recognised or not:
      {"save": bool, "code": str|None, "value": float, "unit": str (without the period: 'số'), "per": None |
       "month" | "quarter" | "week" | "year" (a count per period), "year": the year it is set for, "text": the
       source sentence, "row": position in plan.targets + plan.unrecognised}.
      Every row starts with save=True. A number bound to no indicator (code None) is saved as awaiting review; the
      reviewer binds it (chooses a code, or adds an indicator first), or unticks Lưu to drop it — recorded as
      dropped, never lost silently.
- ``unit_options(plan, registry)`` / ``known_units(names, registry, organisation)``: the unit names offered in
      the Chủ trì / Phối hợp columns, and which of them the registry knows (the others are highlighted).
- ``task_rows(plan) -> list[dict]``     {"content", "lead": [texts of every lead, co-leads included], "partners":
      [texts], "when": the time as written, "text": the source sentence (as read), "row": position in plan.tasks}.
- ``apply_edits(plan, targets, tasks, registry, organisation=None, year=None) -> Review``: the edited rows
      (DataFrames from st.data_editor, or lists of dicts; added rows have row None) -> Review(plan, errors,
      warnings). ``plan`` is a NEW Plan ready for loaders.plans.save_plan; the original is not changed.
      A row kept unchanged keeps what the extractor found (unit as written, schedule); a changed unit name is
      matched again against the registry (an unknown name is kept as written, never dropped); a changed time is
      read again (loaders.plans.parse_schedule). Errors and warnings are Vietnamese and name the table and row.

Guarded writes (the permission rules of loaders.accounts.users, checked again here, not only by the page):
- ``save_reviewed(con, user, plan, file_name, content, unit_code=None, entity_code=None) -> batch id``: an
  administrator (quan_tri) only; one batch of kind 'plan' (loaders.plans.save_plan) and an audit entry.
- ``mark_task_as(con, user, task_id, year, quarter, status, note=…, evidence_url=…, evidence_file=…,
  evidence_name=…)``: the staff (can_bo) of the task's lead unit, or an administrator.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace

from core.numbers import auto as _num, file_size
from core.rules import unit_active, valid_year, year_range_text
from core.text import fold, nfc
from loaders.plans.model import Plan, Target, Task, UnitRef
from loaders.plans.schedule import schedule_or_default, unstated
from loaders.plans.units import Resolver

PERIODS = ("", "month", "quarter", "week", "year")
PERIOD_LABELS = {"": "—", "month": "mỗi tháng", "quarter": "mỗi quý", "week": "mỗi tuần", "year": "mỗi năm"}
_PER_WORD = {"month": "tháng", "quarter": "quý", "week": "tuần", "year": "năm"}  # 'số/tháng' = 'số' + per month
MAX_NOTE = 500
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass
class Review:
    plan: Plan
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- plan -> rows -------------------------------------------------------------------------------------------
def target_rows(plan: Plan) -> list[dict]:
    rows = []
    for k, t in enumerate(list(plan.targets) + list(plan.unrecognised)):
        recognised = k < len(plan.targets)
        unit, word = t.unit or "", _PER_WORD.get(t.per or "")
        if word and unit.endswith("/" + word):
            unit = unit[: -len(word) - 1]  # the period has its own column
        rows.append({"save": True, "code": t.code if recognised else None, "value": float(t.value), "unit": unit,
                     "per": t.per, "year": t.year or plan.year_for_target(), "text": t.text, "row": k})
    return rows


def task_rows(plan: Plan) -> list[dict]:
    return [{"content": t.content, "lead": [u.text for u in t.leads], "partners": [p.text for p in t.partners],
             "when": t.when, "text": t.text, "row": k} for k, t in enumerate(plan.tasks)]


def unit_options(plan: Plan, registry) -> list[str]:
    """Unit names for the Chủ trì / Phối hợp columns: the names as the plan writes them, then the registry's."""
    seen: dict[str, None] = {}
    for t in plan.tasks:
        for u in t.units():
            seen.setdefault(u.text, None)
    for u in registry.units:
        if unit_active(u.get("valid_from"), u.get("valid_to"), dt.date.today(), dt.date.today()):
            seen.setdefault(u["name"], None)
    return list(seen)


def known_units(names, registry, organisation: str | None = None, plan: Plan | None = None) -> dict[str, bool]:
    """name -> whether it resolves to a unit, a group or the issuer's own office (the rule apply_edits uses)."""
    resolver = _resolver(registry, organisation, plan)
    return {n: resolver.resolve(n).known for n in names}


def _resolver(registry, organisation: str | None, plan: Plan | None) -> Resolver:
    issuer = (plan.issuer if plan is not None else None) or organisation
    code = plan.organisation_code if plan is not None else None
    return Resolver(registry, issuer, code, _is_province_plan(issuer) or (plan is not None and plan.scope == "province"))


# --- rows -> plan -------------------------------------------------------------------------------------------
def _records(rows) -> list[dict]:
    if rows is None:
        return []
    if hasattr(rows, "to_dict"):
        return rows.to_dict("records")
    return [dict(r) for r in rows]


def _missing(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        import pandas as pd

        return v is pd.NA or v is pd.NaT
    except ImportError:  # pragma: no cover
        return False


def _text(v) -> str:
    return "" if _missing(v) else nfc(str(v))


def _names(v) -> list[str]:
    """A cell of the Chủ trì / Phối hợp columns: a list (or 'a; b' text) -> names, blanks dropped."""
    if _missing(v):
        return []
    if isinstance(v, str):
        items = re.split(r"\s*;\s*|\n", v)
    else:
        try:
            items = list(v)
        except TypeError:
            items = [v]
    out: list[str] = []
    for x in items:
        s = _text(x)
        if s and s not in out:
            out.append(s)
    return out


def _number(v) -> float | None:
    if _missing(v):
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    from core.text import NumberError, parse_number

    try:
        return float(parse_number(str(v)))
    except (NumberError, ValueError, TypeError):
        return None


def _row_no(v) -> int | None:
    if _missing(v):
        return None
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _is_province_plan(organisation: str | None) -> bool:
    return fold(organisation or "").startswith(("uy ban nhan dan", "ubnd"))


def _resolve(name: str, before: dict[str, UnitRef], resolver: Resolver, as_lead: bool) -> UnitRef:
    """The unit a name stands for: what the extractor found when the name is unchanged and known; else matched
    again (the registry may have grown while the user reviewed the plan)."""
    old = before.get(name)
    if old is not None and old.known:
        return old
    return resolver.resolve(name, as_lead)


def apply_edits(plan: Plan, targets, tasks, registry, organisation: str | None = None,
                year: int | None = None) -> Review:
    """The reviewed plan (see the module docstring). Never raises on bad cells: they become errors."""
    errors: list[str] = []
    warnings: list[str] = []
    organisation = nfc(organisation) if organisation is not None else plan.organisation
    organisation = organisation or None
    year_changed = year is not None and year != plan.year
    year = plan.year if year is None else year
    if year is None:
        errors.append("Chưa có năm của kế hoạch: hãy nhập năm.")
    elif not valid_year(year):
        errors.append(f"Năm {year} không hợp lệ (cần {year_range_text()}).")

    indicators = {m["code"]: m for m in registry.indicators}
    indices = {i["code"]: i for i in registry.indices}
    originals = list(plan.targets) + list(plan.unrecognised)

    # --- targets
    new_targets: list[Target] = []
    pending: list[Target] = []
    dropped: list[Target] = []
    seen: dict[tuple, int] = {}
    for n, row in enumerate(_records(targets), start=1):
        where = f"Chỉ tiêu, dòng {n}"
        code = _text(row.get("code")) or None
        value = _number(row.get("value"))
        unit = _text(row.get("unit"))
        per = _text(row.get("per"))
        text = _text(row.get("text"))
        save = row.get("save")
        save = True if _missing(save) else bool(save)
        k = _row_no(row.get("row"))
        orig = originals[k] if k is not None and 0 <= k < len(originals) else None
        if orig is None and code is None and value is None and not unit and not text:
            continue  # an empty row added by mistake
        target_year = _row_no(row.get("year")) or (orig.year if orig else None) or year
        if year_changed and target_year is not None and plan.year is not None:
            target_year += year - plan.year  # the plan moved to another year: its targets move with it
        if not save:
            if orig is not None:  # dropped by the reviewer: recorded as dropped, not lost
                dropped.append(Target(None, None, orig.value, orig.unit, orig.text, orig.as_written, orig.per,
                                      None, orig.year))
            continue
        if code is None:
            if value is None:
                errors.append(f"{where}: chưa có giá trị.")
                continue
            # bound to nothing yet: kept as a number awaiting review
            pending.append(Target(None, None, value, unit or (orig.unit if orig else ""), text or (orig.text if orig
                                  else "") or "(thêm khi soát lại kế hoạch)",
                                  orig.as_written if orig else f"{_num(value)} {unit}".strip(), per or None, None,
                                  target_year))
            continue
        if code in indicators:
            kind, metric = "indicator", indicators[code]
        elif code in indices:
            kind, metric = "index", indices[code]
        else:
            errors.append(f"{where}: mã “{code}” không có trong danh mục chỉ tiêu và chỉ số.")
            continue
        if value is None:
            errors.append(f"{where} ({code}): chưa có giá trị.")
            continue
        if value < 0:
            errors.append(f"{where} ({code}): giá trị {_num(value)} âm.")
            continue
        if not unit:
            unit = metric.get("unit") or ("" if kind == "indicator" else "điểm")
        rate = unit == "%" or (kind == "indicator" and metric.get("kind") == "rate")
        if per not in PERIODS:
            errors.append(f"{where} ({code}): kỳ “{per}” không hợp lệ.")
            continue
        if kind == "index" and unit == "hạng":
            if value != int(value) or value < 1:
                errors.append(f"{where} ({code}): hạng phải là số nguyên từ 1 (thấy {_num(value)}).")
                continue
        if rate and unit == "%" and value > 100:
            errors.append(f"{where} ({code}): tỷ lệ {_num(value)}% vượt quá 100%.")
            continue
        if per and per != "year" and (rate or kind == "index"):
            warnings.append(f"{where} ({code}): tỷ lệ và chỉ số không tính theo {PERIOD_LABELS[per]} — lấy nguyên "
                            f"{_num(value)}{unit if unit == '%' else ' ' + unit} cho cả năm.")
            per = ""
        key = (code, kind == "index" and unit == "hạng", target_year)
        if key in seen:
            warnings.append(f"{where} ({code}): trùng với dòng {seen[key]} — chỉ dòng {seen[key]} được lưu.")
            continue
        seen[key] = n
        if per and unit and not unit.endswith("/" + _PER_WORD[per]):
            unit = f"{unit}/{_PER_WORD[per]}"
        same = (orig is not None and orig.code == code and float(orig.value) == value and (orig.unit or "") == unit
                and (orig.per or "") == per)
        as_written = orig.as_written if same and orig.as_written else \
            f"{_num(value)}{'' if unit.startswith('%') else ' '}{unit}".strip()
        new_targets.append(Target(code, kind, value, unit, text or (orig.text if orig else "")
                                  or "(thêm khi soát lại kế hoạch)", as_written, per or None,
                                  orig.note if same and orig else None, target_year,
                                  orig.quarters if orig is not None and (not text or text == orig.text) else ()))

    # --- tasks
    resolver = _resolver(registry, organisation, plan)
    new_tasks: list[Task] = []
    for n, row in enumerate(_records(tasks), start=1):
        where = f"Nhiệm vụ, dòng {n}"
        content = _text(row.get("content"))
        leads = _names(row.get("lead"))
        partners = _names(row.get("partners"))
        when = _text(row.get("when"))
        text = _text(row.get("text"))
        k = _row_no(row.get("row"))
        orig = plan.tasks[k] if k is not None and 0 <= k < len(plan.tasks) else None
        if not (content or leads or partners or when) and orig is None:
            continue  # an empty row added by mistake
        if not content:
            errors.append(f"{where}: chưa có nội dung nhiệm vụ.")
            continue
        before = {u.text: u for u in (orig.units() if orig else [])}
        lead_refs = [_resolve(n, before, resolver, True) for n in leads]  # co-leads: every one is a lead
        parts = [_resolve(p, before, resolver, False) for p in partners]
        if orig is not None and when == orig.when and not year_changed:
            schedule = orig.schedule
        elif not when:
            schedule = unstated(year)
        else:
            schedule = schedule_or_default(when, year)
            if not schedule.stated:
                warnings.append(f"{where}: không đọc được thời gian “{when}” — coi là trong năm {year or ''}".rstrip()
                                + ".")
        new_tasks.append(Task(content, lead_refs, parts, schedule, text or (orig.text if orig else "") or content,
                              orig.origin if orig else "review", path=orig.path if orig else ""))

    span = (plan.year_end or year) - (plan.year_start or plan.year or year) if year is not None else 0
    reviewed = replace(plan, organisation=organisation, year=year, targets=new_targets, tasks=new_tasks,
                       unrecognised=pending, dropped=dropped, warnings=list(plan.warnings),
                       year_start=year, year_end=(year + span) if year is not None else None)
    if not new_targets and not new_tasks and not pending:
        errors.append("Không còn chỉ tiêu hay nhiệm vụ nào để lưu.")
    return Review(reviewed, errors, warnings)


# --- guarded writes -----------------------------------------------------------------------------------------
def save_reviewed(con, user, plan: Plan, file_name: str | None, content: bytes, *, unit_code: str | None = None,
                  entity_code: str | None = None, replaces: int | None = None) -> int:
    """Save the reviewed plan as one batch (administrators only); PermissionDenied / PlanSaveError otherwise.
    `replaces`: the saved plan batch this one supersedes (see loaders.plans.save_plan)."""
    from loaders.accounts.users import require_role
    from loaders.plans.save import record_plan_save, save_plan

    fresh = require_role(con, user, "quan_tri")
    batch_id = save_plan(con, plan, fresh.username, file_name, content, unit_code=unit_code, entity_code=entity_code,
                         replaces=replaces)
    record_plan_save(con, fresh.username, plan, file_name, batch_id, replaces)
    return batch_id


def mark_task_as(con, user, task_id: int, year: int, quarter: int, status: str = "done", *,
                 note: str | None = None, evidence_url: str | None = None, evidence_file: bytes | None = None,
                 evidence_name: str | None = None, unit_code: str | None = None) -> None:
    """Record a task's status for a quarter: the staff of one of its lead units (a unit of a group that leads it
    marks it for itself), or an administrator (for one unit, or with unit_code None for the task as a whole)."""
    from loaders.accounts.users import PermissionDenied, require_role, require_unit
    from loaders.plans.save import PlanSaveError, mark_task, task_assignees

    found = task_assignees(con, task_id, int(year))
    if found is None:
        raise PlanSaveError(f"không có nhiệm vụ số {task_id}")
    lead_text, assignees = found
    fresh = None
    if user is not None and getattr(user, "role", None) != "quan_tri" and getattr(user, "unit_code", None):
        unit_code = unit_code or user.unit_code
        if unit_code == user.unit_code and unit_code in assignees:
            fresh = require_unit(con, user, unit_code)
    if fresh is None:
        try:
            fresh = require_role(con, user, "quan_tri")
        except PermissionDenied:
            who = (f"cán bộ của đơn vị chủ trì ({lead_text})" if assignees else
                   f"quản trị viên (đơn vị chủ trì “{lead_text or '?'}” chưa có trong danh mục)")
            raise PermissionDenied(f"chỉ {who} hoặc quản trị viên được đánh dấu nhiệm vụ này") from None
    if unit_code is not None and unit_code not in assignees:
        raise PlanSaveError(f"đơn vị “{unit_code}” không chủ trì nhiệm vụ số {task_id}")
    note = nfc(note) or None
    if status == "done" and not note:
        raise PlanSaveError("cần một ghi chú ngắn về kết quả (ví dụ: đã đăng 3 tin bài trên Trang TTĐT)")
    if note and len(note) > MAX_NOTE:
        raise PlanSaveError(f"ghi chú dài {len(note)} ký tự, tối đa {MAX_NOTE}")
    evidence_url = (evidence_url or "").strip() or None
    if evidence_url and not _URL.match(evidence_url):
        raise PlanSaveError(f"liên kết “{evidence_url}” không hợp lệ (cần bắt đầu bằng http:// hoặc https://)")
    if evidence_file is not None and len(evidence_file) > MAX_EVIDENCE_BYTES:
        raise PlanSaveError(f"tệp minh chứng {file_size(len(evidence_file))}, tối đa {file_size(MAX_EVIDENCE_BYTES)}")
    mark_task(con, task_id, int(year), int(quarter), status, fresh.username, note=note, evidence_url=evidence_url,
              evidence_file=evidence_file, evidence_name=evidence_name if evidence_file is not None else None,
              unit_code=unit_code if len(assignees) > 1 or unit_code else None)
