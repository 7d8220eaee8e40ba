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


@pytest.mark.parametrize("text, quarters", [
    ("Quý I và quý II mỗi quý 02 số", (1, 2)),
    ("quý I, II: 10 tin, bài", (1, 2)),
    ("quý III-IV năm 2025", (3, 4)),
    ("quý 1, 2 và 3", (1, 2, 3)),
    ("6 tháng đầu năm 2025 đăng 10 tin", (1, 2)),
    ("sáu tháng cuối năm phát hành 06 số", (3, 4)),
    ("9 tháng", (1, 2, 3)),
    ("cả năm 2025: 40 tin, bài", (1, 2, 3, 4)),
    ("mỗi quý 1 lần", ()),  # how often, not which quarter
    ("hằng quý tổ chức 01 buổi", ()),
    ("định kỳ 6 tháng một lần", ()),
    ("quý I 2 lớp tập huấn", (1,)),  # a count after the quarter is no second quarter
    ("đăng 04 số/tháng", ()),
    ("ngày 15 tháng 7 năm 2025", ()),
])
def test_quarters_a_text_names(text, quarters):
    from core.periods import quarters_named, quarters_label
    from core.text import fold

    assert quarters_named(fold(text)) == quarters
    if quarters:
        assert quarters_label(quarters).startswith("Quý ")


def test_quarters_label():
    from core.periods import quarters_label

    assert [quarters_label(q) for q in [(3, 4), (1, 2, 3, 4), (2,), (1, 3)]] == \
        ["Quý III–IV", "Quý I–IV", "Quý II", "Quý I, III"]
