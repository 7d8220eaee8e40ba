"""Reports of different periods, loaded one after the other: the quarters they determine join v_activity (the public
quarterly view), the finer view v_activity_period shows every span and says which were reported, a cumulative
figure alone stays cumulative, and a contradiction is refused naming both batches — at load, on write and on
rollback."""
import pytest
from test_load_periods import clerk_report

from loaders.load import load_file
from loaders.store import materialize as M
from loaders.store.batches import BatchError, PeriodConflictError, rollback_batch
from loaders.store.batches import Batch, SpanRow, write_batch


def quarter_values(con, metric="tin_bai", unit="so_tu_phap"):
    return con.execute("SELECT quarter, actual FROM v_activity WHERE unit_code = ? AND metric_code = ? AND year = 2025"
                       " AND actual IS NOT NULL ORDER BY quarter", [unit, metric]).fetchall()


def period_rows(con, metric="tin_bai"):
    return con.execute("SELECT period, actual, basis FROM v_activity_period WHERE unit_code = 'so_tu_phap' AND "
                       "metric_code = ? AND year = 2025 ORDER BY month_from, month_to", [metric]).fetchall()


def load(con, name, content, **kw):
    report = load_file(con, name, content, **kw)
    assert report.status == "loaded", [e.text() for e in report.errors]
    return report.batch_id


def q1_report(tin_bai=10):
    return clerk_report("BÁO CÁO QUÝ I NĂM 2025", ["Quý I"], [[tin_bai], [1], [96]])


def h1_report(tin_bai=25):
    return clerk_report("BÁO CÁO 6 THÁNG ĐẦU NĂM 2025", ["Kết quả thực hiện 6 tháng"], [[tin_bai], [3], [97]],
                        parent=None)


def test_a_six_month_report_after_the_first_quarter_gives_the_second(load_con):
    load(load_con, "q1.xlsx", q1_report())
    assert quarter_values(load_con) == [(1, 10.0)]
    load(load_con, "h1.xlsx", h1_report())
    assert quarter_values(load_con) == [(1, 10.0), (2, 15.0)]  # Q2 = H1 − Q1
    assert period_rows(load_con) == [("2025-Q1", 10.0, "reported"), ("2025-H1", 25.0, "reported"),
                                     ("2025-Q2", 15.0, "derived")]
    # a rate does not split: the half's rate is not the second quarter's
    assert quarter_values(load_con, "ty_le_dung_han") == [(1, 96.0)]
    # the maintained table equals the live definition after each batch
    assert load_con.execute(f"SELECT count(*) FROM (SELECT * FROM {M.LIVE} EXCEPT ALL SELECT * FROM {M.TABLE})"
                            ).fetchone()[0] == 0


def test_only_a_nine_month_figure_stays_cumulative(load_con):
    load(load_con, "9t.xlsx", clerk_report("BÁO CÁO 9 THÁNG NĂM 2025", ["Kết quả thực hiện trong kỳ"],
                                           [[40], [5], [97]], parent=None))
    assert quarter_values(load_con) == []  # no quarter is invented
    assert period_rows(load_con) == [("2025-9M", 40.0, "reported")]


def test_months_make_their_quarter_and_a_correction_moves_it(load_con):
    for m, value in ((7, 3), (8, 4), (9, 5)):
        load(load_con, f"t{m}.xlsx", clerk_report(f"BÁO CÁO THÁNG {m} NĂM 2025", [f"Tháng {m}"],
                                                  [[value], [0], [90 + m]]))
    assert quarter_values(load_con) == [(3, 12.0)]
    assert quarter_values(load_con, "ty_le_dung_han") == [(3, 99.0)]  # a rate: its latest month
    load(load_con, "t8_sua.xlsx", clerk_report("BÁO CÁO THÁNG 8 NĂM 2025 (bản sửa)", ["Tháng 8"], [[6], [0], [98]]))
    assert quarter_values(load_con) == [(3, 14.0)]


