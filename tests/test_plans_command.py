"""`python -m loaders plan FILE [--json] [--save] [--db PATH]`: output, exit codes, no tracebacks."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from loaders.commands.plan import add_commands as add_plan_command
from loaders.store.schema import connect

ROOT = Path(__file__).resolve().parents[1]
PLANS = Path(__file__).resolve().parents[2] / "shared" / "plans"
SOC_TRANG = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_so_xay_dung_soc_trang.txt"
SON_LA = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_bql_kcn_son_la.txt"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders")
    parser.add_argument("--db")
    add_plan_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_text_output(capsys):
    assert run(["plan", str(SOC_TRANG)]) == 0
    out = capsys.readouterr().out
    assert "Kế hoạch: Sở Xây dựng tỉnh Sóc Trăng — năm 2025" in out
    assert "Văn bản: Kế hoạch số …/KH-SXD tháng 3/2025" in out
    assert "[chỉ tiêu ty_le_nam_vung] 80%" in out
    assert "Chưa gắn chỉ tiêu, giữ lại để soát (1): 100%" in out
    assert "Chủ trì: Văn phòng Sở Xây dựng [văn phòng của cơ quan ban hành]" in out
    assert "Chủ trì: lãnh đạo các phòng, trung tâm (Các phòng, ban, đơn vị trực thuộc) [nhóm đơn vị]" in out
    assert "Thời gian: Tháng 6 - 9/2025  [Tháng 6–9/2025]" in out


def test_json_output_is_one_object(capsys):
    assert run(["plan", str(SON_LA), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data)[:2] == ["organisation", "year"] and {"year_start", "year_end", "targets", "tasks"} <= set(data)
    assert data["organisation"] == "Ban Quản lý các khu công nghiệp tỉnh Sơn La" and data["year"] == 2025
    assert [(t["code"], t["value"], t["unit"]) for t in data["targets"]] == [("ban_tin", 4.0, "số/tháng")]
    assert [(t["lead"], t["leads"]) for t in data["tasks"]][1] == ("Văn phòng", ["Văn phòng"])


def test_unusable_files(tmp_path, capsys):
    assert run(["plan", str(tmp_path / "khong_co.pdf")]) == 2
    assert "không tìm thấy tệp" in capsys.readouterr().err
    note = tmp_path / "ghi_chu.txt"
    note.write_text("Danh sách đi công tác tuần sau.", encoding="utf-8")
    assert run(["plan", str(note), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "không phải là một kế hoạch" in captured.err
    junk = tmp_path / "hong.pdf"
    junk.write_bytes(b"%PDF-1.4\n garbage that is not a pdf")
    assert run(["plan", str(junk)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_save_only_with_flag_and_another_provinces_plan_only_with_entity(fresh_db, capsys):
    assert run(["plan", str(SON_LA), "--db", str(fresh_db)]) == 0
    with connect(fresh_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM batch WHERE kind = 'plan'").fetchone()[0] == 0
    capsys.readouterr()
    # a plan of Sơn La in a Đắk Lắk dashboard: its Ban Quản lý only shares the name of this province's
    assert run(["plan", str(SON_LA), "--save", "--db", str(fresh_db), "--json"]) == 1
    assert "kế hoạch ghi tỉnh Sơn La, không phải tỉnh của dashboard" in capsys.readouterr().err
    assert run(["plan", str(SON_LA), "--save", "--entity", "son_la", "--db", str(fresh_db), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["year"] == 2025 and "Đã lưu kế hoạch vào lô số" in captured.err
    assert run(["plan", str(SON_LA), "--save", "--entity", "son_la", "--db", str(fresh_db)]) == 0
    assert "đã được lưu trước đó" in capsys.readouterr().out
    with connect(fresh_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM batch WHERE kind = 'plan'").fetchone()[0] == 1
        assert con.execute("SELECT t.quarter, value FROM target_value t JOIN batch b ON b.id = t.batch_id "
                           "WHERE b.kind = 'plan' ORDER BY t.quarter").fetchall() == [(3, 12.0), (4, 12.0)]


def test_the_same_plan_from_another_copy_is_not_saved_twice(fresh_db, tmp_path, capsys):
    province = PLANS / "qd_ke_hoach_tuyen_truyen_cchc_2025_ubnd_tinh_dak_lak.txt"
    assert run(["plan", str(province), "--save", "--db", str(fresh_db)]) == 0
    copy = tmp_path / "ban_khong_dau.txt"
    sys.path.insert(0, str(ROOT / "bench"))
    from plan_accuracy import stripped_copy

    copy.write_text(stripped_copy(province.read_text(encoding="utf-8")), encoding="utf-8")
    capsys.readouterr()
    assert run(["plan", str(copy), "--save", "--db", str(fresh_db)]) == 0
    assert "cùng nội dung, bản khác) đã được lưu ở lô số" in capsys.readouterr().out
    assert run(["plan", str(copy), "--save", "--replace", "--db", str(fresh_db)]) == 0
    assert "thay lô số" in capsys.readouterr().out
    with connect(fresh_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM plan_task t JOIN batch b ON b.id = t.batch_id "
                           "AND b.status = 'active'").fetchone()[0] == 27


def test_save_refused_when_the_plan_cannot_be_placed(fresh_db, tmp_path, capsys):
    plan = tmp_path / "ke_hoach.txt"
    plan.write_text("KẾ HOẠCH tuyên truyền CCHC năm 2025\nChỉ số CCHC (PAR Index) phấn đấu đạt 90%.\n",
                    encoding="utf-8")
    assert run(["plan", str(plan), "--save", "--db", str(fresh_db)]) == 1
    assert "Chưa lưu: không lưu được kế hoạch: không tìm thấy tỉnh" in capsys.readouterr().err


def test_main_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "loaders", "plan", str(SOC_TRANG), "--json"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["targets"][0]["code"] == "ty_le_nam_vung"
    done = subprocess.run([sys.executable, "-m", "loaders", "plan", str(tmp_path / "none.docx")], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
