"""`python -m loaders load` and `template` as a user runs them: exit codes, JSON, Vietnamese reports."""
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import UNIT_REPORT_BODY, rollup_xlsx, unit_report_xlsx

from loaders.store.schema import connect

ROOT = Path(__file__).resolve().parent.parent
KEYS = {"status", "batch", "kind", "rows", "errors", "warnings"}


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "loaders", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def counts(db):
    with connect(db, read_only=True) as con:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("batch", "activity_value", "target_value"))


def test_load_json_then_the_same_file_again(fresh_db, tmp_path):
    f = tmp_path / "bao_cao_q3.xlsx"
    f.write_bytes(unit_report_xlsx())
    p = run("--db", str(fresh_db), "load", str(f), "--json", "--by", "cb_stp")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert set(out) == KEYS
    assert (out["status"], out["kind"], out["rows"], out["errors"]) == ("loaded", "activities", 15, [])  # the quarter, the cumulative figures, the plans
    assert isinstance(out["batch"], int)
    assert {"sheet": "Báo cáo", "row": 18, "column": "B", "message": "bỏ qua dòng tổng “Tổng cộng”"} in out["warnings"]
    with connect(fresh_db, read_only=True) as con:
        assert con.execute("SELECT uploaded_by, file_name FROM batch WHERE id=?", [out["batch"]]).fetchone() == (
            "cb_stp", "bao_cao_q3.xlsx")
    again = run("--db", str(fresh_db), "load", str(f), "--json")
    assert again.returncode == 0
    out2 = json.loads(again.stdout)
    assert (out2["status"], out2["batch"]) == ("loaded", out["batch"])
    assert any(w["message"] == f"tệp này đã được nạp trước đó (lô số {out['batch']}) — không nạp lại"
               for w in out2["warnings"])


def test_refused_exit_1_names_the_places_and_writes_nothing(fresh_db, tmp_path):
    body = UNIT_REPORT_BODY[:2] + [[2, "Video, clip", "video", 8, "-2", 5]]
    f = tmp_path / "loi.xlsx"
    f.write_bytes(unit_report_xlsx(body=body))
    before = counts(fresh_db)
    p = run("--db", str(fresh_db), "load", str(f), "--json")
    assert p.returncode == 1
    out = json.loads(p.stdout)
    assert (out["status"], out["batch"], out["rows"]) == ("refused", None, 0)
    assert [(e["sheet"], e["row"], e["column"]) for e in out["errors"]] == [("Báo cáo", 13, "E")]
    assert counts(fresh_db) == before
    text = run("--db", str(fresh_db), "load", str(f))  # the readable report, in Vietnamese
    assert text.returncode == 1
    assert "KHÔNG NẠP: 1 lỗi" in text.stdout and "Trang tính “Báo cáo”, dòng 13, cột E: số âm “-2”" in text.stdout
    assert "Traceback" not in text.stdout + text.stderr


