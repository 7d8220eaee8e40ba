"""core.periods.Period and core.period_values: periods as agencies name them, and how the values of periods combine
(sums and differences for counts, the latest or a weighted mean for rates, contradictions named, nothing
invented)."""
import datetime as dt

import pytest

from core.period_values import Known, PeriodValues, quarter_values
from core.periods import (
    DEFAULT_DEADLINES,
    Deadline,
    Period,
    PeriodError,
    cadence_of,
    cadence_periods,
    find_period,
    latest_complete,
    parse_period,
    span_in,
)
from core.text import fold


@pytest.mark.parametrize("text, code, label", [
    ("2025-M08", "2025-M08", "Tháng 8/2025"), ("2025-M8", "2025-M08", "Tháng 8/2025"),
    ("2025-Q3", "2025-Q3", "Quý III/2025"), ("2025-H1", "2025-H1", "6 tháng đầu năm 2025"),
    ("2025-H2", "2025-H2", "6 tháng cuối năm 2025"), ("2025-9M", "2025-9M", "9 tháng năm 2025"),
    ("2025", "2025", "Năm 2025"), ("2025-5M", "2025-5M", "5 tháng đầu năm 2025"),
    ("2025-6M", "2025-H1", "6 tháng đầu năm 2025"), ("2025-3M", "2025-Q1", "Quý I/2025"),
    ("tháng 8/2025", "2025-M08", "Tháng 8/2025"), ("Tháng 08 năm 2025", "2025-M08", "Tháng 8/2025"),
    ("Quý III/2025", "2025-Q3", "Quý III/2025"), ("BÁO CÁO 6 THÁNG ĐẦU NĂM 2025", "2025-H1", "6 tháng đầu năm 2025"),
    ("sáu tháng cuối năm 2025", "2025-H2", "6 tháng cuối năm 2025"), ("9 tháng năm 2025", "2025-9M", "9 tháng năm 2025"),
    ("năm 2025", "2025", "Năm 2025"), ("Báo cáo cả năm 2025", "2025", "Năm 2025"),
    ("BÁO CÁO QUÝ III VÀ 9 THÁNG NĂM 2025", "2025-Q3", "Quý III/2025"),
])
def test_parse_period_reads_codes_and_the_words_of_titles(text, code, label):
    p = parse_period(text)
    assert (p.code, p.label) == (code, label)
    assert parse_period(p.code) == p  # a code reads back as itself


