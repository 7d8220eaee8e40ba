"""Chỉ số page (AppTest): history with gaps, merger, components, peers, units; every chart has a source."""

from dashboard import fmt
from page_testing import arr, open_page, specs


def app(db, monkeypatch, **params):
    return open_page("chi_so.py", db, monkeypatch, **params)


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def test_par_history_keeps_gaps_and_shows_the_merger(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    assert at.selectbox(key="qp_chi_so").value == "PAR" and at.selectbox(key="qp_tinh").value == "dak_lak"
    assert metric(at, "Điểm PAR Index 2023").value == "87,33"
    assert metric(at, "Xếp hạng 2023").value == "28"
    assert any("hợp nhất" in i.value for i in at.info)
    history = specs(at)[0]
    scores = {t["name"]: dict(zip(arr(t["x"]), arr(t["y"]))) for t in history["data"] if t.get("yaxis") in (None, "y")
              and t["name"] != "Mục tiêu"}
    dak_lak = scores["Đắk Lắk"]
    assert dak_lak[2023] == 87.33 and dak_lak[2017] == 75.37
    assert all(dak_lak[y] is None for y in range(2018, 2023))  # never filled
    notes = " ".join(a.get("text", "") for a in history["layout"]["annotations"])
    assert fmt.NO_DATA in notes and "Sáp nhập" in notes
    # a source line under every chart
    captions = [c.value for c in at.caption if c.value.startswith("Nguồn")]
    assert len(captions) >= len(at.get("plotly_chart"))


def test_the_published_national_average_is_drawn_with_its_source_and_only_where_published(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    history = specs(at)[0]
    line = next(t for t in history["data"] if t["name"] == "Trung bình cả nước")
    national = dict(zip(arr(line["x"]), arr(line["y"])))
    assert national[2023] == 86.98 and national[2024] == 88.37
    assert national[2022] is None and national[2017] is None  # not published in the shipped data: a gap
    assert any("Trung bình cả nước, nguồn" in c.value and "NOTES.md" in c.value for c in at.caption)
    assert not at.dataframe  # tables are lazy: a closed one is neither built nor sent
    at.session_state["open_cs_history_table"] = True  # what opening it in the browser does
    at.run()
    table = at.dataframe[0].value
    assert "Trung bình cả nước" in table.columns
    assert {d.label for d in at.get("download_button")} >= {"Tải Excel (.xlsx)", "Tải .csv"}


def test_default_peers_are_the_region_and_follow_the_chosen_province(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    assert set(at.multiselect(key="qp_so_sanh").value) == {"gia_lai", "kon_tum", "lam_dong", "dak_nong"}
    at.selectbox(key="qp_tinh").set_value("ha_noi").run()
    assert not at.exception
    peers = at.multiselect(key="qp_so_sanh").value
    assert peers and "gia_lai" not in peers and set(peers) <= {
        "vinh_phuc", "bac_ninh", "quang_ninh", "hai_duong", "hai_phong", "hung_yen", "thai_binh", "ha_nam",
        "nam_dinh", "ninh_binh"}


def test_changing_the_index_changes_the_view(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch)
    at.selectbox(key="qp_chi_so").set_value("PCI").run()
    assert not at.exception
    assert metric(at, "Điểm PCI 2022").value == "60,91"
    assert "PCI: điểm và xếp hạng qua các năm" in [s.value for s in at.subheader]
    comps = specs(at)[1]  # components of 2020 beside the best province
    names = [t["name"] for t in comps["data"]]
    assert "Đắk Lắk" in names and any("cao nhất" in n for n in names)


def test_peers_and_province_from_the_url(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch, chi_so="PAR", tinh="ha_noi", so_sanh=["hai_phong", "quang_ninh"])
    assert at.selectbox(key="qp_tinh").value == "ha_noi"
    assert at.multiselect(key="qp_so_sanh").value == ["hai_phong", "quang_ninh"]
    assert not any("hợp nhất" in i.value for i in at.info if "Hà Nội" in i.value)
    peers = next(s for s in specs(at) if any(t["name"] == "Quảng Ninh" for t in s["data"]))
    assert {"Hà Nội", "Hải Phòng", "Quảng Ninh"} <= {t["name"] for t in peers["data"]}


def test_ddci_units_inside_a_province(demo_db, monkeypatch):
    at = app(demo_db, monkeypatch, chi_so="DDCI", tinh="phu_yen")
    assert any("DDCI của các sở, ngành, địa phương" in s.value for s in at.subheader)
    assert any(t["type"] == "bar" for s in specs(at) for t in s["data"])


def test_empty_database_still_shows_published_results(fresh_db, monkeypatch):
    at = app(fresh_db, monkeypatch)
    assert metric(at, "Điểm PAR Index 2023").value == "87,33"
    assert not any("Dữ liệu mẫu" in w.value for w in at.warning)
    at = app(fresh_db, monkeypatch, chi_so="SIPAS", tinh="cao_bang")
    body = " ".join(m.value for m in at.markdown)
    assert "Chưa có kết quả SIPAS nào của Cao Bằng" in body


def test_every_index_and_province_renders(demo_db, monkeypatch):
    """Each index, for the home province, a new (merged) province and one without data: no exception."""
    for index in ("PAR", "SIPAS", "PAPI", "PCI", "DTI", "DDCI"):
        for province in ("dak_lak", "da_nang_2025", "cao_bang"):
            at = app(demo_db, monkeypatch, chi_so=index, tinh=province)
            assert at.selectbox(key="qp_chi_so").value == index
            captions = [c.value for c in at.caption if c.value.startswith("Nguồn")]
            assert len(captions) >= len(at.get("plotly_chart"))  # a source under every chart


def test_pci_history_from_vccis_workbooks_for_every_province_with_gaps_left_as_gaps(demo_db, monkeypatch):
    """init loads VCCI's PCI results of 2006–2016 (data/reference/pci_vcci_workbooks.csv): each province's series
    shows its published years, the years between stay gaps, and the source names the workbook's cell."""
    at = app(demo_db, monkeypatch, chi_so="PCI", tinh="bac_kan")
    assert not at.exception
    history = specs(at)[0]
    scores = {t["name"]: dict(zip(arr(t["x"]), arr(t["y"]))) for t in history["data"] if t.get("yaxis") in (None, "y")}
    bac_kan = scores["Bắc Kạn"]
    assert round(bac_kan[2006], 2) == 48.73 and round(bac_kan[2016], 2) == 54.6
    assert all(bac_kan[y] is not None for y in (2006, 2008, 2010, 2012, 2014, 2016))
    assert all(bac_kan[y] is None for y in (2007, 2009, 2011, 2013, 2015))  # not in the shipped data: gaps
    assert any("PCI_2006.xls" in c.value for c in at.caption if c.value.startswith("Nguồn"))
    # Hà Tây: its own series until 2008, beside Hà Nội, never added to it
    at = app(demo_db, monkeypatch, chi_so="PCI", tinh="ha_noi")
    history = specs(at)[0]
    scores = {t["name"]: dict(zip(arr(t["x"]), arr(t["y"]))) for t in history["data"] if t.get("yaxis") in (None, "y")}
    assert round(scores["Hà Tây"][2008], 2) == 45.09 and round(scores["Hà Nội"][2008], 2) == 53.74
    assert any("01/08/2008, Hà Tây nhập vào" in i.value for i in at.info)
