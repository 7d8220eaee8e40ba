import pytest

from core.matching import MatchError
from loaders.registry.registries import Registry


@pytest.fixture(scope="module")
def registry():
    return Registry.from_data_dir()


@pytest.mark.parametrize("typed, code", [
    ("So Tu phap", "so_tu_phap"), ("VP UBND tỉnh", "vp_ubnd"), ("Sở Xây Dựng", "so_xay_dung"),
    ("SỞ Y TẾ", "so_y_te"), ("Sở Tai chinh", "so_tai_chinh"), ("Sở NN&PTNT", "so_nn_ptnt"),
    ("Ban Quản lý các KCN tỉnh", "bql_kcn"), ("Văn phòng Ủy ban nhân dân tỉnh", "vp_ubnd"),
])
def test_unit_names_typed_loosely_match(registry, typed, code):
    assert registry.unit_matcher.match(typed).code == code


@pytest.mark.parametrize("typed, code", [
    ("Tin, bài đăng trên Trang TTĐT của Sở", "tin_bai"), ("Số tin bài", "tin_bai"), ("tin bai", "tin_bai"),
    ("Phóng sự, video clip", "video_clip"), ("Tin bài, phóng sự trên báo, đài", "bao_dai"),
    ("Số lớp tập huấn", "tap_huan"), ("Tỷ lệ hồ sơ giải quyết đúng hạn (%)", "ty_le_dung_han"),
    ("Pa-nô, áp phích", "pano_apphich"), ("To roi", "to_gap"), ("Bài đăng Facebook, Zalo", "mang_xa_hoi"),
])
def test_indicator_names_match_whatever_the_wording(registry, typed, code):
    assert registry.indicator_matcher.match(typed).code == code


def test_phong_su_alone_is_ambiguous_never_guessed(registry):
    with pytest.raises(MatchError) as err:
        registry.indicator_matcher.match("phóng sự")
    assert err.value.ambiguous
    assert len(err.value.suggestions) == 2


def test_unknown_unit_gets_suggestions_not_a_guess(registry):
    with pytest.raises(MatchError) as err:
        registry.unit_matcher.match("Phòng Tư pháp huyện")
    assert not err.value.ambiguous
    assert "Sở Tư pháp" in err.value.suggestions
    assert "không nhận ra" in str(err.value)


def test_two_close_units_are_ambiguous(registry):
    with pytest.raises(MatchError) as err:
        registry.unit_matcher.match("Sở Nông nghiệp")
    assert err.value.ambiguous


def test_letterhead_line_names_a_unit(registry):
    assert registry.unit_matcher.find_in("UBND TỈNH ĐẮK LẮK   SỞ TƯ PHÁP").code == "so_tu_phap"
    assert registry.unit_matcher.find_in("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") is None


def test_province_names_do_not_match_on_shared_words_alone():
    from loaders.registry.reference import entity_matcher, province_entities
    from loaders.registry.registries import DATA_DIR, read_csv

    provinces, _ = province_entities(read_csv(DATA_DIR / "reference" / "province_mapping_2025.csv"))
    m = entity_matcher(provinces)
    with pytest.raises(MatchError):
        m.match("Đông Lào")
    assert m.match("Lam Dong").code == "lam_dong"
    assert m.match("TP.HCM").code == "tp_ho_chi_minh"
