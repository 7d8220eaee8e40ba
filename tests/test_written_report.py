"""The written report drafted from the data (dashboard.written_report, dashboard.report_docx, python -m dashboard
report): every cell of its indicator table and every sentence checked against the data; the Word document laid
out per Nghị định 30/2020/NĐ-CP in the template of data/; rendered to PDF by LibreOffice with the sample mark on
every page."""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from dashboard import fmt, plan_queries as PQ
from dashboard.report_docx import TEMPLATE, TemplateFieldError, report_docx
from dashboard.written_report import Note, ReportError, UnknownUnit, draft, place_date, symbol_of
from loaders.plans import extract_plan, mark_task, save_plan
from loaders.registry.registries import Registry
from loaders.store.batches import ActivityRow, Batch, SpanRow, TargetRow, write_batch
from loaders.store.schema import connect

DAY = dt.date(2025, 10, 7)
PLAN = Path(__file__).resolve().parents[2] / "shared" / "plans" / "ke_hoach_tuyen_truyen_cchc_2025_so_xay_dung_soc_trang.txt"
STP, SXD = "so_tu_phap", "so_xay_dung"


def _batch(con, name, **kw):
    write_batch(con, Batch("activities" if "targets" not in kw else "targets", file_name=name, content=name.encode(),
                           **kw))


@pytest.fixture(scope="module")
def report_db(tmp_path_factory, _init_db_file):
    """Two departments of Đắk Lắk through 2025: quarters, a six-month report, a nine-month cumulative column;
    annual targets; the Sóc Trăng plan's tasks, one done."""
    db = tmp_path_factory.mktemp("report") / "report.duckdb"
    shutil.copy(_init_db_file, db)
    with connect(db) as con:
        data = PLAN.read_bytes()
        plan = extract_plan(data, PLAN.name, Registry.from_db(con))
        save_plan(con, plan, "qt", PLAN.name, data, entity_code="soc_trang")
        # the first task recurs every quarter ("Định kỳ Quý"): done in Quý I and in Quý III
        for quarter in (1, 3):
            mark_task(con, plan.tasks[0].id, 2025, quarter, "done", "qt", note="Đã đăng 2 tin bài")
        _batch(con, "chi_tieu.xlsx", year=2025, targets=[
            TargetRow(STP, 2025, None, "tin_bai", 40), TargetRow(STP, 2025, None, "video_clip", 8),
            TargetRow(STP, 2025, None, "ty_le_dung_han", 95), TargetRow(SXD, 2025, None, "tin_bai", 20),
            TargetRow(SXD, 2025, None, "video_clip", 4), TargetRow(SXD, 2025, None, "ty_le_dung_han", 90)])
        for unit, q, tin, video, rate in ((STP, 1, 10, 2, 96), (SXD, 1, 4, 0, 88), (SXD, 2, 6, 1, 91),
                                          (STP, 3, 12, 3, 98), (SXD, 3, 5, 1, 85)):
            _batch(con, f"{unit}_q{q}.xlsx", unit_code=unit, year=2025, quarter=q, activities=[
                ActivityRow(unit, 2025, q, "tin_bai", tin), ActivityRow(unit, 2025, q, "video_clip", video),
                ActivityRow(unit, 2025, q, "ty_le_dung_han", rate)])
        _batch(con, "stp_6thang.xlsx", unit_code=STP, year=2025, period="2025-H1", spans=[
            SpanRow(STP, 2025, 1, 6, "tin_bai", 25), SpanRow(STP, 2025, 1, 6, "video_clip", 4),
            SpanRow(STP, 2025, 1, 6, "ty_le_dung_han", 97)])
        _batch(con, "stp_9thang.xlsx", unit_code=STP, year=2025, period="2025-9M", spans=[
            SpanRow(STP, 2025, 1, 9, "tin_bai", 37), SpanRow(STP, 2025, 1, 9, "video_clip", 7)])
    return db


@pytest.fixture
def con(report_db):
    c = connect(report_db, read_only=True)
    yield c
    c.close()


@pytest.fixture
def q3(con):
    return draft(con, "2025-Q3", today=DAY, organisation="Sở Nội vụ", recipient="Ủy ban nhân dân tỉnh Đắk Lắk")


