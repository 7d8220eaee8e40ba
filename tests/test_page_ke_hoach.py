"""The Kế hoạch page in Streamlit's AppTest: read a plan (pasted or uploaded), review and correct it beside its source
sentences, save it as a batch whose targets reach v_activity and the Hoạt động query; follow the tasks, mark one
done; read-only visitors cannot save or mark."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import fmt, queries
from loaders.plans import extract_plan, save_plan
from loaders.registry.registries import Registry
from loaders.store.schema import connect
from loaders.accounts.users import create_user

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "ke_hoach.py")
PLANS = Path(__file__).resolve().parents[2] / "shared" / "plans"
SON_LA = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_bql_kcn_son_la.txt"
SOC_TRANG = PLANS / "ke_hoach_tuyen_truyen_cchc_2025_so_xay_dung_soc_trang.txt"
DAY = dt.date(2025, 10, 7)  # "today" for task statuses
STP_PLAN = """ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK
SỞ TƯ PHÁP
KẾ HOẠCH
Tuyên truyền cải cách hành chính của Sở Tư pháp năm 2025
1. Chỉ tiêu
- Bản tin CCHC phát hành 02 số/quý.
2. Nhiệm vụ
a) Tập huấn nghiệp vụ CCHC; Cơ quan chủ trì: Sở Tư pháp; Cơ quan phối hợp: Sở Nội vụ; Thời gian: Quý II/2025.
b) Cập nhật chuyên mục CCHC; Cơ quan chủ trì: Sở Tư pháp; Thời gian: Thường xuyên.
"""


@pytest.fixture
def page_db(demo_db, monkeypatch):
    monkeypatch.setenv("CCHC_DB", str(demo_db))
    monkeypatch.setattr(fmt, "today", lambda: DAY)
    with connect(demo_db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri")
        create_user(con, "ld", "matkhau-1", "lanh_dao")
        create_user(con, "cbtp", "matkhau-1", "can_bo", unit_code="so_tu_phap")
        create_user(con, "cbnv", "matkhau-1", "can_bo", unit_code="so_noi_vu")
    return demo_db


def open_page(username, **params):
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["auth_user"] = username
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def paste(at, text):
    at.segmented_control(key="kh_mode").set_value("Dán văn bản").run()
    return at.text_area(key="kh_text_0").input(text).run()


def editor(at, prefix):
    return next(e for e in at.get("data_editor") if e.key.startswith(prefix))


def edit(at, prefix, edited_rows=None, added_rows=None, deleted_rows=None):
    at.session_state[editor(at, prefix).key] = {"edited_rows": edited_rows or {}, "added_rows": added_rows or [],
                                                "deleted_rows": deleted_rows or []}
    return at.run()


def texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
                     + [w.value for w in at.warning] + [i.value for i in at.info] + [s.value for s in at.success])


def by_key(elements, prefix):
    return next(e for e in elements if e.key and e.key.startswith(prefix))


def test_paste_review_correct_and_save_reaches_hoat_dong(page_db):
    at = paste(open_page("qt", tab="Nhập kế hoạch"), SON_LA.read_text(encoding="utf-8"))
    assert not at.exception
    targets = editor(at, "kh_targets_").value
    row = targets.iloc[0]
    assert (row["code"], row["value"], row["unit"], row["per"]) == ("ban_tin", 4.0, "số", "month")
    assert "với số lượng 04 số/tháng" in row["text"]  # the source sentence beside the item
    tasks = editor(at, "kh_tasks_").value
    assert list(tasks["lead"][1]) == ["Văn phòng"] and tasks["text"][1].startswith("2. Giao Văn phòng")
    page = texts(at)
    assert "Đã đọc “van_ban_dan.txt” (văn bản): 1 chỉ tiêu, 3 nhiệm vụ." in page
    # issued after the decision of 01/8/2025 it cites: its targets start with Quý III
    assert "chỉ tiêu và nhiệm vụ tính từ Quý III/2025" in page
    assert "khớp theo tên với đơn vị **Ban Quản lý các khu công nghiệp**" in page
    assert "Kế hoạch ghi **tỉnh Sơn La**" in page  # matched by name across provinces: the user must confirm
    assert "Chưa xác nhận đơn vị và tỉnh nhận chỉ tiêu (ô xác nhận ở trên)." in page
    assert at.button(key="kh_save").disabled

    at = edit(at, "kh_targets_", {0: {"value": 5}})  # corrected: 05 số/tháng
    by_key(at.checkbox, "kh_confirm_").check()
    at.run()
    preview = at.dataframe[-1].value
    assert list(preview.iloc[0][["Chỉ tiêu", "Trong kế hoạch", "Cả năm", "Mỗi quý"]]) == \
        ["Số bản tin CCHC phát hành", "5 số/tháng", "30", "15 (Quý III–IV)"]
    assert not at.button(key="kh_save").disabled
    at.button(key="kh_save").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Đã lưu kế hoạch năm 2025 vào lô số")
    with connect(page_db) as con:
        # a monthly count of 5 is 15 a quarter (three months), for the quarters the plan covers, in the view the
        # pages compare against; Quý I and II have no target from a plan issued in August
        assert con.execute("SELECT quarter, value FROM target_value WHERE batch_id = (SELECT max(id) FROM batch) "
                           "ORDER BY quarter").fetchall() == [(3, 15.0), (4, 15.0)]
        assert con.execute("SELECT quarter, target FROM v_activity WHERE unit_code = 'bql_kcn' AND year = 2025 "
                           "AND metric_code = 'ban_tin' AND quarter >= 3 ORDER BY quarter").fetchall() == \
            [(3, 15.0), (4, 15.0)]
        hd = queries.metric_by_unit(con, 2025, 3, "ban_tin")
        assert hd.set_index("unit_code").loc["bql_kcn", "target"] == 15.0
        assert con.execute("SELECT kind, uploaded_by, unit_code, file_name FROM batch ORDER BY id DESC LIMIT 1"
                           ).fetchone() == ("plan", "qt", "bql_kcn", "van_ban_dan.txt")
    assert "3 nhiệm vụ trong kế hoạch năm 2025" in texts(at)  # now followed in the other tab
    # the pasted text was cleared; pasting it again says it is saved already
    at = at.text_area(key="kh_text_1").input(SON_LA.read_text(encoding="utf-8")).run()
    assert "Tệp này đã được lưu ở lô số" in texts(at) and at.button(key="kh_save").disabled
    # ... and saving it again with a new correction replaces that batch whole, in one write
    at = edit(at, "kh_targets_", {0: {"value": 6}})
    by_key(at.checkbox, "kh_confirm_").check()
    by_key(at.checkbox, "kh_replace_").check()
    at.run()
    assert not at.button(key="kh_save").disabled
    at.button(key="kh_save").click().run()
    assert not at.exception and "(thay lô số" in at.success[0].value
    with connect(page_db) as con:
        assert con.execute("SELECT target FROM v_activity WHERE unit_code = 'bql_kcn' AND year = 2025 "
                           "AND quarter = 3 AND metric_code = 'ban_tin'").fetchone() == (18.0,)
        assert con.execute("SELECT count(*) FROM batch WHERE kind = 'plan' AND status = 'active'").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM plan_task t JOIN batch b ON b.id = t.batch_id "
                           "WHERE b.status = 'active'").fetchone() == (3,)  # tasks not doubled


def test_uploaded_file_choose_unit_and_province(page_db):
    at = open_page("qt", tab="Nhập kế hoạch")
    at.file_uploader(key="kh_file_0").set_value((SOC_TRANG.name, SOC_TRANG.read_bytes(), "text/plain")).run()
    assert not at.exception
    assert len(editor(at, "kh_tasks_").value) == 7
    targets = editor(at, "kh_targets_").value
    assert list(targets["code"].fillna("")) == ["ty_le_nam_vung", ""] and list(targets["save"]) == [True, True]
    assert by_key(at.selectbox, "kh_unit_").value == "so_xay_dung"  # Đắk Lắk's, matched by name
    assert by_key(at.selectbox, "kh_entity_").value == "can_tho_2025"  # Sóc Trăng's 2025 is Cần Thơ's since 07/2025
    page = texts(at)
    assert "Kế hoạch ghi **tỉnh Sóc Trăng**" in page and "1 đơn vị chưa có trong danh mục" in page
    assert "Văn bản: **Kế hoạch số …/KH-SXD tháng 3/2025**" in page
    assert any(e.label.startswith("⚠ 1 đơn vị chưa có trong danh mục") for e in at.expander)
    # the unbound '100%' is kept awaiting review unless unticked (then recorded as dropped)
    preview = at.dataframe[-1].value
    assert list(preview["Chỉ tiêu"]) == ["Tỷ lệ CBCCVC nắm vững mục tiêu, nhiệm vụ CCHC", "(chờ gắn chỉ tiêu)"]
    by_key(at.selectbox, "kh_unit_").set_value("so_tu_phap")
    at.run()
    by_key(at.checkbox, "kh_confirm_").check()
    at.run()
    at.button(key="kh_save").click().run()
    assert not at.exception and at.success
    with connect(page_db) as con:
        assert con.execute("SELECT unit_code, metric_code, value FROM target_value WHERE batch_id = "
                           "(SELECT max(id) FROM batch)").fetchall() == [("so_tu_phap", "ty_le_nam_vung", 80.0)]
        assert con.execute("SELECT count(*) FROM plan_task WHERE batch_id = (SELECT max(id) FROM batch)"
                           ).fetchone() == (7,)
        assert con.execute("SELECT value, status FROM plan_target WHERE batch_id = (SELECT max(id) FROM batch) "
                           "ORDER BY ordinal").fetchall() == [(80.0, "saved"), (100.0, "pending")]
    # the number awaiting review is listed with its plan, and a click reopens the plan to bind it
    at = open_page("qt", tab="Chỉ tiêu của kế hoạch")
    assert "1 con số trong kế hoạch chưa gắn với chỉ tiêu nào" in texts(at)
    shown = next(d.value for d in at.dataframe if "Chỉ tiêu / chỉ số" in d.value.columns)
    assert set(shown["Kế hoạch"]) == {"Kế hoạch số …/KH-SXD tháng 3/2025 — Sở Xây dựng tỉnh Sóc Trăng"}
    assert list(shown["Trạng thái"]) == ["Đã lưu", "Chờ gắn chỉ tiêu"]
    at.button(key=next(b.key for b in at.button if b.key.startswith("kh_reopen_"))).click().run()
    assert not at.exception and "Đang soát lại kế hoạch đã lưu ở lô số" in texts(at)
    at = edit(at, "kh_targets_", {1: {"code": "ty_le_nam_vung", "year": 2026}})
    by_key(at.checkbox, "kh_confirm_").check()
    at.run()
    assert by_key(at.checkbox, "kh_replace_").value  # reopened: saved in place of the same batch
    at.button(key="kh_save").click().run()
    assert not at.exception and "(thay lô số" in at.success[0].value
    with connect(page_db) as con:
        assert con.execute("SELECT p.year, value, p.status FROM plan_target p JOIN batch b ON b.id = p.batch_id "
                           "AND b.status = 'active' ORDER BY ordinal").fetchall() == \
            [(2025, 80.0, "saved"), (2026, 100.0, "saved")]


def test_adding_an_unknown_unit_keeps_the_edits(page_db):
    at = paste(open_page("qt", tab="Nhập kế hoạch"), SOC_TRANG.read_text(encoding="utf-8"))
    at = edit(at, "kh_tasks_", {0: {"content": "Tham mưu lãnh đạo triển khai Kế hoạch (đã sửa)"}})
    k = editor(at, "kh_targets_").key[-12:]
    at.selectbox(key=f"kh_new_unit_{k}").set_value("bộ phận tin học")
    at.run()
    at.text_input(key=f"kh_new_code_{k}_bộ phận tin học").input("bo_phan_tin_hoc")
    at.run()
    at.button(key=f"kh_add_unit_{k}").click().run()
    assert not at.exception
    assert at.success[0].value == "Đã thêm đơn vị “bộ phận tin học” (bo_phan_tin_hoc) vào danh mục."
    tasks = editor(at, "kh_tasks_").value
    assert tasks["content"][0] == "Tham mưu lãnh đạo triển khai Kế hoạch (đã sửa)"  # the edit survived the redraw
    assert not any(e.label.startswith("⚠") for e in at.expander)  # none left to add


def test_leadership_staff_and_visitors_read_but_do_not_import(page_db, monkeypatch):
    _save_stp_plan(page_db)
    for username in ("ld", "cbtp"):
        at = open_page(username, nam="2025", quy="3")
        assert not at.exception
        assert [t.label for t in at.tabs] == ["Theo dõi nhiệm vụ", "Chỉ tiêu của kế hoạch"]
        assert not [b for b in at.button if b.key == "kh_save"] and not at.get("data_editor")
    monkeypatch.setenv("CCHC_OPEN_READ", "1")
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.query_params["nam"], at.query_params["quy"] = "2025", "3"
    at.run()
    assert not at.exception  # no sign-in demanded, no sample-data banner
    assert not any("đăng nhập" in w.value or "Dữ liệu mẫu" in w.value for w in at.warning)
    assert "Bạn đang xem ở chế độ chỉ đọc" in texts(at) and at.get("plotly_chart")
    assert [t.label for t in at.tabs] == ["Theo dõi nhiệm vụ", "Chỉ tiêu của kế hoạch"]
    assert not at.get("form") and "Dữ liệu mẫu" not in texts(at)
    monkeypatch.setenv("CCHC_OPEN_READ", "0")
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    assert "Trang này cần đăng nhập" in texts(at) and not at.get("plotly_chart")


def test_filter_by_plan_and_by_unit(page_db):
    _save_stp_plan(page_db)
    at = open_page("ld", nam="2025", quy="3")
    plans = at.selectbox(key="qp_kh_lo")
    assert plans.options[0] == "Tất cả kế hoạch" and len(plans.options) == 3
    assert "Kế hoạch số …/KH-SXD tháng 3/2025 — Sở Xây dựng tỉnh Sóc Trăng" in plans.options
    with connect(page_db) as con:
        stp = int(con.execute("SELECT batch_id FROM plan_doc WHERE issuer_code = 'so_tu_phap'").fetchone()[0])
    at = plans.set_value(stp).run()
    assert "2 nhiệm vụ trong kế hoạch năm 2025" in texts(at) and at.query_params["kh_lo"] == str(stp)
    at = at.selectbox(key="qp_kh_lo").set_value(0).run()
    units = at.selectbox(key="qp_kh_dv")
    assert units.options[0] == "Tất cả đơn vị" and "Sở Tư pháp" in units.options
    at = units.set_value("so_tu_phap").run()
    assert "2 nhiệm vụ của Sở Tư pháp trong kế hoạch năm 2025" in texts(at)
    assert at.query_params["kh_dv"] == "so_tu_phap"
    # a unit's staff open on their own unit's tasks
    at = open_page("cbtp", nam="2025", quy="3")
    assert at.selectbox(key="qp_kh_dv").value == "so_tu_phap"


def _save_stp_plan(db):
    with connect(db) as con:
        data = STP_PLAN.encode()
        plan = extract_plan(data, "stp.txt", Registry.from_db(con))
        save_plan(con, plan, "qt", "stp.txt", data)
        data = SOC_TRANG.read_bytes()
        plan = extract_plan(data, SOC_TRANG.name, Registry.from_db(con))
        save_plan(con, plan, "qt", SOC_TRANG.name, data, entity_code="soc_trang")


def test_follow_tasks_timeline_and_overdue_list(page_db):
    _save_stp_plan(page_db)
    at = open_page("ld", nam="2025", quy="3")
    assert not at.exception
    page = texts(at)
    assert "9 nhiệm vụ trong kế hoạch năm 2025 · Quý III/2025, tính đến ngày 07/10/2025" in page
    assert "Quá hạn: 5" in page and "Thường xuyên: 2" in page
    assert "#### Quá hạn (5)" in page
    fig = at.get("plotly_chart")[0]
    # parse the spec: plain json escapes non-ASCII ("th\u1eddi"), orjson does not
    assert "Nhiệm vụ — Quý III/2025" in json.dumps(json.loads(fig.proto.spec), ensure_ascii=False)
    assert {b.key for b in at.get("download_button")} >= {"dl_kh_overdue_xlsx", "dl_kh_overdue_csv"}
    assert (at.query_params["nam"], at.query_params["quy"]) == ("2025", "3")
    assert "Cán bộ của đơn vị chủ trì hoặc quản trị viên đánh dấu nhiệm vụ này." in page  # leadership reads only
    assert not [f for f in at.get("form")]


def test_lead_unit_staff_mark_a_task_done(page_db):
    _save_stp_plan(page_db)
    at = open_page("cbtp", nam="2025", quy="3")
    detail = next(m.value for m in at.markdown if "**Tập huấn nghiệp vụ CCHC" in m.value)  # their task first
    assert "Quá hạn" in detail
    at.text_area(key="kh_mark_note").input("Đã tập huấn cho 60 công chức")
    at.text_input(key="kh_mark_url").input("https://stp.daklak.gov.vn/tap-huan")
    at.file_uploader(key="kh_mark_file").set_value(("bien_ban.pdf", b"%PDF-1.4 bien ban", "application/pdf"))
    next(b for b in at.button if b.label == "Ghi nhận").click()
    at.run()
    assert not at.exception
    assert at.success[0].value.startswith("Đã ghi nhận nhiệm vụ") and "đã xong trong Quý III/2025" in at.success[0].value
    detail = next(m.value for m in at.markdown if "Tập huấn nghiệp vụ CCHC" in m.value)
    assert "Đã xong" in detail
    assert "Đã tập huấn cho 60 công chức" in texts(at) and "liên kết minh chứng" in texts(at)
    evidence = [b for b in at.get("download_button") if b.key and b.key.startswith("kh_ev_")]
    assert len(evidence) == 1 and "bien_ban.pdf" in evidence[0].proto.label
    with connect(page_db) as con:
        assert con.execute("SELECT status, quarter, marked_by, evidence_url, evidence_name, evidence_file "
                           "FROM plan_task_status").fetchall() == \
            [("done", 3, "cbtp", "https://stp.daklak.gov.vn/tap-huan", "bien_ban.pdf", b"%PDF-1.4 bien ban")]
    # staff of another unit cannot mark it
    at = open_page("cbnv", nam="2025", quy="3")
    assert "Cán bộ của đơn vị chủ trì hoặc quản trị viên đánh dấu nhiệm vụ này." in texts(at)
    assert not [b for b in at.button if b.label == "Ghi nhận"]


def test_no_saved_plan_says_where_to_start(page_db):
    at = open_page("ld")
    assert "Chưa có kế hoạch nào được lưu." in texts(at)
    assert not at.get("plotly_chart")


def test_a_damaged_file_is_named_without_a_traceback(page_db, monkeypatch):
    import zipfile

    from loaders import api

    at = open_page("qt", tab="Nhập kế hoạch")
    at.file_uploader(key="kh_file_0").set_value(("hong.pdf", b"%PDF-1.4 garbage", "application/pdf")).run()
    assert not at.exception
    assert at.error[0].value.startswith("Không đọc được kế hoạch: không mở được tệp PDF")  # the reader's own words

    def choke(*args, **kwargs):
        raise zipfile.BadZipFile("File is not a zip file")

    monkeypatch.setattr(api, "_extract_plan", choke)  # a reader library that chokes: the door names the fault's kind
    at = open_page("qt", tab="Nhập kế hoạch")
    at.file_uploader(key="kh_file_0").set_value(("hong.docx", b"PK\x03\x04", "application/octet-stream")).run()
    assert not at.exception
    assert at.error[0].value == ("Không đọc được tệp “hong.docx”: nội dung bị hỏng hoặc không đúng định dạng "
                                 "(BadZipFile).")


# --- the page's view models (dashboard.plan_views) and the overdue order (dashboard.plan_queries) ---------------------
def test_view_models_of_the_review():
    from dashboard import plan_views as PV

    reg = Registry.from_data_dir()
    plan = extract_plan(STP_PLAN.encode(), "stp.txt", reg)
    codes, labels = PV.code_labels(reg)
    assert "ban_tin" in codes and labels["PAR"].startswith("Chỉ số ")
    rows = PV.preview_rows(plan, "Sở Tư pháp", None, labels)
    assert [(r["Trong kế hoạch"], r["Ghi cho"], r["Cả năm"], r["Mỗi quý"]) for r in rows] == \
        [("02 số/quý", "Sở Tư pháp", "8", "2")]  # a count per quarter: 8 a year, a quarter's share 2

    class Review:
        errors = ["Nhiệm vụ, dòng 1: chưa có nội dung nhiệm vụ."]

    Review.plan = plan
    assert PV.save_blockers(Review, None, None, False) == [
        "Nhiệm vụ, dòng 1: chưa có nội dung nhiệm vụ.",
        "Chưa chọn đơn vị nhận chỉ tiêu (ô “Đơn vị nhận chỉ tiêu” ở trên).",
        "Chưa xác nhận đơn vị và tỉnh nhận chỉ tiêu (ô xác nhận ở trên)."]
    assert PV.save_blockers(Review, "so_tu_phap", None, True) == Review.errors
    assert PV.is_foreign("Sơn La", "son_la", ("dak_lak",)) and not PV.is_foreign("", None, ("dak_lak",))
    assert PV.source_label("pdf+ocr") == "PDF (nhận dạng chữ từ ảnh)" and PV.source_label("odt") == "odt"


def test_view_models_of_the_follow_up():
    import pandas as pd

    from dashboard import plan_queries as PQ, plan_views as PV
    from loaders.accounts.users import User

    assert [PV.default_quarter(2025, dt.date(2025, m, 15)) for m in (1, 3, 4, 9, 10, 12)] == [1, 1, 2, 3, 4, 4]
    assert PV.default_quarter(2024, dt.date(2025, 2, 1)) == 4  # a past year opens on its last quarter
    df = pd.DataFrame({"no": [1, 2, 3, 4], "task_id": [11, 12, 13, 14], "status": ["late", "done", "late", "late"],
                       "days_late": pd.array([5, None, 9, 5], dtype="Int64"),
                       "lead_code": [None, "so_tu_phap", "so_noi_vu", "so_tu_phap"],
                       "organisation": ["Sở Tư pháp", "Sở Tư pháp", None, ""]})
    assert list(PQ.late_tasks(df)["no"]) == [3, 1, 4]  # the longest overdue first, then in plan order
    df["assignees"] = [[], ["so_tu_phap"], ["so_noi_vu"], ["so_tu_phap", "so_y_te"]]  # the last: a group's task
    staff = User("cbtp", "can_bo", unit_code="so_tu_phap")
    admin = User("qt", "quan_tri")
    leader = User("ld", "lanh_dao")
    assert [PV.may_mark(staff, c) for c in df["assignees"]] == [False, True, False, True]
    assert all(PV.may_mark(admin, c) for c in df["assignees"]) and not PV.may_mark(leader, ["so_tu_phap"])
    assert not PV.may_mark(None, ["so_tu_phap"])  # a visitor
    assert PV.may_mark(admin, []) and not PV.may_mark(staff, [])  # no lead unit in the registry: administrators
    assert (PV.default_task(df, staff), PV.default_task(df, admin), PV.default_task(df, leader)) == (12, 11, 11)
    assert PV.default_task(df, User("cbyt", "can_bo", unit_code="so_y_te")) == 14
    assert PV.default_task(df, None) == 11
    assert PV.follow_source(df, 2025, dt.date(2025, 10, 7)) == (
        "Nguồn: kế hoạch CCHC năm 2025 của Sở Tư pháp; trạng thái theo đánh dấu hoàn thành của các đơn vị, tính đến "
        "ngày 07/10/2025.")


def test_a_plans_words_are_shown_as_text_not_html(page_db):
    text = STP_PLAN.replace("a) Tập huấn nghiệp vụ CCHC", "a) Tập huấn <b>nghiệp vụ</b> <script>alert(1)</script>")
    with connect(page_db) as con:
        plan = extract_plan(text.encode(), "stp.txt", Registry.from_db(con))
        save_plan(con, plan, "qt", "stp.txt", text.encode())
    at = open_page("qt", nam="2025", quy="3")
    assert not at.exception
    detail = next(m.value for m in at.markdown if "Tập huấn" in m.value and "&nbsp;" in m.value)
    # fmt.escape_md: every mark markdown or HTML could read is backslash-escaped, so it shows as itself
    assert "\\<script\\>" in detail and "\\<b\\>" in detail
    assert not re.search(r"(?<!\\)<(script|b)>", detail)  # no tag left unescaped


def test_targets_list_says_which_quarters_each_target_covers(page_db):
    """A July plan: its own Quý I–II target and its Quý III–IV ones are told apart in the list; the Sóc Trăng
    plan of March covers its whole year."""
    from tests.test_plans_save import JULY_PLAN

    with connect(page_db) as con:
        data = JULY_PLAN.encode()
        save_plan(con, extract_plan(data, "thang_7.txt", Registry.from_db(con)), "qt", "thang_7.txt", data)
        data = SOC_TRANG.read_bytes()
        save_plan(con, extract_plan(data, SOC_TRANG.name, Registry.from_db(con)), "qt", SOC_TRANG.name, data,
                  unit_code="so_xay_dung", entity_code="soc_trang")
    at = open_page("ld", tab="Chỉ tiêu của kế hoạch")
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "Chỉ tiêu / chỉ số" in d.value.columns)
    assert "Năm" not in shown.columns
    assert [(v, k) for v, k, p in zip(shown["Giá trị"], shown["Kỳ"], shown["Kế hoạch"]) if "KH-STP" in p] == [
        (2.0, "Quý I–II/2025"), (6.0, "Quý III–IV/2025"), (20.0, "Quý III–IV/2025"), (1.0, "Quý III–IV/2025")]
    assert set(k for k, p in zip(shown["Kỳ"], shown["Kế hoạch"]) if "Sóc Trăng" in p) == {"2025"}
