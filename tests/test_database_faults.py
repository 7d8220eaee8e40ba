"""Database faults (issue 14): a corrupt, truncated or non-DuckDB database file gives a Vietnamese message and
exit 2 on every command, JSON included, never a traceback; `init` reads every table back before it reports
success; the message for a held database says the truth (the dashboard holds the file while it runs)."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from loaders.cli import held_message, main

COMMANDS = [["batches"], ["init"], ["demo"], ["user", "list"], ["rollback", "1"], ["load", "{report}", "--json"],
            ["load", "{report}"], ["template", "activities", "--out", "{out}"], ["plan", "{plan}", "--save"]]


def damaged(kind: str, good, tmp_path):
    path = tmp_path / f"{kind}.duckdb"
    data = good.read_bytes()
    if kind == "not_duckdb":
        path.write_bytes(b"Day khong phai tep DuckDB. " * 400)
    elif kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:  # blocks overwritten in the middle of the file: every checksum there fails
        b = bytearray(data)
        for off in range(len(b) // 4, len(b) * 3 // 4, 4096):
            b[off + 64:off + 576] = os.urandom(512)
        path.write_bytes(bytes(b))
    return path


@pytest.mark.parametrize("kind", ["not_duckdb", "truncated"])
def test_every_command_gives_a_vietnamese_message_and_exit_2(kind, fresh_db, tmp_path, capsys):
    report = tmp_path / "bao_cao.xlsx"
    from tests import upload_files as F

    report.write_bytes(F.unit_report())
    plan = tmp_path / "kh.txt"
    plan.write_text("KẾ HOẠCH tuyên truyền CCHC năm 2025\n2. Nhiệm vụ\na) Tập huấn; Thời gian: Quý II/2025.\n",
                    encoding="utf-8")
    for command in COMMANDS:
        db = damaged(kind, fresh_db, tmp_path)
        argv = ["--db", str(db)] + [a.format(report=report, out=tmp_path / "mau.xlsx", plan=plan) for a in command]
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2, (command, out, err)
        assert "Traceback" not in out + err
        text = json.loads(out)["errors"][0]["message"] if "--json" in command else err
        assert "không dùng được" in text and "bị hỏng" in text, (command, out, err)


def test_init_reads_every_block_before_reporting_success(fresh_db, tmp_path, capsys):
    db = damaged("blocks", fresh_db, tmp_path)
    assert main(["--db", str(db), "init"]) == 2
    out, err = capsys.readouterr()
    assert "Đã kiểm tra tệp" not in out and "không dùng được" in err
    good = tmp_path / "good.duckdb"
    shutil.copy(fresh_db, good)
    assert main(["--db", str(good), "init"]) == 0
    assert "Đã kiểm tra tệp: đọc lại được toàn bộ" in capsys.readouterr().out


def test_a_command_that_reads_a_damaged_block_stops_with_exit_2(fresh_db, tmp_path, capsys):
    db = damaged("blocks", fresh_db, tmp_path)
    from loaders.store.schema import connect, verify_database

    codes = []
    for command in (["batches"], ["user", "list"], ["init"]):
        codes.append(main(["--db", str(db)] + command))
        assert "Traceback" not in "".join(capsys.readouterr())
    assert set(codes) <= {0, 2} and codes[-1] == 2
    with pytest.raises(Exception, match="không dùng được"):
        with connect(db) as con:
            verify_database(con, db)


def test_the_held_database_message_says_the_dashboard_holds_it_while_it_runs():
    text = held_message("data/cchc.duckdb")
    assert "dashboard giữ tệp suốt lúc nó chạy" in text and "hiếm gặp" not in text