def test_the_table_holds_every_planned_indicator_cell_by_cell(q3):
    rows = {r.code: r for r in q3.table}
    assert list(rows) == ["tin_bai", "video_clip", "ty_le_dung_han", "ty_le_nam_vung"]  # the registry's order
    tin = rows["tin_bai"]
    # plan 40 + 20; Q3 12 + 5; from January: Sở Tư pháp's nine-month figure 37 + Sở Xây dựng's quarters 4 + 6 + 5
    assert (tin.plan, tin.result, tin.cumulative) == (60, 17, 52) and tin.percent == pytest.approx(52 / 60)
    video = rows["video_clip"]
    assert (video.plan, video.result, video.cumulative) == (12, 4, 9) and video.percent == pytest.approx(9 / 12)
    rate = rows["ty_le_dung_han"]  # rates: the mean of the units; the cumulative is each unit's latest value
    assert (rate.plan, rate.result, rate.cumulative) == (92.5, 91.5, 91.5)
    assert rate.percent == pytest.approx(91.5 / 92.5)
    nam_vung = rows["ty_le_nam_vung"]  # the plan's target, nothing reported yet
    assert (nam_vung.plan, nam_vung.result, nam_vung.cumulative, nam_vung.percent) == (80, None, None, None)
    assert [r.no for r in q3.table] == [1, 2, 3, 4] and rows["tin_bai"].unit == "tin/bài"


def test_sentences_state_the_data(q3, con):
    assert q3.opening == ["Thực hiện kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2025, Sở Nội vụ báo cáo "
                          "kết quả công tác thông tin, tuyên truyền cải cách hành chính quý III năm 2025 như sau:"]
    # Sở Tư pháp: 12/10, 3/2, 98/95 -> 100 %; Sở Xây dựng: 5/5, 1/1, 85/90 -> (1 + 1 + 0,944) / 3
    both = (1 + (1 + 1 + 85 / 90) / 3) / 2
    assert q3.results == [
        "Có 2/2 đơn vị gửi báo cáo quý III năm 2025.",
        f"Mức hoàn thành chỉ tiêu chung của các đơn vị trong quý là {fmt.percent(both)} (bình quân các đơn vị, mỗi "
        "chỉ tiêu tính tối đa 100%); 1/2 đơn vị đạt chỉ tiêu của kỳ.",
        "Trong quý, toàn tỉnh thực hiện 17 tin/bài “Tin, bài về CCHC trên Cổng/Trang thông tin điện tử”; lũy kế từ "
        "đầu năm 52 tin/bài, đạt 86,7% kế hoạch năm (60 tin/bài).",
        "Trong quý, toàn tỉnh thực hiện 4 video “Video, clip về CCHC”; lũy kế từ đầu năm 9 video, đạt 75,0% kế hoạch "
        "năm (12 video).",
        "“Tỷ lệ hồ sơ TTHC giải quyết đúng hạn” trong quý đạt 91,5% (kế hoạch 92,5%), bằng 98,9% kế hoạch.",
    ]
    assert fmt.percent(both) == "99,1%"
    assert q3.shortfalls[:4] == [
        "Có 1/2 đơn vị chưa đạt chỉ tiêu quý III năm 2025 (mức hoàn thành):",
        f"- Sở Xây dựng: {fmt.percent((2 + 85 / 90) / 3)}.",
        "Các chỉ tiêu chưa đạt kế hoạch của kỳ (thực hiện/kế hoạch của kỳ):",
        "- “Tỷ lệ hồ sơ TTHC giải quyết đúng hạn”: 91,5%/92,5%, đạt 98,9%."]
    assert isinstance(q3.shortfalls[-1], Note)
    assert q3.next_steps[-3:-1] == ["- “Tin, bài về CCHC trên Cổng/Trang thông tin điện tử”: 8 tin/bài;",
                                    "- “Video, clip về CCHC”: 3 video."]


