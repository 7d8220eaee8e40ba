"""The shipped reference data: real published values, each row with its source, and the 2025 lineage."""
import csv
from pathlib import Path

from loaders.store.schema import connect

REF = Path(__file__).resolve().parent.parent / "data" / "reference"


def _rows(name: str) -> list[dict]:
    return list(csv.DictReader(open(REF / name, encoding="utf-8")))


def test_every_reference_row_is_loaded_with_its_source(fresh_db):
    from loaders.registry.reference import INDEX_FILES

    lines = sum(len(_rows(f)) for f in INDEX_FILES)
    two_sources = 4  # keys published by two sources (one with the rank, one with the score): merged, both named
    # PCI totals the pcivietnam.vn province pages give for a year of VCCI's workbooks: the same figure, both named
    workbook = {(r["year"], r["province"], r["component"]) for r in _rows("pci_vcci_workbooks.csv")}
    both = sum(1 for r in _rows("pci.csv") if (r["year"], r["province"], r["component"]) in workbook)
    assert both == 30  # Lâm Đồng, Ninh Thuận, Phú Thọ, Đồng Nai, Sóc Trăng × 6 years, less Lâm Đồng 2010, plus Đắk Lắk 2016
    with connect(fresh_db) as con:
        assert con.execute("SELECT count(*) FROM index_value").fetchone()[0] == lines - two_sources - both
        assert con.execute("SELECT count(*) FROM index_value WHERE source IS NULL OR source = ''").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM index_value WHERE source ILIKE 'same as above%'").fetchone()[0] == 0
        # the press page's rounding of a workbook figure: the workbook's figure, both sources named
        ld = con.execute("SELECT score, rank, source FROM v_index_score WHERE index_code='PCI' AND year=2006 AND "
                         "entity_code='lam_dong' AND component_code IS NULL").fetchone()
        assert round(ld[0], 2) == 52.25 and ld[0] != 52.25 and ld[1] == 32
        assert "PCI_2006.xls" in ld[2] and "pcivietnam.vn/en/provinces/lam-dong" in ld[2]


def test_real_values_are_kept_exactly_and_gaps_stay_gaps(fresh_db):
    with connect(fresh_db) as con:
        par = con.execute("SELECT score, rank FROM v_index_score WHERE index_code='PAR' AND year=2023 "
                          "AND entity_code='dak_lak' AND component_code IS NULL").fetchone()
        assert par == (87.33, 28)
        # SIPAS 2024 Hải Phòng: the source gives a rank but no score -> the score stays empty
        hp = con.execute("SELECT score, rank FROM v_index_score WHERE index_code='SIPAS' AND year=2024 "
                         "AND entity_code='hai_phong' AND component_code IS NULL").fetchone()
        assert hp == (None, 1)
        # Hà Nội PAR 2024: rank from one source, score from another -> both sources stay visible
        hn = con.execute("SELECT score, rank, source FROM v_index_score WHERE index_code='PAR' AND year=2024 "
                         "AND entity_code='ha_noi' AND component_code IS NULL").fetchone()
        assert hn[:2] == (92.57, 3)
        assert "doanhnghieptiepthi.vn" in hn[2] and "vietexplorer.com" in hn[2]
        # no year is invented for Đắk Lắk's PAR
        years = [r[0] for r in con.execute("SELECT year FROM v_index_score WHERE index_code='PAR' AND "
                                           "entity_code='dak_lak' AND component_code IS NULL ORDER BY year").fetchall()]
        assert years == [2017, 2023]


def test_national_averages_are_an_entity_of_their_own_never_a_province(fresh_db):
    with connect(fresh_db) as con:
        assert con.execute("SELECT name, kind FROM entity WHERE code = 'ca_nuoc'").fetchone() == (
            "Trung bình cả nước", "ca_nuoc")
        par = con.execute("SELECT year, score FROM v_index_score WHERE index_code = 'PAR' AND entity_code = 'ca_nuoc' "
                          "AND component_code IS NULL ORDER BY year").fetchall()
        assert par == [(2023, 86.98), (2024, 88.37)]  # as published; 2022 is not derived from '+2,19 điểm'
        sipas = dict(con.execute("SELECT component_code, score FROM v_index_score WHERE index_code = 'SIPAS' "
                                 "AND year = 2023 AND entity_code = 'ca_nuoc' AND component_code IS NOT NULL").fetchall())
        assert sipas == {"tiep_can": 83.0, "tthc": 83.02, "cong_chuc": 83.12, "ket_qua": 83.03, "gop_y": 82.27}
        assert con.execute("SELECT count(*) FROM entity WHERE kind = 'tinh' AND code = 'ca_nuoc'").fetchone()[0] == 0


