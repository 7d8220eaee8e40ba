"""CCHC plans and directives: read a document, extract its identity, targets and tasks, save them, track tasks.

API for the Kế hoạch page and the command line (no Streamlit here; every function is plain Python):

    from loaders.plans import extract_plan, describe, save_plan, load_tasks, mark_task, task_marks, task_status
    from loaders.plans import Plan, Target, Task, Schedule, UnitRef, PlanError, PlanSaveError

    plan = extract_plan(uploaded.getvalue(), uploaded.name, Registry.from_db(con))   # PlanError: unusable file
    plan.organisation, plan.issuer, plan.organisation_code, plan.province   # 'Sở Xây dựng tỉnh Đắk Lắk', …
    plan.number, plan.symbol, plan.issued, plan.reference   # None, 'KH-SXD', IssueDate(2025, 7), 'Kế hoạch số …/KH-SXD
                                                            # tháng 7/2025'
    plan.year, plan.year_start, plan.year_end, plan.scope   # 2025, 2025, 2025, 'unit' | 'province'
    plan.targets      # [Target(code='PAR', kind='index', value=88.5, unit='%', text=…, per=None, year=None)]
    plan.unrecognised # numbers that look like targets but name no known index/indicator: kept for review
    plan.tasks        # [Task(content, leads: [UnitRef], partners: [UnitRef], schedule, text (as read), origin, path)]
    plan.unknown_units()  # unit names not in the registry, kept as written: offer "thêm vào danh mục"
    plan.warnings     # Vietnamese notes for the user (OCR used and repaired, issuer unknown, unbound numbers…)
    plan.to_json()    # {"organisation", "year", "year_start", "year_end", "number", "symbol", "issued", "province",
                      #  "scope", "targets": [{"code","value","unit","text","year",…}], "unbound": […],
                      #  "tasks": [{"content","lead","leads","partners","when","text","item",…}]}
    describe(plan)    # the same as readable Vietnamese text

    batch_id = save_plan(con, plan, username, file_name, file_bytes)   # one transaction, batch kind 'plan'
        # unit_code= / entity_code= override the issuing unit / province; replaces= a batch it supersedes;
        # PlanSaveError says what is missing. See save.py for where targets go and for which quarters.
    tasks = load_tasks(con, year=2025)                 # saved tasks with .id
    mark_task(con, task.id, 2025, 2, "done", username, note=…, unit_code=…)   # unit_code: one unit of a group
    status = task_status(task, 2025, 2, date.today(), task_marks(con, [task.id]))
        # 'done' | 'due' | 'late' | 'regular' | 'not_due'  (rules in status.py)

Schedule: kind in month | quarter | month_range | monthly | quarterly | regular | on_request | year, with
months, quarters, year, text (as written) and .label ('Quý II/2025', 'Tháng 6–9/2025', 'Thường xuyên', 'Hằng năm').
UnitRef: text as written, code, name (the registry's, restored beside an OCR'd text), kind (unit | group | own_office
| issuer | generic | unknown), note (why unknown).

Modules: reading (files -> blocks; OCR in ocr), vocab (OCR repair), layout (lines -> paragraphs/table rows), outline
(paragraphs -> tree of numbered items), header (issuer, number, date, province, period), targets, tasks, units and
groups (names -> units and groups of units), schedule, extract, fingerprint (one plan from two copies), save,
status, review (the page's review and guarded writes), command (`python -m loaders plan`).
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