def test_plan_tasks_done_late_and_due_next_come_from_the_plan(q3, con):
    tasks = PQ.task_table(con, 2025, 3, DAY)
    done, late = tasks[tasks["status"] == "done"], PQ.late_tasks(tasks)
    assert q3.tasks_done[0] == f"Đã hoàn thành {len(done)}/{len(tasks)} nhiệm vụ của kế hoạch:"
    assert q3.tasks_done[1] == f"- {done.iloc[0]['content'].rstrip('.;')} (chủ trì: {done.iloc[0]['lead_name']})."
    assert q3.tasks_late[0] == f"Còn {len(late)} nhiệm vụ chưa hoàn thành, quá hạn:"
    first = late.iloc[0]
    assert q3.tasks_late[1] == (f"- {first['content'].rstrip('.;')} (chủ trì: {first['lead_name']}; hạn "
                                f"{fmt.date(first['deadline'])}, quá hạn {first['days_late']} ngày);")
    assert len(q3.tasks_late) == len(late) + 1
    ahead = PQ.task_table(con, 2025, 4, dt.date(2025, 10, 1))
    due = ahead[(ahead["status"] != "done") & ahead["deadline"].between(pd_ts(2025, 10, 1), pd_ts(2025, 12, 31))]
    assert q3.tasks_next[0] == "Các nhiệm vụ của kế hoạch đến hạn trong quý IV năm 2025:"
    assert len(q3.tasks_next) == len(due) + 1 and q3.next_steps[:len(q3.tasks_next)] == q3.tasks_next


def pd_ts(y, m, d):
    import pandas as pd

    return pd.Timestamp(dt.date(y, m, d))


def test_a_unit_report_and_a_six_month_report(con):
    stp = draft(con, "2025-H1", unit=STP, today=DAY)
    rows = {r.code: r for r in stp.table}
    assert (rows["tin_bai"].plan, rows["tin_bai"].result, rows["tin_bai"].cumulative) == (40, 25, 25)
    assert (stp.head.issuer, stp.head.parent, stp.head.symbol, stp.head.signer_title) == (
        "SỞ TƯ PHÁP", "UBND TỈNH ĐẮK LẮK", "STP", "GIÁM ĐỐC")
    # six months from January: no separate cumulative clause
    assert "Trong 6 tháng, đơn vị thực hiện 25 tin/bài “Tin, bài về CCHC trên Cổng/Trang thông tin điện tử”, đạt " \
           "62,5% kế hoạch năm (40 tin/bài)." in stp.results
    # the half's rate is reported; the quarter's is not split from it
    assert "“Tỷ lệ hồ sơ TTHC giải quyết đúng hạn” trong 6 tháng đạt 97,0% (kế hoạch 95,0%), bằng 102,1% kế hoạch." \
        in stp.results


def test_nothing_reported_and_unknown_units_are_refused(con):
    with pytest.raises(ReportError, match="chưa có số liệu cho Tháng 11/2025"):
        draft(con, "2025-M11", today=DAY)
    with pytest.raises(UnknownUnit, match="không có đơn vị mã “khong_co”"):
        draft(con, "2025-Q3", unit="khong_co", today=DAY)


def test_letterhead_rules():
    assert symbol_of("Sở Nông nghiệp và Môi trường") == "SNNMT" and symbol_of("UBND tỉnh Đắk Lắk") == "UBND"
    assert symbol_of("Văn phòng UBND tỉnh") == "VPUBND"
    # days below 10 and the months 1 and 2 take a leading 0 (Nghị định 30/2020/NĐ-CP)
    assert place_date("Đắk Lắk", dt.date(2025, 2, 5)) == "Đắk Lắk, ngày 05 tháng 02 năm 2025"
    assert place_date("Đắk Lắk", dt.date(2025, 10, 17)) == "Đắk Lắk, ngày 17 tháng 10 năm 2025"


# --- the Word document ------------------------------------------------------------------------------------------

