"""View models of the Kế hoạch page: what its review and its follow-up say, as small pure functions (no database,
no Streamlit) over the reviewed plan (``loaders.api.apply_edits``), the registry (``loaders.api.registry``) and the
frames of dashboard.admin_queries / dashboard.queries / dashboard.plan_queries. The page only lays them out.

Public API
----------
- ``source_label(source) -> str``         how the plan was read: 'Word', 'PDF (nhận dạng chữ từ ảnh)', …
- ``code_labels(registry) -> (codes, labels)``  the codes a target may take (indicators, then indices) and their
                                          names ('Chỉ số PAR' for an index).
- ``unit_choices(units, organisation_code) -> list[str]``  '' (none chosen), then the active units of
                                          admin_queries.units, and the unit the plan was matched to even if it ended.
- ``home_name(provinces, home) -> str``   the name of the dashboard's own province ('của dashboard' when unknown).
- ``is_foreign(province, entity_code, home) -> bool``  the plan names a province, and not the dashboard's own.
- ``task_unit_options(options, rows) -> list[str]``  the names offered in the Chủ trì / Phối hợp columns: `options`,
                                          then every name the (edited) task rows hold that `options` lacks.
- ``preview_rows(plan, unit_name, entity_name, labels) -> list[dict]``  what will be saved, one row per target:
                                          the year's value and a quarter's, as save_plan stores them (counts split
                                          between the quarters the plan covers, rates whole), and the numbers kept
                                          for review.
- ``plan_facts(plan) -> list[str]``       the document's number, date, period and scope, for the review.
- ``plan_label(row) -> str``              a saved plan in the plan filter: its reference and organisation.
- ``lead_cell(row) -> str``               a task's lead(s) in a table, with '(3/15 đơn vị đã xong)' for a group.
- ``save_blockers(review, unit_code, entity_code, confirmed) -> list[str]``  the review's errors, then what the
                                          page's own choices (unit, province, confirmation) still lack.
- ``default_quarter(year, today) -> int``  the quarter the follow-up opens on: today's in the current year, else IV.
- ``may_mark(user, assignees) -> bool``   whether the user may mark a task owned by these units (the write's rule).
- ``default_task(df, user)``              the task the detail opens on: a unit's staff get their unit's first task.
- ``follow_source(df, year, today) -> str``  the source line under the follow-up's chart and tables.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core.periods import latest_complete_quarter
from dashboard import fmt

SOURCE_LABELS = {"docx": "Word", "pdf": "PDF", "pdf+ocr": "PDF (nhận dạng chữ từ ảnh)", "image": "ảnh (nhận dạng chữ)",
                 "txt": "văn bản"}


def source_label(source: str | None) -> str:
    return SOURCE_LABELS.get(source, source)


def code_labels(registry) -> tuple[list[str], dict[str, str]]:
    labels = {m["code"]: m["name"] for m in registry.indicators}
    labels.update({i["code"]: f"Chỉ số {i.get('short_name') or i['code']}" for i in registry.indices})
    return list(labels), labels


def unit_choices(units: pd.DataFrame, organisation_code: str | None) -> list[str]:
    valid = units[units["active"] | units["code"].eq(organisation_code)]
    return [""] + list(valid["code"])


def home_name(provinces: pd.DataFrame, home) -> str:
    found = provinces.loc[provinces["entity_code"].isin(home), "entity_name"]
    return found.iloc[0] if len(found) else "của dashboard"


def is_foreign(province: str | None, entity_code: str | None, home) -> bool:
    """The plan names a province and it is not the dashboard's (a unit matched by name only shares the name)."""
    return bool(province) and entity_code not in home


def task_unit_options(options: list[str], rows: pd.DataFrame) -> list[str]:
    options = list(options)
    for cell in list(rows["lead"]) + list(rows["partners"]):
        for name in (cell if isinstance(cell, (list, tuple)) else []):
            if name not in options:
                options.append(name)
    return options


def _year_and_quarter(plan, target) -> tuple[str, str]:
    """A target's value for the year and for the quarters the plan covers, written as save_plan stores them (one
    rule: loaders.plans.save.target_rows_for): counts split between the quarters, rates taken whole; a plan issued
    in July covers Quý III–IV only."""
    from loaders.plans.save import covered_quarters, target_rows_for

    year = target.year or plan.year_for_target()
    quarters = covered_quarters(plan, year, target)
    rate = target.unit.startswith("%")
    rows = target_rows_for(target, "", year, quarters, rate)
    per_quarter = rows[0].value / (4 if rows[0].quarter is None and not rate else 1)
    if rate:
        return fmt.auto(target.annual_value()) + "%", fmt.auto(per_quarter) + "%"
    span = "" if quarters == (1, 2, 3, 4) else f" ({fmt.quarter_span(quarters)})"
    total = sum(r.value for r in rows) if rows[0].quarter is not None else rows[0].value
    return fmt.auto(total), fmt.auto(per_quarter) + span


