"""The read side of periods (dashboard.period_queries) and of reporting duties (dashboard.reporting): a period's
values so far against its target, a cumulative figure shown as such, monthly targets compared per month and per
quarter, the year to date at the period's grain, deadlines per cadence with days late and the contact person."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard import period_queries as P, queries as Q, reporting as R
from loaders.accounts.users import create_user
from loaders.plans import extract_plan, save_plan
from loaders.registry import settings as S
from loaders.registry.registries import Registry
from loaders.store.batches import ActivityRow, Batch, SpanRow, TargetRow, write_batch
from loaders.store.schema import connect

SON_LA = Path(__file__).resolve().parents[2] / "shared" / "plans" / "ke_hoach_tuyen_truyen_cchc_2025_bql_kcn_son_la.txt"
STP, SXD, BQL = "so_tu_phap", "so_xay_dung", "bql_kcn"


def _write(con, name, **kw):
    write_batch(con, Batch("targets" if "targets" in kw else "activities", file_name=name, content=name.encode(),
                           **kw))


@pytest.fixture
def con(fresh_db):
    c = connect(fresh_db)
    _write(c, "chi_tieu.xlsx", year=2025, targets=[TargetRow(u, 2025, None, "tin_bai", 40) for u in (STP, SXD)])
    for unit, q, value in ((STP, 1, 10), (STP, 2, 12), (SXD, 1, 8)):
        _write(c, f"{unit}_{q}.xlsx", unit_code=unit, year=2025, quarter=q,
               activities=[ActivityRow(unit, 2025, q, "tin_bai", value)])
    yield c
    c.close()


def test_six_months_so_far_against_the_whole_period_target(con):
    h1 = P.period_values(con, "2025-H1", metric="tin_bai").set_index("unit_code")
    # Sở Tư pháp sent both quarters: the half is complete; Sở Xây dựng only the first: its value reaches March
    assert (h1.loc[STP, "actual"], h1.loc[STP, "through"], h1.loc[STP, "complete"]) == (22, 6, True)
    assert (h1.loc[SXD, "actual"], h1.loc[SXD, "through"], h1.loc[SXD, "complete"]) == (8, 3, False)
    assert h1.loc[STP, "target"] == 20 and h1.loc[STP, "completion"] == pytest.approx(22 / 20)
    assert P.reached_label("2025-H1", 3) == "số liệu đến hết Quý I/2025"
    assert P.reached_label("2025-H1", 6) == "" and P.reached_label("2025", 8) == "số liệu đến hết tháng 8/2025"
    ranking = P.unit_completion(con, "2025-H1")
    assert list(ranking["unit_code"]) == [STP, SXD] and list(ranking["through"]) == [6, 3]
    # a quarter takes the quarterly path and gives the same numbers
    q1 = P.period_values(con, "2025-Q1", metric="tin_bai").set_index("unit_code")
    want = Q.completion(con, 2025, 1, metric="tin_bai").set_index("unit_code")
    assert list(q1["actual"]) == list(want["actual"]) and list(q1["target"]) == list(want["target"])


def test_a_nine_month_figure_alone_is_shown_as_cumulative_never_split(con):
    _write(con, "9t.xlsx", unit_code=BQL, year=2025, period="2025-9M",
           spans=[SpanRow(BQL, 2025, 1, 9, "tin_bai", 40)])
    h1 = P.period_values(con, "2025-H1", metric="tin_bai").set_index("unit_code")
    assert BQL not in h1.index  # no value, no target: nothing to show for the half
    year = P.period_values(con, "2025", metric="tin_bai").set_index("unit_code")
    assert (year.loc[BQL, "actual"], year.loc[BQL, "through"]) == (40, 9)  # the year so far is the nine months
    _write(con, "kh.xlsx", year=2025, targets=[TargetRow(BQL, 2025, None, "tin_bai", 48)])
    q3 = P.period_values(con, "2025-Q3", metric="tin_bai").set_index("unit_code")
    assert pd_isna(q3.loc[BQL, "actual"]) and (q3.loc[BQL, "cumulative"], q3.loc[BQL, "cumulative_through"]) == (40, 9)
    assert con.execute("SELECT count(*) FROM v_activity WHERE unit_code = ? AND actual IS NOT NULL",
                       [BQL]).fetchone()[0] == 0


def pd_isna(x):
    import pandas as pd

    return pd.isna(x)


def test_monthly_target_from_a_plan_is_compared_per_month_and_per_quarter(con):
    """'04 số/tháng' (bản tin) in a real plan: 4 a month, 12 a quarter; monthly reports judged month by month."""
    data = SON_LA.read_bytes()
    plan = extract_plan(data, SON_LA.name, Registry.from_db(con))
    save_plan(con, plan, "qt", SON_LA.name, data, unit_code=BQL, entity_code="son_la")
    per = con.execute("SELECT quarter, target, per FROM cur_target WHERE unit_code = ? AND metric_code = 'ban_tin' "
                      "ORDER BY quarter", [BQL]).fetchall()
    assert per == [(3, 12.0, "month"), (4, 12.0, "month")]  # issued in July: Quý III and IV, 12 a quarter
    for month, value in ((7, 4), (8, 3), (9, 5)):
        _write(con, f"t{month}.xlsx", unit_code=BQL, year=2025, period=f"2025-M{month:02d}",
               spans=[SpanRow(BQL, 2025, month, month, "ban_tin", value)])
    months = {m: P.period_values(con, f"2025-M{m:02d}", metric="ban_tin").set_index("unit_code").loc[BQL]
              for m in (7, 8, 9)}
    assert [(months[m]["actual"], months[m]["target"], months[m]["status"]) for m in (7, 8, 9)] == [
        (4, 4, "dat"), (3, 4, "chua_dat"), (5, 4, "dat")]
    q3 = P.period_values(con, "2025-Q3", metric="ban_tin").set_index("unit_code").loc[BQL]
    assert (q3["actual"], q3["target"], q3["status"]) == (12, 12, "dat")  # the months add up to the quarter
    # a yearly target is not cut into twelfths for a month viewed on its own
    aug = P.period_values(con, "2025-M08", metric="tin_bai")
    assert aug.empty or aug["target"].isna().all()


def test_year_to_date_follows_the_period_grain(con):
    for month, value in ((1, 3), (2, 4), (3, 3)):
        _write(con, f"bql_t{month}.xlsx", unit_code=BQL, year=2025, period=f"2025-M{month:02d}",
               spans=[SpanRow(BQL, 2025, month, month, "tin_bai", value)])
    line = P.ytd(con, "2025-M02", metric="tin_bai").set_index("month")
    assert list(line.index) == list(range(1, 13)) and line.loc[1, "label"] == "Tháng 1/2025"
    assert (line.loc[1, "actual"], line.loc[2, "actual"]) == (3, 7)  # only the unit reporting months
    assert line.loc[3, "actual"] == 10 + 10 + 8  # March: the first quarter of all three units
    assert pd_isna(line.loc[7, "actual"])  # nothing after June
    halves = P.ytd(con, "2025-H1", metric="tin_bai")
    assert list(halves["month"]) == [6, 12] and halves["actual"].iloc[0] == 10 + 22 + 8
    quarters = P.ytd(con, "2025-Q2", metric="tin_bai")
    assert list(quarters["month"]) == [3, 6, 9, 12]


def test_deadlines_per_cadence_days_late_and_contacts(con):
    S.set_deadline(con, "quy", 10, 1)  # the 10th of the month after the quarter
    S.set_deadline(con, "thang", 20, 0)
    S.set_unit_reporting(con, SXD, "thang;quy", "Trần Thị B, 0912 345 678")
    create_user(con, "stp", "matkhau-1", "can_bo", full_name="Lê Văn C", unit_code=STP)
    q2 = R.missing(con, "2025-Q2", dt.date(2025, 7, 25)).set_index("unit_code")
    assert list(q2.index) == [SXD]  # Sở Tư pháp sent Q2
    assert (q2.loc[SXD, "deadline"].date(), q2.loc[SXD, "days_late"]) == (dt.date(2025, 7, 10), 15)
    assert q2.loc[SXD, "contact"] == "Trần Thị B, 0912 345 678" and q2.loc[SXD, "last_period"] == "Quý I/2025"
    q3 = R.missing(con, "2025-Q3", dt.date(2025, 10, 5)).set_index("unit_code")
    assert set(q3.index) == {STP, SXD} and q3.loc[STP, "days_late"] == -5  # five days left
    assert q3.loc[STP, "contact"] == "Lê Văn C (stp)"  # no contact set: the unit's staff account
    # only Sở Xây dựng owes monthly reports
    aug = R.missing(con, "2025-M08", dt.date(2025, 9, 1))
    assert list(aug["unit_code"]) == [SXD] and aug["deadline"].iloc[0].date() == dt.date(2025, 8, 20)
    assert aug["days_late"].iloc[0] == 12 and aug["cadence"].iloc[0] == "thang"
    _write(con, "sxd_t8.xlsx", unit_code=SXD, year=2025, period="2025-M08",
           spans=[SpanRow(SXD, 2025, 8, 8, "tin_bai", 2)])
    assert R.missing(con, "2025-M08", dt.date(2025, 9, 1)).empty
    assert list(R.received(con, "2025-M08")["unit_code"]) == [SXD]
    # the second half is nobody's report: the year's covers it
    assert R.missing(con, "2025-H2", dt.date(2026, 1, 30)).empty


def test_settings_refuse_what_they_cannot_keep(con):
    with pytest.raises(S.SettingError, match="kỳ báo cáo “tuan” không hợp lệ"):
        S.set_deadline(con, "tuan", 5)
    with pytest.raises(S.SettingError, match="ngày 40 nằm ngoài 1–31"):
        S.set_deadline(con, "quy", 40)
    with pytest.raises(S.SettingError, match="kỳ báo cáo không hợp lệ: hang tuan"):
        S.set_default_cadences(con, "quy;hang tuan")
    with pytest.raises(S.SettingError, match="không có đơn vị mã “khong_co”"):
        S.set_unit_reporting(con, "khong_co", "quy")
    S.set_default_cadences(con, "quy;nam")
    assert R.default_cadences(con) == ("quy", "nam")
    before = R.settings_version(con)
    S.set_unit_reporting(con, STP, contact="Nguyễn Văn A")
    assert R.settings_version(con) != before
    S.set_unit_reporting(con, STP, contact="")  # cleared: back to the staff accounts (none here)
    assert R.duties(con).set_index("unit_code").loc[STP, "contact"] is None


def test_upload_history_names_each_batch_by_the_period_it_reports(con):
    """Lịch sử: a monthly or six-monthly report is listed as such, not as its year."""
    from dashboard import admin_queries as AQ

    _write(con, "bql_t8.xlsx", unit_code=BQL, year=2025, period="2025-M08",
           spans=[SpanRow(BQL, 2025, 8, 8, "tin_bai", 3)])
    _write(con, "stp_6t.xlsx", unit_code=STP, year=2025, period="2025-H1",
           spans=[SpanRow(STP, 2025, 1, 6, "video_clip", 4)])
    listed = dict(zip(AQ.batches(con)["file_name"], AQ.batches(con)["period"]))
    assert listed["bql_t8.xlsx"] == "Tháng 8/2025" and listed["stp_6t.xlsx"] == "6 tháng đầu năm 2025"
    assert listed["so_tu_phap_1.xlsx"] == "Quý I/2025" and listed["chi_tieu.xlsx"] == "Năm 2025"
    batch = int(AQ.batches(con).set_index("file_name").loc["bql_t8.xlsx", "batch_id"])
    assert AQ.batch_info(con, batch)["period"] == "Tháng 8/2025"