@pytest.mark.parametrize("text", ["2025-M13", "2025-Q5", "2025-H3", "tháng sau", "1899", "hello"])
def test_parse_period_refuses_nonsense(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_titles_name_their_period_but_dates_and_bare_years_do_not():
    assert find_period("Đắk Lắk, ngày 05 tháng 10 năm 2025") is None  # when it was signed, not its period
    assert find_period("BÁO CÁO KẾT QUẢ CCHC NĂM 2025") is None  # a quarter's or the year's? the columns say
    assert find_period("Kết quả tính đến ngày 30/9/2025 của 9 tháng đầu năm 2025") == Period(2025, 1, 9)
    assert span_in(fold("Lũy kế 6 tháng")) == (1, 6) and span_in(fold("Quý II")) == (4, 6)
    assert span_in(fold("Tháng 12")) == (12, 12) and span_in(fold("Kết quả thực hiện")) is None


def test_period_kinds_arithmetic_and_what_a_sentence_says():
    h1 = Period.half(2025, 1)
    assert (h1.kind, h1.quarters, h1.cumulative, h1.within) == ("half", [h1.quarters[0], h1.quarters[1]],
                                                                 Period(2025, 1, 6), "trong 6 tháng")
    assert [q.quarter for q in h1.quarters] == [1, 2]
    assert Period.month(2025, 1).previous() == Period.month(2024, 12)
    assert Period.of_quarter(2025, 4).next() == Period.of_quarter(2026, 1)
    assert Period.half(2025, 2).next() == Period.half(2026, 1)
    assert Period(2025, 1, 9).previous() == Period(2024, 1, 9)
    assert Period.month(2025, 2).end == dt.date(2025, 2, 28)
    assert latest_complete("month", dt.date(2025, 10, 7)) == Period.month(2025, 9)
    assert latest_complete("half", dt.date(2025, 10, 7)) == Period.half(2025, 1)
    assert latest_complete("year", dt.date(2025, 10, 7)) == Period.whole_year(2024)
    assert Period.month(2025, 8).within == "trong tháng" and Period.of_quarter(2025, 3).within == "trong quý"


def test_cadences_and_deadlines():
    assert cadence_of(Period.half(2025, 1)) == "6thang" and cadence_of(Period.half(2025, 2)) is None
    assert [p.code for p in cadence_periods("6thang", 2025)] == ["2025-H1"]
    assert len(cadence_periods("thang", 2025)) == 12
    assert DEFAULT_DEADLINES["quy"].due(Period.of_quarter(2025, 3)) == dt.date(2025, 9, 20)
    assert Deadline(5, 1).due(Period.of_quarter(2025, 4)) == dt.date(2026, 1, 5)  # the month after the quarter
    assert Deadline(31, 0).due(Period.month(2025, 2)) == dt.date(2025, 2, 28)  # clamped to the month
    assert Deadline.from_code(Deadline(15, 1).code) == Deadline(15, 1)
    assert Deadline(10, 1).text == "ngày 10 tháng sau kỳ"
    with pytest.raises(PeriodError):
        Deadline(32)


# --- counts -------------------------------------------------------------------------------------------------------

def test_a_six_month_report_after_the_first_quarter_gives_the_second():
    v = PeriodValues(2025, "count", [Known(1, 3, 10, source="Q1"), Known(1, 6, 25, source="H1")])
    q2 = v.value(4, 6)
    assert (q2.value, q2.basis, set(q2.sources)) == (15.0, "derived", {"Q1", "H1"})
    assert v.value(1, 6).basis == "reported" and v.conflicts == []
    assert quarter_values(v).keys() == {1, 2}


def test_months_add_up_to_their_quarter_and_cumulative_columns_give_months():
    v = PeriodValues(2025, "count", [Known(7, 7, 3), Known(8, 8, 4), Known(9, 9, 5), Known(1, 6, 20)])
    assert v.value(7, 9).value == 12 and v.value(1, 9).value == 32
    c = PeriodValues(2025, "count", [Known(1, 7, 23), Known(1, 8, 31)])
    assert c.value(8, 8).value == 8 and c.value(7, 7) is None  # only the difference of two cumulative figures


def test_only_a_cumulative_figure_never_invents_the_split():
    v = PeriodValues(2025, "count", [Known(1, 3, 10), Known(1, 9, 40)])
    assert v.value(4, 6) is None and v.value(7, 9) is None and v.value(1, 6) is None
    assert v.value(4, 9).value == 30  # the second and third quarters together are known, not each
    assert v.to_date(1, 6).value == 10 and (v.to_date(1, 6).first, v.to_date(1, 6).last) == (1, 3)
    assert v.to_date(1, 12).last == 9
    assert {(s.first, s.last) for s in v.spans()} == {(1, 3), (1, 9), (4, 9)}


def test_contradictions_name_every_value_involved():
    v = PeriodValues(2025, "count", [Known(1, 3, 10, source="lô số 4"), Known(1, 6, 8, source="ô F12")])
    (c,) = v.conflicts
    assert c.reason == "negative" and (c.first, c.last) == (4, 6)
    assert c.message == ("6 tháng đầu năm 2025 − Quý I/2025 = 8 − 10 = −2: Quý II/2025 sẽ là số âm — số lũy kế nhỏ "
                         "hơn số đã báo cáo trước (lô số 4; ô F12)")
    m = PeriodValues(2025, "count", [Known(7, 7, 3, source="a"), Known(8, 8, 4, source="b"), Known(9, 9, 5, source="c"),
                                     Known(7, 9, 13, source="d")])
    (c,) = m.conflicts
    assert c.reason == "mismatch" and c.known.source == "d" and {k.source for k in c.involved} == set("abcd")
    assert c.message == ("Quý III/2025 = 13 (d) nhưng Tháng 7/2025 + Tháng 8/2025 + Tháng 9/2025 = 3 + 4 + 5 = 12 "
                         "(a; b; c) — các kỳ không khớp nhau")
    assert m.value(7, 9).value == 12  # the value that did not fit is left out


# --- rates --------------------------------------------------------------------------------------------------------

def test_a_rate_of_a_quarter_is_its_latest_month_without_weights_and_the_weighted_mean_with_them():
    months = [Known(7, 7, 90), Known(8, 8, 80), Known(9, 9, 85)]
    v = PeriodValues(2025, "rate", months)
    assert v.value(7, 9).value == 85 and v.value(7, 9).basis == "derived"
    w = PeriodValues(2025, "rate", [Known(7, 7, 90, 100), Known(8, 8, 80, 50), Known(9, 9, 85, 50)])
    assert w.value(7, 9).value == pytest.approx((90 * 100 + 80 * 50 + 85 * 50) / 200)
    assert PeriodValues(2025, "rate", [Known(1, 6, 90)]).value(4, 6) is None  # a half's rate is not its quarter's
    weighted = PeriodValues(2025, "rate", [Known(1, 3, 90, 100), Known(1, 6, 86, 200)])
    assert weighted.value(4, 6).value == pytest.approx((86 * 200 - 90 * 100) / 100)  # the second quarter, weighted
    assert PeriodValues(2025, "rate", months).conflicts == []