def test_a_cumulative_figure_below_what_was_reported_is_refused_naming_both_batches(load_con, load_counts):
    first = load(load_con, "bao_cao_q1.xlsx", q1_report())
    before = load_counts(load_con)
    report = load_file(load_con, "bao_cao_6_thang.xlsx", h1_report(tin_bai=8))
    assert report.status == "refused" and load_counts(load_con) == before
    (err,) = report.errors
    assert (err.sheet, err.row, err.column) == ("Báo cáo", 11, "E")
    assert err.message == (
        "Sở Tư pháp — “Tin, bài về CCHC trên Cổng/Trang thông tin điện tử”: 6 tháng đầu năm 2025 − Quý I/2025 = 8 − 10 "
        f"= −2: Quý II/2025 sẽ là số âm — số lũy kế nhỏ hơn số đã báo cáo trước (lô số {first}, tệp “bao_cao_q1.xlsx”; "
        "tệp này (trang “Báo cáo”, dòng 11, cột E))")


def test_months_not_adding_up_to_the_quarter_sent_are_refused(load_con):
    ids = [load(load_con, f"t{m}.xlsx", clerk_report(f"BÁO CÁO THÁNG {m} NĂM 2025", [f"Tháng {m}"],
                                                     [[m - 4], [0], [95]])) for m in (7, 8, 9)]
    report = load_file(load_con, "q3.xlsx", clerk_report("BÁO CÁO QUÝ III NĂM 2025", ["Quý III"], [[13], [0], [95]]))
    (err,) = report.errors
    assert "Quý III/2025 = 13 (tệp này (trang “Báo cáo”, dòng 12, cột E)) nhưng Tháng 7/2025 + Tháng 8/2025 + " \
           "Tháng 9/2025 = 3 + 4 + 5 = 12" in err.message
    assert all(f"lô số {i}" in err.message for i in ids)
    assert load_file(load_con, "q3.xlsx", clerk_report("BÁO CÁO QUÝ III NĂM 2025", ["Quý III"],
                                                       [[12], [0], [95]])).status == "loaded"


def test_write_batch_itself_refuses_a_contradiction(load_con):
    load(load_con, "q1.xlsx", q1_report())
    bad = Batch("activities", file_name="api.xlsx", content=b"x", period="2025-H1",
                spans=[SpanRow("so_tu_phap", 2025, 1, 6, "tin_bai", 7.0)])
    with pytest.raises(PeriodConflictError, match="Quý II/2025 sẽ là số âm"):
        write_batch(load_con, bad)
    assert load_con.execute("SELECT count(*) FROM batch WHERE file_name = 'api.xlsx'").fetchone()[0] == 0


def test_a_rollback_that_would_bring_back_a_contradiction_is_refused(load_con):
    load(load_con, "q1.xlsx", q1_report(tin_bai=10))
    fix = load(load_con, "q1_sua.xlsx", q1_report(tin_bai=5))
    h1 = load(load_con, "h1.xlsx", h1_report(tin_bai=8))  # fits the corrected Q1 (Q2 = 3), not the first one
    with pytest.raises(BatchError, match="số lũy kế nhỏ hơn số đã báo cáo trước"):
        rollback_batch(load_con, fix)
    assert load_con.execute("SELECT status FROM batch WHERE id = ?", [fix]).fetchone()[0] == "active"
    assert quarter_values(load_con) == [(1, 5.0), (2, 3.0)]
    rollback_batch(load_con, h1)  # undo the later report first: then the correction may go
    rollback_batch(load_con, fix)
    assert quarter_values(load_con) == [(1, 10.0)]


def test_the_view_of_a_quarter_reported_directly_wins_over_nothing_else(load_con):
    """A quarter reported directly is never also derived: one row per key in v_activity."""
    load(load_con, "q1.xlsx", q1_report())
    load(load_con, "h1.xlsx", h1_report())
    load(load_con, "q2.xlsx", clerk_report("BÁO CÁO QUÝ II NĂM 2025", ["Quý II"], [[15], [2], [97]]))
    rows = load_con.execute("SELECT quarter, count(*) FROM v_activity WHERE unit_code = 'so_tu_phap' AND year = 2025 "
                            "AND metric_code = 'tin_bai' GROUP BY quarter ORDER BY quarter").fetchall()
    assert rows == [(1, 1), (2, 1), (3, 1), (4, 1)]
    assert ("2025-Q2", 15.0, "reported") in period_rows(load_con)