def test_unusable_inputs_exit_2(fresh_db, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(os.urandom(3000))
    p = run("--db", str(fresh_db), "load", str(junk), "--json")
    assert p.returncode == 2
    out = json.loads(p.stdout)
    assert set(out) == KEYS and out["status"] == "unusable"
    assert "không phải là tệp Excel" in out["errors"][0]["message"]
    p = run("--db", str(fresh_db), "load", str(tmp_path / "khong_co.xlsx"))
    assert p.returncode == 2 and "không tìm thấy tệp" in p.stderr and "Traceback" not in p.stderr
    p = run("--db", str(fresh_db), "load", str(junk), "--period", "2025-Q7", "--json")
    assert p.returncode == 2 and "quý 7 nằm ngoài 1–4" in json.loads(p.stdout)["errors"][0]["message"]
    p = run("--db", str(fresh_db), "load", str(junk), "--kind", "plans")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    big = tmp_path / "big.xlsx"
    big.write_bytes(unit_report_xlsx())
    p = run("--db", str(fresh_db), "load", str(big), "--max-size", "0.001", "--json")
    assert p.returncode == 2 and "quá lớn" in json.loads(p.stdout)["errors"][0]["message"]


def test_locked_database_exit_2_and_dry_run_still_checks(fresh_db, tmp_path):
    f = tmp_path / "bc.xlsx"
    f.write_bytes(unit_report_xlsx())
    holder = connect(fresh_db)  # as a running dashboard holding the file for writing would
    try:
        p = run("--db", str(fresh_db), "load", str(f))
        assert p.returncode == 2
        assert "đang bị một tiến trình khác giữ" in p.stderr and "--dry-run" in p.stderr
        assert "Traceback" not in p.stderr
        p = run("--db", str(fresh_db), "load", str(f), "--dry-run", "--json")
        assert p.returncode == 0
        out = json.loads(p.stdout)
        assert (out["status"], out["batch"], out["rows"]) == ("dry-run", None, 15)
        assert "danh mục mặc định" in out["warnings"][0]["message"]
    finally:
        holder.close()


def test_dry_run_writes_nothing(fresh_db, tmp_path):
    f = tmp_path / "bc.xlsx"
    f.write_bytes(unit_report_xlsx())
    before = counts(fresh_db)
    p = run("load", str(f), "--dry-run", env={"CCHC_DB": str(fresh_db)})
    assert p.returncode == 0 and "KIỂM TRA XONG (không ghi gì): 15 dòng" in p.stdout
    assert counts(fresh_db) == before


def test_several_files_one_json_object(fresh_db, tmp_path):
    a, b, c = tmp_path / "a.xlsx", tmp_path / "b.xlsx", tmp_path / "c.xlsx"
    a.write_bytes(unit_report_xlsx())
    b.write_bytes(rollup_xlsx())
    c.write_bytes(unit_report_xlsx(body=[[1, "Tin bài", "tin", 40, "nhiều", 30]]))
    p = run("--db", str(fresh_db), "load", str(a), str(b), "--json")
    assert p.returncode == 0
    out = json.loads(p.stdout)
    assert set(out) == KEYS | {"files"} and out["status"] == "loaded" and out["rows"] == 15 + 18
    assert [f["status"] for f in out["files"]] == ["loaded", "loaded"]
    assert out["batch"] == out["files"][1]["batch"] != out["files"][0]["batch"]
    p = run("--db", str(fresh_db), "load", str(c), str(b), "--json")
    assert p.returncode == 1
    out = json.loads(p.stdout)
    assert out["status"] == "refused" and [f["status"] for f in out["files"]] == ["refused", "loaded"]
    assert out["errors"][0]["file"] == str(c) and out["errors"][0]["column"] == "E"


def test_template_command_then_load(fresh_db, tmp_path):
    out = tmp_path / "mau_hoat_dong.xlsx"
    p = run("--db", str(fresh_db), "template", "activities", "--out", str(out))
    assert p.returncode == 0 and out.exists() and "Đã tạo mẫu kết quả thực hiện" in p.stdout
    from openpyxl import load_workbook

    wb = load_workbook(out)
    ws = wb["Số liệu"]
    ws.append(["Sở Nội vụ", 2025, 3, "Hội nghị, hội thảo, tọa đàm có lồng ghép nội dung CCHC", 2])
    wb.save(out)
    p = run("--db", str(fresh_db), "load", str(out), "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["rows"] == 1
    p = run("--db", str(fresh_db), "template", "indices", "--out", str(tmp_path / "no" / "such" / "dir" / "x.xlsx"))
    assert p.returncode == 0  # the folder is created


def test_template_prefilled_for_a_unit_then_load(fresh_db, tmp_path):
    out = tmp_path / "mau_so_noi_vu.xlsx"
    p = run("--db", str(fresh_db), "template", "activities", "--out", str(out), "--unit", "so noi vu",
            "--period", "2025-Q3")
    assert p.returncode == 0, p.stderr
    from openpyxl import load_workbook

    wb = load_workbook(out)
    ws = wb["Số liệu"]
    hoi_nghi = next(r for r in range(2, ws.max_row + 1) if str(ws.cell(r, 4).value).startswith("Hội nghị"))
    assert [ws.cell(hoi_nghi, c).value for c in (1, 2, 3)] == ["Sở Nội vụ", 2025, 3]
    ws.cell(hoi_nghi, 5, 2)
    wb.save(out)
    p = run("--db", str(fresh_db), "load", str(out), "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["rows"] == 1
    for args, message in ((["--unit", "So Noi Vuu X"], "gần nhất: Sở Nội vụ"),
                          (["--unit", "Sở Nội vụ", "--period", "2025-Q7"], "quý 7 nằm ngoài 1–4")):
        p = run("--db", str(fresh_db), "template", "activities", "--out", str(tmp_path / "x.xlsx"), *args)
        assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr
