"""The period choice on Tổng quan, Hoạt động and Đơn vị (month, quarter, six months, year; AppTest), the written
report's button, and Chưa báo cáo's deadlines, days late and contacts per cadence."""
from __future__ import annotations

import datetime as dt

from dashboard import fmt, period_queries as P, reporting as R
from dashboard.db import cursor
from loaders.accounts.users import create_user
from loaders.registry import settings as S
from loaders.store.batches import Batch, SpanRow, write_batch
from loaders.store.schema import connect
from page_testing import open_page, specs


def texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [s.value for s in at.subheader] + [c.value for c in at.caption]
                    + [i.value for i in at.info])


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def test_tong_quan_six_months_equals_the_period_queries(demo_db, monkeypatch):
    at = open_page("tong_quan.py", demo_db, monkeypatch, ky="6thang", nam="2025", nua="1")
    con = cursor()
    assert at.selectbox(key="qp_ky").value == "6thang" and at.selectbox(key="qp_nua").value == 1
    assert "Hoàn thành chỉ tiêu — 6 tháng đầu năm 2025" in [s.value for s in at.subheader]
    ov = P.overview(con, "2025-H1")
    ranking = P.unit_completion(con, "2025-H1")
    assert metric(at, "Hoàn thành chung").value == fmt.percent(ov.iloc[0]["completion"])
    # the delta compares with the previous six months (the second half of 2024)
    assert metric(at, "Hoàn thành chung").delta == f"{fmt.points_delta(ov.iloc[0]['delta'])} so với 6 tháng trước"
    assert ov.iloc[0]["prev_completion"] == P.overview(con, "2024-H2").iloc[0]["completion"]
    bars = specs(at)[0]["data"][0]
    lowest = ranking.sort_values("completion", kind="stable").head(15)  # the 15 lowest of 16 units by default
    assert sorted(bars["customdata"]) == sorted(lowest["unit_code"])
    assert "Soạn báo cáo (Word)" in [d.label for d in at.get("download_button")]


def test_tong_quan_second_half_owes_no_report_of_its_own(demo_db, monkeypatch):
    at = open_page("tong_quan.py", demo_db, monkeypatch, ky="6thang", nam="2025", nua="2")
    assert "kết quả nằm trong báo cáo quý và báo cáo năm" in texts(at)
    # the second half so far: its values reach September
    assert "số liệu đến hết Quý III/2025" in texts(at)


def test_hoat_dong_year_and_month(demo_db, monkeypatch):
    at = open_page("hoat_dong.py", demo_db, monkeypatch, ky="nam", nam="2025")
    con = cursor()
    ranking = P.unit_completion(con, "2025")
    units = specs(at)[0]["data"][0]
    lowest = ranking.sort_values("completion", kind="stable").head(15)
    assert sorted(units["customdata"]) == sorted(lowest["unit_code"])
    assert "Mức hoàn thành theo đơn vị — Năm 2025" in [s.value for s in at.subheader]
    ytd = specs(at)[3]["data"][1]
    assert list(ytd["x"]) == ["Quý I/2025", "Quý II/2025", "Quý III/2025", "Quý IV/2025"]
    month = open_page("hoat_dong.py", demo_db, monkeypatch, ky="thang", nam="2025", thang="8")
    assert "Chưa có đơn vị nào báo cáo Tháng 8/2025" in texts(month)  # the sample data has no monthly reports
    assert "tháng chỉ có số liệu khi đơn vị gửi báo cáo tháng" in texts(month)


def test_hoat_dong_month_with_monthly_reports(demo_db, monkeypatch):
    """Sở Y tế reported 7 tin bài for Q3; its months 7 and 8 (3 and 2) leave September at 2, derived."""
    with connect(demo_db) as con:
        for m, v in ((7, 3), (8, 2)):
            write_batch(con, Batch("activities", file_name=f"t{m}.xlsx", content=f"t{m}".encode(), unit_code="so_y_te",
                                   year=2025, period=f"2025-M{m:02d}",
                                   spans=[SpanRow("so_y_te", 2025, m, m, "tin_bai", v)]))
    at = open_page("hoat_dong.py", demo_db, monkeypatch, ky="thang", nam="2025", thang="8")
    assert at.selectbox(key="qp_thang").value == 8
    assert "Mức hoàn thành theo đơn vị — Tháng 8/2025" in [s.value for s in at.subheader]
    bars = specs(at)[0]["data"][0]
    assert bars["customdata"] == ["so_y_te"]  # the only unit with a value for August
    ytd = specs(at)[3]["data"][1]
    assert list(ytd["x"])[:2] == ["Tháng 1/2025", "Tháng 2/2025"] and len(ytd["x"]) == 12  # a point per month
    sep = P.period_values(cursor(), "2025-M09", units=("so_y_te",), metric="tin_bai")
    assert sep["actual"].tolist() == [2.0]  # Q3 − July − August


