"""Audit gaps of the red-team report (issue 14): every refused upload (page and command line), plan saves from the
command line and task marks are recorded with who, what and why."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from loaders.accounts.audit import entries
from loaders.accounts.users import create_user, get_user
from loaders.cli import main
from loaders.errors import UnusableFileError
from loaders.store.schema import connect
from loaders.uploads import read_upload
from tests import upload_files as F
from tests.test_page_ke_hoach import STP_PLAN

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
PLAN = STP_PLAN  # a unit's yearly plan with one target and two tasks


@pytest.fixture
def db(fresh_db):
    with connect(fresh_db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri", "Quản trị")
        create_user(con, "cbtp", "matkhau-1", "can_bo", "Cán bộ Sở Tư pháp", unit_code="so_tu_phap")
    return fresh_db


def refusals(con) -> list[tuple]:
    return [(r[2], r[4]) for r in entries(con, action="upload_refused")]


def test_a_can_bo_reading_another_units_report_is_recorded(db):
    with connect(db) as con:
        parsed = read_upload(con, get_user(con, "cbtp"), "bao_cao_xd.xlsx", F.unit_report(unit_line="SỞ XÂY DỰNG"))
        assert parsed.errors
        [(who, detail)] = refusals(con)
    assert who == "cbtp" and detail.startswith("bao_cao_xd.xlsx: 1 lỗi:") and "Sở Xây dựng" in detail


def test_an_unusable_file_on_the_page_is_recorded(db):
    with connect(db) as con:
        with pytest.raises(UnusableFileError):
            read_upload(con, get_user(con, "qt"), "bao_cao.xlsx", F.word_file())
        [(who, detail)] = refusals(con)
    assert who == "qt" and "bao_cao.xlsx" in detail and "văn bản Word" in detail


def test_the_page_records_a_refusal_the_save_button_never_reached(db, monkeypatch):
    """The preview blocks the button, so the refusal is recorded when the file is read: once per file."""
    monkeypatch.setenv("CCHC_DB", str(db))
    at = AppTest.from_file(str(ROOT / "pages" / "tai_len.py"), default_timeout=60)
    at.session_state["auth_user"] = "cbtp"
    at.run()
    at.file_uploader(key="tl_files").set_value([("xd.xlsx", F.unit_report(unit_line="SỞ XÂY DỰNG"), F.XLSX_MIME)])
    at.run()
    at.run()  # a rerun reads the cached result: no second entry
    assert not at.exception and at.error
    with connect(db) as con:
        assert [who for who, _ in refusals(con)] == ["cbtp"]


def test_the_command_line_records_unusable_and_refused_files(db, tmp_path, capsys):
    word = tmp_path / "bao_cao.xlsx"
    word.write_bytes(F.word_file())
    negative = tmp_path / "am.xlsx"
    negative.write_bytes(F.unit_report(rows=(("Tin, bài đăng trên Trang TTĐT của Sở", "-3"),)))
    assert main(["--db", str(db), "load", str(word), "--by", "vanthu"]) == 2
    assert main(["--db", str(db), "load", str(negative), "--by", "vanthu"]) == 1
    capsys.readouterr()
    with connect(db) as con:
        found = refusals(con)
    assert [who for who, _ in found] == ["vanthu", "vanthu"]
    assert "số âm" in found[0][1] and found[0][1].endswith("(dòng lệnh)")
    assert "văn bản Word" in found[1][1]


def test_plan_save_from_the_command_line_is_recorded(db, tmp_path, capsys):
    plan = tmp_path / "ke_hoach.txt"
    plan.write_text(PLAN, encoding="utf-8")
    assert main(["--db", str(db), "plan", str(plan), "--save", "--by", "vanthu"]) == 0
    capsys.readouterr()
    with connect(db) as con:
        [row] = [r for r in entries(con, action="upload")]
    assert row[2] == "vanthu" and "kế hoạch" in row[4] and row[4].endswith("(dòng lệnh)")


def test_task_marks_are_recorded(db):
    from loaders.plans.extract import extract_plan
    from loaders.plans.review import mark_task_as
    from loaders.plans.save import save_plan
    from loaders.registry.registries import Registry

    with connect(db) as con:
        plan = extract_plan(PLAN.encode(), "kh.txt", Registry.from_db(con))
        save_plan(con, plan, "qt", "kh.txt", PLAN.encode())
        task_id = con.execute("SELECT min(id) FROM plan_task").fetchone()[0]
        mark_task_as(con, get_user(con, "cbtp"), task_id, 2025, 2, "done", note="Đã tập huấn 60 người")
        [row] = entries(con, action="task_mark")
    assert row[2] == "cbtp" and f"nhiệm vụ số {task_id}, quý 2/2025: đã hoàn thành — Đã tập huấn 60 người" == row[4]
