"""Tải lên: real files through the page (AppTest drives st.file_uploader): preview, errors, commit."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from loaders import uploads as actions
from loaders.errors import UnusableFileError
from loaders.store.schema import connect
from loaders.accounts.users import create_user, get_user
from tests import upload_files as F

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "tai_len.py")


@pytest.fixture
def db(demo_db, monkeypatch):
    monkeypatch.setenv("CCHC_DB", str(demo_db))
    monkeypatch.setenv("CCHC_OPEN_READ", "1")
    with connect(demo_db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri", "Quản trị")
        create_user(con, "cbtp", "matkhau-1", "can_bo", "Cán bộ Sở Tư pháp", unit_code="so_tu_phap")
        create_user(con, "ld", "matkhau-1", "lanh_dao", "Lãnh đạo")
    return demo_db


def page(username: str | None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if username:
        at.session_state["auth_user"] = username
    return at.run()


def upload(at: AppTest, *files) -> AppTest:
    at.file_uploader(key="tl_files").set_value([(n, c, F.XLSX_MIME) for n, c in files])
    return at.run()


def commit_buttons(at):
    return [b for b in at.button if b.key and b.key.startswith("tl_commit_")]


def n_batches(db) -> int:
    with connect(db) as con:
        return con.execute("SELECT count(*) FROM batch").fetchone()[0]


def actual(db, unit, year, quarter, metric):
    with connect(db) as con:
        row = con.execute("SELECT actual FROM v_activity WHERE unit_code = ? AND year = ? AND quarter = ? "
                          "AND metric_code = ?", [unit, year, quarter, metric]).fetchone()
    return row[0] if row else None


def test_happy_path_preview_then_commit(db):
    before = n_batches(db)
    old = actual(db, "so_tu_phap", 2025, 3, "tin_bai")
    at = upload(page("cbtp"), ("bao_cao_q3.xlsx", F.unit_report()))
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Số liệu mới": "0", "Thay giá trị đang có": "3", "Không đổi": "0"}
    preview = at.dataframe[0].value
    assert list(preview["Chỉ tiêu"])[0].startswith("Tin, bài về CCHC")
    impact = dict(zip(preview["Chỉ tiêu"], preview["Tác động"]))
    assert impact["Tin, bài về CCHC trên Cổng/Trang thông tin điện tử"] == f"Thay {old:.0f} bằng 41"
    assert list(preview["Ô trong tệp"]) == ["Báo cáo!D7", "Báo cáo!D8", "Báo cáo!D9"]
    assert n_batches(db) == before  # nothing is written before the commit
    [button] = commit_buttons(at)
    at = button.click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Đã ghi tệp “bao_cao_q3.xlsx” thành lô số")
    assert n_batches(db) == before + 1
    assert actual(db, "so_tu_phap", 2025, 3, "tin_bai") == 41
    assert actual(db, "so_tu_phap", 2025, 3, "ty_le_dung_han") == 97.5
    with connect(db) as con:
        b = con.execute("SELECT uploaded_by, unit_code, year, quarter, rows, file_name, content IS NOT NULL "
                        "FROM batch ORDER BY id DESC LIMIT 1").fetchone()
        assert b == ("cbtp", "so_tu_phap", 2025, 3, 3, "bao_cao_q3.xlsx", True)
        assert con.execute("SELECT username, action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == \
            ("cbtp", "upload")
    assert not commit_buttons(at)  # the file is done: no second commit


def test_new_values_and_progress_free_rerun(db):
    at = upload(page("cbtp"), ("q4.xlsx", F.unit_report(quarter_title="QUÝ IV NĂM 2025")))
    assert {m.label: m.value for m in at.metric}["Số liệu mới"] == "3"
    assert set(at.dataframe[0].value["Tác động"]) == {"Mới"}
    assert "Quý IV/2025" in " ".join(c.value for c in at.caption)


def test_same_file_again_is_recognised_and_not_written_twice(db):
    content = F.unit_report(quarter_title="QUÝ IV NĂM 2025")
    at = upload(page("cbtp"), ("q4.xlsx", content))
    commit_buttons(at)[0].click().run()
    before = n_batches(db)
    at = upload(page("cbtp"), ("q4 (bản sao).xlsx", content))
    assert not commit_buttons(at)
    assert any("đã có trong hệ thống" in i.value for i in at.info)
    assert n_batches(db) == before


def test_size_limit_is_stated(db):
    at = page("cbtp")
    text = " ".join(m.value for m in at.markdown)
    assert "tối đa **20 MB mỗi tệp**" in text


BAD_FILES = [
    ("random bytes", "du_lieu.xlsx", F.random_bytes(), "không phải là tệp Excel"),
    ("a Word file renamed .xlsx", "bao_cao.xlsx", F.word_file(), "văn bản Word"),
    ("an empty workbook", "trong.xlsx", F.empty_workbook(), "mọi trang tính đều trống"),
    ("a 50 MB file", "anh_chup.xlsx", F.huge_file(50), "quá lớn"),
    ("a cell that is not a number", "chu.xlsx", F.unit_report(rows=(("Số tin bài", "12a"),)), "“12a”"),
    ("an unknown indicator", "la.xlsx", F.unit_report(rows=(("Số tin bài", 4), ("Số cây xanh trồng mới", 5))),
     "không nhận ra chỉ tiêu “Số cây xanh trồng mới”"),
    ("no period in the title", "khong_ky.xlsx", F.unit_report(quarter_title=""), "chọn kỳ"),
    ("a rate over 100%", "ty_le.xlsx", F.unit_report(rows=(("Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", 130),)),
     "vượt quá 100%"),
    ("a negative count", "am.xlsx", F.unit_report(rows=(("Số tin bài", -3),)), "số âm “-3”"),
    ("one indicator twice with two values", "trung.xlsx",
     F.unit_report(rows=(("Số tin bài", 3), ("Tin bài trên Cổng TTĐT", 4))), "xuất hiện hai lần"),
]


@pytest.mark.parametrize("what, name, content, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_get_a_clear_message_and_nothing_is_written(db, what, name, content, message):
    before = n_batches(db)
    at = upload(page("cbtp"), (name, content))
    assert not at.exception
    errors = " ".join(e.value for e in at.error) + " ".join(m.value for m in at.markdown)
    assert message in errors, errors
    assert "chưa ghi gì" in errors or "Không có gì được ghi" in errors
    assert not commit_buttons(at)
    assert n_batches(db) == before


def test_errors_name_sheet_row_column_and_value(db):
    at = upload(page("cbtp"), ("loi.xlsx", F.unit_report(rows=(("Số tin bài", "mười hai"), ("Video clip", 2)))))
    listed = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert listed and "Trang tính “Báo cáo”, dòng 7, cột D" in listed[0] and "“mười hai”" in listed[0]
    assert at.error[0].value.startswith("Tệp có 1 lỗi — chưa ghi gì")


def test_command_line_hints_become_page_hints(db):
    at = upload(page("qt"), ("khong_don_vi.xlsx", F.unit_report(unit_line="PHÒNG HÀNH CHÍNH")))
    text = " ".join(m.value for m in at.markdown)
    assert "--unit" not in text and "Đơn vị báo cáo" in text


def test_admin_chooses_unit_and_period_for_a_file_without_them(db):
    at = page("qt")
    at.selectbox(key="tl_unit").set_value("so_y_te")
    at.selectbox(key="tl_period").set_value("2025-Q4")
    at = upload(at.run(), ("bc.xlsx", F.unit_report(unit_line="", quarter_title="")))
    assert not at.error, [e.value for e in at.error]
    commit_buttons(at)[0].click().run()
    assert actual(db, "so_y_te", 2025, 4, "video_clip") == 7


def test_several_files_at_once_and_commit_all(db):
    before = n_batches(db)
    rollup = F.tidy_csv([("Sở Y tế", 2025, 4, "Số tin bài", 11), ("Sở Xây dựng", 2025, 4, "Số tin bài", 13)])
    at = upload(page("qt"), ("tong_hop.csv", rollup),
                ("tu_phap.xlsx", F.unit_report(quarter_title="QUÝ IV NĂM 2025")),
                ("hong.xlsx", F.random_bytes()))
    assert len(at.error) == 1  # the broken file, and only it
    all_button = at.button(key="tl_commit_all")
    assert all_button.label == "Ghi tất cả 2 tệp hợp lệ"
    at = all_button.click().run()
    assert n_batches(db) == before + 2
    assert actual(db, "so_xay_dung", 2025, 4, "tin_bai") == 13
    assert actual(db, "so_tu_phap", 2025, 4, "tin_bai") == 41
    assert len(at.success) == 2


def test_leadership_sees_the_page_read_only(db):
    at = page("ld")
    assert any("chỉ xem" in i.value for i in at.info)
    assert not at.get("file_uploader")


def test_not_signed_in_sees_only_the_sign_in_form(db):
    at = page(None)
    assert at.warning[0].value.startswith("Trang này cần đăng nhập")
    assert not at.get("file_uploader") and at.text_input(key="signin_page_user")


def test_loader_level_limit_refuses_50_mb(db):
    with connect(db) as con:
        user = get_user(con, "qt")
        with pytest.raises(UnusableFileError, match="quá lớn"):
            actions.read_upload(con, user, "to.xlsx", F.huge_file(50))
        parsed = actions.read_upload(con, user, "bc.xlsx", F.unit_report())
        parsed.batch.content = F.huge_file(21)  # however it got there, the write refuses it too
        with pytest.raises(actions.UploadRefused, match="giới hạn"):
            actions.commit_upload(con, user, parsed)
        assert con.execute("SELECT count(*) FROM batch WHERE uploaded_by = 'qt'").fetchone()[0] == 0


def test_template_download(db):
    import loaders.templates  # noqa: F401 - the page offers the template from it; an ImportError fails here
    at = page("cbtp")
    assert at.get("download_button"), "the template download button is missing"


def test_template_comes_prefilled_for_the_unit_and_quarter_chosen(db):
    """A unit's account gets its own rows written in; choosing the quarter writes it in too."""
    at = page("cbtp")
    label = at.get("download_button")[0].proto.label
    assert label == "Tải mẫu Excel — báo cáo kết quả thực hiện — Sở Tư pháp"
    at = at.selectbox(key="tl_period").select_index(1).run()  # the newest quarter offered
    label = at.get("download_button")[0].proto.label
    assert label.startswith("Tải mẫu Excel — báo cáo kết quả thực hiện — Sở Tư pháp, Quý ")
    assert any("điền sẵn đơn vị và kỳ báo cáo" in c.value for c in at.caption)
    admin = page("qt")  # no unit chosen: the generic template, and a hint to choose one
    assert admin.get("download_button")[0].proto.label == "Tải mẫu Excel — báo cáo kết quả thực hiện"
    assert any("chọn đơn vị ở bước 1" in c.value for c in admin.caption)


