import datetime as dt

import pytest

from core.periods import PeriodError, Quarter, find_quarter, latest_complete_quarter, parse_quarter, quarter_label


@pytest.mark.parametrize("text, year, quarter", [
    ("2025-Q3", 2025, 3), ("2025Q3", 2025, 3), ("Q3/2025", 2025, 3), ("Quý III/2025", 2025, 3),
    ("QUÝ II/2025", 2025, 2), ("quy 4 nam 2024", 2024, 4), ("BÁO CÁO KẾT QUẢ QUÝ III NĂM 2025", 2025, 3),
    ("Quy I - 2026", 2026, 1),
])
def test_parse_quarter_accepts_the_forms_reports_use(text, year, quarter):
    assert parse_quarter(text) == Quarter(year, quarter)


@pytest.mark.parametrize("text", ["2025-Q5", "quý V/2025", "năm 2025", "hello"])
def test_parse_quarter_refuses_nonsense(text):
    with pytest.raises(PeriodError):
        parse_quarter(text)


def test_quarter_label_is_roman():
    assert quarter_label(2025, 3) == "Quý III/2025"
    assert Quarter(2024, 4).label == "Quý IV/2024"


def test_quarter_arithmetic_and_latest_complete():
    assert Quarter(2025, 1).previous() == Quarter(2024, 4)
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert Quarter(2025, 3).end == dt.date(2025, 9, 30)
    assert latest_complete_quarter(dt.date(2026, 11, 22)) == Quarter(2026, 3)
    assert latest_complete_quarter(dt.date(2026, 1, 5)) == Quarter(2025, 4)
    assert find_quarter("Báo cáo năm 2025") is None
