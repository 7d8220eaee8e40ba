"""Task times as plans write them, and the status of a task in a quarter."""
from __future__ import annotations

import datetime as dt

import pytest

from loaders.plans import Schedule, Task, UnitRef, parse_schedule, task_status


@pytest.mark.parametrize("text, kind, months, quarters, label", [
    ("Tháng 3/2025", "month", (3,), (), "Tháng 3/2025"),
    ("Thang 3 nam 2025", "month", (3,), (), "Tháng 3/2025"),
    ("Tháng 3, 4/2025", "month", (3, 4), (), "Tháng 3, 4/2025"),
    ("Trước ngày 30/6/2025", "month", (6,), (), "Tháng 6/2025"),
    ("Quý II/2025", "quarter", (), (2,), "Quý II/2025"),
    ("Quý 11/2025", "quarter", (), (2,), "Quý II/2025"),  # OCR reads II as 11
    ("quy I, II nam 2025", "quarter", (), (1, 2), "Quý I, II/2025"),
    ("Quý II - IV/2025", "quarter", (), (2, 3, 4), "Quý II, III, IV/2025"),
    ("6 tháng cuối năm", "quarter", (), (3, 4), "Quý III, IV/2025"),
    ("Tháng 6 - 9/2025", "month_range", (6, 7, 8, 9), (), "Tháng 6–9/2025"),
    ("Từ tháng 6 đến tháng 9 năm 2025", "month_range", (6, 7, 8, 9), (), "Tháng 6–9/2025"),
    ("Tháng G - 9/2025", "month_range", (6, 7, 8, 9), (), "Tháng 6–9/2025"),  # OCR reads 6 as G
    ("Hằng tháng trong năm", "monthly", tuple(range(1, 13)), (), "Hằng tháng năm 2025"),
    ("Định kỳ hằng quý", "quarterly", (), (1, 2, 3, 4), "Hằng quý năm 2025"),
    ("Thường xuyên", "regular", (), (), "Thường xuyên"),
    ("Thuong xuyen", "regular", (), (), "Thường xuyên"),
    ("Khi Sở Nội vụ có yêu cầu", "on_request", (), (), "Khi có yêu cầu"),
    ("Năm 2025", "year", (), (), "Năm 2025"),
    ("Trong năm", "year", (), (), "Năm 2025"),
])
def test_parse_schedule(text, kind, months, quarters, label):
    s = parse_schedule(text, 2025)
    assert (s.kind, s.months, s.quarters, s.year, s.label) == (kind, months, quarters, 2025, label)
    assert s.when == text


def test_nothing_to_parse():
    assert parse_schedule("theo kế hoạch", 2025) is None
    # In prose only explicit time words count: a document date is not a schedule.
    assert parse_schedule("Căn cứ Kế hoạch số 19/KH-UBND ngày 22/01/2025 của UBND tỉnh", 2025, strict=True) is None


def task(kind, months=(), quarters=(), year=2025, tid=7):
    return Task("Nội dung", UnitRef("Sở Nội vụ", "so_noi_vu"), [], Schedule(kind, year, months, quarters, "x"), "x",
                id=tid)


def statuses(t, today, marks=()):
    return [task_status(t, 2025, q, today, marks) for q in (1, 2, 3, 4)]


def test_one_off_task_status():
    t = task("month_range", months=(6, 7, 8, 9))  # Quý II–III
    assert statuses(t, dt.date(2025, 5, 10)) == ["not_due", "not_due", "not_due", "not_due"]
    assert statuses(t, dt.date(2025, 7, 1)) == ["not_due", "due", "due", "due"]
    assert statuses(t, dt.date(2025, 10, 5)) == ["not_due", "late", "late", "late"]
    done_q3 = [{"task_id": 7, "year": 2025, "quarter": 3, "status": "done"}]
    assert statuses(t, dt.date(2025, 10, 5), done_q3) == ["not_due", "late", "done", "done"]
    # Marks of another task, or a later 'not_done' mark, do not count as done.
    assert statuses(t, dt.date(2025, 10, 5), [dict(done_q3[0], task_id=8)])[2] == "late"
    later = [dict(done_q3[0], marked_at=dt.datetime(2025, 9, 1)),
             dict(done_q3[0], status="not_done", marked_at=dt.datetime(2025, 9, 2))]
    assert statuses(t, dt.date(2025, 10, 5), later)[2] == "late"


def test_recurring_and_open_tasks():
    quarterly = task("quarterly", quarters=(1, 2, 3, 4))
    marks = [{"year": 2025, "quarter": 1, "status": "done"}]
    assert statuses(quarterly, dt.date(2025, 5, 1), marks) == ["done", "due", "not_due", "not_due"]
    assert statuses(quarterly, dt.date(2025, 8, 1), marks) == ["done", "late", "due", "not_due"]
    assert task_status(quarterly, 2026, 1, dt.date(2026, 2, 1)) == "not_due"  # another year's plan
    regular = task("regular")
    assert statuses(regular, dt.date(2025, 12, 31), [{"year": 2025, "quarter": 2, "status": "done"}]) == \
        ["regular", "done", "regular", "regular"]
    on_request = task("on_request")
    assert statuses(on_request, dt.date(2025, 12, 31), [{"year": 2025, "quarter": 4, "status": "done"}]) == \
        ["not_due", "not_due", "not_due", "done"]
    yearly = task("year")
    assert statuses(yearly, dt.date(2025, 8, 1)) == ["due", "due", "due", "due"]
    assert statuses(yearly, dt.date(2026, 1, 15)) == ["late", "late", "late", "late"]
