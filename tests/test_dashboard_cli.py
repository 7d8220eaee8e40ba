"""`python -m dashboard deck|summary|slides`: exit codes 0 / 1 (no data) / 2 (bad arguments, unusable database),
Vietnamese messages, never a traceback; the database is opened read-only."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from pptx import Presentation

from dashboard.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args, **env):
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=180, env={**os.environ, **env})


def test_deck_written_in_a_subprocess(demo_db_file, tmp_path):
    out = tmp_path / "giao_ban.pptx"
    before = demo_db_file.stat().st_mtime_ns
    r = run("deck", "--period", "2025-Q3", "--out", out, "--db", demo_db_file)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert "Đã ghi bộ trình chiếu giao ban Quý III/2025" in r.stdout and "DỮ LIỆU MẪU" in r.stdout
    prs = Presentation(str(out))
    assert len(prs.slides) == 9
    assert demo_db_file.stat().st_mtime_ns == before  # read-only: the file is untouched


def test_no_data_is_exit_1(demo_db_file, tmp_path, capsys):
    out = tmp_path / "x.pptx"
    assert main(["--db", str(demo_db_file), "deck", "--period", "2025-Q4", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Quý IV/2025 chưa có đơn vị nào báo cáo" in err
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["deck", "--period", "2025-Q5", "--out", "{tmp}/x.pptx"], "không đọc được kỳ báo cáo"),
    (["deck", "--out", "{tmp}/x.pptx"], "thiếu tham số bắt buộc"),
    (["deck", "--period", "2025-Q3", "--out", "{tmp}/x.pdf"], "phải có đuôi .pptx"),
    (["deck", "--period", "2025-Q3", "--out", "{tmp}/khong_co/x.pptx"], "không tồn tại"),
    (["deck", "--period", "2025-Q3", "--out", "{tmp}/x.pptx", "--slides", "title,nope"], "không có trang “nope”"),
    (["vẽ"], "lựa chọn không hợp lệ"),
])
def test_bad_arguments_are_exit_2(demo_db_file, tmp_path, capsys, args, message):
    argv = ["--db", str(demo_db_file)] + [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_missing_database_is_exit_2(tmp_path, capsys):
    assert main(["deck", "--period", "2025-Q3", "--out", str(tmp_path / "x.pptx"),
                 "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "không tìm thấy cơ sở dữ liệu" in capsys.readouterr().err
    assert not (tmp_path / "none.duckdb").exists()  # never created by a read


def test_not_a_cchc_database_is_exit_2(tmp_path, capsys):
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    assert main(["--db", str(other), "deck", "--period", "2025-Q3", "--out", str(tmp_path / "x.pptx")]) == 2
    assert "không phải cơ sở dữ liệu CCHC" in capsys.readouterr().err
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database at all" * 100)
    assert main(["--db", str(garbage), "deck", "--period", "2025-Q3", "--out", str(tmp_path / "x.pptx")]) == 2
    assert "không mở được cơ sở dữ liệu" in capsys.readouterr().err


def test_locked_database_is_exit_2(demo_db, tmp_path):
    """The running dashboard (or a loader) holds the file for writing: a clear message, not a traceback."""
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(60)", str(demo_db)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        r = run("--db", demo_db, "deck", "--period", "2025-Q3", "--out", tmp_path / "x.pptx")
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 2
    assert "đang bị một tiến trình khác" in r.stderr and "Traceback" not in r.stderr


def test_env_database_and_db_after_the_command(demo_db_file, tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_DB", str(demo_db_file))
    assert main(["deck", "--period", "Quý III/2025", "--out", str(tmp_path / "a.pptx"),
                 "--slides", "title,units"]) == 0
    assert len(Presentation(str(tmp_path / "a.pptx")).slides) == 2
    monkeypatch.delenv("CCHC_DB")
    assert main(["deck", "--period", "2025-Q3", "--out", str(tmp_path / "b.pptx"), "--db", str(demo_db_file),
                 "--org", "Sở Nội vụ tỉnh Đắk Lắk"]) == 0
    cover = Presentation(str(tmp_path / "b.pptx")).slides[0]
    assert any(sh.has_text_frame and sh.text_frame.text == "SỞ NỘI VỤ TỈNH ĐẮK LẮK" for sh in cover.shapes)


def test_slides_lists_the_keys(demo_db_file, capsys):
    assert main(["--db", str(demo_db_file), "slides", "--period", "2025-Q3"]) == 0
    out = capsys.readouterr().out
    for key in ("title", "overall", "units", "lagging", "index:PAR", "index:DTI"):
        assert key in out


def test_unexpected_error_is_a_message(demo_db_file, tmp_path, capsys, monkeypatch):
    import dashboard.pptx_export as px

    def boom(deck):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(px, "deck_to_pptx", boom)
    assert main(["--db", str(demo_db_file), "deck", "--period", "2025-Q3", "--out", str(tmp_path / "x.pptx")]) == 2
    assert "Lỗi không mong đợi (RuntimeError): hỏng" in capsys.readouterr().err


@pytest.mark.xdist_group("kaleido")
def test_summary_pdf(demo_db_file, tmp_path, capsys):
    from pypdf import PdfReader

    out = tmp_path / "tom_tat.pdf"
    assert main(["--db", str(demo_db_file), "summary", "--period", "2025-Q3", "--out", str(out)]) == 0
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 1
    assert reader.metadata.title == "Tóm tắt CCHC Quý III/2025"
    text = reader.pages[0].extract_text()
    assert "QUÝ III/2025" in text and "Xếp hạng đơn vị" in text and "DỮ LIỆU MẪU" in text
    assert main(["--db", str(demo_db_file), "summary", "--period", "2025-Q4", "--out", str(out)]) == 1