def preview_rows(plan, unit_name: str | None, entity_name: str | None, labels: dict) -> list[dict]:
    rows = []
    for t in plan.indicator_targets():
        year_text, quarter_text = _year_and_quarter(plan, t)
        rows.append({"Chỉ tiêu": labels.get(t.code, t.code), "Trong kế hoạch": t.as_written,
                     "Năm": str(t.year or plan.year_for_target()), "Ghi cho": unit_name or "—", "Cả năm": year_text,
                     "Mỗi quý": quarter_text})
    for t in plan.index_targets():
        rows.append({"Chỉ tiêu": labels.get(t.code, t.code) + (" (xếp hạng)" if t.unit == "hạng" else ""),
                     "Trong kế hoạch": t.as_written, "Năm": str(t.year or plan.year_for_target()),
                     "Ghi cho": entity_name or "—", "Cả năm": t.as_written, "Mỗi quý": "—"})
    for t in plan.unrecognised:
        rows.append({"Chỉ tiêu": "(chờ gắn chỉ tiêu)", "Trong kế hoạch": t.as_written,
                     "Năm": str(t.year or plan.year_for_target()), "Ghi cho": "—", "Cả năm": "—", "Mỗi quý": "—"})
    return rows


def save_blockers(review, unit_code: str | None, entity_code: str | None, confirmed: bool) -> list[str]:
    errors = list(review.errors)
    if review.plan.indicator_targets() and not unit_code and review.plan.scope != "province":
        errors.append("Chưa chọn đơn vị nhận chỉ tiêu (ô “Đơn vị nhận chỉ tiêu” ở trên).")
    if review.plan.index_targets() and not entity_code:
        errors.append("Chưa chọn tỉnh nhận mục tiêu chỉ số (ô “Tỉnh nhận mục tiêu chỉ số” ở trên).")
    if not confirmed:
        errors.append("Chưa xác nhận đơn vị và tỉnh nhận chỉ tiêu (ô xác nhận ở trên).")
    return errors


def plan_label(row) -> str:
    """A saved plan in a list: 'Kế hoạch số …/KH-SXD tháng 7/2025 — Sở Xây dựng tỉnh Đắk Lắk'."""
    who = row["organisation"] if isinstance(row["organisation"], str) and row["organisation"] else "(chưa rõ cơ quan)"
    return f"{row['reference']} — {who}"


def plan_facts(plan) -> list[str]:
    """What the review says of the document itself: its number and date, its period and scope."""
    period = (f"năm {plan.year}" if plan.year_end in (None, plan.year) else
              f"giai đoạn {plan.year}–{plan.year_end} (chỉ tiêu không ghi năm tính cho năm {plan.year_for_target()})")
    facts = [f"Văn bản: **{plan.reference}**", f"Thời kỳ: {period}"]
    if plan.not_before and not (plan.issued and plan.issued.month):
        facts.append(f"ban hành sau ngày {fmt.date(plan.not_before)} (ngày của văn bản căn cứ mới nhất)")
    if plan.year and plan.first_quarter() > 1:
        facts.append(f"chỉ tiêu và nhiệm vụ tính từ {fmt.quarter(plan.year, plan.first_quarter())} (kế hoạch ban "
                     "hành giữa năm: không có chỉ tiêu các quý trước)")
    if plan.scope == "province":
        facts.append("kế hoạch toàn tỉnh: chỉ tiêu áp dụng cho mọi đơn vị trong danh mục")
    return facts


def lead_cell(row) -> str:
    """The lead(s) of a task in a table, with how many of a group's units have done it."""
    lead = row["lead_name"] if isinstance(row["lead_name"], str) and row["lead_name"] else "không ghi"
    total = int(row["units_total"]) if not pd.isna(row["units_total"]) else 0
    if total > 1:
        lead += f" ({int(row['units_done'])}/{total} đơn vị đã xong)"
    return lead


def default_quarter(year: int, today: dt.date) -> int:
    return latest_complete_quarter(today).next().quarter if year == today.year else 4


def may_mark(user, assignees) -> bool:
    """Whether the user may mark a task owned by these units: the rule the write checks (an administrator; the staff
    of one of them, for their own unit). Visitors never."""
    if user is None:
        return False
    if user.role == "quan_tri":
        return True
    return user.role == "can_bo" and bool(user.unit_code) and user.unit_code in list(assignees or [])


def default_task(df: pd.DataFrame, user):
    """A unit's staff open on the first task they may mark; anyone else on the first task."""
    if user is not None and user.role == "can_bo":
        mine = [i for i, owners in zip(df["task_id"], df["assignees"]) if may_mark(user, owners)]
        if mine:
            return mine[0]
    return df["task_id"].iloc[0]


def follow_source(df: pd.DataFrame, year: int, today: dt.date) -> str:
    plans = "; ".join(f"kế hoạch CCHC năm {year} của {o}"
                      for o in sorted({o for o in df["organisation"] if isinstance(o, str) and o})) or "kế hoạch đã lưu"
    return f"Nguồn: {plans}; trạng thái theo đánh dấu hoàn thành của các đơn vị, tính đến ngày {fmt.date(today)}."
