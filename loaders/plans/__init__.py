"""Yearly CCHC communication plans: read a plan file, extract its targets and tasks, save them, track tasks.

API for the Kế hoạch page (no Streamlit here; every function is plain Python):

    from loaders.plans import extract_plan, describe, save_plan, load_tasks, mark_task, task_marks, task_status
    from loaders.plans import Plan, Target, Task, Schedule, UnitRef, PlanError, PlanSaveError

    plan = extract_plan(uploaded.getvalue(), uploaded.name, Registry.from_db(con))   # PlanError: unusable file
    plan.organisation, plan.year, plan.province, plan.organisation_code    # 'Sở Xây dựng tỉnh Sóc Trăng', 2025, …
    plan.targets      # [Target(code='ty_le_nam_vung', kind='indicator', value=80.0, unit='%', text=…, per=None)]
    plan.unrecognised # numbers that look like targets but name no known index/indicator (show for review)
    plan.tasks        # [Task(content, lead: UnitRef|None, partners: [UnitRef], schedule: Schedule, text, origin)]
    plan.unknown_units()  # unit names not in the registry, kept as written: offer "thêm vào danh mục"
    plan.warnings     # Vietnamese notes for the user (OCR used, issuer unknown, unrecognised numbers…)
    plan.to_json()    # exactly {"organisation", "year", "targets": [{"code","value","unit","text",…}],
                      #          "tasks": [{"content","lead","partners","when","text",…}]}
    describe(plan)    # the same as readable Vietnamese text

    batch_id = save_plan(con, plan, username, file_name, file_bytes)   # one transaction, batch kind 'plan'
        # unit_code= / entity_code= override the issuing unit / province; PlanSaveError says what is missing.
        # Counts per month/quarter are stored as annual targets (×12 / ×4); see save.py.
    tasks = load_tasks(con, year=2025)                 # saved tasks with .id
    mark_task(con, task.id, 2025, 2, "done", username, note=…, evidence_url=…, evidence_file=…, evidence_name=…)
    status = task_status(task, 2025, 2, date.today(), task_marks(con, [task.id]))
        # 'done' | 'due' | 'late' | 'regular' | 'not_due'  (rules in status.py)

Schedule: kind in month | quarter | month_range | monthly | quarterly | regular | on_request | year, with
months, quarters, year, text (as written) and .label ('Quý II/2025', 'Tháng 6–9/2025', 'Thường xuyên').
UnitRef: text as written, code (None when unknown), note (why unknown).

Modules: reading (files -> blocks; OCR in ocr), layout (lines -> paragraphs/table rows), header (issuer,
province, year), targets, tasks, units, schedule, extract, save, status, command (`python -m loaders plan`).
"""
from loaders.plans.extract import describe, extract_plan
from loaders.plans.model import Plan, PlanError, Schedule, Target, Task, UnitRef
from loaders.plans.save import PlanSaveError, load_tasks, mark_task, province_entity, save_plan, task_marks
from loaders.plans.schedule import parse_schedule
from loaders.plans.status import task_status

__all__ = [
    "extract_plan", "describe", "save_plan", "load_tasks", "mark_task", "task_marks", "task_status",
    "province_entity", "parse_schedule", "Plan", "Target", "Task", "Schedule", "UnitRef", "PlanError",
    "PlanSaveError",
]