def test_the_door_words_reader_messages_for_the_page(db, monkeypatch):
    """The reader names the command line's options; through the door the page's controls are named instead."""
    from loaders import api

    with connect(db) as con:
        monkeypatch.setattr(api, "_connect", con.cursor)
        user = get_user(con, "qt")
        content = F.unit_report(unit_line="PHÒNG HÀNH CHÍNH")
        raw = actions.read_upload(con, user, "khong_don_vi.xlsx", content)
        assert any("--unit" in e.text() for e in raw.errors)
        parsed = api.read_upload(user, "khong_don_vi.xlsx", content)
        texts = [p.text() for p in [*parsed.errors, *parsed.warnings]]
        assert texts and not any("--" in t for t in texts)
        assert any("ô “Đơn vị báo cáo” ở bước 1" in t for t in texts)
        assert [(e.sheet, e.row, e.column) for e in parsed.errors] == [(e.sheet, e.row, e.column) for e in raw.errors]
        with pytest.raises(UnusableFileError, match="quá lớn"):
            api.read_upload(user, "to.xlsx", F.huge_file(50))


def test_a_workbook_of_several_sheets_offers_them_and_reads_the_one_chosen(db):
    """VCCI's workbooks hold a summary and detail sheets: the office may read one sheet only."""
    from conftest import xlsx_bytes

    header = ["STT", "Tỉnh, thành phố", "Điểm PCI", "Xếp hạng", "Gia nhập thị trường"]
    content = xlsx_bytes({
        "PCI 2016": [["KẾT QUẢ CHỈ SỐ PCI NĂM 2016"], header, [1, "Quảng Ninh", 65.6, 2, 9.28], [2, "Đà Nẵng", 70.0, 1, 9.22]],
        "PCI 2014": [["KẾT QUẢ CHỈ SỐ PCI NĂM 2014"], header, [1, "Đà Nẵng", 66.87, 1, 9.03]],
    })
    at = page("qt")
    at.selectbox(key="tl_kind").set_value("indices")
    at = upload(at.run(), ("pci.xlsx", content))
    assert not at.exception and not at.error, [e.value for e in at.error]
    [picker] = [s for s in at.selectbox if s.label == "Trang tính"]
    assert picker.options == ["Tất cả các trang tính", "PCI 2016", "PCI 2014"]
    assert len(at.dataframe[0].value) == 6  # every sheet: 3 provinces × (total + entry costs)
    at = picker.set_value("PCI 2014").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 2  # Đà Nẵng 2014 only
    [picker] = [s for s in at.selectbox if s.label == "Trang tính"]
    assert picker.value == "PCI 2014"