def _doc(report) -> Document:
    return Document(io.BytesIO(report_docx(report)))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_the_document_carries_the_table_and_the_sentences(q3):
    doc = _doc(q3)
    head, table, sign = doc.tables  # letterhead, indicators, signature
    grid = [[c.text for c in row.cells] for row in table.rows]
    assert grid[0] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch năm", "Kết quả quý III", "Lũy kế từ đầu năm",
                       "Tỷ lệ % so với kế hoạch năm"]
    assert grid[1:] == [
        ["1", "Tin, bài về CCHC trên Cổng/Trang thông tin điện tử", "tin/bài", "60", "17", "52", "86,7%"],
        ["2", "Video, clip về CCHC", "video", "12", "4", "9", "75,0%"],
        ["3", "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "%", "92,5%", "91,5%", "91,5%", "98,9%"],
        ["4", "Tỷ lệ CBCCVC nắm vững mục tiêu, nhiệm vụ CCHC", "%", "80,0%", "–", "–", "–"]]
    texts = _texts(doc)
    said = [t for t in texts if t in q3.sentences()]
    assert said == q3.sentences()  # every sentence, once, in order
    for heading in ("I. KẾT QUẢ THỰC HIỆN", "II. TỒN TẠI, HẠN CHẾ", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
                    "Bảng 1. Kết quả thực hiện các chỉ tiêu quý III năm 2025"):
        assert heading in texts
    assert "Kính gửi: Ủy ban nhân dân tỉnh Đắk Lắk" in texts
    assert texts.index("I. KẾT QUẢ THỰC HIỆN") < texts.index("II. TỒN TẠI, HẠN CHẾ") < texts.index(
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI")
    left, right = ([p.text for p in c.paragraphs if p.text] for c in head.rows[0].cells)
    assert left == ["UBND TỈNH ĐẮK LẮK", "SỞ NỘI VỤ", "Số: …/BC-SNV"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Đắk Lắk, ngày 07 tháng 10 năm 2025"]
    noi_nhan, signer = ([p.text for p in c.paragraphs if p.text] for c in sign.rows[0].cells)
    assert noi_nhan == ["Nơi nhận:", "- Như trên;", "- Lưu: VT, SNV."]
    assert signer == ["GIÁM ĐỐC", "Họ và tên người ký"]
    assert not any("{{" in t for t in texts + left + right + noi_nhan + signer)


def test_decree_fonts_sizes_and_marked_notes(q3):
    doc = _doc(q3)
    sizes = {}
    for p in doc.paragraphs:
        for r in p.runs:
            if r.text.strip():
                assert (r.font.name or doc.styles["Normal"].font.name) == "Times New Roman"
                size = r.font.size or p.style.font.size or doc.styles["Normal"].font.size
                sizes[r.text[:20]] = size.pt
    assert all(13 <= s <= 14 for t, s in sizes.items() if not t.startswith("Tỷ lệ % so")), sizes
    notes = [r for p in doc.paragraphs for r in p.runs if r.text.startswith("(Nguyên nhân")]
    assert notes and notes[0].font.italic and notes[0].font.highlight_color is not None
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert (round(s.left_margin.mm), round(s.right_margin.mm), round(s.top_margin.mm)) == (30, 15, 20)
    assert s.different_first_page_header_footer


def test_real_data_carries_no_sample_mark_and_sample_data_marks_every_header(q3, demo_db_file):
    doc = _doc(q3)
    headers = [h for s in doc.sections for h in (s.header, s.first_page_header)]
    assert not any("DỮ LIỆU MẪU" in p.text for h in headers for p in h.paragraphs)
    with connect(demo_db_file, read_only=True) as con:
        sample = _doc(draft(con, "2025-Q3", today=DAY))
    headers = [h for s in sample.sections for h in (s.header, s.first_page_header)]
    assert all(any("DỮ LIỆU MẪU" in p.text for p in h.paragraphs) for h in headers)


def test_an_agency_template_with_its_own_letterhead(q3, tmp_path):
    """An agency writes its own names in the template and drops a field: the report fills what is left."""
    doc = Document(str(TEMPLATE))
    for p in doc.tables[0].rows[0].cells[0].paragraphs:
        for r in p.runs:
            r.text = r.text.replace("{{CO_QUAN}}", "SỞ NỘI VỤ TỈNH ĐẮK LẮK").replace("{{KY_HIEU}}", "SNV-CCHC")
    own = tmp_path / "mau_rieng.docx"
    doc.save(str(own))
    out = Document(io.BytesIO(report_docx(q3, own)))
    left = [p.text for p in out.tables[0].rows[0].cells[0].paragraphs if p.text]
    assert left == ["UBND TỈNH ĐẮK LẮK", "SỞ NỘI VỤ TỈNH ĐẮK LẮK", "Số: …/BC-SNV-CCHC"]
    for p in doc.paragraphs:
        if "{{NOI_DUNG}}" in p.text:
            p._p.getparent().remove(p._p)
    doc.save(str(own))
    with pytest.raises(TemplateFieldError, match="NOI_DUNG"):
        report_docx(q3, own)


def test_command_line_writes_the_report(report_db, tmp_path):
    out = tmp_path / "bao_cao.docx"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    run = subprocess.run([sys.executable, "-m", "dashboard", "report", "--db", str(report_db), "--period", "2025-Q3",
                          "--out", str(out), "--date", "07/10/2025", "--org", "Sở Nội vụ"],
                         capture_output=True, text=True, env=env, timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert run.returncode == 0, run.stderr
    assert "Đã soạn báo cáo Quý III/2025 (toàn tỉnh): 4 chỉ tiêu" in run.stdout
    assert "Số: …/BC-SNV" in [p.text for p in Document(str(out)).tables[0].rows[0].cells[0].paragraphs]


@pytest.mark.parametrize("argv, code, message", [
    (["--period", "2025-M11"], 1, "chưa có số liệu cho Tháng 11/2025"),
    (["--period", "2025-Q3", "--unit", "khong_co"], 2, "không có đơn vị mã “khong_co”"),
    (["--period", "2025-Q9"], 2, "không đọc được kỳ"),
    (["--period", "2025-Q3", "--date", "31/02/2025"], 2, "ngày “31/02/2025” không đọc được"),
])
def test_command_line_refusals(report_db, tmp_path, capsys, argv, code, message):
    from dashboard.cli import main

    assert main(["report", "--db", str(report_db), "--out", str(tmp_path / "x.docx"), *argv]) == code
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists()


# --- rendered by another office suite ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.xdist_group("libreoffice")
def test_rendered_by_libreoffice_every_page_marked_a4_and_not_blank(demo_db_file, tmp_path):
    """LibreOffice opens the .docx: A4 pages, the letterhead and sections on them, DỮ LIỆU MẪU on every page, a
    serif font standing for Times New Roman, pages that are not blank (pdftoppm). (docs/bao_cao_mau_trang_*.png were
    rendered this way on a machine with Times New Roman's metric twin, Liberation Serif.)"""
    from PIL import Image
    from pypdf import PdfReader
    from test_render_libreoffice import convert_to_pdf

    from conftest import require_tool

    with connect(demo_db_file, read_only=True) as con:
        report = draft(con, "2025-Q3", today=DAY)
    docx = tmp_path / "bao_cao.docx"
    docx.write_bytes(report_docx(report))
    pdf = convert_to_pdf(docx, tmp_path, tmp_path / "home")
    reader = PdfReader(str(pdf))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert len(pages) >= 3
    assert all("DỮ LIỆU MẪU" in t for t in pages)
    first = pages[0]
    for text in ("UBND TỈNH ĐẮK LẮK", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Số: …/BC-UBND", "Đắk Lắk, ngày 07 tháng 10 năm 2025", "BÁO CÁO", "I. KẾT QUẢ THỰC HIỆN"):
        assert text in first, text
    whole = " ".join(pages)
    assert "II. TỒN TẠI, HẠN CHẾ" in whole and "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI" in whole
    assert "Nơi nhận:" in pages[-1] and "CHỦ TỊCH" in pages[-1]
    assert [p for p in pages[1:] if p.split()[0].isdigit()], "page numbers from page 2"
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4
    fonts = {str(f.get_object().get("/BaseFont")) for p in reader.pages
             for f in (p.get("/Resources", {}).get("/Font", {}) or {}).values()}
    # Times New Roman, or the serif LibreOffice puts in its place on a machine without it (never a sans)
    assert any("Times" in f or "Serif" in f for f in fonts) and not any("Sans" in f for f in fonts), fonts
    require_tool("pdftoppm")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(pages)
    for png in pngs:
        img = Image.open(png).convert("L")
        assert abs(img.width / img.height - 210 / 297) < 0.01
        dark = sum(img.histogram()[:200]) / (img.width * img.height)
        assert dark > 0.01, f"{png.name} looks blank ({dark:.3f})"
