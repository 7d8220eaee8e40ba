"""Tải lên with a 4,000-unit roll-up (issue 14): the preview of a file of any size the limits allow is a summary,
its first rows and the whole table as a download, never Streamlit's English Styler error; saving works."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from loaders.accounts.users import create_user
from loaders.store.schema import connect
from tests import hardening as H
from tests import upload_files as F

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "tai_len.py")


@pytest.fixture
def big_db(fresh_db, monkeypatch):
    H.add_units(fresh_db)
    with connect(fresh_db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri", "Quản trị")
    monkeypatch.setenv("CCHC_DB", str(fresh_db))
    return fresh_db


def test_a_4000_unit_rollup_previews_and_saves_on_the_page(big_db):
    content, n_values = H.rollup_bytes(big_db)
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.session_state["auth_user"] = "qt"
    at.run()
    at.file_uploader(key="tl_files").set_value([("tong_hop_q2.xlsx", content, F.XLSX_MIME)])
    at.run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "4.000 đơn vị · 18 chỉ tiêu · 1 kỳ" in captions
    assert f"Hiện 200 dòng đầu trong {n_values:,} dòng".replace(",", ".") in captions
    assert [m.value for m in at.metric][:1] == [f"{n_values:,}".replace(",", ".")]
    commit = [b for b in at.button if b.key and b.key.startswith("tl_commit_")]
    assert len(commit) == 1
    commit[0].click()
    at.run()
    assert not at.exception and not at.error
    assert "thành lô số" in at.success[0].value
    with connect(big_db) as con:  # the page holds the file in this process: same configuration
        assert con.execute("SELECT count(*) FROM activity_value").fetchone()[0] == n_values


def test_errors_of_a_large_file_are_grouped_by_cause():
    from dashboard.admin_views import problem_groups
    from loaders.errors import LoadError

    errors = [LoadError("Tổng hợp", r, "D", f"số âm “-{r}” — “Tin bài” là số lượng") for r in range(10, 4010)]
    errors.append(LoadError("Tổng hợp", 5, None, "không nhận ra đơn vị “Xã Ma”"))
    groups = problem_groups(errors)
    assert [n for n, _, _ in groups] == [4000, 1]
    assert groups[0][1] == "số âm “-10” — “Tin bài” là số lượng"
    assert groups[0][2].endswith("… và 3.995 chỗ khác") and "dòng 10, cột D" in groups[0][2]
