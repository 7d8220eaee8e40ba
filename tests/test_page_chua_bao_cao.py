"""Chưa báo cáo: units that have not sent the quarter's report, and the list's export."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from loaders.store.schema import connect
from loaders.store.batches import ActivityRow, Batch, write_batch
from loaders.accounts.users import create_user

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "chua_bao_cao.py")


@pytest.fixture
def db(demo_db, monkeypatch):
    monkeypatch.setenv("CCHC_DB", str(demo_db))
    with connect(demo_db) as con:
        create_user(con, "ld", "matkhau-1", "lanh_dao")
        late = [r[0] for r in con.execute(
            "SELECT code FROM unit WHERE (valid_to IS NULL OR valid_to >= DATE '2025-07-01') AND kind <> 'huyen' "
            "AND code NOT IN (SELECT DISTINCT unit_code FROM v_activity WHERE year = 2025 AND quarter = 3 "
            "AND actual IS NOT NULL) ORDER BY code").fetchall()]
    return demo_db, late


def page(db):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["auth_user"] = "ld"
    at.query_params["nam"] = "2025"
    at.query_params["quy"] = "3"
    return at.run()


def table(at, key):
    """The first table with the columns of the missing list or of the reported list."""
    column = {"cbc_missing": "Kỳ gần nhất đã báo cáo", "cbc_done": "Số chỉ tiêu có số liệu"}[key]
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_lists_the_units_that_have_not_reported(db):
    path, late = db
    assert len(late) == 3  # the sample data leaves three units late for its last quarter
    at = page(path)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Chưa báo cáo"] == "3" and metrics["Đã báo cáo"] == "13/16"
    with connect(path) as con:
        names = {c: n for c, n in con.execute("SELECT code, name FROM unit").fetchall()}
    assert set(table(at, "cbc_missing")["Đơn vị"]) == {names[c] for c in late}
    assert len(table(at, "cbc_done")) == 13
    labels = [d.label for d in at.get("download_button")]
    assert "Tải Excel (.xlsx)" in labels and "Tải .csv" in labels


def test_a_late_report_moves_the_unit_to_reported(db):
    path, late = db
    with connect(path) as con:
        write_batch(con, Batch("activities", file_name="muon.xlsx", uploaded_by="x", unit_code=late[0], year=2025,
                               quarter=3, activities=[ActivityRow(late[0], 2025, 3, "tin_bai", 3.0)]))
    at = page(path)
    assert {m.label: m.value for m in at.metric}["Chưa báo cáo"] == "2"
    assert "muon.xlsx" in set(table(at, "cbc_done")["Tệp"])


def test_reminder_text_names_the_units(db):
    path, late = db
    at = page(path)
    code = at.get("code")[0].value
    assert "Quý III/2025" in code and code.count("\n") >= 4