def test_don_vi_by_year(demo_db, monkeypatch):
    at = open_page("don_vi.py", demo_db, monkeypatch, don_vi="so_y_te", ky="nam", nam="2025")
    assert "Chỉ tiêu qua các năm — Sở Y tế" in [s.value for s in at.subheader]
    heat = specs(at)[0]["data"][0]
    assert list(heat["x"]) == ["Năm 2024", "Năm 2025"]
    hist = P.unit_history(cursor(), "so_y_te", "year")
    y2025 = hist[hist["period"] == "2025"]
    assert metric(at, "Hoàn thành Năm 2025").value == fmt.percent(y2025["completion"].clip(upper=1).mean())
    assert "Soạn báo cáo (Word)" in [d.label for d in at.get("download_button")]


def _cbc(db, monkeypatch, user="qt", **params):
    monkeypatch.setenv("CCHC_DB", str(db))
    from streamlit.testing.v1 import AppTest
    from page_testing import page_path

    at = AppTest.from_file(page_path("chua_bao_cao.py"), default_timeout=60)
    at.session_state["auth_user"] = user
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_chua_bao_cao_deadline_days_late_and_contact(demo_db, monkeypatch):
    with connect(demo_db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri")
        late = [c for (c,) in con.execute(
            "SELECT code FROM unit u WHERE kind <> 'huyen' AND valid_to IS NULL AND code NOT IN (SELECT unit_code "
            "FROM v_activity WHERE year = 2025 AND quarter = 3 AND actual IS NOT NULL) ORDER BY code").fetchall()]
        S.set_unit_reporting(con, late[0], contact="Nguyễn Văn A, 0912 345 678")
        S.set_deadline(con, "quy", 10, 1)
    at = _cbc(demo_db, monkeypatch, nam="2025", quy="3")
    table = next(d.value for d in at.dataframe if "Hạn nộp" in d.value.columns)
    assert len(table) == len(late)
    assert set(table["Hạn nộp"].map(lambda d: d.date())) == {dt.date(2025, 10, 10)}
    days = (fmt.today() - dt.date(2025, 10, 10)).days
    assert set(table["Số ngày trễ"]) == {max(days, 0)}
    assert set(table["Trễ hạn"]) == {f"Trễ {fmt.number(days)} ngày"}
    names = dict(cursor().execute("SELECT code, name FROM unit").fetchall())
    row = table[table["Đơn vị"] == names[late[0]]].iloc[0]
    assert row["Đầu mối"] == "Nguyễn Văn A, 0912 345 678"
    assert metric(at, "Hạn nộp").value == "10/10/2025"


def test_chua_bao_cao_monthly_cadence_and_the_settings_form(demo_db, monkeypatch):
    with connect(demo_db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri")
        S.set_unit_reporting(con, "so_tu_phap", "thang;quy")
    at = _cbc(demo_db, monkeypatch, ky="thang", nam="2025", thang="8")
    table = next(d.value for d in at.dataframe if "Hạn nộp" in d.value.columns)
    assert list(table["Đơn vị"]) == ["Sở Tư pháp"]  # the only unit owing monthly reports
    assert "Đơn vị chưa gửi báo cáo tháng 8 năm 2025" in [s.value for s in at.subheader]
    at.number_input(key="cbc_day_thang").set_value(5)
    at.selectbox(key="cbc_after_thang").set_value(1)
    next(b for b in at.button if b.label == "Lưu hạn nộp").click().run()
    assert not at.exception
    assert R.deadlines(cursor())["thang"].code == "5:1"
    table = next(d.value for d in at.dataframe if "Hạn nộp" in d.value.columns)
    assert set(table["Hạn nộp"].map(lambda d: d.date())) == {dt.date(2025, 9, 5)}


def test_chua_bao_cao_settings_are_the_office_s(demo_db, monkeypatch):
    with connect(demo_db) as con:
        create_user(con, "ld", "matkhau-1", "lanh_dao")
    at = _cbc(demo_db, monkeypatch, user="ld", nam="2025", quy="3")
    assert not [b for b in at.button if b.label == "Lưu hạn nộp"]
    assert "Hạn nộp:" in " ".join(c.value for c in at.caption)