def test_every_province_old_and_new_has_its_region(fresh_db):
    with connect(fresh_db) as con:
        missing = con.execute("SELECT e.name FROM entity e LEFT JOIN province_region r ON r.entity_code = e.code "
                              "WHERE e.kind = 'tinh' AND r.region IS NULL").fetchall()
        assert missing == []
        assert con.execute("SELECT count(DISTINCT region) FROM province_region").fetchone()[0] == 6
        # a new province takes the region of its same-named predecessor
        assert con.execute("SELECT region FROM province_region WHERE entity_code = 'dak_lak_2025'").fetchone() == (
            "Tây Nguyên",)


def test_2025_merger_lineage(fresh_db):
    with connect(fresh_db) as con:
        assert con.execute("SELECT count(*) FROM province_mapping").fetchone()[0] == 63
        assert con.execute("SELECT count(DISTINCT new_code) FROM province_mapping").fetchone()[0] == 34
        assert con.execute("SELECT successor, valid_to FROM entity WHERE code='phu_yen'").fetchone() == (
            "dak_lak_2025", __import__("datetime").date(2025, 6, 30))
        # DTI 2024's 34-province ranking goes to the new provinces, the 63-province one to the old
        new = con.execute("SELECT score FROM v_index_score WHERE index_code='DTI' AND year=2024 "
                          "AND entity_code='da_nang_2025'").fetchone()
        old = con.execute("SELECT score FROM v_index_score WHERE index_code='DTI' AND year=2024 "
                          "AND entity_code='da_nang'").fetchone()
        assert new == (0.7069,) and old == (0.8335,)


def test_internal_indices_resolve_to_registry_units(fresh_db):
    with connect(fresh_db) as con:
        row = con.execute("SELECT score, rank FROM v_index_score WHERE index_code='DTI' AND year=2022 "
                          "AND entity_code='so_tu_phap'").fetchone()
        assert row == (0.81735, 2)


def test_unit_rows_follow_the_home_province_set_by_init(fresh_db):
    """Đắk Lắk's DTI/DDCI unit rows name registry units only in a Đắk Lắk deployment: a Sơn La deployment keeps
    them as Đắk Lắk's own entities, so its Sở Tư pháp never shows Đắk Lắk's score; switching back restores them."""
    from loaders.init_db import init_database

    def tu_phap_dti(con):
        return con.execute("SELECT entity_code, score FROM v_index_score WHERE index_code='DTI' AND year=2022 "
                           "AND rank = 2 AND score = 0.81735").fetchall()

    with connect(fresh_db) as con:
        init_database(con, province="son la")
        assert tu_phap_dti(con) == [("dak_lak__so_tu_phap", 0.81735)]
        assert con.execute("SELECT count(*) FROM v_index_score WHERE entity_code = 'so_tu_phap'").fetchone()[0] == 0
        assert con.execute("SELECT name FROM entity WHERE code = 'dak_lak__so_tu_phap'").fetchone()[0] == \
            "Sở Tư pháp (Đắk Lắk)"
        init_database(con, province="Đắk Lắk (từ 2025)")
        assert tu_phap_dti(con) == [("so_tu_phap", 0.81735)]
        # each reading replaced the one before it whole: one active reference batch
        assert con.execute("SELECT count(*) FROM batch WHERE kind = 'reference' AND status = 'active'"
                           ).fetchone()[0] == 1
        before = con.execute("SELECT count(*) FROM batch").fetchone()[0]
        init_database(con, province="Đắk Lắk (từ 2025)")
        assert con.execute("SELECT count(*) FROM batch").fetchone()[0] == before  # idempotent


def test_machine_decimals_in_reference_csvs_are_not_read_as_thousands(fresh_db):
    with connect(fresh_db) as con:
        # papi.csv writes "48.881": forty-eight point eight eight one, on a scale of 80
        too_big = con.execute("SELECT count(*) FROM v_index_score v JOIN index_def d ON d.code = v.index_code "
                              "WHERE v.score > d.scale_max AND v.entity_kind = 'tinh'").fetchone()[0]
        assert too_big == 0
        assert con.execute("SELECT score FROM v_index_score WHERE index_code='PAPI' AND year=2020 "
                           "AND entity_code='quang_ninh' AND component_code IS NULL").fetchone()[0] < 80
